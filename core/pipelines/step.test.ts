/** A container step as the job it runs: its command line resolved, its GPUs, its platform spec. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { PipelineSpec, PlatformSpec } from './ir.js';
import { acceleratorOf, parseQuantity, stepJob } from './step.js';
import { PipelinesWorld } from './test-support/world.js';

const documents = (name: string) =>
  parseAllDocuments(readFileSync(new URL(`./fixtures/kfp/compiled/${name}.yaml`, import.meta.url), 'utf8')).map((d) => d.toJS());

describe('stepJob', () => {
  it('resolves the placeholders of a step against its inputs and provisioned outputs', () => {
    const w = new PipelinesWorld();
    const runId = w.startRun(w.upload('two', documents('two_step_pipeline')[0] as PipelineSpec), 'r', {
      parameters: { text: 'hi there' } as never,
    });
    const job = stepJob(w.run(runId), w.task(runId, 'root/write-to-gcs'));
    expect(job.ok).toBe(true);
    if (!job.ok) return;
    expect(job.value.image).toBe('google/cloud-sdk:slim');
    expect(job.value.command).toEqual([
      'sh',
      '-c',
      'set -e -x\necho "$0" | gsutil cp - "$1"\n',
      'hi there',
      's3://gpupool/pipelines/team/r/write-to-gcs/1/output_gcs_path',
    ]);
    expect(job.value.gpus).toBe(0);
  });

  it('takes GPUs from the accelerator and the executor platform spec', () => {
    const [spec, platform] = documents('gpu-scheduling_nvidia_gpu_scheduling_check') as [
      PipelineSpec,
      { platforms: PlatformSpec },
    ];
    const w = new PipelinesWorld();
    const p = `team/gpu`;
    w.must({
      type: 'CreatePipeline',
      pipelineId: p,
      owner: 'ada',
      group: 'team',
      name: 'gpu',
      version: { versionId: `${p}@v1`, name: 'v1', format: 'v2', spec: spec as never, platform: platform.platforms as never },
    });
    const runId = w.startRun(p, 'r');
    const job = stepJob(w.run(runId), w.task(runId, 'root/verify-gpu-scheduled'));
    expect(job.ok && job.value.gpus).toBe(1);
    expect(job.ok && job.value.gpuType).toBe(null);
    expect(job.ok && job.value.platform?.tolerations).toEqual([
      { effect: 'NoSchedule', key: 'nvidia.com/gpu', operator: 'Exists' },
    ]);
    expect(job.ok && job.value.args).toEqual(['echo "GPU scheduling check: PASS"']);
  });

  describe('a GPU step’s node selector on the GPU type label (on Kubernetes) names its GPU type', () => {
    /** The GPU scheduling sample with its executor's node selector set, and its accelerator's type if given. */
    const runWith = (labels: Record<string, string>, acceleratorType?: string) => {
      const [spec, platform] = documents('gpu-scheduling_nvidia_gpu_scheduling_check') as [
        PipelineSpec,
        { platforms: PlatformSpec },
      ];
      const executors = platform.platforms.kubernetes?.deploymentSpec?.executors ?? {};
      for (const e of Object.values(executors)) (e as { nodeSelector?: unknown }).nodeSelector = { labels };
      if (acceleratorType !== undefined) {
        for (const ex of Object.values(spec.deploymentSpec.executors)) {
          const accelerator = ex.container?.resources?.accelerator as { type?: string } | undefined;
          if (accelerator) accelerator.type = acceleratorType;
        }
      }
      const w = new PipelinesWorld();
      w.must({
        type: 'CreatePipeline',
        pipelineId: 'team/gpu',
        owner: 'ada',
        group: 'team',
        name: 'gpu',
        version: {
          versionId: 'team/gpu@v1',
          name: 'v1',
          format: 'v2',
          spec: spec as never,
          platform: platform.platforms as never,
        },
      });
      const runId = w.startRun('team/gpu', 'r');
      return (options: { gpuTypeLabel?: string }) => stepJob(w.run(runId), w.task(runId, 'root/verify-gpu-scheduled'), options);
    };
    const label = 'nvidia.com/gpu.product';

    it('the label’s value, with the label named; nothing without (the simulated runtime) or for another label', () => {
      const job = runWith({ [label]: 'Tesla-T4', 'cloud.google.com/gke-nodepool': 'gpus' });
      const typed = job({ gpuTypeLabel: label });
      expect(typed.ok && typed.value.gpuType).toBe('Tesla-T4');
      // The selector still goes with the pod, whole.
      expect(typed.ok && typed.value.platform?.nodeSelector?.labels).toEqual({
        [label]: 'Tesla-T4',
        'cloud.google.com/gke-nodepool': 'gpus',
      });
      // The scheduler places the step by the other labels; the GPU type label is its type.
      expect(typed.ok && typed.value.nodeSelector).toEqual({ 'cloud.google.com/gke-nodepool': 'gpus' });
      const plain = job({});
      expect(plain.ok && plain.value.gpuType).toBe(null);
      expect(plain.ok && plain.value.nodeSelector).toEqual({ [label]: 'Tesla-T4', 'cloud.google.com/gke-nodepool': 'gpus' });
      const other = runWith({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' })({ gpuTypeLabel: label });
      expect(other.ok && other.value.gpuType).toBe(null);
      expect(other.ok && other.value.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' });
      // Only the GPU type label: no selector left for the scheduler.
      const only = runWith({ [label]: 'Tesla-T4' })({ gpuTypeLabel: label });
      expect(only.ok && only.value.nodeSelector).toBe(null);
    });

    it('agreeing with the accelerator’s type; a disagreement is why the step cannot run', () => {
      const same = runWith({ [label]: 'Tesla-T4' }, 'Tesla-T4')({ gpuTypeLabel: label });
      expect(same.ok && same.value.gpuType).toBe('Tesla-T4');
      expect(runWith({ [label]: 'Tesla-T4' }, 'A100')({ gpuTypeLabel: label })).toEqual({
        ok: false,
        message: "its accelerator type 'A100' and its node selector's nvidia.com/gpu.product 'Tesla-T4' name different GPU types",
      });
    });
  });

  it('a GPU step’s required node affinity terms place its GPUs; weighted ones are left to the cluster’s scheduler', () => {
    const [spec, platform] = documents('gpu-scheduling_nvidia_gpu_scheduling_check') as [
      PipelineSpec,
      { platforms: PlatformSpec },
    ];
    const ssd = { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] };
    const big = { matchExpressions: [{ key: 'gpu-mem', operator: 'Gt', values: ['40'] }] };
    const spot = { matchExpressions: [{ key: 'spot', operator: 'DoesNotExist' }], weight: 10 };
    for (const e of Object.values(platform.platforms.kubernetes?.deploymentSpec?.executors ?? {})) {
      (e as { nodeAffinity?: unknown }).nodeAffinity = [ssd, big, spot];
    }
    const w = new PipelinesWorld();
    const version = {
      versionId: 'team/gpu@v1',
      name: 'v1',
      format: 'v2',
      spec: spec as never,
      platform: platform.platforms as never,
    };
    w.must({ type: 'CreatePipeline', pipelineId: 'team/gpu', owner: 'ada', group: 'team', name: 'gpu', version } as never);
    const runId = w.startRun('team/gpu', 'r');
    const job = stepJob(w.run(runId), w.task(runId, 'root/verify-gpu-scheduled'));
    expect(job.ok && job.value.nodeAffinity).toEqual([ssd, { matchExpressions: [{ ...big.matchExpressions[0] }] }]);
    expect(job.ok && job.value.platform?.nodeAffinity).toHaveLength(3); // the pod gets all three
  });

  it('a GPU step’s node selector and affinity given as JSON (kfp-kubernetes add_*_json) place its GPUs as written ones do', () => {
    const [spec, platform] = documents('gpu-scheduling_nvidia_gpu_scheduling_check') as [
      PipelineSpec,
      { platforms: PlatformSpec },
    ];
    const label = 'nvidia.com/gpu.product';
    const zone = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] };
    const constant = (value: unknown) => ({ runtimeValue: { constant: value } });
    const withJson = (selector: unknown, affinity: unknown) => {
      for (const e of Object.values(platform.platforms.kubernetes?.deploymentSpec?.executors ?? {})) {
        Object.assign(e, {
          nodeSelector: { nodeSelectorJson: constant(selector) },
          nodeAffinity: [{ nodeAffinityJson: constant(affinity) }],
        });
      }
      const w = new PipelinesWorld();
      const version = { versionId: 'team/gpu@v1', name: 'v1', format: 'v2', spec, platform: platform.platforms };
      w.must({ type: 'CreatePipeline', pipelineId: 'team/gpu', owner: 'ada', group: 'team', name: 'gpu', version } as never);
      const runId = w.startRun('team/gpu', 'r');
      return stepJob(w.run(runId), w.task(runId, 'root/verify-gpu-scheduled'), { gpuTypeLabel: label });
    };
    const job = withJson(
      { [label]: 'Tesla-T4', disk: 'ssd' },
      {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [zone] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: zone }],
      },
    );
    expect(job.ok).toBe(true);
    if (!job.ok) return;
    expect(job.value.gpuType).toBe('Tesla-T4');
    expect(job.value.nodeSelector).toEqual({ disk: 'ssd' });
    expect(job.value.nodeAffinity).toEqual([zone]);
    // The pod gets the selector whole and both terms, written.
    expect(job.value.platform?.nodeSelector).toEqual({ labels: { [label]: 'Tesla-T4', disk: 'ssd' } });
    expect(job.value.platform?.nodeAffinity).toEqual([zone, { ...zone, weight: 5 }]);
    // A value of the wrong shape is why the step cannot run.
    expect(withJson({ disk: ['ssd'] }, null)).toEqual({
      ok: false,
      message: 'its node selector (nodeSelectorJson) from its constant at disk: must be a string, not ["ssd"]',
    });
  });

  it('reads quantities and accelerator types as the SDK writes them', () => {
    expect([parseQuantity('500m'), parseQuantity('2'), parseQuantity('4G'), parseQuantity('512Mi'), parseQuantity('x')]).toEqual([
      0.5,
      2,
      4e9,
      512 * 2 ** 20,
      null,
    ]);
    expect(acceleratorOf({ accelerator: { type: 'NVIDIA_TESLA_T4', count: 2 } })).toEqual({
      gpus: 2,
      gpuType: 'NVIDIA_TESLA_T4',
    });
    expect(acceleratorOf({ accelerator: { resourceType: 'nvidia.com/gpu', resourceCount: '4' } })).toEqual({
      gpus: 4,
      gpuType: null,
    });
    expect(acceleratorOf(undefined)).toEqual({ gpus: 0, gpuType: null });
  });
});
