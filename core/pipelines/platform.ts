/**
 * What a step's Kubernetes platform spec reads from its task's context, resolved as KFP's driver
 * resolves it (backend/src/v2/driver/k8s.go) when the step starts. Each value is a constant, an
 * input of the DAG the task is in, or an output of a task before it.
 *
 * - Names: a secret's, config map's or PVC's name given as `secretNameParameter` (and its kin).
 *   What resolves is written into the plain name field (`secretName`, `configMapName`, `pvcName`),
 *   so the runtime reads names only; what does not (an input or output not there, a value not a
 *   string) is left without a name, and the runtime refuses the step's pod naming it.
 * - JSON: the node selector (`nodeSelectorJson`, an object of label values), node affinity terms
 *   (`nodeAffinityJson`, a Kubernetes NodeAffinity) and tolerations (`tolerationJson`, one or a
 *   list), as kfp-kubernetes' `add_*_json` write them. Each is replaced by what it resolves to,
 *   in the written form, so the scheduler places a GPU step by it and its pod carries it. A value
 *   that is null or not given (an optional input) adds nothing, as in KFP; a value of the wrong
 *   shape fails the step, naming where it came from and what is wrong.
 */
import { isPlainObject } from '../codec.js';
import type { Result } from '../result.js';
import type { InputParameterSpec, JsonValue, KubernetesExecutorConfig } from './ir.js';
import { childPath, type Run, type TaskRun } from './model.js';

/** A parameter's value in the task's context, or undefined when it is not there. */
export function parameterValue(run: Run, task: TaskRun, spec: InputParameterSpec): JsonValue | undefined {
  if (spec.runtimeValue) return spec.runtimeValue.constant;
  if (spec.componentInputParameter !== undefined) {
    const name = spec.componentInputParameter;
    const parent = task.parent === null ? undefined : run.tasks.get(task.parent);
    return parent?.inputs.parameters[name] ?? task.inputs.parameters[name];
  }
  if (spec.taskOutputParameter && task.parent !== null) {
    const producer = run.tasks.get(childPath(task.parent, spec.taskOutputParameter.producerTask));
    return producer?.outputs?.parameters[spec.taskOutputParameter.outputParameterKey];
  }
  return undefined;
}

/** A name parameter's value in the task's context, or undefined when it cannot be had. */
export function nameParameterValue(run: Run, task: TaskRun, spec: InputParameterSpec): string | undefined {
  const value = parameterValue(run, task, spec);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

type Resolved<T> = Result<T, { readonly message: string }>;

type Config = KubernetesExecutorConfig;
type AffinityTerm = NonNullable<Config['nodeAffinity']>[number];
type Toleration = NonNullable<Config['tolerations']>[number];

/** Where a value came from, for messages: `input 'sel'`, `output 'x' of task 'gen'`, `its constant`. */
function sourceOf(spec: InputParameterSpec): string {
  if (spec.componentInputParameter !== undefined) return `input '${spec.componentInputParameter}'`;
  if (spec.taskOutputParameter) {
    return `output '${spec.taskOutputParameter.outputParameterKey}' of task '${spec.taskOutputParameter.producerTask}'`;
  }
  return 'its constant';
}

/** A value as a message shows it: short, whatever its size. */
function shown(v: unknown): string {
  const text = typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v));
  return text.length <= SHOWN_LENGTH ? text : `${text.slice(0, SHOWN_LENGTH - 1)}…`;
}
const SHOWN_LENGTH = 60;

/** A problem at `path` inside a resolved value. */
class Wrong {
  constructor(
    readonly path: string,
    readonly message: string,
  ) {}
}

const at = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);

function labelsOf(v: JsonValue): Record<string, string> | Wrong {
  if (!isPlainObject(v)) return new Wrong('', `must be an object of label values, not ${shown(v)}`);
  for (const [k, value] of Object.entries(v))
    if (typeof value !== 'string') return new Wrong(k, `must be a string, not ${shown(value)}`);
  return { ...(v as Record<string, string>) };
}

/** A node selector term of a NodeAffinity: label requirements only, as the written terms. */
function termOf(v: unknown, path: string, required: boolean): AffinityTerm['matchExpressions'] | Wrong {
  if (!isPlainObject(v)) return new Wrong(path, `must be an object, not ${shown(v)}`);
  if (Array.isArray(v.matchFields) && v.matchFields.length > 0) {
    return new Wrong(at(path, 'matchFields'), 'not supported: name the nodes by a label (kubernetes.io/hostname)');
  }
  const exprs = v.matchExpressions ?? [];
  if (!Array.isArray(exprs)) return new Wrong(at(path, 'matchExpressions'), `must be a list, not ${shown(exprs)}`);
  // An empty required term matches no node: the step could never start.
  if (required && exprs.length === 0) return new Wrong(at(path, 'matchExpressions'), 'must list one or more requirements');
  const out: { key: string; operator: string; values?: string[] }[] = [];
  for (const [i, x] of exprs.entries()) {
    const xPath = at(at(path, 'matchExpressions'), i);
    if (!isPlainObject(x)) return new Wrong(xPath, `must be an object, not ${shown(x)}`);
    for (const k of ['key', 'operator'] as const) {
      if (typeof x[k] !== 'string' || x[k] === '')
        return new Wrong(at(xPath, k), `must be a non-empty string, not ${shown(x[k])}`);
    }
    if (x.values !== undefined && x.values !== null) {
      if (!Array.isArray(x.values)) return new Wrong(at(xPath, 'values'), `must be a list, not ${shown(x.values)}`);
      const bad = x.values.findIndex((s) => typeof s !== 'string');
      if (bad >= 0) return new Wrong(at(at(xPath, 'values'), bad), `must be a string, not ${shown(x.values[bad])}`);
    }
    out.push({
      key: x.key as string,
      operator: x.operator as string,
      ...(Array.isArray(x.values) ? { values: [...(x.values as string[])] } : {}),
    });
  }
  return out;
}

/** A Kubernetes NodeAffinity as written terms: its required terms without a weight, its preferred ones with theirs. */
function affinityOf(v: JsonValue): AffinityTerm[] | Wrong {
  if (!isPlainObject(v)) return new Wrong('', `must be a NodeAffinity object, not ${shown(v)}`);
  const terms: AffinityTerm[] = [];
  const R = 'requiredDuringSchedulingIgnoredDuringExecution';
  const required = v[R];
  if (required !== undefined && required !== null) {
    if (!isPlainObject(required)) return new Wrong(R, `must be an object, not ${shown(required)}`);
    const list = required.nodeSelectorTerms;
    if (!Array.isArray(list) || list.length === 0) return new Wrong(at(R, 'nodeSelectorTerms'), 'must list one or more terms');
    for (const [i, t] of list.entries()) {
      const term = termOf(t, at(at(R, 'nodeSelectorTerms'), i), true);
      if (term instanceof Wrong) return term;
      terms.push({ matchExpressions: term });
    }
  }
  const P = 'preferredDuringSchedulingIgnoredDuringExecution';
  const preferred = v[P];
  if (preferred !== undefined && preferred !== null) {
    if (!Array.isArray(preferred)) return new Wrong(P, `must be a list, not ${shown(preferred)}`);
    for (const [i, p] of preferred.entries()) {
      const pPath = at(P, i);
      if (!isPlainObject(p)) return new Wrong(pPath, `must be an object, not ${shown(p)}`);
      const weight = p.weight;
      if (!(typeof weight === 'number' && Number.isInteger(weight) && weight >= 1 && weight <= 100)) {
        return new Wrong(at(pPath, 'weight'), `must be an integer from 1 to 100, not ${shown(weight)}`);
      }
      const term = termOf(p.preference ?? {}, at(pPath, 'preference'), false);
      if (term instanceof Wrong) return term;
      terms.push({ matchExpressions: term, weight });
    }
  }
  return terms;
}

function tolerationOf(v: unknown, path: string): Toleration | Wrong {
  if (!isPlainObject(v)) return new Wrong(path, `must be an object, not ${shown(v)}`);
  const out: Record<string, string | number> = {};
  for (const k of ['key', 'operator', 'value', 'effect'] as const) {
    const s = v[k];
    if (s === undefined || s === null) continue;
    if (typeof s !== 'string') return new Wrong(at(path, k), `must be a string, not ${shown(s)}`);
    out[k] = s;
  }
  const seconds = v.tolerationSeconds;
  if (seconds !== undefined && seconds !== null) {
    if (!(typeof seconds === 'number' && Number.isInteger(seconds))) {
      return new Wrong(at(path, 'tolerationSeconds'), `must be an integer, not ${shown(seconds)}`);
    }
    out.tolerationSeconds = seconds;
  }
  return out as Toleration;
}

/** One toleration or a list of them (KFP takes either); an empty one adds none. */
function tolerationsOf(v: JsonValue): Toleration[] | Wrong {
  const list = Array.isArray(v) ? v : isPlainObject(v) ? (Object.keys(v).length === 0 ? [] : [v]) : null;
  if (list === null) return new Wrong('', `must be a toleration or a list of them, not ${shown(v)}`);
  const out: Toleration[] = [];
  for (const [i, t] of list.entries()) {
    const toleration = tolerationOf(t, Array.isArray(v) ? String(i) : '');
    if (toleration instanceof Wrong) return toleration;
    out.push(toleration);
  }
  return out;
}

/**
 * The platform spec with everything it reads from the task's context resolved: names written as
 * names (the parameter wins, as in KFP), and the JSON node selector, affinity and tolerations
 * written in their plain form. Fails on a JSON value of the wrong shape, naming it.
 */
export function resolvePlatform(run: Run, task: TaskRun, config: Config): Resolved<Config> {
  /** A JSON value read by `reader`: null when it is null or not given. */
  const read = <T>(what: string, spec: InputParameterSpec, reader: (v: JsonValue) => T | Wrong): Resolved<T | null> => {
    const v = parameterValue(run, task, spec);
    if (v === undefined || v === null) return { ok: true, value: null };
    const value = reader(v);
    if (!(value instanceof Wrong)) return { ok: true, value };
    return {
      ok: false,
      message: `its ${what} from ${sourceOf(spec)}${value.path === '' ? '' : ` at ${value.path}`}: ${value.message}`,
    };
  };
  /** A list whose entries given as JSON are each replaced by the entries they read as. */
  const expand = <T extends object>(
    list: readonly T[] | undefined,
    key: keyof T,
    what: string,
    reader: (v: JsonValue) => T[] | Wrong,
  ): Resolved<readonly T[] | undefined> => {
    if (!list?.some((t) => t[key] !== undefined)) return { ok: true, value: list };
    const out: T[] = [];
    for (const t of list) {
      const spec = t[key] as InputParameterSpec | undefined;
      if (spec === undefined) out.push(t);
      else {
        const r = read(what, spec, reader);
        if (!r.ok) return r;
        out.push(...(r.value ?? []));
      }
    }
    return { ok: true, value: out };
  };

  const out: { -readonly [K in keyof Config]: Config[K] } = resolvePlatformNames(run, task, config);
  const selectorJson = config.nodeSelector?.nodeSelectorJson;
  if (selectorJson !== undefined) {
    const labels = read('node selector (nodeSelectorJson)', selectorJson, labelsOf);
    if (!labels.ok) return labels;
    if (labels.value === null) delete out.nodeSelector;
    else out.nodeSelector = { labels: labels.value };
  }
  const affinity = expand(config.nodeAffinity, 'nodeAffinityJson', 'node affinity (nodeAffinityJson)', affinityOf);
  if (!affinity.ok) return affinity;
  if (affinity.value !== undefined) out.nodeAffinity = affinity.value;
  const tolerations = expand(config.tolerations, 'tolerationJson', 'tolerations (tolerationJson)', tolerationsOf);
  if (!tolerations.ok) return tolerations;
  if (tolerations.value !== undefined) out.tolerations = tolerations.value;
  return { ok: true, value: out };
}

/** The platform spec with every name parameter that resolves written as the name (the parameter wins, as in KFP). */
function resolvePlatformNames(run: Run, task: TaskRun, config: Config): Config {
  const named = <T extends object, K extends string>(
    list: readonly T[] | undefined,
    param: keyof T,
    field: K,
  ): readonly (T & Partial<Record<K, string>>)[] | undefined =>
    list?.map((item) => {
      const p = item[param] as InputParameterSpec | undefined;
      const value = p === undefined ? undefined : nameParameterValue(run, task, p);
      return (value === undefined ? item : { ...item, [field]: value }) as T & Partial<Record<K, string>>;
    });
  return {
    ...config,
    ...(config.secretAsEnv ? { secretAsEnv: named(config.secretAsEnv, 'secretNameParameter', 'secretName') } : {}),
    ...(config.secretAsVolume ? { secretAsVolume: named(config.secretAsVolume, 'secretNameParameter', 'secretName') } : {}),
    ...(config.configMapAsEnv ? { configMapAsEnv: named(config.configMapAsEnv, 'configMapNameParameter', 'configMapName') } : {}),
    ...(config.configMapAsVolume
      ? { configMapAsVolume: named(config.configMapAsVolume, 'configMapNameParameter', 'configMapName') }
      : {}),
    ...(config.pvcMount ? { pvcMount: named(config.pvcMount.map(withPvcNameParameter), 'pvcNameParameter', 'pvcName') } : {}),
    ...(config.imagePullSecret ? { imagePullSecret: named(config.imagePullSecret, 'secretNameParameter', 'secretName') } : {}),
  } as Config;
}

type PvcMount = NonNullable<Config['pvcMount']>[number];

/** A claim named the older SDKs' way (`taskOutputParameter` or `componentInputParameter` on the mount itself), as the newer one names it. */
function withPvcNameParameter(m: PvcMount): PvcMount {
  if (m.pvcNameParameter !== undefined) return m;
  if (m.taskOutputParameter !== undefined) return { ...m, pvcNameParameter: { taskOutputParameter: m.taskOutputParameter } };
  if (m.componentInputParameter !== undefined) {
    return { ...m, pvcNameParameter: { componentInputParameter: m.componentInputParameter } };
  }
  return m;
}
