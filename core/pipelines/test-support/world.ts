/**
 * A pipelines state driven in virtual time, for tests: commands go through the decider's own
 * batch, and `play` acts as the simulated runtime would, each step's job starting at once and
 * ending after its fixture's time as its fixture says (simulation.ts). Retries start when their
 * backoff is over; recurring runs fire at the decider's wake-up instants.
 */
import type { CommandOutcome } from '../../decider.js';
import type { PipelineCommand } from '../commands.js';
import { nextPipelinesWakeup } from '../decide.js';
import type { PipelineEvent } from '../events.js';
import type { PipelineSpec, PlatformSpec } from '../ir.js';
import { isRunDone, type PipelinesState, type Run, type TaskRun } from '../model.js';
import { formatPipelineIssues, parsePipelineFile } from '../parse.js';
import { pipelinesDecider } from '../pipelines-decider.js';
import { simulatedStep } from '../simulation.js';

export const GROUP = 'team';
export const OWNER = 'ada';

type Pending = { at: number; run: string; task: string; attempt: number; jobId: string };

export class PipelinesWorld {
  state: PipelinesState = pipelinesDecider.initialState();
  now = 0;
  readonly events: PipelineEvent[] = [];
  /** Every step attempt started, in order: [run, task path, attempt, start time]. */
  readonly started: { run: string; task: string; attempt: number; at: number }[] = [];
  private readonly agenda: Pending[] = [];
  private readonly known = new Set<string>();
  /** Ticks sent so far: each has its own command id (two at one instant are two ticks, not a duplicate). */
  private ticks = 0;

  exec(command: PipelineCommand): CommandOutcome<PipelineEvent> {
    const batch = pipelinesDecider.runBatch?.(this.state, [command], this.now);
    if (!batch) throw new Error('the pipelines decider has its own batch');
    this.state = batch.state;
    this.events.push(...batch.events);
    return batch.outcomes[0] as CommandOutcome<PipelineEvent>;
  }

  /** Execute, and fail the test with the rejection's words when it is refused. */
  must(command: PipelineCommand): PipelineEvent[] {
    const o = this.exec(command);
    if (!o.ok) throw new Error(`${command.type} refused: ${o.rejection.message}`);
    return o.duplicate ? [] : [...o.events];
  }

  /** Upload a pipeline (with its Kubernetes platform spec, if any); its id. */
  upload(name: string, spec: PipelineSpec, platform: PlatformSpec | null = null): string {
    const pipelineId = `${GROUP}/${name}`;
    this.must({
      type: 'CreatePipeline',
      pipelineId,
      owner: OWNER,
      group: GROUP,
      name,
      version: { versionId: `${pipelineId}@v1`, name: 'v1', format: 'v2', spec: spec as never, platform: platform as never },
    });
    return pipelineId;
  }

  /** Upload a compiled pipeline file as the parser reads it, with its Kubernetes platform spec. */
  uploadFile(name: string, text: string): string {
    const parsed = parsePipelineFile(text);
    if (!parsed.ok) throw new Error(formatPipelineIssues(parsed.issues));
    return this.upload(name, parsed.value.spec, parsed.value.platform ?? null);
  }

  startRun(pipelineId: string, name: string, extra: Partial<Extract<PipelineCommand, { type: 'CreateRun' }>> = {}): string {
    const runId = `${GROUP}/${name}`;
    this.must({ type: 'CreateRun', runId, owner: OWNER, group: GROUP, name, pipelineId, parameters: {}, ...extra });
    return runId;
  }

  run(id: string): Run {
    const r = this.state.runs.get(id);
    if (!r) throw new Error(`no run ${id}`);
    return r;
  }

  task(runId: string, path: string): TaskRun {
    const t = this.run(runId).tasks.get(path);
    if (!t) throw new Error(`run ${runId} has no task ${path}; it has ${[...this.run(runId).tasks.keys()].join(', ')}`);
    return t;
  }

  /** Steps ready to start: pending, their backoff over, not started yet. */
  private launch(): void {
    for (const run of this.state.runs.values()) {
      if (isRunDone(run.state)) continue;
      for (const t of run.tasks.values()) {
        if (t.kind !== 'container' || t.jobId === null || this.known.has(t.jobId)) continue;
        if (t.state === 'PENDING' && run.state === 'CANCELING') {
          this.known.add(t.jobId);
          this.must({ type: 'ReportTaskEnded', runId: run.id, task: t.path, attempt: t.attempt, outcome: 'canceled' });
          continue;
        }
        if (t.state !== 'PENDING' || (t.retryAt !== null && t.retryAt > this.now)) continue;
        this.known.add(t.jobId);
        this.started.push({ run: run.id, task: t.path, attempt: t.attempt, at: this.now });
        this.must({ type: 'ReportTaskStarted', runId: run.id, task: t.path, attempt: t.attempt });
        const step = simulatedStep(run, t);
        this.agenda.push({ at: this.now + step.seconds, run: run.id, task: t.path, attempt: t.attempt, jobId: t.jobId });
      }
    }
  }

  /** The next instant something happens: a step ends, a retry is due, a recurring run fires. */
  private nextInstant(until: number): number | null {
    let next = Number.POSITIVE_INFINITY;
    for (const p of this.agenda) next = Math.min(next, p.at);
    for (const run of this.state.runs.values()) {
      for (const t of run.tasks.values())
        if (t.state === 'PENDING' && t.retryAt !== null && t.retryAt > this.now) next = Math.min(next, t.retryAt);
    }
    const wake = nextPipelinesWakeup(this.state);
    if (wake !== null) next = Math.min(next, Math.max(wake, this.now));
    return next <= until ? next : null;
  }

  /** A Tick now, as the host's timer sends one. */
  tick(): PipelineEvent[] {
    this.ticks += 1;
    return this.must({ type: 'Tick', commandId: `tick-${this.ticks}@${this.now}` });
  }

  /** Play until nothing is left to do or `until` (virtual seconds). */
  play(until = 1e9): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      this.launch();
      const next = this.nextInstant(until);
      if (next === null) return;
      this.now = Math.max(this.now, next);
      const wake = nextPipelinesWakeup(this.state);
      if (wake !== null && wake <= this.now) {
        const events = this.tick();
        // A wake-up that a tick does not move would have the host tick forever at this instant.
        const again = nextPipelinesWakeup(this.state);
        if (events.every((e) => e.type === 'CommandAccepted') && again !== null && again <= this.now)
          throw new Error(`the decider asks for a tick at ${again} and a tick at ${this.now} changes nothing`);
      }
      this.agenda.sort((a, b) => a.at - b.at);
      while (this.agenda.length > 0 && (this.agenda[0] as Pending).at <= this.now) {
        const p = this.agenda.shift() as Pending;
        const run = this.run(p.run);
        const t = run.tasks.get(p.task);
        if (!t || t.attempt !== p.attempt) continue;
        const step = simulatedStep(run, t);
        const outcome = run.state === 'CANCELING' ? 'canceled' : step.outcome;
        this.must({
          type: 'ReportTaskEnded',
          runId: p.run,
          task: p.task,
          attempt: p.attempt,
          outcome,
          ...(outcome === 'succeeded' ? { outputs: step.outputs as never } : {}),
          ...(step.message ? { message: step.message } : {}),
        });
      }
    }
    throw new Error('the run did not settle');
  }
}
