/**
 * A pipeline step's pod: its executor's Kubernetes platform spec honoured as KFP's driver honours
 * it, its CPU and memory as limits, the outputs collector with the directories of its output files
 * shared, the pipeline volume at the root's local path, and the steps refused for a name that did
 * not resolve or two volumes on one path.
 */
import { readFileSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { JobState } from '../../core/cluster/model.js';
import { stepJob } from '../../core/pipelines/step.js';
import { PipelinesWorld } from '../../core/pipelines/test-support/world.js';
import { FILE_HEADER, OUTPUTS_COLLECTOR_CONTAINER, readFileDump, sidecarOutput } from './metrics-sidecar.js';
import { PIPELINE_VOLUME } from './pipeline-step.js';
import { JOB_LABEL, jobManifests, type PodOptions } from './pods.js';

const OUTPUTS = {
  outputParameters: { Output: { outputFile: '/tmp/kfp/outputs/Output' }, count: { outputFile: '/tmp/kfp/outputs/count' } },
  outputArtifacts: { model: { name: 'model', uri: 'minio://mlpipeline/v2/artifacts/g/r1/train/1/model' } },
  outputMetadataFile: '/minio/mlpipeline/v2/artifacts/g/r1/train/1/output_metadata.json',
};

function step(spec: Record<string, unknown> = {}, over: Partial<JobState> = {}): JobState {
  return {
    id: 'g/r1#1',
    kind: 'pipeline-step',
    owner: 'u',
    group: 'g',
    gpus: 1,
    gpuType: null,
    workers: 1,
    priority: 0,
    tags: [],
    expectedDuration: null,
    immediate: false,
    spec: {
      image: 'python:3.11',
      command: ['python', '-c', 'print(1)'],
      args: [],
      env: { A: '1', USER_NAME: 'from-the-component' },
      pipeline: { runId: 'g/r1', task: 'root/train', attempt: 1, root: 'minio://mlpipeline/v2/artifacts' },
      outputs: OUTPUTS,
      ...spec,
    },
    clonedFrom: null,
    shared: true,
    inputs: null,
    output: null,
    ide: null,
    endpoint: null,
    seq: 1,
    submittedAt: 0,
    status: 'Starting',
    reason: null,
    allocation: { pool: 'p', devices: ['n1/0'], shared: [], nodes: ['n1'] },
    allocatedAt: 0,
    ranOnGpuType: 'A100',
    endedAt: null,
    failure: null,
    history: [],
    ...over,
  } as JobState;
}

function pod(j: JobState, options: PodOptions = {}): V1Pod {
  const r = jobManifests(j, () => undefined, options);
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  return r.manifests.pods[0] as V1Pod;
}

describe('a pipeline step’s pod', () => {
  it('honours the platform spec: secrets and config maps as env and volumes, PVCs, node selector, tolerations, metadata, pull secrets', () => {
    const p = pod(
      step({
        platform: {
          secretAsEnv: [
            { secretName: 'creds', keyToEnv: [{ secretKey: 'username', envVar: 'USER_NAME' }], optional: false },
            {
              secretNameParameter: { runtimeValue: { constant: 'x' } },
              secretName: 'resolved',
              keyToEnv: [{ secretKey: 'p', envVar: 'PW' }],
            },
          ],
          configMapAsEnv: [{ configMapName: 'settings', keyToEnv: [{ configMapKey: 'level', envVar: 'LEVEL' }] }],
          secretAsVolume: [{ secretName: 'tls', mountPath: '/etc/tls', optional: true }],
          configMapAsVolume: [{ configMapName: 'conf', mountPath: '/etc/conf' }],
          pvcMount: [
            { pvcName: 'data', mountPath: '/data' },
            { constant: 'scratch', mountPath: '/scratch' },
          ],
          nodeSelector: { labels: { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' } },
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          podMetadata: { labels: { team: 'nlp', [JOB_LABEL]: 'not-this' }, annotations: { note: 'kept' } },
          imagePullSecret: [{ secretName: 'registry' }],
        },
      }),
    );
    const main = p.spec?.containers[0];
    const env = main?.env ?? [];
    expect(env).toContainEqual({
      name: 'USER_NAME',
      valueFrom: { secretKeyRef: { name: 'creds', key: 'username', optional: false } },
    });
    // The component's own USER_NAME gives way to the secret's, as KFP's driver sets it last.
    expect(env.filter((e) => e.name === 'USER_NAME')).toHaveLength(1);
    expect(env).toContainEqual({ name: 'PW', valueFrom: { secretKeyRef: { name: 'resolved', key: 'p' } } });
    expect(env).toContainEqual({ name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'level' } } });
    expect(env).toContainEqual({ name: 'A', value: '1' });
    expect(p.spec?.volumes).toEqual(
      expect.arrayContaining([
        { name: 'secret-0', secret: { secretName: 'tls', optional: true } },
        { name: 'config-map-0', configMap: { name: 'conf' } },
        { name: 'pvc-0', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'pvc-1', persistentVolumeClaim: { claimName: 'scratch' } },
      ]),
    );
    expect(main?.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'secret-0', mountPath: '/etc/tls' },
        { name: 'config-map-0', mountPath: '/etc/conf' },
        { name: 'pvc-0', mountPath: '/data' },
        { name: 'pvc-1', mountPath: '/scratch' },
      ]),
    );
    expect(p.spec?.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' });
    expect(p.spec?.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(p.spec?.imagePullSecrets).toEqual([{ name: 'registry' }]);
    expect(p.metadata?.labels?.team).toBe('nlp');
    expect(p.metadata?.labels?.[JOB_LABEL]).not.toBe('not-this');
    expect(p.metadata?.annotations?.note).toBe('kept');
    // Still on its node with its GPU.
    expect(p.spec?.nodeName).toBe('n1');
    expect(main?.resources?.limits).toMatchObject({ 'nvidia.com/gpu': '1' });
  });

  it('carries the node affinity terms as KFP writes them; a term with no requirements (a JSON one left unresolved) adds none: an empty term matches no node', () => {
    const ssd = { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] };
    const spot = { matchExpressions: [{ key: 'spot', operator: 'Exists' }], weight: 5 };
    const json = { nodeAffinityJson: { componentInputParameter: 'affinity' } };
    expect(pod(step({ platform: { nodeAffinity: [ssd, spot, json] } })).spec?.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [ssd] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: spot.matchExpressions } }],
      },
    });
    expect(pod(step({ platform: { nodeAffinity: [json] } })).spec?.affinity).toBeUndefined();
  });

  it('honours the rest of kfp-kubernetes: env from the pod’s fields, emptyDir and ephemeral volumes, pull policy, a deadline', () => {
    const p = pod(
      step({
        platform: {
          fieldPathAsEnv: [{ name: 'POD_NAME', fieldPath: 'metadata.name' }],
          emptyDirMounts: [
            { volumeName: 'shm', mountPath: '/dev/shm', medium: 'Memory', sizeLimit: '8Gi' },
            { volumeName: 'scratch', mountPath: '/scratch' },
          ],
          genericEphemeralVolume: [
            {
              volumeName: 'cache',
              mountPath: '/cache',
              accessModes: ['ReadWriteOnce'],
              size: '50Gi',
              storageClassName: 'fast',
              metadata: { labels: { team: 'nlp' } },
            },
            { volumeName: 'tmp', mountPath: '/tmp2', accessModes: ['ReadWriteOnce'], size: '1Gi', defaultStorageClass: true },
          ],
          imagePullPolicy: 'Always',
          // protobuf's JSON writes an int64 as a string
          activeDeadlineSeconds: '3600',
          tolerations: [{ key: 'spot', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: '30' }],
        },
      }),
    );
    const main = p.spec?.containers[0];
    expect(main?.env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    expect(main?.imagePullPolicy).toBe('Always');
    expect(p.spec?.activeDeadlineSeconds).toBe(3600);
    expect(p.spec?.tolerations).toEqual([{ key: 'spot', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }]);
    expect(p.spec?.volumes).toEqual(
      expect.arrayContaining([
        { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } },
        { name: 'scratch', emptyDir: {} },
        {
          name: 'cache',
          ephemeral: {
            volumeClaimTemplate: {
              metadata: { labels: { team: 'nlp' }, annotations: {} },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, storageClassName: 'fast' },
            },
          },
        },
        // The cluster's default class: none named.
        {
          name: 'tmp',
          ephemeral: {
            volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
          },
        },
      ]),
    );
    expect(main?.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'shm', mountPath: '/dev/shm' },
        { name: 'scratch', mountPath: '/scratch' },
        { name: 'cache', mountPath: '/cache' },
        { name: 'tmp', mountPath: '/tmp2' },
      ]),
    );
    // Without them, none of it; a deadline of 0 is none, as in KFP.
    const plain = pod(step({ platform: { activeDeadlineSeconds: 0 } }));
    expect(plain.spec?.activeDeadlineSeconds).toBeUndefined();
    expect(plain.spec?.containers[0]?.imagePullPolicy).toBeUndefined();
    // An emptyDir on a path another volume has is refused, as any two volumes on one path.
    const clash = jobManifests(
      step({
        platform: { emptyDirMounts: [{ volumeName: 'a', mountPath: '/data' }], pvcMount: [{ pvcName: 'b', mountPath: '/data' }] },
      }),
      () => undefined,
    );
    expect(clash).toMatchObject({ ok: false, reason: 'MountPathConflict' });
  });

  it('has the outputs collector after main, the output files’ directories shared, the process namespace shared', () => {
    const p = pod(step({ cpu: 0.5, memory: 2e9 }));
    expect(p.spec?.containers.map((c) => c.name)).toEqual(['main', OUTPUTS_COLLECTOR_CONTAINER]);
    expect(p.spec?.shareProcessNamespace).toBe(true);
    const [main, collector] = p.spec?.containers ?? [];
    expect(main?.resources?.limits).toEqual({ 'nvidia.com/gpu': '1', cpu: '500m', memory: '2000000000' });
    expect(main?.volumeMounts).toEqual([
      { name: 'gpupool-outputs-0', mountPath: '/tmp/kfp/outputs' },
      { name: 'gpupool-outputs-1', mountPath: '/minio/mlpipeline/v2/artifacts/g/r1/train/1' },
    ]);
    expect(collector?.volumeMounts).toEqual([
      { name: 'gpupool-outputs-0', mountPath: '/tmp/kfp/outputs', readOnly: true },
      { name: 'gpupool-outputs-1', mountPath: '/minio/mlpipeline/v2/artifacts/g/r1/train/1', readOnly: true },
    ]);
    expect(collector?.env).toContainEqual({
      name: 'FILES',
      value: '/tmp/kfp/outputs/Output\n/tmp/kfp/outputs/count\n/minio/mlpipeline/v2/artifacts/g/r1/train/1/output_metadata.json',
    });
    // A step without outputs has no collector.
    const bare = pod(
      step({
        outputs: { outputParameters: {}, outputArtifacts: {}, outputMetadataFile: '/tmp/kfp_outputs/output_metadata.json' },
      }),
    );
    expect(bare.spec?.containers.map((c) => c.name)).toEqual(['main']);
    expect(bare.spec?.shareProcessNamespace).toBeUndefined();
  });

  it('mounts the pipeline volume at the root’s local path; the collector reads the executor output through it', () => {
    const p = pod(step(), { pipelineVolume: 'kfp-artifacts' });
    expect(p.spec?.volumes).toContainEqual({ name: PIPELINE_VOLUME, persistentVolumeClaim: { claimName: 'kfp-artifacts' } });
    const [main, collector] = p.spec?.containers ?? [];
    expect(main?.volumeMounts).toEqual([
      { name: PIPELINE_VOLUME, mountPath: '/minio/mlpipeline/v2/artifacts' },
      { name: 'gpupool-outputs-0', mountPath: '/tmp/kfp/outputs' },
    ]);
    expect(collector?.volumeMounts).toContainEqual({
      name: PIPELINE_VOLUME,
      mountPath: '/minio/mlpipeline/v2/artifacts',
      readOnly: true,
    });
  });

  it('is refused for a name parameter that did not resolve, and for two volumes on one path', () => {
    const unresolved = jobManifests(
      step({ platform: { secretAsEnv: [{ secretNameParameter: { componentInputParameter: 'secret_parm' }, keyToEnv: [] }] } }),
      () => undefined,
    );
    expect(unresolved).toMatchObject({ ok: false, reason: 'PlatformUnresolved' });
    expect(unresolved.ok || unresolved.message).toContain('secretAsEnv[0]');
    const clash = jobManifests(
      step({
        platform: {
          pvcMount: [
            { pvcName: 'a', mountPath: '/data' },
            { pvcName: 'b', mountPath: '/data/' },
          ],
        },
      }),
      () => undefined,
    );
    expect(clash).toMatchObject({ ok: false, reason: 'MountPathConflict' });
    // A PVC where the parameters are written is where the collector reads them.
    const covered = pod(step({ platform: { pvcMount: [{ pvcName: 'a', mountPath: '/tmp/kfp' }] } }));
    expect(covered.spec?.containers[1]?.volumeMounts).toContainEqual({ name: 'pvc-0', mountPath: '/tmp/kfp', readOnly: true });
  });

  it('other kinds of job get none of it', () => {
    const p = pod(step({ platform: { tolerations: [{ key: 'x', operator: 'Exists' }] } }, { kind: 'training' }));
    expect(p.spec?.containers.map((c) => c.name)).toEqual(['main']);
    expect(p.spec?.tolerations).toBeUndefined();
  });
});

describe('the outputs collector’s dump', () => {
  it('prints the named files that exist, in order, and reads back byte for byte', () => {
    const files = new Map([
      ['/tmp/kfp/outputs/count', new Uint8Array(Buffer.from('42'))],
      ['/tmp/kfp/outputs/Output', new Uint8Array(Buffer.from('héllo\nworld'))],
      ['/tmp/kfp/outputs/empty', new Uint8Array()],
    ]);
    const log = sidecarOutput(
      {
        kind: 'files',
        paths: ['/tmp/kfp/outputs/Output', '/tmp/kfp/outputs/missing', '/tmp/kfp/outputs/count', '/tmp/kfp/outputs/empty'],
      },
      files,
    );
    expect(log.split('\n')[0]).toBe(`${FILE_HEADER} 12 /tmp/kfp/outputs/Output`);
    expect(readFileDump(log)).toEqual({
      files: [
        { path: '/tmp/kfp/outputs/Output', bytes: new Uint8Array(Buffer.from('héllo\nworld')) },
        { path: '/tmp/kfp/outputs/count', bytes: new Uint8Array(Buffer.from('42')) },
        { path: '/tmp/kfp/outputs/empty', bytes: new Uint8Array() },
      ],
      broken: [],
    });
  });
});

describe('kfp-kubernetes’ own snapshots on a step’s pod (core/pipelines/fixtures/kfp/kubernetes)', () => {
  /** The pod of one step of a snapshot's run, its earlier steps played with these simulated outputs. */
  function snapshotPod(
    file: string,
    path = 'root/comp',
    simulation: Record<string, unknown> = {},
  ): ReturnType<typeof jobManifests> {
    const w = new PipelinesWorld();
    const text = readFileSync(new URL(`../../core/pipelines/fixtures/kfp/kubernetes/${file}.yaml`, import.meta.url), 'utf8');
    const runId = w.startRun(w.uploadFile(file.replace(/_/g, '-'), text), 'r', { simulation: simulation as never });
    w.play();
    const made = stepJob(w.run(runId), w.task(runId, path));
    if (!made.ok) throw new Error(made.message);
    const { image, command, args, env, platform, outputs } = made.value;
    return jobManifests(step({ image, command, args, env, platform, outputs }), () => undefined);
  }
  const podOf = (...args: Parameters<typeof snapshotPod>): V1Pod => {
    const r = snapshotPod(...args);
    if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
    return r.manifests.pods[0] as V1Pod;
  };

  it('set_timeout: the pod’s deadline', () => {
    expect(podOf('timeout').spec?.activeDeadlineSeconds).toBe(20);
  });

  it('empty_dir_mount: a memory-backed emptyDir of its size, by its name', () => {
    const p = podOf('empty_dir_mounts');
    expect(p.spec?.volumes).toContainEqual({ name: 'emptydir-vol-1', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } });
    expect(p.spec?.containers[0]?.volumeMounts).toContainEqual({ name: 'emptydir-vol-1', mountPath: '/mnt/my_vol_1' });
  });

  it('use_field_path_as_env: an env variable from the pod’s own annotation', () => {
    expect(podOf('field_path_as_env').spec?.containers[0]?.env).toContainEqual({
      name: 'KFP_RUN_NAME',
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['pipelines.kubeflow.org/run_name']" } },
    });
  });

  it('add_ephemeral_volume: a claim made with the pod, of the default class', () => {
    expect(podOf('general_ephemeral_volume').spec?.volumes).toContainEqual({
      name: 'pvc-name',
      ephemeral: {
        volumeClaimTemplate: {
          metadata: { labels: {}, annotations: { annotation1: 'a1' } },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
        },
      },
    });
  });

  it('set_security_context: the main container’s user and group, its capabilities dropped', () => {
    expect(podOf('security_context', 'root/print-greeting').spec?.containers[0]?.securityContext).toEqual({
      runAsUser: 65534,
      runAsGroup: 0,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('add_init_container: run first, hardened, mounting the step’s emptyDir by its name', () => {
    const p = podOf('init_container', 'root/print-greeting');
    expect(p.spec?.volumes).toContainEqual({ name: 'shared-data', emptyDir: {} });
    expect(p.spec?.initContainers).toEqual([
      {
        name: 'prepare-data',
        image: 'busybox:1.36',
        command: ['sh', '-c'],
        args: ['echo ready > /data/marker'],
        env: [{ name: 'MARKER_TEXT', value: 'ready' }],
        volumeMounts: [{ name: 'shared-data', mountPath: '/data' }],
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
      },
    ]);
  });

  it('mount_pvc: the claim CreatePVC named, by the older and the newer way of naming it', () => {
    const dynamic = podOf('create_mount_delete_dynamic_pvc', 'root/producer', { createpvc: { outputs: { name: 'abc-my-pvc' } } });
    expect(dynamic.spec?.volumes).toContainEqual({ name: 'pvc-0', persistentVolumeClaim: { claimName: 'abc-my-pvc' } });
    expect(dynamic.spec?.containers[0]?.volumeMounts).toContainEqual({ name: 'pvc-0', mountPath: '/data' });
    const named = podOf('create_mount_delete_existing_pvc_from_task_output', 'root/comp', {
      createpvc: { outputs: { name: 'shared-data' } },
    });
    expect(named.spec?.volumes).toContainEqual({ name: 'pvc-0', persistentVolumeClaim: { claimName: 'shared-data' } });
  });

  it('refuses an init container that mounts a volume the step does not have, or takes a container’s name', () => {
    const base = { emptyDirMounts: [{ volumeName: 'data', mountPath: '/data' }] };
    const missing = jobManifests(
      step({
        platform: {
          ...base,
          initContainers: [{ name: 'prep', image: 'busybox', volumeMounts: [{ volumeName: 'cache', mountPath: '/c' }] }],
        },
      }),
      () => undefined,
    );
    expect(missing).toMatchObject({ ok: false, reason: 'VolumeUnknown' });
    expect(missing.ok || missing.message).toContain('init container prep mounts volume cache, which the step does not have');
    const main = jobManifests(step({ platform: { initContainers: [{ name: 'main', image: 'busybox' }] } }), () => undefined);
    expect(main).toMatchObject({ ok: false, reason: 'ContainerNameConflict' });
    // Two volumes of one name: an emptyDir named as gpupool names a claim's.
    const twice = jobManifests(
      step({
        platform: { pvcMount: [{ pvcName: 'a', mountPath: '/a' }], emptyDirMounts: [{ volumeName: 'pvc-0', mountPath: '/b' }] },
      }),
      () => undefined,
    );
    expect(twice).toMatchObject({ ok: false, reason: 'VolumeNameConflict' });
  });
});
