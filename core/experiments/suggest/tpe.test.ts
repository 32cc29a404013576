import { describe, expect, it } from 'vitest';
import type { Assignment, Observation, SearchSpace, Setting, SuggestionAlgorithm, SuggestRequest } from '../space.js';
import { multivariateTpe } from './multivariate-tpe.js';
import { defaultWeights, gamma, tpe } from './tpe.js';

const mixed: SearchSpace = [
  { name: 'lr', type: 'double', min: 1e-4, max: 1e-1, step: null, distribution: 'logUniform' },
  { name: 'layers', type: 'int', min: 2, max: 10, step: 2, distribution: 'uniform' },
  { name: 'optimizer', type: 'categorical', list: ['sgd', 'adam', 'ftrl'], distribution: 'uniform' },
  { name: 'batch', type: 'discrete', list: ['16', '32', '64'], distribution: 'uniform' },
];

/** Smallest at lr = 0.01, layers = 6, adam, batch 32. */
function loss(a: Assignment): number {
  return (
    (Math.log10(Number(a.lr)) + 2) ** 2 +
    ((Number(a.layers) - 6) / 4) ** 2 +
    (a.optimizer === 'adam' ? 0 : 0.5) +
    (a.batch === '32' ? 0 : 0.3)
  );
}

function run(algorithm: SuggestionAlgorithm, trials: number, seed: number, settings: Setting[] = []): Observation[] {
  const observations: Observation[] = [];
  for (let t = 0; t < trials; t++) {
    const request: SuggestRequest = {
      space: mixed,
      objective: 'minimize',
      settings,
      observations,
      count: 1,
      maxTrials: null,
      seed,
    };
    const s = algorithm.suggest(request).suggestions[0]!;
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

function inSpace(a: Assignment): boolean {
  const lr = Number(a.lr);
  const layers = Number(a.layers);
  return (
    lr >= 1e-4 &&
    lr <= 1e-1 &&
    Number.isInteger(layers) &&
    layers % 2 === 0 &&
    layers >= 2 &&
    layers <= 10 &&
    ['sgd', 'adam', 'ftrl'].includes(a.optimizer!) &&
    ['16', '32', '64'].includes(a.batch!)
  );
}

const validateRequest = (settings: Setting[]) => ({
  space: mixed,
  objective: 'minimize' as const,
  settings,
  maxTrials: 10,
  parallelTrials: 1,
});

describe.each([
  ['tpe', tpe],
  ['multivariate-tpe', multivariateTpe],
] as const)('%s', (name, algorithm) => {
  it('gives the same suggestions for the same seed and observations, others for another seed', () => {
    const a = run(algorithm, 25, 11);
    const b = run(algorithm, 25, 11);
    const c = run(algorithm, 25, 12);
    expect(b.map((o) => o.assignment)).toEqual(a.map((o) => o.assignment));
    expect(c.map((o) => o.assignment)).not.toEqual(a.map((o) => o.assignment));
  });

  it('keeps every value inside the space: log double in range, int on its step, categories from the lists', () => {
    const observations = run(algorithm, 40, 5);
    for (const o of observations) expect(inSpace(o.assignment), JSON.stringify(o.assignment)).toBe(true);
  });

  it('finds better trials once the startup trials are done than random search does', () => {
    const observations = run(algorithm, 40, 3, [{ name: 'n_startup_trials', value: '8' }]);
    const mean = (xs: Observation[]) => xs.reduce((a, o) => a + o.objective!, 0) / xs.length;
    // The last 15 suggestions come from the model; the first 8 are random.
    expect(mean(observations.slice(25))).toBeLessThan(mean(observations.slice(0, 8)) * 0.6);
  });

  it('spreads a batch out: running trials and earlier suggestions of the call count as bad (constant liar)', () => {
    const observations = run(algorithm, 15, 2);
    const r = algorithm.suggest({
      space: mixed,
      objective: 'minimize',
      settings: [],
      observations,
      count: 4,
      maxTrials: null,
      seed: 2,
    });
    expect(r.suggestions).toHaveLength(4);
    expect(new Set(r.suggestions.map((s) => JSON.stringify(s.assignment))).size).toBe(4);
  });

  it('maximizes when the objective says so', () => {
    const observations: Observation[] = [];
    for (let t = 0; t < 35; t++) {
      const s = algorithm.suggest({
        space: mixed,
        objective: 'maximize',
        settings: [],
        observations,
        count: 1,
        maxTrials: null,
        seed: 4,
      }).suggestions[0]!;
      observations.push({
        trial: `t${t}`,
        assignment: s.assignment,
        labels: {},
        outcome: 'succeeded',
        objective: -loss(s.assignment),
        series: [],
      });
    }
    const mean = (xs: Observation[]) => xs.reduce((a, o) => a + o.objective!, 0) / xs.length;
    // Larger is better here: the model's suggestions must be better on average than the 10 random ones.
    expect(mean(observations.slice(20))).toBeGreaterThan(mean(observations.slice(0, 10)));
  });

  it('validates settings as Katib does, each problem at its path', () => {
    expect(
      algorithm.validate(
        validateRequest([
          { name: 'n_startup_trials', value: '5' },
          { name: 'n_ei_candidates', value: '32' },
          { name: 'random_state', value: '7' },
        ]),
      ),
    ).toEqual([]);
    const issues = algorithm.validate(
      validateRequest([
        { name: 'n_startup_trials', value: '-1' },
        { name: 'n_ei_candidates', value: 'many' },
        { name: 'gamma', value: '0.2' },
        { name: 'random_state', value: '1.5' },
      ]),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'spec.algorithm.algorithmSettings[0].value',
      'spec.algorithm.algorithmSettings[1].value',
      'spec.algorithm.algorithmSettings[2].name',
      'spec.algorithm.algorithmSettings[3].value',
    ]);
    expect(issues[2]!.message).toContain('gamma');
    expect(name).toBe(algorithm.name);
  });
});

describe("Optuna's defaults", () => {
  it('takes the best 10 % as good, at most 25', () => {
    expect([1, 10, 11, 100, 1000].map(gamma)).toEqual([1, 1, 2, 10, 25]);
  });

  it('weighs older trials less once there are more than 25', () => {
    expect([...defaultWeights(5)]).toEqual([1, 1, 1, 1, 1]);
    const w = defaultWeights(100);
    expect(w[0]).toBeCloseTo(0.01);
    expect(w[74]).toBeCloseTo(1);
    expect([...w.slice(75)].every((v) => v === 1)).toBe(true);
    for (let i = 1; i < 75; i++) expect(w[i]!).toBeGreaterThan(w[i - 1]!);
  });

  it('ignores failed trials and reads running ones as bad', () => {
    const observations = run(tpe, 12, 9);
    const withFailed: Observation[] = [
      ...observations,
      { trial: 'f', assignment: observations[0]!.assignment, labels: {}, outcome: 'failed', objective: null, series: [] },
    ];
    const r = tpe.suggest({
      space: mixed,
      objective: 'minimize',
      settings: [],
      observations: withFailed,
      count: 1,
      maxTrials: null,
      seed: 9,
    });
    expect(inSpace(r.suggestions[0]!.assignment)).toBe(true);
  });
});
