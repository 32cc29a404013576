/** The pods gpupool makes on a fake cluster, by the job each runs, as they are created. */
import { JOB_ID_ANNOTATION } from '../../adapters/k8s/pods.js';
import type { FakeCluster } from '../../adapters/k8s/test-support/cluster.js';
import type { K8sObject } from '../../adapters/k8s/test-support/resources.js';

/** Notes into `pods`, by its job's id, every pod gpupool creates on `cluster` from now on. */
export function recordPodsByJob(cluster: FakeCluster, pods: Map<string, K8sObject>): void {
  cluster.api.onEvent((e) => {
    const jobId = e.object.metadata.annotations?.[JOB_ID_ANNOTATION];
    if (e.resource.plural === 'pods' && e.type === 'ADDED' && jobId) pods.set(jobId, e.object);
  });
}
