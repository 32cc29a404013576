/**
 * A group's pending queue, kept apart from the cluster's capacity (as kueue keeps its queues apart
 * from its cache): pending jobs in candidate order, priority (higher first), then the policy's key,
 * then submission order. Insert and remove are binary searches, so a pass never sorts.
 * Immediate jobs sit in a list of their own: the scheduler places them before any policy walk.
 */
import type { JobState, Policy } from './model.js';
import { lowerBound } from './sorted.js';

export interface QueueEntry {
  readonly id: string;
  readonly priority: number;
  readonly key: number;
  readonly seq: number;
}

export function policyKey(policy: Policy, job: JobState): number {
  // sjf orders by expected duration; a job without one goes after every job with one.
  return policy === 'sjf' ? (job.expectedDuration ?? Number.POSITIVE_INFINITY) : 0;
}

export function entryLess(a: QueueEntry, b: QueueEntry): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.key !== b.key) return a.key < b.key;
  return a.seq < b.seq;
}

export class PendingQueue {
  entries: QueueEntry[] = [];
  /** Pending immediate jobs, in submission order. */
  immediate: string[] = [];
  /** Jobs still `Queued` (never considered by a pass), in submission order. */
  readonly fresh = new Set<string>();
  constructor(public policy: Policy) {}

  entryOf(job: JobState): QueueEntry {
    return { id: job.id, priority: job.priority, key: policyKey(this.policy, job), seq: job.seq };
  }

  add(job: JobState): void {
    if (job.status === 'Queued') this.fresh.add(job.id);
    if (job.immediate) {
      this.immediate.push(job.id);
      return;
    }
    const e = this.entryOf(job);
    const i = lowerBound(this.entries, e, entryLess);
    this.entries.splice(i, 0, e);
  }

  remove(job: JobState): void {
    this.fresh.delete(job.id);
    if (job.immediate) {
      const i = this.immediate.indexOf(job.id);
      if (i >= 0) this.immediate.splice(i, 1);
      return;
    }
    const e = this.entryOf(job);
    const i = lowerBound(this.entries, e, entryLess);
    if (this.entries[i]?.id === job.id) this.entries.splice(i, 1);
  }

  /** Position of a job in candidate order (immediate jobs count as ahead of everyone). */
  positionOf(job: JobState): number {
    if (job.immediate) return this.immediate.indexOf(job.id);
    return this.immediate.length + lowerBound(this.entries, this.entryOf(job), entryLess);
  }

  /** Re-key every entry under another policy (when the group's pool or its policy changes). */
  resort(policy: Policy, jobs: ReadonlyMap<string, JobState>): void {
    this.policy = policy;
    this.entries = this.entries
      .map((e) => {
        const job = jobs.get(e.id);
        return job ? this.entryOf(job) : e;
      })
      .sort((a, b) => (entryLess(a, b) ? -1 : entryLess(b, a) ? 1 : 0));
  }

  get size(): number {
    return this.entries.length + this.immediate.length;
  }
}
