/**
 * What `gpupool serve` loads before it knows it runs on Kubernetes: the Kubernetes client is some
 * 0.4 s of module loading, so a server on its cluster file must not reach it through a static
 * import. This walks the static value imports from app/serve.ts (not `import type`, not dynamic
 * `import()`) across the project's own files, and names the path to any that does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The static value imports of a source file: relative ones as .ts paths, packages by name. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const files: string[] = [];
  const packages: string[] = [];
  // `import x from '...'`, `import { a, type B } from '...'`, `export ... from '...'`, `import '...'`;
  // not `import type ...` and not `export type ...`.
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'([^']+)';/gms)) {
    const spec = m[1] as string;
    if (spec.startsWith('.')) files.push(join(dirname(file), spec.replace(/\.js$/, '.ts')));
    else packages.push(spec);
  }
  return { files: files.filter(existsSync), packages };
}

/** Every file and package app/serve.ts reaches by static imports, each with the path it was reached by. */
function reached(from: string): Map<string, string[]> {
  const paths = new Map<string, string[]>([[from, [from]]]);
  const queue = [from];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const path = paths.get(file) as string[];
    const { files, packages } = importsOf(file);
    for (const p of packages) if (!paths.has(p)) paths.set(p, [...path, p]);
    for (const f of files) {
      if (paths.has(f)) continue;
      paths.set(f, [...path, f]);
      queue.push(f);
    }
  }
  return paths;
}

describe('gpupool serve, before it knows where it runs', () => {
  const paths = reached(join(ROOT, 'app', 'serve.ts'));
  const shown = (key: string) => (paths.get(key) ?? []).map((p) => (p.startsWith(ROOT) ? relative(ROOT, p) : p)).join(' -> ');

  it('does not load the Kubernetes client or the Kubernetes adapters', () => {
    const kubernetes = [...paths.keys()].filter((k) => k.startsWith('@kubernetes/') || k.includes(`${join('adapters', 'k8s')}/`));
    expect(kubernetes.map(shown)).toEqual([]);
  });

  it('does load what every server needs (the walk finds static imports at all)', () => {
    expect(paths.has('fastify')).toBe(true);
    expect(paths.has(join(ROOT, 'adapters', 'http', 'server.ts'))).toBe(true);
    expect(paths.has(join(ROOT, 'engine', 'engine.ts'))).toBe(true);
  });
});
