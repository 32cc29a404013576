/**
 * The assets context as a decider (decider.ts), on its own stream (`assets`) beside the cluster's:
 * the one engine runs it, with the default batch (runDeciderBatch). Its state is replayed at
 * start-up; it is metadata, small beside a cluster's jobs.
 */
import type { Decider } from '../decider.js';
import { reject } from '../rejection.js';
import { type AssetCommand, decodeAssetCommand } from './commands.js';
import { decideAssets } from './decide.js';
import { ASSETS_EVENT_SCHEMA_VERSION, type AssetEvent, decodeAssetEvent } from './events.js';
import { evolveAssets, initialAssetsState } from './evolve.js';
import type { AssetsState } from './model.js';

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
};
