/**
 * Synthetic objectives for tests and simulations of hyperparameter tuning: Branin (2-d) and
 * Hartmann-6 (6-d) with their known minima, and learning curves whose value at a step depends on
 * the assignment, for early stopping and for budget-based algorithms such as hyperband.
 *
 * Definitions and minima are those of Surjanovic and Bingham's Virtual Library of Simulation
 * Experiments (sfu.ca/~ssurjano), the usual reference for these functions.
 */
import type { Assignment, MetricPoint, SearchSpace } from './space.js';

export interface SyntheticObjective {
  readonly name: string;
  /** The function's usual domain as double parameters x1..xd, uniform. */
  readonly space: SearchSpace;
  /** The global minimum's value. */
  readonly minimum: number;
  /** Points where the minimum is reached. */
  readonly minimizers: readonly (readonly number[])[];
  evaluate(x: readonly number[]): number;
}

function double(name: string, min: number, max: number) {
  return { name, type: 'double', min, max, step: null, distribution: 'uniform' } as const;
}

/** Branin's coefficients: (x2 - b x1^2 + c x1 - 6)^2 + 10 (1 - t) cos(x1) + 10. */
export interface BraninCoefficients {
  readonly b: number;
  readonly c: number;
  readonly t: number;
}

/** Branin's own coefficients (multi-fidelity versions shift them at lower fidelities). */
export const BRANIN_COEFFICIENTS: BraninCoefficients = { b: 5.1 / (4 * Math.PI * Math.PI), c: 5 / Math.PI, t: 1 / (8 * Math.PI) };

/** Branin's formula with the given coefficients at (x1, x2). */
export function braninWith({ b, c, t }: BraninCoefficients, x: readonly number[]): number {
  const [x1, x2] = x as [number, number];
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

/** Branin-Hoo on [-5, 10] x [0, 15]: three global minima of 0.397887. */
export const branin: SyntheticObjective = {
  name: 'branin',
  space: [double('x1', -5, 10), double('x2', 0, 15)],
  minimum: 0.397887,
  minimizers: [
    [-Math.PI, 12.275],
    [Math.PI, 2.275],
    [9.42478, 2.475],
  ],
  evaluate: (x) => braninWith(BRANIN_COEFFICIENTS, x),
};

/** Hartmann-6's weights alpha_i (multi-fidelity versions lower them at lower fidelities). */
export const HARTMANN6_ALPHA: readonly number[] = [1.0, 1.2, 3.0, 3.2];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

/** Hartmann-6's formula with the given weights at x: -sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij)^2). */
export function hartmann6With(alpha: readonly number[], x: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += (H6_A[i] as number[])[j]! * ((x[j] ?? 0) - (H6_P[i] as number[])[j]!) ** 2;
    sum += alpha[i]! * Math.exp(-inner);
  }
  return -sum;
}

/** Hartmann-6 on [0, 1]^6: one global minimum of -3.32237. */
export const hartmann6: SyntheticObjective = {
  name: 'hartmann6',
  space: [1, 2, 3, 4, 5, 6].map((i) => double(`x${i}`, 0, 1)),
  minimum: -3.32237,
  minimizers: [[0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]],
  evaluate: (x) => hartmann6With(HARTMANN6_ALPHA, x),
};

/** The objective's coordinates in an assignment: its own parameters' values, in order (other parameters ignored). */
export function coordinatesOf(objective: SyntheticObjective, assignment: Assignment): number[] {
  return objective.space.map((p) => Number(assignment[p.name]));
}

/** The objective at an assignment of its parameters (by name, other parameters ignored). */
export function evaluateAssignment(objective: SyntheticObjective, assignment: Assignment): number {
  return objective.evaluate(coordinatesOf(objective, assignment));
}

/**
 * A loss curve over steps: `final + (start - final) * step^-rate`, decreasing to `final`. Steps
 * count from 1 (the first report).
 */
export interface LearningCurve {
  readonly final: number;
  readonly start: number;
  readonly rate: number;
}

/** FNV-1a of a string into [0, 1), so a curve's shape is a pure function of the assignment. */
function hashUnit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

/**
 * The curve of an assignment: it converges to the objective's value at the assignment, starts
 * between 5 and 15 above it and converges at a rate in [0.5, 1.5). The start and the rate depend
 * on the assignment too, so curves cross: a trial ahead early is not always ahead at the end, the
 * case early-stopping rules and successive halving must live with.
 */
export function curveOf(objective: SyntheticObjective, assignment: Assignment): LearningCurve {
  const key = objective.space.map((p) => `${p.name}=${assignment[p.name]}`).join(',');
  const final = evaluateAssignment(objective, assignment);
  return { final, start: final + 5 + 10 * hashUnit(`start:${key}`), rate: 0.5 + hashUnit(`rate:${key}`) };
}

/** A curve's value at a step (>= 1). */
export function curveAt(curve: LearningCurve, step: number): number {
  return curve.final + (curve.start - curve.final) * Math.max(1, step) ** -curve.rate;
}

/** A curve's series as a trial reports it: steps 1..steps. */
export function curveSeries(curve: LearningCurve, steps: number): MetricPoint[] {
  const series: MetricPoint[] = [];
  for (let step = 1; step <= steps; step++) series.push({ step, value: curveAt(curve, step) });
  return series;
}
