/**
 * Node labels as node selectors and node affinity read them: the bounds and characters of a key
 * and a value (Kubernetes' own bounds: a key is a 253-character prefix, a slash and a 63-character
 * name), and a node's label looked up among its own keys only.
 */
import { isSafeText } from '../codec.js';
import type { NodeState } from './model.js';

/** The longest label key. */
export const MAX_LABEL_KEY_LENGTH = 317;
/** The longest label value. */
export const MAX_LABEL_VALUE_LENGTH = 253;

/** What is wrong with a label key, or null. */
export function labelKeyProblem(k: unknown): string | null {
  return typeof k !== 'string' || k.length === 0 || k.length > MAX_LABEL_KEY_LENGTH || !isSafeText(k)
    ? `a label key of 1 to ${MAX_LABEL_KEY_LENGTH} printable characters`
    : null;
}

/** Whether a value may be a label's value. */
export function isLabelValue(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_LABEL_VALUE_LENGTH && isSafeText(v);
}

/**
 * The node's label `key`, if it has one. Own labels only: a key `constructor` or `__proto__` must
 * not find what every object inherits.
 */
export function ownLabel(node: Pick<NodeState, 'labels'>, key: string): string | undefined {
  return Object.hasOwn(node.labels, key) ? node.labels[key] : undefined;
}
