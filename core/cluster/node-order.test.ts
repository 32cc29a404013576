import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeOrder, NodeSet } from './node-order.js';

describe('NodeSet over a NodeOrder', () => {
  it('behaves as a set of ids kept in code-unit order, whatever order ids are ranked and changed in', () => {
    const id = fc.stringMatching(/^[a-z0-9/-]{1,6}$/);
    const op = fc.oneof(fc.record({ add: id }), fc.record({ del: id }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const order = new NodeOrder();
        const sets = [new NodeSet(order)];
        const model = new Set<string>();
        for (const o of ops) {
          if ('add' in o) {
            // A set owner rebuilds its sets when ranks move, as capacity.ts does.
            if (order.ensure(o.add)) {
              const members = [...model];
              sets[0] = new NodeSet(order);
              for (const m of members) sets[0].add(m);
            }
            sets[0]?.add(o.add);
            model.add(o.add);
          } else {
            sets[0]?.delete(o.del);
            model.delete(o.del);
          }
          const want = [...model].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          expect(sets[0]?.items).toEqual(want);
          expect(sets[0]?.size).toBe(want.length);
          expect(sets[0]?.first()).toBe(want[0]);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('stops visiting as soon as the visitor says so', () => {
    const order = new NodeOrder();
    const set = new NodeSet(order);
    for (const n of ['n3', 'n1', 'n2', 'n40']) {
      order.ensure(n);
    }
    for (const n of ['n40', 'n1', 'n3']) set.add(n);
    const seen: string[] = [];
    set.some((n) => {
      seen.push(n);
      return seen.length === 2;
    });
    expect(seen).toEqual(['n1', 'n3']);
  });
});
