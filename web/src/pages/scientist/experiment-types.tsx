/**
 * Tuning experiments as the API answers them (adapters/http/routes/experiments.ts), field for
 * field, and the words and links the experiment pages share.
 */
import { assetQuery } from './common';

export const EXPERIMENT_STATUSES = ['Running', 'Stopping', 'Succeeded', 'Failed', 'Stopped'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];
export type TrialStatus = 'Created' | 'Running' | 'Succeeded' | 'Failed' | 'EarlyStopped' | 'MetricsUnavailable' | 'Killed';

export type Parameter =
  | { name: string; type: 'double' | 'int'; min: number; max: number; step: number | null; distribution: string }
  | { name: string; type: 'categorical' | 'discrete'; list: string[]; distribution: string };

export interface Objective {
  type: 'minimize' | 'maximize';
  goal: number | null;
  objectiveMetricName: string;
  additionalMetricNames: string[];
}

export interface Trial {
  name: string;
  assignment: Record<string, string>;
  labels: Record<string, string>;
  status: TrialStatus;
  objective: number | null;
  metrics: Record<string, number>;
  jobId: string;
  createdAt: number;
  endedAt: number | null;
  message: string | null;
}

export interface OptimalTrial {
  name: string;
  assignment: Record<string, string>;
  objective: number | null;
  metrics: Record<string, number>;
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

export interface ExperimentListItem {
  id: string;
  name: string;
  group: string;
  owner: string;
  labels: Record<string, string>;
  algorithm: string;
  objective: Objective;
  parallelTrialCount: number;
  maxTrialCount: number | null;
  maxFailedTrialCount: number | null;
  seed: number;
  createdAt: number;
  status: ExperimentStatus;
  reason: string | null;
  message: string | null;
  endedAt: number | null;
  stopTrials: 'stop' | 'finish' | null;
  exhausted: boolean;
  restarts: number;
  counters: Counters;
  optimalTrial: OptimalTrial | null;
}

export interface Experiment extends ExperimentListItem {
  spec: { space: Parameter[]; resumePolicy: string; objective: Objective; document: unknown; [k: string]: unknown };
  trials: Trial[];
}

export const experimentHref = (x: Pick<ExperimentListItem, 'group' | 'name'>) =>
  `/experiments/${encodeURIComponent(x.group)}/${encodeURIComponent(x.name)}`;

/** Experiments have a stream of their own: in the past, they are read as of the cluster revision's time. */
export const experimentQuery = assetQuery;

export const ENDED: ReadonlySet<ExperimentStatus> = new Set(['Succeeded', 'Failed', 'Stopped']);

const TONE: Record<string, string> = {
  Running: 'busy',
  Stopping: 'busy',
  Created: 'waiting',
  Succeeded: 'good',
  Failed: 'bad',
  MetricsUnavailable: 'bad',
  EarlyStopped: 'neutral',
  Killed: 'neutral',
  Stopped: 'neutral',
};

/** A status (an experiment's or a trial's) as a badge, spaced into words. */
export function TuningBadge({ status }: { status: string }) {
  return <span className={`badge badge-${TONE[status] ?? 'neutral'}`}>{status.replace(/([a-z])([A-Z])/g, '$1 $2')}</span>;
}

/** A number as people read it: four significant digits. */
export const formatNumber = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : Math.abs(v) >= 1e4 || Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));

/** An assignment's value as shown: numbers shortened, other values as they are. */
export const formatValue = (v: string | undefined): string => {
  if (v === undefined) return '–';
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? formatNumber(n) : v;
};

/** Whether objective `a` is better than `b` for the experiment's goal. */
export const better = (type: Objective['type'], a: number, b: number) => (type === 'minimize' ? a < b : a > b);

/** The best objective so far after each trial (null before any has one). */
export function bestSoFar(type: Objective['type'], values: readonly (number | null)[]): (number | null)[] {
  let best: number | null = null;
  return values.map((v) => {
    if (v !== null && (best === null || better(type, v, best))) best = v;
    return best;
  });
}

export const objectiveWords = (o: Objective) =>
  `${o.type} ${o.objectiveMetricName}${o.goal === null ? '' : ` (goal ${formatNumber(o.goal)})`}`;
