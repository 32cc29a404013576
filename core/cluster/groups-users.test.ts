/**
 * Groups and users (design 2, "Groups and users"): groups and their one pool, the Default Group
 * and Default Pool, users and their one group, the last operator, installation.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from './commands.js';
import {
  assignPool,
  clone,
  cluster,
  completed,
  createGroup,
  createPool,
  deleteGroup,
  given,
  install,
  moveUser,
  onboard,
  release,
  removeUser,
  stop,
  submit,
} from './test-support/given.js';

const NO_LIMITS = { maxUnfinishedJobs: null, maxUnfinishedJobsPerUser: null };

describe('installation', () => {
  it('creates one operator in the Default Group', () => {
    const c = given();
    const r = c.when(install('ada', 'Ada'));
    expect(r.bodies).toEqual([{ type: 'Installed', userId: 'ada', name: 'Ada' }]);
    expect(c.state.installed).toBe(true);
    expect([...c.state.users.values()]).toEqual([
      { id: 'ada', name: 'Ada', role: 'operator', group: 'default', incarnation: 0, onboardedAt: 0 },
    ]);
  });

  it('happens once', () => {
    const r = cluster().when(install('bo'));
    expect(r.rejection).toEqual({
      code: 'already-installed',
      message: 'gpupool is already installed: the bootstrap operator exists',
    });
  });

  it('is refused for a user id that exists', () => {
    const r = given(onboard('ada')).when(install('ada'));
    expect(r.rejection).toEqual({ code: 'already-exists', message: "user 'ada' already exists" });
  });
});

describe('the Default Pool and Default Group', () => {
  it('exist from the start, bound to each other', () => {
    const c = given();
    expect(c.state.pools.get('default')).toMatchObject({ name: 'Default Pool', gpuType: null, group: 'default' });
    expect(c.state.groups.get('default')).toEqual({ id: 'default', name: 'Default Group', pool: 'default', ...NO_LIMITS });
  });
});

describe('creating a group', () => {
  it('records a group without a pool', () => {
    const c = cluster();
    const r = c.when(createGroup('g', 'vision'));
    expect(r.bodies).toEqual([{ type: 'GroupCreated', groupId: 'g', name: 'vision' }]);
    expect(c.state.groups.get('g')).toEqual({ id: 'g', name: 'vision', pool: null, ...NO_LIMITS });
  });

  it('refuses an id that exists', () => {
    const r = cluster().given(createGroup('g', 'vision')).when(createGroup('g', 'other'));
    expect(r.rejection).toEqual({ code: 'already-exists', message: "group 'g' already exists" });
  });

  it('refuses a name another group has, the Default Group included', () => {
    const c = cluster().given(createGroup('g', 'vision'));
    expect(c.when(createGroup('h', 'vision')).rejection).toEqual({
      code: 'name-taken',
      message: "a group named 'vision' already exists",
    });
    expect(c.when(createGroup('h', 'Default Group')).rejection).toEqual({
      code: 'name-taken',
      message: "a group named 'Default Group' already exists",
    });
  });
});

describe('assigning a pool to a group', () => {
  const base = () => cluster().given(createPool('p', 'A100'), createPool('q', 'A100'), createGroup('g'), createGroup('h'));

  it('binds the pool and the group to each other', () => {
    const c = base();
    const r = c.when(assignPool('g', 'p'));
    expect(r.bodies).toEqual([{ type: 'PoolAssigned', groupId: 'g', poolId: 'p' }]);
    expect(c.state.groups.get('g')?.pool).toBe('p');
    expect(c.state.pools.get('p')?.group).toBe('g');
  });

  it('again with the same pool appends nothing', () => {
    const r = base().given(assignPool('g', 'p')).when(assignPool('g', 'p'));
    expect(r.rejection).toBeUndefined();
    expect(r.events).toEqual([]);
  });

  it('is refused when the pool already serves another group: a pool serves at most one group', () => {
    const r = base().given(assignPool('g', 'p')).when(assignPool('h', 'p'));
    expect(r.rejection).toEqual({ code: 'conflict', message: "pool 'p' already serves group 'g'" });
  });

  it('releases the pool the group had', () => {
    const c = base().given(assignPool('g', 'p'));
    c.when(assignPool('g', 'q'));
    expect(c.state.pools.get('p')?.group).toBeNull();
    expect(c.when(assignPool('h', 'p')).rejection).toBeUndefined();
  });

  it('with null leaves the group without a pool', () => {
    const c = base().given(assignPool('g', 'p'));
    const r = c.when(assignPool('g', null));
    expect(r.bodies).toEqual([{ type: 'PoolAssigned', groupId: 'g', poolId: null }]);
    expect(c.state.groups.get('g')?.pool).toBeNull();
    expect(c.state.pools.get('p')?.group).toBeNull();
  });

  it('is refused for the Default Group', () => {
    const r = base().when(assignPool('default', 'p'));
    expect(r.rejection).toEqual({ code: 'protected', message: 'the Default Group is bound to the Default Pool for good' });
  });

  it('is refused for the Default Pool', () => {
    const r = base().when(assignPool('g', 'default'));
    expect(r.rejection).toEqual({ code: 'protected', message: 'the Default Pool serves only the Default Group' });
  });

  it('is refused for an unknown group or pool', () => {
    expect(base().when(assignPool('nope', 'p')).rejection).toEqual({ code: 'not-found', message: "group 'nope' does not exist" });
    expect(base().when(assignPool('g', 'nope')).rejection).toEqual({ code: 'not-found', message: "pool 'nope' does not exist" });
  });
});

describe('deleting a group', () => {
  const base = () => cluster().nodes('n1', 4).pool('p', 'A100', { take: 4 }).team('g', 'p', 'u', 'v');

  it('moves its users to the Default Group', () => {
    const c = base();
    const r = c.when(deleteGroup('g'));
    expect(r.bodies).toEqual([{ type: 'GroupDeleted', groupId: 'g', usersMoved: ['u', 'v'] }]);
    expect(c.state.groups.has('g')).toBe(false);
    expect(c.state.users.get('u')?.group).toBe('default');
    expect(c.state.users.get('v')?.group).toBe('default');
  });

  it('frees its pool for another group', () => {
    const c = base().given(deleteGroup('g'));
    expect(c.state.pools.get('p')?.group).toBeNull();
    expect(c.given(createGroup('h')).when(assignPool('h', 'p')).rejection).toBeUndefined();
  });

  it('is refused while the group has unfinished jobs, listing them', () => {
    const c = base().given(submit('done', 1), submit('run', 3)).given(submit('wait', 4)).given(completed('done'));
    expect([c.status('run'), c.status('wait'), c.status('done')]).toEqual(['Starting', 'WaitingForGPUs', 'Complete']);
    const r = c.when(deleteGroup('g'));
    expect(r.rejection).toEqual({
      code: 'group-busy',
      message: "group 'g' has 2 unfinished jobs: run, wait",
      details: { jobs: ['run', 'wait'] },
    });
    expect(c.state.groups.has('g')).toBe(true);
  });

  it('is allowed once every job has finished', () => {
    const c = base().given(submit('run', 4)).given(submit('wait', 4)).given(stop('wait'), completed('run'));
    expect(c.when(deleteGroup('g')).types).toEqual(['GroupDeleted']);
  });

  it('counts the jobs submitted while in the group, even if their owner has moved on', () => {
    const c = base().given(submit('run', 4)).given(moveUser('u', 'default'));
    expect(c.when(deleteGroup('g')).rejection).toMatchObject({
      code: 'group-busy',
      message: "group 'g' has 1 unfinished job: run",
    });
  });

  it('is refused for the Default Group', () => {
    expect(base().when(deleteGroup('default')).rejection).toEqual({
      code: 'protected',
      message: 'the Default Group cannot be deleted',
    });
  });

  it('is refused for an unknown group', () => {
    expect(base().when(deleteGroup('nope')).rejection).toEqual({ code: 'not-found', message: "group 'nope' does not exist" });
  });
});

describe('onboarding a user', () => {
  it('puts a new user in the Default Group unless told otherwise', () => {
    const c = cluster();
    const r = c.when(onboard('u', { name: 'Bo' }));
    expect(r.bodies).toEqual([{ type: 'UserOnboarded', userId: 'u', name: 'Bo', role: 'data-scientist', groupId: 'default' }]);
    expect(c.state.users.get('u')).toEqual({
      id: 'u',
      name: 'Bo',
      role: 'data-scientist',
      group: 'default',
      incarnation: c.state.revision,
      onboardedAt: 0,
    });
  });

  it('puts the user in the group it names', () => {
    const c = cluster().given(createGroup('g'));
    c.when(onboard('u', { groupId: 'g', role: 'operator' }));
    expect(c.state.users.get('u')).toMatchObject({ role: 'operator', group: 'g' });
  });

  it('is refused for a user id that exists', () => {
    expect(cluster().when(onboard('admin')).rejection).toEqual({
      code: 'already-exists',
      message: "user 'admin' already exists",
    });
  });

  it('is refused for an unknown group', () => {
    expect(cluster().when(onboard('u', { groupId: 'nope' })).rejection).toEqual({
      code: 'not-found',
      message: "group 'nope' does not exist",
    });
  });
});

describe('moving a user', () => {
  it('moves the user to another group', () => {
    const c = cluster().given(createGroup('g'), onboard('u'));
    const r = c.when(moveUser('u', 'g'));
    expect(r.bodies).toEqual([{ type: 'UserMoved', userId: 'u', groupId: 'g' }]);
    expect(c.state.users.get('u')?.group).toBe('g');
  });

  it('to the group the user is in appends nothing', () => {
    const r = cluster().given(onboard('u')).when(moveUser('u', 'default'));
    expect(r.rejection).toBeUndefined();
    expect(r.events).toEqual([]);
  });

  it('is refused for an unknown user or group', () => {
    const c = cluster().given(onboard('u'));
    expect(c.when(moveUser('nobody', 'default')).rejection).toEqual({
      code: 'not-found',
      message: "user 'nobody' does not exist",
    });
    expect(c.when(moveUser('u', 'nope')).rejection).toEqual({ code: 'not-found', message: "group 'nope' does not exist" });
  });
});

describe('removing a user', () => {
  it('removes the user', () => {
    const c = cluster().given(onboard('u'));
    const r = c.when(removeUser('u'));
    expect(r.bodies).toEqual([{ type: 'UserRemoved', userId: 'u' }]);
    expect(c.state.users.has('u')).toBe(false);
  });

  it('is refused for the last operator, saying what to do first', () => {
    const r = cluster().given(onboard('u')).when(removeUser('admin'));
    expect(r.rejection).toEqual({
      code: 'protected',
      message: "user 'admin' is the last operator; onboard another operator first",
    });
  });

  it('allows removing an operator while another remains', () => {
    const c = cluster().given(onboard('op2', { role: 'operator' }));
    expect(c.when(removeUser('admin')).types).toEqual(['UserRemoved']);
    expect(c.when(removeUser('op2')).rejection?.code).toBe('protected');
  });

  describe('with unfinished jobs', () => {
    // n1: 4 A100 in pool 'p' serving group 'g' with users 'u' and 'v'.
    const base = () => cluster().nodes('n1', 4).pool('p', 'A100', { take: 4 }).team('g', 'p', 'u', 'v');
    /** 'done' finished, 'run' running, 'wait' waiting behind it, 'halt' stopping: all of u's. */
    const busy = () =>
      base()
        .given(submit('done', 1), submit('run', 2), submit('halt', 1))
        .given(submit('wait', 4))
        .given(completed('done'), stop('halt'));

    it('is refused, listing them, so no job waits on for a user who is gone', () => {
      const c = busy();
      expect(['done', 'run', 'halt', 'wait'].map((j) => c.status(j))).toEqual([
        'Complete',
        'Starting',
        'Stopping',
        'WaitingForGPUs',
      ]);
      const r = c.when(removeUser('u'));
      expect(r.rejection).toEqual({
        code: 'user-busy',
        message: "user 'u' has 3 unfinished jobs: run, halt, wait; stop them first, or remove with stopJobs",
        details: { jobs: ['run', 'halt', 'wait'] },
      });
      expect(c.state.users.has('u')).toBe(true);
    });

    it('is refused for a waiting job alone', () => {
      const c = base()
        .given(submit('big', 4))
        .given(submit('wait', 1, { owner: 'v' }));
      expect(c.status('wait')).toBe('WaitingForGPUs');
      expect(c.when(removeUser('v')).rejection).toMatchObject({ code: 'user-busy', details: { jobs: ['wait'] } });
    });

    it('stops them in the same command when asked: pending ones at once, running ones through the runtime', () => {
      const c = busy();
      const r = c.when(removeUser('u', { stopJobs: true }));
      expect(r.bodies).toEqual([
        { type: 'JobStopRequested', jobId: 'run' },
        { type: 'JobStopped', jobId: 'wait' },
        { type: 'UserRemoved', userId: 'u' },
      ]);
      expect(c.state.users.has('u')).toBe(false);
      expect(['run', 'halt', 'wait'].map((j) => c.status(j))).toEqual(['Stopping', 'Stopping', 'Stopped']);
      // The runtime confirms the stops; no job of the removed user starts on the freed GPUs.
      c.given(release('run'), release('halt'));
      expect(c.state.unfinishedByOwner.has('u')).toBe(false);
      expect(c.poolDevices('p').every((d) => c.holders(d).length === 0)).toBe(true);
    });

    it('is allowed once every job has finished, and counts jobs wherever their owner has moved', () => {
      const c = base().given(submit('run', 4)).given(moveUser('u', 'default'));
      expect(c.when(removeUser('u')).rejection?.code).toBe('user-busy');
      c.given(completed('run'));
      expect(c.when(removeUser('u')).types).toEqual(['UserRemoved']);
    });

    it("counts only the user's own jobs", () => {
      const c = base().given(submit('run', 2, { owner: 'v' }));
      expect(c.when(removeUser('u')).types).toEqual(['UserRemoved']);
    });
  });

  it('and onboarding the same id again makes a new incarnation of it, a later one', () => {
    const c = cluster().at(10).given(onboard('u'));
    const first = c.state.users.get('u');
    c.at(20)
      .given(removeUser('u'))
      .at(30)
      .given(onboard('u', { role: 'operator' }));
    const again = c.state.users.get('u');
    expect(first).toMatchObject({ onboardedAt: 10 });
    expect(again).toMatchObject({ role: 'operator', incarnation: c.state.revision, onboardedAt: 30 });
    expect(again?.incarnation).toBeGreaterThan(first?.incarnation ?? Number.POSITIVE_INFINITY);
  });

  it('is refused for an unknown user', () => {
    expect(cluster().when(removeUser('nobody')).rejection).toEqual({
      code: 'not-found',
      message: "user 'nobody' does not exist",
    });
  });
});

describe('an operator', () => {
  it('is also a data scientist: it can submit jobs', () => {
    const c = cluster().nodes('n1', 1);
    const r = c.when(submit('j', 1, { owner: 'admin' }));
    expect(r.types).toEqual(['JobSubmitted', 'JobAllocated']);
  });
});

describe('limits on unfinished jobs', () => {
  const team = () => cluster().nodes('n1', 4).pool('p', 'A100', { take: 4 }).team('g', 'p', 'u', 'v');
  const limit = (opts: { maxUnfinishedJobs?: number | null; maxUnfinishedJobsPerUser?: number | null }): Command => ({
    type: 'ConfigureGroup',
    groupId: 'g',
    ...opts,
  });

  it('refuses a user past the per-user limit, counting pending and running jobs, and lets them submit again once one ends', () => {
    const c = team().given(limit({ maxUnfinishedJobsPerUser: 2 }), submit('a', 4), submit('b', 4));
    const r = c.when(submit('c', 1));
    expect(r.rejection).toEqual({
      code: 'too-many-unfinished-jobs',
      message: "user 'u' has 2 unfinished jobs, the limit of group 'g' per user: wait for some to finish, or stop some",
      details: { scope: 'user', limit: 2, unfinished: 2 },
    });
    expect(c.when(submit('v1', 1, { owner: 'v' })).rejection).toBeUndefined(); // another user of the group
    c.given(completed('a'));
    expect(c.when(submit('c', 1)).rejection).toBeUndefined();
  });

  it('refuses the group past its limit, whoever submits', () => {
    const c = team().given(limit({ maxUnfinishedJobs: 2 }), submit('a', 1), submit('b', 1, { owner: 'v' }));
    expect(c.when(submit('c', 1, { owner: 'v' })).rejection).toMatchObject({
      code: 'too-many-unfinished-jobs',
      details: { scope: 'group', limit: 2, unfinished: 2 },
    });
  });

  it('applies to clones too, and is lifted with null', () => {
    const c = team().given(limit({ maxUnfinishedJobsPerUser: 1 }), submit('a', 1));
    expect(c.when(clone('a2', 'a')).rejection?.code).toBe('too-many-unfinished-jobs');
    c.given(limit({ maxUnfinishedJobsPerUser: null }));
    expect(c.when(clone('a2', 'a')).rejection).toBeUndefined();
  });

  it('is configured per group; an unchanged setting records nothing; an unknown group is not found', () => {
    const c = team();
    expect(c.when(limit({ maxUnfinishedJobs: 5 })).bodies).toEqual([
      { type: 'GroupConfigured', groupId: 'g', maxUnfinishedJobs: 5, maxUnfinishedJobsPerUser: null },
    ]);
    expect(c.when(limit({ maxUnfinishedJobs: 5 })).bodies).toEqual([]);
    expect(c.when({ type: 'ConfigureGroup', groupId: 'nope', maxUnfinishedJobs: 1 }).rejection?.code).toBe('not-found');
    expect(c.when(limit({ maxUnfinishedJobs: 0 })).rejection?.code).toBe('invalid-command');
  });
});
