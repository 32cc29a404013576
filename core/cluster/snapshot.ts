/**
 * Snapshots of the cluster state: the entities and unfinished jobs as plain JSON, the finished
 * jobs' ids alone (their records live in the job archive), and the derived indexes (pending
 * queues, capacity, unfinished jobs per group and per owner) rebuilt from them on restore, so a
 * snapshot holds nothing that could disagree with itself. STATE_SCHEMA_VERSION names the shape; a
 * snapshot of another version is never trusted (the engine replays from the start instead).
 */

import { LazyList } from '../decider.js';
import type { RememberedCommand } from '../idempotency.js';
import { refreshNode } from './capacity.js';
import { indexUnfinished, initialState } from './evolve.js';
import {
  type ChangingFields,
  type DeviceState,
  FINISHED_STATUSES,
  type FinishedStatus,
  type GroupState,
  type HistoryEntry,
  isPending,
  type JobCapture,
  type JobState,
  type NodeState,
  type PoolState,
  type State,
  type UserState,
} from './model.js';
import { PendingQueue } from './queue.js';

/** Bump when State's entities change shape: older snapshots are then ignored, not misread. */
export const STATE_SCHEMA_VERSION = 10;

/**
 * Jobs are most of a large state, so a snapshot writes each as a row of values in this order,
 * its history as flat (status, at, revision) triples: half the size of keyed objects, and start-up
 * time is mostly parsing that text. The row layout is part of STATE_SCHEMA_VERSION.
 */
const JOB_FIELDS = [
  'id',
  'kind',
  'owner',
  'group',
  'gpus',
  'gpuType',
  'nodeSelector',
  'nodeAffinity',
  'workers',
  'priority',
  'tags',
  'expectedDuration',
  'immediate',
  'spec',
  'clonedFrom',
  'shared',
  'seq',
  'submittedAt',
  'status',
  'reason',
  'allocation',
  'allocatedAt',
  'ranOnGpuType',
  'endedAt',
  'failure',
  'inputs',
  'output',
  'ide',
  'endpoint',
  'history',
] as const satisfies readonly (keyof JobState)[];
/** Where a row keeps the job's history: last, so new fields go before it. */
const HISTORY_AT = JOB_FIELDS.indexOf('history');

type JobRow = unknown[];

/**
 * A job's row: its fields in JOB_FIELDS order, the fixed ones from `job` and the changing ones from
 * `now` (the job itself, or what a capture kept of it), each read by name (a loop over the names
 * read them by computed key, V8's slow path, and took most of a snapshot's time on the event loop).
 */
function rowOf(job: JobState, now: ChangingFields): JobRow {
  const history = now.history;
  const flat: unknown[] = new Array(history.length * 3);
  for (let n = 0; n < history.length; n++) {
    const h = history[n] as HistoryEntry;
    flat[3 * n] = h.status;
    flat[3 * n + 1] = h.at;
    flat[3 * n + 2] = h.revision;
  }
  return [
    job.id,
    job.kind,
    job.owner,
    job.group,
    job.gpus,
    job.gpuType,
    job.nodeSelector,
    job.nodeAffinity,
    job.workers,
    job.priority,
    job.tags,
    job.expectedDuration,
    job.immediate,
    job.spec,
    job.clonedFrom,
    job.shared,
    job.seq,
    job.submittedAt,
    now.status,
    now.reason,
    now.allocation,
    now.allocatedAt,
    now.ranOnGpuType,
    now.endedAt,
    now.failure,
    job.inputs,
    job.output,
    job.ide,
    now.endpoint,
    flat,
  ];
}

function jobOf(row: JobRow): JobState {
  if (!Array.isArray(row) || row.length !== JOB_FIELDS.length)
    throw new Error('not a state snapshot: a job row has the wrong shape');
  const flat = row[HISTORY_AT] as unknown[];
  const history: JobState['history'] = [];
  for (let i = 0; i < flat.length; i += 3) {
    history.push({ status: flat[i] as JobState['status'], at: flat[i + 1] as number, revision: flat[i + 2] as number });
  }
  // A literal with every field, in JOB_FIELDS order: one object shape for every restored job
  // (objects built key by key from a list fall into V8's slow dictionary mode).
  const r = (i: number) => row[i] as never;
  return {
    id: r(0),
    kind: r(1),
    owner: r(2),
    group: r(3),
    gpus: r(4),
    gpuType: r(5),
    nodeSelector: r(6),
    nodeAffinity: r(7),
    workers: r(8),
    priority: r(9),
    tags: r(10),
    expectedDuration: r(11),
    immediate: r(12),
    spec: r(13),
    clonedFrom: r(14),
    shared: r(15),
    seq: r(16),
    submittedAt: r(17),
    status: r(18),
    reason: r(19),
    allocation: r(20),
    allocatedAt: r(21),
    ranOnGpuType: r(22),
    endedAt: r(23),
    failure: r(24),
    inputs: r(25),
    output: r(26),
    ide: r(27),
    endpoint: r(28),
    history,
  };
}

export interface StateSnapshot {
  revision: number;
  now: number;
  installed: boolean;
  nodes: NodeState[];
  devices: DeviceState[];
  pools: PoolState[];
  groups: GroupState[];
  users: UserState[];
  /** Unfinished jobs: rows in JOB_FIELDS order. */
  jobs: JobRow[];
  /**
   * The ids of finished jobs, by how they ended; null when the job archive beside the snapshot
   * holds them (their records are there too), which the restorer then seeds from (seedFinished).
   */
  finished: Record<FinishedStatus, string[]> | null;
  commands: [string, RememberedCommand][];
}

/**
 * The state's entities as a JSON-ready value, detached from the state: nothing in it changes as
 * the state goes on, so it may be serialized later, a slice at a time (the cluster decider says
 * `detached`). It copies what evolve changes in place (the entities' fields, a device's holders)
 * and shares only what nothing changes later. A job's row holds its fields' values as they are
 * now; its history, allocation, reason and failure are replaced whole at each change (evolve.ts),
 * never edited. A remembered command's range is complete once its command's events are folded,
 * within its batch.
 */
export function toSnapshot(state: State, options: { finishedIds?: boolean } = {}): StateSnapshot {
  return snapshotWith(
    state,
    options,
    Array.from(state.jobs.values(), (job) => rowOf(job, job)),
    [...state.commands.entries()],
  );
}

/**
 * A snapshot as the engine takes one, to serialize it later: toSnapshot's value, but with its jobs
 * as a lazy list (core/decider.ts LazyList) of the live jobs as they are, each row made only as it
 * is serialized. It stays open (State.captures) until released (releaseCapture): meanwhile evolve
 * keeps, for each of its jobs it changes, the fields as they were (evolve.ts keepForCaptures), and
 * a row is made from those. So its JSON is toSnapshot's at the moment of capture, however the state
 * goes on, and a capture costs no object per job, only per job changed while it is serialized: a
 * capture of 70,000 live jobs made 70,000 objects that lived as long as the snapshot took to
 * write, and every scavenge meanwhile copied them (46-75 ms pauses under load). The value is for
 * serializing only (restore from its JSON).
 */
export function captureSnapshot(state: State, options: { finishedIds?: boolean } = {}): unknown {
  const capture: JobCapture = { revision: state.revision, before: new Map() };
  state.captures.push(capture);
  const jobs = [...state.jobs.values()];
  const rows = new LazyList(jobs.length, (i) => {
    const job = jobs[i] as JobState;
    return rowOf(job, capture.before.get(job) ?? job);
  });
  const value = snapshotWith(state, options, rows, lazyCommands(state));
  Object.defineProperty(value, CAPTURED, { value: { state, capture } });
  return value;
}

/**
 * The window of remembered command ids as a lazy list of [id, record] pairs: its ids and records
 * copied into two lists (a remembered command never changes once its batch is folded), each pair
 * made only as it is serialized. The window holds up to 100,000 ids: a pair per id made at the
 * capture was most of what a capture allocated.
 */
function lazyCommands(state: State): LazyList {
  const ids = [...state.commands.keys()];
  const records = [...state.commands.values()];
  return new LazyList(ids.length, (i) => [ids[i], records[i]]);
}

/** Where a captured snapshot's value keeps its capture, for releaseCapture (a symbol: not serialized). */
const CAPTURED = Symbol('captured');

/** The engine is done with a captured snapshot (the decider's `release`): its capture closes. */
export function releaseCapture(value: unknown): void {
  const held = (value as { [CAPTURED]?: { state: State; capture: JobCapture } } | null)?.[CAPTURED];
  if (!held) return;
  const i = held.state.captures.indexOf(held.capture);
  if (i >= 0) held.state.captures.splice(i, 1);
}

/** A snapshot's value around its jobs and its command-id window, as lists (toSnapshot) or lazy lists (captureSnapshot). */
function snapshotWith<J, K>(
  state: State,
  options: { finishedIds?: boolean },
  jobs: J,
  commands: K,
): Omit<StateSnapshot, 'jobs' | 'commands'> & { jobs: J; commands: K } {
  return {
    revision: state.revision,
    now: state.now,
    installed: state.installed,
    nodes: copiesOf(state.nodes),
    devices: Array.from(state.devices.values(), (d) => ({ ...d, holders: d.holders.slice() })),
    pools: copiesOf(state.pools),
    groups: copiesOf(state.groups),
    users: copiesOf(state.users),
    jobs,
    finished: options.finishedIds === false ? null : finishedIds(state),
    commands,
  };
}

/** Copies of a table's entities, whose fields evolve changes in place (and replaces, never edits, what they point to). */
function copiesOf<T extends object>(table: ReadonlyMap<string, T>): T[] {
  return Array.from(table.values(), (x) => ({ ...x }));
}

function finishedIds(state: State): Record<FinishedStatus, string[]> {
  const out: Record<FinishedStatus, string[]> = { Complete: [], Error: [], Stopped: [] };
  for (const [id, status] of state.finished) out[status].push(id);
  return out;
}

/** Whether a snapshot left the finished jobs' ids to the job archive (see StateSnapshot.finished). */
export function finishedIdsLeftOut(value: unknown): boolean {
  return (value as StateSnapshot | null)?.finished === null;
}

/** Put finished jobs' ids (from the job archive) into a state restored without them. */
export function seedFinished(state: State, entries: Iterable<readonly [string, FinishedStatus]>): void {
  for (const [id, status] of entries) {
    state.finished.set(id, status);
    state.finishedCounts[status]++;
  }
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
  if (snap.finished !== null) {
    for (const status of FINISHED_STATUSES) {
      if (!Array.isArray(snap.finished?.[status])) throw new Error(`not a state snapshot: 'finished.${status}' is missing`);
    }
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
    g.maxUnfinishedJobs ??= null;
    g.maxUnfinishedJobsPerUser ??= null;
    const pool = g.pool === null ? undefined : s.pools.get(g.pool);
    s.queues.set(g.id, new PendingQueue(pool?.policy ?? 'fifo'));
    s.unfinished.set(g.id, new Set());
  }
  for (const u of snap.users) s.users.set(u.id, u);
  // Jobs in submission order, so every queue (and its never-considered set) fills as it did. The
  // rows are written in that order already (the jobs map keeps insertion order): sort only if not.
  const jobs = snap.jobs.map(jobOf);
  if (!jobs.every((j, i) => i === 0 || (jobs[i - 1] as JobState).seq < j.seq)) jobs.sort((a, b) => a.seq - b.seq);
  for (const j of jobs) {
    s.jobs.set(j.id, j);
    if (isPending(j.status)) s.queues.get(j.group)?.add(j);
    indexUnfinished(s, j);
  }
  if (snap.finished !== null) {
    for (const status of FINISHED_STATUSES) for (const id of snap.finished[status]) s.finished.set(id, status);
    for (const status of FINISHED_STATUSES) s.finishedCounts[status] = snap.finished[status].length;
  }
  for (const [id, range] of snap.commands) s.commands.set(id, range);
  for (const id of [...s.nodes.keys()].sort()) refreshNode(s, id);
  return s;
}
