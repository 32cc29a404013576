import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The README's examples import the package by name; tests run them against the source.
    alias: { gpupool: fileURLToPath(new URL('./index.ts', import.meta.url)) },
  },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'scratch/**'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
