/**
 * The experiments stream's commands. A user creates, edits (only the three counts, as Katib),
 * stops and restarts an experiment; the experiment controller (app/experiment-controller.ts)
 * records the trials its algorithm suggested and what their jobs did. The spec is parsed and
 * checked at the edge (spec.ts) and kept as it came out.
 */

import { type Decoded, decoderByType, Id, Json, NonNegInt, NonNegNumber, PosInt, record } from '../codec.js';
import * as t from '../vendor/io-ts.js';

const envelope = { commandId: Id, at: NonNegNumber };
const cmd = <T extends string, R extends t.Props, O extends t.Props>(type: T, required: R, optional: O) =>
  record(type, { type: t.literal(type), ...required }, { ...envelope, ...optional });

const Assignment = t.record(t.string, t.string);
const Outcome = t.keyof({ succeeded: null, failed: null, 'early-stopped': null, 'metrics-unavailable': null, killed: null });

export const experimentCommandCodecs = {
  CreateExperiment: cmd('CreateExperiment', { experimentId: Id, owner: Id, group: Id, spec: Json, seed: NonNegInt }, {}),
  EditExperiment: cmd(
    'EditExperiment',
    { experimentId: Id },
    { parallelTrialCount: PosInt, maxTrialCount: t.union([PosInt, t.null]), maxFailedTrialCount: t.union([NonNegInt, t.null]) },
  ),
  /** Stop: its running trials finish (`finish`) or are stopped (`stop`); no new trial starts. */
  StopExperiment: cmd('StopExperiment', { experimentId: Id, trials: t.keyof({ finish: null, stop: null }) }, {}),
  /** Run a finished experiment again, when its resume policy allows (not Never). */
  RestartExperiment: cmd('RestartExperiment', { experimentId: Id }, {}),
  /** The controller: the trials its algorithm suggested now, and whether the space is exhausted. */
  CreateTrials: cmd(
    'CreateTrials',
    {
      experimentId: Id,
      trials: t.array(record('NewTrial', { name: Id, assignment: Assignment, labels: t.record(t.string, t.string) }, {})),
      exhausted: t.boolean,
    },
    {},
  ),
  ReportTrialStarted: cmd('ReportTrialStarted', { experimentId: Id, trial: Id }, {}),
  ReportTrialEnded: cmd(
    'ReportTrialEnded',
    {
      experimentId: Id,
      trial: Id,
      outcome: Outcome,
      objective: t.union([t.number, t.null]),
      metrics: t.record(t.string, t.number),
    },
    { message: t.string },
  ),
  /** The controller: the experiment's maximum duration has passed. */
  ExpireExperiment: cmd('ExpireExperiment', { experimentId: Id }, {}),
};

export type ExperimentCommandType = keyof typeof experimentCommandCodecs;
export type ExperimentCommand = {
  [K in ExperimentCommandType]: t.TypeOf<(typeof experimentCommandCodecs)[K]>;
}[ExperimentCommandType];
export type ExperimentCommandOf<K extends ExperimentCommandType> = t.TypeOf<(typeof experimentCommandCodecs)[K]>;

export const decodeExperimentCommand: (u: unknown) => Decoded<ExperimentCommand> = decoderByType<ExperimentCommand>(
  experimentCommandCodecs,
  'command',
);
