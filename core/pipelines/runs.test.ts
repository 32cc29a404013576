/**
 * Runs of the KFP samples (fixtures/kfp/compiled, compiled by the KFP SDK) on the pure core,
 * played in virtual time as the simulated runtime would play them (test-support/world.ts): each
 * reaches the final state KFP gives it, and its fixtures steer it down every branch.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { PipelineSpec } from './ir.js';
import type { SimulationFixture, TaskRun } from './model.js';
import { pipelinesDecider } from './pipelines-decider.js';
import { PipelinesWorld } from './test-support/world.js';

const load = (name: string): PipelineSpec =>
  parseAllDocuments(
    readFileSync(new URL(`./fixtures/kfp/compiled/${name}.yaml`, import.meta.url), 'utf8'),
  )[0]?.toJS() as PipelineSpec;

function play(
  sample: string | PipelineSpec,
  simulation: SimulationFixture | null = null,
  parameters: Record<string, never> = {},
) {
  const w = new PipelinesWorld();
  const spec = typeof sample === 'string' ? load(sample) : sample;
  const p = w.upload(spec.pipelineInfo.name, spec);
  const runId = w.startRun(p, 'r1', { parameters, ...(simulation ? { simulation: simulation as never } : {}) });
  w.play();
  return { w, runId, run: w.run(runId), task: (path: string) => w.task(runId, path) };
}

const containers = (tasks: Iterable<TaskRun>) => [...tasks].filter((t) => t.kind === 'container');
const startOf = (w: PipelinesWorld, path: string) => w.started.find((s) => s.task === path)?.at;

describe('the compiled samples run to the state KFP gives them', () => {
  it('hello_world: one step', () => {
    const { run, task } = play('hello_world');
    expect(run.state).toBe('SUCCEEDED');
    expect(task('root/echo').state).toBe('SUCCEEDED');
    expect(run.history.map((h) => h.state)).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
  });

  it('two_step_pipeline: the consumer starts after the producer and reads its artifact', () => {
    const { w, run, task } = play('two_step_pipeline');
    expect(run.state).toBe('SUCCEEDED');
    expect(task('root/write-to-gcs').inputs.parameters.text).toBe('Hello KFP!');
    const produced = task('root/write-to-gcs').outputs?.artifacts.output_gcs_path;
    expect(produced?.[0]?.uri).toBe('s3://gpupool/pipelines/team/r1/write-to-gcs/1/output_gcs_path');
    expect(task('root/read-from-gcs').inputs.artifacts.input_gcs_path).toEqual(produced);
    expect(startOf(w, 'root/read-from-gcs')).toBe(1);
  });

  it('essential_pipeline_with_after: dependentTasks order steps without data', () => {
    const { w, run } = play('essential_pipeline_with_after');
    expect(run.state).toBe('SUCCEEDED');
    expect(['root/print-text', 'root/print-text-2', 'root/print-text-3'].map((p) => startOf(w, p))).toEqual([0, 1, 2]);
  });

  it('critical_flip_coin: heads and a high number take the first branch only', () => {
    const { run, task } = play('critical_flip_coin', {
      'flip-coin': { outputs: { Output: 'heads' } },
      'random-num': { outputs: { Output: 7 } },
    });
    expect(run.state).toBe('SUCCEEDED');
    expect(task('root/condition-1').state).toBe('SUCCEEDED');
    expect(task('root/condition-4').state).toBe('SKIPPED');
    expect(task('root/condition-1/condition-2/print-msg').inputs.parameters.msg).toBe('heads and 7 > 5!');
    expect(task('root/condition-1/condition-3').state).toBe('SKIPPED');
    expect(
      containers(run.tasks.values())
        .map((t) => t.key)
        .sort(),
    ).toEqual(['flip-coin', 'print-msg', 'random-num']);
  });

  it('critical_flip_coin: tails and a low number take the last branch', () => {
    const { run, task } = play('critical_flip_coin', {
      'flip-coin': { outputs: { Output: 'tails' } },
      'random-num-2': { outputs: { Output: 3 } },
    });
    expect(run.state).toBe('SUCCEEDED');
    expect(task('root/condition-1').state).toBe('SKIPPED');
    expect(task('root/condition-4/condition-5').state).toBe('SKIPPED');
    expect(task('root/condition-4/condition-6/print-msg-4').state).toBe('SUCCEEDED');
  });

  it('pipeline_with_nested_loops: loops in loops expand to every item, with parseJson selectors', () => {
    const { run } = play('pipeline_with_nested_loops');
    expect(run.state).toBe('SUCCEEDED');
    const printed = containers(run.tasks.values()).filter((t) => t.key === 'print-op');
    expect(printed.map((t) => t.inputs.parameters.msg).sort()).toEqual(['1', '11', '2', '22']);
    expect(containers(run.tasks.values()).filter((t) => t.key === 'print-op-3')).toHaveLength(6);
    expect(containers(run.tasks.values()).filter((t) => t.key === 'print-op-2')).toHaveLength(2);
  });

  it('pipeline_with_parallelfor_parallelism: a loop never runs more iterations at once than its limit', () => {
    const items = [1, 2, 3, 4, 5].map((i) => ({ A_a: String(i), B_b: String(i * 10) }));
    // Its steps print the same text in every iteration: with caching on, later ones would be cache hits.
    const spec = load('pipeline_with_parallelfor_parallelism');
    for (const c of Object.values(spec.components))
      for (const t of Object.values(c.dag?.tasks ?? {})) delete (t as { cachingOptions?: unknown }).cachingOptions;
    const { run, w } = play(
      spec,
      { 'print-text': { seconds: 5 }, 'list-dict-maker-1': { outputs: { Output: [{ a: 1 }, { a: 2 }] } } },
      { loop_parameter: items as never },
    );
    expect(run.state).toBe('SUCCEEDED');
    const maxAtOnce = (loop: string) => {
      const its = [...run.tasks.values()].filter((t) => t.parent === loop);
      let max = 0;
      for (const a of its)
        max = Math.max(
          max,
          its.filter((b) => (b.startedAt as number) <= (a.startedAt as number) && (b.endedAt as number) > (a.startedAt as number))
            .length,
        );
      return { count: its.length, max };
    };
    expect(maxAtOnce('root/for-loop-1')).toEqual({ count: 5, max: 2 });
    expect(maxAtOnce('root/for-loop-8')).toEqual({ count: 3, max: 1 });
    expect(maxAtOnce('root/for-loop-4/0/for-loop-6')).toEqual({ count: 2, max: 1 });
    expect(maxAtOnce('root/for-loop-10').count).toBe(2);
    // With a limit of 2, five 5-second iterations take three rounds.
    expect(w.started.filter((s) => /^root\/for-loop-1\/\d+\/print-text$/.test(s.task)).map((s) => s.at)).toEqual([
      0, 0, 5, 5, 10,
    ]);
  });

  it('failing_pipeline_with_exit_handler: the step fails, the exit handler still runs, the run fails', () => {
    const { w, run, task } = play('failing_pipeline_with_exit_handler', { 'fail-op': { outcome: 'failed' } });
    expect(run.state).toBe('FAILED');
    expect(task('root/exit-handler-1').state).toBe('FAILED');
    expect(task('root/print-op').state).toBe('SUCCEEDED');
    expect(startOf(w, 'root/print-op')).toBeGreaterThanOrEqual(task('root/exit-handler-1').endedAt as number);
  });

  it('critical_pipeline_with_retry: a step that fails twice succeeds on its third attempt', () => {
    const { run, task, w } = play('critical_pipeline_with_retry', { add: { failAttempts: 2 } });
    expect(run.state).toBe('SUCCEEDED');
    expect(task('root/add').attempt).toBe(3);
    expect(w.started.map((s) => s.attempt)).toEqual([1, 2, 3]);
  });

  it('critical_pipeline_with_retry: a step that keeps failing fails after maxRetryCount retries', () => {
    const { run, task, w } = play('critical_pipeline_with_retry', { add: { outcome: 'failed' } });
    expect(run.state).toBe('FAILED');
    expect(task('root/add').state).toBe('FAILED');
    expect(w.started).toHaveLength(4);
  });

  it('retryPolicy: retries wait their backoff, growing by its factor up to its maximum', () => {
    const spec = load('critical_pipeline_with_retry');
    const add = spec.root.dag?.tasks.add as unknown as Record<string, unknown>;
    add.retryPolicy = { maxRetryCount: 3, backoffDuration: '2s', backoffFactor: 2, backoffMaxDuration: '5s' };
    const w = new PipelinesWorld();
    const runId = w.startRun(w.upload('retry', spec), 'r', { simulation: { add: { outcome: 'failed' } } as never });
    w.play();
    // Each attempt runs 1 s; the waits are 2 s, 4 s, then 5 s (8 capped).
    expect(w.started.map((s) => s.at)).toEqual([0, 3, 8, 14]);
    expect(w.run(runId).state).toBe('FAILED');
  });

  it('critical_parameter_cache: a second run reuses the first run cached outputs', () => {
    const w = new PipelinesWorld();
    const p = w.upload('cache', load('critical_parameter_cache'));
    const first = w.startRun(p, 'first', { simulation: { 'core-comp': { outputs: { Output: 'from the first run' } } } as never });
    w.play();
    const second = w.startRun(p, 'second');
    w.play();
    expect(w.run(first).state).toBe('SUCCEEDED');
    expect(w.run(second).state).toBe('SUCCEEDED');
    const cached = containers(w.run(second).tasks.values());
    expect(cached.map((t) => t.state)).toEqual(['CACHED', 'CACHED']);
    expect(w.task(second, 'root/mantle/core/core-comp').outputs?.parameters.Output).toBe('from the first run');
    expect(w.started.filter((s) => s.run === second)).toHaveLength(0);
  });

  it('gpu-scheduling: one step asking for a GPU succeeds', () => {
    const { run } = play('gpu-scheduling_nvidia_gpu_scheduling_check');
    expect(run.state).toBe('SUCCEEDED');
  });

  it('critical_collected_parameters: a loop outputs are collected in item order (dsl.Collected)', () => {
    const { run, task } = play('critical_collected_parameters', {
      'split-ids': { outputs: { Output: ['a', 'b', 'c'] } },
      'for-loop-1/0/prepend-id': { outputs: { Output: 'model-a' } },
      'for-loop-1/1/prepend-id': { outputs: { Output: 'model-b' } },
      'for-loop-1/2/prepend-id': { outputs: { Output: 'model-c' } },
    });
    expect(run.state).toBe('SUCCEEDED');
    expect(task('root/collecting-parameters/for-loop-1/1/prepend-id').inputs.parameters.content).toBe('b');
    expect(task('root/collecting-parameters/consume-ids').inputs.parameters.ids).toEqual(['model-a', 'model-b', 'model-c']);
    expect(task('root/consume-ids').inputs.parameters.ids).toEqual(['model-a', 'model-b', 'model-c']);
  });

  it('if_elif_else_complex: exactly 5000 takes the else branch and repeats the lucky number', () => {
    const { run, task } = play('if_elif_else_complex', { 'int-0-to-9999': { outputs: { Output: 5000 } } });
    expect(run.state).toBe('SUCCEEDED');
    for (const i of [0, 1, 2]) {
      expect(task(`root/for-loop-1/${i}/condition-branches-4/condition-8`).state).toBe('SKIPPED');
      expect(task(`root/for-loop-1/${i}/condition-branches-4/condition-9`).state).toBe('SKIPPED');
      expect(task(`root/for-loop-1/${i}/condition-branches-4/condition-13`).state).toBe('SUCCEEDED');
    }
    expect(containers(run.tasks.values()).filter((t) => t.key === 'print-and-return-9')).toHaveLength(6);
    // The drumroll runs only for the trial equal to 3.
    expect(task('root/for-loop-1/2/condition-2/condition-3').state).toBe('SUCCEEDED');
    expect(task('root/for-loop-1/0/condition-2/condition-3').state).toBe('SKIPPED');
  });

  it('if_elif_else_complex: a low even number takes the if branch, then its even branch (valueFromOneof)', () => {
    const { run, task } = play('if_elif_else_complex', {
      'int-0-to-9999': { outputs: { Output: 42 } },
      'is-even-or-odd': { outputs: { Output: 'even' } },
      'print-and-return-2': { outputs: { Output: 'Got a low even number!' } },
    });
    expect(run.state).toBe('SUCCEEDED');
    const branch = 'root/for-loop-1/0/condition-branches-4/condition-8';
    expect(task(`${branch}/condition-branches-5/condition-6`).state).toBe('SUCCEEDED');
    expect(task(`${branch}/condition-branches-5/condition-7`).state).toBe('SKIPPED');
    expect(task(`${branch}/condition-branches-5`).outputs?.parameters).toEqual({
      'pipelinechannel--condition-branches-5-oneof-1': 'Got a low even number!',
    });
    expect(task('root/print-ints').state).toBe('SUCCEEDED');
  });

  it('a run refuses parameters the pipeline does not have, or of the wrong type, naming each', () => {
    const w = new PipelinesWorld();
    const p = w.upload('retry', load('critical_pipeline_with_retry'));
    const o = w.exec({
      type: 'CreateRun',
      runId: 'team/x',
      owner: 'ada',
      group: 'team',
      name: 'x',
      pipelineId: p,
      parameters: { a: 'one', c: 1 },
    });
    expect(o.ok).toBe(false);
    if (!o.ok) {
      expect(o.rejection.message).toContain("parameters.c: the pipeline has no input 'c'");
      expect(o.rejection.message).toContain('parameters.a: must be a number (NUMBER_DOUBLE)');
    }
    expect(w.state.runs.size).toBe(0);
  });
});

describe('terminate, retry and archive', () => {
  it('terminate: running steps are canceled, nothing new starts, the run ends CANCELED', () => {
    const w = new PipelinesWorld();
    const p = w.upload('after', load('essential_pipeline_with_after'));
    const runId = w.startRun(p, 'r', { simulation: { 'print-text': { seconds: 10 } } as never });
    w.play(5);
    expect(w.run(runId).state).toBe('RUNNING');
    w.must({ type: 'TerminateRun', runId });
    expect(w.run(runId).state).toBe('CANCELING');
    w.play();
    const run = w.run(runId);
    expect(run.state).toBe('CANCELED');
    expect(w.task(runId, 'root/print-text').state).toBe('CANCELED');
    expect(run.tasks.has('root/print-text-2')).toBe(false);
    expect(run.history.map((h) => h.state)).toEqual(['PENDING', 'RUNNING', 'CANCELING', 'CANCELED']);
  });

  it('retry: only what failed runs again; what succeeded keeps its outputs', () => {
    const w = new PipelinesWorld();
    const p = w.upload('exit', load('failing_pipeline_with_exit_handler'));
    const runId = w.startRun(p, 'r', { simulation: { 'fail-op': { failRuns: 1 } } as never });
    w.play();
    expect(w.run(runId).state).toBe('FAILED');
    const before = w.started.length;
    w.must({ type: 'RetryRun', runId });
    w.play();
    const run = w.run(runId);
    expect(run.state).toBe('SUCCEEDED');
    expect(run.retries).toBe(1);
    expect(w.started.slice(before).map((s) => s.task)).toEqual(['root/exit-handler-1/fail-op']);
    expect(w.task(runId, 'root/exit-handler-1').state).toBe('SUCCEEDED');
  });

  it('retry is refused for a run that has not failed', () => {
    const { w, runId } = play('hello_world');
    const o = w.exec({ type: 'RetryRun', runId });
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.rejection.message).toContain('only a failed or canceled run can be retried');
  });

  it('archive and restore', () => {
    const { w, runId } = play('hello_world');
    w.must({ type: 'ArchiveRun', runId, archived: true });
    expect(w.run(runId).archived).toBe(true);
    w.must({ type: 'ArchiveRun', runId, archived: false });
    expect(w.run(runId).archived).toBe(false);
  });

  it('a report for an earlier attempt or an ended task changes nothing', () => {
    const { w, runId } = play('hello_world');
    const events = w.events.length;
    w.must({ type: 'ReportTaskEnded', runId, task: 'root/echo', attempt: 1, outcome: 'failed' });
    w.must({ type: 'ReportTaskEnded', runId, task: 'root/echo', attempt: 7, outcome: 'failed' });
    expect(w.events.length).toBe(events);
    expect(w.run(runId).state).toBe('SUCCEEDED');
  });

  it('replaying the events gives the same state', () => {
    const { w } = play('if_elif_else_complex', { 'int-0-to-9999': { outputs: { Output: 42 } } });
    let s = pipelinesDecider.initialState();
    for (const e of w.events) s = pipelinesDecider.evolve(s, e);
    expect([...s.runs.values()].map((r) => [r.state, [...r.tasks.values()].map((t) => [t.path, t.state, t.outputs])])).toEqual(
      [...w.state.runs.values()].map((r) => [r.state, [...r.tasks.values()].map((t) => [t.path, t.state, t.outputs])]),
    );
  });
});
