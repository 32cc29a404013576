/**
 * Submit a job of any kind: its GPUs (workers under Advanced, for pools of several nodes), "start
 * immediately regardless of free GPUs", tags, an expected duration, the image and command, and the
 * assets it uses (a workspace, a dataset at a mount path) and makes (a model or a dataset).
 */
import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import { answer } from '../../api/client';
import { JOB_KINDS, type Job, type JobKind } from '../../api/views';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, ProblemMessage } from '../../ui/components';
import { jobHref } from './job';

export function SubmitJobPage() {
  const { client } = useSession();
  const action = useAction<Job>();
  const [, navigate] = useLocation();
  const [f, setF] = useState({
    jobId: '',
    kind: 'training' as JobKind,
    gpus: 1,
    workers: 1,
    gpuType: '',
    immediate: false,
    tags: '',
    expectedDuration: '',
    image: '',
    command: '',
    workspace: '',
    dataset: '',
    mountPath: '/data',
    output: '',
    private: false,
  });
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF({ ...f, [k]: v });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const tags = f.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const spec: Record<string, unknown> = {};
    if (f.image.trim()) spec.image = f.image.trim();
    if (f.command.trim()) spec.command = f.command.trim().split(/\s+/);
    const inputs: Record<string, unknown> = {};
    if (f.workspace.trim()) inputs.workspace = { assetId: f.workspace.trim() };
    if (f.dataset.trim()) inputs.datasets = [{ assetId: f.dataset.trim(), mountPath: f.mountPath.trim() }];
    const body: Record<string, unknown> = { kind: f.kind, gpus: f.gpus, workers: f.workers };
    if (f.jobId.trim()) body.jobId = f.jobId.trim();
    if (f.gpuType.trim()) body.gpuType = f.gpuType.trim();
    if (f.immediate) body.immediate = true;
    if (tags.length > 0) body.tags = tags;
    if (f.expectedDuration.trim()) body.expectedDuration = Number(f.expectedDuration);
    if (Object.keys(spec).length > 0) body.spec = spec;
    if (Object.keys(inputs).length > 0) body.inputs = inputs;
    if (f.output.trim()) body.output = f.kind === 'preprocessing' ? { dataset: f.output.trim() } : { model: f.output.trim() };
    if (f.private) body.private = true;
    await action.run(
      () => answer<Job>(client.POST('/api/v1/jobs', { body: body as never })),
      (job) => navigate(jobHref(job)),
    );
  };
  return (
    <>
      <PageHeader title="New job" />
      <form className="card form-grid" onSubmit={submit} aria-label="Submit a job">
        <label htmlFor="job-kind">Kind</label>
        <select id="job-kind" value={f.kind} onChange={(e) => set('kind', e.target.value as JobKind)}>
          {JOB_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <label htmlFor="job-name">Name</label>
        <input id="job-name" value={f.jobId} onChange={(e) => set('jobId', e.target.value)} placeholder="(a fresh one)" />
        <label htmlFor="job-gpus">GPUs</label>
        <input id="job-gpus" type="number" min={0} value={f.gpus} onChange={(e) => set('gpus', Number(e.target.value))} />
        <label htmlFor="job-tags">Tags (comma-separated)</label>
        <input id="job-tags" value={f.tags} maxLength={256} onChange={(e) => set('tags', e.target.value)} />
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
        <label htmlFor="job-workspace">Workspace</label>
        <input id="job-workspace" value={f.workspace} onChange={(e) => set('workspace', e.target.value)} />
        <label htmlFor="job-dataset">Dataset</label>
        <input id="job-dataset" value={f.dataset} onChange={(e) => set('dataset', e.target.value)} />
        <label htmlFor="job-mount">Mounted at</label>
        <input id="job-mount" value={f.mountPath} onChange={(e) => set('mountPath', e.target.value)} />
        {(f.kind === 'training' || f.kind === 'preprocessing') && (
          <>
            <label htmlFor="job-output">{f.kind === 'training' ? 'Model it trains' : 'Dataset it makes'}</label>
            <input id="job-output" value={f.output} onChange={(e) => set('output', e.target.value)} />
          </>
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
          <label htmlFor="job-workers">Workers (nodes it spans, for pools of several nodes)</label>
          <input
            id="job-workers"
            type="number"
            min={1}
            value={f.workers}
            onChange={(e) => set('workers', Number(e.target.value))}
          />
          <label htmlFor="job-gputype">GPU type</label>
          <input id="job-gputype" value={f.gpuType} onChange={(e) => set('gpuType', e.target.value)} placeholder="(the pool's)" />
        </details>
        <ProblemMessage problem={action.problem} />
        <button type="submit" disabled={action.busy || action.readOnly}>
          Submit
        </button>
      </form>
    </>
  );
}
