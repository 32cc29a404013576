/** What a simulation comes to: per pool and overall, the figures people compare policies by. */
import type { JobRecord, SimulationResult } from './simulate.js';
import type { ExperimentOutcome, TrialRecord } from './tuning.js';

export interface Figures {
  jobs: number;
  completed: number;
  rejected: number;
  /** Job completion time (end - submit) of the jobs that completed, seconds. */
  avgJct: number | null;
  p50Jct: number | null;
  p95Jct: number | null;
  p99Jct: number | null;
  /** Wait (start - submit) of the jobs that started, seconds. */
  avgWait: number | null;
  p95Wait: number | null;
  /** Last end minus first submission, seconds. */
  makespan: number;
  /** sum(gpus x duration) of completed jobs / (GPUs x makespan). */
  utilization: number | null;
  longestQueue: number;
  gpus: number;
}

export interface Summary {
  policy: string;
  placement: string;
  overall: Figures;
  pools: Record<string, Figures>;
  /**
   * With experiments: how each went. The figures above are the trace's jobs'; the pools' queue
   * lengths count the trials' jobs too.
   */
  experiments?: ExperimentOutcome[];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[rankOf(p, sorted.length) - 1] as number;
}

/** The nearest rank (1-based) of percentile `p` among `n` values. */
const rankOf = (p: number, n: number): number => Math.max(1, Math.ceil((p / 100) * n));

/** The mean, summed in array order (of the sorted values, so the rounding is always the same). */
function mean(xs: ArrayLike<number>): number | null {
  if (xs.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i] as number;
  return sum / xs.length;
}
const round = (x: number | null, digits = 2): number | null => (x === null ? null : Number(x.toFixed(digits)));

export function figures(jobs: readonly JobRecord[], gpus: number, longestQueue: number): Figures {
  const tally = new Tally(jobs.length);
  for (let i = 0; i < jobs.length; i++) tally.add(jobs[i] as JobRecord);
  return tally.figures(gpus, longestQueue);
}

/**
 * The figures' sums and values over jobs added one at a time, so that summarize reads each job
 * once for its pool and the whole run (reading them, spread over the heap as they are, is much of
 * summarizing). Sums are added in the order the jobs come, as figures always has.
 */
class Tally {
  jobs = 0;
  private jct: Float64Array;
  private wait: Float64Array;
  private jcts = 0;
  private waits = 0;
  private work = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  private completed = 0;
  private rejected = 0;
  private read: { jct: TimeFigures; wait: TimeFigures } | undefined;

  /** `expected`: how many jobs will be added, if known (the arrays grow as needed). */
  constructor(expected: number) {
    // Gathered straight into typed arrays and sorted there: numerically, without a comparator
    // call per comparison (several times faster on a large trace).
    this.jct = new Float64Array(Math.max(expected, 16));
    this.wait = new Float64Array(Math.max(expected, 16));
  }

  add(j: JobRecord): void {
    this.jobs++;
    if (j.status === 'Rejected') {
      this.rejected++;
      return;
    }
    if (this.jobs > this.wait.length) {
      this.wait = grown(this.wait);
      this.jct = grown(this.jct);
    }
    if (j.submit < this.first) this.first = j.submit;
    if (j.start !== null) this.wait[this.waits++] = j.start - j.submit;
    if (j.end !== null && j.end > this.last) this.last = j.end;
    if (j.status === 'Complete' && j.end !== null) {
      this.completed++;
      this.jct[this.jcts++] = j.end - j.submit;
      this.work += j.gpus * j.duration;
    }
  }

  figures(gpus: number, longestQueue: number): Figures {
    this.read ??= {
      jct: timeFigures(this.jct.subarray(0, this.jcts), [50, 95, 99]),
      wait: timeFigures(this.wait.subarray(0, this.waits), [95]),
    };
    const { jct, wait } = this.read;
    const makespan = this.last > this.first ? this.last - this.first : 0;
    return {
      jobs: this.jobs,
      completed: this.completed,
      rejected: this.rejected,
      avgJct: round(jct.mean),
      p50Jct: jct.percentiles[0] as number | null,
      p95Jct: jct.percentiles[1] as number | null,
      p99Jct: jct.percentiles[2] as number | null,
      avgWait: round(wait.mean),
      p95Wait: wait.percentiles[0] as number | null,
      makespan,
      utilization: makespan > 0 && gpus > 0 ? round(this.work / (gpus * makespan), 4) : null,
      longestQueue,
      gpus,
    };
  }
}

function grown(values: Float64Array): Float64Array {
  const more = new Float64Array(2 * values.length);
  more.set(values);
  return more;
}

/** What the figures read of a set of times: their mean and some of their percentiles. */
interface TimeFigures {
  readonly mean: number | null;
  /** The nearest-rank percentiles asked for, in the order asked. */
  readonly percentiles: readonly (number | null)[];
}

/**
 * The mean of `values` and their nearest-rank percentiles `ps` (ascending); `values` may be
 * reordered. Times in whole seconds (most traces') are exact integers whose sum is the same in any
 * order, so each percentile is found by selection, without sorting the rest: a million jobs' times
 * were sorted four times over (each pool's and the whole run's, completion times and waits), most
 * of summing up a million-job run. Any other values are sorted and summed in sorted order, so the
 * rounding is always the same.
 */
export function timeFigures(values: Float64Array, ps: readonly number[]): TimeFigures {
  const n = values.length;
  if (n === 0) return { mean: null, percentiles: ps.map(() => null) };
  const ints = wholeSeconds(values);
  if (ints === undefined) {
    const sorted = values.sort();
    return { mean: mean(sorted), percentiles: ps.map((p) => percentile(sorted, p)) };
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += ints[i] as number;
  let from = 0;
  const percentiles = ps.map((p) => {
    const k = rankOf(p, n) - 1;
    // What the selection before left below `from` is no larger than anything from there on.
    selectInto(ints, k, from);
    from = k;
    return ints[k] as number;
  });
  return { mean: sum / n, percentiles };
}

/** The values as 32-bit integers when they all are and their sum is exact (every partial sum below 2^53), else undefined. */
function wholeSeconds(values: Float64Array): Int32Array | undefined {
  return values.length <= 2 ** 22 && allInt32(values) ? new Int32Array(values) : undefined;
}

/** Whether every value is a 32-bit integer (-0 is not: a 32-bit integer has none, and a figure of -0 stays one). */
function allInt32(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if ((v | 0) !== v || (v === 0 && 1 / v < 0)) return false;
  }
  return true;
}

/**
 * Put the k-th smallest of `a[from..]` at index k, the smaller ones before it and the larger after
 * (Hoare's selection, a median of three as pivot). A range that keeps partitioning badly is sorted
 * instead, so no input takes quadratic time.
 */
function selectInto(a: Int32Array, k: number, from: number): void {
  let lo = from;
  let hi = a.length - 1;
  let rounds = 2 * (32 - Math.clz32(hi - lo + 1)) + 8;
  while (hi > lo) {
    if (rounds-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    const x = a[lo] as number;
    const y = a[(lo + hi) >>> 1] as number;
    const z = a[hi] as number;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z)); // the median of the three
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i++] = a[j] as number;
        a[j--] = t;
      }
    }
    // Now a[lo..j] <= pivot <= a[i..hi], and whatever lies between equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * The values in ascending order: as 32-bit integers when they all are (times in whole seconds,
 * as in most traces), which sort in half the time of doubles, to the same values.
 */
export function sortedTimes(values: Float64Array): ArrayLike<number> {
  return allInt32(values) ? new Int32Array(values).sort() : values.sort();
}

export function summarize(result: SimulationResult): Summary {
  const byPool = new Map<string, Tally>();
  for (const s of result.series)
    if (!byPool.has(s.pool)) byPool.set(s.pool, new Tally(Math.ceil(result.jobs.length / result.series.length)));
  const overall = new Tally(result.jobs.length);
  for (let i = 0; i < result.jobs.length; i++) {
    const j = result.jobs[i] as JobRecord;
    byPool.get(j.pool)?.add(j);
    overall.add(j);
  }
  const pools: Record<string, Figures> = {};
  let gpus = 0;
  for (const s of result.series) {
    pools[s.pool] = (byPool.get(s.pool) as Tally).figures(s.gpus, s.longestQueue);
    gpus += s.gpus;
  }
  const summary: Summary = {
    policy: result.policy,
    placement: result.placement,
    overall: overall.figures(gpus, result.longestQueue),
    pools,
  };
  if (result.experiments) summary.experiments = result.experiments;
  return summary;
}

/** jobs.csv: each job's times and status, one line per job in the simulation's order. */
export function jobsCsv(jobs: readonly JobRecord[]): string {
  const bytes = jobsCsvBytes(jobs);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** jobs.csv's columns: `reason` is why the engine refused a `Rejected` job, empty for every other. */
const JOBS_CSV_HEADER = 'job_id,pool,gpus,submit_time,duration,start_time,end_time,status,reason';

/**
 * jobs.csv as the UTF-8 bytes of jobsCsv, written straight into a buffer: no string per line or
 * per number, and nothing to encode on writing (a million jobs made about 120 MB of strings).
 */
export function jobsCsvBytes(jobs: readonly JobRecord[]): Uint8Array {
  // A line is some 35-55 bytes; a larger guess costs only address space (allocUnsafe touches no
  // page it does not write), growing costs a copy.
  const out = new CsvBytes(64 * jobs.length + 64);
  out.text(`${JOBS_CSV_HEADER}\n`);
  let pool: string | undefined;
  let poolField = '';
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i] as JobRecord;
    // Jobs of a pool share its name: quoted (or not) once per run of the same pool.
    if (j.pool !== pool) {
      pool = j.pool;
      poolField = csvField(pool);
    }
    out.text(csvField(j.id));
    out.byte(44);
    out.text(poolField);
    out.byte(44);
    out.number(j.gpus);
    out.byte(44);
    out.number(j.submit);
    out.byte(44);
    out.number(j.duration);
    out.byte(44);
    if (j.start !== null) out.number(j.start);
    out.byte(44);
    if (j.end !== null) out.number(j.end);
    out.byte(44);
    out.text(j.status);
    out.byte(44);
    if (j.rejection !== null) out.text(csvField(j.rejection));
    out.byte(10);
  }
  return out.bytes();
}

/** A growing buffer of UTF-8 text, with numbers written as String(n) writes them. */
class CsvBytes {
  private buffer: Buffer;
  private at = 0;
  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  private room(n: number): void {
    if (this.at + n <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.at + n));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  byte(b: number): void {
    this.room(1);
    this.buffer[this.at++] = b;
  }

  text(s: string): void {
    this.room(s.length);
    const buffer = this.buffer;
    const start = this.at;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) {
        // Not ASCII: encoded by Buffer, as writing the string would.
        this.room(Buffer.byteLength(s));
        this.at = start + this.buffer.write(s, start, 'utf8');
        return;
      }
      buffer[start + i] = c;
    }
    this.at = start + s.length;
  }

  number(n: number): void {
    // A whole number below 2^31 digit by digit; any other as String() writes it.
    if (!(n >= 0 && n <= 0x7fffffff && (n | 0) === n)) {
      this.text(String(n));
      return;
    }
    let digits = 1;
    for (let k = n; k >= 10; k = (k / 10) | 0) digits++;
    this.room(digits);
    const buffer = this.buffer;
    let at = this.at + digits;
    this.at = at;
    do {
      const q = (n / 10) | 0;
      buffer[--at] = 48 + n - q * 10;
      n = q;
    } while (n > 0);
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.at);
  }
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * trials.csv: every trial of every experiment, its job's times and what it reported; `reason`, as
 * in jobs.csv, why the cluster refused a `Rejected` trial's job.
 */
export function trialsCsv(trials: readonly TrialRecord[]): string {
  const lines = [
    'experiment,trial,job_id,gpus,submit_time,start_time,end_time,job_status,trial_status,objective,parameters,reason',
  ];
  for (const t of trials) {
    const j = t.job;
    const parameters = Object.entries(t.assignment)
      .map(([k, v]) => `${k}=${v}`)
      .join(';');
    lines.push(
      [
        csvField(t.experiment),
        csvField(t.trial),
        csvField(j.id),
        j.gpus,
        j.submit,
        j.start ?? '',
        j.end ?? '',
        j.status,
        t.status,
        t.objective ?? '',
        csvField(parameters),
        j.rejection === null ? '' : csvField(j.rejection),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
