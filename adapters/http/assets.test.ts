/**
 * Workspaces, datasets and models over HTTP: names scoped to the group, sources that name their
 * credentials, versions with lineage inside the group, archive instead of delete, lists a page at
 * a time, what a refusal tells, Idempotency-Key, and the engine a server makes for itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from './server.js';
import { type Fixture, fixture, revisionsOf, stateOf } from './test-support/fixture.js';
import { TokenRegistry } from './tokens.js';

let f: Fixture;
beforeEach(async () => {
  f = await fixture();
});
afterEach(async () => {
  await f.close();
});

type Who = 'admin' | 'alice' | 'bob' | 'carol';
const s3 = (path: string) => ({ kind: 'object', uri: `s3://acme-data/${path}` });
const git = { kind: 'git', url: 'https://github.com/acme/vision.git', ref: 'main' };

const create = (who: Who, kind: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  f.call(who, 'POST', `/api/v1/${kind}s`, body, headers);
const dataset = (who: Who, name: string, extra: Record<string, unknown> = {}) =>
  create(who, 'dataset', { name, source: s3(name), ...extra });
const version = (who: Who, path: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  f.call(who, 'POST', `/api/v1/${path}/versions`, body, headers);

/** A refused request: its status and code, and nothing changed in either engine. */
async function refused(request: () => Promise<{ status: number; body: { code: string } }>) {
  const [revisions, state] = [revisionsOf(f), stateOf(f)];
  const r = await request();
  expect(revisionsOf(f)).toEqual(revisions);
  expect(stateOf(f)).toBe(state);
  return r;
}

describe('creating', () => {
  it('names the asset in the caller’s group: 201 with its Location, read back as it was answered', async () => {
    const r = await dataset('alice', 'images', { description: 'ImageNet', tags: ['cv'], credentials: 'acme-s3' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      id: 'ga/images',
      kind: 'dataset',
      name: 'images',
      group: 'ga',
      owner: 'alice',
      description: 'ImageNet',
      tags: ['cv'],
      private: false,
      source: s3('images'),
      credentials: 'acme-s3',
      archived: false,
      versions: [],
      uses: 0,
    });
    expect(r.headers.location).toBe('/api/v1/datasets/images?group=ga');
    expect((await f.call('bob', 'GET', r.headers.location as string)).body).toEqual(r.body);
    // The asset is the assets engine's; the cluster's stream is untouched by it.
    expect(f.assets.current.assets.get('ga/images')?.owner).toBe('alice');
  });

  it('lets two groups use one name, and refuses a second of any kind in the same group (409)', async () => {
    expect((await dataset('alice', 'images')).status).toBe(201);
    expect((await dataset('carol', 'images')).body).toMatchObject({ id: 'gb/images', group: 'gb' });
    const again = await refused(() => create('bob', 'workspace', { name: 'images', source: git }));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already-exists');
    // Each reads their own group's by the name.
    expect((await f.call('bob', 'GET', '/api/v1/datasets/images')).body.id).toBe('ga/images');
    expect((await f.call('carol', 'GET', '/api/v1/datasets/images')).body.id).toBe('gb/images');
  });

  it('refuses a source that carries credentials or is not what its kind says, as the core does', async () => {
    for (const source of [
      { kind: 'http', url: 'https://user:secret@example.com/data.tar' },
      { kind: 'git', url: 'https://bob:token@github.com/acme/x.git' },
      { kind: 'volume', path: 'relative/path' },
    ]) {
      const r = await refused(() => dataset('alice', 'x', { source }));
      expect(r.status, JSON.stringify(source)).toBe(409);
      expect(r.body.code).toBe('invalid-argument');
    }
    const leaky = await dataset('alice', 'x', { source: { kind: 'http', url: 'https://user:secret@example.com/d' } });
    expect(leaky.body.detail).toMatch(/name them in `credentials`/);
    expect(JSON.stringify(leaky.body)).not.toMatch(/secret/);
    // A source that does not decode names its field.
    const wrong = await refused(() => dataset('alice', 'x', { source: { kind: 'ftp', url: 'ftp://x' } }));
    expect(wrong.status).toBe(400);
    expect((wrong.body as unknown as { errors: { path: string }[] }).errors[0]?.path).toMatch(/^body\.source/);
    // A dataset needs a source; a model (imported later, by version URIs) does not.
    expect((await refused(() => create('alice', 'dataset', { name: 'bare' }))).status).toBe(409);
    expect((await create('alice', 'model', { name: 'resnet' })).status).toBe(201);
  });

  it('refuses a name with a slash or longer than the group leaves, naming body.name', async () => {
    for (const name of ['a/b', 'n'.repeat(253 - 'ga/'.length + 1), '', 42]) {
      const r = await refused(() => dataset('alice', name as string));
      expect(r.status).toBe(400);
      expect((r.body as unknown as { errors: { path: string }[] }).errors[0]?.path).toBe('body.name');
    }
    const longest = 'n'.repeat(253 - 'ga/'.length);
    const created = await dataset('alice', longest);
    expect(created.status).toBe(201);
    expect((await f.call('alice', 'GET', created.headers.location as string)).status).toBe(200);
  });

  it('creates in the caller’s group as its owner; an operator may name the owner and the group', async () => {
    const forCarol = await dataset('admin', 'for-carol', { owner: 'carol' });
    expect(forCarol.body).toMatchObject({ id: 'gb/for-carol', owner: 'carol', group: 'gb' });
    expect(forCarol.headers.location).toBe('/api/v1/datasets/for-carol?group=gb');
    expect((await f.call('carol', 'GET', '/api/v1/datasets/for-carol')).status).toBe(200);
    expect((await dataset('admin', 'in-ga', { group: 'ga' })).body).toMatchObject({ id: 'ga/in-ga', owner: 'admin' });
    expect((await dataset('admin', 'ops')).body).toMatchObject({ id: 'default/ops', owner: 'admin' });
    expect((await refused(() => dataset('alice', 'x', { owner: 'bob' }))).status).toBe(403);
    expect((await refused(() => dataset('alice', 'x', { group: 'gb' }))).status).toBe(403);
    expect((await dataset('alice', 'x', { owner: 'alice', group: 'ga' })).status).toBe(201);
    expect((await refused(() => dataset('admin', 'x', { group: 'nope' }))).body.code).toBe('not-found');
    expect((await refused(() => dataset('admin', 'x', { owner: 'nobody' }))).status).toBe(404);
    for (const [field, value] of [
      ['group', 'g\u0001'],
      ['owner', 7],
    ] as const) {
      const r = await refused(() => dataset('admin', 'x', { [field]: value }));
      expect([r.status, (r.body as unknown as { errors: { path: string }[] }).errors[0]?.path]).toEqual([400, `body.${field}`]);
    }
    // The path says the kind: a body's kind changes nothing.
    expect((await create('alice', 'workspace', { name: 'code', kind: 'model', source: git })).body.kind).toBe('workspace');
  });
});

describe('ids a URL cannot carry', () => {
  it.each([
    ['a lone surrogate', 'im\\ud800'],
    ['a C1 control', 'im\\u0085'],
    ['DEL', 'im\\u007f'],
    ['a bidi override', 'im\\u202e'],
    ['a zero-width joiner', 'i\\u200dm'],
  ])('refuses an asset name with %s: 400 naming body.name, and nothing changes', async (_what, name) => {
    const r = await refused(async () => {
      const res = await f.app.inject({
        method: 'POST',
        url: '/api/v1/datasets',
        headers: { authorization: `Bearer ${f.tokens.alice}`, 'content-type': 'application/json' },
        payload: `{"name":"${name}","source":{"kind":"object","uri":"s3://b/x"}}`,
      });
      return { status: res.statusCode, body: res.json() };
    });
    expect(r.status).toBe(400);
    expect((r.body as unknown as { errors: { path: string }[] }).errors[0]?.path).toBe('body.name');
    expect(f.assets.current.assets.size).toBe(0);
  });
});

describe('describing', () => {
  it('the owner or an operator changes description, tags and privacy; a private asset leaves the group’s view', async () => {
    await dataset('alice', 'images');
    const r = await f.call('alice', 'PATCH', '/api/v1/datasets/images', { description: 'v2', tags: ['a', 'b'] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ description: 'v2', tags: ['a', 'b'], private: false });
    expect((await refused(() => f.call('bob', 'PATCH', '/api/v1/datasets/images', { description: 'mine' }))).status).toBe(403);
    expect((await refused(() => f.call('carol', 'PATCH', '/api/v1/datasets/images', { description: 'x' }))).status).toBe(404);
    expect((await f.call('admin', 'PATCH', '/api/v1/datasets/images?group=ga', { private: true })).body.private).toBe(true);
    expect((await f.call('bob', 'GET', '/api/v1/datasets/images')).status).toBe(404);
    expect((await f.call('bob', 'GET', '/api/v1/datasets')).body).toEqual([]);
    expect((await f.call('alice', 'GET', '/api/v1/datasets')).body.map((a: { id: string }) => a.id)).toEqual(['ga/images']);
    const bad = await refused(() => f.call('alice', 'PATCH', '/api/v1/datasets/images', { private: 'yes' }));
    expect(bad.status).toBe(400);
    expect((bad.body as unknown as { errors: { path: string }[] }).errors[0]?.path).toBe('body.private');
  });
});

describe('versions and lineage', () => {
  /** alice's workspace and dataset in ga with a version each, and carol's dataset in gb. */
  async function team() {
    await create('alice', 'workspace', { name: 'code', source: git });
    await dataset('alice', 'images');
    await create('alice', 'model', { name: 'resnet' });
    await dataset('carol', 'other');
    expect((await version('alice', 'workspaces/code', { pin: { commit: 'abc123' } })).status).toBe(201);
    expect((await version('bob', 'datasets/images', { pin: { etag: 'e1' } })).status).toBe(201);
    expect((await version('carol', 'datasets/other', { pin: { etag: 'o1' } })).status).toBe(201);
  }

  it('records a version by the caller, 201 with the version and its Location', async () => {
    await dataset('alice', 'images');
    const r = await version('bob', 'datasets/images', { pin: { etag: 'e1' }, uri: 's3://acme-data/images/v1' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ assetId: 'ga/images', version: 1, by: 'bob', pin: { etag: 'e1' }, lineage: null });
    expect(r.headers.location).toBe('/api/v1/datasets/images/versions/1?group=ga');
    expect((await f.call('alice', 'GET', r.headers.location as string)).body).toEqual(r.body);
    const { assetId: _id, ...recorded } = r.body;
    expect((await f.call('alice', 'GET', '/api/v1/datasets/images')).body.versions).toEqual([recorded]);
    // Only as yourself, unless an operator; a version pins something; numbers are 1, 2, ...
    expect((await refused(() => version('bob', 'datasets/images', { pin: { etag: 'e2' }, by: 'alice' }))).status).toBe(403);
    expect(
      (await f.call('admin', 'POST', '/api/v1/datasets/images/versions?group=ga', { pin: { etag: 'e2' }, by: 'alice' })).body,
    ).toMatchObject({
      version: 2,
      by: 'alice',
    });
    expect((await refused(() => version('alice', 'datasets/images', { pin: {} }))).body.code).toBe('invalid-argument');
    expect((await refused(() => version('carol', 'datasets/images', { pin: { etag: 'x' } }))).status).toBe(404);
    expect((await f.call('alice', 'GET', '/api/v1/datasets/images/versions/3')).status).toBe(404);
    const notNumber = await f.call('alice', 'GET', '/api/v1/datasets/images/versions/first');
    expect([notNumber.status, notNumber.body.errors[0].path]).toEqual([400, 'path.version']);
  });

  it('a model version names what it was made from, by id or by name in its group', async () => {
    await team();
    const r = await version('alice', 'models/resnet', {
      uri: 's3://acme-models/resnet/1',
      metrics: { accuracy: 0.91 },
      lineage: {
        job: 'ga/train-1',
        workspace: { assetId: 'code', version: 1 },
        datasets: [{ assetId: 'ga/images', version: 1 }],
        hyperparameters: { lr: 0.001 },
      },
    });
    expect(r.status).toBe(201);
    expect(r.body.lineage).toEqual({
      job: 'ga/train-1',
      workspace: { assetId: 'ga/code', version: 1 },
      datasets: [{ assetId: 'ga/images', version: 1 }],
      model: null,
      hyperparameters: { lr: 0.001 },
      image: null,
    });
    expect((await f.call('alice', 'GET', '/api/v1/datasets/images')).body.uses).toBe(1);
  });

  it('lineage to another group’s asset, or to a version that does not exist, is 404', async () => {
    await team();
    const lineage = (datasets: unknown) => ({ uri: 's3://m/1', lineage: { datasets } });
    const theirs = await refused(() => version('alice', 'models/resnet', lineage([{ assetId: 'gb/other', version: 1 }])));
    expect(theirs.status).toBe(404);
    expect(theirs.body.code).toBe('not-found');
    // Named alone, it is looked up in the model's group, where there is none.
    expect((await refused(() => version('alice', 'models/resnet', lineage([{ assetId: 'other', version: 1 }])))).status).toBe(
      404,
    );
    expect((await refused(() => version('alice', 'models/resnet', lineage([{ assetId: 'images', version: 9 }])))).status).toBe(
      404,
    );
    const wrongKind = await refused(() => version('alice', 'models/resnet', lineage([{ assetId: 'code', version: 1 }])));
    expect([wrongKind.status, wrongKind.body.code]).toEqual([409, 'invalid-argument']);
    const undecodable = await refused(() => version('alice', 'models/resnet', lineage([{ assetId: 'images', version: 0 }])));
    expect(undecodable.status).toBe(400);
    expect((undecodable.body as unknown as { errors: { path: string }[] }).errors[0]?.path).toMatch(/^body\.lineage\.datasets/);
  });
});

describe('archive instead of delete', () => {
  it('deletes what nothing was made from; what something was made from is 409 in-use, archived, and still read', async () => {
    await dataset('alice', 'images');
    await dataset('alice', 'scratch');
    await create('alice', 'model', { name: 'resnet' });
    await version('alice', 'datasets/images', { pin: { etag: 'e1' } });
    await version('alice', 'models/resnet', { uri: 's3://m/1', lineage: { datasets: [{ assetId: 'images', version: 1 }] } });

    const used = await refused(() => f.call('alice', 'DELETE', '/api/v1/datasets/images'));
    expect(used.status).toBe(409);
    expect(used.body).toMatchObject({ code: 'in-use', details: { uses: 1 } });
    expect((await refused(() => f.call('bob', 'DELETE', '/api/v1/datasets/scratch'))).status).toBe(403);
    expect((await refused(() => f.call('carol', 'DELETE', '/api/v1/datasets/scratch'))).status).toBe(404);
    expect((await refused(() => f.call('bob', 'POST', '/api/v1/datasets/images/archive'))).status).toBe(403);

    const archived = await f.call('alice', 'POST', '/api/v1/datasets/images/archive');
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ id: 'ga/images', archived: true });
    // Gone from lists, still read by name, and listed among the archived.
    expect((await f.call('bob', 'GET', '/api/v1/datasets')).body.map((a: { name: string }) => a.name)).toEqual(['scratch']);
    expect((await f.call('bob', 'GET', '/api/v1/datasets?archived=true')).body.map((a: { name: string }) => a.name)).toEqual([
      'images',
    ]);
    expect((await f.call('bob', 'GET', '/api/v1/datasets/images')).body.versions).toHaveLength(1);
    expect((await f.call('bob', 'GET', '/api/v1/models/resnet/versions/1')).body.lineage.datasets).toEqual([
      { assetId: 'ga/images', version: 1 },
    ]);
    // Archived: no new versions; archiving again changes nothing.
    expect((await refused(() => version('alice', 'datasets/images', { pin: { etag: 'e2' } }))).body.code).toBe(
      'invalid-transition',
    );
    const again = await refused(() => f.call('alice', 'POST', '/api/v1/datasets/images/archive'));
    expect(again.status).toBe(200);

    const deleted = await f.call('alice', 'DELETE', '/api/v1/datasets/scratch');
    expect([deleted.status, deleted.body]).toEqual([204, undefined]);
    expect((await f.call('alice', 'GET', '/api/v1/datasets/scratch')).status).toBe(404);
    // An operator deletes the model, which frees the dataset it was made from.
    expect((await f.call('admin', 'DELETE', '/api/v1/models/resnet?group=ga')).status).toBe(204);
    expect((await f.call('alice', 'DELETE', '/api/v1/datasets/images')).status).toBe(204);
  });
});

describe('lists', () => {
  beforeEach(async () => {
    await dataset('alice', 'a1', { tags: ['cv'] });
    await dataset('bob', 'b1', { tags: ['nlp'] });
    await dataset('bob', 'b2', { private: true });
    await dataset('alice', 'a2', { tags: ['cv', 'big'] });
    await dataset('carol', 'c1', { tags: ['cv'] });
    await create('alice', 'workspace', { name: 'code', source: git });
  });
  const names = async (who: Who, query = '') => {
    const r = await f.call(who, 'GET', `/api/v1/datasets${query}`);
    expect(r.status).toBe(200);
    return [r.body.map((a: { name: string }) => a.name), Number(r.headers['x-total-count'])];
  };

  it('show mine, the group’s shared ones of others, or both; never another group’s or another member’s private one', async () => {
    expect(await names('alice')).toEqual([['a1', 'b1', 'a2'], 3]);
    expect(await names('alice', '?visibility=mine')).toEqual([['a1', 'a2'], 2]);
    expect(await names('alice', '?visibility=shared')).toEqual([['b1'], 1]);
    expect(await names('bob')).toEqual([['a1', 'b1', 'b2', 'a2'], 4]);
    expect(await names('carol')).toEqual([['c1'], 1]);
    // Workspaces are listed under their own path.
    expect((await f.call('alice', 'GET', '/api/v1/workspaces')).body.map((a: { name: string }) => a.name)).toEqual(['code']);
  });

  it('filter by tag and owner, a page at a time with X-Total-Count', async () => {
    expect(await names('alice', '?tag=cv')).toEqual([['a1', 'a2'], 2]);
    expect(await names('alice', '?owner=bob')).toEqual([['b1'], 1]);
    expect(await names('alice', '?limit=1&offset=1')).toEqual([['b1'], 3]);
    expect(await names('alice', '?limit=0')).toEqual([[], 3]);
    const item = (await f.call('alice', 'GET', '/api/v1/datasets?tag=big')).body[0];
    expect(item).toMatchObject({ id: 'ga/a2', versionCount: 0 });
    expect(item).not.toHaveProperty('versions');
  });

  it('an operator’s list holds every group’s, or one group’s; a data scientist’s is their own group’s', async () => {
    expect(await names('admin')).toEqual([['a1', 'b1', 'b2', 'a2', 'c1'], 5]);
    expect(await names('admin', '?group=gb')).toEqual([['c1'], 1]);
    expect(await names('alice', '?group=ga')).toEqual([['a1', 'b1', 'a2'], 3]);
    const r = await f.call('alice', 'GET', '/api/v1/datasets?group=gb');
    expect([r.status, r.body.code]).toEqual([403, 'forbidden']);
  });

  it('refuses a query that does not decode, naming it', async () => {
    for (const [query, path] of [
      ['?visibility=everyone', 'query.visibility'],
      ['?archived=maybe', 'query.archived'],
      ['?limit=5000', 'query.limit'],
      ['?offset=-1', 'query.offset'],
      ['?asOf=x', 'query.asOf'],
    ]) {
      const r = await f.call('alice', 'GET', `/api/v1/datasets${query}`);
      expect([r.status, r.body.errors[0].path], query).toEqual([400, path]);
    }
  });

  it('reads the past: asOf is a revision of the assets stream', async () => {
    // The first two events of the stream: a1, then b1.
    expect(await names('alice', '?asOf=1')).toEqual([['a1', 'b1'], 2]);
    expect((await f.call('alice', 'GET', '/api/v1/datasets/a2?asOf=1')).status).toBe(404);
    expect((await f.call('alice', 'GET', '/api/v1/datasets/a2')).status).toBe(200);
  });
});

describe('what a refusal tells', () => {
  it('another group’s asset, or another member’s private one, is answered exactly as one that does not exist', async () => {
    await dataset('alice', 'images');
    await dataset('bob', 'secret', { private: true });
    for (const [who, name, group] of [
      ['carol', 'images', ''],
      ['carol', 'images', '?group=ga'],
      ['alice', 'secret', ''],
      ['alice', 'secret', '?group=ga'],
    ] as const) {
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['GET', '/versions/1', undefined],
        ['PATCH', '', { description: 'x' }],
        ['POST', '/versions', { pin: { etag: 'x' } }],
        ['POST', '/archive', undefined],
        ['DELETE', '', undefined],
      ] as const) {
        const hidden = await refused(() => f.call(who, method, `/api/v1/datasets/${name}${suffix}${group}`, body));
        const none = await f.call(who, method, `/api/v1/datasets/zz${suffix}${group}`, body);
        expect(hidden.status, `${who} ${method} ${name}${suffix}${group}`).toBe(404);
        expect(JSON.stringify(hidden.body).replaceAll(`'${name}'`, "'zz'")).toBe(JSON.stringify(none.body));
      }
    }
  });

  it('an asset of another kind is not found under this kind’s path', async () => {
    await create('alice', 'workspace', { name: 'code', source: git });
    expect((await f.call('alice', 'GET', '/api/v1/datasets/code')).status).toBe(404);
    expect((await f.call('alice', 'GET', '/api/v1/workspaces/code')).status).toBe(200);
  });

  it('an operator is asked to name the group when several groups have the name', async () => {
    await dataset('alice', 'images');
    await dataset('carol', 'images');
    await dataset('carol', 'only-b');
    expect((await f.call('admin', 'GET', '/api/v1/datasets/only-b')).body.id).toBe('gb/only-b');
    const ambiguous = await f.call('admin', 'GET', '/api/v1/datasets/images');
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body).toMatchObject({ code: 'ambiguous-asset-name', details: { groups: ['ga', 'gb'] } });
    expect((await f.call('admin', 'GET', '/api/v1/datasets/images?group=gb')).body.id).toBe('gb/images');
  });

  it('a data scientist still reaches their own asset in a group they have left', async () => {
    await dataset('alice', 'old');
    expect((await f.call('admin', 'PUT', '/api/v1/users/alice/group', { groupId: 'gb' })).status).toBe(200);
    expect((await f.call('alice', 'GET', '/api/v1/datasets/old')).body).toMatchObject({ id: 'ga/old', group: 'ga' });
    expect((await f.call('alice', 'PATCH', '/api/v1/datasets/old', { description: 'mine still' })).status).toBe(200);
  });
});

describe('Idempotency-Key', () => {
  it('a retried creation runs once and is answered as the first; the key with another body is 422', async () => {
    const key = { 'idempotency-key': 'create-1' };
    const a = await create('alice', 'dataset', { name: 'keyed', source: s3('k') }, key);
    const revisions = revisionsOf(f);
    const b = await create('alice', 'dataset', { name: 'keyed', source: s3('k') }, key);
    expect(a.status).toBe(201);
    expect([b.status, b.headers['idempotent-replayed']]).toEqual([201, 'true']);
    expect(b.body).toEqual(a.body);
    expect(revisionsOf(f)).toEqual(revisions);
    const other = await refused(() => create('alice', 'dataset', { name: 'other', source: s3('o') }, key));
    expect([other.status, other.body.code]).toEqual([422, 'idempotency-key-reused']);
  });

  it('keys are one space across the cluster’s requests and the assets’: a job’s key sent to create a dataset is 422', async () => {
    const key = { 'idempotency-key': 'shared-1' };
    expect((await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'j', kind: 'notebook', gpus: 0 }, key)).status).toBe(201);
    const r = await refused(() => create('alice', 'dataset', { name: 'x', source: s3('x') }, key));
    expect([r.status, r.body.code]).toEqual([422, 'idempotency-key-reused']);
  });

  it('a retried version is answered with the version it recorded, even after later ones', async () => {
    await dataset('alice', 'images');
    const key = { 'idempotency-key': 'v-1' };
    const first = await version('alice', 'datasets/images', { pin: { etag: 'e1' } }, key);
    await version('alice', 'datasets/images', { pin: { etag: 'e2' } });
    const retry = await version('alice', 'datasets/images', { pin: { etag: 'e1' } }, key);
    expect([retry.status, retry.headers['idempotent-replayed'], retry.body]).toEqual([201, 'true', first.body]);
    expect(f.assets.current.assets.get('ga/images')?.versions).toHaveLength(2);
  });
});

describe('a server given no assets engine', () => {
  it('loads one on the cluster engine’s store: what one server wrote, the other reads', async () => {
    await dataset('alice', 'images');
    const tokens = await TokenRegistry.open(f.store, f.clock);
    const other = await buildServer({ engine: f.engine, tokens });
    try {
      const get = (url: string) => other.inject({ method: 'GET', url, headers: { authorization: `Bearer ${f.tokens.bob}` } });
      expect((await get('/api/v1/datasets/images')).json()).toMatchObject({ id: 'ga/images', owner: 'alice' });
      const made = await other.inject({
        method: 'POST',
        url: '/api/v1/datasets',
        headers: { authorization: `Bearer ${f.tokens.bob}` },
        payload: { name: 'bobs', source: s3('bobs') },
      });
      expect(made.statusCode).toBe(201);
      await f.assets.catchUp();
      expect((await f.call('alice', 'GET', '/api/v1/datasets/bobs')).body).toMatchObject({ owner: 'bob', group: 'ga' });
    } finally {
      await other.close();
      tokens.close();
    }
  });
});

describe('lists follow every change to what they list', () => {
  /** An asset as it reads by name, as a list shows it: without its versions, with their number. */
  const asListed = ({ versions, ...rest }: { versions: unknown[] }) => ({ ...rest, versionCount: versions.length });

  /** `who`'s list of datasets, checked item by item against each asset as it reads by name now. */
  async function listed(who: Who, query = '') {
    const r = await f.call(who, 'GET', `/api/v1/datasets${query}`);
    expect(r.status).toBe(200);
    for (const item of r.body as { name: string; group: string }[]) {
      const one = await f.call('admin', 'GET', `/api/v1/datasets/${item.name}?group=${item.group}${query.replace('?', '&')}`);
      expect(item, item.name).toEqual(asListed(one.body));
    }
    return r.body as Record<string, unknown>[];
  }
  const images = async (who: Who, query = '') => (await listed(who, query)).find((a) => a.name === 'images');

  beforeEach(async () => {
    await dataset('alice', 'images', { description: 'v1', tags: ['cv'] });
    await dataset('bob', 'texts');
  });

  it('description, tags, versions, uses and archiving show in the next list', async () => {
    expect(await images('bob')).toMatchObject({ description: 'v1', tags: ['cv'], versionCount: 0, uses: 0 });
    // One field at a time, so that each is seen to change the listed item on its own.
    expect((await f.call('alice', 'PATCH', '/api/v1/datasets/images', { description: 'v2' })).status).toBe(200);
    expect(await images('bob')).toMatchObject({ description: 'v2', tags: ['cv'] });
    expect((await f.call('alice', 'PATCH', '/api/v1/datasets/images', { tags: ['cv', 'big'] })).status).toBe(200);
    expect(await images('bob')).toMatchObject({ description: 'v2', tags: ['cv', 'big'] });
    expect((await version('alice', 'datasets/images', { pin: { etag: 'e1' } })).status).toBe(201);
    expect(await images('bob')).toMatchObject({ versionCount: 1, uses: 0 });
    await create('alice', 'model', { name: 'resnet' });
    await version('alice', 'models/resnet', { uri: 's3://m/1', lineage: { datasets: [{ assetId: 'images', version: 1 }] } });
    expect(await images('bob')).toMatchObject({ versionCount: 1, uses: 1 });
    expect((await f.call('alice', 'POST', '/api/v1/datasets/images/archive')).status).toBe(200);
    expect(await images('bob')).toBeUndefined();
    expect(await images('bob', '?archived=true')).toMatchObject({ archived: true, description: 'v2' });
  });

  it('an asset made private leaves the group’s list at once, stays in its owner’s, and comes back when shared', async () => {
    expect((await listed('bob')).map((a) => a.name)).toEqual(['images', 'texts']);
    await f.call('alice', 'PATCH', '/api/v1/datasets/images', { private: true });
    expect((await listed('bob')).map((a) => a.name)).toEqual(['texts']);
    expect(await images('alice')).toMatchObject({ private: true });
    expect(await images('admin')).toMatchObject({ private: true });
    await f.call('admin', 'PATCH', '/api/v1/datasets/images?group=ga', { private: false, description: 'shared again' });
    expect(await images('bob')).toMatchObject({ private: false, description: 'shared again' });
  });

  it('an asset deleted and made again under its name, and a list of the past, say what they say', async () => {
    await images('bob');
    expect((await f.call('alice', 'DELETE', '/api/v1/datasets/images')).status).toBe(204);
    await dataset('alice', 'images', { description: 'second', tags: [] });
    expect(await images('bob')).toMatchObject({ description: 'second', tags: [] });
    // The first two events of the stream made the first images and texts: the past is listed as it was.
    const past = await f.call('bob', 'GET', '/api/v1/datasets?asOf=1');
    expect(past.body.find((a: { name: string }) => a.name === 'images')).toMatchObject({ description: 'v1', tags: ['cv'] });
    expect(await images('bob')).toMatchObject({ description: 'second' });
  });

  it('answers JSON with X-Total-Count, and HEAD the length of what GET sends', async () => {
    const get = await f.app.inject({
      method: 'GET',
      url: '/api/v1/datasets?limit=1',
      headers: { authorization: `Bearer ${f.tokens.bob}` },
    });
    expect(get.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(get.headers['x-total-count']).toBe('2');
    expect(get.json()).toHaveLength(1);
    expect(Number(get.headers['content-length'])).toBe(get.rawPayload.length);
    const head = await f.app.inject({
      method: 'HEAD',
      url: '/api/v1/datasets?limit=1',
      headers: { authorization: `Bearer ${f.tokens.bob}` },
    });
    expect([head.statusCode, head.headers['content-length'], head.headers['x-total-count']]).toEqual([
      200,
      get.headers['content-length'],
      '2',
    ]);
    const none = await f.app.inject({
      method: 'GET',
      url: '/api/v1/datasets?limit=0',
      headers: { authorization: `Bearer ${f.tokens.bob}` },
    });
    expect([none.payload, none.headers['x-total-count']]).toEqual(['[]', '2']);
  });
});
