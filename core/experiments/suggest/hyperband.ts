/**
 * Hyperband as Katib runs it (pkg/suggestion/v1beta1/hyperband/service.py). One parameter, named
 * by `resource_name`, is the budget a trial gets (epochs, steps); `r_l` is the most any trial gets
 * and `eta` (default 3) the halving rate. With s_max = floor(log(r_l) / log(eta)) the brackets run
 * from s = s_max down to 0; bracket s starts n = ceil((s_max + 1) * eta^s / (s + 1)) random trials
 * at resource int(r_l * eta^-s), and each following rung keeps the best ceil(n_i / eta) of the rung
 * before (Katib's n_i = ceil(n * eta^-i)) at eta times the resource, up to r_l.
 *
 * Katib keeps its position in the algorithm settings it writes back; here the position is rebuilt
 * from the observations: every trial carries the labels `hyperband-bracket`, `hyperband-rung` and,
 * when promoted, `hyperband-parent` (the trial it continues). As in Katib, a rung is promoted only
 * when every trial of the rung before has finished, ranked by the objective (trials without an
 * objective are not promoted), and the next bracket starts as soon as a bracket's last rung is
 * suggested. Katib's service then sizes a bracket by the number of trials its controller asks for
 * at that moment (`param.n = request.current_request_number`, "a hack" in its words); here a
 * bracket follows the schedule above, the one Katib's own settings and the Hyperband paper compute.
 *
 * The configurations a bracket starts (every parameter but the resource) are drawn by random search
 * under their distributions (Katib draws them uniformly), the k-th from a generator seeded by
 * (seed, k): the same seed gives the same configurations however the rounds are sized, and they are
 * the configurations random search of the same seed makes one trial a round, so the two can be
 * compared configuration for configuration (quality-a.test.ts).
 */
import {
  type Assignment,
  formatValue,
  type Observation,
  type SettingsIssue,
  type Suggestion,
  type SuggestionAlgorithm,
  type SuggestRequest,
} from '../space.js';
import { createRng, drawAssignment, intSetting, numberSetting, parseSettings } from './sample.js';

export const BRACKET_LABEL = 'hyperband-bracket';
export const RUNG_LABEL = 'hyperband-rung';
export const PARENT_LABEL = 'hyperband-parent';

const PARSERS = {
  resource_name: (value: string) => (value.trim() === '' ? { error: 'must name a parameter' } : { value: value.trim() }),
  r_l: numberSetting(0),
  // Katib reads eta as an integer; a rate below 2 would never halve anything.
  eta: intSetting(2),
};

export interface Rung {
  readonly rung: number;
  /** How many trials the rung runs when every trial of the rung before succeeded. */
  readonly trials: number;
  /** The resource each of them gets. */
  readonly resource: number;
}

export interface Bracket {
  readonly bracket: number;
  readonly rungs: readonly Rung[];
}

/** s_max: a tolerance keeps log(27) / log(3) = 3.0000000000000004 or 2.9999999999999996 at 3. */
export function hyperbandSMax(eta: number, rl: number): number {
  return Math.max(0, Math.floor(Math.log(rl) / Math.log(eta) + 1e-9));
}

/** Katib's brackets for eta and r_l, from s_max down to 0, each with its rungs. */
export function hyperbandSchedule(eta: number, rl: number): Bracket[] {
  const sMax = hyperbandSMax(eta, rl);
  const brackets: Bracket[] = [];
  for (let s = sMax; s >= 0; s--) {
    const n = Math.ceil(((sMax + 1) * eta ** s) / (s + 1) - 1e-9);
    const rungs: Rung[] = [];
    for (let i = 0; i <= s; i++) {
      const trials = i === 0 ? n : Math.ceil(Math.ceil(n / eta ** (i - 1) - 1e-9) / eta - 1e-9);
      const resource = Math.floor((rl * eta ** i) / eta ** s + 1e-9);
      rungs.push({ rung: i, trials, resource });
    }
    brackets.push({ bracket: s, rungs });
  }
  return brackets;
}

/** The total resource a schedule spends when every trial succeeds. */
export function scheduleResource(schedule: readonly Bracket[]): number {
  return schedule.reduce((sum, b) => sum + b.rungs.reduce((t, r) => t + r.trials * r.resource, 0), 0);
}

interface Config {
  readonly resourceName: string;
  readonly rl: number;
  readonly eta: number;
}

function configOf(request: Pick<SuggestRequest, 'settings'>): { config: Config | null; issues: SettingsIssue[] } {
  const { values, issues } = parseSettings(request.settings, PARSERS);
  const resourceName = values.resource_name;
  const rl = values.r_l;
  if (typeof resourceName !== 'string' || typeof rl !== 'number') return { config: null, issues };
  const eta = typeof values.eta === 'number' ? values.eta : 3;
  return { config: { resourceName, rl, eta }, issues };
}

type Step = { kind: 'suggest'; suggestion: Suggestion } | { kind: 'wait' } | { kind: 'done' };

/** The next thing hyperband does given every trial so far: suggest one trial, wait for a rung, or nothing more. */
function nextStep(request: SuggestRequest, config: Config, observations: readonly Observation[]): Step {
  const resourceParameter = request.space.find((p) => p.name === config.resourceName);
  if (!resourceParameter) return { kind: 'done' };
  // The budget is never drawn: a configuration is the other parameters.
  const configurationSpace = request.space.filter((p) => p.name !== config.resourceName);
  const at = (s: number, i: number) =>
    observations.filter((o) => o.labels[BRACKET_LABEL] === String(s) && o.labels[RUNG_LABEL] === String(i));
  const sign = request.objective === 'minimize' ? 1 : -1;
  for (const bracket of hyperbandSchedule(config.eta, config.rl)) {
    const s = bracket.bracket;
    for (const rung of bracket.rungs) {
      const labels = { [BRACKET_LABEL]: String(s), [RUNG_LABEL]: String(rung.rung) };
      const resourceValue = formatValue(resourceParameter, rung.resource);
      const here = at(s, rung.rung);
      if (rung.rung === 0) {
        if (here.length < rung.trials) {
          // The k-th configuration has a generator of its own (see the top of the file).
          const k = observations.filter((o) => o.labels[RUNG_LABEL] === '0').length;
          const drawn = drawAssignment(configurationSpace, createRng(request.seed, k));
          const assignment: Assignment = { ...drawn, [config.resourceName]: resourceValue };
          return { kind: 'suggest', suggestion: { assignment, labels } };
        }
        continue;
      }
      const before = at(s, rung.rung - 1);
      if (before.some((o) => o.outcome === 'running')) return { kind: 'wait' };
      // Best first; ties keep the order the trials were made in (sort is stable).
      const ranked = before
        .filter((o) => o.objective !== null)
        .sort((a, b) => sign * ((a.objective as number) - (b.objective as number)));
      const promoted = new Set(here.map((o) => o.labels[PARENT_LABEL]));
      const parent = ranked.slice(0, rung.trials).find((o) => !promoted.has(o.trial));
      if (parent) {
        const assignment: Assignment = { ...parent.assignment, [config.resourceName]: resourceValue };
        return { kind: 'suggest', suggestion: { assignment, labels: { ...labels, [PARENT_LABEL]: parent.trial } } };
      }
    }
  }
  return { kind: 'done' };
}

export const hyperband: SuggestionAlgorithm = {
  name: 'hyperband',
  validate(request) {
    const { config, issues } = configOf(request);
    const names = new Set(request.settings.map((s) => s.name));
    for (const required of ['r_l', 'resource_name']) {
      if (!names.has(required)) issues.push({ path: 'spec.algorithm.algorithmSettings', message: `${required} must be set` });
    }
    if (!config) return issues;
    const index = request.settings.findIndex((s) => s.name === 'resource_name');
    const parameter = request.space.find((p) => p.name === config.resourceName);
    if (!parameter) {
      issues.push({
        path: `spec.algorithm.algorithmSettings[${index}].value`,
        message: `resource_name ${config.resourceName} is not a parameter`,
      });
    } else if (parameter.type !== 'int' && parameter.type !== 'double') {
      issues.push({
        path: `spec.algorithm.algorithmSettings[${index}].value`,
        message: `resource_name ${config.resourceName} must be an int or double parameter`,
      });
    }
    if (config.rl < 1) {
      const i = request.settings.findIndex((s) => s.name === 'r_l');
      issues.push({ path: `spec.algorithm.algorithmSettings[${i}].value`, message: 'r_l must be at least 1' });
    }
    // Katib's check: the first bracket's first rung (eta^s_max trials) must run at once.
    const maxParallel = Math.ceil(config.eta ** hyperbandSMax(config.eta, config.rl) - 1e-9);
    if (request.parallelTrials < maxParallel) {
      issues.push({ path: 'spec.parallelTrialCount', message: `parallelTrialCount must be not less than ${maxParallel}` });
    }
    return issues;
  },
  suggest(request) {
    const { config, issues } = configOf(request);
    if (!config || issues.length > 0) return { suggestions: [], exhausted: true };
    const made: Observation[] = [...request.observations];
    const suggestions: Suggestion[] = [];
    let step = nextStep(request, config, made);
    while (step.kind === 'suggest' && suggestions.length < request.count) {
      suggestions.push(step.suggestion);
      made.push({
        trial: `\u0000pending-${suggestions.length}`,
        assignment: step.suggestion.assignment,
        labels: step.suggestion.labels,
        outcome: 'running',
        objective: null,
        series: [],
      });
      step = nextStep(request, config, made);
    }
    return { suggestions, exhausted: step.kind === 'done' };
  },
};
