/**
 * The assets context's commands, one io-ts codec each (types derived from them). Who may send one
 * (a group member, the owner, an operator) is the edge's to decide, as for jobs; the rules here
 * are the domain's: names unique in a group, versions immutable, lineage that resolves and stays
 * inside the group, deletion only of what nothing was made from.
 */

import {
  type Decoded,
  decodeWith,
  formatIssues,
  Id,
  Json,
  NonNegNumber,
  oneOf,
  PosInt,
  RefinedType,
  RelativePath,
  record,
} from '../codec.js';
import * as t from '../vendor/io-ts.js';
import { ASSET_KINDS } from './model.js';

export const AssetKind = oneOf('AssetKind', ASSET_KINDS);

/** Text of a bounded length: descriptions, URLs, paths. */
const text = (name: string, max: number) =>
  new RefinedType<string>(
    name,
    (u): u is string => typeof u === 'string' && u.length <= max,
    `text of at most ${max} characters`,
    { type: 'string', maxLength: max },
  );
const Url = text('Url', 2048);
const Path = text('Path', 1024);

export const SourceCodec = t.union([
  record('GitSource', { kind: t.literal('git'), url: Url }, { ref: Id, path: Path }),
  record('ObjectSource', { kind: t.literal('object'), uri: Url }, {}),
  record('HttpSource', { kind: t.literal('http'), url: Url }, {}),
  record('VolumeSource', { kind: t.literal('volume'), path: Path }, {}),
]);

export const PinCodec = record('Pin', {}, { commit: Id, objectVersion: Id, etag: Id, contentHash: Id });
export const VersionRefCodec = record('VersionRef', { assetId: Id, version: PosInt }, {});
export const LineageCodec = record(
  'Lineage',
  {},
  {
    job: Id,
    workspace: VersionRefCodec,
    datasets: t.array(VersionRefCodec),
    model: VersionRefCodec,
    hyperparameters: t.record(t.string, Json),
    hyperparametersFile: RelativePath,
    image: Url,
  },
);
const Metrics = t.record(t.string, t.number);

const envelope = { commandId: Id, at: NonNegNumber };
const cmd = <T extends string, R extends t.Props, O extends t.Props>(type: T, required: R, optional: O) =>
  record(type, { type: t.literal(type), ...required }, { ...envelope, ...optional });

export const assetCommandCodecs = {
  /** A new workspace, dataset or model (imported from a URI) named in the group. */
  CreateAsset: cmd(
    'CreateAsset',
    { kind: AssetKind, group: Id, name: Id, owner: Id },
    {
      description: text('Description', 4096),
      tags: t.array(t.string),
      private: t.boolean,
      source: SourceCodec,
      credentials: Id,
    },
  ),
  /** A new version: what it pins, where it is, the metrics and lineage of the job that made it. */
  RecordAssetVersion: cmd(
    'RecordAssetVersion',
    { assetId: Id, by: Id },
    { pin: PinCodec, uri: Url, metrics: Metrics, lineage: LineageCodec },
  ),
  UpdateAsset: cmd(
    'UpdateAsset',
    { assetId: Id },
    { description: text('Description', 4096), tags: t.array(t.string), private: t.boolean },
  ),
  ArchiveAsset: cmd('ArchiveAsset', { assetId: Id }, {}),
  /** Deleting is for what nothing was made from; anything else is archived. */
  DeleteAsset: cmd('DeleteAsset', { assetId: Id }, {}),
  /**
   * A submitted job's uses: every version its submission pinned (workspace, datasets, model), in
   * one command, so a job's uses cost one decision and one event however many inputs it names.
   * Those versions are in use from then on.
   */
  RecordAssetUses: cmd('RecordAssetUses', { jobId: Id, refs: t.array(VersionRefCodec) }, {}),
};

export type AssetCommandType = keyof typeof assetCommandCodecs;
export type AssetCommandOf<K extends AssetCommandType> = t.TypeOf<(typeof assetCommandCodecs)[K]>;
export type AssetCommand = { [K in AssetCommandType]: AssetCommandOf<K> }[AssetCommandType];
export const ASSET_COMMAND_TYPES = Object.keys(assetCommandCodecs) as AssetCommandType[];

export function decodeAssetCommand(u: unknown): Decoded<AssetCommand> {
  const type = typeof u === 'object' && u !== null ? (u as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !Object.hasOwn(assetCommandCodecs, type)) {
    const issues = [
      { path: 'command.type', expected: `one of ${ASSET_COMMAND_TYPES.join(', ')}`, actual: JSON.stringify(type) ?? 'nothing' },
    ];
    return { ok: false, issues, message: formatIssues(issues) };
  }
  return decodeWith(assetCommandCodecs[type as AssetCommandType] as t.Decoder<unknown, AssetCommand>, u, type);
}
