/**
 * The workloads the benchmarks run. Deterministic: a seeded generator picks the job shapes, so
 * every run (and every build of the code) sees the same commands and, behaviour being preserved,
 * produces the same events.
 */
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { runBatch } from '../core/cluster/batch.js';
import type { Command } from '../core/cluster/commands.js';
import type { Event } from '../core/cluster/events.js';
import { initialState } from '../core/cluster/evolve.js';
import type { Policy, State } from '../core/cluster/model.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { clusterCommands, userOf } from '../simulations/cluster.js';
import { Random } from '../simulations/random.js';

/** The project's seeded generator, as a function. */
export function rng(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

/** The throughput benchmark's one pool, holding the whole cluster. */
const POOL = 'bench';

/**
 * A training-cluster job mix: mostly small jobs, some whole nodes, a few two-node gangs.
 * Mean 3.6 GPUs per job.
 */
export function jobShape(r: () => number): { gpus: number; workers: number } {
  const x = r();
  if (x < 0.4) return { gpus: 1, workers: 1 };
  if (x < 0.6) return { gpus: 2, workers: 1 };
  if (x < 0.8) return { gpus: 4, workers: 1 };
  if (x < 0.95) return { gpus: 8, workers: 1 };
  return { gpus: 16, workers: 2 };
}

// -- throughput ----------------------------------------------------------------------------------

export interface ThroughputOptions {
  nodes: number;
  gpusPerNode: number;
  /** Jobs submitted per batch. */
  batchSize: number;
  /** Batches that submit jobs; then completion-only batches drain the cluster. */
  batches: number;
  /**
   * `rolling`: each batch completes the oldest running jobs (as many as it submits), then submits;
   * the first `lag` batches only submit, so the cluster is full and a queue persists.
   * `alternate`: a batch of submissions, then a batch of their completions; nothing ever waits.
   */
  pattern: 'rolling' | 'alternate';
  lag: number;
  seed?: number;
}

export const THROUGHPUT: ThroughputOptions = {
  nodes: 1_250,
  gpusPerNode: 8,
  batchSize: 1_000,
  batches: 100,
  pattern: 'rolling',
  lag: 3,
};

/** Starts a measurement; calling what it returns gives the milliseconds since. */
export type Clock = () => () => number;
export const wallClock: Clock = () => {
  const t0 = performance.now();
  return () => performance.now() - t0;
};

/** Runs one batch (one instant). */
export type Executor = (commands: Command[], at: number) => Promise<{ readonly events: readonly Event[] }>;

/** The real thing: the engine over the in-memory store. */
export async function engineExecutor(): Promise<{ execute: Executor; engine: Engine; store: InMemoryEventStore }> {
  const store = new InMemoryEventStore();
  const engine = await createEngine({ store, clock: { now: () => 0 } });
  return { execute: (commands, at) => engine.executeBatch(commands, { at }), engine, store };
}

/** For reference: the core alone (`runBatch` on a bare state), no engine, no store. */
export function coreExecutor(): Executor {
  const state = initialState();
  return async (commands, at) => runBatch(state, commands, at);
}

export interface ThroughputRun {
  jobs: number;
  batches: number;
  /** Milliseconds spent in the workload's batches (setup excluded). */
  ms: number;
}

/**
 * Submit, schedule and complete jobs on one fifo pool holding the whole cluster (node
 * placement); every batch is one instant. In the `rolling` pattern the first `lag` batches fill
 * the cluster (3,000 jobs of 3.6 GPUs on average ask for 10,800 GPUs) and build a queue of a few
 * hundred jobs, which then persists, so the events are a realistic mix: submissions,
 * allocations, completions and waits. When every job is submitted, completion-only batches drain
 * what remains.
 */
export async function runThroughput(
  execute: Executor,
  o: ThroughputOptions = THROUGHPUT,
  clock: Clock = wallClock,
): Promise<ThroughputRun> {
  await execute(
    clusterCommands([{ name: POOL, nodes: o.nodes, gpusPerNode: o.gpusPerNode, gpuType: 'GPU' }], {
      policy: 'fifo',
      placement: 'node',
    }),
    0,
  );
  const r = rng(o.seed ?? 1);
  const running: string[] = []; // in allocation order
  let oldest = 0;
  let submitted = 0;
  let completed = 0;
  let at = 0;
  let batches = 0;
  const submit = (commands: Command[]) => {
    for (let i = 0; i < o.batchSize; i++) {
      commands.push({ type: 'SubmitJob', jobId: `j${submitted++}`, kind: 'training', owner: userOf(POOL), ...jobShape(r) });
    }
  };
  const complete = (commands: Command[], n: number) => {
    for (let i = 0; i < n; i++) commands.push({ type: 'ReportJobCompleted', jobId: running[oldest++] as string });
    completed += n;
  };
  const elapsed = clock();
  for (let b = 0; b < o.batches || completed < submitted; b++) {
    const steps: Command[][] = [];
    if (o.pattern === 'alternate') {
      if (b < o.batches) {
        steps.push([]);
        submit(steps[0] as Command[]);
      }
      steps.push([]); // completions, filled once the submissions are placed
    } else {
      const commands: Command[] = [];
      complete(commands, b < o.lag ? 0 : Math.min(o.batchSize, running.length - oldest));
      if (b < o.batches) submit(commands);
      steps.push(commands);
    }
    for (const commands of steps) {
      if (o.pattern === 'alternate' && commands.length === 0) complete(commands, running.length - oldest);
      if (commands.length === 0) continue;
      at += 1;
      const result = await execute(commands, at);
      batches++;
      for (const e of result.events) if (e.type === 'JobAllocated') running.push(e.jobId);
    }
    if (b >= o.batches && oldest === running.length) break; // nothing left running: the rest is stuck
  }
  const ms = elapsed();
  if (completed !== submitted) throw new Error(`throughput: ${submitted - completed} jobs never started`);
  return { jobs: completed, batches, ms };
}

/** The events of one throughput run through the engine (setup included), as the store holds them. */
export async function throughputEvents(): Promise<Event[]> {
  const { execute, engine, store } = await engineExecutor();
  await runThroughput(execute);
  const records = await store.read(engine.stream);
  return records.map((r) => r.data as Event);
}

// -- reschedule ----------------------------------------------------------------------------------

export interface RescheduleOptions {
  pools: number;
  nodesPerPool: number;
  gpusPerNode: number;
  /** Jobs waiting in each pool once it is full. */
  waitingPerPool: number;
  policy: Policy;
  seed?: number;
  /** Half the jobs (at random) expect a duration of 10 minutes to 4 hours; none does otherwise. */
  expectedDurations?: boolean;
  /**
   * The nodes alternate between zones a and b, and half the jobs (at random) may run only in one:
   * half of those by a node selector, half by a node affinity (`zone NotIn` the other).
   */
  nodeRules?: boolean;
}

export const RESCHEDULE: Omit<RescheduleOptions, 'policy'> = {
  pools: 100,
  nodesPerPool: 10,
  gpusPerNode: 8,
  waitingPerPool: 1_000,
};

/** The long queue, half its jobs kept to one zone of the pool's two. */
export const RESCHEDULE_LONG_ZONED: Omit<RescheduleOptions, 'policy'> = {
  pools: 1,
  nodesPerPool: 32,
  gpusPerNode: 8,
  waitingPerPool: 10_000,
  expectedDurations: true,
  nodeRules: true,
};

/** One pool with a long queue, as the forecast benchmark's. */
export const RESCHEDULE_LONG: Omit<RescheduleOptions, 'policy'> = {
  pools: 1,
  nodesPerPool: 32,
  gpusPerNode: 8,
  waitingPerPool: 10_000,
  expectedDurations: true,
};

export interface RescheduleSetup {
  state: State;
  /** Per pool index: its running jobs. */
  running: string[][];
  /** The time of the last batch. */
  at: number;
  waiting: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * `pools` pools of `nodesPerPool` nodes each, one group and one user per pool. Each pool is
 * filled with running jobs, then `waitingPerPool` more jobs queue behind them. Built with
 * `runBatch` on a bare state (no engine, no store): only the pass is measured afterwards.
 */
export function setupReschedule(o: RescheduleOptions): RescheduleSetup {
  const state = initialState();
  const r = rng(o.seed ?? 7);
  let at = 0;
  const batch = (commands: Command[]) => {
    const result = runBatch(state, commands, at++);
    const refused = result.outcomes.find((x) => !x.ok);
    if (refused && !refused.ok) throw new Error(`reschedule setup refused: ${refused.rejection.message}`);
    return result;
  };
  const setup: Command[] = [{ type: 'Install', userId: 'op', name: 'Operator' }];
  const P = String(o.pools - 1).length;
  const N = String(o.pools * o.nodesPerPool - 1).length;
  for (let n = 0; n < o.pools * o.nodesPerPool; n++) {
    setup.push({
      type: 'RegisterNode',
      nodeId: `n${pad(n, N)}`,
      devices: Array.from({ length: o.gpusPerNode }, (_, index) => ({ index, gpuType: 'A100' })),
      ...(o.nodeRules ? { labels: { zone: n % 2 === 0 ? 'a' : 'b' } } : {}),
    });
  }
  for (let p = 0; p < o.pools; p++) {
    const id = pad(p, P);
    setup.push(
      { type: 'CreatePool', poolId: `p${id}`, name: `pool-${id}`, gpuType: 'A100', policy: o.policy },
      {
        type: 'MovePoolDevices',
        toPoolId: `p${id}`,
        devices: Array.from({ length: o.nodesPerPool * o.gpusPerNode }, (_, k) => {
          const node = p * o.nodesPerPool + Math.floor(k / o.gpusPerNode);
          return `n${pad(node, N)}/${k % o.gpusPerNode}`;
        }),
      },
      { type: 'CreateGroup', groupId: `g${id}`, name: `group-${id}` },
      { type: 'AssignPool', groupId: `g${id}`, poolId: `p${id}` },
      { type: 'OnboardUser', userId: `u${id}`, name: `user-${id}`, role: 'data-scientist', groupId: `g${id}` },
    );
  }
  batch(setup);

  const running: string[][] = Array.from({ length: o.pools }, () => []);
  let seq = 0;
  let waiting = 0;
  for (let p = 0; p < o.pools; p++) {
    // Fill the pool: submit jobs until one waits, then queue the rest behind it.
    const id = pad(p, P);
    const submit = (): Command => {
      const jobId = `p${id}-j${seq++}`;
      const shape = jobShape(r);
      const command: Command = { type: 'SubmitJob', jobId, kind: 'training', owner: `u${id}`, ...shape };
      if (o.expectedDurations && r() < 0.5) command.expectedDuration = 600 + Math.floor(r() * 4 * 3600);
      if (o.nodeRules && r() < 0.5) {
        const [zone, other] = r() < 0.5 ? ['a', 'b'] : ['b', 'a'];
        if (r() < 0.5) command.nodeSelector = { zone: zone as string };
        else command.nodeAffinity = [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: [other as string] }] }];
      }
      return command;
    };
    let filled = false;
    while (!filled) {
      const result = batch([submit()]);
      for (const e of result.events) {
        if (e.type === 'JobAllocated') running[p]?.push(e.jobId);
        if (e.type === 'JobWaiting') filled = true;
      }
    }
    const queued: Command[] = [];
    for (let i = 1; i < o.waitingPerPool; i++) queued.push(submit());
    for (const e of batch(queued).events) if (e.type === 'JobAllocated') running[p]?.push(e.jobId);
    waiting += state.queues.get(`g${id}`)?.size ?? 0;
  }
  return { state, running, at, waiting };
}

export interface Release {
  /** Milliseconds `runBatch` took for one completion (decide, fold, the pass and its folds). */
  ms: number;
  started: number;
}

/**
 * Release one running job at a time, round the pools in a seeded order, and time each
 * `runBatch`. The jobs the pass starts join their pool's running jobs.
 */
export function runReleases(s: RescheduleSetup, releases: number, seed = 11, clock: Clock = wallClock): Release[] {
  const r = rng(seed);
  const out: Release[] = [];
  for (let k = 0; k < releases; k++) {
    const p = Math.floor(r() * s.running.length);
    const list = s.running[p] as string[];
    if (list.length === 0) continue;
    const i = Math.floor(r() * list.length);
    const jobId = list[i] as string;
    list[i] = list[list.length - 1] as string;
    list.pop();
    const command: Command = { type: 'ReportJobCompleted', jobId };
    s.at += 1;
    const elapsed = clock();
    const result = runBatch(s.state, [command], s.at);
    const ms = elapsed();
    let started = 0;
    for (const e of result.events) {
      if (e.type === 'JobAllocated') {
        list.push(e.jobId);
        started++;
      }
    }
    out.push({ ms, started });
  }
  return out;
}
