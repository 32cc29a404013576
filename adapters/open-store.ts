/**
 * Which event store gpupool uses: `--store` or GPUPOOL_STORE, else the embedded SQLite file
 * `./data/gpupool.db`. `memory` keeps the log in memory (nothing survives the process). An
 * EventStoreDB connection string (`esdb://host:2113?tls=false`, `esdb+discover://...`) opens
 * EventStoreDB, under the namespace GPUPOOL_ESDB_NAMESPACE (default `gpupool`).
 */
import { existsSync } from 'node:fs';
import type { JobArchive } from '../core/cluster/job-archive.js';
import { MemoryJobArchive } from '../core/cluster/memory-archive.js';
import type { EventStore } from '../core/ports.js';
import { InMemoryEventStore } from './memory/store.js';
import { SqliteJobArchive } from './sqlite/job-archive.js';
import { SqliteEventStore } from './sqlite/store.js';

export const DEFAULT_STORE = './data/gpupool.db';

/** The store named by a flag, else the environment, else the default SQLite file. */
export function storeSpec(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.GPUPOOL_STORE ?? DEFAULT_STORE;
}

/** Whether a spec names an EventStoreDB server rather than a SQLite file or memory. */
export function isEventStoreDB(spec: string): boolean {
  return /^esdb(\+discover)?:\/\//.test(spec);
}

/** A command that reads an existing log was pointed at a SQLite file that does not exist. */
export class StoreNotFoundError extends Error {
  constructor(readonly spec: string) {
    super(`store ${spec} does not exist (give --store or GPUPOOL_STORE the file gpupool serve uses)`);
    this.name = 'StoreNotFoundError';
  }
}

export interface OpenStoreOptions {
  /**
   * Refuse a SQLite file that does not exist, rather than create an empty one (a mistyped path
   * would otherwise read as an empty log, and leave a stray file behind).
   */
  readonly mustExist?: boolean;
}

export async function openStore(
  spec: string,
  env: NodeJS.ProcessEnv = process.env,
  options: OpenStoreOptions = {},
): Promise<EventStore> {
  if (spec === 'memory') return new InMemoryEventStore();
  if (isEventStoreDB(spec)) {
    // Loaded only when asked for: the gRPC client adds about 90 ms to every command's start.
    const { EventStoreDBEventStore } = await import('./eventstoredb/store.js');
    const namespace = env.GPUPOOL_ESDB_NAMESPACE;
    return new EventStoreDBEventStore(spec, namespace ? { namespace } : {});
  }
  if (options.mustExist && !existsSync(spec)) throw new StoreNotFoundError(spec);
  // The store makes the file's folder itself.
  return new SqliteEventStore(spec);
}

/**
 * The job archive (finished jobs' records) that goes with a store: a table in the same SQLite
 * file, so it persists with the log and the engine can start from a snapshot; in memory for the
 * other stores (the engine then replays the whole log at start-up to fill it).
 */
export function openJobArchive(store: EventStore): JobArchive {
  if (store instanceof SqliteEventStore && store.file !== ':memory:' && store.file !== '') {
    return new SqliteJobArchive(store.file);
  }
  return new MemoryJobArchive();
}
