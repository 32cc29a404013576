/** The --policy flag: a comma-separated list of scheduling policies. */
import { POLICIES, type Policy } from '../core/cluster/model.js';
import { InputError } from './csv.js';

export function parsePolicies(text: string): Policy[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = new Set<string>(POLICIES);
  const bad = names.filter((n) => !known.has(n));
  if (names.length === 0 || bad.length > 0) {
    throw new InputError(`--policy takes a comma-separated list of ${POLICIES.join(', ')}; got ${JSON.stringify(text)}`);
  }
  return [...new Set(names)] as Policy[];
}
