/**
 * Leader election over a lease kept in the store: of the processes on one store, the one holding
 * the lease `name` does the work only one may do (in `gpupool serve`, run the cluster's runtime).
 *
 * Each candidate asks the store for the lease (`acquireLease(name, holder, ttl, now)`, the
 * EventStore port's compare-and-set) at once and then every third of the ttl: a holder renews it,
 * the others are refused until it runs out. So a leader that dies is replaced within the ttl plus a
 * third of it, and one that stops cleanly (`close()`) releases the lease, so another takes it at
 * its next attempt.
 *
 * - `onElected` is called when the lease is taken; `onDeposed` when a renewal is refused (another
 *   holder took it: this one stalled past its expiry), when no renewal has landed by a sixth of
 *   the ttl before the lease runs out (the store failing or slow), and on `close()`. The deadline
 *   is kept on a timer of its own, so a leader whose renewals hang is deposed before its lease
 *   can be taken over. The calls alternate, elected then deposed, and each waits for the one
 *   before it to finish (an async `onDeposed` that stops work finishes before the next election).
 * - A deposed candidate keeps asking: it leads again once the lease is free.
 * - Times are by the candidate's clock, as the lease's expiry is: candidates on different hosts
 *   need clocks that agree to well within the ttl.
 * - A process that stalls (its event loop blocked) past its deadline learns it only when it runs
 *   again. The work a leader does must therefore tolerate a short overlap with its successor (the
 *   runtime's reports carry ids derived from the events they answer, so the engine applies each
 *   once); the lease keeps the overlap short and rare, not impossible.
 *
 * It depends only on the store's leases and a clock; timers are injectable for tests.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, EventStore, Lease } from '../core/ports.js';

/** The timer functions an election uses; tests inject fake ones. */
export interface LeaderTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Why a leader stopped leading. */
export type Deposed =
  /** A renewal was refused: another holder has the lease. */
  | { readonly reason: 'taken'; readonly heldBy: Lease }
  /** No renewal landed in time (the store failed or was slow): the lease may run out. */
  | { readonly reason: 'expired' }
  /** The election was closed; the lease is released right after. */
  | { readonly reason: 'closed' };

export interface LeaderElectionOptions {
  readonly store: Pick<EventStore, 'acquireLease' | 'releaseLease'>;
  /** The lease's name: one leader per name and store. */
  readonly name: string;
  /** Who asks; default a random id (one per process is what keeps two processes apart). */
  readonly holder?: string;
  /** How long a lease lasts unless renewed, in seconds. */
  readonly ttlSeconds: number;
  /** Default: the system clock, in seconds. */
  readonly clock?: Clock;
  /** Default: the global setTimeout and clearTimeout (unref'd). */
  readonly timers?: LeaderTimers;
  readonly onElected: () => void | Promise<void>;
  readonly onDeposed: (why: Deposed) => void | Promise<void>;
  /** Where a store failure, or a throwing onElected/onDeposed, goes. Default: stderr. */
  readonly onError?: (error: unknown) => void;
}

export interface LeaderElection {
  readonly name: string;
  readonly holder: string;
  /** Whether this candidate leads now: its lease is taken and not about to run out. */
  readonly leading: boolean;
  /**
   * Stop asking; if leading, be deposed (`onDeposed` is awaited), then release the lease so that
   * another candidate takes it at its next attempt rather than after the ttl.
   */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => Date.now() / 1000 };

const globalTimers: LeaderTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function reportError(error: unknown): void {
  console.error(`gpupool leader election: ${error instanceof Error ? error.message : String(error)}`);
}

/** Start being a candidate for the lease `options.name`: the first attempt is made at once. */
export function startLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const { store, name, ttlSeconds } = options;
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0)
    throw new RangeError(`leader election: ttlSeconds must be a number > 0, got ${ttlSeconds}`);
  const holder = options.holder ?? randomUUID();
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? globalTimers;
  const onError = options.onError ?? reportError;
  /** Between two attempts. */
  const periodMs = (ttlSeconds * 1000) / 3;
  /** A leader stops this long before its lease runs out unless a renewal lands first. */
  const marginSeconds = ttlSeconds / 6;

  let leading = false;
  /** When the lease last taken or renewed runs out, by this candidate's clock. */
  let expiresAt = Number.NEGATIVE_INFINITY;
  let closed = false;
  let closing: Promise<void> | undefined;
  let attemptTimer: unknown;
  let deadlineTimer: unknown;
  let attempt: Promise<void> | undefined;
  /** onElected and onDeposed, one after another. */
  let transitions: Promise<void> = Promise.resolve();

  const report = (error: unknown) => {
    try {
      onError(error);
    } catch {
      // The error handler's own failure is not the election's to report.
    }
  };
  const unref = (handle: unknown) => (handle as { unref?: () => void } | null)?.unref?.();
  const deadline = () => expiresAt - marginSeconds;

  function transition(call: () => void | Promise<void>): void {
    transitions = transitions.then(call).catch(report);
  }

  function elect(): void {
    leading = true;
    transition(() => options.onElected());
  }

  function depose(why: Deposed): void {
    if (!leading) return;
    leading = false;
    clearDeadline();
    transition(() => options.onDeposed(why));
  }

  function clearDeadline(): void {
    if (deadlineTimer !== undefined) timers.clearTimeout(deadlineTimer);
    deadlineTimer = undefined;
  }

  /** Depose this leader at its deadline unless a renewal moves it first. */
  function armDeadline(): void {
    clearDeadline();
    const handle = timers.setTimeout(
      () => {
        if (deadlineTimer !== handle) return;
        deadlineTimer = undefined;
        if (!leading) return;
        if (clock.now() >= deadline()) depose({ reason: 'expired' });
        else armDeadline(); // fired a little early
      },
      Math.max(0, (deadline() - clock.now()) * 1000),
    );
    unref(handle);
    deadlineTimer = handle;
  }

  async function tryOnce(): Promise<void> {
    const now = clock.now();
    if (leading && now >= deadline()) depose({ reason: 'expired' });
    let result: Awaited<ReturnType<typeof store.acquireLease>>;
    try {
      result = await store.acquireLease(name, holder, ttlSeconds, now);
    } catch (error) {
      report(error);
      if (leading && clock.now() >= deadline()) depose({ reason: 'expired' });
      return;
    }
    if (closed) return; // close() deposes and releases
    if (!result.ok) return depose({ reason: 'taken', heldBy: result.heldBy });
    // Taken or renewed from `now` on; an answer that arrives past the deadline is too late to lead on.
    expiresAt = result.lease.expiresAt;
    if (clock.now() >= deadline()) return depose({ reason: 'expired' });
    armDeadline();
    if (!leading) elect();
  }

  function run(): void {
    attemptTimer = undefined;
    if (closed) return;
    attempt = tryOnce()
      .catch(report)
      .finally(() => {
        attempt = undefined;
        if (closed) return;
        attemptTimer = timers.setTimeout(run, periodMs);
        unref(attemptTimer);
      });
  }

  run();

  return {
    name,
    holder,
    get leading() {
      return leading;
    },
    close() {
      closing ??= (async () => {
        closed = true;
        if (attemptTimer !== undefined) timers.clearTimeout(attemptTimer);
        attemptTimer = undefined;
        await attempt;
        depose({ reason: 'closed' });
        clearDeadline();
        await transitions;
        try {
          await store.releaseLease(name, holder);
        } catch (error) {
          report(error);
        }
      })();
      return closing;
    },
  };
}
