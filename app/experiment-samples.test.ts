/**
 * Every Katib sample (core/experiments/fixtures/katib) runs end to end from the API on `gpupool
 * serve` with the simulated runtime: created from its YAML by a data scientist, its trials run as
 * jobs of her group's pool, and it ends as Katib would (its budget spent, or the grid's points
 * visited). Trials run 50 ms here instead of the demo's 5 s.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type Served, serve } from './serve.js';

const FIXTURES = new URL('../core/experiments/fixtures/katib/', import.meta.url);
const SAMPLES = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'));

const CLUSTER = `nodes:\n  - id: n1\n    gpus: { type: A100, count: 8 }\n`;

let served: Served;
let nina: string;
afterAll(() => served?.close());

async function call(token: string, method: string, path: string, body?: string, type = 'application/json') {
  const res = await fetch(served.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': type }) },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('the Katib samples on gpupool serve', () => {
  it('starts a server with a team', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'gpupool-samples-'));
    writeFileSync(join(dir, 'cluster.yaml'), CLUSTER);
    served = await serve({
      port: 0,
      store: 'memory',
      cluster: join(dir, 'cluster.yaml'),
      launchDelaySeconds: 0.01,
      stopDelaySeconds: 0.01,
      simulatedTrialSeconds: 0.05,
    });
    const op = served.bootstrapToken?.token as string;
    expect((await call(op, 'POST', '/api/v1/groups', JSON.stringify({ groupId: 'ml', name: 'ML' }))).status).toBe(201);
    const pool = JSON.stringify({ poolId: 'a100', name: 'a100', gpuType: 'A100' });
    expect((await call(op, 'POST', '/api/v1/pools', pool)).status).toBe(201);
    expect((await call(op, 'POST', '/api/v1/pools/a100/allocations', JSON.stringify({ count: 8 }))).status).toBe(200);
    expect((await call(op, 'PUT', '/api/v1/groups/ml/pool', JSON.stringify({ poolId: 'a100' }))).status).toBe(200);
    const user = JSON.stringify({ userId: 'nina', name: 'Nina', role: 'data-scientist', groupId: 'ml' });
    expect((await call(op, 'POST', '/api/v1/users', user)).status).toBe(201);
    nina = (await call(op, 'POST', '/api/v1/users/nina/tokens', JSON.stringify({ label: 'samples' }))).body.token;
  });

  it.each(SAMPLES.map((f) => [f]))('%s runs to its end', async (file) => {
    const yaml = readFileSync(new URL(file, FIXTURES), 'utf8');
    const created = await call(nina, 'POST', '/api/v1/tuning/experiments', yaml, 'application/yaml');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const name = created.body.name as string;
    const deadline = Date.now() + 60_000;
    let x = created.body;
    while (x.status === 'Running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      x = (await call(nina, 'GET', `/api/v1/tuning/experiments/${name}`)).body;
    }
    expect(x.status, JSON.stringify({ reason: x.reason, message: x.message, counters: x.counters })).toBe('Succeeded');
    expect(x.reason).toBe('ExperimentMaxTrialsReached');
    expect(x.counters.trials).toBe(x.spec.maxTrialCount);
    // The median-stop sample stops trials early ("a bad feasible space ... to show more early stopped Trials").
    expect(x.counters.succeeded + x.counters.earlyStopped).toBe(x.spec.maxTrialCount);
    if (x.spec.earlyStopping === null) expect(x.counters.earlyStopped).toBe(0);
    expect(x.optimalTrial.objective).toBe(
      x.spec.objective.type === 'minimize'
        ? Math.min(...x.trials.map((t: { objective: number }) => t.objective))
        : Math.max(...x.trials.map((t: { objective: number }) => t.objective)),
    );
    for (const t of x.trials) {
      const job = (await call(nina, 'GET', `/api/v1/jobs/${encodeURIComponent(t.jobId)}`)).body;
      expect(job).toMatchObject({ kind: 'trial', owner: 'nina', group: 'ml' });
      // A trial stopped early has its job stopped, unless the job completed before the stop landed.
      expect(t.status === 'EarlyStopped' ? ['Stopped', 'Complete'] : ['Complete']).toContain(job.status);
    }
  });
});
