/**
 * The cluster file (`pool,nodes,gpus_per_node[,gpu_type]`), capacity scaling, and the commands
 * that build the cluster: the real engine must accept them and end up with the described pools.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { checkInvariants } from '../core/cluster/invariants.js';
import { createEngine } from '../engine/engine.js';
import {
  clusterCommands,
  clusterGpus,
  DEFAULT_GPU_TYPE,
  groupOf,
  nodeOf,
  type PoolSpec,
  parseCluster,
  readClusterFile,
  scaleCluster,
  userOf,
} from './cluster.js';
import { CsvError, InputError } from './csv.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

const pool = (name: string, nodes: number, gpusPerNode: number, gpuType = DEFAULT_GPU_TYPE): PoolSpec => ({
  name,
  nodes,
  gpusPerNode,
  gpuType,
});

describe('reading a cluster file', () => {
  it('reads pools in file order, the GPU type defaulting to GPU', () => {
    const path = join(dir, 'cluster.csv');
    writeFileSync(path, 'pool,nodes,gpus_per_node,gpu_type\nmain,2,8,A100-80GB\n103959,3,4,\n007,1,1,V100\n');
    expect(readClusterFile(path)).toEqual([pool('main', 2, 8, 'A100-80GB'), pool('103959', 3, 4), pool('007', 1, 1, 'V100')]);
  });

  it('needs no gpu_type column', () => {
    expect(parseCluster('c.csv', 'gpus_per_node,nodes,pool\n8,2,p\n')).toEqual([pool('p', 2, 8)]);
  });

  it.each([
    ['nodes', 'pool,nodes,gpus_per_node\np,0,8\n', /column 'nodes': expected an integer >= 1, got "0"/],
    ['nodes', 'pool,nodes,gpus_per_node\np,1.5,8\n', /column 'nodes': expected an integer >= 1, got "1.5"/],
    ['gpus_per_node', 'pool,nodes,gpus_per_node\np,2,x\n', /column 'gpus_per_node': expected an integer >= 1, got "x"/],
    ['pool', 'pool,nodes,gpus_per_node\n,2,8\n', /column 'pool': a value is required/],
  ])('a bad %s names the file, line and column', (column, text, problem) => {
    const e = errorOf(() => parseCluster('c.csv', text));
    expect(e).toBeInstanceOf(CsvError);
    expect({ line: (e as CsvError).line, column: (e as CsvError).column }).toEqual({ line: 2, column });
    expect(e.message).toMatch(/^c\.csv:2: /);
    expect(e.message).toMatch(problem);
  });

  it('refuses a pool listed twice, on the line of the second', () => {
    const e = errorOf(() => parseCluster('c.csv', 'pool,nodes,gpus_per_node\na,1,8\nb,1,8\na,2,8\n'));
    expect(e.message).toBe("c.csv:4: column 'pool': pool 'a' is listed twice");
  });

  it('names a missing column', () => {
    const e = errorOf(() => parseCluster('c.csv', 'pool,gpus_per_node\na,8\n'));
    expect(e).toBeInstanceOf(CsvError);
    expect(e.message).toMatch(/^c\.csv:1: a cluster file needs the column nodes; the header has pool, gpus_per_node$/);
  });

  it('refuses a cluster without pools', () => {
    const e = errorOf(() => parseCluster('c.csv', 'pool,nodes,gpus_per_node\n'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe('c.csv: the cluster has no pools');
  });

  it('a missing file is an InputError naming it', () => {
    const path = join(dir, 'nope.csv');
    expect(errorOf(() => readClusterFile(path)).message).toBe(`cannot read ${path}: ENOENT`);
  });
});

describe('scaleCluster', () => {
  const pools = [pool('a', 4, 8), pool('b', 1, 4), pool('c', 3, 2)];

  it("scales every pool's node count, rounding, never below one node", () => {
    expect(scaleCluster(pools, 0.5).map((p) => p.nodes)).toEqual([2, 1, 2]);
    expect(scaleCluster(pools, 2).map((p) => p.nodes)).toEqual([8, 2, 6]);
    expect(scaleCluster(pools, 0.01).map((p) => p.nodes)).toEqual([1, 1, 1]);
    expect(scaleCluster(pools, 1)).toEqual(pools);
  });

  it('keeps everything but the node count', () => {
    const scaled = scaleCluster([pool('a', 4, 8, 'H100')], 1.5);
    expect(scaled).toEqual([pool('a', 6, 8, 'H100')]);
    expect(clusterGpus(scaled)).toBe(48);
  });

  it('does not change its input', () => {
    const before = JSON.stringify(pools);
    scaleCluster(pools, 3);
    expect(JSON.stringify(pools)).toBe(before);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses scale %s', (x) => {
    const e = errorOf(() => scaleCluster(pools, x));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe(`--capacity-scale must be a number > 0, got ${x}`);
  });
});

describe('clusterCommands build a cluster the engine accepts', () => {
  const pools = [pool('train', 3, 8, 'A100-80GB'), pool('103959', 12, 4, 'V100'), pool('solo', 1, 1, 'A100-80GB')];

  async function build(placement: 'node' | 'count') {
    const engine = await createEngine({ store: new InMemoryEventStore(), clock: { now: () => 0 } });
    const result = await engine.executeBatch(clusterCommands(pools, { policy: 'sjf', placement, maxWaitSeconds: 600 }), {
      at: 0,
    });
    return { engine, result };
  }

  it('every command is accepted and the state is sound', async () => {
    const { engine, result } = await build('node');
    expect(result.outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(checkInvariants(engine.current as never)).toEqual([]);
  });

  it("each pool holds exactly its nodes' GPUs, with its type, policy and placement, bound to its own group", async () => {
    for (const placement of ['node', 'count'] as const) {
      const { engine } = await build(placement);
      for (const p of pools) {
        const usage = engine.pool(p.name);
        expect(usage).toMatchObject({
          name: p.name,
          gpuType: p.gpuType,
          policy: 'sjf',
          placement,
          maxWaitSeconds: 600,
          group: groupOf(p.name),
          total: p.nodes * p.gpusPerNode,
          free: p.nodes * p.gpusPerNode,
          used: 0,
        });
        expect(engine.current.groups.get(groupOf(p.name))?.pool).toBe(p.name);
        expect(engine.current.users.get(userOf(p.name))).toMatchObject({ role: 'data-scientist', group: groupOf(p.name) });
      }
      // Nothing is left in the Default Pool: every GPU went to its pool.
      expect(engine.pool('default')?.total).toBe(0);
      expect(engine.pools().reduce((n, p) => n + p.total, 0)).toBe(clusterGpus(pools));
    }
  });

  it('names nodes <pool>/n<index>, padded to the widest index', async () => {
    const { engine } = await build('node');
    const nodes = engine.nodes().map((n) => n.id);
    expect(nodes).toHaveLength(16);
    expect(nodes).toContain('train/n0');
    expect(nodes).toContain('103959/n00');
    expect(nodes).toContain('103959/n11');
    expect(nodes).toContain('solo/n0');
    expect(nodeOf('p', 7, 3)).toBe('p/n007');
    for (const p of pools) {
      const width = String(p.nodes - 1).length;
      for (let i = 0; i < p.nodes; i++) {
        const node = engine.current.nodes.get(nodeOf(p.name, i, width));
        expect(node?.devices).toHaveLength(p.gpusPerNode);
        for (const d of node?.devices ?? [])
          expect(engine.current.devices.get(d)).toMatchObject({ pool: p.name, gpuType: p.gpuType });
      }
    }
  });

  it("a job of the pool's user runs in that pool", async () => {
    const { engine } = await build('node');
    const r = await engine.executeBatch([{ type: 'SubmitJob', jobId: 'j', kind: 'training', owner: userOf('103959'), gpus: 4 }], {
      at: 1,
    });
    expect(r.outcomes.every((o) => o.ok)).toBe(true);
    expect(engine.job('j')).toMatchObject({ group: groupOf('103959'), status: 'Starting' });
    expect(engine.job('j')?.allocation?.pool).toBe('103959');
  });
});
