/**
 * The cluster engine's alarm clock: time passing alone changes scheduling decisions (a job's
 * maximum wait runs out and it reserves capacity), so someone must tell the engine when that
 * instant comes. One timer is set for `nextWakeup(state)` (core/cluster/scheduler/timers.ts); when
 * it fires, a `Tick` goes to the engine, whose batch runs the passes that the deadline concerns.
 * The timer is set again after every change the engine learns of (once per turn of the event
 * loop, not once per event) and after each Tick.
 *
 * The simulated runtime keeps this alarm inside it; a runtime that does not (the Kubernetes one)
 * runs this beside it, on the server that leads. Each Tick's id is derived from the deadline it
 * serves (`<name>:@<seconds>:tick`), so two servers ticking for one deadline tick once.
 */
import type { Command } from '../core/cluster/commands.js';
import { nextWakeup } from '../core/cluster/scheduler/timers.js';
import type { Clock } from '../core/ports.js';
import type { Engine } from './engine.js';
import { reactionId } from './reactor.js';

export interface WakeupTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WakeupOptions {
  /** The prefix of the Ticks' command ids. Default `wakeups`. */
  readonly name?: string;
  readonly clock?: Clock;
  readonly timers?: WakeupTimers;
  readonly onError?: (error: unknown) => void;
}

export interface Wakeups {
  /** Set the timer again for the state as it is now. */
  rearm(): void;
  stop(): void;
}

/** setTimeout's longest delay (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const globalTimers: WakeupTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function startWakeups(engine: Engine, options: WakeupOptions = {}): Wakeups {
  const name = options.name ?? 'wakeups';
  const clock = options.clock ?? engine.clock;
  const timers = options.timers ?? globalTimers;
  const onError = options.onError ?? ((e: unknown) => console.error(`gpupool wake-ups: ${(e as Error).message ?? e}`));
  let handle: unknown;
  let armedFor: number | null = null;
  /** When a Tick was last sent: the deadlines up to then are served, whatever it appended. */
  let tickedAt = Number.NEGATIVE_INFINITY;
  let stopped = false;
  let rearming = false;

  const clear = () => {
    if (handle !== undefined) timers.clearTimeout(handle);
    handle = undefined;
    armedFor = null;
  };

  function arm(): void {
    if (stopped) return;
    const state = engine.current;
    const at = nextWakeup(state, Math.max(state.now, tickedAt));
    if (at === armedFor) return;
    clear();
    if (at === null) return;
    const mine = timers.setTimeout(
      () => {
        if (handle !== mine) return;
        handle = undefined;
        armedFor = null;
        const now = clock.now();
        if (now < at) return arm(); // fired early, or the wait was longer than a timer can wait
        tickedAt = now;
        const tick: Command = { type: 'Tick', commandId: reactionId(name, `@${at}`, 'tick') };
        engine.execute(tick).then(arm, (error: unknown) => {
          onError(error);
          arm();
        });
      },
      Math.min(MAX_TIMER_MS, Math.max(0, (at - clock.now()) * 1000)),
    );
    handle = mine;
    armedFor = at;
  }

  const rearm = () => {
    if (rearming || stopped) return;
    rearming = true;
    queueMicrotask(() => {
      rearming = false;
      try {
        arm();
      } catch (error) {
        onError(error);
      }
    });
  };

  const unsubscribe = engine.subscribe(rearm);
  arm();
  return {
    rearm,
    stop() {
      stopped = true;
      unsubscribe();
      clear();
    },
  };
}
