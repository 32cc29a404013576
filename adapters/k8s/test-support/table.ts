/**
 * Server-side printing: the `meta.k8s.io/v1` Table kubectl asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...`, so `kubectl get pods` against the
 * fake shows READY and STATUS like a real cluster instead of only NAME and AGE.
 *
 * Columns follow kube-apiserver's printers for pods, nodes and jobs; every other kind gets Name
 * and Age. Rows carry the object's metadata as PartialObjectMetadata (kubectl reads namespaces
 * for `-A` from it). In a watch, only the first event's Table carries the column definitions.
 */
import type { Json, K8sObject, ResourceType } from './resources.js';

interface Column {
  name: string;
  type: string;
  format?: string;
  description: string;
  priority?: number;
}

/** Whether an Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && accept.split(',').some((part) => /;\s*as=Table/.test(part) && /g=meta\.k8s\.io/.test(part));
}

/** kubectl's short durations: 45s, 3m20s, 17m, 5h2m, 20h, 3d4h, 12d. */
export function age(since: string | undefined, now = Date.now()): string {
  if (!since) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (h < 3) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  return `${d}d`;
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.' };
const AGE: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

function podStatus(pod: K8sObject): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  const s = pod.status ?? {};
  if (s.reason) return s.reason;
  for (const c of s.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
    if (c.state?.terminated?.reason && s.phase !== 'Running') return c.state.terminated.reason;
  }
  const scheduled = (s.conditions ?? []).find((c: Json) => c.type === 'PodScheduled');
  if (s.phase === 'Pending' && scheduled?.status === 'False') return 'Pending';
  return s.phase ?? 'Pending';
}

function podRow(pod: K8sObject): unknown[] {
  const statuses: Json[] = pod.status?.containerStatuses ?? [];
  const containers = (pod.spec?.containers ?? []).length;
  const ready = statuses.filter((c) => c.ready).length;
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  return [
    pod.metadata.name,
    `${ready}/${containers}`,
    podStatus(pod),
    restarts,
    age(pod.metadata.creationTimestamp),
    pod.status?.podIP ?? '<none>',
    pod.spec?.nodeName ?? '<none>',
  ];
}

function nodeRow(node: K8sObject): unknown[] {
  const ready = (node.status?.conditions ?? []).find((c: Json) => c.type === 'Ready');
  let status = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  if (node.spec?.unschedulable) status += ',SchedulingDisabled';
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((l) => l.startsWith('node-role.kubernetes.io/'))
    .map((l) => l.slice('node-role.kubernetes.io/'.length));
  return [
    node.metadata.name,
    status,
    roles.join(',') || '<none>',
    age(node.metadata.creationTimestamp),
    node.status?.nodeInfo?.kubeletVersion ?? '',
  ];
}

function jobRow(job: K8sObject): unknown[] {
  const s = job.status ?? {};
  const has = (type: string) => (s.conditions ?? []).some((c: Json) => c.type === type && c.status === 'True');
  const status = has('Complete') ? 'Complete' : has('Failed') ? 'Failed' : has('Suspended') ? 'Suspended' : 'Running';
  const completions = job.spec?.completions ?? job.spec?.parallelism ?? 1;
  const duration = s.startTime ? age(s.startTime, s.completionTime ? Date.parse(s.completionTime) : Date.now()) : '';
  return [job.metadata.name, status, `${s.succeeded ?? 0}/${completions}`, duration, age(job.metadata.creationTimestamp)];
}

const PRINTERS: Record<string, { columns: Column[]; row: (obj: K8sObject) => unknown[] }> = {
  pods: {
    columns: [
      NAME,
      { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.' },
      { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.' },
      { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted.' },
      AGE,
      { name: 'IP', type: 'string', description: 'IP address allocated to the pod.', priority: 1 },
      { name: 'Node', type: 'string', description: 'Name of the Node this pod is assigned to.', priority: 1 },
    ],
    row: podRow,
  },
  nodes: {
    columns: [
      NAME,
      { name: 'Status', type: 'string', description: 'The status of the node' },
      { name: 'Roles', type: 'string', description: 'The roles of the node' },
      AGE,
      { name: 'Version', type: 'string', description: 'Kubelet Version reported by the node.' },
    ],
    row: nodeRow,
  },
  jobs: {
    columns: [
      NAME,
      { name: 'Status', type: 'string', description: 'Status of the job.' },
      { name: 'Completions', type: 'string', description: 'The completion status of the job.' },
      { name: 'Duration', type: 'string', description: 'Time required to complete the job.' },
      AGE,
    ],
    row: jobRow,
  },
};

const DEFAULT_PRINTER = {
  columns: [NAME, AGE],
  row: (obj: K8sObject) => [obj.metadata.name, age(obj.metadata.creationTimestamp)],
};

/** A Table of `objects`; `withColumns: false` sends `columnDefinitions: null` (later watch events). */
export function toTable(t: ResourceType, objects: K8sObject[], resourceVersion: string, withColumns = true): Json {
  const printer = PRINTERS[t.plural] ?? DEFAULT_PRINTER;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: withColumns ? printer.columns.map((c) => ({ format: '', priority: 0, ...c })) : null,
    rows: objects.map((obj) => ({
      cells: printer.row(obj),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
    })),
  };
}
