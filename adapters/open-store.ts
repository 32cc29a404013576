/**
 * Which event store gpupool uses: `--store` or GPUPOOL_STORE, else the embedded SQLite file
 * `./data/gpupool.db`. `memory` keeps the log in memory (nothing survives the process).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventStore } from '../core/ports.js';
import { InMemoryEventStore } from './memory/store.js';
import { SqliteEventStore } from './sqlite/store.js';

export const DEFAULT_STORE = './data/gpupool.db';

/** The store named by a flag, else the environment, else the default SQLite file. */
export function storeSpec(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.GPUPOOL_STORE ?? DEFAULT_STORE;
}

export function openStore(spec: string): EventStore {
  if (spec === 'memory') return new InMemoryEventStore();
  if (/^esdb(\+discover)?:\/\//.test(spec)) {
    throw new Error(`EventStoreDB connection strings are not supported yet: ${spec}`);
  }
  mkdirSync(dirname(spec), { recursive: true });
  return new SqliteEventStore(spec);
}
