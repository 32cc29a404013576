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
  /** Planned changes (what-if): the forecast is then run twice, without and with them. Null: once. */
  readonly changes: readonly Command[] | null;
}

/** Each job waiting at the start, in submission order, with its predicted start (NaN: not within the horizon). */
export interface ForecastColumns {
  readonly revision: number;
  readonly now: number;
  readonly horizon: number;
  /** Ids joined by a newline. */
  readonly jobIds: string;
  /** Starts without the planned changes. */
  readonly before: Float64Array;
  /** Starts with them (what-if), else null. */
  readonly after: Float64Array | null;
}

export type ForecastReply =
  | { readonly ok: true; readonly value: ForecastColumns }
  | { readonly ok: false; readonly rejection: Rejection };

/** The entities a forecast changes in place, copied, so that one snapshot serves two forecasts. */
function entitiesCopied(s: ForecastSnapshot): ForecastSnapshot {
  return {
    ...s,
    nodes: s.nodes.map((x) => ({ ...x, labels: { ...x.labels }, devices: [...x.devices] })),
    devices: s.devices.map((x) => ({ ...x, holders: [...x.holders] })),
    pools: s.pools.map((x) => ({ ...x })),
    groups: s.groups.map((x) => ({ ...x })),
    users: s.users.map((x) => ({ ...x })),
    allocations: s.allocations.map(([i, a]) => [i, { ...a }]),
  };
}

export function runForecast(req: ForecastRequest): ForecastReply {
  const typicalDuration = (kind: JobKind) => req.typical[kind];
  const common = { now: req.now, typicalDuration, ...(req.horizon === undefined ? {} : { horizon: req.horizon }) };
  const second = req.changes === null ? null : entitiesCopied(req.snapshot);
  const plain = forecast(fromForecastSnapshot(req.snapshot), common);
  if (plain._tag === 'Left') return { ok: false, rejection: plain.left };
  const jobs = plain.right.jobs;
  const before = new Float64Array(jobs.length);
  jobs.forEach((j, i) => {
    before[i] = j.startAt ?? Number.NaN;
  });
  let after: Float64Array | null = null;
  if (second !== null) {
    const planned = forecast(fromForecastSnapshot(second), { ...common, changes: req.changes ?? [] });
    if (planned._tag === 'Left') return { ok: false, rejection: planned.left };
    // The same jobs, in the same order: those waiting at the start, before the changes.
    const at = new Map(planned.right.jobs.map((j) => [j.jobId, j.startAt]));
    after = new Float64Array(jobs.length);
    jobs.forEach((j, i) => {
      (after as Float64Array)[i] = at.get(j.jobId) ?? Number.NaN;
    });
  }
  return {
    ok: true,
    value: {
      revision: req.snapshot.revision,
      now: plain.right.now,
      horizon: plain.right.horizon,
      jobIds: jobs.map((j) => j.jobId).join('\n'),
      before,
      after,
    },
  };
}

/** The reply's typed arrays, to move rather than copy. */
export function replyTransfer(reply: ForecastReply): ArrayBuffer[] {
  if (!reply.ok) return [];
  const out = [reply.value.before.buffer as ArrayBuffer];
  if (reply.value.after) out.push(reply.value.after.buffer as ArrayBuffer);
  return out;
}
