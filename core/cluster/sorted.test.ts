import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insertAt, removeAt } from './sorted.js';

describe('sorted arrays', () => {
  it('removeAt and insertAt do what splice does, on short arrays and long ones, near either end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 400 }).filter((a) => a.length > 0),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.integer(),
        (items, at, x) => {
          const i = Math.floor(at * items.length);
          const removed = [...items];
          removeAt(removed, i);
          const expected = [...items];
          expected.splice(i, 1);
          expect(removed).toEqual(expected);
          const inserted = [...items];
          insertAt(inserted, i, x);
          const expectedInserted = [...items];
          expectedInserted.splice(i, 0, x);
          expect(inserted).toEqual(expectedInserted);
        },
      ),
      { numRuns: 500 },
    );
  });
});
