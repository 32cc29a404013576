/**
 * The README's embedding examples must run as written: this test extracts them and runs them
 * against the source (vitest maps the package name to index.ts), checking what they print. They
 * run in an empty temporary directory as their working directory, as a reader's fresh project
 * would be, with no path in them rewritten.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('quick start is exactly two commands: install and run the demo, then the tests', () => {
    const quick = readme.split('## Quick start')[1]?.split('```sh')[1]?.split('```')[0] ?? '';
    const commands = quick
      .trim()
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim());
    expect(commands).toEqual(['npm install && npm start', 'npm test']);
  });

  /**
   * The `n`th TypeScript example of the Embedding section, run as written in an empty working
   * directory; what it printed, and that directory (removed after `inspect` has looked at it).
   */
  async function runExample(n: number, inspect: (cwd: string) => void = () => {}): Promise<string[]> {
    const code = readme.split('## Embedding')[1]?.split('## ')[0]?.split('```ts')[n]?.split('```')[0];
    expect(code).toBeDefined();
    // The example's file sits beside this test, where vitest resolves the package name for it.
    const dir = mkdtempSync(join(new URL('.', import.meta.url).pathname, '.readme-'));
    const file = join(dir, 'example.ts');
    writeFileSync(file, code as string);
    const cwd = mkdtempSync(join(tmpdir(), 'gpupool-readme-'));
    const before = process.cwd();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      process.chdir(cwd);
      await import(file);
      inspect(cwd);
      return log.mock.calls.map((c) => c.join(' '));
    } finally {
      process.chdir(before);
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
    }
  }

  it('embedding example runs as written and prints what its comments say', async () => {
    expect(await runExample(1)).toEqual([
      'true',
      'Starting',
      'not-enough-free-gpus',
      'Starting',
      "the job asks for 8 GPUs but pool 'llm' has 4: ask for at most 4",
    ]);
  });

  it('the HTTP embedding example runs as written, making the folder of its database as serve does', async () => {
    const printed = await runExample(2, (cwd) => expect(existsSync(join(cwd, 'data/embedded.db'))).toBe(true));
    expect(printed).toEqual(['operator']);
  });

  it('uses the token variable the server prints (GPUPOOL_TOKEN), and says how to get a lost one back', () => {
    const firstJob = readme.split('## Your first job over HTTP')[1]?.split('\n## ')[0] ?? '';
    expect(firstJob).toContain('export GPUPOOL_TOKEN=gpp_...');
    expect(firstJob).toContain('api $GPUPOOL_TOKEN -X POST');
    expect(readme).not.toMatch(/\$OP\b|export OP=/);
    expect(readme).toContain('npx gpupool token issue --user admin');
  });

  it('links the operations guide, which runs the server under systemd and in a container with node as the process', () => {
    expect(readme).toContain('[docs/operations.md](docs/operations.md)');
    const ops = readFileSync(new URL('./operations.md', import.meta.url), 'utf8');
    expect(ops).toContain('ExecStart=/usr/bin/node dist/cli/gpupool.js serve');
    expect(ops).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(ops).toContain('CMD ["node", "dist/cli/gpupool.js", "serve"]');
    expect(ops).toContain('docker run --init');
  });
});
