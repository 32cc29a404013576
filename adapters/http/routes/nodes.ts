/** Nodes and their devices: operators' business, reads and changes alike. */
import type { FastifyInstance } from 'fastify';
import { listNodes, nodeView } from '../../../core/cluster/queries.js';
import { bad, good, type HttpContext, reading } from '../context.js';
import { commandBody, errors, idempotencyHeader, idParams, timeTravelQuery } from '../openapi.js';
import { notFound } from '../problem.js';
import { commandRoute, params } from './command-route.js';

export function nodeRoutes(ctx: HttpContext) {
  return async (app: FastifyInstance) => {
    const operator = { access: 'operator' as const };

    const nodeOf = (id: string | undefined) => {
      const node = id === undefined ? undefined : ctx.engine.current.nodes.get(id);
      return node ? good(nodeView(ctx.engine.current, node)) : bad(notFound(`node '${id}'`));
    };
    app.get(
      '/nodes',
      {
        config: operator,
        schema: {
          tags: ['nodes'],
          summary: 'List nodes and their devices',
          querystring: timeTravelQuery(),
          response: errors(400, 403),
        },
      },
      reading(ctx, (state) => good(listNodes(state))),
    );
    app.get(
      '/nodes/:nodeId',
      {
        config: operator,
        schema: {
          tags: ['nodes'],
          summary: 'One node',
          params: idParams('nodeId'),
          querystring: timeTravelQuery(),
          response: errors(400, 403, 404),
        },
      },
      reading(ctx, (state, req) => {
        const node = state.nodes.get(params(req).nodeId as string);
        return node ? good(nodeView(state, node)) : bad(notFound(`node '${params(req).nodeId}'`));
      }),
    );
    app.post(
      '/nodes',
      {
        config: operator,
        schema: {
          tags: ['nodes'],
          summary: 'Register (or re-register) a node; its devices join the Default Pool',
          body: commandBody('RegisterNode'),
          headers: idempotencyHeader,
          response: errors(400, 403, 409),
        },
      },
      commandRoute(ctx, 'RegisterNode', [], (req) => nodeOf((req.body as { nodeId?: string }).nodeId), 201),
    );
    for (const [verb, type] of [
      ['cordon', 'CordonNode'],
      ['uncordon', 'UncordonNode'],
    ] as const) {
      app.post(
        `/nodes/:nodeId/${verb}`,
        {
          config: operator,
          schema: {
            tags: ['nodes'],
            summary: verb === 'cordon' ? 'Cordon a node: no new placements' : 'Uncordon a node',
            params: idParams('nodeId'),
            headers: idempotencyHeader,
            response: errors(403, 404, 409),
          },
        },
        commandRoute(ctx, type, ['nodeId'], (req) => nodeOf(params(req).nodeId)),
      );
    }
  };
}
