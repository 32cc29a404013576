/**
 * kfp-kubernetes' CreatePVC and DeletePVC: steps that run no container, read from their resolved
 * inputs as KFP's driver reads them (fixtures/kfp/kubernetes, the SDK's own snapshots).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runGraph } from './graph.js';
import type { TaskRun } from './model.js';
import { isPlatformOp, platformOpOf } from './platform-ops.js';
import { PipelinesWorld } from './test-support/world.js';

/** A run of a kfp-kubernetes snapshot, its steps played with these simulated outputs. */
function played(file: string, simulation: Record<string, unknown> = {}, name = 'r') {
  const w = new PipelinesWorld();
  const text = readFileSync(new URL(`./fixtures/kfp/kubernetes/${file}.yaml`, import.meta.url), 'utf8');
  const runId = w.startRun(w.uploadFile(file.replace(/_/g, '-'), text), name, { simulation: simulation as never });
  w.play();
  return { w, runId, task: (path: string) => w.task(runId, path) };
}

/** The task with one of its inputs changed. */
const withInput = (t: TaskRun, name: string, value: unknown): TaskRun =>
  ({ ...t, inputs: { ...t.inputs, parameters: { ...t.inputs.parameters, [name]: value } } }) as TaskRun;

describe('CreatePVC and DeletePVC steps', () => {
  it('a claim with a generated name and a suffix, made before the steps that mount it and deleted after', () => {
    const { w, runId, task } = played('create_mount_delete_dynamic_pvc', { createpvc: { outputs: { name: 'the-claim' } } });
    const run = w.run(runId);
    const create = platformOpOf(run, task('root/createpvc'));
    expect(create).toEqual({
      ok: true,
      value: {
        kind: 'CreatePVC',
        name: expect.stringMatching(/^[0-9a-f]{16}-my-pvc$/),
        accessModes: ['ReadWriteOnce'],
        size: '5Mi',
        storageClassName: 'standard',
        volumeName: null,
        annotations: {},
      },
    });
    // The same step asks for the same claim every time; another run's step for another.
    expect(platformOpOf(run, task('root/createpvc'))).toEqual(create);
    const other = played('create_mount_delete_dynamic_pvc', {}, 'r2');
    const otherName = (platformOpOf(other.w.run(other.runId), other.task('root/createpvc')) as { value: { name: string } }).value
      .name;
    expect(otherName).not.toBe((create as { value: { name: string } }).value.name);
    // DeletePVC takes the name CreatePVC gave.
    expect(platformOpOf(run, task('root/deletepvc'))).toEqual({ ok: true, value: { kind: 'DeletePVC', name: 'the-claim' } });
    // The steps between run containers.
    expect(isPlatformOp(run, task('root/producer'))).toBe(false);
    expect(platformOpOf(run, task('root/producer'))).toBe(null);
    expect(isPlatformOp(run, task('root/createpvc'))).toBe(true);
    // The run's graph offers no job for the claim steps: they run none.
    const jobs = Object.fromEntries(runGraph(run).nodes.map((n) => [n.key, n.jobId]));
    expect(jobs.createpvc).toBe(null);
    expect(jobs.deletepvc).toBe(null);
    expect(jobs.producer).toBe(task('root/producer').jobId);
  });

  it('never reuses an earlier run’s outputs: each run makes and deletes its own claim, while its other steps may be cached', () => {
    const w = new PipelinesWorld();
    const text = readFileSync(new URL('./fixtures/kfp/kubernetes/create_mount_delete_dynamic_pvc.yaml', import.meta.url), 'utf8');
    const p = w.uploadFile('pvc', text);
    const first = w.startRun(p, 'first');
    w.play();
    const second = w.startRun(p, 'second');
    w.play();
    // The steps that read and write the volume are cached (enableCache, the same inputs)...
    expect(w.task(second, 'root/producer').state).toBe('CACHED');
    // ...but the claim steps ran again, the second run's claim its own.
    for (const key of ['createpvc', 'deletepvc']) expect(w.task(second, `root/${key}`).state).toBe('SUCCEEDED');
    const name = (runId: string) =>
      (platformOpOf(w.run(runId), w.task(runId, 'root/createpvc')) as { value: { name: string } }).value.name;
    expect(name(second)).not.toBe(name(first));
  });

  it('a claim named by an earlier step’s output', () => {
    const { w, runId, task } = played('create_mount_delete_existing_pvc_from_task_output', {
      'get-pvc-name': { outputs: { Output: 'shared-data' } },
    });
    const op = platformOpOf(w.run(runId), task('root/createpvc'));
    expect(op).toMatchObject({ ok: true, value: { kind: 'CreatePVC', name: 'shared-data', size: '5Gi' } });
  });

  it('inputs that cannot make a claim are why the step fails, named', () => {
    const { w, runId, task } = played('create_mount_delete_dynamic_pvc');
    const run = w.run(runId);
    const create = task('root/createpvc');
    const fails = (t: TaskRun) => {
      const op = platformOpOf(run, t);
      return op?.ok === false ? op.message : 'made';
    };
    expect(fails(withInput(create, 'pvc_name', 'Data_Claim'))).toBe('pvc_name and pvc_name_suffix: give one, not both');
    const named = withInput(withInput(create, 'pvc_name_suffix', ''), 'pvc_name', 'Data_Claim');
    expect(fails(named)).toBe(
      "pvc_name 'Data_Claim' is not a claim's name: lower-case letters, digits, '-' and '.', at most 253",
    );
    expect(fails(withInput(create, 'pvc_name_suffix', '-Bad'))).toMatch(
      /^the name with pvc_name_suffix '[0-9a-f]{16}-Bad' is not/,
    );
    expect(fails(withInput(create, 'access_modes', []))).toBe('access_modes: must list one or more access modes');
    expect(fails(withInput(create, 'access_modes', ['ReadWriteSometimes']))).toBe(
      'access_modes: "ReadWriteSometimes" is not one of ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod',
    );
    expect(fails(withInput(create, 'size', 'lots'))).toBe("size: 'lots' is not a quantity such as 5Gi");
    expect(fails(withInput(create, 'annotations', { team: 3 }))).toBe('annotations.team: must be a string');
    expect(fails(withInput(task('root/deletepvc'), 'pvc_name', ''))).toBe('pvc_name: the claim to delete is not named');
    // No class named: the cluster's default; a static volume bound with none: no class.
    const noClass = withInput(create, 'storage_class_name', '');
    expect(platformOpOf(run, noClass)).toMatchObject({ value: { storageClassName: null } });
    expect(platformOpOf(run, withInput(noClass, 'volume_name', 'pv-1'))).toMatchObject({
      value: { storageClassName: '', volumeName: 'pv-1' },
    });
  });
});
