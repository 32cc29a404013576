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
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
