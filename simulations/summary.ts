/** What a simulation comes to: per pool and overall, the figures people compare policies by. */
import type { JobRecord, PoolSeries, SimulationResult } from './simulate.js';
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
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** The mean, summed in array order (of the sorted values, so the rounding is always the same). */
function mean(xs: ArrayLike<number>): number | null {
  if (xs.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i] as number;
  return sum / xs.length;
}
const round = (x: number | null, digits = 2): number | null => (x === null ? null : Number(x.toFixed(digits)));

export function figures(jobs: readonly JobRecord[], gpus: number, longestQueue: number): Figures {
  const jct: number[] = [];
  const wait: number[] = [];
  let work = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let completed = 0;
  let rejected = 0;
  for (const j of jobs) {
    if (j.status === 'Rejected') {
      rejected++;
      continue;
    }
    if (j.submit < first) first = j.submit;
    if (j.start !== null) wait.push(j.start - j.submit);
    if (j.end !== null && j.end > last) last = j.end;
    if (j.status === 'Complete' && j.end !== null) {
      completed++;
      jct.push(j.end - j.submit);
      work += j.gpus * j.duration;
    }
  }
  // Sorted as typed arrays: numerically, without a comparator call per comparison (several times
  // faster on a large trace); the figures only read the sorted values.
  const jctSorted = Float64Array.from(jct).sort();
  const waitSorted = Float64Array.from(wait).sort();
  const makespan = last > first ? last - first : 0;
  return {
    jobs: jobs.length,
    completed,
    rejected,
    avgJct: round(mean(jctSorted)),
    p50Jct: percentile(jctSorted, 50),
    p95Jct: percentile(jctSorted, 95),
    p99Jct: percentile(jctSorted, 99),
    avgWait: round(mean(waitSorted)),
    p95Wait: percentile(waitSorted, 95),
    makespan,
    utilization: makespan > 0 && gpus > 0 ? round(work / (gpus * makespan), 4) : null,
    longestQueue,
    gpus,
  };
}

export function summarize(result: SimulationResult): Summary {
  const byPool = new Map<string, JobRecord[]>();
  for (const j of result.jobs) {
    const list = byPool.get(j.pool);
    if (list) list.push(j);
    else byPool.set(j.pool, [j]);
  }
  const pools: Record<string, Figures> = {};
  let gpus = 0;
  for (const s of result.series) {
    pools[s.pool] = figures(byPool.get(s.pool) ?? [], s.gpus, s.longestQueue);
    gpus += s.gpus;
  }
  const overall = figures(result.jobs, gpus, overallQueuePeak(result.series));
  const summary: Summary = { policy: result.policy, placement: result.placement, overall, pools };
  if (result.experiments) summary.experiments = result.experiments;
  return summary;
}

/** The longest the queues of all pools together have been, merging the per-pool samples. */
function overallQueuePeak(series: readonly PoolSeries[]): number {
  const events: { t: number; pool: number; q: number }[] = [];
  series.forEach((s, pool) => {
    for (let i = 0; i < s.t.length; i++) events.push({ t: s.t[i] as number, pool, q: s.queued[i] as number });
  });
  events.sort((a, b) => a.t - b.t || a.pool - b.pool);
  const current = new Array<number>(series.length).fill(0);
  let total = 0;
  let peak = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as { t: number; pool: number; q: number };
    total += e.q - (current[e.pool] as number);
    current[e.pool] = e.q;
    // Only count the total once every change of this instant is in.
    if (i + 1 === events.length || (events[i + 1] as { t: number }).t !== e.t) peak = Math.max(peak, total);
  }
  return peak;
}

export function jobsCsv(jobs: readonly JobRecord[]): string {
  const lines = ['job_id,pool,gpus,submit_time,duration,start_time,end_time,status'];
  for (const j of jobs) {
    lines.push([csvField(j.id), csvField(j.pool), j.gpus, j.submit, j.duration, j.start ?? '', j.end ?? '', j.status].join(','));
  }
  return `${lines.join('\n')}\n`;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** trials.csv: every trial of every experiment, its job's times and what it reported. */
export function trialsCsv(trials: readonly TrialRecord[]): string {
  const lines = ['experiment,trial,job_id,gpus,submit_time,start_time,end_time,job_status,trial_status,objective,parameters'];
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
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
