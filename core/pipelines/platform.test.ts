/**
 * The platform spec's names read from the task's context (a constant, an input of its DAG, an
 * output of an earlier task), and the annotations with which the fake cluster plays a simulated
 * step (its time, its failure, its output files).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubernetesExecutorConfig, PipelineSpec, PlatformSpec } from './ir.js';
import { resolvePlatformNames } from './platform.js';
import { simulatedOutputFiles, simulatedPodAnnotations } from './simulation.js';
import { PipelinesWorld } from './test-support/world.js';

const documents = (path: string) =>
  parseAllDocuments(readFileSync(new URL(`./fixtures/kfp/${path}.yaml`, import.meta.url), 'utf8')).map((d) => d.toJS());

function secretRun(simulation: Record<string, unknown>, parameters: Record<string, unknown> = {}) {
  const [spec, platform] = documents('parser/critical_pipeline_with_secret_as_env') as [
    PipelineSpec,
    { platforms: PlatformSpec },
  ];
  const w = new PipelinesWorld();
  const p = 'team/secrets';
  w.must({
    type: 'CreatePipeline',
    pipelineId: p,
    owner: 'ada',
    group: 'team',
    name: 'secrets',
    version: { versionId: `${p}@v1`, name: 'v1', format: 'v2', spec: spec as never, platform: platform.platforms as never },
  });
  const runId = w.startRun(p, 'r', { simulation: simulation as never, parameters: parameters as never });
  w.play();
  const config = platform.platforms.kubernetes?.deploymentSpec?.executors?.['exec-comp'] as KubernetesExecutorConfig;
  return { w, runId, config };
}

describe('resolvePlatformNames', () => {
  it('names each secret from a pipeline input, a constant and an earlier task’s output', () => {
    const { w, runId, config } = secretRun(
      { 'generate-secret-name': { outputs: { some_output: 'test-secret-3' } } },
      { secret_parm: 'mine' },
    );
    const resolved = resolvePlatformNames(w.run(runId), w.task(runId, 'root/comp'), config);
    expect(resolved.secretAsEnv?.map((s) => s.secretName)).toEqual(['mine', 'test-secret-2', 'test-secret-3']);
    // The pipeline input's default when the run gives none.
    const byDefault = secretRun({ 'generate-secret-name': { outputs: { some_output: 'x' } } });
    expect(
      resolvePlatformNames(byDefault.w.run(byDefault.runId), byDefault.w.task(byDefault.runId, 'root/comp'), byDefault.config)
        .secretAsEnv?.[0]?.secretName,
    ).toBe('test-secret-1');
  });

  it('leaves a name that does not resolve (an empty output) unnamed, for the runtime to refuse', () => {
    const { w, runId, config } = secretRun({});
    const resolved = resolvePlatformNames(w.run(runId), w.task(runId, 'root/comp'), config);
    expect(resolved.secretAsEnv?.[2]?.secretName).toBeUndefined();
    // What had no parameter is as it was.
    expect(resolvePlatformNames(w.run(runId), w.task(runId, 'root/comp'), { tolerations: [{ key: 'k' }] })).toEqual({
      tolerations: [{ key: 'k' }],
    });
  });
});

describe('simulatedPodAnnotations', () => {
  it('a component with placeholders writes each output parameter to its file', () => {
    const spec = documents('compiled/critical_flip_coin')[0] as PipelineSpec;
    // The coin as a plain container: its output file named by a placeholder, no executor input.
    const container = {
      image: 'alpine',
      command: ['sh', '-c', 'echo heads > "$0"', "{{$.outputs.parameters['Output'].output_file}}"],
    };
    const plain = {
      ...spec,
      deploymentSpec: { executors: { ...spec.deploymentSpec.executors, 'exec-flip-coin': { container } } },
    } as PipelineSpec;
    const w = new PipelinesWorld();
    const runId = w.startRun(w.upload('coin', plain), 'r', {
      simulation: { 'flip-coin': { outputs: { Output: 'tails' } } } as never,
    });
    expect(simulatedOutputFiles(w.run(runId), w.task(runId, 'root/flip-coin'))).toEqual({ '/tmp/kfp/outputs/Output': 'tails' });
  });

  it('runs the fixture’s time, writes the output files, and exits 1 for an attempt the fixture fails', () => {
    const { w, runId } = secretRun({
      'generate-secret-name': { seconds: 2.5, outputs: { some_output: 'n' } },
      comp: { outcome: 'failed' },
    });
    const run = w.run(runId);
    const producer = w.task(runId, 'root/generate-secret-name');
    // A component the SDK built reports through KFP's executor output file.
    const written = {
      '/s3/gpupool/pipelines/team/r/generate-secret-name/1/output_metadata.json': '{"parameterValues":{"some_output":"n"}}',
    };
    expect(simulatedOutputFiles(run, producer)).toEqual(written);
    expect(simulatedPodAnnotations(run, producer)).toEqual({
      'sim.gpupool.io/run-for-ms': '2500',
      'sim.gpupool.io/files': JSON.stringify(written),
    });
    expect(simulatedPodAnnotations(run, producer, 10)['sim.gpupool.io/run-for-ms']).toBe('25');
    const failing = simulatedPodAnnotations(run, w.task(runId, 'root/comp'));
    expect(failing['sim.gpupool.io/exit-code']).toBe('1');
    expect(failing['sim.gpupool.io/files']).toBe('{}');
  });
});
