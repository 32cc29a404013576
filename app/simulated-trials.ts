/**
 * How the simulated runtime plays a tuning trial: it runs `SIMULATED_TRIAL_SECONDS` and reports
 * its experiment's objective metric as a learning curve of its assignment
 * (core/experiments/synthetic-trial.ts), so an experiment on the demo cluster converges the way a
 * real one would, only faster.
 */
import type { MetricPointInput } from '../core/assets/metrics.js';
import type { JobState } from '../core/cluster/model.js';
import type { ExperimentsState } from '../core/experiments/model.js';
import { syntheticTrialSeries } from '../core/experiments/synthetic-trial.js';

export const SIMULATED_TRIAL_SECONDS = 5;

export function simulatedTrialMetrics(
  experiments: { readonly current: Readonly<ExperimentsState> },
  job: JobState,
): MetricPointInput[] | null {
  if (job.kind !== 'trial') return null;
  const where = experiments.current.trialOfJob.get(job.id);
  const x = where && experiments.current.experiments.get(where.experiment);
  const trial = where && x?.trials.get(where.trial);
  if (!x || !trial) return null;
  const name = x.spec.objective.objectiveMetricName;
  return syntheticTrialSeries(x.spec, trial.assignment).map((p) => ({ name, value: p.value, step: p.step }));
}
