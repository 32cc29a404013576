/**
 * The pipeline run executor: the reactor that runs pipelines' container steps as jobs. It follows
 * two streams through the store (engine/follow-engine.ts), each event once its engine has it: the
 * pipelines stream, where runs are created, progress, are terminated and retried, and the cluster
 * stream, where steps' jobs start and end. For a run it looks at, it:
 *
 * 1. submits each pending step (its retry's backoff over) as a `pipeline-step` job of the run's
 *    owner (core/pipelines/step.ts: command line resolved, GPUs from the accelerator), so steps
 *    queue, wait and start like every other job in the owner's group pool;
 * 2. reports a step's job starting (`ReportTaskStarted`) and ending (`ReportTaskEnded`, with its
 *    outputs from `outputsOf`: the simulation fixture on the simulated runtime, the files the
 *    step wrote on Kubernetes, app/kubernetes.ts);
 * 3. does itself what a step that runs no container asks (kfp-kubernetes' CreatePVC and DeletePVC,
 *    core/pipelines/platform-ops.ts), through `platformOps` (on Kubernetes, a claim made or
 *    deleted; on the simulated runtime, which has no volumes, nothing), and reports it ended;
 * 4. while the run is being canceled, stops its steps' jobs and reports them canceled;
 * 5. wakes itself when a retry's backoff ends, and sends the pipelines engine a `Tick` when the
 *    next recurring run is due (`nextPipelinesWakeup`).
 *
 * Every command id is derived from what called for it (a step's job id, the wake-up instant), so a
 * restarted executor, or two, issue the same ids and each is applied once. It keeps no checkpoint:
 * what is owed is in the two states, and it looks at every unfinished run when it starts.
 */

import type { AssetsEngine, PipelinesEngine } from '../adapters/http/context.js';
import type { Command } from '../core/cluster/commands.js';
import type { Event } from '../core/cluster/events.js';
import type { JobState } from '../core/cluster/model.js';
import type { PipelineCommand } from '../core/pipelines/commands.js';
import { nextPipelinesWakeup } from '../core/pipelines/decide.js';
import type { PipelineEvent } from '../core/pipelines/events.js';
import { isRunDone, isTaskDone, type Run, type TaskOutputs, type TaskRun } from '../core/pipelines/model.js';
import { type PlatformOps, platformOpOf } from '../core/pipelines/platform-ops.js';
import { stepJob } from '../core/pipelines/step.js';
import type { EventStore } from '../core/ports.js';
import type { Engine } from '../engine/engine.js';
import { type EngineFollower, followEngine } from '../engine/follow-engine.js';
import { LookQueue } from './look-queue.js';
import { stepProducts } from './pipeline-assets.js';

export const PIPELINE_EXECUTOR = 'pipelines';

/**
 * How a step that runs no container asks the cluster again when it did not answer (no answer, 429,
 * 5xx): after `firstSeconds`, then twice as long each time up to `maxSeconds`; once the cluster has
 * not answered for `giveUpAfterSeconds` since the step became pending (when it was first tried),
 * the step fails with the last answer, as KFP's driver pod would after its own retries, rather
 * than holding its run forever.
 */
export interface PlatformRetry {
  readonly firstSeconds: number;
  readonly maxSeconds: number;
  readonly giveUpAfterSeconds: number;
}

export const DEFAULT_PLATFORM_RETRY: PlatformRetry = { firstSeconds: 2, maxSeconds: 30, giveUpAfterSeconds: 300 };

export interface PipelineExecutorOptions {
  /**
   * A completed step's outputs: the simulated runtime's from the run's fixture; null when they
   * are not to be had (the step then fails, saying so).
   */
  readonly outputsOf: (
    run: Run,
    task: TaskRun,
    job: Pick<JobState, 'id' | 'spec'>,
  ) => StepOutputsAnswer | Promise<StepOutputsAnswer>;
  /**
   * Annotations for a step's pods (the Kubernetes runtime passes a job's `spec.annotations` on):
   * on the fake cluster, how its kubelet plays a run's simulation fixture.
   */
  readonly stepAnnotations?: (run: Run, task: TaskRun) => Record<string, string> | undefined;
  /** How long a step runs on the simulated runtime (its fixture's seconds), as the job's expected duration. */
  readonly expectedSeconds?: (run: Run, task: TaskRun) => number | undefined;
  /** Where steps' dataset and model outputs are recorded as asset versions; none: they are not. */
  readonly assets?: AssetsEngine;
  /** On Kubernetes: the node label naming a node's GPU type, which a step's node selector may ask for (step.ts StepJobOptions). */
  readonly gpuTypeLabel?: string;
  /** Where a CreatePVC or DeletePVC step's claim is made or deleted; none (the simulated runtime): nothing is. */
  readonly platformOps?: PlatformOps;
  /** When `platformOps` gets no answer: DEFAULT_PLATFORM_RETRY unless given. */
  readonly platformRetry?: PlatformRetry;
  readonly onError?: (error: unknown) => void;
}

/** A completed step's outputs; null, or why, when they cannot be read (the step then fails). */
export type StepOutputsAnswer = TaskOutputs | null | { readonly unreadable: string };

export interface PipelineExecutor {
  stop(): void;
  /** Resolves when every run looked at so far has been brought up to date. */
  idle(): Promise<void>;
}

const ENDED = new Set(['Complete', 'Error', 'Stopped']);
const WAITING = new Set(['Queued', 'WaitingForGPUs', 'Starting']);

export function startPipelineExecutor(
  cluster: Engine,
  pipelines: PipelinesEngine,
  store: EventStore,
  options: PipelineExecutorOptions,
): PipelineExecutor {
  let stopped = false;
  const report = options.onError ?? ((e: unknown) => console.error(`gpupool pipelines: ${(e as Error).message ?? e}`));
  const looks = new LookQueue((runId) => reconcile(runId), report);
  const poke = (runId: string) => looks.poke(runId);
  let tickTimer: ReturnType<typeof setTimeout> | undefined;
  let tickFor: number | null = null;
  const retry = options.platformRetry ?? DEFAULT_PLATFORM_RETRY;
  /**
   * Per step that runs no container (by its job id), while the cluster does not answer it: how many
   * tries this executor made, and the wait before its next. Since when it has gone unanswered is
   * the state's (pendingSince), so a restarted executor starts its waits and its count again, not
   * the time.
   */
  const unanswered = new Map<string, { tries: number; wait: number }>();

  /** Look at a run again at `at` (a retry's backoff ends). */
  const pokeAt = (runId: string, at: number) =>
    looks.later('retry', runId, Math.max(0, (at - pipelines.clock.now()) * 1000) + 10);

  /** Keep one timer for the next recurring run due; a Tick goes to the engine then. */
  function armTick(): void {
    if (stopped) return;
    const at = nextPipelinesWakeup(pipelines.current);
    const revision = pipelines.current.revision;
    if (at === tickFor) return;
    if (tickTimer !== undefined) clearTimeout(tickTimer);
    tickTimer = undefined;
    tickFor = at;
    if (at === null) return;
    const ms = Math.min(2 ** 31 - 1, Math.max(0, (at - pipelines.clock.now()) * 1000));
    tickTimer = setTimeout(() => {
      tickTimer = undefined;
      tickFor = null;
      looks.run(async () => {
        try {
          // The instant and the state it was set for name it: two servers ticking for one deadline tick
          // once, and a deadline that comes back after a later change (a run ended, a slot freed) ticks again.
          await pipelines.execute({ type: 'Tick', commandId: `${PIPELINE_EXECUTOR}:@${at}:r${revision}:tick` });
        } catch (error) {
          report(error);
        }
        armTick();
      });
    }, ms);
    tickTimer.unref?.();
  }

  /** What the cluster says of a step's job: an unfinished one's record, a finished one's from the archive, or how it ended. */
  const jobOf = (jobId: string): Pick<JobState, 'id' | 'status' | 'failure' | 'spec'> | undefined => {
    const job = cluster.job(jobId) ?? cluster.archive?.get(jobId);
    if (job) return job;
    const ended = cluster.current.finished.get(jobId);
    return ended === undefined ? undefined : { id: jobId, status: ended, failure: null, spec: null };
  };

  const endedCommand = (
    run: Run,
    t: TaskRun,
    outcome: 'succeeded' | 'failed' | 'canceled',
    extra: { outputs?: TaskOutputs; message?: string } = {},
  ): PipelineCommand => ({
    type: 'ReportTaskEnded',
    runId: run.id,
    task: t.path,
    attempt: t.attempt,
    outcome,
    ...(extra.outputs ? { outputs: extra.outputs as never } : {}),
    ...(extra.message ? { message: extra.message } : {}),
    commandId: `${PIPELINE_EXECUTOR}:${t.jobId}:ended`,
  });

  /** A step that runs no container, done: its reports (started and ended, or failed and why). */
  async function platformStep(
    run: Run,
    t: TaskRun,
    op: NonNullable<ReturnType<typeof platformOpOf>>,
  ): Promise<PipelineCommand[]> {
    if (!op.ok) return [endedCommand(run, t, 'failed', { message: op.message })];
    const jobId = t.jobId as string;
    const done = options.platformOps
      ? await options.platformOps.run(op.value, { group: run.group, jobId })
      : { ok: true as const };
    if (!done.ok && done.retry) {
      // The cluster did not answer: look again in a while, the step still pending, unless it has
      // not answered for too long.
      const now = pipelines.clock.now();
      const since = pendingSince(t, now);
      const tried = unanswered.get(jobId) ?? { tries: 0, wait: retry.firstSeconds };
      tried.tries++;
      if (now - since < retry.giveUpAfterSeconds) {
        unanswered.set(jobId, tried);
        pokeAt(run.id, now + tried.wait);
        tried.wait = Math.min(tried.wait * 2, retry.maxSeconds);
        return [];
      }
      unanswered.delete(jobId);
      const message = `the cluster did not answer for ${seconds(now - since)} (${tried.tries} tries): ${done.message}`;
      return [endedCommand(run, t, 'failed', { message })];
    }
    unanswered.delete(jobId);
    if (!done.ok) return [endedCommand(run, t, 'failed', { message: done.message })];
    const started: PipelineCommand = {
      type: 'ReportTaskStarted',
      runId: run.id,
      task: t.path,
      attempt: t.attempt,
      commandId: `${PIPELINE_EXECUTOR}:${t.jobId}:started`,
    };
    const outputs: TaskOutputs = {
      parameters: op.value.kind === 'CreatePVC' ? { name: op.value.name } : {},
      artifacts: {},
    };
    return [started, endedCommand(run, t, 'succeeded', { outputs })];
  }

  /** A step's job, or why it cannot be made (its command line does not resolve). */
  function submission(run: Run, t: TaskRun): { ok: true; command: Command } | { ok: false; message: string } {
    const made = stepJob(run, t, options);
    if (!made.ok) return made;
    const job = made.value;
    const seconds = options.expectedSeconds?.(run, t);
    const annotations = options.stepAnnotations?.(run, t);
    return {
      ok: true,
      command: {
        type: 'SubmitJob',
        jobId: t.jobId as string,
        kind: 'pipeline-step',
        owner: run.owner,
        gpus: job.gpus,
        ...(job.gpuType === null ? {} : { gpuType: job.gpuType }),
        ...(job.nodeSelector === null ? {} : { nodeSelector: job.nodeSelector }),
        // Its operators are checked as the job is submitted: the engine decodes the command, and a
        // term it refuses fails the step in the codec's words.
        ...(job.nodeAffinity === null ? {} : { nodeAffinity: job.nodeAffinity as never }),
        shared: true,
        ...(seconds === undefined ? {} : { expectedDuration: seconds }),
        spec: {
          image: job.image,
          command: job.command,
          args: job.args,
          env: job.env,
          pipeline: { runId: run.id, task: t.path, attempt: t.attempt, root: run.pipelineRoot },
          ...(job.cpu === null ? {} : { cpu: job.cpu }),
          ...(job.memory === null ? {} : { memory: job.memory }),
          // What the platform spec reads from the task's context (names, JSON) is resolved: stepJob.
          ...(job.platform === null ? {} : { platform: job.platform as never }),
          outputs: job.outputs as never,
          ...(annotations === undefined ? {} : { annotations }),
        },
        commandId: `${PIPELINE_EXECUTOR}:${t.jobId}:submit`,
      },
    };
  }

  /**
   * Bring a run's steps up to date. What it owes goes out in batches (a loop of 1,000 iterations
   * submits its 1,000 steps as one batch of the cluster's engine): the reports first, then the
   * stops, then the submissions, then the reports of submissions refused.
   */
  async function reconcile(runId: string): Promise<void> {
    const run = pipelines.current.runs.get(runId);
    if (!run) return;
    const canceling = run.state === 'CANCELING';
    const now = pipelines.clock.now();
    const reports: PipelineCommand[] = [];
    const submits: { t: TaskRun; command: Command }[] = [];
    const stops: Command[] = [];
    const canceled = (t: TaskRun) => endedCommand(run, t, 'canceled', { message: 'the run was terminated' });
    for (const t of run.tasks.values()) {
      if (t.kind !== 'container' || isTaskDone(t.state) || t.jobId === null) continue;
      const job = jobOf(t.jobId);
      if (job === undefined) {
        if (canceling) {
          unanswered.delete(t.jobId);
          reports.push(canceled(t));
        } else if (t.retryAt !== null && t.retryAt > now) pokeAt(run.id, t.retryAt);
        else {
          const op = platformOpOf(run, t);
          if (op !== null) reports.push(...(await platformStep(run, t, op)));
          else {
            const s = submission(run, t);
            if (s.ok) submits.push({ t, command: s.command });
            else reports.push(endedCommand(run, t, 'failed', { message: s.message }));
          }
        }
        continue;
      }
      if (t.state === 'PENDING' && !WAITING.has(job.status)) {
        reports.push({
          type: 'ReportTaskStarted',
          runId: run.id,
          task: t.path,
          attempt: t.attempt,
          commandId: `${PIPELINE_EXECUTOR}:${t.jobId}:started`,
        });
      }
      if (canceling && !ENDED.has(job.status) && job.status !== 'Stopping') {
        stops.push({ type: 'StopJob', jobId: t.jobId, commandId: `${PIPELINE_EXECUTOR}:${t.jobId}:stop` });
        continue;
      }
      if (job.status === 'Complete') {
        const outputs = canceling ? null : await options.outputsOf(run, t, job);
        if (canceling) reports.push(canceled(t));
        else if (outputs === null) reports.push(endedCommand(run, t, 'failed', { message: 'its outputs could not be read' }));
        else if ('unreadable' in outputs) reports.push(endedCommand(run, t, 'failed', { message: outputs.unreadable }));
        else reports.push(endedCommand(run, t, 'succeeded', { outputs }));
      } else if (job.status === 'Error') {
        const message = job.failure ? { message: `${job.failure.reason}: ${job.failure.message}` } : {};
        reports.push(endedCommand(run, t, canceling ? 'canceled' : 'failed', message));
      } else if (job.status === 'Stopped') {
        reports.push(canceling ? canceled(t) : endedCommand(run, t, 'canceled', { message: 'its job was stopped' }));
      }
    }
    if (reports.length > 0) {
      await pipelines.executeBatch(reports);
      if (options.assets) await recordProducts(runId, reports);
    }
    if (stops.length > 0) await cluster.executeBatch(stops);
    if (submits.length === 0) return;
    const outcome = await cluster.executeBatch(submits.map((s) => s.command));
    const refused: PipelineCommand[] = [];
    outcome.outcomes.forEach((o, i) => {
      const t = (submits[i] as { t: TaskRun }).t;
      // The owner removed, the group gone, a step that can never fit: the step fails, saying why.
      if (!o.ok) refused.push(endedCommand(run, t, 'failed', { message: `its job was refused: ${o.rejection.message}` }));
    });
    if (refused.length > 0) await pipelines.executeBatch(refused);
  }

  /** The datasets and models the steps just reported succeeded made, as asset versions (pipeline-assets.ts). */
  async function recordProducts(runId: string, reports: readonly PipelineCommand[]): Promise<void> {
    const assets = options.assets as AssetsEngine;
    const run = pipelines.current.runs.get(runId);
    if (!run) return;
    for (const r of reports) {
      if (r.type !== 'ReportTaskEnded' || r.outcome !== 'succeeded') continue;
      const t = run.tasks.get(r.task);
      const job = t?.jobId ? jobOf(t.jobId) : undefined;
      if (!t || !job) continue;
      const image = (job.spec as { image?: unknown } | null)?.image;
      for (const command of stepProducts(run, t, job.id, typeof image === 'string' ? image : null, assets.current)) {
        const outcome = await assets.execute(command);
        if (!outcome.ok) report(new Error(`recording ${r.task}'s product: ${outcome.rejection.message}`));
      }
    }
  }

  const followers: EngineFollower[] = [
    followEngine(pipelines, store, {
      after: BigInt(pipelines.durableRevision),
      onEvent: (e: PipelineEvent) => {
        if ('runId' in e) poke(e.runId);
        armTick();
      },
      onError: report,
    }),
    followEngine(cluster, store, {
      after: BigInt(cluster.durableRevision),
      types: new Set(['JobAllocated', 'JobStarted', 'JobCompleted', 'JobFailed', 'JobStopped', 'JobSubmitted']),
      onEvent: (e: Event) => {
        if (!('jobId' in e)) return;
        const step = pipelines.current.taskOfJob.get(e.jobId);
        if (step) poke(step.run);
      },
      onError: report,
    }),
  ];
  // What is owed since before it started: every run not ended.
  for (const run of pipelines.current.runs.values()) if (!isRunDone(run.state)) poke(run.id);
  armTick();

  return {
    stop() {
      stopped = true;
      looks.stop();
      for (const f of followers) f.stop();
      if (tickTimer !== undefined) clearTimeout(tickTimer);
    },
    idle: () => looks.idle(() => followers.some((f) => f.busy)),
  };
}

/**
 * When a task's current attempt became pending (its history's last PENDING entry): a step that
 * runs no container is tried from then on, so the time it has gone unanswered counts from there,
 * in the state, and an executor that restarts does not give it the whole time again.
 */
function pendingSince(t: TaskRun, now: number): number {
  for (let i = t.history.length - 1; i >= 0; i--) {
    const h = t.history[i] as TaskRun['history'][number];
    if (h.state === 'PENDING') return Math.min(h.at, now);
  }
  return Math.min(t.createdAt, now);
}

/** A span of seconds as a message says it: whole seconds, or to the millisecond below one. */
function seconds(s: number): string {
  return s >= 1 ? `${Math.round(s)} s` : `${Math.round(s * 1000)} ms`;
}
