/**
 * Workload traces: the gpupool format and readers for public ones (Tiresias, the Philly trace of
 * the Pollux artifact, Helios). Every reader returns jobs in submission order, ties in file order.
 * Ids and pool names stay strings (a Philly cluster named `103959` is not a number).
 */
import type { JobKind } from '../core/cluster/model.js';
import { JOB_KINDS } from '../core/cluster/model.js';
import { CsvError, type CsvTable, PlainCsvRecords, parseCsv, readCsvText, requireColumns } from './csv.js';

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
  const text = readCsvText(file);
  // A plain gpupool trace is read straight from its text; anything else, or anything amiss (the
  // table's reader then names it), through the table.
  const plain = format === 'gpupool' ? readPlainGpupool(text) : undefined;
  if (plain !== undefined && !hasDuplicateId(plain)) return plain;
  return readTraceTable(parseCsv(file, text), format);
}

/** A trace's jobs from its table, in submission order; a CsvError for a bad value or a duplicate id. */
export function readTraceTable(table: CsvTable, format: TraceFormat): TraceJob[] {
  const jobs = READERS[format](table);
  if (hasDuplicateId(jobs)) {
    // Every reader maps the table's rows one to one, so jobs[i] came from table.rows[i]: a
    // duplicate names the lines of both rows.
    const seen = new Set<string>();
    for (let i = 0; i < jobs.length; i++) {
      const id = (jobs[i] as TraceJob).id;
      if (seen.has(id)) {
        const first = jobs.findIndex((j) => j.id === id);
        const line = (k: number) => table.rows[k]?.line ?? k + 2;
        throw new CsvError(table.file, line(i), 'job_id', `job id '${id}' appears twice (first on line ${line(first)})`);
      }
      seen.add(id);
    }
  }
  return inSubmissionOrder(jobs, (j) => j.submit);
}

/**
 * Whether two jobs share an id. An open-addressing table of job indexes under a hash of the id
 * (FNV-1a over its UTF-16 code units), not a Set: a Set grown to a trace's size rehashes all along
 * the way (a million ids: 0.42 s, the table 0.08 s).
 */
export function hasDuplicateId(jobs: readonly TraceJob[]): boolean {
  let size = 16;
  while (size < jobs.length * 2) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  // Each slot's hash too: a job's id is compared only when the hashes are equal (reading a job
  // that is not in cache, a tenth of the time on a million jobs).
  const hashes = new Int32Array(size);
  for (let i = 0; i < jobs.length; i++) {
    const id = (jobs[i] as TraceJob).id;
    let h = 0x811c9dc5 | 0;
    for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
    for (let at = h & mask; ; at = (at + 1) & mask) {
      const j = slots[at] as number;
      if (j < 0) {
        slots[at] = i;
        hashes[at] = h;
        break;
      }
      if (hashes[at] === h && (jobs[j] as TraceJob).id === id) return true;
    }
  }
  return false;
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

/**
 * A gpupool trace's job as both of its readers make it: keyed in one order (one object shape for
 * the code that reads jobs), its user and GPU type names interned with `name`.
 */
function gpupoolJob(
  id: string,
  pool: string,
  gpus: number,
  submit: number,
  duration: number,
  expectedDuration: number,
  workers: number | undefined,
  priority: number,
  user: string | undefined,
  kind: string,
  gpuType: string | undefined,
  name: (s: string) => string,
): TraceJob {
  return {
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
    return gpupoolJob(id, pool, gpus, submit, duration, expectedDuration, workers, priority, user, kind, gpuType, name);
  });
}

/**
 * A gpupool trace read from a plain text (PlainCsvRecords) into the jobs readGpupool makes, in
 * submission order, with no row, array or string per field on the way: two thirds of reading the
 * trace went to them.
 * Undefined for any text readGpupool would not read as it is (a quote, a missing column, a bad
 * or ragged row): readGpupool then reads it again and names the problem.
 */
export function readPlainGpupool(text: string): TraceJob[] | undefined {
  const records = PlainCsvRecords.of(text);
  if (records === undefined) return undefined;
  const column = (name: string) => records.index.get(name) ?? -1;
  const idAt = column('job_id');
  const poolAt = column('pool');
  const gpusAt = column('gpus');
  const submitAt = column('submit_time');
  const durationAt = column('duration');
  if (idAt < 0 || poolAt < 0 || gpusAt < 0 || submitAt < 0 || durationAt < 0) return undefined;
  const expectedAt = column('expected_duration');
  const workersAt = column('workers');
  const priorityAt = column('priority');
  const userAt = column('user');
  const kindAt = column('kind');
  const gpuTypeAt = column('gpu_type');
  const kinds = new Set<string>(JOB_KINDS);
  const name = interner();
  /** An optional column's value (of a column the trace has): undefined when blank, NaN when readGpupool would fail. */
  const optionalNumber = (at: number, min: number | undefined, integer: boolean): number | undefined =>
    records.blank(at) ? undefined : records.number(at, min, integer);
  const optionalString = (at: number): string | undefined => (records.blank(at) ? undefined : records.string(at));
  const jobs: TraceJob[] = [];
  // Whether the jobs come in submission order (a trace usually does), checked on the way.
  let inOrder = true;
  let lastSubmit = Number.NEGATIVE_INFINITY;
  for (;;) {
    const more = records.next();
    if (more === false) return inOrder ? jobs : inSubmissionOrder(jobs, (j) => j.submit);
    if (more === undefined) return undefined;
    const duration = records.number(durationAt, 0, false);
    // A column the trace does not have is not even asked for: most of a row's calls in a trace of
    // the required columns alone, and a trace is read by code not yet optimised.
    const kind = kindAt < 0 ? 'training' : (optionalString(kindAt) ?? 'training');
    const user = userAt < 0 ? undefined : optionalString(userAt);
    const gpuType = gpuTypeAt < 0 ? undefined : optionalString(gpuTypeAt);
    const id = records.string(idAt);
    const pool = records.string(poolAt);
    const gpus = records.number(gpusAt, 0, true);
    const submit = records.number(submitAt, 0, false);
    const expected = expectedAt < 0 ? undefined : optionalNumber(expectedAt, 0, false);
    const workers = workersAt < 0 ? undefined : optionalNumber(workersAt, 1, true);
    const priority = priorityAt < 0 ? undefined : optionalNumber(priorityAt, undefined, true);
    if (
      Number.isNaN(duration) ||
      (kindAt >= 0 && !kinds.has(kind)) ||
      id === '' ||
      pool === '' ||
      Number.isNaN(gpus) ||
      Number.isNaN(submit) ||
      Number.isNaN(expected) ||
      Number.isNaN(workers) ||
      Number.isNaN(priority)
    ) {
      return undefined;
    }
    if (submit < lastSubmit) inOrder = false;
    lastSubmit = submit;
    jobs.push(
      gpupoolJob(id, name(pool), gpus, submit, duration, expected ?? duration, workers, priority ?? 0, user, kind, gpuType, name),
    );
  }
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
