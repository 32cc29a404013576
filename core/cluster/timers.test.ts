/**
 * Timers as data (scheduler/timers.ts): `nextWakeup` says when time alone next changes a
 * scheduling decision, a `Tick` at that time runs the pass of the groups it concerns, and every
 * batch covers the maximum-wait deadlines that fell since the last event.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from './commands.js';
import type { Policy } from './model.js';
import { explainJob } from './queries.js';
import { deadline, nextWakeup } from './scheduler/timers.js';
import { cluster, completed, cordon, devs, registerNode, submit, withId } from './test-support/given.js';

const tick: Command = { type: 'Tick' };

/** One node n1 of 4 A100 in pool 'p' (maximum wait 60 s unless told) serving group 'g' with user 'u'. */
const oneNode = (policy: Policy, maxWaitSeconds: number | null = 60) =>
  cluster()
    .nodes('n1', 4)
    .pool('p', 'A100', { take: 4, policy, ...(maxWaitSeconds === null ? {} : { maxWaitSeconds }) })
    .team('g', 'p', 'u');

/**
 * fifo: r holds 2 of the 4 GPUs from t=0; 'old' (2 GPUs) would fit, but 'big' (4 GPUs, priority
 * 10, submitted with it) heads the queue and does not: 'old' waits from t=0, its deadline t=60.
 */
const behindPriorityHead = (maxWaitSeconds: number | null = 60) =>
  oneNode('fifo', maxWaitSeconds)
    .given(submit('r', 2))
    .given(submit('old', 2), submit('big', 4, { priority: 10 }));

/** first-fit: r holds 2 of the 4 GPUs; the 4-GPU head waits from t=0 (deadline t=60). */
const starvingHead = () => oneNode('first-fit').given(submit('r', 2)).given(submit('head', 4));

describe('nextWakeup', () => {
  it('is null when no pool has a maximum wait, however long jobs wait', () => {
    const c = behindPriorityHead(null);
    expect(c.status('old')).toBe('WaitingForGPUs');
    expect(nextWakeup(c.state)).toBeNull();
  });

  it('is null when nothing waits', () => {
    expect(nextWakeup(oneNode('fifo').given(submit('r', 2)).state)).toBeNull();
  });

  it("is the instant the oldest waiting job that could start passes its pool's maximum wait", () => {
    const c = behindPriorityHead().at(20);
    c.given(submit('young', 2)); // waits too, but behind 'old' in submission order
    expect(nextWakeup(c.state)).toBe(60);
  });

  it('follows the pools as they change: a maximum wait set or dropped, a pool unassigned, reassigned or deleted', () => {
    const c = behindPriorityHead(null).at(10);
    expect(nextWakeup(c.state)).toBeNull();
    c.given({ type: 'ConfigurePool', poolId: 'p', maxWaitSeconds: 30 });
    expect(nextWakeup(c.state)).toBe(30);
    c.given({ type: 'ConfigurePool', poolId: 'p', maxWaitSeconds: null });
    expect(nextWakeup(c.state)).toBeNull();
    c.given({ type: 'ConfigurePool', poolId: 'p', maxWaitSeconds: 40 });
    expect(nextWakeup(c.state)).toBe(40);
    c.given({ type: 'AssignPool', groupId: 'g', poolId: null });
    expect(nextWakeup(c.state)).toBeNull(); // the queue has no pool to starve in
    c.given({ type: 'AssignPool', groupId: 'g', poolId: 'p' });
    expect(nextWakeup(c.state)).toBe(40);
    c.given({ type: 'DeletePool', poolId: 'p' });
    expect(nextWakeup(c.state)).toBeNull();
  });

  it('counts a pool with a maximum wait once it is assigned to a group, not before', () => {
    const c = behindPriorityHead(null)
      .given(registerNode('n2', 4))
      .pool('q', 'A100', { take: ['n2/0', 'n2/1', 'n2/2', 'n2/3'], maxWaitSeconds: 30 })
      .at(10);
    expect(nextWakeup(c.state)).toBeNull(); // q serves no group yet
    c.given({ type: 'AssignPool', groupId: 'g', poolId: 'q' });
    // 'big' takes all of q at once; 'old', waiting since t=0, starves in q at 30.
    expect(c.status('big')).toBe('Starting');
    expect(c.status('old')).toBe('WaitingForGPUs');
    expect(nextWakeup(c.state)).toBe(30);
  });

  it('is the earliest deadline over the groups', () => {
    const c = behindPriorityHead()
      .given(registerNode('n2', 4))
      .pool('q', 'A100', { take: ['n2/0', 'n2/1', 'n2/2', 'n2/3'], maxWaitSeconds: 30 })
      .team('h', 'q', 'v')
      .given(submit('full', 4, { owner: 'v' }))
      .at(10)
      .given(submit('w', 1, { owner: 'v' }));
    expect(nextWakeup(c.state)).toBe(40);
  });

  it('ignores a deadline already passed: while the starving job waits, younger deadlines change nothing', () => {
    const c = starvingHead().at(70);
    c.given(submit('late', 1));
    expect(c.job('late').reason?.code).toBe('reserved-for-starving-job');
    expect(nextWakeup(c.state)).toBeNull();
    // Once the head has started, the next job to starve is 'late': its own deadline counts.
    c.at(80).given(completed('r'));
    expect(c.status('head')).toBe('Starting');
    expect(nextWakeup(c.state)).toBe(130);
  });

  it('ignores jobs that cannot start as their pool stands (never-fits): they hold nobody back', () => {
    // n1 (4 GPUs) and n2 (2 GPUs), both busy; 'big' needs all of n1.
    const c = cluster()
      .given(registerNode('n1', 4), registerNode('n2', 2))
      .pool('p', 'A100', { take: 6, policy: 'first-fit', maxWaitSeconds: 60 })
      .team('g', 'p', 'u')
      .given(submit('r1', 4), submit('r2', 2))
      .given(submit('big', 4));
    expect(nextWakeup(c.state)).toBe(60);
    c.at(10).given(cordon('n1'));
    expect(explainJob(c.state, 'big')?.code).toBe('never-fits');
    expect(nextWakeup(c.state)).toBeNull();
    c.at(20).given(submit('small', 2));
    expect(nextWakeup(c.state)).toBe(80);
  });

  it('counts only instants after `after`: a host that ticked at a deadline is not woken for it again', () => {
    const c = behindPriorityHead();
    expect(nextWakeup(c.state, 59)).toBe(60);
    expect(nextWakeup(c.state, 60)).toBeNull();
  });
});

describe('a deadline', () => {
  /** The largest double below a positive `x`. */
  const below = (x: number) => {
    const v = new DataView(new ArrayBuffer(8));
    v.setFloat64(0, x);
    v.setBigUint64(0, v.getBigUint64(0) - 1n);
    return v.getFloat64(0);
  };

  it('is the first instant at which the wait has passed, to the last bit', () => {
    // 0.7 + 0.1 - 0.7 < 0.1 in doubles: a wake-up at the plain sum would find nothing due.
    expect(0.7 + 0.1 - 0.7).toBeLessThan(0.1);
    for (const [s, w] of [
      [0.7, 0.1],
      [3, 0.3],
      [0.1, 0.2],
      [1e6 + 0.1, 0.7],
      [0, 60],
    ] as const) {
      const d = deadline(s, w);
      expect(d - s).toBeGreaterThanOrEqual(w);
      expect(below(d) - s).toBeLessThan(w);
    }
  });
});

describe('a Tick', () => {
  it('decides no events; with nothing due it appends nothing', () => {
    const c = behindPriorityHead().at(30);
    const r = c.when(tick);
    expect(r.outcomes).toEqual([{ ok: true, duplicate: false, events: [] }]);
    expect(r.events).toEqual([]);
  });

  it('before the deadline starts nothing; at it, the starving job starts ahead of the higher-priority head', () => {
    const c = behindPriorityHead();
    expect(c.job('old').reason?.code).toBe('blocked-behind-head');
    expect(c.at(59.5).when(tick).events).toEqual([]);
    const r = c.at(60).when(tick);
    expect(r.bodies).toEqual([
      { type: 'JobAllocated', jobId: 'old', poolId: 'p', devices: devs('n1', 2, 3), shared: [], nodes: ['n1'] },
    ]);
    expect(r.events[0]?.at).toBe(60);
    // 'big' (submitted at t=0 too) starves from now on: this pass reserved for it, no wake-up is left.
    expect(c.status('big')).toBe('WaitingForGPUs');
    expect(nextWakeup(c.state)).toBeNull();
  });

  it('late runs the pass as it would have run at the deadline, only later', () => {
    const c = behindPriorityHead();
    const r = c.at(90).when(tick);
    expect(r.types).toEqual(['JobAllocated']);
    expect(r.events[0]?.at).toBe(90);
  });

  it('under first-fit finds nothing to start: every job that fits has started, and the head reserves what frees', () => {
    const c = starvingHead();
    expect(nextWakeup(c.state)).toBe(60);
    expect(c.at(60).when(tick).events).toEqual([]);
    expect(nextWakeup(c.state, 60)).toBeNull();
    c.at(61).given(submit('late', 2));
    expect(c.job('late').reason?.code).toBe('reserved-for-starving-job');
    c.at(70).given(completed('r'));
    expect(c.status('head')).toBe('Starting');
    expect(c.status('late')).toBe('WaitingForGPUs');
  });

  it('with a command id is remembered like any command that changes nothing', () => {
    const c = behindPriorityHead().at(30);
    expect(c.when(withId('t-1', tick)).types).toEqual(['CommandAccepted']);
    expect(c.when(withId('t-1', tick)).outcomes[0]).toMatchObject({ ok: true, duplicate: true });
  });

  it('with a time that is not a time is refused', () => {
    const r = behindPriorityHead().when({ type: 'Tick', at: -1 });
    expect(r.rejection?.code).toBe('invalid-command');
  });
});

describe('every batch', () => {
  it('runs the pass of a group whose deadline fell since the last event, whatever else it touches', () => {
    // Group 'h' has a pool of its own: its submission touches nothing of group 'g'.
    const c = behindPriorityHead()
      .given(registerNode('n2', 4))
      .pool('q', 'A100', { take: ['n2/0', 'n2/1', 'n2/2', 'n2/3'] })
      .team('h', 'q', 'v');
    const r = c.at(75).when(submit('other', 1, { owner: 'v' }));
    expect(r.types).toEqual(['JobSubmitted', 'JobAllocated', 'JobAllocated']);
    expect(c.status('old')).toBe('Starting');
    expect(c.job('old').allocatedAt).toBe(75);
  });

  it('at the very instant of the deadline runs it too, so a Tick after it finds nothing left', () => {
    const c = behindPriorityHead()
      .given(registerNode('n2', 4))
      .pool('q', 'A100', { take: ['n2/0', 'n2/1', 'n2/2', 'n2/3'] })
      .team('h', 'q', 'v');
    c.at(60).given(submit('other', 1, { owner: 'v' }));
    expect(c.status('old')).toBe('Starting');
    expect(c.at(60).when(tick).events).toEqual([]);
  });
});
