/**
 * Sampling helpers shared by the suggestion algorithms: seeded generators, a parameter's value
 * drawn under its distribution, a point of the unit interval mapped onto a parameter, steps, and
 * the settings every algorithm parses the same way.
 *
 * Distributions follow Katib's hyperopt service for bounded parameters: `normal` is centred on the
 * middle of [min, max] with sigma = (max - min) / 6, `logNormal` the same on the log scale. Unlike
 * hyperopt we truncate both to [min, max] (a trial must stay inside the feasible space the spec
 * declares), which changes less than 0.3% of the mass.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { type Assignment, formatValue, type Parameter, type SearchSpace, type Setting, type SettingsIssue } from '../space.js';

export type { RandomGenerator };

/** A double or int parameter. */
export type NumericParameter = Extract<Parameter, { type: 'double' | 'int' }>;

/** Whether a parameter is a double or an int (has min, max and step). */
export function isNumeric(parameter: Parameter): parameter is NumericParameter {
  return parameter.type === 'double' || parameter.type === 'int';
}

/**
 * A generator for one suggestion round: the experiment's seed mixed with a salt (usually the number
 * of trials made so far), so a round's draws depend only on the seed and the observations.
 */
export function createRng(seed: number, salt = 0): RandomGenerator {
  // A multiplicative hash (Knuth) so that nearby (seed, salt) pairs do not give correlated streams.
  const mixed = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul((salt | 0) + 0x7f4a7c15, 0x85ebca6b)) | 0;
  return xoroshiro128plus(mixed);
}

/** Uniform in [0, 1). */
export function unit(rng: RandomGenerator): number {
  return uniformFloat64(rng);
}

/** Standard normal (Box-Muller). */
export function standardNormal(rng: RandomGenerator): number {
  const u = 1 - unit(rng);
  const v = unit(rng);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** The standard normal's CDF (Abramowitz-Stegun 7.1.26 through erf, error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** The standard normal's quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/** How many sigmas on each side of the centre the (log-)normal distributions keep. */
const NORMAL_HALF_WIDTH = 3;
const CDF_LOW = normalCdf(-NORMAL_HALF_WIDTH);
const CDF_HIGH = normalCdf(NORMAL_HALF_WIDTH);

/**
 * Snap a number to the parameter's grid (min + k * step) when it has a step, to an integer for an
 * int, and into [min, max]. Values pass through for categorical and discrete parameters.
 */
export function quantize(parameter: Parameter, x: number): number {
  if (!isNumeric(parameter)) return x;
  const { min, max } = parameter;
  let v = x;
  const step = parameter.step ?? (parameter.type === 'int' ? 1 : null);
  if (step !== null && step > 0) {
    const k = Math.round((v - min) / step);
    const lastK = Math.floor((max - min) / step + 1e-9);
    v = min + Math.min(Math.max(k, 0), lastK) * step;
  }
  if (parameter.type === 'int') v = Math.round(v);
  return Math.min(Math.max(v, min), max);
}

/**
 * Map u in [0, 1) onto a numeric parameter under its distribution (inverse CDF), quantized. Used
 * by random search with u uniform and by quasi-random sequences with u a coordinate of a point.
 */
export function numericFromUnit(parameter: NumericParameter, u: number): number {
  const { min, max } = parameter;
  // An int's range is widened by half a unit on each side so that rounding gives min and max the
  // same share as the integers between them.
  const lo = parameter.type === 'int' && parameter.step === null ? min - 0.5 : min;
  const hi = parameter.type === 'int' && parameter.step === null ? max + 0.5 : max;
  let x: number;
  switch (parameter.distribution) {
    case 'uniform':
      x = lo + u * (hi - lo);
      break;
    case 'logUniform': {
      const [a, b] = logBounds(lo, hi);
      x = Math.exp(a + u * (b - a));
      break;
    }
    case 'normal': {
      const z = normalQuantile(CDF_LOW + u * (CDF_HIGH - CDF_LOW));
      x = (min + max) / 2 + (z * (max - min)) / (2 * NORMAL_HALF_WIDTH);
      break;
    }
    case 'logNormal': {
      const [a, b] = logBounds(min, max);
      const z = normalQuantile(CDF_LOW + u * (CDF_HIGH - CDF_LOW));
      x = Math.exp((a + b) / 2 + (z * (b - a)) / (2 * NORMAL_HALF_WIDTH));
      break;
    }
  }
  return quantize(parameter, x);
}

/** Log-scale bounds; a non-positive minimum is lifted as Optuna lifts it (1e-10, or 1 for ints). */
function logBounds(lo: number, hi: number): [number, number] {
  const floor = 1e-10;
  const a = Math.log(Math.max(lo, floor));
  const b = Math.log(Math.max(hi, floor));
  return [a, b];
}

/**
 * The value (as it is substituted) of a parameter for u in [0, 1): numeric parameters through
 * `numericFromUnit`, categorical and discrete ones pick the list entry floor(u * length), uniformly.
 */
export function valueFromUnit(parameter: Parameter, u: number): string {
  if (!isNumeric(parameter)) {
    const i = Math.min(parameter.list.length - 1, Math.floor(u * parameter.list.length));
    return parameter.list[i] as string;
  }
  return formatValue(parameter, numericFromUnit(parameter, u));
}

/** One value of a parameter drawn under its distribution. */
export function drawValue(parameter: Parameter, rng: RandomGenerator): string {
  return valueFromUnit(parameter, unit(rng));
}

/** An assignment of every parameter drawn independently, in the space's order. */
export function drawAssignment(space: SearchSpace, rng: RandomGenerator): Assignment {
  const assignment: Record<string, string> = {};
  for (const parameter of space) assignment[parameter.name] = drawValue(parameter, rng);
  return assignment;
}

/** An assignment for a point of the unit cube (one coordinate per parameter, in the space's order). */
export function assignmentFromUnit(space: SearchSpace, point: readonly number[]): Assignment {
  const assignment: Record<string, string> = {};
  space.forEach((parameter, i) => {
    assignment[parameter.name] = valueFromUnit(parameter, point[i] ?? 0);
  });
  return assignment;
}

/** A key identifying an assignment by the space's parameters, to find repeats. */
export function assignmentKey(space: SearchSpace, assignment: Assignment): string {
  return space.map((p) => `${p.name}=${assignment[p.name] ?? ''}`).join('\u0000');
}

/**
 * How each known setting is read: returns the parsed value, or a message saying what is wrong.
 * Settings not in the table are refused as unknown, as Katib's validators refuse them.
 */
export type SettingParsers = Readonly<Record<string, (value: string) => { value: number | string } | { error: string }>>;

/** Parse settings by a table; unknown names and bad values become issues under `spec.<prefix>[i].value`. */
export function parseSettings(
  settings: readonly Setting[],
  parsers: SettingParsers,
  prefix = 'spec.algorithm.algorithmSettings',
): { values: Record<string, number | string>; issues: SettingsIssue[] } {
  const values: Record<string, number | string> = {};
  const issues: SettingsIssue[] = [];
  settings.forEach((setting, i) => {
    const parse = Object.hasOwn(parsers, setting.name) ? parsers[setting.name] : undefined;
    if (!parse) {
      issues.push({ path: `${prefix}[${i}].name`, message: `unknown setting ${setting.name}` });
      return;
    }
    const parsed = parse(setting.value);
    if ('error' in parsed) issues.push({ path: `${prefix}[${i}].value`, message: `${setting.name}: ${parsed.error}` });
    else values[setting.name] = parsed.value;
  });
  return { values, issues };
}

/** A parser for an integer setting at least `min`. */
export function intSetting(min: number): (value: string) => { value: number } | { error: string } {
  return (value) => {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isInteger(n)) return { error: `must be an integer, got "${value}"` };
    if (n < min) return { error: `must be at least ${min}, got ${n}` };
    return { value: n };
  };
}

/** A parser for a finite number setting above `exclusiveMin`. */
export function numberSetting(exclusiveMin: number): (value: string) => { value: number } | { error: string } {
  return (value) => {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n)) return { error: `must be a number, got "${value}"` };
    if (n <= exclusiveMin) return { error: `must be greater than ${exclusiveMin}, got ${n}` };
    return { value: n };
  };
}
