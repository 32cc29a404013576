import { describe, expect, it } from 'vitest';
import type { Observation, Parameter } from '../space.js';
import { createRng } from './sample.js';
import { checkSettings, fromUnit, intSetting, rngFor, snapUnit, toUnit, uniform } from './unit-space.js';

const lr: Parameter = { name: 'lr', type: 'double', min: 1e-4, max: 1, step: null, distribution: 'logUniform' };
const units: Parameter = { name: 'units', type: 'int', min: 1, max: 4, step: null, distribution: 'uniform' };
const stepped: Parameter = { name: 'd', type: 'double', min: 0, max: 1, step: 0.25, distribution: 'normal' };
const opt: Parameter = { name: 'opt', type: 'categorical', list: ['a', 'b', 'c'], distribution: 'uniform' };

describe('model coordinates', () => {
  it('reads a log parameter on the log scale and writes it back', () => {
    expect(toUnit(lr, '0.01')).toBeCloseTo(0.5);
    expect(fromUnit(lr, 0.5)).toBe('0.01');
    expect(fromUnit(lr, 0)).toBe('0.0001');
    expect(fromUnit(lr, 1)).toBe('1');
  });

  it('gives every int the same share of [0, 1] and rounds', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[Number(fromUnit(units, (i + 0.5) / 400)) - 1]! += 1;
    expect(counts).toEqual([100, 100, 100, 100]);
    expect(snapUnit(units, 0.3)).toBeCloseTo(toUnit(units, '2'));
  });

  it('keeps steps and categories, and reads unknown values as NaN', () => {
    expect(fromUnit(stepped, 0.3)).toBe('0.25');
    expect(fromUnit(opt, 0.99)).toBe('c');
    expect(toUnit(opt, 'b')).toBeCloseTo(0.5);
    expect(toUnit(opt, 'z')).toBeNaN();
    expect(toUnit(units, 'x')).toBeNaN();
  });
});

describe('generators', () => {
  const obs = (objective: number | null): Observation => ({
    trial: 't0',
    assignment: {},
    labels: {},
    outcome: objective === null ? 'running' : 'succeeded',
    objective,
    series: [],
  });

  it('depend on the seed, the use and every observation', () => {
    const draw = (seed: number, salt: string, o: Observation[]) => uniform(rngFor(seed, salt, o));
    expect(draw(1, 'tpe', [obs(1)])).toBe(draw(1, 'tpe', [obs(1)]));
    expect(draw(1, 'tpe', [obs(1)])).not.toBe(draw(2, 'tpe', [obs(1)]));
    expect(draw(1, 'tpe', [obs(1)])).not.toBe(draw(1, 'cmaes', [obs(1)]));
    expect(draw(1, 'tpe', [obs(1)])).not.toBe(draw(1, 'tpe', [obs(null)]));
    expect(uniform(createRng(3))).toBe(uniform(createRng(3)));
  });
});

describe('settings', () => {
  it('reports repeated and missing settings besides unknown and bad ones', () => {
    const issues = checkSettings(
      [
        { name: 'n', value: '1' },
        { name: 'n', value: 'x' },
      ],
      { n: intSetting(0), m: intSetting(0) },
      ['m'],
    );
    expect(issues.map((i) => i.path).sort()).toEqual([
      'spec.algorithm.algorithmSettings',
      'spec.algorithm.algorithmSettings[1].name',
      'spec.algorithm.algorithmSettings[1].value',
    ]);
  });
});
