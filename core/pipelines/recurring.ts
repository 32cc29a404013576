/**
 * A recurring run's place in time: its cursor for schedule.ts, and when it next needs looking at
 * (the due index's time). A disabled one, or one with every concurrency slot taken, needs no
 * wake-up: enabling it, or one of its runs ending, looks again.
 */
import type { RecurringRun } from './model.js';
import { nextFireAfter, type ScheduleCursor } from './schedule.js';

export const cursorOf = (r: RecurringRun): ScheduleCursor => ({ enabledSince: r.enabledSince, lastScheduled: r.lastScheduled });

/** The first fire time after its cursor, when it may fire at all. */
export function nextFire(r: RecurringRun): number | null {
  if (!r.enabled || r.active.size >= r.schedule.maxConcurrency) return null;
  const from = r.lastScheduled === null ? r.enabledSince : Math.max(r.enabledSince, r.lastScheduled);
  return nextFireAfter(r.schedule, from);
}
