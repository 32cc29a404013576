/**
 * The free-capacity index: for each pool and GPU type, which schedulable nodes have how many
 * free devices, bucketed by free count so best-fit placement never scans the whole pool.
 *
 * It is derived from devices, nodes and holders; `refreshNode` recomputes one node's share of it
 * after any event that touches that node, and `refreshHolders` after one that changed only its
 * devices' holders (an allocation, a release), so every update costs O(devices on the node).
 * Holders change only through `takeDevices` and `releaseDevices`, which keep each node's record of
 * its busy devices in step.
 */
import type { DeviceState, NodeState, State } from './model.js';
import { NodeOrder, NodeSet } from './node-order.js';
import { removeAt, SortedStrings } from './sorted.js';

/** One pool's devices of one GPU type. */
export interface PoolTypeCapacity {
  readonly pool: string;
  readonly gpuType: string;
  /** Live devices of this pool and type, busy or free, cordoned or not. */
  total: number;
  /** Free devices on schedulable (uncordoned) nodes. */
  free: number;
  /** Per live node: devices of this pool and type on it (including cordoned nodes). */
  sizes: Map<string, number>;
  /** sizeCounts[k]: how many live nodes hold exactly k devices of this pool and type. */
  sizeCounts: number[];
  /** Per schedulable node with at least one device here: its free device ids, lowest index first. */
  nodes: Map<string, string[]>;
  /** buckets[k]: schedulable nodes with exactly k free devices here, in id order. */
  buckets: NodeSet[];
  /**
   * Per node: when its busy devices here are expected to be released, ascending (backfill's
   * shadow reads them, scheduler/backfill.ts releasesOn). A cache, filled on demand: every change
   * of a device's holders, pool or node refreshes the node, and the refresh drops its entry, so a
   * pass works out again only the nodes changed since the last one, not every busy device.
   */
  releases: Map<string, number[]>;
}

export interface CapacityIndex {
  /** key `${pool}\u0000${gpuType}` */
  byKey: Map<string, PoolTypeCapacity>;
  /** pool -> its GPU types present (sorted). */
  typesByPool: Map<string, SortedStrings>;
  /**
   * node -> keys it currently contributes to (distinct; nearly always one). An array, not a Set:
   * every allocation and release asks for a node's one key, and a Set's iterator per question was
   * a measurable share of a simulation's allocations.
   */
  keysByNode: Map<string, readonly string[]>;
  /** Every node id ever seen, ranked in id order: the order of every bucket. */
  order: NodeOrder;
  /**
   * Per node: its live DeviceState objects in index order, so a refresh reads them without a map
   * lookup per device. Dropped by evolve whenever a node's device list changes.
   */
  deviceRefs: Map<string, DeviceState[]>;
  /**
   * Per node whose holders alone may change its share (see HoldersOnly): what refreshHolders
   * needs, in one lookup. Written by every refreshNode, so it never outlives what it points to.
   */
  holdersOnly: Map<string, HoldersOnly>;
  /**
   * The last (pool, type) capacityOf answered: a job's pass asks for the same pair several times
   * in a row. Cleared whenever a pair's capacity is made or dropped (ensure, removeNodeFrom).
   */
  last: { pool: string; gpuType: string; cap: PoolTypeCapacity } | null;
  /**
   * What the last release gave back (releaseDevices): the job, and the distinct pools of its
   * devices as they are now, in the allocation's order (a device lost since has none). The
   * scheduler's trigger reads them right after the job's end is folded in (scheduler/triggers.ts),
   * rather than finding every device a second time.
   */
  readonly released: { job: string | null; readonly pools: string[] };
}

/**
 * A node in the usual case: schedulable, at most MASK_DEVICES devices, every one of one pool and
 * type, with its free list in that pair's capacity. An allocation or a release on it changes only
 * which of `devices` are free, and `busy` says which are not: the refresh after one rewrites the
 * free list from the mask and the ids, without reading any device (on a large cluster, reading
 * each device of the node and its holders was most of an allocation's cost in cache misses).
 */
interface HoldersOnly {
  /** The node's rank in `order` (every record is dropped when ranks move). */
  readonly rank: number;
  readonly cap: PoolTypeCapacity;
  readonly free: string[];
  /** The node's live devices in index order, and their ids. */
  readonly devices: readonly DeviceState[];
  readonly ids: readonly string[];
  /** Bit i set: devices[i] has holders (kept by takeDevices and releaseDevices). */
  busy: number;
}

/** The most devices a node's busy mask covers; a larger node takes the general refresh. */
const MASK_DEVICES = 31;

export function emptyCapacity(): CapacityIndex {
  return {
    byKey: new Map(),
    typesByPool: new Map(),
    keysByNode: new Map(),
    order: new NodeOrder(),
    deviceRefs: new Map(),
    holdersOnly: new Map(),
    last: null,
    released: { job: null, pools: [] },
  };
}

/** Call when a node's device list changes (registration, loss). */
export function forgetDevicesOf(state: State, nodeId: string): void {
  state.capacity.deviceRefs.delete(nodeId);
}

function devicesOf(state: State, node: NodeState): DeviceState[] {
  let refs = state.capacity.deviceRefs.get(node.id);
  if (!refs) {
    refs = [];
    for (const id of node.devices) {
      const d = state.devices.get(id);
      if (d) refs.push(d);
    }
    state.capacity.deviceRefs.set(node.id, refs);
  }
  return refs;
}

/** A node's live devices in index order (cached, see CapacityIndex.deviceRefs); none for an unknown node. */
export function devicesOn(state: State, nodeId: string): readonly DeviceState[] {
  const node = state.nodes.get(nodeId);
  return node ? devicesOf(state, node) : [];
}

const keyOf = (pool: string, gpuType: string): string => `${pool}\u0000${gpuType}`;

/**
 * The keys of (pool, type) pairs met, made once: the scheduler asks for a pool's capacity several
 * times per job, and a key string built per question was 2% of a simulation's allocations. Only
 * keys the index holds are kept, so the table is as small as the pairs that ever existed (pool and
 * type names, never jobs'). It is a cache of strings, the same in every state.
 */
const keysOf = new Map<string, Map<string, string>>();

export function capacityOf(state: State, pool: string, gpuType: string): PoolTypeCapacity | undefined {
  const index = state.capacity;
  const last = index.last;
  if (last !== null && last.pool === pool && last.gpuType === gpuType) return last.cap;
  const known = keysOf.get(pool)?.get(gpuType);
  const cap = index.byKey.get(known ?? keyOf(pool, gpuType));
  if (cap !== undefined) {
    index.last = { pool, gpuType, cap };
    if (known === undefined) {
      let types = keysOf.get(pool);
      if (!types) keysOf.set(pool, (types = new Map()));
      types.set(gpuType, keyOf(pool, gpuType));
    }
  }
  return cap;
}

/** The GPU types present in a pool, sorted. */
export function typesInPool(state: State, pool: string): readonly string[] {
  return state.capacity.typesByPool.get(pool)?.items ?? [];
}

function ensure(index: CapacityIndex, pool: string, gpuType: string): PoolTypeCapacity {
  const key = keyOf(pool, gpuType);
  let cap = index.byKey.get(key);
  if (!cap) {
    index.last = null;
    cap = {
      pool,
      gpuType,
      total: 0,
      free: 0,
      sizes: new Map(),
      sizeCounts: [],
      nodes: new Map(),
      buckets: [],
      releases: new Map(),
    };
    index.byKey.set(key, cap);
    let types = index.typesByPool.get(pool);
    if (!types) {
      types = new SortedStrings();
      index.typesByPool.set(pool, types);
    }
    types.add(gpuType);
  }
  return cap;
}

function bucket(index: CapacityIndex, cap: PoolTypeCapacity, k: number): NodeSet {
  let b = cap.buckets[k];
  if (!b) {
    for (let i = cap.buckets.length; i <= k; i++) cap.buckets[i] = new NodeSet(index.order);
    b = cap.buckets[k] as NodeSet;
  }
  return b;
}

/** After node ranks moved: refill every bucket from the free lists it summarises. */
function rebuildBuckets(index: CapacityIndex): void {
  for (const cap of index.byKey.values()) {
    for (const b of cap.buckets) b.clear();
    for (const [node, free] of cap.nodes) if (free.length > 0) bucket(index, cap, free.length).add(node);
  }
}

function removeNodeFrom(index: CapacityIndex, key: string, nodeId: string): void {
  const cap = index.byKey.get(key);
  if (!cap) return;
  cap.releases.delete(nodeId);
  const size = cap.sizes.get(nodeId) ?? 0;
  cap.total -= size;
  cap.sizes.delete(nodeId);
  cap.sizeCounts[size] = (cap.sizeCounts[size] ?? 1) - 1;
  const free = cap.nodes.get(nodeId);
  if (free) {
    cap.free -= free.length;
    if (free.length > 0) bucket(index, cap, free.length).delete(nodeId);
    cap.nodes.delete(nodeId);
  }
  if (cap.total === 0) {
    index.last = null;
    index.byKey.delete(key);
    const types = index.typesByPool.get(cap.pool);
    types?.delete(cap.gpuType);
    if (types && types.size === 0) index.typesByPool.delete(cap.pool);
  }
}

/** Recompute one node's contribution to the index from its devices. */
export function refreshNode(state: State, nodeId: string): void {
  const index = state.capacity;
  const old = index.keysByNode.get(nodeId);
  const node = state.nodes.get(nodeId);
  if (index.order.ensure(nodeId)) {
    rebuildBuckets(index);
    index.holdersOnly.clear(); // their ranks moved
  }
  index.holdersOnly.delete(nodeId);
  if (old) for (const key of old) removeNodeFrom(index, key, nodeId);
  if (!node || node.lost || node.devices.length === 0) {
    index.keysByNode.delete(nodeId);
    return;
  }
  const keys: string[] = [];
  // Group the node's devices by (pool, type); devices are already sorted by index.
  const groups = new Map<string, { pool: string; gpuType: string; devices: DeviceState[] }>();
  for (const d of devicesOf(state, node)) {
    const key = keyOf(d.pool, d.gpuType);
    let g = groups.get(key);
    if (!g) {
      g = { pool: d.pool, gpuType: d.gpuType, devices: [] };
      groups.set(key, g);
    }
    g.devices.push(d);
  }
  let cap: PoolTypeCapacity | undefined;
  for (const [key, g] of groups) {
    keys.push(key);
    cap = ensure(index, g.pool, g.gpuType);
    addNodeTo(index, cap, node, g.devices);
  }
  index.keysByNode.set(nodeId, keys);
  // The usual case (see HoldersOnly): the node's one pair, the last and only one just added.
  const free = keys.length === 1 ? cap?.nodes.get(nodeId) : undefined;
  const devices = devicesOf(state, node);
  if (cap && free && !node.cordoned && devices.length <= MASK_DEVICES) {
    let busy = 0;
    for (let i = 0; i < devices.length; i++) if ((devices[i] as DeviceState).holders.length > 0) busy |= 1 << i;
    const ids = devices.map((d) => d.id);
    index.holdersOnly.set(nodeId, { rank: index.order.rankOf(nodeId) as number, cap, free, devices, ids, busy });
  }
}

/**
 * A job takes its allocation's devices (`ids`, on the distinct `nodes` its event names): it joins
 * each device's holders, and each node's share of the index follows. Gives the last device found
 * (the job's GPU type is its type), or undefined when none is live.
 */
export function takeDevices(
  state: State,
  jobId: string,
  ids: readonly string[],
  nodes: readonly string[],
): DeviceState | undefined {
  let last: DeviceState | undefined;
  recordsOf(state, nodes);
  for (let k = 0; k < ids.length; k++) {
    const d = findDevice(state, ids[k] as string, nodes);
    if (d === undefined) continue;
    // The device's own list, reused from one holder to the next: a new one-element list per
    // device and per allocation lived as long as the job ran, so the collector copied it on
    // and on. A list keeps the room it once grew to (16 holders), a few KB per thousand GPUs.
    d.holders.push(jobId);
    if (d.holders.length === 1) holdersChanged(state, d);
    last = d;
  }
  for (let k = 0; k < nodes.length; k++) refreshHolders(state, nodes[k] as string);
  return last;
}

/**
 * A job lets its allocation's devices go (a release): it leaves each device's holders, a device
 * is free again when its last holder lets go, and each node's share of the index follows. A
 * device lost with its node since is skipped.
 */
export function releaseDevices(state: State, jobId: string, ids: readonly string[], nodes: readonly string[]): void {
  const released = state.capacity.released;
  const pools = released.pools;
  released.job = jobId;
  // Emptied in place: a new list per release was as many allocations as jobs.
  while (pools.length > 0) pools.pop();
  recordsOf(state, nodes);
  for (let k = 0; k < ids.length; k++) {
    const d = findDevice(state, ids[k] as string, nodes);
    if (d === undefined) continue;
    if (dropHolder(d.holders, jobId)) holdersChanged(state, d);
    // Nearly always one pool for all: a busy device moved to another pool since is the exception.
    if (!pools.includes(d.pool)) pools.push(d.pool);
  }
  // A node lost since is refreshed in full: refreshHolders knows.
  for (let k = 0; k < nodes.length; k++) refreshHolders(state, nodes[k] as string);
}

/** The distinct pools the job's devices were given back to, when its release was the last one; else none. */
export function poolsReleasedBy(state: State, jobId: string): readonly string[] {
  const released = state.capacity.released;
  return released.job === jobId ? released.pools : NONE_RELEASED;
}
const NONE_RELEASED: readonly string[] = [];

/** Takes a holder out of a device's list; true when that left it with none. */
function dropHolder(holders: string[], jobId: string): boolean {
  // Nearly always its one holder; more only when immediate jobs share it.
  if (holders.length === 1 && holders[0] === jobId) holders.pop();
  else {
    const i = holders.indexOf(jobId);
    if (i < 0) return false;
    removeAt(holders, i);
  }
  return holders.length === 0;
}

/** The records of the nodes of the allocation at hand, in its order (recordsOf fills it). */
const RECORDS: (HoldersOnly | undefined)[] = [];

function recordsOf(state: State, nodes: readonly string[]): void {
  const records = state.capacity.holdersOnly;
  for (let k = 0; k < nodes.length; k++) RECORDS[k] = records.get(nodes[k] as string);
  foundNode = 0;
  foundRecord = undefined;
}

/**
 * Where findDevice found the device it gave last: the node's record and the device's position in
 * it (undefined: not through a record), and the position in `nodes` of its node. Module variables
 * rather than a result object, because a find runs for every device of every allocation and
 * release, and what it found is read at once.
 */
let foundRecord: HoldersOnly | undefined;
let foundAt = 0;
let foundNode = 0;

/**
 * The live device with this id, one of an allocation's devices on `nodes` (whose records
 * recordsOf has read). A device id is its node's id, '/' and its index (evolve's deviceId), and
 * the allocation names the node: so in the usual case the device is found through its node's
 * record by the index read off the id, without a lookup by the whole id. On a large cluster,
 * looking up each device by its id string (hashing ids freshly read from the store, then cache
 * misses in a table of every device) was most of the cost of folding an allocation or a release.
 * Any other case asks the table of devices.
 */
function findDevice(state: State, id: string, nodes: readonly string[]): DeviceState | undefined {
  // Placement lists an allocation's devices node by node: the search starts at the last one's node.
  const count = nodes.length;
  for (let j = 0, k = foundNode; j < count; j++, k = k + 1 === count ? 0 : k + 1) {
    const node = nodes[k] as string;
    const n = node.length;
    if (id.length <= n + 1 || id.charCodeAt(n) !== 47 /* '/' */ || !id.startsWith(node)) continue;
    const index = indexIn(id, n + 1);
    if (index < 0) break;
    const record = RECORDS[k];
    if (record === undefined) break;
    const d = record.devices[index];
    // Devices lost from the node shift the positions: then the index is no position.
    if (d === undefined || d.index !== index) break;
    foundRecord = record;
    foundAt = index;
    foundNode = k;
    return d;
  }
  foundRecord = undefined;
  return state.devices.get(id);
}

/** The decimal number that id holds from position `from` to its end, written as deviceId writes it; -1 otherwise. */
function indexIn(id: string, from: number): number {
  if (id.length - from > 2 || (id.charCodeAt(from) === 48 && id.length - from > 1)) return -1; // none above 31, no leading zero
  let v = 0;
  for (let i = from; i < id.length; i++) {
    const c = id.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * A device's holders went from none to some or back: its node's record notes it. The device is
 * the one findDevice gave last, so when it came through its node's record its position is known.
 */
function holdersChanged(state: State, device: DeviceState): void {
  let only = foundRecord;
  let i = foundAt;
  if (only === undefined) {
    only = state.capacity.holdersOnly.get(device.node);
    if (only === undefined) return; // refreshHolders takes the general refresh
    i = only.devices.indexOf(device);
    // Not one of the record's devices: the record no longer describes the node; without it, the
    // node's refresh is the general one.
    if (i < 0) {
      state.capacity.holdersOnly.delete(device.node);
      return;
    }
  }
  if (device.holders.length === 0) only.busy &= ~(1 << i);
  else only.busy |= 1 << i;
}

/**
 * A node after its devices' holders changed (an allocation or a release, each device's change
 * noted in its record), and nothing else: its devices, their pools and types, its cordon are as the
 * last refresh left them. Only its free devices moved, so in the usual case (see HoldersOnly) its
 * free list is rewritten in place from the busy mask and the node moves between free-count
 * buckets if its count changed: no sets, maps or key strings, no device read. The same result as
 * refreshNode, which any other case takes.
 */
function refreshHolders(state: State, nodeId: string): void {
  const index = state.capacity;
  const only = index.holdersOnly.get(nodeId);
  if (only === undefined) {
    refreshNode(state, nodeId);
    return;
  }
  const { rank, cap, free, ids, busy } = only;
  if (cap.releases.size > 0) cap.releases.delete(nodeId); // only backfill fills it
  const oldCount = free.length;
  // Rewritten in place (placement copies from it, nobody keeps it), lowest index first: a new
  // array on every allocation and release was a twentieth of a simulation's allocations, and
  // setting an array's length is a call into the runtime.
  let k = 0;
  for (let i = 0; i < ids.length; i++) {
    if (busy & (1 << i)) continue;
    if (k < free.length) free[k] = ids[i] as string;
    else free.push(ids[i] as string);
    k++;
  }
  while (free.length > k) free.pop();
  cap.free += k - oldCount;
  if (k !== oldCount) {
    if (oldCount > 0) bucket(index, cap, oldCount).deleteRank(rank);
    if (k > 0) bucket(index, cap, k).addRank(rank);
  }
}

function addNodeTo(index: CapacityIndex, cap: PoolTypeCapacity, node: NodeState, devices: DeviceState[]): void {
  cap.releases.delete(node.id);
  const size = devices.length;
  cap.total += size;
  cap.sizes.set(node.id, size);
  cap.sizeCounts[size] = (cap.sizeCounts[size] ?? 0) + 1;
  if (node.cordoned) return;
  const free: string[] = [];
  for (const d of devices) if (d.holders.length === 0) free.push(d.id);
  cap.nodes.set(node.id, free);
  cap.free += free.length;
  if (free.length > 0) bucket(index, cap, free.length).add(node.id);
}

/** How many live nodes hold at least `k` devices of this pool and type. */
export function nodesWithAtLeast(cap: PoolTypeCapacity, k: number): number {
  let n = 0;
  for (let i = Math.max(k, 0); i < cap.sizeCounts.length; i++) n += cap.sizeCounts[i] ?? 0;
  return n;
}

export function largestNode(cap: PoolTypeCapacity): number {
  for (let i = cap.sizeCounts.length - 1; i > 0; i--) if ((cap.sizeCounts[i] ?? 0) > 0) return i;
  return 0;
}

export function largestFreeBlock(cap: PoolTypeCapacity): number {
  for (let i = cap.buckets.length - 1; i > 0; i--) if ((cap.buckets[i]?.size ?? 0) > 0) return i;
  return 0;
}
