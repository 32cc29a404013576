/**
 * Events: the past-tense facts of the cluster stream. Each carries a schema version `v`, the time
 * `at` (seconds) of the batch that produced it and, when a command produced it, that command's
 * `commandId`. io-ts codecs decode every event read back from a store; the types come from them.
 */

import {
  type Decoded,
  decoderOf,
  eventCodecMaker,
  formatIssues,
  Int,
  Json,
  Name,
  NonNegInt,
  NonNegNumber,
  oneOf,
  PosInt,
  PosNumber,
  record,
} from '../codec.js';
import * as t from '../vendor/io-ts.js';
import { Ide, JobKind, Placement, Policy, Role } from './commands.js';
import { AFFINITY_OPERATORS } from './node-affinity.js';

export const EVENT_SCHEMA_VERSION = 1;

const ev = eventCodecMaker(EVENT_SCHEMA_VERSION);

const WaitCode = oneOf('WaitCode', [
  'no-pool',
  'never-fits',
  'pool-too-small',
  'not-enough-free-gpus',
  'fragmentation',
  'blocked-behind-head',
  'reserved-for-starving-job',
] as const);

export const WaitReasonCodec = record(
  'WaitReason',
  {
    code: WaitCode,
    message: t.string,
    needs: record('Needs', { gpus: NonNegInt, workers: PosInt, gpusPerWorker: NonNegInt, gpuType: t.union([Name, t.null]) }, {}),
    freeGpus: NonNegInt,
    largestFreeBlockPerNode: NonNegInt,
    jobsAhead: NonNegInt,
    pool: t.union([Name, t.null]),
  },
  {},
);

const settings = {
  policy: Policy,
  placement: Placement,
  maxWaitSeconds: t.union([PosNumber, t.null]),
};

export const eventCodecs = {
  Installed: ev('Installed', { userId: Name, name: Name }),
  NodeRegistered: ev('NodeRegistered', {
    nodeId: Name,
    name: Name,
    labels: t.record(t.string, t.string),
    devices: t.array(record('DeviceSpec', { index: NonNegInt, gpuType: Name }, {})),
  }),
  DevicesLost: ev('DevicesLost', { nodeId: Name, devices: t.array(Name) }),
  NodeCordoned: ev('NodeCordoned', { nodeId: Name }),
  NodeUncordoned: ev('NodeUncordoned', { nodeId: Name }),
  NodeLost: ev('NodeLost', { nodeId: Name }),
  PoolCreated: ev('PoolCreated', { poolId: Name, name: Name, gpuType: Name, ...settings }),
  PoolConfigured: ev('PoolConfigured', { poolId: Name, ...settings }),
  DevicesMoved: ev('DevicesMoved', {
    toPoolId: Name,
    devices: t.array(record('DeviceMove', { id: Name, from: Name }, {})),
  }),
  PoolDeleted: ev('PoolDeleted', { poolId: Name }),
  GroupCreated: ev('GroupCreated', { groupId: Name, name: Name }),
  GroupConfigured: ev('GroupConfigured', {
    groupId: Name,
    maxUnfinishedJobs: t.union([PosInt, t.null]),
    maxUnfinishedJobsPerUser: t.union([PosInt, t.null]),
  }),
  PoolAssigned: ev('PoolAssigned', { groupId: Name, poolId: t.union([Name, t.null]) }),
  GroupDeleted: ev('GroupDeleted', { groupId: Name, usersMoved: t.array(Name) }),
  UserOnboarded: ev('UserOnboarded', { userId: Name, name: Name, role: Role, groupId: Name }),
  UserMoved: ev('UserMoved', { userId: Name, groupId: Name }),
  UserRemoved: ev('UserRemoved', { userId: Name }),
  JobSubmitted: ev(
    'JobSubmitted',
    {
      jobId: Name,
      kind: JobKind,
      owner: Name,
      group: Name,
      gpus: NonNegInt,
      gpuType: t.union([Name, t.null]),
      workers: PosInt,
      priority: Int,
      tags: t.array(t.string),
      expectedDuration: t.union([NonNegNumber, t.null]),
      immediate: t.boolean,
      spec: Json,
      clonedFrom: t.union([Name, t.null]),
    },
    {
      /** Visible to the owner's group (absent: private to its owner). Added after version 1's first release, hence optional. */
      shared: t.boolean,
      /** Labels a node must carry to run its workers (absent: any node of the pool). */
      nodeSelector: t.record(t.string, t.string),
      /** Label requirements a node must satisfy besides (absent: none). */
      nodeAffinity: t.array(
        record(
          'NodeSelectorTerm',
          {
            matchExpressions: t.array(
              record(
                'NodeRequirement',
                { key: t.string, operator: oneOf('AffinityOperator', AFFINITY_OPERATORS), values: t.array(t.string) },
                {},
              ),
            ),
          },
          {},
        ),
      ),
      /** The asset versions it runs on (absent: none). */
      inputs: record(
        'JobInputs',
        {},
        {
          workspace: record('PinnedRef', { assetId: Name, version: PosInt }, {}),
          datasets: t.array(record('PinnedDataset', { assetId: Name, version: PosInt, mountPath: Name }, {})),
          model: record('PinnedRef', { assetId: Name, version: PosInt }, {}),
          hyperparametersFile: t.string,
        },
      ),
      /** The asset its product becomes a version of (absent: none). */
      output: record('JobOutput', {}, { model: Name, dataset: Name }),
      /** A notebook's IDE (absent: jupyter, for a notebook). */
      ide: Ide,
    },
  ),
  JobWaiting: ev('JobWaiting', { jobId: Name, reason: WaitReasonCodec }),
  JobAllocated: ev('JobAllocated', {
    jobId: Name,
    poolId: Name,
    devices: t.array(Name),
    shared: t.array(Name),
    nodes: t.array(Name),
  }),
  JobStarted: ev('JobStarted', { jobId: Name }, { endpoint: t.string }),
  JobCompleted: ev('JobCompleted', { jobId: Name }),
  JobFailed: ev('JobFailed', { jobId: Name, reason: Name, message: t.string }),
  JobStopRequested: ev('JobStopRequested', { jobId: Name }),
  JobStopped: ev('JobStopped', { jobId: Name }),
  /** A command with a commandId that changed nothing (a no-op): recorded so that its id is remembered. */
  CommandAccepted: ev('CommandAccepted', {}),
};

/** The events that tell a runtime what to do with a job: launch it, follow it, stop it, forget it. */
export const RUNTIME_EVENTS: ReadonlySet<string> = new Set([
  'JobAllocated',
  'JobStarted',
  'JobStopRequested',
  'JobCompleted',
  'JobFailed',
  'JobStopped',
]);

export type EventCodecs = typeof eventCodecs;
export type EventType = keyof EventCodecs;
export type EventOf<K extends EventType> = t.TypeOf<EventCodecs[K]>;
export type Event = { [K in EventType]: EventOf<K> }[EventType];
export const EVENT_TYPES = Object.keys(eventCodecs) as EventType[];

/** What `decide` produces: an event before the batch stamps its version, time and command id. */
type Unstamped<E> = E extends unknown ? Omit<E, 'v' | 'at' | 'commandId' | 'fingerprint'> : never;
export type EventBody = Unstamped<Event>;

export type EventDecodeResult = Decoded<Event>;

/** Decode an event read back from a store (JSON), naming the field path of any failure. */
export function decodeEvent(u: unknown): EventDecodeResult {
  const type = typeof u === 'object' && u !== null ? (u as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !Object.hasOwn(eventCodecs, type)) {
    const issues = [
      { path: 'event.type', expected: `one of ${EVENT_TYPES.join(', ')}`, actual: JSON.stringify(type) ?? 'nothing' },
    ];
    return { ok: false, issues, message: formatIssues(issues) };
  }
  return (decoders.get(type) as (u: unknown, root: string) => Decoded<Event>)(u, type);
}

/** One decoder per event type, made once: decodeEvent runs for every event a replay reads. */
const decoders = new Map(
  Object.entries(eventCodecs).map(([type, codec]) => [type, decoderOf(codec as t.Decoder<unknown, Event>)]),
);
