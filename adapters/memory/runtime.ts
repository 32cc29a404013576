/**
 * The simulated cluster runtime: it plays the part of the cluster for an engine. It launches the
 * jobs the engine allocates (after an optional launch delay), reports them started, completes
 * them after their duration or fails them at a given time, stops the jobs the engine asks it to
 * stop, and loses and restores nodes at scheduled instants.
 *
 * It is a discrete-event queue, not a clock: the driver asks for the next instant and takes the
 * commands due then. Deterministic: the only random choices (launch jitter, injected failures)
 * come from a seeded generator, drawn in the order allocations happen.
 *
 * It is also the host's timer: given the engine's state after each batch, it keeps the instant
 * at which time alone next changes a decision (`nextWakeup`, core/cluster/scheduler/timers.ts) as one more
 * instant of its queue, and sends a `Tick` then. That instant is a function of the state, so a
 * run wakes up at the same instants every time.
 */
import { Heap } from 'heap-js';
import type { Command } from '../../core/cluster/commands.js';
import type { Event } from '../../core/cluster/events.js';
import type { State } from '../../core/cluster/model.js';
import { nextWakeup } from '../../core/cluster/scheduler/timers.js';

/** How a job behaves once launched. */
export interface RuntimeJob {
  /** Seconds it runs once started. */
  readonly duration: number;
  /** Seconds after it starts at which it crashes instead (if before its duration). */
  readonly failAfter?: number;
  readonly failReason?: string;
}

export interface RuntimeOptions {
  /** Seconds between allocation and the runtime reporting the job started. Default 0. */
  readonly launchDelay?: number;
  /** Extra launch delay drawn uniformly from [0, launchJitter] seconds (integer seconds). Default 0. */
  readonly launchJitter?: number;
  /** Probability that a job crashes at a uniformly drawn point of its run. Default 0. */
  readonly failureRate?: number;
  /** Seconds between a stop request and the runtime releasing the job. Default 0. */
  readonly stopDelay?: number;
  /** Random source in [0, 1); required when jitter or failures are on. */
  readonly random?: () => number;
}

/** Order within an instant: runtime reports first (starts, then ends), node events after. */
const PHASE = { start: 0, end: 1, node: 2 } as const;

interface Due {
  readonly at: number;
  readonly phase: number;
  readonly seq: number;
  readonly command: Command;
  /** For job reports: the job they report on (dropped if it ended or is being stopped meanwhile). */
  readonly job?: Tracked;
}

/**
 * A job with reports pending, or being stopped, kept as one record that its reports point to:
 * asked at every report whether the job ended or is being stopped, maps and sets by id were a
 * visible share of a simulation. Forgotten (taken out of `tracked`) when its last report is gone
 * and it is not being stopped, or when it ends with none pending.
 */
interface Tracked {
  readonly id: string;
  /** How many of its reports are pending (in the queue or held). */
  pending: number;
  /** It ended (completed, failed, stopped) while reports of it were pending: those are dropped. */
  ended: boolean;
  /** The engine asked to stop it: its pending start report is dropped (the engine refuses to hear that a Stopping job started). */
  stopping: boolean;
}

export class SimulatedRuntime {
  private readonly jobs = new Map<string, RuntimeJob>();
  private readonly queue = new Heap<Due>((a, b) => a.at - b.at || a.phase - b.phase || a.seq - b.seq);
  /** The jobs with reports pending or being stopped, by id (see Tracked). */
  private readonly tracked = new Map<string, Tracked>();
  private seq = 0;
  /** Start reports already due, waiting to ride with the next batch; `startsOf[i]` is the job of `starts[i]`. */
  private readonly starts: Command[] = [];
  private readonly startsOf: Tracked[] = [];
  /** When to send a Tick: the state's next wake-up, as of the last batch observed with its state. */
  private wakeAt: number | null = null;
  /** The latest instant the driver took commands for: the time of its last batch. */
  private time = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: RuntimeOptions = {}) {
    if (((options.launchJitter ?? 0) > 0 || (options.failureRate ?? 0) > 0) && !options.random) {
      throw new Error('SimulatedRuntime: launch jitter and failure injection need a seeded random source');
    }
  }

  /** Tell the runtime how a job will behave when it runs. */
  expect(jobId: string, job: RuntimeJob): void {
    this.jobs.set(jobId, job);
  }

  loseNodeAt(at: number, nodeId: string): void {
    this.push(at, PHASE.node, { type: 'LoseNode', nodeId });
  }

  restoreNodeAt(at: number, nodeId: string, devices: { index: number; gpuType: string }[]): void {
    this.push(at, PHASE.node, { type: 'RegisterNode', nodeId, devices });
  }

  /**
   * Feed the engine's events: allocations launch jobs, stop requests stop them, ends cancel them.
   * With the state they left, the runtime also wakes up at its next wake-up: the state is the
   * whole truth about it, so each batch's replaces the one before (a job that started has no
   * deadline left). Without it, no Tick is ever sent.
   */
  observe(events: readonly Event[], state?: Readonly<State>): void {
    this.observeEvents(events);
    // After the batch's own time too: a Tick that started nothing leaves the state's time where
    // it was, and the deadline it served must not wake the run again.
    if (state) this.wakeAt = nextWakeup(state, Math.max(state.now, this.time));
  }

  private observeEvents(events: readonly Event[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'JobAllocated':
          this.launch(e.jobId, e.at);
          break;
        case 'JobStopRequested':
          this.track(e.jobId).stopping = true;
          this.push(e.at + (this.options.stopDelay ?? 0), PHASE.end, { type: 'ReleaseJob', jobId: e.jobId }, e.jobId);
          break;
        case 'JobCompleted':
        case 'JobFailed':
        case 'JobStopped': {
          const t = this.tracked.get(e.jobId);
          if (t !== undefined) {
            t.stopping = false;
            t.ended = true;
            if (t.pending === 0) this.tracked.delete(e.jobId);
          }
          break;
        }
        default:
          break;
      }
    }
  }

  private launch(jobId: string, allocatedAt: number): void {
    const job = this.jobs.get(jobId);
    if (!job) return; // not ours to run (submitted by someone else): leave it to its owner
    // A job is allocated once: what it will do is read now, and kept no longer (a million-job
    // simulation kept them all to the end).
    this.jobs.delete(jobId);
    const o = this.options;
    const jitter = (o.launchJitter ?? 0) > 0 ? Math.floor((o.random as () => number)() * ((o.launchJitter ?? 0) + 1)) : 0;
    const started = allocatedAt + (o.launchDelay ?? 0) + jitter;
    let failAfter = job.failAfter;
    if ((o.failureRate ?? 0) > 0 && (o.random as () => number)() < (o.failureRate ?? 0)) {
      failAfter = Math.floor((o.random as () => number)() * job.duration);
    }
    if (started === allocatedAt) {
      // Due at once: straight to the held start reports (the usual case), not through the queue.
      const t = this.track(jobId);
      t.pending++;
      this.starts.push({ type: 'ReportJobStarted', jobId, at: started });
      this.startsOf.push(t);
    } else {
      this.push(started, PHASE.start, { type: 'ReportJobStarted', jobId }, jobId);
    }
    if (failAfter !== undefined && failAfter < job.duration) {
      const reason = job.failReason ?? 'Crashed';
      this.push(started + failAfter, PHASE.end, { type: 'ReportJobFailed', jobId, reason }, jobId);
    } else {
      this.push(started + job.duration, PHASE.end, { type: 'ReportJobCompleted', jobId }, jobId);
    }
  }

  private push(at: number, phase: number, command: Command, jobId?: string): void {
    if (jobId === undefined) {
      this.queue.push({ at, phase, seq: this.seq++, command });
      return;
    }
    const job = this.track(jobId);
    job.pending++;
    this.queue.push({ at, phase, seq: this.seq++, command, job });
  }

  /** The job's record, made if it has none. */
  private track(jobId: string): Tracked {
    let t = this.tracked.get(jobId);
    if (t === undefined) {
      t = { id: jobId, pending: 0, ended: false, stopping: false };
      this.tracked.set(jobId, t);
    }
    return t;
  }

  /**
   * One of a job's reports is gone (sent or dropped); the last one gone, the job is forgotten,
   * unless it is being stopped: it stays known as such until it ends, so a report of it made
   * meanwhile is not sent.
   */
  private done(job: Tracked): void {
    if (--job.pending > 0 || job.stopping) return;
    if (this.tracked.get(job.id) === job) this.tracked.delete(job.id);
  }

  /** Take the queue's next item, counting its job's pending reports down. */
  private pop(): Due {
    const next = this.queue.pop() as Due;
    if (next.job !== undefined) this.done(next.job);
    return next;
  }

  /**
   * The next instant at which the runtime has something that matters to the scheduler: an end,
   * a node event or a wake-up. Start reports change no capacity, so they do not make an instant
   * of their own: they ride with the next batch, each stamped with its own time (see takeDue).
   * Infinity when nothing but start reports is left.
   */
  nextAt(): number {
    return Math.min(this.nextReportAt(), this.wakeAt ?? Number.POSITIVE_INFINITY);
  }

  private nextReportAt(): number {
    for (;;) {
      this.dropEnded();
      const next = this.queue.peek();
      if (!next) return Number.POSITIVE_INFINITY;
      if (next.phase !== PHASE.start) return next.at;
      this.queue.pop(); // moves from the queue to the held reports: still pending
      this.starts.push({ ...next.command, at: next.at } as Command);
      this.startsOf.push(next.job as Tracked);
    }
  }

  /**
   * The commands due at `at` (or before), in order: start reports (each carrying its own `at`),
   * then ends, then node events, then a Tick if the wake-up is due.
   */
  takeDue(at: number): Command[] {
    this.time = Math.max(this.time, at);
    // Only the held start reports due by `at`: one due later stamped this batch with its later
    // time, which moved the whole batch (its submissions and its scheduling pass) into the future.
    // And none of a job that has ended or is being stopped since it was held.
    const out: Command[] = [];
    // The held reports due later stay, moved down in place (no array of them per instant).
    const starts = this.starts;
    const startsOf = this.startsOf;
    let kept = 0;
    for (let i = 0; i < starts.length; i++) {
      const c = starts[i] as Command;
      const job = startsOf[i] as Tracked;
      if ((c.at ?? at) > at) {
        startsOf[kept] = job;
        starts[kept++] = c;
        continue;
      }
      this.done(job);
      if (!job.ended && !job.stopping) out.push(c);
    }
    while (starts.length > kept) {
      starts.pop();
      startsOf.pop();
    }
    for (;;) {
      this.dropEnded();
      const next = this.queue.peek();
      if (!next || next.at > at) break;
      this.pop();
      out.push(next.phase === PHASE.start ? ({ ...next.command, at: next.at } as Command) : next.command);
    }
    if (this.wakeAt !== null && this.wakeAt <= at) {
      this.wakeAt = null;
      out.push({ type: 'Tick' });
    }
    return out;
  }

  /** The latest time of the start reports held back for the next batch; -Infinity if none. */
  heldUntil(): number {
    let t = Number.NEGATIVE_INFINITY;
    for (const c of this.starts) t = Math.max(t, c.at ?? t);
    return t;
  }

  private dropEnded(): void {
    for (;;) {
      const next = this.queue.peek();
      if (!next?.job) return;
      if (!next.job.ended && !(next.phase === PHASE.start && next.job.stopping)) return;
      this.pop();
    }
  }

  get pending(): number {
    return this.queue.size() + this.starts.length;
  }
}
