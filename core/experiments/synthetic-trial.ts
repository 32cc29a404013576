/**
 * What a trial reports when nothing real runs it (the simulated runtime, `gpupool simulate`): the
 * experiment's objective metric over ten steps, a learning curve (objectives.ts) converging to
 * Branin's value at the assignment placed on Branin's domain. Each numeric parameter is placed by
 * where it lies between its bounds (on a log scale for log distributions), a categorical or
 * discrete one by its position in its list; the first two give x1 and x2 (one parameter gives
 * both). A maximize objective reports 1 / (1 + value), so higher is better there too. Pure: the
 * same experiment and assignment always report the same series.
 */
import { branin, curveOf, curveSeries, hartmann6, type SyntheticObjective } from './objectives.js';
import type { Assignment, MetricPoint, Parameter } from './space.js';
import type { ExperimentSpec } from './spec.js';

/**
 * Where a parameter's value lies in its space, in [0, 1]: a number between its bounds (on a log
 * scale for log distributions), a categorical or discrete value by its position in its list; the
 * middle when it cannot say.
 */
export function unitOf(p: Parameter, value: string | undefined): number {
  if (value === undefined) return 0.5;
  if ('list' in p) {
    const i = p.list.indexOf(value);
    return p.list.length <= 1 || i < 0 ? 0.5 : i / (p.list.length - 1);
  }
  const x = Number(value);
  if (!Number.isFinite(x) || p.max <= p.min) return 0.5;
  const log = (p.distribution === 'logUniform' || p.distribution === 'logNormal') && p.min > 0;
  const u = log ? Math.log(x / p.min) / Math.log(p.max / p.min) : (x - p.min) / (p.max - p.min);
  return Math.min(1, Math.max(0, u));
}

export const SYNTHETIC_STEPS = 10;

/**
 * How a maximize experiment is told a synthetic objective's value, so that higher is better and
 * the order is the function's reversed: Hartmann-6's (negative) negated, Branin's (positive) as
 * 1 / (1 + value).
 */
export function asMaximized(objective: SyntheticObjective, value: number): number {
  return objective === hartmann6 ? -value : 1 / (1 + value);
}

export function syntheticTrialSeries(spec: ExperimentSpec, assignment: Assignment, steps = SYNTHETIC_STEPS): MetricPoint[] {
  const [p1, p2] = spec.space;
  const u1 = p1 ? unitOf(p1, assignment[p1.name]) : 0.5;
  const u2 = p2 ? unitOf(p2, assignment[p2.name]) : u1;
  const [d1, d2] = branin.space as [Extract<Parameter, { min: number }>, Extract<Parameter, { min: number }>];
  const point = { x1: String(d1.min + u1 * (d1.max - d1.min)), x2: String(d2.min + u2 * (d2.max - d2.min)) };
  const series = curveSeries(curveOf(branin, point), steps);
  if (spec.objective.type === 'minimize') return series;
  return series.map(({ step, value }) => ({ step, value: asMaximized(branin, value) }));
}
