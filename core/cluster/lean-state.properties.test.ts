/**
 * The lean decision state (property): finished jobs leave the state for the job archive, and
 * every job list, job record and history still answers as it did when the state kept every job.
 * The oracle is an independent fold of the event log that keeps every job's status and history.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatch } from './batch.js';
import type { Command } from './commands.js';
import type { Event } from './events.js';
import { evolve, initialState, takeRetired } from './evolve.js';
import { findJob, type JobQuery, jobPage, withCloneSource } from './job-archive.js';
import { MemoryJobArchive } from './memory-archive.js';
import { holdsDevices, isFinished, isPending, type JobState, type JobStatus, type State } from './model.js';
import { type Batch, scenarioArb } from './test-support/arbitraries.js';

interface OracleJob {
  id: string;
  owner: string;
  group: string;
  kind: JobState['kind'];
  tags: readonly string[];
  shared: boolean;
  seq: number;
  status: JobStatus;
  history: { status: JobStatus; at: number; revision: number }[];
}

/** Every job ever submitted, with its status and history, from the log up to `upTo`. */
function oracle(log: readonly Event[], upTo = log.length - 1): Map<string, OracleJob> {
  const jobs = new Map<string, OracleJob>();
  const move = (id: string, status: JobStatus, at: number, revision: number) => {
    const j = jobs.get(id);
    if (!j || j.status === status) return;
    j.status = status;
    j.history.push({ status, at, revision });
  };
  for (let r = 0; r <= upTo; r++) {
    const e = log[r] as Event;
    switch (e.type) {
      case 'JobSubmitted':
        jobs.set(e.jobId, {
          id: e.jobId,
          owner: e.owner,
          group: e.group,
          kind: e.kind,
          tags: e.tags,
          shared: e.shared === true,
          seq: r,
          status: 'Queued',
          history: [{ status: 'Queued', at: e.at, revision: r }],
        });
        break;
      case 'JobWaiting':
        move(e.jobId, 'WaitingForGPUs', e.at, r);
        break;
      case 'JobAllocated':
        move(e.jobId, 'Starting', e.at, r);
        break;
      case 'JobStarted': {
        const kind = jobs.get(e.jobId)?.kind;
        move(e.jobId, kind === 'training' || kind === 'trial' ? 'Training' : 'Running', e.at, r);
        break;
      }
      case 'JobStopRequested':
        move(e.jobId, 'Stopping', e.at, r);
        break;
      case 'JobCompleted':
        move(e.jobId, 'Complete', e.at, r);
        break;
      case 'JobFailed':
        move(e.jobId, 'Error', e.at, r);
        break;
      case 'JobStopped':
        move(e.jobId, 'Stopped', e.at, r);
        break;
      default:
        break;
    }
  }
  return jobs;
}

function matches(j: OracleJob, q: JobQuery): boolean {
  return (
    (q.statuses === undefined || q.statuses.has(j.status)) &&
    (q.kind === undefined || j.kind === q.kind) &&
    (q.owner === undefined || j.owner === q.owner) &&
    (q.group === undefined || j.group === q.group) &&
    (q.tag === undefined || j.tags.includes(q.tag)) &&
    (q.shared === undefined || j.shared === q.shared) &&
    (q.notOwner === undefined || j.owner !== q.notOwner)
  );
}

const view = (j: Pick<OracleJob, 'id' | 'status' | 'history'>) => ({ id: j.id, status: j.status, history: j.history });

/** Run a scenario as the engine does: clones completed from the archive, retired jobs handed over after each batch. */
function run(batches: readonly Batch[], afterBatch: (state: State, archive: MemoryJobArchive, log: Event[]) => void) {
  const state = initialState();
  const archive = new MemoryJobArchive();
  const log: Event[] = [];
  const step = (commands: readonly Command[], at: number) => {
    const r = runBatch(
      state,
      commands.map((c) => withCloneSource(state, archive, c)),
      at,
    );
    log.push(...r.events);
    archive.put(takeRetired(state), state.revision);
    afterBatch(state, archive, log);
  };
  let at = 0;
  for (const b of batches) {
    at = b.at;
    step(b.commands, at);
  }
  // Then finish everything: most jobs end up in the archive.
  for (let round = 0; round < 50 && state.jobs.size > 0; round++) {
    at += 10;
    const commands: Command[] = [];
    for (const j of state.jobs.values()) {
      if (j.status === 'Starting') commands.push({ type: 'ReportJobStarted', jobId: j.id });
      else if (holdsDevices(j.status)) commands.push({ type: 'ReportJobCompleted', jobId: j.id });
      else if (isPending(j.status)) commands.push({ type: 'StopJob', jobId: j.id });
    }
    step(commands, at);
  }
  return { state, archive, log };
}

const QUERIES: JobQuery[] = [
  {},
  { statuses: new Set(['Complete', 'Error'] as const) },
  { statuses: new Set(['Queued', 'WaitingForGPUs', 'Running', 'Training']) },
  { owner: 'admin' },
  { group: 'default' },
  { kind: 'training' },
  { shared: true, notOwner: 'admin' },
];

describe('the lean decision state (property)', () => {
  it('holds only unfinished jobs, while lists, records and histories answer as if it held every job', () => {
    fc.assert(
      fc.property(scenarioArb(), fc.nat(), fc.nat(), (scenario, offsetSeed, limitSeed) => {
        const { log } = run(scenario.batches, (state, archive, log) => {
          const truth = oracle(log);
          // Only unfinished jobs are in the decision state; finished ones are named in `finished`.
          for (const j of state.jobs.values()) expect(isFinished(j.status)).toBe(false);
          const ended = [...truth.values()].filter((j) => isFinished(j.status));
          expect(new Map([...state.finished].sort())).toEqual(new Map(ended.map((j) => [j.id, j.status] as const).sort()));
          expect([...state.jobs.keys()].sort()).toEqual(
            [...truth.values()]
              .filter((j) => !isFinished(j.status))
              .map((j) => j.id)
              .sort(),
          );
          // Every job reads as the oracle says, finished or not.
          for (const j of truth.values()) expect(view(findJob(state, archive, j.id) as JobState)).toEqual(view(j));
          // Lists: every query, a random page.
          const all = [...truth.values()].sort((a, b) => a.seq - b.seq);
          for (const q of QUERIES) {
            const want = all.filter((j) => matches(j, q));
            const offset = offsetSeed % (want.length + 2);
            const limit = 1 + (limitSeed % 5);
            const page = jobPage(state, archive, [q], { offset, limit });
            expect(page.total).toBe(want.length);
            expect(page.jobs.map(view)).toEqual(want.slice(offset, offset + limit).map(view));
          }
        });
        return log.length >= 0;
      }),
      { numRuns: 60 },
    );
  });

  it('answers time travel: a past state with the archive lists what the state at that revision held', () => {
    fc.assert(
      fc.property(scenarioArb(), fc.nat(), (scenario, pick) => {
        const { archive, log } = run(scenario.batches, () => {});
        if (log.length === 0) return;
        const upTo = pick % log.length;
        const past = initialState();
        for (let r = 0; r <= upTo; r++) evolve(past, log[r] as Event);
        takeRetired(past); // a past state hands nothing over
        const want = [...oracle(log, upTo).values()].sort((a, b) => a.seq - b.seq);
        const page = jobPage(past, archive, [{}], { offset: 0, limit: Number.POSITIVE_INFINITY });
        expect(page.total).toBe(want.length);
        expect(page.jobs.map(view)).toEqual(want.map(view));
      }),
      { numRuns: 60 },
    );
  });
});
