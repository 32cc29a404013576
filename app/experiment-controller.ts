/**
 * The experiment controller: the reactor that runs hyperparameter experiments on the cluster. It
 * follows two streams through the store (engine/follow-engine.ts), each event once its engine has
 * it: the experiments stream, where experiments are created, edited, stopped and restarted, and
 * the cluster stream, where trials' jobs start and end. For an experiment it looks at, it:
 *
 * 1. expires it when it has run past its maximum duration (`ExpireExperiment`);
 * 2. asks its algorithm (core/experiments/suggest) for as many trials as it has free parallel
 *    slots within its budget, and records them (`CreateTrials`);
 * 3. submits each recorded trial as a `trial` job of the experiment's owner, rendered from the
 *    trial template (its GPUs and workers from the template's resource limits, its image, command
 *    and environment from the primary container, its assignment as hyperparameters), so trials
 *    queue, wait and start like every other job in the owner's group pool;
 * 4. stops the jobs of trials still running once the experiment ends, or stops with `stop`.
 *
 * A trial job's start and end become `ReportTrialStarted` and `ReportTrialEnded`; a completed job's
 * objective is read from its metrics (the metrics channel, core/assets/metrics.ts) by the
 * experiment's metric strategy, and a job that completed without its objective metric is
 * MetricsUnavailable.
 *
 * Every command's id is derived from what called for it (the number of trials an experiment had
 * when it asked for more, a trial's job id), so a restarted controller, or two, issue the same ids
 * and each is applied once. It keeps no checkpoint: what is owed is in the two states, and it
 * looks at every unfinished experiment when it starts.
 */

import type { ExperimentsEngine } from '../adapters/http/context.js';
import { readMetrics } from '../adapters/http/routes/metrics.js';
import { metricSeries } from '../core/assets/metrics.js';
import type { Event } from '../core/cluster/events.js';
import type { JobState } from '../core/cluster/model.js';
import type { ExperimentCommand } from '../core/experiments/commands.js';
import { activeTrials, trialsWanted } from '../core/experiments/decide.js';
import type { ExperimentEvent } from '../core/experiments/events.js';
import { type ExperimentState, isExperimentDone, isTrialDone, type TrialState } from '../core/experiments/model.js';
import {
  earlyStoppedReport,
  observationOf,
  startedTrials,
  stopsRunningTrials,
  suggestTrials,
  trialResult,
  trialsToStopEarly,
} from '../core/experiments/observations.js';
import type { EarlyStoppingRule, MetricPoint, Observation, SuggestionAlgorithm } from '../core/experiments/space.js';
import { PBT_CHECKPOINT_LABEL } from '../core/experiments/suggest/pbt.js';
import { trialJob } from '../core/experiments/trial-template.js';
import type { EventStore } from '../core/ports.js';
import type { Engine } from '../engine/engine.js';
import { type EngineFollower, followEngine } from '../engine/follow-engine.js';
import { LookQueue } from './look-queue.js';

export const EXPERIMENT_CONTROLLER = 'experiments';

export type { ExperimentsEngine };

export interface ExperimentControllerOptions {
  /** The suggestion algorithms by name (core/experiments/suggest). */
  readonly algorithms: Readonly<Record<string, SuggestionAlgorithm>>;
  /** The early-stopping rules by name (core/experiments/early-stopping). */
  readonly earlyStopping?: Readonly<Record<string, EarlyStoppingRule>>;
  /** How often an experiment with early stopping looks at its running trials' metrics. Default 2 s. */
  readonly earlyStoppingEveryMs?: number;
  /** The extended resource a trial's GPUs are counted in. Default `nvidia.com/gpu`. */
  readonly gpuResource?: string;
  readonly onError?: (error: unknown) => void;
}

export interface ExperimentController {
  stop(): void;
  /** Resolves when every experiment looked at so far has been brought up to date. */
  idle(): Promise<void>;
}

/**
 * The pod template's annotations of a rendered trial, as `{ annotations }`, when it has any: a
 * batch/v1 Job's template, or a training job's primary replica's (Master, Chief, Launcher, else
 * the first replica type).
 */
function annotationsOf(manifest: unknown): { annotations: Record<string, string> } | null {
  type Template = { metadata?: { annotations?: unknown } };
  const spec = (manifest as { spec?: Record<string, unknown> } | null)?.spec;
  if (typeof spec !== 'object' || spec === null) return null;
  let template = spec.template as Template | undefined;
  if (template === undefined) {
    const replicas = Object.entries(spec).find(
      ([k, v]) => k.endsWith('ReplicaSpecs') && typeof v === 'object' && v !== null,
    )?.[1] as Record<string, { template?: Template }> | undefined;
    const primary = replicas && (replicas.Master ?? replicas.Chief ?? replicas.Launcher ?? Object.values(replicas)[0]);
    template = primary?.template;
  }
  const annotations = template?.metadata?.annotations;
  if (typeof annotations !== 'object' || annotations === null) return null;
  const strings = Object.entries(annotations).filter((e): e is [string, string] => typeof e[1] === 'string');
  return strings.length === 0 ? null : { annotations: Object.fromEntries(strings) };
}

/**
 * Where a pbt trial keeps its checkpoint and finds its parent's: `<suggestion_trial_dir>/<trial>`,
 * as Katib's pbt lays them out, on a volume the trial template mounts at that path for every trial.
 */
function checkpointEnv(x: ExperimentState, t: TrialState): Record<string, string> {
  if (x.spec.algorithm.name !== 'pbt') return {};
  const dir = x.spec.algorithm.settings.find((s) => s.name === 'suggestion_trial_dir')?.value.replace(/\/+$/, '');
  if (!dir) return {};
  const parent = t.labels[PBT_CHECKPOINT_LABEL];
  return { GPUPOOL_CHECKPOINT_DIR: `${dir}/${t.name}`, ...(parent ? { GPUPOOL_PARENT_CHECKPOINT_DIR: parent } : {}) };
}

export function startExperimentController(
  cluster: Engine,
  experiments: ExperimentsEngine,
  store: EventStore,
  options: ExperimentControllerOptions,
): ExperimentController {
  const onError = options.onError ?? ((e: unknown) => console.error(`gpupool experiments: ${(e as Error).message ?? e}`));
  /** The objective series of ended trials (they no longer change), by job id. */
  const endedSeries = new Map<string, MetricPoint[]>();
  const lookEvery = options.earlyStoppingEveryMs ?? 2000;

  const report = (error: unknown) => {
    try {
      onError(error);
    } catch {
      // The handler's own failure is not the controller's to report.
    }
  };

  /** Experiments to look at, one at a time, in order; later looks for a deadline and for early stopping. */
  const queue = new LookQueue((id) => reconcile(id), report);
  const poke = (experimentId: string) => queue.poke(experimentId);

  async function execute(command: ExperimentCommand): Promise<boolean> {
    const outcome = await experiments.execute(command);
    if (!outcome.ok) {
      report(new Error(`${command.type} ${command.commandId ?? ''}: ${outcome.rejection.message}`));
      return false;
    }
    return true;
  }

  /**
   * What the cluster says of a trial's job: an unfinished one's record; a finished one's from the
   * job archive, or else just how it ended (the state keeps every finished job's ending).
   */
  const jobOf = (t: TrialState): Pick<JobState, 'status' | 'failure'> | undefined => {
    const job = cluster.job(t.jobId) ?? cluster.archive?.get(t.jobId);
    if (job) return job;
    const ended = cluster.current.finished.get(t.jobId);
    return ended === undefined ? undefined : { status: ended, failure: null };
  };

  /** End a trial that cannot run, saying why; `what` names the reaction in its command id. */
  const failTrial = (x: ExperimentState, t: TrialState, what: string, message: string) =>
    execute({
      type: 'ReportTrialEnded',
      experimentId: x.id,
      trial: t.name,
      outcome: 'failed',
      objective: null,
      metrics: {},
      message,
      commandId: `${EXPERIMENT_CONTROLLER}:${t.jobId}:${what}`,
    });

  async function submit(x: ExperimentState, t: TrialState): Promise<void> {
    const job = trialJob(x.spec, t.name, t.assignment, options.gpuResource);
    if (!job.ok) {
      await failTrial(x, t, 'unrunnable', job.message);
      return;
    }
    const r = job.resources;
    const env: Record<string, string> = {};
    for (const e of r.env) if (e.value !== null) env[e.name] = e.value;
    Object.assign(env, checkpointEnv(x, t));
    const submitted = await cluster.execute({
      type: 'SubmitJob',
      jobId: t.jobId,
      kind: 'trial',
      owner: x.owner,
      gpus: r.gpus,
      workers: Math.max(1, r.workers),
      ...(r.nodeSelector === null ? {} : { nodeSelector: r.nodeSelector }),
      // As the template wrote them: the engine decodes the command, and refuses malformed terms by name.
      ...(r.nodeAffinity === null ? {} : { nodeAffinity: r.nodeAffinity as never }),
      shared: true,
      spec: {
        ...(r.image === null ? {} : { image: r.image }),
        command: [...r.command],
        args: [...r.args],
        env,
        hyperparameters: { ...t.assignment },
        // The pod template's annotations go with the trial's pods (Katib applies the template as it is).
        ...(annotationsOf(job.manifest) ?? {}),
        experiment: { id: x.id, trial: t.name, objectiveMetricName: x.spec.objective.objectiveMetricName },
      },
      commandId: `${EXPERIMENT_CONTROLLER}:${t.jobId}:submit`,
    });
    if (!submitted.ok) {
      // The owner removed, the group gone, a job that can never fit: the trial fails, saying why.
      await failTrial(x, t, 'refused', `its job was refused: ${submitted.rejection.message}`);
    }
  }

  /** Report what a trial's job did, if the trial does not know yet. */
  async function follow(x: ExperimentState, t: TrialState, job: Pick<JobState, 'status' | 'failure'>): Promise<void> {
    const base = { experimentId: x.id, trial: t.name };
    if (t.status === 'Created' && job.status !== 'Queued' && job.status !== 'WaitingForGPUs' && job.status !== 'Starting') {
      await execute({ type: 'ReportTrialStarted', ...base, commandId: `${EXPERIMENT_CONTROLLER}:${t.jobId}:started` });
    }
    if (job.status === 'Complete') {
      const { objective, metrics } = trialResult(x.spec, metricSeries((await readMetrics(store, t.jobId)).events));
      await execute({
        type: 'ReportTrialEnded',
        ...base,
        outcome: 'succeeded',
        objective,
        metrics,
        commandId: `${EXPERIMENT_CONTROLLER}:${t.jobId}:ended`,
      });
    } else if (job.status === 'Error' || job.status === 'Stopped') {
      const killed = job.status === 'Stopped';
      await execute({
        type: 'ReportTrialEnded',
        ...base,
        outcome: killed ? 'killed' : 'failed',
        objective: null,
        metrics: {},
        ...(job.failure ? { message: `${job.failure.reason}: ${job.failure.message}` } : {}),
        commandId: `${EXPERIMENT_CONTROLLER}:${t.jobId}:ended`,
      });
    }
  }

  /** A trial's objective metric series, read from its job's metrics. */
  async function seriesOf(x: ExperimentState, t: TrialState): Promise<MetricPoint[]> {
    const known = endedSeries.get(t.jobId);
    if (known) return known;
    const points = metricSeries((await readMetrics(store, t.jobId)).events).get(x.spec.objective.objectiveMetricName) ?? [];
    const series = points.map((p) => ({ step: p.step, value: p.value }));
    if (isTrialDone(t.status)) endedSeries.set(t.jobId, series);
    return series;
  }

  /**
   * Early stopping: the rule looks at every trial's series and names the running trials to stop;
   * each ends EarlyStopped with the objective it reached, and its job is stopped. Looked at again
   * every `earlyStoppingEveryMs` while trials run.
   */
  async function earlyStop(x: ExperimentState): Promise<void> {
    const rule = x.spec.earlyStopping && options.earlyStopping?.[x.spec.earlyStopping.name];
    if (!rule || x.status !== 'Running' || activeTrials(x) === 0) return;
    const obs: Observation[] = [];
    for (const t of startedTrials(x)) obs.push(observationOf(t, await seriesOf(x, t)));
    for (const name of trialsToStopEarly(x, rule, obs)) {
      const t = x.trials.get(name);
      if (t?.status !== 'Running') continue;
      const series = obs.find((o) => o.trial === name)?.series ?? [];
      const stopped = await execute({
        ...earlyStoppedReport(x, name, series, rule),
        commandId: `${EXPERIMENT_CONTROLLER}:${t.jobId}:ended`,
      });
      if (stopped)
        await cluster.execute({ type: 'StopJob', jobId: t.jobId, commandId: `${EXPERIMENT_CONTROLLER}:${t.jobId}:stop` });
    }
    queue.later('early-stopping', x.id, lookEvery);
  }

  async function reconcile(id: string): Promise<void> {
    let x = experiments.current.experiments.get(id);
    if (!x) return;
    await earlyStop(x);
    x = experiments.current.experiments.get(id) as ExperimentState;
    // 1. Its maximum duration.
    const max = x.spec.maxDurationSeconds;
    if (max !== undefined && x.status === 'Running') {
      const due = x.createdAt + max;
      const now = experiments.clock.now();
      if (now >= due)
        await execute({ type: 'ExpireExperiment', experimentId: id, commandId: `${EXPERIMENT_CONTROLLER}:${id}:expired` });
      else queue.later('deadline', id, (due - now) * 1000 + 10);
    }
    // 2. New trials into the free slots.
    x = experiments.current.experiments.get(id) as ExperimentState;
    const wanted = trialsWanted(x);
    if (wanted > 0) {
      const algorithm = options.algorithms[x.spec.algorithm.name];
      if (!algorithm) {
        report(new Error(`experiment '${id}': no algorithm '${x.spec.algorithm.name}' here`));
      } else {
        const first = x.counters.trials;
        const created = suggestTrials(algorithm, x, wanted);
        if (created) {
          await execute({ type: 'CreateTrials', ...created, commandId: `${EXPERIMENT_CONTROLLER}:${id}:trials@${first}` });
        }
      }
    }
    // 3. Each unfinished trial: its job submitted, what its job did reported; stopped when the experiment says so.
    x = experiments.current.experiments.get(id) as ExperimentState;
    const stopRunning = stopsRunningTrials(x);
    for (const t of x.trials.values()) {
      if (isTrialDone(t.status)) continue;
      const job = jobOf(t);
      if (job === undefined) {
        if (!stopRunning) await submit(x, t);
        else {
          await execute({
            type: 'ReportTrialEnded',
            experimentId: id,
            trial: t.name,
            outcome: 'killed',
            objective: null,
            metrics: {},
            commandId: `${EXPERIMENT_CONTROLLER}:${t.jobId}:ended`,
          });
        }
        continue;
      }
      await follow(x, t, job);
      if (stopRunning && !['Complete', 'Error', 'Stopped', 'Stopping'].includes(job.status)) {
        await cluster.execute({ type: 'StopJob', jobId: t.jobId, commandId: `${EXPERIMENT_CONTROLLER}:${t.jobId}:stop` });
      }
    }
    const ended = experiments.current.experiments.get(id) as ExperimentState;
    if (activeTrials(ended) === 0 && isExperimentDone(ended.status)) queue.cancel('deadline', id);
  }

  const followers: EngineFollower[] = [
    followEngine(experiments, store, {
      after: BigInt(experiments.durableRevision),
      onEvent: (e: ExperimentEvent) => {
        if ('experimentId' in e) poke(e.experimentId);
      },
      onError: report,
    }),
    followEngine(cluster, store, {
      after: BigInt(cluster.durableRevision),
      types: new Set(['JobAllocated', 'JobStarted', 'JobCompleted', 'JobFailed', 'JobStopped', 'JobSubmitted']),
      onEvent: (e: Event) => {
        if (!('jobId' in e)) return;
        const trial = experiments.current.trialOfJob.get(e.jobId);
        if (trial) poke(trial.experiment);
      },
      onError: report,
    }),
  ];
  // What is owed since before it started: every experiment not ended, and ended ones with trials left.
  for (const x of experiments.current.experiments.values()) {
    if (!isExperimentDone(x.status) || activeTrials(x) > 0) poke(x.id);
  }

  return {
    stop() {
      queue.stop();
      for (const f of followers) f.stop();
    },
    idle: () => queue.idle(() => followers.some((f) => f.busy)),
  };
}
