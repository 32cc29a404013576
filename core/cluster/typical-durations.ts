/**
 * How long a job of each kind typically runs: the median, from allocation to end, of the most
 * recent jobs of that kind that ended normally. A forecast assumes it for jobs that expect no
 * duration of their own (forecast.ts `typicalDuration`).
 *
 * A read model the host feeds with finished jobs (adapters/forecast/forecaster.ts follows the
 * engine). Memory is bounded: the last `window` durations per kind (default 1,000), in a ring.
 *
 * What counts as ending normally: a batch job (training, preprocessing, trial, pipeline step) that
 * completed; a failed or stopped one ended early and would pull the median down. A notebook or an
 * inference serves until someone stops it, so for those kinds a stop is the normal end and counts
 * too. Until a kind has a finished job, its typical duration is `defaultSeconds` (one hour): a
 * round guess, marked as such in every answer that uses it (`source: 'default'`).
 */
import { JOB_KINDS, type JobKind, type JobState } from './model.js';

export const DEFAULT_TYPICAL_DURATION_SECONDS = 3600;
export const DEFAULT_DURATION_WINDOW = 1000;

export interface TypicalDuration {
  readonly kind: JobKind;
  /** Seconds: the median of `samples` recent durations, or the default when there are none. */
  readonly seconds: number;
  readonly samples: number;
  readonly source: 'median' | 'default';
}

/** Kinds that serve until stopped: a stop is how they normally end. */
const SERVES_UNTIL_STOPPED: ReadonlySet<JobKind> = new Set(['notebook', 'inference']);

/** Whether a finished job's run says how long its kind typically runs (see above). */
export function endedNormally(job: Pick<JobState, 'kind' | 'status'>): boolean {
  return job.status === 'Complete' || (job.status === 'Stopped' && SERVES_UNTIL_STOPPED.has(job.kind));
}

class Ring {
  private readonly values: Float64Array;
  private next = 0;
  size = 0;
  private median: number | null = null;
  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }
  push(x: number): void {
    this.values[this.next] = x;
    this.next = (this.next + 1) % this.values.length;
    this.size = Math.min(this.size + 1, this.values.length);
    this.median = null;
  }
  /** The median, computed once per change (a sort of at most `window` numbers). */
  get(): number {
    if (this.median === null) {
      const s = this.values.slice(0, this.size).sort();
      const m = s.length >> 1;
      this.median = s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
    }
    return this.median;
  }
}

export class TypicalDurations {
  private readonly rings = new Map<JobKind, Ring>();
  readonly window: number;
  readonly defaultSeconds: number;

  constructor(options: { window?: number; defaultSeconds?: number } = {}) {
    this.window = options.window ?? DEFAULT_DURATION_WINDOW;
    this.defaultSeconds = options.defaultSeconds ?? DEFAULT_TYPICAL_DURATION_SECONDS;
  }

  /** A job of `kind` ran `seconds` (negative or not finite: ignored). */
  record(kind: JobKind, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    let ring = this.rings.get(kind);
    if (!ring) this.rings.set(kind, (ring = new Ring(this.window)));
    ring.push(seconds);
  }

  /** A finished job: counted when it ended normally and was allocated (see endedNormally). */
  recordJob(job: Pick<JobState, 'kind' | 'status' | 'allocatedAt' | 'endedAt'>): void {
    if (!endedNormally(job) || job.allocatedAt === null || job.endedAt === null) return;
    this.record(job.kind, job.endedAt - job.allocatedAt);
  }

  /** Seconds a job of `kind` typically runs. */
  seconds(kind: JobKind): number {
    const ring = this.rings.get(kind);
    return ring && ring.size > 0 ? ring.get() : this.defaultSeconds;
  }

  of(kind: JobKind): TypicalDuration {
    const ring = this.rings.get(kind);
    const samples = ring?.size ?? 0;
    return { kind, seconds: this.seconds(kind), samples, source: samples > 0 ? 'median' : 'default' };
  }

  /** Every kind's typical duration. */
  all(): TypicalDuration[] {
    return JOB_KINDS.map((k) => this.of(k));
  }
}
