/**
 * gpupool benchmarks: `npx tsx bench/run.ts [replay|throughput|reschedule ...] [--reps N]`
 * (or `npm run bench`). Each benchmark repeats its measurement and reports the median (and the
 * spread), because these machines are shared and noisy. Targets: bench/README.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import type { Event } from '../core/cluster/events.js';
import { decodeEvent } from '../core/cluster/events.js';
import { evolve, initialState, replay, takeRetired } from '../core/cluster/evolve.js';
import type { Policy } from '../core/cluster/model.js';
import { ASSETS, type AssetsRun, assetsRun } from './assets.js';
import { DASHBOARD, type DashboardRun, dashboardRun } from './dashboard.js';
import { durableAppends, startup } from './durable.js';
import { FORECAST, type ForecastRun, forecastPolicyRun, forecastRun } from './forecast.js';
import { HISTORY, type HistoryRun, historyRun } from './history.js';
import { HTTP, type HttpRun, httpRun } from './http.js';
import { type InputsRun, inputsRun } from './inputs.js';
import { KUBERNETES, type KubernetesRun, kubernetesRun } from './kubernetes.js';
import { PIPELINES_BENCH, recurringTicks, wideLoopRun } from './pipelines.js';
import { PIPELINES_SCHEDULE, type PipelinesScheduleRun, pipelinesScheduleRun } from './pipelines-schedule.js';
import {
  coreExecutor,
  engineExecutor,
  RESCHEDULE,
  RESCHEDULE_LONG,
  RESCHEDULE_LONG_ZONED,
  type RescheduleOptions,
  runReleases,
  runThroughput,
  setupReschedule,
  THROUGHPUT,
  throughputEvents,
} from './scenarios.js';
import { runBaseline, runSimulate, workload } from './simulate.js';
import { experimentRun, TUNING, tuningRun } from './tuning.js';

interface Figure {
  name: string;
  unit: string;
  values: number[];
  /** Pass when the median is >= (or <= for 'max') the target; none for a reference figure. */
  target?: { kind: 'min' | 'max'; value: number };
}

const gc = (globalThis as { gc?: () => void }).gc;
const collect = () => gc?.();

/**
 * With --cpu, durations are this process's CPU time (user + system, all threads) instead of wall
 * time: steadier on a shared machine, where other processes take turns on the cores, but it also
 * counts the garbage collector's helper threads, so it reads a little slower than wall time on
 * an idle machine. The targets are meant for wall time.
 */
const useCpu = process.argv.includes('--cpu');
export function clock(): () => number {
  if (useCpu) {
    const c0 = process.cpuUsage();
    return () => {
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1000;
    };
  }
  const t0 = performance.now();
  return () => performance.now() - t0;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

const fmt = (n: number) =>
  n >= 1000 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(1) : n >= 0.1 ? n.toFixed(3) : n.toFixed(4);

function report(f: Figure): void {
  const m = median(f.values);
  const spread = `[${fmt(Math.min(...f.values))} .. ${fmt(Math.max(...f.values))}]`;
  let verdict = '(reference)';
  if (f.target) {
    const ok = f.target.kind === 'min' ? m >= f.target.value : m <= f.target.value;
    verdict = `target ${`${f.target.kind === 'min' ? '>=' : '<'} ${fmt(f.target.value)}`.padEnd(10)} ${ok ? 'ok' : 'MISSED'}`;
  }
  console.log(`  ${f.name.padEnd(34)} ${fmt(m).padStart(12)} ${f.unit.padEnd(9)} ${spread.padEnd(26)} ${verdict}`);
}

// -- replay ----------------------------------------------------------------------------------------

async function benchReplay(reps: number): Promise<void> {
  const events = await throughputEvents();
  // What a store hands back: plain JSON data, decoded before folding.
  const json: unknown[] = JSON.parse(JSON.stringify(events));
  console.log(`replay: ${events.length.toLocaleString('en-US')} events from one throughput run (${mix(events)})`);
  const plain: number[] = [];
  const decoded: number[] = [];
  replay(events); // warm-up
  // Finished jobs leave the state through `retired`, which the engine empties after every page of
  // events it folds (its `folded` hook; with no job archive they are dropped). Without that, the
  // state would keep every finished job to the end, as no host does.
  const PAGE = 10_000;
  for (let r = 0; r < reps; r++) {
    collect();
    let elapsed = clock();
    const folded = initialState();
    for (let i = 0; i < events.length; i++) {
      evolve(folded, events[i] as Event);
      if (i % PAGE === PAGE - 1) takeRetired(folded);
    }
    plain.push(events.length / (elapsed() / 1000));
    collect();
    elapsed = clock();
    const state = initialState();
    for (let i = 0; i < json.length; i++) {
      const d = decodeEvent(json[i]);
      if (!d.ok) throw new Error(d.message);
      evolve(state, d.value);
      if (i % PAGE === PAGE - 1) takeRetired(state);
    }
    decoded.push(json.length / (elapsed() / 1000));
  }
  report({ name: 'evolve', unit: 'events/s', values: plain, target: { kind: 'min', value: 500_000 } });
  report({ name: 'decodeEvent + evolve', unit: 'events/s', values: decoded, target: { kind: 'min', value: 500_000 } });
}

function mix(events: readonly Event[]): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([t, n]) => `${t} ${Math.round((100 * n) / events.length)}%`)
    .join(', ');
}

// -- throughput ------------------------------------------------------------------------------------

async function benchThroughput(reps: number): Promise<void> {
  const o = THROUGHPUT;
  console.log(
    `throughput: ${o.nodes * o.gpusPerNode} GPUs (${o.nodes} nodes x ${o.gpusPerNode}), one fifo pool, ${o.batches} batches of ${o.batchSize} submissions; jobs submitted, scheduled and completed per second`,
  );
  const variants = [
    { name: 'engine, full cluster + queue', pattern: 'rolling', engine: true },
    { name: 'engine, submit then complete', pattern: 'alternate', engine: true },
    { name: 'core alone, full cluster + queue', pattern: 'rolling', engine: false },
  ] as const;
  for (const v of variants) {
    const options = { ...o, pattern: v.pattern };
    const executor = async () => (v.engine ? (await engineExecutor()).execute : coreExecutor());
    await runThroughput(await executor(), { ...options, batches: 10 }); // warm-up
    const values: number[] = [];
    for (let r = 0; r < reps; r++) {
      const execute = await executor();
      collect();
      const run = await runThroughput(execute, options, clock);
      values.push(run.jobs / (run.ms / 1000));
    }
    report({ name: v.name, unit: 'jobs/s', values, ...(v.engine ? { target: { kind: 'min', value: 100_000 } } : {}) });
  }
}

// -- reschedule ------------------------------------------------------------------------------------

async function benchReschedule(reps: number, releases = 2_000): Promise<void> {
  const targets: Record<string, number> = { fifo: 1, 'first-fit': 5 };
  for (const policy of ['fifo', 'first-fit', 'backfill'] as Policy[]) {
    await rescheduleCase(reps, releases, RESCHEDULE, policy, targets[policy]);
  }
  // One long queue: every release runs the pass of a pool with 10,000 jobs waiting, half of them
  // with an expected duration (for backfill's shadow time).
  for (const policy of ['fifo', 'first-fit', 'backfill'] as Policy[]) {
    await rescheduleCase(reps, releases, RESCHEDULE_LONG, policy);
  }
  // The same queue with half its jobs kept to one zone, by a node selector or a node affinity:
  // their fit is asked of a view of the pool's matching nodes, made per question.
  for (const policy of ['fifo', 'first-fit', 'backfill'] as Policy[]) {
    await rescheduleCase(reps, releases, RESCHEDULE_LONG_ZONED, policy);
  }
}

async function rescheduleCase(
  reps: number,
  releases: number,
  shape: Omit<RescheduleOptions, 'policy'>,
  policy: Policy,
  target?: number,
): Promise<void> {
  {
    const p50: number[] = [];
    const p99: number[] = [];
    let waiting = 0;
    let started = 0;
    for (let r = 0; r < reps; r++) {
      const s = setupReschedule({ ...shape, policy });
      waiting = s.waiting;
      runReleases(s, 200, 1000 + r); // warm-up on this state
      collect();
      // Always wall time: process CPU time also counts the collector's helper threads, whose
      // bursts land on whichever release is being timed and swamp a 10 us pass.
      const times = runReleases(s, releases, r + 1);
      started = times.reduce((n, x) => n + x.started, 0) / times.length;
      p50.push(
        quantile(
          times.map((x) => x.ms),
          0.5,
        ),
      );
      p99.push(
        quantile(
          times.map((x) => x.ms),
          0.99,
        ),
      );
    }
    const long = shape.pools === 1;
    const zoned = shape.nodeRules === true ? ', half kept to a zone' : '';
    console.log(
      `reschedule (${policy}${long ? ', one long queue' : ''}${zoned}): ${shape.pools} pool${shape.pools === 1 ? '' : 's'} x ${shape.nodesPerPool} nodes x ${shape.gpusPerNode} GPUs, ${waiting.toLocaleString('en-US')} waiting; ${releases} single releases per repetition, ${started.toFixed(2)} jobs started per release`,
    );
    const t = target === undefined ? {} : { target: { kind: 'max' as const, value: target } };
    const name = long ? `${policy}, one pool of ${waiting.toLocaleString('en-US')} waiting${zoned},` : policy;
    report({ name: `${name} pass p50`, unit: 'ms', values: p50, ...t });
    report({ name: `${name} pass p99`, unit: 'ms', values: p99, ...t });
  }
}

// -- simulate ------------------------------------------------------------------------------------

/**
 * `gpupool simulate` end to end on synthetic traces (11 pools, 2,816 GPUs). Targets: 100,000 jobs
 * (count placement, fifo) in <= 1.5 s and <= 1 GB; 1,000,000 jobs in <= 12 s and <= 1 GB; 70,000
 * jobs with --no-report (jobs.csv and summary.json only) in <= 0.6 s, start-up included. Also node
 * placement, first-fit, and how the time grows from 10k to 1M jobs. Set GPUPOOL_BENCH_MAX_JOBS to
 * skip the largest traces.
 *
 * The 70k target was set as 1.33 times the time of a plain heap-based simulator in Python on the
 * same files (bench/baselines/heap_sim.py: 0.45 s then): it runs beside the 70k case, the two
 * alternating, and the ratio of their medians (target <= 1.33) holds better than seconds on a
 * shared machine. Skipped, with a note, without python3 on PATH.
 */
async function benchSimulate(reps: number): Promise<void> {
  const dir = '.bench-out/traces';
  const out = '.bench-out/sim-out';
  const maxJobs = Number(process.env.GPUPOOL_BENCH_MAX_JOBS ?? 1_000_000);
  console.log('simulate: the whole command, CSV to report (or to summary.json), synthetic traces on 11 pools x 256 GPUs');
  const cases: { jobs: number; args: string[]; label: string; seconds?: number; mb?: number; baseline?: boolean }[] = [
    {
      jobs: 70_000,
      args: ['--placement', 'count', '--no-report'],
      label: 'count, fifo, --no-report',
      seconds: 0.6,
      baseline: true,
    },
    { jobs: 10_000, args: ['--placement', 'count'], label: 'count, fifo' },
    { jobs: 100_000, args: ['--placement', 'count'], label: 'count, fifo', seconds: 1.5, mb: 1024 },
    { jobs: 100_000, args: ['--placement', 'node'], label: 'node, fifo' },
    { jobs: 100_000, args: ['--placement', 'count', '--policy', 'first-fit'], label: 'count, first-fit' },
    { jobs: 1_000_000, args: ['--placement', 'count'], label: 'count, fifo', seconds: 12, mb: 1024 },
  ];
  const perJob: [number, number][] = [];
  for (const c of cases) {
    if (c.jobs > maxJobs) continue;
    const files = workload(c.jobs, dir);
    const baseline: number[] = [];
    let python = c.baseline === true;
    const runs = Array.from({ length: c.jobs >= 1_000_000 ? Math.min(reps, 3) : reps }, () => {
      const run = runSimulate(files, c.args, out);
      // The yardstick right after each run: both see the machine as it is at the time.
      const seconds = python ? runBaseline(files, `${out}-baseline`) : undefined;
      if (seconds === undefined) python = false;
      else baseline.push(seconds);
      return run;
    });
    const name = `${c.jobs.toLocaleString('en-US')} jobs, ${c.label}`;
    report({
      name: `${name}: wall`,
      unit: 's',
      values: runs.map((r) => r.seconds),
      ...(c.seconds ? { target: { kind: 'max', value: c.seconds } } : {}),
    });
    report({
      name: `${name}: peak memory`,
      unit: 'MB',
      values: runs.map((r) => r.peakMb),
      ...(c.mb ? { target: { kind: 'max', value: c.mb } } : {}),
    });
    if (c.baseline) reportBaseline(name, runs, baseline);
    if (c.label === 'count, fifo') perJob.push([c.jobs, median(runs.map((r) => r.seconds))]);
  }
  const [first, ...rest] = perJob;
  if (first) {
    for (const [jobs, s] of rest) {
      const ratio = s / first[1] / (jobs / first[0]);
      console.log(
        `  growth ${first[0].toLocaleString('en-US')} -> ${jobs.toLocaleString('en-US')} jobs: time x${(s / first[1]).toFixed(1)} for jobs x${jobs / first[0]} (${ratio.toFixed(2)} of linear)`,
      );
    }
  }
}

/** The yardstick's wall time and the ratio of the medians, ours to its (target <= 1.33 = 0.6 / 0.45). */
function reportBaseline(name: string, runs: readonly { seconds: number }[], baseline: readonly number[]): void {
  if (baseline.length === 0) {
    console.log(`  ${name}: no python3 on PATH, the yardstick (bench/baselines/heap_sim.py) not run`);
    return;
  }
  report({ name: 'heap_sim.py (the yardstick): wall', unit: 's', values: [...baseline] });
  const ratio = median(runs.map((r) => r.seconds)) / median(baseline);
  report({ name: `${name}: x the yardstick`, unit: 'x', values: [ratio], target: { kind: 'max', value: 1.33 } });
}

// -- durable (SQLite) ------------------------------------------------------------------------------

/** Durable appends through the engine on SQLite, and start-up with and without a snapshot. */
async function benchDurable(reps: number): Promise<void> {
  console.log('durable: SQLite (WAL, synchronous=FULL), single-command batches through the engine');
  for (const callers of [1, 16, 256]) {
    const total = callers === 1 ? 2_000 : 20_000;
    const runs = [];
    for (let r = 0; r < reps; r++) runs.push(await durableAppends(callers, total));
    const perTx = runs.map((x) => total / x.transactions);
    report({
      name: `${callers} caller${callers === 1 ? '' : 's'}: commands/s`,
      unit: 'cmd/s',
      values: runs.map((x) => x.commandsPerSecond),
      ...(callers === 256 ? { target: { kind: 'min' as const, value: 20_000 } } : {}),
    });
    report({ name: `${callers} caller${callers === 1 ? '' : 's'}: p99 latency`, unit: 'ms', values: runs.map((x) => x.p99Ms) });
    report({ name: `${callers} caller${callers === 1 ? '' : 's'}: commands per transaction`, unit: '', values: perTx });
  }
  const events = Number(process.env.GPUPOOL_BENCH_STARTUP_EVENTS ?? 1_000_000);
  const s = await startup(events, Math.min(reps, 5));
  console.log(`start-up on ${s.events.toLocaleString('en-US')} events (SQLite), a fresh process each time`);
  report({ name: 'with a snapshot', unit: 's', values: s.withSnapshotS, target: { kind: 'max', value: 1 } });
  report({ name: 'without a snapshot', unit: 's', values: s.withoutSnapshotS });
  report({ name: 'replay from SQLite', unit: 'events/s', values: s.withoutSnapshotS.map((x) => s.events / x) });
  report({ name: 'SQLite read alone', unit: 'events/s', values: s.readOnlyS.map((x) => s.events / x) });
}

// -- follow (another process's appends, through the store) -----------------------------------------

/**
 * How soon a reactor sees another process's append on SQLite: a child process appends one event at
 * a time at random intervals (2-20 ms), each stamped with the wall-clock time it was handed to the
 * store; this process follows the stream through its own store object on the same file (as a
 * reactor does) and measures each event's delivery delay.
 */
const here = dirname(fileURLToPath(import.meta.url));

async function benchFollow(reps: number): Promise<void> {
  const events = 500;
  console.log(`follow: ${events} appends by another process to a SQLite file, seen through a subscription on the same file`);
  const p50: number[] = [];
  const p99: number[] = [];
  for (let r = 0; r < reps; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'gpupool-follow-'));
    const file = join(dir, 'follow.db');
    const store = new SqliteEventStore(file);
    await store.append('follow', [{ id: crypto.randomUUID(), type: 'Start', data: {} }], 'no_stream');
    const delays: number[] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    const subscription = store.subscribe('follow', { after: 0n }, (e) => {
      const sentAt = (e.data as { sentAt?: number }).sentAt;
      if (sentAt === undefined) return;
      delays.push(performance.timeOrigin + performance.now() - sentAt);
      if (delays.length === events) done();
    });
    const child = spawn(process.execPath, [...process.execArgv, join(here, 'follow-child.js'), file, String(events)], {
      stdio: 'inherit',
    });
    // The store's poller does not keep a process alive (unref'd): the last deliveries come after the
    // writer has exited, so hold the process open until they have.
    const keepAlive = setInterval(() => {}, 1000);
    await all;
    clearInterval(keepAlive);
    if (child.exitCode === null) await new Promise((resolve) => child.on('exit', resolve));
    subscription.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    delays.sort((a, b) => a - b);
    p50.push(delays[Math.floor(delays.length * 0.5)] as number);
    p99.push(delays[Math.floor(delays.length * 0.99)] as number);
  }
  report({ name: 'delivery p50', unit: 'ms', values: p50 });
  report({ name: 'delivery p99', unit: 'ms', values: p99, target: { kind: 'max', value: 50 } });
}

// -- http ------------------------------------------------------------------------------------------

/** The HTTP server under autocannon on loopback, the server in a child process: durable submissions, queue reads. */
async function benchHttp(reps: number): Promise<void> {
  console.log(
    `http: gpupool serve on SQLite (WAL, synchronous=FULL) in a child process, autocannon in this one; ${HTTP.seconds} s per run after ${HTTP.warmupSeconds} s of warm-up, every answer 2xx`,
  );
  const runs: HttpRun[] = [];
  for (let r = 0; r < reps; r++) runs.push(await httpRun());
  console.log(
    `  POST /api/v1/jobs, ${HTTP.submitConnections} connections, a data scientist's 0-GPU notebooks (none waits), 201 once durable`,
  );
  report({
    name: 'submit: requests/s',
    unit: 'req/s',
    values: runs.map((x) => x.submit.requestsPerSecond),
    target: { kind: 'min', value: 5_000 },
  });
  report({ name: 'submit: p50 latency', unit: 'ms', values: runs.map((x) => x.submit.p50Ms) });
  report({
    name: 'submit: p99 latency',
    unit: 'ms',
    values: runs.map((x) => x.submit.p99Ms),
    target: { kind: 'max', value: 50 },
  });
  report({ name: 'submit: requests per transaction', unit: '', values: runs.map((x) => x.submit.requestsPerTransaction) });
  console.log(
    `  GET /api/v1/pools/<pool>/queue, ${HTTP.queueConnections} connections, ${HTTP.waiting.toLocaleString('en-US')} waiting jobs (about ${Math.round(median(runs.map((x) => x.queue.bytesPerResponse)) / 1024)} KiB per answer)`,
  );
  report({ name: 'queue: requests/s', unit: 'req/s', values: runs.map((x) => x.queue.requestsPerSecond) });
  report({ name: 'queue: p50 latency', unit: 'ms', values: runs.map((x) => x.queue.p50Ms) });
  report({ name: 'queue: p99 latency', unit: 'ms', values: runs.map((x) => x.queue.p99Ms) });
}

// -- history ---------------------------------------------------------------------------------------

/** gpupool serve on a store where a million jobs have finished: start, memory, snapshots, submissions. */
async function benchHistory(reps: number): Promise<void> {
  console.log(
    `history: gpupool serve (child process) on a SQLite store in which ${HISTORY.jobs.toLocaleString('en-US')} jobs have finished (the job archive in the same file); then ${HISTORY.seconds} s of submissions, ${HISTORY.connections} connections`,
  );
  const runs: HistoryRun[] = [];
  for (let r = 0; r < reps; r++) runs.push(await historyRun());
  report({ name: 'build the store', unit: 's', values: runs.map((x) => x.buildSeconds) });
  report({ name: 'start-up', unit: 's', values: runs.map((x) => x.startSeconds) });
  report({
    name: 'resident memory after start-up',
    unit: 'MB',
    values: runs.map((x) => x.rssStartMb),
    target: { kind: 'max', value: 300 },
  });
  report({
    name: 'a snapshot of that state: longest stall',
    unit: 'ms',
    values: runs.map((x) => x.snapshotMs),
    target: { kind: 'max', value: 50 },
  });
  report({
    name: 'submit: requests/s',
    unit: 'req/s',
    values: runs.map((x) => x.requestsPerSecond),
    target: { kind: 'min', value: 5_000 },
  });
  report({ name: 'submit: p99 latency', unit: 'ms', values: runs.map((x) => x.p99Ms), target: { kind: 'max', value: 50 } });
  report({ name: 'longest event-loop stall', unit: 'ms', values: runs.map((x) => x.maxStallMs) });
  console.log(
    `  after the load (${Math.round(median(runs.map((x) => x.unfinishedAfterLoad))).toLocaleString('en-US')} notebooks submitted by it still running):`,
  );
  report({ name: 'resident memory', unit: 'MB', values: runs.map((x) => x.rssAfterMb) });
  report({ name: 'a snapshot: longest stall', unit: 'ms', values: runs.map((x) => x.snapshotAfterLoadMs) });
  report({ name: 'a snapshot: until written', unit: 'ms', values: runs.map((x) => x.snapshotAfterLoadTotalMs) });
}

// -- assets ----------------------------------------------------------------------------------------

/** Listing a group's datasets on a server whose store holds a million assets: latency, start-up, memory. */
async function benchAssets(reps: number): Promise<void> {
  console.log(
    `assets: gpupool serve (child process) on a SQLite store of ${ASSETS.assets.toLocaleString('en-US')} datasets in ${ASSETS.groups.toLocaleString('en-US')} groups (the assets stream replayed at start-up); GET /api/v1/datasets?limit=1000 as a data scientist of one group`,
  );
  const runs: AssetsRun[] = [];
  for (let r = 0; r < reps; r++) runs.push(await assetsRun());
  const first = runs[0] as AssetsRun;
  console.log(
    `  ${first.events.toLocaleString('en-US')} assets events; ${first.items.toLocaleString('en-US')} items per answer, about ${Math.round(median(runs.map((x) => x.bytesPerResponse)) / 1024)} KiB`,
  );
  report({ name: 'build the store', unit: 's', values: runs.map((x) => x.buildSeconds) });
  report({ name: 'start-up', unit: 's', values: runs.map((x) => x.startSeconds) });
  report({ name: 'resident memory after start-up', unit: 'MB', values: runs.map((x) => x.rssStartMb) });
  report({ name: 'list, 1 connection: p50 latency', unit: 'ms', values: runs.map((x) => x.singleP50Ms) });
  report({ name: 'list, 1 connection: p99 latency', unit: 'ms', values: runs.map((x) => x.singleP99Ms) });
  report({
    name: `list, ${ASSETS.connections} connections: requests/s`,
    unit: 'req/s',
    values: runs.map((x) => x.requestsPerSecond),
  });
  report({ name: `list, ${ASSETS.connections} connections: p50 latency`, unit: 'ms', values: runs.map((x) => x.p50Ms) });
  report({
    name: `list, ${ASSETS.connections} connections: p99 latency`,
    unit: 'ms',
    values: runs.map((x) => x.p99Ms),
    target: { kind: 'max', value: 20 },
  });
}

// -- inputs ----------------------------------------------------------------------------------------

/** A training job submitted with a workspace and three datasets as inputs, against one without. */
async function benchInputs(reps: number): Promise<void> {
  console.log(
    `inputs: POST /api/v1/jobs of a 0-GPU training job with a workspace and three datasets as inputs, against one without; ${HTTP.submitConnections} connections, ${HTTP.seconds} s each, as in http`,
  );
  const runs: InputsRun[] = [];
  for (let r = 0; r < reps; r++) runs.push(await inputsRun(r % 2 === 1));
  for (const c of ['plain', 'inputs'] as const) {
    report({ name: `${c}: requests/s`, unit: 'req/s', values: runs.map((x) => x[c].requestsPerSecond) });
    report({ name: `${c}: p50 latency`, unit: 'ms', values: runs.map((x) => x[c].p50Ms) });
    report({ name: `${c}: p99 latency`, unit: 'ms', values: runs.map((x) => x[c].p99Ms) });
    report({ name: `${c}: requests per transaction`, unit: '', values: runs.map((x) => x[c].requestsPerTransaction) });
  }
  report({
    name: 'cost: plain requests/s over inputs requests/s',
    unit: 'x',
    values: runs.map((x) => x.plain.requestsPerSecond / x.inputs.requestsPerSecond),
    target: { kind: 'max', value: 1.5 },
  });
  report({
    name: 'cost: inputs p99 over plain p99',
    unit: 'x',
    values: runs.map((x) => x.inputs.p99Ms / x.plain.p99Ms),
    target: { kind: 'max', value: 1.5 },
  });
}

// -- kubernetes ------------------------------------------------------------------------------------

/** The Kubernetes runtime against the fake API server (bench/kubernetes.ts). */
async function benchKubernetes(reps: number): Promise<void> {
  const { nodes, gpus, jobs, relistGpus } = KUBERNETES;
  console.log(
    `kubernetes: the runtime against the fake API server on loopback: ${jobs} single-GPU jobs on ${nodes} nodes of ${gpus} GPUs; ${KUBERNETES.rate} jobs/s at the default rate limit; a re-list of ${jobs} pods (${nodes} nodes of ${relistGpus}) after 410 Gone`,
  );
  const runs: KubernetesRun[] = [];
  for (let r = 0; r < reps; r++) runs.push(await kubernetesRun());
  report({
    name: 'pods created per second',
    unit: '/s',
    values: runs.map((x) => x.podsPerSecond),
    target: { kind: 'min', value: 1000 },
  });
  report({ name: 'allocation to pod created p50, saturated', unit: 'ms', values: runs.map((x) => x.saturatedP50Ms) });
  report({ name: 'allocation to pod created p99, saturated', unit: 'ms', values: runs.map((x) => x.saturatedP99Ms) });
  report({ name: 'allocation to pod created p50, below the rate limit', unit: 'ms', values: runs.map((x) => x.belowLimitP50Ms) });
  report({
    name: 'allocation to pod created p99, below the rate limit',
    unit: 'ms',
    values: runs.map((x) => x.belowLimitP99Ms),
    target: { kind: 'max', value: 50 },
  });
  report({ name: 're-list after 410', unit: 's', values: runs.map((x) => x.relistSeconds), target: { kind: 'max', value: 2 } });
  report({ name: 'pods re-listed', unit: '', values: runs.map((x) => x.relistPods) });
  report({
    name: 'events appended during the re-list',
    unit: '',
    values: runs.map((x) => x.eventsDuringRelist),
    target: { kind: 'max', value: 0.5 },
  });
}

// -- tuning ----------------------------------------------------------------------------------------

/** Hyperparameter tuning: suggestions' cost, and an experiment of 10,000 trials end to end. */
async function benchTuning(reps: number): Promise<void> {
  console.log(
    `tuning: a tpe suggestion with ${TUNING.tpeTrials} observed trials, a GP suggestion with ${TUNING.gpTrials} (Hartmann-6; median of ${TUNING.reps} each); an experiment of 10,000 trials, 100 in parallel, through the controller and the simulated runtime`,
  );
  const runs = [];
  for (let r = 0; r < reps; r++) runs.push({ ...(await tuningRun()), experiment: await experimentRun() });
  report({
    name: 'tpe suggestion, 1,000 trials',
    unit: 'ms',
    values: runs.map((x) => median(x.tpeMs)),
    target: { kind: 'max', value: 20 },
  });
  report({
    name: 'GP suggestion, 200 trials',
    unit: 'ms',
    values: runs.map((x) => median(x.gpMs)),
    target: { kind: 'max', value: 100 },
  });
  report({
    name: 'experiment, 10,000 trials',
    unit: 's',
    values: runs.map((x) => x.experiment.seconds),
    target: { kind: 'max', value: 10 },
  });
}

// -- pipelines ---------------------------------------------------------------------------------------

/** Pipelines: a 1,000-iteration loop's steps submitted; the Tick of 10,000 recurring runs. */
async function benchPipelines(reps: number): Promise<void> {
  console.log(
    `pipelines: a run of a ${PIPELINES_BENCH.iterations.toLocaleString('en-US')}-iteration loop with no parallelism limit through the run executor (seconds until every iteration's job is submitted); ${PIPELINES_BENCH.recurringRuns.toLocaleString('en-US')} recurring runs, a Tick a minute for ${PIPELINES_BENCH.hours} h through the decider`,
  );
  const runs = [];
  for (let r = 0; r < reps; r++) {
    collect();
    const loop = await wideLoopRun();
    if (loop.submitted !== PIPELINES_BENCH.iterations) throw new Error(`only ${loop.submitted} steps were submitted`);
    collect();
    const ticks = recurringTicks();
    const p99 = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length * 0.99)] as number;
    runs.push({
      loop: loop.seconds,
      findP50: median(ticks.findMs),
      findP99: p99(ticks.findMs),
      tickP50: median(ticks.ms),
      tickP99: p99(ticks.ms),
      fired: ticks.fired,
      ticks: ticks.ticks,
    });
  }
  report({
    name: '1,000-iteration loop submitted',
    unit: 's',
    values: runs.map((x) => x.loop),
    target: { kind: 'max', value: 1 },
  });
  report({
    name: `finding due, p50 (${runs[0]?.ticks} ticks)`,
    unit: 'ms',
    values: runs.map((x) => x.findP50),
    target: { kind: 'max', value: 10 },
  });
  report({ name: 'finding due, p99', unit: 'ms', values: runs.map((x) => x.findP99), target: { kind: 'max', value: 10 } });
  report({ name: `whole Tick p50 (${runs[0]?.fired} runs)`, unit: 'ms', values: runs.map((x) => x.tickP50) });
  report({ name: 'whole Tick p99', unit: 'ms', values: runs.map((x) => x.tickP99) });
}

// -- pipelines-schedule ----------------------------------------------------------------------------

/** Recurring runs: 10,000 schedules in the due index, a simulated day of timer ticks. */
async function benchPipelinesSchedule(reps: number): Promise<void> {
  const runs: PipelinesScheduleRun[] = [];
  for (let r = 0; r < reps; r++) {
    collect();
    runs.push(pipelinesScheduleRun());
  }
  const first = runs[0] as PipelinesScheduleRun;
  console.log(
    `pipelines-schedule: ${PIPELINES_SCHEDULE.recurringRuns.toLocaleString('en-US')} recurring runs (60% cron, 40% periodic, 8 time zones) in the due index; ${PIPELINES_SCHEDULE.hours} h of timer ticks (${first.ticks.toLocaleString('en-US')} ticks, ${first.fires.toLocaleString('en-US')} fires, ${first.meanDue.toFixed(1)} due per tick on average): popDue, dueFires and the next fire time of each due one`,
  );
  report({
    name: 'tick p50',
    unit: 'ms',
    values: runs.map((x) => x.tickP50Ms),
    target: { kind: 'max', value: 10 },
  });
  report({ name: 'tick p99', unit: 'ms', values: runs.map((x) => x.tickP99Ms), target: { kind: 'max', value: 10 } });
  report({
    name: `busy ticks p50 (${first.busyTicks} with >= 1,000 due)`,
    unit: 'ms',
    values: runs.map((x) => x.busyTickP50Ms),
    target: { kind: 'max', value: 10 },
  });
  report({
    name: `longest tick (${first.maxDue.toLocaleString('en-US')} due)`,
    unit: 'ms',
    values: runs.map((x) => x.tickMaxMs),
  });
  report({
    name: `after 1 h down (${first.catchUpDue.toLocaleString('en-US')} due)`,
    unit: 'ms',
    values: runs.map((x) => x.catchUpMs),
  });
  report({ name: 'indexing all at start', unit: 'ms', values: runs.map((x) => x.indexMs) });
}

// -- forecast --------------------------------------------------------------------------------------

/**
 * A pool forecast and a what-if over 10,000 waiting jobs: latency, and the event loop's longest
 * stall meanwhile. Then the forecast alone, in this process, under fifo, first-fit and backfill
 * (GPUPOOL_BENCH_FORECAST=policies runs only that part).
 */
async function benchForecast(reps: number): Promise<void> {
  if (process.env.GPUPOOL_BENCH_FORECAST !== 'policies') await benchForecastServer(reps);
  for (const policy of ['fifo', 'first-fit', 'backfill'] as Policy[]) {
    const run = await forecastPolicyRun(policy, reps);
    if (policy === 'fifo') {
      console.log(
        `forecast in-process: the same queue (${run.waiting.toLocaleString('en-US')} waiting) under each policy; one fork and forecast per repetition`,
      );
    }
    report({ name: `forecast, ${policy}`, unit: 'ms', values: run.ms });
  }
}

async function benchForecastServer(reps: number): Promise<void> {
  const runs: ForecastRun[] = [];
  for (let r = 0; r < reps; r++) runs.push(await forecastRun());
  console.log(
    `forecast: one pool of ${FORECAST.nodes * FORECAST.gpusPerNode} GPUs (fifo), full, ${Math.round(median(runs.map((x) => x.waiting))).toLocaleString('en-US')} jobs waiting; ${FORECAST.requests} requests one at a time, each on a new revision, on loopback`,
  );
  for (const [name, pick, target] of [
    ['pool forecast (worker)', (x: ForecastRun) => x.pool, true],
    ['what-if (worker)', (x: ForecastRun) => x.whatIf, true],
    ['pool forecast (inline, reference)', (x: ForecastRun) => x.inline, false],
  ] as const) {
    const t = target ? { target: { kind: 'max' as const, value: 200 } } : {};
    report({ name: `${name}: p50`, unit: 'ms', values: runs.map((x) => pick(x).p50Ms), ...t });
    report({ name: `${name}: p99`, unit: 'ms', values: runs.map((x) => pick(x).p99Ms), ...t });
    report({ name: `${name}: longest stall`, unit: 'ms', values: runs.map((x) => pick(x).maxStallMs) });
  }
}

// -- dashboard -------------------------------------------------------------------------------------

/** The web dashboard in headless chromium: first load, scrolling 10,000 jobs, 500 events a second. */
async function benchDashboard(reps: number): Promise<void> {
  const runs: DashboardRun[] = [];
  for (let r = 0; r < reps; r++) runs.push(await dashboardRun());
  const first = runs[0] as DashboardRun;
  const kb = (b: number) => b / 1024;
  console.log(
    `dashboard: gpupool serve (child process, SQLite) and headless chromium on loopback; the page's JavaScript and CSS (${first.assets.files.join(', ')}; ${first.loadedFiles} fetched by a first load; served with content-encoding ${first.assets.encoding})`,
  );
  console.log(
    `  first load: navigation to the first job row (/#/jobs, signed in, nothing cached), median of ${DASHBOARD.loads} loads`,
  );
  report({ name: 'JS + CSS raw', unit: 'KB', values: runs.map((x) => kb(x.assets.rawBytes)) });
  report({
    name: 'JS + CSS gzip -9',
    unit: 'KB',
    values: runs.map((x) => kb(x.assets.gzipBytes)),
    target: { kind: 'max', value: 250 },
  });
  report({ name: 'JS + CSS brotli', unit: 'KB', values: runs.map((x) => kb(x.assets.brotliBytes)) });
  report({
    name: `first row, ${DASHBOARD.fewJobs} jobs`,
    unit: 'ms',
    values: runs.map((x) => x.firstRowFewMs),
    target: { kind: 'max', value: 1000 },
  });
  report({
    name: `first row, ${DASHBOARD.jobs.toLocaleString('en-US')} jobs`,
    unit: 'ms',
    values: runs.map((x) => x.firstRowManyMs),
    target: { kind: 'max', value: 1000 },
  });
  console.log(
    `  scrolling ${DASHBOARD.jobs.toLocaleString('en-US')} jobs a screenful at a time (${first.scroll.rows} rows in the page, ${first.scroll.steps} steps): a screenful's script, style and layout; frames of a screenful each, the frame rate uncapped`,
  );
  report({ name: 'screenful work p50', unit: 'ms', values: runs.map((x) => x.scroll.workP50Ms) });
  report({ name: 'screenful work p95', unit: 'ms', values: runs.map((x) => x.scroll.workP95Ms) });
  report({
    name: 'frame p50',
    unit: 'ms',
    values: runs.map((x) => x.scroll.frameP50Ms),
    target: { kind: 'max', value: 16 },
  });
  report({
    name: 'frame p95',
    unit: 'ms',
    values: runs.map((x) => x.scroll.frameP95Ms),
    target: { kind: 'max', value: 16 },
  });
  report({ name: 'long animation frames (> 50 ms)', unit: '', values: runs.map((x) => x.scroll.longFrames) });
  console.log(
    `  the jobs page open while notebooks are submitted for ${DASHBOARD.streamSeconds} s (about ${Math.round(median(runs.map((x) => x.stream.jobsSubmitted)) / DASHBOARD.streamSeconds)}/s)`,
  );
  report({ name: 'events per second', unit: 'events/s', values: runs.map((x) => x.stream.eventsPerSecond) });
  report({ name: 'revision lag p50', unit: 'ms', values: runs.map((x) => x.stream.revisionLagP50Ms) });
  report({ name: 'revision lag max', unit: 'ms', values: runs.map((x) => x.stream.revisionLagMaxMs) });
  report({
    name: 'revision lag at the end',
    unit: 'ms',
    values: runs.map((x) => x.stream.revisionLagEndMs),
    target: { kind: 'max', value: 1000 },
  });
  report({ name: 'list count lag p50', unit: 'ms', values: runs.map((x) => x.stream.listLagP50Ms) });
  report({ name: 'list count lag max', unit: 'ms', values: runs.map((x) => x.stream.listLagMaxMs) });
  report({
    name: 'list count lag at the end',
    unit: 'ms',
    values: runs.map((x) => x.stream.listLagEndMs),
    target: { kind: 'max', value: 1000 },
  });
  report({ name: 'main thread busy', unit: '%', values: runs.map((x) => x.stream.busyFraction * 100) });
}

// -- main ------------------------------------------------------------------------------------------

const BENCHES: Record<string, (reps: number) => Promise<void>> = {
  replay: benchReplay,
  throughput: benchThroughput,
  reschedule: benchReschedule,
  simulate: benchSimulate,
  durable: benchDurable,
  http: benchHttp,
  follow: benchFollow,
  history: benchHistory,
  assets: benchAssets,
  inputs: benchInputs,
  forecast: benchForecast,
  dashboard: benchDashboard,
  kubernetes: benchKubernetes,
  tuning: benchTuning,
  pipelines: benchPipelines,
  'pipelines-schedule': benchPipelinesSchedule,
};

const args = process.argv.slice(2);
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 7;
const names = args.filter((a, i) => !a.startsWith('--') && (repsAt < 0 || i !== repsAt + 1));
for (const n of names)
  if (!(n in BENCHES)) throw new Error(`unknown benchmark '${n}': one of ${Object.keys(BENCHES).join(', ')}`);
if (!process.env.GPUPOOL_BENCH_CHILD) {
  console.log(
    `gpupool benchmarks, Node ${process.version}, median of ${reps} repetitions, ${useCpu ? 'CPU' : 'wall'} time${gc ? '' : ' (run with --expose-gc for steadier figures)'}`,
  );
}
if (names.length === 1) {
  await (BENCHES[names[0] as string] as (n: number) => Promise<void>)(reps);
} else {
  // Each benchmark in a process of its own: what one leaves behind (a grown heap, code optimised
  // for its workload) otherwise shifts the next one's figures, the reschedule latencies most.
  const flags = args.filter((a, i) => a.startsWith('--') || (repsAt >= 0 && i === repsAt + 1));
  for (const name of names.length > 0 ? names : Object.keys(BENCHES)) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), name, ...flags], {
      stdio: 'inherit',
      env: { ...process.env, GPUPOOL_BENCH_CHILD: '1' },
    });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
}
