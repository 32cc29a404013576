/**
 * The forwarding event store: it keeps only revisions, fences appends by expected revision as
 * every store does, and hands each appended batch to its sink; it reads nothing back.
 */
import { describe, expect, it } from 'vitest';
import type { EventStore, NewEvent } from '../../core/ports.js';
import { createEngine } from '../../engine/engine.js';
import { clusterCommands, userOf } from '../../simulations/cluster.js';
import { leaseContract } from '../test-support/event-store-contract.js';
import { ForwardingEventStore } from './forwarding-store.js';

const ev = (id: string): NewEvent => ({ id, type: 'Test', data: { id } });

describe('ForwardingEventStore', () => {
  it('hands each appended batch to the sink with its first revision, per stream', async () => {
    const seen: [string, string[], bigint][] = [];
    const store = new ForwardingEventStore((stream, events, first) => seen.push([stream, events.map((e) => e.id), first]));
    expect(await store.append('a', [ev('1'), ev('2')], 'no_stream')).toEqual({
      ok: true,
      nextExpectedRevision: 1n,
      position: 1n,
    });
    expect(await store.append('b', [ev('3')], 'any')).toEqual({ ok: true, nextExpectedRevision: 0n, position: 2n });
    expect(await store.append('a', [ev('4')], 1n)).toEqual({ ok: true, nextExpectedRevision: 2n, position: 3n });
    expect(await store.append('a', [ev('5')], 'stream_exists')).toEqual({ ok: true, nextExpectedRevision: 3n, position: 4n });
    expect(seen).toEqual([
      ['a', ['1', '2'], 0n],
      ['b', ['3'], 0n],
      ['a', ['4'], 2n],
      ['a', ['5'], 3n],
    ]);
  });

  it("refuses an append whose expected revision is not the stream's, and forwards nothing", async () => {
    const seen: string[] = [];
    const store = new ForwardingEventStore((_s, events) => seen.push(...events.map((e) => e.id)));
    expect(await store.append('a', [ev('1')], 'stream_exists')).toEqual({
      ok: false,
      conflict: { stream: 'a', expected: 'stream_exists', actual: 'no_stream' },
    });
    expect(await store.append('a', [ev('1')], 0n)).toEqual({
      ok: false,
      conflict: { stream: 'a', expected: 0n, actual: 'no_stream' },
    });
    await store.append('a', [ev('1')], 'no_stream');
    expect(await store.append('a', [ev('2')], 'no_stream')).toEqual({
      ok: false,
      conflict: { stream: 'a', expected: 'no_stream', actual: 0n },
    });
    expect(await store.append('a', [ev('2')], 5n)).toEqual({ ok: false, conflict: { stream: 'a', expected: 5n, actual: 0n } });
    expect(seen).toEqual(['1']);
  });

  it('an empty append forwards nothing and moves nothing', async () => {
    let calls = 0;
    const store = new ForwardingEventStore(() => calls++);
    expect(await store.append('a', [], 'any')).toEqual({ ok: true, nextExpectedRevision: -1n, position: -1n });
    await store.append('a', [ev('1')], 'any');
    expect(await store.append('a', [], 0n)).toEqual({ ok: true, nextExpectedRevision: 0n, position: 0n });
    expect(calls).toBe(1);
  });

  it('reads nothing back', async () => {
    // Through the port, as the engine sees it.
    const store: EventStore = new ForwardingEventStore();
    await store.append('a', [ev('1')], 'any');
    expect(await store.read('a')).toEqual([]);
    expect(await store.readAll()).toEqual([]);
    expect(await store.readSnapshot('a', 1)).toBeUndefined();
  });

  it('keeps reactors’ checkpoints, though it keeps no events', async () => {
    const store: EventStore = new ForwardingEventStore();
    expect(await store.readCheckpoint('billing')).toBeUndefined();
    await store.writeCheckpoint('billing', 2n ** 60n);
    await store.writeCheckpoint('alerts', 1n);
    await store.writeCheckpoint('billing', 2n ** 60n + 1n);
    expect(await store.readCheckpoint('billing')).toBe(2n ** 60n + 1n);
    expect(await store.readCheckpoint('alerts')).toBe(1n);
    expect(await store.readAll()).toEqual([]);
  });

  it('carries an engine: every event reaches the sink, in order, with consecutive revisions', async () => {
    const log: { type: string; revision: bigint }[] = [];
    const store = new ForwardingEventStore((_s, events, first) => {
      for (const [i, e] of events.entries()) log.push({ type: e.type, revision: first + BigInt(i) });
    });
    const engine = await createEngine({ store, clock: { now: () => 0 } });
    await engine.executeBatch(
      clusterCommands([{ name: 'p', nodes: 1, gpusPerNode: 2, gpuType: 'GPU' }], { policy: 'fifo', placement: 'node' }),
      { at: 0 },
    );
    await engine.executeBatch([{ type: 'SubmitJob', jobId: 'j', kind: 'training', owner: userOf('p'), gpus: 2 }], { at: 1 });
    await engine.executeBatch([{ type: 'ReportJobStarted', jobId: 'j' }], { at: 2 });
    expect(log.map((e) => e.revision)).toEqual(log.map((_, i) => BigInt(i)));
    expect(BigInt(engine.revision)).toBe(log[log.length - 1]?.revision);
    expect(log.slice(-3).map((e) => e.type)).toEqual(['JobSubmitted', 'JobAllocated', 'JobStarted']);
    expect(engine.job('j')?.status).toBe('Training');
  });

  it('an engine whose synchronous append throws retries it with the same ids: every event once, in order', async () => {
    const forwarded: { id: string; revision: bigint }[] = [];
    let failures = 1;
    const store = new ForwardingEventStore((_stream, events, first) => {
      if (forwarded.length > 0 && failures > 0) {
        failures--;
        throw new Error('the disk is full, once');
      }
      for (const [i, e] of events.entries()) forwarded.push({ id: e.id, revision: first + BigInt(i) });
    });
    let minted = 0;
    const engine = await createEngine({ store, clock: { now: () => 0 }, ids: { next: () => `e${minted++}` } });
    await engine.executeBatchNow(
      clusterCommands([{ name: 'p', nodes: 1, gpusPerNode: 2, gpuType: 'GPU' }], { policy: 'fifo', placement: 'node' }),
      0,
    );
    // This batch's append throws: the answer comes as a promise, once the retry has landed.
    const now = engine.executeBatchNow([{ type: 'SubmitJob', jobId: 'j', kind: 'training', owner: userOf('p'), gpus: 2 }], 1);
    expect(now).toBeInstanceOf(Promise);
    const outcome = await now;
    expect(outcome.outcomes.map((o) => o.ok)).toEqual([true]);
    expect(failures).toBe(0);
    expect(forwarded.map((e) => e.revision)).toEqual(forwarded.map((_, i) => BigInt(i)));
    expect(new Set(forwarded.map((e) => e.id)).size).toBe(forwarded.length);
    expect(BigInt(engine.revision)).toBe(forwarded.at(-1)?.revision);
    expect(engine.job('j')?.status).toBe('Starting');
    // And the next batch is at once again.
    expect(engine.executeBatchNow([{ type: 'Tick' }], 2)).not.toBeInstanceOf(Promise);
  });

  it('without a sink takes only how many events there are: the answers are the same, the engine mints no id', async () => {
    const counted = new ForwardingEventStore();
    const full = new ForwardingEventStore(() => {});
    expect(full.appendCountNow).toBeUndefined(); // a sink needs the events themselves
    const count = counted.appendCountNow;
    if (!count) throw new Error('a store without a sink takes counts');
    // The engine's expected revision as a number (-1: no stream yet); whether it appended, as append's `ok`.
    const steps: [string, number, number][] = [
      ['a', 2, -1],
      ['a', 1, 1],
      ['a', 1, -1], // a conflict: the stream is there
      ['b', 0, -1],
      ['a', 1, 0], // a conflict: the stream is at 2
      ['a', 3, 2],
      ['b', 1, -1],
    ];
    for (const [stream, n, expected] of steps) {
      const events = Array.from({ length: n }, (_, i) => ev(`${stream}${i}`));
      const appended = await full.append(stream, events, expected < 0 ? 'no_stream' : BigInt(expected));
      expect(count(stream, n, expected)).toBe(appended.ok);
    }
    // Both at revision 5 of 'a' now: the next append expects it.
    expect(count('a', 1, 5)).toBe(true);
    expect((await full.append('a', [ev('a6')], 5n)).ok).toBe(true);

    let minted = 0;
    const engine = await createEngine({
      store: new ForwardingEventStore(),
      clock: { now: () => 0 },
      ids: { next: () => `e${minted++}` },
    });
    await engine.executeBatchNow(
      clusterCommands([{ name: 'p', nodes: 1, gpusPerNode: 2, gpuType: 'GPU' }], { policy: 'fifo', placement: 'node' }),
      0,
    );
    await engine.executeBatchNow([{ type: 'SubmitJob', jobId: 'j', kind: 'training', owner: userOf('p'), gpus: 2 }], 1);
    expect(engine.job('j')?.status).toBe('Starting');
    expect(engine.revision).toBeGreaterThan(5);
    expect(minted).toBe(0);
  });
});

// Leases are kept, as checkpoints are: a simulated leader can take one.
leaseContract('ForwardingEventStore', () => new ForwardingEventStore());
