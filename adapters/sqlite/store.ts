/**
 * The embedded event store: SQLite through better-sqlite3 (version 12; 13 needs Node 22).
 *
 * - Durable: WAL journal with synchronous=FULL, so an append is acknowledged only once it has
 *   reached the disk.
 * - Group commit: appends that arrive together (in the same turn of the event loop) are written
 *   in one transaction, one disk flush for all of them; each is still checked against its own
 *   expected revision, in arrival order.
 * - Fenced: each stream's revisions are unique (a table constraint), and the expected revision is
 *   checked inside an immediate (write-locked) transaction, so two processes on one file cannot
 *   both append at the same revision.
 * - Subscriptions catch up from the table, then go live: at once for this process's appends, and
 *   by polling for other processes' appends.
 * - Shared: any number of processes may open one file and append (two `gpupool serve`, the CLI
 *   beside them). The expected revision, checked in the write-locked transaction, is what keeps
 *   their writes apart; a writer that lost the race gets a conflict and its engine decides again.
 * - The port's named leases (`acquireLease`: a holder, an expiry in the caller's seconds) are rows
 *   of a table of their own, each taken in an immediate (write-locked) transaction that reads,
 *   decides and writes, so of two processes on one file asking at once one wins (the servers'
 *   leader lease, engine/leader.ts, is one).
 * - Reactors' checkpoints are rows of their own table, written through the same queue and
 *   transactions as appends (durable alike, group-committed with them), and never read as events.
 *   They are not fenced: a checkpoint is a position, written again by whichever process handles
 *   the events after it, and a reactor that resumes from one issues the same command ids again.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw, inflateRawSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  Lease,
  LeaseResult,
  NewEvent,
  ReadAllOptions,
  ReadOptions,
  RecordedEvent,
  Snapshot,
  SubscribeOptions,
  Subscription,
} from '../../core/ports.js';
import { checkLeaseRequest, expectationMet, leaseTakeable, snapshotJsonPieces } from '../../core/ports.js';
import { inChunks, utf8OfPieces } from '../snapshot-bytes.js';
import { openDatabase, whileBusy } from './open.js';

/**
 * A snapshot's JSON pieces (Snapshot.json), deflated, in chunks of `size` bytes (the last
 * shorter): each piece is encoded to UTF-8 in a turn of its own and compressed on libuv's threads,
 * so no step holds the event loop for the whole text (joined and encoded at once, 80 MB of it held
 * the loop for 0.1-0.2 s). The chunks joined inflate to the pieces joined.
 */
function deflatedChunks(pieces: readonly string[], size: number): AsyncGenerator<Buffer> {
  const deflate = createDeflateRaw({ level: 1 });
  // One piece read ahead at the most (a stream from a generator buffers 16 by default).
  const fed = pipeline(Readable.from(utf8OfPieces(pieces), { highWaterMark: 1 }), deflate);
  fed.catch(() => {}); // a failure ends the deflated stream too, and is thrown where it is read
  return inChunks(deflate as AsyncIterable<Buffer>, size);
}

/**
 * The size of a snapshot's chunks, each a row of its own written in a turn of its own: a state of
 * 70,000 live jobs deflates to some 4-5 MB, whose insert as one row (and the commit's fsync) held
 * the event loop for 20-60 ms; a chunk of 256 KB takes about a millisecond.
 */
export const SNAPSHOT_CHUNK_BYTES = 256 * 1024;

/** The store's own schema version; MIGRATIONS[v] takes a database from version v to v + 1. */
export const SQLITE_SCHEMA_VERSION = 6;
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE events (
     position INTEGER PRIMARY KEY,
     stream   TEXT    NOT NULL,
     revision INTEGER NOT NULL,
     id       TEXT    NOT NULL,
     type     TEXT    NOT NULL,
     data     TEXT    NOT NULL,
     metadata TEXT,
     UNIQUE (stream, revision)
   );
   CREATE TABLE snapshots (
     stream         TEXT    NOT NULL,
     schema_version INTEGER NOT NULL,
     revision       INTEGER NOT NULL,
     state          TEXT    NOT NULL,
     PRIMARY KEY (stream, schema_version)
   );`,
  // The server lease of earlier versions (one server per file). No longer read or written: servers
  // share a file now. Left in place rather than dropped by a schema step of its own, so a file stays
  // at this schema version, which the version before still opens.
  `CREATE TABLE leases (
     name       TEXT    PRIMARY KEY,
     holder     TEXT    NOT NULL,
     pid        INTEGER NOT NULL,
     hostname   TEXT    NOT NULL,
     expires_at INTEGER NOT NULL
   );`,
  // Positions as decimal text: EventStoreDB's are unsigned 64-bit, past SQLite's signed INTEGER.
  `CREATE TABLE checkpoints (
     name       TEXT    PRIMARY KEY,
     position   TEXT    NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
  // The port's named leases (apart from the former server lease's rows in `leases`, which were in
  // ms with a pid and host): seconds by the caller's clock, fractions kept.
  `CREATE TABLE named_leases (
     name       TEXT PRIMARY KEY,
     holder     TEXT NOT NULL,
     expires_at REAL NOT NULL
   );`,
  // Snapshots kept as deflated JSON (blobs) from here on. Nothing to change in the file: a text
  // snapshot written before still reads. The version moves so that an earlier gpupool, which would
  // fail to read a blob, refuses the file with its message instead.
  'SELECT 1;',
  // Snapshots in chunks (see writeSnapshot): a snapshot's row names the write whose chunks hold it
  // and how many they are; a row with none holds its snapshot whole in `state`, as before.
  `CREATE TABLE snapshot_chunks (
     stream         TEXT    NOT NULL,
     schema_version INTEGER NOT NULL,
     write_id       TEXT    NOT NULL,
     seq            INTEGER NOT NULL,
     data           BLOB    NOT NULL,
     PRIMARY KEY (stream, schema_version, write_id, seq)
   );
   ALTER TABLE snapshots ADD COLUMN chunks INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE snapshots ADD COLUMN write_id TEXT;`,
];

/**
 * An event row as read: a tuple in EVENT_COLUMNS order. Reads use better-sqlite3's raw mode, which
 * hands back arrays: building a keyed object per row took half the time of a replay's reads.
 */
type Row = [position: number, stream: string, revision: number, id: string, type: string, data: string, metadata: string | null];
const EVENT_COLUMNS = 'position, stream, revision, id, type, data, metadata';

interface PendingAppend {
  kind: 'append';
  stream: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

interface PendingCheckpoint {
  kind: 'checkpoint';
  name: string;
  position: bigint;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A write waiting for the next group commit. */
type Pending = PendingAppend | PendingCheckpoint;

interface Live {
  stream: string;
  handler: (e: RecordedEvent) => void;
  /** Last position delivered to this subscription. */
  seen: number;
}

/** See SqliteStoreOptions.pollMs. */
export const DEFAULT_POLL_MS = 20;

export interface SqliteStoreOptions {
  /**
   * How often subscriptions look for other processes' appends, in ms. Default 20: a reactor then
   * sees another process's append within about 20 ms (`npm run bench -- follow`: p99 100 ms at the
   * former 100), for one indexed query that finds nothing most of the time.
   */
  pollMs?: number;
}

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly queue: Pending[] = [];
  private flushScheduled = false;
  /** The snapshot writes in progress, one after another (see writeSnapshot). */
  private snapshotWrites: Promise<void> = Promise.resolve();
  private readonly live = new Set<Live>();
  private poller: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly stmt;
  /**
   * What group commit achieved: appends and checkpoint writes answered, and the transactions (disk
   * flushes) they took.
   */
  readonly stats = { appends: 0, checkpoints: 0, transactions: 0 };

  constructor(
    readonly file: string,
    private readonly options: SqliteStoreOptions = {},
  ) {
    // Like `gpupool serve`, make the file's folder: `new SqliteEventStore('data/app.db')` just works.
    if (file !== ':memory:' && file !== '' && !file.startsWith('file:')) mkdirSync(dirname(file), { recursive: true });
    // Waits for, and retries past, a second process opening a fresh file together with this one.
    this.db = openDatabase(file);
    this.db.pragma('synchronous = FULL');
    migrate(this.db);
    this.stmt = {
      last: this.db.prepare<[string], { revision: number | null }>(
        'SELECT MAX(revision) AS revision FROM events WHERE stream = ?',
      ),
      idAt: this.db.prepare<[string, number], { id: string; position: number }>(
        'SELECT id, position FROM events WHERE stream = ? AND revision = ?',
      ),
      maxPosition: this.db.prepare<[], { position: number | null }>('SELECT MAX(position) AS position FROM events'),
      insert: this.db.prepare(
        'INSERT INTO events (position, stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      forwards: this.db
        .prepare<[string, number, number], Row>(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
        )
        .raw(true),
      backwards: this.db
        .prepare<[string, number, number], Row>(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
        )
        .raw(true),
      all: this.db
        .prepare<[number, number], Row>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position >= ? ORDER BY position ASC LIMIT ?`)
        .raw(true),
      after: this.db
        .prepare<[number, number], Row>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`)
        .raw(true),
      snapshot: this.db.prepare<
        [string, number],
        { revision: number; state: string | Buffer; chunks: number; write_id: string | null }
      >('SELECT revision, state, chunks, write_id FROM snapshots WHERE stream = ? AND schema_version = ?'),
      chunks: this.db
        .prepare<[string, number, string], Buffer>(
          'SELECT data FROM snapshot_chunks WHERE stream = ? AND schema_version = ? AND write_id = ? ORDER BY seq',
        )
        .pluck(true),
      saveChunk: this.db.prepare<[string, number, string, number, Buffer]>(
        'INSERT INTO snapshot_chunks (stream, schema_version, write_id, seq, data) VALUES (?, ?, ?, ?, ?)',
      ),
      countChunks: this.db
        .prepare<[string, number, string], number>(
          'SELECT COUNT(*) FROM snapshot_chunks WHERE stream = ? AND schema_version = ? AND write_id = ?',
        )
        .pluck(true),
      dropOtherChunks: this.db.prepare<[string, number, string]>(
        'DELETE FROM snapshot_chunks WHERE stream = ? AND schema_version = ? AND write_id <> ?',
      ),
      namedLease: this.db.prepare<[string], { holder: string; expires_at: number }>(
        'SELECT holder, expires_at FROM named_leases WHERE name = ?',
      ),
      saveNamedLease: this.db.prepare<[string, string, number]>(
        'INSERT INTO named_leases (name, holder, expires_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at',
      ),
      releaseNamedLease: this.db.prepare<[string, string]>('DELETE FROM named_leases WHERE name = ? AND holder = ?'),
      checkpoint: this.db.prepare<[string], { position: string }>('SELECT position FROM checkpoints WHERE name = ?'),
      saveCheckpoint: this.db.prepare<[string, string, number]>(
        'INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at',
      ),
      saveSnapshot: this.db.prepare<[string, number, number, number, string]>(
        "INSERT INTO snapshots (stream, schema_version, revision, state, chunks, write_id) VALUES (?, ?, ?, X'', ?, ?) " +
          'ON CONFLICT (stream, schema_version) DO UPDATE SET revision = excluded.revision, state = excluded.state, ' +
          'chunks = excluded.chunks, write_id = excluded.write_id',
      ),
    };
  }

  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('the event store is closed'));
    return new Promise<AppendResult>((resolve, reject) => {
      this.enqueue({ kind: 'append', stream, events, expected, resolve, reject });
    });
  }

  private enqueue(write: Pending): void {
    this.queue.push(write);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Write every waiting append and checkpoint in one transaction (group commit), in arrival order,
   * then answer each.
   */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue.splice(0);
    if (batch.length === 0) return;
    let results: (AppendResult | undefined)[];
    try {
      results = this.db
        .transaction(() => batch.map((w) => (w.kind === 'append' ? this.appendOne(w) : this.saveCheckpoint(w))))
        .immediate();
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    this.stats.transactions += 1;
    let appended = false;
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i] as Pending;
      if (w.kind === 'append') {
        this.stats.appends += 1;
        appended = true;
        w.resolve(results[i] as AppendResult);
      } else {
        this.stats.checkpoints += 1;
        w.resolve();
      }
    }
    if (appended) this.deliver();
  }

  private saveCheckpoint(w: PendingCheckpoint): undefined {
    this.stmt.saveCheckpoint.run(w.name, w.position.toString(), Date.now());
    return undefined;
  }

  private appendOne(a: PendingAppend): AppendResult {
    const lastRow = this.stmt.last.get(a.stream);
    const last = lastRow?.revision ?? null;
    const actual = last === null ? ('no_stream' as const) : BigInt(last);
    // A retry of an append that landed: its events already sit right after the expected revision.
    if (a.events.length > 0 && a.expected !== 'any' && a.expected !== 'stream_exists') {
      const start = a.expected === 'no_stream' ? 0 : Number(a.expected) + 1;
      const found = a.events.map((_, i) => this.stmt.idAt.get(a.stream, start + i));
      if (found.every((f, i) => f?.id === a.events[i]?.id)) {
        const tail = found[found.length - 1] as { position: number };
        return { ok: true, nextExpectedRevision: BigInt(start + a.events.length - 1), position: BigInt(tail.position) };
      }
    }
    if (!expectationMet(a.expected, actual)) return { ok: false, conflict: { stream: a.stream, expected: a.expected, actual } };
    let position = this.stmt.maxPosition.get()?.position ?? -1;
    if (a.events.length === 0)
      return { ok: true, nextExpectedRevision: last === null ? -1n : BigInt(last), position: BigInt(position) };
    let revision = last ?? -1;
    for (const e of a.events) {
      position += 1;
      revision += 1;
      this.stmt.insert.run(
        position,
        a.stream,
        revision,
        e.id,
        e.type,
        JSON.stringify(e.data),
        e.metadata === undefined ? null : JSON.stringify(e.metadata),
      );
    }
    return { ok: true, nextExpectedRevision: BigInt(revision), position: BigInt(position) };
  }

  async read(stream: string, options: ReadOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const max = options.maxCount ?? -1;
    const rows =
      options.direction === 'backwards'
        ? this.stmt.backwards.all(stream, options.from === undefined ? Number.MAX_SAFE_INTEGER : Number(options.from), max)
        : this.stmt.forwards.all(stream, options.from === undefined ? 0 : Number(options.from), max);
    return rows.map(recorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.stmt.all.all(Number(options.fromPosition ?? 0n), options.maxCount ?? -1).map(recorded);
  }

  subscribe(stream: string, options: SubscribeOptions, handler: (event: RecordedEvent) => void): Subscription {
    this.assertOpen();
    // Catch up now, from the table; then live, from the last position seen.
    const rows =
      stream === '$all'
        ? this.stmt.all.all(options.after === undefined ? 0 : Number(options.after) + 1, -1)
        : this.stmt.forwards.all(stream, options.after === undefined ? 0 : Number(options.after) + 1, -1);
    const live: Live = { stream, handler, seen: this.stmt.maxPosition.get()?.position ?? -1 };
    for (const r of rows) safely(handler, recorded(r));
    this.live.add(live);
    if (!this.poller) {
      this.poller = setInterval(() => this.deliver(), this.options.pollMs ?? DEFAULT_POLL_MS);
      this.poller.unref();
    }
    return {
      close: () => {
        this.live.delete(live);
        if (this.live.size === 0 && this.poller) {
          clearInterval(this.poller);
          this.poller = undefined;
        }
      },
    };
  }

  /**
   * Hand every subscription what was appended since it last looked (ours or another process's).
   * One read serves them all: a server holds several subscriptions (the engines, the tokens, the
   * runtime, the reactors), and a read per subscription read every new row that many times.
   * Each row goes to the subscriptions in turn before the next row.
   */
  private deliver(): void {
    if (this.closed) return;
    for (;;) {
      const subscribers = [...this.live];
      if (subscribers.length === 0) return;
      let from = Number.POSITIVE_INFINITY;
      for (const l of subscribers) if (l.seen < from) from = l.seen;
      const rows = this.stmt.after.all(from, 1000);
      for (const r of rows) {
        for (const l of subscribers) {
          if (r[0] <= l.seen || !this.live.has(l)) continue; // seen already, or closed by a handler meanwhile
          l.seen = r[0];
          if (l.stream === '$all' || l.stream === r[1]) safely(l.handler, recorded(r));
        }
      }
      if (rows.length < 1000 || this.closed) return;
    }
  }

  async readSnapshot(stream: string, schemaVersion: number): Promise<Snapshot | undefined> {
    this.assertOpen();
    // One read transaction: another process's write of a newer snapshot, which drops these chunks
    // when it lands, cannot land in between.
    const kept = this.db.transaction(() => {
      const row = this.stmt.snapshot.get(stream, schemaVersion);
      if (!row || row.chunks === 0 || row.write_id === null) return row && { revision: row.revision, state: row.state };
      const chunks = this.stmt.chunks.all(stream, schemaVersion, row.write_id);
      // Chunks missing (a file changed by hand): no snapshot, and start-up replays from the start.
      return chunks.length === row.chunks ? { revision: row.revision, state: Buffer.concat(chunks) } : undefined;
    })();
    if (!kept) return undefined;
    // Deflated JSON (see writeSnapshot), or JSON text as versions before 5 wrote.
    const text = typeof kept.state === 'string' ? kept.state : inflateRawSync(kept.state).toString('utf8');
    return { revision: BigInt(kept.revision), schemaVersion, state: JSON.parse(text) };
  }

  /**
   * The snapshot's JSON, deflated off the event loop (zlib works on libuv's threads) and written in
   * chunks (SNAPSHOT_CHUNK_BYTES), each chunk a row inserted in the turn that deflated it, so no
   * insert or fsync holds the loop for the whole snapshot. The last chunk lands in one transaction
   * with the snapshot's row, which names the chunks by this write's id, and the chunks of any other
   * write of this stream and schema are dropped: until then readers see the snapshot before, and a
   * write cut short (a crash) leaves only chunks no row names, dropped by the next write. When
   * another process's write landed meanwhile and dropped this one's chunks, this write is refused
   * (the other's snapshot stays): a snapshot is an optimisation, the engine goes on without it.
   * Writes from one store land in the order called.
   */
  async writeSnapshot(stream: string, snapshot: Snapshot): Promise<void> {
    this.assertOpen();
    const pieces = snapshotJsonPieces(snapshot);
    const written = this.snapshotWrites.then(() => this.writeChunks(stream, snapshot, pieces));
    this.snapshotWrites = written.catch(() => {});
    await written;
  }

  private async writeChunks(stream: string, snapshot: Snapshot, pieces: readonly string[]): Promise<void> {
    const { schemaVersion } = snapshot;
    const writeId = randomUUID();
    let count = 0;
    let last: Buffer | undefined;
    for await (const chunk of deflatedChunks(pieces, SNAPSHOT_CHUNK_BYTES)) {
      if (last !== undefined) {
        this.assertOpen();
        this.stmt.saveChunk.run(stream, schemaVersion, writeId, count++, last);
      }
      last = chunk;
    }
    this.assertOpen();
    this.db
      .transaction(() => {
        this.stmt.saveChunk.run(stream, schemaVersion, writeId, count++, last as Buffer);
        if (this.stmt.countChunks.get(stream, schemaVersion, writeId) !== count) {
          // Rolled back with the last chunk; the others are dropped by the next write that lands.
          throw new Error(
            `the snapshot of stream '${stream}' at revision ${snapshot.revision} was not kept: another process's snapshot landed while it was written`,
          );
        }
        this.stmt.saveSnapshot.run(stream, schemaVersion, Number(snapshot.revision), count, writeId);
        this.stmt.dropOtherChunks.run(stream, schemaVersion, writeId);
      })
      .immediate();
  }

  async readCheckpoint(name: string): Promise<bigint | undefined> {
    this.assertOpen();
    const row = this.stmt.checkpoint.get(name);
    return row ? BigInt(row.position) : undefined;
  }

  /**
   * Queued with the appends: it is written in their next transaction, so it costs no flush of its
   * own when a reactor checkpoints right after appending (or several reactors at once). Another
   * process's write of the same checkpoint is not refused: the later write wins.
   */
  writeCheckpoint(name: string, position: bigint): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the event store is closed'));
    return new Promise<void>((resolve, reject) => {
      this.enqueue({ kind: 'checkpoint', name, position, resolve, reject });
    });
  }

  /**
   * Read, decided and written in one immediate transaction: the write lock is taken before the
   * read, so another process on the file cannot slip its own take in between. Not queued with the
   * appends: a lease is answered at once, not at the next group commit, and no append waits for
   * it. Durable once it resolves (synchronous=FULL, as appends).
   */
  async acquireLease(name: string, holder: string, ttlSeconds: number, now: number): Promise<LeaseResult> {
    this.assertOpen();
    checkLeaseRequest(name, holder, ttlSeconds, now);
    return this.db
      .transaction((): LeaseResult => {
        const current = this.namedLease(name);
        if (current && !leaseTakeable(current, holder, now)) return { ok: false, heldBy: current };
        const lease: Lease = { name, holder, expiresAt: now + ttlSeconds };
        this.stmt.saveNamedLease.run(name, holder, lease.expiresAt);
        return { ok: true, lease };
      })
      .immediate();
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.assertOpen();
    // One statement: compare and delete at once, so a lease taken over meanwhile is left alone.
    this.stmt.releaseNamedLease.run(name, holder);
  }

  async readLease(name: string): Promise<Lease | undefined> {
    this.assertOpen();
    return this.namedLease(name);
  }

  private namedLease(name: string): Lease | undefined {
    const row = this.stmt.namedLease.get(name);
    return row ? { name, holder: row.holder, expiresAt: row.expires_at } : undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Write what is waiting first: nothing acknowledged-to-be is dropped on a graceful close.
    this.flush();
    await this.snapshotWrites;
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.live.clear();
    if (this.poller) clearInterval(this.poller);
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}

function recorded([position, stream, revision, id, type, data, metadata]: Row): RecordedEvent {
  return {
    stream,
    revision: BigInt(revision),
    position: BigInt(position),
    id,
    type,
    data: JSON.parse(data),
    metadata: metadata === null ? null : JSON.parse(metadata),
  };
}

function safely(handler: (e: RecordedEvent) => void, e: RecordedEvent): void {
  try {
    handler(e);
  } catch {
    // A subscriber's failure is its own: the events are stored, the others still hear of them.
  }
}

/**
 * Bring the file's schema to SQLITE_SCHEMA_VERSION; refuse a file from a newer gpupool. Each step
 * reads the version again inside its write-locked transaction: processes opening a fresh or older
 * file together (two servers starting) migrate it once, the later ones finding each step done.
 */
function migrate(db: Database.Database): void {
  // A write outside a transaction: refused at once, like the switch to WAL, when another process
  // wrote since it began reading (open.ts).
  whileBusy(() => db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)'));
  const read = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'");
  const versionNow = () => {
    const row = read.get();
    const version = row ? Number(row.value) : 0;
    if (version > SQLITE_SCHEMA_VERSION)
      throw new Error(
        `this event store file has schema version ${version}; this gpupool reads up to ${SQLITE_SCHEMA_VERSION}: upgrade gpupool`,
      );
    return version;
  };
  const step = db.transaction((): boolean => {
    const version = versionNow();
    if (version >= SQLITE_SCHEMA_VERSION) return false;
    db.exec(MIGRATIONS[version] as string);
    db.prepare(
      "INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(String(version + 1));
    return true;
  });
  try {
    // Up to date (every open but the first of a version): no write lock taken.
    if (versionNow() < SQLITE_SCHEMA_VERSION) while (step.immediate());
  } catch (e) {
    db.close();
    throw e;
  }
}
