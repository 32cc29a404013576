/**
 * A Gaussian process regressor on the unit cube for Bayesian optimization: a Matérn 5/2 or RBF
 * kernel with one length scale per feature (ARD), a relative noise term, and the amplitude
 * profiled out of the marginal likelihood (its maximum-likelihood value is yᵀK⁻¹y / n, so the
 * search only covers length scales and noise).
 *
 * The targets are standardized before fitting. The Cholesky factor is computed once per fit, on a
 * flat row-major array: ml-matrix's CholeskyDecomposition, with the copy in and out of its Matrix,
 * took 2 to 5 times as long (64 and 200 points), and the hyperparameter search runs it dozens of
 * times per suggestion.
 */
export type GpKernel = 'matern52' | 'rbf';

export interface GpHyperparameters {
  readonly lengthScales: readonly number[];
  /** Noise variance relative to the signal's. */
  readonly noise: number;
}

const SQRT5 = Math.sqrt(5);
/** Candidates per block of a prediction: a block's cross-correlations (n × BLOCK) stay in cache. */
const BLOCK = 128;

/** The correlation for a scaled squared distance. */
export function correlation(kernel: GpKernel, r2: number): number {
  if (kernel === 'rbf') return Math.exp(-0.5 * r2);
  const r = Math.sqrt(r2);
  return (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

function scaledDistance2(a: Float64Array, ai: number, b: Float64Array, bi: number, inv: Float64Array): number {
  let s = 0;
  for (let j = 0; j < inv.length; j++) {
    const t = (a[ai + j]! - b[bi + j]!) * inv[j]!;
    s += t * t;
  }
  return s;
}

/** The lower Cholesky factor of the correlation matrix plus noise, flat row-major; null when not positive definite. */
function factor(x: Float64Array, n: number, inv: Float64Array, kernel: GpKernel, noise: number): Float64Array | null {
  const d = inv.length;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = i === j ? 1 + noise + 1e-8 : correlation(kernel, scaledDistance2(x, i * d, x, j * d, inv));
      for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[ri + i] = Math.sqrt(s);
      } else l[ri + j] = s / l[rj + j]!;
    }
  }
  return l;
}

/** Solve L v = b in place (L lower triangular, flat row-major). */
function forward(l: Float64Array, n: number, v: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = v[i]!;
    const row = i * n;
    for (let j = 0; j < i; j++) s -= l[row + j]! * v[j]!;
    v[i] = s / l[row + i]!;
  }
}

/** Solve Lᵀ v = b in place. */
function backward(l: Float64Array, n: number, v: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = v[i]!;
    for (let j = i + 1; j < n; j++) s -= l[j * n + i]! * v[j]!;
    v[i] = s / l[i * n + i]!;
  }
}

interface Factored {
  readonly l: Float64Array;
  /** (K + noise)⁻¹ y for the standardized targets. */
  readonly alpha: Float64Array;
  /** The profiled amplitude (signal variance) and the log marginal likelihood at it. */
  readonly amplitude: number;
  readonly logLikelihood: number;
}

function solveFor(x: Float64Array, y: Float64Array, inv: Float64Array, kernel: GpKernel, noise: number): Factored | null {
  const n = y.length;
  const l = factor(x, n, inv, kernel, noise);
  if (l === null) return null;
  const alpha = Float64Array.from(y);
  forward(l, n, alpha);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += alpha[i]! * alpha[i]!;
  backward(l, n, alpha);
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += Math.log(l[i * n + i]!);
  const amplitude = Math.max(quad / n, 1e-12);
  const logLikelihood = -0.5 * n * Math.log(amplitude) - logDet - 0.5 * n * (1 + Math.log(2 * Math.PI));
  return { l, alpha, amplitude, logLikelihood };
}

const flatten = (xs: readonly (readonly number[])[], d: number) => {
  const out = new Float64Array(xs.length * d);
  xs.forEach((x, i) => {
    for (let j = 0; j < d; j++) out[i * d + j] = x[j]!;
  });
  return out;
};

function standardize(ys: readonly number[]): { y: Float64Array; mean: number; scale: number } {
  const n = ys.length;
  const mean = ys.reduce((a, b) => a + b, 0) / Math.max(n, 1);
  const variance = ys.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(n, 1);
  const scale = variance > 1e-24 ? Math.sqrt(variance) : 1;
  return { y: Float64Array.from(ys, (v) => (v - mean) / scale), mean, scale };
}

const LENGTH_GRID = [0.08, 0.15, 0.3, 0.6, 1.2];
const NOISE_GRID = [1e-6, 1e-3, 3e-2];
/** Above this many points the hyperparameters are fitted on a subset: the fit is cubic in n. */
const FIT_POINTS = 64;

/**
 * Length scales and noise by marginal likelihood: a grid of shared length scales and noises,
 * then two rounds of halving or doubling each feature's length scale while that helps.
 */
export function fitHyperparameters(
  xs: readonly (readonly number[])[],
  ys: readonly number[],
  kernel: GpKernel,
): GpHyperparameters {
  const d = xs[0]?.length ?? 0;
  let idx = xs.map((_, i) => i);
  if (idx.length > FIT_POINTS) {
    // The best half of the budget and an even spread of the rest: the model matters most near the optimum.
    const byLoss = [...idx].sort((a, b) => ys[a]! - ys[b]! || a - b);
    const best = byLoss.slice(0, FIT_POINTS / 2);
    const rest = byLoss.slice(FIT_POINTS / 2);
    const stride = rest.length / (FIT_POINTS / 2);
    idx = [...best, ...Array.from({ length: FIT_POINTS / 2 }, (_, i) => rest[Math.floor(i * stride)]!)];
  }
  const x = flatten(
    idx.map((i) => xs[i]!),
    d,
  );
  const { y } = standardize(idx.map((i) => ys[i]!));
  const score = (ls: readonly number[], noise: number) => {
    const f = solveFor(
      x,
      y,
      Float64Array.from(ls, (v) => 1 / v),
      kernel,
      noise,
    );
    return f === null ? Number.NEGATIVE_INFINITY : f.logLikelihood;
  };
  let best: GpHyperparameters = { lengthScales: new Array(d).fill(0.3), noise: 1e-3 };
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const l of LENGTH_GRID) {
    for (const noise of NOISE_GRID) {
      const s = score(new Array(d).fill(l), noise);
      if (s > bestScore) [best, bestScore] = [{ lengthScales: new Array(d).fill(l), noise }, s];
    }
  }
  for (let round = 0; round < 2; round++) {
    for (let j = 0; j < d; j++) {
      for (const f of [0.5, 2]) {
        const ls = [...best.lengthScales];
        ls[j] = Math.min(20, Math.max(0.02, ls[j]! * f));
        const s = score(ls, best.noise);
        if (s > bestScore + 1e-9) [best, bestScore] = [{ lengthScales: ls, noise: best.noise }, s];
      }
    }
  }
  return best;
}

export class GaussianProcess {
  private constructor(
    readonly kernel: GpKernel,
    readonly hyper: GpHyperparameters,
    private readonly x: Float64Array,
    private readonly n: number,
    private readonly d: number,
    private readonly inv: Float64Array,
    private readonly f: Factored,
    private readonly mean: number,
    private readonly scale: number,
  ) {}

  /** Fit to points in the unit cube and their targets; hyperparameters fitted when not given. */
  static fit(
    xs: readonly (readonly number[])[],
    ys: readonly number[],
    kernel: GpKernel,
    hyper?: GpHyperparameters,
  ): GaussianProcess {
    const d = xs[0]?.length ?? 0;
    const h = hyper ?? fitHyperparameters(xs, ys, kernel);
    const x = flatten(xs, d);
    const s = standardize(ys);
    const inv = Float64Array.from(h.lengthScales, (v) => 1 / v);
    // More noise until positive definite: duplicated points (ints, categories) make K singular.
    let noise = h.noise;
    let f = solveFor(x, s.y, inv, kernel, noise);
    while (f === null && noise < 1) {
      noise = Math.max(noise * 10, 1e-6);
      f = solveFor(x, s.y, inv, kernel, noise);
    }
    if (f === null) throw new Error('gaussian process: covariance is not positive definite');
    return new GaussianProcess(kernel, { ...h, noise }, x, xs.length, d, inv, f, s.mean, s.scale);
  }

  /** Posterior mean and standard deviation (in the targets' units) at m points, flat m × d. */
  predict(points: Float64Array, m: number): { mean: Float64Array; sd: Float64Array } {
    const mean = new Float64Array(m);
    const sd = new Float64Array(m);
    for (let start = 0; start < m; start += BLOCK) this.predictBlock(points, start, Math.min(m, start + BLOCK), mean, sd);
    return { mean, sd };
  }

  /**
   * One block of candidates at once: the cross-correlations laid out training point by candidate,
   * so that the triangular solve's inner loop runs over contiguous candidates (several times
   * faster than one solve per candidate).
   */
  private predictBlock(points: Float64Array, from: number, to: number, mean: Float64Array, sd: Float64Array): void {
    const { n, d, x, inv, kernel } = this;
    const { l, alpha, amplitude } = this.f;
    const b = to - from;
    const v = new Float64Array(n * b);
    for (let i = 0; i < n; i++) {
      const row = i * b;
      const ai = alpha[i]!;
      for (let c = 0; c < b; c++) {
        const k = correlation(kernel, scaledDistance2(points, (from + c) * d, x, i * d, inv));
        v[row + c] = k;
        mean[from + c] = mean[from + c]! + k * ai;
      }
    }
    for (let i = 0; i < n; i++) {
      const row = i * b;
      const li = i * n;
      for (let j = 0; j < i; j++) {
        const lij = l[li + j]!;
        if (lij === 0) continue;
        const rowJ = j * b;
        for (let c = 0; c < b; c++) v[row + c] = v[row + c]! - lij * v[rowJ + c]!;
      }
      const diag = l[li + i]!;
      for (let c = 0; c < b; c++) v[row + c] = v[row + c]! / diag;
    }
    const q = new Float64Array(b);
    for (let i = 0; i < n; i++) {
      const row = i * b;
      for (let c = 0; c < b; c++) q[c] = q[c]! + v[row + c]! * v[row + c]!;
    }
    for (let c = 0; c < b; c++) {
      mean[from + c] = mean[from + c]! * this.scale + this.mean;
      sd[from + c] = Math.sqrt(Math.max(amplitude * (1 - q[c]!), 1e-12)) * this.scale;
    }
  }

  get size(): number {
    return this.n;
  }
}
