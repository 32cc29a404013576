/**
 * Pools: their GPUs (total, used, free, shared), queues and oldest waits, each pool's use over
 * time as a chart; and the operator's pool actions: create a pool, allocate GPUs to it by count or
 * by picking devices, move devices between pools, set its policy and maximum wait.
 */

import { useEffect, useId, useState } from 'react';
import { answer } from '../../api/client';
import type { Device, NodeView, Pool } from '../../api/views';
import { useSession } from '../../store/session';
import { PageHeader, Show } from '../../ui/components';
import { formatDuration } from '../../ui/format';
import { poolColours } from '../../ui/palette';
import { WhatIf } from '../forecast';
import { ActionCard, Field, listOf, TableScroll, useNodes, usePools } from './shared';
import { UsageChart } from './usage-chart';

const POLICIES = [
  ['fifo', 'First in, first out'],
  ['sjf', 'Shortest job first'],
  ['first-fit', 'First fit'],
  ['backfill', 'Backfill'],
] as const;
const PLACEMENTS = [
  ['node', 'Whole nodes first'],
  ['count', 'By count'],
] as const;
type Policy = (typeof POLICIES)[number][0];
type Placement = (typeof PLACEMENTS)[number][0];

export function PoolTable({ pools }: { pools: Pool[] }) {
  return (
    <TableScroll label="Pools table">
      <table className="pool-table">
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
            <th scope="col">Oldest wait</th>
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
              <td>
                {p.oldestWaitSeconds === null || p.oldestWaitSeconds === undefined ? '–' : formatDuration(p.oldestWaitSeconds)}
              </td>
              <td>{p.maxWaitSeconds === null ? '–' : formatDuration(p.maxWaitSeconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function PoolsPage() {
  const pools = usePools();
  const nodes = useNodes();
  const poolList = listOf(pools.loaded);
  const nodeList = listOf(nodes.loaded);
  const reload = () => {
    pools.reload();
    nodes.reload();
  };
  return (
    <>
      <PageHeader title="Pools" />
      <Show loaded={pools.loaded}>{(list) => <PoolTable pools={list} />}</Show>
      {poolList.length > 0 && <UsageOverTime pools={poolList} />}
      <div className="op-cards">
        <CreatePool onDone={reload} />
        <AllocateGPUs pools={poolList} nodes={nodeList} onDone={reload} />
        <MoveDevices pools={poolList} nodes={nodeList} onDone={reload} />
        <PoolSettings pools={poolList} onDone={reload} />
      </div>
      <WhatIf />
    </>
  );
}

function UsageOverTime({ pools }: { pools: Pool[] }) {
  const [chosen, setChosen] = useState<string | null>(null);
  const id = useId();
  // The busiest pool by default: the one an operator most likely wants to see.
  const busiest = [...pools].sort((a, b) => b.used + b.queued - (a.used + a.queued))[0] as Pool;
  const pool = pools.find((p) => p.id === chosen) ?? busiest;
  const colour = poolColours(pools.map((p) => p.id)).get(pool.id) ?? '#2563eb';
  return (
    <section aria-labelledby={`${id}-h`}>
      <div className="chart-head">
        <h2 id={`${id}-h`}>Use over time</h2>
        <label htmlFor={`${id}-pool`}>Pool to chart</label>
        <select id={`${id}-pool`} value={pool.id} onChange={(e) => setChosen(e.target.value)}>
          {pools.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <UsageChart poolId={pool.id} poolName={pool.name} colour={colour} />
    </section>
  );
}

function CreatePool({ onDone }: { onDone: () => void }) {
  const { client } = useSession();
  const [poolId, setPoolId] = useState('');
  const [name, setName] = useState('');
  const [gpuType, setGpuType] = useState('');
  const [policy, setPolicy] = useState<Policy>('fifo');
  return (
    <ActionCard
      title="Create a pool"
      submitLabel="Create pool"
      act={() =>
        answer<Pool>(
          client.POST('/api/v1/pools', {
            body: { poolId: poolId.trim(), name: name.trim() || poolId.trim(), gpuType: gpuType.trim(), policy },
          }),
        )
      }
      onDone={() => {
        setPoolId('');
        setName('');
        onDone();
      }}
    >
      <Field label="Pool id" id="pool-id">
        <input id="pool-id" required value={poolId} onChange={(e) => setPoolId(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Display name" id="pool-name" hint="Optional; the id when empty">
        <input
          id="pool-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-describedby="pool-name-hint"
          autoComplete="off"
        />
      </Field>
      <Field label="GPU type" id="pool-type">
        <input
          id="pool-type"
          required
          value={gpuType}
          onChange={(e) => setGpuType(e.target.value)}
          placeholder="A100"
          autoComplete="off"
        />
      </Field>
      <Field label="Policy" id="pool-policy">
        <select id="pool-policy" value={policy} onChange={(e) => setPolicy(e.target.value as Policy)}>
          {POLICIES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </Field>
    </ActionCard>
  );
}

/** The pools an operator chooses among for a change: every pool but the Default Pool first. */
function PoolSelect({
  id,
  label,
  pools,
  value,
  onChange,
}: {
  id: string;
  label: string;
  pools: Pool[];
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <Field label={label} id={id}>
      <select id={id} required value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="" disabled>
          Choose a pool
        </option>
        {pools.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name} ({p.free} free of {p.total})
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Devices to tick, node by node, each saying its pool and whether a job holds it. */
function DevicePicker({
  legend,
  nodes,
  include,
  pools,
  picked,
  onChange,
}: {
  legend: string;
  nodes: NodeView[];
  include: (d: Device) => boolean;
  pools: Pool[];
  picked: ReadonlySet<string>;
  onChange: (picked: Set<string>) => void;
}) {
  const poolName = (id: string) => pools.find((p) => p.id === id)?.name ?? id;
  const shown = nodes.map((n) => [n, n.devices.filter(include)] as const).filter(([, ds]) => ds.length > 0);
  const toggle = (id: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(id);
    else next.delete(id);
    onChange(next);
  };
  return (
    <fieldset className="device-picker">
      <legend>{legend}</legend>
      {shown.length === 0 && <p className="muted">No devices to pick.</p>}
      {shown.map(([n, devices]) => (
        <div key={n.id} className="device-node">
          <span className="device-node-name">{n.name}</span>
          {devices.map((d) => (
            <label key={d.id} className="device-option">
              <input type="checkbox" checked={picked.has(d.id)} onChange={(e) => toggle(d.id, e.target.checked)} />
              {d.id}{' '}
              <span className="muted">
                ({d.gpuType}, {poolName(d.pool)}
                {d.holders.length > 0 ? ', in use' : ''})
              </span>
            </label>
          ))}
        </div>
      ))}
    </fieldset>
  );
}

function AllocateGPUs({ pools, nodes, onDone }: { pools: Pool[]; nodes: NodeView[]; onDone: () => void }) {
  const { client } = useSession();
  const targets = pools.filter((p) => p.id !== 'default');
  const [poolId, setPoolId] = useState('');
  const [by, setBy] = useState<'count' | 'devices'>('count');
  const [count, setCount] = useState('1');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const id = useId();
  return (
    <ActionCard
      title="Allocate GPUs to a pool"
      submitLabel="Allocate"
      act={() =>
        answer<Pool>(
          client.POST('/api/v1/pools/{poolId}/allocations', {
            params: { path: { poolId } },
            body: by === 'count' ? { count: Number(count) } : { devices: [...picked] },
          }),
        )
      }
      onDone={() => {
        setPicked(new Set());
        onDone();
      }}
      note={<p className="muted hint">GPUs come from the Default Pool.</p>}
    >
      <PoolSelect id="allocate-pool" label="Pool" pools={targets} value={poolId} onChange={setPoolId} />
      <fieldset className="choice">
        <legend>Allocate</legend>
        <label>
          <input type="radio" name={`${id}-by`} checked={by === 'count'} onChange={() => setBy('count')} /> By count
        </label>
        <label>
          <input type="radio" name={`${id}-by`} checked={by === 'devices'} onChange={() => setBy('devices')} /> By picking devices
        </label>
      </fieldset>
      {by === 'count' ? (
        <Field label="Number of GPUs" id="allocate-count">
          <input id="allocate-count" type="number" min={1} required value={count} onChange={(e) => setCount(e.target.value)} />
        </Field>
      ) : (
        <DevicePicker
          legend="Devices in the Default Pool"
          nodes={nodes}
          pools={pools}
          include={(d) => d.pool === 'default'}
          picked={picked}
          onChange={setPicked}
        />
      )}
    </ActionCard>
  );
}

function MoveDevices({ pools, nodes, onDone }: { pools: Pool[]; nodes: NodeView[]; onDone: () => void }) {
  const { client } = useSession();
  const [toPoolId, setToPoolId] = useState('');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  return (
    <ActionCard
      title="Move devices between pools"
      submitLabel="Move devices"
      act={() =>
        answer<Pool>(
          client.POST('/api/v1/pools/{toPoolId}/devices', { params: { path: { toPoolId } }, body: { devices: [...picked] } }),
        )
      }
      onDone={() => {
        setPicked(new Set());
        onDone();
      }}
      note={<p className="muted hint">A device in use keeps serving its job; the pool it moves to gets it for the next.</p>}
    >
      <PoolSelect id="move-to" label="Move into pool" pools={pools} value={toPoolId} onChange={setToPoolId} />
      <DevicePicker
        legend="Devices to move"
        nodes={nodes}
        pools={pools}
        include={(d) => toPoolId === '' || d.pool !== toPoolId}
        picked={picked}
        onChange={setPicked}
      />
    </ActionCard>
  );
}

function PoolSettings({ pools, onDone }: { pools: Pool[]; onDone: () => void }) {
  const { client } = useSession();
  const [poolId, setPoolId] = useState('');
  const [policy, setPolicy] = useState<Policy>('fifo');
  const [placement, setPlacement] = useState<Placement>('node');
  const [maxWait, setMaxWait] = useState('');
  const pool = pools.find((p) => p.id === poolId);
  // Choosing a pool shows its settings as they are, to be changed from there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new choice resets the fields, not every read
  useEffect(() => {
    if (!pool) return;
    setPolicy(pool.policy as Policy);
    setPlacement(pool.placement as Placement);
    setMaxWait(pool.maxWaitSeconds === null ? '' : String(pool.maxWaitSeconds));
  }, [poolId]);
  return (
    <ActionCard
      title="Pool settings"
      submitLabel="Save settings"
      act={() =>
        answer<Pool>(
          client.PATCH('/api/v1/pools/{poolId}', {
            params: { path: { poolId } },
            body: { policy, placement, maxWaitSeconds: maxWait.trim() === '' ? null : Number(maxWait) },
          }),
        )
      }
      onDone={onDone}
    >
      <PoolSelect id="settings-pool" label="Pool" pools={pools} value={poolId} onChange={setPoolId} />
      <Field label="Policy" id="settings-policy">
        <select id="settings-policy" value={policy} onChange={(e) => setPolicy(e.target.value as Policy)}>
          {POLICIES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Placement" id="settings-placement">
        <select id="settings-placement" value={placement} onChange={(e) => setPlacement(e.target.value as Placement)}>
          {PLACEMENTS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Maximum wait (seconds)" id="settings-max-wait" hint="Empty: no maximum">
        <input
          id="settings-max-wait"
          type="number"
          min={1}
          value={maxWait}
          onChange={(e) => setMaxWait(e.target.value)}
          aria-describedby="settings-max-wait-hint"
        />
      </Field>
    </ActionCard>
  );
}
