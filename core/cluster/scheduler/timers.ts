/**
 * Timers as data: when time passing alone changes a scheduling decision, as a pure function of
 * the state. The core keeps no timers; its host asks `nextWakeup` after every batch and runs a
 * `Tick` batch then (the simulated runtime puts the instant on its event queue, `serve` sets a
 * timer), and every batch covers the deadlines that fell since the last event (`groupsDueAt`).
 *
 * Today one thing is timed: a pool's maximum wait. In a group whose pool has one, the job that
 * starves first is the oldest walked job (in submission order) that could start as its pool
 * stands: `starvingJob` (reasons.ts) returns exactly that job once its wait has passed. A later
 * job passing its own wait changes nothing while that one still waits, and a job that could never
 * start as the pool stands (`never-fits`) holds nobody back, so neither needs a wake-up; whatever
 * changes the queue or the pool is a batch, which runs the group's pass anyway.
 *
 * Not timed: a running job passing its expected end. Backfill and the reservations then count it
 * as ending now, which can let a later pass admit a job an earlier one held back (its release
 * lands at the same instant as others'). No wake-up is set for it: the estimate has proved wrong,
 * the job's real end is a report and so a batch with a pass of its own, and a wake-up at every
 * expected end would cost a batch per running job that overruns, on every trace. Its effect
 * waits for the next batch that touches the pool.
 *
 * Cost: a loop over the pools with a maximum wait that serve a group (timedPools, kept until evolve
 * says pools or groups changed; most clusters have none), and for each a walk from the front of its
 * queue in submission order past the jobs that never fit, which is the walk `starvingJob` makes in
 * every pass of that pool. No index of jobs is kept.
 */
import { isPending, type PoolState, type State } from '../model.js';
import { couldStartWhenIdle } from './fit.js';
import type { GroupSink } from './triggers.js';

/**
 * The earliest time after `after` (default: the state's time, that of its latest event) at which
 * time alone changes a scheduling decision; null when none is coming. A host that just ran a Tick
 * which appended nothing passes the tick's time, since the state's time did not move.
 */
export function nextWakeup(state: State, after: number = state.now): number | null {
  let next = Number.POSITIVE_INFINITY;
  const timed = timedPools(state);
  for (let i = 0; i < timed.length; i++) {
    const d = starvationDeadline(state, timed[i] as PoolState, Number.POSITIVE_INFINITY);
    if (d > after && d < next) next = d;
  }
  return next === Number.POSITIVE_INFINITY ? null : next;
}

/**
 * Add to `out` the groups whose next maximum-wait deadline falls in (since, at]: a batch at `at`
 * after a last event at `since` runs their pass although nothing else touched them. Groups
 * already in `out` are not looked at.
 */
export function groupsDueAt(state: State, since: number, at: number, out: GroupSink): void {
  if (at <= since) return;
  const timed = timedPools(state);
  for (let i = 0; i < timed.length; i++) {
    const pool = timed[i] as PoolState;
    if (out.has(pool.group as string)) continue;
    const d = starvationDeadline(state, pool, at);
    if (d > since && d <= at) out.add(pool.group as string);
  }
}

/**
 * The pools that time can act on, those with a maximum wait that serve a group, in the pools'
 * order, worked out once per state's pools and kept until evolve says they changed
 * (timedPoolsChanged). Every batch and every wake-up asks, and most clusters have none: walking
 * every pool twice per batch was 3-4% of a simulation.
 */
function timedPools(state: State): readonly PoolState[] {
  let timed = TIMED.get(state.pools);
  if (timed === undefined) {
    timed = [...state.pools.values()].filter((p) => p.maxWaitSeconds !== null && p.group !== null);
    TIMED.set(state.pools, timed);
  }
  return timed;
}
const TIMED = new WeakMap<ReadonlyMap<string, PoolState>, readonly PoolState[]>();

/** A pool was made, set up, assigned or deleted, or a group deleted: which pools time acts on is worked out again. */
export function timedPoolsChanged(state: State): void {
  TIMED.delete(state.pools);
}

/**
 * When the pool's group has its next starving job: the deadline of the oldest walked job that
 * could start as the pool stands. Infinity when no such job waits. The walk stops at the first
 * job whose deadline is past `until` (a value past `until` is then returned, not the exact
 * deadline), so asking "is one due by then?" costs one job when the oldest is still young.
 */
function starvationDeadline(state: State, pool: PoolState, until: number): number {
  const queue = state.queues.get(pool.group as string);
  const maxWait = pool.maxWaitSeconds as number;
  if (!queue || queue.entries.length === 0) return Number.POSITIVE_INFINITY;
  for (const id of queue.oldest((id) => isPending(state.jobs.get(id)?.status ?? 'Complete'))) {
    const job = state.jobs.get(id);
    if (!job) continue;
    const d = deadline(job.submittedAt, maxWait);
    if (d > until) return d; // submission order: every later job's deadline is later still
    if (couldStartWhenIdle(state, job, pool)) return d;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * The first instant `t` at which `starvingJob` counts a job submitted at `submittedAt` as past a
 * wait of `maxWait`, i.e. the least double with `t - submittedAt >= maxWait`. `submittedAt +
 * maxWait` can be an ulp off either way (0.1 + 0.2 - 0.1 < 0.2): a wake-up an ulp early would find
 * nothing due and never come again.
 */
export function deadline(submittedAt: number, maxWait: number): number {
  let d = submittedAt + maxWait;
  while (d - submittedAt < maxWait) d = nextUp(d);
  for (let p = nextDown(d); p - submittedAt >= maxWait; p = nextDown(d)) d = p;
  return d;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The next double above a positive finite `x`. */
function nextUp(x: number): number {
  f64[0] = x;
  u64[0] = (u64[0] as bigint) + 1n;
  return f64[0] as number;
}

/** The next double below a positive finite `x` (0 stays 0). */
function nextDown(x: number): number {
  if (x <= 0) return x;
  f64[0] = x;
  u64[0] = (u64[0] as bigint) - 1n;
  return f64[0] as number;
}
