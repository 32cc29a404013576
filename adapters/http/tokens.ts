/**
 * API tokens, kept as an event stream of their own beside the cluster's (the cluster's rules know
 * nothing of authentication). A token is shown once, when it is issued; the stream keeps only its
 * SHA-256 hash, never the token, so neither the log nor an export can leak one. A token names its
 * user; whether that user still exists, and with which role and group, is read from the cluster
 * state on each request, so removing a user cuts off all of their tokens at once.
 *
 * And for good: a token also names the user's incarnation when it was issued (the revision of the
 * event that onboarded them), and holds only while the user is that incarnation. A user removed
 * and onboarded again under the same id, perhaps with another role, gets none of the old tokens
 * back. Tokens issued before incarnations were recorded hold if issued at or after the user's
 * current onboarding (see `tokenHolds`).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as t from 'io-ts';
import { decodeWith, Name, NonNegInt, NonNegNumber, record } from '../../core/codec.js';
import type { UserState } from '../../core/model.js';
import type { Clock, EventStore } from '../../core/ports.js';

export const TOKENS_STREAM = 'gpupool-tokens';

const TokenIssued = record(
  'TokenIssued',
  { type: t.literal('TokenIssued'), tokenId: Name, userId: Name, hash: Name, at: NonNegNumber },
  {
    label: t.string,
    /** The user's incarnation at issue; absent from tokens issued before incarnations existed. */
    incarnation: NonNegInt,
  },
);
const TokenRevoked = record('TokenRevoked', { type: t.literal('TokenRevoked'), tokenId: Name, at: NonNegNumber }, {});
const TokenEvent = t.union([TokenIssued, TokenRevoked]);
type TokenEvent = t.TypeOf<typeof TokenEvent>;

export interface TokenInfo {
  readonly tokenId: string;
  readonly userId: string;
  readonly issuedAt: number;
  readonly label: string | null;
  /** The incarnation of the user it was issued to; null for a token from before they were recorded. */
  readonly incarnation: number | null;
}

/**
 * Whether a token still speaks for the user now known by its user id: only for the incarnation it
 * was issued to. A token without one (issued before incarnations were recorded) holds if it was
 * issued at or after the user's current onboarding, by the same clock: a user onboarded again
 * since was onboarded after every such token was issued.
 */
export function tokenHolds(token: TokenInfo, user: Pick<UserState, 'id' | 'incarnation' | 'onboardedAt'>): boolean {
  if (token.userId !== user.id) return false;
  return token.incarnation === null ? token.issuedAt >= user.onboardedAt : token.incarnation === user.incarnation;
}

interface Entry extends TokenInfo {
  readonly hash: string;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export class TokenRegistry {
  private readonly byHash = new Map<string, Entry>();
  private readonly byId = new Map<string, Entry>();
  private revision = -1;
  private lastRefresh = 0;
  private readonly revokedListeners = new Set<(tokenId: string) => void>();

  private constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  static async open(store: EventStore, clock: Clock): Promise<TokenRegistry> {
    const r = new TokenRegistry(store, clock);
    await r.refresh();
    return r;
  }

  /** Read what other processes appended since. */
  private async refresh(): Promise<void> {
    const rows = await this.store.read(TOKENS_STREAM, { from: BigInt(this.revision + 1) });
    for (const row of rows) {
      const decoded = decodeWith(TokenEvent, row.data, `${TOKENS_STREAM}@${row.revision}`);
      if (!decoded.ok) throw new Error(`stream '${TOKENS_STREAM}' revision ${row.revision} does not decode`);
      this.fold(decoded.value);
      this.revision = Number(row.revision);
    }
    this.lastRefresh = Date.now();
  }

  private fold(e: TokenEvent): void {
    if (e.type === 'TokenIssued') {
      const entry: Entry = {
        tokenId: e.tokenId,
        userId: e.userId,
        hash: e.hash,
        issuedAt: e.at,
        label: e.label ?? null,
        incarnation: e.incarnation ?? null,
      };
      this.byHash.set(e.hash, entry);
      this.byId.set(e.tokenId, entry);
    } else {
      const entry = this.byId.get(e.tokenId);
      if (entry) this.byHash.delete(entry.hash);
      this.byId.delete(e.tokenId);
      for (const l of this.revokedListeners) l(e.tokenId);
    }
  }

  /**
   * Be told of each token revoked from now on (here, or by another process once it is read):
   * open event streams end when theirs is. Returns the way to stop.
   */
  onRevoked(listener: (tokenId: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** Append one event, catching up and retrying if another process wrote first. */
  private async record(event: TokenEvent): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const expected = this.revision < 0 ? ('no_stream' as const) : BigInt(this.revision);
      const r = await this.store.append(TOKENS_STREAM, [{ id: randomUUID(), type: event.type, data: event }], expected);
      if (r.ok) {
        this.fold(event);
        this.revision = Number(r.nextExpectedRevision);
        return;
      }
      await this.refresh();
    }
    throw new Error(`stream '${TOKENS_STREAM}': too many concurrent writers`);
  }

  /** Issue a token for a user as they now are (their incarnation): the only time the token itself is seen. */
  async issue(user: Pick<UserState, 'id' | 'incarnation'>, label?: string): Promise<{ tokenId: string; token: string }> {
    const tokenId = randomUUID();
    const token = `gpp_${randomBytes(32).toString('base64url')}`;
    const event: TokenEvent = {
      type: 'TokenIssued',
      tokenId,
      userId: user.id,
      hash: hashOf(token),
      at: this.clock.now(),
      incarnation: user.incarnation,
    };
    await this.record(label === undefined ? event : { ...event, label });
    return { tokenId, token };
  }

  /** Revoke a token; false when no such token is live. */
  async revoke(tokenId: string): Promise<boolean> {
    if (!this.byId.has(tokenId)) return false;
    await this.record({ type: 'TokenRevoked', tokenId, at: this.clock.now() });
    return true;
  }

  /**
   * The token's entry, or undefined. An unknown token triggers one catch-up with the store at most
   * once a second (another process may have issued it), so a flood of bad tokens costs no reads.
   */
  async verify(token: string): Promise<TokenInfo | undefined> {
    const hash = hashOf(token);
    const hit = this.byHash.get(hash);
    if (hit || Date.now() - this.lastRefresh < 1000) return hit;
    await this.refresh();
    return this.byHash.get(hash);
  }

  list(userId: string): TokenInfo[] {
    return [...this.byId.values()]
      .filter((e) => e.userId === userId)
      .map(({ tokenId, userId: u, issuedAt, label, incarnation }) => ({ tokenId, userId: u, issuedAt, label, incarnation }));
  }

  get(tokenId: string): TokenInfo | undefined {
    return this.byId.get(tokenId);
  }
}
