/**
 * Placement: which devices a job gets. Pure reads of the capacity index.
 *
 * - `node` mode (gang): every worker on a distinct schedulable node with `gpus / workers` free
 *   devices; nodes chosen best-fit (fewest free devices that still fit, then node id); within a
 *   node the lowest free indices. All workers or none.
 * - `count` mode ignores node boundaries: any `gpus` free devices of the pool (one node best-fit
 *   when one holds them all, else the fullest nodes first). It exists to replay count-only traces.
 * - `immediate` jobs may share busy devices (oversubscription) and record which ones they share.
 */
import { type PoolTypeCapacity, typesInPool } from './capacity.js';
import type { JobState, PoolState, State } from './model.js';
import { capacityFor } from './node-selector.js';

export interface Placement {
  readonly gpuType: string | null;
  readonly devices: string[];
  readonly nodes: string[];
  readonly shared: string[];
}

/** No devices shared: one frozen empty list for every ordinary placement (most of them). */
const NOT_SHARED = Object.freeze([]) as unknown as string[];
const EMPTY: Placement = { gpuType: null, devices: NOT_SHARED, nodes: NOT_SHARED, shared: NOT_SHARED };

/** The GPU types a job may run on in a pool, in the order they are tried. */
export function candidateTypes(state: State, job: Pick<JobState, 'gpuType'>, pool: PoolState): readonly string[] {
  if (job.gpuType !== null) return onlyType(job.gpuType);
  if (pool.gpuType !== null) return onlyType(pool.gpuType);
  return typesInPool(state, pool.id);
}

/**
 * A one-type list, made once per type: the scheduler asks for a job's types several times per job,
 * and an array per question was 2% of a simulation's allocations. Callers only read it (frozen).
 * Types are GPU type names, few; a job's own type was checked against the pool when submitted.
 */
const ONE_TYPE = new Map<string, readonly string[]>();
/** The last one handed out: nearly every question names the same type as the one before. */
let lastType: readonly string[] = Object.freeze(['']);
function onlyType(type: string): readonly string[] {
  if (lastType[0] === type) return lastType;
  let list = ONE_TYPE.get(type);
  if (list === undefined) ONE_TYPE.set(type, (list = Object.freeze([type])));
  lastType = list;
  return list;
}

export function perWorker(job: Pick<JobState, 'gpus' | 'workers'>): number {
  return job.gpus / job.workers;
}

/** Place a job on free devices, or return null when it does not fit now. */
export function place(state: State, job: JobState, pool: PoolState): Placement | null {
  if (job.gpus === 0) return EMPTY;
  for (const type of candidateTypes(state, job, pool)) {
    const cap = capacityFor(state, pool.id, type, job);
    if (!cap || cap.free < job.gpus) continue;
    const p = pool.placement === 'count' ? placeByCount(cap, job.gpus) : placeGang(cap, job.workers, perWorker(job));
    if (p) return p;
  }
  return null;
}

/** Whether a job fits by free counts alone: the same answer as `place`, without choosing devices. */
export function fitsByCounts(cap: PoolTypeCapacity, mode: PoolState['placement'], gpus: number, workers: number): boolean {
  if (gpus === 0) return true;
  if (cap.free < gpus) return false;
  if (mode === 'count') return true;
  const need = gpus / workers;
  let nodes = 0;
  for (let k = need; k < cap.buckets.length; k++) {
    nodes += cap.buckets[k]?.size ?? 0;
    if (nodes >= workers) return true;
  }
  return false;
}

function placeGang(cap: PoolTypeCapacity, workers: number, need: number): Placement | null {
  if (workers === 1) {
    // Most jobs: the general walk below with one worker, but building exact-size arrays (a push
    // onto an empty array reserves room for sixteen), which showed in allocation profiles.
    for (let k = need; k < cap.buckets.length; k++) {
      const node = cap.buckets[k]?.first();
      if (node !== undefined) {
        return {
          gpuType: cap.gpuType,
          devices: (cap.nodes.get(node) as string[]).slice(0, need),
          nodes: [node],
          shared: NOT_SHARED,
        };
      }
    }
    return null;
  }
  const chosen: string[] = [];
  for (let k = need; k < cap.buckets.length && chosen.length < workers; k++) {
    cap.buckets[k]?.some((node) => {
      chosen.push(node);
      return chosen.length === workers;
    });
  }
  if (chosen.length < workers) return null;
  const devices: string[] = [];
  for (const node of chosen) {
    const free = cap.nodes.get(node) as string[];
    for (let i = 0; i < need; i++) devices.push(free[i] as string);
  }
  return { gpuType: cap.gpuType, devices, nodes: chosen, shared: NOT_SHARED };
}

function placeByCount(cap: PoolTypeCapacity, gpus: number): Placement | null {
  if (cap.free < gpus) return null;
  // One node that holds the whole job, best-fit.
  for (let k = gpus; k < cap.buckets.length; k++) {
    const node = cap.buckets[k]?.first();
    if (node !== undefined) {
      const free = cap.nodes.get(node) as string[];
      return { gpuType: cap.gpuType, devices: free.slice(0, gpus), nodes: [node], shared: NOT_SHARED };
    }
  }
  // Otherwise the fullest nodes first, so the job spans as few nodes as it can.
  const devices: string[] = [];
  const nodes: string[] = [];
  for (let k = cap.buckets.length - 1; k > 0 && devices.length < gpus; k--) {
    cap.buckets[k]?.some((node) => {
      const free = cap.nodes.get(node) as string[];
      const take = Math.min(free.length, gpus - devices.length);
      for (let i = 0; i < take; i++) devices.push(free[i] as string);
      nodes.push(node);
      return devices.length === gpus;
    });
  }
  return devices.length === gpus ? { gpuType: cap.gpuType, devices, nodes, shared: NOT_SHARED } : null;
}

/**
 * Place an `immediate` job now: free devices first, then devices already in use (fewest holders,
 * then lowest index), never outside its pool. Null only when the pool's schedulable nodes cannot
 * hold its shape at all.
 */
export function placeImmediate(state: State, job: JobState, pool: PoolState): Placement | null {
  const normal = place(state, job, pool);
  if (normal) return normal;
  for (const type of candidateTypes(state, job, pool)) {
    const cap = capacityFor(state, pool.id, type, job);
    if (!cap) continue;
    const p = pool.placement === 'count' ? shareByCount(state, cap, job.gpus) : shareGang(state, cap, job);
    if (p) return p;
  }
  return null;
}

/** Devices of this pool and type on a node that are in use, least shared first. */
function busyDevices(state: State, cap: PoolTypeCapacity, node: string): string[] {
  const out: { id: string; holders: number; index: number }[] = [];
  for (const id of state.nodes.get(node)?.devices ?? []) {
    const d = state.devices.get(id);
    if (d && d.pool === cap.pool && d.gpuType === cap.gpuType && d.holders.length > 0) {
      out.push({ id, holders: d.holders.length, index: d.index });
    }
  }
  out.sort((a, b) => a.holders - b.holders || a.index - b.index);
  return out.map((x) => x.id);
}

function shareGang(state: State, cap: PoolTypeCapacity, job: JobState): Placement | null {
  const need = perWorker(job);
  const candidates = [...cap.nodes.entries()]
    .filter(([node]) => (cap.sizes.get(node) ?? 0) >= need)
    .map(([node, free]) => ({ node, free: free.length, deficit: Math.max(0, need - free.length) }))
    .sort((a, b) => a.deficit - b.deficit || a.free - b.free || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  if (candidates.length < job.workers) return null;
  const devices: string[] = [];
  const shared: string[] = [];
  const nodes: string[] = [];
  for (const c of candidates.slice(0, job.workers)) {
    const free = (cap.nodes.get(c.node) as string[]).slice(0, need);
    const busy = busyDevices(state, cap, c.node).slice(0, need - free.length);
    devices.push(...free, ...busy);
    shared.push(...busy);
    nodes.push(c.node);
  }
  return { gpuType: cap.gpuType, devices, nodes, shared };
}

function shareByCount(state: State, cap: PoolTypeCapacity, gpus: number): Placement | null {
  const schedulable = [...cap.nodes.keys()].sort();
  const total = schedulable.reduce((n, node) => n + (cap.sizes.get(node) ?? 0), 0);
  if (total < gpus) return null;
  const base = cap.free > 0 ? (placeByCount(cap, cap.free) as Placement) : EMPTY;
  const busy = schedulable
    .flatMap((node) => busyDevices(state, cap, node).map((id) => ({ id, holders: state.devices.get(id)?.holders.length ?? 0 })))
    .sort((a, b) => a.holders - b.holders)
    .slice(0, gpus - base.devices.length)
    .map((x) => x.id);
  const devices = [...base.devices, ...busy];
  const nodes = [...new Set(devices.map((id) => state.devices.get(id)?.node as string))];
  return { gpuType: cap.gpuType, devices, nodes, shared: busy };
}
