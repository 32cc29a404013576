/**
 * Metrics reports: steps filled in and never going back, series and final values from the events.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeMetricsEvent,
  finalMetrics,
  lastSteps,
  MAX_METRIC_POINTS,
  type MetricsReported,
  metricSeries,
  reportMetrics,
} from './metrics.js';

const report = (points: Parameters<typeof reportMetrics>[1], at: number, events: MetricsReported[]) => {
  const r = reportMetrics('ga/train', points, at, lastSteps(metricSeries(events)));
  if (r.ok) events.push(r.event);
  return r;
};

describe('metrics reports', () => {
  it('fill in steps and times, and give each metric’s series and final value', () => {
    const events: MetricsReported[] = [];
    report(
      [
        { name: 'loss', value: 0.9 },
        { name: 'acc', value: 0.5, step: 10 },
      ],
      100,
      events,
    );
    report(
      [
        { name: 'loss', value: 0.4 },
        { name: 'acc', value: 0.8, step: 20, at: 99 },
      ],
      110,
      events,
    );
    const series = metricSeries(events);
    expect(series.get('loss')).toEqual([
      { name: 'loss', value: 0.9, step: 0, at: 100 },
      { name: 'loss', value: 0.4, step: 1, at: 110 },
    ]);
    expect(series.get('acc')?.map((p) => [p.step, p.at])).toEqual([
      [10, 100],
      [20, 99],
    ]);
    expect(finalMetrics(series)).toEqual({ loss: 0.4, acc: 0.8 });
    // Stored events decode back to themselves.
    for (const e of events) expect(decodeMetricsEvent(JSON.parse(JSON.stringify(e)))).toEqual({ ok: true, value: e });
  });

  it('refuses a step that goes back, an empty report and an oversized one, keeping nothing of it', () => {
    const events: MetricsReported[] = [];
    report([{ name: 'loss', value: 1, step: 5 }], 1, events);
    const back = report(
      [
        { name: 'acc', value: 1 },
        { name: 'loss', value: 0.5, step: 4 },
      ],
      2,
      events,
    );
    expect(back).toEqual({ ok: false, message: 'points[1].step: loss is at step 5 already; steps do not go back' });
    expect(events).toHaveLength(1);
    expect(report([], 3, events).ok).toBe(false);
    expect(
      report(
        Array.from({ length: MAX_METRIC_POINTS + 1 }, () => ({ name: 'x', value: 1 })),
        3,
        events,
      ).ok,
    ).toBe(false);
  });

  it('keep every metric’s steps in order whatever is reported (property)', () => {
    const point = fc.record({
      name: fc.constantFrom('loss', 'acc', 'lr'),
      value: fc.double({ noNaN: true, noDefaultInfinity: true }),
      step: fc.option(fc.nat(50), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(point, { minLength: 1, maxLength: 5 }), { maxLength: 20 }), (reports) => {
        const events: MetricsReported[] = [];
        for (const [i, points] of reports.entries())
          report(
            points.map((p) => (p.step === undefined ? { name: p.name, value: p.value } : p)),
            i,
            events,
          );
        for (const [name, s] of metricSeries(events)) {
          for (let k = 1; k < s.length; k++) expect((s[k]?.step ?? 0) >= (s[k - 1]?.step ?? 0), name).toBe(true);
          expect(finalMetrics(metricSeries(events))[name]).toBe(s[s.length - 1]?.value);
        }
      }),
    );
  });
});
