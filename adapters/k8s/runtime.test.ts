/**
 * The Kubernetes runtime against the fake API server and its kubelet: a job's pod made on its
 * node, started and completed (with final metrics from the termination message); each failure
 * reason; a pod deleted by someone; a stop; several workers; a restart while jobs run; strays;
 * metrics collected from a sidecar's log and from scrapes of a pod's Prometheus endpoint.
 * Each test counts the events the store holds, so a report sent twice would show.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metricsStream } from '../../core/assets/metrics.js';
import type { AssetsState } from '../../core/assets/model.js';
import type { Command } from '../../core/cluster/commands.js';
import type { JobStatus } from '../../core/cluster/model.js';
import {
  allocate,
  assignPool,
  createGroup,
  createPool,
  install,
  onboard,
  registerNode,
} from '../../core/cluster/test-support/given.js';
import { createEngine, type Engine } from '../../engine/engine.js';
import { InMemoryEventStore } from '../memory/store.js';
import { connect, type Kube } from './kube.js';
import { kubernetesJobLogs } from './logs.js';
import { readFileDump } from './metrics-sidecar.js';
import { JOB_ID_ANNOTATION, jobName, MANAGED_BY, MANAGED_BY_LABEL, podName } from './pods.js';
import { type KubernetesRuntime, type KubernetesRuntimeOptions, recordFinalMetrics, startKubernetesRuntime } from './runtime.js';
import { type FakeCluster, startFakeCluster } from './test-support/cluster.js';

const NODES = ['n1', 'n2', 'n3'];
const noAssets = { current: { assets: new Map() } as unknown as AssetsState };

let cluster: FakeCluster;
let kube: Kube;
let store: InMemoryEventStore;
let engine: Engine;
const runtimes: KubernetesRuntime[] = [];
let errors: unknown[];

beforeEach(async () => {
  cluster = await startFakeCluster({ nodes: NODES.map((name) => ({ name, gpus: 4 })) });
  kube = connect({ kubeconfig: cluster.kubeconfigPath, rateLimit: { qps: 5000, burst: 5000 } });
  store = new InMemoryEventStore();
  engine = await createEngine({ store });
  const setup: Command[] = [
    install(),
    ...NODES.map((n) => registerNode(n, 4)),
    createPool('p', 'A100'),
    allocate('p', 4 * NODES.length),
    createGroup('g'),
    assignPool('g', 'p'),
    onboard('u', { groupId: 'g' }),
  ];
  const r = await engine.executeBatch(setup);
  expect(r.outcomes.filter((o) => !o.ok)).toEqual([]);
  errors = [];
});

afterEach(async () => {
  for (const r of runtimes.splice(0)) {
    await r.stop();
    await r.idle(); // its deletes in flight land before the cluster goes
  }
  expect(errors.map(String)).toEqual([]);
  await cluster.close();
});

async function start(options: KubernetesRuntimeOptions = {}): Promise<KubernetesRuntime> {
  const sink = errors; // this test's: a runtime outliving it reports into its own
  const runtime = startKubernetesRuntime(engine, noAssets, store, kube, {
    imagePullTimeoutMs: 300,
    onError: (e) => sink.push(e),
    listWatch: { initialBackoffMs: 20, maxBackoffMs: 200 },
    ...options,
  });
  runtimes.push(runtime);
  await runtime.synced;
  return runtime;
}

async function submit(jobId: string, gpus: number, annotations: Record<string, string> = {}, extra: Partial<Command> = {}) {
  const o = await engine.execute({
    type: 'SubmitJob',
    jobId,
    kind: 'training',
    owner: 'u',
    gpus,
    spec: { image: 'busybox:1.36', annotations },
    ...extra,
  } as Command);
  if (!o.ok) throw new Error(o.rejection.message);
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const statusOf = (jobId: string): JobStatus | undefined => engine.job(jobId)?.status;
const untilStatus = (jobId: string, status: JobStatus, timeoutMs?: number) =>
  until(`${jobId} ${status} (is ${statusOf(jobId)})`, () => statusOf(jobId) === status, timeoutMs);

const pods = (): V1Pod[] =>
  cluster.api.list('pods', { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` }) as unknown as V1Pod[];
const podsOf = (jobId: string) => pods().filter((p) => p.metadata?.annotations?.[JOB_ID_ANNOTATION] === jobId);

/** How many events of each type the store holds for `jobId`. */
async function eventCounts(jobId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const e of await store.read('cluster')) {
    if ((e.data as { jobId?: string }).jobId === jobId) counts[e.type] = (counts[e.type] ?? 0) + 1;
  }
  return counts;
}

describe('a single job', () => {
  it('gets a pod on its allocated node, starts, completes, and its pod is deleted', async () => {
    const created: string[] = [];
    await start({ onPodCreated: (jobId) => created.push(jobId) });
    await submit('j1', 2, { 'sim.gpupool.io/run-for-ms': '150' });
    const node = engine.job('j1')?.allocation?.nodes[0];
    await until('the pod', () => podsOf('j1').length === 1);
    const pod = podsOf('j1')[0] as V1Pod;
    expect(pod.metadata?.name).toBe(podName('j1', 0));
    expect(pod.spec?.nodeName).toBe(node);
    expect(pod.spec?.containers[0]?.resources?.limits).toEqual({ 'nvidia.com/gpu': '2' });
    await untilStatus('j1', 'Training');
    await untilStatus('j1', 'Complete');
    await until('the pod deleted', () => podsOf('j1').length === 0);
    expect(created).toEqual(['j1']);
    expect(await eventCounts('j1')).toMatchObject({ JobAllocated: 1, JobStarted: 1, JobCompleted: 1 });
    expect(errors).toEqual([]);
  });

  it('records the final metrics its termination message carries before it completes', async () => {
    await start();
    await submit('m1', 1);
    await untilStatus('m1', 'Training');
    const pod = podsOf('m1')[0] as unknown as { status: Record<string, unknown>; metadata: Record<string, unknown> };
    cluster.api.update(
      {
        ...pod,
        status: {
          ...pod.status,
          phase: 'Succeeded',
          containerStatuses: [
            {
              name: 'main',
              image: 'busybox:1.36',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: {
                terminated: {
                  exitCode: 0,
                  reason: 'Completed',
                  message: '{"metrics":{"loss":0.25}}',
                  finishedAt: new Date().toISOString(),
                },
              },
            },
          ],
        },
      } as never,
      { subresource: 'status' },
    );
    await untilStatus('m1', 'Complete');
    const metrics = await store.read(metricsStream('m1'));
    expect(metrics.map((e) => (e.data as { points: unknown[] }).points)).toEqual([
      [expect.objectContaining({ name: 'loss', value: 0.25, step: 0 })],
    ]);
  });
});

it('final metrics are recorded once, each at the step after the metric’s last', async () => {
  const stream = metricsStream('fm');
  await store.append(
    stream,
    [
      {
        id: 'e1',
        type: 'MetricsReported',
        data: { type: 'MetricsReported', v: 1, at: 1, jobId: 'fm', points: [{ name: 'loss', value: 0.9, step: 3, at: 1 }] },
      },
    ],
    'no_stream',
  );
  await recordFinalMetrics(store, 'fm', { loss: 0.1, acc: 0.8 }, 10);
  await recordFinalMetrics(store, 'fm', { loss: 0.1, acc: 0.8 }, 11);
  const points = (await store.read(stream)).map((e) => (e.data as { points: unknown[] }).points);
  expect(points).toEqual([
    [{ name: 'loss', value: 0.9, step: 3, at: 1 }],
    [
      { name: 'loss', value: 0.1, step: 4, at: 10 },
      { name: 'acc', value: 0.8, step: 0, at: 10 },
    ],
  ]);
});

describe('failures', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['an exit code', { 'sim.gpupool.io/exit-code': '3' }, 'Error', /exit code 3/],
    ['OOMKilled', { 'sim.gpupool.io/fail-reason': 'OOMKilled' }, 'OOMKilled', /out of memory/],
    ['Evicted', { 'sim.gpupool.io/fail-reason': 'Evicted' }, 'Evicted', /evicted/],
    [
      'ImagePullBackOff after the timeout',
      { 'sim.gpupool.io/fail-reason': 'ImagePullBackOff' },
      'ImagePullBackOff',
      /ImagePullBackOff/,
    ],
  ];
  it.each(cases)('%s', async (_, annotations, reason, message) => {
    await start();
    await submit('f1', 1, annotations);
    await untilStatus('f1', 'Error');
    expect(engine.job('f1')?.failure).toMatchObject({ reason, message: expect.stringMatching(message) });
    await until('the pod deleted', () => podsOf('f1').length === 0);
    expect(await eventCounts('f1')).toMatchObject({ JobFailed: 1 });
  });

  it('a job without an image fails with the reason', async () => {
    await start();
    await submit('noimg', 1, {}, { spec: {} } as Partial<Command>);
    await untilStatus('noimg', 'Error');
    expect(engine.job('noimg')?.failure?.reason).toBe('NoImage');
    expect(podsOf('noimg')).toEqual([]);
  });

  it('a pod deleted by someone else fails its job PodDeleted', async () => {
    await start();
    await submit('d1', 1);
    await untilStatus('d1', 'Training');
    cluster.api.delete('pods', 'default', podName('d1', 0));
    await untilStatus('d1', 'Error');
    expect(engine.job('d1')?.failure?.reason).toBe('PodDeleted');
    expect(await eventCounts('d1')).toMatchObject({ JobFailed: 1 });
  });
});

it('a stop deletes the pods, and releases the GPUs once they are gone', async () => {
  await start();
  await submit('s1', 1);
  await untilStatus('s1', 'Training');
  expect((await engine.execute({ type: 'StopJob', jobId: 's1' })).ok).toBe(true);
  expect(statusOf('s1')).toBe('Stopping');
  await untilStatus('s1', 'Stopped');
  expect(podsOf('s1')).toEqual([]);
  expect(await eventCounts('s1')).toMatchObject({ JobStopRequested: 1, JobStopped: 1 });
});

it('a stop while the job starts deletes its pods and Service, then releases; one that comes first makes none', async () => {
  await start();
  await submit('s2', 4, { 'sim.gpupool.io/start-after-ms': '300' }, { workers: 2 } as Partial<Command>);
  await until('the pods', () => podsOf('s2').length === 2);
  expect(statusOf('s2')).toBe('Starting');
  expect((await engine.execute({ type: 'StopJob', jobId: 's2' })).ok).toBe(true);
  await untilStatus('s2', 'Stopped');
  await until(
    'no pods nor Service left',
    () => podsOf('s2').length === 0 && cluster.api.list('services').every((s) => s.metadata.name !== jobName('s2')),
  );
  expect(await eventCounts('s2')).toMatchObject({ JobStopRequested: 1, JobStopped: 1 });
  expect((await eventCounts('s2')).JobStarted).toBeUndefined();

  await submit('s3', 1);
  expect((await engine.execute({ type: 'StopJob', jobId: 's3' })).ok).toBe(true);
  await untilStatus('s3', 'Stopped');
  expect(podsOf('s3')).toEqual([]);
});

it('several workers run on distinct allocated nodes with their rank, owned by the job’s Service', async () => {
  await start();
  await submit('mw', 8, { 'sim.gpupool.io/run-for-ms': '200' }, { workers: 2 } as Partial<Command>);
  const allocated = engine.job('mw')?.allocation?.nodes ?? [];
  await until('both pods', () => podsOf('mw').length === 2);
  const byRank = podsOf('mw').sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  expect(byRank.map((p) => p.spec?.nodeName)).toEqual(allocated);
  expect(new Set(allocated).size).toBe(2);
  byRank.forEach((p, rank) => {
    const env = Object.fromEntries((p.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ RANK: String(rank), WORLD_SIZE: '2' });
    expect(p.metadata?.ownerReferences?.[0]?.name).toBe(jobName('mw'));
  });
  await untilStatus('mw', 'Complete');
  await until(
    'the Service and pods deleted',
    () => podsOf('mw').length === 0 && cluster.api.list('services').every((s) => s.metadata.name !== jobName('mw')),
  );
  expect(await eventCounts('mw')).toMatchObject({ JobStarted: 1, JobCompleted: 1 });
});

it('a restart while jobs run loses and repeats nothing', async () => {
  const first = await start();
  await submit('r-run', 1); // runs until stopped
  await submit('r-done', 1, { 'sim.gpupool.io/run-for-ms': '300' });
  await submit('r-stop', 1);
  await untilStatus('r-run', 'Training');
  await untilStatus('r-done', 'Training');
  await untilStatus('r-stop', 'Training');
  await first.stop();
  runtimes.splice(runtimes.indexOf(first), 1);
  // While no runtime runs: one job finishes, one is asked to stop, one job is allocated.
  expect((await engine.execute({ type: 'StopJob', jobId: 'r-stop' })).ok).toBe(true);
  await submit('r-new', 1, { 'sim.gpupool.io/run-for-ms': '100' });
  await until('r-done finished on Kubernetes', () => podsOf('r-done')[0]?.status?.phase === 'Succeeded');
  expect(podsOf('r-new')).toEqual([]);

  const second = await start();
  await untilStatus('r-done', 'Complete');
  await untilStatus('r-new', 'Complete');
  await untilStatus('r-stop', 'Stopped');
  expect(statusOf('r-run')).toBe('Training');
  // A third runtime (another server, or the same restarted) sends the same reports, answered as duplicates.
  await second.stop();
  runtimes.splice(runtimes.indexOf(second), 1);
  const third = await start();
  await third.idle();
  expect(await eventCounts('r-run')).toEqual({ JobSubmitted: 1, JobAllocated: 1, JobStarted: 1 });
  expect(await eventCounts('r-done')).toMatchObject({ JobStarted: 1, JobCompleted: 1 });
  expect(await eventCounts('r-new')).toMatchObject({ JobAllocated: 1, JobStarted: 1, JobCompleted: 1 });
  expect(await eventCounts('r-stop')).toMatchObject({ JobStopRequested: 1, JobStopped: 1 });
  expect(podsOf('r-run')).toHaveLength(1);
});

it('a running job whose pods vanished while no runtime ran fails PodDeleted on restart', async () => {
  const first = await start();
  await submit('gone', 1);
  await untilStatus('gone', 'Training');
  await first.stop();
  runtimes.splice(runtimes.indexOf(first), 1);
  cluster.api.delete('pods', 'default', podName('gone', 0), { gracePeriodSeconds: 0 });
  await until('the pod gone', () => podsOf('gone').length === 0);
  await start();
  await untilStatus('gone', 'Error');
  expect(engine.job('gone')?.failure?.reason).toBe('PodDeleted');
});

it('a notebook is reported started with its Service’s endpoint', async () => {
  await start();
  await submit('nb', 1, {}, { kind: 'notebook' } as Partial<Command>);
  await untilStatus('nb', 'Running');
  expect(engine.job('nb')?.endpoint).toBe(`http://${jobName('nb')}.default.svc:8888/lab`);
  expect(cluster.api.get('services', 'default', jobName('nb'))?.spec).toMatchObject({ type: 'ClusterIP' });
  expect(podsOf('nb')[0]?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Service', name: jobName('nb') });
});

it('an immediate job sharing busy GPUs runs time-sliced: no GPU limit, its devices by index', async () => {
  await start();
  for (const i of NODES.keys()) await submit(`full-${i}`, 4);
  for (const i of NODES.keys()) await untilStatus(`full-${i}`, 'Training');
  await submit('imm', 2, {}, { immediate: true } as Partial<Command>);
  const allocation = engine.job('imm')?.allocation;
  expect(allocation?.shared.length).toBeGreaterThan(0);
  await untilStatus('imm', 'Training');
  const pod = podsOf('imm')[0] as V1Pod;
  expect(pod.spec?.containers[0]?.resources).toBeUndefined();
  const env = Object.fromEntries((pod.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
  expect(env.NVIDIA_VISIBLE_DEVICES).toBe(allocation?.devices.map((d) => d.split('/')[1]).join(','));
});

it('two runtimes on one engine report each job once', async () => {
  await start();
  await start();
  await submit('two', 1, { 'sim.gpupool.io/run-for-ms': '100' });
  await untilStatus('two', 'Complete');
  for (const r of runtimes) await r.idle();
  expect(await eventCounts('two')).toEqual({ JobSubmitted: 1, JobAllocated: 1, JobStarted: 1, JobCompleted: 1 });
});

it('leaves jobs made as Kubernetes Jobs to the Job admission', async () => {
  await start();
  await submit('kj', 1, {}, { spec: { kubernetesJob: { namespace: 'default', name: 'train-1' } } } as Partial<Command>);
  await submit('after', 1, { 'sim.gpupool.io/run-for-ms': '50' });
  await untilStatus('after', 'Complete');
  expect(statusOf('kj')).toBe('Starting');
  expect(podsOf('kj')).toEqual([]);
});

it('watches only the namespaces jobs go to when told, and creates there', async () => {
  await start({ namespaces: { g: 'ml' }, watchScope: 'namespaces' });
  await submit('ns1', 1, { 'sim.gpupool.io/run-for-ms': '100' });
  await untilStatus('ns1', 'Complete');
  expect(cluster.api.stats()['watch pods']).toBeGreaterThanOrEqual(2);
  expect(await eventCounts('ns1')).toMatchObject({ JobStarted: 1, JobCompleted: 1 });
});

it('a create the server fails is tried again; one it refuses fails the job PodRejected', async () => {
  await start();
  cluster.api.failNext(2, { status: 500, verb: 'create', path: '/pods' });
  await submit('retry', 1, { 'sim.gpupool.io/run-for-ms': '50' });
  await untilStatus('retry', 'Complete', 8_000);
  errors.length = 0; // the two 500s were reported
  cluster.api.failNext(1, {
    status: 422,
    reason: 'Invalid',
    message: 'spec.containers[0].image: Required value',
    verb: 'create',
    path: '/pods',
  });
  await submit('refused', 1);
  await untilStatus('refused', 'Error');
  expect(engine.job('refused')?.failure).toMatchObject({
    reason: 'PodRejected',
    message: expect.stringContaining('Required value'),
  });
});

it('deletes on its first sync the pods and Services of jobs the engine does not have', async () => {
  const labels = { [MANAGED_BY_LABEL]: MANAGED_BY, 'gpupool.io/worker': '0', 'gpupool.io/job': 'ghost-0000000000' };
  cluster.api.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'ghost-w0', namespace: 'default', labels, annotations: { [JOB_ID_ANNOTATION]: 'ghost' } },
    spec: { nodeName: 'n1', restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
  } as never);
  cluster.api.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'ghost', namespace: 'default', labels, annotations: { [JOB_ID_ANNOTATION]: 'ghost' } },
    spec: { clusterIP: 'None', selector: { 'gpupool.io/job': 'ghost-0000000000' } },
  } as never);
  cluster.api.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'not-ours', namespace: 'default' },
    spec: { nodeName: 'n1', containers: [{ name: 'main', image: 'busybox' }] },
  } as never);
  await start();
  await until('the stray pod deleted', () => podsOf('ghost').length === 0);
  await until('the stray Service deleted', () => cluster.api.list('services').every((s) => s.metadata.name !== 'ghost'));
  expect(cluster.api.get('pods', 'default', 'not-ours')).toBeDefined();
});

describe("metrics collected from a job's output", () => {
  const pointsOf = async (jobId: string) =>
    (await store.read(metricsStream(jobId))).flatMap((e) =>
      (e.data as { points: { name: string; value: number; step: number }[] }).points.map(({ name, value, step }) => ({
        name,
        value,
        step,
      })),
    );

  it("reads a sidecar's log, not the primary's, and gives the pod the sidecar only for such a job", async () => {
    await start({
      collectMetrics: (job) =>
        job.id === 'sc'
          ? {
              from: 'sidecar',
              sidecar: { kind: 'file', path: '/out/metrics.txt' },
              parse: (log) => [...log.matchAll(/loss=([\d.]+)/g)].map((m) => ({ name: 'loss', value: Number(m[1]) })),
            }
          : null,
    });
    await submit('sc', 1, {
      'sim.gpupool.io/run-for-ms': '100',
      'sim.gpupool.io/log': 'loss=9',
      'sim.gpupool.io/files': JSON.stringify({ '/out/metrics.txt': 'loss=0.5\nloss=0.25\n' }),
    });
    await submit('plain', 1, { 'sim.gpupool.io/run-for-ms': '100' });
    await until('both pods', () => podsOf('sc').length === 1 && podsOf('plain').length === 1);
    expect(podsOf('sc')[0]?.spec?.containers.map((c) => c.name)).toEqual(['main', 'metrics-collector']);
    expect(podsOf('plain')[0]?.spec?.containers.map((c) => c.name)).toEqual(['main']);
    await untilStatus('sc', 'Complete');
    expect(await pointsOf('sc')).toEqual([
      { name: 'loss', value: 0.5, step: 0 },
      { name: 'loss', value: 0.25, step: 1 },
    ]);
  });

  it('scrapes a running pod through the pod proxy, through failed scrapes, keeping only changed values', async () => {
    await start({
      metricsScrapeIntervalMs: 20,
      collectMetrics: () => ({
        from: 'prometheus',
        port: 9100,
        path: '/metrics',
        parse: (text, at) => [...text.matchAll(/^loss ([\d.]+)$/gm)].map((m) => ({ name: 'loss', value: Number(m[1]), at })),
      }),
    });
    // The first scrapes find nothing listening yet.
    cluster.api.failNext(2, { status: 503, path: '/proxy' });
    await submit('prom', 1, {
      'sim.gpupool.io/run-for-ms': '1000',
      'sim.gpupool.io/http': JSON.stringify({ '9100/metrics': 'loss 0.5\n' }),
    });
    await until('the pod running', () => podsOf('prom')[0]?.status?.phase === 'Running');
    const name = podsOf('prom')[0]?.metadata?.name as string;
    const scrapes = () => cluster.api.stats()['get pods/proxy'] ?? 0;
    await until('scrapes of 0.5', () => scrapes() >= 5);
    cluster.api.setPodHttp('default', name, new Map([['9100/metrics', 'loss 0.25\n']]));
    const now = scrapes();
    await until('scrapes of 0.25', () => scrapes() >= now + 3);
    await untilStatus('prom', 'Complete');
    expect(await pointsOf('prom')).toEqual([
      { name: 'loss', value: 0.5, step: 0 },
      { name: 'loss', value: 0.25, step: 1 },
    ]);
    const after = scrapes();
    await new Promise((r) => setTimeout(r, 100));
    expect(scrapes()).toBe(after); // no scrape after the job ended
  });
});

describe('pipeline steps', () => {
  it("hands over the outputs collector's log before the step is reported completed", async () => {
    const handed: { jobId: string; log: string; status: JobStatus | undefined }[] = [];
    await start({
      recordStepOutputs: async (job, log) => {
        handed.push({ jobId: job.id, log, status: statusOf(job.id) });
      },
    });
    const outputs = {
      outputParameters: { Output: { outputFile: '/tmp/kfp/outputs/Output' } },
      outputArtifacts: {},
      outputMetadataFile: '/tmp/kfp_outputs/output_metadata.json',
    };
    const files = JSON.stringify({ '/tmp/kfp/outputs/Output': 'heads' });
    await submit('step', 0, {}, {
      kind: 'pipeline-step',
      spec: {
        image: 'python:3.11',
        annotations: { 'sim.gpupool.io/run-for-ms': '50', 'sim.gpupool.io/files': files },
        outputs,
      },
    } as Partial<Command>);
    await untilStatus('step', 'Complete');
    expect(handed).toHaveLength(1);
    expect(handed[0]?.jobId).toBe('step');
    // Handed over while the job still ran: whoever reads its outputs once it is complete finds them.
    expect(handed[0]?.status).toBe('Running');
    expect(readFileDump(handed[0]?.log ?? '').files.map((f) => [f.path, Buffer.from(f.bytes).toString('utf8')])).toEqual([
      ['/tmp/kfp/outputs/Output', 'heads'],
    ]);
    // A step without outputs has no collector, and nothing is handed over.
    await submit('bare', 0, {}, {
      kind: 'pipeline-step',
      spec: { image: 'python:3.11', annotations: { 'sim.gpupool.io/run-for-ms': '50' } },
    } as Partial<Command>);
    await untilStatus('bare', 'Complete');
    expect(handed).toHaveLength(1);
  });
});

describe('logs (logs.ts)', () => {
  it('a worker’s log is its pod’s, whole or its last lines, in the group’s namespace; gone once the pod is deleted', async () => {
    cluster.api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-g' } });
    const placement = { namespaces: { g: 'team-g' } };
    await start(placement);
    const logs = kubernetesJobLogs(kube, placement);
    await submit('talky', 1, { 'sim.gpupool.io/log': 'epoch 1\nepoch 2\nepoch 3\n', 'sim.gpupool.io/run-for-ms': '400' });
    await untilStatus('talky', 'Training');
    const job = engine.job('talky');
    if (!job) throw new Error('no job');
    expect(podsOf('talky')[0]?.metadata?.namespace).toBe('team-g');
    await until('the log', () => cluster.api.podLog('team-g', podName('talky', 0), 'main') !== '');
    const all = 1024;
    expect(await logs.read(job, { worker: 0, tailLines: null, limitBytes: all })).toEqual({
      ok: true,
      text: 'epoch 1\nepoch 2\nepoch 3\n',
      truncated: false,
    });
    expect(await logs.read(job, { worker: 0, tailLines: 2, limitBytes: all })).toEqual({
      ok: true,
      text: 'epoch 2\nepoch 3\n',
      truncated: false,
    });
    // At most limitBytes, from the first of the lines: cut, and said to be.
    expect(await logs.read(job, { worker: 0, tailLines: 2, limitBytes: 10 })).toEqual({
      ok: true,
      text: 'epoch 2\nep',
      truncated: true,
    });
    await untilStatus('talky', 'Complete');
    await until('the pod deleted', () => podsOf('talky').length === 0);
    expect(await logs.read(job, { worker: 0, tailLines: null, limitBytes: all })).toEqual({
      ok: false,
      gone: true,
      message: `pod team-g/${podName('talky', 0)} is not there (deleted once its job ended, or not made yet): its log is gone with it`,
    });
  });
});
