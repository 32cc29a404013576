/**
 * `gpupool simulate` as a user runs it: `npx tsx cli/gpupool.ts simulate ...` in a child process.
 * A good run exits 0 and writes its files; bad flags and bad input exit non-zero with one clear
 * line on stderr that names what is wrong (and no stack trace).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TRACE = join(ROOT, 'simulations/fixtures/tiresias-60/trace.csv');
const EXPECTED = join(ROOT, 'simulations/fixtures/tiresias-60/expected-fifo-16gpu.csv');

const dir = mkdtempSync(join(tmpdir(), 'gpupool-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CLUSTER = join(dir, 'cluster.csv');
writeFileSync(CLUSTER, 'pool,nodes,gpus_per_node\nmain,2,8\n');

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the CLI as a user would: `npx tsx cli/gpupool.ts ...`. The many refusal cases use the same
 * loader without npx's start-up (`node --import tsx`), which is what `npx tsx` comes down to.
 */
function gpupool(args: readonly string[], via: 'npx' | 'node' = 'node'): Promise<Exit> {
  const [command, prefix] = via === 'npx' ? ['npx', ['tsx']] : [process.execPath, ['--import', 'tsx']];
  return new Promise((resolve) => {
    execFile(
      command as string,
      [...(prefix as string[]), 'cli/gpupool.ts', ...args],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The usual flags on the Tiresias sample, with `over` replacing or adding some. */
function simulateArgs(out: string, over: Record<string, string | null> = {}): string[] {
  const flags: Record<string, string | null> = {
    '--trace': TRACE,
    '--format': 'tiresias',
    '--cluster': CLUSTER,
    '--placement': 'count',
    '--policy': 'fifo',
    '--out': out,
    ...over,
  };
  return ['simulate', ...Object.entries(flags).flatMap(([k, v]) => (v === null ? [] : [k, v]))];
}

const rows = (text: string) =>
  text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','));

describe.concurrent('gpupool simulate', () => {
  it('runs the Tiresias sample: exit 0, the figures on stdout, jobs.csv, summary.json, report.html and the event log', async () => {
    const out = join(dir, 'ok');
    const r = await gpupool([...simulateArgs(out), '--events', join(out, 'events.jsonl')], 'npx');
    expect(r.stderr).not.toMatch(/error|Error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^fifo: 60\/60 jobs completed, avg JCT 200\.82 s, p95 JCT \d+ s, avg wait 22\.4 s, utilization [\d.]+%$/m,
    );
    expect(r.stdout).toContain(`wrote ${out}/report.html`);
    // Progress goes to stderr (plain lines when it is not a terminal).
    expect(r.stderr).toContain('fifo: 60/60 jobs submitted');

    const jobs = rows(readFileSync(join(out, 'jobs.csv'), 'utf8'));
    expect(jobs[0]).toEqual(['job_id', 'pool', 'gpus', 'submit_time', 'duration', 'start_time', 'end_time', 'status']);
    const expected = rows(readFileSync(EXPECTED, 'utf8')).slice(1);
    expect(jobs).toHaveLength(61);
    for (const [id, , , , start, end] of expected) {
      const row = jobs.find((j) => j[0] === id);
      expect([row?.[5], row?.[6], row?.[7]]).toEqual([start, end, 'Complete']);
    }
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).overall).toMatchObject({ avgJct: 200.82, avgWait: 22.4 });
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
    const events = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(events[0] as string).type).toBe('Installed');
    expect(events.filter((l) => JSON.parse(l).type === 'JobCompleted')).toHaveLength(60);
  });

  it('runs several policies with a capacity scale: one line each, a folder each', async () => {
    const out = join(dir, 'several');
    const r = await gpupool(simulateArgs(out, { '--policy': 'fifo,sjf', '--capacity-scale': '0.5' }), 'npx');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fifo: 60\/60 jobs completed/m);
    expect(r.stdout).toMatch(/^sjf: 60\/60 jobs completed/m);
    for (const policy of ['fifo', 'sjf']) expect(existsSync(join(out, policy, 'jobs.csv'))).toBe(true);
    const top = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(top.policies.map((s: { policy: string; overall: { gpus: number } }) => [s.policy, s.overall.gpus])).toEqual([
      ['fifo', 8],
      ['sjf', 8],
    ]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('capacity x0.5');
  });

  /** A failed run: non-zero, one clear stderr line, no stack trace, nothing written. */
  async function fails(args: string[], out: string, message: string | RegExp, code?: number) {
    const r = await gpupool(args);
    if (code === undefined) expect(r.code).not.toBe(0);
    else expect(r.code).toBe(code);
    if (typeof message === 'string') expect(r.stderr).toContain(message);
    else expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    return r;
  }

  it('--policy nope', async () => {
    const out = join(dir, 'policy');
    await fails(
      simulateArgs(out, { '--policy': 'nope' }),
      out,
      `error: option '--policy <list>' argument 'nope' is invalid. takes a comma-separated list of fifo, sjf, first-fit, backfill; got "nope"`,
    );
  });

  it('--capacity-scale -1', async () => {
    const out = join(dir, 'scale');
    await fails(
      simulateArgs(out, { '--capacity-scale': '-1' }),
      out,
      "error: option '--capacity-scale <x>' argument '-1' is invalid. --capacity-scale takes a number > 0",
    );
  });

  it('--seed that is not an integer', async () => {
    const out = join(dir, 'seed');
    await fails(simulateArgs(out, { '--seed': '1.5' }), out, "argument '1.5' is invalid. --seed takes an integer");
  });

  it('an unknown --format', async () => {
    const out = join(dir, 'format');
    await fails(
      simulateArgs(out, { '--format': 'slurm' }),
      out,
      /argument 'slurm' is invalid\. Allowed choices are gpupool, tiresias, philly, helios/,
    );
  });

  it('missing --trace', async () => {
    const out = join(dir, 'notrace');
    await fails(simulateArgs(out, { '--trace': null }), out, "error: required option '--trace <file>' not specified");
  });

  it('a trace file that does not exist', async () => {
    const out = join(dir, 'missing');
    const trace = join(dir, 'no-such-trace.csv');
    const r = await fails(simulateArgs(out, { '--trace': trace }), out, `gpupool: cannot read ${trace}: ENOENT`, 2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a malformed trace: the file, line and column of the bad value', async () => {
    const out = join(dir, 'malformed');
    const trace = join(dir, 'malformed.csv');
    writeFileSync(
      trace,
      'job_id,num_gpu,submit_time,iterations,model_name,duration,interval\n0,1,0,606,vgg19,164,30\n1,x,30,133,vgg11,147,23\n',
    );
    const r = await fails(
      simulateArgs(out, { '--trace': trace }),
      out,
      `gpupool: ${trace}:3: column 'num_gpu': expected an integer >= 0, got "x"`,
      2,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a trace of the wrong format: the missing columns', async () => {
    const out = join(dir, 'wrongformat');
    await fails(
      simulateArgs(out, { '--format': 'gpupool' }),
      out,
      /^gpupool: .*trace\.csv:1: a gpupool trace file needs the columns pool, gpus; the header has job_id, num_gpu/m,
      2,
    );
  });

  it('a bad cluster file', async () => {
    const out = join(dir, 'badcluster');
    const bad = join(dir, 'bad-cluster.csv');
    writeFileSync(bad, 'pool,nodes,gpus_per_node\nmain,two,8\n');
    await fails(
      simulateArgs(out, { '--cluster': bad }),
      out,
      `gpupool: ${bad}:2: column 'nodes': expected an integer >= 1, got "two"`,
      2,
    );
  });

  it('a job whose pool the cluster does not have', async () => {
    const out = join(dir, 'unknownpool');
    const trace = join(dir, 'pools.csv');
    writeFileSync(trace, 'job_id,pool,gpus,submit_time,duration\na,main,1,0,5\nb,elsewhere,1,0,5\n');
    const r = await gpupool(simulateArgs(out, { '--trace': trace, '--format': 'gpupool' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("gpupool: job 'b' runs in pool 'elsewhere', which the cluster file does not have (pools: main)");
  });
});
