import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkCondition } from './cel.js';
import { type ComponentLibrary, componentDigest, libraryFromFiles, resolveReference } from './component-library.js';
import type { PipelineSpec } from './ir.js';
import { parsePipelineFile } from './parse.js';
import { AGGREGATE_STUB, MISSING_DIGEST, MISSING_URL } from './test-support/xgboost-graph.js';
import { decodeV1Component } from './v1-component.js';
import { v1GraphToPipelineSpec } from './v1-graph.js';

const dir = fileURLToPath(new URL('./fixtures/kfp/components/', import.meta.url));
const GRAPH = readFileSync(`${dir}contrib_XGBoost_Train_and_cross-validate_regression_from_CSV.yaml`, 'utf8');
const libraryFiles = readdirSync(`${dir}library`).map((name) => ({ name, text: readFileSync(`${dir}library/${name}`, 'utf8') }));

const withStub = (library: ComponentLibrary): ComponentLibrary => ({
  byDigest: library.byDigest,
  byUrl: new Map([...library.byUrl, [MISSING_URL, AGGREGATE_STUB]]),
});

const convert = (text: string, library: ComponentLibrary): PipelineSpec => {
  const r = parsePipelineFile(text, library);
  if (!r.ok) throw new Error(JSON.stringify(r.issues, null, 2));
  expect(r.value.format).toBe('v1-graph');
  return r.value.spec;
};

describe('the component library', () => {
  it('keys each file by the SHA-256 of its text, as componentRef.digest gives it, and by the url INDEX.txt names', () => {
    const library = libraryFromFiles(libraryFiles);
    const components = libraryFiles.filter((f) => f.name.endsWith('.yaml'));
    expect(library.byDigest.size).toBe(components.length);
    for (const f of components) expect(componentDigest(f.text)).toBe(f.name.replace(/\.yaml$/, ''));
    const index = readFileSync(`${dir}library/INDEX.txt`, 'utf8').trim().split('\n');
    expect(library.byUrl.size).toBe(index.length);
    for (const line of index) {
      const [digest, url] = line.split(' ') as [string, string];
      expect(library.byUrl.get(url)).toBe(library.byDigest.get(digest));
    }
  });

  it('hashes CRLF line ends as LF, as the v1 SDK did', () => {
    expect(componentDigest('a: 1\r\nb: 2\r\n')).toBe(componentDigest('a: 1\nb: 2\n'));
    expect(componentDigest('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('resolves by digest first, then by url', () => {
    const library: ComponentLibrary = {
      byDigest: new Map([['d1', 'by digest']]),
      byUrl: new Map([
        ['u1', 'by url'],
        ['u2', 'other url'],
      ]),
    };
    expect(resolveReference(library, { digest: 'd1', url: 'u1' })).toEqual({ text: 'by digest', by: 'digest' });
    expect(resolveReference(library, { digest: 'nope', url: 'u2' })).toEqual({ text: 'other url', by: 'url' });
    expect(resolveReference(library, { digest: 'nope', url: 'nope' })).toBeUndefined();
  });

  it("a component's canonical_location names its url too", () => {
    const text = `name: C\nmetadata: {annotations: {canonical_location: 'https://example.com/c.yaml'}}\nimplementation: {container: {image: a}}\n`;
    expect(libraryFromFiles([{ name: 'c.yaml', text }]).byUrl.get('https://example.com/c.yaml')).toBe(text);
  });
});

describe('the XGBoost graph sample', () => {
  it('resolves every reference from the library but the missing one, and names exactly that one', () => {
    const r = parsePipelineFile(GRAPH, libraryFromFiles(libraryFiles));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      {
        path: 'implementation.graph.tasks.Aggregate regression metrics from csv.componentRef',
        message: `not in the component library: task 'Aggregate regression metrics from csv', digest ${MISSING_DIGEST}, url ${MISSING_URL}`,
      },
    ]);
  });

  it('without a library, every task is unresolved, each named', () => {
    const r = parsePipelineFile(GRAPH);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(32);
    expect(r.issues.every((i) => i.path.endsWith('.componentRef') && i.message.startsWith('not in the component library'))).toBe(
      true,
    );
  });

  it('with a stand-in for the missing component, the whole graph converts', () => {
    const spec = convert(GRAPH, withStub(libraryFromFiles(libraryFiles)));
    const tasks = spec.root.dag?.tasks ?? {};
    expect(Object.keys(tasks)).toHaveLength(32);
    expect(Object.keys(spec.components)).toHaveLength(32);
    expect(Object.keys(spec.deploymentSpec.executors)).toHaveLength(32);
    expect(spec.pipelineInfo).toMatchObject({
      name: 'xgboost-train-and-cv-regression-on-csv',
      displayName: 'Xgboost train and cv regression on csv',
    });

    // Dependencies come from the taskOutput arguments.
    expect(tasks['xgboost-train']?.dependentTasks).toBeUndefined();
    expect(tasks['xgboost-predict']?.dependentTasks).toEqual(['xgboost-train']);
    expect(tasks['calculate-regression-metrics-from-csv']?.dependentTasks).toEqual(['remove-header', 'xgboost-predict']);
    expect(tasks['aggregate-regression-metrics-from-csv']?.dependentTasks).toEqual([
      'calculate-regression-metrics-from-csv-2',
      'calculate-regression-metrics-from-csv-3',
      'calculate-regression-metrics-from-csv-4',
      'calculate-regression-metrics-from-csv-5',
      'calculate-regression-metrics-from-csv-6',
    ]);
    expect(tasks['xgboost-predict-2']?.taskInfo.name).toBe('Xgboost predict 2');

    // Inputs: graph inputs, task outputs and constants, each of its kind.
    expect(tasks['xgboost-train']?.inputs).toEqual({
      parameters: {
        label_column: { componentInputParameter: 'label_column' },
        num_iterations: { componentInputParameter: 'num_iterations' },
        objective: { componentInputParameter: 'objective' },
      },
      artifacts: { training_data: { componentInputArtifact: 'data' } },
    });
    expect(tasks['xgboost-predict-2']?.inputs?.artifacts).toEqual({
      data: { taskOutputArtifact: { producerTask: 'split-table-into-folds', outputArtifactKey: 'test_1' } },
      model: { taskOutputArtifact: { producerTask: 'xgboost-train-2', outputArtifactKey: 'model' } },
    });
    expect(tasks['pandas-transform-dataframe-in-csv-format']?.inputs?.parameters).toEqual({
      transform_code: { runtimeValue: { constant: 'df = df[["tips"]]' } },
    });
    expect(tasks['aggregate-regression-metrics-from-csv']?.inputs?.parameters?.metrics_4).toEqual({
      taskOutputParameter: { producerTask: 'calculate-regression-metrics-from-csv-2', outputParameterKey: 'metrics' },
    });
    expect(spec.root.inputDefinitions?.parameters?.num_iterations).toEqual({
      parameterType: 'NUMBER_INTEGER',
      defaultValue: 200,
      isOptional: true,
    });
    expect(spec.root.inputDefinitions?.artifacts?.data).toEqual({
      artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' },
    });

    // `predictions` (Text, a parameter) is read as a file by the metrics: the producer writes an artifact.
    expect(spec.components['comp-xgboost-predict']?.outputDefinitions?.artifacts?.predictions).toBeDefined();
    expect(spec.deploymentSpec.executors['exec-xgboost-predict']?.container?.args).toContain(
      "{{$.outputs.artifacts['predictions'].path}}",
    );
    expect(tasks['calculate-regression-metrics-from-csv']?.inputs?.artifacts?.predicted_values).toEqual({
      taskOutputArtifact: { producerTask: 'xgboost-predict', outputArtifactKey: 'predictions' },
    });

    // The graph's outputValues are the DAG's outputs.
    expect(spec.root.dag?.outputs?.artifacts?.model).toEqual({
      artifactSelectors: [{ producerSubtask: 'xgboost-train', outputArtifactKey: 'model' }],
    });
    expect(spec.root.dag?.outputs?.parameters?.cv_metrics).toEqual({
      valueFromParameter: { producerSubtask: 'aggregate-regression-metrics-from-csv', outputParameterKey: 'metrics' },
    });
    expect(spec.root.outputDefinitions?.parameters?.training_mean_squared_error).toEqual({ parameterType: 'NUMBER_DOUBLE' });
  });

  it('the stand-in found by its digest works the same', () => {
    const library = libraryFromFiles(libraryFiles);
    const spec = convert(GRAPH, {
      byDigest: new Map([...library.byDigest, [MISSING_DIGEST, AGGREGATE_STUB]]),
      byUrl: library.byUrl,
    });
    expect(Object.keys(spec.root.dag?.tasks ?? {})).toHaveLength(32);
  });
});

/** A one-step component, inline (JSON is YAML). */
const STEP = JSON.stringify({
  name: 'Step',
  inputs: [
    { name: 'x', type: 'Integer', optional: true },
    { name: 's', type: 'String', optional: true },
  ],
  outputs: [
    { name: 'out', type: 'Integer' },
    { name: 'label', type: 'String' },
  ],
  implementation: { container: { image: 'alpine', args: [{ inputValue: 'x' }, { outputPath: 'out' }, { outputPath: 'label' }] } },
});

const graph = (tasks: string, extra = ''): string => `
name: Small graph
inputs:
- {name: threshold, type: Integer, default: '3'}
- {name: mode, type: String}
${extra}
implementation:
  graph:
    tasks:
${tasks}
`;

describe('graph features', () => {
  it('isEnabled becomes a CEL condition over the task input channels it reads', () => {
    const spec = convert(
      graph(`
      first:
        componentRef: {spec: ${STEP}}
        arguments: {x: {graphInput: {inputName: threshold}}}
      second:
        componentRef: {spec: ${STEP}}
        isEnabled:
          and:
            op1: {'>': {op1: {taskOutput: {taskId: first, outputName: out}}, op2: '5'}}
            op2:
              not: {'==': {op1: {graphInput: {inputName: mode}}, op2: "it's off"}}
`),
      libraryFromFiles([]),
    );
    const second = spec.root.dag?.tasks.second;
    const condition = second?.triggerPolicy?.condition ?? '';
    expect(condition).toBe(
      "(int(inputs.parameter_values['pipelinechannel--first-out']) > 5) && (!(inputs.parameter_values['pipelinechannel--mode'] == 'it\\'s off'))",
    );
    expect(second?.inputs?.parameters).toEqual({
      'pipelinechannel--first-out': { taskOutputParameter: { producerTask: 'first', outputParameterKey: 'out' } },
      'pipelinechannel--mode': { componentInputParameter: 'mode' },
    });
    expect(second?.dependentTasks).toEqual(['first']);
    // The executor's CEL reads it: the condition holds exactly when out > 5 and mode is not "it's off".
    const values = (out: number, mode: string) => ({ 'pipelinechannel--first-out': out, 'pipelinechannel--mode': mode });
    expect(checkCondition(condition, values(6, 'on'))).toEqual({ ok: true, value: true });
    expect(checkCondition(condition, values(5, 'on'))).toEqual({ ok: true, value: false });
    expect(checkCondition(condition, values(9, "it's off"))).toEqual({ ok: true, value: false });
  });

  it('executionOptions: retries, and a zero cache staleness turns the cache off', () => {
    const spec = convert(
      graph(`
      once:
        componentRef: {spec: ${STEP}}
        executionOptions:
          retryStrategy: {maxRetries: 4}
          cachingStrategy: {maxCacheStaleness: P0D}
      cached:
        componentRef: {spec: ${STEP}}
        executionOptions: {cachingStrategy: {maxCacheStaleness: P30D}}
`),
      libraryFromFiles([]),
    );
    expect(spec.root.dag?.tasks.once?.retryPolicy).toEqual({ maxRetryCount: 4 });
    expect(spec.root.dag?.tasks.once?.cachingOptions).toEqual({ enableCache: false });
    expect(spec.root.dag?.tasks.cached?.cachingOptions).toEqual({ enableCache: true });
    expect(spec.root.dag?.tasks.cached?.retryPolicy).toBeUndefined();
  });

  it('a sub-graph becomes a nested DAG component', () => {
    const inner = JSON.stringify({
      name: 'Inner',
      inputs: [{ name: 'n', type: 'Integer' }],
      outputs: [{ name: 'result', type: 'Integer' }],
      implementation: {
        graph: {
          tasks: { step: { componentRef: { spec: JSON.parse(STEP) }, arguments: { x: { graphInput: { inputName: 'n' } } } } },
          outputValues: { result: { taskOutput: { taskId: 'step', outputName: 'out' } } },
        },
      },
    });
    const spec = convert(
      graph(`
      inner:
        componentRef: {spec: ${inner}}
        arguments: {n: {graphInput: {inputName: threshold}}}
      after:
        componentRef: {spec: ${STEP}}
        arguments: {x: {taskOutput: {taskId: inner, outputName: result}}}
`),
      libraryFromFiles([]),
    );
    const comp = spec.components['comp-inner'];
    expect(comp?.dag?.tasks.step?.inputs?.parameters?.x).toEqual({ componentInputParameter: 'n' });
    expect(comp?.dag?.outputs?.parameters?.result).toEqual({
      valueFromParameter: { producerSubtask: 'step', outputParameterKey: 'out' },
    });
    expect(spec.root.dag?.tasks.after?.inputs?.parameters?.x).toEqual({
      taskOutputParameter: { producerTask: 'inner', outputParameterKey: 'result' },
    });
  });

  it('faults of a graph are all reported, each with its path', () => {
    const r = parsePipelineFile(
      graph(`
      a:
        componentRef: {spec: ${STEP}}
        arguments:
          x: {taskOutput: {taskId: nowhere, outputName: out}}
          nope: hello
      b:
        componentRef: {spec: ${STEP}}
        arguments:
          x: {taskOutput: {taskId: a, outputName: label, type: String}}
          s: {graphInput: {inputName: missing}}
      c:
        componentRef: {digest: abc, name: Lost}
`),
      libraryFromFiles([]),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(
      expect.arrayContaining([
        {
          path: 'implementation.graph.tasks.c.componentRef',
          message: "not in the component library: task 'c', component 'Lost', digest abc",
        },
        { path: 'implementation.graph.tasks.a.arguments.x.taskOutput.taskId', message: "no task 'nowhere' in the graph" },
        { path: 'implementation.graph.tasks.a.arguments.nope', message: "component 'Step' has no input 'nope'" },
        {
          path: 'implementation.graph.tasks.b.arguments.x',
          message: `argument of type "String" passed to the input 'x' of type "Integer"`,
        },
        { path: 'implementation.graph.tasks.b.arguments.s.graphInput', message: "no input 'missing' in the graph's inputs" },
      ]),
    );
  });

  it('tasks that wait for each other through their arguments are a cycle', () => {
    const r = parsePipelineFile(
      graph(`
      a:
        componentRef: {spec: ${STEP}}
        arguments: {x: {taskOutput: {taskId: b, outputName: out}}}
      b:
        componentRef: {spec: ${STEP}}
        arguments: {x: {taskOutput: {taskId: a, outputName: out}}}
`),
      libraryFromFiles([]),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toEqual([{ path: 'root.dag.tasks', message: 'cycle: b -> a -> b' }]);
  });

  it('a graph input that is a value cannot be read as a file', () => {
    const reader = JSON.stringify({
      name: 'Reader',
      inputs: [{ name: 'f' }],
      implementation: { container: { image: 'alpine', args: [{ inputPath: 'f' }] } },
    });
    const r = parsePipelineFile(
      graph(`
      read:
        componentRef: {spec: ${reader}}
        arguments: {f: {graphInput: {inputName: threshold}}}
`),
      libraryFromFiles([]),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toEqual([
        {
          path: 'implementation.graph.tasks.read.arguments.f',
          message: `graph input 'threshold' is a value ("Integer") but is read here as a file`,
        },
      ]);
    }
  });

  it('a graph that contains itself through the library is refused', () => {
    const selfText = `name: Loop
implementation:
  graph:
    tasks:
      again: {componentRef: {url: 'https://example.com/loop.yaml'}}
`;
    const library = { byDigest: new Map<string, string>(), byUrl: new Map([['https://example.com/loop.yaml', selfText]]) };
    const decoded = decodeV1Component(parse(selfText));
    if (!decoded.ok) throw new Error('the loop graph reads');
    const r = v1GraphToPipelineSpec(decoded.value, library);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.some((i) => i.message.startsWith('the graph contains itself'))).toBe(true);
  });
});
