/**
 * When will it start? A forecast plays the cluster forward from a state, on the jobs' expected
 * durations, through the same rules that run it (runBatch: decide, fold, the scheduling pass),
 * and reads off when each job waiting at the start would be allocated. "What if" is the same
 * forecast after an operator's planned commands (move GPUs, change a policy, cordon a node) are
 * applied first: the difference between the two is what the change would do to every queue.
 *
 * It is an estimate and says so: a job's duration is its `expectedDuration`, else the typical
 * duration the caller gives for its kind (the median of what finished so far, as the host knows
 * it); a running job is taken to end that long after its allocation, or at once if it has already
 * overrun. Nothing fails, nothing new arrives, no node comes or goes: the forecast answers "if the
 * cluster went on as planned".
 *
 * Pure and deterministic: no clock (the caller says what time it is), no randomness. It changes
 * the state it is given, which must be the caller's own copy (`forkState`), never the engine's.
 */
import * as E from 'fp-ts/lib/Either.js';
import { Heap } from 'heap-js';
import { type Rejection, reject } from '../rejection.js';
import { runBatch } from './batch.js';
import type { Command } from './commands.js';
import { holdsDevices, isPending, type JobKind, type JobState, type State } from './model.js';
import { nextWakeup } from './scheduler/timers.js';
import { fromSnapshot, toSnapshot } from './snapshot.js';

/** Planned changes a what-if may apply: an operator's commands on pools, devices and nodes. */
export const WHAT_IF_COMMANDS: readonly Command['type'][] = [
  'CreatePool',
  'ConfigurePool',
  'AllocateGPUs',
  'MovePoolDevices',
  'DeletePool',
  'AssignPool',
  'CordonNode',
  'UncordonNode',
  'LoseNode',
];

export interface ForecastOptions {
  /** The host's time (seconds): the state's own is that of its latest event, maybe long ago. */
  readonly now: number;
  /** Seconds a job of a kind typically runs, for jobs that expect no duration of their own. */
  readonly typicalDuration: (kind: JobKind) => number;
  /** How far ahead to look (seconds); a job not started by then is forecast as `null`. Default 30 days. */
  readonly horizon?: number;
  /** Planned changes applied at `now` before playing forward (what-if). */
  readonly changes?: readonly Command[];
}

export interface JobForecast {
  readonly jobId: string;
  readonly group: string;
  /** When it is forecast to be allocated its GPUs (seconds), or null: not within the horizon. */
  readonly startAt: number | null;
  /** Seconds from `now` to that start (0: at once, after the planned changes), or null. */
  readonly waitSeconds: number | null;
}

export interface Forecast {
  readonly now: number;
  readonly horizon: number;
  /** Every job waiting at the start, in submission order. */
  readonly jobs: readonly JobForecast[];
}

export const DEFAULT_HORIZON_SECONDS = 30 * 24 * 3600;

/** A copy of the state a forecast may change (the engine's state is never touched). */
export function forkState(state: Readonly<State>): State {
  return fromSnapshot(structuredClone(toSnapshot(state as State, { finishedIds: false })));
}

/**
 * Play `state` (the caller's own copy) forward and forecast every waiting job's start. A planned
 * change that the cluster refuses is answered as that refusal, naming the change.
 */
export function forecast(state: State, options: ForecastOptions): E.Either<Rejection, Forecast> {
  const now = Math.max(options.now, state.now);
  const horizon = now + (options.horizon ?? DEFAULT_HORIZON_SECONDS);
  const changes = options.changes ?? [];
  const unplannable = changes.findIndex((c) => !WHAT_IF_COMMANDS.includes(c.type));
  if (unplannable >= 0) {
    const type = (changes[unplannable] as Command).type;
    return E.left(
      reject(
        'invalid-argument',
        `changes[${unplannable}]: ${type} is not a planned change (one of ${WHAT_IF_COMMANDS.join(', ')})`,
      ),
    );
  }
  // Finished jobs leave the state: keep each waiting job's group now.
  const waiting = [...state.jobs.values()].filter((j) => isPending(j.status)).map((j) => ({ jobId: j.id, group: j.group }));
  const durationOf = (job: JobState) => job.expectedDuration ?? options.typicalDuration(job.kind);
  const starts = new Map<string, number>();
  const ends = new Heap<{ at: number; jobId: string }>((a, b) => a.at - b.at || (a.jobId < b.jobId ? -1 : 1));
  for (const job of state.jobs.values()) {
    if (holdsDevices(job.status)) ends.push({ at: Math.max(now, (job.allocatedAt ?? now) + durationOf(job)), jobId: job.id });
  }
  const follow = (events: ReturnType<typeof runBatch>['events'], at: number) => {
    for (const e of events) {
      if (e.type !== 'JobAllocated') continue;
      starts.set(e.jobId, at);
      const job = state.jobs.get(e.jobId);
      if (job) ends.push({ at: at + durationOf(job), jobId: e.jobId });
    }
  };

  const planned = runBatch(state, changes, now);
  for (const [i, outcome] of planned.outcomes.entries()) {
    if (!outcome.ok) {
      const c = changes[i] as Command;
      return E.left(reject(outcome.rejection.code, `changes[${i}] (${c.type}): ${outcome.rejection.message}`));
    }
  }
  follow(planned.events, now);

  // One batch per instant: the jobs ending then, or a Tick when a maximum wait falls due first.
  let t = now;
  while (starts.size < waiting.length) {
    const nextEnd = ends.peek()?.at ?? Number.POSITIVE_INFINITY;
    const wake = nextWakeup(state, t) ?? Number.POSITIVE_INFINITY;
    const at = Math.min(nextEnd, wake);
    if (at > horizon) break;
    const commands: Command[] = [];
    while ((ends.peek()?.at ?? Number.POSITIVE_INFINITY) <= at) {
      commands.push({ type: 'ReportJobCompleted', jobId: (ends.pop() as { jobId: string }).jobId });
    }
    if (commands.length === 0) commands.push({ type: 'Tick' });
    t = at;
    follow(runBatch(state, commands, at).events, at);
    state.retired.length = 0; // no archive here: finished jobs are simply let go
  }

  return E.right({
    now,
    horizon,
    jobs: waiting.map(({ jobId, group }) => {
      const startAt = starts.get(jobId) ?? null;
      return { jobId, group, startAt, waitSeconds: startAt === null ? null : startAt - now };
    }),
  });
}
