/**
 * A Katib `kubeflow.org/v1beta1` Experiment, read as it is written (YAML or JSON), defaulted and
 * validated as Katib's webhooks do (pkg/apis/controller/experiments/v1beta1/experiment_defaults.go,
 * pkg/webhook/v1beta1/experiment/validator/validator.go), into the typed spec gpupool keeps.
 *
 * Every problem is reported in one answer, each with the field path Katib would name
 * (`spec.parameters[1].feasibleSpace.step`), so that a user fixes a document in one round. Where
 * gpupool checks more than Katib's webhook (a search space that cannot be sampled, a parameter no
 * trial takes, a trial kind gpupool cannot run), it is because Katib would only fail later, at
 * suggestion or trial creation, after the experiment was accepted. docs/tuning-spec.md lists the rules.
 *
 * Algorithm-specific settings are each algorithm's to check (SuggestionAlgorithm.validate): the
 * caller passes them in as hooks, whose issues are merged with these.
 */
import { isScalar, parseAllDocuments } from 'yaml';
import { describeValue, Id } from '../codec.js';
import {
  DISTRIBUTIONS,
  type Distribution,
  type ObjectiveType,
  PARAMETER_TYPES,
  type Parameter,
  type SearchSpace,
  type Setting,
  type SettingsIssue,
} from './space.js';
import {
  containerNames,
  looksLikeMetaReference,
  metaReference,
  placeholdersIn,
  TRIAL_KINDS,
  unsupportedTrialKind,
} from './trial-template.js';

export const API_VERSION = 'kubeflow.org/v1beta1';

/** The suggestion algorithms gpupool runs (Katib's names). */
export const ALGORITHMS = [
  'random',
  'grid',
  'sobol',
  'tpe',
  'multivariate-tpe',
  'bayesianoptimization',
  'cmaes',
  'hyperband',
  'pbt',
] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

/** Katib's neural architecture search algorithms: refused, with this reason. */
export const NAS_ALGORITHMS = ['enas', 'darts'] as const;
export const NAS_REFUSAL = 'neural architecture search is not supported';

/** Early-stopping rules: Katib's medianstop, and gpupool's asha. */
export const EARLY_STOPPING_ALGORITHMS = ['medianstop', 'asha'] as const;
export type EarlyStoppingName = (typeof EARLY_STOPPING_ALGORITHMS)[number];

export const RESUME_POLICIES = ['Never', 'LongRunning', 'FromVolume'] as const;
export type ResumePolicy = (typeof RESUME_POLICIES)[number];

/** Katib's collector kinds (common_types.go), spelled as Katib spells them. */
export const COLLECTOR_KINDS = ['StdOut', 'File', 'TensorFlowEvent', 'PrometheusMetric', 'Custom', 'Push'] as const;
export type CollectorKind = (typeof COLLECTOR_KINDS)[number];

export const METRIC_STRATEGIES = ['min', 'max', 'latest'] as const;
export type MetricStrategyValue = (typeof METRIC_STRATEGIES)[number];

/** Katib's defaults (experiments/v1beta1/constants.go, common_types.go). */
export const DEFAULT_PARALLEL_TRIAL_COUNT = 3;
export const DEFAULT_FILE_METRICS_PATH = '/var/log/katib/metrics.log';
export const DEFAULT_TF_EVENT_PATH = '/var/log/katib/tfevent/';
export const DEFAULT_PROMETHEUS_PATH = '/metrics';
export const DEFAULT_PROMETHEUS_PORT = 8080;
export const JOB_SUCCESS_CONDITION = 'status.conditions.#(type=="Complete")#|#(status=="True")#';
export const JOB_FAILURE_CONDITION = 'status.conditions.#(type=="Failed")#|#(status=="True")#';
export const KUBEFLOW_JOB_SUCCESS_CONDITION = 'status.conditions.#(type=="Succeeded")#|#(status=="True")#';
export const KUBEFLOW_JOB_FAILURE_CONDITION = 'status.conditions.#(type=="Failed")#|#(status=="True")#';
export const KUBEFLOW_JOB_PRIMARY_POD_LABELS: Readonly<Record<string, string>> = { 'training.kubeflow.org/job-role': 'master' };
/** The kinds Katib defaults as training-operator jobs (KubeflowJobKinds, less TrainJob which gpupool does not run). */
const KUBEFLOW_JOB_KINDS = ['TFJob', 'PyTorchJob', 'XGBoostJob', 'MPIJob'];

/** gpupool's addition, an annotation so the document stays a valid Katib Experiment: the longest a trial may run. */
export const MAX_DURATION_ANNOTATION = 'gpupool.io/max-duration-seconds';

/** Katib's limit on an experiment's name: trial names are built from it and must stay DNS labels. */
export const EXPERIMENT_NAME_MAX_LENGTH = 40;

export interface MetricStrategy {
  readonly name: string;
  readonly value: MetricStrategyValue;
}

export interface Objective {
  readonly type: ObjectiveType;
  readonly goal: number | null;
  readonly objectiveMetricName: string;
  readonly additionalMetricNames: readonly string[];
  /** As written, then Katib's defaults: the objective's and each additional metric's, min when minimizing, max when maximizing. */
  readonly metricStrategies: readonly MetricStrategy[];
}

export interface AlgorithmSpec {
  readonly name: AlgorithmName;
  readonly settings: readonly Setting[];
}

export interface EarlyStoppingSpec {
  readonly name: EarlyStoppingName;
  readonly settings: readonly Setting[];
}

export interface FileSystemPath {
  readonly path: string;
  readonly kind: 'File' | 'Directory';
  /** TEXT or JSON for a File collector; null for the others (TensorFlowEvent must leave it empty). */
  readonly format: 'TEXT' | 'JSON' | null;
}

export interface MetricsCollector {
  readonly kind: CollectorKind;
  readonly fileSystemPath: FileSystemPath | null;
  readonly httpGet: { readonly path: string; readonly port: number } | null;
  /** The filter's metricsFormat regexes; empty: the collector's default (name=value lines for TEXT). */
  readonly metricsFormat: readonly string[];
  /** A Custom collector's container, as written. */
  readonly customCollector: Readonly<Record<string, unknown>> | null;
}

export interface TrialParameterSpec {
  readonly name: string;
  readonly description: string;
  /** A search-space parameter's name, or trial metadata written `${trialSpec.Name}` and the like. */
  readonly reference: string;
}

export interface ConfigMapSource {
  readonly name: string;
  readonly namespace: string;
  readonly templatePath: string;
}

export interface TrialTemplateSpec {
  /** The inline template (exactly one of trialSpec and configMap is set). */
  readonly trialSpec: { [key: string]: unknown } | null;
  readonly configMap: ConfigMapSource | null;
  readonly trialParameters: readonly TrialParameterSpec[];
  readonly primaryContainerName: string;
  readonly primaryPodLabels: Readonly<Record<string, string>>;
  readonly successCondition: string;
  readonly failureCondition: string;
  readonly retain: boolean;
}

/** An Experiment as gpupool keeps it: Katib's fields, defaulted and checked. */
export interface ExperimentSpec {
  readonly name: string;
  /** metadata.namespace; null when the document leaves it to where it is applied. */
  readonly namespace: string | null;
  readonly objective: Objective;
  readonly space: SearchSpace;
  readonly algorithm: AlgorithmSpec;
  readonly earlyStopping: EarlyStoppingSpec | null;
  readonly parallelTrialCount: number;
  readonly maxTrialCount: number | null;
  readonly maxFailedTrialCount: number | null;
  readonly metricsCollector: MetricsCollector;
  readonly resumePolicy: ResumePolicy;
  readonly trialTemplate: TrialTemplateSpec;
  /** gpupool's: from the `gpupool.io/max-duration-seconds` annotation; absent when not given. */
  readonly maxDurationSeconds?: number;
  /** The document as it was given (parsed), for display. */
  readonly document: unknown;
}

/** What an algorithm's hook is given: what SuggestionAlgorithm.validate takes, and the algorithm's name. */
export interface AlgorithmCheck {
  readonly algorithm: AlgorithmName;
  readonly space: SearchSpace;
  readonly objective: ObjectiveType;
  readonly settings: readonly Setting[];
  readonly maxTrials: number | null;
  readonly parallelTrials: number;
}

export interface ParseOptions {
  /** The chosen algorithm's own checks (SuggestionAlgorithm.validate); paths under `spec.`. */
  readonly validateAlgorithm?: (check: AlgorithmCheck) => SettingsIssue[];
  /** The chosen early-stopping rule's own checks (EarlyStoppingRule.validate). */
  readonly validateEarlyStopping?: (name: EarlyStoppingName, settings: readonly Setting[]) => SettingsIssue[];
}

export type ParseResult =
  | { readonly ok: true; readonly experiment: ExperimentSpec; readonly warnings: string[] }
  | { readonly ok: false; readonly issues: SettingsIssue[] };

type Obj = { [key: string]: unknown };
const isObj = (u: unknown): u is Obj => typeof u === 'object' && u !== null && !Array.isArray(u);

/** A Kubernetes DNS-1123 label (namespaces; experiment names within Katib's 40). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Katib's experiment name rule, anchored at both ends (Katib's regex is not anchored at the end). */
const EXPERIMENT_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A number as Katib's string fields hold it (what Go's ParseFloat reads, less hex and infinities). */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A field's path under its parent's ('' at the document's root). */
const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** Collects issues and warnings while reading; every reader reports and goes on. */
class Reader {
  readonly issues: SettingsIssue[] = [];
  readonly warnings: string[] = [];

  issue(path: string, message: string): void {
    // A field already reported as malformed is not also reported as missing.
    if (message === 'must be specified' && this.issues.some((i) => i.path === path)) return;
    this.issues.push({ path, message });
  }

  /** Fields Katib's schema does not know: Kubernetes prunes them, gpupool says so. */
  unknown(o: Obj, known: readonly string[], path: string): void {
    for (const k of Object.keys(o)) if (!known.includes(k)) this.warnings.push(`${join(path, k)}: not a Katib field, ignored`);
  }

  object(o: Obj, key: string, path: string, required: boolean): Obj | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.issue(join(path, key), 'must be specified');
      return undefined;
    }
    if (!isObj(v)) {
      this.issue(join(path, key), `must be an object, got ${describeValue(v)}`);
      return undefined;
    }
    return v;
  }

  array(o: Obj, key: string, path: string): unknown[] | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.issue(`${path}.${key}`, `must be a list, got ${describeValue(v)}`);
      return undefined;
    }
    return v;
  }

  /**
   * A string field; '' and absent are the same (Katib's omitempty). `coerce`: a field Katib keeps
   * as a string that YAML may have read as a number or boolean (`min: 0.01`, `value: 3`): taken
   * as written, with a warning, since Kubernetes refuses it.
   */
  string(o: Obj, key: string, path: string, coerce = false): string | undefined {
    return this.value(o[key], `${path}.${key}`, coerce);
  }

  value(v: unknown, at: string, coerce = false): string | undefined {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'string') return v;
    if (coerce && (typeof v === 'number' || typeof v === 'boolean')) {
      this.warnings.push(`${at}: Katib requires a string; write ${JSON.stringify(String(v))}`);
      return String(v);
    }
    this.issue(at, `must be a string, got ${describeValue(v)}`);
    return undefined;
  }

  /** An int32 count; undefined when absent, null when malformed (reported). */
  count(o: Obj, key: string, path: string): number | undefined | null {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || Math.abs(v) > 2 ** 31 - 1) {
      this.issue(`${path}.${key}`, `must be an integer, got ${describeValue(v)}`);
      return null;
    }
    return v;
  }

  /** A name gpupool carries in URLs and ids (parameter and metric names): the Id codec's rule. */
  id(name: string, at: string): void {
    if (!Id.is(name)) {
      this.issue(
        at,
        `${JSON.stringify(name)} cannot be used as a name: ${'a non-empty string of at most 253 characters of well-formed Unicode, without control, bidi-control or zero-width characters'}`,
      );
    }
  }

  oneOf<const L extends readonly string[]>(v: string | undefined, values: L, at: string): L[number] | undefined {
    if (v === undefined) return undefined;
    if ((values as readonly string[]).includes(v)) return v as L[number];
    this.issue(at, `must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
    return undefined;
  }

  settings(o: Obj, key: string, path: string): Setting[] {
    const list = this.array(o, key, path) ?? [];
    const out: Setting[] = [];
    list.forEach((s, i) => {
      const at = `${path}.${key}[${i}]`;
      if (!isObj(s)) {
        this.issue(at, `must be an object with name and value, got ${describeValue(s)}`);
        return;
      }
      this.unknown(s, ['name', 'value'], at);
      const name = this.string(s, 'name', at);
      const value = this.string(s, 'value', at, true) ?? '';
      if (name === undefined) this.issue(`${at}.name`, 'must be specified');
      else out.push({ name, value });
    });
    return out;
  }
}

/** Parse YAML or JSON text into one document, or say why it is not one. */
function parseText(text: string): { ok: true; value: unknown } | { ok: false; issues: SettingsIssue[] } {
  // A document that opens with '{' is JSON: YAML would read broken JSON as a flow mapping with holes.
  if (text.trimStart().startsWith('{')) {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (e) {
      return { ok: false, issues: [{ path: 'document', message: `not YAML or JSON: ${(e as Error).message}` }] };
    }
  }
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    return { ok: false, issues: [{ path: 'document', message: `not YAML or JSON: ${(e as Error).message}` }] };
  }
  if (!Array.isArray(docs)) {
    return { ok: false, issues: [{ path: 'document', message: 'is empty: expected an Experiment' }] };
  }
  const errors = docs.flatMap((d) => d.errors);
  if (errors.length > 0) {
    return {
      ok: false,
      issues: errors.map((e) => ({ path: 'document', message: `not YAML or JSON: ${e.message.split('\n')[0]}` })),
    };
  }
  const nonEmpty = docs.filter((d) => d.contents !== null && !(isScalar(d.contents) && d.contents.value === null));
  if (nonEmpty.length !== 1) {
    return {
      ok: false,
      issues: [
        {
          path: 'document',
          message:
            nonEmpty.length === 0
              ? 'is empty: expected an Experiment'
              : `holds ${nonEmpty.length} documents: expected one Experiment`,
        },
      ],
    };
  }
  try {
    return { ok: true, value: (nonEmpty[0] as (typeof nonEmpty)[number]).toJS({ maxAliasCount: 100 }) };
  } catch (e) {
    return { ok: false, issues: [{ path: 'document', message: `not YAML or JSON: ${(e as Error).message}` }] };
  }
}

/**
 * Read an Experiment (YAML or JSON text, or an already parsed object), apply Katib's defaults and
 * check it: the typed spec and any warnings (fields Katib would prune, numbers written where Katib
 * wants strings), or every issue found, each with its path.
 */
export function parseExperiment(input: unknown, options: ParseOptions = {}): ParseResult {
  let document: unknown = input;
  if (typeof input === 'string') {
    const parsed = parseText(input.replace(/^\uFEFF/, ''));
    if (!parsed.ok) return parsed;
    document = parsed.value;
  }
  const bad = notJson(document, '', 0);
  if (bad) return { ok: false, issues: [bad] };
  const r = new Reader();
  if (!isObj(document))
    return { ok: false, issues: [{ path: 'document', message: `must be an Experiment object, got ${describeValue(document)}` }] };
  const doc = document;
  r.unknown(doc, ['apiVersion', 'kind', 'metadata', 'spec', 'status'], '');
  if (doc.apiVersion !== API_VERSION) r.issue('apiVersion', `must be ${API_VERSION}, got ${describeValue(doc.apiVersion)}`);
  if (doc.kind !== 'Experiment') r.issue('kind', `must be Experiment, got ${describeValue(doc.kind)}`);

  // metadata
  const metadata = r.object(doc, 'metadata', '', true) ?? {};
  const name = r.string(metadata, 'name', 'metadata');
  if (name === undefined) r.issue('metadata.name', 'must be specified');
  else if (!EXPERIMENT_NAME.test(name) || name.length > EXPERIMENT_NAME_MAX_LENGTH) {
    r.issue(
      'metadata.name',
      `${JSON.stringify(name)}: must be lower-case letters, digits and '-', start with a letter, end with a letter or digit, and be at most ${EXPERIMENT_NAME_MAX_LENGTH} characters`,
    );
  }
  const namespace = r.string(metadata, 'namespace', 'metadata') ?? null;
  if (namespace !== null && (!DNS_LABEL.test(namespace) || namespace.length > 63)) {
    r.issue(
      'metadata.namespace',
      `${JSON.stringify(namespace)}: must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)`,
    );
  }
  let maxDurationSeconds: number | undefined;
  const annotations = r.object(metadata, 'annotations', 'metadata', false);
  if (annotations && annotations[MAX_DURATION_ANNOTATION] !== undefined) {
    const at = `metadata.annotations.${MAX_DURATION_ANNOTATION}`;
    const v = annotations[MAX_DURATION_ANNOTATION];
    const n = typeof v === 'string' && NUMBER.test(v.trim()) ? Number(v) : Number.NaN;
    if (Number.isFinite(n) && n > 0) maxDurationSeconds = n;
    else r.issue(at, `must be a number of seconds > 0 written as a string, got ${describeValue(v)}`);
  }

  const spec = r.object(doc, 'spec', '', true) ?? {};
  r.unknown(
    spec,
    [
      'parameters',
      'objective',
      'algorithm',
      'earlyStopping',
      'trialTemplate',
      'parallelTrialCount',
      'maxTrialCount',
      'maxFailedTrialCount',
      'metricsCollectorSpec',
      'nasConfig',
      'resumePolicy',
    ],
    'spec',
  );
  if (spec.nasConfig !== undefined && spec.nasConfig !== null) r.issue('spec.nasConfig', NAS_REFUSAL);

  const counts = readCounts(r, spec);
  const objective = readObjective(r, spec);
  const algorithm = readAlgorithm(r, spec);
  const earlyStopping = readEarlyStopping(r, spec);
  const resumePolicy = r.oneOf(r.string(spec, 'resumePolicy', 'spec'), RESUME_POLICIES, 'spec.resumePolicy') ?? 'Never';
  const space = readParameters(r, spec);
  const trialTemplate = readTrialTemplate(r, spec, space);
  const metricsCollector = readMetricsCollector(r, spec);

  const hookIssues: SettingsIssue[] = [];
  // The hooks need a sound space, algorithm and counts; they run even when other parts are wrong.
  if (space.ok && algorithm && objective.type && counts.ok && options.validateAlgorithm) {
    hookIssues.push(
      ...options.validateAlgorithm({
        algorithm: algorithm.name,
        space: space.parameters,
        objective: objective.type,
        settings: algorithm.settings,
        maxTrials: counts.maxTrialCount,
        parallelTrials: counts.parallelTrialCount,
      }),
    );
  }
  if (earlyStopping && options.validateEarlyStopping) {
    hookIssues.push(...options.validateEarlyStopping(earlyStopping.name, earlyStopping.settings));
  }
  const issues = [...r.issues, ...hookIssues];
  if (
    issues.length > 0 ||
    !name ||
    !objective.value ||
    !algorithm ||
    !trialTemplate ||
    !metricsCollector ||
    !space.ok ||
    !counts.ok
  ) {
    return { ok: false, issues };
  }
  const experiment: ExperimentSpec = {
    name,
    namespace,
    objective: objective.value,
    space: space.parameters,
    algorithm,
    earlyStopping,
    parallelTrialCount: counts.parallelTrialCount,
    maxTrialCount: counts.maxTrialCount,
    maxFailedTrialCount: counts.maxFailedTrialCount,
    metricsCollector,
    resumePolicy,
    trialTemplate,
    ...(maxDurationSeconds === undefined ? {} : { maxDurationSeconds }),
    document,
  };
  return { ok: true, experiment, warnings: r.warnings };
}

/** How deep a document may nest: a training job's manifest inside an Experiment stays well within it. */
const MAX_DEPTH = 64;

/**
 * The first value that is not plain JSON data (a cycle, which YAML anchors can make, too deep a
 * nesting, a number that is not finite like YAML's `.inf`, a function or a class instance), with
 * its path: the template is carried as JSON, so anything else could not be a trial.
 */
function notJson(u: unknown, path: string, depth: number): SettingsIssue | null {
  const at = path === '' ? 'document' : path;
  if (depth > MAX_DEPTH) return { path: at, message: `nests deeper than ${MAX_DEPTH} levels (or refers to itself)` };
  if (u === null || typeof u === 'string' || typeof u === 'boolean') return null;
  if (typeof u === 'number')
    return Number.isFinite(u) ? null : { path: at, message: `must be a finite number, got ${String(u)}` };
  if (Array.isArray(u)) {
    for (let i = 0; i < u.length; i++) {
      const bad = notJson(u[i], `${path}[${i}]`, depth + 1);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof u === 'object') {
    const proto = Object.getPrototypeOf(u);
    if (proto !== Object.prototype && proto !== null)
      return { path: at, message: 'must be plain data (YAML or JSON), not an instance of a class' };
    for (const [k, v] of Object.entries(u as Obj)) {
      const bad = notJson(v, join(path, k), depth + 1);
      if (bad) return bad;
    }
    return null;
  }
  return { path: at, message: `must be plain data (YAML or JSON), got a ${typeof u}` };
}

// -- the parts ---------------------------------------------------------------------------------------

function readCounts(r: Reader, spec: Obj) {
  const parallel = r.count(spec, 'parallelTrialCount', 'spec');
  const max = r.count(spec, 'maxTrialCount', 'spec');
  const maxFailed = r.count(spec, 'maxFailedTrialCount', 'spec');
  let ok = parallel !== null && max !== null && maxFailed !== null;
  const parallelTrialCount = parallel ?? DEFAULT_PARALLEL_TRIAL_COUNT;
  if (typeof maxFailed === 'number' && maxFailed < 0) {
    r.issue('spec.maxFailedTrialCount', `must not be less than 0, got ${maxFailed}`);
    ok = false;
  }
  if (typeof max === 'number' && max <= 0) {
    r.issue('spec.maxTrialCount', `must be greater than 0, got ${max}`);
    ok = false;
  }
  if (parallel !== null && parallelTrialCount <= 0) {
    r.issue('spec.parallelTrialCount', `must be greater than 0, got ${parallelTrialCount}`);
    ok = false;
  }
  if (typeof max === 'number' && max > 0) {
    if (typeof maxFailed === 'number' && maxFailed > max) {
      r.issue('spec.maxFailedTrialCount', `${maxFailed} must be less than or equal to spec.maxTrialCount (${max})`);
      ok = false;
    }
    // Katib defaults parallelTrialCount before validating: a default of 3 above a smaller budget is refused too.
    if (parallel !== null && parallelTrialCount > max) {
      r.issue(
        'spec.parallelTrialCount',
        `${parallelTrialCount}${parallel === undefined ? ' (the default)' : ''} must be less than or equal to spec.maxTrialCount (${max})`,
      );
      ok = false;
    }
  }
  return { ok, parallelTrialCount, maxTrialCount: max ?? null, maxFailedTrialCount: maxFailed ?? null };
}

function readObjective(r: Reader, spec: Obj): { type: ObjectiveType | undefined; value: Objective | undefined } {
  const o = r.object(spec, 'objective', 'spec', true);
  if (!o) return { type: undefined, value: undefined };
  const path = 'spec.objective';
  r.unknown(o, ['type', 'goal', 'objectiveMetricName', 'additionalMetricNames', 'metricStrategies'], path);
  const typeText = r.string(o, 'type', path);
  let type: ObjectiveType | undefined;
  if (typeText === 'minimize' || typeText === 'maximize') type = typeText;
  else r.issue(`${path}.type`, `must be minimize or maximize, got ${describeValue(o.type)}`);
  let goal: number | null = null;
  if (o.goal !== undefined && o.goal !== null) {
    if (typeof o.goal === 'number' && Number.isFinite(o.goal)) goal = o.goal;
    else r.issue(`${path}.goal`, `must be a number, got ${describeValue(o.goal)}`);
  }
  const metric = r.string(o, 'objectiveMetricName', path);
  if (metric === undefined) r.issue(`${path}.objectiveMetricName`, 'must be specified');
  else r.id(metric, `${path}.objectiveMetricName`);
  const additional: string[] = [];
  (r.array(o, 'additionalMetricNames', path) ?? []).forEach((m, i) => {
    const at = `${path}.additionalMetricNames[${i}]`;
    const s = r.value(m, at);
    if (s === undefined) {
      if (m === '' || m === null) r.issue(at, 'must not be empty');
      return;
    }
    r.id(s, at);
    if (s === metric) r.issue(at, `must not be spec.objective.objectiveMetricName (${s})`);
    else if (additional.includes(s)) r.issue(at, `${s} is listed twice`);
    else additional.push(s);
  });
  const strategies: MetricStrategy[] = [];
  (r.array(o, 'metricStrategies', path) ?? []).forEach((s, i) => {
    const at = `${path}.metricStrategies[${i}]`;
    if (!isObj(s)) {
      r.issue(at, `must be an object with name and value, got ${describeValue(s)}`);
      return;
    }
    r.unknown(s, ['name', 'value'], at);
    const n = r.string(s, 'name', at);
    const v = r.oneOf(r.string(s, 'value', at), METRIC_STRATEGIES, `${at}.value`);
    if (n === undefined) r.issue(`${at}.name`, 'must be specified');
    if (s.value === undefined || s.value === '') r.issue(`${at}.value`, `must be one of ${METRIC_STRATEGIES.join(', ')}`);
    if (n !== undefined && strategies.some((x) => x.name === n)) r.issue(`${at}.name`, `${n} has a strategy already`);
    else if (n !== undefined && v !== undefined) {
      if (n !== metric && !additional.includes(n))
        r.warnings.push(`${at}.name: ${n} is neither the objective nor an additional metric`);
      strategies.push({ name: n, value: v });
    }
  });
  if (!type || metric === undefined) return { type, value: undefined };
  // Katib's defaults: every metric without a strategy gets min when minimizing, max when maximizing.
  const byType: MetricStrategyValue = type === 'minimize' ? 'min' : 'max';
  for (const m of [metric, ...additional]) if (!strategies.some((s) => s.name === m)) strategies.push({ name: m, value: byType });
  return {
    type,
    value: { type, goal, objectiveMetricName: metric, additionalMetricNames: additional, metricStrategies: strategies },
  };
}

function readAlgorithm(r: Reader, spec: Obj): AlgorithmSpec | undefined {
  const a = r.object(spec, 'algorithm', 'spec', true);
  if (!a) return undefined;
  const path = 'spec.algorithm';
  r.unknown(a, ['algorithmName', 'algorithmSettings'], path);
  const name = r.string(a, 'algorithmName', path);
  const settings = r.settings(a, 'algorithmSettings', path);
  if (name === undefined) {
    r.issue(`${path}.algorithmName`, 'must be specified');
    return undefined;
  }
  if ((NAS_ALGORITHMS as readonly string[]).includes(name)) {
    r.issue(`${path}.algorithmName`, `${name}: ${NAS_REFUSAL}`);
    return undefined;
  }
  if (!(ALGORITHMS as readonly string[]).includes(name)) {
    r.issue(`${path}.algorithmName`, `unknown algorithm ${JSON.stringify(name)}: gpupool runs ${ALGORITHMS.join(', ')}`);
    return undefined;
  }
  return { name: name as AlgorithmName, settings };
}

function readEarlyStopping(r: Reader, spec: Obj): EarlyStoppingSpec | null {
  const e = r.object(spec, 'earlyStopping', 'spec', false);
  if (!e) return null;
  const path = 'spec.earlyStopping';
  r.unknown(e, ['algorithmName', 'algorithmSettings'], path);
  const name = r.string(e, 'algorithmName', path);
  const settings = r.settings(e, 'algorithmSettings', path);
  if (name === undefined) {
    r.issue(`${path}.algorithmName`, 'must be specified');
    return null;
  }
  if (!(EARLY_STOPPING_ALGORITHMS as readonly string[]).includes(name)) {
    r.issue(
      `${path}.algorithmName`,
      `unknown early-stopping algorithm ${JSON.stringify(name)}: gpupool runs ${EARLY_STOPPING_ALGORITHMS.join(', ')}`,
    );
    return null;
  }
  return { name: name as EarlyStoppingName, settings };
}

function readParameters(r: Reader, spec: Obj): { ok: boolean; parameters: Parameter[] } {
  const list = r.array(spec, 'parameters', 'spec');
  const hasNas = spec.nasConfig !== undefined && spec.nasConfig !== null;
  if ((list === undefined || list.length === 0) && !hasNas) {
    if (spec.parameters === undefined || Array.isArray(spec.parameters))
      r.issue('spec.parameters', 'must be specified (at least one parameter)');
    return { ok: false, parameters: [] };
  }
  const before = r.issues.length;
  const parameters: Parameter[] = [];
  const names = new Set<string>();
  (list ?? []).forEach((p, i) => {
    const path = `spec.parameters[${i}]`;
    if (!isObj(p)) {
      r.issue(path, `must be an object, got ${describeValue(p)}`);
      return;
    }
    r.unknown(p, ['name', 'parameterType', 'feasibleSpace'], path);
    const name = r.string(p, 'name', path);
    if (name === undefined) r.issue(`${path}.name`, 'must be specified');
    else {
      r.id(name, `${path}.name`);
      if (names.has(name)) r.issue(`${path}.name`, `${name} is defined twice: parameter names must be unique`);
      names.add(name);
    }
    const typeText = r.string(p, 'parameterType', path);
    const type = typeText === undefined ? undefined : r.oneOf(typeText, PARAMETER_TYPES, `${path}.parameterType`);
    if (typeText === undefined) r.issue(`${path}.parameterType`, `must be one of ${PARAMETER_TYPES.join(', ')}`);
    const fs = r.object(p, 'feasibleSpace', path, false);
    const fsPath = `${path}.feasibleSpace`;
    if (!fs || Object.keys(fs).length === 0) {
      r.issue(fsPath, 'must be specified');
      return;
    }
    r.unknown(fs, ['min', 'max', 'step', 'list', 'distribution'], fsPath);
    const distText = r.string(fs, 'distribution', fsPath);
    const distribution: Distribution | undefined =
      distText === undefined ? 'uniform' : r.oneOf(distText, DISTRIBUTIONS, `${fsPath}.distribution`);
    if (!type || name === undefined) return;
    if (type === 'double' || type === 'int') {
      const range = readRange(r, fs, fsPath, type, distribution);
      if (range && distribution) parameters.push({ name, type, ...range, distribution });
      return;
    }
    for (const k of ['min', 'max', 'step'] as const) {
      if (fs[k] !== undefined && fs[k] !== '' && fs[k] !== null)
        r.issue(`${fsPath}.${k}`, `is not supported for parameterType ${type}: give a list`);
    }
    if (distText !== undefined && distribution !== undefined && distribution !== 'uniform') {
      r.issue(
        `${fsPath}.distribution`,
        `${distribution} is not supported for parameterType ${type}: its values are drawn uniformly`,
      );
    }
    const values = readList(r, fs, fsPath, type);
    if (values && distribution) parameters.push({ name, type, list: values, distribution });
  });
  return { ok: r.issues.length === before, parameters };
}

function readNumber(r: Reader, fs: Obj, key: string, fsPath: string, type: 'double' | 'int'): number | undefined {
  const text = r.string(fs, key, fsPath, true);
  if (text === undefined) return undefined;
  const at = `${fsPath}.${key}`;
  if (!NUMBER.test(text.trim())) {
    r.issue(at, `must be a number written as a string, got ${JSON.stringify(text)}`);
    return Number.NaN;
  }
  const n = Number(text);
  if (!Number.isFinite(n)) {
    r.issue(at, `must be a finite number, got ${JSON.stringify(text)}`);
    return Number.NaN;
  }
  if (type === 'int' && !Number.isSafeInteger(n)) {
    r.issue(at, `must be an integer for parameterType int, got ${JSON.stringify(text)}`);
    return Number.NaN;
  }
  return n;
}

function readRange(
  r: Reader,
  fs: Obj,
  fsPath: string,
  type: 'double' | 'int',
  distribution: Distribution | undefined,
): { min: number; max: number; step: number | null } | undefined {
  if (Array.isArray(fs.list) && fs.list.length > 0)
    r.issue(`${fsPath}.list`, `is not supported for parameterType ${type}: give min and max`);
  const min = readNumber(r, fs, 'min', fsPath, type);
  const max = readNumber(r, fs, 'max', fsPath, type);
  const step = readNumber(r, fs, 'step', fsPath, type);
  if (min === undefined) r.issue(`${fsPath}.min`, `must be specified for parameterType ${type}`);
  if (max === undefined) r.issue(`${fsPath}.max`, `must be specified for parameterType ${type}`);
  if (min === undefined || max === undefined || Number.isNaN(min) || Number.isNaN(max)) return undefined;
  let ok = true;
  if (!(min < max)) {
    r.issue(`${fsPath}.max`, `must be greater than min (${min}), got ${max}`);
    ok = false;
  }
  if (step !== undefined && !Number.isNaN(step)) {
    if (step <= 0) {
      r.issue(`${fsPath}.step`, `must be greater than 0, got ${step}`);
      ok = false;
    } else if (min < max && step > max - min) {
      r.issue(`${fsPath}.step`, `must be at most max - min (${max - min}), got ${step}`);
      ok = false;
    }
  } else if (step !== undefined) ok = false;
  // A log scale is defined on positive numbers only.
  if ((distribution === 'logUniform' || distribution === 'logNormal') && min <= 0) {
    r.issue(`${fsPath}.min`, `must be greater than 0 for distribution ${distribution}, got ${min}`);
    ok = false;
  }
  return ok ? { min, max, step: step ?? null } : undefined;
}

function readList(r: Reader, fs: Obj, fsPath: string, type: 'categorical' | 'discrete'): string[] | undefined {
  const list = r.array(fs, 'list', fsPath);
  if (!list || list.length === 0) {
    if (list !== undefined || fs.list === undefined)
      r.issue(`${fsPath}.list`, `must be a non-empty list for parameterType ${type}`);
    return undefined;
  }
  const values: string[] = [];
  let ok = true;
  list.forEach((v, j) => {
    const at = `${fsPath}.list[${j}]`;
    const s = r.value(v, at, true);
    if (s === undefined) {
      if (v === '' || v === null) r.issue(at, 'must not be empty');
      ok = false;
      return;
    }
    if (type === 'discrete' && (!NUMBER.test(s.trim()) || !Number.isFinite(Number(s)))) {
      r.issue(at, `must be a number written as a string for parameterType discrete, got ${JSON.stringify(s)}`);
      ok = false;
    } else if (values.includes(s)) {
      r.issue(at, `${JSON.stringify(s)} is listed twice: values must be unique`);
      ok = false;
    } else if (type === 'discrete' && values.some((x) => Number(x) === Number(s))) {
      r.issue(at, `${JSON.stringify(s)} is the same number as another value: values must be unique`);
      ok = false;
    }
    values.push(s);
  });
  return ok ? values : undefined;
}

function readTrialTemplate(r: Reader, spec: Obj, space: { parameters: readonly Parameter[] }): TrialTemplateSpec | undefined {
  const t = r.object(spec, 'trialTemplate', 'spec', true);
  if (!t) return undefined;
  const path = 'spec.trialTemplate';
  const before = r.issues.length;
  r.unknown(
    t,
    [
      'retain',
      'trialSpec',
      'configMap',
      'trialParameters',
      'primaryPodLabels',
      'primaryContainerName',
      'successCondition',
      'failureCondition',
    ],
    path,
  );
  let retain = false;
  if (t.retain !== undefined && t.retain !== null) {
    if (typeof t.retain === 'boolean') retain = t.retain;
    else r.issue(`${path}.retain`, `must be true or false, got ${describeValue(t.retain)}`);
  }
  const primaryContainerName = r.string(t, 'primaryContainerName', path);
  if (primaryContainerName === undefined) r.issue(`${path}.primaryContainerName`, 'must be specified');

  // The source: exactly one of trialSpec and configMap.
  const trialSpec = r.object(t, 'trialSpec', path, false) ?? null;
  const cm = r.object(t, 'configMap', path, false) ?? null;
  let configMap: ConfigMapSource | null = null;
  let kind: string | undefined;
  if (trialSpec && cm)
    r.issue(path, 'only one of spec.trialTemplate.trialSpec and spec.trialTemplate.configMap can be specified');
  else if (!trialSpec && !cm) {
    if (t.trialSpec === undefined && t.configMap === undefined)
      r.issue(path, 'spec.trialTemplate.trialSpec or spec.trialTemplate.configMap must be specified');
  } else if (cm) {
    const at = `${path}.configMap`;
    r.unknown(cm, ['configMapName', 'configMapNamespace', 'templatePath'], at);
    const n = r.string(cm, 'configMapName', at);
    const ns = r.string(cm, 'configMapNamespace', at);
    const tp = r.string(cm, 'templatePath', at);
    if (n === undefined) r.issue(`${at}.configMapName`, 'must be specified');
    if (ns === undefined) r.issue(`${at}.configMapNamespace`, 'must be specified');
    if (tp === undefined) r.issue(`${at}.templatePath`, 'must be specified');
    if (n !== undefined && ns !== undefined && tp !== undefined) configMap = { name: n, namespace: ns, templatePath: tp };
  } else if (trialSpec) {
    kind = checkTrialSpec(r, trialSpec, `${path}.trialSpec`, primaryContainerName);
  }

  // Katib's defaults by kind, for an inline trialSpec only (a ConfigMap's kind is not known here).
  let successCondition = r.string(t, 'successCondition', path);
  let failureCondition = r.string(t, 'failureCondition', path);
  let primaryPodLabels: Record<string, string> = {};
  const labels = r.object(t, 'primaryPodLabels', path, false);
  if (labels) {
    for (const [k, v] of Object.entries(labels)) {
      if (typeof v === 'string') primaryPodLabels[k] = v;
      else r.issue(`${path}.primaryPodLabels.${k}`, `must be a string, got ${describeValue(v)}`);
    }
  }
  if (kind === 'Job') {
    successCondition ??= JOB_SUCCESS_CONDITION;
    failureCondition ??= JOB_FAILURE_CONDITION;
  } else if (kind !== undefined && KUBEFLOW_JOB_KINDS.includes(kind)) {
    successCondition ??= KUBEFLOW_JOB_SUCCESS_CONDITION;
    failureCondition ??= KUBEFLOW_JOB_FAILURE_CONDITION;
    if (Object.keys(primaryPodLabels).length === 0) primaryPodLabels = { ...KUBEFLOW_JOB_PRIMARY_POD_LABELS };
  }
  if (successCondition === undefined || failureCondition === undefined) {
    const missing = [
      successCondition === undefined ? 'successCondition' : null,
      failureCondition === undefined ? 'failureCondition' : null,
    ]
      .filter((x) => x !== null)
      .join(' and ');
    if (kind !== undefined || configMap)
      r.issue(path, `${missing} must be specified for ${configMap ? 'a ConfigMap template' : `kind ${kind}`}`);
  }

  // Trial parameters, and the placeholders of the template.
  const trialParameters: TrialParameterSpec[] = [];
  const tps = r.array(t, 'trialParameters', path);
  if (tps === undefined && t.trialParameters === undefined) r.issue(`${path}.trialParameters`, 'must be specified');
  const spaceNames = new Set(space.parameters.map((p) => p.name));
  const declaredSpace = new Set(
    (Array.isArray(spec.parameters) ? spec.parameters : []).flatMap((p) =>
      isObj(p) && typeof p.name === 'string' ? [p.name] : [],
    ),
  );
  const text = trialSpec ? JSON.stringify(trialSpec) : null;
  const placeholders = text === null ? null : placeholdersIn(text);
  const seenRefs = new Set<string>();
  (tps ?? []).forEach((p, i) => {
    const at = `${path}.trialParameters[${i}]`;
    if (!isObj(p)) {
      r.issue(at, `must be an object with name and reference, got ${describeValue(p)}`);
      return;
    }
    r.unknown(p, ['name', 'description', 'reference'], at);
    const name = r.string(p, 'name', at);
    const reference = r.string(p, 'reference', at);
    const description = r.string(p, 'description', at) ?? '';
    if (name === undefined) r.issue(`${at}.name`, 'must be specified');
    else if (name.includes('{') || name.includes('}'))
      r.issue(`${at}.name`, `must not contain '{' or '}', got ${JSON.stringify(name)}`);
    else if (trialParameters.some((x) => x.name === name))
      r.issue(`${at}.name`, `${name} is declared twice: trial parameter names must be unique`);
    else if (placeholders && !placeholders.includes(name))
      r.issue(`${at}.name`, `\${trialParameters.${name}} does not appear in spec.trialTemplate.trialSpec`);
    if (reference === undefined) r.issue(`${at}.reference`, 'must be specified');
    else if (seenRefs.has(reference))
      r.issue(`${at}.reference`, `${reference} is referenced twice: trial parameter references must be unique`);
    else if (looksLikeMetaReference(reference)) {
      const m = metaReference(reference);
      if (!m)
        r.issue(
          `${at}.reference`,
          `${reference}: trial metadata is one of \${trialSpec.Name}, .Namespace, .Kind, .APIVersion, .Labels[key], .Annotations[key]`,
        );
      else if ((m.key === 'Labels' || m.key === 'Annotations') && trialSpec) {
        const md = isObj(trialSpec.metadata) ? trialSpec.metadata : {};
        const bag = m.key === 'Labels' ? md.labels : md.annotations;
        if (!isObj(bag) || typeof bag[m.index] !== 'string') {
          r.issue(`${at}.reference`, `spec.trialTemplate.trialSpec.metadata.${m.key.toLowerCase()} has no ${m.index}`);
        }
      }
    } else if (!declaredSpace.has(reference)) r.issue(`${at}.reference`, `${reference} is not a parameter of spec.parameters`);
    if (reference !== undefined) seenRefs.add(reference);
    if (name !== undefined && reference !== undefined) trialParameters.push({ name, description, reference });
  });
  if (placeholders) {
    const declared = new Set((tps ?? []).flatMap((p) => (isObj(p) && typeof p.name === 'string' ? [p.name] : [])));
    for (const ph of placeholders) {
      if (!declared.has(ph))
        r.issue(`${path}.trialSpec`, `\${trialParameters.${ph}} is not declared in spec.trialTemplate.trialParameters`);
    }
  }
  // Katib fails every trial whose assignment holds a parameter no trial parameter takes.
  if (tps) {
    const referenced = new Set(trialParameters.map((p) => p.reference));
    space.parameters.forEach((p) => {
      if (spaceNames.has(p.name) && !referenced.has(p.name)) {
        const i = (spec.parameters as unknown[]).findIndex((q) => isObj(q) && q.name === p.name);
        r.issue(
          `spec.parameters[${i}].name`,
          `${p.name} is not referenced by any spec.trialTemplate.trialParameters: no trial could take its value`,
        );
      }
    });
  }
  if (
    r.issues.length > before ||
    primaryContainerName === undefined ||
    successCondition === undefined ||
    failureCondition === undefined
  ) {
    return undefined;
  }
  return {
    trialSpec,
    configMap,
    trialParameters,
    primaryContainerName,
    primaryPodLabels,
    successCondition,
    failureCondition,
    retain,
  };
}

/** The inline template's own checks; its kind when gpupool can run it. */
function checkTrialSpec(r: Reader, trialSpec: Obj, path: string, primaryContainerName: string | undefined): string | undefined {
  const apiVersion = trialSpec.apiVersion;
  const kind = trialSpec.kind;
  if (typeof apiVersion !== 'string' || apiVersion === '') r.issue(`${path}.apiVersion`, 'must be specified');
  if (typeof kind !== 'string' || kind === '') r.issue(`${path}.kind`, 'must be specified');
  const md = trialSpec.metadata;
  if (isObj(md)) {
    // Each trial is named and placed by the controller.
    if (md.name !== undefined) r.issue(`${path}.metadata.name`, 'must be omitted: each trial gets its own name');
    if (md.namespace !== undefined)
      r.issue(`${path}.metadata.namespace`, "must be omitted: trials run in the experiment's namespace");
  }
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') return undefined;
  const why = unsupportedTrialKind(apiVersion, kind);
  if (why) {
    r.issue(`${path}.kind`, why);
    return undefined;
  }
  const names = containerNames(trialSpec);
  if (names === null) {
    r.issue(`${path}.spec`, `is not a ${kind} gpupool can read: ${describeShape(kind)}`);
    return kind;
  }
  if (primaryContainerName !== undefined && !names.includes(primaryContainerName)) {
    r.issue(
      'spec.trialTemplate.primaryContainerName',
      `${primaryContainerName} is not a container of the trial (${names.join(', ') || 'none'})`,
    );
  }
  return kind;
}

function describeShape(kind: string): string {
  const field = TRIAL_KINDS[kind]?.replicaField;
  return field ? `spec.${field}.<type>.template.spec.containers is required` : 'spec.template.spec.containers is required';
}

// -- metrics collector -----------------------------------------------------------------------------

function readMetricsCollector(r: Reader, spec: Obj): MetricsCollector | undefined {
  const path = 'spec.metricsCollectorSpec';
  const mc = r.object(spec, 'metricsCollectorSpec', 'spec', false) ?? {};
  r.unknown(mc, ['source', 'collector'], path);
  const before = r.issues.length;
  const collector = r.object(mc, 'collector', path, false) ?? {};
  r.unknown(collector, ['kind', 'customCollector'], `${path}.collector`);
  const kindText = r.string(collector, 'kind', `${path}.collector`) ?? 'StdOut';
  const kind = r.oneOf(kindText, COLLECTOR_KINDS, `${path}.collector.kind`);
  const source = r.object(mc, 'source', path, false);
  const sourcePath = `${path}.source`;
  if (source) r.unknown(source, ['httpGet', 'fileSystemPath', 'filter'], sourcePath);
  const fsp = source ? r.object(source, 'fileSystemPath', sourcePath, false) : undefined;
  const fspPath = `${sourcePath}.fileSystemPath`;
  if (fsp) r.unknown(fsp, ['path', 'kind', 'format'], fspPath);
  let fsPath = fsp ? r.string(fsp, 'path', fspPath) : undefined;
  let fsKind = fsp ? r.string(fsp, 'kind', fspPath) : undefined;
  let fsFormat = fsp ? r.string(fsp, 'format', fspPath) : undefined;
  const filter = source ? r.object(source, 'filter', sourcePath, false) : undefined;
  const formats: string[] = [];
  if (filter) {
    r.unknown(filter, ['metricsFormat'], `${sourcePath}.filter`);
    (r.array(filter, 'metricsFormat', `${sourcePath}.filter`) ?? []).forEach((f, j) => {
      const at = `${sourcePath}.filter.metricsFormat[${j}]`;
      const s = r.value(f, at);
      if (s === undefined) return;
      formats.push(s);
      let groups = -1;
      try {
        // Capturing groups of the pattern: the matches of an always-matching alternative.
        groups = (new RegExp(`${s}|`).exec('') as RegExpExecArray).length - 1;
      } catch (e) {
        r.issue(at, `invalid regular expression: ${(e as Error).message}`);
        return;
      }
      if (groups < 2) r.issue(at, 'must have two capturing groups: the metric name, then its value');
    });
  }
  const httpGet = source ? r.object(source, 'httpGet', sourcePath, false) : undefined;
  let fileSystemPath: FileSystemPath | null = null;
  let http: { path: string; port: number } | null = null;
  let customCollector: Obj | null = null;
  const isAbsolute = (p: string | undefined): p is string => p?.startsWith('/') === true;
  switch (kind) {
    case 'File': {
      fsKind ??= 'File';
      fsPath ??= DEFAULT_FILE_METRICS_PATH;
      fsFormat ??= 'TEXT';
      if (fsKind !== 'File') r.issue(`${fspPath}.kind`, `must be File for collector kind File, got ${JSON.stringify(fsKind)}`);
      if (!isAbsolute(fsPath))
        r.issue(`${fspPath}.path`, `the metrics file's absolute path is required, got ${JSON.stringify(fsPath)}`);
      if (fsFormat !== 'TEXT' && fsFormat !== 'JSON')
        r.issue(`${fspPath}.format`, `must be TEXT or JSON, got ${JSON.stringify(fsFormat)}`);
      if (fsFormat === 'JSON' && filter) r.issue(`${sourcePath}.filter`, 'must be omitted when the metrics file is JSON');
      fileSystemPath = { path: fsPath, kind: 'File', format: fsFormat === 'JSON' ? 'JSON' : 'TEXT' };
      break;
    }
    case 'TensorFlowEvent': {
      fsKind ??= 'Directory';
      fsPath ??= DEFAULT_TF_EVENT_PATH;
      if (fsKind !== 'Directory')
        r.issue(`${fspPath}.kind`, `must be Directory for collector kind TensorFlowEvent, got ${JSON.stringify(fsKind)}`);
      if (!isAbsolute(fsPath))
        r.issue(`${fspPath}.path`, `the event files' absolute directory is required, got ${JSON.stringify(fsPath)}`);
      if (fsFormat !== undefined)
        r.issue(`${fspPath}.format`, `must be empty for collector kind TensorFlowEvent, got ${JSON.stringify(fsFormat)}`);
      fileSystemPath = { path: fsPath, kind: 'Directory', format: null };
      break;
    }
    case 'PrometheusMetric': {
      const hp = httpGet ? r.string(httpGet, 'path', `${sourcePath}.httpGet`) : undefined;
      const port = httpGet?.port ?? DEFAULT_PROMETHEUS_PORT;
      const p = hp ?? DEFAULT_PROMETHEUS_PATH;
      const n = typeof port === 'number' ? port : typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : Number.NaN;
      if (!Number.isSafeInteger(n) || n <= 0 || n > 65535)
        r.issue(`${sourcePath}.httpGet.port`, `must be a port number, got ${describeValue(port)}`);
      if (!p.startsWith('/')) r.issue(`${sourcePath}.httpGet.path`, `must start with '/', got ${JSON.stringify(p)}`);
      http = { path: p, port: n };
      break;
    }
    case 'Custom': {
      const c = r.object(collector, 'customCollector', `${path}.collector`, false);
      if (!c) r.issue(`${path}.collector.customCollector`, 'a container is required for collector kind Custom');
      customCollector = c ?? null;
      if (fsp) {
        if (!isAbsolute(fsPath) || (fsKind !== 'File' && fsKind !== 'Directory')) {
          r.issue(fspPath, 'an absolute path of kind File or Directory is required');
        } else fileSystemPath = { path: fsPath as string, kind: fsKind, format: null };
      }
      break;
    }
    default:
      break;
  }
  if (!kind || r.issues.length > before) return undefined;
  return { kind, fileSystemPath, httpGet: http, metricsFormat: formats, customCollector };
}
