/**
 * A contract-level fake EventStoreDB: a gRPC server built from the service definitions that ship
 * with `@eventstore/db-client` (its `generated/` stubs), answering the RPCs the client makes for
 * what the gpupool adapter does, the way an EventStoreDB node (23.10 and later) answers them:
 *
 * - ServerFeatures.GetSupportedMethods, which the client asks once per connection. The fake lists
 *   Streams.BatchAppend among its methods, so the client appends through BatchAppend, as it does
 *   against any EventStoreDB since 21.10. Streams.Append (the older path) is served too.
 * - Streams.Read: a stream forwards or backwards, `$all` forwards, and catch-up subscriptions to a
 *   stream or to `$all` (optionally filtered by stream-name or event-type prefix or regex).
 * - Gossip.Read, so that `esdb+discover://` connection strings find the fake as the cluster leader.
 *
 * Everything else (Delete, Tombstone, persistent subscriptions, projections, users, operations,
 * reading `$all` backwards or with a filter) answers UNIMPLEMENTED. There are no link events, so
 * asking to resolve links changes nothing.
 *
 * Semantics kept from the real server:
 * - A stream's revisions count from 0. Positions in `$all` are byte offsets into one log (each
 *   event's commit and prepare positions are equal and unique, as for every event written since
 *   20.6), so they increase but are sparse. A fresh log already holds a few system events, as a
 *   real node's does, so a reader of `$all` has to skip what is not its own.
 * - Reading `$all` from a position that is not the start of a record fails (InvalidPosition);
 *   a position at or beyond the end reads as empty.
 * - Expected revisions (any, no_stream, stream_exists, a revision) and the idempotent write:
 *   events whose ids already sit right after the expected revision are acknowledged again without
 *   being written twice; a batch only partly there is a wrong-expected-version error.
 * - An append larger than the maximum append size (1,048,576 bytes of data, metadata and twice the
 *   type length, as the server counts) is refused with MaximumAppendSizeExceeded.
 * - A read of a stream that never had an event answers `stream_not_found`; a subscription to it
 *   waits. Subscriptions confirm, catch up, report `caught_up`, then go live; `after` a revision
 *   or position is exclusive.
 * - Stream metadata lives in `$$<stream>` (a `$metadata` event); its `$tb` (truncate before) hides
 *   the events below it from reads of the stream. Other metadata keys are kept but not enforced.
 * - Event ids must be UUIDs and come back in lower case; JSON and binary content types round-trip.
 *
 * Insecure (tls=false) and without authentication, like a node started with `--insecure`.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';

// The client's generated modules are CommonJS whose exports ESM cannot name statically, so they
// are loaded with require, from the same files (and so the same message classes) the client uses.
const require = createRequire(import.meta.url);
type StreamsPb = typeof import('@eventstore/db-client/generated/streams_pb.js');
type SharedPb = typeof import('@eventstore/db-client/generated/shared_pb.js');
type StatusPb = typeof import('@eventstore/db-client/generated/status_pb.js');
type StreamsGrpc = typeof import('@eventstore/db-client/generated/streams_grpc_pb.js');
type FeaturesPb = typeof import('@eventstore/db-client/generated/serverfeatures_pb.js');
type FeaturesGrpc = typeof import('@eventstore/db-client/generated/serverfeatures_grpc_pb.js');
type GossipPb = typeof import('@eventstore/db-client/generated/gossip_pb.js');
type GossipGrpc = typeof import('@eventstore/db-client/generated/gossip_grpc_pb.js');
type AnyPb = typeof import('google-protobuf/google/protobuf/any_pb.js');
type EmptyPb = typeof import('google-protobuf/google/protobuf/empty_pb.js');

const streamsPb = require('@eventstore/db-client/generated/streams_pb.js') as StreamsPb;
const sharedPb = require('@eventstore/db-client/generated/shared_pb.js') as SharedPb;
const statusPb = require('@eventstore/db-client/generated/status_pb.js') as StatusPb;
const streamsGrpc = require('@eventstore/db-client/generated/streams_grpc_pb.js') as StreamsGrpc;
const featuresPb = require('@eventstore/db-client/generated/serverfeatures_pb.js') as FeaturesPb;
const featuresGrpc = require('@eventstore/db-client/generated/serverfeatures_grpc_pb.js') as FeaturesGrpc;
const gossipPb = require('@eventstore/db-client/generated/gossip_pb.js') as GossipPb;
const gossipGrpc = require('@eventstore/db-client/generated/gossip_grpc_pb.js') as GossipGrpc;
// google-protobuf as the client's generated code resolves it (one copy of its classes).
const requireFromClient = createRequire(require.resolve('@eventstore/db-client/generated/status_pb.js'));
const anyPb = requireFromClient('google-protobuf/google/protobuf/any_pb.js') as AnyPb;
const emptyPb = requireFromClient('google-protobuf/google/protobuf/empty_pb.js') as EmptyPb;

type ReadReq = InstanceType<StreamsPb['ReadReq']>;
type ReadResp = InstanceType<StreamsPb['ReadResp']>;
type ReadOptions = InstanceType<StreamsPb['ReadReq']['Options']>;
type FilterOptions = InstanceType<StreamsPb['ReadReq']['Options']['FilterOptions']>;
type AppendReq = InstanceType<StreamsPb['AppendReq']>;
type AppendResp = InstanceType<StreamsPb['AppendResp']>;
type BatchAppendReq = InstanceType<StreamsPb['BatchAppendReq']>;
type BatchAppendResp = InstanceType<StreamsPb['BatchAppendResp']>;
type Empty = InstanceType<SharedPb['Empty']>;
type SupportedMethods = InstanceType<FeaturesPb['SupportedMethods']>;
type ClusterInfo = InstanceType<GossipPb['ClusterInfo']>;
type ProposedMessage = InstanceType<StreamsPb['AppendReq']['ProposedMessage']>;

/** EventStoreDB's default `MaxAppendSize`. */
export const DEFAULT_MAX_APPEND_SIZE = 1_048_576;
const SERVER_VERSION = '23.10.0';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** .NET ticks (100 ns) between 0001-01-01 and the Unix epoch, for the `created` metadata. */
const EPOCH_TICKS = 621_355_968_000_000_000n;

export interface FakeEventStoreDBOptions {
  /** The largest append accepted, in bytes as the server counts them. Default 1,048,576. */
  maxAppendSize?: number;
  /** Start with a few system events in `$all`, as a real node has. Default true. */
  systemEvents?: boolean;
  /**
   * List BatchAppend among the supported methods (default true). Without it the client appends
   * through Streams.Append, as it does against servers older than 21.10.
   */
  batchAppend?: boolean;
}

export interface FakeEventStoreDB {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  readonly connectionString: string;
  /** The same node through gossip: `esdb+discover://127.0.0.1:<port>?tls=false` */
  readonly discoverConnectionString: string;
  readonly port: number;
  /** Every stream name the log holds, system streams included, in order of first write. */
  streamNames(): string[];
  /** The events of one stream as stored (ignoring `$tb`), oldest first. */
  events(stream: string): readonly StoredEvent[];
  /** How many events the whole log holds. */
  size(): number;
  /** End every live subscription with UNAVAILABLE, as a node that stops serving does. */
  dropSubscriptions(): void;
  /** How many calls each RPC received, by method path (`/event_store.client.streams.Streams/Read`). */
  calls(): Record<string, number>;
  stop(): Promise<void>;
}

export interface StoredEvent {
  readonly stream: string;
  readonly revision: bigint;
  /** Commit and prepare position alike. */
  readonly position: bigint;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly created: bigint;
}

type Expected = { kind: 'any' } | { kind: 'no_stream' } | { kind: 'stream_exists' } | { kind: 'revision'; revision: bigint };

interface Proposed {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
}

type WriteOutcome =
  | { ok: true; revision: bigint; position: bigint }
  | { ok: false; wrongExpectedVersion: { current: bigint | undefined } }
  | { ok: false; tooBig: true }
  | { ok: false; badRequest: string };

/** A live subscription: it hears of every event committed after its catch-up. */
interface Listener {
  wants: (e: StoredEvent) => boolean;
  send: (e: StoredEvent) => void;
  /** End the subscription with an error, as a node does when it stops serving (a leader change). */
  drop: () => void;
}

/** The log: all events in commit order, indexed by stream and by position. */
class Log {
  readonly all: StoredEvent[] = [];
  readonly streams = new Map<string, StoredEvent[]>();
  readonly indexOfPosition = new Map<bigint, number>();
  readonly listeners = new Set<Listener>();
  /** The position the next record starts at. */
  end = 0n;

  constructor(readonly maxAppendSize: number) {}

  lastRevision(stream: string): bigint | undefined {
    const events = this.streams.get(stream);
    return events && events.length > 0 ? BigInt(events.length - 1) : undefined;
  }

  /** Check an append against the expected revision and write it (EventStoreDB's CheckCommit). */
  write(stream: string, expected: Expected, proposed: readonly Proposed[]): WriteOutcome {
    let size = 0;
    for (const p of proposed) {
      if (!UUID_RE.test(p.id)) return { ok: false, badRequest: `Invalid event id '${p.id}'` };
      if (p.type === '') return { ok: false, badRequest: 'Empty eventType provided.' };
      size += p.data.length + p.metadata.length + p.type.length * 2;
    }
    if (size > this.maxAppendSize) return { ok: false, tooBig: true };
    const events = this.streams.get(stream) ?? [];
    const current = this.lastRevision(stream);
    const cur = current ?? -1n;
    const ids = proposed.map((p) => p.id.toLowerCase());

    // Where the batch would start if it were a retry of a write that landed.
    let retryFrom: bigint | undefined;
    switch (expected.kind) {
      case 'revision':
        if (expected.revision > cur) return { ok: false, wrongExpectedVersion: { current } };
        if (expected.revision < cur) retryFrom = expected.revision + 1n;
        break;
      case 'no_stream':
        if (current !== undefined) retryFrom = 0n;
        break;
      case 'stream_exists':
        if (current === undefined) return { ok: false, wrongExpectedVersion: { current } };
        retryFrom = this.firstRevisionOf(events, ids[0]);
        break;
      case 'any':
        retryFrom = this.firstRevisionOf(events, ids[0]);
        break;
    }
    if (retryFrom !== undefined && ids.length > 0) {
      let matched = 0;
      while (matched < ids.length && events[Number(retryFrom) + matched]?.id === ids[matched]) matched++;
      if (matched === ids.length) {
        const last = events[Number(retryFrom) + matched - 1] as StoredEvent;
        return { ok: true, revision: last.revision, position: last.position };
      }
      // None there: a conflict, unless 'any'/'stream_exists' (whose start was only a guess).
      // Some there: the same events partly written is a conflict whatever was expected.
      if (matched > 0 || expected.kind === 'revision' || expected.kind === 'no_stream') {
        return { ok: false, wrongExpectedVersion: { current } };
      }
    } else if (retryFrom !== undefined) {
      // An empty append under a stale revision: nothing to recognise, so a plain conflict.
      if (expected.kind === 'revision' || expected.kind === 'no_stream') return { ok: false, wrongExpectedVersion: { current } };
    }
    if (proposed.length === 0) return { ok: true, revision: cur, position: this.end };

    if (!this.streams.has(stream)) this.streams.set(stream, events);
    const now = BigInt(Date.now()) * 10_000n + EPOCH_TICKS;
    const written: StoredEvent[] = [];
    for (const [i, p] of proposed.entries()) {
      const e: StoredEvent = {
        stream,
        revision: BigInt(events.length),
        position: this.end,
        id: ids[i] as string,
        type: p.type,
        contentType: p.contentType,
        data: p.data,
        metadata: p.metadata,
        created: now,
      };
      // A record's length on disk, more or less: a fixed header, the names, the payloads.
      this.end += BigInt(64 + Buffer.byteLength(stream) + p.type.length * 2 + p.data.length + p.metadata.length);
      this.indexOfPosition.set(e.position, this.all.length);
      this.all.push(e);
      events.push(e);
      written.push(e);
    }
    for (const l of [...this.listeners]) for (const e of written) if (l.wants(e)) l.send(e);
    const last = written[written.length - 1] as StoredEvent;
    return { ok: true, revision: last.revision, position: last.position };
  }

  private firstRevisionOf(events: readonly StoredEvent[], id: string | undefined): bigint | undefined {
    if (id === undefined) return undefined;
    const i = events.findIndex((e) => e.id === id);
    return i < 0 ? undefined : BigInt(i);
  }

  /** The events of a stream a reader sees: those at or above the metadata's `$tb`. */
  visible(stream: string): StoredEvent[] | undefined {
    const events = this.streams.get(stream);
    if (!events) return undefined;
    const tb = this.truncateBefore(stream);
    return tb > 0n ? events.slice(Number(tb)) : events;
  }

  private truncateBefore(stream: string): bigint {
    const meta = this.streams.get(`$$${stream}`);
    const last = meta?.[meta.length - 1];
    if (!last) return 0n;
    try {
      const tb = JSON.parse(Buffer.from(last.data).toString('utf8')).$tb;
      return typeof tb === 'number' && tb > 0 ? BigInt(tb) : 0n;
    } catch {
      return 0n;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

function streamIdentifier(name: string) {
  const id = new sharedPb.StreamIdentifier();
  id.setStreamName(Buffer.from(name, 'utf8'));
  return id;
}

function recordedEvent(e: StoredEvent) {
  const r = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  const id = new sharedPb.UUID();
  id.setString(e.id);
  r.setId(id);
  r.setStreamIdentifier(streamIdentifier(e.stream));
  r.setStreamRevision(e.revision.toString());
  r.setCommitPosition(e.position.toString());
  r.setPreparePosition(e.position.toString());
  const meta = r.getMetadataMap();
  meta.set('type', e.type);
  meta.set('content-type', e.contentType);
  meta.set('created', e.created.toString());
  r.setData(e.data);
  r.setCustomMetadata(e.metadata);
  return r;
}

function eventResp(e: StoredEvent): ReadResp {
  const readEvent = new streamsPb.ReadResp.ReadEvent();
  readEvent.setEvent(recordedEvent(e));
  readEvent.setCommitPosition(e.position.toString());
  const resp = new streamsPb.ReadResp();
  resp.setEvent(readEvent);
  return resp;
}

function proposedOf(m: ProposedMessage | InstanceType<StreamsPb['BatchAppendReq']['ProposedMessage']>): Proposed {
  const meta = m.getMetadataMap();
  const uuid = m.getId();
  return {
    id: uuid?.hasString() ? uuid.getString() : '',
    type: meta.get('type') ?? '',
    contentType: meta.get('content-type') ?? 'application/octet-stream',
    data: m.getData_asU8(),
    metadata: m.getCustomMetadata_asU8(),
  };
}

/** A google.rpc.Status whose details pack one of the client's messages (BatchAppend errors). */
function status(code: grpc.status, message: string, typeName: string, detail: { serializeBinary(): Uint8Array }) {
  const s = new statusPb.Status();
  s.setCode(code as number);
  s.setMessage(message);
  const any = new anyPb.Any();
  any.pack(detail.serializeBinary(), typeName);
  s.setDetails(any);
  return s;
}

/** End a server-streaming call with an error status (as the server's RpcException does). */
function fail(call: grpc.ServerWritableStream<ReadReq, ReadResp>, error: grpc.ServiceError): void {
  call.emit('error', error); // grpc-js sends it as the call's status and ends the call
}

function serviceError(code: grpc.status, details: string, metadata: Record<string, string> = {}): grpc.ServiceError {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return Object.assign(new Error(details), { code, details, metadata: md });
}

// ---------------------------------------------------------------------------------------------
// Streams.Read

function read(log: Log, call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
  const options = call.request.getOptions();
  if (!options) {
    fail(call, serviceError(grpc.status.INVALID_ARGUMENT, 'Read without options'));
    return;
  }
  if (options.hasSubscription()) {
    subscribe(log, call, options);
    return;
  }
  if (options.hasFilter()) {
    fail(call, serviceError(grpc.status.UNIMPLEMENTED, 'The fake reads with no filter only'));
    return;
  }
  const count = BigInt(options.getCount() || '0');
  const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
  let events: StoredEvent[];

  const stream = options.getStream();
  const all = options.getAll();
  if (stream) {
    const name = utf8(stream.getStreamIdentifier()?.getStreamName_asU8() ?? new Uint8Array());
    const visible = log.visible(name);
    if (!visible) {
      const notFound = new streamsPb.ReadResp.StreamNotFound();
      notFound.setStreamIdentifier(streamIdentifier(name));
      const resp = new streamsPb.ReadResp();
      resp.setStreamNotFound(notFound);
      call.write(resp);
      call.end();
      return;
    }
    const last = BigInt(log.streams.get(name)?.length ?? 0) - 1n;
    const R = streamsPb.ReadReq.Options.StreamOptions.RevisionOptionCase;
    const from =
      stream.getRevisionOptionCase() === R.REVISION
        ? BigInt(stream.getRevision())
        : stream.getRevisionOptionCase() === R.END
          ? last
          : backwards
            ? -1n // backwards from the start reads nothing
            : 0n;
    events = backwards ? visible.filter((e) => e.revision <= from).reverse() : visible.filter((e) => e.revision >= from);
  } else if (all) {
    if (backwards) {
      fail(call, serviceError(grpc.status.UNIMPLEMENTED, 'The fake does not read $all backwards'));
      return;
    }
    const start = allStart(log, all);
    if (start === 'invalid') {
      fail(call, serviceError(grpc.status.UNKNOWN, 'Unexpected ReadAllResult: InvalidPosition'));
      return;
    }
    events = log.all.slice(start);
  } else {
    fail(call, serviceError(grpc.status.INVALID_ARGUMENT, 'Read of neither a stream nor $all'));
    return;
  }
  for (const e of events.slice(0, count > BigInt(events.length) ? events.length : Number(count))) call.write(eventResp(e));
  call.end();
}

/**
 * Where reading `$all` forwards starts (inclusive): the start, the end, or a position, which must
 * be the start of an event's record (or at or past the end, which reads as empty).
 */
function allStart(
  log: Log,
  all: InstanceType<StreamsPb['ReadReq']['Options']['AllOptions']>,
  exclusive = false,
): number | 'invalid' {
  if (all.hasStart()) return 0;
  if (all.hasEnd()) return log.all.length;
  const p = BigInt(all.getPosition()?.getCommitPosition() ?? '0');
  if (p >= log.end) return log.all.length;
  const i = log.indexOfPosition.get(p);
  if (i === undefined) return p === 0n ? 0 : 'invalid';
  return exclusive ? i + 1 : i;
}

// ---------------------------------------------------------------------------------------------
// Subscriptions (Streams.Read with subscription options)

function matcher(filter: FilterOptions | undefined): (e: StoredEvent) => boolean {
  if (!filter) return () => true;
  const F = streamsPb.ReadReq.Options.FilterOptions.FilterCase;
  const onStream = filter.getFilterCase() === F.STREAM_IDENTIFIER;
  const expr = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expr) return () => true;
  const regex = expr.getRegex() ? new RegExp(expr.getRegex()) : undefined;
  const prefixes = expr.getPrefixList();
  return (e) => {
    const subject = onStream ? e.stream : e.type;
    return regex ? regex.test(subject) : prefixes.length === 0 || prefixes.some((p) => subject.startsWith(p));
  };
}

function subscribe(log: Log, call: grpc.ServerWritableStream<ReadReq, ReadResp>, options: ReadOptions): void {
  let catchUp: StoredEvent[];
  let wants: (e: StoredEvent) => boolean;
  const stream = options.getStream();
  const all = options.getAll();
  if (stream) {
    const name = utf8(stream.getStreamIdentifier()?.getStreamName_asU8() ?? new Uint8Array());
    const R = streamsPb.ReadReq.Options.StreamOptions.RevisionOptionCase;
    const visible = log.visible(name) ?? [];
    const c = stream.getRevisionOptionCase();
    // A revision is exclusive: the subscription starts after it.
    catchUp = c === R.END ? [] : c === R.REVISION ? visible.filter((e) => e.revision > BigInt(stream.getRevision())) : visible;
    wants = (e) => e.stream === name;
  } else if (all) {
    const start = allStart(log, all, true);
    if (start === 'invalid') {
      fail(call, serviceError(grpc.status.UNKNOWN, 'Unexpected ReadAllResult: InvalidPosition'));
      return;
    }
    const filtered = matcher(options.hasFilter() ? options.getFilter() : undefined);
    wants = filtered;
    catchUp = log.all.slice(start).filter(filtered);
  } else {
    fail(call, serviceError(grpc.status.INVALID_ARGUMENT, 'Subscription to neither a stream nor $all'));
    return;
  }

  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
  confirmation.setSubscriptionId(randomUUID());
  const confirm = new streamsPb.ReadResp();
  confirm.setConfirmation(confirmation);
  call.write(confirm);
  for (const e of catchUp) call.write(eventResp(e));
  const caughtUp = new streamsPb.ReadResp();
  caughtUp.setCaughtUp(new streamsPb.ReadResp.CaughtUp());
  call.write(caughtUp);

  // Catch-up and registration happen in one turn: no append can fall between them.
  const listener: Listener = {
    wants,
    send: (e) => call.write(eventResp(e)),
    drop: () => fail(call, serviceError(grpc.status.UNAVAILABLE, 'Server Is Not Ready')),
  };
  log.listeners.add(listener);
  const stop = () => log.listeners.delete(listener);
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('error', stop);
}

// ---------------------------------------------------------------------------------------------
// Streams.Append (the client's path before BatchAppend) and Streams.BatchAppend

function expectedOfAppend(o: InstanceType<StreamsPb['AppendReq']['Options']>): Expected {
  if (o.hasRevision()) return { kind: 'revision', revision: BigInt(o.getRevision()) };
  if (o.hasNoStream()) return { kind: 'no_stream' };
  if (o.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

function expectedOfBatch(o: InstanceType<StreamsPb['BatchAppendReq']['Options']>): Expected {
  if (o.hasStreamPosition()) return { kind: 'revision', revision: BigInt(o.getStreamPosition()) };
  if (o.hasNoStream()) return { kind: 'no_stream' };
  if (o.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

function append(
  log: Log,
  call: grpc.ServerReadableStream<AppendReq, AppendResp>,
  callback: grpc.sendUnaryData<AppendResp>,
): void {
  let stream: string | undefined;
  let expected: Expected = { kind: 'any' };
  const proposed: Proposed[] = [];
  call.on('data', (req: AppendReq) => {
    const o = req.getOptions();
    if (o) {
      stream = utf8(o.getStreamIdentifier()?.getStreamName_asU8() ?? new Uint8Array());
      expected = expectedOfAppend(o);
    }
    const m = req.getProposedMessage();
    if (m) proposed.push(proposedOf(m));
  });
  call.on('end', () => {
    if (stream === undefined) return callback(serviceError(grpc.status.INVALID_ARGUMENT, 'Append without options'));
    const outcome = log.write(stream, expected, proposed);
    if ('tooBig' in outcome) {
      return callback(
        serviceError(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${log.maxAppendSize} Exceeded.`, {
          exception: 'maximum-append-size-exceeded',
          'maximum-append-size': String(log.maxAppendSize),
        }),
      );
    }
    if ('badRequest' in outcome) return callback(serviceError(grpc.status.INVALID_ARGUMENT, outcome.badRequest));
    const resp = new streamsPb.AppendResp();
    if (outcome.ok) {
      const success = new streamsPb.AppendResp.Success();
      if (outcome.revision >= 0n) success.setCurrentRevision(outcome.revision.toString());
      else success.setNoStream(new sharedPb.Empty());
      const position = new streamsPb.AppendResp.Position();
      position.setCommitPosition(outcome.position.toString());
      position.setPreparePosition(outcome.position.toString());
      success.setPosition(position);
      resp.setSuccess(success);
    } else {
      const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
      const current = outcome.wrongExpectedVersion.current;
      if (current === undefined) wrong.setCurrentNoStream(new sharedPb.Empty());
      else wrong.setCurrentRevision(current.toString());
      if (expected.kind === 'revision') wrong.setExpectedRevision(expected.revision.toString());
      else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
      else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty());
      else wrong.setExpectedAny(new sharedPb.Empty());
      resp.setWrongExpectedVersion(wrong);
    }
    callback(null, resp);
  });
}

/**
 * BatchAppend: one long-lived duplex call carrying many appends, each named by a correlation id.
 * An append's first request carries its options; its messages may span several requests (the
 * client splits at 3 MiB) and the last is marked final. Each append is answered on its own.
 */
function batchAppend(log: Log, call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
  const pending = new Map<string, { stream: string; expected: Expected; proposed: Proposed[]; size: number }>();
  call.on('data', (req: BatchAppendReq) => {
    const correlation = req.getCorrelationId();
    const key = correlation?.hasString() ? correlation.getString() : String(correlation?.getStructured()?.toArray());
    const answer = (stream: string, fill: (r: BatchAppendResp) => void) => {
      const resp = new streamsPb.BatchAppendResp();
      if (correlation) resp.setCorrelationId(correlation);
      resp.setStreamIdentifier(streamIdentifier(stream));
      fill(resp);
      call.write(resp);
    };
    const o = req.getOptions();
    if (o) {
      const stream = utf8(o.getStreamIdentifier()?.getStreamName_asU8() ?? new Uint8Array());
      pending.set(key, { stream, expected: expectedOfBatch(o), proposed: [], size: 0 });
    }
    const w = pending.get(key);
    if (!w) return; // an append already refused (too big): the rest of it is dropped
    for (const m of req.getProposedMessagesList()) {
      const p = proposedOf(m);
      w.proposed.push(p);
      w.size += p.data.length + p.metadata.length + p.type.length * 2;
    }
    if (w.size > log.maxAppendSize) {
      pending.delete(key);
      const detail = new sharedPb.MaximumAppendSizeExceeded();
      detail.setMaxappendsize(log.maxAppendSize);
      return answer(w.stream, (r) =>
        r.setError(
          status(
            grpc.status.INVALID_ARGUMENT,
            'MaximumAppendSizeExceeded',
            'event_store.client.MaximumAppendSizeExceeded',
            detail,
          ),
        ),
      );
    }
    if (!req.getIsFinal()) return;
    pending.delete(key);
    const outcome = log.write(w.stream, w.expected, w.proposed);
    answer(w.stream, (r) => {
      if (outcome.ok) {
        const success = new streamsPb.BatchAppendResp.Success();
        if (outcome.revision >= 0n) success.setCurrentRevision(outcome.revision.toString());
        else success.setNoStream(new emptyPb.Empty());
        const position = new sharedPb.AllStreamPosition();
        position.setCommitPosition(outcome.position.toString());
        position.setPreparePosition(outcome.position.toString());
        success.setPosition(position);
        r.setSuccess(success);
      } else if ('wrongExpectedVersion' in outcome) {
        const wrong = new sharedPb.WrongExpectedVersion();
        const current = outcome.wrongExpectedVersion.current;
        if (current === undefined) wrong.setCurrentNoStream(new emptyPb.Empty());
        else wrong.setCurrentStreamRevision(current.toString());
        const e = w.expected;
        if (e.kind === 'revision') wrong.setExpectedStreamPosition(e.revision.toString());
        else if (e.kind === 'no_stream') wrong.setExpectedNoStream(new emptyPb.Empty());
        else if (e.kind === 'stream_exists') wrong.setExpectedStreamExists(new emptyPb.Empty());
        else wrong.setExpectedAny(new emptyPb.Empty());
        r.setError(status(grpc.status.ALREADY_EXISTS, 'WrongExpectedVersion', 'event_store.client.WrongExpectedVersion', wrong));
      } else {
        const detail = new sharedPb.BadRequest();
        const message = 'badRequest' in outcome ? outcome.badRequest : 'Bad request';
        detail.setMessage(message);
        r.setError(status(grpc.status.INVALID_ARGUMENT, 'BadRequest', 'event_store.client.BadRequest', detail));
      }
    });
  });
  call.on('end', () => call.end());
}

// ---------------------------------------------------------------------------------------------
// ServerFeatures and Gossip

function supportedMethods(batchAppend: boolean): SupportedMethods {
  const methods = new featuresPb.SupportedMethods();
  methods.setEventStoreServerVersion(SERVER_VERSION);
  const add = (service: string, method: string, features: string[] = []) => {
    const m = new featuresPb.SupportedMethod();
    m.setServiceName(service.toLowerCase());
    m.setMethodName(method.toLowerCase());
    m.setFeaturesList(features);
    methods.addMethods(m);
  };
  add('event_store.client.streams.Streams', 'Read', ['position', 'events']);
  add('event_store.client.streams.Streams', 'Append');
  if (batchAppend) add('event_store.client.streams.Streams', 'BatchAppend', ['deadline_duration']);
  add('event_store.client.server_features.ServerFeatures', 'GetSupportedMethods');
  add('event_store.client.gossip.Gossip', 'Read');
  return methods;
}

function clusterInfo(port: number, instanceId: string): ClusterInfo {
  const member = new gossipPb.MemberInfo();
  const id = new sharedPb.UUID();
  id.setString(instanceId);
  member.setInstanceId(id);
  member.setTimeStamp(String(Date.now()));
  member.setState(gossipPb.MemberInfo.VNodeState.LEADER);
  member.setIsAlive(true);
  const endpoint = new gossipPb.EndPoint();
  endpoint.setAddress('127.0.0.1');
  endpoint.setPort(port);
  member.setHttpEndPoint(endpoint);
  const info = new gossipPb.ClusterInfo();
  info.addMembers(member);
  return info;
}

// ---------------------------------------------------------------------------------------------

/** A few of the events a fresh node writes to `$all` before any client does. */
function seedSystemEvents(log: Log): void {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
  const system = (stream: string, type: string, data: unknown) =>
    log.write(stream, { kind: 'any' }, [
      { id: randomUUID(), type, contentType: 'application/json', data: json(data), metadata: new Uint8Array() },
    ]);
  system('$epoch-information', '$epoch-information', { epochNumber: 0 });
  system('$users', '$User', { loginName: 'admin' });
  system('$user-admin', '$UserCreated', { loginName: 'admin', fullName: 'Event Store Administrator' });
  system('$scavenges', '$scavengeIndexInitialized', {});
}

/** Start a fake node on 127.0.0.1 (a random port). */
export async function startFakeEventStoreDB(options: FakeEventStoreDBOptions = {}): Promise<FakeEventStoreDB> {
  const log = new Log(options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE);
  if (options.systemEvents ?? true) seedSystemEvents(log);
  const server = new grpc.Server();
  let port = 0;
  const instanceId = randomUUID();

  const calls: Record<string, number> = {};
  const count = (call: { getPath(): string }) => {
    calls[call.getPath()] = (calls[call.getPath()] ?? 0) + 1;
  };

  // Methods left out of an implementation answer UNIMPLEMENTED (grpc-js does so for them).
  server.addService(streamsGrpc.StreamsService, {
    read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => {
      count(call);
      read(log, call);
    },
    append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, cb: grpc.sendUnaryData<AppendResp>) => {
      count(call);
      append(log, call, cb);
    },
    batchAppend: (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => {
      count(call);
      batchAppend(log, call);
    },
  });
  server.addService(featuresGrpc.ServerFeaturesService, {
    getSupportedMethods: (call: grpc.ServerUnaryCall<Empty, SupportedMethods>, cb: grpc.sendUnaryData<SupportedMethods>) => {
      count(call);
      cb(null, supportedMethods(options.batchAppend ?? true));
    },
  });
  server.addService(gossipGrpc.GossipService, {
    read: (call: grpc.ServerUnaryCall<Empty, ClusterInfo>, cb: grpc.sendUnaryData<ClusterInfo>) => {
      count(call);
      cb(null, clusterInfo(port, instanceId));
    },
  });

  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );

  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    discoverConnectionString: `esdb+discover://127.0.0.1:${port}?tls=false`,
    port,
    streamNames: () => [...log.streams.keys()],
    events: (stream) => log.streams.get(stream) ?? [],
    size: () => log.all.length,
    calls: () => ({ ...calls }),
    dropSubscriptions: () => {
      const dropped = [...log.listeners];
      log.listeners.clear();
      for (const l of dropped) l.drop();
    },
    stop: async () => {
      log.listeners.clear();
      server.forceShutdown();
    },
  };
}
