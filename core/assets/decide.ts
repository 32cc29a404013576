/**
 * decide for the assets context: a command and the state give a rejection or events. It only
 * reads the state. The rules: a name is unique in its group and holds no '/'; a source names its
 * credentials, never carries them; a version pins what was used and never changes; lineage names
 * versions that exist, of the right kind, in the asset's own group, that the one recording it may
 * see; an asset something was made from (or a job pinned) is archived, not deleted; a job's use
 * of a version counts even when its asset is archived.
 */

import type { Unstamped } from '../decider.js';
import { type Rejection, type RejectionCode, reject } from '../rejection.js';
import { tagsTooLong } from '../tags.js';
import * as E from '../vendor/either.js';
import type { AssetCommand, AssetCommandOf, AssetCommandType } from './commands.js';
import type { AssetEvent, AssetEventOf } from './events.js';
import {
  type AssetKind,
  type AssetState,
  type AssetsState,
  assetIdOf,
  canSee,
  type Lineage,
  type Source,
  type VersionRef,
} from './model.js';

type Body = Unstamped<AssetEvent>;
type Decision = E.Either<Rejection, Body[]>;

const ok = (...events: Body[]): Decision => E.right(events);
const no = (code: RejectionCode, message: string, details?: Record<string, unknown>): Decision =>
  E.left(reject(code, message, details));

export function decideAssets(command: AssetCommand, state: AssetsState): Decision {
  return (handlers[command.type] as (c: AssetCommand, s: AssetsState) => Decision)(command, state);
}

type Handlers = { [K in AssetCommandType]: (c: AssetCommandOf<K>, s: AssetsState) => Decision };

const handlers: Handlers = {
  CreateAsset(c, s) {
    if (c.name.includes('/')) return no('invalid-argument', `name '${c.name}' holds '/': names are path segments`);
    const assetId = assetIdOf(c.group, c.name);
    if (s.assets.has(assetId)) return no('already-exists', `${c.kind} '${c.name}' already exists in group '${c.group}'`);
    const tags = c.tags ?? [];
    const long = tagsTooLong(tags);
    if (long) return no('invalid-argument', long);
    const source = c.source ?? null;
    if (source === null && c.kind !== 'model') {
      return no(
        'invalid-argument',
        `a ${c.kind} needs a source: a Git repository, an object store URI, an HTTP(S) URL or a volume path`,
      );
    }
    if (source !== null) {
      const bad = sourceProblem(source);
      if (bad) return no('invalid-argument', bad);
    }
    return ok({
      type: 'AssetCreated',
      assetId,
      kind: c.kind,
      group: c.group,
      name: c.name,
      owner: c.owner,
      description: c.description ?? '',
      tags: [...tags],
      private: c.private ?? false,
      source: source === null ? null : { ...source },
      credentials: c.credentials ?? null,
    });
  },

  RecordAssetVersion(c, s) {
    const asset = s.assets.get(c.assetId);
    if (!asset) return no('not-found', `asset '${c.assetId}' does not exist`);
    if (asset.archived) return no('invalid-transition', `${asset.kind} '${asset.id}' is archived: it takes no new versions`);
    const pin = { ...(c.pin ?? {}) };
    const uri = c.uri ?? null;
    if (asset.kind === 'model' && uri === null) return no('invalid-argument', 'a model version needs the URI of its artifacts');
    if (asset.kind !== 'model' && Object.keys(pin).length === 0 && uri === null) {
      return no(
        'invalid-argument',
        'a version pins what was used: a commit, an object version, an etag or a content hash (or a URI)',
      );
    }
    const metrics = c.metrics ?? {};
    for (const [name, value] of Object.entries(metrics)) {
      if (!Number.isFinite(value)) return no('invalid-argument', `metric '${name}' is ${value}: metrics are finite numbers`);
    }
    let lineage: AssetEventOf<'AssetVersionRecorded'>['lineage'] = null;
    if (c.lineage !== undefined) {
      lineage = {
        job: c.lineage.job ?? null,
        workspace: c.lineage.workspace ? { ...c.lineage.workspace } : null,
        datasets: (c.lineage.datasets ?? []).map((d) => ({ ...d })),
        model: c.lineage.model ? { ...c.lineage.model } : null,
        hyperparameters: structuredClone(c.lineage.hyperparameters ?? {}),
        image: c.lineage.image ?? null,
      };
      if (c.lineage.hyperparametersFile !== undefined) {
        if (lineage.workspace === null) {
          return no('invalid-argument', 'lineage.hyperparametersFile: a file in the workspace needs lineage.workspace');
        }
        lineage.hyperparametersFile = c.lineage.hyperparametersFile;
      }
      const wrong = lineageProblem(s, asset, c.by, lineage);
      if (wrong) return E.left(wrong);
    }
    return ok({
      type: 'AssetVersionRecorded',
      assetId: asset.id,
      version: asset.versions.length + 1,
      by: c.by,
      pin,
      uri,
      metrics: { ...metrics },
      lineage,
    });
  },

  UpdateAsset(c, s) {
    const asset = s.assets.get(c.assetId);
    if (!asset) return no('not-found', `asset '${c.assetId}' does not exist`);
    if (c.tags !== undefined) {
      const long = tagsTooLong(c.tags);
      if (long) return no('invalid-argument', long);
    }
    const changed: Body & { type: 'AssetUpdated' } = { type: 'AssetUpdated', assetId: asset.id };
    if (c.description !== undefined && c.description !== asset.description) changed.description = c.description;
    if (c.tags !== undefined && c.tags.join('\u0000') !== asset.tags.join('\u0000')) changed.tags = [...c.tags];
    if (c.private !== undefined && c.private !== asset.private) changed.private = c.private;
    return Object.keys(changed).length > 2 ? ok(changed) : ok();
  },

  ArchiveAsset(c, s) {
    const asset = s.assets.get(c.assetId);
    if (!asset) return no('not-found', `asset '${c.assetId}' does not exist`);
    return asset.archived ? ok() : ok({ type: 'AssetArchived', assetId: asset.id });
  },

  DeleteAsset(c, s) {
    const asset = s.assets.get(c.assetId);
    if (!asset) return no('not-found', `asset '${c.assetId}' does not exist`);
    if (asset.uses > 0) {
      return no(
        'in-use',
        `${asset.kind} '${asset.id}' cannot be deleted: ${asset.uses} version${asset.uses === 1 ? '' : 's'} of other assets or jobs were made from it; archive it instead`,
        { uses: asset.uses },
      );
    }
    return ok({ type: 'AssetDeleted', assetId: asset.id });
  },

  RecordAssetUses(c, s) {
    if (c.refs.length === 0) return no('invalid-argument', `job '${c.jobId}': refs names no version`);
    const refs: VersionRef[] = [];
    const skipped: { assetId: string; version: number; reason: string }[] = [];
    const seen = new Set<string>();
    for (const { assetId, version } of c.refs) {
      // A version named twice is one use, as it was when each use had an id of its own.
      const key = `${assetId}@${version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const asset = s.assets.get(assetId);
      // Deleted since the job pinned it, or never there: nothing is left to protect, and refusing
      // would leave the job's other inputs uncounted and deletable; it is skipped and said so.
      if (!asset) skipped.push({ assetId, version, reason: `asset '${assetId}' does not exist` });
      else if (version > asset.versions.length) {
        skipped.push({
          assetId,
          version,
          reason: `${asset.kind} '${assetId}' has no version ${version} (it has ${asset.versions.length})`,
        });
      }
      // An archived asset counts the use too: the job did run on it, and its lineage needs the
      // asset kept (a count above zero is what keeps it from deletion).
      else refs.push({ assetId, version });
    }
    if (refs.length === 0) {
      return no(
        'not-found',
        `job '${c.jobId}' used no version that exists: ${skipped.map((r) => `${r.assetId}@${r.version}: ${r.reason}`).join('; ')}`,
        { skipped },
      );
    }
    return ok({ type: 'AssetsUsed', jobId: c.jobId, refs, ...(skipped.length > 0 ? { skipped } : {}) });
  },
};

/** Why a source cannot be recorded, or null. */
function sourceProblem(source: Source): string | null {
  const withCredentials = (url: string) => /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(url);
  switch (source.kind) {
    case 'git':
      if (!/^(https?|ssh|git|file):\/\/.+|^[\w.-]+@[\w.-]+:.+/i.test(source.url)) {
        return `git source '${source.url}' is not a repository URL (https://, ssh://, git://, file:// or user@host:path)`;
      }
      if (withCredentials(source.url)) return CREDENTIALS_BY_NAME;
      return source.path === undefined ? null : pathProblem(source.path, false);
    case 'object':
      return /^(s3|gs):\/\/[^/]+/.test(source.uri) ? null : `object source '${source.uri}' is not an s3:// or gs:// URI`;
    case 'http':
      if (!/^https?:\/\/[^/]+/i.test(source.url)) return `http source '${source.url}' is not an http:// or https:// URL`;
      return withCredentials(source.url) ? CREDENTIALS_BY_NAME : null;
    case 'volume':
      return pathProblem(source.path, true);
  }
}

const CREDENTIALS_BY_NAME = 'a source must not carry credentials: name them in `credentials` instead';

function pathProblem(path: string, absolute: boolean): string | null {
  if (absolute && !path.startsWith('/')) return `path '${path}' is not absolute`;
  if (path.split('/').includes('..')) return `path '${path}' climbs out with '..'`;
  return null;
}

/** Why a version's lineage cannot be recorded for `asset` on behalf of `by`, or null. */
function lineageProblem(s: AssetsState, asset: AssetState, by: string, lineage: Lineage): Rejection | null {
  const refs: [VersionRef, AssetKind, string][] = [];
  if (lineage.workspace) refs.push([lineage.workspace, 'workspace', 'lineage.workspace']);
  for (const [i, d] of lineage.datasets.entries()) refs.push([d, 'dataset', `lineage.datasets[${i}]`]);
  if (lineage.model) refs.push([lineage.model, 'model', 'lineage.model']);
  const viewer = { userId: by, group: asset.group };
  for (const [ref, kind, path] of refs) {
    const target = s.assets.get(ref.assetId);
    // Another group's asset, or another user's private one, reads as missing: nothing leaks.
    if (!target || target.group !== asset.group || !canSee(viewer, target)) {
      return reject('not-found', `${path}: ${kind} '${ref.assetId}' does not exist in group '${asset.group}'`);
    }
    if (target.kind !== kind) return reject('invalid-argument', `${path}: '${ref.assetId}' is a ${target.kind}, not a ${kind}`);
    if (ref.version > target.versions.length) {
      return reject(
        'not-found',
        `${path}: ${kind} '${ref.assetId}' has no version ${ref.version} (it has ${target.versions.length})`,
      );
    }
  }
  return null;
}
