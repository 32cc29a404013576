/**
 * Test support for the Kubernetes adapter: a fake API server and a simulated cluster, so the
 * adapter's tests (and anyone running the suite) need no real cluster.
 *
 * - `startFakeCluster()` (cluster.ts): the whole thing, with a kubeconfig and a kubectl runner.
 * - `FakeApiServer` (fake-apiserver.ts): the API server alone, over HTTP and in-process.
 * - `KubeletSimulator` (kubelet.ts): nodes, pod lifecycles driven by `sim.gpupool.io/*`
 *   annotations, a scheduler and the Job controller.
 * - `waitFor` (wait.ts): polling for outcomes of the simulator's timers.
 */
export * from './cluster.js';
export * from './fake-apiserver.js';
export * from './kubelet.js';
export type { PatchType } from './patch.js';
export type { Json, K8sObject, ObjectMeta, OwnerReference } from './resources.js';
export { ApiError, type Status } from './status.js';
export type { DeleteOptions, ListOptions, PatchOptions, StoreEvent, WriteOptions } from './store.js';
export * from './wait.js';
