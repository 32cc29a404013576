import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // The README's examples import the package by name; tests run them against the source.
    alias: [
      { find: /^gpupool$/, replacement: source('./index.ts') },
      { find: /^gpupool\/sqlite$/, replacement: source('./adapters/sqlite/store.ts') },
      { find: /^gpupool\/eventstoredb$/, replacement: source('./adapters/eventstoredb/store.ts') },
      { find: /^gpupool\/http$/, replacement: source('./adapters/http/index.ts') },
      { find: /^gpupool\/app$/, replacement: source('./app/index.ts') },
    ],
  },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'scratch/**'],
    // One file per core. Vitest's default leaves a core for itself (one worker on two cores), but
    // most files here wait on child processes, a browser or sockets, so a worker per core halves
    // the suite's wall time on the two-core CI machine.
    maxWorkers: availableParallelism(),
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
