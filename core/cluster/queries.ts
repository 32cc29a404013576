/**
 * Read models over the state: what operators and users ask. Pure functions; the engine exposes
 * them. Reasons of waiting jobs are computed live here, so they always describe the present.
 */

import { type JobQuery, liveJobs } from './job-archive.js';
import {
  DEFAULT_POOL_ID,
  isPending,
  type JobState,
  type JobStatus,
  type NodeState,
  type PoolState,
  type State,
  type WaitReason,
} from './model.js';
import type { PendingQueue } from './queue.js';
import { type QueueHolds, queueHolds, waitReason } from './scheduler/reasons.js';

export interface NodeView {
  id: string;
  name: string;
  labels: Record<string, string>;
  cordoned: boolean;
  lost: boolean;
  devices: { id: string; index: number; gpuType: string; pool: string; holders: string[] }[];
}

export function nodeView(state: State, node: NodeState): NodeView {
  return {
    id: node.id,
    name: node.name,
    labels: node.labels,
    cordoned: node.cordoned,
    lost: node.lost,
    devices: node.devices.flatMap((id) => {
      const d = state.devices.get(id);
      return d ? [{ id, index: d.index, gpuType: d.gpuType, pool: d.pool, holders: [...d.holders] }] : [];
    }),
  };
}

export function listNodes(state: State): NodeView[] {
  return [...state.nodes.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((n) => nodeView(state, n));
}

export interface PoolUsage {
  id: string;
  name: string;
  gpuType: string | null;
  policy: PoolState['policy'];
  placement: PoolState['placement'];
  maxWaitSeconds: number | null;
  group: string | null;
  /** Every live device of the pool. total = used + free + cordoned. */
  total: number;
  /** Devices held by at least one job. */
  used: number;
  /** Idle devices on schedulable nodes: what the scheduler can place on. */
  free: number;
  /** Idle devices on cordoned nodes. */
  cordoned: number;
  /** Devices held by more than one job (immediate oversubscription). */
  shared: number;
  /** Pending jobs of the pool's group. */
  queued: number;
  byType: Record<string, number>;
}

export function poolUsage(state: State, poolId: string): PoolUsage | undefined {
  const pool = state.pools.get(poolId);
  if (!pool) return undefined;
  const u: PoolUsage = {
    id: pool.id,
    name: pool.name,
    gpuType: pool.gpuType,
    policy: pool.policy,
    placement: pool.placement,
    maxWaitSeconds: pool.maxWaitSeconds,
    group: pool.group,
    total: 0,
    used: 0,
    free: 0,
    cordoned: 0,
    shared: 0,
    queued: pool.group ? (state.queues.get(pool.group)?.size ?? 0) : 0,
    byType: {},
  };
  for (const d of state.devices.values()) {
    if (d.pool !== poolId) continue;
    u.total++;
    u.byType[d.gpuType] = (u.byType[d.gpuType] ?? 0) + 1;
    if (d.holders.length > 0) u.used++;
    else if (state.nodes.get(d.node)?.cordoned) u.cordoned++;
    else u.free++;
    if (d.holders.length > 1) u.shared++;
  }
  return u;
}

export function listPools(state: State): PoolUsage[] {
  const ids = [...state.pools.keys()].sort((a, b) => (a === DEFAULT_POOL_ID ? -1 : b === DEFAULT_POOL_ID ? 1 : a < b ? -1 : 1));
  return ids.map((id) => poolUsage(state, id) as PoolUsage);
}

export interface QueuedJob {
  position: number;
  job: JobState;
  reason: WaitReason;
}

/** The pending queue of the group a pool serves, in candidate order, with live reasons. */
export function poolQueue(state: State, poolId: string, page?: { offset: number; limit: number }): QueuedJob[] | undefined {
  const pool = state.pools.get(poolId);
  if (!pool) return undefined;
  return pool.group ? groupQueue(state, pool.group, page) : [];
}

/** The group's pending jobs in candidate order (jobs placed first ahead of the walked ones). */
function queueIds(q: PendingQueue): { size: number; at: (position: number) => string } {
  const head = q.immediate.length;
  return { size: q.size, at: (i) => (i < head ? (q.immediate[i] as string) : (q.entries[i - head] as { id: string }).id) };
}

/**
 * A group's pending queue in candidate order with each job's live reason; `page` takes a slice
 * without computing the reasons of the rest. Who holds the queue is decided once (queueHolds),
 * as the scheduler decides it.
 */
export function groupQueue(state: State, groupId: string, page?: { offset: number; limit: number }): QueuedJob[] {
  const q = state.queues.get(groupId);
  if (!q) return [];
  const holds = queueHolds(state, q, poolOfGroup(state, groupId), state.now);
  const ids = queueIds(q);
  const from = page?.offset ?? 0;
  const to = Math.min(ids.size, page ? from + page.limit : ids.size);
  const out: QueuedJob[] = [];
  for (let position = from; position < to; position++) {
    const job = state.jobs.get(ids.at(position)) as JobState;
    out.push({ position, job, reason: waitReason(state, job, position, holds) });
  }
  return out;
}

function poolOfGroup(state: State, groupId: string): PoolState | undefined {
  const pool = state.groups.get(groupId)?.pool;
  return pool ? state.pools.get(pool) : undefined;
}

/** Why a job waits now, or null when it does not wait: the reason the scheduler would give it. */
export function explainJob(state: State, jobId: string): WaitReason | null {
  const job = state.jobs.get(jobId);
  return job ? reasonReader(state)(job) : null;
}

/** The live reason of a job (null when it does not wait). */
export type ReasonReader = (job: JobState) => WaitReason | null;

/**
 * Live reasons for many jobs of one state (a page of a list): who holds each group's queue is
 * worked out once per group, not once per job.
 */
export function reasonReader(state: State): ReasonReader {
  const holds = new Map<string, QueueHolds>();
  return (job) => {
    if (!isPending(job.status)) return null;
    const q = state.queues.get(job.group);
    if (!q) return null;
    let h = holds.get(job.group);
    if (!h) {
      h = queueHolds(state, q, poolOfGroup(state, job.group), state.now);
      holds.set(job.group, h);
    }
    return waitReason(state, job, q.positionOf(job), h);
  };
}

export interface JobFilter {
  status?: JobStatus | readonly JobStatus[];
  kind?: JobState['kind'];
  owner?: string;
  group?: string;
  tag?: string;
}

/** A list's filter as the HTTP API and the engine take it. */
export function jobQuery(filter: JobFilter): JobQuery {
  const q: { -readonly [K in keyof JobQuery]: JobQuery[K] } = {};
  if (filter.status !== undefined) q.statuses = new Set(typeof filter.status === 'string' ? [filter.status] : filter.status);
  if (filter.kind !== undefined) q.kind = filter.kind;
  if (filter.owner !== undefined) q.owner = filter.owner;
  if (filter.group !== undefined) q.group = filter.group;
  if (filter.tag !== undefined) q.tag = filter.tag;
  return q;
}

/**
 * Unfinished jobs matching the filter, in submission order (finished ones are in the job archive:
 * jobPage in job-archive.ts lists both).
 */
export function listJobs(state: State, filter: JobFilter = {}): JobState[] {
  return liveJobs(state, jobQuery(filter));
}

/**
 * When the longest-waiting job of each pool's queue was submitted (seconds), for the pools whose
 * queue holds one. A group's unfinished jobs are kept in submission order, so each walk stops at
 * its first waiting job.
 */
export function oldestWaits(state: Readonly<State>): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of state.pools.values()) {
    if (!p.group || (state.queues.get(p.group)?.size ?? 0) === 0) continue;
    for (const id of state.unfinished.get(p.group) ?? []) {
      const j = state.jobs.get(id);
      if (j && isPending(j.status)) {
        out.set(p.id, j.submittedAt);
        break;
      }
    }
  }
  return out;
}
