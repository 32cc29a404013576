/**
 * The pipelines stream's commands. Users upload pipelines and versions (parsed and checked at the
 * edge, parse.ts, and kept as they came out), add components to their group's library, make
 * pipeline experiments, runs and recurring runs; the run executor (app/pipeline-executor.ts)
 * reports what each step's job did; a Tick (at the next instant `nextPipelinesWakeup` names)
 * fires the recurring runs that are due.
 */

import { type Decoded, decoderByType, Id, Json, NonNegNumber, PosInt, record } from '../codec.js';
import * as t from '../vendor/io-ts.js';

const envelope = { commandId: Id, at: NonNegNumber };
const cmd = <T extends string, R extends t.Props, O extends t.Props>(type: T, required: R, optional: O) =>
  record(type, { type: t.literal(type), ...required }, { ...envelope, ...optional });

const Format = t.keyof({ v2: null, 'v1-component': null, 'v1-graph': null });
const Parameters = t.record(t.string, Json);
/** The run's simulation fixture (model.ts StepFixture per task), checked at the edge. */
const Simulation = t.union([Json, t.null]);
const NewVersion = record(
  'NewVersion',
  { versionId: Id, name: Id, format: Format, spec: Json, platform: t.union([Json, t.null]) },
  { description: t.string },
);
const Artifact = record('Artifact', { uri: t.string }, { metadata: t.record(t.string, Json), schemaTitle: t.string });
const Outputs = record('Outputs', { parameters: Parameters, artifacts: t.record(t.string, t.array(Artifact)) }, {});

export const pipelineCommandCodecs = {
  CreatePipeline: cmd(
    'CreatePipeline',
    { pipelineId: Id, owner: Id, group: Id, name: Id, version: NewVersion },
    { description: t.string },
  ),
  CreatePipelineVersion: cmd('CreatePipelineVersion', { pipelineId: Id, version: NewVersion }, {}),
  AddComponent: cmd(
    'AddComponent',
    { group: Id, owner: Id, digest: Id, name: t.string, text: t.string, url: t.union([t.string, t.null]) },
    {},
  ),
  CreatePipelineExperiment: cmd(
    'CreatePipelineExperiment',
    { experimentId: Id, owner: Id, group: Id, name: Id },
    { description: t.string },
  ),
  ArchivePipelineExperiment: cmd('ArchivePipelineExperiment', { experimentId: Id, archived: t.boolean }, {}),
  CreateRun: cmd(
    'CreateRun',
    { runId: Id, owner: Id, group: Id, name: Id, pipelineId: Id, parameters: Parameters },
    {
      /** Absent: the pipeline's latest version. */
      versionId: Id,
      experimentId: Id,
      pipelineRoot: t.string,
      simulation: Simulation,
    },
  ),
  /** The executor: a step's job started running. */
  ReportTaskStarted: cmd('ReportTaskStarted', { runId: Id, task: t.string, attempt: PosInt }, {}),
  /** The executor: a step's job ended; a success carries its outputs. */
  ReportTaskEnded: cmd(
    'ReportTaskEnded',
    { runId: Id, task: t.string, attempt: PosInt, outcome: t.keyof({ succeeded: null, failed: null, canceled: null }) },
    { outputs: Outputs, message: t.string },
  ),
  TerminateRun: cmd('TerminateRun', { runId: Id }, {}),
  /** Run again what did not succeed; what did keeps its outputs. */
  RetryRun: cmd('RetryRun', { runId: Id }, {}),
  ArchiveRun: cmd('ArchiveRun', { runId: Id, archived: t.boolean }, {}),
  CreateRecurringRun: cmd(
    'CreateRecurringRun',
    {
      recurringRunId: Id,
      owner: Id,
      group: Id,
      name: Id,
      pipelineId: Id,
      parameters: Parameters,
      /** schedule.ts's ScheduleSpec, checked at the edge. */
      schedule: Json,
      enabled: t.boolean,
    },
    { versionId: Id, experimentId: Id, simulation: Simulation },
  ),
  /** A new version of a recurring run's settings (KFP cannot edit one). */
  UpdateRecurringRun: cmd(
    'UpdateRecurringRun',
    { recurringRunId: Id },
    {
      pipelineId: Id,
      versionId: t.union([Id, t.null]),
      parameters: Parameters,
      schedule: Json,
      experimentId: t.union([Id, t.null]),
      simulation: Simulation,
    },
  ),
  SetRecurringRunEnabled: cmd('SetRecurringRunEnabled', { recurringRunId: Id, enabled: t.boolean }, {}),
  /** Start a run of it now, beside its schedule. */
  TriggerRecurringRun: cmd('TriggerRecurringRun', { recurringRunId: Id }, {}),
  /** Time has passed: recurring runs due by now fire. */
  Tick: cmd('Tick', {}, {}),
};

export type PipelineCommandType = keyof typeof pipelineCommandCodecs;
export type PipelineCommand = {
  [K in PipelineCommandType]: t.TypeOf<(typeof pipelineCommandCodecs)[K]>;
}[PipelineCommandType];
export type PipelineCommandOf<K extends PipelineCommandType> = t.TypeOf<(typeof pipelineCommandCodecs)[K]>;

export const decodePipelineCommand: (u: unknown) => Decoded<PipelineCommand> = decoderByType<PipelineCommand>(
  pipelineCommandCodecs,
  'command',
);
