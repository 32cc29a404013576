/** Users: their role and group. */
import { answer } from '../../api/client';
import type { User } from '../../api/views';
import { useApi } from '../../store/live';
import { PageHeader, Show } from '../../ui/components';

export function UsersPage() {
  const users = useApi((c, past) => answer<User[]>(c.GET('/api/v1/users', { params: { query: past } })), []);
  return (
    <>
      <PageHeader title="Users" />
      <Show loaded={users.loaded}>
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Group</th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.id}>
                  <th scope="row">{u.id}</th>
                  <td>{u.name}</td>
                  <td>{u.role === 'operator' ? 'operator' : 'data scientist'}</td>
                  <td>{u.group}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </>
  );
}
