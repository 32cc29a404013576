/**
 * Who is asking, and what they may see. Operators may do everything. A data scientist sees their
 * own jobs and the jobs their group shares, their own group's pool, and their group's assets
 * that are not another member's private ones; a job or asset they may not see is answered as if
 * it did not exist (404), so a request leaks nothing about other groups' work.
 */
import type { AssetState, Viewer } from '../../core/assets/model.js';
import type { Event } from '../../core/cluster/events.js';
import { findJob, type JobArchive } from '../../core/cluster/job-archive.js';
import type { JobState, Role, State } from '../../core/cluster/model.js';

export interface Principal {
  readonly userId: string;
  readonly role: Role;
  readonly group: string;
  readonly tokenId: string;
}

export const isOperator = (p: Principal) => p.role === 'operator';

export type Visibility = 'mine' | 'shared' | 'all';

/** Whether the principal may see the job at all. */
export function canSeeJob(p: Principal, job: JobState): boolean {
  return isOperator(p) || job.owner === p.userId || (job.shared && job.group === p.group);
}

/** The principal as the assets context sees a viewer (core/assets/model.ts canSee). */
export function assetViewer(p: Principal): Viewer {
  return { userId: p.userId, group: p.group, operator: isOperator(p) };
}

/** Whether the principal may change an asset (describe, archive, delete): its owner, or an operator. */
export function canChangeAsset(p: Principal, asset: Pick<AssetState, 'owner'>): boolean {
  return isOperator(p) || asset.owner === p.userId;
}

/** Whether the principal may read a pool's usage and queue: operators any, others their group's. */
export function canSeePool(p: Principal, state: State, poolId: string): boolean {
  return isOperator(p) || state.groups.get(p.group)?.pool === poolId;
}

/** Whether an event belongs in the principal's event stream: operators all, others their visible jobs'. */
export function canSeeEvent(p: Principal, state: State, archive: JobArchive | null, event: Event): boolean {
  if (isOperator(p)) return true;
  const jobId = (event as { jobId?: string }).jobId;
  if (jobId === undefined) return false;
  const job = findJob(state, archive, jobId);
  return job !== undefined && canSeeJob(p, job);
}
