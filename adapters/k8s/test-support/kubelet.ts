/**
 * A KWOK-like simulator of the cluster's moving parts for the fake API server: kubelets (pod
 * lifecycles on nodes), the default scheduler (for pods without `spec.nodeName`), and the batch/v1
 * Job controller (`job-controller.ts`). It drives the fake in-process, from its event listener and
 * timers, so everything it does shows up to HTTP clients as ordinary writes and watch events.
 *
 * Nodes: `addNode(name, { gpus })` creates a Ready node with `nvidia.com/gpu` allocatable (or
 * `resource`), label `nvidia.com/gpu.product` (default A100) and `kubernetes.io/hostname`.
 *
 * Pods bound to a node go Pending -> Running -> Succeeded/Failed, timed by annotations:
 *
 *   sim.gpupool.io/start-after-ms  delay before Running (default: option startAfterMs, 20)
 *   sim.gpupool.io/run-for-ms      time Running before the containers exit (default: option
 *                                  runForMs; null = run until deleted)
 *   sim.gpupool.io/exit-code       exit code at the end of the run; non-zero -> Failed, container
 *                                  terminated with reason Error (implies run-for-ms 0 if absent)
 *   sim.gpupool.io/fail-reason     OOMKilled: terminated reason OOMKilled, exit 137, Failed;
 *                                  Evicted: phase Failed, status.reason Evicted, with a message;
 *                                  (both at the end of the run; run-for-ms defaults to 0)
 *                                  ImagePullBackOff: stays Pending, containers waiting with reason
 *                                  ImagePullBackOff, never runs
 *   sim.gpupool.io/log             the text `GET pods/{name}/log` returns once the pod runs
 *   sim.gpupool.io/files           JSON {path: text}: files the pod's primary container writes;
 *   sim.gpupool.io/files-base64    JSON {path: base64}: the same, for binary files. A metrics-
 *                                  or outputs-collector sidecar (adapters/k8s/metrics-sidecar.ts) in the pod
 *                                  then logs, once the pod's containers exit, what its script
 *                                  would print of them (`sidecarOutput`)
 *   sim.gpupool.io/http            JSON {"<port>/<path>": body}: what the pod serves while it runs,
 *                                  through `GET pods/{name}:{port}/proxy/{path}`
 *
 * A pod whose run would outlast its `spec.activeDeadlineSeconds` (counted from when it runs) is
 * stopped there: phase Failed, status.reason DeadlineExceeded, its containers exit 137.
 *
 * A pod with `deletionTimestamp` has its containers stopped (exit 143, phase Failed) and is removed after
 * min(its grace period, option terminationMs = 50 ms). Pods on a NotReady node keep their state:
 * transitions due while the node is NotReady (start, exit, the end of a graceful deletion) happen
 * when it is Ready again, as with a real kubelet that cannot reach the API server; a delete with
 * grace 0 still removes such a pod at once. Pods on a removed node are marked Failed with reason
 * NodeLost.
 *
 * Efficiency: pods are indexed by node and jobs' pods by owner, so an event costs work
 * proportional to one node or one job, never to all pods (the adapter's benchmark runs 20,000
 * pods on 1,000 nodes).
 */
import { randomUUID } from 'node:crypto';
import {
  METRICS_COLLECTOR_CONTAINER,
  type MetricsSidecar,
  OUTPUTS_COLLECTOR_CONTAINER,
  sidecarOutput,
} from '../metrics-sidecar.js';
import { JobController } from './job-controller.js';
import { type Json, type K8sObject, resolveType } from './resources.js';
import { HOSTNAME_LABEL, isNodeReady, isTerminal, nodeAffinityAdmits, pinnedNodes, unfitReason } from './scheduling.js';
import { ApiError } from './status.js';
import { type ObjectStore, type StoreEvent, timestamp } from './store.js';

export const ANNOTATIONS = {
  startAfterMs: 'sim.gpupool.io/start-after-ms',
  runForMs: 'sim.gpupool.io/run-for-ms',
  exitCode: 'sim.gpupool.io/exit-code',
  failReason: 'sim.gpupool.io/fail-reason',
  log: 'sim.gpupool.io/log',
  files: 'sim.gpupool.io/files',
  filesBase64: 'sim.gpupool.io/files-base64',
  http: 'sim.gpupool.io/http',
} as const;

/** A JSON object of strings from an annotation; empty when absent or not one. */
function jsonAnnotation(pod: K8sObject, name: string): Record<string, string> {
  const raw = annotation(pod, name);
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

/** The files the pod's annotations say its primary container writes. */
function simulatedFiles(pod: K8sObject): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const [path, text] of Object.entries(jsonAnnotation(pod, ANNOTATIONS.files))) files.set(path, Buffer.from(text, 'utf8'));
  for (const [path, b64] of Object.entries(jsonAnnotation(pod, ANNOTATIONS.filesBase64)))
    files.set(path, Buffer.from(b64, 'base64'));
  return files;
}

/** The metrics-collector (or outputs-collector) sidecar a container is, read from its environment; null for any other container. */
function sidecarOf(container: Json): MetricsSidecar | null {
  if (container?.name !== METRICS_COLLECTOR_CONTAINER && container?.name !== OUTPUTS_COLLECTOR_CONTAINER) return null;
  const env = new Map<string, string>((container.env ?? []).map((e: Json) => [e.name, e.value]));
  const named = env.get('FILES');
  if (named) return { kind: 'files', paths: named.split('\n') };
  const file = env.get('METRICS_FILE');
  const dir = env.get('METRICS_DIR');
  return file ? { kind: 'file', path: file } : dir ? { kind: 'tfevent', directory: dir } : null;
}

export interface KubeletOptions {
  /** Default delay from binding to Running (ms; default 20). */
  startAfterMs?: number;
  /** Default run time before containers exit 0 (ms; default null: run until deleted). */
  runForMs?: number | null;
  /** Longest time a deleted pod takes to stop (ms; default 50). */
  terminationMs?: number;
  /** Place pods without a node (default true). */
  scheduler?: boolean;
  /** Which `spec.schedulerName`s the built-in scheduler serves (default ['default-scheduler']; unset counts as that). */
  schedulerNames?: string[];
  /** Run the batch/v1 Job controller (default true). */
  jobController?: boolean;
}

export interface NodeSpec {
  gpus: number;
  /** `nvidia.com/gpu.product` label (default 'A100'). */
  product?: string;
  labels?: Record<string, string>;
  /** The extended resource GPUs are counted in (default 'nvidia.com/gpu'). */
  resource?: string;
  cpu?: string;
  memory?: string;
}

type Step = 'start' | 'finish' | 'terminate';

interface PodRecord {
  pod: K8sObject;
  node: string | undefined;
  /** What the simulator has done so far. */
  stage: 'new' | 'starting' | 'running' | 'stopped' | 'terminating';
  timer?: NodeJS.Timeout;
  /** A step that came due while the node was NotReady. */
  blocked?: Step;
  startedAt?: string;
  containerIds?: string[];
  /** Its run outlasts its `activeDeadlineSeconds`: it ends there, stopped by the kubelet. */
  pastDeadline?: boolean;
}

function podKey(pod: K8sObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

function annotation(pod: K8sObject, name: string): string | undefined {
  return pod.metadata.annotations?.[name];
}

function numberAnnotation(pod: K8sObject, name: string): number | undefined {
  const raw = annotation(pod, name);
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

function hex(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(Math.random() * 16).toString(16);
  return out;
}

function condition(type: string, status: boolean, reason?: string, message?: string): Json {
  return {
    type,
    status: status ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: timestamp(),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

export class KubeletSimulator {
  private readonly options: Required<Omit<KubeletOptions, 'runForMs'>> & { runForMs: number | null };
  private readonly nodes = new Map<string, K8sObject>();
  private readonly pods = new Map<string, PodRecord>();
  private readonly podsByNode = new Map<string, Set<string>>();
  private readonly unscheduled = new Set<string>();
  private readonly jobs: JobController | undefined;
  private readonly unsubscribe: () => void;
  private scheduleQueued: NodeJS.Immediate | undefined;
  private nodeAddressCounter = 0;
  private podIpCounter = 0;
  private closed = false;

  constructor(
    private readonly api: ObjectStore,
    options: KubeletOptions = {},
  ) {
    this.options = {
      startAfterMs: options.startAfterMs ?? 20,
      runForMs: options.runForMs ?? null,
      terminationMs: options.terminationMs ?? 50,
      scheduler: options.scheduler ?? true,
      schedulerNames: options.schedulerNames ?? ['default-scheduler'],
      jobController: options.jobController ?? true,
    };
    this.jobs = this.options.jobController ? new JobController(api) : undefined;
    this.unsubscribe = api.onEvent((e) => this.onEvent(e));
    // Objects created before the simulator started are taken in as if they had just been added.
    const nodes = resolveType('nodes');
    const pods = resolveType('pods');
    for (const node of api.list('nodes'))
      this.onEvent({ type: 'ADDED', object: node, resource: nodes, resourceVersion: api.resourceVersion });
    for (const pod of api.list('pods'))
      this.onEvent({ type: 'ADDED', object: pod, resource: pods, resourceVersion: api.resourceVersion });
    this.jobs?.syncExisting();
  }

  // ---- nodes ----------------------------------------------------------------------------------

  /** Creates a Ready node with `gpus` GPUs. */
  addNode(name: string, spec: NodeSpec): K8sObject {
    const resource = spec.resource ?? 'nvidia.com/gpu';
    this.nodeAddressCounter += 1;
    const n = this.nodeAddressCounter;
    const address = `192.168.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
    const resources = {
      cpu: spec.cpu ?? '64',
      memory: spec.memory ?? '512Gi',
      pods: '110',
      'ephemeral-storage': '1Ti',
      [resource]: String(spec.gpus),
    };
    return this.api.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/os': 'linux',
          [HOSTNAME_LABEL]: name,
          'nvidia.com/gpu.product': spec.product ?? 'A100',
          'nvidia.com/gpu.count': String(spec.gpus),
          ...(spec.labels ?? {}),
        },
        annotations: { 'kwok.x-k8s.io/node': 'fake' },
      },
      spec: {},
      status: {
        capacity: resources,
        allocatable: { ...resources },
        conditions: [condition('Ready', true, 'KubeletReady', 'kubelet is posting ready status')],
        addresses: [
          { type: 'InternalIP', address },
          { type: 'Hostname', address: name },
        ],
        // Every field: the Python client refuses a NodeSystemInfo that lacks one.
        nodeInfo: {
          architecture: 'amd64',
          bootID: randomUUID(),
          containerRuntimeVersion: 'containerd://1.7.0',
          kernelVersion: '6.1.0-sim',
          kubeProxyVersion: 'v1.32.0',
          kubeletVersion: 'v1.32.0',
          machineID: hex(32),
          operatingSystem: 'linux',
          osImage: 'Simulated Linux',
          systemUUID: randomUUID(),
        },
        phase: 'Running',
      },
    });
  }

  /** Sets the node's Ready condition. */
  setReady(name: string, ready: boolean): void {
    const reason = ready ? 'KubeletReady' : 'NodeStatusUnknown';
    const message = ready ? 'kubelet is posting ready status' : 'Kubelet stopped posting node status.';
    this.api.patch(
      'nodes',
      undefined,
      name,
      { status: { conditions: [condition('Ready', ready, reason, message)] } },
      { subresource: 'status' },
    );
  }

  /** Deletes the node; its unfinished pods are marked Failed (NodeLost). */
  removeNode(name: string): void {
    this.api.delete('nodes', undefined, name);
  }

  /** Changes the node's GPU capacity and allocatable. */
  setGpus(name: string, gpus: number, resource = 'nvidia.com/gpu'): void {
    const value = { [resource]: String(gpus) };
    this.api.patch('nodes', undefined, name, { status: { capacity: value, allocatable: value } }, { subresource: 'status' });
  }

  /** Stops all timers and stops reacting to events. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const rec of this.pods.values()) clearTimeout(rec.timer);
    if (this.scheduleQueued) clearImmediate(this.scheduleQueued);
    this.jobs?.close();
  }

  // ---- events ---------------------------------------------------------------------------------

  private onEvent(event: StoreEvent): void {
    if (this.closed) return;
    const plural = event.resource.plural;
    if (plural === 'nodes') this.onNode(event);
    else if (plural === 'pods') this.onPod(event);
    if (this.jobs && (plural === 'pods' || plural === 'jobs')) this.jobs.onEvent(event);
  }

  private onNode(event: StoreEvent): void {
    const node = event.object;
    const name = node.metadata.name!;
    if (event.type === 'DELETED') {
      this.nodes.delete(name);
      for (const key of this.podsByNode.get(name) ?? []) {
        const rec = this.pods.get(key);
        if (rec && !isTerminal(rec.pod)) this.loseNode(rec, name);
      }
      return;
    }
    const before = this.nodes.get(name);
    this.nodes.set(name, node);
    if (isNodeReady(node) && !(before && isNodeReady(before))) {
      for (const key of this.podsByNode.get(name) ?? []) {
        const rec = this.pods.get(key);
        if (rec?.blocked) {
          const step = rec.blocked;
          rec.blocked = undefined;
          this.run(rec, step);
        } else if (rec) this.advance(rec);
      }
    }
    if (this.unscheduled.size > 0) this.requestScheduling();
  }

  private onPod(event: StoreEvent): void {
    const pod = event.object;
    const key = podKey(pod);
    let rec = this.pods.get(key);
    if (event.type === 'DELETED') {
      if (rec) {
        clearTimeout(rec.timer);
        this.pods.delete(key);
        if (rec.node) this.podsByNode.get(rec.node)?.delete(key);
      }
      this.unscheduled.delete(key);
      if (this.unscheduled.size > 0) this.requestScheduling();
      return;
    }
    if (rec && rec.pod.metadata.uid !== pod.metadata.uid) {
      clearTimeout(rec.timer);
      rec = undefined;
    }
    if (!rec) {
      rec = { pod, node: undefined, stage: 'new' };
      this.pods.set(key, rec);
    }
    const wasTerminal = isTerminal(rec.pod);
    rec.pod = pod;
    const node: string | undefined = pod.spec?.nodeName || undefined;
    if (node !== rec.node) {
      if (rec.node) this.podsByNode.get(rec.node)?.delete(key);
      if (node) {
        let set = this.podsByNode.get(node);
        if (!set) this.podsByNode.set(node, (set = new Set()));
        set.add(key);
      }
      rec.node = node;
    }
    if (node) this.unscheduled.delete(key);
    else if (!isTerminal(pod) && !pod.metadata.deletionTimestamp && this.schedules(pod) && !this.unscheduled.has(key)) {
      this.unscheduled.add(key);
      this.requestScheduling();
    }
    if (isTerminal(pod) && !wasTerminal && this.unscheduled.size > 0) this.requestScheduling();
    this.advance(rec);
  }

  // ---- pod lifecycle --------------------------------------------------------------------------

  /** Starts whatever the pod's current state calls for. */
  private advance(rec: PodRecord): void {
    const pod = rec.pod;
    if (pod.metadata.deletionTimestamp) {
      if (rec.stage === 'terminating') return;
      clearTimeout(rec.timer);
      rec.blocked = undefined;
      rec.stage = 'terminating';
      const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
      this.after(rec, Math.min(graceMs, this.options.terminationMs), 'terminate');
      return;
    }
    if (!rec.node || rec.stage !== 'new') return;
    if (isTerminal(pod)) {
      rec.stage = 'stopped';
      return;
    }
    // A kubelet admits a pod bound to its node only if the node carries the pod's node selector and
    // satisfies its required node affinity: a pod placed by nodeName past the scheduler fails at
    // once, as a real one does.
    const node = this.nodes.get(rec.node) ?? ({ metadata: { name: rec.node, labels: {} } } as K8sObject);
    if (!nodeAffinityAdmits(pod, node)) {
      rec.stage = 'stopped';
      this.writeStatus(rec, {
        phase: 'Failed',
        reason: 'NodeAffinity',
        message: 'Pod was rejected: Predicate NodeAffinity failed',
      });
      return;
    }
    rec.stage = 'starting';
    const delay = numberAnnotation(pod, ANNOTATIONS.startAfterMs) ?? this.options.startAfterMs;
    if (pod.status?.phase === 'Running') {
      rec.stage = 'running';
      rec.startedAt = pod.status.startTime ?? timestamp();
      this.scheduleFinish(rec);
    } else this.after(rec, delay, 'start');
  }

  private after(rec: PodRecord, ms: number, step: Step): void {
    clearTimeout(rec.timer);
    rec.timer = setTimeout(
      () => {
        rec.timer = undefined;
        if (this.closed || this.pods.get(podKey(rec.pod)) !== rec) return;
        this.run(rec, step);
      },
      Math.max(0, ms),
    );
  }

  private run(rec: PodRecord, step: Step): void {
    const node = rec.node ? this.nodes.get(rec.node) : undefined;
    // A NotReady node's kubelet does nothing, so the step waits for the node to be Ready again:
    // even a graceful deletion stays pending there (a delete with grace 0 removes the pod at once).
    // A pod bound to a node that does not exist yet starts once the node appears; a terminating
    // pod whose node is gone is removed.
    const waits = step === 'terminate' ? !!node && !isNodeReady(node) : !node || !isNodeReady(node);
    if (waits) {
      rec.blocked = step;
      return;
    }
    try {
      if (step === 'start') this.start(rec);
      else if (step === 'finish') this.finish(rec);
      else this.terminate(rec);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }

  private scheduleFinish(rec: PodRecord): void {
    const pod = rec.pod;
    const failing = annotation(pod, ANNOTATIONS.failReason) !== undefined || annotation(pod, ANNOTATIONS.exitCode) !== undefined;
    const runFor = numberAnnotation(pod, ANNOTATIONS.runForMs) ?? this.options.runForMs ?? (failing ? 0 : null);
    const deadline = pod.spec?.activeDeadlineSeconds;
    const deadlineMs = typeof deadline === 'number' && deadline > 0 ? deadline * 1000 : null;
    if (deadlineMs !== null && (runFor === null || runFor > deadlineMs)) {
      rec.pastDeadline = true;
      this.after(rec, deadlineMs, 'finish');
    } else if (runFor !== null) this.after(rec, runFor, 'finish');
  }

  private hostIp(node: string | undefined): string {
    const addresses = (node && this.nodes.get(node)?.status?.addresses) || [];
    return addresses.find((a: Json) => a.type === 'InternalIP')?.address ?? '192.168.0.1';
  }

  private baseStatus(rec: PodRecord): Json {
    const hostIP = this.hostIp(rec.node);
    return { hostIP, hostIPs: [{ ip: hostIP }], qosClass: rec.pod.status?.qosClass ?? 'BestEffort' };
  }

  private containers(pod: K8sObject): Json[] {
    return pod.spec?.containers ?? [];
  }

  private writeStatus(rec: PodRecord, status: Json): void {
    const pod = rec.pod;
    this.api.update(
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace }, status },
      { subresource: 'status' },
    );
  }

  private start(rec: PodRecord): void {
    const pod = rec.pod;
    const now = timestamp();
    if (annotation(pod, ANNOTATIONS.failReason) === 'ImagePullBackOff') {
      rec.stage = 'stopped';
      this.writeStatus(rec, {
        ...this.baseStatus(rec),
        phase: 'Pending',
        startTime: now,
        conditions: [
          condition('PodReadyToStartContainers', true),
          condition('Initialized', true),
          condition(
            'Ready',
            false,
            'ContainersNotReady',
            'containers with unready status: [' +
              this.containers(pod)
                .map((c) => c.name)
                .join(' ') +
              ']',
          ),
          condition('ContainersReady', false, 'ContainersNotReady'),
          condition('PodScheduled', true),
        ],
        containerStatuses: this.containers(pod).map((c) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          started: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } },
          lastState: {},
        })),
      });
      return;
    }
    this.podIpCounter += 1;
    const n = this.podIpCounter;
    const podIP = `10.${(Math.floor(n / 65_536) % 200) + 1}.${Math.floor(n / 256) % 256}.${n % 256}`;
    rec.stage = 'running';
    rec.startedAt = now;
    rec.containerIds = this.containers(pod).map(() => `containerd://${hex(64)}`);
    const log = annotation(pod, ANNOTATIONS.log);
    if (log !== undefined) this.api.setPodLog(pod.metadata.namespace!, pod.metadata.name!, log);
    // A sidecar prints nothing while the primary runs; it prints the files when the containers end.
    for (const c of this.containers(pod)) {
      if (sidecarOf(c)) this.api.setPodLog(pod.metadata.namespace!, pod.metadata.name!, '', c.name);
    }
    const http = jsonAnnotation(pod, ANNOTATIONS.http);
    if (Object.keys(http).length > 0) {
      const served = new Map(Object.entries(http).map(([where, body]) => [where.replace(/^(\d+)\/+/, '$1/'), body]));
      this.api.setPodHttp(pod.metadata.namespace!, pod.metadata.name!, served);
    }
    this.writeStatus(rec, {
      ...this.baseStatus(rec),
      phase: 'Running',
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: now,
      conditions: [
        condition('PodReadyToStartContainers', true),
        condition('Initialized', true),
        condition('Ready', true),
        condition('ContainersReady', true),
        condition('PodScheduled', true),
      ],
      containerStatuses: this.containers(pod).map((c, i) => ({
        name: c.name,
        image: c.image,
        imageID: `${c.image}@sha256:${hex(64)}`,
        containerID: rec.containerIds![i],
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
        lastState: {},
      })),
    });
    this.scheduleFinish(rec);
  }

  /** Terminated container states, all with the same exit. */
  private terminated(rec: PodRecord, exitCode: number, reason: string): Json[] {
    const now = timestamp();
    return this.containers(rec.pod).map((c, i) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      containerID: rec.containerIds?.[i] ?? `containerd://${hex(64)}`,
      ready: false,
      started: false,
      restartCount: 0,
      state: {
        terminated: { exitCode, reason, startedAt: rec.startedAt ?? now, finishedAt: now, containerID: rec.containerIds?.[i] },
      },
      lastState: {},
    }));
  }

  private stoppedStatus(rec: PodRecord, phase: string, exitCode: number, reason: string, extra: Json = {}): Json {
    const current = rec.pod.status ?? {};
    const notReady = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
    return {
      ...this.baseStatus(rec),
      ...(current.podIP ? { podIP: current.podIP, podIPs: current.podIPs } : {}),
      startTime: current.startTime ?? rec.startedAt ?? timestamp(),
      phase,
      conditions: [
        condition('PodReadyToStartContainers', false),
        condition('Initialized', true, 'PodCompleted'),
        condition('Ready', false, notReady),
        condition('ContainersReady', false, notReady),
        condition('PodScheduled', true),
      ],
      containerStatuses: this.terminated(rec, exitCode, reason),
      ...extra,
    };
  }

  /** The containers exited: the pod serves nothing more, and its metrics sidecars print what they found. */
  private containersExited(pod: K8sObject): void {
    this.api.setPodHttp(pod.metadata.namespace!, pod.metadata.name!, undefined);
    const sidecars = this.containers(pod)
      .map((c) => ({ name: c.name as string, sidecar: sidecarOf(c) }))
      .filter((c): c is { name: string; sidecar: MetricsSidecar } => c.sidecar !== null);
    if (sidecars.length === 0) return;
    const files = simulatedFiles(pod);
    for (const { name, sidecar } of sidecars) {
      this.api.setPodLog(pod.metadata.namespace!, pod.metadata.name!, sidecarOutput(sidecar, files), name);
    }
  }

  private finish(rec: PodRecord): void {
    const pod = rec.pod;
    rec.stage = 'stopped';
    this.containersExited(pod);
    const failReason = annotation(pod, ANNOTATIONS.failReason);
    const exitCode = numberAnnotation(pod, ANNOTATIONS.exitCode) ?? 0;
    let status: Json;
    if (rec.pastDeadline) {
      status = this.stoppedStatus(rec, 'Failed', 137, 'Error', {
        reason: 'DeadlineExceeded',
        message: 'Pod was active on the node longer than the specified deadline',
      });
    } else if (failReason === 'OOMKilled') status = this.stoppedStatus(rec, 'Failed', 137, 'OOMKilled');
    else if (failReason === 'Evicted') {
      status = this.stoppedStatus(rec, 'Failed', 137, 'Error', {
        reason: 'Evicted',
        message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi.',
      });
    } else
      status = this.stoppedStatus(rec, exitCode === 0 ? 'Succeeded' : 'Failed', exitCode, exitCode === 0 ? 'Completed' : 'Error');
    this.writeStatus(rec, status);
  }

  private terminate(rec: PodRecord): void {
    const pod = rec.pod;
    // Like a real kubelet, a running pod's containers get SIGTERM (exit 143) and the pod ends
    // Failed before it is removed; the Job controller tells its own deletions apart.
    if (pod.status?.phase === 'Running') {
      this.containersExited(pod);
      this.writeStatus(rec, this.stoppedStatus(rec, 'Failed', 143, 'Error'));
    }
    this.api.delete('pods', pod.metadata.namespace, pod.metadata.name!, {
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata.uid! },
    });
  }

  private loseNode(rec: PodRecord, node: string): void {
    clearTimeout(rec.timer);
    rec.stage = 'stopped';
    try {
      this.writeStatus(
        rec,
        this.stoppedStatus(rec, 'Failed', 137, 'Error', {
          reason: 'NodeLost',
          message: `Node ${node} which was running pod ${rec.pod.metadata.name} is unresponsive`,
        }),
      );
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }

  // ---- scheduling -----------------------------------------------------------------------------

  private schedules(pod: K8sObject): boolean {
    if (!this.options.scheduler) return false;
    return this.options.schedulerNames.includes(pod.spec?.schedulerName ?? 'default-scheduler');
  }

  private requestScheduling(): void {
    if (this.scheduleQueued || this.closed) return;
    this.scheduleQueued = setImmediate(() => {
      this.scheduleQueued = undefined;
      if (!this.closed) this.schedulePending();
    });
  }

  private podsOn(node: string): K8sObject[] {
    const out: K8sObject[] = [];
    for (const key of this.podsByNode.get(node) ?? []) {
      const rec = this.pods.get(key);
      if (rec) out.push(rec.pod);
    }
    return out;
  }

  private schedulePending(): void {
    for (const key of [...this.unscheduled]) {
      const rec = this.pods.get(key);
      if (!rec || rec.node || rec.pod.metadata.deletionTimestamp || isTerminal(rec.pod)) {
        this.unscheduled.delete(key);
        continue;
      }
      const pod = rec.pod;
      const pinned = pinnedNodes(pod);
      const candidates = pinned
        ? pinned.map((n) => this.nodes.get(n)).filter((n): n is K8sObject => !!n)
        : [...this.nodes.values()];
      const reasons = new Map<string, number>();
      let best: { name: string; load: number } | undefined;
      for (const node of candidates) {
        const here = this.podsOn(node.metadata.name!);
        const why = unfitReason(pod, node, here);
        if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
        else {
          const load = here.filter((p) => !isTerminal(p)).length;
          if (!best || load < best.load) best = { name: node.metadata.name!, load };
        }
      }
      try {
        if (best) this.api.bind(pod.metadata.namespace!, pod.metadata.name!, best.name);
        else this.markUnschedulable(rec, reasons);
      } catch (error) {
        if (!(error instanceof ApiError && (error.code === 404 || error.code === 409))) throw error;
      }
    }
  }

  private markUnschedulable(rec: PodRecord, reasons: Map<string, number>): void {
    const total = this.nodes.size;
    const parts = [...reasons].map(([why, n]) => `${n} ${why}`);
    if (reasons.size === 0 || [...reasons.values()].reduce((a, b) => a + b, 0) < total) {
      const unmatched = total - [...reasons.values()].reduce((a, b) => a + b, 0);
      if (unmatched > 0) parts.push(`${unmatched} node(s) didn't match Pod's node affinity/selector`);
    }
    const message = `0/${total} nodes are available: ${parts.sort().join(', ')}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
    const current = (rec.pod.status?.conditions ?? []).find((c: Json) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const pod = rec.pod;
    this.api.patch(
      'pods',
      pod.metadata.namespace,
      pod.metadata.name!,
      { status: { phase: 'Pending', conditions: [condition('PodScheduled', false, 'Unschedulable', message)] } },
      { subresource: 'status' },
    );
  }
}
