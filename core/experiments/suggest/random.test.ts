import { describe, expect, it } from 'vitest';
import { medianOf } from '../early-stopping/medianstop.js';
import type { Parameter, SearchSpace, SuggestRequest } from '../space.js';
import { random } from './random.js';

const space: SearchSpace = [
  { name: 'lr', type: 'double', min: 0.001, max: 0.1, step: null, distribution: 'logUniform' },
  { name: 'layers', type: 'int', min: 2, max: 5, step: null, distribution: 'uniform' },
  { name: 'dropout', type: 'double', min: 0.1, max: 0.5, step: 0.05, distribution: 'uniform' },
  { name: 'width', type: 'double', min: 10, max: 20, step: null, distribution: 'normal' },
  { name: 'optimizer', type: 'categorical', list: ['sgd', 'adam', 'ftrl'], distribution: 'uniform' },
  { name: 'batch', type: 'discrete', list: ['16', '32', '64'], distribution: 'uniform' },
];

function request(over: Partial<SuggestRequest> = {}): SuggestRequest {
  return { space, objective: 'minimize', settings: [], observations: [], count: 2000, maxTrials: null, seed: 7, ...over };
}

const draws = random.suggest(request()).suggestions.map((s) => s.assignment);
const numbers = (name: string) => draws.map((a) => Number(a[name]));

describe('random search', () => {
  it('keeps every parameter within its bounds and type', () => {
    for (const a of draws) {
      const lr = Number(a.lr);
      expect(lr).toBeGreaterThanOrEqual(0.001);
      expect(lr).toBeLessThanOrEqual(0.1);
      expect(a.layers).toMatch(/^[2-5]$/);
      expect(['sgd', 'adam', 'ftrl']).toContain(a.optimizer);
      expect(['16', '32', '64']).toContain(a.batch);
      const w = Number(a.width);
      expect(w).toBeGreaterThanOrEqual(10);
      expect(w).toBeLessThanOrEqual(20);
    }
  });

  it('honours the step: every value is min + k * step, written without float noise', () => {
    const allowed = new Set(['0.1', '0.15', '0.2', '0.25', '0.3', '0.35', '0.4', '0.45', '0.5']);
    for (const a of draws) expect(allowed.has(a.dropout as string)).toBe(true);
    expect(new Set(draws.map((a) => a.dropout)).size).toBe(9);
  });

  it('draws ints, categories and discrete values about uniformly, ends included', () => {
    for (const name of ['layers', 'optimizer', 'batch']) {
      const counts = new Map<string, number>();
      for (const a of draws) counts.set(a[name] as string, (counts.get(a[name] as string) ?? 0) + 1);
      const expected = draws.length / counts.size;
      for (const c of counts.values()) expect(Math.abs(c - expected)).toBeLessThan(expected * 0.2);
    }
    expect(new Set(numbers('layers'))).toEqual(new Set([2, 3, 4, 5]));
  });

  it('draws log-uniform values with a median near the geometric mean of the bounds', () => {
    const median = medianOf(numbers('lr'));
    expect(median / Math.sqrt(0.001 * 0.1)).toBeGreaterThan(0.85);
    expect(median / Math.sqrt(0.001 * 0.1)).toBeLessThan(1.15);
    // A uniform draw would put the median near 0.05.
    expect(median).toBeLessThan(0.02);
  });

  it('draws normal values around the middle, sigma a sixth of the range', () => {
    const w = numbers('width');
    const mean = w.reduce((s, x) => s + x, 0) / w.length;
    const sd = Math.sqrt(w.reduce((s, x) => s + (x - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean - 15)).toBeLessThan(0.1);
    expect(sd).toBeGreaterThan(1.5);
    expect(sd).toBeLessThan(1.7);
  });

  it('gives the same suggestions for the same seed and observations, others for another seed', () => {
    const a = random.suggest(request({ count: 5 })).suggestions;
    const b = random.suggest(request({ count: 5 })).suggestions;
    const c = random.suggest(request({ count: 5, seed: 8 })).suggestions;
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('moves on once trials are observed, and random_state overrides the seed', () => {
    const first = random.suggest(request({ count: 1 })).suggestions[0]!;
    const observed = {
      trial: 't0',
      assignment: first.assignment,
      labels: {},
      outcome: 'succeeded' as const,
      objective: 1,
      series: [],
    };
    const next = random.suggest(request({ count: 1, observations: [observed] })).suggestions[0]!;
    expect(next.assignment).not.toEqual(first.assignment);
    const viaSetting = random.suggest(request({ count: 3, seed: 1, settings: [{ name: 'random_state', value: '7' }] }));
    expect(viaSetting.suggestions).toEqual(random.suggest(request({ count: 3 })).suggestions);
  });

  it('refuses unknown settings and bad seeds', () => {
    const base = { space, objective: 'minimize' as const, maxTrials: 10, parallelTrials: 2 };
    expect(random.validate({ ...base, settings: [{ name: 'random_state', value: '3' }] })).toEqual([]);
    expect(random.validate({ ...base, settings: [{ name: 'n_startup_trials', value: '3' }] })).toEqual([
      { path: 'spec.algorithm.algorithmSettings[0].name', message: 'unknown setting n_startup_trials' },
    ]);
    expect(random.validate({ ...base, settings: [{ name: 'random_state', value: '-1' }] })[0]?.path).toBe(
      'spec.algorithm.algorithmSettings[0].value',
    );
  });

  it('writes an int parameter with a step on its grid', () => {
    const p: Parameter = { name: 'units', type: 'int', min: 16, max: 128, step: 16, distribution: 'uniform' };
    const r = random.suggest({ ...request({ count: 300 }), space: [p] });
    const values = new Set(r.suggestions.map((s) => Number(s.assignment.units)));
    for (const v of values) expect((v - 16) % 16).toBe(0);
    expect(values.size).toBe(8);
  });
});
