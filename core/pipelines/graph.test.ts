/**
 * A run's graph on the compiled samples: drawn whole from the run's start (tasks not created yet
 * are NOT_STARTED), edges between siblings from dependentTasks and data, loops' held-back
 * iterations shown, skipped branches not expanded, and the step counts by state.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runGraph, taskCounts } from './graph.js';
import type { PipelineSpec } from './ir.js';
import type { SimulationFixture } from './model.js';
import { PipelinesWorld } from './test-support/world.js';

const load = (name: string): PipelineSpec =>
  parseAllDocuments(
    readFileSync(new URL(`./fixtures/kfp/compiled/${name}.yaml`, import.meta.url), 'utf8'),
  )[0]?.toJS() as PipelineSpec;

function started(sample: string, simulation: SimulationFixture | null = null, parameters: Record<string, unknown> = {}) {
  const w = new PipelinesWorld();
  const spec = load(sample);
  const p = w.upload(spec.pipelineInfo.name, spec);
  const runId = w.startRun(p, 'r1', {
    parameters: parameters as never,
    ...(simulation ? { simulation: simulation as never } : {}),
  });
  return { w, runId };
}

const stateOf = (g: ReturnType<typeof runGraph>, path: string) => g.nodes.find((n) => n.path === path)?.state;

describe('runGraph', () => {
  it('essential_pipeline_with_after: the whole chain from the start, then filled in as it runs', () => {
    const { w, runId } = started('essential_pipeline_with_after');
    const g = runGraph(w.run(runId));
    expect(g.nodes.map((n) => [n.path, n.kind, n.state])).toEqual([
      ['root', 'dag', 'RUNNING'],
      ['root/print-text', 'container', 'PENDING'],
      ['root/print-text-2', 'container', 'NOT_STARTED'],
      ['root/print-text-3', 'container', 'NOT_STARTED'],
    ]);
    expect(g.edges).toEqual([
      { from: 'root/print-text', to: 'root/print-text-2' },
      { from: 'root/print-text', to: 'root/print-text-3' },
      { from: 'root/print-text-2', to: 'root/print-text-3' },
    ]);
    const waiting = g.nodes.find((n) => n.path === 'root/print-text-2');
    expect(waiting).toMatchObject({ parent: 'root', key: 'print-text-2', name: 'print-text-2', inputs: null, jobId: null });
    const first = g.nodes.find((n) => n.path === 'root/print-text');
    expect(first?.jobId).toBe(w.task(runId, 'root/print-text').jobId);
    expect(first?.attempt).toBe(1);
    expect(taskCounts(w.run(runId))).toEqual({ PENDING: 1, NOT_STARTED: 2 });

    w.play();
    const done = runGraph(w.run(runId));
    expect(done.nodes.map((n) => n.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // The edges are the spec's: the same before and after.
    expect(done.edges).toEqual(g.edges);
    expect(taskCounts(w.run(runId))).toEqual({ SUCCEEDED: 3 });
    expect(done.nodes.find((n) => n.path === 'root/print-text-3')?.startedAt).toBe(2);
  });

  it('pipeline_with_parallelfor_parallelism: iterations a limit holds back are NOT_STARTED, their tasks appear once created', () => {
    const items = [1, 2, 3, 4, 5].map((i) => ({ A_a: String(i), B_b: String(i * 10) }));
    const { w, runId } = started('pipeline_with_parallelfor_parallelism', null, { loop_parameter: items });
    const g = runGraph(w.run(runId));
    const iterations = g.nodes.filter((n) => n.parent === 'root/for-loop-1');
    expect(iterations.map((n) => [n.path, n.kind, n.iteration, n.state])).toEqual([
      ['root/for-loop-1/0', 'dag', 0, 'RUNNING'],
      ['root/for-loop-1/1', 'dag', 1, 'RUNNING'],
      ['root/for-loop-1/2', 'dag', 2, 'NOT_STARTED'],
      ['root/for-loop-1/3', 'dag', 3, 'NOT_STARTED'],
      ['root/for-loop-1/4', 'dag', 4, 'NOT_STARTED'],
    ]);
    expect(iterations[2]?.name).toBe('for-loop-1 #2');
    // A created iteration shows its tasks; one held back shows none yet.
    expect(g.nodes.filter((n) => n.parent === 'root/for-loop-1/0').length).toBeGreaterThan(0);
    expect(g.nodes.filter((n) => n.parent === 'root/for-loop-1/2')).toEqual([]);
    // Every edge joins two nodes of one parent.
    const parent = new Map(g.nodes.map((n) => [n.path, n.parent]));
    for (const e of g.edges) {
      expect(parent.has(e.from) && parent.has(e.to), JSON.stringify(e)).toBe(true);
      expect(parent.get(e.from)).toBe(parent.get(e.to));
    }
    // Paths are unique.
    expect(new Set(g.nodes.map((n) => n.path)).size).toBe(g.nodes.length);

    w.play();
    const done = runGraph(w.run(runId));
    expect(done.nodes.filter((n) => n.state === 'NOT_STARTED')).toEqual([]);
    expect(done.nodes.filter((n) => n.parent === 'root/for-loop-1')).toHaveLength(5);
    expect(w.run(runId).state).toBe('SUCCEEDED');
  });

  it('critical_flip_coin: a skipped branch is not expanded; the taken one shows what ran and what its conditions skipped', () => {
    const { w, runId } = started('critical_flip_coin', {
      'flip-coin': { outputs: { Output: 'heads' } },
      'random-num': { outputs: { Output: 7 } },
    });
    const before = runGraph(w.run(runId));
    expect(before.edges).toEqual(
      expect.arrayContaining([
        { from: 'root/flip-coin', to: 'root/condition-1' },
        { from: 'root/flip-coin', to: 'root/condition-4' },
      ]),
    );
    expect(stateOf(before, 'root/condition-1')).toBe('NOT_STARTED');
    expect(before.nodes.find((n) => n.path === 'root/condition-1')?.kind).toBe('dag');
    w.play();
    const g = runGraph(w.run(runId));
    expect(stateOf(g, 'root/condition-4')).toBe('SKIPPED');
    expect(g.nodes.filter((n) => n.parent === 'root/condition-4')).toEqual([]);
    expect(stateOf(g, 'root/condition-1/condition-2/print-msg')).toBe('SUCCEEDED');
    expect(stateOf(g, 'root/condition-1/condition-3')).toBe('SKIPPED');
    expect(g.nodes.filter((n) => n.state === 'NOT_STARTED')).toEqual([]);
    expect(taskCounts(w.run(runId))).toEqual({ SUCCEEDED: 3 });
  });

  it('a failure: what it stopped stays NOT_STARTED, counted as such', () => {
    const { w, runId } = started('essential_pipeline_with_after', { 'print-text-2': { outcome: 'failed' } });
    w.play();
    const run = w.run(runId);
    expect(run.state).toBe('FAILED');
    const g = runGraph(run);
    expect(g.nodes.map((n) => n.state)).toEqual(['FAILED', 'SUCCEEDED', 'FAILED', 'NOT_STARTED']);
    expect(taskCounts(run)).toEqual({ SUCCEEDED: 1, FAILED: 1, NOT_STARTED: 1 });
    // Every task execution the run has is a node, with its own state.
    for (const t of run.tasks.values()) expect(stateOf(g, t.path)).toBe(t.state);
  });

  it('a retried step shows its attempt, its new job and when it may start again', () => {
    const spec = load('critical_pipeline_with_retry');
    const add = spec.root.dag?.tasks.add as unknown as Record<string, unknown>;
    add.retryPolicy = { maxRetryCount: 3, backoffDuration: '2s', backoffFactor: 2, backoffMaxDuration: '5s' };
    const w = new PipelinesWorld();
    const runId = w.startRun(w.upload('retry', spec), 'r', { simulation: { add: { failAttempts: 1 } } as never });
    // The first attempt runs 1 s and fails; the second waits 2 s.
    w.play(1.5);
    const node = runGraph(w.run(runId)).nodes.find((n) => n.path === 'root/add');
    expect(node).toMatchObject({ state: 'PENDING', attempt: 2, retryAt: 3, cached: false });
    expect(node?.jobId).toMatch(/:0\.2$/);
    expect(node?.message).toMatch(/attempt 1 failed/);
    w.play();
    const done = runGraph(w.run(runId)).nodes.find((n) => n.path === 'root/add');
    expect(done).toMatchObject({ state: 'SUCCEEDED', attempt: 2 });
    // Its own history: each attempt's start, the failure's wait, the success.
    expect(done?.history).toEqual([
      { state: 'PENDING', at: 0 },
      { state: 'RUNNING', at: 0 },
      { state: 'PENDING', at: 1 },
      { state: 'RUNNING', at: 3 },
      { state: 'SUCCEEDED', at: 4 },
    ]);
  });
});
