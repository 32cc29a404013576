/**
 * End to end over a real socket: `serve()` on port 0 and a SQLite file, the realtime runtime with
 * short delays, Node's fetch as the client. An operator onboards groups and users with the
 * bootstrap token, data scientists submit jobs, the event stream (SSE) shows what happens and
 * resumes with Last-Event-ID; concurrent submissions share transactions and are answered only once
 * durable; a restart keeps the state and the tokens; shutdown finishes requests in flight; and the
 * `gpupool serve` command does the same from the command line.
 *
 * The cluster (a YAML file): nodes n1..n3 of 4 A100. Onboarding makes pool `pa` (4 GPUs) for
 * group `ga` (alice and bob) and pool `pb` (4 GPUs) for group `gb` (carol).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent } from '../core/ports.js';
import { createEngine } from '../engine/engine.js';
import { type Served, type ServeOptions, serve } from './serve.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gpupool-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CLUSTER = join(dir, 'cluster.yaml');
writeFileSync(
  CLUSTER,
  `nodes:\n${['n1', 'n2', 'n3'].map((id) => `  - id: ${id}\n    gpus: { type: A100, count: 4 }`).join('\n')}\n`,
);

let files = 0;
const freshFile = () => join(dir, `e2e-${++files}.db`);

/** Servers a test started: closed after it, whatever happened (appends held back let go first). */
const running = new Set<Served>();
const gates = new Set<() => void>();
afterEach(async () => {
  for (const release of gates) release();
  gates.clear();
  await Promise.all([...running].map((s) => s.close()));
  running.clear();
});

async function start(options: Partial<ServeOptions> & Pick<ServeOptions, 'store'>): Promise<Served> {
  const served = await serve({ port: 0, cluster: CLUSTER, launchDelaySeconds: 0.05, stopDelaySeconds: 0.05, ...options });
  running.add(served);
  return served;
}

async function stop(served: Served): Promise<void> {
  await served.close();
  running.delete(served);
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
type Json = any;

interface Response {
  status: number;
  body: Json;
  headers: Headers;
}

/** A client of one server as one token's holder. */
function client(url: string, token: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> => {
    const res = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
  };
}
type Client = ReturnType<typeof client>;

/** Send and check the status; the body. */
async function ok(call: Promise<Response>, status: number): Promise<Json> {
  const r = await call;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}

/** The operator onboards the two groups and their users; each user's token. */
async function onboard(op: Client): Promise<Record<'alice' | 'bob' | 'carol', string>> {
  for (const [pool, group] of [
    ['pa', 'ga'],
    ['pb', 'gb'],
  ] as const) {
    await ok(op('POST', '/api/v1/pools', { poolId: pool, name: `pool-${pool}`, gpuType: 'A100' }), 201);
    expect(await ok(op('POST', `/api/v1/pools/${pool}/allocations`, { count: 4 }), 200)).toMatchObject({ total: 4, free: 4 });
    await ok(op('POST', '/api/v1/groups', { groupId: group, name: `group-${group}` }), 201);
    expect(await ok(op('PUT', `/api/v1/groups/${group}/pool`, { poolId: pool }), 200)).toMatchObject({ pool });
  }
  const tokens: Record<string, string> = {};
  for (const [userId, groupId] of [
    ['alice', 'ga'],
    ['bob', 'ga'],
    ['carol', 'gb'],
  ] as const) {
    const user = await ok(op('POST', '/api/v1/users', { userId, name: userId, role: 'data-scientist', groupId }), 201);
    expect(user).toMatchObject({ id: userId, group: groupId, role: 'data-scientist' });
    const issued = await ok(op('POST', `/api/v1/users/${userId}/tokens`, { label: 'e2e' }), 201);
    tokens[userId] = issued.token;
  }
  return tokens as Record<'alice' | 'bob' | 'carol', string>;
}

interface SseEvent {
  id: number;
  event: string;
  data: Json;
}

/**
 * An open event stream read through fetch: every message parsed into `events`, `until()` to wait
 * for one, `ended` when the server closes the stream.
 */
async function openEvents(url: string, token: string, lastEventId?: number) {
  const abort = new AbortController();
  const res = await fetch(`${url}/api/v1/events`, {
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
      ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }),
    },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: SseEvent[] = [];
  let waiters: (() => void)[] = [];
  const changed = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let ended = false;
  const done = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let at = buffer.indexOf('\n\n');
        while (at >= 0) {
          const message = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const fields: Record<string, string> = {};
          for (const line of message.split('\n')) {
            if (line.startsWith(':')) continue; // a comment: the heartbeat
            const colon = line.indexOf(':');
            const name = colon < 0 ? line : line.slice(0, colon);
            fields[name] = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          }
          if (fields.id !== undefined) {
            events.push({ id: Number(fields.id), event: fields.event as string, data: JSON.parse(fields.data as string) });
          }
          at = buffer.indexOf('\n\n');
        }
        changed();
      }
    } catch (e) {
      if (!abort.signal.aborted) throw e;
    } finally {
      ended = true;
      changed();
    }
  })();
  return {
    events,
    /** The stream's events once `found` holds of them (within `ms`). */
    async until(found: (events: SseEvent[]) => boolean, what: string, ms = 20_000): Promise<SseEvent[]> {
      const deadline = Date.now() + ms;
      while (!found(events)) {
        if (ended) throw new Error(`the stream ended before ${what}; got ${summary(events)}`);
        if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; got ${summary(events)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return events;
    },
    /** Resolves when the server has ended the stream. */
    ended: done,
    close() {
      abort.abort();
    },
  };
}

const summary = (events: SseEvent[]) => events.map((e) => `${e.id}:${e.event}:${nameOf(e.data.jobId) ?? ''}`).join(' ');
/** A job's name from the id its events carry (`<group>/<name>`: names are scoped to the group). */
const nameOf = (jobId: unknown): string => (typeof jobId === 'string' ? jobId.slice(jobId.lastIndexOf('/') + 1) : '');

const has = (type: string, jobId: string) => (events: SseEvent[]) =>
  events.some((e) => e.event === type && nameOf(e.data.jobId) === jobId);

/** Wait until `check` passes (polling), for a state the runtime reaches on its own. */
async function eventually(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A SQLite store whose appends to the cluster stream can be held back, so a request stays in
 * flight (its batch decided, its events not yet written) for as long as a test needs.
 */
function gatedStore(file: string) {
  const inner = new SqliteEventStore(file);
  let gate: Promise<void> | undefined;
  let open = () => {};
  let held = 0;
  const store: EventStore = {
    async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
      if (gate && stream === 'cluster') {
        held++;
        await gate;
      }
      return inner.append(stream, events, expected);
    },
    read: (stream, options) => inner.read(stream, options),
    readAll: (options) => inner.readAll(options),
    subscribe: (stream, options, handler) => inner.subscribe(stream, options, handler),
    readSnapshot: (stream, version) => inner.readSnapshot(stream, version),
    writeSnapshot: (stream, snapshot) => inner.writeSnapshot(stream, snapshot),
    readCheckpoint: (name) => inner.readCheckpoint(name),
    writeCheckpoint: (name, position) => inner.writeCheckpoint(name, position),
    acquireLease: (name, holder, ttlSeconds, now) => inner.acquireLease(name, holder, ttlSeconds, now),
    releaseLease: (name, holder) => inner.releaseLease(name, holder),
    readLease: (name) => inner.readLease(name),
    close: () => inner.close(),
  };
  gates.add(() => {
    gate = undefined;
    open();
  });
  return {
    store,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
    held: () => held,
  };
}

/** `promise`, or a failure naming `what` if it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a new TCP connection to the server's port is refused. */
function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/** No job is on its way to running or stopping: the runtime has nothing left to report. */
const settled = (op: Client) => async () =>
  (await op('GET', '/api/v1/jobs?status=Starting,Stopping&visibility=all&limit=1')).body.length === 0;

describe('gpupool serve end to end', () => {
  it('an operator onboards a group; a data scientist’s waiting job starts when another finishes, seen over the event stream', async () => {
    const served = await start({ store: freshFile() });
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.bootstrapToken?.userId).toBe('admin');
    expect(served.registeredNodes).toEqual(['n1', 'n2', 'n3']);
    const op = client(served.url, served.bootstrapToken?.token as string);
    expect(await ok(op('GET', '/api/v1/me'), 200)).toMatchObject({ id: 'admin', role: 'operator' });
    const tokens = await onboard(op);
    const alice = client(served.url, tokens.alice);
    const carol = client(served.url, tokens.carol);
    expect(await ok(alice('GET', '/api/v1/me'), 200)).toMatchObject({ id: 'alice', group: 'ga', role: 'data-scientist' });
    expect((await alice('GET', '/api/v1/users')).status).toBe(403);

    // Two jobs of 2 GPUs fill pool pa: one that completes after a second, one that runs until stopped.
    const first = await ok(
      alice('POST', '/api/v1/jobs', { jobId: 'train-1', kind: 'training', gpus: 2, expectedDuration: 1 }),
      201,
    );
    expect(first).toMatchObject({ id: 'ga/train-1', name: 'train-1', owner: 'alice', status: 'Starting' });
    await ok(alice('POST', '/api/v1/jobs', { jobId: 'nb-1', kind: 'notebook', gpus: 2 }), 201);
    // Submit until one waits.
    const waiting: string[] = [];
    for (let i = 2; waiting.length < 2 && i < 10; i++) {
      const job = await ok(alice('POST', '/api/v1/jobs', { jobId: `train-${i}`, kind: 'training', gpus: 2 }), 201);
      if (job.status === 'WaitingForGPUs') waiting.push(job.name);
    }
    expect(waiting).toEqual(['train-2', 'train-3']);
    expect((await ok(alice('GET', '/api/v1/jobs/train-2/explain'), 200)).reason.code).toBe('not-enough-free-gpus');
    expect((await ok(alice('GET', '/api/v1/pools/pa/queue'), 200)).map((e: Json) => e.job.name)).toEqual(waiting);

    const stream = await openEvents(served.url, tokens.alice);
    // Another group's work goes on meanwhile; alice's stream must not show it.
    await ok(carol('POST', '/api/v1/jobs', { jobId: 'carol-1', kind: 'training', gpus: 4 }), 201);

    // train-1 completes through the runtime; the scheduler gives its GPUs to train-2, which starts.
    await stream.until(has('JobStarted', 'train-2'), 'JobStarted of train-2');
    const order = stream.events.map((e) => `${e.event}:${nameOf(e.data.jobId)}`);
    expect(order.indexOf('JobCompleted:train-1')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('JobAllocated:train-2')).toBeGreaterThan(order.indexOf('JobCompleted:train-1'));
    expect(order.indexOf('JobStarted:train-2')).toBeGreaterThan(order.indexOf('JobAllocated:train-2'));

    // Alice stops her notebook: once the runtime releases it, train-3 gets its GPUs.
    expect(await ok(alice('POST', '/api/v1/jobs/nb-1/stop'), 200)).toMatchObject({ status: 'Stopping' });
    await stream.until(has('JobAllocated', 'train-3'), 'JobAllocated of train-3');
    const at = (type: string, jobId: string) =>
      stream.events.findIndex((e) => e.event === type && nameOf(e.data.jobId) === jobId);
    expect(at('JobStopped', 'nb-1')).toBeGreaterThanOrEqual(0);
    expect(at('JobAllocated', 'train-3')).toBeGreaterThan(at('JobStopped', 'nb-1'));
    expect((await ok(alice('GET', '/api/v1/jobs/train-3'), 200)).status).toMatch(/^(Starting|Running|Training)$/);
    expect(await ok(alice('GET', '/api/v1/pools/pa/queue'), 200)).toEqual([]);

    // Ids increase one message to the next, and only alice's jobs appear.
    const ids = stream.events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(stream.events.map((e) => nameOf(e.data.jobId)))).toEqual(new Set(['train-1', 'train-2', 'train-3', 'nb-1']));
    stream.close();
  });

  it('a stream resumed with Last-Event-ID gets exactly the events after that id, and only those a data scientist may see', async () => {
    const served = await start({ store: freshFile() });
    const operatorToken = served.bootstrapToken?.token as string;
    const op = client(served.url, operatorToken);
    const tokens = await onboard(op);
    const [alice, bob, carol] = [tokens.alice, tokens.bob, tokens.carol].map((t) => client(served.url, t)) as [
      Client,
      Client,
      Client,
    ];
    await ok(alice('POST', '/api/v1/jobs', { jobId: 'a1', kind: 'training', gpus: 2 }), 201);
    await ok(bob('POST', '/api/v1/jobs', { jobId: 'b-shared', kind: 'notebook', gpus: 1, shared: true }), 201);
    await ok(bob('POST', '/api/v1/jobs', { jobId: 'b-private', kind: 'notebook', gpus: 1, private: true }), 201);
    await ok(carol('POST', '/api/v1/jobs', { jobId: 'c1', kind: 'training', gpus: 2 }), 201);

    // Alice reads from the first event (-1), live once the history is sent, then goes away.
    const first = await openEvents(served.url, tokens.alice, -1);
    await first.until((es) => has('JobStarted', 'a1')(es) && has('JobStarted', 'b-shared')(es), 'a1 and b-shared started');
    first.close();
    await first.ended;
    const n = first.events.at(-1)?.id as number;

    // While she is away: her job waits, bob's shared job stops, others' work goes on.
    expect((await ok(alice('POST', '/api/v1/jobs', { jobId: 'a2', kind: 'training', gpus: 4 }), 201)).status).toBe(
      'WaitingForGPUs',
    );
    await ok(carol('POST', '/api/v1/jobs', { jobId: 'c2', kind: 'notebook', gpus: 1 }), 201);
    await ok(bob('POST', '/api/v1/jobs/b-shared/stop'), 200);
    await ok(bob('POST', '/api/v1/jobs', { jobId: 'b-private-2', kind: 'notebook', gpus: 0, private: true }), 201);
    await ok(bob('POST', '/api/v1/jobs', { jobId: 'b-shared-2', kind: 'notebook', gpus: 0, shared: true }), 201);
    await eventually(settled(op), 'the runtime has reported every job');

    // The whole log, as the operator sees it: every revision once, in order.
    const last = (await ok(op('GET', '/readyz'), 200)).revision as number;
    const all = await openEvents(served.url, operatorToken, -1);
    await all.until((es) => es.at(-1)?.id === last, `revision ${last}`);
    expect(all.events.map((e) => e.id)).toEqual(Array.from({ length: last + 1 }, (_, i) => i));
    all.close();
    const visible = new Set(['a1', 'a2', 'b-shared', 'b-shared-2']);
    const hers = all.events.filter((e) => visible.has(nameOf(e.data.jobId)));
    expect(hers.some((e) => nameOf(e.data.jobId) === 'b-shared-2')).toBe(true);

    // Her first stream: all she may see up to n, nothing else.
    expect(first.events).toEqual(hers.filter((e) => e.id <= n));

    // Resumed after n: exactly what came since, then live events follow without a gap.
    const resumed = await openEvents(served.url, tokens.alice, n);
    const missed = hers.filter((e) => e.id > n);
    expect(missed.map((e) => nameOf(e.data.jobId))).toEqual(expect.arrayContaining(['a2', 'b-shared', 'b-shared-2']));
    await resumed.until((es) => es.length >= missed.length, `${missed.length} missed events`);
    await ok(alice('POST', '/api/v1/jobs', { jobId: 'a3', kind: 'notebook', gpus: 0 }), 201);
    await resumed.until(has('JobSubmitted', 'a3'), 'JobSubmitted of a3');
    const liveAt = resumed.events.findIndex((e) => e.event === 'JobSubmitted' && nameOf(e.data.jobId) === 'a3');
    expect(resumed.events.slice(0, liveAt)).toEqual(missed);
    expect(resumed.events[liveAt]?.id).toBeGreaterThan(last);
    expect(resumed.events.some((e) => !visible.has(nameOf(e.data.jobId)) && nameOf(e.data.jobId) !== 'a3')).toBe(false);
    resumed.close();

    // A bad Last-Event-ID is a problem, not a stream.
    const bad = await fetch(`${served.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${tokens.alice}`, 'last-event-id': 'yesterday' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).code).toBe('invalid-input');
  });

  it('a stream opened while a submission is being written still gets that submission’s events', async () => {
    const gated = gatedStore(freshFile());
    const served = await start({ store: gated.store });
    const tokens = await onboard(client(served.url, served.bootstrapToken?.token as string));
    const alice = client(served.url, tokens.alice);
    gated.hold();
    const submitted = alice('POST', '/api/v1/jobs', { jobId: 'mid', kind: 'notebook', gpus: 1 });
    await eventually(async () => gated.held() > 0, 'the submission reached the store');
    const stream = await openEvents(served.url, tokens.alice);
    gated.release();
    expect((await submitted).status).toBe(201);
    await stream.until(has('JobSubmitted', 'mid'), 'JobSubmitted of mid', 10_000);
    expect(stream.events.slice(0, 2).map((e) => e.event)).toEqual(['JobSubmitted', 'JobAllocated']);
    stream.close();
  });

  it('200 concurrent submissions: each answered 201 once its events are committed, in far fewer transactions', async () => {
    const file = freshFile();
    const store = new SqliteEventStore(file);
    // The runtime stays quiet (a long launch delay): every transaction counted is the submissions'.
    const served = await start({ store, launchDelaySeconds: 600 });
    const tokens = await onboard(client(served.url, served.bootstrapToken?.token as string));
    // A second connection to the file, as another process would read it.
    const reader = new Database(file, { readonly: true });
    const committed = reader.prepare<[string], { n: number }>(
      "SELECT COUNT(*) AS n FROM events WHERE stream = 'cluster' AND type = 'JobSubmitted' AND json_extract(data, '$.jobId') = ?",
    );
    // The client shares the server's event loop: were its 200 connections opened now, one after
    // another, the server would get one request per turn of the loop. Open them first.
    await Promise.all(Array.from({ length: 200 }, async () => (await fetch(`${served.url}/healthz`)).text()));
    const before = { ...store.stats };
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const jobId = `burst-${i}`;
        const res = await fetch(`${served.url}/api/v1/jobs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
          body: JSON.stringify({ jobId, kind: 'notebook', gpus: 0 }),
        });
        // Looked up the moment the answer arrives: the job's events must already be committed.
        const seen = committed.get(`ga/${jobId}`)?.n; // names are scoped to alice's group
        const body = (await res.json()) as Json;
        return { status: res.status, seen, name: body.name };
      }),
    );
    const transactions = store.stats.transactions - before.transactions;
    reader.close();
    expect(answers.filter((a) => a.status !== 201)).toEqual([]);
    expect(answers.filter((a) => a.seen !== 1)).toEqual([]);
    expect(answers.map((a) => a.name)).toEqual(Array.from({ length: 200 }, (_, i) => `burst-${i}`));
    expect(store.stats.appends - before.appends).toBe(transactions);
    expect(transactions, `${transactions} transactions for 200 submissions`).toBeLessThanOrEqual(20);

    // A fresh engine on the file finds every job.
    await stop(served);
    const again = new SqliteEventStore(file);
    try {
      const engine = await createEngine({ store: again });
      for (let i = 0; i < 200; i++) expect(engine.job(`ga/burst-${i}`)).toMatchObject({ owner: 'alice', status: 'Starting' });
    } finally {
      await again.close();
    }
  });

  it('a restart on the same file keeps the state and every token, and issues no new bootstrap token', async () => {
    const file = freshFile();
    const first = await start({ store: file });
    const operatorToken = first.bootstrapToken?.token as string;
    const tokens = await onboard(client(first.url, operatorToken));
    const alice = client(first.url, tokens.alice);
    for (const jobId of ['r1', 'r2', 'r3']) await ok(alice('POST', '/api/v1/jobs', { jobId, kind: 'training', gpus: 2 }), 201);
    await ok(client(first.url, tokens.carol)('POST', '/api/v1/jobs', { jobId: 'c1', kind: 'notebook', gpus: 1 }), 201);
    await eventually(settled(client(first.url, operatorToken)), 'the runtime has reported every job');
    const view = async (url: string) => {
      const op = client(url, operatorToken);
      const paths = ['/api/v1/jobs', '/api/v1/pools', '/api/v1/groups', '/api/v1/users', '/api/v1/nodes'];
      const out: Record<string, Json> = {};
      for (const path of [...paths, '/api/v1/pools/pa/queue', '/api/v1/users/alice/tokens'])
        out[path] = await ok(op('GET', path), 200);
      // How long the oldest job has waited grows with the clock; when it began is the state's.
      for (const pool of out['/api/v1/pools'] as Json[]) delete pool.oldestWaitSeconds;
      out.revision = (await ok(op('GET', '/readyz'), 200)).revision;
      return out;
    };
    const before = await view(first.url);
    expect(before['/api/v1/pools/pa/queue'].map((e: Json) => e.job.name)).toEqual(['r3']);
    await stop(first);

    const second = await start({ store: file });
    expect(second.bootstrapToken).toBeUndefined();
    expect(second.registeredNodes).toEqual([]);
    expect(await view(second.url)).toEqual(before);
    const alice2 = client(second.url, tokens.alice);
    expect(await ok(alice2('GET', '/api/v1/me'), 200)).toMatchObject({ id: 'alice', group: 'ga' });
    // The restarted runtime carries on: stopping r1 lets r3 start.
    await ok(alice2('POST', '/api/v1/jobs/r1/stop'), 200);
    await eventually(async () => (await ok(alice2('GET', '/api/v1/jobs/r3'), 200)).status === 'Training', 'r3 training');
  });

  it('shutdown: a request in flight completes, new connections are refused, open event streams end', async () => {
    const file = freshFile();
    const gated = gatedStore(file);
    const served = await start({ store: gated.store });
    const tokens = await onboard(client(served.url, served.bootstrapToken?.token as string));
    const alice = client(served.url, tokens.alice);
    const stream = await openEvents(served.url, tokens.alice);
    // A client's spare connection that has sent nothing yet: the close must not wait for it.
    const spare = connect({ host: '127.0.0.1', port: Number(new URL(served.url).port) });
    await once(spare, 'connect');
    const spareClosed = once(spare, 'close');
    gated.hold();
    const inFlight = alice('POST', '/api/v1/jobs', { jobId: 'last', kind: 'notebook', gpus: 1 });
    await eventually(async () => gated.held() > 0, 'the submission reached the store');

    let closed = false;
    const closing = served.close().then(() => {
      closed = true;
    });
    await stream.ended;
    await within(spareClosed, 10_000, 'ending the spare connection');
    await eventually(() => refused(served.url), 'the port refuses connections');
    expect(closed).toBe(false); // still waiting for the request in flight
    gated.release();
    const answer = await inFlight;
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ name: 'last', status: 'Starting' });
    // Its connection is not kept alive: the close does not wait out the keep-alive timeout.
    expect(answer.headers.get('connection')).toBe('close');
    await within(closing, 10_000, 'the close');
    running.delete(served);
    expect(await refused(served.url)).toBe(true);

    const again = new SqliteEventStore(file);
    try {
      expect((await createEngine({ store: again })).job('ga/last')).toMatchObject({ owner: 'alice' });
    } finally {
      await again.close();
    }
  });
});

// -- the command line ------------------------------------------------------------------------------

interface ServeProcess {
  child: ChildProcess;
  url: string;
  stdout(): string;
  /** Send a signal; resolves with the exit code and signal. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Servers started from the command line: killed after the test if it did not stop them. */
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

/** `gpupool serve --port 0` as a user runs it; resolves once it prints where it serves. */
function gpupoolServe(store: string): Promise<ServeProcess> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GPUPOOL_')));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'cli/gpupool.ts', 'serve', '--port', '0', '--store', store, '--cluster', CLUSTER],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gpupool serve printed no URL within 30 s; stdout: ${out}; stderr: ${err}`));
    }, 30_000);
    void exited.then((e) => reject(new Error(`gpupool serve exited (${e.code ?? e.signal}): ${err}`)));
    const check = () => {
      const url = /^gpupool serving on (http:\/\/\S+) /m.exec(out)?.[1];
      if (!url || !/^ {2}docs /m.test(out)) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve({
        child,
        url,
        stdout: () => out,
        stop: (signal) => {
          child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout?.on('data', check);
  });
}

describe('gpupool serve, the command', () => {
  it('prints its URL and, on the first start only, the operator’s token; serves the docs; exits 0 on SIGTERM', async () => {
    const store = freshFile();
    const first = await gpupoolServe(store);
    const fetched = await fetch(`${first.url}/docs/json`);
    expect(fetched.status).toBe(200);
    expect(((await fetched.json()) as Json).openapi).toMatch(/^3\./);
    const output = first.stdout();
    expect(output).toContain('registered nodes: n1, n2, n3');
    expect(output.match(/API token \(shown once/g)).toHaveLength(1);
    const token = /^ {2}(gpp_\S+)$/m.exec(output)?.[1] as string;
    expect(token).toBeDefined();
    expect(await ok(client(first.url, token)('GET', '/api/v1/me'), 200)).toMatchObject({ id: 'admin', role: 'operator' });
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(first.stdout()).toContain('SIGTERM: finishing requests in flight');

    const second = await gpupoolServe(store);
    expect(second.stdout()).not.toContain('API token');
    expect(second.stdout()).not.toContain('registered nodes');
    expect(await ok(client(second.url, token)('GET', '/api/v1/me'), 200)).toMatchObject({ id: 'admin' });
    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
