/**
 * The Tiresias 60-job sample trace, replayed through the real engine on one pool of 2 nodes x 8
 * GPUs with count placement and strict fifo, must start and end every job exactly when the
 * Tiresias simulator itself does (fixtures/tiresias-60/README.md).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../core/cluster/invariants.js';
import { parseCsv } from './csv.js';
import { simulate } from './simulate.js';
import { readTrace } from './traces.js';

const fixture = (name: string) => new URL(`./fixtures/tiresias-60/${name}`, import.meta.url).pathname;

describe('Tiresias 60-job trace, fifo, count placement, 16 GPUs (2 x 8)', async () => {
  const trace = readTrace(fixture('trace.csv'), 'tiresias');
  const expected = parseCsv('expected', readFileSync(fixture('expected-fifo-16gpu.csv'), 'utf8')).rows;
  const run = await simulate({
    pools: [{ name: 'tiresias', nodes: 2, gpusPerNode: 8, gpuType: 'GPU' }],
    trace,
    policy: 'fifo',
    placement: 'count',
    log: { kind: 'memory' },
  });
  const byId = new Map(run.jobs.map((j) => [j.id, j]));

  it('reads the whole trace and its expected schedule', () => {
    expect(trace).toHaveLength(60);
    expect(expected).toHaveLength(60);
    expect(run.jobs.every((j) => j.rejection === null)).toBe(true);
  });

  it.each(expected.map((row) => [row.string('job_id'), row] as const))('job %s starts and ends as in Tiresias', (id, row) => {
    const job = byId.get(id);
    expect(job, `job ${id} was replayed`).toBeDefined();
    expect({ submit: job?.submit, start: job?.start, end: job?.end }).toEqual({
      submit: row.number('submit_time'),
      start: row.number('start_time'),
      end: row.number('end_time'),
    });
  });

  it('matches the published averages (JCT 200.82 s, wait 22.40 s)', () => {
    const done = run.jobs.map((j) => ({ jct: (j.end as number) - j.submit, wait: (j.start as number) - j.submit }));
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(avg(done.map((d) => d.jct)).toFixed(2)).toBe('200.82');
    expect(avg(done.map((d) => d.wait)).toFixed(2)).toBe('22.40');
  });

  it('runs one scheduling batch per instant and leaves a consistent, idle cluster', () => {
    const instants = new Set(trace.flatMap((j) => [j.submit, byId.get(j.id)?.end as number]));
    expect(run.instants).toBe(instants.size);
    expect(checkInvariants(run.engine.current as never)).toEqual([]);
    expect(run.engine.jobs().every((j) => j.status === 'Complete')).toBe(true);
  });
});
