/**
 * The simulate benchmark: the whole `gpupool simulate` command, CSV to report, as a user runs it
 * (the compiled CLI in a process of its own), on seeded synthetic traces of 11 pools x 256 GPUs
 * (2,816 GPUs). Wall time and peak memory (the child's maximum resident set). Beside it, the
 * yardstick the 70k target is set against: a plain heap-based simulator in Python
 * (bench/baselines/heap_sim.py) on the same files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticWorkload, writeCluster, writeTrace } from '../simulations/synthetic.js';

const POOLS = Array.from({ length: 11 }, (_, i) => ({ name: `pool${i}`, nodes: 32, gpusPerNode: 8, gpuType: 'GPU' }));
/** The CLI as published: compiled by `npm run build` into dist/ (benchmarks run from the project root). */
const CLI = join(process.cwd(), 'dist', 'cli', 'gpupool.js');
/** The yardstick: fifo, count placement, only starts and ends (see its header). */
const BASELINE = join(process.cwd(), 'bench', 'baselines', 'heap_sim.py');

export interface SimulateRun {
  seconds: number;
  peakMb: number;
}

/** Write (once) a trace of `jobs` jobs and the cluster file; return their paths. */
export function workload(jobs: number, dir: string): { trace: string; cluster: string } {
  mkdirSync(dir, { recursive: true });
  const cluster = join(dir, 'cluster-11x256.csv');
  const trace = join(dir, `trace-${jobs}.csv`);
  if (!existsSync(cluster)) writeCluster(cluster, POOLS);
  if (!existsSync(trace)) writeTrace(trace, syntheticWorkload({ jobs, pools: POOLS, seed: 7 }));
  return { trace, cluster };
}

export function runSimulate(files: { trace: string; cluster: string }, args: string[], out: string): SimulateRun {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  // The child reports its own peak memory as it exits (resourceUsage().maxRSS is in KiB).
  const probe = `process.on('exit', () => process.stderr.write('maxrss=' + process.resourceUsage().maxRSS + '\\n'));`;
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(probe)}`,
      CLI,
      'simulate',
      '--trace',
      files.trace,
      '--cluster',
      files.cluster,
      '--out',
      out,
      ...args,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`simulate failed: ${child.stderr}`);
  const rss = /maxrss=(\d+)/.exec(child.stderr)?.[1];
  return { seconds, peakMb: Number(rss) / 1024 };
}

/**
 * The yardstick's wall time on the same files (python3 bench/baselines/heap_sim.py TRACE CLUSTER
 * OUT), or undefined when there is no python3 on PATH.
 */
export function runBaseline(files: { trace: string; cluster: string }, out: string): number | undefined {
  const started = performance.now();
  const child = spawnSync('python3', [BASELINE, files.trace, files.cluster, out], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if ((child.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  if (child.status !== 0) throw new Error(`${BASELINE} failed: ${child.error?.message ?? child.stderr}`);
  return seconds;
}
