import { describe, expect, it } from 'vitest';
import { parsePrometheusText, prometheusMetrics } from './prometheus-text.js';

// What prometheus_client (Python) serves at /metrics for a gauge, a counter and a histogram.
const EXPOSITION = [
  '# HELP accuracy Validation accuracy.',
  '# TYPE accuracy gauge',
  'accuracy 0.8125',
  '# HELP loss Training loss by split.',
  '# TYPE loss gauge',
  'loss{split="train"} 0.5',
  'loss{split="val",note="a \\"quoted\\" \\\\ value\\nnext"} 0.75 1700000000123',
  '# TYPE steps_total counter',
  'steps_total 1.2e3',
  'lr +Inf',
  'latency_bucket{le="0.5"} 3',
  'latency_bucket{le="+Inf"} 4',
  'nan_metric NaN',
  '',
].join('\n');

describe('parsePrometheusText', () => {
  it('reads samples with labels, escapes, Go floats and millisecond timestamps, passing over comments', () => {
    const { samples, skipped } = parsePrometheusText(EXPOSITION);
    expect(skipped).toEqual([]);
    expect(samples.map((s) => s.name)).toEqual([
      'accuracy',
      'loss',
      'loss',
      'steps_total',
      'lr',
      'latency_bucket',
      'latency_bucket',
      'nan_metric',
    ]);
    expect(samples[2]).toEqual({
      name: 'loss',
      labels: { split: 'val', note: 'a "quoted" \\ value\nnext' },
      value: 0.75,
      timestampMs: 1700000000123,
    });
    expect(samples[3]?.value).toBe(1200);
    expect(samples[4]?.value).toBe(Number.POSITIVE_INFINITY);
    expect(samples[6]?.labels).toEqual({ le: '+Inf' });
    expect(samples[7]?.value).toBeNaN();
  });

  it('skips lines that do not read, with their numbers, and reads the others', () => {
    const { samples, skipped } = parsePrometheusText(
      ['ok 1', '{x="1"} 2', 'bad{x=1} 3', 'open{x="1} 4', 'words are not values', 'stamp 1 1.5', 'fine{a="b",} 5'].join('\n'),
    );
    expect(samples.map((s) => [s.name, s.value])).toEqual([
      ['ok', 1],
      ['fine', 5],
    ]);
    expect(skipped.map((s) => s.line)).toEqual([2, 3, 4, 5, 6]);
  });
});

describe('prometheusMetrics', () => {
  it("picks each asked metric's unlabelled series, or its only one; times are the sample's, else the scrape's", () => {
    const out = prometheusMetrics(EXPOSITION, ['accuracy', 'steps_total', 'missing', 'accuracy'], 1700000500);
    expect(out).toEqual({
      points: [
        { name: 'accuracy', value: 0.8125, at: 1700000500 },
        { name: 'steps_total', value: 1200, at: 1700000500 },
      ],
      skipped: [],
    });
    const only = prometheusMetrics('loss{split="val"} 0.25 1700000000500', ['loss'], 1);
    expect(only.points).toEqual([{ name: 'loss', value: 0.25, at: 1700000000.5 }]);
  });

  it('skips a metric of several labelled series and one that is not finite', () => {
    const out = prometheusMetrics(EXPOSITION, ['loss', 'lr', 'nan_metric'], 5);
    expect(out.points).toEqual([]);
    expect(out.skipped).toEqual([
      { line: 0, reason: 'loss: 2 labelled series and none without labels' },
      { line: 0, reason: 'lr: Infinity is not finite' },
      { line: 0, reason: 'nan_metric: NaN is not finite' },
    ]);
  });
});
