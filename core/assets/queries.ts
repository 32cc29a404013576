/**
 * Reads over the assets state: one asset as a viewer may see it, and lists with the product's
 * filters (mine, the group's shared ones, or both; kind, tag, owner; archived or not), a page at a
 * time. A list walks the viewer's group only (operators: the group asked for, or all), so it costs
 * what the group holds, not what the installation holds.
 */
import type { AssetKind, AssetState, AssetsState, Viewer } from './model.js';
import { canSee } from './model.js';

export type AssetVisibility = 'mine' | 'shared' | 'all';

export interface AssetFilter {
  readonly kind?: AssetKind;
  readonly visibility?: AssetVisibility;
  readonly tag?: string;
  readonly owner?: string;
  /** An operator's list of one group (a member's list is always their own group's). */
  readonly group?: string;
  /** List archived assets instead of the live ones. */
  readonly archived?: boolean;
}

/** An asset the viewer may see, or undefined (missing and hidden read alike). */
export function assetFor(state: AssetsState, viewer: Viewer, assetId: string): AssetState | undefined {
  const asset = state.assets.get(assetId);
  return asset !== undefined && canSee(viewer, asset) ? asset : undefined;
}

export function listAssets(
  state: AssetsState,
  viewer: Viewer,
  filter: AssetFilter = {},
  page: { offset: number; limit: number } = { offset: 0, limit: Number.POSITIVE_INFINITY },
): { total: number; items: AssetState[] } {
  const visibility = filter.visibility ?? 'all';
  // A data scientist's own group, and any other group they made assets in before they were moved
  // (only their own are seen there: canSee). Operators: the group asked for, or every group.
  const groups =
    viewer.operator === true
      ? filter.group === undefined
        ? [...state.byGroup.keys()]
        : [filter.group]
      : [viewer.group, ...[...(state.ownerGroups.get(viewer.userId)?.keys() ?? [])].filter((g) => g !== viewer.group)];
  const items: AssetState[] = [];
  let total = 0;
  const end = page.offset + page.limit;
  for (const group of groups) {
    for (const id of state.byGroup.get(group) ?? []) {
      const a = state.assets.get(id) as AssetState;
      if (!canSee(viewer, a)) continue;
      const mine = a.owner === viewer.userId;
      if ((visibility === 'mine' && !mine) || (visibility === 'shared' && mine)) continue;
      if (filter.kind !== undefined && a.kind !== filter.kind) continue;
      if (filter.owner !== undefined && a.owner !== filter.owner) continue;
      if (filter.tag !== undefined && !a.tags.includes(filter.tag)) continue;
      if (a.archived !== (filter.archived ?? false)) continue;
      if (total >= page.offset && total < end) items.push(a);
      total++;
    }
  }
  return { total, items };
}
