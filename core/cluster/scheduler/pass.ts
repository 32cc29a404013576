/**
 * The scheduling pass: runs once at the end of every batch, over the groups whose queue or pool
 * capacity the batch touched. Each group (and so its one pool) is scheduled on its own, in
 * named phases over the state as the batch left it:
 *
 *   1. place immediate jobs (they may share busy devices) and 0-GPU jobs (see queue.placedFirst);
 *   2. place jobs past the pool's maximum wait, oldest first; the first that does not fit
 *      reserves the capacity of its earliest start;
 *   3. walk the pending queue under the pool's policy, starting what the policy and the
 *      reservation allow, skipping jobs that cannot start as the pool now stands;
 *   4. hold back every job still never considered, with a reason (JobWaiting) under the queue's
 *      one rule of who holds it (reasons.queueHolds).
 *
 * The pass emits events through `emit`, which folds each one into the state at once, so every
 * placement sees the ones before it. The walk is proportional to what it starts, except under
 * first-fit and backfill, which must look past the head; they stop as soon as no job left in the
 * queue could start (the queue's summaries by shape say so, see Prospects), and pass over jobs
 * that cannot start by their shape alone. Jobs the walk no longer visits lose nothing: the walk
 * stores no reasons (phase 4 does, from the queue as the walk left it).
 */
import type { PoolTypeCapacity } from '../capacity.js';
import { capacityOf, typesInPool } from '../capacity.js';
import type { EventBody } from '../events.js';
import type { JobState, PlacementMode, PoolState, State } from '../model.js';
import { capacityFor } from '../node-selector.js';
import { candidateTypes, fitsByCounts, type Placement, perWorker, place, placeImmediate } from '../placement.js';
import { type Demand, entryLess, type PendingQueue, type QueueEntry } from '../queue.js';
import { lowerBound } from '../sorted.js';
import { type Shadow, shadowOf } from './backfill.js';
import { couldStartWhenIdle, shapeFits } from './fit.js';
import { type QueueHolds, queueHolds, starvingJob, waitReason } from './reasons.js';

export type Emit = (body: EventBody) => void;

/**
 * Whether the walk stops as soon as no job left in the queue could start (see Prospects). Only a
 * test turns it off, to run the full walk beside it and compare the two
 * (core/cluster/walk-stop.properties.test.ts): both must emit the same events.
 */
export const walkOptions = { stopEarly: true };

export function schedule(state: State, groups: readonly string[], now: number, emit: Emit): void {
  // The batch's groups are read as they are (no copy), and one group (most batches of a
  // simulation) is not sorted. What the pass's own events touch is not scheduled again either
  // way: the one group, or the sorted copy, is taken first.
  if (groups.length === 1) {
    scheduleGroup(state, groups[0] as string, now, emit);
    return;
  }
  for (const groupId of inIdOrder(groups)) scheduleGroup(state, groupId, now, emit);
}

/**
 * A batch's few groups in id order, sorted by insertion: Array.prototype.sort copies its elements
 * into work arrays of its own, a tenth of what a simulation's passes allocated.
 */
function inIdOrder(groups: readonly string[]): string[] {
  const out: string[] = [];
  for (const g of groups) {
    let i = out.length;
    out.push(g);
    for (; i > 0 && (out[i - 1] as string) > g; i--) out[i] = out[i - 1] as string;
    out[i] = g;
  }
  return out;
}

/** A reservation: the capacity a waiting job needs at its earliest start, which later jobs must not take. */
interface Reservation {
  head: JobState;
  cap: PoolTypeCapacity;
  shadow: Shadow;
}

function scheduleGroup(state: State, groupId: string, now: number, emit: Emit): void {
  const queue = state.queues.get(groupId);
  const group = state.groups.get(groupId);
  if (!queue || !group || queue.size === 0) return;
  const pool = group.pool === null ? undefined : state.pools.get(group.pool);
  if (pool) {
    placeImmediateJobs(state, queue, pool, emit);
    const reserved = placeStarving(state, queue, pool, now, emit);
    walkQueue(state, queue, pool, now, reserved, emit);
  }
  if (queue.fresh.size > 0) holdBackFresh(state, queue, queueHolds(state, queue, pool, now), emit);
}

function allocated(job: JobState, pool: PoolState, p: Placement): EventBody {
  return { type: 'JobAllocated', jobId: job.id, poolId: pool.id, devices: p.devices, shared: p.shared, nodes: p.nodes };
}

function placeImmediateJobs(state: State, queue: PendingQueue, pool: PoolState, emit: Emit): void {
  // Nearly always none: no copy of the list to walk then (every pass of every batch asks).
  if (queue.immediate.length === 0) return;
  for (const id of [...queue.immediate]) {
    const job = state.jobs.get(id) as JobState;
    const p = placeImmediate(state, job, pool);
    if (p) emit(allocated(job, pool, p));
  }
}

/**
 * The maximum wait: jobs past it go first, oldest first, whatever the policy's order or the
 * priorities of later jobs. The first that does not fit reserves the capacity it needs at its
 * earliest start (as backfill's head does): no later job may start if it could delay that start.
 * Returns the reservation, or null when no starving job waits.
 */
function placeStarving(state: State, queue: PendingQueue, pool: PoolState, now: number, emit: Emit): Reservation | null {
  for (let job = starvingJob(state, queue, pool, now); job !== null; job = starvingJob(state, queue, pool, now)) {
    const p = place(state, job, pool);
    // Not null: a starving job is one that could start once running work ended.
    if (!p) return reservationFor(state, job, pool, now);
    emit(allocated(job, pool, p));
  }
  return null;
}

/**
 * Walk the pending queue under the pool's policy, starting what it allows. Jobs that cannot start
 * as the pool now stands (never-fits) are skipped by every policy: they hold nobody back. fifo and
 * sjf stop at the first job that does not start; first-fit and backfill look past it, backfill
 * only at jobs that cannot delay its earliest start. A starving job's reservation binds them all.
 */
function walkQueue(
  state: State,
  queue: PendingQueue,
  pool: PoolState,
  now: number,
  starving: Reservation | null,
  emit: Emit,
): void {
  const strict = pool.policy === 'fifo' || pool.policy === 'sjf';
  const entries = queue.entries;
  const reservations: Reservation[] = starving ? [starving] : [];
  // Under first-fit and backfill a walk would otherwise visit every waiting job in every pass,
  // even when the pool has nothing left to give: a long queue made each pass, and a forecast's
  // thousands of passes, cost the length of the queue. A strict walk ends at its first job that
  // could start but does not, so only a run of never-fits jobs makes it long: it counts its
  // prospects from the first of those (every job before was started), and costs nothing more
  // otherwise.
  const counted = walkOptions.stopEarly;
  let prospects = counted && !strict ? new Prospects(state, queue, pool, now, reservations) : null;
  if (prospects && !prospects.anyLeft()) return;
  let headReserved = false;
  let i = 0;
  while (i < entries.length) {
    const entry = entries[i] as QueueEntry;
    // Once passing over a job decides nothing (first-fit; backfill with its head reserved), a job
    // that cannot start is passed over by its shape alone: long queues are mostly such jobs.
    // The jobs between here and the next one that might start are all such jobs: the walk goes
    // straight to it (the queue keeps each shape's jobs in order), not over each of them.
    if (prospects && (headReserved || pool.policy === 'first-fit') && !prospects.mayStart(entry)) {
      i = prospects.nextHopeful(entries, i + 1);
      continue;
    }
    const job = state.jobs.get(entry.id) as JobState;
    let p = mightFit(state, job, pool) ? place(state, job, pool) : null;
    if (p && reservations.length > 0 && !jumpReservations(state, reservations, pool, job, p, now)) {
      // Best-fit chose nodes a reserved job needs; other nodes may do.
      const around = pool.placement === 'node' ? placeAroundReservations(state, reservations, pool, job) : null;
      p = around && jumpReservations(state, reservations, pool, job, around, now) ? around : null;
    }
    if (p) {
      emit(allocated(job, pool, p)); // folding it removes entries[i]: do not advance
      prospects?.changed();
      continue;
    }
    i++;
    prospects?.pass(entry);
    if (!couldStartWhenIdle(state, job, pool)) {
      if (counted && !prospects) {
        prospects = new Prospects(state, queue, pool, now, reservations);
        prospects.pass(entry);
      }
      if (prospects && !prospects.anyLeft()) return;
      continue; // never-fits: it holds nobody back
    }
    if (strict) return;
    // Backfill's head: the first job that does not start reserves its earliest start, beside a
    // starving job's reservation. A head with no reachable start gets none.
    if (pool.policy === 'backfill' && !headReserved) {
      // A reservation only binds jobs that could start without it: when none is left, the walk
      // ends here without working out the head's shadow (a forecast asks for thousands).
      if (prospects && !prospects.anyLeft()) return;
      headReserved = true;
      const r = job === starving?.head ? null : reservationFor(state, job, pool, now);
      if (r) {
        reservations.push(r);
        prospects?.changed();
      }
    }
    if (prospects && !prospects.anyLeft()) return;
  }
}

/**
 * Which jobs of the queue could still start in this pass, counted from the queue's summaries of
 * its jobs by shape (queue.Demand) instead of by visiting them. A job can start only if, on some
 * GPU type of the pool, it fits the free devices by counts (`fitsByCounts`, which `place` agrees
 * with) and gets past every reservation on that type: it ends by the reservation's shadow time,
 * or some placement of its shape leaves the reserved job room at that time (`roomFor`). A job that
 * fails this cannot start; one that passes may still not (its own GPU type, another reservation),
 * which only makes the walk go on longer than it must.
 *
 * Within a walk the free devices only shrink and reservations only tighten, so a job that could
 * not start when the walk passed it cannot later either: the hopeful jobs not yet visited are the
 * hopeful jobs of the whole queue less those the walk passed while they were hopeful. When none is
 * left, the rest of the walk would start nothing, and it stops.
 */
class Prospects {
  /** Per shape: a job of it is hopeful when `now + its duration <= limit` (-Infinity: never; Infinity: always). */
  private readonly limits = new Map<Demand, number>();
  /** Jobs the walk passed that were hopeful then (and, after a refresh, still are). */
  private passed: QueueEntry[] = [];
  private hopeful = 0;
  private stale = true;
  /**
   * Per shape, for nextHopeful: no job of the shape between where the walk was and `from` is
   * hopeful under limits no looser than `limit` (`from` null: none to the end of the queue).
   */
  private readonly ahead = new Map<Demand, { limit: number; from: QueueEntry | null }>();

  constructor(
    private readonly state: State,
    private readonly queue: PendingQueue,
    private readonly pool: PoolState,
    private readonly now: number,
    private readonly reservations: readonly Reservation[],
  ) {}

  /** A job started or a reservation was made: what could start has shrunk. */
  changed(): void {
    this.stale = true;
  }

  /** The walk passed this job without starting it. */
  pass(entry: QueueEntry): void {
    if (this.mayStart(entry)) this.passed.push(entry);
  }

  /** Whether this job might start, as the pool now stands; false: it cannot. */
  mayStart(entry: QueueEntry): boolean {
    if (this.stale) this.refresh();
    return this.isHopeful(entry);
  }

  /** Whether a job not yet visited might still start. */
  anyLeft(): boolean {
    if (this.stale) this.refresh();
    return this.hopeful > this.passed.length;
  }

  /**
   * The index of the first entry at or after `from` that might start (as mayStart says), or the
   * queue's length when none does. Only asked while the walk passes over jobs, so the queue holds
   * exactly what it held when the limits were last worked out, and the walk only moves forward.
   */
  nextHopeful(entries: readonly QueueEntry[], from: number): number {
    if (this.stale) this.refresh();
    const start = entries[from];
    if (start === undefined) return entries.length;
    let best: QueueEntry | null = null;
    for (const d of this.queue.demands()) {
      const limit = this.limits.get(d) ?? this.limitOf(d);
      if (limit === Number.NEGATIVE_INFINITY) continue;
      if (limit !== Number.POSITIVE_INFINITY && countWithin(d.durations, this.now, limit) === 0) continue;
      // What an earlier search found still holds if the limit has not loosened since (a job not
      // hopeful then is not now) and it is not behind where the walk is.
      let seen = this.ahead.get(d);
      if (seen && seen.limit < limit) seen = undefined;
      if (seen && seen.from === null) continue;
      const list = d.queued;
      let k = lowerBound(list, seen?.from && entryLess(start, seen.from) ? seen.from : start, entryLess);
      let found: QueueEntry | null = null;
      for (; k < list.length; k++) {
        const e = list[k] as QueueEntry;
        if (best && !entryLess(e, best)) {
          found = e; // not hopeful before here, and what lies beyond is not needed yet
          break;
        }
        if (this.now + e.duration <= limit) {
          found = e;
          break;
        }
      }
      this.ahead.set(d, { limit, from: found });
      if (found && (!best || entryLess(found, best)) && this.now + found.duration <= limit) best = found;
    }
    return best ? lowerBound(entries, best, entryLess) : entries.length;
  }

  private isHopeful(entry: QueueEntry): boolean {
    const limit = this.limits.get(entry.demand) ?? this.limitOf(entry.demand);
    return this.now + entry.duration <= limit;
  }

  private refresh(): void {
    this.stale = false;
    // Every shape in the queue gets its limit again; a shape that has left it is never asked (no
    // job joins a queue during a walk), so its stale limit may stay, and the map is not cleared.
    this.hopeful = 0;
    for (const d of this.queue.demands()) {
      const limit = this.limitOf(d);
      this.limits.set(d, limit);
      this.hopeful += limit === Number.POSITIVE_INFINITY ? d.count : countWithin(d.durations, this.now, limit);
    }
    if (this.passed.length > 0) this.passed = this.passed.filter((e) => this.isHopeful(e));
  }

  /**
   * The latest time by which a job of this shape must end to be hopeful: over the GPU types where
   * it fits now, the earliest shadow time among the reservations on that type it cannot leave
   * room for (it must end by then to get past them), the most lenient type winning.
   */
  private limitOf(d: Demand): number {
    if (d.gpus === 0) return Number.POSITIVE_INFINITY;
    let limit = Number.NEGATIVE_INFINITY;
    for (const type of typesInPool(this.state, this.pool.id)) {
      const cap = capacityOf(this.state, this.pool.id, type);
      if (!cap || !fitsByCounts(cap, this.pool.placement, d.gpus, d.workers)) continue;
      let byType = Number.POSITIVE_INFINITY;
      for (const r of this.reservations) {
        if (r.cap.gpuType !== type || roomFor(r, cap, this.pool.placement, d)) continue;
        // Ending by the shadow time only gets past a reservation whose shadow time is known.
        byType = Math.min(byType, r.shadow.time < Number.POSITIVE_INFINITY ? r.shadow.time : Number.NEGATIVE_INFINITY);
      }
      limit = Math.max(limit, byType);
    }
    return limit;
  }
}

/**
 * Whether some placement of a job of this shape on the reservation's type, free devices now,
 * leaves the reserved job room at its shadow time (takenFrom's second condition). The devices
 * taken are free now, so they come off nodes whose count at the shadow time is at least that.
 * `count` placement: what is free then less the job's GPUs still holds the reserved job. `node`
 * placement: the reserved job needs `workers` nodes with its GPUs per worker free then; a worker
 * of this job on such a node may leave it short, and only as many nodes as are spare beyond the
 * reserved job's may be left short; every other node with room for a worker is harmless.
 */
function roomFor(r: Reservation, cap: PoolTypeCapacity, mode: PlacementMode, d: Demand): boolean {
  const freeAt = r.shadow.freeAt;
  if (mode === 'count') {
    // The least a job of this shape must take of the reserved capacity: what the free devices
    // outside it (on nodes a reserved job's node selector leaves out; none otherwise) cannot hold.
    let sum = 0;
    for (const c of freeAt.values()) sum += c;
    let outside = 0;
    for (const [node, free] of cap.nodes) if (!freeAt.has(node)) outside += free.length;
    return sum - Math.max(0, d.gpus - outside) >= r.head.gpus;
  }
  const reservedNeed = perWorker(r.head);
  const need = d.gpus / d.workers;
  let qualifying = 0;
  for (const c of freeAt.values()) if (c >= reservedNeed) qualifying++;
  const spare = qualifying - r.head.workers;
  if (spare < 0) return false;
  let harmless = 0;
  let breakable = 0;
  // The nodes with room for a worker now, from the free-count buckets: in a busy pool most nodes
  // have none free, and visiting every node was most of this question.
  const judge = (node: string) => {
    const at = freeAt.get(node) ?? 0;
    if (at < reservedNeed || at - need >= reservedNeed) harmless++;
    else breakable++;
    return false;
  };
  for (let k = Math.max(1, Math.ceil(need)); k < cap.buckets.length; k++) cap.buckets[k]?.some(judge);
  return harmless + Math.min(spare, breakable) >= d.workers;
}

/** How many of the ascending (finite) durations end by `limit` when started `now`. */
function countWithin(durations: readonly number[], now: number, limit: number): number {
  if (limit === Number.NEGATIVE_INFINITY) return 0;
  let lo = 0;
  let hi = durations.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (now + (durations[mid] as number) <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A cheap test before placement: some candidate type has at least `gpus` free devices. */
function mightFit(state: State, job: JobState, pool: PoolState): boolean {
  if (job.gpus === 0) return true;
  for (const type of candidateTypes(state, job, pool)) {
    if ((capacityOf(state, pool.id, type)?.free ?? 0) >= job.gpus) return true;
  }
  return false;
}

/**
 * The reservation for a job that does not fit: on the GPU type where it can start earliest. A job
 * without a type in a mixed pool may start on any type it finds; reserving only on the first type
 * let a later job take the devices of the type the head would start on sooner (property test
 * "under backfill ... never delays the head's earliest start"). Null when the job could not start
 * on any type even if all running work ended.
 */
function reservationFor(state: State, head: JobState, pool: PoolState, now: number): Reservation | null {
  let best: Reservation | null = null;
  for (const type of candidateTypes(state, head, pool)) {
    const cap = capacityFor(state, pool.id, type, head);
    if (!cap) continue;
    const shadow = shadowOf(state, cap, pool.placement, head, now);
    if (!shadow.unreachable && (!best || shadow.time < best.shadow.time)) best = { head, cap, shadow };
  }
  return best;
}

/**
 * The reservations' rule: a job may start past a reserved job only if it cannot delay that job's
 * earliest start, because it ends by the shadow time or leaves the reserved capacity at that time
 * intact. It must pass every reservation; only then are the capacities it takes written off.
 */
function jumpReservations(
  state: State,
  reservations: Reservation[],
  pool: PoolState,
  job: JobState,
  p: Placement,
  now: number,
): boolean {
  const taken = reservations.map((r) => takenFrom(state, r, pool, job, p, now));
  if (taken.includes(null)) return false;
  // Written off in place: each shadow's free counts are this pass's own (a copy of them per job
  // that started past a reservation was a twentieth of a backfill forecast).
  taken.forEach((t, k) => {
    if (!t) return;
    const freeAt = (reservations[k] as Reservation).shadow.freeAt;
    // Nodes outside the reserved capacity (not matching its job's node selector) lose it nothing.
    for (const [node, n] of t) if (freeAt.has(node)) freeAt.set(node, (freeAt.get(node) as number) - n);
  });
  return true;
}

/**
 * A gang placement that leaves every reservation's capacity at its shadow time intact: nodes in
 * best-fit order, each taken only if every reserved job still fits after it. Best-fit alone may
 * pick a node a reserved job needs while another node would do; the job then waited, a later
 * job's placement left only the harmless node, and the next pass started it after all (property
 * "a second pass starts nothing"). Null when no such nodes are free now.
 */
function placeAroundReservations(state: State, reservations: Reservation[], pool: PoolState, job: JobState): Placement | null {
  if (job.gpus === 0) return null;
  const need = job.gpus / job.workers;
  for (const type of candidateTypes(state, job, pool)) {
    const cap = capacityFor(state, pool.id, type, job);
    if (!cap || cap.free < job.gpus) continue;
    const after = reservations.map((r) => (r.cap.gpuType === type ? new Map(r.shadow.freeAt) : null));
    const harmless = (node: string) =>
      reservations.every((r, k) => {
        const a = after[k];
        if (!a) return true;
        const trial = new Map(a);
        trial.set(node, (trial.get(node) ?? 0) - need);
        return shapeFits(trial, pool.placement, r.head);
      });
    const chosen: string[] = [];
    for (let k = need; k < cap.buckets.length && chosen.length < job.workers; k++) {
      cap.buckets[k]?.some((node) => {
        if (!harmless(node)) return false;
        chosen.push(node);
        for (const a of after) a?.set(node, (a.get(node) ?? 0) - need);
        return chosen.length === job.workers;
      });
    }
    if (chosen.length < job.workers) continue;
    const devices: string[] = [];
    for (const node of chosen) devices.push(...(cap.nodes.get(node) as string[]).slice(0, need));
    return { gpuType: cap.gpuType, devices, nodes: chosen, shared: [] };
  }
  return null;
}

/**
 * What the job would take of the reserved capacity at its shadow time, per node (undefined: it
 * takes nothing there), or null if taking it would delay the reserved job.
 */
function takenFrom(
  state: State,
  r: Reservation,
  pool: PoolState,
  job: JobState,
  p: Placement,
  now: number,
): Map<string, number> | undefined | null {
  if (p.gpuType !== r.cap.gpuType || p.devices.length === 0) return undefined;
  // Ending by the shadow time only counts when the shadow time is known: if the head waits on a
  // job without an expected duration, nobody can prove it will not delay the head.
  const shadowKnown = r.shadow.time < Number.POSITIVE_INFINITY;
  if (shadowKnown && job.expectedDuration !== null && now + job.expectedDuration <= r.shadow.time) return undefined;
  const taken = new Map<string, number>();
  for (const id of p.devices) {
    const node = state.devices.get(id)?.node as string;
    taken.set(node, (taken.get(node) ?? 0) + 1);
  }
  return shapeFitsLess(r.shadow.freeAt, taken, pool.placement, r.head) ? taken : null;
}

/** Whether the free counts less those taken (per node) still hold the job's shape (as shapeFits). */
function shapeFitsLess(
  free: ReadonlyMap<string, number>,
  taken: ReadonlyMap<string, number>,
  mode: PlacementMode,
  job: JobState,
): boolean {
  if (mode === 'count') {
    // Only what is taken from the reserved capacity's nodes counts: a reserved job with a node
    // selector has only its matching nodes there, and devices elsewhere leave it whole.
    let n = 0;
    for (const c of free.values()) n += c;
    for (const [node, t] of taken) if (free.has(node)) n -= t;
    return n >= job.gpus;
  }
  // A node taken from but not counted free has less than nothing left: never a worker's room.
  const need = perWorker(job);
  let nodes = 0;
  for (const [node, c] of free) if (c - (taken.get(node) ?? 0) >= need && ++nodes >= job.workers) return true;
  return false;
}

/** Give every job the pass considered for the first time its reason, under the queue's one rule. */
function holdBackFresh(state: State, queue: PendingQueue, holds: QueueHolds, emit: Emit): void {
  for (const id of [...queue.fresh]) {
    const job = state.jobs.get(id) as JobState;
    emit({ type: 'JobWaiting', jobId: id, reason: waitReason(state, job, queue.positionOf(job), holds) });
  }
}
