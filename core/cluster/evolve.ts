/**
 * evolve: fold one event into the state. It never decides anything: every choice (which devices,
 * which jobs fail) was made by `decide` or the scheduler and is written in the event. It updates
 * the state in place (see model.ts for why) and keeps the derived indexes (queues, capacity,
 * unfinished jobs) in step.
 */

import { foldEnvelope } from '../decider.js';
import { emptyCapacity, forgetDevicesOf, refreshNode, releaseDevices, takeDevices } from './capacity.js';
import type { Event, EventOf } from './events.js';
import { FinishedJobs } from './finished-jobs.js';
import {
  activeStatusOf,
  type ChangingFields,
  DEFAULT_GROUP_ID,
  DEFAULT_GROUP_NAME,
  DEFAULT_POOL_ID,
  DEFAULT_POOL_NAME,
  type FinishedStatus,
  type HistoryEntry,
  isPending,
  type JobCapture,
  type JobState,
  type JobStatus,
  type Policy,
  type State,
} from './model.js';
import { PendingQueue } from './queue.js';
import { timedPoolsChanged } from './scheduler/timers.js';

export function initialState(): State {
  const state: State = {
    revision: -1,
    now: 0,
    installed: false,
    nodes: new Map(),
    devices: new Map(),
    pools: new Map(),
    groups: new Map(),
    users: new Map(),
    jobs: new Map(),
    finished: new FinishedJobs(),
    finishedCounts: { Complete: 0, Error: 0, Stopped: 0 },
    retired: [],
    captures: [],
    queues: new Map(),
    capacity: emptyCapacity(),
    commands: new Map(),
    unfinished: new Map(),
    unfinishedByOwner: new Map(),
  };
  state.pools.set(DEFAULT_POOL_ID, {
    id: DEFAULT_POOL_ID,
    name: DEFAULT_POOL_NAME,
    gpuType: null,
    policy: 'fifo',
    placement: 'node',
    maxWaitSeconds: null,
    group: DEFAULT_GROUP_ID,
  });
  state.groups.set(DEFAULT_GROUP_ID, {
    id: DEFAULT_GROUP_ID,
    name: DEFAULT_GROUP_NAME,
    pool: DEFAULT_POOL_ID,
    maxUnfinishedJobs: null,
    maxUnfinishedJobsPerUser: null,
  });
  state.queues.set(DEFAULT_GROUP_ID, new PendingQueue('fifo'));
  state.unfinished.set(DEFAULT_GROUP_ID, new Set());
  return state;
}

export const deviceId = (nodeId: string, index: number): string => `${nodeId}/${index}`;

export function evolve(state: State, event: Event): State {
  foldEnvelope(state, event);
  handlers[event.type](state, event as never);
  return state;
}

/** Add an unfinished job to the lists of its group and of its owner (in submission order). */
export function indexUnfinished(s: State, job: JobState): void {
  s.unfinished.get(job.group)?.add(job.id);
  const mine = s.unfinishedByOwner.get(job.owner);
  if (mine) mine.add(job.id);
  else s.unfinishedByOwner.set(job.owner, new Set([job.id]));
}

/**
 * The jobs that finished since the last call, taken out of the state: the host hands them to the
 * job archive (or drops them, when it keeps none) once their events are durable.
 */
export function takeRetired(s: State): JobState[] {
  if (s.retired.length === 0) return NONE_RETIRED;
  const out = s.retired;
  s.retired = [];
  return out;
}
const NONE_RETIRED: JobState[] = [];

/** Let the jobs that finished since the last call go (a host that keeps no archive): the list is emptied in place. */
export function dropRetired(s: State): void {
  // pop, not `length = 0` (a call into the runtime), and no new list per batch that ended a job.
  while (s.retired.length > 0) s.retired.pop();
}

/** Fold a sequence of events into a fresh state. */
export function replay(events: Iterable<Event>, into: State = initialState()): State {
  for (const e of events) evolve(into, e);
  return into;
}

type Handlers = { [K in Event['type']]: (state: State, event: EventOf<K>) => void };

const handlers: Handlers = {
  Installed(s, e) {
    s.installed = true;
    s.users.set(e.userId, {
      id: e.userId,
      name: e.name,
      role: 'operator',
      group: DEFAULT_GROUP_ID,
      incarnation: s.revision,
      onboardedAt: e.at,
    });
  },
  NodeRegistered(s, e) {
    let node = s.nodes.get(e.nodeId);
    if (!node) {
      node = { id: e.nodeId, name: e.name, labels: e.labels, devices: [], cordoned: false, lost: false };
      s.nodes.set(e.nodeId, node);
    }
    if (node.lost) {
      node.lost = false;
      node.cordoned = false;
    }
    node.name = e.name;
    node.labels = e.labels;
    const specs = [...e.devices].sort((a, b) => a.index - b.index);
    forgetDevicesOf(s, e.nodeId);
    node.devices = specs.map((d) => {
      const id = deviceId(e.nodeId, d.index);
      if (!s.devices.has(id)) {
        s.devices.set(id, { id, node: e.nodeId, index: d.index, gpuType: d.gpuType, pool: DEFAULT_POOL_ID, holders: [] });
      }
      return id;
    });
    refreshNode(s, e.nodeId);
  },
  DevicesLost(s, e) {
    const node = s.nodes.get(e.nodeId);
    const gone = new Set(e.devices);
    for (const id of e.devices) s.devices.delete(id);
    if (node) node.devices = node.devices.filter((id) => !gone.has(id));
    forgetDevicesOf(s, e.nodeId);
    refreshNode(s, e.nodeId);
  },
  NodeCordoned(s, e) {
    const node = s.nodes.get(e.nodeId);
    if (node) node.cordoned = true;
    refreshNode(s, e.nodeId);
  },
  NodeUncordoned(s, e) {
    const node = s.nodes.get(e.nodeId);
    if (node) node.cordoned = false;
    refreshNode(s, e.nodeId);
  },
  NodeLost(s, e) {
    const node = s.nodes.get(e.nodeId);
    if (!node) return;
    for (const id of node.devices) s.devices.delete(id);
    node.devices = [];
    forgetDevicesOf(s, e.nodeId);
    node.lost = true;
    refreshNode(s, e.nodeId);
  },
  PoolCreated(s, e) {
    timedPoolsChanged(s);
    s.pools.set(e.poolId, {
      id: e.poolId,
      name: e.name,
      gpuType: e.gpuType,
      policy: e.policy,
      placement: e.placement,
      maxWaitSeconds: e.maxWaitSeconds,
      group: null,
    });
  },
  PoolConfigured(s, e) {
    timedPoolsChanged(s);
    const pool = s.pools.get(e.poolId);
    if (!pool) return;
    pool.policy = e.policy;
    pool.placement = e.placement;
    pool.maxWaitSeconds = e.maxWaitSeconds;
    if (pool.group) resortQueue(s, pool.group, pool.policy);
  },
  DevicesMoved(s, e) {
    const nodes = new Set<string>();
    for (const m of e.devices) {
      const d = s.devices.get(m.id);
      if (!d) continue;
      d.pool = e.toPoolId;
      nodes.add(d.node);
    }
    for (const n of nodes) refreshNode(s, n);
  },
  PoolDeleted(s, e) {
    timedPoolsChanged(s);
    const pool = s.pools.get(e.poolId);
    if (!pool) return;
    if (pool.group) {
      const group = s.groups.get(pool.group);
      if (group) group.pool = null;
      resortQueue(s, pool.group, 'fifo');
    }
    s.pools.delete(e.poolId);
  },
  GroupCreated(s, e) {
    s.groups.set(e.groupId, { id: e.groupId, name: e.name, pool: null, maxUnfinishedJobs: null, maxUnfinishedJobsPerUser: null });
    s.queues.set(e.groupId, new PendingQueue('fifo'));
    s.unfinished.set(e.groupId, new Set());
  },
  GroupConfigured(s, e) {
    const group = s.groups.get(e.groupId);
    if (!group) return;
    group.maxUnfinishedJobs = e.maxUnfinishedJobs;
    group.maxUnfinishedJobsPerUser = e.maxUnfinishedJobsPerUser;
  },
  PoolAssigned(s, e) {
    timedPoolsChanged(s);
    const group = s.groups.get(e.groupId);
    if (!group) return;
    if (group.pool) {
      const old = s.pools.get(group.pool);
      if (old) old.group = null;
    }
    group.pool = e.poolId;
    const pool = e.poolId === null ? undefined : s.pools.get(e.poolId);
    if (pool) pool.group = e.groupId;
    resortQueue(s, e.groupId, pool?.policy ?? 'fifo');
  },
  GroupDeleted(s, e) {
    timedPoolsChanged(s);
    for (const id of e.usersMoved) {
      const u = s.users.get(id);
      if (u) u.group = DEFAULT_GROUP_ID;
    }
    const group = s.groups.get(e.groupId);
    if (group?.pool) {
      const pool = s.pools.get(group.pool);
      if (pool) pool.group = null;
    }
    s.groups.delete(e.groupId);
    s.queues.delete(e.groupId);
    s.unfinished.delete(e.groupId);
  },
  UserOnboarded(s, e) {
    s.users.set(e.userId, {
      id: e.userId,
      name: e.name,
      role: e.role,
      group: e.groupId,
      incarnation: s.revision,
      onboardedAt: e.at,
    });
  },
  UserMoved(s, e) {
    const u = s.users.get(e.userId);
    if (u) u.group = e.groupId;
  },
  UserRemoved(s, e) {
    s.users.delete(e.userId);
  },
  JobSubmitted(s, e) {
    const job: JobState = {
      id: e.jobId,
      kind: e.kind,
      owner: e.owner,
      group: e.group,
      gpus: e.gpus,
      gpuType: e.gpuType,
      nodeSelector: e.nodeSelector ?? null,
      nodeAffinity: e.nodeAffinity ?? null,
      workers: e.workers,
      priority: e.priority,
      tags: e.tags,
      expectedDuration: e.expectedDuration,
      immediate: e.immediate,
      spec: e.spec,
      clonedFrom: e.clonedFrom,
      shared: e.shared === true,
      seq: s.revision,
      submittedAt: e.at,
      status: 'Queued',
      reason: null,
      allocation: null,
      allocatedAt: null,
      ranOnGpuType: null,
      endedAt: null,
      failure: null,
      inputs: e.inputs ?? null,
      output: e.output ?? null,
      ide: e.kind === 'notebook' ? (e.ide ?? 'jupyter') : null,
      endpoint: null,
      history: [{ status: 'Queued', at: e.at, revision: s.revision }],
    };
    s.jobs.set(job.id, job);
    s.queues.get(job.group)?.add(job);
    indexUnfinished(s, job);
  },
  JobWaiting(s, e) {
    const job = s.jobs.get(e.jobId);
    if (!job) return;
    keepForCaptures(s, job);
    job.reason = e.reason;
    s.queues.get(job.group)?.fresh.delete(job.id);
    if (job.status !== 'WaitingForGPUs') setStatus(s, job, 'WaitingForGPUs', e.at);
  },
  JobAllocated(s, e) {
    const job = s.jobs.get(e.jobId);
    if (!job) return;
    s.queues.get(job.group)?.remove(job);
    keepForCaptures(s, job);
    job.reason = null;
    job.allocation = { pool: e.poolId, devices: e.devices, shared: e.shared, nodes: e.nodes };
    job.allocatedAt = e.at;
    // The event names its devices' distinct nodes (placement wrote them): only their holders change.
    const last = takeDevices(s, job.id, e.devices, e.nodes);
    if (last !== undefined) job.ranOnGpuType = last.gpuType;
    setStatus(s, job, 'Starting', e.at);
  },
  JobStarted(s, e) {
    const job = s.jobs.get(e.jobId);
    if (!job) return;
    keepForCaptures(s, job);
    if (e.endpoint !== undefined) job.endpoint = e.endpoint;
    setStatus(s, job, activeStatusOf(job.kind), e.at);
  },
  JobCompleted(s, e) {
    finish(s, e.jobId, 'Complete', e.at);
  },
  JobFailed(s, e) {
    const job = finish(s, e.jobId, 'Error', e.at);
    if (job) job.failure = { reason: e.reason, message: e.message };
  },
  JobStopRequested(s, e) {
    const job = s.jobs.get(e.jobId);
    if (job) setStatus(s, job, 'Stopping', e.at);
  },
  JobStopped(s, e) {
    finish(s, e.jobId, 'Stopped', e.at);
  },
  CommandAccepted() {
    // Nothing changes: evolve() has remembered its command id.
  },
};

function setStatus(s: State, job: JobState, status: JobStatus, at: number): void {
  keepForCaptures(s, job);
  job.status = status;
  job.history = withEntry(job.history, { status, at, revision: s.revision });
}

/**
 * A job's history with one more entry, as a new list of exactly that length. A push grows a
 * one-entry list to room for seventeen: more than a hundred bytes per live job that the collector
 * copied with it, where a job has four or five entries in all.
 */
function withEntry(history: readonly HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  const n = history.length;
  const out: HistoryEntry[] = new Array(n + 1);
  for (let i = 0; i < n; i++) out[i] = history[i] as HistoryEntry;
  out[n] = entry;
  return out;
}

/**
 * Before a job's changing fields change: each open snapshot it is in (submitted by then) keeps
 * them as they are, once (the first change after the snapshot was taken is the one that counts).
 * Every change of those fields in evolve comes after a call to this; a field changed without one
 * would reach an open snapshot with its later value.
 */
function keepForCaptures(s: State, job: JobState): void {
  const captures = s.captures;
  for (let i = 0; i < captures.length; i++) {
    const c = captures[i] as JobCapture;
    if (job.seq <= c.revision && !c.before.has(job)) c.before.set(job, changingFieldsOf(job));
  }
}

/** A job's changing fields as they are now (each a value evolve replaces whole, so a copy of the references is enough). */
function changingFieldsOf(job: JobState): ChangingFields {
  return {
    status: job.status,
    reason: job.reason,
    allocation: job.allocation,
    allocatedAt: job.allocatedAt,
    ranOnGpuType: job.ranOnGpuType,
    endedAt: job.endedAt,
    failure: job.failure,
    endpoint: job.endpoint,
    history: job.history,
  };
}

/** A job ends: it gives back what it held and leaves the decision state for the archive. */
function finish(s: State, jobId: string, status: FinishedStatus, at: number): JobState | undefined {
  const job = s.jobs.get(jobId);
  if (!job) return undefined;
  if (isPending(job.status)) s.queues.get(job.group)?.remove(job);
  else release(s, job);
  keepForCaptures(s, job);
  job.endedAt = at;
  job.reason = null;
  s.unfinished.get(job.group)?.delete(job.id);
  const mine = s.unfinishedByOwner.get(job.owner);
  if (mine?.delete(job.id) && mine.size === 0) s.unfinishedByOwner.delete(job.owner);
  setStatus(s, job, status, at);
  s.jobs.delete(job.id);
  s.finished.set(job.id, status);
  s.finishedCounts[status]++;
  s.retired.push(job);
  return job;
}

/** Give back a job's devices, on the distinct nodes its allocation's event named. */
function release(s: State, job: JobState): void {
  const allocation = job.allocation;
  if (allocation !== null) releaseDevices(s, job.id, allocation.devices, allocation.nodes);
}

function resortQueue(s: State, groupId: string, policy: Policy): void {
  const q = s.queues.get(groupId);
  if (q && q.policy !== policy) q.resort(policy, s.jobs);
}
