/**
 * One simulation: a trace replayed on a cluster through the real engine, with the simulated
 * runtime playing the cluster. No scheduling code lives here: the engine decides everything.
 *
 * The instant semantics are those of the classic trace simulators (docs/simulations.md): time in
 * seconds; at each instant every runtime report due (starts, then completions and failures, then
 * node events) and then every submission of that instant in trace order go to the engine as ONE
 * batch, so the scheduler runs once per instant. A job starts when the engine allocates it and
 * ends `duration` seconds after the runtime reports it started.
 */
import { type EventSink, ForwardingEventStore } from '../adapters/memory/forwarding-store.js';
import { type RuntimeJob, SimulatedRuntime } from '../adapters/memory/runtime.js';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import type { Command } from '../core/cluster/commands.js';
import type { Event } from '../core/cluster/events.js';
import type { JobArchive } from '../core/cluster/job-archive.js';
import type { JobStatus, PlacementMode, Policy } from '../core/cluster/model.js';
import type { EventStore, IdGenerator } from '../core/ports.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { clusterCommands, type PoolSpec, userOf } from './cluster.js';
import { InputError } from './csv.js';
import { Random } from './random.js';
import { inSubmissionOrder, type TraceJob } from './traces.js';
import type { ExperimentOutcome, TrialRecord, TuningOptions } from './tuning.js';

export interface SimulationOptions {
  readonly pools: readonly PoolSpec[];
  readonly trace: readonly TraceJob[];
  readonly policy: Policy;
  readonly placement: PlacementMode;
  readonly maxWaitSeconds?: number | null;
  readonly seed?: number;
  readonly launchDelay?: number;
  readonly launchJitter?: number;
  readonly failureRate?: number;
  /** Where the event log goes: kept in memory (for time travel), streamed to a sink, or dropped. */
  readonly log?: { kind: 'memory' } | { kind: 'sink'; sink: EventSink } | { kind: 'none' };
  /**
   * Keep finished jobs' records here (the engine's job archive), to read them from the result's
   * engine; by default none is kept: the results hold what a simulation reports.
   */
  readonly archive?: JobArchive | null;
  /** Called now and then with how many jobs have been submitted. */
  readonly onProgress?: (submitted: number, total: number) => void;
  /**
   * Hyperparameter experiments run beside the trace (tuning.ts), their trials as jobs in the
   * cluster; none by default, and then nothing of them is done.
   */
  readonly tuning?: Omit<TuningOptions, 'launchDelay'>;
}

export type SimStatus = JobStatus | 'Rejected' | 'NotStarted';

export interface JobRecord {
  readonly id: string;
  readonly pool: string;
  readonly gpus: number;
  readonly submit: number;
  readonly duration: number;
  start: number | null;
  end: number | null;
  status: SimStatus;
  rejection: string | null;
}

/** A pool's GPUs in use and queue length, sampled at every instant where either changed. */
export interface PoolSeries {
  readonly pool: string;
  readonly gpus: number;
  readonly t: number[];
  readonly used: number[];
  readonly queued: number[];
  longestQueue: number;
}

export interface SimulationResult {
  readonly policy: Policy;
  readonly placement: PlacementMode;
  readonly jobs: JobRecord[];
  readonly series: PoolSeries[];
  /** The longest the pools' queues were together, after any instant (each pool's is its series'). */
  readonly longestQueue: number;
  readonly instants: number;
  readonly engine: Engine;
  /** With experiments: how each went, and its trials (whose jobs are not in `jobs`, the trace's). */
  readonly experiments?: ExperimentOutcome[];
  readonly trials?: TrialRecord[];
}

/**
 * A job the engine holds, as the runtime knows it: how it runs, and its record and pool (by
 * position), which the runtime hands back with each of its events (SimulatedRuntime.observe).
 */
interface SimJob extends RuntimeJob {
  readonly record: JobRecord;
  readonly pool: number;
}

/** A job's status after each event that ends it, as the engine's state records it (evolve.ts finish). */
const ENDED = { JobCompleted: 'Complete', JobFailed: 'Error', JobStopped: 'Stopped' } as const;

/** Deterministic event ids for a simulation: the same run gives the same log. */
function counterIds(prefix: string): IdGenerator {
  let n = 0;
  return { next: () => `${prefix}-${(n++).toString(36)}` };
}

/** Resolve each trace job's pool and shape against the cluster; fail on what cannot be run. */
function plan(trace: readonly TraceJob[], pools: readonly PoolSpec[], placement: PlacementMode) {
  const byName = new Map(pools.map((p) => [p.name, p]));
  const only = pools.length === 1 ? pools[0] : undefined;
  // One owner string per pool, shared by its jobs: the engine keeps every job's owner, and a string
  // made per job would be a million more objects for the garbage collector to copy and keep.
  const owners = new Map(pools.map((p) => [p.name, userOf(p.name)]));
  return trace.map((j, record) => {
    const pool = j.pool === undefined ? only : byName.get(j.pool);
    if (!pool) {
      throw new InputError(
        j.pool === undefined
          ? `job '${j.id}' names no pool and the cluster has ${pools.length} (${pools.map((p) => p.name).join(', ')})`
          : `job '${j.id}' runs in pool '${j.pool}', which the cluster file does not have (pools: ${pools.map((p) => p.name).join(', ')})`,
      );
    }
    const workers = j.workers ?? workersFor(j.gpus, pool, placement);
    return { job: j, pool, owner: owners.get(pool.name) as string, workers, record };
  });
}

/** In node placement a job larger than a node spans the fewest nodes that divide it evenly. */
function workersFor(gpus: number, pool: PoolSpec, placement: PlacementMode): number {
  if (placement === 'count' || gpus <= pool.gpusPerNode) return 1;
  for (let w = Math.ceil(gpus / pool.gpusPerNode); w <= gpus; w++) {
    if (gpus % w === 0 && gpus / w <= pool.gpusPerNode) return w;
  }
  return 1; // cannot be shaped: the engine refuses it, with its advice
}

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const planned = plan(options.trace, options.pools, options.placement);
  // The loop below submits jobs in array order as time advances, so it needs them in submission
  // order. The readers sort, but a caller's own trace may not be (an early job listed late would
  // be submitted at a later instant). A stable sort keeps ties in trace order; the results still
  // list jobs in the caller's order.
  const arrivals = inSubmissionOrder(planned, (p) => p.job.submit);
  const log = options.log ?? { kind: 'none' };
  const store: EventStore =
    log.kind === 'memory' ? new InMemoryEventStore() : new ForwardingEventStore(log.kind === 'sink' ? log.sink : undefined);
  // By default no job archive: the records below are what the results need.
  const engine = await createEngine({
    store,
    clock: { now: () => 0 },
    ids: counterIds(`sim-${options.policy}`),
    archive: options.archive ?? null,
  });
  const random = new Random(options.seed ?? 1);
  const runtime = new SimulatedRuntime<SimJob>({
    launchDelay: options.launchDelay ?? 0,
    launchJitter: options.launchJitter ?? 0,
    failureRate: options.failureRate ?? 0,
    random: () => random.next(),
  });

  const setup = await engine.executeBatch(
    clusterCommands(options.pools, {
      policy: options.policy,
      placement: options.placement,
      maxWaitSeconds: options.maxWaitSeconds ?? null,
    }),
    { at: 0 },
  );
  const refused = setup.outcomes.find((o) => !o.ok);
  if (refused && !refused.ok) throw new InputError(`the cluster could not be built: ${refused.rejection.message}`);

  const jobs: JobRecord[] = planned.map(({ job, pool }) => ({
    id: job.id,
    pool: pool.name,
    gpus: job.gpus,
    submit: job.submit,
    duration: job.duration,
    start: null,
    end: null,
    status: 'Queued',
    rejection: null,
  }));
  // The records of this instant's trace submissions, in the order of their commands.
  const submitted: number[] = [];
  // Per pool, by position in options.pools: GPUs in use and jobs waiting, and the series sampled.
  const poolIndex = new Map(options.pools.map((p, i) => [p.name, i]));
  const series: PoolSeries[] = options.pools.map((p) => ({
    pool: p.name,
    gpus: p.nodes * p.gpusPerNode,
    t: [0],
    used: [0],
    queued: [0],
    longestQueue: 0,
  }));
  const used = options.pools.map(() => 0);
  const queued = options.pools.map(() => 0);
  // All the pools' queues together, and the longest they were after an instant.
  let queuedAll = 0;
  let longestQueue = 0;
  const changedAt = options.pools.map(() => -1);
  const changed: number[] = [];
  const total = planned.length;
  // The experiments' trials' jobs join the records (after the trace's) as they are submitted, so
  // the pools' series count them; the results list them apart. Loaded only with experiments: the
  // algorithms and the Experiment parser are a large module graph a trace alone does not need.
  const traceJobs = jobs.length;
  const tuning =
    options.tuning === undefined
      ? null
      : new (await import('./tuning.js')).Tuning(
          { ...options.tuning, launchDelay: options.launchDelay ?? 0 },
          {
            addJob: (record, job) => {
              jobs.push(record);
              runtime.expect(record.id, { ...job, record, pool: poolIndex.get(record.pool) as number });
            },
          },
        );
  // From here on only `arrivals` holds the plan, and each entry is let go once submitted: a
  // million-job run keeps none of them to the end.
  planned.length = 0;

  // Each event of a job the engine holds, with that job (the runtime's one lookup by id serves both).
  const record = (e: Event, job: SimJob): void => {
    const p = job.pool;
    const j = job.record;
    switch (e.type) {
      case 'JobSubmitted':
        queued[p] = (queued[p] as number) + 1;
        queuedAll++;
        break;
      case 'JobAllocated':
        j.start = e.at;
        queued[p] = (queued[p] as number) - 1;
        queuedAll--;
        used[p] = (used[p] as number) + e.devices.length;
        break;
      case 'JobCompleted':
      case 'JobFailed':
      case 'JobStopped':
        j.end = e.at;
        j.status = ENDED[e.type];
        if (j.start === null) {
          queued[p] = (queued[p] as number) - 1;
          queuedAll--;
        } else used[p] = (used[p] as number) - j.gpus;
        break;
      default:
        return;
    }
    if (changedAt[p] !== instant) {
      changedAt[p] = instant;
      changed.push(p);
    }
  };
  let instant = 0;

  /** The pools' series after an instant: a sample for each pool whose use or queue changed. */
  const sample = (at: number) => {
    // Taken from the end, so the list empties without setting its length (a call into the runtime
    // per instant); the pools' order does not matter, each has its own series.
    for (let p = changed.pop(); p !== undefined; p = changed.pop()) {
      const s = series[p] as PoolSeries;
      const q = queued[p] as number;
      if (s.t[s.t.length - 1] === at) {
        s.used[s.used.length - 1] = used[p] as number;
        s.queued[s.queued.length - 1] = q;
      } else {
        s.t.push(at);
        s.used.push(used[p] as number);
        s.queued.push(q);
      }
      if (q > s.longestQueue) s.longestQueue = q;
    }
    if (queuedAll > longestQueue) longestQueue = queuedAll;
  };

  // The commands of an instant, in one list emptied after each (the engine is done with them when
  // the batch's outcome is in): a new list per instant reserved room for 16 at its first push.
  const batch: Command[] = [];
  let next = 0;
  let instants = 0;
  const progressEvery = Math.max(1, Math.floor(total / 100));
  let lastProgress = 0;
  for (;;) {
    const nextSubmit = next < total ? (arrivals[next] as { job: TraceJob }).job.submit : Number.POSITIVE_INFINITY;
    let at = Math.min(nextSubmit, runtime.nextAt());
    if (tuning !== null) at = Math.min(at, tuning.nextAt());
    if (at === Number.POSITIVE_INFINITY) {
      // Only held start reports are left (of jobs that never end): send them in a last batch.
      if (runtime.pending === 0) break;
      at = runtime.heldUntil();
    }
    const commands = runtime.takeDueInto(at, batch);
    const reports = commands.length;
    while (next < total && (arrivals[next] as { job: TraceJob }).job.submit === at) {
      const { job, owner, workers, record } = arrivals[next] as (typeof planned)[number];
      arrivals[next++] = undefined as never;
      submitted.push(record);
      const submit: Command = {
        type: 'SubmitJob',
        jobId: job.id,
        kind: job.kind,
        owner,
        gpus: job.gpus,
        workers,
        priority: job.priority,
        expectedDuration: job.expectedDuration,
      };
      if (job.gpuType !== undefined) submit.gpuType = job.gpuType;
      commands.push(submit);
    }
    if (tuning !== null) tuning.takeDue(at, commands);
    // At once when it can be (the forwarding store appends synchronously): one batch per instant,
    // and a promise per batch was a good part of what a simulation allocated.
    const now = engine.executeBatchNow(commands, at);
    const result = now instanceof Promise ? await now : now;
    instants++;
    for (let k = 0; k < result.outcomes.length; k++) {
      const o = result.outcomes[k] as (typeof result.outcomes)[number];
      const c = commands[k] as Command;
      const r = k >= reports && k - reports < submitted.length ? (submitted[k - reports] as number) : -1;
      if (o.ok) {
        if (r < 0) continue;
        // Accepted: the runtime learns how it runs, and hands its record back with its events
        // (told every job up front, it held a table of the whole trace from the start).
        const j = jobs[r] as JobRecord;
        runtime.expect(j.id, { duration: j.duration, record: j, pool: poolIndex.get(j.pool) as number });
        continue;
      }
      if (tuning?.refused(c, o.rejection.message, at)) continue;
      if (r < 0) throw new Error(`simulation at t=${at}: the runtime's ${c.type} was refused: ${o.rejection.message}`);
      const j = jobs[r] as JobRecord;
      j.status = 'Rejected';
      j.rejection = o.rejection.message;
    }
    while (submitted.length > 0) submitted.pop(); // not `length = 0`: a call into the runtime per instant
    while (batch.length > 0) batch.pop();
    instant = at;
    runtime.observe(result.events, engine.current, record);
    sample(at);
    if (tuning !== null) tuning.observe(at, result.events);
    if (options.onProgress && next - lastProgress >= progressEvery) {
      lastProgress = next;
      options.onProgress(next, total);
    }
  }
  options.onProgress?.(total, total);

  const state = engine.current;
  for (const j of jobs) {
    if (j.status === 'Rejected') continue;
    // An ended job's status came with its end (record); the others are live, or never submitted.
    if (j.status === 'Queued') j.status = state.jobs.get(j.id)?.status ?? 'NotStarted';
  }
  if (tuning === null) {
    return { policy: options.policy, placement: options.placement, jobs, series, longestQueue, instants, engine };
  }
  jobs.length = traceJobs;
  return {
    policy: options.policy,
    placement: options.placement,
    jobs,
    series,
    longestQueue,
    instants,
    engine,
    experiments: tuning.outcomes(),
    trials: tuning.trials(),
  };
}
