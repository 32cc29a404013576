/**
 * A pool's GPU use and queue length over time (`GET /pools/{poolId}/usage`), from the samples this
 * server keeps while it runs (../usage.ts). Who may read a pool may read its usage: operators any
 * pool, a data scientist their group's. A read of the past answers the samples up to that revision.
 */
import type { FastifyInstance } from 'fastify';
import { canSeePool } from '../access.js';
import { bad, good, type HttpContext, reading } from '../context.js';
import { errors, idParams, timeTravelQuery } from '../openapi.js';
import { forbidden, invalidInput, notFound } from '../problem.js';
import { PoolUsageHistory, type UsageHistoryOptions } from '../usage.js';
import { params } from './command-route.js';

export function usageRoutes(ctx: HttpContext, options: UsageHistoryOptions = {}) {
  return async (app: FastifyInstance) => {
    const history = new PoolUsageHistory(ctx.engine, options);
    app.addHook('onClose', async () => history.close());
    app.get(
      '/pools/:poolId/usage',
      {
        config: { access: 'user' },
        schema: {
          tags: ['pools'],
          summary: 'The pool’s GPU use and queue length over time, sampled as they change since this server started',
          description:
            'Columns of samples, oldest first: `at` (seconds), `revision`, `total`, `used`, `queued`; at most one a second and 1,440 per pool, the oldest dropped first. `since` (epoch seconds) leaves out older samples. `from` is when this server began sampling, `now` the time of the answer.',
          params: idParams('poolId'),
          querystring: timeTravelQuery({ since: { type: 'string', description: 'epoch seconds: only samples from then' } }),
          response: errors(400, 403, 404),
        },
      },
      reading(ctx, (state, req) => {
        const id = params(req).poolId as string;
        if (!state.pools.has(id)) return bad(notFound(`pool '${id}'`));
        if (!canSeePool(req.principal, state, id)) return bad(forbidden('you may read only your own group’s pool'));
        const raw = (req.query as Record<string, unknown>).since;
        const since = raw === undefined ? Number.NEGATIVE_INFINITY : Number(raw);
        if (raw !== undefined && (typeof raw !== 'string' || !/^\d+(\.\d+)?$/.test(raw))) {
          return bad(invalidInput([{ path: 'query.since', expected: 'epoch seconds', actual: String(raw) }]));
        }
        const live = state === ctx.engine.current;
        const series = history.series(id, state.revision, since) ?? { at: [], revision: [], total: [], used: [], queued: [] };
        return good({ pool: id, from: history.since, now: live ? ctx.engine.clock.now() : state.now, ...series });
      }),
    );
  };
}
