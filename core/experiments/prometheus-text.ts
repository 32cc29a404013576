/**
 * The Prometheus text exposition format (version 0.0.4, as a `/metrics` endpoint answers), read
 * into samples, and a trial's metrics picked from them (the PrometheusMetric collector).
 *
 * A sample line is `name{label="value",...} value [timestamp]`: the labels optional, label values
 * with `\\`, `\"` and `\n` escapes, the value a Go float (`1.5e3`, `NaN`, `+Inf`, `-Inf`), the
 * timestamp integer milliseconds. `#` lines (HELP, TYPE, comments) and blank lines are passed
 * over. A histogram's or a summary's series are samples like the others (`loss_bucket{le="0.5"}`,
 * `loss_sum`, `loss_count`).
 *
 * The npm parsers of this format (parse-prometheus-text-format) are unmaintained, untyped and
 * return values as text grouped by family; one pass over the lines is all the collector needs.
 *
 * Pure: the runtime scrapes the trial's pod and passes the text and the scrape's time.
 */
import type { MetricPointInput } from '../assets/metrics.js';
import type { SkippedLine } from './metrics-collector.js';

export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Epoch milliseconds, when the line gives one. */
  readonly timestampMs?: number;
}

export interface ParsedExposition {
  readonly samples: PrometheusSample[];
  readonly skipped: SkippedLine[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** A Go `strconv.ParseFloat` number as the format writes it, or undefined. */
function parseGoFloat(text: string): number | undefined {
  if (/^[+-]?inf$/i.test(text)) return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** `{a="x",b="y"}` from `text` at its start: the labels and what follows, or why it does not read. */
function readLabels(text: string): { labels: Record<string, string>; rest: string } | string {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const name = LABEL_NAME.exec(text.slice(i))?.[0];
    if (!name) return `a label name is expected at column ${i + 1}`;
    i += name.length;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] !== '=' || text[i + 1] !== '"') return `label ${name}: '="' is expected`;
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) return `label ${name}: its value is not closed`;
      if (c === '"') break;
      if (c === '\\') {
        const e = text[i + 1];
        value += e === 'n' ? '\n' : (e ?? '');
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    labels[name] = value;
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') return `label ${name}: ',' or '}' is expected after its value`;
  }
}

/** Every sample of an exposition; lines that do not read are skipped, with their number. */
export function parsePrometheusText(text: string): ParsedExposition {
  const samples: PrometheusSample[] = [];
  const skipped: SkippedLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = (raw.endsWith('\r') ? raw.slice(0, -1) : raw).trim();
    if (line === '' || line.startsWith('#')) return;
    const lineNo = index + 1;
    const name = NAME.exec(line)?.[0];
    if (!name) {
      skipped.push({ line: lineNo, reason: 'a metric name is expected' });
      return;
    }
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const read = readLabels(rest);
      if (typeof read === 'string') {
        skipped.push({ line: lineNo, reason: `${name}: ${read}` });
        return;
      }
      labels = read.labels;
      rest = read.rest;
    }
    const fields = rest.trim().split(/[ \t]+/);
    const value = parseGoFloat(fields[0] ?? '');
    if (value === undefined || fields.length > 2) {
      skipped.push({ line: lineNo, reason: `${name}: "${rest.trim()}" is not a value and an optional timestamp` });
      return;
    }
    const ts = fields[1] === undefined ? undefined : Number(fields[1]);
    if (ts !== undefined && !Number.isSafeInteger(ts)) {
      skipped.push({ line: lineNo, reason: `${name}: the timestamp ${JSON.stringify(fields[1])} is not integer milliseconds` });
      return;
    }
    samples.push(ts === undefined ? { name, labels, value } : { name, labels, value, timestampMs: ts });
  });
  return { samples, skipped };
}

/**
 * The experiment's metrics in one scrape: for each name, its sample without labels, or its only
 * sample when it has one series; a metric of several labelled series is ambiguous and skipped,
 * and a value that is not finite is skipped. Each point's time is its sample's timestamp, else
 * `at` (the scrape's, epoch seconds). Points carry no step: the caller numbers its scrapes.
 */
export function prometheusMetrics(
  text: string,
  metricNames: readonly string[],
  at: number,
): { points: MetricPointInput[]; skipped: SkippedLine[] } {
  const { samples, skipped } = parsePrometheusText(text);
  const points: MetricPointInput[] = [];
  for (const name of new Set(metricNames)) {
    const series = samples.filter((s) => s.name === name);
    if (series.length === 0) continue;
    const sample = series.find((s) => Object.keys(s.labels).length === 0) ?? (series.length === 1 ? series[0] : undefined);
    if (!sample) {
      skipped.push({ line: 0, reason: `${name}: ${series.length} labelled series and none without labels` });
      continue;
    }
    if (!Number.isFinite(sample.value)) {
      skipped.push({ line: 0, reason: `${name}: ${sample.value} is not finite` });
      continue;
    }
    const time = sample.timestampMs !== undefined && sample.timestampMs >= 0 ? sample.timestampMs / 1000 : at;
    points.push({ name, value: sample.value, at: time });
  }
  return { points, skipped };
}
