/**
 * Follow an engine's stream through its store, each event handed over only once the engine has
 * folded it in: what the runtimes and the Job admission do (a reactor that reads the engine's
 * state when it reacts, rather than keeping a checkpoint of its own).
 *
 * Events come through the store port, so every writer's reach the follower (another server on the
 * store, the CLI), not only this process's. An event past the engine's revision (another writer's)
 * waits for a catch-up, and the events behind it wait with it, so they are handed over in stream
 * order; a catch-up that fails goes to `onError` and is tried again after `retryMs`. An event the
 * store delivers again, or one at or before `after`, is passed over. A catch-up is asked once per
 * revision: a store that delivers events before it lets them be read does not make it spin.
 */
import type { Decoded } from '../core/codec.js';
import type { EventStore, RecordedEvent, Subscription } from '../core/ports.js';

/** What the follower needs of an engine. */
export interface FollowedEngine<E> {
  readonly stream: string;
  readonly revision: number;
  readonly decider: { decodeEvent(data: unknown): Decoded<E> };
  catchUp(): Promise<unknown>;
}

export interface FollowTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface EngineFollowerOptions<E> {
  /** Hand over the events after this revision (the state the caller has already acted on). */
  readonly after: bigint;
  /** Only events of these types are decoded and handed over; the others are passed over unread. */
  readonly types?: ReadonlySet<string>;
  /** One event, in order, once the engine has it. What it throws goes to `onError`. */
  onEvent(event: E, revision: bigint): void;
  /** After each run of events, when the queue is empty or waits for a catch-up. */
  onDrained?(handledAny: boolean): void;
  onError(error: unknown): void;
  /** Wait before a failed catch-up is tried again (default 1 s). */
  readonly retryMs?: number;
  /** Default: the global timers, unref'd. */
  readonly timers?: FollowTimers;
}

export interface EngineFollower {
  /** Events are queued, or a catch-up is under way: not idle. */
  readonly busy: boolean;
  /** The revision of the last event handled (or passed over). */
  readonly handled: bigint;
  stop(): void;
}

const globalTimers: FollowTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function followEngine<E>(engine: FollowedEngine<E>, store: EventStore, options: EngineFollowerOptions<E>): EngineFollower {
  const timers = options.timers ?? globalTimers;
  const retryMs = options.retryMs ?? 1000;
  /** Delivered and not yet handled: queue[head..]. A shift per event would copy the array. */
  let queue: RecordedEvent[] = [];
  let head = 0;
  let handled = options.after;
  let catchingUp = false;
  /** The revision the last catch-up was for: not caught up again for it. */
  let caughtUpFor = -1n;
  let retry: unknown;
  let stopped = false;

  const report = (error: unknown) => {
    try {
      options.onError(error);
    } catch {
      // The error handler's own failure is not the follower's to report.
    }
  };

  function deliver(recorded: RecordedEvent): void {
    if (stopped) return;
    queue.push(recorded);
    if (!catchingUp) drain();
  }

  function drain(): void {
    let handledAny = false;
    while (head < queue.length && !stopped) {
      const recorded = queue[head] as RecordedEvent;
      if (recorded.revision <= handled) {
        head++;
        continue;
      }
      if (BigInt(engine.revision) < recorded.revision && caughtUpFor < recorded.revision) {
        catchUp(recorded.revision);
        break;
      }
      head++;
      handled = recorded.revision;
      handledAny = true;
      if (options.types && !options.types.has(recorded.type)) continue;
      try {
        const decoded = engine.decider.decodeEvent(recorded.data);
        if (!decoded.ok) throw new Error(`${engine.stream}@${recorded.revision} does not decode: ${decoded.message}`);
        options.onEvent(decoded.value, recorded.revision);
      } catch (error) {
        report(error);
      }
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 4096) {
      queue = queue.slice(head);
      head = 0;
    }
    try {
      options.onDrained?.(handledAny);
    } catch (error) {
      report(error);
    }
  }

  function catchUp(revision: bigint): void {
    catchingUp = true;
    engine.catchUp().then(
      () => {
        catchingUp = false;
        caughtUpFor = revision;
        drain();
      },
      (error: unknown) => {
        report(error);
        if (stopped) {
          catchingUp = false;
          return options.onDrained?.(false);
        }
        retry = timers.setTimeout(() => {
          retry = undefined;
          catchingUp = false;
          drain();
        }, retryMs);
      },
    );
  }

  const after = options.after;
  const subscription: Subscription = store.subscribe(engine.stream, after < 0n ? {} : { after }, deliver);
  return {
    get busy() {
      return catchingUp || (head < queue.length && !stopped);
    },
    get handled() {
      return handled;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      subscription.close();
      queue = [];
      head = 0;
      if (retry !== undefined) {
        timers.clearTimeout(retry);
        retry = undefined;
        catchingUp = false;
      }
    },
  };
}
