/**
 * The Kubeflow Pipelines v2 intermediate representation (IR), as the KFP SDK compiles a pipeline:
 * the subset of `pipeline_spec.proto` gpupool runs, in the JSON/YAML field names the SDK writes.
 * The parsers (parse.ts) check an uploaded file against these shapes and turn v1 components and
 * graphs into them, so the run executor (dag.ts) knows one form only.
 *
 * Field names and optionality follow the proto, so a compiled file is read as it is; values the
 * proto leaves open (a constant's JSON value, a default) are `JsonValue`.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const PARAMETER_TYPES = [
  'STRING',
  'NUMBER_INTEGER',
  'NUMBER_DOUBLE',
  'BOOLEAN',
  'LIST',
  'STRUCT',
  'TASK_FINAL_STATUS',
  'TASK_CONFIG',
] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface ParameterSpec {
  readonly parameterType: ParameterType;
  readonly defaultValue?: JsonValue;
  readonly isOptional?: boolean;
  readonly description?: string;
}

export interface ArtifactTypeSchema {
  /** `system.Artifact`, `system.Dataset`, `system.Model`, `system.Metrics`, ... */
  readonly schemaTitle?: string;
  readonly schemaVersion?: string;
}

export interface ArtifactSpec {
  readonly artifactType: ArtifactTypeSchema;
  readonly isArtifactList?: boolean;
  readonly isOptional?: boolean;
  readonly description?: string;
}

export interface InterfaceSpec {
  readonly parameters?: Readonly<Record<string, ParameterSpec>>;
  readonly artifacts?: Readonly<Record<string, ArtifactSpec>>;
}

/** Where a task input comes from: exactly one of the sources, optionally narrowed by a selector. */
export interface InputParameterSpec {
  readonly taskOutputParameter?: { readonly producerTask: string; readonly outputParameterKey: string };
  /** A constant; a string may embed `{{$.inputs.parameters['x']}}` of the task's other inputs. */
  readonly runtimeValue?: { readonly constant: JsonValue };
  /** An input of the DAG the task is in. */
  readonly componentInputParameter?: string;
  /** The final status of a task (an exit handler's input). */
  readonly taskFinalStatus?: { readonly producerTask: string };
  /** A CEL expression over the value (`parseJson(string_value)["key"]`). */
  readonly parameterExpressionSelector?: string;
}

export interface InputArtifactSpec {
  readonly taskOutputArtifact?: { readonly producerTask: string; readonly outputArtifactKey: string };
  readonly componentInputArtifact?: string;
}

export interface TaskInputsSpec {
  readonly parameters?: Readonly<Record<string, InputParameterSpec>>;
  readonly artifacts?: Readonly<Record<string, InputArtifactSpec>>;
}

export const TRIGGER_STRATEGIES = ['ALL_UPSTREAM_TASKS_SUCCEEDED', 'ALL_UPSTREAM_TASKS_COMPLETED'] as const;
export type TriggerStrategy = (typeof TRIGGER_STRATEGIES)[number];

export interface TriggerPolicy {
  /** CEL over `inputs.parameter_values[...]` (cel.ts); the task is skipped when false. */
  readonly condition?: string;
  /** Default ALL_UPSTREAM_TASKS_SUCCEEDED; COMPLETED runs it whatever its upstream did (exit handlers). */
  readonly strategy?: TriggerStrategy;
}

export interface ParameterIteratorSpec {
  /** A JSON list written in the file (`raw`), or the name of one of the task's input parameters. */
  readonly items: { readonly raw?: string; readonly inputParameter?: string };
  /** The input of the loop's DAG that receives each item. */
  readonly itemInput: string;
}

export interface ArtifactIteratorSpec {
  readonly items: { readonly inputArtifact: string };
  readonly itemInput: string;
}

export interface RetryPolicy {
  readonly maxRetryCount?: number;
  /** Durations as the proto's JSON writes them: `"3s"`, `"0.5s"`. */
  readonly backoffDuration?: string;
  readonly backoffFactor?: number;
  readonly backoffMaxDuration?: string;
}

export interface TaskSpec {
  readonly taskInfo: { readonly name: string };
  readonly componentRef: { readonly name: string };
  readonly inputs?: TaskInputsSpec;
  readonly dependentTasks?: readonly string[];
  readonly cachingOptions?: { readonly enableCache?: boolean; readonly cacheKey?: string };
  readonly triggerPolicy?: TriggerPolicy;
  readonly parameterIterator?: ParameterIteratorSpec;
  readonly artifactIterator?: ArtifactIteratorSpec;
  readonly iteratorPolicy?: { readonly parallelismLimit?: number };
  readonly retryPolicy?: RetryPolicy;
}

export interface OutputParameterSelector {
  readonly producerSubtask: string;
  readonly outputParameterKey: string;
}

export interface DagOutputParameterSpec {
  readonly valueFromParameter?: OutputParameterSelector;
  /** The first of these producers that ran (If/Elif/Else branches). */
  readonly valueFromOneof?: { readonly parameterSelectors: readonly OutputParameterSelector[] };
}

export interface DagOutputArtifactSpec {
  readonly artifactSelectors: readonly { readonly producerSubtask: string; readonly outputArtifactKey: string }[];
}

export interface DagSpec {
  readonly tasks: Readonly<Record<string, TaskSpec>>;
  readonly outputs?: {
    readonly parameters?: Readonly<Record<string, DagOutputParameterSpec>>;
    readonly artifacts?: Readonly<Record<string, DagOutputArtifactSpec>>;
  };
}

/** A component: a container (through its executor) or a DAG of tasks. */
export interface ComponentSpec {
  readonly inputDefinitions?: InterfaceSpec;
  readonly outputDefinitions?: InterfaceSpec;
  readonly executorLabel?: string;
  readonly dag?: DagSpec;
}

export interface AcceleratorSpec {
  /** The SDK writes both the old and the new names; counts are strings or numbers. */
  readonly type?: string;
  readonly count?: string | number;
  readonly resourceType?: string;
  readonly resourceCount?: string | number;
}

export interface ResourceSpec {
  readonly cpuLimit?: number;
  readonly memoryLimit?: number;
  readonly cpuRequest?: number;
  readonly memoryRequest?: number;
  /** The newer string forms (`"500m"`, `"2G"`). */
  readonly resourceCpuLimit?: string;
  readonly resourceMemoryLimit?: string;
  readonly resourceCpuRequest?: string;
  readonly resourceMemoryRequest?: string;
  readonly accelerator?: AcceleratorSpec;
}

export interface ContainerSpec {
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  readonly resources?: ResourceSpec;
}

export interface ImporterSpec {
  readonly artifactUri: { readonly constant?: JsonValue; readonly runtimeParameter?: string };
  readonly typeSchema: ArtifactTypeSchema;
  readonly reimport?: boolean;
  readonly metadata?: Readonly<Record<string, JsonValue>>;
}

export interface ExecutorSpec {
  readonly container?: ContainerSpec;
  readonly importer?: ImporterSpec;
}

export interface PipelineSpec {
  readonly pipelineInfo: { readonly name: string; readonly displayName?: string; readonly description?: string };
  readonly components: Readonly<Record<string, ComponentSpec>>;
  readonly root: ComponentSpec;
  readonly deploymentSpec: { readonly executors: Readonly<Record<string, ExecutorSpec>> };
  readonly schemaVersion: string;
  readonly sdkVersion?: string;
  readonly defaultPipelineRoot?: string;
}

/** The Kubernetes platform spec of one executor (the second YAML document the SDK writes). */
export interface KubernetesExecutorConfig {
  // Each secret's or config map's name is written, or (newer SDKs) read from an input of the task
  // (`secretNameParameter`, `configMapNameParameter`, `pvcNameParameter`).
  readonly secretAsEnv?: readonly {
    readonly secretName?: string;
    readonly secretNameParameter?: InputParameterSpec;
    readonly keyToEnv?: readonly { readonly secretKey: string; readonly envVar: string }[];
  }[];
  readonly secretAsVolume?: readonly {
    readonly secretName?: string;
    readonly secretNameParameter?: InputParameterSpec;
    readonly mountPath: string;
    readonly optional?: boolean;
  }[];
  readonly configMapAsEnv?: readonly {
    readonly configMapName?: string;
    readonly configMapNameParameter?: InputParameterSpec;
    readonly keyToEnv?: readonly { readonly configMapKey: string; readonly envVar: string }[];
  }[];
  readonly configMapAsVolume?: readonly {
    readonly configMapName?: string;
    readonly configMapNameParameter?: InputParameterSpec;
    readonly mountPath: string;
    readonly optional?: boolean;
  }[];
  readonly pvcMount?: readonly {
    readonly constant?: string;
    readonly pvcName?: string;
    readonly pvcNameParameter?: InputParameterSpec;
    /** Older SDKs name the claim by these directly, where newer ones write `pvcNameParameter`. */
    readonly taskOutputParameter?: InputParameterSpec['taskOutputParameter'];
    readonly componentInputParameter?: string;
    readonly mountPath: string;
    /** A path inside the volume to mount instead of its root. */
    readonly subPath?: string;
  }[];
  /**
   * The labels a step's nodes must carry, written (`labels`) or read when the step starts from an
   * input of its task's context as a JSON object (`nodeSelectorJson`, kfp-kubernetes
   * `add_node_selector_json`); platform.ts resolves the second into the first.
   */
  readonly nodeSelector?: {
    readonly labels?: Readonly<Record<string, string>>;
    readonly nodeSelectorJson?: InputParameterSpec;
  };
  /**
   * Node affinity terms (kfp-kubernetes `add_node_affinity`): without a weight, required terms (a
   * node must satisfy one); with a weight (1 to 100), preferred ones, left to the cluster's scheduler.
   * A term may instead read a whole Kubernetes NodeAffinity from an input (`nodeAffinityJson`,
   * `add_node_affinity_json`), which platform.ts resolves into terms of the first kind.
   */
  readonly nodeAffinity?: readonly {
    readonly matchExpressions?: readonly {
      readonly key: string;
      readonly operator: string;
      readonly values?: readonly string[];
    }[];
    readonly weight?: number;
    readonly nodeAffinityJson?: InputParameterSpec;
  }[];
  /** Tolerations, written or (`tolerationJson`, `add_toleration_json`) read from an input: one, or a list. */
  readonly tolerations?: readonly {
    readonly key?: string;
    readonly operator?: string;
    readonly value?: string;
    readonly effect?: string;
    readonly tolerationSeconds?: number;
    readonly tolerationJson?: InputParameterSpec;
  }[];
  readonly podMetadata?: {
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly imagePullSecret?: readonly { readonly secretName?: string; readonly secretNameParameter?: InputParameterSpec }[];
  /** The main container's image pull policy (`set_image_pull_policy`): Always, Never or IfNotPresent. */
  readonly imagePullPolicy?: string;
  /** The pod's deadline in seconds (`set_timeout`); protobuf's JSON writes this int64 as a string. */
  readonly activeDeadlineSeconds?: number | string;
  /** Env variables from the pod's own fields (`use_field_path_as_env`): `metadata.name`, `status.podIP`... */
  readonly fieldPathAsEnv?: readonly { readonly name: string; readonly fieldPath: string }[];
  /** emptyDir volumes (`empty_dir_mount`): `medium: Memory` for a larger /dev/shm. */
  readonly emptyDirMounts?: readonly {
    readonly volumeName: string;
    readonly mountPath: string;
    readonly medium?: string;
    readonly sizeLimit?: string;
  }[];
  /** The main container's identity (`set_security_context`); protobuf's JSON writes the ids as strings. */
  readonly securityContext?: {
    readonly runAsUser?: number | string;
    readonly runAsGroup?: number | string;
    readonly runAsNonRoot?: boolean;
  };
  /** Containers run before the main one (`add_init_container`), mounting the step's volumes by their names. */
  readonly initContainers?: readonly {
    readonly name: string;
    readonly image: string;
    readonly command?: readonly string[];
    readonly args?: readonly string[];
    readonly env?: readonly { readonly name: string; readonly value?: string }[];
    readonly volumeMounts?: readonly { readonly volumeName: string; readonly mountPath: string }[];
    readonly resources?: {
      readonly requests?: Readonly<Record<string, string>>;
      readonly limits?: Readonly<Record<string, string>>;
    };
    /** `Always` makes it a native sidecar, the one value allowed. */
    readonly restartPolicy?: string;
  }[];
  /** Generic ephemeral volumes (`add_ephemeral_volume`): a PVC made with the pod and deleted with it. */
  readonly genericEphemeralVolume?: readonly {
    readonly volumeName: string;
    readonly mountPath: string;
    readonly accessModes?: readonly string[];
    readonly size?: string;
    readonly defaultStorageClass?: boolean;
    readonly storageClassName?: string;
    readonly metadata?: {
      readonly labels?: Readonly<Record<string, string>>;
      readonly annotations?: Readonly<Record<string, string>>;
    };
  }[];
}

export interface PlatformSpec {
  readonly kubernetes?: {
    readonly deploymentSpec?: { readonly executors?: Readonly<Record<string, KubernetesExecutorConfig>> };
  };
}

/** What an uploaded file became: the IR to run, its platform spec, and what it was written as. */
export interface ParsedPipeline {
  readonly spec: PipelineSpec;
  readonly platform: PlatformSpec | null;
  /** A compiled v2 pipeline, a v1 component (one step), or a v1 graph component. */
  readonly format: 'v2' | 'v1-component' | 'v1-graph';
}

/** The component a task runs. */
export const componentOf = (spec: PipelineSpec, task: TaskSpec): ComponentSpec | undefined =>
  spec.components[task.componentRef.name];

/** A component's executor: its label, and its container or importer; none for a DAG. */
export function executorOf(
  spec: PipelineSpec,
  component: string,
): ({ readonly label: string } & Partial<ExecutorSpec>) | undefined {
  const label = spec.components[component]?.executorLabel;
  return label === undefined ? undefined : { label, ...spec.deploymentSpec.executors[label] };
}
