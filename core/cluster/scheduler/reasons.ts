/**
 * Why a job waits: a structured reason a person can act on, computed from the capacity index.
 *
 * "Who holds the queue" is decided once, by `queueHolds`, over the queue as a pass leaves it; the
 * pass writes the reasons of the jobs it first holds back with it, and the queries compute the live
 * reason of any waiting job with it, so the stored and the shown reason follow one rule.
 */
import { largestFreeBlock, type PoolTypeCapacity } from '../capacity.js';
import { isPending, type JobState, type PoolState, type State, type WaitCode, type WaitReason } from '../model.js';
import { capacityFor, nodeRulesText } from '../node-selector.js';
import { candidateTypes, fitsByCounts, perWorker } from '../placement.js';
import { type PendingQueue, placedFirst } from '../queue.js';
import { couldStartWhenIdle, fitsAsPoolStands, workersThatFit } from './fit.js';

/** What holds capacity back from waiting jobs that would fit, in a group's queue as it now stands. */
export interface QueueHolds {
  /**
   * The oldest waiting job past the pool's maximum wait that could start once running work ended:
   * it reserves capacity, whatever the policy's order or the priorities of later jobs.
   */
  readonly starving: JobState | null;
  /**
   * Under fifo, sjf and backfill: the queue position of the first walked job that could start as
   * the pool stands (its head); jobs behind it that would fit wait for it. Infinity under
   * first-fit or when no such job waits. Jobs that can never fit as the pool stands are skipped:
   * they hold nobody back.
   */
  readonly headPosition: number;
}

export const NO_HOLDS: QueueHolds = { starving: null, headPosition: Number.POSITIVE_INFINITY };

/** The oldest job of the queue past the pool's maximum wait at `now` that could start when idle. */
export function starvingJob(state: State, queue: PendingQueue, pool: PoolState, now: number): JobState | null {
  const maxWait = pool.maxWaitSeconds;
  if (maxWait === null) return null;
  for (const id of queue.oldest((id) => isPending(state.jobs.get(id)?.status ?? 'Complete'))) {
    const job = state.jobs.get(id) as JobState;
    if (now - job.submittedAt < maxWait) return null; // submission order: every later job is younger
    if (couldStartWhenIdle(state, job, pool)) return job;
  }
  return null;
}

export function queueHolds(state: State, queue: PendingQueue, pool: PoolState | undefined, now: number): QueueHolds {
  if (!pool) return NO_HOLDS;
  const starving = starvingJob(state, queue, pool, now);
  let headPosition = Number.POSITIVE_INFINITY;
  if (pool.policy !== 'first-fit') {
    const entries = queue.entries;
    for (let i = 0; i < entries.length; i++) {
      if (couldStartWhenIdle(state, state.jobs.get((entries[i] as { id: string }).id) as JobState, pool)) {
        headPosition = queue.immediate.length + i;
        break;
      }
    }
  }
  return { starving, headPosition };
}

/** How hopeful a code is: the reason of a job that may use several GPU types speaks of the most hopeful. */
const HOPE: Record<WaitCode, number> = {
  'reserved-for-starving-job': 0,
  'blocked-behind-head': 0,
  fragmentation: 1,
  'not-enough-free-gpus': 2,
  'never-fits': 3,
  'pool-too-small': 3,
  'no-pool': 4,
};

export function waitReason(state: State, job: JobState, jobsAhead: number, holds: QueueHolds): WaitReason {
  const group = state.groups.get(job.group);
  const pool = group?.pool ? state.pools.get(group.pool) : undefined;
  const needs = {
    gpus: job.gpus,
    workers: job.workers,
    gpusPerWorker: perWorker(job),
    gpuType: job.gpuType ?? pool?.gpuType ?? null,
  };
  if (!pool) {
    return {
      code: 'no-pool',
      message: `group '${group?.name ?? job.group}' has no pool: an operator must assign one before this job can start`,
      needs,
      freeGpus: 0,
      largestFreeBlockPerNode: 0,
      jobsAhead,
      pool: null,
    };
  }
  // Every GPU type the job may use is judged; the reason speaks of the most hopeful one (then the
  // one with the most free GPUs), so a job that could start on A100s once they are released is not
  // told the pool is too small because an H100 node with more free GPUs registered.
  let code: WaitCode = 'never-fits';
  let cap: PoolTypeCapacity | undefined;
  for (const type of candidateTypes(state, job, pool)) {
    const c = capacityFor(state, pool.id, type, job);
    if (!c) continue;
    const k = typeCode(c, pool, job, holds);
    if (!cap || HOPE[k] < HOPE[code] || (HOPE[k] === HOPE[code] && c.free > cap.free)) {
      code = k;
      cap = c;
    }
  }
  const free = cap?.free ?? 0;
  const block = cap ? largestFreeBlock(cap) : 0;
  const typeText = needs.gpuType ? ` ${needs.gpuType}` : '';
  const shape = pool.placement === 'node' && job.workers > 1 ? ` as ${job.workers} workers x ${needs.gpusPerWorker}` : '';
  const rules = nodeRulesText(job);
  const on = rules === null ? '' : ` on nodes ${rules}`;
  // With node rules the figures are of the nodes they allow only, and say so.
  const there = rules === null ? '' : ' there';
  const facts = `needs ${job.gpus}${typeText} GPU${job.gpus === 1 ? '' : 's'}${shape}${on}; pool '${pool.name}' has ${free} free${there} (largest free block on one node: ${block}); ${jobsAhead} job${jobsAhead === 1 ? '' : 's'} ahead`;
  const help = code === 'never-fits' ? neverFitsAdvice(cap, pool, job) : '';
  return {
    code,
    message: `${MESSAGES[code]}: ${facts}${help}${cordonedNote(state, cap, code)}`,
    needs,
    freeGpus: free,
    largestFreeBlockPerNode: block,
    jobsAhead,
    pool: pool.id,
  };
}

function typeCode(cap: PoolTypeCapacity, pool: PoolState, job: JobState, holds: QueueHolds): WaitCode {
  if (!fitsAsPoolStands(cap, pool, job)) return 'never-fits';
  if (fitsByCounts(cap, pool.placement, job.gpus, job.workers)) {
    if (holds.starving !== null && holds.starving !== job && !placedFirst(job)) return 'reserved-for-starving-job';
    return 'blocked-behind-head';
  }
  return cap.free >= job.gpus ? 'fragmentation' : 'not-enough-free-gpus';
}

const MESSAGES: Record<WaitCode, string> = {
  'no-pool': 'group has no pool',
  'never-fits':
    'it cannot start in its pool as the pool now stands, even once every running job ends; it waits without holding other jobs back until the pool changes',
  'pool-too-small': 'the pool is too small for this job as it now stands',
  'not-enough-free-gpus': 'waiting for GPUs to be released',
  fragmentation: 'enough GPUs are free, but not enough of them on distinct nodes for this shape',
  'blocked-behind-head': 'it would fit, but the job at the head of the queue goes first',
  'reserved-for-starving-job':
    "it would fit, but the capacity is reserved for a job that has waited past the pool's maximum wait",
};

/** What would let a job that never fits start: smaller, another shape, more devices, or uncordoning. */
function neverFitsAdvice(cap: PoolTypeCapacity | undefined, pool: PoolState, job: JobState): string {
  if (!cap) {
    const type = job.gpuType ?? pool.gpuType;
    return type === null
      ? `; pool '${pool.name}' has no GPUs: an operator must allocate some`
      : `; pool '${pool.name}' has no ${type} GPUs: stop the job and resubmit it for the pool's type, or have an operator add ${type} GPUs`;
  }
  let schedulable = 0;
  for (const node of cap.nodes.keys()) schedulable += cap.sizes.get(node) ?? 0;
  if (job.gpus > schedulable) {
    return `; its schedulable nodes hold ${schedulable} ${cap.gpuType} GPUs: stop the job and resubmit it with at most ${schedulable}, or have an operator add GPUs`;
  }
  const w = workersThatFit(cap, job.gpus, true);
  return w === null
    ? '; have an operator add GPUs to the pool'
    : `; no ${job.workers} schedulable node${job.workers === 1 ? '' : 's'} hold ${perWorker(job)} GPUs each: clone it with workers: ${w}`;
}

/** Idle GPUs on cordoned nodes of the pool and type, named when they are why the job waits. */
function cordonedNote(state: State, cap: PoolTypeCapacity | undefined, code: WaitCode): string {
  if (!cap || cap.nodes.size === cap.sizes.size) return '';
  if (code !== 'never-fits' && code !== 'not-enough-free-gpus' && code !== 'fragmentation') return '';
  let idle = 0;
  const nodes: string[] = [];
  for (const node of cap.sizes.keys()) {
    if (cap.nodes.has(node)) continue;
    let here = 0;
    for (const id of state.nodes.get(node)?.devices ?? []) {
      const d = state.devices.get(id);
      if (d && d.pool === cap.pool && d.gpuType === cap.gpuType && d.holders.length === 0) here++;
    }
    if (here > 0) {
      idle += here;
      nodes.push(node);
    }
  }
  if (idle === 0) return '';
  nodes.sort();
  return `; ${idle} idle ${cap.gpuType} GPU${idle === 1 ? ' is' : 's are'} on cordoned node${nodes.length === 1 ? '' : 's'} ${nodes.join(', ')}: uncordoning would let it use them`;
}
