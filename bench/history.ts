/**
 * `gpupool serve` after a long history: a SQLite store in which a million jobs (by default) have
 * finished, then the server started on it in a child process and loaded with submissions.
 *
 * The store is built through the engine as a server would have built it: a data scientist's 0-GPU
 * notebooks submitted, reported started and completed, 10,000 per batch, with the job archive in
 * the same file and a snapshot every 100,000 events (serve's default). Then the child measures its
 * start, its resident memory, the longest stall of its event loop and the time of each snapshot it
 * writes while autocannon submits more jobs (a 201 once durable; the runtime reports each started
 * two seconds later). GPUPOOL_BENCH_HISTORY_JOBS sets the number of finished jobs.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { TokenRegistry } from '../adapters/http/tokens.js';
import { SqliteJobArchive } from '../adapters/sqlite/job-archive.js';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import { JOB_OUTPUTS } from '../app/job-outputs.js';
import type { Command } from '../core/cluster/commands.js';
import { createEngine } from '../engine/engine.js';

export const HISTORY = {
  jobs: Number(process.env.GPUPOOL_BENCH_HISTORY_JOBS ?? 1_000_000),
  perBatch: 10_000,
  connections: 100,
  seconds: Number(process.env.GPUPOOL_BENCH_HTTP_SECONDS ?? 10),
};

export interface HistoryRun {
  buildSeconds: number;
  startSeconds: number;
  /** Resident memory right after start-up, and after the load (each after a collection). */
  rssStartMb: number;
  rssAfterMb: number;
  unfinished: number;
  finished: number;
  requestsPerSecond: number;
  p99Ms: number;
  /** The longest the event loop stood still during the load. */
  maxStallMs: number;
  /** A snapshot of the state the history left (before the load): the longest event-loop stall while it was taken and written. */
  snapshotMs: number;
  /** The time each snapshot the engine wrote during the load took to write (from the store's call). */
  snapshotsDuringLoadMs: number[];
  /** One of the state after the load: the longest stall while it was taken, and the time until it was written. */
  snapshotAfterLoadMs: number;
  snapshotAfterLoadTotalMs: number;
  unfinishedAfterLoad: number;
}

const CLUSTER_YAML = `nodes:
  - id: a100-1
    gpus: { type: A100, count: 8 }
`;

/** The store: `jobs` finished notebooks of data scientist `ds`; returns ds's token. */
async function build(file: string, jobs: number): Promise<string> {
  const store = new SqliteEventStore(file);
  const archive = new SqliteJobArchive(file);
  const engine = await createEngine({ store, archive, snapshotEvery: 100_000, clock: { now: () => 1_000 } });
  const setup = await engine.executeBatch([
    { type: 'Install', userId: 'op', name: 'Operator', commandId: 'bootstrap' },
    { type: 'OnboardUser', userId: 'ds', name: 'DS', role: 'data-scientist' },
  ]);
  if (setup.outcomes.some((o) => !o.ok)) throw new Error(`history bench: setup refused: ${JSON.stringify(setup.outcomes)}`);
  for (let first = 0; first < jobs; first += HISTORY.perBatch) {
    const ids = Array.from({ length: Math.min(HISTORY.perBatch, jobs - first) }, (_, i) => `default/h${first + i}`);
    const run = async (commands: Command[]) => {
      const r = await engine.executeBatch(commands);
      if (r.outcomes.some((o) => !o.ok)) throw new Error('history bench: a command was refused');
    };
    await run(ids.map((jobId): Command => ({ type: 'SubmitJob', jobId, kind: 'notebook', owner: 'ds', gpus: 0 })));
    await run(ids.map((jobId): Command => ({ type: 'ReportJobStarted', jobId })));
    await run(ids.map((jobId): Command => ({ type: 'ReportJobCompleted', jobId })));
  }
  // A server that served this history ran its job-outputs reactor all along, which kept its
  // checkpoint in step with the cluster stream: so does the store. Without one, the reactor's first
  // start reads the whole history (about 5 s of the server's CPU per million jobs, once) while the
  // load runs, which is another measurement than this one's.
  await store.writeCheckpoint(JOB_OUTPUTS, BigInt(engine.revision));
  const tokens = await TokenRegistry.open(store, { now: () => 1_000 });
  const user = engine.current.users.get('ds');
  if (!user) throw new Error('history bench: no user ds');
  const { token } = await tokens.issue(user, 'bench');
  // The operator's token too, so the server issues none at start.
  const op = engine.current.users.get('op');
  if (op) await tokens.issue(op, 'bench');
  await engine.close();
  tokens.close();
  await store.close();
  archive.close();
  return token;
}

/**
 * `gpupool serve` on an existing store file in a child process (history-child.ts), with a way to
 * wait for its messages; GPUPOOL_BENCH_HTTP_PROF=<dir> runs it with --cpu-prof into that folder.
 * The assets benchmark uses it too.
 */
export function serverChild(file: string, cluster: string) {
  const prof = process.env.GPUPOOL_BENCH_HTTP_PROF;
  const proc: ChildProcess = fork(new URL('./history-child.js', import.meta.url).pathname, [file, cluster], {
    execArgv: ['--expose-gc', ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (m.type !== type) return;
        proc.off('exit', onExit);
        proc.off('message', onMessage);
        resolve(m);
      };
      const onExit = (code: number | null) => reject(new Error(`history bench: the server exited (${code}) before '${type}'`));
      proc.on('message', onMessage);
      proc.once('exit', onExit);
    });
  return { proc, next };
}

export async function historyRun(): Promise<HistoryRun> {
  const dir = mkdtempSync(join(tmpdir(), 'gpupool-bench-history-'));
  try {
    const file = join(dir, 'history.db');
    const cluster = join(dir, 'cluster.yaml');
    writeFileSync(cluster, CLUSTER_YAML);
    const b0 = performance.now();
    const token = await build(file, HISTORY.jobs);
    const buildSeconds = (performance.now() - b0) / 1000;
    const server = serverChild(file, cluster);
    const [ready, started] = await Promise.all([server.next('ready'), server.next('started')]);
    const r = await autocannon({
      url: `${ready.url}/api/v1/jobs`,
      method: 'POST',
      connections: HISTORY.connections,
      duration: HISTORY.seconds,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'notebook', gpus: 0 }),
    });
    if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
      throw new Error(`history bench: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts; not a result`);
    }
    const measured = server.next('measured');
    server.proc.send({ type: 'measure' });
    const m = await measured;
    const closed = server.next('closed');
    server.proc.send({ type: 'close' });
    await closed;
    return {
      buildSeconds,
      startSeconds: ready.startSeconds as number,
      rssStartMb: ready.rssMb as number,
      rssAfterMb: m.rssMb as number,
      unfinished: ready.unfinished as number,
      finished: ready.finished as number,
      requestsPerSecond: r['2xx'] / r.duration,
      p99Ms: r.latency.p99,
      maxStallMs: m.maxStallMs as number,
      snapshotMs: (started.snapshot as { stallMs: number }).stallMs,
      snapshotsDuringLoadMs: m.snapshotsDuringLoadMs as number[],
      snapshotAfterLoadMs: (m.snapshot as { stallMs: number }).stallMs,
      snapshotAfterLoadTotalMs: (m.snapshot as { totalMs: number }).totalMs,
      unfinishedAfterLoad: m.unfinished as number,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
