/**
 * What the fake cluster's pods say beyond their status, through client-node over HTTP: each
 * container's log (`?container=`), a metrics-collector sidecar's log made from the files the pod
 * writes (`sim.gpupool.io/files`, `files-base64`) once its containers end, and what a pod serves
 * through `pods/{name}:{port}/proxy/{path}` while it runs (`sim.gpupool.io/http`).
 */
import { CoreV1Api, KubeConfig, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiStatus } from '../kube.js';
import { metricsSidecarParts, readTfEventDump, TFEVENT_HEADER } from '../metrics-sidecar.js';
import { type FakeCluster, startFakeCluster } from './cluster.js';
import { waitFor } from './wait.js';

let cluster: FakeCluster;
let core: CoreV1Api;

beforeEach(async () => {
  cluster = await startFakeCluster({ nodes: [{ name: 'gpu-a', gpus: 2 }] });
  const config = new KubeConfig();
  config.loadFromFile(cluster.kubeconfigPath);
  core = config.makeApiClient(CoreV1Api);
});

afterEach(async () => {
  await cluster.close();
});

function pod(name: string, annotations: Record<string, string>, sidecar?: V1Container): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      restartPolicy: 'Never',
      nodeName: 'gpu-a',
      containers: [{ name: 'main', image: 'trainer:1' }, ...(sidecar ? [sidecar] : [])],
    },
  };
}

const phase = (name: string) => cluster.api.get('pods', 'default', name)?.status?.phase;

describe('pod logs by container, and a metrics sidecar', () => {
  it("gives each container its own log; the sidecar prints the pod's file once the containers end", async () => {
    const parts = metricsSidecarParts({ kind: 'file', path: '/katib/metrics.log' });
    await core.createNamespacedPod({
      namespace: 'default',
      body: pod(
        'file-trial',
        {
          'sim.gpupool.io/run-for-ms': '200',
          'sim.gpupool.io/log': 'training...\n',
          'sim.gpupool.io/files': JSON.stringify({ '/katib/metrics.log': 'accuracy=0.9\n', '/elsewhere.log': 'x=1' }),
        },
        parts?.container,
      ),
    });
    await waitFor(() => phase('file-trial') === 'Running', { message: 'the pod to run' });
    const log = (container?: string) =>
      core.readNamespacedPodLog({ name: 'file-trial', namespace: 'default', ...(container ? { container } : {}) });
    expect(await log('main')).toBe('training...\n');
    expect(await log()).toBe('training...\n');
    expect(await log('metrics-collector')).toBe(''); // nothing while the primary runs
    await waitFor(() => phase('file-trial') === 'Succeeded', { message: 'the pod to end' });
    expect(await log('metrics-collector')).toBe('accuracy=0.9\n');
    expect(await log('main')).toBe('training...\n');
  });

  it('prints TF event files in base64 from files-base64, in name order, as the script would', async () => {
    const parts = metricsSidecarParts({ kind: 'tfevent', directory: '/logs' });
    const bytes = Buffer.from([1, 2, 3, 250, 251]);
    await core.createNamespacedPod({
      namespace: 'default',
      body: pod(
        'tf-trial',
        {
          'sim.gpupool.io/run-for-ms': '50',
          'sim.gpupool.io/files-base64': JSON.stringify({
            '/logs/b/events.out.tfevents.2': bytes.toString('base64'),
            '/logs/a/events.out.tfevents.1': bytes.toString('base64'),
            '/logs/a/readme': 'eA==',
          }),
        },
        parts?.container,
      ),
    });
    await waitFor(() => phase('tf-trial') === 'Succeeded', { message: 'the pod to end' });
    const log = await core.readNamespacedPodLog({ name: 'tf-trial', namespace: 'default', container: 'metrics-collector' });
    expect(log.split('\n')[0]).toBe(`${TFEVENT_HEADER} 5 a/events.out.tfevents.1`);
    expect(readTfEventDump(log).files.map((f) => [f.path, [...f.bytes]])).toEqual([
      ['a/events.out.tfevents.1', [...bytes]],
      ['b/events.out.tfevents.2', [...bytes]],
    ]);
  });
});

describe('pods/proxy', () => {
  it('serves what the pod serves while it runs, 404 elsewhere, and 503 once it has ended', async () => {
    await core.createNamespacedPod({
      namespace: 'default',
      body: pod('exporter', {
        'sim.gpupool.io/run-for-ms': '400',
        'sim.gpupool.io/http': JSON.stringify({ '8080/metrics': 'loss 0.5\n', '9090/a/b': 'deep' }),
      }),
    });
    await waitFor(() => phase('exporter') === 'Running', { message: 'the pod to run' });
    const get = (name: string, path: string) => core.connectGetNamespacedPodProxyWithPath({ name, namespace: 'default', path });
    expect(await get('exporter:8080', 'metrics')).toBe('loss 0.5\n');
    expect(await get('exporter:9090', 'a/b')).toBe('deep');
    expect(apiStatus(await get('exporter:8080', 'other').catch((e) => e)).code).toBe(404);
    expect(apiStatus(await get('nobody:8080', 'metrics').catch((e) => e)).code).toBe(404);
    expect(cluster.api.stats()['get pods/proxy']).toBe(4);
    await waitFor(() => phase('exporter') === 'Succeeded', { message: 'the pod to end' });
    expect(apiStatus(await get('exporter:8080', 'metrics').catch((e) => e)).code).toBe(503);
  });
});
