/**
 * evolve for the assets context: fold one event into the state, in place (see model.ts), keeping
 * the per-group index and the use counts in step. It decides nothing.
 */
import { foldEnvelope } from '../decider.js';
import type { AssetEvent, AssetEventOf, AssetEventType } from './events.js';
import type { AssetState, AssetsState, Lineage, VersionRef } from './model.js';

export function initialAssetsState(): AssetsState {
  return { revision: -1, now: 0, commands: new Map(), assets: new Map(), byGroup: new Map(), ownerGroups: new Map() };
}

export function evolveAssets(state: AssetsState, event: AssetEvent): AssetsState {
  foldEnvelope(state, event);
  (handlers[event.type] as (s: AssetsState, e: AssetEvent) => void)(state, event);
  return state;
}

/** The other assets' versions a lineage names (a version made from its own asset's earlier one is no use of another). */
export function lineageRefs(lineage: Lineage | null, of: string): VersionRef[] {
  if (lineage === null) return [];
  const refs = [
    ...(lineage.workspace ? [lineage.workspace] : []),
    ...lineage.datasets,
    ...(lineage.model ? [lineage.model] : []),
  ];
  return refs.filter((r) => r.assetId !== of);
}

/** Put an asset into the derived indexes: its group's list, its owner's groups. */
export function indexAsset(s: AssetsState, asset: Pick<AssetState, 'id' | 'group' | 'owner'>): void {
  const ids = s.byGroup.get(asset.group);
  if (ids) ids.push(asset.id);
  else s.byGroup.set(asset.group, [asset.id]);
  let groups = s.ownerGroups.get(asset.owner);
  if (!groups) s.ownerGroups.set(asset.owner, (groups = new Map()));
  groups.set(asset.group, (groups.get(asset.group) ?? 0) + 1);
}

type Handlers = { [K in AssetEventType]: (s: AssetsState, e: AssetEventOf<K>) => void };

const handlers: Handlers = {
  AssetCreated(s, e) {
    const asset: AssetState = {
      id: e.assetId,
      kind: e.kind,
      group: e.group,
      name: e.name,
      owner: e.owner,
      description: e.description,
      tags: e.tags,
      private: e.private,
      source: e.source,
      credentials: e.credentials,
      createdAt: e.at,
      archived: false,
      versions: [],
      uses: 0,
    };
    s.assets.set(asset.id, asset);
    indexAsset(s, asset);
  },
  AssetVersionRecorded(s, e) {
    const asset = s.assets.get(e.assetId);
    if (!asset) return;
    asset.versions.push({
      version: e.version,
      at: e.at,
      by: e.by,
      pin: e.pin,
      uri: e.uri,
      metrics: e.metrics,
      lineage: e.lineage,
    });
    for (const ref of lineageRefs(e.lineage, asset.id)) {
      const used = s.assets.get(ref.assetId);
      if (used) used.uses++;
    }
  },
  AssetUpdated(s, e) {
    const asset = s.assets.get(e.assetId);
    if (!asset) return;
    if (e.description !== undefined) asset.description = e.description;
    if (e.tags !== undefined) asset.tags = e.tags;
    if (e.private !== undefined) asset.private = e.private;
  },
  AssetArchived(s, e) {
    const asset = s.assets.get(e.assetId);
    if (asset) asset.archived = true;
  },
  AssetDeleted(s, e) {
    const asset = s.assets.get(e.assetId);
    if (!asset) return;
    // What it was made from is no longer used by it.
    for (const v of asset.versions) {
      for (const ref of lineageRefs(v.lineage, asset.id)) {
        const used = s.assets.get(ref.assetId);
        if (used) used.uses--;
      }
    }
    s.assets.delete(asset.id);
    const ids = s.byGroup.get(asset.group);
    if (ids) {
      const i = ids.indexOf(asset.id);
      if (i >= 0) ids.splice(i, 1);
      if (ids.length === 0) s.byGroup.delete(asset.group);
    }
    const groups = s.ownerGroups.get(asset.owner);
    const left = (groups?.get(asset.group) ?? 1) - 1;
    if (left > 0) groups?.set(asset.group, left);
    else groups?.delete(asset.group);
    if (groups?.size === 0) s.ownerGroups.delete(asset.owner);
  },
  AssetUsed(s, e) {
    const asset = s.assets.get(e.assetId);
    if (asset) asset.uses++;
  },
  AssetsUsed(s, e) {
    for (const ref of e.refs) {
      const asset = s.assets.get(ref.assetId);
      if (asset) asset.uses++;
    }
  },
  CommandAccepted() {
    // Nothing changes: evolve has remembered its command id.
  },
};
