/**
 * Which groups a folded event gives the scheduler something to do for: a new pending job, or
 * capacity that changed in the group's pool. Evaluated right after the event is folded in.
 *
 * Time is the one other trigger, and it is not an event's: a batch also runs the pass of every
 * group whose next maximum-wait deadline fell in (the time of the last event, the batch's time]
 * (`groupsDueAt`, scheduler/timers.ts). A `Tick` decides no events, so that is all it touches,
 * and a Tick before `nextWakeup(state)` touches nothing.
 */
import { poolsReleasedBy } from '../capacity.js';
import type { Event } from '../events.js';
import type { State } from '../model.js';

/**
 * The groups a batch touched, each once, in the order first touched. A batch touches a handful at
 * most, so they are a list searched in place: a Set per batch, or one Set emptied after each batch
 * (its clear() makes a new table), cost a simulation a few percent.
 */
export class TouchedGroups {
  readonly list: string[] = [];
  add(group: string): void {
    if (!this.list.includes(group)) this.list.push(group);
  }
  has(group: string): boolean {
    return this.list.includes(group);
  }
  get size(): number {
    return this.list.length;
  }
  clear(): void {
    // pop, not `length = 0`: setting an array's length is a call into the runtime.
    while (this.list.length > 0) this.list.pop();
  }
}

/** Where a trigger puts the groups it touches (a batch's TouchedGroups, or any set of ids). */
export interface GroupSink {
  add(group: string): unknown;
  has(group: string): boolean;
}

export function groupsTouchedBy(state: State, event: Event, out: GroupSink): void {
  switch (event.type) {
    case 'JobSubmitted':
      out.add(event.group);
      return;
    case 'JobCompleted':
    case 'JobFailed':
    case 'JobStopped': {
      // The job has just left the decision state: it is the last one retired.
      const job = state.retired[state.retired.length - 1];
      if (job?.id !== event.jobId) return;
      out.add(job.group); // a pending job left the queue: the head may have changed
      // The pools its devices went back to, as they are now (a busy device may have moved): its
      // release, just folded in, noted them. A pending job had none to give back.
      const pools = poolsReleasedBy(state, job.id);
      for (let i = 0; i < pools.length; i++) addPoolGroup(state, pools[i], out);
      return;
    }
    // Capacity that shrinks can unblock a queue too: a job that can no longer start at all (its
    // nodes cordoned, lost or moved away) stops holding later jobs back (scheduler/pass.ts). So
    // the pools devices leave are touched as well as those they join (property test "no stuck
    // queue": a busy device moved out of a backfill pool left its idle pool idle).
    case 'DevicesMoved':
      addPoolGroup(state, event.toPoolId, out);
      for (const m of event.devices) addPoolGroup(state, m.from, out);
      return;
    case 'NodeRegistered':
    case 'NodeUncordoned':
    case 'NodeCordoned':
      for (const id of state.nodes.get(event.nodeId)?.devices ?? []) addPoolGroup(state, state.devices.get(id)?.pool, out);
      return;
    case 'NodeLost':
    case 'DevicesLost':
      // The lost devices are gone from the state, and with them which pools they were in: every
      // group with a pool is looked at again (losses are rare).
      for (const g of state.groups.values()) if (g.pool !== null) out.add(g.id);
      return;
    case 'PoolAssigned':
      out.add(event.groupId);
      return;
    case 'PoolConfigured':
      addPoolGroup(state, event.poolId, out);
      return;
    default:
      return;
  }
}

function addPoolGroup(state: State, poolId: string | undefined, out: GroupSink): void {
  if (poolId === undefined) return;
  const group = state.pools.get(poolId)?.group;
  if (group) out.add(group);
}
