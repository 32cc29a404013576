/**
 * The package as someone gets it in their first ten minutes: `npm install` without warnings on the
 * Node versions it claims, `npm start` that stops when told to, a licence that matches
 * package.json, and generated output that neither git nor the linter picks up.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { outputOf, servingUrl } from './test-support/serving.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
};

const dir = mkdtempSync(join(tmpdir(), 'gpupool-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('npm install', () => {
  const locked = Object.entries(lock.packages as Record<string, { version?: string; engines?: { node?: string } }>).filter(
    ([path]) => path !== '',
  );

  it('locks only packages that run on every Node version package.json claims (no EBADENGINE)', () => {
    const claimed: string = pkg.engines.node;
    // The oldest of each major the claim admits, and the Node running this test.
    const versions = [
      ...claimed.split('||').map((part) => semver.minVersion(part.trim())?.version as string),
      process.version.slice(1),
    ];
    expect(versions.every((v) => semver.satisfies(v, claimed))).toBe(true);
    const unsupported = locked.flatMap(([path, m]) => {
      const range = m.engines?.node;
      const failing = range ? versions.filter((v) => !semver.satisfies(v, range)) : [];
      return failing.length > 0
        ? [`${path.replace(/^.*node_modules\//, '')}@${m.version} wants node ${range}, not ${failing}`]
        : [];
    });
    expect(unsupported).toEqual([]);
  });

  it('names every dependency with an install script in allowScripts (no install-scripts warning)', () => {
    const withScripts = locked
      .filter(([, m]) => (m as { hasInstallScript?: boolean }).hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ''));
    expect(withScripts).toContain('better-sqlite3');
    expect(withScripts.filter((name) => !(name in pkg.allowScripts))).toEqual([]);
    // better-sqlite3 needs its native build; the others' scripts are not needed (see the README).
    expect(pkg.allowScripts).toEqual({ 'better-sqlite3': true, esbuild: false, protobufjs: false });
  });
});

describe('npm start', () => {
  it('stops the server on SIGINT sent to the npm process itself (npm runs the script through a shell)', async () => {
    // npm start runs the built server; the build is what `npm install` leaves (prepare).
    expect(existsSync(join(ROOT, 'dist/cli/gpupool.js')), 'dist/ is missing: run npm run build').toBe(true);
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      // A process group of its own, so that a failed test can end all of it (npm, its shell, the server).
      detached: true,
      env: { ...process.env, GPUPOOL_STORE: join(dir, 'start.db'), GPUPOOL_PORT: '0' },
    });
    const output = outputOf(child);
    const exited = once(child, 'exit');
    const url = await servingUrl(child, output, 'npm start', () => {
      if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
    });
    child.kill('SIGINT');
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`npm start still running 15 s after SIGINT:\n${output()}`)), 15_000),
    );
    await Promise.race([exited, timeout]).catch((e) => {
      process.kill(-(child.pid as number), 'SIGKILL');
      throw e;
    });
    // The server itself heard it: it shut down gracefully, and nothing answers on its port.
    expect(output()).toContain('SIGINT: finishing requests in flight and flushing the store...');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('the repository', () => {
  it('ignores generated output in git and in lint: out/ (simulate), data/ (stores), .bench-out/', async () => {
    const probes = ['out', 'data', '.bench-out'].map((folder) => ({ folder, file: `${folder}/.lint-probe-${process.pid}.js` }));
    const made: string[] = [];
    try {
      for (const { folder, file } of probes) {
        if (!existsSync(join(ROOT, folder))) {
          mkdirSync(join(ROOT, folder));
          made.push(folder);
        }
        writeFileSync(join(ROOT, file), 'var unused = 1; debugger;\n'); // lint errors, were it linted
      }
      const files = probes.map((p) => p.file);
      // Git asked about the project's .gitignore in a scratch repository, so this holds outside a clone too.
      const scratch = mkdtempSync(join(dir, 'git-'));
      await run('git', ['init', '-q', scratch]);
      writeFileSync(join(scratch, '.gitignore'), readFileSync(join(ROOT, '.gitignore')));
      expect((await run('git', ['-C', scratch, 'check-ignore', ...files])).stdout.trim().split('\n')).toEqual(files);
      const lint = await run('npx', ['biome', 'check', ...files]);
      expect(lint.stderr + lint.stdout).toContain('These paths were provided but ignored');
      expect(lint.stderr + lint.stdout).not.toMatch(/lint\/|noDebugger|noVar/);
    } finally {
      for (const { file } of probes) rmSync(join(ROOT, file), { force: true });
      for (const folder of made) rmdirSync(join(ROOT, folder));
    }
  });

  it('has the Apache-2.0 licence package.json names, in full, for gpupool authors', () => {
    expect(pkg.license).toBe('Apache-2.0');
    const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    // The terms, word for word: the SHA-256 of https://www.apache.org/licenses/LICENSE-2.0.txt up to its appendix.
    const terms = text.slice(0, text.indexOf('END OF TERMS AND CONDITIONS'));
    expect(createHash('sha256').update(terms).digest('hex')).toBe(
      'ff723b9517cd70824737b1fae68e6007f1f644f59be5e90dd7dac54dc36d0b40',
    );
    expect(text).toMatch(/^ {3}Copyright \d{4} gpupool authors$/m);
  });
});
