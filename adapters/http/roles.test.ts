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
 * `done` (stopped, which may restart); and alice's pipeline `hello` (the hello_world sample) in
 * `ga`, with her pipeline experiment `px`, her runs `pr` (running) and `pf` (failed), her
 * recurring run `prr`, and a component of ga's library. Reads share one world; a row
 * that may change the state gets a fresh world for every caller, and a caller who is refused must
 * leave it unchanged (the cluster's state, the assets' and the experiments').
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { AssetCommand } from '../../core/assets/commands.js';
import { ASSET_KINDS, type AssetKind } from '../../core/assets/model.js';
import { EXPERIMENTS_STREAM, experimentsDecider } from '../../core/experiments/experiments-decider.js';
import { componentDigest } from '../../core/pipelines/component-library.js';
import { PIPELINES_STREAM, pipelinesDecider } from '../../core/pipelines/pipelines-decider.js';
import { createDeciderEngine } from '../../engine/engine.js';
import { InMemoryEventStore } from '../memory/store.js';
import type { ExperimentsEngine, PipelinesEngine } from './context.js';
import type { JobLogSource } from './job-logs.js';
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

/** Each world's experiments and pipelines engines: the server's, which the fixture does not hold. */
const experimentsOf = new WeakMap<Fixture, ExperimentsEngine>();
const pipelinesOf = new WeakMap<Fixture, PipelinesEngine>();
/** The revisions of every engine a request may change: the cluster's, the assets', the experiments' and the pipelines'. */
const revisionsOf = (f: Fixture) => ({
  ...assetsAndCluster(f),
  experiments: experimentsOf.get(f)?.revision,
  pipelines: pipelinesOf.get(f)?.revision,
});
/** Every engine's state as text (the experiments' and the pipelines' by their revisions: each change appends). */
const stateOf = (f: Fixture) =>
  `${bothStates(f)} experiments@${experimentsOf.get(f)?.revision} pipelines@${pipelinesOf.get(f)?.revision}`;

/** A Katib Experiment as JSON: the sample, named `name`. */
const KATIB = parseYaml(
  readFileSync(new URL('../../core/experiments/fixtures/katib/hp-tuning_random.yaml', import.meta.url), 'utf8'),
);
const katib = (name: string, resumePolicy?: string) => ({
  ...KATIB,
  metadata: { ...KATIB.metadata, name },
  spec: { ...KATIB.spec, ...(resumePolicy ? { resumePolicy } : {}) },
});

/** The hello_world sample as JSON (an upload's body), and a v1 component file of the library. */
const HELLO = parseYaml(
  readFileSync(new URL('../../core/pipelines/fixtures/kfp/compiled/hello_world.yaml', import.meta.url), 'utf8'),
);
const COMPONENT_TEXT = readFileSync(
  new URL('../../core/pipelines/fixtures/kfp/components/v1test_add_component.yaml', import.meta.url),
  'utf8',
);
const COMPONENT = parseYaml(COMPONENT_TEXT);
const DIGEST = componentDigest(COMPONENT_TEXT);
const EVERY_MINUTE = { trigger: { kind: 'periodic', intervalSeconds: 60 } };

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
  row('GET /api/v1/jobs/:jobId/logs',                   '/api/v1/jobs/a1/logs',                      [200, 200, 404, 404, 401]),
  row('GET /api/v1/jobs/:jobId/logs',                   '/api/v1/jobs/a2/logs',                      [200, 200, 200, 404, 401]),
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
  // pipelines: the group's, each changed by its owner; alice's `hello` in ga (runs are made in their owner's group)
  row('GET /api/v1/pipelines',                          '/api/v1/pipelines',                         ANY_USER),
  row('POST /api/v1/pipelines',                         '/api/v1/pipelines?name=n9',                 [201, 201, 201, 201, 401],
      HELLO),
  row('POST /api/v1/pipelines',                         '/api/v1/pipelines?name=n9&owner=alice',     [201, 201, 403, 403, 401],
      HELLO),
  row('GET /api/v1/pipelines/:name',                    '/api/v1/pipelines/hello',                   [200, 200, 200, 404, 401]),
  row('GET /api/v1/pipelines/:name',                    '/api/v1/pipelines/nope',                    [404, 404, 404, 404, 401]),
  row('POST /api/v1/pipelines/:name/versions',          '/api/v1/pipelines/hello/versions',          [201, 201, 403, 404, 401],
      HELLO),
  row('GET /api/v1/pipelines/:name/versions/:version',  '/api/v1/pipelines/hello/versions/v1',       [200, 200, 200, 404, 401]),
  row('GET /api/v1/pipelines/:name/versions/:version',  '/api/v1/pipelines/hello/versions/latest',   [200, 200, 200, 404, 401]),
  // the component library: a group's own (an operator names any group)
  row('GET /api/v1/pipeline-components',                '/api/v1/pipeline-components',               ANY_USER),
  row('GET /api/v1/pipeline-components',                '/api/v1/pipeline-components?group=ga',      [200, 200, 200, 403, 401]),
  row('POST /api/v1/pipeline-components',               '/api/v1/pipeline-components',               [201, 201, 201, 201, 401],
      COMPONENT),
  row('GET /api/v1/pipeline-components/:digest',        `/api/v1/pipeline-components/${DIGEST}?group=ga`, [200, 200, 200, 404, 401]),
  // pipeline experiments (KFP's), runs and recurring runs: alice's `px`, `pr` (running), `pf` (failed), `prr`
  row('GET /api/v1/pipeline-experiments',               '/api/v1/pipeline-experiments',              ANY_USER),
  row('POST /api/v1/pipeline-experiments',              '/api/v1/pipeline-experiments',              [201, 201, 201, 201, 401],
      { name: 'n9' }),
  row('POST /api/v1/pipeline-experiments',              '/api/v1/pipeline-experiments',              [201, 201, 403, 403, 401],
      { name: 'n9', owner: 'alice' }),
  row('GET /api/v1/pipeline-experiments/:name',         '/api/v1/pipeline-experiments/px',           [200, 200, 200, 404, 401]),
  row('POST /api/v1/pipeline-experiments/:name/archive', '/api/v1/pipeline-experiments/px/archive',  [200, 200, 403, 404, 401]),
  row('POST /api/v1/pipeline-experiments/:name/restore', '/api/v1/pipeline-experiments/px/restore',  [200, 200, 403, 404, 401]),
  row('GET /api/v1/pipeline-runs',                      '/api/v1/pipeline-runs',                     ANY_USER),
  // a run is made in its owner's group: the admin's and carol's have no `hello`
  row('POST /api/v1/pipeline-runs',                     '/api/v1/pipeline-runs',                     [404, 201, 201, 404, 401],
      { name: 'n9', pipeline: 'hello' }),
  row('POST /api/v1/pipeline-runs',                     '/api/v1/pipeline-runs',                     [201, 201, 403, 403, 401],
      { name: 'n9', pipeline: 'hello', owner: 'alice', experiment: 'px' }),
  row('GET /api/v1/pipeline-runs/:name',                '/api/v1/pipeline-runs/pr',                  [200, 200, 200, 404, 401]),
  row('GET /api/v1/pipeline-runs/:name',                '/api/v1/pipeline-runs/nope',                [404, 404, 404, 404, 401]),
  row('POST /api/v1/pipeline-runs/:name/terminate',     '/api/v1/pipeline-runs/pr/terminate',        [200, 200, 403, 404, 401]),
  row('POST /api/v1/pipeline-runs/:name/retry',         '/api/v1/pipeline-runs/pf/retry',            [200, 200, 403, 404, 401]),
  // only a failed or canceled run is retried
  row('POST /api/v1/pipeline-runs/:name/retry',         '/api/v1/pipeline-runs/pr/retry',            [409, 409, 403, 404, 401]),
  row('POST /api/v1/pipeline-runs/:name/archive',       '/api/v1/pipeline-runs/pr/archive',          [200, 200, 403, 404, 401]),
  row('POST /api/v1/pipeline-runs/:name/restore',       '/api/v1/pipeline-runs/pr/restore',          [200, 200, 403, 404, 401]),
  row('GET /api/v1/recurring-runs',                     '/api/v1/recurring-runs',                    ANY_USER),
  row('POST /api/v1/recurring-runs',                    '/api/v1/recurring-runs',                    [201, 201, 403, 403, 401],
      { name: 'n9', pipeline: 'hello', owner: 'alice', schedule: EVERY_MINUTE }),
  row('GET /api/v1/recurring-runs/:name',               '/api/v1/recurring-runs/prr',                [200, 200, 200, 404, 401]),
  row('PATCH /api/v1/recurring-runs/:name',             '/api/v1/recurring-runs/prr',                [200, 200, 403, 404, 401],
      { schedule: { trigger: { kind: 'periodic', intervalSeconds: 120 } } }),
  row('POST /api/v1/recurring-runs/:name/enable',       '/api/v1/recurring-runs/prr/enable',         [200, 200, 403, 404, 401]),
  row('POST /api/v1/recurring-runs/:name/disable',      '/api/v1/recurring-runs/prr/disable',        [200, 200, 403, 404, 401]),
  row('POST /api/v1/recurring-runs/:name/trigger',      '/api/v1/recurring-runs/prr/trigger',        [201, 201, 403, 404, 401]),
];

/**
 * The fixture's cluster with alice's two running (training) jobs, one shared with her group; and alice's
 * shared `s-<kind>` and private `p-<kind>` of each asset kind, with a version each.
 */
async function world(): Promise<Fixture> {
  const store = new InMemoryEventStore();
  const experiments = await createDeciderEngine(experimentsDecider, { store, stream: EXPERIMENTS_STREAM });
  const pipelines = await createDeciderEngine(pipelinesDecider, { store, stream: PIPELINES_STREAM });
  // Every started job's worker logs a line: who may read it is what the matrix asks.
  const logs: JobLogSource = { read: async (job) => ({ ok: true, text: `${job.id} says hello\n`, truncated: false }) };
  const f = await fixture({ store, experiments, pipelines, logs });
  experimentsOf.set(f, experiments);
  pipelinesOf.set(f, pipelines);
  const close = f.close.bind(f);
  f.close = async () => {
    await close();
    await experiments.close();
    await pipelines.close();
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
  const run = { owner: 'alice', group: 'ga', pipelineId: 'ga/hello', parameters: {} } as const;
  const pipelineSetup = await pipelines.executeBatch([
    {
      type: 'CreatePipeline',
      pipelineId: 'ga/hello',
      owner: 'alice',
      group: 'ga',
      name: 'hello',
      version: { versionId: 'ga/hello@v1', name: 'v1', format: 'v2', spec: HELLO, platform: null },
    },
    { type: 'AddComponent', group: 'ga', owner: 'alice', digest: DIGEST, name: 'Add', text: COMPONENT_TEXT, url: null },
    { type: 'CreatePipelineExperiment', experimentId: 'ga/px', owner: 'alice', group: 'ga', name: 'px' },
    { type: 'CreateRun', runId: 'ga/pr', name: 'pr', ...run },
    { type: 'CreateRun', runId: 'ga/pf', name: 'pf', ...run },
    { type: 'ReportTaskStarted', runId: 'ga/pf', task: 'root/echo', attempt: 1 },
    { type: 'ReportTaskEnded', runId: 'ga/pf', task: 'root/echo', attempt: 1, outcome: 'failed' },
    {
      type: 'CreateRecurringRun',
      recurringRunId: 'ga/prr',
      name: 'prr',
      ...run,
      schedule: EVERY_MINUTE,
      enabled: true,
    },
  ]);
  if (pipelineSetup.outcomes.some((o) => !o.ok)) {
    throw new Error(`world setup refused: ${JSON.stringify(pipelineSetup.outcomes)}`);
  }
  if (pipelines.current.runs.get('ga/pf')?.state !== 'FAILED') throw new Error('world setup: run pf did not fail');
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
        ['GET', '/logs'],
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
