import { describe, expect, it } from 'vitest';
import { branin, curveAt, curveOf, curveSeries, evaluateAssignment, hartmann6 } from './objectives.js';

describe('synthetic objectives', () => {
  it('Branin reaches 0.397887 at its three minimizers and nowhere lower on a fine grid', () => {
    for (const x of branin.minimizers) expect(branin.evaluate(x)).toBeCloseTo(0.397887, 5);
    let lowest = Number.POSITIVE_INFINITY;
    for (let i = 0; i <= 300; i++) {
      for (let j = 0; j <= 300; j++) lowest = Math.min(lowest, branin.evaluate([-5 + (15 * i) / 300, (15 * j) / 300]));
    }
    expect(lowest).toBeGreaterThanOrEqual(0.397887 - 1e-6);
    expect(branin.evaluate([0, 0])).toBeCloseTo(55.6021, 3);
  });

  it('Hartmann-6 reaches -3.32237 at its minimizer and not below around it', () => {
    const x = hartmann6.minimizers[0]!;
    expect(hartmann6.evaluate(x)).toBeCloseTo(-3.32237, 4);
    for (let d = 0; d < 6; d++) {
      for (const h of [-0.01, 0.01]) {
        const y = [...x];
        y[d] = y[d]! + h;
        expect(hartmann6.evaluate(y)).toBeGreaterThan(-3.32237 - 1e-5);
      }
    }
  });

  it('evaluates an assignment by parameter name', () => {
    expect(evaluateAssignment(branin, { x1: String(Math.PI), x2: '2.275', other: 'x' })).toBeCloseTo(0.397887, 5);
  });

  it("gives learning curves that fall to the objective's value, with shapes that depend on the assignment", () => {
    const a = curveOf(branin, { x1: '3.14159', x2: '2.275' });
    const b = curveOf(branin, { x1: '0', x2: '0' });
    expect(a.final).toBeCloseTo(0.397887, 4);
    const series = curveSeries(a, 50);
    expect(series).toHaveLength(50);
    for (let i = 1; i < series.length; i++) expect(series[i]!.value).toBeLessThan(series[i - 1]!.value);
    expect(curveAt(a, 1)).toBe(a.start);
    expect(curveAt(a, 1e9)).toBeCloseTo(a.final, 3);
    expect([a.start - a.final, a.rate]).not.toEqual([b.start - b.final, b.rate]);
    expect(curveOf(branin, { x1: '0', x2: '0' })).toEqual(b);
  });
});
