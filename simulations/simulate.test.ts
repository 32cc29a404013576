/**
 * The simulation runner over the real engine: the Tiresias sample through `runSimulateCommand`,
 * a property against an independent reference simulator (fifo and sjf, count placement),
 * multi-pool traces, node placement, rejections, determinism, the event log, several policies,
 * and the report.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { findJob, jobPage } from '../core/cluster/job-archive.js';
import { MemoryJobArchive } from '../core/cluster/memory-archive.js';
import type { NewEvent } from '../core/ports.js';
import { CLUSTER_STREAM, createEngine } from '../engine/engine.js';
import { clusterCommands, groupOf, type PoolSpec, userOf } from './cluster.js';
import { runSimulateCommand } from './command.js';
import { InputError, parseCsv } from './csv.js';
import { type JobRecord, simulate } from './simulate.js';
import { jobsCsv, summarize } from './summary.js';
import { TIRESIAS_TRACE, tiresiasSample } from './test-support/tiresias.js';
import { type TraceJob, traceJob } from './traces.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const fresh = (name: string) => join(dir, `${name}-${n++}`);
function writeText(name: string, text: string): string {
  const path = fresh(name);
  writeFileSync(path, text);
  return path;
}

const fixture = (name: string) => new URL(`./fixtures/tiresias-60/${name}`, import.meta.url).pathname;

const pool = (name: string, nodes: number, gpusPerNode: number, gpuType = 'GPU'): PoolSpec => ({
  name,
  nodes,
  gpusPerNode,
  gpuType,
});

function job(id: string, gpus: number, submit: number, duration: number, extra: Partial<TraceJob> = {}): TraceJob {
  return traceJob({ id, gpus, submit, duration, ...extra });
}

/** A written CSV as records keyed by header. */
function records(path: string): Record<string, string>[] {
  const t = parseCsv(path, readFileSync(path, 'utf8'));
  return t.rows.map((r) => Object.fromEntries(t.header.map((h, i) => [h, r.values[i] ?? ''])));
}

const quiet = { progress: 'none' as const, log: () => {} };

describe('the Tiresias 60-job sample through runSimulateCommand (fifo, count placement, 2 x 8 GPUs)', async () => {
  const out = fresh('tiresias-out');
  const cluster = writeText('cluster.csv', 'pool,nodes,gpus_per_node\nmain,2,8\n');
  const { summaries } = await runSimulateCommand({ ...tiresiasSample(cluster), policies: ['fifo'], out, ...quiet });
  const written = records(join(out, 'jobs.csv'));
  const expected = records(fixture('expected-fifo-16gpu.csv'));

  it('writes every job of the trace', () => {
    expect(written).toHaveLength(60);
    expect(new Set(written.map((r) => r.job_id))).toEqual(new Set(expected.map((r) => r.job_id)));
  });

  it.each(expected.map((row) => [row.job_id as string, row] as const))(
    'job %s starts and ends as in the Tiresias simulator',
    (id, row) => {
      const w = written.find((r) => r.job_id === id);
      expect(w).toBeDefined();
      expect({ submit: w?.submit_time, start: w?.start_time, end: w?.end_time, gpus: w?.gpus, status: w?.status }).toEqual({
        submit: row.submit_time,
        start: row.start_time,
        end: row.end_time,
        gpus: row.num_gpu,
        status: 'Complete',
      });
    },
  );

  it("summarizes to the simulator's averages: JCT 200.82 s, wait 22.40 s", () => {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.overall.avgJct).toBe(200.82);
    expect(summary.overall.avgWait).toBe(22.4);
    expect(summary.overall).toMatchObject({ jobs: 60, completed: 60, rejected: 0, gpus: 16 });
    expect(summary.pools.main.avgJct).toBe(200.82);
    expect(summaries[0]?.overall.avgJct).toBe(200.82);
  });

  it('writes report.html', () => {
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });
});

// ---------------------------------------------------------------------------------------------
// The reference: a plain trace simulator, written from the semantics in
// fixtures/tiresias-60/README.md and nothing else.

interface RefJob {
  readonly id: string;
  readonly gpus: number;
  readonly submit: number;
  readonly duration: number;
}

/** A binary min-heap of running jobs keyed by end time. */
class EndHeap {
  private readonly items: { end: number; gpus: number }[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): { end: number; gpus: number } | undefined {
    return this.items[0];
  }
  push(item: { end: number; gpus: number }): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as { end: number }).end <= (a[i] as { end: number }).end) break;
      [a[parent], a[i]] = [a[i] as { end: number; gpus: number }, a[parent] as { end: number; gpus: number }];
      i = parent;
    }
  }
  pop(): { end: number; gpus: number } {
    const a = this.items;
    const top = a[0] as { end: number; gpus: number };
    const last = a.pop() as { end: number; gpus: number };
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && (a[l] as { end: number }).end < (a[m] as { end: number }).end) m = l;
        if (r < a.length && (a[r] as { end: number }).end < (a[m] as { end: number }).end) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i] as { end: number; gpus: number }, a[m] as { end: number; gpus: number }];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Jobs in trace order on `capacity` GPUs (counts only). Returns each job's start and end.
 * At each instant: release every job ending then, enqueue every job submitted then (trace order),
 * then one pass over the queue that starts jobs while the head fits and stops at the first that
 * does not. fifo keeps the queue in submission order; sjf orders it by duration, ties by
 * submission order (for a trace listed by submission time, that is trace order).
 */
function reference(
  jobs: readonly RefJob[],
  capacity: number,
  policy: 'fifo' | 'sjf',
): Map<string, { start: number; end: number }> {
  // Submission order: by submission time, ties in trace order. `order` is the position in it.
  const arrivals = jobs
    .map((j, i) => ({ ...j, i }))
    .sort((a, b) => a.submit - b.submit || a.i - b.i)
    .map((j, order) => ({ id: j.id, gpus: j.gpus, submit: j.submit, duration: j.duration, order }));
  const result = new Map<string, { start: number; end: number }>();
  const running = new EndHeap();
  let queue: (RefJob & { order: number })[] = [];
  let free = capacity;
  let next = 0;
  while (next < arrivals.length || running.size > 0) {
    const nextArrival = next < arrivals.length ? (arrivals[next] as RefJob).submit : Number.POSITIVE_INFINITY;
    const nextEnd = running.size > 0 ? (running.peek() as { end: number }).end : Number.POSITIVE_INFINITY;
    const now = Math.min(nextArrival, nextEnd);
    while (running.size > 0 && (running.peek() as { end: number }).end === now) free += running.pop().gpus;
    while (next < arrivals.length && (arrivals[next] as RefJob).submit === now)
      queue.push(arrivals[next++] as RefJob & { order: number });
    if (policy === 'sjf') queue.sort((a, b) => a.duration - b.duration || a.order - b.order);
    let started = 0;
    while (started < queue.length && (queue[started] as RefJob).gpus <= free) {
      const j = queue[started++] as RefJob;
      free -= j.gpus;
      result.set(j.id, { start: now, end: now + j.duration });
      running.push({ end: now + j.duration, gpus: j.gpus });
    }
    queue = queue.slice(started);
  }
  return result;
}

describe('the engine agrees with an independent reference simulator (count placement)', () => {
  it('the reference itself reproduces the Tiresias sample', () => {
    const t = parseCsv('trace.csv', readFileSync(TIRESIAS_TRACE, 'utf8'));
    const jobs = t.rows.map((r) => ({
      id: r.string('job_id'),
      gpus: r.number('num_gpu'),
      submit: r.number('submit_time'),
      duration: r.number('duration'),
    }));
    const ref = reference(jobs, 16, 'fifo');
    for (const row of records(fixture('expected-fifo-16gpu.csv'))) {
      expect(ref.get(row.job_id as string)).toEqual({ start: Number(row.start_time), end: Number(row.end_time) });
    }
  });

  it('the reference orders sjf by duration, ties by trace order, and blocks at the head', () => {
    // 2 GPUs. t=0: a(2, 10) starts. t=1: b(2, 5), c(1, 5), d(1, 3) wait. At t=10 sjf orders
    // d(3), b(5), c(5): d starts (1 free left), b does not fit and blocks c.
    const ref = reference(
      [
        { id: 'a', gpus: 2, submit: 0, duration: 10 },
        { id: 'b', gpus: 2, submit: 1, duration: 5 },
        { id: 'c', gpus: 1, submit: 1, duration: 5 },
        { id: 'd', gpus: 1, submit: 1, duration: 3 },
      ],
      2,
      'sjf',
    );
    expect(Object.fromEntries(ref)).toEqual({
      a: { start: 0, end: 10 },
      d: { start: 10, end: 13 },
      b: { start: 13, end: 18 },
      c: { start: 18, end: 23 },
    });
  });

  const scenario = fc
    .record({ nodes: fc.integer({ min: 1, max: 3 }), gpusPerNode: fc.integer({ min: 1, max: 8 }) })
    .chain((cluster) =>
      fc.record({
        cluster: fc.constant(cluster),
        jobs: fc.array(
          fc.record({
            gpus: fc.integer({ min: 1, max: cluster.nodes * cluster.gpusPerNode }),
            // A narrow range of submission times, so that many jobs share an instant.
            submit: fc.integer({ min: 0, max: 40 }),
            duration: fc.integer({ min: 1, max: 25 }),
          }),
          { minLength: 1, maxLength: 50 },
        ),
      }),
    );

  it('fifo and sjf start and end every job exactly when the reference does', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ cluster, jobs }) => {
        const capacity = cluster.nodes * cluster.gpusPerNode;
        // Trace order as generated (not sorted: the runner must order by submission itself).
        const trace = jobs.map((j, i) => job(`j${i}`, j.gpus, j.submit, j.duration));
        const pools = [pool('p', cluster.nodes, cluster.gpusPerNode)];
        for (const policy of ['fifo', 'sjf'] as const) {
          const result = await simulate({ pools, trace, policy, placement: 'count' });
          const ref = reference(trace, capacity, policy);
          for (const j of result.jobs) {
            expect({ id: j.id, start: j.start, end: j.end, status: j.status }).toEqual({
              id: j.id,
              ...ref.get(j.id),
              status: 'Complete',
            });
          }
          expect(result.jobs).toHaveLength(trace.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('simulate', () => {
  it("keeps the longest queue of each pool and of all pools together, as the jobs' own times say", async () => {
    /** How many of these jobs wait after instant t: submitted by then, not started by then, not refused. */
    const waitingAt = (jobs: readonly JobRecord[], t: number) =>
      jobs.filter(
        (j) => j.status !== 'Rejected' && j.submit <= t && (j.start === null ? j.end === null || j.end > t : j.start > t),
      ).length;
    const longest = (jobs: readonly JobRecord[]) => {
      const instants = new Set(jobs.flatMap((j) => [j.submit, j.start ?? j.submit, j.end ?? j.submit]));
      return Math.max(0, ...[...instants].map((t) => waitingAt(jobs, t)));
    };
    const pools = [pool('a', 1, 4), pool('b', 2, 2), pool('c', 1, 8)];
    const trace = fc.array(
      fc.record({
        pool: fc.constantFrom('a', 'b', 'c'),
        gpus: fc.integer({ min: 1, max: 4 }),
        submit: fc.integer({ min: 0, max: 30 }),
        duration: fc.integer({ min: 1, max: 20 }),
      }),
      { minLength: 1, maxLength: 40 },
    );
    await fc.assert(
      fc.asyncProperty(trace, fc.constantFrom('fifo', 'first-fit'), async (jobs, policy) => {
        const result = await simulate({
          pools,
          trace: jobs.map((j, i) => job(`j${i}`, j.gpus, j.submit, j.duration, { pool: j.pool })),
          policy,
          placement: 'node',
        });
        expect(result.longestQueue).toBe(longest(result.jobs));
        for (const s of result.series) expect(s.longestQueue).toBe(longest(result.jobs.filter((j) => j.pool === s.pool)));
      }),
      { numRuns: 150 },
    );
  });

  it('orders an unsorted trace by submission time, ties in trace order', async () => {
    const pools = [pool('p', 1, 4)];
    const unsorted = [job('late', 4, 10, 5), job('first', 4, 0, 5), job('tie1', 4, 3, 1), job('tie2', 4, 3, 1)];
    const result = await simulate({ pools, trace: unsorted, policy: 'fifo', placement: 'count' });
    expect(result.jobs.map((j) => [j.id, j.start, j.end])).toEqual([
      ['late', 10, 15],
      ['first', 0, 5],
      ['tie1', 5, 6],
      ['tie2', 6, 7],
    ]);
  });

  it('with a launch delay, a job holds its GPUs from allocation to the end of its run; no time runs early', async () => {
    const pools = [pool('p', 1, 4)];
    const trace = [job('a', 4, 0, 10), job('b', 4, 3, 10), job('c', 2, 4, 1)];
    const result = await simulate({
      pools,
      trace,
      policy: 'fifo',
      placement: 'count',
      launchDelay: 5,
      archive: new MemoryJobArchive(),
    });
    expect(result.jobs.map((j) => [j.id, j.submit, j.start, j.end, j.status])).toEqual([
      ['a', 0, 0, 15, 'Complete'],
      ['b', 3, 15, 30, 'Complete'],
      ['c', 4, 30, 36, 'Complete'],
    ]);
    expect(result.engine.job('b')?.submittedAt).toBe(3);
    expect(result.engine.job('c')?.submittedAt).toBe(4);
    expect(result.engine.job('a')?.history.map((h) => `${h.status}@${h.at}`)).toEqual([
      'Queued@0',
      'Starting@0',
      'Training@5',
      'Complete@15',
    ]);
  });

  it("a trace of the library's that reuses a job id: the engine refuses the second, the first runs as its own record says", async () => {
    // The trace readers refuse a reused id; a caller's own trace may still hold one. The refused
    // record is the second, and the one that runs keeps its own duration (not the other's).
    const pools = [pool('p', 1, 4)];
    const trace = [job('a', 2, 0, 10), job('b', 2, 1, 4), job('a', 2, 2, 99)];
    const result = await simulate({ pools, trace, policy: 'fifo', placement: 'count' });
    expect(result.jobs.map((j) => [j.id, j.start, j.end, j.status])).toEqual([
      ['a', 0, 10, 'Complete'],
      ['b', 1, 5, 'Complete'],
      ['a', null, null, 'Rejected'],
    ]);
    expect(result.jobs[2]?.rejection).toContain("'a'");
  });

  it("each job's status is the engine's, completed or failed (it comes with the event that ends the job)", async () => {
    const pools = [pool('p', 1, 4)];
    const trace = Array.from({ length: 40 }, (_, i) => job(`j${i}`, 1 + (i % 4), i * 3, 5 + (i % 7)));
    const result = await simulate({ pools, trace, policy: 'fifo', placement: 'count', failureRate: 0.5, seed: 3 });
    const state = result.engine.current;
    expect(new Set(result.jobs.map((j) => j.status))).toEqual(new Set(['Complete', 'Error']));
    for (const j of result.jobs) {
      const engineSays = state.finished.get(j.id) ?? state.jobs.get(j.id)?.status;
      expect(j.status, j.id).toBe(engineSays);
    }
  });

  it('a CPU-only job (0 GPUs) starts at once, even behind a blocked head', async () => {
    const pools = [pool('p', 1, 4)];
    const trace = [job('full', 4, 0, 10), job('blocked', 4, 1, 5), job('cpu', 0, 2, 3)];
    for (const policy of ['fifo', 'sjf'] as const) {
      const result = await simulate({ pools, trace, policy, placement: 'node' });
      expect(result.jobs.map((j) => [j.id, j.start, j.end, j.status])).toEqual([
        ['full', 0, 10, 'Complete'],
        ['blocked', 10, 15, 'Complete'],
        ['cpu', 2, 5, 'Complete'],
      ]);
    }
  });

  it('wakes up at a maximum-wait deadline with no other event: the starving job starts then, not at the next completion', async () => {
    // x ends at 5 and frees 2 GPUs; sjf puts the short, wide h before the older s, which fits
    // but waits behind it. At s's deadline (61) nothing else happens: only a wake-up starts it.
    const pools = [pool('p', 1, 4)];
    const trace = [job('r', 2, 0, 1000), job('x', 2, 0, 5), job('s', 2, 1, 500), job('h', 4, 2, 10)];
    const result = await simulate({ pools, trace, policy: 'sjf', placement: 'node', maxWaitSeconds: 60 });
    expect(result.jobs.map((j) => [j.id, j.start])).toEqual([
      ['r', 0],
      ['x', 0],
      ['s', 61],
      ['h', 1000],
    ]);
  });

  describe('multi-pool traces', () => {
    const pools = [pool('small', 1, 4, 'V100'), pool('103959', 2, 8, 'A100')];
    const trace = [
      job('a', 4, 0, 10, { pool: 'small' }),
      job('b', 16, 0, 10, { pool: '103959' }),
      job('c', 2, 1, 5, { pool: 'small' }),
      job('d', 8, 2, 5, { pool: '103959' }),
    ];

    it("runs each job in its pool, for its pool's group; pools schedule independently", async () => {
      const result = await simulate({ pools, trace, policy: 'fifo', placement: 'node', archive: new MemoryJobArchive() });
      for (const j of result.jobs) {
        const expectedPool = trace.find((t) => t.id === j.id)?.pool as string;
        expect(j.pool).toBe(expectedPool);
        expect(result.engine.job(j.id)).toMatchObject({
          owner: userOf(expectedPool),
          group: groupOf(expectedPool),
          status: 'Complete',
        });
        expect(result.engine.job(j.id)?.allocation?.pool).toBe(expectedPool);
      }
      expect(result.jobs.map((j) => [j.id, j.start, j.end])).toEqual([
        ['a', 0, 10],
        ['b', 0, 10],
        ['c', 10, 15],
        ['d', 10, 15],
      ]);
      const summary = summarize(result);
      // (A JS object lists integer-like keys such as '103959' first: compare as a set.)
      expect(new Set(Object.keys(summary.pools))).toEqual(new Set(['small', '103959']));
      expect(summary.pools.small).toMatchObject({ jobs: 2, completed: 2, gpus: 4 });
      expect(summary.pools['103959']).toMatchObject({ jobs: 2, completed: 2, gpus: 16 });
      expect(summary.overall).toMatchObject({ jobs: 4, completed: 4, gpus: 20 });
    });

    it('a job naming a pool the cluster does not have is a clear error', async () => {
      const bad = [...trace, job('e', 1, 3, 1, { pool: 'gpu-farm' })];
      await expect(simulate({ pools, trace: bad, policy: 'fifo', placement: 'node' })).rejects.toThrow(
        new InputError("job 'e' runs in pool 'gpu-farm', which the cluster file does not have (pools: small, 103959)"),
      );
    });

    it('a job naming no pool on a cluster of several is a clear error', async () => {
      await expect(simulate({ pools, trace: [job('x', 1, 0, 1)], policy: 'fifo', placement: 'node' })).rejects.toThrow(
        new InputError("job 'x' names no pool and the cluster has 2 (small, 103959)"),
      );
    });

    it('a cluster the engine cannot build is a clear error', async () => {
      await expect(simulate({ pools: [pool('default', 1, 4)], trace: [], policy: 'fifo', placement: 'node' })).rejects.toThrow(
        /^the cluster could not be built: pool 'default' already exists$/,
      );
    });
  });

  describe('node placement', () => {
    const pools = [pool('p', 3, 4)];

    it('shapes a job larger than a node into workers of equal size, each on its own node', async () => {
      const trace = [
        job('eight', 8, 0, 10),
        job('six', 6, 10, 10),
        job('twelve', 12, 20, 10),
        job('four', 4, 30, 10),
        job('given', 4, 40, 10, { workers: 2 }),
      ];
      const result = await simulate({ pools, trace, policy: 'fifo', placement: 'node', archive: new MemoryJobArchive() });
      const shape = (id: string) => {
        const j = result.engine.job(id);
        return {
          workers: j?.workers,
          nodes: new Set(j?.allocation?.nodes).size,
          devices: j?.allocation?.devices.length,
          status: j?.status,
        };
      };
      expect(shape('eight')).toEqual({ workers: 2, nodes: 2, devices: 8, status: 'Complete' });
      expect(shape('six')).toEqual({ workers: 2, nodes: 2, devices: 6, status: 'Complete' });
      expect(shape('twelve')).toEqual({ workers: 3, nodes: 3, devices: 12, status: 'Complete' });
      expect(shape('four')).toEqual({ workers: 1, nodes: 1, devices: 4, status: 'Complete' });
      // A trace's own worker count is kept.
      expect(shape('given')).toEqual({ workers: 2, nodes: 2, devices: 4, status: 'Complete' });
    });

    it('count placement keeps one worker whatever the size', async () => {
      const result = await simulate({
        pools,
        trace: [job('eight', 8, 0, 10)],
        policy: 'fifo',
        placement: 'count',
        archive: new MemoryJobArchive(),
      });
      expect(result.engine.job('eight')).toMatchObject({ workers: 1, status: 'Complete' });
    });
  });

  describe('a job that can never fit', () => {
    const pools = [pool('p', 2, 4)];

    /** What the engine itself says to this submission on a fresh cluster. */
    async function engineSays(placement: 'node' | 'count', gpus: number, workers: number): Promise<string> {
      const engine = await createEngine({ store: new InMemoryEventStore(), clock: { now: () => 0 } });
      await engine.executeBatch(clusterCommands(pools, { policy: 'fifo', placement }), { at: 0 });
      const outcome = await engine.execute({
        type: 'SubmitJob',
        jobId: 'probe',
        kind: 'training',
        owner: userOf('p'),
        gpus,
        workers,
        priority: 0,
        expectedDuration: 5,
      });
      if (outcome.ok) throw new Error('the engine accepted the probe');
      return outcome.rejection.message;
    }

    it.each([
      ['count', 9, 1],
      ['node', 9, 9],
      ['node', 12, 3],
    ] as const)(
      "%s placement, %i GPUs: Rejected with the engine's message, and the rest runs",
      async (placement, gpus, workers) => {
        const trace = [job('ok1', 4, 0, 5), job('huge', gpus, 1, 5), job('ok2', 4, 2, 5)];
        const result = await simulate({ pools, trace, policy: 'fifo', placement });
        const huge = result.jobs.find((j) => j.id === 'huge');
        expect(huge).toMatchObject({ status: 'Rejected', start: null, end: null });
        expect(huge?.rejection).toBe(await engineSays(placement, gpus, workers));
        expect(huge?.rejection).not.toBe('');
        expect(result.jobs.filter((j) => j.id !== 'huge').every((j) => j.status === 'Complete')).toBe(true);
        expect(result.jobs.find((j) => j.id === 'ok2')?.start).toBe(2);
        const row = (parse(jobsCsv(result.jobs)) as string[][]).find((r) => r[0] === 'huge');
        expect(row).toEqual(['huge', 'p', String(gpus), '1', '5', '', '', 'Rejected', huge?.rejection]);
        expect(summarize(result).overall).toMatchObject({ jobs: 3, completed: 2, rejected: 1 });
      },
    );
  });
});

describe('determinism', () => {
  const cluster = () => writeText('cluster.csv', 'pool,nodes,gpus_per_node\nmain,2,8\n');

  it('the same inputs and seed give byte-identical jobs.csv, summary and events file', async () => {
    const c = cluster();
    const run = async () => {
      const out = fresh('det');
      await runSimulateCommand({
        ...tiresiasSample(c),
        policies: ['backfill'],
        placement: 'node',
        seed: 42,
        events: join(out, 'events.jsonl'),
        out,
        ...quiet,
      });
      return ['jobs.csv', 'summary.json', 'events.jsonl'].map((f) => readFileSync(join(out, f), 'utf8'));
    };
    const [a, b] = [await run(), await run()];
    expect(b).toEqual(a);
    expect(a[2]?.split('\n').length).toBeGreaterThan(200);
  });

  it('random failures and launch jitter repeat under a seed and change with it', async () => {
    const pools = [pool('p', 2, 4)];
    const trace = Array.from({ length: 40 }, (_, i) => job(`j${i}`, 1 + (i % 4), i * 3, 20 + (i % 7)));
    const run = async (seed: number) => {
      const lines: string[] = [];
      const result = await simulate({
        pools,
        trace,
        policy: 'first-fit',
        placement: 'node',
        seed,
        launchJitter: 5,
        failureRate: 0.3,
        log: { kind: 'sink', sink: (_s, events) => lines.push(...events.map((e) => JSON.stringify(e.data))) },
      });
      return { csv: jobsCsv(result.jobs), log: lines.join('\n'), statuses: result.jobs.map((j) => j.status) };
    };
    const a = await run(9);
    expect(await run(9)).toEqual(a);
    expect(a.statuses).toContain('Error');
    expect(a.statuses).toContain('Complete');
    const b = await run(10);
    expect(b.log).not.toBe(a.log);
  });
});

describe('--events: the JSON-lines log', async () => {
  const out = fresh('events');
  const eventsFile = join(out, 'events.jsonl');
  const cluster = writeText('cluster.csv', 'pool,nodes,gpus_per_node\nmain,2,8\nside,1,2\n');
  const trace = writeText(
    'trace.csv',
    [
      'job_id,pool,gpus,submit_time,duration',
      'a,main,8,0,30',
      'b,main,16,5,20',
      'c,side,2,5,10',
      'd,side,3,6,10',
      'e,side,1,7,0',
      'f,main,4,8,15',
    ].join('\n'),
  );
  const { results } = await runSimulateCommand({
    trace,
    format: 'gpupool',
    cluster,
    policies: ['fifo'],
    placement: 'node',
    capacityScale: 1,
    seed: 1,
    events: eventsFile,
    out,
    ...quiet,
  });
  const result = results[0];
  const lines = readFileSync(eventsFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

  async function loaded() {
    const store = new InMemoryEventStore();
    const events: NewEvent[] = lines.map((line, i) => {
      const data = JSON.parse(line) as { type: string };
      return { id: `e${i}`, type: data.type, data };
    });
    for (const e of events) {
      const r = await store.append(CLUSTER_STREAM, [e], 'any');
      expect(r.ok).toBe(true);
    }
    return createEngine({ store, clock: { now: () => 0 } });
  }

  it('holds one JSON event per line, ending with the last instant', () => {
    expect(lines.length).toBeGreaterThan(20);
    const first = JSON.parse(lines[0] as string);
    expect(first).toMatchObject({ type: 'Installed', at: 0 });
    expect(result?.jobs.find((j) => j.id === 'd')?.status).toBe('Rejected');
  });

  it('loads back into an engine whose jobs have the statuses the simulation reported', async () => {
    const engine = await loaded();
    expect(engine.revision).toBe(lines.length - 1);
    for (const j of result?.jobs ?? []) {
      if (j.status === 'Rejected') expect(engine.job(j.id)).toBeUndefined();
      else expect(engine.job(j.id)?.status, j.id).toBe(j.status);
    }
    expect(
      engine
        .jobs()
        .map((j) => j.id)
        .sort(),
    ).toEqual(['a', 'b', 'c', 'e', 'f']);
    expect(engine.pool('main')?.total).toBe(16);
    // Times come back too: b waited for a.
    expect(engine.job('b')?.allocatedAt).toBe(result?.jobs.find((j) => j.id === 'b')?.start);
  });

  it('supports time travel with stateAt', async () => {
    const engine = await loaded();
    const allocatedB = lines.findIndex((l) => {
      const e = JSON.parse(l);
      return e.type === 'JobAllocated' && e.jobId === 'b';
    });
    expect(allocatedB).toBeGreaterThan(0);
    const before = await engine.stateAt(allocatedB - 1);
    const at = await engine.stateAt(allocatedB);
    expect(before.jobs.get('b')?.status).toBe('WaitingForGPUs');
    expect(at.jobs.get('b')?.status).toBe('Starting');
    // A finished job has left the decision state; its record is in the archive.
    expect(at.jobs.has('a')).toBe(false);
    expect(at.finished.get('a')).toBe('Complete');
    expect(findJob(at, engine.archive, 'a')?.status).toBe('Complete');
    const last = await engine.stateAt(lines.length - 1);
    expect(jobPage(last, engine.archive, [{}], { offset: 0, limit: 1000 }).jobs.map((j) => [j.id, j.status])).toEqual(
      engine.jobs().map((j) => [j.id, j.status]),
    );
  });
});

describe('several policies at once', async () => {
  const out = fresh('several');
  const cluster = writeText('cluster.csv', 'pool,nodes,gpus_per_node\nmain,2,8\n');
  const { summaries } = await runSimulateCommand({
    ...tiresiasSample(cluster),
    policies: ['fifo', 'sjf', 'backfill'],
    events: join(out, 'log.jsonl'),
    out,
    ...quiet,
  });

  it('writes jobs.csv, summary.json and an events file per policy, in per-policy folders', () => {
    for (const policy of ['fifo', 'sjf', 'backfill']) {
      const jobs = records(join(out, policy, 'jobs.csv'));
      expect(jobs).toHaveLength(60);
      expect(JSON.parse(readFileSync(join(out, policy, 'summary.json'), 'utf8'))).toMatchObject({ policy, placement: 'count' });
      expect(readFileSync(join(out, `log-${policy}.jsonl`), 'utf8').length).toBeGreaterThan(0);
    }
    expect(existsSync(join(out, 'jobs.csv'))).toBe(false);
    // fifo is the Tiresias schedule whichever other policies ran beside it.
    const fifo = records(join(out, 'fifo', 'jobs.csv'));
    const expected = records(fixture('expected-fifo-16gpu.csv'));
    for (const row of expected) expect(fifo.find((r) => r.job_id === row.job_id)?.start_time).toBe(row.start_time);
  });

  it('writes a top-level summary listing every policy in order', () => {
    const top = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(top.policies.map((s: { policy: string }) => s.policy)).toEqual(['fifo', 'sjf', 'backfill']);
    expect(top.policies[0].overall.avgJct).toBe(200.82);
    expect(top).toEqual(JSON.parse(JSON.stringify({ policies: summaries })));
  });

  it('writes a report with a comparison section and a section per policy', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Comparison</h2>');
    expect(html.indexOf('<h2>Comparison</h2>')).toBeLessThan(html.indexOf('<h2>Policy fifo'));
    for (const policy of ['fifo', 'sjf', 'backfill']) expect(html).toContain(`<h2>Policy ${policy} (count placement)</h2>`);
    const comparison = html.slice(html.indexOf('<h2>Comparison</h2>'), html.indexOf('<h2>Policy fifo'));
    const charts = comparison.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(charts).toHaveLength(3);
    for (const title of [
      'Policies side by side (all pools)',
      'Job completion time distribution by policy',
      'Average wait by job size',
    ]) {
      expect(charts.filter((c) => c.includes(`>${title}</text>`))).toHaveLength(1);
    }
    for (const policy of ['fifo', 'sjf', 'backfill']) expect(comparison).toContain(`<td>${policy}</td>`);
  });
});

describe('report.html', async () => {
  const out = fresh('report');
  const cluster = writeText('cluster.csv', 'pool,nodes,gpus_per_node\nmain,2,8\n');
  await runSimulateCommand({ ...tiresiasSample(cluster), policies: ['fifo'], out, ...quiet });
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];

  it('is a standalone HTML page with the run described', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('</html>');
    expect(html).toContain('60 jobs');
    expect(html).toContain('16 GPUs');
    expect(html).not.toContain('<h2>Comparison</h2>');
  });

  it.each(['GPUs in use over time', 'Queue length over time', 'Job completion time distribution', 'Average wait by job size'])(
    'has an SVG chart "%s"',
    (title) => {
      expect(svgs.filter((s) => s.includes(`>${title}</text>`))).toHaveLength(1);
    },
  );

  it('draws the data: each chart has marks', () => {
    expect(svgs).toHaveLength(4);
    for (const s of svgs) expect(s).toMatch(/<path[^>]* d="M[^"]+"/);
  });
});

describe('without the report (report: false, the CLI --no-report)', async () => {
  const cluster = writeText('cluster.csv', 'pool,nodes,gpus_per_node\nmain,2,8\n');
  const run = async (report: boolean) => {
    const out = fresh(report ? 'with-report' : 'no-report');
    await runSimulateCommand({ ...tiresiasSample(cluster), policies: ['fifo', 'sjf'], out, report, ...quiet });
    return out;
  };
  const withReport = await run(true);
  const without = await run(false);

  it('writes no report.html', () => {
    expect(existsSync(join(withReport, 'report.html'))).toBe(true);
    expect(existsSync(join(without, 'report.html'))).toBe(false);
  });

  it.each(['summary.json', 'fifo/jobs.csv', 'fifo/summary.json', 'sjf/jobs.csv', 'sjf/summary.json'])(
    'writes %s byte for byte as a run with the report does',
    (file) => {
      const written = readFileSync(join(without, file), 'utf8');
      expect(written.length).toBeGreaterThan(0);
      expect(written).toBe(readFileSync(join(withReport, file), 'utf8'));
    },
  );
});
