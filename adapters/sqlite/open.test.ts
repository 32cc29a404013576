/**
 * Opening a file another process is writing to: SQLite answers the switch to WAL with SQLITE_BUSY
 * at once, busy timeout or not, while the other holds the write lock (open.ts). Both the event store
 * and the job archive open it anyway once the other lets go.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteJobArchive } from './job-archive.js';
import { SqliteEventStore } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-sqlite-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Another process writing to a fresh file: it holds the write lock for `ms`, then commits. */
async function writerHolding(file: string, ms: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [
    '-e',
    `const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
     const db = new Database(${JSON.stringify(file)});
     db.exec('BEGIN IMMEDIATE');
     db.exec('CREATE TABLE other (a)');
     process.stdout.write('locked\\n');
     setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${ms});`,
  ]);
  await new Promise((resolve) => child.stdout?.once('data', resolve));
  return child;
}

describe('opening a file another process holds the write lock of', () => {
  it('is refused at once by SQLite itself, whatever the busy timeout (what open.ts is for)', async () => {
    const file = join(dir, 'raw.db');
    const child = await writerHolding(file, 300);
    const db = new Database(file);
    db.pragma('busy_timeout = 5000');
    expect(() => db.pragma('journal_mode = WAL')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    db.close();
    await new Promise((resolve) => child.once('exit', resolve));
  });

  it('the event store opens it once the other lets go, and works', async () => {
    const file = join(dir, 'store.db');
    const child = await writerHolding(file, 300);
    const t0 = performance.now();
    const store = new SqliteEventStore(file);
    expect(performance.now() - t0).toBeGreaterThan(100); // it waited
    const appended = await store.append('s', [{ id: 'e1', type: 'T', data: {} }], 'no_stream');
    expect(appended.ok).toBe(true);
    await store.close();
    await new Promise((resolve) => child.once('exit', resolve));
  });

  it('so does the job archive', async () => {
    const file = join(dir, 'archive.db');
    const child = await writerHolding(file, 300);
    const archive = new SqliteJobArchive(file);
    expect(archive.revision).toBe(-1);
    archive.close();
    await new Promise((resolve) => child.once('exit', resolve));
  });
});
