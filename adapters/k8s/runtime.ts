/**
 * The Kubernetes runtime: gpupool's jobs run as pods (pods.ts) on the nodes their allocation names,
 * and what the pods do is reported to the engine (pod-status.ts). It takes the place of the
 * simulated realtime runtime (adapters/memory/realtime-runtime.ts) and is built the same way:
 *
 * - It follows the cluster stream **through the store port**, the engine caught up to each event
 *   before it reacts, and reacts to JobAllocated (create the job's Services, then its pods),
 *   JobStarted (the pods may have finished already), JobStopRequested (delete the pods; once the
 *   watch has seen them all gone, ReleaseJob) and JobCompleted/JobFailed/JobStopped (delete what
 *   is left: a failed job's other workers, the Services).
 * - It watches gpupool's pods (label `app.kubernetes.io/managed-by=gpupool`) with a list-then-watch
 *   (list-watch.ts), and turns each job's pods into reports: started, completed (after its final
 *   metrics, from the termination message), failed with Kubernetes' reason; a pod someone else
 *   deletes fails its job `PodDeleted`.
 * - Every report carries an id derived from the event that put the job where it is: the revision
 *   of its JobAllocated (from `job.history`) for `started`, `completed` and `failed`, that of its
 *   JobStopRequested for `released` (`reactionId('k8s-runtime', revision, reaction)`). A restarted
 *   runtime, or a second one, sends the same ids, and the engine answers repeats as duplicates. A
 *   rejection (the job moved on meanwhile) or a duplicate is nothing to do.
 * - **Restart**: once the first list is in (`synced`), it reconciles the engine's state with the
 *   pods: the pods of live jobs are adopted (a pod that finished while gpupool was down is reported
 *   now), Starting jobs get the pods they lack, a Running job whose pods are all gone fails
 *   `PodDeleted`, a Stopping job whose pods are gone is released, and gpupool's pods and Services
 *   of jobs the engine has not unfinished are deleted. Only then does it follow the stream.
 * - Creates run concurrently (64 in flight by default), all through the connection's rate limit;
 *   a create that finds the object there already (a restart) takes it as made.
 * - A pipeline step's outputs (the log of its outputs collector) are handed to `recordStepOutputs`
 *   before it is reported completed.
 * - Jobs whose spec names a `kubernetesJob` are the Job admission component's, not this one's.
 */
import { randomUUID } from 'node:crypto';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import {
  decodeMetricsEvent,
  finalMetrics,
  lastSteps,
  MAX_METRIC_POINTS,
  type MetricPointInput,
  metricSeries,
  metricsStream,
  reportMetrics,
} from '../../core/assets/metrics.js';
import type { AssetsState } from '../../core/assets/model.js';
import type { Command } from '../../core/cluster/commands.js';
import { type Event, RUNTIME_EVENTS } from '../../core/cluster/events.js';
import type { JobState } from '../../core/cluster/model.js';
import type { EventStore } from '../../core/ports.js';
import type { Engine } from '../../engine/engine.js';
import { type EngineFollower, followEngine } from '../../engine/follow-engine.js';
import { reactionId } from '../../engine/reactor.js';
import { apiStatus, isAlreadyExists, isNotFound, type Kube } from './kube.js';
import { type ListWatch, type ListWatchOptions, startListWatch } from './list-watch.js';
import { METRICS_COLLECTOR_CONTAINER, type MetricsSidecar, OUTPUTS_COLLECTOR_CONTAINER } from './metrics-sidecar.js';
import { judgePods, type PodStatusOptions, stuckContainers } from './pod-status.js';
import {
  isKubernetesJob,
  JOB_ID_ANNOTATION,
  JOB_LABEL,
  type JobManifests,
  jobManifests,
  MANAGED_SELECTOR,
  ownedBy,
  type PodOptions,
  WORKER_LABEL,
} from './pods.js';

/** The reactor's name: the prefix of its command ids. */
export const K8S_RUNTIME_REACTOR = 'k8s-runtime';

export interface KubernetesRuntimeOptions extends PodOptions, PodStatusOptions {
  /** Kubernetes requests in flight at most (each also waits on the rate limit). Default 64. */
  readonly concurrency?: number;
  /**
   * Watch the pods of every namespace (default), or only of the namespaces jobs go to (the mapped
   * ones and the default): one list-watch each, for an account that may not list cluster-wide.
   */
  readonly watchScope?: 'cluster' | 'namespaces';
  /**
   * For a job whose metrics are collected from its output (a tuning trial): where they come from
   * and how they read. What is found is recorded as the job's metrics before it is reported
   * completed. See `MetricsCollection`.
   */
  readonly collectMetrics?: (job: JobState) => MetricsCollection | null;
  /**
   * A pipeline step's outputs: the log of its outputs-collector sidecar (pipeline-step.ts), read
   * when its pod has succeeded and handed over before the step is reported completed, so whoever
   * reads its outputs once it is complete finds them.
   */
  readonly recordStepOutputs?: (job: JobState, log: string) => Promise<void>;
  /** How often a job's Prometheus endpoint is scraped while it runs (ms). Default 10,000. */
  readonly metricsScrapeIntervalMs?: number;
  /** Told for each pod created: its job, and the milliseconds since the job was allocated. */
  readonly onPodCreated?: (jobId: string, ms: number) => void;
  /** Where a failure goes (a request refused, a report the store could not take). Default: stderr. */
  readonly onError?: (error: unknown) => void;
  readonly listWatch?: ListWatchOptions;
}

/**
 * Where a job's collected metrics come from:
 * - `log`: the primary container's log (`main` of worker 0), read when the job's pods succeed
 *   (Katib's StdOut collector);
 * - `sidecar`: the log of worker 0's metrics-collector sidecar (metrics-sidecar.ts), which prints
 *   the file the trial wrote once the primary has ended (File and TensorFlowEvent); the pod gets
 *   the sidecar and its volume;
 * - `prometheus`: worker 0's endpoint at `port` and `path`, scraped through the API server's pod
 *   proxy every `metricsScrapeIntervalMs` while the pod runs and once more when it has ended (which
 *   finds nothing on a real cluster, where the process is gone: the last scrape while it ran
 *   counts). Each scrape's points are kept when a metric's value changed (min, max and latest
 *   read the same), numbered in order. Scrapes are kept in memory: a runtime that restarts while a
 *   job runs has only the scrapes after it.
 */
export type MetricsCollection =
  | { readonly from: 'log'; readonly parse: (log: string) => MetricPointInput[] }
  | { readonly from: 'sidecar'; readonly sidecar: MetricsSidecar; readonly parse: (log: string) => MetricPointInput[] }
  | {
      readonly from: 'prometheus';
      readonly port: number;
      readonly path: string;
      /** The points of one scrape; `at` is its time (epoch seconds). */
      readonly parse: (exposition: string, at: number) => MetricPointInput[];
    };

export const DEFAULT_METRICS_SCRAPE_INTERVAL_MS = 10_000;
/** How long a completion waits for the scrape after the pod has ended. */
const FINAL_SCRAPE_MS = 5_000;

/** A job's Prometheus scrapes so far: its points, each metric's last value and next step, the next scrape. */
interface Scrapes {
  readonly points: MetricPointInput[];
  readonly last: Map<string, number>;
  readonly steps: Map<string, number>;
  timer?: ReturnType<typeof setTimeout>;
}

export interface KubernetesRuntime {
  /** Resolves once the pods were first listed and the engine's state reconciled with them. */
  readonly synced: Promise<void>;
  /** Stop watching and following the stream; requests and reports in flight still land. */
  stop(): Promise<void>;
  /** Resolves when nothing is in flight and every event and pod change seen so far is handled. */
  idle(): Promise<void>;
}

/** What the runtime reads of the assets: their current state (an assets engine). */
export interface AssetsSource {
  readonly current: Readonly<AssetsState>;
}

/** The events it reacts to; the others are skipped unread. */
const WATCHED = RUNTIME_EVENTS;
const RETRY_MS = 1000;
/** A create the server failed is tried again after this, doubling up to 30 s. */
const CREATE_BACKOFF_MS = 250;
const MAX_CREATE_BACKOFF_MS = 30_000;

const live = (job: JobState | undefined): boolean =>
  job !== undefined && (job.status === 'Starting' || job.status === 'Running' || job.status === 'Training');

function reportError(error: unknown): void {
  console.error(`gpupool kubernetes runtime: ${error instanceof Error ? error.message : String(error)}`);
}

/** The revision of the event that put `job` in `status` last (from its history). */
const revisionOf = (job: JobState, status: JobState['status']): number | undefined =>
  job.history.findLast((h) => h.status === status)?.revision;

const jobIdOf = (o: V1Pod | V1Service): string | undefined => o.metadata?.annotations?.[JOB_ID_ANNOTATION];
const podKey = (p: V1Pod | V1Service): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

/** A limit on concurrent work: `run` waits for a slot, in the order asked. */
function semaphore(size: number) {
  let active = 0;
  // A queue read from `head`: tens of thousands wait at once, and Array#shift would move them all each time.
  let waiting: (() => void)[] = [];
  let head = 0;
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting[head];
      if (next === undefined) active--;
      else {
        waiting[head++] = undefined as never;
        if (head === waiting.length || head > 4096) {
          waiting = waiting.slice(head);
          head = 0;
        }
        next();
      }
    }
  };
}

export function startKubernetesRuntime(
  engine: Engine,
  assets: AssetsSource,
  store: EventStore,
  kube: Kube,
  options: KubernetesRuntimeOptions = {},
): KubernetesRuntime {
  const onError = options.onError ?? reportError;
  // The pods' sidecar follows from how a job's metrics are collected, unless the caller says otherwise.
  const podOptions: PodOptions = {
    ...options,
    metricsSidecar:
      options.metricsSidecar ??
      ((job) => {
        const c = options.collectMetrics?.(job);
        return c?.from === 'sidecar' ? c.sidecar : null;
      }),
  };
  const scrapeEveryMs = options.metricsScrapeIntervalMs ?? DEFAULT_METRICS_SCRAPE_INTERVAL_MS;
  const limit = semaphore(options.concurrency ?? 64);
  const lookup = (id: string) => assets.current.assets.get(id);

  /** Pods by job id, then by rank, as the watch last told them. */
  const podsByJob = new Map<string, Map<number, V1Pod>>();
  /** Jobs whose creates are in flight. */
  const creating = new Set<string>();
  /** Pods whose deletion was asked (`namespace/name`), and jobs whose Services were. */
  const deletedPods = new Set<string>();
  const servicesDeleted = new Set<string>();
  /** Reports sent per job, by reaction, so a status is reported once. */
  const sent = new Map<string, Set<string>>();
  /** When each stuck container was first seen waiting (ms). */
  const waitingSince = new Map<string, number>();
  /** Per job: the timer that looks at it again when a stuck container's timeout runs out. */
  const rechecks = new Map<string, ReturnType<typeof setTimeout>>();
  /** Per job scraped for Prometheus metrics: the points so far, each metric's last value, the next scrape. */
  const scrapes = new Map<string, Scrapes>();

  let stopped = false;
  let ready = false;
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  /** The cluster stream after the state the start reconciled, each event once the engine has it. */
  let follower: EngineFollower | undefined;

  function report(error: unknown): void {
    try {
      onError(error);
    } catch {
      // The error handler's own failure is not the runtime's to report.
    }
  }

  function settle(): void {
    if (inFlight > 0 || follower?.busy) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Run `work` as something `idle()` waits for; its failure goes to `onError`. */
  function track(work: () => Promise<void>): void {
    inFlight++;
    work()
      .catch(report)
      .finally(() => {
        inFlight--;
        settle();
      });
  }

  const idFor = (revision: number | undefined, reaction: string) =>
    revision === undefined ? {} : { commandId: reactionId(K8S_RUNTIME_REACTOR, revision, reaction) };

  /** Send `command` once per job and reaction; rejections and duplicates are nothing to do. */
  async function send(jobId: string, reaction: string, command: Command): Promise<void> {
    let reactions = sent.get(jobId);
    if (reactions?.has(reaction)) return;
    if (reactions === undefined) sent.set(jobId, (reactions = new Set()));
    reactions.add(reaction);
    try {
      await engine.execute(command);
    } catch (error) {
      reactions.delete(reaction); // the store failed: the next look at the job tries again
      throw error;
    }
  }

  // -- Kubernetes requests -------------------------------------------------------------------

  async function createService(service: V1Service): Promise<V1Service> {
    const namespace = service.metadata?.namespace ?? 'default';
    try {
      return await limit(() => kube.core.createNamespacedService({ namespace, body: service }));
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      return limit(() => kube.core.readNamespacedService({ namespace, name: service.metadata?.name ?? '' }));
    }
  }

  /** Create `pod`; true when it was made now, false when it was there already (ours). */
  async function createPod(pod: V1Pod, jobId: string): Promise<boolean> {
    const namespace = pod.metadata?.namespace ?? 'default';
    try {
      await limit(() => kube.core.createNamespacedPod({ namespace, body: pod }));
      return true;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const existing = await limit(() => kube.core.readNamespacedPod({ namespace, name: pod.metadata?.name ?? '' }));
      if (jobIdOf(existing) !== jobId) {
        throw Object.assign(new Error(`pod ${podKey(pod)} exists and is not job '${jobId}'s`), { permanent: true });
      }
      return false;
    }
  }

  /** Whether a failed request is worth trying again (the server or the network), not a refusal. */
  const transient = (error: unknown): boolean => {
    if ((error as { permanent?: boolean }).permanent) return false;
    const code = apiStatus(error).code;
    return code === undefined || code === 429 || code >= 500;
  };

  async function deleteQuietly(kind: 'pod' | 'service', namespace: string, name: string): Promise<void> {
    try {
      if (kind === 'pod') await limit(() => kube.core.deleteNamespacedPod({ namespace, name }));
      else await limit(() => kube.core.deleteNamespacedService({ namespace, name }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * Delete the job's pods (with their own grace period) not asked already, and its Services the
   * first time. Called again whenever more of its pods show up (made while it was being stopped).
   */
  function cleanUp(jobId: string, services: readonly { namespace: string; name: string }[] = []): void {
    const pods = [...(podsByJob.get(jobId)?.values() ?? [])].filter(
      (p) => !p.metadata?.deletionTimestamp && !deletedPods.has(podKey(p)),
    );
    for (const p of pods) deletedPods.add(podKey(p));
    let owned: readonly { namespace: string; name: string }[] = [];
    if (!servicesDeleted.has(jobId)) {
      servicesDeleted.add(jobId);
      owned = services;
      const job = engine.job(jobId);
      if (job && owned.length === 0 && !isKubernetesJob(job)) {
        const m = manifestsOf(job);
        if (m) owned = servicesOf(m);
      }
    }
    if (pods.length === 0 && owned.length === 0) return;
    track(async () => {
      await Promise.all([
        ...pods.map((p) => deleteQuietly('pod', p.metadata?.namespace ?? 'default', p.metadata?.name ?? '')),
        ...owned.map((s) => deleteQuietly('service', s.namespace, s.name)),
      ]);
    });
  }

  const servicesOf = (m: JobManifests) => m.services.map((s) => ({ namespace: m.namespace, name: s.metadata?.name ?? '' }));

  function manifestsOf(job: JobState): JobManifests | null {
    const r = jobManifests(job, lookup, podOptions);
    return r.ok ? r.manifests : null;
  }

  /** Create what a Starting job lacks: its Services, then the pods not seen yet. */
  function ensurePods(jobId: string): void {
    const job = engine.current.jobs.get(jobId);
    if (job?.status !== 'Starting' || isKubernetesJob(job) || creating.has(jobId)) return;
    const allocated = revisionOf(job, 'Starting');
    const r = jobManifests(job, lookup, podOptions);
    if (!r.ok) {
      track(() =>
        send(jobId, 'failed', {
          type: 'ReportJobFailed',
          jobId,
          reason: r.reason,
          message: r.message,
          ...idFor(allocated, 'failed'),
        }),
      );
      return;
    }
    const present = podsByJob.get(jobId);
    const missing = r.manifests.pods.filter((_, rank) => !present?.has(rank));
    if (missing.length === 0) return;
    creating.add(jobId);
    track(async () => {
      let backoff = CREATE_BACKOFF_MS;
      try {
        for (;;) {
          try {
            const services = await Promise.all(r.manifests.services.map((s) => createService(s)));
            const owner = services[0];
            const allocatedAt = job.allocatedAt;
            await Promise.all(
              missing.map(async (pod) => {
                if (stopped) return;
                const made = await createPod(owner ? ownedBy(pod, owner) : pod, jobId);
                if (made && allocatedAt !== null)
                  options.onPodCreated?.(jobId, Math.max(0, (engine.clock.now() - allocatedAt) * 1000));
              }),
            );
            return;
          } catch (error) {
            const now = engine.current.jobs.get(jobId);
            if (stopped || now?.status !== 'Starting') return;
            if (!transient(error)) {
              const s = apiStatus(error);
              await send(jobId, 'failed', {
                type: 'ReportJobFailed',
                jobId,
                reason: 'PodRejected',
                message: `Kubernetes refused job '${jobId}': ${s.message}`,
                ...idFor(allocated, 'failed'),
              });
              return;
            }
            report(error);
            await new Promise((resolve) => setTimeout(resolve, backoff).unref());
            backoff = Math.min(MAX_CREATE_BACKOFF_MS, backoff * 2);
          }
        }
      } finally {
        creating.delete(jobId);
        // Stopped or failed while its pods were being made: what was made goes.
        const after = engine.current.jobs.get(jobId);
        if (!stopped && !live(after)) {
          if (after?.status === 'Stopping' || after === undefined) cleanUp(jobId, servicesOf(r.manifests));
          else evaluate(jobId);
        }
      }
    });
  }

  // -- What the pods say ---------------------------------------------------------------------

  function recheck(jobId: string, at: number | null): void {
    const previous = rechecks.get(jobId);
    if (previous !== undefined) clearTimeout(previous);
    rechecks.delete(jobId);
    if (at === null || stopped) return;
    const handle = setTimeout(
      () => {
        rechecks.delete(jobId);
        evaluate(jobId);
      },
      Math.max(0, at - Date.now()),
    );
    handle.unref();
    rechecks.set(jobId, handle);
  }

  /** Look at a job's pods and report what they say, if the job is where that is news. */
  function evaluate(jobId: string): void {
    if (!ready || stopped) return;
    const job = engine.current.jobs.get(jobId);
    if (!job) {
      // Finished (or never gpupool's): whatever is left of it goes.
      if (engine.current.finished.has(jobId) && (podsByJob.get(jobId)?.size ?? 0) > 0) cleanUp(jobId);
      return;
    }
    if (isKubernetesJob(job)) return;
    const pods = podsByJob.get(jobId);
    if (job.status === 'Stopping') {
      if ((pods?.size ?? 0) === 0 && !creating.has(jobId)) {
        const r = revisionOf(job, 'Stopping');
        track(() => send(jobId, 'released', { type: 'ReleaseJob', jobId, ...idFor(r, 'released') }));
      } else if ((pods?.size ?? 0) > 0) {
        cleanUp(jobId);
      }
      return;
    }
    if (!live(job)) return;
    const allocated = revisionOf(job, 'Starting');
    const fail = (reason: string, message: string) =>
      track(() => send(jobId, 'failed', { type: 'ReportJobFailed', jobId, reason, message, ...idFor(allocated, 'failed') }));
    const now = Date.now();
    const byRank: (V1Pod | undefined)[] = Array.from({ length: job.workers }, (_, r) => pods?.get(r));
    for (const p of byRank) {
      if (p?.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded') {
        fail('PodDeleted', `pod ${podKey(p)} was deleted while job '${jobId}' ran`);
        return;
      }
      for (const s of p ? stuckContainers(p) : []) if (!waitingSince.has(s.key)) waitingSince.set(s.key, now);
    }
    // A started job's pods were all there: one missing now was deleted (seen while no runtime ran).
    const gone = byRank.indexOf(undefined);
    if (job.status !== 'Starting' && gone >= 0 && !creating.has(jobId)) {
      fail('PodDeleted', `the pod of worker ${gone} of job '${jobId}' is gone`);
      return;
    }
    const verdict = judgePods(byRank, job.workers, now, waitingSince, options);
    recheck(jobId, verdict.kind === 'pending' ? verdict.recheckAt : null);
    const collection = options.collectMetrics?.(job) ?? null;
    if (collection?.from === 'prometheus' && byRank[0]?.status?.phase === 'Running' && verdict.kind !== 'failed') {
      startScraping(jobId, collection);
    }
    const startedCommand = (): Command => {
      const endpoint = job.kind === 'notebook' || job.kind === 'inference' ? (manifestsOf(job)?.endpoint ?? null) : null;
      return { type: 'ReportJobStarted', jobId, ...idFor(allocated, 'started'), ...(endpoint === null ? {} : { endpoint }) };
    };
    switch (verdict.kind) {
      case 'failed':
        fail(verdict.reason, verdict.message);
        return;
      case 'started':
        if (job.status === 'Starting') track(() => send(jobId, 'started', startedCommand()));
        return;
      case 'completed': {
        const { metrics, finishedAt } = verdict;
        track(async () => {
          if (job.status === 'Starting') await send(jobId, 'started', startedCommand());
          if (sent.get(jobId)?.has('completed')) return;
          const primary = byRank[0];
          if (collection && primary?.metadata?.name) {
            let points: MetricPointInput[];
            if (collection.from === 'prometheus') {
              // The process is likely gone, and an API server that dials a vanished pod IP may take
              // long to say so: the completion waits FINAL_SCRAPE_MS at most; the last scrape counts.
              if (!scrapes.has(jobId)) scrapes.set(jobId, { points: [], last: new Map(), steps: new Map() });
              const final = scrape(jobId, primary, collection).catch(() => {});
              await Promise.race([final, new Promise((resolve) => setTimeout(resolve, FINAL_SCRAPE_MS).unref())]);
              points = scrapes.get(jobId)?.points ?? [];
            } else {
              const log = await limit(() =>
                kube.core.readNamespacedPodLog({
                  name: primary.metadata?.name ?? '',
                  namespace: primary.metadata?.namespace ?? 'default',
                  container: collection.from === 'sidecar' ? METRICS_COLLECTOR_CONTAINER : 'main',
                }),
              );
              points = collection.parse(log);
            }
            await recordCollectedMetrics(store, jobId, points, engine.clock.now());
            stopScraping(jobId);
          }
          const collector = primary?.spec?.containers.some((c) => c.name === OUTPUTS_COLLECTOR_CONTAINER);
          if (job.kind === 'pipeline-step' && options.recordStepOutputs && collector && primary?.metadata?.name) {
            const log = await limit(() =>
              kube.core.readNamespacedPodLog({
                name: primary.metadata?.name ?? '',
                namespace: primary.metadata?.namespace ?? 'default',
                container: OUTPUTS_COLLECTOR_CONTAINER,
              }),
            );
            await options.recordStepOutputs(job, String(log));
          }
          if (metrics !== null) {
            const at = finishedAt === null ? engine.clock.now() : finishedAt / 1000;
            await recordFinalMetrics(store, jobId, metrics, at);
          }
          await send(jobId, 'completed', { type: 'ReportJobCompleted', jobId, ...idFor(allocated, 'completed') });
        });
        return;
      }
      case 'pending':
        return;
    }
  }

  // -- Prometheus scrapes ----------------------------------------------------------------------

  /** One scrape of worker 0's endpoint through the API server's pod proxy; its new values kept (`scrapes`). */
  async function scrape(jobId: string, pod: V1Pod, c: Extract<MetricsCollection, { from: 'prometheus' }>): Promise<void> {
    const text = await limit(() =>
      kube.core.connectGetNamespacedPodProxyWithPath({
        name: `${pod.metadata?.name ?? ''}:${c.port}`,
        namespace: pod.metadata?.namespace ?? 'default',
        path: c.path.replace(/^\/+/, ''),
      }),
    );
    // Kept only while the job is scraped: a scrape that lands after the job's end adds nothing.
    const s = scrapes.get(jobId);
    if (s === undefined) return;
    for (const p of c.parse(String(text), engine.clock.now())) {
      if (s.last.get(p.name) === p.value) continue;
      s.last.set(p.name, p.value);
      const step = s.steps.get(p.name) ?? 0;
      s.steps.set(p.name, step + 1);
      if (s.points.length < MAX_METRIC_POINTS) s.points.push({ ...p, step });
    }
  }

  /** Scrape a running job every interval, until it ends (a failed scrape waits for the next). */
  function startScraping(jobId: string, c: Extract<MetricsCollection, { from: 'prometheus' }>): void {
    const existing = scrapes.get(jobId);
    if (existing?.timer !== undefined || stopped) return;
    const s: Scrapes = existing ?? { points: [], last: new Map(), steps: new Map() };
    scrapes.set(jobId, s);
    const tick = () => {
      const pod = podsByJob.get(jobId)?.get(0);
      if (stopped || scrapes.get(jobId) !== s || pod?.status?.phase !== 'Running') {
        s.timer = undefined;
        return;
      }
      track(async () => {
        await scrape(jobId, pod, c).catch(() => {}); // not listening yet, or restarting: the next scrape
        if (!stopped && scrapes.get(jobId) === s) {
          s.timer = setTimeout(tick, scrapeEveryMs);
          s.timer.unref();
        }
      });
    };
    s.timer = setTimeout(tick, 0);
    s.timer.unref();
  }

  function stopScraping(jobId: string): void {
    const s = scrapes.get(jobId);
    if (s?.timer !== undefined) clearTimeout(s.timer);
    scrapes.delete(jobId);
  }

  /** A running job's pod is gone, deleted by someone else: the job fails PodDeleted. */
  function podDeleted(job: JobState, message: string): void {
    const allocated = revisionOf(job, 'Starting');
    track(() =>
      send(job.id, 'failed', {
        type: 'ReportJobFailed',
        jobId: job.id,
        reason: 'PodDeleted',
        message,
        ...idFor(allocated, 'failed'),
      }),
    );
  }

  function onPodChange(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: V1Pod): void {
    const jobId = jobIdOf(pod);
    const rank = Number(pod.metadata?.labels?.[WORKER_LABEL]);
    if (jobId === undefined || !Number.isInteger(rank)) return;
    let pods = podsByJob.get(jobId);
    if (type === 'DELETED') {
      pods?.delete(rank);
      deletedPods.delete(podKey(pod));
      if (pods?.size === 0) {
        podsByJob.delete(jobId);
        if (!engine.current.jobs.has(jobId)) servicesDeleted.delete(jobId);
      }
      for (const s of stuckContainers(pod)) waitingSince.delete(s.key);
      const job = engine.current.jobs.get(jobId);
      if (ready && job !== undefined && live(job) && !isKubernetesJob(job) && pod.status?.phase !== 'Succeeded') {
        podDeleted(job, `pod ${podKey(pod)} was deleted while job '${jobId}' ran`);
        return;
      }
    } else {
      if (pods === undefined) podsByJob.set(jobId, (pods = new Map()));
      pods.set(rank, pod);
    }
    evaluate(jobId);
  }

  // -- The cluster stream --------------------------------------------------------------------

  function observe(e: Event): void {
    switch (e.type) {
      case 'JobAllocated':
        ensurePods(e.jobId);
        break;
      case 'JobStarted':
        evaluate(e.jobId);
        break;
      case 'JobStopRequested':
        if (podsByJob.has(e.jobId)) cleanUp(e.jobId);
        evaluate(e.jobId);
        break;
      case 'JobCompleted':
      case 'JobFailed':
      case 'JobStopped': {
        recheck(e.jobId, null);
        stopScraping(e.jobId);
        const job = engine.job(e.jobId);
        if (job && !isKubernetesJob(job)) cleanUp(e.jobId);
        sent.delete(e.jobId);
        break;
      }
      default:
        break;
    }
  }

  // -- Start: list, reconcile, follow --------------------------------------------------------

  /** Reconcile the engine's state with the pods just listed, then follow the stream. */
  async function reconcile(): Promise<void> {
    const services = await listServices();
    if (stopped) return;
    ready = true;
    const state = engine.current;
    const after = BigInt(engine.durableRevision);
    for (const ids of state.unfinished.values()) {
      for (const jobId of ids) {
        const job = state.jobs.get(jobId);
        if (!job || isKubernetesJob(job)) continue;
        const pods = podsByJob.get(jobId);
        if (job.status === 'Starting') {
          ensurePods(jobId);
          evaluate(jobId);
        } else if ((job.status === 'Running' || job.status === 'Training') && (pods?.size ?? 0) === 0) {
          podDeleted(job, `job '${jobId}' runs and none of its pods is left`);
        } else {
          evaluate(jobId);
        }
      }
    }
    // Strays: pods and Services of jobs the engine does not have unfinished.
    // A Job admission's objects are not this runtime's to judge: only its own (a worker's pod, a
    // job's Service, both naming their job) of jobs gone are.
    const stray = (o: V1Pod | V1Service) => {
      const id = jobIdOf(o);
      return id !== undefined && o.metadata?.labels?.[JOB_LABEL] !== undefined && !state.jobs.has(id);
    };
    for (const pods of podsByJob.values()) {
      for (const p of pods.values()) {
        if (!stray(p) || p.metadata?.deletionTimestamp) continue;
        deletedPods.add(podKey(p));
        track(() => deleteQuietly('pod', p.metadata?.namespace ?? 'default', p.metadata?.name ?? ''));
      }
    }
    for (const s of services) {
      if (!stray(s)) continue;
      track(() => deleteQuietly('service', s.metadata?.namespace ?? 'default', s.metadata?.name ?? ''));
    }
    follower = followEngine(engine, store, {
      after,
      types: WATCHED,
      onEvent: observe,
      onDrained: settle,
      onError: report,
      retryMs: RETRY_MS,
    });
  }

  const namespaces =
    options.watchScope === 'namespaces'
      ? [...new Set([options.defaultNamespace ?? 'default', ...Object.values(options.namespaces ?? {})])]
      : null;

  async function listServices(): Promise<V1Service[]> {
    const lists =
      namespaces === null
        ? [await limit(() => kube.core.listServiceForAllNamespaces({ labelSelector: MANAGED_SELECTOR }))]
        : await Promise.all(
            namespaces.map((namespace) =>
              limit(() => kube.core.listNamespacedService({ namespace, labelSelector: MANAGED_SELECTOR })),
            ),
          );
    return lists.flatMap((l) => l.items);
  }

  const handlers = {
    onChange: (type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: V1Pod) => {
      if (!stopped) onPodChange(type, pod);
    },
    onError: report,
  };
  const watches: ListWatch<V1Pod>[] = (namespaces === null ? [null] : namespaces).map((namespace) =>
    startListWatch<V1Pod>(
      kube,
      namespace === null
        ? {
            path: '/api/v1/pods',
            labelSelector: MANAGED_SELECTOR,
            list: (selectors) => kube.core.listPodForAllNamespaces(selectors),
          }
        : {
            path: `/api/v1/namespaces/${namespace}/pods`,
            labelSelector: MANAGED_SELECTOR,
            list: (selectors) => kube.core.listNamespacedPod({ namespace, ...selectors }),
          },
      handlers,
      options.listWatch,
    ),
  );

  let resolveSynced!: () => void;
  const synced = new Promise<void>((resolve) => {
    resolveSynced = resolve;
  });
  inFlight++; // the start itself: idle() waits for it
  (async () => {
    try {
      await Promise.all(watches.map((w) => w.synced));
      if (stopped) return;
      for (;;) {
        try {
          await reconcile();
          break;
        } catch (error) {
          report(error);
          if (stopped) return;
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
        }
      }
      resolveSynced();
    } finally {
      inFlight--;
      settle();
    }
  })();

  return {
    synced,
    async stop() {
      if (stopped) return;
      stopped = true;
      follower?.stop();
      for (const handle of rechecks.values()) clearTimeout(handle);
      rechecks.clear();
      for (const jobId of [...scrapes.keys()]) stopScraping(jobId);
      await Promise.all(watches.map((w) => w.stop()));
      settle();
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settle();
      });
    },
  };
}

/**
 * Record the metrics collected from a job's output, once: into its metrics stream only while that
 * is empty (a restarted runtime that collects again, or a job that pushed its own, adds nothing).
 */
export async function recordCollectedMetrics(
  store: EventStore,
  jobId: string,
  points: readonly MetricPointInput[],
  at: number,
): Promise<void> {
  if (points.length === 0) return;
  const r = reportMetrics(jobId, points.slice(0, MAX_METRIC_POINTS), at, new Map());
  if (!r.ok) throw new Error(`job '${jobId}': its collected metrics: ${r.message}`);
  await store.append(metricsStream(jobId), [{ id: randomUUID(), type: r.event.type, data: r.event }], 'no_stream');
}

/**
 * Append a completed job's final metrics (from its termination message) to its metrics stream,
 * each at the step after the metric's last, unless its final values are those already: a restart
 * that completes the job again records nothing twice.
 */
export async function recordFinalMetrics(
  store: EventStore,
  jobId: string,
  metrics: Readonly<Record<string, number>>,
  at: number,
): Promise<void> {
  const stream = metricsStream(jobId);
  for (let attempt = 0; attempt < 5; attempt++) {
    const events = [];
    let revision = -1n;
    for (let from = 0n; ; from += 1000n) {
      const page = await store.read(stream, { from, maxCount: 1000 });
      for (const r of page) {
        const d = decodeMetricsEvent(r.data);
        if (d.ok) events.push(d.value);
        revision = r.revision;
      }
      if (page.length < 1000) break;
    }
    const series = metricSeries(events);
    const final = finalMetrics(series);
    if (Object.entries(metrics).every(([k, v]) => final[k] === v)) return;
    const steps = lastSteps(series);
    const points = Object.entries(metrics).map(([name, value]) => {
      const last = steps.get(name);
      return { name, value, step: last === undefined ? 0 : last + 1 };
    });
    const r = reportMetrics(jobId, points, at, steps);
    if (!r.ok) throw new Error(`job '${jobId}': its final metrics: ${r.message}`);
    const appended = await store.append(
      stream,
      [{ id: randomUUID(), type: r.event.type, data: r.event }],
      revision < 0n ? 'no_stream' : revision,
    );
    if (appended.ok) return;
  }
  throw new Error(`job '${jobId}': its final metrics: other reports kept arriving first`);
}
