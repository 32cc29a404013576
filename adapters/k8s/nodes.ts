/**
 * Node inventory: the cluster's GPU nodes, as Kubernetes reports them, registered in gpupool.
 *
 * It watches Nodes (list-watch.ts) and keeps the engine's nodes in step:
 * - A node's GPUs are `status.allocatable[<gpuResource>]` (default `nvidia.com/gpu`, what the
 *   NVIDIA device plugin advertises: allocatable, not capacity, so GPUs the plugin marks unhealthy
 *   are not offered), their type the node's `<gpuTypeLabel>` (default `nvidia.com/gpu.product`, as
 *   GPU feature discovery sets it). A new node registers (its GPUs land in the Default Pool); a
 *   changed count or type registers again (the core fails the jobs on GPUs that vanished).
 * - `spec.unschedulable` (kubectl cordon) cordons, its removal uncordons.
 * - A node whose Ready condition is not True for longer than `notReadyGraceSeconds` (counted from
 *   the condition's lastTransitionTime, so a restart of gpupool does not restart the count), or
 *   that is deleted, is lost: the core fails the jobs on it. One that comes back registers again.
 * - Nodes without GPUs are not registered; a registered node whose GPUs all go re-registers empty.
 * - On the first list, gpupool's nodes that the cluster does not have are lost (deleted while
 *   gpupool was down).
 *
 * What to do is decided from the engine's current state and the observed node (`nodeCommands`,
 * pure), one command at a time until nothing differs. Each command's id is derived from the node
 * object that called for it (`k8s-nodes:<uid>:<resourceVersion>:<what>`), so a restarted inventory,
 * or two of them, send the same ids and the engine applies each once.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { Command } from '../../core/cluster/commands.js';
import type { NodeState, State } from '../../core/cluster/model.js';
import type { Clock } from '../../core/ports.js';
import type { Engine } from '../../engine/engine.js';
import type { Kube } from './kube.js';
import { startListWatch } from './list-watch.js';

export const NODES_REACTOR = 'k8s-nodes';

export interface NodeInventoryOptions {
  /** The extended resource that counts a node's GPUs. Default `nvidia.com/gpu`. */
  readonly gpuResource?: string;
  /** The node label that names its GPU type. Default `nvidia.com/gpu.product`. */
  readonly gpuTypeLabel?: string;
  /** The type of GPUs on a node without that label. Default `gpu`. */
  readonly defaultGpuType?: string;
  /** How long a node may be NotReady before it is lost. Default 60 s. */
  readonly notReadyGraceSeconds?: number;
  /** Only nodes matching this label selector are gpupool's (default: every node). */
  readonly labelSelector?: string;
  readonly clock?: Clock;
  readonly onError?: (error: unknown) => void;
}

/** What gpupool keeps of a Kubernetes node. */
export interface ObservedNode {
  readonly name: string;
  /** The object's uid and resourceVersion: the command ids are derived from them. */
  readonly uid: string;
  readonly resourceVersion: string;
  readonly gpus: number;
  readonly gpuType: string;
  readonly labels: Record<string, string>;
  readonly cordoned: boolean;
  /** Whether its Ready condition is True; and since when (seconds) it is not, when it is not. */
  readonly ready: boolean;
  readonly notReadySince: number | null;
  /** Deleted from the cluster (its last state, kept for the id of the command that loses it). */
  readonly deleted?: boolean;
}

/** The node label that names its GPU type, unless told another (NodeInventoryOptions.gpuTypeLabel). */
export const DEFAULT_GPU_TYPE_LABEL = 'nvidia.com/gpu.product';

/** Read a Kubernetes node (pure). `problems` collects what could not be read. */
export function observeNode(
  node: V1Node,
  options: Pick<NodeInventoryOptions, 'gpuResource' | 'gpuTypeLabel' | 'defaultGpuType'>,
  problems: string[] = [],
): ObservedNode {
  const name = node.metadata?.name ?? '';
  const resource = options.gpuResource ?? 'nvidia.com/gpu';
  const raw = node.status?.allocatable?.[resource];
  let gpus = 0;
  if (raw !== undefined) {
    gpus = Number(raw);
    if (!Number.isSafeInteger(gpus) || gpus < 0) {
      problems.push(`node '${name}': ${resource} allocatable is ${JSON.stringify(raw)}, not a whole number; counted as 0`);
      gpus = 0;
    }
  }
  // Every label: a job's node selector may name any of them (core/cluster/node-selector.ts), and
  // the scheduler must know which nodes carry it to place the job where its pods will be admitted.
  const labels: Record<string, string> = { ...(node.metadata?.labels ?? {}) };
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const isReady = ready?.status === 'True';
  let since: number | null = null;
  if (!isReady && ready?.lastTransitionTime !== undefined) {
    const t = new Date(ready.lastTransitionTime as unknown as string).getTime();
    if (Number.isFinite(t)) since = t / 1000;
  }
  const typeLabel = node.metadata?.labels?.[options.gpuTypeLabel ?? DEFAULT_GPU_TYPE_LABEL];
  return {
    name,
    uid: node.metadata?.uid ?? name,
    resourceVersion: node.metadata?.resourceVersion ?? '0',
    gpus,
    gpuType: typeLabel !== undefined && typeLabel !== '' ? typeLabel : (options.defaultGpuType ?? 'gpu'),
    labels,
    cordoned: node.spec?.unschedulable === true,
    // A node without a Ready condition yet (just joined) is taken as ready: its kubelet reports soon.
    ready: isReady || ready === undefined,
    notReadySince: isReady || ready === undefined ? null : since,
  };
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
};

/** Whether gpupool's node has the observed node's GPUs (count and type) and labels. */
function registeredAs(state: State, current: NodeState, observed: ObservedNode): boolean {
  if (current.devices.length !== observed.gpus || !sameLabels(current.labels, observed.labels)) return false;
  return current.devices.every((id, i) => {
    const d = state.devices.get(id);
    return d?.index === i && d.gpuType === observed.gpuType;
  });
}

/**
 * The next command that brings gpupool's node in step with the observed one (undefined: the node
 * is gone), or null when none is needed. `now` decides whether a NotReady node's grace has run out.
 */
export function nodeCommand(
  state: State,
  name: string,
  observed: ObservedNode | undefined,
  now: number,
  graceSeconds: number,
): Command | null {
  const current = state.nodes.get(name);
  // A node gpupool has and the cluster never listed (deleted while gpupool was down) has no object
  // to name: the state's revision names the moment it was found missing.
  const id = (what: string) =>
    `${NODES_REACTOR}:${observed ? `${observed.uid}:${observed.resourceVersion}` : `${name}:absent@${state.revision}`}:${what}`;
  const lost =
    observed === undefined ||
    observed.deleted === true ||
    (!observed.ready && now - (observed.notReadySince ?? now) >= graceSeconds);
  if (lost) {
    if (current === undefined || current.lost) return null;
    return { type: 'LoseNode', nodeId: name, commandId: id('lost') };
  }
  if (!observed.ready) return null; // within its grace: as it was
  if (current === undefined && observed.gpus === 0) return null;
  if (current === undefined || current.lost || !registeredAs(state, current, observed)) {
    return {
      type: 'RegisterNode',
      nodeId: name,
      name,
      labels: observed.labels,
      devices: Array.from({ length: observed.gpus }, (_, index) => ({ index, gpuType: observed.gpuType })),
      commandId: id('registered'),
    };
  }
  if (observed.cordoned !== current.cordoned) {
    return observed.cordoned
      ? { type: 'CordonNode', nodeId: name, commandId: id('cordoned') }
      : { type: 'UncordonNode', nodeId: name, commandId: id('uncordoned') };
  }
  return null;
}

export interface NodeInventory {
  /** Resolves once the first list is in gpupool. */
  readonly synced: Promise<void>;
  /** Resolves when every change seen so far is in gpupool. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startNodeInventory(engine: Engine, kube: Kube, options: NodeInventoryOptions = {}): NodeInventory {
  const clock = options.clock ?? { now: () => Date.now() / 1000 };
  const grace = options.notReadyGraceSeconds ?? 60;
  if (!(Number.isFinite(grace) && grace >= 0)) throw new RangeError(`notReadyGraceSeconds must be >= 0, got ${grace}`);
  const onError = options.onError ?? ((e: unknown) => console.error(`gpupool nodes: ${(e as Error).message ?? e}`));
  const observed = new Map<string, ObservedNode>();
  const graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** One chain of work: changes are brought into gpupool in the order they were seen. */
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  let firstSync = true;

  const enqueue = (work: () => Promise<void>) => {
    chain = chain.then(work).catch(onError);
  };

  /** Send the commands that bring node `name` in step, one at a time (each reads the state the last left). */
  async function settle(name: string): Promise<void> {
    for (let step = 0; step < 4 && !stopped; step++) {
      const command = nodeCommand(engine.current, name, observed.get(name), clock.now(), grace);
      if (command === null) return;
      const outcome = await engine.execute(command);
      if (!outcome.ok) {
        onError(new Error(`node '${name}': ${command.type} refused: ${outcome.rejection.message}`));
        return;
      }
      if (outcome.duplicate) return; // already sent (a restart, another server): the state has it
    }
  }

  /** A NotReady node is looked at again when its grace runs out. */
  function watchGrace(node: ObservedNode): void {
    const before = graceTimers.get(node.name);
    if (before !== undefined) clearTimeout(before);
    graceTimers.delete(node.name);
    if (node.ready) return;
    const due = (node.notReadySince ?? clock.now()) + grace - clock.now();
    const timer = setTimeout(
      () => {
        graceTimers.delete(node.name);
        if (!stopped) enqueue(() => settle(node.name));
      },
      Math.max(0, due * 1000) + 10,
    );
    timer.unref?.();
    graceTimers.set(node.name, timer);
  }

  const watch = startListWatch<V1Node>(
    kube,
    {
      path: '/api/v1/nodes',
      list: (selectors) => kube.core.listNode(selectors),
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
    },
    {
      onChange(type, node) {
        const problems: string[] = [];
        const seen = observeNode(node, options, problems);
        for (const p of problems) onError(new Error(p));
        if (type === 'DELETED') {
          observed.set(seen.name, { ...seen, deleted: true });
          const timer = graceTimers.get(seen.name);
          if (timer !== undefined) clearTimeout(timer);
          graceTimers.delete(seen.name);
        } else {
          // A NotReady node keeps the time it went NotReady, if the condition does not say.
          const earlier = observed.get(seen.name);
          const notReadySince = seen.ready ? null : (seen.notReadySince ?? earlier?.notReadySince ?? clock.now());
          const node2 = { ...seen, notReadySince };
          observed.set(seen.name, node2);
          watchGrace(node2);
        }
        enqueue(() => settle(seen.name));
      },
      onSynced() {
        if (!firstSync) return;
        firstSync = false;
        // gpupool's nodes the cluster no longer has were deleted while it was down.
        enqueue(async () => {
          for (const [name, node] of engine.current.nodes) {
            if (!node.lost && !observed.has(name)) await settle(name);
          }
        });
      },
      onError,
    },
  );
  const synced = watch.synced.then(() => chain);
  return {
    synced,
    idle: async () => {
      let last: Promise<void>;
      do {
        last = chain;
        await last;
      } while (last !== chain);
    },
    async stop() {
      stopped = true;
      for (const timer of graceTimers.values()) clearTimeout(timer);
      graceTimers.clear();
      await watch.stop();
      await chain;
    },
  };
}
