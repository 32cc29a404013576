import { describe, expect, it } from 'vitest';
import type { Observation, SearchSpace, Setting, Suggestion, SuggestRequest } from '../space.js';
import {
  explore,
  PBT_CHECKPOINT_LABEL,
  PBT_GENERATION_LABEL,
  PBT_MEMBER_LABEL,
  PBT_PARENT_LABEL,
  pbt,
  rebuildPbt,
} from './pbt.js';
import { createRng } from './sample.js';

const space: SearchSpace = [
  { name: 'lr', type: 'double', min: 0.0001, max: 0.02, step: 0.0001, distribution: 'uniform' },
  { name: 'width', type: 'int', min: 8, max: 512, step: null, distribution: 'uniform' },
  { name: 'opt', type: 'categorical', list: ['sgd', 'adam', 'rmsprop'], distribution: 'uniform' },
];

const settings: Setting[] = [
  { name: 'suggestion_trial_dir', value: '/var/log/katib/checkpoints/' },
  { name: 'n_population', value: '6' },
  { name: 'truncation_threshold', value: '0.34' },
];

const req = (observations: Observation[], count: number, extra: Setting[] = [], seed = 1): SuggestRequest => ({
  space,
  objective: 'maximize',
  settings: [...settings, ...extra],
  observations,
  count,
  maxTrials: null,
  seed,
});

/** Accuracy peaks at lr = 0.01. */
const accuracy = (s: Suggestion) => 1 - Math.abs(Number(s.assignment.lr) - 0.01) * 40;

let trialNumber = 0;
function complete(s: Suggestion, outcome: Observation['outcome'] = 'succeeded'): Observation {
  return {
    trial: `trial-${trialNumber++}`,
    assignment: s.assignment,
    labels: s.labels,
    outcome,
    objective: outcome === 'succeeded' ? accuracy(s) : null,
    series: [],
  };
}

/** Run whole generations: suggest all free slots, complete them, repeat. */
function generations(n: number, extra: Setting[] = [], seed = 1): Observation[] {
  const observations: Observation[] = [];
  for (let g = 0; g < n; g++) {
    const r = pbt.suggest(req(observations, 10, extra, seed));
    observations.push(...r.suggestions.map((s) => complete(s)));
  }
  return observations;
}

describe('pbt', () => {
  it('seeds generation 0 with n_population random members, and no more until they complete', () => {
    const first = pbt.suggest(req([], 4));
    expect(first.suggestions).toHaveLength(4);
    const running = first.suggestions.map((s) => ({ ...complete(s), outcome: 'running' as const, objective: null }));
    const second = pbt.suggest(req(running, 10));
    // Six members: two more slots, then nothing until the generation completes.
    expect(second.suggestions).toHaveLength(2);
    expect([...first.suggestions, ...second.suggestions].map((s) => s.labels[PBT_MEMBER_LABEL])).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    for (const s of [...first.suggestions, ...second.suggestions]) {
      expect(s.labels[PBT_GENERATION_LABEL]).toBe('0');
      expect(s.labels[PBT_PARENT_LABEL]).toBeUndefined();
      expect(Number(s.assignment.lr)).toBeGreaterThanOrEqual(0.0001);
      expect(Number(s.assignment.lr)).toBeLessThanOrEqual(0.02);
      expect(Number.isInteger(Number(s.assignment.width))).toBe(true);
    }
    expect(pbt.suggest(req([...running, ...second.suggestions.map((s) => complete(s, 'running'))], 3)).suggestions).toEqual([]);
  });

  it("plans the next generation by truncation: the bottom copy a top member's checkpoint and explore, the rest continue", () => {
    const observations = generations(1);
    const next = pbt.suggest(req(observations, 10)).suggestions;
    expect(next).toHaveLength(6);
    const ranked = [...observations].sort((a, b) => b.objective! - a.objective!);
    const top = ranked.slice(0, 2).map((o) => o.trial);
    const bottom = new Set(ranked.slice(4).map((o) => o.trial));
    next.forEach((s, slot) => {
      const member = observations[slot]!;
      expect(s.labels[PBT_GENERATION_LABEL]).toBe('1');
      const parent = s.labels[PBT_PARENT_LABEL]!;
      expect(s.labels[PBT_CHECKPOINT_LABEL]).toBe(`/var/log/katib/checkpoints/${parent}`);
      if (bottom.has(member.trial)) {
        expect(top).toContain(parent);
        const source = observations.find((o) => o.trial === parent)!;
        // Perturbed: lr by 0.8 or 1.2 (on its step), the category moved to a neighbour.
        const ratio = Number(s.assignment.lr) / Number(source.assignment.lr);
        expect([0.8, 1.2].some((f) => Math.abs(ratio - f) < 0.0001 / Number(source.assignment.lr) + 1e-9)).toBe(true);
        expect(s.assignment.opt).not.toBe(source.assignment.opt);
      } else {
        expect(parent).toBe(member.trial);
        expect(s.assignment).toEqual(member.assignment);
      }
    });
  });

  it('rebuilds the generation from the labels and gives a failed member again with its assignment and parent', () => {
    const observations = generations(2);
    const gen2 = pbt.suggest(req(observations, 10)).suggestions;
    expect(rebuildPbt(req(observations, 1)).generation).toBe(2);
    const made = gen2.map((s, i) => complete(s, i === 3 ? 'failed' : 'succeeded'));
    const retry = pbt.suggest(req([...observations, ...made], 10)).suggestions;
    expect(retry).toHaveLength(1);
    expect(retry[0]).toEqual(gen2[3]);
    const all = [...observations, ...made, complete(retry[0]!)];
    expect(rebuildPbt(req(all, 1)).generation).toBe(3);
    expect(pbt.suggest(req(all, 10)).suggestions.every((s) => s.labels[PBT_GENERATION_LABEL] === '3')).toBe(true);
  });

  it('improves the population over generations and is reproducible by seed', () => {
    const observations = generations(8);
    const byGen = (g: number) => observations.filter((o) => o.labels[PBT_GENERATION_LABEL] === String(g));
    const mean = (os: Observation[]) => os.reduce((a, o) => a + o.objective!, 0) / os.length;
    expect(mean(byGen(7))).toBeGreaterThan(mean(byGen(0)));
    const again = generations(8);
    expect(again.map((o) => o.assignment)).toEqual(observations.map((o) => o.assignment));
    expect(generations(3, [], 2).map((o) => o.assignment)).not.toEqual(observations.slice(0, 18).map((o) => o.assignment));
  });

  it('resamples each value with resample_probability instead of perturbing', () => {
    const rng = createRng(4);
    const source = { lr: '0.01', width: '64', opt: 'adam' };
    expect(explore(space, source, 0, rng)).toEqual(source);
    const resampled = Array.from({ length: 20 }, () => explore(space, source, 1, rng));
    expect(resampled.some((a) => a.lr !== '0.01' && Math.abs(Number(a.lr) / 0.01 - 1) > 0.25)).toBe(true);
  });

  it("validates settings as Katib's pbt service does, each problem at its path", () => {
    const v = (s: Setting[]) => pbt.validate({ space, objective: 'maximize', settings: s, maxTrials: 30, parallelTrials: 3 });
    expect(v([...settings, { name: 'resample_probability', value: '0.25' }])).toEqual([]);
    const issues = v([
      { name: 'n_population', value: '3' },
      { name: 'truncation_threshold', value: '1.5' },
      { name: 'resample_probability', value: '-1' },
      { name: 'population', value: '10' },
    ]);
    expect(issues.map((i) => i.path)).toEqual([
      'spec.algorithm.algorithmSettings[0].value',
      'spec.algorithm.algorithmSettings[1].value',
      'spec.algorithm.algorithmSettings[2].value',
      'spec.algorithm.algorithmSettings[3].name',
      'spec.algorithm.algorithmSettings',
    ]);
    expect(issues[4]!.message).toContain('suggestion_trial_dir');
  });
});
