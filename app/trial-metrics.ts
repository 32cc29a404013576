/**
 * How a tuning trial's metrics are collected on Kubernetes: from its primary container's log, as
 * Katib's StdOut collector does (core/experiments/metrics-collector.ts: `name=value` lines, custom
 * patterns, timestamps, JSON lines), keeping the experiment's objective and additional metrics.
 * Other collectors (a File inside the pod, TensorFlow events, Prometheus) need an agent in the pod
 * that gpupool does not run; their trials push their metrics through the metrics API instead.
 */
import type { MetricPointInput } from '../core/assets/metrics.js';
import type { JobState } from '../core/cluster/model.js';
import { collectMetrics } from '../core/experiments/metrics-collector.js';
import type { ExperimentsState } from '../core/experiments/model.js';

export function trialLogParser(
  experiments: { readonly current: Readonly<ExperimentsState> },
  job: JobState,
): ((log: string) => MetricPointInput[]) | null {
  if (job.kind !== 'trial') return null;
  const where = experiments.current.trialOfJob.get(job.id);
  const x = where && experiments.current.experiments.get(where.experiment);
  if (x?.spec.metricsCollector.kind !== 'StdOut') return null;
  const names = [x.spec.objective.objectiveMetricName, ...x.spec.objective.additionalMetricNames];
  return (log) => collectMetrics(log, x.spec.metricsCollector, names).points;
}
