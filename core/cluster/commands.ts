/**
 * Commands: what operators, users and the runtime ask of the cluster. One io-ts codec per command
 * (decoded at the edges); the TypeScript types are derived from the codecs, so there is one source.
 * Every command may carry `commandId` (idempotency) and `at` (seconds; the engine stamps it from
 * its Clock when absent).
 */

import type { Decoded } from '../codec.js';
import {
  decodeWith,
  formatIssues,
  Id,
  Int,
  Json,
  NonNegInt,
  NonNegNumber,
  oneOf,
  PosInt,
  PosNumber,
  RefinedType,
  RelativePath,
  record,
} from '../codec.js';
import * as t from '../vendor/io-ts.js';
import { IDES, JOB_KINDS, PLACEMENTS, POLICIES, ROLES } from './model.js';
import { NodeAffinityCodec } from './node-affinity.js';
import { NodeSelectorCodec } from './node-selector.js';

const envelope = { commandId: Id, at: NonNegNumber };
const cmd = <T extends string, R extends t.Props, O extends t.Props>(type: T, required: R, optional: O) =>
  record(type, { type: t.literal(type), ...required }, { ...envelope, ...optional });

export const Policy = oneOf('Policy', POLICIES);
export const Placement = oneOf('Placement', PLACEMENTS);
export const Role = oneOf('Role', ROLES);
export const JobKind = oneOf('JobKind', JOB_KINDS);

export const Ide = oneOf('Ide', IDES);

/** Where a running notebook or inference is reached: a URL the runtime reports. */
const Endpoint = new RefinedType<string>(
  'Endpoint',
  (u): u is string => typeof u === 'string' && /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(u) && u.length <= 2048,
  'a URL of at most 2048 characters',
  { type: 'string', format: 'uri', maxLength: 2048 },
);

export const DeviceSpec = record('DeviceSpec', { index: NonNegInt, gpuType: Id }, {});

/**
 * A job's inputs, pinned to versions of assets (core/assets): a workspace, datasets each at a
 * mount path, a model to start from. The edge resolves what a user names (a version, or the
 * latest) against the assets as the job's owner sees them (core/assets/inputs.ts) before it
 * submits; the cluster keeps them with the job, so a clone or a rerun uses the very same versions.
 */
const PinnedRef = record('PinnedRef', { assetId: Id, version: PosInt }, {});
export const JobInputs = record(
  'JobInputs',
  {},
  {
    workspace: PinnedRef,
    datasets: t.array(record('PinnedDataset', { assetId: Id, version: PosInt, mountPath: Id }, {})),
    model: PinnedRef,
    /** The job's hyperparameters file, a path inside the workspace at its pinned version. */
    hyperparametersFile: RelativePath,
  },
);
export type JobInputs = t.TypeOf<typeof JobInputs>;

/**
 * Where a job's product goes: the model a training job records a version of when it completes,
 * the dataset a preprocessing job does (assets of the job's group, checked at the edge).
 */
export const JobOutput = record('JobOutput', {}, { model: Id, dataset: Id });
export type JobOutput = t.TypeOf<typeof JobOutput>;

/**
 * What a clone copies from its source job: its request, and the GPU type it ran on. A finished
 * job's record is no longer in the decision state (it is in the job archive), so the engine puts
 * the source's request into the CloneJob command before deciding; a source still unfinished is
 * read from the state, whatever the command carries.
 */
export const CloneSource = record(
  'CloneSource',
  {
    kind: JobKind,
    owner: Id,
    gpus: NonNegInt,
    gpuType: t.union([Id, t.null]),
    workers: PosInt,
    priority: Int,
    tags: t.array(t.string),
    expectedDuration: t.union([NonNegNumber, t.null]),
    immediate: t.boolean,
    spec: Json,
    shared: t.boolean,
    ranOnGpuType: t.union([Id, t.null]),
  },
  {
    inputs: JobInputs,
    output: JobOutput,
    ide: Ide,
    nodeSelector: t.union([NodeSelectorCodec, t.null]),
    nodeAffinity: t.union([NodeAffinityCodec, t.null]),
  },
);
export type CloneSource = t.TypeOf<typeof CloneSource>;

export const commandCodecs = {
  Install: cmd('Install', { userId: Id, name: Id }, {}),
  RegisterNode: cmd(
    'RegisterNode',
    { nodeId: Id, devices: t.array(DeviceSpec) },
    { name: Id, labels: t.record(t.string, t.string) },
  ),
  CordonNode: cmd('CordonNode', { nodeId: Id }, {}),
  UncordonNode: cmd('UncordonNode', { nodeId: Id }, {}),
  LoseNode: cmd('LoseNode', { nodeId: Id }, {}),
  CreatePool: cmd(
    'CreatePool',
    { poolId: Id, name: Id, gpuType: Id },
    { policy: Policy, placement: Placement, maxWaitSeconds: t.union([PosNumber, t.null]) },
  ),
  ConfigurePool: cmd(
    'ConfigurePool',
    { poolId: Id },
    { policy: Policy, placement: Placement, maxWaitSeconds: t.union([PosNumber, t.null]) },
  ),
  AllocateGPUs: cmd('AllocateGPUs', { poolId: Id }, { count: PosInt, devices: t.array(Id) }),
  MovePoolDevices: cmd('MovePoolDevices', { toPoolId: Id, devices: t.array(Id) }, { fromPoolId: Id }),
  DeletePool: cmd('DeletePool', { poolId: Id }, {}),
  CreateGroup: cmd('CreateGroup', { groupId: Id, name: Id }, {}),
  /** Limits on unfinished (pending or running) jobs: the group's, and each of its users'; null clears one. */
  ConfigureGroup: cmd(
    'ConfigureGroup',
    { groupId: Id },
    { maxUnfinishedJobs: t.union([PosInt, t.null]), maxUnfinishedJobsPerUser: t.union([PosInt, t.null]) },
  ),
  AssignPool: cmd('AssignPool', { groupId: Id, poolId: t.union([Id, t.null]) }, {}),
  DeleteGroup: cmd('DeleteGroup', { groupId: Id }, {}),
  OnboardUser: cmd('OnboardUser', { userId: Id, name: Id, role: Role }, { groupId: Id }),
  MoveUser: cmd('MoveUser', { userId: Id, groupId: Id }, {}),
  RemoveUser: cmd(
    'RemoveUser',
    { userId: Id },
    /** Stop the user's unfinished jobs in the same command (otherwise they make it refused). */
    { stopJobs: t.boolean },
  ),
  SubmitJob: cmd(
    'SubmitJob',
    { jobId: Id, kind: JobKind, owner: Id, gpus: NonNegInt },
    {
      gpuType: Id,
      /** Labels a node must carry to run its workers (node-selector.ts); absent or empty: any node of the pool. */
      nodeSelector: NodeSelectorCodec,
      /** Label requirements a node must satisfy besides, Kubernetes' node selector terms (node-affinity.ts); absent or empty: none. */
      nodeAffinity: NodeAffinityCodec,
      workers: PosInt,
      priority: Int,
      tags: t.array(t.string),
      expectedDuration: NonNegNumber,
      immediate: t.boolean,
      spec: Json,
      /** Let the owner's group see the job (default: only its owner and operators). */
      shared: t.boolean,
      /** The asset versions it runs on, pinned (JobInputs). */
      inputs: JobInputs,
      /** The asset its product becomes a version of (JobOutput). */
      output: JobOutput,
      /** A notebook's IDE (default jupyter); only notebooks name one. */
      ide: Ide,
    },
  ),
  StopJob: cmd('StopJob', { jobId: Id }, {}),
  CloneJob: cmd(
    'CloneJob',
    { jobId: Id, sourceJobId: Id },
    /**
     * The rerun may change its shape, type, node selector or node affinity; each defaults to the
     * source's (gpuType: else the type it ran on; an empty nodeSelector or nodeAffinity: none).
     */
    {
      owner: Id,
      gpuType: Id,
      gpus: NonNegInt,
      workers: PosInt,
      nodeSelector: NodeSelectorCodec,
      nodeAffinity: NodeAffinityCodec,
      source: CloneSource,
    },
  ),
  /** The runtime started the job; a notebook's or an inference's `endpoint` is where it is reached. */
  ReportJobStarted: cmd('ReportJobStarted', { jobId: Id }, { endpoint: Endpoint }),
  ReportJobCompleted: cmd('ReportJobCompleted', { jobId: Id }, {}),
  ReportJobFailed: cmd('ReportJobFailed', { jobId: Id, reason: Id }, { message: t.string }),
  ReleaseJob: cmd('ReleaseJob', { jobId: Id }, {}),
  /**
   * Time has passed (its `at`): decided into no events; the batch runs the scheduling pass of the
   * groups whose maximum-wait deadline fell since the last event (scheduler/timers.ts). The host
   * sends it at `nextWakeup(state)`.
   */
  Tick: cmd('Tick', {}, {}),
};

export type CommandCodecs = typeof commandCodecs;
export type CommandType = keyof CommandCodecs;
export type CommandOf<K extends CommandType> = t.TypeOf<CommandCodecs[K]>;
export type Command = { [K in CommandType]: CommandOf<K> }[CommandType];
export const COMMAND_TYPES = Object.keys(commandCodecs) as CommandType[];

/** Largest tag field: tags joined by commas (core/tags.ts, the rule for jobs and assets). */
export { MAX_TAGS_LENGTH } from '../tags.js';

/** What decoding a command gives: the one decode result of the core (codec.ts). */
export type DecodeResult<A> = Decoded<A>;

/** Decode an untrusted command: dispatch on `type`, then decode with that command's codec. */
export function decodeCommand(u: unknown): DecodeResult<Command> {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) {
    const issues = [{ path: 'command', expected: 'an object', actual: JSON.stringify(u) ?? String(u) }];
    return { ok: false, issues, message: formatIssues(issues) };
  }
  const type = (u as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(commandCodecs, type)) {
    const issues = [
      { path: 'command.type', expected: `one of ${COMMAND_TYPES.join(', ')}`, actual: JSON.stringify(type) ?? 'nothing' },
    ];
    return { ok: false, issues, message: formatIssues(issues) };
  }
  return decodeWith(commandCodecs[type as CommandType] as t.Decoder<unknown, Command>, u, type);
}
