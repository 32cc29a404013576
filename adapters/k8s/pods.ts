/**
 * What gpupool asks Kubernetes to run for a job: its Services and one Pod per worker, built from
 * the job's state alone (its allocation, spec and pinned inputs). Pure: the runtime (runtime.ts)
 * creates what this returns, and a job whose manifests cannot be built fails with the reason given.
 *
 * Names: a job id may be any Unicode up to 253 characters, which no Kubernetes name can carry. Each
 * job gets a base name `<slug>-<hash>`: a DNS-1035 label slugged from the id (lowercase letters,
 * digits, '-', starting with a letter) cut to leave room for `-w<rank>`, and ten hex digits of the
 * id's SHA-256, so two ids that slug alike still differ. Pods are `<base>-w<rank>`, the job's
 * Service is `<base>`; the real id is in the annotation `gpupool.io/job-id`.
 *
 * Ownership: a job with a Service (several workers, or a notebook or an inference) has its pods
 * owned by its first Service (`ownerReferences` with the Service's uid, added by `ownedBy` once the
 * Service exists), so deleting that Service deletes the whole job on a real cluster; a job of one
 * worker without an endpoint is one pod and owns nothing. The runtime still deletes pods itself,
 * because it waits for them to be gone before it releases a stopped job's GPUs.
 *
 * A job whose metrics a sidecar collects (`metricsSidecar`: a tuning trial with a File or
 * TensorFlowEvent collector) has, in its primary worker's pod only, the metrics-collector sidecar
 * after `main`, an emptyDir shared by both at the metrics directory, and the process namespace
 * shared (metrics-sidecar.ts).
 *
 * A pipeline step (kind `pipeline-step`) has, besides, its executor's Kubernetes platform spec
 * (secrets and config maps as env and volumes, PVCs, node selector, tolerations, pod metadata,
 * image pull secrets), its CPU and memory limits, and the outputs-collector sidecar that prints
 * the files its outputs are written to (pipeline-step.ts).
 */
import { createHash } from 'node:crypto';
import type { V1Container, V1EnvVar, V1OwnerReference, V1Pod, V1Service, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { AssetState, AssetVersion, Source } from '../../core/assets/model.js';
import type { JobState } from '../../core/cluster/model.js';
import { type MetricsSidecar, metricsDirectory, metricsSidecarParts } from './metrics-sidecar.js';
import { pipelineStepPod } from './pipeline-step.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'gpupool';
export const JOB_LABEL = 'gpupool.io/job';
export const GROUP_LABEL = 'gpupool.io/group';
export const WORKER_LABEL = 'gpupool.io/worker';
export const JOB_ID_ANNOTATION = 'gpupool.io/job-id';
export const GROUP_ANNOTATION = 'gpupool.io/group-id';
/** The label selector of every object gpupool makes. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

export const DEFAULT_GPU_RESOURCE = 'nvidia.com/gpu';
export const DEFAULT_MASTER_PORT = 29500;
export const DEFAULT_NOTEBOOK_PORT = 8888;
export const DEFAULT_INFERENCE_PORT = 8080;
export const WORKSPACE_PATH = '/workspace';
/** Where a dataset with a relative mount path goes, and the pinned model. */
export const DATA_PATH = '/data';
export const MODEL_PATH = '/model';

/** Where the workspace, each dataset and the model come from, as init containers and volumes. */
export interface InputMount {
  readonly volumes: V1Volume[];
  readonly initContainers: V1Container[];
  readonly mounts: V1VolumeMount[];
}

/**
 * How one pinned input gets into the pod: `volume` is the name to use, `path` where the main
 * container sees it. A fetcher returns the volumes and init containers that put it there.
 */
export interface InputFetcher {
  fetch(input: {
    readonly volume: string;
    readonly path: string;
    readonly source: Source;
    readonly version: AssetVersion;
    readonly credentials: string | null;
  }): InputMount;
}

export interface FetcherImages {
  /** Clones a git source. Default `alpine/git:2.47.2`. */
  readonly git?: string;
  /** Copies an object-store URI; gets SOURCE_URI, OBJECT_VERSION, ETAG, DEST. Default `amazon/aws-cli:2.22.35`. */
  readonly object?: string;
  /** Downloads an http(s) URL. Default `curlimages/curl:8.11.1`. */
  readonly http?: string;
}

export interface PodOptions {
  /** The namespace of a group's jobs; a group it does not name goes to `defaultNamespace`. */
  readonly namespaces?: Readonly<Record<string, string>>;
  /** Default `default`. */
  readonly defaultNamespace?: string;
  /** The extended resource a worker's GPUs are asked as. Default `nvidia.com/gpu`. */
  readonly gpuResource?: string;
  readonly masterPort?: number;
  readonly notebookPort?: number;
  readonly inferencePort?: number;
  /** The Kubernetes node name of a gpupool node id; default: the id itself (the inventory registers nodes by name). */
  readonly nodeNameOf?: (nodeId: string) => string;
  /** How inputs are mounted; default `defaultFetcher()`. */
  readonly fetcher?: InputFetcher;
  /** Images of the default fetcher. */
  readonly fetcherImages?: FetcherImages;
  /**
   * The metrics a job's primary worker leaves in a file for a sidecar to print (a tuning trial
   * with a File or TensorFlowEvent collector, metrics-sidecar.ts); null or absent: no sidecar.
   */
  readonly metricsSidecar?: (job: JobState) => MetricsSidecar | null;
  /** The sidecar's image (and a pipeline step's outputs collector's). Default `busybox:1.36`. */
  readonly metricsCollectorImage?: string;
  /** A PersistentVolumeClaim mounted at the pipeline root's local path in pipeline steps' pods (pipeline-step.ts). */
  readonly pipelineVolume?: string;
}

/** A job's assets as the runtime reads them from the assets state. */
export type AssetLookup = (assetId: string) => AssetState | undefined;

export interface JobManifests {
  readonly namespace: string;
  /** The job's base name: its Service's, and its pods' prefix. */
  readonly name: string;
  /** Created first, in order; the first owns the pods (and the others). Empty: one pod, owned by nothing. */
  readonly services: V1Service[];
  /** By rank. */
  readonly pods: V1Pod[];
  /** Where a notebook or an inference is reached once started; null for other kinds. */
  readonly endpoint: string | null;
}

export type ManifestsResult =
  | { readonly ok: true; readonly manifests: JobManifests }
  | { readonly ok: false; readonly reason: string; readonly message: string };

/** The longest slug kept, so that `<slug>-<10 hex>-w<rank>` stays within 63 characters up to rank 99999. */
const SLUG_MAX = 45;
const HASH_LENGTH = 10;

function slug(text: string, max: number): string {
  const s = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const prefixed = s === '' ? 'job' : /^[a-z]/.test(s) ? s : `j-${s}`;
  return prefixed.slice(0, max).replace(/-+$/, '');
}

const hashOf = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, HASH_LENGTH);

/** A job's base name: a DNS-1035 label of at most 56 characters, stable for the id, different for different ids. */
export function jobName(jobId: string): string {
  return `${slug(jobId, SLUG_MAX)}-${hashOf(jobId)}`;
}

/** A worker's pod name (and hostname): a DNS-1123 label of at most 63 characters. */
export const podName = (jobId: string, rank: number): string => `${jobName(jobId)}-w${rank}`;

/** A label value naming a group: its slug and hash (a group id may be any Unicode, a label value may not). */
export const groupLabel = (group: string): string => `${slug(group, 40)}-${hashOf(group)}`;

export function namespaceOf(group: string, options: PodOptions = {}): string {
  const mapped = options.namespaces?.[group];
  return mapped ?? options.defaultNamespace ?? 'default';
}

function specOf(job: JobState): Record<string, unknown> {
  return typeof job.spec === 'object' && job.spec !== null && !Array.isArray(job.spec)
    ? (job.spec as Record<string, unknown>)
    : {};
}

/** Jobs run by the Job admission component (kubectl-made batch/v1 Jobs), not by pods of the runtime's. */
export const isKubernetesJob = (job: JobState): boolean => {
  const k = specOf(job).kubernetesJob;
  return k !== undefined && k !== null && k !== false;
};

const strings = (u: unknown): string[] | null => (Array.isArray(u) && u.every((x) => typeof x === 'string') ? u : null);

/**
 * Which devices each worker gets: the job's devices (`<node>/<index>`) grouped by node in the
 * allocation's node order, then cut into workers of `gpus / workers` each; a worker's devices must
 * be on one node (a pod runs on one). Null when they cannot be (count placement spread them).
 */
export function workerDevices(job: JobState): { node: string; indices: number[] }[] | null {
  const allocation = job.allocation;
  if (allocation === null || job.gpus === 0) return null;
  const byNode = new Map<string, number[]>(allocation.nodes.map((n) => [n, []]));
  for (const id of allocation.devices) {
    const slash = id.lastIndexOf('/');
    const node = id.slice(0, slash);
    const index = Number(id.slice(slash + 1));
    let list = byNode.get(node);
    if (list === undefined) byNode.set(node, (list = []));
    list.push(index);
  }
  const per = job.gpus / job.workers;
  if (!Number.isInteger(per) || per <= 0) return null;
  const flat = [...byNode].flatMap(([node, indices]) => indices.map((index) => ({ node, index })));
  if (flat.length !== job.gpus) return null;
  const workers: { node: string; indices: number[] }[] = [];
  for (let w = 0; w < job.workers; w++) {
    const chunk = flat.slice(w * per, (w + 1) * per);
    const node = chunk[0]?.node as string;
    if (chunk.some((d) => d.node !== node)) return null;
    workers.push({ node, indices: chunk.map((d) => d.index) });
  }
  return workers;
}

const IDE_PATHS = { jupyter: 'lab', rstudio: 'rstudio', vscode: 'vscode' } as const;

function volumeSource(path: string): V1Volume {
  // An absolute path is a directory on every node; anything else names a PersistentVolumeClaim.
  return path.startsWith('/')
    ? { name: '', hostPath: { path, type: 'Directory' } }
    : { name: '', persistentVolumeClaim: { claimName: path, readOnly: true } };
}

/**
 * The default fetcher: an emptyDir per input filled by an init container (git clone at the pinned
 * commit; an object copy; a curl download), or, for a volume source, the volume itself mounted
 * read-only (a host path when the path is absolute, else the PVC of that name). Credentials are
 * the init container's environment from the Secret the asset names; the main container never
 * sees them.
 */
export function defaultFetcher(images: FetcherImages = {}): InputFetcher {
  const git = images.git ?? 'alpine/git:2.47.2';
  const object = images.object ?? 'amazon/aws-cli:2.22.35';
  const http = images.http ?? 'curlimages/curl:8.11.1';
  return {
    fetch({ volume, path, source, version, credentials }) {
      const mount: V1VolumeMount = { name: volume, mountPath: path };
      if (source.kind === 'volume') {
        return {
          volumes: [{ ...volumeSource(source.path), name: volume }],
          initContainers: [],
          mounts: [{ ...mount, readOnly: true }],
        };
      }
      const dest = '/input';
      const env: V1EnvVar[] = [{ name: 'DEST', value: dest }];
      let image: string;
      let script: string;
      // Values reach the script through the environment, never spliced into it, so no URL or ref can inject a command.
      if (source.kind === 'git') {
        image = git;
        env.push({ name: 'GIT_URL', value: source.url });
        const rev = version.pin.commit ?? source.ref ?? '';
        env.push({ name: 'GIT_REV', value: rev });
        script =
          'git clone --quiet "$GIT_URL" "$DEST" && if [ -n "$GIT_REV" ]; then git -C "$DEST" checkout --quiet "$GIT_REV"; fi';
      } else if (source.kind === 'object') {
        image = object;
        env.push({ name: 'SOURCE_URI', value: source.uri });
        env.push({ name: 'OBJECT_VERSION', value: version.pin.objectVersion ?? '' });
        env.push({ name: 'ETAG', value: version.pin.etag ?? '' });
        script = 'aws s3 cp --recursive --only-show-errors "$SOURCE_URI" "$DEST"';
      } else {
        image = http;
        env.push({ name: 'SOURCE_URL', value: source.url });
        env.push({ name: 'CONTENT_HASH', value: version.pin.contentHash ?? '' });
        script = 'cd "$DEST" && curl -fsSL -O "$SOURCE_URL"';
      }
      // A git source's `path` is the directory of the repository the asset is: only it is mounted.
      if (source.kind === 'git' && source.path !== undefined) mount.subPath = source.path.replace(/^\/+/, '');
      const init: V1Container = {
        name: `fetch-${volume}`,
        image,
        command: ['sh', '-c', script],
        env,
        volumeMounts: [{ name: volume, mountPath: dest }],
        ...(credentials === null ? {} : { envFrom: [{ secretRef: { name: credentials } }] }),
      };
      return { volumes: [{ name: volume, emptyDir: {} }], initContainers: [init], mounts: [mount] };
    },
  };
}

type Failure = { ok: false; reason: string; message: string };
const fail = (reason: string, message: string): Failure => ({ ok: false, reason, message });

/** The inputs' volumes, init containers and mounts; a failure when an input's asset or version is gone. */
function inputMounts(job: JobState, assets: AssetLookup, fetcher: InputFetcher): InputMount | Failure {
  const out: InputMount = { volumes: [], initContainers: [], mounts: [] };
  const inputs = job.inputs;
  if (inputs === null) return out;
  const add = (assetId: string, versionNo: number, volume: string, path: string, useUri: boolean): Failure | null => {
    const asset = assets(assetId);
    const version = asset?.versions[versionNo - 1];
    if (!asset || !version) return fail('InputUnavailable', `input ${assetId} version ${versionNo} is not in the assets`);
    // A model version's artifacts are where it says; a workspace's or a dataset's come from the asset's source.
    const source: Source | null = useUri && version.uri !== null ? { kind: 'object', uri: version.uri } : asset.source;
    if (source === null) return fail('InputUnavailable', `input ${assetId} version ${versionNo} has no source to fetch it from`);
    const m = fetcher.fetch({ volume, path, source, version, credentials: asset.credentials });
    out.volumes.push(...m.volumes);
    out.initContainers.push(...m.initContainers);
    out.mounts.push(...m.mounts);
    return null;
  };
  if (inputs.workspace) {
    const f = add(inputs.workspace.assetId, inputs.workspace.version, 'workspace', WORKSPACE_PATH, false);
    if (f) return f;
  }
  for (const [i, d] of (inputs.datasets ?? []).entries()) {
    const path = d.mountPath.startsWith('/') ? d.mountPath : `${DATA_PATH}/${d.mountPath}`;
    const f = add(d.assetId, d.version, `dataset-${i}`, path, false);
    if (f) return f;
  }
  if (inputs.model) {
    const f = add(inputs.model.assetId, inputs.model.version, 'model', MODEL_PATH, true);
    if (f) return f;
  }
  return out;
}

/** `ownerReferences` naming `owner` (a created Service, with its uid) as the controller-less owner. */
export function ownerReference(owner: V1Service): V1OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    blockOwnerDeletion: true,
  };
}

/** `object` owned by the created Service `owner`. */
export function ownedBy<T extends V1Pod | V1Service>(object: T, owner: V1Service): T {
  return { ...object, metadata: { ...object.metadata, ownerReferences: [ownerReference(owner)] } };
}

/**
 * The manifests of an allocated job, or why it cannot run on Kubernetes: no `spec.image`, devices
 * a worker would need on two nodes, inputs gone from the assets.
 */
export function jobManifests(job: JobState, assets: AssetLookup, options: PodOptions = {}): ManifestsResult {
  const spec = specOf(job);
  const image = spec.image;
  if (typeof image !== 'string' || image.trim() === '') {
    return fail('NoImage', `job '${job.id}' names no image (spec.image): Kubernetes needs one to run it`);
  }
  if (job.allocation === null) return fail('NotAllocated', `job '${job.id}' has no allocation`);
  const namespace = namespaceOf(job.group, options);
  const name = jobName(job.id);
  const gpuResource = options.gpuResource ?? DEFAULT_GPU_RESOURCE;
  const masterPort = options.masterPort ?? DEFAULT_MASTER_PORT;

  let placement: ({ node: string; indices: number[] } | null)[];
  if (job.gpus === 0) {
    placement = Array.from({ length: job.workers }, () => null);
  } else {
    const w = workerDevices(job);
    if (w === null) {
      return fail(
        'PlacementUnsupported',
        `job '${job.id}': its ${job.gpus} GPUs on ${job.allocation.nodes.length} nodes cannot be split into ${job.workers} workers of one node each`,
      );
    }
    placement = w;
  }
  // The device plugin never hands out a device already taken, so a job sharing devices gets them
  // by index through the NVIDIA runtime (time-slicing), not as a resource limit.
  const timeSliced = job.immediate && job.allocation.shared.length > 0;

  const mounts = inputMounts(job, assets, options.fetcher ?? defaultFetcher(options.fetcherImages));
  if ('ok' in mounts) return mounts;

  // The primary worker's metrics sidecar, its volume shared with the primary container.
  const wanted = options.metricsSidecar?.(job) ?? null;
  const sidecar = wanted && metricsSidecarParts(wanted, options.metricsCollectorImage);
  if (wanted && !sidecar) {
    return fail('MetricsPathUnsupported', `job '${job.id}': its metrics directory cannot be '/' (a volume is mounted there)`);
  }
  if (sidecar && mounts.mounts.some((m) => m.mountPath === sidecar.mount.mountPath)) {
    return fail(
      'MetricsPathUnsupported',
      `job '${job.id}': its metrics directory ${metricsDirectory(wanted as MetricsSidecar)} is where an input is mounted`,
    );
  }

  // A pipeline step's platform spec and outputs collector (one worker: all of it goes to its pod).
  const step =
    job.kind === 'pipeline-step'
      ? pipelineStepPod(job.id, spec, {
          ...(options.pipelineVolume ? { pipelineVolume: options.pipelineVolume } : {}),
          ...(options.metricsCollectorImage ? { collectorImage: options.metricsCollectorImage } : {}),
        })
      : null;
  if (step && !step.ok) return fail(step.reason, step.message);
  const stepPod = step?.value ?? null;
  const podSelector =
    job.nodeSelector || stepPod?.nodeSelector ? { ...(job.nodeSelector ?? {}), ...(stepPod?.nodeSelector ?? {}) } : null;
  if (stepPod && mounts.mounts.some((m) => stepPod.mounts.some((x) => x.mountPath === m.mountPath))) {
    return fail('MountPathConflict', `job '${job.id}': a volume of its platform spec is mounted where an input is`);
  }

  const labels = (rank?: number): Record<string, string> => ({
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [JOB_LABEL]: name,
    [GROUP_LABEL]: groupLabel(job.group),
    ...(rank === undefined ? {} : { [WORKER_LABEL]: String(rank) }),
  });
  const annotations = { [JOB_ID_ANNOTATION]: job.id, [GROUP_ANNOTATION]: job.group };

  const multi = job.workers > 1;
  const endpointPort =
    job.kind === 'notebook'
      ? (options.notebookPort ?? DEFAULT_NOTEBOOK_PORT)
      : job.kind === 'inference'
        ? (options.inferencePort ?? DEFAULT_INFERENCE_PORT)
        : null;
  const services: V1Service[] = [];
  const meta = (svcName: string) => ({ name: svcName, namespace, labels: labels(), annotations });
  if (multi) {
    services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name),
      spec: {
        clusterIP: 'None',
        // Workers find each other before they are ready (a rendezvous waits for all of them).
        publishNotReadyAddresses: true,
        selector: { [JOB_LABEL]: name },
        ports: [{ name: 'rendezvous', port: masterPort, targetPort: masterPort }],
      },
    });
  }
  let endpoint: string | null = null;
  if (endpointPort !== null) {
    const svcName = multi ? `${name}-http` : name;
    services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(svcName),
      spec: {
        type: 'ClusterIP',
        selector: { [JOB_LABEL]: name, [WORKER_LABEL]: '0' },
        ports: [{ name: 'http', port: endpointPort, targetPort: endpointPort }],
      },
    });
    const path = job.kind === 'notebook' ? IDE_PATHS[job.ide ?? 'jupyter'] : '';
    endpoint = `http://${svcName}.${namespace}.svc:${endpointPort}/${path}`;
  }

  const hosts = Array.from({ length: job.workers }, (_, r) => `${podName(job.id, r)}.${name}.${namespace}.svc`);
  const userEnv = spec.env;
  const env0: V1EnvVar[] = [];
  if (typeof userEnv === 'object' && userEnv !== null && !Array.isArray(userEnv)) {
    for (const [k, v] of Object.entries(userEnv as Record<string, unknown>)) {
      env0.push({ name: k, value: typeof v === 'string' ? v : JSON.stringify(v) });
    }
  }
  const podAnnotations: Record<string, string> = {};
  const userAnnotations = spec.annotations;
  if (typeof userAnnotations === 'object' && userAnnotations !== null && !Array.isArray(userAnnotations)) {
    for (const [k, v] of Object.entries(userAnnotations as Record<string, unknown>)) {
      podAnnotations[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  const command = strings(spec.command);
  const args = strings(spec.args);

  const volumes = (withSidecar: typeof sidecar): V1Volume[] => [
    ...mounts.volumes,
    ...(withSidecar ? [withSidecar.volume] : []),
    ...(stepPod?.volumes ?? []),
  ];
  const pods: V1Pod[] = placement.map((worker, rank) => {
    const env: V1EnvVar[] = [
      { name: 'GPUPOOL_JOB_ID', value: job.id },
      { name: 'GPUPOOL_HYPERPARAMETERS', value: JSON.stringify(spec.hyperparameters ?? {}) },
      { name: 'RANK', value: String(rank) },
      { name: 'WORLD_SIZE', value: String(job.workers) },
    ];
    if (job.inputs?.hyperparametersFile) {
      env.push({ name: 'GPUPOOL_HYPERPARAMETERS_FILE', value: `${WORKSPACE_PATH}/${job.inputs.hyperparametersFile}` });
    }
    if (typeof spec.outputUri === 'string') env.push({ name: 'GPUPOOL_OUTPUT_URI', value: spec.outputUri });
    if (multi) {
      env.push(
        { name: 'MASTER_ADDR', value: hosts[0] as string },
        { name: 'MASTER_PORT', value: String(masterPort) },
        {
          name: 'TF_CONFIG',
          value: JSON.stringify({
            cluster: { worker: hosts.map((h) => `${h}:${masterPort}`) },
            task: { type: 'worker', index: rank },
          }),
        },
      );
    }
    let resources: V1Container['resources'];
    if (worker === null) {
      // No GPUs: keep the NVIDIA runtime from exposing every device of the node (CUDA images ask for all).
      env.push({ name: 'NVIDIA_VISIBLE_DEVICES', value: 'void' });
    } else if (timeSliced) {
      env.push({ name: 'NVIDIA_VISIBLE_DEVICES', value: worker.indices.join(',') });
    } else {
      resources = { limits: { [gpuResource]: String(worker.indices.length) } };
    }
    env.push(...env0.filter((e) => !env.some((x) => x.name === e.name)));
    // The platform spec's env from secrets and config maps; a name also in the step's own env is the secret's, as in KFP.
    if (stepPod) {
      const named = new Set(stepPod.env.map((e) => e.name));
      env.splice(0, env.length, ...env.filter((e) => !named.has(e.name)), ...stepPod.env);
    }
    const withSidecar = rank === 0 ? sidecar : null;
    const volumeMounts = [...mounts.mounts, ...(withSidecar ? [withSidecar.mount] : []), ...(stepPod?.mounts ?? [])];
    if (stepPod && Object.keys(stepPod.limits).length > 0)
      resources = { limits: { ...(resources?.limits ?? {}), ...stepPod.limits } };
    const container: V1Container = {
      name: 'main',
      image,
      ...(command ? { command } : {}),
      ...(args ? { args } : {}),
      env,
      ...(resources ? { resources } : {}),
      ...(rank === 0 && endpointPort !== null ? { ports: [{ name: 'http', containerPort: endpointPort }] } : {}),
      ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
      ...(job.inputs?.workspace ? { workingDir: WORKSPACE_PATH } : {}),
      ...(stepPod?.imagePullPolicy ? { imagePullPolicy: stepPod.imagePullPolicy } : {}),
      ...(stepPod?.securityContext ? { securityContext: stepPod.securityContext } : {}),
      terminationMessagePolicy: 'FallbackToLogsOnError',
    };
    const pod: V1Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName(job.id, rank),
        namespace,
        labels: { ...(stepPod?.labels ?? {}), ...labels(rank) },
        annotations: { ...(stepPod?.annotations ?? {}), ...podAnnotations, ...annotations },
      },
      spec: {
        restartPolicy: 'Never',
        ...(stepPod?.activeDeadlineSeconds ? { activeDeadlineSeconds: stepPod.activeDeadlineSeconds } : {}),
        ...(worker === null ? {} : { nodeName: options.nodeNameOf?.(worker.node) ?? worker.node }),
        ...(multi ? { hostname: podName(job.id, rank), subdomain: name } : {}),
        ...(mounts.initContainers.length + (stepPod?.initContainers.length ?? 0) > 0
          ? { initContainers: [...mounts.initContainers, ...(stepPod?.initContainers ?? [])] }
          : {}),
        // The sidecar comes after the primary, so the kubelet starts the primary first; it sees the
        // primary's processes through the shared process namespace (metrics-sidecar.ts says why).
        containers: withSidecar
          ? [container, withSidecar.container]
          : stepPod?.sidecar
            ? [container, stepPod.sidecar]
            : [container],
        ...(withSidecar || stepPod?.sidecar ? { shareProcessNamespace: true } : {}),
        // The job's own selector (the scheduler placed it by it) and a step's whole one (its GPU type label too).
        ...(podSelector ? { nodeSelector: podSelector } : {}),
        ...(stepPod?.nodeAffinity ? { affinity: { nodeAffinity: stepPod.nodeAffinity } } : {}),
        ...(stepPod?.tolerations ? { tolerations: stepPod.tolerations } : {}),
        ...(stepPod?.imagePullSecrets ? { imagePullSecrets: stepPod.imagePullSecrets } : {}),
        ...(volumes(withSidecar).length > 0 ? { volumes: volumes(withSidecar) } : {}),
      },
    };
    return pod;
  });

  return { ok: true, manifests: { namespace, name, services, pods, endpoint } };
}
