/**
 * decide: a command and the current state give either a rejection (a value: code and message)
 * or the events that record what the command did. Pure: no clock, no randomness, no I/O; it
 * never changes the state. Scheduling is not decided here but once per batch (scheduler/).
 */

import { type Rejection, reject } from '../rejection.js';
import { tagsTooLong } from '../tags.js';
import * as E from '../vendor/either.js';
import { capacityOf, largestNode, nodesWithAtLeast, typesInPool } from './capacity.js';
import type { Command, CommandOf, JobInputs, JobOutput } from './commands.js';
import type { EventBody } from './events.js';
import { deviceId } from './evolve.js';
import {
  DEFAULT_GROUP_ID,
  DEFAULT_POOL_ID,
  type DeviceState,
  type GroupState,
  holdsDevices,
  type Ide,
  isPending,
  type JobState,
  type PoolState,
  type State,
} from './model.js';
import { type LoggedAffinity, normalAffinity } from './node-affinity.js';
import { capacityFor, type NodeSelector, nodeRulesText, normalSelector } from './node-selector.js';
import { canEverFit } from './scheduler/fit.js';

export type Decision = E.Either<Rejection, EventBody[]>;

const ok = (...events: EventBody[]): Decision => E.right(events);
const no = (...args: Parameters<typeof reject>): Decision => E.left(reject(...args));

export function decide(command: Command, state: State): Decision {
  return (deciders[command.type] as (c: Command, s: State) => Decision)(command, state);
}

type Deciders = { [K in Command['type']]: (c: CommandOf<K>, s: State) => Decision };

const deciders: Deciders = {
  Install(c, s) {
    if (s.installed) return no('already-installed', 'gpupool is already installed: the bootstrap operator exists');
    if (s.users.has(c.userId)) return no('already-exists', `user '${c.userId}' already exists`);
    return ok({ type: 'Installed', userId: c.userId, name: c.name });
  },

  RegisterNode(c, s) {
    const indices = new Set<number>();
    for (const d of c.devices) {
      if (indices.has(d.index)) return no('invalid-argument', `node '${c.nodeId}' lists device index ${d.index} twice`);
      indices.add(d.index);
    }
    const node = s.nodes.get(c.nodeId);
    const registered: EventBody = {
      type: 'NodeRegistered',
      nodeId: c.nodeId,
      name: c.name ?? node?.name ?? c.nodeId,
      // A copy: the caller keeps its object, and mutating it later must not rewrite the state or the log.
      labels: c.labels ? { ...c.labels } : (node?.labels ?? {}),
      devices: c.devices.map((d) => ({ index: d.index, gpuType: d.gpuType })),
    };
    if (!node || node.lost) return ok(registered);
    // Reconcile: devices that vanished (or changed type) are lost; jobs using them fail.
    const wanted = new Map(c.devices.map((d) => [deviceId(c.nodeId, d.index), d.gpuType]));
    const vanished = node.devices.filter((id) => wanted.get(id) !== s.devices.get(id)?.gpuType);
    if (vanished.length === 0) return ok(registered);
    const failures = failJobsOn(s, vanished, 'DeviceLost', `device vanished when node '${c.nodeId}' re-registered`);
    return ok(...failures, { type: 'DevicesLost', nodeId: c.nodeId, devices: vanished }, registered);
  },

  CordonNode(c, s) {
    const node = liveNode(s, c.nodeId);
    if (E.isLeft(node)) return node;
    return node.right.cordoned ? ok() : ok({ type: 'NodeCordoned', nodeId: c.nodeId });
  },

  UncordonNode(c, s) {
    const node = liveNode(s, c.nodeId);
    if (E.isLeft(node)) return node;
    return node.right.cordoned ? ok({ type: 'NodeUncordoned', nodeId: c.nodeId }) : ok();
  },

  LoseNode(c, s) {
    const node = s.nodes.get(c.nodeId);
    if (!node) return no('not-found', `node '${c.nodeId}' does not exist`);
    if (node.lost) return ok();
    const failures = failJobsOn(s, node.devices, 'NodeLost', `node '${c.nodeId}' was lost`);
    return ok(...failures, { type: 'NodeLost', nodeId: c.nodeId });
  },

  CreatePool(c, s) {
    if (s.pools.has(c.poolId)) return no('already-exists', `pool '${c.poolId}' already exists`);
    if (poolNamed(s, c.name)) return no('name-taken', `a pool named '${c.name}' already exists`);
    return ok({
      type: 'PoolCreated',
      poolId: c.poolId,
      name: c.name,
      gpuType: c.gpuType,
      policy: c.policy ?? 'fifo',
      placement: c.placement ?? 'node',
      maxWaitSeconds: c.maxWaitSeconds ?? null,
    });
  },

  ConfigurePool(c, s) {
    const pool = s.pools.get(c.poolId);
    if (!pool) return no('not-found', `pool '${c.poolId}' does not exist`);
    return ok({
      type: 'PoolConfigured',
      poolId: c.poolId,
      policy: c.policy ?? pool.policy,
      placement: c.placement ?? pool.placement,
      maxWaitSeconds: c.maxWaitSeconds === undefined ? pool.maxWaitSeconds : c.maxWaitSeconds,
    });
  },

  AllocateGPUs(c, s) {
    const pool = s.pools.get(c.poolId);
    if (!pool) return no('not-found', `pool '${c.poolId}' does not exist`);
    if (pool.id === DEFAULT_POOL_ID)
      return no('invalid-argument', 'GPUs are allocated from the Default Pool into another pool, not into it');
    if ((c.count === undefined) === (c.devices === undefined)) {
      return no('invalid-argument', 'AllocateGPUs takes exactly one of count or devices');
    }
    const type = pool.gpuType as string;
    let chosen: string[];
    if (c.devices !== undefined) {
      const checked = checkDevices(s, c.devices, 'AllocateGPUs.devices');
      if (E.isLeft(checked)) return checked;
      for (const d of checked.right) {
        if (d.pool !== DEFAULT_POOL_ID)
          return no('invalid-argument', `device '${d.id}' is in pool '${d.pool}', not the Default Pool`);
        if (d.gpuType !== type)
          return no('gpu-type-mismatch', `device '${d.id}' is ${d.gpuType}; pool '${pool.name}' holds ${type}`);
      }
      chosen = c.devices;
    } else {
      const available = capacityOf(s, DEFAULT_POOL_ID, type)?.total ?? 0;
      const count = c.count as number;
      if (available < count) {
        return no(
          'not-enough-devices',
          `the Default Pool has ${available} ${type} GPU${available === 1 ? '' : 's'}; cannot allocate ${count}`,
          {
            available,
          },
        );
      }
      chosen = chooseDevices(s, type, count);
    }
    return ok(moved(s, pool.id, chosen));
  },

  MovePoolDevices(c, s) {
    const to = s.pools.get(c.toPoolId);
    if (!to) return no('not-found', `pool '${c.toPoolId}' does not exist`);
    if (c.fromPoolId !== undefined && !s.pools.has(c.fromPoolId)) return no('not-found', `pool '${c.fromPoolId}' does not exist`);
    const checked = checkDevices(s, c.devices, 'MovePoolDevices.devices');
    if (E.isLeft(checked)) return checked;
    for (const d of checked.right) {
      if (c.fromPoolId !== undefined && d.pool !== c.fromPoolId)
        return no('invalid-argument', `device '${d.id}' is in pool '${d.pool}', not '${c.fromPoolId}'`);
      if (d.pool === to.id) return no('invalid-argument', `device '${d.id}' is already in pool '${to.name}'`);
      if (to.gpuType !== null && d.gpuType !== to.gpuType) {
        return no('gpu-type-mismatch', `device '${d.id}' is ${d.gpuType}; pool '${to.name}' holds only ${to.gpuType}`);
      }
    }
    return ok(moved(s, to.id, c.devices));
  },

  DeletePool(c, s) {
    const pool = s.pools.get(c.poolId);
    if (!pool) return no('not-found', `pool '${c.poolId}' does not exist`);
    if (pool.id === DEFAULT_POOL_ID) return no('protected', 'the Default Pool cannot be deleted');
    const devices = [...s.devices.values()]
      .filter((d) => d.pool === pool.id)
      .map((d) => d.id)
      .sort();
    const events: EventBody[] = devices.length > 0 ? [moved(s, DEFAULT_POOL_ID, devices)] : [];
    return ok(...events, { type: 'PoolDeleted', poolId: pool.id });
  },

  CreateGroup(c, s) {
    if (s.groups.has(c.groupId)) return no('already-exists', `group '${c.groupId}' already exists`);
    for (const g of s.groups.values()) if (g.name === c.name) return no('name-taken', `a group named '${c.name}' already exists`);
    return ok({ type: 'GroupCreated', groupId: c.groupId, name: c.name });
  },

  ConfigureGroup(c, s) {
    const group = s.groups.get(c.groupId);
    if (!group) return no('not-found', `group '${c.groupId}' does not exist`);
    const maxUnfinishedJobs = c.maxUnfinishedJobs === undefined ? group.maxUnfinishedJobs : c.maxUnfinishedJobs;
    const maxUnfinishedJobsPerUser =
      c.maxUnfinishedJobsPerUser === undefined ? group.maxUnfinishedJobsPerUser : c.maxUnfinishedJobsPerUser;
    if (maxUnfinishedJobs === group.maxUnfinishedJobs && maxUnfinishedJobsPerUser === group.maxUnfinishedJobsPerUser) return ok();
    return ok({ type: 'GroupConfigured', groupId: group.id, maxUnfinishedJobs, maxUnfinishedJobsPerUser });
  },

  AssignPool(c, s) {
    const group = s.groups.get(c.groupId);
    if (!group) return no('not-found', `group '${c.groupId}' does not exist`);
    if (group.id === DEFAULT_GROUP_ID) return no('protected', 'the Default Group is bound to the Default Pool for good');
    if (c.poolId !== null) {
      const pool = s.pools.get(c.poolId);
      if (!pool) return no('not-found', `pool '${c.poolId}' does not exist`);
      if (pool.id === DEFAULT_POOL_ID) return no('protected', 'the Default Pool serves only the Default Group');
      if (pool.group !== null && pool.group !== group.id) {
        return no('conflict', `pool '${pool.name}' already serves group '${s.groups.get(pool.group)?.name ?? pool.group}'`);
      }
    }
    if (group.pool === c.poolId) return ok();
    return ok({ type: 'PoolAssigned', groupId: group.id, poolId: c.poolId });
  },

  DeleteGroup(c, s) {
    const group = s.groups.get(c.groupId);
    if (!group) return no('not-found', `group '${c.groupId}' does not exist`);
    if (group.id === DEFAULT_GROUP_ID) return no('protected', 'the Default Group cannot be deleted');
    const busy = [...(s.unfinished.get(group.id) ?? [])];
    if (busy.length > 0) {
      return no(
        'group-busy',
        `group '${group.name}' has ${busy.length} unfinished job${busy.length === 1 ? '' : 's'}: ${busy.join(', ')}`,
        {
          jobs: busy,
        },
      );
    }
    const usersMoved = [...s.users.values()]
      .filter((u) => u.group === group.id)
      .map((u) => u.id)
      .sort();
    return ok({ type: 'GroupDeleted', groupId: group.id, usersMoved });
  },

  OnboardUser(c, s) {
    if (s.users.has(c.userId)) return no('already-exists', `user '${c.userId}' already exists`);
    const groupId = c.groupId ?? DEFAULT_GROUP_ID;
    if (!s.groups.has(groupId)) return no('not-found', `group '${groupId}' does not exist`);
    return ok({ type: 'UserOnboarded', userId: c.userId, name: c.name, role: c.role, groupId });
  },

  MoveUser(c, s) {
    const user = s.users.get(c.userId);
    if (!user) return no('not-found', `user '${c.userId}' does not exist`);
    if (!s.groups.has(c.groupId)) return no('not-found', `group '${c.groupId}' does not exist`);
    return user.group === c.groupId ? ok() : ok({ type: 'UserMoved', userId: c.userId, groupId: c.groupId });
  },

  RemoveUser(c, s) {
    const user = s.users.get(c.userId);
    if (!user) return no('not-found', `user '${c.userId}' does not exist`);
    if (user.role === 'operator' && [...s.users.values()].filter((u) => u.role === 'operator').length === 1) {
      return no('protected', `user '${c.userId}' is the last operator; onboard another operator first`);
    }
    // A job of a user who no longer exists would still wait and start; so their unfinished jobs
    // stop with them, or the removal is refused. The per-owner index keeps this O(their jobs).
    const busy = [...(s.unfinishedByOwner.get(user.id) ?? [])];
    if (busy.length > 0 && c.stopJobs !== true) {
      return no(
        'user-busy',
        `user '${user.id}' has ${busy.length} unfinished job${busy.length === 1 ? '' : 's'}: ${busy.join(', ')}; stop them first, or remove with stopJobs`,
        { jobs: busy },
      );
    }
    const stops: EventBody[] = [];
    for (const id of busy) {
      const job = s.jobs.get(id) as JobState;
      if (isPending(job.status)) stops.push({ type: 'JobStopped', jobId: id });
      else if (job.status !== 'Stopping') stops.push({ type: 'JobStopRequested', jobId: id });
    }
    return ok(...stops, { type: 'UserRemoved', userId: c.userId });
  },

  SubmitJob(c, s) {
    return submission(s, {
      jobId: c.jobId,
      kind: c.kind,
      owner: c.owner,
      gpus: c.gpus,
      gpuType: c.gpuType ?? null,
      nodeSelector: normalSelector(c.nodeSelector),
      nodeAffinity: normalAffinity(c.nodeAffinity),
      workers: c.workers ?? 1,
      priority: c.priority ?? 0,
      tags: c.tags === undefined ? NO_TAGS : [...c.tags],
      expectedDuration: c.expectedDuration ?? null,
      immediate: c.immediate ?? false,
      spec: ownCopy(c.spec ?? null),
      clonedFrom: null,
      shared: c.shared === true,
      inputs: c.inputs,
      output: c.output,
      ide: c.ide,
    });
  },

  CloneJob(c, s) {
    const source = s.jobs.get(c.sourceJobId) ?? (s.finished.has(c.sourceJobId) ? c.source : undefined);
    if (!source) {
      return s.finished.has(c.sourceJobId)
        ? no('not-found', `job '${c.sourceJobId}' has finished and its request is not at hand: pass it as 'source'`)
        : no('not-found', `job '${c.sourceJobId}' does not exist`);
    }
    const owner = c.owner ?? source.owner;
    return submission(s, {
      jobId: c.jobId,
      kind: source.kind,
      owner,
      gpus: c.gpus ?? source.gpus,
      gpuType: c.gpuType ?? source.gpuType ?? typeToRerunOn(s, source, owner),
      // The same nodes as the source may run on (a rerun of a job that needed SSD nodes needs them
      // too), unless the clone names others; an empty one lets it run on any node.
      nodeSelector: normalSelector(c.nodeSelector ?? source.nodeSelector),
      nodeAffinity: normalAffinity(c.nodeAffinity ?? source.nodeAffinity),
      workers: c.workers ?? source.workers,
      priority: source.priority,
      tags: [...source.tags],
      expectedDuration: source.expectedDuration,
      immediate: source.immediate,
      spec: ownCopy(source.spec),
      clonedFrom: c.sourceJobId,
      shared: source.shared,
      // The very same asset versions: a rerun reproduces what the source ran on.
      inputs: source.inputs ?? undefined,
      output: source.output ?? undefined,
      ide: source.ide ?? undefined,
    });
  },

  StopJob(c, s) {
    return withJob(s, c.jobId, (job) => {
      if (isPending(job.status)) return ok({ type: 'JobStopped', jobId: job.id });
      if (job.status === 'Stopping') return ok();
      if (holdsDevices(job.status)) return ok({ type: 'JobStopRequested', jobId: job.id });
      return no('invalid-transition', `job '${job.id}' is already ${job.status}`);
    });
  },

  ReportJobStarted(c, s) {
    return withJob(s, c.jobId, (job) =>
      job.status === 'Starting'
        ? ok(
            c.endpoint === undefined
              ? { type: 'JobStarted', jobId: job.id }
              : { type: 'JobStarted', jobId: job.id, endpoint: c.endpoint },
          )
        : no('invalid-transition', `job '${job.id}' is ${job.status}; only a Starting job can be reported started`),
    );
  },

  ReportJobCompleted(c, s) {
    return withJob(s, c.jobId, (job) =>
      holdsDevices(job.status)
        ? ok({ type: 'JobCompleted', jobId: job.id })
        : no('invalid-transition', `job '${job.id}' is ${job.status}; only a job holding GPUs can complete`),
    );
  },

  ReportJobFailed(c, s) {
    return withJob(s, c.jobId, (job) =>
      holdsDevices(job.status)
        ? ok({ type: 'JobFailed', jobId: job.id, reason: c.reason, message: c.message ?? c.reason })
        : no('invalid-transition', `job '${job.id}' is ${job.status}; only a job holding GPUs can fail`),
    );
  },

  ReleaseJob(c, s) {
    return withJob(s, c.jobId, (job) =>
      holdsDevices(job.status)
        ? ok({ type: 'JobStopped', jobId: job.id })
        : no('invalid-transition', `job '${job.id}' is ${job.status} and holds no GPUs to release`),
    );
  },

  // Time passing is no event of its own: what it changes, the batch's scheduling pass decides
  // (scheduler/timers.ts says which groups it covers).
  Tick() {
    return ok();
  },
};

// ---------------------------------------------------------------------------------------------

function liveNode(s: State, nodeId: string): E.Either<Rejection, NonNullable<ReturnType<State['nodes']['get']>>> {
  const node = s.nodes.get(nodeId);
  if (!node) return E.left(reject('not-found', `node '${nodeId}' does not exist`));
  if (node.lost) return E.left(reject('invalid-transition', `node '${nodeId}' is lost; register it again first`));
  return E.right(node);
}

/** A job by id as a report or a stop sees it: an unfinished one, or a finished one's id and end. */
type JobRef = Pick<JobState, 'id' | 'status'>;

function withJob(s: State, jobId: string, f: (job: JobRef) => Decision): Decision {
  const job = s.jobs.get(jobId);
  if (job) return f(job);
  const ended = s.finished.get(jobId);
  return ended ? f({ id: jobId, status: ended }) : no('not-found', `job '${jobId}' does not exist`);
}

function poolNamed(s: State, name: string): PoolState | undefined {
  for (const p of s.pools.values()) if (p.name === name) return p;
  return undefined;
}

/** Every job holding one of `devices` fails, in submission order. */
function failJobsOn(s: State, devices: readonly string[], reason: string, message: string): EventBody[] {
  const jobs = new Set<string>();
  for (const id of devices) for (const h of s.devices.get(id)?.holders ?? []) jobs.add(h);
  return [...jobs]
    .map((id) => s.jobs.get(id) as JobState)
    .sort((a, b) => a.seq - b.seq)
    .map((job) => ({ type: 'JobFailed', jobId: job.id, reason, message }));
}

function checkDevices(s: State, ids: readonly string[], path: string): E.Either<Rejection, DeviceState[]> {
  if (ids.length === 0) return E.left(reject('invalid-argument', `${path} is empty: name at least one device`));
  const seen = new Set<string>();
  const out: DeviceState[] = [];
  for (const id of ids) {
    if (seen.has(id)) return E.left(reject('invalid-argument', `${path} names device '${id}' twice`));
    seen.add(id);
    const d = s.devices.get(id);
    if (!d) return E.left(reject('not-found', `device '${id}' does not exist (or its node is lost)`));
    out.push(d);
  }
  return E.right(out);
}

function moved(s: State, toPoolId: string, ids: readonly string[]): EventBody {
  return {
    type: 'DevicesMoved',
    toPoolId,
    devices: ids.map((id) => ({ id, from: (s.devices.get(id) as DeviceState).pool })),
  };
}

/**
 * Choose `count` Default-Pool devices of a type, deterministically, idle ones before any busy one
 * (a busy device keeps serving its job, so moving it leaves the new pool full while idle GPUs sit
 * in the Default Pool):
 * 1. whole idle nodes (every Default-Pool device of the type idle), larger first, then by id,
 *    while they fit the count;
 * 2. then idle devices best-fit: from the node whose idle count fits the remainder most tightly
 *    (if none holds it all, the node with the most idle devices, and again), lowest index first;
 * 3. busy devices only when no idle one is left: fewest holders first, then node id, then index.
 * Node ids compare in code-unit order.
 */
function chooseDevices(s: State, type: string, count: number): string[] {
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const idleByNode = new Map<string, DeviceState[]>();
  const busy: DeviceState[] = [];
  const wholeIdle: [string, DeviceState[]][] = [];
  for (const node of [...s.nodes.keys()].sort(byId)) {
    const ds = (s.nodes.get(node)?.devices ?? [])
      .map((id) => s.devices.get(id) as DeviceState)
      .filter((d) => d.pool === DEFAULT_POOL_ID && d.gpuType === type);
    const idle = ds.filter((d) => d.holders.length === 0);
    for (const d of ds) if (d.holders.length > 0) busy.push(d);
    if (idle.length > 0) idleByNode.set(node, idle);
    if (idle.length > 0 && idle.length === ds.length) wholeIdle.push([node, idle]);
  }
  const chosen: string[] = [];
  wholeIdle.sort(([a, da], [b, db]) => db.length - da.length || byId(a, b));
  for (const [node, idle] of wholeIdle) {
    if (idle.length > count - chosen.length) continue;
    chosen.push(...idle.map((d) => d.id));
    idleByNode.delete(node);
  }
  while (chosen.length < count && idleByNode.size > 0) {
    const rest = count - chosen.length;
    let best: [string, DeviceState[]] | undefined;
    for (const entry of idleByNode) {
      // Map order is node id order, so a strict comparison keeps the lower id on a tie.
      const n = entry[1].length;
      const b = best?.[1].length ?? 0;
      const fits = n >= rest;
      const bestFits = b >= rest;
      if (!best || (fits && (!bestFits || n < b)) || (!fits && !bestFits && n > b)) best = entry;
    }
    const [node, idle] = best as [string, DeviceState[]];
    chosen.push(...idle.slice(0, rest).map((d) => d.id));
    idleByNode.delete(node);
  }
  busy.sort((x, y) => x.holders.length - y.holders.length || byId(x.node, y.node) || x.index - y.index);
  for (const d of busy) {
    if (chosen.length === count) break;
    chosen.push(d.id);
  }
  return chosen;
}

/**
 * A source that named no GPU type reruns on the type it ran on, but only where a type must be
 * named (its owner's pool holds several): in a pool of one type, or one without a pool yet, the
 * clone keeps asking for none and so takes the pool's type, as the source did.
 */
function typeToRerunOn(s: State, source: Pick<JobState, 'ranOnGpuType'>, ownerId: string): string | null {
  if (source.ranOnGpuType === null) return null;
  const group = s.groups.get(s.users.get(ownerId)?.group ?? '');
  const pool = group?.pool ? s.pools.get(group.pool) : undefined;
  return pool && pool.gpuType === null && typesInPool(s, pool.id).length > 1 ? source.ranOnGpuType : null;
}

type JobFields = Omit<
  Extract<EventBody, { type: 'JobSubmitted' }>,
  'type' | 'group' | 'shared' | 'inputs' | 'output' | 'ide' | 'nodeSelector' | 'nodeAffinity'
> & {
  nodeSelector: NodeSelector | null;
  nodeAffinity: LoggedAffinity | null;
  shared: boolean;
  inputs: JobInputs | undefined;
  output: JobOutput | undefined;
  ide: Ide | undefined;
};

/** Validate a submission (or a clone) and record it; a job that can never fit is refused with advice. */
/**
 * Events are values the log keeps: an event must not share a mutable object with the command it
 * came from, or a caller reusing its command object would rewrite history in an in-memory store.
 * Tags are copied (or the shared empty list); a spec object is cloned.
 */
const NO_TAGS = Object.freeze([]) as unknown as string[];
function ownCopy(spec: unknown): unknown {
  return spec !== null && typeof spec === 'object' ? structuredClone(spec) : spec;
}

/**
 * A job's pinned inputs, copied field by field: they are a few small records of known shape, and
 * structuredClone (what a spec of any shape needs) was a visible share of a submission with inputs.
 */
function copyInputs(inputs: JobInputs): JobInputs {
  const out: JobInputs = {};
  if (inputs.workspace !== undefined) out.workspace = { assetId: inputs.workspace.assetId, version: inputs.workspace.version };
  if (inputs.datasets !== undefined) {
    out.datasets = inputs.datasets.map((d) => ({ assetId: d.assetId, version: d.version, mountPath: d.mountPath }));
  }
  if (inputs.model !== undefined) out.model = { assetId: inputs.model.assetId, version: inputs.model.version };
  if (inputs.hyperparametersFile !== undefined) out.hyperparametersFile = inputs.hyperparametersFile;
  return out;
}

function submission(s: State, job: JobFields): Decision {
  if (s.jobs.has(job.jobId) || s.finished.has(job.jobId)) return no('already-exists', `job '${job.jobId}' already exists`);
  const owner = s.users.get(job.owner);
  if (!owner) return no('not-found', `user '${job.owner}' does not exist`);
  if (job.gpus % job.workers !== 0) {
    return no('invalid-argument', `gpus (${job.gpus}) must divide evenly among workers (${job.workers})`);
  }
  const longTags = job.tags.length === 0 ? null : tagsTooLong(job.tags);
  if (longTags) return no('invalid-argument', longTags);
  const group = s.groups.get(owner.group);
  const limited = group ? overLimit(s, group, owner.id) : null;
  if (limited) return E.left(limited);
  const pool = group?.pool ? s.pools.get(group.pool) : undefined;
  if (pool && job.gpus > 0) {
    const refusal = neverFits(s, pool, job);
    if (refusal) return E.left(refusal);
  }
  // Field by field rather than `{ type, ...job, group }`: a spread after another property takes
  // V8's slow generic copy, a visible share of submitting. Same fields, same order.
  // `shared` only when set: private jobs' events keep the shape they had before sharing existed.
  const event: EventBody & { type: 'JobSubmitted' } = {
    type: 'JobSubmitted',
    jobId: job.jobId,
    kind: job.kind,
    owner: job.owner,
    gpus: job.gpus,
    gpuType: job.gpuType,
    workers: job.workers,
    priority: job.priority,
    tags: job.tags,
    expectedDuration: job.expectedDuration,
    immediate: job.immediate,
    spec: job.spec,
    clonedFrom: job.clonedFrom,
    group: owner.group,
  };
  if (job.shared) event.shared = true;
  // Only when it has one: jobs that run on any node keep the event shape they always had.
  if (job.nodeSelector !== null) event.nodeSelector = job.nodeSelector;
  if (job.nodeAffinity !== null) event.nodeAffinity = job.nodeAffinity;
  if (job.inputs?.hyperparametersFile !== undefined && job.inputs.workspace === undefined) {
    return no('invalid-argument', 'inputs.hyperparametersFile: a file in the workspace needs inputs.workspace');
  }
  // Only when the job has some: jobs without inputs keep the event shape they always had.
  if (job.inputs !== undefined) event.inputs = copyInputs(job.inputs);
  if (job.output !== undefined) event.output = { ...job.output };
  if (job.ide !== undefined) {
    if (job.kind !== 'notebook') return no('invalid-argument', `ide: only a notebook runs an IDE, not a ${job.kind} job`);
    event.ide = job.ide;
  }
  return ok(event);
}

/** The rejection of one more unfinished job for this owner in this group, or null when the limits allow it. */
function overLimit(s: State, group: GroupState, owner: string): Rejection | null {
  const inGroup = s.unfinished.get(group.id)?.size ?? 0;
  if (group.maxUnfinishedJobs !== null && inGroup >= group.maxUnfinishedJobs) {
    return reject(
      'too-many-unfinished-jobs',
      `group '${group.name}' has ${inGroup} unfinished jobs, its limit: wait for some to finish, or stop some`,
      { scope: 'group', limit: group.maxUnfinishedJobs, unfinished: inGroup },
    );
  }
  const mine = s.unfinishedByOwner.get(owner)?.size ?? 0;
  if (group.maxUnfinishedJobsPerUser !== null && mine >= group.maxUnfinishedJobsPerUser) {
    return reject(
      'too-many-unfinished-jobs',
      `user '${owner}' has ${mine} unfinished jobs, the limit of group '${group.name}' per user: wait for some to finish, or stop some`,
      { scope: 'user', limit: group.maxUnfinishedJobsPerUser, unfinished: mine },
    );
  }
  return null;
}

function neverFits(s: State, pool: PoolState, job: JobFields): Rejection | null {
  if (pool.gpuType !== null && job.gpuType !== null && job.gpuType !== pool.gpuType) {
    return reject('gpu-type-mismatch', `pool '${pool.name}' holds ${pool.gpuType}; the job asks for ${job.gpuType}`);
  }
  const types = job.gpuType ?? pool.gpuType;
  const present = typesInPool(s, pool.id);
  if (types === null && present.length > 1) {
    return reject(
      'gpu-type-required',
      `pool '${pool.name}' holds several GPU types (${present.join(', ')}): name one with gpuType`,
    );
  }
  const type = types ?? present[0];
  const whole = type === undefined ? undefined : capacityOf(s, pool.id, type);
  if (!whole) {
    return reject('never-fits', `pool '${pool.name}' has no ${type ?? ''} GPUs`.replace('  ', ' '), { pool: pool.id });
  }
  const cap = capacityFor(s, pool.id, whole.gpuType, job);
  // With node rules, the pool's figures are those of the nodes they allow, and the refusal says so.
  const rules = nodeRulesText(job);
  const where = rules === null ? `pool '${pool.name}'` : `pool '${pool.name}' on nodes ${rules}`;
  if (!cap) {
    return reject(
      'never-fits',
      `no node of pool '${pool.name}' with ${whole.gpuType} GPUs is ${rules}: ask for labels its nodes have, or have an operator label some`,
      { pool: pool.id },
    );
  }
  if (canEverFit(cap, pool, job)) return null;
  if (job.gpus > cap.total) {
    return reject('never-fits', `the job asks for ${job.gpus} GPUs but ${where} has ${cap.total}: ask for at most ${cap.total}`, {
      pool: pool.id,
      poolGpus: cap.total,
    });
  }
  const largest = largestNode(cap);
  const per = job.gpus / job.workers;
  let advice = '';
  for (let w = 1; w <= job.gpus; w++) {
    if (job.gpus % w === 0 && job.gpus / w <= largest && nodesWithAtLeast(cap, job.gpus / w) >= w) {
      advice = `; use workers: ${w}`;
      break;
    }
  }
  return reject(
    'never-fits',
    `the job needs ${job.workers === 1 ? `a node with ${per} GPUs` : `${job.workers} nodes with ${per} GPU${per === 1 ? '' : 's'} each`}, but ${where} has ${nodesWithAtLeast(cap, per)} such node${nodesWithAtLeast(cap, per) === 1 ? '' : 's'} (largest node: ${largest} GPU${largest === 1 ? '' : 's'})${advice}`,
    { pool: pool.id, largestNode: largest },
  );
}
