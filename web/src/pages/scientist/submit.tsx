/**
 * Submit a job of any kind: its GPUs (workers, GPU type, node labels and node rules under Advanced), "start
 * immediately regardless of free GPUs", tags, an expected duration, the image and command, and the
 * assets it uses (a workspace, a dataset at a mount path, a model to start from), chosen from the
 * lists, and what it makes (a training job a model, a preprocessing job a dataset).
 */
import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import { answer } from '../../api/client';
import { JOB_KINDS, type Job, type JobKind } from '../../api/views';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, ProblemMessage } from '../../ui/components';
import { parseAffinity } from '../../ui/format';
import { AssetPicker, CheckedInput, JOB_KIND_TITLES, notARule, parseNodeLabels, parseTags } from './common';
import { jobHref } from './job';
import './scientist.css';

const IDES = ['jupyter', 'rstudio', 'vscode'] as const;
const TAGS_MAX = 256;

export function SubmitJobPage({ kind: initialKind }: { kind?: JobKind } = {}) {
  const { client } = useSession();
  const action = useAction<Job>();
  const [, navigate] = useLocation();
  const [f, setF] = useState({
    jobId: '',
    kind: initialKind && (JOB_KINDS as readonly string[]).includes(initialKind) ? initialKind : ('training' as JobKind),
    gpus: 1,
    workers: 1,
    gpuType: '',
    nodeLabels: '',
    nodeRules: '',
    immediate: false,
    tags: '',
    expectedDuration: '',
    image: '',
    command: '',
    ide: 'jupyter' as (typeof IDES)[number],
    workspace: '',
    hyperparametersFile: '',
    dataset: '',
    mountPath: '/data',
    model: '',
    output: '',
    private: false,
  });
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF({ ...f, [k]: v });
  const tags = parseTags(f.tags);
  const tooLong = tags.find((t) => t.length > TAGS_MAX);
  const nodeLabels = parseNodeLabels(f.nodeLabels);
  const nodeRules = parseAffinity(f.nodeRules);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const spec: Record<string, unknown> = {};
    if (f.image.trim()) spec.image = f.image.trim();
    if (f.command.trim()) spec.command = f.command.trim().split(/\s+/);
    const inputs: Record<string, unknown> = {};
    if (f.workspace) inputs.workspace = { assetId: f.workspace };
    if (f.workspace && f.hyperparametersFile.trim()) inputs.hyperparametersFile = f.hyperparametersFile.trim();
    if (f.dataset) inputs.datasets = [{ assetId: f.dataset, mountPath: f.mountPath.trim() }];
    if (f.model) inputs.model = { assetId: f.model };
    const body: Record<string, unknown> = { kind: f.kind, gpus: f.gpus, workers: f.workers };
    if (f.jobId.trim()) body.jobId = f.jobId.trim();
    if (f.gpuType.trim()) body.gpuType = f.gpuType.trim();
    if ('labels' in nodeLabels && Object.keys(nodeLabels.labels).length > 0) body.nodeSelector = nodeLabels.labels;
    if ('terms' in nodeRules && nodeRules.terms.length > 0) body.nodeAffinity = nodeRules.terms;
    if (f.immediate) body.immediate = true;
    if (tags.length > 0) body.tags = tags;
    if (f.expectedDuration.trim()) body.expectedDuration = Number(f.expectedDuration);
    if (f.kind === 'notebook') body.ide = f.ide;
    if (Object.keys(spec).length > 0) body.spec = spec;
    if (Object.keys(inputs).length > 0) body.inputs = inputs;
    if (f.output && (f.kind === 'training' || f.kind === 'preprocessing'))
      body.output = f.kind === 'preprocessing' ? { dataset: f.output } : { model: f.output };
    if (f.private) body.private = true;
    await action.run(
      () => answer<Job>(client.POST('/api/v1/jobs', { body: body as never })),
      (job) => navigate(jobHref(job)),
    );
  };
  return (
    <>
      <PageHeader title={`New ${f.kind === 'inference' ? 'inference' : f.kind === 'notebook' ? 'notebook' : 'job'}`} />
      <form className="card form-grid submit-form" onSubmit={submit} aria-label="Submit a job">
        <label htmlFor="job-kind">Kind</label>
        <select id="job-kind" value={f.kind} onChange={(e) => set('kind', e.target.value as JobKind)}>
          {JOB_KINDS.map((k) => (
            <option key={k} value={k}>
              {JOB_KIND_TITLES[k]}
            </option>
          ))}
        </select>
        <label htmlFor="job-name">Name</label>
        <input id="job-name" value={f.jobId} onChange={(e) => set('jobId', e.target.value)} placeholder="(a fresh one)" />
        <label htmlFor="job-gpus">GPUs</label>
        <input id="job-gpus" type="number" min={0} value={f.gpus} onChange={(e) => set('gpus', Number(e.target.value))} />
        {f.kind === 'notebook' && (
          <>
            <label htmlFor="job-ide">IDE</label>
            <select id="job-ide" value={f.ide} onChange={(e) => set('ide', e.target.value as (typeof IDES)[number])}>
              {IDES.map((i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          </>
        )}
        <CheckedInput
          id="job-tags"
          label={`Tags (comma-separated, each up to ${TAGS_MAX} characters)`}
          value={f.tags}
          onChange={(v) => set('tags', v)}
          problem={tooLong && `A tag is at most ${TAGS_MAX} characters; one has ${tooLong.length}.`}
        />
        <label htmlFor="job-duration">Expected duration (seconds)</label>
        <input
          id="job-duration"
          type="number"
          min={0}
          value={f.expectedDuration}
          onChange={(e) => set('expectedDuration', e.target.value)}
        />
        <label htmlFor="job-image">Container image</label>
        <input
          id="job-image"
          value={f.image}
          onChange={(e) => set('image', e.target.value)}
          placeholder="pytorch/pytorch:2.3.0"
        />
        <label htmlFor="job-command">Command</label>
        <input
          id="job-command"
          value={f.command}
          onChange={(e) => set('command', e.target.value)}
          placeholder="python train.py"
        />
        <fieldset className="inputs">
          <legend>What it runs on</legend>
          <AssetPicker
            kind="workspace"
            label="Workspace (its latest version)"
            value={f.workspace}
            onChange={(v) => set('workspace', v)}
          />
          {f.workspace && (
            <>
              <label htmlFor="job-hp">Hyperparameters file (in the workspace)</label>
              <input
                id="job-hp"
                value={f.hyperparametersFile}
                onChange={(e) => set('hyperparametersFile', e.target.value)}
                placeholder="conf/hp.yaml"
              />
            </>
          )}
          <AssetPicker
            kind="dataset"
            label="Dataset (its latest version)"
            value={f.dataset}
            onChange={(v) => set('dataset', v)}
          />
          {f.dataset && (
            <>
              <label htmlFor="job-mount">Mounted at</label>
              <input id="job-mount" value={f.mountPath} onChange={(e) => set('mountPath', e.target.value)} />
            </>
          )}
          {f.kind !== 'preprocessing' && (
            <AssetPicker
              kind="model"
              label={f.kind === 'inference' ? 'Model it serves' : 'Model to start from'}
              value={f.model}
              onChange={(v) => set('model', v)}
              required={f.kind === 'inference'}
            />
          )}
        </fieldset>
        {(f.kind === 'training' || f.kind === 'preprocessing') && (
          <AssetPicker
            kind={f.kind === 'training' ? 'model' : 'dataset'}
            label={f.kind === 'training' ? 'Model it trains (gets a version when it completes)' : 'Dataset it makes'}
            value={f.output}
            onChange={(v) => set('output', v)}
            versionless
          />
        )}
        <label className="check">
          <input type="checkbox" checked={f.immediate} onChange={(e) => set('immediate', e.target.checked)} /> Start immediately
          regardless of free GPUs
        </label>
        <label className="check">
          <input type="checkbox" checked={f.private} onChange={(e) => set('private', e.target.checked)} /> Private (not shared
          with my group)
        </label>
        <details>
          <summary>Advanced</summary>
          <div className="form-grid">
            <label htmlFor="job-workers">Workers (nodes it spans, for pools of several nodes)</label>
            <input
              id="job-workers"
              type="number"
              min={1}
              value={f.workers}
              onChange={(e) => set('workers', Number(e.target.value))}
            />
            <label htmlFor="job-gputype">GPU type</label>
            <input
              id="job-gputype"
              value={f.gpuType}
              onChange={(e) => set('gpuType', e.target.value)}
              placeholder="(the pool's)"
            />
            <CheckedInput
              id="job-node-labels"
              label="Node labels (runs only on nodes with all of them: key=value, comma-separated)"
              value={f.nodeLabels}
              onChange={(v) => set('nodeLabels', v)}
              placeholder="(any node of the pool)"
              problem={'bad' in nodeLabels && `“${nodeLabels.bad}” is not a label: write it as key=value.`}
            />
            <CheckedInput
              id="job-node-rules"
              label="Node rules (runs only on nodes matching all of them: zone in (a, b), !spot, gpu-mem > 40; terms in parentheses joined by “or”)"
              value={f.nodeRules}
              onChange={(v) => set('nodeRules', v)}
              placeholder="(any node of the pool)"
              problem={'bad' in nodeRules && notARule(nodeRules.bad)}
            />
          </div>
        </details>
        <ProblemMessage problem={action.problem} />
        <button
          type="submit"
          disabled={action.busy || action.readOnly || tooLong !== undefined || 'bad' in nodeLabels || 'bad' in nodeRules}
        >
          Submit
        </button>
      </form>
    </>
  );
}
