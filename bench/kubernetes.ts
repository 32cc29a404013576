/**
 * The Kubernetes runtime against the fake API server on loopback (in a child process, with its
 * kubelet simulator): is gpupool's side the bottleneck?
 *
 * - **throughput**: 1,000 nodes of 8 GPUs, 20,000 single-GPU jobs submitted at once (each pod runs
 *   half a second), the client's rate limit raised out of the way: pods created per second, from
 *   the first pod to the last, and allocation-to-pod-created latency (saturated, for reference).
 * - **below the limit**: the default rate limit (50 requests/s, bursts of 100), jobs submitted at
 *   20 a second for 10 s (a create and, when each ends, a delete: 40 requests/s): the p99 of
 *   allocation-to-pod-created.
 * - **re-list**: 1,000 nodes of 20 GPUs, 20,000 running jobs' pods; the API server drops its watch
 *   cache and ends the watches with 410 Gone: how long until the runtime has listed the 20,000
 *   pods again and told their differences, and how many events it appended meanwhile (a
 *   duplicated report would be one).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { connect, type Kube } from '../adapters/k8s/kube.js';
import { startNodeInventory } from '../adapters/k8s/nodes.js';
import { type KubernetesRuntime, startKubernetesRuntime } from '../adapters/k8s/runtime.js';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import type { AssetsState } from '../core/assets/model.js';
import type { Command } from '../core/cluster/commands.js';
import { createEngine, type Engine } from '../engine/engine.js';

export const KUBERNETES = { nodes: 1000, gpus: 8, jobs: 20_000, relistGpus: 20, rate: 20, rateSeconds: 10 };

export interface KubernetesRun {
  podsPerSecond: number;
  saturatedP50Ms: number;
  saturatedP99Ms: number;
  belowLimitP50Ms: number;
  belowLimitP99Ms: number;
  relistSeconds: number;
  relistPods: number;
  /** Events the runtime appended while the pods were re-listed (none when no report repeats). */
  eventsDuringRelist: number;
}

const noAssets = { current: { assets: new Map() } as unknown as AssetsState };
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fake cluster in a child process; `ask` sends a message and waits for the answer of `reply` type. */
async function fakeCluster(nodes: number, gpus: number) {
  const proc: ChildProcess = fork(new URL('./kubernetes-child.js', import.meta.url).pathname, [String(nodes), String(gpus)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (m.type !== type) return;
        proc.off('message', onMessage);
        resolve(m);
      };
      proc.on('message', onMessage);
      proc.once('exit', (code) => reject(new Error(`the fake cluster exited (${code})`)));
    });
  const ready = await next('ready');
  return {
    kubeconfig: ready.kubeconfig as string,
    async ask(type: string, reply: string) {
      const answer = next(reply);
      proc.send({ type });
      return answer;
    },
    async close() {
      proc.send({ type: 'close' });
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

/** An engine whose pool 'p' takes every GPU of the cluster's `nodes` nodes, registered by the inventory. */
async function gpupool(kube: Kube, nodes: number, gpus: number): Promise<{ engine: Engine; store: InMemoryEventStore }> {
  const store = new InMemoryEventStore();
  const engine = await createEngine({ store, archive: null });
  const setup: Command[] = [
    { type: 'Install', userId: 'admin', name: 'Admin' },
    { type: 'CreatePool', poolId: 'p', name: 'p', gpuType: 'A100' },
    { type: 'CreateGroup', groupId: 'g', name: 'g' },
    { type: 'AssignPool', groupId: 'g', poolId: 'p' },
    { type: 'OnboardUser', userId: 'u', name: 'u', role: 'data-scientist', groupId: 'g' },
  ];
  for (const c of setup) if (!(await engine.execute(c)).ok) throw new Error(`setup ${c.type} refused`);
  const inventory = startNodeInventory(engine, kube, {});
  await inventory.synced;
  await inventory.stop();
  if (engine.current.nodes.size !== nodes) throw new Error(`registered ${engine.current.nodes.size} nodes, not ${nodes}`);
  const allocated = await engine.execute({ type: 'AllocateGPUs', poolId: 'p', count: nodes * gpus });
  if (!allocated.ok) throw new Error(`allocate: ${allocated.rejection.message}`);
  return { engine, store };
}

const job = (i: number, runMs: number | null): Command => ({
  type: 'SubmitJob',
  jobId: `j${i}`,
  kind: 'training',
  owner: 'u',
  gpus: 1,
  spec: { image: 'busybox:1.36', annotations: runMs === null ? {} : { 'sim.gpupool.io/run-for-ms': String(runMs) } },
});

async function submitAll(engine: Engine, from: number, count: number, runMs: number | null): Promise<void> {
  for (let i = from; i < from + count; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, from + count - i) }, (_, k) => job(i + k, runMs));
    await engine.executeBatch(batch);
  }
}

export async function throughput(): Promise<Pick<KubernetesRun, 'podsPerSecond' | 'saturatedP50Ms' | 'saturatedP99Ms'>> {
  const { nodes, gpus, jobs } = KUBERNETES;
  const fake = await fakeCluster(nodes, gpus);
  const kube = connect({ kubeconfig: fake.kubeconfig, rateLimit: { qps: 100_000, burst: 100_000 } });
  const { engine, store } = await gpupool(kube, nodes, gpus);
  const latencies: number[] = [];
  let first = 0;
  let last = 0;
  const runtime = startKubernetesRuntime(engine, noAssets, store, kube, {
    onPodCreated: (_job, ms) => {
      const now = performance.now();
      if (latencies.length === 0) first = now;
      last = now;
      latencies.push(ms);
    },
    onError: () => {},
  });
  await runtime.synced;
  await submitAll(engine, 0, jobs, 500);
  const deadline = performance.now() + 300_000;
  while (latencies.length < jobs && performance.now() < deadline) await sleep(50);
  await runtime.stop();
  await fake.close();
  if (latencies.length < jobs) throw new Error(`only ${latencies.length} of ${jobs} pods were created in 5 minutes`);
  return {
    podsPerSecond: (jobs - 1) / ((last - first) / 1000),
    saturatedP50Ms: quantile(latencies, 0.5),
    saturatedP99Ms: quantile(latencies, 0.99),
  };
}

export async function belowLimit(): Promise<Pick<KubernetesRun, 'belowLimitP50Ms' | 'belowLimitP99Ms'>> {
  const nodes = 100;
  const fake = await fakeCluster(nodes, 8);
  // The inventory lists once; the runtime runs at the default limit.
  const { engine, store } = await gpupool(connect({ kubeconfig: fake.kubeconfig }), nodes, 8);
  const latencies: number[] = [];
  const runtime: KubernetesRuntime = startKubernetesRuntime(engine, noAssets, store, connect({ kubeconfig: fake.kubeconfig }), {
    onPodCreated: (_job, ms) => latencies.push(ms),
    onError: () => {},
  });
  await runtime.synced;
  const total = KUBERNETES.rate * KUBERNETES.rateSeconds;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / KUBERNETES.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    await engine.execute(job(i, 300));
  }
  const deadline = performance.now() + 30_000;
  while (latencies.length < total && performance.now() < deadline) await sleep(20);
  await runtime.stop();
  await fake.close();
  return { belowLimitP50Ms: quantile(latencies, 0.5), belowLimitP99Ms: quantile(latencies, 0.99) };
}

export async function relist(): Promise<Pick<KubernetesRun, 'relistSeconds' | 'relistPods' | 'eventsDuringRelist'>> {
  const { nodes, relistGpus, jobs } = KUBERNETES;
  const fake = await fakeCluster(nodes, relistGpus);
  const kube = connect({ kubeconfig: fake.kubeconfig, rateLimit: { qps: 100_000, burst: 100_000 } });
  const { engine, store } = await gpupool(kube, nodes, relistGpus);
  /** When the runtime last had its pods listed, and how many. */
  let listedAt = 0;
  let lists = 0;
  let listedPods = 0;
  const runtime = startKubernetesRuntime(engine, noAssets, store, kube, {
    onError: () => {},
    listWatch: {
      onListed: (objects) => {
        listedAt = performance.now();
        listedPods = objects;
        lists++;
      },
    },
  });
  await runtime.synced;
  await submitAll(engine, 0, jobs, null); // they run until stopped
  const deadline = performance.now() + 300_000;
  const started = () => [...engine.current.jobs.values()].filter((j) => j.status === 'Training').length;
  while (started() < jobs && performance.now() < deadline) await sleep(100);
  if (started() < jobs) throw new Error(`only ${started()} of ${jobs} jobs started`);
  await runtime.idle();
  await sleep(1000); // its watch open again if the server's window had moved past it
  const before = (await store.read('cluster')).length;
  const listed = lists;
  const t0 = performance.now();
  const expired = await fake.ask('expire', 'expired');
  if ((expired.watches as number) < 1) throw new Error('the 410 ended no watch of the runtime');
  while (lists === listed && performance.now() - t0 < 60_000) await sleep(5);
  if (lists === listed) throw new Error('the pods were not listed again within a minute of the 410');
  const seconds = (listedAt - t0) / 1000;
  await sleep(Math.max(1000, 2 * (listedAt - t0)));
  await runtime.idle();
  const after = (await store.read('cluster')).length;
  await runtime.stop();
  await fake.close();
  return { relistSeconds: seconds, relistPods: listedPods, eventsDuringRelist: after - before };
}

export async function kubernetesRun(): Promise<KubernetesRun> {
  return { ...(await throughput()), ...(await belowLimit()), ...(await relist()) };
}
