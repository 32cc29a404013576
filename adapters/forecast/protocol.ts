/**
 * What passes between the server and its forecast worker, and the work itself: a forecast
 * snapshot and the options in, each waiting job's predicted start out, as columns (one string of
 * ids, typed arrays of starts) so that neither side spends its time copying objects. The same
 * function runs in the worker and in-process (tests compare the two).
 */
import type { Command } from '../../core/cluster/commands.js';
import { type ForecastSnapshot, forecast, fromForecastSnapshot } from '../../core/cluster/forecast.js';
import type { JobKind } from '../../core/cluster/model.js';
import type { Rejection } from '../../core/rejection.js';

export interface ForecastRequest {
  readonly snapshot: ForecastSnapshot;
  /** The host's time (seconds). */
  readonly now: number;
  /** Seconds a job of each kind typically runs (every kind named). */
  readonly typical: Readonly<Record<JobKind, number>>;
  readonly horizon?: number;
  /** Planned changes applied first (what-if); none: the plain forecast. */
  readonly changes: readonly Command[];
}

/** Each job waiting at the start, in submission order, with its predicted start (NaN: not within the horizon). */
export interface ForecastColumns {
  readonly revision: number;
  readonly now: number;
  readonly horizon: number;
  /** Ids joined by a newline. */
  readonly jobIds: string;
  readonly starts: Float64Array;
}

export type ForecastReply =
  | { readonly ok: true; readonly value: ForecastColumns }
  | { readonly ok: false; readonly rejection: Rejection };

export function runForecast(req: ForecastRequest): ForecastReply {
  const r = forecast(fromForecastSnapshot(req.snapshot), {
    now: req.now,
    typicalDuration: (kind: JobKind) => req.typical[kind],
    changes: req.changes,
    ...(req.horizon === undefined ? {} : { horizon: req.horizon }),
  });
  if (r._tag === 'Left') return { ok: false, rejection: r.left };
  const jobs = r.right.jobs;
  const starts = new Float64Array(jobs.length);
  let ids = '';
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i] as (typeof jobs)[number];
    starts[i] = j.startAt ?? Number.NaN;
    ids += i === 0 ? j.jobId : `\n${j.jobId}`;
  }
  return {
    ok: true,
    value: { revision: req.snapshot.revision, now: r.right.now, horizon: r.right.horizon, jobIds: ids, starts },
  };
}

/** The reply's typed arrays, to move rather than copy. */
export function replyTransfer(reply: ForecastReply): ArrayBuffer[] {
  return reply.ok ? [reply.value.starts.buffer as ArrayBuffer] : [];
}
