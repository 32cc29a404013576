/** The controllers' line of work: each id once however often it is named, in order; later looks; idle. */
import { describe, expect, it } from 'vitest';
import { LookQueue } from './look-queue.js';

describe('LookQueue', () => {
  it('looks at each id once per turn, in the order they came, one at a time', async () => {
    const seen: string[] = [];
    let running = 0;
    const q = new LookQueue(
      async (id) => {
        running++;
        expect(running).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(id);
        running--;
      },
      (e) => {
        throw e;
      },
    );
    for (const id of ['a', 'b', 'a', 'c', 'b']) q.poke(id);
    await q.idle();
    expect(seen).toEqual(['a', 'b', 'c']);
    q.poke('a');
    await q.idle();
    expect(seen).toEqual(['a', 'b', 'c', 'a']);
  });

  it('a later look fires once per purpose; a canceled one never; a stopped queue looks at nothing', async () => {
    const seen: string[] = [];
    const q = new LookQueue(
      async (id) => void seen.push(id),
      () => {},
    );
    q.later('deadline', 'x', 5);
    q.later('deadline', 'x', 5);
    q.later('early', 'x', 5);
    q.later('deadline', 'y', 5);
    q.cancel('deadline', 'y');
    await new Promise((resolve) => setTimeout(resolve, 30));
    await q.idle();
    // One timer per purpose: x is looked at once or twice (twice when its two timers fire on separate turns), y never.
    expect(seen.every((id) => id === 'x') && seen.length >= 1 && seen.length <= 2).toBe(true);
    const before = seen.length;
    q.stop();
    q.poke('z');
    await q.idle();
    expect(seen).toHaveLength(before);
  });

  it('what a look throws is reported, and the line goes on', async () => {
    const errors: unknown[] = [];
    const seen: string[] = [];
    const q = new LookQueue(
      async (id) => {
        if (id === 'bad') throw new Error('no');
        seen.push(id);
      },
      (e) => errors.push(e),
    );
    q.poke('bad');
    q.poke('good');
    q.run(async () => {
      seen.push('work');
    });
    await q.idle();
    expect(seen).toEqual(['good', 'work']);
    expect(errors).toHaveLength(1);
  });
});
