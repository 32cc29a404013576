/**
 * The PersistentVolumeClaims pipeline steps ask for (kfp-kubernetes `CreatePVC` and `DeletePVC`,
 * core/pipelines/platform-ops.ts), made and deleted in the namespace of the run's group, where its
 * steps' pods run and mount them, as KFP's driver makes them.
 *
 * A claim gpupool makes carries its step's job id (`gpupool.io/job-id`), so a second ask for it (a
 * restarted executor, a second server) finds it made rather than failing; a claim of that name
 * that is someone else's fails the step, naming it. Deleting a claim that is not there succeeds:
 * it is gone either way, and a delete asked again after a restart would otherwise fail. A failure
 * of the server or the network (no answer, 429, 5xx) is one to ask again after, not the step's.
 */
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { PlatformOp, PlatformOps } from '../../core/pipelines/platform-ops.js';
import { apiStatus, isAlreadyExists, isNotFound, type Kube } from './kube.js';
import { JOB_ID_ANNOTATION, namespaceOf, type PodOptions } from './pods.js';

export function kubernetesClaims(kube: Kube, options: Pick<PodOptions, 'namespaces' | 'defaultNamespace'> = {}): PlatformOps {
  const failed = (what: string, error: unknown) => {
    const { code, message } = apiStatus(error);
    // The server or the network, not a refusal: the step asks again.
    const retry = code === undefined || code === 429 || code >= 500;
    return { ok: false as const, message: `${what}: ${message}`, ...(retry ? { retry } : {}) };
  };
  return {
    async run(op: PlatformOp, step) {
      const namespace = namespaceOf(step.group, options);
      if (op.kind === 'DeletePVC') {
        try {
          await kube.core.deleteNamespacedPersistentVolumeClaim({ namespace, name: op.name });
        } catch (error) {
          if (!isNotFound(error)) return failed(`deleting claim ${namespace}/${op.name}`, error);
        }
        return { ok: true };
      }
      const body: V1PersistentVolumeClaim = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: op.name, namespace, annotations: { ...op.annotations, [JOB_ID_ANNOTATION]: step.jobId } },
        spec: {
          accessModes: [...op.accessModes],
          resources: { requests: { storage: op.size } },
          ...(op.storageClassName === null ? {} : { storageClassName: op.storageClassName }),
          ...(op.volumeName === null ? {} : { volumeName: op.volumeName }),
        },
      };
      try {
        await kube.core.createNamespacedPersistentVolumeClaim({ namespace, body });
        return { ok: true };
      } catch (error) {
        if (!isAlreadyExists(error)) return failed(`making claim ${namespace}/${op.name}`, error);
      }
      try {
        const existing = await kube.core.readNamespacedPersistentVolumeClaim({ namespace, name: op.name });
        if (existing.metadata?.annotations?.[JOB_ID_ANNOTATION] === step.jobId) return { ok: true };
        return { ok: false, message: `a claim named ${namespace}/${op.name} exists already and is not this step's` };
      } catch (error) {
        return failed(`reading claim ${namespace}/${op.name}`, error);
      }
    },
  };
}
