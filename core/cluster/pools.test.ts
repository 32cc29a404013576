/**
 * Pools (design 2, "Pools"): one GPU type each, unique names, AllocateGPUs and MovePoolDevices,
 * busy devices that move, deletion, the Default Pool, and the sum invariant.
 */
import { describe, expect, it } from 'vitest';
import { explainJob, listPools, poolUsage } from './queries.js';
import {
  allocate,
  cluster,
  completed,
  configurePool,
  createPool,
  deletePool,
  devs,
  moveDevices,
  registerNode,
  submit,
} from './test-support/given.js';

const moves = (from: string, ids: string[]) => ids.map((id) => ({ id, from }));

describe('creating a pool', () => {
  it('records its one GPU type and the default settings: fifo, node placement, no maximum wait', () => {
    const c = cluster();
    const r = c.when(createPool('p', 'A100'));
    expect(r.bodies).toEqual([
      { type: 'PoolCreated', poolId: 'p', name: 'p', gpuType: 'A100', policy: 'fifo', placement: 'node', maxWaitSeconds: null },
    ]);
    expect(c.state.pools.get('p')).toEqual({
      id: 'p',
      name: 'p',
      gpuType: 'A100',
      policy: 'fifo',
      placement: 'node',
      maxWaitSeconds: null,
      group: null,
    });
  });

  it('records the settings it is given', () => {
    const r = cluster().when(
      createPool('p', 'A100', { name: 'vision', policy: 'backfill', placement: 'count', maxWaitSeconds: 600 }),
    );
    expect(r.bodies[0]).toMatchObject({ name: 'vision', policy: 'backfill', placement: 'count', maxWaitSeconds: 600 });
  });

  it('starts empty', () => {
    const c = cluster().nodes('n1', 4).given(createPool('p', 'A100'));
    expect(poolUsage(c.state, 'p')).toMatchObject({ total: 0, free: 0, used: 0 });
  });

  it('refuses an id that exists', () => {
    const r = cluster()
      .given(createPool('p', 'A100'))
      .when(createPool('p', 'H100', { name: 'other' }));
    expect(r.rejection).toEqual({ code: 'already-exists', message: "pool 'p' already exists" });
  });

  it('refuses a name another pool has', () => {
    const r = cluster()
      .given(createPool('p', 'A100', { name: 'vision' }))
      .when(createPool('q', 'A100', { name: 'vision' }));
    expect(r.rejection).toEqual({ code: 'name-taken', message: "a pool named 'vision' already exists" });
  });

  it("refuses the Default Pool's name", () => {
    const r = cluster().when(createPool('q', 'A100', { name: 'Default Pool' }));
    expect(r.rejection).toEqual({ code: 'name-taken', message: "a pool named 'Default Pool' already exists" });
  });
});

describe('AllocateGPUs by count', () => {
  it('moves devices from the Default Pool, preferring whole nodes', () => {
    // n1: 4, n2: 2, n3: 4. Six GPUs are exactly n1 and n2 whole, rather than n1 and half of n3.
    const c = cluster().given(registerNode('n1', 4), registerNode('n2', 2), registerNode('n3', 4), createPool('p', 'A100'));
    const r = c.when(allocate('p', 6));
    expect(r.bodies).toEqual([
      { type: 'DevicesMoved', toPoolId: 'p', devices: moves('default', [...devs('n1', 0, 1, 2, 3), ...devs('n2', 0, 1)]) },
    ]);
    expect(c.poolDevices('default')).toEqual(devs('n3', 0, 1, 2, 3));
  });

  it('takes a remainder that fills no whole node from the smallest node that holds it', () => {
    const c = cluster().given(registerNode('n1', 4), registerNode('n2', 2), registerNode('n3', 4), createPool('p', 'A100'));
    c.when(allocate('p', 5));
    expect(c.poolDevices('p')).toEqual([...devs('n1', 0, 1, 2, 3), 'n2/0']);
  });

  it('chooses the same devices whatever order the nodes registered in', () => {
    const a = cluster().given(registerNode('n1', 4), registerNode('n2', 4), registerNode('n3', 4), createPool('p', 'A100'));
    const b = cluster().given(registerNode('n3', 4), registerNode('n2', 4), registerNode('n1', 4), createPool('p', 'A100'));
    a.when(allocate('p', 6));
    b.when(allocate('p', 6));
    expect(a.poolDevices('p')).toEqual([...devs('n1', 0, 1, 2, 3), ...devs('n2', 0, 1)]);
    expect(b.poolDevices('p')).toEqual(a.poolDevices('p'));
  });

  it('prefers nodes whose devices are idle, and idle devices on a partly busy node', () => {
    const c = cluster()
      .nodes(['n1', 'n2'], 4)
      .given(submit('j', 1, { owner: 'admin' }), createPool('p', 'A100'));
    expect(c.devicesOf('j')).toEqual(['n1/0']);
    c.when(allocate('p', 6));
    expect(c.poolDevices('p')).toEqual([...devs('n1', 1, 2), ...devs('n2', 0, 1, 2, 3)]);
  });

  it('takes idle devices rather than a whole node whose devices are busy', () => {
    // Best-fit places the job on n2, the node it fills: n2 is busy, n1 idle.
    const c = cluster().given(registerNode('n1', 8), registerNode('n2', 2));
    c.given(submit('j', 2, { owner: 'admin' }), createPool('p', 'A100'));
    expect(c.devicesOf('j')).toEqual(devs('n2', 0, 1));
    const r = c.when(allocate('p', 2));
    expect(r.bodies).toEqual([{ type: 'DevicesMoved', toPoolId: 'p', devices: moves('default', devs('n1', 0, 1)) }]);
    expect(poolUsage(c.state, 'p')).toMatchObject({ total: 2, free: 2, used: 0 });
  });

  it('takes the idle remainder from the node whose idle devices fit it most tightly', () => {
    // n1: 4 idle (too many to take whole); n2: 1 busy, 3 idle; n3: 2 busy, 2 idle.
    // The jobs run in pool 't' on the devices they are to keep busy; the devices then go back.
    const busy = [...devs('n2', 0), ...devs('n3', 0, 1)];
    const c = cluster().given(registerNode('n1', 4), registerNode('n2', 4), registerNode('n3', 4));
    c.pool('t', 'A100', { take: busy }).team('g', 't', 'u').given(submit('a', 1), submit('b', 2));
    c.given(moveDevices('default', busy), createPool('p', 'A100'));
    expect([c.holders('n2/0'), c.holders('n3/0'), c.holders('n3/1')]).toEqual([['a'], ['b'], ['b']]);
    c.when(allocate('p', 2));
    expect(c.poolDevices('p')).toEqual(devs('n3', 2, 3));
  });

  it('takes busy devices only when no idle device of the type is left, fewest holders first', () => {
    const c = cluster()
      .nodes('n1', 4)
      .given(submit('j', 2, { owner: 'admin' }), createPool('p', 'A100'));
    expect(c.devicesOf('j')).toEqual(devs('n1', 0, 1));
    c.when(allocate('p', 3));
    expect(c.poolDevices('p')).toEqual(devs('n1', 0, 2, 3));
  });

  it('counts only devices of the pool type', () => {
    const c = cluster().given(registerNode('a', 4, 'A100'), registerNode('h', 4, 'H100'), createPool('p', 'H100'));
    c.when(allocate('p', 4));
    expect(c.poolDevices('p')).toEqual(devs('h', 0, 1, 2, 3));
  });

  it('is refused when the Default Pool has too few devices of the type, saying how many it has', () => {
    const c = cluster().given(registerNode('a', 4, 'A100'), registerNode('h', 4, 'H100'), createPool('p', 'A100'));
    const r = c.when(allocate('p', 5));
    expect(r.rejection).toEqual({
      code: 'not-enough-devices',
      message: 'the Default Pool has 4 A100 GPUs; cannot allocate 5',
      details: { available: 4 },
    });
  });

  it('does not take devices other pools hold', () => {
    const c = cluster().nodes('n1', 4).pool('p', 'A100', { take: 3 }).given(createPool('q', 'A100'));
    const r = c.when(allocate('q', 2));
    expect(r.rejection).toMatchObject({
      code: 'not-enough-devices',
      message: 'the Default Pool has 1 A100 GPU; cannot allocate 2',
    });
  });
});

describe('AllocateGPUs by ids', () => {
  const base = () =>
    cluster().given(
      registerNode('n1', 4, 'A100'),
      registerNode('h1', 2, 'H100'),
      createPool('p', 'A100'),
      createPool('q', 'A100'),
    );

  it('moves exactly the named devices', () => {
    const c = base();
    const r = c.when(allocate('p', ['n1/2', 'n1/0']));
    expect(r.bodies).toEqual([{ type: 'DevicesMoved', toPoolId: 'p', devices: moves('default', ['n1/2', 'n1/0']) }]);
    expect(c.poolDevices('p')).toEqual(['n1/0', 'n1/2']);
  });

  it('is refused for a device of another type', () => {
    const r = base().when(allocate('p', ['n1/0', 'h1/1']));
    expect(r.rejection).toEqual({ code: 'gpu-type-mismatch', message: "device 'h1/1' is H100; pool 'p' holds A100" });
  });

  it('is refused for a device that is not in the Default Pool', () => {
    const r = base()
      .given(allocate('q', ['n1/1']))
      .when(allocate('p', ['n1/1']));
    expect(r.rejection).toEqual({ code: 'invalid-argument', message: "device 'n1/1' is in pool 'q', not the Default Pool" });
  });

  it('is refused for an unknown device', () => {
    const r = base().when(allocate('p', ['n9/0']));
    expect(r.rejection).toEqual({ code: 'not-found', message: "device 'n9/0' does not exist (or its node is lost)" });
  });

  it('is refused for a device named twice', () => {
    const r = base().when(allocate('p', ['n1/0', 'n1/0']));
    expect(r.rejection).toEqual({ code: 'invalid-argument', message: "AllocateGPUs.devices names device 'n1/0' twice" });
  });

  it('is refused for an empty list', () => {
    const r = base().when(allocate('p', []));
    expect(r.rejection).toEqual({ code: 'invalid-argument', message: 'AllocateGPUs.devices is empty: name at least one device' });
  });
});

describe('AllocateGPUs refusals', () => {
  it('needs exactly one of count or devices', () => {
    const c = cluster().nodes('n1', 4).given(createPool('p', 'A100'));
    const both = c.when({ type: 'AllocateGPUs', poolId: 'p', count: 1, devices: ['n1/0'] });
    const neither = c.when({ type: 'AllocateGPUs', poolId: 'p' });
    const expected = { code: 'invalid-argument', message: 'AllocateGPUs takes exactly one of count or devices' };
    expect(both.rejection).toEqual(expected);
    expect(neither.rejection).toEqual(expected);
  });

  it('is refused into the Default Pool', () => {
    const r = cluster().nodes('n1', 4).when(allocate('default', 1));
    expect(r.rejection).toEqual({
      code: 'invalid-argument',
      message: 'GPUs are allocated from the Default Pool into another pool, not into it',
    });
  });

  it('is refused for an unknown pool', () => {
    const r = cluster().nodes('n1', 4).when(allocate('nope', 1));
    expect(r.rejection).toEqual({ code: 'not-found', message: "pool 'nope' does not exist" });
  });
});

describe('MovePoolDevices', () => {
  const base = () =>
    cluster()
      .given(registerNode('n1', 4, 'A100'), registerNode('h1', 2, 'H100'))
      .pool('p', 'A100', { take: ['n1/0', 'n1/1'] })
      .pool('q', 'A100')
      .pool('h', 'H100');

  it('moves devices from any pool to any pool', () => {
    const c = base();
    const r = c.when(moveDevices('q', ['n1/1', 'n1/2']));
    expect(r.bodies).toEqual([
      {
        type: 'DevicesMoved',
        toPoolId: 'q',
        devices: [
          { id: 'n1/1', from: 'p' },
          { id: 'n1/2', from: 'default' },
        ],
      },
    ]);
    expect(c.poolDevices('q')).toEqual(['n1/1', 'n1/2']);
    expect(c.poolDevices('p')).toEqual(['n1/0']);
  });

  it('moves devices of any type into the Default Pool', () => {
    const c = base().given(allocate('h', ['h1/0']));
    c.when(moveDevices('default', ['h1/0', 'n1/0']));
    expect(c.poolDevices('default')).toEqual(['h1/0', 'h1/1', 'n1/0', 'n1/2', 'n1/3']);
  });

  it('is refused into a pool of another type', () => {
    const r = base().when(moveDevices('h', ['n1/0']));
    expect(r.rejection).toEqual({ code: 'gpu-type-mismatch', message: "device 'n1/0' is A100; pool 'h' holds only H100" });
  });

  it('checks the source pool when one is named', () => {
    const r = base().when(moveDevices('q', ['n1/0', 'n1/3'], 'p'));
    expect(r.rejection).toEqual({ code: 'invalid-argument', message: "device 'n1/3' is in pool 'default', not 'p'" });
  });

  it('is refused for a device already in the target pool', () => {
    const r = base().when(moveDevices('p', ['n1/0']));
    expect(r.rejection).toEqual({ code: 'invalid-argument', message: "device 'n1/0' is already in pool 'p'" });
  });

  it('is refused for an unknown target or source pool', () => {
    expect(base().when(moveDevices('nope', ['n1/0'])).rejection).toEqual({
      code: 'not-found',
      message: "pool 'nope' does not exist",
    });
    expect(base().when(moveDevices('q', ['n1/0'], 'nope')).rejection).toEqual({
      code: 'not-found',
      message: "pool 'nope' does not exist",
    });
  });

  it('is refused for an unknown device, a device named twice, or no device', () => {
    expect(base().when(moveDevices('q', ['x/0'])).rejection?.code).toBe('not-found');
    expect(base().when(moveDevices('q', ['n1/0', 'n1/0'])).rejection).toEqual({
      code: 'invalid-argument',
      message: "MovePoolDevices.devices names device 'n1/0' twice",
    });
    expect(base().when(moveDevices('q', [])).rejection).toEqual({
      code: 'invalid-argument',
      message: 'MovePoolDevices.devices is empty: name at least one device',
    });
  });

  it('moves nothing when one device of the list is refused', () => {
    const c = base();
    c.when(moveDevices('q', ['n1/2', 'h1/0']));
    expect(c.poolDevices('q')).toEqual([]);
  });
});

describe('a busy device that moves', () => {
  /** n1 (2 A100) in pool p of group g (user u); pool q, empty, serves group h (user v). */
  const base = () =>
    cluster().nodes('n1', 2).pool('p', 'A100', { take: 2 }).pool('q', 'A100').team('g', 'p', 'u').team('h', 'q', 'v');

  it('keeps serving the job that holds it', () => {
    const c = base().given(submit('j', 2));
    const r = c.when(moveDevices('q', devs('n1', 0, 1)));
    expect(r.types).toEqual(['DevicesMoved']);
    expect(c.status('j')).toBe('Starting');
    expect(c.holders('n1/0')).toEqual(['j']);
    expect(c.job('j').allocation).toMatchObject({ pool: 'p', devices: devs('n1', 0, 1) });
  });

  it('counts for its new pool, busy, from the move on', () => {
    const c = base()
      .given(submit('j', 2))
      .given(moveDevices('q', devs('n1', 0, 1)));
    expect(poolUsage(c.state, 'q')).toMatchObject({ total: 2, used: 2, free: 0 });
    expect(poolUsage(c.state, 'p')).toMatchObject({ total: 0, used: 0, free: 0 });
  });

  it("serves the new pool's jobs once released, not the old pool's", () => {
    const c = base()
      .given(submit('j', 2))
      .given(moveDevices('q', devs('n1', 0, 1)));
    c.given(submit('k', 2, { owner: 'v' }));
    expect(c.status('k')).toBe('WaitingForGPUs');
    const r = c.when(completed('j'));
    expect(r.bodies).toEqual([
      { type: 'JobCompleted', jobId: 'j' },
      { type: 'JobAllocated', jobId: 'k', poolId: 'q', devices: devs('n1', 0, 1), shared: [], nodes: ['n1'] },
    ]);
  });

  it('leaves the old pool without them: a job there can no longer fit', () => {
    const c = base()
      .given(submit('j', 2))
      .given(moveDevices('q', devs('n1', 0, 1)));
    const r = c.when(submit('x', 1));
    expect(r.rejection).toEqual({ code: 'never-fits', message: "pool 'p' has no A100 GPUs", details: { pool: 'p' } });
  });
});

describe('devices that arrive in a pool', () => {
  it('start the jobs waiting in it', () => {
    const c = cluster()
      .nodes(['n1', 'n2'], 4)
      .pool('p', 'A100', { take: ['n1/0', 'n1/1'] })
      .team('g', 'p', 'u');
    c.given(submit('a', 2)).given(submit('w', 2));
    expect(c.status('w')).toBe('WaitingForGPUs');
    const r = c.when(allocate('p', ['n2/0', 'n2/1']));
    expect(r.bodies[1]).toEqual({
      type: 'JobAllocated',
      jobId: 'w',
      poolId: 'p',
      devices: devs('n2', 0, 1),
      shared: [],
      nodes: ['n2'],
    });
  });
});

describe('deleting a pool', () => {
  it('returns its devices to the Default Pool', () => {
    const c = cluster().nodes('n1', 4).pool('p', 'A100', { take: 3 });
    const r = c.when(deletePool('p'));
    expect(r.bodies).toEqual([
      { type: 'DevicesMoved', toPoolId: 'default', devices: moves('p', devs('n1', 0, 1, 2)) },
      { type: 'PoolDeleted', poolId: 'p' },
    ]);
    expect(c.state.pools.has('p')).toBe(false);
    expect(c.poolDevices('default')).toEqual(devs('n1', 0, 1, 2, 3));
  });

  it('of an empty pool only records the deletion', () => {
    const r = cluster().given(createPool('p', 'A100')).when(deletePool('p'));
    expect(r.bodies).toEqual([{ type: 'PoolDeleted', poolId: 'p' }]);
  });

  it('leaves the group it served without a pool', () => {
    const c = cluster().nodes('n1', 4).pool('p', 'A100', { take: 4 }).team('g', 'p', 'u');
    c.when(deletePool('p'));
    expect(c.state.groups.get('g')?.pool).toBeNull();
  });

  it("leaves its group's waiting jobs waiting with reason no-pool", () => {
    const c = cluster()
      .nodes('n1', 4)
      .pool('p', 'A100', { take: 4 })
      .team('g', 'p', 'u')
      .given(submit('a', 4))
      .given(submit('w', 2));
    c.when(deletePool('p'));
    expect(c.status('w')).toBe('WaitingForGPUs');
    expect(explainJob(c.state, 'w')?.code).toBe('no-pool');
    expect(c.status('a')).toBe('Starting');
    expect(c.holders('n1/0')).toEqual(['a']);
  });

  it('frees its name for a new pool', () => {
    const c = cluster().given(createPool('p', 'A100')).given(deletePool('p'));
    expect(c.when(createPool('p', 'H100')).rejection).toBeUndefined();
  });

  it('is refused for the Default Pool', () => {
    const r = cluster().when(deletePool('default'));
    expect(r.rejection).toEqual({ code: 'protected', message: 'the Default Pool cannot be deleted' });
  });

  it('is refused for an unknown pool', () => {
    expect(cluster().when(deletePool('nope')).rejection).toEqual({ code: 'not-found', message: "pool 'nope' does not exist" });
  });
});

describe('the pools together', () => {
  it('always hold every device of the cluster exactly once', () => {
    const c = cluster()
      .given(registerNode('n1', 4, 'A100'), registerNode('n2', 4, 'A100'), registerNode('h1', 2, 'H100'))
      .pool('p', 'A100', { take: 5 })
      .pool('h', 'H100', { take: 1 })
      .given(moveDevices('h', ['h1/1']), moveDevices('default', ['n1/0']))
      .given(createPool('q', 'A100'), moveDevices('q', ['n2/3']));
    const totals = Object.fromEntries(listPools(c.state).map((p) => [p.id, p.total]));
    expect(totals).toEqual({ default: 3, h: 2, p: 4, q: 1 });
    expect(Object.values(totals).reduce((a, b) => a + b, 0)).toBe(c.state.devices.size);
  });
});

describe('configuring a pool', () => {
  it('changes only the settings it names', () => {
    const c = cluster().given(createPool('p', 'A100', { policy: 'sjf', maxWaitSeconds: 60 }));
    const r = c.when(configurePool('p', { placement: 'count' }));
    expect(r.bodies).toEqual([{ type: 'PoolConfigured', poolId: 'p', policy: 'sjf', placement: 'count', maxWaitSeconds: 60 }]);
    expect(c.state.pools.get('p')).toMatchObject({ policy: 'sjf', placement: 'count', maxWaitSeconds: 60 });
  });

  it('clears the maximum wait with null', () => {
    const c = cluster().given(createPool('p', 'A100', { maxWaitSeconds: 60 }));
    c.when(configurePool('p', { maxWaitSeconds: null }));
    expect(c.state.pools.get('p')?.maxWaitSeconds).toBeNull();
  });

  it('applies to the Default Pool too', () => {
    const c = cluster();
    c.when(configurePool('default', { policy: 'first-fit' }));
    expect(c.state.pools.get('default')?.policy).toBe('first-fit');
  });

  it('schedules again under the new policy', () => {
    // fifo blocks the 1-GPU job behind the 4-GPU head; first-fit starts it.
    const c = cluster().nodes('n1', 4).pool('p', 'A100', { take: 4 }).team('g', 'p', 'u');
    c.given(submit('r', 2)).given(submit('head', 4), submit('small', 1));
    expect(c.job('small').reason?.code).toBe('blocked-behind-head');
    const r = c.when(configurePool('p', { policy: 'first-fit' }));
    expect(r.types).toEqual(['PoolConfigured', 'JobAllocated']);
    expect(c.status('small')).toBe('Starting');
    expect(c.status('head')).toBe('WaitingForGPUs');
  });

  it('is refused for an unknown pool', () => {
    expect(cluster().when(configurePool('nope', {})).rejection).toEqual({
      code: 'not-found',
      message: "pool 'nope' does not exist",
    });
  });
});
