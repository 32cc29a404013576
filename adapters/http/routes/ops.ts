/** Liveness, readiness and metrics: public, for probes and scrapers. */
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.js';
import type { ServerMetrics } from '../metrics.js';
import { problem, sendProblem } from '../problem.js';

export function opsRoutes(ctx: HttpContext, metrics: ServerMetrics, closing: () => boolean) {
  return async (app: FastifyInstance) => {
    const config = { access: 'public' as const };
    app.get('/healthz', { config, schema: { tags: ['operations'], summary: 'Liveness: the process answers' } }, async () => ({
      status: 'ok',
    }));
    app.get(
      '/readyz',
      { config, schema: { tags: ['operations'], summary: 'Readiness: the state is loaded and the event store answers' } },
      async (_req, reply) => {
        if (closing()) return sendProblem(reply, problem(503, 'shutting-down', 'the server is shutting down'));
        try {
          await ctx.engine.eventsFrom(Math.max(0, ctx.engine.revision), 1);
        } catch {
          return sendProblem(reply, problem(503, 'store-unavailable', 'the event store does not answer'));
        }
        return { status: 'ready', revision: ctx.engine.revision };
      },
    );
    app.get('/metrics', { config, schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_req, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  };
}
