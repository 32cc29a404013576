/**
 * Jobs: submit (every kind), list with filters and visibility, read with history, stop, clone
 * and rerun, and why a job waits. A data scientist works on their own jobs and sees what their
 * group shares; any other job answers 404, as if it did not exist.
 *
 * Names are scoped to the group, as Kubernetes scopes names to a namespace: two groups may both
 * have a job named `nightly`, and neither learns of the other's. A job submitted here is the
 * core's job `<group>/<name>` (its `id`, which events carry); URLs name it by its `name`, looked
 * up in the caller's group unless `?group=` names another (see resolveJob).
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AssetCommandOf } from '../../../core/assets/commands.js';
import {
  checkOutput,
  type InputsRequest,
  InputsRequestCodec,
  OutputRequestCodec,
  pinInputs,
  pinnedRefs,
} from '../../../core/assets/inputs.js';
import { assetIdOf, type Viewer } from '../../../core/assets/model.js';
import type { CommandType, JobInputs, JobOutput } from '../../../core/cluster/commands.js';
import { findJob, type JobArchive, type JobPage, type JobQuery, jobPage } from '../../../core/cluster/job-archive.js';
import { isPending, JOB_KINDS, JOB_STATUSES, type JobState, type JobStatus, type State } from '../../../core/cluster/model.js';
import { NodeAffinityCodec } from '../../../core/cluster/node-affinity.js';
import { type JobFilter, jobQuery, type ReasonReader, reasonReader } from '../../../core/cluster/queries.js';
import { type DecodeIssue, decodeWith, describeValue } from '../../../core/codec.js';
import * as E from '../../../core/vendor/either.js';
import { canSeeJob, isOperator, type Principal, type Visibility } from '../access.js';
import {
  answer,
  bad,
  bodyObject,
  good,
  type HttpContext,
  idempotencyScope,
  queryInteger,
  type Result,
  reading,
  runCommand,
  stateFor,
} from '../context.js';
import { type JobLogSource, type LogAnswer, NO_JOB_LOGS } from '../job-logs.js';
import { jsonSchemaOf } from '../json-schema.js';
import { resolveName, scopedId } from '../names.js';
import { commandBody, errors, idempotencyHeader, idParams, timeTravelQuery } from '../openapi.js';
import { forbidden, invalidInput, notFound, type Problem, problem, rejected } from '../problem.js';
import { resolveAsset } from './assets.js';

/** The core id of the job named `name` in `group`. */
export const qualifiedJobId = (group: string, name: string): string => `${group}/${name}`;

/** A job's name in its group: its id without the group's prefix (a job made in code may have none). */
export function jobName(job: Pick<JobState, 'id' | 'group'>): string {
  const prefix = `${job.group}/`;
  return job.id.startsWith(prefix) ? job.id.slice(prefix.length) : job.id;
}

export type JobView = Omit<JobState, 'seq'> & { name: string };

/**
 * A job as the API shows it: everything but the internal submission sequence number, with its
 * name, and for a waiting job its live reason (the stored one describes the moment it was first
 * held back; pools change after).
 */
export function jobView(job: JobState, reasonOf: ReasonReader): JobView {
  const { seq: _seq, ...rest } = job;
  // A job archived before node selectors (or affinities) existed has none.
  const view: JobView = {
    ...rest,
    nodeSelector: job.nodeSelector ?? null,
    nodeAffinity: job.nodeAffinity ?? null,
    name: jobName(job),
  };
  if (isPending(job.status)) view.reason = reasonOf(job) ?? job.reason;
  return view;
}

const VISIBILITIES: readonly Visibility[] = ['mine', 'shared', 'all'];
const MAX_LIMIT = 1000;
/** The most lines a log may be asked for by its tail (as many as a screen could ever want). */
const MAX_TAIL_LINES = 100_000;
/**
 * The most of a log one answer holds (bytes): the server holds an answer whole before it sends it,
 * and a log may be gigabytes. More is read with `tailLines` (its end) or from the runtime itself.
 */
export const MAX_LOG_BYTES = 8 * 2 ** 20;

/** A log as JSON: its text, or null and why there is none (the code and detail a text/plain answer's problem has). */
const LOG_VIEW = {
  type: 'object',
  required: ['worker', 'text', 'truncated', 'missing'],
  properties: {
    worker: { type: 'integer' },
    text: { type: ['string', 'null'] },
    truncated: { type: 'boolean', description: 'cut at limitBytes: there is more after the text' },
    missing: {
      type: ['object', 'null'],
      required: ['code', 'detail'],
      properties: {
        code: { type: 'string', enum: ['job-not-started', 'logs-gone', 'logs-unavailable'] },
        detail: { type: 'string' },
      },
    },
  },
} as const;

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
  const issues: DecodeIssue[] = [];
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
  const limit = queryInteger(q, 'limit', 0, MAX_LIMIT, issues) ?? 100;
  const offset = queryInteger(q, 'offset', 0, Number.MAX_SAFE_INTEGER, issues) ?? 0;
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

export function jobRoutes(ctx: HttpContext, logs: JobLogSource = NO_JOB_LOGS) {
  return async (app: FastifyInstance) => {
    const user = { access: 'user' as const };

    /** The job the URL names, if the caller may see it in `state` (see resolveJob). */
    const visibleJob = (req: FastifyRequest, state: Readonly<State>): Result<JobState> =>
      resolveJob(req.principal, state, ctx.engine.archive, (req.params as { jobId: string }).jobId, groupQuery(req));
    /** The job the URL names, if the caller may change it: it is theirs, or they are an operator. */
    const ownJob = (req: FastifyRequest): Result<JobState> => {
      const job = visibleJob(req, ctx.engine.current);
      if (!job.ok) return job;
      if (!isOperator(req.principal) && job.value.owner !== req.principal.userId) {
        return bad(forbidden(`job '${jobName(job.value)}' is ${job.value.owner}'s; you may stop and clone only your own jobs`));
      }
      return job;
    };

    /** Run a job command; answer with the job (`jobId`, the core id) after it. */
    const runJobCommand = async (
      req: FastifyRequest,
      reply: FastifyReply,
      command: Record<string, unknown> & { type: CommandType; jobId: string },
      path: string[],
      status: number,
    ) => {
      const r = await runCommand(ctx, req, command.type, command, path);
      if (!r.ok) return answer(reply, r);
      if (r.value.duplicate) reply.header('idempotent-replayed', 'true');
      const state = ctx.engine.current;
      const job = findJob(state, ctx.engine.archive, command.jobId);
      if (job && status === 201) reply.header('location', jobLocation(job));
      if (job?.inputs && status === 201) void recordUses(ctx, job.id, job.inputs);
      return answer(reply, job ? good(jobView(job, reasonReader(state))) : bad(notFound(`job '${command.jobId}'`)), status);
    };

    /**
     * Clone `sourceJobId` as a new job of the caller's (named by the body's `jobId`, else as a new
     * submission is), with the body's fields named in `overrides` changing the request.
     */
    const cloneAs = (
      req: FastifyRequest,
      reply: FastifyReply,
      sourceJobId: string,
      overrides: readonly string[],
      path: string[],
    ) => {
      const body = bodyObject(req);
      if (!body.ok) return answer(reply, body);
      const owner = req.principal.userId;
      const jobId = newJobId(req, body.value, owner);
      if (!jobId.ok) return answer(reply, jobId);
      const changes = Object.fromEntries(overrides.flatMap((k) => (body.value[k] === undefined ? [] : [[k, body.value[k]]])));
      return runJobCommand(req, reply, { ...changes, type: 'CloneJob', jobId: jobId.value, sourceJobId, owner }, path, 201);
    };

    /**
     * A new job's core id: `<group>/<name>`, the name from the body, else one derived from the
     * Idempotency-Key (so a retry names the same job), else a fresh one; the group is the owner's.
     */
    const newJobId = (req: FastifyRequest, body: Record<string, unknown>, owner: unknown): Result<string> => {
      const scope = idempotencyScope(req);
      const name =
        body.jobId !== undefined ? body.jobId : scope.ok && scope.value !== undefined ? `job-${scope.value}` : ctx.newJobId();
      const group = (typeof owner === 'string' && ctx.engine.current.users.get(owner)?.group) || req.principal.group;
      return jobIdIn(group, name);
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
          body: submitBody,
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
        const jobId = newJobId(req, body.value, owner);
        if (!jobId.ok) return answer(reply, jobId);
        // Shared with the owner's group unless marked private (or `shared: false`), as everything a
        // member creates is.
        const { private: hidden, ...rest } = body.value;
        if (hidden !== undefined && typeof hidden !== 'boolean') {
          return answer(
            reply,
            bad(invalidInput([{ path: 'body.private', expected: 'a boolean', actual: describeValue(hidden) }])),
          );
        }
        const fields: Record<string, unknown> = {
          ...rest,
          shared: hidden === true ? false : (rest.shared ?? true),
          type: 'SubmitJob',
          jobId: jobId.value,
          owner,
        };
        // An owner that is no user id is the command codec's to report, below.
        if (body.value.inputs !== undefined && typeof owner === 'string') {
          const pinned = pinRequestedInputs(ctx, body.value.inputs, owner);
          if (!pinned.ok) return answer(reply, pinned);
          fields.inputs = pinned.value;
        }
        if (body.value.output !== undefined && typeof owner === 'string') {
          const output = checkRequestedOutput(ctx, body.value.output, owner);
          if (!output.ok) return answer(reply, output);
          fields.output = output.value;
        }
        return runJobCommand(req, reply, fields as Record<string, unknown> & { type: CommandType; jobId: string }, [], 201);
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
        const page = visibleJobs(s.value, ctx.engine.archive, req.principal, visibility, filter, { offset, limit });
        reply.header('x-total-count', String(page.total));
        const reasons = reasonReader(s.value);
        return answer(reply, good(page.jobs.map((j) => jobView(j, reasons))));
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
        const job = visibleJob(req, state);
        return job.ok ? good(jobView(job.value, reasonReader(state))) : job;
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
        const job = visibleJob(req, state);
        if (!job.ok) return job;
        const { id, group, status } = job.value;
        return good({ jobId: id, name: jobName(job.value), group, status, reason: reasonReader(state)(job.value) });
      }),
    );

    app.get(
      '/jobs/:jobId/logs',
      {
        config: user,
        schema: {
          tags: ['jobs'],
          summary: 'A worker’s log, as the runtime has it now: text/plain, or JSON saying why there is none',
          description:
            'The log of one worker of a job that has started (on Kubernetes, its pod’s main container). As text/plain ' +
            '(the default), a missing log is a problem: 409 job-not-started while the job waits; 404 logs-gone when ' +
            'the runtime no longer has it (a pod deleted once its job ended), logs-unavailable when the runtime keeps ' +
            'none (the simulated runtime) or the job ended without starting. Asked for application/json, the answer ' +
            'is 200 either way: the text, or null and what is missing (a page reading it expects either).',
          params: idParams('jobId'),
          querystring: {
            type: 'object',
            properties: {
              worker: { type: 'integer', minimum: 0, default: 0, description: 'which worker (0 for a single-worker job)' },
              tailLines: { type: 'integer', minimum: 1, maximum: MAX_TAIL_LINES, description: 'only its last lines' },
              limitBytes: {
                type: 'integer',
                minimum: 1,
                maximum: MAX_LOG_BYTES,
                default: MAX_LOG_BYTES,
                description: 'at most this many bytes of them, from the first (X-Log-Truncated: true when cut)',
              },
            },
          },
          response: {
            200: {
              description: 'the log',
              content: {
                'text/plain': { schema: { type: 'string' } },
                'application/json': { schema: LOG_VIEW },
              },
            },
            ...errors(400, 404, 409, 503),
          },
        },
      },
      async (req, reply) => {
        const job = visibleJob(req, ctx.engine.current);
        if (!job.ok) return answer(reply, job);
        const { workers, allocation, endedAt } = job.value;
        const name = jobName(job.value);
        const q = (req.query ?? {}) as Record<string, unknown>;
        const issues: DecodeIssue[] = [];
        const worker = queryInteger(q, 'worker', 0, Number.MAX_SAFE_INTEGER, issues) ?? 0;
        const tailLines = queryInteger(q, 'tailLines', 1, MAX_TAIL_LINES, issues) ?? null;
        const limitBytes = queryInteger(q, 'limitBytes', 1, MAX_LOG_BYTES, issues) ?? MAX_LOG_BYTES;
        if (issues.length === 0 && worker >= workers) {
          issues.push({
            path: 'query.worker',
            expected: `a worker of job '${name}': 0 to ${workers - 1}`,
            actual: String(worker),
          });
        }
        if (issues.length > 0) return answer(reply, bad(invalidInput(issues)));
        const json = (req.headers.accept ?? '').includes('application/json');
        /** The log's text, or why there is none: a problem as text/plain, a value as JSON. */
        const send = (text: string | null, truncated: boolean, missing: Problem | null) => {
          if (json) {
            return reply
              .type('application/json')
              .send({ worker, text, truncated, missing: missing && { code: missing.code, detail: missing.detail } });
          }
          if (missing) return answer(reply, bad(missing));
          return reply.header('x-log-truncated', String(truncated)).type('text/plain; charset=utf-8').send(text);
        };
        if (allocation === null) {
          return send(
            null,
            false,
            endedAt === null
              ? problem(
                  409,
                  'job-not-started',
                  `job '${name}' has not started (${job.value.status}): it has no log until it does`,
                )
              : problem(404, 'logs-unavailable', `job '${name}' ended without starting: it has no log`),
          );
        }
        let log: LogAnswer;
        try {
          log = await logs.read(job.value, { worker, tailLines, limitBytes });
        } catch (e) {
          return answer(reply, bad(problem(503, 'logs-unreadable', (e as Error).message)));
        }
        return log.ok
          ? send(log.text, log.truncated, null)
          : send(null, false, problem(404, log.gone ? 'logs-gone' : 'logs-unavailable', log.message));
      },
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
        const job = ownJob(req);
        if (!job.ok) return answer(reply, job);
        return runJobCommand(req, reply, { type: 'StopJob', jobId: job.value.id }, ['jobId'], 200);
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
          body: {
            type: 'object',
            properties: {
              jobId: { type: 'string', description: 'the new job’s name (default: fresh)' },
              gpuType: { type: 'string', description: 'run on this GPU type (default: the source’s, else the type it ran on)' },
              gpus: { type: 'integer', minimum: 0, description: 'default: the source’s' },
              workers: { type: 'integer', minimum: 1, description: 'default: the source’s' },
              nodeSelector: {
                type: 'object',
                additionalProperties: { type: 'string' },
                description: 'run only on nodes with these labels (default: the source’s; {} for any node)',
              },
              nodeAffinity: {
                ...NodeAffinityCodec.jsonSchema,
                description: 'run only on nodes satisfying one of these node selector terms (default: the source’s; [] for none)',
              },
            },
          },
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      async (req, reply) => {
        const source = ownJob(req);
        if (!source.ok) return answer(reply, source);
        return cloneAs(
          req,
          reply,
          source.value.id,
          ['gpuType', 'gpus', 'workers', 'nodeSelector', 'nodeAffinity'],
          ['sourceJobId'],
        );
      },
    );

    app.post(
      '/models/:name/versions/:version/reproduce',
      {
        config: user,
        schema: {
          tags: ['models'],
          summary:
            'Reproduce a model version: a new training job with exactly the request and pinned inputs of the job that made it (its output the same model)',
          params: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' } } },
          body: { type: 'object', properties: { jobId: { type: 'string', description: 'the new job’s name (default: fresh)' } } },
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      async (req, reply) => {
        const { name, version } = req.params as { name: string; version: string };
        const model = resolveAsset(req.principal, ctx.assets.current, 'model', name, groupQuery(req));
        if (!model.ok) return answer(reply, model);
        const v = /^[1-9]\d*$/.test(version) ? model.value.versions[Number(version) - 1] : undefined;
        if (!v) return answer(reply, bad(notFound(`version ${version} of model '${model.value.id}'`)));
        const madeBy = v.lineage?.job;
        if (!madeBy) {
          return answer(
            reply,
            bad(
              problem(
                409,
                'invalid-transition',
                `version ${v.version} of model '${model.value.id}' was not made by a job here: nothing to reproduce`,
              ),
            ),
          );
        }
        // The job that made it, as the caller may see it: its request is what is reproduced.
        const source = resolveJob(req.principal, ctx.engine.current, ctx.engine.archive, madeBy);
        if (!source.ok) return answer(reply, source);
        return cloneAs(req, reply, source.value.id, [], []);
      },
    );
  };
}

/** Where a job is addressed: by its name, with its group. */
export function jobLocation(job: Pick<JobState, 'id' | 'group'>): string {
  return `/api/v1/jobs/${encodeURIComponent(jobName(job))}?group=${encodeURIComponent(job.group)}`;
}

function groupQuery(req: FastifyRequest): string | undefined {
  const g = (req.query as Record<string, unknown> | undefined)?.group;
  return typeof g === 'string' ? g : undefined;
}

/** The core id of a job named `name` in `group`, if the name is one (names.ts). */
export function jobIdIn(group: string, name: unknown): Result<string> {
  return scopedId('a job', group, name, 'body.jobId');
}

/** The job a URL names, as the caller sees it (names.ts resolveName; a job made in code may be named by its id). */
export function resolveJob(
  p: Principal,
  state: Readonly<State>,
  archive: JobArchive | null,
  name: string,
  group?: string,
): Result<JobState> {
  const visible = (id: string) => {
    const job = findJob(state, archive, id);
    return job !== undefined && canSeeJob(p, job) ? job : undefined;
  };
  return resolveName(
    {
      what: 'job',
      inGroup: (g) => visible(qualifiedJobId(g, name)),
      unscoped: () => visible(name),
      // Groups that hold jobs: today's, the unfinished jobs' and the archive's (a deleted group's jobs stay).
      groups: () => new Set([...state.groups.keys(), ...state.unfinished.keys(), ...(archive?.groups() ?? [])]),
      ambiguous: 'ambiguous-job-name',
    },
    p.group,
    name,
    group,
  );
}

/**
 * A page of the jobs a caller may see that match the filter, in submission order, unfinished and
 * finished. A data scientist's list reads only their own jobs and their group's shared ones (the
 * state's indexes, the archive's), so it costs what they can see, not what the cluster holds.
 */
export function visibleJobs(
  state: Readonly<State>,
  archive: JobArchive | null,
  p: Principal,
  visibility: Visibility,
  filter: JobFilter,
  page: { offset: number; limit: number } = { offset: 0, limit: Number.POSITIVE_INFINITY },
): JobPage {
  const q = jobQuery(filter);
  if (isOperator(p) && visibility === 'all') return jobPage(state, archive, [q], page);
  const queries: JobQuery[] = [];
  // Yours, unless the filter names another owner.
  if (visibility !== 'shared' && (filter.owner === undefined || filter.owner === p.userId)) {
    queries.push({ ...q, owner: p.userId });
  }
  // Your group's shared jobs of others (an operator's `shared` is the same).
  if (visibility !== 'mine' && filter.owner !== p.userId) {
    queries.push({ ...q, group: p.group, shared: true, notOwner: p.userId });
  }
  return jobPage(state, archive, queries, page);
}

/** POST /jobs's body: SubmitJob's, with `inputs` as a submission names them (versions optional). */
const submitBody = (() => {
  const body = commandBody('SubmitJob', { optional: ['jobId', 'owner'] });
  const properties = {
    ...(body.properties as Record<string, unknown>),
    inputs: jsonSchemaOf(InputsRequestCodec),
    output: jsonSchemaOf(OutputRequestCodec),
    private: {
      type: 'boolean',
      description: 'visible to its owner (and operators) only; default: shared with the owner’s group',
    },
  };
  return { ...body, properties };
})();

/**
 * The assets as a job's owner sees them: the owner as a viewer, and an asset named by its name
 * alone qualified in the owner's group (an id with a group is left as it is).
 */
function ownerSight(ctx: HttpContext, owner: string): Result<{ viewer: Viewer; qualify: (id: string) => string }> {
  const user = ctx.engine.current.users.get(owner);
  if (!user) return bad(notFound(`user '${owner}'`));
  return good({
    viewer: { userId: owner, group: user.group },
    qualify: (id) => (id.includes('/') ? id : assetIdOf(user.group, id)),
  });
}

/**
 * A submission's inputs pinned to asset versions as the job's owner sees the assets: names alone
 * are the owner's group's; a version not named is the latest (core/assets/inputs.ts).
 */
function pinRequestedInputs(ctx: HttpContext, requested: unknown, owner: string): Result<JobInputs> {
  const decoded = decodeWith(InputsRequestCodec, requested, 'body.inputs');
  if (!decoded.ok) return bad(invalidInput(decoded.issues));
  const sight = ownerSight(ctx, owner);
  if (!sight.ok) return sight;
  const { viewer, qualify: id } = sight.value;
  const qualify = <R extends { assetId: string }>(r: R): R => ({ ...r, assetId: id(r.assetId) });
  const request: InputsRequest = {
    ...(decoded.value.workspace ? { workspace: qualify(decoded.value.workspace) } : {}),
    ...(decoded.value.datasets ? { datasets: decoded.value.datasets.map(qualify) } : {}),
    ...(decoded.value.model ? { model: qualify(decoded.value.model) } : {}),
    ...(decoded.value.hyperparametersFile === undefined ? {} : { hyperparametersFile: decoded.value.hyperparametersFile }),
  };
  const pinned = pinInputs(ctx.assets.current, viewer, request);
  if (E.isLeft(pinned)) return bad(rejected(pinned.left));
  const { workspace, datasets, model, hyperparametersFile } = pinned.right;
  return good({
    ...(workspace ? { workspace } : {}),
    ...(datasets.length > 0 ? { datasets: [...datasets] } : {}),
    ...(model ? { model } : {}),
    ...(hyperparametersFile === null ? {} : { hyperparametersFile }),
  });
}

/** A submission's output target, as its owner sees the assets: names alone are the owner's group's. */
function checkRequestedOutput(ctx: HttpContext, requested: unknown, owner: string): Result<JobOutput> {
  const decoded = decodeWith(OutputRequestCodec, requested, 'body.output');
  if (!decoded.ok) return bad(invalidInput(decoded.issues));
  const sight = ownerSight(ctx, owner);
  if (!sight.ok) return sight;
  const { viewer, qualify } = sight.value;
  const model = decoded.value.model === undefined ? undefined : qualify(decoded.value.model);
  const dataset = decoded.value.dataset === undefined ? undefined : qualify(decoded.value.dataset);
  const checked = checkOutput(ctx.assets.current, viewer, {
    ...(model === undefined ? {} : { model }),
    ...(dataset === undefined ? {} : { dataset }),
  });
  return E.isLeft(checked) ? bad(rejected(checked.left)) : good(checked.right);
}

/**
 * The command that counts a job's uses of the versions it was submitted on (so those assets are
 * archived, not deleted, and its lineage resolves): one for all of them, workspace, datasets and
 * model, since a command per version (a decision, a fingerprint and an event each) was most of
 * what inputs cost a submission (`npm run bench -- inputs`, bench/README.md). Its id is derived from
 * the job (`uses:<jobId>`), so a retried submission counts once, and so does a job both this route
 * and the leader's reactor (app/job-uses.ts) send: whichever lands first records it, the other is
 * a duplicate. None for a job that names no input.
 */
export function recordUsesCommand(
  jobId: string,
  inputs: JobInputs,
): (AssetCommandOf<'RecordAssetUses'> & { commandId: string }) | undefined {
  const refs = pinnedRefs({ workspace: inputs.workspace ?? null, datasets: inputs.datasets ?? [], model: inputs.model ?? null });
  return refs.length === 0 ? undefined : { type: 'RecordAssetUses', jobId, refs, commandId: `uses:${jobId}` };
}

/**
 * Send an accepted job's uses without holding up its answer. The leader's reactor records the same
 * uses from the job's event and moves past it only once they are durable, so the answer need not
 * wait for them, and measured (`npm run bench -- inputs`, bench/README.md) waiting cost the
 * submissions with inputs throughput and p99 for no guarantee the reactor does not give. Sending
 * them still narrows the moment in which a just-submitted job's dataset could be deleted to about
 * one commit of the assets stream, where the reactor alone, on a server that does not lead, comes
 * a store poll later. A use this misses (the process dies after the job's append; the store closes
 * under it at shutdown) is recorded by the reactor, on its next start if need be: a failure here is
 * nobody's to report, the reactor reports its own. A version deleted meanwhile is skipped (all of
 * them gone, the command is refused) and does not undo the job either; an archived one counts.
 */
async function recordUses(ctx: HttpContext, jobId: string, inputs: JobInputs): Promise<void> {
  // The engine gathers it with other submissions' uses into one batch and one durable append.
  const command = recordUsesCommand(jobId, inputs);
  if (command !== undefined) await ctx.assets.execute(command).catch(() => {});
}
