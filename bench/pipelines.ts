/**
 * Pipelines at scale:
 * - a run whose loop has 1,000 iterations and no parallelism limit, through the pipelines engine,
 *   the run executor and the cluster engine on the in-memory store: seconds from the run's
 *   creation (its loop starts at once) until every iteration's step is a submitted job (target
 *   <= 1 s);
 * - 10,000 recurring runs in the pipelines state, a tick a minute over three simulated hours: finding
 *   the due ones as the Tick's decision does (the due index, then each one's schedule), median
 *   and p99 ms (target <= 10 ms per tick); and the whole Tick, which also starts their runs.
 * The caller takes the medians.
 */
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { startPipelineExecutor } from '../app/pipeline-executor.js';
import type { PipelineCommand } from '../core/pipelines/commands.js';
import type { PipelineSpec } from '../core/pipelines/ir.js';
import type { PipelinesState } from '../core/pipelines/model.js';
import { PIPELINES_STREAM, pipelinesDecider } from '../core/pipelines/pipelines-decider.js';
import { cursorOf } from '../core/pipelines/recurring.js';
import { dueFires } from '../core/pipelines/schedule.js';
import { simulatedStep } from '../core/pipelines/simulation.js';
import { createDeciderEngine, createEngine } from '../engine/engine.js';

export const PIPELINES_BENCH = { iterations: 1000, recurringRuns: 10_000, tickEverySeconds: 60, hours: 3 } as const;

/** A pipeline of one loop over `n` items, each iteration one container step printing its item. */
export function loopPipeline(n: number): PipelineSpec {
  return {
    pipelineInfo: { name: 'wide-loop' },
    schemaVersion: '2.1.0',
    components: {
      'comp-for-loop-1': {
        inputDefinitions: { parameters: { item: { parameterType: 'NUMBER_INTEGER' } } },
        dag: {
          tasks: {
            echo: {
              taskInfo: { name: 'echo' },
              componentRef: { name: 'comp-echo' },
              inputs: { parameters: { text: { componentInputParameter: 'item' } } },
            },
          },
        },
      },
      'comp-echo': {
        executorLabel: 'exec-echo',
        inputDefinitions: { parameters: { text: { parameterType: 'NUMBER_INTEGER' } } },
      },
    },
    deploymentSpec: {
      executors: { 'exec-echo': { container: { image: 'alpine', command: ['echo', "{{$.inputs.parameters['text']}}"] } } },
    },
    root: {
      dag: {
        tasks: {
          'for-loop-1': {
            taskInfo: { name: 'for-loop-1' },
            componentRef: { name: 'comp-for-loop-1' },
            parameterIterator: { items: { raw: JSON.stringify(Array.from({ length: n }, (_, i) => i)) }, itemInput: 'item' },
          },
        },
      },
    },
  };
}

export async function wideLoopRun(n: number = PIPELINES_BENCH.iterations): Promise<{ seconds: number; submitted: number }> {
  const store = new InMemoryEventStore();
  const cluster = await createEngine({ store, archive: null });
  for (const c of [
    { type: 'Install', userId: 'admin', name: 'Admin' },
    { type: 'OnboardUser', userId: 'u', name: 'u', role: 'data-scientist' },
  ] as const) {
    if (!(await cluster.execute(c)).ok) throw new Error(`setup ${c.type}`);
  }
  const pipelines = await createDeciderEngine(pipelinesDecider, { store, stream: PIPELINES_STREAM });
  const executor = startPipelineExecutor(cluster, pipelines, store, {
    outputsOf: (run, task) => simulatedStep(run, task).outputs,
  });
  const spec = loopPipeline(n);
  const created = await pipelines.execute({
    type: 'CreatePipeline',
    pipelineId: 'default/wide',
    owner: 'u',
    group: 'default',
    name: 'wide',
    version: { versionId: 'default/wide@v1', name: 'v1', format: 'v2', spec: spec as never, platform: null },
  });
  if (!created.ok) throw new Error(created.rejection.message);
  const submitted = () => {
    let count = 0;
    for (const job of cluster.current.jobs.values()) if (job.kind === 'pipeline-step') count++;
    return count;
  };
  const t0 = performance.now();
  const run = await pipelines.execute({
    type: 'CreateRun',
    runId: 'default/wide-1',
    owner: 'u',
    group: 'default',
    name: 'wide-1',
    pipelineId: 'default/wide',
    parameters: {},
  });
  if (!run.ok) throw new Error(run.rejection.message);
  while (submitted() < n && performance.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 1));
  const seconds = (performance.now() - t0) / 1000;
  executor.stop();
  return { seconds, submitted: submitted() };
}

/**
 * The pipelines state with `count` recurring runs of a one-step pipeline (half hourly crons in
 * four time zones, half periodic schedules of 5 to 120 minutes), then a tick a minute over
 * `hours`: each Tick's decision and fold, in ms.
 */
export function recurringTicks(count: number = PIPELINES_BENCH.recurringRuns, hours: number = PIPELINES_BENCH.hours) {
  let state: PipelinesState = pipelinesDecider.initialState();
  const exec = (c: PipelineCommand, at: number) => {
    const b = pipelinesDecider.runBatch?.(state, [c], at);
    if (!b) throw new Error('no batch');
    const o = b.outcomes[0];
    if (!o?.ok) throw new Error(`${c.type}: ${o ? JSON.stringify(o) : 'no outcome'}`);
    state = b.state;
    return b.events.length;
  };
  const spec = loopPipeline(1);
  exec(
    {
      type: 'CreatePipeline',
      pipelineId: 'g/p',
      owner: 'u',
      group: 'g',
      name: 'p',
      version: { versionId: 'g/p@v1', name: 'v1', format: 'v2', spec: spec as never, platform: null },
    },
    0,
  );
  const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata'];
  const start = Date.UTC(2026, 0, 5) / 1000;
  for (let i = 0; i < count; i++) {
    const trigger =
      i % 2 === 0
        ? { kind: 'cron', expression: `0 ${i % 60} * * * *`, timeZone: zones[i % zones.length] }
        : { kind: 'periodic', intervalSeconds: 300 * (1 + (i % 24)) };
    exec(
      {
        type: 'CreateRecurringRun',
        recurringRunId: `g/r${i}`,
        owner: 'u',
        group: 'g',
        name: `r${i}`,
        pipelineId: 'g/p',
        parameters: {},
        schedule: { trigger, startTime: start, endTime: null, maxConcurrency: 10, catchUp: 'latest' } as never,
        enabled: true,
      },
      start,
    );
  }
  const ms: number[] = [];
  const findMs: number[] = [];
  let fired = 0;
  for (let t = start + PIPELINES_BENCH.tickEverySeconds; t <= start + hours * 3600; t += PIPELINES_BENCH.tickEverySeconds) {
    // Finding what is due, as the Tick's decision does it: the due index, then each one's schedule.
    const f0 = performance.now();
    for (const id of state.due.dueBy(t)) {
      const r = state.recurringRuns.get(id);
      if (r) dueFires(r.schedule, cursorOf(r), t, r.active.size);
    }
    findMs.push(performance.now() - f0);
    const before = new Set(state.runs.keys());
    const t0 = performance.now();
    exec({ type: 'Tick', commandId: `tick@${t}` }, t);
    ms.push(performance.now() - t0);
    // Each run started ends at once (its one step succeeds), so no schedule is held back by its concurrency.
    for (const run of state.runs.values()) {
      if (before.has(run.id)) continue;
      fired++;
      for (const task of run.tasks.values()) {
        if (task.kind !== 'container') continue;
        exec({ type: 'ReportTaskStarted', runId: run.id, task: task.path, attempt: 1 }, t);
        exec(
          {
            type: 'ReportTaskEnded',
            runId: run.id,
            task: task.path,
            attempt: 1,
            outcome: 'succeeded',
            outputs: { parameters: {}, artifacts: {} },
          },
          t,
        );
      }
    }
  }
  return { ms, findMs, fired, ticks: ms.length };
}
