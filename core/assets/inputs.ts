/**
 * A job's inputs, pinned: when a job is submitted, the assets it names (a workspace, datasets each
 * at a mount path, a model to start from) are resolved against the assets state as its owner sees
 * them, and each reference becomes a version: the one named, or the latest. A later version of a
 * workspace does not change a submitted job. Pure: the edge runs it before it submits the job.
 */

import { Id, PosInt, RelativePath, record } from '../codec.js';
import { type Rejection, reject } from '../rejection.js';
import * as E from '../vendor/either.js';
import * as t from '../vendor/io-ts.js';
import { type AssetKind, type AssetsState, canSee, type VersionRef, type Viewer } from './model.js';

const InputRefCodec = record('InputRef', { assetId: Id }, { version: PosInt });
/**
 * Inputs as a submission names them: each asset by id (or by its name alone, in the job owner's
 * group: the edge qualifies it), at a version or the latest.
 */
export const InputsRequestCodec = record(
  'InputsRequest',
  {},
  {
    workspace: InputRefCodec,
    datasets: t.array(record('DatasetInput', { assetId: Id, mountPath: Id }, { version: PosInt })),
    model: InputRefCodec,
    hyperparametersFile: RelativePath,
  },
);

/** A reference as a user writes it: an asset, and a version or none (the latest). */
export interface InputRef {
  readonly assetId: string;
  readonly version?: number;
}

export interface InputsRequest {
  readonly workspace?: InputRef;
  readonly datasets?: readonly (InputRef & { readonly mountPath: string })[];
  readonly model?: InputRef;
  /** The hyperparameters file, a path inside the workspace (which must then be named too). */
  readonly hyperparametersFile?: string;
}

export interface PinnedInputs {
  readonly workspace: VersionRef | null;
  readonly datasets: readonly (VersionRef & { readonly mountPath: string })[];
  readonly model: VersionRef | null;
  /**
   * A path inside the workspace: pinning the workspace's version pins the file's content too, so
   * the path is all a job (and the lineage of what it makes) needs to keep.
   */
  readonly hyperparametersFile: string | null;
}

/** Every version pinned inputs name, in order: workspace, datasets, model. */
export function pinnedRefs(inputs: Pick<PinnedInputs, 'workspace' | 'datasets' | 'model'>): VersionRef[] {
  return [
    ...(inputs.workspace ? [inputs.workspace] : []),
    ...inputs.datasets.map(({ assetId, version }) => ({ assetId, version })),
    ...(inputs.model ? [inputs.model] : []),
  ];
}

export function pinInputs(state: AssetsState, owner: Viewer, request: InputsRequest): E.Either<Rejection, PinnedInputs> {
  const pin = (ref: InputRef, kind: AssetKind, path: string): E.Either<Rejection, VersionRef> => {
    const asset = state.assets.get(ref.assetId);
    // Missing, another group's, or another user's private asset: all read as missing.
    if (!asset || !canSee(owner, asset)) return E.left(reject('not-found', `${path}: ${kind} '${ref.assetId}' does not exist`));
    if (asset.kind !== kind)
      return E.left(reject('invalid-argument', `${path}: '${ref.assetId}' is a ${asset.kind}, not a ${kind}`));
    if (asset.archived) return E.left(reject('invalid-transition', `${path}: ${kind} '${ref.assetId}' is archived`));
    if (asset.versions.length === 0) {
      return E.left(reject('invalid-argument', `${path}: ${kind} '${ref.assetId}' has no version yet: record one first`));
    }
    const version = ref.version ?? asset.versions.length;
    if (version > asset.versions.length) {
      return E.left(
        reject('not-found', `${path}: ${kind} '${ref.assetId}' has no version ${version} (it has ${asset.versions.length})`),
      );
    }
    return E.right({ assetId: asset.id, version });
  };
  let workspace: VersionRef | null = null;
  if (request.hyperparametersFile !== undefined && !request.workspace) {
    return E.left(reject('invalid-argument', 'inputs.hyperparametersFile: a file in the workspace needs inputs.workspace'));
  }
  if (request.workspace) {
    const w = pin(request.workspace, 'workspace', 'inputs.workspace');
    if (E.isLeft(w)) return w;
    workspace = w.right;
  }
  const datasets: (VersionRef & { mountPath: string })[] = [];
  const mounts = new Set<string>();
  for (const [i, d] of (request.datasets ?? []).entries()) {
    const path = `inputs.datasets[${i}]`;
    if (!d.mountPath.startsWith('/') || d.mountPath.split('/').includes('..')) {
      return E.left(reject('invalid-argument', `${path}.mountPath: '${d.mountPath}' is not an absolute path without '..'`));
    }
    if (mounts.has(d.mountPath))
      return E.left(reject('invalid-argument', `${path}.mountPath: '${d.mountPath}' is mounted twice`));
    mounts.add(d.mountPath);
    const p = pin(d, 'dataset', path);
    if (E.isLeft(p)) return p;
    datasets.push({ ...p.right, mountPath: d.mountPath });
  }
  let model: VersionRef | null = null;
  if (request.model) {
    const m = pin(request.model, 'model', 'inputs.model');
    if (E.isLeft(m)) return m;
    model = m.right;
  }
  return E.right({ workspace, datasets, model, hyperparametersFile: request.hyperparametersFile ?? null });
}

/** Where a job's product goes, as a submission names it: a model, a dataset (ids, or names in the owner's group). */
export const OutputRequestCodec = record('OutputRequest', {}, { model: Id, dataset: Id });

/**
 * A job's output target checked as its owner sees the assets: each asset exists, is of its kind,
 * is not archived. Its product becomes that asset's next version when the job completes.
 */
export function checkOutput(
  state: AssetsState,
  owner: Viewer,
  request: { readonly model?: string; readonly dataset?: string },
): E.Either<Rejection, { model?: string; dataset?: string }> {
  const out: { model?: string; dataset?: string } = {};
  for (const kind of ['model', 'dataset'] as const) {
    const id = request[kind];
    if (id === undefined) continue;
    const asset = state.assets.get(id);
    if (!asset || !canSee(owner, asset)) return E.left(reject('not-found', `output.${kind}: ${kind} '${id}' does not exist`));
    if (asset.kind !== kind)
      return E.left(reject('invalid-argument', `output.${kind}: '${id}' is a ${asset.kind}, not a ${kind}`));
    if (asset.archived) return E.left(reject('invalid-transition', `output.${kind}: ${kind} '${id}' is archived`));
    out[kind] = asset.id;
  }
  return E.right(out);
}
