/**
 * The admission of kubectl-made Jobs against the fake cluster (API server, kubelets, Job
 * controller) and a real engine on an in-memory store. Two nodes of 2 A100s, all 4 GPUs in pool
 * 'p' of group 'g' (data scientist 'u'). gpupool's own jobs, used to fill the pool, are reported
 * by hand: the pod runtime is not part of these tests.
 */
import type { V1Affinity, V1Job } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../core/cluster/commands.js';
import type { JobState } from '../../core/cluster/model.js';
import {
  allocate,
  assignPool,
  completed,
  createGroup,
  createPool,
  install,
  onboard,
  registerNode,
  started,
  stop,
  submit,
} from '../../core/cluster/test-support/given.js';
import type { EventStore } from '../../core/ports.js';
import { createEngine, type Engine } from '../../engine/engine.js';
import { InMemoryEventStore } from '../memory/store.js';
import { type Admission, startAdmission } from './admission.js';
import { jobIdOf } from './batch-job.js';
import { apiStatus, connect, type Kube } from './kube.js';
import { type FakeCluster, kubectlAvailable, startFakeCluster } from './test-support/cluster.js';
import { waitFor } from './test-support/wait.js';

const NODES = ['n1', 'n2'];
/** Labels of the nodes beside their hostnames: only n2 has an SSD. */
const LABELS: Record<string, Record<string, string>> = { n1: {}, n2: { disk: 'ssd' } };

interface Harness {
  cluster: FakeCluster;
  store: EventStore;
  engine: Engine;
  kube: Kube;
  admission: Admission;
  errors: unknown[];
  restart(): Promise<void>;
}

const open: Harness[] = [];
afterEach(async () => {
  const errors: string[] = [];
  for (const h of open.splice(0)) {
    await h.admission.stop();
    await h.cluster.close();
    errors.push(...h.errors.map(String));
  }
  // Nothing went wrong on the way: no API call refused, no command thrown.
  expect(errors).toEqual([]);
});

async function accept(engine: Engine, command: Command): Promise<void> {
  const o = await engine.execute(command);
  if (!o.ok) throw new Error(`${command.type} rejected: ${o.rejection.message}`);
}

async function harness(engineOptions: { archive?: null } = {}): Promise<Harness> {
  const cluster = await startFakeCluster({
    nodes: NODES.map((name) => ({ name, gpus: 2, labels: LABELS[name] })),
    kubelet: { startAfterMs: 10, terminationMs: 20 },
  });
  const store = new InMemoryEventStore();
  const engine = await createEngine({ store, ...engineOptions });
  const setup: Command[] = [
    install(),
    ...NODES.map((n) => registerNode(n, 2, 'A100', { labels: { 'kubernetes.io/hostname': n, ...LABELS[n] } })),
    createPool('p', 'A100'),
    allocate('p', 4),
    createGroup('g'),
    assignPool('g', 'p'),
    onboard('u', { groupId: 'g' }),
  ];
  const r = await engine.executeBatch(setup);
  expect(r.outcomes.filter((o) => !o.ok)).toEqual([]);
  const kube = connect({ kubeconfig: cluster.kubeconfigPath });
  const errors: unknown[] = [];
  const options = {
    onError: (e: unknown) => errors.push(e),
    retryMs: 50,
    listWatch: { initialBackoffMs: 20, maxBackoffMs: 200 },
  };
  const h: Harness = {
    cluster,
    store,
    engine,
    kube,
    admission: startAdmission(engine, store, kube, options),
    errors,
    async restart() {
      await h.admission.stop();
      h.admission = startAdmission(engine, store, kube, options);
      await h.admission.synced;
    },
  };
  open.push(h);
  await h.admission.synced;
  return h;
}

interface JobOptions {
  parallelism?: number;
  gpus?: number;
  group?: string;
  labels?: Record<string, string>;
  /** On the pods: how the simulated kubelet runs them. */
  runForMs?: number | null;
  exitCode?: number;
  suspend?: boolean;
  /** The pod template's affinity. */
  affinity?: V1Affinity;
}

function manifest(name: string, o: JobOptions = {}): string {
  const podAnnotations: Record<string, string> = {};
  if (o.runForMs !== null) podAnnotations['sim.gpupool.io/run-for-ms'] = String(o.runForMs ?? 200);
  if (o.exitCode !== undefined) podAnnotations['sim.gpupool.io/exit-code'] = String(o.exitCode);
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { 'gpupool.io/group': o.group ?? 'g', ...o.labels } },
    spec: {
      suspend: o.suspend ?? true,
      parallelism: o.parallelism ?? 1,
      completions: o.parallelism ?? 1,
      backoffLimit: 0,
      template: {
        metadata: { annotations: podAnnotations },
        spec: {
          restartPolicy: 'Never',
          ...(o.affinity ? { affinity: o.affinity } : {}),
          containers: [
            {
              name: 'train',
              image: 'registry.example/train:1',
              resources: { limits: { 'nvidia.com/gpu': String(o.gpus ?? 1) } },
            },
          ],
        },
      },
    },
  };
  return JSON.stringify(job);
}

async function kubectlCreate(h: Harness, name: string, o: JobOptions = {}): Promise<V1Job> {
  const r = await h.cluster.kubectl(['create', '--validate=false', '-f', '-'], { input: manifest(name, o) });
  expect(r.code, r.stderr).toBe(0);
  return jobNamed(h, name) as V1Job;
}

const jobNamed = (h: Harness, name: string) => h.cluster.api.get('jobs', 'default', name) as V1Job | undefined;
const annotations = (h: Harness, name: string) => jobNamed(h, name)?.metadata?.annotations ?? {};
const gpupoolId = (job: V1Job) =>
  jobIdOf({ namespace: job.metadata?.namespace ?? '', name: job.metadata?.name ?? '', uid: job.metadata?.uid ?? '' });
const status = (h: Harness, jobId: string) => h.engine.job(jobId)?.status;

async function until<T>(probe: () => T | undefined | null | false, message: string, timeoutMs = 8000): Promise<T> {
  return waitFor(probe, { timeoutMs, intervalMs: 20, message });
}

/** The pods of a Job, as the Job controller labels them. */
const podsOf = (h: Harness, name: string) =>
  h.cluster.api.list('pods', { namespace: 'default', labelSelector: `batch.kubernetes.io/job-name=${name}` });

async function submittedCount(h: Harness, jobId: string): Promise<number> {
  const events = await h.store.read('cluster', { from: 0n });
  return events.filter((e) => e.type === 'JobSubmitted' && (e.data as { jobId: string }).jobId === jobId).length;
}

/** Fill the pool with one of gpupool's own jobs (both nodes), started. */
async function fill(h: Harness, jobId = 'fill'): Promise<void> {
  await accept(h.engine, submit(jobId, 4, { workers: 2 }));
  expect(status(h, jobId)).toBe('Starting');
  await accept(h.engine, started(jobId));
}

describe.skipIf(!kubectlAvailable())('admission of kubectl-made Jobs', () => {
  it('queues a suspended Job behind the pool, admits it to the allocated nodes (one pod each), and completes it', async () => {
    const h = await harness();
    await fill(h);
    const job = await kubectlCreate(h, 'sweep', { parallelism: 2, gpus: 1, runForMs: 300 });
    const id = gpupoolId(job);

    const waiting = await until(() => (status(h, id) === 'WaitingForGPUs' ? h.engine.job(id) : undefined), 'the job to wait');
    expect(waiting).toMatchObject<Partial<JobState>>({
      gpus: 2,
      workers: 2,
      kind: 'training',
      owner: 'kubernetes.g',
      group: 'g',
    });
    expect(waiting.spec).toMatchObject({ kubernetesJob: { namespace: 'default', name: 'sweep', uid: job.metadata?.uid } });
    await until(() => annotations(h, 'sweep')['gpupool.io/status'] === 'Waiting', 'the Waiting annotation');
    expect(annotations(h, 'sweep')).toMatchObject({
      'gpupool.io/reason': 'not-enough-free-gpus',
      'gpupool.io/message': waiting.reason?.message,
      'gpupool.io/job-id': id,
    });
    expect(jobNamed(h, 'sweep')?.spec?.suspend).toBe(true);
    expect(podsOf(h, 'sweep')).toEqual([]);

    await accept(h.engine, completed('fill'));
    await until(() => jobNamed(h, 'sweep')?.spec?.suspend === false, 'the Job to be unsuspended');
    const nodes = h.engine.job(id)?.allocation?.nodes ?? [];
    expect([...nodes].sort()).toEqual(NODES);
    expect(annotations(h, 'sweep')['gpupool.io/nodes']).toBe(nodes.join(','));
    expect(['Admitted', 'Running']).toContain(annotations(h, 'sweep')['gpupool.io/status']);
    const affinity = jobNamed(h, 'sweep')?.spec?.template.spec?.affinity;
    expect(affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: nodes }] },
    ]);

    const placed = await until(() => {
      const pods = podsOf(h, 'sweep').filter((p) => p.spec?.nodeName);
      return pods.length === 2 ? pods : undefined;
    }, 'both pods to be placed');
    const podNodes = placed.map((p) => p.spec?.nodeName as string);
    expect(new Set(podNodes).size).toBe(2);
    for (const n of podNodes) expect(nodes).toContain(n);

    await until(() => status(h, id) === 'Complete', 'the job to complete');
    expect(h.engine.job(id)?.history.map((x) => x.status)).toEqual([
      'Queued',
      'WaitingForGPUs',
      'Starting',
      'Training',
      'Complete',
    ]);
    await until(() => annotations(h, 'sweep')['gpupool.io/status'] === 'Complete', 'the Complete annotation');
    expect(await submittedCount(h, id)).toBe(1);
    await until(
      () =>
        h.cluster.api
          .list('events', { namespace: 'default' })
          .some((e) => e.reason === 'Admitted' && e.involvedObject?.name === 'sweep'),
      'the Admitted event',
    );
    expect(h.errors).toEqual([]);
  });

  it('fails the job with the Job’s reason when its pods fail past the backoff limit', async () => {
    const h = await harness();
    const job = await kubectlCreate(h, 'crash', { exitCode: 1, runForMs: 50, labels: { 'gpupool.io/user': 'u' } });
    const id = gpupoolId(job);
    await until(() => status(h, id) === 'Error', 'the job to fail');
    expect(h.engine.job(id)).toMatchObject({ owner: 'u', failure: { reason: 'BackoffLimitExceeded' } });
    await until(() => annotations(h, 'crash')['gpupool.io/status'] === 'Failed', 'the Failed annotation');
  });

  it('stops a running Job by suspending it, and releases its GPUs once its pods are gone; the Job stays', async () => {
    const h = await harness();
    const job = await kubectlCreate(h, 'serve', { parallelism: 2, runForMs: null, labels: { 'gpupool.io/kind': 'inference' } });
    const id = gpupoolId(job);
    await until(() => status(h, id) === 'Running', 'the job to run');
    expect(podsOf(h, 'serve').filter((p) => p.status?.phase === 'Running')).toHaveLength(2);

    await accept(h.engine, stop(id));
    await until(() => status(h, id) === 'Stopped', 'the job to be released');
    const left = jobNamed(h, 'serve');
    expect(left?.spec?.suspend).toBe(true);
    expect(left?.status?.active ?? 0).toBe(0);
    expect(podsOf(h, 'serve').filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running')).toEqual([]);
    await until(() => annotations(h, 'serve')['gpupool.io/status'] === 'Stopped', 'the Stopped annotation');
    // Its GPUs are free for the next job.
    await accept(h.engine, submit('next', 4, { workers: 2 }));
    expect(status(h, 'next')).toBe('Starting');
  });

  it('stops a waiting Job that is deleted, and fails a running one that is deleted', async () => {
    const h = await harness();
    const runningJob = await kubectlCreate(h, 'runs', { parallelism: 2, gpus: 2, runForMs: null });
    const running = gpupoolId(runningJob);
    await until(() => status(h, running) === 'Training', 'the first job to run');
    const waitingJob = await kubectlCreate(h, 'waits', { gpus: 1 });
    const waiting = gpupoolId(waitingJob);
    await until(() => status(h, waiting) === 'WaitingForGPUs', 'the second job to wait');

    expect((await h.cluster.kubectl(['delete', 'job', 'waits'])).code).toBe(0);
    await until(() => status(h, waiting) === 'Stopped', 'the waiting job to stop');

    expect((await h.cluster.kubectl(['delete', 'job', 'runs'])).code).toBe(0);
    await until(() => status(h, running) === 'Error', 'the running job to fail');
    expect(h.engine.job(running)?.failure?.reason).toBe('JobDeleted');
  });

  it("allocates on nodes that satisfy the template's required node affinity, where its pods can then run", async () => {
    const h = await harness();
    const ssd = { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd', 'nvme'] }] };
    const job = await kubectlCreate(h, 'on-ssd', {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [ssd] } } },
    });
    const id = gpupoolId(job);
    // Best-fit alone would take n1 (both nodes equally free), where the pod could never run.
    await until(() => status(h, id) === 'Complete', 'the job to complete on the SSD node');
    expect(h.engine.job(id)?.nodeAffinity).toEqual([
      { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd', 'nvme'] }] },
    ]);
    expect(h.engine.job(id)?.allocation?.nodes).toEqual(['n2']);
    const terms = jobNamed(h, 'on-ssd')?.spec?.template.spec?.affinity?.nodeAffinity
      ?.requiredDuringSchedulingIgnoredDuringExecution;
    expect(terms?.nodeSelectorTerms).toEqual([
      { matchExpressions: [...ssd.matchExpressions, { key: 'kubernetes.io/hostname', operator: 'In', values: ['n2'] }] },
    ]);
    expect(podsOf(h, 'on-ssd').map((p) => p.spec?.nodeName)).toEqual(['n2']);

    // A term gpupool cannot honour refuses the Job, naming it; one no node satisfies is the core's refusal.
    const byName = { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] };
    await kubectlCreate(h, 'by-name', {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [byName] } } },
    });
    await until(() => annotations(h, 'by-name')['gpupool.io/status'] === 'Rejected', 'the Rejected annotation');
    expect(annotations(h, 'by-name')['gpupool.io/message']).toContain(
      'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.0.matchFields: expected no matchFields',
    );
    const nowhere = {
      matchExpressions: [
        { key: 'disk', operator: 'DoesNotExist' },
        { key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['n1'] },
      ],
    };
    await kubectlCreate(h, 'nowhere', {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [nowhere] } } },
    });
    await until(() => annotations(h, 'nowhere')['gpupool.io/status'] === 'Rejected', 'the core’s refusal');
    expect(annotations(h, 'nowhere')['gpupool.io/message']).toContain(
      "no node of pool 'p' with A100 GPUs is matching disk DoesNotExist, kubernetes.io/hostname NotIn (n1)",
    );
    expect(h.errors).toEqual([]);
  });

  it('refuses what cannot be submitted on the Job, and leaves a Job not created suspended alone', async () => {
    const h = await harness();
    await kubectlCreate(h, 'nogroup', { group: 'nope' });
    await until(() => annotations(h, 'nogroup')['gpupool.io/status'] === 'Rejected', 'the Rejected annotation');
    expect(annotations(h, 'nogroup')['gpupool.io/message']).toBe("group 'nope' does not exist");
    const toobig = await kubectlCreate(h, 'toobig', { gpus: 8 });
    await until(() => annotations(h, 'toobig')['gpupool.io/status'] === 'Rejected', 'the core’s refusal');
    expect(annotations(h, 'toobig')['gpupool.io/message']).toMatch(/asks for 8 GPUs but pool 'p' has 4/);
    expect(h.engine.job(gpupoolId(toobig))).toBeUndefined();
    const rejectedEvents = () =>
      h.cluster.api
        .list('events', { namespace: 'default' })
        .filter((e) => e.reason === 'Rejected')
        .map((e) => e.involvedObject?.name)
        .sort();
    await until(() => rejectedEvents().length === 2, 'the Warning events');
    expect(rejectedEvents()).toEqual(['nogroup', 'toobig']);

    const free = await kubectlCreate(h, 'free', { suspend: false, runForMs: null });
    await until(() => annotations(h, 'free')['gpupool.io/status'] === 'Ignored', 'the Ignored annotation');
    expect(h.engine.job(gpupoolId(free))).toBeUndefined();
  });

  it('picks up after a restart: no second submission, Jobs created, finished and deleted meanwhile', async () => {
    const h = await harness();
    await fill(h);
    const a = await kubectlCreate(h, 'a', { gpus: 2, runForMs: 300 });
    const aId = gpupoolId(a);
    await until(() => status(h, aId) === 'WaitingForGPUs', 'a to wait');
    await until(() => annotations(h, 'a')['gpupool.io/status'] === 'Waiting', 'a annotated');

    // Restart while it waits: submitted once.
    await h.restart();
    await h.admission.idle();
    expect(await submittedCount(h, aId)).toBe(1);

    // Down while: b is created, a is admitted and finishes, c waits and is deleted.
    await h.admission.stop();
    const b = await kubectlCreate(h, 'b', { gpus: 2, runForMs: null });
    const bId = gpupoolId(b);
    await accept(h.engine, completed('fill'));
    expect(status(h, aId)).toBe('Starting');
    // Admitted by hand as gpupool would have, to let a's pods run while the admission is down.
    const nodes = (h.engine.job(aId)?.allocation?.nodes ?? []).join(',');
    h.cluster.api.patch(
      'jobs',
      'default',
      'a',
      { metadata: { annotations: { 'gpupool.io/nodes': nodes } }, spec: { suspend: false } },
      { type: 'merge' },
    );
    await until(
      () => jobNamed(h, 'a')?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'),
      'a to complete',
    );
    expect(status(h, aId)).toBe('Starting');

    h.admission = startAdmission(h.engine, h.store, h.kube, { onError: (e) => h.errors.push(e), retryMs: 50 });
    await h.admission.synced;
    await until(() => status(h, aId) === 'Complete', 'a reported complete after the restart');
    await until(() => status(h, bId) === 'Starting' || status(h, bId) === 'Training', 'b submitted and admitted');
    expect(await submittedCount(h, aId)).toBe(1);
    expect(await submittedCount(h, bId)).toBe(1);

    // Deleted while down: b (running) fails as deleted.
    await until(() => status(h, bId) === 'Training', 'b to run');
    await h.admission.stop();
    expect((await h.cluster.kubectl(['delete', 'job', 'b'])).code).toBe(0);
    await h.restart();
    await until(() => status(h, bId) === 'Error', 'b failed as deleted after the restart');
    expect(h.engine.job(bId)?.failure?.reason).toBe('JobDeleted');
    expect(await submittedCount(h, bId)).toBe(1);
  });

  it('holds a Job while its group is at its limit and submits it when a job ends; a Job unsuspended early is suspended again; suspending an admitted Job stops it', async () => {
    const h = await harness();
    await accept(h.engine, { type: 'ConfigureGroup', groupId: 'g', maxUnfinishedJobs: 1 });
    await fill(h);
    const held = await kubectlCreate(h, 'held', { gpus: 1, runForMs: null });
    await until(() => annotations(h, 'held')['gpupool.io/status'] === 'Held', 'the Held annotation');
    expect(annotations(h, 'held')['gpupool.io/message']).toMatch(/its limit/);
    const id = gpupoolId(held);
    expect(h.engine.job(id)).toBeUndefined();
    await accept(h.engine, stop('fill')); // Running: stopping, then released by hand
    await accept(h.engine, { type: 'ReleaseJob', jobId: 'fill' });
    await until(() => status(h, id) === 'Starting' || status(h, id) === 'Training', 'the held Job submitted and admitted');
    expect(await submittedCount(h, id)).toBe(1);
    await until(() => status(h, id) === 'Training', 'the held Job to run');

    // Suspended by its owner once admitted: stopped, and released once its pod is gone.
    expect((await h.cluster.kubectl(['patch', 'job', 'held', '--type=merge', '-p', '{"spec":{"suspend":true}}'])).code).toBe(0);
    await until(() => status(h, id) === 'Stopped', 'the suspended Job to be stopped');

    // Unsuspended by hand while it waits: suspended again, still waiting.
    await accept(h.engine, { type: 'ConfigureGroup', groupId: 'g', maxUnfinishedJobs: null });
    await fill(h, 'fill2');
    const early = await kubectlCreate(h, 'early', { gpus: 1, runForMs: null });
    const earlyId = gpupoolId(early);
    await until(() => status(h, earlyId) === 'WaitingForGPUs', 'early to wait');
    expect((await h.cluster.kubectl(['patch', 'job', 'early', '--type=merge', '-p', '{"spec":{"suspend":false}}'])).code).toBe(0);
    await until(
      () => jobNamed(h, 'early')?.spec?.suspend === true && annotations(h, 'early')['gpupool.io/status'] === 'Waiting',
      'early suspended again',
    );
    expect(status(h, earlyId)).toBe('WaitingForGPUs');
  });

  it('takes a Job created again under the same name for a new job', async () => {
    const h = await harness();
    const first = await kubectlCreate(h, 'again', { gpus: 1, runForMs: 100 });
    await until(() => status(h, gpupoolId(first)) === 'Complete', 'the first to complete');
    expect((await h.cluster.kubectl(['delete', 'job', 'again'])).code).toBe(0);
    const second = await kubectlCreate(h, 'again', { gpus: 1, runForMs: 100 });
    expect(gpupoolId(second)).not.toBe(gpupoolId(first));
    await until(() => status(h, gpupoolId(second)) === 'Complete', 'the second to complete');
    expect(h.engine.job(gpupoolId(first))?.status).toBe('Complete');
  });

  it('tries a Job again after the API server refuses its patches, and an expired watch re-lists without a second submission', async () => {
    const h = await harness();
    await fill(h);
    const job = await kubectlCreate(h, 'stubborn', { parallelism: 2, runForMs: 200 });
    const id = gpupoolId(job);
    await until(() => annotations(h, 'stubborn')['gpupool.io/status'] === 'Waiting', 'the Waiting annotation');

    expect(h.cluster.api.expireWatches()).toBeGreaterThan(0);
    h.cluster.api.failNext(2, { status: 500, verb: 'patch', path: '/jobs/stubborn' });
    await accept(h.engine, completed('fill'));
    await until(() => status(h, id) === 'Complete', 'the job to complete despite the refusals');
    expect(h.errors.map((e) => apiStatus(e).code)).toEqual([500, 500]);
    h.errors.length = 0;
    expect(await submittedCount(h, id)).toBe(1);
    expect(h.cluster.api.stats()['list jobs']).toBeGreaterThanOrEqual(2);
  });

  it('stops a waiting Job whose group label is removed, and follows an admitted one to its end', async () => {
    const h = await harness();
    await h.admission.stop();
    h.admission = startAdmission(h.engine, h.store, h.kube, { onError: (e) => h.errors.push(e), retryMs: 50, rereadMs: 50 });
    await h.admission.synced;
    const runs = await kubectlCreate(h, 'runs', { parallelism: 2, gpus: 2, runForMs: 1500 });
    const runsId = gpupoolId(runs);
    await until(() => status(h, runsId) === 'Training', 'the first job to run');
    const waits = await kubectlCreate(h, 'waits', { gpus: 1 });
    const waitsId = gpupoolId(waits);
    await until(() => status(h, waitsId) === 'WaitingForGPUs', 'the second job to wait');

    expect((await h.cluster.kubectl(['label', 'job', 'waits', 'gpupool.io/group-'])).code).toBe(0);
    await until(() => status(h, waitsId) === 'Stopped', 'the unlabelled waiting job to stop');
    expect(jobNamed(h, 'waits')?.spec?.suspend).toBe(true);

    expect((await h.cluster.kubectl(['label', 'job', 'runs', 'gpupool.io/group-'])).code).toBe(0);
    expect(status(h, runsId)).toBe('Training');
    // Out of the watch's sight, read again: its completion is reported.
    await until(() => status(h, runsId) === 'Complete', 'the unlabelled running job to complete', 10_000);
    expect(h.cluster.api.stats()['get jobs']).toBeGreaterThan(2);
  });

  it('leaves a finished Job as it is after a restart, even without a job archive to read its record from', async () => {
    const h = await harness({ archive: null });
    const job = await kubectlCreate(h, 'done', { gpus: 1, runForMs: 50 });
    const id = gpupoolId(job);
    await until(() => annotations(h, 'done')['gpupool.io/status'] === 'Complete', 'the Complete annotation');
    expect(h.engine.job(id)).toBeUndefined(); // no archive: only its end is kept
    const revision = h.engine.revision;
    await h.restart();
    await h.admission.idle();
    expect(annotations(h, 'done')['gpupool.io/status']).toBe('Complete');
    expect(h.engine.revision).toBe(revision);
  });

  it('suspends a running Job whose node gpupool lost, and follows Jobs of every namespace', async () => {
    const h = await harness();
    h.cluster.api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml' } });
    const input = manifest('lost', { parallelism: 2, runForMs: null }).replace(
      '"metadata":{"name":"lost"',
      '"metadata":{"name":"lost","namespace":"ml"',
    );
    const r = await h.cluster.kubectl(['create', '--validate=false', '-f', '-'], { input });
    expect(r.code, r.stderr).toBe(0);
    const job = h.cluster.api.get('jobs', 'ml', 'lost') as V1Job;
    const id = gpupoolId(job);
    expect(id).toMatch(/^ml\/lost@/);
    await until(() => status(h, id) === 'Training', 'the job in namespace ml to run');

    await accept(h.engine, { type: 'LoseNode', nodeId: 'n1' });
    expect(h.engine.job(id)?.failure?.reason).toBe('NodeLost');
    await until(() => (h.cluster.api.get('jobs', 'ml', 'lost') as V1Job).spec?.suspend === true, 'the Job suspended');
    const annotated = (h.cluster.api.get('jobs', 'ml', 'lost') as V1Job).metadata?.annotations ?? {};
    expect(annotated['gpupool.io/status']).toBe('Failed');
    expect(annotated['gpupool.io/message']).toBe("node 'n1' was lost");
    await until(
      () =>
        h.cluster.api
          .list('pods', { namespace: 'ml' })
          .every((p) => p.metadata.deletionTimestamp || p.status?.phase !== 'Running'),
      'its pods stopped',
    );
  });

  it('submits and reports once with two admissions side by side (the same ids)', async () => {
    const h = await harness();
    const second = startAdmission(h.engine, h.store, h.kube, { onError: (e) => h.errors.push(e), retryMs: 50 });
    try {
      await second.synced;
      await fill(h);
      const job = await kubectlCreate(h, 'twice', { parallelism: 2, runForMs: 200 });
      const id = gpupoolId(job);
      await until(() => status(h, id) === 'WaitingForGPUs', 'the job to wait');
      await accept(h.engine, completed('fill'));
      await until(() => status(h, id) === 'Complete', 'the job to complete');
      await Promise.all([h.admission.idle(), second.idle()]);
      const events = (await h.store.read('cluster', { from: 0n })).filter((e) => (e.data as { jobId?: string }).jobId === id);
      expect(events.map((e) => e.type)).toEqual(['JobSubmitted', 'JobWaiting', 'JobAllocated', 'JobStarted', 'JobCompleted']);
    } finally {
      await second.stop();
    }
  });
});
