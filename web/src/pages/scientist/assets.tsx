/** Workspaces, datasets and models: a list per kind, mine / shared / all, by tag and name. */
import { useState } from 'react';
import { answer } from '../../api/client';
import type { Visibility } from '../../api/views';
import { useApi } from '../../store/live';
import { PageHeader, Show, VisibilitySelect } from '../../ui/components';

export type AssetKind = 'workspace' | 'dataset' | 'model';

export interface AssetItem {
  id: string;
  name: string;
  kind: AssetKind;
  owner: string;
  group: string;
  description: string;
  tags: string[];
  private: boolean;
  versions: number;
  archived: boolean;
}

const TITLES: Record<AssetKind, string> = { workspace: 'Workspaces', dataset: 'Datasets', model: 'Models' };

export function AssetsPage({ kind }: { kind: AssetKind }) {
  const [visibility, setVisibility] = useState<Visibility>('all');
  const [tag, setTag] = useState('');
  const [search, setSearch] = useState('');
  const list = useApi(
    (c, past) =>
      answer<AssetItem[]>(
        c.GET(`/api/v1/${kind}s` as '/api/v1/datasets', {
          params: { query: { visibility, limit: 1000, ...(tag.trim() ? { tag: tag.trim() } : {}), ...past } as never },
        }),
      ),
    [kind, visibility, tag],
  );
  return (
    <>
      <PageHeader title={TITLES[kind]}>
        <VisibilitySelect value={visibility} onChange={setVisibility} />
      </PageHeader>
      <div className="filters">
        <label>
          Tag <input value={tag} onChange={(e) => setTag(e.target.value)} maxLength={256} />
        </label>
        <label>
          Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name" />
        </label>
      </div>
      <Show loaded={list.loaded}>
        {(items) => {
          const needle = search.trim().toLowerCase();
          const shown = needle ? items.filter((a) => a.name.toLowerCase().includes(needle)) : items;
          if (shown.length === 0) return <p className="muted">Nothing here yet.</p>;
          return (
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Versions</th>
                  <th scope="col">Tags</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">
                      {a.name}
                      {a.private ? ' (private)' : ''}
                    </th>
                    <td>{a.owner}</td>
                    <td>{a.versions}</td>
                    <td>{a.tags.join(', ')}</td>
                    <td>{a.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Show>
    </>
  );
}
