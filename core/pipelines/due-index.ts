/**
 * Recurring runs by their next fire time, so that a timer tick finds the due ones without looking
 * at the others: an indexed binary min-heap (each id's place in the heap is kept in a map, so that
 * moving or removing one is O(log n) and leaves no stale entry behind). With 10,000 recurring runs
 * a tick costs O(k log n) for the k that are due, and `nextWake` is O(1).
 *
 * Order is by time, then by id: two recurring runs due at the same instant always come out in the
 * same order, whatever the history of the heap, so a replay or a simulation decides the same.
 *
 * Pure data: it holds no clock and sets no timer; the host asks `nextWake()` and ticks then. It is
 * mutable inside, like the rest of a decider's derived indexes, and `clone()` gives an independent
 * copy for a fork of the state.
 */
export class DueIndex {
  /** The heap: ids and their times side by side, the earliest (time, id) at index 0. */
  private readonly ids: string[] = [];
  private readonly times: number[] = [];
  /** Each id's index in the heap. */
  private readonly slot = new Map<string, number>();

  /** How many recurring runs have a fire time. */
  get size(): number {
    return this.ids.length;
  }

  /** The fire time held for `id`, or null when it has none. */
  get(id: string): number | null {
    const i = this.slot.get(id);
    return i === undefined ? null : (this.times[i] as number);
  }

  /** Sets `id`'s next fire time; null removes it (a disabled or finished schedule fires no more). */
  upsert(id: string, at: number | null): void {
    if (at === null) {
      this.remove(id);
      return;
    }
    if (Number.isNaN(at)) throw new RangeError(`DueIndex: the fire time of ${id} is not a number`);
    const i = this.slot.get(id);
    if (i === undefined) {
      this.ids.push(id);
      this.times.push(at);
      this.slot.set(id, this.ids.length - 1);
      this.up(this.ids.length - 1);
      return;
    }
    const before = this.times[i] as number;
    this.times[i] = at;
    if (at < before) this.up(i);
    else if (at > before) this.down(i);
  }

  /** Forgets `id` (a deleted recurring run); nothing happens when it is not held. */
  remove(id: string): void {
    const i = this.slot.get(id);
    if (i === undefined) return;
    const last = this.ids.length - 1;
    this.slot.delete(id);
    if (i !== last) {
      this.place(i, this.ids[last] as string, this.times[last] as number);
      this.ids.pop();
      this.times.pop();
      // The moved entry may belong above or below its new place.
      this.up(i);
      this.down(i);
    } else {
      this.ids.pop();
      this.times.pop();
    }
  }

  /**
   * Takes out every id whose fire time is at or before `now`, earliest first (ties by id). The
   * caller computes each one's next fire time and puts it back with `upsert`.
   */
  popDue(now: number): string[] {
    const out: string[] = [];
    while (this.ids.length > 0 && (this.times[0] as number) <= now) {
      const id = this.ids[0] as string;
      out.push(id);
      this.remove(id);
    }
    return out;
  }

  /** The earliest fire time held, or null when none is: when the host's timer should tick next. */
  nextWake(): number | null {
    return this.ids.length > 0 ? (this.times[0] as number) : null;
  }

  /** Every (id, time), earliest first: for snapshots and read models. O(n log n). */
  entries(): Array<readonly [string, number]> {
    return this.ids
      .map((id, i) => [id, this.times[i] as number] as const)
      .sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** An independent copy (a fork of the state keeps its own). */
  clone(): DueIndex {
    const c = new DueIndex();
    c.ids.push(...this.ids);
    c.times.push(...this.times);
    for (const [id, i] of this.slot) c.slot.set(id, i);
    return c;
  }

  /** Whether the entry at `a` comes before the one at `b`: earlier time, then smaller id. */
  private before(a: number, b: number): boolean {
    const ta = this.times[a] as number;
    const tb = this.times[b] as number;
    return ta < tb || (ta === tb && (this.ids[a] as string) < (this.ids[b] as string));
  }

  private place(i: number, id: string, at: number): void {
    this.ids[i] = id;
    this.times[i] = at;
    this.slot.set(id, i);
  }

  private swap(a: number, b: number): void {
    const id = this.ids[a] as string;
    const at = this.times[a] as number;
    this.place(a, this.ids[b] as string, this.times[b] as number);
    this.place(b, id, at);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.ids.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < n && this.before(l, least)) least = l;
      if (r < n && this.before(r, least)) least = r;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }
}
