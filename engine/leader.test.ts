/**
 * Leader election over the in-memory store, on fake timers: the clock reads the same faked Date
 * the timers run on. Two candidates for one lease (ttl 3 s: an attempt every second, a leader
 * deposed half a second before its lease runs out unless a renewal lands).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import type { EventStore, LeaseResult } from '../core/ports.js';
import { type Deposed, type LeaderElection, type LeaderElectionOptions, startLeaderElection } from './leader.js';

const T0 = 1_000_000; // seconds
const TTL = 3;
const clock = { now: () => Date.now() / 1000 };
const elapsed = () => Date.now() / 1000 - T0;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(T0 * 1000);
});

afterEach(() => {
  vi.useRealTimers();
});

/** What a candidate was told, with the time (seconds since T0) it was told. */
interface Candidate {
  readonly election: LeaderElection;
  readonly log: { at: number; what: 'elected' | Deposed['reason'] }[];
  readonly errors: unknown[];
}

function candidate(
  store: Pick<EventStore, 'acquireLease' | 'releaseLease'>,
  holder: string,
  extra: Partial<LeaderElectionOptions> = {},
): Candidate {
  const log: Candidate['log'] = [];
  const errors: unknown[] = [];
  const election = startLeaderElection({
    store,
    name: 'runtime',
    holder,
    ttlSeconds: TTL,
    clock,
    onElected: () => void log.push({ at: elapsed(), what: 'elected' }),
    onDeposed: (why) => void log.push({ at: elapsed(), what: why.reason }),
    onError: (e) => void errors.push(e),
    ...extra,
  });
  return { election, log, errors };
}

/**
 * A store whose lease calls for one candidate can be made to hang (a stalled or cut-off process:
 * its renewals never land) or to fail.
 */
function faulty(inner: EventStore) {
  let mode: 'ok' | 'hang' | 'fail' = 'ok';
  const store: Pick<EventStore, 'acquireLease' | 'releaseLease'> = {
    acquireLease(name, holder, ttl, now): Promise<LeaseResult> {
      if (mode === 'hang') return new Promise(() => {});
      if (mode === 'fail') return Promise.reject(new Error('the store is unreachable'));
      return inner.acquireLease(name, holder, ttl, now);
    },
    releaseLease: (name, holder) => inner.releaseLease(name, holder),
  };
  return {
    store,
    set(m: typeof mode) {
      mode = m;
    },
  };
}

const advance = (seconds: number) => vi.advanceTimersByTimeAsync(seconds * 1000);

describe('leader election', () => {
  it('elects one of two candidates, which keeps the lease by renewing it', async () => {
    const store = new InMemoryEventStore();
    const a = candidate(store, 'a');
    const b = candidate(store, 'b');
    await advance(0);
    expect(a.election.leading).toBe(true);
    expect(b.election.leading).toBe(false);
    expect(a.log).toEqual([{ at: 0, what: 'elected' }]);
    // Many ttls later: still a, renewed every third of the ttl, never deposed; b never elected.
    await advance(10 * TTL);
    expect(a.log).toEqual([{ at: 0, what: 'elected' }]);
    expect(b.log).toEqual([]);
    expect((await store.readLease('runtime'))?.holder).toBe('a');
    expect((await store.readLease('runtime'))?.expiresAt).toBeGreaterThan(clock.now() + TTL / 2);
    await a.election.close();
    await b.election.close();
  });

  it('a leader that stops renewing is deposed before its lease runs out; the other takes over within the ttl after', async () => {
    const store = new InMemoryEventStore();
    const cut = faulty(store);
    const a = candidate(cut.store, 'a');
    await advance(0);
    const b = candidate(store, 'b');
    await advance(0);
    expect(a.election.leading).toBe(true);
    await advance(1.5); // a renewed at 1 s: its lease runs to 4 s
    cut.set('hang'); // from now on a's renewals never land
    await advance(10);
    const expiry = 1 + TTL;
    // a stopped at its deadline, a sixth of the ttl before the lease ran out, without being told by the store.
    expect(a.log).toEqual([
      { at: 0, what: 'elected' },
      { at: expiry - TTL / 6, what: 'expired' },
    ]);
    expect(a.election.leading).toBe(false);
    // b took it at its first attempt after the expiry: within a third of the ttl, and after a stopped.
    const taken = b.log[0] as { at: number; what: string };
    expect(taken.what).toBe('elected');
    expect(taken.at).toBeGreaterThanOrEqual(expiry);
    expect(taken.at).toBeLessThanOrEqual(expiry + TTL / 3);
    expect(b.election.leading).toBe(true);
    expect((await store.readLease('runtime'))?.holder).toBe('b');
    await b.election.close();
  });

  it('a leader whose store fails is deposed in time and leads again once it answers and the lease is free', async () => {
    const store = new InMemoryEventStore();
    const flaky = faulty(store);
    const a = candidate(flaky.store, 'a');
    await advance(0);
    flaky.set('fail');
    await advance(TTL);
    expect(a.log.map((l) => l.what)).toEqual(['elected', 'expired']);
    expect(a.errors.length).toBeGreaterThan(0);
    flaky.set('ok');
    await advance(TTL);
    expect(a.log.map((l) => l.what)).toEqual(['elected', 'expired', 'elected']);
    expect(a.election.leading).toBe(true);
    await a.election.close();
  });

  it('a leader whose renewal is refused (another took the lease over) is told who holds it', async () => {
    const store = new InMemoryEventStore();
    const deposed: Deposed[] = [];
    const a = candidate(store, 'a', { onDeposed: (why) => void deposed.push(why) });
    await advance(0);
    // A holder whose clock runs far ahead sees a's lease as expired and takes it.
    const intruder = await store.acquireLease('runtime', 'ahead', TTL, clock.now() + 100);
    expect(intruder.ok).toBe(true);
    await advance(TTL / 3);
    expect(a.election.leading).toBe(false);
    expect(deposed).toEqual([
      { reason: 'taken', heldBy: { name: 'runtime', holder: 'ahead', expiresAt: clock.now() + 100 - 1 + TTL } },
    ]);
    await a.election.close();
  });

  it('close() deposes the leader, waits for it, then releases the lease: the other takes it at its next attempt', async () => {
    const store = new InMemoryEventStore();
    const order: string[] = [];
    const a = candidate(store, 'a', {
      onDeposed: async (why) => {
        order.push(`deposed ${why.reason}`);
        await new Promise((r) => setTimeout(r, 200)); // stopping the work takes a while
        order.push(`stopped; lease ${(await store.readLease('runtime'))?.holder}`);
      },
    });
    await advance(0);
    const b = candidate(store, 'b');
    await advance(0.5);
    const closed = a.election.close();
    await advance(0.3);
    await closed;
    order.push(`released; lease ${(await store.readLease('runtime'))?.holder ?? 'none'}`);
    expect(order).toEqual(['deposed closed', 'stopped; lease a', 'released; lease none']);
    // b's next attempt (a second after its first) takes it: long before a's lease would have run out.
    await advance(0.3);
    expect(b.election.leading).toBe(true);
    expect(b.log).toEqual([{ at: 1, what: 'elected' }]);
    // A closed election asks no more.
    await advance(10);
    expect(a.election.leading).toBe(false);
    expect((await store.readLease('runtime'))?.holder).toBe('b');
    await b.election.close();
    expect(await store.readLease('runtime')).toBeUndefined();
  });

  it('calls onElected and onDeposed one after another: a deposition waits for an election still under way', async () => {
    const store = new InMemoryEventStore();
    const flaky = faulty(store);
    const order: string[] = [];
    const a = candidate(flaky.store, 'a', {
      onElected: async () => {
        order.push('electing');
        await new Promise((r) => setTimeout(r, 5000));
        order.push('elected');
      },
      onDeposed: () => void order.push('deposed'),
    });
    await advance(0);
    flaky.set('fail');
    await advance(TTL); // deposed at 2.5 s, while onElected still runs
    expect(a.election.leading).toBe(false);
    expect(order).toEqual(['electing']);
    await advance(5);
    expect(order).toEqual(['electing', 'elected', 'deposed']);
    await a.election.close();
  });

  it('refuses a ttl that is not a positive number', () => {
    const store = new InMemoryEventStore();
    for (const ttlSeconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => candidate(store, 'a', { ttlSeconds })).toThrow(/ttlSeconds must be a number > 0/);
  });
});
