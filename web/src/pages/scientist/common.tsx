/**
 * Pieces the Data Scientist pages share: the filters above every list, the asset pickers of the
 * forms, and how an asset read follows time travel.
 */
import { type ReactNode, useId } from 'react';
import { type Answer, answer, type Client } from '../../api/client';
import type { AssetKind, AssetListItem, JobKind } from '../../api/views';
import { assetsPastQuery, useApi } from '../../store/live';

export const ASSET_TITLES: Record<AssetKind, string> = { workspace: 'Workspaces', dataset: 'Datasets', model: 'Models' };
export const ASSET_SINGULAR: Record<AssetKind, string> = { workspace: 'workspace', dataset: 'dataset', model: 'model' };

export const JOB_KIND_TITLES: Record<JobKind, string> = {
  notebook: 'Notebooks',
  training: 'Training',
  preprocessing: 'Preprocessing',
  inference: 'Inferences',
  trial: 'Trials',
  'pipeline-step': 'Pipeline steps',
};

export const assetHref = (a: { kind: AssetKind; group: string; name: string }) =>
  `/${a.kind}s/${encodeURIComponent(a.group)}/${encodeURIComponent(a.name)}`;

/** `group/name` to its parts (an asset id or a job id). */
export function splitId(id: string): { group: string; name: string } {
  const slash = id.indexOf('/');
  return slash < 0 ? { group: '', name: id } : { group: id.slice(0, slash), name: id.slice(slash + 1) };
}

/**
 * The assets have a stream of their own, whose revisions are not the cluster's: while time travel
 * shows a cluster revision, the assets are read as of that revision's time.
 */
export const assetQuery = assetsPastQuery;

/** Every asset of a kind the caller may see (for the pickers), the first 1,000. */
export function useAssetChoices(kind: AssetKind) {
  return useApi(
    (c: Client) =>
      answer<AssetListItem[]>(c.GET(`/api/v1/${kind}s` as '/api/v1/datasets', { params: { query: { limit: 1000 } as never } })),
    [kind],
  );
}

/** A select of the assets of one kind, by name, with a "none" choice. */
export function AssetPicker({
  kind,
  label,
  value,
  onChange,
  required = false,
  versionless = false,
}: {
  kind: AssetKind;
  label: string;
  value: string;
  onChange: (name: string) => void;
  required?: boolean;
  /** Offer assets without versions too (what a job makes, rather than what it reads). */
  versionless?: boolean;
}) {
  const id = useId();
  const choices = useAssetChoices(kind);
  const items: AssetListItem[] =
    choices.loaded.state === 'done' && choices.loaded.answer.ok ? choices.loaded.answer.value : ([] as AssetListItem[]);
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} required={required} onChange={(e) => onChange(e.target.value)}>
        <option value="">{required ? `Choose a ${ASSET_SINGULAR[kind]}` : 'None'}</option>
        {items.map((a) => (
          <option key={a.id} value={a.name} disabled={a.versionCount === 0 && !versionless}>
            {a.name}
            {a.versionCount === 0 ? ' (no versions yet)' : ` (v${a.versionCount})`}
          </option>
        ))}
      </select>
    </>
  );
}

/** Tags typed as "a, b, c": each trimmed, none empty. */
export const parseTags = (text: string): string[] =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/**
 * Node labels as people type them, `zone=a, disk=ssd`: the labels, or the first entry that is not
 * `key=value` (what the form names as wrong). Empty text: no labels.
 */
export function parseNodeLabels(text: string): { labels: Record<string, string> } | { bad: string } {
  const entries: [string, string][] = [];
  for (const entry of text.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const key = eq < 0 ? '' : entry.slice(0, eq).trim();
    if (key === '') return { bad: entry };
    entries.push([key, entry.slice(eq + 1).trim()]);
  }
  // fromEntries defines each key: a label named __proto__ stays a label.
  return { labels: Object.fromEntries(entries) };
}

/**
 * A text field whose value may be wrong: its problem shown after it and tied to it for screen
 * readers. In a grid form its label is a cell of its own; `inline`, the label holds the input.
 */
export function CheckedInput(props: {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  problem: ReactNode | null;
  inline?: boolean;
}) {
  const { id, label, problem } = props;
  const input = (
    <input
      id={id}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      placeholder={props.placeholder}
      aria-invalid={problem ? true : undefined}
      aria-describedby={problem ? `${id}-problem` : undefined}
    />
  );
  return (
    <>
      {props.inline ? (
        <label htmlFor={id}>
          {label} {input}
        </label>
      ) : (
        <>
          <label htmlFor={id}>{label}</label>
          {input}
        </>
      )}
      {problem && (
        <p id={`${id}-problem`} className="problem">
          {problem}
        </p>
      )}
    </>
  );
}

/** Why a node rule (parseAffinity) cannot be read, with the forms it may take. */
export const notARule = (bad: string): string =>
  `“${bad}” is not a node rule: write key in (a, b), key notin (a), key=a, key!=a, key, !key, key > 4 or key < 4.`;

/** Read every page of a list (the API answers at most 1,000 a request). */
export async function allPages<T>(read: (offset: number) => Promise<Answer<T[]>>, onPage?: (items: T[], total: number) => void) {
  const items: T[] = [];
  for (;;) {
    const a = await read(items.length);
    if (!a.ok) return a;
    items.push(...a.value);
    onPage?.(items, a.total ?? items.length);
    if (a.value.length === 0 || a.total === null || items.length >= a.total) return { ...a, value: items };
  }
}
