/**
 * The server's limits and the edges of its input: request and header timeouts, errors the HTTP
 * parser meets before any route (as problems), repeated query parameters, bodies that are not
 * JSON, numbers JSON cannot hold, the metrics token, and the queue answer in pages.
 */

import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../core/cluster/commands.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './server.js';
import { type Fixture, fixture } from './test-support/fixture.js';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function listening(options: Parameters<typeof fixture>[0] = {}): Promise<{ fx: Fixture; port: number }> {
  const fx = await fixture(options);
  f = fx;
  await fx.app.listen({ port: 0, host: '127.0.0.1' });
  return { fx, port: (fx.app.server.address() as AddressInfo).port };
}

/**
 * Write `parts` to a fresh socket (a part that is a number: wait that many ms), and collect what
 * comes back until the server closes the socket (or `ms` pass). `closedAfter`: ms from connecting.
 */
function raw(port: number, parts: (string | number)[], ms = 10_000): Promise<{ text: string; closedAfter: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedAfter: Number.POSITIVE_INFINITY });
    }, ms);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfter: Date.now() - started });
    });
    socket.on('error', (e) => (text ? undefined : reject(e)));
    socket.on('connect', async () => {
      for (const p of parts) {
        if (typeof p === 'number') await new Promise((r) => setTimeout(r, p));
        else if (!socket.destroyed) socket.write(p);
      }
    });
  });
}

/** The status line's code and the body of a raw HTTP/1.1 response. */
function parse(text: string): { status: number; type: string; body: string } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const status = Number(head.split(' ')[1]);
  const type = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '';
  return { status, type, body };
}

describe('timeouts', () => {
  it('has sane defaults, documented as exported constants', async () => {
    const fx = await fixture();
    f = fx;
    expect(fx.app.server.requestTimeout).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    expect(fx.app.server.headersTimeout).toBe(DEFAULT_HEADERS_TIMEOUT_MS);
    expect(fx.app.server.timeout).toBeGreaterThan(15_000); // above the event stream's keep-alive
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBeLessThanOrEqual(60_000);
  });

  it('a body sent too slowly is answered 408 as a problem and its socket closed', async () => {
    const { fx, port } = await listening({ requestTimeout: 400, headersTimeout: 200 });
    const body = JSON.stringify({ jobId: 'slow', kind: 'notebook', gpus: 0 });
    const res = await raw(port, [
      'POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n',
      `authorization: Bearer ${fx.tokens.alice}\r\ncontent-length: ${body.length}\r\n\r\n`,
      body.slice(0, 5),
      200,
      body.slice(5, 8),
      5000,
      body.slice(8),
    ]);
    expect(res.closedAfter).toBeLessThan(4000);
    const r = parse(res.text);
    expect(r.status).toBe(408);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(r.body)).toMatchObject({ status: 408, code: 'request-timeout' });
    expect(fx.engine.job('slow')).toBeUndefined();
  });

  it('headers sent too slowly (no token needed to hold a socket) are answered 408 and the socket closed', async () => {
    const { port } = await listening({ requestTimeout: 1000, headersTimeout: 200 });
    const res = await raw(port, ['GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\n', 100, 'x-a: 1\r\n', 5000, '\r\n']);
    expect(res.closedAfter).toBeLessThan(3000);
    expect(parse(res.text)).toMatchObject({ status: 408, type: expect.stringMatching(/^application\/problem\+json/) });
  });
});

describe('errors before routing are problems too', () => {
  it('headers too large: 431', async () => {
    const { port } = await listening();
    const res = await raw(port, [`GET /healthz HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    const r = parse(res.text);
    expect(r.status).toBe(431);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(r.body)).toMatchObject({ status: 431, code: 'headers-too-large' });
  });

  it('not HTTP: 400', async () => {
    const { port } = await listening();
    const r = parse((await raw(port, ['GARBAGE\r\n\r\n'])).text);
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(r.body)).toMatchObject({ status: 400, code: 'invalid-input' });
  });
});

describe('input at the edges', () => {
  it('a query parameter given twice is 400 naming it', async () => {
    f = await fixture();
    const r = await f.call('alice', 'GET', '/api/v1/jobs?status=Running&status=WaitingForGPUs');
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: 'query.status', expected: 'a single value', actual: '2 values' }]);
    const t = await f.call('alice', 'GET', '/api/v1/pools?asOf=1&asOf=2');
    expect(t.body.errors[0].path).toBe('query.asOf');
  });

  it('a text/plain body is 415', async () => {
    f = await fixture();
    const r = await f.call('alice', 'POST', '/api/v1/jobs', '{"kind":"notebook","gpus":0}', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(r.body.code).toBe('unsupported-media-type');
    expect(f.engine.current.jobs.size).toBe(0);
  });

  it('a number too large for a double is 400 saying so, naming its field, not "got null"', async () => {
    f = await fixture();
    const send = (payload: string) =>
      f?.call('alice', 'POST', '/api/v1/jobs', payload, { 'content-type': 'application/json' }) as ReturnType<Fixture['call']>;
    const r = await send('{"kind":"training","gpus":1e309}');
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      { path: 'body.gpus', expected: 'a finite number', actual: 'a number out of range (too large for a double)' },
    ]);
    expect(r.body.detail).not.toMatch(/null/);
    const nested = await send('{"kind":"training","gpus":1,"spec":{"a":[1,-1e400]}}');
    expect(nested.body.errors[0].path).toBe('body.spec.a.1');
    // Large but finite, and exponents in strings, are left alone.
    expect((await send('{"kind":"notebook","gpus":0,"spec":{"x":1e300,"s":"1e999"}}')).status).toBe(201);
  });
});

describe('/metrics', () => {
  it('is public unless a metrics token is set; then it takes only that token', async () => {
    f = await fixture();
    expect((await f.call('nobody', 'GET', '/metrics')).status).toBe(200);
    await f.close();
    f = await fixture({ metricsToken: 'scrape-me' });
    const none = await f.call('nobody', 'GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await f.call('nobody', 'GET', '/metrics', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    // A user's API token is not the metrics token.
    expect((await f.call('admin', 'GET', '/metrics')).status).toBe(401);
    const ok = await f.call('nobody', 'GET', '/metrics', undefined, { authorization: 'Bearer scrape-me' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/gpupool_jobs/);
  });
});

describe('the queue answer', () => {
  it('comes in pages: limit and offset, with X-Total-Count', async () => {
    f = await fixture();
    const jobs: Command[] = [{ type: 'SubmitJob', jobId: 'big', kind: 'training', owner: 'alice', gpus: 4 }];
    for (let i = 0; i < 150; i++) jobs.push({ type: 'SubmitJob', jobId: `w${i}`, kind: 'training', owner: 'alice', gpus: 1 });
    await f.engine.executeBatch(jobs);
    const first = await f.call('alice', 'GET', '/api/v1/pools/pa/queue');
    expect(first.status).toBe(200);
    expect(first.headers['x-total-count']).toBe('150');
    expect(first.body).toHaveLength(100); // the default page
    expect(first.body[0].position).toBe(0);
    const page = await f.call('alice', 'GET', '/api/v1/pools/pa/queue?limit=20&offset=140');
    expect(page.body.map((e: { job: { id: string } }) => e.job.id)).toEqual(Array.from({ length: 10 }, (_, i) => `w${140 + i}`));
    expect(page.body[0].position).toBe(140);
    const bad = await f.call('alice', 'GET', '/api/v1/pools/pa/queue?limit=5000');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('query.limit');
  });
});
