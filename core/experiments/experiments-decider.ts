/**
 * The experiments context as a decider (decider.ts), on its own stream (`experiments`): the one
 * engine runs it with the default batch. Start-up reads its latest snapshot (snapshot.ts) and the
 * events after it.
 */
import type { Decider } from '../decider.js';
import { reject } from '../rejection.js';
import { decodeExperimentCommand, type ExperimentCommand } from './commands.js';
import { decideExperiments } from './decide.js';
import { decodeExperimentEvent, EXPERIMENTS_EVENT_SCHEMA_VERSION, type ExperimentEvent } from './events.js';
import { evolveExperiments, initialExperimentsState } from './evolve.js';
import type { ExperimentsState } from './model.js';
import { EXPERIMENTS_STATE_SCHEMA_VERSION, experimentsFromSnapshot, experimentsToSnapshot } from './snapshot.js';

export const EXPERIMENTS_STREAM = 'experiments';

export const experimentsDecider: Decider<ExperimentCommand, ExperimentEvent, ExperimentsState> = {
  eventSchemaVersion: EXPERIMENTS_EVENT_SCHEMA_VERSION,
  initialState: initialExperimentsState,
  validate(c) {
    const r = decodeExperimentCommand(c);
    return r.ok ? null : reject('invalid-command', r.message, { issues: r.issues });
  },
  decodeCommand: decodeExperimentCommand,
  decide: decideExperiments,
  evolve: evolveExperiments,
  decodeEvent: decodeExperimentEvent,
  snapshots: {
    schemaVersion: EXPERIMENTS_STATE_SCHEMA_VERSION,
    toSnapshot: experimentsToSnapshot,
    fromSnapshot: experimentsFromSnapshot,
  },
};
