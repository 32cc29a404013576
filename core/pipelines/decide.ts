/**
 * decide for the pipelines context: a command, the state and the command's time give a rejection
 * or events. Pure. What a run does next is run-progress.ts's, worked out on a fork of the run so
 * the events carry every consequence (tasks created, skipped, cached, DAGs ended, the run ended).
 */

import type { Unstamped } from '../decider.js';
import { type Rejection, reject } from '../rejection.js';
import * as E from '../vendor/either.js';
import { checkCondition } from './cel.js';
import type { PipelineCommand, PipelineCommandOf } from './commands.js';
import type { PipelineEvent } from './events.js';
import { cacheKey, runFromCreated } from './evolve.js';
import type { JsonValue, ParameterSpec, PipelineSpec } from './ir.js';
import { isRunDone, isTaskDone, type PipelinesState, type RecurringRun, ROOT } from './model.js';
import { cursorOf } from './recurring.js';
import {
  applyRetry,
  applyRunChange,
  endContainer,
  forkRun,
  type ProgressEnv,
  progressRun,
  type RunChange,
  retryPlan,
} from './run-progress.js';
import { dueFires, parseSchedule, runNameOf } from './schedule.js';

type Body = Unstamped<PipelineEvent>;
type Decision = E.Either<Rejection, Body[]>;
const ok = (...events: Body[]): Decision => E.right(events);
const no = (code: Parameters<typeof reject>[0], message: string, details?: Record<string, unknown>): Decision =>
  E.left(reject(code, message, details));

/** A command refused for its fields: every issue, with its path. */
const invalid = (issues: readonly { path: string; message: string }[]): Decision =>
  no('invalid-command', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });

/** Where a run's artifacts go when it names no pipeline root. */
export const DEFAULT_PIPELINE_ROOT = 's3://gpupool/pipelines';

function envOf(s: PipelinesState, group: string, at: number): ProgressEnv {
  return {
    at,
    cached: (fingerprint) => s.cache.get(cacheKey(group, fingerprint)),
    condition: (text, parameters) => {
      const r = checkCondition(text, parameters);
      return r.ok ? r : { ok: false, message: r.message };
    },
  };
}

const TYPE_CHECKS: Record<string, [string, (v: JsonValue) => boolean]> = {
  STRING: ['a string', (v) => typeof v === 'string'],
  NUMBER_INTEGER: ['an integer', (v) => typeof v === 'number' && Number.isInteger(v)],
  NUMBER_DOUBLE: ['a number', (v) => typeof v === 'number'],
  BOOLEAN: ['a boolean', (v) => typeof v === 'boolean'],
  LIST: ['a list', (v) => Array.isArray(v)],
  STRUCT: ['an object', (v) => typeof v === 'object' && v !== null && !Array.isArray(v)],
};

/**
 * A run's parameters checked against its pipeline's inputs, with their defaults: every unknown
 * name, missing value and wrong type at once.
 */
export function runParameters(
  spec: PipelineSpec,
  given: Readonly<Record<string, JsonValue>>,
): { ok: true; value: Record<string, JsonValue> } | { ok: false; issues: { path: string; message: string }[] } {
  const defs = (spec.root.inputDefinitions?.parameters ?? {}) as Record<string, ParameterSpec>;
  const issues: { path: string; message: string }[] = [];
  const value: Record<string, JsonValue> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(defs, name)) {
      issues.push({
        path: `parameters.${name}`,
        message: `the pipeline has no input '${name}' (it has: ${Object.keys(defs).join(', ') || 'none'})`,
      });
    }
  }
  for (const [name, def] of Object.entries(defs)) {
    const v = Object.hasOwn(given, name) ? given[name] : def.defaultValue;
    if (v === undefined) {
      if (!def.isOptional) issues.push({ path: `parameters.${name}`, message: `required (${def.parameterType})` });
      continue;
    }
    const check = TYPE_CHECKS[def.parameterType];
    if (check && !check[1](v))
      issues.push({
        path: `parameters.${name}`,
        message: `must be ${check[0]} (${def.parameterType}), not ${JSON.stringify(v)}`,
      });
    value[name] = v;
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}

/** The events that start a run: created, running, its root DAG, and what that starts. */
function startRun(s: PipelinesState, created: Body & { type: 'RunCreated' }, at: number): Decision {
  const version = s.pipelines.get(created.pipelineId)?.versions.find((v) => v.id === created.versionId);
  if (!version) return no('not-found', `pipeline version '${created.versionId}' not found`);
  const run = runFromCreated(created, version, at);
  const env = envOf(s, run.group, at);
  const changes: RunChange[] = [{ type: 'RunStateChanged', runId: run.id, state: 'RUNNING' }];
  changes.push({
    type: 'TaskCreated',
    runId: run.id,
    task: {
      path: ROOT,
      key: ROOT,
      name: version.spec.pipelineInfo.name,
      kind: 'dag',
      component: ROOT,
      parent: null,
      iteration: null,
      state: 'RUNNING',
      inputs: { parameters: run.parameters, artifacts: {} },
      outputs: null,
      jobId: null,
      fingerprint: null,
      items: null,
      parallelism: 0,
      message: null,
    },
  });
  for (const c of changes) applyRunChange(run, c, at);
  changes.push(...progressRun(run, env, [ROOT]));
  return ok(created, ...(changes as Body[]));
}

function createRun(c: PipelineCommandOf<'CreateRun'>, s: PipelinesState, at: number): Decision {
  if (s.runs.has(c.runId)) return no('already-exists', `run '${c.runId}' already exists`);
  const pipeline = s.pipelines.get(c.pipelineId);
  if (!pipeline || pipeline.group !== c.group)
    return no('not-found', `pipeline '${c.pipelineId}' not found in group '${c.group}'`);
  const version = c.versionId === undefined ? pipeline.versions.at(-1) : pipeline.versions.find((v) => v.id === c.versionId);
  if (!version) return no('not-found', `pipeline '${c.pipelineId}' has no version '${c.versionId}'`);
  if (c.experimentId !== undefined) {
    const x = s.experiments.get(c.experimentId);
    if (!x || x.group !== c.group)
      return no('not-found', `pipeline experiment '${c.experimentId}' not found in group '${c.group}'`);
    if (x.archived)
      return no('invalid-transition', `pipeline experiment '${c.experimentId}' is archived: restore it to add runs`);
  }
  const parameters = runParameters(version.spec, c.parameters as Record<string, JsonValue>);
  if (!parameters.ok) {
    return invalid(parameters.issues);
  }
  return startRun(
    s,
    {
      type: 'RunCreated',
      runId: c.runId,
      owner: c.owner,
      group: c.group,
      name: c.name,
      experimentId: c.experimentId ?? null,
      pipelineId: c.pipelineId,
      versionId: version.id,
      parameters: parameters.value,
      pipelineRoot: c.pipelineRoot ?? version.spec.defaultPipelineRoot ?? DEFAULT_PIPELINE_ROOT,
      simulation: (c.simulation ?? null) as never,
      recurringRunId: null,
      scheduledAt: null,
    },
    at,
  );
}

/** A run of a recurring run for `scheduledAt`, with an id and name from that time. */
function fireRecurring(s: PipelinesState, r: RecurringRun, scheduledAt: number, at: number, manual: boolean): Decision {
  const pipeline = s.pipelines.get(r.pipelineId);
  const version = r.versionId === null ? pipeline?.versions.at(-1) : pipeline?.versions.find((v) => v.id === r.versionId);
  if (!pipeline || !version) return no('not-found', `recurring run '${r.id}': its pipeline version is gone`);
  const base = runNameOf(r.name, scheduledAt) + (manual ? '-manual' : '');
  let name = base;
  for (let n = 2; s.runs.has(`${r.group}/${name}`); n++) name = `${base}-${n}`;
  const parameters = runParameters(version.spec, r.parameters);
  if (!parameters.ok) return invalid(parameters.issues);
  return startRun(
    s,
    {
      type: 'RunCreated',
      runId: `${r.group}/${name}`,
      owner: r.owner,
      group: r.group,
      name,
      experimentId: r.experimentId,
      pipelineId: r.pipelineId,
      versionId: version.id,
      parameters: parameters.value,
      pipelineRoot: version.spec.defaultPipelineRoot ?? DEFAULT_PIPELINE_ROOT,
      simulation: r.simulation as never,
      recurringRunId: r.id,
      // A run triggered by hand was not scheduled: it must not move the schedule's cursor (a
      // period without a start would restart from it, and a catch-up would skip what was due).
      scheduledAt: manual ? null : scheduledAt,
    },
    at,
  );
}

/** The recurring runs due by `at`: each starts the runs its schedule says, or moves past what it skips. */
function tick(s: PipelinesState, at: number): Decision {
  const due = s.due.dueBy(at);
  const events: Body[] = [];
  // Runs started in this tick are not in `s` yet: a fork of the state's run names is not needed,
  // since each fire's name carries its own scheduled time.
  for (const id of due) {
    const r = s.recurringRuns.get(id);
    if (!r?.enabled) continue;
    const plan = dueFires(r.schedule, cursorOf(r), at, r.active.size);
    for (const t of plan.fire) {
      const started = fireRecurring(s, r, t, at, false);
      // A fire that cannot start (its pipeline version is gone) is passed over, not tried forever.
      events.push(
        ...(E.isRight(started)
          ? started.right
          : [{ type: 'RecurringRunSkipped' as const, recurringRunId: r.id, until: t, skipped: 1 }]),
      );
    }
    if (plan.fire.length === 0 && !plan.blocked) {
      // The cursor moves to the last fire passed over, not to now: a period without a start
      // counts from its last fire, and now would move its grid off the schedule.
      const passed = dueFires({ ...r.schedule, catchUp: 'latest' }, cursorOf(r), at, 0).fire[0] ?? at;
      events.push({ type: 'RecurringRunSkipped', recurringRunId: r.id, until: passed, skipped: 1 });
    }
  }
  return ok(...events);
}

function reportEnded(c: PipelineCommandOf<'ReportTaskEnded'>, s: PipelinesState, at: number): Decision {
  const run = s.runs.get(c.runId);
  const task = run?.tasks.get(c.task);
  if (!run || !task) return no('not-found', `run '${c.runId}' has no task '${c.task}'`);
  if (task.kind !== 'container') return no('invalid-command', `task '${c.task}' of run '${c.runId}' is not a container step`);
  // A report of an earlier attempt, or of a task that has ended already, changes nothing.
  if (c.attempt !== task.attempt || isTaskDone(task.state)) return ok();
  const fork = forkRun(run);
  const outputs = c.outputs as never;
  return ok(...(endContainer(fork, c.task, c.outcome, outputs, c.message, envOf(s, run.group, at)) as Body[]));
}

export function decidePipelines(c: PipelineCommand, s: PipelinesState, at: number = s.now): Decision {
  switch (c.type) {
    case 'CreatePipeline': {
      if (s.pipelines.has(c.pipelineId)) return no('already-exists', `pipeline '${c.pipelineId}' already exists`);
      return ok(
        {
          type: 'PipelineCreated',
          pipelineId: c.pipelineId,
          owner: c.owner,
          group: c.group,
          name: c.name,
          description: c.description ?? '',
        },
        { type: 'PipelineVersionCreated', pipelineId: c.pipelineId, ...versionBody(c.version) },
      );
    }
    case 'CreatePipelineVersion': {
      const p = s.pipelines.get(c.pipelineId);
      if (!p) return no('not-found', `pipeline '${c.pipelineId}' not found`);
      if (p.versions.some((v) => v.id === c.version.versionId))
        return no('already-exists', `pipeline '${c.pipelineId}' already has version '${c.version.versionId}'`);
      return ok({ type: 'PipelineVersionCreated', pipelineId: c.pipelineId, ...versionBody(c.version) });
    }
    case 'AddComponent': {
      const known = s.libraries.get(c.group)?.get(c.digest);
      if (known) return ok();
      return ok({
        type: 'ComponentAdded',
        group: c.group,
        owner: c.owner,
        digest: c.digest,
        name: c.name,
        url: c.url,
        text: c.text,
      });
    }
    case 'CreatePipelineExperiment':
      if (s.experiments.has(c.experimentId))
        return no('already-exists', `pipeline experiment '${c.experimentId}' already exists`);
      return ok({
        type: 'PipelineExperimentCreated',
        experimentId: c.experimentId,
        owner: c.owner,
        group: c.group,
        name: c.name,
        description: c.description ?? '',
      });
    case 'ArchivePipelineExperiment': {
      const x = s.experiments.get(c.experimentId);
      if (!x) return no('not-found', `pipeline experiment '${c.experimentId}' not found`);
      return x.archived === c.archived
        ? ok()
        : ok({ type: 'PipelineExperimentArchived', experimentId: c.experimentId, archived: c.archived });
    }
    case 'CreateRun':
      return createRun(c, s, at);
    case 'ReportTaskStarted': {
      const run = s.runs.get(c.runId);
      const task = run?.tasks.get(c.task);
      if (!run || !task) return no('not-found', `run '${c.runId}' has no task '${c.task}'`);
      if (task.state !== 'PENDING' || task.attempt !== c.attempt) return ok();
      return ok({ type: 'TaskUpdated', runId: run.id, path: c.task, state: 'RUNNING' });
    }
    case 'ReportTaskEnded':
      return reportEnded(c, s, at);
    case 'TerminateRun': {
      const run = s.runs.get(c.runId);
      if (!run) return no('not-found', `run '${c.runId}' not found`);
      if (isRunDone(run.state) || run.state === 'CANCELING') return ok();
      const fork = forkRun(run);
      const changes: RunChange[] = [{ type: 'RunStateChanged', runId: run.id, state: 'CANCELING' }];
      applyRunChange(fork, changes[0] as RunChange, at);
      // A step waiting out a retry's backoff has no job: it is canceled at once.
      for (const t of fork.tasks.values()) {
        if (t.kind === 'container' && t.state === 'PENDING' && t.retryAt !== null) {
          const cancel: RunChange = {
            type: 'TaskUpdated',
            runId: run.id,
            path: t.path,
            state: 'CANCELED',
            message: 'the run was terminated',
          };
          applyRunChange(fork, cancel, at);
          changes.push(cancel);
        }
      }
      const open = [...fork.tasks.values()].filter((t) => (t.kind === 'dag' || t.kind === 'loop') && !isTaskDone(t.state));
      // Deepest first, so a DAG that ends frees its parent in the same pass.
      open.sort((a, b) => b.path.split('/').length - a.path.split('/').length);
      changes.push(
        ...progressRun(
          fork,
          envOf(s, run.group, at),
          open.map((t) => t.path),
        ),
      );
      return ok(...(changes as Body[]));
    }
    case 'RetryRun': {
      const run = s.runs.get(c.runId);
      if (!run) return no('not-found', `run '${c.runId}' not found`);
      if (run.state !== 'FAILED' && run.state !== 'CANCELED') {
        return no('invalid-transition', `run '${c.runId}' is ${run.state}: only a failed or canceled run can be retried`);
      }
      const plan = retryPlan(run);
      const fork = forkRun(run);
      applyRetry(fork, plan, at);
      const deepest = [...plan.reopened].sort((a, b) => b.split('/').length - a.split('/').length);
      const changes = progressRun(fork, envOf(s, run.group, at), deepest);
      return ok({ type: 'RunRetried', runId: run.id, removed: plan.removed, reopened: plan.reopened }, ...(changes as Body[]));
    }
    case 'ArchiveRun': {
      const run = s.runs.get(c.runId);
      if (!run) return no('not-found', `run '${c.runId}' not found`);
      return run.archived === c.archived ? ok() : ok({ type: 'RunArchived', runId: run.id, archived: c.archived });
    }
    case 'CreateRecurringRun': {
      if (s.recurringRuns.has(c.recurringRunId))
        return no('already-exists', `recurring run '${c.recurringRunId}' already exists`);
      const refused = checkRecurringTarget(s, c.group, c.pipelineId, c.versionId ?? null, c.experimentId ?? null);
      if (refused) return E.left(refused);
      const schedule = parseSchedule(c.schedule);
      if (!schedule.ok) return invalid(schedule.issues);
      return ok({
        type: 'RecurringRunCreated',
        recurringRunId: c.recurringRunId,
        owner: c.owner,
        group: c.group,
        name: c.name,
        pipelineId: c.pipelineId,
        versionId: c.versionId ?? null,
        experimentId: c.experimentId ?? null,
        parameters: c.parameters,
        schedule: schedule.value as never,
        simulation: (c.simulation ?? null) as never,
        enabled: c.enabled,
      });
    }
    case 'UpdateRecurringRun': {
      const r = s.recurringRuns.get(c.recurringRunId);
      if (!r) return no('not-found', `recurring run '${c.recurringRunId}' not found`);
      const pipelineId = c.pipelineId ?? r.pipelineId;
      const versionId = c.versionId === undefined ? r.versionId : c.versionId;
      const experimentId = c.experimentId === undefined ? r.experimentId : c.experimentId;
      const refused = checkRecurringTarget(s, r.group, pipelineId, versionId, experimentId);
      if (refused) return E.left(refused);
      const schedule = parseSchedule(c.schedule ?? r.schedule);
      if (!schedule.ok) return invalid(schedule.issues);
      return ok({
        type: 'RecurringRunUpdated',
        recurringRunId: r.id,
        version: r.version + 1,
        pipelineId,
        versionId,
        experimentId,
        parameters: (c.parameters ?? r.parameters) as never,
        schedule: schedule.value as never,
        simulation: (c.simulation === undefined ? r.simulation : c.simulation) as never,
      });
    }
    case 'SetRecurringRunEnabled': {
      const r = s.recurringRuns.get(c.recurringRunId);
      if (!r) return no('not-found', `recurring run '${c.recurringRunId}' not found`);
      return r.enabled === c.enabled ? ok() : ok({ type: 'RecurringRunEnabled', recurringRunId: r.id, enabled: c.enabled });
    }
    case 'TriggerRecurringRun': {
      const r = s.recurringRuns.get(c.recurringRunId);
      if (!r) return no('not-found', `recurring run '${c.recurringRunId}' not found`);
      return fireRecurring(s, r, at, at, true);
    }
    case 'Tick':
      return tick(s, at);
  }
}

function versionBody(v: PipelineCommandOf<'CreatePipeline'>['version']) {
  return {
    versionId: v.versionId,
    name: v.name,
    description: v.description ?? '',
    format: v.format,
    spec: v.spec,
    platform: v.platform,
  };
}

/** Why a recurring run cannot run this pipeline (version) in this experiment, or null. */
function checkRecurringTarget(
  s: PipelinesState,
  group: string,
  pipelineId: string,
  versionId: string | null,
  experimentId: string | null,
): Rejection | null {
  const p = s.pipelines.get(pipelineId);
  if (!p || p.group !== group) return reject('not-found', `pipeline '${pipelineId}' not found in group '${group}'`);
  if (versionId !== null && !p.versions.some((v) => v.id === versionId))
    return reject('not-found', `pipeline '${pipelineId}' has no version '${versionId}'`);
  if (experimentId !== null) {
    const x = s.experiments.get(experimentId);
    if (!x || x.group !== group)
      return reject('not-found', `pipeline experiment '${experimentId}' not found in group '${group}'`);
  }
  return null;
}

/** When the pipelines engine next needs a Tick: the earliest recurring run due. */
export const nextPipelinesWakeup = (s: PipelinesState): number | null => s.due.nextWake();
