/**
 * When will it start? `<JobForecast job/>` shows a waiting job's predicted start beside its wait
 * reason; `<WhatIf/>` lets an operator try a planned change (move GPUs between pools, change a
 * pool's policy, cordon a node) and see every waiting job's predicted wait before and after.
 * Both are estimates and say so: jobs are assumed to run their expected duration, or their
 * kind's typical one, and nothing new to arrive. Forecasts are of the present only.
 */
import { type FormEvent, useId, useState } from 'react';
import { answer } from '../api/client';
import type { paths } from '../api/schema';
import type { Job, NodeView, Pool } from '../api/views';
import { useApi, useLive } from '../store/live';
import { useSession } from '../store/session';
import { useAction } from '../ui/action';
import { ProblemMessage, Show } from '../ui/components';
import { formatDuration, formatTime } from '../ui/format';

type JobForecastAnswer = paths['/api/v1/jobs/{jobId}/forecast']['get']['responses'][200]['content']['application/json'];
type WhatIfAnswer = paths['/api/v1/forecast/what-if']['post']['responses'][200]['content']['application/json'];
type TypicalDurations = JobForecastAnswer['typicalDurations'];

const ESTIMATE_NOTE =
  'An estimate: jobs are assumed to run their expected duration, or the typical duration of their kind, and no new jobs to arrive.';

/** How the typical durations were assumed, in words (for a title attribute). */
function assumptions(typical: TypicalDurations | undefined): string {
  if (!typical) return ESTIMATE_NOTE;
  const kinds = typical
    .filter((t) => t.kind === 'training' || t.samples > 0)
    .map((t) =>
      t.source === 'median'
        ? `${t.kind}: ${formatDuration(t.seconds)} (median of ${t.samples})`
        : `${t.kind}: ${formatDuration(t.seconds)} (default)`,
    );
  return `${ESTIMATE_NOTE} Typical durations: ${kinds.join(', ')}.`;
}

/** A predicted wait in words: "in 2 h 5 min", "now", "not within 30 days". */
function waitWords(wait: number | null | undefined): string {
  if (wait === null || wait === undefined) return 'not within 30 days';
  return wait <= 0 ? 'now' : `in ${formatDuration(wait)}`;
}

/** A waiting job's predicted start, to sit beside its wait reason. Nothing for a job that does not wait. */
export function JobForecast({ job }: { job: Pick<Job, 'name' | 'group' | 'status'> }) {
  const { past } = useLive();
  const waiting = job.status === 'Queued' || job.status === 'WaitingForGPUs';
  const forecast = useApi(
    (c) =>
      waiting && !past
        ? answer<JobForecastAnswer>(
            c.GET('/api/v1/jobs/{jobId}/forecast', { params: { path: { jobId: job.name }, query: { group: job.group } } }),
          )
        : Promise.resolve({ ok: true as const, value: null, total: null }),
    [job.name, job.group, job.status],
  );
  if (!waiting) return null;
  if (past) return <p className="muted forecast">Predicted starts are forecast for the present only.</p>;
  return (
    <section className="forecast" aria-label="Predicted start">
      <Show loaded={forecast.loaded}>
        {(f) =>
          f && (
            <p title={assumptions(f.typicalDurations)}>
              <strong>Predicted start:</strong>{' '}
              {f.startAt === null ? 'not within the next 30 days' : `${formatTime(f.startAt)} (${waitWords(f.waitSeconds)})`}{' '}
              <span className="badge badge-neutral">estimate</span>
            </p>
          )
        }
      </Show>
    </section>
  );
}

type Change =
  | { type: 'MovePoolDevices'; toPoolId: string; fromPoolId: string; devices: string[] }
  | { type: 'ConfigurePool'; poolId: string; policy: string }
  | { type: 'CordonNode'; nodeId: string };

const POLICIES = ['fifo', 'sjf', 'first-fit', 'backfill'];

function describeChange(c: Change): string {
  if (c.type === 'MovePoolDevices') return `Move ${c.devices.length} GPUs from ${c.fromPoolId} to ${c.toPoolId}`;
  if (c.type === 'ConfigurePool') return `Set ${c.poolId}'s policy to ${c.policy}`;
  return `Cordon node ${c.nodeId}`;
}

/**
 * `count` devices of pool `from` to move: free ones first (moving a busy one leaves its job
 * running, but frees nothing until it ends), whole nodes before scattered devices.
 */
function devicesToMove(nodes: NodeView[], from: string, count: number): string[] {
  const candidates = nodes
    .filter((n) => !n.lost)
    .flatMap((n) =>
      n.devices.filter((d) => d.pool === from).map((d) => ({ id: d.id, node: n.id, free: d.holders.length === 0 })),
    );
  const freePerNode = new Map<string, number>();
  for (const d of candidates) if (d.free) freePerNode.set(d.node, (freePerNode.get(d.node) ?? 0) + 1);
  candidates.sort(
    (a, b) =>
      Number(b.free) - Number(a.free) ||
      (freePerNode.get(b.node) ?? 0) - (freePerNode.get(a.node) ?? 0) ||
      a.id.localeCompare(b.id, undefined, { numeric: true }),
  );
  return candidates.slice(0, count).map((d) => d.id);
}

/** An operator's what-if: planned changes, then every waiting job's predicted wait before and after. */
export function WhatIf() {
  const { client } = useSession();
  const id = useId();
  const pools = useApi((c) => answer<Pool[]>(c.GET('/api/v1/pools')), []);
  const nodes = useApi((c) => answer<NodeView[]>(c.GET('/api/v1/nodes')), []);
  const [kind, setKind] = useState<Change['type']>('MovePoolDevices');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [count, setCount] = useState(8);
  const [pool, setPool] = useState('');
  const [policy, setPolicy] = useState('backfill');
  const [node, setNode] = useState('');
  const [changes, setChanges] = useState<Change[]>([]);
  // Each planned change's key in the list: the same change may be planned twice.
  const [keys, setKeys] = useState<number[]>([]);
  const plan = (c: Change) => {
    setChanges([...changes, c]);
    setKeys([...keys, (keys.at(-1) ?? 0) + 1]);
  };
  const [only, setOnly] = useState('');
  const [result, setResult] = useState<{ value: WhatIfAnswer; changes: Change[] } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const action = useAction<WhatIfAnswer>();

  const poolList = pools.loaded.state === 'done' && pools.loaded.answer.ok ? pools.loaded.answer.value : [];
  const nodeList = nodes.loaded.state === 'done' && nodes.loaded.answer.ok ? nodes.loaded.answer.value : [];

  const add = () => {
    setNote(null);
    if (kind === 'MovePoolDevices') {
      if (!from || !to || from === to) return setNote('Choose two different pools.');
      const devices = devicesToMove(nodeList, from, count);
      if (devices.length === 0) return setNote(`Pool ${from} has no GPUs to move.`);
      if (devices.length < count) setNote(`Pool ${from} has only ${devices.length} GPUs: moving those.`);
      plan({ type: 'MovePoolDevices', fromPoolId: from, toPoolId: to, devices });
    } else if (kind === 'ConfigurePool') {
      if (!pool) return setNote('Choose a pool.');
      plan({ type: 'ConfigurePool', poolId: pool, policy });
    } else {
      if (!node) return setNote('Choose a node.');
      plan({ type: 'CordonNode', nodeId: node });
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const planned = changes;
    void action.run(
      () =>
        answer<WhatIfAnswer>(
          client.POST('/api/v1/forecast/what-if', {
            params: { query: { limit: '1000', ...(only ? { pool: only } : {}) } },
            body: { changes: planned } as never,
          }),
        ),
      (value) => setResult({ value, changes: planned }),
    );
  };

  return (
    <section className="what-if" aria-labelledby={`${id}-title`}>
      <form className="card op-card" onSubmit={submit}>
        <h2 id={`${id}-title`}>What if…</h2>
        <p className="muted hint">
          Try a change before making it: nothing changes in the cluster. The waits are estimates: jobs are assumed to run their
          expected duration, or the typical duration of their kind, and no new jobs to arrive.
        </p>
        <div className="field">
          <label htmlFor={`${id}-kind`}>Planned change</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as Change['type'])}>
            <option value="MovePoolDevices">Move GPUs from one pool to another</option>
            <option value="ConfigurePool">Change a pool’s policy</option>
            <option value="CordonNode">Cordon a node</option>
          </select>
        </div>
        {kind === 'MovePoolDevices' && (
          <>
            <div className="field">
              <label htmlFor={`${id}-count`}>GPUs</label>
              <input
                id={`${id}-count`}
                type="number"
                min={1}
                value={count}
                onChange={(e) => setCount(Math.max(1, Number(e.target.value)))}
              />
            </div>
            <PoolSelect id={`${id}-from`} label="From pool" pools={poolList} value={from} onChange={setFrom} />
            <PoolSelect id={`${id}-to`} label="To pool" pools={poolList} value={to} onChange={setTo} />
          </>
        )}
        {kind === 'ConfigurePool' && (
          <>
            <PoolSelect id={`${id}-pool`} label="Pool" pools={poolList} value={pool} onChange={setPool} />
            <div className="field">
              <label htmlFor={`${id}-policy`}>Policy</label>
              <select id={`${id}-policy`} value={policy} onChange={(e) => setPolicy(e.target.value)}>
                {POLICIES.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </div>
          </>
        )}
        {kind === 'CordonNode' && (
          <div className="field">
            <label htmlFor={`${id}-node`}>Node</label>
            <select id={`${id}-node`} value={node} onChange={(e) => setNode(e.target.value)}>
              <option value="">Choose…</option>
              {nodeList
                .filter((n) => !n.cordoned && !n.lost)
                .map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.name || n.id}
                  </option>
                ))}
            </select>
          </div>
        )}
        <div>
          <button type="button" className="secondary" onClick={add}>
            Add to the plan
          </button>
        </div>
        {note && <p className="muted hint">{note}</p>}
        {changes.length > 0 && (
          <ol aria-label="The plan">
            {changes.map((c, i) => (
              <li key={keys[i]}>
                {describeChange(c)}{' '}
                <button
                  type="button"
                  className="secondary"
                  onClick={() => {
                    setChanges(changes.filter((_, k) => k !== i));
                    setKeys(keys.filter((_, k) => k !== i));
                  }}
                >
                  Remove
                </button>
              </li>
            ))}
          </ol>
        )}
        <PoolSelect
          id={`${id}-only`}
          label="Show the jobs of"
          pools={poolList}
          value={only}
          onChange={setOnly}
          any="every pool"
        />
        {pools.loaded.state === 'done' && !pools.loaded.answer.ok && <ProblemMessage problem={pools.loaded.answer.problem} />}
        {nodes.loaded.state === 'done' && !nodes.loaded.answer.ok && <ProblemMessage problem={nodes.loaded.answer.problem} />}
        <ProblemMessage problem={action.problem} />
        <div>
          <button type="submit" disabled={action.busy || action.readOnly || changes.length === 0}>
            {action.busy ? 'Forecasting…' : 'Forecast'}
          </button>
        </div>
      </form>
      {result && <WhatIfTable result={result.value} changes={result.changes} />}
    </section>
  );
}

function PoolSelect(props: {
  id: string;
  label: string;
  pools: Pool[];
  value: string;
  onChange: (v: string) => void;
  any?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{props.any ?? 'Choose…'}</option>
        {props.pools.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name} ({p.total} GPUs, {p.queued} waiting)
          </option>
        ))}
      </select>
    </div>
  );
}

function WhatIfTable({ result, changes }: { result: WhatIfAnswer; changes: Change[] }) {
  const s = result.summary;
  const delta = (d: number | null | undefined) =>
    d === null || d === undefined
      ? '–'
      : d === 0
        ? 'same'
        : d < 0
          ? `${formatDuration(-d)} sooner`
          : `${formatDuration(d)} later`;
  return (
    <section aria-label="Predicted waits before and after" title={assumptions(result.typicalDurations)}>
      <h3>
        {changes.map(describeChange).join('; ')} <span className="badge badge-neutral">estimate</span>
      </h3>
      <p>
        {s.jobs} waiting jobs: {s.sooner} sooner, {s.later} later, {s.unchanged} unchanged. Mean wait{' '}
        {formatDuration(s.meanWaitBefore)} → {formatDuration(s.meanWaitAfter)}
        {s.neverAfter !== s.neverBefore && `; not starting within 30 days: ${s.neverBefore} → ${s.neverAfter}`}.
      </p>
      {result.jobs.length < s.jobs && <p className="muted">The first {result.jobs.length} of them, in submission order.</p>}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it */}
      <section className="table-scroll" aria-label="Every waiting job" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Pool</th>
              <th scope="col">GPUs</th>
              <th scope="col">Wait now</th>
              <th scope="col">Wait after</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {result.jobs.map((j) => (
              <tr key={j.job.id}>
                <td>
                  {j.job.name} <span className="muted">{j.job.group}</span>
                </td>
                <td>{j.pool ?? '–'}</td>
                <td>{j.job.gpus}</td>
                <td>{waitWords(j.before.waitSeconds)}</td>
                <td>{waitWords(j.after.waitSeconds)}</td>
                <td>{delta(j.deltaSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}
