/**
 * A running job's metrics (core/assets/metrics.ts): `POST /jobs/{jobId}/metrics` takes a batch of
 * points from the job's owner (or an operator: the runtime); `GET /jobs/{jobId}/metrics` answers
 * each metric's series and final value to whoever may see the job. Each batch is an event of the
 * job's own metrics stream, appended at the revision it was checked against, so two reports at
 * once cannot both pass the rule that steps never go back.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  decodeMetricsEvent,
  finalMetrics,
  lastSteps,
  MAX_METRIC_POINTS,
  MetricsReport,
  type MetricsReported,
  metricSeries,
  metricsStream,
  reportMetrics,
} from '../../../core/assets/metrics.js';
import type { JobState } from '../../../core/cluster/model.js';
import { decodeWith } from '../../../core/codec.js';
import type { EventStore } from '../../../core/ports.js';
import { isOperator } from '../access.js';
import { answer, bad, bodyObject, good, type HttpContext, type Result } from '../context.js';
import { jsonSchemaOf } from '../json-schema.js';
import { errors, idParams } from '../openapi.js';
import { forbidden, invalidInput, problem } from '../problem.js';
import { resolveJob } from './jobs.js';

/** A job's metrics stream, decoded; and the revision of its last event (-1: none). */
export async function readMetrics(store: EventStore, jobId: string): Promise<{ events: MetricsReported[]; revision: number }> {
  const events: MetricsReported[] = [];
  let revision = -1;
  for (let from = 0n; ; ) {
    const page = await store.read(metricsStream(jobId), { from, maxCount: 1000 });
    for (const r of page) {
      const d = decodeMetricsEvent(r.data);
      if (d.ok) events.push(d.value);
      revision = Number(r.revision);
    }
    if (page.length < 1000) return { events, revision };
    from += 1000n;
  }
}

const ACTIVE = new Set<JobState['status']>(['Running', 'Training']);

export function metricRoutes(ctx: HttpContext) {
  return async (app: FastifyInstance) => {
    const job = (req: FastifyRequest): Result<JobState> => {
      const q = (req.query ?? {}) as Record<string, unknown>;
      return resolveJob(
        req.principal,
        ctx.engine.current,
        ctx.engine.archive,
        (req.params as { jobId: string }).jobId,
        typeof q.group === 'string' ? q.group : undefined,
      );
    };

    app.post(
      '/jobs/:jobId/metrics',
      {
        config: { access: 'user' },
        schema: {
          tags: ['jobs'],
          summary: `Report a running job's metrics: a batch of at most ${MAX_METRIC_POINTS} points (name, value, step, at)`,
          params: idParams('jobId'),
          body: jsonSchemaOf(MetricsReport),
          response: errors(400, 403, 404, 409),
        },
      },
      async (req, reply) => {
        const found = job(req);
        if (!found.ok) return answer(reply, found);
        const j = found.value;
        if (!isOperator(req.principal) && j.owner !== req.principal.userId) {
          return answer(reply, bad(forbidden(`job '${j.id}' is ${j.owner}'s; only it (and operators) report its metrics`)));
        }
        if (!ACTIVE.has(j.status)) {
          return answer(
            reply,
            bad(problem(409, 'invalid-transition', `job '${j.id}' is ${j.status}; only a running job reports metrics`)),
          );
        }
        const body = bodyObject(req);
        if (!body.ok) return answer(reply, body);
        const decoded = decodeWith(MetricsReport, body.value, 'body');
        if (!decoded.ok) return answer(reply, bad(invalidInput(decoded.issues)));
        // Checked against the stream as read, appended at that revision: a report that raced
        // another is checked again against both.
        for (let attempt = 0; attempt < 5; attempt++) {
          const { events, revision } = await readMetrics(ctx.engine.store, j.id);
          const r = reportMetrics(j.id, decoded.value.points, ctx.engine.clock.now(), lastSteps(metricSeries(events)));
          if (!r.ok) return answer(reply, bad(problem(409, 'invalid-argument', r.message)));
          const appended = await ctx.engine.store.append(
            metricsStream(j.id),
            [{ id: crypto.randomUUID(), type: r.event.type, data: r.event }],
            revision < 0 ? 'no_stream' : BigInt(revision),
          );
          if (appended.ok) {
            return answer(
              reply,
              good({ jobId: j.id, accepted: r.event.points.length, final: finalMetrics(metricSeries([...events, r.event])) }),
              201,
            );
          }
        }
        return answer(
          reply,
          bad(problem(409, 'conflict', `job '${j.id}': other reports kept arriving first; send this one again`)),
        );
      },
    );

    app.get(
      '/jobs/:jobId/metrics',
      {
        config: { access: 'user' },
        schema: {
          tags: ['jobs'],
          summary: "A job's metrics: each one's series (step, value, at) in report order, and its final value",
          params: idParams('jobId'),
          response: errors(400, 404),
        },
      },
      async (req, reply) => {
        const found = job(req);
        if (!found.ok) return answer(reply, found);
        const series = metricSeries((await readMetrics(ctx.engine.store, found.value.id)).events);
        const out: Record<string, { step: number; value: number; at: number }[]> = {};
        for (const [name, points] of series) out[name] = points.map(({ step, value, at }) => ({ step, value, at }));
        return answer(reply, good({ jobId: found.value.id, series: out, final: finalMetrics(series) }));
      },
    );
  };
}
