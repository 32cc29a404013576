/**
 * What a container step runs as: the `pipeline-step` job the run executor submits for one attempt
 * of one task. Its command line has every placeholder resolved (placeholders.ts) against the
 * task's resolved inputs and the outputs KFP's driver would provision for it; its GPUs come from
 * `resources.accelerator` (count, and a type when it names one rather than a resource), its CPU
 * and memory from the rest; the Kubernetes platform spec of its executor goes with it for the
 * Kubernetes runtime to honour (secrets as env, volumes, node selectors, tolerations), with what
 * it reads from the task's context resolved (platform.ts).
 */
import { componentOf, executorOf, type KubernetesExecutorConfig, type ResourceSpec, type TaskSpec } from './ir.js';
import type { ArtifactValue, Run, TaskOutputs, TaskRun } from './model.js';
import {
  type CommandLineElement,
  type ExecutionContext,
  provisionOutputs,
  type RuntimeArtifact,
  resolveContainer,
} from './placeholders.js';
import { resolvePlatform } from './platform.js';

export interface StepJob {
  readonly image: string;
  readonly command: string[];
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly gpus: number;
  /** A GPU type the step asks for by name (`NVIDIA_TESLA_T4`), when it names one. */
  readonly gpuType: string | null;
  /**
   * The labels a GPU step's nodes must carry: its platform spec's node selector, less the GPU type
   * label (which `gpuType` says). The scheduler places the step on such nodes only. Null without
   * GPUs: the cluster's own scheduler places such a pod, by the selector it carries.
   */
  readonly nodeSelector: Readonly<Record<string, string>> | null;
  /**
   * A GPU step's required node affinity: its platform spec's node affinity terms without a weight,
   * in Kubernetes' shape (a node must satisfy one). Null without GPUs, as the selector, and when
   * it has none; preferred (weighted) terms are the cluster scheduler's to weigh.
   */
  readonly nodeAffinity: readonly RequiredTerm[] | null;
  /** Cores and bytes, when the step says. */
  readonly cpu: number | null;
  readonly memory: number | null;
  /** Where its outputs go: parameter files, artifact URIs, the executor output file. */
  readonly outputs: Pick<ExecutionContext, 'outputParameters' | 'outputArtifacts' | 'outputMetadataFile'>;
  /** Its executor's platform spec, resolved in the task's context: names and JSON values read (platform.ts). */
  readonly platform: KubernetesExecutorConfig | null;
}

/** The run's own root under its pipeline root: `<pipeline root>/<run id>`. */
export const runRoot = (run: Run): string => `${run.pipelineRoot.replace(/\/+$/, '')}/${run.id}`;

/** A task's name under the run's root: its path without `root/`. */
export const taskName = (task: TaskRun): string => task.path.replace(/^root\/?/, '') || 'root';

/** The outputs KFP's driver provisions for an attempt of a task (placeholders.ts provisionOutputs). */
export function stepOutputs(run: Run, task: TaskRun): StepJob['outputs'] {
  const component = componentOf(run.spec, { componentRef: { name: task.component } } as TaskSpec);
  return provisionOutputs(
    { pipelineRoot: runRoot(run), taskName: taskName(task), salt: String(task.attempt) },
    component?.outputDefinitions,
  );
}

/** An output's artifacts as the task reports them, from where its outputs were provisioned. */
export function provisionedArtifacts(outputs: StepJob['outputs']): TaskOutputs['artifacts'] {
  const out: Record<string, ArtifactValue[]> = {};
  for (const [name, a] of Object.entries(outputs.outputArtifacts)) {
    out[name] = [{ uri: a.uri, ...(a.type?.schemaTitle ? { schemaTitle: a.type.schemaTitle } : {}) }];
  }
  return out;
}

/** Kubernetes quantities the SDK writes: `500m`, `2`, `4G`, `512Mi`. */
export function parseQuantity(text: string | number | undefined): number | null {
  if (text === undefined) return null;
  if (typeof text === 'number') return Number.isFinite(text) ? text : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(m|k|K|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?\s*$/.exec(text);
  if (!m) return null;
  const scale: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
  };
  return Number(m[1]) * (m[2] ? (scale[m[2]] as number) : 1);
}

const gigabytes = (n: number | undefined): number | null => (n === undefined ? null : n * 1e9);

/** GPUs and their type from `resources.accelerator`: the newer `resourceCount`/`resourceType`, else `count`/`type`. */
export function acceleratorOf(resources: ResourceSpec | undefined): { gpus: number; gpuType: string | null } {
  const a = resources?.accelerator;
  if (!a) return { gpus: 0, gpuType: null };
  const count = parseQuantity(a.resourceCount ?? a.count) ?? 1;
  const type = a.type ?? a.resourceType ?? null;
  // `nvidia.com/gpu` is a resource, not a GPU type: any GPU of the group's pool will do.
  return { gpus: Math.max(0, Math.ceil(count)), gpuType: type !== null && !type.includes('/') ? type : null };
}

export interface StepJobOptions {
  /**
   * The node label that names a node's GPU type where the steps run (on Kubernetes, the node
   * inventory's: `nvidia.com/gpu.product` by default). A GPU step whose platform spec selects
   * nodes by it asks for that GPU type, so the scheduler places it on such nodes: its pods are
   * bound to the nodes it allocates, and a kubelet refuses a pod whose node selector its node does
   * not match.
   */
  readonly gpuTypeLabel?: string;
}

/**
 * A GPU step's GPU type: what its accelerator names, or what its node selector asks of the GPU type
 * label; the two must agree when both are given.
 */
function gpuTypeOf(
  accelerator: { gpus: number; gpuType: string | null },
  platform: KubernetesExecutorConfig | null,
  options: StepJobOptions,
): { ok: true; value: string | null } | { ok: false; message: string } {
  const label = options.gpuTypeLabel;
  const selected = label === undefined || accelerator.gpus === 0 ? undefined : platform?.nodeSelector?.labels?.[label];
  if (selected === undefined) return { ok: true, value: accelerator.gpuType };
  if (accelerator.gpuType !== null && accelerator.gpuType !== selected) {
    return {
      ok: false,
      message: `its accelerator type '${accelerator.gpuType}' and its node selector's ${label} '${selected}' name different GPU types`,
    };
  }
  return { ok: true, value: selected };
}

/** A required node selector term, as Kubernetes writes it. */
export interface RequiredTerm {
  readonly matchExpressions: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** A term of one's own, to hand on. */
type TermCopy = { matchExpressions: { key: string; operator: string; values?: string[] }[] };

/**
 * A step's node affinity terms as KFP's driver reads them, copied: those without a weight are
 * required, those with one preferred. Read from a resolved platform spec (platform.ts), where a
 * term given as JSON has become written terms; an empty term is left out (required, it would
 * match no node).
 */
export function affinityTerms(platform: KubernetesExecutorConfig | null): {
  required: TermCopy[];
  preferred: { weight: number; preference: TermCopy }[];
} {
  const required: TermCopy[] = [];
  const preferred: { weight: number; preference: TermCopy }[] = [];
  for (const t of platform?.nodeAffinity ?? []) {
    if ((t.matchExpressions?.length ?? 0) === 0) continue;
    const term = {
      matchExpressions: (t.matchExpressions ?? []).map((r) => ({
        key: r.key,
        operator: r.operator,
        ...(r.values === undefined ? {} : { values: [...r.values] }),
      })),
    };
    if (t.weight === undefined) required.push(term);
    else preferred.push({ weight: t.weight, preference: term });
  }
  return { required, preferred };
}

const orNull = <T>(list: T[]): T[] | null => (list.length === 0 ? null : list);

/** A GPU step's node selector as the scheduler reads it: every label but the GPU type label; null for none. */
function placementLabels(platform: KubernetesExecutorConfig | null, options: StepJobOptions): Record<string, string> | null {
  const labels = platform?.nodeSelector?.labels;
  if (!labels) return null;
  const kept = Object.entries(labels).filter(([k]) => k !== options.gpuTypeLabel);
  return kept.length === 0 ? null : Object.fromEntries(kept);
}

/** The job of a task's current attempt, or why it cannot be made. */
export function stepJob(
  run: Run,
  task: TaskRun,
  options: StepJobOptions = {},
): { ok: true; value: StepJob } | { ok: false; message: string } {
  const component = componentOf(run.spec, { componentRef: { name: task.component } } as TaskSpec);
  const executor = executorOf(run.spec, task.component);
  const container = executor?.container;
  if (!executor || !container) return { ok: false, message: `task '${task.key}' has no container to run` };
  const label = executor.label;
  const outputs = stepOutputs(run, task);
  const artifacts: Record<string, RuntimeArtifact[]> = {};
  for (const [name, list] of Object.entries(task.inputs.artifacts)) {
    artifacts[name] = list.map((a) => ({ name, uri: a.uri, ...(a.metadata ? { metadata: a.metadata } : {}) }));
  }
  const created = new Date(run.createdAt * 1000).toISOString();
  const ctx: ExecutionContext = {
    parameters: task.inputs.parameters,
    artifacts,
    ...(component?.inputDefinitions ? { inputDefinitions: component.inputDefinitions } : {}),
    ...outputs,
    job: {
      name: run.name,
      resourceName: run.id,
      uuid: run.id,
      createTimeUtc: created,
      scheduleTimeUtc: run.scheduledAt === null ? created : new Date(run.scheduledAt * 1000).toISOString(),
    },
    task: { name: task.key, uuid: task.jobId ?? task.path },
    pipelineRoot: runRoot(run),
  };
  const resolved = resolveContainer(
    { command: (container.command ?? []) as CommandLineElement[], args: (container.args ?? []) as CommandLineElement[] },
    ctx,
  );
  if (!resolved.ok) return { ok: false, message: `its command line: ${resolved.message}` };
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) env[e.name] = e.value;
  const r = container.resources;
  const written = run.platform?.kubernetes?.deploymentSpec?.executors?.[label];
  const resolvedPlatform = written === undefined ? null : resolvePlatform(run, task, written);
  if (resolvedPlatform !== null && !resolvedPlatform.ok) return resolvedPlatform;
  const platform = resolvedPlatform?.value ?? null;
  const accelerator = acceleratorOf(r);
  const gpuType = gpuTypeOf(accelerator, platform, options);
  if (!gpuType.ok) return gpuType;
  return {
    ok: true,
    value: {
      image: container.image,
      command: resolved.value.command,
      args: resolved.value.args,
      env,
      gpus: accelerator.gpus,
      gpuType: gpuType.value,
      nodeSelector: accelerator.gpus === 0 ? null : placementLabels(platform, options),
      nodeAffinity: accelerator.gpus === 0 ? null : orNull(affinityTerms(platform).required),
      cpu: parseQuantity(r?.resourceCpuLimit ?? r?.resourceCpuRequest) ?? r?.cpuLimit ?? r?.cpuRequest ?? null,
      // The older number fields count memory in gigabytes (pipeline_spec.proto).
      memory: parseQuantity(r?.resourceMemoryLimit ?? r?.resourceMemoryRequest) ?? gigabytes(r?.memoryLimit ?? r?.memoryRequest),
      outputs,
      platform,
    },
  };
}
