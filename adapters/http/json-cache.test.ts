import { describe, expect, it } from 'vitest';
import { GenerationCache, jsonArray } from './json-cache.js';

describe('jsonArray', () => {
  it('makes the bytes JSON.stringify makes of the array, any text in its elements', () => {
    const values = [{ a: 1, b: 'é ✓ 数据 \u2028 "q"' }, null, [1, [2]], 'x', { nested: { deeper: [] } }];
    for (const n of [0, 1, 2, values.length]) {
      const parts = values.slice(0, n).map((v) => Buffer.from(JSON.stringify(v)));
      expect(jsonArray(parts).toString('utf8')).toBe(JSON.stringify(values.slice(0, n)));
    }
  });
});

describe('GenerationCache', () => {
  it('keeps what is read again, and drops what is not within two generations', () => {
    const cache = new GenerationCache<object, string>(2);
    const [a, b, c, d, e] = [{}, {}, {}, {}, {}];
    cache.set(a, 'a');
    cache.set(b, 'b');
    cache.set(c, 'c'); // a new generation: a and b are the older one
    expect(cache.get(a)).toBe('a'); // read: carried into the current one, with c
    cache.set(d, 'd'); // another: b is dropped; a and c are the older one
    expect(cache.get(b)).toBeUndefined();
    expect([cache.get(a), cache.get(c), cache.get(d)]).toEqual(['a', 'c', 'd']);
    cache.set(e, 'e');
    expect(cache.get(e)).toBe('e');
  });
});
