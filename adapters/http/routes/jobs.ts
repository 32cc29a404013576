/**
 * Jobs: submit (every kind), list with filters and visibility, read with history, stop, clone
 * and rerun, and why a job waits. A data scientist works on their own jobs and sees what their
 * group shares; any other job answers 404, as if it did not exist.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommandType } from '../../../core/commands.js';
import { JOB_KINDS, JOB_STATUSES, type JobState, type JobStatus } from '../../../core/model.js';
import { explainJob, listJobs } from '../../../core/queries.js';
import { canSeeJob, inVisibility, isOperator, type Visibility } from '../access.js';
import {
  answer,
  bad,
  bodyObject,
  good,
  type HttpContext,
  idempotencyScope,
  type Result,
  reading,
  runCommand,
  stateFor,
} from '../context.js';
import { commandBody, errors, idempotencyHeader, idParams, timeTravelQuery } from '../openapi.js';
import { forbidden, invalidInput, notFound } from '../problem.js';

/** A job as the API shows it: everything but the internal submission sequence number. */
export function jobView(job: JobState): Omit<JobState, 'seq'> {
  const { seq: _seq, ...view } = job;
  return view;
}

const VISIBILITIES: readonly Visibility[] = ['mine', 'shared', 'all'];
const MAX_LIMIT = 1000;

interface ListQuery {
  status?: JobStatus[];
  kind?: JobState['kind'];
  tag?: string;
  owner?: string;
  visibility: Visibility;
  limit: number;
  offset: number;
}

/** The list's query string, checked field by field. */
function listQuery(q: Record<string, unknown>): Result<ListQuery> {
  const issues: { path: string; expected: string; actual: string }[] = [];
  const str = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : undefined);
  const statuses = str('status')?.split(',');
  if (statuses?.some((s) => !(JOB_STATUSES as readonly string[]).includes(s))) {
    issues.push({
      path: 'query.status',
      expected: `a comma-separated list of ${JOB_STATUSES.join(', ')}`,
      actual: String(q.status),
    });
  }
  const kind = str('kind');
  if (kind !== undefined && !(JOB_KINDS as readonly string[]).includes(kind)) {
    issues.push({ path: 'query.kind', expected: `one of ${JOB_KINDS.join(', ')}`, actual: kind });
  }
  const visibility = (str('visibility') ?? 'all') as Visibility;
  if (!VISIBILITIES.includes(visibility)) {
    issues.push({ path: 'query.visibility', expected: 'one of mine, shared, all', actual: String(q.visibility) });
  }
  const int = (k: string, dflt: number, max: number) => {
    const v = str(k);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > max) issues.push({ path: `query.${k}`, expected: `an integer from 0 to ${max}`, actual: v });
    return n;
  };
  const limit = int('limit', 100, MAX_LIMIT);
  const offset = int('offset', 0, Number.MAX_SAFE_INTEGER);
  if (issues.length > 0) return bad(invalidInput(issues));
  const out: ListQuery = { visibility, limit, offset };
  if (statuses) out.status = statuses as JobStatus[];
  if (kind) out.kind = kind as JobState['kind'];
  const tag = str('tag');
  if (tag !== undefined) out.tag = tag;
  const owner = str('owner');
  if (owner !== undefined) out.owner = owner;
  return good(out);
}

export function jobRoutes(ctx: HttpContext) {
  return async (app: FastifyInstance) => {
    const user = { access: 'user' as const };

    /** The job if the caller may see it in `state`; else 404 either way. */
    const visibleJob = (req: FastifyRequest, state: { jobs: ReadonlyMap<string, JobState> }, id: string) => {
      const job = state.jobs.get(id);
      return job && canSeeJob(req.principal, job) ? good(job) : bad<JobState>(notFound(`job '${id}'`));
    };
    /** The job may be changed by the caller: it is theirs, or they are an operator. */
    const ownJob = (req: FastifyRequest, id: string): Result<JobState> => {
      const job = visibleJob(req, ctx.engine.current, id);
      if (!job.ok) return job;
      if (!isOperator(req.principal) && job.value.owner !== req.principal.userId) {
        return bad(forbidden(`job '${id}' is ${job.value.owner}'s; you may stop and clone only your own jobs`));
      }
      return job;
    };

    /** Run a job command (`path`: its fields the URL names); answer with the job (its `jobId`) after it. */
    const runJobCommand = async (
      req: FastifyRequest,
      reply: FastifyReply,
      command: Record<string, unknown> & { type: CommandType; jobId: unknown },
      path: string[],
      status: number,
    ) => {
      const r = await runCommand(ctx, req, command.type, command, path);
      if (!r.ok) return answer(reply, r);
      // The command decoded, so its job id is a name (until then it is whatever the body held).
      const jobId = command.jobId as string;
      if (r.value.duplicate) reply.header('idempotent-replayed', 'true');
      const job = ctx.engine.job(jobId);
      if (status === 201) reply.header('location', `/api/v1/jobs/${encodeURIComponent(jobId)}`);
      return answer(reply, job ? good(jobView(job)) : bad(notFound(`job '${jobId}'`)), status);
    };

    /**
     * A new job's id: the body's, else one derived from the Idempotency-Key (so a retry names the
     * same job), else a fresh one.
     */
    const newJobId = (req: FastifyRequest, body: Record<string, unknown>) => {
      if (body.jobId !== undefined) return body.jobId;
      const scope = idempotencyScope(req);
      return scope.ok && scope.value !== undefined ? `job-${scope.value}` : ctx.newJobId();
    };

    app.post(
      '/jobs',
      {
        config: user,
        schema: {
          tags: ['jobs'],
          summary: 'Submit a job of any kind: it starts at once if its group’s pool has the GPUs, else it waits',
          description:
            'A data scientist submits for themselves; an operator may name another owner. `jobId` defaults to a fresh id (or one derived from the Idempotency-Key).',
          body: commandBody('SubmitJob', { optional: ['jobId', 'owner'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409, 413),
        },
      },
      async (req, reply) => {
        const body = bodyObject(req);
        if (!body.ok) return answer(reply, body);
        const owner = body.value.owner ?? req.principal.userId;
        if (owner !== req.principal.userId && !isOperator(req.principal)) {
          return answer(reply, bad(forbidden('you may submit jobs only for yourself')));
        }
        const jobId = newJobId(req, body.value);
        return runJobCommand(req, reply, { ...body.value, type: 'SubmitJob', jobId, owner }, [], 201);
      },
    );

    app.get(
      '/jobs',
      {
        config: user,
        schema: {
          tags: ['jobs'],
          summary: 'List jobs, oldest first',
          querystring: timeTravelQuery({
            status: { type: 'string', description: `comma-separated statuses: ${JOB_STATUSES.join(', ')}` },
            kind: { type: 'string', enum: [...JOB_KINDS] },
            tag: { type: 'string' },
            owner: { type: 'string' },
            visibility: {
              type: 'string',
              enum: VISIBILITIES,
              default: 'all',
              description: 'mine: yours; shared: your group’s shared jobs; all: every job you may see',
            },
            limit: { type: 'integer', minimum: 0, maximum: MAX_LIMIT, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          }),
          response: errors(400),
        },
      },
      async (req, reply) => {
        const q = listQuery((req.query ?? {}) as Record<string, unknown>);
        if (!q.ok) return answer(reply, q);
        const s = await stateFor(ctx, req);
        if (!s.ok) return answer(reply, s);
        const { visibility, limit, offset, ...filter } = q.value;
        const jobs = listJobs(s.value, filter).filter((j) => inVisibility(req.principal, j, visibility));
        reply.header('x-total-count', String(jobs.length));
        return answer(reply, good(jobs.slice(offset, offset + limit).map(jobView)));
      },
    );

    app.get(
      '/jobs/:jobId',
      {
        config: user,
        schema: {
          tags: ['jobs'],
          summary: 'A job with its history',
          params: idParams('jobId'),
          querystring: timeTravelQuery(),
          response: errors(400, 404),
        },
      },
      reading(ctx, (state, req) => {
        const job = visibleJob(req, state, (req.params as { jobId: string }).jobId);
        return job.ok ? good(jobView(job.value)) : job;
      }),
    );

    app.get(
      '/jobs/:jobId/explain',
      {
        config: user,
        schema: {
          tags: ['jobs'],
          summary: 'Why a job waits: what it needs, what is free, and the rule that holds it (null when it does not wait)',
          params: idParams('jobId'),
          querystring: timeTravelQuery(),
          response: errors(400, 404),
        },
      },
      reading(ctx, (state, req) => {
        const job = visibleJob(req, state, (req.params as { jobId: string }).jobId);
        if (!job.ok) return job;
        return good({ jobId: job.value.id, status: job.value.status, reason: explainJob(state, job.value.id) });
      }),
    );

    app.post(
      '/jobs/:jobId/stop',
      {
        config: user,
        schema: {
          tags: ['jobs'],
          summary: 'Stop a job: a waiting one at once, a running one through the runtime',
          params: idParams('jobId'),
          headers: idempotencyHeader,
          response: errors(403, 404, 409),
        },
      },
      async (req, reply) => {
        const jobId = (req.params as { jobId: string }).jobId;
        const job = ownJob(req, jobId);
        if (!job.ok) return answer(reply, job);
        return runJobCommand(req, reply, { type: 'StopJob', jobId }, ['jobId'], 200);
      },
    );

    app.post(
      '/jobs/:jobId/clone',
      {
        config: user,
        schema: {
          tags: ['jobs'],
          summary: 'Clone a job (rerun one that ended in Error): a new job with the same request',
          params: idParams('jobId'),
          body: { type: 'object', properties: { jobId: { type: 'string', description: 'the new job’s id (default: fresh)' } } },
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      async (req, reply) => {
        const sourceJobId = (req.params as { jobId: string }).jobId;
        const source = ownJob(req, sourceJobId);
        if (!source.ok) return answer(reply, source);
        const body = bodyObject(req);
        if (!body.ok) return answer(reply, body);
        const jobId = newJobId(req, body.value);
        return runJobCommand(
          req,
          reply,
          { type: 'CloneJob', jobId, sourceJobId, owner: req.principal.userId },
          ['sourceJobId'],
          201,
        );
      },
    );
  };
}
