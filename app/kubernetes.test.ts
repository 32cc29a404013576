/**
 * `gpupool serve --kubernetes` end to end: the server on a SQLite file, talking to a Kubernetes
 * API server over HTTP, the client a data scientist's fetch, kubectl beside it.
 *
 * The cluster is the fake API server with its kubelet simulator (adapters/k8s/test-support), and,
 * when `GPUPOOL_E2E_KUBECONFIG` names a real cluster's kubeconfig (kind, k3s), the same scenarios
 * run against that too, except those that must control nodes (see `realCluster`).
 *
 * - The README's first job, with pods: the nodes come from the cluster, a two-worker job's pods
 *   land on two distinct allocated nodes with their ranks, a job that must wait starts when the
 *   first completes.
 * - A node lost (NotReady past its grace): the job on it fails, the node comes back; a node
 *   cordoned with kubectl is cordoned in gpupool; a pod deleted with kubectl fails its job.
 * - gpupool restarted while jobs run: no job lost, none reported twice, no pod made twice.
 * - Two replicas on one store: the holder of the Lease runs the runtime; when it goes, the other
 *   takes over and runs the next jobs.
 * - A Job made with kubectl waits behind gpupool's jobs and is admitted when they finish.
 * - `kubectl apply -f deploy/` is accepted.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { connect, isNotFound, type Kube } from '../adapters/k8s/kube.js';
import { JOB_ID_ANNOTATION } from '../adapters/k8s/pods.js';
import {
  type CommandResult,
  type FakeCluster,
  kubectlAvailable,
  startFakeCluster,
} from '../adapters/k8s/test-support/cluster.js';
import { waitFor } from '../adapters/k8s/test-support/wait.js';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import { type Served, type ServeOptions, serve } from './serve.js';

const DEPLOY = fileURLToPath(new URL('../deploy/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gpupool-k8s-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `k8s-${++files}.db`);

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
type Json = any;

/** Where the scenarios run: the fake cluster, or a real one. */
interface Target {
  readonly kubeconfig: string;
  /** Where the jobs' pods and the kubectl Jobs go. */
  readonly namespace: string;
  readonly gpuResource: string;
  /** Whether tests may make nodes NotReady (only the simulator can). */
  readonly fake: FakeCluster | undefined;
  readonly kube: Kube;
  kubectl(args: string[], input?: string): Promise<CommandResult>;
  close(): Promise<void>;
}

const FAKE_NODES = ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4'];

async function fakeTarget(): Promise<Target> {
  const fake = await startFakeCluster({ nodes: FAKE_NODES.map((name) => ({ name, gpus: 8, product: 'A100-80GB' })) });
  return {
    kubeconfig: fake.kubeconfigPath,
    namespace: 'default',
    gpuResource: 'nvidia.com/gpu',
    fake,
    kube: connect({ kubeconfig: fake.kubeconfigPath, rateLimit: { qps: 1000, burst: 1000 } }),
    kubectl: (args, input) => fake.kubectl(args, input === undefined ? {} : { input }),
    close: () => fake.close(),
  };
}

/**
 * A real cluster (GPUPOOL_E2E_KUBECONFIG): the scenarios run in a namespace of their own, deleted
 * after. A cluster without GPUs can advertise an extended resource on its nodes and name it in
 * GPUPOOL_E2E_GPU_RESOURCE (docs/kubernetes.md).
 */
const REAL = process.env.GPUPOOL_E2E_KUBECONFIG;
async function realTarget(kubeconfig: string): Promise<Target> {
  const kube = connect({ kubeconfig });
  const namespace = `gpupool-e2e-${randomUUID().slice(0, 8)}`;
  await kube.core.createNamespace({ body: { metadata: { name: namespace } } });
  const kubectl = (args: string[], input?: string) =>
    new Promise<CommandResult>((resolve, reject) => {
      const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  return {
    kubeconfig,
    namespace,
    gpuResource: process.env.GPUPOOL_E2E_GPU_RESOURCE ?? 'nvidia.com/gpu',
    fake: undefined,
    kube,
    kubectl,
    close: async () => {
      await kube.core.deleteNamespace({ name: namespace }).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
      await kube.coordination.deleteNamespacedLease({ name: 'gpupool-runtime', namespace }).catch(() => {});
    },
  };
}

const targets: [string, () => Promise<Target>][] = [['the fake cluster', fakeTarget]];
if (REAL) targets.push([`the real cluster of ${REAL}`, () => realTarget(REAL)]);

describe.skipIf(Boolean(REAL))('gpupool serve --kubernetes on a real cluster: skipped', () => {
  it.skip('set GPUPOOL_E2E_KUBECONFIG to a kind or k3s cluster to run these scenarios against it too', () => {});
});

describe.each(targets)('gpupool serve --kubernetes on %s', (_name, makeTarget) => {
  let target: Target;
  const running = new Set<Served>();

  beforeEach(async () => {
    target = await makeTarget();
  });

  afterEach(async () => {
    await Promise.all([...running].map((s) => s.close()));
    running.clear();
    await target.close();
  });

  async function start(options: Partial<ServeOptions> & Pick<ServeOptions, 'store'>): Promise<Served> {
    const served = await serve({
      port: 0,
      leaderLeaseSeconds: 1,
      kubernetes: {
        kubeconfig: target.kubeconfig,
        leaseNamespace: target.namespace,
        defaultNamespace: target.namespace,
        gpuResource: target.gpuResource,
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

  /** The cluster as gpupool registered it: its first GPU type, GPUs per node of it, and those nodes. */
  async function shape(op: Client) {
    const nodes: Json[] = await waitFor(
      async () => {
        const all: Json[] = (await op('GET', '/api/v1/nodes')).body ?? [];
        return (target.fake ? all.length === FAKE_NODES.length : all.length > 0) && all;
      },
      { timeoutMs: 10_000, message: 'the cluster nodes registered' },
    );
    const type = nodes[0].devices[0]?.gpuType as string;
    const ofType = nodes.filter((n) => n.devices.length > 0 && n.devices.every((d: Json) => d.gpuType === type));
    const perNode = Math.min(...ofType.map((n) => n.devices.length));
    return { type, perNode, nodes: ofType.length };
  }

  /** The README's walkthrough: pool a100 of `nodes` nodes' GPUs for group nlp and data scientist nina; her token. */
  async function walkthrough(op: Client, nodes: number): Promise<{ token: string; perNode: number; nodes: number }> {
    const s = await shape(op);
    const n = Math.min(nodes, s.nodes);
    await ok(op('POST', '/api/v1/pools', { poolId: 'a100', name: 'a100', gpuType: s.type }), 201);
    await ok(op('POST', '/api/v1/pools/a100/allocations', { count: n * s.perNode }), 200);
    await ok(op('POST', '/api/v1/groups', { groupId: 'nlp', name: 'NLP' }), 201);
    await ok(op('PUT', '/api/v1/groups/nlp/pool', { poolId: 'a100' }), 200);
    await ok(op('POST', '/api/v1/users', { userId: 'nina', name: 'Nina', role: 'data-scientist', groupId: 'nlp' }), 201);
    const { token } = await ok(op('POST', '/api/v1/users/nina/tokens', { label: 'e2e' }), 201);
    return { token, perNode: s.perNode, nodes: n };
  }

  /** gpupool's pods of a job. */
  async function podsOf(jobId: string): Promise<V1Pod[]> {
    const list = await target.kube.core.listNamespacedPod({ namespace: target.namespace });
    return list.items.filter((p) => p.metadata?.annotations?.[JOB_ID_ANNOTATION] === jobId);
  }

  it("runs the README's first job as pods: two workers on two allocated nodes, then the job that waited", async () => {
    const served = await start({ store: freshFile() });
    const op = client(served.url, served.bootstrapToken?.token as string);
    const { token, perNode, nodes } = await walkthrough(op, 2);
    const nina = client(served.url, token);
    const workers = Math.min(2, nodes);
    await ok(nina('POST', '/api/v1/jobs', training('bert', workers * perNode, 1000, { workers })), 201);
    await ok(nina('POST', '/api/v1/jobs', training('gpt', perNode, 500)), 201);
    expect((await ok(nina('GET', '/api/v1/jobs/gpt/explain'), 200)).reason.code).toBe('not-enough-free-gpus');

    await until(nina, 'bert', 'Training', 60_000);
    const job = await ok(nina('GET', '/api/v1/jobs/bert'), 200);
    const pods = await podsOf('nlp/bert');
    expect(pods).toHaveLength(workers);
    const onNodes = pods.map((p) => p.spec?.nodeName).sort();
    expect(new Set(onNodes).size).toBe(workers);
    expect(onNodes).toEqual([...job.allocation.nodes].sort());
    for (const p of pods) {
      const main = p.spec?.containers[0];
      expect(main?.resources?.limits?.[target.gpuResource]).toBe(String(perNode));
      const env = Object.fromEntries((main?.env ?? []).map((e) => [e.name, e.value]));
      expect(env.WORLD_SIZE).toBe(String(workers));
      expect(['0', '1']).toContain(env.RANK);
    }
    // A worker's log, its pod's, read through the API server.
    const logOf = () =>
      fetch(`${served.url}/api/v1/jobs/bert/logs?worker=${workers - 1}`, { headers: { authorization: `Bearer ${token}` } });
    const log = await logOf();
    expect(log.status, await log.clone().text()).toBe(200);
    expect(log.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    await until(nina, 'bert', 'Complete', 60_000);
    // Its pods deleted once it ended: the log went with them.
    await waitFor(async () => (await podsOf('nlp/bert')).length === 0, { timeoutMs: 30_000, message: 'bert’s pods deleted' });
    const gone = await logOf();
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { code: string }).code).toBe('logs-gone');
    await until(nina, 'gpt', 'Complete', 60_000);
  });

  it('a restart while jobs run loses none, reports none twice and makes no pod twice', async () => {
    const file = freshFile();
    const first = await start({ store: file });
    const op = client(first.url, first.bootstrapToken?.token as string);
    const { token, perNode } = await walkthrough(op, 2);
    const nina = client(first.url, token);
    await ok(nina('POST', '/api/v1/jobs', training('a', perNode, 2000)), 201);
    await ok(nina('POST', '/api/v1/jobs', training('b', perNode, 2000)), 201);
    await until(nina, 'a', 'Training', 60_000);
    await until(nina, 'b', 'Training', 60_000);
    await stop(first);

    const second = await start({ store: file });
    const again = client(second.url, token);
    await until(again, 'a', 'Complete', 60_000);
    await until(again, 'b', 'Complete', 60_000);
    await stop(second);
    for (const jobId of ['nlp/a', 'nlp/b']) {
      expect(await countEvents(file, 'JobStarted', jobId)).toBe(1);
      expect(await countEvents(file, 'JobCompleted', jobId)).toBe(1);
    }
    // One pod created per job, by the first server; the second adopted them.
    if (target.fake) expect(target.fake.api.stats()['create pods']).toBe(2);
  });

  it('only the Lease holder runs the runtime; when it goes, the other takes over and runs the next job', async () => {
    const file = freshFile();
    const a = await start({ store: file });
    const b = await start({ store: file });
    await waitFor(() => a.leading !== b.leading, { message: 'one leader' });
    const [leader, other] = a.leading ? [a, b] : [b, a];
    const op = client(leader.url, (a.bootstrapToken ?? b.bootstrapToken)?.token as string);
    const { token, perNode } = await walkthrough(op, 1);
    await ok(client(leader.url, token)('POST', '/api/v1/jobs', training('before', perNode, 500)), 201);
    await until(client(leader.url, token), 'before', 'Complete', 60_000);
    const lease = await target.kube.coordination.readNamespacedLease({ name: 'gpupool-runtime', namespace: target.namespace });
    expect(lease.spec?.holderIdentity).toBeTruthy();
    await stop(leader);
    await waitFor(() => other.leading, { timeoutMs: 5000, message: 'the other replica leads' });
    const survivor = client(other.url, token);
    await ok(survivor('POST', '/api/v1/jobs', training('after', perNode, 500)), 201);
    await until(survivor, 'after', 'Training', 60_000);
    expect(await podsOf('nlp/after')).toHaveLength(1);
    await until(survivor, 'after', 'Complete', 60_000);
    const now = await target.kube.coordination.readNamespacedLease({ name: 'gpupool-runtime', namespace: target.namespace });
    expect(now.spec?.holderIdentity).not.toBe(lease.spec?.holderIdentity);
  });

  it.skipIf(!kubectlAvailable())(
    'a suspended Job made with kubectl waits behind the pool’s jobs, then is admitted on the allocated node and completes',
    async () => {
      const served = await start({ store: freshFile() });
      const op = client(served.url, served.bootstrapToken?.token as string);
      const { token, perNode } = await walkthrough(op, 1);
      const nina = client(served.url, token);
      await ok(nina('POST', '/api/v1/jobs', training('first', perNode, 1500)), 201);
      await until(nina, 'first', 'Training', 60_000);
      const created = await target.kubectl(
        ['create', '--validate=false', '-n', target.namespace, '-f', '-'],
        suspendedJob('train-1', perNode, target.gpuResource),
      );
      expect(created.code, created.stderr).toBe(0);
      // It waits in nlp's queue, behind 'first', with the same reasons gpupool's jobs give.
      const waiting = await waitFor(
        async () => {
          const jobs: Json[] = await ok(op('GET', '/api/v1/jobs?group=nlp'), 200);
          return jobs.find((j) => j.status === 'WaitingForGPUs' && j.id !== 'nlp/first');
        },
        { timeoutMs: 10_000, message: 'the kubectl Job queued in gpupool' },
      );
      expect(waiting.reason.code).toBe('not-enough-free-gpus');
      const read = () => target.kube.batch.readNamespacedJob({ name: 'train-1', namespace: target.namespace });
      expect((await read()).spec?.suspend).toBe(true);
      await until(nina, 'first', 'Complete', 60_000);
      await until(op, waiting.id, 'Complete', 60_000);
      expect((await read()).spec?.suspend).toBe(false);
      const [allocated] = (await ok(op('GET', `/api/v1/jobs/${encodeURIComponent(waiting.id)}`), 200)).allocation.nodes;
      const pods = await target.kube.core.listNamespacedPod({
        namespace: target.namespace,
        labelSelector: 'batch.kubernetes.io/job-name=train-1',
      });
      expect(pods.items.map((p) => p.spec?.nodeName)).toEqual([allocated]);
    },
  );

  it.skipIf(!kubectlAvailable())(
    'kubectl: a cordon is seen by gpupool, and a pod deleted under a running job fails it',
    async () => {
      const served = await start({ store: freshFile() });
      const op = client(served.url, served.bootstrapToken?.token as string);
      const { token, perNode } = await walkthrough(op, 1);
      const nina = client(served.url, token);
      const nodes: Json[] = await ok(op('GET', '/api/v1/nodes'), 200);
      const node = nodes[nodes.length - 1].id as string;
      const cordoned = await target.kubectl(['cordon', node]);
      try {
        expect(cordoned.code, cordoned.stderr).toBe(0);
        await waitFor(async () => (await ok(op('GET', '/api/v1/nodes'), 200)).find((n: Json) => n.id === node)?.cordoned, {
          timeoutMs: 10_000,
          message: `${node} cordoned in gpupool`,
        });
      } finally {
        expect((await target.kubectl(['uncordon', node])).code).toBe(0);
      }
      await waitFor(
        async () => (await ok(op('GET', '/api/v1/nodes'), 200)).find((n: Json) => n.id === node)?.cordoned === false,
        {
          timeoutMs: 10_000,
          message: `${node} uncordoned in gpupool`,
        },
      );

      await ok(nina('POST', '/api/v1/jobs', training('victim', perNode, 600_000)), 201);
      await until(nina, 'victim', 'Training', 60_000);
      const [pod] = await podsOf('nlp/victim');
      const deleted = await target.kubectl([
        'delete',
        'pod',
        '-n',
        target.namespace,
        pod?.metadata?.name as string,
        '--wait=false',
      ]);
      expect(deleted.code, deleted.stderr).toBe(0);
      await until(nina, 'victim', 'Error', 60_000);
      expect((await ok(nina('GET', '/api/v1/jobs/victim'), 200)).failure.reason).toBe('PodDeleted');
    },
  );

  it('loses a node that stays NotReady past its grace (its job fails) and registers it when it is back', async (ctx) => {
    const fake = target.fake;
    if (!fake) return ctx.skip(); // only the simulator can make a node NotReady
    const served = await start({ store: freshFile() });
    const op = client(served.url, served.bootstrapToken?.token as string);
    const { token, perNode } = await walkthrough(op, 1);
    const nina = client(served.url, token);
    await ok(nina('POST', '/api/v1/jobs', training('long', perNode, 60_000)), 201);
    await until(nina, 'long', 'Training');
    const [node] = (await ok(nina('GET', '/api/v1/jobs/long'), 200)).allocation.nodes;
    fake.kubelet.setReady(node, false);
    await until(nina, 'long', 'Error');
    expect((await ok(nina('GET', '/api/v1/jobs/long'), 200)).failure.reason).toBe('NodeLost');
    const view = async () => (await ok(op('GET', '/api/v1/nodes'), 200)).find((n: Json) => n.id === node);
    expect((await view()).lost).toBe(true);
    fake.kubelet.setReady(node, true);
    await waitFor(async () => (await view()).lost === false, { message: `${node} registered again` });
  });

  it("runs a Katib sample's trials as pods and collects each trial's objective from its log", async (ctx) => {
    if (!target.fake) return ctx.skip(); // its pods print their metrics through the simulator
    const served = await start({ store: freshFile() });
    const op = client(served.url, served.bootstrapToken?.token as string);
    const { token } = await walkthrough(op, 1);
    const yaml = readFileSync(new URL('../core/experiments/fixtures/katib/hp-tuning_random.yaml', import.meta.url), 'utf8')
      .replace('maxTrialCount: 12', 'maxTrialCount: 4')
      .replace('parallelTrialCount: 3', 'parallelTrialCount: 2')
      .replace(
        '        template:\n          spec:',
        // Katib's placeholder, substituted in the trial's template: each trial logs its own learning rate.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a trial template placeholder, not a template string
        "        template:\n          metadata:\n            annotations:\n              sim.gpupool.io/run-for-ms: '100'\n              sim.gpupool.io/log: 'epoch 1: loss=${trialParameters.learningRate}'\n          spec:",
      );
    const res = await fetch(`${served.url}/api/v1/tuning/experiments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
      body: yaml,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const nina = client(served.url, token);
    const done = await waitFor(
      async () => {
        const x = await ok(nina('GET', '/api/v1/tuning/experiments/random'), 200);
        return x.status === 'Succeeded' && x;
      },
      { timeoutMs: 60_000, message: 'the experiment to end' },
    );
    expect(done).toMatchObject({ reason: 'ExperimentMaxTrialsReached', counters: { trials: 4, succeeded: 4 } });
    for (const t of done.trials) expect(t.objective).toBe(Number(t.assignment.lr));
    const lrs = done.trials.map((t: Json) => Number(t.assignment.lr));
    expect(done.optimalTrial.objective).toBe(Math.min(...lrs));
    expect(target.fake.api.stats()['create pods']).toBe(4);
  });

  it('runs every Katib sample to its end on the cluster, each trial a set of pods', async (ctx) => {
    if (!target.fake) return ctx.skip(); // the trials' pods report through the simulator's annotations
    const served = await start({ store: freshFile() });
    const op = client(served.url, served.bootstrapToken?.token as string);
    const { token } = await walkthrough(op, 1);
    const nina = client(served.url, token);
    const fixtures = new URL('../core/experiments/fixtures/katib/', import.meta.url);
    for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.yaml'))) {
      const doc = parseYaml(readFileSync(new URL(file, fixtures), 'utf8'));
      doc.spec.maxTrialCount = 3;
      doc.spec.parallelTrialCount = 2;
      delete doc.spec.earlyStopping;
      // Each trial's pods run briefly and print the objective as its first trial parameter's value.
      const metric = doc.spec.objective.objectiveMetricName;
      const parameter = doc.spec.trialTemplate.trialParameters[0].name;
      const trialSpec = doc.spec.trialTemplate.trialSpec;
      const templates = trialSpec.spec.template
        ? [trialSpec.spec.template]
        : Object.values(Object.entries(trialSpec.spec).find(([k]) => k.endsWith('ReplicaSpecs'))?.[1] ?? {}).map(
            (r: Json) => r.template,
          );
      // A File collector's trials write the objective to their file instead, which the sidecar prints.
      const source = doc.spec.metricsCollectorSpec?.source;
      const metricsFile = doc.spec.metricsCollectorSpec?.collector?.kind === 'File' ? source?.fileSystemPath?.path : undefined;
      const value = `\${trialParameters.${parameter}}`;
      const line = source?.filter?.metricsFormat ? `{metricName: ${metric}, metricValue: ${value}}` : `${metric}=${value}`;
      for (const t of templates) {
        t.metadata = {
          ...t.metadata,
          annotations: {
            'sim.gpupool.io/run-for-ms': '50',
            ...(metricsFile === undefined
              ? { 'sim.gpupool.io/log': line }
              : { 'sim.gpupool.io/files': JSON.stringify({ [metricsFile]: `${line}\n` }) }),
          },
        };
      }
      expect((await ok(nina('POST', '/api/v1/tuning/experiments', doc), 201)).status).toBe('Running');
      const name = doc.metadata.name;
      const x = await waitFor(
        async () => {
          const now = await ok(nina('GET', `/api/v1/tuning/experiments/${name}`), 200);
          return now.status !== 'Running' && now;
        },
        { timeoutMs: 60_000, message: `${file} to end` },
      );
      expect(x, file).toMatchObject({ status: 'Succeeded', reason: 'ExperimentMaxTrialsReached', counters: { trials: 3 } });
      // Its objective collected from each trial's log, or from its file through the metrics-collector sidecar.
      expect(x.counters.succeeded, file).toBe(3);
      for (const t of x.trials) expect(t.objective, file).toBe(Number(Object.values(t.assignment)[0]));
    }
  });

  it.skipIf(!kubectlAvailable())('kubectl apply -f deploy/ is accepted, and applied again changes nothing', async (ctx) => {
    if (!target.fake) return ctx.skip(); // not on a real cluster: it would install gpupool there
    const first = await target.kubectl(['apply', '--validate=false', '-f', DEPLOY]);
    expect(first.code, first.stderr).toBe(0);
    for (const made of [
      'namespace/gpupool created',
      'serviceaccount/gpupool created',
      'clusterrole.rbac.authorization.k8s.io/gpupool-workloads created',
      'persistentvolumeclaim/gpupool-data created',
      'deployment.apps/gpupool created',
      'service/gpupool created',
    ]) {
      expect(first.stdout).toContain(made);
    }
    const deployment = target.fake.api.get('deployments', 'gpupool', 'gpupool');
    expect(deployment?.spec?.replicas).toBe(2);
    const again = await target.kubectl(['apply', '--validate=false', '-f', DEPLOY]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('deployment.apps/gpupool unchanged');
  });
});

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

/** A training job whose pods run `runMs`: the simulator's annotation, and on a real cluster the command. */
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

/** A batch/v1 Job made suspended for group nlp: one pod of `gpus` GPUs. */
const suspendedJob = (name: string, gpus: number, resource: string) =>
  [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${name}`,
    '  labels: { gpupool.io/group: nlp }',
    'spec:',
    '  suspend: true',
    '  parallelism: 1',
    '  completions: 1',
    '  backoffLimit: 0',
    '  template:',
    "    metadata: { annotations: { sim.gpupool.io/run-for-ms: '300' } }",
    '    spec:',
    '      restartPolicy: Never',
    '      containers:',
    '        - name: main',
    '          image: busybox:1.36',
    "          command: ['sh', '-c', 'sleep 1']",
    `          resources: { limits: { ${resource}: '${gpus}' } }`,
    '',
  ].join('\n');

const status = async (c: Client, jobId: string) =>
  (await ok(c('GET', `/api/v1/jobs/${encodeURIComponent(jobId)}`), 200)).status as string;
const until = (c: Client, jobId: string, want: string, timeoutMs = 20_000) =>
  waitFor(async () => (await status(c, jobId)) === want, { timeoutMs, intervalMs: 25, message: `${jobId} ${want}` });

/** How many events of `type` the store holds for `jobId`. */
async function countEvents(file: string, type: string, jobId: string): Promise<number> {
  const store = new SqliteEventStore(file);
  try {
    return (await store.read('cluster')).filter((r) => r.type === type && (r.data as { jobId?: string }).jobId === jobId).length;
  } finally {
    await store.close();
  }
}
