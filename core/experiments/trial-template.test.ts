// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's placeholders are written ${...} in plain strings, as in its documents
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ExperimentSpec, parseExperiment } from './spec.js';
import { metaReference, placeholdersIn, renderTrial, trialJob, trialResources } from './trial-template.js';

const text = (name: string) => readFileSync(new URL(`./fixtures/katib/${name}.yaml`, import.meta.url), 'utf8');

function experiment(input: unknown): ExperimentSpec {
  const r = parseExperiment(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.experiment;
}

// biome-ignore lint/suspicious/noExplicitAny: a test reaches into manifests freely
function render(spec: ExperimentSpec, assignment: Record<string, string>, trial = 'exp-x7k2p9qz'): any {
  const r = renderTrial(spec, trial, assignment, { namespace: 'kubeflow' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.manifest;
}

const ASSIGNMENT = { lr: '0.0123', momentum: '0.61' };

describe('renderTrial on the Katib samples', () => {
  it.each([
    ['hp-tuning_random', '--batch-size=16'],
    ['hp-tuning_grid', '--batch-size=16'],
    ['early-stopping_median-stop', '--batch-size=16'],
    ['metrics-collector_file-metrics-collector', '--log-path=/katib/mnist.log'],
  ])('%s: a batch Job named for the trial, its command substituted', (name, fourth) => {
    const m = render(experiment(text(name)), ASSIGNMENT);
    expect(m.apiVersion).toBe('batch/v1');
    expect(m.kind).toBe('Job');
    expect(m.metadata).toEqual({ name: 'exp-x7k2p9qz', namespace: 'kubeflow' });
    expect(m.spec.template.spec.containers[0].command).toEqual([
      'python3',
      '/opt/pytorch-mnist/mnist.py',
      '--epochs=1',
      fourth,
      '--lr=0.0123',
      '--momentum=0.61',
    ]);
    expect(JSON.stringify(m)).not.toContain('${');
  });

  it('the random sample renders to exactly its template with the values in, and keeps its resources', () => {
    const m = render(experiment(text('hp-tuning_random')), ASSIGNMENT);
    expect(m).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'exp-x7k2p9qz', namespace: 'kubeflow' },
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
                  '--lr=0.0123',
                  '--momentum=0.61',
                ],
                resources: { limits: { memory: '1Gi', cpu: '0.5' } },
              },
            ],
            restartPolicy: 'Never',
          },
        },
      },
    });
    expect(trialResources(m, 'nvidia.com/gpu', 'training-container')).toEqual({
      ok: true,
      resources: {
        gpus: 0,
        workers: 1,
        image: 'ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest',
        command: ['python3', '/opt/pytorch-mnist/mnist.py', '--epochs=1', '--batch-size=16', '--lr=0.0123', '--momentum=0.61'],
        args: [],
        env: [],
        nodeSelector: null,
        nodeAffinity: null,
      },
    });
  });

  it('the PyTorchJob sample: both replicas substituted, workers = master + worker replicas, no GPUs asked', () => {
    const spec = experiment(text('kubeflow-training-operator_pytorchjob-mnist'));
    const m = render(spec, ASSIGNMENT);
    for (const role of ['Master', 'Worker']) {
      expect(m.spec.pytorchReplicaSpecs[role].template.spec.containers[0].command.slice(4)).toEqual([
        '--lr=0.0123',
        '--momentum=0.61',
      ]);
    }
    const r = trialResources(m, 'nvidia.com/gpu', spec.trialTemplate.primaryContainerName);
    expect(r.ok && r.resources.workers).toBe(2);
    expect(r.ok && r.resources.gpus).toBe(0);
    expect(r.ok && r.resources.image).toBe('ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest');
  });

  it('the PyTorchJob sample with GPU limits: per-replica limit times replicas, summed over replica types', () => {
    const doc = parse(text('kubeflow-training-operator_pytorchjob-mnist'));
    const replicas = doc.spec.trialTemplate.trialSpec.spec.pytorchReplicaSpecs;
    replicas.Master.template.spec.containers[0].resources = { limits: { 'nvidia.com/gpu': 2 } };
    replicas.Worker.replicas = 3;
    replicas.Worker.template.spec.containers[0].resources = { limits: { 'nvidia.com/gpu': '2', cpu: '4' } };
    const m = render(experiment(doc), ASSIGNMENT);
    expect(trialResources(m, 'nvidia.com/gpu', 'pytorch')).toMatchObject({ ok: true, resources: { gpus: 8, workers: 4 } });
    // Another vendor's resource name counts nothing here.
    expect(trialResources(m, 'amd.com/gpu', 'pytorch')).toMatchObject({ ok: true, resources: { gpus: 0, workers: 4 } });
  });
});

describe('substitution as Katib does it', () => {
  /** The random sample with extra arguments and trial parameters. */
  function withArgs(args: string[], params: { name: string; reference: string }[], metadata?: unknown): ExperimentSpec {
    const doc = parse(text('hp-tuning_random'));
    const job = doc.spec.trialTemplate.trialSpec;
    if (metadata) job.metadata = metadata;
    job.spec.template.spec.containers[0].args = args;
    doc.spec.trialTemplate.trialParameters.push(...params);
    return experiment(doc);
  }

  it('${trialSpec.*} metadata: the trial name and namespace, the template kind, apiVersion, labels and annotations', () => {
    const spec = withArgs(
      [
        '--name=${trialParameters.trialName}',
        '--ns=${trialParameters.ns}',
        '--kind=${trialParameters.kind}',
        '--api=${trialParameters.api}',
        '--team=${trialParameters.team}',
        '--owner=${trialParameters.owner}',
      ],
      [
        { name: 'trialName', reference: '${trialSpec.Name}' },
        { name: 'ns', reference: '${trialSpec.Namespace}' },
        { name: 'kind', reference: '${trialSpec.Kind}' },
        { name: 'api', reference: '${trialSpec.APIVersion}' },
        { name: 'team', reference: '${trialSpec.Labels[team]}' },
        { name: 'owner', reference: '${trialSpec.Annotations[example.com/owner]}' },
      ],
      { labels: { team: 'vision' }, annotations: { 'example.com/owner': 'ada' } },
    );
    const r = renderTrial(spec, 'random-abc12', ASSIGNMENT, {
      namespace: 'research',
      labels: { 'gpupool.io/experiment': 'random' },
      annotations: { note: 'x' },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    // biome-ignore lint/suspicious/noExplicitAny: reaching into the manifest
    const m = r.manifest as any;
    expect(m.spec.template.spec.containers[0].args).toEqual([
      '--name=random-abc12',
      '--ns=research',
      '--kind=Job',
      '--api=batch/v1',
      '--team=vision',
      '--owner=ada',
    ]);
    // The trial's labels are added to the template's own; the template's are what ${trialSpec.Labels[k]} reads.
    expect(m.metadata).toEqual({
      name: 'random-abc12',
      namespace: 'research',
      labels: { team: 'vision', 'gpupool.io/experiment': 'random' },
      annotations: { 'example.com/owner': 'ada', note: 'x' },
    });
  });

  it('a value is substituted everywhere its placeholder appears, and is never scanned again', () => {
    const spec = withArgs(['--lr-again=${trialParameters.learningRate}'], []);
    const m = render(spec, { lr: '${trialParameters.momentum}', momentum: '0.5' });
    expect(m.spec.template.spec.containers[0].command[4]).toBe('--lr=${trialParameters.momentum}');
    expect(m.spec.template.spec.containers[0].args).toEqual(['--lr-again=${trialParameters.momentum}']);
  });

  it('a categorical value with quotes or backslashes stays the very string (JSON-escaped into the text)', () => {
    const m = render(experiment(text('hp-tuning_random')), { lr: 'a "quoted" \\ value', momentum: '0.5' });
    expect(m.spec.template.spec.containers[0].command[4]).toBe('--lr=a "quoted" \\ value');
  });

  it('a missing value and a value no trial parameter takes are both reported, as Katib fails the trial for each', () => {
    const r = renderTrial(experiment(text('hp-tuning_random')), 'exp-1', { lr: '0.02', seed: '3' }, { namespace: 'kubeflow' });
    expect(r).toEqual({
      ok: false,
      issues: [
        { path: 'assignment.momentum', message: 'no value for parameter momentum (trial parameter momentum)' },
        { path: 'assignment.seed', message: 'no trial parameter references this parameter' },
      ],
    });
  });

  it('a trial name Kubernetes cannot carry is refused', () => {
    const r = renderTrial(experiment(text('hp-tuning_random')), 'Exp_1', ASSIGNMENT, { namespace: 'kubeflow' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual(['trialName']);
  });

  it('a ConfigMap template is rendered from the text the caller read, YAML substituted as text', () => {
    const doc = parse(text('hp-tuning_random'));
    delete doc.spec.trialTemplate.trialSpec;
    doc.spec.trialTemplate.configMap = {
      configMapName: 'trial-templates',
      configMapNamespace: 'kubeflow',
      templatePath: 'job.yaml',
    };
    doc.spec.trialTemplate.successCondition = 'status.conditions.#(type=="Complete")#|#(status=="True")#';
    doc.spec.trialTemplate.failureCondition = 'status.conditions.#(type=="Failed")#|#(status=="True")#';
    const spec = experiment(doc);
    const template = [
      'apiVersion: batch/v1',
      'kind: Job',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: training-container',
      '          image: trainer:1',
      '          command: [python3, train.py, "--lr=${trialParameters.learningRate}", "--momentum=${trialParameters.momentum}"]',
      '',
    ].join('\n');
    const r = renderTrial(spec, 'exp-cm1', ASSIGNMENT, { namespace: 'kubeflow', template });
    // biome-ignore lint/suspicious/noExplicitAny: reaching into the manifest
    expect(r.ok && (r.manifest as any).spec.template.spec.containers[0].command).toEqual([
      'python3',
      'train.py',
      '--lr=0.0123',
      '--momentum=0.61',
    ]);
    const broken = template
      .replace('--momentum=${trialParameters.momentum}', '--seed=${trialParameters.seed}')
      .replace('batch/v1', 'batch/v2');
    expect(renderTrial(spec, 'exp-cm1', ASSIGNMENT, { namespace: 'kubeflow', template: broken })).toEqual({
      ok: false,
      issues: [
        { path: 'template.kind', message: 'gpupool runs Job as apiVersion batch/v1, not batch/v2' },
        { path: 'template', message: '${trialParameters.momentum} does not appear in the template' },
        { path: 'template', message: '${trialParameters.seed} is not declared in spec.trialTemplate.trialParameters' },
      ],
    });
    expect(renderTrial(spec, 'exp-cm1', ASSIGNMENT, { namespace: 'kubeflow', template: 'kind: [' })).toEqual({
      ok: false,
      issues: [{ path: 'template', message: expect.stringMatching(/^the ConfigMap template is not a YAML or JSON object: /) }],
    });
    expect(renderTrial(spec, 'exp-cm1', ASSIGNMENT, { namespace: 'kubeflow' })).toEqual({
      ok: false,
      issues: [{ path: 'template', message: 'the ConfigMap template text is required' }],
    });
  });

  it('placeholders and metadata references are read as Katib reads them', () => {
    expect(placeholdersIn('a ${trialParameters.x} b ${trialParameters.y}} ${trialParameters.x} ${trialParameter.z}')).toEqual([
      'x',
      'y',
    ]);
    expect(metaReference('${trialSpec.Labels[app.kubernetes.io/name]}')).toEqual({
      key: 'Labels',
      index: 'app.kubernetes.io/name',
    });
    expect(metaReference('${trialSpec.Name}')).toEqual({ key: 'Name' });
    expect(metaReference('${trialSpec.Uid}')).toBeNull();
    expect(metaReference('lr')).toBeNull();
  });
});

describe('trialResources by kind', () => {
  const pod = (gpus: number | string | null, name = 'main') => ({
    spec: {
      containers: [
        {
          name,
          image: `img-${name}`,
          command: ['run'],
          args: ['--x=1'],
          env: [
            { name: 'A', value: '1' },
            { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          ],
          ...(gpus === null ? {} : { resources: { limits: { 'nvidia.com/gpu': gpus } } }),
        },
      ],
    },
  });

  it('a batch Job: parallelism pods (default 1), each with its limit', () => {
    expect(trialResources({ apiVersion: 'batch/v1', kind: 'Job', spec: { template: pod(2) } })).toEqual({
      ok: true,
      resources: {
        gpus: 2,
        workers: 1,
        image: 'img-main',
        command: ['run'],
        args: ['--x=1'],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: null },
        ],
        nodeSelector: null,
        nodeAffinity: null,
      },
    });
    expect(trialResources({ apiVersion: 'batch/v1', kind: 'Job', spec: { parallelism: 3, template: pod('1') } })).toMatchObject({
      ok: true,
      resources: { gpus: 3, workers: 3 },
    });
  });

  it('an MPIJob: workers are the Worker replicas; the launcher is the primary container and asks no GPU', () => {
    const mpi = {
      apiVersion: 'kubeflow.org/v2beta1',
      kind: 'MPIJob',
      spec: {
        mpiReplicaSpecs: {
          Worker: { replicas: 2, template: pod(4, 'worker') },
          Launcher: { replicas: 1, template: pod(null, 'launcher') },
        },
      },
    };
    expect(trialResources(mpi, 'nvidia.com/gpu', 'launcher')).toMatchObject({
      ok: true,
      resources: { gpus: 8, workers: 2, image: 'img-launcher' },
    });
  });

  it('TFJob, XGBoostJob and JAXJob: every replica counts, a missing replicas field is one', () => {
    const tf = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'TFJob',
      spec: {
        tfReplicaSpecs: {
          PS: { replicas: 2, template: pod(null, 'ps') },
          Chief: { template: pod(1, 'tf') },
          Worker: { replicas: 4, template: pod(1, 'tf') },
        },
      },
    };
    expect(trialResources(tf, 'nvidia.com/gpu', 'tf')).toMatchObject({
      ok: true,
      resources: { gpus: 5, workers: 7, image: 'img-tf' },
    });
    const xgb = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'XGBoostJob',
      spec: { xgbReplicaSpecs: { Master: { replicas: 1, template: pod(1) }, Worker: { replicas: 2, template: pod(1) } } },
    };
    expect(trialResources(xgb)).toMatchObject({ ok: true, resources: { gpus: 3, workers: 3 } });
    const jax = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'JAXJob',
      spec: { jaxReplicaSpecs: { Worker: { replicas: 4, template: pod(8) } } },
    };
    expect(trialResources(jax)).toMatchObject({ ok: true, resources: { gpus: 32, workers: 4 } });
  });

  it('a GPU count that is not a whole number, a kind gpupool does not run, a missing primary container are reported', () => {
    expect(
      trialResources({ apiVersion: 'batch/v1', kind: 'Job', spec: { template: pod('500m') } }, 'nvidia.com/gpu', 'main'),
    ).toEqual({
      ok: false,
      issues: [
        {
          path: 'manifest.spec.template.spec.containers[0].resources.limits.nvidia.com/gpu',
          message: 'a GPU count must be a whole number, got "500m"',
        },
      ],
    });
    expect(trialResources({ apiVersion: 'batch/v1', kind: 'Job', spec: { parallelism: 0, template: pod(1) } })).toEqual({
      ok: false,
      issues: [{ path: 'manifest.spec', message: 'runs no pod: parallelism or replicas are 0' }],
    });
    expect(
      trialResources({
        apiVersion: 'kubeflow.org/v1',
        kind: 'PyTorchJob',
        spec: { pytorchReplicaSpecs: { Master: { replicas: -1, template: pod(1) } } },
      }),
    ).toEqual({
      ok: false,
      issues: [{ path: 'manifest.spec.pytorchReplicaSpecs.Master.replicas', message: 'must be an integer >= 0' }],
    });
    expect(trialResources({ apiVersion: 'ray.io/v1', kind: 'RayJob', spec: {} })).toEqual({
      ok: false,
      issues: [
        {
          path: 'manifest.kind',
          message: 'gpupool cannot run trials of kind RayJob: it runs Job, TFJob, PyTorchJob, XGBoostJob, MPIJob, JAXJob',
        },
      ],
    });
    expect(
      trialResources({ apiVersion: 'batch/v1', kind: 'Job', spec: { template: pod(1) } }, 'nvidia.com/gpu', 'trainer'),
    ).toEqual({
      ok: false,
      issues: [{ path: 'manifest', message: 'no container is named trainer' }],
    });
  });

  it("carries the pod templates' node selector and required node affinity; templates that ask differently are named", () => {
    const ssd = { nodeSelector: { zone: 'a', disk: 'ssd' } };
    const terms = [{ matchExpressions: [{ key: 'gpu-mem', operator: 'Gt', values: ['40'] }] }];
    const near = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } };
    const withNodes = (rules: object) => ({ spec: { ...pod(1).spec, ...rules } });
    const job = trialResources({ apiVersion: 'batch/v1', kind: 'Job', spec: { template: withNodes({ ...ssd, ...near }) } });
    expect(job).toMatchObject({ ok: true, resources: { nodeSelector: { disk: 'ssd', zone: 'a' }, nodeAffinity: terms } });
    const both = (worker: object) =>
      trialResources({
        apiVersion: 'kubeflow.org/v1',
        kind: 'PyTorchJob',
        spec: {
          pytorchReplicaSpecs: { Master: { template: withNodes(ssd) }, Worker: { replicas: 2, template: withNodes(worker) } },
        },
      });
    // The same rules on every template, keys in any order: one selector for the trial.
    expect(both({ nodeSelector: { disk: 'ssd', zone: 'a' } })).toMatchObject({
      ok: true,
      resources: { nodeSelector: ssd.nodeSelector },
    });
    expect(both(near)).toEqual({
      ok: false,
      issues: [
        {
          path: 'manifest.spec.pytorchReplicaSpecs.Worker.template.spec',
          message:
            'asks for other nodes than manifest.spec.pytorchReplicaSpecs.Master.template (nodeSelector, required node affinity): gpupool places every pod of a trial on nodes of one kind',
        },
      ],
    });
    expect(
      trialResources({ apiVersion: 'batch/v1', kind: 'Job', spec: { template: withNodes({ nodeSelector: { zone: 1 } }) } }),
    ).toEqual({
      ok: false,
      issues: [{ path: 'manifest.spec.template.spec.nodeSelector.zone', message: 'a label value must be a string' }],
    });
  });
});

describe("trialJob: a trial's job as the controller submits it", () => {
  it("renders in the experiment's namespace and reads its resources in the GPU resource given", () => {
    const doc = parse(text('kubeflow-training-operator_pytorchjob-mnist'));
    doc.spec.trialTemplate.trialSpec.spec.pytorchReplicaSpecs.Master.template.spec.containers[0].resources = {
      limits: { 'amd.com/gpu': 2 },
    };
    const spec = experiment(doc);
    const job = trialJob(spec, 'exp-1', ASSIGNMENT, 'amd.com/gpu');
    expect(job.ok && (job.manifest.metadata as { namespace?: string }).namespace).toBe(spec.namespace ?? 'default');
    expect(job).toMatchObject({ ok: true, resources: { gpus: 2, workers: 2 } });
    expect(trialJob(spec, 'exp-1', ASSIGNMENT)).toMatchObject({ ok: true, resources: { gpus: 0 } });
  });

  it("fails with one message naming every issue, the rendering's or the resources'", () => {
    expect(trialJob(experiment(text('hp-tuning_random')), 'exp-1', { lr: '0.02', seed: '3' })).toEqual({
      ok: false,
      message:
        'the trial template does not make a job: assignment.momentum: no value for parameter momentum (trial parameter momentum); assignment.seed: no trial parameter references this parameter',
    });
    const doc = parse(text('hp-tuning_random'));
    doc.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].resources = { limits: { 'nvidia.com/gpu': '500m' } };
    expect(trialJob(experiment(doc), 'exp-1', ASSIGNMENT)).toEqual({
      ok: false,
      message:
        'the trial template does not make a job: manifest.spec.template.spec.containers[0].resources.limits.nvidia.com/gpu: a GPU count must be a whole number, got "500m"',
    });
  });
});
