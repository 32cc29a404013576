/**
 * The simulated runtime, driven against the real engine: launch delay and jitter, start before
 * completion, failures (scheduled and injected), stop requests, node loss and restore, and the
 * order of its reports within an instant. Every report it sends must be one the engine accepts:
 * the driver below collects any refusal, and each test expects none.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../core/cluster/commands.js';
import type { Event } from '../../core/cluster/events.js';
import type { PlacementMode, Policy } from '../../core/cluster/model.js';
import { createEngine, type Engine } from '../../engine/engine.js';
import { clusterCommands, userOf } from '../../simulations/cluster.js';
import { Random } from '../../simulations/random.js';
import { type RuntimeJob, type RuntimeOptions, SimulatedRuntime } from './runtime.js';
import { InMemoryEventStore } from './store.js';

const POOL = 'p';
const OWNER = userOf(POOL);

interface Input {
  readonly at: number;
  readonly commands: readonly Command[];
}

interface Run {
  readonly engine: Engine;
  readonly runtime: SimulatedRuntime;
  /** Every event after setup, in order. */
  readonly events: Event[];
  /** Runtime reports the engine refused: always expected empty. */
  readonly refused: string[];
  /** The instants at which a batch ran, in order. */
  readonly batches: number[];
}

const submit = (jobId: string, gpus: number, extra: Partial<Extract<Command, { type: 'SubmitJob' }>> = {}): Command => ({
  type: 'SubmitJob',
  jobId,
  kind: 'training',
  owner: OWNER,
  gpus,
  ...extra,
});

/**
 * One pool `p` of `nodes` x `gpusPerNode`, fifo unless told; `inputs` are fed at their instants
 * (after the runtime's reports due then), the runtime's reports whenever it has some, until both
 * are done. The runtime sees the engine's state after every batch, so it wakes up when time alone
 * changes a decision.
 */
async function drive(options: {
  nodes: number;
  gpusPerNode: number;
  placement?: PlacementMode;
  policy?: Policy;
  maxWaitSeconds?: number;
  runtime: RuntimeOptions;
  jobs: Record<string, RuntimeJob>;
  inputs: Input[];
  before?: (runtime: SimulatedRuntime) => void;
}): Promise<Run> {
  const engine = await createEngine({ store: new InMemoryEventStore(), clock: { now: () => 0 } });
  const pools = [{ name: POOL, nodes: options.nodes, gpusPerNode: options.gpusPerNode, gpuType: 'GPU' }];
  const settings = {
    policy: options.policy ?? 'fifo',
    placement: options.placement ?? 'count',
    maxWaitSeconds: options.maxWaitSeconds ?? null,
  };
  const setup = await engine.executeBatch(clusterCommands(pools, settings), { at: 0 });
  expect(setup.outcomes.every((o) => o.ok)).toBe(true);
  const runtime = new SimulatedRuntime(options.runtime);
  for (const [id, job] of Object.entries(options.jobs)) runtime.expect(id, job);
  options.before?.(runtime);
  const inputs = [...options.inputs].sort((a, b) => a.at - b.at);
  const run: Run = { engine, runtime, events: [], refused: [], batches: [] };
  let next = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const at = Math.min(inputs[next]?.at ?? Number.POSITIVE_INFINITY, runtime.nextAt());
    if (at === Number.POSITIVE_INFINITY) return run;
    const commands = runtime.takeDue(at);
    const reports = commands.length;
    while (next < inputs.length && (inputs[next] as Input).at === at) commands.push(...(inputs[next++] as Input).commands);
    const result = await engine.executeBatch(commands, { at });
    run.batches.push(at);
    result.outcomes.forEach((o, k) => {
      if (!o.ok && k < reports) run.refused.push(`t=${at} ${(commands[k] as Command).type}: ${o.rejection.message}`);
    });
    runtime.observe(result.events, engine.current);
    run.events.push(...result.events);
  }
  throw new Error('the run did not finish');
}

/** The events about `jobId`, as `type@at`. */
const story = (run: Run, jobId: string) =>
  run.events.filter((e) => 'jobId' in e && e.jobId === jobId && e.type !== 'JobWaiting').map((e) => `${e.type}@${e.at}`);

const eventOf = (run: Run, type: Event['type'], jobId: string) =>
  run.events.find((e) => e.type === type && 'jobId' in e && e.jobId === jobId) as (Event & { at: number }) | undefined;

describe('launching', () => {
  it('reports a job started launchDelay seconds after its allocation, and completes it duration seconds after that', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      runtime: { launchDelay: 3 },
      jobs: { x: { duration: 10 }, y: { duration: 10 }, z: { duration: 1 } },
      inputs: [
        { at: 0, commands: [submit('x', 2)] },
        { at: 1, commands: [submit('y', 2)] },
        { at: 2, commands: [submit('z', 4)] },
      ],
    });
    expect(run.refused).toEqual([]);
    expect(story(run, 'x')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@3', 'JobCompleted@13']);
    // A start report due later never moves another job's decision: y is allocated when submitted.
    expect(story(run, 'y')).toEqual(['JobSubmitted@1', 'JobAllocated@1', 'JobStarted@4', 'JobCompleted@14']);
    // z needs the whole node: it waits until both have completed.
    expect(story(run, 'z')).toEqual(['JobSubmitted@2', 'JobAllocated@14', 'JobStarted@17', 'JobCompleted@18']);
    expect(run.engine.job('x')?.history.map((h) => `${h.status}@${h.at}`)).toEqual([
      'Queued@0',
      'Starting@0',
      'Training@3',
      'Complete@13',
    ]);
  });

  it('a start report due later never moves an earlier batch (its submissions, its scheduling) into the future', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 8,
      runtime: { launchDelay: 10 },
      jobs: { a: { duration: 100 }, b: { duration: 5 }, c: { duration: 1 } },
      inputs: [
        { at: 0, commands: [submit('a', 2)] },
        { at: 5, commands: [submit('b', 2)] },
        { at: 7, commands: [submit('c', 2)] },
      ],
    });
    expect(run.refused).toEqual([]);
    expect(run.batches).toEqual([...run.batches].sort((x, y) => x - y));
    // Every event is stamped no earlier than the one before it.
    const times = run.events.map((e) => e.at);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(story(run, 'b')).toEqual(['JobSubmitted@5', 'JobAllocated@5', 'JobStarted@15', 'JobCompleted@20']);
    expect(story(run, 'c')).toEqual(['JobSubmitted@7', 'JobAllocated@7', 'JobStarted@17', 'JobCompleted@18']);
  });

  it('reports a job started before it completes, even with no launch delay and no duration', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      runtime: {},
      jobs: { zero: { duration: 0 }, one: { duration: 1 } },
      inputs: [{ at: 0, commands: [submit('zero', 1), submit('one', 1)] }],
    });
    expect(run.refused).toEqual([]);
    expect(story(run, 'zero')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@0', 'JobCompleted@0']);
    expect(story(run, 'one')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@0', 'JobCompleted@1']);
    expect(run.engine.job('zero')?.status).toBe('Complete');
  });

  it('leaves alone the jobs it was not told about', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      runtime: { launchDelay: 1 },
      jobs: { mine: { duration: 5 } },
      inputs: [{ at: 0, commands: [submit('mine', 1), submit('theirs', 1)] }],
    });
    expect(run.refused).toEqual([]);
    expect(run.engine.job('theirs')?.status).toBe('Starting');
    expect(run.engine.job('mine')?.status).toBe('Complete');
    expect(run.runtime.nextAt()).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses jitter or failure injection without a random source', () => {
    expect(() => new SimulatedRuntime({ launchJitter: 2 })).toThrow(/seeded random source/);
    expect(() => new SimulatedRuntime({ failureRate: 0.1 })).toThrow(/seeded random source/);
    expect(() => new SimulatedRuntime({ launchDelay: 2, stopDelay: 3 })).not.toThrow();
  });
});

describe('failures', () => {
  it('fails a job failAfter seconds after it started, with its reason', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      runtime: { launchDelay: 2 },
      jobs: {
        oom: { duration: 10, failAfter: 4, failReason: 'OOMKilled' },
        crash: { duration: 10, failAfter: 0 },
        late: { duration: 10, failAfter: 10 },
      },
      inputs: [{ at: 0, commands: [submit('oom', 1), submit('crash', 1), submit('late', 1)] }],
    });
    expect(run.refused).toEqual([]);
    expect(story(run, 'oom')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@2', 'JobFailed@6']);
    expect(run.engine.job('oom')).toMatchObject({ status: 'Error', failure: { reason: 'OOMKilled' } });
    // Failing right at the start still reports the start first; the default reason is Crashed.
    expect(story(run, 'crash')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@2', 'JobFailed@2']);
    expect(run.engine.job('crash')).toMatchObject({ status: 'Error', failure: { reason: 'Crashed' } });
    // A failure planned at or after the end never happens: the job completes.
    expect(story(run, 'late')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@2', 'JobCompleted@12']);
  });

  const manyJobs = (n: number, duration = 20) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`j${i}`, { duration }]));
  const submitAll = (n: number) => [{ at: 0, commands: Array.from({ length: n }, (_, i) => submit(`j${i}`, 1)) }];

  async function injected(seed: number, failureRate: number, launchJitter = 0) {
    const random = new Random(seed);
    return drive({
      nodes: 8,
      gpusPerNode: 8,
      runtime: { failureRate, launchJitter, launchDelay: 1, random: () => random.next() },
      jobs: manyJobs(40),
      inputs: submitAll(40),
    });
  }

  it('injects failures at a point of the run, deterministically under a seed', async () => {
    const a = await injected(7, 0.5);
    const b = await injected(7, 0.5);
    expect(a.refused).toEqual([]);
    expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events));
    const failed = a.events.filter((e) => e.type === 'JobFailed').map((e) => (e as { jobId: string }).jobId);
    const completed = a.events.filter((e) => e.type === 'JobCompleted').length;
    expect(failed.length).toBeGreaterThan(5);
    expect(completed).toBeGreaterThan(5);
    expect(failed.length + completed).toBe(40);
    for (const id of failed) {
      const started = eventOf(a, 'JobStarted', id)?.at as number;
      const at = eventOf(a, 'JobFailed', id)?.at as number;
      expect(at).toBeGreaterThanOrEqual(started);
      expect(at).toBeLessThan(started + 20);
      expect(Number.isInteger(at)).toBe(true);
      expect(a.engine.job(id)?.failure?.reason).toBe('Crashed');
    }
    // Another seed, other failures.
    const c = await injected(8, 0.5);
    expect(c.events.filter((e) => e.type === 'JobFailed').map((e) => (e as { jobId: string }).jobId)).not.toEqual(failed);
  });

  it('fails every job at rate 1 and none at rate 0', async () => {
    const all = await injected(3, 1);
    expect(all.refused).toEqual([]);
    expect(all.engine.jobs().every((j) => j.status === 'Error')).toBe(true);
    const none = await injected(3, 0);
    expect(none.engine.jobs().every((j) => j.status === 'Complete')).toBe(true);
  });

  it('draws launch jitter in whole seconds within [0, launchJitter], deterministically under a seed', async () => {
    const a = await injected(11, 0, 4);
    const b = await injected(11, 0, 4);
    expect(a.refused).toEqual([]);
    expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events));
    const delays = Array.from(
      { length: 40 },
      (_, i) => (eventOf(a, 'JobStarted', `j${i}`)?.at as number) - (eventOf(a, 'JobAllocated', `j${i}`)?.at as number),
    );
    for (const d of delays) expect([1, 2, 3, 4, 5]).toContain(d);
    expect(new Set(delays).size).toBeGreaterThan(2);
    for (let i = 0; i < 40; i++) {
      expect((eventOf(a, 'JobCompleted', `j${i}`)?.at as number) - (eventOf(a, 'JobStarted', `j${i}`)?.at as number)).toBe(20);
    }
    const c = await injected(12, 0, 4);
    expect(c.events.filter((e) => e.type === 'JobStarted').map((e) => e.at)).not.toEqual(
      a.events.filter((e) => e.type === 'JobStarted').map((e) => e.at),
    );
  });
});

describe('stopping', () => {
  it('turns a stop request into a ReleaseJob stopDelay seconds later; the completion is never reported', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      runtime: { stopDelay: 2 },
      jobs: { x: { duration: 10 }, w: { duration: 1 } },
      inputs: [
        { at: 0, commands: [submit('x', 4)] },
        { at: 1, commands: [submit('w', 4)] },
        { at: 5, commands: [{ type: 'StopJob', jobId: 'x' }] },
      ],
    });
    expect(run.refused).toEqual([]);
    expect(story(run, 'x')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@0', 'JobStopRequested@5', 'JobStopped@7']);
    expect(run.engine.job('x')?.status).toBe('Stopped');
    // The released GPUs go to the waiting job at the release.
    expect(eventOf(run, 'JobAllocated', 'w')?.at).toBe(7);
    expect(run.runtime.nextAt()).toBe(Number.POSITIVE_INFINITY);
  });

  it('releases at once with no stop delay', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      runtime: {},
      jobs: { x: { duration: 10 } },
      inputs: [
        { at: 0, commands: [submit('x', 4)] },
        { at: 5, commands: [{ type: 'StopJob', jobId: 'x' }] },
      ],
    });
    expect(run.refused).toEqual([]);
    expect(story(run, 'x')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@0', 'JobStopRequested@5', 'JobStopped@5']);
  });

  it('stops a job that is still launching without reporting it started', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      runtime: { launchDelay: 5, stopDelay: 10 },
      jobs: { x: { duration: 100 } },
      inputs: [
        { at: 0, commands: [submit('x', 4)] },
        { at: 2, commands: [{ type: 'StopJob', jobId: 'x' }] },
      ],
    });
    expect(run.refused).toEqual([]);
    expect(story(run, 'x')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStopRequested@2', 'JobStopped@12']);
    expect(run.runtime.nextAt()).toBe(Number.POSITIVE_INFINITY);
  });

  it('a job that finishes before its stop takes effect completes; the release is dropped', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      runtime: { stopDelay: 10 },
      jobs: { x: { duration: 8 } },
      inputs: [
        { at: 0, commands: [submit('x', 4)] },
        { at: 5, commands: [{ type: 'StopJob', jobId: 'x' }] },
      ],
    });
    expect(run.refused).toEqual([]);
    expect(story(run, 'x')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@0', 'JobStopRequested@5', 'JobCompleted@8']);
    expect(run.runtime.nextAt()).toBe(Number.POSITIVE_INFINITY);
  });

  it('a queued job stopped by the engine is nothing to the runtime', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      runtime: {},
      jobs: { a: { duration: 10 }, b: { duration: 10 } },
      inputs: [
        { at: 0, commands: [submit('a', 4), submit('b', 4)] },
        { at: 3, commands: [{ type: 'StopJob', jobId: 'b' }] },
      ],
    });
    expect(run.refused).toEqual([]);
    expect(story(run, 'b')).toEqual(['JobSubmitted@0', 'JobStopped@3']);
    expect(story(run, 'a')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@0', 'JobCompleted@10']);
  });
});

describe('nodes', () => {
  const devices = (n: number) => Array.from({ length: n }, (_, index) => ({ index, gpuType: 'GPU' }));

  it('loses a node at its instant: its jobs fail with NodeLost and their later reports are dropped', async () => {
    const run = await drive({
      nodes: 2,
      gpusPerNode: 4,
      placement: 'node',
      runtime: {},
      jobs: { a: { duration: 10 }, b: { duration: 10 } },
      inputs: [{ at: 0, commands: [submit('a', 4), submit('b', 4)] }],
      before: (rt) => rt.loseNodeAt(5, 'p/n0'),
    });
    expect(run.refused).toEqual([]);
    const lostJob = run.engine.job('a')?.allocation?.nodes.includes('p/n0') ? 'a' : 'b';
    const other = lostJob === 'a' ? 'b' : 'a';
    expect(story(run, lostJob)).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@0', 'JobFailed@5']);
    expect(run.engine.job(lostJob)).toMatchObject({ status: 'Error', failure: { reason: 'NodeLost' } });
    expect(story(run, other)).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@0', 'JobCompleted@10']);
    expect(run.events.find((e) => e.type === 'NodeLost')?.at).toBe(5);
    expect(run.engine.current.nodes.get('p/n0')?.lost).toBe(true);
  });

  it('drops the start report of a job whose node was lost while it launched', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      placement: 'node',
      runtime: { launchDelay: 3 },
      jobs: { a: { duration: 10 } },
      inputs: [{ at: 0, commands: [submit('a', 4)] }],
      before: (rt) => rt.loseNodeAt(1, 'p/n0'),
    });
    expect(run.refused).toEqual([]);
    expect(story(run, 'a')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobFailed@1']);
    expect(run.runtime.nextAt()).toBe(Number.POSITIVE_INFINITY);
  });

  it('restores a lost node at its instant, its GPUs back in the cluster (in the Default Pool)', async () => {
    const run = await drive({
      nodes: 2,
      gpusPerNode: 4,
      placement: 'node',
      runtime: {},
      jobs: {},
      inputs: [{ at: 20, commands: [] }],
      before: (rt) => {
        rt.restoreNodeAt(8, 'p/n1', devices(4));
        rt.loseNodeAt(5, 'p/n1');
      },
    });
    expect(run.refused).toEqual([]);
    expect(
      run.events.filter((e) => e.type === 'NodeLost' || e.type === 'NodeRegistered').map((e) => `${e.type}@${e.at}`),
    ).toEqual(['NodeLost@5', 'NodeRegistered@8']);
    expect(run.engine.current.nodes.get('p/n1')?.lost).toBe(false);
    expect(run.engine.pool(POOL)?.total).toBe(4);
    expect(run.engine.pool('default')?.total).toBe(4);
  });

  it('a job that completes at the instant its node is lost is Complete: ends come before node events', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      placement: 'node',
      runtime: {},
      jobs: { a: { duration: 10 } },
      inputs: [{ at: 0, commands: [submit('a', 4)] }],
      before: (rt) => rt.loseNodeAt(10, 'p/n0'),
    });
    expect(run.refused).toEqual([]);
    expect(story(run, 'a')).toEqual(['JobSubmitted@0', 'JobAllocated@0', 'JobStarted@0', 'JobCompleted@10']);
    expect(run.engine.job('a')?.status).toBe('Complete');
  });
});

describe('waking up', () => {
  // One node of 4 GPUs: r holds 2 of them for 1000 s from t=0.
  const held = { at: 0, commands: [submit('r', 2)] };

  it('sends a Tick at a maximum-wait deadline with no other traffic: the starving job starts then, ahead of a higher-priority head', async () => {
    const options = {
      nodes: 1,
      gpusPerNode: 4,
      maxWaitSeconds: 60,
      runtime: {},
      jobs: { r: { duration: 1000 }, old: { duration: 10 }, big: { duration: 10 } },
      // old would fit, but big (priority 10) heads the fifo queue and does not: old waits from t=1.
      inputs: [held, { at: 1, commands: [submit('old', 2), submit('big', 4, { priority: 10 })] }],
    };
    const run = await drive(options);
    expect(run.refused).toEqual([]);
    expect(run.batches).toContain(61);
    expect(story(run, 'old')).toEqual(['JobSubmitted@1', 'JobAllocated@61', 'JobStarted@61', 'JobCompleted@71']);
    // big starves from t=61 too: once r and old have ended, it goes first.
    expect(eventOf(run, 'JobAllocated', 'big')?.at).toBe(1000);
    // The wake-up is a function of the state: a second run wakes up at the same instants.
    const again = await drive(options);
    expect(again.batches).toEqual(run.batches);
    expect(again.events.map((e) => `${e.type}@${e.at}`)).toEqual(run.events.map((e) => `${e.type}@${e.at}`));
  });

  it('under first-fit ticks at the deadline: the starving head reserves what frees, and a later job waits for it', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      policy: 'first-fit',
      maxWaitSeconds: 60,
      runtime: {},
      jobs: { r: { duration: 1000 }, head: { duration: 100 }, late: { duration: 10 } },
      inputs: [held, { at: 0, commands: [submit('head', 4)] }, { at: 200, commands: [submit('late', 2)] }],
    });
    expect(run.refused).toEqual([]);
    expect(run.batches).toEqual([0, 60, 200, 1000, 1100, 1110]);
    // The Tick at t=60 found nothing to start (every job that fits has started under first-fit).
    expect(run.events.filter((e) => e.at === 60)).toEqual([]);
    expect(eventOf(run, 'JobWaiting', 'late')).toMatchObject({ reason: { code: 'reserved-for-starving-job' } });
    expect(story(run, 'head')).toEqual(['JobSubmitted@0', 'JobAllocated@1000', 'JobStarted@1000', 'JobCompleted@1100']);
    expect(eventOf(run, 'JobAllocated', 'late')?.at).toBe(1100);
  });

  it('never wakes a run whose pool has no maximum wait', async () => {
    const run = await drive({
      nodes: 1,
      gpusPerNode: 4,
      runtime: {},
      jobs: { r: { duration: 1000 }, old: { duration: 10 }, big: { duration: 10 } },
      inputs: [held, { at: 1, commands: [submit('old', 2), submit('big', 4, { priority: 10 })] }],
    });
    expect(run.batches).toEqual([0, 1, 1000, 1010, 1020]);
    expect(eventOf(run, 'JobAllocated', 'old')?.at).toBe(1010); // after big, which ran 1000-1010
  });
});

describe('order within an instant', () => {
  const allocated = (jobId: string, at: number) => ({ type: 'JobAllocated', jobId, at }) as unknown as Event;
  const label = (c: Command) => `${c.type}:${'jobId' in c ? c.jobId : 'nodeId' in c ? c.nodeId : ''}`;

  it('starts, then ends (completions and failures in the order they were planned), then node events', () => {
    const rt = new SimulatedRuntime({ launchDelay: 2 });
    rt.expect('a', { duration: 8 });
    rt.expect('b', { duration: 5 });
    rt.expect('c', { duration: 9, failAfter: 6 });
    rt.expect('d', { duration: 1 });
    // Node events planned first, runtime reports after: the order at t=10 is still by kind.
    rt.loseNodeAt(10, 'n9');
    rt.restoreNodeAt(10, 'n8', [{ index: 0, gpuType: 'GPU' }]);
    rt.observe([allocated('c', 2), allocated('a', 0), allocated('d', 8), allocated('b', 3)]);
    // a: start 2, end 10. c: start 4, fails 10. b: start 5, end 10. d: start 10, end 11.
    const batches: { at: number; commands: string[] }[] = [];
    for (;;) {
      const at = rt.nextAt();
      if (at > 10) break;
      batches.push({ at, commands: rt.takeDue(at).map(label) });
    }
    // Start reports carry no capacity: the runtime may send them in their own batch or with the
    // next one, but never after the instant they are due, and always before the ends of that batch.
    const atTen = batches.find((b) => b.at === 10)?.commands ?? [];
    expect(atTen.filter((c) => !c.startsWith('ReportJobStarted'))).toEqual([
      'ReportJobFailed:c',
      'ReportJobCompleted:a',
      'ReportJobCompleted:b',
      'LoseNode:n9',
      'RegisterNode:n8',
    ]);
    expect(atTen).toContain('ReportJobStarted:d');
    const firstOther = atTen.findIndex((c) => !c.startsWith('ReportJobStarted'));
    expect(atTen.slice(firstOther).some((c) => c.startsWith('ReportJobStarted'))).toBe(false);
    // Every job's start is sent exactly once, before its end.
    const all = batches.flatMap((b) => b.commands);
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(all.filter((c) => c === `ReportJobStarted:${id}`)).toHaveLength(1);
    }
    for (const [id, end] of [
      ['a', 'ReportJobCompleted:a'],
      ['b', 'ReportJobCompleted:b'],
      ['c', 'ReportJobFailed:c'],
    ] as const) {
      expect(all.indexOf(`ReportJobStarted:${id}`)).toBeLessThan(all.indexOf(end));
    }
    expect(batches.every((b) => b.at <= 10)).toBe(true);
    // d ends at 11, after everything else.
    expect(rt.nextAt()).toBe(11);
    expect(rt.takeDue(11).map(label)).toEqual(['ReportJobCompleted:d']);
    expect(rt.nextAt()).toBe(Number.POSITIVE_INFINITY);
  });

  it('never hands out a start report before it is due', () => {
    const rt = new SimulatedRuntime({ launchDelay: 10 });
    rt.expect('a', { duration: 100 });
    rt.observe([allocated('a', 0)]);
    expect(rt.nextAt()).toBe(110);
    // A driver with something else to do at t=5 asks for what is due then: not a's start (t=10).
    expect(rt.takeDue(5)).toEqual([]);
    const due = rt.takeDue(10);
    expect(due.map(label)).toEqual(['ReportJobStarted:a']);
    expect((due[0] as { at?: number }).at ?? 10).toBe(10);
  });

  it('drops every pending report of a job once it has ended', () => {
    const rt = new SimulatedRuntime({ launchDelay: 5 });
    rt.expect('a', { duration: 10 });
    rt.observe([allocated('a', 0)]);
    rt.observe([{ type: 'JobFailed', jobId: 'a', reason: 'NodeLost', message: 'lost', at: 1 } as unknown as Event]);
    expect(rt.nextAt()).toBe(Number.POSITIVE_INFINITY);
    expect(rt.takeDue(100)).toEqual([]);
  });
});
