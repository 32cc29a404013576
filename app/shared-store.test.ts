/**
 * Two `gpupool serve` processes on one SQLite file, each in a child process of its own
 * (app/test-support/serve-process.ts), started together on a fresh file. Clients submit short
 * training jobs to both under load, and stop some of them; then the server running the runtime
 * (the leader) is killed with SIGKILL. What must hold:
 *
 * - both start (the bootstrap of a fresh file races and neither fails), and both serve reads and
 *   writes; a token issued through one works on the other;
 * - exactly one runs the runtime; the other takes it over within the lease time once the leader
 *   is gone;
 * - every submission answered 201, by either server, is in the log, and the survivor reads it;
 * - no device is ever held by two jobs (none of these jobs is immediate or shared): checked on both
 *   servers' node views while they run, and after every event of the log once they are gone;
 * - no job is left starting, running or stopping by the dead leader: every job ends on the survivor.
 *
 * The cluster: nodes n1..n3 of 4 A100, all in pool `pa` for group `ga`. Runtime delays of 0.1 s,
 * jobs of 0.2 to 0.5 s, a lease of 2 s (renewed every 0.67 s).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import { eventually } from '../adapters/test-support/event-store-contract.js';
import { checkInvariants } from '../core/cluster/invariants.js';
import { createEngine } from '../engine/engine.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = 'app/test-support/serve-process.ts';
const dir = mkdtempSync(join(tmpdir(), 'gpupool-shared-'));
const CLUSTER = join(dir, 'cluster.yaml');
writeFileSync(
  CLUSTER,
  `nodes:\n${['n1', 'n2', 'n3'].map((id) => `  - id: ${id}\n    gpus: { type: A100, count: 4 }`).join('\n')}\n`,
);
const TTL = 2;
const RUNNING = ['Queued', 'WaitingForGPUs', 'Starting', 'Running', 'Training', 'Stopping'];

/** Every child started: killed after the tests, whatever happened. */
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  /** The operator token this start issued, if it issued one. */
  readonly token: string | null;
  /** Whether it says it runs the runtime, and since when (ms, its clock: this host's). */
  leading(): boolean;
  leadingSince(): number | undefined;
  alive: boolean;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** A server on `file` in a child process; resolves once it serves. */
function startServer(name: string, file: string): Promise<Server> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GPUPOOL_')));
  const options = {
    port: 0,
    store: file,
    cluster: CLUSTER,
    launchDelaySeconds: 0.1,
    stopDelaySeconds: 0.1,
    leaderLeaseSeconds: TTL,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(options)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  let buffer = '';
  let leading = false;
  let since: number | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stderr?.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server ${name} did not serve within 60 s; stdout: ${out}; stderr: ${err}`));
    }, 60_000);
    void exited.then((e) => reject(new Error(`server ${name} exited (${e.code ?? e.signal}): ${err}`)));
    child.stdout?.on('data', (d) => {
      out += d;
      buffer += d;
      for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
        const line = JSON.parse(buffer.slice(0, at)) as {
          leading?: boolean;
          at?: number;
          serving?: string;
          token?: string | null;
        };
        buffer = buffer.slice(at + 1);
        if (line.leading !== undefined) {
          leading = line.leading;
          since = line.leading ? line.at : undefined;
        }
        if (line.serving !== undefined) {
          clearTimeout(timer);
          const server: Server = {
            name,
            child,
            url: line.serving,
            token: line.token ?? null,
            leading: () => leading,
            leadingSince: () => since,
            alive: true,
            exited,
            output: () => `${out}${err}`,
          };
          void exited.then(() => {
            server.alive = false;
          });
          resolve(server);
        }
      }
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
type Json = any;

async function call(url: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as Json };
}

async function ok(url: string, token: string, method: string, path: string, body: unknown, status: number): Promise<Json> {
  const r = await call(url, token, method, path, body);
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}

describe('two servers on one store', () => {
  it('both serve under load; the leader is killed; the other takes the runtime over and every job ends', async () => {
    const file = join(dir, 'shared.db');
    // Started together on a fresh file: both bootstrap at once.
    const servers = await Promise.all([startServer('a', file), startServer('b', file)]);
    const [a, b] = servers as [Server, Server];
    const operator = (a.token ?? b.token) as string;
    expect(operator).toMatch(/^gpp_/);
    // One leader, soon.
    await eventually(() => expect(servers.filter((s) => s.leading()).map((s) => s.name)).toHaveLength(1), 20_000, 20);

    // The operator onboards through a; the users' tokens, issued on a, work on b.
    await ok(a.url, operator, 'POST', '/api/v1/pools', { poolId: 'pa', name: 'pool-pa', gpuType: 'A100' }, 201);
    await ok(a.url, operator, 'POST', '/api/v1/pools/pa/allocations', { count: 12 }, 200);
    await ok(a.url, operator, 'POST', '/api/v1/groups', { groupId: 'ga', name: 'group-ga' }, 201);
    await ok(a.url, operator, 'PUT', '/api/v1/groups/ga/pool', { poolId: 'pa' }, 200);
    const tokens: string[] = [];
    for (const userId of ['alice', 'bob']) {
      await ok(a.url, operator, 'POST', '/api/v1/users', { userId, name: userId, role: 'data-scientist', groupId: 'ga' }, 201);
      tokens.push((await ok(a.url, operator, 'POST', `/api/v1/users/${userId}/tokens`, { label: 'load' }, 201)).token);
    }
    // b wrote none of it, and reads it all once it has followed the store to a's last write (bob).
    await eventually(
      async () => expect((await call(b.url, operator, 'GET', '/api/v1/users/bob')).body).toMatchObject({ group: 'ga' }),
      10_000,
      20,
    );
    expect((await ok(b.url, operator, 'GET', '/api/v1/groups/ga', undefined, 200)).pool).toBe('pa');
    for (const token of [operator, ...tokens])
      await eventually(async () => expect((await call(b.url, token, 'GET', '/api/v1/me')).status).toBe(200), 10_000, 20);

    // Watch the devices on every live server: never two holders.
    const doubleBooked: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const s of servers.filter((x) => x.alive)) {
          try {
            const r = await call(s.url, operator, 'GET', '/api/v1/nodes');
            for (const node of r.status === 200 ? r.body : [])
              for (const d of node.devices)
                if (d.holders.length > 1) doubleBooked.push(`${s.name}: ${d.id} held by ${d.holders.join(', ')}`);
          } catch {
            // killed meanwhile
          }
        }
        await sleep(100);
      }
    })();

    // Four clients submit to both servers in turn (to the live one once one is gone) and stop
    // every sixth job they submit through the other.
    const acked = new Map<string, string>(); // job name -> the server that answered 201
    const refusedAnswers: string[] = [];
    let loading = true;
    const client = async (k: number) => {
      const token = tokens[k % tokens.length] as string;
      for (let i = 0; loading; i++) {
        const live = servers.filter((s) => s.alive);
        const s = live[(k + i) % live.length] as Server;
        const name = `c${k}-${i}`;
        const job = { jobId: name, kind: 'training', gpus: 1 + ((k + i) % 2), expectedDuration: 0.2 + (i % 3) * 0.15 };
        try {
          const r = await call(s.url, token, 'POST', '/api/v1/jobs', job);
          if (r.status === 201) acked.set(name, s.name);
          else refusedAnswers.push(`${name} on ${s.name}: ${r.status} ${JSON.stringify(r.body)}`);
          if (r.status === 201 && i % 6 === 5) {
            const other = live[(k + i + 1) % live.length] as Server;
            // The job may have ended already (409): either answer is fine.
            void call(other.url, token, 'POST', `/api/v1/jobs/${name}/stop`).catch(() => {});
          }
        } catch {
          // No answer: the server died with the request in flight. Not acknowledged, so not owed.
        }
        await sleep(150);
      }
    };
    const clients = Promise.all([0, 1, 2, 3].map(client));

    await sleep(2500);
    const leader = servers.find((s) => s.leading()) as Server;
    const survivor = servers.find((s) => s !== leader) as Server;
    expect(survivor.leading()).toBe(false);
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;
    leader.alive = false;
    // What the dead leader's runtime owed: jobs starting, running or stopping (as the survivor reads them).
    const owed = await ok(
      survivor.url,
      operator,
      'GET',
      '/api/v1/jobs?status=Starting,Running,Training,Stopping&visibility=all&limit=1000',
      undefined,
      200,
    );
    expect(owed.length, 'jobs in the middle of their run when the leader died').toBeGreaterThan(0);

    // The survivor takes the runtime over once the lease runs out: at most the ttl after the
    // leader's last renewal, then at its next attempt (a third of the ttl), plus slack for a busy machine.
    await eventually(() => expect(survivor.leading()).toBe(true), 20_000, 20);
    const takeover = ((survivor.leadingSince() as number) - killedAt) / 1000;
    expect(takeover, `took over after ${takeover} s`).toBeLessThan(TTL + TTL / 3 + 2.5);

    await sleep(1500); // load on the survivor alone
    loading = false;
    await clients;
    expect(refusedAnswers).toEqual([]);
    expect([...acked.values()].filter((s) => s === leader.name).length).toBeGreaterThan(5);
    expect([...acked.values()].filter((s) => s === survivor.name).length).toBeGreaterThan(5);

    // Every job ends on the survivor: those the dead leader left starting, running or stopping
    // are picked up by the survivor's runtime.
    const survivorToken = operator;
    await eventually(
      async () => {
        const r = await call(
          survivor.url,
          survivorToken,
          'GET',
          `/api/v1/jobs?status=${RUNNING.join(',')}&visibility=all&limit=1000`,
        );
        expect(r.body.map((j: Json) => `${j.name}:${j.status}`)).toEqual([]);
      },
      45_000,
      200,
    );
    watching = false;
    await watcher;
    expect(doubleBooked).toEqual([]);

    // Among them, those the dead leader left: all ended.
    const left = new Set(owed.map((j: Json) => j.name));

    // The survivor reads every acknowledged submission, the dead server's included.
    const all = (await ok(
      survivor.url,
      survivorToken,
      'GET',
      '/api/v1/jobs?visibility=all&limit=1000',
      undefined,
      200,
    )) as Json[];
    const seen = new Map(all.map((j) => [j.name, j.status]));
    expect([...acked.keys()].filter((name) => !seen.has(name))).toEqual([]);
    expect(new Set([...seen.values()].filter((s) => s !== 'Complete' && s !== 'Stopped'))).toEqual(new Set());
    expect([...seen.values()].filter((s) => s === 'Stopped').length).toBeGreaterThan(0);
    expect([...left].filter((name) => seen.get(name) !== 'Complete' && seen.get(name) !== 'Stopped')).toEqual([]);

    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toEqual({ code: 0, signal: null });

    // The log, once both are gone: every acknowledged job, ended; no device ever held twice.
    const store = new SqliteEventStore(file);
    try {
      const engine = await createEngine({ store });
      for (const name of acked.keys()) expect(['Complete', 'Stopped']).toContain(engine.job(`ga/${name}`)?.status);
      expect(checkInvariants(engine.current as Parameters<typeof checkInvariants>[0])).toEqual([]);
      const decider = engine.decider;
      let state = decider.initialState();
      const twice: string[] = [];
      for (const recorded of await store.read('cluster')) {
        const decoded = decider.decodeEvent(recorded.data);
        if (!decoded.ok) throw new Error(`revision ${recorded.revision} does not decode: ${decoded.message}`);
        state = decider.evolve(state, decoded.value);
        for (const [id, device] of state.devices)
          if (device.holders.length > 1) twice.push(`@${recorded.revision}: ${id} held by ${device.holders.join(', ')}`);
      }
      expect(twice).toEqual([]);
      expect(state.revision).toBe(engine.revision);
    } finally {
      await store.close();
    }
  }, 90_000);
});
