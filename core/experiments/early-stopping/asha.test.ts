import { describe, expect, it } from 'vitest';
import type { Observation, TrialOutcome } from '../space.js';
import { asha, rungAt } from './asha.js';
import { EARLY_STOPPING_RULES } from './index.js';

function trial(name: string, outcome: TrialOutcome, values: number[]): Observation {
  return {
    trial: name,
    assignment: {},
    labels: {},
    outcome,
    objective: null,
    series: values.map((value, i) => ({ step: i + 1, value })),
  };
}

const settings = [
  { name: 'min_resource', value: '1' },
  { name: 'reduction_factor', value: '3' },
  { name: 'max_resource', value: '27' },
];
const stop = (observations: Observation[]) => asha.stop({ objective: 'minimize', settings, observations });

describe('asha early stopping', () => {
  it('places rungs at min_resource * eta^k below max_resource', () => {
    const config = { minResource: 1, eta: 3, maxResource: 27 };
    expect([0, 1, 2, 3, 8, 9, 26, 27, 100].map((s) => rungAt(config, s))).toEqual([null, 1, 1, 3, 3, 9, 9, 9, 9]);
  });

  it('keeps the best floor(n / eta) of the trials at a rung, at least the best one', () => {
    // Nine trials reached rung 1 (step 1): values 1..9. Keep floor(9 / 3) = 3.
    const at1 = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((v) => trial(`t${v}`, 'running', [v]));
    expect(stop(at1)).toEqual(['t4', 't5', 't6', 't7', 't8', 't9']);
    // Alone at a rung a trial is the best there and goes on; the second, if worse, stops.
    expect(stop([trial('first', 'running', [5])])).toEqual([]);
    expect(stop([trial('first', 'succeeded', [5]), trial('second', 'running', [6])])).toEqual(['second']);
    expect(stop([trial('first', 'succeeded', [5]), trial('second', 'running', [4])])).toEqual([]);
  });

  it('judges a trial at the highest rung it reached, by its value there', () => {
    const others = [
      trial('a', 'succeeded', [1, 1, 1, 0.5]),
      trial('b', 'succeeded', [2, 2, 2, 2]),
      trial('c', 'succeeded', [3, 3, 3, 3]),
    ];
    // Between rung 1 and rung 3: judged at rung 1 with value 1.5 against 1, 2, 3 (keep 1: stopped).
    expect(stop([...others, trial('x', 'running', [1.5, 0.1])])).toEqual(['x']);
    // At rung 3 it is judged by its value at step 3 (0.1), the best there.
    expect(stop([...others, trial('x', 'running', [1.5, 0.1, 0.1])])).toEqual([]);
  });

  it('never stops a trial at or beyond max_resource, and follows a maximized objective', () => {
    const series = Array.from({ length: 30 }, () => 1);
    expect(rungAt({ minResource: 1, eta: 3, maxResource: 27 }, 30)).toBe(9);
    const best = trial(
      'best',
      'succeeded',
      series.map(() => 0),
    );
    expect(stop([best, trial('late', 'running', series)])).toEqual(['late']);
    const max = asha.stop({
      objective: 'maximize',
      settings,
      observations: [trial('a', 'succeeded', [0.9]), trial('b', 'running', [0.5]), trial('c', 'running', [0.95])],
    });
    expect(max).toEqual(['b']);
  });

  it('validates its settings and is registered', () => {
    expect(asha.validate(settings)).toEqual([]);
    expect(
      asha
        .validate([
          { name: 'reduction_factor', value: '1' },
          { name: 'min_resource', value: '5' },
          { name: 'max_resource', value: '5' },
          { name: 'grace', value: '1' },
        ])
        .map((i) => i.path),
    ).toEqual([
      'spec.earlyStopping.algorithmSettings[0].value',
      'spec.earlyStopping.algorithmSettings[3].name',
      'spec.earlyStopping.algorithmSettings[2].value',
    ]);
    expect(EARLY_STOPPING_RULES.asha).toBe(asha);
  });
});
