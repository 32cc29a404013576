/**
 * Does a long read stall the server? A server over the in-memory store with a long log (default
 * 127,000 events: 63,500 notebooks submitted and allocated), on loopback, and a probe that asks
 * GET /healthz every 10 ms while:
 *
 * - replay: one event stream reads the whole history (`Last-Event-ID: -1`) as fast as it can;
 * - slow readers: ten streams ask for the whole history and read nothing for 5 s (the process's
 *   resident memory is reported after);
 * - asOf: one read of the past (GET /api/v1/pools?asOf=<half the log>), then the same again.
 *
 * For each: how long it took and the probe's worst and median latency meanwhile. The server and
 * the clients share one process, so a stall shows in both; what is compared is before and after.
 *
 *   npx tsx bench/stalls.ts [events]
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildServer } from '../adapters/http/server.js';
import * as tokenModule from '../adapters/http/tokens.js';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import type { Command } from '../core/cluster/commands.js';
import { createEngine } from '../engine/engine.js';

const EVENTS = Number(process.argv[2] ?? 127_000);

const store = new InMemoryEventStore();
const clock = { now: () => 1000 };
const engine = await createEngine({ store, clock });
await engine.executeBatch([{ type: 'Install', userId: 'admin', name: 'Admin' }]);
for (let i = 0; engine.revision + 1 < EVENTS; i++) {
  const batch: Command[] = [];
  for (let j = 0; j < 1000; j++)
    batch.push({ type: 'SubmitJob', jobId: `j${i}-${j}`, kind: 'notebook', owner: 'admin', gpus: 0 });
  await engine.executeBatch(batch);
}
const tokens = await tokenModule.TokenRegistry.open(store, clock);
// The registry's issue() takes a user id, or (with user incarnations) the user.
// biome-ignore lint/suspicious/noExplicitAny: either, by version
const issue = tokens.issue.bind(tokens) as (u: any) => Promise<{ token: string }>;
const token = (await issue('tokenHolds' in tokenModule ? engine.current.users.get('admin') : 'admin')).token;
// Ten streams for one user: above the default cap, which is not what is measured here.
const app = await buildServer({ engine, tokens, logger: false, ...{ streams: { maxPerUser: 10 } } });
await app.listen({ port: 0, host: '127.0.0.1' });
const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
console.log(`${engine.revision + 1} events`);

function get(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    request(`${url}${path}`, { headers }, (r) => {
      r.resume();
      r.on('end', () => resolve(r.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

/** Probe /healthz every 10 ms until `until` settles: the latencies, in ms. */
async function probeWhile<T>(until: Promise<T>): Promise<{ value: T; ms: number; latencies: number[] }> {
  const latencies: number[] = [];
  let done = false;
  const t0 = performance.now();
  const value = until.finally(() => {
    done = true;
  });
  const probing = (async () => {
    while (!done) {
      const t = performance.now();
      await get('/healthz');
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const v = await value;
  const ms = performance.now() - t0;
  await probing;
  return { value: v, ms, latencies };
}

const report = (what: string, r: { ms: number; latencies: number[] }) => {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const max = sorted.at(-1) ?? 0;
  console.log(
    `${what}: ${r.ms.toFixed(0)} ms; /healthz p50 ${p50.toFixed(1)} ms, max ${max.toFixed(0)} ms (${sorted.length} probes)`,
  );
};

/** A stream from the start of the log, read until `last` arrives (or, paused, never read). */
function stream(last: number, paused = false): { done: Promise<void>; close(): void } {
  let close = () => {};
  const done = new Promise<void>((resolve, reject) => {
    const req = request(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${token}`, 'last-event-id': '-1' } }, (r) => {
      if (r.statusCode !== 200) return reject(new Error(`the stream answered ${r.statusCode}`));
      if (paused) return void r.pause();
      let tail = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => {
        tail = (tail + d).slice(-200);
        if (tail.includes(`id: ${last}\n`)) resolve();
      });
      r.on('end', resolve);
    });
    req.on('error', (e) => (paused ? resolve() : reject(e)));
    req.end();
    close = () => req.destroy();
  });
  return { done, close: () => close() };
}

const last = engine.durableRevision;
const one = stream(last);
report('replay of the whole log to one stream', await probeWhile(one.done));
one.close();

const slow = Array.from({ length: 10 }, () => stream(last, true));
const rssBefore = process.memoryUsage().rss;
report('ten readers that read nothing, for 5 s', await probeWhile(new Promise((r) => setTimeout(r, 5000))));
console.log(
  `  resident memory: ${(rssBefore / 2 ** 20).toFixed(0)} MB before, ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB after`,
);
for (const s of slow) s.close();

const asOf = `/api/v1/pools?asOf=${Math.floor(last / 2)}`;
const auth = { authorization: `Bearer ${token}` };
const ok = (status: number) => {
  if (status !== 200) throw new Error(`asOf answered ${status}`);
};
report('asOf (rebuilt)', await probeWhile(get(asOf, auth).then(ok)));
report('asOf again', await probeWhile(get(asOf, auth).then(ok)));
await app.close();
process.exit(0);
