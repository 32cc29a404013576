/**
 * The scheduling pass stops walking a queue once no job left in it could start (scheduler/pass.ts,
 * Prospects), and passes over jobs that cannot start by their shape alone, going straight to the
 * next job that might (each shape keeps its jobs in queue order). None of it may change a
 * decision: with the early stop and without it (the full walk, `walkOptions.stopEarly = false`),
 * every batch must emit the same events in the same order, which includes the wait reasons stored
 * on the jobs the stopped walk no longer visits.
 *
 * Two sources of workloads: the core's random scenarios (every command, a small cluster), and long
 * queues on a busy cluster (many jobs of mixed shapes, with and without expected durations, on
 * node and count placement, the Default Pool's two GPU types, maximum waits, cordons and policy
 * changes), where the early stop and the skipping are what run. On those, each shape's jobs must be
 * the queue's jobs of that shape in order, and backfill's shadow must be the one found by walking
 * the releases in time order, for every waiting job as the head.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runBatch } from './batch.js';
import { capacityOf, type PoolTypeCapacity, typesInPool } from './capacity.js';
import type { Command } from './commands.js';
import { initialState } from './evolve.js';
import { checkInvariants } from './invariants.js';
import { holdsDevices, type JobState, PLACEMENTS, type PlacementMode, POLICIES, type Policy, type State } from './model.js';
import { shadowOf } from './scheduler/backfill.js';
import { fitsAsPoolStands, shapeFits } from './scheduler/fit.js';
import { walkOptions } from './scheduler/pass.js';
import { scenarioArb } from './test-support/arbitraries.js';

const RUNS = Math.max(200, Number(process.env.PROPERTY_RUNS ?? 200));
/** The long-queue workloads are cheap and find the rarer cases (a job ending exactly at a shadow time): more of them. */
const LONG_RUNS = 4 * RUNS;

afterEach(() => {
  walkOptions.stopEarly = true;
});

/** Run one batch with the early stop on or off. */
function batchWith(stopEarly: boolean, state: State, commands: readonly Command[], at: number): string {
  walkOptions.stopEarly = stopEarly;
  try {
    return JSON.stringify(runBatch(state, commands, at));
  } finally {
    walkOptions.stopEarly = true;
  }
}

/** What a queue's shape summaries must say: counted again from its entries. */
function summaryProblems(state: State): string[] {
  const problems: string[] = [];
  for (const [groupId, q] of state.queues) {
    const expected = new Map<string, { count: number; durations: number[] }>();
    for (const e of q.entries) {
      const job = state.jobs.get(e.id);
      if (!job) continue;
      const key = `${job.gpus}x${job.workers}`;
      const x = expected.get(key) ?? { count: 0, durations: [] };
      x.count++;
      if (job.expectedDuration !== null) x.durations.push(job.expectedDuration);
      expected.set(key, x);
      if (e.demand.gpus !== job.gpus || e.demand.workers !== job.workers) problems.push(`${e.id}: entry of another shape`);
    }
    // Each shape's entries, in the order kept, are the queue's entries of that shape in queue order.
    for (const d of q.demands()) {
      const kept = d.queued.map((e) => e.id).join();
      const inQueue = q.entries
        .filter((e) => e.demand === d)
        .map((e) => e.id)
        .join();
      if (kept !== inQueue)
        problems.push(`group ${groupId}: shape ${d.gpus}x${d.workers} keeps [${kept}], the queue has [${inQueue}]`);
    }
    const actual = new Map(
      q.demands().map((d) => [`${d.gpus}x${d.workers}`, { count: d.count, durations: [...d.durations] }] as const),
    );
    for (const x of expected.values()) x.durations.sort((a, b) => a - b);
    if (JSON.stringify([...expected].sort()) !== JSON.stringify([...actual].sort()))
      problems.push(`group ${groupId}: summaries ${JSON.stringify([...actual])}, entries say ${JSON.stringify([...expected])}`);
  }
  return problems;
}

/**
 * Backfill's shadow as it was first written: every release in time order, asking shapeFits at each
 * release time. shadowOf works it out without sorting every release; both must agree exactly.
 */
function shadowByReleases(state: State, cap: PoolTypeCapacity, mode: PlacementMode, head: JobState, now: number) {
  const end = (job: JobState | undefined) =>
    !job || job.expectedDuration === null || job.allocatedAt === null
      ? Number.POSITIVE_INFINITY
      : job.allocatedAt + job.expectedDuration;
  const freeAt = new Map<string, number>();
  const releases: { time: number; node: string }[] = [];
  for (const [node, free] of cap.nodes) {
    freeAt.set(node, free.length);
    for (const id of state.nodes.get(node)?.devices ?? []) {
      const d = state.devices.get(id);
      if (!d || d.pool !== cap.pool || d.gpuType !== cap.gpuType || d.holders.length === 0) continue;
      let time = now;
      for (const h of d.holders) time = Math.max(time, end(state.jobs.get(h)));
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

/** Where shadowOf and the shadow by releases disagree, for every waiting job of a walked queue as the head. */
function shadowProblems(state: State, now: number): string[] {
  const problems: string[] = [];
  for (const [groupId, q] of state.queues) {
    const poolId = state.groups.get(groupId)?.pool;
    const pool = poolId ? state.pools.get(poolId) : undefined;
    if (!pool) continue;
    for (const type of typesInPool(state, pool.id)) {
      const cap = capacityOf(state, pool.id, type);
      if (!cap) continue;
      for (const e of q.entries) {
        const head = state.jobs.get(e.id) as JobState;
        const show = (s: ReturnType<typeof shadowOf>) => JSON.stringify([s.time, [...s.freeAt], s.unreachable]);
        const a = show(shadowOf(state, cap, pool.placement, head, now));
        const b = show(shadowByReleases(state, cap, pool.placement, head, now));
        if (a !== b) problems.push(`${pool.id}/${type}, head ${head.id}: shadow ${a}, by releases ${b}`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Long queues on a busy cluster.

interface JobDraw {
  gpus: number;
  workers: 1 | 2;
  duration: number | null;
  priority: number;
  /** 0: the typed pool's group; 1: the Default Group (the Default Pool, two GPU types). */
  group: 0 | 1;
  gpuType: 'A100' | 'H100' | null;
  immediate: boolean;
}

interface Step {
  dt: number;
  submit: JobDraw[];
  /** Indexes (mod the running jobs) of jobs to complete. */
  complete: number[];
  op: { k: 'none' } | { k: 'cordon' | 'uncordon'; node: number } | { k: 'policy'; pool: 0 | 1; policy: Policy } | { k: 'tick' };
}

interface Workload {
  nodes: { size: number; h100: boolean }[];
  typedCount: number;
  pools: { policy: Policy; placement: PlacementMode; maxWait: number | null }[];
  steps: Step[];
}

const jobArb: fc.Arbitrary<JobDraw> = fc.record({
  gpus: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 12, 16) }),
  workers: fc.constantFrom(1 as const, 1 as const, 2 as const),
  // Round durations and steps often, so that a job ends exactly at a reservation's shadow time.
  duration: fc.option(
    fc.oneof(
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 120 }) },
      { weight: 3, arbitrary: fc.constantFrom(10, 20, 30, 60) },
    ),
    { nil: null, freq: 2 },
  ),
  priority: fc.integer({ min: 0, max: 2 }),
  group: fc.constantFrom(0 as const, 1 as const),
  gpuType: fc.constantFrom(null, null, 'A100' as const, 'H100' as const),
  // One job in twenty: immediate jobs are placed before the walk, sharing devices if they must.
  immediate: fc.integer({ min: 0, max: 19 }).map((r) => r === 0),
});

const stepArb: fc.Arbitrary<Step> = fc.record({
  dt: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }) }, { weight: 3, arbitrary: fc.constantFrom(10, 20, 30) }),
  submit: fc.array(jobArb, { maxLength: 12 }),
  complete: fc.array(fc.nat(), { maxLength: 6 }),
  op: fc.oneof(
    { weight: 6, arbitrary: fc.constant({ k: 'none' as const }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constantFrom('cordon' as const, 'uncordon' as const), node: fc.nat() }) },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('policy' as const),
        pool: fc.constantFrom(0 as const, 1 as const),
        policy: fc.constantFrom(...POLICIES),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ k: 'tick' as const }) },
  ),
});

const workloadArb: fc.Arbitrary<Workload> = fc.record({
  nodes: fc.array(fc.record({ size: fc.integer({ min: 1, max: 8 }), h100: fc.boolean() }), { minLength: 1, maxLength: 6 }),
  typedCount: fc.integer({ min: 0, max: 16 }),
  pools: fc.tuple(
    ...[0, 1].map(() =>
      fc.record({
        // Backfill most: its reservations are where the early stop has the most to get right.
        policy: fc.constantFrom(...POLICIES, 'backfill' as const, 'backfill' as const),
        placement: fc.constantFrom(...PLACEMENTS),
        maxWait: fc.option(fc.integer({ min: 1, max: 200 }), { nil: null }),
      }),
    ),
  ),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 40 }),
});

function setup(w: Workload): Command[] {
  const a100 = w.nodes.filter((n) => !n.h100).reduce((s, n) => s + n.size, 0);
  const [typed, fallback] = w.pools as [Workload['pools'][0], Workload['pools'][0]];
  const commands: Command[] = [
    { type: 'Install', userId: 'admin', name: 'Admin' },
    ...w.nodes.map(
      (n, i): Command => ({
        type: 'RegisterNode',
        nodeId: `n${i}`,
        devices: Array.from({ length: n.size }, (_, index) => ({ index, gpuType: n.h100 ? 'H100' : 'A100' })),
      }),
    ),
    {
      type: 'ConfigurePool',
      poolId: 'default',
      policy: fallback.policy,
      placement: fallback.placement,
      maxWaitSeconds: fallback.maxWait,
    },
    {
      type: 'CreatePool',
      poolId: 'p',
      name: 'p',
      gpuType: 'A100',
      policy: typed.policy,
      placement: typed.placement,
      ...(typed.maxWait === null ? {} : { maxWaitSeconds: typed.maxWait }),
    },
    { type: 'CreateGroup', groupId: 'g', name: 'g' },
    { type: 'AssignPool', groupId: 'g', poolId: 'p' },
    { type: 'OnboardUser', userId: 'u', name: 'u', role: 'data-scientist', groupId: 'g' },
  ];
  const count = Math.min(w.typedCount, a100);
  if (count > 0) commands.push({ type: 'AllocateGPUs', poolId: 'p', count });
  return commands;
}

function stepCommands(w: Workload, step: Step, k: number, state: State): Command[] {
  const commands: Command[] = [];
  const running = [...state.jobs.values()].filter((j) => holdsDevices(j.status)).map((j) => j.id);
  const done = new Set<string>();
  for (const c of step.complete) {
    const id = running[c % Math.max(1, running.length)];
    if (id === undefined || done.has(id)) continue;
    done.add(id);
    commands.push({ type: 'ReportJobCompleted', jobId: id });
  }
  step.submit.forEach((j, n) => {
    const workers = j.gpus % j.workers === 0 && j.gpus > 0 ? j.workers : 1;
    commands.push({
      type: 'SubmitJob',
      jobId: `j${k}-${n}`,
      kind: 'training',
      owner: j.group === 0 ? 'u' : 'admin',
      gpus: j.gpus,
      workers,
      priority: j.priority,
      ...(j.duration === null ? {} : { expectedDuration: j.duration }),
      ...(j.group === 1 && j.gpuType !== null ? { gpuType: j.gpuType } : {}),
      ...(j.immediate ? { immediate: true } : {}),
    });
  });
  const op = step.op;
  if (op.k === 'cordon') commands.push({ type: 'CordonNode', nodeId: `n${op.node % w.nodes.length}` });
  if (op.k === 'uncordon') commands.push({ type: 'UncordonNode', nodeId: `n${op.node % w.nodes.length}` });
  if (op.k === 'policy') commands.push({ type: 'ConfigurePool', poolId: op.pool === 0 ? 'p' : 'default', policy: op.policy });
  if (op.k === 'tick' && commands.length === 0) commands.push({ type: 'Tick' });
  return commands;
}

describe('the walk stops early without changing a decision (property)', () => {
  it('random scenarios: the same events, batch by batch, with and without the early stop', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const early = initialState();
        const full = initialState();
        scenario.batches.forEach((b, i) => {
          const a = batchWith(true, early, b.commands, b.at);
          const f = batchWith(false, full, b.commands, b.at);
          if (a !== f) throw new Error(`batch ${i}: the early stop changed the events\nearly: ${a}\nfull:  ${f}`);
        });
        expect(summaryProblems(early)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('long queues on a busy cluster, every policy and placement: the same events, batch by batch', () => {
    fc.assert(
      fc.property(workloadArb, (w) => {
        const early = initialState();
        const full = initialState();
        let at = 0;
        const commands = setup(w);
        expect(batchWith(true, early, commands, at)).toEqual(batchWith(false, full, commands, at));
        w.steps.forEach((step, k) => {
          at += step.dt;
          const batch = stepCommands(w, step, k, early);
          const a = batchWith(true, early, batch, at);
          const f = batchWith(false, full, batch, at);
          if (a !== f) throw new Error(`step ${k}: the early stop changed the events\nearly: ${a}\nfull:  ${f}`);
          const problems = [...summaryProblems(early), ...checkInvariants(early), ...shadowProblems(early, at)];
          if (problems.length > 0) throw new Error(`step ${k}: ${problems.join('; ')}`);
        });
      }),
      { numRuns: LONG_RUNS },
    );
  });
});
