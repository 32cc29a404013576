/**
 * Small io-ts building blocks shared by the command and event codecs, and one error
 * reporter that names the field path of every failure ("SubmitJob.gpus: expected ...").
 */

import type { Result } from './result.js';
import { isLeft } from './vendor/either.js';
import * as t from './vendor/io-ts.js';

/**
 * A refinement of unknown input checked by its `is` alone: it decodes a value to itself. It also
 * carries the JSON Schema that says the same, so API documents derive from the codecs.
 */
export class RefinedType<A> extends t.Type<A, A, unknown> {
  constructor(
    name: string,
    is: (u: unknown) => u is A,
    expected: string,
    readonly jsonSchema: Readonly<Record<string, unknown>>,
    /** A validation that names what is wrong more closely than `expected` (a map naming its bad key). */
    validate?: t.Validate<unknown, A>,
  ) {
    super(name, is, validate ?? ((u, c) => (is(u) ? t.success(u) : t.failure(u, c, expected))), t.identity);
  }
}

/** Whether a value is an object that is neither null nor an array. */
export function isPlainObject(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

/** Where inside a value it is wrong: the keys and list positions down to the place, and what was expected there. */
export interface Located {
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  readonly expected: string;
}

const A_LIST = t.array(t.string);

/**
 * A refinement whose check finds where inside the value it fails (`problemOf`), so that its issue
 * names the place (`nodeAffinity.0.matchExpressions.1.values`, `nodeSelector.zone`) as io-ts's
 * own codecs name theirs.
 */
export function locatedRefinement<A>(
  name: string,
  problemOf: (u: unknown) => Located | null,
  expected: string,
  jsonSchema: Record<string, unknown>,
): RefinedType<A> {
  return new RefinedType<A>(
    name,
    (u): u is A => problemOf(u) === null,
    expected,
    jsonSchema,
    (u, c) => {
      const problem = problemOf(u);
      if (problem === null) return t.success(u as A);
      const at = [...c];
      for (const key of problem.path) {
        // issuesOf names a position in a list only after a list's context: one goes before each,
        // with an empty key, which names nothing itself.
        if (typeof key === 'number') at.push({ key: '', type: A_LIST, actual: problem.value });
        at.push({ key: String(key), type: t.string, actual: problem.value });
      }
      return t.failure(problem.value, at, problem.expected);
    },
  );
}

function refined<A>(
  name: string,
  is: (u: unknown) => u is A,
  expected: string,
  jsonSchema: Record<string, unknown>,
): t.Type<A, A, unknown> {
  return new RefinedType<A>(name, is, expected, jsonSchema);
}

export const Int = refined('Int', (u): u is number => Number.isSafeInteger(u), 'an integer', { type: 'integer' });
export const NonNegInt = refined(
  'NonNegInt',
  (u): u is number => Number.isSafeInteger(u) && (u as number) >= 0,
  'an integer >= 0',
  { type: 'integer', minimum: 0 },
);
export const PosInt = refined('PosInt', (u): u is number => Number.isSafeInteger(u) && (u as number) >= 1, 'an integer >= 1', {
  type: 'integer',
  minimum: 1,
});
export const FiniteNumber = refined(
  'FiniteNumber',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  'a finite number',
  { type: 'number' },
);
export const PosNumber = refined(
  'PosNumber',
  (u): u is number => typeof u === 'number' && Number.isFinite(u) && u > 0,
  'a number > 0',
  { type: 'number', exclusiveMinimum: 0 },
);
export const NonNegNumber = refined(
  'NonNegNumber',
  (u): u is number => typeof u === 'number' && Number.isFinite(u) && u >= 0,
  'a number >= 0',
  { type: 'number', minimum: 0 },
);
/** The longest id or name: a DNS name's limit. */
export const NAME_MAX_LENGTH = 253;
/** Ids and names: non-empty, at most NAME_MAX_LENGTH characters, no control characters. */
export const Name = refined(
  'Name',
  (u): u is string =>
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    typeof u === 'string' && u.length > 0 && u.length <= NAME_MAX_LENGTH && (isPrintableAscii(u) || !/[\u0000-\u001f]/.test(u)),
  `a non-empty string of at most ${NAME_MAX_LENGTH} characters without control characters`,
  { type: 'string', minLength: 1, maxLength: NAME_MAX_LENGTH, pattern: '^[^\\u0000-\\u001f]+$' },
);
/**
 * Characters an id or a name given in a command may not hold: C0 and C1 controls, DEL, the bidi
 * embedding, override and isolate controls (they make text display as something else), and
 * zero-width characters (they make two ids look alike); and, matched by \p{Cs} in a Unicode regex,
 * lone surrogates (a pair is one code point there, so only unpaired halves match).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const UNSAFE_IN_ID = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|\p{Cs}/u;

/**
 * Whether every character is printable ASCII (space to tilde), none of which UNSAFE_IN_ID holds:
 * most ids are, and this loop answers them at a fraction of the cost of the Unicode regex.
 */
function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Whether a string holds no control, bidi-control or zero-width character, nor a lone surrogate (what an id may not). */
export function isSafeText(s: string): boolean {
  return isPrintableAscii(s) || !UNSAFE_IN_ID.test(s);
}

/**
 * Ids and names in commands: a Name that is also well-formed Unicode (no lone surrogate, which no
 * URL can carry) without the characters above. Events keep the laxer Name, so that a log written
 * before this rule still loads.
 */
export const Id = refined(
  'Id',
  (u): u is string =>
    typeof u === 'string' && u.length > 0 && u.length <= NAME_MAX_LENGTH && (isPrintableAscii(u) || !UNSAFE_IN_ID.test(u)),
  `a non-empty string of at most ${NAME_MAX_LENGTH} characters of well-formed Unicode, without control, bidi-control or zero-width characters`,
  {
    type: 'string',
    minLength: 1,
    maxLength: NAME_MAX_LENGTH,
    pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]+$',
  },
);
/**
 * A file inside a workspace, as a job names it (its hyperparameters file): a relative path of at
 * most 1024 characters, of Id's characters, with no empty, '.' or '..' segment, so it can only
 * name something inside the workspace at its pinned version.
 */
export const RelativePath = refined(
  'RelativePath',
  (u): u is string =>
    typeof u === 'string' &&
    u.length > 0 &&
    u.length <= 1024 &&
    !UNSAFE_IN_ID.test(u) &&
    u.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..'),
  "a relative path inside the workspace (at most 1024 characters; no leading '/', no empty, '.' or '..' segment)",
  { type: 'string', minLength: 1, maxLength: 1024, description: 'a relative path inside the workspace' },
);
export const Json = refined('Json', (u): u is unknown => isJsonValue(u, 0), 'a JSON value', {
  description: 'any JSON value',
});

function isJsonValue(u: unknown, depth: number): boolean {
  if (depth > 32) return false;
  if (u === null || typeof u === 'string' || typeof u === 'boolean') return true;
  if (typeof u === 'number') return Number.isFinite(u);
  if (Array.isArray(u)) return u.every((x) => isJsonValue(x, depth + 1));
  if (typeof u === 'object') {
    const proto = Object.getPrototypeOf(u);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(u as Record<string, unknown>).every((x) => isJsonValue(x, depth + 1));
  }
  return false;
}

/** A literal union from a readonly list of strings, keeping the list for messages and for arbitraries. */
export function oneOf<const L extends readonly [string, ...string[]]>(name: string, values: L): t.Type<L[number]> {
  const set = new Set<string>(values);
  return refined(name, (u): u is L[number] => typeof u === 'string' && set.has(u), `one of ${values.join(', ')}`, {
    type: 'string',
    enum: [...values],
  });
}

/** Object codec with required and optional fields; unknown fields are stripped (exact). */
export function record<R extends t.Props, O extends t.Props>(name: string, required: R, optional: O) {
  return t.exact(t.intersection([t.type(required), t.partial(optional)]), name);
}

/**
 * The event codec maker of a stream written at schema `version`: every event carries the shared
 * envelope (decider.ts EventEnvelope): its type, `v`, `at`, and the `commandId` of the command that
 * made it with, on the first of that command's events, its `fingerprint` (idempotency.ts). Ids in
 * events are the lax `Name`, so logs written under older id rules still load.
 */
export function eventCodecMaker<V extends number>(version: V) {
  const envelope = { v: t.literal(version), at: NonNegNumber };
  return <T extends string, R extends t.Props, O extends t.Props = Record<never, never>>(type: T, required: R, optional?: O) =>
    record(
      type,
      { type: t.literal(type), ...envelope, ...required },
      { commandId: Name, fingerprint: t.string, ...(optional as O) },
    );
}

/**
 * A codec's type guard, flattened: for a record (see `record`), one loop over its required fields
 * and one over its optional ones, each checked by its own codec's guard; any other codec, its own
 * `is`. The same answer as `codec.is`, without the layers io-ts builds a record from (an exact type
 * over an intersection of a type and a partial, each a loop of closures): checking every command
 * entering a batch that way was a tenth of the core's time.
 */
export function guardOf(codec: t.Any): (u: unknown) => boolean {
  let g = guards.get(codec);
  if (!g) {
    g = flatGuard(codec);
    guards.set(codec, g);
  }
  return g;
}

const guards = new WeakMap<t.Any, (u: unknown) => boolean>();

function flatGuard(codec: t.Any): (u: unknown) => boolean {
  const fields = recordFields(codec);
  // io-ts's guards are plain functions of their input (no `this`): a leaf is its own guard.
  if (!fields) return codec.is;
  return compiledRecordCheck(
    fields.map(({ key, codec: field, required }) => ({
      key,
      check: guardOf(field as t.Any),
      absent: required ? 'check' : 'pass',
    })),
    null,
  );
}

/** A record codec's fields (see `record`: an exact type over an intersection of a type and a partial), or undefined for another shape. */
function recordFields(
  codec: t.Decoder<unknown, unknown>,
): { key: string; codec: t.Decoder<unknown, unknown>; required: boolean }[] | undefined {
  const inner = codec instanceof t.ExactType ? codec.type : undefined;
  const parts = inner instanceof t.IntersectionType ? (inner.types as t.Decoder<unknown, unknown>[]) : undefined;
  if (!parts?.every((p) => p instanceof t.InterfaceType || p instanceof t.PartialType)) return undefined;
  const out: { key: string; codec: t.Decoder<unknown, unknown>; required: boolean }[] = [];
  for (const part of parts as (t.InterfaceType<t.Props> | t.PartialType<t.Props>)[]) {
    const required = part instanceof t.InterfaceType;
    for (const [key, field] of Object.entries(part.props))
      out.push({ key, codec: field as t.Decoder<unknown, unknown>, required });
  }
  return out;
}

/**
 * One field of a compiled record check: its key, its check, and what an absent (undefined) value
 * gets: `check` (handed to the check, as io-ts's `is` of a required field does), `fail`, or `pass`.
 */
interface FieldCheck {
  readonly key: string;
  readonly check: (u: unknown) => boolean;
  readonly absent: 'check' | 'fail' | 'pass';
}

/**
 * A record's check compiled into one function that reads each field by its name. A loop over a
 * list of keys reads them with computed keys, which V8 answers through its slowest (megamorphic)
 * path on every command and every replayed event; a function of its own per record type reads
 * each field at a site of its own, which stays monomorphic. With `only`, the record may have no
 * own property but those names (what io-ts's exact types strip). The keys are the codecs' own
 * field names, written into the code as JSON string literals; nothing of the input is.
 */
function compiledRecordCheck(fields: readonly FieldCheck[], only: readonly string[] | null): (u: unknown) => boolean {
  const lines = ['if (!isRecord(u)) return false;', 'let v;'];
  fields.forEach(({ key, absent }, i) => {
    const read = `v = u[${JSON.stringify(key)}];`;
    if (absent === 'check') lines.push(`${read} if (!c${i}(v)) return false;`);
    else if (absent === 'fail') lines.push(`${read} if (v === undefined || !c${i}(v)) return false;`);
    else lines.push(`${read} if (v !== undefined && !c${i}(v)) return false;`);
  });
  if (only !== null) {
    const cases = only.map((k) => `case ${JSON.stringify(k)}:`).join(' ');
    lines.push('const names = Object.getOwnPropertyNames(u);');
    lines.push(`for (let i = 0; i < names.length; i++) switch (names[i]) { ${cases} continue; default: return false; }`);
  }
  lines.push('return true;');
  const params = ['isRecord', ...fields.map((_, i) => `c${i}`)];
  const make = new Function(...params, `return function check(u) {\n${lines.join('\n')}\n};`) as (
    ...args: unknown[]
  ) => (u: unknown) => boolean;
  return make(isRecord, ...fields.map((f) => f.check));
}

/** A failure found while decoding: the dotted path of the offending field and what was expected. */
export interface DecodeIssue {
  path: string;
  expected: string;
  actual: string;
  /**
   * What is wrong, in a sentence of its own, where a fault is not a value of the wrong kind (a
   * pipeline file's: "no task 'x' in this dag"); a reader shows it rather than expected and actual.
   */
  message?: string;
}

export function describeValue(u: unknown): string {
  if (u === undefined) return 'nothing';
  let s: string | undefined;
  try {
    s = JSON.stringify(u);
  } catch {
    // Nested deeper than the stack allows (or cyclic): describe it without printing it.
    return Array.isArray(u) ? 'an array nested too deeply to show' : 'an object nested too deeply to show';
  }
  if (s === undefined) return String(u);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function issuesOf(errors: t.Errors, root: string): DecodeIssue[] {
  const seen = new Set<string>();
  const out: DecodeIssue[] = [];
  for (const e of errors) {
    const keys = e.context
      .map((c) => c.key)
      // io-ts reports intersection and union members as numeric keys of the same object: drop them.
      .filter((k, i) => k !== '' && !(i > 0 && /^\d+$/.test(k) && !isArrayContext(e.context[i - 1]?.type)));
    const path = [root, ...keys].join('.');
    const expected = e.message ?? e.context[e.context.length - 1]?.type.name ?? 'a valid value';
    const key = `${path}:${expected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, expected, actual: describeValue(e.value) });
  }
  return out;
}

function isArrayContext(type: t.Decoder<unknown, unknown> | undefined): boolean {
  return type instanceof t.ArrayType || type instanceof t.ReadonlyArrayType;
}

export function formatIssues(issues: DecodeIssue[]): string {
  return issues.map((i) => `${i.path}: expected ${i.expected}, got ${i.actual}`).join('; ');
}

/** A decoded value, or every issue found with the message that lists them. */
export type Decoded<A> = Result<A, { readonly issues: DecodeIssue[]; readonly message: string }>;

/** Decode or return the issues; never throws. */
export function decodeWith<A>(codec: t.Decoder<unknown, A>, u: unknown, root: string): Decoded<A> {
  return decoderOf(codec)(u, root);
}

/**
 * `decodeWith` for one codec, its fast path looked up once: for callers that decode many values
 * with the same codec (replaying a log decodes every event).
 */
export function decoderOf<A>(codec: t.Decoder<unknown, A>): (u: unknown, root: string) => Decoded<A> {
  // Compiled at the first value, not when made: a context's decoders are made as its module
  // loads, and compiling every codec then was a start-up cost for commands that decode none.
  let unchanged: Unchanged | undefined;
  return (u, root) => {
    unchanged ??= unchangedBy(codec);
    if (unchanged(u)) return { ok: true, value: u as A };
    const r = codec.decode(u);
    if (isLeft(r)) {
      const issues = issuesOf(r.left, root);
      return { ok: false, issues, message: formatIssues(issues) };
    }
    return { ok: true, value: r.right };
  };
}

/**
 * A decoder of a union tagged by `type` (a context's commands or events): each type's codec, its
 * fast path looked up once; a value of no known type is one issue at `<what>.type` naming them.
 */
export function decoderByType<A>(
  codecs: Readonly<Record<string, t.Decoder<unknown, unknown>>>,
  what: 'command' | 'event',
): (u: unknown) => Decoded<A> {
  const decoders = new Map(Object.entries(codecs).map(([type, codec]) => [type, decoderOf(codec as t.Decoder<unknown, A>)]));
  return (u) => {
    const type = typeof u === 'object' && u !== null ? (u as { type?: unknown }).type : undefined;
    const decode = typeof type === 'string' ? decoders.get(type) : undefined;
    if (decode === undefined) {
      const issues = [
        { path: `${what}.type`, expected: `one of ${Object.keys(codecs).join(', ')}`, actual: JSON.stringify(type) ?? 'nothing' },
      ];
      return { ok: false, issues, message: formatIssues(issues) };
    }
    return decode(u, type as string);
  };
}

// -- the fast path -------------------------------------------------------------------------------
//
// io-ts decodes a valid value that carries no unknown field to that very value, but it gets there
// slowly: a context object per field, an Either per check, an intersection merged per record. That
// was four fifths of the cost of reading the cluster stream back (decodeEvent + evolve ran at a
// third of evolve's speed). So each codec is also compiled, once, into a plain predicate that says
// "io-ts would return this input itself". When it says yes, that is the result; when it says no
// (an invalid value, an unknown field to strip, or a shape it does not know), io-ts decodes as
// before, so failures and their messages are unchanged.
//
// The predicates must never say yes where io-ts would fail or return something else; they may say
// no where io-ts would succeed. Hence: a union is compiled only when all its members decode values
// to themselves; a required field that is undefined, or a codec kind not listed, falls back.

type Unchanged = (u: unknown) => boolean;

const compiled = new WeakMap<t.Decoder<unknown, unknown>, Unchanged>();
const never: Unchanged = () => false;
const isRecord = (u: unknown): u is Record<string, unknown> => t.UnknownRecord.is(u);

function unchangedBy(codec: t.Decoder<unknown, unknown>): Unchanged {
  let f = compiled.get(codec);
  if (f === undefined) {
    f = compile(codec);
    compiled.set(codec, f);
  }
  return f;
}

/** Whether decoding by this codec returns every value it accepts unchanged (primitives, literals). */
function isLeaf(codec: t.Decoder<unknown, unknown>): boolean {
  if (codec instanceof RefinedType) return true;
  if (codec instanceof t.UnionType) return (codec.types as t.Decoder<unknown, unknown>[]).every(isLeaf);
  return (
    codec instanceof t.StringType ||
    codec instanceof t.NumberType ||
    codec instanceof t.BooleanType ||
    codec instanceof t.NullType ||
    codec instanceof t.LiteralType
  );
}

function compile(codec: t.Decoder<unknown, unknown>): Unchanged {
  if (codec instanceof RefinedType) return codec.is;
  if (codec instanceof t.StringType) return (u) => typeof u === 'string';
  if (codec instanceof t.NumberType) return (u) => typeof u === 'number';
  if (codec instanceof t.BooleanType) return (u) => typeof u === 'boolean';
  if (codec instanceof t.NullType) return (u) => u === null;
  if (codec instanceof t.LiteralType) {
    const value = codec.value;
    return (u) => u === value;
  }
  if (codec instanceof t.UnionType) {
    if (!isLeaf(codec)) return never;
    const members = (codec.types as t.Decoder<unknown, unknown>[]).map(unchangedBy);
    return (u) => {
      for (let i = 0; i < members.length; i++) if ((members[i] as Unchanged)(u)) return true;
      return false;
    };
  }
  if (codec instanceof t.ArrayType) {
    const item = unchangedBy(codec.type);
    return (u) => {
      if (!Array.isArray(u)) return false;
      for (let i = 0; i < u.length; i++) if (!item(u[i])) return false;
      return true;
    };
  }
  if (codec instanceof t.DictionaryType) {
    if (!(codec.domain instanceof t.StringType)) return never;
    const value = unchangedBy(codec.codomain);
    return (u) => {
      if (!isRecord(u)) return false;
      for (const k of Object.keys(u)) if (!value(u[k])) return false;
      return true;
    };
  }
  if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) {
    const absent = codec instanceof t.InterfaceType ? 'fail' : 'pass';
    return compiledRecordCheck(
      Object.entries(codec.props as t.Props).map(([key, field]) => ({ key, check: unchangedBy(field), absent })),
      null,
    );
  }
  if (codec instanceof t.IntersectionType) {
    const members = (codec.types as t.Decoder<unknown, unknown>[]).map(unchangedBy);
    return (u) => {
      for (let i = 0; i < members.length; i++) if (!(members[i] as Unchanged)(u)) return false;
      return true;
    };
  }
  if (codec instanceof t.ExactType) {
    const known = Object.keys(propsOf(codec.type) ?? {});
    if (known.length === 0) return never;
    // A record (see `record`) in one function; io-ts strips every own property it does not know,
    // enumerable or not, so the check says no to any such property.
    const fields = recordFields(codec);
    if (fields) {
      return compiledRecordCheck(
        fields.map(({ key, codec: field, required }) => ({ key, check: unchangedBy(field), absent: required ? 'fail' : 'pass' })),
        known,
      );
    }
    const inner = unchangedBy(codec.type);
    const only = new Set(known);
    return (u) => {
      if (!inner(u)) return false;
      const names = Object.getOwnPropertyNames(u);
      for (let i = 0; i < names.length; i++) if (!only.has(names[i] as string)) return false;
      return true;
    };
  }
  return never;
}

/** The fields an exact codec keeps (io-ts's own notion: interface, partial, intersection of them). */
function propsOf(codec: t.Decoder<unknown, unknown>): t.Props | undefined {
  if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) return codec.props as t.Props;
  if (codec instanceof t.IntersectionType) {
    const all: t.Props = {};
    for (const m of codec.types as t.Decoder<unknown, unknown>[]) {
      const p = propsOf(m);
      if (!p) return undefined;
      Object.assign(all, p);
    }
    return all;
  }
  return undefined;
}
