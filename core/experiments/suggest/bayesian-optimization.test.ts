import { describe, expect, it } from 'vitest';
import type { Assignment, Observation, SearchSpace, Setting, SuggestRequest } from '../space.js';
import {
  ACQUISITION_LABEL,
  acquisition,
  bayesianOptimization,
  candidateCount,
  hedgeProbabilities,
} from './bayesian-optimization.js';
import { fitHyperparameters, GaussianProcess } from './gaussian-process.js';

const space: SearchSpace = [
  { name: 'x', type: 'double', min: -2, max: 2, step: null, distribution: 'uniform' },
  { name: 'n', type: 'int', min: 1, max: 9, step: null, distribution: 'uniform' },
  { name: 'act', type: 'categorical', list: ['relu', 'tanh'], distribution: 'uniform' },
];

/** Smallest at x = 0.5, n = 3, relu. */
const loss = (a: Assignment) => (Number(a.x) - 0.5) ** 2 + ((Number(a.n) - 3) / 4) ** 2 + (a.act === 'relu' ? 0 : 0.4);

function run(trials: number, seed: number, settings: Setting[] = []): Observation[] {
  const observations: Observation[] = [];
  for (let t = 0; t < trials; t++) {
    const request: SuggestRequest = { space, objective: 'minimize', settings, observations, count: 1, maxTrials: null, seed };
    const s = bayesianOptimization.suggest(request).suggestions[0]!;
    observations.push({
      trial: `t${t}`,
      assignment: s.assignment,
      labels: s.labels,
      outcome: 'succeeded',
      objective: loss(s.assignment),
      series: [],
    });
  }
  return observations;
}

const validateRequest = (settings: Setting[]) => ({
  space,
  objective: 'minimize' as const,
  settings,
  maxTrials: 10,
  parallelTrials: 1,
});

describe('bayesianoptimization', () => {
  it('gives the same suggestions for the same seed and observations, others for another seed', () => {
    const a = run(16, 1);
    expect(run(16, 1).map((o) => o.assignment)).toEqual(a.map((o) => o.assignment));
    expect(run(16, 2).map((o) => o.assignment)).not.toEqual(a.map((o) => o.assignment));
  });

  it('draws n_initial_points at random, then follows the acquisition, labelling which one chose each trial', () => {
    const observations = run(20, 3, [{ name: 'n_initial_points', value: '6' }]);
    expect(observations.slice(0, 6).every((o) => o.labels[ACQUISITION_LABEL] === 'random')).toBe(true);
    expect(observations.slice(6).every((o) => ['EI', 'PI', 'LCB'].includes(o.labels[ACQUISITION_LABEL]!))).toBe(true);
    for (const o of observations) {
      const x = Number(o.assignment.x);
      const n = Number(o.assignment.n);
      expect(x >= -2 && x <= 2 && Number.isInteger(n) && n >= 1 && n <= 9 && ['relu', 'tanh'].includes(o.assignment.act!)).toBe(
        true,
      );
    }
    const best = Math.min(...observations.map((o) => o.objective!));
    const bestRandom = Math.min(...observations.slice(0, 6).map((o) => o.objective!));
    expect(best).toBeLessThan(Math.min(bestRandom, 0.05));
  });

  it('uses the acquisition function it is given', () => {
    const observations = run(12, 4, [
      { name: 'acq_func', value: 'LCB' },
      { name: 'n_initial_points', value: '5' },
    ]);
    expect(observations.slice(5).every((o) => o.labels[ACQUISITION_LABEL] === 'LCB')).toBe(true);
  });

  it('optimizes the acquisition over random candidates only with acq_optimizer sampling, still improving on random', () => {
    const observations = run(20, 6, [
      { name: 'acq_optimizer', value: 'sampling' },
      { name: 'acq_func', value: 'EI' },
      { name: 'n_initial_points', value: '6' },
    ]);
    expect(observations.slice(6).every((o) => o.labels[ACQUISITION_LABEL] === 'EI')).toBe(true);
    const bestRandom = Math.min(...observations.slice(0, 6).map((o) => o.objective!));
    expect(Math.min(...observations.map((o) => o.objective!))).toBeLessThan(bestRandom);
  });

  it('spreads a batch and running trials apart (constant liar)', () => {
    const observations = run(12, 5);
    observations.push({
      trial: 'r',
      assignment: { x: '0.5', n: '3', act: 'relu' },
      labels: {},
      outcome: 'running',
      objective: null,
      series: [],
    });
    const r = bayesianOptimization.suggest({
      space,
      objective: 'minimize',
      settings: [],
      observations,
      count: 3,
      maxTrials: null,
      seed: 5,
    });
    const keys = r.suggestions.map((s) => JSON.stringify(s.assignment));
    expect(new Set([...keys, JSON.stringify({ x: '0.5', n: '3', act: 'relu' })]).size).toBe(4);
  });

  it("validates settings as Katib's skopt service does, refusing what is not implemented", () => {
    expect(
      bayesianOptimization.validate(
        validateRequest([
          { name: 'base_estimator', value: 'GP' },
          { name: 'n_initial_points', value: '5' },
          { name: 'acq_func', value: 'gp_hedge' },
          { name: 'acq_optimizer', value: 'sampling' },
          { name: 'random_state', value: '3' },
          { name: 'kernel', value: 'rbf' },
        ]),
      ),
    ).toEqual([]);
    const issues = bayesianOptimization.validate(
      validateRequest([
        { name: 'base_estimator', value: 'RF' },
        { name: 'acq_func', value: 'EIps' },
        { name: 'n_initial_points', value: '-3' },
        { name: 'acq_optimizer', value: 'adam' },
        { name: 'xi', value: '0.1' },
      ]),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'spec.algorithm.algorithmSettings[0].value',
      'spec.algorithm.algorithmSettings[1].value',
      'spec.algorithm.algorithmSettings[2].value',
      'spec.algorithm.algorithmSettings[3].value',
      'spec.algorithm.algorithmSettings[4].name',
    ]);
  });

  it('scores the acquisitions as skopt does', () => {
    // At the incumbent with no uncertainty nothing improves; uncertainty makes EI positive.
    expect(acquisition('EI', 1, 1e-9, 1)).toBeCloseTo(0, 6);
    expect(acquisition('EI', 1, 1, 1)).toBeGreaterThan(0.35);
    expect(acquisition('PI', 0, 1e-6, 1)).toBeCloseTo(1);
    expect(acquisition('LCB', 2, 1, 0)).toBeCloseTo(-(2 - 1.96));
    // gp_hedge favours the function whose trials came out best.
    const p = hedgeProbabilities(
      [
        { f: 'EI', loss: 0 },
        { f: 'PI', loss: 5 },
      ],
      [0, 5, 2],
    );
    expect(p[0]!).toBeGreaterThan(p[2]!);
    expect(p[2]!).toBeGreaterThan(p[1]!);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });

  it('lowers the random candidates as the trials grow, keeping the work per suggestion bounded', () => {
    expect(candidateCount(50, false)).toBe(1000);
    expect(candidateCount(200, false)).toBe(300);
    expect(candidateCount(1000, false)).toBe(250);
  });
});

describe('gaussian process', () => {
  const xs = Array.from({ length: 15 }, (_, i) => [i / 14]);
  const ys = xs.map(([x]) => Math.sin(6 * x!));

  it('passes close to the observed points with little uncertainty there, more between them and beyond', () => {
    const gp = GaussianProcess.fit(xs, ys, 'matern52');
    const { mean, sd } = gp.predict(Float64Array.from(xs.map(([x]) => x!)), xs.length);
    for (let i = 0; i < xs.length; i++) expect(mean[i]!).toBeCloseTo(ys[i]!, 1);
    const between = gp.predict(Float64Array.from([0.5 / 14, 3]), 2);
    expect(between.mean[0]!).toBeCloseTo(Math.sin(6 * (0.5 / 14)), 1);
    expect(between.sd[1]!).toBeGreaterThan(10 * Math.max(...sd));
  });

  it('fits shorter length scales to a wiggly function than to a smooth one, per dimension', () => {
    const pts = Array.from({ length: 40 }, (_, i) => [(i * 0.618) % 1, (i * 0.381) % 1]);
    const h = fitHyperparameters(
      pts,
      pts.map(([a, b]) => Math.sin(12 * a!) + 0.1 * b!),
      'rbf',
    );
    expect(h.lengthScales[0]!).toBeLessThan(h.lengthScales[1]!);
  });
});
