/**
 * The API types the fake Kubernetes API server knows, and the discovery documents built from them.
 *
 * One table drives everything: URL routing, the legacy discovery answers kubectl needs (`/api`,
 * `/apis`, `/api/v1`, `/apis/{group}/{version}`), short names (`kubectl get no`), whether a kind is
 * namespaced, and which kinds have a `status` subresource (writes to the main resource then keep
 * the stored status, and status writes keep everything but the status, as on a real server).
 *
 * Legacy discovery is served rather than aggregated discovery because it is plain
 * `application/json` and kubectl 1.28 to 1.33 all accept it (see the wire notes, section 1).
 */

// biome-ignore lint/suspicious/noExplicitAny: objects of every kind are JSON documents; the fake does not model their schemas
export type Json = any;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: Json;
}

/** Any Kubernetes object as JSON: kind and apiVersion, metadata, and whatever else the kind has. */
export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Json;
  status?: Json;
  [key: string]: Json;
}

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Subresources listed in discovery; `status` also switches on the status/main split on writes. */
  subresources: { name: string; kind: string; verbs: string[] }[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS = { name: 'status', kind: '', verbs: ['get', 'patch', 'update'] };

function type(
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[] = [],
  subresources: ResourceType['subresources'] = [],
): ResourceType {
  return {
    group,
    version,
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    shortNames,
    subresources: subresources.map((s) => ({ ...s, kind: s.kind || kind })),
  };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  type('', 'v1', 'nodes', 'Node', false, ['no'], [STATUS]),
  type(
    '',
    'v1',
    'pods',
    'Pod',
    true,
    ['po'],
    [
      STATUS,
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'eviction', kind: 'Eviction', verbs: ['create'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
    ],
  ),
  type('', 'v1', 'services', 'Service', true, ['svc'], [STATUS]),
  type('', 'v1', 'namespaces', 'Namespace', false, ['ns'], [STATUS]),
  type('', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
  type('', 'v1', 'secrets', 'Secret', true),
  type('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  type('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], [STATUS]),
  type('', 'v1', 'events', 'Event', true, ['ev']),
  type('batch', 'v1', 'jobs', 'Job', true, [], [STATUS]),
  type('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  type('apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], [STATUS]),
  type('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  type('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  type('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  type('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  type('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'], [STATUS]),
];

export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** `pods`, `jobs.batch`: how real error messages name a resource. */
export function qualifiedName(t: ResourceType): string {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

export function hasStatusSubresource(t: ResourceType): boolean {
  return t.subresources.some((s) => s.name === 'status');
}

/** The type served at `/api/v1/{plural}` or `/apis/{group}/{version}/{plural}`. */
export function typeAt(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);
}

/** The type of an object, from its apiVersion and kind. */
export function typeOfObject(apiVersion: string | undefined, kind: string | undefined): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

/**
 * The type a test names: a plural (`pods`), a qualified plural (`jobs.batch`), a kind (`Job`),
 * a singular (`job`) or a short name (`po`).
 */
export function resolveType(name: string): ResourceType {
  const lower = name.toLowerCase();
  const found = RESOURCE_TYPES.find(
    (t) =>
      t.plural === lower ||
      qualifiedName(t) === lower ||
      t.singular === lower ||
      t.kind.toLowerCase() === lower ||
      t.shortNames.includes(lower),
  );
  if (!found) throw new Error(`fake apiserver: unknown resource type "${name}"`);
  return found;
}

// ---- discovery documents ----------------------------------------------------------------------

export function apiVersions(serverAddress: string): Json {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupVersions(): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const t of RESOURCE_TYPES) {
    if (!t.group) continue;
    const versions = groups.get(t.group) ?? [];
    if (!versions.includes(t.version)) versions.push(t.version);
    groups.set(t.group, versions);
  }
  return groups;
}

function apiGroup(name: string, versions: string[]): Json {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

export function apiGroupList(): Json {
  const groups = [...groupVersions()].map(([name, versions]) => apiGroup(name, versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `/apis/{group}`, or undefined for an unknown group. */
export function apiGroupDocument(group: string): Json | undefined {
  const versions = groupVersions().get(group);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) } : undefined;
}

/** `/api/v1` or `/apis/{group}/{version}`, or undefined for an unknown group-version. */
export function apiResourceList(group: string, version: string): Json | undefined {
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources: Json[] = [];
  for (const t of types) {
    resources.push({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ALL_VERBS,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
    });
    for (const s of t.subresources) {
      resources.push({ name: `${t.plural}/${s.name}`, singularName: '', namespaced: t.namespaced, kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
