/**
 * Workspaces, datasets and models: a list per kind (mine / shared / all, by tag, by name), a form
 * to register one with its source, and each one's page: its versions, the lineage of each as a
 * small graph (code and data, the job that made it, what runs on it), a form to record a version,
 * and archiving for its owner.
 */
import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { answer } from '../../api/client';
import type { Asset, AssetKind, AssetListItem, AssetVersion, Job, Source, Visibility } from '../../api/views';
import { useApi } from '../../store/live';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, ProblemMessage, Show, VisibilitySelect } from '../../ui/components';
import { formatTime } from '../../ui/format';
import { ASSET_SINGULAR, ASSET_TITLES, assetHref, assetQuery, parseTags, splitId } from './common';
import { jobHref } from './job';
import { type LineageColumn, LineageGraph, type LineageNode } from './lineage';
import './scientist.css';

export type { AssetKind };

export function AssetsPage({ kind }: { kind: AssetKind }) {
  const [visibility, setVisibility] = useState<Visibility>('all');
  const [tag, setTag] = useState('');
  const [search, setSearch] = useState('');
  const [archived, setArchived] = useState(false);
  const list = useApi(
    (c, p) =>
      answer<AssetListItem[]>(
        c.GET(`/api/v1/${kind}s` as '/api/v1/datasets', {
          params: {
            query: {
              visibility,
              limit: 1000,
              ...(tag.trim() ? { tag: tag.trim() } : {}),
              ...(archived ? { archived: true } : {}),
              ...assetQuery(p),
            } as never,
          },
        }),
      ),
    [kind, visibility, tag, archived],
  );
  return (
    <>
      <PageHeader title={ASSET_TITLES[kind]}>
        <Link href={`/${kind}s/new`} className="button">
          New {ASSET_SINGULAR[kind]}
        </Link>
        <VisibilitySelect value={visibility} onChange={setVisibility} />
      </PageHeader>
      <div className="filters">
        <label>
          Tag <input value={tag} onChange={(e) => setTag(e.target.value)} maxLength={256} />
        </label>
        <label>
          Search{' '}
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name or description" />
        </label>
        <label className="check">
          <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} /> Archived ones
        </label>
      </div>
      <Show loaded={list.loaded}>
        {(items, total) => {
          const needle = search.trim().toLowerCase();
          const shown = needle
            ? items.filter((a) => a.name.toLowerCase().includes(needle) || a.description.toLowerCase().includes(needle))
            : items;
          if (shown.length === 0) return <p className="muted">Nothing here yet.</p>;
          return (
            <>
              <p className="muted">
                {shown.length} of {total ?? items.length}
              </p>
              <div className="table-scroll">
                <table className="asset-table">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Owner</th>
                      <th scope="col">Versions</th>
                      <th scope="col">Source</th>
                      <th scope="col">Tags</th>
                      <th scope="col">Description</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((a) => (
                      <tr key={a.id}>
                        <th scope="row">
                          <Link href={assetHref(a)}>{a.name}</Link>
                          {a.private ? <span className="muted"> (private)</span> : ''}
                        </th>
                        <td>{a.owner}</td>
                        <td>{a.versionCount}</td>
                        <td>{a.source ? a.source.kind : '–'}</td>
                        <td>
                          {a.tags.map((t) => (
                            <span key={t} className="tag">
                              {t}
                            </span>
                          ))}
                        </td>
                        <td>{a.description}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </Show>
    </>
  );
}

const describeSource = (s: Source | null): string => {
  if (!s) return '–';
  switch (s.kind) {
    case 'git':
      return `git ${s.url}${s.ref ? ` @ ${s.ref}` : ''}${s.path ? ` (${s.path})` : ''}`;
    case 'object':
      return `object ${s.uri}`;
    case 'http':
      return `http ${s.url}`;
    case 'volume':
      return `volume ${s.path}`;
  }
};

/** Register a workspace, dataset or model with its source. */
export function NewAssetPage({ kind }: { kind: AssetKind }) {
  const { client } = useSession();
  const action = useAction<Asset>();
  const [, navigate] = useLocation();
  const [f, setF] = useState({
    name: '',
    description: '',
    tags: '',
    private: false,
    sourceKind: (kind === 'model' ? '' : kind === 'workspace' ? 'git' : 'object') as Source['kind'] | '',
    url: '',
    ref: '',
    path: '',
    uri: '',
    credentials: '',
  });
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF({ ...f, [k]: v });
  const source = (): Source | null => {
    switch (f.sourceKind) {
      case 'git':
        return {
          kind: 'git',
          url: f.url.trim(),
          ...(f.ref.trim() ? { ref: f.ref.trim() } : {}),
          ...(f.path.trim() ? { path: f.path.trim() } : {}),
        };
      case 'object':
        return { kind: 'object', uri: f.uri.trim() };
      case 'http':
        return { kind: 'http', url: f.url.trim() };
      case 'volume':
        return { kind: 'volume', path: f.path.trim() };
      default:
        return null;
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = { name: f.name.trim() };
    if (f.description.trim()) body.description = f.description.trim();
    const tags = parseTags(f.tags);
    if (tags.length > 0) body.tags = tags;
    if (f.private) body.private = true;
    const s = source();
    if (s) body.source = s;
    if (f.credentials.trim()) body.credentials = f.credentials.trim();
    await action.run(
      () => answer<Asset>(client.POST(`/api/v1/${kind}s` as '/api/v1/datasets', { body: body as never })),
      (a) => navigate(assetHref(a)),
    );
  };
  const id = (field: string) => `asset-${field}`;
  return (
    <>
      <PageHeader title={`New ${ASSET_SINGULAR[kind]}`} />
      <form className="card form-grid" onSubmit={submit} aria-label={`Register a ${ASSET_SINGULAR[kind]}`}>
        <label htmlFor={id('name')}>Name</label>
        <input id={id('name')} required value={f.name} onChange={(e) => set('name', e.target.value)} />
        <label htmlFor={id('description')}>Description</label>
        <textarea id={id('description')} rows={2} value={f.description} onChange={(e) => set('description', e.target.value)} />
        <label htmlFor={id('tags')}>Tags (comma-separated)</label>
        <input id={id('tags')} value={f.tags} onChange={(e) => set('tags', e.target.value)} />
        <fieldset className="inputs">
          <legend>Source{kind === 'model' ? ' (optional: a model may be imported by its versions’ URIs)' : ''}</legend>
          <label htmlFor={id('source')}>Kind of source</label>
          <select id={id('source')} value={f.sourceKind} onChange={(e) => set('sourceKind', e.target.value as Source['kind'])}>
            {kind === 'model' && <option value="">None</option>}
            <option value="git">git repository</option>
            <option value="object">object store (s3://, gs://)</option>
            <option value="http">http(s) URL</option>
            <option value="volume">volume path</option>
          </select>
          {(f.sourceKind === 'git' || f.sourceKind === 'http') && (
            <>
              <label htmlFor={id('url')}>URL</label>
              <input id={id('url')} required value={f.url} onChange={(e) => set('url', e.target.value)} placeholder="https://…" />
            </>
          )}
          {f.sourceKind === 'git' && (
            <>
              <label htmlFor={id('ref')}>Branch, tag or commit</label>
              <input id={id('ref')} value={f.ref} onChange={(e) => set('ref', e.target.value)} placeholder="main" />
            </>
          )}
          {(f.sourceKind === 'git' || f.sourceKind === 'volume') && (
            <>
              <label htmlFor={id('path')}>{f.sourceKind === 'git' ? 'Folder in the repository' : 'Absolute path'}</label>
              <input
                id={id('path')}
                required={f.sourceKind === 'volume'}
                value={f.path}
                onChange={(e) => set('path', e.target.value)}
                placeholder={f.sourceKind === 'git' ? 'src' : '/mnt/data'}
              />
            </>
          )}
          {f.sourceKind === 'object' && (
            <>
              <label htmlFor={id('uri')}>URI</label>
              <input
                id={id('uri')}
                required
                value={f.uri}
                onChange={(e) => set('uri', e.target.value)}
                placeholder="s3://bucket/prefix"
              />
            </>
          )}
          {f.sourceKind && (
            <>
              <label htmlFor={id('credentials')}>Credentials (the name of a secret, never the secret)</label>
              <input id={id('credentials')} value={f.credentials} onChange={(e) => set('credentials', e.target.value)} />
            </>
          )}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={f.private} onChange={(e) => set('private', e.target.checked)} /> Private (not shared
          with my group)
        </label>
        <ProblemMessage problem={action.problem} />
        <button type="submit" disabled={action.busy || action.readOnly}>
          Register
        </button>
      </form>
    </>
  );
}

export function AssetPage({ kind, group, name, version }: { kind: AssetKind; group: string; name: string; version?: number }) {
  const asset = useApi(
    (c, p) =>
      answer<Asset>(
        c.GET(`/api/v1/${kind}s/{name}` as '/api/v1/models/{name}', {
          params: { path: { name }, query: { group, ...assetQuery(p) } as never },
        }),
      ),
    [kind, group, name],
  );
  return (
    <Show loaded={asset.loaded}>
      {(a) => {
        const chosen = a.versions.find((v) => v.version === version) ?? a.versions.at(-1) ?? null;
        return (
          <>
            <PageHeader title={a.name}>
              <span className="badge badge-neutral">{ASSET_SINGULAR[kind]}</span>
              {a.archived && <span className="badge badge-waiting">archived</span>}
            </PageHeader>
            <AssetActions asset={a} onDone={asset.reload} />
            <dl className="facts">
              <dt>Owner</dt>
              <dd>
                {a.owner} ({a.private ? 'private' : 'shared with the group'})
              </dd>
              <dt>Source</dt>
              <dd className="wrap">{describeSource(a.source)}</dd>
              {a.credentials && (
                <>
                  <dt>Credentials</dt>
                  <dd>{a.credentials}</dd>
                </>
              )}
              <dt>Created</dt>
              <dd>{formatTime(a.createdAt)}</dd>
              {a.description && (
                <>
                  <dt>Description</dt>
                  <dd>{a.description}</dd>
                </>
              )}
              {a.tags.length > 0 && (
                <>
                  <dt>Tags</dt>
                  <dd>
                    {a.tags.map((t) => (
                      <span key={t} className="tag">
                        {t}
                      </span>
                    ))}
                  </dd>
                </>
              )}
              <dt>Used by</dt>
              <dd>{a.uses === 1 ? '1 job or version' : `${a.uses} jobs or versions`}</dd>
            </dl>
            <h2>Versions</h2>
            {a.versions.length === 0 ? (
              <p className="muted">No versions yet.</p>
            ) : (
              <VersionsTable asset={a} chosen={chosen?.version ?? null} />
            )}
            {chosen && (
              <>
                <h2>Lineage of version {chosen.version}</h2>
                <VersionLineage asset={a} version={chosen} />
              </>
            )}
            {!a.archived && <RecordVersion asset={a} onDone={asset.reload} />}
          </>
        );
      }}
    </Show>
  );
}

const pinWords = (pin: AssetVersion['pin']): string =>
  Object.entries(pin)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '–';

function VersionsTable({ asset, chosen }: { asset: Asset; chosen: number | null }) {
  return (
    <div className="table-scroll">
      <table className="version-table">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Recorded</th>
            <th scope="col">By</th>
            <th scope="col">Pin</th>
            <th scope="col">URI</th>
            <th scope="col">Metrics</th>
          </tr>
        </thead>
        <tbody>
          {[...asset.versions].reverse().map((v) => (
            <tr key={v.version} aria-current={v.version === chosen ? 'true' : undefined}>
              <th scope="row">
                <Link href={`${assetHref(asset)}/${v.version}`}>v{v.version}</Link>
              </th>
              <td>{formatTime(v.at)}</td>
              <td>{v.by}</td>
              <td className="wrap">{pinWords(v.pin)}</td>
              <td className="wrap">{v.uri ?? '–'}</td>
              <td>
                {Object.entries(v.metrics)
                  .map(([k, n]) => `${k} ${n}`)
                  .join(', ') || '–'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What a version was made from, the job that made it, the version, and the jobs that run on it. */
function VersionLineage({ asset, version }: { asset: Asset; version: AssetVersion }) {
  // What runs on a model version: the inferences (and trainings starting from it) pinned to it.
  const users = useApi(
    (c, past) =>
      answer<Job[]>(
        c.GET('/api/v1/jobs', {
          params: { query: { ...(asset.kind === 'model' ? { kind: 'inference' } : {}), limit: 1000, ...past } as never },
        }),
      ),
    [asset.id, asset.kind],
  );
  const l = version.lineage;
  const ref = (kind: AssetKind, r: { assetId: string; version: number }, detail?: string): LineageNode => {
    const { group, name } = splitId(r.assetId);
    return {
      key: `${kind}:${r.assetId}:${r.version}`,
      kind,
      label: `${name} v${r.version}`,
      href: `${assetHref({ kind, group, name })}/${r.version}`,
      ...(detail ? { detail } : {}),
    };
  };
  const from: LineageNode[] = [];
  if (l?.workspace)
    from.push(ref('workspace', l.workspace, l.hyperparametersFile ? `hyperparameters: ${l.hyperparametersFile}` : undefined));
  for (const d of l?.datasets ?? []) from.push(ref('dataset', d));
  if (l?.model) from.push(ref('model', l.model, 'starting point'));
  const madeBy: LineageNode[] = l?.job
    ? [
        {
          key: 'job',
          kind: 'job',
          label: splitId(l.job).name,
          href: jobHref(splitId(l.job)),
          ...(l.image ? { detail: l.image } : {}),
        },
      ]
    : [];
  const jobs = users.loaded.state === 'done' && users.loaded.answer.ok ? users.loaded.answer.value : [];
  const usedBy: LineageNode[] = jobs
    .filter((j) => {
      const inputs = (j.inputs ?? {}) as {
        workspace?: { assetId: string; version: number };
        model?: { assetId: string; version: number };
        datasets?: { assetId: string; version: number }[];
      };
      const pinned = [inputs.workspace, inputs.model, ...(inputs.datasets ?? [])];
      return pinned.some((p) => p && p.assetId === asset.id && p.version === version.version);
    })
    .map((j) => ({ key: j.id, kind: j.kind, label: j.name, href: jobHref(j), detail: j.status }));
  const columns: LineageColumn[] = [
    { title: 'Code and data', nodes: from },
    { title: 'Made by', nodes: madeBy },
    {
      title: ASSET_SINGULAR[asset.kind],
      nodes: [
        {
          key: 'this',
          kind: asset.kind,
          label: `${asset.name} v${version.version}`,
          current: true,
          ...(version.uri ? { detail: version.uri } : {}),
        },
      ],
    },
    { title: asset.kind === 'model' ? 'Inferences' : 'Jobs on it', nodes: usedBy },
  ];
  return <LineageGraph columns={columns} label={`Lineage of ${asset.name} version ${version.version}`} />;
}

function AssetActions({ asset, onDone }: { asset: Asset; onDone: () => void }) {
  const { client, me } = useSession();
  const action = useAction<unknown>();
  const [, navigate] = useLocation();
  const mine = asset.owner === me.id || me.role === 'operator';
  const params = { path: { name: asset.name }, query: { group: asset.group } as never };
  return (
    <div className="actions">
      {asset.kind !== 'model' && asset.versions.length > 0 && (
        <Link href="/jobs/new/training" className="button secondary">
          Train on it
        </Link>
      )}
      {asset.kind === 'model' && (
        <Link href="/jobs/new/inference" className="button secondary">
          Serve it (new inference)
        </Link>
      )}
      {mine && !asset.archived && (
        <button
          type="button"
          className="secondary"
          disabled={action.busy || action.readOnly}
          onClick={() =>
            action.run(
              () => answer(client.POST(`/api/v1/${asset.kind}s/{name}/archive` as '/api/v1/models/{name}/archive', { params })),
              onDone,
            )
          }
        >
          Archive
        </button>
      )}
      {mine && asset.uses === 0 && (
        <button
          type="button"
          className="danger"
          disabled={action.busy || action.readOnly}
          onClick={() =>
            action.run(
              () => answer(client.DELETE(`/api/v1/${asset.kind}s/{name}` as '/api/v1/models/{name}', { params })),
              () => navigate(`/${asset.kind}s`),
            )
          }
        >
          Delete
        </button>
      )}
      <ProblemMessage problem={action.problem} />
    </div>
  );
}

const PIN_KINDS = [
  ['commit', 'git commit'],
  ['objectVersion', 'object version'],
  ['etag', 'ETag'],
  ['contentHash', 'content hash'],
] as const;

function RecordVersion({ asset, onDone }: { asset: Asset; onDone: () => void }) {
  const { client } = useSession();
  const action = useAction<AssetVersion>();
  const [f, setF] = useState({
    pinKind: (asset.source?.kind === 'git' ? 'commit' : 'contentHash') as (typeof PIN_KINDS)[number][0],
    pin: '',
    uri: '',
    metrics: '',
  });
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF({ ...f, [k]: v });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    if (f.pin.trim()) body.pin = { [f.pinKind]: f.pin.trim() };
    if (f.uri.trim()) body.uri = f.uri.trim();
    const metrics: Record<string, number> = {};
    for (const pair of parseTags(f.metrics)) {
      const [k, v] = pair.split('=').map((s) => s.trim());
      if (k && v !== undefined && v !== '') metrics[k] = Number(v);
    }
    if (Object.keys(metrics).length > 0) body.metrics = metrics;
    const ok = await action.run(() =>
      answer<AssetVersion>(
        client.POST(`/api/v1/${asset.kind}s/{name}/versions` as '/api/v1/models/{name}/versions', {
          params: { path: { name: asset.name }, query: { group: asset.group } as never },
          body: body as never,
        }),
      ),
    );
    if (ok) {
      setF({ ...f, pin: '', uri: '', metrics: '' });
      onDone();
    }
  };
  const id = (field: string) => `version-${field}`;
  return (
    <form className="card form-grid" onSubmit={submit} aria-label="Record a version">
      <h2>Record a version</h2>
      <p className="muted">
        {asset.kind === 'model'
          ? 'A model version needs the URI of its artifacts.'
          : 'Pin what was used (a commit, an object version, an ETag or a content hash), or give a URI.'}
      </p>
      <label htmlFor={id('pin-kind')}>Pinned by</label>
      <select id={id('pin-kind')} value={f.pinKind} onChange={(e) => set('pinKind', e.target.value as typeof f.pinKind)}>
        {PIN_KINDS.map(([k, label]) => (
          <option key={k} value={k}>
            {label}
          </option>
        ))}
      </select>
      <label htmlFor={id('pin')}>Pin</label>
      <input id={id('pin')} value={f.pin} onChange={(e) => set('pin', e.target.value)} placeholder="3f2a9c1" />
      <label htmlFor={id('uri')}>URI</label>
      <input
        id={id('uri')}
        value={f.uri}
        required={asset.kind === 'model'}
        onChange={(e) => set('uri', e.target.value)}
        placeholder="s3://bucket/…"
      />
      <label htmlFor={id('metrics')}>Metrics (name=value, comma-separated)</label>
      <input id={id('metrics')} value={f.metrics} onChange={(e) => set('metrics', e.target.value)} placeholder="accuracy=0.97" />
      <ProblemMessage problem={action.problem} />
      <button type="submit" disabled={action.busy || action.readOnly}>
        Record version
      </button>
    </form>
  );
}
