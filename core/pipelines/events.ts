/**
 * The pipelines stream's events, each with its schema version `v`, its time `at` and the command
 * id that made it. A run's task events (TaskCreated, TaskUpdated, RunStateChanged) are exactly the
 * changes run-progress.ts decides, so evolve applies what decide saw.
 */

import { type Decoded, decoderByType, eventCodecMaker, Json, Name, NonNegInt, NonNegNumber, record } from '../codec.js';
import { COMMAND_ACCEPTED } from '../decider.js';
import * as t from '../vendor/io-ts.js';
import { RUN_STATES, TASK_STATES } from './model.js';

export const PIPELINES_EVENT_SCHEMA_VERSION = 1;

const ev = eventCodecMaker(PIPELINES_EVENT_SCHEMA_VERSION);
const keys = <const L extends readonly string[]>(l: L) =>
  t.keyof(Object.fromEntries(l.map((k) => [k, null])) as Record<L[number], null>);
const TaskStateC = keys(TASK_STATES);
const RunStateC = keys(RUN_STATES);
const Parameters = t.record(t.string, Json);
const Artifact = record('Artifact', { uri: t.string }, { metadata: t.record(t.string, Json), schemaTitle: t.string });
const Artifacts = t.record(t.string, t.array(Artifact));
const Outputs = record('Outputs', { parameters: Parameters, artifacts: Artifacts }, {});
const Inputs = record('Inputs', { parameters: Parameters, artifacts: Artifacts }, {});
const NullableName = t.union([Name, t.null]);
const Format = t.keyof({ v2: null, 'v1-component': null, 'v1-graph': null });

const NewTask = record(
  'NewTask',
  {
    path: t.string,
    key: t.string,
    name: t.string,
    kind: t.keyof({ dag: null, loop: null, container: null, importer: null }),
    component: t.string,
    parent: t.union([t.string, t.null]),
    iteration: t.union([NonNegInt, t.null]),
    state: TaskStateC,
    inputs: Inputs,
    outputs: t.union([Outputs, t.null]),
    jobId: NullableName,
    fingerprint: t.union([t.string, t.null]),
    items: t.union([t.array(Json), t.null]),
    parallelism: NonNegInt,
    message: t.union([t.string, t.null]),
  },
  {},
);

export const pipelineEventCodecs = {
  PipelineCreated: ev('PipelineCreated', { pipelineId: Name, owner: Name, group: Name, name: Name, description: t.string }),
  PipelineVersionCreated: ev('PipelineVersionCreated', {
    pipelineId: Name,
    versionId: Name,
    name: Name,
    description: t.string,
    format: Format,
    spec: Json,
    platform: t.union([Json, t.null]),
  }),
  ComponentAdded: ev('ComponentAdded', {
    group: Name,
    owner: Name,
    digest: Name,
    name: t.string,
    url: t.union([t.string, t.null]),
    text: t.string,
  }),
  PipelineExperimentCreated: ev('PipelineExperimentCreated', {
    experimentId: Name,
    owner: Name,
    group: Name,
    name: Name,
    description: t.string,
  }),
  PipelineExperimentArchived: ev('PipelineExperimentArchived', { experimentId: Name, archived: t.boolean }),
  RunCreated: ev('RunCreated', {
    runId: Name,
    owner: Name,
    group: Name,
    name: Name,
    experimentId: NullableName,
    pipelineId: Name,
    versionId: Name,
    parameters: Parameters,
    pipelineRoot: t.string,
    simulation: t.union([Json, t.null]),
    recurringRunId: NullableName,
    scheduledAt: t.union([NonNegNumber, t.null]),
  }),
  TaskCreated: ev('TaskCreated', { runId: Name, task: NewTask }),
  TaskUpdated: ev(
    'TaskUpdated',
    { runId: Name, path: t.string, state: TaskStateC },
    { outputs: Outputs, message: t.string, attempt: NonNegInt, jobId: Name, retryAt: NonNegNumber },
  ),
  RunStateChanged: ev('RunStateChanged', { runId: Name, state: RunStateC }, { message: t.string }),
  /** A retry: the tasks it forgets (they run again) and the DAGs it reopens (retryPlan). */
  RunRetried: ev('RunRetried', { runId: Name, removed: t.array(t.string), reopened: t.array(t.string) }),
  RunArchived: ev('RunArchived', { runId: Name, archived: t.boolean }),
  RecurringRunCreated: ev('RecurringRunCreated', {
    recurringRunId: Name,
    owner: Name,
    group: Name,
    name: Name,
    pipelineId: Name,
    versionId: NullableName,
    experimentId: NullableName,
    parameters: Parameters,
    schedule: Json,
    simulation: t.union([Json, t.null]),
    enabled: t.boolean,
  }),
  RecurringRunUpdated: ev('RecurringRunUpdated', {
    recurringRunId: Name,
    version: NonNegInt,
    pipelineId: Name,
    versionId: NullableName,
    experimentId: NullableName,
    parameters: Parameters,
    schedule: Json,
    simulation: t.union([Json, t.null]),
  }),
  RecurringRunEnabled: ev('RecurringRunEnabled', { recurringRunId: Name, enabled: t.boolean }),
  /** The schedule's cursor moved past fire times it skipped (catch-up policy `latest` or `none`). */
  RecurringRunSkipped: ev('RecurringRunSkipped', { recurringRunId: Name, until: NonNegNumber, skipped: NonNegInt }),
  CommandAccepted: ev(COMMAND_ACCEPTED, {}),
};

export type PipelineEventType = keyof typeof pipelineEventCodecs;
export type PipelineEvent = { [K in PipelineEventType]: t.TypeOf<(typeof pipelineEventCodecs)[K]> }[PipelineEventType];

export const decodePipelineEvent: (u: unknown) => Decoded<PipelineEvent> = decoderByType<PipelineEvent>(
  pipelineEventCodecs,
  'event',
);
