import { describe, expect, it } from 'vitest';
import type { Assignment, Observation, SearchSpace, Setting, SuggestRequest } from '../space.js';
import { CMAES_GENERATION_LABEL, CMAES_RESTART_LABEL, cmaes, defaultPopulation, rebuild } from './cmaes.js';

const space: SearchSpace = [
  { name: 'a', type: 'double', min: 0, max: 1, step: null, distribution: 'uniform' },
  { name: 'b', type: 'double', min: -5, max: 5, step: null, distribution: 'uniform' },
  { name: 'c', type: 'int', min: 0, max: 100, step: null, distribution: 'uniform' },
  { name: 'kind', type: 'categorical', list: ['x', 'y'], distribution: 'uniform' },
];
// Three numeric dimensions: 4 + floor(3 ln 3) = 7 per generation.
const POP = 7;

/** A sphere with its minimum at a = 0.3, b = 1, c = 70 (unit coordinates ~0.3, 0.6, 0.7). */
const sphere = (a: Assignment) => (Number(a.a) - 0.3) ** 2 + ((Number(a.b) - 1) / 10) ** 2 + ((Number(a.c) - 70) / 101) ** 2;

function request(observations: Observation[], settings: Setting[] = [], seed = 1, count = 1): SuggestRequest {
  return { space, objective: 'minimize', settings, observations, count, maxTrials: null, seed };
}

function run(
  trials: number,
  f: (a: Assignment) => number,
  settings: Setting[] = [],
  seed = 1,
  fail: (t: number) => boolean = () => false,
) {
  const observations: Observation[] = [];
  for (let t = 0; t < trials; t++) {
    const s = cmaes.suggest(request(observations, settings, seed)).suggestions[0]!;
    const failed = fail(t);
    observations.push({
      trial: `t${t}`,
      assignment: s.assignment,
      labels: s.labels,
      outcome: failed ? 'failed' : 'succeeded',
      objective: failed ? null : f(s.assignment),
      series: [],
    });
  }
  return observations;
}

const gen = (o: Observation) => `${o.labels[CMAES_RESTART_LABEL]}/${o.labels[CMAES_GENERATION_LABEL]}`;

describe('cmaes', () => {
  it("uses Optuna's population size", () => {
    expect(defaultPopulation(3)).toBe(POP);
    expect(defaultPopulation(6)).toBe(9);
  });

  it('labels generations of popsize trials and rebuilds them from the observations', () => {
    const observations = run(3 * POP + 2, sphere);
    expect(observations.map(gen)).toEqual([
      ...new Array(POP).fill('0/0'),
      ...new Array(POP).fill('0/1'),
      ...new Array(POP).fill('0/2'),
      '0/3',
      '0/3',
    ]);
    const state = rebuild(request(observations));
    expect(state.generation).toBe(3);
    expect(state.restart).toBe(0);
    expect(state.popsize).toBe(POP);
  });

  it('skips failed trials: a generation needs popsize completed ones', () => {
    const observations = run(POP + 2, sphere, [], 1, (t) => t === 2);
    expect(observations.slice(0, POP + 1).every((o) => gen(o) === '0/0')).toBe(true);
    expect(gen(observations[POP + 1]!)).toBe('0/1');
  });

  it('moves the mean to the minimum and shrinks the step size', () => {
    const observations = run(25 * POP, sphere);
    const state = rebuild(request(observations));
    expect(state.generation).toBe(25);
    expect(state.mean[0]!).toBeCloseTo(0.3, 1);
    expect(state.mean[1]!).toBeCloseTo(0.6, 1);
    expect(state.mean[2]!).toBeCloseTo(0.7, 1);
    expect(state.sigma).toBeLessThan(1 / 6);
    expect(Math.min(...observations.map((o) => o.objective!))).toBeLessThan(0.002);
  });

  it('draws categorical parameters at random and keeps numeric ones in their bounds', () => {
    const observations = run(4 * POP, sphere, [], 2);
    expect(new Set(observations.map((o) => o.assignment.kind))).toEqual(new Set(['x', 'y']));
    for (const { assignment: a } of observations) {
      expect(Number(a.a) >= 0 && Number(a.a) <= 1).toBe(true);
      expect(Number(a.b) >= -5 && Number(a.b) <= 5).toBe(true);
      expect(Number.isInteger(Number(a.c)) && Number(a.c) >= 0 && Number(a.c) <= 100).toBe(true);
    }
  });

  it('gives the same suggestions for the same seed and observations', () => {
    const a = run(2 * POP, sphere, [], 5);
    expect(run(2 * POP, sphere, [], 5).map((o) => o.assignment)).toEqual(a.map((o) => o.assignment));
    expect(run(2 * POP, sphere, [], 6).map((o) => o.assignment)).not.toEqual(a.map((o) => o.assignment));
    // random_state replaces the experiment's seed.
    const b = run(POP, sphere, [{ name: 'random_state', value: '5' }], 99);
    expect(b.map((o) => o.assignment)).toEqual(a.slice(0, POP).map((o) => o.assignment));
  });

  it('restarts a stalled run (a flat generation): ipop with twice the population, from a new mean', () => {
    const flat = () => 1;
    const observations = run(POP + 1, flat, [{ name: 'restart_strategy', value: 'ipop' }]);
    const state = rebuild(request(observations, [{ name: 'restart_strategy', value: 'ipop' }]));
    expect(state.restart).toBe(1);
    expect(state.generation).toBe(0);
    expect(state.popsize).toBe(2 * POP);
    expect(gen(observations[POP]!)).toBe('1/0');
    // The second run's generation is twice as large.
    const more = run(3 * POP + 1, flat, [{ name: 'restart_strategy', value: 'ipop' }]);
    expect(more.filter((o) => gen(o) === '1/0')).toHaveLength(2 * POP);
    expect(gen(more[3 * POP]!)).toBe('2/0');
    expect(rebuild(request(more, [{ name: 'restart_strategy', value: 'ipop' }])).popsize).toBe(4 * POP);
  });

  it('bipop follows a large run with a small one (population and step size drawn), none keeps going', () => {
    const flat = () => 1;
    const bipop = [{ name: 'restart_strategy', value: 'bipop' }];
    const state = rebuild(request(run(POP, flat, bipop), bipop));
    expect(state.restart).toBe(1);
    expect(state.regime).toBe('small');
    expect(state.popsize).toBeGreaterThanOrEqual(POP);
    expect(state.popsize).toBeLessThanOrEqual(2 * POP);
    expect(state.sigma).toBeLessThanOrEqual(1 / 6);
    const none = rebuild(request(run(POP, flat, [{ name: 'restart_strategy', value: 'none' }])));
    expect([none.restart, none.generation]).toEqual([0, 1]);
  });

  it("validates settings as Katib's cmaes does, each problem at its path", () => {
    const v = (settings: Setting[], s: SearchSpace = space) =>
      cmaes.validate({ space: s, objective: 'minimize', settings, maxTrials: 10, parallelTrials: 1 });
    expect(
      v([
        { name: 'restart_strategy', value: 'None' },
        { name: 'sigma', value: '0.2' },
        { name: 'random_state', value: '1' },
      ]),
    ).toEqual([]);
    expect(
      v([
        { name: 'restart_strategy', value: 'lbfgs' },
        { name: 'sigma', value: '0' },
        { name: 'popsize', value: '10' },
      ]).map((i) => i.path),
    ).toEqual([
      'spec.algorithm.algorithmSettings[0].value',
      'spec.algorithm.algorithmSettings[1].value',
      'spec.algorithm.algorithmSettings[2].name',
    ]);
    const oneNumeric = v([], [space[0]!, space[3]!]);
    expect(oneNumeric.map((i) => i.path)).toEqual(['spec.parameters']);
    expect(oneNumeric[0]!.message).toContain('two');
  });
});
