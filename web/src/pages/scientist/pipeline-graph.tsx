/**
 * A run's task graph, drawn: every task execution (and every task of a created DAG not created
 * yet) as a box coloured by its state, the dependencies between siblings as arrows. Nested DAGs
 * and loops are groups drawn around their tasks; each group is laid out on its own by dagre
 * (a layered layout, top to bottom) and its size is what its inside needs, so a group is one box
 * in its parent's layout. A loop's iterations have no edges between them: they are set out in a
 * grid, in item order.
 *
 * Loops start collapsed (one box: how many iterations, how many in each state), and expand on
 * demand; a loop with many iterations shows its iterations as small tiles, the first
 * `ITERATIONS_SHOWN` until asked for all. The layout depends on the graph's shape and what is
 * expanded, not on states, so a live update recolours boxes without moving them.
 *
 * Boxes are HTML buttons over an SVG of the edges: each is reachable by keyboard and named by
 * its task and state. This module is loaded when a run's page opens (dagre stays out of the
 * first load).
 */
import dagre from '@dagrejs/dagre';
import { useMemo, useRef, useState } from 'react';
import { type GraphNode, isGroupNode, openByDefault, type RunGraph, stateTone, stateWords, TILES_ABOVE } from './pipeline-types';

const LEAF_W = 176;
const LEAF_H = 46;
/** A closed group: room for its expand button too. */
const GROUP_LEAF_W = 204;
const TILE_W = 64;
const TILE_H = 34;
const PAD = 12;
const HEADER = 30;
const GAP = 10;
/** The zoom steps of the graph's toolbar. */
const ZOOMS = [0.1, 0.25, 0.33, 0.5, 0.67, 0.8, 0.9, 1, 1.25, 1.5];
/** The width open iterations are set out in before they wrap (a wide screen's graph area). */
const WIDE = 1200;
/** Iterations drawn of an expanded loop until all are asked for. */
export const ITERATIONS_SHOWN = 48;

export interface Box {
  node: GraphNode;
  x: number;
  y: number;
  w: number;
  h: number;
  /** A group drawn open around its children. */
  open: boolean;
  tile: boolean;
}
export interface Placed {
  w: number;
  h: number;
  boxes: Box[];
  edges: { points: { x: number; y: number }[] }[];
  more: { loop: GraphNode; hidden: number; x: number; y: number; w: number; h: number }[];
}

const isGroup = isGroupNode;

interface Shape {
  byPath: Map<string, GraphNode>;
  children: Map<string, GraphNode[]>;
  edges: Map<string, { from: string; to: string }[]>;
}

function shapeOf(graph: RunGraph): Shape {
  const byPath = new Map(graph.nodes.map((n) => [n.path, n]));
  const children = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) {
    if (n.parent === null) continue;
    const list = children.get(n.parent) ?? [];
    list.push(n);
    children.set(n.parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => (a.iteration ?? 0) - (b.iteration ?? 0));
  const edges = new Map<string, { from: string; to: string }[]>();
  for (const e of graph.edges) {
    const parent = byPath.get(e.from)?.parent;
    if (parent === undefined || parent === null || byPath.get(e.to)?.parent !== parent) continue;
    const list = edges.get(parent) ?? [];
    list.push(e);
    edges.set(parent, list);
  }
  return { byPath, children, edges };
}

/** Lay out a group's inside, its origin at (0, 0). */
function layoutInside(
  group: string,
  shape: Shape,
  isOpen: (n: GraphNode, siblings: number) => boolean,
  showAll: ReadonlySet<string>,
): Placed {
  const kids = shape.children.get(group) ?? [];
  const parent = shape.byPath.get(group);
  // Each child's own size: a closed box, a tile, or an open group around its inside.
  const tiles = parent?.kind === 'loop' && kids.length > TILES_ABOVE;
  const sized = kids.map((n) => {
    // A group with nothing inside yet (not created, or skipped) is one box.
    const open = isGroup(n) && (shape.children.get(n.path)?.length ?? 0) > 0 && isOpen(n, kids.length);
    if (open) {
      const inside = layoutInside(n.path, shape, isOpen, showAll);
      return { n, open, tile: false, inside, w: Math.max(inside.w + 2 * PAD, LEAF_W), h: inside.h + HEADER + PAD };
    }
    const tile = tiles && n.iteration !== null;
    const w = tile ? TILE_W : isGroup(n) ? GROUP_LEAF_W : LEAF_W;
    return { n, open, tile, inside: null, w, h: tile ? TILE_H : LEAF_H };
  });
  const placed: Placed = { w: 0, h: 0, boxes: [], edges: [], more: [] };
  const put = (s: (typeof sized)[number], x: number, y: number) => {
    placed.boxes.push({ node: s.n, x, y, w: s.w, h: s.h, open: s.open, tile: s.tile });
    if (s.inside) {
      const ox = x + PAD + (s.w - 2 * PAD - s.inside.w) / 2;
      const oy = y + HEADER;
      for (const b of s.inside.boxes) placed.boxes.push({ ...b, x: b.x + ox, y: b.y + oy });
      for (const e of s.inside.edges) placed.edges.push({ points: e.points.map((p) => ({ x: p.x + ox, y: p.y + oy })) });
      for (const m of s.inside.more) placed.more.push({ ...m, x: m.x + ox, y: m.y + oy });
    }
  };
  if (parent?.kind === 'loop') {
    // Iterations: a grid in item order (no edges between them to lay out).
    const shown = showAll.has(group) ? sized : sized.slice(0, ITERATIONS_SHOWN);
    const cw = Math.max(...shown.map((s) => s.w), TILE_W);
    // Tiles: about twice as many columns as rows. Open iterations: as many as fit a wide screen (up to 3).
    const columns = tiles
      ? Math.min(8, Math.max(1, Math.ceil(Math.sqrt(shown.length * 2))))
      : Math.max(1, Math.min(3, shown.length, Math.floor((WIDE + GAP) / (cw + GAP))));
    const rows: (typeof shown)[] = [];
    for (let i = 0; i < shown.length; i += columns) rows.push(shown.slice(i, i + columns));
    let y = 0;
    for (const row of rows) {
      const rh = Math.max(...row.map((s) => s.h));
      row.forEach((s, i) => {
        put(s, i * (cw + GAP), y);
      });
      y += rh + GAP;
    }
    placed.w = Math.max(0, Math.min(columns, shown.length) * (cw + GAP) - GAP);
    placed.h = Math.max(0, y - GAP);
    const hidden = sized.length - shown.length;
    if (hidden > 0 && parent) {
      placed.more.push({ loop: parent, hidden, x: 0, y: placed.h + GAP, w: Math.max(placed.w, LEAF_W), h: 30 });
      placed.h += GAP + 30;
    }
    return placed;
  }
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 18, ranksep: 34, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const s of sized) g.setNode(s.n.path, { width: s.w, height: s.h });
  for (const e of shape.edges.get(group) ?? []) g.setEdge(e.from, e.to);
  dagre.layout(g);
  for (const s of sized) {
    const at = g.node(s.n.path);
    put(s, (at.x ?? 0) - s.w / 2, (at.y ?? 0) - s.h / 2);
  }
  for (const e of g.edges())
    placed.edges.push({ points: (g.edge(e).points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })) });
  const label = g.graph();
  placed.w = label.width ?? 0;
  placed.h = label.height ?? 0;
  return placed;
}

/**
 * The whole graph laid out from its root: `open` says which groups are drawn open (undefined: the
 * default), `showAll` which loops show every iteration. Null when the run has no root yet.
 */
export function layoutRun(
  graph: RunGraph,
  open: ReadonlyMap<string, boolean> = new Map(),
  showAll: ReadonlySet<string> = new Set(),
): Placed | null {
  const root = graph.nodes.find((n) => n.parent === null);
  if (!root) return null;
  return layoutShape(shapeOf(graph), root.path, open, showAll);
}

function layoutShape(shape: Shape, root: string, open: ReadonlyMap<string, boolean>, showAll: ReadonlySet<string>): Placed {
  const isOpen = (n: GraphNode, siblings: number) => open.get(n.path) ?? openByDefault(n, siblings);
  return layoutInside(root, shape, isOpen, showAll);
}

/** States inside a group, counted (a loop's iterations; a DAG's tasks). */
function countStates(nodes: readonly GraphNode[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.state, (counts.get(n.state) ?? 0) + 1);
  return [...counts.entries()];
}

export function RunGraphView({
  graph,
  selected,
  onSelect,
  open: overrides,
  onOpen,
}: {
  graph: RunGraph;
  selected: string | null;
  onSelect: (path: string) => void;
  /** The groups opened or closed by hand (the others are drawn as openByDefault says). */
  open: ReadonlyMap<string, boolean>;
  onOpen: (path: string, open: boolean) => void;
}) {
  const [showAll, setShowAll] = useState<ReadonlySet<string>>(new Set());
  const [zoom, setZoom] = useState(1);
  const scroller = useRef<HTMLElement>(null);
  // The layout follows the graph's shape and what is open; states only recolour it.
  const shapeKey = JSON.stringify([graph.nodes.map((n) => [n.path, n.parent]), graph.edges]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the shape's key names what the shape reads
  const shape = useMemo(() => shapeOf(graph), [shapeKey]);
  const root = graph.nodes.find((n) => n.parent === null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: as above
  const placed = useMemo(
    () => (root ? layoutShape(shape, root.path, overrides, showAll) : null),
    [shape, overrides, showAll, root?.path],
  );
  if (!root || !placed) return <p className="muted">This run has no tasks yet.</p>;
  const current = new Map(graph.nodes.map((n) => [n.path, n]));
  const toggle = (n: GraphNode, open: boolean) => onOpen(n.path, !open);
  const width = Math.max(placed.w, 1) + 2 * PAD;
  const height = Math.max(placed.h, 1) + 2 * PAD;
  const groups = placed.boxes.filter((b) => b.open);
  const leaves = placed.boxes.filter((b) => !b.open);
  const selectedTile = (p: string) => (p === selected ? 'true' : undefined);
  const fit = () => {
    const room = scroller.current?.clientWidth;
    if (room) setZoom(Math.min(1, Math.max(ZOOMS[0] as number, (room - 4) / width)));
  };
  const step = (by: 1 | -1) =>
    setZoom((z) => (by > 0 ? (ZOOMS.find((x) => x > z + 0.001) ?? z) : (ZOOMS.findLast((x) => x < z - 0.001) ?? z)));
  return (
    <>
      <div className="graph-tools" role="toolbar" aria-label="Graph zoom">
        <button type="button" className="secondary" onClick={() => step(-1)} disabled={zoom <= (ZOOMS[0] as number)}>
          <span aria-hidden="true">−</span>
          <span className="visually-hidden">Zoom out</span>
        </button>
        <output aria-live="polite" aria-label="Zoom">
          {Math.round(zoom * 100)}%
        </output>
        <button type="button" className="secondary" onClick={() => step(1)} disabled={zoom >= (ZOOMS.at(-1) as number)}>
          <span aria-hidden="true">+</span>
          <span className="visually-hidden">Zoom in</span>
        </button>
        <button type="button" className="secondary" onClick={fit}>
          Fit
        </button>
        <button type="button" className="secondary" onClick={() => setZoom(1)} disabled={zoom === 1}>
          100%
        </button>
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
      <section className="run-graph-scroll" tabIndex={0} aria-label="The run's tasks" ref={scroller}>
        <div className="run-graph" style={{ width, height, zoom }}>
          {groups.map((b) => {
            const n = current.get(b.node.path) ?? b.node;
            const inside = shape.children.get(n.path) ?? [];
            return (
              <section
                key={n.path}
                className={`run-group run-group-${n.kind} tone-${stateTone(n.state)}`}
                style={{ left: b.x + PAD, top: b.y + PAD, width: b.w, height: b.h }}
                aria-label={`${n.kind === 'loop' ? 'loop' : 'DAG'} ${groupName(n)}`}
              >
                <div className="run-group-header">
                  <button type="button" className="run-toggle" aria-expanded="true" onClick={() => toggle(n, true)}>
                    <span aria-hidden="true">▾</span>
                    <span className="visually-hidden">Collapse {groupName(n)}</span>
                  </button>
                  <button
                    type="button"
                    className="run-group-name"
                    aria-pressed={selectedTile(n.path) === 'true'}
                    onClick={() => onSelect(n.path)}
                  >
                    {groupName(n)} <span className="run-state-words">{stateWords(n.state)}</span>
                    {n.kind === 'loop' && <span className="muted"> · {inside.length} iterations</span>}
                  </button>
                </div>
              </section>
            );
          })}
          <svg className="run-graph-edges" width={width} height={height} aria-hidden="true">
            <defs>
              <marker id="run-graph-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
                <path d="M0,0 L10,5 L0,10 z" />
              </marker>
            </defs>
            <g transform={`translate(${PAD},${PAD})`}>
              {placed.edges.map((e, i) => (
                <polyline
                  // biome-ignore lint/suspicious/noArrayIndexKey: edges are redrawn with the layout; their order is the layout's
                  key={i}
                  points={e.points.map((p) => `${p.x},${p.y}`).join(' ')}
                  markerEnd="url(#run-graph-arrow)"
                />
              ))}
            </g>
          </svg>
          {leaves.map((b) => {
            const n = current.get(b.node.path) ?? b.node;
            const inside = shape.children.get(n.path) ?? [];
            const group = isGroup(n);
            const name = groupName(n);
            if (b.tile) {
              return (
                <button
                  key={n.path}
                  type="button"
                  className={`run-node run-tile tone-${stateTone(n.state)}`}
                  style={{ left: b.x + PAD, top: b.y + PAD, width: b.w, height: b.h }}
                  aria-pressed={n.path === selected}
                  aria-label={`${name}: ${stateWords(n.state)}`}
                  title={`${name}: ${stateWords(n.state)}`}
                  onClick={() => onSelect(n.path)}
                >
                  #{n.iteration}
                </button>
              );
            }
            return (
              <div
                key={n.path}
                className={`run-node-wrap${group ? ' run-node-group' : ''}`}
                style={{ left: b.x + PAD, top: b.y + PAD, width: b.w, height: b.h }}
              >
                <button
                  type="button"
                  className={`run-node tone-${stateTone(n.state)}${n.state === 'NOT_STARTED' ? ' not-started' : ''}`}
                  aria-pressed={n.path === selected}
                  title={`${name}: ${stateWords(n.state)}`}
                  onClick={() => onSelect(n.path)}
                >
                  <span className="run-node-name">{name}</span>
                  <span className="run-node-state">
                    {stateWords(n.state)}
                    {n.kind === 'container' && n.attempt > 1 ? ` · attempt ${n.attempt}` : ''}
                    {group && inside.length > 0 ? ` · ${inside.length} ${n.kind === 'loop' ? 'iterations' : 'tasks'}` : ''}
                  </span>
                </button>
                {group && inside.length > 0 && (
                  <button
                    type="button"
                    className="run-toggle run-expand"
                    aria-expanded="false"
                    title={`Expand ${name}: ${countStates(inside)
                      .map(([s, c]) => `${c} ${stateWords(s).toLowerCase()}`)
                      .join(', ')}`}
                    onClick={() => toggle(n, false)}
                  >
                    <span aria-hidden="true">▸</span>
                    <span className="visually-hidden">Expand {name}</span>
                  </button>
                )}
              </div>
            );
          })}
          {placed.more.map((m) => (
            <button
              key={`more-${m.loop.path}`}
              type="button"
              className="run-more secondary"
              style={{ left: m.x + PAD, top: m.y + PAD, width: m.w, height: m.h }}
              onClick={() => setShowAll((s) => new Set(s).add(m.loop.path))}
            >
              Show {m.hidden} more iterations
            </button>
          ))}
        </div>
      </section>
    </>
  );
}

/** A box's name: an iteration as `<loop> #i`, a task by its display name. */
export const groupName = (n: GraphNode) => (n.iteration !== null && !n.name.includes('#') ? `${n.name} #${n.iteration}` : n.name);

export default RunGraphView;
