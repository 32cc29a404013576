/**
 * The assets context: what data scientists work with beside their jobs. A **workspace** is program
 * code, a **dataset** training data, a **model** a trained artifact; each is metadata with a source
 * (gpupool hosts no data) and immutable **versions**. A version pins what was used (a commit, an
 * object version or etag, a content hash; a model's artifacts URI) and, when a job made it, its
 * lineage: the versions it was made from. Assets belong to a group, shared with the whole group
 * unless marked private; names are scoped to the group (`<group>/<name>`, as job names are).
 *
 * The state is an owned projection, as the cluster's is (a million assets cannot be copied per
 * event): `evolve` updates it in place; decide and the queries only read it.
 */
import type { DeciderState } from '../decider.js';

export const ASSET_KINDS = ['workspace', 'dataset', 'model'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/** Where an asset's content lives. Credentials are named (`credentials`), never part of a source. */
export type Source =
  | { readonly kind: 'git'; readonly url: string; readonly ref?: string; readonly path?: string }
  | { readonly kind: 'object'; readonly uri: string }
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'volume'; readonly path: string };

/** What a version pins: at least one of these for a workspace or dataset version. */
export interface Pin {
  readonly commit?: string;
  readonly objectVersion?: string;
  readonly etag?: string;
  readonly contentHash?: string;
}

/** A version of an asset, by the asset's id and its number (1, 2, ...). */
export interface VersionRef {
  readonly assetId: string;
  readonly version: number;
}

/** What a version was made from, when a job made it. */
export interface Lineage {
  readonly job: string | null;
  readonly workspace: VersionRef | null;
  readonly datasets: readonly VersionRef[];
  /** The model version a training job started from (transfer learning). */
  readonly model: VersionRef | null;
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  /** The hyperparameters file inside the workspace version above (absent: none). */
  readonly hyperparametersFile?: string;
  readonly image: string | null;
}

export interface AssetVersion {
  readonly version: number;
  /** When it was recorded (seconds), and by whom (a user, or the runtime for a job's output). */
  readonly at: number;
  readonly by: string;
  readonly pin: Pin;
  /** Where this version's content is (a model's artifacts; a dataset version's location). */
  readonly uri: string | null;
  /** The final values of the metrics the job that made it reported (a model version). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly lineage: Lineage | null;
}

export interface AssetState {
  /** `<group>/<name>`. */
  readonly id: string;
  readonly kind: AssetKind;
  readonly group: string;
  readonly name: string;
  /** Who created it; it stays with its group if they move to another. */
  readonly owner: string;
  description: string;
  tags: readonly string[];
  /** Visible only to its owner (and operators) rather than the whole group. */
  private: boolean;
  readonly source: Source | null;
  readonly credentials: string | null;
  readonly createdAt: number;
  /** Archived: gone from lists, its versions still resolve for what was made from them. */
  archived: boolean;
  /** Append-only: versions[n - 1] is version n, and never changes once recorded. */
  readonly versions: AssetVersion[];
  /** How many versions of other assets, and jobs, name one of its versions: while any does, it cannot be deleted. */
  uses: number;
}

export interface AssetsState extends DeciderState {
  readonly assets: Map<string, AssetState>;
  /** Each group's assets in creation order (lists walk only the caller's group). Derived. */
  readonly byGroup: Map<string, string[]>;
  /**
   * Per owner, the groups they have assets in and how many: a user moved to another group still
   * lists what they made in the old one (it stays that group's), so their list walks those groups
   * too, and only those. Derived.
   */
  readonly ownerGroups: Map<string, Map<string, number>>;
}

/** The core id of the asset named `name` in `group`. */
export const assetIdOf = (group: string, name: string): string => `${group}/${name}`;

/** Who asks: a user, in their group; operators see every group's assets. */
export interface Viewer {
  readonly userId: string;
  readonly group: string;
  readonly operator?: boolean;
}

/** Whether a viewer may see (and so use) an asset: its group's members unless private; its owner; operators. */
export function canSee(viewer: Viewer, asset: Pick<AssetState, 'group' | 'owner' | 'private'>): boolean {
  if (viewer.operator === true || asset.owner === viewer.userId) return true;
  return asset.group === viewer.group && !asset.private;
}
