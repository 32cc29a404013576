/**
 * What pipelines do over HTTP: pipeline experiments (KFP's folders of runs; the tuning issue's
 * experiments are `/tuning/experiments`, another resource), runs with their task graphs, and
 * recurring runs. The commands run on the pipelines engine; the run executor
 * (app/pipeline-executor.ts) submits each step's job and reports what it did.
 *
 * The scoping rules are pipelines.ts's: names in a group (`?group=`, or a whole id URL-encoded),
 * a group's members read, the owner or an operator changes, what a caller may not see is 404.
 * A run, experiment or recurring run is made in its owner's group, and every pipeline,
 * version and experiment it names is looked up in that group.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type DecodeIssue, describeValue } from '../../../core/codec.js';
import { runParameters } from '../../../core/pipelines/decide.js';
import { runGraph, taskCountsOf } from '../../../core/pipelines/graph.js';
import type { JsonValue } from '../../../core/pipelines/ir.js';
import {
  type Pipeline,
  type PipelineExperiment,
  type PipelinesState,
  type PipelineVersion,
  type RecurringRun,
  RUN_STATES,
  type Run,
  type RunState,
} from '../../../core/pipelines/model.js';
import { nextFire } from '../../../core/pipelines/recurring.js';
import { parseSchedule, type ScheduleIssue } from '../../../core/pipelines/schedule.js';
import type { Principal } from '../access.js';
import {
  answer,
  bad,
  bodyObject,
  type Done,
  good,
  type HttpContext,
  type Result,
  readingFrom,
  runCommand,
  stateOf,
} from '../context.js';
import { errors, idempotencyHeader, idParams, timeTravelQuery } from '../openapi.js';
import { invalidInput, notFound } from '../problem.js';
import { params } from './command-route.js';
import {
  canSeeItem,
  changeable,
  groupQuery,
  inScope,
  nameInGroup,
  newItemId,
  onlyFields,
  ownerOf,
  paged,
  pipelineCommands,
  resolveItem,
  SCOPE_QUERY,
  SCOPED,
  type ScopeFilter,
  scopeFilter,
  versionOf,
} from './pipelines.js';

// -- views -------------------------------------------------------------------------------------------

export function experimentItem(x: PipelineExperiment) {
  return {
    id: x.id,
    name: x.name,
    group: x.group,
    owner: x.owner,
    description: x.description,
    createdAt: x.createdAt,
    archived: x.archived,
  };
}

/** An experiment with how many of its runs are in each state, and how many recurring runs it has. */
export function experimentView(x: PipelineExperiment, state: Readonly<PipelinesState>) {
  const runs: Partial<Record<RunState, number>> = {};
  let archivedRuns = 0;
  for (const r of state.runs.values()) {
    if (r.experimentId !== x.id) continue;
    if (r.archived) archivedRuns++;
    else runs[r.state] = (runs[r.state] ?? 0) + 1;
  }
  let recurringRuns = 0;
  for (const r of state.recurringRuns.values()) if (r.experimentId === x.id) recurringRuns++;
  return { ...experimentItem(x), runs, archivedRuns, recurringRuns };
}

export function runListItem(run: Run, counts = taskCountsOf(runGraph(run))) {
  return {
    id: run.id,
    name: run.name,
    group: run.group,
    owner: run.owner,
    pipelineId: run.pipelineId,
    versionId: run.versionId,
    experimentId: run.experimentId,
    state: run.state,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    archived: run.archived,
    retries: run.retries,
    recurringRunId: run.recurringRunId,
    scheduledAt: run.scheduledAt,
    taskCounts: counts,
  };
}

/** A run as GET one answers it: its list item, its parameters, its state history and its task graph. */
export function runView(run: Run, state: Readonly<PipelinesState>) {
  const graph = runGraph(run);
  const pipeline = state.pipelines.get(run.pipelineId);
  return {
    ...runListItem(run, taskCountsOf(graph)),
    pipelineName: pipeline?.name ?? nameInGroup({ id: run.pipelineId, group: run.group }),
    versionName: pipeline?.versions.find((v) => v.id === run.versionId)?.name ?? null,
    parameters: { ...run.parameters },
    pipelineRoot: run.pipelineRoot,
    simulation: run.simulation,
    stateHistory: run.history.map((h) => ({ state: h.state, at: h.at })),
    graph,
  };
}

export function recurringRunView(r: RecurringRun) {
  return {
    id: r.id,
    name: r.name,
    group: r.group,
    owner: r.owner,
    pipelineId: r.pipelineId,
    versionId: r.versionId,
    experimentId: r.experimentId,
    parameters: { ...r.parameters },
    schedule: r.schedule,
    simulation: r.simulation,
    enabled: r.enabled,
    version: r.version,
    createdAt: r.createdAt,
    nextFireAt: nextFire(r),
    lastScheduled: r.lastScheduled,
    activeRuns: [...r.active],
    runs: r.runs.length,
  };
}

/** The answers' shapes, for clients written in TypeScript (the dashboard's views mirror them). */
export type PipelineExperimentItem = ReturnType<typeof experimentItem>;
export type PipelineExperimentView = ReturnType<typeof experimentView>;
export type RunListItem = ReturnType<typeof runListItem>;
export type RunView = ReturnType<typeof runView>;
export type RecurringRunView = ReturnType<typeof recurringRunView>;

const location = (kind: string, x: { id: string; group: string }, suffix = '') =>
  `/api/v1/${kind}/${encodeURIComponent(nameInGroup(x))}${suffix}?group=${encodeURIComponent(x.group)}`;

// -- checking what a body names --------------------------------------------------------------------

const FIXTURE_FIELDS = ['seconds', 'outcome', 'failAttempts', 'failRuns', 'outputs'];
const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/**
 * A simulation fixture's issues (model.ts StepFixture per task key or path tail): each field with
 * its path under `path`. Absent or null is none.
 */
export function simulationIssues(u: unknown, path: string): DecodeIssue[] {
  if (u === undefined || u === null) return [];
  if (!isObject(u)) {
    return [{ path, expected: 'an object of task fixtures by task key or path tail', actual: describeValue(u) }];
  }
  const issues: DecodeIssue[] = [];
  for (const [task, fixture] of Object.entries(u)) {
    const at = `${path}.${task}`;
    if (!isObject(fixture)) {
      issues.push({ path: at, expected: `a task fixture (${FIXTURE_FIELDS.join(', ')})`, actual: describeValue(fixture) });
      continue;
    }
    for (const [k, v] of Object.entries(fixture)) {
      const field = `${at}.${k}`;
      if (!FIXTURE_FIELDS.includes(k)) {
        issues.push({ path: field, expected: `no such field: only ${FIXTURE_FIELDS.join(', ')}`, actual: describeValue(v) });
      } else if (k === 'seconds' && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
        issues.push({ path: field, expected: 'seconds (a number >= 0)', actual: describeValue(v) });
      } else if (k === 'outcome' && v !== 'succeeded' && v !== 'failed') {
        issues.push({ path: field, expected: "'succeeded' or 'failed'", actual: describeValue(v) });
      } else if ((k === 'failAttempts' || k === 'failRuns') && !(Number.isSafeInteger(v) && (v as number) >= 0)) {
        issues.push({ path: field, expected: 'an integer >= 0', actual: describeValue(v) });
      } else if (k === 'outputs' && !isObject(v)) {
        issues.push({ path: field, expected: 'an object of output values by output name', actual: describeValue(v) });
      }
    }
  }
  return issues;
}

/** A schedule's issues as the API names them: the parser's `must be X, got Y` split in two. */
function scheduleIssues(issues: readonly ScheduleIssue[], body: unknown): DecodeIssue[] {
  return issues.map((i) => {
    const got = /^(.*), got (.*)$/s.exec(i.message);
    const message = got ? (got[1] as string) : i.message;
    const expected = message === 'must be specified' ? 'a value' : message.replace(/^must be /, '');
    return { path: i.path, expected, actual: got ? (got[2] as string) : describeValue(valueAt(body, i.path)) };
  });
}

function valueAt(body: unknown, path: string): unknown {
  let v: unknown = body;
  for (const k of path.split('.').slice(1)) v = isObject(v) ? v[k] : undefined;
  return v;
}

/** The core id a body's or query's reference names: a whole id as it is, a name in `group`. */
const idIn = (group: string, name: string) => (name.includes('/') ? name : `${group}/${name}`);

/** The pipeline a body names, in `group` (where a run or recurring run of that group may find it). */
function pipelineIn(p: Principal, state: Readonly<PipelinesState>, group: string, u: unknown, path: string): Result<Pipeline> {
  if (typeof u !== 'string' || u === '') {
    return bad(invalidInput([{ path, expected: 'a pipeline, by its name or its whole id', actual: describeValue(u) }]));
  }
  const found = state.pipelines.get(idIn(group, u));
  return found && found.group === group && canSeeItem(p, found)
    ? good(found)
    : bad(notFound(`pipeline '${u}' in group '${group}'`));
}

/** The version a body names (a name, `latest`; absent: none, the latest when it runs). */
function versionIn(pipeline: Pipeline, u: unknown, path: string): Result<PipelineVersion | undefined> {
  if (u === undefined || u === null || u === 'latest') return good(undefined);
  if (typeof u !== 'string') {
    return bad(invalidInput([{ path, expected: "a version's name, or 'latest'", actual: describeValue(u) }]));
  }
  const v = versionOf(pipeline, u);
  return v ? good(v) : bad(notFound(`version '${u}' of pipeline '${pipeline.name}'`));
}

/** The experiment a body names, in `group` (absent: none). */
function experimentIn(
  p: Principal,
  state: Readonly<PipelinesState>,
  group: string,
  u: unknown,
  path: string,
): Result<PipelineExperiment | undefined> {
  if (u === undefined || u === null) return good(undefined);
  if (typeof u !== 'string' || u === '') {
    return bad(
      invalidInput([{ path, expected: 'a pipeline experiment, by its name or its whole id', actual: describeValue(u) }]),
    );
  }
  const x = state.experiments.get(idIn(group, u));
  return x && x.group === group && canSeeItem(p, x) ? good(x) : bad(notFound(`pipeline experiment '${u}' in group '${group}'`));
}

/** What a run and a recurring run both take from a body, resolved in the owner's group. */
interface RunTemplate {
  pipelineId: string;
  parameters: Record<string, JsonValue>;
  versionId?: string;
  experimentId?: string;
  simulation?: unknown;
}

/**
 * The pipeline, its version, the pipeline experiment and the parameters a body names, and its
 * simulation fixture: the same for a run and a recurring run.
 */
function runTemplateIn(
  p: Principal,
  state: Readonly<PipelinesState>,
  group: string,
  v: { pipeline?: unknown; version?: unknown; experiment?: unknown; parameters?: unknown; simulation?: unknown },
): Result<RunTemplate> {
  const pipeline = pipelineIn(p, state, group, v.pipeline, 'body.pipeline');
  if (!pipeline.ok) return pipeline;
  const version = versionIn(pipeline.value, v.version, 'body.version');
  if (!version.ok) return version;
  const experiment = experimentIn(p, state, group, v.experiment, 'body.experiment');
  if (!experiment.ok) return experiment;
  const parameters = parametersFor(version.value ?? pipeline.value.versions.at(-1), v.parameters);
  if (!parameters.ok) return parameters;
  return good({
    pipelineId: pipeline.value.id,
    parameters: parameters.value,
    ...(version.value ? { versionId: version.value.id } : {}),
    ...(experiment.value ? { experimentId: experiment.value.id } : {}),
    ...(v.simulation !== undefined && v.simulation !== null ? { simulation: v.simulation } : {}),
  });
}

/** Parameters a body gives, checked against the version a run would take: every issue with its path. */
function parametersFor(version: PipelineVersion | undefined, u: unknown): Result<Record<string, JsonValue>> {
  if (u === undefined || u === null) return good({});
  if (!isObject(u)) {
    return bad(
      invalidInput([{ path: 'body.parameters', expected: 'an object of values by input name', actual: describeValue(u) }]),
    );
  }
  const given = u as Record<string, JsonValue>;
  if (version === undefined) return good(given);
  const checked = runParameters(version.spec, given);
  if (checked.ok) return good(given);
  return bad(
    invalidInput(
      checked.issues.map((i) => ({
        path: `body.${i.path}`,
        expected: i.message,
        actual: describeValue(given[i.path.slice('parameters.'.length)]),
      })),
    ),
  );
}

// -- list filters ------------------------------------------------------------------------------------

type Query = Record<string, unknown>;
const str = (q: Query, k: string) => (typeof q[k] === 'string' ? (q[k] as string) : undefined);

/** `archived=true|false|all` (default false): whether an item's archived flag passes. */
function archivedFilter(q: Query, issues: DecodeIssue[]): (archived: boolean) => boolean {
  const a = str(q, 'archived') ?? 'false';
  if (!['true', 'false', 'all'].includes(a)) {
    issues.push({ path: 'query.archived', expected: 'true, false or all', actual: String(q.archived) });
  }
  return (archived) => a === 'all' || archived === (a === 'true');
}

/** The group a list's reference names are looked up in: `?group=`, else the caller's. */
const lookupGroup = (p: Principal, q: Query) => str(q, 'group') ?? p.group;

function listScope(req: FastifyRequest, what: string, more: (q: Query, issues: DecodeIssue[]) => void): Result<ScopeFilter> {
  const q = (req.query ?? {}) as Query;
  const issues: DecodeIssue[] = [];
  const f = scopeFilter(req.principal, q, issues, what);
  more(q, issues);
  if (issues.length > 0) return bad(invalidInput(issues));
  return f;
}

// -- the routes --------------------------------------------------------------------------------------

const json = { content: { 'application/json': { schema: {} } } };
const created = { description: 'created: what was created, as a read would answer it', ...json };
const listed = {
  description: 'what was asked for',
  headers: { 'x-total-count': { type: 'integer', description: 'how many there are, in all pages' } },
  ...json,
};
const PAGING_DESCRIPTION = 'In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match.';
const ARCHIVED_QUERY = {
  archived: {
    type: 'string',
    enum: ['true', 'false', 'all'],
    default: 'false',
    description: 'archived ones, live ones, or both',
  },
};

export function pipelineRunRoutes(ctx: HttpContext) {
  return async (app: FastifyInstance) => {
    const user = { access: 'user' as const };
    const engine = ctx.pipelines;
    const { engine: commands, typeOf } = pipelineCommands(ctx);

    /** Run a command on the pipelines engine, then answer with `view` (the Idempotent-Replayed mark on a replay). */
    const act = async (
      req: FastifyRequest,
      reply: FastifyReply,
      type: string,
      fields: Record<string, unknown>,
      view: (done: Done) => Result<unknown>,
      status = 200,
    ) => {
      const r = await runCommand(ctx, req, typeOf(type), fields, [], commands);
      if (!r.ok) return answer(reply, r);
      if (r.value.duplicate) reply.header('idempotent-replayed', 'true');
      return answer(reply, view(r.value), status);
    };

    /** The request's JSON body as an object holding only `allowed` fields. */
    const body = (req: FastifyRequest, allowed: readonly string[]): Result<Record<string, unknown>> => {
      const b = bodyObject(req);
      if (!b.ok) return b;
      const only = onlyFields(b.value, allowed);
      return only.ok ? b : only;
    };

    const one = <T extends { id: string; owner: string; group: string }>(
      req: FastifyRequest,
      items: ReadonlyMap<string, T>,
      what: string,
    ) => resolveItem(req.principal, items, what, params(req).name as string, groupQuery(req));

    const nameParam = idParams('name');
    const changing = (summary: string, tags: string[], response = errors(400, 403, 404, 409, 413, 422)) => ({
      config: user,
      schema: {
        tags,
        summary,
        params: nameParam,
        querystring: { type: 'object', properties: SCOPED },
        headers: idempotencyHeader,
        response,
      },
    });

    // -- pipeline experiments ---------------------------------------------------------------------

    {
      const tags = ['pipeline-experiments'];
      const base = '/pipeline-experiments';
      const what = 'pipeline experiment';
      const current = (id: string): Result<unknown> => {
        const x = engine.current.experiments.get(id);
        return x ? good(experimentView(x, engine.current)) : bad(notFound(`${what} '${id}'`));
      };

      app.get(
        base,
        {
          config: user,
          schema: {
            tags,
            summary: 'List pipeline experiments, oldest first (KFP’s experiments: folders of runs, not tuning experiments)',
            description: PAGING_DESCRIPTION,
            querystring: timeTravelQuery({ ...SCOPE_QUERY, ...ARCHIVED_QUERY }),
            response: { 200: listed, ...errors(400, 403) },
          },
        },
        async (req, reply) => {
          let archived: (a: boolean) => boolean = () => true;
          const f = listScope(req, 'pipeline experiments', (q, issues) => {
            archived = archivedFilter(q, issues);
          });
          if (!f.ok) return answer(reply, f);
          const s = await stateOf(engine, req);
          if (!s.ok) return answer(reply, s);
          const all = [...s.value.experiments.values()].filter((x) => inScope(req.principal, f.value, x) && archived(x.archived));
          const page = paged(req, reply, all);
          return answer(reply, page.ok ? good(page.value.map(experimentItem)) : page);
        },
      );

      app.post(
        base,
        {
          config: user,
          schema: {
            tags,
            summary: 'Create a pipeline experiment in its owner’s group',
            description: 'A data scientist creates as themselves; an operator may name the `owner`.',
            body: {
              type: 'object',
              required: ['name'],
              properties: {
                name: { type: 'string', description: 'its name in the group' },
                description: { type: 'string' },
                owner: { type: 'string', description: 'whose it is (an operator may name another user)' },
              },
            },
            headers: idempotencyHeader,
            response: { 201: created, ...errors(400, 403, 404, 409, 413, 415, 422) },
          },
        },
        async (req, reply) => {
          const b = body(req, ['name', 'description', 'owner']);
          if (!b.ok) return answer(reply, b);
          const who = ownerOf(ctx, req.principal, b.value.owner, 'body.owner');
          if (!who.ok) return answer(reply, who);
          const id = newItemId(who.value.group, b.value.name, 'body.name');
          if (!id.ok) return answer(reply, id);
          const fields = {
            experimentId: id.value,
            owner: who.value.owner,
            group: who.value.group,
            name: b.value.name,
            ...(b.value.description !== undefined ? { description: b.value.description } : {}),
          };
          return act(
            req,
            reply,
            'CreatePipelineExperiment',
            fields,
            () => {
              const x = engine.current.experiments.get(id.value);
              if (x) reply.header('location', location('pipeline-experiments', x));
              return current(id.value);
            },
            201,
          );
        },
      );

      app.get(
        `${base}/:name`,
        {
          config: user,
          schema: {
            tags,
            summary: 'A pipeline experiment, with how many of its runs are in each state and how many recurring runs it has',
            description: 'Named by its name in your group, `?group=` for another, or its whole id `<group>/<name>` URL-encoded.',
            params: nameParam,
            querystring: timeTravelQuery(SCOPED),
            response: errors(400, 404, 409),
          },
        },
        readingFrom(engine, (state, req) => {
          const x = one(req, state.experiments, what);
          return x.ok ? good(experimentView(x.value, state)) : x;
        }),
      );

      for (const [verb, archived] of [
        ['archive', true],
        ['restore', false],
      ] as const) {
        app.post(
          `${base}/:name/${verb}`,
          changing(
            archived
              ? 'Archive a pipeline experiment: no new run may join it until it is restored (its owner or an operator)'
              : 'Restore an archived pipeline experiment (its owner or an operator)',
            tags,
          ),
          async (req, reply) => {
            const b = body(req, []);
            if (!b.ok) return answer(reply, b);
            const x = changeable(req.principal, one(req, engine.current.experiments, what), what);
            if (!x.ok) return answer(reply, x);
            return act(req, reply, 'ArchivePipelineExperiment', { experimentId: x.value.id, archived }, () =>
              current(x.value.id),
            );
          },
        );
      }
    }

    // -- runs -------------------------------------------------------------------------------------

    {
      const tags = ['pipeline-runs'];
      const base = '/pipeline-runs';
      const what = 'run';
      const current = (id: string): Result<unknown> => {
        const r = engine.current.runs.get(id);
        return r ? good(runView(r, engine.current)) : bad(notFound(`${what} '${id}'`));
      };

      app.get(
        base,
        {
          config: user,
          schema: {
            tags,
            summary: 'List pipeline runs, oldest first, with their steps counted by state (no graphs)',
            description: `${PAGING_DESCRIPTION} \`experiment\`, \`pipeline\` and \`recurringRun\` are names in the group looked in (\`group\`, else yours) or whole ids.`,
            querystring: timeTravelQuery({
              ...SCOPE_QUERY,
              ...ARCHIVED_QUERY,
              experiment: { type: 'string' },
              pipeline: { type: 'string' },
              recurringRun: { type: 'string' },
              state: { type: 'string', description: `a comma-separated list of ${RUN_STATES.join(', ')}` },
            }),
            response: { 200: listed, ...errors(400, 403) },
          },
        },
        async (req, reply) => {
          let archived: (a: boolean) => boolean = () => true;
          let states: readonly string[] | undefined;
          const f = listScope(req, 'pipeline runs', (q, issues) => {
            archived = archivedFilter(q, issues);
            states = str(q, 'state')?.split(',');
            if (states?.some((s) => !(RUN_STATES as readonly string[]).includes(s))) {
              issues.push({
                path: 'query.state',
                expected: `a comma-separated list of ${RUN_STATES.join(', ')}`,
                actual: String(q.state),
              });
            }
          });
          if (!f.ok) return answer(reply, f);
          const q = (req.query ?? {}) as Query;
          const g = lookupGroup(req.principal, q);
          const ref = (k: string) => {
            const v = str(q, k);
            return v === undefined ? undefined : idIn(g, v);
          };
          const [experiment, pipeline, recurring] = [ref('experiment'), ref('pipeline'), ref('recurringRun')];
          const s = await stateOf(engine, req);
          if (!s.ok) return answer(reply, s);
          const all = [...s.value.runs.values()].filter(
            (r) =>
              inScope(req.principal, f.value, r) &&
              archived(r.archived) &&
              (states === undefined || states.includes(r.state)) &&
              (experiment === undefined || r.experimentId === experiment) &&
              (pipeline === undefined || r.pipelineId === pipeline) &&
              (recurring === undefined || r.recurringRunId === recurring),
          );
          const page = paged(req, reply, all);
          return answer(reply, page.ok ? good(page.value.map((r) => runListItem(r))) : page);
        },
      );

      app.post(
        base,
        {
          config: user,
          schema: {
            tags,
            summary: 'Start a run of a pipeline version, in its owner’s group',
            description:
              '`pipeline` (and `experiment`) by name in the owner’s group or by whole id; `version` by name (absent or `latest`: the latest). `parameters` are the pipeline’s inputs (defaults fill in the rest); every wrong one is named. `simulation` steers the simulated runtime per task (by task key or path tail): `{ "<task>": { seconds?, outcome?: "succeeded"|"failed", failAttempts?, failRuns?, outputs? } }`. An operator may name the `owner`.',
            body: {
              type: 'object',
              required: ['name', 'pipeline'],
              properties: {
                name: { type: 'string', description: 'its name in the group' },
                pipeline: { type: 'string' },
                version: { type: 'string', description: 'a version’s name (default: the latest)' },
                experiment: { type: 'string', description: 'the pipeline experiment it belongs to' },
                parameters: { type: 'object', additionalProperties: true },
                pipelineRoot: { type: 'string', description: 'where its artifacts go (default: the pipeline’s, or gpupool’s)' },
                simulation: { type: 'object', additionalProperties: true },
                owner: { type: 'string', description: 'whose run it is (an operator may name another user)' },
              },
            },
            headers: idempotencyHeader,
            response: { 201: created, ...errors(400, 403, 404, 409, 413, 415, 422) },
          },
        },
        async (req, reply) => {
          const b = body(req, ['name', 'pipeline', 'version', 'experiment', 'parameters', 'pipelineRoot', 'simulation', 'owner']);
          if (!b.ok) return answer(reply, b);
          const v = b.value;
          const who = ownerOf(ctx, req.principal, v.owner, 'body.owner');
          if (!who.ok) return answer(reply, who);
          const { owner, group } = who.value;
          const runId = newItemId(group, v.name, 'body.name');
          if (!runId.ok) return answer(reply, runId);
          const issues = simulationIssues(v.simulation, 'body.simulation');
          if (v.pipelineRoot !== undefined && (typeof v.pipelineRoot !== 'string' || v.pipelineRoot === '')) {
            issues.push({ path: 'body.pipelineRoot', expected: 'a URI or a path', actual: describeValue(v.pipelineRoot) });
          }
          if (issues.length > 0) return answer(reply, bad(invalidInput(issues)));
          const template = runTemplateIn(req.principal, engine.current, group, v);
          if (!template.ok) return answer(reply, template);
          const fields = {
            runId: runId.value,
            owner,
            group,
            name: v.name,
            ...template.value,
            ...(v.pipelineRoot !== undefined ? { pipelineRoot: v.pipelineRoot } : {}),
          };
          return act(
            req,
            reply,
            'CreateRun',
            fields,
            () => {
              const r = engine.current.runs.get(runId.value);
              if (r) reply.header('location', location('pipeline-runs', r));
              return current(runId.value);
            },
            201,
          );
        },
      );

      app.get(
        `${base}/:name`,
        {
          config: user,
          schema: {
            tags,
            summary: 'A run: its state and history, its parameters, and its task graph with every task’s state',
            description:
              'The graph holds every task execution, and the tasks of each DAG execution not created yet (state NOT_STARTED), so a run is drawn whole from its start; edges join each DAG’s tasks by their dependencies.',
            params: nameParam,
            querystring: timeTravelQuery(SCOPED),
            response: errors(400, 404, 409),
          },
        },
        readingFrom(engine, (state, req) => {
          const r = one(req, state.runs, what);
          return r.ok ? good(runView(r.value, state)) : r;
        }),
      );

      const runActions = [
        ['terminate', 'TerminateRun', 'Terminate a run: its steps are stopped; it is CANCELING, then CANCELED', {}],
        [
          'retry',
          'RetryRun',
          'Retry a failed or canceled run: only what did not succeed runs again; what succeeded keeps its outputs',
          {},
        ],
        ['archive', 'ArchiveRun', 'Archive a run: lists leave it out unless asked (`archived=true|all`)', { archived: true }],
        ['restore', 'ArchiveRun', 'Restore an archived run', { archived: false }],
      ] as const;
      for (const [verb, type, summary, extra] of runActions) {
        app.post(`${base}/:name/${verb}`, changing(`${summary} (its owner or an operator)`, tags), async (req, reply) => {
          const b = body(req, []);
          if (!b.ok) return answer(reply, b);
          const r = changeable(req.principal, one(req, engine.current.runs, what), what);
          if (!r.ok) return answer(reply, r);
          return act(req, reply, type, { runId: r.value.id, ...extra }, () => current(r.value.id));
        });
      }
    }

    // -- recurring runs ---------------------------------------------------------------------------

    {
      const tags = ['recurring-runs'];
      const base = '/recurring-runs';
      const what = 'recurring run';
      const current = (id: string): Result<unknown> => {
        const r = engine.current.recurringRuns.get(id);
        return r ? good(recurringRunView(r)) : bad(notFound(`${what} '${id}'`));
      };
      const SCHEDULE_SCHEMA = {
        type: 'object',
        required: ['trigger'],
        properties: {
          trigger: {
            type: 'object',
            description:
              "`{ kind: 'cron', expression, timeZone? }` (5 fields, or 6 with seconds; an IANA time zone, default UTC) or `{ kind: 'periodic', intervalSeconds }`",
            additionalProperties: true,
          },
          startTime: { type: 'integer', nullable: true, description: 'seconds since the epoch: no fire at or before it' },
          endTime: { type: 'integer', nullable: true, description: 'seconds since the epoch: no fire after it' },
          maxConcurrency: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
          catchUp: { type: 'string', enum: ['all', 'latest', 'none'], default: 'all' },
        },
      };

      /** A schedule from a body, checked: every issue at its path under body.schedule. */
      const schedule = (b: Record<string, unknown>): Result<unknown> => {
        const parsed = parseSchedule(b.schedule, 'body.schedule');
        return parsed.ok ? good(b.schedule) : bad(invalidInput(scheduleIssues(parsed.issues, { schedule: b.schedule })));
      };

      app.get(
        base,
        {
          config: user,
          schema: {
            tags,
            summary: 'List recurring runs, oldest first',
            description: `${PAGING_DESCRIPTION} \`experiment\` and \`pipeline\` are names in the group looked in (\`group\`, else yours) or whole ids.`,
            querystring: timeTravelQuery({ ...SCOPE_QUERY, experiment: { type: 'string' }, pipeline: { type: 'string' } }),
            response: { 200: listed, ...errors(400, 403) },
          },
        },
        async (req, reply) => {
          const f = listScope(req, 'recurring runs', () => {});
          if (!f.ok) return answer(reply, f);
          const q = (req.query ?? {}) as Query;
          const g = lookupGroup(req.principal, q);
          const experiment = str(q, 'experiment');
          const pipeline = str(q, 'pipeline');
          const s = await stateOf(engine, req);
          if (!s.ok) return answer(reply, s);
          const all = [...s.value.recurringRuns.values()].filter(
            (r) =>
              inScope(req.principal, f.value, r) &&
              (experiment === undefined || r.experimentId === idIn(g, experiment)) &&
              (pipeline === undefined || r.pipelineId === idIn(g, pipeline)),
          );
          const page = paged(req, reply, all);
          return answer(reply, page.ok ? good(page.value.map(recurringRunView)) : page);
        },
      );

      app.post(
        base,
        {
          config: user,
          schema: {
            tags,
            summary: 'Create a recurring run: a pipeline run on a cron or periodic schedule, in its owner’s group',
            description:
              '`version`: a version’s name, pinned; absent or null, the latest version each time it fires. Times are seconds since the epoch. `enabled` (default true). An operator may name the `owner`.',
            body: {
              type: 'object',
              required: ['name', 'pipeline', 'schedule'],
              properties: {
                name: { type: 'string' },
                pipeline: { type: 'string' },
                version: { type: 'string', nullable: true },
                experiment: { type: 'string' },
                parameters: { type: 'object', additionalProperties: true },
                schedule: SCHEDULE_SCHEMA,
                enabled: { type: 'boolean', default: true },
                simulation: { type: 'object', additionalProperties: true },
                owner: { type: 'string' },
              },
            },
            headers: idempotencyHeader,
            response: { 201: created, ...errors(400, 403, 404, 409, 413, 415, 422) },
          },
        },
        async (req, reply) => {
          const b = body(req, [
            'name',
            'pipeline',
            'version',
            'experiment',
            'parameters',
            'schedule',
            'enabled',
            'simulation',
            'owner',
          ]);
          if (!b.ok) return answer(reply, b);
          const v = b.value;
          const who = ownerOf(ctx, req.principal, v.owner, 'body.owner');
          if (!who.ok) return answer(reply, who);
          const { owner, group } = who.value;
          const id = newItemId(group, v.name, 'body.name');
          if (!id.ok) return answer(reply, id);
          const issues = simulationIssues(v.simulation, 'body.simulation');
          if (v.enabled !== undefined && typeof v.enabled !== 'boolean') {
            issues.push({ path: 'body.enabled', expected: 'true or false', actual: describeValue(v.enabled) });
          }
          const sched = schedule(v);
          if (!sched.ok) issues.push(...(sched.problem.errors ?? []));
          if (issues.length > 0) return answer(reply, bad(invalidInput(issues)));
          const template = runTemplateIn(req.principal, engine.current, group, v);
          if (!template.ok) return answer(reply, template);
          const fields = {
            recurringRunId: id.value,
            owner,
            group,
            name: v.name,
            ...template.value,
            schedule: v.schedule,
            enabled: v.enabled ?? true,
          };
          return act(
            req,
            reply,
            'CreateRecurringRun',
            fields,
            () => {
              const r = engine.current.recurringRuns.get(id.value);
              if (r) reply.header('location', location('recurring-runs', r));
              return current(id.value);
            },
            201,
          );
        },
      );

      app.get(
        `${base}/:name`,
        {
          config: user,
          schema: {
            tags,
            summary: 'A recurring run: its settings, its version, its next fire time and its runs',
            params: nameParam,
            querystring: timeTravelQuery(SCOPED),
            response: errors(400, 404, 409),
          },
        },
        readingFrom(engine, (state, req) => {
          const r = one(req, state.recurringRuns, what);
          return r.ok ? good(recurringRunView(r.value)) : r;
        }),
      );

      app.patch(
        `${base}/:name`,
        {
          config: user,
          schema: {
            tags,
            summary: 'Edit a recurring run: a new version of its settings (its owner or an operator)',
            description:
              'Any of `pipeline`, `version` (null: the latest at each fire), `experiment` (null: none), `parameters`, `schedule`, `simulation`. A new pipeline without a `version` runs its latest. A new schedule does not backfill the time before the edit.',
            params: nameParam,
            querystring: { type: 'object', properties: SCOPED },
            body: {
              type: 'object',
              properties: {
                pipeline: { type: 'string' },
                version: { type: 'string', nullable: true },
                experiment: { type: 'string', nullable: true },
                parameters: { type: 'object', additionalProperties: true },
                schedule: SCHEDULE_SCHEMA,
                simulation: { type: 'object', nullable: true, additionalProperties: true },
              },
            },
            headers: idempotencyHeader,
            response: errors(400, 403, 404, 409, 413, 422),
          },
        },
        async (req, reply) => {
          const b = body(req, ['pipeline', 'version', 'experiment', 'parameters', 'schedule', 'simulation']);
          if (!b.ok) return answer(reply, b);
          const v = b.value;
          const r = changeable(req.principal, one(req, engine.current.recurringRuns, what), what);
          if (!r.ok) return answer(reply, r);
          const issues = simulationIssues(v.simulation, 'body.simulation');
          if (v.schedule !== undefined) {
            const sched = schedule(v);
            if (!sched.ok) issues.push(...(sched.problem.errors ?? []));
          }
          if (issues.length > 0) return answer(reply, bad(invalidInput(issues)));
          const s = engine.current;
          const group = r.value.group;
          const fields: Record<string, unknown> = { recurringRunId: r.value.id };
          let pipeline = s.pipelines.get(r.value.pipelineId);
          if (v.pipeline !== undefined) {
            const p = pipelineIn(req.principal, s, group, v.pipeline, 'body.pipeline');
            if (!p.ok) return answer(reply, p);
            pipeline = p.value;
            fields.pipelineId = p.value.id;
            // Another pipeline: its latest version, unless the edit names one.
            if (p.value.id !== r.value.pipelineId && v.version === undefined) fields.versionId = null;
          }
          let version = pipeline?.versions.find((x) => x.id === r.value.versionId);
          if (v.version !== undefined && pipeline) {
            const found = versionIn(pipeline, v.version, 'body.version');
            if (!found.ok) return answer(reply, found);
            version = found.value;
            fields.versionId = found.value?.id ?? null;
          }
          if (v.experiment !== undefined) {
            const x = experimentIn(req.principal, s, group, v.experiment, 'body.experiment');
            if (!x.ok) return answer(reply, x);
            fields.experimentId = x.value?.id ?? null;
          }
          if (v.parameters !== undefined) {
            const p = parametersFor(version ?? pipeline?.versions.at(-1), v.parameters);
            if (!p.ok) return answer(reply, p);
            fields.parameters = p.value;
          }
          if (v.schedule !== undefined) fields.schedule = v.schedule;
          if (v.simulation !== undefined) fields.simulation = v.simulation;
          return act(req, reply, 'UpdateRecurringRun', fields, () => current(r.value.id));
        },
      );

      for (const [verb, enabled] of [
        ['enable', true],
        ['disable', false],
      ] as const) {
        app.post(
          `${base}/:name/${verb}`,
          changing(
            enabled
              ? 'Enable a recurring run: it fires from now on, never backfilling the time it was disabled (its owner or an operator)'
              : 'Disable a recurring run: it fires no more until enabled (its owner or an operator)',
            tags,
          ),
          async (req, reply) => {
            const b = body(req, []);
            if (!b.ok) return answer(reply, b);
            const r = changeable(req.principal, one(req, engine.current.recurringRuns, what), what);
            if (!r.ok) return answer(reply, r);
            return act(req, reply, 'SetRecurringRunEnabled', { recurringRunId: r.value.id, enabled }, () => current(r.value.id));
          },
        );
      }

      app.post(
        `${base}/:name/trigger`,
        changing('Start a run of a recurring run now, beside its schedule (its owner or an operator)', tags, {
          201: created,
          ...errors(400, 403, 404, 409, 413, 422),
        }),
        async (req, reply) => {
          const b = body(req, []);
          if (!b.ok) return answer(reply, b);
          const r = changeable(req.principal, one(req, engine.current.recurringRuns, what), what);
          if (!r.ok) return answer(reply, r);
          return act(
            req,
            reply,
            'TriggerRecurringRun',
            { recurringRunId: r.value.id },
            (done) => {
              // The run it started: named by its event, or (a replay) its recurring run's latest.
              const createdRun = done.duplicate
                ? engine.current.recurringRuns.get(r.value.id)?.runs.at(-1)
                : (done.events as readonly { type: string; runId?: string }[]).find((e) => e.type === 'RunCreated')?.runId;
              const run = createdRun === undefined ? undefined : engine.current.runs.get(createdRun);
              if (!run) return bad(notFound(`a run of ${what} '${r.value.id}'`));
              reply.header('location', location('pipeline-runs', run));
              return good(runView(run, engine.current));
            },
            201,
          );
        },
      );
    }
  };
}
