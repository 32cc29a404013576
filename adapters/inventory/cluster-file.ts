/**
 * A cluster described by a file: the nodes `gpupool serve` registers at start-up, with the
 * realtime runtime standing in for the cluster, until a Kubernetes cluster is connected. The
 * file is YAML; JSON of the same schema is YAML too and reads the same way.
 *
 *   nodes:                          # required: the cluster's nodes
 *     - id: a100-1                  # required: the node id (unique in the file)
 *       name: A100 node 1           # optional: a display name; default the id
 *       labels: { zone: a }         # optional: string keys to string values; default none
 *       gpus: { type: A100-80GB, count: 8 }   # either: `count` devices of one type, indices 0..count-1
 *     - id: mixed-1
 *       devices:                    # or: every device with its index and GPU type
 *         - { index: 0, type: A100-80GB }
 *         - { index: 1, type: H100 }
 *
 * A node has either `gpus` or `devices`, not both. Unknown fields are errors (a misspelt field
 * would otherwise be dropped without a word). A bad file gives one error that names the file and
 * the field path: `config/x.yaml: nodes[1].gpus.count: expected a positive integer, got -2`.
 *
 * Applying a config registers the nodes it lists (RegisterNode) in one batch, and only those that
 * differ from what the store holds: starting again with the same file appends nothing, and a
 * changed node is registered again, which reconciles its devices (devices that vanished are lost
 * and the jobs on them fail). Nodes the store holds that the file no longer lists are left alone:
 * removing a node is a decision (LoseNode, or cordon and drain) an operator takes, not one a
 * config file takes by omission. Cordoning is an operator's too, and registration leaves it as is.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { parseDocument } from 'yaml';
import { describeValue, Name, NonNegInt } from '../../core/codec.js';
import type { Command } from '../../core/commands.js';
import type { State } from '../../core/model.js';
import type { Engine } from '../../engine/engine.js';

/** The package's root: two levels above this module in the source, three in the compiled `dist/`. */
const PACKAGE_ROOT = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  const up2 = resolve(here, '..', '..');
  return basename(up2) === 'dist' ? resolve(up2, '..') : up2;
})();

/** The demo cluster's file (config/demo-cluster.yaml), shipped with the package. */
export const DEMO_CLUSTER_CONFIG = resolve(PACKAGE_ROOT, 'config', 'demo-cluster.yaml');

export interface DeviceConfig {
  readonly index: number;
  readonly gpuType: string;
}

export interface NodeConfig {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Sorted by index. */
  readonly devices: readonly DeviceConfig[];
}

export interface ClusterConfig {
  /** The file it was read from, as given: errors name it. */
  readonly file: string;
  readonly nodes: readonly NodeConfig[];
}

export interface ConfigIssue {
  /** The field path, `nodes[1].gpus.count`; empty for the document itself. */
  readonly path: string;
  readonly message: string;
}

/** A cluster config that cannot be read, parsed or validated, or that the engine refused. */
export class ClusterConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`${file}: ${issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ')}`);
    this.name = 'ClusterConfigError';
  }
}

// -- the schema ---------------------------------------------------------------------------------

/** A check of unknown input with the message it fails with. */
function check<A>(name: string, is: (u: unknown) => u is A, expected: string): t.Type<A, A, unknown> {
  return new t.Type<A, A, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c, expected)), t.identity);
}

const PositiveInt = check('PositiveInt', (u): u is number => Number.isSafeInteger(u) && (u as number) >= 1, 'a positive integer');
const Str = check('String', (u): u is string => typeof u === 'string', 'a string');

/** Marks the context entry of a field no schema names, so the reporter words it as such. */
const UnknownField = new t.Type<never, never, unknown>('UnknownField', (_): _ is never => false, t.failure, t.identity);

const isPlainObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** An object with required and optional fields and no others. */
function strict<R extends t.Props, O extends t.Props>(name: string, what: string, required: R, optional: O) {
  const inner = t.intersection([t.type(required), t.partial(optional)]);
  const fields = [...Object.keys(required), ...Object.keys(optional)];
  return new t.Type<t.TypeOf<typeof inner>, unknown, unknown>(
    name,
    (u): u is t.TypeOf<typeof inner> => inner.is(u),
    (u, c) => {
      if (!isPlainObject(u)) return t.failure(u, c, what);
      const unknown = Object.keys(u).filter((k) => !fields.includes(k));
      if (unknown.length === 0) return inner.validate(u, c);
      return t.failures(
        unknown.map((k) => ({
          value: u[k],
          context: [...c, { key: k, type: UnknownField, actual: u[k] }],
          message: `unknown field; ${what} has only ${fields.join(', ')}`,
        })),
      );
    },
    t.identity,
  );
}

const Gpus = strict('Gpus', 'an object { type, count }', { type: Name, count: PositiveInt }, {});
const Device = strict('Device', 'an object { index, type }', { index: NonNegInt, type: Name }, {});
const Node = strict(
  'Node',
  'a node',
  { id: Name },
  {
    name: Name,
    labels: t.record(t.string, Str, 'an object of labels (string keys to string values)'),
    gpus: Gpus,
    devices: t.array(Device, 'a list of devices'),
  },
);
const File = strict(
  'ClusterConfig',
  'a cluster config (an object with a list of nodes)',
  { nodes: t.array(Node, 'a list of nodes') },
  {},
);

/** The io-ts errors as issues with bracketed paths: `nodes[1].gpus.count`. */
function issuesOf(errors: t.Errors): ConfigIssue[] {
  const seen = new Set<string>();
  const out: ConfigIssue[] = [];
  for (const e of errors) {
    let path = '';
    e.context.forEach((entry, i) => {
      if (i === 0) return; // the document itself
      const parent = e.context[i - 1]?.type;
      if (parent instanceof t.ArrayType) path += `[${entry.key}]`;
      // Intersections report their members as numeric keys of the same object: not a field.
      else if (/^\d+$/.test(entry.key) && !(parent instanceof t.DictionaryType)) return;
      else path += path === '' ? entry.key : `.${entry.key}`;
    });
    const last = e.context[e.context.length - 1];
    const message =
      last?.type === UnknownField
        ? (e.message as string)
        : `expected ${e.message ?? (last?.type.name === 'string' ? 'a string' : last?.type.name)}, got ${describeValue(e.value)}`;
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

// -- reading ------------------------------------------------------------------------------------

/** Read, parse and validate a cluster config file; throws a ClusterConfigError. */
export function loadClusterConfig(file: string): ClusterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : (e as Error).message;
    throw new ClusterConfigError(file, [{ path: '', message: `cannot read the cluster config: ${message}` }]);
  }
  return parseClusterConfig(file, text);
}

/** Parse and validate a cluster config's text (`file` names it in errors); throws a ClusterConfigError. */
export function parseClusterConfig(file: string, text: string): ClusterConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  const [syntax] = doc.errors;
  if (syntax) {
    const first = (syntax.message.split('\n')[0] ?? '').replace(/:$/, '');
    throw new ClusterConfigError(file, [{ path: '', message: `not valid YAML: ${first}` }]);
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (e) {
    throw new ClusterConfigError(file, [{ path: '', message: `not valid YAML: ${(e as Error).message}` }]);
  }
  const decoded = File.decode(data);
  if (isLeft(decoded)) throw new ClusterConfigError(file, issuesOf(decoded.left));

  const issues: ConfigIssue[] = [];
  const firstOf = new Map<string, number>();
  const nodes: NodeConfig[] = [];
  decoded.right.nodes.forEach((n, i) => {
    const at = `nodes[${i}]`;
    const earlier = firstOf.get(n.id);
    if (earlier !== undefined) {
      issues.push({ path: `${at}.id`, message: `node '${n.id}' is listed twice (first at nodes[${earlier}])` });
    } else {
      firstOf.set(n.id, i);
    }
    let devices: DeviceConfig[] = [];
    if (n.gpus !== undefined && n.devices !== undefined) {
      issues.push({ path: at, message: 'give either gpus or devices, not both' });
    } else if (n.gpus !== undefined) {
      const { type, count } = n.gpus;
      devices = Array.from({ length: count }, (_, index) => ({ index, gpuType: type }));
    } else if (n.devices !== undefined) {
      const indexOf = new Map<number, number>();
      n.devices.forEach((d, j) => {
        const same = indexOf.get(d.index);
        if (same !== undefined) {
          issues.push({
            path: `${at}.devices[${j}].index`,
            message: `index ${d.index} is listed twice (first at devices[${same}])`,
          });
        }
        indexOf.set(d.index, j);
      });
      devices = n.devices.map((d) => ({ index: d.index, gpuType: d.type })).sort((a, b) => a.index - b.index);
    } else {
      issues.push({ path: at, message: 'expected gpus { type, count } or a list of devices, got neither' });
    }
    nodes.push({ id: n.id, name: n.name ?? n.id, labels: { ...(n.labels ?? {}) }, devices });
  });
  if (issues.length > 0) throw new ClusterConfigError(file, issues);
  return { file, nodes };
}

// -- applying -----------------------------------------------------------------------------------

/** Whether the store holds the node, live, exactly as the config describes it. */
function registeredAsConfigured(state: Readonly<State>, node: NodeConfig): boolean {
  const current = state.nodes.get(node.id);
  if (!current || current.lost || current.name !== node.name) return false;
  const labels = Object.keys(node.labels);
  if (labels.length !== Object.keys(current.labels).length) return false;
  if (labels.some((k) => current.labels[k] !== node.labels[k])) return false;
  if (current.devices.length !== node.devices.length) return false;
  return node.devices.every((d, i) => {
    const device = state.devices.get(current.devices[i] as string);
    return device !== undefined && device.index === d.index && device.gpuType === d.gpuType;
  });
}

/**
 * The registration's commandId: a hash of the node's content and of the revision of the store it
 * was compared with. Two starts on the same file and the same store (a retry, or a second server
 * racing the first) send the same id, so the engine appends the registration once. The revision
 * keeps a later change apart from an earlier one of the same content: a file edited and then put
 * back, or a node lost and listed again, is registered again rather than answered as a duplicate.
 */
function registrationId(node: NodeConfig, revision: number): string {
  const labels = Object.keys(node.labels)
    .sort()
    .map((k) => [k, node.labels[k]]);
  const content = JSON.stringify([node.id, node.name, labels, node.devices.map((d) => [d.index, d.gpuType]), revision]);
  return `cluster-config:${createHash('sha256').update(content).digest('hex')}`;
}

/** The RegisterNode commands that bring the store in line with the config (none if it is). */
export function clusterConfigCommands(state: Readonly<State>, config: ClusterConfig): Command[] {
  return config.nodes
    .filter((node) => !registeredAsConfigured(state, node))
    .map((node) => ({
      type: 'RegisterNode',
      nodeId: node.id,
      name: node.name,
      labels: { ...node.labels },
      devices: node.devices.map((d) => ({ index: d.index, gpuType: d.gpuType })),
      commandId: registrationId(node, state.revision),
    }));
}

/**
 * Register the config's nodes with the engine in one batch; returns the ids of the nodes that were
 * registered now (empty when the store already held them all as configured). A registration the
 * engine refuses throws a ClusterConfigError naming the node.
 */
export async function applyClusterConfig(engine: Engine, config: ClusterConfig): Promise<{ registered: string[] }> {
  const commands = clusterConfigCommands(engine.current, config);
  if (commands.length === 0) return { registered: [] };
  const result = await engine.executeBatch(commands);
  const registered: string[] = [];
  const refused: ConfigIssue[] = [];
  result.outcomes.forEach((outcome, i) => {
    const nodeId = (commands[i] as Extract<Command, { type: 'RegisterNode' }>).nodeId;
    if (!outcome.ok) {
      const index = config.nodes.findIndex((n) => n.id === nodeId);
      refused.push({ path: `nodes[${index}]`, message: `node '${nodeId}' was not registered: ${outcome.rejection.message}` });
    } else if (!outcome.duplicate) {
      registered.push(nodeId);
    }
  });
  if (refused.length > 0) throw new ClusterConfigError(config.file, refused);
  return { registered };
}
