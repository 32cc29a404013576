/**
 * The assets context's invariants under random commands (fast-check): versions never change once
 * recorded, lineage always resolves (to a version that exists, of the right kind, in the same
 * group, archived or not), use counts are what the log says, and no list or read crosses groups
 * or shows another user's private asset.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AssetCommand } from './commands.js';
import { ASSET_KINDS } from './model.js';
import { assetFor, listAssets } from './queries.js';
import { Assets } from './test-support/given.js';

const USERS = [
  { userId: 'u1', group: 'g1' },
  { userId: 'u2', group: 'g1' },
  { userId: 'u3', group: 'g2' },
];
const NAMES = ['a', 'b', 'c', 'd'];
const GROUPS = ['g1', 'g2'];

const assetId = fc.tuple(fc.constantFrom(...GROUPS), fc.constantFrom(...NAMES)).map(([g, n]) => `${g}/${n}`);
const ref = fc.record({ assetId, version: fc.integer({ min: 1, max: 3 }) });
const user = fc.constantFrom(...USERS);

const command: fc.Arbitrary<AssetCommand> = fc.oneof(
  fc.record({ u: user, kind: fc.constantFrom(...ASSET_KINDS), name: fc.constantFrom(...NAMES), private: fc.boolean() }).map(
    ({ u, kind, name, private: p }): AssetCommand => ({
      type: 'CreateAsset',
      kind,
      group: u.group,
      name,
      owner: u.userId,
      private: p,
      ...(kind === 'model' ? {} : { source: { kind: 'object', uri: `s3://bucket/${name}` } }),
    }),
  ),
  fc
    .record({
      u: user,
      id: assetId,
      workspace: fc.option(ref, { nil: undefined }),
      datasets: fc.array(ref, { maxLength: 2 }),
      model: fc.option(ref, { nil: undefined }),
    })
    .map(
      ({ u, id, workspace, datasets, model }): AssetCommand => ({
        type: 'RecordAssetVersion',
        assetId: id,
        by: u.userId,
        pin: { contentHash: 'h' },
        uri: `s3://bucket/${id}`,
        metrics: { loss: 0.5 },
        lineage: { datasets, ...(workspace ? { workspace } : {}), ...(model ? { model } : {}) },
      }),
    ),
  fc
    .record({ id: assetId, p: fc.boolean() })
    .map(({ id, p }): AssetCommand => ({ type: 'UpdateAsset', assetId: id, private: p })),
  assetId.map((id): AssetCommand => ({ type: 'ArchiveAsset', assetId: id })),
  assetId.map((id): AssetCommand => ({ type: 'DeleteAsset', assetId: id })),
  fc
    .record({ refs: fc.array(ref, { maxLength: 4 }), job: fc.nat(20) })
    .map(({ refs, job }): AssetCommand => ({ type: 'RecordAssetUses', jobId: `j${job}`, refs })),
);

describe('the assets context (properties)', () => {
  it('keeps versions immutable, lineage resolvable and every read inside the reader’s sight', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 60 }), (commands) => {
        const a = new Assets(); // checks the invariants and the replay after every command
        const seen = new Map<string, string>(); // `${assetId}@${version}` -> the version as first recorded
        commands.forEach((c, i) => {
          const r = a.at(i).when(c);
          // A deleted asset's versions are gone with it; a new asset of that name starts again at 1.
          for (const e of r.events) {
            if (e.type !== 'AssetDeleted') continue;
            for (const key of [...seen.keys()]) if (key.startsWith(`${e.assetId}@`)) seen.delete(key);
          }
          for (const asset of a.state.assets.values()) {
            for (const v of asset.versions) {
              const key = `${asset.id}@${v.version}`;
              const now = JSON.stringify(v);
              const first = seen.get(key);
              if (first === undefined) seen.set(key, now);
              else expect(now, `${key} changed`).toBe(first);
            }
          }
          // u1 also as if moved to g2: what u1 made in g1 stays g1's, listed to u1 alone.
          for (const viewer of [...USERS, { userId: 'u1', group: 'g2' }]) {
            for (const item of listAssets(a.state, viewer, {}).items.concat(
              listAssets(a.state, viewer, { archived: true }).items,
            )) {
              if (item.group !== viewer.group) expect(item.owner).toBe(viewer.userId);
              if (item.private) expect(item.owner).toBe(viewer.userId);
            }
            for (const id of a.state.assets.keys()) {
              const got = assetFor(a.state, viewer, id);
              if (got && got.owner !== viewer.userId) {
                expect(got.group).toBe(viewer.group);
                expect(got.private).toBe(false);
              }
            }
          }
        });
      }),
      { numRuns: 300 },
    );
  });
});
