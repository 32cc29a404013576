/**
 * Pipeline experiments: KFP's folders of runs and recurring runs (not the tuning experiments of
 * the Experiments page). The list (mine / shared / all, archived or not), the form that creates
 * one, and one experiment's page: archive or restore it, its runs and its recurring runs.
 */
import { type FormEvent, useId, useState } from 'react';
import { Link } from 'wouter';
import type { Visibility } from '../../api/views';
import { useApi } from '../../store/live';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, Show, VisibilitySelect } from '../../ui/components';
import { formatTime } from '../../ui/format';
import { IssueList } from './experiments';
import { RecurringRunList } from './pipeline-recurring';
import { RunList, TaskCounts } from './pipeline-runs';
import { api, named, type PipelineExperiment, PipelinesSection, pipelineExperimentHref, pipelineQuery } from './pipeline-types';
import './pipelines.css';
import './scientist.css';

export function PipelineExperimentsPage() {
  const [visibility, setVisibility] = useState<Visibility>('all');
  const [archived, setArchived] = useState(false);
  const list = useApi(
    (c, past) =>
      api.get<PipelineExperiment[]>(c, '/pipeline-experiments', {
        visibility,
        archived: archived ? 'true' : 'false',
        limit: '1000',
        ...pipelineQuery(past),
      }),
    [visibility, archived],
  );
  return (
    <PipelinesSection>
      <PageHeader title="Pipeline experiments">
        <VisibilitySelect value={visibility} onChange={setVisibility} />
      </PageHeader>
      <p className="muted">Folders of pipeline runs and recurring runs (tuning experiments are on the Experiments page).</p>
      <NewPipelineExperiment reload={list.reload} />
      <div className="filters">
        <label className="check">
          <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} /> Archived experiments
        </label>
      </div>
      <Show loaded={list.loaded}>
        {(items, total) => {
          if (items.length === 0) return <p className="muted">No pipeline experiments here.</p>;
          return (
            <>
              <p className="muted" aria-live="polite">
                {total ?? items.length} {(total ?? items.length) === 1 ? 'pipeline experiment' : 'pipeline experiments'}
              </p>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
              <section className="table-scroll" tabIndex={0} aria-label="Pipeline experiments list">
                <table className="pipeline-table">
                  <caption className="visually-hidden">Pipeline experiments ({items.length})</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Description</th>
                      <th scope="col">Owner</th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((x) => (
                      <tr key={x.id}>
                        <th scope="row">
                          <Link href={pipelineExperimentHref(x)}>{x.name}</Link>
                          {x.archived && <span className="muted"> (archived)</span>}
                        </th>
                        <td className="wrap">{x.description || <span className="muted">–</span>}</td>
                        <td>{x.owner}</td>
                        <td>{formatTime(x.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            </>
          );
        }}
      </Show>
    </PipelinesSection>
  );
}

function NewPipelineExperiment({ reload }: { reload: () => void }) {
  const { client } = useSession();
  const action = useAction<PipelineExperiment>();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(
      () =>
        api.post<PipelineExperiment>(client, '/pipeline-experiments', {
          name: name.trim(),
          ...(description.trim() ? { description: description.trim() } : {}),
        }),
      () => {
        setName('');
        setDescription('');
        reload();
      },
    );
  };
  return (
    <form className="card inline-form" onSubmit={submit} aria-label="Create a pipeline experiment">
      <div className="input-field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required maxLength={128} />
      </div>
      <div className="input-field wide">
        <label htmlFor={`${id}-description`}>Description</label>
        <input id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <button type="submit" disabled={action.busy || action.readOnly}>
        Create pipeline experiment
      </button>
      <IssueList problem={action.problem} />
    </form>
  );
}

export function PipelineExperimentPage({ group, name }: { group: string; name: string }) {
  const { client, me } = useSession();
  const action = useAction<unknown>();
  const read = useApi(
    (c, past) => api.get<PipelineExperiment>(c, `/pipeline-experiments/${named(name)}`, { group, ...pipelineQuery(past) }),
    [group, name],
  );
  return (
    <PipelinesSection>
      <Show loaded={read.loaded}>
        {(x) => {
          const mine = x.owner === me.id || me.role === 'operator';
          const post = (what: 'archive' | 'restore') =>
            action.run(
              () => api.post(client, `/pipeline-experiments/${named(x.name)}/${what}`, undefined, { group: x.group }),
              read.reload,
            );
          return (
            <>
              <PageHeader title={x.name}>
                <span className="muted">pipeline experiment</span>
                {x.archived && <span className="badge badge-neutral">Archived</span>}
              </PageHeader>
              {mine ? (
                <div className="actions">
                  <button
                    type="button"
                    className="secondary"
                    disabled={action.busy || action.readOnly}
                    onClick={() => post(x.archived ? 'restore' : 'archive')}
                  >
                    {x.archived ? 'Restore' : 'Archive'}
                  </button>
                  <IssueList problem={action.problem} />
                </div>
              ) : (
                <p className="muted">{x.owner} owns this pipeline experiment: only they may archive or restore it.</p>
              )}
              <dl className="facts">
                <dt>Description</dt>
                <dd>{x.description || <span className="muted">none</span>}</dd>
                <dt>Owner</dt>
                <dd>
                  {x.owner} <span className="muted">(group {x.group})</span>
                </dd>
                <dt>Created</dt>
                <dd>{formatTime(x.createdAt)}</dd>
                {x.runs && (
                  <>
                    <dt>Runs</dt>
                    <dd>
                      <TaskCounts counts={x.runs} />
                    </dd>
                  </>
                )}
              </dl>
              <h2>Runs</h2>
              <RunList filter={{ experiment: x.id, archived: 'all' }} />
              <h2>Recurring runs</h2>
              <RecurringRunList filter={{ experiment: x.id }} />
            </>
          );
        }}
      </Show>
    </PipelinesSection>
  );
}
