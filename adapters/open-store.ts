/**
 * Which event store gpupool uses: `--store` or GPUPOOL_STORE, else the embedded SQLite file
 * `./data/gpupool.db`. `memory` keeps the log in memory (nothing survives the process). An
 * EventStoreDB connection string (`esdb://host:2113?tls=false`, `esdb+discover://...`) opens
 * EventStoreDB, under the namespace GPUPOOL_ESDB_NAMESPACE (default `gpupool`).
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

export async function openStore(spec: string, env: NodeJS.ProcessEnv = process.env): Promise<EventStore> {
  if (spec === 'memory') return new InMemoryEventStore();
  if (/^esdb(\+discover)?:\/\//.test(spec)) {
    // Loaded only when asked for: the gRPC client adds about 90 ms to every command's start.
    const { EventStoreDBEventStore } = await import('./eventstoredb/store.js');
    const namespace = env.GPUPOOL_ESDB_NAMESPACE;
    return new EventStoreDBEventStore(spec, namespace ? { namespace } : {});
  }
  mkdirSync(dirname(spec), { recursive: true });
  return new SqliteEventStore(spec);
}
