/**
 * CMA-ES, as Katib's `cmaes` (Optuna's CmaEsSampler): a multivariate normal over the numeric
 * parameters' unit cube (mean at the centre, sigma0 = `sigma`, default 1/6 of the range, as Optuna
 * sets it), sampling a generation of popsize = 4 + floor(3 ln n) trials, moving the mean, the
 * covariance and the step size with each completed generation (Hansen's update with positive
 * recombination weights). Categorical and discrete parameters are drawn at random, as Optuna's
 * CmaEsSampler leaves them to its independent sampler.
 *
 * No state is kept between calls: each trial is labelled with its restart and generation, and the
 * distribution is rebuilt by replaying the generations in order from the observations. A generation
 * is complete once popsize of its trials completed (the first popsize in suggestion order, failed
 * trials skipped, as Optuna tells a generation once it has popsize completed solutions); until then
 * new trials join it.
 *
 * Restart strategies (`restart_strategy`): `ipop` starts over from a random mean with twice the
 * population each time the search stalls (step size or spread gone, a flat generation, an
 * ill-conditioned covariance); `bipop` alternates such large-population runs with small ones whose
 * population and step size are drawn at random, spending about as many trials on each regime;
 * `none` keeps the single run.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Observation, SettingsIssue, Suggestion, SuggestionAlgorithm, SuggestRequest, SuggestResult } from '../space.js';
import { createRng } from './sample.js';
import {
  checkSettings,
  drawUnit,
  fromUnit,
  gaussian,
  intSetting,
  isComplete,
  lossOf,
  numberIn,
  oneOf,
  type RandomGenerator,
  rngFor,
  settingValues,
  toUnit,
  uniform,
} from './unit-space.js';

export const CMAES_RESTART_LABEL = 'cmaes.suggestion.gpupool.io/restart';
export const CMAES_GENERATION_LABEL = 'cmaes.suggestion.gpupool.io/generation';

export type RestartStrategy = 'none' | 'ipop' | 'bipop';

export interface CmaesSettings {
  readonly restartStrategy: RestartStrategy;
  readonly sigma0: number;
  readonly seed: number;
}

const SETTINGS = {
  // Katib's validation accepts ipop and none (None); Optuna also implements bipop, offered here.
  restart_strategy: oneOf(['none', 'None', 'ipop', 'bipop']),
  // Katib accepts 0, which would never move; a step size must be positive.
  sigma: numberIn(0, 1, { minOpen: true }),
  random_state: intSetting(0),
};

export function cmaesSettings(request: Pick<SuggestRequest, 'settings' | 'seed'>): CmaesSettings {
  const v = settingValues(request.settings, SETTINGS);
  const strategy = typeof v.restart_strategy === 'string' ? v.restart_strategy.toLowerCase() : 'none';
  return {
    restartStrategy: strategy as RestartStrategy,
    sigma0: typeof v.sigma === 'number' ? v.sigma : 1 / 6,
    seed: typeof v.random_state === 'number' ? v.random_state : request.seed,
  };
}

/** Optuna's (and Hansen's) default population for n dimensions. */
export function defaultPopulation(n: number): number {
  return 4 + Math.floor(3 * Math.log(n));
}

/** The distribution of one run, as rebuilt so far. */
export interface CmaesState {
  readonly restart: number;
  generation: number;
  readonly popsize: number;
  mean: number[];
  sigma: number;
  /** Covariance, row-major n × n. */
  c: number[][];
  pc: number[];
  ps: number[];
  /** C = B diag(d²) Bᵀ. */
  b: number[][];
  d: number[];
  /** The regime of a bipop run. */
  readonly regime: 'large' | 'small';
}

const identity = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

function newRun(
  n: number,
  restart: number,
  popsize: number,
  mean: number[],
  sigma: number,
  regime: 'large' | 'small',
): CmaesState {
  return {
    restart,
    generation: 0,
    popsize,
    mean,
    sigma,
    c: identity(n),
    pc: new Array(n).fill(0),
    ps: new Array(n).fill(0),
    b: identity(n),
    d: new Array(n).fill(1),
    regime,
  };
}

function decompose(s: CmaesState): void {
  const n = s.mean.length;
  // Symmetrize against rounding before the decomposition.
  const sym = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym.set(i, j, (s.c[i]![j]! + s.c[j]![i]!) / 2);
  const eig = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const vectors = eig.eigenvectorMatrix;
  s.d = values.map((v) => Math.sqrt(Math.max(v, 1e-20)));
  s.b = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => vectors.get(i, j)));
  s.c = sym.to2DArray();
}

/** Hansen's update from one complete generation (points in the unit cube, losses). */
export function updateGeneration(s: CmaesState, xs: readonly number[][], losses: readonly number[]): void {
  const n = s.mean.length;
  const lambda = s.popsize;
  const mu = Math.floor(lambda / 2);
  const raw = Array.from({ length: mu }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(i + 1));
  const sumW = raw.reduce((a, b) => a + b, 0);
  const w = raw.map((v) => v / sumW);
  const muEff = 1 / w.reduce((a, b) => a + b * b, 0);
  const cs = (muEff + 2) / (n + muEff + 5);
  const ds = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cs;
  const cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  const c1 = 2 / ((n + 1.3) ** 2 + muEff);
  const cmu = Math.min(1 - c1, (2 * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + muEff));
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));

  const order = losses.map((_, i) => i).sort((a, b) => losses[a]! - losses[b]! || a - b);
  const ys = order.slice(0, mu).map((i) => xs[i]!.map((x, j) => (x - s.mean[j]!) / s.sigma));
  const yw = new Array(n).fill(0);
  ys.forEach((y, k) => {
    for (let j = 0; j < n; j++) yw[j] += w[k]! * y[j]!;
  });
  s.mean = s.mean.map((m, j) => m + s.sigma * yw[j]!);

  // C^(-1/2) y_w = B D⁻¹ Bᵀ y_w
  const bty = s.b[0]!.map((_, k) => s.b.reduce((a, row, i) => a + row[k]! * yw[i]!, 0) / s.d[k]!);
  const invSqrtY = s.b.map((row) => row.reduce((a, v, k) => a + v * bty[k]!, 0));
  const fs = Math.sqrt(cs * (2 - cs) * muEff);
  s.ps = s.ps.map((p, j) => (1 - cs) * p + fs * invSqrtY[j]!);
  const psNorm = Math.sqrt(s.ps.reduce((a, v) => a + v * v, 0));
  const hs = psNorm / Math.sqrt(1 - (1 - cs) ** (2 * (s.generation + 1))) < (1.4 + 2 / (n + 1)) * chiN ? 1 : 0;
  const fc = Math.sqrt(cc * (2 - cc) * muEff);
  s.pc = s.pc.map((p, j) => (1 - cc) * p + hs * fc * yw[j]!);
  const decay = 1 - c1 - cmu + (1 - hs) * c1 * cc * (2 - cc);
  s.c = s.c.map((row, i) =>
    row.map((v, j) => {
      let rankMu = 0;
      ys.forEach((y, k) => {
        rankMu += w[k]! * y[i]! * y[j]!;
      });
      return decay * v + c1 * s.pc[i]! * s.pc[j]! + cmu * rankMu;
    }),
  );
  s.sigma *= Math.exp((cs / ds) * (psNorm / chiN - 1));
  s.sigma = Math.min(s.sigma, 1e3);
  s.generation += 1;
  decompose(s);
}

/** Whether the run has stalled: a restart strategy starts over after it. */
export function stalled(s: CmaesState, losses: readonly number[]): boolean {
  const spread = s.sigma * Math.max(...s.c.map((row, i) => Math.sqrt(Math.max(row[i]!, 0))));
  if (spread < 1e-6) return true;
  const flat = Math.max(...losses) - Math.min(...losses) < 1e-12;
  if (flat) return true;
  const maxD = Math.max(...s.d);
  const minD = Math.min(...s.d);
  return (maxD / minD) ** 2 > 1e14;
}

function label(o: Observation, key: string): number | null {
  const v = o.labels[key];
  if (v === undefined || !/^\d+$/.test(v)) return null;
  return Number(v);
}

/**
 * The current run and generation, rebuilt by replaying every complete generation in the
 * observations (restarts included).
 */
export function rebuild(request: SuggestRequest, settings: CmaesSettings = cmaesSettings(request)): CmaesState {
  const numeric = request.space.map((p, j) => ({ p, j })).filter(({ p }) => p.type === 'double' || p.type === 'int');
  const n = numeric.length;
  const pop0 = defaultPopulation(n);
  const byGeneration = new Map<string, Observation[]>();
  for (const o of request.observations) {
    const r = label(o, CMAES_RESTART_LABEL);
    const g = label(o, CMAES_GENERATION_LABEL);
    if (r === null || g === null || !isComplete(o)) continue;
    const key = `${r}/${g}`;
    const list = byGeneration.get(key) ?? [];
    list.push(o);
    byGeneration.set(key, list);
  }
  let s = newRun(n, 0, pop0, new Array(n).fill(0.5), settings.sigma0, 'large');
  // bipop's bookkeeping: trials spent in each regime and large restarts made.
  let largeEvals = 0;
  let smallEvals = 0;
  let largeRestarts = 0;
  for (;;) {
    const done = byGeneration.get(`${s.restart}/${s.generation}`) ?? [];
    if (done.length < s.popsize) return s;
    const gen = done.slice(0, s.popsize);
    const xs = gen.map((o) => numeric.map(({ p }) => toUnit(p, o.assignment[p.name])));
    const losses = gen.map((o) => lossOf(request.objective, o.objective!));
    if (xs.some((x) => x.some((v) => !Number.isFinite(v)))) return s;
    updateGeneration(s, xs, losses);
    if (settings.restartStrategy === 'none' || !stalled(s, losses)) continue;
    // Draws for a restart depend on the seed and the restart's number only, so a replay finds them again.
    const rng = createRng(settings.seed, 7919 * (s.restart + 1));
    const mean = Array.from({ length: n }, () => uniform(rng));
    const spent = s.popsize * s.generation;
    if (s.regime === 'large') largeEvals += spent;
    else smallEvals += spent;
    const restart = s.restart + 1;
    if (settings.restartStrategy === 'ipop') {
      s = newRun(n, restart, pop0 * 2 ** restart, mean, settings.sigma0, 'large');
    } else if (smallEvals < largeEvals) {
      const multiplier = 2 ** (largeRestarts + 1);
      const popsize = Math.max(pop0, Math.floor(pop0 * multiplier ** (uniform(rng) ** 2)));
      s = newRun(n, restart, popsize, mean, settings.sigma0 * 10 ** (-2 * uniform(rng)), 'small');
    } else {
      largeRestarts += 1;
      s = newRun(n, restart, pop0 * 2 ** largeRestarts, mean, settings.sigma0, 'large');
    }
  }
}

/** One point of the run's distribution inside the unit cube (resampled up to 100 times, then clipped). */
export function samplePoint(s: CmaesState, rng: RandomGenerator): number[] {
  const n = s.mean.length;
  let x: number[] = s.mean;
  for (let attempt = 0; attempt < 100; attempt++) {
    const z = Array.from({ length: n }, (_, k) => s.d[k]! * gaussian(rng));
    x = s.mean.map((m, i) => m + s.sigma * s.b[i]!.reduce((a, v, k) => a + v * z[k]!, 0));
    if (x.every((v) => v >= 0 && v <= 1)) return x;
  }
  return x.map((v) => Math.min(1, Math.max(0, v)));
}

function suggest(request: SuggestRequest): SuggestResult {
  const settings = cmaesSettings(request);
  const s = rebuild(request, settings);
  const rng = rngFor(settings.seed, 'cmaes', request.observations);
  const suggestions: Suggestion[] = [];
  for (let k = 0; k < request.count; k++) {
    const x = samplePoint(s, rng);
    const assignment: Record<string, string> = {};
    let i = 0;
    for (const p of request.space) {
      assignment[p.name] = p.type === 'double' || p.type === 'int' ? fromUnit(p, x[i++]!) : fromUnit(p, drawUnit(p, rng));
    }
    suggestions.push({
      assignment,
      labels: { [CMAES_RESTART_LABEL]: String(s.restart), [CMAES_GENERATION_LABEL]: String(s.generation) },
    });
  }
  return { suggestions, exhausted: false };
}

export const cmaes: SuggestionAlgorithm = {
  name: 'cmaes',
  validate(request): SettingsIssue[] {
    const issues = checkSettings(request.settings, SETTINGS);
    const numeric = request.space.filter((p) => p.type === 'double' || p.type === 'int').length;
    if (numeric < 2) {
      issues.push({
        path: 'spec.parameters',
        message: `cmaes needs at least two double or int parameters (a continuous space of two or more dimensions), got ${numeric}`,
      });
    }
    return issues;
  },
  suggest,
};
