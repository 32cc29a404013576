/**
 * Ports: what the core needs from the world, as interfaces. Adapters implement them; the core
 * never imports an adapter.
 *
 * Revisions follow EventStoreDB: a stream's first event has revision 0, and an expected revision
 * names the revision of the stream's last event ('no_stream' when it has none). Positions order
 * events across all streams. Both are bigint at this boundary.
 */

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** An event to append: the id is fixed by the caller before any retry, so a retry cannot duplicate. */
export interface NewEvent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
}

export interface RecordedEvent {
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly id: string;
  readonly type: string;
  /** JSON only: stores hand back plain data, which the caller decodes. */
  readonly data: unknown;
  readonly metadata: unknown;
}

export type AppendResult =
  | { readonly ok: true; readonly nextExpectedRevision: bigint; readonly position: bigint }
  | {
      readonly ok: false;
      readonly conflict: { readonly stream: string; readonly expected: ExpectedRevision; readonly actual: bigint | 'no_stream' };
    };

export interface ReadOptions {
  /** First revision to read (inclusive). Forwards default: the start; backwards default: the end. */
  readonly from?: bigint;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** First global position to read (inclusive). */
  readonly fromPosition?: bigint;
  readonly maxCount?: number;
}

export interface Subscription {
  close(): void;
}

export interface SubscribeOptions {
  /** Deliver events after this revision (or position for '$all'); default: from the start. */
  readonly after?: bigint;
}

export interface Snapshot {
  readonly revision: bigint;
  readonly schemaVersion: number;
  readonly state: unknown;
  /**
   * `JSON.stringify(state)` in pieces, to be joined in order, when the writer has made it already
   * (the engine makes it over several turns of the event loop, a piece per turn): a store that
   * keeps JSON text takes this rather than making it again, and may encode it a piece at a time
   * (the text of tens of thousands of live jobs is some 80 MB: joined and encoded in one go, it
   * held the event loop for 0.1-0.2 s). Only the pieces joined are JSON: a cut may fall anywhere,
   * even between the two halves of a surrogate pair. Never set on a snapshot read back.
   */
  readonly json?: readonly string[];
}

/** A snapshot's JSON text in pieces, as a store keeps it: the writer's `json`, or its state's (`null` for none). */
export function snapshotJsonPieces(snapshot: Snapshot): readonly string[] {
  return snapshot.json ?? [JSON.stringify(snapshot.state) ?? 'null'];
}

/** A snapshot's JSON text, whole (snapshotJsonPieces joined). */
export function snapshotJson(snapshot: Snapshot): string {
  return snapshotJsonPieces(snapshot).join('');
}

/** A named lease: who holds it and until when. */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  /** Seconds since the epoch, by the clock of the one who took or renewed it. */
  readonly expiresAt: number;
}

export type LeaseResult = { readonly ok: true; readonly lease: Lease } | { readonly ok: false; readonly heldBy: Lease };

export interface EventStore {
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** A missing stream reads as empty. */
  read(stream: string, options?: ReadOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch up from `after`, then go live; the stream name '$all' follows every stream in order. */
  subscribe(stream: string, options: SubscribeOptions, handler: (event: RecordedEvent) => void): Subscription;
  readSnapshot(stream: string, schemaVersion: number): Promise<Snapshot | undefined>;
  /**
   * Keep a snapshot. The store takes `snapshot.state` as it is at the call (it serializes or
   * copies it before returning): the caller goes on changing the objects it shares with its state.
   */
  writeSnapshot(stream: string, snapshot: Snapshot): Promise<void>;
  /** Where a reactor named `name` has got to (the revision or position of the last event it handled); undefined if it never wrote one. */
  readCheckpoint(name: string): Promise<bigint | undefined>;
  /** Keep a reactor's position; a later write replaces the earlier one. Durable once the promise resolves. */
  writeCheckpoint(name: string, position: bigint): Promise<void>;
  /**
   * Take the lease `name` for `holder` until `now + ttlSeconds`, or renew it if `holder` has it;
   * refused (with who holds it) while another holder's lease has not expired at `now`.
   * Leases live beside the log, as checkpoints do: never read as events. Of two holders asking at
   * once (on one store object or on two over the same data) exactly one wins. Durable once the
   * promise resolves.
   */
  acquireLease(name: string, holder: string, ttlSeconds: number, now: number): Promise<LeaseResult>;
  /** Give the lease up if `holder` has it (a no-op otherwise). */
  releaseLease(name: string, holder: string): Promise<void>;
  /** Who holds the lease now, if anyone (expired leases included: the caller compares with its clock). */
  readLease(name: string): Promise<Lease | undefined>;
  close(): Promise<void>;
}

/** Time at the edge, in seconds. */
export interface Clock {
  now(): number;
}

/** Ids at the edge (event ids; job ids for callers that do not bring their own). */
export interface IdGenerator {
  next(): string;
}

/**
 * Whether a stream whose last revision is `actual` ('no_stream' when empty) satisfies an append's
 * expected revision: the one rule every store applies, so every store answers conflicts alike.
 */
export function expectationMet(expected: ExpectedRevision, actual: bigint | 'no_stream'): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 'no_stream';
  if (expected === 'stream_exists') return actual !== 'no_stream';
  return expected === actual;
}

/**
 * Whether `holder` may take the lease `current` at `now`: it is free, already theirs (a renewal), or
 * expired (`now` has reached its `expiresAt`). The one rule every store applies to leases.
 */
export function leaseTakeable(current: Lease | undefined, holder: string, now: number): boolean {
  return current === undefined || current.holder === holder || now >= current.expiresAt;
}

/**
 * Refuse what no store could keep sensibly: a lease with no name or holder, a ttl that is not a
 * positive number of seconds, a time that is not finite. Thrown, as a caller's mistake.
 */
export function checkLeaseRequest(name: string, holder: string, ttlSeconds: number, now: number): void {
  if (name === '') throw new RangeError('a lease needs a name');
  if (holder === '') throw new RangeError(`the lease '${name}' needs a holder`);
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0)
    throw new RangeError(`the lease '${name}' needs a positive ttl in seconds, got ${ttlSeconds}`);
  if (!Number.isFinite(now)) throw new RangeError(`the lease '${name}' needs a finite time, got ${now}`);
}
