/**
 * The one shape of a route that runs a command and answers with what it changed, shared by the
 * resource routes: the command's fields are the body's and the path's (or what the URL names,
 * resolved), it runs as runCommand runs it (an Idempotency-Key makes a retry count once) on the
 * cluster's engine or another context's, and the answer is the entity as it stands after, or no
 * content.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AssetCommand } from '../../../core/assets/commands.js';
import type { CommandType } from '../../../core/cluster/commands.js';
import { answer, bodyObject, type CommandEngine, type Done, type HttpContext, type Result, runCommand } from '../context.js';

/** A request's path parameters. */
export const params = (req: FastifyRequest) => req.params as Record<string, string>;

export interface CommandRouteOptions {
  /** The engine the command runs on; default the cluster's. */
  readonly engine?: CommandEngine;
  /**
   * The command's fields beside the body's, worked out from the request: what the URL names,
   * resolved and checked (the caller may see it, may change it), or the problem to answer instead.
   * They override the body's fields of those names, as path parameters do.
   */
  readonly fields?: (req: FastifyRequest, body: Readonly<Record<string, unknown>>) => Result<Record<string, unknown>>;
}

/**
 * What a command route answers with once its command is done: the request, the command's fields,
 * the reply (for headers such as Location) and the outcome (its events, or for a replay the
 * revisions of the first request's).
 */
export type CommandView = (
  req: FastifyRequest,
  fields: Readonly<Record<string, unknown>>,
  reply: FastifyReply,
  done: Done,
) => Result<unknown> | Promise<Result<unknown>>;

/**
 * A handler that runs command `type` with the body's fields, the path parameters named in `path`
 * and `options.fields` (each overriding the body's field of its name), then answers with `view`
 * and `status`, or nothing at all when `status` is 204. A replayed request (its Idempotency-Key
 * seen before) is answered as the first was, marked `Idempotent-Replayed: true`.
 */
export function commandRoute(
  ctx: HttpContext,
  type: CommandType | AssetCommand['type'],
  path: readonly string[],
  view: CommandView,
  status = 200,
  options: CommandRouteOptions = {},
): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return async (req, reply) => {
    const body = bodyObject(req);
    if (!body.ok) return answer(reply, body);
    const p = params(req);
    const fields: Record<string, unknown> = { ...body.value };
    for (const k of path) fields[k] = p[k];
    if (options.fields) {
      const resolved = options.fields(req, body.value);
      if (!resolved.ok) return answer(reply, resolved);
      Object.assign(fields, resolved.value);
    }
    const r = await runCommand(ctx, req, type, fields, path, options.engine);
    if (!r.ok) return answer(reply, r);
    if (r.value.duplicate) reply.header('idempotent-replayed', 'true');
    return status === 204 ? reply.code(204).send() : answer(reply, await view(req, fields, reply, r.value), status);
  };
}
