/**
 * Random search (Katib's `random`, Optuna's RandomSampler there): every parameter drawn
 * independently under its distribution; categorical and discrete values uniformly from the list;
 * ints rounded; steps honoured. The only setting is `random_state`, which replaces the experiment's
 * seed. A round's generator is seeded by (seed, number of trials so far), so the same experiment,
 * seed and observations give the same suggestions.
 */
import type { Setting, SuggestionAlgorithm, SuggestRequest, SuggestResult } from '../space.js';
import { createRng, drawAssignment, intSetting, parseSettings } from './sample.js';

const PARSERS = { random_state: intSetting(0) };

/** The seed an algorithm uses: its `random_state` setting when given, else the experiment's. */
export function seedOf(settings: readonly Setting[], seed: number): number {
  const { values } = parseSettings(settings, PARSERS);
  const state = values.random_state;
  return typeof state === 'number' ? state : seed;
}

export const random: SuggestionAlgorithm = {
  name: 'random',
  validate(request) {
    return parseSettings(request.settings, PARSERS).issues;
  },
  suggest(request: SuggestRequest): SuggestResult {
    const rng = createRng(seedOf(request.settings, request.seed), request.observations.length);
    const suggestions = [];
    for (let i = 0; i < request.count; i++) suggestions.push({ assignment: drawAssignment(request.space, rng), labels: {} });
    return { suggestions, exhausted: false };
  },
};
