/**
 * Jobs' logs on Kubernetes: a worker's log is its pod's main container's, read from the API server
 * (`GET pods/{name}/log`), where the runtime put the pod (pods.ts: its name by job and rank, its
 * namespace by group). Once a job has ended and its pods are deleted (runtime.ts), the log goes with
 * them: the answer says it is gone.
 */
import type { JobLogSource, LogAnswer } from '../http/job-logs.js';
import { apiStatus, isNotFound, type Kube } from './kube.js';
import { namespaceOf, type PodOptions, podName } from './pods.js';

export function kubernetesJobLogs(kube: Kube, options: Pick<PodOptions, 'namespaces' | 'defaultNamespace'> = {}): JobLogSource {
  return {
    async read(job, { worker, tailLines, limitBytes }): Promise<LogAnswer> {
      const name = podName(job.id, worker);
      const namespace = namespaceOf(job.group, options);
      try {
        const text = await kube.core.readNamespacedPodLog({
          name,
          namespace,
          container: 'main',
          limitBytes,
          ...(tailLines === null ? {} : { tailLines }),
        });
        const log = String(text);
        // The API server stops at limitBytes without saying so: a log of exactly that many bytes may have more.
        return { ok: true, text: log, truncated: Buffer.byteLength(log) >= limitBytes };
      } catch (e) {
        if (isNotFound(e)) {
          return {
            ok: false,
            gone: true,
            message: `pod ${namespace}/${name} is not there (deleted once its job ended, or not made yet): its log is gone with it`,
          };
        }
        // The pod is there but has no log to give yet (its container is still being created): an empty log.
        const status = apiStatus(e);
        if (status.code === 400 && /waiting to start|ContainerCreating|PodInitializing/.test(status.message)) {
          return { ok: true, text: '', truncated: false };
        }
        throw new Error(`reading the log of pod ${namespace}/${name} failed: ${status.message}`);
      }
    },
  };
}
