/**
 * Backfill's look-ahead: when the head of the queue does not fit, when is the earliest it could
 * start (its shadow time), and which free capacity will it need then? Computed from the expected
 * durations of the jobs holding the pool's devices; a holder without one is assumed never to end.
 */
import type { PoolTypeCapacity } from '../capacity.js';
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
  // Per schedulable node (by its rank in cap.nodes): its name and free devices now; per device
  // that a known time releases: that time and its node's rank.
  const names: string[] = [];
  const base: number[] = [];
  const times: number[] = [];
  const ranks: number[] = [];
  // The releases of a node are consecutive: they start at `firsts[rank]`.
  const firsts: number[] = [];
  // A job holds several devices, mostly side by side: its end is looked up once for them.
  let lastHolder: string | undefined;
  let lastEnd = Number.POSITIVE_INFINITY;
  for (const [node, free] of cap.nodes) {
    freeAt.set(node, free.length);
    const rank = names.length;
    names.push(node);
    base.push(free.length);
    firsts.push(times.length);
    for (const id of state.nodes.get(node)?.devices ?? []) {
      const d = state.devices.get(id);
      if (!d || d.pool !== cap.pool || d.gpuType !== cap.gpuType || d.holders.length === 0) continue;
      let time = now;
      for (const h of d.holders) {
        if (h !== lastHolder) {
          lastHolder = h;
          lastEnd = expectedEnd(state.jobs.get(h));
        }
        time = Math.max(time, lastEnd);
      }
      if (time < Number.POSITIVE_INFINITY) {
        times.push(time);
        ranks.push(rank);
      }
    }
  }
  firsts.push(times.length);
  const time = earliestFit(mode, head, base, times, firsts);
  for (let r = 0; r < times.length; r++) {
    if ((times[r] as number) > time) continue;
    const node = names[ranks[r] as number] as string;
    freeAt.set(node, (freeAt.get(node) ?? 0) + 1);
  }
  if (time < Number.POSITIVE_INFINITY) return { time, freeAt, unreachable: false };
  return { time, freeAt, unreachable: !fitsAsPoolStands(cap, { placement: mode }, head) };
}

/**
 * The first release time at which the head fits (Infinity: none): what walking the releases in
 * time order and asking shapeFits at each time gives, worked out without sorting every release,
 * which made most of a backfill forecast (a pass per instant, each over a full pool's few hundred
 * devices). Whether the head fits only grows with time, as devices are only released.
 *
 * `node` placement: a node holds a worker from the time its free count reaches the head's GPUs
 * per worker (from the start if it has them now), and the head fits from the time the
 * `workers`-th node does; if enough nodes hold a worker already, from the first release. `count`
 * placement: from the release that brings the free devices to the head's GPUs. Sorts a node's
 * releases in place (the caller's later use of them does not depend on their order).
 */
function earliestFit(
  mode: PlacementMode,
  head: Pick<JobState, 'gpus' | 'workers'>,
  base: readonly number[],
  times: number[],
  firsts: readonly number[],
): number {
  if (times.length === 0) return Number.POSITIVE_INFINITY;
  let first = Number.POSITIVE_INFINITY;
  for (const t of times) first = Math.min(first, t);
  if (mode === 'count') {
    let free = 0;
    for (const c of base) free += c;
    const k = Math.ceil(head.gpus - free);
    if (k <= 0) return first;
    if (k > times.length) return Number.POSITIVE_INFINITY;
    return new Float64Array(times).sort()[k - 1] as number;
  }
  const need = perWorker(head);
  const ready = new Float64Array(base.length);
  for (let n = 0; n < base.length; n++) {
    const have = base[n] as number;
    if (have >= need) {
      ready[n] = Number.NEGATIVE_INFINITY;
      continue;
    }
    const from = firsts[n] as number;
    const to = firsts[n + 1] as number;
    const k = Math.ceil(need - have);
    if (k > to - from) {
      ready[n] = Number.POSITIVE_INFINITY;
      continue;
    }
    // A node has a few devices: insertion sort of its release times.
    for (let i = from + 1; i < to; i++) {
      const x = times[i] as number;
      let j = i - 1;
      for (; j >= from && (times[j] as number) > x; j--) times[j + 1] = times[j] as number;
      times[j + 1] = x;
    }
    ready[n] = times[from + k - 1] as number;
  }
  const w = Math.max(1, head.workers);
  if (w > ready.length) return Number.POSITIVE_INFINITY;
  const at = ready.sort()[w - 1] as number;
  return at === Number.NEGATIVE_INFINITY ? first : at;
}

function expectedEnd(job: JobState | undefined): number {
  if (!job || job.expectedDuration === null || job.allocatedAt === null) return Number.POSITIVE_INFINITY;
  return job.allocatedAt + job.expectedDuration;
}
