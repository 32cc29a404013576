/**
 * A decider: what a context's rules are, as data the one engine (engine/engine.ts) runs over an
 * event stream. `decide` turns a command into a rejection or events, `evolve` folds an event into
 * the state, `initialState` is the state of the empty stream; a batch runs the commands that
 * arrive together and may end with a step of its own (the cluster's is the scheduling pass).
 *
 * Every decider's state carries the same envelope (DeciderState): the revision of the last event
 * folded in, the latest time, and the window of command ids it remembers (idempotency.ts). Its
 * `evolve` advances the envelope with `foldEnvelope`, whether it updates the state in place (the
 * cluster's owned projection, for speed) or returns a new one (immer's `produce`, for small
 * states). `runDeciderBatch` is the batch every decider gets unless it brings its own.
 */

import type { Decoded } from './codec.js';
import { COMMAND_ID_WINDOW, fingerprintOf, type RememberedCommand } from './idempotency.js';
import { type Rejection, reject } from './rejection.js';
import type { Either } from './vendor/either.js';
import { isLeft } from './vendor/either.js';

/** What every command carries: its type, and optionally an id (idempotency) and a time (seconds). */
export interface CommandEnvelope {
  readonly type: string;
  readonly commandId?: string;
  readonly at?: number;
}

/** What every stored event carries: its type, schema version, time, and the command that made it. */
export interface EventEnvelope {
  type: string;
  v: number;
  at: number;
  commandId?: string;
  fingerprint?: string;
}

/** An event as `decide` makes it: the batch stamps the envelope on. */
export type Unstamped<E> = E extends unknown ? Omit<E, 'v' | 'at' | 'commandId' | 'fingerprint'> : never;

/** What every decider's state carries. */
export interface DeciderState {
  /** Revision of the last event folded in; -1 for the empty stream. */
  revision: number;
  /** Time of the latest event folded in (seconds). */
  now: number;
  /** The most recent command ids, with their events' revisions and fingerprints (idempotency.ts). */
  commands: Map<string, RememberedCommand>;
}

export type CommandOutcome<E> =
  | { readonly ok: true; readonly duplicate: false; readonly events: readonly E[] }
  | { readonly ok: true; readonly duplicate: true; readonly first: number; readonly last: number }
  | { readonly ok: false; readonly rejection: Rejection };

export interface DeciderBatch<S, E> {
  /** The state after the batch: the same object for a decider that updates in place. */
  readonly state: S;
  readonly outcomes: CommandOutcome<E>[];
  /** Every event of the batch, in order. */
  readonly events: E[];
}

export interface Decider<C extends CommandEnvelope, E extends EventEnvelope, S extends DeciderState> {
  /** The schema version its events are written with. */
  readonly eventSchemaVersion: number;
  initialState(): S;
  /** Why a command does not satisfy its codec (typed or not), or null when it does. */
  validate(command: C): Rejection | null;
  /** A command from untrusted input, decoded by its codec. */
  decodeCommand(u: unknown): Decoded<C>;
  decide(command: C, state: S): Either<Rejection, Unstamped<E>[]>;
  /** Fold one event: advance the envelope (foldEnvelope) and the rest; return the state. */
  evolve(state: S, event: E): S;
  /** An event read back from a store. */
  decodeEvent(u: unknown): Decoded<E>;
  /** A batch of its own (the cluster's ends with the scheduling pass); default runDeciderBatch. */
  runBatch?(state: S, commands: readonly C[], at: number): DeciderBatch<S, E>;
  /** How its state is written to and read from a snapshot; none: it is always replayed. */
  readonly snapshots?: {
    readonly schemaVersion: number;
    toSnapshot(state: S): unknown;
    /**
     * True when toSnapshot's value serializes the same however the state goes on (it shares
     * nothing that evolve changes later, or reads of it only what evolve never changes): then the
     * engine serializes it over several turns of the event loop while batches go on, instead of
     * holding the loop for the whole of a large state. Such a value is only serialized: the
     * engine restores from its JSON.
     */
    readonly detached?: boolean;
    /**
     * Called once the engine is done serializing a detached value (whether or not it was
     * written): what the value kept open for it may be let go (the cluster's capture, snapshot.ts).
     */
    release?(value: unknown): void;
    /** Throws on a value that is not a snapshot of this version's shape. */
    fromSnapshot(value: unknown): S;
  };
}

/**
 * A list in a snapshot's value whose elements are made only as it is serialized: a serializer
 * that writes a slice at a time (engine/json-in-slices.ts) asks for them one by one, and
 * JSON.stringify gets them all at once (toJSON). A state of tens of thousands of live jobs is
 * captured without an object per job: those objects lived as long as the snapshot took to write,
 * and the collector copied them on every scavenge meanwhile.
 */
export class LazyList {
  constructor(
    readonly length: number,
    /** The element at an index, made now. */
    readonly element: (index: number) => unknown,
  ) {}

  toJSON(): unknown[] {
    return Array.from({ length: this.length }, (_, i) => this.element(i));
  }
}

/**
 * Advance a state's envelope past one event: its revision, its time, and the command id that made
 * the event (a window of the COMMAND_ID_WINDOW most recent; a Map iterates in insertion order, so
 * the oldest id is the first key). Works on an immer draft too.
 */
export function foldEnvelope(state: DeciderState, event: EventEnvelope): void {
  state.revision += 1;
  if (event.at > state.now) state.now = event.at;
  if (event.commandId === undefined) return;
  const seen = state.commands.get(event.commandId);
  if (seen) {
    seen.last = state.revision;
    return;
  }
  const entry: RememberedCommand = { first: state.revision, last: state.revision };
  if (event.fingerprint !== undefined) entry.fingerprint = event.fingerprint;
  state.commands.set(event.commandId, entry);
  if (state.commands.size > COMMAND_ID_WINDOW) state.commands.delete(state.commands.keys().next().value as string);
}

/** The event that remembers a command with an id that changed nothing (idempotency.ts). */
export const COMMAND_ACCEPTED = 'CommandAccepted';

export const commandIdReused = (commandId: string): Rejection =>
  reject(
    'command-id-reused',
    `command id '${commandId}' was already used for another command: give each command an id of its own`,
  );

/**
 * The time a command's events are stamped with, if it is accepted (a non-duplicate success): its
 * own `at` or the batch's, never before the state's time. Read before the command is applied.
 */
export function commandTime(command: CommandEnvelope, at: number, state: DeciderState): number {
  return Math.max(command.at ?? at, state.now);
}

/**
 * One command of a batch, the same for every decider: checked by its codec, answered from memory
 * if its id was seen (its first outcome, or a refusal if it asks for something else), else decided
 * against `state`; its events are stamped in place (the bodies decide returns are fresh objects
 * nothing else holds) and handed to `fold`, which folds them in. A command with an id that changed
 * nothing is remembered by a CommandAccepted event. An accepted (not duplicate) command's events
 * carry `commandTime(command, at, state)` as it was before the command; the outcome is returned
 * alone, without a wrapper that also carried that time: a batch of a simulation is a few commands,
 * and an object per command was measurable there.
 */
export function applyCommand<C extends CommandEnvelope, E extends EventEnvelope, S extends DeciderState>(
  decider: Pick<Decider<C, E, S>, 'validate' | 'decide' | 'eventSchemaVersion'>,
  state: S,
  command: C,
  at: number,
  fold: (event: E) => void,
): CommandOutcome<E> {
  const invalid = decider.validate(command);
  if (invalid) return { ok: false, rejection: invalid };
  const fingerprint = command.commandId === undefined ? undefined : fingerprintOf(command);
  const seen = command.commandId === undefined ? undefined : state.commands.get(command.commandId);
  if (seen) {
    return seen.fingerprint === undefined || seen.fingerprint === fingerprint
      ? { ok: true, duplicate: true, first: seen.first, last: seen.last }
      : { ok: false, rejection: commandIdReused(command.commandId as string) };
  }
  const decision = decider.decide(command, state);
  if (isLeft(decision)) return { ok: false, rejection: decision.left };
  const t = commandTime(command, at, state);
  const bodies = decision.right.length === 0 && fingerprint !== undefined ? [{ type: COMMAND_ACCEPTED }] : decision.right;
  const events = bodies as unknown as E[];
  for (const e of events) {
    e.v = decider.eventSchemaVersion;
    e.at = t;
    if (command.commandId !== undefined) e.commandId = command.commandId;
  }
  if (fingerprint !== undefined) (events[0] as E).fingerprint = fingerprint;
  for (const e of events) fold(e);
  return { ok: true, duplicate: false, events };
}

/**
 * The batch every decider gets unless it brings its own: each command applied in order
 * (applyCommand), each against the state the previous ones left.
 */
export function runDeciderBatch<C extends CommandEnvelope, E extends EventEnvelope, S extends DeciderState>(
  decider: Decider<C, E, S>,
  initial: S,
  commands: readonly C[],
  at: number,
): DeciderBatch<S, E> {
  let state = initial;
  const outcomes: CommandOutcome<E>[] = [];
  const events: E[] = [];
  const fold = (e: E) => {
    state = decider.evolve(state, e);
    events.push(e);
  };
  for (const command of commands) outcomes.push(applyCommand(decider, state, command, at, fold));
  return { state, outcomes, events };
}
