/**
 * API tokens as a decider of their own (decider.ts), on a stream beside the cluster's: the
 * cluster's rules know nothing of authentication. The stream keeps a token's SHA-256 hash, never
 * the token: whoever issues one hashes it at the edge and shows it once (adapters/http/tokens.ts).
 *
 * The state is small, so `evolve` is written with immer's `produce`: pure by construction, each
 * event giving a new state and leaving the old one as it was.
 */

import { enableMapSet, produce } from 'immer';
import { type Decoded, decodeWith, formatIssues, Id, Name, NonNegInt, NonNegNumber, record } from './codec.js';
import { COMMAND_ACCEPTED, type Decider, type DeciderState, foldEnvelope, type Unstamped } from './decider.js';
import { type Rejection, reject } from './rejection.js';
import * as E from './vendor/either.js';
import * as t from './vendor/io-ts.js';

// The envelope's window of command ids is a Map.
enableMapSet();

export const TOKEN_EVENT_SCHEMA_VERSION = 1;

// -- commands ----------------------------------------------------------------------------------------

const envelope = { commandId: Id, at: NonNegNumber };
export const tokenCommandCodecs = {
  IssueToken: record(
    'IssueToken',
    { type: t.literal('IssueToken'), tokenId: Id, userId: Id, hash: Id },
    { ...envelope, label: t.string, incarnation: NonNegInt },
  ),
  RevokeToken: record('RevokeToken', { type: t.literal('RevokeToken'), tokenId: Id }, envelope),
};
export type TokenCommand = {
  [K in keyof typeof tokenCommandCodecs]: t.TypeOf<(typeof tokenCommandCodecs)[K]>;
}[keyof typeof tokenCommandCodecs];

// -- events ------------------------------------------------------------------------------------------

// Events written before tokens became a decider carry no `v` and no command id: both optional.
const eventEnvelope = { v: t.literal(TOKEN_EVENT_SCHEMA_VERSION), commandId: Name, fingerprint: t.string };
const tokenEventCodecs = {
  TokenIssued: record(
    'TokenIssued',
    { type: t.literal('TokenIssued'), tokenId: Name, userId: Name, hash: Name, at: NonNegNumber },
    {
      ...eventEnvelope,
      label: t.string,
      /** The user's incarnation at issue; absent from tokens issued before incarnations existed. */
      incarnation: NonNegInt,
    },
  ),
  TokenRevoked: record('TokenRevoked', { type: t.literal('TokenRevoked'), tokenId: Name, at: NonNegNumber }, eventEnvelope),
  CommandAccepted: record('CommandAccepted', { type: t.literal(COMMAND_ACCEPTED), at: NonNegNumber }, eventEnvelope),
};
type Stored<K extends keyof typeof tokenEventCodecs> = t.TypeOf<(typeof tokenEventCodecs)[K]>;
/** A token event as folded: its schema version filled in for events written before it was recorded. */
export type TokenEvent = { [K in keyof typeof tokenEventCodecs]: Stored<K> & { v: number } }[keyof typeof tokenEventCodecs];

// -- state -------------------------------------------------------------------------------------------

export interface TokenEntry {
  readonly tokenId: string;
  readonly userId: string;
  readonly hash: string;
  /** When it was issued (seconds). */
  readonly issuedAt: number;
  readonly label: string | null;
  /** The incarnation of the user it was issued to; null for a token from before they were recorded. */
  readonly incarnation: number | null;
}

export interface TokenState extends DeciderState {
  /** Live tokens by id. */
  readonly byId: Readonly<Record<string, TokenEntry>>;
  /** Live tokens' ids by hash. */
  readonly idByHash: Readonly<Record<string, string>>;
}

function initialState(): TokenState {
  return { revision: -1, now: 0, commands: new Map(), byId: {}, idByHash: {} };
}

// -- the decider -------------------------------------------------------------------------------------

function decide(c: TokenCommand, s: TokenState): E.Either<Rejection, Unstamped<TokenEvent>[]> {
  if (c.type === 'IssueToken') {
    if (Object.hasOwn(s.byId, c.tokenId)) return E.left(reject('already-exists', `token '${c.tokenId}' already exists`));
    if (Object.hasOwn(s.idByHash, c.hash)) return E.left(reject('conflict', 'a live token already has this hash'));
    const issued: Unstamped<TokenEvent> = { type: 'TokenIssued', tokenId: c.tokenId, userId: c.userId, hash: c.hash };
    if (c.label !== undefined) issued.label = c.label;
    if (c.incarnation !== undefined) issued.incarnation = c.incarnation;
    return E.right([issued]);
  }
  if (!Object.hasOwn(s.byId, c.tokenId)) return E.left(reject('not-found', `token '${c.tokenId}' is not live`));
  return E.right([{ type: 'TokenRevoked', tokenId: c.tokenId }]);
}

const evolve = (state: TokenState, e: TokenEvent): TokenState =>
  produce(state, (s) => {
    foldEnvelope(s, e);
    if (e.type === 'TokenIssued') {
      s.byId[e.tokenId] = {
        tokenId: e.tokenId,
        userId: e.userId,
        hash: e.hash,
        issuedAt: e.at,
        label: e.label ?? null,
        incarnation: e.incarnation ?? null,
      };
      s.idByHash[e.hash] = e.tokenId;
    } else if (e.type === 'TokenRevoked') {
      const entry = s.byId[e.tokenId];
      if (entry) delete s.idByHash[entry.hash];
      delete s.byId[e.tokenId];
    }
  });

function decodeCommand(u: unknown): Decoded<TokenCommand> {
  const type = typeof u === 'object' && u !== null ? (u as { type?: unknown }).type : undefined;
  if (type !== 'IssueToken' && type !== 'RevokeToken') {
    const issues = [
      { path: 'command.type', expected: 'one of IssueToken, RevokeToken', actual: JSON.stringify(type) ?? 'nothing' },
    ];
    return { ok: false, issues, message: formatIssues(issues) };
  }
  return decodeWith(tokenCommandCodecs[type] as t.Decoder<unknown, TokenCommand>, u, type);
}

function decodeEvent(u: unknown): Decoded<TokenEvent> {
  const type = typeof u === 'object' && u !== null ? (u as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !Object.hasOwn(tokenEventCodecs, type)) {
    const issues = [
      {
        path: 'event.type',
        expected: 'one of TokenIssued, TokenRevoked, CommandAccepted',
        actual: JSON.stringify(type) ?? 'nothing',
      },
    ];
    return { ok: false, issues, message: formatIssues(issues) };
  }
  const r = decodeWith(
    tokenEventCodecs[type as keyof typeof tokenEventCodecs] as t.Decoder<unknown, Stored<'TokenIssued'>>,
    u,
    type,
  );
  if (!r.ok) return r;
  return { ok: true, value: { ...r.value, v: r.value.v ?? TOKEN_EVENT_SCHEMA_VERSION } as TokenEvent };
}

export const tokenDecider: Decider<TokenCommand, TokenEvent, TokenState> = {
  eventSchemaVersion: TOKEN_EVENT_SCHEMA_VERSION,
  initialState,
  validate(c) {
    const r = decodeCommand(c);
    return r.ok ? null : reject('invalid-command', r.message, { issues: r.issues });
  },
  decodeCommand,
  decide,
  evolve,
  decodeEvent,
};
