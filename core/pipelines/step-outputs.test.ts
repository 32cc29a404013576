/**
 * A step's outputs read from its files as KFP's launcher reads them: typed by parameter type, the
 * executor output file overriding, artifacts at their provisioned URIs with its metadata, a missing
 * or ill-typed parameter failing the step by name; and what a simulated step writes reads back as
 * its fixture's values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InterfaceSpec, JsonValue, ParameterType } from './ir.js';
import { parameterFileText } from './simulation.js';
import type { StepJob } from './step.js';
import { parseStepOutputs, typedParameter } from './step-outputs.js';

const OUTPUTS: StepJob['outputs'] = {
  outputParameters: {
    text: { outputFile: '/tmp/kfp/outputs/text' },
    n: { outputFile: '/tmp/kfp/outputs/n' },
    x: { outputFile: '/tmp/kfp/outputs/x' },
    ok: { outputFile: '/tmp/kfp/outputs/ok' },
    items: { outputFile: '/tmp/kfp/outputs/items' },
    conf: { outputFile: '/tmp/kfp/outputs/conf' },
  },
  outputArtifacts: {
    model: { name: 'model', uri: 's3://b/r/train/1/model', type: { schemaTitle: 'system.Model' } },
  },
  outputMetadataFile: '/s3/b/r/train/1/output_metadata.json',
};
const DEFS: InterfaceSpec = {
  parameters: {
    text: { parameterType: 'STRING' },
    n: { parameterType: 'NUMBER_INTEGER' },
    x: { parameterType: 'NUMBER_DOUBLE' },
    ok: { parameterType: 'BOOLEAN' },
    items: { parameterType: 'LIST' },
    conf: { parameterType: 'STRUCT' },
  },
  artifacts: { model: { artifactType: { schemaTitle: 'system.Model' } } },
};
const files = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([name, text]) => [name.startsWith('/') ? name : `/tmp/kfp/outputs/${name}`, text]));

describe('parseStepOutputs', () => {
  it('types each parameter file by its parameter type; artifacts are where they were provisioned', () => {
    const r = parseStepOutputs(
      files({ text: ' heads \n', n: '42\n', x: '0.5', ok: 'True', items: '["a", 1]', conf: '{"k": {"v": null}}' }),
      OUTPUTS,
      DEFS,
    );
    expect(r).toEqual({
      ok: true,
      value: {
        parameters: { text: ' heads \n', n: 42, x: 0.5, ok: true, items: ['a', 1], conf: { k: { v: null } } },
        artifacts: { model: [{ uri: 's3://b/r/train/1/model', schemaTitle: 'system.Model' }] },
      },
    });
  });

  it('the executor output file overrides the files, in either form, and gives artifacts their metadata', () => {
    const executorOutput = JSON.stringify({
      parameterValues: { text: 'from executor', items: [] },
      parameters: { n: { intValue: '7' }, x: { doubleValue: 1.5 } },
      artifacts: { model: { artifacts: [{ name: 'model', uri: 's3://b/r/train/1/model', metadata: { accuracy: 0.9 } }] } },
    });
    const r = parseStepOutputs(files({ ok: 'false', conf: '{}', [OUTPUTS.outputMetadataFile]: executorOutput }), OUTPUTS, DEFS);
    expect(r).toEqual({
      ok: true,
      value: {
        parameters: { text: 'from executor', n: 7, x: 1.5, ok: false, items: [], conf: {} },
        artifacts: { model: [{ uri: 's3://b/r/train/1/model', schemaTitle: 'system.Model', metadata: { accuracy: 0.9 } }] },
      },
    });
  });

  it('fails naming the parameter not written, one its type does not read, or an executor output not JSON', () => {
    const all = { text: 't', n: '1', x: '1', ok: 'true', items: '[]', conf: '{}' };
    const missing = parseStepOutputs(files({ ...all, n: undefined as never }), OUTPUTS, DEFS);
    expect(missing).toEqual({ ok: false, message: "its output parameter 'n' was not written (/tmp/kfp/outputs/n)" });
    expect(parseStepOutputs(files({ ...all, n: 'many' }), OUTPUTS, DEFS)).toMatchObject({
      ok: false,
      message: expect.stringContaining("'n'"),
    });
    expect(parseStepOutputs(files({ ...all, ok: 'yes' }), OUTPUTS, DEFS)).toMatchObject({
      ok: false,
      message: expect.stringContaining("'ok'"),
    });
    expect(parseStepOutputs(files({ ...all, items: '{}' }), OUTPUTS, DEFS)).toMatchObject({ ok: false });
    expect(parseStepOutputs(files({ ...all, [OUTPUTS.outputMetadataFile]: '{' }), OUTPUTS, DEFS)).toMatchObject({
      ok: false,
      message: expect.stringContaining('executor output file'),
    });
  });

  it('a step with no outputs has none, whatever it left', () => {
    expect(
      parseStepOutputs(new Map(), { outputParameters: {}, outputArtifacts: {}, outputMetadataFile: '/x/o.json' }, undefined),
    ).toEqual({
      ok: true,
      value: { parameters: {}, artifacts: {} },
    });
  });
});

/** A JSON value of each parameter type, as a fixture may give it. */
const valuesOfType: Record<Exclude<ParameterType, 'TASK_FINAL_STATUS' | 'TASK_CONFIG'>, fc.Arbitrary<JsonValue>> = {
  STRING: fc.string({ unit: 'binary' }),
  NUMBER_INTEGER: fc.integer(),
  NUMBER_DOUBLE: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
  BOOLEAN: fc.boolean(),
  LIST: fc.array(fc.jsonValue() as fc.Arbitrary<JsonValue>),
  STRUCT: fc.dictionary(fc.string(), fc.jsonValue() as fc.Arbitrary<JsonValue>),
};

describe('what a simulated step writes', () => {
  it('reads back as the value it was written from, for every parameter type (property)', () => {
    const typed = fc
      .constantFrom(...(Object.keys(valuesOfType) as (keyof typeof valuesOfType)[]))
      .chain((type) => valuesOfType[type].map((value) => ({ type, value })));
    fc.assert(
      fc.property(typed, ({ type, value }) => {
        const read = typedParameter(parameterFileText(value), type);
        // JSON has no -0: a list or struct holding one reads back as 0.
        expect(read).toEqual({ ok: true, value: JSON.parse(JSON.stringify(value)) });
      }),
    );
  });
});
