/**
 * heap-js's binary heap, required rather than imported as io-ts is and for the same reason
 * (vendor/io-ts.ts): the package's main file is CommonJS.
 */
import { createRequire } from 'node:module';
import type * as HeapJs from 'heap-js';

export const { Heap } = createRequire(import.meta.url)('heap-js') as typeof HeapJs;
export type Heap<T> = HeapJs.Heap<T>;
