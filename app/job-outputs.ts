/**
 * The reactor that turns completed jobs into asset versions: it follows the cluster stream through
 * the store (from its checkpoint), and for each job that completes with an output (a training
 * job's model, a preprocessing job's dataset) records that asset's next version in the assets
 * context, with the final values of the metrics the job reported and its lineage
 * (core/assets/outputs.ts). Its command ids derive from the completing event, so a restart, or a
 * second server's reactor, records each version once. It also records each submitted job's uses of
 * its inputs (app/job-uses.ts), under the ids the submission route uses for them. `gpupool serve`
 * runs it beside the runtime, on the server that holds the leader lease.
 */

import type { AssetsEngine } from '../adapters/http/context.js';
import { readMetrics } from '../adapters/http/routes/metrics.js';
import type { AssetCommand } from '../core/assets/commands.js';
import { finalMetrics, metricSeries } from '../core/assets/metrics.js';
import { outputVersion } from '../core/assets/outputs.js';
import { clusterDecider } from '../core/cluster/cluster-decider.js';
import type { Event } from '../core/cluster/events.js';
import type { EventStore } from '../core/ports.js';
import { CLUSTER_STREAM, type Engine } from '../engine/engine.js';
import { type CommandTarget, ReactorRunner } from '../engine/reactor.js';
import { jobUses } from './job-uses.js';

export const JOB_OUTPUTS = 'job-outputs';

/** The final metric values a job reported (none: an empty record). */
export async function reportedMetrics(store: EventStore, jobId: string): Promise<Record<string, number>> {
  return finalMetrics(metricSeries((await readMetrics(store, jobId)).events));
}

export function startJobOutputs(
  engine: Engine,
  assets: AssetsEngine,
  store: EventStore,
  onError: (error: unknown) => void = () => {},
): ReactorRunner<Event, AssetCommand> {
  const uses = jobUses(assets, store);
  // A refusal (the model archived or deleted meanwhile, every input deleted) is an answer, not a
  // failure to retry: it is told, and the reactor goes on; so are the inputs a job's uses skipped.
  const target: CommandTarget<AssetCommand> = {
    async execute(command) {
      // A use the route has recorded already costs a lookup, so the reactor keeps up under load.
      const known = uses.answered(command);
      if (known !== undefined) return known;
      const outcome = await assets.execute(command);
      if (!outcome.ok) onError(new Error(`${command.type} ${JSON.stringify(command)}: ${outcome.rejection.message}`));
      else if (!outcome.duplicate) {
        for (const e of outcome.events) {
          if (e.type !== 'AssetsUsed' || e.skipped === undefined) continue;
          const why = e.skipped.map((r) => `${r.assetId}@${r.version}: ${r.reason}`).join('; ');
          onError(new Error(`${command.type} ${command.commandId}: uses not counted: ${why}`));
        }
      }
      return outcome;
    },
  };
  /** Jobs seen submitted with an output and not yet completed; and the first revision handled. */
  const withOutput = new Set<string>();
  let firstSeen: bigint | undefined;
  const runner = new ReactorRunner<Event, AssetCommand>(
    store,
    target,
    {
      name: JOB_OUTPUTS,
      stream: CLUSTER_STREAM,
      decodeEvent: clusterDecider.decodeEvent,
      async react(event, revision) {
        firstSeen ??= revision;
        if (event.type === 'JobSubmitted') {
          if (event.output !== undefined) withOutput.add(event.jobId);
          // Its uses, under the id the route sends them with (not one derived from this event).
          return uses.react(event);
        }
        if (event.type === 'JobFailed' || event.type === 'JobStopped') withOutput.delete(event.jobId);
        if (event.type !== 'JobCompleted') return [];
        // Following from the start, it has seen every submission: a job it did not see name an
        // output has none, and its record need not be read (a million finished jobs took minutes).
        if (!withOutput.delete(event.jobId) && firstSeen === 0n) return [];
        // The job as it ended, once the engine has it durably (its own append may still be
        // finishing: the store tells subscribers before the engine hears back).
        if (engine.durableRevision < Number(revision)) await engine.catchUp();
        const job = engine.job(event.jobId);
        if (!job || job.output === null) return [];
        const command = outputVersion(job, await reportedMetrics(store, job.id));
        // The runner gives the command its id, derived from this event (`job-outputs:<revision>:0`).
        return command === null ? [] : [command];
      },
    },
    // The checkpoint is written by the runner's timer, within 200 ms of an event handled, and not
    // every 100 events (the default), a write the runner waits for: under a load of plain
    // submissions (bench inputs) a commit every 100 events kept this reactor some 60,000 events
    // behind the stream, and that far behind submissions with inputs it could outrun the window
    // of command ids that tells a use the route recorded from one to record (app/job-uses.ts).
    { onError, checkpointEvery: 10_000 },
  );
  void (async () => {
    await uses.prepare(await store.readCheckpoint(JOB_OUTPUTS));
    await runner.start();
    uses.caughtUp();
  })().catch(onError);
  return runner;
}
