/**
 * Reads of the past: rebuilding an old state gives other requests their turn, and the states
 * rebuilt lately are kept, so reading them again costs nothing and answers the same.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../core/cluster/commands.js';
import { canonicalState } from '../../core/cluster/test-support/canonical.js';
import { createEngine } from '../../engine/engine.js';
import { type Fixture, fixture } from './test-support/fixture.js';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

let filled = -1;
/** `n` notebooks of 0 GPUs for alice (each submitted and allocated: two events). */
async function fill(fx: Fixture, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    const batch: Command[] = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      batch.push({ type: 'SubmitJob', jobId: `t${++filled}`, kind: 'notebook', owner: 'alice', gpus: 0, tags: [`b${i}`] });
    }
    await fx.engine.executeBatch(batch);
  }
}

/** Count the store's reads of the cluster stream. */
function countReads(fx: Fixture) {
  const counted = { reads: 0 };
  const read = fx.store.read.bind(fx.store);
  fx.store.read = (stream, options) => {
    if (stream === fx.engine.stream) counted.reads++;
    return read(stream, options);
  };
  return counted;
}

function get(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, token ? { headers: { authorization: `Bearer ${token}` } } : {}, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => {
        body += d;
      });
      r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('reads of the past', () => {
  it.each(['asOf', 'asOfTime'])('a probe is answered while a long %s read is being rebuilt', async (param) => {
    const fx = await fixture();
    f = fx;
    await fill(fx, 15_000); // 30,000 events
    fx.clock.t = 2000;
    await fill(fx, 1);
    await fx.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(fx.app.server.address() as AddressInfo).port}`;
    const reads = countReads(fx);
    const order: string[] = [];
    const query = param === 'asOf' ? `asOf=${fx.engine.revision - 1}` : 'asOfTime=1999';
    const past = get(`${url}/api/v1/pools?${query}`, fx.tokens.admin).then((r) => {
      order.push('asOf');
      return r;
    });
    // Once the rebuild is reading the log, a probe on a socket of its own.
    while (reads.reads === 0) await new Promise((r) => setImmediate(r));
    const probe = get(`${url}/healthz`).then((r) => {
      order.push('healthz');
      return r;
    });
    const [p, h] = await Promise.all([past, probe]);
    expect(p.status).toBe(200);
    expect(h.status).toBe(200);
    expect(order).toEqual(['healthz', 'asOf']);
  });

  it('a past state read again comes from the kept ones, equal to a rebuild from scratch', async () => {
    const fx = await fixture();
    f = fx;
    await fill(fx, 3000);
    const at = fx.engine.revision - 1001;
    const reads = countReads(fx);
    const first = await fx.call('admin', 'GET', `/api/v1/jobs?asOf=${at}&limit=1000&offset=500`);
    const afterFirst = reads.reads;
    expect(afterFirst).toBeGreaterThan(0);
    // Concurrent reads of one revision, and reads again: no more store reads, the same answers.
    const again = await Promise.all([
      fx.call('admin', 'GET', `/api/v1/jobs?asOf=${at}&limit=1000&offset=500`),
      fx.call('alice', 'GET', `/api/v1/jobs?asOf=${at}&limit=1000&offset=500`),
    ]);
    expect(reads.reads).toBe(afterFirst);
    expect(again[0].body).toEqual(first.body);
    expect(again[1].body).toEqual(first.body);
    // The kept state is the one a fresh engine rebuilds from the log.
    const fresh = await createEngine({ store: fx.store });
    expect(canonicalState(await fx.engine.stateAt(at))).toEqual(canonicalState(await fresh.stateAt(at)));
    // Five other revisions push the first out of the four kept: it is rebuilt, and still equal.
    for (let k = 1; k <= 5; k++) await fx.engine.stateAt(at - k);
    const before = reads.reads;
    const rebuilt = await fx.call('admin', 'GET', `/api/v1/jobs?asOf=${at}&limit=1000&offset=500`);
    expect(reads.reads).toBeGreaterThan(before);
    expect(rebuilt.body).toEqual(first.body);
  });

  it('asOfTime answers as asOf the revision of that time', async () => {
    const fx = await fixture();
    f = fx;
    filled = -1;
    fx.clock.t = 2000;
    await fill(fx, 2000);
    const t = await fx.call('admin', 'GET', '/api/v1/jobs?asOfTime=1500&limit=1000');
    expect(t.status).toBe(200);
    expect(t.body).toEqual([]); // before any job
    const r = await fx.call('admin', 'GET', '/api/v1/jobs?asOfTime=2000&limit=5');
    expect(r.body.map((j: { id: string }) => j.id)).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });
});

describe('one moment across streams', () => {
  it('a read of the past says its time (X-As-Of-Time), and the assets read as of that time are as they were then', async () => {
    const fx = await fixture();
    f = fx;
    const create = (name: string) =>
      fx.call('alice', 'POST', '/api/v1/datasets', { name, source: { kind: 'object', uri: `s3://b/${name}` } });
    fx.clock.t = 2000;
    expect((await create('early')).status).toBe(201);
    expect((await fx.call('alice', 'POST', '/api/v1/jobs', { jobId: 'then', kind: 'notebook', gpus: 0 })).status).toBe(201);
    const revision = fx.engine.revision;
    fx.clock.t = 3000;
    expect((await create('late')).status).toBe(201);
    expect((await fx.call('alice', 'POST', '/api/v1/jobs', { jobId: 'later', kind: 'notebook', gpus: 0 })).status).toBe(201);

    const past = await fx.call('alice', 'GET', `/api/v1/jobs?asOf=${revision}`);
    expect(past.body.map((j: { name: string }) => j.name)).toEqual(['then']);
    expect(past.headers['x-as-of-time']).toBe('2000');
    expect((await fx.call('alice', 'GET', '/api/v1/jobs')).headers['x-as-of-time']).toBeUndefined();
    const assets = await fx.call('alice', 'GET', `/api/v1/datasets?asOfTime=${past.headers['x-as-of-time']}`);
    expect(assets.body.map((a: { name: string }) => a.name)).toEqual(['early']);
  });
});
