/** The pure core: everything here is deterministic and free of I/O. */
export * from './model.js';
export { commandCodecs, decodeCommand, COMMAND_TYPES, MAX_TAGS_LENGTH } from './commands.js';
export type { Command, CommandOf, CommandType, DecodeResult } from './commands.js';
export { eventCodecs, decodeEvent, EVENT_TYPES, EVENT_SCHEMA_VERSION } from './events.js';
export type { Event, EventOf, EventType, EventBody } from './events.js';
export type { DecodeIssue } from './codec.js';
export { decide } from './decide.js';
export type { Decision } from './decide.js';
export { evolve, initialState, replay, deviceId } from './evolve.js';
export { runBatch, stamp } from './batch.js';
export type { BatchResult, CommandOutcome } from './batch.js';
export type { Rejection, RejectionCode } from './rejection.js';
export { checkInvariants, allocationsInOnePool } from './invariants.js';
export * from './queries.js';
export type * from './ports.js';
