/**
 * A KFP v1 graph component (`implementation.graph`) as a v2 pipeline: each graph task a task of the
 * root DAG, running its sub-component converted as v1-component.ts converts one (a sub-graph becomes a
 * nested DAG). The v2 SDK never converted graphs; the v1 SDK ran them (`_components._resolve_graph_task`),
 * and its meaning is kept:
 *
 * - `componentRef` resolves offline from the component library (component-library.ts): an inline
 *   `spec`, else by `digest`, else by `url`; an unresolved reference is an error naming the task, the
 *   component, the digest and the url;
 * - `arguments` are a graph input (`graphInput`), another task's output (`taskOutput`, which also
 *   orders the tasks: `dependentTasks`) or a constant; a required input without an argument, an
 *   argument for an input the component lacks and a reference typed unlike its input (the v1 SDK's
 *   `_react_to_incompatible_reference_type`) are errors;
 * - `isEnabled` (a v1 predicate: `==`, `!=`, `<`, `<=`, `>`, `>=`, `not`, `and`, `or` over graph inputs,
 *   task outputs and constants) becomes the task's `triggerPolicy.condition`, in the CEL the v2 SDK
 *   writes (cel.ts), its operands passed in as `pipelinechannel--...` input parameters;
 * - `executionOptions.retryStrategy.maxRetries` is `retryPolicy.maxRetryCount`, and a zero
 *   `cachingStrategy.maxCacheStaleness` (`P0D`) turns the cache off;
 * - `outputValues` are the DAG's outputs.
 *
 * In v1 every value passed through a file, so a graph may hand a parameter output (a `Text`) to an
 * input read as a file, or the reverse. The IR keeps the two apart, so the producer's output takes
 * the kind its consumers read it as: its `outputPath` then writes an artifact, or a parameter's
 * `output_file`, which is what the v1 program wrote in either case.
 */
import type { Result } from '../result.js';
import { type ComponentLibrary, emptyLibrary, readYamlDocument, resolveReference } from './component-library.js';
import type {
  ArtifactSpec,
  ComponentSpec,
  DagOutputArtifactSpec,
  DagOutputParameterSpec,
  ExecutorSpec,
  InputArtifactSpec,
  InputParameterSpec,
  JsonValue,
  ParameterSpec,
  ParameterType,
  PipelineSpec,
  TaskSpec,
} from './ir.js';
import {
  artifactTypeOf,
  at,
  castDefault,
  containerElements,
  convertV1Container,
  decodeV1Component,
  type Issues,
  isRecord,
  issue,
  k8sName,
  parameterTypeOf,
  portKinds,
  pythonFloat,
  sanitizeInputName,
  strtobool,
  uniqueName,
  type V1Component,
  type V1Type,
  visitElements,
} from './v1-component.js';

type PortKind = 'parameter' | 'artifact';

/** How deep sub-graphs may nest: deeper is a reference loop no digest check caught. */
const MAX_DEPTH = 16;

interface Builder {
  readonly library: ComponentLibrary;
  readonly components: Record<string, ComponentSpec>;
  readonly executors: Record<string, ExecutorSpec>;
  readonly issues: Issues;
  /** The references being converted, outermost first (a graph that contains itself is an error). */
  readonly stack: string[];
}

/** A v1 graph component, converted with its sub-components resolved from `library`. */
export function v1GraphToPipelineSpec(
  component: V1Component,
  library: ComponentLibrary = emptyLibrary,
): Result<PipelineSpec, { readonly issues: Issues }> {
  const builder: Builder = { library, components: {}, executors: {}, issues: [], stack: [] };
  const root = convertGraph(component, '', builder);
  if (builder.issues.length > 0 || root === undefined) return { ok: false, issues: builder.issues };
  const displayName = component.name ?? 'name';
  const name = k8sName(displayName) || 'pipeline';
  return {
    ok: true,
    value: {
      pipelineInfo: {
        name,
        ...(displayName !== name ? { displayName } : {}),
        ...(component.description === undefined ? {} : { description: component.description }),
      },
      components: builder.components,
      root,
      deploymentSpec: { executors: builder.executors },
      schemaVersion: '2.1.0',
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The graph, read.

type V1Argument =
  | { readonly kind: 'constant'; readonly value: JsonValue }
  | { readonly kind: 'graphInput'; readonly input: string; readonly type?: V1Type }
  | { readonly kind: 'taskOutput'; readonly task: string; readonly output: string; readonly type?: V1Type };

type V1Comparison = { readonly op: '==' | '!=' | '>' | '>=' | '<' | '<='; readonly op1: V1Argument; readonly op2: V1Argument };
type V1Predicate =
  | V1Comparison
  | { readonly op: 'not'; readonly operand: V1Predicate }
  | { readonly op: 'and' | 'or'; readonly op1: V1Predicate; readonly op2: V1Predicate };

const isComparison = (p: V1Predicate): p is V1Comparison => p.op !== 'not' && p.op !== 'and' && p.op !== 'or';

interface V1ComponentRef {
  readonly name?: string;
  readonly digest?: string;
  readonly url?: string;
  readonly tag?: string;
  readonly spec?: unknown;
}

interface V1GraphTask {
  readonly id: string;
  readonly path: string;
  readonly ref: V1ComponentRef;
  readonly arguments: ReadonlyMap<string, { readonly arg: V1Argument; readonly path: string }>;
  readonly isEnabled?: V1Predicate;
  readonly maxRetries?: number;
  readonly maxCacheStaleness?: string;
}

const COMPARISONS = ['==', '!=', '>', '>=', '<', '<='] as const;

function decodeArgument(raw: unknown, path: string, issues: Issues): V1Argument | undefined {
  if (raw === null || typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
    return { kind: 'constant', value: raw };
  }
  if (isRecord(raw) && isRecord(raw.graphInput)) {
    const g = raw.graphInput;
    if (typeof g.inputName !== 'string') {
      issue(issues, at(at(path, 'graphInput'), 'inputName'), 'missing');
      return undefined;
    }
    return { kind: 'graphInput', input: g.inputName, ...(isType(g.type) ? { type: g.type } : {}) };
  }
  if (isRecord(raw) && isRecord(raw.taskOutput)) {
    const t = raw.taskOutput;
    const tPath = at(path, 'taskOutput');
    if (typeof t.taskId !== 'string') issue(issues, at(tPath, 'taskId'), 'missing');
    if (typeof t.outputName !== 'string') issue(issues, at(tPath, 'outputName'), 'missing');
    if (typeof t.taskId !== 'string' || typeof t.outputName !== 'string') return undefined;
    return { kind: 'taskOutput', task: t.taskId, output: t.outputName, ...(isType(t.type) ? { type: t.type } : {}) };
  }
  issue(issues, path, 'expected a constant, a graphInput or a taskOutput');
  return undefined;
}

const isType = (u: unknown): u is V1Type => typeof u === 'string' || isRecord(u);

function decodePredicate(raw: unknown, path: string, issues: Issues): V1Predicate | undefined {
  if (!isRecord(raw) || Object.keys(raw).length !== 1) {
    issue(issues, path, `expected one of ${[...COMPARISONS, 'not', 'and', 'or'].join(', ')}`);
    return undefined;
  }
  const [op, body] = Object.entries(raw)[0] as [string, unknown];
  const oPath = at(path, op);
  if (op === 'not') {
    const operand = decodePredicate(body, oPath, issues);
    return operand && { op, operand };
  }
  if (!isRecord(body) || !('op1' in body) || !('op2' in body)) {
    issue(issues, oPath, 'expected op1 and op2');
    return undefined;
  }
  if (op === 'and' || op === 'or') {
    const op1 = decodePredicate(body.op1, at(oPath, 'op1'), issues);
    const op2 = decodePredicate(body.op2, at(oPath, 'op2'), issues);
    return op1 && op2 && { op, op1, op2 };
  }
  if ((COMPARISONS as readonly string[]).includes(op)) {
    const op1 = decodeArgument(body.op1, at(oPath, 'op1'), issues);
    const op2 = decodeArgument(body.op2, at(oPath, 'op2'), issues);
    return op1 && op2 && { op: op as (typeof COMPARISONS)[number], op1, op2 };
  }
  issue(issues, path, `unknown predicate '${op}'`);
  return undefined;
}

function decodeTasks(
  raw: unknown,
  path: string,
  issues: Issues,
): { tasks: V1GraphTask[]; outputValues: Map<string, { arg: V1Argument; path: string }> } {
  const tasks: V1GraphTask[] = [];
  const outputValues = new Map<string, { arg: V1Argument; path: string }>();
  if (!isRecord(raw)) {
    issue(issues, path, 'must be a mapping with tasks');
    return { tasks, outputValues };
  }
  const tasksPath = at(path, 'tasks');
  if (!isRecord(raw.tasks))
    issue(issues, tasksPath, raw.tasks === undefined ? 'missing' : 'must be a mapping of task names to tasks');
  for (const [id, t] of Object.entries(isRecord(raw.tasks) ? raw.tasks : {})) {
    const tPath = at(tasksPath, id);
    if (!isRecord(t)) {
      issue(issues, tPath, 'must be a mapping');
      continue;
    }
    const refPath = at(tPath, 'componentRef');
    const rawRef = t.componentRef;
    let ref: V1ComponentRef = {};
    if (!isRecord(rawRef)) issue(issues, refPath, 'missing');
    else {
      for (const k of ['name', 'digest', 'url', 'tag'] as const) {
        const v = rawRef[k];
        if (v !== undefined && v !== null && typeof v !== 'string') issue(issues, at(refPath, k), 'must be a string');
      }
      ref = {
        ...(typeof rawRef.name === 'string' ? { name: rawRef.name } : {}),
        ...(typeof rawRef.digest === 'string' ? { digest: rawRef.digest } : {}),
        ...(typeof rawRef.url === 'string' ? { url: rawRef.url } : {}),
        ...(typeof rawRef.tag === 'string' ? { tag: rawRef.tag } : {}),
        ...(rawRef.spec !== undefined && rawRef.spec !== null ? { spec: rawRef.spec } : {}),
      };
      if (Object.keys(ref).length === 0) issue(issues, refPath, 'needs a name, digest, url or spec');
    }
    const args = new Map<string, { arg: V1Argument; path: string }>();
    if (t.arguments !== undefined && t.arguments !== null && !isRecord(t.arguments)) {
      issue(issues, at(tPath, 'arguments'), 'must be a mapping of inputs to arguments');
    }
    for (const [input, a] of Object.entries(isRecord(t.arguments) ? t.arguments : {})) {
      const aPath = at(at(tPath, 'arguments'), input);
      const arg = decodeArgument(a, aPath, issues);
      if (arg) args.set(input, { arg, path: aPath });
    }
    const isEnabled =
      t.isEnabled === undefined || t.isEnabled === null
        ? undefined
        : decodePredicate(t.isEnabled, at(tPath, 'isEnabled'), issues);
    const options = isRecord(t.executionOptions) ? t.executionOptions : {};
    const retry = isRecord(options.retryStrategy) ? options.retryStrategy.maxRetries : undefined;
    if (retry !== undefined && (typeof retry !== 'number' || !Number.isInteger(retry) || retry < 0)) {
      issue(issues, at(at(at(tPath, 'executionOptions'), 'retryStrategy'), 'maxRetries'), 'must be a non-negative integer');
    }
    const staleness = isRecord(options.cachingStrategy) ? options.cachingStrategy.maxCacheStaleness : undefined;
    if (staleness !== undefined && staleness !== null && typeof staleness !== 'string') {
      issue(
        issues,
        at(at(at(tPath, 'executionOptions'), 'cachingStrategy'), 'maxCacheStaleness'),
        'must be an RFC 3339 duration',
      );
    }
    tasks.push({
      id,
      path: tPath,
      ref,
      arguments: args,
      ...(isEnabled ? { isEnabled } : {}),
      ...(typeof retry === 'number' ? { maxRetries: retry } : {}),
      ...(typeof staleness === 'string' ? { maxCacheStaleness: staleness } : {}),
    });
  }
  if (raw.outputValues !== undefined && raw.outputValues !== null) {
    if (!isRecord(raw.outputValues)) issue(issues, at(path, 'outputValues'), 'must be a mapping of outputs to task outputs');
    for (const [name, v] of Object.entries(isRecord(raw.outputValues) ? raw.outputValues : {})) {
      const vPath = at(at(path, 'outputValues'), name);
      const arg = decodeArgument(v, vPath, issues);
      if (arg && arg.kind !== 'taskOutput') issue(issues, vPath, 'an output value must be a taskOutput');
      else if (arg) outputValues.set(name, { arg, path: vPath });
    }
  }
  return { tasks, outputValues };
}

/** An ISO 8601 / RFC 3339 duration of zero length (`P0D`, `PT0S`, `P0Y0M0DT0H0M0S`). */
const isZeroDuration = (d: string): boolean => /^P(?=.*\d)(0+[YMWD])*(T(0+(\.0+)?[HMS])*)?$/i.test(d.trim());

// ---------------------------------------------------------------------------------------------
// The conversion.

/** A task's sub-component, resolved and read. */
interface Resolved {
  readonly component: V1Component;
  /** Where its issues are reported. */
  readonly path: string;
  /** Its identity for loop detection: digest, url or inline. */
  readonly key: string;
}

function resolveTask(task: V1GraphTask, builder: Builder): Resolved | undefined {
  const refPath = at(task.path, 'componentRef');
  const { ref } = task;
  let raw: unknown;
  let key: string;
  if (ref.spec !== undefined) {
    raw = ref.spec;
    key = `spec:${task.path}`;
  } else {
    const found = resolveReference(builder.library, ref);
    if (found === undefined) {
      const what = [
        `task '${task.id}'`,
        ref.name === undefined ? undefined : `component '${ref.name}'`,
        ref.digest === undefined ? undefined : `digest ${ref.digest}`,
        ref.url === undefined ? undefined : `url ${ref.url}`,
      ].filter((x) => x !== undefined);
      issue(builder.issues, refPath, `not in the component library: ${what.join(', ')}`);
      return undefined;
    }
    key = ref.digest ?? ref.url ?? '';
    const read = readYamlDocument(found.text);
    if (!read.ok) {
      issue(builder.issues, refPath, `the library's file for this reference is not YAML: ${read.message}`);
      return undefined;
    }
    raw = read.value;
  }
  const specPath = at(refPath, 'spec');
  const decoded = decodeV1Component(raw, specPath);
  if (!decoded.ok) {
    builder.issues.push(...decoded.issues);
    return undefined;
  }
  return { component: decoded.value, path: specPath, key };
}

/** The v1 type of an input or output of a component, by its original name. */
const typeOfPort = (ports: readonly { name: string; type?: V1Type }[], name: string): V1Type | undefined =>
  ports.find((p) => p.name === name)?.type;

const sameType = (a: V1Type, b: V1Type): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A graph (the root or a sub-graph) as a component with a DAG; its sub-components go to the builder. */
function convertGraph(component: V1Component, path: string, builder: Builder): ComponentSpec | undefined {
  const { issues } = builder;
  if (!('graph' in component.implementation)) return undefined;
  if (builder.stack.length > MAX_DEPTH) {
    issue(issues, path, `graphs nest deeper than ${MAX_DEPTH}: a component that contains itself?`);
    return undefined;
  }
  const graphPath = at(at(path, 'implementation'), 'graph');
  const { tasks, outputValues } = decodeTasks(component.implementation.graph, graphPath, issues);
  const byId = new Map(tasks.map((t) => [t.id, t]));

  // 1. Every sub-component, resolved; a sub-graph converted first (its interface decides its kinds).
  const resolved = new Map<string, Resolved>();
  const subGraphs = new Map<string, ComponentSpec>();
  for (const task of tasks) {
    const r = resolveTask(task, builder);
    if (!r) continue;
    resolved.set(task.id, r);
    if ('graph' in r.component.implementation) {
      if (builder.stack.includes(r.key)) {
        issue(issues, at(task.path, 'componentRef'), `the graph contains itself (${[...builder.stack, r.key].join(' -> ')})`);
        continue;
      }
      builder.stack.push(r.key);
      const sub = convertGraph(r.component, r.path, builder);
      builder.stack.pop();
      if (sub) subGraphs.set(task.id, sub);
    }
  }

  // 2. The kind of every port: containers' by use, sub-graphs' by their interface.
  const inputKind = (taskId: string, input: string): PortKind | undefined => {
    const sub = subGraphs.get(taskId);
    const name = sanitizeInputName(input);
    if (sub)
      return sub.inputDefinitions?.parameters?.[name]
        ? 'parameter'
        : sub.inputDefinitions?.artifacts?.[name]
          ? 'artifact'
          : undefined;
    const r = resolved.get(taskId);
    return r ? portKinds(r.component).inputs.get(input) : undefined;
  };
  const baseOutputKind = (taskId: string, output: string): PortKind | undefined => {
    const sub = subGraphs.get(taskId);
    const name = sanitizeInputName(output);
    if (sub)
      return sub.outputDefinitions?.parameters?.[name]
        ? 'parameter'
        : sub.outputDefinitions?.artifacts?.[name]
          ? 'artifact'
          : undefined;
    const r = resolved.get(taskId);
    return r ? portKinds(r.component).outputs.get(output) : undefined;
  };

  // What each producer output and graph input is read as, from every reader.
  const wantedOutput = new Map<string, Map<string, { kind: PortKind; path: string }>>();
  const wantedInput = new Map<string, { kind: PortKind; path: string }>();
  const graphInputs = new Map(component.inputs.map((i) => [i.name, i]));
  const want = (arg: V1Argument, kind: PortKind, path: string): void => {
    if (arg.kind === 'graphInput') {
      const prior = wantedInput.get(arg.input);
      if (prior && prior.kind !== kind) {
        issue(
          issues,
          path,
          `graph input '${arg.input}' is read as ${article(kind)} here and as ${article(prior.kind)} at ${prior.path}`,
        );
      } else wantedInput.set(arg.input, { kind, path });
    }
    if (arg.kind === 'taskOutput') {
      const outputs = wantedOutput.get(arg.task) ?? new Map<string, { kind: PortKind; path: string }>();
      wantedOutput.set(arg.task, outputs);
      const prior = outputs.get(arg.output);
      if (prior && prior.kind !== kind) {
        issue(
          issues,
          path,
          `output '${arg.output}' of task '${arg.task}' is read as ${article(kind)} here and as ${article(prior.kind)} at ${prior.path}`,
        );
      } else outputs.set(arg.output, { kind, path });
    }
  };

  for (const task of tasks) {
    const r = resolved.get(task.id);
    for (const [input, { arg, path: aPath }] of task.arguments) {
      if (arg.kind === 'taskOutput') checkTaskOutput(arg, aPath, byId, resolved, issues);
      if (arg.kind === 'graphInput' && !graphInputs.has(arg.input)) {
        issue(issues, at(aPath, 'graphInput'), `no input '${arg.input}' in the graph's inputs`);
      }
      if (!r) continue;
      const inputSpec = r.component.inputs.find((i) => i.name === input);
      if (!inputSpec) {
        issue(issues, aPath, `component '${r.component.name ?? task.id}' has no input '${input}'`);
        continue;
      }
      // The v1 SDK refused a reference typed unlike the input it feeds.
      const refType = arg.kind === 'constant' ? undefined : (arg.type ?? referenceType(arg, resolved));
      if (refType !== undefined && inputSpec.type !== undefined && !sameType(refType, inputSpec.type)) {
        issue(
          issues,
          aPath,
          `argument of type ${JSON.stringify(refType)} passed to the input '${input}' of type ${JSON.stringify(inputSpec.type)}`,
        );
      }
      const kind = inputKind(task.id, input);
      if (kind === undefined) continue;
      if (arg.kind === 'constant' && kind === 'artifact') {
        issue(issues, aPath, `input '${input}' is read as a file (an artifact), which a constant cannot be in the v2 IR`);
      }
      want(arg, kind, aPath);
    }
    for (const input of r?.component.inputs ?? []) {
      if (!task.arguments.has(input.name) && !input.optional && input.default === undefined) {
        issue(issues, at(task.path, 'arguments'), `the required input '${input.name}' has no argument`);
      }
    }
    if (task.isEnabled) {
      for (const { arg, path: oPath } of predicateOperands(task.isEnabled, at(task.path, 'isEnabled'))) {
        if (arg.kind === 'taskOutput') checkTaskOutput(arg, oPath, byId, resolved, issues);
        if (arg.kind === 'graphInput' && !graphInputs.has(arg.input)) {
          issue(issues, at(oPath, 'graphInput'), `no input '${arg.input}' in the graph's inputs`);
        }
        if (arg.kind !== 'constant') want(arg, 'parameter', oPath);
      }
    }
  }
  for (const [, { arg, path: vPath }] of outputValues) {
    if (arg.kind === 'taskOutput') checkTaskOutput(arg, vPath, byId, resolved, issues);
  }

  // 3. Producers' outputs take the kind their readers need (containers only: a sub-graph's is fixed).
  const overrides = new Map<string, Map<string, PortKind>>();
  for (const [taskId, outputs] of wantedOutput) {
    const r = resolved.get(taskId);
    if (!r) continue;
    for (const [output, { kind, path: wPath }] of outputs) {
      const base = baseOutputKind(taskId, output);
      if (base === undefined || base === kind) continue;
      if (subGraphs.has(taskId) || usesOutputUri(r.component, output)) {
        issue(issues, wPath, `output '${output}' of task '${taskId}' is ${article(base)} and cannot be read as ${article(kind)}`);
        continue;
      }
      const o = overrides.get(taskId) ?? new Map<string, PortKind>();
      o.set(output, kind);
      overrides.set(taskId, o);
    }
  }
  const outputKind = (taskId: string, output: string): PortKind | undefined =>
    overrides.get(taskId)?.get(output) ?? baseOutputKind(taskId, output);

  // 4. Names: tasks, components and executors, unique as the SDK makes them.
  const taskNames = new Map<string, string>();
  const usedTaskNames = new Set<string>();
  for (const task of tasks) {
    const name = uniqueName(k8sName(task.id) || 'task', usedTaskNames);
    usedTaskNames.add(name);
    taskNames.set(task.id, name);
  }

  // 5. Each task.
  const dagTasks: Record<string, TaskSpec> = {};
  for (const task of tasks) {
    const r = resolved.get(task.id);
    const taskName = taskNames.get(task.id) as string;
    if (!r) continue;
    const base = k8sName(r.component.name ?? task.id) || 'component';
    const componentName = uniqueName(`comp-${base}`, new Set(Object.keys(builder.components)));
    const sub = subGraphs.get(task.id);
    let componentSpec: ComponentSpec | undefined = sub;
    if (!sub && 'container' in r.component.implementation) {
      const executorLabel = uniqueName(`exec-${base}`, new Set(Object.keys(builder.executors)));
      const converted = convertV1Container(r.component, executorLabel, r.path, overrides.get(task.id));
      if (!converted.ok) {
        issues.push(...converted.issues);
        continue;
      }
      builder.executors[executorLabel] = { container: converted.value.container };
      componentSpec = converted.value.component;
    }
    if (!componentSpec) continue;
    builder.components[componentName] = componentSpec;

    const parameters: Record<string, InputParameterSpec> = {};
    const artifacts: Record<string, InputArtifactSpec> = {};
    const producers = new Set<string>();
    for (const [input, { arg, path: aPath }] of task.arguments) {
      const kind = inputKind(task.id, input);
      const name = sanitizeInputName(input);
      if (kind === undefined) continue;
      if (arg.kind === 'constant') {
        if (kind === 'parameter') {
          const type = componentSpec.inputDefinitions?.parameters?.[name]?.parameterType ?? 'STRING';
          const cast = arg.value === null ? { ok: true as const, value: null } : castDefault(type, arg.value);
          if (!cast.ok) issue(issues, aPath, cast.message.replace(/^default/, 'argument'));
          else parameters[name] = { runtimeValue: { constant: cast.value } };
        }
      } else if (arg.kind === 'graphInput') {
        if (kind === 'parameter') parameters[name] = { componentInputParameter: sanitizeInputName(arg.input) };
        else artifacts[name] = { componentInputArtifact: sanitizeInputName(arg.input) };
      } else {
        const producer = taskNames.get(arg.task);
        if (producer === undefined) continue;
        producers.add(producer);
        const key = sanitizeInputName(arg.output);
        if (kind === 'parameter') parameters[name] = { taskOutputParameter: { producerTask: producer, outputParameterKey: key } };
        else artifacts[name] = { taskOutputArtifact: { producerTask: producer, outputArtifactKey: key } };
      }
    }

    let condition: string | undefined;
    if (task.isEnabled) {
      const channels = new Map<string, InputParameterSpec>();
      condition = predicateToCel(task.isEnabled, at(task.path, 'isEnabled'), {
        issues,
        channel: (arg) => {
          if (arg.kind === 'graphInput') {
            const name = `pipelinechannel--${sanitizeInputName(arg.input)}`;
            channels.set(name, { componentInputParameter: sanitizeInputName(arg.input) });
            return { name, type: parameterTypeOf(graphInputs.get(arg.input)?.type) };
          }
          if (arg.kind === 'taskOutput') {
            const producer = taskNames.get(arg.task);
            const key = sanitizeInputName(arg.output);
            const name = `pipelinechannel--${producer}-${key}`;
            if (producer !== undefined) {
              producers.add(producer);
              channels.set(name, { taskOutputParameter: { producerTask: producer, outputParameterKey: key } });
            }
            const r2 = resolved.get(arg.task);
            return { name, type: parameterTypeOf(r2 ? typeOfPort(r2.component.outputs, arg.output) : undefined) };
          }
          return undefined;
        },
      });
      for (const [name, spec] of channels) parameters[name] = spec;
    }

    const enableCache = !(task.maxCacheStaleness !== undefined && isZeroDuration(task.maxCacheStaleness));
    dagTasks[taskName] = {
      taskInfo: { name: task.id },
      componentRef: { name: componentName },
      ...(Object.keys(parameters).length > 0 || Object.keys(artifacts).length > 0
        ? {
            inputs: {
              ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
              ...(Object.keys(artifacts).length > 0 ? { artifacts } : {}),
            },
          }
        : {}),
      ...(producers.size > 0 ? { dependentTasks: [...producers].sort() } : {}),
      cachingOptions: { enableCache },
      ...(condition === undefined ? {} : { triggerPolicy: { condition } }),
      ...(task.maxRetries === undefined ? {} : { retryPolicy: { maxRetryCount: task.maxRetries } }),
    };
  }

  // 6. The graph's interface: inputs as their readers read them, outputs as their producers write them.
  const inputParameters: Record<string, ParameterSpec> = {};
  const inputArtifacts: Record<string, ArtifactSpec> = {};
  component.inputs.forEach((input, i) => {
    const name = sanitizeInputName(input.name);
    const byType: PortKind = parameterTypeOf(input.type) === undefined ? 'artifact' : 'parameter';
    const wanted = wantedInput.get(input.name);
    const kind = wanted?.kind ?? byType;
    // A value (an Integer, a String) cannot be handed to a task as a file: v1 wrote it into one, the
    // IR has no such step. The other way is fine: a file's input given as a value is a string.
    if (wanted?.kind === 'artifact' && byType === 'parameter') {
      issue(
        issues,
        wanted.path,
        `graph input '${input.name}' is a value (${JSON.stringify(input.type)}) but is read here as a file`,
      );
    }
    const optional = input.optional || input.default !== undefined;
    const description = input.description === undefined ? {} : { description: input.description };
    if (kind === 'parameter') {
      const parameterType: ParameterType = parameterTypeOf(input.type) ?? 'STRING';
      let defaultValue: JsonValue | undefined;
      if (input.default !== undefined) {
        const cast = castDefault(parameterType, input.default);
        if (cast.ok) defaultValue = cast.value;
        else issue(issues, at(at(at(path, 'inputs'), i), 'default'), cast.message);
      }
      inputParameters[name] = {
        parameterType,
        ...(defaultValue === undefined ? {} : { defaultValue }),
        ...(optional ? { isOptional: true } : {}),
        ...description,
      };
    } else {
      inputArtifacts[name] = {
        artifactType: artifactTypeOf(input.type),
        ...(optional ? { isOptional: true } : {}),
        ...description,
      };
    }
  });

  const outputParameters: Record<string, ParameterSpec> = {};
  const outputArtifacts: Record<string, ArtifactSpec> = {};
  const dagParameters: Record<string, DagOutputParameterSpec> = {};
  const dagArtifacts: Record<string, DagOutputArtifactSpec> = {};
  for (const [output, { arg }] of outputValues) {
    if (arg.kind !== 'taskOutput') continue;
    const producer = taskNames.get(arg.task);
    const producerComponent = dagTasks[producer ?? '']?.componentRef.name;
    const defs = producerComponent === undefined ? undefined : builder.components[producerComponent]?.outputDefinitions;
    const key = sanitizeInputName(arg.output);
    const name = sanitizeInputName(output);
    if (producer === undefined || defs === undefined) continue;
    if (outputKind(arg.task, arg.output) === 'parameter') {
      const def = defs.parameters?.[key];
      if (!def) continue;
      outputParameters[name] = { parameterType: def.parameterType };
      dagParameters[name] = { valueFromParameter: { producerSubtask: producer, outputParameterKey: key } };
    } else {
      const def = defs.artifacts?.[key];
      if (!def) continue;
      outputArtifacts[name] = { artifactType: def.artifactType };
      dagArtifacts[name] = { artifactSelectors: [{ producerSubtask: producer, outputArtifactKey: key }] };
    }
  }

  const iface = (parameters: Record<string, unknown>, artifacts: Record<string, unknown>) =>
    Object.keys(parameters).length > 0 || Object.keys(artifacts).length > 0
      ? {
          ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
          ...(Object.keys(artifacts).length > 0 ? { artifacts } : {}),
        }
      : undefined;
  const inputDefinitions = iface(inputParameters, inputArtifacts);
  const outputDefinitions = iface(outputParameters, outputArtifacts);
  const dagOutputs = iface(dagParameters, dagArtifacts);
  return {
    ...(inputDefinitions ? { inputDefinitions } : {}),
    ...(outputDefinitions ? { outputDefinitions } : {}),
    dag: { tasks: dagTasks, ...(dagOutputs ? { outputs: dagOutputs } : {}) },
  } as ComponentSpec;
}

const article = (kind: PortKind): string => (kind === 'artifact' ? 'an artifact (a file)' : 'a parameter (a value)');

function usesOutputUri(component: V1Component, output: string): boolean {
  if (!('container' in component.implementation)) return false;
  let found = false;
  visitElements(containerElements(component.implementation.container), (e) => {
    if (e.kind === 'outputUri' && e.output === output) found = true;
  });
  return found;
}

/** A taskOutput names a task of the graph and an output its component has. */
function checkTaskOutput(
  arg: Extract<V1Argument, { kind: 'taskOutput' }>,
  path: string,
  byId: ReadonlyMap<string, V1GraphTask>,
  resolved: ReadonlyMap<string, Resolved>,
  issues: Issues,
): void {
  const tPath = at(path, 'taskOutput');
  if (!byId.has(arg.task)) {
    issue(issues, at(tPath, 'taskId'), `no task '${arg.task}' in the graph`);
    return;
  }
  const r = resolved.get(arg.task);
  if (r && !r.component.outputs.some((o) => o.name === arg.output)) {
    issue(
      issues,
      at(tPath, 'outputName'),
      `task '${arg.task}' (component '${r.component.name ?? arg.task}') has no output '${arg.output}'`,
    );
  }
}

/** The type of what a reference points at, when the reference does not say. */
function referenceType(arg: V1Argument, resolved: ReadonlyMap<string, Resolved>): V1Type | undefined {
  if (arg.kind !== 'taskOutput') return undefined; // a graph input is compared by its reference's own type only
  const r = resolved.get(arg.task);
  return r ? typeOfPort(r.component.outputs, arg.output) : undefined;
}

function predicateOperands(p: V1Predicate, path: string): { arg: V1Argument; path: string }[] {
  if (p.op === 'not') return predicateOperands(p.operand, at(path, 'not'));
  if (!isComparison(p)) {
    return [...predicateOperands(p.op1, at(at(path, p.op), 'op1')), ...predicateOperands(p.op2, at(at(path, p.op), 'op2'))];
  }
  return [
    { arg: p.op1, path: at(at(path, p.op), 'op1') },
    { arg: p.op2, path: at(at(path, p.op), 'op2') },
  ];
}

interface CelContext {
  readonly issues: Issues;
  /** The task input a graph input or task output is read through, and its parameter type. */
  readonly channel: (arg: V1Argument) => { readonly name: string; readonly type: ParameterType | undefined } | undefined;
}

/**
 * A v1 predicate in the CEL the v2 SDK writes for conditions (pipeline_spec_builder.py,
 * `_single_binary_operation_to_cel_condition`): a channel is `inputs.parameter_values['name']`, wrapped
 * in `int()` when integers are compared and in `double()` when a float is; strings are quoted.
 */
function predicateToCel(p: V1Predicate, path: string, ctx: CelContext): string | undefined {
  if (p.op === 'not') {
    const inner = predicateToCel(p.operand, at(path, 'not'), ctx);
    return inner === undefined ? undefined : `!(${inner})`;
  }
  if (!isComparison(p)) {
    const a = predicateToCel(p.op1, at(at(path, p.op), 'op1'), ctx);
    const b = predicateToCel(p.op2, at(at(path, p.op), 'op2'), ctx);
    return a === undefined || b === undefined ? undefined : `(${a}) ${p.op === 'and' ? '&&' : '||'} (${b})`;
  }
  const operands = [p.op1, p.op2].map((arg) =>
    arg.kind === 'constant' ? { arg, channel: undefined } : { arg, channel: ctx.channel(arg) },
  );
  const numeric = (o: (typeof operands)[number]): 'int' | 'double' | undefined => {
    if (o.channel) return o.channel.type === 'NUMBER_INTEGER' ? 'int' : o.channel.type === 'NUMBER_DOUBLE' ? 'double' : undefined;
    const v = (o.arg as { value: JsonValue }).value;
    if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
    return undefined;
  };
  const kinds = operands.map(numeric);
  const isBool = operands.some((o) =>
    o.channel ? o.channel.type === 'BOOLEAN' : typeof (o.arg as { value?: JsonValue }).value === 'boolean',
  );
  const mode = kinds.includes('double') ? 'double' : kinds.includes('int') ? 'int' : isBool ? 'bool' : 'string';
  const terms = operands.map((o, i) => {
    const oPath = at(at(path, p.op), i === 0 ? 'op1' : 'op2');
    if (o.channel) {
      const ref = `inputs.parameter_values['${o.channel.name}']`;
      return mode === 'int' ? `int(${ref})` : mode === 'double' ? `double(${ref})` : ref;
    }
    if (o.arg.kind !== 'constant') return undefined;
    const v = o.arg.value;
    if (mode === 'int' || mode === 'double') {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
      if (!Number.isFinite(n) || (mode === 'int' && !Number.isInteger(n))) {
        issue(
          ctx.issues,
          oPath,
          `${JSON.stringify(v)} is compared with a number but is not ${mode === 'int' ? 'an integer' : 'a number'}`,
        );
        return undefined;
      }
      return mode === 'int' ? String(n) : pythonFloat(n);
    }
    if (mode === 'bool') {
      const b = typeof v === 'boolean' ? v : typeof v === 'string' ? strtobool(v) : undefined;
      if (b === undefined) {
        issue(ctx.issues, oPath, `${JSON.stringify(v)} is compared with a boolean but is not one`);
        return undefined;
      }
      return b ? 'true' : 'false';
    }
    const s = typeof v === 'string' ? v : v === null ? '' : String(v);
    return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  });
  if (terms.some((t) => t === undefined)) return undefined;
  return `${terms[0]} ${p.op} ${terms[1]}`;
}
