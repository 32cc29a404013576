// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's placeholders are written ${...} in plain strings, as in its documents
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { SettingsIssue } from './space.js';
import { type AlgorithmCheck, type ExperimentSpec, NAS_REFUSAL, parseExperiment } from './spec.js';
import { renderTrial } from './trial-template.js';

const SAMPLES = [
  'hp-tuning_random',
  'hp-tuning_grid',
  'early-stopping_median-stop',
  'metrics-collector_file-metrics-collector',
  'kubeflow-training-operator_pytorchjob-mnist',
] as const;

const text = (name: string) => readFileSync(new URL(`./fixtures/katib/${name}.yaml`, import.meta.url), 'utf8');

/** A fresh, mutable copy of the random-search sample, to break in one test. */
// biome-ignore lint/suspicious/noExplicitAny: a test edits the parsed document freely
const random = (): any => parse(text('hp-tuning_random'));

function parsed(input: unknown): ExperimentSpec {
  const r = parseExperiment(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.experiment;
}

function issuesOf(input: unknown): SettingsIssue[] {
  const r = parseExperiment(input);
  if (r.ok) throw new Error('expected issues');
  return r.issues;
}

/** The paths of the issues, for tests that check which fields are blamed. */
const paths = (input: unknown) => issuesOf(input).map((i) => i.path);

describe('the Katib samples', () => {
  it.each([
    ['hp-tuning_random', () => RANDOM],
    ['hp-tuning_grid', () => GRID],
    ['early-stopping_median-stop', () => MEDIAN_STOP],
    ['metrics-collector_file-metrics-collector', () => FILE_COLLECTOR],
    ['kubeflow-training-operator_pytorchjob-mnist', () => PYTORCHJOB],
  ])('%s parses to its defaulted spec, without warnings', (name, expected) => {
    const source = text(name);
    const r = parseExperiment(source);
    expect(r).toEqual({ ok: true, warnings: [], experiment: { ...expected(), document: parse(source) } });
  });

  it('are the files Katib publishes, unchanged', () => {
    for (const name of SAMPLES) {
      expect(text(name)).toBe(readFileSync(`/work/shared/samples/katib/${name}.yaml`, 'utf8'));
    }
  });
});

describe('input forms', () => {
  it('JSON text, YAML text and a parsed object give the same spec', () => {
    const doc = random();
    const fromYaml = parsed(text('hp-tuning_random'));
    expect(parsed(JSON.stringify(doc))).toEqual(fromYaml);
    expect(parsed(JSON.stringify(doc, null, 2))).toEqual(fromYaml);
    expect(parsed(doc)).toEqual(fromYaml);
  });

  it('text that is not YAML says so at the document, with the line and column', () => {
    const issues = issuesOf('apiVersion: kubeflow.org/v1beta1\nspec: {objective: [unclosed\n');
    expect(issues.length).toBeGreaterThan(0);
    for (const i of issues) {
      expect(i.path).toBe('document');
      expect(i.message).toMatch(/^not YAML or JSON: .*line \d+, column \d+/);
    }
  });

  it('JSON with a syntax error is reported as such', () => {
    expect(issuesOf('{"apiVersion": "kubeflow.org/v1beta1", "kind": }')).toEqual([
      { path: 'document', message: expect.stringMatching(/^not YAML or JSON: .*JSON/) },
    ]);
  });

  it('an empty text, a scalar, a list, and two documents are refused', () => {
    expect(issuesOf('')).toEqual([{ path: 'document', message: 'is empty: expected an Experiment' }]);
    expect(issuesOf('just words')).toEqual([{ path: 'document', message: 'must be an Experiment object, got "just words"' }]);
    expect(issuesOf('- a\n- b\n')).toEqual([{ path: 'document', message: 'must be an Experiment object, got ["a","b"]' }]);
    expect(issuesOf(`${text('hp-tuning_random')}\n---\n${text('hp-tuning_grid')}`)).toEqual([
      { path: 'document', message: 'holds 2 documents: expected one Experiment' },
    ]);
  });

  it('a repeated key is a YAML error, not a silent overwrite', () => {
    const source = text('hp-tuning_random').replace('  maxTrialCount: 12\n', '  maxTrialCount: 12\n  maxTrialCount: 13\n');
    expect(issuesOf(source)[0]?.message).toMatch(/^not YAML or JSON: .*[Mm]ap keys must be unique/);
  });

  it('a malformed field is reported once, not also as missing; a byte-order mark is skipped', () => {
    const doc = random();
    doc.metadata.name = 42;
    doc.spec.algorithm.algorithmName = ['random'];
    expect(issuesOf(doc)).toEqual([
      { path: 'metadata.name', message: 'must be a string, got 42' },
      { path: 'spec.algorithm.algorithmName', message: 'must be a string, got ["random"]' },
    ]);
    expect(parsed(`\uFEFF${text('hp-tuning_random')}`)).toEqual(parsed(text('hp-tuning_random')));
    expect(parsed(`\uFEFF${JSON.stringify(random())}`).name).toBe('random');
  });

  it('fields at the root Katib does not know are named without a leading dot; a missing spec is reported', () => {
    const r = parseExperiment({ ...random(), extra: 1 });
    expect(r.ok && r.warnings).toEqual(['extra: not a Katib field, ignored']);
    const doc = random();
    delete doc.spec;
    expect(paths(doc)).toContain('spec');
  });

  it('what is not plain data is refused with its path, never thrown: a YAML anchor looping on itself, .inf, a cycle', () => {
    const looping = text('hp-tuning_random').replace('    trialSpec:\n', '    trialSpec: &template\n      self: *template\n');
    expect(issuesOf(looping)).toEqual([
      {
        path: `spec.trialTemplate.trialSpec${'.self'.repeat(62)}`,
        message: 'nests deeper than 64 levels (or refers to itself)',
      },
    ]);
    expect(issuesOf(text('hp-tuning_random').replace('goal: 0.001', 'goal: .inf'))).toEqual([
      { path: 'spec.objective.goal', message: 'must be a finite number, got Infinity' },
    ]);
    const doc = random();
    doc.spec.trialTemplate.trialSpec.spec.loop = doc.spec;
    expect(issuesOf(doc)[0]?.message).toBe('nests deeper than 64 levels (or refers to itself)');
    expect(issuesOf({ ...random(), when: new Date(0) })).toEqual([
      { path: 'when', message: 'must be plain data (YAML or JSON), not an instance of a class' },
    ]);
  });

  it('another apiVersion or kind is refused', () => {
    const doc = random();
    doc.apiVersion = 'kubeflow.org/v1alpha3';
    doc.kind = 'Trial';
    expect(issuesOf(doc)).toEqual([
      { path: 'apiVersion', message: 'must be kubeflow.org/v1beta1, got "kubeflow.org/v1alpha3"' },
      { path: 'kind', message: 'must be Experiment, got "Trial"' },
    ]);
  });
});

describe('every issue at once, with its path', () => {
  it('a document with three mistakes gives three issues', () => {
    const doc = random();
    doc.spec.objective.type = 'minimise';
    doc.spec.parameters[1].feasibleSpace.min = '0.95';
    doc.spec.parallelTrialCount = 0;
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.parallelTrialCount', message: 'must be greater than 0, got 0' },
      { path: 'spec.objective.type', message: 'must be minimize or maximize, got "minimise"' },
      { path: 'spec.parameters[1].feasibleSpace.max', message: 'must be greater than min (0.95), got 0.9' },
    ]);
  });

  it('objective: the metric name is required and not among the additional metrics', () => {
    const doc = random();
    doc.spec.objective = { type: 'maximize', additionalMetricNames: ['loss', 'accuracy', 'loss'] };
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.objective.objectiveMetricName', message: 'must be specified' },
      { path: 'spec.objective.additionalMetricNames[2]', message: 'loss is listed twice' },
    ]);
    doc.spec.objective.objectiveMetricName = 'accuracy';
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.objective.additionalMetricNames[1]', message: 'must not be spec.objective.objectiveMetricName (accuracy)' },
      { path: 'spec.objective.additionalMetricNames[2]', message: 'loss is listed twice' },
    ]);
  });

  it('objective: metric strategies are defaulted as Katib does, written ones kept first', () => {
    const doc = random();
    doc.spec.objective = {
      type: 'maximize',
      objectiveMetricName: 'accuracy',
      additionalMetricNames: ['loss', 'f1'],
      metricStrategies: [{ name: 'loss', value: 'latest' }],
    };
    expect(parsed(doc).objective).toEqual({
      type: 'maximize',
      goal: null,
      objectiveMetricName: 'accuracy',
      additionalMetricNames: ['loss', 'f1'],
      metricStrategies: [
        { name: 'loss', value: 'latest' },
        { name: 'accuracy', value: 'max' },
        { name: 'f1', value: 'max' },
      ],
    });
    doc.spec.objective.metricStrategies = [{ name: 'loss', value: 'mean' }];
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.objective.metricStrategies[0].value', message: 'must be one of min, max, latest, got "mean"' },
    ]);
  });

  it('parameters: unique names, a feasible space per type, min < max, 0 < step <= max - min, integral ints', () => {
    const doc = random();
    doc.spec.parameters = [
      { name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.01', max: '0.05', step: '0' } },
      { name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.01', max: '0.05', step: '0.5' } },
      { name: 'layers', parameterType: 'int', feasibleSpace: { min: '1.5', max: '8' } },
      { name: 'batch', parameterType: 'int', feasibleSpace: { min: '16', max: '256', step: '2.5' } },
      { name: 'width', parameterType: 'double', feasibleSpace: { min: '1', list: ['1', '2'] } },
      { name: 'depth', parameterType: 'float', feasibleSpace: { min: '1', max: '2' } },
      { name: 'unset', parameterType: 'double' },
      { name: 'x', parameterType: 'double', feasibleSpace: { min: 'small', max: '1' } },
    ];
    doc.spec.trialTemplate.trialParameters = [];
    const issues = issuesOf(doc).filter((i) => !i.path.startsWith('spec.trialTemplate') && !i.message.includes('not referenced'));
    expect(issues).toEqual([
      { path: 'spec.parameters[0].feasibleSpace.step', message: 'must be greater than 0, got 0' },
      { path: 'spec.parameters[1].name', message: 'lr is defined twice: parameter names must be unique' },
      { path: 'spec.parameters[1].feasibleSpace.step', message: 'must be at most max - min (0.04), got 0.5' },
      { path: 'spec.parameters[2].feasibleSpace.min', message: 'must be an integer for parameterType int, got "1.5"' },
      { path: 'spec.parameters[3].feasibleSpace.step', message: 'must be an integer for parameterType int, got "2.5"' },
      { path: 'spec.parameters[4].feasibleSpace.list', message: 'is not supported for parameterType double: give min and max' },
      { path: 'spec.parameters[4].feasibleSpace.max', message: 'must be specified for parameterType double' },
      { path: 'spec.parameters[5].parameterType', message: 'must be one of double, int, categorical, discrete, got "float"' },
      { path: 'spec.parameters[6].feasibleSpace', message: 'must be specified' },
      { path: 'spec.parameters[7].feasibleSpace.min', message: 'must be a number written as a string, got "small"' },
    ]);
  });

  it('parameters: lists are non-empty and unique, discrete values numbers, no range on a list', () => {
    const doc = random();
    doc.spec.parameters = [
      { name: 'optimizer', parameterType: 'categorical', feasibleSpace: { list: [] } },
      { name: 'act', parameterType: 'categorical', feasibleSpace: { list: ['relu', 'tanh', 'relu'] } },
      { name: 'batch', parameterType: 'discrete', feasibleSpace: { list: ['16', 'thirty-two', '64', '64.0'] } },
      { name: 'drop', parameterType: 'categorical', feasibleSpace: { list: ['a'], min: '0', step: '1' } },
    ];
    doc.spec.trialTemplate.trialParameters = [];
    const issues = issuesOf(doc).filter((i) => i.path.startsWith('spec.parameters') && !i.message.includes('not referenced'));
    expect(issues).toEqual([
      { path: 'spec.parameters[0].feasibleSpace.list', message: 'must be a non-empty list for parameterType categorical' },
      { path: 'spec.parameters[1].feasibleSpace.list[2]', message: '"relu" is listed twice: values must be unique' },
      {
        path: 'spec.parameters[2].feasibleSpace.list[1]',
        message: 'must be a number written as a string for parameterType discrete, got "thirty-two"',
      },
      {
        path: 'spec.parameters[2].feasibleSpace.list[3]',
        message: '"64.0" is the same number as another value: values must be unique',
      },
      { path: 'spec.parameters[3].feasibleSpace.min', message: 'is not supported for parameterType categorical: give a list' },
      { path: 'spec.parameters[3].feasibleSpace.step', message: 'is not supported for parameterType categorical: give a list' },
    ]);
  });

  it('parameters: distributions are known, log scales need min > 0, lists are drawn uniformly', () => {
    const doc = random();
    doc.spec.parameters[0].feasibleSpace = { min: '0', max: '0.05', distribution: 'logUniform' };
    doc.spec.parameters[1].feasibleSpace = { min: '0.5', max: '0.9', distribution: 'gaussian' };
    doc.spec.parameters.push({
      name: 'act',
      parameterType: 'categorical',
      feasibleSpace: { list: ['relu'], distribution: 'normal' },
    });
    doc.spec.trialTemplate.trialParameters.push({ name: 'act', reference: 'act' });
    doc.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command.push('--act=${trialParameters.act}');
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.parameters[0].feasibleSpace.min', message: 'must be greater than 0 for distribution logUniform, got 0' },
      {
        path: 'spec.parameters[1].feasibleSpace.distribution',
        message: 'must be one of uniform, logUniform, normal, logNormal, got "gaussian"',
      },
      {
        path: 'spec.parameters[2].feasibleSpace.distribution',
        message: 'normal is not supported for parameterType categorical: its values are drawn uniformly',
      },
    ]);
  });

  it('parameters: the space keeps numbers parsed and list values as written', () => {
    const doc = random();
    doc.spec.parameters.push(
      { name: 'layers', parameterType: 'int', feasibleSpace: { min: '2', max: '8', step: '2', distribution: 'logUniform' } },
      { name: 'batch', parameterType: 'discrete', feasibleSpace: { list: ['16', '32.0', '6.4e1'] } },
      { name: 'optimizer', parameterType: 'categorical', feasibleSpace: { list: ['sgd', 'adam'] } },
    );
    for (const p of ['layers', 'batch', 'optimizer']) doc.spec.trialTemplate.trialParameters.push({ name: p, reference: p });
    doc.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command.push(
      '--layers=${trialParameters.layers}',
      '--batch=${trialParameters.batch}',
      '--optimizer=${trialParameters.optimizer}',
    );
    expect(parsed(doc).space.slice(2)).toEqual([
      { name: 'layers', type: 'int', min: 2, max: 8, step: 2, distribution: 'logUniform' },
      { name: 'batch', type: 'discrete', list: ['16', '32.0', '6.4e1'], distribution: 'uniform' },
      { name: 'optimizer', type: 'categorical', list: ['sgd', 'adam'], distribution: 'uniform' },
    ]);
  });

  it('parameters: a number YAML read as a number is taken, with a warning that Katib wants a string', () => {
    const source = text('hp-tuning_random').replace('min: "0.01"', 'min: 0.01');
    const r = parseExperiment(source);
    expect(r.ok && r.experiment.space[0]).toEqual({
      name: 'lr',
      type: 'double',
      min: 0.01,
      max: 0.05,
      step: null,
      distribution: 'uniform',
    });
    expect(r.ok && r.warnings).toEqual(['spec.parameters[0].feasibleSpace.min: Katib requires a string; write "0.01"']);
  });

  it('parameters: at least one; none at all is refused', () => {
    const doc = random();
    doc.spec.parameters = [];
    expect(paths(doc)).toContain('spec.parameters');
  });

  it('algorithm: unknown names are listed, NAS algorithms and nasConfig refused with the reason', () => {
    const doc = random();
    doc.spec.algorithm.algorithmName = 'annealing';
    expect(issuesOf(doc)).toEqual([
      {
        path: 'spec.algorithm.algorithmName',
        message:
          'unknown algorithm "annealing": gpupool runs random, grid, sobol, tpe, multivariate-tpe, bayesianoptimization, cmaes, hyperband, pbt',
      },
    ]);
    for (const nas of ['enas', 'darts']) {
      doc.spec.algorithm.algorithmName = nas;
      expect(issuesOf(doc)).toEqual([{ path: 'spec.algorithm.algorithmName', message: `${nas}: ${NAS_REFUSAL}` }]);
    }
    expect(NAS_REFUSAL).toBe('neural architecture search is not supported');
    doc.spec.algorithm = {};
    doc.spec.nasConfig = { graphConfig: { numLayers: 8 } };
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.nasConfig', message: 'neural architecture search is not supported' },
      { path: 'spec.algorithm.algorithmName', message: 'must be specified' },
    ]);
  });

  it('algorithm: every name gpupool runs is accepted, its settings kept as strings', () => {
    const doc = random();
    for (const name of [
      'random',
      'grid',
      'sobol',
      'tpe',
      'multivariate-tpe',
      'bayesianoptimization',
      'cmaes',
      'hyperband',
      'pbt',
    ]) {
      doc.spec.algorithm = { algorithmName: name, algorithmSettings: [{ name: 'random_state', value: '10' }] };
      expect(parsed(doc).algorithm).toEqual({ name, settings: [{ name: 'random_state', value: '10' }] });
    }
  });

  it('counts: parallel > 0, max > 0, max failed >= 0, both within the budget', () => {
    const doc = random();
    doc.spec.maxTrialCount = 0;
    doc.spec.maxFailedTrialCount = -1;
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.maxFailedTrialCount', message: 'must not be less than 0, got -1' },
      { path: 'spec.maxTrialCount', message: 'must be greater than 0, got 0' },
    ]);
    doc.spec.maxTrialCount = 4;
    doc.spec.maxFailedTrialCount = 5;
    doc.spec.parallelTrialCount = 6;
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.maxFailedTrialCount', message: '5 must be less than or equal to spec.maxTrialCount (4)' },
      { path: 'spec.parallelTrialCount', message: '6 must be less than or equal to spec.maxTrialCount (4)' },
    ]);
    doc.spec.parallelTrialCount = 2.5;
    expect(issuesOf(doc)).toContainEqual({ path: 'spec.parallelTrialCount', message: 'must be an integer, got 2.5' });
  });

  it('counts: Katib defaults parallelTrialCount to 3 before checking it against the budget', () => {
    const doc = random();
    delete doc.spec.parallelTrialCount;
    delete doc.spec.maxFailedTrialCount;
    doc.spec.maxTrialCount = 2;
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.parallelTrialCount', message: '3 (the default) must be less than or equal to spec.maxTrialCount (2)' },
    ]);
    delete doc.spec.maxTrialCount;
    const e = parsed(doc);
    expect([e.parallelTrialCount, e.maxTrialCount, e.maxFailedTrialCount]).toEqual([3, null, null]);
  });

  it('early stopping: medianstop and asha are known, others refused', () => {
    const doc = random();
    doc.spec.earlyStopping = { algorithmName: 'asha', algorithmSettings: [{ name: 'reduction_factor', value: 3 }] };
    const r = parseExperiment(doc);
    expect(r.ok && r.experiment.earlyStopping).toEqual({ name: 'asha', settings: [{ name: 'reduction_factor', value: '3' }] });
    expect(r.ok && r.warnings).toEqual(['spec.earlyStopping.algorithmSettings[0].value: Katib requires a string; write "3"']);
    doc.spec.earlyStopping = { algorithmName: 'patience' };
    expect(issuesOf(doc)).toEqual([
      {
        path: 'spec.earlyStopping.algorithmName',
        message: 'unknown early-stopping algorithm "patience": gpupool runs medianstop, asha',
      },
    ]);
  });

  it('resume policy: Never by default, one of Katib three', () => {
    const doc = random();
    doc.spec.resumePolicy = 'FromVolume';
    expect(parsed(doc).resumePolicy).toBe('FromVolume');
    doc.spec.resumePolicy = 'Always';
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.resumePolicy', message: 'must be one of Never, LongRunning, FromVolume, got "Always"' },
    ]);
  });

  it('trial template: exactly one source', () => {
    const doc = random();
    doc.spec.trialTemplate.configMap = { configMapName: 'templates', configMapNamespace: 'kubeflow', templatePath: 'job.yaml' };
    expect(issuesOf(doc)).toEqual([
      {
        path: 'spec.trialTemplate',
        message: 'only one of spec.trialTemplate.trialSpec and spec.trialTemplate.configMap can be specified',
      },
    ]);
    delete doc.spec.trialTemplate.trialSpec;
    delete doc.spec.trialTemplate.configMap;
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.trialTemplate', message: 'spec.trialTemplate.trialSpec or spec.trialTemplate.configMap must be specified' },
    ]);
  });

  it('trial template: a ConfigMap source names all three fields and, its kind unknown here, its conditions', () => {
    const doc = random();
    delete doc.spec.trialTemplate.trialSpec;
    doc.spec.trialTemplate.configMap = { configMapName: 'templates' };
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.trialTemplate.configMap.configMapNamespace', message: 'must be specified' },
      { path: 'spec.trialTemplate.configMap.templatePath', message: 'must be specified' },
    ]);
    doc.spec.trialTemplate.configMap = { configMapName: 'templates', configMapNamespace: 'kubeflow', templatePath: 'job.yaml' };
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.trialTemplate', message: 'successCondition and failureCondition must be specified for a ConfigMap template' },
    ]);
    doc.spec.trialTemplate.successCondition = 'status.succeeded';
    doc.spec.trialTemplate.failureCondition = 'status.failed';
    expect(parsed(doc).trialTemplate).toMatchObject({
      trialSpec: null,
      configMap: { name: 'templates', namespace: 'kubeflow', templatePath: 'job.yaml' },
      successCondition: 'status.succeeded',
      failureCondition: 'status.failed',
      primaryPodLabels: {},
    });
  });

  it('trial template: every declared parameter is used, every placeholder declared, names and references unique and known', () => {
    const doc = random();
    doc.spec.trialTemplate.trialParameters = [
      { name: 'learningRate', reference: 'lr' },
      { name: 'learningRate', reference: 'momentum' },
      { name: 'seed', reference: 'seed' },
      { name: 'lr2', reference: 'lr' },
      { name: 'bad{name}', reference: 'momentum' },
      { name: 'trialName', reference: '${trialSpec.Nome}' },
    ];
    expect(issuesOf(doc)).toEqual([
      {
        path: 'spec.trialTemplate.trialParameters[1].name',
        message: 'learningRate is declared twice: trial parameter names must be unique',
      },
      {
        path: 'spec.trialTemplate.trialParameters[2].name',
        message: '${trialParameters.seed} does not appear in spec.trialTemplate.trialSpec',
      },
      { path: 'spec.trialTemplate.trialParameters[2].reference', message: 'seed is not a parameter of spec.parameters' },
      {
        path: 'spec.trialTemplate.trialParameters[3].name',
        message: '${trialParameters.lr2} does not appear in spec.trialTemplate.trialSpec',
      },
      {
        path: 'spec.trialTemplate.trialParameters[3].reference',
        message: 'lr is referenced twice: trial parameter references must be unique',
      },
      { path: 'spec.trialTemplate.trialParameters[4].name', message: "must not contain '{' or '}', got \"bad{name}\"" },
      {
        path: 'spec.trialTemplate.trialParameters[4].reference',
        message: 'momentum is referenced twice: trial parameter references must be unique',
      },
      {
        path: 'spec.trialTemplate.trialParameters[5].name',
        message: '${trialParameters.trialName} does not appear in spec.trialTemplate.trialSpec',
      },
      {
        path: 'spec.trialTemplate.trialParameters[5].reference',
        message:
          '${trialSpec.Nome}: trial metadata is one of ${trialSpec.Name}, .Namespace, .Kind, .APIVersion, .Labels[key], .Annotations[key]',
      },
      {
        path: 'spec.trialTemplate.trialSpec',
        message: '${trialParameters.momentum} is not declared in spec.trialTemplate.trialParameters',
      },
    ]);
  });

  it('trial template: a search parameter no trial parameter takes is refused (Katib would fail every trial)', () => {
    const doc = random();
    doc.spec.trialTemplate.trialParameters.pop();
    doc.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command.pop();
    expect(issuesOf(doc)).toEqual([
      {
        path: 'spec.parameters[1].name',
        message: 'momentum is not referenced by any spec.trialTemplate.trialParameters: no trial could take its value',
      },
    ]);
  });

  it('trial template: metadata references need the label or annotation on the template', () => {
    const doc = random();
    const spec = doc.spec.trialTemplate.trialSpec;
    spec.metadata = { labels: { team: 'vision' } };
    spec.spec.template.spec.containers[0].args = [
      '--team=${trialParameters.team}',
      '--owner=${trialParameters.owner}',
      '--trial=${trialParameters.trialName}',
    ];
    doc.spec.trialTemplate.trialParameters.push(
      { name: 'team', reference: '${trialSpec.Labels[team]}' },
      { name: 'owner', reference: '${trialSpec.Annotations[owner]}' },
      { name: 'trialName', reference: '${trialSpec.Name}' },
    );
    expect(issuesOf(doc)).toEqual([
      {
        path: 'spec.trialTemplate.trialParameters[3].reference',
        message: 'spec.trialTemplate.trialSpec.metadata.annotations has no owner',
      },
    ]);
    spec.metadata.annotations = { owner: 'ada' };
    expect(parsed(doc).trialTemplate.trialParameters.slice(2)).toEqual([
      { name: 'team', description: '', reference: '${trialSpec.Labels[team]}' },
      { name: 'owner', description: '', reference: '${trialSpec.Annotations[owner]}' },
      { name: 'trialName', description: '', reference: '${trialSpec.Name}' },
    ]);
  });

  it('trial template: kinds gpupool cannot run are refused with the reason; name and namespace are left to the trial', () => {
    const doc = random();
    doc.spec.trialTemplate.trialSpec.apiVersion = 'argoproj.io/v1alpha1';
    doc.spec.trialTemplate.trialSpec.kind = 'Workflow';
    doc.spec.trialTemplate.trialSpec.metadata = { name: 'fixed', namespace: 'other' };
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.trialTemplate.trialSpec.metadata.name', message: 'must be omitted: each trial gets its own name' },
      {
        path: 'spec.trialTemplate.trialSpec.metadata.namespace',
        message: "must be omitted: trials run in the experiment's namespace",
      },
      {
        path: 'spec.trialTemplate.trialSpec.kind',
        message: 'gpupool cannot run trials of kind Workflow: it runs Job, TFJob, PyTorchJob, XGBoostJob, MPIJob, JAXJob',
      },
    ]);
  });

  it('trial template: the primary container must be one of the trial', () => {
    const doc = random();
    doc.spec.trialTemplate.primaryContainerName = 'trainer';
    expect(issuesOf(doc)).toEqual([
      {
        path: 'spec.trialTemplate.primaryContainerName',
        message: 'trainer is not a container of the trial (training-container)',
      },
    ]);
    delete doc.spec.trialTemplate.primaryContainerName;
    expect(issuesOf(doc)).toEqual([{ path: 'spec.trialTemplate.primaryContainerName', message: 'must be specified' }]);
  });

  it('trial template: a JAXJob, not among the kinds Katib defaults, needs its conditions written', () => {
    const doc = random();
    const pod = doc.spec.trialTemplate.trialSpec.spec.template;
    doc.spec.trialTemplate.trialSpec = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'JAXJob',
      spec: { jaxReplicaSpecs: { Worker: { replicas: 2, template: pod } } },
    };
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.trialTemplate', message: 'successCondition and failureCondition must be specified for kind JAXJob' },
    ]);
    doc.spec.trialTemplate.successCondition = 'status.conditions.#(type=="Succeeded")#|#(status=="True")#';
    doc.spec.trialTemplate.failureCondition = 'status.conditions.#(type=="Failed")#|#(status=="True")#';
    expect(parsed(doc).trialTemplate.primaryPodLabels).toEqual({});
  });

  it('metrics collector: a File collector needs an absolute path, TEXT or JSON, and no filter with JSON', () => {
    const doc = random();
    doc.spec.metricsCollectorSpec = {
      collector: { kind: 'File' },
      source: {
        fileSystemPath: { path: 'logs/metrics.json', kind: 'File', format: 'JSON' },
        filter: { metricsFormat: ['(\\w+)=(\\S+)'] },
      },
    };
    expect(issuesOf(doc)).toEqual([
      {
        path: 'spec.metricsCollectorSpec.source.fileSystemPath.path',
        message: 'the metrics file\'s absolute path is required, got "logs/metrics.json"',
      },
      { path: 'spec.metricsCollectorSpec.source.filter', message: 'must be omitted when the metrics file is JSON' },
    ]);
    doc.spec.metricsCollectorSpec = { collector: { kind: 'File' } };
    expect(parsed(doc).metricsCollector).toEqual({
      kind: 'File',
      fileSystemPath: { path: '/var/log/katib/metrics.log', kind: 'File', format: 'TEXT' },
      httpGet: null,
      metricsFormat: [],
      customCollector: null,
    });
  });

  it('metrics collector: a filter regex must compile and capture a name and a value', () => {
    const doc = random();
    doc.spec.metricsCollectorSpec = { source: { filter: { metricsFormat: ['loss=(\\d+)', '([a-z]+=(\\d+)', '(\\w+):(\\S+)'] } } };
    const issues = issuesOf(doc);
    expect(issues.map((i) => i.path)).toEqual([
      'spec.metricsCollectorSpec.source.filter.metricsFormat[0]',
      'spec.metricsCollectorSpec.source.filter.metricsFormat[1]',
    ]);
    expect(issues[0]?.message).toBe('must have two capturing groups: the metric name, then its value');
    expect(issues[1]?.message).toMatch(/^invalid regular expression: /);
  });

  it('metrics collector: kinds, TensorFlowEvent and Prometheus defaults, Custom needs its container', () => {
    const doc = random();
    doc.spec.metricsCollectorSpec = { collector: { kind: 'Stdout' } };
    expect(issuesOf(doc)).toEqual([
      {
        path: 'spec.metricsCollectorSpec.collector.kind',
        message: 'must be one of StdOut, File, TensorFlowEvent, PrometheusMetric, Custom, Push, got "Stdout"',
      },
    ]);
    doc.spec.metricsCollectorSpec = { collector: { kind: 'TensorFlowEvent' } };
    expect(parsed(doc).metricsCollector.fileSystemPath).toEqual({
      path: '/var/log/katib/tfevent/',
      kind: 'Directory',
      format: null,
    });
    doc.spec.metricsCollectorSpec = { collector: { kind: 'PrometheusMetric' } };
    expect(parsed(doc).metricsCollector.httpGet).toEqual({ path: '/metrics', port: 8080 });
    doc.spec.metricsCollectorSpec = {
      collector: { kind: 'PrometheusMetric' },
      source: { httpGet: { path: 'metrics', port: 'http' } },
    };
    expect(issuesOf(doc)).toEqual([
      { path: 'spec.metricsCollectorSpec.source.httpGet.port', message: 'must be a port number, got "http"' },
      { path: 'spec.metricsCollectorSpec.source.httpGet.path', message: 'must start with \'/\', got "metrics"' },
    ]);
    doc.spec.metricsCollectorSpec = { collector: { kind: 'Custom' } };
    expect(issuesOf(doc)).toEqual([
      {
        path: 'spec.metricsCollectorSpec.collector.customCollector',
        message: 'a container is required for collector kind Custom',
      },
    ]);
  });

  it('names: the experiment name is a lower-case label of at most 40 characters; parameter and metric names must be usable as ids', () => {
    const doc = random();
    doc.metadata.name = 'Random_Search';
    doc.metadata.namespace = 'Team A';
    doc.spec.parameters[0].name = 'l\u200br';
    doc.spec.trialTemplate.trialParameters[0].reference = 'l\u200br';
    doc.spec.objective.objectiveMetricName = 'loss\u0007';
    expect(issuesOf(doc).map((i) => i.path)).toEqual([
      'metadata.name',
      'metadata.namespace',
      'spec.objective.objectiveMetricName',
      'spec.parameters[0].name',
    ]);
    doc.metadata.name = `a${'b'.repeat(40)}`;
    expect(issuesOf(doc)[0]).toEqual({
      path: 'metadata.name',
      message: `"a${'b'.repeat(40)}": must be lower-case letters, digits and '-', start with a letter, end with a letter or digit, and be at most 40 characters`,
    });
  });

  it('fields Katib does not know are ignored with a warning', () => {
    const doc = random();
    doc.spec.maxTrials = 3;
    doc.spec.parameters[0].feasibleSpace.mean = '0.02';
    const r = parseExperiment(doc);
    expect(r.ok && r.warnings).toEqual([
      'spec.maxTrials: not a Katib field, ignored',
      'spec.parameters[0].feasibleSpace.mean: not a Katib field, ignored',
    ]);
  });
});

/** Every path to a value inside a document, as a list of keys. */
function pathsIn(u: unknown, at: (string | number)[] = []): (string | number)[][] {
  const here = at.length > 0 ? [at] : [];
  if (Array.isArray(u)) return [...here, ...u.flatMap((v, i) => pathsIn(v, [...at, i]))];
  if (typeof u === 'object' && u !== null) return [...here, ...Object.entries(u).flatMap(([k, v]) => pathsIn(v, [...at, k]))];
  return here;
}

describe('properties', () => {
  it('any field of any sample replaced by any JSON value: an answer, never an exception; issues name paths', () => {
    const docs = SAMPLES.map((name) => parse(text(name)));
    const edit = fc
      .integer({ min: 0, max: docs.length - 1 })
      .chain((d) =>
        fc.tuple(
          fc.constant(d),
          fc.constantFrom(...pathsIn(docs[d])),
          fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined), fc.string()),
        ),
      );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const doc = structuredClone(docs[edits[0]?.[0] ?? 0]);
        for (const [, path, value] of edits) {
          let node = doc;
          for (const k of path.slice(0, -1)) node = node?.[k];
          if (typeof node === 'object' && node !== null) node[path[path.length - 1] as string] = value;
        }
        const r = parseExperiment(doc);
        if (r.ok) {
          expect(parseExperiment(JSON.stringify(doc))).toEqual(r);
        } else {
          expect(r.issues.length).toBeGreaterThan(0);
          for (const i of r.issues) {
            expect(i.path).toMatch(/^(document|apiVersion|kind|metadata|spec|[^.]+)/);
            expect(i.message.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 400, seed: 20261201 },
    );
  });

  it('any assignment from the space renders a trial with no placeholder left and the values in its command', () => {
    const spec = parsed(text('hp-tuning_random'));
    const value = (p: ExperimentSpec['space'][number]) =>
      p.type === 'double' ? fc.double({ min: p.min, max: p.max, noNaN: true }).map((x) => String(x)) : fc.constant('');
    fc.assert(
      fc.property(
        value(spec.space[0] as ExperimentSpec['space'][number]),
        value(spec.space[1] as ExperimentSpec['space'][number]),
        (lr, momentum) => {
          const r = renderTrial(spec, 'random-x1', { lr, momentum }, { namespace: 'kubeflow' });
          if (!r.ok) throw new Error(JSON.stringify(r.issues));
          expect(JSON.stringify(r.manifest)).not.toContain('${trialParameters.');
          // biome-ignore lint/suspicious/noExplicitAny: reaching into the manifest
          expect((r.manifest as any).spec.template.spec.containers[0].command.slice(4)).toEqual([
            `--lr=${lr}`,
            `--momentum=${momentum}`,
          ]);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe("gpupool's additions", () => {
  it('the maximum duration of a trial is an annotation, so the document stays a Katib Experiment', () => {
    const doc = random();
    doc.metadata.annotations = { 'gpupool.io/max-duration-seconds': '3600' };
    expect(parsed(doc).maxDurationSeconds).toBe(3600);
    doc.metadata.annotations = { 'gpupool.io/max-duration-seconds': 'an hour' };
    expect(issuesOf(doc)).toEqual([
      {
        path: 'metadata.annotations.gpupool.io/max-duration-seconds',
        message: 'must be a number of seconds > 0 written as a string, got "an hour"',
      },
    ]);
    expect('maxDurationSeconds' in parsed(random())).toBe(false);
  });

  it("the algorithm's and the early-stopping rule's own checks are merged with the spec's", () => {
    const doc = random();
    doc.spec.algorithm = { algorithmName: 'grid', algorithmSettings: [{ name: 'shuffle', value: 'yes' }] };
    doc.spec.earlyStopping = { algorithmName: 'medianstop', algorithmSettings: [{ name: 'start_step', value: '-1' }] };
    doc.spec.resumePolicy = 'Sometimes';
    const seen: AlgorithmCheck[] = [];
    const r = parseExperiment(doc, {
      validateAlgorithm: (check) => {
        seen.push(check);
        return [
          { path: 'spec.algorithm.algorithmSettings[0].name', message: 'grid has no setting shuffle' },
          { path: 'spec.parameters[0].feasibleSpace.step', message: 'grid needs a step for a double' },
        ];
      },
      validateEarlyStopping: (name, settings) =>
        name === 'medianstop' && settings[0]?.value === '-1'
          ? [{ path: 'spec.earlyStopping.algorithmSettings[0].value', message: 'start_step must be >= 1' }]
          : [],
    });
    expect(r).toEqual({
      ok: false,
      issues: [
        { path: 'spec.resumePolicy', message: 'must be one of Never, LongRunning, FromVolume, got "Sometimes"' },
        { path: 'spec.algorithm.algorithmSettings[0].name', message: 'grid has no setting shuffle' },
        { path: 'spec.parameters[0].feasibleSpace.step', message: 'grid needs a step for a double' },
        { path: 'spec.earlyStopping.algorithmSettings[0].value', message: 'start_step must be >= 1' },
      ],
    });
    expect(seen).toEqual([
      {
        algorithm: 'grid',
        space: RANDOM.space,
        objective: 'minimize',
        settings: [{ name: 'shuffle', value: 'yes' }],
        maxTrials: 12,
        parallelTrials: 3,
      },
    ]);
  });
});

/** hp-tuning_random.yaml, defaulted: everything parseExperiment keeps but the document itself. */
const RANDOM = {
  name: 'random',
  namespace: 'kubeflow',
  objective: {
    type: 'minimize',
    goal: 0.001,
    objectiveMetricName: 'loss',
    additionalMetricNames: [],
    metricStrategies: [
      {
        name: 'loss',
        value: 'min',
      },
    ],
  },
  space: [
    {
      name: 'lr',
      type: 'double',
      min: 0.01,
      max: 0.05,
      step: null,
      distribution: 'uniform',
    },
    {
      name: 'momentum',
      type: 'double',
      min: 0.5,
      max: 0.9,
      step: null,
      distribution: 'uniform',
    },
  ],
  algorithm: {
    name: 'random',
    settings: [],
  },
  earlyStopping: null,
  parallelTrialCount: 3,
  maxTrialCount: 12,
  maxFailedTrialCount: 3,
  metricsCollector: {
    kind: 'StdOut',
    fileSystemPath: null,
    httpGet: null,
    metricsFormat: [],
    customCollector: null,
  },
  resumePolicy: 'Never',
  trialTemplate: {
    trialSpec: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'training-container',
                image: 'ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest',
                command: [
                  'python3',
                  '/opt/pytorch-mnist/mnist.py',
                  '--epochs=1',
                  '--batch-size=16',
                  '--lr=${trialParameters.learningRate}',
                  '--momentum=${trialParameters.momentum}',
                ],
                resources: {
                  limits: {
                    memory: '1Gi',
                    cpu: '0.5',
                  },
                },
              },
            ],
            restartPolicy: 'Never',
          },
        },
      },
    },
    configMap: null,
    trialParameters: [
      {
        name: 'learningRate',
        description: 'Learning rate for the training model',
        reference: 'lr',
      },
      {
        name: 'momentum',
        description: 'Momentum for the training model',
        reference: 'momentum',
      },
    ],
    primaryContainerName: 'training-container',
    primaryPodLabels: {},
    successCondition: 'status.conditions.#(type=="Complete")#|#(status=="True")#',
    failureCondition: 'status.conditions.#(type=="Failed")#|#(status=="True")#',
    retain: false,
  },
};

/** hp-tuning_grid.yaml, defaulted: everything parseExperiment keeps but the document itself. */
const GRID = {
  name: 'grid',
  namespace: 'kubeflow',
  objective: {
    type: 'minimize',
    goal: 0.001,
    objectiveMetricName: 'loss',
    additionalMetricNames: [],
    metricStrategies: [
      {
        name: 'loss',
        value: 'min',
      },
    ],
  },
  space: [
    {
      name: 'lr',
      type: 'double',
      min: 0.01,
      max: 0.05,
      step: 0.005,
      distribution: 'uniform',
    },
    {
      name: 'momentum',
      type: 'double',
      min: 0.5,
      max: 0.9,
      step: 0.1,
      distribution: 'uniform',
    },
  ],
  algorithm: {
    name: 'grid',
    settings: [],
  },
  earlyStopping: null,
  parallelTrialCount: 3,
  maxTrialCount: 12,
  maxFailedTrialCount: 3,
  metricsCollector: {
    kind: 'StdOut',
    fileSystemPath: null,
    httpGet: null,
    metricsFormat: [],
    customCollector: null,
  },
  resumePolicy: 'Never',
  trialTemplate: {
    trialSpec: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'training-container',
                image: 'ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest',
                command: [
                  'python3',
                  '/opt/pytorch-mnist/mnist.py',
                  '--epochs=1',
                  '--batch-size=16',
                  '--lr=${trialParameters.learningRate}',
                  '--momentum=${trialParameters.momentum}',
                ],
              },
            ],
            restartPolicy: 'Never',
          },
        },
      },
    },
    configMap: null,
    trialParameters: [
      {
        name: 'learningRate',
        description: 'Learning rate for the training model',
        reference: 'lr',
      },
      {
        name: 'momentum',
        description: 'Momentum for the training model',
        reference: 'momentum',
      },
    ],
    primaryContainerName: 'training-container',
    primaryPodLabels: {},
    successCondition: 'status.conditions.#(type=="Complete")#|#(status=="True")#',
    failureCondition: 'status.conditions.#(type=="Failed")#|#(status=="True")#',
    retain: false,
  },
};

/** early-stopping_median-stop.yaml, defaulted: everything parseExperiment keeps but the document itself. */
const MEDIAN_STOP = {
  name: 'median-stop',
  namespace: 'kubeflow',
  objective: {
    type: 'minimize',
    goal: 0.001,
    objectiveMetricName: 'loss',
    additionalMetricNames: [],
    metricStrategies: [
      {
        name: 'loss',
        value: 'min',
      },
    ],
  },
  space: [
    {
      name: 'lr',
      type: 'double',
      min: 0.01,
      max: 0.05,
      step: null,
      distribution: 'uniform',
    },
    {
      name: 'momentum',
      type: 'double',
      min: 0.5,
      max: 0.9,
      step: null,
      distribution: 'uniform',
    },
  ],
  algorithm: {
    name: 'random',
    settings: [],
  },
  earlyStopping: {
    name: 'medianstop',
    settings: [
      {
        name: 'min_trials_required',
        value: '1',
      },
      {
        name: 'start_step',
        value: '2',
      },
    ],
  },
  parallelTrialCount: 2,
  maxTrialCount: 15,
  maxFailedTrialCount: 3,
  metricsCollector: {
    kind: 'StdOut',
    fileSystemPath: null,
    httpGet: null,
    metricsFormat: [],
    customCollector: null,
  },
  resumePolicy: 'Never',
  trialTemplate: {
    trialSpec: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'training-container',
                image: 'ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest',
                command: [
                  'python3',
                  '/opt/pytorch-mnist/mnist.py',
                  '--epochs=1',
                  '--batch-size=16',
                  '--lr=${trialParameters.learningRate}',
                  '--momentum=${trialParameters.momentum}',
                ],
              },
            ],
            restartPolicy: 'Never',
          },
        },
      },
    },
    configMap: null,
    trialParameters: [
      {
        name: 'learningRate',
        description: 'Learning rate for the training model',
        reference: 'lr',
      },
      {
        name: 'momentum',
        description: 'Momentum for the training model',
        reference: 'momentum',
      },
    ],
    primaryContainerName: 'training-container',
    primaryPodLabels: {},
    successCondition: 'status.conditions.#(type=="Complete")#|#(status=="True")#',
    failureCondition: 'status.conditions.#(type=="Failed")#|#(status=="True")#',
    retain: true,
  },
};

/** metrics-collector_file-metrics-collector.yaml, defaulted: everything parseExperiment keeps but the document itself. */
const FILE_COLLECTOR = {
  name: 'file-metrics-collector',
  namespace: 'kubeflow',
  objective: {
    type: 'maximize',
    goal: 0.99,
    objectiveMetricName: 'accuracy',
    additionalMetricNames: ['loss'],
    metricStrategies: [
      {
        name: 'accuracy',
        value: 'max',
      },
      {
        name: 'loss',
        value: 'max',
      },
    ],
  },
  space: [
    {
      name: 'lr',
      type: 'double',
      min: 0.01,
      max: 0.03,
      step: null,
      distribution: 'uniform',
    },
    {
      name: 'momentum',
      type: 'double',
      min: 0.3,
      max: 0.7,
      step: null,
      distribution: 'uniform',
    },
  ],
  algorithm: {
    name: 'random',
    settings: [],
  },
  earlyStopping: null,
  parallelTrialCount: 3,
  maxTrialCount: 12,
  maxFailedTrialCount: 3,
  metricsCollector: {
    kind: 'File',
    fileSystemPath: {
      path: '/katib/mnist.log',
      kind: 'File',
      format: 'TEXT',
    },
    httpGet: null,
    metricsFormat: ['{metricName: ([\\w|-]+), metricValue: ((-?\\d+)(\\.\\d+)?)}'],
    customCollector: null,
  },
  resumePolicy: 'Never',
  trialTemplate: {
    trialSpec: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'training-container',
                image: 'ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest',
                command: [
                  'python3',
                  '/opt/pytorch-mnist/mnist.py',
                  '--epochs=1',
                  '--log-path=/katib/mnist.log',
                  '--lr=${trialParameters.learningRate}',
                  '--momentum=${trialParameters.momentum}',
                ],
              },
            ],
            restartPolicy: 'Never',
          },
        },
      },
    },
    configMap: null,
    trialParameters: [
      {
        name: 'learningRate',
        description: 'Learning rate for the training model',
        reference: 'lr',
      },
      {
        name: 'momentum',
        description: 'Momentum for the training model',
        reference: 'momentum',
      },
    ],
    primaryContainerName: 'training-container',
    primaryPodLabels: {},
    successCondition: 'status.conditions.#(type=="Complete")#|#(status=="True")#',
    failureCondition: 'status.conditions.#(type=="Failed")#|#(status=="True")#',
    retain: false,
  },
};

/** kubeflow-training-operator_pytorchjob-mnist.yaml, defaulted: everything parseExperiment keeps but the document itself. */
const PYTORCHJOB = {
  name: 'pytorchjob-mnist',
  namespace: 'kubeflow',
  objective: {
    type: 'minimize',
    goal: 0.001,
    objectiveMetricName: 'loss',
    additionalMetricNames: [],
    metricStrategies: [
      {
        name: 'loss',
        value: 'min',
      },
    ],
  },
  space: [
    {
      name: 'lr',
      type: 'double',
      min: 0.01,
      max: 0.05,
      step: null,
      distribution: 'uniform',
    },
    {
      name: 'momentum',
      type: 'double',
      min: 0.5,
      max: 0.9,
      step: null,
      distribution: 'uniform',
    },
  ],
  algorithm: {
    name: 'random',
    settings: [],
  },
  earlyStopping: null,
  parallelTrialCount: 3,
  maxTrialCount: 12,
  maxFailedTrialCount: 3,
  metricsCollector: {
    kind: 'StdOut',
    fileSystemPath: null,
    httpGet: null,
    metricsFormat: [],
    customCollector: null,
  },
  resumePolicy: 'Never',
  trialTemplate: {
    trialSpec: {
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      spec: {
        pytorchReplicaSpecs: {
          Master: {
            replicas: 1,
            restartPolicy: 'OnFailure',
            template: {
              spec: {
                containers: [
                  {
                    name: 'pytorch',
                    image: 'ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest',
                    command: [
                      'python3',
                      '/opt/pytorch-mnist/mnist.py',
                      '--epochs=1',
                      '--batch-size=16',
                      '--lr=${trialParameters.learningRate}',
                      '--momentum=${trialParameters.momentum}',
                    ],
                  },
                ],
              },
            },
          },
          Worker: {
            replicas: 1,
            restartPolicy: 'OnFailure',
            template: {
              spec: {
                containers: [
                  {
                    name: 'pytorch',
                    image: 'ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest',
                    command: [
                      'python3',
                      '/opt/pytorch-mnist/mnist.py',
                      '--epochs=1',
                      '--batch-size=16',
                      '--lr=${trialParameters.learningRate}',
                      '--momentum=${trialParameters.momentum}',
                    ],
                  },
                ],
              },
            },
          },
        },
      },
    },
    configMap: null,
    trialParameters: [
      {
        name: 'learningRate',
        description: 'Learning rate for the training model',
        reference: 'lr',
      },
      {
        name: 'momentum',
        description: 'Momentum for the training model',
        reference: 'momentum',
      },
    ],
    primaryContainerName: 'pytorch',
    primaryPodLabels: {
      'training.kubeflow.org/job-role': 'master',
    },
    successCondition: 'status.conditions.#(type=="Succeeded")#|#(status=="True")#',
    failureCondition: 'status.conditions.#(type=="Failed")#|#(status=="True")#',
    retain: false,
  },
};
