/**
 * What a completed job makes: a training job with an output model records the model's next
 * version, a preprocessing job with an output dataset the dataset's; each version carries the
 * metrics the job reported (their final values) and its lineage: the job, the versions it was
 * pinned to, its hyperparameters and image (from its spec). Pure: a reactor following the cluster
 * stream calls it for each completed job and sends the command it answers to the assets engine.
 */
import type { JobState } from '../cluster/model.js';
import type { AssetCommand } from './commands.js';

type Job = Pick<JobState, 'id' | 'kind' | 'owner' | 'status' | 'inputs' | 'output' | 'spec'>;

/** The URI a job's product is known by until a runtime reports where it wrote it. */
export const productUri = (jobId: string, kind: 'model' | 'dataset'): string => `gpupool://jobs/${jobId}/${kind}`;

export function outputVersion(job: Job, metrics: Readonly<Record<string, number>>): AssetCommand | null {
  if (job.status !== 'Complete' || job.output === null) return null;
  const kind = job.kind === 'training' ? 'model' : job.kind === 'preprocessing' ? 'dataset' : null;
  const assetId = kind === null ? undefined : job.output[kind];
  if (kind === null || assetId === undefined) return null;
  const spec = (typeof job.spec === 'object' && job.spec !== null ? job.spec : {}) as Record<string, unknown>;
  const hyperparameters = spec.hyperparameters;
  const inputs = job.inputs;
  return {
    type: 'RecordAssetVersion',
    assetId,
    by: job.owner,
    uri: typeof spec.outputUri === 'string' ? spec.outputUri : productUri(job.id, kind),
    metrics: { ...metrics },
    lineage: {
      job: job.id,
      ...(inputs?.workspace ? { workspace: inputs.workspace } : {}),
      datasets: (inputs?.datasets ?? []).map(({ assetId: a, version }) => ({ assetId: a, version })),
      ...(inputs?.model ? { model: inputs.model } : {}),
      hyperparameters:
        typeof hyperparameters === 'object' && hyperparameters !== null && !Array.isArray(hyperparameters)
          ? (structuredClone(hyperparameters) as Record<string, never>)
          : {},
      ...(inputs?.hyperparametersFile !== undefined ? { hyperparametersFile: inputs.hyperparametersFile } : {}),
      ...(typeof spec.image === 'string' ? { image: spec.image } : {}),
    },
  };
}
