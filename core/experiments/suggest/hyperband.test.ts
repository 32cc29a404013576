import { describe, expect, it } from 'vitest';
import type { Observation, SearchSpace, SuggestRequest } from '../space.js';
import { BRACKET_LABEL, hyperband, hyperbandSchedule, PARENT_LABEL, RUNG_LABEL, scheduleResource } from './hyperband.js';
import { random } from './random.js';

const space: SearchSpace = [
  { name: 'lr', type: 'double', min: 0.01, max: 0.1, step: null, distribution: 'uniform' },
  { name: 'epochs', type: 'int', min: 1, max: 9, step: null, distribution: 'uniform' },
];
const settings = [
  { name: 'resource_name', value: 'epochs' },
  { name: 'r_l', value: '9' },
  { name: 'eta', value: '3' },
];

describe('hyperband schedule', () => {
  it('matches the hand-computed table for eta 3, r_l 9', () => {
    // s_max = 2, B = 27. Bracket s: n = ceil(3 * 3^s / (s + 1)), r = 9 * 3^-s, then ceil(n_i / 3) at 3 r.
    expect(hyperbandSchedule(3, 9)).toEqual([
      {
        bracket: 2,
        rungs: [
          { rung: 0, trials: 9, resource: 1 },
          { rung: 1, trials: 3, resource: 3 },
          { rung: 2, trials: 1, resource: 9 },
        ],
      },
      {
        bracket: 1,
        rungs: [
          { rung: 0, trials: 5, resource: 3 },
          { rung: 1, trials: 2, resource: 9 },
        ],
      },
      { bracket: 0, rungs: [{ rung: 0, trials: 3, resource: 9 }] },
    ]);
  });

  it('matches the table for eta 3, r_l 81 (the Hyperband paper example)', () => {
    const table = hyperbandSchedule(3, 81).map((b) => b.rungs.map((r) => [r.trials, r.resource]));
    expect(table).toEqual([
      [
        [81, 1],
        [27, 3],
        [9, 9],
        [3, 27],
        [1, 81],
      ],
      [
        [34, 3],
        [12, 9],
        [4, 27],
        [2, 81],
      ],
      [
        [15, 9],
        [5, 27],
        [2, 81],
      ],
      [
        [8, 27],
        [3, 81],
      ],
      [[5, 81]],
    ]);
  });

  it('spends less resource than random search of equal count at the max resource', () => {
    for (const [eta, rl] of [
      [3, 9],
      [3, 27],
      [3, 81],
      [2, 16],
      [4, 64],
    ] as const) {
      const schedule = hyperbandSchedule(eta, rl);
      const trials = schedule.reduce((n, b) => n + b.rungs.reduce((t, r) => t + r.trials, 0), 0);
      expect(scheduleResource(schedule)).toBeLessThan(trials * rl);
    }
    expect(scheduleResource(hyperbandSchedule(3, 9))).toBe(87);
  });
});

function run(objective: (a: Record<string, string>) => number, count: number, limit = 1000, inSpace: SearchSpace = space) {
  const observations: Observation[] = [];
  const request = (): SuggestRequest => ({
    space: inSpace,
    objective: 'minimize',
    settings,
    observations,
    count,
    maxTrials: null,
    seed: 11,
  });
  const rounds: number[] = [];
  for (let round = 0; round < limit; round++) {
    const result = hyperband.suggest(request());
    rounds.push(result.suggestions.length);
    for (const s of result.suggestions) {
      observations.push({
        trial: `t${observations.length}`,
        assignment: s.assignment,
        labels: s.labels,
        outcome: 'succeeded',
        objective: objective(s.assignment),
        series: [],
      });
    }
    if (result.exhausted) break;
  }
  return { observations, rounds };
}

describe('hyperband suggestions', () => {
  it('runs the brackets and rungs, promoting the best trials of each rung with the resource raised', () => {
    const { observations } = run((a) => Number(a.lr), 9);
    const rung = (s: number, i: number) =>
      observations.filter((o) => o.labels[BRACKET_LABEL] === `${s}` && o.labels[RUNG_LABEL] === `${i}`);
    expect(observations).toHaveLength(23);
    expect([rung(2, 0), rung(2, 1), rung(2, 2), rung(1, 0), rung(1, 1), rung(0, 0)].map((r) => r.length)).toEqual([
      9, 3, 1, 5, 2, 3,
    ]);
    expect(new Set(rung(2, 0).map((o) => o.assignment.epochs))).toEqual(new Set(['1']));
    expect(new Set(rung(2, 1).map((o) => o.assignment.epochs))).toEqual(new Set(['3']));
    // The 3 promoted are the 3 smallest lr of the first rung, their lr unchanged.
    const best3 = rung(2, 0)
      .map((o) => o.assignment.lr)
      .sort((a, b) => Number(a) - Number(b))
      .slice(0, 3);
    expect(
      rung(2, 1)
        .map((o) => o.assignment.lr)
        .sort((a, b) => Number(a) - Number(b)),
    ).toEqual(best3);
    const parents = rung(2, 1).map((o) => o.labels[PARENT_LABEL]);
    expect(parents.every((p) => rung(2, 0).some((o) => o.trial === p))).toBe(true);
    expect(rung(2, 2)[0]!.assignment).toEqual({
      ...rung(2, 1).sort((a, b) => a.objective! - b.objective!)[0]!.assignment,
      epochs: '9',
    });
    const total = observations.reduce((s, o) => s + Number(o.assignment.epochs), 0);
    expect(total).toBe(87);
    expect(
      hyperband.suggest({ space, objective: 'minimize', settings, observations, count: 5, maxTrials: null, seed: 11 }),
    ).toEqual({
      suggestions: [],
      exhausted: true,
    });
  });

  it('draws the k-th configuration from (seed, k): the same whatever the round size, and the ones random search makes', () => {
    const started = (observations: readonly Observation[]) =>
      observations.filter((o) => o.labels[RUNG_LABEL] === '0').map((o) => o.assignment.lr);
    const byNine = started(run((a) => Number(a.lr), 9).observations);
    expect(byNine).toHaveLength(9 + 5 + 3);
    expect(new Set(byNine).size).toBe(byNine.length);
    expect(started(run((a) => Number(a.lr), 2).observations)).toEqual(byNine);
    expect(started(run((a) => Number(a.lr), 1).observations)).toEqual(byNine);
    // Random search of the same seed, one trial a round, over the parameters other than the budget.
    const lrOnly = space.filter((p) => p.name !== 'epochs');
    const randomObservations: Observation[] = [];
    while (randomObservations.length < byNine.length) {
      const [s] = random.suggest({
        space: lrOnly,
        objective: 'minimize',
        settings: [],
        observations: randomObservations,
        count: 1,
        maxTrials: null,
        seed: 11,
      }).suggestions;
      randomObservations.push({
        trial: `r${randomObservations.length}`,
        assignment: s!.assignment,
        labels: {},
        outcome: 'succeeded',
        objective: 0,
        series: [],
      });
    }
    expect(randomObservations.map((o) => o.assignment.lr)).toEqual(byNine);
    // The budget is set, never drawn: where it sits in the space changes nothing.
    const budgetFirst = [space[1]!, space[0]!];
    expect(started(run((a) => Number(a.lr), 9, 1000, budgetFirst).observations)).toEqual(byNine);
  });

  it('waits for a rung to finish before promoting, and suggests the rest across rounds of any size', () => {
    const { observations } = run((a) => Number(a.lr), 2);
    expect(observations).toHaveLength(23);
    const running: Observation[] = observations
      .slice(0, 9)
      .map((o, i) => (i === 4 ? { ...o, outcome: 'running', objective: null } : o));
    const r = hyperband.suggest({
      space,
      objective: 'minimize',
      settings,
      observations: running,
      count: 5,
      maxTrials: null,
      seed: 1,
    });
    expect(r).toEqual({ suggestions: [], exhausted: false });
  });

  it('does not promote trials without an objective', () => {
    const obs = run((a) => Number(a.lr), 9).observations.slice(0, 9);
    const failed = obs.map((o, i) => (i < 7 ? { ...o, outcome: 'failed' as const, objective: null } : o));
    const r = hyperband.suggest({
      space,
      objective: 'minimize',
      settings,
      observations: failed,
      count: 9,
      maxTrials: null,
      seed: 1,
    });
    const promoted = r.suggestions.filter((s) => s.labels[RUNG_LABEL] === '1');
    expect(promoted.map((s) => s.labels[PARENT_LABEL]).sort()).toEqual(['t7', 't8']);
  });

  it('validates as Katib does: r_l and resource_name set, resource a parameter, parallelTrialCount >= eta^s_max', () => {
    const base = { space, objective: 'minimize' as const, maxTrials: null };
    expect(hyperband.validate({ ...base, settings, parallelTrials: 9 })).toEqual([]);
    expect(hyperband.validate({ ...base, settings, parallelTrials: 8 })).toEqual([
      { path: 'spec.parallelTrialCount', message: 'parallelTrialCount must be not less than 9' },
    ]);
    expect(hyperband.validate({ ...base, settings: [{ name: 'r_l', value: '9' }], parallelTrials: 9 })).toEqual([
      { path: 'spec.algorithm.algorithmSettings', message: 'resource_name must be set' },
    ]);
    const wrong = [
      { name: 'resource_name', value: 'batch' },
      { name: 'r_l', value: '9' },
      { name: 'eta', value: '1' },
      { name: 'bogus', value: 'x' },
    ];
    expect(hyperband.validate({ ...base, settings: wrong, parallelTrials: 100 }).map((i) => i.path)).toEqual([
      'spec.algorithm.algorithmSettings[2].value',
      'spec.algorithm.algorithmSettings[3].name',
      'spec.algorithm.algorithmSettings[0].value',
    ]);
  });
});
