import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DueIndex } from './due-index.js';

const byTimeThenId = (a: readonly [string, number], b: readonly [string, number]) =>
  a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

describe('DueIndex', () => {
  it('pops the ids due at or before now, earliest first, and keeps the rest', () => {
    const due = new DueIndex();
    due.upsert('daily', 86_400);
    due.upsert('hourly', 3_600);
    due.upsert('minutely', 60);
    due.upsert('never', null);
    expect(due.size).toBe(3);
    expect(due.nextWake()).toBe(60);

    expect(due.popDue(59)).toEqual([]);
    expect(due.popDue(3_600)).toEqual(['minutely', 'hourly']);
    expect(due.size).toBe(1);
    expect(due.get('hourly')).toBeNull();
    expect(due.nextWake()).toBe(86_400);
    expect(due.popDue(1e12)).toEqual(['daily']);
    expect(due.nextWake()).toBeNull();
    expect(due.popDue(1e12)).toEqual([]);
  });

  it('orders ids due at the same instant by id, whatever order they came in', () => {
    const a = new DueIndex();
    const b = new DueIndex();
    const ids = ['g/c', 'g/a', 'h/b', 'g/b'];
    for (const id of ids) a.upsert(id, 100);
    for (const id of [...ids].reverse()) b.upsert(id, 100);
    expect(a.popDue(100)).toEqual(['g/a', 'g/b', 'g/c', 'h/b']);
    expect(b.popDue(100)).toEqual(['g/a', 'g/b', 'g/c', 'h/b']);
  });

  it('moves an id when its time changes, earlier or later, and forgets it on null or remove', () => {
    const due = new DueIndex();
    due.upsert('a', 10);
    due.upsert('b', 20);
    due.upsert('c', 30);
    due.upsert('c', 5);
    expect(due.nextWake()).toBe(5);
    due.upsert('c', 40);
    expect(due.nextWake()).toBe(10);
    expect(due.get('c')).toBe(40);
    due.upsert('a', null);
    due.remove('b');
    due.remove('not-there');
    expect(due.entries()).toEqual([['c', 40]]);
    expect(due.size).toBe(1);
  });

  it('refuses a time that is not a number', () => {
    expect(() => new DueIndex().upsert('x', Number.NaN)).toThrow(/not a number/);
  });

  it('a clone is independent of its original', () => {
    const due = new DueIndex();
    due.upsert('a', 1);
    due.upsert('b', 2);
    const copy = due.clone();
    copy.upsert('a', 5);
    copy.remove('b');
    expect(due.entries()).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(copy.entries()).toEqual([['a', 5]]);
  });

  it('property: after any upserts and removes, popDue gives exactly the ids at or before now, in (time, id) order', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('upsert' as const),
        id: fc.integer({ min: 0, max: 40 }),
        at: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
      }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('pop' as const), now: fc.integer({ min: -1, max: 100 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: -1, max: 101 }), (ops, finalNow) => {
        const due = new DueIndex();
        const model = new Map<string, number>();
        const popAndCheck = (now: number) => {
          const expected = [...model]
            .filter(([, t]) => t <= now)
            .sort(byTimeThenId)
            .map(([id]) => id);
          expect(due.popDue(now)).toEqual(expected);
          for (const id of expected) model.delete(id);
        };
        for (const o of ops) {
          if (o.kind === 'upsert') {
            due.upsert(`r${o.id}`, o.at);
            if (o.at === null) model.delete(`r${o.id}`);
            else model.set(`r${o.id}`, o.at);
          } else if (o.kind === 'remove') {
            due.remove(`r${o.id}`);
            model.delete(`r${o.id}`);
          } else popAndCheck(o.now);
          expect(due.size).toBe(model.size);
          expect(due.nextWake()).toBe(model.size === 0 ? null : Math.min(...model.values()));
        }
        expect(due.entries()).toEqual([...model].sort(byTimeThenId));
        popAndCheck(finalNow);
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it('10,000 ids: a tick pops exactly the due ones, in order, and they go back later', () => {
    const due = new DueIndex();
    const times = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 100_000);
    for (const [i, t] of times.entries()) due.upsert(`r${i}`, t);
    const expected = times
      .map((t, i) => [`r${i}`, t] as const)
      .filter(([, t]) => t <= 999)
      .sort(byTimeThenId);
    expect(expected.length).toBeGreaterThan(50);
    expect(due.popDue(999)).toEqual(expected.map(([id]) => id));
    for (const [id] of expected) due.upsert(id, 200_000);
    expect(due.size).toBe(10_000);
    expect(due.nextWake()).toBe(Math.min(...times.filter((t) => t > 999)));
  });
});

describe('dueBy', () => {
  it('names what popDue would take, in the same order, and leaves the index as it is', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 50 }))),
        fc.integer({ min: 0, max: 50 }),
        (entries, now) => {
          const index = new DueIndex();
          for (const [id, at] of entries) index.upsert(id, at);
          const before = index.entries();
          const peeked = index.dueBy(now);
          expect(index.entries()).toEqual(before);
          expect(peeked).toEqual(index.clone().popDue(now));
        },
      ),
    );
  });
});
