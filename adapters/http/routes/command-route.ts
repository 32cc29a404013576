/**
 * The one shape of a route that runs a command and answers with what it changed, shared by the
 * resource routes: the command's fields are the body's and the path's, it runs as runCommand runs
 * it (an Idempotency-Key makes a retry count once), and the answer is the entity as it stands
 * after, or no content.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandType } from '../../../core/cluster/commands.js';
import { answer, bodyObject, type HttpContext, type Result, runCommand } from '../context.js';

/** A request's path parameters. */
export const params = (req: FastifyRequest) => req.params as Record<string, string>;

/**
 * A handler that runs command `type` with the body's fields and the path parameters named in
 * `path` (a path parameter overrides the body's field of that name), then answers `view(req)` with
 * `status`, or nothing at all when `status` is 204.
 */
export function commandRoute(
  ctx: HttpContext,
  type: CommandType,
  path: readonly string[],
  view: (req: FastifyRequest) => Result<unknown>,
  status = 200,
): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return async (req, reply) => {
    const body = bodyObject(req);
    if (!body.ok) return answer(reply, body);
    const p = params(req);
    const fields: Record<string, unknown> = { ...body.value };
    for (const k of path) fields[k] = p[k];
    const r = await runCommand(ctx, req, type, fields, path);
    if (!r.ok) return answer(reply, r);
    return status === 204 ? reply.code(204).send() : answer(reply, view(req), status);
  };
}
