/**
 * KFP v1 components (`component.yaml`): read one, render its command line as the v1 SDK did, and turn
 * it into the v2 IR as the v2 SDK's `ComponentSpec.from_v1_component_spec` does, so that a v1 file
 * runs as a one-step pipeline and a v1 graph's steps (v1-graph.ts) run as v2 tasks.
 *
 * The rules are the SDK's (sdk/python/kfp/components/_components.py for the v1 command line,
 * kfp/dsl/structures.py, placeholders.py and types/type_utils.py for the conversion):
 *
 * - a type named like a parameter (`String`, `Integer`, `Float`, `Boolean`, `JsonObject`, `JsonArray`,
 *   `Text`, `Dict`, `List`, ... case-insensitive) is a parameter; `google.X` types and the artifact
 *   classes (`Dataset`, `Model`, ...) are those artifacts; any other type, or none, is `system.Artifact`;
 * - input and output names are sanitized (`op-1` becomes `op_1`); defaults are cast to the type
 *   (`'0'` of an Integer is 0, JSON text of a JsonObject is parsed); an input with a default is optional;
 * - placeholders become the v2 ones: `inputValue` → `{{$.inputs.parameters['x']}}`, `inputPath` and
 *   `inputUri` → `{{$.inputs.artifacts['x'].path|uri}}`, `outputPath` → the parameter's `output_file`
 *   or the artifact's `path`, `outputUri` → the artifact's `uri`, `concat` → a `{"Concat": [...]}` JSON
 *   string and `if`/`isPresent` → `{"IfPresent": {"InputName", "Then", "Else"}}`, written as Python's
 *   `json.dumps` writes them.
 *
 * One departure, where the SDK writes an IR no runtime can resolve: the SDK declares an input by its
 * type alone, so an input of an unknown type that the command line reads by value (`inputValue` of a
 * `PythonCode`) became an artifact read as a parameter. Here an input read by value is a parameter
 * (STRING when the type says nothing better), one read as a file (`inputPath`, `inputUri`) an artifact,
 * and an output written through `outputUri` an artifact; when the two agree, which is every
 * well-typed component, the result is the SDK's.
 */
import type { Result } from '../result.js';
import type {
  ArtifactSpec,
  ArtifactTypeSchema,
  ComponentSpec,
  ContainerSpec,
  DagSpec,
  InterfaceSpec,
  JsonValue,
  ParameterSpec,
  ParameterType,
  PipelineSpec,
  TaskInputsSpec,
} from './ir.js';
import type { PipelineIssue } from './parse.js';

// ---------------------------------------------------------------------------------------------
// Small shared helpers of the parsers (parse.ts and v1-graph.ts use them too).

export type Issues = PipelineIssue[];

export const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** A field's path: `a.b`, and `a[2]` for a list's element. */
export const at = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

export const issue = (issues: Issues, path: string, message: string): void => {
  issues.push({ path, message });
};

/** utils.sanitize_input_name: lower case, runs of anything but `[_0-9a-z]` become `_`, trimmed. */
export const sanitizeInputName = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^_0-9a-z]+/g, '_')
    .replace(/^_+|_+$/g, '');

/** utils.maybe_rename_for_k8s: lower case, runs of anything but `[-0-9a-z]` become one `-`, trimmed. */
export const k8sName = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^-0-9a-z]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');

/** utils.make_name_unique_by_adding_index: `name`, else `name-2`, `name-3`, ... */
export const uniqueName = (name: string, taken: ReadonlySet<string>): string => {
  if (!taken.has(name)) return name;
  let i = 2;
  while (taken.has(`${name}-${i}`)) i++;
  return `${name}-${i}`;
};

// ---------------------------------------------------------------------------------------------
// Python's ways of printing values, which the v1 command line and the v2 placeholders are written in.

/** Python's `repr(float)`: shortest round trip, exponent form below 1e-4 and from 1e16. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const [mantissa = '0', exponentText = '0'] = x.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = String(x);
  return Number.isInteger(x) ? `${fixed}.0` : fixed;
}

/**
 * Python's `json.dumps` with its default separators (`, ` and `: `) and `ensure_ascii`; `sortKeys` as
 * `sort_keys=True`. A JS number prints as an int when it is integral (YAML and JSON do not say
 * whether `1` was a float), else as a float.
 */
export function pythonJson(value: JsonValue, sortKeys = false): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : pythonFloat(value);
  }
  if (typeof value === 'string') return asciiJsonString(value);
  if (Array.isArray(value)) return `[${value.map((v) => pythonJson(v, sortKeys)).join(', ')}]`;
  const keys = Object.keys(value);
  if (sortKeys) keys.sort();
  return `{${keys.map((k) => `${asciiJsonString(k)}: ${pythonJson(value[k] as JsonValue, sortKeys)}`).join(', ')}}`;
}

const asciiJsonString = (s: string): string =>
  JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Python's `str()` of a value read from YAML or JSON. */
export function pythonStr(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : pythonFloat(value);
  return pythonRepr(value);
}

function pythonRepr(value: JsonValue): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (isRecord(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v as JsonValue)}`)
      .join(', ')}}`;
  }
  return pythonStr(value);
}

/** distutils' `strtobool`, which the v1 `if` reads its condition with; undefined when it is neither. */
export function strtobool(text: string): boolean | undefined {
  const v = text.toLowerCase();
  if (['y', 'yes', 't', 'true', 'on', '1'].includes(v)) return true;
  if (['n', 'no', 'f', 'false', 'off', '0'].includes(v)) return false;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The v1 component, read.

/** A v1 type: a name (`Integer`, `CSV`, `typing.List[str]`) or a structure (`{GCSPath: {...}}`). */
export type V1Type = string | { readonly [key: string]: JsonValue };

export interface V1InputSpec {
  readonly name: string;
  readonly type?: V1Type;
  readonly description?: string;
  /** Of any YAML type. */
  readonly default?: JsonValue;
  readonly optional: boolean;
}

export interface V1OutputSpec {
  readonly name: string;
  readonly type?: V1Type;
  readonly description?: string;
}

/** One element of a v1 command line, its placeholders read into a tagged form. */
export type V1Element =
  | { readonly kind: 'constant'; readonly value: string | number | boolean }
  | { readonly kind: 'inputValue' | 'inputPath' | 'inputUri' | 'isPresent'; readonly input: string }
  | { readonly kind: 'outputPath' | 'outputUri'; readonly output: string }
  | { readonly kind: 'concat'; readonly items: readonly V1Element[] }
  | {
      readonly kind: 'if';
      readonly cond: V1Element;
      readonly thenBranch: V1Element | readonly V1Element[] | null;
      readonly elseBranch: V1Element | readonly V1Element[] | null;
    }
  | { readonly kind: 'executorInput' };

export interface V1Container {
  readonly image: string;
  readonly command: readonly V1Element[];
  readonly args: readonly V1Element[];
  readonly env: Readonly<Record<string, V1Element>>;
  /** The v1 "unconfigurable output paths": the program writes these outputs where it pleases. */
  readonly fileOutputs: Readonly<Record<string, string>>;
}

export interface V1Component {
  readonly name?: string;
  readonly description?: string;
  readonly inputs: readonly V1InputSpec[];
  readonly outputs: readonly V1OutputSpec[];
  readonly metadata?: { readonly annotations?: Readonly<Record<string, JsonValue>> };
  /** A container, or a graph (read by v1-graph.ts; kept here as written). */
  readonly implementation: { readonly container: V1Container } | { readonly graph: unknown };
}

/** Does this mapping look like a v1 component (it has an `implementation`)? */
export const looksLikeV1Component = (doc: Record<string, unknown>): boolean => 'implementation' in doc;

/**
 * Read a v1 component from a parsed YAML/JSON value: every fault with its path, placeholders checked
 * against the inputs and outputs they name (as the v1 SDK's ComponentSpec checks them).
 */
export function decodeV1Component(raw: unknown, path = ''): Result<V1Component, { readonly issues: Issues }> {
  const issues: Issues = [];
  if (!isRecord(raw)) {
    issue(issues, path, 'a component must be a mapping');
    return { ok: false, issues };
  }
  const name = optionalString(raw, 'name', path, issues);
  const description = optionalString(raw, 'description', path, issues);
  const inputs = decodePorts(raw.inputs, at(path, 'inputs'), issues, true) as V1InputSpec[];
  const outputs = decodePorts(raw.outputs, at(path, 'outputs'), issues, false) as V1OutputSpec[];
  const metadata = isRecord(raw.metadata) ? (raw.metadata as V1Component['metadata']) : undefined;
  const implPath = at(path, 'implementation');
  const impl = raw.implementation;
  let implementation: V1Component['implementation'] | undefined;
  if (!isRecord(impl)) {
    issue(issues, implPath, impl === undefined ? 'missing' : 'must be a mapping with `container` or `graph`');
  } else if (impl.container !== undefined) {
    const container = decodeContainer(impl.container, at(implPath, 'container'), inputs, outputs, issues);
    if (container) implementation = { container };
  } else if (impl.graph !== undefined) {
    implementation = { graph: impl.graph };
  } else {
    issue(issues, implPath, 'expected `container` or `graph`');
  }
  if (issues.length > 0 || implementation === undefined) return { ok: false, issues };
  return {
    ok: true,
    value: {
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
      inputs,
      outputs,
      ...(metadata === undefined ? {} : { metadata }),
      implementation,
    },
  };
}

function optionalString(raw: Record<string, unknown>, key: string, path: string, issues: Issues): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    issue(issues, at(path, key), 'must be a string');
    return undefined;
  }
  return v;
}

function decodePorts(raw: unknown, path: string, issues: Issues, isInput: boolean): (V1InputSpec | V1OutputSpec)[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issue(issues, path, 'must be a list');
    return [];
  }
  const ports: (V1InputSpec | V1OutputSpec)[] = [];
  const seen = new Set<string>();
  raw.forEach((p, i) => {
    const pPath = at(path, i);
    if (!isRecord(p)) {
      issue(issues, pPath, 'must be a mapping with a name');
      return;
    }
    if (typeof p.name !== 'string' || p.name === '') {
      issue(issues, at(pPath, 'name'), 'missing');
      return;
    }
    if (seen.has(p.name)) issue(issues, at(pPath, 'name'), `'${p.name}' is declared twice`);
    seen.add(p.name);
    const type = p.type;
    if (type !== undefined && type !== null && typeof type !== 'string' && !isRecord(type)) {
      issue(issues, at(pPath, 'type'), 'must be a type name or a mapping');
    }
    const base = {
      name: p.name,
      ...(typeof type === 'string' || isRecord(type) ? { type: type as V1Type } : {}),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
    };
    if (!isInput) {
      ports.push(base);
      return;
    }
    if (p.optional !== undefined && p.optional !== null && typeof p.optional !== 'boolean') {
      issue(issues, at(pPath, 'optional'), 'must be true or false');
    }
    ports.push({
      ...base,
      ...(p.default === undefined || p.default === null ? {} : { default: p.default as JsonValue }),
      optional: p.optional === true,
    });
  });
  return ports;
}

function decodeContainer(
  raw: unknown,
  path: string,
  inputs: readonly V1InputSpec[],
  outputs: readonly V1OutputSpec[],
  issues: Issues,
): V1Container | undefined {
  if (!isRecord(raw)) {
    issue(issues, path, 'must be a mapping');
    return undefined;
  }
  const inputNames = new Set(inputs.map((i) => i.name));
  const outputNames = new Set(outputs.map((o) => o.name));
  if (typeof raw.image !== 'string' || raw.image === '') issue(issues, at(path, 'image'), 'missing');
  const list = (key: 'command' | 'args'): V1Element[] => {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      issue(issues, at(path, key), 'must be a list');
      return [];
    }
    return v.map((e, i) => decodeElement(e, at(at(path, key), i), inputNames, outputNames, issues));
  };
  const command = list('command');
  const args = list('args');
  const env: Record<string, V1Element> = {};
  if (raw.env !== undefined && raw.env !== null) {
    if (!isRecord(raw.env)) issue(issues, at(path, 'env'), 'must be a mapping of names to values');
    else {
      for (const [k, v] of Object.entries(raw.env)) {
        env[k] = decodeElement(v, at(at(path, 'env'), k), inputNames, outputNames, issues);
      }
    }
  }
  const fileOutputs: Record<string, string> = {};
  if (raw.fileOutputs !== undefined && raw.fileOutputs !== null) {
    if (!isRecord(raw.fileOutputs)) issue(issues, at(path, 'fileOutputs'), 'must be a mapping of outputs to paths');
    else {
      for (const [k, v] of Object.entries(raw.fileOutputs)) {
        const p = at(at(path, 'fileOutputs'), k);
        if (!outputNames.has(k)) issue(issues, p, `no output '${k}' in outputs`);
        if (typeof v !== 'string' || v === '') issue(issues, p, 'must be a file path');
        else fileOutputs[k] = v;
      }
    }
  }
  return { image: typeof raw.image === 'string' ? raw.image : '', command, args, env, fileOutputs };
}

const PORT_PLACEHOLDERS = ['inputValue', 'inputPath', 'inputUri', 'isPresent', 'outputPath', 'outputUri'] as const;

function decodeElement(
  raw: unknown,
  path: string,
  inputs: ReadonlySet<string>,
  outputs: ReadonlySet<string>,
  issues: Issues,
): V1Element {
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return { kind: 'constant', value: raw };
  const fallback: V1Element = { kind: 'constant', value: '' };
  if (!isRecord(raw)) {
    issue(issues, path, 'expected a string or a placeholder');
    return fallback;
  }
  const keys = Object.keys(raw);
  if (keys.length !== 1) {
    issue(issues, path, `a placeholder has exactly one key, not ${keys.length === 0 ? 'none' : keys.join(', ')}`);
    return fallback;
  }
  const key = keys[0] as string;
  const value = raw[key];
  const kPath = at(path, key);
  if ((PORT_PLACEHOLDERS as readonly string[]).includes(key)) {
    if (typeof value !== 'string') {
      issue(issues, kPath, 'must name an input or an output');
      return fallback;
    }
    if (key === 'outputPath' || key === 'outputUri') {
      if (!outputs.has(value)) issue(issues, kPath, `no output '${value}' in outputs`);
      return { kind: key, output: value };
    }
    if (!inputs.has(value)) issue(issues, kPath, `no input '${value}' in inputs`);
    return { kind: key as 'inputValue' | 'inputPath' | 'inputUri' | 'isPresent', input: value };
  }
  if (key === 'concat') {
    if (!Array.isArray(value)) {
      issue(issues, kPath, 'must be a list');
      return fallback;
    }
    return { kind: 'concat', items: value.map((e, i) => decodeElement(e, at(kPath, i), inputs, outputs, issues)) };
  }
  if (key === 'if') {
    if (!isRecord(value) || value.cond === undefined) {
      issue(issues, kPath, 'must be a mapping with `cond`, `then` and optionally `else`');
      return fallback;
    }
    const branch = (name: 'then' | 'else'): V1Element | V1Element[] | null => {
      const b = value[name];
      if (b === undefined || b === null) return null;
      if (Array.isArray(b)) return b.map((e, i) => decodeElement(e, at(at(kPath, name), i), inputs, outputs, issues));
      return decodeElement(b, at(kPath, name), inputs, outputs, issues);
    };
    return {
      kind: 'if',
      cond: decodeElement(value.cond, at(kPath, 'cond'), inputs, outputs, issues),
      thenBranch: branch('then'),
      elseBranch: branch('else'),
    };
  }
  if (key === 'executorInput') return { kind: 'executorInput' };
  issue(issues, kPath, `unknown placeholder '${key}'`);
  return fallback;
}

// ---------------------------------------------------------------------------------------------
// Types: parameter or artifact.

/** type_utils.PARAMETER_TYPES_MAPPING. */
const PARAMETER_TYPE_OF: Readonly<Record<string, ParameterType>> = {
  integer: 'NUMBER_INTEGER',
  int: 'NUMBER_INTEGER',
  double: 'NUMBER_DOUBLE',
  float: 'NUMBER_DOUBLE',
  string: 'STRING',
  str: 'STRING',
  text: 'STRING',
  bool: 'BOOLEAN',
  boolean: 'BOOLEAN',
  dict: 'STRUCT',
  list: 'LIST',
  jsonobject: 'STRUCT',
  jsonarray: 'LIST',
};

/** type_utils.ARTIFACT_CLASSES_MAPPING, by schema title. */
const ARTIFACT_TITLE_OF: Readonly<Record<string, string>> = {
  artifact: 'system.Artifact',
  model: 'system.Model',
  dataset: 'system.Dataset',
  metrics: 'system.Metrics',
  classificationmetrics: 'system.ClassificationMetrics',
  slicedclassificationmetrics: 'system.SlicedClassificationMetrics',
  html: 'system.HTML',
  markdown: 'system.Markdown',
};

/** type_utils.get_canonical_name_for_outer_generic: `typing.List[str]` is `List`. */
function canonicalTypeName(type: V1Type | undefined): V1Type | undefined {
  if (typeof type !== 'string') return type;
  const t = type.startsWith('typing.') ? type.slice('typing.'.length) : type;
  const lower = t.toLowerCase();
  return lower.startsWith('list') || lower.startsWith('dict') ? (t.split('[')[0] as string) : t;
}

/** The IR parameter type a v1 type names, if it names one. */
export function parameterTypeOf(type: V1Type | undefined): ParameterType | undefined {
  const t = canonicalTypeName(type);
  return typeof t === 'string' ? PARAMETER_TYPE_OF[t.toLowerCase()] : undefined;
}

/** The artifact type a v1 type stands for (anything not a parameter: `system.Artifact` unless named). */
export function artifactTypeOf(type: V1Type | undefined): ArtifactTypeSchema {
  const t = canonicalTypeName(type);
  if (typeof t === 'string' && /^google.[A-Za-z]+$/.test(t)) return { schemaTitle: t, schemaVersion: '0.0.1' };
  const title = typeof t === 'string' ? ARTIFACT_TITLE_OF[t.toLowerCase()] : undefined;
  return { schemaTitle: title ?? 'system.Artifact', schemaVersion: '0.0.1' };
}

/**
 * type_utils.deserialize_v1_component_yaml_default: a default cast to its parameter type, as Python
 * casts it (`int('0')`, `float('0.3')`, strtobool, `json.loads` that keeps the text when it fails).
 */
export function castDefault(type: ParameterType, value: JsonValue): Result<JsonValue, { readonly message: string }> {
  const fail = (what: string) => ({ ok: false as const, message: `default ${pythonJson(value)} is not ${what}` });
  switch (type) {
    case 'NUMBER_INTEGER': {
      if (typeof value === 'number') return { ok: true, value: Math.trunc(value) };
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
      if (typeof value === 'string' && /^\s*[-+]?\d+(_\d+)*\s*$/.test(value)) {
        return { ok: true, value: Number(value.replace(/_/g, '').trim()) };
      }
      return fail('an integer');
    }
    case 'NUMBER_DOUBLE': {
      if (typeof value === 'number') return { ok: true, value };
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
      if (typeof value === 'string') {
        const t = value.trim().toLowerCase();
        if (/^[-+]?((\d+(_\d+)*)?\.?\d+(_\d+)*([e][-+]?\d+)?|\d+\.)$/.test(t))
          return { ok: true, value: Number(t.replace(/_/g, '')) };
      }
      return fail('a number');
    }
    case 'BOOLEAN': {
      if (typeof value === 'boolean') return { ok: true, value };
      if (typeof value === 'string') {
        const b = strtobool(value);
        return b === undefined ? fail('a boolean') : { ok: true, value: b };
      }
      // bool(x) of anything else, as Python has it.
      return {
        ok: true,
        value: Array.isArray(value) ? value.length > 0 : isRecord(value) ? Object.keys(value).length > 0 : !!value,
      };
    }
    case 'STRUCT':
    case 'LIST': {
      if (typeof value !== 'string') return { ok: true, value };
      try {
        return { ok: true, value: JSON.parse(value) as JsonValue };
      } catch {
        return { ok: true, value };
      }
    }
    default:
      return { ok: true, value: pythonStr(value) };
  }
}

// ---------------------------------------------------------------------------------------------
// The conversion to the IR.

type PortKind = 'parameter' | 'artifact';

export function visitElements(elements: Iterable<V1Element>, visit: (e: V1Element) => void): void {
  for (const e of elements) {
    visit(e);
    if (e.kind === 'concat') visitElements(e.items, visit);
    if (e.kind === 'if') {
      visitElements([e.cond], visit);
      for (const b of [e.thenBranch, e.elseBranch]) {
        if (b === null) continue;
        visitElements(Array.isArray(b) ? b : [b as V1Element], visit);
      }
    }
  }
}

export function containerElements(c: V1Container): V1Element[] {
  return [...c.command, ...c.args, ...Object.values(c.env)];
}

/** The kind each input and output of a container component takes in the IR (see the file's comment). */
export function portKinds(
  component: V1Component,
  outputOverrides: ReadonlyMap<string, PortKind> = new Map(),
): { readonly inputs: ReadonlyMap<string, PortKind>; readonly outputs: ReadonlyMap<string, PortKind> } {
  const byValue = new Set<string>();
  const asFile = new Set<string>();
  const outByUri = new Set<string>();
  if ('container' in component.implementation) {
    visitElements(containerElements(component.implementation.container), (e) => {
      if (e.kind === 'inputValue') byValue.add(e.input);
      if (e.kind === 'inputPath' || e.kind === 'inputUri') asFile.add(e.input);
      if (e.kind === 'outputUri') outByUri.add(e.output);
    });
  }
  const inputs = new Map<string, PortKind>();
  for (const i of component.inputs) {
    const byType: PortKind = parameterTypeOf(i.type) === undefined ? 'artifact' : 'parameter';
    inputs.set(i.name, asFile.has(i.name) ? 'artifact' : byValue.has(i.name) ? 'parameter' : byType);
  }
  const outputs = new Map<string, PortKind>();
  for (const o of component.outputs) {
    const byType: PortKind = parameterTypeOf(o.type) === undefined || outByUri.has(o.name) ? 'artifact' : 'parameter';
    outputs.set(o.name, outputOverrides.get(o.name) ?? byType);
  }
  return { inputs, outputs };
}

export interface ConvertedContainer {
  /** The component's interface and executor label. */
  readonly component: ComponentSpec;
  readonly container: ContainerSpec;
}

/**
 * A v1 container component as an IR component and the container of its executor (`executorLabel`
 * named by the caller). `outputOverrides` turns outputs into artifacts or parameters where a graph
 * hands them on to an input of the other kind (v1-graph.ts).
 */
export function convertV1Container(
  component: V1Component,
  executorLabel: string,
  path = '',
  outputOverrides: ReadonlyMap<string, PortKind> = new Map(),
): Result<ConvertedContainer, { readonly issues: Issues }> {
  const issues: Issues = [];
  if (!('container' in component.implementation)) {
    issue(issues, at(path, 'implementation'), 'not a container component');
    return { ok: false, issues };
  }
  const container = component.implementation.container;
  const kinds = portKinds(component, outputOverrides);

  // Inputs read both ways cannot be one kind.
  const byValue = new Set<string>();
  const asFile = new Set<string>();
  visitElements(containerElements(container), (e) => {
    if (e.kind === 'inputValue') byValue.add(e.input);
    if (e.kind === 'inputPath' || e.kind === 'inputUri') asFile.add(e.input);
  });
  for (const name of byValue) {
    if (asFile.has(name)) issue(issues, at(path, 'inputs'), `input '${name}' is read both by value and as a file`);
  }

  const inputDefinitions = interfaceOf(component, kinds, path, issues, true);
  const outputDefinitions = interfaceOf(component, kinds, path, issues, false);
  const ctx: ElementContext = { inputKinds: kinds.inputs, outputKinds: kinds.outputs, issues };
  const line = (elements: readonly V1Element[], p: string): string[] => elements.flatMap((e, i) => topLevelV2(e, at(p, i), ctx));
  const cPath = at(at(path, 'implementation'), 'container');
  const command = line(container.command, at(cPath, 'command'));
  const args = line(container.args, at(cPath, 'args'));
  const env = Object.entries(container.env).map(([name, e]) => ({
    name,
    value: topLevelV2(e, at(at(cPath, 'env'), name), ctx).join(' '),
  }));
  if (issues.length > 0) return { ok: false, issues };
  const spec: ContainerSpec = {
    image: container.image,
    ...(command.length > 0 ? { command } : {}),
    ...(args.length > 0 ? { args } : {}),
    ...(env.length > 0 ? { env } : {}),
  };
  return {
    ok: true,
    value: {
      component: {
        ...(inputDefinitions ? { inputDefinitions } : {}),
        ...(outputDefinitions ? { outputDefinitions } : {}),
        executorLabel,
      },
      container: spec,
    },
  };
}

function interfaceOf(
  component: V1Component,
  kinds: { readonly inputs: ReadonlyMap<string, PortKind>; readonly outputs: ReadonlyMap<string, PortKind> },
  path: string,
  issues: Issues,
  isInput: boolean,
): InterfaceSpec | undefined {
  const parameters: Record<string, ParameterSpec> = {};
  const artifacts: Record<string, ArtifactSpec> = {};
  const ports: readonly (V1InputSpec | V1OutputSpec)[] = isInput ? component.inputs : component.outputs;
  ports.forEach((port, i) => {
    const name = sanitizeInputName(port.name);
    const kind = (isInput ? kinds.inputs : kinds.outputs).get(port.name);
    const input = isInput ? (port as V1InputSpec) : undefined;
    const optional = input !== undefined && (input.optional || input.default !== undefined);
    const description = port.description === undefined ? {} : { description: port.description };
    if (kind === 'parameter') {
      const parameterType = parameterTypeOf(port.type) ?? 'STRING';
      let defaultValue: JsonValue | undefined;
      if (input?.default !== undefined) {
        const cast = castDefault(parameterType, input.default);
        if (cast.ok) defaultValue = cast.value;
        else issue(issues, at(at(at(path, 'inputs'), i), 'default'), cast.message);
      }
      // v1's rule, not the v2 SDK's conversion: an input declared optional and given no argument is
      // absent (its `if`/`isPresent` takes the else branch), even with a default; a required
      // input takes its default.
      parameters[name] = {
        parameterType,
        ...(defaultValue === undefined || input?.optional === true ? {} : { defaultValue }),
        ...(optional ? { isOptional: true } : {}),
        ...description,
      };
    } else {
      artifacts[name] = {
        artifactType: artifactTypeOf(port.type),
        ...(optional ? { isOptional: true } : {}),
        ...description,
      };
    }
  });
  const hasParameters = Object.keys(parameters).length > 0;
  const hasArtifacts = Object.keys(artifacts).length > 0;
  if (!hasParameters && !hasArtifacts) return undefined;
  return { ...(hasParameters ? { parameters } : {}), ...(hasArtifacts ? { artifacts } : {}) };
}

interface ElementContext {
  readonly inputKinds: ReadonlyMap<string, PortKind>;
  readonly outputKinds: ReadonlyMap<string, PortKind>;
  readonly issues: Issues;
}

/** A v2 command-line element: a string, or the structure of a Concat or IfPresent. */
type V2Element = string | { readonly [key: string]: JsonValue };

/** A top-level element of the command line: strings, a static `if` spliced in place. */
function topLevelV2(e: V1Element, path: string, ctx: ElementContext): string[] {
  if (e.kind === 'if') {
    const chosen = staticBranch(e, path, ctx);
    if (chosen !== undefined) return branchElements(chosen).flatMap((b, i) => topLevelV2(b, at(path, i), ctx));
  }
  const v = toV2(e, path, ctx);
  return v === null ? [] : [typeof v === 'string' ? v : pythonJson(v)];
}

const branchElements = (b: V1Element | readonly V1Element[] | null): readonly V1Element[] =>
  b === null ? [] : Array.isArray(b) ? b : [b as V1Element];

/**
 * An `if` whose condition is a constant is decided here (the v1 SDK read it with strtobool); one
 * on `isPresent` is left to the run; one on anything else cannot be written in the IR.
 */
function staticBranch(
  e: Extract<V1Element, { kind: 'if' }>,
  path: string,
  ctx: ElementContext,
): V1Element | readonly V1Element[] | null | undefined {
  if (e.cond.kind === 'isPresent') return undefined;
  if (e.cond.kind === 'constant') {
    const b = strtobool(pythonStr(e.cond.value));
    if (b === undefined) {
      issue(ctx.issues, at(at(path, 'if'), 'cond'), `'${pythonStr(e.cond.value)}' is not a truth value`);
      return null;
    }
    return b ? e.thenBranch : e.elseBranch;
  }
  issue(ctx.issues, at(at(path, 'if'), 'cond'), 'only `isPresent` or a constant can be a condition in the v2 IR');
  return null;
}

function toV2(e: V1Element, path: string, ctx: ElementContext): V2Element | null {
  switch (e.kind) {
    case 'constant':
      return pythonStr(e.value);
    case 'inputValue': {
      const name = sanitizeInputName(e.input);
      if (ctx.inputKinds.get(e.input) === 'artifact') {
        issue(ctx.issues, path, `input '${e.input}' is an artifact and has no value`);
      }
      return `{{$.inputs.parameters['${name}']}}`;
    }
    case 'inputPath':
      return `{{$.inputs.artifacts['${sanitizeInputName(e.input)}'].path}}`;
    case 'inputUri':
      return `{{$.inputs.artifacts['${sanitizeInputName(e.input)}'].uri}}`;
    case 'outputPath': {
      const name = sanitizeInputName(e.output);
      return ctx.outputKinds.get(e.output) === 'parameter'
        ? `{{$.outputs.parameters['${name}'].output_file}}`
        : `{{$.outputs.artifacts['${name}'].path}}`;
    }
    case 'outputUri':
      return `{{$.outputs.artifacts['${sanitizeInputName(e.output)}'].uri}}`;
    case 'executorInput':
      return '{{$}}';
    case 'isPresent':
      issue(ctx.issues, path, '`isPresent` can only be the condition of an `if`');
      return null;
    case 'concat':
      return { Concat: e.items.flatMap((item, i) => nestedV2(item, at(at(path, 'concat'), i), ctx)) };
    case 'if': {
      const chosen = staticBranch(e, path, ctx);
      if (chosen !== undefined) {
        // A decided `if` nested in a concat: its branch's elements, concatenated in place.
        const items = branchElements(chosen).flatMap((b, i) => nestedV2(b, at(path, i), ctx));
        return items.length === 1 && typeof items[0] === 'string' ? items[0] : { Concat: items as JsonValue[] };
      }
      const inputName = sanitizeInputName((e.cond as { input: string }).input);
      const branch = (b: V1Element | readonly V1Element[] | null, name: string): JsonValue | undefined => {
        if (b === null) return undefined;
        if (Array.isArray(b)) return b.flatMap((x, i) => nestedV2(x, at(at(at(path, 'if'), name), i), ctx)) as JsonValue[];
        const one = nestedV2(b as V1Element, at(at(path, 'if'), name), ctx);
        return one.length === 1 ? (one[0] as JsonValue) : (one as JsonValue[]);
      };
      const then = branch(e.thenBranch, 'then') ?? [];
      const otherwise = branch(e.elseBranch, 'else');
      // The SDK writes Else only when it is not empty (`if self.else_:`).
      const hasElse = otherwise !== undefined && !(Array.isArray(otherwise) && otherwise.length === 0);
      return { IfPresent: { InputName: inputName, Then: then, ...(hasElse ? { Else: otherwise } : {}) } };
    }
  }
}

/** An element inside a Concat or an IfPresent: strings stay strings, structures stay structures. */
function nestedV2(e: V1Element, path: string, ctx: ElementContext): JsonValue[] {
  const v = toV2(e, path, ctx);
  return v === null ? [] : [v as JsonValue];
}

/**
 * A v1 container component as a one-step pipeline, as `ComponentSpec.to_pipeline_spec` compiles one:
 * the component's inputs are the pipeline's, its outputs the pipeline's outputs, one task runs it.
 */
export function v1ComponentToPipelineSpec(component: V1Component, path = ''): Result<PipelineSpec, { readonly issues: Issues }> {
  const displayName = component.name ?? 'name';
  const base = k8sName(displayName) || 'component';
  const converted = convertV1Container(component, `exec-${base}`, path);
  if (!converted.ok) return converted;
  const { component: comp, container } = converted.value;
  const taskInputs: {
    parameters?: Record<string, { componentInputParameter: string }>;
    artifacts?: Record<string, { componentInputArtifact: string }>;
  } = {};
  for (const name of Object.keys(comp.inputDefinitions?.parameters ?? {})) {
    taskInputs.parameters ??= {};
    taskInputs.parameters[name] = { componentInputParameter: name };
  }
  for (const name of Object.keys(comp.inputDefinitions?.artifacts ?? {})) {
    taskInputs.artifacts ??= {};
    taskInputs.artifacts[name] = { componentInputArtifact: name };
  }
  const outputs: NonNullable<DagSpec['outputs']> = dagOutputsOf(comp, base);
  const dag: DagSpec = {
    tasks: {
      [base]: {
        taskInfo: { name: base },
        componentRef: { name: `comp-${base}` },
        ...(Object.keys(taskInputs).length > 0 ? { inputs: taskInputs as TaskInputsSpec } : {}),
        cachingOptions: { enableCache: true },
      },
    },
    ...(outputs.parameters || outputs.artifacts ? { outputs } : {}),
  };
  return {
    ok: true,
    value: {
      pipelineInfo: {
        name: base,
        ...(displayName !== base ? { displayName } : {}),
        ...(component.description === undefined ? {} : { description: component.description }),
      },
      components: { [`comp-${base}`]: comp },
      root: {
        ...(comp.inputDefinitions ? { inputDefinitions: comp.inputDefinitions } : {}),
        ...(comp.outputDefinitions ? { outputDefinitions: comp.outputDefinitions } : {}),
        dag,
      },
      deploymentSpec: { executors: { [`exec-${base}`]: { container } } },
      schemaVersion: '2.1.0',
    },
  };
}

/** A DAG's outputs that hand on every output of one of its tasks under the same names. */
function dagOutputsOf(comp: ComponentSpec, task: string): NonNullable<DagSpec['outputs']> {
  const parameters = Object.fromEntries(
    Object.keys(comp.outputDefinitions?.parameters ?? {}).map((k) => [
      k,
      { valueFromParameter: { producerSubtask: task, outputParameterKey: k } },
    ]),
  );
  const artifacts = Object.fromEntries(
    Object.keys(comp.outputDefinitions?.artifacts ?? {}).map((k) => [
      k,
      { artifactSelectors: [{ producerSubtask: task, outputArtifactKey: k }] },
    ]),
  );
  return {
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
    ...(Object.keys(artifacts).length > 0 ? { artifacts } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The v1 command line, as the v1 SDK rendered it.

export interface V1CommandLine {
  readonly command: readonly string[];
  readonly args: readonly string[];
  /** Where each input read as a file is put (`/tmp/inputs/<name>/data`). */
  readonly inputPaths: Readonly<Record<string, string>>;
  /** Where each output is written: `fileOutputs` as given, the rest `/tmp/outputs/<name>/data`. */
  readonly outputPaths: Readonly<Record<string, string>>;
}

/** `_components._sanitize_file_name`. */
const fileName = (name: string): string => name.replace(/[^-_.0-9a-zA-Z]+/g, '_');

/**
 * The command line the v1 SDK rendered for a container component and arguments
 * (`_resolve_command_line_and_paths` behind the task factory), by the original input names:
 *
 * - an optional input without an argument is absent, even with a default (the factory passed no
 *   argument for it); a required input without one takes its default, and without a default it is
 *   an error;
 * - an absent input's `inputValue` or `inputPath` is dropped from the line (inside a `concat` too);
 * - `inputUri`, `outputUri` and `executorInput`, which only the v2 SDK resolves, are errors;
 * - `isPresent` is `True`/`False`, and an `if` reads its condition with strtobool: then or else, a
 *   list spliced into the line;
 * - values print as Python's `str()` does, lists and mappings of JSON types as `json.dumps` with
 *   sorted keys.
 */
export function renderV1CommandLine(
  component: V1Component,
  args: Readonly<Record<string, JsonValue | undefined>>,
): Result<V1CommandLine, { readonly message: string }> {
  if (!('container' in component.implementation)) return { ok: false, message: 'only a container component has a command line' };
  const container = component.implementation.container;
  const inputs = new Map(component.inputs.map((i) => [i.name, i]));
  for (const name of Object.keys(args)) {
    if (!inputs.has(name)) return { ok: false, message: `no input '${name}' in the component` };
  }
  const values = new Map<string, JsonValue>();
  for (const input of component.inputs) {
    const given = args[input.name];
    if (given !== undefined && given !== null) values.set(input.name, given);
    else if (!input.optional) {
      if (input.default === undefined) return { ok: false, message: `no value for the required input '${input.name}'` };
      values.set(input.name, input.default);
    }
  }
  const inputPaths: Record<string, string> = {};
  const outputPaths: Record<string, string> = {};
  for (const output of component.outputs) {
    const fixed = container.fileOutputs[output.name];
    if (fixed !== undefined) outputPaths[output.name] = fixed;
  }
  let failure: string | undefined;

  const expand = (e: V1Element): string | string[] | null => {
    switch (e.kind) {
      case 'constant':
        return pythonStr(e.value);
      case 'inputValue': {
        const v = values.get(e.input);
        return v === undefined ? null : serializeArgument(v, inputs.get(e.input)?.type);
      }
      case 'inputUri':
      case 'outputUri':
        // The v1 SDK had no rendering of its own for URIs (`Unrecognized argument type`).
        failure ??= `\`${e.kind}\` has no v1 rendering`;
        return null;
      case 'inputPath': {
        if (!values.has(e.input)) return null;
        const p = `/tmp/inputs/${fileName(e.input)}/data`;
        inputPaths[e.input] = p;
        return p;
      }
      case 'outputPath': {
        const p = `/tmp/outputs/${fileName(e.output)}/data`;
        const fixed = outputPaths[e.output];
        if (fixed !== undefined && fixed !== p) {
          failure ??= `conflicting output files for '${e.output}': ${fixed} and ${p}`;
        }
        outputPaths[e.output] = p;
        return p;
      }
      case 'isPresent':
        return values.has(e.input) ? 'True' : 'False';
      case 'concat':
        return expandList(e.items).join('');
      case 'if': {
        const cond = expand(e.cond);
        const condText = Array.isArray(cond) ? (cond.length > 0 ? cond.join('') : null) : cond;
        let truth = false;
        if (condText !== null && condText !== '') {
          const b = strtobool(condText);
          if (b === undefined) failure ??= `invalid truth value '${condText}' in an if`;
          truth = b === true;
        }
        const chosen = truth ? e.thenBranch : e.elseBranch;
        if (chosen === null) return [];
        return Array.isArray(chosen) ? expandList(chosen) : expand(chosen as V1Element);
      }
      case 'executorInput':
        failure ??= '`executorInput` has no v1 rendering';
        return null;
    }
  };
  const expandList = (list: readonly V1Element[]): string[] =>
    list.flatMap((e) => {
      const x = expand(e);
      return x === null ? [] : Array.isArray(x) ? x : [x];
    });
  const command = expandList(container.command);
  const argv = expandList(container.args);
  if (failure !== undefined) return { ok: false, message: failure };
  return { ok: true, value: { command, args: argv, inputPaths, outputPaths } };
}

/** `_data_passing.serialize_value`: a string as it is, else by the input's type (or the value's). */
function serializeArgument(value: JsonValue, type: V1Type | undefined): string {
  if (typeof value === 'string') return value;
  const p = parameterTypeOf(type);
  if (p === 'STRUCT' || p === 'LIST' || Array.isArray(value) || isRecord(value)) return pythonJson(value, true);
  return pythonStr(value);
}
