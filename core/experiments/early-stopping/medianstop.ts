/**
 * The median stopping rule (Golovin et al., "Google Vizier", KDD 2017), Katib's `medianstop`.
 *
 * A running trial that has reported at least `start_step` values (default 4) is stopped when its
 * best value so far is strictly worse than the median of the running averages, up to the same
 * step, of the succeeded trials, once at least `min_trials_required` (default 3) succeeded trials
 * have reported by that step.
 *
 * Katib differs in two ways, on purpose not copied: its service averages each succeeded trial's
 * first `start_step` values once and then takes the *mean* of those averages (despite the name),
 * and its metrics collector compares each new value to that one number whatever the step. The
 * rule here is the published one: a median, robust to one diverged trial, and the succeeded
 * trials' averages taken at the step the running trial has reached.
 */
import type { EarlyStoppingRule, MetricPoint, ObjectiveType, Observation, Setting, SettingsIssue } from '../space.js';
import { intSetting, parseSettings } from '../suggest/sample.js';

const PREFIX = 'spec.earlyStopping.algorithmSettings';
const PARSERS = { min_trials_required: intSetting(1), start_step: intSetting(1) };

export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function bySteps(series: readonly MetricPoint[]): MetricPoint[] {
  return [...series].sort((a, b) => a.step - b.step);
}

/** The rule's threshold for a step: the median of succeeded trials' running averages, or null when too few. */
export function medianAtStep(observations: readonly Observation[], step: number, minTrials: number): number | null {
  const averages: number[] = [];
  for (const o of observations) {
    if (o.outcome !== 'succeeded') continue;
    const upTo = o.series.filter((p) => p.step <= step);
    if (upTo.length === 0) continue;
    averages.push(upTo.reduce((s, p) => s + p.value, 0) / upTo.length);
  }
  return averages.length >= minTrials ? medianOf(averages) : null;
}

function settingsOf(settings: readonly Setting[]) {
  const { values } = parseSettings(settings, PARSERS, PREFIX);
  return {
    minTrials: typeof values.min_trials_required === 'number' ? values.min_trials_required : 3,
    startStep: typeof values.start_step === 'number' ? values.start_step : 4,
  };
}

export const medianstop: EarlyStoppingRule = {
  name: 'medianstop',
  validate(settings: readonly Setting[]): SettingsIssue[] {
    return parseSettings(settings, PARSERS, PREFIX).issues;
  },
  stop(request: { objective: ObjectiveType; settings: readonly Setting[]; observations: readonly Observation[] }): string[] {
    const { minTrials, startStep } = settingsOf(request.settings);
    const stopped: string[] = [];
    for (const o of request.observations) {
      if (o.outcome !== 'running' || o.series.length < startStep) continue;
      const series = bySteps(o.series);
      const step = (series[series.length - 1] as MetricPoint).step;
      const median = medianAtStep(request.observations, step, minTrials);
      if (median === null) continue;
      const values = series.map((p) => p.value);
      const best = request.objective === 'minimize' ? Math.min(...values) : Math.max(...values);
      if (request.objective === 'minimize' ? best > median : best < median) stopped.push(o.trial);
    }
    return stopped;
  },
};
