/**
 * What the suggestion algorithms and the early-stopping rules are told of an experiment's trials,
 * and what a trial's reported series make of its result. The experiment controller
 * (app/experiment-controller.ts) on the wall clock and `gpupool simulate` (simulations/tuning.ts)
 * in virtual time run experiments by these same rules, so a simulated experiment suggests, stops
 * and scores its trials as a real one does. Pure.
 */
import type { ExperimentCommandOf } from './commands.js';
import { type ExperimentState, isExperimentDone, type TrialState, type TrialStatus, trialName } from './model.js';
import type { EarlyStoppingRule, MetricPoint, Observation, SuggestionAlgorithm, TrialOutcome } from './space.js';
import type { ExperimentSpec, MetricStrategyValue } from './spec.js';

/** How a trial's status reads to an algorithm: a killed trial failed, a created one runs. */
const OUTCOME_OF: Record<TrialStatus, TrialOutcome> = {
  Created: 'running',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  EarlyStopped: 'early-stopped',
  MetricsUnavailable: 'metrics-unavailable',
  Killed: 'failed',
};

/** A trial as an algorithm or a rule sees it, with the objective series it reported (none by default). */
export function observationOf(t: TrialState, series: readonly MetricPoint[] = []): Observation {
  return {
    trial: t.name,
    assignment: t.assignment,
    labels: t.labels,
    outcome: OUTCOME_OF[t.status],
    objective: t.objective,
    series,
  };
}

/** The value of a metric's series by its strategy; null when it has none. */
export function valueByStrategy(values: readonly number[], strategy: MetricStrategyValue): number | null {
  if (values.length === 0) return null;
  if (strategy === 'latest') return values[values.length - 1] as number;
  return strategy === 'min' ? Math.min(...values) : Math.max(...values);
}

/** A metric's strategy: the one the spec gives it, else Katib's default for the objective's type. */
export function metricStrategy(spec: ExperimentSpec, metric: string): MetricStrategyValue {
  return (
    spec.objective.metricStrategies.find((m) => m.name === metric)?.value ?? (spec.objective.type === 'minimize' ? 'min' : 'max')
  );
}

/** What a trial reports when it ends. */
export interface TrialResult {
  readonly objective: number | null;
  readonly metrics: Record<string, number>;
}

/**
 * A trial's result from the series it reported, by metric name: each of the experiment's metrics
 * (the objective's, then the additional ones) by its strategy, those without a value left out; its
 * objective null when the objective metric has none.
 */
export function trialResult(spec: ExperimentSpec, series: ReadonlyMap<string, readonly MetricPoint[]>): TrialResult {
  const metrics: Record<string, number> = {};
  for (const name of [spec.objective.objectiveMetricName, ...spec.objective.additionalMetricNames]) {
    const v = valueByStrategy(
      (series.get(name) ?? []).map((p) => p.value),
      metricStrategy(spec, name),
    );
    if (v !== null) metrics[name] = v;
  }
  return { objective: metrics[spec.objective.objectiveMetricName] ?? null, metrics };
}

/** A trial's result from its objective metric's series alone. */
export const objectiveResult = (spec: ExperimentSpec, series: readonly MetricPoint[]): TrialResult =>
  trialResult(spec, new Map([[spec.objective.objectiveMetricName, series]]));

/**
 * The trials to record now: up to `wanted` of the algorithm's suggestions, named after the trials
 * the experiment has, and whether the space is exhausted; null when there is nothing to record
 * (no suggestion and not exhausted). Every trial made so far is an observation without its series.
 */
export function suggestTrials(
  algorithm: SuggestionAlgorithm,
  x: ExperimentState,
  wanted: number,
): Omit<ExperimentCommandOf<'CreateTrials'>, 'type'> | null {
  const result = algorithm.suggest({
    space: x.spec.space,
    objective: x.spec.objective.type,
    settings: x.spec.algorithm.settings,
    observations: [...x.trials.values()].map((t) => observationOf(t)),
    count: wanted,
    maxTrials: x.spec.maxTrialCount,
    seed: x.seed,
  });
  const first = x.counters.trials;
  const trials = result.suggestions.slice(0, wanted).map((s, i) => ({
    name: trialName(first + i + 1),
    assignment: { ...s.assignment },
    labels: { ...s.labels },
  }));
  if (trials.length === 0 && !result.exhausted) return null;
  return { experimentId: x.id, trials, exhausted: result.exhausted };
}

/** The trials early stopping judges: those that have started (running or ended). */
export const startedTrials = (x: ExperimentState): TrialState[] => [...x.trials.values()].filter((t) => t.status !== 'Created');

/** The running trials `rule` stops now, given the observations of the started trials. */
export const trialsToStopEarly = (x: ExperimentState, rule: EarlyStoppingRule, observations: readonly Observation[]): string[] =>
  rule.stop({ objective: x.spec.objective.type, settings: x.spec.earlyStopping?.settings ?? [], observations });

/** The report that ends a trial `rule` stopped: EarlyStopped, with the objective its series reached. */
export function earlyStoppedReport(
  x: ExperimentState,
  trial: string,
  series: readonly MetricPoint[],
  rule: EarlyStoppingRule,
): ExperimentCommandOf<'ReportTrialEnded'> {
  const { objective, metrics } = objectiveResult(x.spec, series);
  return {
    type: 'ReportTrialEnded',
    experimentId: x.id,
    trial,
    outcome: 'early-stopped',
    objective,
    metrics,
    message: `stopped early by ${rule.name}`,
  };
}

/** Whether an experiment's running trials are to be stopped: it has ended, or it stops with `stop`. */
export const stopsRunningTrials = (x: ExperimentState): boolean =>
  isExperimentDone(x.status) || (x.status === 'Stopping' && x.stopTrials === 'stop');
