/**
 * Ready to start: a fresh installation offers a data scientist something to run at once. On the
 * first start (an empty assets stream) the Default Group gets an example workspace and dataset,
 * each with a version, owned by the installing operator (who, like every operator, may also work
 * as a data scientist): the README's tutorial trains a model from them. Each command has a fixed
 * id, so servers starting together on a fresh store create them once.
 */

import type { AssetsEngine, PipelinesEngine } from '../adapters/http/context.js';
import type { AssetCommand } from '../core/assets/commands.js';
import { DEFAULT_GROUP_ID } from '../core/cluster/model.js';

export const EXAMPLES: readonly AssetCommand[] = [
  {
    type: 'CreateAsset',
    kind: 'workspace',
    group: DEFAULT_GROUP_ID,
    name: 'examples',
    owner: 'admin',
    description: 'PyTorch examples: mnist/main.py trains a small CNN on MNIST',
    tags: ['example', 'pytorch'],
    source: { kind: 'git', url: 'https://github.com/pytorch/examples.git', ref: 'main', path: 'mnist' },
  },
  {
    type: 'RecordAssetVersion',
    assetId: `${DEFAULT_GROUP_ID}/examples`,
    by: 'admin',
    uri: 'https://github.com/pytorch/examples/tree/main/mnist',
  },
  {
    type: 'CreateAsset',
    kind: 'dataset',
    group: DEFAULT_GROUP_ID,
    name: 'mnist',
    owner: 'admin',
    description: 'MNIST handwritten digits: 60,000 training and 10,000 test images',
    tags: ['example', 'vision'],
    source: { kind: 'http', url: 'https://ossci-datasets.s3.amazonaws.com/mnist/' },
  },
  {
    type: 'RecordAssetVersion',
    assetId: `${DEFAULT_GROUP_ID}/mnist`,
    by: 'admin',
    uri: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
  },
];

/** Create the examples for `operator` when the assets stream is empty (a fresh installation). */
export async function offerExamples(assets: AssetsEngine, operator: string): Promise<void> {
  if (assets.revision >= 0) return;
  const commands = EXAMPLES.map((c, i): AssetCommand => {
    const owned =
      c.type === 'CreateAsset' ? { ...c, owner: operator } : c.type === 'RecordAssetVersion' ? { ...c, by: operator } : c;
    return { ...owned, commandId: `bootstrap:example:${i}` };
  });
  await assets.executeBatch(commands);
}

const artifact = (schemaTitle: string) => ({ artifactType: { schemaTitle, schemaVersion: '0.0.1' } });

/**
 * An example pipeline, as the KFP SDK would compile it: prepare a dataset, train a model on it,
 * and evaluate the model when its accuracy clears a bar the run names. On the simulated runtime a
 * run's `simulation` steers it (`{"train": {"outputs": {"accuracy": 0.95}}}` takes the branch).
 */
export const EXAMPLE_PIPELINE = {
  pipelineInfo: {
    name: 'train-and-evaluate',
    description: 'Prepare a dataset, train a model, evaluate it when it is good enough',
  },
  schemaVersion: '2.1.0',
  sdkVersion: 'kfp-2.14.3',
  components: {
    'comp-prepare': {
      executorLabel: 'exec-prepare',
      inputDefinitions: { parameters: { source: { parameterType: 'STRING' } } },
      outputDefinitions: { artifacts: { dataset: artifact('system.Dataset') } },
    },
    'comp-train': {
      executorLabel: 'exec-train',
      inputDefinitions: {
        artifacts: { dataset: artifact('system.Dataset') },
        parameters: { epochs: { parameterType: 'NUMBER_INTEGER' } },
      },
      outputDefinitions: {
        artifacts: { model: artifact('system.Model') },
        parameters: { accuracy: { parameterType: 'NUMBER_DOUBLE' } },
      },
    },
    'comp-evaluate': {
      executorLabel: 'exec-evaluate',
      inputDefinitions: { artifacts: { model: artifact('system.Model') } },
    },
    'comp-condition-1': {
      inputDefinitions: {
        artifacts: { 'pipelinechannel--train-model': artifact('system.Model') },
        parameters: {
          'pipelinechannel--train-accuracy': { parameterType: 'NUMBER_DOUBLE' },
          'pipelinechannel--bar': { parameterType: 'NUMBER_DOUBLE' },
        },
      },
      dag: {
        tasks: {
          evaluate: {
            taskInfo: { name: 'evaluate' },
            componentRef: { name: 'comp-evaluate' },
            inputs: { artifacts: { model: { componentInputArtifact: 'pipelinechannel--train-model' } } },
          },
        },
      },
    },
  },
  deploymentSpec: {
    executors: {
      'exec-prepare': {
        container: {
          image: 'python:3.11',
          command: [
            'python',
            '-c',
            'print("prepare")',
            "{{$.inputs.parameters['source']}}",
            "{{$.outputs.artifacts['dataset'].path}}",
          ],
        },
      },
      'exec-train': {
        container: {
          image: 'pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime',
          command: [
            'python',
            '-c',
            'print("train")',
            "{{$.inputs.artifacts['dataset'].path}}",
            "{{$.inputs.parameters['epochs']}}",
          ],
          resources: { accelerator: { resourceType: 'nvidia.com/gpu', resourceCount: '1' } },
        },
      },
      'exec-evaluate': {
        container: {
          image: 'python:3.11',
          command: ['python', '-c', 'print("evaluate")', "{{$.inputs.artifacts['model'].path}}"],
        },
      },
    },
  },
  root: {
    inputDefinitions: {
      parameters: {
        source: { parameterType: 'STRING', defaultValue: 'https://ossci-datasets.s3.amazonaws.com/mnist/', isOptional: true },
        epochs: { parameterType: 'NUMBER_INTEGER', defaultValue: 3, isOptional: true },
        bar: { parameterType: 'NUMBER_DOUBLE', defaultValue: 0.9, isOptional: true },
      },
    },
    dag: {
      tasks: {
        prepare: {
          taskInfo: { name: 'prepare' },
          componentRef: { name: 'comp-prepare' },
          inputs: { parameters: { source: { componentInputParameter: 'source' } } },
        },
        train: {
          taskInfo: { name: 'train' },
          componentRef: { name: 'comp-train' },
          dependentTasks: ['prepare'],
          inputs: {
            artifacts: { dataset: { taskOutputArtifact: { producerTask: 'prepare', outputArtifactKey: 'dataset' } } },
            parameters: { epochs: { componentInputParameter: 'epochs' } },
          },
        },
        'condition-1': {
          taskInfo: { name: 'condition-1' },
          componentRef: { name: 'comp-condition-1' },
          dependentTasks: ['train'],
          inputs: {
            artifacts: {
              'pipelinechannel--train-model': { taskOutputArtifact: { producerTask: 'train', outputArtifactKey: 'model' } },
            },
            parameters: {
              'pipelinechannel--train-accuracy': {
                taskOutputParameter: { producerTask: 'train', outputParameterKey: 'accuracy' },
              },
              'pipelinechannel--bar': { componentInputParameter: 'bar' },
            },
          },
          triggerPolicy: {
            condition:
              "inputs.parameter_values['pipelinechannel--train-accuracy'] >= inputs.parameter_values['pipelinechannel--bar']",
          },
        },
      },
    },
  },
} as const;

/** Upload the example pipeline for `operator` when the pipelines stream is empty (a fresh installation). */
export async function offerPipelineExample(pipelines: PipelinesEngine, operator: string): Promise<void> {
  if (pipelines.revision >= 0) return;
  const pipelineId = `${DEFAULT_GROUP_ID}/${EXAMPLE_PIPELINE.pipelineInfo.name}`;
  await pipelines.execute({
    type: 'CreatePipeline',
    pipelineId,
    owner: operator,
    group: DEFAULT_GROUP_ID,
    name: EXAMPLE_PIPELINE.pipelineInfo.name,
    description: EXAMPLE_PIPELINE.pipelineInfo.description,
    version: { versionId: `${pipelineId}@v1`, name: 'v1', format: 'v2', spec: EXAMPLE_PIPELINE as never, platform: null },
    commandId: 'bootstrap:example:pipeline',
  });
}
