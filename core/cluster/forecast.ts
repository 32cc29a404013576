/**
 * When will it start? A forecast plays the cluster forward from a state, on the jobs' expected
 * durations, through the same rules that run it (runBatch: decide, fold, the scheduling pass),
 * and reads off when each job waiting at the start would be allocated. "What if" is the same
 * forecast after an operator's planned commands (move GPUs, change a policy, cordon a node) are
 * applied first: the difference between the two is what the change would do to every queue.
 *
 * It is an estimate and says so: a job's duration is its `expectedDuration`, else the typical
 * duration the caller gives for its kind (the median of what finished so far, as the host knows
 * it); a running job is taken to end that long after its allocation, or at once if it has already
 * overrun. Nothing fails, nothing new arrives, no node comes or goes: the forecast answers "if the
 * cluster went on as planned".
 *
 * Pure and deterministic: no clock (the caller says what time it is), no randomness. It changes
 * the state it is given, which must be the caller's own copy (`forkState`), never the engine's.
 */

import { type Rejection, reject } from '../rejection.js';
import * as E from '../vendor/either.js';
import { Heap } from '../vendor/heap.js';
import { runBatch } from './batch.js';
import { refreshNode } from './capacity.js';
import type { Command } from './commands.js';
import { indexUnfinished, initialState } from './evolve.js';
import {
  type Allocation,
  type DeviceState,
  type GroupState,
  holdsDevices,
  isPending,
  type JobKind,
  type JobState,
  type JobStatus,
  type NodeState,
  type PoolState,
  type State,
  type UserState,
} from './model.js';
import type { NodeRules } from './node-selector.js';
import { PendingQueue } from './queue.js';
import { nextWakeup } from './scheduler/timers.js';

/** Planned changes a what-if may apply: an operator's commands on pools, devices and nodes. */
export const WHAT_IF_COMMANDS: readonly Command['type'][] = [
  'CreatePool',
  'ConfigurePool',
  'AllocateGPUs',
  'MovePoolDevices',
  'DeletePool',
  'AssignPool',
  'CordonNode',
  'UncordonNode',
  'LoseNode',
];

export interface ForecastOptions {
  /** The host's time (seconds): the state's own is that of its latest event, maybe long ago. */
  readonly now: number;
  /** Seconds a job of a kind typically runs, for jobs that expect no duration of their own. */
  readonly typicalDuration: (kind: JobKind) => number;
  /** How far ahead to look (seconds); a job not started by then is forecast as `null`. Default 30 days. */
  readonly horizon?: number;
  /** Planned changes applied at `now` before playing forward (what-if). */
  readonly changes?: readonly Command[];
}

export interface JobForecast {
  readonly jobId: string;
  readonly group: string;
  /** When it is forecast to be allocated its GPUs (seconds), or null: not within the horizon. */
  readonly startAt: number | null;
  /** Seconds from `now` to that start (0: at once, after the planned changes), or null. */
  readonly waitSeconds: number | null;
}

export interface Forecast {
  readonly now: number;
  readonly horizon: number;
  /** Every job waiting at the start, in submission order. */
  readonly jobs: readonly JobForecast[];
}

export const DEFAULT_HORIZON_SECONDS = 30 * 24 * 3600;

/**
 * What a forecast needs of a state, and nothing more: the entities (copied, since the forecast
 * changes them) and the unfinished jobs without what only people read (history, spec, tags,
 * inputs, reasons). The jobs are columns: their ids one string, their low-variety strings (kind,
 * owner, group, GPU type, status) indexes into one table, their numbers one Float64Array. So the
 * value is quick to build on the host's event loop, and quick to hand to a worker thread (the
 * typed arrays move without a copy; see `snapshotTransfer`). Finished jobs' ids are left out: no
 * planned change names a job.
 */
export interface ForecastSnapshot {
  readonly revision: number;
  readonly now: number;
  readonly installed: boolean;
  readonly nodes: NodeState[];
  readonly devices: DeviceState[];
  readonly pools: PoolState[];
  readonly groups: GroupState[];
  readonly users: UserState[];
  /** The jobs' ids in submission order, joined by a newline (no id holds a control character). */
  readonly jobIds: string;
  /** The strings the jobs' columns point into. */
  readonly text: string[];
  /** Per job, TEXT_COLUMNS.length indexes into `text` (-1: null). */
  readonly jobText: Int32Array;
  /** Per job, NUMBER_COLUMNS.length numbers (NaN: null; flags as 0 or 1). */
  readonly jobNumbers: Float64Array;
  /** The allocations of the jobs that hold devices: [job index, allocation]. */
  readonly allocations: [number, Allocation][];
  /** What the jobs that ask anything of their nodes ask: [job index, node selector and affinity]. */
  readonly nodeRules: [number, NodeRules][];
}

const TEXT_COLUMNS = ['kind', 'owner', 'group', 'gpuType', 'status', 'ranOnGpuType'] as const;
const NUMBER_COLUMNS = [
  'gpus',
  'workers',
  'priority',
  'expectedDuration',
  'immediate',
  'shared',
  'seq',
  'submittedAt',
  'allocatedAt',
] as const;
const NT = TEXT_COLUMNS.length;
const NN = NUMBER_COLUMNS.length;
const NO_TAGS: readonly string[] = [];

/** The state as a forecast needs it (see ForecastSnapshot): the engine's state is only read. */
export function forecastSnapshot(state: Readonly<State>): ForecastSnapshot {
  const n = state.jobs.size;
  const text: string[] = [];
  const textIndex = new Map<string, number>();
  const ref = (s: string | null) => {
    if (s === null) return -1;
    let i = textIndex.get(s);
    if (i === undefined) {
      i = text.length;
      text.push(s);
      textIndex.set(s, i);
    }
    return i;
  };
  const ids: string[] = new Array(n);
  const jobText = new Int32Array(n * NT);
  const jobNumbers = new Float64Array(n * NN);
  const allocations: [number, Allocation][] = [];
  const nodeRules: [number, NodeRules][] = [];
  let i = 0;
  for (const j of state.jobs.values()) {
    ids[i] = j.id;
    const t = i * NT;
    jobText[t] = ref(j.kind);
    jobText[t + 1] = ref(j.owner);
    jobText[t + 2] = ref(j.group);
    jobText[t + 3] = ref(j.gpuType);
    jobText[t + 4] = ref(j.status);
    jobText[t + 5] = ref(j.ranOnGpuType);
    const k = i * NN;
    jobNumbers[k] = j.gpus;
    jobNumbers[k + 1] = j.workers;
    jobNumbers[k + 2] = j.priority;
    jobNumbers[k + 3] = j.expectedDuration ?? Number.NaN;
    jobNumbers[k + 4] = j.immediate ? 1 : 0;
    jobNumbers[k + 5] = j.shared ? 1 : 0;
    jobNumbers[k + 6] = j.seq;
    jobNumbers[k + 7] = j.submittedAt;
    jobNumbers[k + 8] = j.allocatedAt ?? Number.NaN;
    if (j.allocation) {
      const a = j.allocation;
      allocations.push([i, { pool: a.pool, devices: [...a.devices], shared: [...a.shared], nodes: [...a.nodes] }]);
    }
    if (j.nodeSelector !== null || j.nodeAffinity !== null) {
      nodeRules.push([i, { nodeSelector: j.nodeSelector, nodeAffinity: j.nodeAffinity }]);
    }
    i++;
  }
  return {
    revision: state.revision,
    now: state.now,
    installed: state.installed,
    // Copies: the forecast changes these in place (holders, cordons, pools' devices and policies).
    nodes: [...state.nodes.values()].map((x) => ({ ...x, labels: { ...x.labels }, devices: [...x.devices] })),
    devices: [...state.devices.values()].map((x) => ({ ...x, holders: [...x.holders] })),
    pools: [...state.pools.values()].map((x) => ({ ...x })),
    groups: [...state.groups.values()].map((x) => ({ ...x })),
    users: [...state.users.values()].map((x) => ({ ...x })),
    jobIds: ids.join('\n'),
    text,
    jobText,
    jobNumbers,
    allocations,
    nodeRules,
  };
}

/** What to hand `postMessage` as its transfer list: the snapshot's typed arrays move, not copied. */
export function snapshotTransfer(snap: ForecastSnapshot): ArrayBuffer[] {
  return [snap.jobText.buffer as ArrayBuffer, snap.jobNumbers.buffer as ArrayBuffer];
}

/**
 * A state from a forecast snapshot, its indexes (queues, capacity, unfinished jobs) derived again,
 * as `fromSnapshot` does. The state takes the snapshot's objects over.
 */
export function fromForecastSnapshot(snap: ForecastSnapshot): State {
  const s = initialState();
  s.revision = snap.revision;
  s.now = snap.now;
  s.installed = snap.installed;
  s.pools.clear();
  s.groups.clear();
  s.queues.clear();
  s.unfinished.clear();
  for (const x of snap.nodes) s.nodes.set(x.id, x);
  for (const x of snap.devices) s.devices.set(x.id, x);
  for (const x of snap.pools) s.pools.set(x.id, x);
  for (const g of snap.groups) {
    s.groups.set(g.id, g);
    const pool = g.pool === null ? undefined : s.pools.get(g.pool);
    s.queues.set(g.id, new PendingQueue(pool?.policy ?? 'fifo'));
    s.unfinished.set(g.id, new Set());
  }
  for (const x of snap.users) s.users.set(x.id, x);
  const ids = snap.jobIds === '' ? [] : snap.jobIds.split('\n');
  const text = snap.text;
  const t = snap.jobText;
  const v = snap.jobNumbers;
  const str = (k: number) => ((t[k] as number) < 0 ? null : (text[t[k] as number] as string));
  const num = (k: number) => (Number.isNaN(v[k]) ? null : (v[k] as number));
  const allocations = new Map(snap.allocations);
  const nodeRules = new Map(snap.nodeRules);
  const jobs: JobState[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const a = i * NT;
    const b = i * NN;
    const kind = str(a) as JobKind;
    // Every field, in one order: one object shape for every job (see snapshot.ts jobOf).
    jobs[i] = {
      id: ids[i] as string,
      kind,
      owner: str(a + 1) as string,
      group: str(a + 2) as string,
      gpus: v[b] as number,
      gpuType: str(a + 3),
      nodeSelector: nodeRules.get(i)?.nodeSelector ?? null,
      nodeAffinity: nodeRules.get(i)?.nodeAffinity ?? null,
      workers: v[b + 1] as number,
      priority: v[b + 2] as number,
      tags: NO_TAGS,
      expectedDuration: num(b + 3),
      immediate: v[b + 4] === 1,
      spec: null,
      clonedFrom: null,
      shared: v[b + 5] === 1,
      seq: v[b + 6] as number,
      submittedAt: v[b + 7] as number,
      status: str(a + 4) as JobStatus,
      reason: null,
      allocation: allocations.get(i) ?? null,
      allocatedAt: num(b + 8),
      ranOnGpuType: str(a + 5),
      endedAt: null,
      failure: null,
      inputs: null,
      output: null,
      ide: null,
      endpoint: null,
      history: [],
    };
  }
  // The jobs map keeps submission order already; sort only if it did not.
  if (!jobs.every((j, i) => i === 0 || (jobs[i - 1] as JobState).seq < j.seq)) jobs.sort((x, y) => x.seq - y.seq);
  for (const j of jobs) {
    s.jobs.set(j.id, j);
    if (isPending(j.status)) s.queues.get(j.group)?.add(j);
    indexUnfinished(s, j);
  }
  for (const id of [...s.nodes.keys()].sort()) refreshNode(s, id);
  return s;
}

/** A copy of the state a forecast may change (the engine's state is never touched). */
export function forkState(state: Readonly<State>): State {
  return fromForecastSnapshot(forecastSnapshot(state));
}

/**
 * Play `state` (the caller's own copy) forward and forecast every waiting job's start. A planned
 * change that the cluster refuses is answered as that refusal, naming the change.
 */
export function forecast(state: State, options: ForecastOptions): E.Either<Rejection, Forecast> {
  const now = Math.max(options.now, state.now);
  const horizon = now + (options.horizon ?? DEFAULT_HORIZON_SECONDS);
  const changes = options.changes ?? [];
  const unplannable = changes.findIndex((c) => !WHAT_IF_COMMANDS.includes(c.type));
  if (unplannable >= 0) {
    const type = (changes[unplannable] as Command).type;
    return E.left(
      reject(
        'invalid-argument',
        `changes[${unplannable}]: ${type} is not a planned change (one of ${WHAT_IF_COMMANDS.join(', ')})`,
      ),
    );
  }
  // Finished jobs leave the state: keep each waiting job's group now.
  const waiting = [...state.jobs.values()].filter((j) => isPending(j.status)).map((j) => ({ jobId: j.id, group: j.group }));
  const durationOf = (job: JobState) => job.expectedDuration ?? options.typicalDuration(job.kind);
  const starts = new Map<string, number>();
  const ends = new Heap<{ at: number; jobId: string }>((a, b) => a.at - b.at || (a.jobId < b.jobId ? -1 : 1));
  for (const job of state.jobs.values()) {
    if (holdsDevices(job.status)) ends.push({ at: Math.max(now, (job.allocatedAt ?? now) + durationOf(job)), jobId: job.id });
  }
  const follow = (events: ReturnType<typeof runBatch>['events'], at: number) => {
    for (const e of events) {
      if (e.type !== 'JobAllocated') continue;
      starts.set(e.jobId, at);
      const job = state.jobs.get(e.jobId);
      if (job) ends.push({ at: at + durationOf(job), jobId: e.jobId });
    }
  };

  const planned = runBatch(state, changes, now);
  for (const [i, outcome] of planned.outcomes.entries()) {
    if (!outcome.ok) {
      const c = changes[i] as Command;
      return E.left(reject(outcome.rejection.code, `changes[${i}] (${c.type}): ${outcome.rejection.message}`));
    }
  }
  follow(planned.events, now);

  // One batch per instant: the jobs ending then, or a Tick when a maximum wait falls due first.
  let t = now;
  while (starts.size < waiting.length) {
    const nextEnd = ends.peek()?.at ?? Number.POSITIVE_INFINITY;
    const wake = nextWakeup(state, t) ?? Number.POSITIVE_INFINITY;
    const at = Math.min(nextEnd, wake);
    if (at > horizon) break;
    const commands: Command[] = [];
    while ((ends.peek()?.at ?? Number.POSITIVE_INFINITY) <= at) {
      commands.push({ type: 'ReportJobCompleted', jobId: (ends.pop() as { jobId: string }).jobId });
    }
    if (commands.length === 0) commands.push({ type: 'Tick' });
    t = at;
    follow(runBatch(state, commands, at).events, at);
    state.retired.length = 0; // no archive here: finished jobs are simply let go
  }

  return E.right({
    now,
    horizon,
    jobs: waiting.map(({ jobId, group }) => {
      const startAt = starts.get(jobId) ?? null;
      return { jobId, group, startAt, waitSeconds: startAt === null ? null : startAt - now };
    }),
  });
}
