/**
 * The fake cluster driven by the real kubectl (1.32, through the machine's dispatcher): discovery,
 * cordon/uncordon, create/patch of a suspended Job that the Job controller then runs, `get -w`,
 * `delete` waiting for a graceful pod deletion, and client-side `apply` of a multi-document
 * manifest, twice. Skipped when kubectl is not installed (CI installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeCluster, kubectlAvailable, startFakeCluster } from './cluster.js';
import { waitFor } from './wait.js';

const haveKubectl = kubectlAvailable();
if (!haveKubectl) console.warn('kubectl.test.ts: skipped, kubectl is not installed (CI installs it)');

const JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: train-1
  labels:
    gpupool.io/group: default
spec:
  suspend: true
  parallelism: 2
  completions: 2
  template:
    metadata:
      annotations:
        sim.gpupool.io/run-for-ms: "200"
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
        command: ["sh", "-c", "echo hi"]
        resources:
          limits:
            nvidia.com/gpu: "1"
`;

function manifest(image: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: gpupool
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sched-adapter
  namespace: gpupool
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: sched-adapter
rules:
- apiGroups: [""]
  resources: ["pods", "nodes"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: sched-adapter
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: sched-adapter
subjects:
- kind: ServiceAccount
  name: sched-adapter
  namespace: gpupool
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sched-adapter
  namespace: gpupool
spec:
  replicas: 1
  selector:
    matchLabels:
      app: sched-adapter
  template:
    metadata:
      labels:
        app: sched-adapter
    spec:
      serviceAccountName: sched-adapter
      containers:
      - name: adapter
        image: ${image}
        env:
        - name: MODE
          value: real
---
apiVersion: v1
kind: Service
metadata:
  name: sched-adapter
  namespace: gpupool
spec:
  selector:
    app: sched-adapter
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: events
  namespace: gpupool
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
`;
}

describe.skipIf(!haveKubectl)('kubectl against the fake cluster', () => {
  let cluster: FakeCluster;

  beforeAll(async () => {
    cluster = await startFakeCluster({
      nodes: [
        { name: 'gpu-1', gpus: 8 },
        { name: 'gpu-2', gpus: 8 },
      ],
    });
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('get nodes lists the simulated nodes (short names work too)', async () => {
    const all = await cluster.kubectl(['get', 'nodes']);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(
      /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\ngpu-1\s+Ready\s+<none>\s+\d+s\s+v1\.32\.0\ngpu-2\s+Ready\s+<none>/,
    );
    const json = await cluster.kubectl(['get', 'no', 'gpu-2', '-o', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).status.allocatable['nvidia.com/gpu']).toBe('8');
  });

  it('cordon and uncordon set and clear spec.unschedulable', async () => {
    const cordon = await cluster.kubectl(['cordon', 'gpu-2']);
    expect(cordon.stdout.trim()).toBe('node/gpu-2 cordoned');
    expect(cluster.api.get('nodes', undefined, 'gpu-2')?.spec.unschedulable).toBe(true);
    expect((await cluster.kubectl(['cordon', 'gpu-2'])).stdout.trim()).toBe('node/gpu-2 already cordoned');
    const uncordon = await cluster.kubectl(['uncordon', 'gpu-2']);
    expect(uncordon.stdout.trim()).toBe('node/gpu-2 uncordoned');
    expect(cluster.api.get('nodes', undefined, 'gpu-2')?.spec.unschedulable).toBeUndefined();
  });

  it('creates a suspended Job; patching suspend:false makes the Job controller run its pods', async () => {
    const created = await cluster.kubectl(['create', '--validate=false', '-f', '-'], { input: JOB });
    expect(created.stdout.trim()).toBe('job.batch/train-1 created');
    const again = await cluster.kubectl(['create', '--validate=false', '-f', '-'], { input: JOB });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('AlreadyExists');
    const listed = await cluster.kubectl(['get', 'jobs', '-l', 'gpupool.io/group=default', '-o', 'name']);
    expect(listed.stdout.trim()).toBe('job.batch/train-1');
    expect(cluster.api.list('pods', { labelSelector: 'job-name=train-1' })).toEqual([]);

    const patched = await cluster.kubectl(['patch', 'job', 'train-1', '-p', '{"spec":{"suspend":false}}']);
    expect(patched.stdout.trim()).toBe('job.batch/train-1 patched');
    const noChange = await cluster.kubectl(['patch', 'job', 'train-1', '-p', '{"spec":{"suspend":false}}']);
    expect(noChange.stdout.trim()).toBe('job.batch/train-1 patched (no change)');

    // Both pods ran: each Running for 200 ms, so on a loaded machine one may have ended before the
    // other starts, and a wait for both Running at once could miss them.
    const running = await waitFor(() => {
      const pods = cluster.api.list('pods', { labelSelector: 'job-name=train-1', fieldSelector: 'status.phase!=Pending' });
      return pods.length === 2 && pods;
    });
    expect(new Set(running.map((p) => p.spec.nodeName)).size).toBeGreaterThan(0);
    const done = await waitFor(() => {
      const job = cluster.api.get('jobs', 'default', 'train-1')!;
      return job.status?.succeeded === 2 && job;
    });
    expect(done.status.conditions.map((c: { type: string }) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    const phases = await cluster.kubectl(['get', 'pods', '-l', 'job-name=train-1', '-o', 'jsonpath={.items[*].status.phase}']);
    expect(phases.stdout).toBe('Succeeded Succeeded');
    const table = await cluster.kubectl(['get', 'pods', '-A', '-o', 'wide', '-l', 'job-name=train-1']);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE$/);
    expect(
      rows.slice(1).every((r) => /^default\s+train-1-\w{5}\s+0\/1\s+Completed\s+0\s+\S+\s+10\.\S+\s+gpu-[12]$/.test(r)),
    ).toBe(true);
    const jobs = await cluster.kubectl(['get', 'jobs']);
    expect(jobs.stdout).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\ntrain-1\s+Complete\s+2\/2\s/);
    const deleted = await cluster.kubectl(['delete', 'job', 'train-1']);
    expect(deleted.stdout.trim()).toBe('job.batch "train-1" deleted');
    expect(cluster.api.list('pods', { labelSelector: 'job-name=train-1' })).toEqual([]);
  });

  it('get pods -w prints a change made while it watches', async () => {
    const before = cluster.api.openWatches;
    const watching = cluster.kubectl(['get', 'pods', '-w'], { timeoutMs: 10_000 });
    await waitFor(() => cluster.api.openWatches > before, { timeoutMs: 10_000, message: "kubectl's watch" });
    cluster.api.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'watched', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'x' }], nodeName: 'gpu-1' },
    });
    // kubectl get -w exits 0 when the server ends the watch, after printing what it received.
    cluster.api.closeWatches();
    const result = await watching;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^watched\s/m);
  });

  it('delete pod returns once the pod is gone (graceful deletion finished by the kubelet)', async () => {
    cluster.api.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'doomed', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'x' }], nodeName: 'gpu-1' },
    });
    await waitFor(() => cluster.api.get('pods', 'default', 'doomed')?.status.phase === 'Running');
    const deleted = await cluster.kubectl(['delete', 'pod', 'doomed'], { timeoutMs: 15_000 });
    expect(deleted.stdout.trim()).toBe('pod "doomed" deleted');
    expect(deleted.code).toBe(0);
    expect(cluster.api.get('pods', 'default', 'doomed')).toBeUndefined();
  });

  it('apply of a multi-document manifest creates, then reports unchanged, then configured', async () => {
    const first = await cluster.kubectl(['apply', '--validate=false', '-f', '-'], { input: manifest('node:22-slim') });
    expect(first.stderr).toBe('');
    expect(first.stdout.trim().split('\n')).toEqual([
      'namespace/gpupool created',
      'serviceaccount/sched-adapter created',
      'clusterrole.rbac.authorization.k8s.io/sched-adapter created',
      'clusterrolebinding.rbac.authorization.k8s.io/sched-adapter created',
      'deployment.apps/sched-adapter created',
      'service/sched-adapter created',
      'persistentvolumeclaim/events created',
    ]);
    const second = await cluster.kubectl(['apply', '--validate=false', '-f', '-'], { input: manifest('node:22-slim') });
    expect(second.stdout).not.toContain('configured');
    expect(
      second.stdout
        .trim()
        .split('\n')
        .every((l) => l.endsWith(' unchanged')),
    ).toBe(true);
    const third = await cluster.kubectl(['apply', '--validate=false', '-f', '-'], { input: manifest('node:24-slim') });
    expect(third.stdout).toContain('deployment.apps/sched-adapter configured');
    const deployment = cluster.api.get('deployments', 'gpupool', 'sched-adapter')!;
    expect(deployment.spec.template.spec.containers).toEqual([
      { name: 'adapter', image: 'node:24-slim', env: [{ name: 'MODE', value: 'real' }] },
    ]);
    const server = await cluster.kubectl(['apply', '--server-side', '--validate=false', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-demo\n  namespace: gpupool\ndata:\n  a: "1"\n',
    });
    expect(server.stdout.trim()).toBe('configmap/ssa-demo serverside-applied');
    expect(cluster.api.get('configmaps', 'gpupool', 'ssa-demo')?.data).toEqual({ a: '1' });
  });
});
