/**
 * A batch: the commands that arrive together (one simulated instant, or one group commit).
 * Each command is decided against the state the previous ones left; an accepted command's events
 * are folded in at once, a rejected one leaves the state untouched. Then the scheduler runs once.
 *
 * A command whose `commandId` was seen before is answered with its original outcome (the
 * revisions of its events) and produces nothing.
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Command } from './commands.js';
import { decide } from './decide.js';
import { EVENT_SCHEMA_VERSION, type Event, type EventBody } from './events.js';
import { evolve } from './evolve.js';
import type { State } from './model.js';
import type { Rejection } from './rejection.js';
import { schedule } from './scheduler/pass.js';
import { groupsTouchedBy } from './scheduler/triggers.js';

export type CommandOutcome =
  | { readonly ok: true; readonly duplicate: false; readonly events: readonly Event[] }
  | { readonly ok: true; readonly duplicate: true; readonly first: number; readonly last: number }
  | { readonly ok: false; readonly rejection: Rejection };

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
 * latest time seen.
 */
export function runBatch(state: State, commands: readonly Command[], at: number): BatchResult {
  const outcomes: CommandOutcome[] = [];
  const events: Event[] = [];
  const touched = new Set<string>();
  let now = Math.max(at, state.now);
  const fold = (e: Event) => {
    evolve(state, e);
    events.push(e);
    groupsTouchedBy(state, e, touched);
  };
  for (const command of commands) {
    const seen = command.commandId === undefined ? undefined : state.commands.get(command.commandId);
    if (seen) {
      outcomes.push({ ok: true, duplicate: true, first: seen.first, last: seen.last });
      continue;
    }
    const decision = decide(command, state);
    if (isLeft(decision)) {
      outcomes.push({ ok: false, rejection: decision.left });
      continue;
    }
    const t = Math.max(command.at ?? at, state.now);
    now = Math.max(now, t);
    const mine = decision.right as Event[];
    for (const body of decision.right) stamp(body, t, command.commandId);
    for (const e of mine) fold(e);
    outcomes.push({ ok: true, duplicate: false, events: mine });
  }
  if (touched.size > 0) schedule(state, touched, now, (body) => fold(stamp(body, now, undefined)));
  return { outcomes, events };
}
