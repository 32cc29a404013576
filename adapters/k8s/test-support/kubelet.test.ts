/**
 * The kubelet simulator, scheduler and Job controller, driven in-process: pod lifecycles per
 * annotation, graceful deletion, NotReady and removed nodes, placement rules, and the Job
 * controller's completion, failure and suspension.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeCluster, startFakeCluster } from './cluster.js';
import { ANNOTATIONS } from './kubelet.js';
import type { Json, K8sObject } from './resources.js';
import type { StoreEvent } from './store.js';
import { sleep, waitFor } from './wait.js';

let cluster: FakeCluster;

beforeEach(async () => {
  cluster = await startFakeCluster({
    nodes: [
      { name: 'n1', gpus: 2 },
      { name: 'n2', gpus: 2 },
      { name: 'n3', gpus: 2 },
    ],
    kubelet: { terminationMs: 30 },
  });
});

afterEach(async () => {
  await cluster.close();
});

function podOn(name: string, node: string | undefined, annotations: Record<string, string> = {}, spec: Json = {}): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'trainer:1' }],
      ...(node ? { nodeName: node } : {}),
      ...spec,
    },
  };
}

function get(name: string): K8sObject | undefined {
  return cluster.api.get('pods', 'default', name);
}

function phaseIs(name: string, phase: string): () => K8sObject | undefined {
  return () => {
    const pod = get(name);
    return pod?.status?.phase === phase ? pod : undefined;
  };
}

function job(
  name: string,
  spec: Json,
  template: { annotations?: Record<string, string>; labels?: Record<string, string>; spec?: Json } = {},
): K8sObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: {
      ...spec,
      template: {
        metadata: { labels: template.labels ?? {}, annotations: template.annotations ?? {} },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'trainer:1' }], ...(template.spec ?? {}) },
      },
    },
  };
}

function jobPods(name: string): K8sObject[] {
  return cluster.api.list('pods', { labelSelector: `batch.kubernetes.io/job-name=${name}` });
}

function jobStatus(name: string): Json {
  return cluster.api.get('jobs', 'default', name)?.status ?? {};
}

function conditionOf(status: Json, type: string): Json {
  return (status.conditions ?? []).find((c: Json) => c.type === type);
}

describe('pod lifecycle', () => {
  it('a bound pod starts Running with a realistic status and, without run-for-ms, keeps running', async () => {
    cluster.api.create(podOn('plain', 'n1'));
    const running = await waitFor(phaseIs('plain', 'Running'));
    const s = running.status;
    expect(s.podIP).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(s.hostIP).toMatch(/^192\.168\.\d+\.\d+$/);
    expect(s.startTime).toMatch(/Z$/);
    expect(Object.fromEntries(s.conditions.map((c: Json) => [c.type, c.status]))).toMatchObject({
      PodScheduled: 'True',
      Initialized: 'True',
      ContainersReady: 'True',
      Ready: 'True',
    });
    expect(s.containerStatuses).toEqual([
      expect.objectContaining({ name: 'main', ready: true, restartCount: 0, state: { running: { startedAt: s.startTime } } }),
    ]);
    await sleep(100);
    expect(get('plain')?.status.phase).toBe('Running');
  });

  it('run-for-ms ends in Succeeded; exit-code, OOMKilled and Evicted end in Failed', async () => {
    cluster.api.create(podOn('ok', 'n1', { [ANNOTATIONS.runForMs]: '30' }));
    cluster.api.create(podOn('exit', 'n1', { [ANNOTATIONS.runForMs]: '30', [ANNOTATIONS.exitCode]: '3' }));
    cluster.api.create(podOn('oom', 'n2', { [ANNOTATIONS.failReason]: 'OOMKilled' }));
    cluster.api.create(podOn('evicted', 'n2', { [ANNOTATIONS.failReason]: 'Evicted' }));
    const ok = await waitFor(phaseIs('ok', 'Succeeded'));
    expect(ok.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const exit = await waitFor(phaseIs('exit', 'Failed'));
    expect(exit.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    const oom = await waitFor(phaseIs('oom', 'Failed'));
    expect(oom.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    const evicted = await waitFor(phaseIs('evicted', 'Failed'));
    expect(evicted.status.reason).toBe('Evicted');
    expect(evicted.status.message).toContain('low on resource');
  });

  it('a pod that would run past its activeDeadlineSeconds is stopped there, Failed DeadlineExceeded; one that ends sooner is not', async () => {
    cluster.api.create(podOn('late', 'n1', {}, { activeDeadlineSeconds: 1 }));
    cluster.api.create(podOn('on-time', 'n1', { [ANNOTATIONS.runForMs]: '30' }, { activeDeadlineSeconds: 1 }));
    const onTime = await waitFor(phaseIs('on-time', 'Succeeded'));
    expect(onTime.status.reason).toBeUndefined();
    expect(get('late')?.status.phase).toBe('Running');
    const late = await waitFor(phaseIs('late', 'Failed'));
    expect(late.status).toMatchObject({ reason: 'DeadlineExceeded', message: expect.stringContaining('deadline') });
    expect(late.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 137 });
  });

  it('start-after-ms delays the start; ImagePullBackOff never runs; the log annotation is served', async () => {
    cluster.api.create(podOn('slow', 'n1', { [ANNOTATIONS.startAfterMs]: '250', [ANNOTATIONS.log]: 'epoch 1 loss 0.5\n' }));
    cluster.api.create(podOn('pull', 'n1', { [ANNOTATIONS.failReason]: 'ImagePullBackOff' }));
    await sleep(120);
    expect(get('slow')?.status.phase).toBe('Pending');
    await waitFor(phaseIs('slow', 'Running'));
    const log = await fetch(`${cluster.url}/api/v1/namespaces/default/pods/slow/log`);
    expect(await log.text()).toBe('epoch 1 loss 0.5\n');
    const pull = get('pull')!;
    expect(pull.status.phase).toBe('Pending');
    expect(pull.status.containerStatuses[0].state).toEqual({
      waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "trainer:1"' },
    });
  });

  it('a deleted pod stops its containers (exit 143) and is removed after min(grace, terminationMs)', async () => {
    const events: StoreEvent[] = [];
    cluster.api.onEvent((e) => {
      if (e.resource.plural === 'pods' && e.object.metadata.name === 'graceful') events.push(e);
    });
    cluster.api.create(podOn('graceful', 'n1', {}, { terminationGracePeriodSeconds: 10 }));
    await waitFor(phaseIs('graceful', 'Running'));
    const deleting = cluster.api.delete('pods', 'default', 'graceful');
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(deleting.metadata.deletionGracePeriodSeconds).toBe(10);
    const started = Date.now();
    await waitFor(() => !get('graceful'));
    expect(Date.now() - started).toBeLessThan(1000);
    const stopped = events.find((e) => e.object.status?.containerStatuses?.[0]?.state?.terminated);
    expect(stopped?.object.status.containerStatuses[0].state.terminated.exitCode).toBe(143);
    expect(events.at(-1)?.type).toBe('DELETED');

    cluster.api.create(podOn('pending-delete', 'n1', { [ANNOTATIONS.startAfterMs]: '10000' }));
    expect(cluster.api.delete('pods', 'default', 'pending-delete').metadata.deletionTimestamp).toBeUndefined();
    expect(get('pending-delete')).toBeUndefined();
  });
});

describe('nodes', () => {
  it('a NotReady node holds its pods where they are until it is Ready again', async () => {
    cluster.kubelet.setReady('n1', false);
    cluster.api.create(podOn('held', 'n1', { [ANNOTATIONS.runForMs]: '50' }));
    await sleep(150);
    expect(get('held')?.status.phase).toBe('Pending');
    cluster.kubelet.setReady('n1', true);
    await waitFor(phaseIs('held', 'Running'));
    cluster.kubelet.setReady('n1', false);
    await sleep(150);
    expect(get('held')?.status.phase).toBe('Running');
    cluster.kubelet.setReady('n1', true);
    await waitFor(phaseIs('held', 'Succeeded'));

    cluster.api.create(podOn('stuck', 'n2'));
    await waitFor(phaseIs('stuck', 'Running'));
    cluster.kubelet.setReady('n2', false);
    cluster.api.delete('pods', 'default', 'stuck');
    await sleep(150);
    expect(get('stuck')?.metadata.deletionTimestamp).toBeDefined();
    cluster.kubelet.setReady('n2', true);
    await waitFor(() => !get('stuck'), { message: 'the graceful deletion to finish once the node is back' });
  });

  it('removing a node fails its pods with NodeLost; setGpus changes allocatable', async () => {
    cluster.api.create(podOn('lost', 'n3'));
    await waitFor(phaseIs('lost', 'Running'));
    cluster.kubelet.removeNode('n3');
    const lost = await waitFor(phaseIs('lost', 'Failed'));
    expect(lost.status.reason).toBe('NodeLost');
    cluster.kubelet.setGpus('n2', 6);
    const n2 = cluster.api.get('nodes', undefined, 'n2')!;
    expect(n2.status.allocatable['nvidia.com/gpu']).toBe('6');
    expect(n2.status.capacity['nvidia.com/gpu']).toBe('6');
    expect(n2.status.allocatable.cpu).toBe('64');
  });
});

describe('scheduling', () => {
  const gpu = (n: number) => ({
    containers: [{ name: 'main', image: 'trainer:1', resources: { limits: { 'nvidia.com/gpu': String(n) } } }],
  });

  it('places pods by hostname affinity and nodeSelector; a cordoned target leaves them Unschedulable', async () => {
    const pinned = (nodes: string[]) => ({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: nodes }] }],
          },
        },
      },
    });
    cluster.api.create(podOn('to-n2', undefined, {}, pinned(['n2'])));
    cluster.api.create(podOn('h100', undefined, {}, { nodeSelector: { 'nvidia.com/gpu.product': 'H100' } }));
    cluster.api.patch('nodes', undefined, 'n3', { spec: { unschedulable: true } });
    cluster.api.create(podOn('to-n3', undefined, {}, pinned(['n3'])));
    expect((await waitFor(phaseIs('to-n2', 'Running'))).spec.nodeName).toBe('n2');
    const stuck = await waitFor(() => {
      const c = conditionOf(get('to-n3')?.status ?? {}, 'PodScheduled');
      return c?.status === 'False' && c;
    });
    expect(stuck.reason).toBe('Unschedulable');
    expect(stuck.message).toContain('node(s) were unschedulable');
    expect(conditionOf(get('h100')!.status, 'PodScheduled')?.reason).toBe('Unschedulable');
    cluster.api.patch('nodes', undefined, 'n3', { spec: { unschedulable: null } });
    expect((await waitFor(phaseIs('to-n3', 'Running'))).spec.nodeName).toBe('n3');
  });

  it('does not exceed a node’s allocatable GPUs; a finished pod frees them', async () => {
    cluster.api.create(
      podOn(
        'big-1',
        undefined,
        { [ANNOTATIONS.runForMs]: '150' },
        { nodeSelector: { 'kubernetes.io/hostname': 'n1' }, ...gpu(2) },
      ),
    );
    await waitFor(phaseIs('big-1', 'Running'));
    cluster.api.create(podOn('big-2', undefined, {}, { nodeSelector: { 'kubernetes.io/hostname': 'n1' }, ...gpu(1) }));
    cluster.api.create(podOn('cpu-only', undefined, {}, { nodeSelector: { 'kubernetes.io/hostname': 'n1' } }));
    const waiting = await waitFor(() => conditionOf(get('big-2')?.status ?? {}, 'PodScheduled'));
    expect(waiting.message).toContain('Insufficient nvidia.com/gpu');
    expect((await waitFor(phaseIs('cpu-only', 'Running'))).spec.nodeName).toBe('n1');
    await waitFor(phaseIs('big-1', 'Succeeded'));
    expect((await waitFor(phaseIs('big-2', 'Running'))).spec.nodeName).toBe('n1');
  });

  it('leaves pods for another scheduler alone', async () => {
    cluster.api.create(podOn('mine', undefined, {}, { schedulerName: 'gpupool' }));
    await sleep(100);
    const pod = get('mine')!;
    expect(pod.spec.nodeName).toBeUndefined();
    expect(pod.status).toEqual({ phase: 'Pending' });
  });
});

describe('Job controller', () => {
  it('runs parallelism 2 on distinct nodes from the affinity list (anti-affinity) and completes', async () => {
    cluster.api.create(
      job(
        'train',
        { parallelism: 2, completions: 2 },
        {
          labels: { 'gpupool.io/job': 'train' },
          annotations: { [ANNOTATIONS.runForMs]: '100' },
          spec: {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n2', 'n3'] }] },
                  ],
                },
              },
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'gpupool.io/job': 'train' } } },
                ],
              },
            },
          },
        },
      ),
    );
    const running = await waitFor(() => {
      const pods = jobPods('train').filter((p) => p.status.phase === 'Running');
      return pods.length === 2 && pods;
    });
    expect(running.map((p) => p.spec.nodeName).sort()).toEqual(['n2', 'n3']);
    const uid = cluster.api.get('jobs', 'default', 'train')!.metadata.uid;
    for (const pod of running) {
      expect(pod.metadata.name).toMatch(/^train-[a-z0-9]{5}$/);
      expect(pod.metadata.labels).toMatchObject({
        'gpupool.io/job': 'train',
        'job-name': 'train',
        'controller-uid': uid,
        'batch.kubernetes.io/controller-uid': uid,
      });
      expect(pod.metadata.annotations).toEqual({ [ANNOTATIONS.runForMs]: '100' });
      expect(pod.metadata.ownerReferences).toEqual([
        { apiVersion: 'batch/v1', kind: 'Job', name: 'train', uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    expect(await waitFor(() => jobStatus('train').ready === 2 && jobStatus('train'))).toMatchObject({ active: 2, ready: 2 });
    const done = await waitFor(() => conditionOf(jobStatus('train'), 'Complete') && jobStatus('train'));
    expect(done).toMatchObject({ succeeded: 2, ready: 0, startTime: expect.any(String), completionTime: expect.any(String) });
    expect(done.active).toBeUndefined();
    expect(conditionOf(done, 'SuccessCriteriaMet')?.status).toBe('True');
    expect(jobPods('train')).toHaveLength(2);
  });

  it('fails the Job with BackoffLimitExceeded when a pod fails and backoffLimit is 0', async () => {
    cluster.api.create(job('bad', { backoffLimit: 0 }, { annotations: { [ANNOTATIONS.exitCode]: '1' } }));
    const failed = await waitFor(() => conditionOf(jobStatus('bad'), 'Failed') && jobStatus('bad'));
    expect(conditionOf(failed, 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    expect(failed.failed).toBe(1);
    await sleep(80);
    expect(jobPods('bad')).toHaveLength(1);
  });

  it('retries failed pods up to backoffLimit', async () => {
    cluster.api.create(job('retry', { backoffLimit: 2 }, { annotations: { [ANNOTATIONS.exitCode]: '1' } }));
    const failed = await waitFor(() => conditionOf(jobStatus('retry'), 'Failed') && jobStatus('retry'));
    expect(failed.failed).toBe(3);
    expect(jobPods('retry')).toHaveLength(3);
  });

  it('a running pod deleted by someone else counts as failed and is replaced', async () => {
    cluster.api.create(job('replaced', { backoffLimit: 3 }));
    const first = await waitFor(() => jobPods('replaced').find((p) => p.status.phase === 'Running'));
    cluster.api.delete('pods', 'default', first.metadata.name!);
    const second = await waitFor(() =>
      jobPods('replaced').find((p) => p.status.phase === 'Running' && p.metadata.uid !== first.metadata.uid),
    );
    expect(second.metadata.name).not.toBe(first.metadata.name);
    expect(await waitFor(() => jobStatus('replaced').failed)).toBe(1);
    expect(conditionOf(jobStatus('replaced'), 'Failed')).toBeUndefined();
  });

  it('suspending a started Job deletes its active pods; resuming starts new ones', async () => {
    cluster.api.create(job('pausable', { parallelism: 2 }));
    await waitFor(() => jobPods('pausable').filter((p) => p.status.phase === 'Running').length === 2);
    cluster.api.patch('jobs', 'default', 'pausable', { spec: { suspend: true } });
    await waitFor(() => jobPods('pausable').length === 0, { message: 'the active pods to be deleted' });
    const suspended = await waitFor(() => conditionOf(jobStatus('pausable'), 'Suspended') && jobStatus('pausable'));
    expect(conditionOf(suspended, 'Suspended')).toMatchObject({ status: 'True', reason: 'JobSuspended' });
    expect(suspended.active).toBeUndefined();
    expect(suspended.failed).toBeUndefined();
    cluster.api.patch('jobs', 'default', 'pausable', { spec: { suspend: false } });
    await waitFor(() => jobPods('pausable').filter((p) => p.status.phase === 'Running').length === 2);
    expect(conditionOf(jobStatus('pausable'), 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed' });
  });

  it('a Job created suspended makes no pods; deleting a Job deletes its pods', async () => {
    cluster.api.create(job('parked', { suspend: true }));
    await sleep(80);
    expect(jobPods('parked')).toEqual([]);
    expect(jobStatus('parked').conditions).toBeUndefined();
    cluster.api.create(job('doomed', { parallelism: 2 }));
    await waitFor(() => jobPods('doomed').filter((p) => p.status.phase === 'Running').length === 2);
    cluster.api.delete('jobs', 'default', 'doomed');
    await waitFor(() => jobPods('doomed').length === 0);
  });
});

describe('scale', () => {
  it('runs 4,000 pods of 1,000 pinned, anti-affine Jobs on 200 nodes in a few seconds', async () => {
    const big = await startFakeCluster({ kubelet: { startAfterMs: 1 } });
    try {
      for (let i = 0; i < 200; i++) big.kubelet.addNode(`node-${i}`, { gpus: 32 });
      const started = Date.now();
      for (let j = 0; j < 1000; j++) {
        const nodes = [0, 1, 2, 3].map((k) => `node-${(j * 4 + k) % 200}`);
        big.api.create(
          job(
            `j${j}`,
            { parallelism: 4, completions: 4 },
            {
              labels: { group: `j${j}` },
              spec: {
                containers: [{ name: 'main', image: 'trainer:1', resources: { limits: { 'nvidia.com/gpu': '1' } } }],
                affinity: {
                  nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                      nodeSelectorTerms: [
                        { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: nodes }] },
                      ],
                    },
                  },
                  podAntiAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                      { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { group: `j${j}` } } },
                    ],
                  },
                },
              },
            },
          ),
        );
      }
      await waitFor(() => big.api.list('pods', { fieldSelector: 'status.phase=Running' }).length === 4000, {
        timeoutMs: 20_000,
        intervalMs: 200,
      });
      const elapsed = Date.now() - started;
      const pods = big.api.list('pods');
      const perJob = new Map<string, Set<string>>();
      for (const p of pods) {
        const set = perJob.get(p.metadata.labels!.group!) ?? new Set();
        set.add(p.spec.nodeName);
        perJob.set(p.metadata.labels!.group!, set);
      }
      expect([...perJob.values()].every((nodes) => nodes.size === 4)).toBe(true);
      expect(elapsed).toBeLessThan(15_000);
    } finally {
      await big.close();
    }
  });
});
