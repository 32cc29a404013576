/**
 * The experiments context: hyperparameter tuning experiments and their trials, on the stream
 * `experiments`. An experiment holds its spec (spec.ts, Katib's Experiment defaulted and checked),
 * its owner and group, its counters and conditions as Katib reports them, and its trials; a trial
 * is an assignment of the search space, run as a `trial` job of the cluster (its job id is kept).
 *
 * The state is an owned projection, as the cluster's and the assets' are: an experiment of 10,000
 * trials cannot be copied per event, so `evolve` updates it in place and `decide` only reads it.
 */
import type { DeciderState } from '../decider.js';
import type { Assignment } from './space.js';
import type { ExperimentSpec } from './spec.js';

export const EXPERIMENT_STATUSES = ['Running', 'Stopping', 'Succeeded', 'Failed', 'Stopped'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

/** Why an experiment ended (Katib's condition reasons, and gpupool's for a stop or a deadline). */
export const COMPLETION_REASONS = [
  'ExperimentGoalReached',
  'ExperimentMaxFailedTrialsReached',
  'ExperimentMaxTrialsReached',
  'ExperimentSuggestionEndReached',
  'ExperimentStopped',
  'ExperimentMaxDurationReached',
] as const;
export type CompletionReason = (typeof COMPLETION_REASONS)[number];

export type TrialStatus = 'Created' | 'Running' | 'Succeeded' | 'Failed' | 'EarlyStopped' | 'MetricsUnavailable' | 'Killed';

export const isTrialDone = (s: TrialStatus): boolean => s !== 'Created' && s !== 'Running';

export interface TrialState {
  readonly name: string;
  readonly assignment: Assignment;
  readonly labels: Readonly<Record<string, string>>;
  /** The cluster job that runs it. */
  readonly jobId: string;
  status: TrialStatus;
  /** The objective by its metric strategy, when it reported one. */
  objective: number | null;
  /** Every metric it reported, by strategy (the objective's and the additional ones). */
  metrics: Record<string, number>;
  readonly createdAt: number;
  endedAt: number | null;
  /** Why it failed or was stopped, when it did. */
  message: string | null;
}

export interface Counters {
  trials: number;
  running: number;
  succeeded: number;
  failed: number;
  earlyStopped: number;
  metricsUnavailable: number;
  killed: number;
}

export interface ExperimentState {
  /** `<group>/<name>`. */
  readonly id: string;
  readonly owner: string;
  readonly group: string;
  spec: ExperimentSpec;
  /** The seed its algorithm draws from. */
  readonly seed: number;
  readonly createdAt: number;
  status: ExperimentStatus;
  /** Why it ended; null while it runs. */
  reason: CompletionReason | null;
  message: string | null;
  endedAt: number | null;
  /** On a stop: what happens to its running trials, and why it stops. */
  stopTrials: 'finish' | 'stop' | null;
  stopReason: CompletionReason | null;
  /** The algorithm said no further trial can be suggested. */
  exhausted: boolean;
  counters: Counters;
  /** In creation order. */
  readonly trials: Map<string, TrialState>;
  /** The best trial so far by the objective (succeeded or early-stopped with a value). */
  optimal: string | null;
  /** Times it was restarted. */
  restarts: number;
}

export interface ExperimentsState extends DeciderState {
  readonly experiments: Map<string, ExperimentState>;
  /** Each group's experiments in creation order. Derived. */
  readonly byGroup: Map<string, string[]>;
  /** Trials by their job's id: how the controller finds a trial from a cluster event. Derived. */
  readonly trialOfJob: Map<string, { experiment: string; trial: string }>;
}

export const trialJobId = (experimentId: string, trial: string): string => `${experimentId}-${trial}`;
export const trialName = (n: number): string => `trial-${n}`;

export const isExperimentDone = (s: ExperimentStatus): boolean => s === 'Succeeded' || s === 'Failed' || s === 'Stopped';

/** Whether `a` is a better objective than `b` for the experiment's objective type. */
export const better = (type: 'minimize' | 'maximize', a: number, b: number): boolean => (type === 'minimize' ? a < b : a > b);
