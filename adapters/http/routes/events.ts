/**
 * The event stream over Server-Sent Events. Each event is sent with its stream revision as its
 * id, so a client that reconnects with `Last-Event-ID` (or `?lastEventId=`) resumes right after
 * the last event it saw, with nothing lost or repeated. A data scientist receives only events of
 * jobs they may see; an operator, every event.
 */
import type { FastifyInstance } from 'fastify';
import type { Appended } from '../../../engine/engine.js';
import { canSeeEvent } from '../access.js';
import { answer, bad, type HttpContext } from '../context.js';
import { errors } from '../openapi.js';
import { invalidInput } from '../problem.js';

const HEARTBEAT_MS = 15_000;
const PAGE = 1000;

export function eventRoutes(ctx: HttpContext, streams: Set<() => void>) {
  return async (app: FastifyInstance) => {
    app.get(
      '/events',
      {
        config: { access: 'user' },
        schema: {
          tags: ['events'],
          summary: 'The event stream (text/event-stream), resumable with Last-Event-ID',
          description:
            'Each message has the event revision as `id`, the event type as `event`, and the event as JSON `data`. Without Last-Event-ID the stream starts with the next event; with it (or `?lastEventId=`), right after that revision (-1: from the first event).',
          querystring: { type: 'object', properties: { lastEventId: { type: 'string' } } },
          response: errors(400),
        },
      },
      async (req, reply) => {
        const raw = req.headers['last-event-id'] ?? (req.query as { lastEventId?: string }).lastEventId;
        // Durable events only (see Engine.durableRevision): a batch still being written comes live.
        let last = ctx.engine.durableRevision;
        if (raw !== undefined) {
          const n = Number(raw);
          if (typeof raw !== 'string' || !/^(-1|\d+)$/.test(raw) || !Number.isSafeInteger(n)) {
            return answer(
              reply,
              bad(
                invalidInput([
                  { path: 'headers.last-event-id', expected: 'an event revision (integer >= -1)', actual: String(raw) },
                ]),
              ),
            );
          }
          last = Math.min(n, ctx.engine.durableRevision);
        }
        const principal = req.principal;
        reply.hijack();
        const out = reply.raw;
        out.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        out.write('retry: 2000\n\n');

        let sent = last;
        const send = (revision: number, event: Appended['events'][number]): void => {
          if (revision <= sent) return;
          sent = revision;
          if (!canSeeEvent(principal, ctx.engine.current, event)) return;
          out.write(`id: ${revision}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        };
        const sendAll = (a: Appended) => {
          for (let i = 0; i < a.events.length; i++) send(a.firstRevision + i, a.events[i] as Appended['events'][number]);
        };
        // Live events that arrive while the history is being read wait here, then follow it.
        let buffered: Appended[] | null = [];
        const unsubscribe = ctx.engine.subscribe((a) => {
          if (buffered) buffered.push(a);
          else sendAll(a);
        });
        const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS);
        heartbeat.unref();
        const close = () => {
          unsubscribe();
          clearInterval(heartbeat);
          streams.delete(close);
          if (!out.writableEnded) out.end();
        };
        streams.add(close);
        req.raw.on('close', close);

        try {
          const upTo = ctx.engine.durableRevision;
          while (sent < upTo && !out.writableEnded) {
            const page = await ctx.engine.eventsFrom(sent + 1, PAGE);
            if (page.length === 0) break;
            for (const e of page) if (e.revision <= upTo) send(e.revision, e.event);
          }
          for (const a of buffered) sendAll(a);
        } catch (e) {
          req.log.error(e, 'event stream: reading the history failed');
          close();
        } finally {
          buffered = null;
        }
      },
    );
  };
}
