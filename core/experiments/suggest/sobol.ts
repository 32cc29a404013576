/**
 * Quasi-random search with an unscrambled Sobol sequence (Katib's `sobol`, goptuna's sampler
 * there, which takes no settings). The dimension is the number of parameters; coordinate i of a
 * point is mapped onto parameter i by `valueFromUnit` (inverse CDF under its distribution).
 *
 * Trial k of the experiment (k = number of trials already made) takes point k + 1: point 0 is the
 * origin, which would put every parameter at its minimum, a corner no search wants to start from.
 *
 * Direction numbers are Joe and Kuo's new-joe-kuo-6.21201 (their 2008 set, good two-dimensional
 * projections) for the first 21 dimensions, computed with 32 bits. No npm package for Sobol
 * sequences is maintained (`sobol` has not had a release for years), so the generator is here.
 */
import type { SettingsIssue, SuggestionAlgorithm } from '../space.js';
import { assignmentFromUnit, parseSettings } from './sample.js';

/** Joe-Kuo rows for dimensions 2..21: [s (degree), a (polynomial coefficients), m_1..m_s]. */
const JOE_KUO: readonly (readonly [number, number, readonly number[]])[] = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
  [5, 14, [1, 3, 5, 5, 31]],
  [6, 1, [1, 3, 3, 9, 7, 49]],
  [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]],
  [6, 19, [1, 1, 1, 15, 7, 5]],
  [6, 22, [1, 3, 1, 15, 13, 25]],
  [6, 25, [1, 1, 5, 5, 19, 61]],
  [7, 1, [1, 3, 7, 11, 23, 15, 103]],
  [7, 4, [1, 3, 7, 13, 13, 15, 69]],
];

export const SOBOL_MAX_DIMENSION = JOE_KUO.length + 1;
const BITS = 32;

/** Direction numbers V[d][i] (i = 0..31) as unsigned 32-bit integers. */
const DIRECTIONS: readonly Uint32Array[] = (() => {
  const all: Uint32Array[] = [];
  const first = new Uint32Array(BITS);
  for (let i = 0; i < BITS; i++) first[i] = 2 ** (BITS - 1 - i);
  all.push(first);
  for (const [s, a, m] of JOE_KUO) {
    const v = new Uint32Array(BITS);
    for (let i = 0; i < s; i++) v[i] = ((m[i] as number) * 2 ** (BITS - 1 - i)) >>> 0;
    for (let i = s; i < BITS; i++) {
      let x = (v[i - s] as number) ^ ((v[i - s] as number) >>> s);
      for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) x ^= v[i - k] as number;
      v[i] = x >>> 0;
    }
    all.push(v);
  }
  return all;
})();

/**
 * The Sobol point of an index in [0, 1)^dimension, in Gray-code order (the order of Antonov and
 * Saleev's recurrence, and of scipy's unscrambled `Sobol`): point 0 is the origin.
 */
export function sobolPoint(index: number, dimension: number): number[] {
  if (dimension < 1 || dimension > SOBOL_MAX_DIMENSION) throw new RangeError(`Sobol dimension must be 1..${SOBOL_MAX_DIMENSION}`);
  // The Gray code is taken with 32-bit integer operators, which are signed: indices stay below 2^31.
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** 31) {
    throw new RangeError('Sobol index must be an integer in [0, 2^31)');
  }
  const gray = index ^ (index >>> 1);
  const point: number[] = [];
  for (let d = 0; d < dimension; d++) {
    const v = DIRECTIONS[d] as Uint32Array;
    let x = 0;
    let g = gray;
    for (let i = 0; g !== 0; i++, g = Math.floor(g / 2)) if (g % 2 === 1) x = (x ^ (v[i] as number)) >>> 0;
    point.push(x / 2 ** BITS);
  }
  return point;
}

export const sobol: SuggestionAlgorithm = {
  name: 'sobol',
  validate(request) {
    const issues: SettingsIssue[] = [...parseSettings(request.settings, {}).issues];
    if (request.space.length > SOBOL_MAX_DIMENSION) {
      issues.push({
        path: 'spec.parameters',
        message: `sobol supports up to ${SOBOL_MAX_DIMENSION} parameters, got ${request.space.length}`,
      });
    }
    return issues;
  },
  suggest(request) {
    const dimension = request.space.length;
    if (dimension === 0 || dimension > SOBOL_MAX_DIMENSION) return { suggestions: [], exhausted: true };
    const suggestions = [];
    for (let i = 0; i < request.count; i++) {
      const point = sobolPoint(request.observations.length + i + 1, dimension);
      suggestions.push({ assignment: assignmentFromUnit(request.space, point), labels: {} });
    }
    return { suggestions, exhausted: false };
  },
};
