/**
 * The durable-store benchmarks (SQLite, synchronous=FULL): single-command batches from 1, 16 and
 * 256 concurrent callers through the engine (group commit gathers concurrent calls into one
 * transaction), and start-up on a log of N events with and without a snapshot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import type { Command } from '../core/commands.js';
import { createEngine } from '../engine/engine.js';

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

/** Build a log of about `events` events, then time start-up without and with a snapshot. */
export async function startup(events: number): Promise<{ withoutSnapshotS: number; withSnapshotS: number; events: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gpupool-bench-'));
  const file = join(dir, 's.db');
  try {
    const store = new SqliteEventStore(file);
    const engine = await createEngine({ store, snapshotEvery: events - 10 });
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
      await engine.executeBatch(
        batch.map((c): Command => ({ type: 'ReportJobCompleted', jobId: (c as { jobId: string }).jobId })),
      );
    }
    await store.close();
    const time = async (snapshotEvery: number) => {
      const s = new SqliteEventStore(file);
      const t0 = performance.now();
      await createEngine({ store: s, snapshotEvery });
      const seconds = (performance.now() - t0) / 1000;
      await s.close();
      return seconds;
    };
    return { withoutSnapshotS: await time(0), withSnapshotS: await time(events - 10), events: engine.revision + 1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
