import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { JsonValue } from './ir.js';
import {
  castDefault,
  decodeV1Component,
  pythonFloat,
  pythonJson,
  renderV1CommandLine,
  type V1Component,
  v1ComponentToPipelineSpec,
} from './v1-component.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`./fixtures/kfp/components/${name}`, import.meta.url)), 'utf8');

const component = (text: string): V1Component => {
  const decoded = decodeV1Component(parse(text));
  if (!decoded.ok) throw new Error(JSON.stringify(decoded.issues));
  return decoded.value;
};

import type { TaskRun } from './model.js';
import { stepJob } from './step.js';
import { PipelinesWorld } from './test-support/world.js';

const render = (c: V1Component, args: Record<string, JsonValue | undefined>) => {
  const r = renderV1CommandLine(c, args);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

const spec = (c: V1Component) => {
  const r = v1ComponentToPipelineSpec(c);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};

const ADD_SCRIPT = 'set -e -x\necho "$(($0+$1))" | gsutil cp - "$2"\n';

describe('the v1 command line, as the v1 SDK rendered it', () => {
  const add = component(fixture('v1test_add_component.yaml'));
  const concat = component(fixture('v1test_concat_placeholder_component.yaml'));
  const ifs = component(fixture('v1test_if_placeholder_component.yaml'));

  it('add: values in place, the output at its generated path', () => {
    expect(render(add, { 'op-1': 3, op2: 4 })).toEqual({
      command: ['sh', '-c', ADD_SCRIPT, '3', '4', '/tmp/outputs/sum/data'],
      args: [],
      inputPaths: {},
      outputPaths: { sum: '/tmp/outputs/sum/data' },
    });
    // A string argument is taken as already serialized.
    expect(render(add, { 'op-1': '10', op2: '-2' }).command.slice(3)).toEqual(['10', '-2', '/tmp/outputs/sum/data']);
  });

  it('add: a required input without an argument is an error', () => {
    const r = renderV1CommandLine(add, { 'op-1': 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe("no value for the required input 'op2'");
    expect(renderV1CommandLine(add, { 'op-1': 1, op2: 2, op3: 3 }).ok).toBe(false);
  });

  it('concat: the parts joined into one argument', () => {
    expect(render(concat, { input_prefix: 'prefix-' }).args).toEqual(['--arg0', 'prefix-some value']);
    expect(render(concat, { input_prefix: '' }).args).toEqual(['--arg0', 'some value']);
  });

  it('if: without the optional inputs, the first if drops out and the second takes its else', () => {
    expect(render(ifs, { required_input: 'r' }).args).toEqual(['--arg0', 'r', '--arg3', 'default value']);
  });

  it('if: each optional input present takes its then list, spliced in place', () => {
    expect(render(ifs, { required_input: 'r', optional_input_1: 'one' }).args).toEqual([
      '--arg0',
      'r',
      '--arg1',
      'one',
      '--arg3',
      'default value',
    ]);
    expect(render(ifs, { required_input: 'r', optional_input_2: 'two' }).args).toEqual(['--arg0', 'r', '--arg2', 'two']);
    expect(render(ifs, { required_input: 'r', optional_input_1: 'one', optional_input_2: 'two' }).args).toEqual([
      '--arg0',
      'r',
      '--arg1',
      'one',
      '--arg2',
      'two',
    ]);
    // An argument given as undefined or null is absent, as Python's None was.
    expect(render(ifs, { required_input: 'r', optional_input_1: undefined, optional_input_2: null }).args).toEqual([
      '--arg0',
      'r',
      '--arg3',
      'default value',
    ]);
  });

  const optional = component(`
name: Optional values
inputs:
- {name: opt, type: String, default: from-default, optional: true}
- {name: req_with_default, type: Integer, default: '7'}
- {name: flag, type: Boolean, optional: true}
- {name: conf, type: JsonObject, optional: true}
- {name: rate, type: Float, optional: true}
- {name: data, optional: true}
outputs:
- {name: out}
- {name: metrics, type: JsonObject}
implementation:
  container:
    image: alpine
    command: [prog]
    args:
    - --opt
    - {inputValue: opt}
    - --req
    - {inputValue: req_with_default}
    - concat: [flag=, {inputValue: flag}, ';present=', {isPresent: flag}]
    - {inputValue: conf}
    - {inputValue: rate}
    - {inputPath: data}
    - {outputPath: out}
    fileOutputs:
      metrics: /metrics.json
`);

  it('an optional input without an argument is absent, default or not; a required one takes its default', () => {
    expect(render(optional, {}).args).toEqual(['--opt', '--req', '7', 'flag=;present=False', '/tmp/outputs/out/data']);
  });

  it('run as a one-step pipeline, an optional input left out stays out, and a required one takes its default', () => {
    const ir = spec(ifs);
    const inputs = ir.components[Object.keys(ir.components)[0] as string]?.inputDefinitions?.parameters ?? {};
    for (const [name, def] of Object.entries(inputs))
      if (def.isOptional) expect([name, def.defaultValue]).toEqual([name, undefined]);
    const w = new PipelinesWorld();
    const runId = w.startRun(w.upload('ifs', ir), 'r', { parameters: { required_input: 'r' } as never });
    const task = [...w.run(runId).tasks.values()].find((t) => t.kind === 'container') as TaskRun;
    const job = stepJob(w.run(runId), task);
    // The same command line the v1 SDK renders without the optional inputs.
    expect(job.ok && [...job.value.command, ...job.value.args]).toEqual([
      ...render(ifs, { required_input: 'r' }).command,
      ...render(ifs, { required_input: 'r' }).args,
    ]);
  });

  it('values print as Python printed them, paths as the SDK generated them', () => {
    const r = render(optional, { opt: 'x', flag: true, conf: { b: [1, 'two'], a: null }, rate: 0.5, data: 'anything' });
    expect(r.args).toEqual([
      '--opt',
      'x',
      '--req',
      '7',
      'flag=True;present=True',
      '{"a": null, "b": [1, "two"]}',
      '0.5',
      '/tmp/inputs/data/data',
      '/tmp/outputs/out/data',
    ]);
    expect(r.inputPaths).toEqual({ data: '/tmp/inputs/data/data' });
    // fileOutputs: the program writes those outputs where the file says.
    expect(r.outputPaths).toEqual({ metrics: '/metrics.json', out: '/tmp/outputs/out/data' });
  });
  it('URIs and the executor input, which only the v2 SDK resolves, have no v1 command line', () => {
    const uri = component(`
name: Uri
inputs: [{name: m, type: Model}]
implementation: {container: {image: alpine, args: [{inputUri: m}]}}
`);
    expect(renderV1CommandLine(uri, { m: 'gs://x' })).toEqual({ ok: false, message: '`inputUri` has no v1 rendering' });
  });
});

describe('a v1 component in the v2 IR, as from_v1_component_spec converts it', () => {
  it('add: sanitized names, integer parameters, the output as a parameter file', () => {
    const s = spec(component(fixture('v1test_add_component.yaml')));
    expect(s.pipelineInfo).toEqual({ name: 'add', displayName: 'Add', description: 'Component to add two numbers\n' });
    expect(s.components['comp-add']).toEqual({
      inputDefinitions: { parameters: { op_1: { parameterType: 'NUMBER_INTEGER' }, op2: { parameterType: 'NUMBER_INTEGER' } } },
      outputDefinitions: { parameters: { sum: { parameterType: 'NUMBER_INTEGER' } } },
      executorLabel: 'exec-add',
    });
    expect(s.deploymentSpec.executors['exec-add']?.container).toEqual({
      image: 'google/cloud-sdk:latest',
      command: [
        'sh',
        '-c',
        ADD_SCRIPT,
        "{{$.inputs.parameters['op_1']}}",
        "{{$.inputs.parameters['op2']}}",
        "{{$.outputs.parameters['sum'].output_file}}",
      ],
    });
    const task = s.root.dag?.tasks.add;
    expect(task?.componentRef.name).toBe('comp-add');
    expect(task?.inputs?.parameters).toEqual({
      op_1: { componentInputParameter: 'op_1' },
      op2: { componentInputParameter: 'op2' },
    });
    expect(s.root.dag?.outputs?.parameters?.sum).toEqual({
      valueFromParameter: { producerSubtask: 'add', outputParameterKey: 'sum' },
    });
    expect(s.schemaVersion).toBe('2.1.0');
  });

  it('concat: a Concat JSON string written as json.dumps writes it', () => {
    const s = spec(component(fixture('v1test_concat_placeholder_component.yaml')));
    expect(s.deploymentSpec.executors['exec-component-with-concat-placeholder']?.container?.args).toEqual([
      '--arg0',
      `{"Concat": ["{{$.inputs.parameters['input_prefix']}}", "some value"]}`,
    ]);
  });

  it('if/isPresent: IfPresent with Then, and Else only where there is one; optional inputs stay optional', () => {
    const s = spec(component(fixture('v1test_if_placeholder_component.yaml')));
    const name = 'component-with-optional-inputs';
    expect(s.deploymentSpec.executors[`exec-${name}`]?.container?.args).toEqual([
      '--arg0',
      "{{$.inputs.parameters['required_input']}}",
      `{"IfPresent": {"InputName": "optional_input_1", "Then": ["--arg1", "{{$.inputs.parameters['optional_input_1']}}"]}}`,
      `{"IfPresent": {"InputName": "optional_input_2", "Then": ["--arg2", "{{$.inputs.parameters['optional_input_2']}}"], "Else": ["--arg3", "default value"]}}`,
    ]);
    expect(s.root.inputDefinitions?.parameters).toEqual({
      required_input: { parameterType: 'STRING' },
      optional_input_1: { parameterType: 'STRING', isOptional: true },
      optional_input_2: { parameterType: 'STRING', isOptional: true },
    });
  });

  it('types: parameters by name, artifact classes, anything else an artifact; defaults cast to their type', () => {
    const s = spec(
      component(`
name: Types
inputs:
- {name: Count, type: Integer, default: '3'}
- {name: ratio, type: Float, default: '0.25'}
- {name: on, type: Boolean, default: 'True'}
- {name: conf, type: JsonObject, default: '{"a": 1}'}
- {name: items, type: 'typing.List[int]', default: '[1, 2]'}
- {name: text, type: Text, default: 5}
- {name: table, type: CSV}
- {name: model, type: Model}
- {name: gcs, type: google.VertexModel}
- {name: untyped}
- {name: code, type: PythonCode}
outputs:
- {name: result, type: Dataset}
- {name: score, type: Float}
- {name: blob, type: Blob}
implementation:
  container:
    image: alpine
    args:
    - {inputPath: table}
    - {inputUri: model}
    - {inputPath: gcs}
    - {inputPath: untyped}
    - {inputValue: code}
    - {outputUri: result}
    - {outputPath: score}
    - {outputPath: blob}
    - {executorInput: null}
`),
    );
    const comp = s.components['comp-types'];
    expect(comp?.inputDefinitions?.parameters).toEqual({
      count: { parameterType: 'NUMBER_INTEGER', defaultValue: 3, isOptional: true },
      ratio: { parameterType: 'NUMBER_DOUBLE', defaultValue: 0.25, isOptional: true },
      on: { parameterType: 'BOOLEAN', defaultValue: true, isOptional: true },
      conf: { parameterType: 'STRUCT', defaultValue: { a: 1 }, isOptional: true },
      items: { parameterType: 'LIST', defaultValue: [1, 2], isOptional: true },
      text: { parameterType: 'STRING', defaultValue: '5', isOptional: true },
      // An unknown type read by value is a parameter (the SDK's artifact could never be read so).
      code: { parameterType: 'STRING' },
    });
    expect(comp?.inputDefinitions?.artifacts).toEqual({
      table: { artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' } },
      model: { artifactType: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } },
      gcs: { artifactType: { schemaTitle: 'google.VertexModel', schemaVersion: '0.0.1' } },
      untyped: { artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' } },
    });
    expect(comp?.outputDefinitions).toEqual({
      parameters: { score: { parameterType: 'NUMBER_DOUBLE' } },
      artifacts: {
        result: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' } },
        blob: { artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' } },
      },
    });
    expect(s.deploymentSpec.executors['exec-types']?.container?.args).toEqual([
      "{{$.inputs.artifacts['table'].path}}",
      "{{$.inputs.artifacts['model'].uri}}",
      "{{$.inputs.artifacts['gcs'].path}}",
      "{{$.inputs.artifacts['untyped'].path}}",
      "{{$.inputs.parameters['code']}}",
      "{{$.outputs.artifacts['result'].uri}}",
      "{{$.outputs.parameters['score'].output_file}}",
      "{{$.outputs.artifacts['blob'].path}}",
      '{{$}}',
    ]);
    expect(s.root.dag?.tasks.types?.inputs?.artifacts?.table).toEqual({ componentInputArtifact: 'table' });
    expect(s.root.dag?.outputs?.artifacts?.result).toEqual({
      artifactSelectors: [{ producerSubtask: 'types', outputArtifactKey: 'result' }],
    });
  });

  it('an if on a constant is decided at conversion; nested placeholders stay structures', () => {
    const s = spec(
      component(`
name: Nested
inputs:
- {name: a, type: String, optional: true}
implementation:
  container:
    image: alpine
    env: {MODE: {concat: [m-, {inputValue: a}]}}
    args:
    - if: {cond: 'true', then: [--yes], else: [--no]}
    - concat: [x, {if: {cond: {isPresent: a}, then: {inputValue: a}, else: none}}]
`),
    );
    const container = s.deploymentSpec.executors['exec-nested']?.container;
    expect(container?.args).toEqual([
      '--yes',
      `{"Concat": ["x", {"IfPresent": {"InputName": "a", "Then": "{{$.inputs.parameters['a']}}", "Else": "none"}}]}`,
    ]);
    expect(container?.env).toEqual([{ name: 'MODE', value: `{"Concat": ["m-", "{{$.inputs.parameters['a']}}"]}` }]);
  });

  it('a faulty component is refused with every fault and its path', () => {
    const r = decodeV1Component(
      parse(`
name: Broken
inputs:
- {name: a, type: String}
- {type: String}
outputs:
- {name: o}
implementation:
  container:
    args:
    - {inputValue: b}
    - {outputPath: nope}
    - {inputValue: a, inputPath: a}
    - {unknownPlaceholder: a}
    fileOutputs: {missing: /x}
`),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      { path: 'inputs[1].name', message: 'missing' },
      { path: 'implementation.container.image', message: 'missing' },
      { path: 'implementation.container.args[0].inputValue', message: "no input 'b' in inputs" },
      { path: 'implementation.container.args[1].outputPath', message: "no output 'nope' in outputs" },
      { path: 'implementation.container.args[2]', message: 'a placeholder has exactly one key, not inputValue, inputPath' },
      { path: 'implementation.container.args[3].unknownPlaceholder', message: "unknown placeholder 'unknownPlaceholder'" },
      { path: 'implementation.container.fileOutputs.missing', message: "no output 'missing' in outputs" },
    ]);
  });

  it('an input read both by value and as a file has no one kind', () => {
    const r = v1ComponentToPipelineSpec(
      component(`
name: Both
inputs: [{name: a}]
implementation: {container: {image: alpine, args: [{inputValue: a}, {inputPath: a}]}}
`),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toContainEqual({ path: 'inputs', message: "input 'a' is read both by value and as a file" });
  });
});

describe("Python's printing", () => {
  it('floats print as repr does', () => {
    expect([1, 0.5, 1e-5, 1.5e-7, 1e16, 123456789.125, -2.5, 1e22].map(pythonFloat)).toEqual([
      '1.0',
      '0.5',
      '1e-05',
      '1.5e-07',
      '1e+16',
      '123456789.125',
      '-2.5',
      '1e+22',
    ]);
  });

  it('json.dumps: separators, ASCII escapes, sorted keys on demand', () => {
    expect(pythonJson({ b: 1, a: ['é', true, null] })).toBe('{"b": 1, "a": ["\\u00e9", true, null]}');
    expect(pythonJson({ b: 1, a: 2 }, true)).toBe('{"a": 2, "b": 1}');
    // What Python 3 prints for json.dumps('a\x7f\u00e9\U0001F600'): everything outside ' '..'~' escaped.
    expect(pythonJson('a\u007f\u00e9\u{1F600}')).toBe('"a\\u007f\\u00e9\\ud83d\\ude00"');
  });

  it('json.dumps output is JSON that reads back to the same value', () => {
    const json: fc.Arbitrary<JsonValue> = fc.jsonValue() as fc.Arbitrary<JsonValue>;
    fc.assert(
      fc.property(json, (v) => {
        expect(JSON.parse(pythonJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('defaults cast as Python casts them, and refuse what Python refused', () => {
    expect(castDefault('NUMBER_INTEGER', ' 42 ')).toEqual({ ok: true, value: 42 });
    expect(castDefault('NUMBER_INTEGER', '4.5').ok).toBe(false);
    expect(castDefault('NUMBER_DOUBLE', '1e3')).toEqual({ ok: true, value: 1000 });
    expect(castDefault('BOOLEAN', 'off')).toEqual({ ok: true, value: false });
    expect(castDefault('BOOLEAN', 'maybe').ok).toBe(false);
    expect(castDefault('LIST', 'not json')).toEqual({ ok: true, value: 'not json' });
    expect(castDefault('STRING', true)).toEqual({ ok: true, value: 'True' });
  });
});
