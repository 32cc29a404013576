/**
 * One engine start-up in a fresh process, as a restarted server would do it (`gpupool serve`): open
 * the SQLite file and the job archive in it, load (from the latest snapshot when `snapshotEvery` >
 * 0, else by replaying every event), print the seconds as one JSON line. Run by bench/durable.ts.
 */
import { openJobArchive } from '../adapters/open-store.js';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import { CLUSTER_STREAM, createEngine } from '../engine/engine.js';

const [file, every, mode] = process.argv.slice(2) as [string, string, string];
const store = new SqliteEventStore(file);
const t0 = performance.now();
if (mode === 'read') {
  // The store alone: rows read in the engine's pages and handed back as events, nothing decoded
  // or folded.
  let events = 0;
  for (let from = 0n; ; ) {
    const page = await store.read(CLUSTER_STREAM, { from, maxCount: 10_000 });
    events += page.length;
    if (page.length < 10_000) break;
    from += 10_000n;
  }
  process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - t0) / 1000, events })}\n`);
} else {
  const engine = await createEngine({ store, snapshotEvery: Number(every), archive: openJobArchive(store) });
  process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - t0) / 1000, events: engine.revision + 1 })}\n`);
  engine.archive?.close();
}
await store.close();
