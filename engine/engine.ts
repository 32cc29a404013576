/**
 * The engine: a decider (core/decider.ts) put to work over an event store. One engine serves every
 * context: it loads a decider's state from its stream (the latest snapshot, then the events after
 * it), runs commands in batches (the decider's own batch, or runDeciderBatch), appends the batch's
 * events with the expected revision, notifies subscribers, and rebuilds past states. `Engine` is
 * the cluster's: the same engine over the cluster decider, with the cluster's queries.
 *
 * Commands that arrive while a batch is being written are gathered into the next batch (group
 * commit): one append for all of them. If another writer moved the stream on (a revision
 * conflict), the engine catches up from the store and decides the batch again.
 */
import { randomUUID } from 'node:crypto';
import { clusterDecider } from '../core/cluster/cluster-decider.js';
import type { Command } from '../core/cluster/commands.js';
import type { Event } from '../core/cluster/events.js';
import { dropRetired, takeRetired } from '../core/cluster/evolve.js';
import { findJob, type JobArchive, jobPage, withCloneSource } from '../core/cluster/job-archive.js';
import { MemoryJobArchive } from '../core/cluster/memory-archive.js';
import type { JobState, State, WaitReason } from '../core/cluster/model.js';
import {
  explainJob,
  type JobFilter,
  jobQuery,
  listNodes,
  listPools,
  type NodeView,
  type PoolUsage,
  poolQueue,
  poolUsage,
  type QueuedJob,
} from '../core/cluster/queries.js';
import { captureSnapshot, finishedIdsLeftOut, fromSnapshot, seedFinished } from '../core/cluster/snapshot.js';
import {
  type CommandEnvelope,
  type CommandOutcome,
  type Decider,
  type DeciderState,
  type EventEnvelope,
  runDeciderBatch,
} from '../core/decider.js';
import type { AppendResult, Clock, EventStore, ExpectedRevision, IdGenerator, NewEvent } from '../core/ports.js';
import { reject } from '../core/rejection.js';
import { jsonInSlices } from './json-in-slices.js';

export const CLUSTER_STREAM = 'cluster';

export const systemClock: Clock = { now: () => Date.now() / 1000 };
export const randomIds: IdGenerator = { next: () => randomUUID() };

/**
 * The engine's default event ids: RFC 4122 version-4 UUIDs (EventStoreDB takes only UUIDs), made
 * cheaply. A generator draws one random UUID; its ids keep that UUID's first 74 random bits and
 * count up in the last 48 (from a random start). So ids never repeat within a generator, and two
 * generators (two engines, or one restarted) collide only if 74 random bits do. A fresh
 * `randomUUID()` per event (`randomIds`) halved the engine's throughput: each one is assembled
 * from a score of string pieces, then flattened again when the store indexes it.
 */
export function uuidSequence(): IdGenerator {
  const first = randomUUID(); // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx
  const prefix = first.slice(0, 24);
  // The 48-bit counter as two 24-bit halves: small integers print three times faster than a
  // 48-bit double does.
  const HALF = 0x1000000;
  const hex6 = (n: number) => n.toString(16).padStart(6, '0');
  let high = Number.parseInt(first.slice(24, 30), 16);
  let low = Number.parseInt(first.slice(30), 16);
  let head = prefix + hex6(high);
  return {
    next: () => {
      low += 1;
      if (low === HALF) {
        low = 0;
        high = (high + 1) % HALF;
        head = prefix + hex6(high);
      }
      return head + hex6(low);
    },
  };
}

export interface EngineOptions {
  store: EventStore;
  clock?: Clock;
  ids?: IdGenerator;
  stream?: string;
  /** How often a batch is decided again after revision conflicts before giving up. */
  maxConflictRetries?: number;
  /**
   * Write a snapshot of the state every this many events (0 or absent: never). Start-up then reads
   * the latest snapshot of this state-schema version and replays only the events after it.
   */
  snapshotEvery?: number;
  /** Told how long each batch took to decide (its scheduling pass included) and to append. */
  observer?: EngineObserver;
}

export interface ClusterEngineOptions extends EngineOptions {
  /**
   * Where finished jobs' records go (the read model job lists and history read): an in-memory
   * archive unless told otherwise; null keeps none (a simulation that records what it needs).
   */
  archive?: JobArchive | null;
}

export interface EngineObserver {
  /** Seconds to decide one batch: its commands and the scheduling pass at its end. */
  decided?(seconds: number, commands: number, events: number): void;
  /** Seconds the store took to append one batch durably. */
  appended?(seconds: number, events: number): void;
}

/** A stored event of the engine's stream, decoded. */
export interface StoredEvent<E = Event> {
  readonly revision: number;
  readonly event: E;
}

export interface Appended<E = Event> {
  readonly events: readonly E[];
  /** Revision of the first of `events`. */
  readonly firstRevision: number;
}

export type EngineListener<E = Event> = (appended: Appended<E>) => void;

/** What a batch answers: each command's outcome, and every event the batch appended. */
export interface BatchOutcome<E> {
  readonly outcomes: CommandOutcome<E>[];
  readonly events: E[];
}

/** Thrown (as a rejected promise) when a stored event does not decode: start-up stops there. */
export class CorruptEventError extends Error {
  constructor(
    readonly stream: string,
    readonly revision: bigint,
    readonly detail: string,
  ) {
    super(`stream '${stream}' revision ${revision}: stored event does not decode: ${detail}`);
    this.name = 'CorruptEventError';
  }
}

export class ConflictRetriesExhaustedError extends Error {
  constructor(stream: string, attempts: number) {
    super(`stream '${stream}': ${attempts} revision conflicts in a row; another writer keeps moving it`);
    this.name = 'ConflictRetriesExhaustedError';
  }
}

/**
 * A store whose appends complete synchronously may offer this beside `append` (same answer, no
 * promise): the engine then runs a batch without a trip through the event loop (executeBatchNow).
 */
export interface AppendsNow {
  appendNow(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult;
  /**
   * A store that keeps nothing of the events (a simulation's forwarding store with no sink) may
   * take only how many there are: the engine then makes no envelope and no id for any of them (an
   * object and a string per event, some 4% of what a simulation allocated). The expected revision
   * is a number (-1: the stream must not exist yet), and the answer whether it appended (false: a
   * conflict), as appendNow's `ok`: a simulation appends once per instant, and the bigints and the
   * result object of each append were a twentieth of what it allocated.
   */
  appendCountNow?(stream: string, count: number, expectedRevision: number): boolean;
}

/** The revision a decided batch's append expects: the state's before it (made when an append needs it, not per batch). */
const expectedOf = (d: Decided<unknown>): ExpectedRevision => (d.before < 0 ? 'no_stream' : BigInt(d.before));

/** A decided batch (decideBatch), before its append: its events, and what it answers. */
interface Decided<E> {
  readonly before: number;
  readonly result: BatchOutcome<E>;
  /** Null when the batch made no event: nothing to append. */
  readonly events: readonly E[] | null;
  /** The events with their ids, made when first needed (envelopesOf) and kept: a retry sends the same ids. */
  newEvents?: NewEvent[];
}

interface Unit<C, E> {
  commands: C[];
  at: number | undefined;
  /** An explicit batch is never merged with other units: it is one instant of its own. */
  explicit: boolean;
  /** Work that must not overlap a batch (a catch-up), run in the batches' turn instead of commands. */
  task?: () => Promise<void>;
  resolve: (r: BatchOutcome<E>) => void;
  reject: (e: unknown) => void;
}

const PAGE = 10_000;
/** Events folded per turn of the event loop when the past is rebuilt (a read must not stall others). */
const PAST_SLICE = 2_000;
/** Past states kept, most recently read last: time travel to one of them again is free. */
const PAST_STATES = 4;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class DeciderEngine<C extends CommandEnvelope, E extends EventEnvelope, S extends DeciderState> {
  protected state: S;
  /** The store it runs over: other contexts' engines (and a job's metrics) use the same one. */
  readonly store: EventStore;
  readonly clock: Clock;
  private readonly ids: IdGenerator;
  readonly stream: string;
  private readonly maxConflictRetries: number;
  private readonly listeners = new Set<EngineListener<E>>();
  private readonly pending: Unit<C, E>[] = [];
  private draining = false;
  private readonly snapshotEvery: number;
  private readonly observer: EngineObserver | undefined;
  /** See durableRevision. */
  private durable = -1;
  /**
   * Set while the state may hold a decided batch the store never took (a rebuild after a failed
   * or conflicting append could not read the store): the next batch rebuilds before deciding.
   */
  private stale = false;
  /** Past states rebuilt lately, by revision, oldest read first (see stateAt). */
  private readonly past = new Map<number, Promise<S>>();
  /** The revision of the last event listeners have been told of (see announce). */
  private announced = -1;
  /** The last snapshot taken that is still being written (see takeSnapshot), settled without failing. */
  private snapshotting: Promise<void> | undefined;
  /** A snapshot fell due while another was being written: the next acknowledged batch takes it. */
  private snapshotDue = false;
  /** Subscriptions that keep the state following the stream (see follow). */
  private readonly followers = new Set<() => void>();

  constructor(
    readonly decider: Decider<C, E, S>,
    options: EngineOptions,
  ) {
    this.state = decider.initialState();
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? uuidSequence();
    this.stream = options.stream ?? CLUSTER_STREAM;
    this.maxConflictRetries = options.maxConflictRetries ?? 10;
    this.snapshotEvery = options.snapshotEvery ?? 0;
    this.observer = options.observer;
  }

  /** Replay the stream from the store into a fresh state (or catch up from where it is). */
  async load(): Promise<void> {
    const snapshot = await this.latestSnapshot();
    // A snapshot the engine's read models are behind cannot be started from: they would miss what
    // happened between them and it. Replaying from the start catches them up.
    const from = this.canStartFrom(snapshot.revision) ? snapshot : this.decider.initialState();
    this.state = await this.replayUpTo(Number.POSITIVE_INFINITY, from);
    this.durable = this.state.revision;
  }

  /** Whether start-up may begin at a snapshot of this revision (see the cluster engine's archive). */
  protected canStartFrom(_revision: number): boolean {
    return true;
  }

  /**
   * Called after events are folded into the engine's own state: `durable` when the store holds
   * them (start-up, a catch-up, an acknowledged batch), so what the state hands over may be kept;
   * not when the state is a past one being rebuilt, so it is dropped.
   */
  protected folded(_state: S, _durable: boolean): void {}

  /**
   * The state of the latest snapshot of this state-schema version, or the initial state. A
   * snapshot that does not restore (corrupt, or not what it claims) is ignored, never trusted:
   * replaying from the start costs time, not correctness.
   */
  private async latestSnapshot(): Promise<S> {
    const snapshots = this.decider.snapshots;
    if (this.snapshotEvery <= 0 || !snapshots) return this.decider.initialState();
    const snap = await this.store.readSnapshot(this.stream, snapshots.schemaVersion);
    if (!snap || snap.schemaVersion !== snapshots.schemaVersion) return this.decider.initialState();
    try {
      const state = this.restore(snap.state);
      return state.revision === Number(snap.revision) ? state : this.decider.initialState();
    } catch {
      return this.decider.initialState();
    }
  }

  /** A snapshot's value as the decider restores it (the cluster's engine adds what its archive keeps). */
  protected restore(value: unknown): S {
    return (this.decider.snapshots as NonNullable<Decider<C, E, S>['snapshots']>).fromSnapshot(value);
  }

  /** The state as a snapshot's value (the cluster's engine leaves out what its archive keeps). */
  protected snapshotOf(state: S): unknown {
    return (this.decider.snapshots as NonNullable<Decider<C, E, S>['snapshots']>).toSnapshot(state);
  }

  /** Write a snapshot when the batch just appended crossed a multiple of `snapshotEvery`. */
  private async maybeSnapshot(before: number): Promise<void> {
    const every = this.snapshotEvery;
    const crossed = every > 0 && Math.floor((this.state.revision + 1) / every) !== Math.floor((before + 1) / every);
    if (!crossed && !this.snapshotDue) return;
    // A snapshot is an optimisation: failing to write one loses nothing, start-up replays more.
    if (this.decider.snapshots?.detached !== true) {
      await this.takeSnapshot().catch(() => {});
      return;
    }
    // Written while batches go on, not awaited by this one. While one is still being written, this
    // one waits for the first batch after it (a state no batch is halfway through): snapshots never
    // queue up behind a slow store, and none is skipped.
    this.snapshotDue = this.snapshotting !== undefined;
    if (!this.snapshotDue) this.takeSnapshot().catch(() => {});
  }

  /**
   * Take a snapshot of the state as it is now and write it. A decider whose snapshot value is
   * detached from its state has it serialized a slice at a time (json-in-slices.ts) while batches
   * go on: a state of tens of thousands of live jobs held the event loop for 0.3-0.6 s otherwise.
   * Writes land in the order their snapshots were taken. Resolves once the store has it.
   */
  private takeSnapshot(): Promise<void> {
    const snapshots = this.decider.snapshots;
    if (!snapshots) return Promise.resolve();
    const revision = BigInt(this.state.revision);
    const schemaVersion = snapshots.schemaVersion;
    const state = this.snapshotOf(this.state);
    if (snapshots.detached !== true) return this.store.writeSnapshot(this.stream, { revision, schemaVersion, state });
    const before = this.snapshotting;
    const written = (async () => {
      let json: string[] | undefined;
      try {
        json = await jsonInSlices(state);
      } finally {
        // The value is text now: what the decider kept open for it may go.
        snapshots.release?.(state);
      }
      await before;
      // A turn of its own for the store's write (SQLite's is synchronous), apart from the last slice.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.store.writeSnapshot(this.stream, { revision, schemaVersion, state, ...(json === undefined ? {} : { json }) });
    })();
    const settled: Promise<void> = written
      .catch(() => {})
      .finally(() => {
        if (this.snapshotting === settled) this.snapshotting = undefined;
      });
    this.snapshotting = settled;
    return written;
  }

  /**
   * Resolves once every snapshot taken so far has landed in the store (or failed to): for a caller
   * about to read the store's snapshots, since a detached one is written while batches go on.
   */
  async snapshotsWritten(): Promise<void> {
    await this.snapshotting;
  }

  /**
   * Write a snapshot of the state now (between batches), whatever `snapshotEvery` says; a decider
   * without snapshots writes none. Start-up reads it when `snapshotEvery` is set. Resolves once
   * the store has it.
   */
  async snapshot(): Promise<void> {
    let written: Promise<void> = Promise.resolve();
    // Taken in the batches' turn, so that it is of a state no batch is halfway through.
    await this.inTurn(async () => {
      written = this.takeSnapshot();
    });
    await written;
  }

  /** Fold in whatever the store holds beyond the current revision (another writer's events). */
  async catchUp(): Promise<void> {
    // In the batches' turn: folding another writer's events into the state while a batch is
    // being decided or written over it would lose one or the other.
    await this.inTurn(async () => {
      if (this.stale) return this.rebuild(); // a stale state has nothing sound to build on
      this.state = await this.replayUpTo(Number.POSITIVE_INFINITY, this.state);
      this.durable = this.state.revision;
    });
  }

  /** Run `task` when no batch is being decided or written, before the batches that come after it. */
  private inTurn(task: () => Promise<void>): Promise<void> {
    if (!this.draining && this.pending.length === 0) {
      this.draining = true;
      return task().finally(() => {
        this.draining = false;
        if (this.pending.length > 0) void this.drain();
      });
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ commands: [], at: undefined, explicit: true, task, resolve: () => resolve(), reject });
      void this.drain();
    });
  }

  private async replayUpTo(revision: number, from: S): Promise<S> {
    let into = from;
    const decider = this.decider;
    for await (const page of this.pages(into.revision + 1, revision)) {
      for (const e of page) into = decider.evolve(into, e.event);
      this.folded(into, true);
      this.announce(page);
    }
    return into;
  }

  /**
   * Tell listeners of stored events folded in that they have not been told of: another writer's,
   * reached by a catch-up or by the rebuild after a conflict (this engine's own batches are
   * announced as they are appended). A rebuild folds events again from a snapshot; only those past
   * the last announced are new. At start-up nobody listens yet, and the history is not news.
   */
  private announce(page: readonly StoredEvent<E>[]): void {
    const last = (page[page.length - 1] as StoredEvent<E>).revision;
    if (last <= this.announced) return;
    if (this.listeners.size > 0) {
      const fresh =
        (page[0] as StoredEvent<E>).revision > this.announced ? page : page.filter((e) => e.revision > this.announced);
      this.notify({ events: fresh.map((e) => e.event), firstRevision: (fresh[0] as StoredEvent<E>).revision });
    }
    this.announced = last;
  }

  /**
   * The stream's events from revision `from` up to `to` (inclusive), decoded, page by page. A
   * stored event that does not decode stops the read with CorruptEventError.
   */
  private async *pages(from: number, to = Number.POSITIVE_INFINITY): AsyncGenerator<StoredEvent<E>[]> {
    let next = BigInt(from);
    const last = BigInt(Math.min(to, Number.MAX_SAFE_INTEGER));
    while (next <= last) {
      const rows = await this.store.read(this.stream, { from: next, maxCount: PAGE });
      const page: StoredEvent<E>[] = [];
      for (const r of rows) {
        if (r.revision > last) break;
        const decoded = this.decider.decodeEvent(r.data);
        if (!decoded.ok) throw new CorruptEventError(this.stream, r.revision, decoded.message);
        page.push({ revision: Number(r.revision), event: decoded.value });
      }
      if (page.length > 0) yield page;
      if (rows.length < PAGE) return;
      next += BigInt(rows.length);
    }
  }

  /** Stored events from revision `from` (inclusive), at most `maxCount`, decoded: an event feed's history. */
  async eventsFrom(from: number, maxCount = PAGE): Promise<StoredEvent<E>[]> {
    const out: StoredEvent<E>[] = [];
    for await (const page of this.pages(Math.max(0, from), Math.max(0, from) + maxCount - 1)) out.push(...page);
    return out;
  }

  /**
   * The revision of the last event stamped at or before `time` (seconds); -1 if none was. Reads
   * the log a page at a time, giving the event loop a turn between pages.
   */
  async revisionAt(time: number): Promise<number> {
    let found = -1;
    for await (const page of this.pages(0)) {
      for (const e of page) {
        if (e.event.at > time) return found;
        found = e.revision;
      }
      await nextTurn();
    }
    return found;
  }

  /** The current state. Read it, never change it: the engine owns it. */
  get current(): Readonly<S> {
    return this.state;
  }

  get revision(): number {
    return this.state.revision;
  }

  /**
   * The revision of the last event the store has acknowledged. `revision` runs ahead of it while a
   * batch is being written (and falls back if the write fails); a feed of durable events starts
   * from this one.
   */
  get durableRevision(): number {
    return this.durable;
  }

  /** Run one command; concurrent calls are gathered into one batch and one append. */
  async execute(command: C): Promise<CommandOutcome<E>> {
    const r = await this.enqueue([command], undefined, false);
    return r.outcomes[0] as CommandOutcome<E>;
  }

  /** Decode an untrusted command first; a command that does not decode is rejected, naming the field. */
  async executeUnknown(input: unknown): Promise<CommandOutcome<E>> {
    const decoded = this.decider.decodeCommand(input);
    if (!decoded.ok) {
      return { ok: false, rejection: reject('invalid-command', decoded.message, { issues: decoded.issues }) };
    }
    return this.execute(decoded.value);
  }

  /** Run commands as one batch of one instant (`at`, default the clock): one scheduling pass. */
  async executeBatch(commands: readonly C[], options: { at?: number } = {}): Promise<BatchOutcome<E>> {
    if (this.draining || this.pending.length > 0) return this.enqueue([...commands], options.at, true);
    // Nothing in flight: decide and write it at once, without a trip through the queue. A
    // simulation sends hundreds of thousands of batches one after another; the queue's promise,
    // closures and loop were a third of the engine's cost there.
    this.draining = true;
    try {
      return await this.decideAndAppend(commands, options.at ?? this.clock.now());
    } finally {
      this.draining = false;
      if (this.pending.length > 0) void this.drain();
    }
  }

  private enqueue(commands: C[], at: number | undefined, explicit: boolean): Promise<BatchOutcome<E>> {
    return new Promise<BatchOutcome<E>>((resolve, reject) => {
      this.pending.push({ commands, at, explicit, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const units = this.takeBatch();
        try {
          const results = await this.commit(units);
          units.forEach((u, i) => {
            u.resolve(results[i] as BatchOutcome<E>);
          });
        } catch (e) {
          for (const u of units) u.reject(e);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** An explicit batch alone, or every waiting single command together. */
  private takeBatch(): Unit<C, E>[] {
    const first = this.pending[0] as Unit<C, E>;
    if (first.explicit) return this.pending.splice(0, 1);
    let n = 0;
    while (n < this.pending.length && !(this.pending[n] as Unit<C, E>).explicit) n++;
    return this.pending.splice(0, n);
  }

  private async commit(units: Unit<C, E>[]): Promise<BatchOutcome<E>[]> {
    const task = (units[0] as Unit<C, E>).task;
    if (task) {
      await task();
      return [{ outcomes: [], events: [] }];
    }
    const commands = units.length === 1 ? (units[0] as Unit<C, E>).commands : units.flatMap((u) => u.commands);
    return split(units, await this.decideAndAppend(commands, units[0]?.at ?? this.clock.now()));
  }

  /**
   * executeBatch without a promise when the batch can be done at once: nothing in flight, no
   * snapshot to write, no observer, and a store whose appends complete synchronously (`appendNow`,
   * the simulation's forwarding store). Anything else, and an append that fails or conflicts, takes
   * executeBatch's road; so the answer is the outcome, or a promise of it.
   *
   * Why: a simulation sends one batch per instant (125,779 for a 70,000-job trace), and each
   * batch's three async frames (executeBatch, decideAndAppend, the store's append) and their
   * awaits were a fifth of everything a simulation allocated.
   */
  executeBatchNow(commands: readonly C[], at: number): BatchOutcome<E> | Promise<BatchOutcome<E>> {
    const store = this.store as EventStore & Partial<AppendsNow>;
    if (
      store.appendNow === undefined ||
      this.draining ||
      this.pending.length > 0 ||
      this.stale ||
      this.snapshotEvery > 0 ||
      this.observer !== undefined
    ) {
      return this.executeBatch(commands, { at });
    }
    this.draining = true;
    let handedOver = false;
    try {
      const d = this.decideBatch(commands, at);
      if (d.events === null) return d.result;
      let appended: boolean | null = null;
      try {
        appended =
          store.appendCountNow === undefined
            ? store.appendNow(this.stream, this.envelopesOf(d), expectedOf(d)).ok
            : store.appendCountNow(this.stream, d.events.length, d.before);
      } catch {
        // Retried below, with the same ids, as executeBatch retries.
      }
      if (appended === true) {
        this.acknowledge(d);
        return d.result;
      }
      handedOver = true;
      return this.recover(d, appended, commands, at).finally(() => this.doneDraining());
    } finally {
      if (!handedOver) this.doneDraining();
    }
  }

  private doneDraining(): void {
    this.draining = false;
    if (this.pending.length > 0) void this.drain();
  }

  /** executeBatchNow's batch whose synchronous append threw (null) or conflicted (false): as decideAndAppend goes on. */
  private async recover(d: Decided<E>, appended: boolean | null, commands: readonly C[], at: number): Promise<BatchOutcome<E>> {
    if (appended ?? (await this.appendAgain(d)).ok) {
      this.acknowledge(d);
      return d.result;
    }
    await this.rebuild();
    return this.decideAndAppend(commands, at, 1);
  }

  /** One batch: decide and fold, append with the expected revision, retry after conflicts. */
  private async decideAndAppend(commands: readonly C[], at: number, firstAttempt = 0): Promise<BatchOutcome<E>> {
    if (this.stale) await this.rebuild();
    for (let attempt = firstAttempt; attempt <= this.maxConflictRetries; attempt++) {
      const d = this.decideBatch(commands, at);
      if (d.events === null) return d.result;
      let appended: AppendResult;
      const t1 = this.observer ? performance.now() : 0;
      try {
        appended = await this.store.append(this.stream, this.envelopesOf(d), expectedOf(d));
      } catch {
        appended = await this.appendAgain(d);
      }
      this.observer?.appended?.((performance.now() - t1) / 1000, d.events.length);
      if (appended.ok) {
        this.acknowledge(d);
        if (this.snapshotEvery > 0) await this.maybeSnapshot(d.before);
        return d.result;
      }
      // Someone else wrote first: rebuild from the store and decide again.
      await this.rebuild();
    }
    throw new ConflictRetriesExhaustedError(this.stream, this.maxConflictRetries + 1);
  }

  /** Decide and fold a batch into the state (events null: it made none). */
  private decideBatch(commands: readonly C[], at: number): Decided<E> {
    const before = this.state.revision;
    const t0 = this.observer ? performance.now() : 0;
    const ready = this.prepareAll(commands);
    const batch = this.decider.runBatch
      ? this.decider.runBatch(this.state, ready, at)
      : runDeciderBatch(this.decider, this.state, ready, at);
    this.state = batch.state;
    this.observer?.decided?.((performance.now() - t0) / 1000, commands.length, batch.events.length);
    const result: BatchOutcome<E> = { outcomes: batch.outcomes, events: batch.events };
    return { before, result, events: batch.events.length === 0 ? null : batch.events };
  }

  /**
   * A decided batch's events with their ids, made once: a retried append of the same events
   * carries the same ids, so it cannot duplicate.
   */
  private envelopesOf(d: Decided<E>): NewEvent[] {
    if (d.newEvents !== undefined) return d.newEvents;
    const events = d.events ?? [];
    const out: NewEvent[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as E;
      out[i] = { id: this.ids.next(), type: e.type, data: e };
    }
    d.newEvents = out;
    return out;
  }

  /**
   * The one retry of an append that threw, with the same event ids: if the first attempt landed,
   * the store recognises them. If it fails too, the store failed: the folded state may be ahead of
   * it, so it is rebuilt from what the store holds. If the rebuild fails too (the store unreachable
   * for reads as well), the state still holds the unacknowledged batch: it stays marked stale and
   * is rebuilt before the next batch, so a retry of its commandId is decided again, not answered as
   * a duplicate. The caller gets the append's error either way.
   */
  private async appendAgain(d: Decided<E>): Promise<AppendResult> {
    try {
      return await this.store.append(this.stream, this.envelopesOf(d), expectedOf(d));
    } catch (e) {
      await this.rebuild().catch(() => {});
      throw e;
    }
  }

  /** The store holds a decided batch: the state is durable, read models and listeners are told. */
  private acknowledge(d: Decided<E>): void {
    this.durable = this.state.revision;
    this.folded(this.state, true);
    this.announced = this.state.revision;
    if (this.listeners.size > 0) this.notify({ events: d.result.events, firstRevision: d.before + 1 });
  }

  /**
   * A command as the decider should see it, completed from the engine's read models (a pure
   * decide cannot read them itself); by default as it came.
   */
  protected prepare(command: C): C {
    return command;
  }

  private prepareAll(commands: readonly C[]): readonly C[] {
    let out: C[] | undefined;
    for (let i = 0; i < commands.length; i++) {
      const c = commands[i] as C;
      const p = this.prepare(c);
      if (p !== c) (out ??= commands.slice())[i] = p;
    }
    return out ?? commands;
  }

  /** load(), with the state marked stale until it succeeds (see `stale`). */
  private async rebuild(): Promise<void> {
    this.stale = true;
    await this.load();
    this.stale = false;
  }

  /**
   * Listen to the stream's events as this engine learns of them, each once and in order: its own
   * batches as they are appended, another writer's as a catch-up (follow) or a rebuild folds them
   * in. Returns the way to stop.
   */
  subscribe(listener: EngineListener<E>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(appended: Appended<E>): void {
    for (const l of this.listeners) {
      try {
        l(appended);
      } catch {
        // A listener's failure is its own; the batch is durable and the engine goes on.
      }
    }
  }

  /**
   * The state as it was right after the event at `revision` (time travel), rebuilt from the store:
   * from the latest snapshot when it is not past `revision`, else from the start. The rebuild
   * folds a slice of events per turn of the event loop, so a read of the past does not hold up
   * everything else. The last few past states read are kept (the log up to a durable revision
   * never changes), and concurrent reads of one revision share one rebuild: the state handed back
   * may be shared, so read it, never change it.
   */
  async stateAt(revision: number): Promise<Readonly<S>> {
    // Past the durable revision the store may not hold the events yet (or another writer's may
    // come): rebuilt each time, never kept.
    if (revision > this.durable) return this.rebuildPast(revision);
    const key = Math.max(-1, revision);
    let state = this.past.get(key);
    if (state) {
      this.past.delete(key); // most recently read last
    } else {
      state = this.rebuildPast(key);
      state.catch(() => {
        if (this.past.get(key) === state) this.past.delete(key);
      });
    }
    this.past.set(key, state);
    while (this.past.size > PAST_STATES) this.past.delete(this.past.keys().next().value as number);
    return state;
  }

  private async rebuildPast(revision: number): Promise<S> {
    const snapshot = await this.latestSnapshot();
    let into = snapshot.revision <= revision ? snapshot : this.decider.initialState();
    const decider = this.decider;
    for await (const page of this.pages(into.revision + 1, revision)) {
      for (let i = 0; i < page.length; i += PAST_SLICE) {
        const end = Math.min(page.length, i + PAST_SLICE);
        for (let j = i; j < end; j++) into = decider.evolve(into, (page[j] as StoredEvent<E>).event);
        this.folded(into, false);
        await nextTurn();
      }
    }
    return into;
  }

  /**
   * Follow the stream through the store, so that other writers' events (another server on the
   * same store) reach this engine's state without waiting for its next batch to conflict: an
   * event past the state's revision starts a catch-up, which waits its turn behind any batch in
   * flight. This engine's own events come back through the subscription too and are passed over.
   * Returns the way to stop; `close()` stops it as well.
   */
  follow(onError: (error: unknown) => void = () => {}): () => void {
    let running = false;
    let again = false;
    const catchUp = () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      this.catchUp()
        .catch(onError)
        .finally(() => {
          running = false;
          if (again) {
            again = false;
            catchUp();
          }
        });
    };
    const subscription = this.store.subscribe(this.stream, { after: BigInt(this.durable) }, (recorded) => {
      if (Number(recorded.revision) > this.state.revision) catchUp();
    });
    const stop = () => {
      subscription.close();
      this.followers.delete(stop);
    };
    this.followers.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    for (const stop of [...this.followers]) stop();
    // A snapshot still being written lands before the caller closes the store, and one that fell
    // due meanwhile is taken now: the next start begins from it rather than replaying up to here.
    await this.snapshotsWritten();
    if (this.snapshotDue) {
      this.snapshotDue = false;
      await this.snapshot().catch(() => {});
    }
  }
}

function split<C, E>(units: Unit<C, E>[], batch: BatchOutcome<E>): BatchOutcome<E>[] {
  if (units.length === 1) return [batch];
  let i = 0;
  return units.map((u) => {
    const outcomes = batch.outcomes.slice(i, i + u.commands.length);
    i += u.commands.length;
    return { outcomes, events: batch.events };
  });
}

/**
 * The cluster's engine: the engine over the cluster decider, with the cluster's queries. Its
 * stream is `cluster` unless told otherwise.
 */
export class Engine extends DeciderEngine<Command, Event, State> {
  /** Finished jobs' records: the read model of job lists and history (null: none kept). */
  readonly archive: JobArchive | null;

  constructor(options: ClusterEngineOptions) {
    super(clusterDecider, { ...options, stream: options.stream ?? CLUSTER_STREAM });
    this.archive = options.archive === undefined ? new MemoryJobArchive() : options.archive;
  }

  protected override canStartFrom(revision: number): boolean {
    return this.archive === null || this.archive.revision >= revision;
  }

  protected override folded(state: State, durable: boolean): void {
    if (this.archive === null) {
      dropRetired(state);
      return;
    }
    const retired = takeRetired(state);
    if (durable && retired.length > 0) this.archive.put(retired, state.revision);
  }

  /**
   * With an archive, a snapshot leaves finished jobs' ids to it (a million of them were most of a
   * snapshot's time on the event loop): the archive is told first that it is complete up to the
   * snapshot's revision, and a restore seeds the ids back from it.
   */
  protected override snapshotOf(state: State): unknown {
    if (this.archive === null) return captureSnapshot(state);
    if (this.archive.revision < state.revision) this.archive.put([], state.revision);
    return captureSnapshot(state, { finishedIds: false });
  }

  protected override restore(value: unknown): State {
    const state = fromSnapshot(value);
    if (finishedIdsLeftOut(value)) {
      if (this.archive === null) throw new Error('the snapshot leaves finished jobs to a job archive, and this engine has none');
      seedFinished(state, this.archive.finishedIds(state.revision));
    }
    return state;
  }

  /** A clone of a finished job takes its source's request from the archive (withCloneSource). */
  protected override prepare(command: Command): Command {
    return withCloneSource(this.state, this.archive, command);
  }

  // -- queries ---------------------------------------------------------------------------------

  nodes(): NodeView[] {
    return listNodes(this.state);
  }
  pools(): PoolUsage[] {
    return listPools(this.state);
  }
  pool(id: string): PoolUsage | undefined {
    return poolUsage(this.state, id);
  }
  queue(poolId: string): QueuedJob[] | undefined {
    return poolQueue(this.state, poolId);
  }
  /** A job, unfinished or finished (from the archive). */
  job(id: string): JobState | undefined {
    return findJob(this.state, this.archive, id);
  }
  /** Jobs matching the filter, unfinished and finished, in submission order. */
  jobs(filter: JobFilter = {}): JobState[] {
    return jobPage(this.state, this.archive, [jobQuery(filter)], { offset: 0, limit: Number.POSITIVE_INFINITY }).jobs;
  }
  explain(jobId: string): WaitReason | null {
    return explainJob(this.state, jobId);
  }
}

export async function createEngine(options: ClusterEngineOptions): Promise<Engine> {
  const engine = new Engine(options);
  await engine.load();
  return engine;
}

/** An engine over any decider and its stream (`options.stream` names it), loaded. */
export async function createDeciderEngine<C extends CommandEnvelope, E extends EventEnvelope, S extends DeciderState>(
  decider: Decider<C, E, S>,
  options: EngineOptions & { stream: string },
): Promise<DeciderEngine<C, E, S>> {
  const engine = new DeciderEngine(decider, options);
  await engine.load();
  return engine;
}
