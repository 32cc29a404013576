/**
 * A job's node selector: labels a node must carry (each with the same value) for the job's
 * workers to run there, as Kubernetes' `nodeSelector` means it. The scheduler places a job with
 * one only on matching nodes: on Kubernetes a pod is bound to the node gpupool allocated, and a
 * kubelet refuses a pod whose node selector its node does not match.
 *
 * The fit rules read capacity through `capacityFor`: for a job without a selector (nearly every
 * job) that is the pool's capacity of the type itself; for one with a selector, a view of it
 * restricted to the matching nodes, made when asked. Every question about the job (does it fit
 * now, as the pool stands, ever; where; when at the earliest) then has the same answer whether it
 * comes from the pass, backfill, the reasons or `decide`. The queue's summaries by shape
 * (pass.ts Prospects) read the whole pool: a job that fits the matching nodes fits the pool, so
 * they only ever hope for more than a selector allows, and the walk asks the job itself.
 *
 * A job may also have a required node affinity (node-affinity.ts); a node must satisfy both, and
 * `capacityFor` reads them together.
 *
 * Labels are matched as they are now: a node relabelled under a running job keeps it (Kubernetes'
 * "ignored during execution").
 */
import { isPlainObject, type Located, locatedRefinement } from '../codec.js';
import { capacityOf, type PoolTypeCapacity } from './capacity.js';
import { isLabelValue, labelKeyProblem, MAX_LABEL_VALUE_LENGTH, ownLabel } from './labels.js';
import type { JobState, NodeState, State } from './model.js';
import { affinityMatches, affinityText } from './node-affinity.js';
import { NodeSet } from './node-order.js';

/** Labels a node must have, each with this value. */
export type NodeSelector = Readonly<Record<string, string>>;

/** The most labels one selector names. */
export const MAX_SELECTOR_LABELS = 32;
/** What is wrong with a would-be selector, or null: the first problem, with the key it is at. */
function selectorProblem(u: unknown): Located | null {
  if (!isPlainObject(u)) return { path: [], value: u, expected: 'an object of node labels (string keys to string values)' };
  const keys = Object.keys(u);
  if (keys.length > MAX_SELECTOR_LABELS) return { path: [], value: u, expected: `at most ${MAX_SELECTOR_LABELS} labels` };
  for (const k of keys) {
    const expected =
      labelKeyProblem(k) ??
      (isLabelValue(u[k]) ? null : `a label value: a string of at most ${MAX_LABEL_VALUE_LENGTH} printable characters`);
    if (expected !== null) return { path: [k], value: u[k], expected };
  }
  return null;
}

/**
 * The codec: an object of at most MAX_SELECTOR_LABELS labels, string keys to string values. A bad
 * label is named by its key (`nodeSelector.<key>`), as any other field's problem is.
 */
export const NodeSelectorCodec = locatedRefinement<NodeSelector>('NodeSelector', selectorProblem, 'an object of node labels', {
  type: 'object',
  maxProperties: MAX_SELECTOR_LABELS,
  additionalProperties: { type: 'string', maxLength: MAX_LABEL_VALUE_LENGTH },
});

/**
 * A selector's own copy with its keys in order, or null for none (absent or empty: any node will
 * do). Made with fromEntries, which defines each key: an assignment to a label named `__proto__`
 * would set the copy's prototype and lose the label.
 */
export function normalSelector(selector: NodeSelector | null | undefined): NodeSelector | null {
  if (!selector) return null;
  const keys = Object.keys(selector).sort();
  if (keys.length === 0) return null;
  return Object.fromEntries(keys.map((k) => [k, selector[k] as string]));
}

/** Whether a node's labels carry every label of the selector. */
export function nodeMatches(node: Pick<NodeState, 'labels'>, selector: NodeSelector): boolean {
  for (const k of Object.keys(selector)) if (ownLabel(node, k) !== selector[k]) return false;
  return true;
}

/** The selector as people write it: `zone=a, disk=ssd`. */
export function selectorText(selector: NodeSelector): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** What a job asks of the nodes it runs on: labels, a required affinity, either, both or neither. */
export type NodeRules = Pick<JobState, 'nodeSelector' | 'nodeAffinity'>;

/** Whether the job may run on this node: its labels carry the selector's and satisfy the affinity. */
export function nodeFitsJob(node: Pick<NodeState, 'labels'> | undefined, job: NodeRules): boolean {
  if (!node) return false;
  if (job.nodeSelector !== null && !nodeMatches(node, job.nodeSelector)) return false;
  return job.nodeAffinity === null || affinityMatches(node, job.nodeAffinity);
}

/**
 * The nodes a job may run on, in words to follow "on nodes": `labelled zone=a`, `matching zone In
 * (a, b)`, or both; null when any node of its pool will do.
 */
export function nodeRulesText(job: NodeRules): string | null {
  const labelled = job.nodeSelector === null ? null : `labelled ${selectorText(job.nodeSelector)}`;
  const matching = job.nodeAffinity === null ? null : `matching ${affinityText(job.nodeAffinity)}`;
  return labelled !== null && matching !== null ? `${labelled} and ${matching}` : (labelled ?? matching);
}

/**
 * A pool's capacity of a GPU type as a job may use it: the whole of it when the job asks nothing
 * of its nodes; else only the share of the nodes it may run on (undefined when no live node of
 * the pool and type will do).
 */
export function capacityFor(state: State, pool: string, gpuType: string, job: NodeRules): PoolTypeCapacity | undefined {
  const cap = capacityOf(state, pool, gpuType);
  if (cap === undefined || (job.nodeSelector === null && job.nodeAffinity === null)) return cap;
  return selectedCapacity(state, cap, job);
}

/**
 * The share of `cap` on nodes the job may run on: the same figures, counted over those nodes
 * only. Made per question (a job with node rules is the exception), so it is always of the state
 * as it is; the releases cache is the pool's own (a node's list is the same either way).
 */
function selectedCapacity(state: State, cap: PoolTypeCapacity, job: NodeRules): PoolTypeCapacity | undefined {
  const sizes = new Map<string, number>();
  const sizeCounts: number[] = [];
  const nodes = new Map<string, string[]>();
  const buckets: NodeSet[] = [];
  let total = 0;
  let free = 0;
  for (const [node, size] of cap.sizes) {
    if (!nodeFitsJob(state.nodes.get(node), job)) continue;
    sizes.set(node, size);
    sizeCounts[size] = (sizeCounts[size] ?? 0) + 1;
    total += size;
    const freeHere = cap.nodes.get(node);
    if (freeHere === undefined) continue; // cordoned: counted as live, never as free
    nodes.set(node, freeHere);
    free += freeHere.length;
    if (freeHere.length === 0) continue;
    for (let k = buckets.length; k <= freeHere.length; k++) buckets[k] = new NodeSet(state.capacity.order);
    (buckets[freeHere.length] as NodeSet).add(node);
  }
  if (total === 0) return undefined;
  for (let k = 0; k < sizeCounts.length; k++) sizeCounts[k] ??= 0;
  return { pool: cap.pool, gpuType: cap.gpuType, total, free, sizes, sizeCounts, nodes, buckets, releases: cap.releases };
}
