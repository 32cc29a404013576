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

const stringLess = (a: string, b: string): boolean => a < b;

/** A set of strings kept in code-unit order: the deterministic order of node ids everywhere. */
export class SortedStrings {
  readonly items: string[] = [];
  add(x: string): void {
    const i = lowerBound(this.items, x, stringLess);
    if (this.items[i] !== x) this.items.splice(i, 0, x);
  }
  delete(x: string): void {
    const i = lowerBound(this.items, x, stringLess);
    if (this.items[i] === x) this.items.splice(i, 1);
  }
  get size(): number {
    return this.items.length;
  }
}
