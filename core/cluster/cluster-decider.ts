/**
 * The cluster as a decider (decider.ts): topology, pools, groups, users and jobs in one stream,
 * decided by `decide`, folded by `evolve` (the owned projection, updated in place for speed; see
 * model.ts), its batches ending with the scheduling pass (`runBatch`), its state written to and
 * read from snapshots (snapshot.ts).
 */

import type { Decider } from '../decider.js';
import { invalidCommand, runBatch } from './batch.js';
import { type Command, decodeCommand } from './commands.js';
import { decide } from './decide.js';
import { decodeEvent, EVENT_SCHEMA_VERSION, type Event } from './events.js';
import { evolve, initialState } from './evolve.js';
import type { State } from './model.js';
import { captureSnapshot, fromSnapshot, releaseCapture, STATE_SCHEMA_VERSION } from './snapshot.js';

export const clusterDecider: Decider<Command, Event, State> = {
  eventSchemaVersion: EVENT_SCHEMA_VERSION,
  initialState,
  validate: invalidCommand,
  decodeCommand,
  decide,
  evolve,
  decodeEvent,
  runBatch(state, commands, at) {
    const r = runBatch(state, commands, at);
    return { state, outcomes: r.outcomes, events: r.events };
  },
  // Captured (jobs' rows made as the snapshot is serialized) and restored from that JSON.
  snapshots: {
    schemaVersion: STATE_SCHEMA_VERSION,
    toSnapshot: captureSnapshot,
    fromSnapshot,
    detached: true,
    release: releaseCapture,
  },
};
