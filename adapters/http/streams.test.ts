/**
 * The event stream's limits, over a real socket: replaying history gives other requests their
 * turn and waits for slow readers; a reader too slow for live events is dropped with a final
 * message; streams per user are capped; a stream follows its caller's access.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../core/cluster/commands.js';
import type { StreamOptions } from './routes/events.js';
import { type Fixture, fixture } from './test-support/fixture.js';

interface Message {
  id?: number;
  event?: string;
  // biome-ignore lint/suspicious/noExplicitAny: events of every shape
  data?: any;
}

let f: Fixture | undefined;
let url = '';
const clients = new Set<{ close(): void }>();

async function start(streams: StreamOptions = {}): Promise<Fixture> {
  f = await fixture({ streams });
  await f.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(f.app.server.address() as AddressInfo).port}`;
  return f;
}

afterEach(async () => {
  for (const c of clients) c.close();
  clients.clear();
  await f?.close();
  f = undefined;
});

/**
 * An event stream read over a socket: its messages parsed as they come (`paused` stops reading,
 * so the server sees a slow reader), `until()` to wait for some, `ended` once the server ends it.
 */
function openStream(token: string, headers: Record<string, string> = {}) {
  const messages: Message[] = [];
  let status = 0;
  let body = '';
  let ended = false;
  let res: import('node:http').IncomingMessage | undefined;
  let paused = false;
  const opened = new Promise<number>((resolve, reject) => {
    const req = request(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${token}`, ...headers } }, (r) => {
      res = r;
      status = r.statusCode ?? 0;
      if (paused) r.pause();
      r.setEncoding('utf8');
      let buffer = '';
      r.on('data', (chunk: string) => {
        body += chunk;
        buffer += chunk;
        for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
          const fields: Record<string, string> = {};
          for (const line of buffer.slice(0, at).split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const colon = line.indexOf(':');
            fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
          }
          buffer = buffer.slice(at + 2);
          if (fields.event === undefined) continue; // retry:, keep-alive
          messages.push({
            ...(fields.id === undefined ? {} : { id: Number(fields.id) }),
            event: fields.event,
            data: JSON.parse(fields.data as string),
          });
        }
      });
      r.on('close', () => {
        ended = true;
      });
      resolve(status);
    });
    req.on('error', (e) => (ended ? undefined : reject(e)));
    req.end();
    clients.add({ close: () => req.destroy() });
  });
  return {
    messages,
    opened,
    status: () => status,
    body: () => body,
    isEnded: () => ended,
    pause() {
      paused = true;
      res?.pause();
    },
    resume() {
      paused = false;
      res?.resume();
    },
    async until(found: (m: Message[]) => boolean, what: string, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (!found(messages)) {
        if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; got ${messages.length} messages`);
        if (ended && !found(messages)) throw new Error(`the stream ended before ${what}; got ${messages.length} messages`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
    async untilEnded(ms = 20_000) {
      const deadline = Date.now() + ms;
      while (!ended) {
        if (Date.now() > deadline) throw new Error(`the stream did not end within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** A plain GET over a socket of its own. */
function get(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(`${url}${path}`, (r) => {
      r.resume();
      r.on('end', () => resolve(r.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

let filled = 0;
/** `n` notebooks of 0 GPUs for the operator (each submitted and allocated: two events), in batches. */
async function fill(fx: Fixture, n: number, spec?: unknown): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    const batch: Command[] = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      batch.push({
        type: 'SubmitJob',
        jobId: `f${++filled}`,
        kind: 'notebook',
        owner: 'admin',
        gpus: 0,
        ...(spec ? { spec } : {}),
      });
    }
    const r = await fx.engine.executeBatch(batch);
    if (r.outcomes.some((o) => !o.ok)) throw new Error('fill refused');
  }
}

/** Count the pages of history the server reads, and flag them once `after()` holds. */
function countPages(fx: Fixture, after: () => boolean) {
  const pages = { total: 0, afterFlag: 0, events: 0 };
  const eventsFrom = fx.engine.eventsFrom.bind(fx.engine);
  fx.engine.eventsFrom = async (from, max) => {
    const page = await eventsFrom(from, max);
    pages.total++;
    pages.events += page.length;
    if (after()) pages.afterFlag++;
    return page;
  };
  return pages;
}

describe('replaying history', () => {
  it('answers other requests between pages of a long replay, and sends the whole history in order', async () => {
    const fx = await start({ pageSize: 500 });
    await fill(fx, 10_000);
    const last = fx.engine.durableRevision;
    let healthy = false;
    let asked = false;
    const pages = countPages(fx, () => healthy);
    const stream = openStream(fx.tokens.admin, { 'last-event-id': '-1' });
    // Once the replay is under way, a probe on a socket of its own.
    const probe = (async () => {
      while (pages.total === 0) await new Promise((r) => setImmediate(r));
      asked = true;
      expect(await get('/healthz')).toBe(200);
      healthy = true;
    })();
    await stream.until((m) => m.at(-1)?.id === last, 'the whole history');
    await probe;
    expect(asked).toBe(true);
    // The probe was answered while pages were still to be read: the replay gave it a turn.
    expect(pages.afterFlag).toBeGreaterThan(0);
    expect(stream.messages.map((m) => m.id)).toEqual(Array.from({ length: last + 1 }, (_, i) => i));
  });

  it('reads no further than a reader that does not read: the history waits for the socket to drain', async () => {
    const fx = await start({ pageSize: 100 });
    // About 16 MB of history: more than the socket buffers of both ends hold.
    await fill(fx, 2000, { blob: 'x'.repeat(8000) });
    const last = fx.engine.durableRevision;
    const pages = countPages(fx, () => false);
    const stream = openStream(fx.tokens.admin, { 'last-event-id': '-1' });
    stream.pause();
    await stream.opened;
    await new Promise((r) => setTimeout(r, 500));
    const readWhilePaused = pages.events;
    expect(readWhilePaused).toBeLessThan(last + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(pages.events).toBe(readWhilePaused); // stalled on the reader, not reading ahead
    stream.resume();
    await stream.until((m) => m.at(-1)?.id === last, 'the whole history once read');
    expect(stream.messages).toHaveLength(last + 1);
  });

  it('drops a live reader that falls too far behind, with a final message saying where to resume', async () => {
    const fx = await start({ bufferBytes: 64 * 1024 });
    const stream = openStream(fx.tokens.admin);
    expect(await stream.opened).toBe(200);
    await stream.until(() => true, 'the stream to open');
    stream.pause();
    // Live events far beyond what the socket buffers and the stream's 64 KiB allowance hold.
    for (let i = 0; i < 8; i++) {
      await fill(fx, 250, { blob: `${i}`.repeat(8000) });
      if (stream.isEnded()) break;
    }
    stream.resume();
    await stream.untilEnded();
    const final = stream.messages.at(-1) as Message;
    expect(final.event).toBe('error');
    expect(final.id).toBeUndefined();
    expect(final.data.code).toBe('too-slow');
    expect(final.data.detail).toMatch(/Last-Event-ID/);
    const delivered = stream.messages.filter((m) => m.id !== undefined);
    // Where to resume: after the last event handled, which the reader has received.
    expect(final.data.lastEventId).toBe(delivered.at(-1)?.id);
    expect(final.data.lastEventId).toBeLessThan(fx.engine.durableRevision);
    // Resuming from there gets the rest, exactly.
    const resumed = openStream(fx.tokens.admin, { 'last-event-id': String(final.data.lastEventId) });
    const last = fx.engine.durableRevision;
    await resumed.until((m) => m.at(-1)?.id === last, 'the rest');
    expect(resumed.messages[0]?.id).toBe(final.data.lastEventId + 1);
  });
});

describe('stream limits', () => {
  it('a user may hold maxPerUser streams; one more is 429 until one closes', async () => {
    const fx = await start({ maxPerUser: 2 });
    const one = openStream(fx.tokens.alice);
    const two = openStream(fx.tokens.alice);
    expect(await one.opened).toBe(200);
    expect(await two.opened).toBe(200);
    const three = openStream(fx.tokens.alice);
    expect(await three.opened).toBe(429);
    await three.untilEnded();
    expect(JSON.parse(three.body())).toMatchObject({ status: 429, code: 'too-many-streams' });
    // Another user is not counted against alice.
    expect(await openStream(fx.tokens.bob).opened).toBe(200);
    // Closing one lets another in.
    const closed = [...clients][0] as { close(): void };
    closed.close();
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline) {
      const again = openStream(fx.tokens.alice);
      status = await again.opened;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
  });

  it('HEAD answers the stream’s headers without opening one', async () => {
    const fx = await start();
    const res = await Promise.race([
      fx.app.inject({ method: 'HEAD', url: '/api/v1/events', headers: { authorization: `Bearer ${fx.tokens.alice}` } }),
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 3000)),
    ]);
    expect(res).not.toBe('hung');
    if (res === 'hung') return;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.body).toBe('');
  });

  it('a Last-Event-ID that is not a revision names where it came from: the header or the query', async () => {
    const fx = await start();
    const auth = { authorization: `Bearer ${fx.tokens.alice}` };
    const q = await fx.app.inject({ method: 'GET', url: '/api/v1/events?lastEventId=abc', headers: auth });
    expect(q.statusCode).toBe(400);
    expect(JSON.parse(q.body).errors[0].path).toBe('query.lastEventId');
    const h = await fx.app.inject({ method: 'GET', url: '/api/v1/events', headers: { ...auth, 'last-event-id': 'abc' } });
    expect(JSON.parse(h.body).errors[0].path).toBe('headers.last-event-id');
  });
});

describe('streams follow access', () => {
  it('a revoked token ends its stream with a final message', async () => {
    const fx = await start();
    const stream = openStream(fx.tokens.alice);
    expect(await stream.opened).toBe(200);
    await fx.call('alice', 'POST', '/api/v1/jobs', { jobId: 'before', kind: 'notebook', gpus: 0 });
    await stream.until((m) => m.some((e) => e.data?.jobId === 'ga/before'), 'her job');
    const tokenId = (await fx.call('admin', 'GET', '/api/v1/users/alice/tokens')).body[0].tokenId;
    expect((await fx.call('admin', 'DELETE', `/api/v1/users/alice/tokens/${tokenId}`)).status).toBe(204);
    await stream.untilEnded();
    expect(stream.messages.at(-1)).toMatchObject({ event: 'error', data: { code: 'token-revoked' } });
  });

  it('a removed user’s stream ends with a final message, and nothing after the removal is sent', async () => {
    const fx = await start();
    const stream = openStream(fx.tokens.bob);
    expect(await stream.opened).toBe(200);
    await fx.engine.executeBatch([
      { type: 'SubmitJob', jobId: 'shared', kind: 'notebook', owner: 'alice', gpus: 0, shared: true },
    ]);
    await stream.until((m) => m.some((e) => e.data?.jobId === 'shared'), 'the shared job');
    await fx.engine.executeBatch([
      { type: 'RemoveUser', userId: 'bob' },
      { type: 'StopJob', jobId: 'shared' },
    ]);
    await stream.untilEnded();
    expect(stream.messages.at(-1)).toMatchObject({ event: 'error', data: { code: 'user-removed' } });
    expect(stream.messages.filter((m) => m.event === 'JobStopped' || m.event === 'JobStopRequested')).toEqual([]);
  });

  it('a user moved to another group sees, from then on, what the new group may see', async () => {
    const fx = await start();
    const stream = openStream(fx.tokens.bob);
    expect(await stream.opened).toBe(200);
    await fx.engine.executeBatch([{ type: 'SubmitJob', jobId: 'ga-1', kind: 'notebook', owner: 'alice', gpus: 0, shared: true }]);
    await stream.until((m) => m.some((e) => e.data?.jobId === 'ga-1'), 'group a’s shared job');
    await fx.engine.executeBatch([{ type: 'MoveUser', userId: 'bob', groupId: 'gb' }]);
    await fx.engine.executeBatch([
      { type: 'SubmitJob', jobId: 'ga-2', kind: 'notebook', owner: 'alice', gpus: 0, shared: true },
      { type: 'SubmitJob', jobId: 'gb-1', kind: 'notebook', owner: 'carol', gpus: 0, shared: true },
    ]);
    await stream.until((m) => m.some((e) => e.data?.jobId === 'gb-1'), 'group b’s shared job');
    expect(stream.messages.some((e) => e.data?.jobId === 'ga-2')).toBe(false);
    expect(stream.isEnded()).toBe(false);
  });
});
