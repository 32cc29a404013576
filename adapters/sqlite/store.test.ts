/**
 * The SQLite store against the EventStore port's contract, plus what only a file-backed store
 * promises: what it acknowledged is there after a reopen, group commit, its schema version.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { eventStoreContract } from '../test-support/event-store-contract.js';
import { SQLITE_SCHEMA_VERSION, SqliteEventStore } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshFile = () => join(dir, `store-${n++}.db`);

eventStoreContract('SqliteEventStore', () => new SqliteEventStore(freshFile(), { pollMs: 10 }));

describe('SqliteEventStore specifics', () => {
  const e = (id: string) => ({ id, type: 'T', data: { id } });

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
    expect(store.stats).toEqual({ appends: 4, transactions: 1 });
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

  it('refuses a file written by a newer schema rather than misreading it', () => {
    const file = freshFile();
    new SqliteEventStore(file).close();
    const db = new Database(file);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    expect(() => new SqliteEventStore(file)).toThrow(/schema version 99.*upgrade gpupool/);
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
