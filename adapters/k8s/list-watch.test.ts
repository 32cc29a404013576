/**
 * gpupool's list-then-watch against the fake API server: every change told once and in order; a
 * watch the server ends resumes from its resourceVersion without a re-list; a 410 (in the stream,
 * or as the watch's answer after the server's cache moved on) re-lists and tells only what changed
 * meanwhile; a refused list or watch is told and tried again with a backoff.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Kube } from './kube.js';
import { type ChangeType, type ListWatch, startListWatch } from './list-watch.js';
import { type FakeCluster, startFakeCluster } from './test-support/cluster.js';
import { waitFor } from './test-support/wait.js';

let cluster: FakeCluster;
let kube: Kube;
let watch: ListWatch<V1ConfigMap> | undefined;
let changes: string[];
let errors: string[];

beforeEach(async () => {
  cluster = await startFakeCluster({ api: { bookmarkIntervalMs: 50 } });
  kube = connect({ kubeconfig: cluster.kubeconfigPath, rateLimit: { qps: 1000, burst: 1000 } });
  changes = [];
  errors = [];
});

afterEach(async () => {
  await watch?.stop();
  watch = undefined;
  await cluster.close();
});

const configMap = (name: string, value: string, labels: Record<string, string> = { app: 'x' }) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels },
  data: { value },
});

function start(): ListWatch<V1ConfigMap> {
  watch = startListWatch<V1ConfigMap>(
    kube,
    {
      path: '/api/v1/configmaps',
      list: (s) => kube.core.listConfigMapForAllNamespaces(s),
      labelSelector: 'app=x',
    },
    {
      onChange: (type: ChangeType, o) => changes.push(`${type} ${o.metadata?.name}=${o.data?.value ?? ''}`),
      onError: (e) => errors.push((e as Error).message),
    },
    { initialBackoffMs: 20, maxBackoffMs: 100, healthyAfterMs: 200 },
  );
  return watch;
}

const update = (name: string, value: string) =>
  cluster.api.patch('configmaps', 'default', name, { data: { value } }, { type: 'merge' });

describe('list, then watch', () => {
  it('tells what the list finds, then each change once, in order; objects outside the selector are not told', async () => {
    cluster.api.create(configMap('a', '1'));
    cluster.api.create(configMap('other', '1', { app: 'y' }));
    const w = start();
    await w.synced;
    expect(changes).toEqual(['ADDED a=1']);
    cluster.api.create(configMap('b', '1'));
    update('a', '2');
    cluster.api.delete('configmaps', 'default', 'b');
    await waitFor(() => changes.length === 4);
    expect(changes).toEqual(['ADDED a=1', 'ADDED b=1', 'MODIFIED a=2', 'DELETED b=1']);
    expect([...w.cache.keys()]).toEqual(['default/a']);
    expect(w.lists).toBe(1);
  });

  it('resumes a watch the server ended from where it was, without listing again or repeating a change', async () => {
    const w = start();
    await w.synced;
    cluster.api.create(configMap('a', '1'));
    await waitFor(() => changes.length === 1 && cluster.api.openWatches > 0);
    await new Promise((r) => setTimeout(r, 120)); // bookmarks move the resourceVersion on
    cluster.api.closeWatches();
    update('a', '2');
    await waitFor(() => changes.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(changes).toEqual(['ADDED a=1', 'MODIFIED a=2']);
    expect(w.lists).toBe(1);
    expect(cluster.api.stats()['watch configmaps']).toBeGreaterThanOrEqual(2);
  });

  it('re-lists on 410 Gone and tells only what changed while it was not watching', async () => {
    cluster.api.create(configMap('a', '1'));
    cluster.api.create(configMap('b', '1'));
    const w = start();
    await w.synced;
    await waitFor(() => cluster.api.openWatches > 0);
    // The server's cache moves on: what happened meanwhile is only in the next list.
    cluster.api.compact();
    cluster.api.expireWatches();
    update('a', '2');
    cluster.api.delete('configmaps', 'default', 'b');
    cluster.api.create(configMap('c', '1'));
    await waitFor(() => w.lists >= 2 && changes.length === 5);
    await new Promise((r) => setTimeout(r, 100));
    expect(changes.slice(0, 2).sort()).toEqual(['ADDED a=1', 'ADDED b=1']);
    expect(changes.slice(2).sort()).toEqual(['ADDED c=1', 'DELETED b=1', 'MODIFIED a=2']);
  });

  it('tells a refused list or watch and tries again with a backoff until the server answers', async () => {
    cluster.api.create(configMap('a', '1'));
    cluster.api.failNext(3, { status: 500, verb: 'list' });
    const w = start();
    await w.synced;
    expect(changes).toEqual(['ADDED a=1']);
    expect(errors.length).toBe(3);
    await waitFor(() => cluster.api.openWatches > 0);
    cluster.api.failNext(2, { status: 500, verb: 'watch' });
    cluster.api.closeWatches();
    update('a', '2');
    await waitFor(() => changes.length === 2);
    expect(changes).toEqual(['ADDED a=1', 'MODIFIED a=2']);
    expect(errors.length).toBe(5);
  });
});
