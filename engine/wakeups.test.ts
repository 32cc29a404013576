/**
 * The alarm clock beside a runtime that keeps none: a Tick at the instant a maximum wait runs
 * out, named after the deadline, set again as the engine learns of changes, and no Tick after stop.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import {
  allocate,
  assignPool,
  createGroup,
  createPool,
  install,
  onboard,
  registerNode,
  submit,
} from '../core/cluster/test-support/given.js';
import { createEngine } from './engine.js';
import { startWakeups } from './wakeups.js';

const T0 = 1_000_000;
const clock = { now: () => Date.now() / 1000 };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'queueMicrotask'] });
  vi.setSystemTime(T0 * 1000);
});
afterEach(() => vi.useRealTimers());

async function starvingHead() {
  const store = new InMemoryEventStore();
  const engine = await createEngine({ store, clock });
  const setup = [
    install(),
    registerNode('n1', 4),
    createPool('p', 'A100', { policy: 'first-fit', maxWaitSeconds: 60 }),
    allocate('p', 4),
    createGroup('g'),
    assignPool('g', 'p'),
    onboard('u', { groupId: 'g' }),
  ];
  for (const c of setup) expect((await engine.execute(c)).ok).toBe(true);
  return { store, engine };
}

const ticks = async (store: InMemoryEventStore) =>
  (await store.read('cluster')).map((r) => (r.data as { commandId?: string }).commandId).filter((id) => id?.endsWith(':tick'));

describe('wake-ups', () => {
  it('ticks when the oldest waiting job passes its maximum wait, once, under an id naming the deadline', async () => {
    const { store, engine } = await starvingHead();
    const wakeups = startWakeups(engine, { clock });
    await engine.execute(submit('r', 2));
    await engine.execute(submit('head', 4)); // waits from T0: its deadline is T0 + 60
    await vi.advanceTimersByTimeAsync(59_000);
    expect(await ticks(store)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await ticks(store)).toEqual([`wakeups:@${T0 + 60}:tick`]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(await ticks(store)).toHaveLength(1);
    wakeups.stop();
  });

  it('is set again when the engine learns of a change, and never fires after stop', async () => {
    const { store, engine } = await starvingHead();
    const wakeups = startWakeups(engine, { clock, name: 'k8s' });
    await engine.execute(submit('r', 2));
    await vi.advanceTimersByTimeAsync(30_000);
    await engine.execute(submit('head', 4)); // waits from T0 + 30
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await ticks(store)).toEqual([`k8s:@${T0 + 90}:tick`]);
    await engine.execute(submit('later', 4)); // another deadline, T0 + 150
    wakeups.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(await ticks(store)).toHaveLength(1);
  });
});
