/**
 * Properties of the run decider over random pipelines: random DAGs of container steps, nested DAG
 * components and loops (raw items or a producer's list, parallelism limits, collected outputs),
 * dependencies by `dependentTasks` and by a sibling's output, conditions over such an output, tasks
 * that run whatever their upstream did (ALL_UPSTREAM_TASKS_COMPLETED), caching, exit handlers,
 * with random step outcomes from the run's simulation fixture (durations, failures, failures until
 * a retry of the run, failures that a retry policy rides out, one iteration steered to fail). Each
 * run is played in virtual time (test-support/world.ts), sometimes terminated at a random instant,
 * and retried (twice at most) when it did not succeed:
 * - it reaches a terminal state, and every task in it has ended;
 * - no task is created, and no step starts, before the tasks it depends on in its DAG execution
 *   have ended (and, unless it runs whatever they did, succeeded);
 * - a succeeded run has every container that was not skipped SUCCEEDED or CACHED;
 * - a retry starts exactly the steps that did not succeed: every failed or canceled one, those that
 *   never ran because of them, and none that succeeded or were skipped (those keep their outputs);
 * - a loop never has more iterations running than its parallelism limit; one that succeeds ran an
 *   iteration per item and collected their outputs in item order;
 * - an exit handler's task runs once whatever the pipeline did, and sees how it ended;
 * - replaying the events from the initial state gives the runs the live state has.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ComponentSpec, DagSpec, ExecutorSpec, PipelineSpec, TaskSpec } from './ir.js';
import { isTaskDone, isTaskOk, type PipelinesState, type Run, type StepFixture, type TaskRun } from './model.js';
import { pipelinesDecider } from './pipelines-decider.js';
import { PipelinesWorld } from './test-support/world.js';

// -- random pipelines ------------------------------------------------------------------------------

/** What a step does in the first run: succeed, fail for good, fail until the run is retried, or fail some attempts. */
type Fate = 'ok' | 'failed' | 'failRuns' | 'failAttempts';

interface StepBlueprint {
  readonly seconds: number;
  readonly fate: Fate;
  /** Attempts that fail (fate failAttempts); more than `maxRetries` fails the step in every run. */
  readonly failAttempts: number;
  readonly maxRetries: number;
  readonly output: number;
  /** Caching on: the same step of another iteration, with the same inputs, may be a cache hit. */
  readonly cache: boolean;
}

interface TaskBlueprint {
  readonly kind: 'container' | 'dag' | 'loop';
  /** Earlier siblings it names in `dependentTasks` (taken modulo its index). */
  readonly deps: readonly number[];
  /** An earlier container sibling whose output it reads (modulo the containers before it). */
  readonly dataFrom: number | null;
  /** Runs only when that output is at least this (a condition; needs dataFrom). */
  readonly threshold: number | null;
  /** ALL_UPSTREAM_TASKS_COMPLETED (never with a condition, whose input a failed producer lacks). */
  readonly completed: boolean;
  readonly step: StepBlueprint;
  readonly body: DagBlueprint | null;
  readonly items: number;
  readonly parallelism: number;
  /** A loop: the one iteration whose steps (the body's own) fail, whatever they do elsewhere. */
  readonly failIteration: number | null;
}

interface DagBlueprint {
  readonly tasks: readonly TaskBlueprint[];
}

const stepArb: fc.Arbitrary<StepBlueprint> = fc.record({
  seconds: fc.integer({ min: 1, max: 5 }),
  fate: fc.oneof(
    { arbitrary: fc.constant<Fate>('ok'), weight: 8 },
    { arbitrary: fc.constantFrom<Fate>('failed', 'failRuns', 'failAttempts'), weight: 1 },
  ),
  failAttempts: fc.integer({ min: 1, max: 3 }),
  maxRetries: fc.integer({ min: 0, max: 2 }),
  output: fc.integer({ min: 0, max: 9 }),
  cache: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
});

/** Containers three times as often as nested DAGs or loops. */
const KINDS = ['container', 'container', 'container', 'dag', 'loop'] as const;

const dagArb = (depth: number): fc.Arbitrary<DagBlueprint> =>
  fc.record({ tasks: fc.array(taskArb(depth), { minLength: 1, maxLength: depth > 1 ? 5 : 4 }) });

const taskArb = (depth: number): fc.Arbitrary<TaskBlueprint> =>
  fc.constantFrom<TaskBlueprint['kind']>(...(depth > 0 ? KINDS : (['container'] as const))).chain((kind) =>
    fc.record({
      kind: fc.constant(kind),
      deps: fc.array(fc.nat(), { maxLength: 2 }),
      dataFrom: fc.option(fc.nat(), { freq: 2 }),
      threshold: fc.option(fc.integer({ min: 0, max: 9 }), { freq: 2 }),
      completed: fc.boolean(), // thinned by the scenario (thinCompleted)
      step: stepArb,
      body: kind === 'container' ? fc.constant(null) : dagArb(depth - 1),
      items: fc.integer({ min: 0, max: 4 }),
      parallelism: fc.integer({ min: 0, max: 3 }),
      failIteration: fc.option(fc.nat({ max: 3 }), { freq: 3 }),
    }),
  );

interface Built {
  readonly spec: PipelineSpec;
  readonly simulation: Record<string, StepFixture>;
  /** Each task key's upstream keys (keys are unique across the pipeline) and strategy. */
  readonly upstream: Map<string, { keys: string[]; completed: boolean }>;
  /** Each loop key's parallelism limit. */
  readonly parallelism: Map<string, number>;
  /** Each loop key's step whose output the loop collects. */
  readonly collects: Map<string, string>;
}

/**
 * The IR of a blueprint, as the KFP SDK would compile it, and its simulation fixture. With
 * `permanent` false every failure is one that a retry of the run rides out.
 */
function build(bp: DagBlueprint, permanent: boolean, exitHandler = false): Built {
  const components: Record<string, ComponentSpec> = {};
  const executors: Record<string, ExecutorSpec> = {};
  const simulation: Record<string, StepFixture> = {};
  const upstream = new Map<string, { keys: string[]; completed: boolean }>();
  const parallelism = new Map<string, number>();
  const collects = new Map<string, string>();
  let n = 0;

  const dag = (d: DagBlueprint): DagSpec => {
    const tasks: Record<string, TaskSpec> = {};
    const keys: string[] = [];
    const containers: string[] = [];
    d.tasks.forEach((t, i) => {
      n += 1;
      const key = t.kind === 'container' ? `t${n}` : t.kind === 'dag' ? `d${n}` : `for-loop-${n}`;
      const deps = [...new Set(i === 0 ? [] : t.deps.map((x) => keys[x % i] as string))];
      const producer =
        t.dataFrom === null || containers.length === 0 ? null : (containers[t.dataFrom % containers.length] as string);
      const channel = producer === null ? null : `pipelinechannel--${producer}-Output`;
      const condition = channel !== null && t.threshold !== null && !t.completed;
      const completed = t.completed && !condition;
      const component = `comp-${key}`;
      // A loop with a producer iterates over the producer's list output (`Items`); not one that
      // runs whatever its upstream did, whose producer may have no output (its loop then fails).
      const itemsChannel = producer !== null && t.kind === 'loop' && !t.completed ? `pipelinechannel--${producer}-Items` : null;
      const spec: Record<string, unknown> = {
        taskInfo: { name: key },
        componentRef: { name: component },
        ...(deps.length > 0 ? { dependentTasks: deps } : {}),
        ...(producer !== null
          ? {
              inputs: {
                parameters: {
                  [channel as string]: { taskOutputParameter: { producerTask: producer, outputParameterKey: 'Output' } },
                  ...(itemsChannel !== null
                    ? { [itemsChannel]: { taskOutputParameter: { producerTask: producer, outputParameterKey: 'Items' } } }
                    : {}),
                },
              },
            }
          : {}),
        ...(condition || completed
          ? {
              triggerPolicy: {
                ...(condition ? { condition: `int(inputs.parameter_values['${channel}']) >= ${t.threshold}` } : {}),
                ...(completed ? { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' } : {}),
              },
            }
          : {}),
      };
      upstream.set(key, { keys: [...new Set([...deps, ...(producer === null ? [] : [producer])])], completed });
      if (t.kind === 'container') {
        components[component] = {
          executorLabel: `exec-${key}`,
          outputDefinitions: {
            parameters: { Output: { parameterType: 'NUMBER_INTEGER' }, Items: { parameterType: 'LIST' } },
          },
        };
        executors[`exec-${key}`] = { container: { image: 'python:3.11', command: ['python', '-c', key] } };
        const s = t.step;
        if (s.maxRetries > 0) spec.retryPolicy = { maxRetryCount: s.maxRetries, backoffDuration: '1s', backoffFactor: 2 };
        if (s.cache) spec.cachingOptions = { enableCache: true };
        const fate: Fate =
          !permanent && (s.fate === 'failed' || (s.fate === 'failAttempts' && s.failAttempts > s.maxRetries))
            ? 'failRuns'
            : s.fate;
        simulation[key] = {
          seconds: s.seconds,
          outputs: { Output: s.output, Items: [...Array(s.output % 4).keys()].map((i) => `item-${i}`) },
          ...(fate === 'failed' ? { outcome: 'failed' } : {}),
          ...(fate === 'failRuns' ? { failRuns: 1 } : {}),
          ...(fate === 'failAttempts' ? { failAttempts: s.failAttempts } : {}),
        };
        containers.push(key);
      } else if (t.kind === 'dag') {
        components[component] = { dag: dag(t.body as DagBlueprint) };
      } else {
        const item = `pipelinechannel--loop-item-param-${n}`;
        const body = dag(t.body as DagBlueprint);
        const own = Object.keys(body.tasks).filter((k) => k.startsWith('t'));
        // dsl.Collected: the loop outputs its first own step's output, one per iteration.
        const collected = own[0];
        components[component] = {
          inputDefinitions: { parameters: { [item]: { parameterType: itemsChannel === null ? 'NUMBER_INTEGER' : 'STRING' } } },
          dag: {
            ...body,
            ...(collected === undefined
              ? {}
              : {
                  outputs: {
                    parameters: {
                      collected: { valueFromParameter: { producerSubtask: collected, outputParameterKey: 'Output' } },
                    },
                  },
                }),
          },
        };
        spec.parameterIterator = {
          items: itemsChannel === null ? { raw: JSON.stringify([...Array(t.items).keys()]) } : { inputParameter: itemsChannel },
          itemInput: item,
        };
        if (collected !== undefined) collects.set(key, collected);
        // Each iteration's own steps output their own values; one iteration may be steered to fail
        // (a fixture by path beats one by key).
        for (let i = 0; i < 4; i++) {
          for (const k of own) {
            simulation[`${key}/${i}/${k}`] = {
              ...simulation[k],
              outputs: { ...simulation[k]?.outputs, Output: 100 * (i + 1) + (simulation[k]?.outputs?.Output as number) },
              ...(i === t.failIteration ? (permanent ? { outcome: 'failed' } : { failRuns: 1 }) : {}),
            };
          }
        }
        if (t.parallelism > 0) spec.iteratorPolicy = { parallelismLimit: t.parallelism };
        parallelism.set(key, t.parallelism);
      }
      tasks[key] = spec as unknown as TaskSpec;
      keys.push(key);
    });
    return { tasks };
  };

  let root = dag(bp);
  if (exitHandler) {
    // As the SDK compiles dsl.ExitHandler: the pipeline's tasks in a DAG, and an exit task that
    // runs whatever that DAG did (ALL_UPSTREAM_TASKS_COMPLETED) and reads its final status.
    components['comp-exit-handler-1'] = { dag: root };
    components['comp-exit-op'] = {
      executorLabel: 'exec-exit-op',
      inputDefinitions: { parameters: { status: { parameterType: 'TASK_FINAL_STATUS' } } },
    };
    executors['exec-exit-op'] = { container: { image: 'python:3.11', command: ['python', '-c', 'exit-op'] } };
    root = {
      tasks: {
        'exit-handler-1': { taskInfo: { name: 'exit-handler-1' }, componentRef: { name: 'comp-exit-handler-1' } },
        'exit-op': {
          taskInfo: { name: 'exit-op' },
          componentRef: { name: 'comp-exit-op' },
          dependentTasks: ['exit-handler-1'],
          inputs: { parameters: { status: { taskFinalStatus: { producerTask: 'exit-handler-1' } } } },
          triggerPolicy: { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' },
        },
      },
    };
    upstream.set('exit-handler-1', { keys: [], completed: false });
    upstream.set('exit-op', { keys: ['exit-handler-1'], completed: true });
  }
  return {
    spec: {
      pipelineInfo: { name: 'random-pipeline' },
      components,
      root: { dag: root },
      deploymentSpec: { executors },
      schemaVersion: '2.1.0',
      sdkVersion: 'kfp-2.7.0',
    },
    simulation,
    upstream,
    parallelism,
    collects,
  };
}

interface Scenario {
  readonly pipeline: DagBlueprint;
  /** Failures that no retry cures, or only failures a retry of the run cures. */
  readonly permanent: boolean;
  /** Terminate the run at this virtual time (if it is still going). */
  readonly terminateAt: number | null;
  /** Make a fraction of the tasks run whatever their upstream did. */
  readonly completedEvery: number;
  /** Wrap the pipeline in an exit handler. */
  readonly exitHandler: boolean;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  pipeline: dagArb(2),
  permanent: fc.boolean(),
  terminateAt: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 12 }), weight: 1 }),
  completedEvery: fc.integer({ min: 3, max: 8 }),
  exitHandler: fc.boolean(),
});

/** The blueprint with only every `every`-th task's `completed` flag kept (COMPLETED tasks are rarer). */
function thinCompleted(d: DagBlueprint, every: number, counter = { n: 0 }): DagBlueprint {
  return {
    tasks: d.tasks.map((t) => {
      counter.n += 1;
      return {
        ...t,
        completed: t.completed && counter.n % every === 0,
        body: t.body === null ? null : thinCompleted(t.body, every, counter),
      };
    }),
  };
}

// -- checks ------------------------------------------------------------------------------------------

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/'));
const keyOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const containers = (run: Run): TaskRun[] => [...run.tasks.values()].filter((t) => t.kind === 'container');

/** A run as a comparable value: its states, and every task record in full. */
const runView = (run: Run) => ({
  state: run.state,
  history: run.history,
  finishedAt: run.finishedAt,
  retries: run.retries,
  steps: run.steps,
  tasks: [...run.tasks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
});

/** Every task has ended, and the run with it. */
function expectSettled(run: Run, allowed: readonly string[]): void {
  expect(allowed).toContain(run.state);
  for (const t of run.tasks.values()) expect(isTaskDone(t.state), `${t.path} is ${t.state}`).toBe(true);
  if (run.state === 'SUCCEEDED') {
    for (const t of containers(run))
      expect(['SUCCEEDED', 'CACHED', 'SKIPPED'], `${t.path} in a succeeded run`).toContain(t.state);
  }
  if (run.state === 'FAILED') expect([...run.tasks.values()].some((t) => t.state === 'FAILED')).toBe(true);
}

/**
 * A loop that succeeded ran one iteration per item (its producer's list, when it has one) and
 * collected its step's output from each iteration that produced one, in item order.
 */
function expectLoopsCollect(built: Built, run: Run): void {
  for (const loop of run.tasks.values()) {
    if (loop.kind !== 'loop' || loop.state !== 'SUCCEEDED') continue;
    const items = loop.items ?? [];
    expect(loop.children).toHaveLength(items.length);
    const fromProducer = Object.entries(loop.inputs.parameters).find(([name]) => name.endsWith('-Items'));
    if (fromProducer) expect(items).toEqual(fromProducer[1]);
    const step = built.collects.get(loop.key);
    if (step === undefined) continue;
    const expected = items.flatMap((_, i) => {
      const t = run.tasks.get(`${loop.path}/${i}/${step}`);
      return t && isTaskOk(t.state) ? [t.outputs?.parameters.Output] : [];
    });
    expect(loop.outputs?.parameters.collected, `${loop.path} collects`).toEqual(expected);
  }
}

/** Each step started in `started` began after every task it depends on in its DAG execution had ended. */
function expectStartsAfterUpstream(built: Built, run: Run, started: PipelinesWorld['started']): void {
  for (const s of started) {
    const dag = parentOf(s.task);
    for (const k of built.upstream.get(keyOf(s.task))?.keys ?? []) {
      const up = run.tasks.get(`${dag}/${k}`);
      expect(up, `${s.task} started at ${s.at} before ${dag}/${k} existed`).toBeDefined();
      expect(isTaskDone((up as TaskRun).state)).toBe(true);
      expect((up as TaskRun).endedAt as number, `${s.task} started at ${s.at}, before ${k} ended`).toBeLessThanOrEqual(s.at);
    }
  }
}

/**
 * Replay the events from the initial state, checking at each one that a task is created, or a
 * step starts, only once its upstream has ended (and succeeded, under the default strategy), and
 * that no loop runs more iterations than its limit; the replayed runs equal the live ones.
 */
function expectReplay(built: Built, w: PipelinesWorld): void {
  let s: PipelinesState = pipelinesDecider.initialState();
  const checkUpstream = (run: Run, path: string, at: number, created: TaskRun['state'] | null) => {
    const parent = run.tasks.get(parentOf(path));
    if (!parent || parent.kind === 'loop') return;
    const up = built.upstream.get(keyOf(path));
    for (const k of up?.keys ?? []) {
      const u = run.tasks.get(`${parent.path}/${k}`);
      expect(u && isTaskDone(u.state), `${path} at ${at}: upstream ${k} is ${u?.state ?? 'not created'}`).toBe(true);
      expect((u as TaskRun).endedAt as number).toBeLessThanOrEqual(at);
      if (created !== null && created !== 'SKIPPED' && !up?.completed)
        expect(isTaskOk((u as TaskRun).state), `${path} created ${created} after ${k} ${u?.state}`).toBe(true);
    }
  };
  const checkLoops = (run: Run) => {
    for (const loop of run.tasks.values()) {
      if (loop.kind !== 'loop' || loop.parallelism === 0) continue;
      const running = loop.children.filter((c) => !isTaskDone((run.tasks.get(c) as TaskRun).state)).length;
      expect(running, `${loop.path} runs ${running} iterations at once`).toBeLessThanOrEqual(loop.parallelism);
      expect(loop.parallelism).toBe(built.parallelism.get(loop.key));
    }
  };
  for (const e of w.events) {
    const run = 'runId' in e ? s.runs.get(e.runId) : undefined;
    if (run && e.type === 'TaskCreated') checkUpstream(run, e.task.path, e.at, e.task.state);
    if (run && e.type === 'TaskUpdated' && e.state === 'RUNNING' && run.tasks.get(e.path)?.kind === 'container')
      checkUpstream(run, e.path, e.at, null);
    s = pipelinesDecider.evolve(s, e);
    const after = 'runId' in e ? s.runs.get(e.runId) : undefined;
    if (after && (e.type === 'TaskCreated' || e.type === 'RunRetried')) checkLoops(after);
  }
  expect([...s.runs.values()].map(runView)).toEqual([...w.state.runs.values()].map(runView));
}

function playScenario(sc: Scenario) {
  const built = build(thinCompleted(sc.pipeline, sc.completedEvery), sc.permanent, sc.exitHandler);
  const w = new PipelinesWorld();
  const p = w.upload('random', built.spec);
  const runId = w.startRun(p, 'r', { simulation: built.simulation as never });
  let terminated = false;
  if (sc.terminateAt !== null) {
    w.play(sc.terminateAt);
    if (w.run(runId).state === 'RUNNING') {
      w.must({ type: 'TerminateRun', runId });
      terminated = true;
    }
  }
  w.play();
  return { built, w, runId, terminated };
}

describe('runs of random pipelines', () => {
  it('reach a terminal state; steps start after their upstream; loops keep their limit; a replay gives the same runs', () => {
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        const { built, w, runId, terminated } = playScenario(sc);
        const run = w.run(runId);
        expectSettled(run, terminated ? ['CANCELED'] : ['SUCCEEDED', 'FAILED']);
        if (terminated) expect(run.history.map((h) => h.state).slice(-2)).toEqual(['CANCELING', 'CANCELED']);
        expectStartsAfterUpstream(built, run, w.started);
        expectLoopsCollect(built, run);
        if (sc.exitHandler && !terminated) {
          // The exit task runs once whatever the pipeline did, sees how it ended, and the run
          // ends as the pipeline did.
          const group = w.task(runId, 'root/exit-handler-1');
          const exit = w.task(runId, 'root/exit-op');
          expect(exit.state).toBe('SUCCEEDED');
          expect(w.started.filter((s) => s.task === 'root/exit-op')).toHaveLength(1);
          expect((exit.inputs.parameters.status as { state: string }).state).toBe(group.state);
          expect(run.state).toBe(group.state === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED');
        }
        // Every step that started ran to an end; none started twice in one attempt.
        const attempts = w.started.map((s) => `${s.task}#${s.attempt}`);
        expect(new Set(attempts).size).toBe(attempts.length);
        expectReplay(built, w);
      }),
      { numRuns: 300 },
    );
  });

  it('retry after a failure or a termination runs exactly the steps that did not succeed, again and again', () => {
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        const { built, w, runId } = playScenario(sc);
        // Up to two retries of a run that keeps failing; a run that succeeds is not retried.
        for (let round = 1; round <= 2 && w.run(runId).state !== 'SUCCEEDED'; round++) {
          const before = new Map(containers(w.run(runId)).map((t) => [t.path, t]));
          const kept = [...before.values()].filter((t) => isTaskOk(t.state) || t.state === 'SKIPPED');
          const redo = [...before.values()].filter((t) => t.state === 'FAILED' || t.state === 'CANCELED');
          const startedBefore = w.started.length;

          w.must({ type: 'RetryRun', runId });
          w.play();
          const run = w.run(runId);
          const rerun = new Set(w.started.slice(startedBefore).map((s) => s.task));
          // Each step run again starts from its first attempt.
          for (const p of rerun) expect(w.started.slice(startedBefore).find((s) => s.task === p)?.attempt).toBe(1);

          expectSettled(run, ['SUCCEEDED', 'FAILED']);
          expect(run.retries).toBe(round);
          // What did not succeed runs again, each from its first attempt (or, with caching on, is
          // a hit on the outputs of the same step that succeeded elsewhere)...
          for (const t of redo) {
            const now = run.tasks.get(t.path);
            expect(rerun.has(t.path) || now?.state === 'CACHED', `${t.path} (${t.state}) is not rerun`).toBe(true);
          }
          for (const s of w.started.slice(startedBefore)) {
            // ... and nothing else: a rerun step was failed or canceled, or never created.
            const old = before.get(s.task);
            expect(old === undefined || old.state === 'FAILED' || old.state === 'CANCELED', `${s.task} was ${old?.state}`).toBe(
              true,
            );
          }
          // What succeeded or was skipped stays, with its outputs, and did not run again.
          for (const t of kept) {
            const now = run.tasks.get(t.path);
            expect(now?.state).toBe(t.state);
            expect(now?.outputs).toEqual(t.outputs);
            expect(now?.endedAt).toBe(t.endedAt);
          }
          if (!sc.permanent) {
            // Every failure was one the retry cures: the run succeeds, and the steps run again are
            // exactly those that succeeded now and had not before (those once blocked included).
            expect(run.state).toBe('SUCCEEDED');
            const keptPaths = new Set(kept.map((t) => t.path));
            const succeededNow = containers(run)
              .filter((t) => t.state === 'SUCCEEDED' && !keptPaths.has(t.path))
              .map((t) => t.path);
            expect([...rerun].sort()).toEqual(succeededNow.sort());
          }
          expectStartsAfterUpstream(built, run, w.started.slice(startedBefore));
          expectLoopsCollect(built, run);
        }
        expectReplay(built, w);
      }),
      { numRuns: 300 },
    );
  });
});
