/**
 * The simulated cluster runtime in real time: it plays the part of the cluster for an engine that
 * runs on the wall clock (`gpupool serve` before a Kubernetes cluster is connected). It reports an
 * allocated job started after a launch delay, completes a started job once its expected duration
 * (or a default one) has passed, and releases a job the engine asked to stop after a stop delay.
 * A job without a duration runs until it is stopped, as a notebook does.
 *
 * It is separate from the discrete-event `SimulatedRuntime` (runtime.ts) because the two are
 * driven differently. That one is a queue of instants a simulation steps through: the driver asks
 * for the next instant and sends the commands due then in one batch, so a month of trace runs in
 * seconds and every run is the same. This one has no instants of its own: it listens to the
 * engine's appended events and sets timers on the wall clock, and each report goes through
 * `engine.execute` when its timer fires (the engine gathers reports that fire together into one
 * batch). What it shares with the simulated runtime is only the idea of what a cluster reports.
 *
 * - A report the engine rejects (the job moved on meanwhile: stopped, failed, its node lost) is
 *   ignored; a report that throws (the store failed) goes to `onError`, and the job keeps its
 *   status until the runtime starts again and picks it up.
 * - On start it picks up what the store already holds (the server restarted): Starting jobs are
 *   reported started after the launch delay, running jobs with a duration complete at their start
 *   time plus that duration (at once if that has passed), Stopping jobs are released after the
 *   stop delay.
 * - It is the engine's timer too: one timer, set for the instant at which time alone next changes
 *   a scheduling decision (`nextWakeup`, core/scheduler/timers.ts: a maximum wait running out),
 *   sends a `Tick` then. It is set again after every batch the engine appends and after each of
 *   its own Ticks (one that started nothing appends nothing, and the state's time stays put).
 * - Its timers are unref'd, so they never keep the process alive; `stop()` cancels them all.
 */
import type { Command } from '../../core/commands.js';
import type { Event } from '../../core/events.js';
import { activeStatusOf, type JobState, type JobStatus } from '../../core/model.js';
import type { Clock } from '../../core/ports.js';
import { nextWakeup } from '../../core/scheduler/timers.js';
import type { Engine } from '../../engine/engine.js';
import { systemClock } from '../../engine/engine.js';

/** The timer functions the runtime uses; tests inject fake ones. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RealtimeRuntimeOptions {
  /** Seconds between an allocation and the report that the job started. Default 2. */
  readonly launchDelaySeconds?: number;
  /** Seconds between a stop request and the release of the job's GPUs. Default 1. */
  readonly stopDelaySeconds?: number;
  /**
   * Seconds a job without an expected duration runs before it completes. Default null: it runs
   * until it is stopped, as a notebook does.
   */
  readonly defaultDurationSeconds?: number | null;
  /** Default: the global setTimeout and clearTimeout. */
  readonly timers?: Timers;
  /**
   * The engine's clock (seconds), used only on start to tell how long a running job has already
   * run from the times in its history. Default: the system clock, which is what a server uses.
   */
  readonly clock?: Clock;
  /** Where a report that throws goes (the engine or its store failed). Default: stderr. */
  readonly onError?: (error: unknown) => void;
}

export interface RealtimeRuntime {
  /** Cancel every timer and stop listening to the engine. Reports already in flight still land. */
  stop(): void;
  /** Resolves when no report is in flight. */
  idle(): Promise<void>;
}

/** setTimeout's longest delay (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const globalTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function reportError(error: unknown): void {
  console.error(`gpupool runtime: a report failed: ${error instanceof Error ? error.message : String(error)}`);
}

function checkSeconds(name: string, value: number | null | undefined): void {
  if (value !== null && value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`realtime runtime: ${name} must be a number >= 0, got ${value}`);
  }
}

const isActive = (status: JobStatus) => status === 'Running' || status === 'Training';

/** Start the runtime for `engine`: it listens to the engine until `stop()`. */
export function startRealtimeRuntime(engine: Engine, options: RealtimeRuntimeOptions = {}): RealtimeRuntime {
  checkSeconds('launchDelaySeconds', options.launchDelaySeconds);
  checkSeconds('stopDelaySeconds', options.stopDelaySeconds);
  checkSeconds('defaultDurationSeconds', options.defaultDurationSeconds);
  const launchDelay = options.launchDelaySeconds ?? 2;
  const stopDelay = options.stopDelaySeconds ?? 1;
  const defaultDuration = options.defaultDurationSeconds ?? null;
  const timers = options.timers ?? globalTimers;
  const clock = options.clock ?? systemClock;
  const onError = options.onError ?? reportError;

  /** Per job: the timer of its one pending report (a job waits for one report at a time). */
  const pending = new Map<string, unknown>();
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  let stopped = false;

  /** The wake-up timer and the instant it is set for (null: none set). */
  let wakeHandle: unknown;
  let wakeAt: number | null = null;
  /** When the runtime last sent a Tick: the deadlines up to then are served, whatever it appended. */
  let tickedAt = Number.NEGATIVE_INFINITY;

  const durationOf = (job: JobState | undefined): number | null => job?.expectedDuration ?? defaultDuration;

  function clearWakeup(): void {
    if (wakeHandle !== undefined) timers.clearTimeout(wakeHandle);
    wakeHandle = undefined;
    wakeAt = null;
  }

  /** Set the one wake-up timer for the state's next wake-up, unless it is set for that already. */
  function armWakeup(): void {
    if (stopped) return;
    const state = engine.current;
    const at = nextWakeup(state, Math.max(state.now, tickedAt));
    if (at === wakeAt) return;
    clearWakeup();
    if (at === null) return;
    // A wake-up further off than setTimeout can wait, or a timer that fires a little early, comes
    // back here (the state still says `at`) and waits again for what is left.
    const handle = timers.setTimeout(
      () => {
        if (wakeHandle !== handle) return;
        wakeHandle = undefined;
        wakeAt = null;
        const now = clock.now();
        if (now < at) return armWakeup();
        tickedAt = now;
        send({ type: 'Tick' }, armWakeup);
      },
      Math.min(MAX_TIMER_MS, Math.max(0, (at - clock.now()) * 1000)),
    );
    (handle as { unref?: () => void } | null)?.unref?.();
    wakeHandle = handle;
    wakeAt = at;
  }

  function cancel(jobId: string): void {
    const handle = pending.get(jobId);
    if (handle === undefined) return;
    timers.clearTimeout(handle);
    pending.delete(jobId);
  }

  /** Send `command` for `jobId` in `seconds`, replacing the job's pending report. */
  function schedule(jobId: string, seconds: number, command: Command, due: (job: JobState) => boolean): void {
    cancel(jobId);
    let remaining = Math.max(0, seconds * 1000);
    const arm = () => {
      const step = Math.min(remaining, MAX_TIMER_MS);
      remaining -= step;
      const handle = timers.setTimeout(() => {
        if (pending.get(jobId) !== handle) return;
        if (remaining > 0) return arm();
        pending.delete(jobId);
        const job = engine.job(jobId);
        if (job && due(job)) send(command);
      }, step);
      (handle as { unref?: () => void } | null)?.unref?.();
      pending.set(jobId, handle);
    };
    arm();
  }

  /** Send `command`; `then` runs once it has landed (or failed), before `idle()` resolves. */
  function send(command: Command, then?: () => void): void {
    inFlight++;
    engine
      .execute(command)
      .then(
        () => {
          // Accepted, or rejected because the job moved on meanwhile: either way nothing to do.
        },
        (error: unknown) => {
          try {
            onError(error);
          } catch {
            // The error handler's own failure is not the runtime's to report.
          }
        },
      )
      .finally(() => {
        try {
          then?.();
        } catch (error) {
          onError(error);
        }
        inFlight--;
        if (inFlight === 0) {
          const waiters = idleWaiters;
          idleWaiters = [];
          for (const w of waiters) w();
        }
      });
  }

  const startReport = (jobId: string, seconds: number) =>
    schedule(jobId, seconds, { type: 'ReportJobStarted', jobId }, (job) => job.status === 'Starting');
  const completionReport = (jobId: string, seconds: number) =>
    schedule(jobId, seconds, { type: 'ReportJobCompleted', jobId }, (job) => isActive(job.status));
  const releaseReport = (jobId: string, seconds: number) =>
    schedule(jobId, seconds, { type: 'ReleaseJob', jobId }, (job) => job.status === 'Stopping');

  function observe(events: readonly Event[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'JobAllocated':
          startReport(e.jobId, launchDelay);
          break;
        case 'JobStarted': {
          const duration = durationOf(engine.job(e.jobId));
          if (duration === null) cancel(e.jobId);
          else completionReport(e.jobId, duration);
          break;
        }
        case 'JobStopRequested':
          releaseReport(e.jobId, stopDelay);
          break;
        case 'JobCompleted':
        case 'JobFailed': // a crash, a lost node or lost devices
        case 'JobStopped':
          cancel(e.jobId);
          break;
        default:
          break;
      }
    }
  }

  /** Pick up the jobs the store already holds in the middle of their run. */
  function pickUp(): void {
    const state = engine.current;
    const now = clock.now();
    for (const ids of state.unfinished.values()) {
      for (const jobId of ids) {
        const job = state.jobs.get(jobId);
        if (!job) continue;
        if (job.status === 'Starting') {
          startReport(jobId, launchDelay);
        } else if (job.status === 'Stopping') {
          releaseReport(jobId, stopDelay);
        } else if (isActive(job.status)) {
          const duration = durationOf(job);
          if (duration === null) continue;
          const active = activeStatusOf(job.kind);
          const startedAt = job.history.findLast((h) => h.status === active)?.at ?? job.allocatedAt ?? now;
          // Never longer than the whole duration: a clock behind the history's times is not a reason to wait more.
          completionReport(jobId, Math.min(duration, Math.max(0, startedAt + duration - now)));
        }
      }
    }
  }

  const unsubscribe = engine.subscribe((appended) => {
    if (stopped) return;
    try {
      observe(appended.events);
      armWakeup();
    } catch (error) {
      onError(error);
    }
  });
  pickUp();
  armWakeup();

  return {
    stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      for (const handle of pending.values()) timers.clearTimeout(handle);
      pending.clear();
      clearWakeup();
    },
    idle() {
      if (inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
      });
    },
  };
}
