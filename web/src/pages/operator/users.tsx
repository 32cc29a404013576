/**
 * Users: their role and group; onboard, move and remove them; issue and revoke their tokens. A new
 * token is shown once (the server keeps only its hash), with a button to copy it.
 */
import { useEffect, useRef, useState } from 'react';
import { answer } from '../../api/client';
import type { Group, IssuedToken, TokenInfo, User } from '../../api/views';
import { useApi, useLive } from '../../store/live';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, ProblemMessage, Show } from '../../ui/components';
import { formatTime } from '../../ui/format';
import { ActionCard, Field, listOf, TableScroll, useGroups, useUsers } from './shared';

const roleWords = (role: User['role']) => (role === 'operator' ? 'operator' : 'data scientist');

export function UsersPage() {
  const users = useUsers();
  const groups = useGroups();
  const userList = listOf(users.loaded);
  const groupList = listOf(groups.loaded);
  const groupName = (id: string) => groupList.find((g) => g.id === id)?.name ?? id;
  const [removing, setRemoving] = useState<User | null>(null);
  return (
    <>
      <PageHeader title="Users" />
      <Show loaded={users.loaded}>
        {(list) => (
          <TableScroll label="Users table">
            <table>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Group</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((u) => (
                  <UserRow key={u.id} user={u} groupName={groupName(u.group)} onRemove={setRemoving} />
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Show>
      {removing && (
        <RemoveUser
          key={removing.id}
          user={removing}
          onClose={(removed) => {
            setRemoving(null);
            if (removed) users.reload();
          }}
        />
      )}
      <div className="op-cards">
        <OnboardUser groups={groupList} onDone={users.reload} />
        <MoveUser users={userList} groups={groupList} onDone={users.reload} />
        <Tokens users={userList} />
      </div>
    </>
  );
}

/** A user's row; removing asks once more, under the table. */
function UserRow({ user, groupName, onRemove }: { user: User; groupName: string; onRemove: (u: User) => void }) {
  const { me } = useSession();
  const { past } = useLive();
  return (
    <tr>
      <th scope="row">{user.id}</th>
      <td>{user.name}</td>
      <td>{roleWords(user.role)}</td>
      <td>{groupName}</td>
      <td>
        {user.id === me.id ? (
          <span className="muted">you</span>
        ) : (
          <button
            type="button"
            className="secondary"
            aria-label={`Remove ${user.id}`}
            onClick={() => onRemove(user)}
            disabled={past !== null}
          >
            Remove
          </button>
        )}
      </td>
    </tr>
  );
}

/** Removing a user, said in full before it is done: their tokens stop working for good. */
function RemoveUser({ user, onClose }: { user: User; onClose: (removed: boolean) => void }) {
  const { client } = useSession();
  const action = useAction<unknown>();
  const [stopJobs, setStopJobs] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  // The question takes the focus, so a keyboard user lands where the answer is given.
  useEffect(() => heading.current?.focus(), []);
  const remove = () =>
    action.run(
      () =>
        answer(
          client.DELETE('/api/v1/users/{userId}', {
            params: { path: { userId: user.id }, query: stopJobs ? { stopJobs: 'true' } : {} },
          }),
        ),
      () => onClose(true),
    );
  return (
    <section className="card confirm" aria-labelledby="remove-user-h">
      <h2 id="remove-user-h" ref={heading} tabIndex={-1}>
        Remove {user.name} ({user.id})?
      </h2>
      <p>Their tokens stop working for good; onboarding the id again makes a new user with new tokens.</p>
      <label className="check">
        <input type="checkbox" checked={stopJobs} onChange={(e) => setStopJobs(e.target.checked)} /> Stop their unfinished jobs
        too
      </label>
      <ProblemMessage problem={action.problem} />
      <div className="confirm-buttons">
        <button type="button" className="danger" onClick={remove} disabled={action.busy || action.readOnly}>
          Yes, remove {user.id}
        </button>
        <button type="button" className="secondary" onClick={() => onClose(false)}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function GroupSelect({
  id,
  groups,
  value,
  onChange,
}: {
  id: string;
  groups: Group[];
  value: string;
  onChange: (v: string) => void;
}) {
  return (
    <select id={id} required value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="" disabled>
        Choose a group
      </option>
      {groups.map((g) => (
        <option key={g.id} value={g.id}>
          {g.name}
        </option>
      ))}
    </select>
  );
}

function OnboardUser({ groups, onDone }: { groups: Group[]; onDone: () => void }) {
  const { client } = useSession();
  const [userId, setUserId] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<User['role']>('data-scientist');
  const [groupId, setGroupId] = useState('');
  return (
    <ActionCard
      title="Onboard a user"
      submitLabel="Onboard"
      act={() =>
        answer<User>(
          client.POST('/api/v1/users', {
            body: { userId: userId.trim(), name: name.trim() || userId.trim(), role, ...(groupId ? { groupId } : {}) },
          }),
        )
      }
      onDone={() => {
        setUserId('');
        setName('');
        onDone();
      }}
    >
      <Field label="User id" id="user-id">
        <input id="user-id" required value={userId} onChange={(e) => setUserId(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Full name" id="user-name">
        <input id="user-name" required value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Role" id="user-role">
        <select id="user-role" value={role} onChange={(e) => setRole(e.target.value as User['role'])}>
          <option value="data-scientist">Data scientist</option>
          <option value="operator">Operator</option>
        </select>
      </Field>
      <Field label="Group" id="user-group">
        <GroupSelect id="user-group" groups={groups} value={groupId} onChange={setGroupId} />
      </Field>
    </ActionCard>
  );
}

function MoveUser({ users, groups, onDone }: { users: User[]; groups: Group[]; onDone: () => void }) {
  const { client } = useSession();
  const [userId, setUserId] = useState('');
  const [groupId, setGroupId] = useState('');
  return (
    <ActionCard
      title="Move a user to another group"
      submitLabel="Move user"
      act={() => answer<User>(client.PUT('/api/v1/users/{userId}/group', { params: { path: { userId } }, body: { groupId } }))}
      onDone={onDone}
    >
      <Field label="User" id="move-user">
        <select id="move-user" required value={userId} onChange={(e) => setUserId(e.target.value)}>
          <option value="" disabled>
            Choose a user
          </option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name} ({u.id})
            </option>
          ))}
        </select>
      </Field>
      <Field label="New group" id="move-group">
        <GroupSelect id="move-group" groups={groups} value={groupId} onChange={setGroupId} />
      </Field>
    </ActionCard>
  );
}

/** A user's tokens: the live ones (revoke), and a new one, shown once with a copy button. */
function Tokens({ users }: { users: User[] }) {
  const { client } = useSession();
  const [userId, setUserId] = useState('');
  const [label, setLabel] = useState('');
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const tokens = useApi(
    (c, _past) =>
      userId === ''
        ? Promise.resolve({ ok: true as const, value: [] as TokenInfo[], total: null })
        : answer<TokenInfo[]>(c.GET('/api/v1/users/{userId}/tokens', { params: { path: { userId } } })),
    [userId],
  );
  return (
    <ActionCard
      title="Tokens"
      submitLabel="Issue a token"
      act={() =>
        answer<IssuedToken>(
          client.POST('/api/v1/users/{userId}/tokens', {
            params: { path: { userId } },
            body: label.trim() ? { label: label.trim() } : {},
          }),
        )
      }
      onDone={(t) => {
        setIssued(t);
        setLabel('');
        tokens.reload();
      }}
      note={issued && issued.userId === userId && <NewToken issued={issued} />}
    >
      <Field label="User" id="token-user">
        <select
          id="token-user"
          required
          value={userId}
          onChange={(e) => {
            setUserId(e.target.value);
            setIssued(null);
          }}
        >
          <option value="" disabled>
            Choose a user
          </option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name} ({u.id})
            </option>
          ))}
        </select>
      </Field>
      {userId !== '' && (
        <Show loaded={tokens.loaded}>
          {(list) =>
            list.length === 0 ? (
              <p className="muted">No live tokens.</p>
            ) : (
              <ul className="token-list" aria-label={`Live tokens of ${userId}`}>
                {list.map((t) => (
                  <TokenItem key={t.tokenId} token={t} onRevoked={tokens.reload} />
                ))}
              </ul>
            )
          }
        </Show>
      )}
      <Field label="Label of a new token" id="token-label" hint="Optional, e.g. laptop or CI">
        <input
          id="token-label"
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          aria-describedby="token-label-hint"
          autoComplete="off"
        />
      </Field>
    </ActionCard>
  );
}

function TokenItem({ token, onRevoked }: { token: TokenInfo; onRevoked: () => void }) {
  const { client } = useSession();
  const action = useAction<unknown>();
  const name = token.label ?? token.tokenId.slice(0, 8);
  return (
    <li>
      <span>
        <strong>{name}</strong> <span className="muted">issued {formatTime(token.issuedAt)}</span>
      </span>
      <button
        type="button"
        className="secondary"
        aria-label={`Revoke token ${name}`}
        disabled={action.busy || action.readOnly}
        onClick={() =>
          action.run(
            () =>
              answer(
                client.DELETE('/api/v1/users/{userId}/tokens/{tokenId}', {
                  params: { path: { userId: token.userId, tokenId: token.tokenId } },
                }),
              ),
            onRevoked,
          )
        }
      >
        Revoke
      </button>
      <ProblemMessage problem={action.problem} />
    </li>
  );
}

/** The secret of a token just issued: shown this once, to be copied now. */
function NewToken({ issued }: { issued: IssuedToken }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.token);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="new-token" role="status">
      <p>
        A new token for <strong>{issued.userId}</strong>. Copy it now: it is not shown again.
      </p>
      <div className="new-token-row">
        <label htmlFor="new-token" className="visually-hidden">
          New token
        </label>
        <input id="new-token" readOnly value={issued.token} onFocus={(e) => e.target.select()} />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      {copied === 'yes' && <p className="muted">Copied.</p>}
      {copied === 'failed' && <p className="muted">The browser did not let us copy: select the token and copy it yourself.</p>}
    </div>
  );
}
