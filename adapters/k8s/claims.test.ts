/**
 * The claims pipeline steps make and delete (kfp-kubernetes CreatePVC and DeletePVC) against the
 * fake API server: made in the group's namespace as KFP's driver makes them, found made when
 * asked again by the same step, refused when the name is someone else's, deleted whether or not
 * it is still there.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlatformOp } from '../../core/pipelines/platform-ops.js';
import { kubernetesClaims } from './claims.js';
import { connect } from './kube.js';
import { JOB_ID_ANNOTATION } from './pods.js';
import { type FakeCluster, startFakeCluster } from './test-support/cluster.js';

let cluster: FakeCluster;
beforeEach(async () => {
  cluster = await startFakeCluster();
});
afterEach(async () => {
  await cluster.close();
});

const create: PlatformOp = {
  kind: 'CreatePVC',
  name: 'scratch',
  accessModes: ['ReadWriteOnce'],
  size: '5Gi',
  storageClassName: null,
  volumeName: null,
  annotations: { team: 'nlp' },
};

describe('kubernetesClaims', () => {
  it('makes a claim in the namespace of the run’s group, with its step’s job id; asked again by that step, finds it made', async () => {
    const claims = kubernetesClaims(connect({ kubeconfig: cluster.kubeconfigPath }), { namespaces: { nlp: 'team-nlp' } });
    const step = { group: 'nlp', jobId: 'nlp/r:0.1' };
    expect(await claims.run(create, step)).toEqual({ ok: true });
    const made = cluster.api.get('persistentvolumeclaims', 'team-nlp', 'scratch');
    expect(made?.metadata.annotations).toEqual({ team: 'nlp', [JOB_ID_ANNOTATION]: 'nlp/r:0.1' });
    // No class named: none written, so the cluster's default class provisions it.
    expect(made?.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } });
    expect(await claims.run(create, step)).toEqual({ ok: true });
    // Another step asking for that name is refused, and the claim is left as it was.
    expect(await claims.run(create, { group: 'nlp', jobId: 'nlp/other:0.1' })).toEqual({
      ok: false,
      message: "a claim named team-nlp/scratch exists already and is not this step's",
    });
    expect(cluster.api.get('persistentvolumeclaims', 'team-nlp', 'scratch')?.metadata.annotations?.[JOB_ID_ANNOTATION]).toBe(
      'nlp/r:0.1',
    );
  });

  it('a static volume’s claim names it and its class; deleting a claim twice succeeds twice', async () => {
    const claims = kubernetesClaims(connect({ kubeconfig: cluster.kubeconfigPath }));
    const step = { group: 'g', jobId: 'g/r:0.1' };
    expect(await claims.run({ ...create, storageClassName: '', volumeName: 'pv-1' }, step)).toEqual({ ok: true });
    expect(cluster.api.get('persistentvolumeclaims', 'default', 'scratch')?.spec).toMatchObject({
      storageClassName: '',
      volumeName: 'pv-1',
    });
    expect(await claims.run({ kind: 'DeletePVC', name: 'scratch' }, step)).toEqual({ ok: true });
    expect(cluster.api.get('persistentvolumeclaims', 'default', 'scratch')).toBeUndefined();
    expect(await claims.run({ kind: 'DeletePVC', name: 'scratch' }, step)).toEqual({ ok: true });
  });

  it('says what the API server refused, for a make and for a delete; a failure of the server is one to ask again after', async () => {
    const claims = kubernetesClaims(connect({ kubeconfig: cluster.kubeconfigPath }));
    const step = { group: 'g', jobId: 'g/r:0.1' };
    cluster.api.failNext(1, { status: 403, reason: 'Forbidden', message: 'persistentvolumeclaims is forbidden', verb: 'create' });
    expect(await claims.run(create, step)).toEqual({
      ok: false,
      message: 'making claim default/scratch: persistentvolumeclaims is forbidden',
    });
    cluster.api.failNext(1, { status: 500, message: 'etcd is down', verb: 'delete' });
    // The server's own failure may pass: the step asks again.
    expect(await claims.run({ kind: 'DeletePVC', name: 'scratch' }, step)).toEqual({
      ok: false,
      message: 'deleting claim default/scratch: etcd is down',
      retry: true,
    });
  });
});
