/**
 * Backfill's look-ahead: when the head of the queue does not fit, when is the earliest it could
 * start (its shadow time), and which free capacity will it need then? Computed from the expected
 * durations of the jobs holding the pool's devices; a holder without one is assumed never to end.
 */
import { devicesOn, type PoolTypeCapacity } from '../capacity.js';
import type { JobState, PlacementMode, State } from '../model.js';
import { perWorker } from '../placement.js';
import { fitsAsPoolStands } from './fit.js';

export interface Shadow {
  /** Earliest time the head can start; Infinity when the known releases never make room. */
  time: number;
  /** Free devices per schedulable node at the shadow time. */
  freeAt: Map<string, number>;
  /**
   * True when the head could not start even if every job holding the pool's devices ended: it
   * waits for an operator (nodes lost, cordoned or moved away), not for running work.
   */
  unreachable: boolean;
}

export function shadowOf(state: State, cap: PoolTypeCapacity, mode: PlacementMode, head: JobState, now: number): Shadow {
  const freeAt = new Map<string, number>();
  // Per schedulable node (by its rank in cap.nodes): its name, free devices now, and the times its
  // busy devices are expected to be released (ascending; before `now` for jobs past their end).
  const names: string[] = [];
  const base: number[] = [];
  const releases: (readonly number[])[] = [];
  for (const [node, free] of cap.nodes) {
    freeAt.set(node, free.length);
    names.push(node);
    base.push(free.length);
    releases.push(releasesOn(state, cap, node));
  }
  const time = earliestFit(mode, head, base, releases, now);
  // What is free at that time (every known release when it is never): the time is no earlier
  // than now, so a release before now (a job past its expected end) counts too.
  for (let n = 0; n < names.length; n++) {
    const list = releases[n] as readonly number[];
    let k = 0;
    while (k < list.length && (list[k] as number) <= time) k++;
    if (k > 0) freeAt.set(names[n] as string, (base[n] as number) + k);
  }
  if (time < Number.POSITIVE_INFINITY) return { time, freeAt, unreachable: false };
  return { time, freeAt, unreachable: !fitsAsPoolStands(cap, { placement: mode }, head) };
}

/**
 * When the busy devices of this pool and type on the node are expected to be released, ascending:
 * a device when the last of its holders ends (a holder without an expected duration never does,
 * and its device is left out). Not clamped to any `now`, so a node's list holds until the node
 * changes: it is kept in the capacity index (PoolTypeCapacity.releases), which drops it whenever
 * the node is refreshed, and worked out again only then.
 */
export function releasesOn(state: State, cap: PoolTypeCapacity, node: string): readonly number[] {
  const kept = cap.releases.get(node);
  if (kept !== undefined) return kept;
  const list = nodeReleases(state, cap, node);
  cap.releases.set(node, list);
  return list;
}

/** releasesOn worked out from the devices, without the cache (which the invariants check against it). */
export function nodeReleases(state: State, cap: PoolTypeCapacity, node: string): number[] {
  const list: number[] = [];
  // A job holds several devices, mostly side by side: its end is looked up once for them.
  let lastHolder: string | undefined;
  let lastEnd = Number.POSITIVE_INFINITY;
  for (const d of devicesOn(state, node)) {
    if (d.pool !== cap.pool || d.gpuType !== cap.gpuType || d.holders.length === 0) continue;
    let time = Number.NEGATIVE_INFINITY;
    for (const h of d.holders) {
      if (h !== lastHolder) {
        lastHolder = h;
        lastEnd = expectedEnd(state.jobs.get(h));
      }
      time = Math.max(time, lastEnd);
    }
    if (time < Number.POSITIVE_INFINITY) list.push(time);
  }
  // A node has a few devices: insertion sort.
  for (let i = 1; i < list.length; i++) {
    const x = list[i] as number;
    let j = i - 1;
    for (; j >= 0 && (list[j] as number) > x; j--) list[j + 1] = list[j] as number;
    list[j + 1] = x;
  }
  return list;
}

/**
 * The first release time at which the head fits (Infinity: none): what walking the releases in
 * time order and asking shapeFits at each time gives, worked out without sorting every release,
 * which made most of a backfill forecast (a pass per instant, each over a full pool's few hundred
 * devices). Whether the head fits only grows with time, as devices are only released. A release
 * time before `now` (its job has overrun its expected end) counts as `now`.
 *
 * `node` placement: a node holds a worker from the time its free count reaches the head's GPUs
 * per worker (from the start if it has them now), and the head fits from the time the
 * `workers`-th node does; if enough nodes hold a worker already, from the first release. `count`
 * placement: from the release that brings the free devices to the head's GPUs.
 */
function earliestFit(
  mode: PlacementMode,
  head: Pick<JobState, 'gpus' | 'workers'>,
  base: readonly number[],
  releases: readonly (readonly number[])[],
  now: number,
): number {
  let count = 0;
  let first = Number.POSITIVE_INFINITY;
  for (const list of releases) {
    if (list.length === 0) continue;
    count += list.length;
    first = Math.min(first, list[0] as number);
  }
  if (count === 0) return Number.POSITIVE_INFINITY;
  first = Math.max(now, first);
  if (mode === 'count') {
    let free = 0;
    for (const c of base) free += c;
    const k = Math.ceil(head.gpus - free);
    if (k <= 0) return first;
    if (k > count) return Number.POSITIVE_INFINITY;
    const all = new Float64Array(count);
    let i = 0;
    for (const list of releases) for (const t of list) all[i++] = t;
    return Math.max(now, all.sort()[k - 1] as number);
  }
  const need = perWorker(head);
  const w = Math.max(1, head.workers);
  if (w > base.length) return Number.POSITIVE_INFINITY;
  // The w smallest times from which a node holds a worker, ascending (a typed array and a sort of
  // every node's time per shadow were a tenth of a backfill forecast; w is a job's worker count).
  const best: number[] = [];
  for (let n = 0; n < base.length; n++) {
    const have = base[n] as number;
    let ready = Number.NEGATIVE_INFINITY;
    if (have < need) {
      const list = releases[n] as readonly number[];
      const k = Math.ceil(need - have);
      ready = k > list.length ? Number.POSITIVE_INFINITY : Math.max(now, list[k - 1] as number);
    }
    if (best.length === w && ready >= (best[w - 1] as number)) continue;
    let j = best.length < w ? best.length : w - 1;
    for (; j > 0 && (best[j - 1] as number) > ready; j--) best[j] = best[j - 1] as number;
    best[j] = ready;
  }
  const at = best[w - 1] as number;
  return at === Number.NEGATIVE_INFINITY ? first : at;
}

function expectedEnd(job: JobState | undefined): number {
  if (!job || job.expectedDuration === null || job.allocatedAt === null) return Number.POSITIVE_INFINITY;
  return job.allocatedAt + job.expectedDuration;
}
