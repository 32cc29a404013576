/**
 * What a job's pods say about the job, read from the pods as the API returns them. Pure: the
 * runtime (runtime.ts) keeps the pods and the times, and turns a verdict into a report.
 *
 * - Any worker failed: the job failed, with Kubernetes' reason: a container `OOMKilled`; `Error`
 *   with `exit code N`; the pod `Evicted`, or stopped at its deadline `DeadlineExceeded`; an init
 *   container that fetches an input failing is `InputFetchFailed`. A container waiting in
 *   `ImagePullBackOff` or `ErrImagePull` for longer than the timeout fails it `ImagePullBackOff`; one waiting in `CreateContainerConfigError` or
 *   `InvalidImageName` that long fails it with that reason (the pod would wait forever).
 * - Every worker Succeeded: completed, with the metrics its first worker's termination message
 *   carries (`{"metrics": {"loss": 0.1}}`): a job reports its final metrics by writing that file,
 *   with no credentials.
 * - Every worker running (or already done): started.
 * - Otherwise pending; `recheckAt` says when a waiting container's timeout runs out.
 *
 * Time comes in two shapes: lists give `Date`s, watch events strings; both are read.
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { Id } from '../../core/codec.js';

export const DEFAULT_IMAGE_PULL_TIMEOUT_MS = 5 * 60_000;

/** Waiting reasons that never resolve by themselves; each fails the job after the timeout. */
export const STUCK_REASONS: Readonly<Record<string, string>> = {
  ImagePullBackOff: 'ImagePullBackOff',
  ErrImagePull: 'ImagePullBackOff',
  InvalidImageName: 'InvalidImageName',
  CreateContainerConfigError: 'CreateContainerConfigError',
};

export type PodsVerdict =
  | { readonly kind: 'pending'; readonly recheckAt: number | null }
  | { readonly kind: 'started' }
  | { readonly kind: 'completed'; readonly metrics: Readonly<Record<string, number>> | null; readonly finishedAt: number | null }
  | { readonly kind: 'failed'; readonly reason: string; readonly message: string };

export interface PodStatusOptions {
  /** How long a container may wait in a stuck reason before the job fails. Default 5 minutes. */
  readonly imagePullTimeoutMs?: number;
}

/** A container stuck waiting: its key (for the caller's first-seen times) and its reason. */
export interface StuckContainer {
  readonly key: string;
  readonly reason: string;
}

export function toMs(t: unknown): number | null {
  if (t instanceof Date) return t.getTime();
  if (typeof t === 'string') {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** A reason the `Id` codec accepts: Kubernetes' own, or `fallback` when it has none usable. */
export function safeReason(reason: unknown, fallback: string): string {
  if (typeof reason !== 'string') return fallback;
  const cut = reason.trim().slice(0, 128);
  return Id.is(cut) ? cut : fallback;
}

/** The containers of `pod` waiting in a reason that will not resolve. */
export function stuckContainers(pod: V1Pod): StuckContainer[] {
  const out: StuckContainer[] = [];
  const name = pod.metadata?.name ?? '';
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const reason = s.state?.waiting?.reason;
    if (reason !== undefined && STUCK_REASONS[reason] !== undefined) out.push({ key: `${name}/${s.name}/${reason}`, reason });
  }
  return out;
}

function terminatedFailure(s: V1ContainerStatus, init: boolean): { reason: string; message: string } | null {
  const t = s.state?.terminated;
  if (!t || t.exitCode === 0) return null;
  const detail = typeof t.message === 'string' && t.message.trim() !== '' ? `: ${t.message.trim().slice(0, 512)}` : '';
  if (t.reason === 'OOMKilled')
    return { reason: 'OOMKilled', message: `container ${s.name} was killed out of memory (exit code ${t.exitCode})` };
  if (init) return { reason: 'InputFetchFailed', message: `init container ${s.name}: exit code ${t.exitCode}${detail}` };
  const reason = t.reason === undefined || t.reason === 'Error' ? 'Error' : safeReason(t.reason, 'Error');
  return { reason, message: `container ${s.name}: exit code ${t.exitCode}${detail}` };
}

/** Why `pod` failed, if it did (or is stuck past the timeout). */
export function podFailure(
  pod: V1Pod,
  now: number,
  waitingSince: ReadonlyMap<string, number>,
  options: PodStatusOptions = {},
): { reason: string; message: string } | null {
  const status = pod.status;
  const name = pod.metadata?.name ?? '';
  if (status?.phase === 'Failed') {
    if (status.reason === 'Evicted')
      return { reason: 'Evicted', message: `pod ${name} was evicted${status.message ? `: ${status.message}` : ''}` };
    // Its kubelet stopped it at its deadline (activeDeadlineSeconds): its containers' exit codes
    // are the kill's, not the job's.
    if (status.reason === 'DeadlineExceeded') {
      const deadline = pod.spec?.activeDeadlineSeconds;
      return {
        reason: 'DeadlineExceeded',
        message: `pod ${name} ran past its deadline${deadline === undefined ? '' : ` of ${deadline} s`}${status.message ? `: ${status.message}` : ''}`,
      };
    }
    for (const s of status.initContainerStatuses ?? []) {
      const f = terminatedFailure(s, true);
      if (f) return f;
    }
    for (const s of status.containerStatuses ?? []) {
      const f = terminatedFailure(s, false);
      if (f) return f;
    }
    return {
      reason: safeReason(status.reason, 'PodFailed'),
      message: `pod ${name} failed${status.message ? `: ${status.message}` : ''}`,
    };
  }
  const timeout = options.imagePullTimeoutMs ?? DEFAULT_IMAGE_PULL_TIMEOUT_MS;
  for (const stuck of stuckContainers(pod)) {
    const since = waitingSince.get(stuck.key) ?? now;
    if (now - since >= timeout) {
      return {
        reason: STUCK_REASONS[stuck.reason] as string,
        message: `pod ${name}: a container waited in ${stuck.reason} for ${Math.round((now - since) / 1000)} s`,
      };
    }
  }
  return null;
}

/**
 * The final metrics a termination message carries: `{"metrics": {name: number}}`; names that are
 * not ids and values that are not finite numbers are left out; null when there are none.
 */
export function terminationMetrics(message: unknown): Record<string, number> | null {
  if (typeof message !== 'string' || !message.trimStart().startsWith('{')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return null;
  }
  const metrics = (parsed as { metrics?: unknown } | null)?.metrics;
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return null;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics as Record<string, unknown>)) {
    if (Id.is(k) && typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : null;
}

const mainStatus = (pod: V1Pod): V1ContainerStatus | undefined =>
  pod.status?.containerStatuses?.find((s) => s.name === 'main') ?? pod.status?.containerStatuses?.[0];

/**
 * The verdict on a job of `workers` workers from its pods, by rank (`pods[r]` is worker r's, or
 * undefined when there is none yet). `waitingSince` holds when each stuck container was first seen.
 */
export function judgePods(
  pods: readonly (V1Pod | undefined)[],
  workers: number,
  now: number,
  waitingSince: ReadonlyMap<string, number> = new Map(),
  options: PodStatusOptions = {},
): PodsVerdict {
  for (const pod of pods) {
    if (!pod) continue;
    const f = podFailure(pod, now, waitingSince, options);
    if (f) return { kind: 'failed', ...f };
  }
  const present = Array.from({ length: workers }, (_, r) => pods[r]);
  if (present.every((p) => p?.status?.phase === 'Succeeded')) {
    let finishedAt: number | null = null;
    for (const p of present) {
      const t = toMs(mainStatus(p as V1Pod)?.state?.terminated?.finishedAt);
      if (t !== null && (finishedAt === null || t > finishedAt)) finishedAt = t;
    }
    return {
      kind: 'completed',
      metrics: terminationMetrics(mainStatus(present[0] as V1Pod)?.state?.terminated?.message),
      finishedAt,
    };
  }
  if (present.every((p) => p?.status?.phase === 'Running' || p?.status?.phase === 'Succeeded')) return { kind: 'started' };
  const timeout = options.imagePullTimeoutMs ?? DEFAULT_IMAGE_PULL_TIMEOUT_MS;
  let recheckAt: number | null = null;
  for (const p of present) {
    if (!p) continue;
    for (const s of stuckContainers(p)) {
      const at = (waitingSince.get(s.key) ?? now) + timeout;
      if (recheckAt === null || at < recheckAt) recheckAt = at;
    }
  }
  return { kind: 'pending', recheckAt };
}
