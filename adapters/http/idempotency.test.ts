/**
 * Idempotency-Key under concurrency: requests under one key that arrive together, before any of
 * them is durable, still run once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../memory/store.js';
import { type Fixture, fixture } from './test-support/fixture.js';

/** A store whose appends take a while, as a durable one's do: requests pile up behind one. */
class SlowStore extends InMemoryEventStore {
  override async append(...args: Parameters<InMemoryEventStore['append']>) {
    await new Promise((r) => setTimeout(r, 20));
    return super.append(...args);
  }
}

let f: Fixture;
beforeEach(async () => {
  f = await fixture({ store: new SlowStore() });
});
afterEach(async () => {
  await f.close();
});

describe('Idempotency-Key under concurrency', () => {
  it('20 concurrent requests with one key and different bodies: exactly one runs, the others are refused', async () => {
    const key = { 'idempotency-key': 'race-1' };
    const before = f.engine.revision;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        f.call('alice', 'POST', '/api/v1/jobs', { jobId: `r${i}`, kind: 'notebook', gpus: 0 }, key),
      ),
    );
    const accepted = answers.filter((a) => a.status === 201);
    expect(accepted).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 201)) {
      expect([409, 422]).toContain(a.status);
      expect(['idempotency-key-in-flight', 'idempotency-key-reused']).toContain(a.body.code);
      expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const jobs = await f.call('alice', 'GET', '/api/v1/jobs');
    expect(jobs.body.map((j: { id: string }) => j.id)).toEqual([accepted[0]?.body.id]);
    // One submission's events, no more: a notebook of 0 GPUs is submitted and allocated.
    expect(f.engine.revision - before).toBe(2);
    // Once the first is answered, the key is known: another body is 422.
    const late = await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'late', kind: 'notebook', gpus: 0 }, key);
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('idempotency-key-reused');
  });

  it('20 concurrent retries of one request: one job, every answer the same, the others marked replayed', async () => {
    const key = { 'idempotency-key': 'race-2' };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => f.call('bob', 'POST', '/api/v1/jobs', { kind: 'notebook', gpus: 1 }, key)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
    expect((await f.call('bob', 'GET', '/api/v1/jobs')).body).toHaveLength(1);
  });

  it('a refused request releases its key: a corrected one runs under it', async () => {
    const key = { 'idempotency-key': 'race-3' };
    const [refused, other] = await Promise.all([
      f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'big', kind: 'training', gpus: 64 }, key),
      f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'small', kind: 'training', gpus: 1 }, key),
    ]);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('never-fits');
    // The other either ran after the refusal or was refused while it was in flight.
    expect([201, 409]).toContain(other.status);
    const fixed = await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'small', kind: 'training', gpus: 1 }, key);
    expect(fixed.status).toBe(201);
  });
});
