/**
 * Why a job waits: a structured reason a person can act on, computed from the capacity index.
 * The scheduler writes one into JobWaiting when it first holds a job back; the queries compute
 * the live one on demand, so no pass has to rewrite every waiting job's reason.
 */
import { capacityOf, largestFreeBlock, largestNode, nodesWithAtLeast, type PoolTypeCapacity } from '../capacity.js';
import type { JobState, PoolState, State, WaitCode, WaitReason } from '../model.js';
import { candidateTypes, fitsByCounts, perWorker } from '../placement.js';

/** What held a job back beyond capacity: the blocked head of a strict queue, or a starving job. */
export type HeldBy = 'head' | 'starving' | null;

export function waitReason(state: State, job: JobState, jobsAhead: number, heldBy: HeldBy): WaitReason {
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
  const cap = bestCapacity(state, job, pool);
  const free = cap?.free ?? 0;
  const block = cap ? largestFreeBlock(cap) : 0;
  const code = waitCode(cap, pool, job, heldBy);
  const typeText = needs.gpuType ? ` ${needs.gpuType}` : '';
  const shape = pool.placement === 'node' && job.workers > 1 ? ` as ${job.workers} workers x ${needs.gpusPerWorker}` : '';
  const facts = `needs ${job.gpus}${typeText} GPU${job.gpus === 1 ? '' : 's'}${shape}; pool '${pool.name}' has ${free} free (largest free block on one node: ${block}); ${jobsAhead} job${jobsAhead === 1 ? '' : 's'} ahead`;
  return {
    code,
    message: `${MESSAGES[code]}: ${facts}`,
    needs,
    freeGpus: free,
    largestFreeBlockPerNode: block,
    jobsAhead,
    pool: pool.id,
  };
}

const MESSAGES: Record<WaitCode, string> = {
  'no-pool': 'group has no pool',
  'pool-too-small': 'the pool is too small for this job as it now stands (nodes were lost, cordoned or moved away)',
  'not-enough-free-gpus': 'waiting for GPUs to be released',
  fragmentation: 'enough GPUs are free, but not enough of them on distinct nodes for this shape',
  'blocked-behind-head': 'it would fit, but the job at the head of the queue goes first',
  'reserved-for-starving-job':
    "it would fit, but the capacity is reserved for a job that has waited past the pool's maximum wait",
};

function waitCode(cap: PoolTypeCapacity | undefined, pool: PoolState, job: JobState, heldBy: HeldBy): WaitCode {
  if (!cap || !canEverFit(cap, pool, job) || !fitsOnSchedulable(cap, pool, job)) return 'pool-too-small';
  if (fitsByCounts(cap, pool.placement, job.gpus, job.workers)) {
    return heldBy === 'starving' ? 'reserved-for-starving-job' : 'blocked-behind-head';
  }
  return cap.free >= job.gpus ? 'fragmentation' : 'not-enough-free-gpus';
}

/**
 * Whether the pool's uncordoned nodes could hold the job once all their running work ended. If
 * they cannot, no release will start the job: it waits because the pool is too small as it now
 * stands (cordoned nodes), not "for GPUs to be released" (scheduler.test.ts, "pool-too-small:
 * every node that could hold it is cordoned"). Scans the nodes only when one of them is cordoned.
 */
function fitsOnSchedulable(cap: PoolTypeCapacity, pool: PoolState, job: Pick<JobState, 'gpus' | 'workers'>): boolean {
  if (cap.nodes.size === cap.sizes.size) return true; // no cordoned node: canEverFit has said it
  if (pool.placement === 'count') {
    let n = 0;
    for (const node of cap.nodes.keys()) n += cap.sizes.get(node) ?? 0;
    return n >= job.gpus;
  }
  const need = perWorker(job);
  let nodes = 0;
  for (const node of cap.nodes.keys()) if ((cap.sizes.get(node) ?? 0) >= need && ++nodes >= job.workers) return true;
  return false;
}

/** Whether the pool's live devices could ever hold the job, busy or not, cordoned or not. */
export function canEverFit(cap: PoolTypeCapacity, pool: PoolState, job: Pick<JobState, 'gpus' | 'workers'>): boolean {
  if (job.gpus > cap.total) return false;
  if (pool.placement === 'count') return true;
  const need = perWorker(job);
  return need <= largestNode(cap) && nodesWithAtLeast(cap, need) >= job.workers;
}

/** The capacity a job's reason speaks of: its type's, or in a mixed pool the type with most free. */
function bestCapacity(state: State, job: JobState, pool: PoolState): PoolTypeCapacity | undefined {
  let best: PoolTypeCapacity | undefined;
  for (const type of candidateTypes(state, job, pool)) {
    const cap = capacityOf(state, pool.id, type);
    if (cap && (!best || cap.free > best.free)) best = cap;
  }
  return best;
}
