/**
 * The cluster side of the Kubernetes benchmark, in a process of its own so that the fake API
 * server and its kubelet simulator do not share an event loop with gpupool: a fake cluster of
 * `nodes` nodes of `gpus` GPUs. It answers its parent over IPC: `expire` drops the watch cache
 * and ends every watch with an in-stream 410 (as an API server whose watch cache moved on), `pods`
 * counts the pods it holds, `close` ends it.
 */
import { startFakeCluster } from '../adapters/k8s/test-support/cluster.js';

const [nodes, gpus] = process.argv.slice(2).map(Number);
const send = (m: unknown) => (process.send as (m: unknown) => boolean)(m);

const cluster = await startFakeCluster({
  nodes: Array.from({ length: nodes ?? 1000 }, (_, i) => ({ name: `gpu-${i + 1}`, gpus: gpus ?? 8 })),
  kubelet: { startAfterMs: 20 },
  api: { eventWindow: 200_000 },
});
send({ type: 'ready', kubeconfig: cluster.kubeconfigPath });
process.on('message', async (m: { type?: string }) => {
  if (m.type === 'expire') {
    cluster.api.compact();
    send({ type: 'expired', watches: cluster.api.expireWatches() });
  } else if (m.type === 'pods') {
    send({ type: 'pods', count: cluster.api.list('pods').length });
  } else if (m.type === 'close') {
    await cluster.close();
    process.exit(0);
  }
});
