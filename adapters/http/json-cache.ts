/**
 * JSON kept as bytes for objects that are read far more often than they change, so that a long
 * list is answered by copying bytes instead of serialising every item again. A list of 1,000
 * assets is 300 KB of JSON: turning the items into text, measuring its UTF-8 length and encoding
 * it on the write were three quarters of the request's time, and ten readers queued behind each
 * other for it.
 *
 * The caller decides when an entry is still good: the states are updated in place (an object keeps
 * its identity when it changes), so an entry carries whatever its caller needs to compare.
 */

/**
 * A cache with weak keys and a bound: it holds about two generations of `generation` entries.
 * Once that many have been added to the current one, the older is dropped and the current becomes
 * the older. An entry read from the older is carried into the current, so what is read again and
 * again stays while what is no longer read goes within two turns. The keys are weak as well: an
 * object that leaves the state takes its entry with it. Every operation is a lookup or two, with
 * no order to keep, as a least-recently-used list would need.
 */
export class GenerationCache<K extends object, V> {
  private current = new WeakMap<K, V>();
  private older = new WeakMap<K, V>();
  private added = 0;

  constructor(private readonly generation: number) {}

  get(key: K): V | undefined {
    const v = this.current.get(key);
    if (v !== undefined) return v;
    const old = this.older.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: K, value: V): void {
    if (this.added >= this.generation) {
      this.older = this.current;
      this.current = new WeakMap();
      this.added = 0;
    }
    this.current.set(key, value);
    this.added++;
  }
}

const OPEN = 0x5b; // [
const COMMA = 0x2c;
const CLOSE = 0x5d; // ]

/** A JSON array of the given elements, each already JSON text: `[` + parts joined by `,` + `]`, in one buffer. */
export function jsonArray(parts: readonly Uint8Array[]): Buffer {
  let length = 2 + Math.max(0, parts.length - 1);
  for (const p of parts) length += p.length;
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  out[at++] = OPEN;
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) out[at++] = COMMA;
    const p = parts[i] as Uint8Array;
    out.set(p, at);
    at += p.length;
  }
  out[at] = CLOSE;
  return out;
}
