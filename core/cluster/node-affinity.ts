/**
 * A job's required node affinity: terms of label requirements a node must satisfy for the job's
 * workers to run there, as Kubernetes' `requiredDuringSchedulingIgnoredDuringExecution` means
 * them. The terms are ORed (a node satisfying any one will do), a term's requirements ANDed. It
 * says what a node selector cannot: one of several values (`In`), not these (`NotIn`), a label
 * present or absent (`Exists`, `DoesNotExist`), a number above or below (`Gt`, `Lt`).
 *
 * A job may have both a node selector and an affinity; a node must then satisfy both, as a
 * Kubernetes pod's node must. node-selector.ts reads them together (`nodeFitsJob`), so every fit
 * rule honours the affinity through the one `capacityFor`.
 */
import { isPlainObject, type Located, locatedRefinement } from '../codec.js';
import { isLabelValue, labelKeyProblem, MAX_LABEL_KEY_LENGTH, MAX_LABEL_VALUE_LENGTH, ownLabel } from './labels.js';
import type { NodeState } from './model.js';

export const AFFINITY_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] as const;
export type AffinityOperator = (typeof AFFINITY_OPERATORS)[number];

/** One requirement on a node's label `key`. */
export interface NodeRequirement {
  readonly key: string;
  readonly operator: AffinityOperator;
  /** In, NotIn: one or more; Exists, DoesNotExist: none (or absent); Gt, Lt: one integer. */
  readonly values?: readonly string[] | null;
}

/** Requirements a node must all satisfy, in Kubernetes' shape. */
export interface NodeSelectorTerm {
  readonly matchExpressions: readonly NodeRequirement[];
}

/** Terms of which a node must satisfy at least one. */
export type NodeAffinity = readonly NodeSelectorTerm[];

/** The most terms one affinity has. */
export const MAX_AFFINITY_TERMS = 16;
/** The most requirements one term has. */
export const MAX_TERM_REQUIREMENTS = 32;
/** The most values one requirement lists. */
export const MAX_REQUIREMENT_VALUES = 64;

/** An integer as Kubernetes reads one for Gt and Lt (strconv.ParseInt, base 10). */
const INTEGER = /^[+-]?\d{1,19}$/;

const isOperator = (u: unknown): u is AffinityOperator =>
  typeof u === 'string' && (AFFINITY_OPERATORS as readonly string[]).includes(u);

function valuesProblem(operator: AffinityOperator, values: unknown): string | null {
  if (values !== undefined && values !== null && !Array.isArray(values)) return 'a list of label values';
  const list = (values ?? []) as unknown[];
  if (list.length > MAX_REQUIREMENT_VALUES) return `at most ${MAX_REQUIREMENT_VALUES} values`;
  if (!list.every(isLabelValue)) {
    return `label values: strings of at most ${MAX_LABEL_VALUE_LENGTH} printable characters`;
  }
  switch (operator) {
    case 'In':
    case 'NotIn':
      return list.length > 0 ? null : `one or more values for ${operator}`;
    case 'Exists':
    case 'DoesNotExist':
      return list.length === 0 ? null : `no values for ${operator}`;
    case 'Gt':
    case 'Lt':
      return list.length === 1 && INTEGER.test(list[0] as string) ? null : `exactly one integer value for ${operator}`;
  }
}

function requirementProblem(u: unknown): Located | null {
  if (!isPlainObject(u)) return { path: [], value: u, expected: 'a requirement: { key, operator, values }' };
  const key = labelKeyProblem(u.key);
  if (key !== null) return { path: ['key'], value: u.key, expected: key };
  if (!isOperator(u.operator))
    return { path: ['operator'], value: u.operator, expected: `one of ${AFFINITY_OPERATORS.join(', ')}` };
  const values = valuesProblem(u.operator, u.values);
  if (values !== null) return { path: ['values'], value: u.values, expected: values };
  const extra = Object.keys(u).find((k) => k !== 'key' && k !== 'operator' && k !== 'values' && u[k] != null);
  return extra === undefined ? null : { path: [extra], value: u[extra], expected: 'no such field (key, operator, values)' };
}

function termProblem(u: unknown): Located | null {
  if (!isPlainObject(u)) return { path: [], value: u, expected: 'a term: { matchExpressions: [...] }' };
  // A field given as null is absent, as Kubernetes' JSON reads it.
  const extra = Object.keys(u).find((k) => k !== 'matchExpressions' && u[k] != null);
  if (extra !== undefined) {
    return {
      path: [extra],
      value: u[extra],
      expected:
        extra === 'matchFields'
          ? 'no matchFields (only label requirements, matchExpressions)'
          : 'no such field (matchExpressions)',
    };
  }
  const list = u.matchExpressions;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_TERM_REQUIREMENTS) {
    // An empty term matches no node in Kubernetes: refused rather than a job that never runs.
    return { path: ['matchExpressions'], value: list, expected: `a list of 1 to ${MAX_TERM_REQUIREMENTS} requirements` };
  }
  for (let i = 0; i < list.length; i++) {
    const p = requirementProblem(list[i]);
    if (p !== null) return { ...p, path: ['matchExpressions', i, ...p.path] };
  }
  return null;
}

function affinityProblem(u: unknown): Located | null {
  if (!Array.isArray(u) || u.length > MAX_AFFINITY_TERMS) {
    return { path: [], value: u, expected: `a list of at most ${MAX_AFFINITY_TERMS} node selector terms` };
  }
  for (let i = 0; i < u.length; i++) {
    const p = termProblem(u[i]);
    if (p !== null) return { ...p, path: [i, ...p.path] };
  }
  return null;
}

const REQUIREMENT_SCHEMA = {
  type: 'object',
  required: ['key', 'operator'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', minLength: 1, maxLength: MAX_LABEL_KEY_LENGTH },
    operator: { type: 'string', enum: [...AFFINITY_OPERATORS] },
    values: { type: 'array', maxItems: MAX_REQUIREMENT_VALUES, items: { type: 'string', maxLength: MAX_LABEL_VALUE_LENGTH } },
  },
};

/**
 * The codec: Kubernetes' `nodeSelectorTerms` (label requirements only, no `matchFields`), checked
 * as its API server checks them (values by operator, integers for Gt and Lt). A problem is named
 * by where it is: `nodeAffinity.0.matchExpressions.1.values`.
 */
export const NodeAffinityCodec = locatedRefinement<NodeAffinity>(
  'NodeAffinity',
  affinityProblem,
  'a list of node selector terms',
  {
    type: 'array',
    maxItems: MAX_AFFINITY_TERMS,
    items: {
      type: 'object',
      required: ['matchExpressions'],
      additionalProperties: false,
      properties: {
        matchExpressions: { type: 'array', minItems: 1, maxItems: MAX_TERM_REQUIREMENTS, items: REQUIREMENT_SCHEMA },
      },
    },
  },
);

/** An affinity as the log keeps it: every requirement with its list of values, none included. */
export type LoggedAffinity = { matchExpressions: { key: string; operator: AffinityOperator; values: string[] }[] }[];

/**
 * The affinity's own copy in the shape the log keeps, or null for none (absent or no terms: any
 * node will do).
 */
export function normalAffinity(affinity: NodeAffinity | null | undefined): LoggedAffinity | null {
  if (!affinity || affinity.length === 0) return null;
  return affinity.map((term) => ({
    matchExpressions: term.matchExpressions.map((r) => ({ key: r.key, operator: r.operator, values: [...(r.values ?? [])] })),
  }));
}

/** Whether a label value compares as the requirement's integer says (a value that is no integer never does). */
function compares(value: string | undefined, operator: 'Gt' | 'Lt', bound: string): boolean {
  if (value === undefined || !INTEGER.test(value)) return false;
  const v = BigInt(value);
  const b = BigInt(bound);
  return operator === 'Gt' ? v > b : v < b;
}

const NO_VALUES: readonly string[] = [];

function satisfies(node: Pick<NodeState, 'labels'>, r: NodeRequirement): boolean {
  const value = ownLabel(node, r.key);
  const values = r.values ?? NO_VALUES;
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt':
      return compares(value, r.operator, values[0] as string);
  }
}

/** Whether a node's labels satisfy some term of the affinity. */
export function affinityMatches(node: Pick<NodeState, 'labels'>, affinity: NodeAffinity): boolean {
  return affinity.some((term) => term.matchExpressions.every((r) => satisfies(node, r)));
}

function requirementText(r: NodeRequirement): string {
  const values = r.values ?? NO_VALUES;
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      return `${r.key} ${r.operator} (${values.join(', ')})`;
    case 'Exists':
    case 'DoesNotExist':
      return `${r.key} ${r.operator}`;
    case 'Gt':
    case 'Lt':
      return `${r.key} ${r.operator === 'Gt' ? '>' : '<'} ${values[0]}`;
  }
}

/** The affinity as people read it: `zone In (a, b), gpu-mem > 40`, terms joined by `or`. */
export function affinityText(affinity: NodeAffinity): string {
  const terms = affinity.map((term) => term.matchExpressions.map(requirementText).join(', '));
  return terms.length === 1 ? (terms[0] as string) : terms.map((x) => `(${x})`).join(' or ');
}
