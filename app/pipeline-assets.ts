/**
 * A pipeline step's products as assets: each output artifact typed `system.Dataset` or
 * `system.Model` becomes the next version of a dataset or model of the run's group, named
 * `<pipeline>-<output>` (created on its first version), with its URI and its lineage: the step's
 * job, its image, its parameter inputs as hyperparameters, and the dataset and model versions its
 * input artifacts were (found by their URIs). Pure: the run executor sends what it answers to the
 * assets engine once the step's success is recorded.
 */
import type { AssetCommand } from '../core/assets/commands.js';
import { type AssetsState, assetIdOf } from '../core/assets/model.js';
import type { JsonValue } from '../core/pipelines/ir.js';
import type { Run, TaskRun } from '../core/pipelines/model.js';

const KINDS: Readonly<Record<string, 'dataset' | 'model'>> = { 'system.Dataset': 'dataset', 'system.Model': 'model' };

/** An asset name from a pipeline's and an output's: lower case, `-` for anything else, at most 253 characters. */
export function productAssetName(pipeline: string, output: string): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, '-')
      .replace(/^-+|-+$/g, '');
  return `${clean(pipeline)}-${clean(output)}`.slice(0, 253);
}

/** The dataset and model versions whose content is at `uri`. */
function versionsAt(assets: Readonly<AssetsState>, group: string, uris: ReadonlySet<string>) {
  const found: { kind: 'dataset' | 'model'; ref: { assetId: string; version: number } }[] = [];
  if (uris.size === 0) return found;
  for (const a of assets.assets.values()) {
    if (a.group !== group || (a.kind !== 'dataset' && a.kind !== 'model')) continue;
    for (const v of a.versions)
      if (v.uri !== null && uris.has(v.uri)) found.push({ kind: a.kind, ref: { assetId: a.id, version: v.version } });
  }
  return found;
}

export function stepProducts(
  run: Run,
  task: TaskRun,
  jobId: string,
  image: string | null,
  assets: Readonly<AssetsState>,
): AssetCommand[] {
  if (task.state !== 'SUCCEEDED' || !task.outputs) return [];
  const commands: AssetCommand[] = [];
  const inputUris = new Set(Object.values(task.inputs.artifacts).flatMap((list) => list.map((a) => a.uri)));
  const inputs = versionsAt(assets, run.group, inputUris);
  const datasets = inputs.filter((i) => i.kind === 'dataset').map((i) => i.ref);
  const model = inputs.find((i) => i.kind === 'model')?.ref;
  for (const [output, list] of Object.entries(task.outputs.artifacts)) {
    for (const artifact of list) {
      const kind = artifact.schemaTitle === undefined ? undefined : KINDS[artifact.schemaTitle];
      if (kind === undefined) continue;
      const name = productAssetName(run.spec.pipelineInfo.name, output);
      const assetId = assetIdOf(run.group, name);
      const existing = assets.assets.get(assetId);
      const id = `pipelines:${jobId}:asset:${output}`;
      if (!existing) {
        commands.push({
          type: 'CreateAsset',
          kind,
          group: run.group,
          name,
          owner: run.owner,
          description: `The ${output} output of pipeline ${run.spec.pipelineInfo.name}`,
          tags: ['pipeline'],
          source: sourceOf(artifact.uri),
          commandId: `${id}:create`,
        });
      } else if (existing.kind !== kind || existing.versions.some((v) => v.uri === artifact.uri)) continue;
      commands.push({
        type: 'RecordAssetVersion',
        assetId,
        by: run.owner,
        uri: artifact.uri,
        metrics: numbersOf(artifact.metadata),
        lineage: {
          job: jobId,
          datasets,
          ...(model ? { model } : {}),
          hyperparameters: { ...task.inputs.parameters } as Record<string, never>,
          ...(image ? { image } : {}),
        },
        commandId: `${id}:version`,
      });
    }
  }
  return commands;
}

/** Where the first version came from, as the assets context names a source: an object store, a URL or a volume path. */
function sourceOf(uri: string) {
  if (uri.startsWith('/')) return { kind: 'volume' as const, path: uri };
  if (/^https?:\/\//i.test(uri)) return { kind: 'http' as const, url: uri };
  // MinIO (KFP's in-cluster store) speaks S3: its URIs name S3 objects.
  return { kind: 'object' as const, uri: uri.replace(/^minio:\/\//i, 's3://') };
}

/** An artifact's numeric metadata (a model's metrics, as KFP components log them). */
function numbersOf(metadata: Readonly<Record<string, JsonValue>> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metadata ?? {})) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
