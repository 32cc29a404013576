/**
 * Tuning experiments: the list (mine / shared / all, by status and tag, by name; every page of it), each with its
 * algorithm, its objective, its progress and its best objective so far; and the form that
 * creates one from a Katib Experiment pasted as YAML or JSON, which lists every issue the API
 * finds, each at its path.
 */
import { type FormEvent, useId, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { answer, type Problem } from '../../api/client';
import type { Visibility } from '../../api/views';
import { useApi } from '../../store/live';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, ProblemMessage, Show, VisibilitySelect } from '../../ui/components';
import { formatTime } from '../../ui/format';
import { readEveryExperiment } from './experiment-list';
import {
  EXPERIMENT_STATUSES,
  type Experiment,
  type ExperimentListItem,
  type ExperimentStatus,
  experimentHref,
  experimentQuery,
  formatNumber,
  objectiveWords,
  TuningBadge,
} from './experiment-types';
import './experiments.css';
import './scientist.css';

export function ExperimentsPage() {
  const [visibility, setVisibility] = useState<Visibility>('all');
  const [status, setStatus] = useState<ExperimentStatus | ''>('');
  const [tag, setTag] = useState('');
  const [search, setSearch] = useState('');
  // Every page: a group may have more experiments than the API answers in one request.
  const list = useApi(
    (c, past) =>
      readEveryExperiment((page) =>
        answer<ExperimentListItem[]>(
          c.GET('/api/v1/tuning/experiments', {
            params: {
              query: {
                visibility,
                ...page,
                ...(status ? { status } : {}),
                ...(tag.trim() ? { tag: tag.trim() } : {}),
                ...experimentQuery(past),
              },
            },
          }),
        ),
      ),
    [visibility, status, tag],
  );
  const needle = search.trim().toLowerCase();
  return (
    <>
      <PageHeader title="Experiments">
        <Link href="/experiments/new" className="button">
          New experiment
        </Link>
        <VisibilitySelect value={visibility} onChange={setVisibility} />
      </PageHeader>
      <div className="filters">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value as ExperimentStatus | '')}>
            <option value="">Any status</option>
            {EXPERIMENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag <input value={tag} onChange={(e) => setTag(e.target.value)} maxLength={256} placeholder="key or key=value" />
        </label>
        <label>
          Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name or owner" />
        </label>
      </div>
      <Show loaded={list.loaded}>
        {(items, total) => {
          const shown = needle
            ? items.filter((x) => x.name.toLowerCase().includes(needle) || x.owner.toLowerCase().includes(needle))
            : items;
          return (
            <>
              <p className="muted" aria-live="polite">
                {needle ? `${shown.length} found among ` : ''}
                {total ?? items.length} {(total ?? items.length) === 1 ? 'experiment' : 'experiments'}
              </p>
              <ExperimentTable items={shown} />
            </>
          );
        }}
      </Show>
    </>
  );
}

function ExperimentTable({ items }: { items: ExperimentListItem[] }) {
  if (items.length === 0) return <p className="muted">No experiments here.</p>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
    <section className="table-scroll" tabIndex={0} aria-label="Experiments list">
      <table className="experiment-table">
        <caption className="visually-hidden">Experiments ({items.length})</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Algorithm</th>
            <th scope="col">Objective</th>
            <th scope="col">Progress</th>
            <th scope="col">Best</th>
            <th scope="col">Owner</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {items.map((x) => (
            <tr key={x.id}>
              <th scope="row">
                <Link href={experimentHref(x)}>{x.name}</Link>
              </th>
              <td>
                <TuningBadge status={x.status} />
              </td>
              <td>{x.algorithm}</td>
              <td>{objectiveWords(x.objective)}</td>
              <td>
                <Progress x={x} />
              </td>
              <td>{formatNumber(x.optimalTrial?.objective)}</td>
              <td>{x.owner}</td>
              <td>{formatTime(x.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Trials succeeded, failed and running, of the budget, in words and as a bar. */
export function Progress({ x }: { x: ExperimentListItem }) {
  const c = x.counters;
  const of = x.maxTrialCount ?? Math.max(c.trials, 1);
  const pct = (n: number) => `${Math.min(100, (100 * n) / of)}%`;
  const words = `${c.succeeded} succeeded, ${c.failed} failed, ${c.running} running of ${x.maxTrialCount ?? 'unlimited'}`;
  return (
    <span className="progress">
      <span className="progress-bar" aria-hidden="true">
        <span className="progress-good" style={{ width: pct(c.succeeded) }} />
        <span className="progress-bad" style={{ width: pct(c.failed) }} />
        <span className="progress-busy" style={{ width: pct(c.running) }} />
      </span>
      <span className="progress-words">{words}</span>
    </span>
  );
}

/** Every issue of a refusal, each at its path, as the API names them. */
export function IssueList({ problem }: { problem: Problem | null }) {
  if (!problem) return null;
  const issues = problem.errors ?? [];
  if (issues.length === 0) return <ProblemMessage problem={problem} />;
  return (
    <div className="problem" role="alert">
      <p>
        Not accepted: {issues.length} {issues.length === 1 ? 'issue' : 'issues'}, each at its path:
      </p>
      <ul className="issues">
        {issues.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: issues may repeat a path; their order is the API's
          <li key={i}>
            <code>{e.path}</code>:{' '}
            {e.message !== undefined ? e.message : `expected ${e.expected}${e.actual !== undefined ? `, got ${e.actual}` : ''}`}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function NewExperimentPage() {
  const { client } = useSession();
  const action = useAction<Experiment>();
  const [, navigate] = useLocation();
  const [text, setText] = useState('');
  const [seed, setSeed] = useState('');
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const json = text.trimStart().startsWith('{');
    let body: unknown = text;
    if (json) {
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON after all: the API reads it as YAML, and names what is wrong with it.
        body = text;
      }
    }
    const asYaml = typeof body === 'string';
    const query = seed.trim() ? { seed: seed.trim() } : {};
    void action.run(
      () =>
        answer<Experiment>(
          client.POST('/api/v1/tuning/experiments', {
            params: { query },
            body: body as never,
            ...(asYaml ? { bodySerializer: (b: unknown) => b as string, headers: { 'content-type': 'application/yaml' } } : {}),
          }),
        ),
      (made) => navigate(experimentHref(made)),
    );
  };
  return (
    <>
      <PageHeader title="New experiment" />
      <form className="card form-grid experiment-form" onSubmit={submit} aria-label="Create an experiment">
        <label htmlFor={`${id}-doc`}>Katib Experiment (YAML or JSON)</label>
        <textarea
          id={`${id}-doc`}
          className="experiment-doc"
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={18}
          spellCheck={false}
          required
          placeholder={'apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata:\n  name: my-experiment\nspec:\n  …'}
        />
        <label htmlFor={`${id}-seed`}>Seed (optional)</label>
        <input
          id={`${id}-seed`}
          type="number"
          min={0}
          step={1}
          value={seed}
          onChange={(e) => setSeed(e.target.value)}
          placeholder="derived from its name"
        />
        <button type="submit" disabled={action.busy || action.readOnly}>
          Create
        </button>
        <IssueList problem={action.problem} />
      </form>
    </>
  );
}
