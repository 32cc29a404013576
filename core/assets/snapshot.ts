/**
 * Snapshots of the assets state: the assets as JSON (versions and all), the group index and the
 * use counts rebuilt on restore from what they derive from, so a snapshot holds nothing that could
 * disagree with itself. ASSETS_STATE_SCHEMA_VERSION names the shape; another version's snapshot
 * is never trusted (the engine replays from the start instead).
 */
import type { RememberedCommand } from '../idempotency.js';
import { indexAsset, initialAssetsState, lineageRefs } from './evolve.js';
import type { AssetState, AssetsState } from './model.js';

export const ASSETS_STATE_SCHEMA_VERSION = 1;

export interface AssetsSnapshot {
  revision: number;
  now: number;
  /** In creation order (each group's index keeps it). Use counts are written too: jobs' uses are events of their own (AssetsUsed, AssetUsed in older logs). */
  assets: AssetState[];
  commands: [string, RememberedCommand][];
}

/** The state as a JSON-ready value; it shares objects with the state: hand it to a store at once. */
export function assetsToSnapshot(state: AssetsState): AssetsSnapshot {
  return {
    revision: state.revision,
    now: state.now,
    assets: [...state.assets.values()],
    commands: [...state.commands.entries()],
  };
}

/** Rebuild a state from a snapshot; throws on a value that is not one of this version's shape. */
export function assetsFromSnapshot(value: unknown): AssetsState {
  const snap = value as AssetsSnapshot;
  if (typeof snap?.revision !== 'number' || !Array.isArray(snap.assets) || !Array.isArray(snap.commands)) {
    throw new Error('not an assets snapshot');
  }
  const s = initialAssetsState();
  s.revision = snap.revision;
  s.now = snap.now;
  for (const a of snap.assets) {
    s.assets.set(a.id, a);
    indexAsset(s, a);
  }
  // Lineage uses are derived; what jobs pinned is not (its events are gone from the tail): the
  // snapshot's count minus the lineage part is the jobs' part, kept as written.
  const lineageUses = new Map<string, number>();
  for (const a of s.assets.values()) {
    for (const v of a.versions)
      for (const r of lineageRefs(v.lineage, a.id)) lineageUses.set(r.assetId, (lineageUses.get(r.assetId) ?? 0) + 1);
  }
  for (const a of s.assets.values())
    if (a.uses < (lineageUses.get(a.id) ?? 0))
      throw new Error(`assets snapshot: ${a.id} counts fewer uses than its lineages name`);
  for (const [id, range] of snap.commands) s.commands.set(id, range);
  return s;
}
