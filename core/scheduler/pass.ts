/**
 * The scheduling pass: runs once at the end of every batch, over the groups whose queue or pool
 * capacity the batch touched. Each group (and so its one pool) is scheduled on its own, in
 * named phases over the state as the batch left it:
 *
 *   1. place immediate jobs (they may share busy devices) and 0-GPU jobs (see queue.placedFirst);
 *   2. walk the pending queue under the pool's policy, starting what the policy allows;
 *   3. hold back every job still never considered, with a reason (JobWaiting).
 *
 * The pass emits events through `emit`, which folds each one into the state at once, so every
 * placement sees the ones before it. The walk is proportional to what it starts, except under
 * first-fit and backfill, which must look past the head.
 */
import type { PoolTypeCapacity } from '../capacity.js';
import { capacityOf } from '../capacity.js';
import type { EventBody } from '../events.js';
import type { JobState, PoolState, State } from '../model.js';
import { candidateTypes, type Placement, place, placeImmediate } from '../placement.js';
import type { PendingQueue } from '../queue.js';
import { fitsWhenIdle, headFits, type Shadow, shadowOf } from './backfill.js';
import { type HeldBy, waitReason } from './reasons.js';

export type Emit = (body: EventBody) => void;

export function schedule(state: State, groups: Iterable<string>, now: number, emit: Emit): void {
  for (const groupId of [...new Set(groups)].sort()) scheduleGroup(state, groupId, now, emit);
}

interface WalkResult {
  heldBy: HeldBy;
  /** Queue position of the job that held the rest back. */
  blockerPosition: number;
}

const NOT_HELD: WalkResult = { heldBy: null, blockerPosition: Number.POSITIVE_INFINITY };

function scheduleGroup(state: State, groupId: string, now: number, emit: Emit): void {
  const queue = state.queues.get(groupId);
  const group = state.groups.get(groupId);
  if (!queue || !group || queue.size === 0) return;
  const pool = group.pool === null ? undefined : state.pools.get(group.pool);
  let held = NOT_HELD;
  if (pool) {
    placeImmediateJobs(state, queue, pool, emit);
    held = walkQueue(state, queue, pool, now, emit);
  }
  holdBackFresh(state, queue, held, emit);
}

function allocated(job: JobState, pool: PoolState, p: Placement): EventBody {
  return { type: 'JobAllocated', jobId: job.id, poolId: pool.id, devices: p.devices, shared: p.shared, nodes: p.nodes };
}

function placeImmediateJobs(state: State, queue: PendingQueue, pool: PoolState, emit: Emit): void {
  for (const id of [...queue.immediate]) {
    const job = state.jobs.get(id) as JobState;
    const p = placeImmediate(state, job, pool);
    if (p) emit(allocated(job, pool, p));
  }
}

function walkQueue(state: State, queue: PendingQueue, pool: PoolState, now: number, emit: Emit): WalkResult {
  const strict = pool.policy === 'fifo' || pool.policy === 'sjf';
  const entries = queue.entries;
  let backfill: { head: JobState; cap: PoolTypeCapacity; shadow: Shadow } | null = null;
  let result = NOT_HELD;
  let i = 0;
  while (i < entries.length) {
    const job = state.jobs.get((entries[i] as { id: string }).id) as JobState;
    let p = mightFit(state, job, pool) ? place(state, job, pool) : null;
    if (p && backfill && !mayJumpHead(state, backfill, pool, job, p, now)) p = null;
    if (p) {
      emit(allocated(job, pool, p)); // folding it removes entries[i]: do not advance
      continue;
    }
    const position = queue.immediate.length + i;
    // A job past the maximum wait reserves the capacity only if it could start once running work
    // ended: one whose nodes were lost, cordoned or moved away has nothing to reserve, and blocking
    // behind it kept an idle first-fit pool idle (property test "no stuck queue").
    const starving =
      pool.maxWaitSeconds !== null && now - job.submittedAt >= pool.maxWaitSeconds && couldStartWhenIdle(state, job, pool);
    if (strict || starving) {
      // fifo/sjf stop at the first job that does not fit; a starving job reserves what is left.
      return { heldBy: starving && !strict ? 'starving' : 'head', blockerPosition: position };
    }
    if (pool.policy === 'backfill' && !backfill) {
      // A job that could not start even if all running work ended (its nodes were lost, cordoned
      // or moved away) gets no reservation: nothing a later job does can delay its start, and
      // reserving for it kept an idle pool idle (property test "no stuck queue"). The reservation
      // goes to the next job that does not fit, as when the head has no capacity of its type.
      backfill = reservationFor(state, job, pool, now);
      result = { heldBy: 'head', blockerPosition: position };
    }
    i++;
  }
  return result;
}

function couldStartWhenIdle(state: State, job: JobState, pool: PoolState): boolean {
  for (const type of candidateTypes(state, job, pool)) {
    const cap = capacityOf(state, pool.id, type);
    if (cap && fitsWhenIdle(cap, pool.placement, job)) return true;
  }
  return false;
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
 * Backfill's reservation for a head that does not fit: on the GPU type where it can start
 * earliest. A head without a type in a mixed pool may start on any type it finds; reserving only
 * on the first type let a later job take the devices of the type the head would start on sooner
 * (property test "under backfill ... never delays the head's earliest start"). Null when the head
 * could not start on any type even if all running work ended.
 */
function reservationFor(
  state: State,
  head: JobState,
  pool: PoolState,
  now: number,
): { head: JobState; cap: PoolTypeCapacity; shadow: Shadow } | null {
  let best: { head: JobState; cap: PoolTypeCapacity; shadow: Shadow } | null = null;
  for (const type of candidateTypes(state, head, pool)) {
    const cap = capacityOf(state, pool.id, type);
    if (!cap) continue;
    const shadow = shadowOf(state, cap, pool.placement, head, now);
    if (!shadow.unreachable && (!best || shadow.time < best.shadow.time)) best = { head, cap, shadow };
  }
  return best;
}

/**
 * Backfill's rule: a job may jump the blocked head only if it cannot delay the head's earliest
 * start, because it ends by the shadow time or leaves the head's capacity at that time intact.
 */
function mayJumpHead(
  state: State,
  bf: { head: JobState; cap: PoolTypeCapacity; shadow: Shadow },
  pool: PoolState,
  job: JobState,
  p: Placement,
  now: number,
): boolean {
  if (p.gpuType !== bf.cap.gpuType || p.devices.length === 0) return true;
  // Ending by the shadow time only counts when the shadow time is known: if the head waits on a
  // job without an expected duration, nobody can prove it will not delay the head.
  const shadowKnown = bf.shadow.time < Number.POSITIVE_INFINITY;
  if (shadowKnown && job.expectedDuration !== null && now + job.expectedDuration <= bf.shadow.time) return true;
  const after = new Map(bf.shadow.freeAt);
  for (const id of p.devices) {
    const node = state.devices.get(id)?.node as string;
    after.set(node, (after.get(node) ?? 0) - 1);
  }
  if (!headFits(after, pool.placement, bf.head)) return false;
  bf.shadow.freeAt = after;
  return true;
}

function holdBackFresh(state: State, queue: PendingQueue, held: WalkResult, emit: Emit): void {
  for (const id of [...queue.fresh]) {
    const job = state.jobs.get(id) as JobState;
    const ahead = queue.positionOf(job);
    const heldBy = ahead > held.blockerPosition ? held.heldBy : null;
    emit({ type: 'JobWaiting', jobId: id, reason: waitReason(state, job, ahead, heldBy) });
  }
}
