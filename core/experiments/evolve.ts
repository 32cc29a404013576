/**
 * evolve for the experiments context: folds an event into the state, in place (model.ts says why).
 */
import { foldEnvelope } from '../decider.js';
import type { ExperimentEvent } from './events.js';
import { better, type ExperimentState, type ExperimentsState, type TrialState } from './model.js';
import type { ExperimentSpec } from './spec.js';

export function initialExperimentsState(): ExperimentsState {
  return { revision: -1, now: 0, commands: new Map(), experiments: new Map(), byGroup: new Map(), trialOfJob: new Map() };
}

const counterOf = {
  Succeeded: 'succeeded',
  Failed: 'failed',
  EarlyStopped: 'earlyStopped',
  MetricsUnavailable: 'metricsUnavailable',
  Killed: 'killed',
} as const;

export function evolveExperiments(s: ExperimentsState, e: ExperimentEvent): ExperimentsState {
  foldEnvelope(s, e);
  switch (e.type) {
    case 'ExperimentCreated': {
      const x: ExperimentState = {
        id: e.experimentId,
        owner: e.owner,
        group: e.group,
        spec: e.spec as unknown as ExperimentSpec,
        seed: e.seed,
        createdAt: e.at,
        status: 'Running',
        reason: null,
        message: null,
        endedAt: null,
        stopTrials: null,
        stopReason: null,
        exhausted: false,
        counters: { trials: 0, running: 0, succeeded: 0, failed: 0, earlyStopped: 0, metricsUnavailable: 0, killed: 0 },
        trials: new Map(),
        optimal: null,
        restarts: 0,
      };
      s.experiments.set(x.id, x);
      let ids = s.byGroup.get(x.group);
      if (!ids) s.byGroup.set(x.group, (ids = []));
      ids.push(x.id);
      break;
    }
    case 'ExperimentEdited': {
      const x = s.experiments.get(e.experimentId);
      if (!x) break;
      x.spec = {
        ...x.spec,
        parallelTrialCount: e.parallelTrialCount,
        maxTrialCount: e.maxTrialCount,
        maxFailedTrialCount: e.maxFailedTrialCount,
      };
      break;
    }
    case 'TrialsCreated': {
      const x = s.experiments.get(e.experimentId);
      if (!x) break;
      for (const t of e.trials) {
        const trial: TrialState = {
          name: t.name,
          assignment: t.assignment,
          labels: t.labels,
          jobId: t.jobId,
          status: 'Created',
          objective: null,
          metrics: {},
          createdAt: e.at,
          endedAt: null,
          message: null,
        };
        x.trials.set(t.name, trial);
        s.trialOfJob.set(t.jobId, { experiment: x.id, trial: t.name });
        x.counters.trials++;
      }
      if (e.exhausted) x.exhausted = true;
      break;
    }
    case 'TrialStarted': {
      const x = s.experiments.get(e.experimentId);
      const t = x?.trials.get(e.trial);
      if (!x || !t || t.status !== 'Created') break;
      t.status = 'Running';
      x.counters.running++;
      break;
    }
    case 'TrialEnded': {
      const x = s.experiments.get(e.experimentId);
      const t = x?.trials.get(e.trial);
      if (!x || !t) break;
      if (t.status === 'Running') x.counters.running--;
      t.status = e.status;
      t.objective = e.objective;
      t.metrics = e.metrics;
      t.endedAt = e.at;
      t.message = e.message ?? null;
      x.counters[counterOf[e.status]]++;
      s.trialOfJob.delete(t.jobId);
      if ((e.status === 'Succeeded' || e.status === 'EarlyStopped') && e.objective !== null) {
        const best = x.optimal === null ? null : (x.trials.get(x.optimal)?.objective ?? null);
        if (best === null || better(x.spec.objective.type, e.objective, best)) x.optimal = t.name;
      }
      break;
    }
    case 'ExperimentStopRequested': {
      const x = s.experiments.get(e.experimentId);
      if (!x) break;
      x.status = 'Stopping';
      x.stopTrials = e.trials;
      x.stopReason = e.reason ?? 'ExperimentStopped';
      break;
    }
    case 'ExperimentCompleted': {
      const x = s.experiments.get(e.experimentId);
      if (!x) break;
      x.status = e.status;
      x.reason = e.reason;
      x.message = e.message;
      x.endedAt = e.at;
      break;
    }
    case 'ExperimentRestarted': {
      const x = s.experiments.get(e.experimentId);
      if (!x) break;
      x.status = 'Running';
      x.reason = null;
      x.message = null;
      x.endedAt = null;
      x.stopTrials = null;
      x.stopReason = null;
      x.restarts++;
      break;
    }
    default:
      break;
  }
  return s;
}
