/**
 * Pipelines on Kubernetes end to end: `gpupool serve --kubernetes` against the fake cluster (the
 * API server over HTTP, the kubelet simulator playing the pods), pipelines uploaded and runs made
 * through the HTTP API as a data scientist would.
 *
 * Each step is a `pipeline-step` job whose pod the kubelet plays from its run's simulation fixture
 * (core/pipelines/simulation.ts `simulatedPodAnnotations`): it runs the fixture's time, exits 1 when
 * the fixture fails it, and writes its outputs (KFP's executor output file, as the SDK's components
 * do), which the pod's outputs collector prints and the run executor reads (app/kubernetes.ts). So what one step outputs reaches the next
 * only through the pods: a condition's branch, a loop over a list output.
 *
 * Every compiled sample reaches the state KFP gives it (the same fixtures as app/pipelines.test.ts
 * on the simulated runtime); the GPU sample's pod has its toleration and its GPU; the secret-as-env
 * sample's pod has its env from the three secrets, named by a constant, a pipeline input and an
 * earlier step's output.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { OUTPUTS_COLLECTOR_CONTAINER, sidecarOutput } from '../adapters/k8s/metrics-sidecar.js';
import { type FakeCluster, startFakeCluster } from '../adapters/k8s/test-support/cluster.js';
import type { K8sObject } from '../adapters/k8s/test-support/resources.js';
import { waitFor } from '../adapters/k8s/test-support/wait.js';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import type { PipelineSpec } from '../core/pipelines/ir.js';
import type { SimulationFixture, StepFixture } from '../core/pipelines/model.js';
import { PipelinesWorld } from '../core/pipelines/test-support/world.js';
import { readStepOutputs, recordStepOutputs } from './kubernetes.js';
import { type Served, serve } from './serve.js';
import { recordPodsByJob } from './test-support/pods-by-job.js';
import { servedApi } from './test-support/served-api.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-k8s-pipelines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
type Json = any;

const KFP = new URL('../core/pipelines/fixtures/kfp/', import.meta.url);
const text = (path: string) => readFileSync(new URL(path, KFP), 'utf8');

/** Every task key of a pipeline (each DAG's), so a fixture can make all its steps quick. */
function taskKeys(yaml: string): string[] {
  const spec = parseAllDocuments(yaml)[0]?.toJS() as PipelineSpec;
  const dags = [spec.root.dag, ...Object.values(spec.components).map((c) => c.dag)];
  return [...new Set(dags.flatMap((d) => Object.keys(d?.tasks ?? {})))];
}

/** Steps run 0.2 s unless the sample's fixture says otherwise. */
function quick(yaml: string, fixture: SimulationFixture): SimulationFixture {
  const out: Record<string, StepFixture> = {};
  for (const key of taskKeys(yaml)) out[key] = { seconds: 0.2 };
  for (const [key, f] of Object.entries(fixture)) out[key] = { ...out[key], ...f };
  return out;
}

describe('gpupool serve --kubernetes: pipelines', () => {
  let cluster: FakeCluster;
  let served: Served;
  /** Every pod gpupool created, by the job it runs. */
  const pods = new Map<string, K8sObject>();

  beforeEach(async () => {
    // A pod without a fixture's annotations runs 300 ms and writes nothing.
    cluster = await startFakeCluster({ nodes: [{ name: 'gpu-1', gpus: 8 }], kubelet: { runForMs: 300 } });
    recordPodsByJob(cluster, pods);
    served = await serve({
      port: 0,
      leaderLeaseSeconds: 1,
      store: join(dir, `pipelines-${++files}.db`),
      kubernetes: {
        kubeconfig: cluster.kubeconfigPath,
        leaseNamespace: 'default',
        rateLimit: { qps: 1000, burst: 1000 },
        pipelineVolume: 'kfp-artifacts',
      },
    });
  });

  afterEach(async () => {
    await served.close();
    await cluster.close();
    pods.clear();
  });

  const { call, ok, nina } = servedApi(() => served);

  /** Upload a sample and start a run of it; its name. */
  async function start(
    token: string,
    path: string,
    fixture: SimulationFixture,
    parameters: Record<string, unknown> = {},
    yaml = text(path),
  ) {
    const name = (path.split('/').pop() as string)
      .replace(/\.yaml$/, '')
      .replace(/_/g, '-')
      .toLowerCase();
    await ok(token, 'POST', `/api/v1/pipelines?name=${name}`, yaml, 201, 'application/yaml');
    await ok(token, 'POST', '/api/v1/pipeline-runs', { name, pipeline: name, parameters, simulation: quick(yaml, fixture) }, 201);
    return name;
  }

  /** A run once it has ended. */
  const ended = (token: string, name: string): Promise<Json> =>
    waitFor(
      async () => {
        const r = (await call(token, 'GET', `/api/v1/pipeline-runs/${name}`)).body;
        return ['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED'].includes(r?.state) && r;
      },
      { timeoutMs: 60_000, intervalMs: 100, message: `run ${name} to end` },
    );

  const node = (run: Json, path: string): Json => run.graph.nodes.find((n: Json) => n.path === path);
  /** The one task of a key, wherever it is in the run's graph. */
  const task = (run: Json, key: string): Json => {
    const found = run.graph.nodes.filter((n: Json) => n.key === key);
    expect(found.length, `one task ${key}`).toBe(1);
    return found[0];
  };

  it('every compiled sample runs to the state KFP gives it, its outputs passed from pod to pod', async () => {
    const token = await nina();
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
      ['critical_collected_parameters', 'SUCCEEDED', { 'split-ids': { outputs: { Output: ['a', 'b', 'c'] } } }, {}],
      ['if_elif_else_complex', 'SUCCEEDED', { 'int-0-to-9999': { outputs: { Output: 5000 } } }, {}],
    ];
    const names: string[] = [];
    for (const [sample, , fixture, parameters] of expected) {
      names.push(await start(token, `compiled/${sample}.yaml`, fixture, parameters));
    }
    const runs = new Map<string, Json>();
    for (const [i, name] of names.entries()) {
      const run = await ended(token, name);
      runs.set(expected[i]?.[0] as string, run);
      expect([name, run.state]).toEqual([name, expected[i]?.[1]]);
      // Every step that ran was a job whose pod gpupool made, with the outputs collector when it has outputs.
      for (const n of run.graph.nodes) {
        if (n.kind !== 'container' || n.jobId === null || n.cached) continue;
        const pod = pods.get(n.jobId);
        expect(pod, `${name} ${n.path}: its pod`).toBeDefined();
        if (n.state === 'SUCCEEDED' && Object.keys(n.outputs?.parameters ?? {}).length > 0) {
          expect(pod?.spec.containers.map((c: Json) => c.name)).toEqual(['main', OUTPUTS_COLLECTOR_CONTAINER]);
        }
      }
    }

    // Outputs read from the collector's log, typed: the coin's string, the integer of the branches,
    // the list a loop went over.
    const flip = runs.get('critical_flip_coin');
    expect(task(flip, 'flip-coin').outputs.parameters.Output).toBe('heads');
    // 'heads' read from the coin's pod took the heads branch only.
    expect([node(flip, 'root/condition-1').state, node(flip, 'root/condition-4').state]).toEqual(['SUCCEEDED', 'SKIPPED']);
    const branches = runs.get('if_elif_else_complex');
    const draws = branches.graph.nodes.filter((n: Json) => n.key === 'int-0-to-9999');
    expect(draws.length).toBeGreaterThan(0);
    for (const d of draws) expect(d.outputs.parameters.Output).toBe(5000);
    const collected = runs.get('critical_collected_parameters');
    expect(task(collected, 'split-ids').outputs.parameters.Output).toEqual(['a', 'b', 'c']);
    const iterations = collected.graph.nodes.filter((n: Json) => n.iteration !== null && n.kind === 'dag');
    expect(iterations.length).toBe(3);

    // The failing step's pod exited 1; the exit handler ran after it.
    const failing = runs.get('failing_pipeline_with_exit_handler');
    expect(task(failing, 'fail-op').state).toBe('FAILED');
    expect(task(failing, 'print-op').state).toBe('SUCCEEDED');
    // The retried step ran twice, in two pods.
    const add = task(runs.get('critical_pipeline_with_retry'), 'add');
    expect(add.attempt).toBe(2);

    // The GPU step's pod tolerates the GPU taint and has its GPU.
    const gpu = task(runs.get('gpu-scheduling_nvidia_gpu_scheduling_check'), 'verify-gpu-scheduled');
    const gpuPod = pods.get(gpu.jobId);
    expect(gpuPod?.spec.tolerations).toEqual([{ effect: 'NoSchedule', key: 'nvidia.com/gpu', operator: 'Exists' }]);
    expect(gpuPod?.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    // Every step's pod has the pipeline volume at the root's local path.
    expect(gpuPod?.spec.volumes).toContainEqual({ name: 'pipeline-root', persistentVolumeClaim: { claimName: 'kfp-artifacts' } });
  }, 120_000);

  it('a secret-as-env step gets its env from the secrets named by a constant, a pipeline input and an earlier output', async () => {
    const token = await nina();
    const name = await start(token, 'parser/critical_pipeline_with_secret_as_env.yaml', {
      'generate-secret-name': { outputs: { some_output: 'test-secret-3' } },
    });
    const run = await ended(token, name);
    expect(run.state).toBe('SUCCEEDED');
    const pod = pods.get(node(run, 'root/comp').jobId);
    const env = pod?.spec.containers[0].env;
    expect(env).toContainEqual({
      name: 'USER_NAME',
      valueFrom: { secretKeyRef: { name: 'test-secret-1', key: 'username', optional: false } },
    });
    expect(env).toContainEqual({
      name: 'PASSWORD_VAR1',
      valueFrom: { secretKeyRef: { name: 'test-secret-2', key: 'password', optional: false } },
    });
    expect(env).toContainEqual({
      name: 'PASSWORD_VAR2',
      valueFrom: { secretKeyRef: { name: 'test-secret-3', key: 'password', optional: false } },
    });
  }, 60_000);

  it('a run terminated while a step runs: its pod is deleted, the run ends CANCELED', async () => {
    const token = await nina();
    const name = await start(token, 'compiled/essential_pipeline_with_after.yaml', { 'print-text': { seconds: 60 } });
    const running = await waitFor(
      async () => {
        const r = (await call(token, 'GET', `/api/v1/pipeline-runs/${name}`)).body;
        const t = r && node(r, 'root/print-text');
        return t?.state === 'RUNNING' && t;
      },
      { timeoutMs: 20_000, intervalMs: 50, message: 'the first step to run' },
    );
    const pod = pods.get(running.jobId);
    expect(pod).toBeDefined();
    await ok(token, 'POST', `/api/v1/pipeline-runs/${name}/terminate`, {}, 200);
    const run = await ended(token, name);
    expect(run.state).toBe('CANCELED');
    expect(node(run, 'root/print-text').state).toBe('CANCELED');
    await waitFor(() => cluster.api.get('pods', pod?.metadata.namespace, pod?.metadata.name as string) === undefined, {
      timeoutMs: 10_000,
      message: "the step's pod deleted",
    });
  }, 60_000);

  it('a step past its timeout (kfp-kubernetes set_timeout) is stopped by its kubelet and fails, saying so; its shm volume is on its pod', async () => {
    const token = await nina();
    // The sample with the first step's executor given a one-second deadline and a memory-backed /dev/shm.
    const platform = [
      'platforms:',
      '  kubernetes:',
      '    deploymentSpec:',
      '      executors:',
      '        exec-print-text:',
      "          activeDeadlineSeconds: '1'",
      '          emptyDirMounts:',
      '          - {volumeName: shm, mountPath: /dev/shm, medium: Memory, sizeLimit: 1Gi}',
    ].join('\n');
    const yaml = `${text('compiled/essential_pipeline_with_after.yaml')}\n---\n${platform}\n`;
    const name = await start(token, 'timed/essential_pipeline_with_after.yaml', { 'print-text': { seconds: 30 } }, {}, yaml);
    const run = await ended(token, name);
    expect(run.state).toBe('FAILED');
    const step = node(run, 'root/print-text');
    expect(step.state).toBe('FAILED');
    expect(step.message).toMatch(/DeadlineExceeded.*ran past its deadline of 1 s/);
    const pod = pods.get(step.jobId)?.spec as Json;
    expect(pod.activeDeadlineSeconds).toBe(1);
    expect(pod.volumes).toContainEqual({ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'shm', mountPath: '/dev/shm' });
  }, 60_000);

  it('CreatePVC makes a claim in the group’s namespace (asking again when the API server fails), the steps mount it, DeletePVC deletes it (kfp-kubernetes’ own snapshot)', async () => {
    const token = await nina();
    const claims: { type: string; name: string; object: K8sObject }[] = [];
    cluster.api.onEvent((e) => {
      if (e.resource.plural === 'persistentvolumeclaims')
        claims.push({ type: e.type, name: e.object.metadata.name as string, object: e.object });
    });
    // The API server fails the first make: the step waits and asks again, rather than failing.
    cluster.api.failNext(1, { status: 503, message: 'try later', verb: 'create', path: 'persistentvolumeclaims' });
    const yaml = readFileSync(new URL('kubernetes/create_mount_delete_dynamic_pvc.yaml', KFP), 'utf8');
    const fixture = { producer: { outputs: { Output: 'Hello world' } }, consumer: { outputs: { Output: 'Hello world' } } };
    const name = await start(token, 'kubernetes/create_mount_delete_dynamic_pvc.yaml', fixture, {}, yaml);
    const run = await ended(token, name);
    expect(run.state).toBe('SUCCEEDED');
    const claim = node(run, 'root/createpvc').outputs.parameters.name as string;
    expect(claim).toMatch(/^[0-9a-f]{16}-my-pvc$/);
    // Made as KFP's driver makes it, then deleted; no pod ran for either step.
    expect(claims.map((c) => [c.type, c.name])).toEqual([
      ['ADDED', claim],
      ['DELETED', claim],
    ]);
    expect(claims[0]?.object.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '5Mi' } },
      storageClassName: 'standard',
    });
    expect(claims[0]?.object.metadata.namespace).toBe('default');
    for (const key of ['createpvc', 'deletepvc']) expect(node(run, `root/${key}`).jobId).toBe(null);
    expect([...pods.keys()].sort()).toEqual([node(run, 'root/consumer').jobId, node(run, 'root/producer').jobId].sort());
    for (const key of ['producer', 'consumer']) {
      const spec = pods.get(node(run, `root/${key}`).jobId)?.spec as Json;
      expect(spec.volumes).toContainEqual({ name: 'pvc-0', persistentVolumeClaim: { claimName: claim } });
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'pvc-0', mountPath: '/data' });
    }
  }, 60_000);

  it('a step whose output parameter is never written fails, saying which', async () => {
    const token = await nina();
    const name = await start(token, 'compiled/critical_flip_coin.yaml', { 'flip-coin': { outputs: { Output: 'tails' } } });
    expect((await ended(token, name)).state).toBe('SUCCEEDED');
    // A run without a fixture: its pods write no files, so the coin's output is not there to read.
    await ok(token, 'POST', '/api/v1/pipeline-runs', { name: 'bare', pipeline: name }, 201);
    const bare = await ended(token, 'bare');
    expect(bare.state).toBe('FAILED');
    expect(node(bare, 'root/flip-coin').message).toContain("its output parameter 'Output' was not written");
  }, 60_000);
});

describe("a step's collected outputs, kept and read", () => {
  const coin = () => {
    const spec = parseAllDocuments(text('compiled/critical_flip_coin.yaml'))[0]?.toJS() as PipelineSpec;
    const w = new PipelinesWorld();
    const runId = w.startRun(w.upload('coin', spec), 'r');
    return { run: w.run(runId), task: w.task(runId, 'root/flip-coin') };
  };
  const dump = (files: Record<string, string>) =>
    sidecarOutput(
      { kind: 'files', paths: Object.keys(files) },
      new Map(Object.entries(files).map(([p, t]) => [p, new Uint8Array(Buffer.from(t))])),
    );

  it('keeps the first collection of a step, and reads it typed; nothing kept reads as nothing written', async () => {
    const store = new InMemoryEventStore();
    const { run, task } = coin();
    const job = { id: task.jobId as string };
    expect(await readStepOutputs(store, run, task, job)).toEqual({
      unreadable: "its output parameter 'Output' was not written (/tmp/kfp/outputs/Output)",
    });
    await recordStepOutputs(store, job.id, dump({ '/tmp/kfp/outputs/Output': 'heads' }));
    await recordStepOutputs(store, job.id, dump({ '/tmp/kfp/outputs/Output': 'tails' }));
    expect(await readStepOutputs(store, run, task, job)).toEqual({ parameters: { Output: 'heads' }, artifacts: {} });
  });

  it('a log cut short reads as such, naming the file', async () => {
    const store = new InMemoryEventStore();
    const { run, task } = coin();
    const job = { id: task.jobId as string };
    const whole = dump({ '/tmp/kfp/outputs/Output': 'x'.repeat(300) });
    await recordStepOutputs(store, job.id, whole.slice(0, whole.length - 60));
    expect(await readStepOutputs(store, run, task, job)).toEqual({
      unreadable: 'its output files were cut short: /tmp/kfp/outputs/Output',
    });
  });
});

describe('gpupool serve --kubernetes: a GPU step’s node selector', () => {
  let cluster: FakeCluster;
  let served: Served;
  const pods = new Map<string, K8sObject>();

  beforeEach(async () => {
    // The Default Pool holds every node: two GPU types, the A100 nodes first, one of them with SSDs.
    cluster = await startFakeCluster({
      nodes: [
        { name: 'gpu-a', gpus: 4, product: 'A100' },
        { name: 'gpu-a2', gpus: 4, product: 'A100', labels: { disk: 'ssd' } },
        { name: 'gpu-t', gpus: 4, product: 'Tesla-T4' },
      ],
      kubelet: { runForMs: 300 },
    });
    recordPodsByJob(cluster, pods);
    served = await serve({
      port: 0,
      leaderLeaseSeconds: 1,
      store: join(dir, `selector-${++files}.db`),
      kubernetes: { kubeconfig: cluster.kubeconfigPath, leaseNamespace: 'default', rateLimit: { qps: 1000, burst: 1000 } },
    });
  });

  afterEach(async () => {
    await served.close();
    await cluster.close();
    pods.clear();
  });

  const { call, ok } = servedApi(() => served);

  /** The GPU scheduling sample, its executor selecting nodes by these labels, its accelerator typed if given. */
  function sample(labels: Record<string, string>, acceleratorType?: string, nodeAffinity?: Json[]): string {
    const [spec, platform] = parseAllDocuments(text('compiled/gpu-scheduling_nvidia_gpu_scheduling_check.yaml')).map((d) =>
      d.toJS(),
    ) as [Json, Json];
    for (const e of Object.values(platform.platforms.kubernetes.deploymentSpec.executors) as Json[]) {
      e.nodeSelector = { labels };
      if (nodeAffinity) e.nodeAffinity = nodeAffinity;
    }
    if (acceleratorType !== undefined) {
      for (const e of Object.values(spec.deploymentSpec.executors) as Json[])
        e.container.resources.accelerator.type = acceleratorType;
    }
    return `${JSON.stringify(spec)}\n---\n${JSON.stringify(platform)}\n`;
  }

  /**
   * The GPU scheduling sample whose executor reads its node selector and node affinity from the
   * pipeline's inputs `selector` and `affinity` (kfp-kubernetes add_node_selector_json and
   * add_node_affinity_json), both optional.
   */
  function sampleReadingInputs(): string {
    const [spec, platform] = parseAllDocuments(text('compiled/gpu-scheduling_nvidia_gpu_scheduling_check.yaml')).map((d) =>
      d.toJS(),
    ) as [Json, Json];
    spec.root.inputDefinitions = {
      parameters: {
        selector: { parameterType: 'STRUCT', isOptional: true },
        affinity: { parameterType: 'STRUCT', isOptional: true },
      },
    };
    for (const e of Object.values(platform.platforms.kubernetes.deploymentSpec.executors) as Json[]) {
      e.nodeSelector = { nodeSelectorJson: { componentInputParameter: 'selector' } };
      e.nodeAffinity = [{ nodeAffinityJson: { componentInputParameter: 'affinity' } }];
    }
    return `${JSON.stringify(spec)}\n---\n${JSON.stringify(platform)}\n`;
  }

  async function run(token: string, name: string, yaml: string, parameters?: Json): Promise<Json> {
    await ok(token, 'POST', `/api/v1/pipelines?name=${name}`, yaml, 201, 'application/yaml');
    await ok(token, 'POST', '/api/v1/pipeline-runs', { name, pipeline: name, ...(parameters ? { parameters } : {}) }, 201);
    return waitFor(
      async () => {
        const r = (await call(token, 'GET', `/api/v1/pipeline-runs/${name}`)).body;
        return ['SUCCEEDED', 'FAILED'].includes(r?.state) && r;
      },
      { timeoutMs: 30_000, intervalMs: 100, message: `run ${name} to end` },
    );
  }

  /** Once the nodes have registered: a data scientist's token, and the operator's. */
  async function scientist(userId: string): Promise<{ op: string; token: string }> {
    const op = served.bootstrapToken?.token as string;
    await waitFor(async () => ((await call(op, 'GET', '/api/v1/nodes')).body ?? []).length === 3, {
      message: 'the nodes registered',
    });
    await ok(op, 'POST', '/api/v1/users', { userId, name: userId, role: 'data-scientist' }, 201);
    return { op, token: (await ok(op, 'POST', `/api/v1/users/${userId}/tokens`, {}, 201)).token };
  }

  /** A run's GPU step: its job id and the job as the API shows it. */
  async function stepOf(op: string, run: Json): Promise<{ jobId: string; job: Json }> {
    const jobId = run.graph.nodes.find((n: Json) => n.key === 'verify-gpu-scheduled').jobId as string;
    const [group, name] = jobId.split('/') as [string, string];
    return { jobId, job: await ok(op, 'GET', `/api/v1/jobs/${encodeURIComponent(name)}?group=${group}`, undefined, 200) };
  }

  it('places the step on a node of the GPU type it selects, in a pool of two types; refuses one whose accelerator names another', async () => {
    const { op, token } = await scientist('tess');
    const t4 = await run(token, 'on-t4', sample({ 'nvidia.com/gpu.product': 'Tesla-T4' }));
    expect(t4.state).toBe('SUCCEEDED');
    const { jobId, job } = await stepOf(op, t4);
    expect(job.gpuType).toBe('Tesla-T4');
    expect(job.allocation.nodes).toEqual(['gpu-t']);
    expect((pods.get(jobId)?.spec as Json)?.nodeName).toBe('gpu-t');
    expect((pods.get(jobId)?.spec as Json)?.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'Tesla-T4' });

    const torn = await run(token, 'torn', sample({ 'nvidia.com/gpu.product': 'Tesla-T4' }, 'A100'));
    expect(torn.state).toBe('FAILED');
    const step = torn.graph.nodes.find((n: Json) => n.key === 'verify-gpu-scheduled');
    expect(step.message).toMatch(
      /accelerator type 'A100' and its node selector's nvidia.com\/gpu.product 'Tesla-T4' name different GPU types/,
    );
  });

  it('places the step on a node with its other labels too, where the kubelet admits its pod', async () => {
    const { op, token } = await scientist('sid');
    // Best-fit alone would take gpu-a, whose kubelet refuses a pod selecting disk=ssd.
    const ssd = await run(token, 'on-ssd', sample({ 'nvidia.com/gpu.product': 'A100', disk: 'ssd' }));
    expect(ssd.state).toBe('SUCCEEDED');
    const { jobId, job } = await stepOf(op, ssd);
    expect(job).toMatchObject({ gpuType: 'A100', nodeSelector: { disk: 'ssd' }, allocation: { nodes: ['gpu-a2'] } });
    expect((pods.get(jobId)?.spec as Json)?.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'A100', disk: 'ssd' });
    // Labels no node has: the step is refused, and says which.
    const nowhere = await run(token, 'nowhere', sample({ 'nvidia.com/gpu.product': 'A100', disk: 'nvme' }));
    expect(nowhere.state).toBe('FAILED');
    const step = nowhere.graph.nodes.find((n: Json) => n.key === 'verify-gpu-scheduled');
    expect(step.message).toMatch(/labelled disk=nvme/);
  });

  it('places the step on a node satisfying its required node affinity terms, where the kubelet admits its pod', async () => {
    const { op, token } = await scientist('ada');
    // Best-fit alone would take gpu-a, whose kubelet refuses a pod that requires disk In (ssd, nvme).
    const fast = [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd', 'nvme'] }] }];
    const spot = { matchExpressions: [{ key: 'spot', operator: 'Exists' }], weight: 50 };
    const ssd = await run(token, 'fast-disk', sample({ 'nvidia.com/gpu.product': 'A100' }, undefined, [...fast, spot]));
    expect(ssd.state).toBe('SUCCEEDED');
    const { jobId, job } = await stepOf(op, ssd);
    expect(job).toMatchObject({ gpuType: 'A100', nodeAffinity: fast, allocation: { nodes: ['gpu-a2'] } });
    // The pod carries both kinds of term, as KFP's driver writes them.
    expect((pods.get(jobId)?.spec as Json)?.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: fast },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 50, preference: { matchExpressions: spot.matchExpressions } },
        ],
      },
    });
    // A term the cluster's codec refuses fails the step in its words.
    const bad = [{ matchExpressions: [{ key: 'disk', operator: 'Near', values: ['ssd'] }] }];
    const refused = await run(token, 'bad-term', sample({ 'nvidia.com/gpu.product': 'A100' }, undefined, bad));
    expect(refused.state).toBe('FAILED');
    const step = refused.graph.nodes.find((n: Json) => n.key === 'verify-gpu-scheduled');
    expect(step.message).toMatch(/SubmitJob\.nodeAffinity\.0\.matchExpressions\.0\.operator/);
  });

  it('places the step by a node selector and node affinity read from the run’s inputs as JSON, and its pod carries them', async () => {
    const { op, token } = await scientist('jo');
    const fast = [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd', 'nvme'] }] }];
    const yaml = sampleReadingInputs();
    // Best-fit alone would take gpu-a, whose kubelet refuses a pod that requires disk In (ssd, nvme).
    const ssd = await run(token, 'json-ssd', yaml, {
      selector: { 'nvidia.com/gpu.product': 'A100' },
      affinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: fast } },
    });
    expect(ssd.state).toBe('SUCCEEDED');
    const { jobId, job } = await stepOf(op, ssd);
    expect(job).toMatchObject({ gpuType: 'A100', nodeAffinity: fast, allocation: { nodes: ['gpu-a2'] } });
    const pod = pods.get(jobId)?.spec as Json;
    expect(pod?.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'A100' });
    expect(pod?.affinity).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: fast } },
    });
    // Without the inputs (both optional) nothing selects its nodes: in this pool of two GPU types
    // the step then names none, and is refused saying so.
    const free = await run(token, 'json-none', yaml);
    expect(free.state).toBe('FAILED');
    const unselected = free.graph.nodes.find((n: Json) => n.key === 'verify-gpu-scheduled');
    expect(unselected.message).toMatch(/holds several GPU types \(A100, Tesla-T4\): name one with gpuType/);
    // A selector that is not an object of label values fails the step, naming its input.
    const bad = await run(token, 'json-bad', yaml, { selector: { disk: ['ssd'] } });
    expect(bad.state).toBe('FAILED');
    const step = bad.graph.nodes.find((n: Json) => n.key === 'verify-gpu-scheduled');
    expect(step.message).toMatch(/its node selector \(nodeSelectorJson\) from input 'selector' at disk: must be a string/);
  });
});
