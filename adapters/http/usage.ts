/**
 * Each pool's use over time: a bounded series of samples (time, revision, total, used, queued),
 * taken as the engine's batches change them. It is a read model of this server's memory alone,
 * kept from its start (a restarted server begins a new series): a chart of the last while, not
 * a history to audit (the event log is that).
 *
 * Cost: batches only mark the series stale; one sample of every pool is taken at the next turn
 * of the event loop (or when the route reads, whichever comes first), so a burst of batches costs
 * one walk over the devices, not one per batch. Per pool at most one sample a second is kept (the
 * latest in that second), and at most `capacity` of them: the oldest go first.
 */
import type { State } from '../../core/cluster/model.js';
import type { Engine } from '../../engine/engine.js';

/** A pool's samples, oldest first, as columns (the shape charts read). */
export interface UsageSeries {
  readonly at: number[];
  readonly revision: number[];
  readonly total: number[];
  readonly used: number[];
  readonly queued: number[];
}

export interface UsageHistoryOptions {
  /** Samples kept per pool (default 1440: a day of one a minute, or 24 minutes of one a second). */
  readonly capacity?: number;
  /** Samples closer than this many seconds share one slot, the latest kept (default 1). */
  readonly resolutionSeconds?: number;
}

export const DEFAULT_USAGE_CAPACITY = 1440;

/** One pool's ring of samples. */
class Ring {
  private readonly at: Float64Array;
  private readonly revision: Float64Array;
  private readonly total: Int32Array;
  private readonly used: Int32Array;
  private readonly queued: Int32Array;
  private start = 0;
  private length = 0;

  constructor(private readonly capacity: number) {
    this.at = new Float64Array(capacity);
    this.revision = new Float64Array(capacity);
    this.total = new Int32Array(capacity);
    this.used = new Int32Array(capacity);
    this.queued = new Int32Array(capacity);
  }

  private slot(i: number): number {
    return (this.start + i) % this.capacity;
  }

  /** Record a sample: nothing when nothing changed, in the last slot when it is of the same second. */
  add(at: number, revision: number, total: number, used: number, queued: number, resolution: number): void {
    if (this.length > 0) {
      const last = this.slot(this.length - 1);
      if (this.total[last] === total && this.used[last] === used && this.queued[last] === queued) return;
      if (Math.floor((this.at[last] as number) / resolution) === Math.floor(at / resolution)) {
        this.write(last, at, revision, total, used, queued);
        return;
      }
    }
    if (this.length === this.capacity) {
      this.start = (this.start + 1) % this.capacity;
      this.length--;
    }
    this.write(this.slot(this.length), at, revision, total, used, queued);
    this.length++;
  }

  private write(i: number, at: number, revision: number, total: number, used: number, queued: number) {
    this.at[i] = at;
    this.revision[i] = revision;
    this.total[i] = total;
    this.used[i] = used;
    this.queued[i] = queued;
  }

  /** The samples up to `revision` and from `since` (seconds), oldest first. */
  read(revision: number, since: number): UsageSeries {
    const out: UsageSeries = { at: [], revision: [], total: [], used: [], queued: [] };
    for (let k = 0; k < this.length; k++) {
      const i = this.slot(k);
      const rev = this.revision[i] as number;
      const at = this.at[i] as number;
      if (rev > revision) break;
      if (at < since) continue;
      out.at.push(at);
      out.revision.push(rev);
      out.total.push(this.total[i] as number);
      out.used.push(this.used[i] as number);
      out.queued.push(this.queued[i] as number);
    }
    return out;
  }
}

export class PoolUsageHistory {
  private readonly capacity: number;
  private readonly resolution: number;
  private readonly rings = new Map<string, Ring>();
  private stale = true;
  private scheduled: ReturnType<typeof setImmediate> | null = null;
  private readonly unsubscribe: () => void;
  /** When this server began keeping samples (the state's time then). */
  readonly since: number;

  constructor(
    private readonly engine: Engine,
    options: UsageHistoryOptions = {},
  ) {
    this.capacity = Math.max(2, Math.floor(options.capacity ?? DEFAULT_USAGE_CAPACITY));
    this.resolution = options.resolutionSeconds ?? 1;
    this.since = engine.current.now;
    this.sample();
    this.unsubscribe = engine.subscribe(() => {
      this.stale = true;
      this.scheduled ??= setImmediate(() => {
        this.scheduled = null;
        this.sample();
      });
    });
  }

  /** Take a sample of every pool now, when a batch has changed anything since the last. */
  sample(): void {
    if (!this.stale) return;
    this.stale = false;
    const state = this.engine.current;
    const counts = usageCounts(state);
    for (const [id, c] of counts) {
      let ring = this.rings.get(id);
      if (!ring) this.rings.set(id, (ring = new Ring(this.capacity)));
      ring.add(state.now, state.revision, c.total, c.used, c.queued, this.resolution);
    }
    // A deleted pool's series goes with it.
    for (const id of this.rings.keys()) if (!counts.has(id)) this.rings.delete(id);
  }

  /**
   * A pool's samples up to `revision` (the state a read of the past stands at) and from `since`;
   * undefined for a pool without a series (none, or deleted since).
   */
  series(poolId: string, revision: number, since = Number.NEGATIVE_INFINITY): UsageSeries | undefined {
    this.sample();
    return this.rings.get(poolId)?.read(revision, since);
  }

  close(): void {
    this.unsubscribe();
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
  }
}

/** Every pool's total, used and queued, in one walk over the devices. */
function usageCounts(state: Readonly<State>): Map<string, { total: number; used: number; queued: number }> {
  const out = new Map<string, { total: number; used: number; queued: number }>();
  for (const p of state.pools.values()) {
    out.set(p.id, { total: 0, used: 0, queued: p.group ? (state.queues.get(p.group)?.size ?? 0) : 0 });
  }
  for (const d of state.devices.values()) {
    const c = out.get(d.pool);
    if (!c) continue;
    c.total++;
    if (d.holders.length > 0) c.used++;
  }
  return out;
}
