/**
 * Pipelines over HTTP: every compiled KFP sample and a v1 component upload, a broken file is
 * answered with every issue and its path, versions, the component library and a v1 graph resolved
 * from it, runs created through the API and driven to their final states (the executor's reports
 * sent to the engine by hand, as the simulated runtime would), terminate, retry, archive and
 * restore, pipeline experiments, recurring runs (create, edit with versions, enable, disable,
 * trigger), and who sees and changes what.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { isRunDone } from '../../core/pipelines/model.js';
import { PIPELINES_STREAM, pipelinesDecider } from '../../core/pipelines/pipelines-decider.js';
import { simulatedStep } from '../../core/pipelines/simulation.js';
import { AGGREGATE_STUB, MISSING_URL } from '../../core/pipelines/test-support/xgboost-graph.js';
import { createDeciderEngine } from '../../engine/engine.js';
import { InMemoryEventStore } from '../memory/store.js';
import type { PipelinesEngine } from './context.js';
import { type Fixture, fixture, type Who } from './test-support/fixture.js';

const KFP = fileURLToPath(new URL('../../core/pipelines/fixtures/kfp/', import.meta.url));
const COMPILED = readdirSync(`${KFP}compiled`).filter((n) => n.endsWith('.yaml'));
const sample = (name: string) => readFileSync(`${KFP}compiled/${name}.yaml`, 'utf8');
const component = (name: string) => readFileSync(`${KFP}components/${name}`, 'utf8');

let f: Fixture;
let pipelines: PipelinesEngine;
const clock = { t: 1000, now: () => clock.t };
beforeEach(async () => {
  clock.t = 1000;
  const store = new InMemoryEventStore();
  pipelines = await createDeciderEngine(pipelinesDecider, { store, stream: PIPELINES_STREAM, clock });
  f = await fixture({ store, pipelines });
});
afterEach(async () => {
  await f.close();
  await pipelines.close();
});

const upload = (who: Who, text: string, query = '', type = 'application/yaml') =>
  f.call(who, 'POST', `/api/v1/pipelines${query}`, text, { 'content-type': type });

/** A refused request: a problem, and nothing appended to the pipelines stream. */
// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
async function refused(request: () => Promise<{ status: number; body: any }>, status?: number) {
  const revision = pipelines.revision;
  const r = await request();
  if (status !== undefined) expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.body.type).toMatch(/^urn:gpupool:problem:/);
  expect(pipelines.revision).toBe(revision);
  return r;
}

/**
 * The executor's part, by hand: every step ready is started and ended as its fixture says
 * (simulation.ts, as the simulated runtime plays it; a terminated run's steps end canceled),
 * until the run ends or nothing more is ready. Returns the run's state.
 */
async function drive(runId: string, rounds = 100): Promise<string> {
  for (let i = 0; i < rounds; i++) {
    const run = pipelines.current.runs.get(runId);
    if (!run || isRunDone(run.state)) return run?.state ?? 'missing';
    const ready = [...run.tasks.values()].filter((t) => t.kind === 'container' && t.state === 'PENDING');
    const running = [...run.tasks.values()].filter((t) => t.kind === 'container' && t.state === 'RUNNING');
    if (ready.length === 0 && running.length === 0) return run.state;
    clock.t += 1;
    for (const t of ready) {
      const o = await pipelines.execute({ type: 'ReportTaskStarted', runId, task: t.path, attempt: t.attempt });
      expect(o.ok).toBe(true);
    }
    const now = pipelines.current.runs.get(runId);
    if (!now) return 'missing';
    for (const t of [...now.tasks.values()].filter((x) => x.kind === 'container' && x.state === 'RUNNING')) {
      const step = simulatedStep(now, t);
      const outcome = now.state === 'CANCELING' ? 'canceled' : step.outcome;
      const o = await pipelines.execute({
        type: 'ReportTaskEnded',
        runId,
        task: t.path,
        attempt: t.attempt,
        outcome,
        ...(outcome === 'succeeded' ? { outputs: step.outputs as never } : {}),
        ...(step.message ? { message: step.message } : {}),
      });
      expect(o.ok).toBe(true);
    }
  }
  return pipelines.current.runs.get(runId)?.state ?? 'missing';
}

describe('uploading pipelines', () => {
  it('every compiled sample uploads as YAML: 201 with its Location, named after its pipelineInfo, read back as answered', async () => {
    expect(COMPILED.length).toBeGreaterThanOrEqual(12);
    for (const file of COMPILED) {
      const text = readFileSync(`${KFP}compiled/${file}`, 'utf8');
      const r = await upload('alice', text);
      expect(r.status, `${file}: ${JSON.stringify(r.body).slice(0, 400)}`).toBe(201);
      const doc = parseAllDocuments(text)[0]?.toJS() as { pipelineInfo: { name: string } };
      const name = doc.pipelineInfo.name.toLowerCase().replace(/[^-0-9a-z]+/g, '-');
      expect(r.body).toMatchObject({
        id: `ga/${name}`,
        name,
        group: 'ga',
        owner: 'alice',
        versions: [{ id: `ga/${name}@v1`, name: 'v1', format: 'v2' }],
        latestVersion: { name: 'v1' },
      });
      expect(r.headers.location).toBe(`/api/v1/pipelines/${encodeURIComponent(name)}?group=ga`);
      expect((await f.call('bob', 'GET', r.headers.location as string)).body).toEqual(r.body);
    }
    const list = await f.call('alice', 'GET', '/api/v1/pipelines?limit=5');
    expect(list.body).toHaveLength(5);
    expect(list.headers['x-total-count']).toBe(String(COMPILED.length));
  });

  it('a version’s view: its IR, its platform spec and its inputs with their defaults', async () => {
    const r = await upload('alice', sample('gpu-scheduling_nvidia_gpu_scheduling_check'), '?name=gpu&description=checks');
    expect(r.status).toBe(201);
    expect(r.body.description).toBe('checks');
    const v = await f.call('alice', 'GET', '/api/v1/pipelines/gpu/versions/latest');
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ id: 'ga/gpu@v1', name: 'v1', format: 'v2', description: 'checks' });
    expect(v.body.spec.pipelineInfo).toBeDefined();
    expect(v.body.platform?.kubernetes).toBeDefined();
    const retry = await upload('alice', sample('critical_pipeline_with_retry'), '?name=retry');
    expect(retry.status).toBe(201);
    const inputs = (await f.call('alice', 'GET', '/api/v1/pipelines/retry/versions/v1')).body.inputs;
    expect(inputs).toEqual([
      { name: 'a', parameterType: 'NUMBER_DOUBLE', defaultValue: 1, isOptional: true },
      { name: 'b', parameterType: 'NUMBER_DOUBLE', defaultValue: 7, isOptional: true },
    ]);
  });

  it('as JSON, and as every YAML media type', async () => {
    const doc = parseAllDocuments(sample('hello_world'))[0]?.toJS();
    const asJson = await f.call('alice', 'POST', '/api/v1/pipelines?name=as-json', doc);
    expect(asJson.status).toBe(201);
    expect(asJson.body.versions[0].format).toBe('v2');
    for (const type of ['application/x-yaml', 'text/yaml']) {
      expect((await upload('alice', sample('hello_world'), `?name=${type.replace('/', '-')}`, type)).status).toBe(201);
    }
  });

  it('a v1 component.yaml: a one-step pipeline', async () => {
    const r = await upload('alice', component('v1test_add_component.yaml'));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'add', versions: [{ format: 'v1-component' }] });
  });

  it('a broken file: 400 with every issue at once, each with its path under body; nothing recorded', async () => {
    const broken = sample('hello_world')
      .replace(/^schemaVersion: .*$/m, '')
      .replace(/componentRef:\n(\s+)name: comp-echo/, 'componentRef:\n$1name: comp-nope');
    const r = await refused(() => upload('alice', broken), 400);
    expect(r.body.code).toBe('invalid-input');
    const paths = r.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.schemaVersion', 'body.root.dag.tasks.echo.componentRef.name']));
    const ref = r.body.errors.find((e: { path: string }) => e.path === 'body.root.dag.tasks.echo.componentRef.name');
    expect(ref.actual).toBe('"comp-nope"');
    // The parser's sentence as the issue's message, to be read as it is (and, as ever, as what was expected).
    expect(ref.message).toBe("no component 'comp-nope' in components");
    expect(ref.expected).toBe(ref.message);
    expect(r.body.detail).toMatch(/root\.dag\.tasks\.echo\.componentRef\.name/);
    // Empty, not YAML, not a pipeline.
    for (const [text, path] of [
      ['', 'body'],
      ['{ a: [', 'body'],
      ['- 1\n- 2\n', 'body'],
      ['kind: Experiment\n', 'body'],
    ] as const) {
      const e = await refused(() => upload('alice', text), 400);
      expect(e.body.errors[0].path).toBe(path);
    }
  });

  it('a name or version that is not one, and a name taken, are refused', async () => {
    expect((await refused(() => upload('alice', sample('hello_world'), '?name=a%2Fb'), 400)).body.errors[0].path).toBe(
      'query.name',
    );
    expect((await refused(() => upload('alice', sample('hello_world'), '?version=latest'), 400)).body.errors[0].path).toBe(
      'query.version',
    );
    expect((await upload('alice', sample('hello_world'))).status).toBe(201);
    expect((await refused(() => upload('bob', sample('hello_world')), 409)).body.code).toBe('already-exists');
    // Another group has names of its own.
    expect((await upload('carol', sample('hello_world'))).status).toBe(201);
  });

  it('an operator uploads for another user; a data scientist only for themselves', async () => {
    const r = await upload('admin', sample('hello_world'), '?owner=bob');
    expect(r.body).toMatchObject({ owner: 'bob', group: 'ga' });
    await refused(() => upload('alice', sample('hello_world'), '?owner=bob&name=x'), 403);
    await refused(() => upload('admin', sample('hello_world'), '?owner=nobody-here&name=x'), 404);
  });
});

describe('versions', () => {
  it('a new version (v2 by default, or named), the latest run by default; only the owner or an operator adds one', async () => {
    await upload('alice', sample('hello_world'), '?name=p');
    const v2 = await f.call('alice', 'POST', '/api/v1/pipelines/p/versions', sample('two_step_pipeline'), {
      'content-type': 'application/yaml',
    });
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({ id: 'ga/p@v2', name: 'v2', format: 'v2' });
    expect(v2.headers.location).toBe('/api/v1/pipelines/p/versions/v2?group=ga');
    const named = await f.call(
      'admin',
      'POST',
      '/api/v1/pipelines/p/versions?group=ga&name=nightly&description=n',
      sample('hello_world'),
      {
        'content-type': 'application/yaml',
      },
    );
    expect(named.body).toMatchObject({ name: 'nightly', description: 'n' });
    const p = await f.call('bob', 'GET', '/api/v1/pipelines/p');
    expect(p.body.versions.map((v: { name: string }) => v.name)).toEqual(['v1', 'v2', 'nightly']);
    expect(p.body.latestVersion.name).toBe('nightly');
    expect((await f.call('bob', 'GET', '/api/v1/pipelines/p/versions/v2')).body.spec.pipelineInfo.name).toBeDefined();
    expect((await f.call('bob', 'GET', '/api/v1/pipelines/p/versions/v9')).status).toBe(404);
    const yaml = { 'content-type': 'application/yaml' };
    await refused(() => f.call('bob', 'POST', '/api/v1/pipelines/p/versions', sample('hello_world'), yaml), 403);
    await refused(() => f.call('carol', 'POST', '/api/v1/pipelines/p/versions', sample('hello_world'), yaml), 404);
    await refused(() => f.call('alice', 'POST', '/api/v1/pipelines/p/versions?name=v2', sample('hello_world'), yaml), 409);
    // A run names no version: the latest.
    const run = await f.call('alice', 'POST', '/api/v1/pipeline-runs', { name: 'r', pipeline: 'p' });
    expect(run.body.versionId).toBe('ga/p@nightly');
    const pinned = await f.call('alice', 'POST', '/api/v1/pipeline-runs', { name: 'r2', pipeline: 'p', version: 'v2' });
    expect(pinned.body).toMatchObject({ versionId: 'ga/p@v2', versionName: 'v2' });
  });
});

describe('the component library and v1 graph components', () => {
  const dir = `${KFP}components/library/`;
  const index = readFileSync(`${dir}INDEX.txt`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/) as [string, string]);
  const GRAPH = component('contrib_XGBoost_Train_and_cross-validate_regression_from_CSV.yaml');
  const add = (who: Who, text: string, url?: string) =>
    f.call(who, 'POST', `/api/v1/pipeline-components${url ? `?url=${encodeURIComponent(url)}` : ''}`, text, {
      'content-type': 'application/yaml',
    });

  it('components added by digest (the SHA-256 of the text) and url; the graph names the one it cannot resolve, then loads', async () => {
    for (const [digest, url] of index) {
      const r = await add('alice', readFileSync(`${dir}${digest}.yaml`, 'utf8'), url);
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ digest, url });
      expect(r.headers.location).toBe(`/api/v1/pipeline-components/${digest}`);
    }
    const list = await f.call('bob', 'GET', '/api/v1/pipeline-components');
    expect(list.body.map((c: { digest: string }) => c.digest).sort()).toEqual(index.map(([d]) => d).sort());
    const [first] = index[0] as [string, string];
    const one = await f.call('bob', 'GET', `/api/v1/pipeline-components/${first}`);
    expect(one.body.text).toBe(readFileSync(`${dir}${first}.yaml`, 'utf8'));
    // Another group's library is not theirs.
    expect((await f.call('carol', 'GET', '/api/v1/pipeline-components')).body).toEqual([]);
    expect((await f.call('carol', 'GET', `/api/v1/pipeline-components/${first}`)).status).toBe(404);
    expect((await f.call('carol', 'GET', '/api/v1/pipeline-components?group=ga')).status).toBe(403);
    expect((await f.call('admin', 'GET', '/api/v1/pipeline-components?group=ga')).body).toHaveLength(index.length);

    const missing = await refused(() => upload('alice', GRAPH), 400);
    expect(missing.body.errors).toHaveLength(1);
    expect(missing.body.errors[0].path).toBe(
      'body.implementation.graph.tasks.Aggregate regression metrics from csv.componentRef',
    );
    expect(missing.body.errors[0].expected).toMatch(/not in the component library/);
    // Another group's library does not resolve it.
    expect((await add('carol', AGGREGATE_STUB, MISSING_URL)).status).toBe(201);
    await refused(() => upload('alice', GRAPH), 400);
    expect((await add('alice', AGGREGATE_STUB, MISSING_URL)).status).toBe(201);
    const loaded = await upload('alice', GRAPH, '?name=xgboost');
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(201);
    expect(loaded.body.versions[0].format).toBe('v1-graph');
  });

  it('a file that is not a v1 component is refused with its paths; one added twice changes nothing', async () => {
    await refused(() => add('alice', 'name: x\n'), 400);
    const bad = await refused(() => add('alice', 'name: x\nimplementation:\n  container: 3\n'), 400);
    expect(bad.body.errors[0].path).toMatch(/^body\.implementation/);
    const noUrl = () =>
      f.call('alice', 'POST', '/api/v1/pipeline-components?url=', component('v1test_add_component.yaml'), {
        'content-type': 'application/yaml',
      });
    expect((await refused(noUrl, 400)).body.errors[0].path).toBe('query.url');
    const r = await add('alice', component('v1test_add_component.yaml'));
    expect(r.status).toBe(201);
    const revision = pipelines.revision;
    expect((await add('alice', component('v1test_add_component.yaml'))).status).toBe(201);
    expect(pipelines.revision).toBe(revision);
  });
});

describe('runs', () => {
  beforeEach(async () => {
    expect((await upload('alice', sample('two_step_pipeline'), '?name=two')).status).toBe(201);
    expect((await upload('alice', sample('essential_pipeline_with_after'), '?name=after')).status).toBe(201);
  });
  const create = (who: Who, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    f.call(who, 'POST', '/api/v1/pipeline-runs', body, headers);

  it('created through the API: drawn whole from its start, then driven to SUCCEEDED', async () => {
    const r = await create('alice', { name: 'r1', pipeline: 'after', parameters: {} });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.headers.location).toBe('/api/v1/pipeline-runs/r1?group=ga');
    expect(r.body).toMatchObject({
      id: 'ga/r1',
      name: 'r1',
      group: 'ga',
      owner: 'alice',
      pipelineId: 'ga/after',
      pipelineName: 'after',
      versionId: 'ga/after@v1',
      experimentId: null,
      state: 'RUNNING',
      archived: false,
      retries: 0,
      recurringRunId: null,
      pipelineRoot: 's3://gpupool/pipelines',
      taskCounts: { PENDING: 1, NOT_STARTED: 2 },
    });
    expect(r.body.stateHistory.map((h: { state: string }) => h.state)).toEqual(['PENDING', 'RUNNING']);
    expect(r.body.graph.nodes.map((n: { path: string; state: string }) => [n.path, n.state])).toEqual([
      ['root', 'RUNNING'],
      ['root/print-text', 'PENDING'],
      ['root/print-text-2', 'NOT_STARTED'],
      ['root/print-text-3', 'NOT_STARTED'],
    ]);
    expect(r.body.graph.edges).toContainEqual({ from: 'root/print-text', to: 'root/print-text-2' });
    expect(await drive('ga/r1')).toBe('SUCCEEDED');
    const done = await f.call('bob', 'GET', '/api/v1/pipeline-runs/r1');
    expect(done.body).toMatchObject({ state: 'SUCCEEDED', taskCounts: { SUCCEEDED: 3 } });
    expect(done.body.finishedAt).toBe(clock.t);
    expect(done.body.graph.nodes.every((n: { state: string }) => n.state === 'SUCCEEDED')).toBe(true);
    const step = done.body.graph.nodes.find((n: { path: string }) => n.path === 'root/print-text');
    expect(step.jobId).toMatch(/^ga\/r1:/);
    // Lists: without graphs, filtered by state and pipeline.
    await create('alice', { name: 'r2', pipeline: 'two' });
    const all = await f.call('alice', 'GET', '/api/v1/pipeline-runs');
    expect(all.body.map((x: { name: string }) => x.name)).toEqual(['r1', 'r2']);
    expect(all.body[0].graph).toBeUndefined();
    expect(all.headers['x-total-count']).toBe('2');
    expect(
      (await f.call('alice', 'GET', '/api/v1/pipeline-runs?state=SUCCEEDED')).body.map((x: { name: string }) => x.name),
    ).toEqual(['r1']);
    expect(
      (await f.call('alice', 'GET', '/api/v1/pipeline-runs?pipeline=two')).body.map((x: { name: string }) => x.name),
    ).toEqual(['r2']);
    expect((await f.call('alice', 'GET', '/api/v1/pipeline-runs?state=DONE')).body.errors[0].path).toBe('query.state');
  });

  it('every sample runs from the API to the state KFP gives it', async () => {
    const expected: Record<string, string> = { failing_pipeline_with_exit_handler: 'FAILED' };
    // The failing sample's step fails, as KFP's runtime fails it.
    const simulation: Record<string, unknown> = { failing_pipeline_with_exit_handler: { 'fail-op': { outcome: 'failed' } } };
    for (const file of COMPILED) {
      const name = file
        .replace(/\.yaml$/, '')
        .toLowerCase()
        .replace(/[^-0-9a-z]+/g, '-');
      expect((await upload('alice', sample(file.replace(/\.yaml$/, '')), `?name=s-${name}`)).status).toBe(201);
      const doc = parseAllDocuments(sample(file.replace(/\.yaml$/, '')))[0]?.toJS();
      // Inputs without defaults get a value of their type.
      const parameters: Record<string, unknown> = {};
      for (const [k, def] of Object.entries(
        (doc.root.inputDefinitions?.parameters ?? {}) as Record<string, { parameterType: string; defaultValue?: unknown }>,
      )) {
        if (def.defaultValue !== undefined) continue;
        parameters[k] = { STRING: 'x', NUMBER_INTEGER: 1, NUMBER_DOUBLE: 1, BOOLEAN: true, LIST: [1, 2], STRUCT: {} }[
          def.parameterType
        ];
      }
      const steer = simulation[file.replace(/\.yaml$/, '')];
      const r = await create('alice', {
        name: `run-${name}`,
        pipeline: `s-${name}`,
        parameters,
        ...(steer ? { simulation: steer } : {}),
      });
      expect(r.status, `${file}: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(201);
      expect(await drive(`ga/run-${name}`), file).toBe(expected[file.replace(/\.yaml$/, '')] ?? 'SUCCEEDED');
    }
  });

  it('refuses what is wrong with every issue and its path, and what it cannot find with 404', async () => {
    const params = await refused(() => create('alice', { name: 'x', pipeline: 'two', parameters: { nope: 1, text: 3 } }), 400);
    expect(params.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.parameters.nope',
      'body.parameters.text',
    ]);
    const sim = await refused(
      () =>
        create('alice', {
          name: 'x',
          pipeline: 'two',
          simulation: { a: { seconds: -1, outcome: 'maybe', failAttempts: 1.5, outputs: 3, extra: 1 }, b: 'fast' },
        }),
      400,
    );
    expect(sim.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'body.simulation.a.seconds',
      'body.simulation.a.outcome',
      'body.simulation.a.failAttempts',
      'body.simulation.a.outputs',
      'body.simulation.a.extra',
      'body.simulation.b',
    ]);
    expect((await refused(() => create('alice', { name: 'x', pipeline: 'two', colour: 'red' }), 400)).body.errors[0].path).toBe(
      'body.colour',
    );
    expect((await refused(() => create('alice', { name: 'a/b', pipeline: 'two' }), 400)).body.errors[0].path).toBe('body.name');
    await refused(() => create('alice', { name: 'x', pipeline: 'nope' }), 404);
    await refused(() => create('alice', { name: 'x', pipeline: 'two', version: 'v7' }), 404);
    await refused(() => create('alice', { name: 'x', pipeline: 'two', experiment: 'nope' }), 404);
    // Another group's pipeline is not there for carol, even by its whole id.
    await refused(() => create('carol', { name: 'x', pipeline: 'ga/two' }), 404);
    expect((await create('alice', { name: 'x', pipeline: 'two' })).status).toBe(201);
    expect((await refused(() => create('bob', { name: 'x', pipeline: 'two' }), 409)).body.code).toBe('already-exists');
  });

  it('an Idempotency-Key makes a retried creation count once', async () => {
    const first = await create('alice', { name: 'once', pipeline: 'two' }, { 'idempotency-key': 'k1' });
    const revision = pipelines.revision;
    const again = await create('alice', { name: 'once', pipeline: 'two' }, { 'idempotency-key': 'k1' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(pipelines.revision).toBe(revision);
  });

  it('terminate: CANCELING until its steps end, then CANCELED; retried, it succeeds', async () => {
    await create('alice', { name: 't', pipeline: 'after' });
    const t = await f.call('alice', 'POST', '/api/v1/pipeline-runs/t/terminate');
    expect(t.status).toBe(200);
    expect(t.body.state).toBe('CANCELING');
    expect(await drive('ga/t')).toBe('CANCELED');
    const retried = await f.call('alice', 'POST', '/api/v1/pipeline-runs/t/retry');
    expect(retried.body).toMatchObject({ state: 'RUNNING', retries: 1 });
    expect(await drive('ga/t')).toBe('SUCCEEDED');
  });

  it('retry: a run that fails until retried once runs only what did not succeed, and succeeds', async () => {
    await create('alice', { name: 'flaky', pipeline: 'after', simulation: { 'print-text-2': { failRuns: 1 } } });
    expect(await drive('ga/flaky')).toBe('FAILED');
    const view = (await f.call('alice', 'GET', '/api/v1/pipeline-runs/flaky')).body;
    expect(view.taskCounts).toEqual({ SUCCEEDED: 1, FAILED: 1, NOT_STARTED: 1 });
    expect((await f.call('alice', 'POST', '/api/v1/pipeline-runs/flaky/retry')).body.state).toBe('RUNNING');
    expect(await drive('ga/flaky')).toBe('SUCCEEDED');
    const after = (await f.call('alice', 'GET', '/api/v1/pipeline-runs/flaky')).body;
    expect(after.stateHistory.map((h: { state: string }) => h.state)).toEqual([
      'PENDING',
      'RUNNING',
      'FAILED',
      'RUNNING',
      'SUCCEEDED',
    ]);
    // Only a failed or canceled run is retried.
    expect((await refused(() => f.call('alice', 'POST', '/api/v1/pipeline-runs/flaky/retry'), 409)).body.code).toBe(
      'invalid-transition',
    );
  });

  it('archive and restore: lists leave archived runs out unless asked', async () => {
    await create('alice', { name: 'a', pipeline: 'two' });
    await create('alice', { name: 'b', pipeline: 'two' });
    expect((await f.call('alice', 'POST', '/api/v1/pipeline-runs/a/archive')).body.archived).toBe(true);
    const names = async (q: string) =>
      (await f.call('alice', 'GET', `/api/v1/pipeline-runs${q}`)).body.map((r: { name: string }) => r.name);
    expect(await names('')).toEqual(['b']);
    expect(await names('?archived=true')).toEqual(['a']);
    expect(await names('?archived=all')).toEqual(['a', 'b']);
    expect((await f.call('alice', 'GET', '/api/v1/pipeline-runs?archived=maybe')).status).toBe(400);
    expect((await f.call('alice', 'POST', '/api/v1/pipeline-runs/a/restore')).body.archived).toBe(false);
    expect(await names('')).toEqual(['a', 'b']);
  });

  it('time travel: a run as it stood at an earlier revision', async () => {
    await create('alice', { name: 'tt', pipeline: 'after' });
    const revision = pipelines.revision;
    await drive('ga/tt');
    const past = await f.call('alice', 'GET', `/api/v1/pipeline-runs/tt?asOf=${revision}`);
    expect(past.body.state).toBe('RUNNING');
    expect((await f.call('alice', 'GET', '/api/v1/pipeline-runs/tt')).body.state).toBe('SUCCEEDED');
  });
});

describe('pipeline experiments', () => {
  it('group runs; archived, they take no new runs until restored', async () => {
    await upload('alice', sample('hello_world'), '?name=hello');
    const x = await f.call('alice', 'POST', '/api/v1/pipeline-experiments', { name: 'nightly', description: 'every night' });
    expect(x.status).toBe(201);
    expect(x.body).toMatchObject({
      id: 'ga/nightly',
      name: 'nightly',
      owner: 'alice',
      archived: false,
      runs: {},
      recurringRuns: 0,
    });
    expect(x.headers.location).toBe('/api/v1/pipeline-experiments/nightly?group=ga');
    const run = await f.call('alice', 'POST', '/api/v1/pipeline-runs', { name: 'r', pipeline: 'hello', experiment: 'nightly' });
    expect(run.body.experimentId).toBe('ga/nightly');
    await f.call('alice', 'POST', '/api/v1/pipeline-runs', { name: 'r2', pipeline: 'hello', experiment: 'nightly' });
    expect((await f.call('bob', 'GET', '/api/v1/pipeline-experiments/nightly')).body.runs).toEqual({ RUNNING: 2 });
    await drive('ga/r');
    expect((await f.call('bob', 'GET', '/api/v1/pipeline-experiments/nightly')).body.runs).toEqual({ SUCCEEDED: 1, RUNNING: 1 });
    expect(
      (await f.call('alice', 'GET', '/api/v1/pipeline-runs?experiment=nightly')).body.map((r: { name: string }) => r.name),
    ).toEqual(['r', 'r2']);
    await refused(() => f.call('bob', 'POST', '/api/v1/pipeline-experiments/nightly/archive'), 403);
    expect((await f.call('alice', 'POST', '/api/v1/pipeline-experiments/nightly/archive')).body.archived).toBe(true);
    const blocked = await refused(
      () => f.call('alice', 'POST', '/api/v1/pipeline-runs', { name: 'r3', pipeline: 'hello', experiment: 'nightly' }),
      409,
    );
    expect(blocked.body.detail).toMatch(/archived/);
    expect((await f.call('alice', 'GET', '/api/v1/pipeline-experiments')).body).toEqual([]);
    expect((await f.call('alice', 'GET', '/api/v1/pipeline-experiments?archived=true')).body).toHaveLength(1);
    expect((await f.call('admin', 'POST', '/api/v1/pipeline-experiments/nightly/restore?group=ga')).body.archived).toBe(false);
    expect(
      (await f.call('alice', 'POST', '/api/v1/pipeline-runs', { name: 'r3', pipeline: 'hello', experiment: 'nightly' })).status,
    ).toBe(201);
  });
});

describe('recurring runs', () => {
  beforeEach(async () => {
    await upload('alice', sample('hello_world'), '?name=hello');
    await f.call('alice', 'POST', '/api/v1/pipelines/hello/versions', sample('hello_world'), {
      'content-type': 'application/yaml',
    });
  });
  const every = (seconds: number) => ({ trigger: { kind: 'periodic', intervalSeconds: seconds } });

  it('created, edited into new versions, disabled, enabled and triggered', async () => {
    const r = await f.call('alice', 'POST', '/api/v1/recurring-runs', {
      name: 'hourly',
      pipeline: 'hello',
      schedule: every(3600),
      simulation: { echo: { seconds: 5 } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      id: 'ga/hourly',
      pipelineId: 'ga/hello',
      versionId: null,
      enabled: true,
      version: 1,
      runs: 0,
      activeRuns: [],
      lastScheduled: null,
      schedule: { trigger: { kind: 'periodic', intervalSeconds: 3600 }, maxConcurrency: 1, catchUp: 'all' },
    });
    expect(r.body.nextFireAt).toBeGreaterThan(1000);
    expect(r.headers.location).toBe('/api/v1/recurring-runs/hourly?group=ga');

    const pinned = await f.call('alice', 'PATCH', '/api/v1/recurring-runs/hourly', { version: 'v1', schedule: every(60) });
    expect(pinned.body).toMatchObject({ version: 2, versionId: 'ga/hello@v1', schedule: { trigger: { intervalSeconds: 60 } } });
    const latest = await f.call('alice', 'PATCH', '/api/v1/recurring-runs/hourly', { version: null });
    expect(latest.body).toMatchObject({ version: 3, versionId: null });
    await refused(() => f.call('bob', 'PATCH', '/api/v1/recurring-runs/hourly', { version: null }), 403);
    const badEdit = await refused(
      () =>
        f.call('alice', 'PATCH', '/api/v1/recurring-runs/hourly', { schedule: { trigger: { kind: 'cron' } }, enabled: false }),
      400,
    );
    expect(badEdit.body.errors[0].path).toBe('body.enabled');

    const off = await f.call('alice', 'POST', '/api/v1/recurring-runs/hourly/disable');
    expect(off.body).toMatchObject({ enabled: false, nextFireAt: null });
    const on = await f.call('alice', 'POST', '/api/v1/recurring-runs/hourly/enable');
    expect(on.body.enabled).toBe(true);
    expect(on.body.nextFireAt).toBeGreaterThan(1000);

    const run = await f.call('alice', 'POST', '/api/v1/recurring-runs/hourly/trigger');
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    expect(run.body).toMatchObject({ recurringRunId: 'ga/hourly', state: 'RUNNING', versionId: 'ga/hello@v2' });
    expect(run.headers.location).toMatch(/^\/api\/v1\/pipeline-runs\/hourly-.*-manual\?group=ga$/);
    const after = await f.call('bob', 'GET', '/api/v1/recurring-runs/hourly');
    expect(after.body).toMatchObject({ runs: 1, activeRuns: [run.body.id] });
    expect(
      (await f.call('alice', 'GET', '/api/v1/pipeline-runs?recurringRun=hourly')).body.map((x: { id: string }) => x.id),
    ).toEqual([run.body.id]);
    expect(await drive(run.body.id)).toBe('SUCCEEDED');
    expect((await f.call('alice', 'GET', '/api/v1/recurring-runs?pipeline=hello')).body).toHaveLength(1);
    expect((await f.call('alice', 'GET', '/api/v1/recurring-runs?pipeline=other')).body).toHaveLength(0);
  });

  it('its schedule fires on the engine’s ticks: runs named from their scheduled time, one at a time, read back through the API', async () => {
    const r = await f.call('alice', 'POST', '/api/v1/recurring-runs', {
      name: 'minutely',
      pipeline: 'hello',
      schedule: every(60),
    });
    expect(r.body.nextFireAt).toBe(1060);
    clock.t = 1200;
    expect((await pipelines.execute({ type: 'Tick' })).ok).toBe(true);
    const fired = await f.call('bob', 'GET', '/api/v1/recurring-runs/minutely');
    // Catch-up `all`, but at most one run at once: the first missed fire runs, the others wait.
    expect(fired.body).toMatchObject({ runs: 1, lastScheduled: 1060, nextFireAt: null });
    expect(fired.body.activeRuns).toEqual(['ga/minutely-19700101001740']);
    const runs = await f.call('alice', 'GET', '/api/v1/pipeline-runs?recurringRun=minutely');
    expect(runs.body).toMatchObject([{ name: 'minutely-19700101001740', scheduledAt: 1060, recurringRunId: 'ga/minutely' }]);
    expect(await drive('ga/minutely-19700101001740')).toBe('SUCCEEDED');
    expect((await f.call('alice', 'GET', '/api/v1/recurring-runs/minutely')).body).toMatchObject({
      activeRuns: [],
      nextFireAt: 1120,
    });
    // Disabled, it fires no more.
    await f.call('alice', 'POST', '/api/v1/recurring-runs/minutely/disable');
    clock.t = 5000;
    await pipelines.execute({ type: 'Tick' });
    expect((await f.call('alice', 'GET', '/api/v1/recurring-runs/minutely')).body.runs).toBe(1);
  });

  it('a schedule with faults: every one named under body.schedule', async () => {
    const r = await refused(
      () =>
        f.call('alice', 'POST', '/api/v1/recurring-runs', {
          name: 'bad',
          pipeline: 'hello',
          schedule: { trigger: { kind: 'cron', expression: '61 * * * *', timeZone: 'Mars/Olympus' }, maxConcurrency: 99 },
        }),
      400,
    );
    const paths = r.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.schedule.maxConcurrency']));
    expect(paths.every((p: string) => p.startsWith('body.schedule'))).toBe(true);
    expect(paths.length).toBeGreaterThanOrEqual(2);
  });
});

describe('who sees and changes what', () => {
  beforeEach(async () => {
    await upload('alice', sample('hello_world'), '?name=hello');
    await f.call('alice', 'POST', '/api/v1/pipeline-experiments', { name: 'x' });
    await f.call('alice', 'POST', '/api/v1/pipeline-runs', { name: 'r', pipeline: 'hello' });
    await f.call('alice', 'POST', '/api/v1/recurring-runs', {
      name: 'rr',
      pipeline: 'hello',
      schedule: { trigger: { kind: 'periodic', intervalSeconds: 60 } },
    });
  });

  it('another group’s user gets 404 for everything, exactly as for what does not exist', async () => {
    for (const url of [
      '/api/v1/pipelines/hello',
      '/api/v1/pipelines/hello/versions/v1',
      '/api/v1/pipeline-experiments/x',
      '/api/v1/pipeline-runs/r',
      '/api/v1/recurring-runs/rr',
      '/api/v1/pipelines/hello?group=ga',
      '/api/v1/pipeline-runs/ga%2Fr',
    ]) {
      const theirs = await f.call('carol', 'GET', url);
      expect(theirs.status, url).toBe(404);
    }
    for (const url of [
      '/api/v1/pipeline-experiments/x/archive',
      '/api/v1/pipeline-runs/r/terminate',
      '/api/v1/pipeline-runs/r/archive',
      '/api/v1/recurring-runs/rr/disable',
      '/api/v1/recurring-runs/rr/trigger',
    ]) {
      await refused(() => f.call('carol', 'POST', url), 404);
    }
    const none = await f.call('carol', 'GET', '/api/v1/pipeline-runs/zz');
    const theirs = await f.call('carol', 'GET', '/api/v1/pipeline-runs/r');
    expect(JSON.stringify(theirs.body).replaceAll("'r'", "'zz'")).toBe(JSON.stringify(none.body));
    for (const list of ['pipelines', 'pipeline-experiments', 'pipeline-runs', 'recurring-runs']) {
      expect((await f.call('carol', 'GET', `/api/v1/${list}`)).body, list).toEqual([]);
      expect((await f.call('carol', 'GET', `/api/v1/${list}?group=ga`)).status, list).toBe(403);
      expect((await f.call('admin', 'GET', `/api/v1/${list}?group=ga`)).body, list).toHaveLength(1);
    }
  });

  it('a group member sees everything; only the owner or an operator changes it (403)', async () => {
    for (const url of [
      '/api/v1/pipelines/hello',
      '/api/v1/pipeline-experiments/x',
      '/api/v1/pipeline-runs/r',
      '/api/v1/recurring-runs/rr',
    ]) {
      expect((await f.call('bob', 'GET', url)).status, url).toBe(200);
    }
    for (const list of ['pipelines', 'pipeline-experiments', 'pipeline-runs', 'recurring-runs']) {
      expect((await f.call('bob', 'GET', `/api/v1/${list}`)).body, list).toHaveLength(1);
      expect((await f.call('bob', 'GET', `/api/v1/${list}?visibility=mine`)).body, list).toHaveLength(0);
      expect((await f.call('bob', 'GET', `/api/v1/${list}?visibility=shared`)).body, list).toHaveLength(1);
    }
    for (const url of [
      '/api/v1/pipeline-experiments/x/archive',
      '/api/v1/pipeline-runs/r/terminate',
      '/api/v1/pipeline-runs/r/archive',
      '/api/v1/recurring-runs/rr/disable',
      '/api/v1/recurring-runs/rr/trigger',
    ]) {
      await refused(() => f.call('bob', 'POST', url), 403);
    }
    expect((await f.call('admin', 'POST', '/api/v1/pipeline-runs/r/terminate?group=ga')).status).toBe(200);
    expect((await f.call('alice', 'POST', '/api/v1/recurring-runs/rr/disable')).status).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  it('documents the routes under their tags: files as YAML or JSON, 201 for creations, X-Total-Count on lists', async () => {
    const doc = (await f.call('nobody', 'GET', '/docs/json')).body;
    const tags = (doc.tags as { name: string }[]).map((t) => t.name);
    expect(tags).toEqual(expect.arrayContaining(['pipelines', 'pipeline-experiments', 'pipeline-runs', 'recurring-runs']));
    const upload = doc.paths['/api/v1/pipelines'].post;
    expect(upload.tags).toEqual(['pipelines']);
    expect(Object.keys(upload.requestBody.content).sort()).toEqual(['application/json', 'application/yaml']);
    expect(upload.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ['description', 'idempotency-key', 'name', 'owner', 'version'].sort(),
    );
    for (const [path, method] of [
      ['/api/v1/pipelines', 'post'],
      ['/api/v1/pipelines/{name}/versions', 'post'],
      ['/api/v1/pipeline-components', 'post'],
      ['/api/v1/pipeline-experiments', 'post'],
      ['/api/v1/pipeline-runs', 'post'],
      ['/api/v1/recurring-runs', 'post'],
      ['/api/v1/recurring-runs/{name}/trigger', 'post'],
    ] as const) {
      expect(Object.keys(doc.paths[path][method].responses), `${method} ${path}`).toContain('201');
    }
    for (const path of ['/api/v1/pipelines', '/api/v1/pipeline-experiments', '/api/v1/pipeline-runs', '/api/v1/recurring-runs']) {
      expect(doc.paths[path].get.responses['200'].headers, path).toHaveProperty('x-total-count');
    }
    const run = doc.paths['/api/v1/pipeline-runs'].post.requestBody.content['application/json'].schema;
    expect(run.required).toEqual(['name', 'pipeline']);
    const recurring = doc.paths['/api/v1/recurring-runs'].post.requestBody.content['application/json'].schema;
    expect(recurring.properties.schedule.properties.catchUp.enum).toEqual(['all', 'latest', 'none']);
  });
});

describe('names taken from the file', () => {
  it('a file whose name makes no name is refused at the field that holds it', async () => {
    const doc = parseAllDocuments(sample('hello_world'))[0]?.toJS();
    doc.pipelineInfo.name = '___';
    const r = await refused(() => f.call('alice', 'POST', '/api/v1/pipelines', doc), 400);
    expect(r.body.errors[0].path).toBe('body.pipelineInfo.name');
    expect((await f.call('alice', 'POST', '/api/v1/pipelines?name=named', doc)).status).toBe(201);
  });
});
