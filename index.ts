/**
 * gpupool: an event-sourced GPU scheduling engine. The package's main entry: the engine for
 * embedding, the in-memory store, and the pure core (commands, events, decide, evolve, queries).
 */
export { Engine, createEngine, systemClock, randomIds, uuidSequence, CLUSTER_STREAM, CorruptEventError, ConflictRetriesExhaustedError } from './engine/engine.js';
export type { EngineOptions, Appended, EngineListener } from './engine/engine.js';
export { InMemoryEventStore } from './adapters/memory/store.js';
export * from './core/index.js';
