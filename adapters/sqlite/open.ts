/**
 * One SQLite connection as the event store and the job archive open theirs: a busy timeout, and
 * the journal in WAL mode.
 *
 * Two processes opening a fresh file together (two servers started on one store) race to switch
 * its journal to WAL. The switch reads the file and then takes its write lock; when the other
 * process holds that lock, SQLite answers SQLITE_BUSY at once rather than wait for it (waiting
 * while holding a read lock could deadlock), whatever the busy timeout. So the switch is tried
 * again, a few milliseconds apart, until the other is done or the busy timeout has passed.
 */
import Database from 'better-sqlite3';

/** How long a statement waits for another process's lock, in milliseconds. */
export const BUSY_TIMEOUT_MS = 5000;
const RETRY_MS = 5;

/** A connection to `file`, its journal in WAL mode. */
export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    whileBusy(() => db.pragma('journal_mode = WAL'));
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Run `statement`, again while it fails with SQLITE_BUSY, for as long as the busy timeout. */
export function whileBusy<T>(statement: () => T): T {
  const until = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return statement();
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= until) throw e;
      // A constructor cannot await: the thread sleeps (SQLite's own busy wait sleeps it too).
      Atomics.wait(PAUSE, 0, 0, RETRY_MS);
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));
