/**
 * Snapshots of the cluster state: the entities as plain JSON, and the derived indexes (pending
 * queues, capacity, unfinished jobs) rebuilt from them on restore, so a snapshot holds nothing
 * that could disagree with itself. STATE_SCHEMA_VERSION names the shape; a snapshot of another
 * version is never trusted (the engine replays from the start instead).
 */
import { refreshNode } from './capacity.js';
import { initialState } from './evolve.js';
import {
  type DeviceState,
  type GroupState,
  isFinished,
  isPending,
  type JobState,
  type NodeState,
  type PoolState,
  type State,
  type UserState,
} from './model.js';
import { PendingQueue } from './queue.js';

/** Bump when State's entities change shape: older snapshots are then ignored, not misread. */
export const STATE_SCHEMA_VERSION = 1;

export interface StateSnapshot {
  revision: number;
  now: number;
  installed: boolean;
  nodes: NodeState[];
  devices: DeviceState[];
  pools: PoolState[];
  groups: GroupState[];
  users: UserState[];
  jobs: JobState[];
  commands: [string, { first: number; last: number }][];
}

/** The state's entities as a JSON-ready value (shares no object with the state). */
export function toSnapshot(state: State): StateSnapshot {
  return structuredClone({
    revision: state.revision,
    now: state.now,
    installed: state.installed,
    nodes: [...state.nodes.values()],
    devices: [...state.devices.values()],
    pools: [...state.pools.values()],
    groups: [...state.groups.values()],
    users: [...state.users.values()],
    jobs: [...state.jobs.values()],
    commands: [...state.commands.entries()],
  });
}

/**
 * Rebuild a state from a snapshot: the entities as they were, the indexes derived again. Throws
 * on a value that is not a snapshot of this schema version's shape. The state takes the value's
 * objects over: pass a value nothing else holds.
 */
export function fromSnapshot(value: unknown): State {
  // The state will change its entities in place, so it takes them over: the caller hands in a value
  // of its own (a store's reads are fresh; the in-memory store clones what it hands back).
  const snap = value as StateSnapshot;
  for (const key of ['nodes', 'devices', 'pools', 'groups', 'users', 'jobs', 'commands'] as const) {
    if (!Array.isArray(snap?.[key])) throw new Error(`not a state snapshot: '${key}' is missing`);
  }
  if (typeof snap.revision !== 'number' || typeof snap.now !== 'number') throw new Error('not a state snapshot: no revision');
  const s = initialState();
  s.revision = snap.revision;
  s.now = snap.now;
  s.installed = snap.installed === true;
  s.pools.clear();
  s.groups.clear();
  s.queues.clear();
  s.unfinished.clear();
  for (const n of snap.nodes) s.nodes.set(n.id, n);
  for (const d of snap.devices) s.devices.set(d.id, d);
  for (const p of snap.pools) s.pools.set(p.id, p);
  for (const g of snap.groups) {
    s.groups.set(g.id, g);
    const pool = g.pool === null ? undefined : s.pools.get(g.pool);
    s.queues.set(g.id, new PendingQueue(pool?.policy ?? 'fifo'));
    s.unfinished.set(g.id, new Set());
  }
  for (const u of snap.users) s.users.set(u.id, u);
  // Jobs in submission order, so every queue (and its never-considered set) fills as it did.
  for (const j of [...snap.jobs].sort((a, b) => a.seq - b.seq)) {
    s.jobs.set(j.id, j);
    if (isPending(j.status)) s.queues.get(j.group)?.add(j);
    if (!isFinished(j.status)) s.unfinished.get(j.group)?.add(j.id);
  }
  for (const [id, range] of snap.commands) s.commands.set(id, range);
  for (const id of [...s.nodes.keys()].sort()) refreshNode(s, id);
  return s;
}
