/**
 * `gpupool simulate` on a thread of its own (cli/simulate-thread.ts), as the compiled command runs
 * it: the built CLI in a child process. From the TypeScript sources the command runs on the
 * calling thread, so that run is the reference: the thread's files must be the same, byte for
 * byte (report.html too, which the calling thread renders from the page the thread sends), and its
 * failures read the same.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runSimulateCommand } from '../simulations/command.js';
import { TIRESIAS_TRACE as TRACE, tiresiasSample } from '../simulations/test-support/tiresias.js';
import { simulatesOnThread } from './simulate-thread.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/gpupool.js');
const dir = mkdtempSync(join(tmpdir(), 'gpupool-simulate-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function builtCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

const cluster = join(dir, 'cluster.csv');
writeFileSync(cluster, 'pool,nodes,gpus_per_node\np,2,8\n');

describe('gpupool simulate, compiled', () => {
  it('runs on a thread of its own only when compiled (the sources have no file a thread could load)', () => {
    expect(existsSync(CLI), 'dist/ is missing: run npm run build').toBe(true);
    expect(simulatesOnThread).toBe(false);
  });

  it('writes what the command writes on the calling thread, byte for byte, and the same lines', async () => {
    const here = join(dir, 'here');
    const there = join(dir, 'there');
    const options = tiresiasSample(cluster);
    const lines: string[] = [];
    await runSimulateCommand({ ...options, policies: ['fifo', 'sjf'], out: here, progress: 'plain', log: (l) => lines.push(l) });
    const r = await builtCli([
      'simulate',
      ...['--trace', TRACE, '--format', 'tiresias', '--cluster', cluster, '--placement', 'count'],
      ...['--policy', 'fifo,sjf', '--out', there],
    ]);
    expect(r.stderr).toBe(lines.map((l) => `${l}\n`).join(''));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fifo: 60\/60 jobs completed, avg JCT 200\.82 s/m);
    expect(r.stdout).toMatch(/^sjf: 60\/60 jobs completed/m);
    for (const file of [
      'fifo/jobs.csv',
      'sjf/jobs.csv',
      'fifo/summary.json',
      'sjf/summary.json',
      'summary.json',
      'report.html',
    ]) {
      expect(readFileSync(join(there, file), 'utf8'), file).toBe(readFileSync(join(here, file), 'utf8'));
    }
    expect(readFileSync(join(there, 'report.html'), 'utf8')).toContain('<h2>Comparison</h2>');
  });

  it('one policy: its report.html is the same too, and --no-report writes none', async () => {
    const here = join(dir, 'here-one');
    const there = join(dir, 'there-one');
    const without = join(dir, 'there-no-report');
    const options = tiresiasSample(cluster);
    await runSimulateCommand({ ...options, policies: ['fifo'], out: here, progress: 'none', log: () => {} });
    const args = ['simulate', '--trace', TRACE, '--format', 'tiresias', '--cluster', cluster, '--placement', 'count'];
    const [r, n] = await Promise.all([builtCli([...args, '--out', there]), builtCli([...args, '--no-report', '--out', without])]);
    expect([r.code, n.code]).toEqual([0, 0]);
    for (const file of ['jobs.csv', 'summary.json', 'report.html']) {
      expect(readFileSync(join(there, file), 'utf8'), file).toBe(readFileSync(join(here, file), 'utf8'));
    }
    expect(readFileSync(join(without, 'summary.json'), 'utf8')).toBe(readFileSync(join(here, 'summary.json'), 'utf8'));
    expect(existsSync(join(without, 'report.html'))).toBe(false);
  });

  it("a failure writing the report (rendered on the calling thread) fails the command, after the thread's files", async () => {
    const out = join(dir, 'report-is-a-folder');
    mkdirSync(join(out, 'report.html'), { recursive: true });
    const r = await builtCli(['simulate', '--trace', TRACE, '--format', 'tiresias', '--cluster', cluster, '--out', out]);
    // Not an expected failure: a bug's stack trace, exit 1, as when the thread wrote it.
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EISDIR');
    expect(r.stderr).toContain(join(out, 'report.html'));
    expect(r.stdout).toBe('');
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toContain('"completed": 60');
    expect(existsSync(join(out, 'jobs.csv'))).toBe(true);
  });

  it("a bad trace is the command's one line and exit code 2, not the thread's stack trace", async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'job_id,pool,gpus,submit_time,duration\na,p,x,0,5\n');
    const r = await builtCli(['simulate', '--trace', bad, '--cluster', cluster, '--out', join(dir, 'bad-out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`gpupool: ${bad}:2: column 'gpus': expected an integer >= 0, got "x"\n`);
    expect(r.stdout).toBe('');
  });

  it('a thread started ahead of a command line that ends first (--help, a missing file) keeps nothing waiting', async () => {
    const started = performance.now();
    const help = await builtCli(['simulate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: gpupool simulate');
    const missing = await builtCli(['simulate', '--trace', join(dir, 'nope.csv'), '--cluster', cluster, '--out', join(dir, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`gpupool: --trace ${join(dir, 'nope.csv')}: no such file\n`);
    // Each ends as the command line does, not when a thread is done loading or told to stop.
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
