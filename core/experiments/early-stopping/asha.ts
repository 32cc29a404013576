/**
 * Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter
 * Tuning", MLSys 2020) as an early-stopping rule, in the way Optuna's SuccessiveHalvingPruner
 * applies it: the metric's step is the resource; rungs sit at min_resource * eta^k below
 * max_resource; a running trial that has reached a rung is compared, by its value at that rung,
 * with every trial that reached the same rung, and it is stopped unless it is among the best
 * floor(n / eta) of those n trials (at least the best one).
 *
 * Settings: `min_resource` (default 1), `reduction_factor` (eta, default 3), `max_resource`
 * (optional; no rung at or beyond it, so trials that reach it finish). The rule is judged again
 * at every call against the trials known then, so a trial waiting between rungs can still be
 * stopped at its last rung when better trials arrive there; once it reaches the next rung only
 * that rung counts.
 */
import type { EarlyStoppingRule, MetricPoint, ObjectiveType, Observation, Setting, SettingsIssue } from '../space.js';
import { intSetting, numberSetting, parseSettings } from '../suggest/sample.js';

const PREFIX = 'spec.earlyStopping.algorithmSettings';
const PARSERS = { min_resource: numberSetting(0), reduction_factor: intSetting(2), max_resource: numberSetting(0) };

export interface AshaConfig {
  readonly minResource: number;
  readonly eta: number;
  readonly maxResource: number | null;
}

function configOf(settings: readonly Setting[]): AshaConfig {
  const { values } = parseSettings(settings, PARSERS, PREFIX);
  return {
    minResource: typeof values.min_resource === 'number' ? values.min_resource : 1,
    eta: typeof values.reduction_factor === 'number' ? values.reduction_factor : 3,
    maxResource: typeof values.max_resource === 'number' ? values.max_resource : null,
  };
}

/** The highest rung (its resource) at or below a step, or null when the step is below the first rung. */
export function rungAt(config: AshaConfig, step: number): number | null {
  let rung: number | null = null;
  for (let r = config.minResource; r <= step + 1e-9; r *= config.eta) {
    if (config.maxResource !== null && r >= config.maxResource - 1e-9) break;
    rung = r;
  }
  return rung;
}

/** A trial's value when it reached a rung: its last report at or before that step, or null if it has not reached it. */
function valueAtRung(series: readonly MetricPoint[], rung: number): number | null {
  if (!series.some((p) => p.step >= rung - 1e-9)) return null;
  let best: MetricPoint | null = null;
  for (const p of series) if (p.step <= rung + 1e-9 && (best === null || p.step > best.step)) best = p;
  return best === null ? null : best.value;
}

export const asha: EarlyStoppingRule = {
  name: 'asha',
  validate(settings: readonly Setting[]): SettingsIssue[] {
    const { issues } = parseSettings(settings, PARSERS, PREFIX);
    const config = configOf(settings);
    if (config.maxResource !== null && config.maxResource <= config.minResource) {
      const i = settings.findIndex((s) => s.name === 'max_resource');
      issues.push({ path: `${PREFIX}[${i}].value`, message: 'max_resource must be greater than min_resource' });
    }
    return issues;
  },
  stop(request: { objective: ObjectiveType; settings: readonly Setting[]; observations: readonly Observation[] }): string[] {
    const config = configOf(request.settings);
    const better = (a: number, b: number) => (request.objective === 'minimize' ? a < b : a > b);
    const stopped: string[] = [];
    for (const o of request.observations) {
      if (o.outcome !== 'running' || o.series.length === 0) continue;
      const last = Math.max(...o.series.map((p) => p.step));
      const rung = rungAt(config, last);
      if (rung === null) continue;
      const mine = valueAtRung(o.series, rung);
      if (mine === null) continue;
      const competing = request.observations.map((c) => valueAtRung(c.series, rung)).filter((v): v is number => v !== null);
      const keep = Math.max(1, Math.floor(competing.length / config.eta));
      const ahead = competing.filter((v) => better(v, mine)).length;
      if (ahead >= keep) stopped.push(o.trial);
    }
    return stopped;
  },
};
