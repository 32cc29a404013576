/** A refused command, as a value: a stable code, a message a person can act on, optional details. */
export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export type RejectionCode =
  | 'invalid-command'
  | 'already-installed'
  | 'not-found'
  | 'already-exists'
  | 'name-taken'
  | 'protected'
  | 'conflict'
  | 'gpu-type-mismatch'
  | 'gpu-type-required'
  | 'not-enough-devices'
  | 'never-fits'
  | 'group-busy'
  | 'user-busy'
  | 'invalid-transition'
  | 'invalid-argument'
  /** Something was made from it (an asset version's lineage, a job): archive it instead of deleting. */
  | 'in-use'
  /** A command id already used for another command (idempotency.ts). */
  | 'command-id-reused'
  /** The owner or the group already has as many unfinished jobs as its limit allows. */
  | 'too-many-unfinished-jobs';

export function reject(code: RejectionCode, message: string, details?: Record<string, unknown>): Rejection {
  return details === undefined ? { code, message } : { code, message, details };
}
