/**
 * One tuning experiment: how it stands (status, why it ended, its counters, the best trial with
 * its assignment and objective), what its owner may do (stop, letting running trials finish or
 * not; restart when it may; edit its three counts), its trials (one column per parameter, each
 * linking to the job that runs it), its objective over trials, and its parallel coordinates.
 * Live: the cluster's changes (a trial's job starting or ending) read it again, and while it runs
 * it is read every few seconds too (the experiments have a stream of their own).
 */
import { useState } from 'react';
import { Link } from 'wouter';
import { answer } from '../../api/client';
import { useApi, useReloadEvery } from '../../store/live';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, Show } from '../../ui/components';
import { formatDuration, formatTime } from '../../ui/format';
import { splitId } from './common';
import { ObjectiveChart, ParallelCoordinates } from './experiment-charts';
import {
  ENDED,
  type Experiment,
  experimentQuery,
  formatNumber,
  formatValue,
  objectiveWords,
  type Trial,
  TuningBadge,
} from './experiment-types';
import { IssueList, Progress } from './experiments';
import { jobHref } from './job';
import './experiments.css';
import './scientist.css';

const EVERY_MS = 2000;

export function ExperimentPage({ group, name }: { group: string; name: string }) {
  const read = useApi(
    (c, p) =>
      answer<Experiment>(
        c.GET('/api/v1/tuning/experiments/{name}', { params: { path: { name }, query: { group, ...experimentQuery(p) } } }),
      ),
    [group, name],
  );
  const current = read.loaded.state === 'done' && read.loaded.answer.ok ? read.loaded.answer.value : null;
  const running = current !== null && !ENDED.has(current.status);
  const { reload } = read;
  useReloadEvery(reload, EVERY_MS, running);
  return (
    <Show loaded={read.loaded}>
      {(x) => (
        <>
          <PageHeader title={x.name}>
            <TuningBadge status={x.status} />
          </PageHeader>
          <ExperimentActions experiment={x} reload={reload} />
          <div className="job-columns">
            <ExperimentFacts experiment={x} />
            <BestTrial experiment={x} />
          </div>
          <h2>Objective over trials</h2>
          <ObjectiveChart experiment={x} />
          <h2>Parameters and objective</h2>
          <ParallelCoordinates experiment={x} />
          <h2>Trials</h2>
          <TrialTable experiment={x} />
        </>
      )}
    </Show>
  );
}

function ExperimentFacts({ experiment: x }: { experiment: Experiment }) {
  const c = x.counters;
  return (
    <dl className="facts">
      <dt>Objective</dt>
      <dd>{objectiveWords(x.objective)}</dd>
      <dt>Algorithm</dt>
      <dd>
        {x.algorithm} <span className="muted">(seed {x.seed})</span>
      </dd>
      <dt>Progress</dt>
      <dd>
        <Progress x={x} />
      </dd>
      <dt>Trials</dt>
      <dd>
        {c.trials} made, {c.running} running, {c.succeeded} succeeded, {c.failed} failed
        {c.earlyStopped ? `, ${c.earlyStopped} stopped early` : ''}
        {c.metricsUnavailable ? `, ${c.metricsUnavailable} without metrics` : ''}
        {c.killed ? `, ${c.killed} killed` : ''}
      </dd>
      <dt>Counts</dt>
      <dd>
        {x.parallelTrialCount} in parallel, at most {x.maxTrialCount ?? 'unlimited'} trials and{' '}
        {x.maxFailedTrialCount ?? 'unlimited'} failures
      </dd>
      <dt>Owner</dt>
      <dd>{x.owner}</dd>
      <dt>Created</dt>
      <dd>{formatTime(x.createdAt)}</dd>
      {x.endedAt !== null && (
        <>
          <dt>Ended</dt>
          <dd>
            {formatTime(x.endedAt)} <span className="muted">(after {formatDuration(x.endedAt - x.createdAt)})</span>
          </dd>
        </>
      )}
      {x.reason && (
        <>
          <dt>Reason</dt>
          <dd>
            {x.reason}
            {x.message ? `: ${x.message}` : ''}
          </dd>
        </>
      )}
      {x.status === 'Stopping' && x.stopTrials && (
        <>
          <dt>Stopping</dt>
          <dd>{x.stopTrials === 'finish' ? 'running trials finish first' : 'running trials are being stopped'}</dd>
        </>
      )}
      {Object.keys(x.labels).length > 0 && (
        <>
          <dt>Tags</dt>
          <dd>
            {Object.entries(x.labels).map(([k, v]) => (
              <span key={k} className="tag">
                {v ? `${k}=${v}` : k}
              </span>
            ))}
          </dd>
        </>
      )}
    </dl>
  );
}

function BestTrial({ experiment: x }: { experiment: Experiment }) {
  const o = x.optimalTrial;
  return (
    <section aria-labelledby="best-trial" className="best-trial card">
      <h2 id="best-trial">Best trial</h2>
      {o ? (
        <>
          <p>
            <strong>{o.name}</strong>: {x.objective.objectiveMetricName} <strong>{formatNumber(o.objective)}</strong>
          </p>
          <dl className="facts">
            {Object.entries(o.assignment).map(([k, v]) => (
              <div key={k} className="fact">
                <dt>{k}</dt>
                <dd>{formatValue(v)}</dd>
              </div>
            ))}
            {Object.entries(o.metrics)
              .filter(([k]) => k !== x.objective.objectiveMetricName)
              .map(([k, v]) => (
                <div key={`m-${k}`} className="fact">
                  <dt>{k}</dt>
                  <dd>{formatNumber(v)}</dd>
                </div>
              ))}
          </dl>
        </>
      ) : (
        <p className="muted">No trial has an objective yet.</p>
      )}
    </section>
  );
}

function ExperimentActions({ experiment: x, reload }: { experiment: Experiment; reload: () => void }) {
  const { client, me } = useSession();
  const action = useAction<unknown>();
  const [counts, setCounts] = useState<{ parallel: string; max: string; failed: string } | null>(null);
  const mine = x.owner === me.id || me.role === 'operator';
  if (!mine) return <p className="muted">{x.owner} owns this experiment: only they may stop, restart or edit it.</p>;
  const ended = ENDED.has(x.status);
  const path = { name: x.name };
  const query = { group: x.group } as never;
  const stop = (trials: 'stop' | 'finish') =>
    action.run(
      () => answer(client.POST('/api/v1/tuning/experiments/{name}/stop', { params: { path, query }, body: { trials } as never })),
      reload,
    );
  const shown = counts ?? {
    parallel: String(x.parallelTrialCount),
    max: x.maxTrialCount === null ? '' : String(x.maxTrialCount),
    failed: x.maxFailedTrialCount === null ? '' : String(x.maxFailedTrialCount),
  };
  const edit = () => {
    const body: Record<string, number | null> = {};
    const asCount = (s: string) => (s.trim() === '' ? null : Number(s));
    if (Number(shown.parallel) !== x.parallelTrialCount) body.parallelTrialCount = Number(shown.parallel);
    if (asCount(shown.max) !== x.maxTrialCount) body.maxTrialCount = asCount(shown.max);
    if (asCount(shown.failed) !== x.maxFailedTrialCount) body.maxFailedTrialCount = asCount(shown.failed);
    void action.run(
      () => answer(client.PATCH('/api/v1/tuning/experiments/{name}', { params: { path, query }, body: body as never })),
      () => {
        setCounts(null);
        reload();
      },
    );
  };
  const disabled = action.busy || action.readOnly;
  return (
    <div className="actions">
      {x.status === 'Running' && (
        <>
          <button type="button" className="danger" disabled={disabled} onClick={() => stop('stop')}>
            Stop, and its running trials
          </button>
          <button type="button" className="secondary" disabled={disabled} onClick={() => stop('finish')}>
            Stop, letting running trials finish
          </button>
        </>
      )}
      {ended && (
        <button
          type="button"
          disabled={disabled || x.spec.resumePolicy === 'Never'}
          title={x.spec.resumePolicy === 'Never' ? 'its resumePolicy is Never' : undefined}
          onClick={() =>
            action.run(
              () => answer(client.POST('/api/v1/tuning/experiments/{name}/restart', { params: { path, query } })),
              reload,
            )
          }
        >
          Restart
        </button>
      )}
      {!ended && (
        <details className="clone">
          <summary>Edit the counts</summary>
          <form
            className="clone-form"
            onSubmit={(e) => {
              e.preventDefault();
              edit();
            }}
          >
            <label>
              In parallel{' '}
              <input
                type="number"
                min={1}
                required
                value={shown.parallel}
                onChange={(e) => setCounts({ ...shown, parallel: e.target.value })}
              />
            </label>
            <label>
              Max trials{' '}
              <input
                type="number"
                min={1}
                value={shown.max}
                placeholder="unlimited"
                onChange={(e) => setCounts({ ...shown, max: e.target.value })}
              />
            </label>
            <label>
              Max failed{' '}
              <input
                type="number"
                min={0}
                value={shown.failed}
                placeholder="unlimited"
                onChange={(e) => setCounts({ ...shown, failed: e.target.value })}
              />
            </label>
            <button type="submit" disabled={disabled}>
              Save
            </button>
          </form>
        </details>
      )}
      {x.spec.resumePolicy === 'Never' && ended && <span className="muted">Its resumePolicy is Never: it cannot restart.</span>}
      <IssueList problem={action.problem} />
    </div>
  );
}

function TrialTable({ experiment: x }: { experiment: Experiment }) {
  const params = x.spec.space.map((p) => p.name);
  const metric = x.objective.objectiveMetricName;
  const others = x.objective.additionalMetricNames ?? [];
  const best = x.optimalTrial?.name;
  if (x.trials.length === 0) return <p className="muted">No trials yet.</p>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
    <section className="table-scroll" tabIndex={0} aria-label="Trials">
      <table className="trial-table">
        <caption className="visually-hidden">Trials ({x.trials.length})</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Trial</th>
            {params.map((p) => (
              <th key={p} scope="col" className="num">
                {p}
              </th>
            ))}
            <th scope="col">Status</th>
            <th scope="col" className="num">
              {metric}
            </th>
            {others.map((m) => (
              <th key={m} scope="col" className="num">
                {m}
              </th>
            ))}
            <th scope="col">Took</th>
          </tr>
        </thead>
        <tbody>
          {x.trials.map((t: Trial, i) => (
            <tr key={t.name} aria-current={t.name === best ? 'true' : undefined}>
              <td>{i + 1}</td>
              <th scope="row">
                <Link href={jobHref(splitId(t.jobId))}>{t.name}</Link>
                {t.name === best && <span className="muted"> (best)</span>}
              </th>
              {params.map((p) => (
                <td key={p} className="num">
                  {formatValue(t.assignment[p])}
                </td>
              ))}
              <td title={t.message ?? undefined}>
                <TuningBadge status={t.status} />
              </td>
              <td className="num">{formatNumber(t.objective)}</td>
              {others.map((m) => (
                <td key={m} className="num">
                  {formatNumber(t.metrics[m])}
                </td>
              ))}
              <td>{t.endedAt === null ? '–' : formatDuration(t.endedAt - t.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
