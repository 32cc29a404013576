/**
 * When will it start? Forecasts of waiting jobs' starts, and what an operator's planned change
 * would do to them (core/cluster/forecast.ts), made off the event loop (adapters/forecast).
 *
 * Every answer is an estimate and says so (`estimate: true`): jobs are assumed to run their
 * expected duration, or their kind's typical one (`typicalDurations` says which, and whether it is
 * a median of finished jobs or the default), and nothing new to arrive. Times are epoch seconds;
 * `startAt` null means not within the horizon (30 days), or never as the pool stands.
 *
 * Forecasts read the present only (no `asOf`): the past has no waiting jobs left to predict.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Command, commandCodecs, decodeCommand } from '../../../core/cluster/commands.js';
import { WHAT_IF_COMMANDS } from '../../../core/cluster/forecast.js';
import { isPending, type JobState, type State } from '../../../core/cluster/model.js';
import { type DecodeIssue, describeValue } from '../../../core/codec.js';
import { ForecastBusyError, type Forecaster, type ForecastOutcome, type ForecastResult } from '../../forecast/forecaster.js';
import { canSeeJob, canSeePool } from '../access.js';
import { answer, bad, bodyObject, good, type HttpContext, PAGE_QUERY, pageQuery, type Result } from '../context.js';
import { jsonSchemaOf } from '../json-schema.js';
import { errors, idParams } from '../openapi.js';
import { forbidden, invalidInput, notFound, problem } from '../problem.js';
import { jobName, resolveJob } from './jobs.js';

/** Most planned changes one what-if may apply. */
export const MAX_PLANNED_CHANGES = 50;

// -- the document --------------------------------------------------------------------------------

const seconds = (description: string) => ({ type: 'number', nullable: true, description });
const typicalSchema = {
  type: 'array',
  description: 'The duration assumed for jobs of each kind that expect none of their own',
  items: {
    type: 'object',
    required: ['kind', 'seconds', 'samples', 'source'],
    properties: {
      kind: { type: 'string' },
      seconds: { type: 'number' },
      samples: { type: 'integer', description: 'finished jobs the median is of (the most recent, at most 1,000)' },
      source: { type: 'string', enum: ['median', 'default'], description: 'default: no job of the kind has finished yet' },
    },
  },
};
const jobRefSchema = {
  type: 'object',
  required: ['id', 'name', 'group', 'owner', 'kind', 'gpus', 'submittedAt', 'expectedDuration'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    group: { type: 'string' },
    owner: { type: 'string' },
    kind: { type: 'string' },
    gpus: { type: 'integer' },
    submittedAt: { type: 'number' },
    expectedDuration: { type: 'number', nullable: true },
  },
};
const headerSchema = {
  estimate: { type: 'boolean', enum: [true], description: 'always true: a prediction, not a promise' },
  now: { type: 'number', description: 'the time the forecast starts from (epoch seconds)' },
  horizon: { type: 'number', description: 'the latest time it looks at (epoch seconds)' },
  revision: { type: 'integer', description: 'the cluster revision it was made from' },
  typicalDurations: typicalSchema,
};
const poolForecastSchema = {
  type: 'object',
  required: ['estimate', 'now', 'horizon', 'revision', 'typicalDurations', 'poolId', 'jobs'],
  properties: {
    ...headerSchema,
    poolId: { type: 'string' },
    jobs: {
      type: 'array',
      description: 'The pool’s waiting jobs, soonest predicted start first (never within the horizon last)',
      items: {
        type: 'object',
        required: ['startAt', 'waitSeconds'],
        properties: {
          job: jobRefSchema,
          hidden: { type: 'boolean', description: 'a job the caller may not see: its place and size only' },
          gpus: { type: 'integer' },
          startAt: seconds('predicted start (epoch seconds); null: not within the horizon'),
          waitSeconds: seconds('from now to that start'),
        },
      },
    },
  },
};
const jobForecastSchema = {
  type: 'object',
  required: ['estimate', 'jobId', 'name', 'group', 'status', 'waiting', 'startAt', 'waitSeconds'],
  properties: {
    ...headerSchema,
    jobId: { type: 'string' },
    name: { type: 'string' },
    group: { type: 'string' },
    status: { type: 'string' },
    waiting: {
      type: 'boolean',
      description: 'false: the job no longer waits (startAt is then when it was allocated, if it was)',
    },
    startAt: seconds('predicted start (epoch seconds); null: not within the horizon'),
    waitSeconds: seconds('from now to that start'),
  },
};
const predictionSchema = {
  type: 'object',
  required: ['startAt', 'waitSeconds'],
  properties: { startAt: seconds('predicted start'), waitSeconds: seconds('from now to that start') },
};
const whatIfSchema = {
  type: 'object',
  required: ['estimate', 'now', 'horizon', 'revision', 'typicalDurations', 'summary', 'jobs'],
  properties: {
    ...headerSchema,
    summary: {
      type: 'object',
      required: ['jobs', 'sooner', 'later', 'unchanged', 'neverBefore', 'neverAfter', 'meanWaitBefore', 'meanWaitAfter'],
      properties: {
        jobs: { type: 'integer', description: 'waiting jobs (in the pool asked for, if any)' },
        sooner: { type: 'integer' },
        later: { type: 'integer' },
        unchanged: { type: 'integer' },
        neverBefore: { type: 'integer', description: 'jobs with no start within the horizon before the change' },
        neverAfter: { type: 'integer', description: 'and after it' },
        meanWaitBefore: seconds('mean predicted wait of the jobs that start within the horizon before the change'),
        meanWaitAfter: seconds('and after it'),
      },
    },
    jobs: {
      type: 'array',
      description: 'Every waiting job, in submission order, with its predicted start before and after the planned changes',
      items: {
        type: 'object',
        required: ['job', 'pool', 'before', 'after', 'deltaSeconds'],
        properties: {
          job: jobRefSchema,
          pool: { type: 'string', nullable: true },
          before: predictionSchema,
          after: predictionSchema,
          deltaSeconds: seconds('after minus before (negative: sooner); null when either never starts'),
        },
      },
    },
  },
};
const success = (schema: unknown, paged: boolean) => ({
  200: {
    description: 'the forecast (an estimate)',
    ...(paged ? { headers: { 'x-total-count': { type: 'integer', description: 'how many jobs, in all pages' } } } : {}),
    content: { 'application/json': { schema } },
  },
});
const whatIfBody = {
  type: 'object',
  required: ['changes'],
  properties: {
    changes: {
      type: 'array',
      maxItems: MAX_PLANNED_CHANGES,
      description: `Planned changes, applied in order at once, then the cluster played forward: commands of the types ${WHAT_IF_COMMANDS.join(', ')} (with their \`type\`)`,
      items: { anyOf: WHAT_IF_COMMANDS.map((type) => jsonSchemaOf(commandCodecs[type], ['commandId', 'at'])) },
    },
  },
};

// -- views ---------------------------------------------------------------------------------------

function jobRef(job: JobState) {
  return {
    id: job.id,
    name: jobName(job),
    group: job.group,
    owner: job.owner,
    kind: job.kind,
    gpus: job.gpus,
    submittedAt: job.submittedAt,
    expectedDuration: job.expectedDuration,
  };
}

const startOf = (x: number) => (Number.isNaN(x) ? null : x);
const header = (f: ForecastResult) => ({
  estimate: true as const,
  now: f.now,
  horizon: f.horizon,
  revision: f.revision,
  typicalDurations: f.typical,
});

/** The forecast's jobs that still wait in the state (it may have moved on meanwhile), with their starts. */
function* waitingIn(state: Readonly<State>, f: ForecastResult): Generator<{ job: JobState; i: number }> {
  const ids = f.jobIds === '' ? [] : f.jobIds.split('\n');
  for (let i = 0; i < ids.length; i++) {
    const job = state.jobs.get(ids[i] as string);
    if (job && isPending(job.status)) yield { job, i };
  }
}

const poolOf = (state: Readonly<State>, job: JobState) => state.groups.get(job.group)?.pool ?? null;

/** What the forecaster answered, or the problem: busy, refused planned changes, a failed worker. */
async function forecastOf(forecaster: Forecaster, changes: readonly Command[] | null): Promise<Result<ForecastResult>> {
  let outcome: ForecastOutcome;
  try {
    outcome = await forecaster.forecast(changes);
  } catch (e) {
    if (e instanceof ForecastBusyError) return bad(problem(503, 'forecast-busy', e.message));
    throw e;
  }
  if (outcome.ok) return good(outcome.value);
  const r = outcome.rejection;
  // The core's message starts with the change it refuses (`changes[2] (CordonNode): ...`).
  const index = /^changes\[(\d+)\]/.exec(r.message)?.[1];
  return bad(
    problem(409, r.code, r.message, {
      details: index === undefined ? {} : { field: `body.changes[${index}]`, index: Number(index) },
    }),
  );
}

/** The planned changes of a what-if body, each decoded by its command's codec; issues name `body.changes[i]...`. */
export function plannedChanges(body: Record<string, unknown>): Result<Command[]> {
  const changes = body.changes;
  if (!Array.isArray(changes)) {
    return bad(invalidInput([{ path: 'body.changes', expected: 'an array of planned changes', actual: describeValue(changes) }]));
  }
  if (changes.length > MAX_PLANNED_CHANGES) {
    return bad(
      invalidInput([
        { path: 'body.changes', expected: `at most ${MAX_PLANNED_CHANGES} changes`, actual: `${changes.length} changes` },
      ]),
    );
  }
  const issues: DecodeIssue[] = [];
  const out: Command[] = [];
  changes.forEach((c: unknown, i) => {
    const at = `body.changes[${i}]`;
    if (c === null || typeof c !== 'object' || Array.isArray(c)) {
      issues.push({ path: at, expected: 'a planned change (an object with its type)', actual: describeValue(c) });
      return;
    }
    const type = (c as { type?: unknown }).type;
    if (typeof type !== 'string' || !(WHAT_IF_COMMANDS as readonly string[]).includes(type)) {
      issues.push({ path: `${at}.type`, expected: `one of ${WHAT_IF_COMMANDS.join(', ')}`, actual: describeValue(type) });
      return;
    }
    // A planned change applies now, and is never recorded: no time or command id of its own.
    for (const k of ['at', 'commandId']) {
      if (k in c)
        issues.push({
          path: `${at}.${k}`,
          expected: 'absent (a planned change applies now)',
          actual: describeValue(c[k as keyof typeof c]),
        });
    }
    const decoded = decodeCommand(c);
    if (!decoded.ok) {
      for (const issue of decoded.issues) {
        const field = issue.path.startsWith(`${type}.`) ? issue.path.slice(type.length + 1) : issue.path;
        issues.push({ ...issue, path: field === '' || field === type ? at : `${at}.${field}` });
      }
      return;
    }
    out.push(decoded.value);
  });
  return issues.length > 0 ? bad(invalidInput(issues)) : good(out);
}

// -- routes --------------------------------------------------------------------------------------

export function forecastRoutes(ctx: HttpContext, forecaster: Forecaster) {
  return async (app: FastifyInstance) => {
    const user = { access: 'user' as const };
    const operator = { access: 'operator' as const };
    const send = async (reply: FastifyReply, r: Promise<Result<unknown>>) => answer(reply, await r);

    app.get(
      '/pools/:poolId/forecast',
      {
        config: user,
        schema: {
          tags: ['pools'],
          summary: 'When will they start? The pool’s waiting jobs with their predicted start and wait (an estimate)',
          description:
            'Jobs run their expected duration, or their kind’s typical one (the median of recently finished jobs), and nothing new arrives. Soonest first, in pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many wait. Jobs the caller may not see keep their place, without saying whose they are.',
          params: idParams('poolId'),
          querystring: { type: 'object', properties: { ...PAGE_QUERY } },
          response: { ...success(poolForecastSchema, true), ...errors(400, 403, 404, 503) },
        },
      },
      (req, reply) =>
        send(
          reply,
          (async (): Promise<Result<unknown>> => {
            const poolId = (req.params as { poolId: string }).poolId;
            const state = ctx.engine.current;
            if (!state.pools.has(poolId)) return bad(notFound(`pool '${poolId}'`));
            if (!canSeePool(req.principal, state, poolId)) return bad(forbidden('you may read only your own group’s pool'));
            const page = pageQuery(req);
            if (!page.ok) return page;
            const f = await forecastOf(forecaster, null);
            if (!f.ok) return f;
            const now = ctx.engine.current;
            const rows: { job: JobState; start: number | null; i: number }[] = [];
            for (const { job, i } of waitingIn(now, f.value)) {
              if (poolOf(now, job) === poolId) rows.push({ job, start: startOf(f.value.before[i] as number), i });
            }
            // Soonest first; jobs with no start within the horizon last; ties in submission order.
            rows.sort((a, b) => (a.start ?? Number.POSITIVE_INFINITY) - (b.start ?? Number.POSITIVE_INFINITY) || a.i - b.i);
            reply.header('x-total-count', String(rows.length));
            const jobs = rows.slice(page.value.offset, page.value.offset + page.value.limit).map(({ job, start }) => {
              const wait = { startAt: start, waitSeconds: start === null ? null : start - f.value.now };
              return canSeeJob(req.principal, job) ? { job: jobRef(job), ...wait } : { hidden: true, gpus: job.gpus, ...wait };
            });
            return good({ ...header(f.value), poolId, jobs });
          })(),
        ),
    );

    app.get(
      '/jobs/:jobId/forecast',
      {
        config: user,
        schema: {
          tags: ['jobs'],
          summary: 'When will it start? A waiting job’s predicted start and wait (an estimate)',
          params: idParams('jobId'),
          querystring: { type: 'object', properties: { group: { type: 'string', description: 'the job’s group' } } },
          response: { ...success(jobForecastSchema, false), ...errors(400, 404, 409, 503) },
        },
      },
      (req, reply) =>
        send(
          reply,
          (async (): Promise<Result<unknown>> => {
            const group = (req.query as { group?: unknown }).group;
            const name = (req.params as { jobId: string }).jobId;
            const found = resolveJob(
              req.principal,
              ctx.engine.current,
              ctx.engine.archive,
              name,
              typeof group === 'string' ? group : undefined,
            );
            if (!found.ok) return found;
            const job = found.value;
            const about = { jobId: job.id, name: jobName(job), group: job.group, status: job.status };
            if (!isPending(job.status)) {
              return good({ estimate: true, ...about, waiting: false, startAt: job.allocatedAt, waitSeconds: null });
            }
            const f = await forecastOf(forecaster, null);
            if (!f.ok) return f;
            let start: number | null = null;
            for (const { job: j, i } of waitingIn(ctx.engine.current, f.value)) {
              if (j.id === job.id) start = startOf(f.value.before[i] as number);
            }
            return good({
              ...header(f.value),
              ...about,
              waiting: true,
              startAt: start,
              waitSeconds: start === null ? null : start - f.value.now,
            });
          })(),
        ),
    );

    app.post(
      '/forecast/what-if',
      {
        config: operator,
        schema: {
          tags: ['pools'],
          summary: 'What if? Every waiting job’s predicted wait before and after planned changes (an estimate; nothing changes)',
          description:
            'Move GPUs between pools, change a pool’s policy, cordon a node: the changes are applied to a copy of the cluster, which is then played forward as for a forecast. A change the cluster would refuse is answered 409 naming it (`details.field`). `pool` narrows the jobs to that pool’s; `limit` (default 100, at most 1000) and `offset` page them; the summary covers them all.',
          body: whatIfBody,
          querystring: {
            type: 'object',
            properties: { ...PAGE_QUERY, pool: { type: 'string', description: 'only this pool’s jobs' } },
          },
          response: { ...success(whatIfSchema, true), ...errors(400, 403, 409, 503) },
        },
      },
      (req: FastifyRequest, reply) =>
        send(
          reply,
          (async (): Promise<Result<unknown>> => {
            const body = bodyObject(req);
            if (!body.ok) return body;
            const changes = plannedChanges(body.value);
            if (!changes.ok) return changes;
            const page = pageQuery(req);
            if (!page.ok) return page;
            const pool = (req.query as { pool?: unknown }).pool;
            const f = await forecastOf(forecaster, changes.value);
            if (!f.ok) return f;
            const after = f.value.after as Float64Array;
            const now = ctx.engine.current;
            const { offset, limit } = page.value;
            const rows = [];
            let n = 0;
            let sooner = 0;
            let later = 0;
            let unchanged = 0;
            const sums = { before: [0, 0], after: [0, 0] };
            for (const { job, i } of waitingIn(now, f.value)) {
              const jobPool = poolOf(now, job);
              if (typeof pool === 'string' && jobPool !== pool) continue;
              const b = startOf(f.value.before[i] as number);
              const a = startOf(after[i] as number);
              if (a === b) unchanged++;
              else if (b === null || (a !== null && a < b)) sooner++;
              else later++;
              if (b !== null) sums.before = [(sums.before[0] as number) + b - f.value.now, (sums.before[1] as number) + 1];
              if (a !== null) sums.after = [(sums.after[0] as number) + a - f.value.now, (sums.after[1] as number) + 1];
              // The summary counts every job; only the page's become rows.
              if (n++ < offset || rows.length >= limit) continue;
              rows.push({
                job: jobRef(job),
                pool: jobPool,
                before: { startAt: b, waitSeconds: b === null ? null : b - f.value.now },
                after: { startAt: a, waitSeconds: a === null ? null : a - f.value.now },
                deltaSeconds: a === null || b === null ? null : a - b,
              });
            }
            const mean = ([total, n]: number[]) => ((n as number) === 0 ? null : (total as number) / (n as number));
            reply.header('x-total-count', String(n));
            return good({
              ...header(f.value),
              summary: {
                jobs: n,
                sooner,
                later,
                unchanged,
                neverBefore: n - (sums.before[1] as number),
                neverAfter: n - (sums.after[1] as number),
                meanWaitBefore: mean(sums.before),
                meanWaitAfter: mean(sums.after),
              },
              jobs: rows,
            });
          })(),
        ),
    );
  };
}
