/**
 * A simulated cluster, described by a CSV file `pool,nodes,gpus_per_node[,gpu_type]`: each pool
 * gets its nodes, a group of its own and one user who submits that pool's jobs.
 */
import type { Command } from '../core/cluster/commands.js';
import type { PlacementMode, Policy } from '../core/cluster/model.js';
import { type CsvTable, InputError, parseCsv, readCsvFile, requireColumns } from './csv.js';

export interface PoolSpec {
  readonly name: string;
  readonly nodes: number;
  readonly gpusPerNode: number;
  readonly gpuType: string;
}

export const DEFAULT_GPU_TYPE = 'GPU';

export function readClusterFile(file: string): PoolSpec[] {
  return clusterFromTable(readCsvFile(file));
}

export function parseCluster(file: string, text: string): PoolSpec[] {
  return clusterFromTable(parseCsv(file, text));
}

function clusterFromTable(t: CsvTable): PoolSpec[] {
  requireColumns(t, ['pool', 'nodes', 'gpus_per_node'], 'cluster');
  const seen = new Set<string>();
  const pools = t.rows.map((r) => {
    const name = r.string('pool');
    if (seen.has(name)) r.fail('pool', `pool '${name}' is listed twice`);
    seen.add(name);
    return {
      name,
      nodes: r.number('nodes', { min: 1, integer: true }),
      gpusPerNode: r.number('gpus_per_node', { min: 1, integer: true }),
      gpuType: r.optionalString('gpu_type') ?? DEFAULT_GPU_TYPE,
    };
  });
  if (pools.length === 0) throw new InputError(`${t.file}: the cluster has no pools`);
  return pools;
}

/** Scale every pool's node count by `x` (rounded, at least one node). */
export function scaleCluster(pools: readonly PoolSpec[], x: number): PoolSpec[] {
  if (!(x > 0) || !Number.isFinite(x)) throw new InputError(`--capacity-scale must be a number > 0, got ${x}`);
  return pools.map((p) => ({ ...p, nodes: Math.max(1, Math.round(p.nodes * x)) }));
}

export const clusterGpus = (pools: readonly PoolSpec[]): number => pools.reduce((n, p) => n + p.nodes * p.gpusPerNode, 0);

export const userOf = (pool: string): string => `${pool}/user`;
export const groupOf = (pool: string): string => `${pool}/group`;
export const nodeOf = (pool: string, i: number, width: number): string => `${pool}/n${String(i).padStart(width, '0')}`;

export interface PoolSettings {
  readonly policy: Policy;
  readonly placement: PlacementMode;
  readonly maxWaitSeconds?: number | null;
}

/** The commands that build the cluster: nodes, a pool per line with its devices, its group and user. */
export function clusterCommands(pools: readonly PoolSpec[], settings: PoolSettings): Command[] {
  const nodes: (Command & { type: 'RegisterNode' })[] = [];
  const setup: Command[] = [];
  for (const p of pools) {
    const width = String(p.nodes - 1).length;
    const devices: string[] = [];
    for (let i = 0; i < p.nodes; i++) {
      const nodeId = nodeOf(p.name, i, width);
      nodes.push({
        type: 'RegisterNode',
        nodeId,
        devices: Array.from({ length: p.gpusPerNode }, (_, index) => ({ index, gpuType: p.gpuType })),
      });
      for (let d = 0; d < p.gpusPerNode; d++) devices.push(`${nodeId}/${d}`);
    }
    setup.push(
      {
        type: 'CreatePool',
        poolId: p.name,
        name: p.name,
        gpuType: p.gpuType,
        policy: settings.policy,
        placement: settings.placement,
        maxWaitSeconds: settings.maxWaitSeconds ?? null,
      },
      { type: 'AllocateGPUs', poolId: p.name, devices },
      { type: 'CreateGroup', groupId: groupOf(p.name), name: groupOf(p.name) },
      { type: 'AssignPool', groupId: groupOf(p.name), poolId: p.name },
      { type: 'OnboardUser', userId: userOf(p.name), name: userOf(p.name), role: 'data-scientist', groupId: groupOf(p.name) },
    );
  }
  // Every node first, in id order: the capacity index ranks nodes by id and re-ranks them all
  // whenever one registers with an id that sorts before another's ('pool10-...' before 'pool2-...'),
  // which made building an 11-pool cluster a visible part of a short run's start.
  nodes.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  const commands: Command[] = [{ type: 'Install', userId: 'operator', name: 'Simulation operator' }, ...nodes, ...setup];
  return commands;
}
