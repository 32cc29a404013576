/**
 * Pipelines: the list (mine / shared / all), the upload of a pipeline file compiled by the KFP SDK
 * (YAML or JSON; a v1 component.yaml too), whose refusal lists every issue at its path; and one
 * pipeline's page: its versions, the upload of a new version, and the form that creates a run
 * (a version, a pipeline experiment, the version's inputs with their types and defaults, and for
 * the simulated runtime an optional fixture that steers each step).
 */
import { type FormEvent, useId, useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { Answer } from '../../api/client';
import type { Visibility } from '../../api/views';
import { useApi } from '../../store/live';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, Show, VisibilitySelect } from '../../ui/components';
import { formatTime } from '../../ui/format';
import { IssueList } from './experiments';
import { RunList } from './pipeline-runs';
import {
  api,
  named,
  type Pipeline,
  type PipelineInput,
  PipelinesSection,
  type PipelineVersion,
  pipelineHref,
  pipelineQuery,
  type Run,
  runHref,
  showValue,
  useExperimentChoices,
  type VersionListItem,
} from './pipeline-types';
import './pipelines.css';
import './scientist.css';

export function PipelinesPage() {
  const [visibility, setVisibility] = useState<Visibility>('all');
  const [search, setSearch] = useState('');
  const list = useApi(
    (c, past) => api.get<Pipeline[]>(c, '/pipelines', { visibility, limit: '1000', ...pipelineQuery(past) }),
    [visibility],
  );
  const needle = search.trim().toLowerCase();
  return (
    <PipelinesSection>
      <PageHeader title="Pipelines">
        <Link href="/pipelines/new" className="button">
          Upload pipeline
        </Link>
        <VisibilitySelect value={visibility} onChange={setVisibility} />
      </PageHeader>
      <div className="filters">
        <label>
          Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name or owner" />
        </label>
      </div>
      <Show loaded={list.loaded}>
        {(items, total) => {
          const shown = needle
            ? items.filter((x) => x.name.toLowerCase().includes(needle) || x.owner.toLowerCase().includes(needle))
            : items;
          if (items.length === 0) return <p className="muted">No pipelines here.</p>;
          return (
            <>
              <p className="muted" aria-live="polite">
                {needle ? `${shown.length} found among ` : ''}
                {total ?? items.length} {(total ?? items.length) === 1 ? 'pipeline' : 'pipelines'}
              </p>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
              <section className="table-scroll" tabIndex={0} aria-label="Pipelines list">
                <table className="pipeline-table">
                  <caption className="visually-hidden">Pipelines ({shown.length})</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Description</th>
                      <th scope="col">Versions</th>
                      <th scope="col">Latest</th>
                      <th scope="col">Owner</th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((p) => (
                      <tr key={p.id}>
                        <th scope="row">
                          <Link href={pipelineHref(p)}>{p.name}</Link>
                        </th>
                        <td className="wrap">{p.description || <span className="muted">–</span>}</td>
                        <td>{p.versions.length}</td>
                        <td>{latestName(p)}</td>
                        <td>{p.owner}</td>
                        <td>{formatTime(p.createdAt)}</td>
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

const latestName = (p: Pipeline): string => {
  const l = p.latestVersion;
  if (l && typeof l === 'object') return l.name;
  if (typeof l === 'string') return l.slice(l.lastIndexOf('@') + 1);
  return p.versions.at(-1)?.name ?? '–';
};

/** A pipeline file: chosen from disk or pasted, as text. */
function PipelineFileField({ text, onText }: { text: string; onText: (t: string) => void }) {
  const id = useId();
  return (
    <>
      <label htmlFor={`${id}-file`}>Pipeline file (YAML or JSON, as the KFP SDK compiles it)</label>
      <input
        id={`${id}-file`}
        type="file"
        accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void file.text().then(onText);
        }}
      />
      <label htmlFor={`${id}-text`}>Its text</label>
      <textarea
        id={`${id}-text`}
        className="experiment-doc"
        value={text}
        onChange={(e) => onText(e.target.value)}
        rows={14}
        spellCheck={false}
        required
        placeholder={'# PIPELINE DEFINITION\n# Name: my-pipeline\ncomponents:\n  …'}
      />
    </>
  );
}

export function NewPipelinePage() {
  const { client } = useSession();
  const action = useAction<Pipeline>();
  const [, navigate] = useLocation();
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(
      () => api.upload<Pipeline>(client, '/pipelines', text, { name: name.trim(), description: description.trim() }),
      (made) => navigate(pipelineHref(made)),
    );
  };
  return (
    <PipelinesSection>
      <PageHeader title="Upload a pipeline" />
      <form className="card form-grid experiment-form" onSubmit={submit} aria-label="Upload a pipeline">
        <label htmlFor={`${id}-name`}>Name (optional)</label>
        <input
          id={`${id}-name`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="the file's pipeline name"
          maxLength={128}
        />
        <label htmlFor={`${id}-description`}>Description (optional)</label>
        <input id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
        <PipelineFileField text={text} onText={setText} />
        <button type="submit" disabled={action.busy || action.readOnly}>
          Upload
        </button>
        <IssueList problem={action.problem} />
      </form>
    </PipelinesSection>
  );
}

export function PipelinePage({ group, name }: { group: string; name: string }) {
  const read = useApi(
    (c, past) => api.get<Pipeline>(c, `/pipelines/${named(name)}`, { group, ...pipelineQuery(past) }),
    [group, name],
  );
  return (
    <PipelinesSection>
      <Show loaded={read.loaded}>
        {(p) => (
          <>
            <PageHeader title={p.name}>
              <span className="muted">
                {p.versions.length} {p.versions.length === 1 ? 'version' : 'versions'}
              </span>
            </PageHeader>
            <dl className="facts">
              <dt>Description</dt>
              <dd>{p.description || <span className="muted">none</span>}</dd>
              <dt>Owner</dt>
              <dd>
                {p.owner} <span className="muted">(group {p.group})</span>
              </dd>
              <dt>Created</dt>
              <dd>{formatTime(p.createdAt)}</dd>
            </dl>
            <CreateRun pipeline={p} />
            <h2>Versions</h2>
            <VersionTable pipeline={p} />
            <NewVersion pipeline={p} reload={read.reload} />
            <h2>Runs</h2>
            <RunList filter={{ pipeline: p.id }} />
          </>
        )}
      </Show>
    </PipelinesSection>
  );
}

function VersionTable({ pipeline: p }: { pipeline: Pipeline }) {
  const newestFirst = [...p.versions].reverse();
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
    <section className="table-scroll" tabIndex={0} aria-label="Versions">
      <table className="pipeline-table">
        <caption className="visually-hidden">Versions ({p.versions.length})</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Format</th>
            <th scope="col">Description</th>
            <th scope="col">Uploaded</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((v: VersionListItem, i) => (
            <tr key={v.id}>
              <th scope="row">
                {v.name}
                {i === 0 && <span className="muted"> (latest)</span>}
              </th>
              <td>{v.format}</td>
              <td className="wrap">{v.description || <span className="muted">–</span>}</td>
              <td>{formatTime(v.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function NewVersion({ pipeline: p, reload }: { pipeline: Pipeline; reload: () => void }) {
  const { client } = useSession();
  const action = useAction<unknown>();
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [open, setOpen] = useState(false);
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(
      () =>
        api.upload(client, `/pipelines/${named(p.name)}/versions`, text, {
          group: p.group,
          name: name.trim(),
          description: description.trim(),
        }),
      () => {
        setText('');
        setName('');
        setDescription('');
        setOpen(false);
        reload();
      },
    );
  };
  return (
    <details className="card pipeline-box" open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Upload a new version</summary>
      <form className="form-grid" onSubmit={submit} aria-label="Upload a new version">
        <label htmlFor={`${id}-name`}>Version name (optional)</label>
        <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} placeholder="v2, v3, …" />
        <label htmlFor={`${id}-description`}>Description (optional)</label>
        <input id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
        <PipelineFileField text={text} onText={setText} />
        <button type="submit" disabled={action.busy || action.readOnly}>
          Upload version
        </button>
        <IssueList problem={action.problem} />
      </form>
    </details>
  );
}

/** An input's value as typed in its field (JSON for lists and structs). */
const asText = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** A field's text as the input's type wants it; a problem in words when it is not one. */
export function parseInput(input: PipelineInput, text: string): { value?: unknown; problem?: string } {
  if (text.trim() === '') return {};
  switch (input.parameterType) {
    case 'NUMBER_INTEGER': {
      const n = Number(text);
      return Number.isInteger(n) ? { value: n } : { problem: `${input.name}: an integer is expected` };
    }
    case 'NUMBER_DOUBLE': {
      const n = Number(text);
      return Number.isFinite(n) ? { value: n } : { problem: `${input.name}: a number is expected` };
    }
    case 'BOOLEAN':
      return { value: text === 'true' };
    case 'LIST':
    case 'STRUCT':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { problem: `${input.name}: JSON is expected (${input.parameterType === 'LIST' ? 'a list' : 'an object'})` };
      }
    default:
      return { value: text };
  }
}

/** The fields of a version's inputs, each typed, with its default. */
export function InputFields({
  inputs,
  values,
  onChange,
}: {
  inputs: readonly PipelineInput[];
  values: Record<string, string>;
  onChange: (v: Record<string, string>) => void;
}) {
  const id = useId();
  if (inputs.length === 0) return <p className="muted">This version takes no inputs.</p>;
  return (
    <fieldset className="inputs">
      <legend>Parameters</legend>
      {inputs.map((input, i) => {
        const fieldId = `${id}-${i}`;
        const value = values[input.name] ?? asText(input.defaultValue);
        const set = (v: string) => onChange({ ...values, [input.name]: v });
        const type = input.parameterType;
        const label = (
          <label htmlFor={fieldId}>
            {input.name}{' '}
            <span className="muted">
              ({typeWords(type)}
              {input.isOptional ? ', optional' : ''})
            </span>
          </label>
        );
        if (type === 'BOOLEAN') {
          return (
            <div key={input.name} className="input-field">
              {label}
              <select id={fieldId} value={value === '' ? 'false' : value} onChange={(e) => set(e.target.value)}>
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            </div>
          );
        }
        if (type === 'LIST' || type === 'STRUCT') {
          return (
            <div key={input.name} className="input-field">
              {label}
              <textarea
                id={fieldId}
                className="experiment-doc"
                rows={2}
                value={value}
                spellCheck={false}
                onChange={(e) => set(e.target.value)}
                placeholder={type === 'LIST' ? '[1, 2, 3]' : '{"a": 1}'}
                required={!input.isOptional && input.defaultValue === undefined}
              />
            </div>
          );
        }
        return (
          <div key={input.name} className="input-field">
            {label}
            <input
              id={fieldId}
              type={type === 'NUMBER_INTEGER' || type === 'NUMBER_DOUBLE' ? 'number' : 'text'}
              step={type === 'NUMBER_INTEGER' ? 1 : type === 'NUMBER_DOUBLE' ? 'any' : undefined}
              value={value}
              onChange={(e) => set(e.target.value)}
              required={!input.isOptional && input.defaultValue === undefined}
            />
          </div>
        );
      })}
    </fieldset>
  );
}

const TYPE_WORDS: Record<string, string> = {
  STRING: 'string',
  NUMBER_INTEGER: 'integer',
  NUMBER_DOUBLE: 'number',
  BOOLEAN: 'boolean',
  LIST: 'list, as JSON',
  STRUCT: 'object, as JSON',
};
const typeWords = (t: string) => TYPE_WORDS[t] ?? t.toLowerCase();

/** Every input's value from its field, or the problems of those that do not parse. */
export function inputValues(
  inputs: readonly PipelineInput[],
  values: Record<string, string>,
): { parameters: Record<string, unknown>; problems: string[] } {
  const parameters: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const input of inputs) {
    const parsed = parseInput(input, values[input.name] ?? asText(input.defaultValue));
    if (parsed.problem) problems.push(parsed.problem);
    else if (parsed.value !== undefined) parameters[input.name] = parsed.value;
  }
  return { parameters, problems };
}

/** The simulation fixture's text as JSON, or the problem with it. */
export function parseFixture(text: string): { value?: unknown; problem?: string } {
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? { value: v }
      : { problem: 'simulation fixture: an object by task is expected' };
  } catch (e) {
    return { problem: `simulation fixture: not JSON (${(e as Error).message})` };
  }
}

export const FIXTURE_PLACEHOLDER =
  '{\n  "train": { "seconds": 5, "outputs": { "accuracy": 0.9 } },\n  "flip-coin": { "outputs": { "Output": "heads" } }\n}';

/** A run name nobody has yet, most likely: the pipeline's name and the time, to the second. */
const defaultRunName = (pipeline: string) => {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${pipeline}-${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
};

function CreateRun({ pipeline: p }: { pipeline: Pipeline }) {
  const { client } = useSession();
  const [, navigate] = useLocation();
  const action = useAction<Run>();
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState('');
  const [runName, setRunName] = useState('');
  const [experiment, setExperiment] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [fixture, setFixture] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const experiments = useExperimentChoices();
  const id = useId();
  const chosen = version || 'latest';
  const read = useApi(
    (c) =>
      open
        ? api.get<PipelineVersion>(c, `/pipelines/${named(p.name)}/versions/${named(chosen)}`, { group: p.group })
        : none<PipelineVersion>(),
    [open, p.group, p.name, chosen],
  );
  const v = read.loaded.state === 'done' && read.loaded.answer.ok ? read.loaded.answer.value : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!v) return;
    const { parameters, problems: wrong } = inputValues(v.inputs, values);
    const sim = parseFixture(fixture);
    const all = [...wrong, ...(sim.problem ? [sim.problem] : [])];
    setProblems(all);
    if (all.length > 0) return;
    const body = {
      name: runName.trim() || defaultRunName(p.name),
      pipeline: p.id,
      ...(version ? { version } : {}),
      ...(experiment ? { experiment } : {}),
      parameters,
      ...(sim.value ? { simulation: sim.value } : {}),
    };
    void action.run(
      () => api.post<Run>(client, '/pipeline-runs', body),
      (made) => navigate(runHref(made)),
    );
  };
  return (
    <details className="card pipeline-box" open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Create run</summary>
      <form className="form-grid" onSubmit={submit} aria-label="Create a run">
        <label htmlFor={`${id}-name`}>Run name</label>
        <input
          id={`${id}-name`}
          value={runName}
          onChange={(e) => setRunName(e.target.value)}
          placeholder={`${p.name}-<date>-<time>`}
          maxLength={128}
        />
        <label htmlFor={`${id}-version`}>Version</label>
        <select
          id={`${id}-version`}
          value={version}
          onChange={(e) => {
            setVersion(e.target.value);
            setValues({});
          }}
        >
          <option value="">Latest ({p.versions.at(-1)?.name ?? '–'})</option>
          {[...p.versions].reverse().map((ver) => (
            <option key={ver.id} value={ver.name}>
              {ver.name}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-experiment`}>Pipeline experiment</label>
        <select id={`${id}-experiment`} value={experiment} onChange={(e) => setExperiment(e.target.value)}>
          <option value="">None</option>
          {experiments
            .filter((x) => !x.archived)
            .map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
        </select>
        {v ? (
          <InputFields inputs={v.inputs} values={values} onChange={setValues} />
        ) : (
          <p className="muted">Reading the version's inputs…</p>
        )}
        <details>
          <summary>Simulation fixture (simulated runtime)</summary>
          <label htmlFor={`${id}-fixture`}>Per task: seconds, outcome, failAttempts, failRuns, outputs (JSON)</label>
          <textarea
            id={`${id}-fixture`}
            className="experiment-doc"
            rows={6}
            value={fixture}
            spellCheck={false}
            onChange={(e) => setFixture(e.target.value)}
            placeholder={FIXTURE_PLACEHOLDER}
          />
        </details>
        <button type="submit" disabled={action.busy || action.readOnly || !v}>
          Start run
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
    </details>
  );
}

/** Nothing to read (a closed form). */
const none = <T,>(): Promise<Answer<T>> => Promise.resolve({ ok: false, problem: { status: 0, title: 'not asked' } });

/** Parameters as a definition list (a run's, a recurring run's). */
export function ParameterList({ parameters }: { parameters: Record<string, unknown> }) {
  const entries = Object.entries(parameters);
  if (entries.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="parameter-list">
      {entries.map(([k, v]) => (
        <li key={k}>
          <code>{k}</code> = <code>{showValue(v)}</code>
        </li>
      ))}
    </ul>
  );
}
