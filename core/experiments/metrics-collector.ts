/**
 * Metrics collected from a trial's output, as Katib's StdOut and File collectors collect them
 * (pkg/metricscollector/v1beta1/file-metricscollector/file-metricscollector.go), and a metric's
 * value by its strategy (min, max, latest). A trial may instead push its metrics through the
 * metrics channel (core/assets/metrics.ts); either way its objective is read from the points by
 * the experiment's metric strategy, and a trial that succeeds without its objective metric is
 * MetricsUnavailable.
 *
 * What is read, line by line (`\n`, a trailing `\r` dropped):
 *
 * - TEXT (StdOut, or File with format TEXT): every match of each `metricsFormat` regex, group 1
 *   the metric's name and group 2 its value (further groups, nested in those, are ignored, as the
 *   sample `{metricName: ([\w|-]+), metricValue: ((-?\d+)(\.\d+)?)}` needs). Without regexes,
 *   Katib's default `name=value` and, beyond Katib, `name: value`. A first token (up to the first
 *   space) that is an RFC 3339 timestamp is the time of the line's points.
 * - JSON (File with format JSON): one object a line; each asked-for metric's value, a number or
 *   a string holding one, and the `timestamp` field (RFC 3339 text, or epoch seconds) as the time.
 *
 * Only the metrics asked for (the objective's and the additional metrics' names) are kept. A kept
 * metric whose value is not a number, or is not finite, is skipped and reported with its line;
 * lines that match nothing are ignored. Each metric's points get steps 0, 1, 2... in the order they
 * appear. docs/tuning-metrics.md describes the formats and where they differ from Katib's.
 * TensorFlow event files are read by tfevent.ts, a Prometheus scrape by prometheus-text.ts.
 */
import type { MetricPointInput } from '../assets/metrics.js';
import type { MetricStrategy, MetricStrategyValue, MetricsCollector } from './spec.js';

/** Katib's default metrics regex (pkg/metricscollector/v1beta1/common/const.go): `name=value`. */
export const KATIB_DEFAULT_METRICS_FORMAT = String.raw`([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)`;

/** The JSON field holding a line's time (Katib's TimeStampJsonKey). */
export const JSON_TIMESTAMP_KEY = 'timestamp';

/**
 * A value as Katib's default regex captures it, or a word for a non-finite number so that it is
 * reported rather than read as nothing.
 */
const VALUE = String.raw`[+-]?(?:nan|inf(?:inity)?)(?!\w)|[+-]?\d*(?:\.\d+)?(?:[Ee][+-]?\d+)?`;
const NAME = String.raw`[\w|-]+`;

/**
 * gpupool's default TEXT patterns: Katib's `name=value`, then `name: value`, the name possibly
 * quoted as a printed Python dict or JSON object quotes it (`{'loss': 0.3}`).
 */
const DEFAULT_PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`(${NAME})\s*=\s*(${VALUE})`, 'gi'),
  new RegExp(String.raw`["']?(${NAME})["']?\s*:\s*(${VALUE})`, 'gi'),
];

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/;

export interface CollectOptions {
  /** The time (epoch seconds) of points whose line carries no timestamp; without it they have none. */
  readonly startAt?: number;
}

export interface SkippedLine {
  /** 1-based; 0 for a problem of the collector itself (a regex, a kind not read from output). */
  readonly line: number;
  readonly reason: string;
}

export interface CollectedMetrics {
  readonly points: MetricPointInput[];
  readonly skipped: SkippedLine[];
}

/**
 * The metrics in a trial's output: StdOut's the primary container's log, File's the file's
 * content. Pure; never throws: a regex that does not compile or lacks its two groups, or a kind
 * whose metrics are not read from text (TensorFlowEvent, PrometheusMetric, Custom, Push), is
 * reported as skipped at line 0.
 */
export function collectMetrics(
  text: string,
  collector: MetricsCollector,
  metricNames: readonly string[],
  options: CollectOptions = {},
): CollectedMetrics {
  const skipped: SkippedLine[] = [];
  const points: MetricPointInput[] = [];
  const format = formatOf(collector);
  if (format === null) {
    const how = collector.kind === 'Push' ? 'pushed by the trial' : 'not read from text output';
    return { points, skipped: [{ line: 0, reason: `collector kind ${collector.kind}: metrics are ${how}` }] };
  }
  const wanted = new Set(metricNames);
  const steps = new Map<string, number>();
  const defaultAt = options.startAt !== undefined && validTime(options.startAt) ? options.startAt : undefined;
  const add = (name: string, value: number, at: number | undefined): void => {
    const step = steps.get(name) ?? 0;
    steps.set(name, step + 1);
    const when = at ?? defaultAt;
    points.push(when === undefined ? { name, value, step } : { name, value, step, at: when });
  };

  let patterns: readonly RegExp[] = DEFAULT_PATTERNS;
  let custom = false;
  if (format === 'TEXT' && collector.metricsFormat.length > 0) {
    custom = true;
    const compiled: RegExp[] = [];
    collector.metricsFormat.forEach((source, i) => {
      const r = compilePattern(source);
      if (typeof r === 'string') skipped.push({ line: 0, reason: `metricsFormat[${i}]: ${r}` });
      else compiled.push(r);
    });
    patterns = compiled;
  }

  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (format === 'JSON') {
      readJsonLine(line, lineNo, metricNames, wanted, skipped, add);
      return;
    }
    if (line.length === 0) return;
    // Katib: the text up to the first space, when it is an RFC 3339 time, is the line's time.
    const space = line.indexOf(' ');
    const stamp = space > 0 ? parseRfc3339(line.slice(0, space)) : undefined;
    const at = stamp !== undefined && validTime(stamp) ? stamp : undefined;
    // Katib's default regex cannot match inside a timestamp, but `name: value` could ("10:00").
    const body = stamp !== undefined && !custom ? line.slice(space + 1) : line;
    const found: { index: number; order: number; name: string; value: string }[] = [];
    patterns.forEach((pattern, order) => {
      for (const m of body.matchAll(pattern)) {
        const name = (m[1] ?? '').trim();
        if (!wanted.has(name)) continue;
        found.push({ index: m.index ?? 0, order, name, value: (m[2] ?? '').trim() });
      }
    });
    found.sort((a, b) => a.index - b.index || a.order - b.order);
    for (const f of found) {
      const value = parseValue(f.value);
      if (typeof value === 'string') skipped.push({ line: lineNo, reason: `${f.name}: ${value}` });
      else add(f.name, value, at);
    }
  });
  return { points, skipped };
}

/** TEXT or JSON, for the kinds read from text; null for the others. */
function formatOf(collector: MetricsCollector): 'TEXT' | 'JSON' | null {
  if (collector.kind === 'StdOut') return 'TEXT';
  if (collector.kind === 'File') return collector.fileSystemPath?.format === 'JSON' ? 'JSON' : 'TEXT';
  return null;
}

/** A metricsFormat regex, global, or why it cannot be used. */
function compilePattern(source: string): RegExp | string {
  let groups: number;
  try {
    // Capturing groups of the pattern: the matches of an always-matching alternative.
    groups = (new RegExp(`${source}|`).exec('') as RegExpExecArray).length - 1;
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
  if (groups < 2) return 'must have two capturing groups: the metric name, then its value';
  return new RegExp(source, 'g');
}

function readJsonLine(
  line: string,
  lineNo: number,
  metricNames: readonly string[],
  wanted: ReadonlySet<string>,
  skipped: SkippedLine[],
  add: (name: string, value: number, at: number | undefined) => void,
): void {
  if (line.trim().length === 0) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (e) {
    skipped.push({ line: lineNo, reason: `not a JSON object: ${(e as Error).message}` });
    return;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    skipped.push({ line: lineNo, reason: `not a JSON object: ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}` });
    return;
  }
  const obj = parsed as Record<string, unknown>;
  const at = Object.hasOwn(obj, JSON_TIMESTAMP_KEY) ? jsonTime(obj[JSON_TIMESTAMP_KEY]) : undefined;
  // In the order the metrics are named, as Katib reads them; each name once.
  const seen = new Set<string>();
  for (const name of metricNames) {
    if (seen.has(name) || !wanted.has(name) || !Object.hasOwn(obj, name)) continue;
    seen.add(name);
    const v = obj[name];
    const value =
      typeof v === 'number'
        ? Number.isFinite(v)
          ? v
          : `${JSON.stringify(String(v))} is not finite`
        : typeof v === 'string'
          ? parseValue(v.trim())
          : `${JSON.stringify(v) ?? String(v)} is not a number`;
    if (typeof value === 'string') skipped.push({ line: lineNo, reason: `${name}: ${value}` });
    else add(name, value, at);
  }
}

/** A value's number, or why it is skipped. */
function parseValue(text: string): number | string {
  if (NON_FINITE.test(text)) return `${JSON.stringify(text)} is not finite`;
  if (!NUMBER.test(text)) return `${JSON.stringify(text)} is not a number`;
  const n = Number(text);
  return Number.isFinite(n) ? n : `${JSON.stringify(text)} is not finite`;
}

/** A JSON line's time: RFC 3339 text, or epoch seconds; undefined when neither (Katib: none). */
function jsonTime(v: unknown): number | undefined {
  const t = typeof v === 'string' ? parseRfc3339(v) : typeof v === 'number' ? v : undefined;
  return t !== undefined && validTime(t) ? t : undefined;
}

/** A point's time must be a finite, non-negative number of seconds. */
const validTime = (t: number): boolean => Number.isFinite(t) && t >= 0;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * An RFC 3339 time (Go's RFC3339Nano layout, as Katib parses it: `T`, seconds, optional
 * fraction, `Z` or an offset) in epoch seconds; undefined when the text is not one.
 */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const days = mo === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[mo - 1] as number);
  if (d > days) return undefined;
  let offset = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  const fraction = m[7] ? Number(`0${m[7]}`) : 0;
  return date.getTime() / 1000 + fraction - offset;
}

type PointLike = Pick<MetricPointInput, 'name' | 'value'>;

/**
 * A metric's value by its strategy: the least (min), the greatest (max) or the last in order
 * (latest: steps never go back, so the last point is at the highest step) of its finite values;
 * null when it has none.
 */
export function objectiveOf(points: readonly PointLike[], metricName: string, strategy: MetricStrategyValue): number | null {
  let out: number | null = null;
  for (const p of points) {
    if (p.name !== metricName || !Number.isFinite(p.value)) continue;
    if (out === null || strategy === 'latest') out = p.value;
    else if (strategy === 'min') out = Math.min(out, p.value);
    else out = Math.max(out, p.value);
  }
  return out;
}

/** Each metric's value by its strategy; metrics without a point are left out. */
export function metricsByStrategy(points: readonly PointLike[], strategies: readonly MetricStrategy[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of strategies) {
    const v = objectiveOf(points, s.name, s.value);
    if (v !== null) out[s.name] = v;
  }
  return out;
}
