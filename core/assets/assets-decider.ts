/**
 * The assets context as a decider (decider.ts), on its own stream (`assets`) beside the cluster's:
 * the one engine runs it, with the default batch (runDeciderBatch). Start-up reads its latest
 * snapshot (snapshot.ts) and the events after it.
 */
import type { Decider } from '../decider.js';
import { reject } from '../rejection.js';
import { type AssetCommand, decodeAssetCommand } from './commands.js';
import { decideAssets } from './decide.js';
import { ASSETS_EVENT_SCHEMA_VERSION, type AssetEvent, decodeAssetEvent } from './events.js';
import { evolveAssets, initialAssetsState } from './evolve.js';
import type { AssetsState } from './model.js';
import { ASSETS_STATE_SCHEMA_VERSION, assetsFromSnapshot, assetsToSnapshot } from './snapshot.js';

export const ASSETS_STREAM = 'assets';

export const assetsDecider: Decider<AssetCommand, AssetEvent, AssetsState> = {
  eventSchemaVersion: ASSETS_EVENT_SCHEMA_VERSION,
  initialState: initialAssetsState,
  validate(c) {
    const r = decodeAssetCommand(c);
    return r.ok ? null : reject('invalid-command', r.message, { issues: r.issues });
  },
  decodeCommand: decodeAssetCommand,
  decide: decideAssets,
  evolve: evolveAssets,
  decodeEvent: decodeAssetEvent,
  snapshots: { schemaVersion: ASSETS_STATE_SCHEMA_VERSION, toSnapshot: assetsToSnapshot, fromSnapshot: assetsFromSnapshot },
};
