/**
 * A pool's use over time (GET /pools/{poolId}/usage) and its oldest wait (GET /pools): samples
 * taken as batches change a pool, one a second at most, bounded, read in the past by revision.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture } from './test-support/fixture.js';
import { PoolUsageHistory } from './usage.js';

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

/**
 * Run commands at the fixture's clock, `seconds` later than the last batch, then let a turn of the
 * event loop pass (when the history takes its sample).
 */
async function later(seconds: number, ...commands: Parameters<Fixture['engine']['executeBatch']>[0]) {
  f.clock.t += seconds;
  const out = await f.engine.executeBatch(commands);
  expect(out.outcomes.filter((o) => !o.ok)).toEqual([]);
  await new Promise((done) => setImmediate(done));
}

const job = (jobId: string, gpus: number) => ({
  type: 'SubmitJob' as const,
  jobId,
  kind: 'training' as const,
  owner: 'alice',
  gpus,
});

describe('GET /api/v1/pools/{poolId}/usage', () => {
  it('answers a sample when a batch changes a pool’s use or queue, as columns, oldest first', async () => {
    f = await fixture();
    const first = await f.call('admin', 'GET', '/api/v1/pools/pa/usage');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ pool: 'pa', from: 1000, now: 1000, at: [1000], total: [4], used: [0], queued: [0] });
    await later(10, job('j1', 3));
    await later(10, job('j2', 2)); // waits: 1 GPU free
    await later(10, { type: 'SubmitJob', jobId: 'c1', kind: 'training', owner: 'carol', gpus: 1 }); // pool pb: pa unchanged
    const { body } = await f.call('admin', 'GET', '/api/v1/pools/pa/usage');
    expect(body).toMatchObject({ at: [1000, 1010, 1020], total: [4, 4, 4], used: [0, 3, 3], queued: [0, 0, 1], now: 1030 });
    expect(body.revision).toHaveLength(3);
    expect((await f.call('admin', 'GET', '/api/v1/pools/pb/usage')).body).toMatchObject({ at: [1000, 1030], used: [0, 1] });
  });

  it('keeps the latest of changes within one second', async () => {
    f = await fixture();
    await later(5, job('j1', 1));
    await later(0.5, job('j2', 1));
    const { body } = await f.call('admin', 'GET', '/api/v1/pools/pa/usage');
    expect(body).toMatchObject({ at: [1000, 1005.5], used: [0, 2] });
  });

  it('reads the past by revision, and leaves out samples before `since`', async () => {
    f = await fixture();
    await later(10, job('j1', 1));
    const mid = f.engine.revision;
    await later(10, job('j2', 1));
    const past = await f.call('admin', 'GET', `/api/v1/pools/pa/usage?asOf=${mid}`);
    expect(past.body).toMatchObject({ at: [1000, 1010], used: [0, 1], now: 1010 });
    expect((await f.call('admin', 'GET', '/api/v1/pools/pa/usage?since=1005')).body).toMatchObject({ at: [1010, 1020] });
    const bad = await f.call('admin', 'GET', '/api/v1/pools/pa/usage?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('query.since');
  });

  it('is read by who may read the pool: 404 for no such pool, 403 for another group’s', async () => {
    f = await fixture();
    expect((await f.call('alice', 'GET', '/api/v1/pools/pa/usage')).status).toBe(200);
    expect((await f.call('carol', 'GET', '/api/v1/pools/pa/usage')).body.code).toBe('forbidden');
    expect((await f.call('admin', 'GET', '/api/v1/pools/nope/usage')).status).toBe(404);
    await later(1, { type: 'DeletePool', poolId: 'pb' });
    expect((await f.call('admin', 'GET', '/api/v1/pools/pb/usage')).status).toBe(404);
  });

  it('keeps at most `capacity` samples per pool, the oldest dropped first', async () => {
    f = await fixture();
    const history = new PoolUsageHistory(f.engine, { capacity: 3 });
    try {
      for (let i = 1; i <= 4; i++) {
        await later(10, job(`j${i}`, 1));
      }
      const s = history.series('pa', f.engine.revision);
      expect(s?.at).toEqual([1020, 1030, 1040]);
      expect(s?.used).toEqual([2, 3, 4]);
    } finally {
      history.close();
    }
  });
});

describe('a pool’s oldest wait', () => {
  it('is when the longest-waiting job of its queue was submitted, and how long it has waited', async () => {
    f = await fixture();
    await later(0, job('j1', 4));
    const none = await f.call('admin', 'GET', '/api/v1/pools/pa');
    expect(none.body).toMatchObject({ queued: 0, oldestWaitSince: null, oldestWaitSeconds: null });
    await later(5, job('j2', 2));
    await later(5, job('j3', 1));
    f.clock.t += 20;
    const pools = (await f.call('admin', 'GET', '/api/v1/pools')).body;
    expect(pools.find((p: { id: string }) => p.id === 'pa')).toMatchObject({
      queued: 2,
      oldestWaitSince: 1005,
      oldestWaitSeconds: 25,
    });
    expect(pools.find((p: { id: string }) => p.id === 'pb')).toMatchObject({ oldestWaitSince: null });
    // In the past, the wait is measured to that state's time.
    const past = await f.call('admin', 'GET', `/api/v1/pools/pa?asOf=${f.engine.revision - 1}`);
    expect(past.body).toMatchObject({ oldestWaitSince: 1005 });
  });
});
