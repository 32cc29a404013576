/**
 * The EventStoreDB event store, through the official gRPC client (@eventstore/db-client).
 *
 * - Namespaced: port stream `s` is the EventStoreDB stream `<namespace>-s` (so the namespace is
 *   the category of every stream it holds), and several gpupool deployments, or test runs, can
 *   share one cluster. readAll and subscribe('$all') see only their namespace's streams, never
 *   system events nor snapshot, checkpoint or lease streams, and hand back the port's (unprefixed)
 *   stream names.
 * - Revisions, expected revisions, idempotent retries (event ids are the caller's) and positions
 *   (the commit position) are EventStoreDB's own; a wrong expected version is a conflict value.
 * - Subscriptions are the server's catch-up subscriptions; one that drops (a leader change, a
 *   network failure) resubscribes after the last event it delivered.
 * - Snapshots live in a stream of their own, `<namespace>.snapshot-s`, as chunk events followed by
 *   a marker (see writeSnapshot for why they are chunked).
 * - A reactor's checkpoint is the last event of `<namespace>.checkpoint-<name>`, the stream
 *   truncated before it at each write.
 * - A named lease is the last event of `<namespace>.lease-<name>`: taken (or renewed) and released
 *   by events appended at the revision last read, so the server's optimistic concurrency decides
 *   a race; truncated as checkpoints are.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  ANY,
  type AppendExpectedRevision,
  BACKWARDS,
  binaryEvent,
  type RecordedEvent as ClientRecordedEvent,
  END,
  type EventData,
  EventStoreDBClient,
  FORWARDS,
  type JSONType,
  jsonEvent,
  MaxAppendSizeExceededError,
  NO_STREAM,
  type Position,
  type ReadRevision,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
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

export const DEFAULT_NAMESPACE = 'gpupool';

/**
 * EventStoreDB refuses an append larger than its MaxAppendSize, 1,048,576 bytes by default (data,
 * metadata and twice the type length of all its events), and an event larger than 16 MB. Half a
 * MiB per chunk, one chunk per append, stays well inside both.
 */
export const DEFAULT_SNAPSHOT_CHUNK_BYTES = 512 * 1024;

const CHUNK_TYPE = 'SnapshotChunk';
const MARKER_TYPE = 'Snapshot';
const CHECKPOINT_TYPE = 'Checkpoint';
const LEASE_TAKEN_TYPE = 'LeaseTaken';
const LEASE_RELEASED_TYPE = 'LeaseReleased';
/**
 * How many times a lease operation that lost a race reads the lease again and decides anew before
 * giving up. Each loss means another holder moved the lease in between; after one move a rival
 * holds a live lease and the next read refuses, so more than a few rounds means a stream that
 * something keeps writing to.
 */
const LEASE_ATTEMPTS = 20;
/** readAll reads `$all` in pages of at most this many events. */
const ALL_PAGE = 1000;
/** How far back readSnapshot looks for a marker of its version, in events read. */
const SNAPSHOT_SCAN_LIMIT = 1000;
/** Event ids EventStoreDB takes (it hands them back in lower case). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What the server sends as the position of an event it has no position for (older servers). */
const NO_POSITION = 2n ** 64n - 1n;

export interface EventStoreDBStoreOptions {
  /**
   * Prefix of every stream this store writes (letters, digits and `_`; default `gpupool`): port
   * stream `s` is `<namespace>-s`, its snapshots `<namespace>.snapshot-s`.
   */
  namespace?: string;
  /** Bytes of snapshot per chunk event (and per append). Default 512 KiB. */
  snapshotChunkBytes?: number;
  /** Told when a subscription drops; it resubscribes by itself. Default: a console warning. */
  onSubscriptionError?: (error: Error, stream: string) => void;
}

/** The marker that ends a snapshot: which chunks (revisions `firstChunk`..) make it, and their digest. */
interface Marker {
  snapshot: string;
  schemaVersion: number;
  revision: bigint;
  firstChunk: bigint;
  chunks: number;
  bytes: number;
  sha256: string;
}

export class EventStoreDBEventStore implements EventStore {
  readonly namespace: string;
  private readonly client: EventStoreDBClient;
  private readonly ownsClient: boolean;
  /** The connection string with any password hidden, for error messages. */
  private readonly target: string;
  private readonly prefix: string;
  private readonly snapshotPrefix: string;
  private readonly checkpointPrefix: string;
  private readonly leasePrefix: string;
  /** Each reactor's checkpoint write in flight: the next waits for it, so writes land in call order. */
  private readonly checkpointWrites = new Map<string, Promise<void>>();
  private readonly chunkBytes: number;
  private readonly onSubscriptionError: (error: Error, stream: string) => void;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  /**
   * From a connection string (`esdb://host:2113?tls=false`, `esdb+discover://cluster.dns:2113`,
   * credentials as `esdb://user:password@host:2113`), or from a client the caller made and keeps
   * (close() then leaves it open).
   */
  constructor(connection: string | EventStoreDBClient, options: EventStoreDBStoreOptions = {}) {
    this.namespace = checkNamespace(options.namespace ?? DEFAULT_NAMESPACE);
    this.prefix = `${this.namespace}-`;
    this.snapshotPrefix = `${this.namespace}.snapshot-`;
    this.checkpointPrefix = `${this.namespace}.checkpoint-`;
    this.leasePrefix = `${this.namespace}.lease-`;
    const chunk = options.snapshotChunkBytes ?? DEFAULT_SNAPSHOT_CHUNK_BYTES;
    if (!Number.isSafeInteger(chunk) || chunk < 1) {
      throw new Error(`snapshotChunkBytes must be a positive integer, got ${chunk}`);
    }
    this.chunkBytes = chunk;
    this.onSubscriptionError =
      options.onSubscriptionError ??
      ((error, stream) => console.warn(`EventStoreDB subscription to '${stream}' dropped (resubscribing): ${error.message}`));
    if (typeof connection === 'string') {
      this.target = redact(connection);
      this.client = connect(connection);
      this.ownsClient = true;
    } else {
      this.target = 'the given client';
      this.client = connection;
      this.ownsClient = false;
    }
  }

  /** The EventStoreDB stream that holds port stream `stream`. */
  streamName(stream: string): string {
    return this.prefix + stream;
  }

  /** The EventStoreDB stream that holds the snapshots of port stream `stream`. */
  snapshotStreamName(stream: string): string {
    return this.snapshotPrefix + stream;
  }

  /** The EventStoreDB stream that holds the checkpoint of the reactor `name`. */
  checkpointStreamName(name: string): string {
    return this.checkpointPrefix + name;
  }

  /** The EventStoreDB stream that holds the lease `name`. */
  leaseStreamName(name: string): string {
    return this.leasePrefix + name;
  }

  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const name = this.streamName(stream);
    if (events.length === 0) return this.appendNothing(stream, name, expected);
    const notUuid = events.find((e) => !UUID.test(e.id));
    if (notUuid) throw new Error(`event id '${notUuid.id}' is not a UUID: EventStoreDB takes UUIDs only`);
    try {
      const r = await this.client.appendToStream(name, events.map(toEventData), { expectedRevision: clientRevision(expected) });
      // With throwOnAppendFailure=false in the connection string a conflict comes back as a value.
      if (!r.success) return { ok: false, conflict: { stream, expected, actual: await this.lastRevision(name) } };
      // Older servers answer an idempotent retry without a position: look it up.
      const position = r.position?.commit ?? (await this.positionOf(name, r.nextExpectedRevision));
      return { ok: true, nextExpectedRevision: r.nextExpectedRevision, position };
    } catch (e) {
      if (e instanceof WrongExpectedVersionError) {
        return { ok: false, conflict: { stream, expected, actual: e.actualVersion } };
      }
      if (e instanceof MaxAppendSizeExceededError) {
        throw new Error(`EventStoreDB refused an append of ${events.length} events to '${stream}': ${tooBig(e)}`, { cause: e });
      }
      throw this.failure(`append to '${stream}'`, e);
    }
  }

  /** An empty append writes nothing: it only checks the expected revision. */
  private async appendNothing(stream: string, name: string, expected: ExpectedRevision): Promise<AppendResult> {
    const actual = await this.lastRevision(name);
    if (!expectationMet(expected, actual)) return { ok: false, conflict: { stream, expected, actual } };
    if (actual === 'no_stream') return { ok: true, nextExpectedRevision: -1n, position: -1n };
    return { ok: true, nextExpectedRevision: actual, position: await this.positionOf(name, actual) };
  }

  async read(stream: string, options: ReadOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (max <= 0 || (backwards && options.from !== undefined && options.from < 0n)) return [];
    const from: ReadRevision =
      options.from === undefined || (!backwards && options.from <= 0n) ? (backwards ? END : START) : options.from;
    try {
      const events = await this.readEvents(this.streamName(stream), from, backwards, max);
      return events.map((e) => this.recorded(e, stream));
    } catch (e) {
      throw this.failure(`read of '${stream}'`, e);
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    const from = options.fromPosition ?? 0n;
    const out: RecordedEvent[] = [];
    if (max <= 0) return out;
    // `$all` holds every namespace's events and the system's: page through it, keeping ours,
    // until maxCount of ours are found or the log ends.
    let page = await this.firstPageOfAll(from, pageFor(max));
    let lowest = from; // the first position wanted
    for (;;) {
      let last: bigint | undefined;
      for (const r of page.events) {
        const e = r.event;
        const p = e?.position?.commit;
        if (!e || p === undefined) continue;
        last = p;
        if (p < lowest || !this.isOurs(e)) continue;
        out.push(this.recorded(e));
        if (out.length >= max) return out;
      }
      if (page.events.length < page.size || last === undefined) return out;
      // The next page starts at the last event seen (positions are inclusive) and skips it.
      lowest = last + 1n;
      const size = pageFor(max - out.length);
      try {
        page = { events: await this.readAllPage({ commit: last, prepare: last }, size), size };
      } catch (e) {
        throw this.failure('readAll', e);
      }
    }
  }

  /**
   * The first page of `$all` from `from` (inclusive). EventStoreDB reads `$all` only from a
   * position where a record starts; callers also pass an event's position plus one (to read on
   * after it), which it would refuse, so that is read as the event's own position, skipping it.
   */
  private async firstPageOfAll(from: bigint, size: number) {
    if (from <= 0n) {
      try {
        return { events: await this.readAllPage(START, size), size };
      } catch (e) {
        throw this.failure('readAll', e);
      }
    }
    try {
      return { events: await this.readAllPage({ commit: from, prepare: from }, size), size };
    } catch (first) {
      try {
        return { events: await this.readAllPage({ commit: from - 1n, prepare: from - 1n }, size), size };
      } catch {
        throw this.failure(
          `readAll from position ${from} (not a position EventStoreDB knows: pass an event's position, or that plus one)`,
          first,
        );
      }
    }
  }

  private async readAllPage(from: typeof START | Position, maxCount: number) {
    const events: AllStreamResolvedEvent[] = [];
    for await (const r of this.client.readAll({ fromPosition: from, maxCount })) events.push(r);
    return events;
  }

  subscribe(stream: string, options: SubscribeOptions, handler: (event: RecordedEvent) => void): Subscription {
    this.assertOpen();
    const all = stream === '$all';
    // The last revision (or position, for '$all') delivered: a resubscription starts after it.
    let last = options.after;
    let from = options.after;
    let live: { unsubscribe(): Promise<void> } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let failures = 0;
    let closed = false;

    const open = () => {
      timer = undefined;
      if (closed) return;
      let delivered = false;
      const source = all
        ? this.client.subscribeToAll({
            fromPosition: from === undefined ? START : { commit: from, prepare: from },
            // Only this namespace's streams: the server filters, so others' events never travel.
            filter: streamNameFilter({ prefixes: [this.prefix] }),
          })
        : this.client.subscribeToStream(this.streamName(stream), { fromRevision: from === undefined ? START : from });
      live = source;
      source.on('data', (resolved: { event?: ClientRecordedEvent | AllStreamRecordedEvent }) => {
        const e = resolved.event;
        if (closed || live !== source || !e) return;
        const at = all ? e.position?.commit : e.revision;
        if (at === undefined || (last !== undefined && at <= last)) return;
        last = at;
        delivered = true;
        failures = 0;
        if (all && !this.isOurs(e)) return;
        try {
          handler(this.recorded(e, all ? undefined : stream));
        } catch {
          // A subscriber's failure is its own: the event is stored, the stream goes on.
        }
      });
      const retry = (error: Error | undefined) => {
        if (closed || live !== source) return;
        live = undefined;
        // `after` a position that starts no record ('$all' only): subscribe from the one before.
        if (all && !delivered && from !== undefined && from === options.after && from > 0n) from -= 1n;
        else from = last;
        if (error) this.onSubscriptionError(error, stream);
        timer = setTimeout(open, Math.min(5000, 50 * 2 ** failures++));
        timer.unref();
      };
      source.on('error', (error: Error) => retry(error));
      source.on('end', () => retry(undefined));
    };
    open();

    const subscription: Subscription = {
      close: () => {
        if (closed) return;
        closed = true;
        if (timer) clearTimeout(timer);
        live?.unsubscribe().catch(() => {});
        live = undefined;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Write a snapshot as chunk events followed by a marker, in the snapshot stream.
   *
   * Why chunks: a snapshot of a big cluster is a JSON value of up to ~100 MB, and EventStoreDB
   * takes at most 1 MiB per append (MaxAppendSize) and 16 MB per event. So the state's JSON is cut
   * into chunks of `snapshotChunkBytes`, appended one per append, each at the expected revision
   * the previous one left (another writer in between aborts the snapshot). The text's pieces
   * (Snapshot.json) are encoded and hashed as the chunks go out, never joined or encoded whole.
   * The marker, appended last, names the schema version, the state's revision, the chunks' revisions and a SHA-256 of
   * their bytes: a snapshot without its marker (an interrupted write) is never seen, and one whose
   * chunks are gone or altered is rejected. Once the marker is written, the stream is truncated
   * before the snapshot's first chunk ($tb), so older snapshots are scavenged.
   */
  async writeSnapshot(stream: string, snapshot: Snapshot): Promise<void> {
    this.assertOpen();
    const name = this.snapshotStreamName(stream);
    // The text as it is at the call; encoded a piece at a time, and hashed, as its chunks are appended.
    const pieces = snapshotJsonPieces(snapshot);
    const hash = createHash('sha256');
    let bytes = 0;
    let chunks = 0;
    const id = randomUUID();
    try {
      const last = await this.lastRevision(name);
      let expected: AppendExpectedRevision = last === 'no_stream' ? NO_STREAM : last;
      let firstChunk: bigint | undefined;
      for await (const data of inChunks(utf8OfPieces(pieces), this.chunkBytes)) {
        hash.update(data);
        bytes += data.length;
        const event = binaryEvent({
          id: randomUUID(),
          type: CHUNK_TYPE,
          data,
          metadata: jsonBytes({ snapshot: id, index: chunks++ }),
        });
        const r: { nextExpectedRevision: bigint } = await this.client.appendToStream(name, event, { expectedRevision: expected });
        firstChunk ??= r.nextExpectedRevision;
        expected = r.nextExpectedRevision;
      }
      const first = firstChunk as bigint;
      const marker = jsonEvent({
        id: randomUUID(),
        type: MARKER_TYPE,
        data: {
          snapshot: id,
          schemaVersion: snapshot.schemaVersion,
          revision: snapshot.revision.toString(),
          firstChunk: first.toString(),
          chunks,
          bytes,
          sha256: hash.digest('hex'),
        },
      });
      await this.client.appendToStream(name, marker, { expectedRevision: expected });
      await this.truncateBefore(name, first);
    } catch (e) {
      if (e instanceof WrongExpectedVersionError) {
        throw new Error(`snapshot of '${stream}' not written: another writer appended to '${name}' meanwhile`, { cause: e });
      }
      if (e instanceof MaxAppendSizeExceededError) {
        throw new Error(
          `snapshot of '${stream}' not written: a chunk of ${this.chunkBytes} bytes is ${tooBig(e)}; lower snapshotChunkBytes`,
          { cause: e },
        );
      }
      throw this.failure(`snapshot of '${stream}'`, e);
    }
  }

  /**
   * Housekeeping after a snapshot or a checkpoint: older ones go. What was just written stands even
   * if this fails.
   */
  private async truncateBefore(name: string, revision: bigint): Promise<void> {
    try {
      const { metadata } = await this.client.getStreamMetadata(name);
      await this.client.setStreamMetadata(name, { ...metadata, truncateBefore: Number(revision) });
    } catch {
      // Left for the next snapshot: a longer stream, nothing wrong.
    }
  }

  /**
   * The newest snapshot of `schemaVersion`: the stream is read backwards, one event at a time,
   * hopping over the chunks of other versions' snapshots (and of interrupted writes) to the newest
   * marker of this version, whose chunks are then read and checked. Anything missing, altered or
   * malformed reads as no snapshot: the engine replays instead.
   */
  async readSnapshot(stream: string, schemaVersion: number): Promise<Snapshot | undefined> {
    this.assertOpen();
    const name = this.snapshotStreamName(stream);
    try {
      let at: bigint | typeof END = END;
      for (let step = 0; step < SNAPSHOT_SCAN_LIMIT; step++) {
        const [e] = await this.readEvents(name, at, true, 1);
        if (!e) return undefined;
        let next = e.revision - 1n;
        if (e.type === MARKER_TYPE) {
          const marker = parseMarker(e.data);
          if (marker?.schemaVersion === schemaVersion) return await this.assemble(name, marker);
          if (marker) next = marker.firstChunk - 1n;
        } else if (e.type === CHUNK_TYPE) {
          const index = chunkIndex(e.metadata);
          if (index !== undefined) next = e.revision - BigInt(index) - 1n;
        }
        if (next < 0n) return undefined;
        at = next;
      }
      return undefined;
    } catch (e) {
      throw this.failure(`snapshot read of '${stream}'`, e);
    }
  }

  private async assemble(name: string, marker: Marker): Promise<Snapshot | undefined> {
    const events = await this.readEvents(name, marker.firstChunk, false, marker.chunks);
    if (events.length !== marker.chunks) return undefined;
    const parts: Uint8Array[] = [];
    for (const [i, e] of events.entries()) {
      const meta = e.metadata as { snapshot?: unknown; index?: unknown } | undefined;
      if (e.type !== CHUNK_TYPE || e.revision !== marker.firstChunk + BigInt(i) || !(e.data instanceof Uint8Array))
        return undefined;
      if (meta?.snapshot !== marker.snapshot || meta.index !== i) return undefined;
      parts.push(e.data);
    }
    const bytes = Buffer.concat(parts);
    if (bytes.length !== marker.bytes || createHash('sha256').update(bytes).digest('hex') !== marker.sha256) return undefined;
    try {
      return { revision: marker.revision, schemaVersion: marker.schemaVersion, state: JSON.parse(bytes.toString('utf8')) };
    } catch {
      return undefined;
    }
  }

  /**
   * The last event of the reactor's checkpoint stream. One that is not a checkpoint (written there
   * by something else) is an error: reading it as no checkpoint would send the reactor back to the
   * start, to issue again every command it already issued.
   */
  async readCheckpoint(name: string): Promise<bigint | undefined> {
    this.assertOpen();
    const stream = this.checkpointStreamName(name);
    let last: ClientRecordedEvent | undefined;
    try {
      [last] = await this.readEvents(stream, END, true, 1);
    } catch (e) {
      throw this.failure(`checkpoint read of '${name}'`, e);
    }
    if (!last) return undefined;
    const position = last.type === CHECKPOINT_TYPE ? parseCheckpoint(last.data) : undefined;
    if (position === undefined) {
      throw new Error(
        `EventStoreDB stream '${stream}' ends with an event that is not a checkpoint (type '${last.type}', revision ${last.revision})`,
      );
    }
    return position;
  }

  /**
   * Append the position as a new event (the position as decimal text: JSON numbers lose what
   * lies past 2^53), then truncate the stream before it, so older checkpoints are scavenged.
   * A reactor's writes are sent one after another, in call order: two appends in flight at once
   * could land in either order and leave the earlier position as the last event.
   */
  writeCheckpoint(name: string, position: bigint): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the event store is closed'));
    const previous = this.checkpointWrites.get(name);
    const write = previous
      ? previous.catch(() => {}).then(() => this.appendCheckpoint(name, position))
      : this.appendCheckpoint(name, position);
    this.checkpointWrites.set(name, write);
    const forget = () => {
      if (this.checkpointWrites.get(name) === write) this.checkpointWrites.delete(name);
    };
    write.then(forget, forget);
    return write;
  }

  private async appendCheckpoint(name: string, position: bigint): Promise<void> {
    const stream = this.checkpointStreamName(name);
    try {
      const event = jsonEvent({ id: randomUUID(), type: CHECKPOINT_TYPE, data: { position: position.toString() } });
      const r = await this.client.appendToStream(stream, event, { expectedRevision: ANY });
      if (r.nextExpectedRevision > 0n) await this.truncateBefore(stream, r.nextExpectedRevision);
    } catch (e) {
      throw this.failure(`checkpoint write of '${name}'`, e);
    }
  }

  /**
   * Read the lease stream's last event, decide, and append the take (or renewal) at that event's
   * revision: if another holder appended first, the server refuses ours (wrong expected version)
   * and the lease is read again and decided anew, so of holders racing (in this process or not)
   * exactly one wins. Older events are truncated after a win, as checkpoints are.
   */
  async acquireLease(name: string, holder: string, ttlSeconds: number, now: number): Promise<LeaseResult> {
    this.assertOpen();
    checkLeaseRequest(name, holder, ttlSeconds, now);
    const stream = this.leaseStreamName(name);
    for (let attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
      const { lease: current, revision } = await this.leaseState(name);
      if (current && !leaseTakeable(current, holder, now)) return { ok: false, heldBy: current };
      const lease: Lease = { name, holder, expiresAt: now + ttlSeconds };
      const written = await this.appendLeaseEvent(name, LEASE_TAKEN_TYPE, { holder, expiresAt: lease.expiresAt }, revision);
      if (written === undefined) continue;
      if (written > 0n) await this.truncateBefore(stream, written);
      return { ok: true, lease };
    }
    throw new Error(`EventStoreDB lease '${name}' not taken: ${LEASE_ATTEMPTS} attempts in a row found '${stream}' moved`);
  }

  /** Appended at the revision read, as a take is: a lease taken over meanwhile is not released. */
  async releaseLease(name: string, holder: string): Promise<void> {
    this.assertOpen();
    const stream = this.leaseStreamName(name);
    for (let attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
      const { lease: current, revision } = await this.leaseState(name);
      if (current?.holder !== holder) return;
      const written = await this.appendLeaseEvent(name, LEASE_RELEASED_TYPE, { holder }, revision);
      if (written === undefined) continue;
      if (written > 0n) await this.truncateBefore(stream, written);
      return;
    }
    throw new Error(`EventStoreDB lease '${name}' not released: ${LEASE_ATTEMPTS} attempts in a row found '${stream}' moved`);
  }

  async readLease(name: string): Promise<Lease | undefined> {
    this.assertOpen();
    return (await this.leaseState(name)).lease;
  }

  /**
   * The lease as the last event of its stream records it (none when released or never taken), and
   * that event's revision, at which the next lease event is appended. An event of another type is
   * an error: reading it as a free lease would let a second holder in.
   */
  private async leaseState(name: string): Promise<{ lease: Lease | undefined; revision: bigint | 'no_stream' }> {
    const stream = this.leaseStreamName(name);
    let last: ClientRecordedEvent | undefined;
    try {
      [last] = await this.readEvents(stream, END, true, 1);
    } catch (e) {
      throw this.failure(`lease read of '${name}'`, e);
    }
    if (!last) return { lease: undefined, revision: 'no_stream' };
    if (last.type === LEASE_RELEASED_TYPE) return { lease: undefined, revision: last.revision };
    const lease = last.type === LEASE_TAKEN_TYPE ? parseLease(name, last.data) : undefined;
    if (!lease) {
      throw new Error(
        `EventStoreDB stream '${stream}' ends with an event that is not a lease (type '${last.type}', revision ${last.revision})`,
      );
    }
    return { lease, revision: last.revision };
  }

  /** The revision written, or undefined if the stream had moved past `after` (another holder wrote). */
  private async appendLeaseEvent(
    name: string,
    type: string,
    data: JSONType,
    after: bigint | 'no_stream',
  ): Promise<bigint | undefined> {
    try {
      const r = await this.client.appendToStream(this.leaseStreamName(name), jsonEvent({ id: randomUUID(), type, data }), {
        expectedRevision: after === 'no_stream' ? NO_STREAM : after,
      });
      // With throwOnAppendFailure=false in the connection string a conflict comes back as a value.
      return r.success ? r.nextExpectedRevision : undefined;
    } catch (e) {
      if (e instanceof WrongExpectedVersionError) return undefined;
      throw this.failure(`lease write of '${name}'`, e);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.subscriptions]) s.close();
    // Checkpoint writes already accepted are finished first, as a graceful close owes its caller.
    await Promise.allSettled([...this.checkpointWrites.values()]);
    if (this.ownsClient) await this.client.dispose().catch(() => {});
  }

  // -------------------------------------------------------------------------------------------

  /** A stream's events as the client hands them back; a missing stream reads as none. */
  private async readEvents(
    name: string,
    from: ReadRevision,
    backwards: boolean,
    maxCount: number,
  ): Promise<ClientRecordedEvent[]> {
    const out: ClientRecordedEvent[] = [];
    try {
      const read = this.client.readStream(name, {
        fromRevision: from,
        direction: backwards ? BACKWARDS : FORWARDS,
        ...(Number.isFinite(maxCount) ? { maxCount } : {}),
      });
      for await (const r of read) if (r.event) out.push(r.event);
    } catch (e) {
      if (e instanceof StreamNotFoundError) return [];
      throw e;
    }
    return out;
  }

  /** The revision of a stream's last event, or 'no_stream'. */
  private async lastRevision(name: string): Promise<bigint | 'no_stream'> {
    const [e] = await this.readEvents(name, END, true, 1);
    return e ? e.revision : 'no_stream';
  }

  private async positionOf(name: string, revision: bigint): Promise<bigint> {
    const [e] = await this.readEvents(name, revision, false, 1);
    return positionOf(e);
  }

  /**
   * This namespace's own event (not a system event, not another namespace's, not a snapshot, a
   * checkpoint or a lease: their streams start `<namespace>.`, never `<namespace>-`).
   */
  private isOurs(e: ClientRecordedEvent): boolean {
    return e.streamId.startsWith(this.prefix) && !e.type.startsWith('$');
  }

  private recorded(e: ClientRecordedEvent, stream?: string): RecordedEvent {
    return {
      stream: stream ?? e.streamId.slice(this.prefix.length),
      revision: e.revision,
      position: positionOf(e),
      id: e.id,
      type: e.type,
      data: e.data,
      metadata: e.metadata ?? null,
    };
  }

  private failure(operation: string, e: unknown): Error {
    const message = e instanceof Error ? e.message : String(e);
    return new Error(`EventStoreDB ${operation} failed (${this.target}): ${message}`, { cause: e });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}

// ---------------------------------------------------------------------------------------------

function checkNamespace(namespace: string): string {
  // `-` ends the namespace in a stream name and `.` starts its snapshot, checkpoint and lease streams:
  // neither may be in it, or one namespace's streams could be taken for another's.
  if (!/^[A-Za-z0-9_]+$/.test(namespace)) {
    throw new Error(`EventStoreDB namespace must be letters, digits and '_' only (no '-' or '.'), got '${namespace}'`);
  }
  return namespace;
}

/** The connection string with its password (if any) replaced by `***`. */
function redact(connectionString: string): string {
  return connectionString.replace(/^(\s*[^:]+:\/\/[^:@/]+:)[^@]*@/, '$1***@');
}

function connect(connectionString: string): EventStoreDBClient {
  const shown = redact(connectionString);
  if (!/^\s*esdb(\+discover)?:\/\//.test(connectionString)) {
    throw new Error(
      `not an EventStoreDB connection string: '${shown}' (expected esdb://host:2113?tls=false, or esdb+discover://host:2113 for a cluster)`,
    );
  }
  try {
    return EventStoreDBClient.connectionString(connectionString);
  } catch (e) {
    const password = /^\s*[^:]+:\/\/[^:@/]+:([^@]*)@/.exec(connectionString)?.[1];
    let detail = e instanceof Error ? e.message : String(e);
    if (password) detail = detail.split(password).join('***');
    throw new Error(`invalid EventStoreDB connection string '${shown}': ${detail}`, { cause: e });
  }
}

function tooBig(e: MaxAppendSizeExceededError): string {
  return `larger than its maximum append size of ${e.maxAppendSize} bytes (server option MaxAppendSize)`;
}

function clientRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return expected;
}

function jsonBytes(value: unknown): Uint8Array {
  // A plain Uint8Array: the client sends it as is (a Buffer it would serialise as JSON again).
  return new Uint8Array(Buffer.from(JSON.stringify(value), 'utf8'));
}

/** The caller's id becomes the EventStoreDB event id: a retried append is recognised by it. */
function toEventData(e: NewEvent): EventData {
  return jsonEvent({
    id: e.id,
    type: e.type,
    data: e.data as JSONType,
    // Metadata goes as JSON bytes, so that any JSON value (false, 0, "") survives; none reads as null.
    ...(e.metadata === undefined || e.metadata === null ? {} : { metadata: jsonBytes(e.metadata) }),
  });
}

function positionOf(e: ClientRecordedEvent | undefined): bigint {
  const p = e?.position?.commit;
  return p === undefined || p === NO_POSITION ? -1n : p;
}

/** Page size for reading `$all` when `wanted` more events are wanted (plus the repeated first). */
function pageFor(wanted: number): number {
  return Number.isFinite(wanted) ? Math.min(ALL_PAGE, Math.max(64, wanted + 1)) : ALL_PAGE;
}

function parseMarker(data: unknown): Marker | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  const bigint = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : undefined);
  const revision = bigint(d.revision);
  const firstChunk = bigint(d.firstChunk);
  if (
    typeof d.snapshot !== 'string' ||
    typeof d.schemaVersion !== 'number' ||
    revision === undefined ||
    firstChunk === undefined ||
    !Number.isSafeInteger(d.chunks) ||
    (d.chunks as number) < 1 ||
    !Number.isSafeInteger(d.bytes) ||
    typeof d.sha256 !== 'string'
  ) {
    return undefined;
  }
  return {
    snapshot: d.snapshot,
    schemaVersion: d.schemaVersion,
    revision,
    firstChunk,
    chunks: d.chunks as number,
    bytes: d.bytes as number,
    sha256: d.sha256,
  };
}

function parseCheckpoint(data: unknown): bigint | undefined {
  const position = (data as { position?: unknown } | null | undefined)?.position;
  return typeof position === 'string' && /^-?\d+$/.test(position) ? BigInt(position) : undefined;
}

function parseLease(name: string, data: unknown): Lease | undefined {
  const d = data as { holder?: unknown; expiresAt?: unknown } | null | undefined;
  return typeof d?.holder === 'string' && typeof d.expiresAt === 'number' && Number.isFinite(d.expiresAt)
    ? { name, holder: d.holder, expiresAt: d.expiresAt }
    : undefined;
}

function chunkIndex(metadata: unknown): number | undefined {
  const index = (metadata as { index?: unknown } | undefined)?.index;
  return Number.isSafeInteger(index) && (index as number) >= 0 ? (index as number) : undefined;
}
