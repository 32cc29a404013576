/**
 * The role matrix: every route the server registers, called by each kind of caller, with the
 * status each must get. The table is checked against the server's own list of routes, so a route
 * added without a row (or a row left for a route that is gone) fails here.
 *
 * Callers: `admin` is the operator; `alice` owns the jobs in the table and is a data scientist of
 * the group whose pool (`pa`) and members (`bob`) the rows name; `bob` is in her group but owns
 * nothing; `carol` is a data scientist of another group; `nobody` sends no token.
 *
 * The world of every row: the fixture's cluster, and two jobs of alice's running in `pa`, `a1`
 * (not shared) and `a2` (shared with her group); and of each asset kind, alice's `s-<kind>`
 * (shared with her group) and `p-<kind>` (private) in `ga`, with a version each (names are
 * unique in a group across kinds); and alice's tuning experiments in `ga`, `tune` (running) and
 * `done` (stopped, which may restart). Reads share one world; a row
 * that may change the state gets a fresh world for every caller, and a caller who is refused must
 * leave it unchanged (the cluster's state, the assets' and the experiments').
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { AssetCommand } from '../../core/assets/commands.js';
import { ASSET_KINDS, type AssetKind } from '../../core/assets/model.js';
import { EXPERIMENTS_STREAM, experimentsDecider } from '../../core/experiments/experiments-decider.js';
import { createDeciderEngine } from '../../engine/engine.js';
import { InMemoryEventStore } from '../memory/store.js';
import type { ExperimentsEngine } from './context.js';
import { parseExperimentDocument } from './routes/experiments.js';
import { registeredRoutes } from './server.js';
import {
  revisionsOf as assetsAndCluster,
  stateOf as bothStates,
  type Fixture,
  fixture,
  type Who,
} from './test-support/fixture.js';

const CALLERS = ['admin', 'alice', 'bob', 'carol', 'nobody'] as const satisfies readonly Who[];
type Statuses = readonly [admin: number, alice: number, bob: number, carol: number, nobody: number];

interface Row {
  /** The route as the server registers it: method and URL pattern. */
  readonly route: string;
  /** The request's URL (a function when it needs something from the world, such as a token id). */
  readonly url: string | ((f: Fixture) => Promise<string>);
  readonly body?: unknown;
  readonly expect: Statuses;
}

/** Each world's experiments engine: the server's, which the fixture does not hold. */
const experimentsOf = new WeakMap<Fixture, ExperimentsEngine>();
/** The revisions of every engine a request may change: the cluster's, the assets' and the experiments'. */
const revisionsOf = (f: Fixture) => ({ ...assetsAndCluster(f), experiments: experimentsOf.get(f)?.revision });
/** Every engine's state as text (the experiments' by its revision: each change appends). */
const stateOf = (f: Fixture) => `${bothStates(f)} experiments@${experimentsOf.get(f)?.revision}`;

/** A Katib Experiment as JSON: the sample, named `name`. */
const KATIB = parseYaml(
  readFileSync(new URL('../../core/experiments/fixtures/katib/hp-tuning_random.yaml', import.meta.url), 'utf8'),
);
const katib = (name: string, resumePolicy?: string) => ({
  ...KATIB,
  metadata: { ...KATIB.metadata, name },
  spec: { ...KATIB.spec, ...(resumePolicy ? { resumePolicy } : {}) },
});

const row = (route: string, url: Row['url'], expected: Statuses, body?: unknown): Row =>
  body === undefined ? { route, url, expect: expected } : { route, url, body, expect: expected };

const PUBLIC: Statuses = [200, 200, 200, 200, 200];
const OPERATOR_READ: Statuses = [200, 403, 403, 403, 401];
const ANY_USER: Statuses = [200, 200, 200, 200, 401];

const bobsToken = async (f: Fixture) => {
  const listed = await f.call('admin', 'GET', '/api/v1/users/bob/tokens');
  return `/api/v1/users/bob/tokens/${listed.body[0].tokenId}`;
};

/** What an asset of each kind is made from, and what a version of it pins. */
const SOURCES: Record<AssetKind, Record<string, unknown>> = {
  workspace: { source: { kind: 'git', url: 'https://github.com/acme/vision.git' } },
  dataset: { source: { kind: 'object', uri: 's3://acme-data/images/' } },
  model: {},
};
const VERSIONS: Record<AssetKind, Record<string, unknown>> = {
  workspace: { pin: { commit: 'abc123' } },
  dataset: { pin: { etag: 'e1' } },
  model: { uri: 's3://acme-models/resnet/1', metrics: { accuracy: 0.9 } },
};

/**
 * The rows of one asset kind: a group's assets are seen by its members (a private one by its
 * owner only), changed by their owner; another group's do not exist.
 */
// biome-ignore format: a table, aligned by column
const assetRows = (kind: AssetKind): Row[] => {
  const base = `/api/v1/${kind}s`;
  const [shared, own] = [`${base}/s-${kind}`, `${base}/p-${kind}`]; // alice's, shared with ga and private
  return [
    //   route                                    request                  admin alice  bob carol nobody
    row(`GET ${base}`,                            base,                    ANY_USER),
    row(`GET ${base}/:name`,                      shared,                  [200, 200, 200, 404, 401]),
    row(`GET ${base}/:name`,                      own,                     [200, 200, 404, 404, 401]),
    row(`GET ${base}/:name`,                      `${base}/nope`,          [404, 404, 404, 404, 401]),
    row(`GET ${base}/:name/versions/:version`,    `${shared}/versions/1`,  [200, 200, 200, 404, 401]),
    row(`GET ${base}/:name/compare`,              `${shared}/compare`,     [200, 200, 200, 404, 401]),
    row(`GET ${base}/:name/compare`,              `${own}/compare`,        [200, 200, 404, 404, 401]),
    row(`GET ${base}/:name/versions/:version`,    `${own}/versions/1`,     [200, 200, 404, 404, 401]),
    row(`POST ${base}`,                           base,                    [201, 201, 201, 201, 401],
        { name: 'n9', ...SOURCES[kind] }),
    row(`POST ${base}`,                           base,                    [201, 201, 403, 403, 401],
        { name: 'n9', owner: 'alice', ...SOURCES[kind] }),
    row(`PATCH ${base}/:name`,                    shared,                  [200, 200, 403, 404, 401],
        { description: 'changed', tags: ['x'] }),
    row(`PATCH ${base}/:name`,                    own,                     [200, 200, 404, 404, 401],
        { private: false }),
    row(`POST ${base}/:name/versions`,            `${shared}/versions`,    [201, 201, 201, 404, 401],
        VERSIONS[kind]),
    row(`POST ${base}/:name/versions`,            `${own}/versions`,       [201, 201, 404, 404, 401],
        VERSIONS[kind]),
    row(`POST ${base}/:name/archive`,             `${shared}/archive`,     [200, 200, 403, 404, 401]),
    row(`DELETE ${base}/:name`,                   shared,                  [204, 204, 403, 404, 401]),
    row(`DELETE ${base}/:name`,                   own,                     [204, 204, 404, 404, 401]),
  ];
};

// biome-ignore format: a table, aligned by column
const TABLE: readonly Row[] = [
  //   route                                            request                                  admin alice  bob carol nobody
  // probes and documents: public, a token changes nothing
  row('GET /',                                         '/',                                         PUBLIC),
  row('GET /assets/*',                                  '/assets/nope.js',                           [404, 404, 404, 404, 404]),
  row('GET /healthz',                                   '/healthz',                                  PUBLIC),
  row('GET /readyz',                                    '/readyz',                                   PUBLIC),
  row('GET /metrics',                                   '/metrics',                                  PUBLIC),
  row('GET /docs',                                      '/docs',                                     PUBLIC),
  row('HEAD /docs/',                                    '/docs/',                                    PUBLIC),
  row('GET /docs/json',                                 '/docs/json',                                PUBLIC),
  row('GET /docs/yaml',                                 '/docs/yaml',                                PUBLIC),
  row('GET /docs/static/index.html',                    '/docs/static/index.html',                   [302, 302, 302, 302, 302]),
  row('GET /docs/static/swagger-initializer.js',        '/docs/static/swagger-initializer.js',       PUBLIC),
  row('GET /docs/static/*',                             '/docs/static/swagger-ui.css',               PUBLIC),
  // nodes: operators only
  row('GET /api/v1/nodes',                              '/api/v1/nodes',                             OPERATOR_READ),
  row('GET /api/v1/nodes/:nodeId',                      '/api/v1/nodes/n1',                          OPERATOR_READ),
  row('POST /api/v1/nodes',                             '/api/v1/nodes',                             [201, 403, 403, 403, 401],
      { nodeId: 'n9', devices: [{ index: 0, gpuType: 'A100' }] }),
  row('POST /api/v1/nodes/:nodeId/cordon',              '/api/v1/nodes/n3/cordon',                   [200, 403, 403, 403, 401]),
  row('POST /api/v1/nodes/:nodeId/uncordon',            '/api/v1/nodes/n3/uncordon',                 [200, 403, 403, 403, 401]),
  // pools: anyone reads the list (filtered); a data scientist reads their own group's pool only
  row('GET /api/v1/pools',                              '/api/v1/pools',                             ANY_USER),
  row('GET /api/v1/pools/:poolId',                      '/api/v1/pools/pa',                          [200, 200, 200, 403, 401]),
  row('GET /api/v1/pools/:poolId/queue',                '/api/v1/pools/pa/queue',                    [200, 200, 200, 403, 401]),
  row('GET /api/v1/pools/:poolId/forecast',             '/api/v1/pools/pa/forecast',                 [200, 200, 200, 403, 401]),
  // what-if: operators only (it changes nothing, but shows every group's queue)
  row('POST /api/v1/forecast/what-if',                  '/api/v1/forecast/what-if',                  [200, 403, 403, 403, 401],
      { changes: [{ type: 'CordonNode', nodeId: 'n3' }] }),
  row('GET /api/v1/pools/:poolId/usage',                '/api/v1/pools/pa/usage',                    [200, 200, 200, 403, 401]),
  row('POST /api/v1/pools',                             '/api/v1/pools',                             [201, 403, 403, 403, 401],
      { poolId: 'pc', name: 'pool-c', gpuType: 'A100' }),
  row('PATCH /api/v1/pools/:poolId',                    '/api/v1/pools/pa',                          [200, 403, 403, 403, 401],
      { policy: 'first-fit' }),
  row('DELETE /api/v1/pools/:poolId',                   '/api/v1/pools/pb',                          [204, 403, 403, 403, 401]),
  row('POST /api/v1/pools/:poolId/allocations',         '/api/v1/pools/pa/allocations',              [200, 403, 403, 403, 401],
      { count: 1 }),
  row('POST /api/v1/pools/:toPoolId/devices',           '/api/v1/pools/pa/devices',                  [200, 403, 403, 403, 401],
      { devices: ['n3/0'] }),
  // groups: operators only
  row('GET /api/v1/groups',                             '/api/v1/groups',                            OPERATOR_READ),
  row('GET /api/v1/groups/:groupId',                    '/api/v1/groups/ga',                         OPERATOR_READ),
  row('POST /api/v1/groups',                            '/api/v1/groups',                            [201, 403, 403, 403, 401],
      { groupId: 'gc', name: 'group-c' }),
  row('PUT /api/v1/groups/:groupId/pool',               '/api/v1/groups/gb/pool',                    [200, 403, 403, 403, 401],
      { poolId: null }),
  row('PUT /api/v1/groups/:groupId/limits',             '/api/v1/groups/ga/limits',                  [200, 403, 403, 403, 401],
      { maxUnfinishedJobsPerUser: 50 }),
  row('DELETE /api/v1/groups/:groupId',                 '/api/v1/groups/gb',                         [204, 403, 403, 403, 401]),
  // users and tokens: operators only, but anyone may ask who they are
  row('GET /api/v1/me',                                 '/api/v1/me',                                ANY_USER),
  row('GET /api/v1/users',                              '/api/v1/users',                             OPERATOR_READ),
  row('GET /api/v1/users/:userId',                      '/api/v1/users/bob',                         OPERATOR_READ),
  row('POST /api/v1/users',                             '/api/v1/users',                             [201, 403, 403, 403, 401],
      { userId: 'dave', name: 'Dave', role: 'data-scientist' }),
  row('PUT /api/v1/users/:userId/group',                '/api/v1/users/bob/group',                   [200, 403, 403, 403, 401],
      { groupId: 'gb' }),
  row('DELETE /api/v1/users/:userId',                   '/api/v1/users/bob',                         [204, 403, 403, 403, 401]),
  row('POST /api/v1/users/:userId/tokens',              '/api/v1/users/bob/tokens',                  [201, 403, 403, 403, 401],
      { label: 'ci' }),
  row('GET /api/v1/users/:userId/tokens',               '/api/v1/users/bob/tokens',                  OPERATOR_READ),
  row('DELETE /api/v1/users/:userId/tokens/:tokenId',   bobsToken,                                   [204, 403, 403, 403, 401]),
  // jobs: one's own; the group's shared ones visible but not one's to change; others' do not exist
  row('POST /api/v1/jobs',                              '/api/v1/jobs',                              [201, 201, 201, 201, 401],
      { jobId: 'j9', kind: 'inference', gpus: 0 }),
  row('POST /api/v1/jobs',                              '/api/v1/jobs',                              [201, 201, 403, 403, 401],
      { jobId: 'j9', kind: 'inference', gpus: 0, owner: 'alice' }),
  row('GET /api/v1/jobs',                               '/api/v1/jobs',                              ANY_USER),
  row('GET /api/v1/jobs/:jobId',                        '/api/v1/jobs/a1',                           [200, 200, 404, 404, 401]),
  row('GET /api/v1/jobs/:jobId',                        '/api/v1/jobs/a2',                           [200, 200, 200, 404, 401]),
  row('GET /api/v1/jobs/:jobId',                        '/api/v1/jobs/nope',                         [404, 404, 404, 404, 401]),
  row('GET /api/v1/jobs/:jobId/explain',                '/api/v1/jobs/a1/explain',                   [200, 200, 404, 404, 401]),
  row('GET /api/v1/jobs/:jobId/explain',                '/api/v1/jobs/a2/explain',                   [200, 200, 200, 404, 401]),
  row('GET /api/v1/jobs/:jobId/forecast',               '/api/v1/jobs/a1/forecast',                  [200, 200, 404, 404, 401]),
  row('GET /api/v1/jobs/:jobId/forecast',               '/api/v1/jobs/a2/forecast',                  [200, 200, 200, 404, 401]),
  row('POST /api/v1/jobs/:jobId/stop',                  '/api/v1/jobs/a1/stop',                      [200, 200, 404, 404, 401]),
  row('POST /api/v1/jobs/:jobId/stop',                  '/api/v1/jobs/a2/stop',                      [200, 200, 403, 404, 401]),
  row('POST /api/v1/jobs/:jobId/clone',                 '/api/v1/jobs/a1/clone',                     [201, 201, 404, 404, 401],
      { jobId: 'a9' }),
  row('POST /api/v1/jobs/:jobId/clone',                 '/api/v1/jobs/a2/clone',                     [201, 201, 403, 404, 401],
      { jobId: 'a9' }),
  row('POST /api/v1/jobs/:jobId/metrics',               '/api/v1/jobs/a1/metrics',                   [201, 201, 404, 404, 401],
      { points: [{ name: 'loss', value: 1 }] }),
  row('POST /api/v1/jobs/:jobId/metrics',               '/api/v1/jobs/a2/metrics',                   [201, 201, 403, 404, 401],
      { points: [{ name: 'loss', value: 1 }] }),
  row('GET /api/v1/jobs/:jobId/metrics',                '/api/v1/jobs/a1/metrics',                   [200, 200, 404, 404, 401]),
  row('GET /api/v1/jobs/:jobId/metrics',                '/api/v1/jobs/a2/metrics',                   [200, 200, 200, 404, 401]),
  // reproducing a model version: its versions here were recorded by hand, made by no job (409)
  row('POST /api/v1/models/:name/versions/:version/reproduce', '/api/v1/models/s-model/versions/1/reproduce', [409, 409, 409, 404, 401]),
  row('POST /api/v1/models/:name/versions/:version/reproduce', '/api/v1/models/p-model/versions/1/reproduce', [409, 409, 404, 404, 401]),
  // the event stream: anyone with a token (each sees only the events of jobs they may see)
  row('GET /api/v1/events',                             '/api/v1/events',                            ANY_USER),
  // workspaces, datasets and models: the group's, each changed by its owner
  ...ASSET_KINDS.flatMap(assetRows),
  // tuning experiments: the group's, each changed by its owner; alice's `tune` runs, her `done` is stopped
  row('GET /api/v1/tuning/experiments',                 '/api/v1/tuning/experiments',                ANY_USER),
  row('GET /api/v1/tuning/experiments/:name',           '/api/v1/tuning/experiments/tune',           [200, 200, 200, 404, 401]),
  row('GET /api/v1/tuning/experiments/:name',           '/api/v1/tuning/experiments/nope',           [404, 404, 404, 404, 401]),
  row('POST /api/v1/tuning/experiments',                '/api/v1/tuning/experiments',                [201, 201, 201, 201, 401],
      katib('n9')),
  row('POST /api/v1/tuning/experiments',                '/api/v1/tuning/experiments?owner=alice',    [201, 201, 403, 403, 401],
      katib('n9')),
  row('PATCH /api/v1/tuning/experiments/:name',         '/api/v1/tuning/experiments/tune',           [200, 200, 403, 404, 401],
      { maxTrialCount: 20 }),
  row('POST /api/v1/tuning/experiments/:name/stop',     '/api/v1/tuning/experiments/tune/stop',      [200, 200, 403, 404, 401],
      { trials: 'finish' }),
  row('POST /api/v1/tuning/experiments/:name/restart',  '/api/v1/tuning/experiments/done/restart',   [200, 200, 403, 404, 401]),
  // `tune` has no trial with an objective yet: nothing to register (409), for whoever may change it
  row('POST /api/v1/tuning/experiments/:name/register-model', '/api/v1/tuning/experiments/tune/register-model', [409, 409, 403, 404, 401],
      { model: 's-model' }),
];

/**
 * The fixture's cluster with alice's two running (training) jobs, one shared with her group; and alice's
 * shared `s-<kind>` and private `p-<kind>` of each asset kind, with a version each.
 */
async function world(): Promise<Fixture> {
  const store = new InMemoryEventStore();
  const experiments = await createDeciderEngine(experimentsDecider, { store, stream: EXPERIMENTS_STREAM });
  const f = await fixture({ store, experiments });
  experimentsOf.set(f, experiments);
  const close = f.close.bind(f);
  f.close = async () => {
    await close();
    await experiments.close();
  };
  const jobs = await f.engine.executeBatch([
    { type: 'SubmitJob', jobId: 'a1', kind: 'training', owner: 'alice', gpus: 1 },
    { type: 'SubmitJob', jobId: 'a2', kind: 'training', owner: 'alice', gpus: 1, shared: true },
  ]);
  if (jobs.outcomes.some((o) => !o.ok)) throw new Error(`world setup refused: ${JSON.stringify(jobs.outcomes)}`);
  // Running: they report metrics.
  await f.engine.executeBatch([
    { type: 'ReportJobStarted', jobId: 'a1' },
    { type: 'ReportJobStarted', jobId: 'a2' },
  ]);
  const assets = await f.assets.executeBatch(
    ASSET_KINDS.flatMap((kind) =>
      [`s-${kind}`, `p-${kind}`].flatMap((name): AssetCommand[] => [
        { type: 'CreateAsset', kind, group: 'ga', name, owner: 'alice', private: name.startsWith('p-'), ...SOURCES[kind] },
        { type: 'RecordAssetVersion', assetId: `ga/${name}`, by: 'alice', ...VERSIONS[kind] },
      ]),
    ),
  );
  if (assets.outcomes.some((o) => !o.ok)) throw new Error(`world setup refused: ${JSON.stringify(assets.outcomes)}`);
  const spec = (name: string, resumePolicy?: string) => {
    const r = parseExperimentDocument(katib(name, resumePolicy));
    if (!r.ok) throw new Error(`world setup: ${JSON.stringify(r.issues)}`);
    return r.experiment;
  };
  const tuning = await experiments.executeBatch([
    { type: 'CreateExperiment', experimentId: 'ga/tune', owner: 'alice', group: 'ga', spec: spec('tune') as never, seed: 1 },
    {
      type: 'CreateExperiment',
      experimentId: 'ga/done',
      owner: 'alice',
      group: 'ga',
      spec: spec('done', 'LongRunning') as never,
      seed: 2,
    },
    { type: 'StopExperiment', experimentId: 'ga/done', trials: 'stop' },
  ]);
  if (tuning.outcomes.some((o) => !o.ok)) throw new Error(`world setup refused: ${JSON.stringify(tuning.outcomes)}`);
  return f;
}

const methodOf = (r: Row) => r.route.split(' ')[0] as 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const isRead = (r: Row) => methodOf(r) === 'GET' || methodOf(r) === 'HEAD';
const isStream = (r: Row) => r.route === 'GET /api/v1/events';
const urlOf = async (f: Fixture, r: Row) => (typeof r.url === 'string' ? r.url : r.url(f));

/**
 * A request to the event stream. A stream that is let in never ends by itself: once it is open
 * (it has subscribed to the engine), the server is shut down, which ends every stream.
 */
async function streamStatus(f: Fixture, who: Who, method: 'GET' | 'HEAD', url: string): Promise<number> {
  let opened = () => {};
  const open = new Promise<'open'>((ok) => (opened = () => ok('open')));
  const subscribe = f.engine.subscribe.bind(f.engine);
  f.engine.subscribe = (listener) => {
    opened();
    return subscribe(listener);
  };
  const pending = f.call(who, method, url);
  try {
    await Promise.race([pending, open]);
  } finally {
    await f.close();
  }
  return (await pending).status;
}

const statusesOf = (m: Record<Who, number>): Record<string, number> => Object.fromEntries(CALLERS.map((who) => [who, m[who]]));
const expected = (r: Row): Record<string, number> => Object.fromEntries(CALLERS.map((who, i) => [who, r.expect[i] as number]));

describe('role matrix', () => {
  let reads: Fixture;
  let before: string;
  beforeAll(async () => {
    reads = await world();
    before = stateOf(reads);
  });
  afterAll(async () => {
    await reads.close();
  });

  it('has a row for every route the server registers, and none for a route it does not', async () => {
    const registered = new Set(registeredRoutes(reads.app).map((r) => `${r.method} ${r.url}`));
    const rows = new Set(TABLE.map((r) => r.route));
    // A HEAD route fastify adds for a GET is answered by the GET's handler: the GET's row covers it.
    const covered = (route: string) => rows.has(route) || (route.startsWith('HEAD ') && rows.has(`GET ${route.slice(5)}`));
    expect([...registered].filter((route) => !covered(route))).toEqual([]);
    expect([...rows].filter((route) => !registered.has(route))).toEqual([]);
    expect(registered.size).toBeGreaterThan(60);
  });

  const nameOf = (r: Row) =>
    `${r.route}: ${typeof r.url === 'string' ? r.url : '(from the world)'}${r.body === undefined ? '' : ` ${JSON.stringify(r.body)}`}`;
  it.each(TABLE.map((r) => [nameOf(r), r] as const))('%s', async (_name, r) => {
    const got = {} as Record<Who, number>;
    const headGot = {} as Record<Who, number>;
    for (const who of CALLERS) {
      if (isStream(r) && who !== 'nobody') {
        got[who] = await streamStatus(await world(), who, 'GET', r.url as string);
        headGot[who] = await streamStatus(await world(), who, 'HEAD', r.url as string);
      } else if (isRead(r)) {
        const url = await urlOf(reads, r);
        got[who] = (await reads.call(who, methodOf(r), url)).status;
        // Every GET has its HEAD, which must answer alike.
        if (methodOf(r) === 'GET') headGot[who] = (await reads.call(who, 'HEAD', url)).status;
      } else {
        const f = await world();
        try {
          const state = stateOf(f);
          const revisions = revisionsOf(f);
          const res = await f.call(who, methodOf(r), await urlOf(f, r), r.body);
          got[who] = res.status;
          if (res.status >= 400) {
            expect(res.headers['content-type'], `${who}: a problem`).toMatch(/^application\/problem\+json/);
            expect(revisionsOf(f), `${who}: refused, so nothing appended`).toEqual(revisions);
            expect(stateOf(f), `${who}: refused, so the state is unchanged`).toBe(state);
          }
        } finally {
          await f.close();
        }
      }
    }
    expect(statusesOf(got)).toEqual(expected(r));
    if (methodOf(r) === 'GET') expect(statusesOf(headGot)).toEqual(expected(r));
  });

  it('the OpenAPI document declares the success status each route answers with', async () => {
    const doc = (await reads.call('nobody', 'GET', '/docs/json')).body;
    const missing: string[] = [];
    for (const r of TABLE) {
      const [method, url] = r.route.split(' ') as [string, string];
      const status = r.expect[0];
      if (status < 200 || status > 299 || !url.startsWith('/api/')) continue;
      const path = url.replace(/:(\w+)/g, '{$1}');
      const declared = doc.paths[path]?.[method.toLowerCase()]?.responses ?? {};
      if (!(String(status) in declared)) missing.push(`${r.route} ${status}`);
    }
    expect(missing).toEqual([]);
  });

  it('reads changed nothing', () => {
    expect(stateOf(reads)).toBe(before);
  });
});

describe('what a refusal tells', () => {
  it('another group’s job is answered exactly as a job that does not exist', async () => {
    const f = await world();
    try {
      for (const [method, suffix] of [
        ['GET', ''],
        ['GET', '/explain'],
        ['POST', '/stop'],
        ['POST', '/clone'],
        ['GET', '/metrics'],
        ['POST', '/metrics'],
      ] as const) {
        const theirs = await f.call('carol', method, `/api/v1/jobs/a1${suffix}`);
        const none = await f.call('carol', method, `/api/v1/jobs/zz${suffix}`);
        expect(theirs.status).toBe(404);
        expect(JSON.stringify(theirs.body).replaceAll("'a1'", "'zz'")).toBe(JSON.stringify(none.body));
      }
    } finally {
      await f.close();
    }
  });

  it('a data scientist’s pool list holds only their group’s pool', async () => {
    const f = await world();
    try {
      const ids = async (who: Who) => (await f.call(who, 'GET', '/api/v1/pools')).body.map((p: { id: string }) => p.id);
      expect(await ids('alice')).toEqual(['pa']);
      expect(await ids('carol')).toEqual(['pb']);
      expect(await ids('admin')).toEqual(['default', 'pa', 'pb']);
    } finally {
      await f.close();
    }
  });

  it('a data scientist’s job list holds their own jobs and their group’s shared ones', async () => {
    const f = await world();
    try {
      const ids = async (who: Who) => (await f.call(who, 'GET', '/api/v1/jobs')).body.map((j: { id: string }) => j.id);
      expect(await ids('alice')).toEqual(['a1', 'a2']);
      expect(await ids('bob')).toEqual(['a2']);
      expect(await ids('carol')).toEqual([]);
      expect(await ids('admin')).toEqual(['a1', 'a2']);
    } finally {
      await f.close();
    }
  });
});
