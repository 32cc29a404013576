/**
 * Every algorithm an Experiment may name (spec.ts's ALGORITHMS) has an implementation here under
 * that name, and answers a first suggestion for the random sample's space.
 */
import { describe, expect, it } from 'vitest';
import { ALGORITHMS as NAMES } from '../spec.js';
import { ALGORITHMS } from './index.js';

describe('the algorithm registry', () => {
  it.each(NAMES.map((n) => [n]))('%s is registered and suggests', (name) => {
    const algorithm = ALGORITHMS[name];
    expect(algorithm?.name).toBe(name);
    const space = [
      { name: 'lr', type: 'double', min: 0.01, max: 0.05, step: 0.01, distribution: 'uniform' },
      { name: 'momentum', type: 'double', min: 0.5, max: 0.9, step: 0.1, distribution: 'uniform' },
    ] as const;
    const settings =
      name === 'hyperband'
        ? [
            { name: 'resource_name', value: 'momentum' },
            { name: 'eta', value: '3' },
            { name: 'r_l', value: '9' },
          ]
        : name === 'pbt'
          ? [
              { name: 'suggestion_trial_dir', value: '/var/log/katib/checkpoints/' },
              { name: 'n_population', value: '5' },
              { name: 'truncation_threshold', value: '0.4' },
            ]
          : [];
    const request = { space, objective: 'minimize' as const, settings, maxTrials: 12, parallelTrials: 9 };
    expect(algorithm?.validate(request)).toEqual([]);
    const r = algorithm?.suggest({ ...request, observations: [], count: 1, seed: 1 });
    expect(r?.suggestions.length).toBeGreaterThan(0);
  });
});
