/**
 * Which groups a folded event gives the scheduler something to do for: a new pending job, or
 * capacity that may have grown in the group's pool. Evaluated right after the event is folded in.
 */
import type { Event } from '../events.js';
import type { State } from '../model.js';

export function groupsTouchedBy(state: State, event: Event, out: Set<string>): void {
  switch (event.type) {
    case 'JobSubmitted':
      out.add(event.group);
      return;
    case 'JobCompleted':
    case 'JobFailed':
    case 'JobStopped': {
      const job = state.jobs.get(event.jobId);
      if (!job) return;
      out.add(job.group); // a pending job left the queue: the head may have changed
      for (const id of job.allocation?.devices ?? []) addPoolGroup(state, state.devices.get(id)?.pool, out);
      return;
    }
    case 'DevicesMoved':
      addPoolGroup(state, event.toPoolId, out);
      return;
    case 'NodeRegistered':
    case 'NodeUncordoned':
      for (const id of state.nodes.get(event.nodeId)?.devices ?? []) addPoolGroup(state, state.devices.get(id)?.pool, out);
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

function addPoolGroup(state: State, poolId: string | undefined, out: Set<string>): void {
  if (poolId === undefined) return;
  const group = state.pools.get(poolId)?.group;
  if (group) out.add(group);
}
