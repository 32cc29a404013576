/**
 * Hyperparameter experiments end to end on the simulated runtime: the experiment controller asks
 * the algorithm for trials into the free parallel slots, submits each as a `trial` job of the
 * owner's group pool, reads each completed job's objective from its metrics, and the experiment
 * ends as Katib's would; a controller restarted mid-experiment loses and repeats no trial; a stop
 * stops the running trials; a trial whose template asks for more GPUs than the pool has waits.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type RealtimeRuntime, startRealtimeRuntime } from '../adapters/memory/realtime-runtime.js';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { metricsStream, reportMetrics } from '../core/assets/metrics.js';
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
import { EARLY_STOPPING_RULES } from '../core/experiments/early-stopping/index.js';
import { EXPERIMENTS_STREAM, experimentsDecider } from '../core/experiments/experiments-decider.js';
import type { ExperimentState, TrialState } from '../core/experiments/model.js';
import { parseExperiment } from '../core/experiments/spec.js';
import { ALGORITHMS } from '../core/experiments/suggest/index.js';
import { syntheticTrialSeries } from '../core/experiments/synthetic-trial.js';
import { createDeciderEngine, createEngine, type Engine } from '../engine/engine.js';
import { type ExperimentController, type ExperimentsEngine, startExperimentController } from './experiment-controller.js';
import { simulatedTrialMetrics } from './simulated-trials.js';

const sample = (file: string, edit: (doc: string) => string = (d) => d) => {
  const text = readFileSync(new URL(`../core/experiments/fixtures/katib/${file}`, import.meta.url), 'utf8');
  const r = parseExperiment(edit(text));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.experiment;
};

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A cluster of one node of 8 GPUs in pool p for group g (user u), the experiments engine, the runtime. */
async function world(store = new InMemoryEventStore()) {
  const cluster = await createEngine({ store });
  const setup: Command[] = [
    install(),
    registerNode('n1', 8),
    createPool('p', 'A100'),
    allocate('p', 8),
    createGroup('g'),
    assignPool('g', 'p'),
    onboard('u', { groupId: 'g' }),
  ];
  if (!cluster.current.installed) for (const c of setup) expect((await cluster.execute(c)).ok).toBe(true);
  const experiments: ExperimentsEngine = await createDeciderEngine(experimentsDecider, { store, stream: EXPERIMENTS_STREAM });
  return { store, cluster, experiments };
}

function runtime(
  cluster: Engine,
  experiments: ExperimentsEngine,
  store: InMemoryEventStore,
  trialSeconds = 0.03,
): RealtimeRuntime {
  const r = startRealtimeRuntime(cluster, store, {
    launchDelaySeconds: 0.01,
    stopDelaySeconds: 0.01,
    durationOf: (job) => (job.kind === 'trial' ? trialSeconds : null),
    metricsOf: (job) => simulatedTrialMetrics(experiments, job),
    onError: (e) => {
      throw e;
    },
  });
  stops.push(() => r.stop());
  return r;
}

function controller(cluster: Engine, experiments: ExperimentsEngine, store: InMemoryEventStore): ExperimentController {
  const c = startExperimentController(cluster, experiments, store, {
    algorithms: ALGORITHMS,
    onError: (e) => {
      throw e;
    },
  });
  stops.push(() => c.stop());
  return c;
}

async function until(what: () => boolean, message: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The most trials of `x` unfinished at once, replayed from its events. */
async function mostActive(store: InMemoryEventStore, id: string): Promise<number> {
  let active = 0;
  let most = 0;
  for (const r of await store.read(EXPERIMENTS_STREAM)) {
    const e = r.data as { type: string; experimentId?: string; trials?: unknown[] };
    if (e.experimentId !== id) continue;
    if (e.type === 'TrialsCreated') active += e.trials?.length ?? 0;
    if (e.type === 'TrialEnded') active--;
    most = Math.max(most, active);
  }
  return most;
}

const create = (experiments: ExperimentsEngine, spec: unknown, id = 'g/random') =>
  experiments.execute({
    type: 'CreateExperiment',
    experimentId: id,
    owner: 'u',
    group: 'g',
    spec: spec as never,
    seed: 1,
    commandId: `create:${id}`,
  });

describe('early stopping', () => {
  it('medianstop stops a running trial worse than the median of the succeeded ones; its job is stopped', async () => {
    const { store, cluster, experiments } = await world();
    const c = startExperimentController(cluster, experiments, store, {
      algorithms: ALGORITHMS,
      earlyStopping: EARLY_STOPPING_RULES,
      earlyStoppingEveryMs: 20,
      onError: (e) => {
        throw e;
      },
    });
    stops.push(() => c.stop());
    await create(experiments, sample('early-stopping_median-stop.yaml'), 'g/median');
    const x = () => experiments.current.experiments.get('g/median') as ExperimentState;
    await until(
      () => x().counters.trials === 2 && [...x().trials.values()].every((t) => cluster.job(t.jobId)),
      'two trials submitted',
    );
    const [good, bad] = [...x().trials.values()] as [TrialState, TrialState];
    const report = async (jobId: string, values: number[]) => {
      const r = reportMetrics(
        jobId,
        values.map((value, step) => ({ name: 'loss', value, step })),
        0,
        new Map(),
      );
      if (!r.ok) throw new Error(r.message);
      await store.append(metricsStream(jobId), [{ id: `${jobId}-m`, type: r.event.type, data: r.event }], 'no_stream');
    };
    for (const t of [good, bad]) expect((await cluster.execute({ type: 'ReportJobStarted', jobId: t.jobId })).ok).toBe(true);
    await report(good.jobId, [2, 1, 0.5, 0.4]);
    expect((await cluster.execute({ type: 'ReportJobCompleted', jobId: good.jobId })).ok).toBe(true);
    await until(() => x().trials.get(good.name)?.status === 'Succeeded', 'the good trial to succeed');
    await report(bad.jobId, [5, 4.5, 4.2]);
    await until(() => x().trials.get(bad.name)?.status === 'EarlyStopped', 'the bad trial stopped early');
    expect(x().trials.get(bad.name)).toMatchObject({ objective: 4.2, message: 'stopped early by medianstop' });
    await until(() => cluster.job(bad.jobId)?.status === 'Stopping', "the bad trial's job to be stopping");
    expect(x().counters).toMatchObject({ succeeded: 1, earlyStopped: 1 });
  });
});

describe('experiments on the simulated runtime', () => {
  it('runs the random sample to maxTrialCount, three trials at a time, each a trial job with its objective', async () => {
    const { store, cluster, experiments } = await world();
    runtime(cluster, experiments, store);
    controller(cluster, experiments, store);
    expect((await create(experiments, sample('hp-tuning_random.yaml'))).ok).toBe(true);
    const x = () => experiments.current.experiments.get('g/random') as ExperimentState;
    await until(() => x().status === 'Succeeded', 'the experiment to end');
    expect(x()).toMatchObject({ reason: 'ExperimentMaxTrialsReached', counters: { trials: 12, succeeded: 12, failed: 0 } });
    expect(await mostActive(store, 'g/random')).toBe(3);
    const trials = [...x().trials.values()];
    for (const t of trials) {
      const job = cluster.job(t.jobId) ?? cluster.archive?.get(t.jobId);
      expect(job).toMatchObject({ kind: 'trial', owner: 'u', group: 'g', status: 'Complete' });
      expect((job?.spec as { command?: string[] } | undefined)?.command).toContain(`--lr=${t.assignment.lr}`);
      expect(t.objective).toBeCloseTo(
        syntheticTrialSeries(x().spec, t.assignment).reduce((m, p) => Math.min(m, p.value), Infinity),
      );
    }
    const best = Math.min(...trials.map((t) => t.objective as number));
    expect(x().trials.get(x().optimal as string)?.objective).toBe(best);
  });

  it("a trial runs on the nodes its template's node selector and required affinity ask for; malformed terms fail it, named", async () => {
    const { store, cluster, experiments } = await world();
    expect((await cluster.execute(registerNode('n1', 8, 'A100', { labels: { disk: 'ssd', 'gpu-mem': '80' } }))).ok).toBe(true);
    runtime(cluster, experiments, store);
    controller(cluster, experiments, store);
    const terms = [{ matchExpressions: [{ key: 'gpu-mem', operator: 'Gt', values: ['40'] }] }];
    const onNodes = (affinityTerms: unknown) => {
      const spec = structuredClone(sample('hp-tuning_random.yaml')) as unknown as {
        trialTemplate: { trialSpec: { spec: { template: { spec: Record<string, unknown> } } } };
      };
      const pod = spec.trialTemplate.trialSpec.spec.template.spec;
      pod.nodeSelector = { disk: 'ssd' };
      pod.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: affinityTerms } } };
      return spec;
    };
    expect((await create(experiments, onNodes(terms), 'g/ssd')).ok).toBe(true);
    const x = (id: string) => experiments.current.experiments.get(id) as ExperimentState;
    await until(() => x('g/ssd').status === 'Succeeded', 'the experiment to end');
    for (const t of x('g/ssd').trials.values()) {
      const job = cluster.job(t.jobId) ?? cluster.archive?.get(t.jobId);
      expect(job).toMatchObject({ nodeSelector: { disk: 'ssd' }, nodeAffinity: terms, status: 'Complete' });
    }
    const bad = [{ matchExpressions: [{ key: 'gpu-mem', operator: 'In', values: [] }] }];
    expect((await create(experiments, onNodes(bad), 'g/bad')).ok).toBe(true);
    await until(() => [...x('g/bad').trials.values()].some((t) => t.status === 'Failed'), 'a trial to fail');
    const failed = [...x('g/bad').trials.values()].find((t) => t.status === 'Failed');
    expect(failed?.message).toContain('SubmitJob.nodeAffinity.0.matchExpressions.0.values: expected one or more values for In');
  });

  it('a controller restarted mid-experiment creates, submits and reports each trial once', async () => {
    const { store, cluster, experiments } = await world();
    runtime(cluster, experiments, store);
    const first = controller(cluster, experiments, store);
    await create(experiments, sample('hp-tuning_grid.yaml'), 'g/grid');
    const x = () => experiments.current.experiments.get('g/grid') as ExperimentState;
    await until(() => x().counters.succeeded >= 4, 'four trials to end');
    first.stop();
    await new Promise((r) => setTimeout(r, 100));
    controller(cluster, experiments, store);
    await until(() => x().status === 'Succeeded', 'the grid experiment to end');
    expect(x().counters).toMatchObject({ trials: 12, succeeded: 12 });
    const submitted = (await store.read('cluster')).filter((r) => r.type === 'JobSubmitted').length;
    expect(submitted).toBe(12);
    const assignments = new Set([...x().trials.values()].map((t) => `${t.assignment.lr},${t.assignment.momentum}`));
    expect(assignments.size).toBe(12); // grid: no point twice
  });

  it("a pbt trial is told where its checkpoint goes and, after the first generation, where its parent's is", async () => {
    const { store, cluster, experiments } = await world();
    runtime(cluster, experiments, store);
    controller(cluster, experiments, store);
    const spec = sample('hp-tuning_random.yaml', (d) =>
      d
        .replace(
          'algorithmName: random',
          'algorithmName: pbt\n    algorithmSettings:\n      - name: suggestion_trial_dir\n        value: /ckpt/\n      - name: n_population\n        value: "3"\n      - name: truncation_threshold\n        value: "0.4"',
        )
        .replace('maxTrialCount: 12', 'maxTrialCount: 6'),
    );
    await create(experiments, spec, 'g/pbt');
    const x = () => experiments.current.experiments.get('g/pbt') as ExperimentState;
    await until(() => x().status !== 'Running', 'the pbt experiment to end');
    const envOf = (t: TrialState): Record<string, string> => {
      const job = cluster.job(t.jobId) ?? cluster.archive?.get(t.jobId);
      return (job?.spec as { env?: Record<string, string> } | undefined)?.env ?? {};
    };
    const trials = [...x().trials.values()];
    expect(trials).toHaveLength(6);
    for (const t of trials) expect(envOf(t).GPUPOOL_CHECKPOINT_DIR).toBe(`/ckpt/${t.name}`);
    const children = trials.filter((t) => envOf(t).GPUPOOL_PARENT_CHECKPOINT_DIR !== undefined);
    expect(children.length).toBeGreaterThan(0);
    for (const t of children) expect(envOf(t).GPUPOOL_PARENT_CHECKPOINT_DIR).toMatch(/^\/ckpt\/trial-[123]$/);
  });

  it('a stop with `stop` stops the running trials and ends Stopped; trials wait in a full pool like any job', async () => {
    const { store, cluster, experiments } = await world();
    runtime(cluster, experiments, store, 60);
    controller(cluster, experiments, store);
    // Each trial asks for 4 GPUs: two fit the 8-GPU pool, the third waits.
    const spec = sample('hp-tuning_random.yaml', (d) =>
      d.replace('                    cpu: "0.5"', '                    cpu: "0.5"\n                    nvidia.com/gpu: "4"'),
    );
    await create(experiments, spec);
    const x = () => experiments.current.experiments.get('g/random') as ExperimentState;
    await until(() => x().counters.running === 2 && x().counters.trials === 3, 'two trials running, one waiting');
    const waiting = [...x().trials.values()].find((t) => t.status === 'Created');
    expect(cluster.job(waiting?.jobId as string)?.status).toBe('WaitingForGPUs');
    expect((await experiments.execute({ type: 'StopExperiment', experimentId: 'g/random', trials: 'stop' })).ok).toBe(true);
    await until(() => x().status === 'Stopped', 'the experiment to stop');
    expect(x().counters).toMatchObject({ trials: 3, killed: 3 });
    for (const t of x().trials.values()) expect((cluster.job(t.jobId) ?? cluster.archive?.get(t.jobId))?.status).toBe('Stopped');
  });
});
