/**
 * The seeded workload generator and its random source: the same options give the same trace;
 * the trace is well-formed (submission order, sizes that fit their pool, whole-second durations);
 * it round-trips through the gpupool trace and cluster files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type PoolSpec, readClusterFile } from './cluster.js';
import { Random } from './random.js';
import { syntheticWorkload, writeCluster, writeTrace } from './synthetic.js';
import { readTrace } from './traces.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-synthetic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pools: PoolSpec[] = [
  { name: 'big', nodes: 4, gpusPerNode: 8, gpuType: 'A100' },
  { name: '007', nodes: 1, gpusPerNode: 2, gpuType: 'T4' },
];

describe('Random', () => {
  it('gives the same numbers for the same seed, others for another', () => {
    const draw = (seed: number) => {
      const r = new Random(seed);
      return Array.from({ length: 20 }, () => r.next());
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
    for (const x of draw(5)) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws integers within bounds, inclusive', () => {
    const r = new Random(1);
    const xs = Array.from({ length: 500 }, () => r.int(2, 5));
    expect(new Set(xs)).toEqual(new Set([2, 3, 4, 5]));
  });

  it('picks by weight, never a zero-weight choice', () => {
    const r = new Random(3);
    const picks = Array.from({ length: 2000 }, () =>
      r.weighted([
        ['a', 3],
        ['never', 0],
        ['b', 1],
      ] as const),
    );
    expect(picks).not.toContain('never');
    const a = picks.filter((p) => p === 'a').length;
    expect(a / picks.length).toBeGreaterThan(0.65);
    expect(a / picks.length).toBeLessThan(0.85);
  });
});

describe('syntheticWorkload', () => {
  const options = { jobs: 500, pools, seed: 17 };

  it('is a pure function of its options', () => {
    expect(syntheticWorkload(options)).toEqual(syntheticWorkload(options));
    expect(syntheticWorkload({ ...options, seed: 18 })).not.toEqual(syntheticWorkload(options));
  });

  it('lists jobs in submission order, with whole-second times and sizes that fit their pool', () => {
    const jobs = syntheticWorkload(options);
    expect(jobs).toHaveLength(500);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(500);
    const byName = new Map(pools.map((p) => [p.name, p]));
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i];
      if (!j) throw new Error('missing job');
      if (i > 0) expect(j.submit).toBeGreaterThanOrEqual((jobs[i - 1] as { submit: number }).submit);
      const p = byName.get(j.pool as string);
      expect(p).toBeDefined();
      expect(Number.isInteger(j.submit) && Number.isInteger(j.duration)).toBe(true);
      expect(j.duration).toBeGreaterThanOrEqual(1);
      expect(j.gpus).toBeGreaterThanOrEqual(1);
      expect(j.gpus).toBeLessThanOrEqual((p as PoolSpec).nodes * (p as PoolSpec).gpusPerNode);
      expect(j.expectedDuration).toBe(j.duration);
    }
    // Pools get jobs in proportion to their size (32 GPUs against 2).
    const small = jobs.filter((j) => j.pool === '007').length;
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThan(100);
  });

  it('round-trips through the trace and cluster files', () => {
    const jobs = syntheticWorkload({ ...options, jobs: 50 });
    const trace = join(dir, 'trace.csv');
    const cluster = join(dir, 'cluster.csv');
    writeTrace(trace, jobs);
    writeCluster(cluster, pools);
    expect(readTrace(trace, 'gpupool')).toEqual(jobs);
    expect(readClusterFile(cluster)).toEqual(pools);
  });
});
