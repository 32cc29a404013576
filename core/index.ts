/** The pure core: everything here is deterministic and free of I/O. */

export type { BatchResult, CommandOutcome } from './batch.js';
export { runBatch, stamp } from './batch.js';
export { clusterDecider } from './cluster-decider.js';
export type { Decoded, DecodeIssue } from './codec.js';
export type { Command, CommandOf, CommandType, DecodeResult } from './commands.js';
export { COMMAND_TYPES, commandCodecs, decodeCommand, MAX_TAGS_LENGTH } from './commands.js';
export type { Decision } from './decide.js';
export { decide } from './decide.js';
export type {
  CommandEnvelope,
  Decider,
  DeciderBatch,
  DeciderState,
  EventEnvelope,
  Unstamped,
} from './decider.js';
export { foldEnvelope, runDeciderBatch } from './decider.js';
export type { Event, EventBody, EventOf, EventType } from './events.js';
export { decodeEvent, EVENT_SCHEMA_VERSION, EVENT_TYPES, eventCodecs } from './events.js';
export { deviceId, evolve, initialState, replay } from './evolve.js';
export { COMMAND_ID_WINDOW, fingerprintOf } from './idempotency.js';
export { allocationsInOnePool, checkInvariants } from './invariants.js';
export * from './model.js';
export type * from './ports.js';
export { expectationMet } from './ports.js';
export * from './queries.js';
export type { Rejection, RejectionCode } from './rejection.js';
export type { Result } from './result.js';
export { nextWakeup } from './scheduler/timers.js';
export type { StateSnapshot } from './snapshot.js';
export { fromSnapshot, STATE_SCHEMA_VERSION, toSnapshot } from './snapshot.js';
