/**
 * What every route plugin shares: the engines, the token registry, and the helpers that turn a
 * request into a command (decoded by the core's codecs), run it, and answer in one convention.
 * The helpers run on the cluster's engine unless given another context's (the assets').
 */
import type {} from '@fastify/swagger'; // its FastifySchema fields (tags, summary) for every route
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AssetCommand } from '../../core/assets/commands.js';
import type { AssetEvent } from '../../core/assets/events.js';
import type { AssetsState } from '../../core/assets/model.js';
import type { CommandType } from '../../core/cluster/commands.js';
import type { State } from '../../core/cluster/model.js';
import { type Decoded, type DecodeIssue, describeValue } from '../../core/codec.js';
import type { CommandOutcome } from '../../core/decider.js';
import type { ExperimentCommand } from '../../core/experiments/commands.js';
import type { ExperimentEvent } from '../../core/experiments/events.js';
import type { ExperimentsState } from '../../core/experiments/model.js';
import type { PipelineCommand } from '../../core/pipelines/commands.js';
import type { PipelineEvent } from '../../core/pipelines/events.js';
import type { PipelinesState } from '../../core/pipelines/model.js';
import type { Result as CoreResult } from '../../core/result.js';
import { ConflictRetriesExhaustedError, type DeciderEngine, type Engine } from '../../engine/engine.js';
import type { Principal } from './access.js';
import { IdempotencyKeys } from './idempotency.js';
import { invalidInput, type Problem, problem, rejected, sendProblem } from './problem.js';
import type { TokenRegistry } from './tokens.js';

/** The assets context's engine: the one engine over the assets decider and its stream. */
export type AssetsEngine = DeciderEngine<AssetCommand, AssetEvent, AssetsState>;

/** The experiments context's engine (core/experiments), on the stream `experiments`. */
export type ExperimentsEngine = DeciderEngine<ExperimentCommand, ExperimentEvent, ExperimentsState>;

/** The pipelines context's engine (core/pipelines), on the stream `pipelines`. */
export type PipelinesEngine = DeciderEngine<PipelineCommand, PipelineEvent, PipelinesState>;

export interface HttpContext {
  readonly engine: Engine;
  /** Workspaces, datasets and models (core/assets), on their own stream. */
  readonly assets: AssetsEngine;
  /** Hyperparameter tuning experiments (core/experiments), on their own stream. */
  readonly experiments: ExperimentsEngine;
  /** Kubeflow-compatible pipelines, their runs and recurring runs (core/pipelines), on their own stream. */
  readonly pipelines: PipelinesEngine;
  readonly tokens: TokenRegistry;
  readonly keys: IdempotencyKeys;
  /** Job ids for submissions that bring none. */
  readonly newJobId: () => string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Who may call the route: anyone, any user with a token, or operators only. */
    access?: 'public' | 'user' | 'operator';
  }
}

/** A value or the problem that stops the request. */
export type Result<A> = CoreResult<A, { readonly problem: Problem }>;
export const good = <A>(value: A): Result<A> => ({ ok: true, value });
export const bad = <A = never>(p: Problem): Result<A> => ({ ok: false, problem: p });

/** Fields the server sets and a body may not: the command type, its id and its time. */
const SERVER_FIELDS = ['type', 'commandId', 'at'];

/**
 * The deepest a body may nest: more than any command needs (a job's `spec` holds 32 levels). A
 * deeper one is refused before anything walks it recursively (describing a value for an error
 * message would overflow the stack).
 */
export const MAX_BODY_DEPTH = 64;

/** Whether a parsed JSON value nests arrays and objects more than `max` levels deep; no recursion. */
function nestsDeeperThan(u: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[u, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, depth] = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The request body as a plain object (absent: empty), without the fields the server sets. */
export function bodyObject(req: FastifyRequest): Result<Record<string, unknown>> {
  const b = req.body;
  if (b === undefined || b === null) return good({});
  if (nestsDeeperThan(b, MAX_BODY_DEPTH)) {
    return bad(
      invalidInput([{ path: 'body', expected: `JSON nested at most ${MAX_BODY_DEPTH} levels deep`, actual: 'a deeper value' }]),
    );
  }
  if (typeof b !== 'object' || Array.isArray(b)) {
    return bad(invalidInput([{ path: 'body', expected: 'a JSON object', actual: describeValue(b) }]));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) if (!SERVER_FIELDS.includes(k)) out[k] = v;
  return good(out);
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * The request's Idempotency-Key as its scope (see idempotency.ts): the caller and the key, hashed.
 * Absent: none (the command is not deduplicated).
 */
export function idempotencyScope(req: FastifyRequest): Result<string | undefined> {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return good(undefined);
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    return bad(
      invalidInput([
        { path: 'headers.idempotency-key', expected: '1 to 200 visible ASCII characters', actual: JSON.stringify(key) },
      ]),
    );
  }
  return good(IdempotencyKeys.scope(req.principal.userId, key));
}

/**
 * What a request's command runs on: an engine's decoder and its `execute`. The cluster's engine
 * and every other context's (`DeciderEngine`) are one.
 */
export interface CommandEngine<C = unknown, E = unknown> {
  readonly decider: { decodeCommand(u: unknown): Decoded<C> };
  execute(command: C): Promise<CommandOutcome<E>>;
}

/** Decode a command from request fields; issues name `body.<field>` (or `path.<param>`). */
export function decodeRequestCommand<C>(
  engine: CommandEngine<C>,
  type: string,
  fields: Record<string, unknown>,
  pathParams: readonly string[] = [],
): Result<C> {
  const decoded = engine.decider.decodeCommand({ ...fields, type });
  if (decoded.ok) return good(decoded.value);
  const issues: DecodeIssue[] = decoded.issues.map((i) => {
    const field = i.path.startsWith(`${type}.`) ? i.path.slice(type.length + 1) : i.path;
    const top = field.split('.')[0] as string;
    return { ...i, path: `${pathParams.includes(top) ? 'path' : 'body'}.${field}` };
  });
  return bad(invalidInput(issues));
}

/** A command's outcome when it was done (or was a duplicate of one done). */
export type Done<E = unknown> = CommandOutcome<E> & { ok: true };

/** Run a decoded command: its outcome, or the problem (rejection, conflict, store failure). */
export async function execute<C, E>(engine: CommandEngine<C, E>, command: C): Promise<Result<Done<E>>> {
  let outcome: CommandOutcome<E>;
  try {
    outcome = await engine.execute(command);
  } catch (e) {
    if (e instanceof ConflictRetriesExhaustedError) return bad(problem(409, 'revision-conflict', e.message));
    return bad(problem(503, 'store-unavailable', 'the event store did not take the command; nothing was changed, try again'));
  }
  return outcome.ok ? good(outcome) : bad(rejected(outcome.rejection));
}

/**
 * Decode and run: the whole path of a command-carrying request, on the cluster's engine unless
 * `engine` names another context's. Idempotency-Keys are one space across engines: a key sent
 * again with a request for another engine is still another request (422).
 */
export async function runCommand(
  ctx: HttpContext,
  req: FastifyRequest,
  type: CommandType | AssetCommand['type'],
  fields: Record<string, unknown>,
  pathParams: readonly string[] = [],
  engine: CommandEngine = ctx.engine,
): Promise<Result<Done>> {
  const scope = idempotencyScope(req);
  if (!scope.ok) return scope;
  const id = scope.value === undefined ? undefined : IdempotencyKeys.commandId(scope.value, type, fields);
  if (id !== undefined && ctx.keys.reusedForAnother(id)) {
    return bad(
      problem(422, 'idempotency-key-reused', 'this Idempotency-Key was already used for another request: use a new key'),
    );
  }
  const cmd = decodeRequestCommand(engine, type, id === undefined ? fields : { ...fields, commandId: id }, pathParams);
  if (!cmd.ok) return cmd;
  if (id === undefined) return execute(engine, cmd.value);
  const release = ctx.keys.begin(id);
  if (!release) {
    return bad(
      problem(
        409,
        'idempotency-key-in-flight',
        'another request with this Idempotency-Key is being processed: wait for its answer; use a new key for a different request',
      ),
    );
  }
  try {
    const r = await execute(engine, cmd.value);
    if (r.ok) ctx.keys.remember(id);
    return r;
  } finally {
    release();
  }
}

/** Answer with a result: the value with `status`, or the problem. */
export function answer<A>(reply: FastifyReply, r: Result<A>, status = 200): FastifyReply {
  return r.ok ? reply.code(status).send(r.value) : sendProblem(reply, r.problem);
}

// -- time travel -----------------------------------------------------------------------------------

/** What a read looks at: an engine's present state, and its past rebuilt from the store. */
export interface ReadEngine<S> {
  readonly current: Readonly<S>;
  readonly revision: number;
  stateAt(revision: number): Promise<Readonly<S>>;
  revisionAt(time: number): Promise<number>;
}

/** The cluster state a read looks at (see stateOf). */
export function stateFor(ctx: HttpContext, req: FastifyRequest): Promise<Result<Readonly<State>>> {
  return stateOf(ctx.engine, req);
}

/**
 * The time of the past state a request read (seconds: its latest event's), for the answer's
 * `X-As-Of-Time` header: a client that travelled to a revision of one stream can read another
 * stream (the assets') as of the same moment.
 */
const pastTimes = new WeakMap<FastifyRequest, number>();
export const pastTimeOf = (req: FastifyRequest): number | undefined => pastTimes.get(req);

/** A past state read for `req`: remembered for its answer's header. */
function past<S extends { now: number }>(req: FastifyRequest, state: Readonly<S>): Result<Readonly<S>> {
  pastTimes.set(req, state.now);
  return good(state);
}

/**
 * The state of `engine`'s stream a read looks at: the present, or the past when the query names
 * `asOf` (an event revision of that stream) or `asOfTime` (RFC 3339 or epoch seconds). The past
 * is rebuilt from the store.
 */
export async function stateOf<S extends { now: number }>(
  engine: ReadEngine<S>,
  req: FastifyRequest,
): Promise<Result<Readonly<S>>> {
  const q = (req.query ?? {}) as Record<string, unknown>;
  if (q.asOf !== undefined && q.asOfTime !== undefined) {
    return bad(invalidInput([{ path: 'query.asOfTime', expected: 'not both asOf and asOfTime', actual: String(q.asOfTime) }]));
  }
  if (q.asOf !== undefined) {
    const rev = Number(q.asOf);
    if (typeof q.asOf !== 'string' || !/^(-1|\d+)$/.test(q.asOf) || !Number.isSafeInteger(rev)) {
      return bad(invalidInput([{ path: 'query.asOf', expected: 'an event revision (integer >= -1)', actual: String(q.asOf) }]));
    }
    return past(req, await engine.stateAt(Math.min(rev, engine.revision)));
  }
  if (q.asOfTime !== undefined) {
    const time = parseTime(q.asOfTime);
    if (time === undefined) {
      return bad(
        invalidInput([{ path: 'query.asOfTime', expected: 'an RFC 3339 time or epoch seconds', actual: String(q.asOfTime) }]),
      );
    }
    return past(req, await engine.stateAt(await engine.revisionAt(time)));
  }
  return good(engine.current);
}

function parseTime(u: unknown): number | undefined {
  if (typeof u !== 'string' || u === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(u)) return Number(u);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(u)) return undefined;
  const ms = Date.parse(u);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** A read route's handler: a view of the cluster state the request asks for, the present or the past. */
export function reading(
  ctx: HttpContext,
  view: (state: Readonly<State>, req: FastifyRequest, reply: FastifyReply) => Result<unknown>,
): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return readingFrom(ctx.engine, view);
}

/** `reading` over another engine's state (the assets'). */
export function readingFrom<S extends { now: number }>(
  engine: ReadEngine<S>,
  view: (state: Readonly<S>, req: FastifyRequest, reply: FastifyReply) => Result<unknown>,
): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return async (req, reply) => {
    const s = await stateOf(engine, req);
    return answer(reply, s.ok ? view(s.value, req, reply) : s);
  };
}

// -- pages -----------------------------------------------------------------------------------------

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

/** A page of a long answer: `limit` (default 100, at most 1000) items from `offset` (default 0). */
export function pageQuery(req: FastifyRequest): Result<{ limit: number; offset: number }> {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const issues: DecodeIssue[] = [];
  const limit = queryInteger(q, 'limit', 0, MAX_PAGE_LIMIT, issues) ?? DEFAULT_PAGE_LIMIT;
  const offset = queryInteger(q, 'offset', 0, Number.MAX_SAFE_INTEGER, issues) ?? 0;
  return issues.length > 0 ? bad(invalidInput(issues)) : good({ limit, offset });
}

/**
 * A query's decimal integer from `min` to `max`: undefined when absent; when it is not one, an issue
 * naming it is added to `issues` (and NaN given, for the caller to answer with the issues).
 */
export function queryInteger(
  q: Record<string, unknown>,
  k: string,
  min: number,
  max: number,
  issues: DecodeIssue[],
): number | undefined {
  const v = q[k];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!(n >= min && n <= max)) {
    issues.push({ path: `query.${k}`, expected: `an integer from ${min} to ${max}`, actual: String(v) });
    return Number.NaN;
  }
  return n;
}

/** The query parameters of a paged answer, for the OpenAPI document. */
export const PAGE_QUERY = {
  limit: { type: 'string', description: `how many (default ${DEFAULT_PAGE_LIMIT}, at most ${MAX_PAGE_LIMIT})` },
  offset: { type: 'string', description: 'how many to skip (default 0)' },
} as const;

/** The query parameters every read takes, for the OpenAPI document. */
export const TIME_TRAVEL_QUERY = {
  asOf: { type: 'string', description: 'read the state right after this event revision (-1: before any)' },
  asOfTime: { type: 'string', description: 'read the state as of this time (RFC 3339, or epoch seconds)' },
} as const;
