/**
 * A small given/when/then DSL for the core's example tests.
 *
 *   const c = cluster()                      // installed: operator 'admin' in the Default Group
 *     .nodes(['n1', 'n2'], 4, 'A100')        // two nodes of 4 A100s, onboarded into the Default Pool
 *     .pool('p', 'A100', { take: 8 })        // pool 'p' of A100s, 8 GPUs allocated into it
 *     .team('g', 'p', 'u');                  // group 'g' served by 'p', data scientist 'u' in it
 *   const r = c.when(submit('j1', 4));       // one batch: decide, fold, schedule once
 *   expect(r.bodies).toEqual([...]);         // the events, without v/at/commandId
 *
 * Every batch (given or when) runs through `runBatch` at the cluster's current time (`at(t)`),
 * and after it the cluster checks, throwing on any failure:
 *   - `checkInvariants(state)` is empty;
 *   - every event the batch appended decodes with `decodeEvent` to itself (after a JSON trip);
 *   - replaying the whole log into a fresh state gives the same state as the live fold, and every
 *     JobAllocated takes devices of its own pool at the moment it is folded.
 * `given` also throws when one of its commands is rejected: setup must not fail silently.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Rejection } from '../../rejection.js';
import { type BatchResult, type CommandOutcome, runBatch } from '../batch.js';
import type { Command, CommandOf } from '../commands.js';
import { decodeEvent, type Event, type EventBody } from '../events.js';
import { evolve, initialState, takeRetired } from '../evolve.js';
import { allocationsInOnePool, checkInvariants } from '../invariants.js';
import { findJob, withCloneSource } from '../job-archive.js';
import { MemoryJobArchive } from '../memory-archive.js';
import type { JobState, JobStatus, State } from '../model.js';

// ---------------------------------------------------------------------------------------------
// Command builders

type Opt<K extends Command['type']> = Partial<Omit<CommandOf<K>, 'type'>>;

export const install = (userId = 'admin', name = 'Admin'): Command => ({ type: 'Install', userId, name });

/** A node with `count` devices of one type (indices 0..count-1), or with explicit device specs. */
export function registerNode(
  nodeId: string,
  devices: number | { index: number; gpuType: string }[],
  gpuType = 'A100',
  opts: Opt<'RegisterNode'> = {},
): Command {
  const specs = typeof devices === 'number' ? Array.from({ length: devices }, (_, index) => ({ index, gpuType })) : devices;
  return { type: 'RegisterNode', nodeId, devices: specs, ...opts };
}
export const cordon = (nodeId: string): Command => ({ type: 'CordonNode', nodeId });
export const uncordon = (nodeId: string): Command => ({ type: 'UncordonNode', nodeId });
export const loseNode = (nodeId: string): Command => ({ type: 'LoseNode', nodeId });

export const createPool = (poolId: string, gpuType: string, opts: Opt<'CreatePool'> = {}): Command => ({
  type: 'CreatePool',
  poolId,
  name: poolId,
  gpuType,
  ...opts,
});
export const configurePool = (poolId: string, opts: Opt<'ConfigurePool'>): Command => ({
  type: 'ConfigurePool',
  poolId,
  ...opts,
});
/** AllocateGPUs by count (a number) or by device ids (an array). */
export const allocate = (poolId: string, what: number | string[]): Command =>
  typeof what === 'number' ? { type: 'AllocateGPUs', poolId, count: what } : { type: 'AllocateGPUs', poolId, devices: what };
export const moveDevices = (toPoolId: string, devices: string[], fromPoolId?: string): Command =>
  fromPoolId === undefined
    ? { type: 'MovePoolDevices', toPoolId, devices }
    : { type: 'MovePoolDevices', toPoolId, devices, fromPoolId };
export const deletePool = (poolId: string): Command => ({ type: 'DeletePool', poolId });

export const createGroup = (groupId: string, name = groupId): Command => ({ type: 'CreateGroup', groupId, name });
export const assignPool = (groupId: string, poolId: string | null): Command => ({ type: 'AssignPool', groupId, poolId });
export const deleteGroup = (groupId: string): Command => ({ type: 'DeleteGroup', groupId });

export const onboard = (userId: string, opts: Opt<'OnboardUser'> = {}): Command => ({
  type: 'OnboardUser',
  userId,
  name: userId,
  role: 'data-scientist',
  ...opts,
});
/** Two nodes of 4 A100s, all 8 GPUs in pool 'p' (fifo, node placement) serving group 'g' with user 'u'. */
export const teamSetup = (): Command[] => [
  install(),
  registerNode('n1', 4),
  registerNode('n2', 4),
  createPool('p', 'A100'),
  allocate('p', 8),
  createGroup('g'),
  assignPool('g', 'p'),
  onboard('u', { groupId: 'g' }),
];
export const moveUser = (userId: string, groupId: string): Command => ({ type: 'MoveUser', userId, groupId });
export const removeUser = (userId: string, opts: Opt<'RemoveUser'> = {}): Command => ({ type: 'RemoveUser', userId, ...opts });

/** A job of `gpus` GPUs; by default a training job owned by 'u'. */
export const submit = (jobId: string, gpus: number, opts: Opt<'SubmitJob'> = {}): Command => ({
  type: 'SubmitJob',
  jobId,
  kind: 'training',
  owner: 'u',
  gpus,
  ...opts,
});
export const stop = (jobId: string): Command => ({ type: 'StopJob', jobId });
export const started = (jobId: string): Command => ({ type: 'ReportJobStarted', jobId });
export const completed = (jobId: string): Command => ({ type: 'ReportJobCompleted', jobId });
export const failed = (jobId: string, reason: string, message?: string): Command =>
  message === undefined ? { type: 'ReportJobFailed', jobId, reason } : { type: 'ReportJobFailed', jobId, reason, message };
export const release = (jobId: string): Command => ({ type: 'ReleaseJob', jobId });
export const clone = (jobId: string, sourceJobId: string, owner?: string): Command =>
  owner === undefined ? { type: 'CloneJob', jobId, sourceJobId } : { type: 'CloneJob', jobId, sourceJobId, owner };

/** The same command with a commandId (idempotency). */
export const withId = (commandId: string, command: Command): Command => ({ ...command, commandId });

/** Device ids `<node>/<i>` for the given indices. */
export const devs = (nodeId: string, ...indices: number[]): string[] => indices.map((i) => `${nodeId}/${i}`);

// ---------------------------------------------------------------------------------------------
// Outcomes

/** An event without its envelope (v, at, commandId, fingerprint): what decide and the scheduler chose. */
export function body(e: Event): EventBody {
  const { v: _v, at: _at, commandId: _c, fingerprint: _f, ...rest } = e as Event & { commandId?: string };
  return rest as EventBody;
}

export interface Outcome {
  /** Every event the batch appended, stamped, in order (commands' first, then the scheduler's). */
  readonly events: Event[];
  /** The same events without their envelope. */
  readonly bodies: EventBody[];
  /** The event types, in order. */
  readonly types: string[];
  readonly outcomes: CommandOutcome[];
  /** The first rejection of the batch, if any. */
  readonly rejection: Rejection | undefined;
}

function outcomeOf(r: BatchResult): Outcome {
  const rejected = r.outcomes.find((o) => !o.ok);
  return {
    events: r.events,
    bodies: r.events.map(body),
    types: r.events.map((e) => e.type),
    outcomes: r.outcomes,
    rejection: rejected && !rejected.ok ? rejected.rejection : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// The cluster under test

export class Cluster {
  readonly state: State = initialState();
  /** Finished jobs, as the engine keeps them (the read model). */
  readonly archive = new MemoryJobArchive();
  /** Every event appended so far. */
  readonly log: Event[] = [];
  private time = 0;

  /** Later batches run at time `t` (seconds). */
  at(t: number): this {
    this.time = t;
    return this;
  }

  /** Run the commands as one batch; any rejection fails the test setup. */
  given(...commands: Command[]): this {
    const r = this.batch(commands);
    r.outcomes.forEach((o, i) => {
      if (!o.ok) throw new Error(`given: ${commands[i]?.type} was rejected: ${o.rejection.code}: ${o.rejection.message}`);
    });
    return this;
  }

  /** Run the commands as one batch and return what happened (rejections included). */
  when(...commands: Command[]): Outcome {
    return outcomeOf(this.batch(commands));
  }

  // -- shorthands for common setups, each one batch --------------------------------------------

  /** Register nodes with `count` devices of `gpuType` each. */
  nodes(ids: string | string[], count: number, gpuType = 'A100'): this {
    return this.given(...(typeof ids === 'string' ? [ids] : ids).map((id) => registerNode(id, count, gpuType)));
  }

  /** Create a pool and allocate `take` GPUs into it (a count, or device ids). */
  pool(poolId: string, gpuType: string, opts: Opt<'CreatePool'> & { take?: number | string[] } = {}): this {
    const { take, ...settings } = opts;
    return this.given(createPool(poolId, gpuType, settings), ...(take === undefined ? [] : [allocate(poolId, take)]));
  }

  /** Create a group served by `poolId` (none when null) with data scientists `users`. */
  team(groupId: string, poolId: string | null, ...users: string[]): this {
    return this.given(
      createGroup(groupId),
      ...(poolId === null ? [] : [assignPool(groupId, poolId)]),
      ...users.map((u) => onboard(u, { groupId })),
    );
  }

  // -- reading ---------------------------------------------------------------------------------

  /** A job, unfinished or finished. */
  job(id: string): JobState {
    const job = findJob(this.state, this.archive, id);
    if (!job) throw new Error(`no job '${id}'`);
    return job;
  }
  status(id: string): JobStatus {
    return this.job(id).status;
  }
  /** The devices a job was allocated. */
  devicesOf(id: string): readonly string[] {
    return this.job(id).allocation?.devices ?? [];
  }
  /** The ids of a pool's devices, sorted. */
  poolDevices(poolId: string): string[] {
    return [...this.state.devices.values()]
      .filter((d) => d.pool === poolId)
      .map((d) => d.id)
      .sort();
  }
  holders(deviceId: string): string[] {
    return [...(this.state.devices.get(deviceId)?.holders ?? [])];
  }

  private batch(commands: Command[]): BatchResult {
    const r = runBatch(
      this.state,
      commands.map((c) => withCloneSource(this.state, this.archive, c)),
      this.time,
    );
    this.archive.put(takeRetired(this.state), this.state.revision);
    this.log.push(...r.events);
    verify(this.state, this.log, r.events);
    return r;
  }
}

/** A fresh, uninstalled cluster after running `commands` as one batch. */
export function given(...commands: Command[]): Cluster {
  return new Cluster().given(...commands);
}

/** An installed cluster: operator 'admin' in the Default Group. */
export function cluster(): Cluster {
  return new Cluster().given(install());
}

// ---------------------------------------------------------------------------------------------
// Checks run after every batch

function verify(state: State, log: readonly Event[], appended: readonly Event[]): void {
  const violations = checkInvariants(state);
  if (violations.length > 0) throw new Error(`invariants violated:\n  ${violations.join('\n  ')}`);

  for (const e of appended) {
    const json = JSON.parse(JSON.stringify(e));
    const d = decodeEvent(json);
    if (!d.ok) throw new Error(`event ${e.type} does not decode: ${d.message}`);
    if (!isDeepStrictEqual(d.value, json))
      throw new Error(`event ${e.type} does not decode to itself: ${JSON.stringify(d.value)}`);
  }

  const fresh = initialState();
  for (const e of log) {
    if (e.type === 'JobAllocated') {
      const wrong = allocationsInOnePool(fresh, e);
      if (wrong.length > 0) throw new Error(`JobAllocated ${e.jobId} outside its pool: ${wrong.join('; ')}`);
    }
    evolve(fresh, JSON.parse(JSON.stringify(e)));
  }
  const live = comparable(state);
  const replayed = comparable(fresh);
  if (!isDeepStrictEqual(live, replayed)) {
    throw new Error(
      `replaying the log gives another state:\nlive:     ${JSON.stringify(live)}\nreplayed: ${JSON.stringify(replayed)}`,
    );
  }
}

/** The state without its capacity index (checkInvariants compares that one from first principles). */
function comparable(s: State): unknown {
  const q = [...s.queues].map(([g, queue]) => [g, queue.policy, queue.immediate, queue.entries, [...queue.fresh]]);
  return {
    revision: s.revision,
    now: s.now,
    installed: s.installed,
    nodes: [...s.nodes],
    devices: [...s.devices],
    pools: [...s.pools],
    groups: [...s.groups],
    users: [...s.users],
    jobs: [...s.jobs],
    queues: q,
    commands: [...s.commands],
    unfinished: [...s.unfinished].map(([g, set]) => [g, [...set]]),
    unfinishedByOwner: [...s.unfinishedByOwner].map(([o, set]) => [o, [...set]]),
  };
}
