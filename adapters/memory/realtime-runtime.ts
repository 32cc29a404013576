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
 * seconds and every run is the same. This one has no instants of its own: it follows the cluster
 * stream and sets timers on the wall clock, and each report goes through `engine.execute` when its
 * timer fires (the engine gathers reports that fire together into one batch). What it shares with
 * the simulated runtime is only the idea of what a cluster reports.
 *
 * `gpupool serve` runs one per store, on the server that holds the store's leader lease
 * (app/serve.ts, engine/leader.ts): when the lease moves to another server, the runtime started
 * there picks up what the former leader left (see the pick-up below).
 *
 * It is a reactor (engine/reactor.ts):
 * - It follows the stream **through the store port**, not the engine's own notifications, so the
 *   events of every writer reach it: another server on the same store, the `gpupool` CLI. Before
 *   it reacts to an event it makes sure its engine has caught up to it (it reads the job's expected
 *   duration and, when a timer fires, its status from the engine).
 * - Every report carries a command id derived from the event that called for it
 *   (`runtime:<revision>:started` for the JobAllocated at <revision>, `:completed` for a
 *   JobStarted, `:released` for a JobStopRequested; `reactionId`), and each wake-up Tick one
 *   derived from the deadline it serves (`runtime:@<seconds>:tick`). So two runtimes on one store,
 *   or a restarted one, that send a report for the same event send the same id, and the engine
 *   applies it once and answers the others as duplicates. A Tick with an id that starts nothing is
 *   remembered by a CommandAccepted event: one event per wake-up, the price of ticking once.
 * - It keeps no checkpoint, unlike a `ReactorRunner`: its reactions are delayed (timers, which a
 *   runner does not have), so an event handled is not yet a report sent, and a checkpoint past it
 *   would say nothing about what is still owed. What is owed is in the state instead: on start it
 *   picks up the jobs the store holds starting, running and stopping, with ids derived from the
 *   event that put each in its status (the revisions in `job.history`), and follows the stream
 *   from the engine's durable revision. Replaying events from a checkpoint would only set again
 *   the timers the pick-up sets, at the cost of a write to the store every few events.
 *
 * - A report the engine rejects (the job moved on meanwhile: stopped, failed, its node lost) is
 *   ignored, and so is one answered as a duplicate; a report that throws (the store failed) goes
 *   to `onError`, and the job keeps its status until the runtime starts again and picks it up. A
 *   catch-up that throws goes to `onError` too, and is tried again a second later.
 * - On start it picks up what the store already holds (the server restarted): Starting jobs are
 *   reported started after the launch delay, running jobs with a duration complete at their start
 *   time plus that duration (at once if that has passed), Stopping jobs are released after the
 *   stop delay.
 * - It is the engine's timer too: one timer, set for the instant at which time alone next changes
 *   a scheduling decision (`nextWakeup`, core/cluster/scheduler/timers.ts: a maximum wait running out),
 *   sends a `Tick` then. It is set again after the events it follows (once per turn of the event
 *   loop, not once per event) and after each of its own Ticks.
 * - Its timers are unref'd, so they never keep the process alive; `stop()` cancels them all.
 */
import { randomUUID } from 'node:crypto';
import { type MetricPointInput, metricsStream, reportMetrics } from '../../core/assets/metrics.js';
import type { Command } from '../../core/cluster/commands.js';
import { type Event, RUNTIME_EVENTS } from '../../core/cluster/events.js';
import { activeStatusOf, type JobState, type JobStatus } from '../../core/cluster/model.js';
import { nextWakeup } from '../../core/cluster/scheduler/timers.js';
import type { Clock, EventStore } from '../../core/ports.js';
import type { Engine } from '../../engine/engine.js';
import { systemClock } from '../../engine/engine.js';
import { type EngineFollower, followEngine } from '../../engine/follow-engine.js';
import { reactionId } from '../../engine/reactor.js';

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
  /** Where a report or a catch-up that throws goes (the engine or its store failed). Default: stderr. */
  readonly onError?: (error: unknown) => void;
  /**
   * What a job reports before it completes, when something knows better than the default loss and
   * accuracy curves (a tuning trial reports its experiment's objective metric); null: the default.
   */
  readonly metricsOf?: (job: JobState) => readonly MetricPointInput[] | null;
  /** How long a job without an expected duration runs, by job (a tuning trial); null: `defaultDurationSeconds`. */
  readonly durationOf?: (job: JobState) => number | null;
  /** A job that fails when its time is up instead of completing (a pipeline step its fixture fails), and why; null: it completes. */
  readonly failureOf?: (job: JobState) => { readonly reason: string; readonly message: string } | null;
}

export interface RealtimeRuntime {
  /** Cancel every timer and stop following the stream. Reports already in flight still land. */
  stop(): void;
  /** Resolves when no report is in flight and every event delivered so far is handled. */
  idle(): Promise<void>;
}

/** The reactor's name: the prefix of its command ids. */
export const RUNTIME_REACTOR = 'runtime';

/** The events it reacts to; the others are skipped unread. */
const WATCHED = RUNTIME_EVENTS;

/** Wait before a catch-up that failed is tried again. */
const RETRY_MS = 1000;

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

/**
 * Start the runtime for `engine`, following its stream in `store` (the engine's store) from the
 * engine's durable revision until `stop()`.
 */
export function startRealtimeRuntime(engine: Engine, store: EventStore, options: RealtimeRuntimeOptions = {}): RealtimeRuntime {
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

  /** The events after those the pick-up covered, each once the engine has it (set after the pick-up). */
  let follower: EngineFollower | undefined;
  /** Set while a re-arm of the wake-up is queued for the end of this turn. */
  let rearming = false;

  /** The wake-up timer and the instant it is set for (null: none set). */
  let wakeHandle: unknown;
  let wakeAt: number | null = null;
  /** When the runtime last sent a Tick: the deadlines up to then are served, whatever it appended. */
  let tickedAt = Number.NEGATIVE_INFINITY;

  const durationOf = (job: JobState | undefined): number | null =>
    job?.expectedDuration ?? (job && options.durationOf?.(job)) ?? defaultDuration;

  function report(error: unknown): void {
    try {
      onError(error);
    } catch {
      // The error handler's own failure is not the runtime's to report.
    }
  }

  function unref(handle: unknown): void {
    (handle as { unref?: () => void } | null)?.unref?.();
  }

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
        // The deadline names the Tick: another runtime serving the same deadline sends the same id.
        send({ type: 'Tick', commandId: reactionId(RUNTIME_REACTOR, `@${at}`, 'tick') }, armWakeup);
      },
      Math.min(MAX_TIMER_MS, Math.max(0, (at - clock.now()) * 1000)),
    );
    unref(handle);
    wakeHandle = handle;
    wakeAt = at;
  }

  /**
   * Re-arm the wake-up once the events delivered in this turn are handled: a batch of a thousand
   * events is delivered one event at a time, and the wake-up depends only on the state after it.
   */
  function rearmSoon(): void {
    if (rearming || stopped) return;
    rearming = true;
    queueMicrotask(() => {
      rearming = false;
      try {
        armWakeup();
      } catch (error) {
        report(error);
      }
    });
  }

  function cancel(jobId: string): void {
    const handle = pending.get(jobId);
    if (handle === undefined) return;
    timers.clearTimeout(handle);
    pending.delete(jobId);
  }

  /** Send `command` for `jobId` in `seconds`, replacing the job's pending report. */
  function schedule(
    jobId: string,
    seconds: number,
    command: Command,
    due: (job: JobState) => boolean,
    before?: (job: JobState) => Promise<void>,
  ): void {
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
        if (job && due(job)) send(command, undefined, before && (() => before(job)));
      }, step);
      unref(handle);
      pending.set(jobId, handle);
    };
    arm();
  }

  /** Send `command`; `then` runs once it has landed (or failed), before `idle()` resolves. */
  function send(command: Command, then?: () => void, before?: () => Promise<void>): void {
    inFlight++;
    (before ? before().catch(report) : Promise.resolve())
      .then(() => engine.execute(command))
      .then(() => {
        // Accepted, answered as a duplicate (another runtime, or this one before a restart, sent
        // it first), or rejected because the job moved on meanwhile: either way nothing to do.
      }, report)
      .finally(() => {
        try {
          then?.();
        } catch (error) {
          report(error);
        }
        inFlight--;
        settle();
      });
  }

  /** Resolve the `idle()` waiters once nothing is in flight or waiting to be handled. */
  function settle(): void {
    if (inFlight > 0 || follower?.busy) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  /** The id of the report the event at `revision` calls for; none when there is no event to name. */
  const idFor = (revision: bigint | number | undefined, reaction: string) =>
    revision === undefined ? {} : { commandId: reactionId(RUNTIME_REACTOR, revision, reaction) };

  const startReport = (jobId: string, seconds: number, revision: bigint | number | undefined) => {
    const endpoint = endpointOf(engine.job(jobId));
    schedule(
      jobId,
      seconds,
      { type: 'ReportJobStarted', jobId, ...idFor(revision, 'started'), ...(endpoint === null ? {} : { endpoint }) },
      (job) => job.status === 'Starting',
    );
  };
  const completionReport = (jobId: string, seconds: number, revision: bigint | number | undefined) => {
    const failure = options.failureOf?.(engine.job(jobId) as JobState) ?? null;
    const end: Command =
      failure === null
        ? { type: 'ReportJobCompleted', jobId, ...idFor(revision, 'completed') }
        : { type: 'ReportJobFailed', jobId, reason: failure.reason, message: failure.message, ...idFor(revision, 'completed') };
    return schedule(
      jobId,
      seconds,
      end,
      (job) => isActive(job.status),
      (job) => syntheticMetrics(store, job, engine.clock.now(), options.metricsOf?.(job) ?? null),
    );
  };
  const releaseReport = (jobId: string, seconds: number, revision: bigint | number | undefined) =>
    schedule(jobId, seconds, { type: 'ReleaseJob', jobId, ...idFor(revision, 'released') }, (job) => job.status === 'Stopping');

  function observe(e: Event, revision: bigint): void {
    switch (e.type) {
      case 'JobAllocated':
        startReport(e.jobId, launchDelay, revision);
        break;
      case 'JobStarted': {
        const duration = durationOf(engine.job(e.jobId));
        if (duration === null) cancel(e.jobId);
        else completionReport(e.jobId, duration, revision);
        break;
      }
      case 'JobStopRequested':
        releaseReport(e.jobId, stopDelay, revision);
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

  /** The revision of the event that put `job` in its current status (from its history). */
  const sinceRevision = (job: JobState): number | undefined => job.history.findLast((h) => h.status === job.status)?.revision;

  /** Pick up the jobs the store already holds in the middle of their run. */
  function pickUp(): void {
    const state = engine.current;
    const now = clock.now();
    for (const ids of state.unfinished.values()) {
      for (const jobId of ids) {
        const job = state.jobs.get(jobId);
        if (!job) continue;
        if (job.status === 'Starting') {
          startReport(jobId, launchDelay, sinceRevision(job));
        } else if (job.status === 'Stopping') {
          releaseReport(jobId, stopDelay, sinceRevision(job));
        } else if (isActive(job.status)) {
          const duration = durationOf(job);
          if (duration === null) continue;
          const active = activeStatusOf(job.kind);
          const since = job.history.findLast((h) => h.status === active);
          const startedAt = since?.at ?? job.allocatedAt ?? now;
          // Never longer than the whole duration: a clock behind the history's times is not a reason to wait more.
          completionReport(jobId, Math.min(duration, Math.max(0, startedAt + duration - now)), since?.revision);
        }
      }
    }
  }

  pickUp();
  armWakeup();
  // After what the pick-up covered: the engine's durable state, which the store holds.
  follower = followEngine(engine, store, {
    after: BigInt(engine.durableRevision),
    types: WATCHED,
    onEvent: observe,
    onDrained(handledAny) {
      if (handledAny) rearmSoon();
      settle();
    },
    onError: report,
    retryMs: RETRY_MS,
    timers,
  });

  return {
    stop() {
      if (stopped) return;
      stopped = true;
      follower?.stop();
      for (const handle of pending.values()) timers.clearTimeout(handle);
      pending.clear();
      clearWakeup();
      settle();
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settle();
      });
    },
  };
}

/**
 * What a simulated training run reports when it reported nothing itself: a loss falling and an
 * accuracy rising over ten steps, shaped by the job's id (so each run differs, and the same run
 * reports the same), appended only to an empty metrics stream (a report of the job's own, or
 * another runtime's, wins). The demo then shows the whole flow: metrics, then a model version.
 */
export async function syntheticMetrics(
  store: EventStore,
  job: JobState,
  now: number,
  given: readonly MetricPointInput[] | null = null,
): Promise<void> {
  if (job.kind !== 'training' && job.kind !== 'trial') return;
  const stream = metricsStream(job.id);
  if ((await store.read(stream, { from: 0n, maxCount: 1 })).length > 0) return;
  if (given !== null) {
    const r = reportMetrics(job.id, given, now, new Map());
    if (r.ok) await store.append(stream, [{ id: randomUUID(), type: r.event.type, data: r.event }], 'no_stream');
    return;
  }
  let h = 2166136261;
  for (let i = 0; i < job.id.length; i++) h = Math.imul(h ^ job.id.charCodeAt(i), 16777619);
  const rate = 0.3 + ((h >>> 0) % 1000) / 2000; // 0.3 .. 0.8
  const points = Array.from({ length: 10 }, (_, step) => {
    const loss = Math.round((1 / (1 + rate * step)) * 1e4) / 1e4;
    return [
      { name: 'loss', value: loss, step },
      { name: 'accuracy', value: Math.round((1 - loss * 0.6) * 1e4) / 1e4, step },
    ];
  }).flat();
  const r = reportMetrics(job.id, points, now, new Map());
  if (!r.ok) return;
  await store.append(stream, [{ id: randomUUID(), type: r.event.type, data: r.event }], 'no_stream');
}

const IDE_PATHS = { jupyter: 'lab', rstudio: 'rstudio', vscode: 'vscode' } as const;

/**
 * Where the simulated runtime says a notebook or an inference is reached once started: a URL on
 * its first node (a notebook's under its IDE's path). Other kinds have none.
 */
export function endpointOf(job: JobState | undefined): string | null {
  if (!job || (job.kind !== 'notebook' && job.kind !== 'inference')) return null;
  const node = job.allocation?.nodes[0] ?? 'pool';
  const path = job.kind === 'notebook' ? IDE_PATHS[job.ide ?? 'jupyter'] : 'v1/predict';
  return `http://${encodeURIComponent(node)}.simulated.gpupool:8080/jobs/${encodeURIComponent(job.id)}/${path}`;
}
