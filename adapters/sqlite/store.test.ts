/**
 * The SQLite store against the EventStore port's contract, plus what only a file-backed store
 * promises: what it acknowledged is there after a reopen, group commit, its schema version.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { LeaseResult } from '../../core/ports.js';
import { eventStoreContract } from '../test-support/event-store-contract.js';
import { SNAPSHOT_CHUNK_BYTES, SQLITE_SCHEMA_VERSION, SqliteEventStore } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshFile = () => join(dir, `store-${n++}.db`);

eventStoreContract('SqliteEventStore', () => new SqliteEventStore(freshFile(), { pollMs: 10 }), {
  reopen: (closed) => new SqliteEventStore((closed as SqliteEventStore).file, { pollMs: 10 }),
  // Another connection to the same file: what a second process opens.
  sibling: (open) => new SqliteEventStore((open as SqliteEventStore).file, { pollMs: 10 }),
});

/**
 * A file as an older gpupool left it, its schema written out here as it was then (not taken from
 * the store's migrations, which would follow any change to them): schema 1 held events and
 * snapshots, schema 2 added the server leases, schema 3 the checkpoints.
 */
function fileOfSchema(version: 1 | 2 | 3): string {
  const file = freshFile();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE events (
      position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL,
      type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT, UNIQUE (stream, revision)
    );
    CREATE TABLE snapshots (
      stream TEXT NOT NULL, schema_version INTEGER NOT NULL, revision INTEGER NOT NULL, state TEXT NOT NULL,
      PRIMARY KEY (stream, schema_version)
    );`);
  if (version >= 2) {
    db.exec(`CREATE TABLE leases (
      name TEXT PRIMARY KEY, holder TEXT NOT NULL, pid INTEGER NOT NULL, hostname TEXT NOT NULL, expires_at INTEGER NOT NULL
    );`);
  }
  if (version >= 3) {
    db.exec('CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL, updated_at INTEGER NOT NULL);');
    db.prepare('INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?)').run('billing', '2', 0);
  }
  db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(version));
  const insert = db.prepare(
    'INSERT INTO events (position, stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  insert.run(0, 'cluster', 0, 'e0', 'NodeRegistered', '{"node":"n1"}', null);
  insert.run(1, 'tokens', 0, 'e1', 'TokenIssued', '{"user":"u"}', '{"by":"admin"}');
  insert.run(2, 'cluster', 1, 'e2', 'JobSubmitted', '{"job":"j1"}', null);
  db.prepare('INSERT INTO snapshots (stream, schema_version, revision, state) VALUES (?, ?, ?, ?)').run(
    'cluster',
    4,
    1,
    '{"n":1}',
  );
  db.close();
  return file;
}

const schemaVersionOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get();
  } finally {
    db.close();
  }
};

describe('SqliteEventStore specifics', () => {
  const e = (id: string) => ({ id, type: 'T', data: { id } });

  /** A state whose JSON deflates to several chunks: numbers no pattern repeats (a seeded generator). */
  const bulkyState = (seed: number, rows = 60_000) => {
    let x = seed;
    const next = () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x;
    };
    return { seed, jobs: Array.from({ length: rows }, (_, i) => [`j${i}`, next().toString(36), next() % 100_000]) };
  };
  /** What the file holds of a stream's snapshots: its row, and its chunks by write. */
  const keptIn = (file: string, stream: string) => {
    const raw = new Database(file, { readonly: true });
    try {
      const row = raw.prepare('SELECT revision, state, chunks, write_id FROM snapshots WHERE stream = ?').get(stream) as
        | { revision: number; state: Buffer | string; chunks: number; write_id: string | null }
        | undefined;
      const chunks = raw
        .prepare('SELECT write_id, seq, length(data) AS bytes FROM snapshot_chunks WHERE stream = ? ORDER BY write_id, seq')
        .all(stream) as { write_id: string; seq: number; bytes: number }[];
      return { row, chunks };
    } finally {
      raw.close();
    }
  };

  it("keeps a snapshot deflated, in chunks of SNAPSHOT_CHUNK_BYTES named by its row, and only the last write's", async () => {
    const file = freshFile();
    const a = new SqliteEventStore(file);
    const state = bulkyState(1);
    await a.writeSnapshot('s', { revision: 4n, schemaVersion: 1, state });
    const first = keptIn(file, 's');
    expect(first.row?.chunks).toBeGreaterThan(2);
    expect(first.chunks.map((c) => [c.write_id, c.seq])).toEqual(
      Array.from({ length: first.row?.chunks ?? 0 }, (_, i) => [first.row?.write_id, i]),
    );
    // Every chunk but the last is one chunk's worth; no row holds it whole.
    for (const c of first.chunks.slice(0, -1)) expect(c.bytes).toBe(SNAPSHOT_CHUNK_BYTES);
    expect(first.chunks.at(-1)?.bytes).toBeLessThanOrEqual(SNAPSHOT_CHUNK_BYTES);
    expect(first.row?.state).toHaveLength(0);
    const deflated = first.chunks.reduce((sum, c) => sum + c.bytes, 0);
    expect(deflated).toBeLessThan(JSON.stringify(state).length / 1.5);
    expect(await a.readSnapshot('s', 1)).toEqual({ revision: 4n, schemaVersion: 1, state });
    // Written again: the new write's chunks replace the old ones.
    const second = bulkyState(2);
    await a.writeSnapshot('s', { revision: 7n, schemaVersion: 1, state: second });
    const after = keptIn(file, 's');
    expect(after.row?.write_id).not.toBe(first.row?.write_id);
    expect(new Set(after.chunks.map((c) => c.write_id))).toEqual(new Set([after.row?.write_id]));
    expect(await a.readSnapshot('s', 1)).toEqual({ revision: 7n, schemaVersion: 1, state: second });
    await a.close();
  });

  it('reads a snapshot kept whole, as JSON text (versions before 5) or one deflated blob (version 5)', async () => {
    const file = freshFile();
    const a = new SqliteEventStore(file);
    const raw = new Database(file);
    const insert = raw.prepare('INSERT INTO snapshots (stream, schema_version, revision, state) VALUES (?, ?, ?, ?)');
    insert.run('t', 1, 9, '{"n":9}');
    insert.run('u', 1, 3, deflateRawSync(Buffer.from('{"jobs":["\u00e9t\u00e9"]}', 'utf8')));
    raw.close();
    expect(await a.readSnapshot('t', 1)).toEqual({ revision: 9n, schemaVersion: 1, state: { n: 9 } });
    expect(await a.readSnapshot('u', 1)).toEqual({ revision: 3n, schemaVersion: 1, state: { jobs: ['été'] } });
    // Written over by this version: in chunks from then on.
    await a.writeSnapshot('t', { revision: 10n, schemaVersion: 1, state: { n: 10 } });
    expect(keptIn(file, 't').row?.chunks).toBe(1);
    expect(await a.readSnapshot('t', 1)).toEqual({ revision: 10n, schemaVersion: 1, state: { n: 10 } });
    await a.close();
  });

  it('writes chunks in turns of their own, readers seeing the snapshot before until the last lands; a write in progress lands before close', async () => {
    const file = freshFile();
    const a = new SqliteEventStore(file);
    await a.writeSnapshot('s', { revision: 1n, schemaVersion: 1, state: { n: 1 } });
    const reader = new SqliteEventStore(file);
    const big = bulkyState(3);
    const writing = a.writeSnapshot('s', { revision: 2n, schemaVersion: 1, state: big });
    // Between two of the write's turns: some of its chunks are in, the row still names the write before.
    let seen: ReturnType<typeof keptIn> | undefined;
    for (let turn = 0; turn < 10_000 && seen === undefined; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const now = keptIn(file, 's');
      if (now.chunks.some((c) => c.write_id !== now.row?.write_id)) seen = now;
    }
    expect(seen?.row?.revision).toBe(1);
    expect(await reader.readSnapshot('s', 1)).toEqual({ revision: 1n, schemaVersion: 1, state: { n: 1 } });
    await a.close(); // while the write is in progress: it lands first
    await writing;
    expect(await reader.readSnapshot('s', 1)).toEqual({ revision: 2n, schemaVersion: 1, state: big });
    await reader.close();
  });

  it('ignores the chunks of a write cut short (a crash) and drops them with the next write; no snapshot when its own chunks are missing', async () => {
    const file = freshFile();
    const a = new SqliteEventStore(file);
    await a.writeSnapshot('s', { revision: 1n, schemaVersion: 1, state: { n: 1 } });
    const raw = new Database(file);
    const orphan = raw.prepare(
      'INSERT INTO snapshot_chunks (stream, schema_version, write_id, seq, data) VALUES (?, ?, ?, ?, ?)',
    );
    orphan.run('s', 1, 'cut-short', 0, Buffer.from('not deflate at all'));
    orphan.run('s', 1, 'cut-short', 1, Buffer.from('nor this'));
    expect(await a.readSnapshot('s', 1)).toEqual({ revision: 1n, schemaVersion: 1, state: { n: 1 } });
    await a.writeSnapshot('s', { revision: 2n, schemaVersion: 1, state: { n: 2 } });
    expect(keptIn(file, 's').chunks.map((c) => c.write_id)).toEqual([keptIn(file, 's').row?.write_id]);
    // A chunk of the snapshot the row names is gone (the file changed by hand): no snapshot, not a wrong one.
    raw.prepare('DELETE FROM snapshot_chunks WHERE stream = ?').run('s');
    raw.close();
    expect(await a.readSnapshot('s', 1)).toBeUndefined();
    await a.close();
  });

  it('of two processes writing a snapshot at once, the one that lands last in time wins; the other is refused, naming why, and leaves nothing behind', async () => {
    const file = freshFile();
    const a = new SqliteEventStore(file);
    const b = new SqliteEventStore(file); // another process's connection
    const slow = a.writeSnapshot('s', { revision: 5n, schemaVersion: 1, state: bulkyState(4) });
    const refused = slow.then(
      () => null,
      (e: Error) => e.message,
    );
    // Once the slow write has chunks in, the other's small write lands whole, dropping them.
    for (let turn = 0; turn < 10_000 && keptIn(file, 's').chunks.length === 0; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await b.writeSnapshot('s', { revision: 6n, schemaVersion: 1, state: { n: 6 } });
    expect(await refused).toBe(
      "the snapshot of stream 's' at revision 5 was not kept: another process's snapshot landed while it was written",
    );
    expect(await a.readSnapshot('s', 1)).toEqual({ revision: 6n, schemaVersion: 1, state: { n: 6 } });
    const left = keptIn(file, 's');
    expect(left.chunks.filter((c) => c.write_id === left.row?.write_id)).toHaveLength(1);
    // The refused write's chunks before its last are left until the next write that lands drops them.
    await a.writeSnapshot('s', { revision: 7n, schemaVersion: 1, state: { n: 7 } });
    expect(keptIn(file, 's').chunks).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps what it acknowledged across a reopen, with revisions, positions and data intact', async () => {
    const file = freshFile();
    const a = new SqliteEventStore(file);
    await a.append('s', [e('1'), e('2')], 'no_stream');
    await a.append('t', [e('3')], 'no_stream');
    await a.writeSnapshot('s', { revision: 1n, schemaVersion: 7, state: { x: [1, 2] } });
    await a.close();
    const b = new SqliteEventStore(file);
    expect((await b.readAll()).map((r) => [r.stream, r.revision, r.position, r.id, r.data])).toEqual([
      ['s', 0n, 0n, '1', { id: '1' }],
      ['s', 1n, 1n, '2', { id: '2' }],
      ['t', 0n, 2n, '3', { id: '3' }],
    ]);
    expect(await b.readSnapshot('s', 7)).toEqual({ revision: 1n, schemaVersion: 7, state: { x: [1, 2] } });
    expect(await b.append('s', [e('4')], 1n)).toMatchObject({ ok: true, nextExpectedRevision: 2n });
    await b.close();
  });

  it('writes appends that arrive together in one transaction, each checked against its own expected revision', async () => {
    const store = new SqliteEventStore(freshFile());
    const results = await Promise.all([
      store.append('s', [e('a')], 'no_stream'),
      store.append('s', [e('b')], 0n),
      store.append('s', [e('c')], 0n), // stale: conflicts, but does not undo the others
      store.append('u', [e('d')], 'no_stream'),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true]);
    expect(store.stats).toEqual({ appends: 4, checkpoints: 0, transactions: 1 });
    expect((await store.read('s')).map((r) => r.id)).toEqual(['a', 'b']);
    await store.close();
  });

  it('is durable by configuration: WAL journal, synchronous FULL, and its schema version recorded', async () => {
    const file = freshFile();
    const store = new SqliteEventStore(file);
    await store.append('s', [e('x')], 'any');
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SQLITE_SCHEMA_VERSION));
    db.close();
  });

  it('writes checkpoints that arrive with appends in the same transaction, in arrival order', async () => {
    const store = new SqliteEventStore(freshFile());
    const results = await Promise.all([
      store.append('s', [e('a')], 'no_stream'),
      store.writeCheckpoint('billing', 0n),
      store.writeCheckpoint('alerts', 4n),
      store.writeCheckpoint('billing', 1n),
    ]);
    expect(results[0]).toMatchObject({ ok: true });
    expect(store.stats).toEqual({ appends: 1, checkpoints: 3, transactions: 1 });
    expect(await store.readCheckpoint('billing')).toBe(1n);
    expect(await store.readCheckpoint('alerts')).toBe(4n);
    await store.close();
  });

  it('writes a checkpoint queued when the store closes, as it does an append', async () => {
    const file = freshFile();
    const a = new SqliteEventStore(file);
    const written = a.writeCheckpoint('billing', 9n);
    await a.close();
    await written;
    const b = new SqliteEventStore(file);
    expect(await b.readCheckpoint('billing')).toBe(9n);
    await b.close();
  });

  it('shares checkpoints between stores on one file, and keeps them out of the events table', async () => {
    const file = freshFile();
    const a = new SqliteEventStore(file);
    const b = new SqliteEventStore(file);
    await a.writeCheckpoint('billing', 2n ** 63n + 1n); // past SQLite's signed 64-bit INTEGER
    expect(await b.readCheckpoint('billing')).toBe(2n ** 63n + 1n);
    await a.close();
    await b.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(0);
    const row = db.prepare('SELECT name, position, updated_at FROM checkpoints').get() as Record<string, unknown>;
    expect(row).toMatchObject({ name: 'billing', position: '9223372036854775809' });
    expect(Math.abs((row.updated_at as number) - Date.now())).toBeLessThan(60_000);
    db.close();
  });

  it('migrates a file of the previous schema (3) on open, keeping its checkpoints; named leases start empty', async () => {
    const file = fileOfSchema(3);
    const store = new SqliteEventStore(file);
    expect(schemaVersionOf(file)).toBe(String(SQLITE_SCHEMA_VERSION));
    expect(await store.readAll()).toHaveLength(3);
    expect(await store.readCheckpoint('billing')).toBe(2n);
    expect(await store.readLease('leader')).toBeUndefined();
    expect(await store.acquireLease('leader', 'a', 30, 1000)).toMatchObject({ ok: true });
    await store.close();
    const again = new SqliteEventStore(file);
    expect(await again.readLease('leader')).toEqual({ name: 'leader', holder: 'a', expiresAt: 1030 });
    await again.close();
  });

  it('migrates a file of schema 2 on open, keeping its events and snapshots', async () => {
    const file = fileOfSchema(2);
    const store = new SqliteEventStore(file);
    expect(schemaVersionOf(file)).toBe(String(SQLITE_SCHEMA_VERSION));
    expect((await store.readAll()).map((r) => [r.stream, r.revision, r.position, r.id, r.type, r.data, r.metadata])).toEqual([
      ['cluster', 0n, 0n, 'e0', 'NodeRegistered', { node: 'n1' }, null],
      ['tokens', 0n, 1n, 'e1', 'TokenIssued', { user: 'u' }, { by: 'admin' }],
      ['cluster', 1n, 2n, 'e2', 'JobSubmitted', { job: 'j1' }, null],
    ]);
    expect(await store.readSnapshot('cluster', 4)).toEqual({ revision: 1n, schemaVersion: 4, state: { n: 1 } });
    expect(await store.readCheckpoint('billing')).toBeUndefined();
    await store.writeCheckpoint('billing', 2n);
    expect(await store.append('cluster', [e('e3')], 1n)).toMatchObject({ ok: true, nextExpectedRevision: 2n, position: 3n });
    expect(await store.acquireLease('runtime', 'a', 30, 1000)).toMatchObject({ ok: true });
    await store.close();
    // Opened again: migrated once, nothing lost.
    const again = new SqliteEventStore(file);
    expect(await again.readCheckpoint('billing')).toBe(2n);
    expect(await again.readAll()).toHaveLength(4);
    await again.close();
  });

  it('migrates a file of schema 1 through every step', async () => {
    const file = fileOfSchema(1);
    const store = new SqliteEventStore(file);
    expect(schemaVersionOf(file)).toBe(String(SQLITE_SCHEMA_VERSION));
    expect(await store.read('cluster')).toHaveLength(2);
    await store.writeCheckpoint('billing', 1n);
    expect(await store.readCheckpoint('billing')).toBe(1n);
    expect(await store.acquireLease('leader', 'a', 30, 1000)).toMatchObject({ ok: true });
    await store.close();
  });

  it('refuses a file written by a newer schema rather than misreading it', () => {
    const file = freshFile();
    new SqliteEventStore(file).close();
    const db = new Database(file);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    expect(() => new SqliteEventStore(file)).toThrow(/schema version 99.*upgrade gpupool/);
  });

  it('makes the folder of its file, as `gpupool serve` does', async () => {
    const file = join(dir, 'made', 'for', 'it', 'x.db');
    const store = new SqliteEventStore(file);
    await store.append('s', [e('1')], 'no_stream');
    await store.close();
    expect(existsSync(file)).toBe(true);
  });

  it('lets a subscriber see appends made by another process on the same file', async () => {
    const file = freshFile();
    const writer = new SqliteEventStore(file);
    const reader = new SqliteEventStore(file, { pollMs: 5 });
    const seen: string[] = [];
    const sub = reader.subscribe('$all', {}, (r) => seen.push(r.id));
    await writer.append('s', [e('p'), e('q')], 'no_stream');
    const deadline = Date.now() + 2000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['p', 'q']);
    sub.close();
    await writer.close();
    await reader.close();
  });

  it('fences two stores on one file: the same expected revision succeeds once', async () => {
    const file = freshFile();
    const a = new SqliteEventStore(file);
    const b = new SqliteEventStore(file);
    await a.append('s', [e('0')], 'no_stream');
    const [ra, rb] = await Promise.all([a.append('s', [e('a1')], 0n), b.append('s', [e('b1')], 0n)]);
    expect([ra.ok, rb.ok].filter(Boolean)).toHaveLength(1);
    expect((await a.read('s')).map((r) => r.revision)).toEqual([0n, 1n]);
    await a.close();
    await b.close();
  });
});

describe('SqliteEventStore shared by servers', () => {
  const e = (id: string) => ({ id, type: 'T', data: { id } });

  it('opens a file whose former server lease is still held, and lets two stores on it both write', async () => {
    const file = fileOfSchema(3);
    // A server of an earlier version left its lease there (it crashed, or still runs): ignored now.
    const db = new Database(file);
    db.prepare('INSERT INTO leases (name, holder, pid, hostname, expires_at) VALUES (?, ?, ?, ?, ?)').run(
      'server',
      'old',
      process.pid,
      'host',
      Date.now() + 3_600_000,
    );
    db.close();
    const a = new SqliteEventStore(file);
    const b = new SqliteEventStore(file);
    try {
      expect(await a.append('cluster', [e('a')], 1n)).toMatchObject({ ok: true, nextExpectedRevision: 2n });
      expect(await b.append('cluster', [e('b')], 2n)).toMatchObject({ ok: true, nextExpectedRevision: 3n });
      // Checkpoints are positions, not fenced: the later write wins, whoever makes it.
      await a.writeCheckpoint('runtime', 2n);
      await b.writeCheckpoint('runtime', 3n);
      expect(await a.readCheckpoint('runtime')).toBe(3n);
      expect((await a.read('cluster')).map((r) => r.id)).toEqual(['e0', 'e2', 'a', 'b']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

/**
 * Processes racing for one named lease on one file: each waits for the same instant, then asks.
 * Stores in one process cannot race for real (better-sqlite3 is synchronous), so this is what
 * shows that the write lock taken before the read lets exactly one win.
 */
describe('SqliteEventStore named leases across processes', () => {
  const STORE = new URL('./store.ts', import.meta.url).pathname;
  const contender = (file: string, holder: string, at: number) =>
    new Promise<LeaseResult>((resolve, reject) => {
      const script = `
        const { SqliteEventStore } = await import(${JSON.stringify(STORE)});
        const store = new SqliteEventStore(${JSON.stringify(file)});
        while (Date.now() < ${at}) {}
        const r = await store.acquireLease('leader', ${JSON.stringify(holder)}, 30, 1000);
        await store.close();
        process.stdout.write(JSON.stringify(r));`;
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as LeaseResult),
      );
    });

  it('of four processes asking at the same instant, exactly one takes the lease', async () => {
    const file = freshFile();
    new SqliteEventStore(file).close(); // created and migrated before the race, not during it
    const at = Date.now() + 2500;
    const results = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((h) => contender(file, h, at)));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const store = new SqliteEventStore(file);
    const lease = await store.readLease('leader');
    await store.close();
    expect(winners[0]).toEqual({ ok: true, lease });
    for (const r of results) if (!r.ok) expect(r.heldBy).toEqual(lease);
  }, 20_000);

  it('four processes opening a fresh file at the same instant all open it, and it is migrated once', async () => {
    const file = freshFile();
    const at = Date.now() + 2500;
    const opened = await Promise.all(
      ['p1', 'p2', 'p3', 'p4'].map(
        (name) =>
          new Promise<string>((resolve, reject) => {
            const script = `
              while (Date.now() < ${at}) {}
              const { SqliteEventStore } = await import(${JSON.stringify(STORE)});
              const store = new SqliteEventStore(${JSON.stringify(file)});
              const r = await store.append(${JSON.stringify(name)}, [{ id: 'e', type: 'T', data: {} }], 'no_stream');
              await store.close();
              process.stdout.write(String(r.ok));`;
            execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], (error, stdout, stderr) =>
              error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
            );
          }),
      ),
    );
    expect(opened).toEqual(['true', 'true', 'true', 'true']);
    expect(schemaVersionOf(file)).toBe(String(SQLITE_SCHEMA_VERSION));
    const store = new SqliteEventStore(file);
    expect((await store.readAll()).map((r) => r.stream).sort()).toEqual(['p1', 'p2', 'p3', 'p4']);
    await store.close();
  }, 20_000);
});
