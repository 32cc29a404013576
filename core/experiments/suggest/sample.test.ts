import { describe, expect, it } from 'vitest';
import type { Parameter } from '../space.js';
import { createRng, normalCdf, normalQuantile, numericFromUnit, quantize, unit, valueFromUnit } from './sample.js';

const lr: Parameter = { name: 'lr', type: 'double', min: 0.001, max: 0.1, step: null, distribution: 'logUniform' };

describe('sampling helpers', () => {
  it('maps the unit interval onto a parameter by its inverse CDF', () => {
    expect(numericFromUnit(lr, 0)).toBeCloseTo(0.001, 12);
    expect(numericFromUnit(lr, 0.5)).toBeCloseTo(0.01, 12);
    const n: Parameter = { name: 'w', type: 'double', min: 10, max: 20, step: null, distribution: 'normal' };
    expect(numericFromUnit(n, 0.5)).toBeCloseTo(15, 6);
    expect(numericFromUnit(n, 0)).toBeCloseTo(10, 4);
    expect(numericFromUnit(n, 1 - 1e-12)).toBeCloseTo(20, 4);
  });

  it('quantizes to min + k * step within the bounds', () => {
    const p: Parameter = { name: 'm', type: 'double', min: 0.5, max: 0.9, step: 0.1, distribution: 'uniform' };
    expect(valueFromUnit(p, 0.99)).toBe('0.9');
    expect(quantize(p, 0.96)).toBeCloseTo(0.9, 12);
    expect(quantize(p, 0.64)).toBeCloseTo(0.6, 12);
  });

  it('has a normal quantile that inverts the CDF', () => {
    for (const z of [-2.5, -1, 0, 0.3, 1.96]) expect(normalQuantile(normalCdf(z))).toBeCloseTo(z, 5);
  });

  it('seeds generators from (seed, salt): equal pairs equal streams, other pairs other streams', () => {
    const take = (seed: number, salt: number) => {
      const rng = createRng(seed, salt);
      return [unit(rng), unit(rng), unit(rng)];
    };
    expect(take(1, 2)).toEqual(take(1, 2));
    expect(take(1, 2)).not.toEqual(take(1, 3));
    expect(take(1, 2)).not.toEqual(take(2, 2));
  });
});
