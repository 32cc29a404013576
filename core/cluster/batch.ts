/**
 * A batch: the commands that arrive together (one simulated instant, or one group commit).
 * Each command is decided against the state the previous ones left; an accepted command's events
 * are folded in at once, a rejected one leaves the state untouched. Then the scheduler runs once.
 *
 * Every command is checked against its codec first, typed or not: a value a caller built in code
 * (`gpus: -2`) is refused like one decoded from JSON, so nothing the codecs would refuse reaches
 * `decide` or the log, and a stored log always loads.
 *
 * A command whose `commandId` was seen before is answered with its original outcome (the
 * revisions of its events) and produces nothing; another command under that id is refused
 * (`command-id-reused`). See idempotency.ts.
 */

import { guardOf } from '../codec.js';
import { applyCommand, commandTime, type CommandOutcome as DeciderOutcome } from '../decider.js';
import { type Rejection, reject } from '../rejection.js';
import { type Command, type CommandType, commandCodecs, decodeCommand } from './commands.js';
import { decide } from './decide.js';
import { EVENT_SCHEMA_VERSION, type Event, type EventBody } from './events.js';
import { evolve } from './evolve.js';
import type { State } from './model.js';
import { schedule } from './scheduler/pass.js';
import { groupsDueAt } from './scheduler/timers.js';
import { groupsTouchedBy, TouchedGroups } from './scheduler/triggers.js';

/** A cluster command's outcome: the one outcome type of every decider (decider.ts). */
export type CommandOutcome = DeciderOutcome<Event>;

export interface BatchResult {
  readonly outcomes: CommandOutcome[];
  /** Every event of the batch, in order: the commands' and then the scheduler's. */
  readonly events: Event[];
}

/**
 * Make a body an event: its schema version, time and command id are written onto it in place. The
 * bodies decide and the scheduler return are fresh objects nothing else holds, so they become the
 * events themselves; a copy (an object spread over two dozen event shapes) cost about 0.4 us per
 * event. Pass a body of your own.
 */
export function stamp(body: EventBody, at: number, commandId?: string): Event {
  const e = body as Event;
  e.v = EVENT_SCHEMA_VERSION;
  e.at = at;
  if (commandId !== undefined) e.commandId = commandId;
  return e;
}

/**
 * Decide and fold a batch into `state` (in place) and return what happened. `at` is the batch's
 * time; a command's own `at` overrides it for that command's events. The scheduler runs at the
 * latest time seen, over the groups the events touched and those whose maximum-wait deadline fell
 * since the last event (a `Tick` is a batch of only that).
 */
export function runBatch(state: State, commands: readonly Command[], at: number): BatchResult {
  // As long as the batch: a batch of a few commands filled an empty array's first reserve of 17.
  const outcomes: CommandOutcome[] = new Array(commands.length);
  // One batch's working lists and folding functions, emptied after each batch (BatchFold). A
  // batch run inside another (none is today) gets its own.
  const owned = !scratchInUse;
  const batch = owned ? SCRATCH : new BatchFold();
  if (owned) scratchInUse = true;
  try {
    batch.state = state;
    runBatchWith(batch, commands, at, outcomes);
    // The batch's events as a list of their own, exactly as long: an empty list that events are
    // pushed onto reserves room for 16 at its first push (a simulation's batches hold about 3).
    return { outcomes, events: batch.events.slice() };
  } finally {
    batch.clear();
    if (owned) scratchInUse = false;
  }
}

/**
 * What a batch folds its events with: the state, the batch's events and the groups they touched,
 * and the two functions that fold an event (a command's; the scheduler's, stamped with the pass's
 * time). Made once and reused: two closures and their contexts made per batch were a twentieth
 * of what a simulation allocated.
 */
class BatchFold {
  state: State | null = null;
  /** The scheduling pass's time (stamped on its events). */
  now = 0;
  readonly events: Event[] = [];
  readonly touched = new TouchedGroups();
  readonly fold = (e: Event): void => {
    const state = this.state as State;
    evolve(state, e);
    this.events.push(e);
    groupsTouchedBy(state, e, this.touched);
  };
  readonly emit = (body: EventBody): void => this.fold(stamp(body, this.now, undefined));

  clear(): void {
    this.state = null;
    this.touched.clear();
    // pop, not `length = 0` (a call into the runtime); a batch has a handful of events.
    while (this.events.length > 0) this.events.pop();
  }
}

const SCRATCH = new BatchFold();
let scratchInUse = false;

function runBatchWith(batch: BatchFold, commands: readonly Command[], at: number, outcomes: CommandOutcome[]): void {
  const state = batch.state as State;
  const since = state.now;
  let now = Math.max(at, state.now);
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i] as Command;
    const t = commandTime(command, at, state);
    const outcome = applyCommand(CLUSTER_RULES, state, command, at, batch.fold);
    outcomes[i] = outcome;
    if (outcome.ok && !outcome.duplicate) now = Math.max(now, t);
  }
  // Time's own trigger, in every batch, not only in Ticks: a batch that comes before the host's
  // wake-up (or at its instant) must not pass a deadline by without the group's pass.
  const touched = batch.touched;
  groupsDueAt(state, since, now, touched);
  batch.now = now;
  if (touched.size > 0) schedule(state, touched.list, now, batch.emit);
}

/** What applyCommand needs of the cluster's decider (cluster-decider.ts is built on this module). */
const CLUSTER_RULES = {
  validate: (c: Command) => invalidCommand(c),
  decide,
  eventSchemaVersion: EVENT_SCHEMA_VERSION,
};

/** Each command codec's guard (codec.ts guardOf), compiled at its type's first command, not as this module loads. */
const commandGuards = new Map<CommandType, (u: unknown) => boolean>();
function guardFor(type: CommandType): (u: unknown) => boolean {
  let guard = commandGuards.get(type);
  if (guard === undefined) commandGuards.set(type, (guard = guardOf(commandCodecs[type])));
  return guard;
}

/**
 * Why a command does not satisfy its codec, or null when it does. The type guard is checked first
 * (no allocation); only a command that fails it is decoded again, for the message naming the field.
 */
export function invalidCommand(command: Command): Rejection | null {
  const type = (command as { type?: unknown }).type;
  if (typeof type === 'string' && Object.hasOwn(commandCodecs, type) && guardFor(type as CommandType)(command)) return null;
  const decoded = decodeCommand(command);
  if (decoded.ok) return null;
  return reject('invalid-command', decoded.message, { issues: decoded.issues });
}
