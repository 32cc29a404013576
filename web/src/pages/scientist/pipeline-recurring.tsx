/**
 * Recurring runs: the list, the form that creates one (a pipeline and its version, or its latest
 * at each fire; a pipeline experiment; the version's inputs; a cron schedule in a time zone or a
 * periodic interval; start and end; maximum concurrency; what to do with missed runs), and one
 * recurring run's page: enable, disable, trigger a run now, edit it (each edit a new version of
 * it, which KFP cannot do), and its runs.
 */
import { type FormEvent, useId, useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { Visibility } from '../../api/views';
import { useApi } from '../../store/live';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, Show, VisibilitySelect } from '../../ui/components';
import { formatDuration, formatTime } from '../../ui/format';
import { IssueList } from './experiments';
import { RunList } from './pipeline-runs';
import {
  api,
  type CatchUp,
  idParts,
  named,
  type Pipeline,
  PipelinesSection,
  type PipelineVersion,
  pipelineExperimentHref,
  pipelineHref,
  pipelineQuery,
  type RecurringRun,
  type Run,
  recurringRunHref,
  runHref,
  type Schedule,
  useExperimentChoices,
  versionName,
} from './pipeline-types';
import { FIXTURE_PLACEHOLDER, InputFields, inputValues, ParameterList, parseFixture } from './pipelines';
import './pipelines.css';
import './scientist.css';

export function RecurringRunsPage() {
  const [visibility, setVisibility] = useState<Visibility>('all');
  return (
    <PipelinesSection>
      <PageHeader title="Recurring runs">
        <Link href="/pipelines/recurring/new" className="button">
          New recurring run
        </Link>
        <VisibilitySelect value={visibility} onChange={setVisibility} />
      </PageHeader>
      <RecurringRunList filter={{ visibility }} />
    </PipelinesSection>
  );
}

/** A schedule in words: `cron 0 * * * * (Europe/Paris)`, `every 1 h`, with its bounds. */
export function scheduleWords(s: Schedule): string {
  const t = s.trigger;
  const what =
    t.kind === 'cron'
      ? `cron ${t.expression}${t.timeZone ? ` (${t.timeZone})` : ' (UTC)'}`
      : `every ${formatDuration(t.intervalSeconds)}`;
  return what;
}

const CATCH_UP_WORDS: Record<CatchUp, string> = {
  all: 'every missed run',
  latest: 'only the latest missed run',
  none: 'no missed run',
};

export function RecurringRunList({ filter }: { filter: Record<string, string> }) {
  const key = JSON.stringify(filter);
  const list = useApi(
    (c, past) => api.get<RecurringRun[]>(c, '/recurring-runs', { limit: '1000', ...filter, ...pipelineQuery(past) }),
    [key],
  );
  return (
    <Show loaded={list.loaded}>
      {(items) => {
        if (items.length === 0) return <p className="muted">No recurring runs here.</p>;
        return (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
          <section className="table-scroll" tabIndex={0} aria-label="Recurring runs list">
            <table className="pipeline-table">
              <caption className="visually-hidden">Recurring runs ({items.length})</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Pipeline</th>
                  <th scope="col">Next run</th>
                  <th scope="col">Runs</th>
                  <th scope="col">Owner</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id}>
                    <th scope="row">
                      <Link href={recurringRunHref(r)}>{r.name}</Link>
                    </th>
                    <td>
                      <EnabledBadge enabled={r.enabled} />
                    </td>
                    <td>{scheduleWords(r.schedule)}</td>
                    <td>
                      {idParts(r.pipelineId).name} <span className="muted">{versionName(r.versionId)}</span>
                    </td>
                    <td>{r.enabled ? formatTime(r.nextFireAt) : '–'}</td>
                    <td>
                      {r.runs}
                      {r.activeRuns.length > 0 && <span className="muted"> ({r.activeRuns.length} running)</span>}
                    </td>
                    <td>{r.owner}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        );
      }}
    </Show>
  );
}

const EnabledBadge = ({ enabled }: { enabled: boolean }) => (
  <span className={`badge badge-${enabled ? 'good' : 'neutral'}`}>{enabled ? 'Enabled' : 'Disabled'}</span>
);

/** Seconds since the epoch to a `datetime-local` value (local time), and back. */
const toLocalInput = (seconds: number | null | undefined): string => {
  if (seconds === null || seconds === undefined) return '';
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
};
const fromLocalInput = (value: string): number | null => (value ? Math.floor(new Date(value).getTime() / 1000) : null);

const UNITS = [
  ['seconds', 1],
  ['minutes', 60],
  ['hours', 3600],
  ['days', 86_400],
] as const;

const TIME_ZONES: readonly string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

interface FormState {
  name: string;
  pipeline: string;
  version: string;
  experiment: string;
  values: Record<string, string>;
  kind: 'cron' | 'periodic';
  expression: string;
  timeZone: string;
  every: string;
  unit: number;
  start: string;
  end: string;
  maxConcurrency: string;
  catchUp: CatchUp;
  enabled: boolean;
  fixture: string;
}

function initialForm(r: RecurringRun | null): FormState {
  const t = r?.schedule.trigger;
  const interval = t?.kind === 'periodic' ? t.intervalSeconds : 3600;
  const unit = [...UNITS].reverse().find(([, s]) => interval % s === 0)?.[1] ?? 1;
  return {
    name: r?.name ?? '',
    pipeline: r?.pipelineId ?? '',
    version: r?.versionId ? versionName(r.versionId) : '',
    experiment: r?.experimentId ?? '',
    values: Object.fromEntries(
      Object.entries(r?.parameters ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ),
    kind: t?.kind ?? 'cron',
    expression: t?.kind === 'cron' ? t.expression : '0 0 * * * *',
    timeZone: t?.kind === 'cron' ? (t.timeZone ?? 'UTC') : Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    every: String(interval / unit),
    unit,
    start: toLocalInput(r?.schedule.startTime),
    end: toLocalInput(r?.schedule.endTime),
    maxConcurrency: String(r?.schedule.maxConcurrency ?? 1),
    catchUp: r?.schedule.catchUp ?? 'all',
    enabled: r?.enabled ?? true,
    fixture: r?.simulation ? JSON.stringify(r.simulation, null, 2) : '',
  };
}

/** The form of a recurring run: empty to create one, filled to edit one (a new version of it). */
function RecurringForm({ editing, onDone }: { editing: RecurringRun | null; onDone: (r: RecurringRun) => void }) {
  const { client } = useSession();
  const action = useAction<RecurringRun>();
  const [f, setF] = useState<FormState>(() => initialForm(editing));
  const [problems, setProblems] = useState<string[]>([]);
  const set = (patch: Partial<FormState>) => setF((s) => ({ ...s, ...patch }));
  const id = useId();
  const experiments = useExperimentChoices();
  const pipelines = useApi((c) => api.get<Pipeline[]>(c, '/pipelines', { limit: '1000' }), []);
  const pipelineList = pipelines.loaded.state === 'done' && pipelines.loaded.answer.ok ? pipelines.loaded.answer.value : [];
  const pipeline = pipelineList.find((p) => p.id === f.pipeline) ?? null;
  const version = useApi(
    (c) =>
      pipeline
        ? api.get<PipelineVersion>(c, `/pipelines/${named(pipeline.name)}/versions/${named(f.version || 'latest')}`, {
            group: pipeline.group,
          })
        : Promise.resolve({ ok: false as const, problem: { status: 0, title: 'Choose a pipeline' } }),
    [pipeline?.id, f.version],
  );
  const v = version.loaded.state === 'done' && version.loaded.answer.ok ? version.loaded.answer.value : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { parameters, problems: wrong } = v ? inputValues(v.inputs, f.values) : { parameters: {}, problems: [] };
    const sim = parseFixture(f.fixture);
    const all = [...wrong, ...(sim.problem ? [sim.problem] : [])];
    setProblems(all);
    if (all.length > 0) return;
    const schedule: Schedule = {
      trigger:
        f.kind === 'cron'
          ? { kind: 'cron', expression: f.expression.trim(), ...(f.timeZone.trim() ? { timeZone: f.timeZone.trim() } : {}) }
          : { kind: 'periodic', intervalSeconds: Math.round(Number(f.every) * f.unit) },
      startTime: fromLocalInput(f.start),
      endTime: fromLocalInput(f.end),
      maxConcurrency: Number(f.maxConcurrency),
      catchUp: f.catchUp,
    };
    const body = {
      pipeline: f.pipeline,
      version: f.version || null,
      ...(f.experiment ? { experiment: f.experiment } : {}),
      parameters,
      schedule,
      ...(sim.value ? { simulation: sim.value } : {}),
    };
    void action.run(
      () =>
        editing
          ? api.patch<RecurringRun>(client, `/recurring-runs/${named(editing.name)}`, body, { group: editing.group })
          : api.post<RecurringRun>(client, '/recurring-runs', { name: f.name.trim(), enabled: f.enabled, ...body }),
      onDone,
    );
  };
  return (
    <form
      className="card form-grid experiment-form"
      onSubmit={submit}
      aria-label={editing ? 'Edit the recurring run' : 'Create a recurring run'}
    >
      {!editing && (
        <>
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} value={f.name} onChange={(e) => set({ name: e.target.value })} required maxLength={128} />
        </>
      )}
      <label htmlFor={`${id}-pipeline`}>Pipeline</label>
      <select
        id={`${id}-pipeline`}
        value={f.pipeline}
        required
        onChange={(e) => set({ pipeline: e.target.value, version: '', values: {} })}
      >
        <option value="">Choose a pipeline</option>
        {pipelineList.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-version`}>Version</label>
      <select id={`${id}-version`} value={f.version} onChange={(e) => set({ version: e.target.value, values: {} })}>
        <option value="">The latest at each run</option>
        {[...(pipeline?.versions ?? [])].reverse().map((ver) => (
          <option key={ver.id} value={ver.name}>
            {ver.name}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-experiment`}>Pipeline experiment</label>
      <select id={`${id}-experiment`} value={f.experiment} onChange={(e) => set({ experiment: e.target.value })}>
        <option value="">None</option>
        {experiments
          .filter((x) => !x.archived || x.id === f.experiment)
          .map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
      </select>
      {v && <InputFields inputs={v.inputs} values={f.values} onChange={(values) => set({ values })} />}
      <fieldset className="inputs">
        <legend>Schedule</legend>
        <div className="segmented-choice" role="radiogroup" aria-label="Trigger">
          <label className="check">
            <input type="radio" name={`${id}-kind`} checked={f.kind === 'cron'} onChange={() => set({ kind: 'cron' })} /> Cron
          </label>
          <label className="check">
            <input type="radio" name={`${id}-kind`} checked={f.kind === 'periodic'} onChange={() => set({ kind: 'periodic' })} />{' '}
            Periodic
          </label>
        </div>
        {f.kind === 'cron' ? (
          <>
            <label htmlFor={`${id}-cron`}>Cron expression (5 fields, or 6 with seconds first)</label>
            <input
              id={`${id}-cron`}
              className="mono"
              value={f.expression}
              onChange={(e) => set({ expression: e.target.value })}
              required
              placeholder="0 0 * * * *"
            />
            <label htmlFor={`${id}-tz`}>Time zone</label>
            <input
              id={`${id}-tz`}
              list={`${id}-zones`}
              value={f.timeZone}
              onChange={(e) => set({ timeZone: e.target.value })}
              placeholder="UTC"
            />
            <datalist id={`${id}-zones`}>
              {TIME_ZONES.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </>
        ) : (
          <>
            <label htmlFor={`${id}-every`}>Every</label>
            <span className="row">
              <input
                id={`${id}-every`}
                type="number"
                min={1}
                step="any"
                value={f.every}
                onChange={(e) => set({ every: e.target.value })}
                required
              />
              <select aria-label="Unit" value={f.unit} onChange={(e) => set({ unit: Number(e.target.value) })}>
                {UNITS.map(([label, s]) => (
                  <option key={label} value={s}>
                    {label}
                  </option>
                ))}
              </select>
            </span>
          </>
        )}
        <label htmlFor={`${id}-start`}>Start (optional, your local time)</label>
        <input id={`${id}-start`} type="datetime-local" value={f.start} onChange={(e) => set({ start: e.target.value })} />
        <label htmlFor={`${id}-end`}>End (optional, your local time)</label>
        <input id={`${id}-end`} type="datetime-local" value={f.end} onChange={(e) => set({ end: e.target.value })} />
        <label htmlFor={`${id}-max`}>Maximum concurrent runs (1–10)</label>
        <input
          id={`${id}-max`}
          type="number"
          min={1}
          max={10}
          step={1}
          value={f.maxConcurrency}
          onChange={(e) => set({ maxConcurrency: e.target.value })}
          required
        />
        <label htmlFor={`${id}-catchup`}>Missed runs (after a downtime)</label>
        <select id={`${id}-catchup`} value={f.catchUp} onChange={(e) => set({ catchUp: e.target.value as CatchUp })}>
          {(Object.keys(CATCH_UP_WORDS) as CatchUp[]).map((c) => (
            <option key={c} value={c}>
              Catch up {CATCH_UP_WORDS[c]}
            </option>
          ))}
        </select>
      </fieldset>
      {!editing && (
        <label className="check">
          <input type="checkbox" checked={f.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
        </label>
      )}
      <details>
        <summary>Simulation fixture (simulated runtime)</summary>
        <label htmlFor={`${id}-fixture`}>Per task: seconds, outcome, failAttempts, failRuns, outputs (JSON)</label>
        <textarea
          id={`${id}-fixture`}
          className="experiment-doc"
          rows={6}
          value={f.fixture}
          spellCheck={false}
          onChange={(e) => set({ fixture: e.target.value })}
          placeholder={FIXTURE_PLACEHOLDER}
        />
      </details>
      <button type="submit" disabled={action.busy || action.readOnly}>
        {editing ? 'Save as a new version' : 'Create recurring run'}
      </button>
      {problems.length > 0 && (
        <ul className="problem issues" role="alert">
          {problems.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      )}
      <IssueList problem={action.problem} />
    </form>
  );
}

export function NewRecurringRunPage() {
  const [, navigate] = useLocation();
  return (
    <PipelinesSection>
      <PageHeader title="New recurring run" />
      <RecurringForm editing={null} onDone={(made) => navigate(recurringRunHref(made))} />
    </PipelinesSection>
  );
}

export function RecurringRunPage({ group, name }: { group: string; name: string }) {
  const { client, me } = useSession();
  const [, navigate] = useLocation();
  const action = useAction<unknown>();
  const [editing, setEditing] = useState(false);
  const read = useApi(
    (c, past) => api.get<RecurringRun>(c, `/recurring-runs/${named(name)}`, { group, ...pipelineQuery(past) }),
    [group, name],
  );
  return (
    <PipelinesSection>
      <Show loaded={read.loaded}>
        {(r) => {
          const mine = r.owner === me.id || me.role === 'operator';
          const path = `/recurring-runs/${named(r.name)}`;
          const disabled = action.busy || action.readOnly;
          const s = r.schedule;
          return (
            <>
              <PageHeader title={r.name}>
                <EnabledBadge enabled={r.enabled} />
                <span className="muted">version {r.version}</span>
              </PageHeader>
              {mine ? (
                <div className="actions">
                  <button
                    type="button"
                    className="secondary"
                    disabled={disabled}
                    onClick={() =>
                      action.run(
                        () => api.post(client, `${path}/${r.enabled ? 'disable' : 'enable'}`, undefined, { group: r.group }),
                        read.reload,
                      )
                    }
                  >
                    {r.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <button
                    type="button"
                    disabled={disabled}
                    onClick={() =>
                      action.run(
                        () => api.post<Run>(client, `${path}/trigger`, undefined, { group: r.group }),
                        (run) => navigate(runHref(run as Run)),
                      )
                    }
                  >
                    Trigger now
                  </button>
                  <button type="button" className="secondary" aria-expanded={editing} onClick={() => setEditing(!editing)}>
                    {editing ? 'Cancel editing' : 'Edit'}
                  </button>
                  <IssueList problem={action.problem} />
                </div>
              ) : (
                <p className="muted">{r.owner} owns this recurring run: only they may change or trigger it.</p>
              )}
              {editing && (
                <RecurringForm
                  key={r.version}
                  editing={r}
                  onDone={() => {
                    setEditing(false);
                    read.reload();
                  }}
                />
              )}
              <dl className="facts">
                <dt>Pipeline</dt>
                <dd>
                  <Link href={pipelineHref(idParts(r.pipelineId))}>{idParts(r.pipelineId).name}</Link>{' '}
                  <span className="muted">
                    {r.versionId ? `version ${versionName(r.versionId)}` : 'its latest version at each run'}
                  </span>
                </dd>
                <dt>Pipeline experiment</dt>
                <dd>
                  {r.experimentId ? (
                    <Link href={pipelineExperimentHref(idParts(r.experimentId))}>{idParts(r.experimentId).name}</Link>
                  ) : (
                    <span className="muted">none</span>
                  )}
                </dd>
                <dt>Schedule</dt>
                <dd>{scheduleWords(s)}</dd>
                <dt>Window</dt>
                <dd>
                  {s.startTime ? `from ${formatTime(s.startTime)}` : 'from its creation'}
                  {s.endTime ? ` until ${formatTime(s.endTime)}` : ', no end'}
                </dd>
                <dt>Concurrency</dt>
                <dd>
                  at most {s.maxConcurrency ?? 1} at once; catch up {CATCH_UP_WORDS[s.catchUp ?? 'all']}
                </dd>
                <dt>Next run</dt>
                <dd>{r.enabled ? formatTime(r.nextFireAt) : <span className="muted">none while disabled</span>}</dd>
                <dt>Last scheduled</dt>
                <dd>{formatTime(r.lastScheduled)}</dd>
                <dt>Parameters</dt>
                <dd>
                  <ParameterList parameters={r.parameters} />
                </dd>
                <dt>Owner</dt>
                <dd>{r.owner}</dd>
                <dt>Created</dt>
                <dd>{formatTime(r.createdAt)}</dd>
              </dl>
              <h2>Runs</h2>
              <RunList filter={{ recurringRun: r.id, archived: 'all' }} />
            </>
          );
        }}
      </Show>
    </PipelinesSection>
  );
}
