/** The dashboard words a node affinity as the server does (web/src cannot import the core: its bundle would carry io-ts). */
import { describe, expect, it } from 'vitest';
import { affinityText, type NodeAffinity } from '../../core/cluster/node-affinity.js';
import { AFFINITIES } from '../../core/cluster/test-support/arbitraries.js';
import { formatAffinity } from '../src/ui/format.js';

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
