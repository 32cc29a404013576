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
 */
import type { AssetsEngine, ExperimentsEngine } from '../adapters/http/context.js';
import { startAdmission } from '../adapters/k8s/admission.js';
import { connect, type Kube } from '../adapters/k8s/kube.js';
import { kubernetesLeases, type LeaseKeeper } from '../adapters/k8s/leases.js';
import { type NodeInventory, startNodeInventory } from '../adapters/k8s/nodes.js';
import type { RateLimit } from '../adapters/k8s/rate-limit.js';
import { startKubernetesRuntime } from '../adapters/k8s/runtime.js';
import type { EventStore } from '../core/ports.js';
import type { Engine } from '../engine/engine.js';
import { startWakeups, type Wakeups } from '../engine/wakeups.js';
import { trialMetricsCollection } from './trial-metrics.js';

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
        onError: onError('the Kubernetes runtime'),
      });
      const admission = startAdmission(engine, store, kube, {
        ...(options.gpuResource ? { gpuResource: options.gpuResource } : {}),
        onError: onError('admitting a Kubernetes Job'),
      });
      work = { nodes, wakeups, runtime, admission };
    },
    synced: () => work?.nodes.synced,
    async stepDown() {
      const stopping = work;
      work = undefined;
      if (!stopping) return;
      stopping.wakeups.stop();
      await Promise.all([stopping.nodes.stop(), stopping.runtime.stop(), stopping.admission.stop()]);
    },
  };
}
