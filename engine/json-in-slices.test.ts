import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonInSlices } from './json-in-slices.js';

/** Values JSON.stringify takes without throwing: everything fast-check makes but bigints and cycles. */
const values = fc.anything({
  maxDepth: 4,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
  withObjectString: true,
});

/** The pieces joined: the text they make together. */
const text = async (value: unknown, sliceMs: number) => (await jsonInSlices(value, sliceMs))?.join('');

describe('jsonInSlices', () => {
  it('writes what JSON.stringify writes, whatever the value, slices of 0 ms (a turn after every member) included', async () => {
    await fc.assert(
      fc.asyncProperty(values, fc.constantFrom(0, 4), async (value, sliceMs) => {
        expect(await text(value, sliceMs)).toBe(JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it("writes what JSON.stringify writes for long arrays down the levels it walks them (a snapshot's rows, its finished ids)", async () => {
    const long = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 65, maxLength: 90 });
    const shapes = fc.oneof(
      fc.record({ jobs: long(fc.array(values, { maxLength: 5 })), now: fc.double() }),
      fc.record({ finished: fc.record({ Complete: long(fc.string()), Error: long(values) }) }),
      long(long(values)),
    );
    await fc.assert(
      fc.asyncProperty(shapes, async (value) => {
        expect(await text(value, 0)).toBe(JSON.stringify(value));
      }),
      { numRuns: 40 },
    );
  });

  it('writes members JSON leaves out as JSON does: gone from objects, null in arrays; toJSON honoured', async () => {
    const value = {
      a: undefined,
      b: () => 1,
      c: [undefined, () => 1, Symbol('s'), 1],
      d: { e: undefined, f: [new Date(0)] },
      g: new Date(0),
      h: { toJSON: () => 'mine' },
    };
    const written = await text(value, 0);
    expect(written).toBe(
      '{"c":[null,null,null,1],"d":{"f":["1970-01-01T00:00:00.000Z"]},"g":"1970-01-01T00:00:00.000Z","h":"mine"}',
    );
    expect(written).toBe(JSON.stringify(value));
    expect(await jsonInSlices(undefined)).toBeUndefined();
  });

  it('gives the event loop turns while it writes a large value', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => [
      `default/n${i}`,
      'notebook',
      'ds',
      { pool: 'default', devices: [] },
      i,
    ]);
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const pieces = await jsonInSlices({ revision: 7, jobs: rows }, 1);
      expect(pieces?.join('')).toBe(JSON.stringify({ revision: 7, jobs: rows }));
      expect(pieces?.length).toBeGreaterThan(1); // a piece per slice
    } finally {
      clearInterval(ticker);
    }
    expect(turns).toBeGreaterThan(0);
  });
});
