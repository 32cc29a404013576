/**
 * Route tests through fastify's inject(): what each resource answers, errors as problem details,
 * idempotency, time travel, the OpenAPI document, probes and metrics.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture } from './test-support/fixture.js';

let f: Fixture;
beforeEach(async () => {
  f = await fixture();
});
afterEach(async () => {
  await f.close();
});

describe('jobs', () => {
  it('a submission starts at once when the pool has the GPUs, and answers 201 with the job and its location', async () => {
    const r = await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'nb1', kind: 'notebook', gpus: 2 });
    expect(r.status).toBe(201);
    expect(r.headers.location).toBe('/api/v1/jobs/nb1?group=ga');
    expect(r.body).toMatchObject({ id: 'ga/nb1', name: 'nb1', owner: 'alice', group: 'ga', status: 'Starting', gpus: 2 });
    expect(r.body.allocation.pool).toBe('pa');
    expect(r.body).not.toHaveProperty('seq');
  });

  it('a job that does not fit now waits, and says why', async () => {
    await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'a', kind: 'training', gpus: 4 });
    const r = await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'b', kind: 'training', gpus: 2 });
    expect(r.body.status).toBe('WaitingForGPUs');
    const why = await f.call('alice', 'GET', '/api/v1/jobs/b/explain');
    expect(why.status).toBe(200);
    expect(why.body.reason.code).toBe('not-enough-free-gpus');
    const q = await f.call('alice', 'GET', '/api/v1/pools/pa/queue');
    expect(q.body.map((e: { job: { name: string } }) => e.job.name)).toEqual(['b']);
    expect(q.body[0].reason.code).toBe('not-enough-free-gpus');
    expect(q.body[0].job).not.toHaveProperty('reason'); // the entry's live reason, once
  });

  it('gives a fresh id when none is given, and the same job for a retried Idempotency-Key', async () => {
    const one = await f.call('alice', 'POST', '/api/v1/jobs', { kind: 'notebook', gpus: 1 }, { 'idempotency-key': 'k-1' });
    const two = await f.call('alice', 'POST', '/api/v1/jobs', { kind: 'notebook', gpus: 1 }, { 'idempotency-key': 'k-1' });
    expect(one.status).toBe(201);
    expect(two.status).toBe(201);
    expect(two.body.id).toBe(one.body.id);
    expect(two.headers['idempotent-replayed']).toBe('true');
    const list = await f.call('alice', 'GET', '/api/v1/jobs');
    expect(list.body).toHaveLength(1);
    const fresh = await f.call('alice', 'POST', '/api/v1/jobs', { kind: 'notebook', gpus: 1 });
    expect(fresh.body).toMatchObject({ id: 'ga/job-1', name: 'job-1' });
  });

  it('refuses an Idempotency-Key sent again with another request (422), changing nothing', async () => {
    const key = { 'idempotency-key': 'k-2' };
    expect((await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'x1', kind: 'notebook', gpus: 1 }, key)).status).toBe(201);
    const before = f.engine.revision;
    const other = await f.call('alice', 'POST', '/api/v1/jobs/x1/stop', undefined, key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency-key-reused');
    expect(f.engine.revision).toBe(before);
    expect(f.engine.job('ga/x1')?.status).toBe('Starting');
    // Another user's key of the same name is theirs alone.
    expect((await f.call('bob', 'POST', '/api/v1/jobs', { jobId: 'y1', kind: 'notebook', gpus: 1 }, key)).status).toBe(201);
    // A request refused by the cluster is not remembered: corrected, it runs under the same key.
    const refused = await f.call(
      'alice',
      'POST',
      '/api/v1/jobs',
      { jobId: 'z', kind: 'training', gpus: 64 },
      { 'idempotency-key': 'k-3' },
    );
    expect(refused.status).toBe(409);
    const fixed = await f.call(
      'alice',
      'POST',
      '/api/v1/jobs',
      { jobId: 'z', kind: 'training', gpus: 2 },
      { 'idempotency-key': 'k-3' },
    );
    expect(fixed.status).toBe(201);
  });

  it('lists with filters by status, kind, tag and owner', async () => {
    await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'a', kind: 'training', gpus: 4, tags: ['bert'] });
    await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'b', kind: 'notebook', gpus: 1 });
    await f.call('admin', 'POST', '/api/v1/jobs', { jobId: 'c', kind: 'inference', gpus: 0, owner: 'bob' });
    const ids = async (q: string) =>
      (await f.call('admin', 'GET', `/api/v1/jobs?${q}`)).body.map((j: { name: string }) => j.name);
    expect(await ids('status=WaitingForGPUs')).toEqual(['b']);
    expect(await ids('status=Starting,WaitingForGPUs')).toEqual(['a', 'b', 'c']);
    expect(await ids('kind=training')).toEqual(['a']);
    expect(await ids('tag=bert')).toEqual(['a']);
    expect(await ids('owner=bob')).toEqual(['c']);
    expect(await ids('limit=1&offset=1')).toEqual(['b']);
  });

  it('stop: a waiting job stops at once; a running one goes to Stopping', async () => {
    await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'a', kind: 'training', gpus: 4 });
    await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'b', kind: 'training', gpus: 4 });
    expect((await f.call('alice', 'POST', '/api/v1/jobs/b/stop')).body.status).toBe('Stopped');
    expect((await f.call('alice', 'POST', '/api/v1/jobs/a/stop')).body.status).toBe('Stopping');
    const again = await f.call('alice', 'POST', '/api/v1/jobs/b/stop');
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid-transition');
  });

  it('clone reruns a job under a new id', async () => {
    await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'a', kind: 'training', gpus: 1, tags: ['x'] });
    const r = await f.call('alice', 'POST', '/api/v1/jobs/a/clone', { jobId: 'a2' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: 'ga/a2', name: 'a2', clonedFrom: 'ga/a', tags: ['x'], owner: 'alice' });
  });
});

describe('problems', () => {
  it('input that does not decode is 400 naming each field, and changes nothing', async () => {
    const before = f.engine.revision;
    const r = await f.call('alice', 'POST', '/api/v1/jobs', { kind: 'spaceship', gpus: -1 });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.body.code).toBe('invalid-input');
    expect(r.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.gpus', 'body.kind']);
    expect(f.engine.revision).toBe(before);
  });

  it('a body that is not JSON, or not an object, is 400; one too large is 413', async () => {
    const bad = await f.app.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: { authorization: `Bearer ${f.tokens.alice}`, 'content-type': 'application/json' },
      payload: '{"kind": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).code).toBe('invalid-input');
    expect((await f.call('alice', 'POST', '/api/v1/jobs', [1, 2])).status).toBe(400);
    const big = await f.call('alice', 'POST', '/api/v1/jobs', {
      kind: 'notebook',
      gpus: 1,
      spec: { blob: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('body-too-large');
  });

  it('a rejection is 409 with the core’s code and message; a missing entity 404', async () => {
    const r = await f.call('alice', 'POST', '/api/v1/jobs', { kind: 'training', gpus: 64 });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('never-fits');
    expect(r.body.detail).toMatch(/4/);
    const missing = await f.call('admin', 'POST', '/api/v1/pools/nope/allocations', { count: 1 });
    expect(missing.status).toBe(404);
  });

  it('an unknown route is 404 as a problem; a missing or bad token is 401', async () => {
    expect((await f.call('admin', 'GET', '/api/v1/nothing')).body.code).toBe('not-found');
    const none = await f.call('nobody', 'GET', '/api/v1/jobs');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/Bearer/);
    const bad = await f.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { authorization: 'Bearer nope' } });
    expect(bad.statusCode).toBe(401);
    expect(JSON.parse(bad.body).code).toBe('invalid-token');
  });
});

describe('cluster resources', () => {
  it('an operator creates a pool, allocates GPUs to it, and reads its usage', async () => {
    expect((await f.call('admin', 'POST', '/api/v1/pools', { poolId: 'pc', name: 'pool-c', gpuType: 'A100' })).status).toBe(201);
    const r = await f.call('admin', 'POST', '/api/v1/pools/pc/allocations', { count: 2 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 'pc', total: 2, free: 2, used: 0 });
    const all = await f.call('admin', 'GET', '/api/v1/pools');
    expect(all.body.map((p: { id: string }) => p.id)).toEqual(['default', 'pa', 'pb', 'pc']);
    expect(all.body.reduce((n: number, p: { total: number }) => n + p.total, 0)).toBe(12);
    expect((await f.call('admin', 'PATCH', '/api/v1/pools/pc', { policy: 'first-fit' })).body.policy).toBe('first-fit');
    expect((await f.call('admin', 'DELETE', '/api/v1/pools/pc')).status).toBe(204);
  });

  it('groups, users and tokens: onboard, move, issue a token that works, revoke it', async () => {
    expect(
      (await f.call('admin', 'POST', '/api/v1/users', { userId: 'dave', name: 'Dave', role: 'data-scientist' })).body.group,
    ).toBe('default');
    expect((await f.call('admin', 'PUT', '/api/v1/users/dave/group', { groupId: 'ga' })).body.group).toBe('ga');
    const issued = await f.call('admin', 'POST', '/api/v1/users/dave/tokens', { label: 'laptop' });
    expect(issued.status).toBe(201);
    const me = await f.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${issued.body.token}` },
    });
    expect(JSON.parse(me.body)).toEqual({
      id: 'dave',
      name: 'Dave',
      group: 'ga',
      role: 'data-scientist',
      incarnation: expect.any(Number),
      onboardedAt: 1000,
      tokenId: issued.body.tokenId,
    });
    const listed = await f.call('admin', 'GET', '/api/v1/users/dave/tokens');
    expect(listed.body).toEqual([expect.objectContaining({ tokenId: issued.body.tokenId, label: 'laptop' })]);
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
    expect((await f.call('admin', 'DELETE', `/api/v1/users/dave/tokens/${issued.body.tokenId}`)).status).toBe(204);
    const after = await f.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${issued.body.token}` },
    });
    expect(after.statusCode).toBe(401);
  });

  it('tokens are stored as hashes: no token appears in any stored event', async () => {
    const all = JSON.stringify(await f.store.readAll(), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    for (const token of Object.values(f.tokens)) expect(all).not.toContain(token);
  });

  it('a removed user’s token stops working', async () => {
    expect((await f.call('admin', 'DELETE', '/api/v1/users/bob')).status).toBe(204);
    expect((await f.call('bob', 'GET', '/api/v1/me')).status).toBe(401);
  });

  it('a removed user’s token stays dead when the id is onboarded again, even as an operator', async () => {
    expect((await f.call('admin', 'DELETE', '/api/v1/users/bob')).status).toBe(204);
    f.clock.t += 60;
    const back = await f.call('admin', 'POST', '/api/v1/users', { userId: 'bob', name: 'Bob', role: 'operator' });
    expect(back.status).toBe(201);
    const old = await f.call('bob', 'GET', '/api/v1/me');
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('invalid-token');
    expect((await f.call('bob', 'GET', '/api/v1/nodes')).status).toBe(401);
    // The operator's tokens are the ones issued to them now; the old one is not listed as live.
    expect((await f.call('admin', 'GET', '/api/v1/users/bob/tokens')).body).toEqual([]);
    const issued = await f.call('admin', 'POST', '/api/v1/users/bob/tokens', {});
    const nodes = await f.app.inject({
      method: 'GET',
      url: '/api/v1/nodes',
      headers: { authorization: `Bearer ${issued.body.token}` },
    });
    expect(nodes.statusCode).toBe(200);
  });

  it('removing a user with unfinished jobs is refused (409), unless asked to stop them', async () => {
    await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'run', kind: 'training', gpus: 4 });
    await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'wait', kind: 'training', gpus: 1 });
    const refused = await f.call('admin', 'DELETE', '/api/v1/users/alice');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'user-busy', details: { jobs: ['ga/run', 'ga/wait'] } });
    expect((await f.call('admin', 'DELETE', '/api/v1/users/alice?stopJobs=maybe')).status).toBe(400);
    expect((await f.call('admin', 'DELETE', '/api/v1/users/alice?stopJobs=true')).status).toBe(204);
    expect([f.engine.job('ga/run')?.status, f.engine.job('ga/wait')?.status]).toEqual(['Stopping', 'Stopped']);
    expect(f.engine.current.users.has('alice')).toBe(false);
  });

  it('nodes: register, cordon, uncordon', async () => {
    const r = await f.call('admin', 'POST', '/api/v1/nodes', { nodeId: 'n4', devices: [{ index: 0, gpuType: 'H100' }] });
    expect(r.status).toBe(201);
    expect(r.body.devices[0]).toMatchObject({ id: 'n4/0', pool: 'default' });
    expect((await f.call('admin', 'POST', '/api/v1/nodes/n4/cordon')).body.cordoned).toBe(true);
    expect((await f.call('admin', 'POST', '/api/v1/nodes/n4/uncordon')).body.cordoned).toBe(false);
  });
});

describe('time travel', () => {
  it('any read can be asked as of a revision or a time', async () => {
    const before = f.engine.revision;
    f.clock.t = 2000;
    await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'a', kind: 'training', gpus: 1 });
    expect((await f.call('alice', 'GET', `/api/v1/jobs?asOf=${before}`)).body).toEqual([]);
    expect((await f.call('alice', 'GET', '/api/v1/jobs/a?asOfTime=1500')).status).toBe(404);
    expect((await f.call('alice', 'GET', '/api/v1/jobs/a?asOfTime=1970-01-01T00:33:20Z')).body.status).toBe('Starting');
    expect((await f.call('admin', 'GET', `/api/v1/pools/pa?asOf=${before}`)).body.used).toBe(0);
    expect((await f.call('admin', 'GET', '/api/v1/pools/pa')).body.used).toBe(1);
    const bad = await f.call('alice', 'GET', '/api/v1/jobs?asOf=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('query.asOf');
  });
});

describe('documents and probes', () => {
  it('serves the OpenAPI document with request schemas from the core codecs, and the UI at /docs', async () => {
    const doc = (await f.call('nobody', 'GET', '/docs/json')).body;
    expect(doc.openapi).toMatch(/^3\./);
    const submit = doc.paths['/api/v1/jobs'].post;
    const schema = submit.requestBody.content['application/json'].schema;
    expect(schema.properties.kind.enum).toContain('notebook');
    expect(schema.properties.gpus).toMatchObject({ type: 'integer', minimum: 0 });
    expect(schema.required).toEqual(['kind', 'gpus']);
    const ui = await f.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toMatch(/swagger/i);
  });

  it('healthz, readyz and metrics', async () => {
    expect((await f.call('nobody', 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await f.call('nobody', 'GET', '/readyz')).body.status).toBe('ready');
    await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'a', kind: 'training', gpus: 3 });
    const m = (await f.call('nobody', 'GET', '/metrics')).body as string;
    expect(m).toContain('gpupool_pool_gpus{pool="pa",state="used"} 3');
    expect(m).toContain('gpupool_pool_gpus{pool="pa",state="free"} 1');
    expect(m).toContain('gpupool_jobs{status="Starting"} 1');
    expect(m).toContain('gpupool_queue_length{pool="pa"} 0');
    await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'b', kind: 'training', gpus: 3 });
    f.clock.t += 30;
    const later = (await f.call('nobody', 'GET', '/metrics')).body as string;
    expect(later).toContain('gpupool_queue_length{pool="pa"} 1');
    expect(later).toContain('gpupool_queue_oldest_wait_seconds{pool="pa"} 30');
    expect(later).toContain('gpupool_queue_oldest_wait_seconds{pool="pb"} 0');
    expect(m).toMatch(/gpupool_scheduling_pass_seconds_count [1-9]/);
    expect(m).toMatch(/gpupool_store_append_seconds_count [1-9]/);
  });
});
