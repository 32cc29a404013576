/**
 * The dashboard words a node affinity as the server does (web/src cannot import the core: its
 * bundle would carry io-ts), and reads back what it shows, and what people write in Kubernetes'
 * label selector words.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { affinityText, type NodeAffinity } from '../../core/cluster/node-affinity.js';
import { AFFINITIES } from '../../core/cluster/test-support/arbitraries.js';
import { formatAffinity, parseAffinity } from '../src/ui/format.js';

describe('a job’s node affinity on its page', () => {
  it('reads as the server words it in reasons and refusals', () => {
    const gt: NodeAffinity = [
      {
        matchExpressions: [
          { key: 'gpu-mem', operator: 'Gt', values: ['40'] },
          { key: 'spot', operator: 'DoesNotExist' },
        ],
      },
    ];
    for (const terms of [...AFFINITIES, gt] as NodeAffinity[]) expect(formatAffinity(terms)).toBe(affinityText(terms));
    expect(formatAffinity(gt)).toBe('gpu-mem > 40, spot DoesNotExist');
    expect(formatAffinity(AFFINITIES[3] as NodeAffinity)).toBe('(zone In (b)) or (zone DoesNotExist)');
  });
});

describe('a node affinity typed in the dashboard', () => {
  const term = (...matchExpressions: { key: string; operator: string; values?: string[] }[]) => ({ matchExpressions });

  it('reads Kubernetes’ label selector words as requirements of one term', () => {
    expect(parseAffinity('zone in (a, b), disk notin (hdd), gpu, !spot, tier=gold, pool!=old, mem > 40, age < 7')).toEqual({
      terms: [
        term(
          { key: 'zone', operator: 'In', values: ['a', 'b'] },
          { key: 'disk', operator: 'NotIn', values: ['hdd'] },
          { key: 'gpu', operator: 'Exists' },
          { key: 'spot', operator: 'DoesNotExist' },
          { key: 'tier', operator: 'In', values: ['gold'] },
          { key: 'pool', operator: 'NotIn', values: ['old'] },
          { key: 'mem', operator: 'Gt', values: ['40'] },
          { key: 'age', operator: 'Lt', values: ['7'] },
        ),
      ],
    });
    expect(parseAffinity('  ')).toEqual({ terms: [] });
    expect(parseAffinity('example.com/zone==a')).toEqual({
      terms: [term({ key: 'example.com/zone', operator: 'In', values: ['a'] })],
    });
  });

  it('names the first entry that is not a requirement', () => {
    expect(parseAffinity('zone in (a, b), disk ssd')).toEqual({ bad: 'disk ssd' });
    expect(parseAffinity('zone in a')).toEqual({ bad: 'zone in a' });
    expect(parseAffinity('(zone in (a)')).toEqual({ bad: '(zone in (a)' });
    expect(parseAffinity('= a')).toEqual({ bad: '= a' });
  });

  it('reads back whatever the page shows (terms joined by or)', () => {
    // Keys and values as Kubernetes allows them on nodes.
    const name = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,10}[a-z0-9])?$/);
    const key = fc.tuple(fc.option(name, { nil: undefined }), name).map(([prefix, n]) => (prefix ? `${prefix}/${n}` : n));
    const requirement = fc.oneof(
      fc.record({ key, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(name, { minLength: 1, maxLength: 3 }) }),
      fc.record({ key, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
      fc.record({
        key,
        operator: fc.constantFrom('Gt', 'Lt'),
        values: fc.integer({ min: -1000, max: 1000 }).map((n) => [String(n)]),
      }),
    );
    const affinity = fc.array(fc.record({ matchExpressions: fc.array(requirement, { minLength: 1, maxLength: 4 }) }), {
      minLength: 1,
      maxLength: 3,
    });
    fc.assert(
      fc.property(affinity, (terms) => {
        expect(parseAffinity(formatAffinity(terms))).toEqual({ terms });
        expect(formatAffinity(terms)).toBe(affinityText(terms as NodeAffinity));
      }),
    );
  });
});
