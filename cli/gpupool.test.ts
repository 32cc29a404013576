/**
 * The gpupool command as a user runs it: `npx tsx cli/gpupool.ts ...` in a child process. A good
 * run exits 0 and writes its files; bad flags and bad input, and every failure a person can cause
 * (a busy port, a missing file, an unreachable server), exit 2 with one clear line
 * on stderr, `gpupool: ...`, that names what is wrong (and no stack trace).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_STORE as STORE_DEFAULT } from '../adapters/open-store.js';
import { DEFAULT_STORE } from './defaults.js';
import { outputOf, servingUrl } from './test-support/serving.js';

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
function gpupool(args: readonly string[], via: 'npx' | 'node' = 'node', env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  const [command, prefix] = via === 'npx' ? ['npx', ['tsx']] : [process.execPath, ['--import', 'tsx']];
  return new Promise((resolve) => {
    execFile(
      command as string,
      [...(prefix as string[]), 'cli/gpupool.ts', ...args],
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } },
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

it("the CLI's default store is the stores' own (named apart so that --help loads no store)", () => {
  expect(DEFAULT_STORE).toBe(STORE_DEFAULT);
});

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
    expect(jobs[0]).toEqual(['job_id', 'pool', 'gpus', 'submit_time', 'duration', 'start_time', 'end_time', 'status', 'reason']);
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

  it('--no-report writes jobs.csv and summary.json, no report.html', async () => {
    const out = join(dir, 'no-report');
    const r = await gpupool([...simulateArgs(out), '--no-report']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fifo: 60\/60 jobs completed, avg JCT 200\.82 s/m);
    expect(r.stdout).toContain(`wrote jobs.csv and summary.json to ${out}`);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
    expect(rows(readFileSync(join(out, 'jobs.csv'), 'utf8'))).toHaveLength(61);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).overall).toMatchObject({ avgJct: 200.82, avgWait: 22.4 });
  });

  it('a job that can never run: counted on the summary line, and why in the reason column of jobs.csv', async () => {
    const out = join(dir, 'rejected');
    const trace = join(dir, 'too-large.csv');
    writeFileSync(trace, 'job_id,pool,gpus,submit_time,duration\nsmall,main,4,0,10\nlarge,main,32,0,10\n');
    const r = await gpupool([...simulateArgs(out, { '--trace': trace, '--format': 'gpupool' }), '--no-report']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fifo: 1\/2 jobs completed, 1 rejected \(why: the reason column of jobs.csv\), avg JCT 10 s/m);
    expect(rows(readFileSync(join(out, 'jobs.csv'), 'utf8')).slice(1)).toEqual([
      ['small', 'main', '4', '0', '10', '0', '10', 'Complete', ''],
      [
        'large',
        'main',
        '32',
        '0',
        '10',
        '',
        '',
        'Rejected',
        "the job asks for 32 GPUs but pool 'main' has 16: ask for at most 16",
      ],
    ]);
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
      `gpupool: option '--policy <list>' argument 'nope' is invalid. takes a comma-separated list of fifo, sjf, first-fit, backfill; got "nope"`,
      2,
    );
  });

  it('--capacity-scale -1', async () => {
    const out = join(dir, 'scale');
    await fails(
      simulateArgs(out, { '--capacity-scale': '-1' }),
      out,
      "gpupool: option '--capacity-scale <x>' argument '-1' is invalid. --capacity-scale takes a number > 0",
      2,
    );
  });

  it('--seed that is not an integer', async () => {
    const out = join(dir, 'seed');
    await fails(simulateArgs(out, { '--seed': '1.5' }), out, "argument '1.5' is invalid. --seed takes an integer", 2);
  });

  it('an unknown --format', async () => {
    const out = join(dir, 'format');
    await fails(
      simulateArgs(out, { '--format': 'slurm' }),
      out,
      /^gpupool: .*argument 'slurm' is invalid\. Allowed choices are gpupool, tiresias, philly, helios/,
      2,
    );
  });

  it('missing --trace or --cluster: the option named', async () => {
    for (const flag of ['--trace', '--cluster']) {
      const out = join(dir, `no${flag}`);
      const r = await fails(
        simulateArgs(out, { [flag]: null }),
        out,
        `gpupool: required option '${flag} <file>' not specified`,
        2,
      );
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a trace or cluster file that does not exist: the option named', async () => {
    const out = join(dir, 'missing');
    const missing = join(dir, 'no-such-file.csv');
    for (const flag of ['--trace', '--cluster']) {
      const r = await fails(simulateArgs(out, { [flag]: missing }), out, `gpupool: ${flag} ${missing}: no such file`, 2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('an --out that cannot be a folder, refused before the run', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    await fails(simulateArgs(file), join(dir, 'never'), `gpupool: --out ${file}: is a file, not a folder`, 2);
    const under = join(file, 'out');
    await fails(simulateArgs(under), under, `gpupool: --out ${under}: cannot make the folder: ${file} is a file`, 2);
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

/** Exit 2, one `gpupool:` line on stderr, no stack trace, nothing on stdout. */
function refused(r: Exit, line: string | RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  if (typeof line === 'string') expect(r.stderr.trim()).toBe(line);
  else expect(r.stderr.trim()).toMatch(line);
}

/** A store with a served cluster's log in it: the demo cluster installed by one `serve`, stopped. */
async function servedStore(file: string): Promise<void> {
  const server = await startServe(file);
  await server.stop();
}

describe.concurrent('gpupool events and token', () => {
  it('export and token issue refuse a store file that does not exist, and make none', async () => {
    const store = join(dir, 'absent', 'gpupool.db');
    const message = `gpupool: store ${store} does not exist (give --store or GPUPOOL_STORE the file gpupool serve uses)`;
    refused(await gpupool(['events', 'export', join(dir, 'absent.jsonl'), '--store', store]), message);
    refused(await gpupool(['token', 'issue', '--user', 'admin', '--store', store]), message);
    // GPUPOOL_STORE is read the same way as the flag.
    refused(await gpupool(['events', 'export', join(dir, 'absent.jsonl')], 'node', { GPUPOOL_STORE: store }), message);
    expect(existsSync(join(dir, 'absent'))).toBe(false);
    expect(existsSync(join(dir, 'absent.jsonl'))).toBe(false);
  });

  it('import refuses a log file that does not exist, and makes no store', async () => {
    const store = join(dir, 'import-missing.db');
    const log = join(dir, 'no-such-log.jsonl');
    refused(await gpupool(['events', 'import', log, '--store', store]), `gpupool: log file ${log}: no such file`);
    expect(existsSync(store)).toBe(false);
  });

  it('import into a new store works; into one that holds events it says so and changes nothing', async () => {
    const source = join(dir, 'import-source.db');
    await servedStore(source);
    const log = join(dir, 'import.jsonl');
    const exported = await gpupool(['events', 'export', log, '--store', source]);
    expect(exported.code).toBe(0);
    const copy = join(dir, 'import-copy', 'copy.db');
    const imported = await gpupool(['events', 'import', log, '--store', copy]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(new RegExp(`^imported \\d+ events into ${copy}; the log loads to revision \\d+\\n$`));
    refused(
      await gpupool(['events', 'import', log, '--store', source]),
      `gpupool: store ${source} already holds events; import only into an empty store (nothing was imported)`,
    );
    const again = join(dir, 'import-again.jsonl');
    expect((await gpupool(['events', 'export', again, '--store', source])).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(log, 'utf8'));
  });

  it('a failed import into a new store leaves no store behind', async () => {
    const log = join(dir, 'broken.jsonl');
    writeFileSync(log, '{"stream":"s","revision":0,"id":"a","type":"T","data":{}}\nnot json\n');
    const store = join(dir, 'broken.db');
    refused(await gpupool(['events', 'import', log, '--store', store]), `gpupool: ${log}:2: not a JSON object`);
    expect(existsSync(store)).toBe(false);
  });

  it('an EventStoreDB that cannot be reached: one line naming it, its password masked', async () => {
    // A port that was just free: nothing listens on it.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as { port: number };
    await new Promise((r) => probe.close(r));
    const r = await gpupool([
      'events',
      'export',
      join(dir, 'esdb.jsonl'),
      '--store',
      `esdb://admin:secret@127.0.0.1:${port}?tls=false`,
    ]);
    refused(
      r,
      `gpupool: cannot reach EventStoreDB at esdb://admin:***@127.0.0.1:${port}?tls=false: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('token issue: a new token for a user of the store, refused for a user it does not have', async () => {
    const store = join(dir, 'token.db');
    await servedStore(store);
    refused(
      await gpupool(['token', 'issue', '--user', 'nobody', '--store', store]),
      `gpupool: store ${store} has no user 'nobody' (users: admin)`,
    );
    refused(await gpupool(['token', 'issue', '--store', store]), "gpupool: required option '--user <id>' not specified");
    const r = await gpupool(['token', 'issue', '--user', 'admin', '--store', store]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^export GPUPOOL_TOKEN=gpp_[\w-]+\n$/);
    expect(r.stderr).toBe("a new API token for 'admin' (operator); shown once, only its hash is stored:\n");
  });
});

interface Server {
  readonly child: ChildProcess;
  /** What it printed so far. */
  readonly output: () => string;
  readonly url: string;
  readonly token: string | undefined;
  /** SIGINT, and its exit code. */
  stop(): Promise<number | null>;
}

/** Every server started, so that none outlives the tests whatever fails. */
const servers = new Set<ChildProcess>();
afterAll(() => {
  for (const child of servers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** `gpupool serve` on a store and port 0, once it says it is serving. */
async function startServe(store: string, args: string[] = []): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'cli/gpupool.ts', 'serve', '--port', '0', '--store', store, ...args],
    {
      cwd: ROOT,
    },
  );
  servers.add(child);
  const output = outputOf(child);
  const exited = once(child, 'exit');
  const url = await servingUrl(child, output, 'serve');
  // The lines after it (the token) may arrive in a later chunk: wait until the output is quiet.
  for (let seen = -1; seen !== output().length; ) {
    seen = output().length;
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    child,
    output,
    url,
    token: /^ {2}(gpp_\S+)$/m.exec(output())?.[1],
    stop: async () => {
      child.kill('SIGINT');
      const [code] = await exited;
      return code as number | null;
    },
  };
}

const me = async (url: string, token: string) =>
  (await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status;

describe.concurrent('gpupool serve', () => {
  it('a second server on the same store file serves beside the first: one operator token for both, one runtime', async () => {
    const store = join(dir, 'shared.db');
    const first = await startServe(store);
    const second = await startServe(store);
    try {
      // The first start's operator token stands: the second issues none, and it works on both.
      expect(first.token).toMatch(/^gpp_/);
      expect(second.token).toBeUndefined();
      expect(second.output()).not.toContain('registered nodes');
      expect(await me(first.url, first.token as string)).toBe(200);
      expect(await me(second.url, first.token as string)).toBe(200);
      // The first took the leader lease: it alone runs the runtime.
      expect(first.output()).toContain('this server now runs the runtime');
      expect(second.output()).not.toContain('runs the runtime');
      // Reads and token issue still work beside them; a token issued from the store works on both.
      const exported = await gpupool(['events', 'export', join(dir, 'shared.jsonl'), '--store', store]);
      expect(exported.code).toBe(0);
      const issued = await gpupool(['token', 'issue', '--user', 'admin', '--store', store]);
      const token = /GPUPOOL_TOKEN=(\S+)/.exec(issued.stdout)?.[1] as string;
      expect(await me(first.url, token)).toBe(200);
      expect(await me(second.url, token)).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    // The first stopped and released the lease: the second runs the runtime from its next attempt.
    const deadline = Date.now() + 20_000;
    while (!second.output().includes('this server now runs the runtime') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(second.output()).toContain('this server now runs the runtime');
    expect(await second.stop()).toBe(0);
  });

  it('a server that crashed: the next on its store starts at once, and its operator token still stands', async () => {
    const store = join(dir, 'crashed.db');
    const first = await startServe(store);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const next = await startServe(store);
    try {
      expect(next.token).toBeUndefined(); // the same store: its operator token still stands
    } finally {
      expect(await next.stop()).toBe(0);
    }
  });

  it('a port in use: one line naming it; the operator token of that failed first start is not lost', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const { port } = busy.address() as { port: number };
    const store = join(dir, 'busy.db');
    try {
      refused(
        await gpupool(['serve', '--port', String(port), '--store', store]),
        `gpupool: cannot listen on 127.0.0.1:${port}: the port is in use (another server?); stop it or choose another --port`,
      );
    } finally {
      busy.close();
    }
    const server = await startServe(store);
    try {
      expect(server.token).toMatch(/^gpp_/);
      expect(server.output()).toContain(`export GPUPOOL_TOKEN=${server.token}`);
      expect(await me(server.url, server.token as string)).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('--kubernetes without a cluster, with a kubeconfig that is missing or not one, or a bad --namespace: named, the store untouched', async () => {
    const store = join(dir, 'nokube.db');
    const noEnv = { KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' };
    refused(
      await gpupool(['serve', '--port', '0', '--store', store, '--kubernetes'], 'node', noEnv),
      'gpupool: --kubernetes: no Kubernetes cluster: give --kubeconfig, set KUBECONFIG, or run gpupool in a pod',
    );
    const missing = join(dir, 'no-such-kubeconfig');
    refused(
      await gpupool(['serve', '--port', '0', '--store', store, '--kubernetes', '--kubeconfig', missing]),
      `gpupool: --kubeconfig ${missing}: no such file`,
    );
    const garbage = join(dir, 'garbage-kubeconfig');
    writeFileSync(garbage, 'clusters: [\n');
    const r = await gpupool(['serve', '--port', '0', '--store', store, '--kubernetes', '--kubeconfig', garbage]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^gpupool: --kubernetes: kubeconfig "${garbage}" does not read as a kubeconfig: `));
    const ns = await gpupool(['serve', '--port', '0', '--store', store, '--kubernetes', '--namespace', 'nlp=Bad_NS']);
    expect(ns.code).toBe(2);
    expect(ns.stderr).toContain("takes <group>=<namespace> (a DNS label), got 'nlp=Bad_NS'");
    expect(existsSync(store)).toBe(false);
  });

  it('a --cluster file that does not exist: the option named, before the store is touched', async () => {
    const store = join(dir, 'nocluster.db');
    const cluster = join(dir, 'no-such-cluster.yaml');
    refused(
      await gpupool(['serve', '--port', '0', '--store', store, '--cluster', cluster]),
      `gpupool: --cluster ${cluster}: no such file`,
    );
    refused(
      await gpupool(['serve', '--port', '0', '--store', store], 'node', { GPUPOOL_CLUSTER: cluster }),
      `gpupool: --cluster ${cluster}: no such file`,
    );
    expect(existsSync(store)).toBe(false);
  });
});
