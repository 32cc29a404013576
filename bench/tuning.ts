/**
 * What a model-based suggestion costs: one `tpe` suggestion with 1,000 observed trials (target
 * <= 20 ms) and one `bayesianoptimization` (GP) suggestion with 200 observed trials (target
 * <= 100 ms), each timed on Hartmann-6 observations drawn at random with a fixed seed. Every
 * repetition changes the seed of the request (not the observations), so no repetition can reuse
 * another's draws. The caller takes the medians.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRealtimeRuntime } from '../adapters/memory/realtime-runtime.js';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { startExperimentController } from '../app/experiment-controller.js';
import { simulatedTrialMetrics } from '../app/simulated-trials.js';
import { EXPERIMENTS_STREAM, experimentsDecider } from '../core/experiments/experiments-decider.js';
import { evaluateAssignment, hartmann6 } from '../core/experiments/objectives.js';
import type { Observation, SuggestionAlgorithm } from '../core/experiments/space.js';
import { parseExperiment } from '../core/experiments/spec.js';
import { bayesianOptimization } from '../core/experiments/suggest/bayesian-optimization.js';
import { ALGORITHMS } from '../core/experiments/suggest/index.js';
import { createRng, drawAssignment } from '../core/experiments/suggest/sample.js';
import { tpe } from '../core/experiments/suggest/tpe.js';
import { createDeciderEngine, createEngine } from '../engine/engine.js';

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

/**
 * An experiment of 10,000 trials, 100 in parallel (random search over the random sample's space),
 * run through the experiment controller and the simulated runtime with no delays, on the
 * in-memory store: seconds from its creation until it ends (target <= 10 s). Run from the
 * repository's root (the sample is read from core/experiments/fixtures).
 */
export async function experimentRun(trials = 10_000, parallel = 100): Promise<{ seconds: number; trials: number }> {
  const store = new InMemoryEventStore();
  const cluster = await createEngine({ store, archive: null });
  for (const c of [
    { type: 'Install', userId: 'admin', name: 'Admin' },
    { type: 'OnboardUser', userId: 'u', name: 'u', role: 'data-scientist' },
  ] as const) {
    if (!(await cluster.execute(c)).ok) throw new Error(`setup ${c.type}`);
  }
  const experiments = await createDeciderEngine(experimentsDecider, { store, stream: EXPERIMENTS_STREAM });
  const text = readFileSync(join(process.cwd(), 'core/experiments/fixtures/katib/hp-tuning_random.yaml'), 'utf8')
    .replace('maxTrialCount: 12', `maxTrialCount: ${trials}`)
    .replace('parallelTrialCount: 3', `parallelTrialCount: ${parallel}`)
    .replace('maxFailedTrialCount: 3', `maxFailedTrialCount: ${trials}`);
  const spec = parseExperiment(text);
  if (!spec.ok) throw new Error(JSON.stringify(spec.issues));
  const runtime = startRealtimeRuntime(cluster, store, {
    launchDelaySeconds: 0,
    stopDelaySeconds: 0,
    durationOf: (job) => (job.kind === 'trial' ? 0 : null),
    metricsOf: (job) => simulatedTrialMetrics(experiments, job),
  });
  const controller = startExperimentController(cluster, experiments, store, { algorithms: ALGORITHMS });
  const t0 = performance.now();
  await experiments.execute({
    type: 'CreateExperiment',
    experimentId: 'default/bench',
    owner: 'u',
    group: 'default',
    spec: spec.experiment as never,
    seed: 1,
  });
  const x = () => experiments.current.experiments.get('default/bench');
  while (x()?.status === 'Running' && performance.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t0) / 1000;
  controller.stop();
  runtime.stop();
  if (x()?.status !== 'Succeeded') throw new Error(`the experiment is ${x()?.status} (${x()?.message})`);
  return { seconds, trials: x()?.counters.trials ?? 0 };
}
