/**
 * The token decider: issue and revoke as commands and events on a stream of their own, a state
 * folded with immer (each event gives a new state, the old one stays as it was), and the events
 * written before tokens became a decider still read.
 */
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { createDeciderEngine } from '../engine/engine.js';
import { runDeciderBatch } from './decider.js';
import { tokenDecider } from './tokens.js';

const issue = (tokenId: string, hash = `h-${tokenId}`) =>
  ({ type: 'IssueToken', tokenId, userId: 'ada', hash, incarnation: 3 }) as const;

describe('the token decider', () => {
  it('issues and revokes, refusing a token id or hash used twice and a revocation of no live token', () => {
    const s0 = tokenDecider.initialState();
    const r = runDeciderBatch(
      tokenDecider,
      s0,
      [
        issue('t1'),
        issue('t1'),
        issue('t2', 'h-t1'),
        { type: 'RevokeToken', tokenId: 't1' },
        { type: 'RevokeToken', tokenId: 't1' },
      ],
      5,
    );
    expect(r.outcomes.map((o) => (o.ok ? 'ok' : o.rejection.code))).toEqual([
      'ok',
      'already-exists',
      'conflict',
      'ok',
      'not-found',
    ]);
    expect(r.events.map((e) => e.type)).toEqual(['TokenIssued', 'TokenRevoked']);
    expect(r.events[0]).toMatchObject({ v: 1, at: 5, tokenId: 't1', userId: 'ada', hash: 'h-t1', incarnation: 3 });
    expect(r.state.byId).toEqual({});
    expect(r.state.revision).toBe(1);
  });

  it('folds purely: the state before an event is left as it was, and frozen', () => {
    const s0 = tokenDecider.initialState();
    const decided = tokenDecider.decide(issue('t1'), s0);
    expect(isRight(decided)).toBe(true);
    const s1 = tokenDecider.evolve(s0, { type: 'TokenIssued', v: 1, at: 1, tokenId: 't1', userId: 'ada', hash: 'h' });
    expect(s0.byId).toEqual({});
    expect(s0.revision).toBe(-1);
    expect(s1.byId.t1).toMatchObject({ userId: 'ada', issuedAt: 1, label: null, incarnation: null });
    expect(Object.isFrozen(s1.byId)).toBe(true);
  });

  it('reads events written before it was a decider (no schema version, no command id)', () => {
    const old = { type: 'TokenIssued', tokenId: 't0', userId: 'ada', hash: 'h0', at: 2, label: 'ci' };
    const decoded = tokenDecider.decodeEvent(old);
    expect(decoded).toMatchObject({ ok: true, value: { ...old, v: 1 } });
    expect(tokenDecider.decodeEvent({ type: 'TokenIssued', tokenId: 't0' })).toMatchObject({ ok: false });
  });

  it('runs on the engine: two engines on one stream both write, the second catching up after a conflict', async () => {
    const store = new InMemoryEventStore();
    const options = { store, clock: { now: () => 7 }, stream: 'tokens' };
    const a = await createDeciderEngine(tokenDecider, options);
    const b = await createDeciderEngine(tokenDecider, options);
    expect((await a.execute(issue('t1'))).ok).toBe(true);
    expect((await b.execute(issue('t2'))).ok).toBe(true); // b was behind: conflict, catch up, decide again
    expect(Object.keys(b.current.byId)).toEqual(['t1', 't2']);
    expect((await b.execute(issue('t1'))).ok).toBe(false);
    const again = await createDeciderEngine(tokenDecider, options);
    expect(Object.keys(again.current.byId)).toEqual(['t1', 't2']);
    expect(again.revision).toBe(1);
  });
});
