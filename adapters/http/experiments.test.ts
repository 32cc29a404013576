/**
 * Tuning experiments over HTTP: created from a Katib Experiment in YAML or JSON in the owner's
 * group, every issue of a broken document answered at once with its path, names scoped to the
 * group, lists a caller may see, an experiment read with its trials and its optimal trial, only
 * the three counts editable, stop and restart, and the ways a URL names an experiment.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startExperimentController } from '../../app/experiment-controller.js';
import { simulatedTrialMetrics } from '../../app/simulated-trials.js';
import { EXPERIMENTS_STREAM, experimentsDecider } from '../../core/experiments/experiments-decider.js';
import { ALGORITHMS } from '../../core/experiments/suggest/index.js';
import { createDeciderEngine } from '../../engine/engine.js';
import { startRealtimeRuntime } from '../memory/realtime-runtime.js';
import { InMemoryEventStore } from '../memory/store.js';
import type { ExperimentsEngine } from './context.js';
import { seedOf } from './routes/experiments.js';
import { type Fixture, fixture, type Who } from './test-support/fixture.js';

const YAML = readFileSync(new URL('../../core/experiments/fixtures/katib/hp-tuning_random.yaml', import.meta.url), 'utf8');
const BASE = '/api/v1/tuning/experiments';

let f: Fixture;
let experiments: ExperimentsEngine;
beforeEach(async () => {
  const store = new InMemoryEventStore();
  experiments = await createDeciderEngine(experimentsDecider, { store, stream: EXPERIMENTS_STREAM, clock: { now: () => 1000 } });
  f = await fixture({ store, experiments });
});
afterEach(async () => {
  await f.close();
  await experiments.close();
});

const yaml = (who: Who, text = YAML, query = '', headers: Record<string, string> = {}) =>
  f.call(who, 'POST', `${BASE}${query}`, text, { 'content-type': 'application/yaml', ...headers });
/** The sample as a JSON document, changed by `edit`. */
// biome-ignore lint/suspicious/noExplicitAny: a document edited as parsed YAML
const document = (edit: (doc: Record<string, any>) => void = () => {}) => {
  const doc = parseYaml(YAML);
  edit(doc);
  return doc;
};
const json = (who: Who, doc: unknown, query = '') => f.call(who, 'POST', `${BASE}${query}`, doc);

/** A refused request: nothing appended to the experiments stream. */
// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
async function refused(request: () => Promise<{ status: number; body: any }>) {
  const revision = experiments.revision;
  const r = await request();
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.body.type).toMatch(/^urn:gpupool:problem:/);
  expect(experiments.revision).toBe(revision);
  return r;
}

/** The controller's part, by hand: `n` trials of the experiment created, each with an lr. */
async function createTrials(id: string, n: number, from = 1) {
  const trials = Array.from({ length: n }, (_, i) => ({
    name: `trial-${from + i}`,
    assignment: { lr: String(0.01 * (from + i)), momentum: '0.5' },
    labels: {},
  }));
  const r = await experiments.execute({ type: 'CreateTrials', experimentId: id, trials, exhausted: false });
  expect(r.ok).toBe(true);
}
async function endTrial(id: string, trial: string, objective: number | null, outcome: 'succeeded' | 'failed' = 'succeeded') {
  const metrics: Record<string, number> = objective === null ? {} : { loss: objective };
  const r = await experiments.execute({ type: 'ReportTrialEnded', experimentId: id, trial, outcome, objective, metrics });
  expect(r.ok).toBe(true);
}

describe('creating', () => {
  it('from the Katib sample in YAML: 201 with its Location, in the caller’s group, read back as answered', async () => {
    const r = await yaml('alice');
    expect(r.status).toBe(201);
    expect(r.headers.location).toBe(`${BASE}/random?group=ga`);
    expect(r.body).toMatchObject({
      id: 'ga/random',
      name: 'random',
      group: 'ga',
      owner: 'alice',
      algorithm: 'random',
      status: 'Running',
      parallelTrialCount: 3,
      maxTrialCount: 12,
      maxFailedTrialCount: 3,
      objective: { type: 'minimize', goal: 0.001, objectiveMetricName: 'loss' },
      counters: { trials: 0, running: 0, succeeded: 0, failed: 0 },
      optimalTrial: null,
      trials: [],
      warnings: [],
    });
    expect(r.body.spec.space.map((p: { name: string }) => p.name)).toEqual(['lr', 'momentum']);
    // The seed is derived from the id: the same id, the same seed.
    expect(Number.isSafeInteger(r.body.seed)).toBe(true);
    const { warnings: _w, ...view } = r.body;
    expect((await f.call('bob', 'GET', r.headers.location as string)).body).toEqual(view);
    expect(experiments.current.experiments.get('ga/random')?.owner).toBe('alice');
    // Every YAML media type is read alike.
    for (const [type, name] of [
      ['application/x-yaml', 'x-yaml'],
      ['text/yaml', 'text-yaml'],
    ] as const) {
      const other = await yaml('alice', YAML.replace('name: random', `name: ${name}`), '', { 'content-type': type });
      expect(other.status, type).toBe(201);
    }
  });

  it('from JSON, with a seed and labels (its tags)', async () => {
    const doc = document((d) => {
      d.metadata.name = 'as-json';
      d.metadata.labels = { team: 'vision', nightly: 'yes' };
    });
    const r = await json('alice', doc, '?seed=7');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: 'ga/as-json', seed: 7, labels: { team: 'vision', nightly: 'yes' } });
    expect(experiments.current.experiments.get('ga/as-json')?.seed).toBe(7);
    // Without a seed, one derived from the id.
    const derived = await json('carol', doc);
    expect(derived.body.seed).toBe(seedOf('gb/as-json'));
    expect(seedOf('gb/as-json')).toBe(seedOf('gb/as-json'));
    expect(seedOf('gb/as-json')).not.toBe(seedOf('ga/as-json'));
    expect((await refused(() => json('alice', doc, '?seed=-1'))).body.errors[0].path).toBe('query.seed');
  });

  it('answers a broken document with every issue at once, each with its path', async () => {
    const broken = YAML.replace('kind: Experiment', 'kind: Job')
      .replace('parallelTrialCount: 3', 'parallelTrialCount: -1')
      .replace('min: "0.01"', 'min: "x"')
      .replace('type: minimize', 'type: smallest');
    const r = await refused(() => yaml('alice', broken));
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('invalid-input');
    const paths = r.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'body.kind',
        'body.spec.parallelTrialCount',
        'body.spec.parameters[0].feasibleSpace.min',
        'body.spec.objective.type',
      ]),
    );
    for (const e of r.body.errors) expect(Object.keys(e).sort()).toEqual(['actual', 'expected', 'path']);
    expect(r.body.errors.find((e: { path: string }) => e.path === 'body.kind')).toEqual({
      path: 'body.kind',
      expected: 'Experiment',
      actual: '"Job"',
    });
    // The same from JSON; a missing field names what is missing.
    const j = await refused(() =>
      json(
        'alice',
        document((d) => delete d.spec.objective.objectiveMetricName),
      ),
    );
    expect(j.body.errors).toContainEqual({
      path: 'body.spec.objective.objectiveMetricName',
      expected: 'a value',
      actual: 'nothing',
    });
    // An algorithm's own settings are checked too.
    const settings = await refused(() =>
      json(
        'alice',
        document((d) => (d.spec.algorithm.algorithmSettings = [{ name: 'no-such-setting', value: '1' }])),
      ),
    );
    expect(settings.body.errors[0].path).toMatch(/^body\.spec\.algorithm\.algorithmSettings/);
    // Text that is no document, and no body at all.
    const notYaml = await refused(() => yaml('alice', 'a: [1'));
    expect(notYaml.body.errors[0]).toMatchObject({ path: 'body', expected: 'YAML or JSON' });
    expect(notYaml.body.errors[0].actual).toMatch(/^a syntax error: /);
    expect((await refused(() => yaml('alice', ''))).body.errors[0]).toMatchObject({ path: 'body', actual: 'nothing' });
    expect((await refused(() => f.call('alice', 'POST', BASE, 'x', { 'content-type': 'text/plain' }))).status).toBe(415);
  });

  it('refuses neural architecture search', async () => {
    const nas = await refused(() =>
      json(
        'alice',
        document((d) => (d.spec.nasConfig = { graphConfig: { numLayers: 3 } })),
      ),
    );
    expect(nas.status).toBe(400);
    expect(nas.body.errors).toContainEqual(
      expect.objectContaining({ path: 'body.spec.nasConfig', expected: 'neural architecture search is not supported' }),
    );
    const enas = await refused(() =>
      json(
        'alice',
        document((d) => (d.spec.algorithm.algorithmName = 'enas')),
      ),
    );
    expect(enas.body.errors.map((e: { path: string }) => e.path)).toContain('body.spec.algorithm.algorithmName');
  });

  it('names the experiment in its owner’s group: one name per group (409), two groups may share it', async () => {
    expect((await yaml('alice')).status).toBe(201);
    const again = await refused(() => yaml('bob'));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already-exists');
    expect((await yaml('carol')).body).toMatchObject({ id: 'gb/random', group: 'gb' });
    expect((await f.call('bob', 'GET', `${BASE}/random`)).body.id).toBe('ga/random');
    expect((await f.call('carol', 'GET', `${BASE}/random`)).body.id).toBe('gb/random');
  });

  it('creates as the caller; an operator may name the owner, whose group it is in', async () => {
    expect((await refused(() => yaml('alice', YAML, '?owner=bob'))).status).toBe(403);
    expect((await yaml('alice', YAML, '?owner=alice')).status).toBe(201);
    const forCarol = await yaml('admin', YAML, '?owner=carol');
    expect(forCarol.body).toMatchObject({ id: 'gb/random', owner: 'carol', group: 'gb' });
    expect(forCarol.headers.location).toBe(`${BASE}/random?group=gb`);
    expect((await refused(() => yaml('admin', YAML, '?owner=nobody'))).status).toBe(404);
  });

  it('answers a retry under one Idempotency-Key once', async () => {
    const key = { 'idempotency-key': 'create-random' };
    const first = await yaml('alice', YAML, '', key);
    const revision = experiments.revision;
    const again = await yaml('alice', YAML, '', key);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(experiments.revision).toBe(revision);
    const other = await refused(() => yaml('alice', YAML.replace('name: random', 'name: other'), '', key));
    expect(other.status).toBe(422);
  });
});

describe('listing', () => {
  beforeEach(async () => {
    await yaml('alice', YAML.replace('name: random', 'name: first').replace('namespace: kubeflow', 'labels:\n    team: vision'));
    await yaml('bob', YAML.replace('name: random', 'name: second'));
    await yaml('carol', YAML.replace('name: random', 'name: third'));
  });
  const ids = async (who: Who, query = '') => {
    const r = await f.call(who, 'GET', `${BASE}${query}`);
    expect(r.status).toBe(200);
    return r.body.map((x: { id: string }) => x.id);
  };

  it('shows a data scientist their group’s experiments, an operator every group’s', async () => {
    expect(await ids('alice')).toEqual(['ga/first', 'ga/second']);
    expect(await ids('bob')).toEqual(['ga/first', 'ga/second']);
    expect(await ids('carol')).toEqual(['gb/third']);
    expect(await ids('admin')).toEqual(['ga/first', 'ga/second', 'gb/third']);
    expect(await ids('admin', '?group=gb')).toEqual(['gb/third']);
    expect((await refused(() => f.call('alice', 'GET', `${BASE}?group=gb`))).status).toBe(403);
    // Another group's is answered as one that does not exist.
    const theirs = await f.call('carol', 'GET', `${BASE}/first`);
    const none = await f.call('carol', 'GET', `${BASE}/zz`);
    expect(theirs.status).toBe(404);
    expect(JSON.stringify(theirs.body).replaceAll("'first'", "'zz'")).toBe(JSON.stringify(none.body));
  });

  it('filters by visibility, owner, status and tag, a page at a time; items carry no trials', async () => {
    expect(await ids('alice', '?visibility=mine')).toEqual(['ga/first']);
    expect(await ids('alice', '?visibility=shared')).toEqual(['ga/second']);
    expect(await ids('admin', '?owner=bob')).toEqual(['ga/second']);
    expect(await ids('admin', '?tag=team')).toEqual(['ga/first']);
    expect(await ids('admin', '?tag=team%3Dvision')).toEqual(['ga/first']);
    expect(await ids('admin', '?tag=team%3Dnlp')).toEqual([]);
    expect((await f.call('alice', 'POST', `${BASE}/first/stop`)).status).toBe(200);
    expect(await ids('admin', '?status=Stopped')).toEqual(['ga/first']);
    expect(await ids('admin', '?status=Running,Stopping')).toEqual(['ga/second', 'gb/third']);
    const page = await f.call('admin', 'GET', `${BASE}?limit=1&offset=1`);
    expect(page.headers['x-total-count']).toBe('3');
    expect(page.body.map((x: { id: string }) => x.id)).toEqual(['ga/second']);
    expect(page.body[0]).not.toHaveProperty('trials');
    expect(page.body[0]).not.toHaveProperty('spec');
    const wrong = await refused(() => f.call('admin', 'GET', `${BASE}?status=Done&visibility=some&limit=x`));
    expect(wrong.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.status', 'query.visibility']);
    expect((await refused(() => f.call('admin', 'GET', `${BASE}?limit=x`))).body.errors[0].path).toBe('query.limit');
  });
});

describe('reading one', () => {
  it('shows its trials, its counters and the optimal trial as the trials end', async () => {
    await yaml('alice');
    await createTrials('ga/random', 3);
    await endTrial('ga/random', 'trial-1', 0.4);
    await endTrial('ga/random', 'trial-2', 0.2);
    await endTrial('ga/random', 'trial-3', null, 'failed');
    const r = await f.call('bob', 'GET', `${BASE}/random`);
    expect(r.status).toBe(200);
    expect(r.body.counters).toMatchObject({ trials: 3, succeeded: 2, failed: 1 });
    expect(r.body.optimalTrial).toEqual({
      name: 'trial-2',
      assignment: { lr: '0.02', momentum: '0.5' },
      objective: 0.2,
      metrics: { loss: 0.2 },
    });
    expect(r.body.trials).toHaveLength(3);
    expect(r.body.trials[0]).toEqual({
      name: 'trial-1',
      assignment: { lr: '0.01', momentum: '0.5' },
      labels: {},
      status: 'Succeeded',
      objective: 0.4,
      metrics: { loss: 0.4 },
      jobId: 'ga/random-trial-1',
      createdAt: 1000,
      endedAt: 1000,
      message: null,
    });
    expect(r.body.trials[2]).toMatchObject({ name: 'trial-3', status: 'Failed', objective: null });
    // The past as it was: before any trial ended.
    const past = await f.call('alice', 'GET', `${BASE}/random?asOf=1`);
    expect(past.body.counters.trials).toBe(3);
    expect(past.body.optimalTrial).toBeNull();
    expect(past.body.trials.map((t: { status: string }) => t.status)).toEqual(['Created', 'Created', 'Created']);
  });

  it('shows the trials the experiment controller ran, each with the job that ran it, and the best as optimal', async () => {
    const errors: unknown[] = [];
    const runtime = startRealtimeRuntime(f.engine, f.store, {
      launchDelaySeconds: 0.01,
      stopDelaySeconds: 0.01,
      durationOf: (job) => (job.kind === 'trial' ? 0.03 : null),
      metricsOf: (job) => simulatedTrialMetrics(experiments, job),
      onError: (e) => errors.push(e),
    });
    const controller = startExperimentController(f.engine, experiments, f.store, {
      algorithms: ALGORITHMS,
      onError: (e) => errors.push(e),
    });
    try {
      const created = await yaml('alice', YAML.replace('maxTrialCount: 12', 'maxTrialCount: 4').replace(/\n\s*goal: 0.001/, ''));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const deadline = Date.now() + 20_000;
      let r = await f.call('bob', 'GET', `${BASE}/random`);
      while (r.body.status === 'Running' && Date.now() < deadline) {
        await new Promise((ok) => setTimeout(ok, 20));
        r = await f.call('bob', 'GET', `${BASE}/random`);
      }
      expect(errors).toEqual([]);
      expect(r.body).toMatchObject({ status: 'Succeeded', reason: 'ExperimentMaxTrialsReached' });
      expect(r.body.counters).toMatchObject({ trials: 4, succeeded: 4 });
      expect(r.body.trials).toHaveLength(4);
      for (const t of r.body.trials) {
        expect(t.status).toBe('Succeeded');
        expect(Object.keys(t.assignment).sort()).toEqual(['lr', 'momentum']);
        expect(typeof t.objective).toBe('number');
        // The job that ran it: a trial job of alice's, in her group.
        const job = await f.call('alice', 'GET', `/api/v1/jobs/${encodeURIComponent(t.jobId.slice('ga/'.length))}`);
        expect(job.body).toMatchObject({ id: t.jobId, kind: 'trial', owner: 'alice', status: 'Complete' });
      }
      const best = Math.min(...r.body.trials.map((t: { objective: number }) => t.objective));
      expect(r.body.optimalTrial.objective).toBe(best);
      expect(r.body.trials.find((t: { name: string }) => t.name === r.body.optimalTrial.name).objective).toBe(best);
    } finally {
      controller.stop();
      runtime.stop();
    }
  });

  it('is named by its name in the caller’s group, `?group=`, or its whole id URL-encoded', async () => {
    await yaml('alice');
    await yaml('carol');
    expect((await f.call('admin', 'GET', `${BASE}/random?group=gb`)).body.id).toBe('gb/random');
    expect((await f.call('admin', 'GET', `${BASE}/${encodeURIComponent('ga/random')}`)).body.id).toBe('ga/random');
    expect((await f.call('alice', 'GET', `${BASE}/${encodeURIComponent('ga/random')}`)).body.id).toBe('ga/random');
    // Two groups' of one name: an operator must say which.
    const ambiguous = await f.call('admin', 'GET', `${BASE}/random`);
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body).toMatchObject({ code: 'ambiguous-experiment-name', details: { groups: ['ga', 'gb'] } });
    // Another group's, by any of those, does not exist for a data scientist.
    expect((await f.call('alice', 'GET', `${BASE}/${encodeURIComponent('gb/random')}`)).status).toBe(404);
    expect((await f.call('alice', 'GET', `${BASE}/random?group=gb`)).status).toBe(404);
    // Names no experiment can have are simply not found.
    for (const name of ['%20', encodeURIComponent('ÄÖ'), 'x'.repeat(200), encodeURIComponent('a/b/c')]) {
      expect((await f.call('alice', 'GET', `${BASE}/${name}`)).status, name).toBe(404);
    }
  });
});

describe('registering the optimal trial as a model version', () => {
  it("records the best trial's product as the model's next version, with its metrics and lineage; 409 before any", async () => {
    await yaml('alice');
    expect((await f.call('alice', 'POST', '/api/v1/models', { name: 'mnist' })).status).toBe(201);
    const early = await refused(() => f.call('alice', 'POST', `${BASE}/random/register-model`, { model: 'mnist' }));
    expect(early).toMatchObject({ status: 409, body: { code: 'no-optimal-trial' } });
    await createTrials('ga/random', 2);
    await endTrial('ga/random', 'trial-1', 0.4);
    await endTrial('ga/random', 'trial-2', 0.2);
    const r = await f.call('alice', 'POST', `${BASE}/random/register-model`, { model: 'mnist' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      assetId: 'ga/mnist',
      version: 1,
      by: 'alice',
      metrics: { loss: 0.2 },
      lineage: { job: 'ga/random-trial-2', hyperparameters: { lr: '0.02', momentum: '0.5' } },
    });
    expect(r.headers.location).toBe('/api/v1/models/mnist/versions/1?group=ga');
    expect((await f.call('bob', 'GET', '/api/v1/models/mnist/versions/1')).body.lineage.job).toBe('ga/random-trial-2');
    // Another group member reads it but may not register; a model that does not exist is 404.
    expect((await f.call('bob', 'POST', `${BASE}/random/register-model`, { model: 'mnist' })).status).toBe(403);
    expect((await f.call('alice', 'POST', `${BASE}/random/register-model`, { model: 'nope' })).status).toBe(404);
    expect((await f.call('alice', 'POST', `${BASE}/random/register-model`, { model: 'mnist', extra: 1 })).status).toBe(400);
  });
});

describe('editing', () => {
  beforeEach(async () => {
    await yaml('alice');
  });

  it('changes the three counts, and only those', async () => {
    const r = await f.call('alice', 'PATCH', `${BASE}/random`, {
      parallelTrialCount: 2,
      maxTrialCount: 20,
      maxFailedTrialCount: null,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ parallelTrialCount: 2, maxTrialCount: 20, maxFailedTrialCount: null });
    expect(experiments.current.experiments.get('ga/random')?.spec.maxTrialCount).toBe(20);
    const other = await refused(() =>
      f.call('alice', 'PATCH', `${BASE}/random`, { maxTrialCount: 5, algorithm: 'grid', goal: 1 }),
    );
    expect(other.status).toBe(400);
    expect(other.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.algorithm', 'body.goal']);
    const wrong = await refused(() => f.call('alice', 'PATCH', `${BASE}/random`, { parallelTrialCount: 0 }));
    expect(wrong.body.errors[0].path).toBe('body.parallelTrialCount');
    // What the core refuses: more in parallel than the budget.
    expect((await refused(() => f.call('alice', 'PATCH', `${BASE}/random`, { parallelTrialCount: 30 }))).status).toBe(409);
  });

  it('is its owner’s or an operator’s: the group reads it, another group does not see it', async () => {
    expect((await refused(() => f.call('bob', 'PATCH', `${BASE}/random`, { maxTrialCount: 5 }))).status).toBe(403);
    expect((await refused(() => f.call('carol', 'PATCH', `${BASE}/random`, { maxTrialCount: 5 }))).status).toBe(404);
    expect((await f.call('admin', 'PATCH', `${BASE}/random?group=ga`, { maxTrialCount: 5 })).body.maxTrialCount).toBe(5);
  });

  it('a lower budget that is already spent ends it', async () => {
    await createTrials('ga/random', 2);
    await endTrial('ga/random', 'trial-1', 0.5);
    await endTrial('ga/random', 'trial-2', 0.6);
    const r = await f.call('alice', 'PATCH', `${BASE}/random`, { parallelTrialCount: 2, maxTrialCount: 2 });
    expect(r.body).toMatchObject({ status: 'Succeeded', reason: 'ExperimentMaxTrialsReached' });
  });
});

describe('stopping and restarting', () => {
  it('stops at once when no trial runs; Stopping while trials finish; then it may restart if its policy lets it', async () => {
    await yaml('alice', YAML.replace('maxFailedTrialCount: 3', 'maxFailedTrialCount: 3\n  resumePolicy: LongRunning'));
    await createTrials('ga/random', 2);
    const stopping = await f.call('alice', 'POST', `${BASE}/random/stop`, { trials: 'finish' });
    expect(stopping.status).toBe(200);
    expect(stopping.body).toMatchObject({ status: 'Stopping', stopTrials: 'finish' });
    await endTrial('ga/random', 'trial-1', 0.5);
    await endTrial('ga/random', 'trial-2', 0.4);
    const stopped = await f.call('alice', 'GET', `${BASE}/random`);
    expect(stopped.body).toMatchObject({ status: 'Stopped', reason: 'ExperimentStopped' });
    expect((await refused(() => f.call('alice', 'POST', `${BASE}/random/stop`))).status).toBe(409);
    const restarted = await f.call('alice', 'POST', `${BASE}/random/restart`);
    expect(restarted.status).toBe(200);
    expect(restarted.body).toMatchObject({ status: 'Running', restarts: 1, reason: null });
    expect((await refused(() => f.call('alice', 'POST', `${BASE}/random/restart`))).status).toBe(409);
  });

  it('stops its trials by default; refuses another field, a wrong value, and a restart under resumePolicy Never', async () => {
    await yaml('alice');
    const bad = await refused(() => f.call('alice', 'POST', `${BASE}/random/stop`, { trials: 'now', force: true }));
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.force']);
    expect((await refused(() => f.call('alice', 'POST', `${BASE}/random/stop`, { trials: 'now' }))).body.errors[0].path).toBe(
      'body.trials',
    );
    expect((await refused(() => f.call('bob', 'POST', `${BASE}/random/stop`))).status).toBe(403);
    expect((await refused(() => f.call('carol', 'POST', `${BASE}/random/stop`))).status).toBe(404);
    await createTrials('ga/random', 1);
    expect((await f.call('alice', 'POST', `${BASE}/random/stop`)).body).toMatchObject({ status: 'Stopping', stopTrials: 'stop' });
    await endTrial('ga/random', 'trial-1', null, 'failed');
    const never = await refused(() => f.call('admin', 'POST', `${BASE}/random/restart?group=ga`));
    expect(never.status).toBe(409);
    expect(never.body.detail).toMatch(/resumePolicy Never/);
    expect((await refused(() => f.call('bob', 'POST', `${BASE}/random/restart`))).status).toBe(403);
    expect((await refused(() => f.call('alice', 'POST', `${BASE}/nope/restart`))).status).toBe(404);
  });
});
