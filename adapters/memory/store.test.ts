/**
 * The in-memory store against the EventStore port's contract, plus what only this store promises.
 */
import { describe, expect, it } from 'vitest';
import { eventStoreContract } from '../test-support/event-store-contract.js';
import { InMemoryEventStore } from './store.js';

eventStoreContract('InMemoryEventStore', () => new InMemoryEventStore());

describe('InMemoryEventStore specifics', () => {
  const e = (id: string) => ({ id, type: 'T', data: { id } });

  it('numbers positions 0, 1, 2, ... across streams, so readAll can start anywhere by count', async () => {
    const store = new InMemoryEventStore();
    expect(await store.append('a', [e('1'), e('2')], 'no_stream')).toEqual({ ok: true, nextExpectedRevision: 1n, position: 1n });
    expect(await store.append('b', [e('3')], 'no_stream')).toEqual({ ok: true, nextExpectedRevision: 0n, position: 2n });
    expect((await store.readAll()).map((r) => r.position)).toEqual([0n, 1n, 2n]);
    expect((await store.readAll({ fromPosition: 1n })).map((r) => r.id)).toEqual(['2', '3']);
  });

  it('delivers live events synchronously within the append, so nothing slips between catch-up and live', async () => {
    const store = new InMemoryEventStore();
    await store.append('s', [e('1')], 'no_stream');
    const got: string[] = [];
    store.subscribe('s', {}, (r) => got.push(r.id));
    expect(got).toEqual(['1']);
    const pending = store.append('s', [e('2')], 0n);
    expect(got).toEqual(['1', '2']);
    await pending;
  });

  it('an empty append checks the expected revision and changes nothing', async () => {
    const store = new InMemoryEventStore();
    expect(await store.append('s', [], 'no_stream')).toMatchObject({ ok: true, nextExpectedRevision: -1n });
    expect(await store.read('s')).toEqual([]);
    await store.append('s', [e('1')], 'no_stream');
    expect(await store.append('s', [], 0n)).toMatchObject({ ok: true, nextExpectedRevision: 0n });
    expect(await store.append('s', [], 3n)).toEqual({ ok: false, conflict: { stream: 's', expected: 3n, actual: 0n } });
    expect(await store.read('s')).toHaveLength(1);
  });
});
