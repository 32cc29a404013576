/**
 * The one line of work a controller runs (the experiment controller, the pipeline executor): the
 * ids it must look at, each held once however many events name it, looked at one at a time in the
 * order they came; later looks by timer (a deadline, a retry's backoff, a periodic look), one per
 * id and purpose; other work on the same line (a Tick); and `idle()`, for tests and shutdowns.
 */
export class LookQueue {
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private stopped = false;

  /** `look(id)` brings one id up to date; what it throws goes to `report`. */
  constructor(
    private readonly look: (id: string) => Promise<void>,
    private readonly report: (error: unknown) => void,
  ) {}

  /** Look at `id` soon. */
  poke(id: string): void {
    if (this.stopped) return;
    this.dirty.add(id);
    if (this.scheduled) return;
    this.scheduled = true;
    this.chain = this.chain
      .then(async () => {
        this.scheduled = false;
        while (this.dirty.size > 0 && !this.stopped) {
          const [next] = this.dirty;
          this.dirty.delete(next as string);
          await this.look(next as string).catch((e) => this.report(e));
        }
      })
      .catch((e) => this.report(e));
  }

  /** Look at `id` again in `ms`, unless a look for the same `purpose` is already pending. */
  later(purpose: string, id: string, ms: number): void {
    const key = `${purpose}\u0000${id}`;
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.poke(id);
    }, ms);
    timer.unref?.();
    this.timers.set(key, timer);
  }

  /** Forget the pending look of `purpose` for `id`. */
  cancel(purpose: string, id: string): void {
    const key = `${purpose}\u0000${id}`;
    const timer = this.timers.get(key);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(key);
  }

  /** Run other work on the same line, after what is queued. */
  run(work: () => Promise<void>): void {
    if (this.stopped) return;
    this.chain = this.chain.then(work).catch((e) => this.report(e));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Resolves once nothing is queued or running, and `busy()` (the streams followed) says none is arriving. */
  async idle(busy: () => boolean = () => false): Promise<void> {
    for (;;) {
      const last = this.chain;
      await last;
      if (last === this.chain && this.dirty.size === 0 && !busy()) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
