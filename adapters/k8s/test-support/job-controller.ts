/**
 * The batch/v1 Job controller, simplified, for the kubelet simulator.
 *
 * For a Job that is not suspended it keeps `parallelism` (default 1) pods active until
 * `completions` (default: parallelism) pods have succeeded, and reports in `status` what the real
 * controller reports: `active`, `ready`, `succeeded`, `failed`, `terminating`, `startTime`,
 * `completionTime` and the conditions `SuccessCriteriaMet` + `Complete` when done, `FailureTarget`
 * + `Failed` (reason BackoffLimitExceeded) once more pods failed than `backoffLimit` (default 6),
 * and `Suspended` (reason JobSuspended) when a started Job is suspended, whose active pods are then
 * deleted (and `JobResumed` when it is resumed). Pods are named `<job>-<5 chars>`, carry the
 * job-name and controller-uid labels (both spellings), the template's labels, annotations and
 * spec, and a controller ownerReference to the Job, so deleting the Job deletes them.
 *
 * Pods the controller deletes itself (on suspend, completion or failure) count neither as
 * succeeded nor as failed; a running pod someone else deletes ends Failed (exit 143) and counts
 * as a failure, and a replacement is created, as with the real controller's defaults. Indexed completion mode, pod failure policies, success policies and backoff delays
 * between retries are not modelled.
 */
import type { Json, K8sObject } from './resources.js';
import { isTerminal } from './scheduling.js';
import { ApiError } from './status.js';
import { deepEqual, type ObjectStore, type StoreEvent, timestamp } from './store.js';

interface JobRecord {
  job: K8sObject;
  /** Pods owned by the job, by namespace/name. */
  pods: Map<string, K8sObject>;
  /** uids of owned pods seen Succeeded / Failed (counted once, even after they are deleted). */
  succeeded: Set<string>;
  failed: Set<string>;
}

function controllerUid(pod: K8sObject): string | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Job')?.uid;
}

function hasCondition(job: K8sObject, type: string): boolean {
  return (job.status?.conditions ?? []).some((c: Json) => c.type === type && c.status === 'True');
}

function isReady(pod: K8sObject): boolean {
  return (pod.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');
}

export class JobController {
  private readonly jobs = new Map<string, JobRecord>();
  /** Pods seen before their Job (by owner uid). */
  private readonly orphans = new Map<string, Map<string, K8sObject>>();
  private readonly dirty = new Set<string>();
  /** uids of pods this controller deleted, whose ends are not counted. */
  private readonly deletedByController = new Set<string>();
  private flush: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(private readonly api: ObjectStore) {}

  /** Takes in Jobs and pods created before the controller started. */
  syncExisting(): void {
    for (const pod of this.api.list('pods')) this.trackPod(pod, false);
    for (const job of this.api.list('jobs')) this.trackJob(job);
  }

  onEvent(event: StoreEvent): void {
    if (this.closed) return;
    if (event.resource.plural === 'jobs') {
      if (event.type === 'DELETED') this.jobs.delete(event.object.metadata.uid!);
      else this.trackJob(event.object);
    } else this.trackPod(event.object, event.type === 'DELETED');
  }

  close(): void {
    this.closed = true;
    if (this.flush) clearImmediate(this.flush);
  }

  private trackJob(job: K8sObject): void {
    const uid = job.metadata.uid!;
    let rec = this.jobs.get(uid);
    if (!rec) {
      rec = { job, pods: this.orphans.get(uid) ?? new Map(), succeeded: new Set(), failed: new Set() };
      this.orphans.delete(uid);
      this.jobs.set(uid, rec);
      for (const pod of rec.pods.values()) this.count(rec, pod);
    }
    rec.job = job;
    this.markDirty(uid);
  }

  private trackPod(pod: K8sObject, deleted: boolean): void {
    const owner = controllerUid(pod);
    if (!owner) return;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const rec = this.jobs.get(owner);
    let pods = rec?.pods ?? this.orphans.get(owner);
    if (!pods) {
      if (deleted) return;
      this.orphans.set(owner, (pods = new Map()));
    }
    if (deleted) {
      pods.delete(key);
      this.deletedByController.delete(pod.metadata.uid!);
    } else pods.set(key, pod);
    if (rec) {
      if (!deleted) this.count(rec, pod);
      this.markDirty(owner);
    }
  }

  private count(rec: JobRecord, pod: K8sObject): void {
    if (pod.metadata.deletionTimestamp && this.deletedByController.has(pod.metadata.uid!)) return;
    if (pod.status?.phase === 'Succeeded') rec.succeeded.add(pod.metadata.uid!);
    if (pod.status?.phase === 'Failed') rec.failed.add(pod.metadata.uid!);
  }

  private markDirty(uid: string): void {
    this.dirty.add(uid);
    if (this.flush || this.closed) return;
    this.flush = setImmediate(() => {
      this.flush = undefined;
      const uids = [...this.dirty];
      this.dirty.clear();
      for (const u of uids) {
        const rec = this.jobs.get(u);
        if (!rec || this.closed) continue;
        try {
          this.reconcile(rec);
        } catch (error) {
          if (!(error instanceof ApiError && (error.code === 404 || error.code === 409))) throw error;
        }
      }
    });
  }

  private reconcile(rec: JobRecord): void {
    const job = rec.job;
    const spec = job.spec ?? {};
    const pods = [...rec.pods.values()];
    const active = pods.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
    const terminating = pods.filter((p) => !isTerminal(p) && p.metadata.deletionTimestamp).length;
    const parallelism: number = spec.parallelism ?? 1;
    const completions: number = spec.completions ?? parallelism;
    const backoffLimit: number = spec.backoffLimit ?? 6;
    const status: Json = structuredClone(job.status ?? {});
    const conditions: Json[] = status.conditions ?? [];
    const now = timestamp();
    const setCondition = (type: string, value: boolean, reason: string, message: string) => {
      const at = conditions.findIndex((c) => c.type === type);
      const current = conditions[at];
      const statusText = value ? 'True' : 'False';
      if (current && current.status === statusText && current.reason === reason) return;
      const next = { type, status: statusText, reason, message, lastProbeTime: now, lastTransitionTime: now };
      if (at >= 0) conditions[at] = next;
      else conditions.push(next);
    };
    let live = active.length;
    const removeActive = () => {
      for (const pod of active) this.deletePod(pod);
      live = 0;
    };

    if (hasCondition(job, 'Complete') || hasCondition(job, 'Failed')) {
      if (active.length > 0) removeActive();
    } else if (spec.suspend === true) {
      if (active.length > 0) removeActive();
      if (status.startTime) {
        setCondition('Suspended', true, 'JobSuspended', 'Job suspended');
        delete status.startTime;
      }
    } else {
      if (conditions.some((c) => c.type === 'Suspended' && c.status === 'True'))
        setCondition('Suspended', false, 'JobResumed', 'Job resumed');
      status.startTime ??= now;
      if (rec.failed.size > backoffLimit) {
        setCondition('FailureTarget', true, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
        setCondition('Failed', true, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
        removeActive();
      } else if (rec.succeeded.size >= completions) {
        setCondition('SuccessCriteriaMet', true, 'CompletionsReached', 'Reached expected number of succeeded pods');
        setCondition('Complete', true, 'CompletionsReached', 'Reached expected number of succeeded pods');
        status.completionTime = now;
        removeActive();
      } else {
        const wanted = Math.min(parallelism, completions - rec.succeeded.size) - active.length;
        for (let i = 0; i < wanted; i++) this.createPod(job);
        // the new pods' ADDED events have marked the job dirty again; that pass counts them.
      }
    }

    const next: Json = { ...status, conditions, ready: active.filter(isReady).length, terminating };
    if (conditions.length === 0) delete next.conditions;
    const counts = { active: live, succeeded: rec.succeeded.size, failed: rec.failed.size };
    for (const [field, n] of Object.entries(counts)) {
      if (n > 0) next[field] = n;
      else delete next[field];
    }
    if (live === 0) next.ready = 0;
    if (deepEqual(next, job.status ?? {})) return;
    this.api.update(
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: job.metadata.name, namespace: job.metadata.namespace },
        status: next,
      },
      { subresource: 'status' },
    );
  }

  private createPod(job: K8sObject): void {
    const template = job.spec?.template ?? {};
    const name = job.metadata.name!;
    const uid = job.metadata.uid!;
    this.api.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${name}-`,
        namespace: job.metadata.namespace,
        labels: {
          ...(template.metadata?.labels ?? {}),
          'batch.kubernetes.io/controller-uid': uid,
          'batch.kubernetes.io/job-name': name,
          'controller-uid': uid,
          'job-name': name,
        },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: structuredClone(template.spec ?? {}),
    });
  }

  private deletePod(pod: K8sObject): void {
    this.deletedByController.add(pod.metadata.uid!);
    try {
      this.api.delete('pods', pod.metadata.namespace, pod.metadata.name!, { propagationPolicy: 'Background' });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }
}
