/** Groups, their pool and their limits: operators' business, reads and changes alike. */
import type { FastifyInstance } from 'fastify';
import { bad, good, type HttpContext, reading } from '../context.js';
import { commandBody, errors, idempotencyHeader, idParams, timeTravelQuery } from '../openapi.js';
import { notFound } from '../problem.js';
import { commandRoute, params } from './command-route.js';

export function groupRoutes(ctx: HttpContext) {
  return async (app: FastifyInstance) => {
    const operator = { access: 'operator' as const };

    const groupOf = (id: string | undefined) => {
      const g = id === undefined ? undefined : ctx.engine.current.groups.get(id);
      return g ? good({ ...g }) : bad(notFound(`group '${id}'`));
    };
    app.get(
      '/groups',
      {
        config: operator,
        schema: {
          tags: ['groups'],
          summary: 'List groups and their pools',
          querystring: timeTravelQuery(),
          response: errors(400, 403),
        },
      },
      reading(ctx, (state) => good([...state.groups.values()].map((g) => ({ ...g })))),
    );
    app.get(
      '/groups/:groupId',
      {
        config: operator,
        schema: {
          tags: ['groups'],
          summary: 'One group and its members',
          params: idParams('groupId'),
          querystring: timeTravelQuery(),
          response: errors(400, 403, 404),
        },
      },
      reading(ctx, (state, req) => {
        const g = state.groups.get(params(req).groupId as string);
        if (!g) return bad(notFound(`group '${params(req).groupId}'`));
        const members = [...state.users.values()].filter((u) => u.group === g.id).map((u) => u.id);
        return good({ ...g, members });
      }),
    );
    app.post(
      '/groups',
      {
        config: operator,
        schema: {
          tags: ['groups'],
          summary: 'Create a group',
          body: commandBody('CreateGroup'),
          headers: idempotencyHeader,
          response: errors(400, 403, 409),
        },
      },
      commandRoute(ctx, 'CreateGroup', [], (req) => groupOf((req.body as { groupId?: string }).groupId), 201),
    );
    app.put(
      '/groups/:groupId/pool',
      {
        config: operator,
        schema: {
          tags: ['groups'],
          summary: 'Assign the group its pool (null: none)',
          params: idParams('groupId'),
          body: commandBody('AssignPool', { path: ['groupId'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      commandRoute(ctx, 'AssignPool', ['groupId'], (req) => groupOf(params(req).groupId)),
    );
    app.put(
      '/groups/:groupId/limits',
      {
        config: operator,
        schema: {
          tags: ['groups'],
          summary: 'Limit unfinished jobs: the group’s in all, and each of its users’ (null: no limit)',
          description:
            'A submission past a limit is refused with 429 `too-many-unfinished-jobs`. A user’s unfinished jobs are counted across groups.',
          params: idParams('groupId'),
          body: commandBody('ConfigureGroup', { path: ['groupId'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404),
        },
      },
      commandRoute(ctx, 'ConfigureGroup', ['groupId'], (req) => groupOf(params(req).groupId)),
    );
    app.delete(
      '/groups/:groupId',
      {
        config: operator,
        schema: {
          tags: ['groups'],
          summary: 'Delete a group: its users move to the Default Group (refused while it has unfinished jobs)',
          params: idParams('groupId'),
          headers: idempotencyHeader,
          response: errors(403, 404, 409),
        },
      },
      commandRoute(ctx, 'DeleteGroup', ['groupId'], () => good(null), 204),
    );
  };
}
