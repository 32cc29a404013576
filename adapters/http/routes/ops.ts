/**
 * Liveness, readiness and metrics, for probes and scrapers. The probes are public. So is
 * /metrics unless the server is given a metrics token (GPUPOOL_METRICS_TOKEN): then a scrape
 * must send it as a bearer token. The metrics name pools and count jobs, nothing more; they are
 * public by default so a scraper inside the cluster needs no user's token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.js';
import type { ServerMetrics } from '../metrics.js';
import { problemResponse } from '../openapi.js';
import { problem, sendProblem } from '../problem.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function opsRoutes(ctx: HttpContext, metrics: ServerMetrics, closing: () => boolean, metricsToken?: string) {
  const want = metricsToken ? digest(metricsToken) : undefined;
  return async (app: FastifyInstance) => {
    const config = { access: 'public' as const };
    const status = (description: string, extra: Record<string, unknown> = {}) => ({
      description,
      content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string' }, ...extra } } } },
    });
    app.get(
      '/healthz',
      {
        config,
        schema: {
          tags: ['operations'],
          summary: 'Liveness: the process answers',
          security: [],
          response: { 200: status('the process answers') },
        },
      },
      async () => ({ status: 'ok' }),
    );
    app.get(
      '/readyz',
      {
        config,
        schema: {
          tags: ['operations'],
          summary: 'Readiness: the state is loaded and the event store answers',
          security: [],
          response: {
            200: status('ready', { revision: { type: 'integer' } }),
            503: problemResponse('shutting down, or the event store does not answer'),
          },
        },
      },
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
    app.get(
      '/metrics',
      {
        config,
        schema: {
          tags: ['operations'],
          summary: metricsToken
            ? 'Prometheus metrics; send the metrics token as a bearer token'
            : 'Prometheus metrics (public: no metrics token is set)',
          ...(metricsToken ? {} : { security: [] }),
          response: {
            200: {
              description: 'the metrics, in the Prometheus text format',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...(metricsToken ? { 401: problemResponse('no metrics token, or not the one set') } : {}),
          },
        },
      },
      async (req, reply) => {
        if (want) {
          const header = req.headers.authorization;
          const sent = typeof header === 'string' && /^Bearer \S+$/i.test(header) ? digest(header.slice(7)) : undefined;
          if (!sent)
            return sendProblem(reply, problem(401, 'unauthenticated', 'send the metrics token: Authorization: Bearer <token>'));
          if (!timingSafeEqual(sent, want))
            return sendProblem(reply, problem(401, 'invalid-token', 'the metrics token is not valid'));
        }
        reply.type(metrics.registry.contentType);
        return metrics.registry.metrics();
      },
    );
  };
}
