/**
 * `gpupool serve` runs pipelines end to end: a fresh installation offers an example pipeline; a run
 * of it created through the API runs its steps as jobs on the simulated runtime, takes the branch
 * its simulation fixture steers, and its model becomes a model version; a compiled KFP sample
 * uploaded as a file runs too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../adapters/test-support/event-store-contract.js';
import { parsePipelineFile } from '../core/pipelines/parse.js';
import { EXAMPLE_PIPELINE } from './examples.js';
import { type Served, serve } from './serve.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-pipelines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CLUSTER = join(dir, 'cluster.yaml');
writeFileSync(CLUSTER, 'nodes:\n  - id: n1\n    gpus: { type: A100, count: 4 }\n');

const running = new Set<Served>();
afterEach(async () => {
  await Promise.all([...running].map((s) => s.close()));
  running.clear();
});

const client =
  (url: string, token: string) =>
  async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': type }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };

describe('gpupool serve with pipelines', () => {
  it('the example pipeline is a valid KFP pipeline', () => {
    const parsed = parsePipelineFile(JSON.stringify(EXAMPLE_PIPELINE));
    expect(parsed.ok ? parsed.value.format : parsed.issues).toBe('v2');
  });

  it('runs the example pipeline and an uploaded sample through the API on the simulated runtime', async () => {
    const served = await serve({ port: 0, store: join(dir, 'p.db'), cluster: CLUSTER, launchDelaySeconds: 0.01 });
    running.add(served);
    const api = client(served.url, served.bootstrapToken?.token as string);
    const pipelines = await api('GET', '/api/v1/pipelines');
    expect(pipelines.body.map((p: { name: string }) => p.name)).toEqual(['train-and-evaluate']);

    const made = await api('POST', '/api/v1/pipeline-runs', {
      name: 'first',
      pipeline: 'train-and-evaluate',
      simulation: { train: { outputs: { accuracy: 0.95 } }, prepare: { seconds: 0.05 } },
    });
    expect(made.status).toBe(201);
    await eventually(async () => expect((await api('GET', '/api/v1/pipeline-runs/first')).body.state).toBe('SUCCEEDED'), 15_000);
    const run = (await api('GET', '/api/v1/pipeline-runs/first')).body;
    const states = Object.fromEntries(run.graph.nodes.map((n: { path: string; state: string }) => [n.path, n.state]));
    expect(states).toMatchObject({
      'root/prepare': 'SUCCEEDED',
      'root/train': 'SUCCEEDED',
      'root/condition-1/evaluate': 'SUCCEEDED',
    });
    const job = run.graph.nodes.find((n: { path: string }) => n.path === 'root/train').jobId;
    expect((await api('GET', `/api/v1/jobs/${encodeURIComponent(job)}`)).body).toMatchObject({ kind: 'pipeline-step', gpus: 1 });
    await eventually(async () =>
      expect((await api('GET', '/api/v1/models/train-and-evaluate-model')).body.versions[0].lineage.job).toBe(job),
    );

    const sample = readFileSync(
      new URL('../core/pipelines/fixtures/kfp/compiled/critical_flip_coin.yaml', import.meta.url),
      'utf8',
    );
    expect((await api('POST', '/api/v1/pipelines?name=flip', sample, 'application/yaml')).status).toBe(201);
    expect(
      (
        await api('POST', '/api/v1/pipeline-runs', {
          name: 'flip-1',
          pipeline: 'flip',
          simulation: { 'flip-coin': { outputs: { Output: 'tails' } } },
        })
      ).status,
    ).toBe(201);
    await eventually(async () => expect((await api('GET', '/api/v1/pipeline-runs/flip-1')).body.state).toBe('SUCCEEDED'), 15_000);
    const flip = (await api('GET', '/api/v1/pipeline-runs/flip-1')).body;
    expect(flip.graph.nodes.find((n: { path: string }) => n.path === 'root/condition-1').state).toBe('SKIPPED');
  });
});
