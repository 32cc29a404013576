/**
 * How well the model-based algorithms do on Branin and Hartmann-6: 50 trials, 30 seeds, the median
 * over seeds of the best value found, against random search on the same seeds. `tpe`,
 * `bayesianoptimization` and `cmaes` must reach a lower median than `random`; `multivariate-tpe`
 * is reported alongside. Trials run one at a time (count 1), each completed before the next
 * suggestion, so every algorithm sees every result.
 */
import { describe, expect, it } from 'vitest';
import { branin, evaluateAssignment, hartmann6, type SyntheticObjective } from '../objectives.js';
import type { Observation, SuggestionAlgorithm } from '../space.js';
import { bayesianOptimization } from './bayesian-optimization.js';
import { cmaes } from './cmaes.js';
import { multivariateTpe } from './multivariate-tpe.js';
import { random } from './random.js';
import { tpe } from './tpe.js';

const SEEDS = Array.from({ length: 30 }, (_, i) => 1000 + i);
const TRIALS = 50;

function bestOf(algorithm: SuggestionAlgorithm, objective: SyntheticObjective, seed: number): number {
  const observations: Observation[] = [];
  let best = Number.POSITIVE_INFINITY;
  while (observations.length < TRIALS) {
    const r = algorithm.suggest({
      space: objective.space,
      objective: 'minimize',
      settings: [],
      observations,
      count: 1,
      maxTrials: TRIALS,
      seed,
    });
    const s = r.suggestions[0]!;
    const value = evaluateAssignment(objective, s.assignment);
    best = Math.min(best, value);
    observations.push({
      trial: `t${observations.length}`,
      assignment: s.assignment,
      labels: s.labels,
      outcome: 'succeeded',
      objective: value,
      series: [],
    });
  }
  return best;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const ALGORITHMS = { random, tpe, 'multivariate-tpe': multivariateTpe, bayesianoptimization: bayesianOptimization, cmaes };
const report: Record<string, Record<string, number>> = {};

describe('model-based suggestion quality on Branin and Hartmann-6 (50 trials, 30 seeds)', () => {
  for (const objective of [branin, hartmann6]) {
    it(`${objective.name}: tpe, bayesianoptimization and cmaes reach a lower median best value than random`, () => {
      const row: Record<string, number> = { minimum: objective.minimum };
      for (const [name, algorithm] of Object.entries(ALGORITHMS)) {
        row[name] = median(SEEDS.map((seed) => bestOf(algorithm, objective, seed)));
      }
      report[objective.name] = row;
      if (Object.keys(report).length === 2)
        console.log('median best of 50 trials over 30 seeds', JSON.stringify(report, null, 2));
      for (const name of ['tpe', 'bayesianoptimization', 'cmaes']) {
        expect(row[name], name).toBeLessThan(row.random!);
      }
      // Everything stays above the known minimum: the objectives and the algorithms agree on the domain.
      for (const v of Object.values(row)) expect(v).toBeGreaterThanOrEqual(objective.minimum - 1e-4);
    });
  }
});
