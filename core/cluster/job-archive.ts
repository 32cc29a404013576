/**
 * The job archive: the read model of finished jobs. The decision state keeps unfinished jobs only
 * (a finished one leaves its id in `state.finished`); the engine hands each finished job's record
 * to the archive once its events are durable, and job lists, job history and filters read both:
 * unfinished jobs from the state, finished ones from the archive, merged in submission order.
 *
 * The archive is a port: in memory (adapters/memory/job-archive.ts) or a table in the SQLite file
 * (adapters/sqlite/job-archive.ts). A finished job never changes again, so an archive keeps the
 * first record it is given for an id and ignores repeats (a replay, or a second server).
 *
 * Time travel reads the archive too: a past state knows which jobs had finished by then (its
 * `finished` ids), and a list at a past revision takes only archived jobs that finished by it.
 */
import type { CloneSource, Command } from './commands.js';
import { type FinishedStatus, isFinished, type JobKind, type JobState, type JobStatus, type State } from './model.js';

/** Which jobs a list asks for: every field narrows it. */
export interface JobQuery {
  readonly statuses?: ReadonlySet<JobStatus>;
  readonly kind?: JobKind;
  readonly owner?: string;
  readonly group?: string;
  readonly tag?: string;
  /** Only jobs shared with their group. */
  readonly shared?: boolean;
  /** Leave out this owner's jobs. */
  readonly notOwner?: string;
}

export interface JobArchive {
  /** Every job that finished at or before this revision is here (-1: it has been told of none). */
  readonly revision: number;
  /** Keep the records of jobs that finished at or before `revision`; an id it holds already is left as it is. */
  put(jobs: readonly JobState[], revision: number): void;
  get(id: string): JobState | undefined;
  /** The first `limit` jobs matching `query` that had finished by revision `upTo`, in submission order. */
  list(query: JobQuery, upTo: number, limit: number): JobState[];
  /** How many jobs match `query` and had finished by revision `upTo`. */
  count(query: JobQuery, upTo: number): number;
  /** The groups its jobs were submitted in. */
  groups(): string[];
  /** The id and end of every job that had finished by revision `upTo` (a snapshot leaves them out). */
  finishedIds(upTo: number): Iterable<readonly [string, FinishedStatus]>;
  close(): void;
}

/** The revision of the event that finished a (finished) job: its last history entry's. */
export function finishedAt(job: JobState): number {
  return (job.history[job.history.length - 1] as { revision: number }).revision;
}

export function matchesQuery(job: JobState, q: JobQuery): boolean {
  return (
    (q.statuses === undefined || q.statuses.has(job.status)) &&
    (q.kind === undefined || job.kind === q.kind) &&
    (q.owner === undefined || job.owner === q.owner) &&
    (q.group === undefined || job.group === q.group) &&
    (q.tag === undefined || job.tags.includes(q.tag)) &&
    (q.shared === undefined || job.shared === q.shared) &&
    (q.notOwner === undefined || job.owner !== q.notOwner)
  );
}

/** Whether a query can match finished jobs at all (a status filter may name only live statuses). */
export function asksForFinished(q: JobQuery): boolean {
  if (q.statuses === undefined) return true;
  for (const s of q.statuses) if (isFinished(s)) return true;
  return false;
}

/**
 * The unfinished jobs of a state matching `query`, in submission order. A query by owner or group
 * walks only that owner's or group's jobs, so a narrow list costs what it holds.
 */
export function liveJobs(state: State, q: JobQuery): JobState[] {
  const out: JobState[] = [];
  const ids =
    q.owner !== undefined
      ? state.unfinishedByOwner.get(q.owner)
      : q.group !== undefined
        ? state.unfinished.get(q.group)
        : undefined;
  if (q.owner !== undefined || q.group !== undefined) {
    if (ids)
      for (const id of ids) {
        const job = state.jobs.get(id) as JobState;
        if (matchesQuery(job, q)) out.push(job);
      }
    return out;
  }
  // The jobs map holds jobs in the order they were submitted (evolve and snapshots insert them so).
  for (const job of state.jobs.values()) if (matchesQuery(job, q)) out.push(job);
  return out;
}

/** A job of the state by id, unfinished or (from the archive) finished by the state's revision. */
export function findJob(state: State, archive: JobArchive | null, id: string): JobState | undefined {
  const live = state.jobs.get(id);
  if (live !== undefined || archive === null || !state.finished.has(id)) return live;
  // Finished but not yet handed over (its batch is still being written): it waits in `retired`.
  return archive.get(id) ?? state.retired.find((j) => j.id === id);
}

export interface JobPage {
  /** How many jobs match in all. */
  readonly total: number;
  readonly jobs: JobState[];
}

/**
 * A page of the jobs matching any of `queries` (which must not overlap), unfinished and finished,
 * in submission order, as of the state's revision. Each source gives at most `offset + limit`
 * jobs, so a page costs what it skips and shows plus the unfinished jobs, not the whole history.
 */
export function jobPage(
  state: State,
  archive: JobArchive | null,
  queries: readonly JobQuery[],
  page: { offset: number; limit: number },
): JobPage {
  const want = page.offset + page.limit;
  const lists: JobState[][] = [];
  let total = 0;
  for (const q of queries) {
    const live = liveJobs(state, q);
    lists.push(live);
    total += live.length;
    if (archive !== null && asksForFinished(q)) {
      lists.push(archive.list(q, state.revision, want));
      total += archive.count(q, state.revision);
    }
  }
  return { total, jobs: mergeBySeq(lists, want).slice(page.offset, want) };
}

/** The first `n` jobs of lists each in submission order, merged. */
function mergeBySeq(lists: readonly JobState[][], n: number): JobState[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 1) return (nonEmpty[0] as JobState[]).slice(0, n);
  const at = nonEmpty.map(() => 0);
  const out: JobState[] = [];
  while (out.length < n) {
    let best = -1;
    for (let i = 0; i < nonEmpty.length; i++) {
      const job = (nonEmpty[i] as JobState[])[at[i] as number];
      if (job !== undefined && (best < 0 || job.seq < ((nonEmpty[best] as JobState[])[at[best] as number] as JobState).seq))
        best = i;
    }
    if (best < 0) break;
    out.push((nonEmpty[best] as JobState[])[at[best] as number] as JobState);
    at[best] = (at[best] as number) + 1;
  }
  return out;
}

/**
 * A command as decide should see it: a clone of a finished job carries its source's request from
 * the archive (decide is pure and the decision state no longer holds it); whatever `source` the
 * command carried is replaced. Any other command is returned as it is.
 */
export function withCloneSource(state: State, archive: JobArchive | null, command: Command): Command {
  if (command.type !== 'CloneJob' || archive === null || state.jobs.has(command.sourceJobId)) return command;
  const job = state.finished.has(command.sourceJobId) ? archive.get(command.sourceJobId) : undefined;
  return job === undefined ? command : { ...command, source: cloneSourceOf(job) };
}

export function cloneSourceOf(job: JobState): CloneSource {
  return {
    kind: job.kind,
    owner: job.owner,
    gpus: job.gpus,
    gpuType: job.gpuType,
    workers: job.workers,
    priority: job.priority,
    tags: [...job.tags],
    expectedDuration: job.expectedDuration,
    immediate: job.immediate,
    spec: job.spec as CloneSource['spec'],
    shared: job.shared,
    ranOnGpuType: job.ranOnGpuType,
    ...(job.inputs === null ? {} : { inputs: job.inputs }),
    ...(job.output === null ? {} : { output: job.output }),
    ...(job.ide === null ? {} : { ide: job.ide }),
    // A record archived before selectors existed has none.
    ...(job.nodeSelector ? { nodeSelector: job.nodeSelector } : {}),
    ...(job.nodeAffinity ? { nodeAffinity: job.nodeAffinity } : {}),
  };
}
