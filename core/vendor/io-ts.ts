/**
 * io-ts, as the project imports it: `import * as t from '../vendor/io-ts.js'` reads as
 * `import * as t from 'io-ts'` does, the same values and types.
 *
 * Why not import io-ts itself: it is a CommonJS package, and an ES module that imports one has
 * Node translate it (parse its source for export names, wrap it as a module), some 15 ms the first
 * time, on the path of every process that loads a codec: `gpupool serve`, every command of the
 * command line, and a simulation's thread, which waits for its modules before it reads its trace.
 * Required, the same package loads in 6 ms (bench/README.md). Its values are taken from the module
 * `require` gives (a value the project starts using is one more name below); its types are
 * io-ts's own, and a class the project also writes as a type is named here as one too.
 */
import { createRequire } from 'node:module';
import type * as IoTs from 'io-ts';

const io = createRequire(import.meta.url)('io-ts') as typeof IoTs;

export type * from 'io-ts';

export const {
  array,
  boolean,
  exact,
  failure,
  identity,
  intersection,
  keyof,
  literal,
  number,
  partial,
  record,
  string,
  success,
  type,
  union,
  UnknownRecord,
} = io;
// `null` is a word a declaration cannot take, but an export name can.
const nullCodec = io.null;

export { nullCodec as null };

export const {
  Type,
  StringType,
  NumberType,
  BooleanType,
  NullType,
  UnknownType,
  LiteralType,
  UnionType,
  ArrayType,
  ReadonlyArrayType,
  DictionaryType,
  ExactType,
  InterfaceType,
  PartialType,
  IntersectionType,
} = io;
// The classes also written as types, with io-ts's own parameters and defaults.
export type Type<A, O = A, I = unknown> = IoTs.Type<A, O, I>;
// biome-ignore lint/suspicious/noExplicitAny: io-ts's own default
export type InterfaceType<P, A = any, O = A, I = unknown> = IoTs.InterfaceType<P, A, O, I>;
// biome-ignore lint/suspicious/noExplicitAny: io-ts's own default
export type PartialType<P, A = any, O = A, I = unknown> = IoTs.PartialType<P, A, O, I>;
