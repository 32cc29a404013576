/**
 * The four PATCH content types a real API server accepts, applied to plain JSON.
 *
 * - `application/strategic-merge-patch+json` (kubectl and the Python client's default): a
 *   recursive merge where `null` deletes a key, lists of objects in well-known fields merge by
 *   their key (`name` for containers, env, ports, volumes...; `type` for conditions), other lists
 *   are replaced, and the directives kubectl writes (`$setElementOrder/...`, `$retainKeys`,
 *   `$deleteFromPrimitiveList/...`, `$patch`) are honoured or dropped. The real server derives merge
 *   keys from the Go types; a short table of field names is enough for the kinds tests use.
 * - `application/merge-patch+json`: RFC 7386.
 * - `application/json-patch+json` (the Node client's default): RFC 6902; the body must be an array.
 * - `application/apply-patch+yaml` (server-side apply; kubectl sends JSON): merged like a strategic
 *   merge patch. Field ownership is not modelled.
 */
import type { Json } from './resources.js';
import { ApiError, badRequest, failure } from './status.js';

export type PatchType = 'strategic' | 'merge' | 'json' | 'apply';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/strategic-merge-patch+json': 'strategic',
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/apply-patch+yaml': 'apply',
};

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

// ---- RFC 7386 ---------------------------------------------------------------------------------

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

// ---- strategic merge patch ----------------------------------------------------------------------

/** Merge keys by field name; fields not listed here replace lists wholesale. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'name',
  imagePullSecrets: 'name',
  conditions: 'type',
  ports: 'name',
  hostAliases: 'ip',
};

/** `ports` elements may lack a name (container ports); fall back to these keys. */
const FALLBACK_KEYS: Record<string, string[]> = { ports: ['containerPort', 'port'] };

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  const candidates = [MERGE_KEYS[field], ...(FALLBACK_KEYS[field] ?? [])].filter((k): k is string => !!k);
  return candidates.find((k) => items.every((i) => isObject(i) && i[k] !== undefined));
}

function mergeList(field: string, target: Json, patch: Json[]): Json[] {
  const current = Array.isArray(target) ? target : [];
  const key = mergeKeyFor(field, patch);
  if (!key || !current.every((i) => isObject(i))) return patch.filter((i) => !(isObject(i) && i.$patch)).map(clone);
  const result: Json[] = current.map(clone);
  for (const item of patch) {
    const at = result.findIndex((r) => r[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) result.splice(at, 1);
    } else if (item.$patch === 'replace') {
      const { $patch: _, ...rest } = item;
      if (at >= 0) result[at] = rest;
      else result.push(rest);
    } else if (at >= 0) result[at] = strategicMerge(result[at], item);
    else result.push(strategicMerge({}, item));
  }
  return result;
}

export function strategicMerge(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return strategicMerge({}, rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  const retainKeys: unknown = patch.$retainKeys;
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) {
      const deleteFrom = /^\$deleteFromPrimitiveList\/(.+)$/.exec(key);
      if (deleteFrom && Array.isArray(result[deleteFrom[1]!]) && Array.isArray(value)) {
        result[deleteFrom[1]!] = (result[deleteFrom[1]!] as Json[]).filter((v) => !value.includes(v));
      }
      continue; // $setElementOrder/..., $retainKeys, $patch: order and retention directives
    }
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(key, result[key], value);
    else if (isObject(value)) {
      const merged = strategicMerge(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else result[key] = value;
  }
  if (Array.isArray(retainKeys)) {
    for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
  }
  return result;
}

// ---- RFC 6902 ---------------------------------------------------------------------------------

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function unprocessable(message: string): ApiError {
  return new ApiError(failure(422, 'Invalid', message));
}

function parentOf(doc: Json, parts: string[], op: string): { parent: Json; last: string } {
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined;
    if (node === undefined || node === null || typeof node !== 'object') {
      throw unprocessable(
        `the server rejected our request due to an error in our request: ${op}: missing path "/${parts.join('/')}"`,
      );
    }
  }
  return { parent: node, last: parts[parts.length - 1]! };
}

function getAt(doc: Json, parts: string[]): Json {
  let node = doc;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[Number(part)] : node[part];
  }
  return node;
}

function addAt(doc: Json, parts: string[], value: Json): Json {
  if (parts.length === 0) return clone(value);
  const { parent, last } = parentOf(doc, parts, 'add');
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw unprocessable(`add: index ${last} out of range`);
    parent.splice(index, 0, clone(value));
  } else parent[last] = clone(value);
  return doc;
}

function removeAt(doc: Json, parts: string[]): Json {
  const { parent, last } = parentOf(doc, parts, 'remove');
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!(index >= 0 && index < parent.length)) throw unprocessable(`remove: index ${last} out of range`);
    parent.splice(index, 1);
  } else {
    if (!(last in parent)) throw unprocessable(`remove operation does not apply: doc is missing path: "/${parts.join('/')}"`);
    delete parent[last];
  }
  return doc;
}

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = clone(target);
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
      throw badRequest('invalid JSON patch operation');
    const parts = pointer(op.path);
    switch (op.op) {
      case 'add':
        doc = addAt(doc, parts, op.value);
        break;
      case 'remove':
        doc = removeAt(doc, parts);
        break;
      case 'replace':
        if (getAt(doc, parts) === undefined) {
          throw unprocessable(`replace operation does not apply: doc is missing key: ${op.path}`);
        }
        if (parts.length === 0) doc = clone(op.value);
        else {
          const { parent, last } = parentOf(doc, parts, 'replace');
          parent[Array.isArray(parent) ? Number(last) : last] = clone(op.value);
        }
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, parts)) !== JSON.stringify(op.value)) {
          throw unprocessable(`testing value ${op.path} failed: test failed`);
        }
        break;
      case 'move':
      case 'copy': {
        const from = pointer(String(op.from));
        const value = getAt(doc, from);
        if (value === undefined) throw unprocessable(`${op.op} operation does not apply: doc is missing from path: ${op.from}`);
        if (op.op === 'move') doc = removeAt(doc, from);
        doc = addAt(doc, parts, value);
        break;
      }
      default:
        throw badRequest(`unexpected JSON patch operation "${op.op}"`);
    }
  }
  return doc;
}

/** Applies a patch of the given type; throws an ApiError (400/422) for a malformed one. */
export function applyPatch(type: PatchType, target: Json, patch: Json): Json {
  switch (type) {
    case 'json':
      return jsonPatch(target, patch);
    case 'merge':
      if (!isObject(patch)) throw badRequest('merge patch body must be a JSON object');
      return mergePatch(target, patch);
    case 'strategic':
    case 'apply':
      if (!isObject(patch)) throw badRequest(`${type} patch body must be a JSON object`);
      return strategicMerge(target, patch);
  }
}
