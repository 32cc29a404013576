/**
 * A running job's metrics over HTTP: reported in batches by its owner (or an operator), read by
 * whoever may see the job; steps never go back; a job that is not running reports none.
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

/** alice's training job `train`, started. */
async function running(shared = false) {
  expect((await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'train', kind: 'training', gpus: 1, shared })).status).toBe(201);
  expect((await f.engine.execute({ type: 'ReportJobStarted', jobId: 'ga/train' })).ok).toBe(true);
}
const report = (who: 'alice' | 'bob' | 'admin', points: unknown) => f.call(who, 'POST', '/api/v1/jobs/train/metrics', { points });

describe('job metrics', () => {
  it('keeps each metric’s series, fills in steps, and answers the final values', async () => {
    await running();
    const first = await report('alice', [
      { name: 'loss', value: 0.9 },
      { name: 'acc', value: 0.4, step: 100 },
    ]);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ jobId: 'ga/train', accepted: 2, final: { loss: 0.9, acc: 0.4 } });
    f.clock.t += 5;
    expect(
      (
        await report('alice', [
          { name: 'loss', value: 0.3 },
          { name: 'acc', value: 0.8, step: 200 },
        ])
      ).status,
    ).toBe(201);
    const read = await f.call('alice', 'GET', '/api/v1/jobs/train/metrics');
    expect(read.body).toEqual({
      jobId: 'ga/train',
      series: {
        loss: [
          { step: 0, value: 0.9, at: 1000 },
          { step: 1, value: 0.3, at: 1005 },
        ],
        acc: [
          { step: 100, value: 0.4, at: 1000 },
          { step: 200, value: 0.8, at: 1005 },
        ],
      },
      final: { loss: 0.3, acc: 0.8 },
    });
  });

  it('refuses a step that goes back, a value that is no finite number, and another user’s report', async () => {
    await running(true);
    await report('alice', [{ name: 'loss', value: 1, step: 10 }]);
    const back = await report('alice', [{ name: 'loss', value: 0.5, step: 9 }]);
    expect([back.status, back.body.detail]).toEqual([409, 'points[0].step: loss is at step 10 already; steps do not go back']);
    const nan = await report('alice', [{ name: 'loss', value: 'NaN' }]);
    expect([nan.status, nan.body.errors[0].path]).toEqual([400, 'body.points.0.value']);
    // bob shares alice's group and sees her shared job, but reports nothing for it; an operator may.
    expect((await report('bob', [{ name: 'loss', value: 1 }])).status).toBe(403);
    expect((await f.call('bob', 'GET', '/api/v1/jobs/train/metrics')).status).toBe(200);
    expect((await report('admin', [{ name: 'loss', value: 0.1 }])).status).toBe(201);
    // carol, of another group, learns nothing.
    expect((await f.call('carol', 'GET', '/api/v1/jobs/train/metrics?group=ga')).status).toBe(404);
  });

  it('takes none from a job that is not running, and still answers what it reported', async () => {
    await running();
    await report('alice', [{ name: 'loss', value: 0.2 }]);
    expect((await f.engine.execute({ type: 'ReportJobCompleted', jobId: 'ga/train' })).ok).toBe(true);
    const late = await report('alice', [{ name: 'loss', value: 0.1 }]);
    expect([late.status, late.body.detail]).toEqual([409, "job 'ga/train' is Complete; only a running job reports metrics"]);
    expect((await f.call('alice', 'GET', '/api/v1/jobs/train/metrics')).body.final).toEqual({ loss: 0.2 });
  });
});
