/**
 * Forecast routes: a pool's waiting jobs with their predicted starts, one job's, and what-if for
 * an operator's planned changes, each an estimate made in the forecast worker thread. The
 * fixture's pools: `pa` (n1, 4 GPUs) serves alice and bob, `pb` (n2, 4 GPUs) serves carol.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../core/cluster/commands.js';
import { Forecaster } from '../forecast/forecaster.js';
import { type Fixture, fixture } from './test-support/fixture.js';

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

/** In `pa`: alice's `a` runs (4 GPUs, 100 s); `b` (4 GPUs, 50 s) and `c` (2 GPUs, no expected duration) wait; bob's `d` too. */
async function busyPool(): Promise<Fixture> {
  const fx = await fixture();
  const r = await fx.engine.executeBatch([
    { type: 'SubmitJob', jobId: 'ga/a', kind: 'training', owner: 'alice', gpus: 4, expectedDuration: 100 },
    { type: 'SubmitJob', jobId: 'ga/b', kind: 'training', owner: 'alice', gpus: 4, expectedDuration: 50, shared: true },
    { type: 'SubmitJob', jobId: 'ga/c', kind: 'training', owner: 'alice', gpus: 2, shared: false },
    { type: 'SubmitJob', jobId: 'ga/d', kind: 'preprocessing', owner: 'bob', gpus: 1, expectedDuration: 10, shared: true },
  ]);
  if (r.outcomes.some((o) => !o.ok)) throw new Error(JSON.stringify(r.outcomes));
  return fx;
}

const hour = 3600;
const waits = (jobs: { job?: { name: string }; hidden?: boolean; waitSeconds: number | null }[]) =>
  jobs.map((j) => [j.job?.name ?? 'hidden', j.waitSeconds]);

describe('GET /pools/{poolId}/forecast', () => {
  it('answers the pool’s waiting jobs, soonest first, with predicted starts, marked as an estimate', async () => {
    f = await busyPool();
    const res = await f.call('alice', 'GET', '/api/v1/pools/pa/forecast');
    expect(res.status).toBe(200);
    expect(res.headers['x-total-count']).toBe('3');
    expect(res.body).toMatchObject({ estimate: true, now: 1000, poolId: 'pa', revision: f.engine.revision });
    // a ends at 1100; b then runs 50 s; c (2 GPUs, a typical hour) and d (1 GPU, 10 s) start after b.
    expect(waits(res.body.jobs)).toEqual([
      ['b', 100],
      ['c', 150],
      ['d', 150],
    ]);
    expect(res.body.jobs[0]).toMatchObject({ startAt: 1100, job: { id: 'ga/b', name: 'b', group: 'ga', owner: 'alice' } });
    expect(res.body.typicalDurations).toContainEqual({ kind: 'training', seconds: hour, samples: 0, source: 'default' });
  });

  it('hides the jobs the caller may not see, keeping their place; pages', async () => {
    f = await busyPool();
    const res = await f.call('bob', 'GET', '/api/v1/pools/pa/forecast?limit=2&offset=1');
    expect(res.status).toBe(200);
    expect(res.headers['x-total-count']).toBe('3');
    expect(res.body.jobs).toEqual([
      { hidden: true, gpus: 2, startAt: 1150, waitSeconds: 150 },
      expect.objectContaining({ job: expect.objectContaining({ name: 'd' }), waitSeconds: 150 }),
    ]);
  });

  it('refuses another group’s pool, an unknown pool, a bad page', async () => {
    f = await busyPool();
    expect((await f.call('carol', 'GET', '/api/v1/pools/pa/forecast')).status).toBe(403);
    const none = await f.call('admin', 'GET', '/api/v1/pools/nope/forecast');
    expect(none.status).toBe(404);
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    const page = await f.call('admin', 'GET', '/api/v1/pools/pa/forecast?limit=5000');
    expect(page.status).toBe(400);
    expect(page.body.errors[0].path).toBe('query.limit');
  });

  it('assumes the median duration of the jobs of a kind that finished, once some have', async () => {
    f = await fixture();
    const run = async (id: string, seconds: number) => {
      await f.engine.executeBatch([{ type: 'SubmitJob', jobId: id, kind: 'training', owner: 'alice', gpus: 4 }]);
      f.clock.t += seconds;
      await f.engine.executeBatch([{ type: 'ReportJobCompleted', jobId: id }]);
    };
    await run('ga/t1', 100);
    await run('ga/t2', 300);
    await run('ga/t3', 200);
    await f.engine.executeBatch([
      { type: 'SubmitJob', jobId: 'ga/x', kind: 'training', owner: 'alice', gpus: 4 },
      { type: 'SubmitJob', jobId: 'ga/y', kind: 'training', owner: 'alice', gpus: 4 },
    ]);
    const res = await f.call('alice', 'GET', '/api/v1/pools/pa/forecast');
    expect(res.body.typicalDurations).toContainEqual({ kind: 'training', seconds: 200, samples: 3, source: 'median' });
    expect(waits(res.body.jobs)).toEqual([['y', 200]]);
  });
});

describe('GET /jobs/{jobId}/forecast', () => {
  it('answers one waiting job’s predicted start, and says when a job no longer waits', async () => {
    f = await busyPool();
    const b = await f.call('bob', 'GET', '/api/v1/jobs/b/forecast');
    expect(b.status).toBe(200);
    expect(b.body).toMatchObject({ estimate: true, jobId: 'ga/b', name: 'b', waiting: true, startAt: 1100, waitSeconds: 100 });
    const a = await f.call('alice', 'GET', '/api/v1/jobs/a/forecast');
    expect(a.body).toMatchObject({ waiting: false, status: 'Starting', startAt: 1000, waitSeconds: null });
    // c is alice's own, not shared: to bob it does not exist.
    expect((await f.call('bob', 'GET', '/api/v1/jobs/c/forecast')).status).toBe(404);
    expect((await f.call('carol', 'GET', '/api/v1/jobs/b/forecast')).status).toBe(404);
  });
});

describe('POST /forecast/what-if', () => {
  const movePb: Command = {
    type: 'MovePoolDevices',
    toPoolId: 'pa',
    fromPoolId: 'pb',
    devices: ['n2/0', 'n2/1', 'n2/2', 'n2/3'],
  };

  it('answers every waiting job’s wait before and after the planned changes, the cluster itself unchanged', async () => {
    f = await busyPool();
    const revision = f.engine.revision;
    const res = await f.call('admin', 'POST', '/api/v1/forecast/what-if', { changes: [movePb] });
    expect(res.status).toBe(200);
    expect(res.body.estimate).toBe(true);
    const rows = res.body.jobs.map(
      (j: { job: { name: string }; before: { waitSeconds: number }; after: { waitSeconds: number } }) => [
        j.job.name,
        j.before.waitSeconds,
        j.after.waitSeconds,
      ],
    );
    // pb's idle node moved to pa: b starts at once beside a, c and d when b ends.
    expect(rows).toEqual([
      ['b', 100, 0],
      ['c', 150, 50],
      ['d', 150, 50],
    ]);
    expect(res.body.summary).toEqual({
      jobs: 3,
      sooner: 3,
      later: 0,
      unchanged: 0,
      neverBefore: 0,
      neverAfter: 0,
      meanWaitBefore: 400 / 3,
      meanWaitAfter: 100 / 3,
    });
    expect(f.engine.revision).toBe(revision);
    expect(f.engine.current.pools.get('pb')).toBeDefined();
    expect(f.engine.current.devices.get('n2/0')?.pool).toBe('pb');
  });

  it('cordoning the pool’s node leaves its jobs never starting; a policy change and a pool filter', async () => {
    f = await busyPool();
    const cordon = await f.call('admin', 'POST', '/api/v1/forecast/what-if?pool=pa', {
      changes: [{ type: 'CordonNode', nodeId: 'n1' }],
    });
    expect(cordon.status).toBe(200);
    expect(cordon.body.summary).toMatchObject({ jobs: 3, later: 3, neverAfter: 3, meanWaitAfter: null });
    const sjf = await f.call('admin', 'POST', '/api/v1/forecast/what-if', {
      changes: [{ type: 'ConfigurePool', poolId: 'pa', policy: 'first-fit' }],
    });
    expect(sjf.status).toBe(200);
    expect(sjf.body.jobs.map((j: { after: { waitSeconds: number } }) => j.after.waitSeconds)).toEqual([100, 150, 150]);
    expect((await f.call('admin', 'POST', '/api/v1/forecast/what-if?pool=pb', { changes: [] })).body.summary.jobs).toBe(0);
  });

  it('refuses what is not a planned change, or does not decode, naming the field', async () => {
    f = await busyPool();
    const bad = async (body: unknown) => {
      const res = await f.call('admin', 'POST', '/api/v1/forecast/what-if', body);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      return res.body.errors.map((e: { path: string }) => e.path);
    };
    expect(await bad({})).toEqual(['body.changes']);
    expect(await bad({ changes: 'x' })).toEqual(['body.changes']);
    expect(await bad({ changes: [movePb, { type: 'SubmitJob', jobId: 'z', kind: 'training', gpus: 1 }] })).toEqual([
      'body.changes[1].type',
    ]);
    expect(await bad({ changes: [{ type: 'CordonNode' }] })).toEqual(['body.changes[0].nodeId']);
    expect(await bad({ changes: [{ type: 'CordonNode', nodeId: 'n1', at: 5 }] })).toEqual(['body.changes[0].at']);
    expect(await bad({ changes: [7] })).toEqual(['body.changes[0]']);
    expect(await bad({ changes: Array.from({ length: 51 }, () => ({ type: 'CordonNode', nodeId: 'n1' })) })).toEqual([
      'body.changes',
    ]);
  });

  it('answers a change the cluster would refuse with its rejection, naming the change', async () => {
    f = await busyPool();
    const res = await f.call('admin', 'POST', '/api/v1/forecast/what-if', {
      changes: [movePb, { type: 'CordonNode', nodeId: 'nope' }],
    });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/^changes\[1\] \(CordonNode\): .*nope/);
    expect(res.body.details).toEqual({ field: 'body.changes[1]', index: 1 });
  });

  it('is for operators only', async () => {
    f = await busyPool();
    expect((await f.call('alice', 'POST', '/api/v1/forecast/what-if', { changes: [] })).status).toBe(403);
    expect((await f.call('nobody', 'POST', '/api/v1/forecast/what-if', { changes: [] })).status).toBe(401);
  });
});

describe('the forecast worker', () => {
  it('forecasts exactly as the same forecast made in-process, what-if included', async () => {
    f = await fixture();
    // A busier pa: a few dozen jobs of every shape, some running.
    const jobs: Command[] = [];
    for (let i = 0; i < 60; i++) {
      jobs.push({
        type: 'SubmitJob',
        jobId: `ga/w${i}`,
        kind: i % 7 === 0 ? 'preprocessing' : 'training',
        owner: i % 2 ? 'alice' : 'bob',
        gpus: 1 + (i % 4),
        priority: i % 5 === 0 ? 1 : 0,
        ...(i % 3 === 0 ? {} : { expectedDuration: 30 + ((i * 37) % 400) }),
      });
    }
    await f.engine.executeBatch(jobs);
    const inWorker = new Forecaster(f.engine, { cacheSeconds: 0 });
    const inline = new Forecaster(f.engine, { thread: 'inline', cacheSeconds: 0 });
    try {
      for (const changes of [
        null,
        [{ type: 'ConfigurePool', poolId: 'pa', policy: 'backfill' }] as Command[],
        [{ type: 'MovePoolDevices', toPoolId: 'pa', fromPoolId: 'pb', devices: ['n2/0', 'n2/1'] }] as Command[],
      ]) {
        const [a, b] = await Promise.all([inWorker.forecast(changes), inline.forecast(changes)]);
        expect(a.ok && a.value.jobIds.split('\n').length).toBeGreaterThan(50);
        expect(a).toEqual(b);
      }
    } finally {
      await inWorker.close();
      await inline.close();
    }
  });

  it('shares one forecast among the requests of one revision', async () => {
    f = await busyPool();
    const forecaster = new Forecaster(f.engine, { thread: 'inline' });
    try {
      const starts = async (changes: Command[] | null = null) => {
        const r = await forecaster.forecast(changes);
        if (!r.ok) throw new Error(r.rejection.message);
        return r.value.before;
      };
      const first = await starts();
      expect(await starts()).toBe(first);
      // A what-if compares with that very forecast.
      expect(await starts([{ type: 'CordonNode', nodeId: 'n3' }])).toBe(first);
      await f.engine.executeBatch([{ type: 'CordonNode', nodeId: 'n3' }]);
      expect(await starts()).not.toBe(first);
    } finally {
      await forecaster.close();
    }
  });
});
