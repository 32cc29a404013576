/**
 * The finished jobs' names and how each ended: with the unfinished jobs, the names in use (a name
 * is never used twice), and what a late report about a finished job is told.
 *
 * Every submission asks whether its name was used and every end adds one, so this table grows
 * with the whole history while the rest of the decision state follows the live work. A `Map` of
 * it cost a million-job simulation about 1.5 s in those two questions alone: each walked the
 * Map's buckets and entries and read the keys' strings, all far apart in memory once the table
 * holds a million names. Here the names sit in one list in the order they finished, and an
 * open-addressing table of typed integers points into it: a name not in use (every submission)
 * is answered by the slots alone, most often one, and growing moves integers, not entries.
 *
 * It reads as a `ReadonlyMap` (entries in the order the jobs finished, as a Map's would be), so
 * snapshots, queries and tests read it as they read the Map it replaced.
 */
import { FINISHED_STATUSES, type FinishedStatus } from './model.js';

/** 32-bit FNV-1a over the UTF-16 code units: equal names hash alike; no two runs differ. */
function hashOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}

const FIRST_SLOTS = 64;

export class FinishedJobs implements ReadonlyMap<string, FinishedStatus> {
  /** The names, in the order they finished. */
  private readonly names: string[] = [];
  /** How names[i] ended: its index in FINISHED_STATUSES. */
  private ends = new Uint8Array(FIRST_SLOTS / 2);
  /**
   * Open addressing with linear probing, two integers per slot: the position of a name in
   * `names` plus one (0: an empty slot), and the name's hash, compared before the name itself.
   * At most half the slots are used.
   */
  private slots = new Int32Array(FIRST_SLOTS * 2);
  private mask = FIRST_SLOTS - 1;

  get size(): number {
    return this.names.length;
  }

  has(name: string): boolean {
    return this.positionOf(name, hashOf(name)) >= 0;
  }

  get(name: string): FinishedStatus | undefined {
    const p = this.positionOf(name, hashOf(name));
    return p < 0 ? undefined : FINISHED_STATUSES[this.ends[p] as number];
  }

  /** Record how a job ended (again: the new end replaces the old, as a Map's set would). */
  set(name: string, status: FinishedStatus): this {
    const hash = hashOf(name);
    const end = FINISHED_STATUSES.indexOf(status);
    const known = this.positionOf(name, hash);
    if (known >= 0) {
      this.ends[known] = end;
      return this;
    }
    const p = this.names.length;
    this.names.push(name);
    if (p === this.ends.length) {
      const grown = new Uint8Array(p * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[p] = end;
    if (2 * (p + 1) > this.mask + 1) this.grow();
    else this.place(p + 1, hash);
    return this;
  }

  /** The name's position in `names`, or -1. */
  private positionOf(name: string, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let k = hash & mask; ; k = (k + 1) & mask) {
      const at = slots[2 * k] as number;
      if (at === 0) return -1;
      if (slots[2 * k + 1] === hash && this.names[at - 1] === name) return at - 1;
    }
  }

  /** Put a position (plus one) with its hash in the first free slot from the hash's own. */
  private place(at: number, hash: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let k = hash & mask;
    while (slots[2 * k] !== 0) k = (k + 1) & mask;
    slots[2 * k] = at;
    slots[2 * k + 1] = hash;
  }

  /** Twice the slots, every name placed again from its stored hash (no name is read). */
  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = old.length - 1;
    for (let k = 0; k < old.length; k += 2) if (old[k] !== 0) this.place(old[k] as number, old[k + 1] as number);
    // The name just added, whose slot the growth was for.
    const last = this.names.length;
    this.place(last, hashOf(this.names[last - 1] as string));
  }

  *entries(): MapIterator<[string, FinishedStatus]> {
    for (let i = 0; i < this.names.length; i++) {
      yield [this.names[i] as string, FINISHED_STATUSES[this.ends[i] as number] as FinishedStatus];
    }
  }

  *keys(): MapIterator<string> {
    for (let i = 0; i < this.names.length; i++) yield this.names[i] as string;
  }

  *values(): MapIterator<FinishedStatus> {
    for (let i = 0; i < this.names.length; i++) yield FINISHED_STATUSES[this.ends[i] as number] as FinishedStatus;
  }

  [Symbol.iterator](): MapIterator<[string, FinishedStatus]> {
    return this.entries();
  }

  forEach(visit: (status: FinishedStatus, name: string, table: ReadonlyMap<string, FinishedStatus>) => void): void {
    for (const [name, status] of this.entries()) visit(status, name, this);
  }

  get [Symbol.toStringTag](): string {
    return 'FinishedJobs';
  }
}
