/**
 * The event stream over Server-Sent Events. Each event is sent with its stream revision as its
 * id, so a client that reconnects with `Last-Event-ID` (or `?lastEventId=`) resumes right after
 * the last event it saw, with nothing lost or repeated. A data scientist receives only events of
 * jobs they may see, by the group they are in now; an operator, every event.
 *
 * A stream costs the server little and never holds it up:
 * - The history is read a page at a time, each page written in a turn of the event loop of its
 *   own, and the next page is read only once the socket has taken the last (`write()` returned
 *   true, or 'drain'). Once the history reaches the durable revision, in that same turn, the
 *   stream subscribes to the engine and goes live: nothing is buffered on the side.
 * - Live events are written as they are appended. A reader that lets more than `bufferBytes`
 *   pile up unread is dropped: a final `event: error` says it was too slow and from which
 *   revision to resume, and the stream ends.
 * - A user may hold `maxPerUser` streams at once; one more is 429.
 * - A stream follows its caller's access: it ends, with a final `event: error` saying why, when
 *   the token is revoked or the user removed; a user moved to another group sees from then on
 *   what the new group may see.
 */
import type { FastifyInstance } from 'fastify';
import type { Event } from '../../../core/cluster/events.js';
import { canSeeEvent, type Principal } from '../access.js';
import { answer, bad, type HttpContext } from '../context.js';
import { errors } from '../openapi.js';
import { invalidInput, problem, sendProblem } from '../problem.js';

export interface StreamOptions {
  /** Open event streams one user may hold at once (default 4); one more is answered 429. */
  readonly maxPerUser?: number;
  /** Bytes a stream may have written but not yet taken by its reader (default 1 MiB); more drops it. */
  readonly bufferBytes?: number;
  /** Events read from the store per page of history (default 500). */
  readonly pageSize?: number;
  /** Milliseconds between keep-alive comments (default 15 s); the token is checked again at each. */
  readonly heartbeatMs?: number;
}

export const STREAM_DEFAULTS = { maxPerUser: 4, bufferBytes: 1024 * 1024, pageSize: 500, heartbeatMs: 15_000 } as const;

/** How long a dropped reader may take to read the end of its stream before the socket is cut. */
const LINGER_MS = 10_000;

/** Why a stream ends, as its final `event: error` says. */
type Ending = { code: string; detail: string };

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function eventRoutes(ctx: HttpContext, streams: Set<() => void>, options: StreamOptions = {}) {
  const { maxPerUser, bufferBytes, pageSize, heartbeatMs } = { ...STREAM_DEFAULTS, ...options };
  /** Open streams per user. */
  const open = new Map<string, number>();
  return async (app: FastifyInstance) => {
    app.get(
      '/events',
      {
        config: { access: 'user' },
        schema: {
          tags: ['events'],
          summary: 'The event stream (text/event-stream), resumable with Last-Event-ID',
          description:
            'Each message has the event revision as `id`, the event type as `event`, and the event as JSON `data`. Without Last-Event-ID the stream starts with the next event; with it (or `?lastEventId=`), right after that revision (-1: from the first event). ' +
            `A stream that ends on the server's side sends a final \`event: error\` whose data says why (\`code\`: too-slow, token-revoked, user-removed, shutting-down) and \`lastEventId\`, the revision to resume after. A user may hold ${maxPerUser} streams at once. HEAD answers the headers without opening a stream.`,
          querystring: { type: 'object', properties: { lastEventId: { type: 'string' } } },
          headers: { type: 'object', properties: { 'last-event-id': { type: 'string' } } },
          response: {
            200: {
              description: 'the stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors(400, 429),
          },
        },
      },
      async (req, reply) => {
        const header = req.headers['last-event-id'];
        const query = (req.query as { lastEventId?: unknown }).lastEventId;
        const raw = header ?? query;
        const source = header !== undefined ? 'headers.last-event-id' : 'query.lastEventId';
        // Durable events only (see Engine.durableRevision): a batch still being written comes live.
        let last = ctx.engine.durableRevision;
        if (raw !== undefined) {
          const n = Number(raw);
          if (typeof raw !== 'string' || !/^(-1|\d+)$/.test(raw) || !Number.isSafeInteger(n)) {
            return answer(
              reply,
              bad(invalidInput([{ path: source, expected: 'an event revision (integer >= -1)', actual: String(raw) }])),
            );
          }
          last = Math.min(n, ctx.engine.durableRevision);
        }
        const headers = {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        };
        // HEAD: what a GET would answer, without a stream to hold open.
        if (req.method === 'HEAD') return reply.code(200).headers(headers).send();

        const userId = req.principal.userId;
        const tokenId = req.principal.tokenId;
        const token = (req.headers.authorization as string).slice(7);
        const count = open.get(userId) ?? 0;
        if (count >= maxPerUser) {
          return sendProblem(
            reply,
            problem(429, 'too-many-streams', `a user may hold ${maxPerUser} event streams at once; close one first`),
          );
        }
        open.set(userId, count + 1);

        reply.hijack();
        const out = reply.raw;
        out.writeHead(200, headers);
        out.write('retry: 2000\n\n');

        /** The last revision handled: sent, or skipped as not the caller's to see. */
        let sent = last;
        let ended = false;
        let revoked = false;
        /** The caller as the cluster knows them now (their group may have changed), or undefined once removed. */
        const principal = (): Principal | undefined => {
          const user = ctx.engine.current.users.get(userId);
          return user && { userId, role: user.role, group: user.group, tokenId };
        };
        /** Why the caller may no longer read the stream, if they may not. */
        const accessGone = (): Ending | undefined => {
          if (revoked) return { code: 'token-revoked', detail: 'the token of this stream was revoked' };
          if (!principal()) return { code: 'user-removed', detail: 'the user of this stream was removed' };
          return undefined;
        };
        const format = (revision: number, event: Event) =>
          `id: ${revision}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

        let unsubscribe = () => {};
        const stopRevoked = ctx.tokens.onRevoked((id) => {
          if (id !== tokenId) return;
          revoked = true;
          end(accessGone());
        });
        const heartbeat = setInterval(() => {
          if (ended) return;
          out.write(': keep-alive\n\n');
          if (out.writableLength > bufferBytes) return end(tooSlow());
          // The token as a request would check it now (revoked in another process, or its user
          // removed and onboarded anew).
          void ctx.tokens.verify(token).then(
            (info) => {
              if (!info) revoked = true;
              const gone = accessGone();
              if (gone) end(gone);
            },
            () => {},
          );
        }, heartbeatMs);
        heartbeat.unref();

        /** End the stream, first saying why when the server ends it. */
        const end = (why?: Ending) => {
          if (ended) return;
          ended = true;
          unsubscribe();
          stopRevoked();
          clearInterval(heartbeat);
          streams.delete(shutdown);
          const n = (open.get(userId) ?? 1) - 1;
          if (n > 0) open.set(userId, n);
          else open.delete(userId);
          if (out.writableEnded || out.destroyed) return;
          if (why) out.end(`event: error\ndata: ${JSON.stringify({ ...why, lastEventId: sent })}\n\n`);
          else out.end();
          // A reader that does not take the end either lets go of the socket soon.
          setTimeout(() => {
            if (!out.writableFinished) out.destroy();
          }, LINGER_MS).unref();
        };
        const tooSlow = (): Ending => ({
          code: 'too-slow',
          detail: `the reader fell more than ${bufferBytes} bytes behind the stream; reconnect with Last-Event-ID: ${sent}`,
        });
        const shutdown = () => end({ code: 'shutting-down', detail: 'the server is shutting down; reconnect later' });
        streams.add(shutdown);
        out.on('close', () => end());

        /** Resolves once the socket takes more, or is gone. */
        const drained = () =>
          new Promise<void>((resolve) => {
            const done = () => {
              out.off('drain', done);
              out.off('close', done);
              resolve();
            };
            out.on('drain', done);
            out.on('close', done);
          });

        const live = (a: { events: readonly Event[]; firstRevision: number }) => {
          if (ended) return;
          let chunk = '';
          for (let i = 0; i < a.events.length; i++) {
            const revision = a.firstRevision + i;
            const event = a.events[i] as Event;
            if (revision <= sent) continue;
            if (event.type === 'UserRemoved' && event.userId === userId) {
              if (chunk) out.write(chunk);
              return end(accessGone());
            }
            sent = revision;
            const p = principal();
            if (p && canSeeEvent(p, ctx.engine.current, ctx.engine.archive, event)) chunk += format(revision, event);
          }
          if (chunk) out.write(chunk);
          if (out.writableLength > bufferBytes) end(tooSlow());
        };

        try {
          // History: a page per turn, each written only once the socket took the last.
          for (;;) {
            const upTo = ctx.engine.durableRevision;
            if (sent >= upTo) break;
            const page = await ctx.engine.eventsFrom(sent + 1, Math.min(pageSize, upTo - sent));
            if (ended) return;
            if (page.length === 0) break;
            const gone = accessGone();
            if (gone) return end(gone);
            const p = principal() as Principal;
            let chunk = '';
            for (const e of page) {
              if (e.revision > upTo) break;
              sent = e.revision;
              if (canSeeEvent(p, ctx.engine.current, ctx.engine.archive, e.event)) chunk += format(e.revision, e.event);
            }
            if (chunk && !out.write(chunk)) await drained();
            if (ended) return;
            await nextTurn();
            if (ended) return;
          }
          // Caught up with the durable revision in this very turn: live from here, nothing missed.
          unsubscribe = ctx.engine.subscribe(live);
        } catch (e) {
          req.log.error(e, 'event stream: reading the history failed');
          end({ code: 'internal-error', detail: 'reading the history failed; reconnect with Last-Event-ID' });
        }
      },
    );
  };
}
