/**
 * The in-memory event store: the reference implementation of the EventStore port. It keeps the
 * event objects it is given (callers treat events as immutable values), so it costs no copying.
 */
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadOptions,
  RecordedEvent,
  Snapshot,
  SubscribeOptions,
  Subscription,
} from '../../core/ports.js';

interface Listener {
  stream: string;
  handler: (e: RecordedEvent) => void;
}

export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly all: RecordedEvent[] = [];
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly listeners = new Set<Listener>();
  private closed = false;

  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const log = this.streams.get(stream) ?? [];
    const last = log.length === 0 ? ('no_stream' as const) : BigInt(log.length - 1);
    const retried = this.alreadyAppended(log, events);
    if (retried) return retried;
    const fits =
      expected === 'any' ||
      (expected === 'no_stream' && last === 'no_stream') ||
      (expected === 'stream_exists' && last !== 'no_stream') ||
      (typeof expected === 'bigint' && expected === last);
    if (!fits) return { ok: false, conflict: { stream, expected, actual: last } };
    if (events.length === 0) {
      return { ok: true, nextExpectedRevision: last === 'no_stream' ? -1n : last, position: BigInt(this.all.length - 1) };
    }
    this.streams.set(stream, log);
    const recorded: RecordedEvent[] = [];
    for (const e of events) {
      const r: RecordedEvent = {
        stream,
        revision: BigInt(log.length),
        position: BigInt(this.all.length),
        id: e.id,
        type: e.type,
        data: e.data,
        metadata: e.metadata ?? null,
      };
      log.push(r);
      this.all.push(r);
      this.byId.set(r.id, r);
      recorded.push(r);
    }
    for (const l of [...this.listeners]) {
      if (l.stream !== '$all' && l.stream !== stream) continue;
      for (const r of recorded) l.handler(r);
    }
    const tail = recorded[recorded.length - 1] as RecordedEvent;
    return { ok: true, nextExpectedRevision: tail.revision, position: tail.position };
  }

  /** An append whose event ids are already the stream's tail was a retry that had succeeded. */
  private alreadyAppended(log: readonly RecordedEvent[], events: readonly NewEvent[]): AppendResult | undefined {
    const first = events[0] && this.byId.get(events[0].id);
    if (!first || log[Number(first.revision)] !== first) return undefined;
    const start = Number(first.revision);
    for (let i = 0; i < events.length; i++) if (log[start + i]?.id !== events[i]?.id) return undefined;
    const tail = log[start + events.length - 1] as RecordedEvent;
    return { ok: true, nextExpectedRevision: tail.revision, position: tail.position };
  }

  async read(stream: string, options: ReadOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const log = this.streams.get(stream) ?? [];
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (options.direction === 'backwards') {
      const from = options.from === undefined ? log.length - 1 : Math.min(Number(options.from), log.length - 1);
      const out: RecordedEvent[] = [];
      for (let i = from; i >= 0 && out.length < max; i--) out.push(log[i] as RecordedEvent);
      return out;
    }
    const from = options.from === undefined ? 0 : Number(options.from);
    return log.slice(from, max === Number.POSITIVE_INFINITY ? undefined : from + max);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const from = Number(options.fromPosition ?? 0n);
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    return this.all.slice(from, max === Number.POSITIVE_INFINITY ? undefined : from + max);
  }

  subscribe(stream: string, options: SubscribeOptions, handler: (event: RecordedEvent) => void): Subscription {
    this.assertOpen();
    const source = stream === '$all' ? this.all : (this.streams.get(stream) ?? []);
    const start = options.after === undefined ? 0 : Number(options.after) + 1;
    // Catch up synchronously, then go live: appends are synchronous here, so nothing slips between.
    for (let i = start; i < source.length; i++) handler(source[i] as RecordedEvent);
    const listener: Listener = { stream, handler };
    this.listeners.add(listener);
    return { close: () => this.listeners.delete(listener) };
  }

  async readSnapshot(stream: string, schemaVersion: number): Promise<Snapshot | undefined> {
    const s = this.snapshots.get(stream);
    return s && s.schemaVersion === schemaVersion ? s : undefined;
  }

  async writeSnapshot(stream: string, snapshot: Snapshot): Promise<void> {
    this.snapshots.set(stream, snapshot);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}
