/**
 * Tokens and the incarnations of their users: a token speaks only for the incarnation of its
 * user it was issued to, so re-onboarding an id revives none of the old tokens.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../memory/store.js';
import { TOKENS_STREAM, TokenRegistry, tokenHolds } from './tokens.js';

const clock = { t: 100, now: () => clock.t };
/** Bob as first onboarded (revision 3, at 40) and as onboarded again after his removal. */
const first = { id: 'bob', incarnation: 3, onboardedAt: 40 };
const again = { id: 'bob', incarnation: 9, onboardedAt: 120 };

describe('a token', () => {
  it('records the incarnation of the user it is issued to, and holds for that incarnation only', async () => {
    const registry = await TokenRegistry.open(new InMemoryEventStore(), clock);
    const { token } = await registry.issue(first, 'laptop');
    const info = await registry.verify(token);
    expect(info).toMatchObject({ userId: 'bob', incarnation: 3, label: 'laptop' });
    if (!info) throw new Error('the token does not verify');
    expect(tokenHolds(info, first)).toBe(true);
    expect(tokenHolds(info, again)).toBe(false);
    expect(tokenHolds(info, { ...first, id: 'alice' })).toBe(false);
  });

  it('issued before incarnations were recorded holds only if issued at or after the user’s onboarding', async () => {
    const store = new InMemoryEventStore();
    const token = 'gpp_legacy';
    const hash = createHash('sha256').update(token).digest('hex');
    // As an earlier version wrote it: no incarnation.
    const legacy = { type: 'TokenIssued', tokenId: 't1', userId: 'bob', hash, at: 50 };
    await store.append(TOKENS_STREAM, [{ id: 'e1', type: 'TokenIssued', data: legacy }], 'no_stream');
    const info = await (await TokenRegistry.open(store, clock)).verify(token);
    expect(info).toMatchObject({ userId: 'bob', issuedAt: 50, incarnation: null });
    if (!info) throw new Error('the token does not verify');
    expect(tokenHolds(info, first)).toBe(true);
    expect(tokenHolds(info, again)).toBe(false);
    expect(tokenHolds(info, { ...first, onboardedAt: 50 })).toBe(true);
  });
});
