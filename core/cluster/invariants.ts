/**
 * The invariants of the cluster state (design section 2), checked from first principles: none of
 * these checks trusts a derived index; they recompute and compare. Returns every violation found,
 * as sentences; an empty list means the state is sound.
 */
import { emptyCapacity, refreshNode } from './capacity.js';
import { DEFAULT_GROUP_ID, DEFAULT_POOL_ID, holdsDevices, isFinished, isPending, type JobState, type State } from './model.js';
import { nodeReleases } from './scheduler/backfill.js';

export function checkInvariants(state: State): string[] {
  const v: string[] = [];
  const fail = (msg: string) => v.push(msg);

  // Default pool and group always exist and are bound to each other.
  const dp = state.pools.get(DEFAULT_POOL_ID);
  const dg = state.groups.get(DEFAULT_GROUP_ID);
  if (!dp || !dg) fail('the Default Pool and Default Group must exist');
  else if (dp.group !== DEFAULT_GROUP_ID || dg.pool !== DEFAULT_POOL_ID)
    fail('the Default Group must be bound to the Default Pool');

  // Every device of every live node is in exactly one existing pool; lost nodes hold none.
  let liveDevices = 0;
  for (const node of state.nodes.values()) {
    if (node.lost && node.devices.length > 0) fail(`lost node ${node.id} still holds devices`);
    for (const id of node.devices) {
      const d = state.devices.get(id);
      if (!d) fail(`node ${node.id} lists unknown device ${id}`);
      else if (d.node !== node.id) fail(`device ${id} belongs to ${d.node}, listed by ${node.id}`);
      liveDevices++;
    }
  }
  if (liveDevices !== state.devices.size) fail(`${state.devices.size} devices exist but live nodes list ${liveDevices}`);
  const perPool = new Map<string, number>();
  for (const d of state.devices.values()) {
    const pool = state.pools.get(d.pool);
    if (!pool) fail(`device ${d.id} is in missing pool ${d.pool}`);
    else if (pool.gpuType !== null && pool.gpuType !== d.gpuType && d.holders.length === 0) {
      // A busy device never moves into a pool of another type either, but check idle ones too.
      fail(`device ${d.id} (${d.gpuType}) is in pool ${pool.id} of type ${pool.gpuType}`);
    }
    perPool.set(d.pool, (perPool.get(d.pool) ?? 0) + 1);
  }
  let sum = 0;
  for (const n of perPool.values()) sum += n;
  if (sum !== state.devices.size) fail(`pools hold ${sum} devices but the cluster has ${state.devices.size}`);

  // Pools: unique names; one type (the Default Pool excepted); at most one group, bound both ways.
  const poolNames = new Set<string>();
  for (const p of state.pools.values()) {
    if (poolNames.has(p.name)) fail(`two pools are named ${p.name}`);
    poolNames.add(p.name);
    if (p.id !== DEFAULT_POOL_ID && p.gpuType === null) fail(`pool ${p.id} has no GPU type`);
    if (p.group !== null && state.groups.get(p.group)?.pool !== p.id) fail(`pool ${p.id} and group ${p.group} disagree`);
  }
  const groupNames = new Set<string>();
  for (const g of state.groups.values()) {
    if (groupNames.has(g.name)) fail(`two groups are named ${g.name}`);
    groupNames.add(g.name);
    if (g.pool !== null && state.pools.get(g.pool)?.group !== g.id) fail(`group ${g.id} and pool ${g.pool} disagree`);
  }
  for (const u of state.users.values()) if (!state.groups.has(u.group)) fail(`user ${u.id} is in missing group ${u.group}`);

  // Holders and jobs agree; sharing only through immediate jobs that record it.
  for (const d of state.devices.values()) {
    if (new Set(d.holders).size !== d.holders.length) fail(`device ${d.id} lists a holder twice`);
    for (const h of d.holders) {
      const job = state.jobs.get(h);
      if (!job || !holdsDevices(job.status)) fail(`device ${d.id} is held by ${h}, which holds no devices`);
      else if (!job.allocation?.devices.includes(d.id)) fail(`device ${d.id} is held by ${h} but not in its allocation`);
    }
    if (d.holders.length > 1) {
      const unrecorded = d.holders.filter((h) => {
        const job = state.jobs.get(h);
        return !(job?.immediate && job.allocation?.shared.includes(d.id));
      });
      if (unrecorded.length > 1) fail(`device ${d.id} is held by ${d.holders.join(', ')} without recorded sharing`);
    }
  }
  for (const job of state.jobs.values()) checkJob(state, job, fail);

  // Derived indexes equal what they derive from.
  checkQueues(state, fail);
  checkCapacity(state, fail);
  checkUnfinishedIndexes(state, fail);
  checkFinished(state, fail);
  return v;
}

/** Unfinished jobs per group and per owner: each holds its jobs once, in submission order. */
function checkUnfinishedIndexes(state: State, fail: (m: string) => void): void {
  const byOwner = new Map<string, string[]>();
  const byGroup = new Map<string, string[]>();
  for (const g of state.unfinished.keys()) byGroup.set(g, []);
  for (const job of [...state.jobs.values()].sort((a, b) => a.seq - b.seq)) {
    for (const [index, key] of [
      [byOwner, job.owner],
      [byGroup, job.group],
    ] as const) {
      const ids = index.get(key);
      if (ids) ids.push(job.id);
      else index.set(key, [job.id]);
    }
  }
  const describe = (m: ReadonlyMap<string, Iterable<string>>) =>
    [...m.entries()]
      .map(([key, ids]) => `${key}:${[...ids].join(',')}`)
      .sort()
      .join(' ');
  if (describe(byOwner) !== describe(state.unfinishedByOwner))
    fail(`unfinished jobs per owner are [${describe(state.unfinishedByOwner)}] but jobs say [${describe(byOwner)}]`);
  if (describe(byGroup) !== describe(state.unfinished))
    fail(`unfinished jobs per group are [${describe(state.unfinished)}] but jobs say [${describe(byGroup)}]`);
}

/** Finished jobs have left the decision state, and their counts add up. */
function checkFinished(state: State, fail: (m: string) => void): void {
  for (const job of state.jobs.values()) {
    if (isFinished(job.status)) fail(`job ${job.id} is ${job.status} but still in the decision state`);
    if (state.finished.has(job.id)) fail(`job ${job.id} is both unfinished and finished`);
  }
  const counts = { Complete: 0, Error: 0, Stopped: 0 };
  for (const status of state.finished.values()) counts[status]++;
  for (const [status, n] of Object.entries(counts)) {
    const kept = state.finishedCounts[status as keyof typeof counts];
    if (kept !== n) fail(`finished counts say ${kept} ${status} jobs but ${n} ended so`);
  }
}

function checkJob(state: State, job: JobState, fail: (m: string) => void): void {
  if (holdsDevices(job.status)) {
    const a = job.allocation;
    if (!a) {
      fail(`job ${job.id} is ${job.status} without an allocation`);
      return;
    }
    if (a.devices.length !== job.gpus) fail(`job ${job.id} holds ${a.devices.length} devices, wants ${job.gpus}`);
    if (new Set(a.devices).size !== a.devices.length) fail(`job ${job.id} lists a device twice`);
    const types = new Set<string>();
    for (const id of a.devices) {
      const d = state.devices.get(id);
      if (!d) {
        fail(`job ${job.id} holds ${id}, which no longer exists: its job should have failed`);
        continue;
      }
      types.add(d.gpuType);
      if (!d.holders.includes(job.id)) fail(`job ${job.id} lists ${id}, which does not list it as holder`);
    }
    if (types.size > 1) fail(`job ${job.id} spans GPU types ${[...types].join(', ')}`);
    if (job.gpuType !== null && types.size === 1 && !types.has(job.gpuType))
      fail(`job ${job.id} wants ${job.gpuType}, got ${[...types][0]}`);
    // A busy device may move to another pool and keep serving its job, so the one-pool rule is
    // checked where it holds: at allocation (see allocationsInOnePool).
    // The gang rule (one node per worker) is the placement mode's at allocation, and a pool's
    // mode may change while its jobs run (a job placed by `count` across two nodes stays valid
    // after the pool turns to `node`), so it too is checked at allocation (the property tests do).
    // What holds at any time, in every mode: the allocation names exactly its devices' nodes.
    const nodes = new Set(a.devices.map((id) => id.slice(0, id.lastIndexOf('/'))));
    if (nodes.size !== new Set(a.nodes).size || a.nodes.some((n) => !nodes.has(n))) {
      fail(`job ${job.id} lists nodes ${a.nodes.join(', ')} but holds devices on ${[...nodes].join(', ')}`);
    }
    for (const id of a.shared) if (!a.devices.includes(id)) fail(`job ${job.id} shares ${id} it does not hold`);
    if (a.shared.length > 0 && !job.immediate) fail(`job ${job.id} shares devices but is not immediate`);
  } else if (isPending(job.status)) {
    const q = state.queues.get(job.group);
    if (!q) fail(`pending job ${job.id} belongs to missing group ${job.group}`);
  } else if (isFinished(job.status)) {
    for (const id of job.allocation?.devices ?? []) {
      if (state.devices.get(id)?.holders.includes(job.id)) fail(`finished job ${job.id} still holds ${id}`);
    }
  }
}

function checkQueues(state: State, fail: (m: string) => void): void {
  const expected = new Map<string, string[]>();
  for (const job of state.jobs.values()) {
    if (!isPending(job.status)) continue;
    const list = expected.get(job.group) ?? [];
    list.push(job.id);
    expected.set(job.group, list);
  }
  for (const [group, q] of state.queues) {
    const ids = [...q.immediate, ...q.entries.map((e) => e.id)].sort();
    const want = (expected.get(group) ?? []).sort();
    if (ids.join('|') !== want.join('|')) fail(`queue of group ${group} holds [${ids}] but pending jobs are [${want}]`);
    for (let i = 1; i < q.entries.length; i++) {
      const a = q.entries[i - 1];
      const b = q.entries[i];
      if (
        a &&
        b &&
        (a.priority < b.priority || (a.priority === b.priority && (a.key > b.key || (a.key === b.key && a.seq > b.seq))))
      ) {
        fail(`queue of group ${group} is out of order at ${i}`);
      }
    }
  }
}

function checkCapacity(state: State, fail: (m: string) => void): void {
  const fresh = { ...state, capacity: emptyCapacity() };
  for (const node of state.nodes.keys()) refreshNode(fresh, node);
  const describe = (s: State) =>
    [...s.capacity.byKey.entries()]
      .map(
        ([k, c]) =>
          `${k}:${c.total}/${c.free}/${[...c.nodes.entries()]
            .map(([n, f]) => `${n}=${f.join(',')}`)
            .sort()
            .join(';')}/${c.buckets
            .map((b) => b.items.join(','))
            .join('|')
            .replace(/\|+$/, '')}/${Array.from(c.sizeCounts, (x) => x ?? 0)
            .join(',')
            .replace(/(,0)+$/, '')}`,
      )
      .sort()
      .join('\n');
  if (describe(fresh) !== describe(state)) fail('the capacity index differs from the devices it derives from');
  // Backfill's kept release times: each node's list as its devices and their holders say now.
  for (const cap of state.capacity.byKey.values()) {
    for (const [node, kept] of cap.releases) {
      const now = nodeReleases(state, cap, node);
      if (kept.join(',') !== now.join(',')) {
        fail(`node ${node}'s kept release times in ${cap.pool}/${cap.gpuType} are ${kept.join(',')}, not ${now.join(',')}`);
      }
    }
  }
}

/**
 * The rule that a job's devices all lie in one pool, checked as the allocation is made: every
 * device of a JobAllocated event is in the event's pool in the state just before it is folded.
 */
export function allocationsInOnePool(state: State, allocation: { poolId: string; devices: readonly string[] }): string[] {
  const out: string[] = [];
  for (const id of allocation.devices) {
    const pool = state.devices.get(id)?.pool;
    if (pool !== allocation.poolId) out.push(`device ${id} is in pool ${pool ?? 'none'}, not ${allocation.poolId}`);
  }
  return out;
}
