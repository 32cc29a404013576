/**
 * The assets stream's events, each with its schema version `v`, its time `at` and the command id
 * that made it. Codecs decode every event read back; ids in events use the lax `Name` (as the
 * cluster's do), so a log written under older id rules still loads.
 */

import { type Decoded, decoderOf, eventCodecMaker, formatIssues, Json, Name, PosInt, record } from '../codec.js';
import { COMMAND_ACCEPTED } from '../decider.js';
import * as t from '../vendor/io-ts.js';
import { AssetKind } from './commands.js';

export const ASSETS_EVENT_SCHEMA_VERSION = 1;

const ev = eventCodecMaker(ASSETS_EVENT_SCHEMA_VERSION);

const Source = t.union([
  record('GitSource', { kind: t.literal('git'), url: t.string }, { ref: Name, path: t.string }),
  record('ObjectSource', { kind: t.literal('object'), uri: t.string }, {}),
  record('HttpSource', { kind: t.literal('http'), url: t.string }, {}),
  record('VolumeSource', { kind: t.literal('volume'), path: t.string }, {}),
]);
const Pin = record('Pin', {}, { commit: Name, objectVersion: Name, etag: Name, contentHash: Name });
const VersionRef = record('VersionRef', { assetId: Name, version: PosInt }, {});
const SkippedRef = record('SkippedRef', { assetId: Name, version: PosInt, reason: t.string }, {});
const Lineage = record(
  'Lineage',
  {
    job: t.union([Name, t.null]),
    workspace: t.union([VersionRef, t.null]),
    datasets: t.array(VersionRef),
    model: t.union([VersionRef, t.null]),
    hyperparameters: t.record(t.string, Json),
    image: t.union([t.string, t.null]),
  },
  { hyperparametersFile: t.string },
);

export const assetEventCodecs = {
  AssetCreated: ev('AssetCreated', {
    assetId: Name,
    kind: AssetKind,
    group: Name,
    name: Name,
    owner: Name,
    description: t.string,
    tags: t.array(t.string),
    private: t.boolean,
    source: t.union([Source, t.null]),
    credentials: t.union([Name, t.null]),
  }),
  AssetVersionRecorded: ev('AssetVersionRecorded', {
    assetId: Name,
    version: PosInt,
    by: Name,
    pin: Pin,
    uri: t.union([t.string, t.null]),
    metrics: t.record(t.string, t.number),
    lineage: t.union([Lineage, t.null]),
  }),
  AssetUpdated: ev('AssetUpdated', { assetId: Name }, { description: t.string, tags: t.array(t.string), private: t.boolean }),
  AssetArchived: ev('AssetArchived', { assetId: Name }),
  AssetDeleted: ev('AssetDeleted', { assetId: Name }),
  /** One version a job used: what older logs hold, one event per version (still loaded and folded). */
  AssetUsed: ev('AssetUsed', { assetId: Name, version: PosInt, jobId: Name }),
  /**
   * The versions a job used, each counted once (`refs`), and those it named that could not be
   * counted, with why (`skipped`: the asset deleted, or no such version).
   */
  AssetsUsed: ev('AssetsUsed', { jobId: Name, refs: t.array(VersionRef) }, { skipped: t.array(SkippedRef) }),
  CommandAccepted: ev(COMMAND_ACCEPTED, {}),
};

export type AssetEventType = keyof typeof assetEventCodecs;
export type AssetEventOf<K extends AssetEventType> = t.TypeOf<(typeof assetEventCodecs)[K]>;
export type AssetEvent = { [K in AssetEventType]: AssetEventOf<K> }[AssetEventType];
export const ASSET_EVENT_TYPES = Object.keys(assetEventCodecs) as AssetEventType[];

const decoders = new Map(
  Object.entries(assetEventCodecs).map(([type, codec]) => [type, decoderOf(codec as t.Decoder<unknown, AssetEvent>)]),
);

export function decodeAssetEvent(u: unknown): Decoded<AssetEvent> {
  const type = typeof u === 'object' && u !== null ? (u as { type?: unknown }).type : undefined;
  const decoder = typeof type === 'string' ? decoders.get(type) : undefined;
  if (decoder === undefined) {
    const issues = [
      { path: 'event.type', expected: `one of ${ASSET_EVENT_TYPES.join(', ')}`, actual: JSON.stringify(type) ?? 'nothing' },
    ];
    return { ok: false, issues, message: formatIssues(issues) };
  }
  return decoder(u, type as string);
}
