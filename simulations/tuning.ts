/**
 * Hyperparameter experiments inside a simulation, in virtual time: what the experiment controller
 * (app/experiment-controller.ts) does on the wall clock, done deterministically between the
 * simulation's batches. The experiments decider (core/experiments) keeps the experiments as the
 * API would, the algorithms (core/experiments/suggest) suggest their trials, and each trial is a
 * `trial` job of the experiment's owner submitted into the cluster, so it queues and waits with the
 * trace's jobs under the pool's policy.
 *
 * A trial's job runs as its synthetic objective plans (synthetic-objectives.ts): it reports its
 * objective step by step while it runs (early stopping looks at every step), and when its job
 * completes its objective is taken from the series by the experiment's metric strategy, as the
 * controller takes it from a real trial's metrics: both suggest, stop early and score trials by
 * core/experiments/observations.ts.
 *
 * The simulation loop asks `nextAt()` for the next instant the experiments need (their creation, a
 * trial's step, a maximum duration, commands to send), gives `takeDue` the instant's batch to add
 * its commands to, and shows `observe` every batch's events. Everything is a function of the
 * inputs, the seed and the order of the batches: the same run gives the same results.
 */

import type { RuntimeJob } from '../adapters/memory/runtime.js';
import type { Command } from '../core/cluster/commands.js';
import type { Event } from '../core/cluster/events.js';
import { runDeciderBatch } from '../core/decider.js';
import type { ExperimentCommand } from '../core/experiments/commands.js';
import { activeTrials, optimalObjective, trialsWanted } from '../core/experiments/decide.js';
import { EARLY_STOPPING_RULES } from '../core/experiments/early-stopping/index.js';
import type { ExperimentEvent } from '../core/experiments/events.js';
import { initialExperimentsState } from '../core/experiments/evolve.js';
import { experimentsDecider } from '../core/experiments/experiments-decider.js';
import {
  type CompletionReason,
  type ExperimentState,
  type ExperimentStatus,
  type ExperimentsState,
  isTrialDone,
  type TrialState,
  type TrialStatus,
  trialJobId,
} from '../core/experiments/model.js';
import {
  earlyStoppedReport,
  objectiveResult,
  observationOf,
  startedTrials,
  stopsRunningTrials,
  suggestTrials,
  type TrialResult,
  trialsToStopEarly,
} from '../core/experiments/observations.js';
import type { Assignment, MetricPoint, Observation } from '../core/experiments/space.js';
import { ALGORITHMS } from '../core/experiments/suggest/index.js';
import { trialJob } from '../core/experiments/trial-template.js';
import { Heap } from '../core/vendor/heap.js';
import { InputError } from './csv.js';
import type { SimulatedExperiment } from './experiment-files.js';
import type { JobRecord } from './simulate.js';
import { type SyntheticObjectiveName, type TrialPlan, trialPlan } from './synthetic-objectives.js';

export interface TuningOptions {
  readonly experiments: readonly SimulatedExperiment[];
  readonly objective: SyntheticObjectiveName;
  /** Seconds a trial runs at its full budget. */
  readonly trialSeconds: number;
  /** GPUs of a trial whose template asks for none (a CPU sample): a trial costs GPUs here. */
  readonly trialGpus: number;
  /** When the experiments are created, seconds from the start of the trace. */
  readonly startAt: number;
  /** The extended resource a template counts GPUs in. Default `nvidia.com/gpu`. */
  readonly gpuResource?: string;
  /** The runtime's launch delay: a trial allocated at t starts at t + launchDelay. */
  readonly launchDelay?: number;
}

/** What the simulation does for the experiments: take a trial's job into its records and runtime. */
export interface TuningHost {
  addJob(record: JobRecord, job: RuntimeJob): void;
}

/** One trial as the report lists it. */
export interface TrialRecord {
  readonly experiment: string;
  readonly trial: string;
  readonly assignment: Assignment;
  readonly job: JobRecord;
  status: TrialStatus;
  objective: number | null;
}

/** How an experiment went, for the summary and the report. */
export interface ExperimentOutcome {
  readonly id: string;
  readonly file: string;
  readonly pool: string;
  readonly algorithm: string;
  readonly earlyStopping: string | null;
  readonly objective: SyntheticObjectiveName;
  readonly type: 'minimize' | 'maximize';
  readonly goal: number | null;
  readonly seed: number;
  readonly trials: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly earlyStopped: number;
  readonly killed: number;
  readonly metricsUnavailable: number;
  /** The optimal trial's objective, its name and assignment; null when no trial gave one. */
  readonly best: number | null;
  readonly bestTrial: string | null;
  readonly bestAssignment: Assignment | null;
  readonly createdAt: number;
  /** When it ended, or null when it was still running as the simulation ended. */
  readonly endedAt: number | null;
  readonly status: ExperimentStatus;
  /** Katib's completion reason, or null while running. */
  readonly reason: CompletionReason | null;
  /** Seconds from its creation to its goal reached; null when not reached. */
  readonly timeToGoal: number | null;
  /** GPUs x seconds its trials held GPUs (allocation to end), in hours. */
  readonly gpuHours: number;
  /** Mean seconds its trials waited in the queue before they were allocated GPUs. */
  readonly avgTrialWait: number | null;
  /** The best objective after each improvement: [seconds since creation, best]. */
  readonly bestOverTime: readonly (readonly [number, number])[];
}

/** A trial's job as the simulation runs it. */
interface RunningTrial {
  readonly experiment: string;
  readonly trial: string;
  readonly plan: TrialPlan;
  readonly record: TrialRecord;
  /** Points of the plan reported so far. */
  reported: number;
  /** The job ended in the cluster (or was refused). */
  over: boolean;
  stopSent: boolean;
}

/** Something due at an instant: a trial's step, an allocated trial's start, an experiment's deadline. */
type Due =
  | { readonly at: number; readonly seq: number; readonly kind: 'step'; readonly job: string; readonly step: number }
  | { readonly at: number; readonly seq: number; readonly kind: 'wake' }
  | { readonly at: number; readonly seq: number; readonly kind: 'deadline'; readonly experiment: string };

/** What a trial that failed or was killed reports: no objective, no metrics. */
const NO_RESULT: TrialResult = { objective: null, metrics: {} };

export class Tuning {
  private state: ExperimentsState = initialExperimentsState();
  private created = false;
  private now = Number.NEGATIVE_INFINITY;
  /** Cluster commands for the next batch (at the current instant). */
  private pending: Command[] = [];
  private readonly due = new Heap<Due>((a, b) => a.at - b.at || a.seq - b.seq);
  private seq = 0;
  private readonly jobs = new Map<string, RunningTrial>();
  private readonly trialsOf = new Map<string, TrialRecord[]>();
  private readonly bestOf = new Map<string, [number, number][]>();
  private readonly goalAt = new Map<string, number>();
  private readonly byId: Map<string, SimulatedExperiment>;

  constructor(
    private readonly options: TuningOptions,
    private readonly host: TuningHost,
  ) {
    this.byId = new Map(options.experiments.map((x) => [x.id, x]));
  }

  /** The next instant the experiments need; Infinity when they need none. */
  nextAt(): number {
    if (this.pending.length > 0) return this.now;
    if (!this.created) return this.options.startAt;
    for (;;) {
      const next = this.due.peek();
      if (!next) return Number.POSITIVE_INFINITY;
      if (next.kind === 'step' && this.jobs.get(next.job)?.over !== false) {
        this.due.pop(); // its trial's job has ended: nothing is left to report
        continue;
      }
      // Never before the current instant: a start reported late makes its early steps due at once.
      return Math.max(next.at, this.now);
    }
  }

  /** Add the experiments' commands due at `at` to the instant's batch. */
  takeDue(at: number, batch: Command[]): void {
    this.now = Math.max(this.now, at);
    if (!this.created && this.options.startAt <= at) this.create(at);
    const stepped = new Set<string>();
    for (;;) {
      const next = this.due.peek();
      if (!next || next.at > at) break;
      this.due.pop();
      if (next.kind === 'step') {
        const run = this.jobs.get(next.job);
        if (!run || run.over) continue;
        run.reported = Math.max(run.reported, next.step);
        stepped.add(run.experiment);
      } else if (next.kind === 'deadline') {
        this.expire(next.experiment, at);
      }
    }
    for (const id of stepped) this.earlyStop(id, at);
    for (const c of this.pending) batch.push(c);
    this.pending = [];
  }

  /**
   * A command of the experiments' that the cluster refused: a trial's job that cannot run fails
   * the trial, saying why; a stop that came too late (the job ended first) is nothing. False for
   * a command that is not the experiments'.
   */
  refused(command: Command, message: string, at: number): boolean {
    if (command.type !== 'SubmitJob' && command.type !== 'StopJob') return false;
    const run = this.jobs.get(command.jobId);
    if (!run) return false;
    if (command.type === 'StopJob') return true;
    run.over = true;
    run.record.job.status = 'Rejected';
    run.record.job.rejection = message;
    this.failUnrunnable(run, `its job was refused: ${message}`, at);
    this.reconcile(run.experiment, at);
    return true;
  }

  /** The events of a batch at `at`: what the trials' jobs did. */
  observe(at: number, events: readonly Event[]): void {
    const touched = new Set<string>();
    for (const e of events) {
      if (!('jobId' in e)) continue;
      const run = this.jobs.get(e.jobId);
      if (!run) continue;
      switch (e.type) {
        case 'JobAllocated':
          // Its start report is held for the next batch: make that batch happen when it starts.
          this.push({ at: e.at + (this.options.launchDelay ?? 0), seq: this.seq++, kind: 'wake' });
          break;
        case 'JobStarted': {
          const steps = run.plan.series.length;
          // The last step comes with the job's completion.
          for (let k = 1; k < steps; k++) {
            this.push({ at: e.at + (run.plan.seconds * k) / steps, seq: this.seq++, kind: 'step', job: e.jobId, step: k });
          }
          this.apply({ type: 'ReportTrialStarted', experimentId: run.experiment, trial: run.trial }, at);
          break;
        }
        case 'JobCompleted': {
          run.over = true;
          run.reported = run.plan.series.length;
          const x = this.state.experiments.get(run.experiment) as ExperimentState;
          this.endTrial(run, 'succeeded', objectiveResult(x.spec, run.plan.series), at);
          touched.add(run.experiment);
          break;
        }
        case 'JobFailed':
          run.over = true;
          this.endTrial(run, 'failed', NO_RESULT, at, `${e.reason}: ${e.message}`);
          touched.add(run.experiment);
          break;
        case 'JobStopped':
          run.over = true;
          this.endTrial(run, 'killed', NO_RESULT, at);
          touched.add(run.experiment);
          break;
        default:
          break;
      }
    }
    for (const id of touched) this.reconcile(id, at);
  }

  /** How every experiment went. */
  outcomes(): ExperimentOutcome[] {
    return this.options.experiments.map((sx) => {
      const x = this.state.experiments.get(sx.id) as ExperimentState | undefined;
      const trials = this.trialsOf.get(sx.id) ?? [];
      let gpuSeconds = 0;
      let waited = 0;
      let allocated = 0;
      for (const t of trials) {
        const j = t.job;
        if (j.start !== null) {
          allocated++;
          waited += j.start - j.submit;
          if (j.end !== null) gpuSeconds += j.gpus * (j.end - j.start);
        }
      }
      const optimal = x?.optimal ? x.trials.get(x.optimal) : undefined;
      const c = x?.counters;
      const goal = this.goalAt.get(sx.id);
      return {
        id: sx.id,
        file: sx.file,
        pool: sx.pool,
        algorithm: sx.spec.algorithm.name,
        earlyStopping: sx.spec.earlyStopping?.name ?? null,
        objective: this.options.objective,
        type: sx.spec.objective.type,
        goal: sx.spec.objective.goal,
        seed: sx.seed,
        trials: c?.trials ?? 0,
        succeeded: c?.succeeded ?? 0,
        failed: c?.failed ?? 0,
        earlyStopped: c?.earlyStopped ?? 0,
        killed: c?.killed ?? 0,
        metricsUnavailable: c?.metricsUnavailable ?? 0,
        best: x ? optimalObjective(x) : null,
        bestTrial: optimal?.name ?? null,
        bestAssignment: optimal ? { ...optimal.assignment } : null,
        createdAt: x?.createdAt ?? this.options.startAt,
        endedAt: x?.endedAt ?? null,
        status: x?.status ?? 'Running',
        reason: x?.reason ?? null,
        timeToGoal: goal === undefined || !x ? null : goal - x.createdAt,
        gpuHours: Number((gpuSeconds / 3600).toFixed(4)),
        avgTrialWait: allocated === 0 ? null : Number((waited / allocated).toFixed(2)),
        bestOverTime: this.bestOf.get(sx.id) ?? [],
      };
    });
  }

  /** Every trial, experiment by experiment, in creation order. */
  trials(): TrialRecord[] {
    return this.options.experiments.flatMap((x) => this.trialsOf.get(x.id) ?? []);
  }

  // -- the controller's work, in virtual time ---------------------------------------------------

  private push(d: Due): void {
    this.due.push(d);
  }

  /** Apply an experiments command now; its events update the goal and best-so-far records. */
  private apply(command: ExperimentCommand, at: number): readonly ExperimentEvent[] {
    const batch = runDeciderBatch(experimentsDecider, this.state, [command], at);
    this.state = batch.state;
    const outcome = batch.outcomes[0];
    if (outcome && !outcome.ok) {
      // Every command here is made from the state it is applied to: a refusal is a bug.
      throw new Error(
        `simulation at t=${at}: ${command.type} of '${command.experimentId}' refused: ${outcome.rejection.message}`,
      );
    }
    for (const e of batch.events) {
      if (e.type === 'ExperimentCompleted' && e.reason === 'ExperimentGoalReached') this.goalAt.set(e.experimentId, e.at);
      if (e.type === 'TrialEnded') {
        const record = this.jobs.get(trialJobId(e.experimentId, e.trial))?.record;
        if (record) {
          record.status = e.status;
          record.objective = e.objective;
        }
        const x = this.state.experiments.get(e.experimentId) as ExperimentState;
        const best = optimalObjective(x);
        const history = this.bestOf.get(x.id) ?? [];
        const last = history[history.length - 1];
        if (best !== null && (!last || last[1] !== best)) history.push([e.at - x.createdAt, best]);
        this.bestOf.set(x.id, history);
      }
    }
    return batch.events;
  }

  private create(at: number): void {
    this.created = true;
    for (const sx of this.options.experiments) {
      this.apply(
        {
          type: 'CreateExperiment',
          experimentId: sx.id,
          owner: sx.owner,
          group: sx.group,
          spec: sx.spec as never,
          seed: sx.seed,
        },
        at,
      );
      this.trialsOf.set(sx.id, []);
      if (sx.spec.maxDurationSeconds !== undefined) {
        this.push({ at: at + sx.spec.maxDurationSeconds, seq: this.seq++, kind: 'deadline', experiment: sx.id });
      }
    }
    for (const sx of this.options.experiments) this.reconcile(sx.id, at);
  }

  private endTrial(
    run: RunningTrial,
    outcome: 'succeeded' | 'failed' | 'killed',
    result: TrialResult,
    at: number,
    message?: string,
  ) {
    this.apply(
      {
        type: 'ReportTrialEnded',
        experimentId: run.experiment,
        trial: run.trial,
        outcome,
        objective: result.objective,
        metrics: { ...result.metrics },
        ...(message === undefined ? {} : { message }),
      },
      at,
    );
  }

  private expire(id: string, at: number): void {
    this.apply({ type: 'ExpireExperiment', experimentId: id }, at);
    this.reconcile(id, at);
  }

  /** The series a trial has reported by now. */
  private seriesOf(run: RunningTrial): MetricPoint[] {
    return run.plan.series.slice(0, run.reported);
  }

  /**
   * Early stopping at a step: the rule names running trials to stop; each ends EarlyStopped with
   * the objective it reached, and its job is stopped. A trial at its last step is done anyway.
   */
  private earlyStop(id: string, at: number): void {
    const x = this.state.experiments.get(id);
    const rule = x?.spec.earlyStopping && EARLY_STOPPING_RULES[x.spec.earlyStopping.name];
    if (!x || !rule || x.status !== 'Running') return;
    const runs = new Map<string, RunningTrial>();
    const observations: Observation[] = [];
    for (const t of startedTrials(x)) {
      const run = this.jobs.get(t.jobId) as RunningTrial;
      runs.set(t.name, run);
      observations.push(observationOf(t, this.seriesOf(run)));
    }
    for (const name of trialsToStopEarly(x, rule, observations)) {
      const run = runs.get(name);
      if (!run || run.over || x.trials.get(name)?.status !== 'Running' || run.reported >= run.plan.series.length) continue;
      this.apply(earlyStoppedReport(x, name, this.seriesOf(run), rule), at);
      this.stopJob(run);
    }
    this.reconcile(id, at);
  }

  private stopJob(run: RunningTrial): void {
    if (run.over || run.stopSent) return;
    run.stopSent = true;
    this.pending.push({ type: 'StopJob', jobId: run.record.job.id });
  }

  /** New trials into the free slots, submitted as jobs; trials stopped when the experiment ends. */
  private reconcile(id: string, at: number): void {
    // Again while trials fail at once (a template that makes no job): their slots are free again.
    for (;;) {
      const x = this.state.experiments.get(id) as ExperimentState;
      const wanted = trialsWanted(x);
      if (wanted === 0) break;
      const algorithm = ALGORITHMS[x.spec.algorithm.name];
      if (!algorithm) throw new Error(`experiment '${id}': no algorithm '${x.spec.algorithm.name}'`);
      const created = suggestTrials(algorithm, x, wanted);
      if (!created) break;
      const events = this.apply({ type: 'CreateTrials', ...created }, at);
      let failedAtOnce = false;
      for (const e of events) {
        if (e.type !== 'TrialsCreated') continue;
        const now = this.state.experiments.get(id) as ExperimentState;
        for (const t of e.trials) failedAtOnce = !this.submit(now, now.trials.get(t.name) as TrialState, at) || failedAtOnce;
      }
      if (!failedAtOnce) break;
    }
    const x = this.state.experiments.get(id) as ExperimentState;
    if (stopsRunningTrials(x) && activeTrials(x) > 0) {
      for (const t of x.trials.values()) {
        const run = this.jobs.get(t.jobId);
        if (run && !isTrialDone(t.status)) this.stopJob(run);
      }
    }
  }

  /**
   * A trial that cannot run fails, as the controller fails it; an experiment with no limit on its
   * trials or its failures would then fail trials forever at one instant, so the simulation stops
   * with the reason instead.
   */
  private failUnrunnable(run: RunningTrial, message: string, at: number): void {
    const x = this.state.experiments.get(run.experiment) as ExperimentState;
    if (x.spec.maxTrialCount === null && x.spec.maxFailedTrialCount === null) {
      throw new InputError(
        `experiment '${x.id}': ${message}; with neither maxTrialCount nor maxFailedTrialCount it would fail trials forever`,
      );
    }
    this.endTrial(run, 'failed', NO_RESULT, at, message);
  }

  /** A trial's job: its GPUs and workers from the template, its run from the synthetic objective. */
  /** False when the trial failed at once: its template makes no job. */
  private submit(x: ExperimentState, t: TrialState, at: number): boolean {
    const sx = this.byId.get(x.id) as SimulatedExperiment;
    const plan = trialPlan(this.options.objective, x.spec, t.assignment, this.options.trialSeconds);
    const made = trialJob(x.spec, t.name, t.assignment, this.options.gpuResource);
    const gpus = made.ok && made.resources.gpus > 0 ? made.resources.gpus : this.options.trialGpus;
    const job: JobRecord = {
      id: t.jobId,
      pool: sx.pool,
      gpus,
      submit: at,
      duration: plan.seconds,
      start: null,
      end: null,
      status: 'Queued',
      rejection: null,
    };
    const record: TrialRecord = {
      experiment: x.id,
      trial: t.name,
      assignment: t.assignment,
      job,
      status: t.status,
      objective: null,
    };
    (this.trialsOf.get(x.id) as TrialRecord[]).push(record);
    const run: RunningTrial = {
      experiment: x.id,
      trial: t.name,
      plan,
      record,
      reported: 0,
      over: false,
      stopSent: false,
    };
    this.jobs.set(t.jobId, run);
    if (!made.ok) {
      run.over = true;
      job.status = 'Rejected';
      job.rejection = made.message;
      this.failUnrunnable(run, job.rejection, at);
      return false;
    }
    this.host.addJob(job, { duration: plan.seconds });
    this.pending.push({
      type: 'SubmitJob',
      jobId: t.jobId,
      kind: 'trial',
      owner: x.owner,
      gpus,
      workers: Math.max(1, made.resources.workers),
      expectedDuration: plan.seconds,
      shared: true,
    });
    return true;
  }
}
