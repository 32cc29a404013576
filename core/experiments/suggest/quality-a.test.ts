/**
 * How well random, grid, sobol and hyperband do on Branin and Hartmann-6: 50 trials, 30 seeds,
 * the median over seeds of the best value found. Hyperband gets a budget parameter (epochs, up to
 * 27) on a standard multi-fidelity version of each objective (below) and is compared with random
 * search of the same number of configurations at the full budget, with random search of Katib's
 * trial count, and with random search spending the same total resource at the full budget.
 */
import { describe, expect, it } from 'vitest';
import { medianOf } from '../early-stopping/medianstop.js';
import {
  BRANIN_COEFFICIENTS,
  branin,
  braninWith,
  coordinatesOf,
  evaluateAssignment,
  HARTMANN6_ALPHA,
  hartmann6,
  hartmann6With,
  type SyntheticObjective,
} from '../objectives.js';
import type { Assignment, Observation, SearchSpace, Setting, SuggestionAlgorithm } from '../space.js';
import { gridOf } from './grid.js';
import { hyperbandSchedule, RUNG_LABEL, scheduleResource } from './hyperband.js';
import { ALGORITHMS } from './index.js';
import type { NumericParameter } from './sample.js';

const SEEDS = Array.from({ length: 30 }, (_, i) => 1000 + i);
const TRIALS = 50;
const PARALLEL = 9;
const EPOCHS = 27;

/** Run an algorithm to `trials` trials (or until it is exhausted), finishing each round of `parallel` before the next. */
function optimize(
  algorithm: SuggestionAlgorithm,
  space: SearchSpace,
  settings: Setting[],
  seed: number,
  trials: number,
  evaluate: (a: Record<string, string>) => number,
  parallel = PARALLEL,
): Observation[] {
  const observations: Observation[] = [];
  while (observations.length < trials) {
    const count = Math.min(parallel, trials - observations.length);
    const r = algorithm.suggest({ space, objective: 'minimize', settings, observations, count, maxTrials: trials, seed });
    for (const s of r.suggestions) {
      observations.push({
        trial: `t${observations.length}`,
        assignment: s.assignment,
        labels: s.labels,
        outcome: 'succeeded',
        objective: evaluate(s.assignment),
        series: [],
      });
    }
    if (r.exhausted || r.suggestions.length === 0) break;
  }
  return observations;
}

const best = (obs: readonly Observation[]) => Math.min(...obs.map((o) => o.objective as number));

/*
 * The objective at a budget. Hyperband rests on one assumption (Li et al., 2018): a configuration's
 * value at a small budget is a biased, cheaper look at its value at the full budget, and the bias
 * shrinks as the budget grows. The learning curves of objectives.ts are not that: each starts 5 to
 * 15 above its final value at a rate drawn independently of the value, so at 1 epoch the ranking is
 * noise (Hartmann-6's values span only 3.3), and at 27 epochs a curve still sits up to 2.9 above
 * its value, so even "the full budget" does not show the objective. Here instead, the standard
 * multi-fidelity versions of these two functions from Kandasamy et al., "Multi-fidelity Bayesian
 * optimisation with continuous approximations" (BOCA, ICML 2017), at fidelity z in [0, 1]:
 *   Branin:     b = 5.1 / (4 pi^2) - 0.01 (1 - z), c = 5 / pi - 0.1 (1 - z), t = 1 / (8 pi) + 0.05 (1 - z)
 *   Hartmann-6: every alpha_i lowered by 0.1 (1 - z)
 * with the budget r in 1..r_l placed on a log scale, z = ln r / ln r_l, as mf-prior-bench places the
 * fidelities of its multi-fidelity Hartmann functions (Mallik et al., PriorBand, NeurIPS 2023):
 * hyperband's rungs 1, 3, 9, 27 sit at z = 0, 1/3, 2/3, 1. At the full budget the value is the
 * objective's own, so the full-budget trials of every search are measured alike.
 * Optionally, mf-prior-bench's noise on top: |N(0, 1)| sigma (1 - z), a pure function of the
 * configuration and the budget.
 */
function braninAt(x: readonly number[], z: number): number {
  const { b, c, t } = BRANIN_COEFFICIENTS;
  return braninWith({ b: b - 0.01 * (1 - z), c: c - 0.1 * (1 - z), t: t + 0.05 * (1 - z) }, x);
}

function hartmann6At(x: readonly number[], z: number): number {
  return hartmann6With(
    HARTMANN6_ALPHA.map((alpha) => alpha - 0.1 * (1 - z)),
    x,
  );
}

const AT_FIDELITY: Record<string, (x: readonly number[], z: number) => number> = { branin: braninAt, hartmann6: hartmann6At };

/**
 * The noise of the noisy variant: mf-prior-bench's "moderate" 0.2 on Hartmann-6, and for Branin the
 * same share (about 6%) of the gap between a typical point (about 33) and the minimum.
 */
const NOISE: Record<string, number> = { branin: 2, hartmann6: 0.2 };

/** FNV-1a of a string into (0, 1]. */
function hashUnit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return ((h >>> 0) + 1) / 2 ** 32;
}

/** |N(0, 1)| by Box-Muller from two hashes of the key. */
function halfNormal(key: string): number {
  return Math.abs(Math.sqrt(-2 * Math.log(hashUnit(`u:${key}`))) * Math.cos(2 * Math.PI * hashUnit(`v:${key}`)));
}

/** The objective at `epochs` (1..EPOCHS): the multi-fidelity model above, with noise of st.dev. `noise` at the lowest budget. */
function atBudget(objective: SyntheticObjective, assignment: Assignment, noise: number): number {
  const x = coordinatesOf(objective, assignment);
  const epochs = Number(assignment.epochs);
  const z = Math.log(epochs) / Math.log(EPOCHS);
  const value = AT_FIDELITY[objective.name]!(x, z);
  return noise === 0 ? value : value + noise * (1 - z) * halfNormal(`${x.join(',')}@${epochs}`);
}

interface HyperbandRun {
  readonly observations: readonly Observation[];
  /** The configurations each bracket started, in the order they were drawn. */
  readonly configurations: readonly number[][];
  /** The best value of a trial run at the full budget: what hyperband hands back trained. */
  readonly best: number;
}

/*
 * Hyperband with eta 3 and r_l 27 epochs, run to its end (70 trials, 49 configurations, 450 epochs).
 *
 * "Random search of equal count" is random search of as many configurations, each trained at the
 * full budget: successive halving's claim (Jamieson and Talwalkar, 2016; Li et al., 2018) is that
 * it finds the best of n configurations for less than n full trainings. Katib counts every rung's
 * trial as a trial (a promoted configuration runs again with more resource), so its count is 70;
 * but a promotion samples nothing new, and no rule that picks among 49 random configurations can
 * reach the best of 70 (over 2000 seeds, the best of 49 has median 1.12 on Branin and -1.74 on
 * Hartmann-6, the best of 70 0.89 and -1.87). That row is reported, not asserted.
 *
 * Hyperband draws its k-th configuration from (seed, k), as random search does its k-th trial one
 * trial a round: random search of the same seed tries exactly hyperband's 49 configurations. The
 * comparison is thus paired, seed by seed; with independent draws, two random searches of 49
 * trials alone differ by up to 0.3 in their 30-seed medians (1.05 and 1.35 on Branin), more than
 * what is being measured.
 *
 * Hyperband's best is the best full-budget trial: a lower budget's value measures a different
 * (biased) function, and counting it would compare unlike values.
 */
function hyperbandRun(objective: SyntheticObjective, seed: number, noise: number): HyperbandRun {
  const space: SearchSpace = [
    ...objective.space,
    { name: 'epochs', type: 'int', min: 1, max: EPOCHS, step: null, distribution: 'uniform' },
  ];
  const settings = [
    { name: 'resource_name', value: 'epochs' },
    { name: 'r_l', value: String(EPOCHS) },
    { name: 'eta', value: '3' },
  ];
  const observations = optimize(ALGORITHMS.hyperband!, space, settings, seed, 10_000, (a) => atBudget(objective, a, noise));
  return {
    observations,
    configurations: observations.filter((o) => o.labels[RUNG_LABEL] === '0').map((o) => coordinatesOf(objective, o.assignment)),
    best: best(observations.filter((o) => o.assignment.epochs === String(EPOCHS))),
  };
}

/** A grid of the objective's domain with the given number of values per parameter. */
function gridSpace(objective: SyntheticObjective, points: number): SearchSpace {
  return objective.space.map((p) => {
    const q = p as NumericParameter;
    return { ...q, step: (q.max - q.min) / (points - 1) };
  });
}

const report: Record<string, Record<string, number | string>> = {};
const cases = [
  { objective: branin, gridPoints: 8 }, // 64 points
  { objective: hartmann6, gridPoints: 3 }, // 729 points
];

describe('suggestion quality on Branin and Hartmann-6 (30 seeds)', () => {
  for (const { objective, gridPoints } of cases) {
    it(`${objective.name}: random, sobol, grid and hyperband`, () => {
      const evaluate = (a: Record<string, string>) => evaluateAssignment(objective, a);
      const row: Record<string, number | string> = { minimum: objective.minimum };

      const randomBest = SEEDS.map((seed) => best(optimize(ALGORITHMS.random!, objective.space, [], seed, TRIALS, evaluate)));
      // Unscrambled Sobol does not depend on the seed: one run stands for all.
      const sobolBest = best(optimize(ALGORITHMS.sobol!, objective.space, [], 0, TRIALS, evaluate));
      row.random = medianOf(randomBest);
      row.sobol = sobolBest;

      const gSpace = gridSpace(objective, gridPoints);
      const g = gridOf(gSpace)!;
      const gridRuns = SEEDS.map((seed) => optimize(ALGORITHMS.grid!, gSpace, [], seed, TRIALS, evaluate));
      for (const run of gridRuns) {
        expect(run).toHaveLength(Math.min(TRIALS, g.size));
        expect(new Set(run.map((o) => JSON.stringify(o.assignment))).size).toBe(run.length);
        for (const o of run) {
          g.names.forEach((name, d) => {
            expect(g.values[d]).toContain(o.assignment[name]);
          });
        }
      }
      row.grid = medianOf(gridRuns.map(best));
      // Given the grid's size as its budget, grid search visits every point exactly once.
      const full = optimize(ALGORITHMS.grid!, gSpace, [], 1, g.size, evaluate);
      expect(new Set(full.map((o) => JSON.stringify(o.assignment))).size).toBe(g.size);
      row.gridFull = best(full);

      // Hyperband against random search of equal count: see the comment on `hyperbandRun` above.
      const schedule = hyperbandSchedule(3, EPOCHS);
      const hbTrials = schedule.reduce((n, b) => n + b.rungs.reduce((t, r) => t + r.trials, 0), 0);
      const hbConfigurations = schedule.reduce((n, b) => n + b.rungs[0]!.trials, 0);
      const hb = SEEDS.map((seed) => hyperbandRun(objective, seed, 0));
      const randomEqual = SEEDS.map((seed) =>
        optimize(ALGORITHMS.random!, objective.space, [], seed, hbConfigurations, evaluate, 1),
      );
      hb.forEach((run, i) => {
        expect(run.observations).toHaveLength(hbTrials);
        expect(run.observations.reduce((s, o) => s + Number(o.assignment.epochs), 0)).toBe(scheduleResource(schedule));
        // At the full budget the multi-fidelity model is the objective itself.
        for (const o of run.observations.filter((o) => o.assignment.epochs === String(EPOCHS))) {
          expect(o.objective).toBe(evaluate(o.assignment));
        }
        // Random search of the same seed, one trial a round, draws exactly hyperband's configurations.
        expect(run.configurations).toEqual(randomEqual[i]!.map((o) => coordinatesOf(objective, o.assignment)));
        // So hyperband can at best tie it: the most it can do is keep the best of them to the full budget.
        expect(run.best).toBeGreaterThanOrEqual(best(randomEqual[i]!));
      });
      const randomEqualBest = randomEqual.map(best);
      const foundBest = (runs: readonly HyperbandRun[]) =>
        `${runs.filter((run, i) => run.best === randomEqualBest[i]).length}/${runs.length}`;
      // Katib's own count: every rung's trial is a trial, so 70 trials of random search, which the
      // first 49 above begin. No selection among 49 configurations reaches the best of 70 (see `hyperbandRun`).
      const randomSameTrials = SEEDS.map((seed) =>
        best(optimize(ALGORITHMS.random!, objective.space, [], seed, hbTrials, evaluate, 1)),
      );
      // Random search with hyperband's total resource spent on full-budget trials.
      const equalResource = Math.floor(scheduleResource(schedule) / EPOCHS);
      const randomSameResource = SEEDS.map((seed) =>
        best(optimize(ALGORITHMS.random!, objective.space, [], seed, equalResource, evaluate)),
      );
      // The same with noisy low budgets, reported only: how much the result leans on low budgets ranking well.
      const hbNoisy = SEEDS.map((seed) => hyperbandRun(objective, seed, NOISE[objective.name]!));
      row.hyperbandTrials = hbTrials;
      row.hyperbandConfigurations = hbConfigurations;
      row.hyperband = medianOf(hb.map((run) => run.best));
      row.hyperbandFoundBestConfiguration = foundBest(hb);
      row.randomEqualCount = medianOf(randomEqualBest);
      row.hyperbandResource = scheduleResource(schedule);
      row.randomEqualCountResource = hbConfigurations * EPOCHS;
      row.randomEqualTrials = medianOf(randomSameTrials);
      row.randomEqualTrialsResource = hbTrials * EPOCHS;
      row.randomEqualResourceTrials = equalResource;
      row.randomEqualResource = medianOf(randomSameResource);
      row.hyperbandNoisyLowBudgets = medianOf(hbNoisy.map((run) => run.best));
      row.hyperbandNoisyFoundBestConfiguration = foundBest(hbNoisy);
      report[objective.name] = row;

      // Nothing beats the known minimum, and every search does far better than a typical point.
      const typical = medianOf(
        SEEDS.map((seed) => optimize(ALGORITHMS.random!, objective.space, [], seed, 1, evaluate)[0]!.objective!),
      );
      row.typicalPoint = typical;
      for (const v of [row.random, row.sobol, row.grid, row.hyperband, row.randomEqualCount] as number[]) {
        expect(v).toBeGreaterThanOrEqual(objective.minimum - 1e-6);
        expect(v).toBeLessThan(typical);
      }
      // The criterion: hyperband reaches the best of random search of equal count, with less resource.
      expect(row.hyperband as number).toBeLessThanOrEqual(row.randomEqualCount as number);
      expect(row.hyperbandResource as number).toBeLessThan(row.randomEqualCountResource as number);
      // For the same resource, hyperband finds better than random search at the full budget.
      expect(row.hyperband as number).toBeLessThan(row.randomEqualResource as number);
    });
  }

  it('prints the medians', () => {
    console.log(
      `quality-a medians over ${SEEDS.length} seeds, best value found (lower is better):\n${JSON.stringify(report, null, 2)}`,
    );
    expect(Object.keys(report)).toEqual(['branin', 'hartmann6']);
  });
});
