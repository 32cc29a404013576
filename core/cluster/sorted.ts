/** Binary search over a sorted array: the index of the first element not less than `x`. */
export function lowerBound<T>(arr: readonly T[], x: T, less: (a: T, b: T) => boolean): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (less(arr[mid] as T, x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `arr.splice(i, 0, x)` and `arr.splice(i, 1)` without splice's cost on short moves: splice
 * allocates the array of removed elements on every call (allocation that showed in profiles of
 * every allocation and release), and a plain loop moving a short tail is faster than it. Past a
 * few dozen elements to move, splice's native move beats the loop by far despite its allocation:
 * a backfill walk starts jobs from the middle of a queue of thousands, and moving the tail element
 * by element was a tenth of a backfill forecast.
 */
const SPLICE_FROM = 32;

export function insertAt<T>(arr: T[], i: number, x: T): void {
  if (arr.length - i > SPLICE_FROM) {
    arr.splice(i, 0, x);
    return;
  }
  let j = arr.length;
  arr.push(x);
  for (; j > i; j--) arr[j] = arr[j - 1] as T;
  arr[i] = x;
}

/**
 * Most jobs a backfill walk starts sit in the first tenth of its queue: when far fewer elements lie
 * ahead of the removed one than behind, those ahead move back by one instead, and shift() drops
 * the first, which V8 does by moving the array's start.
 */
export function removeAt<T>(arr: T[], i: number): void {
  const last = arr.length - 1;
  if (last - i > SPLICE_FROM) {
    if (i < (last - i) >> 2) {
      for (let j = i; j > 0; j--) arr[j] = arr[j - 1] as T;
      arr.shift();
    } else arr.splice(i, 1);
    return;
  }
  for (let j = i; j < last; j++) arr[j] = arr[j + 1] as T;
  arr.pop();
}

const stringLess = (a: string, b: string): boolean => a < b;

/** A set of strings kept in code-unit order: the deterministic order of node ids everywhere. */
export class SortedStrings {
  readonly items: string[] = [];
  add(x: string): void {
    const i = lowerBound(this.items, x, stringLess);
    if (this.items[i] !== x) insertAt(this.items, i, x);
  }
  delete(x: string): void {
    const i = lowerBound(this.items, x, stringLess);
    if (this.items[i] === x) removeAt(this.items, i);
  }
  get size(): number {
    return this.items.length;
  }
}
