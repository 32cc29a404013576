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

export interface Job {
  id: string;
  name: string;
  kind: JobKind;
  owner: string;
  group: string;
  gpus: number;
  gpuType: string | null;
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
