/**
 * The instant driver: replays a workload of GPU jobs through the real engine, one simulated
 * instant at a time. It holds no scheduling logic of its own: it only turns the workload into
 * commands and reads the engine's decisions back from the events.
 *
 * The semantics are those of the classic trace simulators (see
 * fixtures/tiresias-60/README.md):
 *   - time is a number of seconds; the instants are the submission times and the end times;
 *   - at each instant, first every job that ends then is reported complete, then every job
 *     submitted then is submitted (in workload order), all as ONE batch (`executeBatch`), so the
 *     scheduler runs exactly once per instant;
 *   - a job starts when the engine allocates it (JobAllocated) and ends at start + duration.
 *
 * Setup: one operator, nodes of `gpusPerNode` GPUs, one pool holding all of them under the given
 * policy and placement, one group bound to it and one user who owns every job.
 */

import { InMemoryEventStore } from '../adapters/memory/store.js';
import type { CommandOutcome } from '../core/batch.js';
import type { Command } from '../core/commands.js';
import type { Event } from '../core/events.js';
import type { PlacementMode, Policy } from '../core/model.js';
import type { EventStore } from '../core/ports.js';
import { createEngine, type Engine } from '../engine/engine.js';

/** One job of a workload: what a count-only trace carries, plus optional shape. */
export interface WorkloadJob {
  readonly id: string;
  readonly gpus: number;
  /** Submission time, seconds. */
  readonly submit: number;
  /** How long it runs once started, seconds. */
  readonly duration: number;
  readonly workers?: number;
  readonly priority?: number;
}

export interface ClusterSpec {
  readonly nodes: number;
  readonly gpusPerNode: number;
  readonly gpuType?: string;
  readonly policy: Policy;
  readonly placement: PlacementMode;
  /** Seconds after which a waiting job reserves capacity; default none. */
  readonly maxWaitSeconds?: number | null;
}

export interface DriverOptions {
  /** The store the engine writes to; default a fresh in-memory store. */
  readonly store?: EventStore;
  /**
   * Give each job its real duration as `expectedDuration` (what sjf and backfill order and plan
   * by, as the oracle simulators do). Default true; strict fifo ignores it.
   */
  readonly knownDurations?: boolean;
  /** Called after each instant's batch, e.g. to sample utilisation. */
  readonly onInstant?: (at: number, events: readonly Event[], engine: Engine) => void;
}

export interface JobOutcome {
  readonly id: string;
  readonly gpus: number;
  readonly submit: number;
  readonly duration: number;
  /** Null when it never started (rejected at submission, or still waiting at the end). */
  readonly start: number | null;
  readonly end: number | null;
  /** The rejection message when the engine refused the submission. */
  readonly rejected: string | null;
}

export interface DriverResult {
  readonly jobs: JobOutcome[];
  /** How many batches (instants) were executed after setup. */
  readonly instants: number;
  readonly engine: Engine;
}

export const SIM_USER = 'sim-user';
export const SIM_GROUP = 'sim-group';
export const SIM_POOL = 'sim-pool';

/** The commands that build the cluster: nodes `n000`, `n001`, ... and one pool with all GPUs. */
export function setupCommands(cluster: ClusterSpec): Command[] {
  const gpuType = cluster.gpuType ?? 'GPU';
  const width = String(Math.max(cluster.nodes - 1, 0)).length;
  const commands: Command[] = [{ type: 'Install', userId: 'sim-operator', name: 'Simulation operator' }];
  for (let n = 0; n < cluster.nodes; n++) {
    commands.push({
      type: 'RegisterNode',
      nodeId: `n${String(n).padStart(Math.max(width, 3), '0')}`,
      devices: Array.from({ length: cluster.gpusPerNode }, (_, index) => ({ index, gpuType })),
    });
  }
  commands.push(
    {
      type: 'CreatePool',
      poolId: SIM_POOL,
      name: SIM_POOL,
      gpuType,
      policy: cluster.policy,
      placement: cluster.placement,
      maxWaitSeconds: cluster.maxWaitSeconds ?? null,
    },
    { type: 'AllocateGPUs', poolId: SIM_POOL, count: cluster.nodes * cluster.gpusPerNode },
    { type: 'CreateGroup', groupId: SIM_GROUP, name: SIM_GROUP },
    { type: 'AssignPool', groupId: SIM_GROUP, poolId: SIM_POOL },
    { type: 'OnboardUser', userId: SIM_USER, name: 'Simulation user', role: 'data-scientist', groupId: SIM_GROUP },
  );
  return commands;
}

/** Replay `jobs` (any order; ties keep their order) on `cluster` through a fresh engine. */
export async function runInstants(
  cluster: ClusterSpec,
  jobs: readonly WorkloadJob[],
  options: DriverOptions = {},
): Promise<DriverResult> {
  const store = options.store ?? new InMemoryEventStore();
  // The clock is never consulted for the workload: every batch names its instant.
  const engine = await createEngine({ store, clock: { now: () => 0 } });
  const setup = await engine.executeBatch(setupCommands(cluster), { at: 0 });
  const refused = setup.outcomes.find((o): o is Extract<CommandOutcome, { ok: false }> => !o.ok);
  if (refused) throw new Error(`cluster setup refused: ${refused.rejection.message}`);

  const knownDurations = options.knownDurations ?? true;
  const byId = new Map<string, WorkloadJob>();
  const start = new Map<string, number>();
  const rejected = new Map<string, string>();
  for (const j of jobs) {
    if (byId.has(j.id)) throw new Error(`workload lists job '${j.id}' twice`);
    byId.set(j.id, j);
  }
  // Submissions by instant, in workload order (a stable sort keeps ties in file order).
  const submissions = [...jobs].sort((a, b) => a.submit - b.submit);
  let nextSubmission = 0;
  // Completions by instant; an instant's jobs are completed in the order they started.
  const completions = new Map<number, string[]>();

  let instants = 0;
  for (;;) {
    const nextSubmit = submissions[nextSubmission]?.submit ?? Number.POSITIVE_INFINITY;
    let nextEnd = Number.POSITIVE_INFINITY;
    for (const t of completions.keys()) if (t < nextEnd) nextEnd = t;
    const at = Math.min(nextSubmit, nextEnd);
    if (at === Number.POSITIVE_INFINITY) break;

    const commands: Command[] = [];
    for (const jobId of completions.get(at) ?? []) commands.push({ type: 'ReportJobCompleted', jobId });
    completions.delete(at);
    const submitted: WorkloadJob[] = [];
    while (nextSubmission < submissions.length && (submissions[nextSubmission] as WorkloadJob).submit === at) {
      const j = submissions[nextSubmission++] as WorkloadJob;
      submitted.push(j);
      commands.push({
        type: 'SubmitJob',
        jobId: j.id,
        kind: 'training',
        owner: SIM_USER,
        gpus: j.gpus,
        ...(j.workers !== undefined ? { workers: j.workers } : {}),
        ...(j.priority !== undefined ? { priority: j.priority } : {}),
        ...(knownDurations && j.duration > 0 ? { expectedDuration: j.duration } : {}),
      });
    }

    const result = await engine.executeBatch(commands, { at });
    instants++;
    result.outcomes.forEach((o, i) => {
      const c = commands[i] as Command;
      if (o.ok) return;
      if (c.type === 'SubmitJob') rejected.set(c.jobId, o.rejection.message);
      else throw new Error(`instant ${at}: ${c.type} refused: ${o.rejection.message}`);
    });
    for (const e of result.events) {
      if (e.type !== 'JobAllocated') continue;
      const j = byId.get(e.jobId);
      if (!j) continue;
      start.set(j.id, e.at);
      const end = e.at + j.duration;
      const list = completions.get(end);
      if (list) list.push(j.id);
      else completions.set(end, [j.id]);
    }
    options.onInstant?.(at, result.events, engine);
  }

  const outcomes: JobOutcome[] = jobs.map((j) => {
    const s = start.get(j.id);
    return {
      id: j.id,
      gpus: j.gpus,
      submit: j.submit,
      duration: j.duration,
      start: s ?? null,
      end: s === undefined ? null : s + j.duration,
      rejected: rejected.get(j.id) ?? null,
    };
  });
  return { jobs: outcomes, instants, engine };
}
