/** The pure core: everything here is deterministic and free of I/O. */

export type { BatchResult, CommandOutcome } from './cluster/batch.js';
export { runBatch, stamp } from './cluster/batch.js';
export { clusterDecider } from './cluster/cluster-decider.js';
export type { Command, CommandOf, CommandType, DecodeResult } from './cluster/commands.js';
export { COMMAND_TYPES, commandCodecs, decodeCommand, MAX_TAGS_LENGTH } from './cluster/commands.js';
export type { Decision } from './cluster/decide.js';
export { decide } from './cluster/decide.js';
export type { Event, EventBody, EventOf, EventType } from './cluster/events.js';
export { decodeEvent, EVENT_SCHEMA_VERSION, EVENT_TYPES, eventCodecs } from './cluster/events.js';
export { deviceId, evolve, initialState, replay } from './cluster/evolve.js';
export { allocationsInOnePool, checkInvariants } from './cluster/invariants.js';
export * from './cluster/model.js';
export * from './cluster/queries.js';
export { nextWakeup } from './cluster/scheduler/timers.js';
export type { StateSnapshot } from './cluster/snapshot.js';
export { fromSnapshot, STATE_SCHEMA_VERSION, toSnapshot } from './cluster/snapshot.js';
export type { Decoded, DecodeIssue } from './codec.js';
export type {
  CommandEnvelope,
  Decider,
  DeciderBatch,
  DeciderState,
  EventEnvelope,
  Unstamped,
} from './decider.js';
export { foldEnvelope, runDeciderBatch } from './decider.js';
export { COMMAND_ID_WINDOW, fingerprintOf } from './idempotency.js';
export type * from './ports.js';
export { expectationMet, snapshotJson, snapshotJsonPieces } from './ports.js';
export type { Rejection, RejectionCode } from './rejection.js';
export type { Result } from './result.js';
