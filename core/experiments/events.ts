/**
 * The experiments stream's events, each with its schema version `v`, its time `at` and the
 * command id that made it.
 */

import { type Decoded, decoderByType, eventCodecMaker, Json, Name, NonNegInt, PosInt, record } from '../codec.js';
import { COMMAND_ACCEPTED } from '../decider.js';
import * as t from '../vendor/io-ts.js';
import { COMPLETION_REASONS } from './model.js';

export const EXPERIMENTS_EVENT_SCHEMA_VERSION = 1;

const ev = eventCodecMaker(EXPERIMENTS_EVENT_SCHEMA_VERSION);
const Assignment = t.record(t.string, t.string);
const Reason = t.keyof(
  Object.fromEntries(COMPLETION_REASONS.map((r) => [r, null])) as Record<(typeof COMPLETION_REASONS)[number], null>,
);

export const experimentEventCodecs = {
  ExperimentCreated: ev('ExperimentCreated', { experimentId: Name, owner: Name, group: Name, spec: Json, seed: NonNegInt }),
  ExperimentEdited: ev('ExperimentEdited', {
    experimentId: Name,
    parallelTrialCount: PosInt,
    maxTrialCount: t.union([PosInt, t.null]),
    maxFailedTrialCount: t.union([NonNegInt, t.null]),
  }),
  TrialsCreated: ev('TrialsCreated', {
    experimentId: Name,
    trials: t.array(
      record('NewTrial', { name: Name, assignment: Assignment, labels: t.record(t.string, t.string), jobId: Name }, {}),
    ),
    exhausted: t.boolean,
  }),
  TrialStarted: ev('TrialStarted', { experimentId: Name, trial: Name }),
  TrialEnded: ev(
    'TrialEnded',
    {
      experimentId: Name,
      trial: Name,
      status: t.keyof({ Succeeded: null, Failed: null, EarlyStopped: null, MetricsUnavailable: null, Killed: null }),
      objective: t.union([t.number, t.null]),
      metrics: t.record(t.string, t.number),
    },
    { message: t.string },
  ),
  ExperimentStopRequested: ev(
    'ExperimentStopRequested',
    { experimentId: Name, trials: t.keyof({ finish: null, stop: null }) },
    /** Why, when not a user's stop (absent: ExperimentStopped). */
    { reason: Reason },
  ),
  ExperimentCompleted: ev('ExperimentCompleted', {
    experimentId: Name,
    status: t.keyof({ Succeeded: null, Failed: null, Stopped: null }),
    reason: Reason,
    message: t.string,
  }),
  ExperimentRestarted: ev('ExperimentRestarted', { experimentId: Name }),
  CommandAccepted: ev(COMMAND_ACCEPTED, {}),
};

export type ExperimentEventType = keyof typeof experimentEventCodecs;
export type ExperimentEvent = { [K in ExperimentEventType]: t.TypeOf<(typeof experimentEventCodecs)[K]> }[ExperimentEventType];

export const decodeExperimentEvent: (u: unknown) => Decoded<ExperimentEvent> = decoderByType<ExperimentEvent>(
  experimentEventCodecs,
  'event',
);
