/**
 * Route schemas for the OpenAPI document. Bodies come from the core's command codecs (see
 * json-schema.ts); validation itself is the codecs' (fastify's own validator is switched off in
 * server.ts), so what the document says is what the server checks.
 */
import { type CommandType, commandCodecs } from '../../core/commands.js';
import { TIME_TRAVEL_QUERY } from './context.js';
import { type JsonSchema, jsonSchemaOf } from './json-schema.js';

const ENVELOPE = ['type', 'commandId', 'at'];

/** A command's fields as a request body: without the envelope, without what the path names. */
export function commandBody(type: CommandType, options: { path?: string[]; optional?: string[] } = {}): JsonSchema {
  const schema = jsonSchemaOf(commandCodecs[type], [...ENVELOPE, ...(options.path ?? [])]);
  const optional = new Set(options.optional ?? []);
  const required = ((schema.required as string[] | undefined) ?? []).filter((k) => !optional.has(k));
  const out: JsonSchema = { ...schema };
  if (required.length > 0) out.required = required;
  else delete out.required;
  return out;
}

const problemRef = { $ref: 'Problem#' };

/** Errors every authenticated route may answer. */
export function errors(...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const s of [401, ...statuses]) out[s] = { description: describe(s), ...problemRef };
  return out;
}

function describe(status: number): string {
  return (
    {
      400: 'input that does not decode: the problem names each field',
      401: 'no token, or a token that is not valid',
      403: 'the caller’s role may not do this',
      404: 'no such resource, or one the caller may not see',
      409: 'the cluster refused the command (a rejection), or a revision conflict',
      413: 'the body is too large',
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
        properties: { path: { type: 'string' }, expected: { type: 'string' }, actual: { type: 'string' } },
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
