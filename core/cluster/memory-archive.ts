/**
 * The job archive in memory (the port is in job-archive.ts), the default: pure data, no I/O: finished jobs by id, and in submission
 * order overall, per owner and per group. Jobs finish out of submission order, so each list is
 * sorted when read after a change: V8's sort finds the sorted prefix and merges the few new ones.
 * It starts empty in every process, so an engine over a durable store with this archive replays
 * the whole log at start-up (a snapshot does not hold finished jobs' records).
 */
import { finishedAt, type JobArchive, type JobQuery, matchesQuery } from './job-archive.js';
import type { FinishedStatus, JobState } from './model.js';

class Run {
  readonly jobs: JobState[] = [];
  private sorted = true;
  add(job: JobState): void {
    const last = this.jobs[this.jobs.length - 1];
    if (last !== undefined && last.seq > job.seq) this.sorted = false;
    this.jobs.push(job);
  }
  inOrder(): JobState[] {
    if (!this.sorted) {
      this.jobs.sort((a, b) => a.seq - b.seq);
      this.sorted = true;
    }
    return this.jobs;
  }
}

export class MemoryJobArchive implements JobArchive {
  private last = -1;
  private readonly byId = new Map<string, JobState>();
  private readonly all = new Run();
  private readonly byOwner = new Map<string, Run>();
  private readonly byGroup = new Map<string, Run>();

  get revision(): number {
    return this.last;
  }

  put(jobs: readonly JobState[], revision: number): void {
    for (const job of jobs) {
      if (this.byId.has(job.id)) continue;
      this.byId.set(job.id, job);
      this.all.add(job);
      runOf(this.byOwner, job.owner).add(job);
      runOf(this.byGroup, job.group).add(job);
    }
    if (revision > this.last) this.last = revision;
  }

  get(id: string): JobState | undefined {
    return this.byId.get(id);
  }

  list(query: JobQuery, upTo: number, limit: number): JobState[] {
    const out: JobState[] = [];
    if (limit <= 0) return out;
    for (const job of this.runFor(query)) {
      if (finishedAt(job) > upTo || !matchesQuery(job, query)) continue;
      out.push(job);
      if (out.length >= limit) break;
    }
    return out;
  }

  count(query: JobQuery, upTo: number): number {
    const run = this.runFor(query);
    // A whole owner's or group's list (or the whole archive) as of now: its length.
    const { statuses, kind, tag, shared, notOwner } = query;
    const narrowed = [statuses, kind, tag, shared, notOwner].some((v) => v !== undefined);
    if (upTo >= this.last && !narrowed && (query.owner === undefined || query.group === undefined)) return run.length;
    let n = 0;
    for (const job of run) if (finishedAt(job) <= upTo && matchesQuery(job, query)) n++;
    return n;
  }

  groups(): string[] {
    return [...this.byGroup.keys()];
  }

  *finishedIds(upTo: number): Iterable<readonly [string, FinishedStatus]> {
    for (const job of this.byId.values()) if (finishedAt(job) <= upTo) yield [job.id, job.status as FinishedStatus];
  }

  close(): void {}

  private runFor(query: JobQuery): JobState[] {
    const run =
      query.owner !== undefined
        ? this.byOwner.get(query.owner)
        : query.group !== undefined
          ? this.byGroup.get(query.group)
          : this.all;
    return run?.inOrder() ?? [];
  }
}

function runOf(runs: Map<string, Run>, key: string): Run {
  let run = runs.get(key);
  if (!run) {
    run = new Run();
    runs.set(key, run);
  }
  return run;
}
