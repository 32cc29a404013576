/**
 * fast-check arbitraries for property tests: random scenarios over a small cluster.
 *
 * A scenario is a list of batches with strictly increasing times. The first batch sets the cluster
 * up (install, a few nodes of 1-8 devices of one or two GPU types, pools of each type with random
 * policies, placements and maximum waits, allocations by count and by ids, groups bound to pools,
 * users in groups). The following batches hold random commands of every kind.
 *
 * Generation is in two steps so that shrinking stays effective: fast-check draws *abstract*
 * operations (a kind and a few random numbers), and `materialize` turns them into concrete
 * commands by walking a small model of "what exists" (nodes and their devices, the pool each
 * device is believed to be in, pools, groups, users, jobs). Numbers pick among the ids that exist,
 * so most commands are accepted; a share of operations is deliberately invalid (unknown ids,
 * protected targets, shapes that never fit, malformed arguments). The model is only a guide: it
 * does not know which jobs started or which devices a count-allocation chose, so some commands it
 * believes valid are rejected too, which is fine.
 *
 * The model is deliberately independent of `core/`: it never runs the code under test.
 */
import fc from 'fast-check';
import type { Command } from '../commands.js';
import {
  DEFAULT_GROUP_ID,
  DEFAULT_POOL_ID,
  JOB_KINDS,
  type JobKind,
  PLACEMENTS,
  type PlacementMode,
  POLICIES,
  type Policy,
  ROLES,
  type Role,
} from '../model.js';

export const GPU_TYPES = ['A100', 'H100'] as const;
export const ADMIN = 'admin';

export interface Batch {
  /** The batch's time (seconds); strictly increasing along a scenario. */
  readonly at: number;
  readonly commands: Command[];
}

export interface Scenario {
  readonly batches: Batch[];
}

// ---------------------------------------------------------------------------------------------
// Abstract setup and operations.

interface NodeDraw {
  size: number;
  type: number;
  /** When set, the device at this index (mod size) has the other type: a mixed node. */
  mixedAt: number | null;
}

interface PoolDraw {
  type: number;
  policy: Policy;
  placement: PlacementMode;
  maxWait: number | null;
  byIds: boolean;
  /** Share of the Default Pool's devices of its type to allocate, in percent. */
  share: number;
  rotate: number;
}

interface SetupDraw {
  twoTypes: boolean;
  nodes: NodeDraw[];
  pools: PoolDraw[];
  defaultConfig: { policy: Policy; placement: PlacementMode; maxWait: number | null } | null;
  groups: { pool: number | null }[];
  users: { group: number; role: Role }[];
}

type Op =
  | {
      k: 'submit';
      owner: number;
      kind: JobKind;
      perWorker: number;
      workers: number;
      /** Fit the shape to the owner's pool as the model knows it. */
      fit: boolean;
      rawGpus: number | null;
      gpuType: number | null;
      /** The zone its node selector names (the nodes are in zones a and b; c has no node); null: none. */
      zone: string | null;
      /** Which of AFFINITIES it has (over the zones, as node selector terms); null: none. */
      affinity: number | null;
      priority: number;
      duration: number | null;
      immediate: boolean;
      shared: boolean;
      tags: string[] | null;
      spec: unknown;
    }
  | { k: 'clone'; source: number; owner: number | null }
  | { k: 'stop' | 'started' | 'completed' | 'failed' | 'release'; job: number }
  | { k: 'cordon' | 'uncordon' | 'lose'; node: number }
  | { k: 'reregister'; node: number; mode: number; mask: number; add: number; retype: number }
  | { k: 'allocCount'; pool: number; count: number }
  | { k: 'allocIds'; pool: number; picks: number[] }
  | { k: 'move'; to: number; picks: number[]; withFrom: boolean }
  | { k: 'deletePool'; pool: number }
  | { k: 'createPool'; type: number; policy: Policy; placement: PlacementMode; maxWait: number | null }
  | {
      k: 'configurePool';
      pool: number;
      policy: Policy | null;
      placement: PlacementMode | null;
      maxWait: number | null | undefined;
    }
  | { k: 'createGroup' }
  | { k: 'deleteGroup'; group: number }
  | { k: 'assign'; group: number; pool: number | null }
  | { k: 'onboard'; group: number; role: Role }
  | { k: 'moveUser'; user: number; group: number }
  | { k: 'removeUser'; user: number }
  | { k: 'invalid'; variant: number; pick: number };

interface OpDraw {
  op: Op;
  /** A command id from a small set, so that some repeat (idempotency). */
  commandId: number | null;
  /** A per-command time offset from the batch time. */
  atOffset: number | null;
}

interface StepDraw {
  dt: number;
  ops: OpDraw[];
}

/** `arb`'s value one time in `oneIn`, else null. (fc.option's `freq` is the other way round.) */
/**
 * The node affinities a submission may have, over the zones the nodes are in (a and b; relabelling
 * moves a node between them): all of Kubernetes' label operators, one term and two.
 */
export const AFFINITIES: NonNullable<Extract<Command, { type: 'SubmitJob' }>['nodeAffinity']>[] = [
  [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }],
  [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'c'] }] }],
  [
    {
      matchExpressions: [
        { key: 'zone', operator: 'Exists' },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
      ],
    },
  ],
  [
    { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
    { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] },
  ],
  [{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }],
];

const sometimes = <T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> =>
  fc.oneof({ arbitrary: fc.constant(null), weight: oneIn - 1 }, { arbitrary: arb, weight: 1 });

const policyArb = fc.constantFrom(...POLICIES);
const placementArb = fc.constantFrom(...PLACEMENTS);
const maxWaitArb = sometimes(fc.integer({ min: 5, max: 300 }), 3);

const setupArb: fc.Arbitrary<SetupDraw> = fc.record({
  twoTypes: fc.boolean(),
  nodes: fc.array(
    fc.record({
      size: fc.integer({ min: 1, max: 8 }),
      type: fc.nat(7),
      mixedAt: sometimes(fc.nat(7), 8),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  pools: fc.array(
    fc.record({
      type: fc.nat(7),
      policy: policyArb,
      placement: fc.oneof(
        { arbitrary: fc.constant<PlacementMode>('node'), weight: 3 },
        { arbitrary: fc.constant<PlacementMode>('count'), weight: 1 },
      ),
      maxWait: maxWaitArb,
      byIds: fc.boolean(),
      share: fc.integer({ min: 0, max: 100 }),
      rotate: fc.nat(15),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  defaultConfig: sometimes(fc.record({ policy: policyArb, placement: placementArb, maxWait: maxWaitArb }), 2),
  groups: fc.array(fc.record({ pool: fc.option(fc.nat(7), { freq: 6, nil: null }) }), { minLength: 1, maxLength: 3 }),
  users: fc.array(fc.record({ group: fc.nat(7), role: fc.constantFrom(...ROLES) }), { minLength: 1, maxLength: 5 }),
});

const jobPick = fc.nat(1000);
const picks = fc.array(fc.nat(1000), { minLength: 1, maxLength: 3 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.record({
      k: fc.constant('submit' as const),
      owner: fc.nat(1000),
      kind: fc.constantFrom(...JOB_KINDS),
      perWorker: fc.oneof(
        { arbitrary: fc.constant(0), weight: 1 },
        { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 6 },
        { arbitrary: fc.integer({ min: 1, max: 8 }), weight: 2 },
      ),
      workers: fc.oneof({ arbitrary: fc.constant(1), weight: 4 }, { arbitrary: fc.integer({ min: 2, max: 3 }), weight: 1 }),
      fit: fc.nat(4).map((n) => n !== 0),
      rawGpus: sometimes(fc.integer({ min: 0, max: 12 }), 10),
      gpuType: sometimes(fc.nat(7), 8),
      zone: sometimes(fc.constantFrom('a', 'b', 'a', 'b', 'c'), 4),
      affinity: sometimes(fc.nat(AFFINITIES.length - 1), 5),
      priority: fc.integer({ min: -1, max: 2 }),
      duration: fc.option(fc.integer({ min: 1, max: 400 }), { freq: 4, nil: null }),
      immediate: fc.nat(11).map((n) => n === 0),
      shared: fc.nat(3).map((n) => n === 0),
      tags: sometimes(fc.array(fc.constantFrom('a', 'exp', 'x'.repeat(130)), { maxLength: 3 }), 4),
      spec: sometimes(fc.record({ image: fc.constantFrom('torch', 'jax'), lr: fc.constantFrom(0.1, 0.01) }), 5),
    }),
  },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('clone' as const), source: jobPick, owner: sometimes(fc.nat(1000), 3) }) },
  { weight: 16, arbitrary: fc.record({ k: fc.constant('completed' as const), job: jobPick }) },
  { weight: 8, arbitrary: fc.record({ k: fc.constant('started' as const), job: jobPick }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('stop' as const), job: jobPick }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('failed' as const), job: jobPick }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('release' as const), job: jobPick }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('cordon' as const), node: fc.nat(100) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('uncordon' as const), node: fc.nat(100) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('lose' as const), node: fc.nat(100) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('reregister' as const),
      node: fc.nat(100),
      mode: fc.nat(3),
      mask: fc.nat(255),
      add: fc.integer({ min: 1, max: 3 }),
      retype: fc.nat(15),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('allocCount' as const), pool: fc.nat(100), count: fc.integer({ min: 1, max: 6 }) }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('allocIds' as const), pool: fc.nat(100), picks }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('move' as const), to: fc.nat(100), picks, withFrom: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('deletePool' as const), pool: fc.nat(100) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('createPool' as const),
      type: fc.nat(7),
      policy: policyArb,
      placement: placementArb,
      maxWait: maxWaitArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('configurePool' as const),
      pool: fc.nat(100),
      policy: fc.option(policyArb, { nil: null }),
      placement: sometimes(placementArb, 3),
      maxWait: fc.oneof(fc.constant(undefined), maxWaitArb),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('createGroup' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('deleteGroup' as const), group: fc.nat(100) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('assign' as const),
      group: fc.nat(100),
      pool: fc.option(fc.nat(100), { freq: 6, nil: null }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('onboard' as const), group: fc.nat(100), role: fc.constantFrom(...ROLES) }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('moveUser' as const), user: fc.nat(100), group: fc.nat(100) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('removeUser' as const), user: fc.nat(100) }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('invalid' as const), variant: fc.nat(13), pick: fc.nat(1000) }) },
);

const opDrawArb: fc.Arbitrary<OpDraw> = fc.record({
  op: opArb,
  commandId: sometimes(fc.nat(40), 12),
  atOffset: sometimes(fc.integer({ min: -3, max: 3 }), 12),
});

const stepArb: fc.Arbitrary<StepDraw> = fc.record({
  dt: fc.oneof(
    { arbitrary: fc.integer({ min: 5, max: 60 }), weight: 4 },
    { arbitrary: fc.integer({ min: 60, max: 600 }), weight: 1 },
  ),
  ops: fc.array(opDrawArb, { minLength: 0, maxLength: 6 }),
});

export interface ScenarioOptions {
  /** Batches after the set-up batch (default 40). */
  maxBatches?: number;
  minBatches?: number;
}

/** A random scenario: a set-up batch, then up to `maxBatches` batches of random commands. */
export function scenarioArb(options: ScenarioOptions = {}): fc.Arbitrary<Scenario> {
  return fc
    .record({
      setup: setupArb,
      steps: fc.array(stepArb, { minLength: options.minBatches ?? 0, maxLength: options.maxBatches ?? 40, size: 'max' }),
    })
    .map(({ setup, steps }) => materialize(setup, steps));
}

/** Only the set-up batch (a random small cluster), for tests that drive the rest themselves. */
export function clusterArb(): fc.Arbitrary<Batch> {
  return setupArb.map((s) => materialize(s, []).batches[0] as Batch);
}

// ---------------------------------------------------------------------------------------------
// The model of what exists, and materialization.

interface MNode {
  id: string;
  devices: Map<number, string>;
  lost: boolean;
  cordoned: boolean;
}
interface MPool {
  id: string;
  name: string;
  type: string | null;
  group: string | null;
}
interface MGroup {
  id: string;
  name: string;
  pool: string | null;
}
interface MJob {
  id: string;
  owner: string;
  group: string;
  batch: number;
  done: boolean;
}

const pick = <T>(xs: readonly T[], n: number): T | undefined => (xs.length === 0 ? undefined : xs[n % xs.length]);

class World {
  types: string[] = [];
  nodes = new Map<string, MNode>();
  /** Live device id -> the pool the model believes it is in. */
  devPool = new Map<string, string>();
  devType = new Map<string, string>();
  pools = new Map<string, MPool>();
  groups = new Map<string, MGroup>();
  users = new Map<string, string>();
  jobs: MJob[] = [];
  batch = 0;
  private counters = { pool: 0, group: 0, user: 0, job: 0, node: 0 };

  constructor() {
    this.pools.set(DEFAULT_POOL_ID, { id: DEFAULT_POOL_ID, name: 'Default Pool', type: null, group: DEFAULT_GROUP_ID });
    this.groups.set(DEFAULT_GROUP_ID, { id: DEFAULT_GROUP_ID, name: 'Default Group', pool: DEFAULT_POOL_ID });
  }

  next(kind: keyof World['counters'], prefix: string): string {
    this.counters[kind] += 1;
    return `${prefix}${this.counters[kind]}`;
  }

  type(n: number): string {
    return this.types[n % this.types.length] as string;
  }

  registerNode(id: string, specs: { index: number; gpuType: string }[]): void {
    let node = this.nodes.get(id);
    if (!node) {
      node = { id, devices: new Map(), lost: false, cordoned: false };
      this.nodes.set(id, node);
    }
    const wanted = new Map(specs.map((s) => [s.index, s.gpuType]));
    const had = node.lost ? new Map<number, string>() : node.devices;
    for (const [index, type] of had) {
      if (wanted.get(index) !== type) this.dropDevice(`${id}/${index}`);
    }
    if (node.lost) {
      node.lost = false;
      node.cordoned = false;
    }
    node.devices = new Map(specs.map((s) => [s.index, s.gpuType]));
    for (const s of specs) {
      const dev = `${id}/${s.index}`;
      if (had.get(s.index) !== s.gpuType || !this.devPool.has(dev)) {
        this.devPool.set(dev, DEFAULT_POOL_ID);
        this.devType.set(dev, s.gpuType);
      }
    }
  }

  loseNode(id: string): void {
    const node = this.nodes.get(id);
    if (!node || node.lost) return;
    for (const index of node.devices.keys()) this.dropDevice(`${id}/${index}`);
    node.devices = new Map();
    node.lost = true;
    node.cordoned = false;
  }

  private dropDevice(dev: string): void {
    this.devPool.delete(dev);
    this.devType.delete(dev);
  }

  liveNodes(): MNode[] {
    return [...this.nodes.values()].filter((n) => !n.lost);
  }

  devices(filter: (id: string, pool: string, type: string) => boolean = () => true): string[] {
    return [...this.devPool.entries()].filter(([id, pool]) => filter(id, pool, this.devType.get(id) as string)).map(([id]) => id);
  }

  /** The same choice `AllocateGPUs` by count makes when nothing is busy: whole nodes first. */
  chooseByCount(type: string, count: number): string[] {
    const perNode = new Map<string, string[]>();
    for (const id of [...this.nodes.keys()].sort()) {
      const node = this.nodes.get(id) as MNode;
      const ds = [...node.devices.keys()]
        .sort((a, b) => a - b)
        .map((i) => `${id}/${i}`)
        .filter((d) => this.devPool.get(d) === DEFAULT_POOL_ID && this.devType.get(d) === type);
      if (ds.length > 0) perNode.set(id, ds);
    }
    const order = [...perNode.entries()].sort(([a, da], [b, db]) => db.length - da.length || (a < b ? -1 : 1));
    const chosen: string[] = [];
    const partial: [string, string[]][] = [];
    for (const [node, ds] of order) {
      if (ds.length <= count - chosen.length) chosen.push(...ds);
      else partial.push([node, ds]);
    }
    partial.sort(([a, da], [b, db]) => da.length - db.length || (a < b ? -1 : 1));
    for (const [, ds] of partial) {
      const rest = count - chosen.length;
      if (rest === 0) break;
      chosen.push(...ds.slice(0, rest));
    }
    return chosen;
  }

  moveDevices(to: string, devs: readonly string[]): void {
    for (const d of devs) if (this.devPool.has(d)) this.devPool.set(d, to);
  }

  nonDefaultPools(): MPool[] {
    return [...this.pools.values()].filter((p) => p.id !== DEFAULT_POOL_ID);
  }
  allPools(): MPool[] {
    return [...this.pools.values()];
  }
  nonDefaultGroups(): MGroup[] {
    return [...this.groups.values()].filter((g) => g.id !== DEFAULT_GROUP_ID);
  }
  allGroups(): MGroup[] {
    return [...this.groups.values()];
  }
  userIds(): string[] {
    return [...this.users.keys()];
  }

  assign(groupId: string, poolId: string | null): void {
    const g = this.groups.get(groupId);
    if (!g) return;
    if (poolId !== null) {
      const p = this.pools.get(poolId);
      if (!p || (p.group !== null && p.group !== groupId)) return;
    }
    if (g.pool) {
      const old = this.pools.get(g.pool);
      if (old) old.group = null;
    }
    g.pool = poolId;
    if (poolId !== null) (this.pools.get(poolId) as MPool).group = groupId;
  }

  deletePool(poolId: string): void {
    const p = this.pools.get(poolId);
    if (!p || p.id === DEFAULT_POOL_ID) return;
    for (const [d, pool] of this.devPool) if (pool === poolId) this.devPool.set(d, DEFAULT_POOL_ID);
    if (p.group) {
      const g = this.groups.get(p.group);
      if (g) g.pool = null;
    }
    this.pools.delete(poolId);
  }

  /**
   * A job shape that the group's pool could hold when idle, as far as the model knows: `workers`
   * distinct nodes with `perWorker` devices each (0 GPUs when the pool has no devices). The
   * numbers drawn pick within what fits.
   */
  shapeFor(
    groupId: string,
    perWorker: number,
    workers: number,
  ): { perWorker: number; workers: number; gpuType: string | null } | null {
    const poolId = this.groups.get(groupId)?.pool;
    const pool = poolId ? this.pools.get(poolId) : undefined;
    if (!pool) return null;
    // In the (mixed) Default Pool, a type it holds, named on the job when it holds several.
    const held = [...new Set(this.devices((_, p) => p === pool.id).map((d) => this.devType.get(d) as string))].sort();
    const type = pool.type ?? held[perWorker % Math.max(1, held.length)];
    const gpuType = pool.type === null && held.length > 1 ? (type as string) : null;
    const perNode = new Map<string, number>();
    for (const [d, p] of this.devPool) {
      if (p !== pool.id || this.devType.get(d) !== type) continue;
      const node = d.slice(0, d.lastIndexOf('/'));
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
    }
    const sizes = [...perNode.values()].sort((a, b) => b - a);
    if (sizes.length === 0) return null;
    const w = Math.min(workers, sizes.length);
    const largest = sizes[w - 1] as number;
    // Zero GPUs now and then (perWorker 0 is drawn often), else 1..largest.
    return { perWorker: perWorker === 0 && workers === 1 ? 0 : 1 + (perWorker % largest), workers: w, gpuType };
  }

  /** Jobs a runtime report can sensibly name: submitted in an earlier batch and not known finished. */
  liveJobs(): MJob[] {
    return this.jobs.filter((j) => !j.done && j.batch < this.batch);
  }
}

function materialize(setup: SetupDraw, steps: StepDraw[]): Scenario {
  const w = new World();
  w.types = setup.twoTypes ? [...GPU_TYPES] : [GPU_TYPES[0]];
  const batches: Batch[] = [{ at: 0, commands: setupCommands(w, setup) }];
  let at = 0;
  for (const step of steps) {
    w.batch += 1;
    at += step.dt;
    const commands: Command[] = [];
    for (const draw of step.ops) {
      const c = opCommand(w, draw.op);
      if (!c) continue;
      const withEnvelope: Command = { ...c };
      if (draw.commandId !== null) withEnvelope.commandId = `c${draw.commandId}`;
      if (draw.atOffset !== null) withEnvelope.at = Math.max(0, at + draw.atOffset);
      commands.push(withEnvelope);
    }
    batches.push({ at, commands });
  }
  return { batches };
}

function setupCommands(w: World, s: SetupDraw): Command[] {
  const out: Command[] = [{ type: 'Install', userId: ADMIN, name: 'Ada' }];
  w.users.set(ADMIN, DEFAULT_GROUP_ID);
  for (const n of s.nodes) {
    const id = w.next('node', 'n');
    const type = w.type(n.type);
    const other = w.type(n.type + 1);
    const devices = Array.from({ length: n.size }, (_, index) => ({
      index,
      gpuType: n.mixedAt !== null && n.mixedAt % n.size === index ? other : type,
    }));
    // Every node in a zone, by turns: jobs with a node selector name one (Op submit's zone).
    out.push({ type: 'RegisterNode', nodeId: id, devices, labels: { zone: s.nodes.indexOf(n) % 2 === 0 ? 'a' : 'b' } });
    w.registerNode(id, devices);
  }
  if (s.defaultConfig) {
    const c = s.defaultConfig;
    out.push({
      type: 'ConfigurePool',
      poolId: DEFAULT_POOL_ID,
      policy: c.policy,
      placement: c.placement,
      maxWaitSeconds: c.maxWait,
    });
  }
  for (const p of s.pools) {
    const id = w.next('pool', 'p');
    const type = w.type(p.type);
    const create: Command = {
      type: 'CreatePool',
      poolId: id,
      name: `pool-${id}`,
      gpuType: type,
      policy: p.policy,
      placement: p.placement,
    };
    if (p.maxWait !== null) create.maxWaitSeconds = p.maxWait;
    out.push(create);
    w.pools.set(id, { id, name: `pool-${id}`, type, group: null });
    const available = w.devices((_, pool, t) => pool === DEFAULT_POOL_ID && t === type);
    const count = Math.round((available.length * p.share) / 100);
    if (count === 0) continue;
    if (p.byIds) {
      const rotated = [...available.slice(p.rotate % available.length), ...available.slice(0, p.rotate % available.length)];
      const devices = rotated.slice(0, count);
      out.push({ type: 'AllocateGPUs', poolId: id, devices });
      w.moveDevices(id, devices);
    } else {
      out.push({ type: 'AllocateGPUs', poolId: id, count });
      w.moveDevices(id, w.chooseByCount(type, count));
    }
  }
  const poolIds = w.nonDefaultPools().map((p) => p.id);
  for (const g of s.groups) {
    const id = w.next('group', 'g');
    out.push({ type: 'CreateGroup', groupId: id, name: `group-${id}` });
    w.groups.set(id, { id, name: `group-${id}`, pool: null });
    // The drawn pool, or the next one that serves no group yet.
    const free = poolIds.filter((p) => w.pools.get(p)?.group === null);
    const poolId = g.pool === null ? undefined : pick(free, g.pool);
    if (poolId !== undefined) {
      out.push({ type: 'AssignPool', groupId: id, poolId });
      w.assign(id, poolId);
    }
  }
  const groups = w.allGroups().map((g) => g.id);
  for (const u of s.users) {
    const id = w.next('user', 'u');
    const groupId = pick(groups, u.group) as string;
    out.push({ type: 'OnboardUser', userId: id, name: `user ${id}`, role: u.role, groupId });
    w.users.set(id, groupId);
  }
  return out;
}

function opCommand(w: World, op: Op): Command | null {
  switch (op.k) {
    case 'submit': {
      // The owners who exist, with the bootstrap operator less likely than the others.
      // Mostly users whose group has a pool (as far as the model knows); a job in a group without
      // one just waits.
      const owners = w.userIds();
      const served = owners.filter((u) => u !== ADMIN && w.groups.get(w.users.get(u) as string)?.pool);
      const owner = pick(op.owner % 4 === 0 || served.length === 0 ? owners : served, op.owner >> 2);
      if (owner === undefined) return null;
      const jobId = w.next('job', 'j');
      // Mostly a shape the owner's pool can hold (as far as the model knows), else anything.
      const shape = op.fit ? w.shapeFor(w.users.get(owner) as string, op.perWorker, op.workers) : null;
      const workers = shape?.workers ?? op.workers;
      const gpus = op.rawGpus ?? (shape ? shape.perWorker * shape.workers : op.perWorker * op.workers);
      const c: Command = { type: 'SubmitJob', jobId, kind: op.kind, owner, gpus };
      if (workers !== 1 || op.owner % 3 === 0) c.workers = workers;
      if (op.gpuType !== null) c.gpuType = w.type(op.gpuType);
      else if (shape?.gpuType) c.gpuType = shape.gpuType;
      if (op.zone !== null) c.nodeSelector = { zone: op.zone };
      if (op.affinity !== null) c.nodeAffinity = AFFINITIES[op.affinity];
      if (op.priority !== 0) c.priority = op.priority;
      if (op.duration !== null) c.expectedDuration = op.duration;
      if (op.immediate) c.immediate = true;
      if (op.shared) c.shared = true;
      if (op.tags !== null) c.tags = op.tags;
      if (op.spec !== null) c.spec = op.spec;
      w.jobs.push({ id: jobId, owner, group: w.users.get(owner) as string, batch: w.batch, done: false });
      return c;
    }
    case 'clone': {
      const source = pick(w.jobs, op.source);
      if (!source) return null;
      const jobId = w.next('job', 'j');
      const c: Command = { type: 'CloneJob', jobId, sourceJobId: source.id };
      const owner = op.owner === null ? undefined : pick(w.userIds(), op.owner);
      if (owner !== undefined) c.owner = owner;
      const realOwner = owner ?? source.owner;
      w.jobs.push({
        id: jobId,
        owner: realOwner,
        group: w.users.get(realOwner) ?? DEFAULT_GROUP_ID,
        batch: w.batch,
        done: false,
      });
      return c;
    }
    case 'stop':
    case 'started':
    case 'completed':
    case 'failed':
    case 'release': {
      // Mostly recent, unfinished jobs; a tenth of the time any job at all.
      const pool = op.job % 10 === 0 ? w.jobs : w.liveJobs();
      const job = pick(pool, Math.floor(op.job / 10));
      if (!job) return null;
      const jobId = job.id;
      if (op.k === 'stop') return { type: 'StopJob', jobId };
      if (op.k === 'started') return { type: 'ReportJobStarted', jobId };
      job.done = true;
      if (op.k === 'completed') return { type: 'ReportJobCompleted', jobId };
      if (op.k === 'release') return { type: 'ReleaseJob', jobId };
      return op.job % 3 === 0
        ? { type: 'ReportJobFailed', jobId, reason: 'Crashed' }
        : { type: 'ReportJobFailed', jobId, reason: 'LaunchFailed', message: 'image pull failed' };
    }
    case 'cordon':
    case 'uncordon': {
      // Mostly live nodes that are not yet in the asked state; sometimes any node at all.
      const wanted = w.liveNodes().filter((n) => n.cordoned !== (op.k === 'cordon'));
      const node = pick(op.node % 8 === 0 ? [...w.nodes.values()] : op.node % 8 === 1 ? w.liveNodes() : wanted, op.node >> 3);
      if (!node) return null;
      node.cordoned = op.k === 'cordon';
      return { type: op.k === 'cordon' ? 'CordonNode' : 'UncordonNode', nodeId: node.id };
    }
    case 'lose': {
      const node = pick([...w.nodes.values()], op.node);
      if (!node) return null;
      w.loseNode(node.id);
      return { type: 'LoseNode', nodeId: node.id };
    }
    case 'reregister': {
      const nodes = [...w.nodes.values()];
      let node = pick(nodes, op.node);
      let nodeId = node?.id;
      if (op.mode === 3 && !node?.lost && op.node % 3 === 0) {
        // A brand-new node joins.
        nodeId = w.next('node', 'n');
        node = undefined;
      }
      if (nodeId === undefined) return null;
      const current = node && !node.lost ? [...node.devices.entries()].sort((a, b) => a[0] - b[0]) : [];
      let specs = current.map(([index, gpuType]) => ({ index, gpuType }));
      const maxIndex = current.reduce((m, [i]) => Math.max(m, i), -1);
      const fresh = (n: number) => Array.from({ length: n }, (_, i) => ({ index: maxIndex + 1 + i, gpuType: w.type(op.retype) }));
      if (specs.length === 0) specs = fresh(Math.min(8, op.add + (op.mask % 6)));
      else if (op.mode === 0) specs = specs.filter((_, i) => ((op.mask >> (i % 8)) & 1) === 0 || i === 0);
      else if (op.mode === 1) {
        const i = op.retype % specs.length;
        specs = specs.map((s, j) => (j === i ? { index: s.index, gpuType: s.gpuType === w.type(0) ? w.type(1) : w.type(0) } : s));
      } else if (op.mode === 2) specs = [...specs, ...fresh(op.add)].slice(0, 8);
      w.registerNode(nodeId, specs);
      const c: Command = { type: 'RegisterNode', nodeId, devices: specs };
      if (op.mask % 5 === 0) c.labels = { zone: op.mask % 2 === 0 ? 'a' : 'b' };
      return c;
    }
    case 'allocCount': {
      const pool = pick(w.nonDefaultPools(), op.pool);
      if (!pool?.type) return null;
      const available = w.devices((_, p, t) => p === DEFAULT_POOL_ID && t === pool.type).length;
      if (available >= op.count) w.moveDevices(pool.id, w.chooseByCount(pool.type, op.count));
      return { type: 'AllocateGPUs', poolId: pool.id, count: op.count };
    }
    case 'allocIds': {
      const pool = pick(w.nonDefaultPools(), op.pool);
      if (!pool) return null;
      const candidates = w.devices((_, p, t) => p === DEFAULT_POOL_ID && t === pool.type);
      const devices = [...new Set(op.picks.map((n) => pick(candidates, n)).filter((d): d is string => d !== undefined))];
      if (devices.length === 0) return null;
      w.moveDevices(pool.id, devices);
      return { type: 'AllocateGPUs', poolId: pool.id, devices };
    }
    case 'move': {
      // Any devices of the target's type, wherever they are and whether busy or not.
      const to = pick(w.allPools(), op.to);
      if (!to) return null;
      const candidates = w.devices((_, p, t) => p !== to.id && (to.type === null || t === to.type));
      const devices = [...new Set(op.picks.map((n) => pick(candidates, n)).filter((d): d is string => d !== undefined))];
      if (devices.length === 0) return null;
      const c: Command = { type: 'MovePoolDevices', toPoolId: to.id, devices };
      const from = new Set(devices.map((d) => w.devPool.get(d)));
      if (op.withFrom && from.size === 1) c.fromPoolId = [...from][0] as string;
      w.moveDevices(to.id, devices);
      return c;
    }
    case 'deletePool': {
      const pool = pick(w.nonDefaultPools(), op.pool);
      if (!pool) return null;
      w.deletePool(pool.id);
      return { type: 'DeletePool', poolId: pool.id };
    }
    case 'createPool': {
      const id = w.next('pool', 'p');
      const type = w.type(op.type);
      w.pools.set(id, { id, name: `pool-${id}`, type, group: null });
      const c: Command = {
        type: 'CreatePool',
        poolId: id,
        name: `pool-${id}`,
        gpuType: type,
        policy: op.policy,
        placement: op.placement,
      };
      if (op.maxWait !== null) c.maxWaitSeconds = op.maxWait;
      return c;
    }
    case 'configurePool': {
      const pool = pick(w.allPools(), op.pool);
      if (!pool) return null;
      const c: Command = { type: 'ConfigurePool', poolId: pool.id };
      if (op.policy !== null) c.policy = op.policy;
      if (op.placement !== null) c.placement = op.placement;
      if (op.maxWait !== undefined) c.maxWaitSeconds = op.maxWait;
      return c;
    }
    case 'createGroup': {
      const id = w.next('group', 'g');
      w.groups.set(id, { id, name: `group-${id}`, pool: null });
      return { type: 'CreateGroup', groupId: id, name: `group-${id}` };
    }
    case 'deleteGroup': {
      const group = pick(w.nonDefaultGroups(), op.group);
      if (!group) return null;
      // Refused while the group has unfinished jobs; the model believes what it believes.
      if (w.jobs.every((j) => j.group !== group.id || j.done)) {
        for (const [u, g] of w.users) if (g === group.id) w.users.set(u, DEFAULT_GROUP_ID);
        if (group.pool) {
          const p = w.pools.get(group.pool);
          if (p) p.group = null;
        }
        w.groups.delete(group.id);
      }
      return { type: 'DeleteGroup', groupId: group.id };
    }
    case 'assign': {
      const group = pick(w.nonDefaultGroups(), op.group);
      if (!group) return null;
      // Prefer pools that serve no group (or this one), so most assignments are accepted.
      const free = w.nonDefaultPools().filter((p) => p.group === null || p.group === group.id);
      const pool = op.pool === null ? null : (pick(op.pool % 5 === 0 ? w.nonDefaultPools() : free, op.pool) ?? null);
      if (op.pool !== null && pool === null) return null;
      w.assign(group.id, pool?.id ?? null);
      return { type: 'AssignPool', groupId: group.id, poolId: pool?.id ?? null };
    }
    case 'onboard': {
      const group = pick(w.allGroups(), op.group) as MGroup;
      const id = w.next('user', 'u');
      w.users.set(id, group.id);
      return { type: 'OnboardUser', userId: id, name: `user ${id}`, role: op.role, groupId: group.id };
    }
    case 'moveUser': {
      const user = pick(w.userIds(), op.user);
      const group = pick(w.allGroups(), op.group) as MGroup;
      if (user === undefined) return null;
      w.users.set(user, group.id);
      return { type: 'MoveUser', userId: user, groupId: group.id };
    }
    case 'removeUser': {
      const user = pick(w.userIds(), op.user);
      if (user === undefined) return null;
      if (user !== ADMIN) w.users.delete(user);
      return { type: 'RemoveUser', userId: user };
    }
    case 'invalid':
      return invalidCommand(w, op.variant, op.pick);
  }
}

/** A command that should be refused: unknown ids, protected targets, impossible or malformed asks. */
function invalidCommand(w: World, variant: number, n: number): Command {
  const anyJob = pick(w.jobs, n)?.id ?? 'j-ghost';
  const anyUser = pick(w.userIds(), n) ?? ADMIN;
  const anyNode = pick([...w.nodes.keys()], n) ?? 'n-ghost';
  const pool = pick(w.nonDefaultPools(), n);
  switch (variant) {
    case 0:
      return { type: 'SubmitJob', jobId: `j-ghost-${n}`, kind: 'training', owner: 'nobody', gpus: 1 };
    case 1:
      return { type: 'StopJob', jobId: 'j-ghost' };
    case 2:
      // Usually not Starting any more (or never was): an invalid transition.
      return { type: 'ReportJobStarted', jobId: anyJob };
    case 3:
      return n % 3 === 0
        ? { type: 'AllocateGPUs', poolId: DEFAULT_POOL_ID, count: 1 }
        : n % 3 === 1
          ? { type: 'AllocateGPUs', poolId: pool?.id ?? 'p-ghost', count: 1, devices: [`${anyNode}/0`] }
          : { type: 'AllocateGPUs', poolId: pool?.id ?? 'p-ghost', count: 64 };
    case 4: {
      // A device that does not exist, or one of the other type for a typed pool.
      if (n % 2 === 0 || !pool) return { type: 'MovePoolDevices', toPoolId: pool?.id ?? DEFAULT_POOL_ID, devices: ['n-ghost/0'] };
      const wrong = w.devices((_, p, t) => t !== pool.type && p !== pool.id);
      return { type: 'MovePoolDevices', toPoolId: pool.id, devices: [pick(wrong, n) ?? 'n-ghost/1'] };
    }
    case 5: {
      // Shapes and fields a submission refuses.
      const jobId = w.next('job', 'j');
      const kinds: Command[] = [
        { type: 'SubmitJob', jobId, kind: 'training', owner: anyUser, gpus: 3, workers: 2 },
        { type: 'SubmitJob', jobId, kind: 'training', owner: anyUser, gpus: 64 },
        { type: 'SubmitJob', jobId, kind: 'inference', owner: anyUser, gpus: 1, tags: ['t'.repeat(200), 'u'.repeat(100)] },
        { type: 'SubmitJob', jobId, kind: 'notebook', owner: anyUser, gpus: 8, workers: 8 },
      ];
      return kinds[n % kinds.length] as Command;
    }
    case 6: {
      const group = pick(w.nonDefaultGroups(), n);
      if (n % 2 === 0 || !group) return { type: 'AssignPool', groupId: DEFAULT_GROUP_ID, poolId: pool?.id ?? null };
      return { type: 'AssignPool', groupId: group.id, poolId: DEFAULT_POOL_ID };
    }
    case 7:
      return n % 2 === 0 ? { type: 'CordonNode', nodeId: 'n-ghost' } : { type: 'LoseNode', nodeId: 'n-ghost' };
    case 8:
      return n % 2 === 0 ? { type: 'DeletePool', poolId: DEFAULT_POOL_ID } : { type: 'DeleteGroup', groupId: DEFAULT_GROUP_ID };
    case 9:
      return { type: 'CreatePool', poolId: `p-dup-${n}`, name: pool?.name ?? 'Default Pool', gpuType: w.type(n) };
    case 10:
      return {
        type: 'RegisterNode',
        nodeId: anyNode,
        devices: [
          { index: 0, gpuType: w.type(n) },
          { index: 0, gpuType: w.type(n) },
        ],
      };
    case 11:
      return { type: 'CloneJob', jobId: `j-clone-${n}`, sourceJobId: 'j-ghost' };
    case 12:
      // A job id that exists already.
      return { type: 'SubmitJob', jobId: anyJob, kind: 'notebook', owner: anyUser, gpus: 0 };
    default:
      return { type: 'ReportJobCompleted', jobId: n % 2 === 0 ? 'j-ghost' : anyJob };
  }
}
