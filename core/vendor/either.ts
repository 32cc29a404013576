/**
 * fp-ts's Either, as the project imports it: `import * as E from '../vendor/either.js'` reads as
 * `import * as E from 'fp-ts/lib/Either.js'` does. Required rather than imported, as io-ts is and
 * for the same reason (vendor/io-ts.ts): fp-ts's `lib` is CommonJS.
 */
import { createRequire } from 'node:module';
import type * as Either from 'fp-ts/lib/Either.js';

const either = createRequire(import.meta.url)('fp-ts/lib/Either.js') as typeof Either;

export type * from 'fp-ts/lib/Either.js';

export const { isLeft, isRight, left, right } = either;
