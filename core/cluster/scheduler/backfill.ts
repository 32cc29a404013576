/**
 * Backfill's look-ahead: when the head of the queue does not fit, when is the earliest it could
 * start (its shadow time), and which free capacity will it need then? Computed from the expected
 * durations of the jobs holding the pool's devices; a holder without one is assumed never to end.
 */
import type { PoolTypeCapacity } from '../capacity.js';
import type { JobState, PlacementMode, State } from '../model.js';
import { fitsAsPoolStands, shapeFits } from './fit.js';

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
  const releases: { time: number; node: string }[] = [];
  for (const [node, free] of cap.nodes) {
    freeAt.set(node, free.length);
    for (const id of state.nodes.get(node)?.devices ?? []) {
      const d = state.devices.get(id);
      if (!d || d.pool !== cap.pool || d.gpuType !== cap.gpuType || d.holders.length === 0) continue;
      let time = now;
      for (const h of d.holders) time = Math.max(time, expectedEnd(state.jobs.get(h)));
      if (time < Number.POSITIVE_INFINITY) releases.push({ time, node });
    }
  }
  releases.sort((a, b) => a.time - b.time);
  let i = 0;
  while (i < releases.length) {
    const time = (releases[i] as { time: number }).time;
    while (i < releases.length && (releases[i] as { time: number }).time === time) {
      const node = (releases[i] as { node: string }).node;
      freeAt.set(node, (freeAt.get(node) ?? 0) + 1);
      i++;
    }
    if (shapeFits(freeAt, mode, head)) return { time, freeAt, unreachable: false };
  }
  return { time: Number.POSITIVE_INFINITY, freeAt, unreachable: !fitsAsPoolStands(cap, { placement: mode }, head) };
}

function expectedEnd(job: JobState | undefined): number {
  if (!job || job.expectedDuration === null || job.allocatedAt === null) return Number.POSITIVE_INFINITY;
  return job.allocatedAt + job.expectedDuration;
}
