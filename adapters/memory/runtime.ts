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

import type { Command } from '../../core/cluster/commands.js';
import type { Event } from '../../core/cluster/events.js';
import type { State } from '../../core/cluster/model.js';
import { nextWakeup } from '../../core/cluster/scheduler/timers.js';
import { Heap } from '../../core/vendor/heap.js';

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

/** What a pending job report will say; the command is made when it is taken, not kept meanwhile. */
const REPORT = { started: 0, completed: 1, failed: 2, release: 3 } as const;
type Report = (typeof REPORT)[keyof typeof REPORT];

interface Due {
  readonly at: number;
  readonly phase: number;
  readonly seq: number;
  /** A node event's command; null for a job report, made when taken (commandOf). */
  readonly command: Command | null;
  /** What a job report says (a node event's is not read). */
  readonly report: Report;
  /** For job reports: the job they report on (dropped if it ended or is being stopped meanwhile). */
  readonly job: Known<RuntimeJob> | undefined;
}

/**
 * A job the runtime knows: told how it runs (expect), or asked to stop. One record from then until
 * the job ends, which its pending reports point to and which the driver's visitor is handed with
 * each event of the job (observe): one lookup by id per event, where separate tables of behaviours,
 * pending reports and the driver's own records each took theirs.
 */
interface Known<J extends RuntimeJob> {
  readonly id: string;
  /** How it runs; undefined for a job the runtime did not launch but was asked to stop. */
  readonly job: J | undefined;
  /** It ended (completed, failed, stopped): its pending reports are dropped. */
  ended: boolean;
  /** The engine asked to stop it: its pending start report is dropped (the engine refuses to hear that a Stopping job started). */
  stopping: boolean;
}

/** Called with each event of a job the runtime knows, and that job as the driver described it (observe). */
export type JobVisitor<J extends RuntimeJob> = (event: Event, job: J) => void;

export class SimulatedRuntime<J extends RuntimeJob = RuntimeJob> {
  private readonly queue = new Heap<Due>((a, b) => a.at - b.at || a.phase - b.phase || a.seq - b.seq);
  /** The jobs known, by id, until they end (see Known). */
  private readonly known = new Map<string, Known<J>>();
  private seq = 0;
  /** Start reports already due, waiting to ride with the next batch: their times and jobs. */
  private readonly startsAt: number[] = [];
  private readonly startsOf: Known<J>[] = [];
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
  expect(jobId: string, job: J): void {
    this.known.set(jobId, { id: jobId, job, ended: false, stopping: false });
  }

  loseNodeAt(at: number, nodeId: string): void {
    this.pushNode(at, { type: 'LoseNode', nodeId });
  }

  restoreNodeAt(at: number, nodeId: string, devices: { index: number; gpuType: string }[]): void {
    this.pushNode(at, { type: 'RegisterNode', nodeId, devices });
  }

  /**
   * Feed the engine's events: allocations launch jobs, stop requests stop them, ends cancel them.
   * `visit` is handed each event of a job the runtime knows, with that job, after the runtime
   * took it in. With the state they left, the runtime also wakes up at its next wake-up: the state
   * is the whole truth about it, so each batch's replaces the one before (a job that started has
   * no deadline left). Without it, no Tick is ever sent.
   */
  observe(events: readonly Event[], state?: Readonly<State>, visit?: JobVisitor<J>): void {
    this.observeEvents(events, visit);
    // After the batch's own time too: a Tick that started nothing leaves the state's time where
    // it was, and the deadline it served must not wake the run again.
    if (state) this.wakeAt = nextWakeup(state, Math.max(state.now, this.time));
  }

  private observeEvents(events: readonly Event[], visit: JobVisitor<J> | undefined): void {
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as Event;
      let k: Known<J> | undefined;
      switch (e.type) {
        case 'JobSubmitted':
          if (visit === undefined) continue;
          k = this.known.get(e.jobId);
          break;
        case 'JobAllocated':
          k = this.known.get(e.jobId);
          // Not ours to run (submitted by someone else): left to its owner.
          if (k?.job !== undefined) this.launch(k as Known<RuntimeJob>, e.at);
          break;
        case 'JobStopRequested':
          k = this.known.get(e.jobId);
          if (k === undefined) {
            k = { id: e.jobId, job: undefined, ended: false, stopping: false };
            this.known.set(e.jobId, k);
          }
          k.stopping = true;
          this.pushReport(e.at + (this.options.stopDelay ?? 0), PHASE.end, REPORT.release, k as Known<RuntimeJob>);
          break;
        case 'JobCompleted':
        case 'JobFailed':
        case 'JobStopped':
          k = this.known.get(e.jobId);
          if (k === undefined) continue;
          k.stopping = false;
          k.ended = true;
          this.known.delete(e.jobId);
          break;
        default:
          continue;
      }
      if (visit !== undefined && k?.job !== undefined) visit(e, k.job);
    }
  }

  private launch(k: Known<RuntimeJob>, allocatedAt: number): void {
    const job = k.job as RuntimeJob;
    const o = this.options;
    const jitter = (o.launchJitter ?? 0) > 0 ? Math.floor((o.random as () => number)() * ((o.launchJitter ?? 0) + 1)) : 0;
    const started = allocatedAt + (o.launchDelay ?? 0) + jitter;
    let failAfter = job.failAfter;
    if ((o.failureRate ?? 0) > 0 && (o.random as () => number)() < (o.failureRate ?? 0)) {
      failAfter = Math.floor((o.random as () => number)() * job.duration);
    }
    if (started === allocatedAt) {
      // Due at once: straight to the held start reports (the usual case), not through the queue.
      this.startsAt.push(started);
      this.startsOf.push(k as Known<J>);
    } else {
      this.pushReport(started, PHASE.start, REPORT.started, k);
    }
    if (failAfter !== undefined && failAfter < job.duration) {
      this.pushReport(started + failAfter, PHASE.end, REPORT.failed, k);
    } else {
      this.pushReport(started + job.duration, PHASE.end, REPORT.completed, k);
    }
  }

  private pushNode(at: number, command: Command): void {
    this.queue.push({ at, phase: PHASE.node, seq: this.seq++, command, report: REPORT.started, job: undefined });
  }

  private pushReport(at: number, phase: number, report: Report, job: Known<RuntimeJob>): void {
    this.queue.push({ at, phase, seq: this.seq++, command: null, report, job });
  }

  /** The command a taken queue item sends. */
  private commandOf(due: Due): Command {
    if (due.command !== null) return due.command;
    const k = due.job as Known<RuntimeJob>;
    switch (due.report) {
      case REPORT.started:
        return { type: 'ReportJobStarted', jobId: k.id, at: due.at };
      case REPORT.completed:
        return { type: 'ReportJobCompleted', jobId: k.id };
      case REPORT.failed:
        return { type: 'ReportJobFailed', jobId: k.id, reason: k.job?.failReason ?? 'Crashed' };
      default:
        return { type: 'ReleaseJob', jobId: k.id };
    }
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
      this.startsAt.push(next.at);
      this.startsOf.push(next.job as Known<J>);
    }
  }

  /**
   * The commands due at `at` (or before), in order: start reports (each carrying its own `at`),
   * then ends, then node events, then a Tick if the wake-up is due.
   */
  takeDue(at: number): Command[] {
    return this.takeDueInto(at, []);
  }

  /** takeDue, appended to `out` (a driver's list reused from one instant to the next); returns `out`. */
  takeDueInto(at: number, out: Command[]): Command[] {
    this.time = Math.max(this.time, at);
    // Only the held start reports due by `at`: one due later stamped this batch with its later
    // time, which moved the whole batch (its submissions and its scheduling pass) into the future.
    // And none of a job that has ended or is being stopped since it was held.
    // The held reports due later stay, moved down in place (no array of them per instant).
    const startsAt = this.startsAt;
    const startsOf = this.startsOf;
    let kept = 0;
    for (let i = 0; i < startsAt.length; i++) {
      const t = startsAt[i] as number;
      const job = startsOf[i] as Known<J>;
      if (t > at) {
        startsOf[kept] = job;
        startsAt[kept++] = t;
        continue;
      }
      if (!job.ended && !job.stopping) out.push({ type: 'ReportJobStarted', jobId: job.id, at: t });
    }
    while (startsAt.length > kept) {
      startsAt.pop();
      startsOf.pop();
    }
    for (;;) {
      this.dropEnded();
      const next = this.queue.peek();
      if (!next || next.at > at) break;
      this.queue.pop();
      out.push(this.commandOf(next));
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
    for (const at of this.startsAt) t = Math.max(t, at);
    return t;
  }

  private dropEnded(): void {
    for (;;) {
      const next = this.queue.peek();
      if (!next?.job) return;
      if (!next.job.ended && !(next.phase === PHASE.start && next.job.stopping)) return;
      this.queue.pop();
    }
  }

  get pending(): number {
    return this.queue.size() + this.startsAt.length;
  }
}
