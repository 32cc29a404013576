/**
 * One job: what it is, where it runs, and if it waits, why (in words: what it needs, what is
 * free, how many are ahead, what would help) with its pool's queue in order. Its lineage (the
 * assets it runs on and what it makes), its metrics over time, its history, and the actions its
 * owner may take: stop, rerun, clone with another shape.
 */

import { useLayoutEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { type Answer, answer } from '../../api/client';
import type { Asset, Job, JobInputs, JobMetrics, JobOutput, QueueEntry, VersionRef } from '../../api/views';
import { useApi, useLive, useReloadEvery } from '../../store/live';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, ProblemMessage, Show, StatusBadge } from '../../ui/components';
import { formatAffinity, formatDuration, formatLabels, formatTime, parseAffinity, statusWords } from '../../ui/format';
import { JobForecast } from '../forecast';
import { assetHref, CheckedInput, notARule, parseNodeLabels, splitId } from './common';
import { type LineageColumn, LineageGraph, type LineageNode } from './lineage';
import { MetricsCharts } from './metrics-chart';
import './scientist.css';

export const jobHref = (job: Pick<Job, 'group' | 'name'>) =>
  `/jobs/${encodeURIComponent(job.group)}/${encodeURIComponent(job.name)}`;

const FINISHED = new Set(['Complete', 'Error', 'Stopped']);

export function JobPage({ group, name }: { group: string; name: string }) {
  const job = useApi(
    (c, past) =>
      answer<Job>(c.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId: name }, query: { group, ...past } as never } })),
    [group, name],
  );
  return (
    <Show loaded={job.loaded}>
      {(j) => (
        <>
          <PageHeader title={j.name}>
            <StatusBadge status={j.status} />
          </PageHeader>
          {/* Keyed by job: moving to another job (a rerun, a clone) starts its forms afresh. */}
          <JobActions key={j.id} job={j} />
          <div className="job-columns">
            <JobFacts job={j} />
            {j.reason && <WhyWaiting job={j} />}
          </div>
          <h2>Lineage</h2>
          <JobLineage job={j} />
          <h2>Metrics</h2>
          <JobMetricsSection job={j} />
          <h2 id="logs">Logs</h2>
          <JobLogsSection job={j} labelledBy="logs" />
          <h2>History</h2>
          <ol className="history">
            {j.history.map((h) => (
              <li key={h.revision}>
                {statusWords(h.status)} at {formatTime(h.at)} <span className="muted">(event {h.revision})</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </Show>
  );
}

function JobFacts({ job: j }: { job: Job }) {
  return (
    <dl className="facts">
      <dt>Kind</dt>
      <dd>{j.kind}</dd>
      <dt>Owner</dt>
      <dd>
        {j.owner} ({j.shared ? 'shared with the group' : 'private'})
      </dd>
      <dt>GPUs</dt>
      <dd>
        {j.gpus}
        {j.gpuType ? ` ${j.gpuType}` : ''}
        {j.workers > 1 ? ` on ${j.workers} workers` : ''}
        {j.immediate ? ', starts immediately regardless of free GPUs' : ''}
      </dd>
      <dt>Submitted</dt>
      <dd>{formatTime(j.submittedAt)}</dd>
      {j.expectedDuration !== null && (
        <>
          <dt>Expected duration</dt>
          <dd>{formatDuration(j.expectedDuration)}</dd>
        </>
      )}
      {/* A job of no GPUs takes no node here: nothing to show. */}
      {j.allocation && j.allocation.nodes.length > 0 && (
        <>
          <dt>Runs on</dt>
          <dd>
            {j.allocation.nodes.join(', ')} ({j.allocation.devices.join(', ')})
          </dd>
        </>
      )}
      {j.nodeSelector && Object.keys(j.nodeSelector).length > 0 && (
        <>
          <dt>On nodes labelled</dt>
          <dd>{formatLabels(j.nodeSelector)}</dd>
        </>
      )}
      {j.nodeAffinity && j.nodeAffinity.length > 0 && (
        <>
          <dt>On nodes matching</dt>
          <dd>{formatAffinity(j.nodeAffinity)}</dd>
        </>
      )}
      {j.endpoint && (
        <>
          <dt>Endpoint</dt>
          <dd>
            <a href={j.endpoint}>{j.endpoint}</a>
          </dd>
        </>
      )}
      {j.failure && (
        <>
          <dt>Failure</dt>
          <dd>
            {j.failure.reason}: {j.failure.message}
          </dd>
        </>
      )}
      {j.clonedFrom && (
        <>
          <dt>Cloned from</dt>
          <dd>
            <Link href={jobHref(splitId(j.clonedFrom))}>{splitId(j.clonedFrom).name}</Link>
          </dd>
        </>
      )}
      {j.tags.length > 0 && (
        <>
          <dt>Tags</dt>
          <dd>{j.tags.join(', ')}</dd>
        </>
      )}
    </dl>
  );
}

function WhyWaiting({ job }: { job: Job }) {
  const reason = job.reason;
  const pool = reason?.pool;
  const queue = useApi(
    (c, past) =>
      pool
        ? answer<QueueEntry[]>(
            c.GET('/api/v1/pools/{poolId}/queue', { params: { path: { poolId: pool }, query: past as never } }),
          )
        : Promise.resolve({ ok: true as const, value: [] as QueueEntry[], total: 0 }),
    [pool],
  );
  if (!reason) return null;
  return (
    <section aria-labelledby="why-waiting" className="why">
      <h2 id="why-waiting">Why is it waiting?</h2>
      <p className="reason">{reason.message}</p>
      <JobForecast job={job} />
      {reason.advice && reason.advice.length > 0 && (
        <ul>
          {reason.advice.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      )}
      {pool && (
        <>
          <h3>The queue of its pool</h3>
          <Show loaded={queue.loaded}>
            {(entries) => (
              <ol className="queue">
                {entries.map((e) => (
                  <li key={e.job.id} aria-current={e.job.id === job.id ? 'true' : undefined}>
                    {e.job.id === job.id ? <strong>{e.job.name} (this job)</strong> : e.job.name} · {e.job.gpus} GPUs ·{' '}
                    {e.job.owner}
                  </li>
                ))}
              </ol>
            )}
          </Show>
        </>
      )}
    </section>
  );
}

const refNode = (kind: 'workspace' | 'dataset' | 'model', ref: VersionRef, detail?: string): LineageNode => {
  const { group, name } = splitId(ref.assetId);
  return {
    key: `${kind}:${ref.assetId}`,
    kind,
    label: `${name} v${ref.version}`,
    href: `${assetHref({ kind, group, name })}/${ref.version}`,
    ...(detail ? { detail } : {}),
  };
};

/** The assets the job was pinned to, the job, and what it made (the version it recorded, once complete). */
function JobLineage({ job }: { job: Job }) {
  const inputs = (job.inputs ?? {}) as JobInputs;
  const output = (job.output ?? {}) as JobOutput;
  const outKind = output.model ? 'model' : output.dataset ? 'dataset' : null;
  const outId = output.model ?? output.dataset ?? null;
  const made = useApi(
    (c) =>
      outKind && outId
        ? answer<Asset>(
            c.GET(`/api/v1/${outKind}s/{name}` as '/api/v1/models/{name}', {
              params: { path: { name: splitId(outId).name }, query: { group: splitId(outId).group } as never },
            }),
          )
        : Promise.resolve({ ok: false as const, problem: { status: 0, title: 'none' } }),
    [outKind, outId, job.status],
  );
  const from: LineageNode[] = [];
  if (inputs.workspace)
    from.push(
      refNode(
        'workspace',
        inputs.workspace,
        inputs.hyperparametersFile ? `hyperparameters: ${inputs.hyperparametersFile}` : undefined,
      ),
    );
  for (const d of inputs.datasets ?? []) from.push(refNode('dataset', d, `at ${d.mountPath}`));
  if (inputs.model) from.push(refNode('model', inputs.model, 'starting point'));
  const product: LineageNode[] = [];
  if (outKind && outId) {
    const asset = made.loaded.state === 'done' && made.loaded.answer.ok ? made.loaded.answer.value : null;
    const version = asset?.versions.find((v) => v.lineage?.job === job.id);
    const { group, name } = splitId(outId);
    product.push({
      key: 'out',
      kind: outKind,
      label: version ? `${name} v${version.version}` : name,
      detail: version ? `recorded ${formatTime(version.at)}` : FINISHED.has(job.status) ? 'no version made' : 'when it completes',
      href: `${assetHref({ kind: outKind, group, name })}${version ? `/${version.version}` : ''}`,
    });
  }
  const columns: LineageColumn[] = [
    { title: 'Code and data', nodes: from },
    { title: 'Job', nodes: [{ key: 'job', kind: job.kind, label: job.name, detail: statusWords(job.status), current: true }] },
    { title: 'Makes', nodes: product },
  ];
  return <LineageGraph columns={columns} label={`Lineage of ${job.name}`} />;
}

function JobMetricsSection({ job }: { job: Job }) {
  const finished = FINISHED.has(job.status);
  const metrics = useApi(
    (c) =>
      answer<JobMetrics>(
        c.GET('/api/v1/jobs/{jobId}/metrics', { params: { path: { jobId: job.name }, query: { group: job.group } as never } }),
      ),
    [job.id, finished],
  );
  // Metrics are a stream of their own, not the cluster's: while the job runs, read them every
  // few seconds (the cluster's changes ask too).
  useReloadEvery(metrics.reload, EVERY_MS, !finished);
  return <Show loaded={metrics.loaded}>{(m) => <MetricsCharts metrics={m} />}</Show>;
}

/** How often what the event stream does not announce (a job's metrics and log) is read again while it runs. */
const EVERY_MS = 2000;

/** The last lines of a log a page shows; the API gives the whole log to whoever asks for it. */
const LOG_TAIL_LINES = 500;

/** A log as the API gives it as JSON: its text, or null and why there is none. */
interface LogView {
  readonly worker: number;
  readonly text: string | null;
  /** Cut at the most one answer holds: the lines shown run on past their end. */
  readonly truncated: boolean;
  readonly missing: { readonly code: string; readonly detail: string } | null;
}

/**
 * Each worker's log, as the runtime has it now (not as it was at a past revision): its last lines,
 * read again every few seconds while the job runs. A job that has not started has none yet; a
 * runtime that keeps none (the simulated one) says so in place of the log.
 */
export function JobLogsSection({ job, labelledBy }: { job: Job; labelledBy: string }) {
  const { past } = useLive();
  const [worker, setWorker] = useState(0);
  const started = job.allocation !== null;
  const finished = FINISHED.has(job.status);
  // As JSON: a log that is missing (gone with its pod, kept by no runtime) is an answer, not an error.
  const log = useApi(
    (c) =>
      started
        ? answer<LogView>(
            c.GET('/api/v1/jobs/{jobId}/logs', {
              params: { path: { jobId: job.name }, query: { group: job.group, worker, tailLines: LOG_TAIL_LINES } as never },
              headers: { accept: 'application/json' },
            }),
          )
        : Promise.resolve<Answer<LogView>>({ ok: false, problem: { status: 409, title: 'not started' } }),
    [job.id, started, finished, worker],
  );
  useReloadEvery(log.reload, EVERY_MS, started && !finished);
  // It follows the newest lines, as `tail -f` does, until the reader scrolls up; back at the end, it follows again.
  const box = useRef<HTMLElement>(null);
  const following = useRef(true);
  const text = log.loaded.state === 'done' && log.loaded.answer.ok ? log.loaded.answer.value.text : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new text is what moves it
  useLayoutEffect(() => {
    if (following.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [text]);
  if (!started) {
    return <p className="muted">{finished ? 'It ended without starting: it has no log.' : 'No log until it starts.'}</p>;
  }
  return (
    <section aria-labelledby={labelledBy} className="logs">
      {job.workers > 1 && (
        <label className="log-worker">
          Worker{' '}
          <select id={`${labelledBy}-worker`} value={worker} onChange={(e) => setWorker(Number(e.target.value))}>
            {Array.from({ length: job.workers }, (_, w) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: workers are numbered by their index
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
      )}
      {past && <p className="muted">As the runtime has it now, not at the revision shown.</p>}
      {log.loaded.state === 'loading' ? (
        <p className="muted">Reading the log…</p>
      ) : !log.loaded.answer.ok ? (
        <p className="muted">{log.loaded.answer.problem.detail ?? log.loaded.answer.problem.title}</p>
      ) : log.loaded.answer.value.text === null ? (
        <p className="muted">{log.loaded.answer.value.missing?.detail}</p>
      ) : log.loaded.answer.value.text === '' ? (
        <p className="muted">Nothing written yet.</p>
      ) : (
        <section
          ref={box}
          onScroll={(e) => {
            const el = e.currentTarget;
            following.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
          }}
          className="log-scroll"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
          tabIndex={0}
          aria-label={`Log of worker ${worker}, its last ${LOG_TAIL_LINES} lines at most`}
        >
          <pre className="log" role="log">
            {log.loaded.answer.value.text}
          </pre>
          {log.loaded.answer.value.truncated && <p className="muted">Cut short: the lines shown run on past here.</p>}
        </section>
      )}
    </section>
  );
}

function JobActions({ job }: { job: Job }) {
  const { client, me } = useSession();
  const action = useAction<Job>();
  const [, navigate] = useLocation();
  const [clone, setClone] = useState({ jobId: '', gpus: String(job.gpus), workers: String(job.workers) });
  // The source's labels until edited (null): they follow the job as its page loads and changes.
  const selectorText = formatLabels(job.nodeSelector ?? {});
  const [editedLabels, setLabels] = useState<string | null>(null);
  const labelsText = editedLabels ?? selectorText;
  const cloneLabels = parseNodeLabels(labelsText);
  // The same for its node affinity, in the words its page shows it.
  const affinityText = formatAffinity(job.nodeAffinity ?? []);
  const [editedAffinity, setAffinity] = useState<string | null>(null);
  const affinityNow = editedAffinity ?? affinityText;
  const cloneAffinity = parseAffinity(affinityNow);
  const mine = job.owner === me.id || me.role === 'operator';
  const finished = FINISHED.has(job.status);
  const path = { jobId: job.name };
  const query = { group: job.group } as never;
  const cloneAs = (body: Record<string, unknown>) =>
    action.run(
      () => answer<Job>(client.POST('/api/v1/jobs/{jobId}/clone', { params: { path, query }, body: body as never })),
      (made) => navigate(jobHref(made)),
    );
  if (!mine) {
    return <p className="muted">{job.owner} owns this job: only they may stop, clone or rerun it.</p>;
  }
  return (
    <div className="actions">
      {!finished && (
        <button
          type="button"
          className="danger"
          disabled={action.busy || action.readOnly}
          onClick={() => action.run(() => answer<Job>(client.POST('/api/v1/jobs/{jobId}/stop', { params: { path, query } })))}
        >
          Stop
        </button>
      )}
      <button type="button" disabled={action.busy || action.readOnly} onClick={() => cloneAs({})}>
        {finished ? 'Rerun' : 'Clone'}
      </button>
      <details className="clone">
        <summary>Clone with changes</summary>
        <form
          className="clone-form"
          onSubmit={(e) => {
            e.preventDefault();
            const body: Record<string, unknown> = {};
            if (clone.jobId.trim()) body.jobId = clone.jobId.trim();
            if (Number(clone.gpus) !== job.gpus) body.gpus = Number(clone.gpus);
            if (Number(clone.workers) !== job.workers) body.workers = Number(clone.workers);
            // Changed labels replace the source's; none at all lets the clone run on any node.
            if (labelsText.trim() !== selectorText && 'labels' in cloneLabels) body.nodeSelector = cloneLabels.labels;
            if (affinityNow.trim() !== affinityText && 'terms' in cloneAffinity) body.nodeAffinity = cloneAffinity.terms;
            void cloneAs(body);
          }}
        >
          <label>
            New name{' '}
            <input value={clone.jobId} onChange={(e) => setClone({ ...clone, jobId: e.target.value })} placeholder="(fresh)" />
          </label>
          <label>
            GPUs <input type="number" min={0} value={clone.gpus} onChange={(e) => setClone({ ...clone, gpus: e.target.value })} />
          </label>
          <label>
            Workers{' '}
            <input
              type="number"
              min={1}
              value={clone.workers}
              onChange={(e) => setClone({ ...clone, workers: e.target.value })}
            />
          </label>
          <CheckedInput
            inline
            id="clone-node-labels"
            label="Node labels"
            value={labelsText}
            onChange={setLabels}
            placeholder="(any node)"
            problem={'bad' in cloneLabels && `“${cloneLabels.bad}” is not a label: write it as key=value.`}
          />
          <CheckedInput
            inline
            id="clone-node-rules"
            label="Node rules"
            value={affinityNow}
            onChange={setAffinity}
            placeholder="(any node)"
            problem={'bad' in cloneAffinity && notARule(cloneAffinity.bad)}
          />
          <button type="submit" disabled={action.busy || action.readOnly || 'bad' in cloneLabels || 'bad' in cloneAffinity}>
            Clone
          </button>
        </form>
      </details>
      <ProblemMessage problem={action.problem} />
    </div>
  );
}
