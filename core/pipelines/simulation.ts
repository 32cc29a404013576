/**
 * How the simulated runtime plays a pipeline step: from the run's simulation fixture (model.ts
 * `SimulationFixture`: per task, its duration, success or failure, output values), with
 * type-appropriate defaults for whatever the fixture does not say, so every control-flow path of
 * a pipeline can be steered and the demo cluster runs pipelines end to end.
 *
 * A fixture entry is found by the task's path without `root/`, matched on whole segments from the
 * end, the longest match winning: `flip-coin` steers every task with that key, `for-loop-2/1/print-op`
 * only the second iteration's.
 */
import { componentOf, executorOf, type JsonValue, type ParameterType, type TaskSpec } from './ir.js';
import type { Run, StepFixture, TaskOutputs, TaskRun } from './model.js';
import { provisionedArtifacts, stepOutputs } from './step.js';

/** How long a step runs when its fixture does not say (seconds). */
export const DEFAULT_STEP_SECONDS = 1;

const DEFAULTS: Record<ParameterType, JsonValue> = {
  STRING: '',
  NUMBER_INTEGER: 0,
  NUMBER_DOUBLE: 0,
  BOOLEAN: false,
  LIST: [],
  STRUCT: {},
  TASK_FINAL_STATUS: {},
  TASK_CONFIG: {},
};

/** The fixture entry that steers a task, if any. */
export function fixtureOf(run: Run, task: TaskRun): StepFixture | undefined {
  const fixture = run.simulation;
  if (!fixture) return undefined;
  const segments = task.path.split('/').slice(1);
  for (let start = 0; start < segments.length; start++) {
    const entry = fixture[segments.slice(start).join('/')];
    if (entry) return entry;
  }
  return undefined;
}

/** What a simulated step's attempt does: how long it runs, how it ends, and its outputs. */
export function simulatedStep(
  run: Run,
  task: TaskRun,
): { seconds: number; outcome: 'succeeded' | 'failed'; outputs: TaskOutputs; message?: string } {
  const fixture = fixtureOf(run, task);
  const seconds = fixture?.seconds ?? DEFAULT_STEP_SECONDS;
  const fails =
    fixture?.outcome === 'failed' ||
    (fixture?.failAttempts !== undefined && task.attempt <= fixture.failAttempts) ||
    (fixture?.failRuns !== undefined && run.retries < fixture.failRuns);
  const component = componentOf(run.spec, { componentRef: { name: task.component } } as TaskSpec);
  const parameters: Record<string, JsonValue> = {};
  for (const [name, def] of Object.entries(component?.outputDefinitions?.parameters ?? {})) {
    parameters[name] = fixture?.outputs?.[name] ?? DEFAULTS[def.parameterType] ?? null;
  }
  const outputs = { parameters, artifacts: provisionedArtifacts(stepOutputs(run, task)) };
  return fails
    ? { seconds, outcome: 'failed', outputs, message: `the simulation fails it (attempt ${task.attempt})` }
    : { seconds, outcome: 'succeeded', outputs };
}

/** A parameter value as a step writes it to its output file: a string as it is, anything else as JSON. */
export const parameterFileText = (value: JsonValue): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** Whether a step's container is the SDK's executor (`--executor_input {{$}}`): it reports through the executor output file. */
function takesExecutorInput(run: Run, task: TaskRun): boolean {
  const container = executorOf(run.spec, task.component)?.container;
  return [...(container?.command ?? []), ...(container?.args ?? [])].includes('{{$}}');
}

/**
 * The files a simulated step's attempt writes (path -> text), as the step would: a component the
 * SDK built (its executor takes `{{$}}`) writes KFP's executor output file with its
 * `parameterValues`; any other writes each output parameter's file where its placeholder told it
 * (step.ts `stepOutputs`). Values are the fixture's or the type's default. A failing attempt
 * writes none.
 */
export function simulatedOutputFiles(run: Run, task: TaskRun): Record<string, string> {
  const played = simulatedStep(run, task);
  if (played.outcome === 'failed') return {};
  const where = stepOutputs(run, task);
  if (takesExecutorInput(run, task)) {
    return { [where.outputMetadataFile]: JSON.stringify({ parameterValues: played.outputs.parameters }) };
  }
  const files: Record<string, string> = {};
  for (const [name, value] of Object.entries(played.outputs.parameters)) {
    const file = where.outputParameters[name]?.outputFile;
    if (file !== undefined) files[file] = parameterFileText(value);
  }
  return files;
}

/**
 * The annotations that make the fake Kubernetes cluster's kubelet play a simulated step
 * (adapters/k8s/test-support/kubelet.ts): it runs the fixture's seconds (`msPerSecond` each, so
 * tests may run faster than the wall clock), exits 1 when the fixture fails it, and leaves the
 * output files its sidecar prints.
 */
export function simulatedPodAnnotations(run: Run, task: TaskRun, msPerSecond = 1000): Record<string, string> {
  const played = simulatedStep(run, task);
  return {
    'sim.gpupool.io/run-for-ms': String(Math.max(1, Math.round(played.seconds * msPerSecond))),
    ...(played.outcome === 'failed' ? { 'sim.gpupool.io/exit-code': '1' } : {}),
    'sim.gpupool.io/files': JSON.stringify(simulatedOutputFiles(run, task)),
  };
}
