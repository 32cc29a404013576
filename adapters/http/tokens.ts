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
import type { UserState } from '../../core/cluster/model.js';
import type { Clock, EventStore } from '../../core/ports.js';
import { type TokenCommand, type TokenEntry, type TokenEvent, type TokenState, tokenDecider } from '../../core/tokens.js';
import { createDeciderEngine, type DeciderEngine } from '../../engine/engine.js';

export const TOKENS_STREAM = 'gpupool-tokens';

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

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

const infoOf = ({ tokenId, userId, issuedAt, label, incarnation }: TokenEntry): TokenInfo => ({
  tokenId,
  userId,
  issuedAt,
  label,
  incarnation,
});

/**
 * The tokens of a store: the token decider (core/tokens.ts) on the engine, over the tokens stream.
 * The engine appends with the expected revision and, when another process wrote first, catches up
 * and decides again. With `follow()` it also reads every other writer's token events as they are
 * stored (another server on the same store issuing or revoking), instead of only when it meets a
 * token it does not know.
 */
export class TokenRegistry {
  private lastRefresh = 0;
  private readonly revokedListeners = new Set<(tokenId: string) => void>();

  private constructor(private readonly engine: DeciderEngine<TokenCommand, TokenEvent, TokenState>) {
    engine.subscribe((a) => {
      for (const e of a.events) if (e.type === 'TokenRevoked') this.revoked(e.tokenId);
    });
  }

  static async open(store: EventStore, clock: Clock): Promise<TokenRegistry> {
    const r = new TokenRegistry(await createDeciderEngine(tokenDecider, { store, clock, stream: TOKENS_STREAM }));
    r.lastRefresh = Date.now();
    return r;
  }

  /**
   * Follow the tokens stream through the store (the engine's `follow`): a token issued on another
   * server verifies here, and one revoked there stops working here (the engine tells the listener
   * above, so its open event streams end), within the store's delivery time (SQLite: its poll
   * interval). Returns the way to stop; `close()` stops it as well.
   */
  follow(onError: (error: unknown) => void = () => {}): () => void {
    return this.engine.follow(onError);
  }

  /** Stop following the store (see follow); the registry still answers from what it has read. */
  close(): void {
    void this.engine.close();
  }

  private get state(): Readonly<TokenState> {
    return this.engine.current;
  }

  private revoked(tokenId: string): void {
    for (const l of this.revokedListeners) l(tokenId);
  }

  /**
   * Read what other processes appended since; the engine tells the listener above of the
   * revocations among them, as of this registry's own.
   */
  private async refresh(): Promise<void> {
    await this.engine.catchUp();
    this.lastRefresh = Date.now();
  }

  /**
   * Be told of each token revoked from now on (here, or by another process once it is read):
   * open event streams end when theirs is. Returns the way to stop.
   */
  onRevoked(listener: (tokenId: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** Issue a token for a user as they now are (their incarnation): the only time the token itself is seen. */
  async issue(user: Pick<UserState, 'id' | 'incarnation'>, label?: string): Promise<{ tokenId: string; token: string }> {
    const tokenId = randomUUID();
    const token = `gpp_${randomBytes(32).toString('base64url')}`;
    const command: TokenCommand = {
      type: 'IssueToken',
      tokenId,
      userId: user.id,
      hash: hashOf(token),
      incarnation: user.incarnation,
    };
    const r = await this.engine.execute(label === undefined ? command : { ...command, label });
    if (!r.ok) throw new Error(`issuing a token was refused: ${r.rejection.message}`);
    return { tokenId, token };
  }

  /** Revoke a token; false when no such token is live. */
  async revoke(tokenId: string): Promise<boolean> {
    if (!Object.hasOwn(this.state.byId, tokenId)) return false;
    const r = await this.engine.execute({ type: 'RevokeToken', tokenId });
    return r.ok;
  }

  /**
   * The token's entry, or undefined. An unknown token triggers one catch-up with the store at most
   * once a second (another process may have issued it), so a flood of bad tokens costs no reads.
   */
  async verify(token: string): Promise<TokenInfo | undefined> {
    const hash = hashOf(token);
    const hit = this.byHash(hash);
    if (hit || Date.now() - this.lastRefresh < 1000) return hit;
    await this.refresh();
    return this.byHash(hash);
  }

  private byHash(hash: string): TokenInfo | undefined {
    const id = this.state.idByHash[hash];
    const entry = id === undefined ? undefined : this.state.byId[id];
    return entry && infoOf(entry);
  }

  list(userId: string): TokenInfo[] {
    return Object.values(this.state.byId)
      .filter((e) => e.userId === userId)
      .map(infoOf);
  }

  get(tokenId: string): TokenInfo | undefined {
    const entry = this.state.byId[tokenId];
    return entry && infoOf(entry);
  }
}
