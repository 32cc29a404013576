/**
 * Engine durability with snapshots: a restarted engine rebuilds exactly the state it had, from the
 * latest snapshot of its state-schema version plus the events after it; a snapshot of another
 * version, or one that does not restore, is ignored and the log is replayed from the start.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { openJobArchive } from '../adapters/open-store.js';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import { MemoryJobArchive } from '../core/cluster/memory-archive.js';
import { STATE_SCHEMA_VERSION } from '../core/cluster/snapshot.js';
import { scenarioArb } from '../core/cluster/test-support/arbitraries.js';
import { canonicalState } from '../core/cluster/test-support/canonical.js';
import type { EventStore, ReadOptions } from '../core/ports.js';
import { CLUSTER_STREAM, createEngine } from './engine.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-snapshots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Count the events start-up reads, to see that it starts from the snapshot. */
function counting(store: EventStore): EventStore & { eventsRead: number } {
  const wrapped = Object.create(store) as EventStore & { eventsRead: number };
  wrapped.eventsRead = 0;
  wrapped.read = async (stream: string, options?: ReadOptions) => {
    const rows = await store.read(stream, options);
    wrapped.eventsRead += rows.length;
    return rows;
  };
  return wrapped;
}

describe('engine restarts', () => {
  it('rebuild exactly the state a never-restarted engine has, restarting at random points (memory and SQLite)', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb({ maxBatches: 20 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.boolean(),
        async (scenario, cuts, onSqlite) => {
          const store: EventStore = onSqlite ? new SqliteEventStore(join(dir, `p-${files++}.db`)) : new InMemoryEventStore();
          const reference = await createEngine({ store: new InMemoryEventStore(), clock: { now: () => 0 } });
          let engine = await createEngine({ store, clock: { now: () => 0 }, snapshotEvery: 7 });
          const restartAfter = new Set(cuts.map((c) => c % scenario.batches.length));
          for (const [i, batch] of scenario.batches.entries()) {
            await reference.executeBatch(batch.commands, { at: batch.at });
            await engine.executeBatch(batch.commands, { at: batch.at });
            if (restartAfter.has(i)) engine = await createEngine({ store, clock: { now: () => 0 }, snapshotEvery: 7 });
            expect(canonicalState(engine.current)).toBe(canonicalState(reference.current));
          }
          await store.close();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('write a snapshot while later batches go on: of the revision it was taken at, landing in order, awaited by close', async () => {
    const inner = new InMemoryEventStore();
    // The store takes its time over snapshots: each write waits until the test lets it land.
    const landed: bigint[] = [];
    const gates: (() => void)[] = [];
    const store = Object.create(inner) as EventStore;
    store.writeSnapshot = async (stream, snapshot) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      await inner.writeSnapshot(stream, snapshot);
      landed.push(snapshot.revision);
    };
    const engine = await createEngine({ store, snapshotEvery: 10 });
    await engine.execute({ type: 'Install', userId: 'op', name: 'Op' });
    const node = (i: number) => ({ type: 'RegisterNode' as const, nodeId: `n${i}`, devices: [{ index: 0, gpuType: 'A100' }] });
    for (let i = 0; i < 12; i++) await engine.execute(node(i)); // crosses 10 events: a snapshot of revision 9 is due
    // Every batch went on while that snapshot waited on the store; the one due at 20 waits for a
    // batch after it has landed rather than queueing behind it.
    for (let i = 12; i < 25; i++) await engine.execute(node(i));
    expect(engine.revision).toBe(25);
    expect(landed).toEqual([]);
    // Serialized already, it waits only on the store: the state keeps nothing open for it.
    expect(engine.current.captures).toEqual([]);
    // Let every waiting write land, until `done` settles.
    const letLand = async (done: Promise<void>) => {
      let settled = false;
      void done.finally(() => (settled = true));
      while (!settled) {
        for (const open of gates.splice(0)) open();
        await new Promise((r) => setImmediate(r));
      }
    };
    await letLand(engine.snapshot()); // an explicit one, of revision 25, lands after the first
    expect(landed).toEqual([9n, 25n]);
    // The first batch after them takes the snapshot that fell due meanwhile (revision 26). When the
    // engine closes, the one still being written lands first, and the one that fell due since (at
    // 30 events) is taken then, of the last revision.
    for (let i = 25; i < 35; i++) await engine.execute(node(i));
    expect(landed).toEqual([9n, 25n]);
    await letLand(engine.close());
    expect(landed).toEqual([9n, 25n, 26n, 35n]);
    expect(engine.current.captures).toEqual([]);
    // Each is a snapshot of the state at its revision: an engine started from the last has the same state.
    const watched = counting(inner);
    const again = await createEngine({ store: watched, snapshotEvery: 10, archive: engine.archive });
    expect(watched.eventsRead).toBe(0);
    expect(canonicalState(again.current)).toBe(canonicalState(engine.current));
  });

  it('start from the latest snapshot and read only the events after it', async () => {
    const store = new InMemoryEventStore();
    const first = await createEngine({ store, snapshotEvery: 10 });
    await first.execute({ type: 'Install', userId: 'op', name: 'Op' });
    for (let i = 0; i < 25; i++) {
      await first.execute({ type: 'RegisterNode', nodeId: `n${i}`, devices: [{ index: 0, gpuType: 'A100' }] });
      await first.snapshotsWritten(); // each written before the next is due (they are written while batches go on)
    }
    expect(first.revision).toBe(25);
    const snap = await store.readSnapshot(CLUSTER_STREAM, STATE_SCHEMA_VERSION);
    expect(snap?.revision).toBe(19n); // written when the log crossed 20 events
    // The archive of finished jobs persists beside the store (as the SQLite one does): the second
    // engine starts from the snapshot.
    const watched = counting(store);
    const second = await createEngine({ store: watched, snapshotEvery: 10, archive: first.archive });
    expect(watched.eventsRead).toBe(6); // revisions 20..25
    expect(canonicalState(second.current)).toBe(canonicalState(first.current));
  });

  it('on SQLite, start from the snapshot with the archive in the same file: finished jobs still listed, read and cloned', async () => {
    const file = join(dir, `archive-${files++}.db`);
    const open = async () => {
      const store = new SqliteEventStore(file);
      const archive = openJobArchive(store);
      const watched = counting(store);
      const engine = await createEngine({ store: watched, snapshotEvery: 10, archive });
      return { store, watched, archive, engine };
    };
    const first = await open();
    const e = first.engine;
    await e.execute({ type: 'Install', userId: 'op', name: 'Op' });
    await e.execute({ type: 'RegisterNode', nodeId: 'n', devices: [{ index: 0, gpuType: 'A100' }] });
    for (let i = 0; i < 8; i++) {
      await e.execute({ type: 'SubmitJob', jobId: `j${i}`, kind: 'training', owner: 'op', gpus: 1, tags: [`t${i % 2}`] });
      await e.execute({ type: 'ReportJobStarted', jobId: `j${i}` });
      await e.execute({ type: 'ReportJobFailed', jobId: `j${i}`, reason: 'oom' });
    }
    await e.execute({ type: 'SubmitJob', jobId: 'live', kind: 'notebook', owner: 'op', gpus: 1 });
    const listed = e.jobs().map((j) => [j.id, j.status, j.history.length]);
    await e.snapshot(); // one more, at the last revision: restored with the finished ids from the archive
    const canonical = canonicalState(e.current);
    await e.close();
    await first.store.close();
    first.archive.close();

    const second = await open();
    expect(second.watched.eventsRead).toBe(0);
    expect(canonicalState(second.engine.current)).toBe(canonical);
    expect(second.engine.current.jobs.size).toBe(1);
    expect(second.engine.jobs().map((j) => [j.id, j.status, j.history.length])).toEqual(listed);
    expect(second.engine.jobs({ tag: 't1', status: 'Error' }).map((j) => j.id)).toEqual(['j1', 'j3', 'j5', 'j7']);
    expect(second.engine.job('j3')?.failure).toEqual({ reason: 'oom', message: 'oom' });
    const clone = await second.engine.execute({ type: 'CloneJob', jobId: 'j3-again', sourceJobId: 'j3' });
    expect(clone.ok).toBe(true);
    expect(second.engine.job('j3-again')).toMatchObject({ kind: 'training', tags: ['t1'], clonedFrom: 'j3' });
    await second.engine.close();
    await second.store.close();
    second.archive.close();
  });

  it('replay from the start when the job archive is behind the snapshot, so it misses no finished job', async () => {
    const store = new InMemoryEventStore();
    const first = await createEngine({ store, snapshotEvery: 10 });
    await first.execute({ type: 'Install', userId: 'op', name: 'Op' });
    await first.execute({ type: 'RegisterNode', nodeId: 'n', devices: [{ index: 0, gpuType: 'A100' }] });
    for (let i = 0; i < 8; i++) {
      await first.execute({ type: 'SubmitJob', jobId: `j${i}`, kind: 'training', owner: 'op', gpus: 1 });
      await first.execute({ type: 'ReportJobStarted', jobId: `j${i}` });
      await first.execute({ type: 'ReportJobCompleted', jobId: `j${i}` });
    }
    await first.snapshotsWritten();
    expect(Number((await store.readSnapshot(CLUSTER_STREAM, STATE_SCHEMA_VERSION))?.revision)).toBeGreaterThan(0);
    const watched = counting(store);
    const fresh = new MemoryJobArchive(); // in a new process the in-memory archive is empty
    const second = await createEngine({ store: watched, snapshotEvery: 10, archive: fresh });
    expect(watched.eventsRead).toBe(first.revision + 1);
    expect(second.jobs().map((j) => [j.id, j.status])).toEqual(first.jobs().map((j) => [j.id, j.status]));
    expect(second.jobs()).toHaveLength(8);
    expect(fresh.revision).toBeGreaterThanOrEqual(
      Number((await store.readSnapshot(CLUSTER_STREAM, STATE_SCHEMA_VERSION))?.revision),
    );
    // The snapshot leaves finished jobs' ids to the archive: an engine that keeps none cannot start
    // from it, replays the log, and still knows every finished job's name.
    const counted = counting(store);
    const bare = await createEngine({ store: counted, snapshotEvery: 10, archive: null });
    expect(counted.eventsRead).toBe(first.revision + 1);
    expect(bare.current.finished.size).toBe(8);
    const again = await bare.execute({ type: 'SubmitJob', jobId: 'j0', kind: 'training', owner: 'op', gpus: 1 });
    expect(again.ok ? undefined : again.rejection.code).toBe('already-exists');
  });

  it('serve time travel from the latest snapshot when it is not past the revision asked for', async () => {
    const store = new InMemoryEventStore();
    // One clock for both: events stamped by the wall clock would differ by a millisecond when the
    // machine is busy, and so would the states compared.
    const clock = { now: () => 1_000 };
    const engine = await createEngine({ store: counting(store), snapshotEvery: 10, clock });
    const reference = await createEngine({ store: new InMemoryEventStore(), clock });
    for (const c of [
      { type: 'Install', userId: 'op', name: 'Op' } as const,
      ...Array.from({ length: 25 }, (_, i) => ({
        type: 'RegisterNode' as const,
        nodeId: `n${i}`,
        devices: [{ index: 0, gpuType: 'A100' }],
      })),
    ]) {
      await engine.execute(c);
      await engine.snapshotsWritten();
      await reference.execute(c);
    }
    const watched = counting(store);
    const travelling = await createEngine({ store: watched, snapshotEvery: 10 });
    watched.eventsRead = 0;
    const at22 = await travelling.stateAt(22);
    expect(watched.eventsRead).toBe(6); // one page from the snapshot at 19 on: 20..25
    expect(canonicalState(at22)).toBe(canonicalState(await reference.stateAt(22)));
    watched.eventsRead = 0;
    const at5 = await travelling.stateAt(5); // before the snapshot: from the start
    expect(watched.eventsRead).toBe(26);
    expect(canonicalState(at5)).toBe(canonicalState(await reference.stateAt(5)));
  });

  it('ignore a snapshot of another state-schema version and one that does not restore', async () => {
    const store = new InMemoryEventStore();
    const first = await createEngine({ store });
    await first.execute({ type: 'Install', userId: 'op', name: 'Op' });
    await first.execute({ type: 'RegisterNode', nodeId: 'n1', devices: [{ index: 0, gpuType: 'A100' }] });
    // A snapshot from a future schema, and a corrupt one claiming the current schema.
    await store.writeSnapshot(CLUSTER_STREAM, { revision: 1n, schemaVersion: STATE_SCHEMA_VERSION + 1, state: { bogus: true } });
    const watched = counting(store);
    const second = await createEngine({ store: watched, snapshotEvery: 5 });
    expect(watched.eventsRead).toBe(2);
    expect(canonicalState(second.current)).toBe(canonicalState(first.current));
    await store.writeSnapshot(CLUSTER_STREAM, { revision: 1n, schemaVersion: STATE_SCHEMA_VERSION, state: { nodes: 'garbage' } });
    const third = await createEngine({ store, snapshotEvery: 5 });
    expect(canonicalState(third.current)).toBe(canonicalState(first.current));
  });
});
