/**
 * How a run moves forward: the DAG semantics of the KFP v2 IR, as KFP's driver applies them,
 * written as a pure function from a run to the changes that follow. Used by decide (on a copy of
 * the run: `forkRun`) after every fact it records, so the events say what happened *and* what was
 * decided because of it; evolve applies the same changes with `applyRunChange`.
 *
 * The rules:
 * - A DAG execution creates each of its tasks once every task it depends on (its `dependentTasks`
 *   and every producer its inputs name) has ended. Under the default strategy
 *   (ALL_UPSTREAM_TASKS_SUCCEEDED) a task whose upstream failed or was canceled is never created,
 *   and one whose upstream was skipped is skipped too; under ALL_UPSTREAM_TASKS_COMPLETED (exit
 *   handlers) it runs whatever they did.
 * - Its inputs are resolved from the DAG's inputs, a sibling's outputs, constants (a string may
 *   embed `{{$.inputs.parameters['x']}}` of the task's other inputs), or a sibling's final status,
 *   each optionally narrowed by a `parameterExpressionSelector`; the component's defaults fill in
 *   what is absent. Its `triggerPolicy.condition` (CEL, cel.ts) decides whether it runs or is
 *   skipped.
 * - A task with an iterator is a loop: its items come from a JSON literal or an input; each item
 *   runs the loop's component as an iteration DAG, at most `parallelismLimit` at once (0: all),
 *   and the loop's outputs collect the iterations' outputs in item order (`dsl.Collected`).
 * - A container task waits for its job (the executor's, app/pipeline-executor.ts) or, with caching
 *   on and a fingerprint seen before in the group, is CACHED with the earlier outputs; an importer
 *   succeeds at once with its artifact. A failed container with retries left waits its backoff and
 *   runs again as a new attempt.
 * - A DAG ends once nothing in it can still run: FAILED if a task failed or could not run because
 *   of a failure, CANCELED while its run is being canceled, else SUCCEEDED with its outputs
 *   (`valueFromParameter`, the first producer that ran of `valueFromOneof`, artifact selectors).
 *   The root DAG's end is the run's.
 */
import { hashOfValue } from '../idempotency.js';
import {
  type ComponentSpec,
  componentOf,
  executorOf,
  type InputParameterSpec,
  type JsonValue,
  type ParameterSpec,
  type TaskSpec,
} from './ir.js';
import {
  type ArtifactValue,
  childPath,
  isTaskDone,
  isTaskOk,
  type ResolvedInputs,
  ROOT,
  type Run,
  type RunState,
  type TaskKind,
  type TaskOutputs,
  type TaskRun,
  type TaskState,
} from './model.js';
import { isPlatformOpImage } from './platform-ops.js';

/** A task execution as it is created. */
export interface NewTask {
  readonly path: string;
  readonly key: string;
  readonly name: string;
  readonly kind: TaskKind;
  readonly component: string;
  readonly parent: string | null;
  readonly iteration: number | null;
  readonly state: TaskState;
  readonly inputs: ResolvedInputs;
  readonly outputs: TaskOutputs | null;
  readonly jobId: string | null;
  readonly fingerprint: string | null;
  readonly items: readonly JsonValue[] | null;
  readonly parallelism: number;
  readonly message: string | null;
}

/** What changes in a run; the stream's run events carry exactly these (events.ts). */
export type RunChange =
  | { readonly type: 'TaskCreated'; readonly runId: string; readonly task: NewTask }
  | {
      readonly type: 'TaskUpdated';
      readonly runId: string;
      readonly path: string;
      readonly state: TaskState;
      readonly outputs?: TaskOutputs;
      readonly message?: string;
      /** A retry: its next attempt, the attempt's job and when it may start. */
      readonly attempt?: number;
      readonly jobId?: string;
      readonly retryAt?: number;
    }
  | { readonly type: 'RunStateChanged'; readonly runId: string; readonly state: RunState; readonly message?: string };

/** What progress needs from outside the run. */
export interface ProgressEnv {
  readonly at: number;
  /** Outputs of a successful execution with this fingerprint in the run's group, if any. */
  cached(fingerprint: string): TaskOutputs | undefined;
  /** Evaluate a trigger condition over the task's parameter inputs. */
  condition(
    text: string,
    parameters: Readonly<Record<string, JsonValue>>,
  ): { ok: true; value: boolean } | { ok: false; message: string };
}

const EMPTY_INPUTS: ResolvedInputs = { parameters: {}, artifacts: {} };

/**
 * Apply one change to a run. Task records are replaced, never edited, so a run forked for a
 * decision (forkRun) shares them with the state safely; the run's own fields change in place.
 */
export function applyRunChange(run: Run, c: RunChange, at: number): void {
  switch (c.type) {
    case 'TaskCreated': {
      const n = c.task;
      const task: TaskRun = {
        ...n,
        history: [{ state: n.state, at }],
        createdAt: at,
        startedAt: n.state === 'RUNNING' ? at : null,
        endedAt: isTaskDone(n.state) ? at : null,
        attempt: n.kind === 'container' ? 1 : 0,
        retryAt: null,
        children: [],
      };
      run.tasks.set(n.path, task);
      if (n.kind === 'container' || n.kind === 'importer') run.steps += 1;
      if (n.parent !== null) {
        const parent = run.tasks.get(n.parent);
        if (parent) run.tasks.set(parent.path, { ...parent, children: [...parent.children, n.path] });
      }
      return;
    }
    case 'TaskUpdated': {
      const old = run.tasks.get(c.path);
      if (!old) return;
      const task: TaskRun = { ...old, state: c.state, history: [...old.history, { state: c.state, at }] };
      if (c.state === 'RUNNING' && task.startedAt === null) task.startedAt = at;
      if (isTaskDone(c.state)) task.endedAt = at;
      else task.endedAt = null;
      if (c.outputs !== undefined) task.outputs = c.outputs;
      if (c.message !== undefined) task.message = c.message;
      if (c.attempt !== undefined) task.attempt = c.attempt;
      if (c.jobId !== undefined) task.jobId = c.jobId;
      task.retryAt = c.retryAt ?? null;
      run.tasks.set(c.path, task);
      return;
    }
    case 'RunStateChanged':
      run.state = c.state;
      run.history.push({ state: c.state, at });
      run.finishedAt = c.state === 'SUCCEEDED' || c.state === 'FAILED' || c.state === 'CANCELED' ? at : null;
      return;
  }
}

/** A copy of a run that progress may change without touching the original (task records are replaced, not edited). */
export const forkRun = (run: Run): Run => ({ ...run, history: [...run.history], tasks: new Map(run.tasks) });

/** The job id of a container task's attempt: the run, the task's ordinal in it, the attempt. */
export function stepJobId(run: Run, ordinal: number, attempt: number): string {
  const tail = `:${ordinal}.${attempt}`;
  const head = run.id.length + tail.length <= 200 ? run.id : `${run.id.slice(0, 180)}~${hashOfValue(run.id)}`;
  return `${head}${tail}`;
}

/** KFP's `PipelineTaskFinalStatus` of a task, as an exit handler's input. */
function finalStatusOf(run: Run, task: TaskRun | undefined, key: string): JsonValue {
  const failed = task?.state === 'FAILED';
  return {
    state: task?.state === 'CACHED' ? 'SUCCEEDED' : (task?.state ?? 'FAILED'),
    pipelineJobResourceName: run.id,
    pipelineTaskName: key,
    error: { code: failed ? 2 : 0, message: failed ? (task?.message ?? 'the task failed') : '' },
  };
}

/**
 * A `parameterExpressionSelector` applied to a value: the forms the KFP compiler writes,
 * `parseJson(string_value)` followed by any `["key"]` / `[n]` steps, or `string_value`.
 */
export function selectParameter(
  expression: string,
  value: JsonValue,
): { ok: true; value: JsonValue } | { ok: false; message: string } {
  const text = expression.trim();
  const stringValue = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === 'string_value') return { ok: true, value: stringValue };
  const m = /^parseJson\(string_value\)((?:\s*\[\s*(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\d+)\s*\])*)$/.exec(text);
  if (!m) return { ok: false, message: `the selector '${expression}' is not one gpupool reads (parseJson(string_value)["key"])` };
  let current: JsonValue;
  try {
    current = JSON.parse(stringValue) as JsonValue;
  } catch {
    return { ok: false, message: `the selector '${expression}' needs JSON, and the value is ${stringValue.slice(0, 80)}` };
  }
  for (const step of (m[1] ?? '').matchAll(/\[\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\d+)\s*\]/g)) {
    const raw = step[1] as string;
    const index: string | number = /^\d+$/.test(raw)
      ? Number(raw)
      : (JSON.parse(`"${raw.slice(1, -1).replace(/"/g, '\\"')}"`) as string);
    if (current === null || typeof current !== 'object' || !(String(index) in current)) {
      return { ok: false, message: `the selector '${expression}' finds no ${JSON.stringify(index)} in the value` };
    }
    current = (current as Record<string, JsonValue>)[index as string] as JsonValue;
  }
  return { ok: true, value: current };
}

/** A constant's embedded `{{$.inputs.parameters['x']}}` replaced by the task's other inputs. */
function interpolate(text: string, parameters: Readonly<Record<string, JsonValue>>): string {
  return text.replace(/\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}/g, (whole, name: string) => {
    const v = parameters[name];
    if (v === undefined) return whole;
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

/** The tasks `task` waits for: its dependentTasks and every producer its inputs name. */
export function upstreamOf(task: TaskSpec): string[] {
  const up = new Set(task.dependentTasks ?? []);
  for (const p of Object.values(task.inputs?.parameters ?? {})) {
    if (p.taskOutputParameter) up.add(p.taskOutputParameter.producerTask);
    if (p.taskFinalStatus) up.add(p.taskFinalStatus.producerTask);
  }
  for (const a of Object.values(task.inputs?.artifacts ?? {}))
    if (a.taskOutputArtifact) up.add(a.taskOutputArtifact.producerTask);
  return [...up];
}

type Resolution = { ok: true; inputs: ResolvedInputs } | { ok: false; message: string };

/** A task's inputs, resolved in the DAG execution `dag`, with the component's defaults. */
function resolveInputs(run: Run, dag: TaskRun, task: TaskSpec, component: ComponentSpec | undefined): Resolution {
  const parameters: Record<string, JsonValue> = {};
  const artifacts: Record<string, readonly ArtifactValue[]> = {};
  const sibling = (k: string) => run.tasks.get(childPath(dag.path, k));
  const constants: [string, string][] = [];
  for (const [name, spec] of Object.entries(task.inputs?.parameters ?? {}) as [string, InputParameterSpec][]) {
    let value: JsonValue | undefined;
    if (spec.componentInputParameter !== undefined) value = dag.inputs.parameters[spec.componentInputParameter];
    else if (spec.taskOutputParameter) {
      const producer = sibling(spec.taskOutputParameter.producerTask);
      value = producer?.outputs?.parameters[spec.taskOutputParameter.outputParameterKey];
    } else if (spec.taskFinalStatus) {
      value = finalStatusOf(run, sibling(spec.taskFinalStatus.producerTask), spec.taskFinalStatus.producerTask);
    } else if (spec.runtimeValue) {
      value = spec.runtimeValue.constant;
      if (typeof value === 'string' && value.includes('{{$.inputs.parameters[')) constants.push([name, value]);
    }
    if (value !== undefined && spec.parameterExpressionSelector !== undefined) {
      const selected = selectParameter(spec.parameterExpressionSelector, value);
      if (!selected.ok) return { ok: false, message: `input '${name}': ${selected.message}` };
      value = selected.value;
    }
    if (value !== undefined) parameters[name] = value;
  }
  for (const [name, text] of constants) parameters[name] = interpolate(text, parameters);
  for (const [name, spec] of Object.entries(task.inputs?.artifacts ?? {})) {
    let value: readonly ArtifactValue[] | undefined;
    if (spec.componentInputArtifact !== undefined) value = dag.inputs.artifacts[spec.componentInputArtifact];
    else if (spec.taskOutputArtifact) {
      value = sibling(spec.taskOutputArtifact.producerTask)?.outputs?.artifacts[spec.taskOutputArtifact.outputArtifactKey];
    }
    if (value !== undefined) artifacts[name] = value;
  }
  // Defaults, and what is missing. A loop's item input is bound per iteration, not here.
  const itemInput = task.parameterIterator?.itemInput ?? task.artifactIterator?.itemInput;
  for (const [name, def] of Object.entries(component?.inputDefinitions?.parameters ?? {}) as [string, ParameterSpec][]) {
    if (name in parameters || name === itemInput) continue;
    if (def.defaultValue !== undefined) parameters[name] = def.defaultValue;
    else if (!def.isOptional) return { ok: false, message: `input parameter '${name}' has no value` };
  }
  for (const [name, def] of Object.entries(component?.inputDefinitions?.artifacts ?? {})) {
    if (name in artifacts || name === itemInput || def.isOptional) continue;
    return { ok: false, message: `input artifact '${name}' has no value` };
  }
  return { ok: true, inputs: { parameters, artifacts } };
}

/** A loop's items: a JSON literal or one of its inputs (a list, or a string holding one). */
function loopItems(task: TaskSpec, inputs: ResolvedInputs): { ok: true; items: JsonValue[] } | { ok: false; message: string } {
  if (task.artifactIterator) {
    const list = inputs.artifacts[task.artifactIterator.items.inputArtifact];
    if (!list)
      return { ok: false, message: `the loop's artifact list '${task.artifactIterator.items.inputArtifact}' has no value` };
    return { ok: true, items: list.map((a) => a as unknown as JsonValue) };
  }
  const spec = task.parameterIterator?.items;
  let value: JsonValue | undefined;
  if (spec?.raw !== undefined) value = spec.raw;
  else if (spec?.inputParameter !== undefined) value = inputs.parameters[spec.inputParameter];
  if (typeof value === 'string') {
    const text = value;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      return { ok: false, message: `the loop's items are not a JSON list: ${text.slice(0, 80)}` };
    }
  }
  if (!Array.isArray(value))
    return { ok: false, message: `the loop's items are not a list (${JSON.stringify(value) ?? 'nothing'})` };
  return { ok: true, items: value };
}

/** An iteration's DAG inputs: the loop's, with the item bound to the item input. */
function iterationInputs(task: TaskSpec, loop: TaskRun, item: JsonValue): ResolvedInputs {
  if (task.artifactIterator) {
    return {
      parameters: loop.inputs.parameters,
      artifacts: { ...loop.inputs.artifacts, [task.artifactIterator.itemInput]: [item as unknown as ArtifactValue] },
    };
  }
  const name = task.parameterIterator?.itemInput as string;
  return { parameters: { ...loop.inputs.parameters, [name]: item }, artifacts: loop.inputs.artifacts };
}

/** The task spec a task execution runs (an iteration: its loop's). */
function taskSpecOf(run: Run, t: TaskRun): TaskSpec | undefined {
  if (t.parent === null) return undefined;
  const parent = run.tasks.get(t.parent);
  if (!parent) return undefined;
  if (parent.kind === 'loop') return taskSpecOf(run, parent);
  return dagOf(run, parent)?.tasks[t.key];
}

/** The DAG component a dag-kind execution runs. */
export const dagOf = (run: Run, t: TaskRun) => (t.path === ROOT ? run.spec.root : run.spec.components[t.component])?.dag;

/** The kind a task has once created: a loop, a nested DAG, an importer or a container. */
export function kindOf(run: Run, task: TaskSpec): TaskKind {
  if (task.parameterIterator || task.artifactIterator) return 'loop';
  if (componentOf(run.spec, task)?.dag) return 'dag';
  return executorOf(run.spec, task.componentRef.name)?.importer ? 'importer' : 'container';
}

/** A DAG execution's outputs by its component's `dag.outputs`. */
function dagOutputs(run: Run, dag: TaskRun): TaskOutputs {
  const spec = dagOf(run, dag)?.outputs;
  const parameters: Record<string, JsonValue> = {};
  const artifacts: Record<string, readonly ArtifactValue[]> = {};
  const child = (k: string) => {
    const t = run.tasks.get(childPath(dag.path, k));
    return t && isTaskOk(t.state) ? t : undefined;
  };
  for (const [name, out] of Object.entries(spec?.parameters ?? {})) {
    const selectors = out.valueFromParameter ? [out.valueFromParameter] : (out.valueFromOneof?.parameterSelectors ?? []);
    for (const s of selectors) {
      const v = child(s.producerSubtask)?.outputs?.parameters[s.outputParameterKey];
      if (v !== undefined) {
        parameters[name] = v;
        break;
      }
    }
  }
  for (const [name, out] of Object.entries(spec?.artifacts ?? {})) {
    const list: ArtifactValue[] = [];
    for (const s of out.artifactSelectors)
      list.push(...(child(s.producerSubtask)?.outputs?.artifacts[s.outputArtifactKey] ?? []));
    if (list.length > 0) artifacts[name] = list;
  }
  return { parameters, artifacts };
}

/** A loop's outputs: each iteration's, collected in item order. */
function loopOutputs(run: Run, loop: TaskRun): TaskOutputs {
  const parameters: Record<string, JsonValue[]> = {};
  const artifacts: Record<string, ArtifactValue[]> = {};
  const names = Object.keys(run.spec.components[loop.component]?.dag?.outputs?.parameters ?? {});
  const artifactNames = Object.keys(run.spec.components[loop.component]?.dag?.outputs?.artifacts ?? {});
  for (const n of names) parameters[n] = [];
  for (const n of artifactNames) artifacts[n] = [];
  for (let i = 0; i < (loop.items?.length ?? 0); i++) {
    const it = run.tasks.get(childPath(loop.path, String(i)));
    if (!it?.outputs || !isTaskOk(it.state)) continue;
    for (const n of names) {
      const v = it.outputs.parameters[n];
      if (v !== undefined) (parameters[n] as JsonValue[]).push(v);
    }
    for (const n of artifactNames) (artifacts[n] as ArtifactValue[]).push(...(it.outputs.artifacts[n] ?? []));
  }
  return { parameters, artifacts };
}

/**
 * The changes that follow from the run as it stands, applied to it as they are made (call it on
 * a fork in decide). `start`: the DAG and loop executions to look at first (those whose children
 * just changed); each one that ends puts its parent on the list.
 */
export function progressRun(run: Run, env: ProgressEnv, from: readonly string[]): RunChange[] {
  const out: RunChange[] = [];
  const emit = (c: RunChange) => {
    applyRunChange(run, c, env.at);
    out.push(c);
  };
  const todo: string[] = [...from];
  const queued = new Set(todo);
  const look = (path: string | null) => {
    if (path === null || queued.has(path)) return;
    queued.add(path);
    todo.push(path);
  };
  const finish = (t: TaskRun, state: TaskState, outputs: TaskOutputs | undefined, message?: string) => {
    emit({
      type: 'TaskUpdated',
      runId: run.id,
      path: t.path,
      state,
      ...(outputs ? { outputs } : {}),
      ...(message ? { message } : {}),
    });
    if (t.parent !== null) look(t.parent);
    else endRun(state, message);
  };
  const endRun = (root: TaskState, message?: string) => {
    const state: RunState =
      run.state === 'CANCELING' ? 'CANCELED' : root === 'SUCCEEDED' ? 'SUCCEEDED' : root === 'CANCELED' ? 'CANCELED' : 'FAILED';
    if (run.state !== state) emit({ type: 'RunStateChanged', runId: run.id, state, ...(message ? { message } : {}) });
  };
  const canceling = run.state === 'CANCELING';

  while (todo.length > 0) {
    const path = todo.shift() as string;
    queued.delete(path);
    const exec = run.tasks.get(path);
    if (!exec || isTaskDone(exec.state)) continue;
    if (exec.kind === 'loop') progressLoop(exec);
    else if (exec.kind === 'dag') progressDag(exec);
  }
  return out;

  function progressLoop(loop: TaskRun): void {
    const spec = taskSpecOf(run, loop) as TaskSpec;
    const items = loop.items ?? [];
    let active = 0;
    let failed = false;
    let canceled = false;
    for (const p of loop.children) {
      const it = run.tasks.get(p) as TaskRun;
      if (!isTaskDone(it.state)) active++;
      else if (it.state === 'FAILED') failed = true;
      else if (it.state === 'CANCELED') canceled = true;
    }
    // KFP starts no new iteration once one has failed; the loop ends when the running ones do.
    // Iterations are created in item order; after a retry, the ones it forgot are made again.
    if (!canceling && !failed) {
      const limit = loop.parallelism > 0 ? loop.parallelism : Number.POSITIVE_INFINITY;
      for (let i = 0; i < items.length && active < limit; i++) {
        if (run.tasks.has(childPath(loop.path, String(i)))) continue;
        active++;
        emit({
          type: 'TaskCreated',
          runId: run.id,
          task: {
            path: childPath(loop.path, String(i)),
            key: loop.key,
            name: `${loop.name} #${i}`,
            kind: 'dag',
            component: loop.component,
            parent: loop.path,
            iteration: i,
            state: 'RUNNING',
            inputs: iterationInputs(spec, loop, items[i] as JsonValue),
            outputs: null,
            jobId: null,
            fingerprint: null,
            items: null,
            parallelism: 0,
            message: null,
          },
        });
        look(childPath(loop.path, String(i)));
      }
    }
    if (active > 0) return;
    const all = loop.children.length === items.length;
    if (canceling || canceled) finish(loop, 'CANCELED', undefined);
    else if (failed || !all) finish(loop, 'FAILED', undefined, 'an iteration failed');
    else finish(loop, 'SUCCEEDED', loopOutputs(run, loop));
  }

  function progressDag(dag: TaskRun): void {
    const spec = dagOf(run, dag);
    let pending = false;
    let failed: string | null = null;
    let canceled = false;
    // Passes until one creates nothing: a task that ends as it is created (cached, skipped, an
    // importer) may free one looked at before it in the same pass.
    let created = true;
    while (created) {
      created = false;
      pending = false;
      failed = null;
      canceled = false;
      for (const [key, task] of Object.entries(spec?.tasks ?? {})) {
        const path = childPath(dag.path, key);
        const existing = run.tasks.get(path);
        if (existing) {
          if (!isTaskDone(existing.state)) pending = true;
          else if (existing.state === 'FAILED') failed ??= key;
          else if (existing.state === 'CANCELED') canceled = true;
          continue;
        }
        if (canceling) continue;
        const up = upstreamOf(task).map((k) => run.tasks.get(childPath(dag.path, k)));
        if (up.some((u) => u === undefined || !isTaskDone(u.state))) {
          // Waiting, unless what it waits for can never run (an upstream blocked by a failure).
          if (up.every((u) => u === undefined || isTaskDone(u.state)) && up.some((u) => u === undefined)) failed ??= key;
          else pending = true;
          continue;
        }
        const strategy = task.triggerPolicy?.strategy ?? 'ALL_UPSTREAM_TASKS_SUCCEEDED';
        if (strategy === 'ALL_UPSTREAM_TASKS_SUCCEEDED') {
          const bad = up.find((u) => u?.state === 'FAILED' || u?.state === 'CANCELED');
          if (bad) {
            failed ??= key;
            canceled ||= bad.state === 'CANCELED';
            continue;
          }
          if (up.some((u) => u?.state === 'SKIPPED')) {
            create(dag, key, task, 'SKIPPED', EMPTY_INPUTS, 'an upstream task was skipped');
            created = true;
            continue;
          }
        }
        const state = start(dag, key, task);
        created = true;
        if (!isTaskDone(state)) pending = true;
        else if (state === 'FAILED') failed ??= key;
      }
    }
    if (pending) return;
    if (canceling || (canceled && failed === null)) finish(dag, 'CANCELED', undefined);
    else if (failed !== null) finish(dag, 'FAILED', undefined, `task '${failed}' failed`);
    else finish(dag, 'SUCCEEDED', dagOutputs(run, dag));
  }

  /** Create a task execution in a state; returns that state. */
  function create(
    dag: TaskRun,
    key: string,
    task: TaskSpec,
    state: TaskState,
    inputs: ResolvedInputs,
    message: string | null,
    extra: Partial<NewTask> = {},
  ): TaskState {
    const _component = componentOf(run.spec, task);
    const kind = kindOf(run, task);
    emit({
      type: 'TaskCreated',
      runId: run.id,
      task: {
        path: childPath(dag.path, key),
        key,
        name: task.taskInfo.name,
        kind,
        component: task.componentRef.name,
        parent: dag.path,
        iteration: null,
        state,
        inputs,
        outputs: null,
        jobId: null,
        fingerprint: null,
        items: null,
        parallelism: 0,
        message,
        ...extra,
      },
    });
    if (isTaskDone(state)) look(dag.path);
    return state;
  }

  /** Resolve, check the condition, and create a task ready to run. */
  function start(dag: TaskRun, key: string, task: TaskSpec): TaskState {
    const component = componentOf(run.spec, task);
    const resolved = resolveInputs(run, dag, task, component);
    if (!resolved.ok) return create(dag, key, task, 'FAILED', EMPTY_INPUTS, resolved.message);
    const inputs = resolved.inputs;
    const condition = task.triggerPolicy?.condition;
    if (condition) {
      const verdict = env.condition(condition, inputs.parameters);
      if (!verdict.ok) return create(dag, key, task, 'FAILED', inputs, `its condition: ${verdict.message}`);
      if (!verdict.value) return create(dag, key, task, 'SKIPPED', inputs, `its condition is false: ${condition}`);
    }
    if (task.parameterIterator || task.artifactIterator) {
      const items = loopItems(task, inputs);
      if (!items.ok) return create(dag, key, task, 'FAILED', inputs, items.message);
      const parallelism = task.iteratorPolicy?.parallelismLimit ?? 0;
      create(dag, key, task, 'RUNNING', inputs, null, { items: items.items, parallelism });
      look(childPath(dag.path, key));
      return 'RUNNING';
    }
    if (component?.dag) {
      create(dag, key, task, 'RUNNING', inputs, null);
      look(childPath(dag.path, key));
      return 'RUNNING';
    }
    const executor = executorOf(run.spec, task.componentRef.name);
    if (executor?.importer) {
      const source = executor.importer.artifactUri;
      const uri = source.runtimeParameter !== undefined ? inputs.parameters[source.runtimeParameter] : (source.constant ?? null);
      if (typeof uri !== 'string') return create(dag, key, task, 'FAILED', inputs, 'the importer has no artifact URI');
      const outputs: TaskOutputs = {
        parameters: {},
        artifacts: {
          artifact: [
            {
              uri,
              ...(executor.importer.typeSchema.schemaTitle ? { schemaTitle: executor.importer.typeSchema.schemaTitle } : {}),
              ...(executor.importer.metadata ? { metadata: executor.importer.metadata } : {}),
            },
          ],
        },
      };
      return create(dag, key, task, 'SUCCEEDED', inputs, null, { outputs });
    }
    if (!executor?.container) return create(dag, key, task, 'FAILED', inputs, 'its component has no container to run');
    // A step that makes or deletes a claim changes the cluster: reusing an earlier run's outputs
    // would hand this run a claim that run's DeletePVC deleted (KFP's driver caches them; here they
    // always run).
    const cacheable = task.cachingOptions?.enableCache === true && !isPlatformOpImage(executor.container.image);
    const fingerprint = cacheable
      ? hashOfValue({
          container: executor.container,
          inputDefinitions: component?.inputDefinitions ?? null,
          outputDefinitions: component?.outputDefinitions ?? null,
          inputs,
          cacheKey: task.cachingOptions.cacheKey ?? null,
        })
      : null;
    const hit = fingerprint === null ? undefined : env.cached(fingerprint);
    if (hit) return create(dag, key, task, 'CACHED', inputs, 'outputs reused from an earlier run', { outputs: hit, fingerprint });
    return create(dag, key, task, 'PENDING', inputs, null, { fingerprint, jobId: stepJobId(run, run.steps, 1) });
  }
}

/** Seconds from a proto JSON duration (`"3s"`, `"0.5s"`); null when it is not one. */
export function durationSeconds(text: string | undefined): number | null {
  if (text === undefined) return null;
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(text.trim());
  return m ? Number(m[1]) : null;
}

/** The wait before attempt `attempt` (2 for the first retry), by the task's retry policy. */
export function retryBackoff(task: TaskSpec | undefined, attempt: number): number {
  const p = task?.retryPolicy;
  const base = durationSeconds(p?.backoffDuration) ?? 0;
  const factor = p?.backoffFactor ?? 2;
  const max = durationSeconds(p?.backoffMaxDuration) ?? 3600;
  return Math.min(max, base * factor ** Math.max(0, attempt - 2));
}

/**
 * What a container's end changes: success with its outputs, or failure, retried while its policy
 * allows (a new attempt and job after its backoff), else failed for good. Then progress.
 */
export function endContainer(
  run: Run,
  path: string,
  outcome: 'succeeded' | 'failed' | 'canceled',
  outputs: TaskOutputs | undefined,
  message: string | undefined,
  env: ProgressEnv,
): RunChange[] {
  const t = run.tasks.get(path) as TaskRun;
  const spec = taskSpecOf(run, t);
  const out: RunChange[] = [];
  const emit = (c: RunChange) => {
    applyRunChange(run, c, env.at);
    out.push(c);
  };
  if (outcome === 'failed' && run.state !== 'CANCELING' && t.attempt <= (spec?.retryPolicy?.maxRetryCount ?? 0)) {
    const attempt = t.attempt + 1;
    emit({
      type: 'TaskUpdated',
      runId: run.id,
      path,
      state: 'PENDING',
      attempt,
      jobId: stepJobId(run, ordinalOf(t), attempt),
      retryAt: env.at + retryBackoff(spec, attempt),
      message: `attempt ${t.attempt} failed${message ? `: ${message}` : ''}; retrying`,
    });
    return out;
  }
  const state: TaskState = outcome === 'succeeded' ? 'SUCCEEDED' : outcome === 'canceled' ? 'CANCELED' : 'FAILED';
  emit({
    type: 'TaskUpdated',
    runId: run.id,
    path,
    state,
    ...(outputs && outcome === 'succeeded' ? { outputs } : {}),
    ...(message ? { message } : {}),
  });
  return [...out, ...progressRun(run, env, [t.parent as string])];
}

/** A container's ordinal, read back from its first job id. */
function ordinalOf(t: TaskRun): number {
  const m = /:(\d+)\.\d+$/.exec(t.jobId ?? '');
  return m ? Number(m[1]) : 0;
}

/**
 * What a retry of a failed or canceled run resets: every failed or canceled container and
 * importer is forgotten (it runs again), and every DAG and loop holding one is reopened; what
 * succeeded, was cached or skipped stays with its outputs.
 */
export function retryPlan(run: Run): { removed: string[]; reopened: string[] } {
  const removed: string[] = [];
  const reopened: string[] = [];
  const visit = (path: string): boolean => {
    const t = run.tasks.get(path);
    if (!t) return false;
    if (t.state !== 'FAILED' && t.state !== 'CANCELED' && isTaskDone(t.state)) return false;
    if (t.kind === 'container' || t.kind === 'importer') {
      removed.push(path);
      return true;
    }
    // A DAG or loop that failed: its failed parts run again; one that never created a task (an
    // input or condition failure) is forgotten whole.
    if (t.children.length === 0 && t.state === 'FAILED') {
      removed.push(path);
      return true;
    }
    reopened.push(path);
    for (const c of t.children) visit(c);
    return true;
  };
  visit(ROOT);
  return { removed, reopened };
}

/** Forget what a retry resets (retryPlan): removed tasks and their descendants go, reopened ones run again. */
export function applyRetry(run: Run, plan: { removed: readonly string[]; reopened: readonly string[] }, at: number): void {
  const drop = (path: string) => {
    const t = run.tasks.get(path);
    if (!t) return;
    for (const c of t.children) drop(c);
    run.tasks.delete(path);
  };
  for (const path of plan.removed) {
    const t = run.tasks.get(path);
    drop(path);
    const parent = t?.parent ? run.tasks.get(t.parent) : undefined;
    if (parent) run.tasks.set(parent.path, { ...parent, children: parent.children.filter((c) => c !== path) });
  }
  for (const path of plan.reopened) {
    const t = run.tasks.get(path);
    if (t)
      run.tasks.set(path, {
        ...t,
        state: 'RUNNING',
        endedAt: null,
        message: null,
        history: [...t.history, { state: 'RUNNING', at }],
      });
  }
  run.state = 'RUNNING';
  run.finishedAt = null;
  run.history.push({ state: 'RUNNING', at });
  run.retries += 1;
}
