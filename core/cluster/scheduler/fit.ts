/**
 * The fit rules, in one place: whether a job's shape fits a pool's capacity of one GPU type now,
 * once running work ends, or ever. The pass, backfill, the wait reasons and `decide` all ask these
 * questions; answering them in one module keeps them from drifting apart.
 *
 * - "fits now": free devices on schedulable nodes hold it (placement.fitsByCounts says so by counts);
 * - "fits as the pool stands": the schedulable (uncordoned) nodes could hold it once every running
 *   job on them ended; a job that does not is `never-fits` while the pool stays as it is;
 * - "can ever fit": the live nodes, cordoned ones included, could hold it (what a submission is
 *   checked against: cordoning is temporary, so it does not refuse a job).
 */
import { largestNode, nodesWithAtLeast, type PoolTypeCapacity } from '../capacity.js';
import type { JobState, PlacementMode, PoolState, State } from '../model.js';
import { capacityFor } from '../node-selector.js';
import { candidateTypes, perWorker } from '../placement.js';

type Shape = Pick<JobState, 'gpus' | 'workers'>;

/** Whether free counts per node (or in all, for `count` placement) hold the job's shape. */
export function shapeFits(free: ReadonlyMap<string, number>, mode: PlacementMode, job: Shape): boolean {
  if (mode === 'count') {
    let n = 0;
    for (const c of free.values()) n += c;
    return n >= job.gpus;
  }
  const need = perWorker(job);
  let nodes = 0;
  for (const c of free.values()) if (c >= need && ++nodes >= job.workers) return true;
  return false;
}

/** Whether the pool's live devices of this type could ever hold the job, busy or not, cordoned or not. */
export function canEverFit(cap: PoolTypeCapacity, pool: Pick<PoolState, 'placement'>, job: Shape): boolean {
  if (job.gpus > cap.total) return false;
  if (pool.placement === 'count') return true;
  const need = perWorker(job);
  return need <= largestNode(cap) && nodesWithAtLeast(cap, need) >= job.workers;
}

/**
 * Whether the schedulable nodes of this pool and type could hold the job once all their running
 * work ended: every device of an uncordoned node counted as free. Cheap when no node is cordoned
 * (then it is canEverFit); scans the schedulable nodes otherwise.
 */
export function fitsAsPoolStands(cap: PoolTypeCapacity, pool: Pick<PoolState, 'placement'>, job: Shape): boolean {
  if (!canEverFit(cap, pool, job)) return false;
  if (cap.nodes.size === cap.sizes.size) return true; // no cordoned node
  const idle = new Map<string, number>();
  for (const node of cap.nodes.keys()) idle.set(node, cap.sizes.get(node) ?? 0);
  return shapeFits(idle, pool.placement, job);
}

/** Whether some GPU type the job may use in its pool could hold it as the pool stands. */
export function couldStartWhenIdle(state: State, job: JobState, pool: PoolState): boolean {
  if (job.gpus === 0) return true;
  for (const type of candidateTypes(state, job, pool)) {
    const cap = capacityFor(state, pool.id, type, job);
    if (cap && fitsAsPoolStands(cap, pool, job)) return true;
  }
  return false;
}

/**
 * The smallest worker count that would let `gpus` fit the pool's nodes of this type, as advice
 * for a job that cannot fit as asked ("use workers: 2"), or null when none would.
 */
export function workersThatFit(cap: PoolTypeCapacity, gpus: number, schedulableOnly: boolean): number | null {
  const sizes = schedulableOnly ? [...cap.nodes.keys()].map((n) => cap.sizes.get(n) ?? 0) : [...cap.sizes.values()];
  for (let w = 1; w <= gpus; w++) {
    if (gpus % w !== 0) continue;
    const per = gpus / w;
    if (sizes.filter((s) => s >= per).length >= w) return w;
  }
  return null;
}
