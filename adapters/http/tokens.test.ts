/**
 * Tokens and the incarnations of their users: a token speaks only for the incarnation of its
 * user it was issued to, so re-onboarding an id revives none of the old tokens.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../memory/store.js';
import { SqliteEventStore } from '../sqlite/store.js';
import { eventually } from '../test-support/event-store-contract.js';
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

describe('two registries on one store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpupool-tokens-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('following, each reads the tokens the other issues and revokes, and tells its listeners of the revocations', async () => {
    const file = join(dir, 'follow.db');
    // Two connections to one file, as two servers open it: the other's appends arrive by polling.
    const storeA = new SqliteEventStore(file, { pollMs: 10 });
    const storeB = new SqliteEventStore(file, { pollMs: 10 });
    try {
      const a = await TokenRegistry.open(storeA, clock);
      const b = await TokenRegistry.open(storeB, clock);
      const idle = await TokenRegistry.open(storeB, clock); // one that does not follow
      const stopA = a.follow();
      b.follow();
      const revokedOnB: string[] = [];
      b.onRevoked((id) => revokedOnB.push(id));

      const { tokenId, token } = await a.issue(first, 'issued on a');
      // b reads it without meeting it first (verify would catch up on an unknown token).
      await eventually(() => expect(b.list('bob').map((t) => t.tokenId)).toEqual([tokenId]));
      expect(await b.verify(token)).toMatchObject({ tokenId, userId: 'bob', label: 'issued on a' });
      expect(idle.list('bob')).toEqual([]);

      // Revoked on a: it stops working on b, whose listeners (open event streams) are told.
      expect(await a.revoke(tokenId)).toBe(true);
      await eventually(() => expect(revokedOnB).toEqual([tokenId]));
      expect(await b.verify(token)).toBeUndefined();

      // And the other way; a registry that stopped following reads nothing more.
      stopA();
      const other = await b.issue(again, 'issued on b');
      await new Promise((r) => setTimeout(r, 100)); // ten polls
      expect(a.list('bob')).toEqual([]);
      a.follow();
      await eventually(() => expect(a.list('bob').map((t) => t.tokenId)).toEqual([other.tokenId]));
      a.close();
      b.close();
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });
});
