/**
 * A trial's manifest from the experiment's trial template, and the shape gpupool schedules it as.
 *
 * Substitution follows Katib (pkg/controller.v1beta1/experiment/manifest/generator.go): the
 * template is turned into text (an inline trialSpec is serialized as JSON, a ConfigMap's template
 * is its text), every `${trialParameters.<name>}` is replaced by the value of what that trial
 * parameter references (a search-space parameter of the assignment, or the trial's metadata
 * written `${trialSpec.Name}`, `.Namespace`, `.Kind`, `.APIVersion`, `.Labels[k]`,
 * `.Annotations[k]`), and the text is parsed back. Then the manifest gets the trial's name and
 * namespace. Two differences, both so that any value renders to the manifest it names: values
 * put into JSON text are JSON-escaped (Katib inserts them raw, so a quote breaks the document),
 * and the replacement is one pass in which an inserted value is never scanned again (Katib
 * replaces parameter by parameter in map order, so a value holding a placeholder could be
 * substituted again or not, depending on that order).
 *
 * Everything here is pure: no I/O; a ConfigMap's template is handed in by the caller.
 */
import { parse as parseYaml } from 'yaml';
import type { Assignment, SettingsIssue } from './space.js';
import type { ExperimentSpec } from './spec.js';

type JsonObject = { [key: string]: unknown };

const isObject = (u: unknown): u is JsonObject => typeof u === 'object' && u !== null && !Array.isArray(u);

/** A placeholder of the template: Katib's `\$\{trialParameters\..+?\}`, the name captured. */
const PLACEHOLDER = /\$\{trialParameters\.(.+?)\}/g;

/** The names of the `${trialParameters.<name>}` placeholders in a template's text, in order, without repeats. */
export function placeholdersIn(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** The trial metadata a trial parameter may reference instead of a search-space parameter. */
export type MetaReference =
  | { readonly key: 'Name' | 'Namespace' | 'Kind' | 'APIVersion' }
  | { readonly key: 'Labels' | 'Annotations'; readonly index: string };

/**
 * The metadata a reference names (`${trialSpec.Name}`, `${trialSpec.Labels[app]}`), or null when
 * it names none (it is then a search-space parameter's name). Anchored, unlike Katib's check, so
 * that `lr${trialSpec.Name}` is not taken for metadata.
 */
export function metaReference(reference: string): MetaReference | null {
  const m = /^\$\{trialSpec\.(.+)\}$/.exec(reference);
  if (!m) return null;
  const key = m[1] as string;
  if (key === 'Name' || key === 'Namespace' || key === 'Kind' || key === 'APIVersion') return { key };
  const indexed = /^(Labels|Annotations)\[(.+)\]$/.exec(key);
  if (indexed) return { key: indexed[1] as 'Labels' | 'Annotations', index: indexed[2] as string };
  return null;
}

/** Whether a reference is written as metadata (`${trialSpec....}`), known key or not. */
export function looksLikeMetaReference(reference: string): boolean {
  return /^\$\{trialSpec\..*\}$/.test(reference);
}

// -- the kinds gpupool runs -------------------------------------------------------------------------

interface TrialKind {
  readonly apiVersions: readonly string[];
  /** Where the replica specs are (training-operator kinds); null for a batch Job (one pod template). */
  readonly replicaField: string | null;
  /** Replica types in the order the primary container is looked for (the master's pod first). */
  readonly primaryOrder: readonly string[];
  /** Replica types counted as workers; null: every replica type. */
  readonly workerTypes: readonly string[] | null;
}

/** The trial kinds gpupool can run, by kind. */
export const TRIAL_KINDS: Readonly<Record<string, TrialKind>> = {
  Job: { apiVersions: ['batch/v1'], replicaField: null, primaryOrder: [], workerTypes: null },
  TFJob: {
    apiVersions: ['kubeflow.org/v1'],
    replicaField: 'tfReplicaSpecs',
    primaryOrder: ['Chief', 'Master', 'Worker', 'PS', 'Evaluator'],
    workerTypes: null,
  },
  PyTorchJob: {
    apiVersions: ['kubeflow.org/v1'],
    replicaField: 'pytorchReplicaSpecs',
    primaryOrder: ['Master', 'Worker'],
    workerTypes: null,
  },
  XGBoostJob: {
    apiVersions: ['kubeflow.org/v1'],
    replicaField: 'xgbReplicaSpecs',
    primaryOrder: ['Master', 'Worker'],
    workerTypes: null,
  },
  // The launcher only starts mpirun: the workers are the Worker replicas.
  MPIJob: {
    apiVersions: ['kubeflow.org/v1', 'kubeflow.org/v2beta1'],
    replicaField: 'mpiReplicaSpecs',
    primaryOrder: ['Launcher', 'Worker'],
    workerTypes: ['Worker'],
  },
  JAXJob: { apiVersions: ['kubeflow.org/v1'], replicaField: 'jaxReplicaSpecs', primaryOrder: ['Worker'], workerTypes: null },
};

/** Why gpupool cannot run a trial of this apiVersion and kind, or null when it can. */
export function unsupportedTrialKind(apiVersion: string, kind: string): string | null {
  const k = Object.hasOwn(TRIAL_KINDS, kind) ? TRIAL_KINDS[kind] : undefined;
  if (!k) return `gpupool cannot run trials of kind ${kind}: it runs ${Object.keys(TRIAL_KINDS).join(', ')}`;
  if (!k.apiVersions.includes(apiVersion))
    return `gpupool runs ${kind} as apiVersion ${k.apiVersions.join(' or ')}, not ${apiVersion}`;
  return null;
}

interface PodTemplate {
  /** The replica type (Master, Worker...), or null for a batch Job's one template. */
  readonly replicaType: string | null;
  readonly replicas: number;
  readonly path: string;
  readonly spec: JsonObject;
}

/** The pod templates of a manifest of a known kind with their replica counts; issues for what is malformed. */
function podTemplates(manifest: JsonObject, issues: SettingsIssue[], root: string): PodTemplate[] {
  const kind = TRIAL_KINDS[String(manifest.kind)];
  const spec = manifest.spec;
  if (!kind) return [];
  if (!isObject(spec)) {
    issues.push({ path: `${root}.spec`, message: 'must be an object' });
    return [];
  }
  const count = (u: unknown, path: string, fallback: number): number => {
    if (u === undefined || u === null) return fallback;
    if (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0) return u;
    issues.push({ path, message: 'must be an integer >= 0' });
    return fallback;
  };
  const podSpec = (template: unknown, path: string): JsonObject | null => {
    const s = isObject(template) ? template.spec : undefined;
    if (isObject(s) && Array.isArray(s.containers)) return s;
    issues.push({ path: `${path}.spec.containers`, message: 'a pod template with containers is required' });
    return null;
  };
  if (kind.replicaField === null) {
    const s = podSpec(spec.template, `${root}.spec.template`);
    // A batch Job runs `parallelism` pods at once (Kubernetes' default: 1).
    const replicas = count(spec.parallelism, `${root}.spec.parallelism`, 1);
    return s ? [{ replicaType: null, replicas, path: `${root}.spec.template`, spec: s }] : [];
  }
  const replicaSpecs = spec[kind.replicaField];
  const at = `${root}.spec.${kind.replicaField}`;
  if (!isObject(replicaSpecs)) {
    issues.push({ path: at, message: 'must be an object of replica specs' });
    return [];
  }
  const types = Object.keys(replicaSpecs).sort((a, b) => rank(kind, a) - rank(kind, b) || a.localeCompare(b));
  const out: PodTemplate[] = [];
  for (const type of types) {
    const r = replicaSpecs[type];
    const path = `${at}.${type}`;
    if (!isObject(r)) {
      issues.push({ path, message: 'must be an object' });
      continue;
    }
    // The training operator's default is one replica.
    const replicas = count(r.replicas, `${path}.replicas`, 1);
    const s = podSpec(r.template, `${path}.template`);
    if (s) out.push({ replicaType: type, replicas, path: `${path}.template`, spec: s });
  }
  return out;
}

function rank(kind: TrialKind, type: string): number {
  const i = kind.primaryOrder.indexOf(type);
  return i < 0 ? kind.primaryOrder.length : i;
}

/**
 * The names of the containers of a trial spec of a known kind (for checking primaryContainerName
 * when the experiment is parsed); null when the kind is not one gpupool runs or the shape is malformed.
 */
export function containerNames(trialSpec: JsonObject): string[] | null {
  const issues: SettingsIssue[] = [];
  const pods = podTemplates(trialSpec, issues, 'trialSpec');
  if (issues.length > 0 || pods.length === 0) return null;
  const names: string[] = [];
  for (const p of pods) {
    for (const c of p.spec.containers as unknown[]) if (isObject(c) && typeof c.name === 'string') names.push(c.name);
  }
  return names;
}

// -- rendering ------------------------------------------------------------------------------------

export interface TrialMeta {
  /** The trial's namespace (Katib: the experiment's). */
  readonly namespace: string;
  /** Labels and annotations set on the rendered manifest's metadata, over the template's own. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * The template's text when the experiment names a ConfigMap (the value at its templatePath),
   * read by the caller: the core does no I/O.
   */
  readonly template?: string;
}

export type RenderResult =
  | { readonly ok: true; readonly manifest: JsonObject }
  | { readonly ok: false; readonly issues: SettingsIssue[] };

/** A Kubernetes object name (DNS-1123 subdomain, at most 253 characters). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The manifest of one trial: the experiment's template with its placeholders substituted from
 * the assignment and the trial's metadata, named `trialName` in `meta.namespace`. Every problem
 * is reported at once: a parameter the assignment lacks, an assigned parameter no trial parameter
 * takes (Katib fails the trial for both), a label or annotation the template does not carry, a
 * ConfigMap template not handed in or not parseable.
 */
export function renderTrial(spec: ExperimentSpec, trialName: string, assignment: Assignment, meta: TrialMeta): RenderResult {
  const issues: SettingsIssue[] = [];
  if (trialName.length > 253 || !DNS_SUBDOMAIN.test(trialName)) {
    issues.push({
      path: 'trialName',
      message: `must be a Kubernetes object name (lower-case DNS-1123 subdomain), got ${JSON.stringify(trialName)}`,
    });
  }
  const tt = spec.trialTemplate;
  let text: string;
  let fromJson: boolean;
  let template: JsonObject;
  if (tt.trialSpec) {
    template = tt.trialSpec;
    text = JSON.stringify(tt.trialSpec);
    fromJson = true;
  } else {
    if (meta.template === undefined) {
      return { ok: false, issues: [...issues, { path: 'template', message: 'the ConfigMap template text is required' }] };
    }
    text = meta.template;
    fromJson = false;
    const parsed = parseText(text);
    if (!parsed.ok || !isObject(parsed.value)) {
      return {
        ok: false,
        issues: [
          ...issues,
          {
            path: 'template',
            message: `the ConfigMap template is not a YAML or JSON object${parsed.ok ? '' : `: ${parsed.message}`}`,
          },
        ],
      };
    }
    template = parsed.value;
    // What Katib checks of a ConfigMap template when the experiment is created, checked when it is read.
    const why = unsupportedTrialKind(String(template.apiVersion ?? ''), String(template.kind ?? ''));
    if (why) issues.push({ path: 'template.kind', message: why });
    const found = placeholdersIn(text);
    const declared = tt.trialParameters.map((p) => p.name);
    for (const name of declared) {
      if (!found.includes(name))
        issues.push({ path: 'template', message: `\${trialParameters.${name}} does not appear in the template` });
    }
    for (const name of found) {
      if (!declared.includes(name)) {
        issues.push({
          path: 'template',
          message: `\${trialParameters.${name}} is not declared in spec.trialTemplate.trialParameters`,
        });
      }
    }
  }
  const metadata = isObject(template.metadata) ? template.metadata : {};
  const values = new Map<string, string>();
  const referenced = new Set<string>();
  tt.trialParameters.forEach((p, i) => {
    const m = metaReference(p.reference);
    const at = `spec.trialTemplate.trialParameters[${i}].reference`;
    if (!m) {
      referenced.add(p.reference);
      const v = Object.hasOwn(assignment, p.reference) ? assignment[p.reference] : undefined;
      if (v === undefined)
        issues.push({
          path: `assignment.${p.reference}`,
          message: `no value for parameter ${p.reference} (trial parameter ${p.name})`,
        });
      else values.set(p.name, v);
      return;
    }
    switch (m.key) {
      case 'Name':
        values.set(p.name, trialName);
        return;
      case 'Namespace':
        values.set(p.name, meta.namespace);
        return;
      case 'Kind':
        values.set(p.name, String(template.kind ?? ''));
        return;
      case 'APIVersion':
        values.set(p.name, String(template.apiVersion ?? ''));
        return;
      default: {
        const bag = m.key === 'Labels' ? metadata.labels : metadata.annotations;
        const v = isObject(bag) ? bag[m.index] : undefined;
        if (typeof v === 'string') values.set(p.name, v);
        else
          issues.push({
            path: at,
            message: `the template's metadata has no ${m.key === 'Labels' ? 'label' : 'annotation'} ${m.index}`,
          });
      }
    }
  });
  for (const name of Object.keys(assignment)) {
    if (!referenced.has(name))
      issues.push({ path: `assignment.${name}`, message: 'no trial parameter references this parameter' });
  }
  if (issues.length > 0) return { ok: false, issues };
  const encode = fromJson ? (v: string) => JSON.stringify(v).slice(1, -1) : (v: string) => v;
  const substituted = text.replace(PLACEHOLDER, (whole, name: string) => {
    const v = values.get(name);
    return v === undefined ? whole : encode(v);
  });
  const parsed = fromJson ? parseJson(substituted) : parseText(substituted);
  if (!parsed.ok || !isObject(parsed.value)) {
    return {
      ok: false,
      issues: [
        { path: 'template', message: `the substituted template is not an object${parsed.ok ? '' : `: ${parsed.message}`}` },
      ],
    };
  }
  const manifest = parsed.value;
  const md: JsonObject = isObject(manifest.metadata) ? { ...manifest.metadata } : {};
  md.name = trialName;
  md.namespace = meta.namespace;
  if (meta.labels) md.labels = { ...(isObject(md.labels) ? md.labels : {}), ...meta.labels };
  if (meta.annotations) md.annotations = { ...(isObject(md.annotations) ? md.annotations : {}), ...meta.annotations };
  // The manifest as Kubernetes writes it: apiVersion, kind, metadata, then the rest.
  const { apiVersion, kind, metadata: _, ...rest } = manifest;
  return { ok: true, manifest: { apiVersion, kind, metadata: md, ...rest } };
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

function parseText(text: string): Parsed {
  try {
    return { ok: true, value: parseYaml(text) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

// -- resources --------------------------------------------------------------------------------------

export interface EnvVar {
  readonly name: string;
  /** The literal value; null when the variable is taken from elsewhere (valueFrom). */
  readonly value: string | null;
}

/** What gpupool schedules a trial as: its SubmitJob shape and its primary container. */
export interface TrialResources {
  /** Every replica's GPU limit times its replica count, summed over the replica types. */
  readonly gpus: number;
  /** Pods that train: a Job's parallelism, the sum of a training job's replicas (an MPIJob's Worker replicas). */
  readonly workers: number;
  readonly image: string | null;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: readonly EnvVar[];
  /** The pod templates' `nodeSelector` (null: none): gpupool allocates the trial's GPUs on such nodes only. */
  readonly nodeSelector: Readonly<Record<string, string>> | null;
  /**
   * The pod templates' required node affinity terms, as written (null: none). The cluster's codec
   * checks them when the trial's job is submitted; one it refuses fails the trial, saying why.
   */
  readonly nodeAffinity: readonly JsonObject[] | null;
}

export type ResourcesResult =
  | { readonly ok: true; readonly resources: TrialResources }
  | { readonly ok: false; readonly issues: SettingsIssue[] };

/** A trial's job: its rendered manifest and what gpupool schedules it as; or why its template makes none. */
export type TrialJobResult =
  | { readonly ok: true; readonly manifest: JsonObject; readonly resources: TrialResources }
  | { readonly ok: false; readonly message: string };

/**
 * A trial's job as the experiment controller submits it (and `gpupool simulate` schedules it): its
 * manifest rendered in the experiment's namespace (default `default`) and its resources read from
 * it, GPUs counted in `gpuResource`; or, when the template makes no job, the message the trial
 * fails with, naming every issue.
 */
export function trialJob(spec: ExperimentSpec, trialName: string, assignment: Assignment, gpuResource?: string): TrialJobResult {
  const unrunnable = (issues: readonly SettingsIssue[]): TrialJobResult => ({
    ok: false,
    message: `the trial template does not make a job: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
  });
  const rendered = renderTrial(spec, trialName, assignment, { namespace: spec.namespace ?? 'default' });
  if (!rendered.ok) return unrunnable(rendered.issues);
  const resources = trialResources(rendered.manifest, gpuResource, spec.trialTemplate.primaryContainerName);
  if (!resources.ok) return unrunnable(resources.issues);
  return { ok: true, manifest: rendered.manifest, resources: resources.resources };
}

/**
 * The GPUs, workers and primary container of a rendered trial manifest. GPUs are read from each
 * container's `resources.limits[gpuResource]` (the limit is what Kubernetes requires of an
 * extended resource; a request alone is read when no limit is written). The primary container
 * is the one named `primaryContainerName`, looked for in the master's pod first (Master, Chief,
 * Launcher), else the first container.
 */
export function trialResources(
  manifest: unknown,
  gpuResource = 'nvidia.com/gpu',
  primaryContainerName: string | null = null,
): ResourcesResult {
  const issues: SettingsIssue[] = [];
  if (!isObject(manifest)) return { ok: false, issues: [{ path: 'manifest', message: 'must be an object' }] };
  const why = unsupportedTrialKind(String(manifest.apiVersion ?? ''), String(manifest.kind ?? ''));
  if (why) return { ok: false, issues: [{ path: 'manifest.kind', message: why }] };
  const kind = TRIAL_KINDS[String(manifest.kind)] as TrialKind;
  const pods = podTemplates(manifest, issues, 'manifest');
  let gpus = 0;
  let workers = 0;
  let primary: JsonObject | null = null;
  let first: JsonObject | null = null;
  for (const pod of pods) {
    let perPod = 0;
    (pod.spec.containers as unknown[]).forEach((c, j) => {
      if (!isObject(c)) return;
      first ??= c;
      if (primary === null && primaryContainerName !== null && c.name === primaryContainerName) primary = c;
      const r = isObject(c.resources) ? c.resources : {};
      const limits = isObject(r.limits) ? r.limits : {};
      const requests = isObject(r.requests) ? r.requests : {};
      const q = limits[gpuResource] ?? requests[gpuResource];
      if (q === undefined) return;
      const n = typeof q === 'number' ? q : typeof q === 'string' && /^\d+$/.test(q) ? Number(q) : Number.NaN;
      if (Number.isSafeInteger(n) && n >= 0) perPod += n;
      else
        issues.push({
          path: `${pod.path}.spec.containers[${j}].resources.limits.${gpuResource}`,
          message: `a GPU count must be a whole number, got ${JSON.stringify(q)}`,
        });
    });
    gpus += perPod * pod.replicas;
    if (kind.workerTypes === null || (pod.replicaType !== null && kind.workerTypes.includes(pod.replicaType))) {
      workers += pod.replicas;
    }
  }
  // gpupool schedules at least one worker: a Job paused at parallelism 0 or replicas all 0 could never run.
  if (pods.length > 0 && workers === 0)
    issues.push({ path: 'manifest.spec', message: 'runs no pod: parallelism or replicas are 0' });
  if (primaryContainerName !== null && primary === null && pods.length > 0) {
    issues.push({ path: 'manifest', message: `no container is named ${primaryContainerName}` });
  }
  const nodes = nodeRulesOf(pods, issues);
  if (issues.length > 0) return { ok: false, issues };
  const c: JsonObject = primary ?? first ?? {};
  const strings = (u: unknown): string[] => (Array.isArray(u) ? u.map((x) => String(x)) : []);
  const env = Array.isArray(c.env)
    ? c.env.filter(isObject).map((e) => ({ name: String(e.name), value: typeof e.value === 'string' ? e.value : null }))
    : [];
  return {
    ok: true,
    resources: {
      gpus,
      workers,
      image: typeof c.image === 'string' ? c.image : null,
      command: strings(c.command),
      args: strings(c.args),
      env,
      nodeSelector: nodes.nodeSelector,
      nodeAffinity: nodes.nodeAffinity,
    },
  };
}

/**
 * The nodes a trial's pods ask for: the pod templates' `nodeSelector` and required node affinity
 * terms. gpupool places every pod of a trial by one of each, so templates that ask differently
 * (a PyTorchJob's Master on one kind of node, its Workers on another) are an issue, named.
 */
function nodeRulesOf(
  pods: readonly PodTemplate[],
  issues: SettingsIssue[],
): Pick<TrialResources, 'nodeSelector' | 'nodeAffinity'> {
  let chosen: { path: string; key: string; rules: Pick<TrialResources, 'nodeSelector' | 'nodeAffinity'> } | null = null;
  for (const pod of pods) {
    const selector = pod.spec.nodeSelector;
    let nodeSelector: Record<string, string> | null = null;
    if (isObject(selector) && Object.keys(selector).length > 0) {
      const bad = Object.keys(selector).find((k) => typeof selector[k] !== 'string');
      if (bad !== undefined) {
        issues.push({ path: `${pod.path}.spec.nodeSelector.${bad}`, message: 'a label value must be a string' });
        continue;
      }
      nodeSelector = Object.fromEntries(
        Object.keys(selector)
          .sort()
          .map((k) => [k, selector[k] as string]),
      );
    }
    const affinity = isObject(pod.spec.affinity) ? pod.spec.affinity.nodeAffinity : undefined;
    const required = isObject(affinity) ? affinity.requiredDuringSchedulingIgnoredDuringExecution : undefined;
    const terms = isObject(required) ? required.nodeSelectorTerms : undefined;
    const nodeAffinity = Array.isArray(terms) && terms.length > 0 ? (terms as JsonObject[]) : null;
    const key = JSON.stringify([nodeSelector, nodeAffinity]);
    if (chosen === null) chosen = { path: pod.path, key, rules: { nodeSelector, nodeAffinity } };
    else if (chosen.key !== key) {
      issues.push({
        path: `${pod.path}.spec`,
        message: `asks for other nodes than ${chosen.path} (nodeSelector, required node affinity): gpupool places every pod of a trial on nodes of one kind`,
      });
    }
  }
  return chosen?.rules ?? { nodeSelector: null, nodeAffinity: null };
}
