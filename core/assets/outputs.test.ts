/**
 * What a completed job makes: the command recording its product as the next version of its
 * output asset, with its final metrics and its lineage; nothing for a job that did not complete
 * or names no output of its kind.
 */
import { describe, expect, it } from 'vitest';
import type { JobState } from '../cluster/model.js';
import { outputVersion } from './outputs.js';

const job = (over: Partial<JobState> = {}) =>
  ({
    id: 'ga/train',
    kind: 'training',
    owner: 'alice',
    status: 'Complete',
    inputs: { workspace: { assetId: 'ga/cv', version: 2 }, datasets: [{ assetId: 'ga/img', version: 1, mountPath: '/d' }] },
    output: { model: 'ga/resnet' },
    spec: { image: 'pytorch:2.3', hyperparameters: { lr: 0.1 } },
    ...over,
  }) as JobState;

describe('a completed job’s product', () => {
  it('is its output model’s next version, with the final metrics and the lineage', () => {
    expect(outputVersion(job(), { loss: 0.2 })).toEqual({
      type: 'RecordAssetVersion',
      assetId: 'ga/resnet',
      by: 'alice',
      uri: 'gpupool://jobs/ga/train/model',
      metrics: { loss: 0.2 },
      lineage: {
        job: 'ga/train',
        workspace: { assetId: 'ga/cv', version: 2 },
        datasets: [{ assetId: 'ga/img', version: 1 }],
        hyperparameters: { lr: 0.1 },
        image: 'pytorch:2.3',
      },
    });
  });

  it('of a preprocessing job is its output dataset’s, at the URI its spec names', () => {
    const c = outputVersion(
      job({ kind: 'preprocessing', output: { dataset: 'ga/clean' }, spec: { outputUri: 's3://b/clean/v2' } }),
      {},
    );
    expect(c).toMatchObject({ assetId: 'ga/clean', uri: 's3://b/clean/v2' });
  });

  it('is nothing for a job that failed, was stopped, or names no output of its kind', () => {
    expect(outputVersion(job({ status: 'Error' }), {})).toBeNull();
    expect(outputVersion(job({ status: 'Stopped' }), {})).toBeNull();
    expect(outputVersion(job({ output: null }), {})).toBeNull();
    expect(outputVersion(job({ output: { dataset: 'ga/x' } }), {})).toBeNull();
    expect(outputVersion(job({ kind: 'notebook' }), {})).toBeNull();
  });

  it('names the hyperparameters file in the lineage, beside the inline values', () => {
    const c = outputVersion(
      job({
        inputs: { workspace: { assetId: 'ga/cv', version: 2 }, hyperparametersFile: 'conf/hp.yaml' },
      }),
      {},
    );
    expect(c).toMatchObject({
      lineage: { workspace: { assetId: 'ga/cv', version: 2 }, hyperparametersFile: 'conf/hp.yaml', hyperparameters: { lr: 0.1 } },
    });
  });
});
