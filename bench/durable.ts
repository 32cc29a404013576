/**
 * The durable-store benchmarks (SQLite, synchronous=FULL): single-command batches from 1, 16 and
 * 256 concurrent callers through the engine (group commit gathers concurrent calls into one
 * transaction), and start-up on a log of N events with and without a snapshot.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJobArchive } from '../adapters/open-store.js';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import type { Command } from '../core/cluster/commands.js';
import { STATE_SCHEMA_VERSION } from '../core/cluster/snapshot.js';
import { CLUSTER_STREAM, createEngine } from '../engine/engine.js';

export interface AppendRun {
  commandsPerSecond: number;
  p99Ms: number;
  transactions: number;
}

const setup: Command[] = [
  { type: 'Install', userId: 'op', name: 'Op' },
  { type: 'RegisterNode', nodeId: 'n1', devices: [{ index: 0, gpuType: 'A100' }] },
];

/** `callers` concurrent loops, each awaiting one command at a time, `total` commands in all. */
export async function durableAppends(callers: number, total: number): Promise<AppendRun> {
  const dir = mkdtempSync(join(tmpdir(), 'gpupool-bench-'));
  const store = new SqliteEventStore(join(dir, 'b.db'));
  try {
    const engine = await createEngine({ store });
    await engine.executeBatch(setup);
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: callers }, async () => {
        for (;;) {
          const i = next++;
          if (i >= total) return;
          const t0 = performance.now();
          // A 0-GPU notebook: a real command whose events (submitted, allocated) are written durably.
          await engine.execute({ type: 'SubmitJob', jobId: `j${i}`, kind: 'notebook', owner: 'op', gpus: 0 });
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      commandsPerSecond: total / seconds,
      p99Ms: latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] as number,
      transactions: store.stats.transactions,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface StartupRun {
  events: number;
  /** Seconds per fresh-process start-up, one per repetition. */
  withSnapshotS: number[];
  withoutSnapshotS: number[];
  /** Seconds to read every event from SQLite, nothing decoded or folded. */
  readOnlyS: number[];
}

/**
 * Build a log of about `events` events (with a snapshot near its end), then time start-up in a
 * fresh process each time (the builder's heap would otherwise slow the collector): with the
 * snapshot, by full replay, and the store's read alone.
 */
export async function startup(events: number, reps: number): Promise<StartupRun> {
  const dir = mkdtempSync(join(tmpdir(), 'gpupool-bench-'));
  const file = join(dir, 's.db');
  try {
    const built = await buildLog(file, events);
    const child = new URL('./startup-child.js', import.meta.url).pathname;
    const time = (every: number, mode = 'engine') => {
      const out = spawnSync(process.execPath, [child, file, String(every), mode], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`start-up child failed: ${out.stderr}`);
      return (JSON.parse(out.stdout) as { seconds: number }).seconds;
    };
    const run: StartupRun = { events: built, withSnapshotS: [], withoutSnapshotS: [], readOnlyS: [] };
    for (let r = 0; r < reps; r++) {
      run.withSnapshotS.push(time(events - 10));
      run.withoutSnapshotS.push(time(0));
      run.readOnlyS.push(time(0, 'read'));
    }
    return run;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Jobs of one GPU on 125 nodes of 8, submitted and completed 500 at a time; a snapshot near the end.
 * Finished jobs go to the SQLite job archive in the same file, as `gpupool serve` keeps them: an
 * engine starts from a snapshot only when its archive is not behind it.
 */
async function buildLog(file: string, events: number): Promise<number> {
  const store = new SqliteEventStore(file);
  const archive = openJobArchive(store);
  const engine = await createEngine({ store, snapshotEvery: events - 10, archive });
  await engine.executeBatch([
    { type: 'Install', userId: 'op', name: 'Op' },
    ...Array.from(
      { length: 125 },
      (_, n): Command => ({
        type: 'RegisterNode',
        nodeId: `n${String(n).padStart(3, '0')}`,
        devices: Array.from({ length: 8 }, (_, index) => ({ index, gpuType: 'A100' })),
      }),
    ),
  ]);
  let job = 0;
  while (engine.revision < events - 1) {
    const batch: Command[] = [];
    for (let k = 0; k < 500; k++) batch.push({ type: 'SubmitJob', jobId: `j${job++}`, kind: 'training', owner: 'op', gpus: 1 });
    await engine.executeBatch(batch);
    await engine.executeBatch(batch.map((c): Command => ({ type: 'ReportJobCompleted', jobId: (c as { jobId: string }).jobId })));
  }
  // The engine writes its snapshot while batches go on: closing it waits for that write. Closing
  // only the store left the log without its snapshot, and "with a snapshot" timed a full replay.
  await engine.close();
  const snapshot = await store.readSnapshot(CLUSTER_STREAM, STATE_SCHEMA_VERSION);
  if (snapshot === undefined) throw new Error('durable bench: the log was built without its snapshot');
  archive.close();
  await store.close();
  return engine.revision + 1;
}
