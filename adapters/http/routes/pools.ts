/**
 * Cluster resources: nodes, pools, groups, users and their tokens. Changes are operators' work;
 * a data scientist may read their own group's pool (usage and queue) and themselves.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_GROUP_ID } from '../../../core/model.js';
import { listNodes, listPools, nodeView, poolQueue, poolUsage } from '../../../core/queries.js';
import { canSeeJob, canSeePool } from '../access.js';
import {
  answer,
  bad,
  bodyObject,
  good,
  type HttpContext,
  PAGE_QUERY,
  pageQuery,
  type Result,
  reading,
  runCommand,
} from '../context.js';
import { commandBody, errors, idempotencyHeader, idParams, timeTravelQuery } from '../openapi.js';
import { forbidden, notFound, problem } from '../problem.js';
import { tokenHolds } from '../tokens.js';
import { jobView } from './jobs.js';

/** A job in a queue answer: without a reason, since the entry carries the live one beside it. */
function queuedJobView(job: Parameters<typeof jobView>[0]) {
  const { reason: _reason, ...view } = jobView(job, () => null);
  return view;
}

type Params = Record<string, string>;
const params = (req: FastifyRequest) => req.params as Params;

export function clusterRoutes(ctx: HttpContext) {
  return async (app: FastifyInstance) => {
    const operator = { access: 'operator' as const };
    const user = { access: 'user' as const };

    /** A command from the body and path; answered with `view()` of the state after it. */
    const command =
      (type: Parameters<typeof runCommand>[2], path: string[], view: (req: FastifyRequest) => Result<unknown>, status = 200) =>
      async (req: FastifyRequest, reply: FastifyReply) => {
        const body = bodyObject(req);
        if (!body.ok) return answer(reply, body);
        const p = params(req);
        const fields: Record<string, unknown> = { ...body.value };
        for (const k of path) fields[k] = p[k];
        const r = await runCommand(ctx, req, type, fields, path);
        if (!r.ok) return answer(reply, r);
        return status === 204 ? reply.code(204).send() : answer(reply, view(req), status);
      };

    // -- nodes -------------------------------------------------------------------------------------
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
      command('RegisterNode', [], (req) => nodeOf((req.body as { nodeId?: string }).nodeId), 201),
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
        command(type, ['nodeId'], (req) => nodeOf(params(req).nodeId)),
      );
    }

    // -- pools -------------------------------------------------------------------------------------
    const usageOf = (id: string | undefined) => {
      const u = id === undefined ? undefined : poolUsage(ctx.engine.current, id);
      return u ? good(u) : bad(notFound(`pool '${id}'`));
    };
    app.get(
      '/pools',
      {
        config: user,
        schema: {
          tags: ['pools'],
          summary: 'Pools with their GPU usage (a data scientist sees their group’s)',
          querystring: timeTravelQuery(),
          response: errors(400),
        },
      },
      reading(ctx, (state, req) => {
        return good(listPools(state).filter((p) => canSeePool(req.principal, state, p.id)));
      }),
    );
    app.get(
      '/pools/:poolId',
      {
        config: user,
        schema: {
          tags: ['pools'],
          summary: 'A pool’s GPU usage: total, used, free, shared',
          params: idParams('poolId'),
          querystring: timeTravelQuery(),
          response: errors(400, 403, 404),
        },
      },
      reading(ctx, (state, req) => {
        const id = params(req).poolId as string;
        const u = poolUsage(state, id);
        if (!u) return bad(notFound(`pool '${id}'`));
        if (!canSeePool(req.principal, state, id)) return bad(forbidden('you may read only your own group’s pool'));
        return good(u);
      }),
    );
    app.get(
      '/pools/:poolId/queue',
      {
        config: user,
        schema: {
          tags: ['pools'],
          summary: 'The pool’s waiting jobs in the order the scheduler considers them, each with why it waits',
          description:
            'In pages: `limit` (default 100, at most 1000) entries from `offset`; `X-Total-Count` says how many wait. `position` counts from 0 at the head of the queue.',
          params: idParams('poolId'),
          querystring: timeTravelQuery(PAGE_QUERY),
          response: errors(400, 403, 404),
        },
      },
      reading(ctx, (state, req, reply) => {
        const id = params(req).poolId as string;
        const pool = state.pools.get(id);
        if (!pool) return bad(notFound(`pool '${id}'`));
        if (!canSeePool(req.principal, state, id)) return bad(forbidden('you may read only your own group’s pool'));
        const page = pageQuery(req);
        if (!page.ok) return page;
        const q = poolQueue(state, id, page.value) ?? [];
        reply.header('x-total-count', String(pool.group ? (state.queues.get(pool.group)?.size ?? 0) : 0));
        // Jobs the caller may not see keep their place in line, without saying whose they are.
        return good(
          q.map((e) =>
            canSeeJob(req.principal, e.job)
              ? { position: e.position, job: queuedJobView(e.job), reason: e.reason }
              : { position: e.position, hidden: true, gpus: e.job.gpus, reason: e.reason },
          ),
        );
      }),
    );
    app.post(
      '/pools',
      {
        config: operator,
        schema: {
          tags: ['pools'],
          summary: 'Create a pool of one GPU type',
          body: commandBody('CreatePool'),
          headers: idempotencyHeader,
          response: errors(400, 403, 409),
        },
      },
      command('CreatePool', [], (req) => usageOf((req.body as { poolId?: string }).poolId), 201),
    );
    app.patch(
      '/pools/:poolId',
      {
        config: operator,
        schema: {
          tags: ['pools'],
          summary: 'Change a pool’s settings: policy, placement, maximum wait',
          params: idParams('poolId'),
          body: commandBody('ConfigurePool', { path: ['poolId'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      command('ConfigurePool', ['poolId'], (req) => usageOf(params(req).poolId)),
    );
    app.delete(
      '/pools/:poolId',
      {
        config: operator,
        schema: {
          tags: ['pools'],
          summary: 'Delete a pool: its devices return to the Default Pool',
          params: idParams('poolId'),
          headers: idempotencyHeader,
          response: errors(403, 404, 409),
        },
      },
      command('DeletePool', ['poolId'], () => good(null), 204),
    );
    app.post(
      '/pools/:poolId/allocations',
      {
        config: operator,
        schema: {
          tags: ['pools'],
          summary: 'Allocate GPUs from the Default Pool, by count (whole nodes first) or by device ids',
          params: idParams('poolId'),
          body: commandBody('AllocateGPUs', { path: ['poolId'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      command('AllocateGPUs', ['poolId'], (req) => usageOf(params(req).poolId)),
    );
    app.post(
      '/pools/:toPoolId/devices',
      {
        config: operator,
        schema: {
          tags: ['pools'],
          summary: 'Move devices into this pool from any pool (busy ones keep serving their job)',
          params: idParams('toPoolId'),
          body: commandBody('MovePoolDevices', { path: ['toPoolId'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      command('MovePoolDevices', ['toPoolId'], (req) => usageOf(params(req).toPoolId)),
    );

    // -- groups ------------------------------------------------------------------------------------
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
      command('CreateGroup', [], (req) => groupOf((req.body as { groupId?: string }).groupId), 201),
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
      command('AssignPool', ['groupId'], (req) => groupOf(params(req).groupId)),
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
      command('ConfigureGroup', ['groupId'], (req) => groupOf(params(req).groupId)),
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
      command('DeleteGroup', ['groupId'], () => good(null), 204),
    );

    // -- users and tokens --------------------------------------------------------------------------
    const userOf = (id: string | undefined) => {
      const u = id === undefined ? undefined : ctx.engine.current.users.get(id);
      return u ? good({ ...u }) : bad(notFound(`user '${id}'`));
    };
    app.get(
      '/me',
      { config: user, schema: { tags: ['users'], summary: 'Who the token belongs to', response: errors() } },
      async (req, reply) => {
        const me = userOf(req.principal.userId);
        return answer(reply, me.ok ? good({ ...me.value, tokenId: req.principal.tokenId }) : me);
      },
    );
    app.get(
      '/users',
      {
        config: operator,
        schema: { tags: ['users'], summary: 'List users', querystring: timeTravelQuery(), response: errors(400, 403) },
      },
      reading(ctx, (state) => good([...state.users.values()].map((u) => ({ ...u })))),
    );
    app.get(
      '/users/:userId',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: 'One user',
          params: idParams('userId'),
          querystring: timeTravelQuery(),
          response: errors(400, 403, 404),
        },
      },
      reading(ctx, (state, req) => {
        const u = state.users.get(params(req).userId as string);
        return u ? good({ ...u }) : bad(notFound(`user '${params(req).userId}'`));
      }),
    );
    app.post(
      '/users',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: `Onboard a user (into the ${DEFAULT_GROUP_ID} group unless told otherwise)`,
          body: commandBody('OnboardUser'),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      command('OnboardUser', [], (req) => userOf((req.body as { userId?: string }).userId), 201),
    );
    app.put(
      '/users/:userId/group',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: 'Move a user to another group',
          params: idParams('userId'),
          body: commandBody('MoveUser', { path: ['userId'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      command('MoveUser', ['userId'], (req) => userOf(params(req).userId)),
    );
    app.delete(
      '/users/:userId',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: 'Remove a user (their tokens stop working); refused while they have unfinished jobs unless stopJobs',
          params: idParams('userId'),
          querystring: { type: 'object', properties: { stopJobs: { type: 'string', enum: ['true', 'false'] } } },
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      async (req, reply) => {
        // A DELETE seldom carries a body: `?stopJobs=true` asks what a body's `"stopJobs": true` does.
        const stopJobs = (req.query as Record<string, unknown> | undefined)?.stopJobs;
        if (stopJobs !== undefined && stopJobs !== 'true' && stopJobs !== 'false') {
          const detail = `query.stopJobs: expected true or false, got ${JSON.stringify(stopJobs)}`;
          return answer(reply, bad(problem(400, 'invalid-input', detail)));
        }
        const body = bodyObject(req);
        if (!body.ok) return answer(reply, body);
        const fields: Record<string, unknown> = { ...body.value, userId: params(req).userId };
        if (stopJobs !== undefined) fields.stopJobs = stopJobs === 'true';
        const r = await runCommand(ctx, req, 'RemoveUser', fields, ['userId']);
        return r.ok ? reply.code(204).send() : answer(reply, r);
      },
    );
    app.post(
      '/users/:userId/tokens',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: 'Issue an API token for a user: shown once, only its hash is kept',
          params: idParams('userId'),
          body: { type: 'object', properties: { label: { type: 'string', maxLength: 200 } } },
          response: errors(400, 403, 404),
        },
      },
      async (req, reply) => {
        const body = bodyObject(req);
        if (!body.ok) return answer(reply, body);
        const label = body.value.label;
        if (label !== undefined && (typeof label !== 'string' || label.length > 200)) {
          return answer(
            reply,
            bad(
              problem(400, 'invalid-input', 'body.label: expected a string of at most 200 characters', {
                errors: [{ path: 'body.label', expected: 'a string of at most 200 characters', actual: JSON.stringify(label) }],
              }),
            ),
          );
        }
        const userId = params(req).userId as string;
        const found = ctx.engine.current.users.get(userId);
        if (!found) return answer(reply, bad(notFound(`user '${userId}'`)));
        const issued = await ctx.tokens.issue(found, label as string | undefined);
        return answer(reply, good({ ...issued, userId }), 201);
      },
    );
    app.get(
      '/users/:userId/tokens',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: 'A user’s live tokens (ids only)',
          params: idParams('userId'),
          response: errors(403),
        },
      },
      async (req, reply) => {
        // Tokens issued to an earlier incarnation of this id no longer work: they are not live.
        const found = ctx.engine.current.users.get(params(req).userId as string);
        return answer(reply, good(found ? ctx.tokens.list(found.id).filter((t) => tokenHolds(t, found)) : []));
      },
    );
    app.delete(
      '/users/:userId/tokens/:tokenId',
      {
        config: operator,
        schema: { tags: ['users'], summary: 'Revoke a token', params: idParams('userId', 'tokenId'), response: errors(403, 404) },
      },
      async (req, reply) => {
        const { userId, tokenId } = params(req) as { userId: string; tokenId: string };
        if (ctx.tokens.get(tokenId)?.userId !== userId)
          return answer(reply, bad(notFound(`token '${tokenId}' of user '${userId}'`)));
        await ctx.tokens.revoke(tokenId);
        return reply.code(204).send();
      },
    );
  };
}
