/**
 * An uploaded pipeline file, read: YAML or JSON, as the KFP SDK writes it (a compiled v2 pipeline with
 * its comment header and, as a second YAML document, the `platforms:` spec), or a v1 `component.yaml`
 * (one step) or v1 graph component (v1-component.ts, v1-graph.ts); a job file that wraps the IR
 * (`pipelineSpec`, `pipeline_spec` with `platform_spec`) is read inside. The result is the IR (ir.ts) the
 * run executor knows, checked for everything the executor relies on: every reference between
 * tasks, components, executors and DAG inputs resolves, DAGs have no cycles, every value has the
 * shape the proto gives it. Every fault is reported at once, each with the path of its field
 * (`root.dag.tasks.consume-ids.componentRef.name`), so a user fixes a file in one go.
 *
 * Fields this file does not know are kept as they are and not checked: a file from a newer SDK loads.
 */
import { loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import type { Result } from '../result.js';
import { parseCondition, referencedParameters } from './cel.js';
import type { ComponentLibrary } from './component-library.js';
import { PARAMETER_TYPES, type ParsedPipeline, type PipelineSpec, type PlatformSpec, TRIGGER_STRATEGIES } from './ir.js';
import { isQuantity, PVC_ACCESS_MODES } from './platform-ops.js';
import {
  at,
  decodeV1Component,
  type Issues,
  isRecord,
  issue,
  looksLikeV1Component,
  v1ComponentToPipelineSpec,
} from './v1-component.js';
import { v1GraphToPipelineSpec } from './v1-graph.js';

/** One fault of a file: where (a dotted path of fields; empty for the whole file) and what. */
export interface PipelineIssue {
  readonly path: string;
  readonly message: string;
}

export type ParseResult = Result<ParsedPipeline, { readonly issues: readonly PipelineIssue[] }>;

/** `path: message`, one a line: the faults as a user reads them. */
export const formatPipelineIssues = (issues: readonly PipelineIssue[]): string =>
  issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('\n');

/**
 * Read a pipeline file. `library` resolves the `componentRef`s of a v1 graph component (by digest,
 * then by url); without it every reference of a graph is unresolved.
 */
export function parsePipelineFile(text: string, library?: ComponentLibrary): ParseResult {
  const fail = (issues: Issues): ParseResult => ({ ok: false, issues });
  if (text.trim() === '') return fail([{ path: '', message: 'the file is empty' }]);

  const docs = readDocuments(text);
  if (!docs.ok) return docs;
  const [first, ...rest] = docs.value;
  if (first === undefined || first === null) return fail([{ path: '', message: 'the file holds no pipeline' }]);
  if (!isRecord(first)) {
    return fail([
      { path: '', message: `a pipeline file must be a mapping, not ${Array.isArray(first) ? 'a list' : `a ${typeof first}`}` },
    ]);
  }

  if (looksLikeV1Component(first)) {
    if (rest.some((d) => d !== null && d !== undefined)) {
      return fail([{ path: '', message: 'a v1 component file holds one YAML document' }]);
    }
    return parseV1(first, library);
  }

  const issues: Issues = [];
  let platform = readPlatform(rest, issues);
  // A job file (Vertex's `{pipelineSpec, runtimeConfig}`, the KFP API's `pipeline_spec` with its
  // `platform_spec`) wraps the IR: it is read inside, its paths prefixed.
  const wrapperKey = ['pipelineSpec', 'pipeline_spec'].find((k) => isRecord(first[k]));
  const spec = wrapperKey === undefined ? first : (first[wrapperKey] as Record<string, unknown>);
  const prefix = (list: readonly PipelineIssue[]): PipelineIssue[] =>
    wrapperKey === undefined ? [...list] : list.map((i) => ({ path: at(wrapperKey, i.path), message: i.message }));
  if (wrapperKey !== undefined) {
    const platformKey = ['platformSpec', 'platform_spec'].find((k) => first[k] !== undefined && first[k] !== null);
    if (platformKey !== undefined) {
      if (platform !== null) issue(issues, platformKey, 'a second platform spec');
      else if (!isRecord(first[platformKey])) issue(issues, platformKey, 'must be a mapping');
      else {
        const inner = first[platformKey] as Record<string, unknown>;
        platform = (isRecord(inner.platforms) ? inner.platforms : inner) as PlatformSpec;
      }
    }
  }
  if (!['pipelineInfo', 'root', 'components', 'deploymentSpec', 'schemaVersion'].some((k) => k in spec)) {
    issue(
      issues,
      '',
      'not a pipeline: expected a compiled KFP pipeline (pipelineInfo, root, components, deploymentSpec, schemaVersion) or a v1 component (implementation)',
    );
    return fail(issues);
  }
  issues.push(...prefix(validatePipelineSpec(spec)));
  if (platform !== null) issues.push(...validatePlatformSpec(platform, spec));
  if (issues.length > 0) return fail(issues);
  return { ok: true, value: { spec: spec as unknown as PipelineSpec, platform, format: 'v2' } };
}

/**
 * Every YAML document of the file as plain values (JSON is YAML too). The `yaml` library reads by
 * the YAML 1.2 spec and says where a fault is; a file it refuses that PyYAML and Go's yaml (what KFP
 * itself reads with) accept, such as a quoted scalar continued at its sequence's indentation after
 * a reformatting, is read by js-yaml as they read it. Only a file both refuse is refused, with the
 * strict reader's first complaint.
 */
function readDocuments(text: string): Result<unknown[], { readonly issues: readonly PipelineIssue[] }> {
  const refuse = (message: string) => ({ ok: false as const, issues: [{ path: '', message: `not YAML or JSON: ${message}` }] });
  let firstFault: string | undefined;
  try {
    const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
    if (!Array.isArray(docs)) return { ok: true, value: [] };
    // A parser's first error is the fault; the ones after it are mostly its echoes.
    firstFault = docs.flatMap((d) => d.errors)[0]?.message.split('\n')[0];
    if (firstFault === undefined) return { ok: true, value: docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown) };
  } catch (error) {
    firstFault = String(error);
  }
  try {
    return { ok: true, value: loadAll(text) };
  } catch {
    return refuse(firstFault);
  }
}

/** The `platforms:` document after the pipeline, if there is one. */
function readPlatform(rest: readonly unknown[], issues: Issues): PlatformSpec | null {
  let platform: PlatformSpec | null = null;
  rest.forEach((doc, i) => {
    const path = `(document ${i + 2})`;
    if (doc === null || doc === undefined) return;
    if (!isRecord(doc) || !('platforms' in doc)) {
      issue(issues, path, 'expected the platform spec (`platforms:`) after the pipeline');
      return;
    }
    if (platform !== null) {
      issue(issues, path, 'a second platform spec');
      return;
    }
    if (!isRecord(doc.platforms)) {
      issue(issues, 'platforms', 'must be a mapping');
      return;
    }
    platform = doc.platforms as PlatformSpec;
  });
  return platform;
}

function parseV1(doc: Record<string, unknown>, library: ComponentLibrary | undefined): ParseResult {
  const decoded = decodeV1Component(doc);
  const issues: Issues = decoded.ok ? [] : [...decoded.issues];
  if (typeof doc.name !== 'string' || doc.name.trim() === '') issue(issues, 'name', 'missing');
  if (!decoded.ok || issues.length > 0) return { ok: false, issues };
  const component = decoded.value;
  const isGraph = 'graph' in component.implementation;
  const spec = isGraph ? v1GraphToPipelineSpec(component, library) : v1ComponentToPipelineSpec(component);
  if (!spec.ok) return spec;
  // The conversion's output is checked as an uploaded IR is: a fault here is the converter's.
  const more = validatePipelineSpec(spec.value as unknown as Record<string, unknown>);
  if (more.length > 0) return { ok: false, issues: more };
  return { ok: true, value: { spec: spec.value, platform: null, format: isGraph ? 'v1-graph' : 'v1-component' } };
}

// ---------------------------------------------------------------------------------------------
// The v2 IR, checked.

const isNonEmptyString = (u: unknown): u is string => typeof u === 'string' && u !== '';
const PARAMETER_TYPE_SET: ReadonlySet<string> = new Set(PARAMETER_TYPES);
const TRIGGER_STRATEGY_SET: ReadonlySet<string> = new Set(TRIGGER_STRATEGIES);
/** google.protobuf.Duration in JSON: seconds with up to nine decimals, then `s`. */
const DURATION = /^-?\d+(\.\d{1,9})?s$/;

/** A mapping at `path`, or an issue (when `required`, also for a missing one). */
function mapping(u: unknown, path: string, issues: Issues, required: boolean): Record<string, unknown> | undefined {
  if (u === undefined || u === null) {
    if (required) issue(issues, path, 'missing');
    return undefined;
  }
  if (!isRecord(u)) {
    issue(issues, path, 'must be a mapping');
    return undefined;
  }
  return u;
}

function list(u: unknown, path: string, issues: Issues): unknown[] | undefined {
  if (u === undefined || u === null) return undefined;
  if (!Array.isArray(u)) {
    issue(issues, path, 'must be a list');
    return undefined;
  }
  return u;
}

function stringField(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  issues: Issues,
  required: boolean,
): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) issue(issues, at(path, key), 'missing');
    return undefined;
  }
  if (typeof v !== 'string' || (required && v === '')) {
    issue(issues, at(path, key), required ? 'must be a non-empty string' : 'must be a string');
    return undefined;
  }
  return v;
}

function boolField(obj: Record<string, unknown>, key: string, path: string, issues: Issues): void {
  const v = obj[key];
  if (v !== undefined && v !== null && typeof v !== 'boolean') issue(issues, at(path, key), 'must be true or false');
}

function intField(obj: Record<string, unknown>, key: string, path: string, issues: Issues): void {
  const v = obj[key];
  if (v === undefined || v === null) return;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) issue(issues, at(path, key), 'must be a non-negative integer');
}

function numberField(obj: Record<string, unknown>, key: string, path: string, issues: Issues): void {
  const v = obj[key];
  if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v)))
    issue(issues, at(path, key), 'must be a number');
}

/**
 * Everything the executor relies on in a compiled pipeline, every fault with its path. Pure; the
 * converters' output goes through it too.
 */
export function validatePipelineSpec(doc: Record<string, unknown>): PipelineIssue[] {
  const issues: Issues = [];
  const info = mapping(doc.pipelineInfo, 'pipelineInfo', issues, true);
  if (info) {
    stringField(info, 'name', 'pipelineInfo', issues, true);
    stringField(info, 'displayName', 'pipelineInfo', issues, false);
    stringField(info, 'description', 'pipelineInfo', issues, false);
  }
  const schemaVersion = doc.schemaVersion;
  if (schemaVersion === undefined || schemaVersion === null) issue(issues, 'schemaVersion', 'missing');
  else if (typeof schemaVersion !== 'string' || !/^2\.\d+(\.\d+)?$/.test(schemaVersion)) {
    issue(issues, 'schemaVersion', `expected 2.x, not ${JSON.stringify(schemaVersion)}`);
  }
  stringField(doc, 'sdkVersion', '', issues, false);
  stringField(doc, 'defaultPipelineRoot', '', issues, false);

  const deployment = mapping(doc.deploymentSpec, 'deploymentSpec', issues, true);
  const executors = deployment ? mapping(deployment.executors, 'deploymentSpec.executors', issues, true) : undefined;
  for (const [name, executor] of Object.entries(executors ?? {})) {
    validateExecutor(executor, at('deploymentSpec.executors', name), issues);
  }

  const components = mapping(doc.components, 'components', issues, true) ?? {};
  const ctx: SpecContext = { components, executors: executors ?? {}, executorsKnown: executors !== undefined, issues };
  for (const [name, component] of Object.entries(components)) validateComponent(component, at('components', name), ctx, false);
  const root = mapping(doc.root, 'root', issues, true);
  if (root) validateComponent(root, 'root', ctx, true);
  if (root) checkComponentCycles(root, components, issues);
  return issues;
}

interface SpecContext {
  readonly components: Record<string, unknown>;
  readonly executors: Record<string, unknown>;
  /** False when deploymentSpec.executors itself is faulty: then executor labels are not checked. */
  readonly executorsKnown: boolean;
  readonly issues: Issues;
}

function validateExecutor(u: unknown, path: string, issues: Issues): void {
  const executor = mapping(u, path, issues, true);
  if (!executor) return;
  const kinds = ['container', 'importer'].filter((k) => executor[k] !== undefined && executor[k] !== null);
  if (kinds.length !== 1) {
    issue(
      issues,
      path,
      kinds.length === 0
        ? `expected a container or an importer${'resolver' in executor ? ' (resolvers are not supported)' : ''}`
        : 'has both a container and an importer',
    );
  }
  const container = mapping(executor.container, at(path, 'container'), issues, false);
  if (container) {
    const cPath = at(path, 'container');
    stringField(container, 'image', cPath, issues, true);
    for (const key of ['command', 'args'] as const) {
      list(container[key], at(cPath, key), issues)?.forEach((a, i) => {
        if (typeof a !== 'string') issue(issues, at(at(cPath, key), i), 'must be a string');
      });
    }
    list(container.env, at(cPath, 'env'), issues)?.forEach((e, i) => {
      const ePath = at(at(cPath, 'env'), i);
      const env = mapping(e, ePath, issues, true);
      if (!env) return;
      stringField(env, 'name', ePath, issues, true);
      stringField(env, 'value', ePath, issues, false);
    });
    const resources = mapping(container.resources, at(cPath, 'resources'), issues, false);
    if (resources) {
      const rPath = at(cPath, 'resources');
      for (const k of ['cpuLimit', 'memoryLimit', 'cpuRequest', 'memoryRequest']) numberField(resources, k, rPath, issues);
      for (const k of ['resourceCpuLimit', 'resourceMemoryLimit', 'resourceCpuRequest', 'resourceMemoryRequest']) {
        stringField(resources, k, rPath, issues, false);
      }
      const acc = mapping(resources.accelerator, at(rPath, 'accelerator'), issues, false);
      if (acc) {
        const aPath = at(rPath, 'accelerator');
        stringField(acc, 'type', aPath, issues, false);
        stringField(acc, 'resourceType', aPath, issues, false);
        for (const k of ['count', 'resourceCount']) {
          const v = acc[k];
          if (v === undefined || v === null) continue;
          // A count may come from a pipeline input or a task output (`{{$.inputs.parameters[...]}}`).
          if (typeof v === 'string' && v.includes('{{$')) continue;
          const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
            issue(issues, at(aPath, k), 'must be a non-negative integer or a placeholder');
          }
        }
      }
    }
  }
  const importer = mapping(executor.importer, at(path, 'importer'), issues, false);
  if (importer) {
    const iPath = at(path, 'importer');
    const uri = mapping(importer.artifactUri, at(iPath, 'artifactUri'), issues, true);
    if (uri && uri.constant === undefined && !isNonEmptyString(uri.runtimeParameter)) {
      issue(issues, at(iPath, 'artifactUri'), 'expected a constant or a runtimeParameter');
    }
    mapping(importer.typeSchema, at(iPath, 'typeSchema'), issues, true);
    boolField(importer, 'reimport', iPath, issues);
  }
}

function validateInterface(u: unknown, path: string, issues: Issues): void {
  const spec = mapping(u, path, issues, false);
  if (!spec) return;
  const parameters = mapping(spec.parameters, at(path, 'parameters'), issues, false);
  for (const [name, p] of Object.entries(parameters ?? {})) {
    const pPath = at(at(path, 'parameters'), name);
    const param = mapping(p, pPath, issues, true);
    if (!param) continue;
    const type = param.parameterType;
    if (type === undefined) {
      // schemaVersion 2.0.0 (KFP SDK 1.8) wrote `type: STRING`; its files are read by recompiling them.
      const hint = 'type' in param ? ' (`type` is the field of an older SDK: recompile the pipeline with KFP SDK 2)' : '';
      issue(issues, at(pPath, 'parameterType'), `missing${hint}`);
    } else if (typeof type !== 'string' || !PARAMETER_TYPE_SET.has(type)) {
      issue(
        issues,
        at(pPath, 'parameterType'),
        `unknown parameter type ${JSON.stringify(type)} (expected one of ${PARAMETER_TYPES.join(', ')})`,
      );
    }
    boolField(param, 'isOptional', pPath, issues);
  }
  const artifacts = mapping(spec.artifacts, at(path, 'artifacts'), issues, false);
  for (const [name, a] of Object.entries(artifacts ?? {})) {
    const aPath = at(at(path, 'artifacts'), name);
    const artifact = mapping(a, aPath, issues, true);
    if (!artifact) continue;
    const type = mapping(artifact.artifactType, at(aPath, 'artifactType'), issues, true);
    if (type) stringField(type, 'schemaTitle', at(aPath, 'artifactType'), issues, false);
    boolField(artifact, 'isArtifactList', aPath, issues);
    boolField(artifact, 'isOptional', aPath, issues);
  }
}

const keysOf = (u: unknown, kind: 'parameters' | 'artifacts'): Set<string> => {
  const group = isRecord(u) ? u[kind] : undefined;
  return new Set(isRecord(group) ? Object.keys(group) : []);
};

function validateComponent(u: unknown, path: string, ctx: SpecContext, isRoot: boolean): void {
  const { issues } = ctx;
  const component = mapping(u, path, issues, true);
  if (!component) return;
  validateInterface(component.inputDefinitions, at(path, 'inputDefinitions'), issues);
  validateInterface(component.outputDefinitions, at(path, 'outputDefinitions'), issues);
  const label = component.executorLabel;
  const dag = component.dag;
  if (isRoot && (dag === undefined || dag === null)) {
    issue(issues, at(path, 'dag'), 'missing');
    return;
  }
  if ((label === undefined || label === null) === (dag === undefined || dag === null)) {
    issue(
      issues,
      path,
      label === undefined || label === null ? 'expected an executorLabel or a dag' : 'has both an executorLabel and a dag',
    );
  }
  if (label !== undefined && label !== null) {
    if (typeof label !== 'string') issue(issues, at(path, 'executorLabel'), 'must be a string');
    else if (ctx.executorsKnown && !Object.hasOwn(ctx.executors, label)) {
      issue(issues, at(path, 'executorLabel'), `no executor '${label}' in deploymentSpec.executors`);
    } else if (Object.hasOwn(ctx.executors, label)) checkPlaceholders(component, label, ctx.executors[label], path, issues);
  }
  if (dag !== undefined && dag !== null) validateDag(dag, at(path, 'dag'), component, ctx);
}

/**
 * `{{$.inputs.parameters['x']}}` and its kin in a container's command line (inside Concat and
 * IfPresent too, whose JSON keeps them verbatim) name an input or output of the component that runs
 * it: one that is not there could never be resolved.
 */
const PORT_PLACEHOLDER = /\{\{\$\.(inputs|outputs)\.(parameters|artifacts)\['([^']*)'\]/g;
const IF_PRESENT_INPUT = /"InputName":\s*"((?:[^"\\]|\\.)*)"/g;

function checkPlaceholders(
  component: Record<string, unknown>,
  label: string,
  executor: unknown,
  path: string,
  issues: Issues,
): void {
  if (!isRecord(executor)) return;
  const importer = executor.importer;
  if (isRecord(importer) && isRecord(importer.artifactUri)) {
    const parameter = importer.artifactUri.runtimeParameter;
    if (typeof parameter === 'string' && parameter !== '' && !keysOf(component.inputDefinitions, 'parameters').has(parameter)) {
      issue(
        issues,
        at(at(at(at('deploymentSpec.executors', label), 'importer'), 'artifactUri'), 'runtimeParameter'),
        `names no input parameter '${parameter}' of ${path}`,
      );
    }
  }
  if (!isRecord(executor.container)) return;
  const container = executor.container;
  const declared = {
    inputs: {
      parameters: keysOf(component.inputDefinitions, 'parameters'),
      artifacts: keysOf(component.inputDefinitions, 'artifacts'),
    },
    outputs: {
      parameters: keysOf(component.outputDefinitions, 'parameters'),
      artifacts: keysOf(component.outputDefinitions, 'artifacts'),
    },
  };
  const reported = new Set<string>();
  for (const key of ['command', 'args'] as const) {
    const line = container[key];
    if (!Array.isArray(line)) continue;
    line.forEach((arg, i) => {
      if (typeof arg !== 'string') return;
      const argPath = at(at(at(at('deploymentSpec.executors', label), 'container'), key), i);
      for (const m of arg.matchAll(PORT_PLACEHOLDER)) {
        const [, side, kind, name] = m as unknown as [string, 'inputs' | 'outputs', 'parameters' | 'artifacts', string];
        if (declared[side][kind].has(name) || reported.has(`${side}.${kind}.${name}`)) continue;
        reported.add(`${side}.${kind}.${name}`);
        const what = `${side === 'inputs' ? 'input' : 'output'} ${kind === 'parameters' ? 'parameter' : 'artifact'}`;
        issue(issues, argPath, `${m[0]}...}} names no ${what} '${name}' of ${path}`);
      }
      for (const m of arg.matchAll(IF_PRESENT_INPUT)) {
        let name: string;
        try {
          name = JSON.parse(`"${m[1]}"`) as string;
        } catch {
          continue;
        }
        if (declared.inputs.parameters.has(name) || declared.inputs.artifacts.has(name) || reported.has(`if.${name}`)) continue;
        reported.add(`if.${name}`);
        issue(issues, argPath, `IfPresent names no input '${name}' of ${path}`);
      }
    });
  }
}

/** The producers a task reads from, with the path of each reference: the edges of the DAG. */
type Edge = { readonly producer: string; readonly path: string };

function validateDag(u: unknown, path: string, owner: Record<string, unknown>, ctx: SpecContext): void {
  const { issues } = ctx;
  const dag = mapping(u, path, issues, true);
  if (!dag) return;
  const tasks = mapping(dag.tasks, at(path, 'tasks'), issues, true) ?? {};
  const ownParameters = keysOf(owner.inputDefinitions, 'parameters');
  const ownArtifacts = keysOf(owner.inputDefinitions, 'artifacts');
  const edges = new Map<string, Edge[]>();
  for (const [name, t] of Object.entries(tasks)) {
    const tPath = at(at(path, 'tasks'), name);
    const taskEdges: Edge[] = [];
    edges.set(name, taskEdges);
    validateTask(t, tPath, name, tasks, ownParameters, ownArtifacts, taskEdges, ctx);
  }
  reportCycles(edges, at(path, 'tasks'), issues);

  const outputs = mapping(dag.outputs, at(path, 'outputs'), issues, false);
  if (!outputs) return;
  const oPath = at(path, 'outputs');
  for (const [name, o] of Object.entries(mapping(outputs.parameters, at(oPath, 'parameters'), issues, false) ?? {})) {
    const pPath = at(at(oPath, 'parameters'), name);
    const out = mapping(o, pPath, issues, true);
    if (!out) continue;
    const kinds = ['valueFromParameter', 'valueFromOneof'].filter((k) => out[k] !== undefined && out[k] !== null);
    if (kinds.length !== 1) {
      issue(
        issues,
        pPath,
        `expected exactly one of valueFromParameter, valueFromOneof${kinds.length > 1 ? `, not ${kinds.join(' and ')}` : ''}`,
      );
    }
    const selector = (s: unknown, sPath: string): void => {
      const sel = mapping(s, sPath, issues, true);
      if (!sel) return;
      const producer = stringField(sel, 'producerSubtask', sPath, issues, true);
      stringField(sel, 'outputParameterKey', sPath, issues, true);
      if (producer !== undefined && !Object.hasOwn(tasks, producer))
        issue(issues, at(sPath, 'producerSubtask'), `no task '${producer}' in this dag`);
    };
    if (out.valueFromParameter !== undefined && out.valueFromParameter !== null)
      selector(out.valueFromParameter, at(pPath, 'valueFromParameter'));
    const oneof = mapping(out.valueFromOneof, at(pPath, 'valueFromOneof'), issues, false);
    if (oneof) {
      const sels = list(oneof.parameterSelectors, at(at(pPath, 'valueFromOneof'), 'parameterSelectors'), issues);
      if (!sels || sels.length === 0)
        issue(issues, at(at(pPath, 'valueFromOneof'), 'parameterSelectors'), 'expected at least one selector');
      sels?.forEach((s, i) => {
        selector(s, at(at(at(pPath, 'valueFromOneof'), 'parameterSelectors'), i));
      });
    }
  }
  for (const [name, o] of Object.entries(mapping(outputs.artifacts, at(oPath, 'artifacts'), issues, false) ?? {})) {
    const aPath = at(at(oPath, 'artifacts'), name);
    const out = mapping(o, aPath, issues, true);
    if (!out) continue;
    const sels = list(out.artifactSelectors, at(aPath, 'artifactSelectors'), issues);
    if (!sels || sels.length === 0) issue(issues, at(aPath, 'artifactSelectors'), 'expected at least one selector');
    sels?.forEach((s, i) => {
      const sPath = at(at(aPath, 'artifactSelectors'), i);
      const sel = mapping(s, sPath, issues, true);
      if (!sel) return;
      const producer = stringField(sel, 'producerSubtask', sPath, issues, true);
      stringField(sel, 'outputArtifactKey', sPath, issues, true);
      if (producer !== undefined && !Object.hasOwn(tasks, producer))
        issue(issues, at(sPath, 'producerSubtask'), `no task '${producer}' in this dag`);
    });
  }
}

function validateTask(
  u: unknown,
  path: string,
  name: string,
  tasks: Record<string, unknown>,
  ownParameters: ReadonlySet<string>,
  ownArtifacts: ReadonlySet<string>,
  edges: Edge[],
  ctx: SpecContext,
): void {
  const { issues } = ctx;
  const task = mapping(u, path, issues, true);
  if (!task) return;
  const info = mapping(task.taskInfo, at(path, 'taskInfo'), issues, true);
  if (info) stringField(info, 'name', at(path, 'taskInfo'), issues, true);

  const ref = mapping(task.componentRef, at(path, 'componentRef'), issues, true);
  const refName = ref ? stringField(ref, 'name', at(path, 'componentRef'), issues, true) : undefined;
  const component = refName === undefined ? undefined : ctx.components[refName];
  if (refName !== undefined && !Object.hasOwn(ctx.components, refName)) {
    issue(issues, at(at(path, 'componentRef'), 'name'), `no component '${refName}' in components`);
  }

  const producerOf = (producer: string | undefined, pPath: string): void => {
    if (producer === undefined) return;
    if (producer === name) issue(issues, pPath, `task '${name}' cannot read its own output`);
    else if (!Object.hasOwn(tasks, producer)) issue(issues, pPath, `no task '${producer}' in this dag`);
    else edges.push({ producer, path: pPath });
  };

  const deps = list(task.dependentTasks, at(path, 'dependentTasks'), issues);
  deps?.forEach((d, i) => {
    const dPath = at(at(path, 'dependentTasks'), i);
    if (typeof d !== 'string') issue(issues, dPath, 'must be a task name');
    else producerOf(d, dPath);
  });

  const inputs = mapping(task.inputs, at(path, 'inputs'), issues, false);
  const iPath = at(path, 'inputs');
  const parameters = mapping(inputs?.parameters, at(iPath, 'parameters'), issues, false) ?? {};
  const artifacts = mapping(inputs?.artifacts, at(iPath, 'artifacts'), issues, false) ?? {};
  for (const [key, p] of Object.entries(parameters)) {
    const pPath = at(at(iPath, 'parameters'), key);
    const param = mapping(p, pPath, issues, true);
    if (!param) continue;
    const kinds = ['taskOutputParameter', 'runtimeValue', 'componentInputParameter', 'taskFinalStatus'].filter(
      (k) => param[k] !== undefined && param[k] !== null,
    );
    if (kinds.length !== 1) {
      issue(
        issues,
        pPath,
        kinds.length === 0
          ? 'no source: expected one of taskOutputParameter, runtimeValue, componentInputParameter, taskFinalStatus'
          : `several sources (${kinds.join(', ')}): expected exactly one`,
      );
    }
    const output = mapping(param.taskOutputParameter, at(pPath, 'taskOutputParameter'), issues, false);
    if (output) {
      const oPath = at(pPath, 'taskOutputParameter');
      const producer = stringField(output, 'producerTask', oPath, issues, true);
      const key2 = stringField(output, 'outputParameterKey', oPath, issues, true);
      producerOf(producer, at(oPath, 'producerTask'));
      checkProducerOutput(tasks, producer, key2, 'parameters', at(oPath, 'outputParameterKey'), ctx);
    }
    const runtime = mapping(param.runtimeValue, at(pPath, 'runtimeValue'), issues, false);
    if (runtime && !('constant' in runtime)) {
      const hint =
        'constantValue' in runtime
          ? ' (`constantValue` is the field of an older SDK: recompile the pipeline with KFP SDK 2)'
          : '';
      issue(issues, at(at(pPath, 'runtimeValue'), 'constant'), `missing${hint}`);
    }
    const fromParent = param.componentInputParameter;
    if (fromParent !== undefined && fromParent !== null) {
      if (typeof fromParent !== 'string') issue(issues, at(pPath, 'componentInputParameter'), 'must be a string');
      else if (!ownParameters.has(fromParent)) {
        issue(issues, at(pPath, 'componentInputParameter'), `no input parameter '${fromParent}' in the dag's inputDefinitions`);
      }
    }
    const status = mapping(param.taskFinalStatus, at(pPath, 'taskFinalStatus'), issues, false);
    if (status) {
      const producer = stringField(status, 'producerTask', at(pPath, 'taskFinalStatus'), issues, true);
      // An exit handler reads the final status of a task it does not wait for through data.
      if (producer !== undefined && !Object.hasOwn(tasks, producer)) {
        issue(issues, at(at(pPath, 'taskFinalStatus'), 'producerTask'), `no task '${producer}' in this dag`);
      }
    }
    stringField(param, 'parameterExpressionSelector', pPath, issues, false);
  }
  for (const [key, a] of Object.entries(artifacts)) {
    const aPath = at(at(iPath, 'artifacts'), key);
    const art = mapping(a, aPath, issues, true);
    if (!art) continue;
    const kinds = ['taskOutputArtifact', 'componentInputArtifact'].filter((k) => art[k] !== undefined && art[k] !== null);
    if (kinds.length !== 1) {
      issue(
        issues,
        aPath,
        kinds.length === 0
          ? 'no source: expected one of taskOutputArtifact, componentInputArtifact'
          : `several sources (${kinds.join(', ')}): expected exactly one`,
      );
    }
    const output = mapping(art.taskOutputArtifact, at(aPath, 'taskOutputArtifact'), issues, false);
    if (output) {
      const oPath = at(aPath, 'taskOutputArtifact');
      const producer = stringField(output, 'producerTask', oPath, issues, true);
      const key2 = stringField(output, 'outputArtifactKey', oPath, issues, true);
      producerOf(producer, at(oPath, 'producerTask'));
      checkProducerOutput(tasks, producer, key2, 'artifacts', at(oPath, 'outputArtifactKey'), ctx);
    }
    const fromParent = art.componentInputArtifact;
    if (fromParent !== undefined && fromParent !== null) {
      if (typeof fromParent !== 'string') issue(issues, at(aPath, 'componentInputArtifact'), 'must be a string');
      else if (!ownArtifacts.has(fromParent)) {
        issue(issues, at(aPath, 'componentInputArtifact'), `no input artifact '${fromParent}' in the dag's inputDefinitions`);
      }
    }
  }

  // Iterators: items from the file or from one of the task's inputs; at most one kind.
  const pIter = mapping(task.parameterIterator, at(path, 'parameterIterator'), issues, false);
  const aIter = mapping(task.artifactIterator, at(path, 'artifactIterator'), issues, false);
  if (pIter && aIter) issue(issues, path, 'has both a parameterIterator and an artifactIterator');
  let itemInput: string | undefined;
  if (pIter) {
    const ip = at(path, 'parameterIterator');
    itemInput = stringField(pIter, 'itemInput', ip, issues, true);
    const items = mapping(pIter.items, at(ip, 'items'), issues, true);
    if (items) {
      const hasRaw = items.raw !== undefined && items.raw !== null;
      const hasInput = items.inputParameter !== undefined && items.inputParameter !== null;
      if (hasRaw === hasInput) issue(issues, at(ip, 'items'), 'expected exactly one of raw, inputParameter');
      if (hasRaw) {
        let parsed: unknown;
        try {
          parsed = typeof items.raw === 'string' ? JSON.parse(items.raw) : undefined;
        } catch {
          parsed = undefined;
        }
        if (!Array.isArray(parsed)) issue(issues, at(at(ip, 'items'), 'raw'), 'must be the text of a JSON list');
      }
      if (hasInput) {
        if (typeof items.inputParameter !== 'string') issue(issues, at(at(ip, 'items'), 'inputParameter'), 'must be a string');
        else if (!Object.hasOwn(parameters, items.inputParameter)) {
          issue(
            issues,
            at(at(ip, 'items'), 'inputParameter'),
            `no input parameter '${items.inputParameter}' in the task's inputs`,
          );
        }
      }
    }
  }
  if (aIter) {
    const ip = at(path, 'artifactIterator');
    itemInput = stringField(aIter, 'itemInput', ip, issues, true);
    const items = mapping(aIter.items, at(ip, 'items'), issues, true);
    if (items) {
      const input = stringField(items, 'inputArtifact', at(ip, 'items'), issues, true);
      if (input !== undefined && !Object.hasOwn(artifacts, input)) {
        issue(issues, at(at(ip, 'items'), 'inputArtifact'), `no input artifact '${input}' in the task's inputs`);
      }
    }
  }
  const policy = mapping(task.iteratorPolicy, at(path, 'iteratorPolicy'), issues, false);
  if (policy) intField(policy, 'parallelismLimit', at(path, 'iteratorPolicy'), issues);

  // Every required input of the component is given (a loop's item input by the iterator).
  if (isRecord(component)) {
    const given = new Set([...Object.keys(parameters), ...Object.keys(artifacts), ...(itemInput ? [itemInput] : [])]);
    const defs = isRecord(component.inputDefinitions) ? component.inputDefinitions : {};
    for (const kind of ['parameters', 'artifacts'] as const) {
      const group = isRecord(defs[kind]) ? (defs[kind] as Record<string, unknown>) : {};
      for (const [input, def] of Object.entries(group)) {
        if (!isRecord(def) || def.isOptional === true || def.defaultValue !== undefined || given.has(input)) continue;
        // The run fills these in itself (an exit handler's status, the task's own configuration).
        if (def.parameterType === 'TASK_FINAL_STATUS' || def.parameterType === 'TASK_CONFIG') continue;
        issue(issues, at(iPath, kind), `the component's required input '${input}' is not given`);
      }
    }
  }

  const trigger = mapping(task.triggerPolicy, at(path, 'triggerPolicy'), issues, false);
  if (trigger) {
    const tp = at(path, 'triggerPolicy');
    const strategy = trigger.strategy;
    if (strategy !== undefined && strategy !== null && (typeof strategy !== 'string' || !TRIGGER_STRATEGY_SET.has(strategy))) {
      issue(
        issues,
        at(tp, 'strategy'),
        `unknown strategy ${JSON.stringify(strategy)} (expected one of ${TRIGGER_STRATEGIES.join(', ')})`,
      );
    }
    const condition = stringField(trigger, 'condition', tp, issues, false);
    if (condition !== undefined && condition !== '') {
      const parsed = parseCondition(condition);
      if (!parsed.ok) issue(issues, at(tp, 'condition'), parsed.message);
      else {
        for (const p of referencedParameters(parsed.value)) {
          if (!Object.hasOwn(parameters, p))
            issue(issues, at(tp, 'condition'), `reads '${p}', which is not one of the task's input parameters`);
        }
      }
    }
  }

  const retry = mapping(task.retryPolicy, at(path, 'retryPolicy'), issues, false);
  if (retry) {
    const rp = at(path, 'retryPolicy');
    intField(retry, 'maxRetryCount', rp, issues);
    numberField(retry, 'backoffFactor', rp, issues);
    for (const k of ['backoffDuration', 'backoffMaxDuration']) {
      const v = retry[k];
      if (v !== undefined && v !== null && (typeof v !== 'string' || !DURATION.test(v))) {
        issue(issues, at(rp, k), `${JSON.stringify(v)} is not a duration (seconds followed by s: "3s", "0.5s")`);
      }
    }
  }
  const caching = mapping(task.cachingOptions, at(path, 'cachingOptions'), issues, false);
  if (caching) {
    boolField(caching, 'enableCache', at(path, 'cachingOptions'), issues);
    stringField(caching, 'cacheKey', at(path, 'cachingOptions'), issues, false);
  }
}

/** A task output another task reads must be one its producer's component declares. */
function checkProducerOutput(
  tasks: Record<string, unknown>,
  producer: string | undefined,
  key: string | undefined,
  kind: 'parameters' | 'artifacts',
  path: string,
  ctx: SpecContext,
): void {
  if (producer === undefined || key === undefined) return;
  const task = tasks[producer];
  if (!isRecord(task) || !isRecord(task.componentRef) || typeof task.componentRef.name !== 'string') return;
  const component = ctx.components[task.componentRef.name];
  if (!isRecord(component)) return;
  if (!keysOf(component.outputDefinitions, kind).has(key)) {
    issue(ctx.issues, path, `task '${producer}' has no output ${kind === 'parameters' ? 'parameter' : 'artifact'} '${key}'`);
  }
}

/** Each cycle of a DAG, once, named by its tasks in order. */
function reportCycles(edges: ReadonlyMap<string, readonly Edge[]>, path: string, issues: Issues): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (task: string): void => {
    state.set(task, 'visiting');
    stack.push(task);
    for (const { producer } of edges.get(task) ?? []) {
      const s = state.get(producer);
      if (s === 'visiting') {
        const cycle = stack.slice(stack.indexOf(producer));
        const key = [...cycle].sort().join('\u0000');
        if (!reported.has(key)) {
          reported.add(key);
          // Written in the order things run: each task before the one that waits for it.
          const order = [...cycle].reverse();
          issue(issues, path, `cycle: ${[...order, order[0]].join(' -> ')}`);
        }
      } else if (s === undefined && edges.has(producer)) visit(producer);
    }
    stack.pop();
    state.set(task, 'done');
  };
  for (const task of edges.keys()) if (!state.has(task)) visit(task);
}

/** A component whose DAG runs itself, directly or through others, would never end. */
function checkComponentCycles(root: Record<string, unknown>, components: Record<string, unknown>, issues: Issues): void {
  const refsOf = (c: unknown): string[] => {
    if (!isRecord(c) || !isRecord(c.dag) || !isRecord(c.dag.tasks)) return [];
    return Object.values(c.dag.tasks).flatMap((t) =>
      isRecord(t) && isRecord(t.componentRef) && typeof t.componentRef.name === 'string' ? [t.componentRef.name] : [],
    );
  };
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const ref of refsOf(components[name])) {
      if (!Object.hasOwn(components, ref)) continue;
      const s = state.get(ref);
      if (s === 'visiting') {
        const cycle = stack.slice(stack.indexOf(ref));
        issue(issues, at(at('components', ref), 'dag'), `the component runs itself: ${[...cycle, ref].join(' -> ')}`);
      } else if (s === undefined) visit(ref);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const ref of refsOf(root)) if (Object.hasOwn(components, ref) && !state.has(ref)) visit(ref);
}

// ---------------------------------------------------------------------------------------------
// The Kubernetes platform spec.

function validatePlatformSpec(platform: PlatformSpec, doc: Record<string, unknown>): PipelineIssue[] {
  const issues: Issues = [];
  const k8s = mapping((platform as Record<string, unknown>).kubernetes, 'platforms.kubernetes', issues, false);
  if (!k8s) return issues;
  const dPath = 'platforms.kubernetes.deploymentSpec';
  const deployment = mapping(k8s.deploymentSpec, dPath, issues, false);
  const executors = deployment ? mapping(deployment.executors, at(dPath, 'executors'), issues, false) : undefined;
  const known = isRecord(doc.deploymentSpec) && isRecord(doc.deploymentSpec.executors) ? doc.deploymentSpec.executors : undefined;
  for (const [name, e] of Object.entries(executors ?? {})) {
    const ePath = at(at(dPath, 'executors'), name);
    if (known && !Object.hasOwn(known, name)) issue(issues, ePath, `no executor '${name}' in deploymentSpec.executors`);
    const config = mapping(e, ePath, issues, true);
    if (!config) continue;
    const entries = (key: string, check: (item: Record<string, unknown>, path: string) => void): void => {
      list(config[key], at(ePath, key), issues)?.forEach((item, i) => {
        const iPath = at(at(ePath, key), i);
        const m = mapping(item, iPath, issues, true);
        if (m) check(m, iPath);
      });
    };
    const keyToEnv = (m: Record<string, unknown>, path: string, sourceKey: string): void => {
      list(m.keyToEnv, at(path, 'keyToEnv'), issues)?.forEach((k, i) => {
        const kPath = at(at(path, 'keyToEnv'), i);
        const kv = mapping(k, kPath, issues, true);
        if (!kv) return;
        stringField(kv, sourceKey, kPath, issues, true);
        stringField(kv, 'envVar', kPath, issues, true);
      });
    };
    entries('secretAsEnv', (m, p) => {
      keyToEnv(m, p, 'secretKey');
      platformParameter(m, 'secretNameParameter', p, issues);
    });
    entries('configMapAsEnv', (m, p) => {
      keyToEnv(m, p, 'configMapKey');
      platformParameter(m, 'configMapNameParameter', p, issues);
    });
    for (const [key, parameter] of [
      ['secretAsVolume', 'secretNameParameter'],
      ['configMapAsVolume', 'configMapNameParameter'],
      ['pvcMount', 'pvcNameParameter'],
    ] as const) {
      entries(key, (m, p) => {
        stringField(m, 'mountPath', p, issues, true);
        boolField(m, 'optional', p, issues);
        platformParameter(m, parameter, p, issues);
        if (key === 'pvcMount') stringField(m, 'subPath', p, issues, false);
      });
    }
    entries('tolerations', (m, p) => {
      for (const k of ['key', 'operator', 'value', 'effect']) stringField(m, k, p, issues, false);
      intField(m, 'tolerationSeconds', p, issues);
      platformParameter(m, 'tolerationJson', p, issues);
    });
    // A secret's name is written, or read from an input (`secretNameParameter`, newer SDKs).
    entries('imagePullSecret', (m, p) => {
      stringField(m, 'secretName', p, issues, false);
      platformParameter(m, 'secretNameParameter', p, issues);
    });
    entries('nodeAffinity', (m, p) => {
      // Label requirements only: the scheduler places a GPU step by its nodes' labels.
      if (m.matchFields !== undefined)
        issue(issues, at(p, 'matchFields'), 'not supported: name the nodes by a label (kubernetes.io/hostname)');
      // A term given as JSON (`nodeAffinityJson`) is read when the step starts (platform.ts).
      if (platformParameter(m, 'nodeAffinityJson', p, issues) && m.matchExpressions === undefined) return;
      if (m.weight !== undefined && !(Number.isInteger(m.weight) && (m.weight as number) >= 1 && (m.weight as number) <= 100)) {
        issue(issues, at(p, 'weight'), 'must be an integer from 1 to 100');
      }
      const exprs = list(m.matchExpressions, at(p, 'matchExpressions'), issues);
      if (exprs === undefined || exprs.length === 0) {
        // An empty term matches no node; matchFields alone, or a list that is not one, is named above.
        if (m.matchFields === undefined && (exprs !== undefined || m.matchExpressions === undefined)) {
          issue(issues, at(p, 'matchExpressions'), 'must list one or more requirements');
        }
        return;
      }
      exprs.forEach((x, i) => {
        const xPath = at(at(p, 'matchExpressions'), i);
        const r = mapping(x, xPath, issues, true);
        if (!r) return;
        stringField(r, 'key', xPath, issues, true);
        stringField(r, 'operator', xPath, issues, true);
        if (r.values !== undefined) {
          list(r.values, at(xPath, 'values'), issues)?.forEach((v, j) => {
            if (typeof v !== 'string') issue(issues, at(at(xPath, 'values'), j), 'must be a string');
          });
        }
      });
    });
    const policy = config.imagePullPolicy;
    if (policy !== undefined && !(typeof policy === 'string' && PULL_POLICIES.includes(policy))) {
      issue(issues, at(ePath, 'imagePullPolicy'), `must be one of ${PULL_POLICIES.join(', ')}`);
    }
    intField(config, 'activeDeadlineSeconds', ePath, issues);
    entries('fieldPathAsEnv', (m, p) => {
      stringField(m, 'name', p, issues, true);
      stringField(m, 'fieldPath', p, issues, true);
    });
    const volume = (m: Record<string, unknown>, p: string): void => {
      stringField(m, 'volumeName', p, issues, true);
      stringField(m, 'mountPath', p, issues, true);
    };
    entries('emptyDirMounts', (m, p) => {
      volume(m, p);
      stringField(m, 'medium', p, issues, false);
      quantityField(m, 'sizeLimit', p, issues, false);
    });
    entries('genericEphemeralVolume', (m, p) => {
      volume(m, p);
      quantityField(m, 'size', p, issues, true);
      list(m.accessModes, at(p, 'accessModes'), issues)?.forEach((mode, i) => {
        if (!(typeof mode === 'string' && ACCESS_MODES.includes(mode)))
          issue(issues, at(at(p, 'accessModes'), i), `must be one of ${ACCESS_MODES.join(', ')}`);
      });
      boolField(m, 'defaultStorageClass', p, issues);
      stringField(m, 'storageClassName', p, issues, false);
      const meta = mapping(m.metadata, at(p, 'metadata'), issues, false);
      if (meta) {
        stringMap(meta.labels, at(at(p, 'metadata'), 'labels'), issues);
        stringMap(meta.annotations, at(at(p, 'metadata'), 'annotations'), issues);
      }
    });
    const security = mapping(config.securityContext, at(ePath, 'securityContext'), issues, false);
    if (security) {
      intField(security, 'runAsUser', at(ePath, 'securityContext'), issues);
      intField(security, 'runAsGroup', at(ePath, 'securityContext'), issues);
      boolField(security, 'runAsNonRoot', at(ePath, 'securityContext'), issues);
      // The kubelet would refuse to start such a container, and the step would wait for nothing.
      if (security.runAsNonRoot === true && (security.runAsUser === 0 || security.runAsUser === '0')) {
        issue(issues, at(at(ePath, 'securityContext'), 'runAsUser'), 'is 0 (root) while runAsNonRoot is true: use a non-root id');
      }
    }
    entries('initContainers', (m, p) => {
      stringField(m, 'name', p, issues, true);
      stringField(m, 'image', p, issues, true);
      for (const key of ['command', 'args']) {
        list(m[key], at(p, key), issues)?.forEach((a, i) => {
          if (typeof a !== 'string') issue(issues, at(at(p, key), i), 'must be a string');
        });
      }
      list(m.env, at(p, 'env'), issues)?.forEach((e, i) => {
        const ev = mapping(e, at(at(p, 'env'), i), issues, true);
        if (!ev) return;
        stringField(ev, 'name', at(at(p, 'env'), i), issues, true);
        stringField(ev, 'value', at(at(p, 'env'), i), issues, false);
      });
      list(m.volumeMounts, at(p, 'volumeMounts'), issues)?.forEach((v, i) => {
        const vPath = at(at(p, 'volumeMounts'), i);
        const vm = mapping(v, vPath, issues, true);
        if (!vm) return;
        stringField(vm, 'volumeName', vPath, issues, true);
        const mount = stringField(vm, 'mountPath', vPath, issues, true);
        if (mount !== undefined && !mount.startsWith('/')) issue(issues, at(vPath, 'mountPath'), 'must be an absolute path');
      });
      const resources = mapping(m.resources, at(p, 'resources'), issues, false);
      if (resources) {
        for (const key of ['requests', 'limits']) {
          const q = mapping(resources[key], at(at(p, 'resources'), key), issues, false);
          for (const name of Object.keys(q ?? {}))
            quantityField(q as Record<string, unknown>, name, at(at(p, 'resources'), key), issues, true);
        }
      }
      const restart = m.restartPolicy;
      if (restart !== undefined && restart !== 'Always')
        issue(issues, at(p, 'restartPolicy'), "must be 'Always' (a native sidecar) or left out");
    });
    const selector = mapping(config.nodeSelector, at(ePath, 'nodeSelector'), issues, false);
    if (selector) {
      stringMap(selector.labels, at(at(ePath, 'nodeSelector'), 'labels'), issues);
      platformParameter(selector, 'nodeSelectorJson', at(ePath, 'nodeSelector'), issues);
    }
    const meta = mapping(config.podMetadata, at(ePath, 'podMetadata'), issues, false);
    if (meta) {
      stringMap(meta.labels, at(at(ePath, 'podMetadata'), 'labels'), issues);
      stringMap(meta.annotations, at(at(ePath, 'podMetadata'), 'annotations'), issues);
    }
  }
  return issues;
}

const PULL_POLICIES = ['Always', 'Never', 'IfNotPresent'];
const ACCESS_MODES: readonly string[] = PVC_ACCESS_MODES;

/** A Kubernetes quantity (`512Mi`, `1G`, `0.5`), as a volume's size is written. */
function quantityField(m: Record<string, unknown>, key: string, path: string, issues: Issues, required: boolean): void {
  const v = stringField(m, key, path, issues, required);
  if (v !== undefined && !isQuantity(v)) {
    issue(issues, at(path, key), `must be a quantity such as 512Mi or 10Gi, not '${v}'`);
  }
}

/**
 * A value the platform spec reads from the task's context when the step starts (platform.ts): a
 * constant, an input of the task's DAG or an earlier task's output, each in its shape. Whether
 * it is there is known only then. True when the field is given.
 */
function platformParameter(m: Record<string, unknown>, key: string, path: string, issues: Issues): boolean {
  const spec = mapping(m[key], at(path, key), issues, false);
  if (!spec) return m[key] !== undefined;
  const pPath = at(path, key);
  const kinds = ['componentInputParameter', 'runtimeValue', 'taskOutputParameter'].filter((k) => spec[k] !== undefined);
  if (kinds.length !== 1) {
    issue(
      issues,
      pPath,
      kinds.length === 0
        ? 'no source: expected one of componentInputParameter, runtimeValue, taskOutputParameter'
        : `several sources (${kinds.join(', ')}): expected exactly one`,
    );
  }
  stringField(spec, 'componentInputParameter', pPath, issues, false);
  const runtime = mapping(spec.runtimeValue, at(pPath, 'runtimeValue'), issues, false);
  if (runtime && !('constant' in runtime)) issue(issues, at(at(pPath, 'runtimeValue'), 'constant'), 'missing');
  const output = mapping(spec.taskOutputParameter, at(pPath, 'taskOutputParameter'), issues, false);
  if (output) {
    stringField(output, 'producerTask', at(pPath, 'taskOutputParameter'), issues, true);
    stringField(output, 'outputParameterKey', at(pPath, 'taskOutputParameter'), issues, true);
  }
  return true;
}

function stringMap(u: unknown, path: string, issues: Issues): void {
  const m = mapping(u, path, issues, false);
  for (const [k, v] of Object.entries(m ?? {})) if (typeof v !== 'string') issue(issues, at(path, k), 'must be a string');
}
