/**
 * The finished jobs' names answer as the Map they replaced: for any sequence of ends (names
 * repeated, names that collide in the table, names of any characters), the same answers, sizes and
 * entries in the same order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FinishedJobs } from './finished-jobs.js';
import { FINISHED_STATUSES, type FinishedStatus } from './model.js';

const status = fc.constantFrom(...FINISHED_STATUSES);
/** Short names from a small alphabet repeat often; any string covers the rest. */
const name = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', 'c', '/', '\u00e9'), maxLength: 3 }),
  fc.string({ maxLength: 12 }),
);

describe('the finished jobs', () => {
  it('answer has, get, size and iteration as a Map would, through growth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, status), { maxLength: 400, size: 'max' }),
        fc.array(name, { maxLength: 50 }),
        (ends, asked) => {
          const table = new FinishedJobs();
          const model = new Map<string, FinishedStatus>();
          for (const [n, s] of ends) {
            expect(table.has(n)).toBe(model.has(n));
            table.set(n, s);
            model.set(n, s);
          }
          expect(table.size).toBe(model.size);
          for (const n of [...asked, ...model.keys()]) {
            expect(table.has(n)).toBe(model.has(n));
            expect(table.get(n)).toBe(model.get(n));
          }
          expect([...table]).toEqual([...model]);
          expect([...table.keys()]).toEqual([...model.keys()]);
          expect([...table.values()]).toEqual([...model.values()]);
          const visited: [string, FinishedStatus][] = [];
          table.forEach((s, n) => {
            visited.push([n, s]);
          });
          expect(visited).toEqual([...model.entries()]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds a hundred thousand names, each found and none invented', () => {
    const table = new FinishedJobs();
    for (let i = 0; i < 100_000; i++) table.set(`job-${i}`, FINISHED_STATUSES[i % 3] as FinishedStatus);
    expect(table.size).toBe(100_000);
    let wrong = 0;
    for (let i = 0; i < 100_000; i++) if (table.get(`job-${i}`) !== FINISHED_STATUSES[i % 3]) wrong++;
    expect(wrong).toBe(0);
    for (let i = 100_000; i < 101_000; i++) expect(table.has(`job-${i}`)).toBe(false);
    expect(table.has('')).toBe(false);
  });
});
