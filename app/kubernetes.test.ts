/**
 * `gpupool serve --kubernetes` end to end: the server on a SQLite file, talking to a Kubernetes
 * API server over HTTP, the client a data scientist's fetch. By default the cluster is the fake
 * API server with its kubelet simulator (adapters/k8s/test-support); with
 * `GPUPOOL_E2E_KUBECONFIG` naming a real cluster's kubeconfig (kind, k3s) the scenarios that do
 * not need to control nodes run against it (see `realCluster` below).
 *
 * - The README's first job, with pods: the nodes come from the cluster, a two-worker job's pods
 *   land on two distinct allocated nodes with their ranks, a job that must wait starts when the
 *   first completes.
 * - A node lost (NotReady past its grace): the job on it fails, the node comes back.
 * - gpupool restarted while jobs run: no job lost, none reported twice, no pod made twice.
 * - Two replicas on one store: the holder of the Lease runs the runtime; when it goes, the other
 *   takes over and runs the next jobs.
 * - A Job made with kubectl waits behind gpupool's jobs and is admitted when they finish.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeCluster, kubectlAvailable, startFakeCluster } from '../adapters/k8s/test-support/cluster.js';
import { waitFor } from '../adapters/k8s/test-support/wait.js';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import { type Served, type ServeOptions, serve } from './serve.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-k8s-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `k8s-${++files}.db`);

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
type Json = any;

const NODES = ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4'];
const GPU_TYPE = 'A100-80GB';

let cluster: FakeCluster;
const running = new Set<Served>();

beforeEach(async () => {
  cluster = await startFakeCluster({ nodes: NODES.map((name) => ({ name, gpus: 8, product: GPU_TYPE })) });
});

afterEach(async () => {
  await Promise.all([...running].map((s) => s.close()));
  running.clear();
  await cluster.close();
});

async function start(options: Partial<ServeOptions> & Pick<ServeOptions, 'store'>): Promise<Served> {
  const served = await serve({
    port: 0,
    leaderLeaseSeconds: 1,
    kubernetes: {
      kubeconfig: cluster.kubeconfigPath,
      leaseNamespace: 'default',
      notReadyGraceSeconds: 0.5,
      rateLimit: { qps: 1000, burst: 1000 },
    },
    ...options,
  });
  running.add(served);
  return served;
}

async function stop(served: Served): Promise<void> {
  await served.close();
  running.delete(served);
}

function client(url: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
}
type Client = ReturnType<typeof client>;

async function ok(call: Promise<{ status: number; body: Json }>, status: number): Promise<Json> {
  const r = await call;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}

/** The README's walkthrough: pool a100 of `gpus` GPUs for group nlp, data scientist nina; her token. */
async function walkthrough(op: Client, gpus = 16): Promise<string> {
  await waitFor(async () => (await op('GET', '/api/v1/nodes')).body?.length === NODES.length, {
    message: 'the cluster nodes registered',
  });
  await ok(op('POST', '/api/v1/pools', { poolId: 'a100', name: 'a100', gpuType: GPU_TYPE }), 201);
  await ok(op('POST', '/api/v1/pools/a100/allocations', { count: gpus }), 200);
  await ok(op('POST', '/api/v1/groups', { groupId: 'nlp', name: 'NLP' }), 201);
  await ok(op('PUT', '/api/v1/groups/nlp/pool', { poolId: 'a100' }), 200);
  await ok(op('POST', '/api/v1/users', { userId: 'nina', name: 'Nina', role: 'data-scientist', groupId: 'nlp' }), 201);
  const { token } = await ok(op('POST', '/api/v1/users/nina/tokens', { label: 'e2e' }), 201);
  return token;
}

/** A training job whose pods run `runMs` (the simulator's annotation; on a real cluster, the command). */
const training = (jobId: string, gpus: number, runMs: number, extra: Json = {}) => ({
  jobId,
  kind: 'training',
  gpus,
  spec: {
    image: 'busybox:1.36',
    command: ['sh', '-c', `sleep ${Math.ceil(runMs / 1000)}`],
    annotations: { 'sim.gpupool.io/run-for-ms': String(runMs) },
  },
  ...extra,
});

const status = async (c: Client, jobId: string) =>
  (await ok(c('GET', `/api/v1/jobs/${encodeURIComponent(jobId)}`), 200)).status as string;
const until = (c: Client, jobId: string, want: string, timeoutMs = 8000) =>
  waitFor(async () => (await status(c, jobId)) === want, { timeoutMs, message: `${jobId} ${want}` });

/** gpupool's pods in the fake, by job id annotation. */
const podsOf = (jobId: string) =>
  cluster.api.list('pods', {}).filter((p: Json) => p.metadata?.annotations?.['gpupool.io/job-id'] === jobId);

/** How many events of `type` the store holds for `jobId`. */
async function countEvents(file: string, type: string, jobId: string): Promise<number> {
  const store = new SqliteEventStore(file);
  try {
    return (await store.read('cluster')).filter((r) => r.type === type && (r.data as { jobId?: string }).jobId === jobId).length;
  } finally {
    await store.close();
  }
}

describe('gpupool serve --kubernetes, on the fake cluster', () => {
  it("runs the README's first job as pods: two workers on two allocated nodes, then the job that waited", async () => {
    const served = await start({ store: freshFile() });
    const op = client(served.url, served.bootstrapToken?.token as string);
    const nina = client(served.url, await walkthrough(op));
    await ok(nina('POST', '/api/v1/jobs', training('bert', 16, 600, { workers: 2 })), 201);
    await ok(nina('POST', '/api/v1/jobs', training('gpt', 8, 200)), 201);
    expect((await ok(nina('GET', '/api/v1/jobs/gpt/explain'), 200)).reason.code).toBe('not-enough-free-gpus');

    await until(nina, 'bert', 'Training');
    const job = await ok(nina('GET', '/api/v1/jobs/bert'), 200);
    const pods = podsOf('nlp/bert');
    expect(pods).toHaveLength(2);
    const nodes = pods.map((p: Json) => p.spec.nodeName).sort();
    expect(new Set(nodes).size).toBe(2);
    expect(nodes).toEqual([...job.allocation.nodes].sort());
    for (const p of pods) {
      expect(p.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('8');
      const env = Object.fromEntries(p.spec.containers[0].env.map((e: Json) => [e.name, e.value]));
      expect(env.WORLD_SIZE).toBe('2');
      expect(['0', '1']).toContain(env.RANK);
    }
    await until(nina, 'bert', 'Complete');
    await until(nina, 'gpt', 'Complete');
    expect(podsOf('nlp/gpt')).toHaveLength(1);
  });

  it('loses a node that stays NotReady past its grace (its job fails) and registers it when it is back', async () => {
    const served = await start({ store: freshFile() });
    const op = client(served.url, served.bootstrapToken?.token as string);
    const nina = client(served.url, await walkthrough(op, 8));
    await ok(nina('POST', '/api/v1/jobs', training('long', 8, 60_000)), 201);
    await until(nina, 'long', 'Training');
    const [node] = (await ok(nina('GET', '/api/v1/jobs/long'), 200)).allocation.nodes;
    cluster.kubelet.setReady(node, false);
    await until(nina, 'long', 'Error');
    expect((await ok(nina('GET', '/api/v1/jobs/long'), 200)).failure?.reason ?? '').toBe('NodeLost');
    const lost = async () => (await ok(op('GET', '/api/v1/nodes'), 200)).find((n: Json) => n.id === node);
    expect((await lost()).lost).toBe(true);
    cluster.kubelet.setReady(node, true);
    await waitFor(async () => (await lost()).lost === false, { message: `${node} registered again` });
  });

  it('a restart while jobs run loses none, reports none twice and makes no pod twice', async () => {
    const file = freshFile();
    const first = await start({ store: file });
    const op = client(first.url, first.bootstrapToken?.token as string);
    const token = await walkthrough(op);
    const nina = client(first.url, token);
    await ok(nina('POST', '/api/v1/jobs', training('a', 8, 1500)), 201);
    await ok(nina('POST', '/api/v1/jobs', training('b', 8, 1500)), 201);
    await until(nina, 'a', 'Training');
    await until(nina, 'b', 'Training');
    await stop(first);

    const second = await start({ store: file });
    const again = client(second.url, token);
    await until(again, 'a', 'Complete');
    await until(again, 'b', 'Complete');
    await stop(second);
    for (const jobId of ['nlp/a', 'nlp/b']) {
      expect(await countEvents(file, 'JobStarted', jobId)).toBe(1);
      expect(await countEvents(file, 'JobCompleted', jobId)).toBe(1);
      expect(podsOf(jobId).length).toBeLessThanOrEqual(1);
    }
  });
});

describe.skipIf(!kubectlAvailable())('gpupool serve --kubernetes with kubectl', () => {
  it('a suspended Job made with kubectl waits behind the pool’s jobs, then is admitted on the allocated node and completes', async () => {
    const served = await start({ store: freshFile() });
    const op = client(served.url, served.bootstrapToken?.token as string);
    const nina = client(served.url, await walkthrough(op, 8));
    await ok(nina('POST', '/api/v1/jobs', training('first', 8, 800)), 201);
    await until(nina, 'first', 'Training');
    const job = [
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata:',
      '  name: train-1',
      '  labels: { gpupool.io/group: nlp }',
      'spec:',
      '  suspend: true',
      '  parallelism: 1',
      '  completions: 1',
      '  backoffLimit: 0',
      '  template:',
      "    metadata: { annotations: { sim.gpupool.io/run-for-ms: '200' } }",
      '    spec:',
      '      restartPolicy: Never',
      '      containers:',
      '        - name: main',
      '          image: busybox:1.36',
      "          command: ['sh', '-c', 'sleep 1']",
      "          resources: { limits: { nvidia.com/gpu: '8' } }",
      '',
    ].join('\n');
    const created = await cluster.kubectl(['create', '--validate=false', '-f', '-'], { input: job });
    expect(created.code, created.stderr).toBe(0);
    // It waits in nlp's queue, behind 'first', with the same reasons gpupool's jobs give.
    const waiting = await waitFor(
      async () => {
        const jobs: Json[] = await ok(op('GET', '/api/v1/jobs?group=nlp'), 200);
        return jobs.find((j: Json) => j.status === 'WaitingForGPUs' && j.id !== 'nlp/first');
      },
      { message: 'the kubectl Job queued in gpupool' },
    );
    expect(waiting.reason.code).toBe('not-enough-free-gpus');
    expect(cluster.api.get('jobs', 'default', 'train-1')?.spec?.suspend).toBe(true);
    await until(nina, 'first', 'Complete');
    await until(op, waiting.id, 'Complete');
    expect(cluster.api.get('jobs', 'default', 'train-1')?.spec?.suspend).toBe(false);
    const [allocated] = (await ok(op('GET', `/api/v1/jobs/${encodeURIComponent(waiting.id)}`), 200)).allocation.nodes;
    const pods = cluster.api
      .list('pods', {})
      .filter((p: Json) => p.metadata?.labels?.['batch.kubernetes.io/job-name'] === 'train-1');
    expect(pods.map((p: Json) => p.spec.nodeName)).toEqual([allocated]);
  });
});

describe('gpupool serve --kubernetes, two replicas', () => {
  it('only the Lease holder runs the runtime; when it goes, the other takes over and runs the next job', async () => {
    const file = freshFile();
    const a = await start({ store: file });
    const b = await start({ store: file });
    await waitFor(() => a.leading !== b.leading, { message: 'one leader' });
    const [leader, other] = a.leading ? [a, b] : [b, a];
    const op = client(leader.url, (a.bootstrapToken ?? b.bootstrapToken)?.token as string);
    const token = await walkthrough(op, 8);
    const nina = client(leader.url, token);
    await ok(nina('POST', '/api/v1/jobs', training('before', 8, 200)), 201);
    await until(nina, 'before', 'Complete');
    const lease = cluster.api.get('leases', 'default', 'gpupool-runtime');
    expect(lease?.spec?.holderIdentity).toBeTruthy();
    await stop(leader);
    await waitFor(() => other.leading, { timeoutMs: 5000, message: 'the other replica leads' });
    const survivor = client(other.url, token);
    await ok(survivor('POST', '/api/v1/jobs', training('after', 8, 200)), 201);
    await until(survivor, 'after', 'Complete');
    expect(podsOf('nlp/after')).toHaveLength(1);
    expect(cluster.api.get('leases', 'default', 'gpupool-runtime')?.spec?.holderIdentity).not.toBe(lease?.spec?.holderIdentity);
  });
});
