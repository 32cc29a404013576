/** Groups: their pool and members. */
import { answer } from '../../api/client';
import type { Group, User } from '../../api/views';
import { useApi } from '../../store/live';
import { PageHeader, Show } from '../../ui/components';

export function GroupsPage() {
  const groups = useApi((c, past) => answer<Group[]>(c.GET('/api/v1/groups', { params: { query: past } })), []);
  const users = useApi((c, past) => answer<User[]>(c.GET('/api/v1/users', { params: { query: past } })), []);
  return (
    <>
      <PageHeader title="Groups" />
      <Show loaded={groups.loaded}>
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Pool</th>
                <th scope="col">Members</th>
              </tr>
            </thead>
            <tbody>
              {list.map((g) => (
                <tr key={g.id}>
                  <th scope="row">{g.name}</th>
                  <td>{g.pool ?? '–'}</td>
                  <td>
                    {users.loaded.state === 'done' && users.loaded.answer.ok
                      ? users.loaded.answer.value
                          .filter((u) => u.group === g.id)
                          .map((u) => u.name)
                          .join(', ')
                      : '…'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </>
  );
}
