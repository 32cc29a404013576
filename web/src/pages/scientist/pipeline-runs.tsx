/**
 * Pipeline runs: the list (by pipeline experiment, by state, archived or not), and one run's page:
 * its state and facts, terminate / retry / archive, its task graph drawn live (pipeline-graph.tsx,
 * loaded with the page) and the selected step's details beside it: inputs, outputs, states,
 * attempt, message, and the job that runs it (whose page says why it waits).
 *
 * Live: a step's job starting or ending is a cluster event, which reads the run again; the
 * pipelines' own events are not on the event stream, so a run not yet ended is also read every
 * `EVERY_MS`.
 */
import { lazy, Suspense, useState } from 'react';
import { Link } from 'wouter';
import { answer } from '../../api/client';
import type { Job, Visibility } from '../../api/views';
import { useApi, useReloadEvery } from '../../store/live';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, Show, StatusBadge, VisibilitySelect } from '../../ui/components';
import { formatDuration, formatTime } from '../../ui/format';
import { splitId } from './common';
import { IssueList } from './experiments';
import { JobLogsSection, jobHref } from './job';
import {
  api,
  type GraphNode,
  idParts,
  isGroupNode,
  named,
  openByDefault,
  PipelinesSection,
  pipelineExperimentHref,
  pipelineHref,
  pipelineOfVersion,
  pipelineQuery,
  RUN_ENDED,
  RUN_STATES,
  type Run,
  type RunListItem,
  recurringRunHref,
  runHref,
  StateBadge,
  type StepValues,
  showValue,
  stateWords,
  useExperimentChoices,
  versionName,
} from './pipeline-types';
import { ParameterList } from './pipelines';
import './pipelines.css';
import './scientist.css';

const RunGraphView = lazy(() => import('./pipeline-graph'));

const EVERY_MS = 1500;

export function RunsPage() {
  const [experiment, setExperiment] = useState('');
  const [state, setState] = useState('');
  const [archived, setArchived] = useState(false);
  const [visibility, setVisibility] = useState<Visibility>('all');
  const experiments = useExperimentChoices();
  return (
    <PipelinesSection>
      <PageHeader title="Runs">
        <VisibilitySelect value={visibility} onChange={setVisibility} />
      </PageHeader>
      <div className="filters">
        <label>
          Pipeline experiment{' '}
          <select value={experiment} onChange={(e) => setExperiment(e.target.value)}>
            <option value="">Any</option>
            {experiments.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
                {x.archived ? ' (archived)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          State{' '}
          <select value={state} onChange={(e) => setState(e.target.value)}>
            <option value="">Any state</option>
            {RUN_STATES.map((s) => (
              <option key={s} value={s}>
                {stateWords(s)}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} /> Archived runs
        </label>
      </div>
      <RunList filter={{ visibility, experiment, state, archived: archived ? 'true' : 'false' }} />
    </PipelinesSection>
  );
}

/** Runs the filter names (pipeline, experiment, state, recurring run, archived), newest first. */
export function RunList({ filter }: { filter: Record<string, string> }) {
  const key = JSON.stringify(filter);
  const list = useApi(
    (c, past) => api.get<RunListItem[]>(c, '/pipeline-runs', { limit: '1000', ...filter, ...pipelineQuery(past) }),
    [key],
  );
  return (
    <Show loaded={list.loaded}>
      {(items, total) => {
        if (items.length === 0) return <p className="muted">No runs here.</p>;
        const newest = [...items].sort((a, b) => b.createdAt - a.createdAt || b.name.localeCompare(a.name));
        return (
          <>
            <p className="muted" aria-live="polite">
              {total ?? items.length} {(total ?? items.length) === 1 ? 'run' : 'runs'}
            </p>
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
            <section className="table-scroll" tabIndex={0} aria-label="Runs list">
              <table className="pipeline-table run-table">
                <caption className="visually-hidden">Runs ({items.length})</caption>
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">State</th>
                    <th scope="col">Tasks</th>
                    <th scope="col">Pipeline</th>
                    <th scope="col">Pipeline experiment</th>
                    <th scope="col">Created</th>
                    <th scope="col">Took</th>
                    <th scope="col">Owner</th>
                  </tr>
                </thead>
                <tbody>
                  {newest.map((r) => (
                    <tr key={r.id}>
                      <th scope="row">
                        <Link href={runHref(r)}>{r.name}</Link>
                        {r.archived && <span className="muted"> (archived)</span>}
                      </th>
                      <td>
                        <StateBadge state={r.state} />
                      </td>
                      <td>
                        <TaskCounts counts={r.taskCounts} />
                      </td>
                      <td>
                        <Link href={pipelineHref(idParts(pipelineOfVersion(r.versionId) || r.pipelineId))}>
                          {idParts(r.pipelineId).name}
                        </Link>{' '}
                        <span className="muted">{versionName(r.versionId)}</span>
                      </td>
                      <td>
                        {r.experimentId ? (
                          <Link href={pipelineExperimentHref(idParts(r.experimentId))}>{idParts(r.experimentId).name}</Link>
                        ) : (
                          <span className="muted">–</span>
                        )}
                      </td>
                      <td>{formatTime(r.createdAt)}</td>
                      <td>{r.finishedAt === null ? '–' : formatDuration(r.finishedAt - r.createdAt)}</td>
                      <td>{r.owner}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </>
        );
      }}
    </Show>
  );
}

/** Tasks by state, in words, as short as it gets. */
export function TaskCounts({ counts }: { counts: Partial<Record<string, number>> }) {
  const entries = Object.entries(counts).filter((e): e is [string, number] => (e[1] ?? 0) > 0);
  if (entries.length === 0) return <span className="muted">–</span>;
  return (
    <span className="task-counts">
      {entries.map(([s, n]) => (
        <span key={s} className={`count tone-${s}`}>
          {n} {stateWords(s).toLowerCase()}
        </span>
      ))}
    </span>
  );
}

export function RunPage({ group, name }: { group: string; name: string }) {
  const read = useApi((c, p) => api.get<Run>(c, `/pipeline-runs/${named(name)}`, { group, ...pipelineQuery(p) }), [group, name]);
  const current = read.loaded.state === 'done' && read.loaded.answer.ok ? read.loaded.answer.value : null;
  const running = current !== null && !RUN_ENDED.has(current.state);
  const { reload } = read;
  useReloadEvery(reload, EVERY_MS, running);
  const [selected, setSelected] = useState<string | null>(null);
  // Groups opened or closed by hand, in the graph or from the selected step's panel.
  const [open, setOpen] = useState<ReadonlyMap<string, boolean>>(new Map());
  const openGroup = (path: string, to: boolean) => setOpen((m) => new Map(m).set(path, to));
  return (
    <PipelinesSection>
      <Show loaded={read.loaded}>
        {(run) => {
          const step = run.graph.nodes.find((n) => n.path === selected) ?? null;
          return (
            <>
              <PageHeader title={run.name}>
                <StateBadge state={run.state} />
                {run.archived && <span className="badge badge-neutral">Archived</span>}
              </PageHeader>
              <RunActions run={run} reload={reload} />
              <RunFacts run={run} />
              <div className={step ? 'run-layout with-step' : 'run-layout'}>
                <div className="run-graph-box">
                  <h2>Graph</h2>
                  <p className="muted graph-key">
                    <span className="visually-hidden">Colours: </span>
                    {(['SUCCEEDED', 'RUNNING', 'PENDING', 'FAILED', 'CANCELED', 'NOT_STARTED'] as const).map((s) => (
                      <span key={s} className={`key-item tone-${s}`}>
                        {stateWords(s)}
                      </span>
                    ))}
                    {!step && <span>Select a step to see its inputs, outputs and job.</span>}
                  </p>
                  <Suspense fallback={<p className="muted">Drawing the graph…</p>}>
                    <RunGraphView graph={run.graph} selected={selected} onSelect={setSelected} open={open} onOpen={openGroup} />
                  </Suspense>
                </div>
                {step && (
                  <aside className="step-panel card" aria-label="Selected step">
                    <StepDetails
                      step={step}
                      run={run}
                      onClose={() => setSelected(null)}
                      drawnOpen={drawnOpen(run, step, open)}
                      onOpen={(to) => openGroup(step.path, to)}
                    />
                  </aside>
                )}
              </div>
              <h2>State history</h2>
              <ol className="history">
                {run.stateHistory.map((h, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a state may come back (a retry); the order is the run's
                  <li key={i}>
                    {stateWords(h.state)} at {formatTime(h.at)}
                  </li>
                ))}
              </ol>
            </>
          );
        }}
      </Show>
    </PipelinesSection>
  );
}

function RunFacts({ run }: { run: Run }) {
  const pipeline = idParts(run.pipelineId);
  return (
    <dl className="facts run-facts">
      <dt>Pipeline</dt>
      <dd>
        <Link href={pipelineHref(pipeline)}>{run.pipelineName ?? pipeline.name}</Link>{' '}
        <span className="muted">version {versionName(run.versionId)}</span>
      </dd>
      <dt>Pipeline experiment</dt>
      <dd>
        {run.experimentId ? (
          <Link href={pipelineExperimentHref(idParts(run.experimentId))}>{idParts(run.experimentId).name}</Link>
        ) : (
          <span className="muted">none</span>
        )}
      </dd>
      {run.recurringRunId && (
        <>
          <dt>Recurring run</dt>
          <dd>
            <Link href={recurringRunHref(idParts(run.recurringRunId))}>{idParts(run.recurringRunId).name}</Link>
            {run.scheduledAt !== null && <span className="muted"> (scheduled for {formatTime(run.scheduledAt)})</span>}
          </dd>
        </>
      )}
      <dt>Parameters</dt>
      <dd>
        <ParameterList parameters={run.parameters} />
      </dd>
      <dt>Tasks</dt>
      <dd>
        <TaskCounts counts={run.taskCounts} />
      </dd>
      <dt>Owner</dt>
      <dd>{run.owner}</dd>
      <dt>Created</dt>
      <dd>{formatTime(run.createdAt)}</dd>
      {run.finishedAt !== null && (
        <>
          <dt>Finished</dt>
          <dd>
            {formatTime(run.finishedAt)} <span className="muted">(after {formatDuration(run.finishedAt - run.createdAt)})</span>
          </dd>
        </>
      )}
      {run.retries > 0 && (
        <>
          <dt>Retried</dt>
          <dd>{run.retries === 1 ? 'once' : `${run.retries} times`}</dd>
        </>
      )}
      <dt>Pipeline root</dt>
      <dd className="wrap">
        <code>{run.pipelineRoot}</code>
      </dd>
    </dl>
  );
}

function RunActions({ run, reload }: { run: Run; reload: () => void }) {
  const { client, me } = useSession();
  const action = useAction<unknown>();
  const mine = run.owner === me.id || me.role === 'operator';
  if (!mine) return <p className="muted">{run.owner} owns this run: only they may terminate, retry or archive it.</p>;
  const ended = RUN_ENDED.has(run.state);
  const disabled = action.busy || action.readOnly;
  const post = (what: string) =>
    action.run(() => api.post(client, `/pipeline-runs/${named(run.name)}/${what}`, undefined, { group: run.group }), reload);
  return (
    <div className="actions">
      {!ended && run.state !== 'CANCELING' && (
        <button type="button" className="danger" disabled={disabled} onClick={() => post('terminate')}>
          Terminate
        </button>
      )}
      {(run.state === 'FAILED' || run.state === 'CANCELED') && (
        <button type="button" disabled={disabled} onClick={() => post('retry')} title="re-runs the failed and not-run tasks">
          Retry
        </button>
      )}
      {ended &&
        (run.archived ? (
          <button type="button" className="secondary" disabled={disabled} onClick={() => post('restore')}>
            Restore
          </button>
        ) : (
          <button type="button" className="secondary" disabled={disabled} onClick={() => post('archive')}>
            Archive
          </button>
        ))}
      <IssueList problem={action.problem} />
    </div>
  );
}

const KIND_WORDS: Record<GraphNode['kind'], string> = {
  container: 'container step',
  importer: 'importer',
  dag: 'DAG',
  loop: 'loop',
};

/** Whether a group is drawn open (null: not a group, or nothing inside it yet). */
function drawnOpen(run: Run, step: GraphNode, open: ReadonlyMap<string, boolean>): boolean | null {
  if (!isGroupNode(step) || !run.graph.nodes.some((n) => n.parent === step.path)) return null;
  const siblings = run.graph.nodes.filter((n) => n.parent === step.parent).length;
  return open.get(step.path) ?? openByDefault(step, siblings);
}

function StepDetails({
  step,
  run,
  onClose,
  drawnOpen,
  onOpen,
}: {
  step: GraphNode;
  run: Run;
  onClose: () => void;
  drawnOpen: boolean | null;
  onOpen: (open: boolean) => void;
}) {
  const children = run.graph.nodes.filter((n) => n.parent === step.path);
  const job = step.jobId ? splitId(step.jobId) : null;
  return (
    <div className="step-details">
      <header className="step-header">
        <h2>{step.iteration !== null && !step.name.includes('#') ? `${step.name} #${step.iteration}` : step.name}</h2>
        <button type="button" className="secondary close" onClick={onClose}>
          Close<span className="visually-hidden"> the step's details</span>
        </button>
      </header>
      {drawnOpen !== null && (
        <button type="button" className="secondary" aria-expanded={drawnOpen} onClick={() => onOpen(!drawnOpen)}>
          {drawnOpen ? 'Collapse it in the graph' : `Show its ${step.kind === 'loop' ? 'iterations' : 'tasks'} in the graph`}
        </button>
      )}
      <dl className="facts">
        <dt>State</dt>
        <dd>
          <StateBadge state={step.state} />
          {step.cached && <span className="muted"> (outputs reused from the cache)</span>}
        </dd>
        <dt>Kind</dt>
        <dd>{KIND_WORDS[step.kind] ?? step.kind}</dd>
        <dt>Path</dt>
        <dd className="wrap">
          <code>{step.path}</code>
        </dd>
        {(step.kind === 'container' || step.kind === 'importer') && (
          <>
            <dt>Attempt</dt>
            <dd>
              {step.attempt}
              {step.retryAt !== null && <span className="muted"> (next at {formatTime(step.retryAt)})</span>}
            </dd>
          </>
        )}
        {step.kind === 'container' && (
          <>
            <dt>Job</dt>
            <dd>{job ? <StepJob job={job} /> : <span className="muted">none yet</span>}</dd>
          </>
        )}
        <dt>Started</dt>
        <dd>{formatTime(step.startedAt)}</dd>
        <dt>Ended</dt>
        <dd>
          {formatTime(step.endedAt)}
          {step.startedAt !== null && step.endedAt !== null && (
            <span className="muted"> (took {formatDuration(step.endedAt - step.startedAt)})</span>
          )}
        </dd>
        {step.message && (
          <>
            <dt>Message</dt>
            <dd className="wrap">{step.message}</dd>
          </>
        )}
        {children.length > 0 && (
          <>
            <dt>{step.kind === 'loop' ? 'Iterations' : 'Tasks'}</dt>
            <dd>
              <TaskCounts counts={countBy(children)} />
            </dd>
          </>
        )}
      </dl>
      <h3>Inputs</h3>
      <Values values={step.inputs} none="No inputs." />
      <h3>Outputs</h3>
      <Values values={step.outputs} none={STEP_ENDED.has(step.state) ? 'No outputs.' : 'None yet.'} />
      {step.history && step.history.length > 0 && (
        <>
          <h3>States</h3>
          <ol className="history">
            {step.history.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a state may come back (a retry); the order is the step's
              <li key={i}>
                {stateWords(h.state)} at {formatTime(h.at)}
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

/** The job that runs a step: its status, and while it waits, why (its page says more: the queue, a forecast). */
function StepJob({ job }: { job: { group: string; name: string } }) {
  const read = useApi(
    (c, past) =>
      answer<Job>(
        c.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId: job.name }, query: { group: job.group, ...past } as never } }),
      ),
    [job.group, job.name],
  );
  const j = read.loaded.state === 'done' && read.loaded.answer.ok ? read.loaded.answer.value : null;
  return (
    <>
      <Link href={jobHref(job)}>{job.name}</Link> {j && <StatusBadge status={j.status} />}
      {j?.reason && (
        <p className="step-wait">
          <strong>Why it waits:</strong> {j.reason.message}
        </p>
      )}
      <span className="muted"> (its page: its history, metrics{j?.reason ? ', its queue' : ''})</span>
      {j && (
        <details className="step-log">
          <summary id="step-log">Its log</summary>
          <JobLogsSection job={j} labelledBy="step-log" />
        </details>
      )}
    </>
  );
}

/** A step that will make no more outputs (until a retry). */
const STEP_ENDED: ReadonlySet<string> = new Set(['SUCCEEDED', 'CACHED', 'FAILED', 'SKIPPED', 'CANCELED']);

const countBy = (nodes: readonly GraphNode[]) => {
  const counts: Record<string, number> = {};
  for (const n of nodes) counts[n.state] = (counts[n.state] ?? 0) + 1;
  return counts;
};

/** A step's parameters and artifacts, by name. */
function Values({ values, none }: { values: StepValues | null; none: string }) {
  const parameters = Object.entries(values?.parameters ?? {});
  const artifacts = Object.entries(values?.artifacts ?? {});
  if (parameters.length === 0 && artifacts.length === 0) return <p className="muted">{none}</p>;
  return (
    <dl className="values">
      {parameters.map(([k, v]) => (
        <div key={`p-${k}`} className="value">
          <dt>{k}</dt>
          <dd>
            <code>{showValue(v)}</code>
          </dd>
        </div>
      ))}
      {artifacts.map(([k, list]) => (
        <div key={`a-${k}`} className="value">
          <dt>
            {k} <span className="muted">({list[0]?.schemaTitle ?? 'artifact'})</span>
          </dt>
          <dd>
            {list.map((a) => (
              <code key={a.uri} className="uri">
                {a.uri}
              </code>
            ))}
          </dd>
        </div>
      ))}
    </dl>
  );
}
