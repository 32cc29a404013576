/**
 * Cluster config files: the demo file loads and registers its nodes; applying the same file again
 * appends nothing; a changed node is registered again and its devices reconciled; a node the file
 * drops is left alone; bad files give one error that names the file and the field.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../engine/engine.js';
import { InMemoryEventStore } from '../memory/store.js';
import {
  applyClusterConfig,
  type ClusterConfig,
  ClusterConfigError,
  DEMO_CLUSTER_CONFIG,
  findUp,
  loadClusterConfig,
  parseClusterConfig,
} from './cluster-file.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-cluster-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function engine(store = new InMemoryEventStore()): Promise<Engine> {
  return createEngine({ store, clock: { now: () => 100 } });
}

/** The error's message, or a failure if nothing was thrown. */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ClusterConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ClusterConfigError');
}

const parse = (text: string) => parseClusterConfig('config/x.yaml', text);
const parseError = (text: string) => errorOf(() => parse(text));

const TWO_NODES = `
nodes:
  - id: n1
    gpus: { type: A100, count: 4 }
  - id: n2
    name: Node two
    labels: { zone: b }
    devices:
      - { index: 1, type: H100 }
      - { index: 0, type: H100 }
`;

describe('the demo cluster', () => {
  it('is shipped under config/ and loads', () => {
    expect(DEMO_CLUSTER_CONFIG.endsWith(join('config', 'demo-cluster.yaml'))).toBe(true);
    const config = loadClusterConfig(DEMO_CLUSTER_CONFIG);
    expect(config.file).toBe(DEMO_CLUSTER_CONFIG);
    const summary = config.nodes.map((n) => `${n.id} ${n.devices.length}x${[...new Set(n.devices.map((d) => d.gpuType))]}`);
    expect(summary).toEqual([
      'a100-1 8xA100-80GB',
      'a100-2 8xA100-80GB',
      'a100-3 8xA100-80GB',
      'a100-4 8xA100-80GB',
      'h100-1 4xH100',
      'h100-2 4xH100',
    ]);
  });

  it("is found from a build at any depth below the package, such as the benchmarks' .bench-out/", () => {
    const root = mkdtempSync(join(dir, 'package-'));
    mkdirSync(join(root, 'config'));
    writeFileSync(join(root, 'config', 'demo-cluster.yaml'), 'nodes: []\n');
    for (const build of ['', 'dist', '.bench-out']) {
      const module = join(root, build, 'adapters', 'inventory');
      mkdirSync(module, { recursive: true });
      expect(findUp(join('config', 'demo-cluster.yaml'), module)).toBe(join(root, 'config', 'demo-cluster.yaml'));
    }
    expect(findUp(join('config', 'no-such-cluster.yaml'), root)).toBeUndefined();
  });

  it('registers every node in one batch, and a second start appends nothing', async () => {
    const store = new InMemoryEventStore();
    const e = await engine(store);
    const config = loadClusterConfig(DEMO_CLUSTER_CONFIG);
    const first = await applyClusterConfig(e, config);
    expect(first.registered).toEqual(['a100-1', 'a100-2', 'a100-3', 'a100-4', 'h100-1', 'h100-2']);
    expect(e.nodes().map((n) => n.id)).toEqual(first.registered);
    const revision = e.revision;
    expect(revision).toBe(5); // six NodeRegistered events, one batch

    expect(await applyClusterConfig(e, config)).toEqual({ registered: [] });
    // A restarted server: a fresh engine on the same store, the same file.
    const restarted = await engine(store);
    expect(await applyClusterConfig(restarted, loadClusterConfig(DEMO_CLUSTER_CONFIG))).toEqual({ registered: [] });
    expect(restarted.revision).toBe(revision);
    expect(e.current.nodes.get('a100-1')?.labels).toEqual({ zone: 'a', gpu: 'a100' });
    expect(e.current.nodes.get('h100-2')?.name).toBe('H100 node 2');
  });
});

describe('applying a config', () => {
  it('registers nodes with explicit names, labels and devices, sorted by index', async () => {
    const e = await engine();
    const config = parse(TWO_NODES);
    expect(config.nodes[1]).toEqual({
      id: 'n2',
      name: 'Node two',
      labels: { zone: 'b' },
      devices: [
        { index: 0, gpuType: 'H100' },
        { index: 1, gpuType: 'H100' },
      ],
    });
    await applyClusterConfig(e, config);
    expect(e.nodes().map((n) => [n.id, n.name, n.labels])).toEqual([
      ['n1', 'n1', {}],
      ['n2', 'Node two', { zone: 'b' }],
    ]);
    expect([...e.current.devices.keys()]).toEqual(['n1/0', 'n1/1', 'n1/2', 'n1/3', 'n2/0', 'n2/1']);
  });

  it('registers a changed node again, reconciling its devices, and leaves the others and dropped nodes alone', async () => {
    const e = await engine();
    await applyClusterConfig(e, parse(TWO_NODES));
    const before = e.revision;
    const changed = parse(`
nodes:
  - id: n1
    labels: { zone: a }
    gpus: { type: A100, count: 2 }
`);
    expect(await applyClusterConfig(e, changed)).toEqual({ registered: ['n1'] });
    const appended = e.current.revision - before;
    expect(appended).toBe(2); // DevicesLost (n1/2, n1/3), then NodeRegistered
    expect(e.current.nodes.get('n1')).toMatchObject({ labels: { zone: 'a' }, devices: ['n1/0', 'n1/1'] });
    expect(e.current.nodes.get('n2')?.lost).toBe(false); // no longer listed: left as it was
    expect(await applyClusterConfig(e, changed)).toEqual({ registered: [] });
  });

  it('registers a node again when the file goes back to an earlier version, or lists a lost node', async () => {
    const e = await engine();
    const v1 = parse(TWO_NODES);
    const v2 = parse(TWO_NODES.replace('count: 4', 'count: 8'));
    await applyClusterConfig(e, v1);
    expect(await applyClusterConfig(e, v2)).toEqual({ registered: ['n1'] });
    expect(await applyClusterConfig(e, v1)).toEqual({ registered: ['n1'] });
    expect(e.current.nodes.get('n1')?.devices).toHaveLength(4);

    for (let round = 0; round < 2; round++) {
      await e.execute({ type: 'LoseNode', nodeId: 'n2' });
      expect(e.current.nodes.get('n2')?.lost).toBe(true);
      expect(await applyClusterConfig(e, v1)).toEqual({ registered: ['n2'] });
      expect(e.current.nodes.get('n2')?.lost).toBe(false);
    }
  });

  it('derives each registration id from the content and the store it was compared with', async () => {
    const store = new InMemoryEventStore();
    const a = await engine(store);
    const b = await engine(store);
    const config = parse(TWO_NODES);
    // Two servers start at once on the same store: the second's batch is the same registration.
    const [ra, rb] = await Promise.all([applyClusterConfig(a, config), applyClusterConfig(b, config)]);
    expect([ra.registered, rb.registered].sort((x, y) => y.length - x.length)).toEqual([['n1', 'n2'], []]);
    const events = await store.read('cluster');
    expect(events.map((r) => r.type)).toEqual(['NodeRegistered', 'NodeRegistered']);
    const ids = events.map((r) => (r.data as { commandId: string }).commandId);
    expect(ids.every((id) => /^cluster-config:[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(2);
  });

  it('names the node the engine refuses', async () => {
    const e = await engine();
    const config: ClusterConfig = {
      file: 'hand-made.yaml',
      nodes: [
        { id: 'ok', name: 'ok', labels: {}, devices: [{ index: 0, gpuType: 'A100' }] },
        {
          id: 'twice',
          name: 'twice',
          labels: {},
          devices: [
            { index: 0, gpuType: 'A100' },
            { index: 0, gpuType: 'A100' },
          ],
        },
      ],
    };
    await expect(applyClusterConfig(e, config)).rejects.toThrow(
      "hand-made.yaml: nodes[1]: node 'twice' was not registered: node 'twice' lists device index 0 twice",
    );
  });
});

describe('bad files', () => {
  it('a missing file', () => {
    const missing = join(dir, 'nope.yaml');
    expect(errorOf(() => loadClusterConfig(missing))).toBe(`${missing}: cannot read the cluster config: no such file`);
    expect(errorOf(() => loadClusterConfig(dir))).toBe(`${dir}: cannot read the cluster config: is a directory, not a file`);
  });

  it('a YAML syntax error, naming the line', () => {
    const path = file('broken.yaml', 'nodes:\n  - id: n1\n    gpus: { type: A100, count: 4\n');
    expect(errorOf(() => loadClusterConfig(path))).toMatch(new RegExp(`^${path}: not valid YAML: .*line \\d+, column \\d+$`));
    expect(parseError('nodes: []\nnodes: []\n')).toMatch(/^config\/x.yaml: not valid YAML: Map keys must be unique at line 2/);
  });

  it('wrong types, naming the field path', () => {
    expect(
      parseError('nodes:\n  - id: a\n    gpus: { type: A100, count: 8 }\n  - id: b\n    gpus: { type: A100, count: -2 }\n'),
    ).toBe('config/x.yaml: nodes[1].gpus.count: expected an integer >= 1, got -2');
    expect(parseError('nodes:\n  - id: a\n    labels: { zone: 1 }\n    gpus: { type: A100, count: 1 }\n')).toBe(
      'config/x.yaml: nodes[0].labels.zone: expected a string, got 1',
    );
    expect(
      parseError('nodes:\n  - id: a\n    devices:\n      - { index: 0, type: A100 }\n      - { index: x, type: A100 }\n'),
    ).toBe('config/x.yaml: nodes[0].devices[1].index: expected an integer >= 0, got "x"');
    expect(parseError('nodes:\n  - gpus: { type: A100, count: 1 }\n')).toBe(
      'config/x.yaml: nodes[0].id: expected a non-empty string of at most 253 characters of well-formed Unicode, without control, bidi-control or zero-width characters, got nothing',
    );
    expect(parseError('nodes: { id: a }\n')).toBe('config/x.yaml: nodes: expected a list of nodes, got {"id":"a"}');
    expect(parseError('')).toBe('config/x.yaml: expected a cluster config (an object with a list of nodes), got null');
    expect(parseError('nodes:\n  - 7\n')).toBe('config/x.yaml: nodes[0]: expected a node, got 7');
    expect(parseError('nodes:\n  - id: a\n    labels: [x]\n    devices: 3\n')).toBe(
      'config/x.yaml: nodes[0].labels: expected an object of labels (string keys to string values), got ["x"]; ' +
        'nodes[0].devices: expected a list of devices, got 3',
    );
  });

  it('an id or GPU type RegisterNode would refuse, named by its field rather than refused by the engine later', () => {
    expect(parseError('nodes:\n  - id: "a\\u202eb"\n    gpus: { type: A100, count: 1 }\n')).toMatch(
      /^config\/x.yaml: nodes\[0\]\.id: expected a non-empty string .* without control, bidi-control or zero-width characters, got "a\u202eb"$/,
    );
    expect(parseError('nodes:\n  - id: a\n    devices: [{ index: 0, type: "A\\u200b100" }]\n')).toMatch(
      /^config\/x.yaml: nodes\[0\]\.devices\[0\]\.type: expected /,
    );
  });

  it('unknown fields, which would otherwise be dropped without a word', () => {
    expect(parseError('nodes:\n  - id: a\n    lables: { zone: a }\n    gpus: { type: A100, count: 1 }\n')).toBe(
      'config/x.yaml: nodes[0].lables: unknown field; a node has only id, name, labels, gpus, devices',
    );
    expect(parseError('nodes: []\npools: []\n')).toMatch(/^config\/x.yaml: pools: unknown field/);
    expect(parseError('nodes:\n  - id: a\n    gpus: { type: A100, cout: 1 }\n')).toBe(
      'config/x.yaml: nodes[0].gpus.cout: unknown field; an object { type, count } has only type, count; ' +
        'nodes[0].gpus.count: expected an integer >= 1, got nothing',
    );
    expect(parseError('nodes:\n  - id: a\n    devices: [{ index: 0, type: A100 }, { index: 1, type: A100, vram: 80 }]\n')).toBe(
      'config/x.yaml: nodes[0].devices[1].vram: unknown field; an object { index, type } has only index, type',
    );
  });

  it('a node with both gpus and devices, or neither', () => {
    expect(parseError('nodes:\n  - id: a\n    gpus: { type: A100, count: 1 }\n    devices: []\n')).toBe(
      'config/x.yaml: nodes[0]: give either gpus or devices, not both',
    );
    expect(parseError('nodes:\n  - id: a\n')).toBe(
      'config/x.yaml: nodes[0]: expected gpus { type, count } or a list of devices, got neither',
    );
  });

  it('duplicate node ids and device indices', () => {
    const text =
      'nodes:\n  - id: a\n    gpus: { type: A100, count: 1 }\n  - id: b\n    gpus: { type: A100, count: 1 }\n  - id: a\n    gpus: { type: A100, count: 2 }\n';
    expect(parseError(text)).toBe("config/x.yaml: nodes[2].id: node 'a' is listed twice (first at nodes[0])");
    expect(parseError('nodes:\n  - id: a\n    devices: [{ index: 3, type: A100 }, { index: 3, type: A100 }]\n')).toBe(
      'config/x.yaml: nodes[0].devices[1].index: index 3 is listed twice (first at devices[0])',
    );
  });

  it('reads JSON of the same schema', () => {
    const path = file('cluster.json', JSON.stringify({ nodes: [{ id: 'j1', gpus: { type: 'L4', count: 2 } }] }));
    expect(loadClusterConfig(path).nodes).toEqual([
      {
        id: 'j1',
        name: 'j1',
        labels: {},
        devices: [
          { index: 0, gpuType: 'L4' },
          { index: 1, gpuType: 'L4' },
        ],
      },
    ]);
    const bad = file('bad.json', '{"nodes": [{"id": "j1", "gpus": {"type": "L4", "count": 0}}]}');
    expect(errorOf(() => loadClusterConfig(bad))).toBe(`${bad}: nodes[0].gpus.count: expected an integer >= 1, got 0`);
  });
});
