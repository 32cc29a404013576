/**
 * decide for the experiments context: a command and the state give a rejection or events. Pure.
 *
 * An experiment ends as Katib's does, checked in this order after every trial that ends: its goal
 * reached (the optimal trial's objective at or beyond the goal), then more failed trials than
 * `maxFailedTrialCount`, then `maxTrialCount` trials ended, then the search space exhausted with
 * no trial left running. A stop (gpupool's) or a maximum duration ends it once its running trials
 * have ended, or at once when none runs.
 */

import type { Unstamped } from '../decider.js';
import { type Rejection, reject } from '../rejection.js';
import * as E from '../vendor/either.js';
import type { ExperimentCommand, ExperimentCommandOf } from './commands.js';
import type { ExperimentEvent } from './events.js';
import {
  better,
  type CompletionReason,
  type ExperimentState,
  type ExperimentsState,
  isExperimentDone,
  isTrialDone,
  trialJobId,
} from './model.js';
import type { ExperimentSpec } from './spec.js';

type Body = Unstamped<ExperimentEvent>;
type Decision = E.Either<Rejection, Body[]>;
const ok = (...events: Body[]): Decision => E.right(events);
const no = (code: Parameters<typeof reject>[0], message: string): Decision => E.left(reject(code, message));

/** Trials created and not ended. */
export const activeTrials = (x: ExperimentState): number =>
  x.counters.trials -
  x.counters.succeeded -
  x.counters.failed -
  x.counters.earlyStopped -
  x.counters.metricsUnavailable -
  x.counters.killed;

/** Trials ended, whatever way. */
export const endedTrials = (x: ExperimentState): number => x.counters.trials - activeTrials(x);

/** How many trials the controller may create now: free parallel slots, within the trial budget. */
export function trialsWanted(x: ExperimentState): number {
  if (x.status !== 'Running' || x.exhausted) return 0;
  const free = x.spec.parallelTrialCount - activeTrials(x);
  const budget = x.spec.maxTrialCount === null ? Number.POSITIVE_INFINITY : x.spec.maxTrialCount - x.counters.trials;
  return Math.max(0, Math.min(free, budget));
}

/** Whether the experiment's goal is reached by its optimal trial. */
function goalReached(x: ExperimentState, optimalObjective: number | null): boolean {
  const goal = x.spec.objective.goal;
  if (goal === null || optimalObjective === null) return false;
  return x.spec.objective.type === 'minimize' ? optimalObjective <= goal : optimalObjective >= goal;
}

/**
 * The event that ends the experiment as it will stand after `counters` and `optimal`, if it ends:
 * Katib's order (goal, failures, budget, exhausted) while it runs; a stop once nothing runs.
 */
export function completion(
  x: ExperimentState,
  after: { active: number; ended: number; failed: number; optimalObjective: number | null; exhausted: boolean },
  stopReason: CompletionReason = 'ExperimentStopped',
): Body | null {
  const done = (status: 'Succeeded' | 'Failed' | 'Stopped', reason: CompletionReason, message: string): Body => ({
    type: 'ExperimentCompleted',
    experimentId: x.id,
    status,
    reason,
    message,
  });
  if (x.status === 'Stopping') {
    return after.active === 0 ? done('Stopped', stopReason, `experiment '${x.id}' was stopped`) : null;
  }
  if (x.status !== 'Running') return null;
  if (goalReached(x, after.optimalObjective)) {
    return done('Succeeded', 'ExperimentGoalReached', `the objective reached its goal ${x.spec.objective.goal}`);
  }
  const maxFailed = x.spec.maxFailedTrialCount;
  if (maxFailed !== null && after.failed > maxFailed) {
    return done(
      'Failed',
      'ExperimentMaxFailedTrialsReached',
      `${after.failed} trials failed, more than maxFailedTrialCount ${maxFailed}`,
    );
  }
  const maxTrials = x.spec.maxTrialCount;
  if (maxTrials !== null && after.ended >= maxTrials) {
    return done('Succeeded', 'ExperimentMaxTrialsReached', `${after.ended} trials ended, maxTrialCount ${maxTrials}`);
  }
  if (after.exhausted && after.active === 0) {
    return done('Succeeded', 'ExperimentSuggestionEndReached', 'the search space is exhausted');
  }
  return null;
}

/** Why a stopping experiment stops. */
const stopReasonOf = (x: ExperimentState): CompletionReason => x.stopReason ?? 'ExperimentStopped';

/**
 * Stop an experiment: it is Stopping while trials run (completion ends it once none does), or
 * Stopped at once when none runs. A user's stop writes no reason (ExperimentStopped is the default).
 */
function stop(x: ExperimentState, trials: 'finish' | 'stop', reason: CompletionReason, message: string): Decision {
  const requested: Body = {
    type: 'ExperimentStopRequested',
    experimentId: x.id,
    trials,
    ...(reason === 'ExperimentStopped' ? {} : { reason }),
  };
  if (activeTrials(x) > 0) return ok(requested);
  return ok(requested, { type: 'ExperimentCompleted', experimentId: x.id, status: 'Stopped', reason, message });
}

const deciders: { [K in ExperimentCommand['type']]: (c: ExperimentCommandOf<K>, s: ExperimentsState) => Decision } = {
  CreateExperiment(c, s) {
    if (s.experiments.has(c.experimentId)) return no('already-exists', `experiment '${c.experimentId}' already exists`);
    if (typeof c.spec !== 'object' || c.spec === null) return no('invalid-argument', 'spec: a parsed Experiment');
    return ok({
      type: 'ExperimentCreated',
      experimentId: c.experimentId,
      owner: c.owner,
      group: c.group,
      spec: c.spec,
      seed: c.seed,
    });
  },

  EditExperiment(c, s) {
    const x = s.experiments.get(c.experimentId);
    if (!x) return no('not-found', `experiment '${c.experimentId}' does not exist`);
    if (x.status === 'Stopping') return no('conflict', `experiment '${c.experimentId}' is stopping`);
    const parallel = c.parallelTrialCount ?? x.spec.parallelTrialCount;
    const maxTrials = c.maxTrialCount === undefined ? x.spec.maxTrialCount : c.maxTrialCount;
    const maxFailed = c.maxFailedTrialCount === undefined ? x.spec.maxFailedTrialCount : c.maxFailedTrialCount;
    if (maxTrials !== null && parallel > maxTrials) {
      return no('invalid-argument', `parallelTrialCount ${parallel} must not exceed maxTrialCount ${maxTrials}`);
    }
    if (maxTrials !== null && maxTrials < x.counters.trials) {
      return no('invalid-argument', `maxTrialCount ${maxTrials} is below the ${x.counters.trials} trials already created`);
    }
    const edited: Body = {
      type: 'ExperimentEdited',
      experimentId: x.id,
      parallelTrialCount: parallel,
      maxTrialCount: maxTrials,
      maxFailedTrialCount: maxFailed,
    };
    // A lower budget may end a running experiment at once.
    const end = completion(
      { ...x, spec: { ...x.spec, maxTrialCount: maxTrials, maxFailedTrialCount: maxFailed } as ExperimentSpec },
      {
        active: activeTrials(x),
        ended: endedTrials(x),
        failed: x.counters.failed,
        optimalObjective: optimalObjective(x),
        exhausted: x.exhausted,
      },
    );
    return end ? ok(edited, end) : ok(edited);
  },

  StopExperiment(c, s) {
    const x = s.experiments.get(c.experimentId);
    if (!x) return no('not-found', `experiment '${c.experimentId}' does not exist`);
    if (isExperimentDone(x.status)) return no('conflict', `experiment '${c.experimentId}' has ended (${x.status})`);
    if (x.status === 'Stopping') return ok();
    return stop(x, c.trials, 'ExperimentStopped', `experiment '${x.id}' was stopped`);
  },

  ExpireExperiment(c, s) {
    const x = s.experiments.get(c.experimentId);
    if (x?.status !== 'Running') return ok();
    const message = `experiment '${x.id}' ran past its maximum duration of ${x.spec.maxDurationSeconds ?? 0} s`;
    return stop(x, 'stop', 'ExperimentMaxDurationReached', message);
  },

  RestartExperiment(c, s) {
    const x = s.experiments.get(c.experimentId);
    if (!x) return no('not-found', `experiment '${c.experimentId}' does not exist`);
    if (!isExperimentDone(x.status)) return no('conflict', `experiment '${c.experimentId}' has not ended`);
    if (x.spec.resumePolicy === 'Never') {
      return no('conflict', `experiment '${c.experimentId}' has resumePolicy Never: it cannot be restarted`);
    }
    if (x.spec.maxTrialCount !== null && x.counters.trials >= x.spec.maxTrialCount) {
      return no(
        'conflict',
        `experiment '${c.experimentId}' has created its maxTrialCount ${x.spec.maxTrialCount} trials: raise it first`,
      );
    }
    if (x.exhausted) return no('conflict', `experiment '${c.experimentId}' has exhausted its search space`);
    return ok({ type: 'ExperimentRestarted', experimentId: x.id });
  },

  CreateTrials(c, s) {
    const x = s.experiments.get(c.experimentId);
    if (!x) return no('not-found', `experiment '${c.experimentId}' does not exist`);
    if (x.status !== 'Running') return no('conflict', `experiment '${c.experimentId}' is ${x.status}: it creates no trial`);
    const wanted = trialsWanted(x);
    if (c.trials.length > wanted) {
      return no('conflict', `experiment '${c.experimentId}' may create ${wanted} trials now, not ${c.trials.length}`);
    }
    const names = new Set<string>();
    for (const t of c.trials) {
      if (x.trials.has(t.name) || names.has(t.name)) return no('already-exists', `trial '${t.name}' already exists`);
      names.add(t.name);
    }
    if (c.trials.length === 0 && !c.exhausted) return ok();
    const created: Body = {
      type: 'TrialsCreated',
      experimentId: x.id,
      trials: c.trials.map((t) => ({
        name: t.name,
        assignment: { ...t.assignment },
        labels: { ...t.labels },
        jobId: trialJobId(x.id, t.name),
      })),
      exhausted: c.exhausted,
    };
    const end = completion(x, {
      active: activeTrials(x) + c.trials.length,
      ended: endedTrials(x),
      failed: x.counters.failed,
      optimalObjective: optimalObjective(x),
      exhausted: x.exhausted || c.exhausted,
    });
    return end ? ok(created, end) : ok(created);
  },

  ReportTrialStarted(c, s) {
    const t = s.experiments.get(c.experimentId)?.trials.get(c.trial);
    if (!t) return no('not-found', `trial '${c.trial}' of experiment '${c.experimentId}' does not exist`);
    return t.status === 'Created' ? ok({ type: 'TrialStarted', experimentId: c.experimentId, trial: c.trial }) : ok();
  },

  ReportTrialEnded(c, s) {
    const x = s.experiments.get(c.experimentId);
    const t = x?.trials.get(c.trial);
    if (!x || !t) return no('not-found', `trial '${c.trial}' of experiment '${c.experimentId}' does not exist`);
    if (isTrialDone(t.status)) return ok();
    const status =
      c.outcome === 'succeeded'
        ? c.objective === null
          ? 'MetricsUnavailable'
          : 'Succeeded'
        : c.outcome === 'failed'
          ? 'Failed'
          : c.outcome === 'early-stopped'
            ? 'EarlyStopped'
            : c.outcome === 'metrics-unavailable'
              ? 'MetricsUnavailable'
              : 'Killed';
    const message =
      c.message ??
      (status === 'MetricsUnavailable' ? `the trial reported no ${x.spec.objective.objectiveMetricName}` : undefined);
    const ended: Body = {
      type: 'TrialEnded',
      experimentId: x.id,
      trial: t.name,
      status,
      objective: c.objective,
      metrics: { ...c.metrics },
      ...(message === undefined ? {} : { message }),
    };
    const counts = (status === 'Succeeded' || status === 'EarlyStopped') && c.objective !== null;
    const best = optimalObjective(x);
    const optimal = counts && (best === null || better(x.spec.objective.type, c.objective as number, best)) ? c.objective : best;
    const end = completion(
      x,
      {
        active: activeTrials(x) - 1,
        ended: endedTrials(x) + 1,
        failed: x.counters.failed + (status === 'Failed' ? 1 : 0),
        optimalObjective: optimal,
        exhausted: x.exhausted,
      },
      stopReasonOf(x),
    );
    return end ? ok(ended, end) : ok(ended);
  },
};

/** The optimal trial's objective, or null when no trial has one yet. */
export function optimalObjective(x: ExperimentState): number | null {
  return x.optimal === null ? null : (x.trials.get(x.optimal)?.objective ?? null);
}

export function decideExperiments(command: ExperimentCommand, state: ExperimentsState): Decision {
  return (deciders[command.type] as (c: ExperimentCommand, s: ExperimentsState) => Decision)(command, state);
}
