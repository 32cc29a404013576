/**
 * An event store for long simulations: it keeps only each stream's revision and hands every
 * appended event to a sink (a JSON-lines file, or nothing), so a million-job replay does not hold
 * its whole log in memory. Reads find nothing: an engine on it cannot time-travel or reload;
 * write the log to a file (or use the in-memory store) for that. Reactors' checkpoints are kept
 * (in memory, for the run), and so are leases.
 */
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  Lease,
  LeaseResult,
  NewEvent,
  RecordedEvent,
  Snapshot,
  Subscription,
} from '../../core/ports.js';
import { expectationMet } from '../../core/ports.js';
import { MemoryLeases } from './leases.js';

export type EventSink = (stream: string, events: readonly NewEvent[], firstRevision: bigint) => void;

export class ForwardingEventStore implements EventStore {
  /**
   * Each stream's last revision and the log's last position, as numbers: a simulation appends
   * once per instant, and the bigint arithmetic of an append (half a dozen heap-allocated values)
   * was a fortieth of what it allocated. Revisions stay far below 2^53.
   */
  private readonly revisions = new Map<string, number>();
  private position = -1;
  /**
   * Kept, unlike the log: a checkpoint is one entry per reactor, not per event, so keeping it
   * costs nothing as the run grows, and a reactor that asks where it got to is told.
   */
  private readonly checkpoints = new Map<string, bigint>();
  /** Kept for the same reason: one entry per lease. */
  private readonly leaseTable = new MemoryLeases();

  /**
   * Without a sink the events go nowhere, so only their number is taken: the engine then makes no
   * envelope or id for them (engine.ts AppendsNow). With a sink there is no such shortcut.
   */
  readonly appendCountNow?: (stream: string, count: number, expectedRevision: number) => boolean;

  constructor(private readonly sink?: EventSink) {
    if (sink === undefined) this.appendCountNow = (stream, count, expected) => this.countOnly(stream, count, expected);
  }

  /** appendCountNow: only the revisions move (no bigint, no result object: one append per instant of a simulation). */
  private countOnly(stream: string, count: number, expectedRevision: number): boolean {
    const last = this.revisions.get(stream);
    if (expectedRevision !== (last ?? -1)) return false;
    if (count > 0) {
      this.revisions.set(stream, expectedRevision + count);
      this.position += count;
    }
    return true;
  }

  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.appendNow(stream, events, expected);
  }

  /**
   * The append, done at once: nothing here waits, so the engine may run a batch without a promise
   * (engine.executeBatchNow; a simulation's batches are most of what it does).
   */
  appendNow(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult {
    const last = this.revisions.get(stream);
    const met =
      typeof expected === 'bigint'
        ? last !== undefined && Number(expected) === last
        : expectationMet(expected, last === undefined ? 'no_stream' : BigInt(last));
    if (!met) return { ok: false, conflict: { stream, expected, actual: last === undefined ? 'no_stream' : BigInt(last) } };
    const next = (last ?? -1) + events.length;
    if (events.length > 0) {
      this.sink?.(stream, events, BigInt((last ?? -1) + 1));
      this.revisions.set(stream, next);
      this.position += events.length;
    }
    return { ok: true, nextExpectedRevision: BigInt(next), position: BigInt(this.position) };
  }

  async read(): Promise<RecordedEvent[]> {
    return [];
  }

  async readAll(): Promise<RecordedEvent[]> {
    return [];
  }

  subscribe(): Subscription {
    return { close: () => {} };
  }

  async readSnapshot(): Promise<Snapshot | undefined> {
    return undefined;
  }

  async writeSnapshot(): Promise<void> {}

  async readCheckpoint(name: string): Promise<bigint | undefined> {
    return this.checkpoints.get(name);
  }

  async writeCheckpoint(name: string, position: bigint): Promise<void> {
    this.checkpoints.set(name, position);
  }

  async acquireLease(name: string, holder: string, ttlSeconds: number, now: number): Promise<LeaseResult> {
    return this.leaseTable.acquire(name, holder, ttlSeconds, now);
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.leaseTable.release(name, holder);
  }

  async readLease(name: string): Promise<Lease | undefined> {
    return this.leaseTable.read(name);
  }

  async close(): Promise<void> {}
}
