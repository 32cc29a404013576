/**
 * A run's graph as laid out: for any nesting of DAGs and loops with any dependencies between
 * siblings, every box sits inside its open group below the group's header, siblings never
 * overlap, and every dependency between drawn siblings is one arrow. Loops start collapsed; open,
 * a few iterations are drawn open, many as tiles, at most ITERATIONS_SHOWN until all are asked
 * for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Box, ITERATIONS_SHOWN, layoutRun } from './pipeline-graph';
import type { GraphNode, RunGraph } from './pipeline-types';

const node = (path: string, kind: GraphNode['kind'], parent: string | null, iteration: number | null = null): GraphNode => ({
  path,
  key: path.split('/').at(-1) as string,
  name: path.split('/').at(-1) as string,
  kind,
  parent,
  state: 'RUNNING',
  iteration,
  inputs: null,
  outputs: null,
  jobId: null,
  attempt: 1,
  startedAt: null,
  endedAt: null,
  message: null,
  cached: false,
  retryAt: null,
});

/** A run: a loop of `n` iterations, each a DAG of two steps one after the other, then a last step. */
function loopRun(n: number): RunGraph {
  const nodes = [node('root', 'dag', null), node('root/loop', 'loop', 'root'), node('root/after', 'container', 'root')];
  const edges = [{ from: 'root/loop', to: 'root/after' }];
  for (let i = 0; i < n; i++) {
    const it = `root/loop/${i}`;
    nodes.push(
      { ...node(it, 'dag', 'root/loop', i), name: `loop #${i}` },
      node(`${it}/a`, 'container', it),
      node(`${it}/b`, 'container', it),
    );
    edges.push({ from: `${it}/a`, to: `${it}/b` });
  }
  return { nodes, edges };
}

const paths = (boxes: readonly Box[]) => boxes.map((b) => b.node.path);

/** A random run: groups nested a few levels, each with a few children and forward dependencies. */
const arbitraryRun = fc
  .record({
    shape: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom<GraphNode['kind']>('container', 'dag', 'loop')), {
      minLength: 1,
      maxLength: 30,
    }),
    deps: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 40 }),
    open: fc.array(fc.boolean(), { maxLength: 30 }),
  })
  .map(({ shape, deps, open }) => {
    const nodes: GraphNode[] = [node('root', 'dag', null)];
    const groups = ['root'];
    shape.forEach(([depth, kind], i) => {
      const parent = groups[Math.min(depth, groups.length - 1)] as string;
      const parentNode = nodes.find((n) => n.path === parent) as GraphNode;
      const iteration = parentNode.kind === 'loop' ? nodes.filter((n) => n.parent === parent).length : null;
      const path = `${parent}/${iteration ?? `t${i}`}`;
      // A loop's children are its iterations (DAGs).
      nodes.push(node(path, parentNode.kind === 'loop' ? 'dag' : kind, parent, iteration));
      if (kind !== 'container' || parentNode.kind === 'loop') groups.push(path);
    });
    const edges: { from: string; to: string }[] = [];
    for (const [a, b] of deps) {
      const from = nodes[1 + (a % (nodes.length - 1))] as GraphNode;
      const siblings = nodes.filter(
        (n) => n.parent === from.parent && n.parent !== null && nodes.indexOf(n) > nodes.indexOf(from),
      );
      const to = siblings[b % Math.max(1, siblings.length)];
      const loopParent = nodes.find((n) => n.path === from.parent)?.kind === 'loop';
      if (to && !loopParent && !edges.some((e) => e.from === from.path && e.to === to.path))
        edges.push({ from: from.path, to: to.path });
    }
    const opened = new Map(nodes.map((n, i) => [n.path, open[i % Math.max(1, open.length)] ?? true]));
    return { graph: { nodes, edges }, opened };
  });

const inside = (b: Box, g: Box) =>
  b.x >= g.x - 0.5 && b.y >= g.y + 20 && b.x + b.w <= g.x + g.w + 0.5 && b.y + b.h <= g.y + g.h + 0.5;
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5;

describe('laying out a run graph', () => {
  it('puts every box inside its open group, never over a sibling, with an arrow per drawn dependency', () => {
    fc.assert(
      fc.property(arbitraryRun, ({ graph, opened }) => {
        const placed = layoutRun(graph, opened);
        if (!placed) throw new Error('no root');
        const byPath = new Map(placed.boxes.map((b) => [b.node.path, b]));
        for (const b of placed.boxes) {
          expect(Number.isFinite(b.x) && Number.isFinite(b.y) && b.w > 0 && b.h > 0).toBe(true);
          const parent = byPath.get(b.node.parent as string);
          if (parent) {
            expect(parent.open).toBe(true);
            expect(inside(b, parent)).toBe(true);
          }
          for (const other of placed.boxes) {
            if (other !== b && other.node.parent === b.node.parent) expect(overlap(b, other)).toBe(false);
          }
        }
        const drawnEdges = graph.edges.filter((e) => byPath.has(e.from) && byPath.has(e.to));
        expect(placed.edges.length).toBe(drawnEdges.length);
        for (const e of placed.edges) for (const p of e.points) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('shows a loop collapsed, then its few iterations open around their steps', () => {
    const graph = loopRun(3);
    const closed = layoutRun(graph);
    expect(paths(closed?.boxes ?? [])).toEqual(['root/loop', 'root/after']);
    expect(closed?.edges.length).toBe(1);
    const open = layoutRun(graph, new Map([['root/loop', true]]));
    const iterations = open?.boxes.filter((b) => b.node.parent === 'root/loop') ?? [];
    expect(iterations.map((b) => [b.open, b.tile])).toEqual([
      [true, false],
      [true, false],
      [true, false],
    ]);
    // Each iteration's two steps and their arrow; the loop's arrow to the step after it.
    expect(open?.boxes.filter((b) => b.node.kind === 'container').length).toBe(7);
    expect(open?.edges.length).toBe(4);
  });

  it('shows many iterations as tiles, the first ITERATIONS_SHOWN until all are asked for', () => {
    const graph = loopRun(ITERATIONS_SHOWN + 12);
    const open = layoutRun(graph, new Map([['root/loop', true]]));
    const tiles = open?.boxes.filter((b) => b.tile) ?? [];
    expect(tiles.length).toBe(ITERATIONS_SHOWN);
    expect(tiles.map((b) => b.node.iteration)).toEqual([...Array(ITERATIONS_SHOWN).keys()]);
    expect(open?.more).toEqual([expect.objectContaining({ hidden: 12 })]);
    // Tiles are small: a screen holds them, about as wide as tall.
    const loop = open?.boxes.find((b) => b.node.path === 'root/loop') as Box;
    expect(loop.w).toBeLessThan(800);
    expect(loop.h).toBeLessThan(600);
    const all = layoutRun(graph, new Map([['root/loop', true]]), new Set(['root/loop']));
    expect(all?.boxes.filter((b) => b.tile).length).toBe(ITERATIONS_SHOWN + 12);
    expect(all?.more).toEqual([]);
    // One tile opened shows its steps.
    const one = layoutRun(
      graph,
      new Map([
        ['root/loop', true],
        ['root/loop/5', true],
      ]),
    );
    expect(paths(one?.boxes.filter((b) => b.node.parent === 'root/loop/5') ?? [])).toEqual(['root/loop/5/a', 'root/loop/5/b']);
  });

  it('draws a group with nothing inside yet as one box', () => {
    const graph: RunGraph = {
      nodes: [
        node('root', 'dag', null),
        { ...node('root/cond', 'dag', 'root'), state: 'NOT_STARTED' },
        node('root/x', 'container', 'root'),
      ],
      edges: [{ from: 'root/x', to: 'root/cond' }],
    };
    const placed = layoutRun(graph);
    expect(placed?.boxes.map((b) => [b.node.path, b.open])).toEqual([
      ['root/cond', false],
      ['root/x', false],
    ]);
    const [cond, x] = placed?.boxes ?? [];
    expect((x?.y ?? 0) < (cond?.y ?? 0)).toBe(true);
  });
});
