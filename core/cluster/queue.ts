/**
 * A group's pending queue, kept apart from the cluster's capacity (as kueue keeps its queues apart
 * from its cache): pending jobs in candidate order, priority (higher first), then the policy's key,
 * then submission order. Insert and remove are binary searches, so a pass never sorts.
 * Immediate jobs sit in a list of their own: the scheduler places them before any policy walk.
 */
import type { JobState, Policy } from './model.js';
import { insertAt, lowerBound, removeAt } from './sorted.js';

export interface QueueEntry {
  readonly id: string;
  readonly priority: number;
  readonly key: number;
  readonly seq: number;
  /** The job's expected duration, Infinity when it has none (see Demand). */
  readonly duration: number;
  /** The jobs of the queue with this job's shape, this one among them. */
  readonly demand: Demand;
}

/**
 * The walked jobs of one shape (GPUs and workers) in a queue: how many, and the expected
 * durations of those that have one, in ascending order. A pass asks
 * these few summaries, not the jobs, whether any job left in the queue could still start
 * (scheduler/pass.ts), and stops walking a long queue once none could. Kept as jobs join and leave
 * the queue, so the question costs the number of distinct shapes, not the length of the queue.
 */
export interface Demand {
  readonly gpus: number;
  readonly workers: number;
  /** How many jobs of this shape wait. */
  count: number;
  /** The expected durations of those that have one, ascending (the others are `count` less these). */
  readonly durations: number[];
  /**
   * The entries of this shape, in candidate order: a walk passing over jobs that cannot start
   * finds the next job of a shape that might from here, instead of stepping over every job between.
   */
  readonly queued: QueueEntry[];
}

const byNumber = (a: number, b: number): boolean => a < b;

export function policyKey(policy: Policy, job: JobState): number {
  // sjf orders by expected duration; a job without one goes after every job with one.
  return policy === 'sjf' ? (job.expectedDuration ?? Number.POSITIVE_INFINITY) : 0;
}

export function entryLess(a: QueueEntry, b: QueueEntry): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.key !== b.key) return a.key < b.key;
  return a.seq < b.seq;
}

/**
 * Jobs placed before any policy walk, in a list of their own: immediate jobs, and jobs of 0 GPUs.
 * A 0-GPU job takes no device, so it cannot delay anyone; were it walked with the rest, a strict
 * (fifo/sjf) queue would keep it WaitingForGPUs behind a blocked head although it needs no GPU.
 */
export function placedFirst(job: Pick<JobState, 'immediate' | 'gpus'>): boolean {
  return job.immediate || job.gpus === 0;
}

export class PendingQueue {
  entries: QueueEntry[] = [];
  /** Pending jobs placed before the walk (see placedFirst), in submission order. */
  immediate: string[] = [];
  /** Jobs still `Queued` (never considered by a pass), in submission order. */
  readonly fresh = new Set<string>();
  /**
   * The walked jobs (not those placed first) in submission order, for the maximum-wait rule, which
   * asks for the oldest waiting job whatever the policy's order. Removal is lazy: ids that left
   * the queue stay until they reach the front or the list is compacted (see oldest()).
   */
  private bySubmission: string[] = [];
  private front = 0;
  /**
   * The shapes met, by gpus then workers (see Demand); `demandList` holds those some job has now.
   * A shape whose last job leaves stays here (with a count of 0) and only leaves the list: a short
   * queue empties and fills all the time, and its summaries made again each time were some 4% of
   * what a simulation allocated. The shapes ever met are few (a trace's distinct sizes).
   */
  private readonly shapes = new Map<number, Map<number, Demand>>();
  private readonly demandList: Demand[] = [];
  constructor(public policy: Policy) {}

  entryOf(job: JobState): QueueEntry {
    return {
      id: job.id,
      priority: job.priority,
      key: policyKey(this.policy, job),
      seq: job.seq,
      duration: job.expectedDuration ?? Number.POSITIVE_INFINITY,
      demand: this.demandOf(job.gpus, job.workers),
    };
  }

  /** The summaries of the walked jobs, one per shape that some job in the queue has. */
  demands(): readonly Demand[] {
    return this.demandList;
  }

  private demandOf(gpus: number, workers: number): Demand {
    let byWorkers = this.shapes.get(gpus);
    if (!byWorkers) this.shapes.set(gpus, (byWorkers = new Map()));
    let d = byWorkers.get(workers);
    if (!d) byWorkers.set(workers, (d = { gpus, workers, count: 0, durations: [], queued: [] }));
    return d;
  }

  private count(e: QueueEntry): void {
    const d = e.demand;
    if (d.count++ === 0) this.demandList.push(d);
    insertAt(d.queued, lowerBound(d.queued, e, entryLess), e);
    if (e.duration === Number.POSITIVE_INFINITY) return;
    insertAt(d.durations, lowerBound(d.durations, e.duration, byNumber), e.duration);
  }

  private uncount(e: QueueEntry): void {
    const d = e.demand;
    d.count--;
    const k = lowerBound(d.queued, e, entryLess);
    if (d.queued[k] === e) {
      // Most removals are of the shape's first job, as of the queue's (see remove).
      if (k === 0) d.queued.shift();
      else removeAt(d.queued, k);
    }
    if (e.duration !== Number.POSITIVE_INFINITY) removeAt(d.durations, lowerBound(d.durations, e.duration, byNumber));
    if (d.count > 0) return;
    const i = this.demandList.indexOf(d);
    if (i >= 0) removeAt(this.demandList, i);
  }

  add(job: JobState): void {
    if (job.status === 'Queued') this.fresh.add(job.id);
    if (placedFirst(job)) {
      this.immediate.push(job.id);
      return;
    }
    const e = this.entryOf(job);
    const i = lowerBound(this.entries, e, entryLess);
    insertAt(this.entries, i, e);
    this.count(e);
    this.bySubmission.push(job.id);
  }

  remove(job: JobState): void {
    this.fresh.delete(job.id);
    if (placedFirst(job)) {
      const i = this.immediate.indexOf(job.id);
      if (i >= 0) this.immediate.splice(i, 1);
      return;
    }
    const i = this.lowerBoundOf(job);
    const e = this.entries[i];
    if (e?.id !== job.id) return;
    this.uncount(e);
    // Passes start jobs from the head, so most removals are at index 0. shift() lets V8 move the
    // array's start instead of copying the rest down, which splice(0, 1) does not: on queues of a
    // thousand jobs that copy was 15% of replay time.
    if (i === 0) this.entries.shift();
    else removeAt(this.entries, i);
  }

  /**
   * The walked jobs in submission order, oldest first, while `more` says to go on. `inQueue` tells
   * whether an id is still pending here (the caller knows the jobs). Dead ids at the front are
   * dropped as they are met, and the list is compacted when most of it is dead, so the cost is
   * amortised O(1) per job that ever joined the queue.
   */
  *oldest(inQueue: (id: string) => boolean): Generator<string> {
    while (this.front < this.bySubmission.length && !inQueue(this.bySubmission[this.front] as string)) this.front++;
    if (this.front > 1024 && this.front * 2 > this.bySubmission.length) {
      this.bySubmission = this.bySubmission.slice(this.front);
      this.front = 0;
    }
    if (this.bySubmission.length > 2 * this.entries.length + 1024) {
      this.bySubmission = this.bySubmission.filter(inQueue);
      this.front = 0;
    }
    for (let i = this.front; i < this.bySubmission.length; i++) {
      const id = this.bySubmission[i] as string;
      if (inQueue(id)) yield id;
    }
  }

  /** Position of a job in candidate order (jobs placed first count as ahead of everyone). */
  positionOf(job: JobState): number {
    if (placedFirst(job)) return this.immediate.indexOf(job.id);
    return this.immediate.length + this.lowerBoundOf(job);
  }

  /**
   * Where `job`'s entry is or would go: `lowerBound(entries, entryOf(job), entryLess)`, written
   * out so that a removal or a position query allocates no entry.
   */
  private lowerBoundOf(job: JobState): number {
    const priority = job.priority;
    const key = policyKey(this.policy, job);
    const seq = job.seq;
    const entries = this.entries;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = entries[mid] as QueueEntry;
      const less = e.priority !== priority ? e.priority > priority : e.key !== key ? e.key < key : e.seq < seq;
      if (less) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Re-key every entry under another policy (when the group's pool or its policy changes). */
  resort(policy: Policy, jobs: ReadonlyMap<string, JobState>): void {
    this.policy = policy;
    // The summaries are counted again from the new entries, so they describe exactly what the
    // queue holds whatever the old entries said. They are dropped whole rather than uncounted
    // entry by entry, and counted in the new order, so each shape's list grows at its end.
    this.shapes.clear();
    this.demandList.length = 0;
    this.entries = this.entries
      .map((e) => {
        const job = jobs.get(e.id);
        return job ? this.entryOf(job) : { ...e, demand: this.demandOf(e.demand.gpus, e.demand.workers) };
      })
      .sort((a, b) => (entryLess(a, b) ? -1 : entryLess(b, a) ? 1 : 0));
    for (const e of this.entries) this.count(e);
  }

  get size(): number {
    return this.entries.length + this.immediate.length;
  }
}
