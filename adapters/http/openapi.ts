/**
 * Route schemas for the OpenAPI document. Bodies come from the core's command codecs (see
 * json-schema.ts); validation itself is the codecs' (fastify's own validator is switched off in
 * server.ts), so what the document says is what the server checks.
 */

import { ASSET_KINDS } from '../../core/assets/model.js';
import { type CommandType, commandCodecs } from '../../core/cluster/commands.js';
import type * as t from '../../core/vendor/io-ts.js';
import { TIME_TRAVEL_QUERY } from './context.js';
import { type JsonSchema, jsonSchemaOf } from './json-schema.js';

const ENVELOPE = ['type', 'commandId', 'at'];

/** A cluster command's fields as a request body: without the envelope, without what the path names. */
export function commandBody(type: CommandType, options: { path?: string[]; optional?: string[] } = {}): JsonSchema {
  return codecBody(commandCodecs[type], { omit: options.path ?? [], optional: options.optional ?? [] });
}

/**
 * Any context's command codec as a request body: without the envelope and the fields in `omit`
 * (what the path names or the server sets), the fields in `optional` not required.
 */
export function codecBody(
  codec: t.Decoder<unknown, unknown>,
  options: { omit?: readonly string[]; optional?: readonly string[] } = {},
): JsonSchema {
  const schema = jsonSchemaOf(codec, [...ENVELOPE, ...(options.omit ?? [])]);
  const optional = new Set(options.optional ?? []);
  const required = ((schema.required as string[] | undefined) ?? []).filter((k) => !optional.has(k));
  const out: JsonSchema = { ...schema };
  if (required.length > 0) out.required = required;
  else delete out.required;
  return out;
}

/** A response that is a problem (RFC 9457), as the document declares it. */
export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
});

/** Errors every authenticated route may answer. */
export function errors(...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const s of [401, ...statuses]) out[s] = problemResponse(describe(s));
  return out;
}

/** Operations that answer 201 with what they created; other POSTs answer 200. */
const CREATES = new Set([
  'POST /api/v1/nodes',
  'POST /api/v1/pools',
  'POST /api/v1/groups',
  'POST /api/v1/users',
  'POST /api/v1/users/:userId/tokens',
  'POST /api/v1/jobs',
  'POST /api/v1/jobs/:jobId/clone',
  'POST /api/v1/jobs/:jobId/metrics',
  'POST /api/v1/models/:name/versions/:version/reproduce',
  ...ASSET_KINDS.flatMap((kind) => [`POST /api/v1/${kind}s`, `POST /api/v1/${kind}s/:name/versions`]),
  'POST /api/v1/tuning/experiments',
]);

/** Lists answered in pages: they say the whole count in X-Total-Count. */
const PAGED = new Set([
  'GET /api/v1/jobs',
  'GET /api/v1/pools/:poolId/queue',
  ...ASSET_KINDS.map((kind) => `GET /api/v1/${kind}s`),
  'GET /api/v1/tuning/experiments',
]);

/**
 * The success response of an operation that declares none: 201 for a creation, 204 (no body)
 * for a DELETE, else 200 with JSON. server.ts adds it to each route as it is registered; the role
 * matrix test checks every status a route answers with is declared.
 */
export function successResponse(method: string, url: string): Record<number, unknown> {
  const op = `${method} ${url}`;
  if (method === 'DELETE') return { 204: { description: 'done', type: 'null' } };
  const json = { content: { 'application/json': { schema: {} } } };
  if (CREATES.has(op)) return { 201: { description: 'created: what was created, as a read would answer it', ...json } };
  const description = method === 'GET' ? 'what was asked for' : 'done: the changed resource, as a read would answer it';
  const headers = PAGED.has(op)
    ? { headers: { 'x-total-count': { type: 'integer', description: 'how many there are, in all pages' } } }
    : {};
  return { 200: { description, ...headers, ...json } };
}

function describe(status: number): string {
  return (
    {
      400: 'input that does not decode: the problem names each field',
      401: 'no token, or a token that is not valid',
      403: 'the caller’s role may not do this',
      404: 'no such resource, or one the caller may not see',
      409: 'the cluster refused the command (a rejection), a revision conflict, or an Idempotency-Key in flight',
      413: 'the body is too large',
      415: 'the body is not application/json',
      422: 'the Idempotency-Key was used for another request',
      429: 'too many at once',
      503: 'the event store did not take the command, or the server is shutting down',
    }[status] ?? 'error'
  );
}

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'stable, for programs' },
    detail: { type: 'string', description: 'for people' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          path: { type: 'string' },
          expected: { type: 'string' },
          actual: { type: 'string' },
          message: {
            type: 'string',
            description:
              'what is wrong, in a sentence of its own, where a fault is not a value of the wrong kind (a pipeline file: the parser says what is wrong there, and expected repeats it)',
          },
        },
      },
    },
    details: { type: 'object', additionalProperties: true },
  },
};

export const idempotencyHeader = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      description: 'a key of your choosing: a retried request with the same key is answered once, appending nothing more',
    },
  },
};

export const timeTravelQuery = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties: { ...TIME_TRAVEL_QUERY, ...extra },
});

export const idParams = (...names: string[]) => ({
  type: 'object',
  properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
  required: names,
});
