/**
 * When will it start, under load: a server (fastify over the in-memory store, in this process) whose
 * one pool of 256 GPUs (32 nodes x 8 A100, fifo, node placement) is full, with 10,000 jobs waiting
 * (the bench mix of 1 to 16 GPUs, half with an expected duration). Then `GET
 * /api/v1/pools/<pool>/forecast` on loopback, one request at a time, each on a new revision (a
 * node of another pool cordoned or uncordoned between them, so no answer is a kept one), and the
 * same for `POST /api/v1/forecast/what-if` (the pool's policy changed to sjf). Meanwhile
 * `monitorEventLoopDelay` watches the server's event loop: its longest stall is what a forecast
 * holds everyone else up. The same with the forecast made on the event loop (`inline`), for
 * comparison.
 */
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildServer } from '../adapters/http/server.js';
import { TokenRegistry } from '../adapters/http/tokens.js';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import type { Command } from '../core/cluster/commands.js';
import { forecast, forkState } from '../core/cluster/forecast.js';
import type { Policy } from '../core/cluster/model.js';
import { createEngine, type Engine } from '../engine/engine.js';

export const FORECAST = { nodes: 32, gpusPerNode: 8, waiting: 10_000, requests: 40, warmup: 10 };

export interface ForecastRun {
  waiting: number;
  pool: LatencyRun;
  whatIf: LatencyRun;
  /** The pool forecast with the forecast made on the event loop. */
  inline: LatencyRun;
}

export interface LatencyRun {
  p50Ms: number;
  p99Ms: number;
  /** The longest the server's event loop was held up while the requests ran. */
  maxStallMs: number;
  bytes: number;
}

/** The bench's job mix: 40% 1 GPU, 20% 2, 20% 4, 15% 8, 5% 16 as two workers of 8. */
function shape(r: number): { gpus: number; workers?: number } {
  if (r < 0.4) return { gpus: 1 };
  if (r < 0.6) return { gpus: 2 };
  if (r < 0.8) return { gpus: 4 };
  if (r < 0.95) return { gpus: 8 };
  return { gpus: 16, workers: 2 };
}

async function cluster(policy: Policy = 'fifo'): Promise<Engine> {
  const clock = { now: () => 1_000_000 };
  const engine = await createEngine({ store: new InMemoryEventStore(), clock });
  const setup: Command[] = [{ type: 'Install', userId: 'admin', name: 'Admin' }];
  for (let n = 0; n < FORECAST.nodes + 1; n++) {
    setup.push({
      type: 'RegisterNode',
      nodeId: `n${String(n).padStart(3, '0')}`,
      devices: Array.from({ length: FORECAST.gpusPerNode }, (_, index) => ({ index, gpuType: 'A100' })),
    });
  }
  setup.push(
    { type: 'CreatePool', poolId: 'big', name: 'big', gpuType: 'A100', policy },
    { type: 'AllocateGPUs', poolId: 'big', count: FORECAST.nodes * FORECAST.gpusPerNode },
    { type: 'CreateGroup', groupId: 'team', name: 'team' },
    { type: 'AssignPool', groupId: 'team', poolId: 'big' },
    { type: 'OnboardUser', userId: 'ds', name: 'ds', role: 'data-scientist', groupId: 'team' },
  );
  const r = await engine.executeBatch(setup);
  if (r.outcomes.some((o) => !o.ok)) throw new Error(`forecast bench setup: ${JSON.stringify(r.outcomes)}`);
  // A seeded generator: every run forecasts the same queue.
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let i = 0;
  const waiting = () => engine.current.queues.get('team')?.size ?? 0;
  while (waiting() < FORECAST.waiting) {
    const batch: Command[] = [];
    for (let k = 0; k < Math.min(1000, FORECAST.waiting - waiting() + 50); k++, i++) {
      batch.push({
        type: 'SubmitJob',
        jobId: `team/j${i}`,
        kind: 'training',
        owner: 'ds',
        ...shape(random()),
        ...(random() < 0.5 ? { expectedDuration: 600 + Math.floor(random() * 4 * 3600) } : {}),
        tags: ['bench'],
        spec: { image: 'registry.example/train:1', args: ['--epochs', '10'] },
      });
    }
    await engine.executeBatch(batch);
  }
  return engine;
}

async function measure(
  url: string,
  token: string,
  engine: Engine,
  request: { method: 'GET' | 'POST'; path: string; body?: unknown },
): Promise<LatencyRun> {
  let flip = false;
  const once = async () => {
    // A new revision, so the forecast is made afresh (n032 is in no pool the forecast reads).
    flip = !flip;
    await engine.executeBatch([
      { type: flip ? 'CordonNode' : 'UncordonNode', nodeId: `n${String(FORECAST.nodes).padStart(3, '0')}` },
    ]);
    const t0 = performance.now();
    const res = await fetch(url + request.path, {
      method: request.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`forecast bench: ${request.path} answered ${res.status}: ${text.slice(0, 300)}`);
    return { ms, bytes: text.length };
  };
  for (let k = 0; k < FORECAST.warmup; k++) await once();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const times: number[] = [];
  let bytes = 0;
  for (let k = 0; k < FORECAST.requests; k++) {
    const r = await once();
    times.push(r.ms);
    bytes = r.bytes;
  }
  delay.disable();
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] as number;
  return { p50Ms: q(0.5), p99Ms: q(0.99), maxStallMs: delay.max / 1e6, bytes };
}

export async function forecastRun(): Promise<ForecastRun> {
  const engine = await cluster();
  const clock = { now: () => 1_000_000 };
  const out: Partial<ForecastRun> = { waiting: engine.current.queues.get('team')?.size ?? 0 };
  const tokens = await TokenRegistry.open(engine.store, clock);
  const admin = (await tokens.issue(engine.current.users.get('admin')!)).token;
  const ds = (await tokens.issue(engine.current.users.get('ds')!)).token;
  for (const thread of ['worker', 'inline'] as const) {
    const app = await buildServer({ engine, tokens, dashboard: null, forecast: { thread, cacheSeconds: 0 } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const pool = await measure(url, ds, engine, { method: 'GET', path: '/api/v1/pools/big/forecast' });
      if (thread === 'inline') out.inline = pool;
      else {
        out.pool = pool;
        out.whatIf = await measure(url, admin, engine, {
          method: 'POST',
          path: '/api/v1/forecast/what-if?pool=big',
          body: { changes: [{ type: 'ConfigurePool', poolId: 'big', policy: 'sjf' }] },
        });
      }
    } finally {
      await app.close();
    }
  }
  return out as ForecastRun;
}

/**
 * The forecast itself, in this process and without the server, on the same queue under each
 * policy: first-fit and backfill look past the head of the queue in every scheduling pass, and a
 * forecast runs a pass at each of its some 10,000 instants. Each repetition times `runs` forecasts
 * of fresh forks of one state (the fork included, as a worker makes it), in CPU time with --cpu.
 */
export async function forecastPolicyRun(policy: Policy, runs: number): Promise<{ waiting: number; ms: number[] }> {
  const engine = await cluster(policy);
  const ms: number[] = [];
  for (let k = 0; k < runs; k++) {
    const elapsed = stopwatch();
    const f = forecast(forkState(engine.current), { now: 1_000_000, typicalDuration: () => 3600 });
    ms.push(elapsed());
    if (f._tag === 'Left') throw new Error(`forecast bench: ${f.left.message}`);
  }
  return { waiting: engine.current.queues.get('team')?.size ?? 0, ms };
}

/**
 * Milliseconds since it was made: wall time, or with --cpu (as run.ts's clock) this process's CPU
 * time, steadier on a shared machine where other processes take turns on the cores.
 */
function stopwatch(): () => number {
  if (process.argv.includes('--cpu')) {
    const c0 = process.cpuUsage();
    return () => {
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1000;
    };
  }
  const t0 = performance.now();
  return () => performance.now() - t0;
}
