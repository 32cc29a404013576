/**
 * Jobs over HTTP as tenants see them: names scoped to the group, ids a URL can carry, live
 * reasons, limits on unfinished jobs, clone overrides, and lists that cost what the caller sees.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobState, State } from '../../core/cluster/model.js';
import type { Principal } from './access.js';
import type { JobLogSource, LogAnswer } from './job-logs.js';
import { MAX_LOG_BYTES, visibleJobs } from './routes/jobs.js';
import { type Fixture, fixture } from './test-support/fixture.js';

let f: Fixture;
beforeEach(async () => {
  f = await fixture();
});
afterEach(async () => {
  await f.close();
});

const submit = (who: 'alice' | 'bob' | 'carol' | 'admin', body: Record<string, unknown>) =>
  f.call(who, 'POST', '/api/v1/jobs', { kind: 'notebook', gpus: 0, ...body });

describe('names are scoped to the group', () => {
  it('two groups may both have a job named nightly, and neither learns of the other’s', async () => {
    const carols = await submit('carol', { jobId: 'nightly' });
    expect(carols.status).toBe(201);
    expect(carols.body).toMatchObject({ id: 'gb/nightly', name: 'nightly', group: 'gb' });
    // Alice's group may use the name too: no 409 that would tell her group b has one.
    const alices = await submit('alice', { jobId: 'nightly', shared: true });
    expect(alices.status).toBe(201);
    expect(alices.body).toMatchObject({ id: 'ga/nightly', owner: 'alice' });
    // Each reads their own; carol cannot reach alice's by naming her group.
    expect((await f.call('carol', 'GET', '/api/v1/jobs/nightly')).body.id).toBe('gb/nightly');
    expect((await f.call('bob', 'GET', '/api/v1/jobs/nightly')).body.id).toBe('ga/nightly');
    expect((await f.call('carol', 'GET', '/api/v1/jobs/nightly?group=ga')).status).toBe(404);
    // A second nightly in the same group is refused as before.
    expect((await submit('bob', { jobId: 'nightly' })).status).toBe(409);
  });

  it('an operator reaches a job by name across groups, and is asked to name the group when several have it', async () => {
    await submit('carol', { jobId: 'only-b' });
    expect((await f.call('admin', 'GET', '/api/v1/jobs/only-b')).body).toMatchObject({ id: 'gb/only-b' });
    await submit('carol', { jobId: 'both' });
    await submit('alice', { jobId: 'both' });
    const ambiguous = await f.call('admin', 'GET', '/api/v1/jobs/both');
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body).toMatchObject({ code: 'ambiguous-job-name', details: { groups: ['ga', 'gb'] } });
    expect((await f.call('admin', 'POST', '/api/v1/jobs/both/stop?group=gb')).body).toMatchObject({
      id: 'gb/both',
      status: 'Stopping',
    });
  });

  it('an operator submitting for a data scientist names the job in the owner’s group', async () => {
    const r = await submit('admin', { jobId: 'for-carol', owner: 'carol' });
    expect(r.body).toMatchObject({ id: 'gb/for-carol', group: 'gb' });
    expect(r.headers.location).toBe('/api/v1/jobs/for-carol?group=gb');
    expect((await f.call('carol', 'GET', '/api/v1/jobs/for-carol')).status).toBe(200);
  });

  it('a data scientist still reaches their own job in a group they have left', async () => {
    await submit('alice', { jobId: 'old' });
    expect((await f.call('admin', 'PUT', '/api/v1/users/alice/group', { groupId: 'gb' })).status).toBe(200);
    expect((await f.call('alice', 'GET', '/api/v1/jobs/old')).body).toMatchObject({ id: 'ga/old', group: 'ga' });
  });

  it('refuses a name with a slash, naming the field', async () => {
    const r = await submit('alice', { jobId: 'a/b' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].path).toBe('body.jobId');
  });
});

describe('ids a URL cannot carry', () => {
  it.each([
    ['a lone surrogate', '{"jobId":"nb\\ud800","kind":"notebook","gpus":4}'],
    ['a C1 control', '{"jobId":"nb\\u0085","kind":"notebook","gpus":4}'],
    ['DEL', '{"jobId":"nb\\u007f","kind":"notebook","gpus":4}'],
    ['a bidi override', '{"jobId":"nb\\u202e","kind":"notebook","gpus":4}'],
    ['a zero-width joiner', '{"jobId":"n\\u200db","kind":"notebook","gpus":4}'],
  ])('refuses a job id with %s: 400 naming body.jobId, and nothing changes', async (_what, payload) => {
    const before = f.engine.revision;
    const r = await f.app.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: { authorization: `Bearer ${f.tokens.alice}`, 'content-type': 'application/json' },
      payload,
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].path).toBe('body.jobId');
    expect(f.engine.revision).toBe(before);
    expect(f.engine.jobs({ group: 'ga' })).toEqual([]);
  });
});

describe('a waiting job shows its live reason wherever it is shown', () => {
  it('the job, the list and explain agree, and follow the pool when it changes', async () => {
    await submit('alice', { jobId: 'big', gpus: 4 });
    await submit('alice', { jobId: 'w', gpus: 4 });
    const codes = async () => [
      (await f.call('alice', 'GET', '/api/v1/jobs/w')).body.reason.code,
      (await f.call('alice', 'GET', '/api/v1/jobs?status=WaitingForGPUs')).body[0].reason.code,
      (await f.call('alice', 'GET', '/api/v1/jobs/w/explain')).body.reason.code,
    ];
    expect(await codes()).toEqual(['not-enough-free-gpus', 'not-enough-free-gpus', 'not-enough-free-gpus']);
    // The pool shrinks below the job's size: the stored reason is stale, the shown one is not.
    const devices = f.engine.current.nodes.get('n1')?.devices ?? [];
    const inPa = devices.filter((d) => f.engine.current.devices.get(d)?.pool === 'pa');
    expect((await f.call('admin', 'POST', '/api/v1/pools/default/devices', { devices: inPa.slice(0, 2) })).status).toBe(200);
    expect(f.engine.job('ga/w')?.reason?.code).toBe('not-enough-free-gpus');
    expect(await codes()).toEqual(['never-fits', 'never-fits', 'never-fits']);
  });
});

describe('limits on unfinished jobs', () => {
  it('an operator sets them per group; a submission past one is 429 naming the limit', async () => {
    const set = await f.call('admin', 'PUT', '/api/v1/groups/ga/limits', { maxUnfinishedJobsPerUser: 2 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ maxUnfinishedJobsPerUser: 2, maxUnfinishedJobs: null });
    expect((await submit('alice', { jobId: 'a1', gpus: 4 })).status).toBe(201);
    expect((await submit('alice', { jobId: 'a2', gpus: 4 })).status).toBe(201);
    const before = f.engine.revision;
    const third = await submit('alice', { jobId: 'a3' });
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: 'too-many-unfinished-jobs', details: { scope: 'user', limit: 2 } });
    expect(f.engine.revision).toBe(before);
    expect((await submit('bob', { jobId: 'b1' })).status).toBe(201);
    expect((await f.call('alice', 'PUT', '/api/v1/groups/ga/limits', { maxUnfinishedJobs: 1 })).status).toBe(403);
  });
});

describe('clone and rerun', () => {
  it('may change the GPU type, count and workers', async () => {
    await submit('alice', { jobId: 'src', kind: 'training', gpus: 1 });
    const r = await f.call('alice', 'POST', '/api/v1/jobs/src/clone', { jobId: 'bigger', gpus: 2, gpuType: 'A100' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: 'ga/bigger', gpus: 2, gpuType: 'A100', clonedFrom: 'ga/src' });
  });
});

/** Gives pool pa's one node these labels (the other nodes have none); its id. */
async function labelPoolNode(labels: Record<string, string>): Promise<string> {
  const node = [...f.engine.current.devices.values()].find((d) => d.pool === 'pa')?.node as string;
  const devices = [0, 1, 2, 3].map((index) => ({ index, gpuType: 'A100' }));
  expect((await f.engine.executeBatch([{ type: 'RegisterNode', nodeId: node, devices, labels }])).outcomes[0]?.ok).toBe(true);
  return node;
}

describe('a job with a node selector', () => {
  it('runs only on a node of its pool with those labels, and shows its selector', async () => {
    const paNode = await labelPoolNode({ zone: 'a' });
    const r = await submit('alice', { jobId: 'zoned', kind: 'training', gpus: 1, nodeSelector: { zone: 'a' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ nodeSelector: { zone: 'a' }, allocation: { nodes: [paNode] } });
    expect((await f.call('alice', 'GET', '/api/v1/jobs/zoned')).body.nodeSelector).toEqual({ zone: 'a' });
    // A rerun keeps it, or takes other labels ({}: any node); labels no node has are refused.
    const again = await f.call('alice', 'POST', '/api/v1/jobs/zoned/clone', { jobId: 'zoned-again' });
    expect(again.body.nodeSelector).toEqual({ zone: 'a' });
    const anywhere = await f.call('alice', 'POST', '/api/v1/jobs/zoned/clone', { jobId: 'anywhere', nodeSelector: {} });
    expect(anywhere.body.nodeSelector).toBeNull();
    const elsewhere = await f.call('alice', 'POST', '/api/v1/jobs/zoned/clone', {
      jobId: 'elsewhere',
      nodeSelector: { zone: 'q' },
    });
    expect([elsewhere.status, elsewhere.body.code]).toEqual([409, 'never-fits']);
    // A job without one shows null.
    expect((await submit('alice', { jobId: 'plain' })).body.nodeSelector).toBeNull();
  });

  it('is refused when no node of the pool has its labels, naming them; a bad label names its key', async () => {
    const before = f.engine.revision;
    const none = await submit('alice', { jobId: 'nowhere', kind: 'training', gpus: 1, nodeSelector: { zone: 'z' } });
    expect(none.status).toBe(409);
    expect(none.body).toMatchObject({ code: 'never-fits' });
    expect(none.body.detail).toContain('labelled zone=z');
    const bad = await submit('alice', { jobId: 'bad', kind: 'training', gpus: 1, nodeSelector: { zone: 7 } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('nodeSelector');
    expect(f.engine.revision).toBe(before);
  });
});

describe('a job with a node affinity', () => {
  const onZones = (...zones: string[]) => [{ matchExpressions: [{ key: 'zone', operator: 'In', values: zones }] }];

  it('runs only on a node satisfying a term, shows it, and a rerun keeps it or drops it with []', async () => {
    const paNode = await labelPoolNode({ zone: 'b' });
    const r = await submit('alice', { jobId: 'near', kind: 'training', gpus: 1, nodeAffinity: onZones('a', 'b') });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ nodeAffinity: onZones('a', 'b'), allocation: { nodes: [paNode] } });
    expect((await f.call('alice', 'GET', '/api/v1/jobs/near')).body.nodeAffinity).toEqual(onZones('a', 'b'));
    const again = await f.call('alice', 'POST', '/api/v1/jobs/near/clone', { jobId: 'near-again' });
    expect(again.body.nodeAffinity).toEqual(onZones('a', 'b'));
    const anywhere = await f.call('alice', 'POST', '/api/v1/jobs/near/clone', { jobId: 'anywhere', nodeAffinity: [] });
    expect([anywhere.status, anywhere.body.nodeAffinity]).toEqual([201, null]);
    const far = await f.call('alice', 'POST', '/api/v1/jobs/near/clone', { jobId: 'far', nodeAffinity: onZones('q') });
    expect([far.status, far.body.code]).toEqual([409, 'never-fits']);
    expect(far.body.detail).toContain('matching zone In (q)');
    expect((await submit('alice', { jobId: 'plain' })).body.nodeAffinity).toBeNull();
  });

  it('a malformed term is 400 naming where it is wrong, and nothing changes', async () => {
    const before = f.engine.revision;
    const cases: [unknown, string][] = [
      [[{ matchExpressions: [{ key: 'zone', operator: 'In', values: [] }] }], 'body.nodeAffinity.0.matchExpressions.0.values'],
      [[{ matchExpressions: [{ key: 'zone', operator: 'Near' }] }], 'body.nodeAffinity.0.matchExpressions.0.operator'],
      [[{ matchExpressions: [] }], 'body.nodeAffinity.0.matchExpressions'],
      [{ zone: 'a' }, 'body.nodeAffinity'],
    ];
    for (const [nodeAffinity, path] of cases) {
      const bad = await submit('alice', { jobId: 'bad', kind: 'training', gpus: 1, nodeAffinity });
      expect(bad.status, JSON.stringify(nodeAffinity)).toBe(400);
      expect(JSON.stringify(bad.body), JSON.stringify(nodeAffinity)).toContain(path);
    }
    expect(f.engine.revision).toBe(before);
  });
});

describe('a data scientist’s job list', () => {
  it('walks only their own jobs and their group’s, never the whole cluster', async () => {
    await submit('alice', { jobId: 'mine' });
    await submit('bob', { jobId: 'shared', shared: true });
    await submit('bob', { jobId: 'private', private: true });
    await submit('carol', { jobId: 'elsewhere', shared: true });
    const state = f.engine.current as State;
    // A state whose job map refuses to be walked whole: only lookups by id are allowed.
    const guarded: State = {
      ...state,
      jobs: new Proxy(state.jobs, {
        get(target, prop) {
          if (prop === 'values' || prop === Symbol.iterator || prop === 'entries' || prop === 'forEach')
            throw new Error('walked every job');
          const v = Reflect.get(target, prop, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }),
    };
    const alice: Principal = { userId: 'alice', role: 'data-scientist', group: 'ga', tokenId: 't' };
    const archive = f.engine.archive;
    const names = (page: { jobs: JobState[] }) => page.jobs.map((j) => j.id);
    expect(names(visibleJobs(guarded, archive, alice, 'all', {}))).toEqual(['ga/mine', 'ga/shared']);
    expect(names(visibleJobs(guarded, archive, alice, 'mine', {}))).toEqual(['ga/mine']);
    expect(names(visibleJobs(guarded, archive, alice, 'shared', {}))).toEqual(['ga/shared']);
    expect(names(visibleJobs(guarded, archive, alice, 'all', { owner: 'bob' }))).toEqual(['ga/shared']);
    // The route answers the same.
    const listed = await f.call('alice', 'GET', '/api/v1/jobs');
    expect(listed.body.map((j: { id: string }) => j.id)).toEqual(['ga/mine', 'ga/shared']);
    expect(listed.headers['x-total-count']).toBe('2');
  });
});

describe('finished jobs, read from the job archive', () => {
  /** The runtime's reports, as the engine takes them. */
  const report = async (type: 'ReportJobStarted' | 'ReportJobCompleted', jobId: string) => {
    const r = await f.engine.execute({ type, jobId });
    expect(r.ok).toBe(true);
  };
  const fail = async (jobId: string) => {
    expect((await f.engine.execute({ type: 'ReportJobStarted', jobId })).ok).toBe(true);
    expect((await f.engine.execute({ type: 'ReportJobFailed', jobId, reason: 'oom', message: 'out of memory' })).ok).toBe(true);
  };

  it('lists unfinished and finished jobs together, oldest first, a page at a time, with the total', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await submit('alice', { jobId: name, gpus: 1, private: true });
    // b completes and d fails: they leave the decision state for the archive.
    await report('ReportJobStarted', 'ga/b');
    await report('ReportJobCompleted', 'ga/b');
    await fail('ga/d');
    expect(f.engine.current.jobs.has('ga/b')).toBe(false);
    expect(f.engine.current.finished.get('ga/d')).toBe('Error');
    const names = (r: { body: { name: string }[] }) => r.body.map((j) => j.name);
    const all = await f.call('alice', 'GET', '/api/v1/jobs');
    expect(names(all)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(all.headers['x-total-count']).toBe('5');
    const page = await f.call('alice', 'GET', '/api/v1/jobs?offset=1&limit=3');
    expect(names(page)).toEqual(['b', 'c', 'd']);
    expect(page.headers['x-total-count']).toBe('5');
    const finished = await f.call('alice', 'GET', '/api/v1/jobs?status=Complete,Error');
    expect(names(finished)).toEqual(['b', 'd']);
    expect(finished.headers['x-total-count']).toBe('2');
    // Bob sees none of alice's private jobs, finished or not; the operator sees them all.
    expect((await f.call('bob', 'GET', '/api/v1/jobs')).body).toEqual([]);
    expect((await f.call('admin', 'GET', '/api/v1/jobs?owner=alice')).headers['x-total-count']).toBe('5');
  });

  it('reads a finished job with its whole history, and its past as it was', async () => {
    await submit('alice', { jobId: 'done', gpus: 1, private: true });
    const before = f.engine.revision;
    await report('ReportJobStarted', 'ga/done');
    await report('ReportJobCompleted', 'ga/done');
    const r = await f.call('alice', 'GET', '/api/v1/jobs/done');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 'ga/done', status: 'Complete' });
    expect(r.body.history.map((h: { status: string }) => h.status)).toEqual(['Queued', 'Starting', 'Running', 'Complete']);
    const past = await f.call('alice', 'GET', `/api/v1/jobs/done?asOf=${before}`);
    expect(past.body).toMatchObject({ status: 'Starting' });
    expect((await f.call('bob', 'GET', '/api/v1/jobs/done')).status).toBe(404);
  });

  it('reruns a job that ended in Error: the clone copies its request from the archive', async () => {
    await submit('alice', { jobId: 'broken', kind: 'training', gpus: 2, tags: ['nlp'], spec: { lr: 0.1 }, priority: 3 });
    await fail('ga/broken');
    expect(f.engine.current.jobs.has('ga/broken')).toBe(false);
    const r = await f.call('alice', 'POST', '/api/v1/jobs/broken/clone', { jobId: 'again' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      id: 'ga/again',
      kind: 'training',
      gpus: 2,
      tags: ['nlp'],
      spec: { lr: 0.1 },
      priority: 3,
      clonedFrom: 'ga/broken',
    });
    // A second clone under the same name is refused: the name is in use.
    const retry = await f.call('alice', 'POST', '/api/v1/jobs/broken/clone', { jobId: 'again' });
    expect(retry.status).toBe(409);
  });

  it('refuses to reuse a finished job’s name, or to stop or report on it, naming how it ended', async () => {
    await submit('alice', { jobId: 'old', gpus: 1 });
    await report('ReportJobStarted', 'ga/old');
    await report('ReportJobCompleted', 'ga/old');
    expect((await submit('alice', { jobId: 'old' })).status).toBe(409);
    const stop = await f.call('alice', 'POST', '/api/v1/jobs/old/stop');
    expect(stop.status).toBe(409);
    expect(stop.body.detail).toMatch(/already Complete/);
    const late = await f.engine.execute({ type: 'ReportJobCompleted', jobId: 'ga/old' });
    expect(late.ok ? undefined : late.rejection.message).toMatch(/is Complete/);
  });
});

describe('a job on workspaces, datasets and models', () => {
  /** alice's workspace `code` (two versions) and dataset `images` (one), in group ga. */
  const assets = async () => {
    expect(
      (
        await f.call('alice', 'POST', '/api/v1/workspaces', {
          name: 'code',
          source: { kind: 'git', url: 'https://github.com/acme/cv.git' },
        })
      ).status,
    ).toBe(201);
    for (const commit of ['a1', 'b2']) {
      expect((await f.call('alice', 'POST', '/api/v1/workspaces/code/versions', { pin: { commit } })).status).toBe(201);
    }
    expect(
      (await f.call('alice', 'POST', '/api/v1/datasets', { name: 'images', source: { kind: 'object', uri: 's3://acme/images' } }))
        .status,
    ).toBe(201);
    expect((await f.call('alice', 'POST', '/api/v1/datasets/images/versions', { pin: { etag: 'e1' } })).status).toBe(201);
  };

  it('pins its inputs at submission (the latest when no version is named); a later version changes nothing', async () => {
    await assets();
    const r = await submit('alice', {
      jobId: 'train',
      kind: 'training',
      gpus: 1,
      inputs: {
        workspace: { assetId: 'code' },
        datasets: [{ assetId: 'ga/images', version: 1, mountPath: '/data/images' }],
        hyperparametersFile: 'conf/hp.yaml',
      },
    });
    expect(r.status).toBe(201);
    const pinned = {
      workspace: { assetId: 'ga/code', version: 2 },
      datasets: [{ assetId: 'ga/images', version: 1, mountPath: '/data/images' }],
      hyperparametersFile: 'conf/hp.yaml',
    };
    expect(r.body.inputs).toEqual(pinned);
    await f.call('alice', 'POST', '/api/v1/workspaces/code/versions', { pin: { commit: 'c3' } });
    expect((await f.call('alice', 'GET', '/api/v1/jobs/train')).body.inputs).toEqual(pinned);
    // What a job ran on is in use: archived, not deleted. A clone pins the very same versions.
    expect((await f.call('alice', 'DELETE', '/api/v1/datasets/images')).status).toBe(409);
    const clone = await f.call('alice', 'POST', '/api/v1/jobs/train/clone', { jobId: 'train-again' });
    expect(clone.body.inputs).toEqual(pinned);
    expect(f.assets.current.assets.get('ga/images')?.uses).toBe(2);
    expect(await uses('images')).toBe(2);
  });

  it('refuses inputs its owner may not see, of the wrong kind, or that do not decode, naming the field', async () => {
    await assets();
    expect(
      (await f.call('carol', 'POST', '/api/v1/datasets', { name: 'theirs', source: { kind: 'object', uri: 's3://gb/x' } }))
        .status,
    ).toBe(201);
    await f.call('carol', 'POST', '/api/v1/datasets/theirs/versions', { pin: { etag: 'x' } });
    const other = await submit('alice', { inputs: { datasets: [{ assetId: 'gb/theirs', mountPath: '/d' }] } });
    expect(other.status).toBe(404);
    expect(other.body.detail).toMatch(/inputs\.datasets\[0\]/);
    const kind = await submit('alice', { inputs: { workspace: { assetId: 'images' } } });
    expect([kind.status, kind.body.detail]).toEqual([409, "inputs.workspace: 'ga/images' is a dataset, not a workspace"]);
    const bad = await submit('alice', { inputs: { datasets: [{ assetId: 'images' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('body.inputs.datasets.0.mountPath');
    // A hyperparameters file is a path inside the workspace: none without one, none outside it.
    const outside = await submit('alice', {
      inputs: { workspace: { assetId: 'code' }, hyperparametersFile: '../../etc/passwd' },
    });
    expect([outside.status, outside.body.errors?.[0]?.path]).toEqual([400, 'body.inputs.hyperparametersFile']);
    const alone = await submit('alice', { inputs: { hyperparametersFile: 'hp.yaml' } });
    expect([alone.status, alone.body.detail]).toEqual([
      409,
      'inputs.hyperparametersFile: a file in the workspace needs inputs.workspace',
    ]);
    expect(f.engine.current.jobs.size).toBe(0);
  });
});

/** How many uses an asset of ga counts, as the assets engine says. */
async function uses(name: string): Promise<number> {
  const r = await f.call('alice', 'GET', `/api/v1/datasets/${name}`);
  return r.body.uses;
}

describe('a job is its group’s unless private', () => {
  it('is seen by the owner’s group by default, by its owner alone when private', async () => {
    expect((await submit('alice', { jobId: 'open' })).body.shared).toBe(true);
    expect((await submit('alice', { jobId: 'mine-only', private: true })).body.shared).toBe(false);
    expect((await submit('alice', { jobId: 'old-style', shared: false })).body.shared).toBe(false);
    expect((await f.call('bob', 'GET', '/api/v1/jobs/open')).status).toBe(200);
    expect((await f.call('bob', 'GET', '/api/v1/jobs/mine-only')).status).toBe(404);
    expect((await f.call('carol', 'GET', '/api/v1/jobs/open?group=ga')).status).toBe(404);
    const bad = await submit('alice', { jobId: 'x', private: 'yes' });
    expect([bad.status, bad.body.errors[0].path]).toEqual([400, 'body.private']);
  });
});

describe('a job’s logs, from the runtime that runs it', () => {
  /** A runtime's log source that answers from a table by job id and worker, and notes what it was asked. */
  const logsOf = (table: Record<string, LogAnswer | Error>) => {
    const asked: { job: string; worker: number; tailLines: number | null; limitBytes: number }[] = [];
    const source: JobLogSource = {
      async read(job, request) {
        asked.push({ job: job.id, ...request });
        const answer = table[`${job.id}#${request.worker}`];
        if (answer instanceof Error) throw answer;
        return answer ?? { ok: false, gone: true, message: `no pod for ${job.id}` };
      },
    };
    return { source, asked, table };
  };
  const logs = (who: 'alice' | 'bob' | 'carol' | 'admin', name: string, query = '') =>
    f.call(who, 'GET', `/api/v1/jobs/${name}/logs${query}`);

  it('the simulated runtime keeps none: a started job’s answer says so; one still waiting is told it has not started', async () => {
    expect((await submit('alice', { jobId: 'started', kind: 'training', gpus: 4 })).status).toBe(201);
    expect((await submit('alice', { jobId: 'waiting', kind: 'training', gpus: 4 })).status).toBe(201);
    const none = await logs('alice', 'started');
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({
      code: 'logs-unavailable',
      detail: expect.stringMatching(/simulated runtime runs no processes/),
    });
    const waiting = await logs('alice', 'waiting');
    expect(waiting.status).toBe(409);
    expect(waiting.body).toMatchObject({
      code: 'job-not-started',
      detail: "job 'waiting' has not started (WaitingForGPUs): it has no log until it does",
    });
    // Stopped while it waited: it never will.
    expect((await f.call('alice', 'POST', '/api/v1/jobs/waiting/stop')).status).toBe(200);
    expect((await logs('alice', 'waiting')).body).toMatchObject({
      code: 'logs-unavailable',
      detail: "job 'waiting' ended without starting: it has no log",
    });
  });

  it('asked for JSON, a missing log is a value saying why (200), not a problem: what a page expects either way', async () => {
    expect((await submit('alice', { jobId: 'started', kind: 'training', gpus: 4 })).status).toBe(201);
    expect((await submit('alice', { jobId: 'waiting', kind: 'training', gpus: 4 })).status).toBe(201);
    const json = { accept: 'application/json' };
    const none = await f.call('alice', 'GET', '/api/v1/jobs/started/logs', undefined, json);
    expect(none.status).toBe(200);
    expect(none.body).toEqual({
      worker: 0,
      text: null,
      truncated: false,
      missing: { code: 'logs-unavailable', detail: expect.stringMatching(/simulated runtime runs no processes/) },
    });
    const waiting = await f.call('alice', 'GET', '/api/v1/jobs/waiting/logs', undefined, json);
    expect(waiting.body).toEqual({
      worker: 0,
      text: null,
      truncated: false,
      missing: { code: 'job-not-started', detail: "job 'waiting' has not started (WaitingForGPUs): it has no log until it does" },
    });
    // What is wrong with the request, or a job one may not see, is still a problem.
    expect((await f.call('alice', 'GET', '/api/v1/jobs/started/logs?worker=3', undefined, json)).status).toBe(400);
    expect((await f.call('carol', 'GET', '/api/v1/jobs/started/logs', undefined, json)).status).toBe(404);
  });

  it('a runtime’s log as text/plain, whole or its last lines, of the worker asked for; gone, or unreadable, as a problem', async () => {
    await f.close();
    const { source, asked, table } = logsOf({
      'ga/train#0': { ok: true, text: 'epoch 1\nepoch 2\n', truncated: false },
      'ga/chatty#0': { ok: true, text: 'x'.repeat(10), truncated: true },
      'ga/flaky#0': new Error('reading the log of pod default/flaky-w0 failed: connection refused'),
    });
    f = await fixture({ logs: source });
    expect((await submit('alice', { jobId: 'train', kind: 'training', gpus: 2 })).status).toBe(201);
    expect((await submit('alice', { jobId: 'flaky', kind: 'training', gpus: 2 })).status).toBe(201);
    expect((await submit('alice', { jobId: 'chatty', kind: 'notebook', gpus: 0 })).status).toBe(201);
    const whole = await logs('bob', 'train'); // a job of his group: he may read it
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(whole.body).toBe('epoch 1\nepoch 2\n');
    expect(whole.headers['x-log-truncated']).toBe('false');
    expect((await logs('alice', 'train', '?worker=0&tailLines=1&limitBytes=1000')).status).toBe(200);
    const asJson = await f.call('alice', 'GET', '/api/v1/jobs/train/logs', undefined, { accept: 'application/json' });
    expect(asJson.body).toEqual({ worker: 0, text: 'epoch 1\nepoch 2\n', truncated: false, missing: null });
    // A log cut at its limit says so: there is more.
    const cut = await logs('alice', 'chatty', '?limitBytes=10');
    expect(cut.headers['x-log-truncated']).toBe('true');
    expect(
      (await f.call('alice', 'GET', '/api/v1/jobs/chatty/logs?limitBytes=10', undefined, { accept: 'application/json' })).body,
    ).toMatchObject({ text: 'xxxxxxxxxx', truncated: true });
    // Never more than MAX_LOG_BYTES in one answer: the server holds it whole before it sends it.
    expect(asked).toEqual([
      { job: 'ga/train', worker: 0, tailLines: null, limitBytes: MAX_LOG_BYTES },
      { job: 'ga/train', worker: 0, tailLines: 1, limitBytes: 1000 },
      { job: 'ga/train', worker: 0, tailLines: null, limitBytes: MAX_LOG_BYTES },
      { job: 'ga/chatty', worker: 0, tailLines: null, limitBytes: 10 },
      { job: 'ga/chatty', worker: 0, tailLines: null, limitBytes: 10 },
    ]);
    const unreadable = await logs('alice', 'flaky');
    expect(unreadable.status).toBe(503);
    expect(unreadable.body).toMatchObject({ code: 'logs-unreadable', detail: expect.stringMatching(/connection refused/) });
    // No second worker; a worker or a tail that is not one.
    const second = await logs('alice', 'train', '?worker=1');
    expect(second.status).toBe(400);
    expect(second.body.errors).toEqual([{ path: 'query.worker', expected: "a worker of job 'train': 0 to 0", actual: '1' }]);
    for (const q of [
      '?worker=-1',
      '?worker=first',
      '?tailLines=0',
      '?tailLines=100001',
      '?limitBytes=0',
      `?limitBytes=${MAX_LOG_BYTES + 1}`,
    ]) {
      expect((await logs('alice', 'train', q)).status).toBe(400);
    }
    expect(asked).toHaveLength(6);
    // Another group's caller does not learn that it exists; nobody without a token reads it.
    expect((await logs('carol', 'train')).status).toBe(404);
    expect((await f.call('nobody', 'GET', '/api/v1/jobs/train/logs')).status).toBe(401);
    expect(asked).toHaveLength(6);
    // Ended, its pods deleted: gone.
    expect((await f.call('alice', 'POST', '/api/v1/jobs/train/stop')).status).toBe(200);
    await f.engine.execute({ type: 'ReleaseJob', jobId: 'ga/train' });
    expect(f.engine.job('ga/train')?.status).toBe('Stopped');
    delete table['ga/train#0'];
    const gone = await logs('alice', 'train');
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ code: 'logs-gone', detail: 'no pod for ga/train' });
  });
});
