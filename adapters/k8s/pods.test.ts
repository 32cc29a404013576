/**
 * Pod manifests from job states: names valid for any job id, GPU limits, the multi-worker
 * environment, immediate jobs sharing devices, inputs mounted, and the jobs that cannot run.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { AssetState } from '../../core/assets/model.js';
import type { JobState } from '../../core/cluster/model.js';
import {
  type AssetLookup,
  JOB_ID_ANNOTATION,
  JOB_LABEL,
  type JobManifests,
  jobManifests,
  jobName,
  MANAGED_BY_LABEL,
  ownedBy,
  type PodOptions,
  podName,
  WORKER_LABEL,
} from './pods.js';

function job(over: Partial<JobState> = {}): JobState {
  return {
    id: 'j1',
    kind: 'training',
    owner: 'u',
    group: 'g',
    gpus: 2,
    gpuType: 'A100',
    nodeSelector: null,
    nodeAffinity: null,
    workers: 1,
    priority: 0,
    tags: [],
    expectedDuration: null,
    immediate: false,
    spec: { image: 'pytorch:2.3' },
    clonedFrom: null,
    shared: false,
    inputs: null,
    output: null,
    ide: null,
    endpoint: null,
    seq: 1,
    submittedAt: 0,
    status: 'Starting',
    reason: null,
    allocation: { pool: 'p', devices: ['n1/0', 'n1/1'], shared: [], nodes: ['n1'] },
    allocatedAt: 0,
    ranOnGpuType: 'A100',
    endedAt: null,
    failure: null,
    history: [],
    ...over,
  };
}

const noAssets: AssetLookup = () => undefined;

function build(j: JobState, assets: AssetLookup = noAssets, options: PodOptions = {}): JobManifests {
  const r = jobManifests(j, assets, options);
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  return r.manifests;
}

const env = (pod: V1Pod): Record<string, string> =>
  Object.fromEntries((pod.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value ?? '']));

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

describe('names', () => {
  const ids = [
    'j1',
    '../a/b',
    'ÿ',
    'ÿÿÿ',
    '日本語のジョブ',
    'x'.repeat(253),
    'a b/c?d#e%f',
    '123',
    '-',
    'A--B__C',
    `${'é'.repeat(200)}z`,
  ];
  it.each(ids)('%j gives a DNS-1035 label of at most 63 characters for every pod and service', (id) => {
    const m = build(
      job({ id, workers: 2, gpus: 2, allocation: { pool: 'p', devices: ['n1/0', 'n2/0'], shared: [], nodes: ['n1', 'n2'] } }),
    );
    for (const name of [m.name, ...m.services.map((s) => s.metadata?.name ?? ''), ...m.pods.map((p) => p.metadata?.name ?? '')]) {
      expect(name).toMatch(DNS_LABEL);
      expect(name.length).toBeLessThanOrEqual(63);
    }
    expect(m.pods[0]?.metadata?.annotations?.[JOB_ID_ANNOTATION]).toBe(id);
    expect(m.pods[0]?.metadata?.labels?.[JOB_LABEL]).toBe(m.name);
  });

  it('is stable for an id and differs between ids that slug alike', () => {
    expect(jobName('../a/b')).toBe(jobName('../a/b'));
    expect(jobName('a/b')).not.toBe(jobName('a-b'));
    expect(jobName('Train')).not.toBe(jobName('train'));
    expect(podName('a/b', 12)).toBe(`${jobName('a/b')}-w12`);
    expect(jobName('ÿ')).toMatch(/^y-[0-9a-f]{10}$/);
  });

  it('label values hold no characters a label cannot carry, whatever the group', () => {
    const m = build(job({ group: 'Équipe/ML ü' }));
    for (const v of Object.values(m.pods[0]?.metadata?.labels ?? {}))
      expect(v).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
  });
});

describe('a single worker', () => {
  it('is one pod on its node with its GPUs as a limit, the spec, and no Service', () => {
    const m = build(
      job({
        spec: {
          image: 'pytorch:2.3',
          command: ['python'],
          args: ['train.py'],
          env: { LR: '0.1', N: 3 },
          hyperparameters: { lr: 0.1 },
          outputUri: 's3://b/out',
          annotations: { 'sim.gpupool.io/run-for-ms': '100' },
        },
      }),
      noAssets,
      { namespaces: { g: 'team-g' } },
    );
    expect(m.services).toEqual([]);
    expect(m.namespace).toBe('team-g');
    expect(m.endpoint).toBeNull();
    const pod = m.pods[0] as V1Pod;
    expect(m.pods).toHaveLength(1);
    expect(pod.metadata?.namespace).toBe('team-g');
    expect(pod.spec?.nodeName).toBe('n1');
    expect(pod.spec?.restartPolicy).toBe('Never');
    expect(pod.metadata?.labels).toMatchObject({ [MANAGED_BY_LABEL]: 'gpupool', [WORKER_LABEL]: '0' });
    expect(pod.metadata?.annotations).toMatchObject({ 'sim.gpupool.io/run-for-ms': '100', [JOB_ID_ANNOTATION]: 'j1' });
    const c = pod.spec?.containers[0];
    expect(c?.image).toBe('pytorch:2.3');
    expect(c?.command).toEqual(['python']);
    expect(c?.args).toEqual(['train.py']);
    expect(c?.resources?.limits).toEqual({ 'nvidia.com/gpu': '2' });
    expect(env(pod)).toMatchObject({
      GPUPOOL_JOB_ID: 'j1',
      GPUPOOL_HYPERPARAMETERS: '{"lr":0.1}',
      GPUPOOL_OUTPUT_URI: 's3://b/out',
      LR: '0.1',
      N: '3',
      RANK: '0',
      WORLD_SIZE: '1',
    });
    expect(env(pod).MASTER_ADDR).toBeUndefined();
  });

  it('asks the configured GPU resource, in the default namespace when the group is not mapped', () => {
    const m = build(job(), noAssets, { gpuResource: 'amd.com/gpu', namespaces: { other: 'x' } });
    expect(m.namespace).toBe('default');
    expect(m.pods[0]?.spec?.containers[0]?.resources?.limits).toEqual({ 'amd.com/gpu': '2' });
  });

  it('of no GPUs is bound to no node, asks no GPU, and sees none', () => {
    const m = build(job({ gpus: 0, allocation: { pool: 'p', devices: [], shared: [], nodes: [] } }));
    const pod = m.pods[0] as V1Pod;
    expect(pod.spec?.nodeName).toBeUndefined();
    expect(pod.spec?.containers[0]?.resources).toBeUndefined();
    expect(env(pod).NVIDIA_VISIBLE_DEVICES).toBe('void');
  });

  it('carries the job’s node selector: its node has the labels, and without GPUs the cluster’s scheduler places it by them', () => {
    const gpu = build(job({ nodeSelector: { disk: 'ssd' } })).pods[0] as V1Pod;
    expect(gpu.spec?.nodeSelector).toEqual({ disk: 'ssd' });
    const cpu = build(
      job({ gpus: 0, nodeSelector: { disk: 'ssd' }, allocation: { pool: 'p', devices: [], shared: [], nodes: [] } }),
    ).pods[0] as V1Pod;
    expect([cpu.spec?.nodeName, cpu.spec?.nodeSelector]).toEqual([undefined, { disk: 'ssd' }]);
    expect((build(job()).pods[0] as V1Pod).spec?.nodeSelector).toBeUndefined();
  });
});

describe('several workers', () => {
  const multi = job({
    id: 'dist',
    gpus: 4,
    workers: 2,
    allocation: { pool: 'p', devices: ['n2/0', 'n2/1', 'n1/2', 'n1/3'], shared: [], nodes: ['n2', 'n1'] },
  });

  it('puts each worker on its own allocated node, owned by a headless Service, with the rendezvous environment', () => {
    const m = build(multi);
    expect(m.pods.map((p) => p.spec?.nodeName)).toEqual(['n2', 'n1']);
    expect(m.services).toHaveLength(1);
    const svc = m.services[0];
    expect(svc?.spec?.clusterIP).toBe('None');
    expect(svc?.spec?.selector).toEqual({ [JOB_LABEL]: m.name });
    const host0 = `${podName('dist', 0)}.${m.name}.default.svc`;
    m.pods.forEach((pod, rank) => {
      expect(pod.spec?.hostname).toBe(podName('dist', rank));
      expect(pod.spec?.subdomain).toBe(m.name);
      expect(pod.spec?.containers[0]?.resources?.limits).toEqual({ 'nvidia.com/gpu': '2' });
      const e = env(pod);
      expect(e).toMatchObject({ RANK: String(rank), WORLD_SIZE: '2', MASTER_ADDR: host0, MASTER_PORT: '29500' });
      expect(JSON.parse(e.TF_CONFIG as string)).toEqual({
        cluster: { worker: [`${host0}:29500`, `${podName('dist', 1)}.${m.name}.default.svc:29500`] },
        task: { type: 'worker', index: rank },
      });
    });
  });

  it('pods get the Service as their owner once it exists', () => {
    const m = build(multi);
    const created = { ...m.services[0], metadata: { ...m.services[0]?.metadata, uid: 'uid-1' } };
    const owned = ownedBy(m.pods[0] as V1Pod, created);
    expect(owned.metadata?.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Service', name: m.name, uid: 'uid-1', blockOwnerDeletion: true },
    ]);
  });

  it('in count placement splits the devices by node; a worker that would span nodes fails the job', () => {
    const fits = build(
      job({
        gpus: 4,
        workers: 2,
        allocation: { pool: 'p', devices: ['n1/0', 'n1/1', 'n1/2', 'n1/3'], shared: [], nodes: ['n1'] },
      }),
    );
    expect(fits.pods.map((p) => p.spec?.nodeName)).toEqual(['n1', 'n1']);
    const spread = jobManifests(
      job({
        gpus: 4,
        workers: 1,
        allocation: { pool: 'p', devices: ['n1/0', 'n1/1', 'n2/0', 'n3/0'], shared: [], nodes: ['n1', 'n2', 'n3'] },
      }),
      noAssets,
    );
    expect(spread).toMatchObject({ ok: false, reason: 'PlacementUnsupported' });
  });
});

describe('immediate jobs sharing devices', () => {
  it('get no GPU limit and see their devices by index', () => {
    const m = build(
      job({ immediate: true, allocation: { pool: 'p', devices: ['n1/1', 'n1/3'], shared: ['n1/3'], nodes: ['n1'] } }),
    );
    const pod = m.pods[0] as V1Pod;
    expect(pod.spec?.containers[0]?.resources).toBeUndefined();
    expect(env(pod).NVIDIA_VISIBLE_DEVICES).toBe('1,3');
    expect(pod.spec?.nodeName).toBe('n1');
  });

  it('an immediate job that shares nothing asks for its GPUs as usual', () => {
    const m = build(job({ immediate: true }));
    expect(m.pods[0]?.spec?.containers[0]?.resources?.limits).toEqual({ 'nvidia.com/gpu': '2' });
    expect(env(m.pods[0] as V1Pod).NVIDIA_VISIBLE_DEVICES).toBeUndefined();
  });
});

describe('endpoints', () => {
  it('a notebook gets a ClusterIP Service and its endpoint under its IDE path', () => {
    const m = build(job({ kind: 'notebook', ide: 'vscode' }), noAssets, { namespaces: { g: 'ml' } });
    expect(m.services).toHaveLength(1);
    expect(m.services[0]?.spec?.type).toBe('ClusterIP');
    expect(m.services[0]?.spec?.ports?.[0]?.port).toBe(8888);
    expect(m.endpoint).toBe(`http://${m.name}.ml.svc:8888/vscode`);
  });

  it('an inference on the configured port', () => {
    const m = build(job({ kind: 'inference' }), noAssets, { inferencePort: 9000 });
    expect(m.endpoint).toBe(`http://${m.name}.default.svc:9000/`);
    expect(m.pods[0]?.spec?.containers[0]?.ports).toEqual([{ name: 'http', containerPort: 9000 }]);
  });
});

describe('inputs', () => {
  const asset = (
    id: string,
    source: AssetState['source'],
    credentials: string | null = null,
    uri: string | null = null,
  ): AssetState => ({
    id,
    kind: 'dataset',
    group: 'g',
    name: id,
    owner: 'u',
    description: '',
    tags: [],
    private: false,
    source,
    credentials,
    createdAt: 0,
    archived: false,
    versions: [{ version: 1, at: 0, by: 'u', pin: { commit: 'abc123', objectVersion: 'v7' }, uri, metrics: {}, lineage: null }],
    uses: 0,
  });
  const assets = new Map<string, AssetState>([
    ['g/code', asset('g/code', { kind: 'git', url: 'https://git.example/x.git', path: 'sub' }, 'git-creds')],
    ['g/imgs', asset('g/imgs', { kind: 'object', uri: 's3://bucket/imgs' })],
    ['g/web', asset('g/web', { kind: 'http', url: 'https://example.com/d.csv' })],
    ['g/pvc', asset('g/pvc', { kind: 'volume', path: 'shared-data' })],
    ['g/host', asset('g/host', { kind: 'volume', path: '/mnt/data' })],
    ['g/model', asset('g/model', null, null, 's3://models/m/1')],
  ]);
  const lookup: AssetLookup = (id) => assets.get(id);
  const withInputs = job({
    inputs: {
      workspace: { assetId: 'g/code', version: 1 },
      datasets: [
        { assetId: 'g/imgs', version: 1, mountPath: 'imgs' },
        { assetId: 'g/web', version: 1, mountPath: '/srv/web' },
        { assetId: 'g/pvc', version: 1, mountPath: 'pvc' },
        { assetId: 'g/host', version: 1, mountPath: 'host' },
      ],
      model: { assetId: 'g/model', version: 1 },
      hyperparametersFile: 'conf/hp.yaml',
    },
  });

  it('fills volumes by init containers, mounts volume sources directly, and credentials reach only the fetcher', () => {
    const pod = build(withInputs, lookup).pods[0] as V1Pod;
    const main = pod.spec?.containers[0];
    expect(main?.volumeMounts).toEqual([
      { name: 'workspace', mountPath: '/workspace', subPath: 'sub' },
      { name: 'dataset-0', mountPath: '/data/imgs' },
      { name: 'dataset-1', mountPath: '/srv/web' },
      { name: 'dataset-2', mountPath: '/data/pvc', readOnly: true },
      { name: 'dataset-3', mountPath: '/data/host', readOnly: true },
      { name: 'model', mountPath: '/model' },
    ]);
    expect(main?.workingDir).toBe('/workspace');
    expect(main?.envFrom).toBeUndefined();
    expect(env(pod).GPUPOOL_HYPERPARAMETERS_FILE).toBe('/workspace/conf/hp.yaml');
    const volumes = Object.fromEntries((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
    expect(volumes['dataset-2']?.persistentVolumeClaim).toEqual({ claimName: 'shared-data', readOnly: true });
    expect(volumes['dataset-3']?.hostPath).toEqual({ path: '/mnt/data', type: 'Directory' });
    expect(volumes.workspace?.emptyDir).toEqual({});
    const inits = Object.fromEntries((pod.spec?.initContainers ?? []).map((c) => [c.name, c]));
    expect(Object.keys(inits)).toEqual(['fetch-workspace', 'fetch-dataset-0', 'fetch-dataset-1', 'fetch-model']);
    const initEnv = (n: string) => Object.fromEntries((inits[n]?.env ?? []).map((e) => [e.name, e.value]));
    expect(inits['fetch-workspace']?.envFrom).toEqual([{ secretRef: { name: 'git-creds' } }]);
    expect(initEnv('fetch-workspace')).toMatchObject({ GIT_URL: 'https://git.example/x.git', GIT_REV: 'abc123' });
    expect(initEnv('fetch-dataset-0')).toMatchObject({ SOURCE_URI: 's3://bucket/imgs', OBJECT_VERSION: 'v7' });
    expect(initEnv('fetch-dataset-1')).toMatchObject({ SOURCE_URL: 'https://example.com/d.csv' });
    expect(initEnv('fetch-model')).toMatchObject({ SOURCE_URI: 's3://models/m/1' });
    // No value is spliced into the script.
    for (const c of Object.values(inits)) expect(c.command?.join(' ')).not.toContain('example');
  });

  it('an input gone from the assets fails the job', () => {
    expect(jobManifests(withInputs, noAssets)).toMatchObject({ ok: false, reason: 'InputUnavailable' });
  });
});

it('a job without an image cannot run on Kubernetes', () => {
  expect(jobManifests(job({ spec: { command: ['x'] } }), noAssets)).toMatchObject({ ok: false, reason: 'NoImage' });
  expect(jobManifests(job({ spec: null }), noAssets)).toMatchObject({ ok: false, reason: 'NoImage' });
});
