/**
 * The HTTP server under load, on loopback: the whole of `gpupool serve` (fastify, token check,
 * the core's codecs, the engine, the SQLite store with WAL and synchronous=FULL, the realtime
 * runtime) in a child process of its own, and autocannon in this one, so the two do not share an
 * event loop (the bench machine has two cores: one each).
 *
 * - submit: POST /api/v1/jobs as a data scientist, a 0-GPU notebook each (allocated at once, so
 *   nothing waits; the runtime reports each started two seconds later, as `gpupool serve` does).
 *   A 201 is answered only once the job's events are durable; group commit gathers the
 *   submissions that arrive together into one transaction.
 * - queue: GET /api/v1/pools/<pool>/queue as a data scientist of that pool, with 1,000 jobs of
 *   theirs waiting behind a full pool (each entry is the job and why it waits).
 *
 * Every response must be 2xx: a run with any other status or with socket errors is refused, not
 * reported. GPUPOOL_BENCH_HTTP_SECONDS sets the measured seconds per run (default 10);
 * GPUPOOL_BENCH_HTTP_PROF=<dir> runs the server with --cpu-prof into that folder.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface LoadRun {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
}

export interface HttpRun {
  /** Requests per transaction: submissions over the transactions written meanwhile (the runtime's reports too). */
  submit: LoadRun & { requestsPerTransaction: number };
  queue: LoadRun & { bytesPerResponse: number };
}

export const HTTP = {
  submitConnections: 100,
  queueConnections: 10,
  waiting: 1_000,
  seconds: Number(process.env.GPUPOOL_BENCH_HTTP_SECONDS ?? 10),
  warmupSeconds: 2,
};

/** Four nodes of 8 A100 for the submitters' pool, one of 8 H100 for the pool with the standing queue. */
const CLUSTER_YAML = `nodes:
${[1, 2, 3, 4].map((n) => `  - id: a100-${n}\n    gpus: { type: A100, count: 8 }`).join('\n')}
  - id: h100-1
    gpus: { type: H100, count: 8 }
`;

interface Stats {
  appends: number;
  transactions: number;
}

/** The server child: its URL, the operator's token, and a way to read its store's figures and stop it. */
export interface Server {
  url: string;
  token: string;
  stats(): Promise<Stats>;
  close(): Promise<Stats>;
}

export function startServer(dir: string): Promise<Server> {
  const cluster = join(dir, 'cluster.yaml');
  writeFileSync(cluster, CLUSTER_YAML);
  const prof = process.env.GPUPOOL_BENCH_HTTP_PROF;
  const child: ChildProcess = fork(new URL('./http-child.js', import.meta.url).pathname, [join(dir, 'http.db'), cluster], {
    execArgv: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (m.type !== type) return;
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve(m);
      };
      const onExit = (code: number | null) => reject(new Error(`http bench: the server exited (${code}) before '${type}'`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return next('ready').then((ready) => ({
    url: ready.url as string,
    token: ready.token as string,
    stats: async () => {
      const reply = next('stats');
      child.send({ type: 'stats' });
      return (await reply).stats as Stats;
    },
    close: async () => {
      const closed = next('closed');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      const { stats } = await closed;
      await exited;
      return stats as Stats;
    },
  }));
}

/** One request through fetch; anything but the expected status stops the benchmark. */
export async function call(url: string, token: string, method: string, path: string, body?: unknown, expect = [200, 201]) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!expect.includes(res.status)) throw new Error(`http bench setup: ${method} ${path} answered ${res.status}: ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** A group with a pool of `count` GPUs of `gpuType` and one data scientist; their token. */
export async function onboard(s: Server, id: string, gpuType: string, count: number): Promise<string> {
  await call(s.url, s.token, 'POST', '/api/v1/pools', { poolId: id, name: id, gpuType });
  await call(s.url, s.token, 'POST', `/api/v1/pools/${id}/allocations`, { count });
  await call(s.url, s.token, 'POST', '/api/v1/groups', { groupId: id, name: id });
  await call(s.url, s.token, 'PUT', `/api/v1/groups/${id}/pool`, { poolId: id });
  await call(s.url, s.token, 'POST', '/api/v1/users', { userId: `${id}-ds`, name: id, role: 'data-scientist', groupId: id });
  return (await call(s.url, s.token, 'POST', `/api/v1/users/${id}-ds/tokens`, {})).token;
}

/** Run autocannon and refuse a run with any non-2xx answer or socket error. */
export async function load(name: string, options: autocannon.Options): Promise<LoadRun & { bytes: number }> {
  const r = await autocannon(options);
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(
      `http bench (${name}): ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts (status codes: ${JSON.stringify(r.statusCodeStats)}); not a result`,
    );
  }
  return {
    requestsPerSecond: r['2xx'] / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r['2xx'],
    bytes: r.throughput.total,
  };
}

/** One repetition: a fresh server on a fresh SQLite file, the submissions, then the queue reads. */
export async function httpRun(): Promise<HttpRun> {
  const dir = mkdtempSync(join(tmpdir(), 'gpupool-bench-http-'));
  const server = await startServer(dir);
  try {
    const submitter = await onboard(server, 'train', 'A100', 32);
    const submitOptions = (duration: number): autocannon.Options => ({
      url: `${server.url}/api/v1/jobs`,
      method: 'POST',
      connections: HTTP.submitConnections,
      duration,
      headers: { authorization: `Bearer ${submitter}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'notebook', gpus: 0 }),
    });
    await load('submit warm-up', submitOptions(HTTP.warmupSeconds));
    const before = await server.stats();
    const submitted = await load('submit', submitOptions(HTTP.seconds));
    const after = await server.stats();

    // The standing queue: the pool's 8 GPUs busy with jobs that run until stopped, then 1,000 waiting.
    const reader = await onboard(server, 'queue', 'H100', 8);
    const enqueue = (i: number) =>
      call(server.url, reader, 'POST', '/api/v1/jobs', { jobId: `q${i}`, kind: 'training', gpus: 1, tags: ['bench'] });
    for (let i = 0; i < 8 + HTTP.waiting; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, 8 + HTTP.waiting - i) }, (_, k) => enqueue(i + k)));
    }
    const line = await call(server.url, reader, 'GET', '/api/v1/pools/queue/queue?limit=1000');
    if (line.length !== HTTP.waiting) throw new Error(`http bench: ${line.length} jobs wait, not ${HTTP.waiting}`);
    const readOptions = (duration: number): autocannon.Options => ({
      url: `${server.url}/api/v1/pools/queue/queue?limit=1000`,
      connections: HTTP.queueConnections,
      duration,
      headers: { authorization: `Bearer ${reader}` },
    });
    await load('queue warm-up', readOptions(HTTP.warmupSeconds));
    const read = await load('queue', readOptions(HTTP.seconds));
    const { bytes: _sent, ...submit } = submitted;
    const { bytes, ...queue } = read;
    return {
      submit: { ...submit, requestsPerTransaction: submitted.requests / Math.max(1, after.transactions - before.transactions) },
      queue: { ...queue, bytesPerResponse: bytes / Math.max(1, read.requests) },
    };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
