/**
 * The fake API server's storage and write semantics, without HTTP.
 *
 * This is where the rules that clients depend on live:
 * - one global, monotonic integer resourceVersion (starting at 1000); every write bumps it and is
 *   appended to an event log that watches replay from (`compact()` drops the log, so older
 *   versions answer 410 Expired, as after an etcd compaction);
 * - a no-op write keeps the object's resourceVersion and logs nothing (kubectl prints
 *   "patched (no change)" only then);
 * - for kinds with a `status` subresource, writes to the main resource keep the stored status and
 *   status writes keep everything else;
 * - PUT with a stale `metadata.resourceVersion` is a 409 Conflict, without one it is unconditional;
 * - deleting a running pod on a node is graceful: it gets `deletionTimestamp` and stays until the
 *   kubelet simulator (or a delete with grace 0) removes it; everything else goes at once;
 * - deletion cascades to objects whose `ownerReferences` name the deleted uid (unless
 *   `propagationPolicy: Orphan`), and deleting a namespace deletes what is in it.
 *
 * Stored objects are never mutated in place: a write stores a new object. Everything handed out
 * (get, list, events to listeners) is a copy, so callers may modify what they receive.
 */
import { randomUUID } from 'node:crypto';
import { applyPatch, type PatchType } from './patch.js';
import {
  apiVersionOf,
  hasStatusSubresource,
  type Json,
  type K8sObject,
  RESOURCE_TYPES,
  type ResourceType,
  resolveType,
  typeOfObject,
} from './resources.js';
import { parseSelectors, type Selector } from './selectors.js';
import { alreadyExists, badRequest, conflict, invalid, notFound } from './status.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One write, as the event log and in-process listeners see it. */
export interface StoreEvent {
  type: EventType;
  /** The object after the write (for DELETED: its last state, with the deletion's resourceVersion). */
  object: K8sObject;
  /** The object before the write (absent for ADDED); watches use it to tell selector transitions. */
  previous?: K8sObject;
  resource: ResourceType;
  resourceVersion: number;
}

export interface ListOptions {
  /** Only this namespace; absent: all namespaces (or a cluster-scoped kind). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { resourceVersion?: string; uid?: string };
}

export interface WriteOptions {
  /** 'status' writes only `.status` (the `/status` subresource). */
  subresource?: 'status';
}

export interface PatchOptions extends WriteOptions {
  /** Default 'strategic'. */
  type?: PatchType;
}

export interface StoreOptions {
  /** How many events the log keeps for watches to resume from (default 10,000). */
  eventWindow?: number;
}

const INITIAL_RESOURCE_VERSION = 1000;
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character suffix Kubernetes appends to generated names. */
export function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return out;
}

/** RFC 3339 at second precision, like the real server's metav1.Time. */
export function timestamp(at = Date.now()): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

function copy<T>(v: T): T {
  return structuredClone(v);
}

/**
 * What the real API server fills in on a new Job: the selector on the controller-uid label, the
 * matching template labels, and the defaults of the fields a client is likely to read back.
 */
function defaultJob(job: K8sObject): void {
  const uid = job.metadata.uid!;
  const name = job.metadata.name!;
  const spec = (job.spec ??= {});
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.suspend ??= false;
  spec.completionMode ??= 'NonIndexed';
  spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const template = (spec.template ??= {});
  const meta = (template.metadata ??= {});
  meta.labels = {
    ...(meta.labels ?? {}),
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
}

export class ObjectStore {
  private rv = INITIAL_RESOURCE_VERSION;
  private readonly tables = new Map<ResourceType, Map<string, K8sObject>>();
  private readonly byUid = new Map<string, { type: ResourceType; key: string }>();
  /** owner uid → uids of objects whose ownerReferences name it. */
  private readonly dependents = new Map<string, Set<string>>();
  private log: StoreEvent[] = [];
  /** Every event with a resourceVersion above this is in the log. */
  private logFloor = INITIAL_RESOURCE_VERSION;
  private readonly eventWindow: number;
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly queue: StoreEvent[] = [];
  private draining = false;
  /** Pod key -> container ('' for the pod's default) -> its log. */
  private readonly podLogs = new Map<string, Map<string, string>>();
  /** Pod key -> `<port>/<path>` -> what the pod answers there (through `pods/{name}:{port}/proxy/{path}`). */
  private readonly podHttp = new Map<string, ReadonlyMap<string, string>>();

  constructor(options: StoreOptions = {}) {
    this.eventWindow = options.eventWindow ?? 10_000;
    for (const t of RESOURCE_TYPES) this.tables.set(t, new Map());
    this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  }

  /** The current (latest) resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }

  // ---- in-process API ------------------------------------------------------------------------

  /** Creates an object; its type comes from apiVersion and kind. Throws ApiError 409 if it exists. */
  create(obj: K8sObject, options: { namespace?: string } = {}): K8sObject {
    const t = typeOfObject(obj.apiVersion, obj.kind);
    if (!t) throw badRequest(`no kind "${obj.kind}" is registered for version "${obj.apiVersion}"`);
    return copy(this.createIn(t, options.namespace ?? obj.metadata?.namespace, obj));
  }

  get(resource: string, namespace: string | undefined, name: string): K8sObject | undefined {
    const found = this.find(resolveType(resource), namespace, name);
    return found ? copy(found) : undefined;
  }

  list(resource: string, options: ListOptions = {}): K8sObject[] {
    const t = resolveType(resource);
    return this.select(t, options.namespace, parseSelectors(options.labelSelector, options.fieldSelector)).map(copy);
  }

  /** Replaces an object (PUT semantics: 409 on a stale metadata.resourceVersion). */
  update(obj: K8sObject, options: WriteOptions = {}): K8sObject {
    const t = typeOfObject(obj.apiVersion, obj.kind);
    if (!t) throw badRequest(`no kind "${obj.kind}" is registered for version "${obj.apiVersion}"`);
    return copy(this.replace(t, obj.metadata.namespace, obj.metadata.name ?? '', obj, options.subresource));
  }

  /** Patches an object; `type` defaults to 'strategic'. An 'apply' patch creates an absent object. */
  patch(resource: string, namespace: string | undefined, name: string, patch: Json, options: PatchOptions = {}): K8sObject {
    const t = resolveType(resource);
    return copy(this.patchObject(t, namespace, name, patch, options.type ?? 'strategic', options.subresource).object);
  }

  /**
   * Deletes an object. Returns its last state: for a gracefully deleted pod, the pod with
   * `deletionTimestamp` set (it is removed later); otherwise the removed object.
   */
  delete(resource: string, namespace: string | undefined, name: string, options: DeleteOptions = {}): K8sObject {
    return copy(this.deleteObject(resolveType(resource), namespace, name, options).object);
  }

  /** Calls `listener` after every write, in resourceVersion order. Returns an unsubscribe function. */
  onEvent(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops the event log: watches from any earlier resourceVersion now get 410 Expired. */
  compact(): void {
    this.log = [];
    this.logFloor = this.rv;
  }

  /**
   * The text `GET pods/{name}/log` returns: `container`'s (`?container=`), or without one the
   * pod's default, which is also what a container without a log of its own returns.
   */
  setPodLog(namespace: string, name: string, text: string, container?: string): void {
    const key = keyOf(namespace, name);
    let logs = this.podLogs.get(key);
    if (!logs) this.podLogs.set(key, (logs = new Map()));
    logs.set(container ?? '', text);
  }

  podLog(namespace: string, name: string, container?: string): string {
    const logs = this.podLogs.get(keyOf(namespace, name));
    return (container === undefined ? undefined : logs?.get(container)) ?? logs?.get('') ?? '';
  }

  /**
   * What the pod serves over HTTP, by `<port>/<path>` (path without its leading slash), for the
   * `pods/{name}:{port}/proxy/{path}` subresource; undefined: it serves nothing (not running).
   */
  setPodHttp(namespace: string, name: string, responses: ReadonlyMap<string, string> | undefined): void {
    if (responses === undefined) this.podHttp.delete(keyOf(namespace, name));
    else this.podHttp.set(keyOf(namespace, name), responses);
  }

  podHttpResponses(namespace: string, name: string): ReadonlyMap<string, string> | undefined {
    return this.podHttp.get(keyOf(namespace, name));
  }

  /** Binds a pending pod to a node (the `pods/{name}/binding` subresource); 409 if already bound. */
  bind(namespace: string, name: string, nodeName: string): K8sObject {
    const t = resolveType('pods');
    const existing = this.find(t, namespace, name);
    if (!existing) throw notFound(t, name);
    if (existing.spec?.nodeName) throw conflict(t, name, `pod ${name} is already assigned to node "${existing.spec.nodeName}"`);
    if (existing.metadata.deletionTimestamp) throw conflict(t, name, 'pod is being deleted, cannot be assigned to a host');
    const next = copy(existing);
    next.spec = { ...(next.spec ?? {}), nodeName };
    const conditions = (next.status?.conditions ?? []).filter((c: Json) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp() });
    next.status = { ...(next.status ?? {}), conditions };
    return copy(this.write(t, existing, next));
  }

  // ---- internals shared with the HTTP layer ----------------------------------------------------

  protected find(t: ResourceType, namespace: string | undefined, name: string): K8sObject | undefined {
    return this.table(t).get(keyOf(t.namespaced ? namespace : undefined, name));
  }

  protected select(t: ResourceType, namespace: string | undefined, selector: Selector): K8sObject[] {
    const out: K8sObject[] = [];
    for (const obj of this.table(t).values()) {
      if (namespace !== undefined && t.namespaced && obj.metadata.namespace !== namespace) continue;
      if (selector(obj)) out.push(obj);
    }
    return out;
  }

  /** The retained events after `resourceVersion`, or undefined if some of them were dropped. */
  protected eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.logFloor) return undefined;
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid]!.resourceVersion <= resourceVersion) lo = mid + 1;
      else hi = mid;
    }
    return this.log.slice(lo);
  }

  /** Called synchronously for every write, before in-process listeners (the HTTP watches use it). */
  protected committed(_event: StoreEvent): void {}

  protected createIn(t: ResourceType, namespace: string | undefined, body: K8sObject): K8sObject {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw badRequest('the body of the request was not a JSON object');
    const meta = body.metadata ?? {};
    if (body.kind !== undefined && body.kind !== t.kind)
      throw badRequest(`the kind "${body.kind}" does not match the URL's "${t.kind}"`);
    if (t.namespaced && meta.namespace && namespace && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const ns = t.namespaced ? (namespace ?? meta.namespace ?? 'default') : undefined;
    let name = meta.name;
    if (!name && meta.generateName) {
      do name = `${meta.generateName}${randomSuffix()}`;
      while (this.find(t, ns, name));
    }
    if (!name) throw invalid(t, '', 'metadata.name: Required value: name or generateName is required');
    if (this.find(t, ns, name)) throw alreadyExists(t, name);
    const obj: K8sObject = copy({ ...body, apiVersion: apiVersionOf(t), kind: t.kind });
    const { deletionTimestamp: _d, deletionGracePeriodSeconds: _g, ...rest } = meta;
    obj.metadata = { ...copy(rest), name, uid: randomUUID(), creationTimestamp: timestamp(), generation: 1 };
    if (ns !== undefined) obj.metadata.namespace = ns;
    else delete obj.metadata.namespace;
    if (t.plural === 'pods' && !obj.status?.phase) obj.status = { phase: 'Pending', ...(obj.status ?? {}) };
    if (t.plural === 'namespaces') obj.status = { phase: 'Active' };
    if (t.plural === 'nodes' && !obj.spec) obj.spec = {};
    if (t.plural === 'jobs') defaultJob(obj);
    return this.store(t, 'ADDED', obj, undefined);
  }

  protected replace(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    body: K8sObject,
    subresource?: string,
  ): K8sObject {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw badRequest('the body of the request was not a JSON object');
    const existing = this.find(t, namespace, name);
    if (!existing) throw notFound(t, name);
    if (body.metadata?.name && body.metadata.name !== name)
      throw badRequest('the name of the object does not match the name on the URL');
    const wanted = body.metadata?.resourceVersion;
    if (wanted && wanted !== existing.metadata.resourceVersion) throw conflict(t, name);
    return this.write(t, existing, this.combine(t, existing, body, subresource));
  }

  protected patchObject(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: Json,
    type: PatchType,
    subresource?: string,
  ): { object: K8sObject; created: boolean } {
    const existing = this.find(t, namespace, name);
    if (!existing) {
      if (type !== 'apply' || subresource) throw notFound(t, name);
      const body = { ...patch, metadata: { ...(patch?.metadata ?? {}), name } };
      return { object: this.createIn(t, namespace, body), created: true };
    }
    const patched = applyPatch(type, copy(existing), patch);
    if (!patched || typeof patched !== 'object' || Array.isArray(patched))
      throw badRequest('the patch did not produce an object');
    const wanted = patched.metadata?.resourceVersion;
    if (wanted && wanted !== existing.metadata.resourceVersion) throw conflict(t, name);
    return { object: this.write(t, existing, this.combine(t, existing, patched, subresource)), created: false };
  }

  protected deleteObject(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
  ): { object: K8sObject; removed: boolean } {
    const existing = this.find(t, namespace, name);
    if (!existing) throw notFound(t, name);
    const pre = options.preconditions;
    if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(
        t,
        name,
        `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${existing.metadata.resourceVersion}). The object might have been modified`,
      );
    }
    if (pre?.uid && pre.uid !== existing.metadata.uid) {
      throw conflict(
        t,
        name,
        `the UID in the precondition (${pre.uid}) does not match the UID in record (${existing.metadata.uid}). The object might have been deleted and then recreated`,
      );
    }
    if (t.plural === 'pods') {
      const grace = options.gracePeriodSeconds ?? existing.spec?.terminationGracePeriodSeconds ?? 30;
      const running = !!existing.spec?.nodeName && existing.status?.phase === 'Running';
      if (grace > 0 && running) {
        const current = existing.metadata.deletionGracePeriodSeconds;
        if (current !== undefined && current <= grace) return { object: existing, removed: false };
        const next = copy(existing);
        next.metadata.deletionTimestamp = timestamp(Date.now() + grace * 1000);
        next.metadata.deletionGracePeriodSeconds = grace;
        return { object: this.store(t, 'MODIFIED', next, existing), removed: false };
      }
    }
    return { object: this.remove(t, existing, options.propagationPolicy ?? 'Background'), removed: true };
  }

  // ---- private ----------------------------------------------------------------------------------

  private table(t: ResourceType): Map<string, K8sObject> {
    return this.tables.get(t)!;
  }

  /** The object a PUT or PATCH asks for, with server-owned fields kept from the stored one. */
  private combine(t: ResourceType, existing: K8sObject, body: K8sObject, subresource?: string): K8sObject {
    let next: K8sObject;
    if (subresource === 'status') next = { ...copy(existing), status: copy(body.status) };
    else if (hasStatusSubresource(t)) next = { ...copy(body), status: copy(existing.status) };
    else next = copy(body);
    if (next.status === undefined) delete next.status;
    const meta = existing.metadata;
    next.apiVersion = existing.apiVersion;
    next.kind = existing.kind;
    next.metadata = { ...(next.metadata ?? {}) };
    for (const key of [
      'name',
      'namespace',
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'generation',
    ] as const) {
      if (meta[key] === undefined) delete next.metadata[key];
      else (next.metadata as Record<string, unknown>)[key] = meta[key];
    }
    next.metadata.resourceVersion = meta.resourceVersion;
    return next;
  }

  /** Stores `next` over `existing` unless nothing changed. */
  protected write(t: ResourceType, existing: K8sObject, next: K8sObject): K8sObject {
    if (deepEqual(existing, next)) return existing;
    if (!deepEqual(existing.spec, next.spec)) next.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    return this.store(t, 'MODIFIED', next, existing);
  }

  private store(t: ResourceType, type: EventType, obj: K8sObject, previous: K8sObject | undefined): K8sObject {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    const key = keyOf(obj.metadata.namespace, obj.metadata.name!);
    this.table(t).set(key, obj);
    this.byUid.set(obj.metadata.uid!, { type: t, key });
    this.indexOwners(obj, previous);
    this.commit({ type, object: obj, resource: t, resourceVersion: this.rv, ...(previous ? { previous } : {}) });
    return obj;
  }

  private remove(t: ResourceType, existing: K8sObject, propagation: string): K8sObject {
    this.rv += 1;
    const gone = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(this.rv) } };
    const uid = existing.metadata.uid!;
    this.table(t).delete(keyOf(existing.metadata.namespace, existing.metadata.name!));
    this.byUid.delete(uid);
    this.indexOwners(undefined, existing);
    if (t.plural === 'pods') {
      this.podLogs.delete(keyOf(existing.metadata.namespace, existing.metadata.name!));
      this.podHttp.delete(keyOf(existing.metadata.namespace, existing.metadata.name!));
    }
    this.commit({ type: 'DELETED', object: gone, previous: existing, resource: t, resourceVersion: this.rv });
    this.collectDependents(uid, propagation);
    if (t.plural === 'namespaces') this.emptyNamespace(existing.metadata.name!);
    return gone;
  }

  private collectDependents(ownerUid: string, propagation: string): void {
    const dependents = this.dependents.get(ownerUid);
    if (!dependents) return;
    this.dependents.delete(ownerUid);
    for (const uid of dependents) {
      const at = this.byUid.get(uid);
      const obj = at && this.table(at.type).get(at.key);
      if (!at || !obj) continue;
      if (propagation === 'Orphan') {
        const next = copy(obj);
        next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        this.write(at.type, obj, next);
      } else {
        this.deleteObject(at.type, obj.metadata.namespace, obj.metadata.name!, { propagationPolicy: 'Background' });
      }
    }
  }

  private emptyNamespace(namespace: string): void {
    for (const t of RESOURCE_TYPES) {
      if (!t.namespaced) continue;
      for (const obj of this.select(t, namespace, () => true)) {
        if (this.find(t, namespace, obj.metadata.name!)) this.deleteObject(t, namespace, obj.metadata.name!, {});
      }
    }
  }

  private indexOwners(next: K8sObject | undefined, previous: K8sObject | undefined): void {
    const uid = (next ?? previous)!.metadata.uid!;
    for (const ref of previous?.metadata.ownerReferences ?? []) this.dependents.get(ref.uid)?.delete(uid);
    for (const ref of next?.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(uid);
    }
  }

  private commit(event: StoreEvent): void {
    this.log.push(event);
    if (this.log.length > this.eventWindow * 1.1) {
      this.log = this.log.slice(this.log.length - this.eventWindow);
      this.logFloor = this.log[0]!.resourceVersion - 1;
    }
    this.committed(event);
    if (this.listeners.size === 0) return;
    // Listeners may write; queueing keeps every listener's view in resourceVersion order.
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener({ ...e, object: copy(e.object), ...(e.previous ? { previous: copy(e.previous) } : {}) });
          } catch (error) {
            console.error('fake apiserver: an event listener threw', error);
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
