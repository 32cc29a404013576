/**
 * What the platform spec reads from the task's context (a constant, an input of its DAG, an
 * output of an earlier task): names, and a node selector, node affinity and tolerations as JSON;
 * and the annotations with which the fake cluster plays a simulated
 * step (its time, its failure, its output files).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubernetesExecutorConfig, PipelineSpec, PlatformSpec } from './ir.js';
import { resolvePlatform } from './platform.js';
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

/** The platform spec resolved, which these cases expect to succeed. */
function resolvedIn(...args: Parameters<typeof resolvePlatform>): KubernetesExecutorConfig {
  const r = resolvePlatform(...args);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('resolvePlatform: names', () => {
  it('names each secret from a pipeline input, a constant and an earlier task’s output', () => {
    const { w, runId, config } = secretRun(
      { 'generate-secret-name': { outputs: { some_output: 'test-secret-3' } } },
      { secret_parm: 'mine' },
    );
    const resolved = resolvedIn(w.run(runId), w.task(runId, 'root/comp'), config);
    expect(resolved.secretAsEnv?.map((s) => s.secretName)).toEqual(['mine', 'test-secret-2', 'test-secret-3']);
    // The pipeline input's default when the run gives none.
    const byDefault = secretRun({ 'generate-secret-name': { outputs: { some_output: 'x' } } });
    expect(
      resolvedIn(byDefault.w.run(byDefault.runId), byDefault.w.task(byDefault.runId, 'root/comp'), byDefault.config)
        .secretAsEnv?.[0]?.secretName,
    ).toBe('test-secret-1');
  });

  it('leaves a name that does not resolve (an empty output) unnamed, for the runtime to refuse', () => {
    const { w, runId, config } = secretRun({});
    const resolved = resolvedIn(w.run(runId), w.task(runId, 'root/comp'), config);
    expect(resolved.secretAsEnv?.[2]?.secretName).toBeUndefined();
    // What had no parameter is as it was.
    expect(resolvedIn(w.run(runId), w.task(runId, 'root/comp'), { tolerations: [{ key: 'k' }] })).toEqual({
      tolerations: [{ key: 'k' }],
    });
  });
});

/**
 * KFP's sample of kfp-kubernetes settings read from optional pipeline inputs (node selector,
 * affinity and tolerations as JSON, names as parameters), run with these parameters.
 */
function optionalInputsRun(parameters: Record<string, unknown>) {
  const [spec, platform] = documents('parser/critical_missing_kubernetes_optional_inputs') as [
    PipelineSpec,
    { platforms: PlatformSpec },
  ];
  const w = new PipelinesWorld();
  w.upload('optional', spec, platform.platforms);
  const runId = w.startRun('team/optional', 'r', { parameters: parameters as never });
  const config = platform.platforms.kubernetes?.deploymentSpec?.executors?.['exec-log-message'] as KubernetesExecutorConfig;
  return (over: Partial<KubernetesExecutorConfig> = {}) =>
    resolvePlatform(w.run(runId), w.task(runId, 'root/log-message'), { ...config, ...over });
}

describe('resolvePlatform: a node selector, node affinity and tolerations given as JSON', () => {
  const zoneA = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] };
  const notSpot = { matchExpressions: [{ key: 'spot', operator: 'DoesNotExist' }] };

  it('reads each from its pipeline input into the written form the scheduler and the pod read', () => {
    const resolve = optionalInputsRun({
      optional_selector: { disk: 'ssd', 'example.com/tier': 'gold' },
      optional_affinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [zoneA, notSpot] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 20, preference: notSpot }],
      },
      optional_tolerations: [
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'spot', operator: 'Equal', value: 'yes', effect: 'NoExecute', tolerationSeconds: 60 },
      ],
    });
    const r = resolve();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.nodeSelector).toEqual({ labels: { disk: 'ssd', 'example.com/tier': 'gold' } });
    expect(r.value.nodeAffinity).toEqual([zoneA, notSpot, { ...notSpot, weight: 20 }]);
    expect(r.value.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'spot', operator: 'Equal', value: 'yes', effect: 'NoExecute', tolerationSeconds: 60 },
    ]);
    // Written terms and tolerations beside the JSON ones are kept, in their places.
    const mixed = resolve({
      nodeAffinity: [{ ...zoneA, weight: 3 }, { nodeAffinityJson: { componentInputParameter: 'optional_affinity' } }],
      tolerations: [{ key: 'first' }, { tolerationJson: { componentInputParameter: 'optional_tolerations' } }],
    });
    expect(mixed.ok && mixed.value.nodeAffinity).toEqual([{ ...zoneA, weight: 3 }, zoneA, notSpot, { ...notSpot, weight: 20 }]);
    expect(mixed.ok && mixed.value.tolerations?.map((t) => t.key)).toEqual(['first', 'nvidia.com/gpu', 'spot']);
  });

  it('adds nothing for an input not given or null (optional, as in KFP); one toleration may come alone', () => {
    const none = optionalInputsRun({})();
    expect(none.ok).toBe(true);
    if (!none.ok) return;
    expect(none.value.nodeSelector).toBeUndefined();
    expect(none.value.nodeAffinity).toEqual([]);
    expect(none.value.tolerations).toEqual([]);
    // A null value (a constant here; a task's output may be one) is as none.
    const nul = { runtimeValue: { constant: null } };
    const nulls = optionalInputsRun({})({
      nodeSelector: { nodeSelectorJson: nul },
      nodeAffinity: [{ nodeAffinityJson: nul }],
      tolerations: [{ tolerationJson: nul }],
    });
    expect(nulls).toEqual(none);
    const one = optionalInputsRun({})({
      tolerations: [{ tolerationJson: { runtimeValue: { constant: { key: 'gpu', operator: 'Exists' } } } }],
    });
    expect(one.ok && one.value.tolerations).toEqual([{ key: 'gpu', operator: 'Exists' }]);
  });

  it('fails the step on a value of the wrong shape, naming where it came from and where inside it is wrong', () => {
    const fails = (parameters: Record<string, unknown>) => {
      const r = optionalInputsRun(parameters)();
      return r.ok ? 'resolved' : r.message;
    };
    expect(fails({ optional_selector: { disk: 3 } })).toBe(
      "its node selector (nodeSelectorJson) from input 'optional_selector' at disk: must be a string, not 3",
    );
    expect(
      fails({
        optional_affinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
          },
        },
      }),
    ).toBe(
      "its node affinity (nodeAffinityJson) from input 'optional_affinity' at requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.0.matchFields: not supported: name the nodes by a label (kubernetes.io/hostname)",
    );
    // An empty required term matches no node: the step could never start.
    expect(fails({ optional_affinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } })).toMatch(
      /nodeSelectorTerms\.0\.matchExpressions: must list one or more requirements$/,
    );
    expect(
      fails({ optional_affinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: zoneA }] } }),
    ).toMatch(/preferredDuringSchedulingIgnoredDuringExecution\.0\.weight: must be an integer from 1 to 100, not 0$/);
    expect(
      fails({
        optional_affinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: [1] }] }],
          },
        },
      }),
    ).toMatch(/matchExpressions\.0\.values\.0: must be a string, not 1$/);
    expect(fails({ optional_tolerations: [{ key: 'gpu' }, 'spot'] })).toBe(
      "its tolerations (tolerationJson) from input 'optional_tolerations' at 1: must be an object, not 'spot'",
    );
    expect(fails({ optional_tolerations: [{ key: 'gpu', tolerationSeconds: 1.5 }] })).toMatch(
      /at 0\.tolerationSeconds: must be an integer, not 1\.5$/,
    );
    // However large the value, the message shows only its start.
    expect(fails({ optional_selector: { disk: ['x'.repeat(10_000)] } })).toBe(
      `its node selector (nodeSelectorJson) from input 'optional_selector' at disk: must be a string, not ["${'x'.repeat(57)}…`,
    );
    // A constant names itself as the source.
    const r = optionalInputsRun({})({ nodeSelector: { nodeSelectorJson: { runtimeValue: { constant: 'disk=ssd' } } } });
    expect(r.ok ? 'resolved' : r.message).toBe(
      "its node selector (nodeSelectorJson) from its constant: must be an object of label values, not 'disk=ssd'",
    );
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
