/**
 * Errors as RFC 9457 problem details (`application/problem+json`): a stable `code` a program can
 * switch on, a `detail` a person can act on, and for input that does not decode, the field path
 * of every issue. Rejections from the core map to statuses here, in one place.
 */
import type { FastifyReply } from 'fastify';
import type { DecodeIssue } from '../../core/codec.js';
import type { Rejection } from '../../core/rejection.js';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  /** For input that does not decode: each offending field, what it expected, what it got. */
  readonly errors?: readonly DecodeIssue[];
  readonly details?: Readonly<Record<string, unknown>>;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  431: 'Request Header Fields Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: { errors?: readonly DecodeIssue[]; details?: Record<string, unknown> } = {},
): Problem {
  return {
    type: `urn:gpupool:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(extra.errors ? { errors: extra.errors } : {}),
    ...(extra.details ? { details: extra.details } : {}),
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.status === 401) reply.header('www-authenticate', 'Bearer realm="gpupool"');
  return reply.code(p.status).type('application/problem+json').send(p);
}

/** Input that does not decode: 400, naming every field. */
export function invalidInput(issues: readonly DecodeIssue[], detail?: string): Problem {
  const message = detail ?? issues.map((i) => `${i.path}: ${i.message ?? `expected ${i.expected}, got ${i.actual}`}`).join('; ');
  return problem(400, 'invalid-input', message, { errors: issues });
}

/**
 * A command the core refused. A missing referenced entity is 404; a limit on unfinished jobs is
 * 429 (the caller may try again once some end); every other refusal is a conflict with the
 * cluster's present state (409), as a person would see it: the request was well-formed, the
 * cluster said no.
 */
export function rejected(r: Rejection): Problem {
  const status =
    r.code === 'not-found' ? 404 : r.code === 'invalid-command' ? 400 : r.code === 'too-many-unfinished-jobs' ? 429 : 409;
  return problem(status, r.code, r.message, r.details ? { details: r.details } : {});
}

export const notFound = (what: string) => problem(404, 'not-found', `${what} does not exist`);
export const forbidden = (detail: string) => problem(403, 'forbidden', detail);

/** A problem thrown where only an error can be passed on (a body parser): the error handler sends it. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'ProblemError';
  }
}

/** A problem as a whole raw HTTP/1.1 response, for a socket no request was made of. */
export function rawProblemResponse(p: Problem, statusText: string): string {
  const body = JSON.stringify(p);
  return (
    `HTTP/1.1 ${p.status} ${statusText}\r\nContent-Type: application/problem+json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
