/**
 * The CommonJS packages the project uses are required through core/vendor/ (see io-ts.ts for
 * why), never imported as values elsewhere; and what the vendor modules give is the packages' own.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as E from './either.js';
import { Heap } from './heap.js';
import * as t from './io-ts.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = /from '(io-ts|fp-ts\/lib\/[^']+|heap-js)'/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'fixtures' ? [] : sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

describe('core/vendor', () => {
  it('is the only place that loads io-ts, fp-ts and heap-js as values', () => {
    const offenders = ['core', 'engine', 'adapters', 'app', 'simulations', 'cli', 'bench']
      .flatMap((dir) => sources(join(ROOT, dir)))
      .filter((file) => !file.includes('/core/vendor/'))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => PACKAGES.test(line) && !line.startsWith('import type '))
          .map((line) => `${relative(ROOT, file)}: ${line}`),
      );
    expect(offenders).toEqual([]);
  });

  it("gives the packages' own values", () => {
    const require = createRequire(import.meta.url);
    const io = require('io-ts');
    expect(t.string).toBe(io.string);
    expect(t.null).toBe(io.null);
    expect(t.InterfaceType).toBe(io.InterfaceType);
    expect(t.type({ a: t.string }).is({ a: 'x' })).toBe(true);
    expect(E.left).toBe(require('fp-ts/lib/Either.js').left);
    expect(E.isLeft(E.left(1))).toBe(true);
    expect(Heap).toBe(require('heap-js').Heap);
  });
});
