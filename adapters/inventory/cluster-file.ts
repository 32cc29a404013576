/**
 * A node inventory read from a file: the nodes `gpupool serve` registers at start-up, with the
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
 * the field path: `config/x.yaml: nodes[1].gpus.count: expected an integer >= 1, got -2`.
 *
 * Applying a config registers the nodes it lists (RegisterNode) in one batch, and only those that
 * differ from what the store holds: starting again with the same file appends nothing, and a
 * changed node is registered again, which reconciles its devices (devices that vanished are lost
 * and the jobs on them fail). Nodes the store holds that the file no longer lists are left alone:
 * removing a node is a decision (LoseNode, or cordon and drain) an operator takes, not one a
 * config file takes by omission. Cordoning is an operator's too, and registration leaves it as is.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { Command } from '../../core/cluster/commands.js';
import type { State } from '../../core/cluster/model.js';
import { type DecodeIssue, decodeWith, Id, NonNegInt, PosInt, RefinedType, record } from '../../core/codec.js';
import * as t from '../../core/vendor/io-ts.js';
import type { Engine } from '../../engine/engine.js';

/**
 * `relative` in the nearest folder at or above `from` that holds it. The package's files are found
 * this way because a module sits at different depths below the package root: two levels in the
 * source, three in `dist/`, and three in a build to another folder (the benchmarks' `.bench-out/`,
 * which holds no config/ of its own, so a fixed depth named a file that is not there).
 */
export function findUp(relative: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const path = join(dir, relative);
    if (existsSync(path)) return path;
    if (dirname(dir) === dir) return undefined;
  }
}

const DEMO_FILE = join('config', 'demo-cluster.yaml');

/**
 * The demo cluster's file (config/demo-cluster.yaml), shipped with the package. Should it be
 * missing, the path where the source tree keeps it, so that loading it names that path.
 */
export const DEMO_CLUSTER_CONFIG = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return findUp(DEMO_FILE, here) ?? join(here, '..', '..', DEMO_FILE);
})();

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
//
// The core's codecs, so a node in the file is checked as RegisterNode will check it: an id the
// command would refuse is refused here, naming its field, not later by the engine. The core's
// records drop unknown fields; in a file an unknown field is an error instead (unknownFields).

const Str = new RefinedType('String', (u): u is string => typeof u === 'string', 'a string', { type: 'string' });
const Gpus = record('an object { type, count }', { type: Id, count: PosInt }, {});
const Device = record('an object { index, type }', { index: NonNegInt, type: Id }, {});
const Node = record(
  'a node',
  { id: Id },
  {
    name: Id,
    labels: t.record(t.string, Str, 'an object of labels (string keys to string values)'),
    gpus: Gpus,
    devices: t.array(Device, 'a list of devices'),
  },
);
const File = record('a cluster config (an object with a list of nodes)', { nodes: t.array(Node, 'a list of nodes') }, {});

/** The fields a record codec of core/codec.ts knows: its required ones, then its optional ones. */
const fieldsOf = (codec: { type: { types: readonly [{ props: t.Props }, { props: t.Props }] } }): string[] =>
  codec.type.types.flatMap((members) => Object.keys(members.props));

const isPlainObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** `a.b` then `[1]`: the path of a field, or of an item of a list, below `path`. */
const below = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

/** Every field the schema does not name, wherever an object of the schema stands in the file. */
function unknownFields(data: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const visit = (u: unknown, path: string, codec: Parameters<typeof fieldsOf>[0] & { name: string }) => {
    if (!isPlainObject(u)) return undefined;
    const fields = fieldsOf(codec);
    for (const k of Object.keys(u)) {
      if (!fields.includes(k))
        out.push({ path: below(path, k), message: `unknown field; ${codec.name} has only ${fields.join(', ')}` });
    }
    return u;
  };
  const nodes = visit(data, '', File)?.nodes;
  if (!Array.isArray(nodes)) return out;
  nodes.forEach((n, i) => {
    const at = below('nodes', i);
    const node = visit(n, at, Node);
    visit(node?.gpus, below(at, 'gpus'), Gpus);
    const devices = node?.devices;
    if (!Array.isArray(devices)) return;
    devices.forEach((d, j) => {
      visit(d, below(below(at, 'devices'), j), Device);
    });
  });
  return out;
}

/**
 * A decoding issue as a config issue: the core's dotted path (`file.nodes.1.gpus.count`, numeric
 * segments only for list items) written as a file's field path, `nodes[1].gpus.count`.
 */
function configIssue(issue: DecodeIssue): ConfigIssue {
  const path = issue.path
    .split('.')
    .slice(1)
    .reduce((p, key) => below(p, /^\d+$/.test(key) ? Number(key) : key), '');
  return { path, message: `expected ${issue.expected}, got ${issue.actual}` };
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
  const unknown = unknownFields(data);
  const decoded = decodeWith(File, data, 'file');
  if (unknown.length > 0 || !decoded.ok) {
    throw new ClusterConfigError(file, [...unknown, ...(decoded.ok ? [] : decoded.issues.map(configIssue))]);
  }

  const issues: ConfigIssue[] = [];
  const firstOf = new Map<string, number>();
  const nodes: NodeConfig[] = [];
  decoded.value.nodes.forEach((n, i) => {
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
