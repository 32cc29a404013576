/**
 * What a tuning trial does in `gpupool simulate`: how long it runs and the objective series it
 * reports, from a synthetic objective (core/experiments/objectives.ts) at its assignment. Nothing
 * runs, so a team can compare algorithms on their cluster before spending a GPU on them.
 *
 * - `branin`, `hartmann6`: the function's value at the assignment, reported once, at the end.
 * - `branin-curve` (the default), `hartmann6-curve`: a learning curve over steps converging to that
 *   value, reported step by step while the trial runs, so early stopping has series to judge.
 *   `branin-curve` is what the trials of `gpupool serve`'s simulated runtime report
 *   (core/experiments/synthetic-trial.ts).
 *
 * An assignment is placed on the function's domain parameter by parameter: the i-th parameter of
 * the search space gives the i-th coordinate, by where its value lies between its bounds (on a log
 * scale for log distributions; a categorical or discrete one by its position in its list).
 * Coordinates beyond the experiment's parameters sit at the function's minimizer, so the minimum
 * stays reachable with fewer parameters; parameters beyond the function's dimension are ignored.
 * A hyperband experiment's resource parameter is not a coordinate: it is the trial's budget (its
 * steps, and its share of the full run time). A maximize experiment is reported a value where
 * higher is better: 1 / (1 + value) for Branin, -value for Hartmann-6.
 *
 * Pure: the same spec, assignment and run time always give the same plan.
 */
import {
  branin,
  curveOf,
  curveSeries,
  evaluateAssignment,
  hartmann6,
  type SyntheticObjective,
} from '../core/experiments/objectives.js';
import type { Assignment, MetricPoint, Parameter } from '../core/experiments/space.js';
import type { ExperimentSpec } from '../core/experiments/spec.js';
import { asMaximized, SYNTHETIC_STEPS, syntheticTrialSeries, unitOf } from '../core/experiments/synthetic-trial.js';

export const SYNTHETIC_OBJECTIVES = ['branin-curve', 'hartmann6-curve', 'branin', 'hartmann6'] as const;
export type SyntheticObjectiveName = (typeof SYNTHETIC_OBJECTIVES)[number];
export const DEFAULT_SYNTHETIC_OBJECTIVE: SyntheticObjectiveName = 'branin-curve';

const FUNCTIONS: Record<SyntheticObjectiveName, SyntheticObjective> = {
  branin,
  hartmann6,
  'branin-curve': branin,
  'hartmann6-curve': hartmann6,
};

export const isSyntheticObjective = (name: string): name is SyntheticObjectiveName =>
  (SYNTHETIC_OBJECTIVES as readonly string[]).includes(name);

/** What a trial will do once it starts. */
export interface TrialPlan {
  /** Seconds it runs. */
  readonly seconds: number;
  /** Its objective metric, step by step; step k is reported `seconds * k / steps` after it starts. */
  readonly series: readonly MetricPoint[];
}

/**
 * The function's point (x1..xd, as strings) for an assignment of the experiment's coordinates, each
 * placed by where its value lies in its space (unitOf, the rule the simulated runtime's trials use).
 */
function pointOf(f: SyntheticObjective, coordinates: readonly Parameter[], assignment: Assignment): Assignment {
  const minimizer = f.minimizers[0] as readonly number[];
  const point: Record<string, string> = {};
  f.space.forEach((d, i) => {
    if (!('min' in d)) return;
    const p = coordinates[i];
    point[d.name] = String(p ? d.min + unitOf(p, assignment[p.name]) * (d.max - d.min) : (minimizer[i] as number));
  });
  return point;
}

/** A hyperband experiment's budget parameter and its full budget r_l, when it is one. */
export function hyperbandBudget(spec: ExperimentSpec): { resource: string; rl: number } | null {
  if (spec.algorithm.name !== 'hyperband') return null;
  const setting = (name: string) => spec.algorithm.settings.find((s) => s.name === name)?.value.trim();
  const resource = setting('resource_name');
  const rl = Number(setting('r_l'));
  return resource && Number.isFinite(rl) && rl > 0 ? { resource, rl } : null;
}

export function trialPlan(
  name: SyntheticObjectiveName,
  spec: ExperimentSpec,
  assignment: Assignment,
  trialSeconds: number,
): TrialPlan {
  const f = FUNCTIONS[name];
  const budget = hyperbandBudget(spec);
  const budgetValue = budget ? Number(assignment[budget.resource]) : Number.NaN;
  const share = budget && Number.isFinite(budgetValue) && budgetValue > 0 ? Math.min(1, budgetValue / budget.rl) : 1;
  const seconds = trialSeconds * share;
  const coordinates = budget ? spec.space.filter((p) => p.name !== budget.resource) : spec.space;
  const curve = name.endsWith('-curve');
  // A curve runs its budget's steps under hyperband (epochs, say), else the usual ten.
  const steps = !curve ? 1 : budget ? Math.max(1, Math.round(share * budget.rl)) : SYNTHETIC_STEPS;
  const maximize = spec.objective.type === 'maximize';
  if (name === 'branin-curve') {
    // As gpupool serve's simulated trials report it (the same function of the same coordinates).
    return { seconds, series: syntheticTrialSeries({ ...spec, space: coordinates }, assignment, steps) };
  }
  const point = pointOf(f, coordinates, assignment);
  const series: MetricPoint[] = curve
    ? curveSeries(curveOf(f, point), steps)
    : [{ step: 1, value: evaluateAssignment(f, point) }];
  return { seconds, series: maximize ? series.map((p) => ({ step: p.step, value: asMaximized(f, p.value) })) : series };
}

/** The function's best value as the experiment is told it (for the docs and the report). */
export function bestPossible(name: SyntheticObjectiveName, type: 'minimize' | 'maximize'): number {
  const min = FUNCTIONS[name].minimum;
  return type === 'minimize' ? min : asMaximized(FUNCTIONS[name], min);
}
