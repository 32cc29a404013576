/**
 * The realtime runtime against the real engine, on fake timers: the engine's clock reads the same
 * faked Date the timers run on, so time moves for both at once. Launch and stop delays, expected
 * and default durations, notebooks that run until stopped, stop requests while starting, timers
 * cancelled when jobs end, pick-up after a restart, and a queue drained end to end.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Command } from '../../core/cluster/commands.js';
import type { JobStatus, Policy } from '../../core/cluster/model.js';
import {
  allocate,
  assignPool,
  completed,
  configurePool,
  createGroup,
  createPool,
  failed,
  install,
  loseNode,
  onboard,
  registerNode,
  release,
  started,
  stop,
  submit,
} from '../../core/cluster/test-support/given.js';
import { Id } from '../../core/codec.js';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent } from '../../core/ports.js';
import { createEngine, type Engine } from '../../engine/engine.js';
import { type RealtimeRuntime, type RealtimeRuntimeOptions, startRealtimeRuntime, type Timers } from './realtime-runtime.js';
import { InMemoryEventStore } from './store.js';

const T0 = 1_000_000; // seconds
const DAY = 86_400;

/** The engine's clock: the faked Date, in seconds. */
const clock = { now: () => Date.now() / 1000 };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(T0 * 1000);
});

afterEach(() => {
  vi.useRealTimers();
});

/** `nodes` nodes of 4 A100s, all in fifo pool 'p' serving group 'g' with data scientist 'u'. */
function setup(nodes = 1): Command[] {
  const ids = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
  return [
    install(),
    ...ids.map((id) => registerNode(id, 4)),
    createPool('p', 'A100'),
    allocate('p', 4 * nodes),
    createGroup('g'),
    assignPool('g', 'p'),
    onboard('u', { groupId: 'g' }),
  ];
}

/** The store each engine of these tests was opened on: its runtime follows the stream there. */
const storeOf = new WeakMap<Engine, EventStore>();

async function engineOn(store: EventStore, commands: Command[] = setup()): Promise<Engine> {
  const engine = await createEngine({ store, clock });
  storeOf.set(engine, store);
  if (commands.length > 0) {
    const r = await engine.executeBatch(commands);
    expect(r.outcomes.filter((o) => !o.ok)).toEqual([]);
  }
  return engine;
}

async function accept(engine: Engine, command: Command): Promise<void> {
  const o = await engine.execute(command);
  if (!o.ok) throw new Error(`${command.type} rejected: ${o.rejection.message}`);
}

interface Harness {
  engine: Engine;
  runtime: RealtimeRuntime;
  /** Every command the runtime sent, as `type jobId`. */
  sent: string[];
  /** The command id of each, in the same order. */
  ids: (string | undefined)[];
  /** How the engine answered each, once it did: `<commandId> applied|duplicate|rejected`. */
  answers: string[];
  errors: unknown[];
  /** Move both clocks on by `seconds` and wait for the reports that fell due. */
  advance(seconds: number): Promise<void>;
  status(jobId: string): JobStatus | undefined;
}

async function harness(options: RealtimeRuntimeOptions = {}, engine?: Engine, runtimeStore?: EventStore): Promise<Harness> {
  const e = engine ?? (await engineOn(new InMemoryEventStore()));
  const store = runtimeStore ?? (storeOf.get(e) as EventStore);
  const sent: string[] = [];
  const ids: (string | undefined)[] = [];
  const answers: string[] = [];
  const execute = e.execute.bind(e);
  const errors: unknown[] = [];
  // The spy records what the runtime sends; the tests' own commands bypass it (`user`).
  vi.spyOn(e, 'execute').mockImplementation((c) => {
    sent.push(`${c.type} ${(c as { jobId?: string }).jobId}`);
    ids.push(c.commandId);
    const outcome = execute(c);
    outcome.then(
      (o) => answers.push(`${c.commandId} ${!o.ok ? 'rejected' : o.duplicate ? 'duplicate' : 'applied'}`),
      () => {},
    );
    return outcome;
  });
  direct.set(e, execute);
  const runtime = startRealtimeRuntime(e, store, { clock, onError: (err) => errors.push(err), ...options });
  return {
    engine: e,
    runtime,
    sent,
    ids,
    answers,
    errors,
    async advance(seconds) {
      await vi.advanceTimersByTimeAsync(seconds * 1000);
      await runtime.idle();
    },
    status: (jobId) => e.job(jobId)?.status,
  };
}

/** The engine's own execute, bypassing the spy that records the runtime's reports. */
const direct = new WeakMap<Engine, Engine['execute']>();
async function user(engine: Engine, command: Command): Promise<void> {
  const execute = direct.get(engine) ?? engine.execute.bind(engine);
  const o = await execute(command);
  if (!o.ok) throw new Error(`${command.type} rejected: ${o.rejection.message}`);
}

/** A store that hands every call to `inner`, but those given. */
const forwarding = (inner: EventStore, overrides: Partial<EventStore>): EventStore => ({
  append: (s, e, x) => inner.append(s, e, x),
  read: (s, o) => inner.read(s, o),
  readAll: (o) => inner.readAll(o),
  subscribe: (s, o, handler) => inner.subscribe(s, o, handler),
  readSnapshot: (s, v) => inner.readSnapshot(s, v),
  writeSnapshot: (s, snap) => inner.writeSnapshot(s, snap),
  readCheckpoint: (n) => inner.readCheckpoint(n),
  writeCheckpoint: (n, p) => inner.writeCheckpoint(n, p),
  acquireLease: (n, h, ttl, now) => inner.acquireLease(n, h, ttl, now),
  releaseLease: (n, h) => inner.releaseLease(n, h),
  readLease: (n) => inner.readLease(n),
  close: () => inner.close(),
  ...overrides,
});

/**
 * `inner` seen through subscriptions that can be held back, as a store that polls for other
 * processes' appends (SQLite) delivers them late: while held, deliveries wait; `release()` hands
 * them over in order.
 */
function heldDeliveries(inner: EventStore) {
  let held = false;
  const waiting: (() => void)[] = [];
  const store = forwarding(inner, {
    subscribe: (s, o, handler) => inner.subscribe(s, o, (e) => (held ? waiting.push(() => handler(e)) : handler(e))),
  });
  return {
    store,
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      for (const deliver of waiting.splice(0)) deliver();
    },
  };
}

/** `inner` with appends that can be held in flight (a process that dies with its append sent), then let land. */
function gatedAppends(inner: EventStore) {
  let gate: Promise<void> | undefined;
  let open = () => {};
  const store = forwarding(inner, {
    append: async (s, e, x) => {
      await gate;
      return inner.append(s, e, x);
    },
  });
  return {
    store,
    close: () => {
      gate = new Promise((resolve) => (open = resolve));
    },
    open: () => {
      gate = undefined;
      open();
    },
  };
}

/** The cluster stream's events as stored, `type jobId@revision [commandId]`, of one job or all. */
async function logOf(store: EventStore, jobId?: string): Promise<string[]> {
  const events = await store.read('cluster');
  return events
    .map((r) => ({ r, e: r.data as { jobId?: string; commandId?: string } }))
    .filter(({ e }) => jobId === undefined || e.jobId === jobId)
    .map(({ r, e }) => `${r.type} ${e.jobId ?? '-'}@${r.revision}${e.commandId ? ` ${e.commandId}` : ''}`);
}

/** The revision of the stored event of `type` for `jobId` (the last one, if several). */
async function revisionOf(store: EventStore, type: string, jobId: string): Promise<bigint> {
  const found = (await store.read('cluster')).filter((r) => r.type === type && (r.data as { jobId?: string }).jobId === jobId);
  const last = found.at(-1);
  if (!last) throw new Error(`no ${type} of ${jobId} in the log`);
  return last.revision;
}

const historyOf = (engine: Engine, jobId: string) => engine.job(jobId)?.history.map((h) => `${h.status}@${h.at - T0}`) ?? [];

describe('the realtime runtime', () => {
  it('reports an allocated job started after the launch delay and completed after its expected duration', async () => {
    const h = await harness();
    await user(h.engine, submit('j1', 4, { expectedDuration: 60 }));
    expect(h.status('j1')).toBe('Starting');

    await h.advance(1.9);
    expect(h.status('j1')).toBe('Starting');
    await h.advance(0.1);
    expect(h.status('j1')).toBe('Training');

    await h.advance(59.9);
    expect(h.status('j1')).toBe('Training');
    await h.advance(0.1);
    expect(h.status('j1')).toBe('Complete');
    expect(historyOf(h.engine, 'j1')).toEqual(['Queued@0', 'Starting@0', 'Training@2', 'Complete@62']);
    expect(h.sent).toEqual(['ReportJobStarted j1', 'ReportJobCompleted j1']);
    expect(vi.getTimerCount()).toBe(0);
    expect(h.errors).toEqual([]);
  });

  it('takes its delays from the options', async () => {
    const h = await harness({ launchDelaySeconds: 5, stopDelaySeconds: 3 });
    await user(h.engine, submit('j1', 4, { kind: 'notebook' }));
    await h.advance(4.9);
    expect(h.status('j1')).toBe('Starting');
    await h.advance(0.1);
    expect(h.status('j1')).toBe('Running');
    await user(h.engine, stop('j1'));
    await h.advance(2.9);
    expect(h.status('j1')).toBe('Stopping');
    await h.advance(0.1);
    expect(historyOf(h.engine, 'j1')).toEqual(['Queued@0', 'Starting@0', 'Running@5', 'Stopping@5', 'Stopped@8']);
  });

  it('runs a notebook until it is stopped, then releases it after the stop delay', async () => {
    const h = await harness();
    await user(h.engine, submit('nb', 2, { kind: 'notebook' }));
    await h.advance(2);
    expect(h.status('nb')).toBe('Running');
    expect(vi.getTimerCount()).toBe(0); // nothing due: it runs until stopped

    await h.advance(7 * DAY);
    expect(h.status('nb')).toBe('Running');

    await user(h.engine, stop('nb'));
    expect(h.status('nb')).toBe('Stopping');
    await h.advance(0.9);
    expect(h.status('nb')).toBe('Stopping');
    await h.advance(0.1);
    expect(h.status('nb')).toBe('Stopped');
    expect(h.sent).toEqual(['ReportJobStarted nb', 'ReleaseJob nb']);
  });

  it('completes a job without an expected duration after the default duration, when one is given', async () => {
    const h = await harness({ defaultDurationSeconds: 30 });
    await user(h.engine, submit('j1', 1));
    await user(h.engine, submit('j2', 1, { expectedDuration: 10 }));
    await h.advance(12);
    expect(h.status('j2')).toBe('Complete');
    expect(h.status('j1')).toBe('Training');
    await h.advance(20);
    expect(historyOf(h.engine, 'j1')).toEqual(['Queued@0', 'Starting@0', 'Training@2', 'Complete@32']);
  });

  it('never reports started a job stopped while it was starting', async () => {
    const h = await harness();
    await user(h.engine, submit('j1', 4, { expectedDuration: 60 }));
    await h.advance(1);
    await user(h.engine, stop('j1'));
    expect(h.status('j1')).toBe('Stopping');
    await h.advance(1);
    expect(h.status('j1')).toBe('Stopped');
    await h.advance(100);
    expect(h.sent).toEqual(['ReleaseJob j1']);
    expect(historyOf(h.engine, 'j1')).toEqual(['Queued@0', 'Starting@0', 'Stopping@1', 'Stopped@2']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancels the timers of jobs that end otherwise: failed, completed, released or on a lost node', async () => {
    const h = await harness({}, await engineOn(new InMemoryEventStore(), setup(3)));
    await user(h.engine, submit('a', 4, { expectedDuration: 60 }));
    await user(h.engine, submit('b', 4, { expectedDuration: 60 }));
    await user(h.engine, submit('c', 4, { expectedDuration: 60 }));
    expect(vi.getTimerCount()).toBe(3); // three start reports

    await user(h.engine, loseNode(h.engine.job('a')?.allocation?.nodes[0] as string)); // a fails while starting
    expect(h.status('a')).toBe('Error');
    expect(vi.getTimerCount()).toBe(2);

    await h.advance(2);
    expect([h.status('b'), h.status('c')]).toEqual(['Training', 'Training']);
    expect(vi.getTimerCount()).toBe(2); // two completions
    await user(h.engine, failed('b', 'OOMKilled'));
    await user(h.engine, completed('c'));
    expect(vi.getTimerCount()).toBe(0);

    await h.advance(100);
    expect(h.sent).toEqual(['ReportJobStarted b', 'ReportJobStarted c']);
  });

  it('follows a job another party reports started, and a release the stop delay did not wait for', async () => {
    const h = await harness();
    await user(h.engine, submit('j1', 4, { expectedDuration: 10 }));
    await h.advance(1);
    await user(h.engine, started('j1')); // the start report is now moot: the completion counts from here
    await h.advance(9.9);
    expect(h.status('j1')).toBe('Training');
    await h.advance(0.1);
    expect(h.status('j1')).toBe('Complete');
    expect(h.sent).toEqual(['ReportJobCompleted j1']);

    await user(h.engine, submit('nb', 4, { kind: 'notebook' }));
    await h.advance(2);
    await user(h.engine, stop('nb'));
    await user(h.engine, release('nb'));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('drains a queue end to end: a waiting job starts when the job ahead of it completes', async () => {
    const h = await harness();
    await user(h.engine, submit('first', 4, { expectedDuration: 30 }));
    await user(h.engine, submit('second', 4, { expectedDuration: 10 }));
    expect(h.status('second')).toBe('WaitingForGPUs');

    await h.advance(2);
    expect(h.status('first')).toBe('Training');
    await h.advance(30);
    expect(h.status('first')).toBe('Complete');
    expect(h.status('second')).toBe('Starting'); // allocated in the batch of first's completion
    await h.advance(2);
    expect(h.status('second')).toBe('Training');
    await h.advance(10);
    expect(historyOf(h.engine, 'second')).toEqual(['Queued@0', 'WaitingForGPUs@0', 'Starting@32', 'Training@34', 'Complete@44']);
    expect(h.errors).toEqual([]);
  });

  it('completes jobs longer than the longest timer at the right time', async () => {
    const h = await harness();
    await user(h.engine, submit('long', 4, { expectedDuration: 40 * DAY }));
    await h.advance(2);
    await h.advance(40 * DAY - 1);
    expect(h.status('long')).toBe('Training');
    await h.advance(1);
    expect(h.status('long')).toBe('Complete');
    expect(historyOf(h.engine, 'long').at(-1)).toBe(`Complete@${40 * DAY + 2}`);
  });

  it('picks up, after a restart, the jobs the store holds starting, running and stopping', async () => {
    const store = new InMemoryEventStore();
    const before = await engineOn(store, setup(5));
    await accept(before, submit('starting', 4, { expectedDuration: 100 }));
    await accept(before, submit('running', 4, { expectedDuration: 100 }));
    await accept(before, submit('overdue', 4, { expectedDuration: 10 }));
    await accept(before, submit('stopping', 4, { expectedDuration: 100 }));
    await accept(before, submit('notebook', 4, { kind: 'notebook' }));
    for (const j of ['running', 'overdue', 'stopping', 'notebook']) await accept(before, started(j));
    await accept(before, stop('stopping'));

    vi.setSystemTime((T0 + 50) * 1000); // the server was down for 50 s
    const h = await harness({}, await engineOn(store, []));
    await h.advance(0);
    expect(h.status('overdue')).toBe('Complete'); // due at 10: completed at once
    expect(historyOf(h.engine, 'overdue').at(-1)).toBe('Complete@50');
    expect(h.status('starting')).toBe('Starting');
    expect(h.status('stopping')).toBe('Stopping');

    await h.advance(1);
    expect(h.status('stopping')).toBe('Stopped');
    await h.advance(1);
    expect(h.status('starting')).toBe('Training');
    await h.advance(47.9);
    expect(h.status('running')).toBe('Training');
    await h.advance(0.1);
    expect(h.status('running')).toBe('Complete'); // started at 0, due at 100
    expect(historyOf(h.engine, 'running').at(-1)).toBe('Complete@100');
    expect(h.status('notebook')).toBe('Running');
    await h.advance(100);
    expect(historyOf(h.engine, 'starting').slice(-2)).toEqual(['Training@52', 'Complete@152']);
    expect(h.status('notebook')).toBe('Running');
    // Each report picked up is named after the event that put its job in its status then.
    const at = (type: string, jobId: string) => revisionOf(store, type, jobId);
    expect(h.ids).toEqual([
      `runtime:${await at('JobStarted', 'overdue')}:completed`,
      `runtime:${await at('JobStopRequested', 'stopping')}:released`,
      `runtime:${await at('JobAllocated', 'starting')}:started`,
      `runtime:${await at('JobStarted', 'running')}:completed`,
      `runtime:${await at('JobStarted', 'starting')}:completed`,
    ]);
    expect(h.errors).toEqual([]);
  });

  it('stop() cancels every timer and stops listening', async () => {
    const h = await harness();
    await user(h.engine, submit('j1', 2, { expectedDuration: 10 }));
    await user(h.engine, submit('j2', 2, { kind: 'notebook' }));
    expect(vi.getTimerCount()).toBe(2);
    h.runtime.stop();
    expect(vi.getTimerCount()).toBe(0);
    await user(h.engine, stop('j2'));
    await h.advance(60);
    expect(vi.getTimerCount()).toBe(0);
    expect([h.status('j1'), h.status('j2')]).toEqual(['Starting', 'Stopping']);
    expect(h.sent).toEqual([]);
    h.runtime.stop(); // twice is harmless
  });

  it("unrefs its timers so they never keep the process alive, and uses the timers it's given", async () => {
    const store = new InMemoryEventStore();
    const engine = await engineOn(store);
    const handles: { ms: number; unref: () => void; callback: () => void }[] = [];
    const cleared: unknown[] = [];
    const timers: Timers = {
      setTimeout(callback, ms) {
        const handle = { ms, callback, unref: vi.fn() };
        handles.push(handle);
        return handle;
      },
      clearTimeout(handle) {
        cleared.push(handle);
      },
    };
    const runtime = startRealtimeRuntime(engine, store, { timers, launchDelaySeconds: 3 });
    await accept(engine, submit('j1', 4, { expectedDuration: 7 }));
    expect(handles.map((x) => x.ms)).toEqual([3000]);
    expect(handles[0]?.unref).toHaveBeenCalledOnce();
    handles[0]?.callback();
    await runtime.idle();
    expect(engine.job('j1')?.status).toBe('Training');
    expect(handles.map((x) => x.ms)).toEqual([3000, 7000]);
    expect(handles[1]?.unref).toHaveBeenCalledOnce();
    runtime.stop();
    expect(cleared).toEqual([handles[1]]);
  });

  it('ignores a report the engine rejects because the job moved on meanwhile', async () => {
    const store = new InMemoryEventStore();
    // The runtime hears of other processes' appends late (as from a store that polls for them).
    const late = heldDeliveries(store);
    const h = await harness({}, await engineOn(store), late.store);
    await user(h.engine, submit('j1', 4, { expectedDuration: 10 }));
    await h.advance(2);
    // Another writer on the same store completes the job; neither this engine nor its runtime has seen it yet.
    late.hold();
    const other = await engineOn(store, []);
    await accept(other, completed('j1'));
    expect(h.status('j1')).toBe('Training');
    await h.advance(10); // the completion report: decided again on the store's state, rejected
    expect(h.sent).toEqual(['ReportJobStarted j1', 'ReportJobCompleted j1']);
    expect(h.answers.at(-1)).toMatch(/ rejected$/);
    expect(h.status('j1')).toBe('Complete');
    late.release();
    await h.runtime.idle();
    expect(h.errors).toEqual([]);
  });

  it('hands a report that throws to onError, and idle() waits for reports in flight', async () => {
    const inner = new InMemoryEventStore();
    let failing = false;
    const store: EventStore = {
      append: (stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> =>
        failing ? Promise.reject(new Error('disk full')) : inner.append(stream, events, expected),
      read: (s, o) => inner.read(s, o),
      readAll: (o) => inner.readAll(o),
      subscribe: (s, o, handler) => inner.subscribe(s, o, handler),
      readSnapshot: (s, v) => inner.readSnapshot(s, v),
      writeSnapshot: (s, snap) => inner.writeSnapshot(s, snap),
      readCheckpoint: (n) => inner.readCheckpoint(n),
      writeCheckpoint: (n, p) => inner.writeCheckpoint(n, p),
      acquireLease: (n, h, ttl, now) => inner.acquireLease(n, h, ttl, now),
      releaseLease: (n, h) => inner.releaseLease(n, h),
      readLease: (n) => inner.readLease(n),
      close: () => inner.close(),
    };
    const h = await harness({}, await engineOn(store));
    await user(h.engine, submit('j1', 4, { expectedDuration: 10 }));
    failing = true;
    await vi.advanceTimersByTimeAsync(2000);
    const idle = h.runtime.idle();
    await expect(idle).resolves.toBeUndefined();
    expect(h.errors.map((e) => (e as Error).message)).toEqual(['disk full']);
    expect(h.status('j1')).toBe('Starting');
    await expect(h.runtime.idle()).resolves.toBeUndefined(); // nothing in flight
  });

  it('refuses negative or non-finite delays', async () => {
    const store = new InMemoryEventStore();
    const engine = await engineOn(store);
    expect(() => startRealtimeRuntime(engine, store, { launchDelaySeconds: -1 })).toThrow(
      /launchDelaySeconds must be a number >= 0/,
    );
    expect(() => startRealtimeRuntime(engine, store, { defaultDurationSeconds: Number.NaN })).toThrow(/defaultDurationSeconds/);
  });
});

describe('as a reactor', () => {
  it('starts an allocation another process appended to the same store, and drops a report another process made moot', async () => {
    const store = new InMemoryEventStore();
    const h = await harness({}, await engineOn(store));
    // Another process on the same store: its appends never pass through this runtime's engine.
    const other = await engineOn(store, []);
    await accept(other, submit('j1', 4, { expectedDuration: 10 }));
    await h.runtime.idle();
    expect(h.status('j1')).toBe('Starting'); // the engine caught up before the runtime reacted
    await h.advance(2);
    expect(h.status('j1')).toBe('Training');
    await other.catchUp();
    expect(other.job('j1')?.status).toBe('Training');

    await h.advance(5);
    await accept(other, completed('j1')); // completed there before its expected duration is up
    await h.runtime.idle();
    expect(h.status('j1')).toBe('Complete');
    expect(vi.getTimerCount()).toBe(0); // the completion report is no longer owed
    await h.advance(10);
    expect(h.sent).toEqual(['ReportJobStarted j1']);
    expect(h.errors).toEqual([]);
  });

  it('gives each report an id derived from the event that called for it', async () => {
    const store = new InMemoryEventStore();
    const h = await harness({}, await engineOn(store));
    await user(h.engine, submit('j1', 2, { expectedDuration: 10 }));
    await user(h.engine, submit('nb', 2, { kind: 'notebook' }));
    await h.advance(2);
    await user(h.engine, stop('nb'));
    await h.advance(10);
    expect([h.status('j1'), h.status('nb')]).toEqual(['Complete', 'Stopped']);

    const at = async (type: string, jobId: string) => revisionOf(store, type, jobId);
    const expected = [
      `runtime:${await at('JobAllocated', 'j1')}:started`,
      `runtime:${await at('JobAllocated', 'nb')}:started`,
      `runtime:${await at('JobStopRequested', 'nb')}:released`,
      `runtime:${await at('JobStarted', 'j1')}:completed`,
    ];
    expect(h.sent).toEqual(['ReportJobStarted j1', 'ReportJobStarted nb', 'ReleaseJob nb', 'ReportJobCompleted j1']);
    expect(h.ids).toEqual(expected);
    expect(h.ids.every((id) => Id.is(id))).toBe(true); // valid command ids, as a client's would be
    // The events of each report carry its id: that is what a repeat is recognised by.
    expect((await logOf(store, 'j1')).slice(2)).toEqual([
      `JobStarted j1@${await at('JobStarted', 'j1')} ${expected[0]}`,
      `JobCompleted j1@${await at('JobCompleted', 'j1')} ${expected[3]}`,
    ]);
    expect(h.answers.every((a) => a.endsWith(' applied'))).toBe(true);
  });

  it('two runtimes on one store send the same ids for the same events, and each report is applied once', async () => {
    const store = new InMemoryEventStore();
    const a = await harness({}, await engineOn(store));
    // The second runtime hears of the first's appends late, as from a store that polls for them:
    // its engine is stale when its own timers fire, so it really does send its reports.
    const late = heldDeliveries(store);
    const b = await harness({}, await engineOn(store, []), late.store);
    await user(a.engine, submit('j1', 2, { expectedDuration: 10 }));
    await user(a.engine, submit('j2', 2, { expectedDuration: 20 }));
    await b.runtime.idle();
    expect([b.status('j1'), b.status('j2')]).toEqual(['Starting', 'Starting']);

    late.hold();
    await a.advance(2);
    await b.runtime.idle();
    expect(a.sent).toEqual(['ReportJobStarted j1', 'ReportJobStarted j2']);
    expect(a.answers).toEqual(a.ids.map((id) => `${id} applied`));
    // b sends what its stale state says is due: at least the first report, under the same id as
    // a's, answered as a duplicate. (A report whose timer fires after b's engine has caught up on
    // that one's answer is not due any more, and is rightly not sent.)
    expect(b.sent[0]).toBe('ReportJobStarted j1');
    expect(b.ids).toEqual(a.ids.slice(0, b.ids.length));
    expect(b.answers).toEqual(b.ids.map((id) => `${id} duplicate`));

    late.release();
    await a.advance(20);
    await b.runtime.idle();
    expect([a.status('j1'), a.status('j2'), b.status('j1'), b.status('j2')]).toEqual(Array(4).fill('Complete'));
    for (const job of ['j1', 'j2']) {
      const types = (await logOf(store, job)).map((e) => e.split(' ')[0]);
      expect(types).toEqual(['JobSubmitted', 'JobAllocated', 'JobStarted', 'JobCompleted']);
    }
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('restarted while its report is in flight, resends nothing once that report lands', async () => {
    const store = new InMemoryEventStore();
    const gated = gatedAppends(store);
    const first = await harness({}, await engineOn(gated.store));
    await user(first.engine, submit('j1', 4, { expectedDuration: 100 }));
    gated.close();
    await vi.advanceTimersByTimeAsync(2000); // the start report is sent; its append is in flight
    expect(first.sent).toEqual(['ReportJobStarted j1']);
    first.runtime.stop(); // and the server dies

    // The next server loads before that append lands: it finds j1 starting, and picks it up.
    const h = await harness({}, await engineOn(store, []));
    expect(h.status('j1')).toBe('Starting');
    gated.open();
    await vi.advanceTimersByTimeAsync(0);
    await h.runtime.idle();
    expect(h.status('j1')).toBe('Training');
    await h.advance(2);
    expect(h.sent).toEqual([]); // the landed report is not sent again
    await h.advance(100);
    expect(h.sent).toEqual(['ReportJobCompleted j1']);
    expect(h.ids).toEqual([`runtime:${await revisionOf(store, 'JobStarted', 'j1')}:completed`]);
    expect((await logOf(store, 'j1')).map((e) => e.split(' ')[0])).toEqual([
      'JobSubmitted',
      'JobAllocated',
      'JobStarted',
      'JobCompleted',
    ]);
    expect(h.errors).toEqual([]);
  });

  it('picks up a job with the id of the event that put it in its status: a report a dead server sent is a duplicate', async () => {
    const store = new InMemoryEventStore();
    const gated = gatedAppends(store);
    const first = await harness({}, await engineOn(gated.store));
    await user(first.engine, submit('j1', 4, { expectedDuration: 100 }));
    gated.close();
    await vi.advanceTimersByTimeAsync(2000);
    first.runtime.stop();

    const late = heldDeliveries(store);
    const h = await harness({}, await engineOn(store, []), late.store);
    late.hold(); // this time the new server hears of the landed report only later
    gated.open();
    await vi.advanceTimersByTimeAsync(0);
    await h.advance(2);
    const allocated = await revisionOf(store, 'JobAllocated', 'j1');
    expect(first.ids).toEqual([`runtime:${allocated}:started`]);
    expect(h.ids).toEqual(first.ids);
    expect(h.answers).toEqual([`runtime:${allocated}:started duplicate`]);
    late.release();
    await h.advance(100);
    expect(h.status('j1')).toBe('Complete');
    expect((await logOf(store, 'j1')).filter((e) => e.startsWith('JobStarted'))).toHaveLength(1);
    expect(h.errors).toEqual([]);
  });
});

describe('waking up', () => {
  /** setup() with pool p's policy as given and a maximum wait of 60 s. */
  const timed = (policy: Policy) => [...setup(), configurePool('p', { policy, maxWaitSeconds: 60 })];
  const ticks = (h: Harness) => h.sent.filter((c) => c.startsWith('Tick'));
  /** r holds 2 of the 4 GPUs until stopped; old would fit, but big (priority 10) heads the fifo queue and does not. */
  async function blockedBehindPriority(engine: Engine): Promise<void> {
    await accept(engine, submit('r', 2, { kind: 'notebook' }));
    const r = await engine.executeBatch([submit('old', 2), submit('big', 4, { priority: 10 })]);
    expect(r.outcomes.every((o) => o.ok)).toBe(true);
  }

  it('sends a Tick at a maximum-wait deadline with no other traffic: the starving job starts then', async () => {
    const h = await harness({}, await engineOn(new InMemoryEventStore(), timed('fifo')));
    await blockedBehindPriority(h.engine);
    await h.advance(59.9);
    expect(h.status('old')).toBe('WaitingForGPUs');
    expect(ticks(h)).toEqual([]);
    await h.advance(0.1);
    expect(historyOf(h.engine, 'old')).toEqual(['Queued@0', 'WaitingForGPUs@0', 'Starting@60']);
    expect(ticks(h)).toHaveLength(1);
    // big starves from t=60 as well, and holds what frees: nothing else is timed, no Tick comes again.
    await h.advance(DAY);
    expect(ticks(h)).toHaveLength(1);
    expect(h.status('big')).toBe('WaitingForGPUs');
    expect(h.errors).toEqual([]);
  });

  it('under first-fit ticks at the deadline and starts nothing: the starving head then keeps what frees', async () => {
    const store = new InMemoryEventStore();
    const h = await harness({}, await engineOn(store, timed('first-fit')));
    await user(h.engine, submit('r', 2, { kind: 'notebook' }));
    await user(h.engine, submit('head', 4));
    await h.advance(2); // r reported running
    const revision = h.engine.current.revision;
    await h.advance(58);
    expect(ticks(h)).toHaveLength(1);
    // Every job that fits has started already: the Tick appends only the event that remembers its id.
    expect((await logOf(store)).slice(revision + 1)).toEqual([`CommandAccepted -@${revision + 1} runtime:@${T0 + 60}:tick`]);
    await h.advance(1);
    await user(h.engine, submit('late', 2));
    expect(h.engine.job('late')?.reason?.code).toBe('reserved-for-starving-job');
    await user(h.engine, stop('r'));
    await h.advance(1); // the stop delay: r is released
    expect([h.status('head'), h.status('late')]).toEqual(['Starting', 'WaitingForGPUs']);
    expect(h.errors).toEqual([]);
  });

  it('sets the wake-up on start for the waiting jobs the store already holds', async () => {
    const engine = await engineOn(new InMemoryEventStore(), timed('fifo'));
    await blockedBehindPriority(engine);
    await vi.advanceTimersByTimeAsync(30_000);
    const h = await harness({}, engine);
    await h.advance(29.9);
    expect(h.status('old')).toBe('WaitingForGPUs');
    await h.advance(0.1);
    expect(h.status('old')).toBe('Starting');
  });

  it('keeps one wake-up timer, set again after each batch, and stop() cancels it', async () => {
    const h = await harness({}, await engineOn(new InMemoryEventStore(), timed('fifo')));
    await user(h.engine, submit('r', 2, { kind: 'notebook' }));
    await h.advance(2); // r reported running: no report is pending
    expect(vi.getTimerCount()).toBe(0);
    const r = await h.engine.executeBatch([submit('old', 2), submit('big', 4, { priority: 10 })]);
    expect(r.outcomes.every((o) => o.ok)).toBe(true);
    expect(vi.getTimerCount()).toBe(1); // the wake-up at t=62
    await h.advance(10);
    await user(h.engine, submit('young', 2)); // a batch later: the same wake-up
    expect(vi.getTimerCount()).toBe(1);
    h.runtime.stop();
    expect(vi.getTimerCount()).toBe(0);
    await h.advance(120);
    expect(h.status('old')).toBe('WaitingForGPUs');
    expect(ticks(h)).toEqual([]);
  });
});
