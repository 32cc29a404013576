/**
 * evolve for the pipelines context: folds an event into the state, in place (model.ts says why).
 * A run's task events go through run-progress.ts's `applyRunChange`, the function decide used.
 */
import { foldEnvelope } from '../decider.js';
import { hashOfValue } from '../idempotency.js';
import { DueIndex } from './due-index.js';
import type { PipelineEvent } from './events.js';
import type { JsonValue, PipelineSpec, PlatformSpec } from './ir.js';
import {
  isRunDone,
  type PipelinesState,
  type PipelineVersion,
  type RecurringRun,
  type Run,
  type SimulationFixture,
  type TaskOutputs,
} from './model.js';
import { nextFire } from './recurring.js';
import { applyRetry, applyRunChange, type RunChange } from './run-progress.js';
import type { ScheduleSpec } from './schedule.js';

export function initialPipelinesState(): PipelinesState {
  return {
    revision: -1,
    now: 0,
    commands: new Map(),
    pipelines: new Map(),
    libraries: new Map(),
    experiments: new Map(),
    runs: new Map(),
    recurringRuns: new Map(),
    taskOfJob: new Map(),
    cache: new Map(),
    due: new DueIndex(),
  };
}

/** A run as its RunCreated event makes it, pinned to its version's IR. */
export function runFromCreated(
  e: Omit<PipelineEvent & { type: 'RunCreated' }, 'v' | 'at' | 'commandId' | 'fingerprint'>,
  version: PipelineVersion,
  at: number,
): Run {
  return {
    id: e.runId,
    name: e.name,
    owner: e.owner,
    group: e.group,
    experimentId: e.experimentId,
    pipelineId: e.pipelineId,
    versionId: e.versionId,
    spec: version.spec,
    platform: version.platform,
    parameters: e.parameters as Record<string, JsonValue>,
    pipelineRoot: e.pipelineRoot,
    simulation: e.simulation as SimulationFixture | null,
    recurringRunId: e.recurringRunId,
    scheduledAt: e.scheduledAt,
    createdAt: at,
    state: 'PENDING',
    history: [{ state: 'PENDING', at }],
    finishedAt: null,
    archived: false,
    tasks: new Map(),
    retries: 0,
    steps: 0,
  };
}

/** The cache's key: a group's execution fingerprint. */
export const cacheKey = (group: string, fingerprint: string): string => `${group}\u0000${fingerprint}`;

function reindexTask(s: PipelinesState, run: Run, path: string): void {
  const t = run.tasks.get(path);
  if (t?.kind !== 'container' || t.jobId === null) return;
  s.taskOfJob.set(t.jobId, { run: run.id, task: path });
  if (t.state === 'SUCCEEDED' && t.fingerprint !== null && t.outputs)
    s.cache.set(cacheKey(run.group, t.fingerprint), t.outputs as TaskOutputs);
}

/** A recurring run's next fire time in the due index (none while disabled). */
function reschedule(s: PipelinesState, r: RecurringRun): void {
  s.due.upsert(r.id, r.enabled ? nextFire(r) : null);
}

/** A run that ended no longer counts against its recurring run's concurrency. */
function settle(s: PipelinesState, run: Run): void {
  if (run.recurringRunId === null || !isRunDone(run.state)) return;
  s.recurringRuns.get(run.recurringRunId)?.active.delete(run.id);
}

export function evolvePipelines(s: PipelinesState, e: PipelineEvent): PipelinesState {
  foldEnvelope(s, e);
  switch (e.type) {
    case 'PipelineCreated':
      s.pipelines.set(e.pipelineId, {
        id: e.pipelineId,
        name: e.name,
        owner: e.owner,
        group: e.group,
        description: e.description,
        createdAt: e.at,
        versions: [],
      });
      break;
    case 'PipelineVersionCreated':
      s.pipelines.get(e.pipelineId)?.versions.push({
        id: e.versionId,
        name: e.name,
        description: e.description,
        createdAt: e.at,
        format: e.format,
        spec: e.spec as unknown as PipelineSpec,
        platform: e.platform as unknown as PlatformSpec | null,
      });
      break;
    case 'ComponentAdded': {
      let library = s.libraries.get(e.group);
      if (!library) s.libraries.set(e.group, (library = new Map()));
      library.set(e.digest, { digest: e.digest, name: e.name, url: e.url, text: e.text, owner: e.owner, addedAt: e.at });
      break;
    }
    case 'PipelineExperimentCreated':
      s.experiments.set(e.experimentId, {
        id: e.experimentId,
        name: e.name,
        owner: e.owner,
        group: e.group,
        description: e.description,
        createdAt: e.at,
        archived: false,
      });
      break;
    case 'PipelineExperimentArchived': {
      const x = s.experiments.get(e.experimentId);
      if (x) x.archived = e.archived;
      break;
    }
    case 'RunCreated': {
      const version = s.pipelines.get(e.pipelineId)?.versions.find((v) => v.id === e.versionId);
      if (!version) break;
      const run = runFromCreated(e, version, e.at);
      s.runs.set(run.id, run);
      const recurring = e.recurringRunId === null ? undefined : s.recurringRuns.get(e.recurringRunId);
      if (recurring) {
        recurring.runs.push(run.id);
        recurring.active.add(run.id);
        if (e.scheduledAt !== null && (recurring.lastScheduled === null || e.scheduledAt > recurring.lastScheduled)) {
          recurring.lastScheduled = e.scheduledAt;
        }
        reschedule(s, recurring);
      }
      break;
    }
    case 'TaskCreated':
    case 'TaskUpdated':
    case 'RunStateChanged': {
      const run = s.runs.get(e.runId);
      if (!run) break;
      applyRunChange(run, e as RunChange, e.at);
      if (e.type === 'TaskCreated') reindexTask(s, run, e.task.path);
      else if (e.type === 'TaskUpdated') reindexTask(s, run, e.path);
      else {
        settle(s, run);
        const recurring = run.recurringRunId === null ? undefined : s.recurringRuns.get(run.recurringRunId);
        if (recurring) reschedule(s, recurring);
      }
      break;
    }
    case 'RunRetried': {
      const run = s.runs.get(e.runId);
      if (!run) break;
      applyRetry(run, e, e.at);
      const recurring = run.recurringRunId === null ? undefined : s.recurringRuns.get(run.recurringRunId);
      if (recurring) {
        recurring.active.add(run.id);
        // It may take the last slot: its next fire waits (left due, a tick would find it blocked
        // and change nothing, and the host would tick at that instant forever).
        reschedule(s, recurring);
      }
      break;
    }
    case 'RunArchived': {
      const run = s.runs.get(e.runId);
      if (run) run.archived = e.archived;
      break;
    }
    case 'RecurringRunCreated': {
      const r: RecurringRun = {
        id: e.recurringRunId,
        name: e.name,
        owner: e.owner,
        group: e.group,
        experimentId: e.experimentId,
        pipelineId: e.pipelineId,
        versionId: e.versionId,
        parameters: { ...e.parameters } as Record<string, JsonValue>,
        schedule: e.schedule as unknown as ScheduleSpec,
        simulation: e.simulation as SimulationFixture | null,
        enabled: e.enabled,
        enabledSince: e.at,
        lastScheduled: null,
        version: 1,
        createdAt: e.at,
        active: new Set(),
        runs: [],
      };
      s.recurringRuns.set(r.id, r);
      reschedule(s, r);
      break;
    }
    case 'RecurringRunUpdated': {
      const r = s.recurringRuns.get(e.recurringRunId);
      if (!r) break;
      r.version = e.version;
      r.pipelineId = e.pipelineId;
      r.versionId = e.versionId;
      r.experimentId = e.experimentId;
      r.parameters = { ...e.parameters } as Record<string, JsonValue>;
      // A new schedule starts from the edit: it does not backfill under its new rules. An edit
      // that keeps the schedule (parameters, version) keeps its fire times and the fires still due.
      if (hashOfValue(e.schedule) !== hashOfValue(r.schedule)) r.enabledSince = Math.max(r.enabledSince, e.at);
      r.schedule = e.schedule as unknown as ScheduleSpec;
      r.simulation = e.simulation as SimulationFixture | null;
      reschedule(s, r);
      break;
    }
    case 'RecurringRunEnabled': {
      const r = s.recurringRuns.get(e.recurringRunId);
      if (!r) break;
      if (e.enabled && !r.enabled) r.enabledSince = e.at;
      r.enabled = e.enabled;
      reschedule(s, r);
      break;
    }
    case 'RecurringRunSkipped': {
      const r = s.recurringRuns.get(e.recurringRunId);
      if (!r) break;
      if (r.lastScheduled === null || e.until > r.lastScheduled) r.lastScheduled = e.until;
      reschedule(s, r);
      break;
    }
    case 'CommandAccepted':
      break;
  }
  return s;
}
