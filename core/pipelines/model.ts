/**
 * The pipelines context: Kubeflow-compatible pipelines (with versions), the component library
 * graph components resolve from, pipeline experiments (KFP's: folders of runs, not tuning
 * experiments), runs with their task graphs, and recurring runs; on the stream `pipelines`.
 *
 * Everything is group-scoped, as every asset is: created by a user in their group and seen by the
 * group (the sharing rules of the assets context). Ids are `<group>/<name>`.
 *
 * A run pins the IR of the version it runs (ir.ts) and keeps one record per task *execution*: the
 * root DAG, each task of a DAG, each iteration of a loop, each nested DAG's tasks, addressed by a
 * path (`root/for-loop-1/3/print-op`). A container task becomes a `pipeline-step` job of the
 * cluster; the run executor (app/pipeline-executor.ts) submits it and reports what it did. How a
 * run moves forward is run-progress.ts's; this file only names the shapes.
 *
 * The state is an owned projection, as the cluster's is: evolve updates it in place.
 */
import type { DeciderState } from '../decider.js';
import type { DueIndex } from './due-index.js';
import type { JsonValue, PipelineSpec, PlatformSpec } from './ir.js';
import type { ScheduleSpec } from './schedule.js';

/** KFP v2's runtime states of a run (V2beta1RuntimeState). */
export const RUN_STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELING', 'CANCELED', 'PAUSED'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** A task's states: the run's, and CACHED (its outputs reused from an earlier execution). */
export const TASK_STATES = [...RUN_STATES, 'CACHED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Ended for good (until a retry). */
export const isTaskDone = (s: TaskState): boolean =>
  s === 'SUCCEEDED' || s === 'SKIPPED' || s === 'FAILED' || s === 'CANCELED' || s === 'CACHED';
/** Ended well: its outputs can be read. */
export const isTaskOk = (s: TaskState): boolean => s === 'SUCCEEDED' || s === 'CACHED';
export const isRunDone = (s: RunState): boolean => s === 'SUCCEEDED' || s === 'FAILED' || s === 'CANCELED' || s === 'SKIPPED';

export type TaskKind = 'dag' | 'loop' | 'container' | 'importer';

export interface ArtifactValue {
  readonly uri: string;
  readonly metadata?: Readonly<Record<string, JsonValue>>;
  /** `system.Dataset`, `system.Model`, ... */
  readonly schemaTitle?: string;
}

export interface TaskOutputs {
  readonly parameters: Readonly<Record<string, JsonValue>>;
  /** Each output artifact: a list (one item, or a loop's collected items). */
  readonly artifacts: Readonly<Record<string, readonly ArtifactValue[]>>;
}

export interface ResolvedInputs {
  readonly parameters: Readonly<Record<string, JsonValue>>;
  readonly artifacts: Readonly<Record<string, readonly ArtifactValue[]>>;
}

export interface TaskRun {
  /** `root`, `root/<task>`, `root/<loop>/<i>/<task>`. */
  readonly path: string;
  /** The task's key in its DAG (for an iteration: the loop's key). */
  readonly key: string;
  /** Its display name (`taskInfo.name`; an iteration: `<loop name> #<i>`). */
  readonly name: string;
  readonly kind: TaskKind;
  /** The component it runs. */
  readonly component: string;
  /** The DAG execution it belongs to; null for the root. */
  readonly parent: string | null;
  /** A loop's iteration: its index. */
  readonly iteration: number | null;
  state: TaskState;
  /** Every state it went through, with when. */
  readonly history: { state: TaskState; at: number }[];
  inputs: ResolvedInputs;
  outputs: TaskOutputs | null;
  readonly createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  message: string | null;
  /** A container: attempts so far (1 for the first), its job, a retry's due time, its cache key. */
  attempt: number;
  jobId: string | null;
  retryAt: number | null;
  readonly fingerprint: string | null;
  /** A loop: its items, how many iterations may run at once (0: no limit). */
  readonly items: readonly JsonValue[] | null;
  readonly parallelism: number;
  /** The task paths it created (a DAG's tasks, a loop's iterations), in creation order. */
  readonly children: string[];
}

export interface PipelineVersion {
  /** `<pipeline id>@<name>`. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly createdAt: number;
  readonly format: 'v2' | 'v1-component' | 'v1-graph';
  readonly spec: PipelineSpec;
  readonly platform: PlatformSpec | null;
}

export interface Pipeline {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly group: string;
  readonly description: string;
  readonly createdAt: number;
  /** In creation order; the last is the latest. */
  readonly versions: PipelineVersion[];
}

/** A component of the group's library, for graph components' references. */
export interface LibraryComponent {
  /** SHA-256 of its text. */
  readonly digest: string;
  readonly name: string;
  readonly url: string | null;
  readonly text: string;
  readonly owner: string;
  readonly addedAt: number;
}

/** A KFP experiment: a named folder of runs and recurring runs. */
export interface PipelineExperiment {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly group: string;
  readonly description: string;
  readonly createdAt: number;
  archived: boolean;
}

/** What the simulated runtime does with a task (by its key or its path's tail). */
export interface StepFixture {
  readonly seconds?: number;
  readonly outcome?: 'succeeded' | 'failed';
  /** Fail this many attempts, then succeed (a retry policy's test). */
  readonly failAttempts?: number;
  /** Fail until the run has been retried this many times (a run retry's test). */
  readonly failRuns?: number;
  readonly outputs?: Readonly<Record<string, JsonValue>>;
}
export type SimulationFixture = Readonly<Record<string, StepFixture>>;

export interface Run {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly group: string;
  readonly experimentId: string | null;
  readonly pipelineId: string;
  readonly versionId: string;
  /** The IR it runs, pinned when it was created. */
  readonly spec: PipelineSpec;
  readonly platform: PlatformSpec | null;
  /** The pipeline's inputs, with their defaults applied. */
  readonly parameters: Readonly<Record<string, JsonValue>>;
  readonly pipelineRoot: string;
  readonly simulation: SimulationFixture | null;
  readonly recurringRunId: string | null;
  readonly scheduledAt: number | null;
  readonly createdAt: number;
  state: RunState;
  readonly history: { state: RunState; at: number }[];
  finishedAt: number | null;
  archived: boolean;
  /** Every task execution by path; the root is `root`. */
  readonly tasks: Map<string, TaskRun>;
  /** Times it was retried. */
  retries: number;
  /** Container and importer executions created so far: the ordinal in the next step's job id. */
  steps: number;
}

export interface RecurringRun {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly group: string;
  experimentId: string | null;
  pipelineId: string;
  /** null: the pipeline's latest version when a run starts. */
  versionId: string | null;
  parameters: Record<string, JsonValue>;
  schedule: ScheduleSpec;
  simulation: SimulationFixture | null;
  enabled: boolean;
  /** Since when it is enabled: time before is never backfilled. */
  enabledSince: number;
  /** The latest scheduled time a run was started for. */
  lastScheduled: number | null;
  /** Edits so far (1 when created). */
  version: number;
  readonly createdAt: number;
  /** Its runs not yet ended (max concurrency). */
  readonly active: Set<string>;
  /** Every run it started, in order. */
  readonly runs: string[];
}

export interface PipelinesState extends DeciderState {
  readonly pipelines: Map<string, Pipeline>;
  /** Each group's library, by digest. */
  readonly libraries: Map<string, Map<string, LibraryComponent>>;
  readonly experiments: Map<string, PipelineExperiment>;
  readonly runs: Map<string, Run>;
  readonly recurringRuns: Map<string, RecurringRun>;
  /** Task records by the job that runs them: how the executor finds a task from a cluster event. Derived. */
  readonly taskOfJob: Map<string, { run: string; task: string }>;
  /** Successful container executions by fingerprint, per group: the cache. Derived. */
  readonly cache: Map<string, TaskOutputs>;
  /** Recurring runs by their next fire time. Derived. */
  readonly due: DueIndex;
}

export const ROOT = 'root';
export const childPath = (parent: string, key: string): string => `${parent}/${key}`;
