/**
 * The fake API server against @kubernetes/client-node 1.4, a client we did not write: lists,
 * informers (including their re-list after 410s), raw watches with bookmarks, the error codes and
 * Status bodies clients branch on, the patch content types, Leases, deletes and garbage collection.
 */
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeCluster, startFakeCluster } from './cluster.js';
import { FakeApiServer } from './fake-apiserver.js';
import { sleep, waitFor } from './wait.js';

let cluster: FakeCluster;
let kc: KubeConfig;
let core: CoreV1Api;
let counter = 0;

function pod(name: string, extra: Partial<V1Pod['metadata']> = {}, spec: Record<string, unknown> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...extra },
    spec: { containers: [{ name: 'main', image: 'busybox' }], ...spec },
  };
}

function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** The Status a client got in an ApiException. */
async function failureOf(promise: Promise<unknown>): Promise<{ code: number; reason: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    const e = error as ApiException<string>;
    return { code: e.code, reason: JSON.parse(e.body).reason };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  cluster = await startFakeCluster({
    nodes: [
      { name: 'gpu-a', gpus: 8 },
      { name: 'gpu-b', gpus: 4, product: 'H100' },
    ],
    api: { bookmarkIntervalMs: 100 },
  });
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await cluster?.close();
});

describe('reads', () => {
  it('lists the simulated nodes with their GPUs and labels', async () => {
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name).sort()).toEqual(['gpu-a', 'gpu-b']);
    const b = nodes.items.find((n) => n.metadata?.name === 'gpu-b')!;
    expect(b.status?.allocatable?.['nvidia.com/gpu']).toBe('4');
    expect(b.metadata?.labels?.['nvidia.com/gpu.product']).toBe('H100');
    expect(Number(nodes.metadata?.resourceVersion)).toBeGreaterThan(1000);
  });

  it('selects by labels and fields, including an empty spec.nodeName', async () => {
    await core.createNamespacedPod({
      namespace: 'default',
      body: pod('sel-1', { labels: { app: 'sel', tier: 'a' } }, { schedulerName: 'elsewhere' }),
    });
    await core.createNamespacedPod({
      namespace: 'default',
      body: pod('sel-2', { labels: { app: 'sel', tier: 'b' } }, { schedulerName: 'elsewhere' }),
    });
    await core.createNamespacedPod({
      namespace: 'default',
      body: pod('sel-3', { labels: { app: 'sel' } }, { nodeName: 'gpu-a' }),
    });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (
        await core.listPodForAllNamespaces({
          ...(labelSelector ? { labelSelector } : {}),
          ...(fieldSelector ? { fieldSelector } : {}),
        })
      ).items
        .map((p) => p.metadata!.name)
        .sort();
    expect(await names('app=sel,tier in (a,b)')).toEqual(['sel-1', 'sel-2']);
    expect(await names('app=sel,!tier')).toEqual(['sel-3']);
    expect(await names('app==sel,tier!=a')).toEqual(['sel-2', 'sel-3']);
    expect(await names('app=sel,tier notin (a)')).toEqual(['sel-2', 'sel-3']);
    expect(await names('app=sel', 'spec.nodeName=')).toEqual(['sel-1', 'sel-2']);
    expect(await names('app=sel', 'spec.schedulerName=elsewhere,metadata.name!=sel-1')).toEqual(['sel-2']);
    expect(await names(undefined, 'metadata.namespace=default,metadata.name=sel-3')).toEqual(['sel-3']);
  });
});

describe('watches', () => {
  it('an informer sees ADDED, MODIFIED and DELETED', async () => {
    const path = '/api/v1/namespaces/default/pods';
    const informer = makeInformer(
      kc,
      path,
      () => core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=inf' }),
      'app=inf',
    );
    const seen: string[] = [];
    informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
    informer.on('update', (p) => seen.push(`update ${p.metadata?.name} ${p.metadata?.labels?.step ?? ''}`));
    informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
    await informer.start();
    try {
      await core.createNamespacedPod({
        namespace: 'default',
        body: pod('inf-1', { labels: { app: 'inf' } }, { schedulerName: 'none' }),
      });
      await waitFor(() => seen.includes('add inf-1'));
      cluster.api.patch('pods', 'default', 'inf-1', { metadata: { labels: { step: '2' } } });
      await waitFor(() => seen.includes('update inf-1 2'));
      cluster.api.delete('pods', 'default', 'inf-1');
      await waitFor(() => seen.includes('delete inf-1'));
      // A pod that stops matching the informer's selector leaves it, as on a real server.
      await core.createNamespacedPod({
        namespace: 'default',
        body: pod('inf-2', { labels: { app: 'inf' } }, { schedulerName: 'none' }),
      });
      await waitFor(() => seen.includes('add inf-2'));
      cluster.api.patch('pods', 'default', 'inf-2', { metadata: { labels: { app: 'other' } } });
      await waitFor(() => seen.includes('delete inf-2'));
      expect(informer.list().map((p) => p.metadata?.name)).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it('a watch resumes after a resourceVersion and delivers bookmarks when asked', async () => {
    const name = unique('resume');
    const created = cluster.api.create(pod(name, { namespace: 'default' }, { schedulerName: 'none' }) as never);
    cluster.api.patch('pods', 'default', name, { metadata: { labels: { n: '1' } } });
    const events: { type: string; rv: string; name?: string }[] = [];
    const watch = new Watch(kc);
    const controller = await watch.watch(
      '/api/v1/namespaces/default/pods',
      {
        resourceVersion: created.metadata.resourceVersion,
        allowWatchBookmarks: true,
        fieldSelector: `metadata.name=${name}`,
        timeoutSeconds: 10,
      },
      (type, obj) => events.push({ type, rv: obj.metadata.resourceVersion, name: obj.metadata.name }),
      () => {},
    );
    try {
      await waitFor(() => events.some((e) => e.type === 'BOOKMARK'));
      expect(events.filter((e) => e.type !== 'BOOKMARK')).toEqual([{ type: 'MODIFIED', rv: expect.any(String), name }]);
      const bookmark = events.find((e) => e.type === 'BOOKMARK')!;
      expect(Number(bookmark.rv)).toBeGreaterThanOrEqual(Number(events[0]!.rv));
    } finally {
      controller.abort();
    }
  });

  it('a watch from resourceVersion 0 starts with ADDED for what exists', async () => {
    const name = unique('initial');
    cluster.api.create(pod(name, { namespace: 'default', labels: { initial: name } }, { schedulerName: 'none' }) as never);
    const events: string[] = [];
    const controller = await new Watch(kc).watch(
      '/api/v1/pods',
      { resourceVersion: '0', labelSelector: `initial=${name}` },
      (type, obj) => events.push(`${type} ${obj.metadata.name}`),
      () => {},
    );
    try {
      await waitFor(() => events.length > 0);
      expect(events).toEqual([`ADDED ${name}`]);
    } finally {
      controller.abort();
    }
  });

  it('an informer re-lists after its watch gets HTTP 410 (compacted history)', async () => {
    const informer = makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }));
    const added: string[] = [];
    informer.on('add', (p) => added.push(p.metadata!.name!));
    await informer.start();
    try {
      await waitFor(() => cluster.api.openWatches > 0);
      const lists = cluster.api.stats()['list pods'] ?? 0;
      cluster.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: unique('bump'), namespace: 'default' } });
      cluster.api.compact();
      cluster.api.closeWatches();
      await waitFor(() => (cluster.api.stats()['list pods'] ?? 0) > lists, { message: 'a re-list' });
      const name = unique('after-410');
      cluster.api.create(pod(name, { namespace: 'default' }, { schedulerName: 'none' }) as never);
      await waitFor(() => added.includes(name), { message: 'the informer to keep watching' });
    } finally {
      await informer.stop();
    }
  });

  it('an informer re-lists after an in-stream ERROR 410 ends its watch', async () => {
    const informer = makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }));
    const added: string[] = [];
    informer.on('add', (p) => added.push(p.metadata!.name!));
    await informer.start();
    try {
      await waitFor(() => cluster.api.openWatches > 0);
      const lists = cluster.api.stats()['list pods'] ?? 0;
      expect(cluster.api.expireWatches()).toBeGreaterThan(0);
      await waitFor(() => (cluster.api.stats()['list pods'] ?? 0) > lists, { message: 'a re-list' });
      const name = unique('after-error');
      cluster.api.create(pod(name, { namespace: 'default' }, { schedulerName: 'none' }) as never);
      await waitFor(() => added.includes(name));
    } finally {
      await informer.stop();
    }
  });
});

describe('writes', () => {
  it('a duplicate create is 409 AlreadyExists', async () => {
    const name = unique('dup');
    const created = await core.createNamespacedPod({ namespace: 'default', body: pod(name, {}, { schedulerName: 'none' }) });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.namespace).toBe('default');
    expect(await failureOf(core.createNamespacedPod({ namespace: 'default', body: pod(name) }))).toEqual({
      code: 409,
      reason: 'AlreadyExists',
    });
    expect(await failureOf(core.readNamespacedPod({ namespace: 'default', name: 'nope' }))).toEqual({
      code: 404,
      reason: 'NotFound',
    });
  });

  it('applies JSON, merge and strategic merge patches; a no-op keeps the resourceVersion', async () => {
    const name = unique('patch');
    await core.createNamespacedPod({
      namespace: 'default',
      body: pod(
        name,
        { labels: { a: '1' } },
        {
          schedulerName: 'none',
          containers: [
            { name: 'main', image: 'busybox', env: [{ name: 'X', value: '1' }] },
            { name: 'side', image: 'envoy' },
          ],
        },
      ),
    });
    const json = await core.patchNamespacedPod({
      name,
      namespace: 'default',
      body: [{ op: 'add', path: '/metadata/labels/phase', value: 'queued' }],
    });
    expect(json.metadata?.labels).toEqual({ a: '1', phase: 'queued' });
    expect(await failureOf(core.patchNamespacedPod({ name, namespace: 'default', body: { metadata: {} } }))).toEqual({
      code: 400,
      reason: 'BadRequest',
    });

    const merge = await core.patchNamespacedPod(
      { name, namespace: 'default', body: { metadata: { labels: { a: null, b: '2' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merge.metadata?.labels).toEqual({ phase: 'queued', b: '2' });

    const smp = await core.patchNamespacedPod(
      {
        name,
        namespace: 'default',
        body: {
          spec: {
            '$setElementOrder/containers': [{ name: 'main' }, { name: 'side' }],
            containers: [{ name: 'main', image: 'busybox:2', env: [{ name: 'Y', value: '2' }] }],
          },
        },
        fieldManager: 'sched-adapter',
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(smp.spec?.containers.map((c) => [c.name, c.image])).toEqual([
      ['main', 'busybox:2'],
      ['side', 'envoy'],
    ]);
    expect(smp.spec?.containers[0]?.env?.map((e) => e.name)).toEqual(['X', 'Y']);

    const again = await core.patchNamespacedPod(
      { name, namespace: 'default', body: { metadata: { labels: { b: '2' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(again.metadata?.resourceVersion).toBe(smp.metadata?.resourceVersion);
  });

  it('Leases: create, 409 AlreadyExists, replace, 409 Conflict on a stale resourceVersion', async () => {
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const now = new Date();
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'sched-adapter-leader' },
      spec: { holderIdentity: 'adapter-A', leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 },
    };
    const created = await coordination.createNamespacedLease({ namespace: 'default', body });
    expect(await failureOf(coordination.createNamespacedLease({ namespace: 'default', body }))).toEqual({
      code: 409,
      reason: 'AlreadyExists',
    });
    const read = await coordination.readNamespacedLease({ name: 'sched-adapter-leader', namespace: 'default' });
    read.spec!.holderIdentity = 'adapter-B';
    const replaced = await coordination.replaceNamespacedLease({
      name: 'sched-adapter-leader',
      namespace: 'default',
      body: read,
    });
    expect(replaced.spec?.holderIdentity).toBe('adapter-B');
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const stale = { ...read, spec: { ...read.spec, holderIdentity: 'adapter-C' } };
    expect(
      await failureOf(coordination.replaceNamespacedLease({ name: 'sched-adapter-leader', namespace: 'default', body: stale })),
    ).toEqual({
      code: 409,
      reason: 'Conflict',
    });
    const { resourceVersion: _, ...unconditional } = stale.metadata!;
    const forced = await coordination.replaceNamespacedLease({
      name: 'sched-adapter-leader',
      namespace: 'default',
      body: { ...stale, metadata: unconditional },
    });
    expect(forced.spec?.holderIdentity).toBe('adapter-C');
  });

  it('binds a pod once; a second binding is 409', async () => {
    const name = unique('bind');
    await core.createNamespacedPod({ namespace: 'default', body: pod(name, {}, { schedulerName: 'gpupool' }) });
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name },
      target: { apiVersion: 'v1', kind: 'Node', name: 'gpu-a' },
    };
    await core.createNamespacedPodBinding({ name, namespace: 'default', body: binding });
    expect(await failureOf(core.createNamespacedPodBinding({ name, namespace: 'default', body: binding }))).toEqual({
      code: 409,
      reason: 'Conflict',
    });
    const running = await waitFor(async () => {
      const p = await core.readNamespacedPodStatus({ name, namespace: 'default' });
      return p.status?.phase === 'Running' && p;
    });
    expect(running.spec?.nodeName).toBe('gpu-a');
    expect(running.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
  });

  it('a delete with a stale precondition is 409; graceful pod deletion ends in DELETED', async () => {
    const name = unique('graceful');
    await core.createNamespacedPod({
      namespace: 'default',
      body: pod(name, {}, { nodeName: 'gpu-b', terminationGracePeriodSeconds: 5 }),
    });
    const running = await waitFor(async () => {
      const p = await core.readNamespacedPod({ name, namespace: 'default' });
      return p.status?.phase === 'Running' && p;
    });
    expect(
      await failureOf(
        core.deleteNamespacedPod({ name, namespace: 'default', body: { preconditions: { resourceVersion: '1' } } }),
      ),
    ).toEqual({ code: 409, reason: 'Conflict' });
    const events: string[] = [];
    const controller = await new Watch(kc).watch(
      '/api/v1/namespaces/default/pods',
      { resourceVersion: running.metadata!.resourceVersion!, fieldSelector: `metadata.name=${name}` },
      (type) => events.push(type),
      () => {},
    );
    try {
      const deleting = await core.deleteNamespacedPod({ name, namespace: 'default' });
      expect(deleting.metadata?.deletionTimestamp).toBeDefined();
      expect(deleting.metadata?.deletionGracePeriodSeconds).toBe(5);
      await waitFor(() => events.includes('DELETED'), { message: 'the kubelet to remove the pod' });
      expect(events[0]).toBe('MODIFIED');
      expect(await failureOf(core.readNamespacedPod({ name, namespace: 'default' }))).toEqual({ code: 404, reason: 'NotFound' });
    } finally {
      controller.abort();
    }
  });

  it('evicts a pod through the eviction subresource and serves its log', async () => {
    const name = unique('evict');
    await core.createNamespacedPod({
      namespace: 'default',
      body: pod(name, { annotations: { 'sim.gpupool.io/log': 'step 1\n' } }, { nodeName: 'gpu-a' }),
    });
    await waitFor(() => cluster.api.get('pods', 'default', name)?.status.phase === 'Running');
    expect(await core.readNamespacedPodLog({ name, namespace: 'default' })).toBe('step 1\n');
    await core.createNamespacedPodEviction({
      name,
      namespace: 'default',
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } },
    });
    await waitFor(() => !cluster.api.get('pods', 'default', name), { message: 'the evicted pod to go' });
  });

  it('deleting an owner deletes its dependents, unless orphaned', async () => {
    const owner = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: unique('owner') } } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata!.name!, uid: owner.metadata!.uid! };
    const child = unique('child');
    await core.createNamespacedPod({
      namespace: 'default',
      body: pod(child, { ownerReferences: [ref] }, { schedulerName: 'none' }),
    });
    await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: child, ownerReferences: [ref] } } });
    await core.deleteNamespacedConfigMap({ name: owner.metadata!.name!, namespace: 'default' });
    expect(cluster.api.get('pods', 'default', child)).toBeUndefined();
    expect(cluster.api.get('secrets', 'default', child)).toBeUndefined();

    const owner2 = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: unique('owner') } } });
    const kept = unique('kept');
    await core.createNamespacedSecret({
      namespace: 'default',
      body: {
        metadata: {
          name: kept,
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner2.metadata!.name!, uid: owner2.metadata!.uid! }],
        },
      },
    });
    await core.deleteNamespacedConfigMap({ name: owner2.metadata!.name!, namespace: 'default', propagationPolicy: 'Orphan' });
    expect(cluster.api.get('secrets', 'default', kept)?.metadata.ownerReferences).toBeUndefined();
  });
});

describe('protocol details', () => {
  it('pages lists with limit and continue', async () => {
    for (const n of [1, 2, 3]) cluster.api.create(pod(`page-${n}`, { namespace: 'paged' }) as never);
    const first = await core.listNamespacedPod({ namespace: 'paged', limit: 2 });
    expect(first.items.map((p) => p.metadata?.name)).toEqual(['page-1', 'page-2']);
    expect(first.metadata?.remainingItemCount).toBe(1);
    const rest = await core.listNamespacedPod({ namespace: 'paged', limit: 2, _continue: first.metadata!._continue! });
    expect(rest.items.map((p) => p.metadata?.name)).toEqual(['page-3']);
    expect(rest.metadata?._continue).toBeUndefined();
  });

  it('answers malformed bodies, unknown paths and unknown patch types with Status errors', async () => {
    const post = await fetch(`${cluster.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      body: '{"metadata":',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(post.status).toBe(400);
    expect(await post.json()).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
    });
    const unknown = await fetch(`${cluster.url}/apis/example.com/v1/widgets`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    const patch = await fetch(`${cluster.url}/api/v1/nodes/gpu-a`, {
      method: 'PATCH',
      body: '{}',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(patch.status).toBe(415);
    const version = await (await fetch(`${cluster.url}/version`)).json();
    expect(version).toMatchObject({ major: '1', minor: '32' });
  });

  it('deleting a namespace deletes what is in it', async () => {
    cluster.api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } });
    cluster.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'scratch' } });
    cluster.api.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'scratch' } });
    await core.deleteNamespace({ name: 'scratch' });
    expect(cluster.api.list('configmaps', { namespace: 'scratch' })).toEqual([]);
    expect(cluster.api.list('leases', { namespace: 'scratch' })).toEqual([]);
  });

  it('a watch without timeoutSeconds is closed by the server after a bounded time, not at once', async () => {
    const api = await FakeApiServer.start({ watchTimeoutMs: 300 });
    try {
      const started = Date.now();
      const response = await fetch(`${api.url}/api/v1/pods?watch=1`);
      expect(response.headers.get('content-type')).toBe('application/json');
      await response.text();
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(2000);
      const expiredResponse = await fetch(`${api.url}/api/v1/pods?watch=true&resourceVersion=1`);
      expect(expiredResponse.status).toBe(410);
      expect(await expiredResponse.json()).toMatchObject({ reason: 'Expired', code: 410 });
    } finally {
      await api.close();
    }
  });
});

describe('test hooks', () => {
  it('failNext answers the next matching requests with the injected status', async () => {
    cluster.api.failNext(2, { status: 429, verb: 'list', path: '/api/v1/nodes', retryAfterSeconds: 1 });
    expect(await failureOf(core.listNode())).toEqual({ code: 429, reason: 'TooManyRequests' });
    expect(await failureOf(core.listNode())).toEqual({ code: 429, reason: 'TooManyRequests' });
    expect((await core.listNode()).items.length).toBe(2);
    cluster.api.failNext(1, 500);
    expect(
      await failureOf(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: unique('cm') } } })),
    ).toEqual({
      code: 500,
      reason: 'InternalError',
    });
  });

  it('counts requests per verb and resource, and tracks open watches', async () => {
    cluster.api.resetStats();
    await core.listNode();
    await core.readNode({ name: 'gpu-a' });
    expect(cluster.api.stats()).toMatchObject({ 'list nodes': 1, 'get nodes': 1 });
    const before = cluster.api.openWatches;
    const controller = await new Watch(kc).watch(
      '/api/v1/nodes',
      {},
      () => {},
      () => {},
    );
    await waitFor(() => cluster.api.openWatches === before + 1);
    controller.abort();
    await waitFor(() => cluster.api.openWatches === before);
    await sleep(0);
  });
});
