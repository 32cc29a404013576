/**
 * The pure mapping of kubectl-made Jobs: what a Job asks for, its gpupool id, the admission patch,
 * and the plan that a Job and its gpupool job call for in each status.
 */
import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { commandCodecs } from '../../core/cluster/commands.js';
import type { GroupState, UserState, WaitReason } from '../../core/cluster/model.js';
import { Id } from '../../core/codec.js';
import {
  admissionPatch,
  finishOf,
  type GpupoolJob,
  gpusPerPod,
  isRunning,
  jobIdOf,
  planJob,
  refusal,
  requestOf,
  serviceUserOf,
  submission,
} from './batch-job.js';

/** RFC 7386, as the API server applies a merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function job(
  opts: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    parallelism?: number;
    completions?: number;
    gpus?: (number | string | undefined)[];
    suspend?: boolean;
    status?: V1Job['status'];
    affinity?: NonNullable<NonNullable<NonNullable<V1Job['spec']>['template']['spec']>['affinity']>;
  } = {},
): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: opts.name ?? 'train',
      namespace: opts.namespace ?? 'ml',
      uid: opts.uid ?? '0b5a2f4e-1111-4222-8333-444455556666',
      labels: opts.labels ?? { 'gpupool.io/group': 'g' },
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      suspend: opts.suspend ?? true,
      ...(opts.parallelism === undefined ? {} : { parallelism: opts.parallelism }),
      ...(opts.completions === undefined ? {} : { completions: opts.completions }),
      template: {
        spec: {
          restartPolicy: 'Never',
          ...(opts.affinity ? { affinity: opts.affinity } : {}),
          containers: (opts.gpus ?? [1]).map((g, i) => ({
            name: `c${i}`,
            image: `img:${i}`,
            ...(g === undefined ? {} : { resources: { limits: { 'nvidia.com/gpu': g as string } } }),
          })),
        },
      },
    },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

const group = (id: string): GroupState => ({
  id,
  name: `${id}-name`,
  pool: 'p',
  maxUnfinishedJobs: null,
  maxUnfinishedJobsPerUser: null,
});
const user = (id: string, g: string): UserState => ({
  id,
  name: id,
  role: 'data-scientist',
  group: g,
  incarnation: 0,
  onboardedAt: 0,
});
const state = {
  groups: new Map([
    ['g', group('g')],
    ['h', group('h')],
  ]),
  users: new Map([
    ['alice', user('alice', 'g')],
    ['bob', user('bob', 'h')],
  ]),
};

describe('requestOf', () => {
  it('asks for the per-pod GPUs (summed over containers) times parallelism, one worker per pod', () => {
    const r = requestOf(job({ parallelism: 2, gpus: [2, undefined, '1'] }));
    expect(r).toMatchObject({ ok: true, group: 'g', gpus: 6, workers: 2, kind: 'training', priority: 0, gpuType: null });
  });

  it('defaults parallelism to 1, and reads kind, type, priority and expected duration', () => {
    const r = requestOf(
      job({
        gpus: [4],
        labels: { 'gpupool.io/group': 'g', 'gpupool.io/kind': 'preprocessing', 'gpupool.io/priority': '-3' },
        annotations: { 'gpupool.io/gpu-type': 'NVIDIA A100-SXM4-80GB', 'gpupool.io/expected-duration': '3600' },
      }),
    );
    expect(r).toMatchObject({
      ok: true,
      gpus: 4,
      workers: 1,
      kind: 'preprocessing',
      priority: -3,
      gpuType: 'NVIDIA A100-SXM4-80GB',
      expectedDuration: 3600,
      image: 'img:0',
    });
  });

  it('reads another GPU resource when configured, and init containers as the scheduler does', () => {
    const j = job({ gpus: [undefined] });
    const pod = j.spec?.template.spec;
    if (!pod) throw new Error('no pod spec');
    pod.containers[0] = { name: 'c', resources: { limits: { 'amd.com/gpu': '2' } } };
    pod.initContainers = [{ name: 'warm', resources: { limits: { 'amd.com/gpu': '3' } } }];
    expect(gpusPerPod(pod, 'amd.com/gpu')).toBe(3);
    pod.initContainers = [{ name: 'side', restartPolicy: 'Always', resources: { limits: { 'amd.com/gpu': '1' } } }];
    expect(gpusPerPod(pod, 'amd.com/gpu')).toBe(3);
    expect(requestOf(j, { gpuResource: 'amd.com/gpu' })).toMatchObject({ ok: true, gpus: 3 });
  });

  it('refuses what gpupool cannot admit, saying why', () => {
    const refusal = (j: V1Job) => {
      const r = requestOf(j);
      return r.ok ? 'accepted' : r.message;
    };
    expect(refusal(job({ labels: { 'gpupool.io/group': '' } }))).toMatch(/names no group/);
    expect(refusal(job({ gpus: [undefined] }))).toMatch(/no container asks for nvidia.com\/gpu/);
    expect(refusal(job({ gpus: [0] }))).toMatch(/no container asks/);
    expect(refusal(job({ gpus: ['500m'] }))).toMatch(/not a whole number/);
    expect(refusal(job({ parallelism: 0 }))).toMatch(/parallelism is 0/);
    expect(refusal(job({ parallelism: 4, completions: 2 }))).toMatch(/completions \(2\) is less than/);
    expect(refusal(job({ labels: { 'gpupool.io/group': 'g', 'gpupool.io/kind': 'notebook' } }))).toMatch(/not one of/);
    expect(refusal(job({ labels: { 'gpupool.io/group': 'g', 'gpupool.io/priority': 'high' } }))).toMatch(/not an integer/);
    // More completions than parallelism run in waves on the same nodes: accepted.
    expect(refusal(job({ parallelism: 2, completions: 8 }))).toBe('accepted');
  });
});

describe('jobIdOf', () => {
  it('is the namespace and name with a hash of the uid: a Job created again is another job', () => {
    const a = jobIdOf({ namespace: 'ml', name: 'train', uid: 'uid-1' });
    const b = jobIdOf({ namespace: 'ml', name: 'train', uid: 'uid-2' });
    expect(a).toMatch(/^ml\/train@[0-9a-f]{8}$/);
    expect(b).not.toBe(a);
    expect(jobIdOf({ namespace: 'ml', name: 'train', uid: 'uid-1' })).toBe(a);
  });

  it('is a valid id for the longest names, and survives a trip through a URL path segment', () => {
    const long = jobIdOf({ namespace: 'n'.repeat(63), name: 'x'.repeat(253), uid: 'u' });
    expect(long.length).toBe(253);
    expect(Id.is(long)).toBe(true);
    for (const id of [long, jobIdOf({ namespace: 'team-a', name: 'resnet.v2', uid: 'u' })]) {
      const segment = encodeURIComponent(id);
      expect(segment).not.toMatch(/[/@]/);
      expect(decodeURIComponent(segment)).toBe(id);
      expect(new URL(`http://h/jobs/${segment}`).pathname.split('/')[2]).toBe(segment);
    }
  });
});

describe('submission', () => {
  it('submits as the labelled user, with the Job in the spec and an id from its uid', () => {
    const s = submission(job({ labels: { 'gpupool.io/group': 'g', 'gpupool.io/user': 'alice' }, parallelism: 2 }), state);
    if (!s.ok) throw new Error(s.message);
    expect(s.commands).toEqual([
      {
        type: 'SubmitJob',
        jobId: s.jobId,
        kind: 'training',
        owner: 'alice',
        gpus: 2,
        workers: 2,
        priority: 0,
        shared: true,
        spec: { kubernetesJob: { namespace: 'ml', name: 'train', uid: '0b5a2f4e-1111-4222-8333-444455556666' }, image: 'img:0' },
        commandId: 'k8s-admission:0b5a2f4e-1111-4222-8333-444455556666:submit',
      },
    ]);
    // Every command satisfies its codec.
    for (const c of s.commands) expect(commandCodecs[c.type].is(c)).toBe(true);
  });

  it('carries the pod template’s node selector: gpupool allocates the Job GPUs on such nodes only', () => {
    const j = job({ labels: { 'gpupool.io/group': 'g', 'gpupool.io/user': 'alice' } });
    (j.spec?.template.spec as { nodeSelector?: Record<string, string> }).nodeSelector = { disk: 'ssd' };
    const s = submission(j, state);
    if (!s.ok) throw new Error(s.message);
    expect(s.commands[0]).toMatchObject({ type: 'SubmitJob', nodeSelector: { disk: 'ssd' } });
    for (const c of s.commands) expect(commandCodecs[c.type].is(c)).toBe(true);
    // None, or an empty one: the command names none.
    const plain = submission(job({ labels: { 'gpupool.io/group': 'g', 'gpupool.io/user': 'alice' } }), state);
    expect(plain.ok && plain.commands[0]).not.toHaveProperty('nodeSelector');
  });

  it("onboards the group's service user once, when no user is named", () => {
    const s = submission(job({ labels: { 'gpupool.io/group': 'g-name' } }), state);
    if (!s.ok) throw new Error(s.message);
    expect(s.commands.map((c) => c.type)).toEqual(['OnboardUser', 'SubmitJob']);
    expect(s.commands[0]).toMatchObject({ userId: serviceUserOf('g'), groupId: 'g', commandId: 'k8s-admission:onboard:g' });
    expect(s.commands[1]).toMatchObject({ owner: 'kubernetes.g' });
    const withUser = { ...state, users: new Map([...state.users, ['kubernetes.g', user('kubernetes.g', 'g')]]) };
    const again = submission(job(), withUser);
    expect(again.ok && again.commands.map((c) => c.type)).toEqual(['SubmitJob']);
  });

  it('refuses a group that does not exist and a user of another group', () => {
    expect(submission(job({ labels: { 'gpupool.io/group': 'nope' } }), state)).toEqual({
      ok: false,
      message: "group 'nope' does not exist",
    });
    expect(submission(job({ labels: { 'gpupool.io/group': 'g', 'gpupool.io/user': 'bob' } }), state)).toMatchObject({
      ok: false,
      message: "user 'bob' is in group 'h', not in group 'g'",
    });
    expect(submission(job({ labels: { 'gpupool.io/group': 'g', 'gpupool.io/user': 'carol' } }), state)).toMatchObject({
      ok: false,
      message: "user 'carol' does not exist",
    });
  });
});

describe('admissionPatch', () => {
  it('pins the pods to the allocated hostnames, one per node, and unsuspends, in one merge patch', () => {
    const j = job({ parallelism: 2 });
    const patch = admissionPatch(j, ['node-a', 'node-b']);
    expect(patch.spec).toEqual({
      suspend: false,
      template: {
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a', 'node-b'] }] },
                ],
              },
            },
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: { 'batch.kubernetes.io/job-name': 'train' } },
                  topologyKey: 'kubernetes.io/hostname',
                },
              ],
            },
          },
        },
      },
    });
    expect(patch.metadata?.annotations).toMatchObject({ 'gpupool.io/status': 'Admitted', 'gpupool.io/nodes': 'node-a,node-b' });
  });

  it("keeps the template's own constraints (ANDed into each term) and applies again to the same affinity", () => {
    const j = job({
      parallelism: 2,
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] },
              { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['mine'] }] },
            ],
          },
        },
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: {} }] },
      },
    });
    const once = mergePatch(j as never, admissionPatch(j, ['a', 'b']) as never) as unknown as V1Job;
    const affinity = once.spec?.template.spec?.affinity;
    expect(affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      {
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['z1'] },
          { key: 'kubernetes.io/hostname', operator: 'In', values: ['a', 'b'] },
        ],
      },
      { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a', 'b'] }] },
    ]);
    expect(affinity?.podAffinity).toEqual(j.spec?.template.spec?.affinity?.podAffinity);
    const twice = mergePatch(once as never, admissionPatch(once, ['a', 'b']) as never);
    expect(twice).toEqual(once);
  });

  it('puts no anti-affinity when the allocation has fewer nodes than pods (a count-placement pool)', () => {
    const patch = admissionPatch(job({ parallelism: 4 }), ['a', 'b']);
    expect(patch.spec?.template?.spec?.affinity?.podAntiAffinity).toBeUndefined();
  });
});

describe('Job state', () => {
  it('reads its end from the terminal conditions only', () => {
    const cond = (type: string, reason?: string) => ({
      type,
      status: 'True',
      ...(reason ? { reason, message: `${reason}!` } : {}),
    });
    expect(finishOf(job({ status: { conditions: [cond('SuccessCriteriaMet')] } }))).toBeNull();
    expect(finishOf(job({ status: { conditions: [cond('SuccessCriteriaMet'), cond('Complete')] } }))).toEqual({ complete: true });
    expect(finishOf(job({ status: { conditions: [cond('FailureTarget'), cond('Failed', 'BackoffLimitExceeded')] } }))).toEqual({
      complete: false,
      reason: 'BackoffLimitExceeded',
      message: 'BackoffLimitExceeded!',
    });
    expect(finishOf(job({ status: { conditions: [{ type: 'Failed', status: 'False' }] } }))).toBeNull();
  });

  it('runs once as many pods are ready as run at once', () => {
    expect(isRunning(job({ parallelism: 2, status: { active: 2, ready: 1 } }))).toBe(false);
    expect(isRunning(job({ parallelism: 2, status: { active: 2, ready: 2 } }))).toBe(true);
    expect(isRunning(job({ parallelism: 2, status: { active: 2 } }))).toBe(true);
    expect(isRunning(job({ parallelism: 2, status: { succeeded: 1 } }))).toBe(true);
  });
});

describe('planJob', () => {
  const hostnameOf = (n: string) => `host-${n}`;
  const gp = (status: GpupoolJob['status'], extra: Partial<GpupoolJob> = {}): GpupoolJob => ({
    id: 'ml/train@x',
    status,
    reason: null,
    nodes: [],
    failure: null,
    ...extra,
  });
  const plan = (j: V1Job, g: GpupoolJob | undefined, deleted = false) =>
    planJob({ job: j, deleted, gpupool: g, state, hostnameOf });
  const uid = '0b5a2f4e-1111-4222-8333-444455556666';
  const reason: WaitReason = {
    code: 'not-enough-free-gpus',
    message: 'needs 2 GPUs, 0 free',
    needs: { gpus: 2, workers: 2, gpusPerWorker: 1, gpuType: null },
    freeGpus: 0,
    largestFreeBlockPerNode: 0,
    jobsAhead: 0,
    pool: 'p',
  };

  it('submits a suspended Job, leaves an unsuspended one alone (said once), and a rejected one', () => {
    expect(plan(job(), undefined).map((s) => s.type)).toEqual(['submit']);
    const ignored = plan(job({ suspend: false }), undefined);
    expect(ignored).toMatchObject([{ type: 'patch', patch: { metadata: { annotations: { 'gpupool.io/status': 'Ignored' } } } }]);
    expect(plan(job({ suspend: false, annotations: { 'gpupool.io/status': 'Ignored' } }), undefined)).toEqual([]);
    expect(plan(job({ annotations: { 'gpupool.io/status': 'Rejected' } }), undefined)).toEqual([]);
    expect(plan(job({ labels: { 'gpupool.io/group': 'nope' } }), undefined)).toMatchObject([
      { type: 'patch', patch: { metadata: { annotations: { 'gpupool.io/status': 'Rejected' } } }, note: { type: 'Warning' } },
    ]);
  });

  it('annotates the wait reason only when its code changes', () => {
    const waiting = gp('WaitingForGPUs', { reason });
    const [step] = plan(job(), waiting);
    expect(step).toMatchObject({
      type: 'patch',
      patch: {
        metadata: {
          annotations: {
            'gpupool.io/status': 'Waiting',
            'gpupool.io/message': 'needs 2 GPUs, 0 free',
            'gpupool.io/reason': 'not-enough-free-gpus',
          },
        },
      },
    });
    const annotated = job({
      annotations: {
        'gpupool.io/status': 'Waiting',
        'gpupool.io/reason': 'not-enough-free-gpus',
        'gpupool.io/job-id': 'ml/train@x',
      },
    });
    expect(plan(annotated, gp('WaitingForGPUs', { reason: { ...reason, message: 'needs 2 GPUs, 1 free' } }))).toEqual([]);
    expect(plan(annotated, gp('WaitingForGPUs', { reason: { ...reason, code: 'blocked-behind-head' } }))).toHaveLength(1);
  });

  it('stops a waiting Job whose group label was removed, and leaves such a Job alone before it is submitted', () => {
    expect(plan(job({ labels: {} }), gp('WaitingForGPUs', { reason }))).toEqual([
      { type: 'command', command: { type: 'StopJob', jobId: 'ml/train@x', commandId: `k8s-admission:${uid}:unlabelled` } },
    ]);
    expect(plan(job({ labels: {} }), undefined)).toEqual([]);
    // Admitted already: still followed to its end.
    const running = job({
      labels: {},
      suspend: false,
      annotations: { 'gpupool.io/nodes': 'a' },
      status: { conditions: [{ type: 'Complete', status: 'True' }] },
    });
    expect(plan(running, gp('Training'))).toMatchObject([{ command: { type: 'ReportJobCompleted' } }]);
  });

  it('suspends again a waiting Job unsuspended by hand, and stops one deleted', () => {
    expect(plan(job({ suspend: false }), gp('Queued'))).toMatchObject([{ type: 'patch', patch: { spec: { suspend: true } } }]);
    expect(plan(job(), gp('Queued'), true)).toEqual([
      { type: 'command', command: { type: 'StopJob', jobId: 'ml/train@x', commandId: `k8s-admission:${uid}:deleted` } },
    ]);
  });

  it('admits an allocated Job to the hostnames of its nodes, then reports it started, completed or failed', () => {
    const allocated = gp('Starting', { nodes: ['n1', 'n2'] });
    const [admit] = plan(job({ parallelism: 2 }), allocated);
    expect(admit).toMatchObject({ type: 'patch', patch: { spec: { suspend: false } }, note: { reason: 'Admitted' } });
    const admitted = (status: V1Job['status']) =>
      job({ parallelism: 2, suspend: false, annotations: { 'gpupool.io/nodes': 'host-n1,host-n2' }, status });
    expect(plan(admitted({ active: 2, ready: 1 }), allocated)).toEqual([]);
    expect(plan(admitted({ active: 2, ready: 2 }), allocated)).toMatchObject([
      { command: { type: 'ReportJobStarted', commandId: `k8s-admission:${uid}:started` } },
    ]);
    const complete = admitted({ conditions: [{ type: 'Complete', status: 'True' }] });
    expect(plan(complete, gp('Training'))).toMatchObject([{ command: { type: 'ReportJobCompleted' } }]);
    const failed = admitted({
      conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'too many' }],
    });
    expect(plan(failed, gp('Starting'))).toMatchObject([
      { command: { type: 'ReportJobFailed', reason: 'BackoffLimitExceeded', message: 'too many' } },
    ]);
    expect(plan(admitted({}), gp('Training'), true)).toMatchObject([
      { command: { type: 'ReportJobFailed', reason: 'JobDeleted' } },
    ]);
    // Suspended by its owner after admission: a stop.
    const suspended = job({ parallelism: 2, suspend: true, annotations: { 'gpupool.io/nodes': 'host-n1,host-n2' } });
    expect(plan(suspended, gp('Training'))).toMatchObject([{ command: { type: 'StopJob' } }]);
  });

  it('suspends a stopping Job and releases it once its pods are gone', () => {
    const running = job({ suspend: false, annotations: { 'gpupool.io/nodes': 'a' }, status: { active: 1 } });
    expect(plan(running, gp('Stopping'))).toMatchObject([
      { type: 'patch', patch: { spec: { suspend: true }, metadata: { annotations: { 'gpupool.io/status': 'Stopping' } } } },
    ]);
    const suspending = job({
      suspend: true,
      annotations: { 'gpupool.io/status': 'Stopping', 'gpupool.io/nodes': 'a' },
      status: { active: 1 },
    });
    expect(plan(suspending, gp('Stopping'))).toEqual([]);
    const gone = job({ suspend: true, annotations: { 'gpupool.io/status': 'Stopping' }, status: { active: 0 } });
    expect(plan(gone, gp('Stopping'))).toMatchObject([
      { command: { type: 'ReleaseJob', commandId: `k8s-admission:${uid}:released` } },
    ]);
    expect(plan(running, gp('Stopping'), true)).toMatchObject([{ command: { type: 'ReleaseJob' } }]);
  });

  it('suspends a Job whose gpupool job ended under it, and writes the end once', () => {
    const running = job({ suspend: false, annotations: { 'gpupool.io/nodes': 'a' }, status: { active: 1 } });
    expect(plan(running, gp('Error', { failure: { reason: 'NodeLost', message: "node 'a' was lost" } }))).toMatchObject([
      {
        patch: {
          spec: { suspend: true },
          metadata: { annotations: { 'gpupool.io/status': 'Failed', 'gpupool.io/message': "node 'a' was lost" } },
        },
      },
    ]);
    const complete = job({ suspend: false, status: { conditions: [{ type: 'Complete', status: 'True' }] } });
    expect(plan(complete, gp('Complete'))).toMatchObject([
      { patch: { metadata: { annotations: { 'gpupool.io/status': 'Complete' } } } },
    ]);
    const written = job({
      suspend: false,
      annotations: { 'gpupool.io/status': 'Complete' },
      status: { conditions: [{ type: 'Complete', status: 'True' }] },
    });
    expect(plan(written, gp('Complete'))).toEqual([]);
    expect(plan(running, gp('Stopped'), true)).toEqual([]);
  });

  it("holds a Job refused by its group's limits (tried again later), and rejects one refused for good", () => {
    const held = refusal(job(), 'too-many-unfinished-jobs', "group 'g' has 1 unfinished jobs, its limit");
    expect(held).toMatchObject([{ type: 'patch', patch: { metadata: { annotations: { 'gpupool.io/status': 'Held' } } } }]);
    const annotated = job({
      annotations: { 'gpupool.io/status': 'Held', 'gpupool.io/message': "group 'g' has 1 unfinished jobs, its limit" },
    });
    expect(refusal(annotated, 'too-many-unfinished-jobs', "group 'g' has 1 unfinished jobs, its limit")).toEqual([]);
    // A held Job is submitted again when planned; a rejected one is not.
    expect(plan(annotated, undefined).map((s) => s.type)).toEqual(['submit']);
    expect(refusal(job(), 'never-fits', 'too big')).toMatchObject([
      { patch: { metadata: { annotations: { 'gpupool.io/status': 'Rejected' } } }, note: { type: 'Warning' } },
    ]);
  });
});
