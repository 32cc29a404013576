/**
 * The cluster at a glance: every node with its GPUs as tiles, coloured by pool and filled when in
 * use; cordoned and lost nodes marked, each node cordoned or uncordoned from its tile. Beside it
 * the pools' figures.
 */
import { answer } from '../../api/client';
import type { NodeView, Pool } from '../../api/views';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, ProblemMessage, Show } from '../../ui/components';
import { formatLabels } from '../../ui/format';
import { poolColours } from '../../ui/palette';
import { PoolTable } from './pools';
import { useNodes, usePools } from './shared';

export function ClusterPage() {
  const nodes = useNodes();
  const pools = usePools();
  return (
    <>
      <PageHeader title="Cluster" />
      <Show loaded={pools.loaded}>
        {(poolList) => {
          const colours = poolColours(poolList.map((p) => p.id));
          return (
            <>
              <ul className="legend" aria-label="Pools">
                {poolList.map((p) => (
                  <li key={p.id}>
                    <span className="swatch" style={{ background: colours.get(p.id) }} /> {p.name}
                  </li>
                ))}
                <li>
                  <span className="swatch swatch-free" /> idle
                </li>
              </ul>
              <p className="muted hint">A cordoned node takes no new jobs; the jobs running on it go on.</p>
              <Show loaded={nodes.loaded}>
                {(nodeList) => (
                  <ul className="nodes" aria-label="Nodes">
                    {nodeList.map((n) => (
                      <NodeTile key={n.id} node={n} colours={colours} pools={poolList} onChange={nodes.reload} />
                    ))}
                  </ul>
                )}
              </Show>
              <h2>Pools</h2>
              <PoolTable pools={poolList} />
            </>
          );
        }}
      </Show>
    </>
  );
}

function NodeTile({
  node,
  colours,
  pools,
  onChange,
}: {
  node: NodeView;
  colours: Map<string, string>;
  pools: Pool[];
  onChange: () => void;
}) {
  const { client } = useSession();
  const action = useAction<NodeView>();
  const toggle = () =>
    action.run(
      () =>
        answer<NodeView>(
          node.cordoned
            ? client.POST('/api/v1/nodes/{nodeId}/uncordon', { params: { path: { nodeId: node.id } } })
            : client.POST('/api/v1/nodes/{nodeId}/cordon', { params: { path: { nodeId: node.id } } }),
        ),
      onChange,
    );
  const used = node.devices.filter((d) => d.holders.length > 0).length;
  const poolName = (id: string) => pools.find((p) => p.id === id)?.name ?? id;
  const marks = [node.cordoned && 'cordoned', node.lost && 'lost'].filter(Boolean).join(', ');
  // What a job's node selector is matched against; on one line, the whole list on hover.
  const labels = formatLabels(node.labels);
  return (
    <li className={`node${node.cordoned ? ' cordoned' : ''}${node.lost ? ' lost' : ''}`}>
      <div className="node-head">
        <strong>{node.name}</strong>
        <span className="muted">
          {used}/{node.devices.length} in use{marks && ` · ${marks}`}
        </span>
      </div>
      {labels && (
        <p className="node-labels muted" title={labels}>
          <span className="visually-hidden">Labels: </span>
          {labels}
        </p>
      )}
      <div className="gpus">
        {node.devices.map((d) => {
          const busy = d.holders.length > 0;
          const colour = colours.get(d.pool) ?? '#888';
          return (
            <span
              key={d.id}
              className={`gpu${busy ? ' busy' : ''}`}
              style={{ borderColor: colour, background: busy ? colour : 'transparent' }}
              title={`${d.id} · ${d.gpuType} · ${poolName(d.pool)} · ${busy ? `used by ${d.holders.join(', ')}` : 'idle'}`}
              role="img"
              aria-label={`GPU ${d.id}, ${d.gpuType}, pool ${poolName(d.pool)}, ${busy ? 'in use' : 'idle'}`}
            />
          );
        })}
      </div>
      <div className="node-actions">
        <button
          type="button"
          className="secondary"
          aria-label={`${node.cordoned ? 'Uncordon' : 'Cordon'} ${node.name}`}
          disabled={action.busy || action.readOnly}
          onClick={toggle}
        >
          {node.cordoned ? 'Uncordon' : 'Cordon'}
        </button>
      </div>
      <ProblemMessage problem={action.problem} />
    </li>
  );
}
