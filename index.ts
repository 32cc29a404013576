/**
 * gpupool: an event-sourced GPU scheduling engine. The package's main entry: the engine for
 * embedding, the in-memory store, and the pure core (commands, events, decide, evolve, queries).
 */

export { InMemoryEventStore } from './adapters/memory/store.js';
export * from './core/index.js';
export type { Appended, EngineListener, EngineOptions } from './engine/engine.js';
export {
  CLUSTER_STREAM,
  ConflictRetriesExhaustedError,
  CorruptEventError,
  createEngine,
  Engine,
  randomIds,
  systemClock,
  uuidSequence,
} from './engine/engine.js';
