/**
 * The cluster's state: what a fold of the cluster stream's events produces.
 *
 * The state holds what decisions need: the cluster's entities, the unfinished jobs, the names of
 * finished ones and a window of command ids. A finished job's record leaves it for the job archive
 * (job-archive.ts), so memory, snapshots and start-up follow the live work, not the history.
 *
 * The state is an owned projection: `evolve` updates it in place and returns it, because
 * copying maps of 100,000 jobs per event cannot meet the replay target (design: >= 500k
 * events/s). `decide` and the queries only read it. Whoever needs an older state replays
 * into a fresh one (`stateAt`), which is cheap and exact.
 */

import type { RememberedCommand } from '../idempotency.js';
import type { CapacityIndex } from './capacity.js';
import type { JobInputs, JobOutput } from './commands.js';
import type { FinishedJobs } from './finished-jobs.js';
import type { NodeAffinity } from './node-affinity.js';
import type { NodeSelector } from './node-selector.js';
import type { PendingQueue } from './queue.js';

export const DEFAULT_POOL_ID = 'default';
export const DEFAULT_GROUP_ID = 'default';
export const DEFAULT_POOL_NAME = 'Default Pool';
export const DEFAULT_GROUP_NAME = 'Default Group';

export const JOB_KINDS = ['notebook', 'training', 'preprocessing', 'inference', 'trial', 'pipeline-step'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** The IDE a notebook session runs. */
export const IDES = ['jupyter', 'rstudio', 'vscode'] as const;
export type Ide = (typeof IDES)[number];

export const JOB_STATUSES = [
  'Queued',
  'WaitingForGPUs',
  'Starting',
  'Running',
  'Training',
  'Complete',
  'Error',
  'Stopping',
  'Stopped',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const POLICIES = ['fifo', 'sjf', 'first-fit', 'backfill'] as const;
export type Policy = (typeof POLICIES)[number];

export const PLACEMENTS = ['node', 'count'] as const;
export type PlacementMode = (typeof PLACEMENTS)[number];

export const ROLES = ['operator', 'data-scientist'] as const;
export type Role = (typeof ROLES)[number];

/** Statuses in which a job waits in its group's pending queue. */
export function isPending(s: JobStatus): boolean {
  return s === 'Queued' || s === 'WaitingForGPUs';
}
/** Statuses in which a job holds devices. */
export function holdsDevices(s: JobStatus): boolean {
  return s === 'Starting' || s === 'Running' || s === 'Training' || s === 'Stopping';
}
export type FinishedStatus = 'Complete' | 'Error' | 'Stopped';
export const FINISHED_STATUSES = ['Complete', 'Error', 'Stopped'] as const satisfies readonly FinishedStatus[];
export function isFinished(s: JobStatus): s is FinishedStatus {
  return s === 'Complete' || s === 'Error' || s === 'Stopped';
}
/** The active status a job reaches once the runtime reports it started. */
export function activeStatusOf(kind: JobKind): JobStatus {
  return kind === 'training' || kind === 'trial' ? 'Training' : 'Running';
}

export interface DeviceState {
  readonly id: string;
  readonly node: string;
  readonly index: number;
  readonly gpuType: string;
  pool: string;
  /** Jobs holding this device: one normally, more only when `immediate` jobs share it. */
  holders: string[];
}

export interface NodeState {
  readonly id: string;
  name: string;
  labels: Record<string, string>;
  /** Live device ids, sorted by index. Empty while the node is lost. */
  devices: string[];
  cordoned: boolean;
  lost: boolean;
}

export interface PoolState {
  readonly id: string;
  name: string;
  /** The one GPU type of the pool; null only for the Default Pool, which may hold mixed types. */
  readonly gpuType: string | null;
  policy: Policy;
  placement: PlacementMode;
  /** Seconds after which a waiting job reserves capacity; null = never. */
  maxWaitSeconds: number | null;
  group: string | null;
}

export interface GroupState {
  readonly id: string;
  name: string;
  pool: string | null;
  /** Most unfinished jobs the group may hold at once; null: no limit. */
  maxUnfinishedJobs: number | null;
  /** Most unfinished jobs each of its users may hold at once (counted across groups); null: no limit. */
  maxUnfinishedJobsPerUser: number | null;
}

export interface UserState {
  readonly id: string;
  name: string;
  role: Role;
  group: string;
  /**
   * The stream revision of the event that onboarded (or installed) this user: a user removed and
   * onboarded again under the same id is another incarnation, and credentials issued to the
   * earlier one must not carry over.
   */
  readonly incarnation: number;
  /** When it was onboarded (seconds). */
  readonly onboardedAt: number;
}

export type WaitCode =
  | 'no-pool'
  | 'never-fits'
  /** Written by earlier versions for what is now `never-fits`; kept so their logs still load. */
  | 'pool-too-small'
  | 'not-enough-free-gpus'
  | 'fragmentation'
  | 'blocked-behind-head'
  | 'reserved-for-starving-job';

/** Why a job waits, in terms a person can act on. */
export interface WaitReason {
  code: WaitCode;
  message: string;
  needs: { gpus: number; workers: number; gpusPerWorker: number; gpuType: string | null };
  /** Free, schedulable GPUs of the job's type in its pool. */
  freeGpus: number;
  /** The largest number of free GPUs on any one schedulable node of the pool. */
  largestFreeBlockPerNode: number;
  /** Jobs ahead of it in its pool's queue. */
  jobsAhead: number;
  pool: string | null;
}

export interface Allocation {
  pool: string;
  devices: readonly string[];
  /** Devices that were already in use when this (immediate) job took them. */
  shared: readonly string[];
  nodes: readonly string[];
}

export interface HistoryEntry {
  status: JobStatus;
  at: number;
  revision: number;
}

export interface JobState {
  readonly id: string;
  readonly kind: JobKind;
  readonly owner: string;
  /** The owner's group at submission: the job's GPUs come from that group's pool. */
  readonly group: string;
  readonly gpus: number;
  readonly gpuType: string | null;
  /** Labels a node must carry to run its workers (node-selector.ts); null: any node of its pool. */
  readonly nodeSelector: NodeSelector | null;
  /** Label requirements a node must satisfy besides (node-affinity.ts); null: none. */
  readonly nodeAffinity: NodeAffinity | null;
  readonly workers: number;
  readonly priority: number;
  readonly tags: readonly string[];
  readonly expectedDuration: number | null;
  readonly immediate: boolean;
  readonly spec: unknown;
  readonly clonedFrom: string | null;
  /** Visible to the owner's group; otherwise only to its owner and operators. */
  readonly shared: boolean;
  /** The asset versions it runs on, pinned at submission (commands.ts JobInputs); null: none. */
  readonly inputs: JobInputs | null;
  /** The asset its product becomes a version of (commands.ts JobOutput); null: none. */
  readonly output: JobOutput | null;
  /** A notebook's IDE (jupyter when not named); null for other kinds. */
  readonly ide: Ide | null;
  /** Where a notebook or an inference is reached, as the runtime reported when it started; null until then. */
  endpoint: string | null;
  /** Stream revision of its submission: breaks every ordering tie. */
  readonly seq: number;
  readonly submittedAt: number;
  status: JobStatus;
  reason: WaitReason | null;
  allocation: Allocation | null;
  allocatedAt: number | null;
  /** The GPU type of the devices it was last allocated (null until then, or for 0 GPUs): what a clone reruns on. */
  ranOnGpuType: string | null;
  endedAt: number | null;
  failure: { reason: string; message: string } | null;
  history: HistoryEntry[];
}

/**
 * The fields of a job that evolve changes after its submission, each replaced whole at a change
 * (evolve.ts: a history, an allocation, a reason, a failure is a new value, never an edited one).
 * Every other field of JobState is fixed at submission.
 */
export type ChangingFields = Pick<
  JobState,
  'status' | 'reason' | 'allocation' | 'allocatedAt' | 'ranOnGpuType' | 'endedAt' | 'failure' | 'endpoint' | 'history'
>;

/** An open snapshot's record of the jobs changed since it was taken (State.captures). */
export interface JobCapture {
  /** The revision it was taken at: jobs submitted later are not in it. */
  readonly revision: number;
  /** Per job of it that evolve changed since: its changing fields as they were. */
  readonly before: Map<JobState, ChangingFields>;
}

export interface State {
  /** Revision of the last event folded in; -1 for the empty stream. */
  revision: number;
  /** Time of the latest event folded in (seconds). */
  now: number;
  installed: boolean;
  nodes: Map<string, NodeState>;
  devices: Map<string, DeviceState>;
  pools: Map<string, PoolState>;
  groups: Map<string, GroupState>;
  users: Map<string, UserState>;
  /**
   * Unfinished jobs, in submission order. A job that finishes leaves the decision state: its id
   * stays in `finished` (names are never reused) and its record goes to `retired`, for the host to
   * hand to the job archive (a read model: job-archive.ts).
   */
  jobs: Map<string, JobState>;
  /** Every finished job's id and how it ended: the names in use, and what a late report is told (finished-jobs.ts). */
  finished: FinishedJobs;
  /** How many finished jobs ended each way. */
  finishedCounts: Record<FinishedStatus, number>;
  /**
   * Jobs that finished since the host last took them (takeRetired): transient, never in a
   * snapshot. The engine hands them to the job archive once their events are durable.
   */
  retired: JobState[];
  /**
   * Snapshots being serialized (snapshot.ts captureSnapshot): transient, never in a snapshot. Each
   * keeps what its jobs' changing fields were when it was taken, for the jobs evolve changes while
   * it is open (evolve.ts keepForCaptures): the others' fields are still what they were then.
   * Nearly always empty.
   */
  captures: JobCapture[];
  /** Per group: its pending (Queued/WaitingForGPUs) jobs in candidate order. Derived. */
  queues: Map<string, PendingQueue>;
  /** Per pool and GPU type: free-capacity index for placement. Derived. */
  capacity: CapacityIndex;
  /** commandId -> the revisions of the events it produced and its fingerprint: a window of the most recent (idempotency.ts). */
  commands: Map<string, RememberedCommand>;
  /** Unfinished jobs per group, in submission order (to refuse deleting a busy group without a scan; lists). Derived. */
  unfinished: Map<string, Set<string>>;
  /**
   * Unfinished jobs per owner, in submission order (to refuse removing a busy user without a scan;
   * lists); an owner without any has no entry. Derived.
   */
  unfinishedByOwner: Map<string, Set<string>>;
}
