/**
 * Workload traces: the gpupool format and readers for public ones (Tiresias, the Philly trace of
 * the Pollux artifact, Helios). Every reader returns jobs in submission order, ties in file order.
 * Ids and pool names stay strings (a Philly cluster named `103959` is not a number).
 */
import type { JobKind } from '../core/cluster/model.js';
import { JOB_KINDS } from '../core/cluster/model.js';
import { CsvError, type CsvTable, readCsvFile, requireColumns } from './csv.js';

export interface TraceJob {
  readonly id: string;
  /** Pool name as the cluster file names it; undefined = the cluster's only pool. */
  readonly pool: string | undefined;
  readonly gpus: number;
  /** Seconds from the start of the trace. */
  readonly submit: number;
  /** How long it runs once started, seconds. */
  readonly duration: number;
  /** What the scheduler is told (sjf, backfill); defaults to the real duration: an oracle. */
  readonly expectedDuration: number;
  readonly workers: number | undefined;
  readonly priority: number;
  readonly user: string | undefined;
  readonly kind: JobKind;
  readonly gpuType: string | undefined;
}

export const TRACE_FORMATS = ['gpupool', 'tiresias', 'philly', 'helios'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export function readTrace(file: string, format: TraceFormat = 'gpupool'): TraceJob[] {
  const table = readCsvFile(file);
  const jobs = READERS[format](table);
  // Every reader maps the table's rows one to one, so jobs[i] came from table.rows[i]: a duplicate
  // names the lines of both rows.
  const seen = new Set<string>();
  for (let i = 0; i < jobs.length; i++) {
    const id = (jobs[i] as TraceJob).id;
    if (seen.has(id)) {
      const first = jobs.findIndex((j) => j.id === id);
      const line = (k: number) => table.rows[k]?.line ?? k + 2;
      throw new CsvError(file, line(i), 'job_id', `job id '${id}' appears twice (first on line ${line(first)})`);
    }
    seen.add(id);
  }
  return inSubmissionOrder(jobs, (j) => j.submit);
}

/**
 * Jobs by submission time, ties in the given order (a stable sort). A trace is usually written in
 * that order already: checked first, it is then returned as is, without sorting a million jobs.
 */
export function inSubmissionOrder<T>(items: readonly T[], submitOf: (item: T) => number): T[] {
  let sorted = true;
  for (let i = 1; i < items.length && sorted; i++) sorted = submitOf(items[i - 1] as T) <= submitOf(items[i] as T);
  if (sorted) return items.slice();
  return items
    .map((x, i) => ({ x, i }))
    .sort((a, b) => submitOf(a.x) - submitOf(b.x) || a.i - b.i)
    .map((e) => e.x);
}

const READERS: Record<TraceFormat, (t: CsvTable) => TraceJob[]> = {
  gpupool: readGpupool,
  tiresias: readTiresias,
  philly: readPhilly,
  helios: readHelios,
};

/** A trace job with the defaults every reader and generator shares (expected = real duration). */
export function traceJob(partial: Pick<TraceJob, 'id' | 'gpus' | 'submit' | 'duration'> & Partial<TraceJob>): TraceJob {
  return {
    pool: undefined,
    expectedDuration: partial.duration,
    workers: undefined,
    priority: 0,
    user: undefined,
    kind: 'training',
    gpuType: undefined,
    ...partial,
  };
}

/**
 * One string per distinct value (pool and user names): each row's field is a string of its own,
 * and a trace keeps its jobs to the end of the run, so a million-job trace held a million copies
 * of a dozen pool names (about 30 MB).
 */
function interner(): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => {
    const kept = seen.get(s);
    if (kept !== undefined) return kept;
    seen.set(s, s);
    return s;
  };
}

/** `job_id,pool,gpus,submit_time,duration` and optional `expected_duration,workers,priority,user,kind,gpu_type`. */
function readGpupool(t: CsvTable): TraceJob[] {
  requireColumns(t, ['job_id', 'pool', 'gpus', 'submit_time', 'duration'], 'gpupool trace');
  const kinds = new Set<string>(JOB_KINDS);
  const name = interner();
  return t.rows.map((r) => {
    const duration = r.number('duration', { min: 0 });
    const kind = r.optionalString('kind') ?? 'training';
    if (!kinds.has(kind)) r.fail('kind', `expected one of ${JOB_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
    const user = r.optionalString('user');
    const gpuType = r.optionalString('gpu_type');
    // Every field is given, so the job is written out rather than spread over traceJob's defaults
    // (a second object per row, copied generically: a tenth of reading a trace). Fields are read
    // in the same order (the first bad one is the one named), and keyed in traceJob's order.
    const id = r.string('job_id');
    const pool = name(r.string('pool'));
    const gpus = r.number('gpus', { min: 0, integer: true });
    const submit = r.number('submit_time', { min: 0 });
    const expectedDuration = r.optionalNumber('expected_duration', { min: 0 }) ?? duration;
    const workers = r.optionalNumber('workers', { min: 1, integer: true });
    const priority = r.optionalNumber('priority', { integer: true }) ?? 0;
    const job: TraceJob = {
      pool,
      expectedDuration,
      workers,
      priority,
      user: user === undefined ? undefined : name(user),
      kind: kind as JobKind,
      gpuType: gpuType === undefined ? undefined : name(gpuType),
      id,
      gpus,
      submit,
      duration,
    };
    return job;
  });
}

/** Tiresias: `job_id,num_gpu,submit_time,iterations,model_name,duration,interval`, one pool. */
function readTiresias(t: CsvTable): TraceJob[] {
  requireColumns(t, ['job_id', 'num_gpu', 'submit_time', 'duration'], 'Tiresias trace');
  return t.rows.map((r) =>
    traceJob({
      id: r.string('job_id'),
      gpus: r.number('num_gpu', { min: 0, integer: true }),
      submit: r.number('submit_time', { min: 0 }),
      duration: r.number('duration', { min: 0 }),
    }),
  );
}

/** Pollux's Philly trace: `timestamp,duration,num_gpus,gpu_time,cluster`; submit times relative to the first job. */
function readPhilly(t: CsvTable): TraceJob[] {
  requireColumns(t, ['timestamp', 'duration', 'num_gpus', 'cluster'], 'Philly trace');
  const rows = t.rows.map((r, i) => ({
    id: String(i),
    at: r.datetime('timestamp'),
    duration: r.number('duration', { min: 0 }),
    gpus: r.number('num_gpus', { min: 0, integer: true }),
    pool: r.string('cluster'),
  }));
  let first = Number.POSITIVE_INFINITY;
  for (const r of rows) if (r.at < first) first = r.at;
  return rows.map((r) => traceJob({ id: r.id, pool: r.pool, gpus: r.gpus, submit: r.at - first, duration: r.duration }));
}

/** Helios `cluster_log.csv`: `job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,...,duration`; `vc` is the pool. */
function readHelios(t: CsvTable): TraceJob[] {
  requireColumns(t, ['job_id', 'vc', 'gpu_num', 'submit_time', 'duration'], 'Helios cluster log');
  const rows = t.rows.map((r) => ({
    id: r.string('job_id'),
    user: r.optionalString('user'),
    pool: r.string('vc'),
    gpus: r.number('gpu_num', { min: 0, integer: true }),
    at: r.datetime('submit_time'),
    duration: r.number('duration', { min: 0 }),
  }));
  let first = Number.POSITIVE_INFINITY;
  for (const r of rows) if (r.at < first) first = r.at;
  return rows.map((r) =>
    traceJob({ id: r.id, pool: r.pool, user: r.user, gpus: r.gpus, submit: r.at - first, duration: r.duration }),
  );
}
