/**
 * JSON.stringify over several turns of the event loop: the same text, made a slice at a time, so
 * that serializing a large value (a snapshot of a state with tens of thousands of live jobs, some
 * 20-80 MB of JSON) never holds the loop for more than a few milliseconds at once. The text comes
 * as the pieces the slices made, in order: joined, they are JSON.stringify's text (joining 80 MB
 * in one go held the loop for 50 ms; a store encodes them a piece at a time instead).
 *
 * The value is walked where it may be large: the top, the members of a top-level object, and any
 * array of more than LONG_ARRAY elements down to the third level (a snapshot's list of job rows,
 * its lists of finished jobs' ids). Anything else is one JSON.stringify call: a job's row, a
 * device.
 *
 * Pass a value nothing changes meanwhile: the loop goes on between slices.
 */

import { LazyList } from '../core/decider.js';

/** How long a slice may run before the next turn (ms). */
const SLICE_MS = 4;
/** An array longer than this is walked element by element (down to the third level). */
const LONG_ARRAY = 64;

export async function jsonInSlices(value: unknown, sliceMs: number = SLICE_MS): Promise<string[] | undefined> {
  const parts: string[] = [];
  const turns = new Turns(sliceMs, parts);
  // Undefined where JSON.stringify gives undefined (for undefined, a function, a symbol).
  if (!(await writeValue(value, 0, parts, turns))) return undefined;
  return turns.pieces();
}

/**
 * Gives the loop a turn once a slice has run its time, and joins each slice's parts into one
 * piece as it ends: a join of a million small parts at the end took 30-60 ms in one go.
 */
class Turns {
  private sliceStart = performance.now();
  private readonly done: string[] = [];
  constructor(
    private readonly sliceMs: number,
    private readonly parts: string[],
  ) {}
  /** Whether the slice has run its time (then await next()). */
  due(): boolean {
    return performance.now() - this.sliceStart >= this.sliceMs;
  }
  async next(): Promise<void> {
    this.done.push(this.parts.join(''));
    this.parts.length = 0;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
  /** The whole text in pieces: those of the slices before, and what is left of the parts. */
  pieces(): string[] {
    this.done.push(this.parts.join(''));
    return this.done;
  }
}

/** Whether the value at this level is written over several slices: walked, or a lazy list. */
const inSlices = (value: unknown, level: number): boolean => value instanceof LazyList || walked(value, level);

/** Whether the value at this level (0: the top) is walked member by member, or written whole. */
function walked(value: unknown, level: number): value is object {
  if (!isContainer(value)) return false;
  if (Array.isArray(value)) return level === 0 || (level <= 2 && value.length > LONG_ARRAY);
  return level <= 1;
}

/**
 * Append `value`'s JSON to `parts`, walking it (see walked) or writing it whole; false when
 * JSON.stringify would leave the value out (undefined, a function, a symbol).
 */
async function writeValue(value: unknown, level: number, parts: string[], turns: Turns): Promise<boolean> {
  if (value instanceof LazyList) return writeList(value.length, value.element, level, parts, turns);
  if (!walked(value, level)) return writeWhole(value, parts);
  if (Array.isArray(value)) return writeList(value.length, (i) => value[i], level, parts, turns);
  parts.push('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    const name = `${first ? '' : ','}${JSON.stringify(key)}:`;
    if (inSlices(v, level + 1)) {
      parts.push(name);
      await writeValue(v, level + 1, parts, turns); // a container is always written
      first = false;
    } else {
      const text = JSON.stringify(v) as string | undefined;
      // A member JSON leaves out is not written at all, as if it were not there.
      if (text !== undefined) {
        parts.push(name, text);
        first = false;
      }
    }
    if (turns.due()) await turns.next();
  }
  parts.push('}');
  return true;
}

/**
 * A list's elements, an array's or a lazy list's (core/decider.ts LazyList, whose elements are
 * made as they are written), each walked or written whole as its level says.
 */
async function writeList(
  length: number,
  at: (index: number) => unknown,
  level: number,
  parts: string[],
  turns: Turns,
): Promise<boolean> {
  parts.push('[');
  for (let i = 0; i < length; i++) {
    if (i > 0) parts.push(',');
    const v = at(i);
    const written = inSlices(v, level + 1) ? await writeValue(v, level + 1, parts, turns) : writeWhole(v, parts);
    // An element JSON leaves out is written as null, as JSON.stringify writes it.
    if (!written) parts.push('null');
    if (turns.due()) await turns.next();
  }
  parts.push(']');
  return true;
}

function writeWhole(value: unknown, parts: string[]): boolean {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) return false;
  parts.push(text);
  return true;
}

/**
 * An array or a plain object, walked member by member. Anything else is written whole: a value
 * with toJSON (a Date), a boxed primitive, a class's instance, which JSON.stringify may turn into
 * something else first.
 */
function isContainer(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
