/**
 * gpupool: an event-sourced GPU scheduling engine. The package's main entry: the engine for
 * embedding, the in-memory store, and the pure core (commands, events, decide, evolve, queries).
 */

export { InMemoryEventStore } from './adapters/memory/store.js';
export * from './core/index.js';
export type { Appended, BatchOutcome, EngineListener, EngineOptions } from './engine/engine.js';
export {
  CLUSTER_STREAM,
  ConflictRetriesExhaustedError,
  CorruptEventError,
  createDeciderEngine,
  createEngine,
  DeciderEngine,
  Engine,
  randomIds,
  systemClock,
  uuidSequence,
} from './engine/engine.js';
export type { CommandTarget, Reactor, ReactorOptions } from './engine/reactor.js';
export { ReactorRunner, reactionId } from './engine/reactor.js';
