/**
 * The assets context's rules, one example each (given/when/then over the decider).
 */
import { describe, expect, it } from 'vitest';
import { runDeciderBatch } from '../decider.js';
import { assetsDecider } from './assets-decider.js';
import type { AssetCommand } from './commands.js';
import { listAssets } from './queries.js';
import { assetsFromSnapshot, assetsToSnapshot } from './snapshot.js';
import { Assets } from './test-support/given.js';

const git = { kind: 'git' as const, url: 'https://github.com/acme/vision.git', ref: 'main' };
const s3 = { kind: 'object' as const, uri: 's3://acme-data/imagenet/' };

const create = (
  kind: 'workspace' | 'dataset' | 'model',
  name: string,
  extra: Partial<AssetCommand & { type: 'CreateAsset' }> = {},
) =>
  ({
    type: 'CreateAsset',
    kind,
    group: 'ga',
    name,
    owner: 'alice',
    ...(kind === 'workspace' ? { source: git } : kind === 'dataset' ? { source: s3 } : {}),
    ...extra,
  }) as AssetCommand;
const version = (assetId: string, extra: Record<string, unknown> = {}) =>
  ({ type: 'RecordAssetVersion', assetId, by: 'alice', pin: { commit: 'abc123' }, ...extra }) as AssetCommand;
/** A job's uses of the versions named ([assetId, version] each), as one command. */
const uses = (jobId: string, ...refs: [string, number][]) =>
  ({ type: 'RecordAssetUses', jobId, refs: refs.map(([assetId, version]) => ({ assetId, version })) }) as AssetCommand & {
    type: 'RecordAssetUses';
  };

/** alice's workspace and dataset in group ga, one version each. */
const team = () =>
  new Assets().given(
    create('workspace', 'code'),
    create('dataset', 'images'),
    version('ga/code'),
    version('ga/images', { pin: { etag: 'e1' } }),
  );

describe('creating assets', () => {
  it('names them in the group, shared with it by default', () => {
    const r = new Assets().when(create('workspace', 'code', { tags: ['cv'], description: 'training code' }));
    expect(r.rejection).toBeUndefined();
    expect(r.events).toEqual([
      {
        type: 'AssetCreated',
        assetId: 'ga/code',
        kind: 'workspace',
        group: 'ga',
        name: 'code',
        owner: 'alice',
        description: 'training code',
        tags: ['cv'],
        private: false,
        source: git,
        credentials: null,
      },
    ]);
  });

  it('lets two groups use one name, and refuses a second in the same group', () => {
    const a = new Assets().given(create('dataset', 'images'), create('dataset', 'images', { group: 'gb', owner: 'carol' }));
    expect(a.state.assets.has('gb/images')).toBe(true);
    expect(a.when(create('workspace', 'images')).rejection?.code).toBe('already-exists');
  });

  it('refuses a source that carries credentials, or is not what its kind says', () => {
    const a = new Assets();
    const bad = (source: unknown) => a.when(create('dataset', 'x', { source } as never)).rejection?.message;
    expect(bad({ kind: 'http', url: 'https://user:secret@example.com/data.tar' })).toMatch(/credentials/);
    expect(bad({ kind: 'git', url: 'https://bob:token@github.com/acme/x.git' })).toMatch(/credentials/);
    expect(bad({ kind: 'object', uri: 'https://bucket/x' })).toMatch(/s3:\/\/ or gs:\/\//);
    expect(bad({ kind: 'volume', path: 'data/x' })).toMatch(/not absolute/);
    expect(bad({ kind: 'volume', path: '/data/../etc' })).toMatch(/'\.\.'/);
    expect(a.when(create('dataset', 'nosource', { source: undefined })).rejection?.message).toMatch(/needs a source/);
    expect(a.when(create('dataset', 'a/b')).rejection?.message).toMatch(/holds '\/'/);
    // Named credentials are fine.
    expect(a.when(create('dataset', 'ok', { credentials: 'acme-s3' })).rejection).toBeUndefined();
  });

  it('holds at most 256 characters of tags', () => {
    const r = new Assets().when(create('workspace', 'w', { tags: ['x'.repeat(257)] }));
    expect(r.rejection?.message).toMatch(/at most 256/);
  });
});

describe('versions', () => {
  it('are numbered in order and pin what was used', () => {
    const a = team().given(version('ga/code', { pin: { commit: 'def456' } }));
    expect(a.state.assets.get('ga/code')?.versions.map((v) => [v.version, v.pin.commit])).toEqual([
      [1, 'abc123'],
      [2, 'def456'],
    ]);
  });

  it('must pin something (a model version: the URI of its artifacts)', () => {
    const a = team().given(create('model', 'resnet'));
    expect(a.when(version('ga/code', { pin: {} })).rejection?.message).toMatch(/pins what was used/);
    expect(a.when(version('ga/resnet', { pin: {} })).rejection?.message).toMatch(/URI of its artifacts/);
    expect(
      a.when(version('ga/resnet', { uri: 's3://acme-models/resnet/1', metrics: { acc: Number.NaN } })).rejection?.message,
    ).toMatch(/finite/);
  });

  it('record lineage that resolves, in the group, visible to the one it is recorded for', () => {
    const a = team().given(
      create('model', 'resnet'),
      create('dataset', 'private-set', { private: true, owner: 'bob' }),
      version('ga/private-set', { by: 'bob', pin: { etag: 'p' } }),
      create('dataset', 'other', { group: 'gb', owner: 'carol' }),
      version('gb/other', { by: 'carol' }),
    );
    const train = (lineage: Record<string, unknown>) =>
      a.when(version('ga/resnet', { uri: 's3://acme-models/resnet/1', metrics: { acc: 0.91 }, lineage }));
    const good = train({
      job: 'ga/train-1',
      workspace: { assetId: 'ga/code', version: 1 },
      datasets: [{ assetId: 'ga/images', version: 1 }],
    });
    expect(good.rejection).toBeUndefined();
    expect(a.state.assets.get('ga/code')?.uses).toBe(1);
    expect(train({ workspace: { assetId: 'ga/code', version: 9 } }).rejection?.message).toMatch(/no version 9/);
    expect(train({ workspace: { assetId: 'ga/images', version: 1 } }).rejection?.message).toMatch(
      /is a dataset, not a workspace/,
    );
    // Another group's asset, or another user's private one, reads as missing.
    expect(train({ datasets: [{ assetId: 'gb/other', version: 1 }] }).rejection?.code).toBe('not-found');
    expect(train({ datasets: [{ assetId: 'ga/private-set', version: 1 }] }).rejection?.code).toBe('not-found');
  });

  it('record a hyperparameters file only as a path in the workspace version of the lineage', () => {
    const a = team().given(create('model', 'resnet'));
    const train = (lineage: Record<string, unknown>) => a.when(version('ga/resnet', { uri: 's3://m/1', lineage }));
    expect(train({ hyperparametersFile: 'conf/hp.yaml' }).rejection?.message).toBe(
      'lineage.hyperparametersFile: a file in the workspace needs lineage.workspace',
    );
    expect(
      train({ workspace: { assetId: 'ga/code', version: 1 }, hyperparametersFile: 'conf/hp.yaml' }).rejection,
    ).toBeUndefined();
    expect(a.state.assets.get('ga/resnet')?.versions[0]?.lineage).toMatchObject({
      workspace: { assetId: 'ga/code', version: 1 },
      hyperparametersFile: 'conf/hp.yaml',
    });
  });
});

describe('archive instead of delete', () => {
  it('deletes what nothing was made from, and archives the rest, whose versions still resolve', () => {
    const a = team().given(
      create('model', 'resnet'),
      version('ga/resnet', { uri: 's3://m/1', lineage: { datasets: [{ assetId: 'ga/images', version: 1 }] } }),
    );
    expect(a.when({ type: 'DeleteAsset', assetId: 'ga/images' }).rejection).toMatchObject({
      code: 'in-use',
      details: { uses: 1 },
    });
    expect(a.when({ type: 'ArchiveAsset', assetId: 'ga/images' }).events).toEqual([
      { type: 'AssetArchived', assetId: 'ga/images' },
    ]);
    // Gone from lists, still there for the model that was made from it.
    const viewer = { userId: 'alice', group: 'ga' };
    expect(listAssets(a.state, viewer, { kind: 'dataset' }).items).toEqual([]);
    expect(listAssets(a.state, viewer, { kind: 'dataset', archived: true }).items.map((x) => x.id)).toEqual(['ga/images']);
    expect(a.when(version('ga/images', { pin: { etag: 'e2' } })).rejection?.message).toMatch(/archived/);
    // The workspace nothing was made from goes; deleting the model frees what it was made from.
    expect(a.when({ type: 'DeleteAsset', assetId: 'ga/code' }).events).toEqual([{ type: 'AssetDeleted', assetId: 'ga/code' }]);
    a.given({ type: 'DeleteAsset', assetId: 'ga/resnet' });
    expect(a.state.assets.get('ga/images')?.uses).toBe(0);
  });

  it('counts a job that pinned a version as a use', () => {
    const a = team().given(uses('ga/prep', ['ga/images', 1]));
    expect(a.state.assets.get('ga/images')?.uses).toBe(1);
    expect(a.when({ type: 'DeleteAsset', assetId: 'ga/images' }).rejection?.code).toBe('in-use');
  });

  it("records a job's uses of all its versions as one event, each version once", () => {
    const a = team().given(version('ga/images', { pin: { etag: 'e2' } }));
    expect(a.when(uses('ga/train', ['ga/code', 1], ['ga/images', 1], ['ga/images', 2], ['ga/images', 1])).events).toEqual([
      {
        type: 'AssetsUsed',
        jobId: 'ga/train',
        refs: [
          { assetId: 'ga/code', version: 1 },
          { assetId: 'ga/images', version: 1 },
          { assetId: 'ga/images', version: 2 },
        ],
      },
    ]);
    expect([a.state.assets.get('ga/code')?.uses, a.state.assets.get('ga/images')?.uses]).toEqual([1, 2]);
    expect(a.when({ type: 'RecordAssetUses', jobId: 'ga/none', refs: [] }).rejection?.code).toBe('invalid-argument');
  });

  it('counts a use of an archived asset: the job ran on it, and its lineage needs it kept', () => {
    const a = team().given({ type: 'ArchiveAsset', assetId: 'ga/images' });
    expect(a.when(uses('ga/late', ['ga/images', 1])).events).toEqual([
      { type: 'AssetsUsed', jobId: 'ga/late', refs: [{ assetId: 'ga/images', version: 1 }] },
    ]);
    expect(a.when({ type: 'DeleteAsset', assetId: 'ga/images' }).rejection?.code).toBe('in-use');
  });

  it('skips, and says so, a version deleted since or never recorded; refuses when none is left, naming each', () => {
    const a = team().given({ type: 'DeleteAsset', assetId: 'ga/code' });
    expect(a.when(uses('ga/j', ['ga/code', 1], ['ga/images', 1], ['ga/images', 3])).events).toEqual([
      {
        type: 'AssetsUsed',
        jobId: 'ga/j',
        refs: [{ assetId: 'ga/images', version: 1 }],
        skipped: [
          { assetId: 'ga/code', version: 1, reason: "asset 'ga/code' does not exist" },
          { assetId: 'ga/images', version: 3, reason: "dataset 'ga/images' has no version 3 (it has 1)" },
        ],
      },
    ]);
    const none = a.when(uses('ga/k', ['ga/code', 1], ['ga/images', 2]));
    expect(none.events).toEqual([]);
    expect(none.rejection).toMatchObject({ code: 'not-found' });
    expect(none.rejection?.message).toBe(
      "job 'ga/k' used no version that exists: ga/code@1: asset 'ga/code' does not exist; ga/images@2: dataset 'ga/images' has no version 2 (it has 1)",
    );
    expect(a.state.assets.get('ga/images')?.uses).toBe(1);
  });

  it('counts a command sent twice under one id once (the route and the reactor both send it)', () => {
    const a = team();
    const command = { ...uses('ga/j', ['ga/code', 1], ['ga/images', 1]), commandId: 'uses:ga/j' };
    expect(a.when(command).events).toHaveLength(1);
    expect(a.when(command).events).toEqual([]);
    expect([a.state.assets.get('ga/code')?.uses, a.state.assets.get('ga/images')?.uses]).toEqual([1, 1]);
    expect(a.when({ ...command, refs: [{ assetId: 'ga/code', version: 1 }] }).rejection?.code).toBe('command-id-reused');
  });

  it('still folds the one-event-per-version uses of older logs', () => {
    const a = team();
    const old = { v: 1 as const, at: 0, type: 'AssetUsed' as const, assetId: 'ga/images', version: 1, jobId: 'ga/old' };
    const decoded = assetsDecider.decodeEvent(JSON.parse(JSON.stringify(old)));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) assetsDecider.evolve(a.state, decoded.value);
    expect(a.state.assets.get('ga/images')?.uses).toBe(1);
  });
});

describe('lists', () => {
  it('show mine, the group’s shared ones, or both; never another group’s or another user’s private one', () => {
    const a = team().given(
      create('dataset', 'bobs', { owner: 'bob', tags: ['nlp'] }),
      create('dataset', 'bobs-private', { owner: 'bob', private: true }),
      create('dataset', 'carols', { group: 'gb', owner: 'carol' }),
    );
    const alice = { userId: 'alice', group: 'ga' };
    const ids = (f: Parameters<typeof listAssets>[2]) => listAssets(a.state, alice, f).items.map((x) => x.id);
    expect(ids({ kind: 'dataset' })).toEqual(['ga/images', 'ga/bobs']);
    expect(ids({ kind: 'dataset', visibility: 'mine' })).toEqual(['ga/images']);
    expect(ids({ kind: 'dataset', visibility: 'shared' })).toEqual(['ga/bobs']);
    expect(ids({ tag: 'nlp' })).toEqual(['ga/bobs']);
    const page = listAssets(a.state, alice, {}, { offset: 1, limit: 2 });
    expect([page.total, page.items.map((x) => x.id)]).toEqual([3, ['ga/images', 'ga/bobs']]);
    expect(listAssets(a.state, { userId: 'op', group: 'default', operator: true }, { kind: 'dataset' }).total).toBe(4);
  });

  it('of a user moved to another group still hold what they made in the old one (it stays that group’s)', () => {
    const a = team().given(
      create('dataset', 'alices-private', { private: true }),
      create('dataset', 'bobs', { owner: 'bob' }),
      create('dataset', 'theirs', { group: 'gb', owner: 'carol' }),
    );
    // alice, now in gb: her own from ga, and gb's shared ones; never bob's.
    const moved = { userId: 'alice', group: 'gb' };
    const ids = (f: Parameters<typeof listAssets>[2]) => listAssets(a.state, moved, f).items.map((x) => x.id);
    expect(ids({})).toEqual(['gb/theirs', 'ga/code', 'ga/images', 'ga/alices-private']);
    expect(ids({ visibility: 'mine', kind: 'dataset' })).toEqual(['ga/images', 'ga/alices-private']);
    expect(ids({ visibility: 'shared' })).toEqual(['gb/theirs']);
    // ga still lists them to its members, as ever.
    expect(listAssets(a.state, { userId: 'bob', group: 'ga' }, { kind: 'dataset' }).items.map((x) => x.id)).toEqual([
      'ga/images',
      'ga/bobs',
    ]);
    // Deleted, it leaves her list (and the index of her groups).
    a.given(
      { type: 'DeleteAsset', assetId: 'ga/code' } as AssetCommand,
      { type: 'DeleteAsset', assetId: 'ga/images' } as AssetCommand,
      { type: 'DeleteAsset', assetId: 'ga/alices-private' } as AssetCommand,
    );
    expect(ids({ visibility: 'mine' })).toEqual([]);
    expect(a.state.ownerGroups.has('alice')).toBe(false);
  });

  it('updates description, tags and privacy, and says nothing when nothing changes', () => {
    const a = team();
    expect(a.when({ type: 'UpdateAsset', assetId: 'ga/code', private: true, tags: ['a'] }).events).toEqual([
      { type: 'AssetUpdated', assetId: 'ga/code', tags: ['a'], private: true },
    ]);
    expect(a.when({ type: 'UpdateAsset', assetId: 'ga/code', private: true }).events).toEqual([]);
    expect(listAssets(a.state, { userId: 'bob', group: 'ga' }, { kind: 'workspace' }).items).toEqual([]);
  });
});

describe('snapshots', () => {
  it('restore the state exactly: a command id remembered before is answered as a duplicate after', () => {
    const command = { ...create('dataset', 'images'), commandId: 'c-1' } as AssetCommand;
    const a = new Assets().given(command, version('ga/images', { pin: { etag: 'e' } }));
    const restored = assetsFromSnapshot(JSON.parse(JSON.stringify(assetsToSnapshot(a.state))));
    const again = runDeciderBatch(assetsDecider, restored, [command], 5);
    expect(again.outcomes[0]).toMatchObject({ ok: true, duplicate: true });
    expect(again.events).toEqual([]);
    expect(() => assetsFromSnapshot({ revision: 1 })).toThrow(/not an assets snapshot/);
  });
});
