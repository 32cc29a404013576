import { describe, expect, it } from 'vitest';
import { parseNodeLabels } from './common';

describe('node labels as typed in the submit form', () => {
  it('reads key=value entries, trimmed, commas between; empty text is no labels', () => {
    expect(parseNodeLabels(' zone = a, disk=ssd ,')).toEqual({ labels: { zone: 'a', disk: 'ssd' } });
    expect(parseNodeLabels('  ')).toEqual({ labels: {} });
    expect(parseNodeLabels('empty=')).toEqual({ labels: { empty: '' } });
    expect(parseNodeLabels('a=b=c')).toEqual({ labels: { a: 'b=c' } });
  });

  it('names the first entry that is not a label', () => {
    expect(parseNodeLabels('zone=a, ssd, =x')).toEqual({ bad: 'ssd' });
    expect(parseNodeLabels('=x')).toEqual({ bad: '=x' });
  });

  it('keeps a label named __proto__ as a label', () => {
    const r = parseNodeLabels('__proto__=x');
    expect('labels' in r && Object.keys(r.labels)).toEqual(['__proto__']);
    expect(JSON.stringify('labels' in r && r.labels)).toBe('{"__proto__":"x"}');
  });
});
