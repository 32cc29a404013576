/**
 * What a pipeline step's pod has beyond any job's (pods.ts): the Kubernetes platform spec of its
 * executor, as KFP's driver applies it (backend/src/v2/driver/k8s.go), and the sidecar that prints
 * its outputs.
 *
 * - `secretAsEnv` and `configMapAsEnv`: environment variables from a Secret's or ConfigMap's key
 *   (`secretKeyRef`, `configMapKeyRef`); `secretAsVolume`, `configMapAsVolume` and `pvcMount`: a
 *   volume mounted at its path; `nodeSelector.labels`, `tolerations`, `podMetadata` (labels and
 *   annotations, gpupool's own winning), `imagePullSecret`; `fieldPathAsEnv` (env from the pod's
 *   own fields), `emptyDirMounts` (`medium: Memory` for /dev/shm) and `genericEphemeralVolume`
 *   (a claim made and deleted with the pod) mounted at their paths, each volume named as KFP names
 *   it, so `initContainers` (hardened as KFP hardens them) mount them by those names;
 *   `imagePullPolicy` and `securityContext` (user, group, runAsNonRoot; capabilities dropped) on
 *   the main container; `activeDeadlineSeconds` on the pod, whose kubelet then stops it past that time
 *   (the step fails `DeadlineExceeded`, pod-status.ts). A name given as a parameter arrives
 *   resolved (core/pipelines/platform.ts); one that did not resolve makes the pod refused, naming
 *   what it is (`PlatformUnresolved`), rather than a pod that runs without its secret.
 * - CPU and memory as the container's limits (requests default to them).
 * - Outputs: the step writes its output parameters to files (`/tmp/kfp/outputs/<name>`) and, when
 *   built with the SDK, KFP's executor output file; the outputs-collector sidecar
 *   (metrics-sidecar.ts, kind `files`) prints them once the step has ended, with an emptyDir at
 *   each of their directories shared with `main`, and the runtime reads its log when the step has
 *   succeeded.
 * - The pipeline volume (`pipelineVolume`, a PVC's name): mounted at the local path of the run's
 *   pipeline root (core/pipelines/placeholders.ts `localPathOf`), so the artifacts one step writes
 *   under it are there for the next; the executor output file under it is then read through it.
 */
import type {
  V1Container,
  V1EnvVar,
  V1LocalObjectReference,
  V1NodeAffinity,
  V1SecurityContext,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { KubernetesExecutorConfig } from '../../core/pipelines/ir.js';
import { localPathOf } from '../../core/pipelines/placeholders.js';
import { affinityTerms } from '../../core/pipelines/step.js';
import { filesSidecarParts } from './metrics-sidecar.js';

export const PIPELINE_VOLUME = 'pipeline-root';

export interface PipelineStepPodOptions {
  /** A PersistentVolumeClaim mounted at the pipeline root's local path in every step's pod. */
  readonly pipelineVolume?: string;
  /** The outputs-collector sidecar's image (default busybox, as the metrics collector's). */
  readonly collectorImage?: string;
}

export interface PipelineStepPod {
  readonly env: V1EnvVar[];
  readonly volumes: V1Volume[];
  /** The main container's. */
  readonly mounts: V1VolumeMount[];
  /** The outputs collector, when the step has outputs to collect. */
  readonly sidecar: V1Container | null;
  readonly nodeSelector: Record<string, string> | null;
  /** The platform spec's node affinity terms: required ones (no weight) and preferred ones. */
  readonly nodeAffinity: V1NodeAffinity | null;
  readonly tolerations: V1Toleration[] | null;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly imagePullSecrets: V1LocalObjectReference[] | null;
  readonly limits: Record<string, string>;
  /** The main container's pull policy, when the platform spec sets one. */
  readonly imagePullPolicy: string | null;
  /** The pod's deadline in seconds, when the platform spec sets one. */
  readonly activeDeadlineSeconds: number | null;
  /** The platform spec's init containers, run before the main one. */
  readonly initContainers: V1Container[];
  /** The main container's identity, when the platform spec sets one. */
  readonly securityContext: V1SecurityContext | null;
}

type Failure = { ok: false; reason: string; message: string };

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** An integer protobuf's JSON may have written as a string (an int64). */
const integer = (v: number | string | undefined): number | null => {
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : null;
};

/** A toleration as the pod takes it: its seconds a number, however the platform spec wrote them. */
const toleration = (t: NonNullable<KubernetesExecutorConfig['tolerations']>[number]): V1Toleration => {
  const { tolerationSeconds, ...rest } = t;
  const seconds = integer(tolerationSeconds as number | string | undefined);
  return { ...rest, ...(seconds === null ? {} : { tolerationSeconds: seconds }) };
};

/** A quantity Kubernetes reads: cores (`0.5`) and bytes as whole numbers. */
const cores = (n: number): string => (Number.isInteger(n) ? String(n) : `${Math.ceil(n * 1000)}m`);

/** The pipeline step's pod parts from its job's spec (`platform`, `outputs`, `cpu`, `memory`, `pipeline.root`). */
export function pipelineStepPod(
  jobId: string,
  spec: Record<string, unknown>,
  options: PipelineStepPodOptions = {},
): { ok: true; value: PipelineStepPod } | Failure {
  const platform = (isObject(spec.platform) ? spec.platform : {}) as KubernetesExecutorConfig;
  const unresolved = (what: string, i: number, kind: string): Failure => ({
    ok: false,
    reason: 'PlatformUnresolved',
    message: `pipeline step '${jobId}': its ${what}[${i}] names its ${kind} by a parameter that did not resolve to a name`,
  });
  const env: V1EnvVar[] = [];
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  const optional = (item: object): { optional?: boolean } =>
    typeof (item as { optional?: unknown }).optional === 'boolean' ? { optional: (item as { optional: boolean }).optional } : {};

  for (const [i, s] of (platform.secretAsEnv ?? []).entries()) {
    if (!s.secretName) return unresolved('secretAsEnv', i, 'secret');
    for (const k of s.keyToEnv ?? []) {
      env.push({ name: k.envVar, valueFrom: { secretKeyRef: { name: s.secretName, key: k.secretKey, ...optional(s) } } });
    }
  }
  for (const [i, c] of (platform.configMapAsEnv ?? []).entries()) {
    if (!c.configMapName) return unresolved('configMapAsEnv', i, 'config map');
    for (const k of c.keyToEnv ?? []) {
      env.push({
        name: k.envVar,
        valueFrom: { configMapKeyRef: { name: c.configMapName, key: k.configMapKey, ...optional(c) } },
      });
    }
  }
  // The volumes an init container may mount, by the names KFP's driver gives them: an emptyDir's
  // or ephemeral volume's own name, a secret's, config map's or claim's name.
  const byKfpName = new Map<string, string>();
  for (const [i, s] of (platform.secretAsVolume ?? []).entries()) {
    if (!s.secretName) return unresolved('secretAsVolume', i, 'secret');
    const name = `secret-${i}`;
    byKfpName.set(s.secretName, name);
    volumes.push({ name, secret: { secretName: s.secretName, ...optional(s) } });
    mounts.push({ name, mountPath: s.mountPath });
  }
  for (const [i, c] of (platform.configMapAsVolume ?? []).entries()) {
    if (!c.configMapName) return unresolved('configMapAsVolume', i, 'config map');
    const name = `config-map-${i}`;
    byKfpName.set(c.configMapName, name);
    volumes.push({ name, configMap: { name: c.configMapName, ...optional(c) } });
    mounts.push({ name, mountPath: c.mountPath });
  }
  for (const [i, p] of (platform.pvcMount ?? []).entries()) {
    const claim = p.pvcName ?? p.constant;
    if (!claim) return unresolved('pvcMount', i, 'PVC');
    const name = `pvc-${i}`;
    byKfpName.set(claim, name);
    volumes.push({ name, persistentVolumeClaim: { claimName: claim } });
    mounts.push({ name, mountPath: p.mountPath, ...(p.subPath ? { subPath: p.subPath } : {}) });
  }
  for (const f of platform.fieldPathAsEnv ?? []) env.push({ name: f.name, valueFrom: { fieldRef: { fieldPath: f.fieldPath } } });
  for (const d of platform.emptyDirMounts ?? []) {
    const name = d.volumeName;
    byKfpName.set(name, name);
    volumes.push({
      name,
      emptyDir: { ...(d.medium ? { medium: d.medium } : {}), ...(d.sizeLimit ? { sizeLimit: d.sizeLimit } : {}) },
    });
    mounts.push({ name, mountPath: d.mountPath });
  }
  for (const e of platform.genericEphemeralVolume ?? []) {
    const name = e.volumeName;
    byKfpName.set(name, name);
    volumes.push({
      name,
      ephemeral: {
        volumeClaimTemplate: {
          ...(e.metadata
            ? { metadata: { labels: { ...(e.metadata.labels ?? {}) }, annotations: { ...(e.metadata.annotations ?? {}) } } }
            : {}),
          spec: {
            accessModes: [...(e.accessModes ?? [])],
            resources: { requests: { storage: e.size ?? '' } },
            // As KFP's driver: the cluster's default class, or the one named ('' for none).
            ...(e.defaultStorageClass ? {} : { storageClassName: e.storageClassName ?? '' }),
          },
        },
      },
    });
    mounts.push({ name, mountPath: e.mountPath });
  }
  const pullSecrets: V1LocalObjectReference[] = [];
  for (const [i, s] of (platform.imagePullSecret ?? []).entries()) {
    if (!s.secretName) return unresolved('imagePullSecret', i, 'secret');
    pullSecrets.push({ name: s.secretName });
  }

  // The shared pipeline root, where the step's artifacts are written for the next steps to read.
  const pipeline = isObject(spec.pipeline) ? spec.pipeline : {};
  if (options.pipelineVolume && typeof pipeline.root === 'string') {
    const local = localPathOf(pipeline.root);
    if (local.ok && local.value.replace(/\/+$/, '') !== '') {
      volumes.push({ name: PIPELINE_VOLUME, persistentVolumeClaim: { claimName: options.pipelineVolume } });
      mounts.push({ name: PIPELINE_VOLUME, mountPath: local.value.replace(/\/+$/, '') });
    }
  }

  // The outputs: parameter files and the executor output file, printed by the sidecar.
  const outputs = isObject(spec.outputs) ? spec.outputs : {};
  const parameterFiles = Object.values(isObject(outputs.outputParameters) ? outputs.outputParameters : {})
    .map((p) => (isObject(p) ? p.outputFile : undefined))
    .filter((f): f is string => typeof f === 'string');
  const hasArtifacts = isObject(outputs.outputArtifacts) && Object.keys(outputs.outputArtifacts).length > 0;
  const metadataFile = typeof outputs.outputMetadataFile === 'string' ? outputs.outputMetadataFile : null;
  const paths = [
    ...parameterFiles,
    ...(metadataFile !== null && (hasArtifacts || parameterFiles.length > 0) ? [metadataFile] : []),
  ];
  let sidecar: V1Container | null = null;
  if (paths.length > 0) {
    const parts = filesSidecarParts(paths, {
      ...(options.collectorImage ? { image: options.collectorImage } : {}),
      covered: mounts,
    });
    if (parts === null) {
      return { ok: false, reason: 'OutputsPathUnsupported', message: `pipeline step '${jobId}': an output file is at '/'` };
    }
    volumes.push(...parts.volumes);
    mounts.push(...parts.mounts);
    sidecar = parts.container;
  }
  const paths2 = mounts.map((m) => m.mountPath.replace(/\/+$/, ''));
  const twice = paths2.find((p, i) => paths2.indexOf(p) !== i);
  if (twice !== undefined) {
    return { ok: false, reason: 'MountPathConflict', message: `pipeline step '${jobId}': two volumes are mounted at ${twice}` };
  }
  const names = volumes.map((v) => v.name);
  const named = names.find((n, i) => names.indexOf(n) !== i);
  if (named !== undefined) {
    return { ok: false, reason: 'VolumeNameConflict', message: `pipeline step '${jobId}': two volumes are named ${named}` };
  }
  const inits = initContainersOf(jobId, platform, byKfpName, sidecar);
  if (!inits.ok) return inits;

  const limits: Record<string, string> = {};
  if (typeof spec.cpu === 'number' && spec.cpu > 0) limits.cpu = cores(spec.cpu);
  if (typeof spec.memory === 'number' && spec.memory > 0) limits.memory = String(Math.ceil(spec.memory));
  const labels = platform.nodeSelector?.labels;
  const deadline = integer(platform.activeDeadlineSeconds) ?? 0;
  return {
    ok: true,
    value: {
      env,
      volumes,
      mounts,
      sidecar,
      nodeSelector: labels && Object.keys(labels).length > 0 ? { ...labels } : null,
      nodeAffinity: nodeAffinityOf(platform),
      tolerations: platform.tolerations?.length ? platform.tolerations.map(toleration) : null,
      labels: { ...(platform.podMetadata?.labels ?? {}) },
      annotations: { ...(platform.podMetadata?.annotations ?? {}) },
      imagePullSecrets: pullSecrets.length > 0 ? pullSecrets : null,
      limits,
      imagePullPolicy: platform.imagePullPolicy ?? null,
      activeDeadlineSeconds: deadline > 0 ? deadline : null,
      initContainers: inits.value,
      securityContext: securityContextOf(platform),
    },
  };
}

/**
 * The main container's identity, as KFP's driver sets it: the user and group ids and
 * runAsNonRoot asked for, and every capability dropped (the Pod Security baseline).
 */
function securityContextOf(platform: KubernetesExecutorConfig): V1SecurityContext | null {
  const asked = platform.securityContext;
  if (!asked) return null;
  const user = integer(asked.runAsUser);
  const group = integer(asked.runAsGroup);
  return {
    ...(user === null ? {} : { runAsUser: user }),
    ...(group === null ? {} : { runAsGroup: group }),
    ...(typeof asked.runAsNonRoot === 'boolean' ? { runAsNonRoot: asked.runAsNonRoot } : {}),
    capabilities: { drop: ['ALL'] },
  };
}

/**
 * The platform spec's init containers, hardened as KFP's driver hardens them (no privilege
 * escalation, no capabilities, the runtime's default seccomp profile), each volume it mounts
 * found by the name KFP gives it. A name taken, or a volume the step does not have, refuses the
 * step, naming it.
 */
function initContainersOf(
  jobId: string,
  platform: KubernetesExecutorConfig,
  byKfpName: ReadonlyMap<string, string>,
  sidecar: V1Container | null,
): { ok: true; value: V1Container[] } | Failure {
  const taken = new Set(['main', ...(sidecar ? [sidecar.name] : [])]);
  const out: V1Container[] = [];
  for (const c of platform.initContainers ?? []) {
    if (taken.has(c.name)) {
      return {
        ok: false,
        reason: 'ContainerNameConflict',
        message: `pipeline step '${jobId}': a container is named ${c.name} already`,
      };
    }
    taken.add(c.name);
    const volumeMounts: V1VolumeMount[] = [];
    for (const m of c.volumeMounts ?? []) {
      const name = byKfpName.get(m.volumeName);
      if (name === undefined) {
        return {
          ok: false,
          reason: 'VolumeUnknown',
          message: `pipeline step '${jobId}': init container ${c.name} mounts volume ${m.volumeName}, which the step does not have`,
        };
      }
      volumeMounts.push({ name, mountPath: m.mountPath });
    }
    const resources =
      c.resources && (c.resources.requests || c.resources.limits)
        ? {
            ...(c.resources.requests ? { requests: { ...c.resources.requests } } : {}),
            ...(c.resources.limits ? { limits: { ...c.resources.limits } } : {}),
          }
        : undefined;
    out.push({
      name: c.name,
      image: c.image,
      ...(c.command?.length ? { command: [...c.command] } : {}),
      ...(c.args?.length ? { args: [...c.args] } : {}),
      ...(c.env?.length ? { env: c.env.map((e) => ({ name: e.name, value: e.value ?? '' })) } : {}),
      ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
      ...(resources ? { resources } : {}),
      ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}),
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
    });
  }
  return { ok: true, value: out };
}

/**
 * The pod's node affinity from the platform spec, as KFP's driver writes it: terms without a
 * weight required (a node must satisfy one), weighted ones preferred. A GPU step's required terms
 * also placed its GPUs (core/pipelines/step.ts); a step without GPUs is placed by the cluster's
 * scheduler, by these.
 */
function nodeAffinityOf(platform: KubernetesExecutorConfig): V1NodeAffinity | null {
  const { required, preferred } = affinityTerms(platform);
  if (required.length === 0 && preferred.length === 0) return null;
  return {
    ...(required.length > 0 ? { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: required } } : {}),
    ...(preferred.length > 0 ? { preferredDuringSchedulingIgnoredDuringExecution: preferred } : {}),
  };
}
