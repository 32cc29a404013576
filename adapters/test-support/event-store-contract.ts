/**
 * The EventStore port's contract (design 3, "Event store port"): one suite that every store runs.
 *
 *   eventStoreContract('InMemoryEventStore', () => new InMemoryEventStore());
 *
 * `makeStore` is called once per test and must return an empty store that no one else writes to:
 * the suite asserts exact revisions, positions relative to one another, and exact readAll results.
 * Revisions follow EventStoreDB: a stream's first event has revision 0, and an expected revision
 * names the revision of the stream's last event. Positions are only assumed to increase in the
 * order events were appended (EventStoreDB's are byte offsets, not counts).
 *
 * Subscriptions may deliver asynchronously: the suite waits for what it expects and, to check that
 * nothing more arrives, lets a few macrotasks pass.
 *
 * A durable store also passes `reopen`: given a store it made (and that the suite has closed), a
 * new store on the same data (the same file, the same namespace), so the suite can check that
 * what was acknowledged is still there. A store that other store objects can share its data with
 * (two processes on one file, on one namespace) also passes `sibling`: another store on the same
 * data, open beside the first, so the suite can race the two for a lease.
 *
 * `leaseContract` runs the lease part alone, for stores that read nothing back (the forwarding
 * store).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppendResult, EventStore, Lease, LeaseResult, NewEvent, RecordedEvent } from '../../core/ports.js';

let counter = 0;
/** A fresh event; ids are unique within the run (UUID-shaped, as EventStoreDB requires). */
function ev(type: string, data: unknown = { n: counter }, metadata?: unknown): NewEvent {
  counter += 1;
  const id = `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
  return metadata === undefined ? { id, type, data } : { id, type, data, metadata };
}
const evs = (n: number, type = 'Happened'): NewEvent[] => Array.from({ length: n }, (_, i) => ev(type, { i }));

function okResult(r: AppendResult): { nextExpectedRevision: bigint; position: bigint } {
  if (!r.ok) throw new Error(`expected the append to succeed, got a conflict: ${JSON.stringify(r.conflict, big)}`);
  return r;
}
const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

const revisions = (rs: readonly RecordedEvent[]) => rs.map((r) => r.revision);
const ids = (rs: readonly RecordedEvent[]) => rs.map((r) => r.id);

/**
 * Wait until `check` passes (subscriptions may deliver on a later tick), trying it every
 * `intervalMs`; a check may be async (one that asks a server over HTTP).
 */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000, intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
/** Let pending deliveries (if any) happen. */
const settle = () => new Promise((r) => setTimeout(r, 30));

export interface ContractOptions {
  readonly reopen?: (closed: EventStore) => EventStore | Promise<EventStore>;
  /** Another store object on the same data as `open` (which stays open), closed by the suite. */
  readonly sibling?: (open: EventStore) => EventStore | Promise<EventStore>;
}

/** The lease a result granted, or a failure saying who holds it instead. */
function granted(r: LeaseResult): Lease {
  if (!r.ok) throw new Error(`expected the lease to be granted, it is held by ${JSON.stringify(r.heldBy)}`);
  return r.lease;
}

/** Seconds since the epoch, late 2023: the suite's clock, moved by hand. */
const T = 1_700_000_000;

/**
 * The lease tests, registered in the calling describe block; `current` gives the store of the test
 * running (the caller opens and closes it).
 */
function leaseTests(current: () => EventStore, options: ContractOptions): void {
  const { reopen, sibling } = options;

  it('a free lease is taken until now + ttl, and readLease says so; an unknown lease reads undefined', async () => {
    const store = current();
    expect(await store.readLease('leader')).toBeUndefined();
    const r = await store.acquireLease('leader', 'a', 30, T);
    expect(r).toEqual({ ok: true, lease: { name: 'leader', holder: 'a', expiresAt: T + 30 } });
    expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'a', expiresAt: T + 30 });
    expect(await store.readLease('follower')).toBeUndefined();
  });

  it('keeps fractional seconds exactly', async () => {
    const store = current();
    expect(granted(await store.acquireLease('leader', 'a', 0.5, T + 0.25)).expiresAt).toBe(T + 0.75);
    expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'a', expiresAt: T + 0.75 });
  });

  it('its holder renews it: the expiry moves, even once it had lapsed (no one took it meanwhile)', async () => {
    const store = current();
    granted(await store.acquireLease('leader', 'a', 30, T));
    expect(await store.acquireLease('leader', 'a', 30, T + 20)).toEqual({
      ok: true,
      lease: { name: 'leader', holder: 'a', expiresAt: T + 50 },
    });
    expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'a', expiresAt: T + 50 });
    expect(granted(await store.acquireLease('leader', 'a', 10, T + 100)).expiresAt).toBe(T + 110);
    expect((await store.readLease('leader'))?.expiresAt).toBe(T + 110);
  });

  it('is refused to another holder while live, naming who holds it and until when', async () => {
    const store = current();
    granted(await store.acquireLease('leader', 'a', 30, T));
    const held = { name: 'leader', holder: 'a', expiresAt: T + 30 };
    expect(await store.acquireLease('leader', 'b', 30, T)).toEqual({ ok: false, heldBy: held });
    expect(await store.acquireLease('leader', 'b', 60, T + 29.999)).toEqual({ ok: false, heldBy: held });
    // A refusal changes nothing: the holder still renews.
    expect(await store.readLease('leader')).toEqual(held);
    expect(granted(await store.acquireLease('leader', 'a', 30, T + 10)).expiresAt).toBe(T + 40);
  });

  it('is taken over once expired (now at or past expiresAt), and then refused to the old holder', async () => {
    const store = current();
    granted(await store.acquireLease('leader', 'a', 30, T));
    expect(await store.acquireLease('leader', 'b', 30, T + 30)).toEqual({
      ok: true,
      lease: { name: 'leader', holder: 'b', expiresAt: T + 60 },
    });
    expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'b', expiresAt: T + 60 });
    // The old holder, back from a stall, asks to renew: the lease is no longer its to renew.
    expect(await store.acquireLease('leader', 'a', 30, T + 31)).toEqual({
      ok: false,
      heldBy: { name: 'leader', holder: 'b', expiresAt: T + 60 },
    });
  });

  it('an expired lease still reads as held (the caller compares expiresAt with its clock)', async () => {
    const store = current();
    granted(await store.acquireLease('leader', 'a', 1, T));
    expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'a', expiresAt: T + 1 });
  });

  it('released by its holder, it is free: readLease finds none and another holder takes it at once', async () => {
    const store = current();
    granted(await store.acquireLease('leader', 'a', 30, T));
    await store.releaseLease('leader', 'a');
    expect(await store.readLease('leader')).toBeUndefined();
    expect(await store.acquireLease('leader', 'b', 30, T + 1)).toEqual({
      ok: true,
      lease: { name: 'leader', holder: 'b', expiresAt: T + 31 },
    });
    // Released again and taken back by the first holder: a lease may change hands any number of times.
    await store.releaseLease('leader', 'b');
    expect(granted(await store.acquireLease('leader', 'a', 30, T + 2)).holder).toBe('a');
  });

  it('a release by anyone but the holder is a no-op, as is releasing a free lease or releasing twice', async () => {
    const store = current();
    await store.releaseLease('leader', 'a');
    expect(await store.readLease('leader')).toBeUndefined();
    granted(await store.acquireLease('leader', 'a', 30, T));
    await store.releaseLease('leader', 'b');
    expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'a', expiresAt: T + 30 });
    expect((await store.acquireLease('leader', 'b', 30, T + 1)).ok).toBe(false);
    await store.releaseLease('Leader', 'a');
    expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'a', expiresAt: T + 30 });
    await store.releaseLease('leader', 'a');
    await store.releaseLease('leader', 'a');
    expect(await store.readLease('leader')).toBeUndefined();
  });

  it('keeps each name apart, and takes names and holders with spaces, slashes, dots, dashes and unicode', async () => {
    const store = current();
    const names = ['leader', 'Leader', 'eu/west leader', '../up', 'a.b-c', 'größe ⚡ 队列', 'lease-x', 'checkpoint-x'];
    for (const [i, n] of names.entries()) granted(await store.acquireLease(n, `holder ${i} / ⚡`, 10 + i, T));
    for (const [i, n] of names.entries())
      expect(await store.readLease(n)).toEqual({ name: n, holder: `holder ${i} / ⚡`, expiresAt: T + 10 + i });
    expect(await store.readLease('lease')).toBeUndefined();
    await store.releaseLease('leader', 'holder 0 / ⚡');
    expect(await store.readLease('leader')).toBeUndefined();
    expect((await store.readLease('Leader'))?.holder).toBe('holder 1 / ⚡');
    // Held under one name, free under another to the same or another holder.
    expect(granted(await store.acquireLease('leader', 'holder 1 / ⚡', 30, T)).holder).toBe('holder 1 / ⚡');
  });

  it('refuses a lease without a name or holder, a ttl that is not a positive number, a time that is not finite', async () => {
    const store = current();
    await expect(store.acquireLease('', 'a', 30, T)).rejects.toThrow(RangeError);
    await expect(store.acquireLease('leader', '', 30, T)).rejects.toThrow(RangeError);
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      await expect(store.acquireLease('leader', 'a', ttl, T)).rejects.toThrow(RangeError);
    await expect(store.acquireLease('leader', 'a', 30, Number.NaN)).rejects.toThrow(RangeError);
    expect(await store.readLease('leader')).toBeUndefined();
  });

  it('of holders asking at once for a free lease, exactly one wins, and the others are told it is the winner', async () => {
    const store = current();
    const holders = ['a', 'b', 'c', 'd'];
    const results = await Promise.all(holders.map((h) => store.acquireLease('leader', h, 30, T)));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const lease = granted(winners[0] as LeaseResult);
    for (const r of results) if (!r.ok) expect(r.heldBy).toEqual(lease);
    expect(await store.readLease('leader')).toEqual(lease);
  });

  it('of holders asking at once for an expired lease, exactly one takes it over', async () => {
    const store = current();
    granted(await store.acquireLease('leader', 'old', 30, T));
    const results = await Promise.all(['a', 'b', 'c'].map((h) => store.acquireLease('leader', h, 30, T + 40)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const lease = await store.readLease('leader');
    expect(lease?.holder).not.toBe('old');
    for (const r of results) expect(r.ok ? r.lease : r.heldBy).toEqual(lease);
  });

  it.skipIf(!sibling)(
    'two store objects on the same data: one sees the other’s lease, and of two racing holders one wins',
    async () => {
      const store = current();
      const other = await (sibling as NonNullable<typeof sibling>)(store);
      try {
        granted(await store.acquireLease('leader', 'a', 30, T));
        expect(await other.readLease('leader')).toEqual({ name: 'leader', holder: 'a', expiresAt: T + 30 });
        expect(await other.acquireLease('leader', 'b', 30, T + 1)).toEqual({
          ok: false,
          heldBy: { name: 'leader', holder: 'a', expiresAt: T + 30 },
        });
        await store.releaseLease('leader', 'a');
        expect(await other.readLease('leader')).toBeUndefined();
        for (let round = 0; round < 5; round++) {
          const name = `race-${round}`;
          const [ra, rb] = await Promise.all([store.acquireLease(name, 'a', 30, T), other.acquireLease(name, 'b', 30, T)]);
          expect([ra, rb].filter((r) => r.ok)).toHaveLength(1);
          const winner = await store.readLease(name);
          expect(await other.readLease(name)).toEqual(winner);
          expect(ra.ok ? ra.lease : ra.heldBy).toEqual(winner);
          expect(rb.ok ? rb.lease : rb.heldBy).toEqual(winner);
        }
        // An expired lease, taken over from both sides at once: still one winner.
        const [ra, rb] = await Promise.all([
          store.acquireLease('race-0', 'c', 30, T + 31),
          other.acquireLease('race-0', 'd', 30, T + 31),
        ]);
        expect([ra, rb].filter((r) => r.ok)).toHaveLength(1);
        expect(['c', 'd']).toContain((await other.readLease('race-0'))?.holder);
      } finally {
        await other.close();
      }
    },
  );

  it.skipIf(!reopen)('a lease survives closing and reopening the store', async () => {
    let store = current();
    granted(await store.acquireLease('leader', 'a', 30, T));
    granted(await store.acquireLease('leader', 'a', 30, T + 5));
    granted(await store.acquireLease('released', 'a', 30, T));
    await store.releaseLease('released', 'a');
    await store.close();
    store = await (reopen as NonNullable<typeof reopen>)(store);
    try {
      expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'a', expiresAt: T + 35 });
      expect(await store.readLease('released')).toBeUndefined();
      expect((await store.acquireLease('leader', 'b', 30, T + 6)).ok).toBe(false);
    } finally {
      await store.close();
    }
  });
}

/** The lease part of the contract alone (see the file's comment). */
export function leaseContract(
  name: string,
  makeStore: () => EventStore | Promise<EventStore>,
  options: ContractOptions = {},
): void {
  describe(`EventStore lease contract: ${name}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await makeStore();
    });
    // A store is closed twice at most (the reopen test closes its own): closing is idempotent.
    afterEach(async () => {
      await store.close();
    });
    leaseTests(() => store, options);
  });
}

export function eventStoreContract(
  name: string,
  makeStore: () => EventStore | Promise<EventStore>,
  options: ContractOptions = {},
): void {
  const { reopen } = options;
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let closed = false;
    beforeEach(async () => {
      store = await makeStore();
      closed = false;
    });
    afterEach(async () => {
      if (!closed) await store.close();
    });

    describe('append and expected revisions', () => {
      it("'no_stream' creates a stream: revisions count from 0 and the result names the last one", async () => {
        const events = evs(3);
        const r = okResult(await store.append('s', events, 'no_stream'));
        expect(r.nextExpectedRevision).toBe(2n);
        const read = await store.read('s');
        expect(revisions(read)).toEqual([0n, 1n, 2n]);
        expect(ids(read)).toEqual(events.map((e) => e.id));
        expect(r.position).toBe(read[2]?.position);
      });

      it('hands back what was appended: stream, id, type, data and metadata (null when none was given)', async () => {
        const withMeta = ev('Created', { name: 'a', tags: ['x', 'y'], nested: { n: 1.5, ok: true, none: null } }, { by: 'me' });
        const without = ev('Renamed', { name: 'b' });
        okResult(await store.append('s', [withMeta, without], 'no_stream'));
        const [a, b] = await store.read('s');
        expect(a).toMatchObject({ stream: 's', revision: 0n, id: withMeta.id, type: 'Created', metadata: { by: 'me' } });
        expect(a?.data).toEqual({ name: 'a', tags: ['x', 'y'], nested: { n: 1.5, ok: true, none: null } });
        expect(b).toMatchObject({ stream: 's', revision: 1n, id: without.id, type: 'Renamed', data: { name: 'b' } });
        expect(b?.metadata).toBeNull();
        expect(typeof a?.position).toBe('bigint');
      });

      it("'no_stream' on a stream that exists conflicts, naming the actual revision, and writes nothing", async () => {
        okResult(await store.append('s', evs(2), 'no_stream'));
        const r = await store.append('s', evs(1), 'no_stream');
        expect(r).toEqual({ ok: false, conflict: { stream: 's', expected: 'no_stream', actual: 1n } });
        expect(await store.read('s')).toHaveLength(2);
      });

      it("'stream_exists' appends to an existing stream", async () => {
        okResult(await store.append('s', evs(2), 'no_stream'));
        const r = okResult(await store.append('s', evs(2), 'stream_exists'));
        expect(r.nextExpectedRevision).toBe(3n);
        expect(revisions(await store.read('s'))).toEqual([0n, 1n, 2n, 3n]);
      });

      it("'stream_exists' on a missing stream conflicts with actual 'no_stream' and creates nothing", async () => {
        const r = await store.append('s', evs(1), 'stream_exists');
        expect(r).toEqual({ ok: false, conflict: { stream: 's', expected: 'stream_exists', actual: 'no_stream' } });
        expect(await store.read('s')).toEqual([]);
        expect(await store.readAll()).toEqual([]);
      });

      it('a bigint revision appends when it names the last event', async () => {
        okResult(await store.append('s', evs(1), 'no_stream'));
        const r1 = okResult(await store.append('s', evs(2), 0n));
        expect(r1.nextExpectedRevision).toBe(2n);
        const r2 = okResult(await store.append('s', evs(1), r1.nextExpectedRevision));
        expect(r2.nextExpectedRevision).toBe(3n);
        expect(revisions(await store.read('s'))).toEqual([0n, 1n, 2n, 3n]);
      });

      it('a stale or future bigint revision conflicts with the actual one and writes nothing', async () => {
        okResult(await store.append('s', evs(3), 'no_stream'));
        expect(await store.append('s', evs(1), 1n)).toEqual({ ok: false, conflict: { stream: 's', expected: 1n, actual: 2n } });
        expect(await store.append('s', evs(1), 5n)).toEqual({ ok: false, conflict: { stream: 's', expected: 5n, actual: 2n } });
        expect(await store.read('s')).toHaveLength(3);
      });

      it("a bigint revision on a missing stream conflicts with actual 'no_stream'", async () => {
        const r = await store.append('s', evs(1), 0n);
        expect(r).toEqual({ ok: false, conflict: { stream: 's', expected: 0n, actual: 'no_stream' } });
        expect(await store.read('s')).toEqual([]);
      });

      it("'any' appends whether or not the stream exists", async () => {
        expect(okResult(await store.append('s', evs(2), 'any')).nextExpectedRevision).toBe(1n);
        expect(okResult(await store.append('s', evs(1), 'any')).nextExpectedRevision).toBe(2n);
        expect(revisions(await store.read('s'))).toEqual([0n, 1n, 2n]);
      });

      it('streams are independent: each counts its own revisions, and a conflict names its stream', async () => {
        okResult(await store.append('a', evs(2), 'no_stream'));
        okResult(await store.append('b', evs(1), 'no_stream'));
        okResult(await store.append('a', evs(1), 1n));
        expect(revisions(await store.read('a'))).toEqual([0n, 1n, 2n]);
        expect(revisions(await store.read('b'))).toEqual([0n]);
        expect(await store.append('b', evs(1), 2n)).toEqual({ ok: false, conflict: { stream: 'b', expected: 2n, actual: 0n } });
      });

      it('positions increase in append order across streams, and each append reports its last event’s', async () => {
        const r1 = okResult(await store.append('a', evs(2), 'no_stream'));
        const r2 = okResult(await store.append('b', evs(1), 'no_stream'));
        const r3 = okResult(await store.append('a', evs(1), 1n));
        expect(r1.position < r2.position && r2.position < r3.position).toBe(true);
        const a = await store.read('a');
        const b = await store.read('b');
        expect(r1.position).toBe(a[1]?.position);
        expect(r2.position).toBe(b[0]?.position);
        expect(r3.position).toBe(a[2]?.position);
        const p = [a[0], a[1], b[0], a[2]].map((r) => r?.position as bigint);
        expect([...p].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))).toEqual(p);
        expect(new Set(p).size).toBe(4);
      });
    });

    describe('idempotent retries', () => {
      it('the same event ids under the same expected revision succeed once more without duplicating', async () => {
        const first = evs(2);
        const r1 = okResult(await store.append('s', first, 'no_stream'));
        const again = okResult(await store.append('s', first, 'no_stream'));
        expect(again).toEqual(r1);

        const second = evs(3);
        const r2 = okResult(await store.append('s', second, 1n));
        const retried = okResult(await store.append('s', second, 1n));
        expect(retried).toEqual(r2);
        expect(retried.nextExpectedRevision).toBe(4n);

        const read = await store.read('s');
        expect(ids(read)).toEqual([...first, ...second].map((e) => e.id));
        expect(await store.readAll()).toHaveLength(5);
      });

      it('a retry is recognised even after another writer appended behind it', async () => {
        const mine = evs(2);
        const r1 = okResult(await store.append('s', mine, 'no_stream'));
        okResult(await store.append('s', evs(1), 1n));
        expect(okResult(await store.append('s', mine, 'no_stream'))).toEqual(r1);
        expect(await store.read('s')).toHaveLength(3);
      });

      it('the same event ids under a different expected revision conflict', async () => {
        const first = evs(2);
        okResult(await store.append('s', first, 'no_stream'));
        const second = evs(1);
        okResult(await store.append('s', second, 1n));
        // `second` sits after revision 1, not after 0 nor on a new stream.
        expect(await store.append('s', second, 0n)).toEqual({ ok: false, conflict: { stream: 's', expected: 0n, actual: 2n } });
        expect(await store.append('s', second, 'no_stream')).toEqual({
          ok: false,
          conflict: { stream: 's', expected: 'no_stream', actual: 2n },
        });
        // Only part of the batch is there: not a retry of a landed append.
        expect(await store.append('s', [...first, ev('Extra')], 'no_stream')).toEqual({
          ok: false,
          conflict: { stream: 's', expected: 'no_stream', actual: 2n },
        });
        expect(ids(await store.read('s'))).toEqual([...first, ...second].map((e) => e.id));
      });
    });

    describe('reading a stream', () => {
      it('a missing stream reads as empty, in either direction', async () => {
        expect(await store.read('nope')).toEqual([]);
        expect(await store.read('nope', { direction: 'backwards' })).toEqual([]);
        expect(await store.read('nope', { from: 3n, maxCount: 2 })).toEqual([]);
      });

      it('reads forwards from the start by default, or from a revision (inclusive), up to maxCount', async () => {
        okResult(await store.append('s', evs(5), 'no_stream'));
        okResult(await store.append('other', evs(2), 'no_stream'));
        expect(revisions(await store.read('s'))).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect(revisions(await store.read('s', { direction: 'forwards' }))).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect(revisions(await store.read('s', { from: 2n }))).toEqual([2n, 3n, 4n]);
        expect(revisions(await store.read('s', { maxCount: 2 }))).toEqual([0n, 1n]);
        expect(revisions(await store.read('s', { from: 1n, maxCount: 3 }))).toEqual([1n, 2n, 3n]);
        expect(revisions(await store.read('s', { from: 3n, maxCount: 10 }))).toEqual([3n, 4n]);
        expect(await store.read('s', { from: 5n })).toEqual([]);
        expect((await store.read('s')).every((r) => r.stream === 's')).toBe(true);
      });

      it('reads backwards from the end by default, or from a revision (inclusive), up to maxCount', async () => {
        okResult(await store.append('s', evs(5), 'no_stream'));
        expect(revisions(await store.read('s', { direction: 'backwards' }))).toEqual([4n, 3n, 2n, 1n, 0n]);
        expect(revisions(await store.read('s', { direction: 'backwards', from: 2n }))).toEqual([2n, 1n, 0n]);
        expect(revisions(await store.read('s', { direction: 'backwards', maxCount: 2 }))).toEqual([4n, 3n]);
        expect(revisions(await store.read('s', { direction: 'backwards', from: 3n, maxCount: 2 }))).toEqual([3n, 2n]);
        expect(revisions(await store.read('s', { direction: 'backwards', from: 0n }))).toEqual([0n]);
      });

      it('the same event reads the same either way', async () => {
        okResult(await store.append('s', evs(3), 'no_stream'));
        const forwards = await store.read('s');
        const backwards = await store.read('s', { direction: 'backwards' });
        expect(backwards).toEqual([...forwards].reverse());
      });
    });

    describe('reading all streams', () => {
      it('reads every stream in global (append) order', async () => {
        const a1 = evs(2);
        const b1 = evs(1);
        const a2 = evs(1);
        const c1 = evs(2);
        okResult(await store.append('a', a1, 'no_stream'));
        okResult(await store.append('b', b1, 'no_stream'));
        okResult(await store.append('a', a2, 1n));
        okResult(await store.append('c', c1, 'any'));
        const all = await store.readAll();
        expect(ids(all)).toEqual([...a1, ...b1, ...a2, ...c1].map((e) => e.id));
        expect(all.map((r) => `${r.stream}@${r.revision}`)).toEqual(['a@0', 'a@1', 'b@0', 'a@2', 'c@0', 'c@1']);
        for (let i = 1; i < all.length; i++)
          expect((all[i - 1] as RecordedEvent).position < (all[i] as RecordedEvent).position).toBe(true);
      });

      it('an empty store reads as empty', async () => {
        expect(await store.readAll()).toEqual([]);
        expect(await store.readAll({ maxCount: 3 })).toEqual([]);
      });

      it('reads from a position (inclusive), up to maxCount', async () => {
        okResult(await store.append('a', evs(2), 'no_stream'));
        okResult(await store.append('b', evs(2), 'no_stream'));
        okResult(await store.append('a', evs(2), 1n));
        const all = await store.readAll();
        expect(all).toHaveLength(6);
        const third = all[2] as RecordedEvent;
        expect(await store.readAll({ fromPosition: third.position })).toEqual(all.slice(2));
        expect(await store.readAll({ fromPosition: third.position, maxCount: 2 })).toEqual(all.slice(2, 4));
        expect(await store.readAll({ maxCount: 3 })).toEqual(all.slice(0, 3));
        const last = all[5] as RecordedEvent;
        expect(await store.readAll({ fromPosition: last.position })).toEqual([last]);
        expect(await store.readAll({ fromPosition: last.position + 1n })).toEqual([]);
      });

      it('readAll and read agree on every envelope', async () => {
        okResult(await store.append('a', [ev('X', { a: 1 }, { m: 1 })], 'no_stream'));
        okResult(await store.append('b', [ev('Y', { b: 2 })], 'no_stream'));
        const all = await store.readAll();
        expect(all).toEqual([...(await store.read('a')), ...(await store.read('b'))]);
      });
    });

    describe('subscriptions', () => {
      it('a stream subscription catches up from the start, then goes live, and sees only its stream', async () => {
        okResult(await store.append('s', evs(2), 'no_stream'));
        okResult(await store.append('other', evs(1), 'no_stream'));
        const got: RecordedEvent[] = [];
        const sub = store.subscribe('s', {}, (e) => got.push(e));
        await eventually(() => expect(revisions(got)).toEqual([0n, 1n]));
        okResult(await store.append('other', evs(1), 0n));
        okResult(await store.append('s', evs(2), 1n));
        await eventually(() => expect(revisions(got)).toEqual([0n, 1n, 2n, 3n]));
        await settle();
        expect(got.every((e) => e.stream === 's')).toBe(true);
        expect(got).toEqual(await store.read('s'));
        sub.close();
      });

      it('a stream subscription catches up after a revision', async () => {
        okResult(await store.append('s', evs(4), 'no_stream'));
        const got: bigint[] = [];
        const sub = store.subscribe('s', { after: 1n }, (e) => got.push(e.revision));
        await eventually(() => expect(got).toEqual([2n, 3n]));
        okResult(await store.append('s', evs(1), 3n));
        await eventually(() => expect(got).toEqual([2n, 3n, 4n]));
        sub.close();
      });

      it('a subscription to a missing stream waits for it to be created', async () => {
        const got: bigint[] = [];
        const sub = store.subscribe('later', {}, (e) => got.push(e.revision));
        await settle();
        expect(got).toEqual([]);
        okResult(await store.append('later', evs(2), 'no_stream'));
        await eventually(() => expect(got).toEqual([0n, 1n]));
        sub.close();
      });

      it("'$all' follows every stream in global order, catching up after a position", async () => {
        okResult(await store.append('a', evs(2), 'no_stream'));
        okResult(await store.append('b', evs(1), 'no_stream'));
        const before = await store.readAll();
        const first = before[0] as RecordedEvent;
        const got: RecordedEvent[] = [];
        const sub = store.subscribe('$all', { after: first.position }, (e) => got.push(e));
        await eventually(() => expect(got).toEqual(before.slice(1)));
        okResult(await store.append('c', evs(1), 'no_stream'));
        okResult(await store.append('a', evs(1), 1n));
        const all = await store.readAll();
        await eventually(() => expect(got).toEqual(all.slice(1)));
        expect(got.map((e) => `${e.stream}@${e.revision}`)).toEqual(['a@1', 'b@0', 'c@0', 'a@2']);
        sub.close();
      });

      it("'$all' without `after` catches up from the very start", async () => {
        okResult(await store.append('a', evs(1), 'no_stream'));
        okResult(await store.append('b', evs(1), 'no_stream'));
        const got: string[] = [];
        const sub = store.subscribe('$all', {}, (e) => got.push(e.stream));
        await eventually(() => expect(got).toEqual(['a', 'b']));
        sub.close();
      });

      it('close stops delivery, and other subscriptions go on', async () => {
        const stopped: bigint[] = [];
        const going: bigint[] = [];
        const sub = store.subscribe('s', {}, (e) => stopped.push(e.revision));
        const other = store.subscribe('s', {}, (e) => going.push(e.revision));
        okResult(await store.append('s', evs(1), 'no_stream'));
        await eventually(() => expect(stopped).toEqual([0n]));
        sub.close();
        okResult(await store.append('s', evs(2), 0n));
        await eventually(() => expect(going).toEqual([0n, 1n, 2n]));
        await settle();
        expect(stopped).toEqual([0n]);
        other.close();
      });

      it("close stops an '$all' subscription too", async () => {
        const got: bigint[] = [];
        const sub = store.subscribe('$all', {}, (e) => got.push(e.revision));
        okResult(await store.append('a', evs(1), 'no_stream'));
        await eventually(() => expect(got).toHaveLength(1));
        sub.close();
        okResult(await store.append('b', evs(1), 'no_stream'));
        await settle();
        expect(got).toHaveLength(1);
      });

      it('a conflicting append delivers nothing', async () => {
        okResult(await store.append('s', evs(1), 'no_stream'));
        const got: bigint[] = [];
        const sub = store.subscribe('s', { after: 0n }, (e) => got.push(e.revision));
        expect((await store.append('s', evs(2), 'no_stream')).ok).toBe(false);
        await settle();
        expect(got).toEqual([]);
        sub.close();
      });

      it('an idempotent retry delivers nothing new', async () => {
        const batch = evs(2);
        okResult(await store.append('s', batch, 'no_stream'));
        const got: bigint[] = [];
        const sub = store.subscribe('s', {}, (e) => got.push(e.revision));
        await eventually(() => expect(got).toEqual([0n, 1n]));
        okResult(await store.append('s', batch, 'no_stream'));
        await settle();
        expect(got).toEqual([0n, 1n]);
        sub.close();
      });

      it("'$all' delivers each event once and in global order even when a handler appends", async () => {
        // A reactor: on each event of 'orders' it appends to 'audit' from inside the handler.
        const reactor = store.subscribe('$all', {}, (e) => {
          if (e.stream === 'orders') void store.append('audit', [ev('Audited', { of: e.id })], 'any');
        });
        const got: RecordedEvent[] = [];
        const watcher = store.subscribe('$all', {}, (e) => got.push(e));
        okResult(await store.append('orders', evs(2), 'no_stream'));
        await eventually(() => expect(got).toHaveLength(4));
        await settle();
        const all = await store.readAll();
        expect(all).toHaveLength(4);
        expect(ids(got)).toEqual(ids(all));
        reactor.close();
        watcher.close();
      });

      it('a handler that appends to its own stream sees every revision once, in order', async () => {
        const got: bigint[] = [];
        const sub = store.subscribe('s', {}, (e) => {
          got.push(e.revision);
          if (e.revision === 0n) void store.append('s', [ev('FollowUp')], 'any');
        });
        okResult(await store.append('s', evs(2), 'no_stream'));
        await eventually(() => expect(got).toHaveLength(3));
        await settle();
        expect(got).toEqual([0n, 1n, 2n]);
        expect((await store.read('s')).map((r) => r.type)).toEqual(['Happened', 'Happened', 'FollowUp']);
        sub.close();
      });

      it('a subscription opened inside a handler catches up and goes live without repeats', async () => {
        const inner: bigint[] = [];
        let opened: { close(): void } | undefined;
        const outer = store.subscribe('s', {}, () => {
          opened ??= store.subscribe('s', {}, (e) => inner.push(e.revision));
        });
        okResult(await store.append('s', evs(3), 'no_stream'));
        okResult(await store.append('s', evs(1), 2n));
        await eventually(() => expect(inner).toEqual([0n, 1n, 2n, 3n]));
        await settle();
        expect(inner).toEqual([0n, 1n, 2n, 3n]);
        outer.close();
        opened?.close();
      });

      it('a throwing subscriber neither fails the append nor starves the other subscribers', async () => {
        const got: bigint[] = [];
        const bad = store.subscribe('s', {}, () => {
          throw new Error('subscriber failure');
        });
        const good = store.subscribe('s', {}, (e) => got.push(e.revision));
        const r = await store.append('s', evs(2), 'no_stream');
        expect(r.ok).toBe(true);
        await eventually(() => expect(got).toEqual([0n, 1n]));
        expect(await store.read('s')).toHaveLength(2);
        bad.close();
        good.close();
      });
    });

    describe('snapshots', () => {
      it('a snapshot reads back under its state-schema version; another version or stream reads undefined', async () => {
        expect(await store.readSnapshot('s', 1)).toBeUndefined();
        const snapshot = { revision: 41n, schemaVersion: 3, state: { jobs: [['j1', { gpus: 2 }]], now: 12.5 } };
        await store.writeSnapshot('s', snapshot);
        expect(await store.readSnapshot('s', 3)).toEqual(snapshot);
        expect(await store.readSnapshot('s', 2)).toBeUndefined();
        expect(await store.readSnapshot('s', 4)).toBeUndefined();
        expect(await store.readSnapshot('other', 3)).toBeUndefined();
      });

      it('takes the state as it is at the call: changing it afterwards changes nothing stored', async () => {
        const state = { jobs: [['j1', { gpus: 2 }]], now: 12.5 };
        const written = store.writeSnapshot('s', { revision: 3n, schemaVersion: 1, state });
        state.now = 99;
        (state.jobs[0]?.[1] as { gpus: number }).gpus = 8;
        await written;
        expect(await store.readSnapshot('s', 1)).toEqual({
          revision: 3n,
          schemaVersion: 1,
          state: { jobs: [['j1', { gpus: 2 }]], now: 12.5 },
        });
      });

      it('a snapshot written with its JSON text keeps that text (the engine makes it a slice at a time), and reads back without it', async () => {
        const state = { jobs: [['j1', { gpus: 2 }]], now: 12.5 };
        const text = JSON.stringify(state);
        await store.writeSnapshot('s', { revision: 5n, schemaVersion: 1, state, json: [text.slice(0, 9), text.slice(9)] });
        expect(await store.readSnapshot('s', 1)).toEqual({ revision: 5n, schemaVersion: 1, state });
        // The text is what is kept: a writer that gives text other than its state's is read back by its text.
        await store.writeSnapshot('s', { revision: 6n, schemaVersion: 1, state, json: ['{"now":13}'] });
        expect(await store.readSnapshot('s', 1)).toEqual({ revision: 6n, schemaVersion: 1, state: { now: 13 } });
      });

      it("a snapshot's JSON in many pieces reads back whole, characters beyond ASCII included, even one cut between two pieces", async () => {
        const state = { names: Array.from({ length: 300 }, (_, i) => `név-${i}-😀-名前`), now: 1 };
        const text = JSON.stringify(state);
        // Cut every 7 code units: some cuts fall between the two halves of an emoji.
        const pieces = Array.from({ length: Math.ceil(text.length / 7) }, (_, i) => text.slice(i * 7, i * 7 + 7));
        expect(pieces.some((p) => /[\ud800-\udbff]$/.test(p))).toBe(true);
        await store.writeSnapshot('s', { revision: 8n, schemaVersion: 1, state: null, json: pieces });
        expect(await store.readSnapshot('s', 1)).toEqual({ revision: 8n, schemaVersion: 1, state });
      });

      it('a later snapshot of the same version replaces the earlier one', async () => {
        await store.writeSnapshot('s', { revision: 1n, schemaVersion: 1, state: { n: 1 } });
        await store.writeSnapshot('s', { revision: 7n, schemaVersion: 1, state: { n: 7 } });
        expect(await store.readSnapshot('s', 1)).toEqual({ revision: 7n, schemaVersion: 1, state: { n: 7 } });
      });

      it('snapshots live beside the stream: they neither add events nor move revisions', async () => {
        okResult(await store.append('s', evs(1), 'no_stream'));
        await store.writeSnapshot('s', { revision: 0n, schemaVersion: 1, state: {} });
        expect(await store.read('s')).toHaveLength(1);
        expect(await store.readAll()).toHaveLength(1);
        expect(okResult(await store.append('s', evs(1), 0n)).nextExpectedRevision).toBe(1n);
      });
    });

    describe('reactor checkpoints', () => {
      it('an unknown reactor has none', async () => {
        expect(await store.readCheckpoint('billing')).toBeUndefined();
      });

      it('reads back what was written, and a later write replaces it (even a lower position)', async () => {
        await store.writeCheckpoint('billing', 5n);
        expect(await store.readCheckpoint('billing')).toBe(5n);
        await store.writeCheckpoint('billing', 12n);
        expect(await store.readCheckpoint('billing')).toBe(12n);
        // A reactor rewound on purpose (to reprocess) is taken at its word.
        await store.writeCheckpoint('billing', 3n);
        expect(await store.readCheckpoint('billing')).toBe(3n);
      });

      it('keeps each reactor apart', async () => {
        await store.writeCheckpoint('billing', 1n);
        await store.writeCheckpoint('alerts', 2n);
        await store.writeCheckpoint('billing', 7n);
        expect(await store.readCheckpoint('billing')).toBe(7n);
        expect(await store.readCheckpoint('alerts')).toBe(2n);
        expect(await store.readCheckpoint('Billing')).toBeUndefined();
      });

      it('takes names with spaces, slashes, dots, dashes and unicode', async () => {
        const names = ['billing reactor', 'eu/west/alerts', '../up', 'a.b-c', 'größe ⚡ 队列', 'checkpoint-x'];
        for (const [i, n] of names.entries()) await store.writeCheckpoint(n, BigInt(i * 10));
        for (const [i, n] of names.entries()) expect(await store.readCheckpoint(n)).toBe(BigInt(i * 10));
        expect(await store.readCheckpoint('eu')).toBeUndefined();
      });

      it('keeps positions beyond 2^53 exactly, as bigint (up to the largest 64-bit position)', async () => {
        const beyond = 2n ** 53n + 1n;
        await store.writeCheckpoint('a', beyond);
        expect(await store.readCheckpoint('a')).toBe(beyond);
        const largest = 2n ** 64n - 2n; // EventStoreDB positions are unsigned 64-bit
        await store.writeCheckpoint('b', largest);
        expect(await store.readCheckpoint('b')).toBe(largest);
        await store.writeCheckpoint('c', 0n);
        expect(await store.readCheckpoint('c')).toBe(0n);
      });

      it('the last of several writes in flight together wins', async () => {
        await Promise.all([store.writeCheckpoint('r', 1n), store.writeCheckpoint('r', 2n), store.writeCheckpoint('r', 3n)]);
        expect(await store.readCheckpoint('r')).toBe(3n);
      });

      it('never show up as events: not in read, readAll, stream or $all subscriptions, nor beside snapshots', async () => {
        okResult(await store.append('s', evs(2), 'no_stream'));
        const all: RecordedEvent[] = [];
        const onStream: RecordedEvent[] = [];
        const subAll = store.subscribe('$all', {}, (e) => all.push(e));
        const subStream = store.subscribe('s', {}, (e) => onStream.push(e));
        await eventually(() => expect(all).toHaveLength(2));
        // A reactor named as a stream, and one named as a snapshot's stream: still nothing shared.
        await store.writeCheckpoint('s', 1n);
        await store.writeSnapshot('s', { revision: 1n, schemaVersion: 1, state: { n: 1 } });
        await store.writeCheckpoint('cluster', 9n);
        okResult(await store.append('t', evs(1), 'no_stream'));
        await eventually(() => expect(all).toHaveLength(3));
        await settle();
        expect(all.map((e) => e.stream)).toEqual(['s', 's', 't']);
        expect(onStream).toHaveLength(2);
        expect(await store.readAll()).toEqual(all);
        expect(await store.read('s')).toEqual(onStream);
        expect(await store.read('cluster')).toEqual([]);
        expect(await store.readSnapshot('s', 1)).toEqual({ revision: 1n, schemaVersion: 1, state: { n: 1 } });
        // And appends go on at the revisions they would have had.
        expect(okResult(await store.append('s', evs(1), 1n)).nextExpectedRevision).toBe(2n);
        subAll.close();
        subStream.close();
      });

      it.skipIf(!reopen)('a written checkpoint survives closing and reopening the store', async () => {
        okResult(await store.append('s', evs(1), 'no_stream'));
        await store.writeCheckpoint('billing', 2n ** 60n + 3n);
        await store.writeCheckpoint('alerts', 4n);
        await store.writeCheckpoint('alerts', 5n);
        await store.close();
        store = await (reopen as NonNullable<typeof reopen>)(store);
        expect(await store.readCheckpoint('billing')).toBe(2n ** 60n + 3n);
        expect(await store.readCheckpoint('alerts')).toBe(5n);
        expect(await store.readCheckpoint('nobody')).toBeUndefined();
        expect(await store.readAll()).toHaveLength(1);
      });
    });

    describe('leases', () => {
      leaseTests(() => store, options);

      it('never show up as events: not in read, readAll, stream or $all subscriptions, nor beside checkpoints', async () => {
        okResult(await store.append('s', evs(2), 'no_stream'));
        const all: RecordedEvent[] = [];
        const onStream: RecordedEvent[] = [];
        const subAll = store.subscribe('$all', {}, (e) => all.push(e));
        const subStream = store.subscribe('s', {}, (e) => onStream.push(e));
        await eventually(() => expect(all).toHaveLength(2));
        // Leases named as a stream and as a checkpoint, taken, renewed, handed over and released.
        await store.writeCheckpoint('s', 1n);
        granted(await store.acquireLease('s', 'a', 30, T));
        granted(await store.acquireLease('s', 'a', 30, T + 1));
        await store.releaseLease('s', 'a');
        granted(await store.acquireLease('s', 'b', 30, T + 2));
        granted(await store.acquireLease('cluster', 'a', 30, T));
        granted(await store.acquireLease('cluster', 'b', 30, T + 31));
        okResult(await store.append('t', evs(1), 'no_stream'));
        await eventually(() => expect(all).toHaveLength(3));
        await settle();
        expect(all.map((e) => e.stream)).toEqual(['s', 's', 't']);
        expect(onStream).toHaveLength(2);
        expect(await store.readAll()).toEqual(all);
        expect(await store.read('s')).toEqual(onStream);
        expect(await store.read('cluster')).toEqual([]);
        expect(await store.read('lease-s')).toEqual([]);
        expect(await store.readCheckpoint('s')).toBe(1n);
        expect(await store.readCheckpoint('cluster')).toBeUndefined();
        // And appends go on at the revisions they would have had.
        expect(okResult(await store.append('s', evs(1), 1n)).nextExpectedRevision).toBe(2n);
        expect(okResult(await store.append('cluster', evs(1), 'no_stream')).nextExpectedRevision).toBe(0n);
        expect(await store.readLease('s')).toEqual({ name: 's', holder: 'b', expiresAt: T + 32 });
        subAll.close();
        subStream.close();
      });
    });

    describe('a closed store', () => {
      it('refuses every operation', async () => {
        okResult(await store.append('s', evs(1), 'no_stream'));
        await store.writeSnapshot('s', { revision: 0n, schemaVersion: 1, state: {} });
        await store.close();
        closed = true;
        await expect(store.append('s', evs(1), 0n)).rejects.toThrow();
        await expect(store.append('t', evs(1), 'any')).rejects.toThrow();
        await expect(store.read('s')).rejects.toThrow();
        await expect(store.readAll()).rejects.toThrow();
        await expect(store.readSnapshot('s', 1)).rejects.toThrow();
        await expect(store.writeSnapshot('s', { revision: 0n, schemaVersion: 1, state: {} })).rejects.toThrow();
        await expect(store.readCheckpoint('r')).rejects.toThrow();
        await expect(store.writeCheckpoint('r', 1n)).rejects.toThrow();
        await expect(store.acquireLease('l', 'a', 30, T)).rejects.toThrow();
        await expect(store.releaseLease('l', 'a')).rejects.toThrow();
        await expect(store.readLease('l')).rejects.toThrow();
        expect(() => store.subscribe('s', {}, () => {})).toThrow();
        expect(() => store.subscribe('$all', {}, () => {})).toThrow();
      });

      it('stops live subscriptions', async () => {
        const got: bigint[] = [];
        store.subscribe('s', {}, (e) => got.push(e.revision));
        okResult(await store.append('s', evs(1), 'no_stream'));
        await eventually(() => expect(got).toEqual([0n]));
        await store.close();
        closed = true;
        await settle();
        expect(got).toEqual([0n]);
      });
    });
  });
}
