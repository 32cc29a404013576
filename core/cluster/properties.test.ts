/**
 * Property tests of the core: random command batches over a small cluster (see
 * test-support/arbitraries.ts), checked against the rules of the design notes (sections 2 and 3).
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../../adapters/memory/store.js';
import { createEngine } from '../../engine/engine.js';
import { type BatchResult, runBatch, stamp } from './batch.js';
import type { Command } from './commands.js';
import { decodeEvent, type Event, type EventBody, type EventOf } from './events.js';
import { evolve, initialState, replay } from './evolve.js';
import { allocationsInOnePool, checkInvariants } from './invariants.js';
import { holdsDevices, isPending, type JobState, type NodeState, type PoolState, type State } from './model.js';
import type { NodeRequirement } from './node-affinity.js';
import { explainJob } from './queries.js';
import { nodeReleases, releasesOn } from './scheduler/backfill.js';
import { schedule } from './scheduler/pass.js';
import { groupsTouchedBy } from './scheduler/triggers.js';
import { type Batch, type Scenario, scenarioArb } from './test-support/arbitraries.js';
import { canonicalState } from './test-support/canonical.js';

/** Runs per property; PROPERTY_RUNS raises it for a longer hunt (never lower than 1,000 here). */
const RUNS = Math.max(1000, Number(process.env.PROPERTY_RUNS ?? 1000));
/** PROPERTY_SEED replays the runs of a seed fast-check reported (with the same PROPERTY_RUNS). */
const SEED = process.env.PROPERTY_SEED === undefined ? {} : { seed: Number(process.env.PROPERTY_SEED) };

// ---------------------------------------------------------------------------------------------
// Helpers.

/**
 * Run a scenario through the core. `onEvent` sees every event with the state as it was just
 * before the event was folded (a shadow state replayed event by event); `afterBatch` sees the
 * live state after each batch.
 */
function run(
  scenario: Scenario,
  hooks: {
    onEvent?: (before: State, event: Event, batch: number) => void;
    afterBatch?: (state: State, result: BatchResult, batch: number) => void;
  } = {},
): { state: State; results: BatchResult[] } {
  const state = initialState();
  const shadow = hooks.onEvent ? initialState() : undefined;
  const results: BatchResult[] = [];
  scenario.batches.forEach((b, i) => {
    const result = runBatch(state, b.commands, b.at);
    results.push(result);
    if (shadow && hooks.onEvent) {
      for (const e of result.events) {
        hooks.onEvent(shadow, e, i);
        evolve(shadow, e);
      }
    }
    hooks.afterBatch?.(state, result, i);
  });
  return { state, results };
}

/** Events as a store hands them back: JSON, decoded by the event codecs. */
function fromJson(json: string): Event {
  const decoded = decodeEvent(JSON.parse(json));
  if (!decoded.ok) throw new Error(`an emitted event does not decode: ${decoded.message}\n${json}`);
  return decoded.value;
}

const fail = (message: string, detail?: unknown): never => {
  throw new Error(detail === undefined ? message : `${message}\n${JSON.stringify(detail, null, 1)}`);
};

/** What a JobAllocated event must respect, judged on the state just before it is folded. */
function allocationProblems(before: State, e: EventOf<'JobAllocated'>): string[] {
  const problems = allocationsInOnePool(before, e);
  const job = before.jobs.get(e.jobId);
  if (!job) return [...problems, `job ${e.jobId} does not exist`];
  if (!isPending(job.status)) problems.push(`job ${job.id} is ${job.status}, not waiting`);
  const group = before.groups.get(job.group);
  if (group?.pool !== e.poolId)
    problems.push(`job ${job.id} of group ${job.group} (pool ${group?.pool}) allocated from pool ${e.poolId}`);
  if (e.devices.length !== job.gpus) problems.push(`job ${job.id} wants ${job.gpus} GPUs, got ${e.devices.length}`);
  if (new Set(e.devices).size !== e.devices.length) problems.push(`job ${job.id} got a device twice`);
  for (const id of e.shared) if (!e.devices.includes(id)) problems.push(`job ${job.id} shares ${id} it was not given`);
  if (e.shared.length > 0 && !job.immediate) problems.push(`job ${job.id} shares devices but is not immediate`);
  // Gang placement (the pool's mode when the allocation is made): one distinct node per worker,
  // each giving gpus / workers devices; in both modes the event names exactly its devices' nodes.
  const perNode = new Map<string, number>();
  for (const id of e.devices) {
    const node = before.devices.get(id)?.node;
    if (node !== undefined) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  if (new Set(e.nodes).size !== perNode.size || e.nodes.some((n) => !perNode.has(n))) {
    problems.push(
      `job ${job.id} is said to run on ${e.nodes.join(', ')} but its devices are on ${[...perNode.keys()].join(', ')}`,
    );
  }
  const pool = before.pools.get(e.poolId);
  if (pool?.placement === 'node' && job.gpus > 0) {
    if (perNode.size !== job.workers) problems.push(`job ${job.id} has ${job.workers} workers but runs on ${perNode.size} nodes`);
    for (const [node, n] of perNode) {
      if (n !== job.gpus / job.workers)
        problems.push(`job ${job.id} gets ${n} GPUs on ${node}, wants ${job.gpus / job.workers} per worker`);
    }
  }
  for (const id of e.devices) {
    const d = before.devices.get(id);
    if (!d) {
      problems.push(`device ${id} does not exist`);
      continue;
    }
    const node = before.nodes.get(d.node);
    if (!node || node.lost || node.cordoned) problems.push(`device ${id} is on a node that is cordoned or lost`);
    if (node && !selects(job, node))
      problems.push(
        `device ${id} is on node ${node.id} (${JSON.stringify(node.labels)}), not one ${job.id}'s node selector and affinity allow`,
      );
    const busy = d.holders.length > 0;
    const shared = e.shared.includes(id);
    if (busy && !shared) problems.push(`device ${id} is held by ${d.holders.join(', ')} and given to ${job.id} without sharing`);
    if (!busy && shared) problems.push(`device ${id} is free but recorded as shared by ${job.id}`);
  }
  return problems;
}

/**
 * Whether the job may run on the node: it carries every label of the job's node selector, and
 * satisfies a term of its node affinity (none of either: every node does). Written from
 * Kubernetes' rules, apart from the core's.
 */
function selects(job: JobState, node: NodeState): boolean {
  const has = (k: string) => Object.keys(node.labels).includes(k);
  const labelled = Object.entries(job.nodeSelector ?? {}).every(([k, v]) => has(k) && node.labels[k] === v);
  const holds = (r: NodeRequirement): boolean => {
    const values = r.values ?? [];
    const v = has(r.key) ? node.labels[r.key] : undefined;
    if (r.operator === 'In') return v !== undefined && values.includes(v);
    if (r.operator === 'NotIn') return v === undefined || !values.includes(v);
    if (r.operator === 'Exists') return v !== undefined;
    if (r.operator === 'DoesNotExist') return v === undefined;
    const [n, bound] = [Number(v), Number(values[0])];
    return v !== undefined && /^[+-]?[0-9]+$/.test(v) && (r.operator === 'Gt' ? n > bound : n < bound);
  };
  const terms = job.nodeAffinity;
  return labelled && (terms === null || terms.some((t) => t.matchExpressions.every(holds)));
}

/** Free, schedulable devices of a pool and type per node the job may use, computed from the devices themselves. */
function freeByNode(state: State, pool: PoolState, type: string, job: JobState): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of state.devices.values()) {
    if (d.pool !== pool.id || d.gpuType !== type || d.holders.length > 0) continue;
    const node = state.nodes.get(d.node);
    if (!node || node.lost || node.cordoned || !selects(job, node)) continue;
    out.set(d.node, (out.get(d.node) ?? 0) + 1);
  }
  return out;
}

/** Whether a job would fit its pool's free schedulable devices now (independent of placement.ts). */
function fitsNow(state: State, job: JobState, pool: PoolState): boolean {
  if (job.gpus === 0) return true;
  const types =
    job.gpuType !== null
      ? [job.gpuType]
      : pool.gpuType !== null
        ? [pool.gpuType]
        : [...new Set([...state.devices.values()].filter((d) => d.pool === pool.id).map((d) => d.gpuType))];
  for (const type of types) {
    const free = freeByNode(state, pool, type, job);
    if (pool.placement === 'count') {
      let n = 0;
      for (const c of free.values()) n += c;
      if (n >= job.gpus) return true;
    } else {
      const need = job.gpus / job.workers;
      let nodes = 0;
      for (const c of free.values()) if (c >= need) nodes++;
      if (nodes >= job.workers) return true;
    }
  }
  return false;
}

/**
 * Jobs that start regardless of the queue: `immediate` jobs (design: "starts now even if its pool
 * lacks free GPUs"), and jobs of 0 GPUs, which take no device and so cannot delay anyone (they are
 * placed before the policy walk; see queue.ts `placedFirst`).
 */
const startsRegardless = (j: JobState): boolean => j.immediate || j.gpus === 0;

/** A group's waiting jobs in candidate order, from first principles: priority, policy key, submission. */
function candidateOrder(state: State, groupId: string, pool: PoolState): JobState[] {
  const key = (j: JobState) => (pool.policy === 'sjf' ? (j.expectedDuration ?? Number.POSITIVE_INFINITY) : 0);
  return [...state.jobs.values()]
    .filter((j) => j.group === groupId && isPending(j.status) && !startsRegardless(j))
    .sort((a, b) => b.priority - a.priority || key(a) - key(b) || a.seq - b.seq);
}

/**
 * The earliest time a job could start in its pool, from first principles: every device of the
 * pool on a schedulable node is free now or when the last of its holders ends (allocation time
 * plus expected duration; never, for a holder without one). `extra` adds a hypothetical holder.
 * Over every GPU type the job may use; Infinity when the known ends never make room.
 */
function earliestStart(
  state: State,
  job: JobState,
  pool: PoolState,
  now: number,
  extra?: { devices: readonly string[]; end: number },
): number {
  const types =
    job.gpuType !== null
      ? [job.gpuType]
      : pool.gpuType !== null
        ? [pool.gpuType]
        : [...new Set([...state.devices.values()].filter((d) => d.pool === pool.id).map((d) => d.gpuType))];
  let best = Number.POSITIVE_INFINITY;
  for (const type of types) {
    const releases: { node: string; at: number }[] = [];
    for (const d of state.devices.values()) {
      if (d.pool !== pool.id || d.gpuType !== type) continue;
      const node = state.nodes.get(d.node);
      if (!node || node.lost || node.cordoned || !selects(job, node)) continue;
      let at = now;
      for (const h of d.holders) {
        const holder = state.jobs.get(h);
        const end =
          holder?.expectedDuration != null && holder.allocatedAt !== null
            ? holder.allocatedAt + holder.expectedDuration
            : Number.POSITIVE_INFINITY;
        at = Math.max(at, end);
      }
      if (extra?.devices.includes(d.id)) at = Math.max(at, extra.end);
      releases.push({ node: d.node, at });
    }
    const times = [...new Set(releases.map((r) => r.at))].filter((t) => t < Number.POSITIVE_INFINITY).sort((a, b) => a - b);
    for (const t of times) {
      if (t >= best) break;
      const free = new Map<string, number>();
      for (const r of releases) if (r.at <= t) free.set(r.node, (free.get(r.node) ?? 0) + 1);
      const fits =
        pool.placement === 'count'
          ? [...free.values()].reduce((a, b) => a + b, 0) >= job.gpus
          : [...free.values()].filter((c) => c >= job.gpus / job.workers).length >= job.workers;
      if (fits) {
        best = t;
        break;
      }
    }
  }
  return best;
}

/** Whether a job could start on its pool's schedulable nodes once every job holding them ended. */
function fitsWhenIdle(state: State, job: JobState, pool: PoolState): boolean {
  const idle = { ...state, devices: new Map([...state.devices].map(([id, d]) => [id, { ...d, holders: [] }])) };
  return fitsNow(idle, job, pool);
}

/** Whether some waiting job of the group is past the pool's maximum wait and could start once work ended. */
function starvingWaits(state: State, groupId: string, pool: PoolState, at: number): boolean {
  if (pool.maxWaitSeconds === null) return false;
  const maxWait = pool.maxWaitSeconds;
  return candidateOrder(state, groupId, pool).some((k) => at - k.submittedAt >= maxWait && fitsWhenIdle(state, k, pool));
}

const describeJob = (j: JobState) => ({
  id: j.id,
  status: j.status,
  gpus: j.gpus,
  workers: j.workers,
  gpuType: j.gpuType,
  priority: j.priority,
  seq: j.seq,
  immediate: j.immediate,
  expectedDuration: j.expectedDuration,
  submittedAt: j.submittedAt,
  reason: j.reason?.code,
});

// ---------------------------------------------------------------------------------------------
// Counterexamples found (shrunk) while writing these properties, kept as fixed examples that every
// run checks first. Each one showed a bug that is fixed; see the comments at the fixes.

const scenario = (batches: { at: number; commands: unknown[] }[]): [Scenario] => [{ batches: batches as Batch[] }];

/**
 * An idle pool stayed idle behind a job that could not start even with the pool idle: a backfill
 * head got a reservation (first two), and a job past the maximum wait blocked the rest (third).
 * Fixed in scheduler/pass.ts.
 */
const STUCK_BEHIND_UNREACHABLE_HEAD = [
  scenario([
    {
      at: 0,
      commands: [
        { type: 'Install', userId: 'admin', name: 'Ada' },
        { type: 'RegisterNode', nodeId: 'n1', devices: [0, 1, 2, 3, 4].map((index) => ({ index, gpuType: 'A100' })) },
        {
          type: 'CreatePool',
          poolId: 'p1',
          name: 'pool-p1',
          gpuType: 'A100',
          policy: 'backfill',
          placement: 'node',
          maxWaitSeconds: 5,
        },
        { type: 'AllocateGPUs', poolId: 'p1', count: 2 },
        { type: 'CreateGroup', groupId: 'g1', name: 'group-g1' },
        { type: 'AssignPool', groupId: 'g1', poolId: 'p1' },
        { type: 'OnboardUser', userId: 'u1', name: 'user u1', role: 'operator', groupId: 'g1' },
      ],
    },
    {
      at: 5,
      commands: [
        { type: 'SubmitJob', jobId: 'j1', kind: 'notebook', owner: 'u1', gpus: 2, gpuType: 'A100', immediate: true },
        { type: 'SubmitJob', jobId: 'j2', kind: 'notebook', owner: 'u1', gpus: 2 },
      ],
    },
    {
      at: 65,
      commands: [
        { type: 'SubmitJob', jobId: 'j3', kind: 'notebook', owner: 'u1', gpus: 1 },
        { type: 'RegisterNode', nodeId: 'n1', devices: [{ index: 0, gpuType: 'A100' }] },
      ],
    },
  ]),
  scenario([
    {
      at: 0,
      commands: [
        { type: 'Install', userId: 'admin', name: 'Ada' },
        { type: 'RegisterNode', nodeId: 'n1', devices: [{ index: 0, gpuType: 'A100' }] },
        { type: 'RegisterNode', nodeId: 'n2', devices: [{ index: 0, gpuType: 'A100' }] },
        { type: 'RegisterNode', nodeId: 'n3', devices: [{ index: 0, gpuType: 'A100' }] },
        { type: 'CreatePool', poolId: 'p2', name: 'pool-p2', gpuType: 'A100', policy: 'backfill', placement: 'count' },
        { type: 'AllocateGPUs', poolId: 'p2', count: 1 },
        { type: 'CreateGroup', groupId: 'g2', name: 'group-g2' },
        { type: 'OnboardUser', userId: 'u1', name: 'user u1', role: 'operator', groupId: 'g2' },
      ],
    },
    { at: 60, commands: [{ type: 'SubmitJob', jobId: 'j1', kind: 'notebook', owner: 'u1', gpus: 2, workers: 2 }] },
    { at: 65, commands: [{ type: 'AssignPool', groupId: 'g2', poolId: 'p2' }] },
    { at: 70, commands: [{ type: 'SubmitJob', jobId: 'j2', kind: 'notebook', owner: 'u1', gpus: 1 }] },
  ]),
  scenario([
    {
      at: 0,
      commands: [
        { type: 'Install', userId: 'admin', name: 'Ada' },
        {
          type: 'RegisterNode',
          nodeId: 'n1',
          devices: [
            { index: 0, gpuType: 'A100' },
            { index: 1, gpuType: 'A100' },
          ],
        },
        { type: 'ConfigurePool', poolId: 'default', policy: 'backfill', placement: 'node', maxWaitSeconds: null },
        {
          type: 'CreatePool',
          poolId: 'p1',
          name: 'pool-p1',
          gpuType: 'A100',
          policy: 'fifo',
          placement: 'node',
          maxWaitSeconds: 5,
        },
      ],
    },
    {
      at: 5,
      commands: [
        { type: 'SubmitJob', jobId: 'j1', kind: 'notebook', owner: 'admin', gpus: 2, workers: 1 },
        { type: 'SubmitJob', jobId: 'j2', kind: 'notebook', owner: 'admin', gpus: 1, workers: 1, immediate: true },
      ],
    },
    { at: 10, commands: [{ type: 'AllocateGPUs', poolId: 'p1', devices: ['n1/0'] }] },
    { at: 15, commands: [{ type: 'SubmitJob', jobId: 'j3', kind: 'notebook', owner: 'admin', gpus: 1, workers: 1 }] },
  ]),
];

/**
 * Moving a busy device out of a backfill pool made its head unable to start at all, but nothing
 * scheduled that pool again, so a job that fitted stayed waiting in an idle pool (a hand-made
 * minimal form of a shrunk counterexample). Fixed in scheduler/triggers.ts.
 */
const SHRINKING_POOL_NOT_RESCHEDULED = [
  scenario([
    {
      at: 0,
      commands: [
        { type: 'Install', userId: 'admin', name: 'Ada' },
        {
          type: 'RegisterNode',
          nodeId: 'n1',
          devices: [
            { index: 0, gpuType: 'A100' },
            { index: 1, gpuType: 'A100' },
          ],
        },
        { type: 'ConfigurePool', poolId: 'default', policy: 'backfill' },
        { type: 'CreatePool', poolId: 'p1', name: 'pool-p1', gpuType: 'A100' },
        { type: 'AllocateGPUs', poolId: 'p1', devices: ['n1/0'] },
        { type: 'CreateGroup', groupId: 'g1', name: 'group-g1' },
        { type: 'AssignPool', groupId: 'g1', poolId: 'p1' },
        { type: 'OnboardUser', userId: 'u1', name: 'user u1', role: 'data-scientist', groupId: 'g1' },
      ],
    },
    { at: 5, commands: [{ type: 'SubmitJob', jobId: 'x', kind: 'training', owner: 'u1', gpus: 1 }] },
    {
      at: 10,
      commands: [
        { type: 'MovePoolDevices', toPoolId: 'default', devices: ['n1/0'] },
        { type: 'SubmitJob', jobId: 'head', kind: 'training', owner: 'admin', gpus: 2 },
        { type: 'SubmitJob', jobId: 'small', kind: 'notebook', owner: 'admin', gpus: 1 },
      ],
    },
    { at: 15, commands: [{ type: 'MovePoolDevices', toPoolId: 'p1', devices: ['n1/0'] }] },
  ]),
];

/**
 * A backfill pool of a 3-GPU node and a 1-GPU node, a 2-GPU immediate job on the first, and a
 * 3-GPU head waiting for it: a 1-GPU job without an expected duration may start only where it
 * leaves the head's node alone. Best-fit picked the head's node (a tie broken by node id), so the
 * job waited; then a short job took that node, and the next pass started the first on the other
 * after all. Found by the property below (seed -1370614646); fixed by placing around reservations
 * (scheduler/pass.ts placeAroundReservations).
 */
const BACKFILL_BEST_FIT_ON_RESERVED_NODE: [Scenario] = [
  {
    batches: [
      {
        at: 0,
        commands: [
          { type: 'Install', userId: 'admin', name: 'Ada' },
          { type: 'RegisterNode', nodeId: 'n1', devices: [0, 1, 2].map((index) => ({ index, gpuType: 'A100' })) },
          { type: 'RegisterNode', nodeId: 'n2', devices: [{ index: 0, gpuType: 'A100' }] },
        ],
      },
      { at: 5, commands: [{ type: 'ConfigurePool', poolId: 'default', policy: 'backfill', placement: 'node' }] },
      {
        at: 10,
        commands: [
          { type: 'SubmitJob', jobId: 'j1', kind: 'notebook', owner: 'admin', gpus: 2, expectedDuration: 16, immediate: true },
        ],
      },
      { at: 15, commands: [{ type: 'SubmitJob', jobId: 'j2', kind: 'notebook', owner: 'admin', gpus: 3 }] },
      { at: 20, commands: [{ type: 'SubmitJob', jobId: 'j3', kind: 'notebook', owner: 'admin', gpus: 1 }] },
      { at: 25, commands: [{ type: 'SubmitJob', jobId: 'j4', kind: 'notebook', owner: 'admin', gpus: 1, expectedDuration: 1 }] },
    ],
  },
];

/**
 * A job past the maximum wait blocks a first-fit pool; then its node is cordoned or lost, so it can
 * no longer start at all and should block nothing, but the pool was not scheduled again, and a job
 * that fitted waited (hand-made; the properties found both). Fixed in scheduler/triggers.ts.
 */
const SHRINKING_POOL_NOT_RESCHEDULED_2 = (['CordonNode', 'LoseNode'] as const).map((type) =>
  scenario([
    {
      at: 0,
      commands: [
        { type: 'Install', userId: 'admin', name: 'Ada' },
        { type: 'RegisterNode', nodeId: 'n1', devices: [0, 1].map((index) => ({ index, gpuType: 'A100' })) },
        { type: 'RegisterNode', nodeId: 'n2', devices: [{ index: 0, gpuType: 'A100' }] },
        { type: 'RegisterNode', nodeId: 'n3', devices: [0, 1].map((index) => ({ index, gpuType: 'A100' })) },
        { type: 'ConfigurePool', poolId: 'default', policy: 'first-fit', maxWaitSeconds: 5 },
        { type: 'CreatePool', poolId: 'p1', name: 'pool-p1', gpuType: 'A100' },
        { type: 'AllocateGPUs', poolId: 'p1', devices: ['n3/0'] },
        { type: 'CreateGroup', groupId: 'g1', name: 'group-g1' },
        { type: 'AssignPool', groupId: 'g1', poolId: 'p1' },
        { type: 'OnboardUser', userId: 'u1', name: 'user u1', role: 'data-scientist', groupId: 'g1' },
      ],
    },
    { at: 1, commands: [{ type: 'SubmitJob', jobId: 'c', kind: 'training', owner: 'u1', gpus: 1 }] },
    {
      at: 2,
      commands: [
        // c keeps n3/0 busy in the Default Pool: the head (2 nodes x 2 GPUs) fits only once c ends.
        { type: 'MovePoolDevices', toPoolId: 'default', devices: ['n3/0'] },
        { type: 'SubmitJob', jobId: 'head', kind: 'training', owner: 'admin', gpus: 4, workers: 2 },
      ],
    },
    { at: 10, commands: [{ type: 'SubmitJob', jobId: 'small', kind: 'notebook', owner: 'admin', gpus: 1 }] },
    // n1 holds no job: nothing but the trigger of this event schedules the Default Pool again.
    { at: 15, commands: [{ type, nodeId: 'n1' }] },
  ]),
);

/** The gang rule was checked against the pool's current placement, not the one at allocation (invariants.ts). */
const PLACEMENT_CHANGED_UNDER_RUNNING_JOB = [
  scenario([
    {
      at: 0,
      commands: [
        { type: 'Install', userId: 'admin', name: 'Ada' },
        { type: 'RegisterNode', nodeId: 'n1', devices: [{ index: 0, gpuType: 'A100' }] },
        { type: 'RegisterNode', nodeId: 'n2', devices: [{ index: 0, gpuType: 'A100' }] },
        { type: 'CreatePool', poolId: 'p1', name: 'pool-p1', gpuType: 'A100', policy: 'fifo', placement: 'count' },
        { type: 'AllocateGPUs', poolId: 'p1', count: 2 },
        { type: 'CreateGroup', groupId: 'g1', name: 'group-g1' },
        { type: 'AssignPool', groupId: 'g1', poolId: 'p1' },
        { type: 'OnboardUser', userId: 'u1', name: 'user u1', role: 'operator', groupId: 'g1' },
      ],
    },
    { at: 10, commands: [{ type: 'SubmitJob', jobId: 'j1', kind: 'notebook', owner: 'u1', gpus: 2, immediate: true }] },
    { at: 15, commands: [{ type: 'ConfigurePool', poolId: 'p1', placement: 'node' }] },
  ]),
];

/** Backfill reserved for an untyped head on its first type only, in a mixed pool (scheduler/pass.ts). */
const MIXED_POOL_HEAD_OF_ANY_TYPE = [
  scenario([
    {
      at: 0,
      commands: [
        { type: 'Install', userId: 'admin', name: 'Ada' },
        { type: 'RegisterNode', nodeId: 'n1', devices: [{ index: 0, gpuType: 'A100' }] },
        { type: 'RegisterNode', nodeId: 'n2', devices: [{ index: 0, gpuType: 'A100' }] },
        { type: 'CreatePool', poolId: 'p1', name: 'pool-p1', gpuType: 'A100', policy: 'fifo', placement: 'node' },
      ],
    },
    {
      at: 5,
      commands: [
        { type: 'SubmitJob', jobId: 'j1', kind: 'notebook', owner: 'admin', gpus: 1, immediate: true },
        { type: 'SubmitJob', jobId: 'j2', kind: 'notebook', owner: 'admin', gpus: 1, expectedDuration: 1, immediate: true },
      ],
    },
    { at: 65, commands: [{ type: 'ConfigurePool', poolId: 'default', policy: 'backfill', placement: 'node' }] },
    { at: 125, commands: [{ type: 'LoseNode', nodeId: 'n1' }] },
    {
      at: 130,
      commands: [
        { type: 'SubmitJob', jobId: 'j3', kind: 'notebook', owner: 'admin', gpus: 1, expectedDuration: 1, immediate: true },
        { type: 'RegisterNode', nodeId: 'n1', devices: [0, 1, 2, 3, 4, 5, 6].map((index) => ({ index, gpuType: 'H100' })) },
        { type: 'SubmitJob', jobId: 'j4', kind: 'notebook', owner: 'admin', gpus: 4, gpuType: 'H100', immediate: true },
      ],
    },
    {
      at: 135,
      commands: [
        { type: 'AllocateGPUs', poolId: 'p1', devices: ['n2/0'] },
        { type: 'SubmitJob', jobId: 'j5', kind: 'notebook', owner: 'admin', gpus: 3 },
        { type: 'DeletePool', poolId: 'p1' },
      ],
    },
    { at: 140, commands: [{ type: 'SubmitJob', jobId: 'j6', kind: 'notebook', owner: 'admin', gpus: 2, gpuType: 'H100' }] },
  ]),
];

// ---------------------------------------------------------------------------------------------

describe('core properties (random batches over a small cluster)', () => {
  it('the invariants hold after every batch, every allocation takes free devices of its own pool on schedulable nodes, and time never runs backwards', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        run(scenario, {
          onEvent: (before, e, batch) => {
            if (e.at < before.now) fail(`batch ${batch}: ${e.type} at ${e.at} comes after an event at ${before.now}`, e);
            if (e.type !== 'JobAllocated') return;
            const problems = allocationProblems(before, e);
            if (problems.length > 0) fail(`batch ${batch}: ${e.jobId}'s allocation breaks the rules`, { problems, event: e });
          },
          afterBatch: (state, _r, batch) => {
            const violations = checkInvariants(state);
            if (violations.length > 0) fail(`batch ${batch}: invariants violated`, violations);
          },
        });
      }),
      { ...SEED, numRuns: RUNS, examples: PLACEMENT_CHANGED_UNDER_RUNNING_JOB },
    );
  });

  it("backfill's kept release times of every node equal those worked out afresh from its devices and their holders, after every batch", () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        run(scenario, {
          afterBatch: (state, _r, batch) => {
            // Every node's list is read (and so kept) after every batch, not only those a backfill
            // pass happened to read: the next batch must drop each one its changes make wrong.
            for (const cap of state.capacity.byKey.values()) {
              for (const node of cap.sizes.keys()) {
                const kept = releasesOn(state, cap, node);
                const fresh = nodeReleases(state, cap, node);
                if (!isDeepStrictEqual(kept, fresh))
                  fail(`batch ${batch}: ${cap.pool}/${cap.gpuType} node ${node}: kept ${kept}, afresh ${fresh}`);
              }
            }
          },
        });
      }),
      { ...SEED, numRuns: RUNS },
    );
  });

  it('replaying the emitted events (as JSON, decoded) into initialState() rebuilds the same state', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const json: string[] = [];
        const shadow = initialState();
        run(scenario, {
          afterBatch: (state, result, batch) => {
            // Serialise at once: a state change that leaked into an already-emitted event shows here.
            for (const e of result.events) json.push(JSON.stringify(e));
            for (const e of result.events) evolve(shadow, fromJson(JSON.stringify(e)));
            if (canonicalState(shadow) !== canonicalState(state)) {
              expect(canonicalState(shadow), `batch ${batch}: replayed state differs from live state`).toBe(
                canonicalState(state),
              );
            }
          },
        });
        const { state } = run(scenario);
        const replayed = replay(json.map(fromJson));
        expect(canonicalState(replayed)).toBe(canonicalState(state));
      }),
      { ...SEED, numRuns: RUNS },
    );
  });

  it('the same commands give the same events, byte for byte, on two fresh states (and are left unchanged)', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const a = initialState();
        const b = initialState();
        for (const [i, batch] of scenario.batches.entries()) {
          // Each side gets its own deep copy of the commands, so that nothing is shared between
          // them; and deciding must leave the commands it was given as they were.
          const commands = JSON.stringify(batch.commands);
          const ca = structuredClone(batch.commands);
          const ra = JSON.stringify(runBatch(a, ca, batch.at));
          const rb = JSON.stringify(runBatch(b, structuredClone(batch.commands), batch.at));
          if (ra !== rb) expect(rb, `batch ${i}`).toBe(ra);
          if (JSON.stringify(ca) !== commands)
            expect(JSON.stringify(ca), `batch ${i}: runBatch changed its commands`).toBe(commands);
        }
      }),
      { ...SEED, numRuns: RUNS },
    );
  });

  it('under fifo, no job starts while an older job of higher-or-equal priority waits in its pool (immediate and 0-GPU jobs aside)', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        run(scenario, {
          onEvent: (before, e, batch) => {
            if (e.type !== 'JobAllocated') return;
            const job = before.jobs.get(e.jobId) as JobState;
            const pool = before.pools.get(e.poolId) as PoolState;
            if (startsRegardless(job) || pool.policy !== 'fifo') return;
            // The jobs waiting in the same pool are the pending jobs of the group it serves now,
            // whenever they were submitted (a group keeps its jobs when it changes pools).
            const older = [...before.jobs.values()].filter(
              (k) =>
                k.id !== job.id &&
                k.group === job.group &&
                isPending(k.status) &&
                !startsRegardless(k) &&
                k.priority >= job.priority &&
                k.seq < job.seq &&
                // A job that cannot start as the pool stands (never-fits) holds nobody back.
                fitsWhenIdle(before, k, pool),
            );
            if (older.length > 0) {
              fail(`batch ${batch}: ${job.id} started in fifo pool ${pool.id} ahead of older waiting jobs`, {
                started: describeJob(job),
                waiting: older.map(describeJob),
              });
            }
          },
        });
      }),
      { ...SEED, numRuns: RUNS },
    );
  });

  it('under fifo and sjf every start is the first waiting job in candidate order, and under first-fit no waiting job ahead of a starting one fits', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        run(scenario, {
          onEvent: (before, e, batch) => {
            if (e.type !== 'JobAllocated') return;
            const job = before.jobs.get(e.jobId) as JobState;
            const pool = before.pools.get(e.poolId) as PoolState;
            if (startsRegardless(job) || pool.policy === 'backfill') return;
            // A job past the maximum wait goes first whatever the order, and reserves capacity
            // that jobs ahead of others may not take: the starvation property covers that case.
            if (starvingWaits(before, job.group, pool, e.at)) return;
            const order = candidateOrder(before, job.group, pool);
            const ahead = order
              .slice(
                0,
                order.findIndex((j) => j.id === job.id),
              )
              .filter((k) => fitsWhenIdle(before, k, pool)); // never-fits jobs are skipped
            const wrong = pool.policy === 'first-fit' ? ahead.filter((k) => fitsNow(before, k, pool)) : ahead;
            if (wrong.length > 0) {
              fail(`batch ${batch}: ${job.id} started in ${pool.policy} pool ${pool.id} while jobs ahead of it wait`, {
                started: describeJob(job),
                ahead: wrong.map(describeJob),
              });
            }
          },
        });
      }),
      { ...SEED, numRuns: RUNS },
    );
  });

  it('the scheduler leaves nothing undone: after every batch, a pass over any group at the time of its last pass starts nothing', () => {
    // Scheduling depends on time (a job past the pool's maximum wait; backfill counts a job past its
    // expected end as ending now), and a pass runs only for the groups a batch touches. So each
    // group is scheduled again at the time its last pass ran: if some later event changed what it
    // could start without touching it (a trigger missing), or a pass is not idempotent, it shows.
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const events: Event[] = [];
        const shadow = initialState();
        const lastPass = new Map<string, number>();
        run(scenario, {
          afterBatch: (_state, result, batch) => {
            const b = scenario.batches[batch] as Batch;
            // The batch's pass ran at the latest of the batch time, the state's time and the times
            // of the accepted commands, over the groups the commands' events touched.
            let passAt = Math.max(b.at, shadow.now);
            b.commands.forEach((c, i) => {
              const o = result.outcomes[i];
              if (o?.ok && !o.duplicate) passAt = Math.max(passAt, c.at ?? b.at);
            });
            const touched = new Set<string>();
            for (const e of result.events) {
              evolve(shadow, e);
              passAt = Math.max(passAt, e.at);
              if (e.type !== 'JobAllocated' && e.type !== 'JobWaiting') groupsTouchedBy(shadow, e, touched);
            }
            for (const g of touched) lastPass.set(g, passAt);
            events.push(...result.events);
            const copy = replay(events);
            const extra: EventBody[] = [];
            for (const [g, at] of [...lastPass].sort(([a], [b]) => (a < b ? -1 : 1))) {
              if (!copy.groups.has(g)) continue;
              schedule(copy, [g], at, (body) => {
                extra.push(body);
                evolve(copy, stamp(structuredClone(body), at));
              });
            }
            if (extra.length > 0) fail(`batch ${batch}: a second pass still does something`, { extra, lastPass: [...lastPass] });
          },
        });
      }),
      {
        numRuns: RUNS,
        examples: [...SHRINKING_POOL_NOT_RESCHEDULED, ...SHRINKING_POOL_NOT_RESCHEDULED_2, BACKFILL_BEST_FIT_ON_RESERVED_NODE],
      },
    );
  });

  it("an immediate or 0-GPU job never waits after a batch while its pool's schedulable nodes could hold it", () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        run(scenario, {
          afterBatch: (state, _r, batch) => {
            for (const job of state.jobs.values()) {
              if (!isPending(job.status) || !startsRegardless(job)) continue;
              const poolId = state.groups.get(job.group)?.pool;
              const pool = poolId ? state.pools.get(poolId) : undefined;
              if (pool && fitsWhenIdle(state, job, pool))
                fail(`batch ${batch}: ${job.id} waits in pool ${pool.id}`, describeJob(job));
            }
          },
        });
      }),
      { ...SEED, numRuns: RUNS },
    );
  });

  it("under backfill, a job that starts past a waiting head never delays the head's earliest start (from expected durations)", () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        run(scenario, {
          onEvent: (before, e, batch) => {
            if (e.type !== 'JobAllocated') return;
            const job = before.jobs.get(e.jobId) as JobState;
            const pool = before.pools.get(e.poolId) as PoolState;
            if (startsRegardless(job) || pool.policy !== 'backfill') return;
            // A job past the maximum wait goes before any head, oldest first (the starvation
            // property covers it); every other job must still leave the head's start alone.
            if (pool.maxWaitSeconds !== null && e.at - job.submittedAt >= pool.maxWaitSeconds) return;
            // The head: the first job ahead of it still waiting that could start once running
            // work ended (one that could not, waits for an operator and reserves nothing).
            const order = candidateOrder(before, job.group, pool);
            const ahead = order.slice(
              0,
              order.findIndex((j) => j.id === job.id),
            );
            const head = ahead.find((h) => fitsWhenIdle(before, h, pool));
            if (!head) return;
            const was = earliestStart(before, head, pool, e.at);
            // A head that could start now and did not, though the walk met it before this job, was
            // held back by a starving job's reservation, which this estimate does not model (it
            // counts only running jobs): the head's real earliest start lies past that reservation.
            if (was <= e.at && starvingWaits(before, job.group, pool, e.at)) return;
            const end = job.expectedDuration === null ? Number.POSITIVE_INFINITY : e.at + job.expectedDuration;
            const becomes = earliestStart(before, head, pool, e.at, { devices: e.devices, end });
            if (becomes > was) {
              fail(
                `batch ${batch}: ${job.id} jumped head ${head.id} in backfill pool ${pool.id} and delays it from ${was} to ${becomes}`,
                {
                  started: describeJob(job),
                  head: describeJob(head),
                  devices: e.devices,
                },
              );
            }
          },
        });
      }),
      { ...SEED, numRuns: RUNS, examples: MIXED_POOL_HEAD_OF_ANY_TYPE },
    );
  });

  it('no stuck queue: once no job holds GPUs, no head waits that fits its pool, and under first-fit and backfill no job at all', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const { state } = run(scenario);
        // Complete every job holding GPUs, batch by batch, until none does.
        let at = (scenario.batches[scenario.batches.length - 1] as Batch).at;
        const rounds = state.jobs.size + 1; // each round ends at least one of the unfinished jobs
        for (let round = 0; ; round++) {
          const holding = [...state.jobs.values()]
            .filter((j) => holdsDevices(j.status))
            .map((j) => j.id)
            .sort();
          if (holding.length === 0) break;
          if (round > rounds) fail('driving the state to completion does not end', holding);
          at += 10;
          const commands: Command[] = holding.map((jobId) => ({ type: 'ReportJobCompleted', jobId }));
          const r = runBatch(state, commands, at);
          const refused = r.outcomes.filter((o) => !o.ok);
          if (refused.length > 0) fail('completing a job holding GPUs was refused', refused);
        }
        expect(checkInvariants(state)).toEqual([]);
        for (const group of state.groups.values()) {
          const pool = group.pool === null ? undefined : state.pools.get(group.pool);
          if (!pool) continue;
          const regardless = [...state.jobs.values()].filter(
            (j) => j.group === group.id && isPending(j.status) && startsRegardless(j),
          );
          for (const j of regardless) {
            if (fitsNow(state, j, pool))
              fail(`${j.id} (immediate or 0 GPUs) fits idle pool ${pool.id} but waits`, describeJob(j));
          }
          const order = candidateOrder(state, group.id, pool);
          const head = order.find((j) => fitsWhenIdle(state, j, pool)); // never-fits jobs are skipped
          if (!head) continue;
          if (fitsNow(state, head, pool)) {
            fail(`the head ${head.id} of ${pool.policy} pool ${pool.id} fits the idle pool but waits`, {
              head: describeJob(head),
              pool,
            });
          }
          if (pool.policy === 'fifo' || pool.policy === 'sjf') continue; // strict: only the head matters
          // first-fit and backfill start every job that fits. A job past the pool's maximum wait
          // reserves capacity and blocks later jobs, but only if it could start once running work
          // ended; in an idle pool such a job fits, so it would have started. Hence: nothing waits
          // that fits.
          for (const j of order) {
            if (fitsNow(state, j, pool)) {
              fail(`${j.id} fits idle ${pool.policy} pool ${pool.id} but waits`, {
                job: describeJob(j),
                queue: order.map(describeJob),
                pool,
              });
            }
          }
        }
      }),
      { ...SEED, numRuns: RUNS, examples: [...STUCK_BEHIND_UNREACHABLE_HEAD, ...SHRINKING_POOL_NOT_RESCHEDULED] },
    );
  });

  it('one reason everywhere: the reason a pass stores for a job it holds back is the one explain gives right after', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        run(scenario, {
          afterBatch: (state, result, batch) => {
            for (const e of result.events) {
              if (e.type !== 'JobWaiting' || !isPending(state.jobs.get(e.jobId)?.status ?? 'Complete')) continue;
              const live = explainJob(state, e.jobId);
              if (!isDeepStrictEqual(live, e.reason))
                fail(`batch ${batch}: ${e.jobId} stored one reason, explain gives another`, { stored: e.reason, live });
            }
          },
        });
      }),
      { ...SEED, numRuns: RUNS },
    );
  });

  it('a job that cannot start as its pool stands holds nobody back: under fifo and sjf no job that fits waits behind only such jobs', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        run(scenario, {
          afterBatch: (state, _r, batch) => {
            for (const group of state.groups.values()) {
              const pool = group.pool === null ? undefined : state.pools.get(group.pool);
              if (!pool || (pool.policy !== 'fifo' && pool.policy !== 'sjf')) continue;
              if (starvingWaits(state, group.id, pool, state.now)) continue; // a reservation holds them
              const order = candidateOrder(state, group.id, pool);
              order.forEach((j, i) => {
                if (!fitsNow(state, j, pool)) return;
                const holders = order.slice(0, i).filter((k) => fitsWhenIdle(state, k, pool));
                if (holders.length === 0) {
                  fail(`batch ${batch}: ${j.id} fits ${pool.policy} pool ${pool.id} but waits behind jobs that can never start`, {
                    job: describeJob(j),
                    ahead: order.slice(0, i).map(describeJob),
                  });
                }
              });
            }
          },
        });
      }),
      { ...SEED, numRuns: RUNS },
    );
  });

  it('through the engine: a second engine loaded from the same store has the same state, and stateAt(r) is the state replayed up to r', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ maxBatches: 25 }), fc.array(fc.nat(), { maxLength: 3 }), async (scenario, picks) => {
        const store = new InMemoryEventStore();
        let now = 0;
        const engine = await createEngine({ store, clock: { now: () => now } });
        const json: string[] = [];
        engine.subscribe((a) => {
          if (a.firstRevision !== json.length)
            fail(`appended batch starts at revision ${a.firstRevision}, expected ${json.length}`);
          for (const e of a.events) json.push(JSON.stringify(e));
        });
        for (const [i, b] of scenario.batches.entries()) {
          if (i % 3 === 2 && b.commands.length > 1) {
            // Single commands sent together: the engine gathers them into batches (group commit).
            now = b.at;
            await Promise.all(b.commands.map((c) => engine.execute(c)));
          } else {
            await engine.executeBatch(b.commands, { at: b.at });
          }
        }
        const live = engine.current as State;
        expect(checkInvariants(live)).toEqual([]);
        expect(live.revision).toBe(json.length - 1);
        const second = await createEngine({ store });
        expect(canonicalState(second.current as State)).toBe(canonicalState(live));
        expect(canonicalState(replay(json.map(fromJson)))).toBe(canonicalState(live));
        const last = live.revision;
        const revisions = [-1, last, last + 3, ...picks.map((p) => p % (last + 1))];
        for (const r of revisions) {
          const at = await engine.stateAt(r);
          const want = replay(json.slice(0, Math.max(0, r + 1)).map(fromJson));
          expect(at.revision).toBe(Math.min(r, last));
          expect(canonicalState(at), `stateAt(${r})`).toBe(canonicalState(want));
        }
      }),
      { ...SEED, numRuns: RUNS },
    );
  });
});
