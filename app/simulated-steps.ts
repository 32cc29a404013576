/**
 * How the simulated runtime plays a pipeline step: as its run's simulation fixture says
 * (core/pipelines/simulation.ts), so the demo cluster runs pipelines end to end and every
 * control-flow path can be steered: it runs the fixture's seconds, fails when the fixture fails it,
 * and its outputs are the fixture's, with type-appropriate defaults.
 */
import type { PipelinesEngine } from '../adapters/http/context.js';
import type { JobState } from '../core/cluster/model.js';
import type { Run, TaskRun } from '../core/pipelines/model.js';
import { simulatedStep } from '../core/pipelines/simulation.js';

/** The run and task a step's job runs, when it is one. */
function stepOf(pipelines: PipelinesEngine, job: Pick<JobState, 'id' | 'kind'>): { run: Run; task: TaskRun } | null {
  if (job.kind !== 'pipeline-step') return null;
  const where = pipelines.current.taskOfJob.get(job.id);
  const run = where && pipelines.current.runs.get(where.run);
  const task = where && run?.tasks.get(where.task);
  return run && task ? { run, task } : null;
}

/** Why a simulated step's job fails instead of completing, when its fixture fails it. */
export function simulatedStepFailure(pipelines: PipelinesEngine, job: JobState): { reason: string; message: string } | null {
  const step = stepOf(pipelines, job);
  if (!step) return null;
  const played = simulatedStep(step.run, step.task);
  return played.outcome === 'failed' ? { reason: 'StepFailed', message: played.message ?? 'the step failed' } : null;
}

export const simulatedStepOutputs = (run: Run, task: TaskRun) => simulatedStep(run, task).outputs;
export const simulatedStepSeconds = (run: Run, task: TaskRun) => simulatedStep(run, task).seconds;
