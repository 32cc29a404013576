/**
 * A canonical serialisation of the cluster State, for comparing two states exactly: a live one
 * with a replayed one, or the states of two engines.
 *
 * Every part of the State is covered, including the derived indexes (pending queues, the capacity
 * index, unfinished jobs, command ids). Order:
 * - Maps and Sets are written sorted by key: their iteration order carries no meaning...
 * - ...except a pending queue's `fresh` set, whose order is the order in which the scheduler holds
 *   jobs back (and so the order of JobWaiting events): it is written as it iterates.
 * - Arrays keep their order (device lists, holders, queue entries, histories all mean something
 *   by their order).
 * - Plain objects are written with sorted keys; numbers that JSON cannot hold (Infinity, NaN, -0)
 *   and `undefined` are written as tagged strings so that they are not confused with null.
 * - The capacity index is written in its meaning, not its layout: empty buckets and zero size
 *   counts (which an array may or may not have grown to hold) are left out.
 *
 * If State gains a field this module does not know, `canonicalState` throws, so the comparison
 * can never silently skip it.
 */
import type { CapacityIndex, PoolTypeCapacity } from '../capacity.js';
import type { State } from '../model.js';
import type { PendingQueue } from '../queue.js';

const STATE_KEYS = [
  'revision',
  'now',
  'installed',
  'nodes',
  'devices',
  'pools',
  'groups',
  'users',
  'jobs',
  'finished',
  'finishedCounts',
  'retired',
  'captures',
  'queues',
  'capacity',
  'commands',
  'unfinished',
  'unfinishedByOwner',
] as const satisfies readonly (keyof State)[];

const QUEUE_KEYS = ['entries', 'immediate', 'fresh', 'policy', 'bySubmission', 'front', 'shapes', 'demandList'];
const CAPACITY_KEYS = ['byKey', 'typesByPool', 'keysByNode', 'order', 'deviceRefs', 'holdersOnly', 'last', 'released'];
// `releases` is backfill's cache of each node's release times (derived from the devices and jobs
// written here, and checked against them by checkInvariants): which nodes it holds is no part of
// the state's meaning.
const POOL_TYPE_KEYS = ['pool', 'gpuType', 'total', 'free', 'sizes', 'sizeCounts', 'nodes', 'buckets', 'releases'];

function assertKeys(what: string, obj: object, known: readonly string[]): void {
  const unknown = Object.keys(obj).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new Error(
      `canonicalState does not know ${what} field(s) ${unknown.join(', ')}: extend core/cluster/test-support/canonical.ts`,
    );
}

const byKey = <V>(m: ReadonlyMap<string, V>): [string, V][] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function queueOf(q: PendingQueue): unknown {
  assertKeys('PendingQueue', q, QUEUE_KEYS);
  // The submission order is a lazily trimmed cache: compare what it yields, not how much it trimmed.
  const walked = new Set(q.entries.map((e) => e.id));
  const oldest = [...q.oldest((id) => walked.has(id))];
  // Each entry points at its shape's summary; the summaries are compared once, in shape order, with
  // the ids of their entries in the order kept.
  const entries = q.entries.map(({ id, priority, key, seq, duration, demand }) => ({
    id,
    priority,
    key,
    seq,
    duration,
    shape: [demand.gpus, demand.workers],
  }));
  const demands = [...q.demands()]
    .map((d) => ({ gpus: d.gpus, workers: d.workers, count: d.count, durations: d.durations, queued: d.queued.map((e) => e.id) }))
    .sort((a, b) => a.gpus - b.gpus || a.workers - b.workers);
  return { policy: q.policy, entries, immediate: q.immediate, fresh: [...q.fresh], oldest, demands };
}

function poolTypeOf(c: PoolTypeCapacity): unknown {
  assertKeys('PoolTypeCapacity', c, POOL_TYPE_KEYS);
  const sizeCounts: [number, number][] = [];
  c.sizeCounts.forEach((n, k) => {
    if (n !== undefined && n !== 0) sizeCounts.push([k, n]);
  });
  const buckets: [number, string[]][] = [];
  c.buckets.forEach((b, k) => {
    if (b && b.size > 0) buckets.push([k, [...b.items]]);
  });
  return {
    pool: c.pool,
    gpuType: c.gpuType,
    total: c.total,
    free: c.free,
    sizes: byKey(c.sizes),
    sizeCounts,
    nodes: byKey(c.nodes),
    buckets,
  };
}

function capacityOf(c: CapacityIndex): unknown {
  assertKeys('CapacityIndex', c, CAPACITY_KEYS);
  return {
    byKey: byKey(c.byKey).map(([k, v]) => [k, poolTypeOf(v)]),
    typesByPool: byKey(c.typesByPool).map(([k, v]) => [k, [...v.items]]),
    keysByNode: byKey(c.keysByNode).map(([k, v]) => [k, [...v].sort()]),
    // Every node id ever seen, in rank order (ranks are ids' code-unit order).
    order: [...c.order.ids],
    // deviceRefs, holdersOnly and last are caches of object references (nodes' devices, free lists,
    // the last capacity asked for): their content is written above; which nodes or pairs happen to
    // be cached is not part of the state's meaning. `released` is what the last release gave
    // back, read only in the same event's fold (scheduler/triggers.ts): no state's meaning either.
  };
}

/** The state as a plain value in canonical order (see the module comment). */
export function canonicalValue(state: State): unknown {
  assertKeys('State', state, STATE_KEYS);
  return {
    revision: state.revision,
    now: state.now,
    installed: state.installed,
    nodes: byKey(state.nodes),
    devices: byKey(state.devices),
    pools: byKey(state.pools),
    groups: byKey(state.groups),
    users: byKey(state.users),
    jobs: byKey(state.jobs),
    finished: byKey(state.finished),
    finishedCounts: state.finishedCounts,
    // `retired` is a hand-over, not part of the state's meaning: a live engine empties it after
    // each batch, a replay may not have yet. `captures` are the snapshots being written of it.
    queues: byKey(state.queues).map(([k, q]) => [k, queueOf(q)]),
    capacity: capacityOf(state.capacity),
    // In insertion order: the window of remembered command ids forgets the oldest first.
    commands: [...state.commands.entries()],
    // In submission order: lists walk them so, and RemoveUser stops a user's jobs in that order.
    unfinished: byKey(state.unfinished).map(([k, v]) => [k, [...v]]),
    unfinishedByOwner: byKey(state.unfinishedByOwner).map(([k, v]) => [k, [...v]]),
  };
}

/** The canonical serialisation: equal strings if and only if the states are equal. */
export function canonicalState(state: State): string {
  return stableStringify(canonicalValue(state));
}

/** JSON with sorted object keys; Maps and Sets are not expected here (canonicalValue removed them). */
export function stableStringify(value: unknown): string {
  return write(value);
}

function write(v: unknown): string {
  if (v === undefined) return '"\u0000undefined"';
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return `"\u0000${String(v)}"`;
    if (Object.is(v, -0)) return '"\u0000-0"';
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) {
    // Holes (sparse arrays) are written as undefined, distinct from null.
    return `[${Array.from(v, (x) => write(x)).join(',')}]`;
  }
  if (v instanceof Map || v instanceof Set) {
    throw new Error('stableStringify: a Map or Set reached the writer; canonicalValue must order it first');
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${write((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new Error(`stableStringify: cannot write a ${typeof v}`);
}
