/**
 * A seeded synthetic workload: Poisson arrivals per pool, a GPU-count distribution, log-normal
 * durations. For benchmarks and property tests; the same options give the same trace.
 */
import { writeFileSync } from 'node:fs';
import type { PoolSpec } from './cluster.js';
import { Random } from './random.js';
import { type TraceJob, traceJob } from './traces.js';

export interface WorkloadOptions {
  readonly jobs: number;
  readonly pools: readonly PoolSpec[];
  readonly seed: number;
  /**
   * Offered load per pool: the mean fraction of its GPUs the workload asks for. Sets the arrival
   * rate from the mean job size and duration. Default 0.9 (busy, with queues forming).
   */
  readonly load?: number;
  /** GPU counts and their weights; counts above a pool's total GPUs are capped to it. */
  readonly gpuCounts?: readonly (readonly [number, number])[];
  /** Log-normal duration parameters (seconds): median e^mu. Default median 1 h, sigma 1.2. */
  readonly durationMu?: number;
  readonly durationSigma?: number;
}

export const DEFAULT_GPU_COUNTS: readonly (readonly [number, number])[] = [
  [1, 0.55],
  [2, 0.15],
  [4, 0.15],
  [8, 0.1],
  [16, 0.05],
];

export function syntheticWorkload(options: WorkloadOptions): TraceJob[] {
  const rng = new Random(options.seed);
  const counts = options.gpuCounts ?? DEFAULT_GPU_COUNTS;
  const mu = options.durationMu ?? Math.log(3600);
  const sigma = options.durationSigma ?? 1.2;
  const load = options.load ?? 0.9;
  const meanGpus = counts.reduce((s, [g, w]) => s + g * w, 0) / counts.reduce((s, [, w]) => s + w, 0);
  const meanDuration = Math.exp(mu + (sigma * sigma) / 2);
  const totalGpus = options.pools.reduce((n, p) => n + p.nodes * p.gpusPerNode, 0);
  // Jobs go to pools in proportion to their size; arrivals form one Poisson process overall.
  const weights = options.pools.map((p) => [p, p.nodes * p.gpusPerNode] as const);
  const meanGap = (meanGpus * meanDuration) / (load * totalGpus);
  const jobs: TraceJob[] = [];
  let t = 0;
  for (let i = 0; i < options.jobs; i++) {
    t += rng.exponential(meanGap);
    const pool = rng.weighted(weights);
    const capacity = pool.nodes * pool.gpusPerNode;
    const gpus = Math.min(rng.weighted(counts), capacity);
    const duration = Math.max(1, Math.round(rng.logNormal(mu, sigma)));
    jobs.push(traceJob({ id: `j${i}`, pool: pool.name, gpus, submit: Math.floor(t), duration }));
  }
  return jobs;
}

/** Write jobs in the gpupool trace format. */
export function writeTrace(file: string, jobs: readonly TraceJob[]): void {
  const lines = ['job_id,pool,gpus,submit_time,duration'];
  for (const j of jobs) lines.push(`${j.id},${j.pool ?? ''},${j.gpus},${j.submit},${j.duration}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export function writeCluster(file: string, pools: readonly PoolSpec[]): void {
  const lines = ['pool,nodes,gpus_per_node,gpu_type'];
  for (const p of pools) lines.push(`${p.name},${p.nodes},${p.gpusPerNode},${p.gpuType}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}
