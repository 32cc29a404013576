/**
 * The HTML report's page, built without the charting library: its charts as Vega-Lite specs and
 * its tables as HTML, in page order. The renderer (report.ts) turns the specs into SVG with vega,
 * a large module graph; keeping the page apart lets the simulate command build it where the
 * results are (the simulation's thread) and render it elsewhere (the calling thread, which loads
 * vega meanwhile). A page is plain data, so it crosses between threads as it is. Long series are
 * bucketed so a chart holds a few hundred points per line whatever the trace's length.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { JobRecord, SimulationResult } from './simulate.js';
import { type Figures, type Summary, sortedTimes } from './summary.js';
import type { ExperimentOutcome } from './tuning.js';

const WIDTH = 720;
const HEIGHT = 220;
/**
 * Points per series at the most: about one per three pixels of a chart's width, as many as a
 * line can show. At 400, a 100k-job report drew the same lines from two thirds more points, and
 * rendering them (Vega's parse and SVG) was the longest part of the command after the simulation.
 */
const MAX_POINTS = 240;

/** Bucket a step series into at most MAX_POINTS points, keeping each bucket's peak. */
function downsample(t: readonly number[], v: readonly number[], end: number): { t: number; v: number }[] {
  if (t.length <= MAX_POINTS)
    return t.map((x, i) => ({ t: x, v: v[i] as number })).concat(t.length ? [{ t: end, v: v[v.length - 1] as number }] : []);
  const start = t[0] as number;
  const width = Math.max((end - start) / MAX_POINTS, Number.MIN_VALUE);
  const out: { t: number; v: number }[] = [];
  let bucket = -1;
  for (let i = 0; i < t.length; i++) {
    const b = Math.min(MAX_POINTS - 1, Math.floor(((t[i] as number) - start) / width));
    if (b !== bucket) {
      out.push({ t: start + b * width, v: v[i] as number });
      bucket = b;
    } else {
      const last = out[out.length - 1] as { t: number; v: number };
      last.v = Math.max(last.v, v[i] as number);
    }
  }
  return out;
}

const hours = (s: number) => s / 3600;

function timeSeriesSpec(result: SimulationResult, field: 'used' | 'queued', title: string): TopLevelSpec {
  const end = Math.max(...result.series.map((s) => s.t[s.t.length - 1] ?? 0));
  const values = result.series.flatMap((s) =>
    downsample(s.t, s[field], end).map((p) => ({ hours: hours(p.t), value: p.v, pool: s.pool })),
  );
  return {
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.2 },
    encoding: {
      x: { field: 'hours', type: 'quantitative', title: 'time (hours)' },
      y: { field: 'value', type: 'quantitative', title: field === 'used' ? 'GPUs in use' : 'jobs waiting' },
      color: { field: 'pool', type: 'nominal', title: 'pool' },
    },
  };
}

/**
 * A result's charts over time (GPUs in use, queue length), in page order. They need only the
 * result's series, so the command can hand them to the renderer as soon as the simulation ends,
 * before the summaries and the rest of the page are worked out (ReportInput.seriesAhead).
 */
export function seriesCharts(result: SimulationResult): TopLevelSpec[] {
  return [timeSeriesSpec(result, 'used', 'GPUs in use over time'), timeSeriesSpec(result, 'queued', 'Queue length over time')];
}

/** Empirical CDF of job completion times, one line per series (pool or policy). */
function jctCdfSpec(groups: { name: string; jct: number[] }[], title: string, legend: string): TopLevelSpec {
  const values = groups.flatMap(({ name, jct }) => {
    const sorted = sortedTimes(Float64Array.from(jct));
    const n = sorted.length;
    const step = Math.max(1, Math.floor(n / MAX_POINTS));
    const pts: { jct: number; fraction: number; series: string }[] = [];
    for (let i = 0; i < n; i += step) pts.push({ jct: Math.max(sorted[i] as number, 1), fraction: (i + 1) / n, series: name });
    if (n > 0) pts.push({ jct: Math.max(sorted[n - 1] as number, 1), fraction: 1, series: name });
    return pts;
  });
  return {
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'jct', type: 'quantitative', scale: { type: 'log' }, title: 'job completion time (seconds, log scale)' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of jobs' },
      color: { field: 'series', type: 'nominal', title: legend },
    },
  };
}

const SIZE_BUCKETS: [string, number, number][] = [
  ['1', 1, 1],
  ['2', 2, 2],
  ['3-4', 3, 4],
  ['5-8', 5, 8],
  ['9-16', 9, 16],
  ['17-64', 17, 64],
  ['65+', 65, Number.POSITIVE_INFINITY],
];

function waitBySizeSpec(results: readonly SimulationResult[]): TopLevelSpec {
  const values = results.flatMap((r) => {
    // One pass over the jobs for all the buckets; each bucket sums its waits in job order.
    const sums = SIZE_BUCKETS.map(() => 0);
    const counts = SIZE_BUCKETS.map(() => 0);
    for (const j of r.jobs) {
      if (j.start === null) continue;
      const b = SIZE_BUCKETS.findIndex(([, lo, hi]) => j.gpus >= lo && j.gpus <= hi);
      if (b < 0) continue;
      sums[b] = (sums[b] as number) + (j.start - j.submit);
      counts[b] = (counts[b] as number) + 1;
    }
    return SIZE_BUCKETS.flatMap(([label], b) => {
      const n = counts[b] as number;
      return n === 0 ? [] : [{ size: label, wait: (sums[b] as number) / n, jobs: n, policy: r.policy }];
    });
  });
  return {
    title: 'Average wait by job size',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'size', type: 'ordinal', sort: SIZE_BUCKETS.map(([l]) => l), title: 'GPUs requested' },
      xOffset: { field: 'policy', type: 'nominal' },
      y: { field: 'wait', type: 'quantitative', title: 'average wait (seconds)' },
      color: { field: 'policy', type: 'nominal', title: 'policy' },
      tooltip: [{ field: 'jobs', type: 'quantitative' }],
    },
  };
}

function comparisonSpec(summaries: readonly Summary[]): TopLevelSpec {
  const metrics: [keyof Figures, string][] = [
    ['avgJct', 'average JCT'],
    ['p95Jct', 'p95 JCT'],
    ['avgWait', 'average wait'],
    ['p95Wait', 'p95 wait'],
  ];
  const values = summaries.flatMap((s) =>
    metrics.map(([key, label]) => ({ metric: label, seconds: (s.overall[key] as number | null) ?? 0, policy: s.policy })),
  );
  return {
    title: 'Policies side by side (all pools)',
    data: { values },
    facet: { field: 'metric', type: 'nominal', sort: metrics.map(([, l]) => l), title: null },
    columns: metrics.length,
    spec: {
      width: WIDTH / metrics.length - 40,
      height: HEIGHT,
      mark: 'bar',
      encoding: {
        x: { field: 'policy', type: 'nominal', title: null },
        y: { field: 'seconds', type: 'quantitative', title: 'seconds' },
        color: { field: 'policy', type: 'nominal', title: 'policy' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

const fmt = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined ? '-' : Number(x.toFixed(digits)).toLocaleString('en-US');
const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

function figuresTable(rows: { name: string; f: Figures }[], first: string): string {
  const head = [
    first,
    'GPUs',
    'jobs',
    'completed',
    'rejected',
    'avg JCT',
    'p50 JCT',
    'p95 JCT',
    'p99 JCT',
    'avg wait',
    'p95 wait',
    'makespan',
    'utilization',
    'longest queue',
  ];
  const body = rows
    .map(
      ({ name, f }) =>
        `<tr><td>${esc(name)}</td>${[f.gpus, f.jobs, f.completed, f.rejected].map((x) => `<td>${fmt(x, 0)}</td>`).join('')}${[
          f.avgJct,
          f.p50Jct,
          f.p95Jct,
          f.p99Jct,
          f.avgWait,
          f.p95Wait,
          f.makespan,
        ]
          .map((x) => `<td>${fmt(x)}</td>`)
          .join('')}<td>${pct(f.utilization)}</td><td>${fmt(f.longestQueue, 0)}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** How many of the jobs that can never run the report lists; jobs.csv has them all. */
const REJECTED_SHOWN = 20;

/**
 * The jobs the engine refused (Rejected: they can never run on the cluster as it is), each with
 * the engine's reason, the first REJECTED_SHOWN in the trace's order; none when there are none.
 */
function rejectedTable(jobs: readonly JobRecord[]): string[] {
  const rejected = jobs.filter((j) => j.status === 'Rejected');
  if (rejected.length === 0) return [];
  const rows = rejected
    .slice(0, REJECTED_SHOWN)
    .map(
      (j) =>
        `<tr><td>${esc(j.id)}</td><td class="text">${esc(j.pool)}</td><td>${fmt(j.gpus, 0)}</td><td class="text">${esc(j.rejection ?? '')}</td></tr>`,
    )
    .join('\n');
  const more = rejected.length - REJECTED_SHOWN;
  return [
    `<h3>Jobs that can never run (${fmt(rejected.length, 0)})</h3>`,
    `<table><thead><tr><th>job</th><th class="text">pool</th><th>GPUs</th><th class="text">why</th></tr></thead><tbody>\n${rows}\n</tbody></table>`,
    ...(more > 0 ? [`<p class="meta">and ${fmt(more, 0)} more: the reason column of jobs.csv lists them all.</p>`] : []),
  ];
}

/** The best objective of each experiment over time since its creation, a step line each. */
function bestOverTimeSpec(experiments: readonly ExperimentOutcome[]): TopLevelSpec {
  const values = experiments.flatMap((x) => {
    // `<pool>/group/<name>` as `<pool>/<name>`: the legend has room for it.
    const experiment = x.id.replace('/group/', '/');
    const points = x.bestOverTime.map(([t, best]) => ({ hours: hours(t), best, experiment }));
    const end = x.endedAt ?? null;
    const last = x.bestOverTime[x.bestOverTime.length - 1];
    if (last && end !== null) points.push({ hours: hours(end - x.createdAt), best: last[1], experiment });
    return points;
  });
  return {
    title: 'Best objective since each experiment was created',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', point: true },
    encoding: {
      x: { field: 'hours', type: 'quantitative', title: 'time since creation (hours)' },
      // symlog: the first trials' values may be a hundred times the last ones, and Hartmann-6's are negative.
      y: { field: 'best', type: 'quantitative', title: 'best objective (symlog scale)', scale: { type: 'symlog', zero: false } },
      color: { field: 'experiment', type: 'nominal', title: 'experiment', legend: { labelLimit: 480 } },
    },
  };
}

function experimentsTable(experiments: readonly ExperimentOutcome[]): string {
  const head = [
    'experiment',
    'algorithm',
    'trials',
    'succeeded',
    'failed',
    'early stopped',
    'best objective',
    'goal',
    'time to goal',
    'GPU-hours',
    'avg trial wait',
    'ended',
    'completion reason',
  ];
  const body = experiments
    .map((x) => {
      const cells = [
        esc(x.id),
        esc(x.algorithm + (x.earlyStopping ? ` + ${x.earlyStopping}` : '')),
        fmt(x.trials, 0),
        fmt(x.succeeded, 0),
        fmt(x.failed, 0),
        fmt(x.earlyStopped, 0),
        x.best === null ? '-' : x.best.toPrecision(6),
        x.goal === null ? '-' : String(x.goal),
        x.timeToGoal === null ? 'not reached' : fmt(x.timeToGoal),
        fmt(x.gpuHours, 2),
        fmt(x.avgTrialWait),
        fmt(x.endedAt),
        esc(x.reason ?? 'still running'),
      ];
      return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export interface ReportInput {
  readonly title: string;
  readonly results: readonly SimulationResult[];
  readonly summaries: readonly Summary[];
  /** What was run, for the header: trace, cluster, flags. */
  readonly description: string;
  /**
   * Per result, the numbers of its series charts (seriesCharts) if they were handed to the
   * renderer ahead of the page: the page refers to them instead of holding them again.
   */
  readonly seriesAhead?: readonly (readonly number[] | null)[];
}

/**
 * A piece of the page's body: HTML as it is, a chart to render to SVG in its place, or the SVG of
 * a chart handed to the renderer ahead of the page, by its number (the order it was handed in).
 */
export type ReportBlock = { readonly html: string } | { readonly spec: TopLevelSpec } | { readonly chart: number };

/** The report before its charts are rendered: plain data (structured-cloneable). */
export interface ReportPage {
  readonly title: string;
  readonly description: string;
  /** The body, in order: the page is these concatenated, each chart as its SVG. */
  readonly blocks: readonly ReportBlock[];
}

type Part = string | TopLevelSpec | { readonly chart: number };

/** The page's body: its sections one after another, each section's parts one a line. */
function blocksOf(sections: readonly (readonly Part[])[]): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  let html = '';
  const add = (part: Part) => {
    if (typeof part === 'string') {
      html += part;
      return;
    }
    if (html !== '') blocks.push({ html });
    html = '';
    blocks.push('chart' in part ? part : { spec: part });
  };
  sections.forEach((parts, s) => {
    if (s > 0) add('\n');
    parts.forEach((part, p) => {
      if (p > 0) add('\n');
      add(part);
    });
  });
  if (html !== '') blocks.push({ html });
  return blocks;
}

/** The report of these simulations, its charts as specs. */
export function reportPage(input: ReportInput): ReportPage {
  const sections: Part[][] = [];
  if (input.results.length > 1) {
    sections.push([
      `<h2>Comparison</h2>\n${figuresTable(
        input.summaries.map((s) => ({ name: s.policy, f: s.overall })),
        'policy',
      )}`,
      comparisonSpec(input.summaries),
      jctCdfSpec(
        input.results.map((r) => ({
          name: r.policy,
          jct: r.jobs.filter((j) => j.status === 'Complete' && j.end !== null).map((j) => (j.end as number) - j.submit),
        })),
        'Job completion time distribution by policy',
        'policy',
      ),
      waitBySizeSpec(input.results),
    ]);
  }
  for (let i = 0; i < input.results.length; i++) {
    const r = input.results[i] as SimulationResult;
    const s = input.summaries[i] as Summary;
    const pools = Object.entries(s.pools).map(([name, f]) => ({ name, f }));
    // One pass over the jobs for every pool's JCTs.
    const jctOf = new Map(r.series.map((p) => [p.pool, [] as number[]]));
    for (const j of r.jobs) if (j.status === 'Complete' && j.end !== null) jctOf.get(j.pool)?.push(j.end - j.submit);
    const jctByPool = r.series.map((p) => ({ name: p.pool, jct: jctOf.get(p.pool) ?? [] }));
    const ahead = input.seriesAhead?.[i];
    sections.push([
      `<h2>Policy ${esc(r.policy)} (${esc(r.placement)} placement)</h2>`,
      figuresTable([{ name: 'all pools', f: s.overall }, ...pools], 'pool'),
      ...rejectedTable(r.jobs),
      ...(ahead ? ahead.map((chart) => ({ chart })) : seriesCharts(r)),
      jctCdfSpec(jctByPool, 'Job completion time distribution', 'pool'),
      input.results.length === 1 ? waitBySizeSpec([r]) : '',
    ]);
    if (r.experiments && r.experiments.length > 0) {
      sections.push([
        `<h3>Experiments (policy ${esc(r.policy)}, ${esc(r.experiments[0]?.objective ?? '')} objective)</h3>`,
        `<p class="meta">Time to goal: seconds from the experiment's creation to its goal reached. GPU-hours: GPUs x hours its trials held them. The figures above are the trace's jobs'; the queue and GPU series count the trials' jobs too.</p>`,
        experimentsTable(r.experiments),
        bestOverTimeSpec(r.experiments),
      ]);
    }
  }
  return { title: input.title, description: input.description, blocks: blocksOf(sections) };
}

/** The whole document around the page's body (its blocks, the charts rendered). */
export function pageDocument(page: ReportPage, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(page.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th.text, td.text { text-align: left; }
thead { background: #f3f3f3; }
svg { display: block; margin: 1rem 0; }
.meta { color: #666; font-size: 0.9rem; }
</style></head><body>
<h1>${esc(page.title)}</h1>
<p class="meta">${esc(page.description)}</p>
<p class="meta">Times in seconds. JCT: job completion time, end minus submission. Utilization: GPU-seconds of completed jobs over GPUs x makespan.</p>
${body}
</body></html>
`;
}
