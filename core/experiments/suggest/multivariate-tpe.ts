/**
 * Katib's `multivariate-tpe` (Optuna's TPESampler with multivariate=True): the same good/bad split
 * and settings as `tpe`, but l and g are joint kernel densities: one kernel per trial over all
 * parameters at once, so that parameters which only work together are drawn together.
 *
 * Numeric kernels share Optuna's multivariate bandwidth, 0.2 n^(-1 / (d + 4)) of the range (Scott's
 * rule), clipped like the univariate one; a categorical kernel keeps its trial's category with the
 * prior's weight spread over all of them; the prior is one more kernel, uniform-wide.
 */
import type { Parameter, SuggestionAlgorithm } from '../space.js';
import { type Split, tpeSuggest, validateTpeSettings } from './tpe.js';
import { categories, normalCdf, normalQuantile, type RandomGenerator, uniform } from './unit-space.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** A product-kernel mixture over the unit cube (categorical coordinates read as slots). */
export class JointKernelDensity {
  private readonly n: number;
  private readonly logW: Float64Array;
  private readonly cum: Float64Array;
  /** Per kernel and numeric dimension: centre, width, log of the in-range mass. */
  private readonly mu: Float64Array[];
  private readonly sigma: Float64Array;
  private readonly logZ: Float64Array[];
  /** Per kernel and categorical dimension: the log probabilities of the slots. */
  private readonly catLogP: Float64Array[][];
  private readonly terms: Float64Array;

  constructor(
    private readonly space: readonly Parameter[],
    points: readonly { x: number[]; w: number }[],
    priorWeight = 1,
  ) {
    const d = space.length;
    const n = points.length + 1;
    this.n = n;
    this.logW = new Float64Array(n);
    this.cum = new Float64Array(n);
    const total = points.reduce((a, p) => a + p.w, priorWeight);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const w = (i < n - 1 ? points[i]!.w : priorWeight) / total;
      this.logW[i] = Math.log(w);
      acc += w;
      this.cum[i] = acc;
    }
    const bandwidth = Math.min(1, Math.max(1 / Math.min(100, n + 1), 0.2 * Math.max(points.length, 1) ** (-1 / (d + 4))));
    this.sigma = new Float64Array(d);
    this.mu = [];
    this.logZ = [];
    this.catLogP = [];
    space.forEach((p, j) => {
      const mus = new Float64Array(n);
      const logZ = new Float64Array(n);
      const cats: Float64Array[] = [];
      const k = categories(p);
      for (let i = 0; i < n; i++) {
        const prior = i === n - 1;
        if (k > 0) {
          const probs = new Float64Array(k).fill(prior ? 1 / k : priorWeight / k / (1 + priorWeight));
          if (!prior) {
            const slot = Math.min(k - 1, Math.floor(points[i]!.x[j]! * k));
            probs[slot] = probs[slot]! + 1 / (1 + priorWeight);
          }
          cats.push(probs.map(Math.log));
          continue;
        }
        const m = prior ? 0.5 : points[i]!.x[j]!;
        const s = prior ? 1 : bandwidth;
        mus[i] = m;
        logZ[i] = Math.log(Math.max(normalCdf((1 - m) / s) - normalCdf(-m / s), 1e-300));
      }
      this.sigma[j] = bandwidth;
      this.mu.push(mus);
      this.logZ.push(logZ);
      this.catLogP.push(cats);
    });
    this.terms = new Float64Array(n);
  }

  private width(i: number, j: number): number {
    return i === this.n - 1 ? 1 : this.sigma[j]!;
  }

  logPdf(x: readonly number[]): number {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.n; i++) {
      let t = this.logW[i]!;
      for (let j = 0; j < this.space.length; j++) {
        const k = categories(this.space[j]!);
        if (k > 0) {
          t += this.catLogP[j]![i]![Math.min(k - 1, Math.floor(x[j]! * k))]!;
        } else {
          const s = this.width(i, j);
          const z = (x[j]! - this.mu[j]![i]!) / s;
          t += -0.5 * z * z - Math.log(s) - LOG_SQRT_2PI - this.logZ[j]![i]!;
        }
      }
      this.terms[i] = t;
      if (t > max) max = t;
    }
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += Math.exp(this.terms[i]! - max);
    return max + Math.log(sum);
  }

  sample(rng: RandomGenerator): number[] {
    const r = uniform(rng) * this.cum[this.n - 1]!;
    let i = 0;
    while (i < this.n - 1 && this.cum[i]! <= r) i++;
    return this.space.map((p, j) => {
      const k = categories(p);
      if (k > 0) {
        let left = uniform(rng);
        const logP = this.catLogP[j]![i]!;
        for (let c = 0; c < k; c++) {
          left -= Math.exp(logP[c]!);
          if (left < 0) return (c + 0.5) / k;
        }
        return (k - 0.5) / k;
      }
      const m = this.mu[j]![i]!;
      const s = this.width(i, j);
      const a = normalCdf(-m / s);
      const b = normalCdf((1 - m) / s);
      return Math.min(1, Math.max(0, m + s * normalQuantile(a + uniform(rng) * (b - a))));
    });
  }
}

function jointPoint(space: readonly Parameter[], s: Split, nCandidates: number, rng: RandomGenerator): number[] {
  const l = new JointKernelDensity(space, s.below);
  const g = new JointKernelDensity(space, s.above);
  let best: number[] = [];
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < nCandidates; c++) {
    const x = l.sample(rng);
    const score = l.logPdf(x) - g.logPdf(x);
    if (score > bestScore) [best, bestScore] = [x, score];
  }
  return best;
}

export const multivariateTpe: SuggestionAlgorithm = {
  name: 'multivariate-tpe',
  validate: (request) => validateTpeSettings(request.settings),
  suggest: (request) => tpeSuggest('multivariate-tpe', request, jointPoint),
};
