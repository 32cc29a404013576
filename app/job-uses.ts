/**
 * The reactor that counts jobs' uses of assets: it follows the cluster stream through the store
 * (from its checkpoint) and, for each job submitted with inputs, records the use of each version
 * the job was pinned to (RecordAssetUse on the assets stream), so an asset a job ran on is
 * archived rather than deleted and the job's inputs keep resolving.
 *
 * The submission route sends the very same commands under the very same ids (recordUseCommands,
 * `use:<jobId>:<assetId>@<version>`): whichever lands first records the use, the other is answered
 * as a duplicate. The route's may never land (the process dies after the job's append, the store
 * closes under a submission at shutdown); this reactor's do: it moves past an event only once its
 * uses are durable, and a restart resumes from its checkpoint. `gpupool serve` runs it beside the
 * runtime, on the server that holds the leader lease.
 *
 * Repeats are recognised by the assets engine's window of command ids (core/idempotency.ts), the
 * latest 100,000, kept in its snapshots too. A restarted reactor repeats at most what it handled
 * since its last checkpoint (about 200 ms of the stream), and a live one keeps up (a use already
 * durable costs it a map lookup), so what it repeats is well inside the window. A first start, on
 * a store whose history is older than the window, replays the whole history: there the uses the
 * window has forgotten are read from the assets stream first, so none of them is counted again.
 */

import type { AssetsEngine } from '../adapters/http/context.js';
import { recordUseCommands } from '../adapters/http/routes/jobs.js';
import { ASSETS_STREAM } from '../core/assets/assets-decider.js';
import type { AssetCommand } from '../core/assets/commands.js';
import { clusterDecider } from '../core/cluster/cluster-decider.js';
import type { Event } from '../core/cluster/events.js';
import type { Decoded } from '../core/codec.js';
import { COMMAND_ID_WINDOW } from '../core/idempotency.js';
import type { EventStore, RecordedEvent } from '../core/ports.js';
import { CLUSTER_STREAM } from '../engine/engine.js';
import { type CommandTarget, ReactorRunner } from '../engine/reactor.js';

export const JOB_USES = 'job-uses';

/** A job's submission; every other event of the stream is nothing to this reactor (null). */
export type Submitted = Extract<Event, { type: 'JobSubmitted' }>;

export function startJobUses(
  assets: AssetsEngine,
  store: EventStore,
  onError: (error: unknown) => void = () => {},
): ReactorRunner<Submitted | null, AssetCommand> {
  const target: CommandTarget<AssetCommand> = {
    async execute(command) {
      // A use already durable (the route's, mostly) is what the engine would answer as a duplicate,
      // but only once the batch being written ahead of it is; answered here, the reactor keeps up
      // with the stream under load. Not one still being written: that append may yet fail.
      const seen = assets.current.commands.get(command.commandId as string);
      if (seen !== undefined && seen.last <= assets.durableRevision) {
        return { ok: true, duplicate: true, first: seen.first, last: seen.last };
      }
      const outcome = await assets.execute(command);
      // A refusal (the asset deleted or archived since the job was accepted) is an answer, not a
      // failure to retry: it is told, and the reactor goes on.
      if (!outcome.ok) onError(new Error(`${command.type} ${JSON.stringify(command)}: ${outcome.rejection.message}`));
      return outcome;
    },
  };
  /** At a first start on a long history: the use ids the assets engine no longer remembers. */
  let forgotten: Set<string> | undefined;
  const runner = new ReactorRunner<Submitted | null, AssetCommand>(
    store,
    target,
    {
      name: JOB_USES,
      stream: CLUSTER_STREAM,
      // Only submissions are decoded: the rest of the stream (allocations, reports, most of it)
      // is passed over without paying for a decode it would not use.
      decodeEvent(data): Decoded<Submitted | null> {
        if ((data as { type?: unknown } | null)?.type !== 'JobSubmitted') return { ok: true, value: null };
        return clusterDecider.decodeEvent(data) as Decoded<Submitted>;
      },
      react(event) {
        if (event?.inputs === undefined) return [];
        const commands = recordUseCommands(event.jobId, event.inputs);
        return forgotten === undefined ? commands : commands.filter((c) => !forgotten?.has(c.commandId));
      },
    },
    // The checkpoint is written by the runner's timer, within 200 ms of an event handled, and not
    // every 100 events (the default), a write the runner waits for: under a load of plain
    // submissions (bench inputs) a commit every 100 events kept a reactor some 60,000 events
    // behind the stream, and one that far behind submissions with inputs could outrun the window.
    { onError, checkpointEvery: 10_000 },
  );
  void (async () => {
    if ((await store.readCheckpoint(JOB_USES)) === undefined && assets.current.commands.size >= COMMAND_ID_WINDOW) {
      forgotten = await forgottenUses(store, assets);
    }
    await runner.start();
    // Caught up: what follows is new, and its uses, if recorded, are in the window.
    forgotten = undefined;
  })().catch(onError);
  return runner;
}

/**
 * The ids of the uses recorded on the assets stream before the oldest command id its engine still
 * remembers: uses the engine would no longer recognise as repeats. Read a page at a time.
 */
export async function forgottenUses(store: EventStore, assets: AssetsEngine): Promise<Set<string>> {
  const oldest = BigInt(assets.current.commands.values().next().value?.first ?? assets.current.revision + 1);
  const ids = new Set<string>();
  let from = 0n;
  while (from < oldest) {
    const page = await store.read(ASSETS_STREAM, { from, maxCount: 1_000 });
    for (const r of page) {
      if (r.revision >= oldest) return ids;
      const e = r.data as { type?: unknown; commandId?: unknown };
      if (e.type === 'AssetUsed' && typeof e.commandId === 'string') ids.add(e.commandId);
    }
    if (page.length < 1_000) break;
    from = (page[page.length - 1] as RecordedEvent).revision + 1n;
  }
  return ids;
}
