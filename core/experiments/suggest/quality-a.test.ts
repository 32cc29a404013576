/**
 * How well random, grid, sobol and hyperband do on Branin and Hartmann-6: 50 trials, 30 seeds,
 * the median over seeds of the best value found. Hyperband gets a budget parameter (epochs, up to
 * 27) and learning curves that converge to the objective; it is compared with random search of
 * the same number of trials, each run at the full 27 epochs, and with random search spending the
 * same total resource at the full budget.
 */
import { describe, expect, it } from 'vitest';
import { medianOf } from '../early-stopping/medianstop.js';
import { branin, curveAt, curveOf, evaluateAssignment, hartmann6, type SyntheticObjective } from '../objectives.js';
import type { Observation, SearchSpace, Setting, SuggestionAlgorithm } from '../space.js';
import { gridOf } from './grid.js';
import { hyperbandSchedule, scheduleResource } from './hyperband.js';
import { ALGORITHMS } from './index.js';
import type { NumericParameter } from './sample.js';

const SEEDS = Array.from({ length: 30 }, (_, i) => 1000 + i);
const TRIALS = 50;
const PARALLEL = 9;
const EPOCHS = 27;

/** Run an algorithm to `trials` trials (or until it is exhausted), finishing each round before the next. */
function optimize(
  algorithm: SuggestionAlgorithm,
  space: SearchSpace,
  settings: Setting[],
  seed: number,
  trials: number,
  evaluate: (a: Record<string, string>) => number,
): Observation[] {
  const observations: Observation[] = [];
  while (observations.length < trials) {
    const count = Math.min(PARALLEL, trials - observations.length);
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

      // Hyperband against random search of equal count at the full budget, both on learning curves.
      const hSpace: SearchSpace = [
        ...objective.space,
        { name: 'epochs', type: 'int', min: 1, max: EPOCHS, step: null, distribution: 'uniform' },
      ];
      const atBudget = (a: Record<string, string>) => curveAt(curveOf(objective, a), Number(a.epochs));
      const hSettings = [
        { name: 'resource_name', value: 'epochs' },
        { name: 'r_l', value: String(EPOCHS) },
        { name: 'eta', value: '3' },
      ];
      const schedule = hyperbandSchedule(3, EPOCHS);
      const hbTrials = schedule.reduce((n, b) => n + b.rungs.reduce((t, r) => t + r.trials, 0), 0);
      const hbRuns = SEEDS.map((seed) => optimize(ALGORITHMS.hyperband!, hSpace, hSettings, seed, 10_000, atBudget));
      const fullBudget = (a: Record<string, string>) => atBudget({ ...a, epochs: String(EPOCHS) });
      const randomEqual = SEEDS.map((seed) =>
        best(optimize(ALGORITHMS.random!, objective.space, [], seed, hbTrials, fullBudget)),
      );
      for (const run of hbRuns) {
        expect(run).toHaveLength(hbTrials);
        expect(run.reduce((s, o) => s + Number(o.assignment.epochs), 0)).toBe(scheduleResource(schedule));
      }
      // Random search with hyperband's total resource spent on full-budget trials.
      const equalResource = Math.floor(scheduleResource(schedule) / EPOCHS);
      const randomSameResource = SEEDS.map((seed) =>
        best(optimize(ALGORITHMS.random!, objective.space, [], seed, equalResource, fullBudget)),
      );
      row.hyperbandTrials = hbTrials;
      row.hyperband = medianOf(hbRuns.map(best));
      row.randomEqualCount = medianOf(randomEqual);
      row.hyperbandResource = scheduleResource(schedule);
      row.randomResource = hbTrials * EPOCHS;
      row.randomEqualResourceTrials = equalResource;
      row.randomEqualResource = medianOf(randomSameResource);
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
      expect(row.hyperbandResource as number).toBeLessThan(row.randomResource as number);
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
