/**
 * The fake cluster against the Python client (Debian's python3-kubernetes 22.6, run with
 * /usr/bin/python3): list, `watch.Watch().stream(...)` (which sends `watch=True`, a capital T),
 * a strategic merge patch, and the ApiException(410) the stream raises on an in-stream ERROR.
 * Skipped when the package is not installed (CI installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandResult, type FakeCluster, pythonKubernetesAvailable, startFakeCluster } from './cluster.js';
import { waitFor } from './wait.js';

const havePython = pythonKubernetesAvailable();
if (!havePython)
  console.warn('python-client.test.ts: skipped, /usr/bin/python3 cannot import kubernetes (CI installs python3-kubernetes)');

const WATCH_SCRIPT = `
import json
from kubernetes import client, config, watch
config.load_kube_config()
v1 = client.CoreV1Api()
pods = v1.list_namespaced_pod('default')
print(json.dumps({'list': sorted(p.metadata.name for p in pods.items)}), flush=True)
w = watch.Watch()
for ev in w.stream(v1.list_namespaced_pod, 'default', resource_version=pods.metadata.resource_version, timeout_seconds=10):
    print(json.dumps({'type': ev['type'], 'name': ev['object'].metadata.name, 'phase': ev['object'].status.phase}), flush=True)
    if ev['type'] == 'DELETED':
        w.stop()
v1.patch_namespaced_pod('py-seed', 'default', {'metadata': {'labels': {'from': 'python'}}})
print(json.dumps({'done': True}), flush=True)
`;

const EXPIRE_SCRIPT = `
import json
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
config.load_kube_config()
v1 = client.CoreV1Api()
try:
    for ev in watch.Watch().stream(v1.list_node, allow_watch_bookmarks=True, timeout_seconds=10):
        print(json.dumps({'type': ev['type']}), flush=True)
    print(json.dumps({'ended': True}), flush=True)
except ApiException as e:
    print(json.dumps({'status': e.status, 'reason': e.reason}), flush=True)
`;

function lines(result: CommandResult): Record<string, unknown>[] {
  return result.stdout
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
}

describe.skipIf(!havePython)('the Python kubernetes client against the fake cluster', () => {
  let cluster: FakeCluster;

  beforeAll(async () => {
    cluster = await startFakeCluster({ nodes: [{ name: 'gpu-1', gpus: 8 }] });
    cluster.api.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'py-seed', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'x' }], schedulerName: 'none' },
    });
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('lists, then watches pods and sees a pod start, run and be deleted; patches with a dict', async () => {
    const running = cluster.python(WATCH_SCRIPT, { timeoutMs: 20_000 });
    await waitFor(() => cluster.api.stats()['watch pods'], { timeoutMs: 10_000, message: "the Python client's watch" });
    cluster.api.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'py-new', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'x' }], nodeName: 'gpu-1' },
    });
    await waitFor(() => cluster.api.get('pods', 'default', 'py-new')?.status.phase === 'Running');
    cluster.api.delete('pods', 'default', 'py-new', { gracePeriodSeconds: 0 });
    const result = await running;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = lines(result);
    expect(out[0]).toEqual({ list: ['py-seed'] });
    expect(out.slice(1, -1)).toEqual([
      { type: 'ADDED', name: 'py-new', phase: 'Pending' },
      { type: 'MODIFIED', name: 'py-new', phase: 'Running' },
      { type: 'DELETED', name: 'py-new', phase: 'Running' },
    ]);
    expect(out.at(-1)).toEqual({ done: true });
    expect(cluster.api.get('pods', 'default', 'py-seed')?.metadata.labels).toEqual({ from: 'python' });
  });

  it('an in-stream ERROR 410 raises ApiException(410) from the stream', async () => {
    const running = cluster.python(EXPIRE_SCRIPT, { timeoutMs: 20_000 });
    await waitFor(() => cluster.api.stats()['watch nodes'], { timeoutMs: 10_000, message: "the Python client's watch" });
    cluster.api.expireWatches();
    const result = await running;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = lines(result);
    expect(out.filter((l) => l.type === 'ADDED')).toEqual([{ type: 'ADDED' }]);
    expect(out.at(-1)).toEqual({ status: 410, reason: expect.stringMatching(/^Expired: too old resource version/) });
  });
});
