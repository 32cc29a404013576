import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { ComponentSpec, ContainerSpec, InterfaceSpec, JsonValue, PipelineSpec } from './ir.js';
import {
  artifactLocalPath,
  type CommandLineElement,
  DEFAULT_OUTPUT_METADATA_FILE,
  type ExecutionContext,
  executorInput,
  localPathOf,
  outputUri,
  type PlaceholderIssue,
  provisionOutputs,
  renderParameterValue,
  resolveArgs,
  resolveConstant,
  resolveContainer,
  resolveParameterReferences,
} from './placeholders.js';

const sample = (name: string): PipelineSpec => parse(readFileSync(new URL(`./fixtures/kfp/${name}`, import.meta.url), 'utf8'));

/** A component of a sample and its executor's container. */
function containerOf(spec: PipelineSpec, component: string): { component: ComponentSpec; container: ContainerSpec } {
  const c = spec.components[component];
  const container = c?.executorLabel ? spec.deploymentSpec.executors[c.executorLabel]?.container : undefined;
  if (!c || !container) throw new Error(`no container for ${component}`);
  return { component: c, container };
}

const RUN = {
  job: {
    name: 'nightly run',
    resourceName: 'nightly-run-x7k2p',
    uuid: '2b6f0cc9-4f1e-4c1a-9d35-7a3f8a1e0b11',
    createTimeUtc: '2026-12-01T18:00:00Z',
    scheduleTimeUtc: '2026-12-01T17:59:00Z',
  },
  task: { name: 'train', uuid: '4242' },
  pipelineRoot: 's3://artifacts/pipelines/nightly/2b6f0cc9',
} as const;

/** A context with the run above and what a test gives. */
function context(partial: Partial<ExecutionContext> = {}): ExecutionContext {
  return {
    parameters: {},
    artifacts: {},
    outputParameters: {},
    outputArtifacts: {},
    outputMetadataFile: '/s3/artifacts/pipelines/nightly/2b6f0cc9/train/4242/output_metadata.json',
    ...RUN,
    ...partial,
  };
}

function argv(elements: readonly CommandLineElement[], ctx: ExecutionContext): string[] {
  const r = resolveArgs(elements, ctx);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function issues(elements: readonly CommandLineElement[], ctx: ExecutionContext): readonly PlaceholderIssue[] {
  const r = resolveArgs(elements, ctx);
  if (r.ok) throw new Error(`expected issues, got ${JSON.stringify(r.value)}`);
  return r.issues;
}

const param = (name: string) => `{{$.inputs.parameters['${name}']}}`;

describe('localPathOf', () => {
  it.each([
    ['gs://bucket/a/b', '/gcs/bucket/a/b'],
    ['s3://bucket/a/b', '/s3/bucket/a/b'],
    ['minio://mlpipeline/v2/artifacts/x', '/minio/mlpipeline/v2/artifacts/x'],
    ['oci://registry.io/org/model:1.0', '/oci/registry.io_org_model:1.0/models'],
    ['file:///mnt/shared/run/model', '/mnt/shared/run/model'],
    ['/mnt/shared/run/model', '/mnt/shared/run/model'],
  ])('%s is mounted at %s', (uri, path) => {
    expect(localPathOf(uri)).toEqual({ ok: true, value: path });
  });

  it.each(['https://example.com/model', 'hdfs://cluster/x', 'relative/path', 'file://relative', ''])(
    '%j has no local path',
    (uri) => {
      const r = localPathOf(uri);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toContain('unsupported storage scheme');
    },
  );

  it('prefers an artifact own path, then the workspace, then the URI', () => {
    expect(artifactLocalPath({ uri: 'gs://b/x', path: '/data/x' })).toEqual({ ok: true, value: '/data/x' });
    expect(artifactLocalPath({ uri: 'gs://b/x', metadata: { _kfp_workspace: true } })).toEqual({
      ok: true,
      value: '/kfp-workspace/.artifacts/gcs/b/x',
    });
    expect(artifactLocalPath({ uri: 'gs://b/x', metadata: { _kfp_workspace: 'yes' } })).toEqual({ ok: true, value: '/gcs/b/x' });
    expect(artifactLocalPath({ uri: 'oci://r/m', metadata: { _kfp_workspace: true } }).ok).toBe(false);
  });
});

describe('outputs as KFP provisions them', () => {
  it('joins URIs as GenerateOutputURI does', () => {
    expect(outputUri('gs://b/root/', ['task', 'salt'])).toBe('gs://b/root/task/salt');
    expect(outputUri('minio://b/root?region=x', ['task', '', 'out'])).toBe('minio://b/root/task/out');
    expect(outputUri('s3://b', ['a/./b', '../c'])).toBe('s3://b/a/c');
  });

  it('puts artifacts under the task root and parameters in /tmp/kfp/outputs', () => {
    const outputs: InterfaceSpec = {
      artifacts: { model: { artifactType: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } } },
      parameters: { accuracy: { parameterType: 'NUMBER_DOUBLE' } },
    };
    expect(provisionOutputs({ pipelineRoot: 'gs://b/root', taskName: 'train', salt: '77' }, outputs)).toEqual({
      outputArtifacts: {
        model: {
          name: 'model',
          uri: 'gs://b/root/train/77/model',
          type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' },
        },
      },
      outputParameters: { accuracy: { outputFile: '/tmp/kfp/outputs/accuracy' } },
      outputMetadataFile: '/gcs/b/root/train/77/output_metadata.json',
    });
    expect(provisionOutputs({ pipelineRoot: 'https://x/root', taskName: 't', salt: 's' }, undefined)).toEqual({
      outputArtifacts: {},
      outputParameters: {},
      outputMetadataFile: DEFAULT_OUTPUT_METADATA_FILE,
    });
  });
});

describe('a parameter value in a command line', () => {
  it.each<[JsonValue, string]>([
    ['Hello KFP!', 'Hello KFP!'],
    ['', ''],
    ['{"already": "json"}', '{"already": "json"}'],
    [42, '42'],
    [-7, '-7'],
    [0, '0'],
    [-0, '0'],
    [1e18, '1000000000000000000'],
    [2 ** 63, '9.223372036854776e+18'],
    [3.14, '3.14'],
    [-2.5, '-2.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [123456.5, '123456.5'],
    [1234567.5, '1.2345675e+06'],
    [true, 'true'],
    [false, 'false'],
    [[1, 'two', 3.5, null, false], '[1,"two",3.5,null,false]'],
    [{ b: 1, a: { d: [], c: 'x' } }, '{"a":{"c":"x","d":[]},"b":1}'],
    [{ html: '<a href="x">&</a>' }, '{"html":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"}'],
    [['line\nbreak\u2028'], '["line\\nbreak\\u2028"]'],
  ])('%j is written %s', (value, text) => {
    expect(renderParameterValue(value)).toBe(text);
  });
});

describe('string placeholders', () => {
  const ctx = context({
    parameters: { text: 'hi there', count: 3, ratio: 0.25, flag: true, tags: ['a', 'b'], config: { lr: 0.1, layers: 2 } },
    artifacts: {
      dataset: [
        {
          name: 'dataset',
          uri: 'gs://data/train.csv',
          type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
          metadata: { rows: 1000, source: 'warehouse' },
        },
      ],
      shards: [{ uri: 'gs://data/s0' }, { uri: 'gs://data/s1' }],
    },
    outputParameters: { accuracy: { outputFile: '/tmp/kfp/outputs/accuracy' } },
    outputArtifacts: {
      model: {
        name: 'model',
        uri: 's3://artifacts/pipelines/nightly/2b6f0cc9/train/4242/model',
        metadata: { framework: 'torch' },
      },
    },
  });

  it.each([
    [param('text'), 'hi there'],
    [param('count'), '3'],
    [param('ratio'), '0.25'],
    [param('flag'), 'true'],
    [param('tags'), '["a","b"]'],
    [param('config'), '{"layers":2,"lr":0.1}'],
    ["{{$.inputs.artifacts['dataset'].uri}}", 'gs://data/train.csv'],
    ["{{$.inputs.artifacts['dataset'].path}}", '/gcs/data/train.csv'],
    ["{{$.inputs.artifacts['dataset'].metadata}}", '{"rows":1000,"source":"warehouse"}'],
    ["{{$.inputs.artifacts['dataset'].metadata['source']}}", 'warehouse'],
    ["{{$.inputs.artifacts['dataset'].metadata['rows']}}", '1000'],
    ["{{$.inputs.artifacts['shards'].uri}}", 'gs://data/s0'],
    ["{{$.inputs.artifacts['shards']}}", JSON.stringify({ artifacts: [{ uri: 'gs://data/s0' }, { uri: 'gs://data/s1' }] })],
    ["{{$.outputs.parameters['accuracy'].output_file}}", '/tmp/kfp/outputs/accuracy'],
    ["{{$.outputs.artifacts['model'].uri}}", 's3://artifacts/pipelines/nightly/2b6f0cc9/train/4242/model'],
    ["{{$.outputs.artifacts['model'].path}}", '/s3/artifacts/pipelines/nightly/2b6f0cc9/train/4242/model'],
    ["{{$.outputs.artifacts['model'].metadata}}", '{"framework":"torch"}'],
    ["{{$.outputs.artifacts['model'].metadata['framework']}}", 'torch'],
    ['{{$.outputs.output_file}}', '/s3/artifacts/pipelines/nightly/2b6f0cc9/train/4242/output_metadata.json'],
    ['{{$.outputMetadataUri}}', '/s3/artifacts/pipelines/nightly/2b6f0cc9/train/4242/output_metadata.json'],
    ['{{$.pipeline_job_name}}', 'nightly run'],
    ['{{$.pipeline_job_resource_name}}', 'nightly-run-x7k2p'],
    ['{{$.pipeline_job_uuid}}', '2b6f0cc9-4f1e-4c1a-9d35-7a3f8a1e0b11'],
    ['{{$.pipeline_task_name}}', 'train'],
    ['{{$.pipeline_task_uuid}}', '4242'],
    ['{{$.pipeline_root}}', 's3://artifacts/pipelines/nightly/2b6f0cc9'],
    ['{{$.pipeline_job_create_time_utc}}', '2026-12-01T18:00:00Z'],
    ['{{$.pipeline_job_schedule_time_utc}}', '2026-12-01T17:59:00Z'],
    ['{{$.workspace_path}}', '/kfp-workspace'],
  ])('%s is %s', (placeholder, expected) => {
    expect(argv([placeholder], ctx)).toEqual([expected]);
  });

  it('replaces placeholders inside a longer string, each in place', () => {
    expect(
      argv(
        [
          `--text=${param('text')}`,
          `${param('count')}x${param('count')} at {{$.pipeline_task_name}}/{{$.pipeline_task_uuid}}`,
          "python train.py --data {{$.inputs.artifacts['dataset'].path}} --out {{$.outputs.artifacts['model'].path}}",
        ],
        ctx,
      ),
    ).toEqual([
      '--text=hi there',
      '3x3 at train/4242',
      'python train.py --data /gcs/data/train.csv --out /s3/artifacts/pipelines/nightly/2b6f0cc9/train/4242/model',
    ]);
  });

  it('leaves text that is no placeholder alone, shell syntax included', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable, as a command line holds it
    const text = ['sh', '-c', 'echo "$0" | gsutil cp - "$1"; x=$(command -v pip) ${HOME} {{ jinja }} {$}', '', '{ "Concat": 1 }'];
    expect(argv(text, ctx)).toEqual(text);
  });

  it('does not resolve a value that looks like a placeholder', () => {
    const sneaky = context({ parameters: { a: "{{$.inputs.parameters['b']}}", b: 'secret' } });
    expect(argv([param('a'), `${param('a')}-${param('b')}`], sneaky)).toEqual([
      "{{$.inputs.parameters['b']}}",
      "{{$.inputs.parameters['b']}}-secret",
    ]);
  });

  it('gives the run identity: the resource name falls back to the display name', () => {
    const ctx = context({ job: { ...RUN.job, resourceName: undefined } });
    expect(argv(['{{$.pipeline_job_resource_name}}'], ctx)).toEqual(['nightly run']);
  });
});

describe('the executor input {{$}}', () => {
  const inputDefinitions: InterfaceSpec = {
    parameters: {
      message: { parameterType: 'STRING' },
      epochs: { parameterType: 'NUMBER_INTEGER', defaultValue: 10, isOptional: true },
      note: { parameterType: 'STRING', isOptional: true },
      given: { parameterType: 'STRING', defaultValue: 'unused', isOptional: true },
    },
    artifacts: { data: { artifactType: { schemaTitle: 'system.Dataset' } } },
  };
  const ctx = context({
    inputDefinitions,
    parameters: { message: 'hi', given: 'mine', note: null, options: { z: 1, a: [true] } },
    artifacts: {
      data: [
        {
          name: 'data',
          uri: 'gs://d/x',
          type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
          metadata: { b: 2, a: 1 },
        },
      ],
      absent: [],
    },
    outputParameters: { score: { outputFile: '/tmp/kfp/outputs/score' } },
    outputArtifacts: {
      model: { name: 'model', uri: 's3://out/train/model', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } },
      report: { name: 'report', uri: 's3://out/train/report', path: '/mnt/reports/report' },
    },
    outputMetadataFile: '/s3/out/train/output_metadata.json',
  });

  it('has the shape of ExecutorInput, with the defaults of absent parameters and no null', () => {
    expect(executorInput(ctx)).toEqual({
      inputs: {
        artifacts: {
          data: {
            artifacts: [
              {
                name: 'data',
                type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
                uri: 'gs://d/x',
                metadata: { a: 1, b: 2 },
              },
            ],
          },
        },
        parameterValues: { epochs: 10, given: 'mine', message: 'hi', options: { a: [true], z: 1 } },
      },
      outputs: {
        parameters: { score: { outputFile: '/tmp/kfp/outputs/score' } },
        artifacts: {
          model: {
            artifacts: [
              { name: 'model', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, uri: 's3://out/train/model' },
            ],
          },
          report: { artifacts: [{ name: 'report', uri: 's3://out/train/report', customPath: '/mnt/reports/report' }] },
        },
        outputFile: '/s3/out/train/output_metadata.json',
      },
    });
  });

  it('is written as one JSON argument, fields in the proto order and maps sorted', () => {
    const [json] = argv(['{{$}}'], ctx);
    expect(JSON.parse(json!)).toEqual(executorInput(ctx));
    expect(json).toMatch(/^\{"inputs":\{"artifacts":\{"data":.*\},"parameterValues":\{"epochs":10,"given":"mine",/);
    expect(json).toContain('"outputs":{"parameters":{"score":{"outputFile":"/tmp/kfp/outputs/score"}},"artifacts":{"model"');
    expect(json).toContain('"metadata":{"a":1,"b":2}');
    expect(json!.endsWith('"outputFile":"/s3/out/train/output_metadata.json"}}')).toBe(true);
  });

  it('is empty-handed for a task without inputs or outputs', () => {
    expect(JSON.stringify(executorInput(context({ outputMetadataFile: '' })))).toBe('{"inputs":{},"outputs":{}}');
  });

  it('can be embedded in a longer argument', () => {
    const [arg] = argv(['--executor_input={{$}}'], context({ parameters: { x: 1 } }));
    expect(arg).toBe(
      '--executor_input={"inputs":{"parameterValues":{"x":1}},"outputs":{"outputFile":"/s3/artifacts/pipelines/nightly/2b6f0cc9/train/4242/output_metadata.json"}}',
    );
  });
});

describe('Concat and IfPresent', () => {
  const ctx = context({
    parameters: { name: 'alice', count: 2, missing: null },
    artifacts: { data: [{ uri: 'gs://d/x' }], none: [] },
    outputArtifacts: { out: { uri: 'gs://o/out' } },
  });
  const ifPresent = (name: string, then?: unknown, otherwise?: unknown) =>
    JSON.stringify({
      IfPresent: {
        InputName: name,
        ...(then === undefined ? {} : { Then: then }),
        ...(otherwise === undefined ? {} : { Else: otherwise }),
      },
    });

  it('a Concat makes one argument of its parts', () => {
    expect(argv(['a', JSON.stringify({ Concat: ['--name=', param('name'), '-', param('count')] }), 'b'], ctx)).toEqual([
      'a',
      '--name=alice-2',
      'b',
    ]);
    expect(argv([JSON.stringify({ Concat: [] })], ctx)).toEqual(['']);
  });

  it('nests: a Concat in a Concat', () => {
    expect(
      argv([JSON.stringify({ Concat: ['<', { Concat: [param('name'), { Concat: ['/', param('count')] }] }, '>'] })], ctx),
    ).toEqual(['<alice/2>']);
  });

  it('an IfPresent splices its Then list when the input is present, its Else list when absent', () => {
    expect(argv(['cmd', ifPresent('name', ['--name', param('name')], ['--anonymous']), 'end'], ctx)).toEqual([
      'cmd',
      '--name',
      'alice',
      'end',
    ]);
    expect(argv(['cmd', ifPresent('nobody', ['--name', param('nobody')], ['--anonymous', '--quiet']), 'end'], ctx)).toEqual([
      'cmd',
      '--anonymous',
      '--quiet',
      'end',
    ]);
  });

  it('an IfPresent without Else gives nothing when absent, and a null value is absent', () => {
    expect(argv(['cmd', ifPresent('missing', ['--missing', param('missing')]), 'end'], ctx)).toEqual(['cmd', 'end']);
    expect(argv([ifPresent('nobody', ['x'])], ctx)).toEqual([]);
  });

  it('an IfPresent sees artifacts: present when their list is not empty', () => {
    expect(argv([ifPresent('data', ["{{$.inputs.artifacts['data'].path}}"], ['none'])], ctx)).toEqual(['/gcs/d/x']);
    expect(argv([ifPresent('none', ['some'], ['none'])], ctx)).toEqual(['none']);
  });

  it('a single Then or Else (not a list) is one element', () => {
    expect(argv([ifPresent('name', param('name'), 'nobody')], ctx)).toEqual(['alice']);
    expect(argv([ifPresent('nobody', param('name'), { Concat: ['no', 'body'] })], ctx)).toEqual(['nobody']);
  });

  it('nests: an IfPresent in an IfPresent splices, a Concat in an IfPresent is one argument', () => {
    const ifp = (name: string, then: unknown, otherwise?: unknown) => ({
      IfPresent: { InputName: name, Then: then, ...(otherwise === undefined ? {} : { Else: otherwise }) },
    });
    const nested = ifp('name', ['--who', ifp('count', [{ Concat: [param('name'), 'x', param('count')] }, 'more'], ['none'])], []);
    expect(argv([JSON.stringify(nested)], ctx)).toEqual(['--who', 'alicex2', 'more']);
    const inner = ifp('name', [ifp('nobody', ['a'], ['b', 'c'])]);
    expect(argv([JSON.stringify(inner), 'z'], ctx)).toEqual(['b', 'c', 'z']);
    // inside a structure, a string is text, even one that reads like a JSON placeholder
    expect(argv([JSON.stringify(ifp('name', ['{"Concat": ["a"]}']))], ctx)).toEqual(['{"Concat": ["a"]}']);
  });

  it('an IfPresent inside a Concat contributes its single branch, or nothing', () => {
    const concat = (ifp: unknown) => JSON.stringify({ Concat: ['--flag=', ifp, ';'] });
    expect(argv([concat({ IfPresent: { InputName: 'name', Then: param('name'), Else: 'nobody' } })], ctx)).toEqual([
      '--flag=alice;',
    ]);
    expect(argv([concat({ IfPresent: { InputName: 'nobody', Then: param('name'), Else: 'nobody' } })], ctx)).toEqual([
      '--flag=nobody;',
    ]);
    expect(argv([concat({ IfPresent: { InputName: 'nobody', Then: 'x' } })], ctx)).toEqual(['--flag=;']);
    // a v1 component's list inside concat is joined, as v1 joined it
    expect(argv([concat({ IfPresent: { InputName: 'name', Then: ['a', param('count')] } })], ctx)).toEqual(['--flag=a2;']);
  });

  it('takes the placeholders as structures too, as a v1 component gives them', () => {
    const elements: CommandLineElement[] = [
      { Concat: ['--out=', "{{$.outputs.artifacts['out'].uri}}"] },
      { IfPresent: { InputName: 'name', Then: ['--name', param('name')] } },
      'tail',
    ];
    expect(argv(elements, ctx)).toEqual(['--out=gs://o/out', '--name', 'alice', 'tail']);
  });

  it('does not count a default as present, but a bare reference takes it', () => {
    const withDefault = context({
      inputDefinitions: { parameters: { level: { parameterType: 'STRING', isOptional: true, defaultValue: 'info' } } },
    });
    expect(argv([ifPresent('level', ['--level', param('level')], ['--default-level']), param('level')], withDefault)).toEqual([
      '--default-level',
      'info',
    ]);
  });

  it('reports a malformed JSON placeholder', () => {
    const found = issues(
      [
        '{"Concat": ["a", ',
        '{"IfPresent": {"Then": ["x"]}}',
        '{"Concat": "ab"}',
        '{"IfPresent": {"InputName": "name", "Then": [1]}}',
        '{"Concat": [{"Join": ["a"]}]}',
        '{"IfPresent": {"InputName": "name", "Then": [], "Otherwise": []}}',
        'fine',
      ],
      ctx,
    );
    expect(found.map((i) => [i.index, i.kind])).toEqual([
      [0, 'malformed-placeholder'],
      [1, 'malformed-placeholder'],
      [2, 'malformed-placeholder'],
      [3, 'malformed-placeholder'],
      [4, 'malformed-placeholder'],
      [5, 'malformed-placeholder'],
    ]);
    expect(found[1]?.message).toContain('InputName');
    expect(found[3]?.message).toContain('IfPresent.Then[0]');
    expect(found[4]?.message).toContain('Join');
    expect(found[5]?.message).toContain('Otherwise');
  });

  it('property: an argument without placeholders is itself, and a Concat of them is their join', () => {
    const plain = fc.string().filter((s) => !s.includes('{{$') && !s.trimStart().startsWith('{"'));
    fc.assert(
      fc.property(fc.array(plain, { maxLength: 6 }), (parts) => {
        expect(argv(parts, ctx)).toEqual(parts);
        expect(argv([JSON.stringify({ Concat: parts })], ctx)).toEqual([parts.join('')]);
      }),
    );
  });
});

describe('absent inputs and unknown placeholders', () => {
  const inputDefinitions: InterfaceSpec = {
    parameters: {
      required: { parameterType: 'STRING' },
      optional: { parameterType: 'STRING', isOptional: true },
      withDefault: { parameterType: 'NUMBER_DOUBLE', isOptional: true, defaultValue: 0.5 },
    },
    artifacts: { model: { artifactType: { schemaTitle: 'system.Model' }, isOptional: true } },
  };
  const ctx = context({ inputDefinitions, parameters: { required: 'r' } });

  it('a bare reference to an absent optional input takes its default', () => {
    expect(argv([param('withDefault'), `--rate=${param('withDefault')}`], ctx)).toEqual(['0.5', '--rate=0.5']);
  });

  it('a bare reference to an absent input without default is an issue naming it and its index', () => {
    expect(issues(['a', param('optional'), `x${param('required')}`, "{{$.inputs.artifacts['model'].path}}"], ctx)).toEqual([
      {
        kind: 'absent-input',
        at: 'args[1]',
        index: 1,
        placeholder: param('optional'),
        name: 'optional',
        message: `${param('optional')}: the input parameter 'optional' has no value and no default`,
      },
      {
        kind: 'absent-input',
        at: 'args[3]',
        index: 3,
        placeholder: "{{$.inputs.artifacts['model'].path}}",
        name: 'model',
        message: "{{$.inputs.artifacts['model'].path}}: the input artifact 'model' is absent",
      },
    ]);
  });

  it('an input the component does not declare is unknown, in a placeholder or an IfPresent', () => {
    const found = issues(
      [param('typo'), '{"IfPresent": {"InputName": "optinal", "Then": ["x"]}}', "{{$.inputs.artifacts['modle'].uri}}"],
      ctx,
    );
    expect(found.map((i) => [i.index, i.kind, i.name])).toEqual([
      [0, 'unknown-input', 'typo'],
      [1, 'unknown-input', 'optinal'],
      [2, 'unknown-input', 'modle'],
    ]);
  });

  it('without the component inputs, a missing input is absent', () => {
    expect(issues([param('anything')], context()).map((i) => i.kind)).toEqual(['absent-input']);
  });

  it('an output the task does not have is an issue', () => {
    const found = issues(["{{$.outputs.parameters['nope'].output_file}}", "{{$.outputs.artifacts['nope'].uri}}"], ctx);
    expect(found.map((i) => [i.index, i.kind, i.name])).toEqual([
      [0, 'unknown-output', 'nope'],
      [1, 'unknown-output', 'nope'],
    ]);
  });

  it('every unknown placeholder is reported with its index, the rest still checked', () => {
    const found = issues(
      [
        'ok',
        '{{$.foo}}',
        `a ${param('required')} {{$.inputs.parameters["required"]}} b`,
        "{{$.inputs.parameters['required'].json_escape[1]}}",
        "{{$.outputs.parameters['x']}}",
        '{{$.pipeline_job_name',
        '{{$.outputs.artifacts}}',
      ],
      ctx,
    );
    expect(found.map((i) => [i.at, i.kind, i.placeholder])).toEqual([
      ['args[1]', 'unknown-placeholder', '{{$.foo}}'],
      ['args[2]', 'unknown-placeholder', '{{$.inputs.parameters["required"]}}'],
      ['args[3]', 'unknown-placeholder', "{{$.inputs.parameters['required'].json_escape[1]}}"],
      ['args[4]', 'unknown-placeholder', "{{$.outputs.parameters['x']}}"],
      ['args[6]', 'unknown-placeholder', '{{$.outputs.artifacts}}'],
    ]);
  });

  it('an artifact without a local path, or without a metadata key, is an issue', () => {
    const withHttp = context({ artifacts: { web: [{ uri: 'https://example.com/x', metadata: { a: 1 } }] } });
    expect(argv(["{{$.inputs.artifacts['web'].uri}}"], withHttp)).toEqual(['https://example.com/x']);
    expect(
      issues(["{{$.inputs.artifacts['web'].path}}", "{{$.inputs.artifacts['web'].metadata['b']}}"], withHttp).map((i) => i.kind),
    ).toEqual(['no-local-path', 'absent-metadata']);
  });

  it('takes no name for something of Object.prototype', () => {
    const bare = context({ parameters: { real: 'x' } });
    expect(
      issues(
        [param('constructor'), param('__proto__'), '{{$.constructor}}', "{{$.outputs.parameters['toString'].output_file}}"],
        bare,
      ).map((i) => i.kind),
    ).toEqual(['absent-input', 'absent-input', 'unknown-placeholder', 'unknown-output']);
    const odd = context({ parameters: JSON.parse('{"__proto__": "p", "constructor": 1}') });
    expect(
      argv(
        [param('__proto__'), param('constructor'), '{"IfPresent": {"InputName": "toString", "Then": ["t"], "Else": ["e"]}}'],
        odd,
      ),
    ).toEqual(['p', '1', 'e']);
    expect(executorInput(odd).inputs.parameterValues).toEqual(JSON.parse('{"__proto__": "p", "constructor": 1}'));
  });

  it('names the list in the issues of a whole container', () => {
    const r = resolveContainer({ command: ['run', '{{$.nope}}'], args: ['--x', param('optional')] }, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => i.at)).toEqual(['command[1]', 'args[1]']);
      expect(r.message).toContain('command[1]: unknown placeholder {{$.nope}}');
    }
  });
});

describe('run placeholders as constant inputs', () => {
  it.each<[JsonValue, JsonValue]>([
    ['{{$.pipeline_job_name}}', 'nightly run'],
    ['{{$.pipeline_job_resource_name}}', 'nightly-run-x7k2p'],
    ['{{$.pipeline_job_uuid}}', '2b6f0cc9-4f1e-4c1a-9d35-7a3f8a1e0b11'],
    ['{{$.pipeline_task_name}}', 'train'],
    ['{{$.pipeline_task_uuid}}', '4242'],
    ['{{$.pipeline_job_create_time_utc}}', '2026-12-01T18:00:00Z'],
    ['{{$.pipeline_job_schedule_time_utc}}', '2026-12-01T17:59:00Z'],
    ['{{$.workspace_path}}/data', '/kfp-workspace/data'],
    // matched whole, as KFP's driver does
    ['run {{$.pipeline_job_name}}', 'run {{$.pipeline_job_name}}'],
    ['{{$.pipeline_root}}', 's3://artifacts/pipelines/nightly/2b6f0cc9'],
    ['{{$.outputs.output_file}}', '{{$.outputs.output_file}}'],
    ['{{$}}', '{{$}}'],
    ['plain', 'plain'],
    [3, 3],
    [{ a: '{{$.pipeline_job_name}}' }, { a: '{{$.pipeline_job_name}}' }],
  ])('%j resolves to %j', (constant, expected) => {
    expect(resolveConstant(constant, context())).toEqual(expected);
  });

  it('leaves the pipeline root as written when it is not given', () => {
    expect(resolveConstant('{{$.pipeline_root}}', { job: RUN.job, task: RUN.task })).toBe('{{$.pipeline_root}}');
  });
});

describe('parameter references in constant inputs (f-strings)', () => {
  it('flip_coin: a message embeds the random number of its DAG', () => {
    const spec = sample('critical_flip_coin.yaml');
    const constant =
      spec.components['comp-condition-2']?.dag?.tasks['print-msg']?.inputs?.parameters?.msg?.runtimeValue?.constant;
    expect(constant).toBe("heads and {{$.inputs.parameters['pipelinechannel--random-num-Output']}} > 5!");
    expect(resolveParameterReferences(constant!, { 'pipelinechannel--random-num-Output': 7 })).toBe('heads and 7 > 5!');
  });

  it.each<[JsonValue, JsonValue]>([
    [`${param('a')}/${param('b')}`, 'x/2.5'],
    [
      [`-${param('a')}`, 3, { k: param('flag') }],
      ['-x', 3, { k: 'true' }],
    ],
    [`${param('missing')} and ${param('nothing')}`, `${param('missing')} and ${param('nothing')}`],
    [`${param('toString')}`, `${param('toString')}`],
    [null, null],
  ])('%j becomes %j', (value, expected) => {
    expect(resolveParameterReferences(value, { a: 'x', b: 2.5, flag: true, nothing: null })).toEqual(expected);
  });
});

describe('every executor of every compiled sample', () => {
  const folders = ['./fixtures/kfp/', './fixtures/kfp/compiled/'];
  const files = folders.flatMap((folder) =>
    readdirSync(new URL(folder, import.meta.url))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `${folder}${f}`),
  );
  const example: Record<string, JsonValue> = {
    STRING: 'text',
    NUMBER_INTEGER: 3,
    NUMBER_DOUBLE: 0.5,
    BOOLEAN: true,
    LIST: [1, 2],
    STRUCT: { a: 1 },
    TASK_FINAL_STATUS: { state: 'SUCCEEDED', pipelineTaskName: 'train', pipelineJobResourceName: 'run', error: {} },
  };
  const executors = files.flatMap((file) => {
    // the pipeline is the first document; a second one is its Kubernetes platform spec
    const spec = parseAllDocuments(readFileSync(new URL(file, import.meta.url), 'utf8'))[0]?.toJS() as PipelineSpec;
    return Object.entries(spec.components).flatMap(([name, component]) => {
      const container = component.executorLabel ? spec.deploymentSpec.executors[component.executorLabel]?.container : undefined;
      return container ? [[`${file.replace('./fixtures/kfp/', '')} ${name}`, component, container] as const] : [];
    });
  });

  it('are many', () => {
    expect(executors.length).toBeGreaterThanOrEqual(40);
  });

  it.each(executors)('%s resolves, every input given, with no placeholder left', (_, component, container) => {
    const parameters = Object.fromEntries(
      Object.entries(component.inputDefinitions?.parameters ?? {}).map(([name, spec]) => [
        name,
        example[spec.parameterType] ?? null,
      ]),
    );
    const artifacts = Object.fromEntries(
      Object.entries(component.inputDefinitions?.artifacts ?? {}).map(([name, spec]) => [
        name,
        (spec.isArtifactList ? [0, 1] : [0]).map((i) => ({ name, uri: `gs://samples/in/${name}/${i}` })),
      ]),
    );
    const outputs = provisionOutputs(
      { pipelineRoot: 'gs://samples/root', taskName: 'task', salt: '1' },
      component.outputDefinitions,
    );
    const r = resolveContainer(
      container,
      context({ ...outputs, inputDefinitions: component.inputDefinitions, parameters, artifacts }),
    );
    if (!r.ok) throw new Error(r.message);
    for (const arg of [...r.value.command, ...r.value.args]) expect(arg).not.toContain('{{$');
    if ([...(container.command ?? []), ...(container.args ?? [])].includes('{{$}}')) {
      const json = [...r.value.command, ...r.value.args].find((a) => a.startsWith('{"inputs":'));
      expect(JSON.parse(json!).inputs.parameterValues ?? {}).toEqual(
        Object.fromEntries(Object.entries(parameters).filter(([, v]) => v !== null)),
      );
    }
  });
});

describe('the compiled samples command lines', () => {
  it('two_step_pipeline: the producer writes its text to its output URI, the consumer reads it', () => {
    const spec = sample('two_step_pipeline.yaml');
    const write = containerOf(spec, 'comp-write-to-gcs');
    const pipelineRoot = 'gs://my-bucket/v2/artifacts/simple-two-step-pipeline/run-1';
    const outputs = provisionOutputs({ pipelineRoot, taskName: 'write-to-gcs', salt: '1001' }, write.component.outputDefinitions);
    const producer = context({
      ...outputs,
      pipelineRoot,
      inputDefinitions: write.component.inputDefinitions,
      parameters: { text: 'Hello KFP!' },
    });
    const produced = resolveContainer(write.container, producer);
    expect(produced.ok && produced.value).toEqual({
      command: [
        'sh',
        '-c',
        'set -e -x\necho "$0" | gsutil cp - "$1"\n',
        'Hello KFP!',
        `${pipelineRoot}/write-to-gcs/1001/output_gcs_path`,
      ],
      args: [],
    });

    const read = containerOf(spec, 'comp-read-from-gcs');
    const consumer = context({
      pipelineRoot,
      inputDefinitions: read.component.inputDefinitions,
      artifacts: { input_gcs_path: [outputs.outputArtifacts.output_gcs_path!] },
    });
    const consumed = resolveContainer(read.container, consumer);
    expect(consumed.ok && consumed.value.command).toEqual([
      'sh',
      '-c',
      'set -e -x\ngsutil cat "$0"\n',
      `${pipelineRoot}/write-to-gcs/1001/output_gcs_path`,
    ]);
  });

  it('two_step_pipeline: the producer without its text is refused, naming the input', () => {
    const spec = sample('two_step_pipeline.yaml');
    const write = containerOf(spec, 'comp-write-to-gcs');
    const outputs = provisionOutputs(
      { pipelineRoot: RUN.pipelineRoot, taskName: 'write-to-gcs', salt: '1' },
      write.component.outputDefinitions,
    );
    const r = resolveContainer(write.container, context({ ...outputs, inputDefinitions: write.component.inputDefinitions }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => [i.at, i.kind, i.name])).toEqual([['command[3]', 'absent-input', 'text']]);
  });

  it('the exit handler: each Python step gets its executor input, the handler its constant message', () => {
    const spec = sample('failing_pipeline_with_exit_handler.yaml');
    for (const [component, task, message] of [
      ['comp-print-op', 'print-op', 'Exit handler has worked!'],
      ['comp-fail-op', 'fail-op', 'Task failed.'],
      ['comp-print-op-2', 'print-op-2', 'Hello World!'],
    ] as const) {
      const { component: c, container } = containerOf(spec, component);
      const outputs = provisionOutputs({ pipelineRoot: RUN.pipelineRoot, taskName: task, salt: '9' }, c.outputDefinitions);
      const r = resolveContainer(
        container,
        context({ ...outputs, inputDefinitions: c.inputDefinitions, parameters: { message } }),
      );
      if (!r.ok) throw new Error(r.message);
      // the command is the SDK's bootstrap, left as written; the arguments carry the executor input
      expect(r.value.command).toEqual(container.command);
      expect(r.value.args).toEqual([
        '--executor_input',
        JSON.stringify({
          inputs: { parameterValues: { message } },
          outputs: { outputFile: `/s3/artifacts/pipelines/nightly/2b6f0cc9/${task}/9/output_metadata.json` },
        }),
        '--function_to_execute',
        task === 'fail-op' ? 'fail_op' : 'print_op',
      ]);
    }
  });

  it('container_with_placeholder_in_fstring: placeholders inside longer arguments, the default standing in', () => {
    const spec = sample('container_with_placeholder_in_fstring.yaml');
    const { component, container } = containerOf(spec, 'comp-container-with-placeholder-in-fstring');
    const outputs = provisionOutputs(
      { pipelineRoot: 'minio://mlpipeline/v2/artifacts', taskName: 'fstring', salt: '3' },
      component.outputDefinitions,
    );
    const given = resolveContainer(
      container,
      context({ ...outputs, inputDefinitions: component.inputDefinitions, parameters: { text1: 'abc' } }),
    );
    expect(given.ok && given.value.command).toEqual([
      'my_program',
      'prefix-abc',
      'minio://mlpipeline/v2/artifacts/fstring/3/output_artifact/0',
    ]);
    const left = resolveContainer(container, context({ ...outputs, inputDefinitions: component.inputDefinitions }));
    expect(left.ok && left.value.command).toEqual([
      'my_program',
      'prefix-text!',
      'minio://mlpipeline/v2/artifacts/fstring/3/output_artifact/0',
    ]);
  });

  it('container_with_concat_placeholder: prefix, text and the dataset URI in one argument', () => {
    const spec = sample('container_with_concat_placeholder.yaml');
    const { component, container } = containerOf(spec, 'comp-container-with-concat-placeholder');
    const outputs = provisionOutputs(
      { pipelineRoot: 'gs://b/root', taskName: 'container-with-concat-placeholder', salt: 's' },
      component.outputDefinitions,
    );
    const r = resolveContainer(
      container,
      context({ ...outputs, inputDefinitions: component.inputDefinitions, parameters: { text1: 'hello-' } }),
    );
    expect(r.ok && r.value).toEqual({
      command: ['my_program', 'prefix-hello-gs://b/root/container-with-concat-placeholder/s/text2'],
      args: ['--output_path', '/tmp/kfp/outputs/output_path'],
    });
  });

  it('container_with_if_placeholder: Then with the optional input, Else without (its default does not count)', () => {
    const spec = sample('container_with_if_placeholder.yaml');
    const { component, container } = containerOf(spec, 'comp-container-with-if-placeholder');
    const outputs = provisionOutputs({ pipelineRoot: 'gs://b/root', taskName: 'if', salt: 's' }, component.outputDefinitions);
    const base = { ...outputs, inputDefinitions: component.inputDefinitions };
    const given = resolveContainer(container, context({ ...base, parameters: { optional_input: 'hi' } }));
    expect(given.ok && given.value).toEqual({
      command: ['my_program', 'hi', '--dataset', 'gs://b/root/if/s/dataset'],
      args: ['--output_path', '/tmp/kfp/outputs/output_path'],
    });
    const left = resolveContainer(container, context({ ...base }));
    expect(left.ok && left.value).toEqual({
      command: ['my_program', 'bye', '--dataset', 'bye'],
      args: ['--output_path', '/tmp/kfp/outputs/output_path'],
    });
  });

  it('optional inputs left out, as KFP driver test writes them', () => {
    // backend/src/v2/driver/util_test.go, "IfPresent with embedded parameter channel"
    const args = [
      '--arg0',
      param('required_input'),
      `{"IfPresent": {"InputName": "optional_input_1", "Then": ["--arg1", "${param('optional_input_1')}"]}}`,
      `{"IfPresent": {"InputName": "optional_input_2", "Then": ["--arg2", "${param('optional_input_2')}"], "Else": ["--arg2", "default value"]}}`,
    ];
    expect(argv(args, context({ parameters: { required_input: 'input0' } }))).toEqual([
      '--arg0',
      'input0',
      '--arg2',
      'default value',
    ]);
    expect(
      argv(args, context({ parameters: { required_input: 'input0', optional_input_1: 'one', optional_input_2: 'two' } })),
    ).toEqual(['--arg0', 'input0', '--arg1', 'one', '--arg2', 'two']);
  });

  it('pipeline_with_placeholders: the run identity reaches the step through its constant inputs', () => {
    const spec = sample('critical_pipeline_with_placeholders.yaml');
    const { component, container } = containerOf(spec, 'comp-print-all-placeholders');
    const task = spec.root.dag?.tasks['print-all-placeholders'];
    const ctx = context({ task: { name: 'print-all-placeholders', uuid: '17' }, inputDefinitions: component.inputDefinitions });
    const parameters = Object.fromEntries(
      Object.entries(task?.inputs?.parameters ?? {}).map(([name, input]) => [
        name,
        resolveConstant(input.runtimeValue?.constant ?? null, ctx),
      ]),
    );
    expect(parameters).toEqual({
      job_id: '2b6f0cc9-4f1e-4c1a-9d35-7a3f8a1e0b11',
      job_name: 'nightly run',
      job_resource_name: 'nightly-run-x7k2p',
      task_id: '17',
      task_name: 'print-all-placeholders',
    });
    const r = resolveContainer(container, { ...ctx, parameters });
    if (!r.ok) throw new Error(r.message);
    expect(JSON.parse(r.value.args[1]!).inputs.parameterValues).toEqual(parameters);
  });
});
