/**
 * Users and their API tokens. Operators onboard, move and remove users and issue and revoke their
 * tokens; any user may ask who their token belongs to (`/me`).
 */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_GROUP_ID } from '../../../core/cluster/model.js';
import { answer, bad, bodyObject, good, type HttpContext, reading, runCommand } from '../context.js';
import { commandBody, errors, idempotencyHeader, idParams, timeTravelQuery } from '../openapi.js';
import { notFound, problem } from '../problem.js';
import { tokenHolds } from '../tokens.js';
import { commandRoute, params } from './command-route.js';

export function userRoutes(ctx: HttpContext) {
  return async (app: FastifyInstance) => {
    const operator = { access: 'operator' as const };
    const user = { access: 'user' as const };

    const userOf = (id: string | undefined) => {
      const u = id === undefined ? undefined : ctx.engine.current.users.get(id);
      return u ? good({ ...u }) : bad(notFound(`user '${id}'`));
    };
    app.get(
      '/me',
      { config: user, schema: { tags: ['users'], summary: 'Who the token belongs to', response: errors() } },
      async (req, reply) => {
        const me = userOf(req.principal.userId);
        return answer(reply, me.ok ? good({ ...me.value, tokenId: req.principal.tokenId }) : me);
      },
    );
    app.get(
      '/users',
      {
        config: operator,
        schema: { tags: ['users'], summary: 'List users', querystring: timeTravelQuery(), response: errors(400, 403) },
      },
      reading(ctx, (state) => good([...state.users.values()].map((u) => ({ ...u })))),
    );
    app.get(
      '/users/:userId',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: 'One user',
          params: idParams('userId'),
          querystring: timeTravelQuery(),
          response: errors(400, 403, 404),
        },
      },
      reading(ctx, (state, req) => {
        const u = state.users.get(params(req).userId as string);
        return u ? good({ ...u }) : bad(notFound(`user '${params(req).userId}'`));
      }),
    );
    app.post(
      '/users',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: `Onboard a user (into the ${DEFAULT_GROUP_ID} group unless told otherwise)`,
          body: commandBody('OnboardUser'),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      commandRoute(ctx, 'OnboardUser', [], (req) => userOf((req.body as { userId?: string }).userId), 201),
    );
    app.put(
      '/users/:userId/group',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: 'Move a user to another group',
          params: idParams('userId'),
          body: commandBody('MoveUser', { path: ['userId'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      commandRoute(ctx, 'MoveUser', ['userId'], (req) => userOf(params(req).userId)),
    );
    app.delete(
      '/users/:userId',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: 'Remove a user (their tokens stop working); refused while they have unfinished jobs unless stopJobs',
          params: idParams('userId'),
          querystring: { type: 'object', properties: { stopJobs: { type: 'string', enum: ['true', 'false'] } } },
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      async (req, reply) => {
        // A DELETE seldom carries a body: `?stopJobs=true` asks what a body's `"stopJobs": true` does.
        const stopJobs = (req.query as Record<string, unknown> | undefined)?.stopJobs;
        if (stopJobs !== undefined && stopJobs !== 'true' && stopJobs !== 'false') {
          const detail = `query.stopJobs: expected true or false, got ${JSON.stringify(stopJobs)}`;
          return answer(reply, bad(problem(400, 'invalid-input', detail)));
        }
        const body = bodyObject(req);
        if (!body.ok) return answer(reply, body);
        const fields: Record<string, unknown> = { ...body.value, userId: params(req).userId };
        if (stopJobs !== undefined) fields.stopJobs = stopJobs === 'true';
        const r = await runCommand(ctx, req, 'RemoveUser', fields, ['userId']);
        return r.ok ? reply.code(204).send() : answer(reply, r);
      },
    );
    app.post(
      '/users/:userId/tokens',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: 'Issue an API token for a user: shown once, only its hash is kept',
          params: idParams('userId'),
          body: { type: 'object', properties: { label: { type: 'string', maxLength: 200 } } },
          response: errors(400, 403, 404),
        },
      },
      async (req, reply) => {
        const body = bodyObject(req);
        if (!body.ok) return answer(reply, body);
        const label = body.value.label;
        if (label !== undefined && (typeof label !== 'string' || label.length > 200)) {
          return answer(
            reply,
            bad(
              problem(400, 'invalid-input', 'body.label: expected a string of at most 200 characters', {
                errors: [{ path: 'body.label', expected: 'a string of at most 200 characters', actual: JSON.stringify(label) }],
              }),
            ),
          );
        }
        const userId = params(req).userId as string;
        const found = ctx.engine.current.users.get(userId);
        if (!found) return answer(reply, bad(notFound(`user '${userId}'`)));
        const issued = await ctx.tokens.issue(found, label as string | undefined);
        return answer(reply, good({ ...issued, userId }), 201);
      },
    );
    app.get(
      '/users/:userId/tokens',
      {
        config: operator,
        schema: {
          tags: ['users'],
          summary: 'A user’s live tokens (ids only)',
          params: idParams('userId'),
          response: errors(403),
        },
      },
      async (req, reply) => {
        // Tokens issued to an earlier incarnation of this id no longer work: they are not live.
        const found = ctx.engine.current.users.get(params(req).userId as string);
        return answer(reply, good(found ? ctx.tokens.list(found.id).filter((t) => tokenHolds(t, found)) : []));
      },
    );
    app.delete(
      '/users/:userId/tokens/:tokenId',
      {
        config: operator,
        schema: { tags: ['users'], summary: 'Revoke a token', params: idParams('userId', 'tokenId'), response: errors(403, 404) },
      },
      async (req, reply) => {
        const { userId, tokenId } = params(req) as { userId: string; tokenId: string };
        if (ctx.tokens.get(tokenId)?.userId !== userId)
          return answer(reply, bad(notFound(`token '${tokenId}' of user '${userId}'`)));
        await ctx.tokens.revoke(tokenId);
        return reply.code(204).send();
      },
    );
  };
}
