/**
 * What the model-based algorithms (tpe, multivariate-tpe, bayesianoptimization, cmaes, pbt) share
 * beyond sample.ts: each parameter seen as a model coordinate in [0, 1] and back. The coordinate is
 * linear in the value (log-linear for log distributions) whatever the prior's shape, because the
 * models measure distances in it; an int's range is widened by half a unit on each side as
 * sample.ts widens it, and a category is the middle of its slot. Also: the generator derived
 * from the seed and the observations, the losses (always minimized) and the settings parsers.
 */
import {
  formatValue,
  type ObjectiveType,
  type Observation,
  type Parameter,
  type Setting,
  type SettingsIssue,
  type SuggestRequest,
} from '../space.js';
import {
  createRng,
  drawValue,
  isNumeric,
  type NumericParameter,
  parseSettings,
  quantize,
  type RandomGenerator,
  type SettingParsers,
  standardNormal,
  unit,
} from './sample.js';

export { normalCdf, normalQuantile } from './sample.js';
export type { RandomGenerator };

function numericBounds(p: NumericParameter): { lo: number; hi: number; log: boolean } {
  const widen = p.type === 'int' && p.step === null ? 0.5 : 0;
  const log = p.distribution === 'logUniform' || p.distribution === 'logNormal';
  // A log scale needs a positive range; sample.ts lifts a non-positive minimum to 1e-10 the same way.
  if (log) return { lo: Math.log(Math.max(p.min - widen, 1e-10)), hi: Math.log(Math.max(p.max + widen, 1e-10)), log };
  return { lo: p.min - widen, hi: p.max + widen, log };
}

/** How many slots a categorical or discrete parameter has; 0 for a numeric one. */
export function categories(p: Parameter): number {
  return isNumeric(p) ? 0 : p.list.length;
}

/** Where a value written in an assignment sits in [0, 1]; NaN when it cannot be read. */
export function toUnit(p: Parameter, value: string | undefined): number {
  if (value === undefined) return Number.NaN;
  if (!isNumeric(p)) {
    const i = p.list.indexOf(value);
    return i < 0 ? Number.NaN : (i + 0.5) / p.list.length;
  }
  const x = Number(value);
  if (!Number.isFinite(x)) return Number.NaN;
  const { lo, hi, log } = numericBounds(p);
  if (hi === lo) return 0.5;
  const v = log ? Math.log(Math.max(x, 1e-10)) : x;
  return Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
}

/** The index of a category for a coordinate in [0, 1]. */
export function categoryAt(p: Parameter, u: number): number {
  const k = categories(p);
  return Math.min(k - 1, Math.max(0, Math.floor(u * k)));
}

/** The value a coordinate in [0, 1] stands for, quantized (ints, steps), as written. */
export function fromUnit(p: Parameter, u: number): string {
  const c = Math.min(1, Math.max(0, u));
  if (!isNumeric(p)) return p.list[categoryAt(p, c)]!;
  const { lo, hi, log } = numericBounds(p);
  const x = log ? Math.exp(lo + c * (hi - lo)) : lo + c * (hi - lo);
  return formatValue(p, quantize(p, x));
}

/** Snap a coordinate to where its written value lands (ints, steps, categories). */
export function snapUnit(p: Parameter, u: number): number {
  return toUnit(p, fromUnit(p, u));
}

export const uniform = unit;
export const gaussian = standardNormal;

/** A draw of a parameter under its prior distribution (sample.ts), as a model coordinate. */
export function drawUnit(p: Parameter, rng: RandomGenerator): number {
  return toUnit(p, drawValue(p, rng));
}

function mix(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The generator for one call: the seed, a name for the use, and every observation's trial, outcome
 * and value, so that the same experiment, seed and observations give the same suggestions and any
 * change in the observations gives fresh draws.
 */
export function rngFor(seed: number, salt: string, observations: readonly Observation[]): RandomGenerator {
  let h = mix(0x811c9dc5, salt);
  for (const o of observations) {
    h = mix(h, o.trial);
    h = mix(h, o.outcome);
    h = mix(h, o.objective === null ? '-' : String(o.objective));
  }
  return createRng(seed, h | 0);
}

/** Smaller is better for every algorithm here. */
export function lossOf(objective: ObjectiveType, value: number): number {
  return objective === 'maximize' ? -value : value;
}

/** Trials with a value to learn from (early-stopped ones report the value they reached). */
export function isComplete(o: Observation): o is Observation & { objective: number } {
  return (o.outcome === 'succeeded' || o.outcome === 'early-stopped') && o.objective !== null && Number.isFinite(o.objective);
}

export function isPending(o: Observation): boolean {
  return o.outcome === 'running';
}

/** The observation's coordinates, one per parameter; null when a value cannot be read. */
export function unitPoint(space: SuggestRequest['space'], o: Observation): number[] | null {
  const x = space.map((p) => toUnit(p, o.assignment[p.name]));
  return x.every(Number.isFinite) ? x : null;
}

export function assignmentOf(space: SuggestRequest['space'], u: readonly number[]): Record<string, string> {
  const a: Record<string, string> = {};
  space.forEach((p, i) => {
    a[p.name] = fromUnit(p, u[i]!);
  });
  return a;
}

// ---------------------------------------------------------------------------------------------
// Settings (parsed by sample.ts's table: unknown names at `.name`, bad values at `.value`)
// ---------------------------------------------------------------------------------------------

export { intSetting, parseSettings } from './sample.js';
export type { SettingParsers };

export function parseInteger(value: string): number | null {
  return /^\s*[+-]?\d+\s*$/.test(value) ? Number.parseInt(value, 10) : null;
}

/** A number setting in [min, max] (or (min, max] when minOpen). */
export const numberIn =
  (min: number, max: number, opts: { minOpen?: boolean } = {}) =>
  (value: string): { value: number } | { error: string } => {
    const x = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(x)) return { error: `must be a number, got "${value}"` };
    const lowOk = opts.minOpen ? x > min : x >= min;
    return lowOk && x <= max ? { value: x } : { error: `must be in ${opts.minOpen ? '(' : '['}${min}, ${max}], got ${x}` };
  };

export const oneOf =
  (values: readonly string[]) =>
  (value: string): { value: string } | { error: string } =>
    values.includes(value) ? { value } : { error: `must be one of ${values.join(', ')}, got "${value}"` };

/** Any non-empty string. */
export const nonEmpty = (value: string): { value: string } | { error: string } =>
  value.trim() === '' ? { error: 'must not be empty' } : { value };

/**
 * Every problem with the settings: sample.ts's table check, plus repeated names (Katib keeps the
 * last silently, which hides a typo) and required settings missing (at the settings list).
 */
export function checkSettings(
  settings: readonly Setting[],
  parsers: SettingParsers,
  required: readonly string[] = [],
): SettingsIssue[] {
  const { issues } = parseSettings(settings, parsers);
  const seen = new Set<string>();
  settings.forEach((s, i) => {
    if (seen.has(s.name))
      issues.push({ path: `spec.algorithm.algorithmSettings[${i}].name`, message: `setting ${s.name} is given more than once` });
    seen.add(s.name);
  });
  for (const name of required) {
    if (!seen.has(name))
      issues.push({ path: 'spec.algorithm.algorithmSettings', message: `required setting ${name} is missing` });
  }
  return issues;
}

/** The parsed settings, every unparsable or unknown one left out (validation reports them). */
export function settingValues(settings: readonly Setting[], parsers: SettingParsers): Record<string, number | string> {
  return parseSettings(settings, parsers).values;
}

export const normalPdf = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
