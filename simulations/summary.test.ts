/**
 * The summary and jobs.csv against plain reference versions of the same figures (each job read
 * per pool and again for the whole run, sorted with a comparator; every queue sample sorted as an
 * object; a line per job joined from an array): the fast versions give the same output.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobRecord, PoolSeries, SimStatus, SimulationResult } from './simulate.js';
import { type Figures, jobsCsv, jobsCsvBytes, percentile, summarize, timeFigures } from './summary.js';

const round = (x: number | null, digits = 2): number | null => (x === null ? null : Number(x.toFixed(digits)));
const meanOf = (xs: readonly number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

function referenceFigures(jobs: readonly JobRecord[], gpus: number, longestQueue: number): Figures {
  const kept = jobs.filter((j) => j.status !== 'Rejected');
  const jct = kept.filter((j) => j.status === 'Complete' && j.end !== null).map((j) => (j.end as number) - j.submit);
  const wait = kept.filter((j) => j.start !== null).map((j) => (j.start as number) - j.submit);
  const work = kept.filter((j) => j.status === 'Complete' && j.end !== null).reduce((sum, j) => sum + j.gpus * j.duration, 0);
  const first = Math.min(...kept.map((j) => j.submit));
  const last = Math.max(...kept.flatMap((j) => (j.end === null ? [] : [j.end])));
  jct.sort((a, b) => a - b);
  wait.sort((a, b) => a - b);
  const makespan = last > first ? last - first : 0;
  return {
    jobs: jobs.length,
    completed: jct.length,
    rejected: jobs.length - kept.length,
    avgJct: round(meanOf(jct)),
    p50Jct: percentile(jct, 50),
    p95Jct: percentile(jct, 95),
    p99Jct: percentile(jct, 99),
    avgWait: round(meanOf(wait)),
    p95Wait: percentile(wait, 95),
    makespan,
    utilization: makespan > 0 && gpus > 0 ? round(work / (gpus * makespan), 4) : null,
    longestQueue,
    gpus,
  };
}

function referenceCsv(jobs: readonly JobRecord[]): string {
  const field = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = jobs.map((j) =>
    [
      field(j.id),
      field(j.pool),
      j.gpus,
      j.submit,
      j.duration,
      j.start ?? '',
      j.end ?? '',
      j.status,
      j.rejection === null ? '' : field(j.rejection),
    ].join(','),
  );
  return `${['job_id,pool,gpus,submit_time,duration,start_time,end_time,status,reason', ...lines].join('\n')}\n`;
}

const POOLS = ['a', 'b', 'c,d', 'é'];
/** Times in whole seconds mostly (read as integers), sometimes fractional, large or negative. */
const time = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 100_000 }) },
  { weight: 1, arbitrary: fc.double({ min: -10, max: 1e12, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 2 ** 31 - 1, 2 ** 31, 2 ** 53, 0.1, 1e21) },
);
const job: fc.Arbitrary<JobRecord> = fc
  .record({
    id: fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^j[0-9]{1,6}$/) }, { weight: 1, arbitrary: fc.string() }),
    pool: fc.constantFrom(...POOLS, 'elsewhere'),
    gpus: fc.integer({ min: 0, max: 64 }),
    submit: time,
    duration: time,
    start: fc.option(time),
    end: fc.option(time),
    status: fc.constantFrom<SimStatus>('Complete', 'Complete', 'Error', 'Stopped', 'Rejected', 'NotStarted', 'Running'),
    // The engine's words, which may hold commas, quotes, line breaks and any character.
    reason: fc.oneof(fc.constant("job 'j1' asks for 9 GPUs, more than pool 'p' has (8)"), fc.string({ unit: 'grapheme' })),
  })
  .map(({ reason, ...j }) => ({ ...j, rejection: j.status === 'Rejected' ? reason : null }));
const series = (pool: string): fc.Arbitrary<PoolSeries> =>
  fc
    .record({
      samples: fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.nat(20)), { maxLength: 30 }),
      sorted: fc.boolean(),
      gpus: fc.nat(512),
      longestQueue: fc.nat(20),
    })
    .map(({ samples, sorted, gpus, longestQueue }) => {
      const ordered = sorted ? [...samples].sort((x, y) => x[0] - y[0]) : samples;
      return {
        pool,
        gpus,
        longestQueue,
        t: ordered.map(([t]) => t),
        used: ordered.map(() => 0),
        queued: ordered.map(([, q]) => q),
      };
    });
const result: fc.Arbitrary<SimulationResult> = fc
  .record({
    jobs: fc.array(job, { maxLength: 60 }),
    series: fc.tuple(...POOLS.map(series)).chain((all) => fc.subarray(all)),
    longestQueue: fc.nat(40),
  })
  .map(
    ({ jobs, series, longestQueue }) =>
      ({ policy: 'fifo', placement: 'count', jobs, series, longestQueue, instants: 0 }) as unknown as SimulationResult,
  );

describe('timeFigures', () => {
  // Whole seconds (selection) with heavy ties or spread out, and anything else (a sort).
  const values = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4000 }),
    fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 4000 }),
    fc.array(time, { maxLength: 400 }),
  );
  const percentiles = fc
    .uniqueArray(fc.double({ min: 0, max: 100, noNaN: true }), { maxLength: 5 })
    .map((ps) => ps.sort((a, b) => a - b));

  it('gives the mean and the nearest-rank percentiles the sorted values give', () => {
    fc.assert(
      fc.property(values, percentiles, (xs, ps) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const got = timeFigures(Float64Array.from(xs), ps);
        // As JSON: -0 and 0 alike, as summary.json writes them.
        expect(JSON.stringify(got)).toBe(
          JSON.stringify({ mean: meanOf(sorted), percentiles: ps.map((p) => percentile(sorted, p)) }),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('finds the percentiles of an input that partitions badly (sorted, reversed, organ pipe) as a sort does', () => {
    const n = 20_001;
    const inputs = [
      Array.from({ length: n }, (_, i) => i),
      Array.from({ length: n }, (_, i) => n - i),
      Array.from({ length: n }, (_, i) => Math.min(i, n - i)),
    ];
    for (const xs of inputs) {
      const sorted = [...xs].sort((a, b) => a - b);
      expect(timeFigures(Float64Array.from(xs), [1, 50, 95, 99, 100]).percentiles).toEqual(
        [1, 50, 95, 99, 100].map((p) => percentile(sorted, p)),
      );
    }
  });
});

describe('summarize', () => {
  it('gives the figures of each pool and of the whole run as the reference does', () => {
    fc.assert(
      fc.property(result, (r) => {
        const summary = summarize(r);
        const gpus = r.series.reduce((n, s) => n + s.gpus, 0);
        expect(summary.overall).toEqual(referenceFigures(r.jobs, gpus, r.longestQueue));
        expect(Object.keys(summary.pools)).toEqual(r.series.map((s) => s.pool));
        for (const s of r.series) {
          expect(summary.pools[s.pool]).toEqual(
            referenceFigures(
              r.jobs.filter((j) => j.pool === s.pool),
              s.gpus,
              s.longestQueue,
            ),
          );
        }
        // The same JSON, byte for byte (-0 and 0 alike).
        expect(JSON.stringify(summary.overall)).toBe(JSON.stringify(referenceFigures(r.jobs, gpus, r.longestQueue)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('jobs.csv', () => {
  it('writes every job as the reference does, quoting and encoding names alike', () => {
    fc.assert(
      fc.property(fc.array(job, { maxLength: 40 }), (jobs) => {
        const expected = referenceCsv(jobs);
        expect(jobsCsv(jobs)).toBe(expected);
        expect(Buffer.from(jobsCsvBytes(jobs)).equals(Buffer.from(expected, 'utf8'))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back, by any CSV reader, each job with its status and the reason of a rejected one', () => {
    fc.assert(
      fc.property(fc.array(job, { minLength: 1, maxLength: 20 }), (jobs) => {
        const [header, ...rows] = parse(jobsCsv(jobs), { relax_column_count: false }) as string[][];
        expect(header).toEqual([
          'job_id',
          'pool',
          'gpus',
          'submit_time',
          'duration',
          'start_time',
          'end_time',
          'status',
          'reason',
        ]);
        expect(rows.map((r) => [r[0], r[7], r[8]])).toEqual(jobs.map((j) => [j.id, j.status, j.rejection ?? '']));
      }),
      { numRuns: 300 },
    );
  });

  it('grows past its first guess of the size', () => {
    const long = 'x'.repeat(500);
    const jobs = Array.from({ length: 50 }, (_, i) => ({
      id: `${long}${i}`,
      pool: long,
      gpus: 1,
      submit: i,
      duration: 1e21,
      start: null,
      end: null,
      status: 'NotStarted' as const,
      rejection: null,
    }));
    expect(jobsCsv(jobs)).toBe(referenceCsv(jobs));
  });
});
