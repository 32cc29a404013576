/** Groups: their pool and members; create a group and assign its pool. */
import { useState } from 'react';
import { answer } from '../../api/client';
import type { Group, Pool } from '../../api/views';
import { useSession } from '../../store/session';
import { PageHeader, Show } from '../../ui/components';
import { ActionCard, Field, listOf, TableScroll, useGroups, usePools, useUsers } from './shared';

export function GroupsPage() {
  const groups = useGroups();
  const users = useUsers();
  const pools = usePools();
  const userList = listOf(users.loaded);
  const poolList = listOf(pools.loaded);
  const poolName = (id: string | null) => (id === null ? '–' : (poolList.find((p) => p.id === id)?.name ?? id));
  const reload = () => {
    groups.reload();
    pools.reload();
  };
  return (
    <>
      <PageHeader title="Groups" />
      <Show loaded={groups.loaded}>
        {(list) => (
          <TableScroll label="Groups table">
            <table>
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col">Pool</th>
                  <th scope="col">Members</th>
                </tr>
              </thead>
              <tbody>
                {list.map((g) => {
                  const members = userList.filter((u) => u.group === g.id);
                  return (
                    <tr key={g.id}>
                      <th scope="row">
                        {g.name}
                        {g.name !== g.id && <span className="muted"> ({g.id})</span>}
                      </th>
                      <td>{poolName(g.pool)}</td>
                      <td>
                        {users.loaded.state === 'loading'
                          ? '…'
                          : members.length === 0
                            ? '–'
                            : members.map((u) => u.name).join(', ')}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Show>
      <div className="op-cards">
        <CreateGroup pools={poolList} onDone={reload} />
        <AssignPool groups={listOf(groups.loaded)} pools={poolList} onDone={reload} />
      </div>
    </>
  );
}

/** The pools a group may be given, or none (each says which group it serves now). */
function PoolChoice({ id, pools, value, onChange }: { id: string; pools: Pool[]; value: string; onChange: (v: string) => void }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">No pool</option>
      {pools.map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
          {p.group ? ` (serves ${p.group})` : ''}
        </option>
      ))}
    </select>
  );
}

function CreateGroup({ pools, onDone }: { pools: Pool[]; onDone: () => void }) {
  const { client } = useSession();
  const [groupId, setGroupId] = useState('');
  const [name, setName] = useState('');
  const [poolId, setPoolId] = useState('');
  return (
    <ActionCard
      title="Create a group"
      submitLabel="Create group"
      act={async () => {
        const id = groupId.trim();
        const created = await answer<Group>(client.POST('/api/v1/groups', { body: { groupId: id, name: name.trim() || id } }));
        if (!created.ok || poolId === '') return created;
        // The group exists now; its pool is a second request, whose refusal is shown as any other.
        return answer<Group>(
          client.PUT('/api/v1/groups/{groupId}/pool', { params: { path: { groupId: id } }, body: { poolId } }),
        );
      }}
      onDone={() => {
        setGroupId('');
        setName('');
        setPoolId('');
        onDone();
      }}
    >
      <Field label="Group id" id="group-id">
        <input id="group-id" required value={groupId} onChange={(e) => setGroupId(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Display name" id="group-name" hint="Optional; the id when empty">
        <input
          id="group-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-describedby="group-name-hint"
          autoComplete="off"
        />
      </Field>
      <Field label="Its pool" id="group-pool">
        <PoolChoice id="group-pool" pools={pools} value={poolId} onChange={setPoolId} />
      </Field>
    </ActionCard>
  );
}

function AssignPool({ groups, pools, onDone }: { groups: Group[]; pools: Pool[]; onDone: () => void }) {
  const { client } = useSession();
  const [groupId, setGroupId] = useState('');
  const [poolId, setPoolId] = useState('');
  return (
    <ActionCard
      title="Assign a group’s pool"
      submitLabel="Assign pool"
      act={() =>
        answer<Group>(
          client.PUT('/api/v1/groups/{groupId}/pool', {
            params: { path: { groupId } },
            body: { poolId: poolId === '' ? null : poolId },
          }),
        )
      }
      onDone={onDone}
    >
      <Field label="Group" id="assign-group">
        <select
          id="assign-group"
          required
          value={groupId}
          onChange={(e) => {
            setGroupId(e.target.value);
            setPoolId(groups.find((g) => g.id === e.target.value)?.pool ?? '');
          }}
        >
          <option value="" disabled>
            Choose a group
          </option>
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Pool" id="assign-pool">
        <PoolChoice id="assign-pool" pools={pools} value={poolId} onChange={setPoolId} />
      </Field>
    </ActionCard>
  );
}
