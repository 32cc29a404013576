/**
 * Tree-structured Parzen Estimator, as Katib's `tpe` (Optuna's TPESampler with constant_liar): the
 * first `n_startup_trials` completed trials are drawn at random; after that the completed trials
 * are split by loss into a good part (the best gamma(n) = min(ceil(n / 10), 25)) and a bad part
 * (the rest, plus running trials as if they had failed badly: the constant liar, so that parallel
 * trials spread out), a Parzen estimator l is fitted to the good part and g to the bad part, and
 * of `n_ei_candidates` draws from l the one with the largest l/g is suggested.
 *
 * `tpe` models each parameter on its own (Optuna's independent sampling); `multivariate-tpe`
 * (multivariate-tpe.ts) fits one joint kernel density over all parameters.
 */
import type { Observation, Parameter, SettingsIssue, SuggestionAlgorithm, SuggestRequest, SuggestResult } from '../space.js';
import {
  categories,
  checkSettings,
  drawUnit,
  fromUnit,
  intSetting,
  isComplete,
  isPending,
  lossOf,
  normalCdf,
  normalQuantile,
  type RandomGenerator,
  rngFor,
  settingValues,
  uniform,
  unitPoint,
} from './unit-space.js';

export const TPE_DEFAULTS = { nStartupTrials: 10, nEiCandidates: 24 } as const;

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export interface TpeSettings {
  readonly nStartupTrials: number;
  readonly nEiCandidates: number;
  readonly seed: number;
}

const TPE_SETTINGS = {
  n_startup_trials: intSetting(0),
  // Katib accepts 0, which leaves Optuna nothing to choose from; one candidate is the least that works.
  n_ei_candidates: intSetting(1),
  random_state: intSetting(0),
};

export function validateTpeSettings(settings: SuggestRequest['settings']): SettingsIssue[] {
  return checkSettings(settings, TPE_SETTINGS);
}

export function tpeSettings(request: Pick<SuggestRequest, 'settings' | 'seed'>): TpeSettings {
  const v = settingValues(request.settings, TPE_SETTINGS);
  const int = (name: string, fallback: number) => (typeof v[name] === 'number' ? v[name] : fallback);
  return {
    nStartupTrials: int('n_startup_trials', TPE_DEFAULTS.nStartupTrials),
    nEiCandidates: int('n_ei_candidates', TPE_DEFAULTS.nEiCandidates),
    // random_state is Katib's seed; when given it wins over the experiment's seed.
    seed: int('random_state', request.seed),
  };
}

/** Optuna's default gamma: the good part is the best 10 %, at most 25 trials. */
export function gamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Optuna's default weights: older trials count less once there are more than 25. */
export function defaultWeights(n: number): Float64Array {
  const w = new Float64Array(n).fill(1);
  const ramp = n - 25;
  if (ramp <= 0) return w;
  for (let i = 0; i < ramp; i++) w[i] = ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1);
  return w;
}

// ---------------------------------------------------------------------------------------------
// One-dimensional mixtures (a numeric coordinate in [0, 1] or a categorical slot)
// ---------------------------------------------------------------------------------------------

/** A weighted mixture of Gaussians truncated to [0, 1]. */
export class TruncatedMixture {
  readonly mus: Float64Array;
  readonly sigmas: Float64Array;
  /** log(weight / (sigma sqrt(2 pi) Z)), Z the mass inside [0, 1]. */
  private readonly logCoef: Float64Array;
  private readonly cum: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly terms: Float64Array;

  constructor(mus: ArrayLike<number>, sigmas: ArrayLike<number>, weights: ArrayLike<number>) {
    const n = mus.length;
    this.mus = Float64Array.from(mus);
    this.sigmas = Float64Array.from(sigmas);
    this.logCoef = new Float64Array(n);
    this.cum = new Float64Array(n);
    this.lo = new Float64Array(n);
    this.hi = new Float64Array(n);
    this.terms = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i]!;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const mu = this.mus[i]!;
      const s = this.sigmas[i]!;
      const a = normalCdf(-mu / s);
      const b = normalCdf((1 - mu) / s);
      this.lo[i] = a;
      this.hi[i] = b;
      const w = weights[i]! / total;
      acc += w;
      this.cum[i] = acc;
      this.logCoef[i] = Math.log(w) - Math.log(s) - LOG_SQRT_2PI - Math.log(Math.max(b - a, 1e-300));
    }
  }

  logPdf(x: number): number {
    const n = this.mus.length;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const z = (x - this.mus[i]!) / this.sigmas[i]!;
      const t = this.logCoef[i]! - 0.5 * z * z;
      this.terms[i] = t;
      if (t > max) max = t;
    }
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(this.terms[i]! - max);
    return max + Math.log(sum);
  }

  pick(rng: RandomGenerator): number {
    const r = uniform(rng) * this.cum[this.cum.length - 1]!;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  sampleComponent(i: number, rng: RandomGenerator): number {
    const u = this.lo[i]! + uniform(rng) * (this.hi[i]! - this.lo[i]!);
    const x = this.mus[i]! + this.sigmas[i]! * normalQuantile(u);
    return Math.min(1, Math.max(0, x));
  }

  sample(rng: RandomGenerator): number {
    return this.sampleComponent(this.pick(rng), rng);
  }
}

/**
 * Optuna's univariate bandwidths: each kernel as wide as the larger gap to its sorted neighbours,
 * clipped to [1 / min(100, n + 1), 1]; the prior (centre 0.5, width 1) is one more kernel.
 */
export function univariateMixture(points: readonly number[], weights: readonly number[], priorWeight = 1): TruncatedMixture {
  const n = points.length + 1;
  const mus = [...points, 0.5];
  const ws = [...weights, priorWeight];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const sigmas = new Array<number>(n).fill(1);
  const minSigma = 1 / Math.min(100, n + 1);
  order.forEach((idx, k) => {
    const left = k > 0 ? mus[idx]! - mus[order[k - 1]!]! : 0;
    const right = k < n - 1 ? mus[order[k + 1]!]! - mus[idx]! : 0;
    sigmas[idx] = Math.min(1, Math.max(minSigma, Math.max(left, right)));
  });
  sigmas[n - 1] = 1;
  return new TruncatedMixture(mus, sigmas, ws);
}

/** A categorical estimator: the trials' weights on their categories plus the prior spread evenly. */
export function categoricalLogProbs(
  slots: readonly number[],
  weights: readonly number[],
  k: number,
  priorWeight = 1,
): Float64Array {
  const p = new Float64Array(k).fill(priorWeight / k);
  let total = priorWeight;
  slots.forEach((c, i) => {
    p[c] = p[c]! + weights[i]!;
    total += weights[i]!;
  });
  for (let i = 0; i < k; i++) p[i] = Math.log(p[i]! / total);
  return p;
}

export function sampleLogProbs(logP: Float64Array, rng: RandomGenerator): number {
  let r = uniform(rng);
  for (let i = 0; i < logP.length; i++) {
    r -= Math.exp(logP[i]!);
    if (r < 0) return i;
  }
  return logP.length - 1;
}

// ---------------------------------------------------------------------------------------------
// The split into good and bad
// ---------------------------------------------------------------------------------------------

export interface Split {
  readonly below: { x: number[]; w: number }[];
  readonly above: { x: number[]; w: number }[];
}

/**
 * The good and the bad trials, as unit points with weights. Running trials (and suggestions made
 * earlier in this call) join the bad part: the constant liar.
 */
export function split(completed: readonly { x: number[]; loss: number }[], pending: readonly number[][]): Split {
  const weights = defaultWeights(completed.length);
  const order = completed.map((_, i) => i).sort((a, b) => completed[a]!.loss - completed[b]!.loss || a - b);
  const nBelow = gamma(completed.length);
  const below = order.slice(0, nBelow).map((i) => ({ x: completed[i]!.x, w: weights[i]! }));
  const above = order.slice(nBelow).map((i) => ({ x: completed[i]!.x, w: weights[i]! }));
  for (const x of pending) above.push({ x, w: 1 });
  return { below, above };
}

export interface TpeState {
  readonly completed: { x: number[]; loss: number }[];
  readonly pending: number[][];
}

export function tpeState(request: SuggestRequest): TpeState {
  const completed: { x: number[]; loss: number }[] = [];
  const pending: number[][] = [];
  for (const o of request.observations as Observation[]) {
    const x = unitPoint(request.space, o);
    if (x === null) continue;
    if (isComplete(o)) completed.push({ x, loss: lossOf(request.objective, o.objective) });
    else if (isPending(o)) pending.push(x);
  }
  return { completed, pending };
}

function slotOf(p: Parameter, u: number): number {
  return Math.min(categories(p) - 1, Math.floor(u * categories(p)));
}

/** One univariate TPE point: every parameter chosen on its own. */
function univariatePoint(space: readonly Parameter[], s: Split, nCandidates: number, rng: RandomGenerator): number[] {
  return space.map((p, j) => {
    const k = categories(p);
    if (k > 0) {
      const l = categoricalLogProbs(
        s.below.map((b) => slotOf(p, b.x[j]!)),
        s.below.map((b) => b.w),
        k,
      );
      const g = categoricalLogProbs(
        s.above.map((b) => slotOf(p, b.x[j]!)),
        s.above.map((b) => b.w),
        k,
      );
      let best = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < nCandidates; c++) {
        const i = sampleLogProbs(l, rng);
        const score = l[i]! - g[i]!;
        if (score > bestScore) [best, bestScore] = [i, score];
      }
      return (best + 0.5) / k;
    }
    const l = univariateMixture(
      s.below.map((b) => b.x[j]!),
      s.below.map((b) => b.w),
    );
    const g = univariateMixture(
      s.above.map((b) => b.x[j]!),
      s.above.map((b) => b.w),
    );
    let best = 0.5;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < nCandidates; c++) {
      const x = l.sample(rng);
      const score = l.logPdf(x) - g.logPdf(x);
      if (score > bestScore) [best, bestScore] = [x, score];
    }
    return best;
  });
}

export type PointChooser = (space: readonly Parameter[], s: Split, nCandidates: number, rng: RandomGenerator) => number[];

/** The suggestion loop both TPE variants share: random until enough trials completed, then `choose`. */
export function tpeSuggest(name: string, request: SuggestRequest, choose: PointChooser): SuggestResult {
  const settings = tpeSettings(request);
  const { completed, pending } = tpeState(request);
  const rng = rngFor(settings.seed, name, request.observations);
  const suggestions = [];
  for (let k = 0; k < request.count; k++) {
    const u =
      completed.length < Math.max(1, settings.nStartupTrials)
        ? request.space.map((p) => drawUnit(p, rng))
        : choose(request.space, split(completed, pending), settings.nEiCandidates, rng);
    const assignment: Record<string, string> = {};
    request.space.forEach((p, j) => {
      assignment[p.name] = fromUnit(p, u[j]!);
    });
    pending.push(u);
    suggestions.push({ assignment, labels: {} });
  }
  return { suggestions, exhausted: false };
}

export const tpe: SuggestionAlgorithm = {
  name: 'tpe',
  validate: (request) => validateTpeSettings(request.settings),
  suggest: (request) => tpeSuggest('tpe', request, univariatePoint),
};
