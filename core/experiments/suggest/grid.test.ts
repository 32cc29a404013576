import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Observation, SearchSpace, SuggestRequest } from '../space.js';
import { grid, gridValues } from './grid.js';

// The parameters of Katib's sample hp-tuning_grid.yaml: lr 0.01..0.05 by 0.005, momentum 0.5..0.9 by 0.1.
const sample = parse(readFileSync(new URL('../fixtures/katib/hp-tuning_grid.yaml', import.meta.url), 'utf8')) as {
  spec: { parameters: { name: string; feasibleSpace: { min: string; max: string; step: string } }[] };
};
const space: SearchSpace = sample.spec.parameters.map((p) => ({
  name: p.name,
  type: 'double',
  min: Number(p.feasibleSpace.min),
  max: Number(p.feasibleSpace.max),
  step: Number(p.feasibleSpace.step),
  distribution: 'uniform',
}));

function request(observations: Observation[], count: number): SuggestRequest {
  return { space, objective: 'minimize', settings: [], observations, count, maxTrials: 45, seed: 3 };
}

describe('grid search', () => {
  it('builds the values as Katib does, the max endpoint kept when it falls on the step', () => {
    expect(gridValues(space[0]!)).toEqual(['0.01', '0.015', '0.02', '0.025', '0.03', '0.035', '0.04', '0.045', '0.05']);
    expect(gridValues(space[1]!)).toEqual(['0.5', '0.6', '0.7', '0.8', '0.9']);
    // numpy's arange drops a last value beyond max: 0.1..0.35 by 0.1 stops at 0.3.
    expect(gridValues({ name: 'x', type: 'double', min: 0.1, max: 0.35, step: 0.1, distribution: 'uniform' })).toEqual([
      '0.1',
      '0.2',
      '0.3',
    ]);
    expect(gridValues({ name: 'n', type: 'int', min: 1, max: 10, step: 3, distribution: 'uniform' })).toEqual([
      '1',
      '4',
      '7',
      '10',
    ]);
  });

  it("visits exactly the sample's 45 points once, then says it is exhausted", () => {
    const observations: Observation[] = [];
    let exhausted = false;
    while (!exhausted) {
      const result = grid.suggest(request(observations, 4));
      for (const s of result.suggestions) {
        observations.push({
          trial: `t${observations.length}`,
          assignment: s.assignment,
          labels: s.labels,
          outcome: 'succeeded',
          objective: 0,
          series: [],
        });
      }
      exhausted = result.exhausted;
      expect(observations.length).toBeLessThanOrEqual(45);
    }
    const keys = observations.map((o) => `${o.assignment.lr}/${o.assignment.momentum}`);
    expect(new Set(keys).size).toBe(45);
    const expected = gridValues(space[0]!)!.flatMap((lr) => gridValues(space[1]!)!.map((m) => `${lr}/${m}`));
    expect(new Set(keys)).toEqual(new Set(expected));
    expect(grid.suggest(request(observations, 3))).toEqual({ suggestions: [], exhausted: true });
  });

  it('skips points already observed, even written differently, and is reproducible', () => {
    const seen: Observation = {
      trial: 'a',
      assignment: { lr: '0.010', momentum: '0.50' },
      labels: {},
      outcome: 'failed',
      objective: null,
      series: [],
    };
    const all = grid.suggest(request([seen], 45));
    expect(all.suggestions).toHaveLength(44);
    expect(all.suggestions.some((s) => s.assignment.lr === '0.01' && s.assignment.momentum === '0.5')).toBe(false);
    expect(all.exhausted).toBe(true);
    expect(grid.suggest(request([seen], 5))).toEqual(grid.suggest(request([seen], 5)));
  });

  it('refuses maxTrialCount beyond the grid, a double without a step and unknown settings', () => {
    const base = { space, objective: 'minimize' as const, settings: [], parallelTrials: 3 };
    expect(grid.validate({ ...base, maxTrials: 45 })).toEqual([]);
    expect(grid.validate({ ...base, maxTrials: 50 })).toEqual([
      { path: 'spec.maxTrialCount', message: "maxTrialCount 50 is more than the grid's 45 points" },
    ]);
    const noStep: SearchSpace = [space[0]!, { ...space[1]!, step: null } as SearchSpace[number]];
    expect(grid.validate({ ...base, space: noStep, maxTrials: 5 }).map((i) => i.path)).toEqual([
      'spec.parameters[1].feasibleSpace.step',
    ]);
    expect(grid.validate({ ...base, maxTrials: 5, settings: [{ name: 'foo', value: '1' }] }).map((i) => i.path)).toEqual([
      'spec.algorithm.algorithmSettings[0].name',
    ]);
  });
});
