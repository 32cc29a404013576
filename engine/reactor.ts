/**
 * Reactors (process managers): code that follows a stream and turns its events into commands
 * (a runtime launching allocated jobs, an experiment controller, a pipeline executor).
 *
 * A reactor follows its stream **through the store port** (catch up, then live), so it sees every
 * writer's events, not only those of its own process. It keeps its position as a checkpoint in
 * the store, so that one restarted anywhere resumes where the last left off. Each command it
 * issues gets an id derived from the event that caused it (`<reactor>:<revision>:<n>`): a reactor
 * that restarts and handles events again, because it stopped before its checkpoint caught up,
 * issues the same ids, and the engine answers the repeats as duplicates instead of running them
 * twice (core/idempotency.ts). So every command is applied exactly once, whatever the crash.
 *
 * A reaction that someone else may also make (a job's use of an asset, which the submission route
 * records too) names its own id instead, the one the other party uses: whichever comes first runs,
 * the other is answered as a duplicate.
 */
import type { Decoded } from '../core/codec.js';
import type { CommandEnvelope, CommandOutcome } from '../core/decider.js';
import type { EventStore, RecordedEvent, Subscription } from '../core/ports.js';

/** What a reactor is: its name, the stream it follows, and what each event calls for. */
export interface Reactor<E, C extends CommandEnvelope> {
  /** Where its checkpoint is kept, and the prefix of the command ids it issues. */
  readonly name: string;
  readonly stream: string;
  decodeEvent(data: unknown): Decoded<E>;
  /**
   * The commands an event calls for, in order. The runner gives each its id, derived from the
   * event, unless the command names one (`commandId`): then it is sent under that id, which must
   * be derived from the event as well (the same event, the same id). May read whatever it needs;
   * must answer the same for the same event, so that a repeat issues the same commands.
   */
  react(event: E, revision: bigint): readonly C[] | Promise<readonly C[]>;
}

/** Where the commands go: an engine, or anything that runs a command once per command id. */
export interface CommandTarget<C> {
  execute(command: C): Promise<CommandOutcome<unknown>>;
}

export interface ReactorOptions {
  /** Write the checkpoint after this many events handled (default 100)... */
  readonly checkpointEvery?: number;
  /** ...or this long after the last event handled, whichever comes first (default 200 ms). */
  readonly checkpointDelayMs?: number;
  /** Told when handling an event failed; the runner tries it again after `retryDelayMs`. */
  readonly onError?: (error: unknown, revision: bigint) => void;
  /** Wait before trying a failed event again (default 1 s). */
  readonly retryDelayMs?: number;
}

/**
 * The id of the `n`th command a reactor issues for the event at `revision`. A reactor whose
 * reactions have names of their own (a runtime's `started`, `completed`) may name them instead of
 * numbering them; one that reacts to an instant rather than to an event (a timer's deadline) gives
 * the instant as `@<seconds>` in place of the revision, which no revision can be confused with.
 */
export const reactionId = (reactor: string, revision: bigint | number | `@${number}`, n: number | string): string =>
  `${reactor}:${revision}:${n}`;

/**
 * Runs a reactor: reads its checkpoint, subscribes to its stream after it, handles each event in
 * order (its commands one after another, each acknowledged before the next), and writes the
 * checkpoint as it goes and when stopped.
 */
/** Events read per page while a reactor catches up with its stream. */
const CATCH_UP_PAGE = 1_000;

export class ReactorRunner<E, C extends CommandEnvelope> {
  private subscription: Subscription | undefined;
  /** Events delivered and not yet handled: queue[head..]. A shift per event copied the array. */
  private readonly queue: RecordedEvent[] = [];
  private head = 0;
  private working: Promise<void> | undefined;
  private stopped = false;
  /** The revision of the last event fully handled; -1n before any. */
  private handled = -1n;
  /** The revision the store's checkpoint says. */
  private saved = -1n;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Checkpoint writes, one after another, so that an older position never lands after a newer one. */
  private writing: Promise<void> = Promise.resolve();
  private readonly waiters: { revision: bigint; resolve: () => void }[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly target: CommandTarget<C>,
    readonly reactor: Reactor<E, C>,
    private readonly options: ReactorOptions = {},
  ) {}

  /**
   * Start from the checkpoint in the store: catch up page by page (each page handled before the
   * next is read, so a long history is never all in memory), then follow live from where the
   * catch-up ended. Resolves once it follows live (or is stopped).
   */
  async start(): Promise<void> {
    const checkpoint = await this.store.readCheckpoint(this.reactor.name);
    this.handled = this.saved = checkpoint ?? -1n;
    let last = this.handled;
    for (;;) {
      if (this.stopped) return;
      const page = await this.store.read(this.reactor.stream, { from: last + 1n, maxCount: CATCH_UP_PAGE });
      if (this.stopped) return;
      for (const e of page) this.queue.push(e);
      if (page.length > 0) last = (page[page.length - 1] as RecordedEvent).revision;
      this.kick();
      await this.working;
      if (page.length < CATCH_UP_PAGE) break;
    }
    if (this.stopped) return;
    const after = last < 0n ? {} : { after: last };
    this.subscription = this.store.subscribe(this.reactor.stream, after, (e) => {
      if (this.stopped) return;
      this.queue.push(e);
      this.kick();
    });
  }

  /** The revision of the last event fully handled (-1n before any). */
  get position(): bigint {
    return this.handled;
  }

  /** Resolves once every event up to `revision` is handled. */
  until(revision: bigint): Promise<void> {
    if (this.handled >= revision) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ revision, resolve }));
  }

  /** Stop: finish the event in hand, then write the checkpoint. */
  async stop(): Promise<void> {
    this.halt();
    await this.working;
    await this.checkpoint();
  }

  /**
   * Stop at once, as a crash would: no more commands, no checkpoint written. (For tests of what a
   * restart does; a process that dies does the same.)
   */
  kill(): void {
    this.halt();
  }

  private halt(): void {
    this.stopped = true;
    this.subscription?.close();
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
    this.head = 0;
  }

  /** Drop the handled head of the queue; compact it once the handled part is most of it. */
  private advance(): void {
    this.head++;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private kick(): void {
    if (!this.working) this.working = this.drain().finally(() => (this.working = undefined));
  }

  private async drain(): Promise<void> {
    while (this.head < this.queue.length && !this.stopped) {
      const recorded = this.queue[this.head] as RecordedEvent;
      if (recorded.revision <= this.handled) {
        this.advance(); // already handled before a restart, or delivered twice
        continue;
      }
      try {
        await this.handle(recorded);
      } catch (e) {
        this.options.onError?.(e, recorded.revision);
        await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 1000));
        continue; // the same event again: its commands that ran are answered as duplicates
      }
      if (this.stopped) return; // killed halfway: this event was not fully handled
      this.advance();
      this.handled = recorded.revision;
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i] as { revision: bigint; resolve: () => void };
        if (w.revision <= this.handled) {
          this.waiters.splice(i, 1);
          w.resolve();
        }
      }
      if (this.handled - this.saved >= BigInt(this.options.checkpointEvery ?? 100)) await this.checkpoint();
      else this.checkpointSoon();
    }
  }

  private async handle(recorded: RecordedEvent): Promise<void> {
    const decoded = this.reactor.decodeEvent(recorded.data);
    if (!decoded.ok) {
      throw new Error(`${this.reactor.stream}@${recorded.revision} does not decode: ${decoded.message}`);
    }
    const commands = await this.reactor.react(decoded.value, recorded.revision);
    for (let n = 0; n < commands.length; n++) {
      if (this.stopped) return;
      const reaction = commands[n] as C;
      const command =
        reaction.commandId === undefined
          ? ({ ...reaction, commandId: reactionId(this.reactor.name, recorded.revision, n) } as C)
          : reaction;
      // A rejection is an answer too (the cluster said no): the event is handled. A throw (the
      // store failed) is not: the event is tried again.
      await this.target.execute(command);
    }
  }

  private checkpointSoon(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.checkpoint().catch(() => {});
    }, this.options.checkpointDelayMs ?? 200);
    this.timer.unref?.();
  }

  private checkpoint(): Promise<void> {
    const write = this.writing.then(async () => {
      const at = this.handled;
      if (at <= this.saved) return;
      await this.store.writeCheckpoint(this.reactor.name, at);
      this.saved = at;
    });
    this.writing = write.catch(() => {});
    return write;
  }
}
