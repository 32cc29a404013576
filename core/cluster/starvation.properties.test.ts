/**
 * The starvation guarantee a pool's maximum wait promises, as a property: random workloads with
 * known durations on one pool under every policy, with random priorities, run to the end through
 * the core (completions reported exactly at each job's expected end).
 *
 * The bound: a job past the maximum wait at time T starts by T + (m + 1) x D, where D is the
 * longest expected duration and m the number of older jobs still waiting at T. The oldest job past
 * the wait reserves capacity that no later job may take, so it starts once the work running then
 * ends (at most D); each older job takes its turn first, at most D each.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { runBatch } from './batch.js';
import type { Command } from './commands.js';
import { initialState } from './evolve.js';
import { checkInvariants } from './invariants.js';
import { POLICIES, type Policy, type State } from './model.js';

const RUNS = Math.max(300, Number(process.env.PROPERTY_RUNS ?? 300));

interface Workload {
  nodes: number[];
  policy: Policy;
  maxWait: number;
  jobs: { arrival: number; gpus: number; duration: number; priority: number }[];
}

const workloadArb: fc.Arbitrary<Workload> = fc
  .record({
    nodes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 3 }),
    policy: fc.constantFrom(...POLICIES),
    maxWait: fc.integer({ min: 1, max: 200 }),
    jobs: fc.array(
      fc.record({
        arrival: fc.integer({ min: 0, max: 400 }),
        gpus: fc.integer({ min: 1, max: 8 }),
        duration: fc.integer({ min: 1, max: 100 }),
        priority: fc.integer({ min: 0, max: 3 }),
      }),
      { minLength: 1, maxLength: 40 },
    ),
  })
  .map((w) => {
    // Every job fits the largest node, so each could start once running work ended.
    const largest = Math.max(...w.nodes);
    return { ...w, jobs: w.jobs.map((j) => ({ ...j, gpus: Math.min(j.gpus, largest) })) };
  });

/** Run the workload to the end; returns each job's submission and start times. */
function simulate(w: Workload): { state: State; starts: Map<string, number> } {
  const state = initialState();
  const setup: Command[] = [
    { type: 'Install', userId: 'admin', name: 'Admin' },
    ...w.nodes.map(
      (n, i): Command => ({
        type: 'RegisterNode',
        nodeId: `n${i}`,
        devices: Array.from({ length: n }, (_, index) => ({ index, gpuType: 'A100' })),
      }),
    ),
    { type: 'ConfigurePool', poolId: 'default', policy: w.policy, maxWaitSeconds: w.maxWait },
  ];
  runBatch(state, setup, 0);
  const arrivals = new Map<number, Command[]>();
  w.jobs.forEach((j, i) => {
    const list = arrivals.get(j.arrival) ?? [];
    list.push({
      type: 'SubmitJob',
      jobId: `j${i}`,
      kind: 'training',
      owner: 'admin',
      gpus: j.gpus,
      expectedDuration: j.duration,
      priority: j.priority,
    });
    arrivals.set(j.arrival, list);
  });
  const ends = new Map<number, string[]>();
  const starts = new Map<string, number>();
  const times = new Set<number>(arrivals.keys());
  for (let guard = 0; times.size > 0; guard++) {
    if (guard > 10_000) throw new Error('the workload does not end');
    const at = Math.min(...times);
    times.delete(at);
    const commands: Command[] = [
      ...(ends.get(at) ?? []).map((jobId): Command => ({ type: 'ReportJobCompleted', jobId })),
      ...(arrivals.get(at) ?? []),
    ];
    const r = runBatch(state, commands, at);
    const refused = r.outcomes.find((o) => !o.ok);
    if (refused) throw new Error(`a command was refused: ${JSON.stringify(refused)}`);
    for (const e of r.events) {
      if (e.type !== 'JobAllocated') continue;
      starts.set(e.jobId, at);
      const end = at + (state.jobs.get(e.jobId)?.expectedDuration ?? 0);
      ends.set(end, [...(ends.get(end) ?? []), e.jobId]);
      times.add(end);
    }
    const broken = checkInvariants(state);
    if (broken.length > 0) throw new Error(broken.join('; '));
  }
  return { state, starts };
}

describe('the maximum wait (property)', () => {
  it('no job waits past the maximum wait longer than one longest duration per older job still waiting, plus one', () => {
    fc.assert(
      fc.property(workloadArb, (w) => {
        const { state, starts } = simulate(w);
        const longest = Math.max(...w.jobs.map((j) => j.duration));
        const jobs = [...state.jobs.values()];
        for (const job of jobs) {
          const start = starts.get(job.id);
          if (start === undefined) throw new Error(`${job.id} never started`);
          const deadline = job.submittedAt + w.maxWait;
          if (start <= deadline) continue;
          const olderWaiting = jobs.filter((k) => k.seq < job.seq && (starts.get(k.id) as number) >= deadline).length;
          const bound = deadline + (olderWaiting + 1) * longest;
          if (start > bound) {
            throw new Error(
              `${job.id} (submitted ${job.submittedAt}, ${job.gpus} GPUs, priority ${job.priority}) started at ${start}, past its bound ${bound} (${olderWaiting} older jobs waiting at its deadline ${deadline}, longest duration ${longest})`,
            );
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
