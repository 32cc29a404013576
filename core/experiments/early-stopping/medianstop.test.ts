import { describe, expect, it } from 'vitest';
import type { Observation, TrialOutcome } from '../space.js';
import { EARLY_STOPPING_RULES } from './index.js';
import { medianAtStep, medianstop } from './medianstop.js';

function trial(name: string, outcome: TrialOutcome, values: number[]): Observation {
  return {
    trial: name,
    assignment: {},
    labels: {},
    outcome,
    objective: outcome === 'running' ? null : (values[values.length - 1] ?? null),
    series: values.map((value, i) => ({ step: i + 1, value })),
  };
}

// Three succeeded loss curves; their running averages at step 4 are 2.5, 3.5 and 10 (median 3.5,
// mean 5.33: one diverged trial moves the mean, not the median).
const done = [
  trial('a', 'succeeded', [4, 3, 2, 1, 0.5]),
  trial('b', 'succeeded', [5, 4, 3, 2, 1]),
  trial('c', 'succeeded', [10, 10, 10, 10, 10]),
];

const rule = (observations: Observation[], settings = [] as { name: string; value: string }[], objective = 'minimize' as const) =>
  medianstop.stop({ objective, settings, observations });

describe('median stopping rule', () => {
  it("takes the median of the succeeded trials' running averages at the running trial's step", () => {
    expect(medianAtStep(done, 4, 3)).toBe(3.5);
    expect(medianAtStep(done, 2, 3)).toBe(4.5);
    expect(medianAtStep(done, 4, 4)).toBeNull();
  });

  it('stops a trial whose best value is worse than the median, from start_step on', () => {
    expect(rule([...done, trial('slow', 'running', [9, 8, 7])])).toEqual([]);
    expect(rule([...done, trial('slow', 'running', [9, 8, 7, 6])])).toEqual(['slow']);
    // Below the median (best 3 < 3.5): it goes on; with a mean (5.33) 4.0 would go on too, here it stops.
    expect(rule([...done, trial('good', 'running', [6, 5, 4, 3])])).toEqual([]);
    expect(rule([...done, trial('meh', 'running', [6, 5, 4.5, 4])])).toEqual(['meh']);
  });

  it('does not stop anything before min_trials_required trials have succeeded', () => {
    const two = [done[0]!, done[1]!, trial('c', 'running', [10, 10, 10, 10])];
    expect(rule([...two, trial('slow', 'running', [9, 8, 7, 6])])).toEqual([]);
    // With two required, the median of 2.5 and 3.5 is 3: both running trials are worse.
    expect(rule([...two, trial('slow', 'running', [9, 8, 7, 6])], [{ name: 'min_trials_required', value: '2' }])).toEqual([
      'c',
      'slow',
    ]);
  });

  it('honours start_step and the direction of the objective', () => {
    const settings = [{ name: 'start_step', value: '2' }];
    expect(rule([...done, trial('slow', 'running', [9, 8])], settings)).toEqual(['slow']);
    const accuracy = done.map((o) => ({ ...o, series: o.series.map((p) => ({ ...p, value: -p.value })) }));
    const stopped = medianstop.stop({
      objective: 'maximize',
      settings,
      observations: [...accuracy, trial('low', 'running', [-9, -8]), trial('high', 'running', [-1, -2])],
    });
    expect(stopped).toEqual(['low']);
  });

  it("validates Katib's settings and is registered", () => {
    expect(
      medianstop.validate([
        { name: 'min_trials_required', value: '3' },
        { name: 'start_step', value: '1' },
      ]),
    ).toEqual([]);
    expect(
      medianstop
        .validate([
          { name: 'start_step', value: '0' },
          { name: 'x', value: '1' },
        ])
        .map((i) => i.path),
    ).toEqual(['spec.earlyStopping.algorithmSettings[0].value', 'spec.earlyStopping.algorithmSettings[1].name']);
    expect(EARLY_STOPPING_RULES.medianstop).toBe(medianstop);
  });
});
