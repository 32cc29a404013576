/**
 * Ready to start: a fresh installation offers a data scientist something to run at once. On the
 * first start (an empty assets stream) the Default Group gets an example workspace and dataset,
 * each with a version, owned by the installing operator (who, like every operator, may also work
 * as a data scientist): the README's tutorial trains a model from them. Each command has a fixed
 * id, so servers starting together on a fresh store create them once.
 */

import type { AssetsEngine } from '../adapters/http/context.js';
import type { AssetCommand } from '../core/assets/commands.js';
import { DEFAULT_GROUP_ID } from '../core/cluster/model.js';

export const EXAMPLES: readonly AssetCommand[] = [
  {
    type: 'CreateAsset',
    kind: 'workspace',
    group: DEFAULT_GROUP_ID,
    name: 'examples',
    owner: 'admin',
    description: 'PyTorch examples: mnist/main.py trains a small CNN on MNIST',
    tags: ['example', 'pytorch'],
    source: { kind: 'git', url: 'https://github.com/pytorch/examples.git', ref: 'main', path: 'mnist' },
  },
  {
    type: 'RecordAssetVersion',
    assetId: `${DEFAULT_GROUP_ID}/examples`,
    by: 'admin',
    uri: 'https://github.com/pytorch/examples/tree/main/mnist',
  },
  {
    type: 'CreateAsset',
    kind: 'dataset',
    group: DEFAULT_GROUP_ID,
    name: 'mnist',
    owner: 'admin',
    description: 'MNIST handwritten digits: 60,000 training and 10,000 test images',
    tags: ['example', 'vision'],
    source: { kind: 'http', url: 'https://ossci-datasets.s3.amazonaws.com/mnist/' },
  },
  {
    type: 'RecordAssetVersion',
    assetId: `${DEFAULT_GROUP_ID}/mnist`,
    by: 'admin',
    uri: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
  },
];

/** Create the examples for `operator` when the assets stream is empty (a fresh installation). */
export async function offerExamples(assets: AssetsEngine, operator: string): Promise<void> {
  if (assets.revision >= 0) return;
  const commands = EXAMPLES.map((c, i): AssetCommand => {
    const owned =
      c.type === 'CreateAsset' ? { ...c, owner: operator } : c.type === 'RecordAssetVersion' ? { ...c, by: operator } : c;
    return { ...owned, commandId: `bootstrap:example:${i}` };
  });
  await assets.executeBatch(commands);
}
