/**
 * Jobs' uses of assets: a job submitted with inputs counts a use of each version it was pinned to
 * (one RecordAssetUses for all of them on the assets stream), so an asset a job ran on is archived
 * rather than deleted and the job's inputs keep resolving. The reactor that follows the cluster
 * stream on the leader (app/job-outputs.ts) records them from each JobSubmitted, beside the jobs'
 * outputs: one subscription and one decode of each event serve both (a reactor of its own, reading
 * and parsing every cluster event again, cost the submissions with inputs a tenth of their
 * throughput).
 *
 * The submission route sends the very same command under the very same id (recordUsesCommand,
 * `uses:<jobId>`): whichever lands first records the uses, the other is answered as a duplicate.
 * The route's may never land (the process dies after the job's append, the store closes under a
 * submission at shutdown); the reactor's does: it moves past an event only once its commands are
 * durable, and a restart resumes from its checkpoint.
 *
 * Repeats are recognised by the assets engine's window of command ids (core/idempotency.ts), the
 * latest 100,000, kept in its snapshots too. A restarted reactor repeats at most what it handled
 * since its last checkpoint (about 200 ms of the stream), and a live one keeps up (a use already
 * durable costs it a map lookup), so what it repeats is well inside the window. A first start, on
 * a store whose history is older than the window, replays the whole history: there the uses the
 * window has forgotten are read from the assets stream first, so none of them is counted again.
 *
 * Older servers recorded a use per version (RecordAssetUse, `use:<jobId>:<assetId>@<version>`, an
 * AssetUsed event each). While catching up, the versions whose use was recorded that way (in the
 * window, or read from the stream) are left out of the job's command, so a job submitted before an
 * upgrade and handled again after it counts each version once.
 */

import type { AssetsEngine } from '../adapters/http/context.js';
import { recordUsesCommand } from '../adapters/http/routes/jobs.js';
import { ASSETS_STREAM } from '../core/assets/assets-decider.js';
import type { AssetCommand } from '../core/assets/commands.js';
import type { AssetEvent } from '../core/assets/events.js';
import type { VersionRef } from '../core/assets/model.js';
import type { Event } from '../core/cluster/events.js';
import type { CommandOutcome } from '../core/decider.js';
import { COMMAND_ID_WINDOW } from '../core/idempotency.js';
import type { EventStore, RecordedEvent } from '../core/ports.js';

export interface JobUses {
  /**
   * Before the reactor starts, given its checkpoint: on a first start (none) over an assets stream
   * whose window of command ids is full, read the use ids it has forgotten.
   */
  prepare(checkpoint: bigint | undefined): Promise<void>;
  /** The reactor has caught up: what follows is new, and its uses, if recorded, are in the window. */
  caughtUp(): void;
  /** The use command an event calls for: one for the versions a submitted job was pinned to. */
  react(event: Event): AssetCommand[];
  /**
   * A command the assets engine already holds durably, answered as the engine would (a
   * duplicate) without waiting for its turn behind the batch being written; else undefined. One
   * still being written is not answered: that append may yet fail.
   */
  answered(command: AssetCommand): CommandOutcome<AssetEvent> | undefined;
}

export function jobUses(assets: AssetsEngine, store: EventStore): JobUses {
  let forgotten: Set<string> | undefined;
  let catchingUp = true;
  /** Whether an older server recorded this use under an id of its own (see above). */
  const recordedOneByOne = (jobId: string, ref: VersionRef) => {
    const id = `use:${jobId}:${ref.assetId}@${ref.version}`;
    return assets.current.commands.has(id) || forgotten?.has(id) === true;
  };
  return {
    async prepare(checkpoint) {
      if (checkpoint === undefined && assets.current.commands.size >= COMMAND_ID_WINDOW) {
        forgotten = await forgottenUses(store, assets);
      }
    },
    caughtUp() {
      forgotten = undefined;
      catchingUp = false;
    },
    react(event) {
      if (event.type !== 'JobSubmitted' || event.inputs === undefined) return [];
      const command = recordUsesCommand(event.jobId, event.inputs);
      if (command === undefined) return [];
      // Live, every submission's uses are this server's command: no older id to look for.
      if (!catchingUp) return [command];
      if (forgotten?.has(command.commandId)) return [];
      const refs = command.refs.filter((r) => !recordedOneByOne(event.jobId, r));
      if (refs.length === command.refs.length) return [command];
      return refs.length === 0 ? [] : [{ ...command, refs }];
    },
    answered(command) {
      const seen = command.commandId === undefined ? undefined : assets.current.commands.get(command.commandId);
      return seen !== undefined && seen.last <= assets.durableRevision
        ? { ok: true, duplicate: true, first: seen.first, last: seen.last }
        : undefined;
    },
  };
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
      // A job's uses (`uses:<jobId>`), or one version's as older servers recorded it.
      if ((e.type === 'AssetsUsed' || e.type === 'AssetUsed') && typeof e.commandId === 'string') ids.add(e.commandId);
    }
    if (page.length < 1_000) break;
    from = (page[page.length - 1] as RecordedEvent).revision + 1n;
  }
  return ids;
}
