/**
 * `Status` bodies, the way a real API server reports errors and successful deletes.
 *
 * Every failure, over HTTP or in-process, is an {@link ApiError} carrying the Status the server
 * answers with: clients key on `code` and `reason` (the Node client's `ApiException.body` is this
 * JSON as a string), so messages follow the real server's wording.
 */
import { type Json, qualifiedName, type ResourceType } from './resources.js';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Json;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code: number;
  details?: StatusDetails;
}

export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'ApiError';
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
    ...(details ? { details } : {}),
  };
}

function detailsFor(t: ResourceType, name: string): StatusDetails {
  return t.group ? { name, group: t.group, kind: t.plural } : { name, kind: t.plural };
}

export function notFound(t: ResourceType, name: string): ApiError {
  return new ApiError(failure(404, 'NotFound', `${qualifiedName(t)} "${name}" not found`, detailsFor(t, name)));
}

export function alreadyExists(t: ResourceType, name: string): ApiError {
  return new ApiError(failure(409, 'AlreadyExists', `${qualifiedName(t)} "${name}" already exists`, detailsFor(t, name)));
}

export function conflict(
  t: ResourceType,
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): ApiError {
  return new ApiError(
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(t)} "${name}": ${why}`, detailsFor(t, name)),
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(failure(400, 'BadRequest', message));
}

export function invalid(t: ResourceType, name: string, message: string): ApiError {
  return new ApiError(failure(422, 'Invalid', `${t.kind} "${name}" is invalid: ${message}`, detailsFor(t, name)));
}

export function expired(requested: string, current: number): Status {
  return failure(410, 'Expired', `too old resource version: ${requested} (${current})`);
}

export function success(t: ResourceType, name: string, uid?: string): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    code: 200,
    details: { ...detailsFor(t, name), ...(uid ? { uid } : {}) },
  };
}

/** The reason a real server gives for an HTTP status, for injected faults. */
export function reasonForCode(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    409: 'Conflict',
    410: 'Expired',
    415: 'UnsupportedMediaType',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}
