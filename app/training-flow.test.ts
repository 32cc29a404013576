/**
 * The data scientist's flow through `gpupool serve` on SQLite, over a socket, with the simulated
 * runtime: a workspace and a dataset, a training job pinned to them that reports metrics while it
 * runs, and on completion a model version with the final metrics and the job's lineage, recorded
 * by the job-outputs reactor; a rerun pins the very same versions.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../adapters/test-support/event-store-contract.js';
import { serve } from './serve.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-flow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CLUSTER = join(dir, 'cluster.yaml');
writeFileSync(CLUSTER, 'nodes:\n  - id: n1\n    gpus: { type: A100, count: 4 }\n');

describe('training a model from a workspace and a dataset', () => {
  it('records the model version with its metrics and lineage when the job completes', async () => {
    const served = await serve({
      port: 0,
      store: join(dir, 'flow.db'),
      cluster: CLUSTER,
      launchDelaySeconds: 0.05,
      leaderLeaseSeconds: 1,
    });
    try {
      const token = served.bootstrapToken?.token as string;
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(served.url + path, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
      };
      const ok = async (method: string, path: string, body: unknown, status = 201) => {
        const r = await call(method, path, body);
        expect(r.status, JSON.stringify(r.body)).toBe(status);
        return r.body;
      };
      // A fresh installation offers an example workspace and dataset, a version each.
      const examples = (await call('GET', '/api/v1/workspaces')).body.map((w: { name: string }) => w.name);
      expect(examples).toEqual(['examples']);
      expect((await call('GET', '/api/v1/datasets/mnist')).body.versions).toHaveLength(1);
      await ok('POST', '/api/v1/workspaces', { name: 'cv', source: { kind: 'git', url: 'https://github.com/acme/cv.git' } });
      await ok('POST', '/api/v1/workspaces/cv/versions', { pin: { commit: '9f1c2e' } });
      await ok('POST', '/api/v1/datasets', { name: 'images', source: { kind: 'object', uri: 's3://acme/images/' } });
      await ok('POST', '/api/v1/datasets/images/versions', { pin: { etag: 'e-1' } });
      await ok('POST', '/api/v1/models', { name: 'resnet' });
      const job = await ok('POST', '/api/v1/jobs', {
        jobId: 'train-1',
        kind: 'training',
        gpus: 1,
        expectedDuration: 1,
        spec: { image: 'pytorch:2.3', hyperparameters: { lr: 0.01, epochs: 3 } },
        inputs: {
          workspace: { assetId: 'cv' },
          datasets: [{ assetId: 'images', mountPath: '/data/images' }],
          hyperparametersFile: 'configs/train.yaml',
        },
        output: { model: 'resnet' },
      });
      expect(job.output).toEqual({ model: 'default/resnet' });
      // It reports metrics while it trains.
      await eventually(async () => expect((await call('GET', '/api/v1/jobs/train-1')).body.status).toBe('Training'), 10_000, 20);
      await ok('POST', '/api/v1/jobs/train-1/metrics', {
        points: [
          { name: 'loss', value: 0.8 },
          { name: 'acc', value: 0.6 },
        ],
      });
      await ok('POST', '/api/v1/jobs/train-1/metrics', {
        points: [
          { name: 'loss', value: 0.3 },
          { name: 'acc', value: 0.9 },
        ],
      });
      // When it completes, the model has a version made from exactly what the job ran on.
      await eventually(async () => expect((await call('GET', '/api/v1/jobs/train-1')).body.status).toBe('Complete'), 15_000, 50);
      await eventually(
        async () => expect((await call('GET', '/api/v1/models/resnet')).body.versions).toHaveLength(1),
        15_000,
        50,
      );
      const version = (await call('GET', '/api/v1/models/resnet')).body.versions[0];
      expect(version).toMatchObject({
        version: 1,
        uri: 'gpupool://jobs/default/train-1/model',
        metrics: { loss: 0.3, acc: 0.9 },
        lineage: {
          job: 'default/train-1',
          workspace: { assetId: 'default/cv', version: 1 },
          datasets: [{ assetId: 'default/images', version: 1 }],
          hyperparameters: { lr: 0.01, epochs: 3 },
          hyperparametersFile: 'configs/train.yaml',
          image: 'pytorch:2.3',
        },
      });
      // What the model was made from is in use: archived, not deleted.
      expect((await call('DELETE', '/api/v1/datasets/images')).status).toBe(409);
      // Reproducing the version: a new training job with exactly the same request, inputs and output.
      await ok('POST', '/api/v1/workspaces/cv/versions', { pin: { commit: 'later' } });
      const again = await ok('POST', '/api/v1/models/resnet/versions/1/reproduce', { jobId: 'train-2' });
      expect(again).toMatchObject({
        id: 'default/train-2',
        kind: 'training',
        clonedFrom: 'default/train-1',
        inputs: job.inputs,
        output: { model: 'default/resnet' },
        spec: { image: 'pytorch:2.3', hyperparameters: { lr: 0.01, epochs: 3 } },
      });
      expect(again.inputs.workspace).toEqual({ assetId: 'default/cv', version: 1 });
      await eventually(
        async () => expect((await call('GET', '/api/v1/models/resnet')).body.versions).toHaveLength(2),
        15_000,
        50,
      );
    } finally {
      await served.close();
    }
  }, 60_000);
});
