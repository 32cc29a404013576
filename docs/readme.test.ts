/**
 * The README's embedding example must run as written: this test extracts it and runs it against
 * the source (vitest maps the package name to index.ts), checking what it prints.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  /** The `n`th TypeScript example of the Embedding section, run as written; what it printed. */
  async function runExample(n: number, adapt = (code: string, _dir: string) => code): Promise<string[]> {
    const code = readme.split('## Embedding')[1]?.split('## ')[0]?.split('```ts')[n]?.split('```')[0];
    expect(code).toBeDefined();
    const dir = mkdtempSync(join(new URL('.', import.meta.url).pathname, '.readme-'));
    const file = join(dir, 'example.ts');
    writeFileSync(file, adapt(code as string, dir));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import(file);
      return log.mock.calls.map((c) => c.join(' '));
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
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

  it('the HTTP embedding example runs as written (its database in a temporary directory)', async () => {
    const printed = await runExample(2, (code, dir) => code.replace("'data/embedded.db'", JSON.stringify(join(dir, 'e.db'))));
    expect(printed).toEqual(['operator']);
  });
});
