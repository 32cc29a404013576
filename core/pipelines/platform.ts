/**
 * The names a step's Kubernetes platform spec reads from its task's context, resolved as KFP's
 * driver resolves them (backend/src/v2/driver/k8s.go): a secret's, config map's or PVC's name given
 * as `secretNameParameter` (and its kin) is a constant, an input of the DAG the task is in, or an
 * output of a task before it. What resolves is written into the plain name field
 * (`secretName`, `configMapName`, `pvcName`), so the runtime reads names only; what does not
 * (an input or output not there, a value not a string) is left without a name, and the runtime
 * refuses the step's pod naming it.
 */
import type { InputParameterSpec, JsonValue, KubernetesExecutorConfig } from './ir.js';
import { childPath, type Run, type TaskRun } from './model.js';

/** A name parameter's value in the task's context, or undefined when it cannot be had. */
export function nameParameterValue(run: Run, task: TaskRun, spec: InputParameterSpec): string | undefined {
  let value: JsonValue | undefined;
  if (spec.runtimeValue) value = spec.runtimeValue.constant;
  else if (spec.componentInputParameter !== undefined) {
    const name = spec.componentInputParameter;
    const parent = task.parent === null ? undefined : run.tasks.get(task.parent);
    value = parent?.inputs.parameters[name] ?? task.inputs.parameters[name];
  } else if (spec.taskOutputParameter && task.parent !== null) {
    const producer = run.tasks.get(childPath(task.parent, spec.taskOutputParameter.producerTask));
    value = producer?.outputs?.parameters[spec.taskOutputParameter.outputParameterKey];
  }
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The platform spec with every name parameter that resolves written as the name (the parameter wins, as in KFP). */
export function resolvePlatformNames(run: Run, task: TaskRun, config: KubernetesExecutorConfig): KubernetesExecutorConfig {
  const named = <T extends object, K extends string>(
    list: readonly T[] | undefined,
    param: keyof T,
    field: K,
  ): readonly (T & Partial<Record<K, string>>)[] | undefined =>
    list?.map((item) => {
      const p = item[param] as InputParameterSpec | undefined;
      const value = p === undefined ? undefined : nameParameterValue(run, task, p);
      return (value === undefined ? item : { ...item, [field]: value }) as T & Partial<Record<K, string>>;
    });
  return {
    ...config,
    ...(config.secretAsEnv ? { secretAsEnv: named(config.secretAsEnv, 'secretNameParameter', 'secretName') } : {}),
    ...(config.secretAsVolume ? { secretAsVolume: named(config.secretAsVolume, 'secretNameParameter', 'secretName') } : {}),
    ...(config.configMapAsEnv ? { configMapAsEnv: named(config.configMapAsEnv, 'configMapNameParameter', 'configMapName') } : {}),
    ...(config.configMapAsVolume
      ? { configMapAsVolume: named(config.configMapAsVolume, 'configMapNameParameter', 'configMapName') }
      : {}),
    ...(config.pvcMount ? { pvcMount: named(config.pvcMount, 'pvcNameParameter', 'pvcName') } : {}),
    ...(config.imagePullSecret ? { imagePullSecret: named(config.imagePullSecret, 'secretNameParameter', 'secretName') } : {}),
  } as KubernetesExecutorConfig;
}
