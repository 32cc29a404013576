/**
 * When will it start: a forecast plays a copy of the state forward on expected durations through
 * the real rules; what-if applies planned changes first. The property: when every job does run
 * exactly as expected, the forecast is what happens.
 */

import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { runBatch } from './batch.js';
import type { Command } from './commands.js';
import { type Forecast, forecast, forecastSnapshot, forkState, fromForecastSnapshot, snapshotTransfer } from './forecast.js';
import type { Policy, State } from './model.js';
import { fromSnapshot, toSnapshot } from './snapshot.js';
import { cluster, completed, configurePool, cordon, moveDevices, submit } from './test-support/given.js';

const hour = 3600;
const typical = () => hour;

/** Pool 'p' of one 4-GPU node serving group 'g' (user 'u'); 'q' of one more node, group 'h' (user 'v'). */
const twoPools = (policy: Policy = 'fifo') =>
  cluster()
    .nodes(['n1', 'n2'], 4)
    .pool('p', 'A100', { take: ['n1/0', 'n1/1', 'n1/2', 'n1/3'], policy })
    .pool('q', 'A100', { take: ['n2/0', 'n2/1', 'n2/2', 'n2/3'] })
    .team('g', 'p', 'u')
    .team('h', 'q', 'v');

const startsOf = (r: E.Either<unknown, Forecast>) =>
  E.isRight(r) ? Object.fromEntries(r.right.jobs.map((j) => [j.jobId, j.waitSeconds])) : r.left;

describe('a forecast', () => {
  it('starts each waiting job when the jobs ahead of it end, on their expected durations', () => {
    const c = twoPools()
      .given(submit('a', 4, { expectedDuration: 100 }))
      .given(submit('b', 2, { expectedDuration: 50 }), submit('c', 2), submit('d', 4, { expectedDuration: 10 }));
    expect(startsOf(forecast(forkState(c.state), { now: 0, typicalDuration: typical }))).toEqual({
      b: 100,
      c: 100,
      d: 100 + hour, // c has no expected duration: a training job's typical hour
    });
  });

  it('counts a running job from its allocation, and one that has overrun as ending now', () => {
    const c = twoPools()
      .given(submit('a', 4, { expectedDuration: 100 }))
      .at(30)
      .given(submit('b', 4));
    expect(startsOf(forecast(forkState(c.state), { now: 30, typicalDuration: typical }))).toEqual({ b: 70 });
    expect(startsOf(forecast(forkState(c.state), { now: 500, typicalDuration: typical }))).toEqual({ b: 0 });
  });

  it('answers null for a job that would not start within the horizon, or can never start as its pool stands', () => {
    const c = twoPools()
      .given(submit('a', 4, { expectedDuration: 10 * hour }))
      .given(submit('b', 4), cordon('n2'))
      .given(submit('y', 1, { owner: 'v' }));
    const r = forecast(forkState(c.state), { now: 0, typicalDuration: typical, horizon: hour });
    expect(startsOf(r)).toEqual({ b: null, y: null });
    expect(startsOf(forecast(forkState(c.state), { now: 0, typicalDuration: typical }))).toEqual({ b: 10 * hour, y: null });
  });

  it('never touches the state it was forked from', () => {
    const c = twoPools()
      .given(submit('a', 4, { expectedDuration: 100 }))
      .given(submit('b', 4));
    const before = JSON.stringify([...c.state.jobs.values()]);
    forecast(forkState(c.state), { now: 0, typicalDuration: typical });
    expect(JSON.stringify([...c.state.jobs.values()])).toBe(before);
    expect(c.status('b')).toBe('WaitingForGPUs');
  });

  it('answers what-if: the waits after an operator’s planned change, the cluster itself unchanged', () => {
    const c = twoPools()
      .given(submit('a', 4, { expectedDuration: 100 }))
      .given(submit('b', 4, { expectedDuration: 100 }));
    const plan = (changes: Command[]) => startsOf(forecast(forkState(c.state), { now: 0, typicalDuration: typical, changes }));
    expect(plan([])).toEqual({ b: 100 });
    // q's idle node moved to p: b starts at once.
    expect(plan([moveDevices('p', ['n2/0', 'n2/1', 'n2/2', 'n2/3'], 'q')])).toEqual({ b: 0 });
    // n1 cordoned for maintenance: b can never start as p stands.
    expect(plan([cordon('n1')])).toEqual({ b: null });
    expect(c.status('b')).toBe('WaitingForGPUs');
    expect(c.poolDevices('p')).toHaveLength(4);
  });

  it('refuses a planned change the cluster refuses, or one that is not a planned change, naming it', () => {
    const c = twoPools().given(submit('a', 4)).given(submit('b', 4));
    const r = forecast(forkState(c.state), { now: 0, typicalDuration: typical, changes: [cordon('nope')] });
    expect(E.isLeft(r) && r.left.message).toMatch(/^changes\[0\] \(CordonNode\): .*nope/);
    const s = forecast(forkState(c.state), { now: 0, typicalDuration: typical, changes: [submit('sneaky', 1)] });
    expect(E.isLeft(s) && s.left.message).toMatch(/^changes\[0\]: SubmitJob is not a planned change/);
  });
});

describe('a forecast, as a property', () => {
  it('is what happens when every job runs exactly its expected duration', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Policy>('fifo', 'sjf', 'first-fit', 'backfill'),
        fc.array(
          fc.record({
            gpus: fc.integer({ min: 1, max: 4 }),
            duration: fc.integer({ min: 1, max: 50 }),
            owner: fc.constantFrom('u', 'v'),
          }),
          {
            minLength: 1,
            maxLength: 25,
          },
        ),
        (policy, jobs) => {
          const c = twoPools(policy).given(
            ...jobs.map((j, i) => submit(`j${i}`, j.gpus, { owner: j.owner, expectedDuration: j.duration })),
          );
          const predicted = forecast(forkState(c.state), { now: 0, typicalDuration: typical });
          if (E.isLeft(predicted)) throw new Error(predicted.left.message);
          expect(actualStarts(forkState(c.state), Object.fromEntries(jobs.map((j, i) => [`j${i}`, j.duration])))).toEqual(
            Object.fromEntries(predicted.right.jobs.map((j) => [j.jobId, j.startAt])),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('the forecast snapshot', () => {
  it('forecasts as the whole state would, also after a trip to another thread', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Policy>('fifo', 'sjf', 'first-fit', 'backfill'),
        fc.array(
          fc.record({
            gpus: fc.integer({ min: 0, max: 4 }),
            duration: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
            owner: fc.constantFrom('u', 'v'),
            priority: fc.integer({ min: 0, max: 2 }),
            kind: fc.constantFrom('training' as const, 'notebook' as const),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        fc.constantFrom<Command[]>(
          [],
          [cordon('n1')],
          [moveDevices('p', ['n2/0', 'n2/1'], 'q')],
          [configurePool('p', { policy: 'sjf' })],
        ),
        (policy, jobs, changes) => {
          let c = twoPools(policy);
          jobs.forEach((j, i) => {
            c = c.at(i).given(
              submit(`j${i}`, j.gpus, {
                owner: j.owner,
                priority: j.priority,
                kind: j.kind,
                ...(j.duration === undefined ? {} : { expectedDuration: j.duration }),
              }),
            );
          });
          const whole = fromSnapshot(structuredClone(toSnapshot(c.state, { finishedIds: false })));
          const snap = forecastSnapshot(c.state);
          const lean = fromForecastSnapshot(structuredClone(snap, { transfer: snapshotTransfer(snap) }));
          const options = { now: jobs.length, typicalDuration: (kind: string) => (kind === 'notebook' ? 70 : 30), changes };
          expect(forecast(lean, options)).toEqual(forecast(whole, options));
        },
      ),
      { numRuns: 150 },
    );
  });
});

/**
 * Run the cluster for real, instant by instant: every job reported started when allocated and
 * completed its duration later; the time each job that waited at the start was allocated.
 */
function actualStarts(state: State, durations: Record<string, number>): Record<string, number | null> {
  const waiting = [...state.jobs.values()].filter((j) => j.status === 'WaitingForGPUs').map((j) => j.id);
  const ends: [number, string][] = [...state.jobs.values()]
    .filter((j) => j.status === 'Starting' || j.status === 'Running')
    .map((j) => [(j.allocatedAt ?? 0) + (durations[j.id] as number), j.id]);
  const starts: Record<string, number | null> = Object.fromEntries(waiting.map((id) => [id, null]));
  while (ends.length > 0) {
    ends.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
    const at = (ends[0] as [number, string])[0];
    const due = ends.filter(([t]) => t === at);
    ends.splice(0, due.length);
    const commands: Command[] = due.map(([, jobId]) => completed(jobId));
    for (const e of runBatch(state, commands, at).events) {
      if (e.type !== 'JobAllocated') continue;
      starts[e.jobId] = at;
      ends.push([at + (durations[e.jobId] as number), e.jobId]);
      runBatch(state, [{ type: 'ReportJobStarted', jobId: e.jobId }], at);
    }
  }
  return starts;
}
