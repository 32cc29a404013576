import { describe, expect, it } from 'vitest';
import { tokenBucket } from './rate-limit.js';

describe('token bucket', () => {
  it('lets a burst through at once, then paces the rest at the rate, in order', async () => {
    const bucket = tokenBucket({ qps: 100, burst: 5 });
    const started = performance.now();
    const order: number[] = [];
    await Promise.all(Array.from({ length: 10 }, (_, i) => bucket.take().then(() => order.push(i))));
    const elapsed = performance.now() - started;
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Five beyond the burst at 100 per second take about 50 ms; never less than 40.
    expect(elapsed).toBeGreaterThanOrEqual(40);
  });

  it('refuses a limit that is not a positive number, naming it', () => {
    expect(() => tokenBucket({ qps: 0, burst: 1 })).toThrow(/qps must be a number > 0, got 0/);
    expect(() => tokenBucket({ qps: 5, burst: Number.NaN })).toThrow(/burst/);
    expect(() => tokenBucket({ qps: 5, burst: 0.5 })).toThrow(/burst must be >= 1/);
  });
});
