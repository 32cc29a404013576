/**
 * The default scheduler's filters, reduced to what gpupool's Kubernetes adapter relies on.
 *
 * Pods are placed only on Ready, schedulable (not cordoned) nodes whose taints they tolerate, that
 * match `spec.nodeSelector` and required node affinity (`matchExpressions` on labels with
 * In/NotIn/Exists/DoesNotExist/Gt/Lt, `matchFields` on `metadata.name`), that honour required pod
 * anti-affinity with `topologyKey: kubernetes.io/hostname` in both directions, and that have the
 * extended resources (GPUs) the pod's containers ask for left over. Preferred (soft) terms,
 * required pod affinity and other topology keys are not modelled.
 */
import type { Json, K8sObject } from './resources.js';

type Labels = Record<string, string>;

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export function isTerminal(pod: K8sObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function isNodeReady(node: K8sObject): boolean {
  return (node.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');
}

function matchExpression(expr: Json, value: string | undefined): boolean {
  const values: string[] = expr.values ?? [];
  switch (expr.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

/** A metav1.LabelSelector (matchLabels and matchExpressions). */
export function matchLabelSelector(selector: Json, labels: Labels): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries<string>(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (selector.matchExpressions ?? []).every((e: Json) => matchExpression(e, labels[e.key]));
}

function requiredNodeTerms(pod: K8sObject): Json[] | undefined {
  return pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
}

function matchNodeTerm(term: Json, node: K8sObject): boolean {
  const labels: Labels = node.metadata.labels ?? {};
  const exprs = (term.matchExpressions ?? []).every((e: Json) => matchExpression(e, labels[e.key]));
  const fields = (term.matchFields ?? []).every((e: Json) => e.key === 'metadata.name' && matchExpression(e, node.metadata.name));
  return exprs && fields;
}

/**
 * The node names a pod is pinned to by required affinity (`kubernetes.io/hostname In [...]` or
 * `metadata.name In [...]` in every term) or a hostname nodeSelector, if it is; lets the
 * scheduler look at those nodes only instead of all of them.
 */
export function pinnedNodes(pod: K8sObject): string[] | undefined {
  const byLabel = pod.spec?.nodeSelector?.[HOSTNAME_LABEL];
  if (typeof byLabel === 'string') return [byLabel];
  const terms = requiredNodeTerms(pod);
  if (!terms || terms.length === 0) return undefined;
  const names: string[] = [];
  for (const term of terms) {
    const pin = [...(term.matchExpressions ?? []), ...(term.matchFields ?? [])].find(
      (e: Json) => (e.key === HOSTNAME_LABEL || e.key === 'metadata.name') && e.operator === 'In',
    );
    if (!pin) return undefined;
    names.push(...(pin.values ?? []));
  }
  return names;
}

function tolerates(pod: K8sObject, taint: Json): boolean {
  return (pod.spec?.tolerations ?? []).some((t: Json) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** Extended resources (names with a '/', like nvidia.com/gpu) a pod asks for. */
export function extendedRequests(pod: K8sObject): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of pod.spec?.containers ?? []) {
    const res = { ...(c.resources?.requests ?? {}), ...(c.resources?.limits ?? {}) };
    for (const [name, qty] of Object.entries(res)) {
      if (!name.includes('/')) continue;
      out.set(name, (out.get(name) ?? 0) + Number(qty));
    }
  }
  return out;
}

function antiAffinityTerms(pod: K8sObject): Json[] {
  return pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}

function termSelects(term: Json, owner: K8sObject, other: K8sObject): boolean {
  if (term.topologyKey !== HOSTNAME_LABEL) return false;
  const namespaces: string[] = term.namespaces?.length ? term.namespaces : [owner.metadata.namespace];
  if (!namespaces.includes(other.metadata.namespace!)) return false;
  return matchLabelSelector(term.labelSelector, other.metadata.labels ?? {});
}

/** Whether the node carries the pod's node selector and satisfies a term of its required node affinity. */
export function nodeAffinityAdmits(pod: K8sObject, node: K8sObject): boolean {
  const labels: Labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries<string>(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = requiredNodeTerms(pod);
  return !terms || terms.length === 0 || terms.some((t) => matchNodeTerm(t, node));
}

/** Why `pod` cannot go on `node` (given the pods already there), or undefined if it can. */
export function unfitReason(pod: K8sObject, node: K8sObject, podsOnNode: Iterable<K8sObject>): string | undefined {
  if (!isNodeReady(node)) return 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }';
  if (node.spec?.unschedulable) return 'node(s) were unschedulable';
  for (const taint of node.spec?.taints ?? []) {
    if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerates(pod, taint)) {
      return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
    }
  }
  if (!nodeAffinityAdmits(pod, node)) return "node(s) didn't match Pod's node affinity/selector";
  const wanted = extendedRequests(pod);
  const used = new Map<string, number>();
  const ownTerms = antiAffinityTerms(pod);
  for (const other of podsOnNode) {
    if (isTerminal(other)) continue;
    for (const [name, n] of extendedRequests(other)) used.set(name, (used.get(name) ?? 0) + n);
    if (ownTerms.some((t) => termSelects(t, pod, other)) || antiAffinityTerms(other).some((t) => termSelects(t, other, pod))) {
      return "node(s) didn't match pod anti-affinity rules";
    }
  }
  for (const [name, n] of wanted) {
    const allocatable = Number(node.status?.allocatable?.[name] ?? 0);
    if ((used.get(name) ?? 0) + n > allocatable) return `Insufficient ${name}`;
  }
  return undefined;
}
