import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runBatch } from '../core/cluster/batch.js';
import { initialState } from '../core/cluster/evolve.js';
import { canonicalState } from '../core/cluster/test-support/canonical.js';
import type { EventStore } from '../core/ports.js';
import { CorruptEventError, createEngine } from '../engine/engine.js';
import { ExportError, exportEvents, ImportError, importEvents } from './events-io.js';
import { EventStoreDBEventStore } from './eventstoredb/store.js';
import { InMemoryEventStore } from './memory/store.js';
import { DEFAULT_STORE, openStore, StoreNotFoundError, storeSpec } from './open-store.js';
import { SqliteEventStore } from './sqlite/store.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-events-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function clusterLog(store: EventStore = new InMemoryEventStore()) {
  const engine = await createEngine({ store, clock: { now: () => 0 } });
  await engine.executeBatch([
    { type: 'Install', userId: 'op', name: 'Op' },
    { type: 'RegisterNode', nodeId: 'n1', devices: [0, 1].map((index) => ({ index, gpuType: 'A100' })) },
    { type: 'SubmitJob', jobId: 'j1', kind: 'training', owner: 'op', gpus: 2 },
    { type: 'SubmitJob', jobId: 'j2', kind: 'notebook', owner: 'op', gpus: 1 },
  ]);
  await engine.execute({ type: 'ReportJobCompleted', jobId: 'j1' });
  return { store, engine };
}

describe('events export and import', () => {
  it('move a log from memory to SQLite and back with streams, revisions, ids and data intact', async () => {
    const { store, engine } = await clusterLog();
    await store.append('other', [{ id: 'x-1', type: 'Noted', data: { a: 1 } }], 'no_stream');
    const file = join(dir, 'log.jsonl');
    expect(await exportEvents(store, file)).toBe(engine.revision + 2);
    const sqlite = new SqliteEventStore(join(dir, 'copy.db'));
    expect(await importEvents(sqlite, file)).toBe(engine.revision + 2);
    const strip = (rs: { stream: string; revision: bigint; id: string; type: string; data: unknown }[]) =>
      rs.map(({ stream, revision, id, type, data }) => ({ stream, revision, id, type, data }));
    expect(strip(await sqlite.readAll())).toEqual(strip(await store.readAll()));
    const loaded = await createEngine({ store: sqlite });
    expect(canonicalState(loaded.current)).toBe(canonicalState(engine.current));
    await sqlite.close();
  });

  it('import the bare event lines of simulate --events as the cluster stream', async () => {
    const state = initialState();
    const { events } = runBatch(
      state,
      [
        { type: 'Install', userId: 'op', name: 'Op' },
        { type: 'CreateGroup', groupId: 'g', name: 'G' },
      ],
      3,
    );
    const file = join(dir, 'sim.jsonl');
    writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const store = new InMemoryEventStore();
    expect(await importEvents(store, file)).toBe(2);
    const engine = await createEngine({ store });
    expect(canonicalState(engine.current)).toBe(canonicalState(state));
  });

  it('refuse bad lines and a store that already holds another history, naming the place', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"stream":"s","revision":0,"id":"a","type":"T","data":{}}\nnot json\n');
    await expect(importEvents(new InMemoryEventStore(), bad)).rejects.toThrow(new ImportError(`${bad}:2: not a JSON object`));
    const gap = join(dir, 'gap.jsonl');
    writeFileSync(
      gap,
      '{"stream":"s","revision":0,"id":"a","type":"T","data":{}}\n{"stream":"s","revision":5,"id":"b","type":"T","data":{}}\n',
    );
    await expect(importEvents(new InMemoryEventStore(), gap)).rejects.toThrow(/gap.jsonl:2: stream 's' jumps to revision 5/);
  });

  it('refuse a store that already holds events, even the same log again, and change nothing', async () => {
    const { store } = await clusterLog();
    const before = await store.readAll();
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, '{"stream":"tokens","revision":0,"id":"t","type":"T","data":{}}\n');
    const same = join(dir, 'same.jsonl');
    await exportEvents(store, same);
    for (const file of [other, same])
      await expect(importEvents(store, file, 'store copy.db')).rejects.toThrow(
        new ImportError('store copy.db already holds events; import only into an empty store (nothing was imported)'),
      );
    expect(await store.readAll()).toEqual(before);
  });

  it('refuse a log file that cannot be read, and an export file that cannot be written, in one line', async () => {
    const missing = join(dir, 'no-such.jsonl');
    await expect(importEvents(new InMemoryEventStore(), missing)).rejects.toThrow(
      new ImportError(`cannot read ${missing}: ENOENT`),
    );
    const { store } = await clusterLog();
    const nowhere = join(dir, 'no-such-dir', 'log.jsonl');
    await expect(exportEvents(store, nowhere)).rejects.toThrow(new ExportError(`cannot write ${nowhere}: ENOENT`));
    await expect(exportEvents(store, dir)).rejects.toThrow(new ExportError(`cannot write ${dir}: EISDIR`));
  });

  it('leave no partial export behind when the store fails mid-way', async () => {
    const { store } = await clusterLog();
    const failing: EventStore = { ...store, readAll: async () => Promise.reject(new Error('connection lost')) };
    const file = join(dir, 'partial.jsonl');
    await expect(exportEvents(failing, file)).rejects.toThrow('connection lost');
    expect(existsSync(file)).toBe(false);
  });
});

describe('start-up on a stored event that does not decode', () => {
  it('stops with an error naming the stream, the revision and the field, rather than skipping it', async () => {
    const file = join(dir, 'corrupt.db');
    const { engine } = await clusterLog(new SqliteEventStore(file));
    expect(engine.revision).toBeGreaterThan(3);
    const db = new Database(file);
    const row = db.prepare("SELECT data FROM events WHERE stream = 'cluster' AND revision = 2").get() as { data: string };
    const data = JSON.parse(row.data);
    data.gpus = 'two';
    db.prepare("UPDATE events SET data = ? WHERE stream = 'cluster' AND revision = 2").run(JSON.stringify(data));
    db.close();
    const err = await createEngine({ store: new SqliteEventStore(file) }).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptEventError);
    expect(err.message).toMatch(/stream 'cluster' revision 2: .*JobSubmitted\.gpus: expected an integer >= 0, got "two"/);
  });
});

describe('choosing the store', () => {
  it('takes the flag, else GPUPOOL_STORE, else the SQLite file under ./data', () => {
    expect(storeSpec('x.db', { GPUPOOL_STORE: 'y.db' })).toBe('x.db');
    expect(storeSpec(undefined, { GPUPOOL_STORE: 'y.db' })).toBe('y.db');
    expect(storeSpec(undefined, {})).toBe(DEFAULT_STORE);
    expect(DEFAULT_STORE).toBe('./data/gpupool.db');
  });

  it('refuses a SQLite file that does not exist when asked to, rather than create an empty one', async () => {
    const file = join(dir, 'absent', 'g.db');
    await expect(openStore(file, {}, { mustExist: true })).rejects.toThrow(new StoreNotFoundError(file));
    expect(existsSync(join(dir, 'absent'))).toBe(false);
  });

  it('opens SQLite for a path (creating its folder), memory for "memory", EventStoreDB for esdb:// strings', async () => {
    const s = await openStore(join(dir, 'deep', 'er', 'g.db'));
    expect(s).toBeInstanceOf(SqliteEventStore);
    await s.close();
    expect(await openStore('memory')).toBeInstanceOf(InMemoryEventStore);
    // Connecting is lazy: opening names the server, the first operation reaches it.
    const esdb = await openStore('esdb://localhost:2113?tls=false', {});
    expect(esdb).toBeInstanceOf(EventStoreDBEventStore);
    expect((esdb as EventStoreDBEventStore).namespace).toBe('gpupool');
    await esdb.close();
    const cluster = await openStore('esdb+discover://cluster.internal:2113', { GPUPOOL_ESDB_NAMESPACE: 'staging' });
    expect((cluster as EventStoreDBEventStore).streamName('cluster')).toBe('staging-cluster');
    await cluster.close();
    await expect(openStore('esdb://localhost:port', {})).rejects.toThrow(
      /invalid EventStoreDB connection string 'esdb:\/\/localhost:port'/,
    );
    await expect(openStore('esdb://localhost:2113', { GPUPOOL_ESDB_NAMESPACE: 'a-b' })).rejects.toThrow(/namespace must be/);
  });
});
