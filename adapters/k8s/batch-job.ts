/**
 * GPU workloads made with kubectl: the pure half of their admission (admission.ts does the I/O).
 *
 * A `batch/v1` Job created with `spec.suspend: true` and the label `gpupool.io/group: <group>` is
 * a gpupool job of that group, as a Job with `kueue.x-k8s.io/queue-name` is a Kueue workload: it
 * waits suspended in the group's queue, and when gpupool allocates it GPUs it gets node affinity
 * to the allocated nodes (one pod per node) and is unsuspended. Its conditions drive the gpupool
 * job's status; a gpupool stop suspends it again. docs/kubernetes-jobs.md is the user's view.
 *
 * Everything here is a function of the Job as last seen and of the gpupool job as the engine
 * holds it (`planJob`): what is owed is read from the two, never remembered, so a restart (or a
 * missed watch event) is answered by planning again. Each command's id is derived from the Job's
 * uid and what the command is for (`k8s-admission:<uid>:<what>`), so a plan made twice sends the
 * same ids and the engine applies each once.
 */
import { createHash } from 'node:crypto';
import type { V1Affinity, V1Job, V1NodeSelectorTerm, V1PodAffinityTerm, V1PodSpec } from '@kubernetes/client-node';
import type { Command } from '../../core/cluster/commands.js';
import { JOB_KINDS, type JobKind, type JobStatus, type State, type WaitReason } from '../../core/cluster/model.js';
import { type NodeAffinity, NodeAffinityCodec } from '../../core/cluster/node-affinity.js';
import { decodeWith, NAME_MAX_LENGTH } from '../../core/codec.js';

/** The prefix of the command ids the admission sends. */
export const ADMISSION_REACTOR = 'k8s-admission';

export const GROUP_LABEL = 'gpupool.io/group';
export const USER_LABEL = 'gpupool.io/user';
export const KIND_LABEL = 'gpupool.io/kind';
/** Read from the annotations first, then the labels (a label value cannot hold every type name). */
export const GPU_TYPE_KEY = 'gpupool.io/gpu-type';
export const PRIORITY_KEY = 'gpupool.io/priority';
/** Seconds the job is expected to run (an annotation): what sjf and backfill pools order by. */
export const EXPECTED_DURATION_ANNOTATION = 'gpupool.io/expected-duration';

/** What gpupool writes on the Job. */
export const STATUS_ANNOTATION = 'gpupool.io/status';
export const MESSAGE_ANNOTATION = 'gpupool.io/message';
/** The code of the reason it waits (only while it waits): the message is patched when the code changes. */
export const REASON_ANNOTATION = 'gpupool.io/reason';
export const JOB_ID_ANNOTATION = 'gpupool.io/job-id';
/** The nodes it was admitted to, comma-separated; set in the patch that unsuspends it. */
export const NODES_ANNOTATION = 'gpupool.io/nodes';

export const HOSTNAME_KEY = 'kubernetes.io/hostname';
/** The label the Job controller puts on its pods (Kubernetes 1.27+). */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const DEFAULT_GPU_RESOURCE = 'nvidia.com/gpu';

/** What the gpupool-side statuses look like on the Job. */
export type AdmissionStatus =
  | 'Queued'
  | 'Waiting'
  | 'Admitted'
  | 'Running'
  | 'Stopping'
  | 'Complete'
  | 'Failed'
  | 'Stopped'
  | 'Rejected'
  /** Refused for now by the group's limits on unfinished jobs: tried again when one of its jobs ends. */
  | 'Held'
  | 'Ignored';

/** Kinds a Job may be: a notebook is a session a person opens, not a batch Job. */
export const JOB_KINDS_FOR_JOBS: readonly JobKind[] = JOB_KINDS.filter((k) => k !== 'notebook');

export interface MappingOptions {
  /** The extended resource that counts a pod's GPUs. Default `nvidia.com/gpu`. */
  readonly gpuResource?: string;
}

/** Where a Job is: what its gpupool job's spec keeps, so the pod runtime leaves it alone. */
export interface JobRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export function refOf(job: V1Job): JobRef {
  return { namespace: job.metadata?.namespace ?? 'default', name: job.metadata?.name ?? '', uid: job.metadata?.uid ?? '' };
}

/** The Job a gpupool job stands for, read from its spec (null: not a Job made with kubectl). */
export function kubernetesJobOf(spec: unknown): JobRef | null {
  const k = (spec as { kubernetesJob?: Partial<JobRef> } | null)?.kubernetesJob;
  if (!k || typeof k.namespace !== 'string' || typeof k.name !== 'string' || typeof k.uid !== 'string') return null;
  return { namespace: k.namespace, name: k.name, uid: k.uid };
}

/**
 * The gpupool job id of a Job: `<namespace>/<name>@<8 hex of its uid's SHA-256>`. Readable where
 * gpupool lists jobs, and another for a Job deleted and created again under the same name (a new
 * uid), whose run is a new job. Namespaces and names are DNS labels, so the id is plain ASCII; a
 * name too long for an id (253 characters) is cut, the hash still tells Jobs apart. The `/` and
 * `@` are carried in URLs percent-encoded, as any id.
 */
export function jobIdOf(ref: JobRef): string {
  const hash = createHash('sha256').update(ref.uid).digest('hex').slice(0, 8);
  const suffix = `@${hash}`;
  const head = `${ref.namespace}/${ref.name}`;
  return `${head.slice(0, NAME_MAX_LENGTH - suffix.length)}${suffix}`;
}

/** The id of a command the admission sends for the Job with `uid`: the same Job, the same id. */
export const admissionId = (uid: string, what: string): string => `${ADMISSION_REACTOR}:${uid}:${what}`;

/** The per-group user that owns Jobs naming no `gpupool.io/user`. */
export const serviceUserOf = (groupId: string): string => `kubernetes.${groupId}`;

// ---------------------------------------------------------------------------------------------
// Reading a Job

/** A quantity of a countable resource: a whole number ("2", 2, "2000m" is refused as odd). */
function wholeQuantity(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 0 ? raw : null;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

/**
 * GPUs one pod asks for: the sum over its containers of the resource's limit (or request, which
 * must equal it for an extended resource), and at least any one init container's, as the
 * scheduler counts them (a restartable init container, a sidecar, runs alongside and adds up).
 * A quantity that is not a whole number gives the message saying so instead.
 */
export function gpusPerPod(podSpec: V1PodSpec | undefined, resource = DEFAULT_GPU_RESOURCE): number | string {
  let sum = 0;
  let initMax = 0;
  const read = (c: { name?: string; resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> } }) => {
    const raw = c.resources?.limits?.[resource] ?? c.resources?.requests?.[resource];
    if (raw === undefined) return 0;
    const n = wholeQuantity(raw);
    if (n === null)
      throw new Error(`container '${c.name ?? '?'}' asks for ${JSON.stringify(raw)} ${resource}: not a whole number`);
    return n;
  };
  try {
    for (const c of podSpec?.containers ?? []) sum += read(c);
    for (const c of podSpec?.initContainers ?? []) {
      if (c.restartPolicy === 'Always') sum += read(c);
      else initMax = Math.max(initMax, read(c));
    }
  } catch (error) {
    return (error as Error).message;
  }
  return Math.max(sum, initMax);
}

/** What a Job asks gpupool for, or why it cannot be submitted. */
export type Request =
  | {
      readonly ok: true;
      readonly group: string;
      readonly user: string | null;
      readonly kind: JobKind;
      readonly gpus: number;
      readonly workers: number;
      readonly gpuType: string | null;
      /** The pod template's node selector (null: none): the scheduler places the Job on such nodes only. */
      readonly nodeSelector: Readonly<Record<string, string>> | null;
      /** The pod template's required node affinity terms (null: none): gpupool allocates on nodes satisfying one. */
      readonly nodeAffinity: NodeAffinity | null;
      readonly priority: number;
      readonly expectedDuration: number | null;
      readonly image: string | null;
    }
  | { readonly ok: false; readonly message: string };

const meta = (job: V1Job, key: string): string | undefined => job.metadata?.annotations?.[key] ?? job.metadata?.labels?.[key];

/**
 * Read a Job's request: GPUs = the per-pod GPUs x `parallelism`, workers = `parallelism` (each
 * pod a worker on its own node). `completions` may be unset or at least `parallelism` (pods run
 * in waves on the same nodes); fewer would hold GPUs no pod uses, and is refused.
 */
export function requestOf(job: V1Job, options: MappingOptions = {}): Request {
  const no = (message: string): Request => ({ ok: false, message });
  const group = job.metadata?.labels?.[GROUP_LABEL]?.trim() ?? '';
  if (group === '') return no(`the label ${GROUP_LABEL} names no group`);
  const userLabel = job.metadata?.labels?.[USER_LABEL]?.trim();
  const user = userLabel === undefined || userLabel === '' ? null : userLabel;
  const kindRaw = meta(job, KIND_LABEL)?.trim() || 'training';
  const kind = JOB_KINDS_FOR_JOBS.find((k) => k === kindRaw);
  if (kind === undefined) return no(`${KIND_LABEL} '${kindRaw}' is not one of ${JOB_KINDS_FOR_JOBS.join(', ')}`);
  const parallelism = job.spec?.parallelism ?? 1;
  if (!Number.isInteger(parallelism) || parallelism < 1) return no(`spec.parallelism is ${parallelism}: nothing would run`);
  const completions = job.spec?.completions;
  if (completions !== undefined && completions !== null && completions < parallelism) {
    return no(
      `spec.completions (${completions}) is less than spec.parallelism (${parallelism}): GPUs for ${parallelism} pods would be held for ${completions}; set parallelism to ${completions}`,
    );
  }
  const resource = options.gpuResource ?? DEFAULT_GPU_RESOURCE;
  const perPod = gpusPerPod(job.spec?.template?.spec, resource);
  if (typeof perPod === 'string') return no(perPod);
  if (perPod === 0) return no(`no container asks for ${resource} (resources.limits): gpupool admits only GPU workloads`);
  const gpuType = meta(job, GPU_TYPE_KEY)?.trim() || null;
  const priorityRaw = meta(job, PRIORITY_KEY)?.trim();
  let priority = 0;
  if (priorityRaw !== undefined && priorityRaw !== '') {
    if (!/^-?\d+$/.test(priorityRaw) || !Number.isSafeInteger(Number(priorityRaw))) {
      return no(`${PRIORITY_KEY} '${priorityRaw}' is not an integer`);
    }
    priority = Number(priorityRaw);
  }
  const durationRaw = job.metadata?.annotations?.[EXPECTED_DURATION_ANNOTATION]?.trim();
  let expectedDuration: number | null = null;
  if (durationRaw !== undefined && durationRaw !== '') {
    const d = Number(durationRaw);
    if (!Number.isFinite(d) || d < 0) return no(`${EXPECTED_DURATION_ANNOTATION} '${durationRaw}' is not a number of seconds`);
    expectedDuration = d;
  }
  const image = job.spec?.template?.spec?.containers?.[0]?.image ?? null;
  const selector = job.spec?.template?.spec?.nodeSelector;
  const affinity = requiredNodeAffinity(job);
  if (!affinity.ok) return no(affinity.message);
  return {
    ok: true,
    group,
    user,
    kind,
    gpus: perPod * parallelism,
    workers: parallelism,
    gpuType,
    nodeSelector: selector && Object.keys(selector).length > 0 ? { ...selector } : null,
    nodeAffinity: affinity.value,
    priority,
    expectedDuration,
    image,
  };
}

const AFFINITY_PATH = 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms';

/**
 * The template's required node affinity terms, which its pods' nodes must satisfy (one of them):
 * gpupool allocates on such nodes only, else the pods would stay Pending on the nodes it chose.
 * Terms gpupool cannot honour (matchFields, an empty term) refuse the Job, naming them. The
 * client gives absent fields as undefined: they are left out before the check.
 */
function requiredNodeAffinity(job: V1Job): { ok: true; value: NodeAffinity | null } | { ok: false; message: string } {
  const terms =
    job.spec?.template?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined || terms === null || terms.length === 0) return { ok: true, value: null };
  const plain: unknown = JSON.parse(JSON.stringify(terms));
  const decoded = decodeWith(NodeAffinityCodec, plain, AFFINITY_PATH);
  return decoded.ok ? { ok: true, value: decoded.value } : { ok: false, message: decoded.message };
}

/** The group a label names: by id, else by name (a label value is an id most of the time). */
function groupNamed(state: Pick<State, 'groups'>, label: string): string | null {
  if (state.groups.has(label)) return label;
  for (const g of state.groups.values()) if (g.name === label) return g.id;
  return null;
}

/**
 * The commands that submit a Job (an onboarding of the group's service user first when it is
 * needed), or why it cannot be: no such group, a user not in it. What the core refuses (limits,
 * a job that never fits) comes back from the engine as the SubmitJob's rejection.
 */
export function submission(
  job: V1Job,
  state: Pick<State, 'groups' | 'users'>,
  options: MappingOptions = {},
): { ok: true; commands: Command[]; jobId: string } | { ok: false; message: string } {
  const request = requestOf(job, options);
  if (!request.ok) return request;
  const groupId = groupNamed(state, request.group);
  if (groupId === null) return { ok: false, message: `group '${request.group}' does not exist` };
  const ref = refOf(job);
  const commands: Command[] = [];
  let owner: string;
  if (request.user !== null) {
    const user = state.users.get(request.user);
    if (!user) return { ok: false, message: `user '${request.user}' does not exist` };
    if (user.group !== groupId) {
      return { ok: false, message: `user '${request.user}' is in group '${user.group}', not in group '${groupId}'` };
    }
    owner = user.id;
  } else {
    owner = serviceUserOf(groupId);
    const user = state.users.get(owner);
    if (!user) {
      const name = `Kubernetes Jobs of ${state.groups.get(groupId)?.name ?? groupId}`;
      commands.push({
        type: 'OnboardUser',
        userId: owner,
        name,
        role: 'data-scientist',
        groupId,
        commandId: `${ADMISSION_REACTOR}:onboard:${groupId}`,
      });
    } else if (user.group !== groupId) {
      return { ok: false, message: `user '${owner}' (the group's Kubernetes user) is in group '${user.group}' now` };
    }
  }
  const jobId = jobIdOf(ref);
  commands.push({
    type: 'SubmitJob',
    jobId,
    kind: request.kind,
    owner,
    gpus: request.gpus,
    workers: request.workers,
    priority: request.priority,
    ...(request.gpuType === null ? {} : { gpuType: request.gpuType }),
    // Its pods must land on such nodes (the kubelet and the scheduler hold them to it): gpupool
    // allocates it GPUs there only.
    ...(request.nodeSelector === null ? {} : { nodeSelector: request.nodeSelector }),
    ...(request.nodeAffinity === null ? {} : { nodeAffinity: request.nodeAffinity }),
    ...(request.expectedDuration === null ? {} : { expectedDuration: request.expectedDuration }),
    // The group sees it: its owner is often the group's service user, whom nobody signs in as.
    shared: true,
    spec: { kubernetesJob: { namespace: ref.namespace, name: ref.name, uid: ref.uid }, image: request.image },
    commandId: admissionId(ref.uid, 'submit'),
  });
  return { ok: true, commands, jobId };
}

// ---------------------------------------------------------------------------------------------
// Job state

type Condition = NonNullable<NonNullable<V1Job['status']>['conditions']>[number];

const condition = (job: V1Job, type: string): Condition | undefined =>
  job.status?.conditions?.find((c) => c.type === type && c.status === 'True');

export const isSuspended = (job: V1Job): boolean => job.spec?.suspend === true;

/** Whether the Job still carries its group label (a label removed takes it out of the watch). */
export const isLabelled = (job: V1Job): boolean => (job.metadata?.labels?.[GROUP_LABEL] ?? '') !== '';

/** The Job's end, from its terminal conditions (not SuccessCriteriaMet or FailureTarget, which come before). */
export function finishOf(job: V1Job): { complete: true } | { complete: false; reason: string; message: string } | null {
  if (condition(job, 'Complete')) return { complete: true };
  const failed = condition(job, 'Failed');
  if (!failed) return null;
  const reason = failed.reason?.trim() || 'JobFailed';
  return { complete: false, reason, message: failed.message?.trim() || reason };
}

/**
 * Whether the Job's pods run: as many ready as it runs at once (Job `status.ready`; `status.active`
 * where the server does not count ready pods), or a pod already succeeded.
 */
export function isRunning(job: V1Job): boolean {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  const succeeded = job.status?.succeeded ?? 0;
  if (succeeded > 0) return true;
  const atOnce = completions === undefined || completions === null ? parallelism : Math.min(parallelism, completions);
  const ready = job.status?.ready;
  return (ready ?? job.status?.active ?? 0) >= atOnce;
}

/** Whether none of its pods is left (after a suspension). */
export const podsGone = (job: V1Job): boolean => (job.status?.active ?? 0) === 0 && (job.status?.terminating ?? 0) === 0;

// ---------------------------------------------------------------------------------------------
// Patches (JSON merge patches, RFC 7386)

export interface MergePatch {
  metadata?: { annotations?: Record<string, string | null> };
  spec?: { suspend?: boolean; template?: { spec?: { affinity?: V1Affinity } } };
}

export function statusPatch(status: AdmissionStatus, message: string, extra: Record<string, string | null> = {}): MergePatch {
  return { metadata: { annotations: { [STATUS_ANNOTATION]: status, [MESSAGE_ANNOTATION]: message, ...extra } } };
}

/**
 * The affinity that keeps the Job's pods on `hostnames`, one per node: each of the template's own
 * required node selector terms (they are ORed) gets `kubernetes.io/hostname In <hostnames>` (ANDed
 * within the term), replacing any hostname expression it had (gpupool chose the nodes); the
 * required pod anti-affinity on the Job's pods by hostname is added to the template's own. Built
 * from the current template, so applying it again gives the same affinity.
 */
export function affinityFor(job: V1Job, hostnames: readonly string[], antiAffinity = true): V1Affinity {
  const name = job.metadata?.name ?? '';
  const current = job.spec?.template?.spec?.affinity ?? {};
  const ours = { key: HOSTNAME_KEY, operator: 'In', values: [...hostnames] };
  const existing = current.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const terms: V1NodeSelectorTerm[] = (existing.length > 0 ? existing : [{}]).map((term) => ({
    ...term,
    matchExpressions: [...(term.matchExpressions ?? []).filter((e) => e.key !== HOSTNAME_KEY), ours],
  }));
  const isOurs = (t: V1PodAffinityTerm) =>
    t.topologyKey === HOSTNAME_KEY &&
    t.labelSelector?.matchLabels?.[JOB_NAME_LABEL] === name &&
    !t.labelSelector.matchExpressions;
  const antiTerms = (current.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).filter((t) => !isOurs(t));
  if (antiAffinity) antiTerms.push({ labelSelector: { matchLabels: { [JOB_NAME_LABEL]: name } }, topologyKey: HOSTNAME_KEY });
  const affinity: V1Affinity = {
    ...current,
    nodeAffinity: {
      ...current.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
    },
  };
  if (antiTerms.length > 0 || current.podAntiAffinity) {
    affinity.podAntiAffinity = { ...current.podAntiAffinity, requiredDuringSchedulingIgnoredDuringExecution: antiTerms };
  }
  return affinity;
}

/**
 * The one merge patch that admits a Job: its pods' affinity to the allocated nodes, and
 * `suspend: false`. A suspended Job's template takes scheduling directives (Kubernetes 1.27+), and
 * the server applies the patch at once, so the pods it creates carry the affinity. One pod per
 * node unless the allocation has fewer nodes than pods (a `count`-placement pool).
 */
export function admissionPatch(job: V1Job, hostnames: readonly string[]): MergePatch {
  const parallelism = job.spec?.parallelism ?? 1;
  const onePerNode = hostnames.length >= parallelism;
  return {
    metadata: {
      annotations: {
        [STATUS_ANNOTATION]: 'Admitted',
        [MESSAGE_ANNOTATION]: `admitted to ${hostnames.join(', ')}`,
        [NODES_ANNOTATION]: hostnames.join(','),
        [REASON_ANNOTATION]: null,
      },
    },
    spec: { suspend: false, template: { spec: { affinity: affinityFor(job, hostnames, onePerNode) } } },
  };
}

export const suspendPatch = (status: AdmissionStatus, message: string): MergePatch => ({
  ...statusPatch(status, message),
  spec: { suspend: true },
});

// ---------------------------------------------------------------------------------------------
// Planning

/** The gpupool job as planning needs it. */
export interface GpupoolJob {
  readonly id: string;
  readonly status: JobStatus;
  readonly reason: WaitReason | null;
  readonly nodes: readonly string[];
  readonly failure: { readonly reason: string; readonly message: string } | null;
}

/** A core/v1 Event to record on the Job with a patch. */
export interface JobEventNote {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export type Step =
  | { readonly type: 'command'; readonly command: Command }
  /** Submit (commands in order); a rejection of any is written on the Job as Rejected. */
  | { readonly type: 'submit'; readonly commands: Command[]; readonly jobId: string }
  | { readonly type: 'patch'; readonly patch: MergePatch; readonly note?: JobEventNote };

export interface PlanInput {
  /** The Job as last seen (its last state, if deleted). */
  readonly job: V1Job;
  readonly deleted: boolean;
  /** Its gpupool job (unfinished or finished), if it was submitted. */
  readonly gpupool: GpupoolJob | undefined;
  readonly state: Pick<State, 'groups' | 'users'>;
  /** The hostname of a gpupool node (its `kubernetes.io/hostname` label, else its id). */
  readonly hostnameOf: (nodeId: string) => string;
  readonly options?: MappingOptions;
}

const annotation = (job: V1Job, key: string): string | undefined => job.metadata?.annotations?.[key];

/** A status patch unless the Job says so already (the message alone changing is no reason to write). */
function annotate(job: V1Job, status: AdmissionStatus, message: string, extra: Record<string, string | null> = {}): Step[] {
  const differs =
    annotation(job, STATUS_ANNOTATION) !== status || Object.entries(extra).some(([k, v]) => (annotation(job, k) ?? null) !== v);
  return differs ? [{ type: 'patch', patch: statusPatch(status, message, extra) }] : [];
}

/**
 * What a Job and its gpupool job call for, in order: commands to the engine, patches to the Job.
 * Empty when the two agree. Planned again after each step is carried out, until empty.
 */
export function planJob(input: PlanInput): Step[] {
  const { job, deleted, gpupool: gp } = input;
  const ref = refOf(job);
  const id = (what: string) => admissionId(ref.uid, what);
  const jobIdNote: Record<string, string> = gp ? { [JOB_ID_ANNOTATION]: gp.id } : {};

  if (gp === undefined) {
    if (deleted || !isLabelled(job)) return [];
    const status = annotation(job, STATUS_ANNOTATION);
    // Refused once: written on the Job. Removing the annotation asks for another try.
    if (status === 'Rejected') return [];
    if (!isSuspended(job)) {
      // Kueue's rule: a Job not created suspended is not the queue's. Said once on the Job.
      return status === undefined
        ? annotate(
            job,
            'Ignored',
            `not created with spec.suspend: true, so it runs without gpupool; create it suspended to queue it`,
          )
        : [];
    }
    const s = submission(job, input.state, input.options);
    if (!s.ok) return [rejected(s.message)];
    return [{ type: 'submit', commands: s.commands, jobId: s.jobId }];
  }

  const finish = deleted ? null : finishOf(job);
  switch (gp.status) {
    case 'Queued':
    case 'WaitingForGPUs': {
      if (deleted) return [{ type: 'command', command: { type: 'StopJob', jobId: gp.id, commandId: id('deleted') } }];
      // Its group label removed while it waits: no longer gpupool's to queue (it stays suspended, for its owner).
      if (!isLabelled(job)) return [{ type: 'command', command: { type: 'StopJob', jobId: gp.id, commandId: id('unlabelled') } }];
      // Unsuspended by hand while it waits: suspended again, as Kueue does; its turn comes.
      if (!isSuspended(job))
        return [
          {
            type: 'patch',
            patch: suspendPatch('Waiting', 'unsuspended before gpupool admitted it; suspended again to wait its turn'),
          },
        ];
      if (gp.status === 'Queued' || gp.reason === null)
        return annotate(job, 'Queued', 'queued', { ...jobIdNote, [REASON_ANNOTATION]: null });
      return annotate(job, 'Waiting', gp.reason.message, { ...jobIdNote, [REASON_ANNOTATION]: gp.reason.code });
    }
    case 'Starting':
    case 'Running':
    case 'Training': {
      if (deleted) {
        const command: Command = {
          type: 'ReportJobFailed',
          jobId: gp.id,
          reason: 'JobDeleted',
          message: `Job ${ref.namespace}/${ref.name} was deleted`,
          commandId: id('deleted'),
        };
        return [{ type: 'command', command }];
      }
      if (finish) return [finishCommand(gp.id, finish, id)];
      if (annotation(job, NODES_ANNOTATION) === undefined) {
        // Allocated and not yet admitted (or unsuspended by hand meanwhile): its pods go to the allocated nodes.
        const hostnames = gp.nodes.map(input.hostnameOf);
        return [
          {
            type: 'patch',
            patch: admissionPatch(job, hostnames),
            note: {
              type: 'Normal',
              reason: 'Admitted',
              message: `gpupool admitted it to ${hostnames.join(', ')} (job ${gp.id})`,
            },
          },
        ];
      }
      // Suspended after admission: its owner's way to stop it (kubectl patch ... suspend: true).
      if (isSuspended(job)) return [{ type: 'command', command: { type: 'StopJob', jobId: gp.id, commandId: id('suspended') } }];
      if (gp.status === 'Starting' && isRunning(job)) {
        return [{ type: 'command', command: { type: 'ReportJobStarted', jobId: gp.id, commandId: id('started') } }];
      }
      if (gp.status !== 'Starting') return annotate(job, 'Running', 'running');
      return [];
    }
    case 'Stopping': {
      if (deleted) return [{ type: 'command', command: { type: 'ReleaseJob', jobId: gp.id, commandId: id('released') } }];
      if (finish) return [finishCommand(gp.id, finish, id)];
      if (!isSuspended(job))
        return [{ type: 'patch', patch: suspendPatch('Stopping', 'stopped in gpupool: its pods are being deleted') }];
      if (podsGone(job)) return [{ type: 'command', command: { type: 'ReleaseJob', jobId: gp.id, commandId: id('released') } }];
      return annotate(job, 'Stopping', 'stopped in gpupool: its pods are being deleted');
    }
    case 'Complete':
    case 'Error':
    case 'Stopped': {
      if (deleted) return [];
      const status: AdmissionStatus = gp.status === 'Complete' ? 'Complete' : gp.status === 'Error' ? 'Failed' : 'Stopped';
      const message =
        gp.status === 'Complete' ? 'complete' : gp.status === 'Error' ? (gp.failure?.message ?? 'failed') : 'stopped in gpupool';
      // Ended in gpupool while its pods may still run (its node lost, stopped while waiting): its GPUs are not its any more.
      if (!isSuspended(job) && finishOf(job) === null) return [{ type: 'patch', patch: suspendPatch(status, message) }];
      return annotate(job, status, message, { [REASON_ANNOTATION]: null });
    }
  }
}

function finishCommand(jobId: string, finish: NonNullable<ReturnType<typeof finishOf>>, id: (what: string) => string): Step {
  return finish.complete
    ? { type: 'command', command: { type: 'ReportJobCompleted', jobId, commandId: id('completed') } }
    : {
        type: 'command',
        command: { type: 'ReportJobFailed', jobId, reason: finish.reason, message: finish.message, commandId: id('failed') },
      };
}

/**
 * Refusals that pass by themselves: the group's (or its user's) limit on unfinished jobs. Kueue
 * keeps such a workload pending rather than refusing it; so does gpupool (status Held).
 */
export const PASSING_REFUSALS: ReadonlySet<string> = new Set(['too-many-unfinished-jobs']);

/** How the engine's refusal of a submission is written on the Job (nothing when it says so already). */
export function refusal(job: V1Job, code: string, message: string): Step[] {
  if (!PASSING_REFUSALS.has(code)) return [rejected(message)];
  return annotate(job, 'Held', message, { [MESSAGE_ANNOTATION]: message, [REASON_ANNOTATION]: null });
}

/** Whether the Job waits for its group's limits to let it be submitted. */
export const isHeld = (job: V1Job): boolean => annotation(job, STATUS_ANNOTATION) === 'Held';

/** How a refusal is written on the Job: the Rejected status, its message, and a Warning event. */
export function rejected(message: string): Step {
  return {
    type: 'patch',
    patch: statusPatch('Rejected', message, { [REASON_ANNOTATION]: null }),
    note: { type: 'Warning', reason: 'Rejected', message: `gpupool refused it: ${message}` },
  };
}
