/**
 * The engine (docs/architecture.md, "A command's path through the engine"; design 3): loading by
 * replay, execute and its untrusted twin, explicit batches, group commit, revision conflicts between
 * two engines, store failures, subscribers, time travel, corrupt events, idempotency, queries and
 * the default event ids.
 */
import * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import type { CommandOutcome } from '../core/cluster/batch.js';
import { decodeEvent, type Event } from '../core/cluster/events.js';
import { checkInvariants } from '../core/cluster/invariants.js';
import type { State } from '../core/cluster/model.js';
import {
  completed,
  cordon,
  createGroup,
  install,
  onboard,
  registerNode,
  release,
  started,
  submit,
  teamSetup,
  withId,
} from '../core/cluster/test-support/given.js';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent } from '../core/ports.js';
import {
  type Appended,
  CLUSTER_STREAM,
  ConflictRetriesExhaustedError,
  CorruptEventError,
  createEngine,
  type Engine,
  uuidSequence,
} from './engine.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, randomUUID: vi.fn(actual.randomUUID) };
});

afterEach(() => {
  vi.mocked(crypto.randomUUID).mockClear();
});

// ---------------------------------------------------------------------------------------------
// Fixtures

/** Two nodes of 4 A100s, all 8 GPUs in pool 'p' (fifo, node placement) serving group 'g' with user 'u'. */
const SETUP = teamSetup();

/** A clock the test moves. */
function testClock(start = 100) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

interface AppendCall {
  stream: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  result?: AppendResult;
  error?: unknown;
}

/**
 * A store that delegates to an in-memory one and records every append; `around` may replace an
 * append (to delay it, fail it, or fail it after it landed).
 */
class RecordingStore implements EventStore {
  readonly calls: AppendCall[] = [];
  around?: (call: AppendCall, append: () => Promise<AppendResult>) => Promise<AppendResult>;

  constructor(readonly inner: InMemoryEventStore = new InMemoryEventStore()) {}

  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const call: AppendCall = { stream, events, expected };
    this.calls.push(call);
    const append = () => this.inner.append(stream, events, expected);
    try {
      call.result = await (this.around ? this.around(call, append) : append());
      return call.result;
    } catch (e) {
      call.error = e;
      throw e;
    }
  }
  read: EventStore['read'] = (s, o) => this.inner.read(s, o);
  readAll: EventStore['readAll'] = (o) => this.inner.readAll(o);
  subscribe: EventStore['subscribe'] = (s, o, h) => this.inner.subscribe(s, o, h);
  readSnapshot: EventStore['readSnapshot'] = (s, v) => this.inner.readSnapshot(s, v);
  writeSnapshot: EventStore['writeSnapshot'] = (s, snap) => this.inner.writeSnapshot(s, snap);
  readCheckpoint: EventStore['readCheckpoint'] = (n) => this.inner.readCheckpoint(n);
  writeCheckpoint: EventStore['writeCheckpoint'] = (n, p) => this.inner.writeCheckpoint(n, p);
  acquireLease: EventStore['acquireLease'] = (n, h, ttl, now) => this.inner.acquireLease(n, h, ttl, now);
  releaseLease: EventStore['releaseLease'] = (n, h) => this.inner.releaseLease(n, h);
  readLease: EventStore['readLease'] = (n) => this.inner.readLease(n);
  close: EventStore['close'] = () => this.inner.close();
}

async function engineWith(store: EventStore = new InMemoryEventStore(), clock = testClock()): Promise<Engine> {
  const engine = await createEngine({ store, clock });
  const r = await engine.executeBatch(SETUP);
  const refused = r.outcomes.flatMap((o, i) => (o.ok ? [] : [`${SETUP[i]?.type}: ${o.rejection.message}`]));
  expect(refused).toEqual([]);
  return engine;
}

/** What the store holds for the cluster stream, decoded. */
async function storedEvents(store: EventStore, stream = CLUSTER_STREAM): Promise<Event[]> {
  return (await store.read(stream)).map((r) => {
    const d = decodeEvent(r.data);
    if (!d.ok) throw new Error(d.message);
    return d.value;
  });
}

async function lastRevision(store: EventStore, stream = CLUSTER_STREAM): Promise<number> {
  const [last] = await store.read(stream, { direction: 'backwards', maxCount: 1 });
  return last === undefined ? -1 : Number(last.revision);
}

/** A comparable view of a state through its read models (Maps and derived indexes aside). */
function view(s: Readonly<State>) {
  return {
    revision: s.revision,
    now: s.now,
    jobs: [...s.jobs.values()].sort((a, b) => a.seq - b.seq),
    devices: [...s.devices.values()].map((d) => ({ id: d.id, pool: d.pool, holders: [...d.holders] })),
    pools: [...s.pools.values()],
    groups: [...s.groups.values()],
    users: [...s.users.values()],
    nodes: [...s.nodes.values()],
    queues: [...s.queues].map(([g, q]) => [g, [...q.immediate], q.entries.map((e) => e.id)]),
    commands: [...s.commands],
  };
}

function accepted(o: CommandOutcome): Event[] {
  if (!o.ok) throw new Error(`rejected: ${o.rejection.code}: ${o.rejection.message}`);
  if (o.duplicate) throw new Error('answered as a duplicate');
  return [...o.events];
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Replay a log independently of the core's bookkeeping and list every moment a device was given
 * to a job while another (non-sharing) job held it.
 */
function doubleAllocations(events: readonly Event[]): string[] {
  const holder = new Map<string, string>();
  const held = new Map<string, readonly string[]>();
  const out: string[] = [];
  for (const e of events) {
    if (e.type === 'JobAllocated') {
      for (const d of e.devices) {
        const other = holder.get(d);
        if (other !== undefined && !e.shared.includes(d)) out.push(`${d} given to ${e.jobId} while ${other} held it`);
        holder.set(d, e.jobId);
      }
      held.set(e.jobId, e.devices);
    } else if (e.type === 'JobCompleted' || e.type === 'JobFailed' || e.type === 'JobStopped') {
      for (const d of held.get(e.jobId) ?? []) if (holder.get(d) === e.jobId) holder.delete(d);
      held.delete(e.jobId);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

describe('loading by replay', () => {
  it('a second engine on the same store rebuilds the same state', async () => {
    const store = new InMemoryEventStore();
    const clock = testClock();
    const a = await engineWith(store, clock);
    clock.t = 110;
    accepted(await a.execute(submit('j1', 4)));
    accepted(await a.execute(submit('j2', 8, { workers: 2, priority: 3 })));
    clock.t = 120;
    accepted(await a.execute(started('j1')));
    accepted(await a.execute(submit('j3', 2, { tags: ['nlp'] })));
    clock.t = 130;
    accepted(await a.execute(completed('j1')));

    const b = await createEngine({ store });
    expect(b.revision).toBe(a.revision);
    expect(b.revision).toBe(await lastRevision(store));
    expect(view(b.current)).toEqual(view(a.current));
    expect(checkInvariants(b.current)).toEqual([]);
    expect(b.pools()).toEqual(a.pools());
    expect(b.queue('p')).toEqual(a.queue('p'));
    expect(b.job('j2')?.status).toBe('Starting');
    expect(b.job('j3')?.status).toBe('WaitingForGPUs');
  });

  it('an engine on an empty store starts from the initial state', async () => {
    const engine = await createEngine({ store: new InMemoryEventStore() });
    expect(engine.revision).toBe(-1);
    expect(engine.current.installed).toBe(false);
    expect(engine.pools().map((p) => p.id)).toEqual(['default']);
  });

  it('the engine works on its own stream and leaves others alone', async () => {
    const store = new InMemoryEventStore();
    await store.append('other', [{ id: 'x', type: 'Unrelated', data: { nonsense: true } }], 'no_stream');
    const engine = await createEngine({ store, stream: 'cluster-b', clock: testClock() });
    accepted((await engine.executeBatch([install()])).outcomes[0] as CommandOutcome);
    expect(engine.stream).toBe('cluster-b');
    expect((await store.read('cluster-b')).map((r) => r.type)).toEqual(['Installed']);
    expect(await store.read(CLUSTER_STREAM)).toEqual([]);
  });

  it('loads a log longer than one read page, and time-travels across the page boundary', async () => {
    const store = new InMemoryEventStore();
    const engine = await engineWith(store);
    // 0-GPU jobs are placed at once: each gives JobSubmitted and JobAllocated, 12,000 events in all.
    const jobs = Array.from({ length: 6000 }, (_, i) => submit(`z${i}`, 0));
    const r = await engine.executeBatch(jobs);
    expect(r.outcomes.every((o) => o.ok)).toBe(true);
    expect(engine.revision).toBeGreaterThan(10_000);

    const again = await createEngine({ store });
    expect(again.revision).toBe(engine.revision);
    expect(again.jobs().length).toBe(6000);
    expect(view(again.current)).toEqual(view(engine.current));

    for (const at of [9_999, 10_000, 10_001]) expect((await engine.stateAt(at)).revision).toBe(at);
  });
});

describe('durableRevision', () => {
  it('stays at the last acknowledged event while a batch is being written, and catches up once it is', async () => {
    const store = new InMemoryEventStore();
    const engine = await engineWith(store);
    const before = engine.revision;
    expect(engine.durableRevision).toBe(before);
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const append = store.append.bind(store);
    store.append = async (...args) => {
      await gate;
      return append(...args);
    };
    const pending = engine.execute(submit('j1', 1));
    await new Promise((r) => setTimeout(r, 10));
    expect(engine.revision).toBeGreaterThan(before); // decided and folded
    expect(engine.durableRevision).toBe(before); // not yet written
    release();
    accepted(await pending);
    expect(engine.durableRevision).toBe(engine.revision);
  });
});

describe('execute', () => {
  it('returns the outcome with the command’s events, stamped; the scheduler’s follow in the log', async () => {
    const clock = testClock();
    const store = new InMemoryEventStore();
    const engine = await engineWith(store, clock);
    const before = engine.revision;
    clock.t = 150;
    const outcome = await engine.execute(submit('j1', 2, { kind: 'notebook' }));
    expect(outcome).toEqual({
      ok: true,
      duplicate: false,
      events: [
        {
          type: 'JobSubmitted',
          v: 1,
          at: 150,
          jobId: 'j1',
          kind: 'notebook',
          owner: 'u',
          group: 'g',
          gpus: 2,
          gpuType: null,
          workers: 1,
          priority: 0,
          tags: [],
          expectedDuration: null,
          immediate: false,
          spec: null,
          clonedFrom: null,
        },
      ],
    });
    const log = await storedEvents(store);
    expect(log.slice(before + 1)).toEqual([
      accepted(outcome)[0],
      { type: 'JobAllocated', v: 1, at: 150, jobId: 'j1', poolId: 'p', devices: ['n1/0', 'n1/1'], shared: [], nodes: ['n1'] },
    ]);
    expect(engine.revision).toBe(before + 2);
    expect(engine.job('j1')?.status).toBe('Starting');
  });

  it('a rejected command is answered as a value and appends nothing', async () => {
    const store = new RecordingStore();
    const engine = await engineWith(store);
    const appends = store.calls.length;
    const revision = engine.revision;
    const outcome = await engine.execute(submit('j1', 2, { owner: 'nobody' }));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.rejection.code).toBe('not-found');
      expect(outcome.rejection.message).toContain('nobody');
    }
    expect(store.calls.length).toBe(appends);
    expect(engine.revision).toBe(revision);
    expect(await lastRevision(store)).toBe(revision);
  });
});

describe('executeUnknown', () => {
  it('decodes and runs a valid command', async () => {
    const engine = await engineWith();
    const outcome = await engine.executeUnknown(
      JSON.parse('{"type":"SubmitJob","jobId":"j1","kind":"training","owner":"u","gpus":1}'),
    );
    expect(accepted(outcome).map((e) => e.type)).toEqual(['JobSubmitted']);
    expect(engine.job('j1')?.status).toBe('Starting');
  });

  it.each([
    ['a bad field', { type: 'SubmitJob', jobId: 'j1', kind: 'training', owner: 'u', gpus: -1 }, 'SubmitJob.gpus'],
    ['a missing field', { type: 'SubmitJob', jobId: 'j1', kind: 'training', gpus: 1 }, 'SubmitJob.owner'],
    ['a bad enum', { type: 'SubmitJob', jobId: 'j1', kind: 'sleeping', owner: 'u', gpus: 1 }, 'SubmitJob.kind'],
    [
      'a bad array item',
      { type: 'SubmitJob', jobId: 'j1', kind: 'training', owner: 'u', gpus: 1, tags: ['a', 7] },
      'SubmitJob.tags.1',
    ],
    ['an unknown type', { type: 'LaunchMissiles' }, 'command.type'],
    ['not an object', 'SubmitJob', 'command'],
    ['null', null, 'command'],
  ])('rejects %s with invalid-command naming the field path, leaving the store untouched', async (_what, input, path) => {
    const store = new RecordingStore();
    const engine = await engineWith(store);
    const appends = store.calls.length;
    const log = await store.readAll();
    const outcome = await engine.executeUnknown(input);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.rejection.code).toBe('invalid-command');
    expect(outcome.rejection.message.startsWith(`${path}: expected`)).toBe(true);
    expect(store.calls.length).toBe(appends);
    expect(await store.readAll()).toEqual(log);
    expect(engine.job('j1')).toBeUndefined();
  });
});

describe('executeBatch', () => {
  it('decides in order and schedules once at the end', async () => {
    const store = new InMemoryEventStore();
    const engine = await engineWith(store);
    // j0 holds all 8 GPUs.
    accepted(await engine.execute(submit('j0', 8, { workers: 2 })));
    expect(engine.job('j0')?.status).toBe('Starting');
    const before = engine.revision;

    const r = await engine.executeBatch(
      [
        release('jx'), // no such job yet: decided before the submission below
        submit('jx', 1),
        submit('j1', 4), // would wait if the scheduler ran now
        release('j0'), // frees 8 GPUs
        release('j1'), // j1 is still Queued: nothing scheduled it yet
      ],
      { at: 500 },
    );
    expect(r.outcomes.map((o) => (o.ok ? 'ok' : o.rejection.code))).toEqual([
      'not-found',
      'ok',
      'ok',
      'ok',
      'invalid-transition',
    ]);
    const last = r.outcomes[4];
    expect(!last?.ok && last?.rejection.message).toContain('Queued');
    expect(r.events.map((e) => `${e.type}:${'jobId' in e ? e.jobId : ''}`)).toEqual([
      'JobSubmitted:jx',
      'JobSubmitted:j1',
      'JobStopped:j0',
      'JobAllocated:jx',
      'JobAllocated:j1',
    ]);
    expect(r.events.every((e) => e.at === 500)).toBe(true);
    expect(r.events.some((e) => e.type === 'JobWaiting')).toBe(false);
    expect((await storedEvents(store)).slice(before + 1)).toEqual(r.events);
    expect(engine.job('j1')?.status).toBe('Starting');
  });

  it('the same commands one by one hold the job back first (the contrast)', async () => {
    const engine = await engineWith();
    accepted(await engine.execute(submit('j0', 8, { workers: 2 })));
    const r1 = await engine.executeBatch([submit('j1', 4)]);
    expect(r1.events.map((e) => e.type)).toEqual(['JobSubmitted', 'JobWaiting']);
    const r2 = await engine.executeBatch([release('j0')]);
    expect(r2.events.map((e) => e.type)).toEqual(['JobStopped', 'JobAllocated']);
  });

  it('an empty or all-rejected batch appends nothing', async () => {
    const store = new RecordingStore();
    const engine = await engineWith(store);
    const appends = store.calls.length;
    expect(await engine.executeBatch([])).toEqual({ outcomes: [], events: [] });
    const r = await engine.executeBatch([release('nope'), started('nope')]);
    expect(r.events).toEqual([]);
    expect(r.outcomes.every((o) => !o.ok)).toBe(true);
    expect(store.calls.length).toBe(appends);
  });
});

describe('group commit', () => {
  it('execute calls that arrive while a batch is being written go out together in one append', async () => {
    const store = new RecordingStore();
    const engine = await engineWith(store);
    const gate = deferred();
    store.around = async (_call, append) => {
      await gate.promise;
      return append();
    };
    const seen: Appended[] = [];
    engine.subscribe((a) => seen.push(a));
    const appendsBefore = store.calls.length;

    const first = engine.execute(submit('j1', 1));
    await Promise.resolve();
    expect(store.calls.length).toBe(appendsBefore + 1); // j1's batch is being written
    const rest = [engine.execute(submit('j2', 1)), engine.execute(submit('j3', 1)), engine.execute(release('nope'))];
    await new Promise((r) => setTimeout(r, 10));
    expect(store.calls.length).toBe(appendsBefore + 1); // the others wait for it
    gate.resolve();
    const outcomes = await Promise.all([first, ...rest]);

    const calls = store.calls.slice(appendsBefore);
    expect(calls.length).toBe(2);
    const jobsOf = (c: AppendCall) => c.events.map((e) => `${e.type}:${(e.data as { jobId: string }).jobId}`);
    expect(jobsOf(calls[0] as AppendCall)).toEqual(['JobSubmitted:j1', 'JobAllocated:j1']);
    expect(jobsOf(calls[1] as AppendCall)).toEqual(['JobSubmitted:j2', 'JobSubmitted:j3', 'JobAllocated:j2', 'JobAllocated:j3']);
    // Each caller gets its own outcome.
    expect(outcomes.map((o) => (o.ok ? (o.duplicate ? 'dup' : o.events.map((e) => e.type).join()) : o.rejection.code))).toEqual([
      'JobSubmitted',
      'JobSubmitted',
      'JobSubmitted',
      'not-found',
    ]);
    expect(accepted(outcomes[1] as CommandOutcome)[0]).toMatchObject({ jobId: 'j2' });
    expect(accepted(outcomes[2] as CommandOutcome)[0]).toMatchObject({ jobId: 'j3' });
    // One notification per append.
    expect(seen.map((a) => a.events.length)).toEqual([2, 4]);
  });

  it('an explicit batch is never merged with other commands', async () => {
    const store = new RecordingStore();
    const engine = await engineWith(store);
    const gate = deferred();
    store.around = async (_call, append) => {
      await gate.promise;
      return append();
    };
    const appendsBefore = store.calls.length;
    const all = [engine.execute(submit('j1', 1))];
    await Promise.resolve();
    all.push(engine.execute(submit('j2', 1)));
    const batch = engine.executeBatch([submit('j3', 1), submit('j4', 1)], { at: 300 });
    all.push(engine.execute(submit('j5', 1)), engine.execute(submit('j6', 1)));
    gate.resolve();
    await Promise.all([...all, batch]);
    const submitted = store.calls
      .slice(appendsBefore)
      .map((c) => c.events.filter((e) => e.type === 'JobSubmitted').map((e) => (e.data as { jobId: string }).jobId));
    expect(submitted).toEqual([['j1'], ['j2'], ['j3', 'j4'], ['j5', 'j6']]);
    expect(engine.job('j3')?.submittedAt).toBe(300);
  });
});

describe('two engines on one store', () => {
  it('the stale one hits a conflict, catches up and decides again; no GPU is given twice', async () => {
    const inner = new InMemoryEventStore();
    const a = await engineWith(inner);
    const bStore = new RecordingStore(inner);
    const b = await createEngine({ store: bStore, clock: testClock(200) });
    expect(b.revision).toBe(a.revision);

    accepted(await a.execute(submit('ja', 8, { workers: 2 }))); // takes every GPU
    expect(a.job('ja')?.status).toBe('Starting');

    // b has not seen ja: on its stale state jb would get the same 8 GPUs.
    const outcome = await b.execute(submit('jb', 8, { workers: 2 }));
    expect(accepted(outcome).map((e) => e.type)).toEqual(['JobSubmitted']);
    expect(bStore.calls.map((c) => c.result?.ok)).toEqual([false, true]);
    const conflict = bStore.calls[0]?.result;
    expect(conflict).toMatchObject({ ok: false, conflict: { stream: CLUSTER_STREAM, actual: BigInt(a.revision) } });
    expect(b.job('ja')?.status).toBe('Starting');
    expect(b.job('jb')?.status).toBe('WaitingForGPUs');

    await a.catchUp();
    expect(view(a.current)).toEqual(view(b.current));
    expect(doubleAllocations(await storedEvents(inner))).toEqual([]);
    expect(checkInvariants(a.current)).toEqual([]);
  });

  it('many interleaved writers converge on one log without a double allocation', async () => {
    const inner = new InMemoryEventStore();
    const clock = testClock();
    const aStore = new RecordingStore(inner);
    const bStore = new RecordingStore(inner);
    const a = await engineWith(aStore, clock);
    const b = await createEngine({ store: bStore, clock });
    const work: Promise<CommandOutcome>[] = [];
    for (let i = 0; i < 12; i++) {
      const engine = i % 2 === 0 ? a : b;
      work.push(engine.execute(submit(`j${i}`, 1 + (i % 4))));
      if (i >= 3) work.push((i % 2 === 0 ? b : a).execute(release(`j${i - 3}`)));
      if (i % 3 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    const outcomes = await Promise.all(work);
    const conflicts = [...aStore.calls, ...bStore.calls].filter((c) => c.result?.ok === false);
    expect(conflicts.length).toBeGreaterThan(0); // the engines really did trip over each other
    // Every submission was accepted by one engine or the other.
    expect(outcomes.filter((o) => o.ok && !o.duplicate && o.events.some((e) => e.type === 'JobSubmitted'))).toHaveLength(12);
    await a.catchUp();
    await b.catchUp();
    const fresh = await createEngine({ store: inner });
    expect(view(a.current)).toEqual(view(fresh.current));
    expect(view(b.current)).toEqual(view(fresh.current));
    expect(checkInvariants(fresh.current)).toEqual([]);
    const log = await storedEvents(inner);
    expect(doubleAllocations(log)).toEqual([]);
    expect((await inner.read(CLUSTER_STREAM)).map((r) => r.revision)).toEqual(log.map((_, i) => BigInt(i)));
  });

  it('gives up with ConflictRetriesExhaustedError when another writer always wins, and matches the store', async () => {
    const store = new RecordingStore();
    const engine = await engineWith(store);
    const jobsBefore = engine.jobs().length;
    let n = 0;
    store.around = async (_call, append) => {
      // Another writer slips in first every time.
      await store.inner.append(
        CLUSTER_STREAM,
        [{ id: `other-${n++}`, type: 'NodeCordoned', data: { type: 'NodeCordoned', v: 1, at: 100, nodeId: 'n2' } }],
        'any',
      );
      return append();
    };
    const engineWithRetries = await createEngine({ store, clock: testClock(), maxConflictRetries: 2 });
    const before = store.calls.length;
    await expect(engineWithRetries.execute(submit('j1', 1))).rejects.toBeInstanceOf(ConflictRetriesExhaustedError);
    expect(store.calls.slice(before).map((c) => c.result?.ok)).toEqual([false, false, false]); // 1 + 2 retries
    expect(engineWithRetries.revision).toBe(await lastRevision(store));
    expect(engineWithRetries.job('j1')).toBeUndefined();
    expect(engineWithRetries.jobs().length).toBe(jobsBefore);
  });
});

describe('store failures', () => {
  it('an append that throws after landing is retried with the same ids and is not duplicated', async () => {
    const store = new RecordingStore();
    const engine = await engineWith(store);
    const before = store.calls.length;
    let failed = false;
    store.around = async (_call, append) => {
      const r = await append();
      if (!failed) {
        failed = true;
        throw new Error('connection reset after write');
      }
      return r;
    };
    const outcome = await engine.execute(submit('j1', 2));
    expect(accepted(outcome)[0]).toMatchObject({ type: 'JobSubmitted', jobId: 'j1' });
    const calls = store.calls.slice(before);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.events.map((e) => e.id)).toEqual(calls[0]?.events.map((e) => e.id));
    expect(calls[1]?.expected).toEqual(calls[0]?.expected);
    const records = await store.read(CLUSTER_STREAM);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    expect(records.filter((r) => r.type === 'JobSubmitted')).toHaveLength(1);
    expect(engine.revision).toBe(records.length - 1);
    expect(engine.job('j1')?.status).toBe('Starting');
  });

  it('an append that throws before landing is retried once and lands once', async () => {
    const store = new RecordingStore();
    const engine = await engineWith(store);
    let failed = false;
    store.around = async (_call, append) => {
      if (!failed) {
        failed = true;
        throw new Error('timeout');
      }
      return append();
    };
    accepted(await engine.execute(submit('j1', 2)));
    const records = await store.read(CLUSTER_STREAM);
    expect(records.filter((r) => r.type === 'JobSubmitted')).toHaveLength(1);
    expect(engine.revision).toBe(records.length - 1);
    expect(view(engine.current)).toEqual(view((await createEngine({ store })).current));
  });

  it('an append that keeps failing rejects, and the engine keeps what was acknowledged and nothing else', async () => {
    const store = new RecordingStore();
    const engine = await engineWith(store);
    accepted(await engine.execute(submit('j1', 2)));
    const acknowledged = engine.revision;
    const failure = new Error('store down');
    store.around = async () => {
      throw failure;
    };
    const seen: Appended[] = [];
    engine.subscribe((a) => seen.push(a));
    const results = await Promise.allSettled([engine.execute(submit('j2', 2)), engine.execute(started('j1'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toBe(failure);
    expect(seen).toEqual([]);
    expect(engine.revision).toBe(acknowledged);
    expect(engine.revision).toBe(await lastRevision(store));
    expect(engine.job('j2')).toBeUndefined();
    expect(engine.job('j1')?.status).toBe('Starting');
    expect(view(engine.current)).toEqual(view((await createEngine({ store: store.inner })).current));
    expect(checkInvariants(engine.current)).toEqual([]);

    // The store recovers: the engine goes on from where the log is.
    store.around = undefined;
    accepted(await engine.execute(submit('j2', 2)));
    expect(engine.job('j2')?.allocation?.devices).toEqual(['n1/2', 'n1/3']);
    expect(engine.revision).toBe(await lastRevision(store));
  });

  it('an append that lands but always reports failure: the promise rejects, the state follows the store, a retry is a duplicate', async () => {
    const store = new RecordingStore();
    const engine = await engineWith(store);
    store.around = async (_call, append) => {
      await append();
      throw new Error('ack lost');
    };
    await expect(engine.execute(withId('c1', submit('j1', 2)))).rejects.toThrow('ack lost');
    expect(engine.revision).toBe(await lastRevision(store));
    expect(engine.job('j1')?.status).toBe('Starting'); // it is in the log, so it is in the state
    const records = await store.read(CLUSTER_STREAM);
    expect(records.filter((r) => r.type === 'JobSubmitted')).toHaveLength(1);

    store.around = undefined;
    const again = await engine.execute(withId('c1', submit('j1', 2)));
    expect(again).toMatchObject({ ok: true, duplicate: true });
  });
});

describe('store outage (append and read both fail)', () => {
  /** A store that can go down entirely: appends and reads throw while `down`. */
  class FlakyStore extends RecordingStore {
    down = false;
    override read: EventStore['read'] = (s, o) =>
      this.down ? Promise.reject(new Error('store unreachable')) : this.inner.read(s, o);
  }

  it('a command that failed during the outage is not answered as a duplicate afterwards, and lands once', async () => {
    const store = new FlakyStore();
    const engine = await engineWith(store);
    const revision = engine.revision;
    store.around = async (_call, append) => {
      if (store.down) throw new Error('store unreachable');
      return append();
    };
    store.down = true;
    await expect(engine.execute(withId('c1', submit('j1', 2)))).rejects.toThrow('store unreachable');
    expect(await lastRevision(store.inner)).toBe(revision); // nothing landed

    store.down = false;
    const retried = await engine.execute(withId('c1', submit('j1', 2)));
    expect(accepted(retried)[0]).toMatchObject({ type: 'JobSubmitted', jobId: 'j1', commandId: 'c1' });
    const records = await store.inner.read(CLUSTER_STREAM);
    expect(records.filter((r) => r.type === 'JobSubmitted')).toHaveLength(1);
    expect(engine.revision).toBe(records.length - 1);
    expect(view(engine.current)).toEqual(view((await createEngine({ store: store.inner })).current));
  });

  it('a conflict during the outage: the rebuild fails, the promise rejects, and the next batch starts from the store', async () => {
    const store = new FlakyStore();
    const engine = await engineWith(store);
    const other = await createEngine({ store: store.inner, clock: testClock() });
    accepted(await other.execute(submit('theirs', 8, { workers: 2 }))); // engine is now stale
    store.down = true; // reads fail; the append itself answers (with a conflict)
    await expect(engine.execute(withId('mine', submit('mine', 8, { workers: 2 })))).rejects.toThrow('store unreachable');
    store.down = false;
    // Without the rebuild, 'mine' would be remembered (and hold every GPU) on a stale state.
    const retried = await engine.execute(withId('mine', submit('mine', 8, { workers: 2 })));
    expect(retried).toMatchObject({ ok: true, duplicate: false });
    expect(engine.job('theirs')?.status).toBe('Starting');
    expect(engine.job('mine')?.status).toBe('WaitingForGPUs');
    expect(view(engine.current)).toEqual(view((await createEngine({ store: store.inner })).current));
    expect(doubleAllocations(await storedEvents(store.inner))).toEqual([]);
  });

  it('a batch decided after the outage sees only what the store holds', async () => {
    const store = new FlakyStore();
    const engine = await engineWith(store);
    store.around = async (_call, append) => {
      if (store.down) throw new Error('store unreachable');
      return append();
    };
    store.down = true;
    await expect(engine.execute(submit('ghost', 8, { workers: 2 }))).rejects.toThrow();
    store.down = false;
    // The ghost never reached the log, so it holds no GPUs: j1 starts at once.
    accepted(await engine.execute(submit('j1', 8, { workers: 2 })));
    expect(engine.job('ghost')).toBeUndefined();
    expect(engine.job('j1')?.status).toBe('Starting');
    expect(doubleAllocations(await storedEvents(store.inner))).toEqual([]);
  });
});

describe('subscribers', () => {
  it('see each appended batch with the revision of its first event', async () => {
    const store = new InMemoryEventStore();
    const engine = await createEngine({ store, clock: testClock() });
    const seen: Appended[] = [];
    const stop = engine.subscribe((a) => seen.push(a));
    await engine.executeBatch(SETUP);
    const setupEnd = engine.revision;
    await engine.execute(submit('j1', 1));
    await engine.execute(release('nope')); // rejected: nothing appended, nothing seen
    expect(seen.map((a) => a.firstRevision)).toEqual([0, setupEnd + 1]);
    expect(seen[1]?.events.map((e) => e.type)).toEqual(['JobSubmitted', 'JobAllocated']);
    expect(seen.flatMap((a) => a.events)).toEqual(await storedEvents(store));

    stop();
    await engine.execute(submit('j2', 1));
    expect(seen).toHaveLength(2);
  });

  it('a throwing subscriber breaks neither the engine nor the other subscribers', async () => {
    const engine = await engineWith();
    const seen: number[] = [];
    engine.subscribe(() => {
      throw new Error('listener bug');
    });
    engine.subscribe((a) => seen.push(a.firstRevision));
    const r1 = await engine.execute(submit('j1', 1));
    const r2 = await engine.execute(submit('j2', 1));
    expect(r1.ok && r2.ok).toBe(true);
    expect(seen).toHaveLength(2);
    expect(engine.job('j2')?.status).toBe('Starting');
  });
});

describe('stateAt (time travel)', () => {
  it('rebuilds the state as it was right after a revision, leaving the current one alone', async () => {
    const clock = testClock();
    const engine = await engineWith(new InMemoryEventStore(), clock);
    const afterSetup = engine.revision;
    clock.t = 200;
    accepted(await engine.execute(submit('j1', 4)));
    const afterSubmit = engine.revision;
    clock.t = 300;
    accepted(await engine.execute(started('j1')));
    accepted(await engine.execute(completed('j1')));
    const current = view(engine.current);

    const empty = await engine.stateAt(-1);
    expect(empty.revision).toBe(-1);
    expect(empty.installed).toBe(false);

    const s1 = await engine.stateAt(afterSetup);
    expect(s1.revision).toBe(afterSetup);
    expect(s1.jobs.size).toBe(0);
    expect(s1.now).toBe(100);

    const s2 = await engine.stateAt(afterSubmit);
    expect(s2.revision).toBe(afterSubmit);
    expect(s2.jobs.get('j1')?.status).toBe('Starting');
    expect(s2.devices.get('n1/0')?.holders).toEqual(['j1']);
    expect(checkInvariants(s2)).toEqual([]);

    // The JobSubmitted alone, before the scheduler's JobAllocated.
    const s15 = await engine.stateAt(afterSubmit - 1);
    expect(s15.jobs.get('j1')?.status).toBe('Queued');

    const later = await engine.stateAt(engine.revision + 100);
    expect(view(later)).toEqual(current);
    expect(view(engine.current)).toEqual(current);
    expect(engine.job('j1')?.status).toBe('Complete');
  });

  it('finds the revision of a time, and reads decoded events from a revision', async () => {
    const clock = testClock();
    const engine = await engineWith(new InMemoryEventStore(), clock);
    const afterSetup = engine.revision; // everything so far at t=100
    clock.t = 200;
    accepted(await engine.execute(submit('j1', 4))); // JobSubmitted, JobAllocated at t=200
    expect(await engine.revisionAt(99)).toBe(-1);
    expect(await engine.revisionAt(100)).toBe(afterSetup);
    expect(await engine.revisionAt(199.5)).toBe(afterSetup);
    expect(await engine.revisionAt(1e12)).toBe(engine.revision);

    const tail = await engine.eventsFrom(afterSetup + 1);
    expect(tail.map((e) => [e.revision, e.event.type])).toEqual([
      [afterSetup + 1, 'JobSubmitted'],
      [afterSetup + 2, 'JobAllocated'],
    ]);
    expect((await engine.eventsFrom(0, 2)).map((e) => e.revision)).toEqual([0, 1]);
    expect(await engine.eventsFrom(engine.revision + 1)).toEqual([]);
  });
});

describe('corrupt events', () => {
  it('a stored event that does not decode stops createEngine, naming the stream, revision and field', async () => {
    const store = new InMemoryEventStore();
    const engine = await engineWith(store);
    accepted(await engine.execute(submit('j1', 1)));
    const at = BigInt(engine.revision + 1);
    await store.append(
      CLUSTER_STREAM,
      // A copy of j1's submission with a field no codec accepts.
      [
        {
          id: 'bad',
          type: 'JobSubmitted',
          data: { ...(await storedEvents(store)).find((e) => e.type === 'JobSubmitted'), jobId: 'j2', gpus: 'two' },
        },
      ],
      BigInt(engine.revision),
    );
    const err = await createEngine({ store }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CorruptEventError);
    const corrupt = err as CorruptEventError;
    expect(corrupt.stream).toBe(CLUSTER_STREAM);
    expect(corrupt.revision).toBe(at);
    expect(corrupt.detail).toContain('JobSubmitted.gpus');
    expect(corrupt.message).toContain(`stream 'cluster' revision ${at}`);
    expect(corrupt.message).toContain('JobSubmitted.gpus: expected an integer >= 0, got "two"');
  });

  it('an event of an unknown type or without a schema version stops loading too', async () => {
    const store = new InMemoryEventStore();
    await store.append(
      CLUSTER_STREAM,
      [{ id: 'a', type: 'Installed', data: { type: 'Installed', v: 1, at: 0, userId: 'admin', name: 'Admin' } }],
      'no_stream',
    );
    await store.append(
      CLUSTER_STREAM,
      [{ id: 'b', type: 'Installed', data: { type: 'Installed', at: 0, userId: 'x', name: 'X' } }],
      0n,
    );
    const err1 = await createEngine({ store }).catch((e: unknown) => e);
    expect(err1).toBeInstanceOf(CorruptEventError);
    expect((err1 as CorruptEventError).revision).toBe(1n);
    expect((err1 as CorruptEventError).detail).toContain('Installed.v');

    const other = new InMemoryEventStore();
    await other.append('c', [{ id: 'a', type: 'Teleported', data: { type: 'Teleported', v: 1, at: 0 } }], 'no_stream');
    const err2 = await createEngine({ store: other, stream: 'c' }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(CorruptEventError);
    expect(err2).toMatchObject({ stream: 'c', revision: 0n });
    expect((err2 as CorruptEventError).detail).toContain('event.type');
  });
});

describe('idempotency', () => {
  it('a repeated commandId is answered as a duplicate with the original revisions and appends nothing', async () => {
    const store = new RecordingStore();
    const engine = await engineWith(store);
    const seen: Appended[] = [];
    engine.subscribe((a) => seen.push(a));
    const first = await engine.execute(withId('cmd-1', submit('j1', 2)));
    accepted(first);
    const original = (await store.read(CLUSTER_STREAM)).filter((r) => (r.data as { commandId?: string }).commandId === 'cmd-1');
    expect(original.map((r) => r.type)).toEqual(['JobSubmitted']);
    const revision = Number(original[0]?.revision);

    const appends = store.calls.length;
    const again = await engine.execute(withId('cmd-1', submit('j1', 2)));
    expect(again).toEqual({ ok: true, duplicate: true, first: revision, last: revision });
    expect(store.calls.length).toBe(appends);
    expect(seen).toHaveLength(1);

    // A restarted engine remembers it too, and answers the same way.
    const restarted = await createEngine({ store });
    expect(await restarted.execute(withId('cmd-1', submit('j1', 2)))).toEqual(again);
    expect(store.calls.length).toBe(appends);
  });

  it('a command with several events answers with its first and last revisions', async () => {
    const engine = await engineWith();
    accepted(await engine.execute(submit('j1', 1)));
    const r = await engine.executeBatch([withId('batch-1', registerNode('n3', 2)), withId('batch-1', registerNode('n3', 2))]);
    const events = accepted(r.outcomes[0] as CommandOutcome);
    expect(events.length).toBeGreaterThanOrEqual(1);
    const firstRev = engine.revision - r.events.length + 1;
    // Within one batch the second copy is already a duplicate.
    expect(r.outcomes[1]).toEqual({ ok: true, duplicate: true, first: firstRev, last: firstRev + events.length - 1 });
  });

  it('rejections are not remembered: the same commandId is decided afresh', async () => {
    const engine = await engineWith();
    const cmd = withId('late-user', submit('jv', 1, { owner: 'v' }));
    const refused = await engine.execute(cmd);
    expect(refused.ok).toBe(false);
    accepted(await engine.execute(onboard('v', { groupId: 'g' })));
    expect(accepted(await engine.execute(cmd))[0]).toMatchObject({ jobId: 'jv', commandId: 'late-user' });
  });
});

describe('queries', () => {
  /**
   * j1 (4 GPUs, inference) runs on n1. Waiting, in candidate order: j3 (2x4, priority 5), j0 (2x4),
   * j2 (1 GPU, fits, but fifo holds it behind the head).
   */
  async function busy() {
    const clock = testClock();
    const store = new InMemoryEventStore();
    const engine = await engineWith(store, clock);
    clock.t = 110;
    accepted(await engine.execute(submit('j1', 4, { kind: 'inference', tags: ['serving'] })));
    clock.t = 120;
    accepted(await engine.execute(submit('j0', 8, { workers: 2, tags: ['big', 'nlp'] })));
    clock.t = 130;
    accepted(await engine.execute(submit('j2', 1, { tags: ['nlp'] })));
    clock.t = 140;
    accepted(await engine.execute(submit('j3', 8, { workers: 2, priority: 5 })));
    return { engine, clock, store };
  }

  it('nodes: sorted by id, with each device’s pool and holders, and cordons', async () => {
    const { engine } = await busy();
    accepted(await engine.execute(registerNode('m0', 2, 'H100')));
    accepted(await engine.execute(cordon('n2')));
    const nodes = engine.nodes();
    expect(nodes.map((n) => [n.id, n.cordoned, n.lost])).toEqual([
      ['m0', false, false],
      ['n1', false, false],
      ['n2', true, false],
    ]);
    expect(nodes[0]?.devices.map((d) => [d.id, d.gpuType, d.pool])).toEqual([
      ['m0/0', 'H100', 'default'],
      ['m0/1', 'H100', 'default'],
    ]);
    expect(nodes[1]?.devices).toEqual(
      [0, 1, 2, 3].map((i) => ({ id: `n1/${i}`, index: i, gpuType: 'A100', pool: 'p', holders: ['j1'] })),
    );
    expect(nodes[2]?.devices.map((d) => d.holders)).toEqual([[], [], [], []]);
  });

  it('pools: total = used + free + cordoned, and queued', async () => {
    const { engine } = await busy();
    expect(engine.pools().map((p) => p.id)).toEqual(['default', 'p']);
    expect(engine.pool('p')).toMatchObject({
      id: 'p',
      gpuType: 'A100',
      policy: 'fifo',
      placement: 'node',
      group: 'g',
      total: 8,
      used: 4,
      free: 4,
      cordoned: 0,
      shared: 0,
      queued: 3,
      byType: { A100: 8 },
    });
    expect(engine.pool('default')).toMatchObject({ gpuType: null, group: 'default', total: 0, used: 0, free: 0, queued: 0 });
    accepted(await engine.execute(cordon('n2')));
    expect(engine.pool('p')).toMatchObject({ total: 8, used: 4, free: 0, cordoned: 4 });
    expect(engine.pool('nope')).toBeUndefined();
  });

  it('pools: shared counts devices held by more than one (immediate) job', async () => {
    const engine = await engineWith();
    accepted(await engine.execute(submit('j1', 4)));
    accepted(await engine.execute(submit('i1', 4, { immediate: true }))); // takes the free n2
    accepted(await engine.execute(submit('i2', 2, { immediate: true }))); // must share
    expect(engine.job('i2')?.allocation).toMatchObject({ devices: ['n1/0', 'n1/1'], shared: ['n1/0', 'n1/1'] });
    expect(engine.pool('p')).toMatchObject({ total: 8, used: 8, free: 0, shared: 2, queued: 0 });
    expect(engine.nodes()[0]?.devices.map((d) => d.holders)).toEqual([['j1', 'i2'], ['j1', 'i2'], ['j1'], ['j1']]);
    expect(checkInvariants(engine.current)).toEqual([]);
  });

  it('queue: the pool’s pending jobs in candidate order, with positions and live reasons', async () => {
    const { engine } = await busy();
    const q = engine.queue('p') ?? [];
    expect(q.map((e) => [e.position, e.job.id, e.reason.code, e.reason.jobsAhead])).toEqual([
      [0, 'j3', 'not-enough-free-gpus', 0],
      [1, 'j0', 'not-enough-free-gpus', 1],
      [2, 'j2', 'blocked-behind-head', 2],
    ]);
    expect(q[1]?.reason).toMatchObject({
      needs: { gpus: 8, workers: 2, gpusPerWorker: 4, gpuType: 'A100' },
      freeGpus: 4,
      largestFreeBlockPerNode: 4,
      pool: 'p',
    });
    expect(q[2]?.reason.message).toContain("needs 1 A100 GPU; pool 'p' has 4 free");
    expect(engine.queue('default')).toEqual([]);
    expect(engine.queue('nope')).toBeUndefined();

    // Release j1: the head (j3) starts on all 8 GPUs; the rest still wait, in order.
    accepted(await engine.execute(release('j1')));
    expect(engine.job('j3')?.status).toBe('Starting');
    expect(engine.queue('p')?.map((e) => [e.position, e.job.id, e.reason.code])).toEqual([
      [0, 'j0', 'not-enough-free-gpus'],
      [1, 'j2', 'not-enough-free-gpus'],
    ]);
  });

  it('explain: why a job waits now, null when it does not wait', async () => {
    const { engine } = await busy();
    expect(engine.explain('j2')).toEqual(engine.queue('p')?.[2]?.reason);
    expect(engine.explain('j2')?.code).toBe('blocked-behind-head');
    expect(engine.explain('j3')?.code).toBe('not-enough-free-gpus');
    expect(engine.explain('j1')).toBeNull();
    expect(engine.explain('missing')).toBeNull();
  });

  it('job: its record and its history, each status with its time and revision', async () => {
    const { engine, clock, store } = await busy();
    clock.t = 150;
    accepted(await engine.execute(started('j1')));
    clock.t = 160;
    accepted(await engine.execute(completed('j1')));
    const job = engine.job('j1');
    expect(job).toMatchObject({
      id: 'j1',
      kind: 'inference',
      owner: 'u',
      group: 'g',
      gpus: 4,
      tags: ['serving'],
      status: 'Complete',
    });
    expect(job?.submittedAt).toBe(110);
    expect(job?.endedAt).toBe(160);
    const revisions = (await store.read(CLUSTER_STREAM))
      .filter((r) => (r.data as { jobId?: string }).jobId === 'j1')
      .map((r) => [r.type, Number(r.revision)]);
    expect(revisions.map(([t]) => t)).toEqual(['JobSubmitted', 'JobAllocated', 'JobStarted', 'JobCompleted']);
    expect(job?.history).toEqual([
      { status: 'Queued', at: 110, revision: revisions[0]?.[1] },
      { status: 'Starting', at: 110, revision: revisions[1]?.[1] },
      { status: 'Running', at: 150, revision: revisions[2]?.[1] },
      { status: 'Complete', at: 160, revision: revisions[3]?.[1] },
    ]);
    expect(engine.job('j0')?.history.map((h) => h.status)).toEqual(['Queued', 'WaitingForGPUs']);
    expect(engine.job('missing')).toBeUndefined();
  });

  it('jobs: filters by status, kind, owner, group and tag, in submission order', async () => {
    const { engine } = await busy();
    accepted(await engine.execute(createGroup('h')));
    accepted(await engine.execute(onboard('w', { groupId: 'h' })));
    accepted(await engine.execute(submit('jw', 1, { owner: 'w', kind: 'notebook', tags: ['nlp'] })));
    const idsOf = (jobs: { id: string }[]) => jobs.map((j) => j.id);
    expect(idsOf(engine.jobs())).toEqual(['j1', 'j0', 'j2', 'j3', 'jw']);
    expect(idsOf(engine.jobs({ status: 'WaitingForGPUs' }))).toEqual(['j0', 'j2', 'j3', 'jw']);
    expect(idsOf(engine.jobs({ status: ['Starting', 'Complete'] }))).toEqual(['j1']);
    expect(idsOf(engine.jobs({ kind: 'inference' }))).toEqual(['j1']);
    expect(idsOf(engine.jobs({ owner: 'w' }))).toEqual(['jw']);
    expect(idsOf(engine.jobs({ group: 'g' }))).toEqual(['j1', 'j0', 'j2', 'j3']);
    expect(idsOf(engine.jobs({ tag: 'nlp' }))).toEqual(['j0', 'j2', 'jw']);
    expect(idsOf(engine.jobs({ tag: 'nlp', owner: 'u', status: 'WaitingForGPUs' }))).toEqual(['j0', 'j2']);
    expect(engine.jobs({ owner: 'nobody' })).toEqual([]);
    expect(engine.explain('jw')?.code).toBe('no-pool');
  });
});

describe('uuidSequence', () => {
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('yields distinct RFC 4122 version-4-shaped ids, and two sequences do not meet', () => {
    const a = uuidSequence();
    const b = uuidSequence();
    const ids = Array.from({ length: 5000 }, () => a.next());
    const others = Array.from({ length: 5000 }, () => b.next());
    for (const id of [...ids, ...others]) expect(id).toMatch(UUID_V4);
    expect(new Set([...ids, ...others]).size).toBe(10_000);
  });

  it('carries into the upper half of the counter, and wraps it, keeping the shape', () => {
    vi.mocked(crypto.randomUUID).mockReturnValueOnce('0123abcd-ef01-4234-9567-fffffffffffe');
    const seq = uuidSequence();
    expect([seq.next(), seq.next(), seq.next()]).toEqual([
      '0123abcd-ef01-4234-9567-ffffffffffff',
      '0123abcd-ef01-4234-9567-000000000000',
      '0123abcd-ef01-4234-9567-000000000001',
    ]);
    vi.mocked(crypto.randomUUID).mockReturnValueOnce('0123abcd-ef01-4234-9567-00000affffff');
    const carry = uuidSequence();
    expect([carry.next(), carry.next()]).toEqual([
      '0123abcd-ef01-4234-9567-00000b000000',
      '0123abcd-ef01-4234-9567-00000b000001',
    ]);
  });

  it('is the engine’s default: stored event ids are distinct UUIDs', async () => {
    const store = new InMemoryEventStore();
    await engineWith(store);
    const ids = (await store.read(CLUSTER_STREAM)).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
