/**
 * Idempotency (design 3, "Commands"): a command whose commandId was seen before is answered with
 * its original outcome (the revisions of its events) and appends nothing.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_ID_WINDOW } from '../idempotency.js';
import { runBatch } from './batch.js';
import type { Command } from './commands.js';
import { replay } from './evolve.js';
import { cluster, cordon, createGroup, loseNode, moveUser, registerNode, submit, withId } from './test-support/given.js';

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

  it('is refused, not dropped, when the second command asks for something else', () => {
    const c = base().given(withId('c-1', submit('j', 2)));
    const logLength = c.log.length;
    const r = c.when(withId('c-1', submit('other', 4)));
    expect(r.rejection?.code).toBe('command-id-reused');
    expect(r.rejection?.message).toContain("command id 'c-1' was already used for another command");
    expect(c.state.jobs.has('other')).toBe(false);
    expect(c.log).toHaveLength(logLength);
  });

  it('is the same command whatever its time or the order of its fields', () => {
    const c = base().given(withId('c-1', submit('j', 2, { tags: ['a'], priority: 1 })));
    const reordered: Command = {
      priority: 1,
      commandId: 'c-1',
      at: 99,
      tags: ['a'],
      gpus: 2,
      owner: 'u',
      kind: 'training',
      jobId: 'j',
      type: 'SubmitJob',
    };
    expect(c.when(reordered).outcomes[0]).toMatchObject({ ok: true, duplicate: true });
  });

  it('is refused as reused after a replay too', () => {
    const c = base().given(withId('c-1', submit('j', 2)));
    const r = runBatch(replay(c.log), [withId('c-1', submit('j', 3))], 0);
    expect(r.outcomes[0]).toMatchObject({ ok: false, rejection: { code: 'command-id-reused' } });
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

describe('a command accepted with no events (a no-op)', () => {
  it('is remembered by a CommandAccepted event, so its retry after later commands is a duplicate, not run again', () => {
    const c = base().given(createGroup('other'));
    const noop = c.when(withId('m-1', moveUser('u', 'g'))); // u is in g already
    expect(noop.types).toEqual(['CommandAccepted']);
    c.given(moveUser('u', 'other'));
    const retry = c.when(withId('m-1', moveUser('u', 'g')));
    expect(retry.outcomes[0]).toMatchObject({ ok: true, duplicate: true });
    expect(c.state.users.get('u')?.group).toBe('other');
  });

  it('is answered as a no-op without an event when it has no commandId', () => {
    expect(base().when(moveUser('u', 'g')).types).toEqual([]);
  });
});

describe('the memory of command ids', () => {
  it(`keeps the ${COMMAND_ID_WINDOW.toLocaleString('en')} most recent ids, by count, and forgets the oldest, the same after a replay`, () => {
    const state = base().state;
    const commands = Array.from({ length: COMMAND_ID_WINDOW + 10 }, (_, i) => withId(`c-${i}`, cordon('n1')));
    runBatch(state, commands, 0);
    expect(state.commands.size).toBe(COMMAND_ID_WINDOW);
    expect(state.commands.has('c-9')).toBe(false);
    expect(state.commands.has('c-10')).toBe(true);
    // A retry older than the window runs again (here: cordoning an already cordoned node, a no-op).
    expect(runBatch(state, [withId('c-0', cordon('n1'))], 1).outcomes[0]).toMatchObject({ ok: true, duplicate: false });
  });
});
