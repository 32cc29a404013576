/**
 * Label and field selectors, as the API server parses them from `labelSelector=` and
 * `fieldSelector=` (and as the in-process API takes them).
 *
 * Labels: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma-separated (AND).
 * Fields: `path=v`, `path==v`, `path!=v` over any dotted path (`metadata.name`, `spec.nodeName`,
 * `status.phase`, `spec.schedulerName`...); a missing field reads as the empty string, so
 * `spec.nodeName=` selects unscheduled pods, as on a real server.
 */

import type { K8sObject } from './resources.js';
import { badRequest } from './status.js';

export type Selector = (obj: K8sObject) => boolean;

const MATCH_ALL: Selector = () => true;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

type LabelTest = (labels: Record<string, string>) => boolean;

function labelTerm(term: string): LabelTest {
  const set = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set) {
    const [, key, op, list] = set as unknown as [string, string, string, string];
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!);
  }
  const cmp = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (cmp) {
    const [, key, op, value] = cmp as unknown as [string, string, string, string];
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  const notExists = /^!\s*([^\s!=()]+)$/.exec(term);
  if (notExists) {
    const key = notExists[1]!;
    return (l) => !(key in l);
  }
  if (/^[^\s!=()]+$/.test(term)) return (l) => term in l;
  throw badRequest(`unable to parse requirement: invalid label selector term "${term}"`);
}

export function parseLabelSelector(text: string | undefined | null): Selector {
  if (!text) return MATCH_ALL;
  const tests = splitTerms(text).map(labelTerm);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return tests.every((t) => t(labels));
  };
}

/** The value of a dotted field path, as a string; missing reads as ''. */
export function fieldValue(obj: K8sObject, path: string): string {
  let value: unknown = obj;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[part];
  }
  return value === undefined || value === null ? '' : String(value);
}

export function parseFieldSelector(text: string | undefined | null): Selector {
  if (!text) return MATCH_ALL;
  const tests = splitTerms(text).map((term) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid field selector: "${term}"`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    return op === '!=' ? (o: K8sObject) => fieldValue(o, path) !== value : (o: K8sObject) => fieldValue(o, path) === value;
  });
  return (obj) => tests.every((t) => t(obj));
}

/** Both selectors at once; undefined parts match everything. */
export function parseSelectors(labelSelector?: string | null, fieldSelector?: string | null): Selector {
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector);
  if (labels === MATCH_ALL) return fields;
  if (fields === MATCH_ALL) return labels;
  return (o) => labels(o) && fields(o);
}
