/**
 * Idempotency (design 3, "Commands"): a command whose commandId was seen before is answered with
 * its original outcome (the revisions of its events) and appends nothing.
 */
import { describe, expect, it } from 'vitest';
import { runBatch } from './batch.js';
import { replay } from './evolve.js';
import { cluster, cordon, loseNode, registerNode, submit, withId } from './test-support/given.js';

const base = () => cluster().nodes(['n1', 'n2'], 4).pool('p', 'A100', { take: 8 }).team('g', 'p', 'u');

describe('a command sent twice with the same commandId', () => {
  it('is answered the second time as a duplicate with the revisions of its events, and appends nothing', () => {
    const c = base();
    const first = c.when(withId('c-1', submit('j', 2)));
    const submitted = c.state.revision - 1; // JobSubmitted, then the scheduler's JobAllocated
    expect(first.types).toEqual(['JobSubmitted', 'JobAllocated']);
    const logLength = c.log.length;
    const again = c.when(withId('c-1', submit('j', 2)));
    expect(again.outcomes).toEqual([{ ok: true, duplicate: true, first: submitted, last: submitted }]);
    expect(again.events).toEqual([]);
    expect(c.log).toHaveLength(logLength);
    expect(c.state.revision).toBe(submitted + 1);
  });

  it('stamps the commandId on the events the command produced, not on the scheduler events', () => {
    const c = base();
    const r = c.when(withId('c-1', submit('j', 2)));
    expect(r.events.map((e) => e.commandId)).toEqual(['c-1', undefined]);
  });

  it('answers with the whole range of a command that produced several events', () => {
    const c = base().given(submit('a', 2), submit('b', 2));
    const before = c.state.revision;
    const r = c.when(withId('lose-1', loseNode('n1')));
    expect(r.types).toEqual(['JobFailed', 'JobFailed', 'NodeLost']);
    const again = c.when(withId('lose-1', loseNode('n1')));
    expect(again.outcomes).toEqual([{ ok: true, duplicate: true, first: before + 1, last: before + 3 }]);
  });

  it('is a duplicate within one batch too', () => {
    const c = base();
    const r = c.when(withId('c-1', submit('j', 2)), withId('c-1', submit('j', 2)));
    expect(r.outcomes[1]).toMatchObject({ ok: true, duplicate: true });
    expect(r.types).toEqual(['JobSubmitted', 'JobAllocated']);
  });

  it('is answered with the original outcome although deciding it again would be refused', () => {
    const c = base().given(withId('c-1', submit('j', 2)));
    const r = c.when(withId('c-1', submit('j', 2)));
    expect(r.rejection).toBeUndefined();
    expect(r.outcomes[0]).toMatchObject({ duplicate: true });
  });

  it('is answered with the original outcome whatever the second command says', () => {
    const c = base().given(withId('c-1', submit('j', 2)));
    const r = c.when(withId('c-1', submit('other', 4)));
    expect(r.outcomes[0]).toMatchObject({ duplicate: true });
    expect(c.state.jobs.has('other')).toBe(false);
  });

  it('is remembered across a replay of the stream', () => {
    const c = base().given(withId('c-1', submit('j', 2)));
    const fresh = replay(c.log);
    const r = runBatch(fresh, [withId('c-1', submit('j', 2))], 0);
    expect(r.outcomes).toEqual([{ ok: true, duplicate: true, first: fresh.revision - 1, last: fresh.revision - 1 }]);
    expect(r.events).toEqual([]);
  });
});

describe('commands with distinct commandIds', () => {
  it('are decided each on its own', () => {
    const c = base();
    const r = c.when(withId('c-1', submit('a', 1)), withId('c-2', submit('b', 1)));
    expect(r.outcomes.map((o) => o.ok && !o.duplicate)).toEqual([true, true]);
  });
});

describe('a refused command', () => {
  // A rejection appends nothing, so nothing remembers it: a retry is decided afresh.
  it('leaves no trace, so its retry after the cause is fixed is accepted', () => {
    const c = base();
    const refused = c.when(withId('c-1', cordon('n9')));
    expect(refused.rejection?.code).toBe('not-found');
    c.given(registerNode('n9', 1));
    const retried = c.when(withId('c-1', cordon('n9')));
    expect(retried.bodies).toEqual([{ type: 'NodeCordoned', nodeId: 'n9' }]);
  });
});
