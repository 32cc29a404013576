/**
 * Pinning a job's inputs: references resolve to versions (the latest when none is named), as the
 * job's owner sees the assets; a later version does not change what was pinned.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { AssetCommand } from './commands.js';
import { InputsRequestCodec, pinInputs, pinnedRefs } from './inputs.js';
import { Assets } from './test-support/given.js';

const create = (kind: 'workspace' | 'dataset' | 'model', name: string, extra: Record<string, unknown> = {}): AssetCommand =>
  ({
    type: 'CreateAsset',
    kind,
    group: 'ga',
    name,
    owner: 'alice',
    ...(kind === 'model' ? {} : { source: { kind: 'object', uri: `s3://b/${name}` } }),
    ...extra,
  }) as AssetCommand;
const version = (assetId: string, extra: Record<string, unknown> = {}): AssetCommand =>
  ({
    type: 'RecordAssetVersion',
    assetId,
    by: 'alice',
    pin: { contentHash: 'h' },
    uri: `s3://b/${assetId}`,
    ...extra,
  }) as AssetCommand;

const alice = { userId: 'alice', group: 'ga' };
const world = () =>
  new Assets().given(
    create('workspace', 'code'),
    version('ga/code'),
    version('ga/code'),
    create('dataset', 'train'),
    version('ga/train'),
    create('dataset', 'empty'),
    create('model', 'base'),
    version('ga/base'),
    create('dataset', 'secret', { owner: 'bob', private: true }),
    version('ga/secret', { by: 'bob' }),
    create('dataset', 'theirs', { group: 'gb', owner: 'carol' }),
    version('gb/theirs', { by: 'carol' }),
  );

describe('pinning a job’s inputs', () => {
  it('resolves each reference to a version, the latest when none is named', () => {
    const a = world();
    const r = pinInputs(a.state, alice, {
      workspace: { assetId: 'ga/code' },
      datasets: [{ assetId: 'ga/train', version: 1, mountPath: '/data/train' }],
      model: { assetId: 'ga/base' },
    });
    expect(r).toEqual(
      E.right({
        workspace: { assetId: 'ga/code', version: 2 },
        datasets: [{ assetId: 'ga/train', version: 1, mountPath: '/data/train' }],
        model: { assetId: 'ga/base', version: 1 },
        hyperparametersFile: null,
      }),
    );
    // A later version of the workspace changes nothing already pinned.
    a.given(version('ga/code'));
    expect(E.isRight(r) && pinnedRefs(r.right)).toEqual([
      { assetId: 'ga/code', version: 2 },
      { assetId: 'ga/train', version: 1 },
      { assetId: 'ga/base', version: 1 },
    ]);
  });

  it('refuses what the owner may not see, the wrong kind, no version yet, a missing version, a bad mount', () => {
    const s = world().state;
    const refusal = (req: Parameters<typeof pinInputs>[2]) => {
      const r = pinInputs(s, alice, req);
      return E.isLeft(r) ? `${r.left.code}: ${r.left.message}` : 'pinned';
    };
    expect(refusal({ datasets: [{ assetId: 'gb/theirs', mountPath: '/d' }] })).toMatch(/^not-found/);
    expect(refusal({ datasets: [{ assetId: 'ga/secret', mountPath: '/d' }] })).toMatch(/^not-found/);
    expect(refusal({ workspace: { assetId: 'ga/train' } })).toMatch(/is a dataset, not a workspace/);
    expect(refusal({ datasets: [{ assetId: 'ga/empty', mountPath: '/d' }] })).toMatch(/no version yet/);
    expect(refusal({ workspace: { assetId: 'ga/code', version: 7 } })).toMatch(/no version 7/);
    expect(refusal({ datasets: [{ assetId: 'ga/train', mountPath: 'data' }] })).toMatch(/absolute/);
    expect(
      refusal({
        datasets: [
          { assetId: 'ga/train', mountPath: '/d' },
          { assetId: 'ga/train', mountPath: '/d' },
        ],
      }),
    ).toMatch(/mounted twice/);
    expect(refusal({ hyperparametersFile: 'conf/hp.yaml' })).toBe(
      'invalid-argument: inputs.hyperparametersFile: a file in the workspace needs inputs.workspace',
    );
    // Bob sees his private dataset.
    expect(
      E.isRight(pinInputs(s, { userId: 'bob', group: 'ga' }, { datasets: [{ assetId: 'ga/secret', mountPath: '/d' }] })),
    ).toBe(true);
  });

  it('keeps a hyperparameters file as a path in the pinned workspace version', () => {
    const a = world();
    const r = pinInputs(a.state, alice, { workspace: { assetId: 'ga/code' }, hyperparametersFile: 'conf/hp.yaml' });
    expect(r).toEqual(
      E.right({ workspace: { assetId: 'ga/code', version: 2 }, datasets: [], model: null, hyperparametersFile: 'conf/hp.yaml' }),
    );
  });

  it('accepts as a hyperparameters file only a relative path that stays inside the workspace', () => {
    const accepted = (path: unknown) => E.isRight(InputsRequestCodec.decode({ hyperparametersFile: path }));
    expect(accepted('conf/hp.yaml')).toBe(true);
    expect(accepted('hp.json')).toBe(true);
    for (const bad of [
      '',
      '/etc/passwd',
      '../secrets.yaml',
      'conf/../../x',
      'conf//hp.yaml',
      './hp.yaml',
      'conf/',
      'a\u0000b',
      'x'.repeat(1025),
      7,
    ]) {
      expect(accepted(bad), String(bad)).toBe(false);
    }
  });
});
