/** Pools: their GPUs (total, used, free, shared), queues and policies; create one. */
import { type FormEvent, useState } from 'react';
import { answer } from '../../api/client';
import type { Pool } from '../../api/views';
import { useApi } from '../../store/live';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, ProblemMessage, Show } from '../../ui/components';
import { formatDuration } from '../../ui/format';

export function PoolTable({ pools }: { pools: Pool[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Pool</th>
          <th scope="col">GPU type</th>
          <th scope="col">Group</th>
          <th scope="col">Policy</th>
          <th scope="col">Total</th>
          <th scope="col">Used</th>
          <th scope="col">Free</th>
          <th scope="col">Shared</th>
          <th scope="col">Queue</th>
          <th scope="col">Max wait</th>
        </tr>
      </thead>
      <tbody>
        {pools.map((p) => (
          <tr key={p.id}>
            <th scope="row">{p.name}</th>
            <td>{p.gpuType ?? 'any'}</td>
            <td>{p.group ?? '–'}</td>
            <td>{p.policy}</td>
            <td>{p.total}</td>
            <td>{p.used}</td>
            <td>{p.free}</td>
            <td>{p.shared}</td>
            <td>{p.queued}</td>
            <td>{p.maxWaitSeconds === null ? '–' : formatDuration(p.maxWaitSeconds)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PoolsPage() {
  const pools = useApi((c, past) => answer<Pool[]>(c.GET('/api/v1/pools', { params: { query: past } })), []);
  return (
    <>
      <PageHeader title="Pools" />
      <Show loaded={pools.loaded}>{(list) => <PoolTable pools={list} />}</Show>
      <CreatePool onDone={pools.reload} />
    </>
  );
}

function CreatePool({ onDone }: { onDone: () => void }) {
  const { client } = useSession();
  const action = useAction<unknown>();
  const [poolId, setPoolId] = useState('');
  const [gpuType, setGpuType] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const done = await action.run(() =>
      answer(client.POST('/api/v1/pools', { body: { poolId, name: poolId, gpuType } as never })),
    );
    if (done) {
      setPoolId('');
      onDone();
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Create a pool">
      <h2>Create a pool</h2>
      <label htmlFor="pool-id">Name</label>
      <input id="pool-id" required value={poolId} onChange={(e) => setPoolId(e.target.value)} />
      <label htmlFor="pool-type">GPU type</label>
      <input id="pool-type" required value={gpuType} onChange={(e) => setGpuType(e.target.value)} placeholder="A100" />
      <ProblemMessage problem={action.problem} />
      <button type="submit" disabled={action.busy || action.readOnly}>
        Create pool
      </button>
    </form>
  );
}
