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

  /**
   * The ids whose fire time is at or before `now`, earliest first (ties by id), leaving the index
   * as it is: what a decision reads. O(k log k) for k due: only the heap's nodes that are due, and
   * their children, are visited.
   */
  dueBy(now: number): string[] {
    const due: number[] = [];
    const stack = this.ids.length > 0 ? [0] : [];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      if ((this.times[i] as number) > now) continue;
      due.push(i);
      for (const c of [2 * i + 1, 2 * i + 2]) if (c < this.ids.length) stack.push(c);
    }
    due.sort((a, b) =>
      DueIndex.before(this.times[a] as number, this.ids[a] as string, this.times[b] as number, this.ids[b] as string) ? -1 : 1,
    );
    return due.map((i) => this.ids[i] as string);
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

  /** Whether (ta, a) comes before (tb, b): earlier time, then smaller id. */
  private static before(ta: number, a: string, tb: number, b: string): boolean {
    return ta < tb || (ta === tb && a < b);
  }

  private place(i: number, id: string, at: number): void {
    this.ids[i] = id;
    this.times[i] = at;
    this.slot.set(id, i);
  }

  /** Moves the entry at `i` up to its place, shifting the entries it passes down (one write each). */
  private up(i: number): void {
    const id = this.ids[i] as string;
    const at = this.times[i] as number;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.times[parent] as number;
      const pid = this.ids[parent] as string;
      if (!DueIndex.before(at, id, pt, pid)) break;
      this.place(i, pid, pt);
      i = parent;
    }
    this.place(i, id, at);
  }

  /** Moves the entry at `i` down to its place, shifting the entries it passes up. */
  private down(i: number): void {
    const n = this.ids.length;
    const id = this.ids[i] as string;
    const at = this.times[i] as number;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (
        r < n &&
        DueIndex.before(this.times[r] as number, this.ids[r] as string, this.times[l] as number, this.ids[l] as string)
      ) {
        child = r;
      }
      const ct = this.times[child] as number;
      const cid = this.ids[child] as string;
      if (!DueIndex.before(ct, cid, at, id)) break;
      this.place(i, cid, ct);
      i = child;
    }
    this.place(i, id, at);
  }
}
