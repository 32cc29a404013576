/**
 * Names scoped to the group, as jobs and assets have them (as Kubernetes scopes names to a
 * namespace): a core id is `<group>/<name>`, and a URL names an entity by its name alone, with
 * `?group=` when the caller means another group than their own. One rule for every kind.
 */
import { describeValue, Id, NAME_MAX_LENGTH } from '../../core/codec.js';
import { bad, good, type Result } from './context.js';
import { invalidInput, notFound, problem } from './problem.js';

const NAME_RULE = "(well-formed Unicode without control, bidi-control or zero-width characters, and without '/')";

/**
 * The core id of the entity named `name` in `group`, if the name is one: an Id without '/' (names
 * are path segments) that leaves the whole id within NAME_MAX_LENGTH. `path` names the field.
 */
export function scopedId(aWhat: 'a job' | 'an asset', group: string, name: unknown, path: string): Result<string> {
  const longest = NAME_MAX_LENGTH - group.length - 1;
  if (typeof name !== 'string' || !Id.is(name) || name.includes('/') || name.length > longest) {
    return bad(
      invalidInput([
        {
          path,
          expected: `${aWhat} name ${NAME_RULE}, of at most ${Math.max(longest, 0)} characters in group '${group}'`,
          actual: describeValue(name),
        },
      ]),
    );
  }
  return good(`${group}/${name}`);
}

export interface NameLookup<T extends { readonly group: string }> {
  /** What is looked up, for messages ("job", "dataset"). */
  readonly what: string;
  /** The entity named `name` in `group`, if the caller may see it. */
  readonly inGroup: (group: string) => T | undefined;
  /** Every group that may hold one. */
  readonly groups: () => Iterable<string>;
  /** An entity whose id is the name itself (made in code, not scoped), if the kind has such. */
  readonly unscoped?: () => T | undefined;
  /** The problem code when several groups have one of that name. */
  readonly ambiguous: string;
}

/**
 * The entity a URL names, as the caller sees it: `name` in the group `?group=` names; else in the
 * caller's group; else one whose id is the name itself (if the kind has such); else the one the
 * caller may see in any group (an operator's, or a data scientist's own in a group they left).
 * Several are a 409 that names their groups; none is 404, whether it does not exist or the caller
 * may not see it.
 */
export function resolveName<T extends { readonly group: string }>(
  lookup: NameLookup<T>,
  callerGroup: string,
  name: string,
  group?: string,
): Result<T> {
  const missing = bad<T>(notFound(`${lookup.what} '${name}'${group === undefined ? '' : ` in group '${group}'`}`));
  if (group !== undefined) {
    const found = lookup.inGroup(group);
    return found ? good(found) : missing;
  }
  const own = lookup.inGroup(callerGroup) ?? lookup.unscoped?.();
  if (own) return good(own);
  const found: T[] = [];
  for (const g of lookup.groups()) {
    const other = g === callerGroup ? undefined : lookup.inGroup(g);
    if (other) found.push(other);
  }
  if (found.length === 1) return good(found[0] as T);
  if (found.length === 0) return missing;
  const groups = found.map((x) => x.group).sort();
  return bad(
    problem(
      409,
      lookup.ambiguous,
      `groups ${groups.map((g) => `'${g}'`).join(', ')} each have a ${lookup.what} named '${name}': add ?group=`,
      { details: { groups } },
    ),
  );
}
