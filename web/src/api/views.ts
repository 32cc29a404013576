/**
 * What the API answers, as the pages read it. The OpenAPI document types requests (schema.d.ts);
 * its answers are described in words there, so their shapes are written here, field for field
 * as the routes send them (adapters/http/routes/*.ts).
 */
export type Role = 'operator' | 'data-scientist';
export const JOB_STATUSES = [
  'Queued',
  'WaitingForGPUs',
  'Starting',
  'Running',
  'Training',
  'Stopping',
  'Complete',
  'Error',
  'Stopped',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const JOB_KINDS = ['notebook', 'training', 'preprocessing', 'inference'] as const;
export type JobKind = (typeof JOB_KINDS)[number] | 'trial' | 'pipeline-step';
export type Visibility = 'mine' | 'shared' | 'all';

export interface Me {
  id: string;
  name: string;
  role: Role;
  group: string;
  tokenId: string;
}

export interface Device {
  id: string;
  index: number;
  gpuType: string;
  pool: string;
  holders: string[];
}

export interface NodeView {
  id: string;
  name: string;
  labels: Record<string, string>;
  cordoned: boolean;
  lost: boolean;
  devices: Device[];
}

export interface Pool {
  id: string;
  name: string;
  gpuType: string | null;
  policy: string;
  placement: string;
  maxWaitSeconds: number | null;
  group: string | null;
  total: number;
  used: number;
  free: number;
  cordoned: number;
  shared: number;
  queued: number;
  byType: Record<string, number>;
  oldestWaitSince?: number | null;
}

export interface Group {
  id: string;
  name: string;
  pool: string | null;
  maxUnfinishedJobs: number | null;
  maxUnfinishedJobsPerUser: number | null;
}

export interface User {
  id: string;
  name: string;
  role: Role;
  group: string;
  onboardedAt: number;
}

export interface WaitReason {
  code: string;
  message: string;
  freeGpus?: number;
  largestFreeBlockPerNode?: number;
  jobsAhead?: number;
  pool?: string;
  advice?: string[];
}

export interface HistoryEntry {
  status: JobStatus;
  at: number;
  revision: number;
}

/** Kubernetes' node selector term: requirements on node labels, all of which must hold. */
export interface NodeSelectorTerm {
  matchExpressions: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt'; values?: string[] }[];
}

export interface Job {
  id: string;
  name: string;
  kind: JobKind;
  owner: string;
  group: string;
  gpus: number;
  gpuType: string | null;
  /** Labels its nodes must carry (null, or absent from an older server: any node of its pool). */
  nodeSelector?: Record<string, string> | null;
  /** Node selector terms its nodes must satisfy one of (null, or absent from an older server: none). */
  nodeAffinity?: NodeSelectorTerm[] | null;
  workers: number;
  priority: number;
  tags: string[];
  expectedDuration: number | null;
  immediate: boolean;
  shared: boolean;
  submittedAt: number;
  status: JobStatus;
  reason: WaitReason | null;
  allocation: { pool: string; devices: string[]; nodes: string[] } | null;
  allocatedAt: number | null;
  endedAt: number | null;
  failure: { reason: string; message: string } | null;
  clonedFrom: string | null;
  inputs: unknown;
  output: unknown;
  endpoint: string | null;
  history: HistoryEntry[];
}

export interface QueueEntry {
  position: number;
  job: Job;
  reason: WaitReason | null;
}

/** Workspaces, datasets and models (adapters/http/routes/assets.ts). */
export type AssetKind = 'workspace' | 'dataset' | 'model';

export type Source =
  | { kind: 'git'; url: string; ref?: string; path?: string }
  | { kind: 'object'; uri: string }
  | { kind: 'http'; url: string }
  | { kind: 'volume'; path: string };

export interface VersionRef {
  assetId: string;
  version: number;
}

export interface Lineage {
  job: string | null;
  workspace: VersionRef | null;
  datasets: VersionRef[];
  model: VersionRef | null;
  hyperparameters: Record<string, unknown>;
  hyperparametersFile?: string;
  image: string | null;
}

export interface AssetVersion {
  version: number;
  at: number;
  by: string;
  pin: { commit?: string; objectVersion?: string; etag?: string; contentHash?: string };
  uri: string | null;
  metrics: Record<string, number>;
  lineage: Lineage | null;
}

interface AssetFields {
  id: string;
  kind: AssetKind;
  group: string;
  name: string;
  owner: string;
  description: string;
  tags: string[];
  private: boolean;
  source: Source | null;
  credentials: string | null;
  createdAt: number;
  archived: boolean;
  uses: number;
}

/** An asset in a list: how many versions, not the versions. */
export interface AssetListItem extends AssetFields {
  versionCount: number;
}

/** One asset with its versions and their lineage. */
export interface Asset extends AssetFields {
  versions: AssetVersion[];
}

/** A job's inputs as pinned at submission, and where its product goes. */
export interface JobInputs {
  workspace?: VersionRef;
  datasets?: (VersionRef & { mountPath: string })[];
  model?: VersionRef;
  hyperparametersFile?: string;
}
export interface JobOutput {
  model?: string;
  dataset?: string;
}

/** GET /jobs/{name}/metrics: each metric's series in report order, and its final value. */
export interface JobMetrics {
  jobId: string;
  series: Record<string, { step: number; value: number; at: number }[]>;
  final: Record<string, number>;
}

/** A pool's oldest wait as the API answers it beside the fields above (null: nobody waits). */
export interface Pool {
  oldestWaitSeconds?: number | null;
}

/** A pool's use over time (GET /pools/{poolId}/usage): columns of samples, oldest first. */
export interface PoolUsageSeries {
  pool: string;
  /** When the server began sampling (seconds). */
  from: number;
  /** The time of the answer: the last sample holds until then. */
  now: number;
  at: number[];
  revision: number[];
  total: number[];
  used: number[];
  queued: number[];
}

/** A user's live token, as listed (never the secret). */
export interface TokenInfo {
  tokenId: string;
  userId: string;
  issuedAt: number;
  label: string | null;
}

/** A token just issued: the secret, shown this once. */
export interface IssuedToken {
  tokenId: string;
  token: string;
  userId: string;
}
