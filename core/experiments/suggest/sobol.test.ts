import { describe, expect, it } from 'vitest';
import type { SearchSpace } from '../space.js';
import { SOBOL_MAX_DIMENSION, sobol, sobolPoint } from './sobol.js';

describe('sobol sequence', () => {
  it("matches the reference first points (scipy's unscrambled Sobol, Joe-Kuo directions)", () => {
    const first = Array.from({ length: 8 }, (_, i) => sobolPoint(i, 3));
    expect(first).toEqual([
      [0, 0, 0],
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
      [0.875, 0.875, 0.125],
      [0.625, 0.125, 0.875],
      [0.125, 0.625, 0.375],
    ]);
  });

  it('puts exactly one of the first 2^m points in each interval k / 2^m, in every one of 21 dimensions', () => {
    const m = 10;
    const points = Array.from({ length: 2 ** m }, (_, i) => sobolPoint(i, SOBOL_MAX_DIMENSION));
    for (let d = 0; d < SOBOL_MAX_DIMENSION; d++) {
      const cells = new Set(points.map((p) => Math.floor(p[d]! * 2 ** m)));
      expect(cells.size).toBe(2 ** m);
    }
  });

  it('is a (0, m, 2)-net in the first two dimensions: one point per elementary box', () => {
    const m = 8;
    const points = Array.from({ length: 2 ** m }, (_, i) => sobolPoint(i, 2));
    for (let a = 0; a <= m; a++) {
      const cells = new Set(points.map((p) => `${Math.floor(p[0]! * 2 ** a)},${Math.floor(p[1]! * 2 ** (m - a))}`));
      expect(cells.size).toBe(2 ** m);
    }
  });

  it('suggests the points after those already used, mapped onto the space', () => {
    const space: SearchSpace = [
      { name: 'x', type: 'double', min: 0, max: 8, step: null, distribution: 'uniform' },
      { name: 'opt', type: 'categorical', list: ['a', 'b'], distribution: 'uniform' },
    ];
    const request = { space, objective: 'minimize' as const, settings: [], maxTrials: null, seed: 1 };
    const r = sobol.suggest({ ...request, observations: [], count: 3 });
    expect(r.suggestions.map((s) => s.assignment)).toEqual([
      { x: '4', opt: 'b' },
      { x: '6', opt: 'a' },
      { x: '2', opt: 'b' },
    ]);
    const observed = r.suggestions.slice(0, 2).map((s, i) => ({
      trial: `t${i}`,
      assignment: s.assignment,
      labels: {},
      outcome: 'succeeded' as const,
      objective: 0,
      series: [],
    }));
    expect(sobol.suggest({ ...request, observations: observed, count: 1 }).suggestions[0]!.assignment).toEqual({
      x: '2',
      opt: 'b',
    });
    expect(sobol.validate({ ...request, parallelTrials: 1, settings: [{ name: 'scramble', value: 'true' }] })).toHaveLength(1);
  });
});
