/**
 * The dashboard's build: a single page (hash routes, so the server serves `/` and `/assets/*` only)
 * bundled into dist/web, where `gpupool serve` serves it. Everything is bundled: it works offline.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    // Hashed file names: the server caches them for a year, and index.html not at all.
    assetsDir: 'assets',
    // The budget that matters is compressed (250 KB for JS and CSS, measured by bench/dashboard.ts);
    // the one bundle is about 400 KB before compression.
    chunkSizeWarningLimit: 600,
  },
});
