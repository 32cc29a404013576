/**
 * The in-memory event store: the reference implementation of the EventStore port. It keeps the
 * event objects it is given (callers treat events as immutable values), so it costs no copying,
 * and it builds the RecordedEvent envelopes only when events are read or delivered: an append
 * allocates nothing per event but two array slots, which is what lets an engine on it keep up
 * with the core.
 */
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
import { expectationMet, snapshotJson } from '../../core/ports.js';
import { MemoryLeases } from './leases.js';

interface Listener {
  stream: string;
  handler: (e: RecordedEvent) => void;
}

interface StreamLog {
  readonly name: string;
  readonly events: NewEvent[];
  /** Global position of each event. */
  readonly positions: number[];
}

export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, StreamLog>();
  /** In global order: each event's stream and its index in that stream. */
  private readonly allStreams: StreamLog[] = [];
  private readonly allIndex: number[] = [];
  private readonly snapshots = new Map<string, { revision: bigint; schemaVersion: number; json: string }>();
  /** Reactors' positions, by reactor name: beside the log, never in it. */
  private readonly checkpoints = new Map<string, bigint>();
  /** Named leases, beside the log like checkpoints. */
  private readonly leaseTable = new MemoryLeases();
  private readonly listeners = new Set<Listener>();
  /** Appended ranges waiting for delivery, in append order (see deliver). */
  private readonly undelivered: { log: StreamLog; from: number; to: number; listeners: Listener[] }[] = [];
  private delivering = false;
  private closed = false;

  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const log = this.streams.get(stream);
    const length = log?.events.length ?? 0;
    const last = length === 0 ? ('no_stream' as const) : BigInt(length - 1);
    const retried = this.alreadyAppended(log, events, expected);
    if (retried) return retried;
    if (!expectationMet(expected, last)) return { ok: false, conflict: { stream, expected, actual: last } };
    if (events.length === 0) {
      return { ok: true, nextExpectedRevision: last === 'no_stream' ? -1n : last, position: BigInt(this.allIndex.length - 1) };
    }
    let target = log;
    if (!target) {
      target = { name: stream, events: [], positions: [] };
      this.streams.set(stream, target);
    }
    const first = target.events.length;
    for (const e of events) {
      target.positions.push(this.allIndex.length);
      this.allStreams.push(target);
      this.allIndex.push(target.events.length);
      target.events.push(e);
    }
    if (this.listeners.size > 0) this.deliver(target, first, target.events.length);
    const tail = target.events.length - 1;
    return { ok: true, nextExpectedRevision: BigInt(tail), position: BigInt(target.positions[tail] as number) };
  }

  /**
   * Hand the events [from, to) of `log` to the live listeners of their stream and of '$all'.
   *
   * A handler may append (a reactor on '$all' writing to another stream). Delivering inside that
   * append would hand its events out before the rest of the batch that triggered it, out of global
   * order. So appends made during a delivery queue their range, and the outermost delivery hands
   * out the ranges in append order, each to the listeners registered when its events were
   * appended.
   */
  private deliver(log: StreamLog, from: number, to: number): void {
    this.undelivered.push({ log, from, to, listeners: [...this.listeners] });
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let range = this.undelivered.shift(); range; range = this.undelivered.shift()) {
        for (const l of range.listeners) {
          if (l.stream !== '$all' && l.stream !== range.log.name) continue;
          for (let i = range.from; i < range.to && this.listeners.has(l); i++) {
            // A subscriber's failure is its own: the events are already stored, so the append
            // must still succeed and the other subscribers still hear of them (a throw here used
            // to reject an append that had landed and starve the subscribers after the failing one).
            try {
              l.handler(this.recorded(range.log, i));
            } catch {
              // ignored, as above
            }
          }
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  /**
   * An append that finds its own events already right after the revision it expected was a retry
   * of an append that had succeeded: answer as the first attempt was answered (EventStoreDB's
   * idempotent write). With 'any' there is no revision to look at, so it is appended again.
   */
  private alreadyAppended(
    log: StreamLog | undefined,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): AppendResult | undefined {
    if (!log || events.length === 0 || expected === 'any') return undefined;
    const start = expected === 'no_stream' ? 0 : expected === 'stream_exists' ? -1 : Number(expected) + 1;
    if (start < 0 || start + events.length > log.events.length) return undefined;
    for (let i = 0; i < events.length; i++) if (log.events[start + i]?.id !== events[i]?.id) return undefined;
    const tail = start + events.length - 1;
    return { ok: true, nextExpectedRevision: BigInt(tail), position: BigInt(log.positions[tail] as number) };
  }

  private recorded(log: StreamLog, i: number): RecordedEvent {
    const e = log.events[i] as NewEvent;
    return {
      stream: log.name,
      revision: BigInt(i),
      position: BigInt(log.positions[i] as number),
      id: e.id,
      type: e.type,
      data: e.data,
      metadata: e.metadata ?? null,
    };
  }

  async read(stream: string, options: ReadOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const log = this.streams.get(stream);
    if (!log) return [];
    const n = log.events.length;
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    const out: RecordedEvent[] = [];
    if (options.direction === 'backwards') {
      const from = options.from === undefined ? n - 1 : Math.min(Number(options.from), n - 1);
      for (let i = from; i >= 0 && out.length < max; i--) out.push(this.recorded(log, i));
      return out;
    }
    for (let i = options.from === undefined ? 0 : Number(options.from); i < n && out.length < max; i++)
      out.push(this.recorded(log, i));
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    const out: RecordedEvent[] = [];
    for (let p = Number(options.fromPosition ?? 0n); p < this.allIndex.length && out.length < max; p++) {
      out.push(this.recorded(this.allStreams[p] as StreamLog, this.allIndex[p] as number));
    }
    return out;
  }

  subscribe(stream: string, options: SubscribeOptions, handler: (event: RecordedEvent) => void): Subscription {
    this.assertOpen();
    const start = options.after === undefined ? 0 : Number(options.after) + 1;
    // Catch up synchronously, then go live: appends are synchronous here, so nothing slips between.
    if (stream === '$all') {
      for (let p = start; p < this.allIndex.length; p++)
        handler(this.recorded(this.allStreams[p] as StreamLog, this.allIndex[p] as number));
    } else {
      const log = this.streams.get(stream);
      if (log) for (let i = start; i < log.events.length; i++) handler(this.recorded(log, i));
    }
    const listener: Listener = { stream, handler };
    this.listeners.add(listener);
    return { close: () => this.listeners.delete(listener) };
  }

  async readSnapshot(stream: string, schemaVersion: number): Promise<Snapshot | undefined> {
    this.assertOpen();
    const s = this.snapshots.get(stream);
    // Parsed afresh: whoever restores from it takes its objects over (as from any store's read).
    return s && s.schemaVersion === schemaVersion
      ? { revision: s.revision, schemaVersion, state: JSON.parse(s.json) }
      : undefined;
  }

  async writeSnapshot(stream: string, snapshot: Snapshot): Promise<void> {
    this.assertOpen(); // as readSnapshot
    // As JSON, at once: the state as it is now (its owner changes it after), and JSON only, as
    // every store keeps it.
    this.snapshots.set(stream, {
      revision: snapshot.revision,
      schemaVersion: snapshot.schemaVersion,
      json: snapshotJson(snapshot),
    });
  }

  async readCheckpoint(name: string): Promise<bigint | undefined> {
    this.assertOpen();
    return this.checkpoints.get(name);
  }

  async writeCheckpoint(name: string, position: bigint): Promise<void> {
    this.assertOpen();
    this.checkpoints.set(name, position);
  }

  async acquireLease(name: string, holder: string, ttlSeconds: number, now: number): Promise<LeaseResult> {
    this.assertOpen();
    return this.leaseTable.acquire(name, holder, ttlSeconds, now);
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.assertOpen();
    this.leaseTable.release(name, holder);
  }

  async readLease(name: string): Promise<Lease | undefined> {
    this.assertOpen();
    return this.leaseTable.read(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}
