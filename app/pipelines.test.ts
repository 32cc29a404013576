/**
 * Pipeline runs end to end on the simulated runtime: the run executor submits each step as a
 * `pipeline-step` job of the owner's group pool, the realtime runtime runs it as its run's fixture
 * says, and the run reaches the final state KFP gives it; steps wait for GPUs like other jobs; a
 * terminated run stops its steps' jobs; an executor restarted mid-run loses and repeats no step;
 * recurring runs fire on the wall clock.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { startRealtimeRuntime } from '../adapters/memory/realtime-runtime.js';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { ASSETS_STREAM, assetsDecider } from '../core/assets/assets-decider.js';
import type { Command } from '../core/cluster/commands.js';
import {
  allocate,
  assignPool,
  createGroup,
  createPool,
  install,
  onboard,
  registerNode,
} from '../core/cluster/test-support/given.js';
import type { PipelineSpec } from '../core/pipelines/ir.js';
import { isRunDone, type SimulationFixture } from '../core/pipelines/model.js';
import { PIPELINES_STREAM, pipelinesDecider } from '../core/pipelines/pipelines-decider.js';
import { createDeciderEngine, createEngine } from '../engine/engine.js';
import { type PipelineExecutorOptions, startPipelineExecutor } from './pipeline-executor.js';
import { simulatedStepFailure, simulatedStepOutputs } from './simulated-steps.js';

const SAMPLES = new URL('../core/pipelines/fixtures/kfp/compiled/', import.meta.url);
const load = (name: string, folder = SAMPLES): PipelineSpec =>
  parseAllDocuments(readFileSync(new URL(`${name}.yaml`, folder), 'utf8'))[0]?.toJS() as PipelineSpec;

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** Steps run this long on the wall clock unless their fixture says (a scale of the fixture's seconds). */
const SCALE = 0.02;

async function world(gpus = 8, store = new InMemoryEventStore()) {
  const cluster = await createEngine({ store });
  const setup: Command[] = [
    install(),
    registerNode('n1', gpus),
    createPool('p', 'A100'),
    allocate('p', gpus),
    createGroup('g'),
    assignPool('g', 'p'),
    onboard('u', { groupId: 'g' }),
  ];
  if (!cluster.current.installed) for (const c of setup) expect((await cluster.execute(c)).ok).toBe(true);
  const pipelines = await createDeciderEngine(pipelinesDecider, { store, stream: PIPELINES_STREAM });
  const assets = await createDeciderEngine(assetsDecider, { store, stream: ASSETS_STREAM });
  const runtime = startRealtimeRuntime(cluster, store, {
    launchDelaySeconds: 0.005,
    stopDelaySeconds: 0.005,
    failureOf: (job) => simulatedStepFailure(pipelines, job),
    onError: (e) => {
      throw e;
    },
  });
  stops.push(() => runtime.stop());
  const start = (overrides: Partial<PipelineExecutorOptions> = {}) => {
    const executor = startPipelineExecutor(cluster, pipelines, store, {
      outputsOf: simulatedStepOutputs,
      assets,
      expectedSeconds: (run, task) => SCALE * (simulatedStepSecondsOf(run.simulation, task.key) ?? 1),
      onError: (e) => {
        throw e;
      },
      ...overrides,
    });
    stops.push(() => executor.stop());
    return executor;
  };
  const upload = async (name: string, spec: PipelineSpec) => {
    const pipelineId = `g/${name}`;
    const r = await pipelines.execute({
      type: 'CreatePipeline',
      pipelineId,
      owner: 'u',
      group: 'g',
      name,
      version: { versionId: `${pipelineId}@v1`, name: 'v1', format: 'v2', spec: spec as never, platform: null },
    });
    expect(r.ok).toBe(true);
    return pipelineId;
  };
  const run = async (
    pipelineId: string,
    name: string,
    simulation: SimulationFixture = {},
    parameters: Record<string, unknown> = {},
  ) => {
    const r = await pipelines.execute({
      type: 'CreateRun',
      runId: `g/${name}`,
      owner: 'u',
      group: 'g',
      name,
      pipelineId,
      parameters: parameters as never,
      simulation: simulation as never,
    });
    if (!r.ok) throw new Error(r.rejection.message);
    return `g/${name}`;
  };
  const settled = async (runId: string, ms = 10_000) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const r = pipelines.current.runs.get(runId);
      if (r && isRunDone(r.state)) return r;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`run ${runId} did not end: ${pipelines.current.runs.get(runId)?.state}`);
  };
  return { store, cluster, pipelines, assets, start, upload, run, settled };
}

const simulatedStepSecondsOf = (fixture: SimulationFixture | null, key: string) => fixture?.[key]?.seconds;

describe('pipeline runs on the simulated runtime', () => {
  it('every compiled sample runs to its final state, each step a pipeline-step job of the owner', async () => {
    const w = await world();
    w.start();
    const expected: [string, string, SimulationFixture, Record<string, unknown>][] = [
      ['hello_world', 'SUCCEEDED', {}, {}],
      ['two_step_pipeline', 'SUCCEEDED', {}, {}],
      ['essential_pipeline_with_after', 'SUCCEEDED', {}, {}],
      ['critical_flip_coin', 'SUCCEEDED', { 'flip-coin': { outputs: { Output: 'heads' } } }, {}],
      ['pipeline_with_nested_loops', 'SUCCEEDED', {}, {}],
      ['pipeline_with_parallelfor_parallelism', 'SUCCEEDED', {}, { loop_parameter: [{ A_a: '1', B_b: '2' }] }],
      ['failing_pipeline_with_exit_handler', 'FAILED', { 'fail-op': { outcome: 'failed' } }, {}],
      ['critical_pipeline_with_retry', 'SUCCEEDED', { add: { failAttempts: 1 } }, {}],
      ['critical_parameter_cache', 'SUCCEEDED', {}, {}],
      ['gpu-scheduling_nvidia_gpu_scheduling_check', 'SUCCEEDED', {}, {}],
      ['critical_collected_parameters', 'SUCCEEDED', { 'split-ids': { outputs: { Output: ['a', 'b'] } } }, {}],
      ['if_elif_else_complex', 'SUCCEEDED', { 'int-0-to-9999': { outputs: { Output: 5000 } } }, {}],
    ];
    const runs: [string, string][] = [];
    for (const [sample, , fixture, parameters] of expected) {
      const p = await w.upload(sample.replace(/_/g, '-'), load(sample));
      runs.push([sample, await w.run(p, sample.replace(/_/g, '-'), fixture, parameters)]);
    }
    for (const [i, [sample, runId]] of runs.entries()) {
      const run = await w.settled(runId);
      expect([sample, run.state]).toEqual([sample, expected[i]?.[1]]);
      for (const t of run.tasks.values()) {
        if (t.kind !== 'container' || t.state === 'CACHED') continue;
        const job = w.cluster.job(t.jobId as string) ?? w.cluster.archive?.get(t.jobId as string);
        const status = job?.status ?? w.cluster.current.finished.get(t.jobId as string);
        expect(status, `${sample} ${t.path}`).toBeDefined();
        if (job) expect([job.kind, job.owner]).toEqual(['pipeline-step', 'u']);
      }
    }
    // The exit handler ran after the failure; the retried step ran twice.
    const exit = w.pipelines.current.runs.get('g/failing-pipeline-with-exit-handler');
    expect(exit?.tasks.get('root/print-op')?.state).toBe('SUCCEEDED');
    expect(w.pipelines.current.runs.get('g/critical-pipeline-with-retry')?.tasks.get('root/add')?.attempt).toBe(2);
  });

  it('CreatePVC and DeletePVC steps run no job here (the simulated runtime has no volumes): they succeed, CreatePVC with its claim’s name', async () => {
    const w = await world();
    w.start();
    const spec = load('create_mount_delete_dynamic_pvc', new URL('../core/pipelines/fixtures/kfp/kubernetes/', import.meta.url));
    const p = await w.upload('pvc', spec);
    const run = await w.settled(
      await w.run(p, 'pvc', {
        producer: { outputs: { Output: 'Hello world' } },
        consumer: { outputs: { Output: 'Hello world' } },
      }),
    );
    expect(run.state).toBe('SUCCEEDED');
    const create = run.tasks.get('root/createpvc');
    expect(create?.outputs?.parameters.name).toMatch(/^[0-9a-f]{16}-my-pvc$/);
    for (const key of ['createpvc', 'deletepvc']) {
      const jobId = run.tasks.get(`root/${key}`)?.jobId as string;
      expect(w.cluster.job(jobId) ?? w.cluster.current.finished.get(jobId), key).toBeUndefined();
    }
    const producer = run.tasks.get('root/producer')?.jobId as string;
    expect(w.cluster.job(producer) ?? w.cluster.current.finished.get(producer)).toBeDefined();
  });

  it('a CreatePVC the cluster does not answer is asked again, ever less often, and fails its run once it has not answered for too long', async () => {
    const w = await world();
    const tries: number[] = [];
    const answers = [{ ok: false as const, retry: true, message: 'the API server did not answer' }];
    w.start({
      platformOps: {
        run: async () => {
          tries.push(Date.now());
          return answers[Math.min(tries.length - 1, answers.length - 1)] as (typeof answers)[number];
        },
      },
      platformRetry: { firstSeconds: 0.02, maxSeconds: 0.08, giveUpAfterSeconds: 0.4 },
    });
    const spec = load('create_mount_delete_dynamic_pvc', new URL('../core/pipelines/fixtures/kfp/kubernetes/', import.meta.url));
    const run = await w.settled(await w.run(await w.upload('pvc', spec), 'pvc'));
    expect(run.state).toBe('FAILED');
    const create = run.tasks.get('root/createpvc');
    expect(create?.state).toBe('FAILED');
    expect(create?.message).toMatch(
      new RegExp(`^the cluster did not answer for \\d+ ms \\(${tries.length} tries\\): the API server did not answer$`),
    );
    // Waits of 20, 40, 80, 80... ms: the first try, then one per wait until 0.4 s had passed.
    expect(tries.length).toBeGreaterThanOrEqual(4);
    expect(tries.length).toBeLessThanOrEqual(8);
    const gaps = tries.slice(1).map((t, i) => t - (tries[i] as number));
    expect(gaps[0]).toBeGreaterThanOrEqual(20);
    expect(gaps[2]).toBeGreaterThanOrEqual(80);
    // Nothing after it ran: the steps that needed the claim never started.
    expect(run.tasks.get('root/producer')?.jobId ?? null).toBe(null);
  });

  it('an executor restarted while a CreatePVC goes unanswered does not give it the whole time again', async () => {
    const w = await world();
    const options = {
      platformOps: { run: async () => ({ ok: false as const, retry: true, message: 'no answer' }) },
      platformRetry: { firstSeconds: 0.05, maxSeconds: 0.1, giveUpAfterSeconds: 1 },
    };
    const first = w.start(options);
    const spec = load('create_mount_delete_dynamic_pvc', new URL('../core/pipelines/fixtures/kfp/kubernetes/', import.meta.url));
    const runId = await w.run(await w.upload('pvc', spec), 'pvc');
    await new Promise((resolve) => setTimeout(resolve, 800));
    first.stop();
    w.start(options);
    const run = await w.settled(runId);
    const create = run.tasks.get('root/createpvc');
    expect(create?.state).toBe('FAILED');
    // Counted from when the step became pending, in the run: not 1 s again from the restart.
    const pending = create?.history.find((h) => h.state === 'PENDING')?.at as number;
    const failed = create?.history.find((h) => h.state === 'FAILED')?.at as number;
    expect(failed - pending).toBeGreaterThanOrEqual(1);
    expect(failed - pending).toBeLessThan(1.5); // 1.8 s and more, counted from the restart
    expect(create?.message).toMatch(/^the cluster did not answer for 1 s \(\d+ tries\): no answer$/);
  });

  it('a CreatePVC the cluster answers after a while succeeds, and its run with it', async () => {
    const w = await world();
    let tries = 0;
    w.start({
      platformOps: {
        run: async () => (++tries < 3 ? { ok: false as const, retry: true, message: '503: try later' } : { ok: true as const }),
      },
      platformRetry: { firstSeconds: 0.01, maxSeconds: 0.02, giveUpAfterSeconds: 5 },
    });
    const spec = load('create_mount_delete_dynamic_pvc', new URL('../core/pipelines/fixtures/kfp/kubernetes/', import.meta.url));
    const run = await w.settled(
      await w.run(await w.upload('pvc', spec), 'pvc', {
        producer: { outputs: { Output: 'Hello world' } },
        consumer: { outputs: { Output: 'Hello world' } },
      }),
    );
    expect(run.state).toBe('SUCCEEDED');
    // Two unanswered, the third made it; DeletePVC answered at once.
    expect(tries).toBe(4);
  });

  it('a step that asks for more GPUs than are free waits, and starts when they free up', async () => {
    const w = await world(1);
    w.start();
    const spec = load('gpu-scheduling_nvidia_gpu_scheduling_check');
    const p = await w.upload('gpu', spec);
    const first = await w.run(p, 'first', { 'verify-gpu-scheduled': { seconds: 10 } });
    const second = await w.run(p, 'second', { 'verify-gpu-scheduled': { seconds: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const waiting = w.pipelines.current.runs.get(second)?.tasks.get('root/verify-gpu-scheduled');
    expect(waiting?.state).toBe('PENDING');
    expect(w.cluster.job(waiting?.jobId as string)?.status).toBe('WaitingForGPUs');
    expect((await w.settled(first)).state).toBe('SUCCEEDED');
    expect((await w.settled(second)).state).toBe('SUCCEEDED');
  });

  it('terminate stops the running steps jobs and the run ends CANCELED', async () => {
    const w = await world();
    w.start();
    const p = await w.upload('after', load('essential_pipeline_with_after'));
    const runId = await w.run(p, 'long', { 'print-text': { seconds: 100 } });
    for (let i = 0; i < 200 && w.pipelines.current.runs.get(runId)?.tasks.get('root/print-text')?.state !== 'RUNNING'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await w.pipelines.execute({ type: 'TerminateRun', runId })).ok).toBe(true);
    const run = await w.settled(runId);
    expect(run.state).toBe('CANCELED');
    const jobId = run.tasks.get('root/print-text')?.jobId as string;
    const job = w.cluster.job(jobId) ?? w.cluster.archive?.get(jobId);
    expect(job?.status ?? w.cluster.current.finished.get(jobId)).toBe('Stopped');
    expect(run.tasks.has('root/print-text-2')).toBe(false);
  });

  it('an executor restarted mid-run repeats no step and loses none', async () => {
    const store = new InMemoryEventStore();
    const w = await world(8, store);
    const first = w.start();
    const p = await w.upload('loops', load('pipeline_with_nested_loops'));
    const runId = await w.run(p, 'r', { 'print-op': { seconds: 5 }, 'print-op-3': { seconds: 5 } });
    await new Promise((resolve) => setTimeout(resolve, 40));
    first.stop();
    await first.idle();
    w.start();
    const run = await w.settled(runId);
    expect(run.state).toBe('SUCCEEDED');
    const steps = [...run.tasks.values()].filter((t) => t.kind === 'container');
    const submitted = (await store.readAll()).filter((e) => e.type === 'JobSubmitted');
    expect(submitted.length).toBe(steps.length);
    expect(new Set(submitted.map((e) => (e.data as { jobId: string }).jobId)).size).toBe(steps.length);
  });

  it("a step's dataset and model outputs become asset versions of the group, with their lineage", async () => {
    const w = await world();
    w.start();
    const artifact = (schemaTitle: string) => ({ artifactType: { schemaTitle, schemaVersion: '0.0.1' } });
    const spec = {
      pipelineInfo: { name: 'Churn model' },
      schemaVersion: '2.1.0',
      components: {
        'comp-prep': { executorLabel: 'exec-prep', outputDefinitions: { artifacts: { clean: artifact('system.Dataset') } } },
        'comp-train': {
          executorLabel: 'exec-train',
          inputDefinitions: {
            artifacts: { data: artifact('system.Dataset') },
            parameters: { lr: { parameterType: 'NUMBER_DOUBLE' } },
          },
          outputDefinitions: { artifacts: { model: artifact('system.Model') } },
        },
      },
      deploymentSpec: {
        executors: {
          'exec-prep': { container: { image: 'prep:1', command: ['prep', "{{$.outputs.artifacts['clean'].uri}}"] } },
          'exec-train': { container: { image: 'train:2', command: ['train', "{{$.inputs.artifacts['data'].path}}"] } },
        },
      },
      root: {
        dag: {
          tasks: {
            prep: { taskInfo: { name: 'prep' }, componentRef: { name: 'comp-prep' } },
            train: {
              taskInfo: { name: 'train' },
              componentRef: { name: 'comp-train' },
              dependentTasks: ['prep'],
              inputs: {
                artifacts: { data: { taskOutputArtifact: { producerTask: 'prep', outputArtifactKey: 'clean' } } },
                parameters: { lr: { runtimeValue: { constant: 0.01 } } },
              },
            },
          },
        },
      },
    } as unknown as PipelineSpec;
    const p = await w.upload('churn', spec);
    const run = await w.settled(await w.run(p, 'churn-1'));
    expect(run.state).toBe('SUCCEEDED');
    for (let i = 0; i < 200 && !w.assets.current.assets.get('g/churn-model-model')?.versions.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const dataset = w.assets.current.assets.get('g/churn-model-clean');
    const model = w.assets.current.assets.get('g/churn-model-model');
    expect([dataset?.kind, model?.kind]).toEqual(['dataset', 'model']);
    expect(dataset?.versions[0]?.uri).toBe(run.tasks.get('root/prep')?.outputs?.artifacts.clean?.[0]?.uri);
    expect(model?.versions[0]?.lineage).toEqual({
      job: run.tasks.get('root/train')?.jobId,
      datasets: [{ assetId: 'g/churn-model-clean', version: 1 }],
      hyperparameters: { lr: 0.01 },
      image: 'train:2',
      model: null,
      workspace: null,
    });
  });

  it('a recurring run fires on its schedule, with runs named from their scheduled time', async () => {
    const w = await world();
    w.start();
    const p = await w.upload('hello', load('hello_world'));
    const r = await w.pipelines.execute({
      type: 'CreateRecurringRun',
      recurringRunId: 'g/every-second',
      owner: 'u',
      group: 'g',
      name: 'every-second',
      pipelineId: p,
      parameters: {},
      schedule: { trigger: { kind: 'periodic', intervalSeconds: 1 }, maxConcurrency: 1, catchUp: 'latest' } as never,
      enabled: true,
    });
    expect(r.ok).toBe(true);
    const until = Date.now() + 5000;
    while (Date.now() < until && (w.pipelines.current.recurringRuns.get('g/every-second')?.runs.length ?? 0) < 2) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const runs = w.pipelines.current.recurringRuns.get('g/every-second')?.runs ?? [];
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const id of runs) expect(id).toMatch(/^g\/every-second-\d{14}$/);
    expect((await w.settled(runs[0] as string)).state).toBe('SUCCEEDED');
  });
});
