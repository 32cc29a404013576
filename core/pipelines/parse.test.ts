import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { libraryFromFiles } from './component-library.js';
import { formatPipelineIssues, type PipelineIssue, parsePipelineFile } from './parse.js';

const root = fileURLToPath(new URL('./fixtures/kfp/', import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, 'utf8');

/** Every YAML file under the fixtures, by its path relative to them. */
const allFixtures = (dir = ''): string[] =>
  readdirSync(`${root}${dir}`).flatMap((name) => {
    const path = `${dir}${name}`;
    if (statSync(`${root}${path}`).isDirectory()) return allFixtures(`${path}/`);
    return name.endsWith('.yaml') ? [path] : [];
  });

const load = (text: string) => {
  const r = parsePipelineFile(text);
  if (!r.ok) throw new Error(formatPipelineIssues(r.issues));
  return r.value;
};

const issuesOf = (text: string): readonly PipelineIssue[] => {
  const r = parsePipelineFile(text);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.issues;
};

/** A compiled sample as a plain value, to break in one place and write back. */
// biome-ignore lint/suspicious/noExplicitAny: a test edits the document freely
const sample = (name: string): any => parse(read(`compiled/${name}`));

describe('every sample loads', () => {
  const compiled: Record<string, { components: number; rootTasks: string[] }> = {
    'hello_world.yaml': { components: 1, rootTasks: ['echo'] },
    'two_step_pipeline.yaml': { components: 2, rootTasks: ['read-from-gcs', 'write-to-gcs'] },
    'essential_pipeline_with_after.yaml': { components: 3, rootTasks: ['print-text', 'print-text-2', 'print-text-3'] },
    'critical_flip_coin.yaml': { components: 13, rootTasks: ['condition-1', 'condition-4', 'flip-coin'] },
    'pipeline_with_nested_loops.yaml': { components: 7, rootTasks: ['for-loop-1', 'for-loop-4'] },
    'pipeline_with_parallelfor_parallelism.yaml': {
      components: 27,
      rootTasks: [
        'for-loop-1',
        'for-loop-10',
        'for-loop-11',
        'for-loop-12',
        'for-loop-13',
        'for-loop-4',
        'for-loop-8',
        'for-loop-9',
        'list-dict-maker-0',
        'list-dict-maker-1',
        'list-dict-maker-1-2',
        'list-dict-maker-2',
        'list-dict-maker-3',
      ],
    },
    'failing_pipeline_with_exit_handler.yaml': { components: 4, rootTasks: ['exit-handler-1', 'print-op'] },
    'critical_pipeline_with_retry.yaml': { components: 1, rootTasks: ['add'] },
    'critical_parameter_cache.yaml': { components: 4, rootTasks: ['crust-comp', 'mantle'] },
    'gpu-scheduling_nvidia_gpu_scheduling_check.yaml': { components: 1, rootTasks: ['verify-gpu-scheduled'] },
    'critical_collected_parameters.yaml': { components: 7, rootTasks: ['collecting-parameters', 'consume-ids'] },
    'if_elif_else_complex.yaml': { components: 28, rootTasks: ['for-loop-1', 'print-ints'] },
  };

  it('the compiled samples are the ones listed', () => {
    expect(readdirSync(`${root}compiled`).sort()).toEqual(Object.keys(compiled).sort());
  });

  for (const [file, expected] of Object.entries(compiled)) {
    it(`compiled/${file}: its tasks and components`, () => {
      const parsed = load(read(`compiled/${file}`));
      expect(parsed.format).toBe('v2');
      expect(Object.keys(parsed.spec.components)).toHaveLength(expected.components);
      expect(Object.keys(parsed.spec.root.dag?.tasks ?? {}).sort()).toEqual(expected.rootTasks);
      expect(parsed.spec.schemaVersion).toBe('2.1.0');
    });
  }

  it('every YAML file of the fixtures loads (the graph with its library)', () => {
    const library = libraryFromFiles(
      readdirSync(`${root}components/library`).map((name) => ({ name, text: read(`components/library/${name}`) })),
    );
    const results = allFixtures().map((path) => {
      const r = parsePipelineFile(read(path), library);
      return { path, ok: r.ok, issues: r.ok ? '' : formatPipelineIssues(r.issues) };
    });
    expect(results.length).toBeGreaterThanOrEqual(25);
    const graph = 'components/contrib_XGBoost_Train_and_cross-validate_regression_from_CSV.yaml';
    // The graph's one unresolvable reference is the sample's point (v1-graph.test.ts converts it with a stand-in).
    expect(results.filter((r) => !r.ok)).toEqual([
      { path: graph, ok: false, issues: expect.stringContaining('Aggregate regression metrics from csv') },
    ]);
  });

  it('v1 component files load as one-step pipelines', () => {
    for (const file of [
      'v1test_add_component.yaml',
      'v1test_concat_placeholder_component.yaml',
      'v1test_if_placeholder_component.yaml',
    ]) {
      const parsed = load(read(`components/${file}`));
      expect(parsed.format).toBe('v1-component');
      expect(Object.keys(parsed.spec.root.dag?.tasks ?? {})).toHaveLength(1);
    }
  });

  it('the gpu sample: its accelerator and the platform spec with its toleration', () => {
    const parsed = load(read('compiled/gpu-scheduling_nvidia_gpu_scheduling_check.yaml'));
    const container = parsed.spec.deploymentSpec.executors['exec-verify-gpu-scheduled']?.container;
    expect(container?.resources?.accelerator).toEqual({
      count: '1',
      resourceCount: '1',
      resourceType: 'nvidia.com/gpu',
      type: 'nvidia.com/gpu',
    });
    expect(parsed.platform?.kubernetes?.deploymentSpec?.executors?.['exec-verify-gpu-scheduled']?.tolerations).toEqual([
      { effect: 'NoSchedule', key: 'nvidia.com/gpu', operator: 'Exists' },
    ]);
    expect(load(read('compiled/hello_world.yaml')).platform).toBeNull();
  });

  it('the retry sample keeps its policy, the loops their iterators', () => {
    const retry = load(read('compiled/critical_pipeline_with_retry.yaml'));
    expect(retry.spec.root.dag?.tasks.add?.retryPolicy).toEqual({
      backoffDuration: '0s',
      backoffFactor: 2,
      backoffMaxDuration: '3600s',
      maxRetryCount: 3,
    });
    const loops = load(read('compiled/pipeline_with_parallelfor_parallelism.yaml'));
    expect(loops.spec.root.dag?.tasks['for-loop-1']?.iteratorPolicy).toEqual({ parallelismLimit: 2 });
    expect(loops.spec.root.dag?.tasks['for-loop-8']?.parameterIterator?.items.raw).toBe(
      '[{"a": 1, "b": 2}, {"a": 2, "b": 3}, {"a": 3, "b": 4}]',
    );
  });

  it('JSON is read as well as YAML, to the same pipeline', () => {
    for (const file of ['critical_flip_coin.yaml', 'if_elif_else_complex.yaml']) {
      const fromYaml = load(read(`compiled/${file}`));
      const fromJson = load(JSON.stringify(fromYaml.spec, null, 2));
      expect(fromJson).toEqual(fromYaml);
    }
  });

  it('a job file wrapping the IR (pipelineSpec, platform_spec) is read inside', () => {
    const gpu = load(read('compiled/gpu-scheduling_nvidia_gpu_scheduling_check.yaml'));
    const vertex = load(JSON.stringify({ pipelineSpec: gpu.spec, runtimeConfig: { parameterValues: {} } }));
    expect(vertex.spec).toEqual(gpu.spec);
    expect(vertex.platform).toBeNull();
    const api = load(JSON.stringify({ pipeline_spec: gpu.spec, platform_spec: { platforms: gpu.platform } }));
    expect(api.platform).toEqual(gpu.platform);
    const broken = { ...gpu.spec, components: {} };
    expect(issuesOf(JSON.stringify({ pipelineSpec: broken }))).toEqual([
      {
        path: 'pipelineSpec.root.dag.tasks.verify-gpu-scheduled.componentRef.name',
        message: "no component 'comp-verify-gpu-scheduled' in components",
      },
    ]);
  });

  it('YAML that PyYAML reads but the 1.2 spec refuses (a reformatted file) loads as KFP reads it', () => {
    const parsed = load(read('parser/critical_pipeline_with_secret_as_env.yaml'));
    const command = Object.values(parsed.spec.deploymentSpec.executors)[0]?.container?.command ?? [];
    // The continued scalar reads as PyYAML reads it: its line breaks folded into spaces.
    expect(command[2]).toContain('python3 -m ensurepip || python3 -m ensurepip --user || apt-get install python3-pip\n');
    const secrets = Object.values(parsed.platform?.kubernetes?.deploymentSpec?.executors ?? {})[0]?.secretAsEnv;
    expect(secrets?.[0]?.secretNameParameter).toEqual({ componentInputParameter: 'secret_parm' });
  });

  it('platform names and resources given by inputs and placeholders load', () => {
    const optional = load(read('parser/critical_missing_kubernetes_optional_inputs.yaml'));
    const pull = optional.platform?.kubernetes?.deploymentSpec?.executors?.['exec-log-message']?.imagePullSecret;
    expect(pull?.[0]?.secretNameParameter).toEqual({ componentInputParameter: 'optional_image_pull_secret_name' });
    const machine = load(read('parser/pipeline_with_string_machine_fields_task_output.yaml'));
    expect(machine.spec.deploymentSpec.executors['exec-sum-numbers']?.container?.resources?.accelerator?.resourceCount).toBe(
      "{{$.inputs.parameters['pipelinechannel--accelerator-limit-Output']}}",
    );
    const doc = parse(read('parser/pipeline_with_string_machine_fields_task_output.yaml'));
    doc.deploymentSpec.executors['exec-sum-numbers'].container.resources.accelerator.resourceCount = 'two';
    expect(issuesOf(stringify(doc))).toEqual([
      {
        path: 'deploymentSpec.executors.exec-sum-numbers.container.resources.accelerator.resourceCount',
        message: 'must be a non-negative integer or a placeholder',
      },
    ]);
  });

  it('fields this parser does not know are kept (a newer SDK writes more)', () => {
    const doc = sample('hello_world.yaml');
    doc.futureTopLevel = { x: 1 };
    doc.root.dag.tasks.echo.futureTaskField = 'kept';
    const parsed = load(stringify(doc));
    expect((parsed.spec as unknown as Record<string, unknown>).futureTopLevel).toEqual({ x: 1 });
    expect((parsed.spec.root.dag?.tasks.echo as unknown as Record<string, unknown> | undefined)?.futureTaskField).toBe('kept');
  });
});

describe('a broken file is refused with every fault and its path', () => {
  it('empty, blank, comments only', () => {
    expect(issuesOf('')).toEqual([{ path: '', message: 'the file is empty' }]);
    expect(issuesOf('  \n\t\n')).toEqual([{ path: '', message: 'the file is empty' }]);
    expect(issuesOf('# PIPELINE DEFINITION\n# Name: x\n')).toEqual([{ path: '', message: 'the file holds no pipeline' }]);
  });

  it('not YAML or JSON: one message, where the parser stopped', () => {
    const issues = issuesOf('pipelineInfo: {name: [x\nroot: }\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('');
    expect(issues[0]?.message).toMatch(/^not YAML or JSON: .*line \d+/);
    expect(issuesOf('{"pipelineInfo": {"name": "x"}')[0]?.message).toMatch(/^not YAML or JSON/);
    expect(issuesOf('a: 1\na: 2\n')[0]?.message).toMatch(/^not YAML or JSON: .*[Uu]nique/);
  });

  it('not a mapping: a list, a scalar', () => {
    expect(issuesOf('- a\n- b\n')).toEqual([{ path: '', message: 'a pipeline file must be a mapping, not a list' }]);
    expect(issuesOf('42')).toEqual([{ path: '', message: 'a pipeline file must be a mapping, not a number' }]);
    expect(issuesOf('just: text')[0]?.message).toMatch(/^not a pipeline/);
  });

  it('no name; no name in a v1 component either', () => {
    const doc = sample('hello_world.yaml');
    delete doc.pipelineInfo.name;
    expect(issuesOf(stringify(doc))).toEqual([{ path: 'pipelineInfo.name', message: 'missing' }]);
    expect(issuesOf('implementation: {container: {image: alpine}}')).toEqual([{ path: 'name', message: 'missing' }]);
  });

  it('a task names a component that is not there', () => {
    const doc = sample('critical_collected_parameters.yaml');
    doc.root.dag.tasks['consume-ids'].componentRef.name = 'comp-x';
    expect(issuesOf(stringify(doc))).toEqual([
      { path: 'root.dag.tasks.consume-ids.componentRef.name', message: "no component 'comp-x' in components" },
    ]);
  });

  it('a component names an executor that is not there; an executor without an image', () => {
    const doc = sample('two_step_pipeline.yaml');
    delete doc.deploymentSpec.executors['exec-read-from-gcs'];
    delete doc.deploymentSpec.executors['exec-write-to-gcs'].container.image;
    expect(issuesOf(stringify(doc))).toEqual([
      { path: 'deploymentSpec.executors.exec-write-to-gcs.container.image', message: 'missing' },
      {
        path: 'components.comp-read-from-gcs.executorLabel',
        message: "no executor 'exec-read-from-gcs' in deploymentSpec.executors",
      },
    ]);
  });

  it('a cycle in a DAG', () => {
    const doc = sample('essential_pipeline_with_after.yaml');
    doc.root.dag.tasks['print-text'].dependentTasks = ['print-text-2'];
    expect(issuesOf(stringify(doc))).toEqual([
      { path: 'root.dag.tasks', message: 'cycle: print-text-2 -> print-text -> print-text-2' },
    ]);
    // print-text-3 waits for both others, so closing the loop through it makes two cycles, each named.
    doc.root.dag.tasks['print-text'].dependentTasks = ['print-text-3'];
    expect(issuesOf(stringify(doc))).toEqual([
      { path: 'root.dag.tasks', message: 'cycle: print-text-3 -> print-text -> print-text-3' },
      { path: 'root.dag.tasks', message: 'cycle: print-text-2 -> print-text-3 -> print-text -> print-text-2' },
    ]);
  });

  it('two faults at once are both reported', () => {
    const doc = sample('critical_flip_coin.yaml');
    doc.schemaVersion = '3.0.0';
    doc.components['comp-condition-1'].dag.tasks['random-num'].componentRef.name = 'comp-gone';
    expect(issuesOf(stringify(doc))).toEqual([
      { path: 'schemaVersion', message: 'expected 2.x, not "3.0.0"' },
      {
        path: 'components.comp-condition-1.dag.tasks.random-num.componentRef.name',
        message: "no component 'comp-gone' in components",
      },
    ]);
  });

  it('references inside a DAG: producers, dependencies, DAG inputs, outputs', () => {
    const doc = sample('critical_collected_parameters.yaml');
    const loop = doc.components['comp-collecting-parameters'].dag.tasks;
    loop['for-loop-1'].dependentTasks = ['split-ids', 'nobody'];
    loop['split-ids'].inputs.parameters.ids.componentInputParameter = 'not_an_input';
    loop['consume-ids'].inputs.parameters.ids.taskOutputParameter.producerTask = 'ghost';
    doc.root.dag.tasks['consume-ids'].inputs.parameters.ids.taskOutputParameter.outputParameterKey = 'Nothing';
    doc.components['comp-collecting-parameters'].dag.outputs.parameters.Output.valueFromParameter.producerSubtask = 'phantom';
    expect(issuesOf(stringify(doc))).toEqual([
      {
        path: 'components.comp-collecting-parameters.dag.tasks.consume-ids.inputs.parameters.ids.taskOutputParameter.producerTask',
        message: "no task 'ghost' in this dag",
      },
      {
        path: 'components.comp-collecting-parameters.dag.tasks.for-loop-1.dependentTasks[1]',
        message: "no task 'nobody' in this dag",
      },
      {
        path: 'components.comp-collecting-parameters.dag.tasks.split-ids.inputs.parameters.ids.componentInputParameter',
        message: "no input parameter 'not_an_input' in the dag's inputDefinitions",
      },
      {
        path: 'components.comp-collecting-parameters.dag.outputs.parameters.Output.valueFromParameter.producerSubtask',
        message: "no task 'phantom' in this dag",
      },
      {
        path: 'root.dag.tasks.consume-ids.inputs.parameters.ids.taskOutputParameter.outputParameterKey',
        message: "task 'collecting-parameters' has no output parameter 'Nothing'",
      },
    ]);
  });

  it('types, sources, iterators, retry durations and conditions', () => {
    const doc = sample('critical_flip_coin.yaml');
    doc.components['comp-random-num'].inputDefinitions.parameters.high.parameterType = 'NUMBER_FLOAT';
    const random = doc.components['comp-condition-1'].dag.tasks['random-num'];
    random.inputs.parameters.low = {};
    random.inputs.parameters.high = {
      runtimeValue: { constant: 1 },
      componentInputParameter: 'pipelinechannel--flip-coin-Output',
    };
    random.retryPolicy = { maxRetryCount: -1, backoffDuration: '3 seconds', backoffMaxDuration: '0.5s' };
    doc.root.dag.tasks['condition-1'].triggerPolicy.condition =
      "inputs.parameter_values['pipelinechannel--flip-coin-Output'] == ";
    doc.root.dag.tasks['condition-4'].triggerPolicy.condition = "inputs.parameter_values['unknown'] == 'tails'";
    doc.root.dag.tasks['flip-coin'].parameterIterator = { itemInput: 'item', items: { raw: 'not json' } };
    doc.root.dag.tasks['flip-coin'].triggerPolicy = { strategy: 'WHENEVER' };
    const issues = issuesOf(stringify(doc));
    const byPath = (path: string) => issues.filter((i) => i.path === path).map((i) => i.message);
    const task = 'components.comp-condition-1.dag.tasks.random-num';
    expect(byPath('components.comp-random-num.inputDefinitions.parameters.high.parameterType')).toEqual([
      'unknown parameter type "NUMBER_FLOAT" (expected one of STRING, NUMBER_INTEGER, NUMBER_DOUBLE, BOOLEAN, LIST, STRUCT, TASK_FINAL_STATUS, TASK_CONFIG)',
    ]);
    expect(byPath(`${task}.inputs.parameters.low`)).toEqual([
      'no source: expected one of taskOutputParameter, runtimeValue, componentInputParameter, taskFinalStatus',
    ]);
    expect(byPath(`${task}.inputs.parameters.high`)).toEqual([
      'several sources (runtimeValue, componentInputParameter): expected exactly one',
    ]);
    expect(byPath(`${task}.retryPolicy.maxRetryCount`)).toEqual(['must be a non-negative integer']);
    expect(byPath(`${task}.retryPolicy.backoffDuration`)).toEqual([
      '"3 seconds" is not a duration (seconds followed by s: "3s", "0.5s")',
    ]);
    expect(byPath(`${task}.retryPolicy.backoffMaxDuration`)).toEqual([]);
    expect(byPath('root.dag.tasks.condition-1.triggerPolicy.condition')[0]).toMatch(/^syntax error/);
    expect(byPath('root.dag.tasks.condition-4.triggerPolicy.condition')).toEqual([
      "reads 'unknown', which is not one of the task's input parameters",
    ]);
    expect(byPath('root.dag.tasks.flip-coin.parameterIterator.items.raw')).toEqual(['must be the text of a JSON list']);
    expect(byPath('root.dag.tasks.flip-coin.triggerPolicy.strategy')[0]).toMatch(/^unknown strategy "WHENEVER"/);
    expect(issues).toHaveLength(9);
  });

  it('a missing required input, an iterator over an input the task lacks', () => {
    const doc = sample('pipeline_with_nested_loops.yaml');
    delete doc.root.dag.tasks['for-loop-1'].inputs;
    expect(issuesOf(stringify(doc))).toEqual([
      {
        path: 'root.dag.tasks.for-loop-1.parameterIterator.items.inputParameter',
        message: "no input parameter 'pipelinechannel--loop_parameter' in the task's inputs",
      },
      {
        path: 'root.dag.tasks.for-loop-1.inputs.parameters',
        message: "the component's required input 'pipelinechannel--loop_parameter' is not given",
      },
    ]);
  });

  it('the platform spec: a mapping, naming executors that exist, tolerations as a list', () => {
    const text = read('compiled/gpu-scheduling_nvidia_gpu_scheduling_check.yaml');
    const [pipeline, platform] = text.split('\n---\n') as [string, string];
    const broken = platform
      .replace('exec-verify-gpu-scheduled:', 'exec-other:')
      .replace(/tolerations:\n(\s+- .*\n(\s+\w.*\n)*)/, 'tolerations: {key: x}\n');
    expect(issuesOf(`${pipeline}\n---\n${broken}`)).toEqual([
      {
        path: 'platforms.kubernetes.deploymentSpec.executors.exec-other',
        message: "no executor 'exec-other' in deploymentSpec.executors",
      },
      { path: 'platforms.kubernetes.deploymentSpec.executors.exec-other.tolerations', message: 'must be a list' },
    ]);
    expect(issuesOf(`${pipeline}\n---\nsomething: else\n`)).toEqual([
      { path: '(document 2)', message: 'expected the platform spec (`platforms:`) after the pipeline' },
    ]);
  });

  it('the platform spec: node affinity terms of label requirements, a weight from 1 to 100', () => {
    const text = read('compiled/gpu-scheduling_nvidia_gpu_scheduling_check.yaml');
    const withAffinity = (terms: string) =>
      text.replace('          tolerations:\n', `          nodeAffinity:\n${terms}          tolerations:\n`);
    const good = [
      '          - matchExpressions:\n',
      '            - {key: disk, operator: In, values: [ssd]}\n',
      '          - matchExpressions:\n',
      '            - {key: spot, operator: DoesNotExist}\n',
      '            weight: 20\n',
    ].join('');
    const executor = load(withAffinity(good)).platform?.kubernetes?.deploymentSpec?.executors?.['exec-verify-gpu-scheduled'];
    expect(executor?.nodeAffinity?.map((t) => t.weight ?? null)).toEqual([null, 20]);
    const bad = [
      '          - matchFields:\n',
      '            - {key: metadata.name, operator: In, values: [n1]}\n',
      '          - matchExpressions: []\n',
      '          - matchExpressions:\n',
      '            - {key: zone, values: [a, 1]}\n',
      '            weight: 0\n',
    ].join('');
    const at = 'platforms.kubernetes.deploymentSpec.executors.exec-verify-gpu-scheduled.nodeAffinity';
    expect(issuesOf(withAffinity(bad))).toEqual([
      { path: `${at}[0].matchFields`, message: 'not supported: name the nodes by a label (kubernetes.io/hostname)' },
      { path: `${at}[1].matchExpressions`, message: 'must list one or more requirements' },
      { path: `${at}[2].weight`, message: 'must be an integer from 1 to 100' },
      { path: `${at}[2].matchExpressions[0].operator`, message: 'missing' },
      { path: `${at}[2].matchExpressions[0].values[1]`, message: 'must be a string' },
    ]);
  });

  it('the platform spec: values read from the task’s context (names, JSON) name one source, in its shape', () => {
    const text = read('parser/critical_missing_kubernetes_optional_inputs.yaml');
    const executor = load(text).platform?.kubernetes?.deploymentSpec?.executors?.['exec-log-message'];
    expect(executor?.nodeSelector?.nodeSelectorJson).toEqual({ componentInputParameter: 'optional_selector' });
    expect(executor?.nodeAffinity?.[0]?.nodeAffinityJson).toEqual({ componentInputParameter: 'optional_affinity' });
    expect(executor?.tolerations?.[0]?.tolerationJson).toEqual({ componentInputParameter: 'optional_tolerations' });
    const broken = text
      .replace(
        'nodeSelectorJson:\n              componentInputParameter: optional_selector',
        'nodeSelectorJson: optional_selector',
      )
      .replace(
        'tolerationJson:\n              componentInputParameter: optional_tolerations',
        'tolerationJson:\n              componentInputParameter: optional_tolerations\n              runtimeValue: {constant: []}',
      )
      .replace(
        'nodeAffinityJson:\n              componentInputParameter: optional_affinity',
        'nodeAffinityJson:\n              taskOutputParameter: {producerTask: gen}',
      )
      .replace(
        'imagePullSecret:\n          - secretNameParameter:\n              componentInputParameter: optional_image_pull_secret_name',
        'imagePullSecret:\n          - secretNameParameter: {}',
      );
    const at = 'platforms.kubernetes.deploymentSpec.executors.exec-log-message';
    expect(issuesOf(broken)).toEqual([
      {
        path: `${at}.tolerations[0].tolerationJson`,
        message: 'several sources (componentInputParameter, runtimeValue): expected exactly one',
      },
      {
        path: `${at}.imagePullSecret[0].secretNameParameter`,
        message: 'no source: expected one of componentInputParameter, runtimeValue, taskOutputParameter',
      },
      { path: `${at}.nodeAffinity[0].nodeAffinityJson.taskOutputParameter.outputParameterKey`, message: 'missing' },
      { path: `${at}.nodeSelector.nodeSelectorJson`, message: 'must be a mapping' },
    ]);
  });

  it('the platform spec: pull policy, deadline, field-path env, emptyDir and ephemeral volumes, security context, init containers, each in its shape', () => {
    const text = read('compiled/gpu-scheduling_nvidia_gpu_scheduling_check.yaml');
    const withConfig = (lines: string[]) =>
      text.replace('          tolerations:\n', `${lines.map((l) => `          ${l}\n`).join('')}          tolerations:\n`);
    const good = [
      'imagePullPolicy: IfNotPresent',
      "activeDeadlineSeconds: '3600'",
      'fieldPathAsEnv: [{name: NODE, fieldPath: spec.nodeName}]',
      'emptyDirMounts: [{volumeName: shm, mountPath: /dev/shm, medium: Memory, sizeLimit: 8Gi}]',
      'genericEphemeralVolume: [{volumeName: c, mountPath: /c, accessModes: [ReadWriteOnce], size: 10Gi, defaultStorageClass: true}]',
    ];
    const executor = load(withConfig(good)).platform?.kubernetes?.deploymentSpec?.executors?.['exec-verify-gpu-scheduled'];
    expect(executor?.imagePullPolicy).toBe('IfNotPresent');
    expect(executor?.emptyDirMounts?.[0]?.medium).toBe('Memory');
    const bad = [
      'imagePullPolicy: Sometimes',
      'activeDeadlineSeconds: -5',
      'fieldPathAsEnv: [{name: NODE}]',
      'emptyDirMounts: [{volumeName: shm, sizeLimit: lots}]',
      'genericEphemeralVolume: [{volumeName: c, mountPath: /c, accessModes: [ReadWriteSometimes]}]',
      'securityContext: {runAsUser: root}',
      'initContainers: [{name: prep, volumeMounts: [{volumeName: d, mountPath: data}], restartPolicy: OnFailure}]',
    ];
    const at = 'platforms.kubernetes.deploymentSpec.executors.exec-verify-gpu-scheduled';
    expect(issuesOf(withConfig(bad))).toEqual([
      { path: `${at}.imagePullPolicy`, message: 'must be one of Always, Never, IfNotPresent' },
      { path: `${at}.activeDeadlineSeconds`, message: 'must be a non-negative integer' },
      { path: `${at}.fieldPathAsEnv[0].fieldPath`, message: 'missing' },
      { path: `${at}.emptyDirMounts[0].mountPath`, message: 'missing' },
      { path: `${at}.emptyDirMounts[0].sizeLimit`, message: "must be a quantity such as 512Mi or 10Gi, not 'lots'" },
      { path: `${at}.genericEphemeralVolume[0].size`, message: 'missing' },
      {
        path: `${at}.genericEphemeralVolume[0].accessModes[0]`,
        message: 'must be one of ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod',
      },
      { path: `${at}.securityContext.runAsUser`, message: 'must be a non-negative integer' },
      { path: `${at}.initContainers[0].image`, message: 'missing' },
      { path: `${at}.initContainers[0].volumeMounts[0].mountPath`, message: 'must be an absolute path' },
      { path: `${at}.initContainers[0].restartPolicy`, message: "must be 'Always' (a native sidecar) or left out" },
    ]);
    expect(issuesOf(withConfig(["securityContext: {runAsUser: '0', runAsNonRoot: true}"]))).toEqual([
      { path: `${at}.securityContext.runAsUser`, message: 'is 0 (root) while runAsNonRoot is true: use a non-root id' },
    ]);
  });

  it("a container's placeholders name inputs and outputs its component has", () => {
    const doc = sample('two_step_pipeline.yaml');
    const container = doc.deploymentSpec.executors['exec-write-to-gcs'].container;
    container.args = [
      "{{$.inputs.parameters['txt']}}",
      `{"IfPresent": {"InputName": "nope", "Then": ["{{$.outputs.artifacts['output_gcs_path'].uri}}"]}}`,
      "{{$.outputs.parameters['output_gcs_path'].output_file}}",
    ];
    expect(issuesOf(stringify(doc))).toEqual([
      {
        path: 'deploymentSpec.executors.exec-write-to-gcs.container.args[0]',
        message: "{{$.inputs.parameters['txt']...}} names no input parameter 'txt' of components.comp-write-to-gcs",
      },
      {
        path: 'deploymentSpec.executors.exec-write-to-gcs.container.args[1]',
        message: "IfPresent names no input 'nope' of components.comp-write-to-gcs",
      },
      {
        path: 'deploymentSpec.executors.exec-write-to-gcs.container.args[2]',
        message:
          "{{$.outputs.parameters['output_gcs_path']...}} names no output parameter 'output_gcs_path' of components.comp-write-to-gcs",
      },
    ]);
  });

  it("an importer's runtime parameter is an input of its component", () => {
    const doc = sample('hello_world.yaml');
    doc.components['comp-echo'].inputDefinitions = { parameters: { uri: { parameterType: 'STRING' } } };
    doc.root.dag.tasks.echo.inputs = { parameters: { uri: { runtimeValue: { constant: 'gs://b/x' } } } };
    doc.deploymentSpec.executors['exec-echo'] = {
      importer: { artifactUri: { runtimeParameter: 'uri' }, typeSchema: { schemaTitle: 'system.Dataset' } },
    };
    expect(load(stringify(doc)).spec.deploymentSpec.executors['exec-echo']?.importer?.artifactUri).toEqual({
      runtimeParameter: 'uri',
    });
    doc.deploymentSpec.executors['exec-echo'].importer.artifactUri.runtimeParameter = 'url';
    expect(issuesOf(stringify(doc))).toEqual([
      {
        path: 'deploymentSpec.executors.exec-echo.importer.artifactUri.runtimeParameter',
        message: "names no input parameter 'url' of components.comp-echo",
      },
    ]);
  });

  it('a component that runs itself', () => {
    const doc = sample('critical_parameter_cache.yaml');
    doc.components['comp-core'].dag.tasks['core-comp'].componentRef.name = 'comp-mantle';
    expect(issuesOf(stringify(doc))).toEqual([
      { path: 'components.comp-mantle.dag', message: 'the component runs itself: comp-mantle -> comp-core -> comp-mantle' },
    ]);
  });

  it('a file of an older SDK (schemaVersion 2.0.0 fields) is told to recompile', () => {
    const doc = sample('critical_pipeline_with_retry.yaml');
    doc.schemaVersion = '2.0.0';
    doc.root.inputDefinitions.parameters.a = { type: 'DOUBLE' };
    doc.root.dag.tasks.add.inputs.parameters.b = { runtimeValue: { constantValue: { doubleValue: 7 } } };
    expect(issuesOf(stringify(doc))).toEqual([
      {
        path: 'root.inputDefinitions.parameters.a.parameterType',
        message: 'missing (`type` is the field of an older SDK: recompile the pipeline with KFP SDK 2)',
      },
      {
        path: 'root.dag.tasks.add.inputs.parameters.b.runtimeValue.constant',
        message: 'missing (`constantValue` is the field of an older SDK: recompile the pipeline with KFP SDK 2)',
      },
    ]);
  });

  it('formatPipelineIssues writes one fault a line', () => {
    expect(
      formatPipelineIssues([
        { path: '', message: 'the file is empty' },
        { path: 'a.b', message: 'missing' },
      ]),
    ).toBe('the file is empty\na.b: missing');
  });
});

describe('properties', () => {
  it('any text is answered with a value, never an exception; a refusal always says why', () => {
    const text = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) => stringify(v)),
      // Pieces of a real pipeline, shuffled and cut: near misses are the interesting inputs.
      fc
        .shuffledSubarray(read('compiled/critical_flip_coin.yaml').split('\n'), { minLength: 1 })
        .map((lines) => lines.join('\n')),
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = parsePipelineFile(t);
        if (!r.ok) {
          expect(r.issues.length).toBeGreaterThan(0);
          for (const i of r.issues) expect(i.message).not.toBe('');
        }
      }),
      { numRuns: 300 },
    );
  });

  /** A pipeline of `n` echo tasks where task j waits for each task i in `edges` [i, j]. */
  const dagFile = (n: number, edges: readonly (readonly [number, number])[]): string => {
    const doc = sample('hello_world.yaml');
    const echo = doc.root.dag.tasks.echo;
    doc.root.dag.tasks = Object.fromEntries(
      Array.from({ length: n }, (_, j) => {
        const deps = [...new Set(edges.filter(([, to]) => to === j).map(([from]) => `t${from}`))];
        return [`t${j}`, { ...echo, taskInfo: { name: `t${j}` }, ...(deps.length > 0 ? { dependentTasks: deps } : {}) }];
      }),
    );
    return stringify(doc);
  };

  it('a DAG whose dependencies only point backwards loads; one edge pointing forwards closes a cycle and is refused', () => {
    const dag = fc.integer({ min: 2, max: 8 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        edges: fc.array(
          fc
            .tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }))
            .filter(([a, b]) => a < b)
            .map(([a, b]) => [a, b] as const),
          { maxLength: 12 },
        ),
      }),
    );
    fc.assert(
      fc.property(dag, ({ n, edges }) => {
        expect(parsePipelineFile(dagFile(n, edges)).ok).toBe(true);
        // Close a path: t0 -> ... -> t(n-1) made explicit, then t(n-1) -> t0.
        const chain = Array.from({ length: n - 1 }, (_, i) => [i, i + 1] as const);
        const r = parsePipelineFile(dagFile(n, [...edges, ...chain, [n - 1, 0]]));
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.issues.every((i) => i.path === 'root.dag.tasks' && i.message.startsWith('cycle: '))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
