/**
 * `gpupool serve` on a store that has a long history (run by bench/history.ts): it starts on the
 * file, tells its parent how long the start took and its resident memory, and while the parent
 * loads it, watches the event loop (its longest stall) and times every snapshot the engine writes.
 * It times a snapshot of the state the history left before any load, and on 'measure' one more of
 * the state after the load, collects garbage, and answers with the figures; on 'close' it shuts
 * down.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import { serve } from '../app/serve.js';

const [file, cluster] = process.argv.slice(2) as [string, string];
const send = (m: unknown) => (process.send as (m: unknown) => boolean)(m);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const rssMb = () => process.memoryUsage().rss / 2 ** 20;

const store = new SqliteEventStore(file);
// Every snapshot the engine writes during the load, timed from the store's call until it has
// written it (it deflates off the event loop, then inserts): how long the write took, not a stall.
const snapshotMs: number[] = [];
const write = store.writeSnapshot.bind(store);
store.writeSnapshot = async (stream, snapshot) => {
  const t0 = performance.now();
  try {
    return await write(stream, snapshot);
  } finally {
    snapshotMs.push(performance.now() - t0);
  }
};

const t0 = performance.now();
const served = await serve({ port: 0, host: '127.0.0.1', store, cluster, launchDelaySeconds: 2, stopDelaySeconds: 1 });
const startSeconds = (performance.now() - t0) / 1000;
gc();
send({
  type: 'ready',
  url: served.url,
  startSeconds,
  rssMb: rssMb(),
  unfinished: served.engine.current.jobs.size,
  finished: served.engine.current.finished.size,
});
// A snapshot of the state the history left (what a restart begins from), before any load.
const atStartMs = await forcedSnapshot();
send({ type: 'started', snapshot: atStartMs, revision: served.engine.revision });
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();

/**
 * Write one snapshot of the state as it stands, as the engine writes them: the longest the event
 * loop stood still meanwhile (the engine serializes a large state a slice at a time, so the
 * store's write alone no longer tells it), and the time until the store had it.
 */
async function forcedSnapshot(): Promise<{ stallMs: number; totalMs: number }> {
  const before = snapshotMs.length;
  const stall = monitorEventLoopDelay({ resolution: 1 });
  stall.enable();
  const t0 = performance.now();
  await served.engine.snapshot();
  const totalMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5)); // the sampling timer's turn after the last slice
  stall.disable();
  snapshotMs.splice(before);
  return { stallMs: stall.max / 1e6, totalMs };
}

process.on('message', async (m: { type?: string }) => {
  if (m?.type === 'measure') {
    delay.disable();
    const forced = await forcedSnapshot();
    gc();
    send({
      type: 'measured',
      rssMb: rssMb(),
      maxStallMs: delay.max / 1e6,
      snapshotsDuringLoadMs: snapshotMs,
      snapshot: forced,
      revision: served.engine.revision,
      unfinished: served.engine.current.jobs.size,
    });
  }
  if (m?.type === 'close') {
    await served.close();
    send({ type: 'closed' });
    process.disconnect();
  }
});
