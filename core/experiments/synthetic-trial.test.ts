/**
 * What a synthetic trial is told and reports: a parameter's place in its space, the maximized
 * value's reversed order, and the series of the simulated runtime's trials.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { branin, hartmann6 } from './objectives.js';
import type { Parameter } from './space.js';
import { type ExperimentSpec, parseExperiment } from './spec.js';
import { asMaximized, SYNTHETIC_STEPS, syntheticTrialSeries, unitOf } from './synthetic-trial.js';

/** The random sample (lr, momentum), minimizing or maximizing its objective. */
function sample(type: 'minimize' | 'maximize'): ExperimentSpec {
  const text = readFileSync(new URL('./fixtures/katib/hp-tuning_random.yaml', import.meta.url), 'utf8');
  const r = parseExperiment(text.replace('type: minimize', `type: ${type}`));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.experiment;
}

const double = (distribution: 'uniform' | 'logUniform', min: number, max: number): Parameter => ({
  name: 'p',
  type: 'double',
  min,
  max,
  step: null,
  distribution,
});

describe("a parameter's place in its space", () => {
  it('is linear between the bounds, on a log scale for a log distribution, and clamped', () => {
    expect(unitOf(double('uniform', 0, 10), '2.5')).toBeCloseTo(0.25, 12);
    expect(unitOf(double('logUniform', 0.001, 0.1), '0.01')).toBeCloseTo(0.5, 12);
    expect(unitOf(double('uniform', 0, 10), '20')).toBe(1);
    expect(unitOf(double('uniform', 0, 10), '-1')).toBe(0);
  });

  it('is a position in a list, and the middle when it cannot say', () => {
    const list: Parameter = { name: 'opt', type: 'categorical', list: ['sgd', 'adam', 'ftrl'], distribution: 'uniform' };
    expect(unitOf(list, 'ftrl')).toBe(1);
    expect(unitOf(list, 'rmsprop')).toBe(0.5);
    expect(unitOf(double('uniform', 0, 10), undefined)).toBe(0.5);
    expect(unitOf(double('uniform', 0, 10), 'abc')).toBe(0.5);
  });
});

describe('a maximized value', () => {
  it("reverses each function's order", () => {
    expect(asMaximized(branin, 1)).toBeGreaterThan(asMaximized(branin, 2));
    expect(asMaximized(hartmann6, -3)).toBeGreaterThan(asMaximized(hartmann6, -1));
    expect(asMaximized(branin, 1)).toBe(0.5);
    expect(asMaximized(hartmann6, -3)).toBe(3);
  });
});

describe("the simulated runtime's series", () => {
  it('converges step by step; a maximize experiment is told the maximized values', () => {
    const assignment = { lr: '0.02', momentum: '0.6' };
    const min = syntheticTrialSeries(sample('minimize'), assignment);
    expect(min.map((p) => p.step)).toEqual(Array.from({ length: SYNTHETIC_STEPS }, (_, i) => i + 1));
    for (let i = 1; i < min.length; i++) expect(min[i]?.value).toBeLessThan(min[i - 1]?.value as number);
    const max = syntheticTrialSeries(sample('maximize'), assignment);
    expect(max).toEqual(min.map((p) => ({ step: p.step, value: asMaximized(branin, p.value) })));
  });
});
