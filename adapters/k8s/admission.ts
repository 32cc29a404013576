/**
 * Admission of GPU workloads made with kubectl: `batch/v1` Jobs labelled `gpupool.io/group` and
 * created suspended are queued in their group's pool, unsuspended onto the nodes gpupool allocates,
 * and followed to their end (batch-job.ts has the rules; docs/kubernetes-jobs.md the user's view).
 *
 * It is a reactor in the manner of the realtime runtime (adapters/memory/realtime-runtime.ts):
 * - It follows two streams: the labelled Jobs of every namespace (list-watch.ts) and the cluster
 *   stream **through the store port** (so another writer's stop or allocation reaches it too),
 *   catching its engine up to an event before reading the state it names.
 * - Each change of either side pokes the one Job concerned, and the Job is reconciled: planned
 *   from the Job as last seen and its gpupool job as the engine holds it (`planJob`), the steps
 *   carried out, planned again, until the plan is empty. One reconcile per Job at a time; a poke
 *   during one runs it again after. Level-triggered: what is owed is read from the two sides, so
 *   a missed watch event or a restart is answered by the next plan.
 * - Every command carries an id derived from the Job's uid and what it is for
 *   (`k8s-admission:<uid>:submit`, `:started`, `:completed`, `:failed`, `:deleted`, `:suspended`,
 *   `:released`), so a restarted admission, or two of them, send the same ids and the engine
 *   applies each once. It keeps no checkpoint, as the runtime keeps none.
 * - After each list of the Jobs (the first one, and a re-list after 410 Gone) it reconciles every
 *   Job, and every unfinished gpupool job made from a Job that the list did not hold: the Jobs
 *   created, finished and deleted while it was down. A Job is taken for deleted only once a read
 *   of it says so (404, or another uid under its name): a watch's DELETED is also what a Job whose
 *   label was removed looks like. Such a Job, if waiting, is stopped; if running, it is read again
 *   every `rereadMs` until its gpupool job ends, the watch telling nothing of it any more.
 * - Patches are JSON merge patches (client-node sends JSON patches unless told otherwise); each
 *   patch's answer replaces the Job as last seen, so the next plan sees what it wrote.
 * - Errors (the API server, the store) go to `onError` and the Job is reconciled again a second
 *   later; a command the engine rejects (the job moved on meanwhile) is left, except a refused
 *   submission, which is written on the Job as Rejected.
 */
import { PatchStrategy, setHeaderOptions, type V1Job } from '@kubernetes/client-node';
import type { JobState, State } from '../../core/cluster/model.js';
import type { EventStore } from '../../core/ports.js';
import type { Engine } from '../../engine/engine.js';
import { type EngineFollower, followEngine } from '../../engine/follow-engine.js';
import {
  type GpupoolJob,
  GROUP_LABEL,
  HOSTNAME_KEY,
  isHeld,
  isLabelled,
  type JobEventNote,
  jobIdOf,
  kubernetesJobOf,
  type MappingOptions,
  type MergePatch,
  planJob,
  refOf,
  refusal,
  type Step,
} from './batch-job.js';
import { isNotFound, type Kube } from './kube.js';
import { type ListWatch, type ListWatchOptions, startListWatch } from './list-watch.js';

export interface AdmissionOptions extends MappingOptions {
  /** The hostname of a gpupool node. Default: its `kubernetes.io/hostname` label, else its id. */
  readonly hostnameOf?: (nodeId: string, state: Readonly<State>) => string;
  /** Record a core/v1 Event on a Job when it is admitted or refused. Default true. */
  readonly recordEvents?: boolean;
  /** Wait before a Job whose reconcile failed is tried again. Default 1000 ms. */
  readonly retryMs?: number;
  /** How often a Job whose group label was removed is read again while its gpupool job runs. Default 5000 ms. */
  readonly rereadMs?: number;
  readonly listWatch?: ListWatchOptions;
  /** Where failures go (the API server or the store). Default: stderr. */
  readonly onError?: (error: unknown) => void;
}

export interface Admission {
  /** Resolves once the first list of Jobs was reconciled (the pick-up after a restart is under way). */
  readonly synced: Promise<void>;
  /** Resolves when nothing is in flight: no reconcile, no read, no cluster event waiting. */
  idle(): Promise<void>;
  /** Stop watching and following; what is in flight still lands. */
  stop(): Promise<void>;
}

/** The cluster events that change what a Job made with kubectl should look like. */
const WATCHED: ReadonlySet<string> = new Set([
  'JobSubmitted',
  'JobWaiting',
  'JobAllocated',
  'JobStarted',
  'JobCompleted',
  'JobFailed',
  'JobStopRequested',
  'JobStopped',
  'GroupConfigured',
  'UserMoved',
  'UserRemoved',
]);

/** Events that may let a Job held by its group's limits be submitted. */
const RELEASING: ReadonlySet<string> = new Set([
  'JobCompleted',
  'JobFailed',
  'JobStopped',
  'GroupConfigured',
  'UserMoved',
  'UserRemoved',
]);

/** A reconcile carries out at most this many plans in a row: a plan that never empties is a bug, not a loop. */
const MAX_ROUNDS = 10;

const mergePatchOptions = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function reportError(error: unknown): void {
  console.error(`gpupool k8s admission: ${error instanceof Error ? error.message : String(error)}`);
}

/** The later of two versions of one Job (resourceVersions compare as numbers where they are). */
function later(a: V1Job, b: V1Job | undefined): V1Job {
  const ra = a.metadata?.resourceVersion;
  const rb = b?.metadata?.resourceVersion;
  if (b === undefined || ra === undefined || rb === undefined || !/^\d+$/.test(ra) || !/^\d+$/.test(rb)) return a;
  return BigInt(ra) >= BigInt(rb) ? a : b;
}

function view(job: JobState): GpupoolJob {
  return { id: job.id, status: job.status, reason: job.reason, nodes: job.allocation?.nodes ?? [], failure: job.failure };
}

export function startAdmission(engine: Engine, store: EventStore, kube: Kube, options: AdmissionOptions = {}): Admission {
  const onError = options.onError ?? reportError;
  const retryMs = options.retryMs ?? 1000;
  const rereadMs = options.rereadMs ?? 5000;
  const recordEvents = options.recordEvents ?? true;
  const hostnameOf =
    options.hostnameOf ?? ((nodeId: string, state: Readonly<State>) => state.nodes.get(nodeId)?.labels[HOSTNAME_KEY] ?? nodeId);

  /** Labelled Jobs as last seen (the watch's, or a patch's answer), by uid. */
  const jobs = new Map<string, V1Job>();
  /** Jobs known deleted, by uid: kept (their last state) until their gpupool job has ended. */
  const gone = new Map<string, V1Job>();
  /** The uids of the Jobs held by their group's limits (status Held): tried again when a job ends. */
  const held = new Set<string>();
  const dirty = new Set<string>();
  const running = new Set<string>();
  const retries = new Map<string, ReturnType<typeof setTimeout>>();
  /** Jobs whose label was removed, read again on a timer while their gpupool job is unfinished. */
  const rereads = new Map<string, ReturnType<typeof setTimeout>>();
  let pending = 0;
  let stopped = false;
  let synced = false;
  let idleWaiters: (() => void)[] = [];
  let resolveSynced!: () => void;
  const syncedPromise = new Promise<void>((resolve) => {
    resolveSynced = resolve;
  });

  function report(error: unknown): void {
    try {
      onError(error);
    } catch {
      // The handler's own failure is not the admission's to report.
    }
  }

  /** The cluster stream, each event once the engine has it (set below, once what it calls is defined). */
  let follower: EngineFollower | undefined;

  function settle(): void {
    if (pending > 0 || running.size > 0 || dirty.size > 0 || follower?.busy) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Track an async task for `idle()`; its failure goes to onError. */
  function track(task: Promise<unknown>): void {
    pending++;
    task.catch(report).finally(() => {
      pending--;
      settle();
    });
  }

  /** Take a newer view of a live Job. */
  function see(uid: string, job: V1Job): void {
    const newer = later(job, jobs.get(uid));
    jobs.set(uid, newer);
    if (isHeld(newer)) held.add(uid);
    else held.delete(uid);
  }

  function forget(uid: string): void {
    jobs.delete(uid);
    held.delete(uid);
  }

  // -- reconciling -----------------------------------------------------------------------------

  function poke(uid: string): void {
    if (stopped || !synced) return;
    dirty.add(uid);
    if (!running.has(uid)) void run(uid);
  }

  async function run(uid: string): Promise<void> {
    running.add(uid);
    try {
      while (dirty.has(uid) && !stopped) {
        dirty.delete(uid);
        try {
          await reconcile(uid);
        } catch (error) {
          report(error);
          retryLater(uid);
        }
      }
    } finally {
      running.delete(uid);
      settle();
    }
  }

  function retryLater(uid: string): void {
    if (stopped || retries.has(uid)) return;
    const handle = setTimeout(() => {
      retries.delete(uid);
      poke(uid);
    }, retryMs);
    handle.unref?.();
    retries.set(uid, handle);
  }

  function gpupoolJobOf(job: V1Job): GpupoolJob | undefined {
    const ref = refOf(job);
    const id = jobIdOf(ref);
    const found = engine.job(id);
    // The id carries a hash of the uid: the same id for another uid is not this Job's.
    if (found) return kubernetesJobOf(found.spec)?.uid === ref.uid ? view(found) : undefined;
    // Finished, with no job archive to read its record from: its end is what there is.
    const ended = engine.current.finished.get(id);
    return ended === undefined ? undefined : { id, status: ended, reason: null, nodes: [], failure: null };
  }

  async function reconcile(uid: string): Promise<void> {
    let previous = '';
    for (let round = 0; round < MAX_ROUNDS && !stopped; round++) {
      const live = jobs.get(uid);
      const job = live ?? gone.get(uid);
      if (job === undefined) return;
      const gp = gpupoolJobOf(job);
      const state = engine.current;
      const steps = planJob({
        job,
        deleted: live === undefined,
        gpupool: gp,
        state,
        hostnameOf: (nodeId) => hostnameOf(nodeId, state),
        options,
      });
      if (steps.length === 0) {
        // A deleted Job is forgotten once nothing more is owed for it.
        const ended = gp === undefined || !engine.current.jobs.has(gp.id);
        if (live === undefined && ended) gone.delete(uid);
        // Unlabelled and done with: out of gpupool's sight for good (a label put back is an ADDED).
        if (live !== undefined && ended && !isLabelled(live)) forget(uid);
        return;
      }
      // The same plan again: what was carried out changed nothing (a command refused as stale).
      const key = JSON.stringify(steps);
      if (key === previous) return;
      previous = key;
      for (const step of steps) await carry(uid, job, step);
    }
  }

  async function carry(uid: string, job: V1Job, step: Step): Promise<void> {
    switch (step.type) {
      case 'command':
        await engine.execute(step.command);
        return;
      case 'submit':
        for (const command of step.commands) {
          const outcome = await engine.execute(command);
          if (outcome.ok) continue;
          // Onboarded meanwhile (another admission, an operator): the user is there.
          if (command.type === 'OnboardUser' && outcome.rejection.code === 'already-exists') continue;
          for (const s of refusal(jobs.get(uid) ?? job, outcome.rejection.code, outcome.rejection.message)) {
            if (s.type === 'patch') await patch(uid, job, s.patch, s.note);
          }
          return;
        }
        return;
      case 'patch':
        await patch(uid, job, step.patch, step.note);
        return;
    }
  }

  async function patch(uid: string, job: V1Job, body: MergePatch, note: JobEventNote | undefined): Promise<void> {
    const { namespace, name } = refOf(job);
    let answer: V1Job;
    try {
      answer = await kube.batch.patchNamespacedJob({ name, namespace, body }, mergePatchOptions);
    } catch (error) {
      if (isNotFound(error)) return; // deleted meanwhile: the watch tells it
      throw error;
    }
    if (answer.metadata?.uid === uid && jobs.has(uid)) see(uid, answer);
    if (note && recordEvents) await recordEvent(job, note);
  }

  /** A core/v1 Event on the Job, as a controller records one (`kubectl describe job` shows it). Best effort. */
  async function recordEvent(job: V1Job, note: JobEventNote): Promise<void> {
    const ref = refOf(job);
    const now = new Date();
    try {
      await kube.core.createNamespacedEvent({
        namespace: ref.namespace,
        body: {
          metadata: {
            name: `${ref.name}.${now.getTime().toString(16)}${Math.random().toString(16).slice(2, 8)}`,
            namespace: ref.namespace,
          },
          involvedObject: { apiVersion: 'batch/v1', kind: 'Job', namespace: ref.namespace, name: ref.name, uid: ref.uid },
          type: note.type,
          reason: note.reason,
          message: note.message,
          source: { component: 'gpupool' },
          reportingComponent: 'gpupool.io/admission',
          reportingInstance: 'gpupool',
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (error) {
      // An event is a courtesy: the annotations say the same. A server without events is no failure.
      if (!isNotFound(error)) report(error);
    }
  }

  /**
   * A Job the watch no longer holds, or a gpupool job whose Job the list lacks: deleted only if a
   * read says so (a Job whose label was removed leaves the watch too, and stays governed).
   */
  async function confirmGone(last: V1Job): Promise<void> {
    const ref = refOf(last);
    let current: V1Job | null = null;
    try {
      current = await kube.batch.readNamespacedJob({ name: ref.name, namespace: ref.namespace });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (current !== null && current.metadata?.uid === ref.uid) {
      see(ref.uid, current);
      // Its label removed: the watch no longer tells its changes, so it is read again while its
      // gpupool job holds GPUs (a waiting one is stopped: no longer the queue's).
      if (!isLabelled(current)) unlabelled(current);
    } else {
      forget(ref.uid);
      gone.set(ref.uid, last);
    }
    poke(ref.uid);
  }

  function unlabelled(job: V1Job): void {
    const uid = job.metadata?.uid as string;
    const gp = gpupoolJobOf(job);
    if (stopped || gp === undefined || !engine.current.jobs.has(gp.id) || rereads.has(uid)) return;
    const handle = setTimeout(() => {
      rereads.delete(uid);
      const last = jobs.get(uid);
      if (last && !isLabelled(last)) lost(last);
    }, rereadMs);
    handle.unref?.();
    rereads.set(uid, handle);
  }

  function lost(last: V1Job): void {
    if (stopped) return;
    track(
      confirmGone(last).catch((error) => {
        report(error);
        // Tried again on the next list or change; the Job's gpupool job waits meanwhile.
      }),
    );
  }

  /** Reconcile every Job, and every unfinished gpupool job made from a Job the list did not hold. */
  function sweep(): void {
    for (const uid of jobs.keys()) poke(uid);
    for (const uid of gone.keys()) poke(uid);
    for (const job of engine.current.jobs.values()) {
      const ref = kubernetesJobOf(job.spec);
      if (ref === null || jobs.has(ref.uid) || gone.has(ref.uid)) continue;
      lost({ metadata: { namespace: ref.namespace, name: ref.name, uid: ref.uid } });
    }
  }

  // -- the Jobs --------------------------------------------------------------------------------

  const watch: ListWatch<V1Job> = startListWatch<V1Job>(
    kube,
    {
      path: '/apis/batch/v1/jobs',
      labelSelector: GROUP_LABEL,
      list: (selectors) => kube.batch.listJobForAllNamespaces(selectors),
    },
    {
      onChange(type, object, previous) {
        const uid = object.metadata?.uid;
        if (uid === undefined) return;
        // A Job deleted and created again under its name, seen in one re-list: two Jobs.
        const prevUid = previous?.metadata?.uid;
        if (previous !== undefined && prevUid !== undefined && prevUid !== uid && jobs.has(prevUid)) lost(previous);
        if (type === 'DELETED') {
          if (synced) lost(object);
          else {
            forget(uid);
            gone.set(uid, object);
          }
          return;
        }
        see(uid, object);
        gone.delete(uid);
        poke(uid);
      },
      onSynced() {
        if (!synced) {
          synced = true;
          resolveSynced();
        }
        sweep();
      },
      onError: report,
    },
    options.listWatch,
  );

  // -- the cluster stream ----------------------------------------------------------------------

  // Each event once the engine has it (another writer's waits for a catch-up).
  follower = followEngine(engine, store, {
    after: BigInt(engine.durableRevision),
    types: WATCHED,
    onEvent(event) {
      // A job ended, or limits changed: the Jobs held by their group's limits try again.
      if (synced && RELEASING.has(event.type)) for (const uid of held) poke(uid);
      const jobId = (event as { jobId?: unknown }).jobId;
      if (typeof jobId !== 'string') return;
      const ref = kubernetesJobOf(engine.job(jobId)?.spec);
      if (ref === null || !synced) return; // not a Job's; or the first list's sweep will see to it
      if (jobs.has(ref.uid) || gone.has(ref.uid)) poke(ref.uid);
      else lost({ metadata: { namespace: ref.namespace, name: ref.name, uid: ref.uid } });
    },
    onDrained: settle,
    onError: report,
    retryMs,
  });

  return {
    synced: syncedPromise,
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settle();
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      follower?.stop();
      for (const handle of [...retries.values(), ...rereads.values()]) clearTimeout(handle);
      retries.clear();
      rereads.clear();
      dirty.clear();
      await watch.stop();
      settle();
    },
  };
}
