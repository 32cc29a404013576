/**
 * Node ids in code-unit order, each with a rank, and sets of nodes kept as bitsets over those
 * ranks. Best-fit placement wants "the first nodes by id among those with k free devices"; a
 * sorted array answers that but pays a memmove of the whole bucket on every allocation and
 * release (a bucket holds up to every node of a pool). A bitset adds and deletes in O(1) and
 * still yields its members in id order.
 *
 * Ranks change only when a node registers with an id that sorts before an existing one; then the
 * owner of the sets rebuilds them (see capacity.ts).
 */
export class NodeOrder {
  /** Node ids by rank. */
  readonly ids: string[] = [];
  private readonly ranks = new Map<string, number>();

  rankOf(id: string): number | undefined {
    return this.ranks.get(id);
  }

  /**
   * Give `id` a rank if it has none. Returns true when existing ranks moved (the new id sorts
   * before some existing one), so every NodeSet built on this order must be rebuilt.
   */
  ensure(id: string): boolean {
    if (this.ranks.has(id)) return false;
    const last = this.ids[this.ids.length - 1];
    if (last === undefined || last < id) {
      this.ranks.set(id, this.ids.length);
      this.ids.push(id);
      return false;
    }
    this.ids.push(id);
    this.ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 0; i < this.ids.length; i++) this.ranks.set(this.ids[i] as string, i);
    return true;
  }
}

/** A set of ranked nodes, iterated in id order. */
export class NodeSet {
  private words = new Uint32Array(2);
  size = 0;
  constructor(private readonly order: NodeOrder) {}

  add(id: string): void {
    this.addRank(this.order.rankOf(id) as number);
  }

  /** Add the node of rank `r` (a rank its order gave). */
  addRank(r: number): void {
    const w = r >>> 5;
    if (w >= this.words.length) {
      const grown = new Uint32Array(Math.max(w + 1, this.words.length * 2));
      grown.set(this.words);
      this.words = grown;
    }
    const bit = 1 << (r & 31);
    if ((this.words[w] as number) & bit) return;
    this.words[w] = (this.words[w] as number) | bit;
    this.size++;
  }

  delete(id: string): void {
    const r = this.order.rankOf(id);
    if (r !== undefined) this.deleteRank(r);
  }

  /** Delete the node of rank `r`, if it is a member. */
  deleteRank(r: number): void {
    const w = r >>> 5;
    const bit = 1 << (r & 31);
    if (w >= this.words.length || !((this.words[w] as number) & bit)) return;
    this.words[w] = (this.words[w] as number) & ~bit;
    this.size--;
  }

  clear(): void {
    this.words.fill(0);
    this.size = 0;
  }

  /** The member with the smallest id. */
  first(): string | undefined {
    if (this.size === 0) return undefined;
    for (let w = 0; w < this.words.length; w++) {
      const word = this.words[w] as number;
      if (word !== 0) return this.order.ids[(w << 5) + (31 - Math.clz32(word & -word))];
    }
    return undefined;
  }

  /** Visit members in id order until `visit` returns true. */
  some(visit: (id: string) => boolean): boolean {
    if (this.size === 0) return false;
    for (let w = 0; w < this.words.length; w++) {
      let word = this.words[w] as number;
      while (word !== 0) {
        const low = word & -word;
        if (visit(this.order.ids[(w << 5) + (31 - Math.clz32(low))] as string)) return true;
        word ^= low;
      }
    }
    return false;
  }

  /** Members in id order (allocates: for checks and reports, not hot paths). */
  get items(): string[] {
    const out: string[] = [];
    this.some((id) => {
      out.push(id);
      return false;
    });
    return out;
  }
}
