/**
 * Pools: their GPU usage and their queue. Changes are operators' work; a data scientist reads
 * their own group's pool, and sees the jobs of its queue they may see (the others keep their place
 * in line, without saying whose they are).
 */
import type { FastifyInstance } from 'fastify';
import type { State } from '../../../core/cluster/model.js';
import { listPools, oldestWaits, type PoolUsage, poolQueue, poolUsage } from '../../../core/cluster/queries.js';
import { canSeeJob, canSeePool } from '../access.js';
import { bad, good, type HttpContext, PAGE_QUERY, pageQuery, reading } from '../context.js';
import { commandBody, errors, idempotencyHeader, idParams, timeTravelQuery } from '../openapi.js';
import { forbidden, notFound } from '../problem.js';
import { commandRoute, params } from './command-route.js';
import { jobView } from './jobs.js';

/** A job in a queue answer: without a reason, since the entry carries the live one beside it. */
function queuedJobView(job: Parameters<typeof jobView>[0]) {
  const { reason: _reason, ...view } = jobView(job, () => null);
  return view;
}

/**
 * Pools as the API shows them: their usage, and how long the longest-waiting job of their queue
 * has waited (`oldestWaitSince`, when it was submitted; `oldestWaitSeconds`, its wait at the time
 * of the answer; both null when none waits).
 */
function poolViews(ctx: HttpContext, state: Readonly<State>, pools: PoolUsage[]) {
  const oldest = oldestWaits(state);
  // Live, a wait is measured to now; in the past, to that state's latest time.
  const now = state === ctx.engine.current ? ctx.engine.clock.now() : state.now;
  return pools.map((p) => {
    const since = oldest.get(p.id);
    return {
      ...p,
      oldestWaitSince: since ?? null,
      oldestWaitSeconds: since === undefined ? null : Math.max(0, now - since),
    };
  });
}

export function poolRoutes(ctx: HttpContext) {
  return async (app: FastifyInstance) => {
    const operator = { access: 'operator' as const };
    const user = { access: 'user' as const };

    const usageOf = (id: string | undefined) => {
      const u = id === undefined ? undefined : poolUsage(ctx.engine.current, id);
      return u ? good(poolViews(ctx, ctx.engine.current, [u])[0]) : bad(notFound(`pool '${id}'`));
    };
    app.get(
      '/pools',
      {
        config: user,
        schema: {
          tags: ['pools'],
          summary: 'Pools with their GPU usage and oldest wait (a data scientist sees their group’s)',
          querystring: timeTravelQuery(),
          response: errors(400),
        },
      },
      reading(ctx, (state, req) => {
        return good(
          poolViews(
            ctx,
            state,
            listPools(state).filter((p) => canSeePool(req.principal, state, p.id)),
          ),
        );
      }),
    );
    app.get(
      '/pools/:poolId',
      {
        config: user,
        schema: {
          tags: ['pools'],
          summary: 'A pool’s GPU usage: total, used, free, shared; queued and the oldest wait',
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
        return good(poolViews(ctx, state, [u])[0]);
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
      commandRoute(ctx, 'CreatePool', [], (req) => usageOf((req.body as { poolId?: string }).poolId), 201),
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
      commandRoute(ctx, 'ConfigurePool', ['poolId'], (req) => usageOf(params(req).poolId)),
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
      commandRoute(ctx, 'DeletePool', ['poolId'], () => good(null), 204),
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
      commandRoute(ctx, 'AllocateGPUs', ['poolId'], (req) => usageOf(params(req).poolId)),
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
      commandRoute(ctx, 'MovePoolDevices', ['toPoolId'], (req) => usageOf(params(req).toPoolId)),
    );
  };
}
