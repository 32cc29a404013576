/**
 * Steps that run no container: kfp-kubernetes' `CreatePVC` and `DeletePVC`. Their executors name
 * the images `argostub/createpvc` and `argostub/deletepvc`, which do not exist; KFP's driver
 * recognises them and does what they ask itself (backend/src/v2/driver/k8s.go `createPVCTask`,
 * `deletePVCTask`). So does the run executor: it reads the step's resolved inputs here, has the
 * cluster make or delete the PersistentVolumeClaim, and reports the step ended, `CreatePVC` with
 * its output `name`, which later steps mount (`mount_pvc`) and `DeletePVC` takes.
 *
 * The claim's name is the step's `pvc_name`, or, as KFP makes one, a generated name followed by
 * `pvc_name_suffix`. KFP generates a random one; here it is derived from the step's job id, so an
 * executor that restarts, or a second server, asks for the same claim and finds it made.
 */
import { hashOfValue } from '../idempotency.js';
import type { Result } from '../result.js';
import { executorOf, type JsonValue } from './ir.js';
import type { Run, TaskRun } from './model.js';

export const CREATE_PVC_IMAGE = 'argostub/createpvc';
export const DELETE_PVC_IMAGE = 'argostub/deletepvc';

/** The access modes a claim may ask for. */
export const PVC_ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] as const;

export type PlatformOp =
  | {
      readonly kind: 'CreatePVC';
      readonly name: string;
      readonly accessModes: readonly string[];
      /** A quantity: `5Gi`. */
      readonly size: string;
      /** The storage class; null for the cluster's default. */
      readonly storageClassName: string | null;
      /** A PersistentVolume to bind (a statically provisioned one); null for none. */
      readonly volumeName: string | null;
      readonly annotations: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'DeletePVC'; readonly name: string };

/**
 * The port through which such a step is done: on Kubernetes, a claim made or deleted in the
 * namespace of the run's group (adapters/k8s/claims.ts); why not, when it cannot be.
 */
export interface PlatformOps {
  /** Done, or why not; `retry` when the cause may pass (the API server unavailable): the step waits and asks again. */
  run(
    op: PlatformOp,
    step: { readonly group: string; readonly jobId: string },
  ): Promise<{ ok: true } | { ok: false; message: string; retry?: boolean }>;
}

/** A DNS-1123 subdomain, as Kubernetes names a claim. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Whether a text is a Kubernetes quantity as sizes are written: `512Mi`, `5Gi`, `0.5`. */
export const isQuantity = (text: string): boolean => /^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.test(text);

/** Whether a container image names one of these steps. */
export const isPlatformOpImage = (image: string | undefined): boolean => image === CREATE_PVC_IMAGE || image === DELETE_PVC_IMAGE;

/** Whether a task is one of these steps. */
export function isPlatformOp(run: Run, task: Pick<TaskRun, 'component'>): boolean {
  return isPlatformOpImage(executorOf(run.spec, task.component)?.container?.image);
}

type Read = Result<PlatformOp, { readonly message: string }>;

const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');

/**
 * What a `CreatePVC` or `DeletePVC` step asks for, read from its resolved inputs; null for a step
 * that runs a container. A step whose inputs are wrong is why it fails.
 */
export function platformOpOf(run: Run, task: TaskRun): Read | null {
  const image = executorOf(run.spec, task.component)?.container?.image;
  if (!isPlatformOpImage(image)) return null;
  const p = task.inputs.parameters;
  const bad = (message: string): Read => ({ ok: false, message });
  const checkedName = (name: string, what: string): Read | null =>
    name.length > 253 || !DNS_SUBDOMAIN.test(name)
      ? bad(`${what} '${name}' is not a claim's name: lower-case letters, digits, '-' and '.', at most 253`)
      : null;
  if (image === DELETE_PVC_IMAGE) {
    const name = text(p.pvc_name);
    if (name === '') return bad('pvc_name: the claim to delete is not named');
    return checkedName(name, 'pvc_name') ?? { ok: true, value: { kind: 'DeletePVC', name } };
  }
  const given = text(p.pvc_name);
  const suffix = text(p.pvc_name_suffix);
  if (given !== '' && suffix !== '') return bad('pvc_name and pvc_name_suffix: give one, not both');
  const name = given !== '' ? given : `${hashOfValue(task.jobId ?? task.path)}${suffix}`;
  const refused = checkedName(name, given !== '' ? 'pvc_name' : 'the name with pvc_name_suffix');
  if (refused) return refused;
  const modes = p.access_modes;
  if (!Array.isArray(modes) || modes.length === 0) return bad('access_modes: must list one or more access modes');
  const unknown = modes.find((m) => !(PVC_ACCESS_MODES as readonly JsonValue[]).includes(m));
  if (unknown !== undefined) {
    return bad(`access_modes: ${JSON.stringify(unknown)} is not one of ${PVC_ACCESS_MODES.join(', ')}`);
  }
  const size = text(p.size);
  if (!isQuantity(size)) return bad(`size: '${size}' is not a quantity such as 5Gi`);
  const annotations = p.annotations ?? {};
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) {
    return bad('annotations: must be an object of strings');
  }
  const notString = Object.entries(annotations).find(([, v]) => typeof v !== 'string');
  if (notString) return bad(`annotations.${notString[0]}: must be a string`);
  const volumeName = text(p.volume_name);
  const storageClass = text(p.storage_class_name ?? p.storage_class);
  return {
    ok: true,
    value: {
      kind: 'CreatePVC',
      name,
      accessModes: modes as string[],
      size,
      // No class named: the cluster's default; binding a named volume with none: no class ('').
      storageClassName: storageClass !== '' ? storageClass : volumeName !== '' ? '' : null,
      volumeName: volumeName === '' ? null : volumeName,
      annotations: annotations as Record<string, string>,
    },
  };
}
