import {
  childPath,
  type ResolvedInputs,
  ROOT,
  type Run,
  type TaskKind,
  type TaskOutputs,
  type TaskRun,
  type TaskState,
} from './model.js';
import { isPlatformOp } from './platform-ops.js';
import { dagOf, kindOf, upstreamOf } from './run-progress.js';

/** A task's state in the graph: a task state, or NOT_STARTED for one not created yet. */
export type GraphNodeState = TaskState | 'NOT_STARTED';

export interface GraphNode {
  readonly path: string;
  readonly key: string;
  readonly name: string;
  readonly kind: TaskKind;
  /** The DAG (or loop) execution it belongs to; null for the root. */
  readonly parent: string | null;
  readonly state: GraphNodeState;
  readonly iteration: number | null;
  /** null until it is created. */
  readonly inputs: ResolvedInputs | null;
  readonly outputs: TaskOutputs | null;
  /** The job that runs it; null for none (not created yet, not a container, or a CreatePVC or DeletePVC step, which runs no job). */
  readonly jobId: string | null;
  /** A container's attempts so far (0 when not created, and for other kinds). */
  readonly attempt: number;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly message: string | null;
  /** Its outputs were reused from an earlier execution. */
  readonly cached: boolean;
  /** A failed attempt's retry: when it may start. */
  readonly retryAt: number | null;
  /** Every state it went through, with when (empty until it is created). */
  readonly history: readonly { readonly state: TaskState; readonly at: number }[];
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
}

export interface RunGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

function createdNode(run: Run, t: TaskRun): GraphNode {
  return {
    path: t.path,
    key: t.key,
    name: t.name,
    kind: t.kind,
    parent: t.parent,
    state: t.state,
    iteration: t.iteration,
    inputs: t.inputs,
    outputs: t.outputs,
    jobId: t.kind === 'container' && isPlatformOp(run, t) ? null : t.jobId,
    attempt: t.attempt,
    startedAt: t.startedAt,
    endedAt: t.endedAt,
    message: t.message,
    cached: t.state === 'CACHED',
    retryAt: t.retryAt,
    history: t.history.map((h) => ({ state: h.state, at: h.at })),
  };
}

function notStarted(
  path: string,
  key: string,
  name: string,
  kind: TaskKind,
  parent: string,
  iteration: number | null,
): GraphNode {
  return {
    path,
    key,
    name,
    kind,
    parent,
    state: 'NOT_STARTED',
    iteration,
    inputs: null,
    outputs: null,
    jobId: null,
    attempt: 0,
    startedAt: null,
    endedAt: null,
    message: null,
    cached: false,
    retryAt: null,
    history: [],
  };
}

/**
 * The run's graph, depth first from the root: each DAG's tasks in the order its spec lists them,
 * each loop's iterations in item order.
 */
export function runGraph(run: Run): RunGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();

  const visit = (t: TaskRun): void => {
    seen.add(t.path);
    nodes.push(createdNode(run, t));
    if (t.kind === 'loop') {
      const count = Math.max(t.items?.length ?? 0, t.children.length);
      for (let i = 0; i < count; i++) {
        const path = childPath(t.path, String(i));
        const it = run.tasks.get(path);
        if (it) visit(it);
        else if (t.state !== 'SKIPPED') nodes.push(notStarted(path, t.key, `${t.name} #${i}`, 'dag', t.path, i));
      }
      return;
    }
    if (t.kind !== 'dag') return;
    const tasks = t.state === 'SKIPPED' ? {} : (dagOf(run, t)?.tasks ?? {});
    for (const [key, spec] of Object.entries(tasks)) {
      const path = childPath(t.path, key);
      const child = run.tasks.get(path);
      if (child) visit(child);
      else nodes.push(notStarted(path, key, spec.taskInfo.name, kindOf(run, spec), t.path, null));
      for (const up of upstreamOf(spec)) if (Object.hasOwn(tasks, up)) edges.push({ from: childPath(t.path, up), to: path });
    }
  };

  const root = run.tasks.get(ROOT);
  if (root) visit(root);
  // Whatever the walk did not reach (a task its DAG's spec does not list) is still shown.
  for (const t of run.tasks.values()) if (!seen.has(t.path)) nodes.push(createdNode(run, t));
  return { nodes, edges };
}

/** How many of a graph's steps (containers and importers) are in each state, NOT_STARTED included. */
export function taskCountsOf(graph: RunGraph): Partial<Record<GraphNodeState, number>> {
  const counts: Partial<Record<GraphNodeState, number>> = {};
  for (const n of graph.nodes) {
    if (n.kind !== 'container' && n.kind !== 'importer') continue;
    counts[n.state] = (counts[n.state] ?? 0) + 1;
  }
  return counts;
}

/** The run's steps by state (taskCountsOf its graph). */
export const taskCounts = (run: Run): Partial<Record<GraphNodeState, number>> => taskCountsOf(runGraph(run));
