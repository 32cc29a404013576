/**
 * What a model-based suggestion costs: one `tpe` suggestion with 1,000 observed trials (target
 * <= 20 ms) and one `bayesianoptimization` (GP) suggestion with 200 observed trials (target
 * <= 100 ms), each timed on Hartmann-6 observations drawn at random with a fixed seed. Every
 * repetition changes the seed of the request (not the observations), so no repetition can reuse
 * another's draws. The caller takes the medians.
 */
import { evaluateAssignment, hartmann6 } from '../core/experiments/objectives.js';
import type { Observation, SuggestionAlgorithm } from '../core/experiments/space.js';
import { bayesianOptimization } from '../core/experiments/suggest/bayesian-optimization.js';
import { createRng, drawAssignment } from '../core/experiments/suggest/sample.js';
import { tpe } from '../core/experiments/suggest/tpe.js';

export const TUNING = { tpeTrials: 1000, gpTrials: 200, reps: 15, warmup: 3 } as const;

/** Completed Hartmann-6 trials at random points, the same for every run. */
export function hartmannObservations(n: number, seed = 7): Observation[] {
  const rng = createRng(seed, n);
  return Array.from({ length: n }, (_, i) => {
    const assignment = drawAssignment(hartmann6.space, rng);
    return {
      trial: `trial-${i}`,
      assignment,
      labels: {},
      outcome: 'succeeded',
      objective: evaluateAssignment(hartmann6, assignment),
      series: [],
    } satisfies Observation;
  });
}

function time(algorithm: SuggestionAlgorithm, observations: Observation[], reps: number, warmup: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < warmup + reps; r++) {
    const t0 = performance.now();
    const result = algorithm.suggest({
      space: hartmann6.space,
      objective: 'minimize',
      settings: [],
      observations,
      count: 1,
      maxTrials: null,
      seed: r,
    });
    const ms = performance.now() - t0;
    if (result.suggestions.length !== 1) throw new Error(`${algorithm.name} gave ${result.suggestions.length} suggestions`);
    if (r >= warmup) out.push(ms);
  }
  return out;
}

export async function tuningRun(): Promise<{ tpeMs: number[]; gpMs: number[] }> {
  const tpeMs = time(tpe, hartmannObservations(TUNING.tpeTrials), TUNING.reps, TUNING.warmup);
  const gpMs = time(bayesianOptimization, hartmannObservations(TUNING.gpTrials), TUNING.reps, TUNING.warmup);
  return { tpeMs, gpMs };
}
