/**
 * A container step's command line as KFP runs it: every placeholder of the executor's `command` and
 * `args` resolved into the final argv, from what the run knows of the task (its input values and
 * artifacts, where its outputs go, the run and the task).
 *
 * The rules are KFP's, read from its backend and SDK:
 * - the string placeholders (`{{$...}}`, anywhere inside an argument) are those the SDK writes
 *   (sdk/python/kfp/dsl/placeholders.py, the constants of kfp.dsl) and the launcher resolves
 *   (backend/src/v2/component/launcher_v2.go, `getPlaceholders`, `compileCmdAndArgs`): `{{$}}` is the
 *   executor input as JSON, in the shape of `ExecutorInput` (api/v2alpha1/pipeline_spec.proto);
 * - an input parameter is written as KFP's driver writes it (backend/src/v2/driver/util.go,
 *   `pbValueToString`): a string as it is, a whole number without a decimal point, another number as
 *   Go's `%g`, a bool as `true`/`false`, a list or struct as Go's `encoding/json` writes it;
 * - the JSON placeholders `{"Concat": [...]}` and `{"IfPresent": {...}}` (an argument that is one JSON
 *   object, as the SDK dumps them for v1-style and container components) follow the SDK's local runner
 *   (sdk/python/kfp/local/placeholder_utils.py) and the driver's `resolveCondition`: an IfPresent at the
 *   top splices its Then or Else list into argv (nothing when the branch is missing), a Concat makes one
 *   argument, and an input is present when it has a value that is not null, defaults aside;
 * - an artifact's local path comes from its URI as the launcher maps it (`localPathOf`).
 *
 * Where KFP is silent or unkind, gpupool chooses and says so. A bare reference to an absent input
 * takes the component's default (as the launcher's `addDefaultParams` gives it), and without one it is
 * an issue (KFP's driver fails the task: "parameter not found in executor input"); KFP's launcher
 * would leave an unresolvable artifact placeholder in the command line as text, gpupool names it
 * instead. Substitution is one pass over the written text: a value that itself contains `{{$...}}` is
 * not resolved again (KFP's repeated string replacement would). `{{$.inputs.artifacts['x'].metadata}}`
 * and `.metadata['key']`, which the open-source launcher does not resolve, are resolved as the SDK's
 * local runner does.
 *
 * Pure: the run's identity, times and paths all come in through the context.
 */
import type { Result } from '../result.js';
import type { ArtifactTypeSchema, InterfaceSpec, JsonValue } from './ir.js';

/** Where KFP mounts a pipeline's workspace volume (backend/src/v2/component/constants.go). */
export const WORKSPACE_MOUNT_PATH = '/kfp-workspace';
/** The executor output file when the pipeline root has no local path (launcher_v2.go). */
export const DEFAULT_OUTPUT_METADATA_FILE = '/tmp/kfp_outputs/output_metadata.json';

/** An artifact as the container sees it: a URI, and the local path it is mounted at. */
export interface RuntimeArtifact {
  readonly name?: string;
  readonly uri: string;
  /** The local path; when left out, the one KFP derives from the URI (`artifactLocalPath`). */
  readonly path?: string;
  readonly type?: ArtifactTypeSchema;
  readonly metadata?: Readonly<Record<string, JsonValue>>;
}

/** Everything a container's placeholders can name, for one execution of one task. */
export interface ExecutionContext {
  /** The task's input parameter values; a null value is an absent one, as KFP's driver treats it. */
  readonly parameters: Readonly<Record<string, JsonValue>>;
  /** The task's input artifacts (a list input has several); an empty list is an absent input. */
  readonly artifacts: Readonly<Record<string, readonly RuntimeArtifact[]>>;
  /**
   * The component's inputs, when known: their defaults stand in for absent values, and a placeholder
   * naming an input the component does not declare is told apart from an absent optional input.
   */
  readonly inputDefinitions?: InterfaceSpec;
  readonly outputParameters: Readonly<Record<string, { readonly outputFile: string }>>;
  readonly outputArtifacts: Readonly<Record<string, RuntimeArtifact>>;
  /** The executor output file (`ExecutorInput.outputs.output_file`). */
  readonly outputMetadataFile: string;
  readonly job: {
    /** The run's display name (`{{$.pipeline_job_name}}`). */
    readonly name: string;
    /** The run's resource name (`{{$.pipeline_job_resource_name}}`); the display name when left out. */
    readonly resourceName?: string;
    readonly uuid: string;
    readonly createTimeUtc: string;
    readonly scheduleTimeUtc: string;
  };
  readonly task: { readonly name: string; readonly uuid: string };
  readonly pipelineRoot: string;
}

/** The JSON placeholders, as the SDK dumps them (`ConcatPlaceholder._to_dict`, `IfPresentPlaceholder._to_dict`). */
export type CommandLineElement = string | ConcatPlaceholder | IfPresentPlaceholder;
export interface ConcatPlaceholder {
  readonly Concat: readonly CommandLineElement[];
}
export interface IfPresentPlaceholder {
  readonly IfPresent: {
    readonly InputName: string;
    readonly Then?: CommandLineElement | readonly CommandLineElement[];
    readonly Else?: CommandLineElement | readonly CommandLineElement[];
  };
}

export type PlaceholderIssueKind =
  /** `{{$...}}` that is none of KFP's placeholders. */
  | 'unknown-placeholder'
  /** A JSON placeholder that does not parse or has not the SDK's shape. */
  | 'malformed-placeholder'
  /** An input the component does not declare. */
  | 'unknown-input'
  /** A declared (or undeclared, when the component's inputs are not given) input with no value and no default. */
  | 'absent-input'
  /** An output the task does not have. */
  | 'unknown-output'
  /** An artifact whose local path cannot be derived from its URI. */
  | 'no-local-path'
  /** `.metadata['key']` of an artifact whose metadata has no such key. */
  | 'absent-metadata';

export interface PlaceholderIssue {
  readonly kind: PlaceholderIssueKind;
  /** Where: `args[3]`, `command[1]`. */
  readonly at: string;
  /** The index of the element in its list. */
  readonly index: number;
  /** The placeholder at fault, as written. */
  readonly placeholder: string;
  /** The input or output it names, if any. */
  readonly name?: string;
  readonly message: string;
}

export type Resolved<A> = Result<A, { readonly issues: readonly PlaceholderIssue[]; readonly message: string }>;

/**
 * Resolve one list of command-line elements (a container's `command` or its `args`) into argv.
 * Every issue is reported, each with the index of its element; `label` names the list in them.
 */
export function resolveArgs(elements: readonly CommandLineElement[], ctx: ExecutionContext, label = 'args'): Resolved<string[]> {
  const issues: PlaceholderIssue[] = [];
  const argv: string[] = [];
  elements.forEach((element, index) => {
    const report = (issue: Omit<PlaceholderIssue, 'at' | 'index'>) => issues.push({ at: `${label}[${index}]`, index, ...issue });
    const resolver = new ElementResolver(ctx, report);
    argv.push(...resolver.topLevel(element));
  });
  if (issues.length > 0) return { ok: false, issues, message: issues.map((i) => `${i.at}: ${i.message}`).join('; ') };
  return { ok: true, value: argv };
}

/** Resolve a container's command and args; its argv is `[...command, ...args]`. */
export function resolveContainer(
  container: { readonly command?: readonly CommandLineElement[]; readonly args?: readonly CommandLineElement[] },
  ctx: ExecutionContext,
): Resolved<{ command: string[]; args: string[] }> {
  const command = resolveArgs(container.command ?? [], ctx, 'command');
  const args = resolveArgs(container.args ?? [], ctx, 'args');
  if (command.ok && args.ok) return { ok: true, value: { command: command.value, args: args.value } };
  const issues = [...(command.ok ? [] : command.issues), ...(args.ok ? [] : args.issues)];
  return { ok: false, issues, message: issues.map((i) => `${i.at}: ${i.message}`).join('; ') };
}

/**
 * A run-level placeholder as a task's constant input (`runtimeValue.constant`, what the SDK writes for
 * `dsl.PIPELINE_JOB_NAME_PLACEHOLDER` and its kin passed as an argument), resolved as KFP's driver does:
 * the run's and the task's identity and times matched whole, the workspace path anywhere in the string.
 * The pipeline root too, when given (KFP's driver leaves it as written, which no step can use).
 */
export function resolveConstant(
  value: JsonValue,
  ctx: Pick<ExecutionContext, 'job' | 'task'> & Partial<Pick<ExecutionContext, 'pipelineRoot'>>,
): JsonValue {
  if (typeof value !== 'string') return value;
  if (value.includes('{{$.workspace_path}}')) return value.split('{{$.workspace_path}}').join(WORKSPACE_MOUNT_PATH);
  if (!value.startsWith('{{$.') || !value.endsWith('}}')) return value;
  const name = value.slice('{{$.'.length, -'}}'.length);
  if (name === 'pipeline_root') return ctx.pipelineRoot ?? value;
  const run = own(RUN_PLACEHOLDERS, name);
  return run?.constant ? run.resolve(ctx) : value;
}

/**
 * A task's constant input that embeds `{{$.inputs.parameters['x']}}`: what the SDK compiles an f-string
 * over pipeline channels into (`f'heads and {num}'` gives `heads and {{$.inputs.parameters['pipelinechannel--num']}}`),
 * resolved inside lists and structs too (kubeflow/pipelines#12040). The values are the caller's: the
 * task's other inputs, where the SDK adds the channel as an input of the task, and the inputs of the DAG
 * it is in, where it does not (flip_coin's messages). Each value is written as in a command line; a
 * reference to no value is left as it is written, as KFP leaves it.
 */
export function resolveParameterReferences(value: JsonValue, parameters: Readonly<Record<string, JsonValue>>): JsonValue {
  if (typeof value === 'string') {
    return value.replace(/\{\{\$\.inputs\.parameters\['([^']*)'\]\}\}/g, (whole, name: string) => {
      const found = own(parameters, name);
      return found === undefined || found === null ? whole : renderParameterValue(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => resolveParameterReferences(item, parameters));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveParameterReferences(item, parameters)]));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Local paths and outputs

/**
 * The local path at which KFP's launcher mounts an artifact URI (`LocalPathForURI`): gs:// under /gcs/,
 * s3:// under /s3/, minio:// under /minio/, an OCI image under /oci/ (its slashes made underscores)
 * with /models. A shared volume, gpupool's other kind of pipeline root, is read in place: a file://
 * URI or an absolute path is its own path. Any other scheme has no local path.
 */
export function localPathOf(uri: string): Result<string, { readonly message: string }> {
  const mounts: readonly (readonly [string, string])[] = [
    ['gs://', '/gcs/'],
    ['minio://', '/minio/'],
    ['s3://', '/s3/'],
  ];
  for (const [scheme, mount] of mounts) {
    if (uri.startsWith(scheme)) return { ok: true, value: mount + uri.slice(scheme.length) };
  }
  if (uri.startsWith('oci://')) return { ok: true, value: `/oci/${uri.slice('oci://'.length).replaceAll('/', '_')}/models` };
  if (uri.startsWith('file://')) {
    const path = uri.slice('file://'.length);
    if (path.startsWith('/')) return { ok: true, value: path };
  }
  if (uri.startsWith('/')) return { ok: true, value: uri };
  return { ok: false, message: `no local path for the URI ${JSON.stringify(uri)}: unsupported storage scheme` };
}

/**
 * Where a runtime artifact is seen by the container (`retrieveArtifactPath`): its own path if given;
 * under the workspace when its metadata says it is there already (`_kfp_workspace`); else its URI's.
 */
export function artifactLocalPath(artifact: RuntimeArtifact): Result<string, { readonly message: string }> {
  if (artifact.path !== undefined) return { ok: true, value: artifact.path };
  const local = localPathOf(artifact.uri);
  if (!local.ok) return local;
  if (artifact.metadata?._kfp_workspace === true) {
    if (artifact.uri.startsWith('oci://')) {
      return { ok: false, message: `no workspace path for the URI ${JSON.stringify(artifact.uri)}: OCI is not supported there` };
    }
    return { ok: true, value: `${WORKSPACE_MOUNT_PATH}/.artifacts/${local.value.replace(/^\/+/, '')}` };
  }
  return local;
}

/**
 * A URI under a pipeline root, as KFP's `GenerateOutputURI` makes one: the root without its query
 * string and trailing slashes, then the parts joined and cleaned as Go's `path.Join` does.
 */
export function outputUri(pipelineRoot: string, parts: readonly string[]): string {
  const root = (pipelineRoot.split('?')[0] ?? '').replace(/\/+$/, '');
  return `${root}/${joinPath(parts)}`;
}

/**
 * A task's outputs as KFP's driver provisions them (`provisionOutputs`): each artifact under the task
 * root `<pipelineRoot>/<taskName>/<salt>`, each parameter in /tmp/kfp/outputs/<name>, and the executor
 * output file in the task root's local path (or /tmp/kfp_outputs/ when the root has none).
 */
export function provisionOutputs(
  where: { readonly pipelineRoot: string; readonly taskName: string; readonly salt: string },
  outputDefinitions: InterfaceSpec | undefined,
): Pick<ExecutionContext, 'outputParameters' | 'outputArtifacts' | 'outputMetadataFile'> {
  const taskRoot = outputUri(where.pipelineRoot, [where.taskName, where.salt]);
  const outputArtifacts: Record<string, RuntimeArtifact> = Object.fromEntries(
    Object.entries(outputDefinitions?.artifacts ?? {}).map(([name, spec]) => [
      name,
      { name, uri: outputUri(taskRoot, [name]), type: spec.artifactType },
    ]),
  );
  const outputParameters: Record<string, { outputFile: string }> = Object.fromEntries(
    Object.keys(outputDefinitions?.parameters ?? {}).map((name) => [name, { outputFile: `/tmp/kfp/outputs/${name}` }]),
  );
  const localRoot = localPathOf(taskRoot);
  const outputMetadataFile = localRoot.ok
    ? `${localRoot.value.replace(/\/+$/, '')}/output_metadata.json`
    : DEFAULT_OUTPUT_METADATA_FILE;
  return { outputParameters, outputArtifacts, outputMetadataFile };
}

// ---------------------------------------------------------------------------------------------
// The executor input

/** `ExecutorInput` in proto3 JSON (camelCase names, empty fields left out, map keys sorted). */
export interface ExecutorInputJson {
  readonly inputs: {
    readonly artifacts?: Readonly<Record<string, { readonly artifacts: readonly RuntimeArtifactJson[] }>>;
    readonly parameterValues?: Readonly<Record<string, JsonValue>>;
  };
  readonly outputs: {
    readonly parameters?: Readonly<Record<string, { readonly outputFile: string }>>;
    readonly artifacts?: Readonly<Record<string, { readonly artifacts: readonly RuntimeArtifactJson[] }>>;
    readonly outputFile?: string;
  };
}

export interface RuntimeArtifactJson {
  readonly name?: string;
  readonly type?: ArtifactTypeSchema;
  readonly uri?: string;
  readonly metadata?: Readonly<Record<string, JsonValue>>;
  readonly customPath?: string;
}

/**
 * The executor input `{{$}}` stands for, as the launcher builds it: the input parameter values with
 * the component's defaults for the absent ones (`addDefaultParams`), the input artifacts, and the
 * outputs. Fields are in the proto's order and maps sorted, as Go's protojson writes them, so the same
 * task gives the same text.
 */
export function executorInput(ctx: ExecutionContext): ExecutorInputJson {
  const parameterValues = effectiveParameters(ctx);
  const inputArtifacts = sortedEntries(ctx.artifacts).filter(([, list]) => list.length > 0);
  const outputParameters = sortedEntries(ctx.outputParameters);
  const outputArtifacts = sortedEntries(ctx.outputArtifacts);
  return {
    inputs: {
      ...(inputArtifacts.length > 0
        ? { artifacts: Object.fromEntries(inputArtifacts.map(([name, list]) => [name, { artifacts: list.map(artifactJson) }])) }
        : {}),
      ...(Object.keys(parameterValues).length > 0
        ? { parameterValues: sortKeysDeep(parameterValues) as Record<string, JsonValue> }
        : {}),
    },
    outputs: {
      ...(outputParameters.length > 0
        ? { parameters: Object.fromEntries(outputParameters.map(([name, p]) => [name, { outputFile: p.outputFile }])) }
        : {}),
      ...(outputArtifacts.length > 0
        ? { artifacts: Object.fromEntries(outputArtifacts.map(([name, a]) => [name, { artifacts: [artifactJson(a)] }])) }
        : {}),
      ...(ctx.outputMetadataFile === '' ? {} : { outputFile: ctx.outputMetadataFile }),
    },
  };
}

/** The input parameter values a task runs with: its non-null values, then its component's defaults. */
export function effectiveParameters(ctx: ExecutionContext): Record<string, JsonValue> {
  // Built as entries, so that no name (not even `__proto__`) is taken for something else.
  const values = new Map(Object.entries(ctx.parameters).filter(([, value]) => value !== null));
  for (const [name, spec] of Object.entries(ctx.inputDefinitions?.parameters ?? {})) {
    if (!values.has(name) && spec.defaultValue !== undefined && spec.defaultValue !== null) values.set(name, spec.defaultValue);
  }
  return Object.fromEntries(values);
}

function artifactJson(artifact: RuntimeArtifact): RuntimeArtifactJson {
  // A path given apart from the URI travels as customPath, so the SDK's executor inside the container
  // reads and writes where the command line says.
  const derived = artifactLocalPath({ ...artifact, path: undefined });
  const customPath = artifact.path !== undefined && (!derived.ok || derived.value !== artifact.path) ? artifact.path : undefined;
  return {
    ...(artifact.name ? { name: artifact.name } : {}),
    ...(artifact.type ? { type: typeJson(artifact.type) } : {}),
    ...(artifact.uri ? { uri: artifact.uri } : {}),
    ...(artifact.metadata ? { metadata: sortKeysDeep(artifact.metadata) as Record<string, JsonValue> } : {}),
    ...(customPath !== undefined ? { customPath } : {}),
  };
}

function typeJson(type: ArtifactTypeSchema): ArtifactTypeSchema {
  return {
    ...(type.schemaTitle ? { schemaTitle: type.schemaTitle } : {}),
    ...(type.schemaVersion ? { schemaVersion: type.schemaVersion } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering values as KFP does

/**
 * An input parameter's value in a command line, as KFP's driver writes it (`pbValueToString`): a
 * string as it is; a whole number (within int64) in decimal, another number as Go's `%g`; a bool as
 * `true`/`false`; a list or struct as Go's `encoding/json` (keys sorted, `<`, `>`, `&` escaped).
 */
export function renderParameterValue(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return renderNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return '';
  return goJson(value);
}

function renderNumber(n: number): string {
  // Go: `n == float64(int64(n))`, true for the whole numbers int64 holds.
  if (Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63) return BigInt(n).toString();
  return goFormatG(n);
}

/** Go's `%g` of a float64 (strconv 'g' with the shortest precision): exponent form below 1e-4 or from 1e6. */
function goFormatG(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  const [mantissa = '', exponentText = '0'] = n.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(n);
}

/** Go's `encoding/json.Marshal` of a JSON value: compact, object keys sorted, HTML-safe. */
function goJson(value: JsonValue): string {
  return JSON.stringify(sortKeysDeep(value)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function sortKeysDeep(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort(compareKeys)
        .map((key) => [key, sortKeysDeep(value[key] as JsonValue)]),
    );
  }
  return value;
}

/** Go sorts map keys by bytes (UTF-8), which is code point order, not UTF-16's. */
function compareKeys(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = (left[i]?.codePointAt(0) ?? 0) - (right[i]?.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

function sortedEntries<V>(record: Readonly<Record<string, V>>): [string, V][] {
  return Object.keys(record)
    .sort(compareKeys)
    .map((key) => [key, record[key] as V]);
}

/** Go's `path.Join`: the non-empty parts joined with `/` and cleaned (`.`, `..`, doubled slashes). */
function joinPath(parts: readonly string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  if (joined === '') return '';
  const rooted = joined.startsWith('/');
  const out: string[] = [];
  for (const segment of joined.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(segment);
  }
  const cleaned = (rooted ? '/' : '') + out.join('/');
  return cleaned === '' ? '.' : cleaned;
}

// ---------------------------------------------------------------------------------------------
// The string placeholders

interface RunPlaceholder {
  readonly resolve: (ctx: Pick<ExecutionContext, 'job' | 'task'> & Partial<ExecutionContext>) => string;
  /** Whether KFP's driver also resolves it as a task's constant input (resolve.go). */
  readonly constant: boolean;
}

/** The run-level placeholders of kfp.dsl, by their text between `{{$.` and `}}`. */
const RUN_PLACEHOLDERS: Readonly<Record<string, RunPlaceholder>> = {
  pipeline_job_name: { resolve: (ctx) => ctx.job.name, constant: true },
  pipeline_job_resource_name: { resolve: (ctx) => ctx.job.resourceName ?? ctx.job.name, constant: true },
  pipeline_job_uuid: { resolve: (ctx) => ctx.job.uuid, constant: true },
  pipeline_task_name: { resolve: (ctx) => ctx.task.name, constant: true },
  pipeline_task_uuid: { resolve: (ctx) => ctx.task.uuid, constant: true },
  pipeline_job_create_time_utc: { resolve: (ctx) => ctx.job.createTimeUtc, constant: true },
  pipeline_job_schedule_time_utc: { resolve: (ctx) => ctx.job.scheduleTimeUtc, constant: true },
  pipeline_root: { resolve: (ctx) => ctx.pipelineRoot ?? '', constant: false },
  workspace_path: { resolve: () => WORKSPACE_MOUNT_PATH, constant: false },
  'outputs.output_file': { resolve: (ctx) => ctx.outputMetadataFile ?? '', constant: false },
  // The SDK's local runner's older name for the executor output file.
  outputMetadataUri: { resolve: (ctx) => ctx.outputMetadataFile ?? '', constant: false },
};

const PLACEHOLDER = /\{\{\$(.*?)\}\}/gs;
const INPUT_PARAMETER = /^\.inputs\.parameters\['([^']*)'\]$/;
const OUTPUT_PARAMETER = /^\.outputs\.parameters\['([^']*)'\]\.output_file$/;
const ARTIFACT = /^\.(inputs|outputs)\.artifacts\['([^']*)'\](?:\.(uri|path|metadata)(?:\['([^']*)'\])?)?$/;

type Report = (issue: Omit<PlaceholderIssue, 'at' | 'index'>) => void;

/** Resolves the elements of one argument; issues go to `report`, the failed parts resolve to ''. */
class ElementResolver {
  private executorInputText: string | undefined;

  constructor(
    private readonly ctx: ExecutionContext,
    private readonly report: Report,
  ) {}

  /** An element of `command`/`args`: a JSON placeholder's argument list, or one argument. */
  topLevel(element: CommandLineElement): string[] {
    const structure = this.structureOf(element);
    if (structure === undefined) return [];
    if (typeof structure === 'string') return [this.text(structure)];
    return this.expand(structure);
  }

  /** A string written as a JSON placeholder is read as one; any other string is text. */
  private structureOf(element: CommandLineElement): CommandLineElement | undefined {
    if (typeof element !== 'string') return this.validated(element, JSON.stringify(element));
    const trimmed = element.trimStart();
    if (!trimmed.startsWith('{"Concat"') && !trimmed.startsWith('{"IfPresent"')) return element;
    let parsed: unknown;
    try {
      parsed = JSON.parse(element);
    } catch (error) {
      this.report({
        kind: 'malformed-placeholder',
        placeholder: element,
        message: `a JSON placeholder that is not JSON: ${(error as Error).message}`,
      });
      return undefined;
    }
    return this.validated(parsed, element);
  }

  /** Check the SDK's shape all the way down, so expansion meets no surprise. */
  private validated(value: unknown, written: string): CommandLineElement | undefined {
    const problem = shapeProblem(value);
    if (problem === undefined) return value as CommandLineElement;
    this.report({ kind: 'malformed-placeholder', placeholder: written, message: problem });
    return undefined;
  }

  /** A structure at the top: a Concat is one argument, an IfPresent splices its branch. */
  private expand(element: CommandLineElement): string[] {
    if (typeof element === 'string') return [this.text(element)];
    if ('Concat' in element) return [this.concat(element)];
    const branch = this.branch(element);
    if (branch === undefined) return [];
    const items = isList(branch) ? branch : [branch];
    return items.flatMap((item) => this.expand(item));
  }

  private concat(element: ConcatPlaceholder): string {
    return element.Concat.map((item) => this.inline(item)).join('');
  }

  /**
   * An element inside a Concat gives one string. The SDK forbids an IfPresent with a list there; a v1
   * component's `if` inside `concat` could have one, and v1 joined its items, as this does.
   */
  private inline(element: CommandLineElement): string {
    if (typeof element === 'string') return this.text(element);
    if ('Concat' in element) return this.concat(element);
    const branch = this.branch(element);
    if (branch === undefined) return '';
    return (isList(branch) ? branch : [branch]).map((item) => this.inline(item)).join('');
  }

  private branch(element: IfPresentPlaceholder): CommandLineElement | readonly CommandLineElement[] | undefined {
    const { InputName: name, Then: then, Else: otherwise } = element.IfPresent;
    return this.isPresent(name, JSON.stringify(element)) ? then : otherwise;
  }

  /** Present: a non-null parameter value or a non-empty artifact list (a default does not count). */
  private isPresent(name: string, written: string): boolean {
    const value = own(this.ctx.parameters, name);
    if (value !== undefined && value !== null) return true;
    if ((own(this.ctx.artifacts, name)?.length ?? 0) > 0) return true;
    if (!this.isDeclared(name)) {
      this.report({
        kind: 'unknown-input',
        placeholder: written,
        name,
        message: `IfPresent names the input '${name}', which the component does not have`,
      });
    }
    return false;
  }

  private isDeclared(name: string): boolean {
    const declared = this.ctx.inputDefinitions;
    if (declared === undefined) return true;
    return own(declared.parameters, name) !== undefined || own(declared.artifacts, name) !== undefined;
  }

  /** A text with `{{$...}}` placeholders replaced in place, in one pass. */
  private text(text: string): string {
    return text.replace(PLACEHOLDER, (whole, body: string) => this.placeholder(whole, body));
  }

  private placeholder(whole: string, body: string): string {
    if (body === '') return this.executorInputJson();
    const run = body.startsWith('.') ? own(RUN_PLACEHOLDERS, body.slice(1)) : undefined;
    if (run !== undefined) return run.resolve(this.ctx);
    const parameter = INPUT_PARAMETER.exec(body);
    if (parameter) return this.inputParameter(whole, parameter[1] ?? '');
    const output = OUTPUT_PARAMETER.exec(body);
    if (output) return this.outputParameter(whole, output[1] ?? '');
    const artifact = ARTIFACT.exec(body);
    if (artifact) {
      const [, side, name = '', field, key] = artifact;
      return this.artifact(whole, side === 'inputs', name, field as 'uri' | 'path' | 'metadata' | undefined, key);
    }
    this.report({ kind: 'unknown-placeholder', placeholder: whole, message: `unknown placeholder ${whole}` });
    return '';
  }

  private executorInputJson(): string {
    this.executorInputText ??= JSON.stringify(executorInput(this.ctx));
    return this.executorInputText;
  }

  private inputParameter(whole: string, name: string): string {
    const value = own(this.ctx.parameters, name);
    if (value !== undefined && value !== null) return renderParameterValue(value);
    const definitions = this.ctx.inputDefinitions;
    const spec = own(definitions?.parameters, name);
    if (spec?.defaultValue !== undefined && spec.defaultValue !== null) return renderParameterValue(spec.defaultValue);
    if (definitions !== undefined && spec === undefined) {
      this.report({
        kind: 'unknown-input',
        placeholder: whole,
        name,
        message: `${whole} names the input parameter '${name}', which the component does not have`,
      });
    } else {
      this.report({
        kind: 'absent-input',
        placeholder: whole,
        name,
        message: `${whole}: the input parameter '${name}' has no value and no default`,
      });
    }
    return '';
  }

  private outputParameter(whole: string, name: string): string {
    const output = own(this.ctx.outputParameters, name);
    if (output !== undefined) return output.outputFile;
    this.report({
      kind: 'unknown-output',
      placeholder: whole,
      name,
      message: `${whole}: the task has no output parameter '${name}'`,
    });
    return '';
  }

  private artifact(
    whole: string,
    input: boolean,
    name: string,
    field: 'uri' | 'path' | 'metadata' | undefined,
    key?: string,
  ): string {
    const list = input
      ? (own(this.ctx.artifacts, name) ?? [])
      : own(this.ctx.outputArtifacts, name)
        ? [own(this.ctx.outputArtifacts, name)!]
        : [];
    const artifact = list[0];
    if (artifact === undefined) {
      if (!input) {
        this.report({
          kind: 'unknown-output',
          placeholder: whole,
          name,
          message: `${whole}: the task has no output artifact '${name}'`,
        });
      } else {
        const definitions = this.ctx.inputDefinitions;
        const declared = definitions === undefined || own(definitions.artifacts, name) !== undefined;
        this.report({
          kind: declared ? 'absent-input' : 'unknown-input',
          placeholder: whole,
          name,
          message: declared
            ? `${whole}: the input artifact '${name}' is absent`
            : `${whole} names the input artifact '${name}', which the component does not have`,
        });
      }
      return '';
    }
    // The whole list, as it stands in the executor input.
    if (field === undefined) return JSON.stringify({ artifacts: list.map(artifactJson) });
    if (field === 'uri') return artifact.uri;
    if (field === 'path') {
      const path = artifactLocalPath(artifact);
      if (path.ok) return path.value;
      this.report({ kind: 'no-local-path', placeholder: whole, name, message: `${whole}: ${path.message}` });
      return '';
    }
    const metadata = sortKeysDeep(artifact.metadata ?? {}) as Record<string, JsonValue>;
    if (key === undefined) return JSON.stringify(metadata);
    const value = own(metadata, key);
    if (value === undefined) {
      this.report({
        kind: 'absent-metadata',
        placeholder: whole,
        name,
        message: `${whole}: the artifact '${name}' has no metadata '${key}'`,
      });
      return '';
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** A record's own entry: a name from a pipeline file must not reach Object.prototype. */
function own<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

function isList(branch: CommandLineElement | readonly CommandLineElement[]): branch is readonly CommandLineElement[] {
  return Array.isArray(branch);
}

/** Why a value is not a command-line element in the SDK's JSON shape, or undefined if it is one. */
function shapeProblem(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `${path || 'the placeholder'} must be a string, a Concat or an IfPresent, not ${JSON.stringify(value)}`;
  }
  const keys = Object.keys(value);
  if (keys.length !== 1 || (keys[0] !== 'Concat' && keys[0] !== 'IfPresent')) {
    return `${path || 'the placeholder'} must have one key, Concat or IfPresent, not ${keys.join(', ') || 'none'}`;
  }
  if ('Concat' in value) {
    const items = (value as { Concat: unknown }).Concat;
    if (!Array.isArray(items)) return `${path}Concat must be a list`;
    for (const [i, item] of items.entries()) {
      const problem = shapeProblem(item, `${path}Concat[${i}].`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  const body = (value as { IfPresent: unknown }).IfPresent;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `${path}IfPresent must be an object`;
  const { InputName, Then, Else, ...rest } = body as Record<string, unknown>;
  if (typeof InputName !== 'string' || InputName === '') return `${path}IfPresent.InputName must be a non-empty string`;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return `${path}IfPresent has unknown keys: ${unknown.join(', ')}`;
  for (const [label, branch] of [
    ['Then', Then],
    ['Else', Else],
  ] as const) {
    if (branch === undefined) continue;
    const items = Array.isArray(branch) ? branch : [branch];
    for (const [i, item] of items.entries()) {
      const problem = shapeProblem(item, `${path}IfPresent.${label}${Array.isArray(branch) ? `[${i}]` : ''}.`);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}
