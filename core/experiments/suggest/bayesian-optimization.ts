/**
 * Katib's `bayesianoptimization` (scikit-optimize's Optimizer with a GP base estimator): the first
 * `n_initial_points` trials are drawn at random, then a Gaussian process (gaussian-process.ts) is
 * fitted to the losses over the unit cube and the trial goes where the acquisition function is
 * best: EI (expected improvement), PI (probability of improvement), LCB (lower confidence bound)
 * or gp_hedge, which picks one of the three per trial with probabilities softmax(gains).
 *
 * skopt keeps gp_hedge's gains in memory; here they are rebuilt from the observations: each trial
 * is labelled with the acquisition function that chose it, and a function's gain is the sum over
 * its completed trials of how far below the mean their standardized loss came out.
 *
 * The acquisition is maximized over random candidates and, unless `acq_optimizer` is `sampling`,
 * a local search around the best candidates and the best trial so far (where skopt runs L-BFGS).
 * Running trials, and the earlier suggestions of the same call, enter the model with the best
 * loss seen so far as their value (skopt's "cl_min" constant liar), so parallel trials spread out.
 */
import type { Parameter, SettingsIssue, Suggestion, SuggestionAlgorithm, SuggestRequest, SuggestResult } from '../space.js';
import { fitHyperparameters, GaussianProcess, type GpHyperparameters, type GpKernel } from './gaussian-process.js';
import {
  categories,
  categoryAt,
  checkSettings,
  drawUnit,
  fromUnit,
  gaussian,
  intSetting,
  isComplete,
  isPending,
  lossOf,
  normalCdf,
  normalPdf,
  oneOf,
  type RandomGenerator,
  rngFor,
  settingValues,
  snapUnit,
  uniform,
  unitPoint,
} from './unit-space.js';

export const ACQUISITION_LABEL = 'bayesianoptimization.suggestion.gpupool.io/acquisition';

export type AcquisitionFunction = 'EI' | 'PI' | 'LCB';
const HEDGED: readonly AcquisitionFunction[] = ['EI', 'PI', 'LCB'];

export const BAYESIAN_OPTIMIZATION_DEFAULTS = {
  baseEstimator: 'GP',
  nInitialPoints: 10,
  acqFunc: 'gp_hedge',
  acqOptimizer: 'auto',
  kernel: 'matern52',
} as const;

export interface BayesianOptimizationSettings {
  readonly nInitialPoints: number;
  readonly acqFunc: AcquisitionFunction | 'gp_hedge';
  readonly acqOptimizer: 'auto' | 'sampling' | 'lbfgs';
  readonly kernel: GpKernel;
  readonly seed: number;
}

/** skopt's defaults: xi for EI and PI, kappa for LCB. */
const XI = 0.01;
const KAPPA = 1.96;
/**
 * Random candidates for the acquisition: a prediction costs about n² per candidate (the triangular
 * solve for the variance), so above ~110 trials fewer candidates keep a suggestion near 10⁷ flops
 * and the local search does the rest.
 */
export function candidateCount(trials: number, sampling: boolean): number {
  const budget = Math.floor(1.2e7 / Math.max(1, trials * trials));
  return sampling ? Math.min(2000, Math.max(500, 2 * budget)) : Math.min(1000, Math.max(250, budget));
}

const SETTINGS = {
  // Katib also accepts RF, ET and GBRT (tree ensembles); only the GP is implemented here.
  base_estimator: oneOf(['GP']),
  n_initial_points: intSetting(0),
  // EIps and PIps need each trial's duration, which the observations do not carry.
  acq_func: oneOf(['gp_hedge', 'LCB', 'EI', 'PI']),
  acq_optimizer: oneOf(['auto', 'sampling', 'lbfgs']),
  random_state: intSetting(0),
  // gpupool's addition: skopt's GP uses Matérn 5/2.
  kernel: oneOf(['matern52', 'rbf']),
};

export function bayesianOptimizationSettings(request: Pick<SuggestRequest, 'settings' | 'seed'>): BayesianOptimizationSettings {
  const v = settingValues(request.settings, SETTINGS);
  const get = (name: string) => (typeof v[name] === 'string' ? v[name] : undefined);
  const int = (name: string, fallback: number) => (typeof v[name] === 'number' ? v[name] : fallback);
  return {
    nInitialPoints: int('n_initial_points', BAYESIAN_OPTIMIZATION_DEFAULTS.nInitialPoints),
    acqFunc: (get('acq_func') ?? BAYESIAN_OPTIMIZATION_DEFAULTS.acqFunc) as BayesianOptimizationSettings['acqFunc'],
    acqOptimizer: (get('acq_optimizer') ??
      BAYESIAN_OPTIMIZATION_DEFAULTS.acqOptimizer) as BayesianOptimizationSettings['acqOptimizer'],
    kernel: (get('kernel') ?? BAYESIAN_OPTIMIZATION_DEFAULTS.kernel) as GpKernel,
    seed: int('random_state', request.seed),
  };
}

/** A parameter's features: its coordinate, or one-hot slots for a category (as skopt encodes them). */
export function features(space: readonly Parameter[], u: readonly number[], out: Float64Array, offset: number): void {
  let o = offset;
  space.forEach((p, j) => {
    const k = categories(p);
    if (k === 0) {
      out[o++] = u[j]!;
      return;
    }
    const c = categoryAt(p, u[j]!);
    for (let s = 0; s < k; s++) out[o++] = s === c ? 1 : 0;
  });
}

export function featureCount(space: readonly Parameter[]): number {
  return space.reduce((a, p) => a + Math.max(1, categories(p)), 0);
}

/** The acquisition's value (larger is better) for a posterior mean and sd of the loss. */
export function acquisition(f: AcquisitionFunction, mean: number, sd: number, best: number): number {
  if (f === 'LCB') return -(mean - KAPPA * sd);
  const z = (best - mean - XI) / sd;
  if (f === 'PI') return normalCdf(z);
  return (best - mean - XI) * normalCdf(z) + sd * normalPdf(z);
}

/** gp_hedge's choice: softmax over the gains, each function's completed trials scored by their standardized loss. */
export function hedgeProbabilities(labelled: readonly { f: string; loss: number }[], allLosses: readonly number[]): number[] {
  const n = allLosses.length;
  const mean = allLosses.reduce((a, b) => a + b, 0) / Math.max(n, 1);
  const sd = Math.sqrt(allLosses.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(n, 1)) || 1;
  const gains = HEDGED.map((f) => labelled.filter((t) => t.f === f).reduce((a, t) => a - (t.loss - mean) / sd, 0));
  const max = Math.max(...gains);
  const e = gains.map((g) => Math.exp(g - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

interface Scored {
  readonly u: number[];
  readonly value: number;
}

function scoreAll(
  space: readonly Parameter[],
  gp: GaussianProcess,
  f: AcquisitionFunction,
  best: number,
  points: readonly number[][],
): Scored[] {
  const dim = featureCount(space);
  const flat = new Float64Array(points.length * dim);
  points.forEach((u, i) => {
    features(space, u, flat, i * dim);
  });
  const { mean, sd } = gp.predict(flat, points.length);
  return points.map((u, i) => ({ u, value: acquisition(f, mean[i]!, sd[i]!, best) }));
}

function perturb(space: readonly Parameter[], u: readonly number[], scale: number, rng: RandomGenerator): number[] {
  return space.map((p, j) => {
    if (categories(p) > 0) return uniform(rng) < scale ? uniform(rng) : u[j]!;
    return snapUnit(p, Math.min(1, Math.max(0, u[j]! + scale * gaussian(rng))));
  });
}

function maximize(
  request: SuggestRequest,
  settings: BayesianOptimizationSettings,
  gp: GaussianProcess,
  f: AcquisitionFunction,
  best: number,
  bestPoint: number[] | null,
  rng: RandomGenerator,
): number[] {
  const { space } = request;
  const local = settings.acqOptimizer !== 'sampling';
  const m = candidateCount(gp.size, !local);
  const candidates = Array.from({ length: m }, () => space.map((p) => snapUnit(p, uniform(rng))));
  let scored = scoreAll(space, gp, f, best, candidates);
  if (!local) return scored.reduce((a, b) => (b.value > a.value ? b : a)).u;
  scored.sort((a, b) => b.value - a.value);
  const starts = scored.slice(0, 5);
  if (bestPoint !== null) starts.push(...scoreAll(space, gp, f, best, [bestPoint]));
  let top = starts[0]!;
  for (const start of starts) {
    let current = start;
    for (const scale of [0.1, 0.03, 0.01]) {
      const moves = Array.from({ length: 10 }, () => perturb(space, current.u, scale, rng));
      scored = scoreAll(space, gp, f, best, moves);
      for (const s of scored) if (s.value > current.value) current = s;
    }
    if (current.value > top.value) top = current;
  }
  return top.u;
}

function suggest(request: SuggestRequest): SuggestResult {
  const settings = bayesianOptimizationSettings(request);
  const { space } = request;
  const rng = rngFor(settings.seed, 'bayesianoptimization', request.observations);
  const completed: { u: number[]; loss: number; f: string | undefined }[] = [];
  const pending: number[][] = [];
  for (const o of request.observations) {
    const u = unitPoint(space, o);
    if (u === null) continue;
    if (isComplete(o)) completed.push({ u, loss: lossOf(request.objective, o.objective), f: o.labels[ACQUISITION_LABEL] });
    else if (isPending(o)) pending.push(u);
  }
  const dim = featureCount(space);
  const featuresOf = (u: readonly number[]) => {
    const out = new Float64Array(dim);
    features(space, u, out, 0);
    return Array.from(out);
  };
  const losses = completed.map((c) => c.loss);
  const bestLoss = Math.min(...losses);
  const bestPoint = completed.find((c) => c.loss === bestLoss)?.u ?? null;
  let hyper: GpHyperparameters | null = null;
  const suggestions: Suggestion[] = [];
  for (let k = 0; k < request.count; k++) {
    let u: number[];
    let label: string;
    if (request.observations.length + k < settings.nInitialPoints || completed.length < 2) {
      u = space.map((p) => drawUnit(p, rng));
      label = 'random';
    } else {
      const xs = completed.map((c) => featuresOf(c.u));
      hyper ??= fitHyperparameters(xs, losses, settings.kernel);
      const lies = pending.map(featuresOf);
      const gp = GaussianProcess.fit([...xs, ...lies], [...losses, ...lies.map(() => bestLoss)], settings.kernel, hyper);
      let f: AcquisitionFunction;
      if (settings.acqFunc === 'gp_hedge') {
        const probs = hedgeProbabilities(
          completed.filter((c) => c.f !== undefined).map((c) => ({ f: c.f!, loss: c.loss })),
          losses,
        );
        const r = uniform(rng);
        f = r < probs[0]! ? 'EI' : r < probs[0]! + probs[1]! ? 'PI' : 'LCB';
      } else f = settings.acqFunc;
      u = maximize(request, settings, gp, f, bestLoss, bestPoint, rng);
      label = f;
    }
    pending.push(u);
    const assignment: Record<string, string> = {};
    space.forEach((p, j) => {
      assignment[p.name] = fromUnit(p, u[j]!);
    });
    suggestions.push({ assignment, labels: { [ACQUISITION_LABEL]: label } });
  }
  return { suggestions, exhausted: false };
}

export const bayesianOptimization: SuggestionAlgorithm = {
  name: 'bayesianoptimization',
  validate: (request): SettingsIssue[] => checkSettings(request.settings, SETTINGS),
  suggest,
};
