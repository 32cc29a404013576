/**
 * Metrics a running job reports (name, value, step, time), in batches: the channel training jobs
 * and hyperparameter trials use alike. Each batch is an event of the job's own metrics stream
 * (`metricsStream(jobId)`), so a job's series is read back without touching any other; nothing is
 * decided from them, so no state is folded: the series and the final values are functions of the
 * events. The final values (each metric's value at its last step) go onto the model version a
 * training job records.
 */

import { type Decoded, decoderOf, formatIssues, Id, Name, NonNegInt, NonNegNumber, RefinedType, record } from '../codec.js';
import * as t from '../vendor/io-ts.js';

export const METRICS_EVENT_SCHEMA_VERSION = 1;
/** The most points one report may carry. */
export const MAX_METRIC_POINTS = 1_000;

/** The stream of one job's metrics. */
export const metricsStream = (jobId: string): string => `metrics-${jobId}`;

const FiniteNumber = new RefinedType<number>(
  'FiniteNumber',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  'a finite number',
  { type: 'number' },
);

/** A point as a job reports it: `step` defaults to the next after the metric's last, `at` to the report's time. */
export const MetricPointInput = record('MetricPoint', { name: Id, value: FiniteNumber }, { step: NonNegInt, at: NonNegNumber });
export type MetricPointInput = t.TypeOf<typeof MetricPointInput>;

export const MetricsReport = record('MetricsReport', { points: t.array(MetricPointInput) }, {});

export interface MetricPoint {
  readonly name: string;
  readonly value: number;
  readonly step: number;
  readonly at: number;
}

const MetricsReportedCodec = record(
  'MetricsReported',
  {
    type: t.literal('MetricsReported'),
    v: t.literal(METRICS_EVENT_SCHEMA_VERSION),
    at: NonNegNumber,
    jobId: Name,
    points: t.array(record('Point', { name: Name, value: t.number, step: NonNegInt, at: NonNegNumber }, {})),
  },
  {},
);
export type MetricsReported = t.TypeOf<typeof MetricsReportedCodec>;

const decodeReported = decoderOf(MetricsReportedCodec);
export function decodeMetricsEvent(u: unknown): Decoded<MetricsReported> {
  const type = typeof u === 'object' && u !== null ? (u as { type?: unknown }).type : undefined;
  if (type !== 'MetricsReported') {
    const issues = [{ path: 'event.type', expected: 'MetricsReported', actual: JSON.stringify(type) ?? 'nothing' }];
    return { ok: false, issues, message: formatIssues(issues) };
  }
  return decodeReported(u, 'MetricsReported');
}

/**
 * The event recording a report: every point gets its step (the metric's next after `lastSteps`,
 * when it brings none) and its time (`at`, when it brings none). Points of one name must not go
 * back in step: a refused report says which, and nothing of it is kept.
 */
export function reportMetrics(
  jobId: string,
  points: readonly MetricPointInput[],
  at: number,
  lastSteps: ReadonlyMap<string, number>,
): { ok: true; event: MetricsReported } | { ok: false; message: string } {
  if (points.length === 0) return { ok: false, message: 'points: a report holds at least one point' };
  if (points.length > MAX_METRIC_POINTS) {
    return { ok: false, message: `points: a report holds at most ${MAX_METRIC_POINTS} points (this one ${points.length})` };
  }
  const last = new Map(lastSteps);
  const out: MetricPoint[] = [];
  for (const [i, p] of points.entries()) {
    const previous = last.get(p.name);
    const step = p.step ?? (previous === undefined ? 0 : previous + 1);
    if (previous !== undefined && step < previous) {
      return { ok: false, message: `points[${i}].step: ${p.name} is at step ${previous} already; steps do not go back` };
    }
    last.set(p.name, step);
    out.push({ name: p.name, value: p.value, step, at: p.at ?? at });
  }
  return { ok: true, event: { type: 'MetricsReported', v: METRICS_EVENT_SCHEMA_VERSION, at, jobId, points: out } };
}

/** Each metric's series in report order, and its last step. */
export function metricSeries(events: readonly MetricsReported[]): Map<string, MetricPoint[]> {
  const series = new Map<string, MetricPoint[]>();
  for (const e of events) {
    for (const p of e.points) {
      const s = series.get(p.name);
      if (s) s.push(p);
      else series.set(p.name, [p]);
    }
  }
  return series;
}

/** The step each metric has reached. */
export function lastSteps(series: ReadonlyMap<string, readonly MetricPoint[]>): Map<string, number> {
  return new Map([...series].map(([name, points]) => [name, (points[points.length - 1] as MetricPoint).step]));
}

/** Each metric's final value: the last one reported at its highest step. */
export function finalMetrics(series: ReadonlyMap<string, readonly MetricPoint[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, points] of series) out[name] = (points[points.length - 1] as MetricPoint).value;
  return out;
}
