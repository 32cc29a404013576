/**
 * `gpupool serve --kubernetes`: what replaces the simulated runtime and the YAML inventory when
 * gpupool schedules a real cluster. On the server that leads (the holder of a coordination.k8s.io
 * Lease in gpupool's namespace, adapters/k8s/leases.ts), it runs:
 * - the node inventory (adapters/k8s/nodes.ts): the cluster's GPU nodes registered, cordoned, lost;
 * - the runtime (adapters/k8s/runtime.ts): allocated jobs run as pods, followed to the end;
 * - admission (adapters/k8s/admission.ts): suspended batch/v1 Jobs labelled `gpupool.io/group`
 *   queued in gpupool and unsuspended on the nodes it allocates;
 * - the wake-ups (engine/wakeups.ts): the Ticks a maximum wait needs, which the simulated runtime
 *   sends itself and the Kubernetes runtime does not.
 * Every server serves the API; the others take over within the lease's ttl.
 *
 * Pipeline steps: the runtime hands over the log of a step's outputs collector (the files its
 * outputs were written to, adapters/k8s/pipeline-step.ts) before it reports the step completed;
 * it is kept in the store (`step-outputs-<job id>`), and `stepOutputs` reads it for the run
 * executor, typed as KFP's launcher types them (core/pipelines/step-outputs.ts).
 */
import { randomUUID } from 'node:crypto';
import type { AssetsEngine, ExperimentsEngine } from '../adapters/http/context.js';
import type { JobLogSource } from '../adapters/http/job-logs.js';
import { startAdmission } from '../adapters/k8s/admission.js';
import { kubernetesClaims } from '../adapters/k8s/claims.js';
import { connect, type Kube } from '../adapters/k8s/kube.js';
import { kubernetesLeases, type LeaseKeeper } from '../adapters/k8s/leases.js';
import { kubernetesJobLogs } from '../adapters/k8s/logs.js';
import { readFileDump } from '../adapters/k8s/metrics-sidecar.js';
import { DEFAULT_GPU_TYPE_LABEL, type NodeInventory, startNodeInventory } from '../adapters/k8s/nodes.js';
import type { RateLimit } from '../adapters/k8s/rate-limit.js';
import { startKubernetesRuntime } from '../adapters/k8s/runtime.js';
import type { JobState } from '../core/cluster/model.js';
import { componentOf, type TaskSpec } from '../core/pipelines/ir.js';
import type { Run, TaskRun } from '../core/pipelines/model.js';
import type { PlatformOps } from '../core/pipelines/platform-ops.js';
import { stepOutputs as provisionedStepOutputs } from '../core/pipelines/step.js';
import { parseStepOutputs } from '../core/pipelines/step-outputs.js';
import type { EventStore } from '../core/ports.js';
import type { Engine } from '../engine/engine.js';
import { startWakeups, type Wakeups } from '../engine/wakeups.js';
import type { StepOutputsAnswer } from './pipeline-executor.js';
import { trialMetricsCollection } from './trial-metrics.js';

/** Re-exported for serve: loading this module (and the Kubernetes client) once is what a server on Kubernetes needs. */
export { loadKubeConfig } from '../adapters/k8s/kube.js';

export interface KubernetesServeOptions {
  /** A kubeconfig file; default KUBECONFIG, else the pod's service account. */
  readonly kubeconfig?: string;
  /** Where each group's pods go (group id -> namespace); others go to `defaultNamespace`. */
  readonly namespaces?: Readonly<Record<string, string>>;
  /** Default `default`. */
  readonly defaultNamespace?: string;
  /** The namespace of the leader Lease; default the pod's own namespace, else `default`. */
  readonly leaseNamespace?: string;
  /** The extended resource that counts GPUs; default `nvidia.com/gpu`. */
  readonly gpuResource?: string;
  /** The node label naming the GPU type; default `nvidia.com/gpu.product`. */
  readonly gpuTypeLabel?: string;
  /** How long a node may be NotReady before it is lost (seconds); default 60. */
  readonly notReadyGraceSeconds?: number;
  /** The client's rate limit; default 50 requests per second, bursts of 100 (as client-go). */
  readonly rateLimit?: RateLimit;
  /** The image of a tuning trial's metrics-collector sidecar (File and TensorFlowEvent); default `busybox:1.36`. */
  readonly metricsCollectorImage?: string;
  /** How often a PrometheusMetric trial's endpoint is scraped (ms); default 10,000. */
  readonly metricsScrapeIntervalMs?: number;
  /**
   * A PersistentVolumeClaim mounted in every pipeline step's pod at the local path of its run's
   * pipeline root, so steps read the artifacts earlier steps wrote (`--pipeline-volume`).
   */
  readonly pipelineVolume?: string;
}

export interface KubernetesPart {
  readonly kube: Kube;
  readonly leases: LeaseKeeper;
  /** Start the leader's work (it keeps trying while the API server does not answer). */
  lead(onError: (what: string) => (error: unknown) => void): void;
  /** Resolves once the leader's node inventory has had its first list (undefined when not leading). */
  synced(): Promise<void> | undefined;
  /** Stop the leader's work (reports already sent land first). */
  stepDown(): Promise<void>;
  /** A completed pipeline step's outputs, from the files its outputs collector printed (the run executor's `outputsOf`). */
  stepOutputs(run: Run, task: TaskRun, job: Pick<JobState, 'id'>): Promise<StepOutputsAnswer>;
  /** Jobs' logs, their pods' (every server reads them, leading or not). */
  readonly logs: JobLogSource;
  /** The node label naming a node's GPU type (the inventory's), which a pipeline step's node selector may ask for. */
  readonly gpuTypeLabel: string;
  /** Where pipeline steps' claims are made and deleted (kfp-kubernetes CreatePVC and DeletePVC). */
  readonly claims: PlatformOps;
}

/** The stream a pipeline step's collected outputs are kept in. */
export const stepOutputsStream = (jobId: string): string => `step-outputs-${jobId}`;
const STEP_OUTPUTS_COLLECTED = 'StepOutputsCollected';

/** The most of a collector's log kept: outputs beyond it read as cut short, and the step fails saying so. */
export const MAX_STEP_OUTPUTS_LOG = 8 * 2 ** 20;

/** Keep a step's collected outputs (the collector's log), once: a second collection (a restart) keeps the first. */
export async function recordStepOutputs(store: EventStore, jobId: string, log: string): Promise<void> {
  const stream = stepOutputsStream(jobId);
  if ((await store.read(stream, { maxCount: 1 })).length > 0) return;
  const data = { jobId, log: log.slice(0, MAX_STEP_OUTPUTS_LOG) };
  // 'no_stream': of two collections racing, the first is kept and the other is refused, quietly.
  await store.append(stream, [{ id: randomUUID(), type: STEP_OUTPUTS_COLLECTED, data }], 'no_stream');
}

/** A completed step's outputs from what was kept of its collector's log (nothing kept: no files). */
export async function readStepOutputs(
  store: EventStore,
  run: Run,
  task: TaskRun,
  job: Pick<JobState, 'id'>,
): Promise<StepOutputsAnswer> {
  const [kept] = await store.read(stepOutputsStream(job.id), { maxCount: 1 });
  const log = kept && typeof (kept.data as { log?: unknown }).log === 'string' ? (kept.data as { log: string }).log : '';
  const dump = readFileDump(log);
  if (dump.broken.length > 0) return { unreadable: `its output files were cut short: ${dump.broken.join(', ')}` };
  const files = new Map(dump.files.map((f) => [f.path, Buffer.from(f.bytes).toString('utf8')]));
  const component = componentOf(run.spec, { componentRef: { name: task.component } } as TaskSpec);
  const parsed = parseStepOutputs(files, provisionedStepOutputs(run, task), component?.outputDefinitions);
  return parsed.ok ? parsed.value : { unreadable: parsed.message };
}

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

async function ownNamespace(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return (await readFile(SERVICE_ACCOUNT_NAMESPACE, 'utf8').catch(() => 'default')).trim() || 'default';
}

export async function kubernetesPart(
  engine: Engine,
  assets: AssetsEngine,
  experiments: ExperimentsEngine,
  store: EventStore,
  options: KubernetesServeOptions,
): Promise<KubernetesPart> {
  const kube = connect({
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
  });
  const leases = kubernetesLeases(kube, { namespace: options.leaseNamespace ?? (await ownNamespace()) });
  let work:
    | {
        nodes: NodeInventory;
        wakeups: Wakeups;
        runtime: { stop(): void | Promise<void> };
        admission: { stop(): void | Promise<void> };
      }
    | undefined;
  return {
    kube,
    leases,
    lead(onError) {
      const nodes = startNodeInventory(engine, kube, {
        ...(options.gpuResource ? { gpuResource: options.gpuResource } : {}),
        ...(options.gpuTypeLabel ? { gpuTypeLabel: options.gpuTypeLabel } : {}),
        ...(options.notReadyGraceSeconds === undefined ? {} : { notReadyGraceSeconds: options.notReadyGraceSeconds }),
        onError: onError('the node inventory'),
      });
      const wakeups = startWakeups(engine, { name: 'k8s-wakeups', onError: onError('a maximum-wait wake-up') });
      const runtime = startKubernetesRuntime(engine, assets, store, kube, {
        ...(options.namespaces ? { namespaces: options.namespaces } : {}),
        ...(options.defaultNamespace ? { defaultNamespace: options.defaultNamespace } : {}),
        ...(options.gpuResource ? { gpuResource: options.gpuResource } : {}),
        // A tuning trial's metrics, by its experiment's collector: its log, a sidecar's, or its endpoint.
        collectMetrics: (job) => trialMetricsCollection(experiments, job),
        ...(options.metricsCollectorImage ? { metricsCollectorImage: options.metricsCollectorImage } : {}),
        ...(options.metricsScrapeIntervalMs === undefined ? {} : { metricsScrapeIntervalMs: options.metricsScrapeIntervalMs }),
        ...(options.pipelineVolume ? { pipelineVolume: options.pipelineVolume } : {}),
        recordStepOutputs: (job, log) => recordStepOutputs(store, job.id, log),
        onError: onError('the Kubernetes runtime'),
      });
      const admission = startAdmission(engine, store, kube, {
        ...(options.gpuResource ? { gpuResource: options.gpuResource } : {}),
        onError: onError('admitting a Kubernetes Job'),
      });
      work = { nodes, wakeups, runtime, admission };
    },
    synced: () => work?.nodes.synced,
    gpuTypeLabel: options.gpuTypeLabel ?? DEFAULT_GPU_TYPE_LABEL,
    logs: kubernetesJobLogs(kube, options),
    claims: kubernetesClaims(kube, options),
    stepOutputs: (run, task, job) => readStepOutputs(store, run, task, job),
    async stepDown() {
      const stopping = work;
      work = undefined;
      if (!stopping) return;
      stopping.wakeups.stop();
      await Promise.all([stopping.nodes.stop(), stopping.runtime.stop(), stopping.admission.stop()]);
    },
  };
}
