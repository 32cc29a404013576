/**
 * Grid search (Katib's `grid`, Optuna's GridSampler there). Each parameter's values are built as
 * Katib builds them (search_space.py, convert_to_combinations): a double needs a step and takes
 * numpy's arange(min, max + step, step) without a last value beyond max, so the max endpoint is
 * kept when (max - min) is a multiple of the step; an int takes range(min, max + 1, step or 1);
 * categorical and discrete parameters take their lists.
 *
 * The order is Optuna's: the grid is the Cartesian product over the parameters sorted by name,
 * each one's values sorted, and every trial takes a point chosen at random among those not yet
 * visited (Optuna does this so parallel workers rarely collide). The choice is seeded by
 * (seed, number of trials so far), so it is reproducible. A point is visited once any trial has
 * its assignment, whatever the trial's outcome; when every point is visited the grid is exhausted.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import {
  type Assignment,
  formatValue,
  type Parameter,
  type SearchSpace,
  type SettingsIssue,
  type SuggestionAlgorithm,
} from '../space.js';
import { seedOf } from './random.js';
import { assignmentKey, createRng, intSetting, isNumeric, parseSettings } from './sample.js';

const PARSERS = { random_state: intSetting(0) };

/** A parameter's grid values as they are substituted, sorted as Optuna sorts them; null when a double has no step. */
export function gridValues(parameter: Parameter): string[] | null {
  if (!isNumeric(parameter)) {
    const values = [...parameter.list];
    if (parameter.type === 'discrete') return values.sort((a, b) => Number(a) - Number(b));
    return values.sort();
  }
  const { min, max } = parameter;
  if (parameter.type === 'int') {
    const step = Math.max(1, Math.trunc(parameter.step ?? 1));
    const values: string[] = [];
    for (let v = Math.trunc(min); v < Math.trunc(max) + 1; v += step) values.push(formatValue(parameter, v));
    return values;
  }
  const step = parameter.step;
  if (step === null || !(step > 0)) return null;
  // numpy's arange length, then its values start + i * step; the last is dropped when beyond max.
  const n = Math.ceil((max + step - min) / step);
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(min + i * step);
  if (values.length > 0 && (values[values.length - 1] as number) > max) values.pop();
  return values.map((v) => formatValue(parameter, v));
}

/** The grid: parameters sorted by name with their values; null when a double has no step. */
export function gridOf(space: SearchSpace): { names: string[]; values: string[][]; size: number } | null {
  const sorted = [...space].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const values: string[][] = [];
  for (const p of sorted) {
    const v = gridValues(p);
    if (v === null) return null;
    values.push(v);
  }
  const size = values.reduce((n, v) => n * v.length, 1);
  return { names: sorted.map((p) => p.name), values, size };
}

/** The grid point at an index of itertools.product (the last parameter varies fastest). */
function pointAt(grid: { names: string[]; values: string[][] }, index: number): Assignment {
  const assignment: Record<string, string> = {};
  let rest = index;
  for (let d = grid.names.length - 1; d >= 0; d--) {
    const vs = grid.values[d] as string[];
    assignment[grid.names[d] as string] = vs[rest % vs.length] as string;
    rest = Math.floor(rest / vs.length);
  }
  return assignment;
}

/** The index of an assignment in the grid, or null when it is not a grid point. */
function indexOf(grid: { names: string[]; values: string[][] }, assignment: Assignment): number | null {
  let index = 0;
  for (let d = 0; d < grid.names.length; d++) {
    const vs = grid.values[d] as string[];
    const raw = assignment[grid.names[d] as string];
    if (raw === undefined) return null;
    let i = vs.indexOf(raw);
    // An assignment written differently ("0.50" for "0.5") is still the same grid point.
    if (i < 0 && raw.trim() !== '' && Number.isFinite(Number(raw))) i = vs.findIndex((v) => Number(v) === Number(raw));
    if (i < 0) return null;
    index = index * vs.length + i;
  }
  return index;
}

export const grid: SuggestionAlgorithm = {
  name: 'grid',
  validate(request) {
    const issues: SettingsIssue[] = [...parseSettings(request.settings, PARSERS).issues];
    request.space.forEach((p, i) => {
      if (p.type === 'double' && !(p.step !== null && p.step > 0)) {
        issues.push({
          path: `spec.parameters[${i}].feasibleSpace.step`,
          message: `grid needs a step for the double parameter ${p.name}`,
        });
      }
    });
    const g = gridOf(request.space);
    if (g !== null && request.maxTrials !== null && request.maxTrials > g.size) {
      issues.push({
        path: 'spec.maxTrialCount',
        message: `maxTrialCount ${request.maxTrials} is more than the grid's ${g.size} points`,
      });
    }
    return issues;
  },
  suggest(request) {
    const g = gridOf(request.space);
    if (g === null) return { suggestions: [], exhausted: true };
    const visited = new Set<number>();
    for (const o of request.observations) {
      const i = indexOf(g, o.assignment);
      if (i !== null) visited.add(i);
    }
    const rng = createRng(seedOf(request.settings, request.seed), request.observations.length);
    const suggestions = [];
    const seen = new Set(request.observations.map((o) => assignmentKey(request.space, o.assignment)));
    while (suggestions.length < request.count && visited.size < g.size) {
      // The r-th unvisited index, found by stepping over the visited ones below it.
      let index = uniformInt(rng, 0, g.size - visited.size - 1);
      for (const v of [...visited].sort((a, b) => a - b)) {
        if (v <= index) index++;
        else break;
      }
      visited.add(index);
      const assignment = pointAt(g, index);
      // Keep the space's parameter order in the assignment, as every other algorithm writes it.
      const ordered: Record<string, string> = {};
      for (const p of request.space) ordered[p.name] = assignment[p.name] as string;
      const key = assignmentKey(request.space, ordered);
      if (seen.has(key)) continue;
      seen.add(key);
      suggestions.push({ assignment: ordered, labels: {} });
    }
    return { suggestions, exhausted: visited.size >= g.size };
  },
};
