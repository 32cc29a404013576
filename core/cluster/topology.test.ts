/**
 * Cluster topology (design 2, "Cluster topology"): nodes and their devices, registration and
 * reconciliation, cordon and uncordon, lost nodes.
 */
import { describe, expect, it } from 'vitest';
import { listNodes, listPools } from './queries.js';
import {
  allocate,
  cluster,
  completed,
  cordon,
  devs,
  loseNode,
  registerNode,
  started,
  submit,
  uncordon,
} from './test-support/given.js';

/** Nodes n1 and n2 (4 A100 each), all 8 GPUs in pool 'p' serving group 'g' with user 'u'. */
const twoNodes = () => cluster().nodes(['n1', 'n2'], 4, 'A100').pool('p', 'A100', { take: 8 }).team('g', 'p', 'u');

describe('registering a node', () => {
  it('onboards its devices into the Default Pool', () => {
    const c = cluster();
    const r = c.when(registerNode('n1', 2, 'A100', { name: 'gpu-1', labels: { zone: 'a' } }));
    expect(r.bodies).toEqual([
      {
        type: 'NodeRegistered',
        nodeId: 'n1',
        name: 'gpu-1',
        labels: { zone: 'a' },
        devices: [
          { index: 0, gpuType: 'A100' },
          { index: 1, gpuType: 'A100' },
        ],
      },
    ]);
    expect(c.poolDevices('default')).toEqual(['n1/0', 'n1/1']);
    expect(c.state.devices.get('n1/1')).toEqual({
      id: 'n1/1',
      node: 'n1',
      index: 1,
      gpuType: 'A100',
      pool: 'default',
      holders: [],
    });
  });

  it('names the node after its id when no name is given', () => {
    const c = cluster();
    const r = c.when(registerNode('n1', 1, 'A100'));
    expect(r.bodies[0]).toMatchObject({ type: 'NodeRegistered', name: 'n1', labels: {} });
  });

  it('gives every device the stable id <node>/<index>, in index order', () => {
    const c = cluster();
    c.when(
      registerNode('n1', [
        { index: 7, gpuType: 'A100' },
        { index: 2, gpuType: 'H100' },
      ]),
    );
    expect(c.state.nodes.get('n1')?.devices).toEqual(['n1/2', 'n1/7']);
    expect(c.state.devices.get('n1/2')?.gpuType).toBe('H100');
  });

  it('refuses a device index listed twice', () => {
    const r = cluster().when(
      registerNode('n1', [
        { index: 1, gpuType: 'A100' },
        { index: 1, gpuType: 'A100' },
      ]),
    );
    expect(r.rejection).toEqual({ code: 'invalid-argument', message: "node 'n1' lists device index 1 twice" });
    expect(r.events).toEqual([]);
  });

  it('starts a job of the Default Group that waited for GPUs', () => {
    const c = cluster()
      .nodes('n1', 2)
      .given(submit('j1', 2, { owner: 'admin' }), submit('j2', 2, { owner: 'admin' }));
    expect(c.status('j2')).toBe('WaitingForGPUs');
    const r = c.when(registerNode('n2', 2));
    expect(r.types).toEqual(['NodeRegistered', 'JobAllocated']);
    expect(c.devicesOf('j2')).toEqual(devs('n2', 0, 1));
  });
});

describe('re-registering a node reconciles its devices', () => {
  it('keeps devices that are still there in their pool and only updates name and labels', () => {
    const c = twoNodes();
    const r = c.when(registerNode('n1', 4, 'A100', { name: 'renamed', labels: { rack: '3' } }));
    expect(r.types).toEqual(['NodeRegistered']);
    expect(c.poolDevices('p')).toEqual([...devs('n1', 0, 1, 2, 3), ...devs('n2', 0, 1, 2, 3)]);
    expect(listNodes(c.state)[0]).toMatchObject({ id: 'n1', name: 'renamed', labels: { rack: '3' } });
  });

  it('keeps name and labels when the new registration omits them', () => {
    const c = cluster().given(registerNode('n1', 1, 'A100', { name: 'gpu-1', labels: { zone: 'a' } }));
    const r = c.when(registerNode('n1', 2, 'A100'));
    expect(r.bodies[0]).toMatchObject({ name: 'gpu-1', labels: { zone: 'a' } });
  });

  it('onboards new devices into the Default Pool while the old ones stay in their pool', () => {
    const c = twoNodes();
    c.when(registerNode('n1', 6, 'A100'));
    expect(c.poolDevices('default')).toEqual(devs('n1', 4, 5));
    expect(c.poolDevices('p')).toEqual([...devs('n1', 0, 1, 2, 3), ...devs('n2', 0, 1, 2, 3)]);
  });

  it('treats a vanished device as lost: the job on it fails with DeviceLost and its other devices are released', () => {
    const c = twoNodes().given(submit('j', 2));
    expect(c.devicesOf('j')).toEqual(devs('n1', 0, 1));
    const r = c.when(
      registerNode(
        'n1',
        [0, 2, 3].map((index) => ({ index, gpuType: 'A100' })),
      ),
    );
    expect(r.bodies).toEqual([
      { type: 'JobFailed', jobId: 'j', reason: 'DeviceLost', message: "device vanished when node 'n1' re-registered" },
      { type: 'DevicesLost', nodeId: 'n1', devices: ['n1/1'] },
      {
        type: 'NodeRegistered',
        nodeId: 'n1',
        name: 'n1',
        labels: {},
        devices: [0, 2, 3].map((index) => ({ index, gpuType: 'A100' })),
      },
    ]);
    expect(c.status('j')).toBe('Error');
    expect(c.job('j').failure).toEqual({ reason: 'DeviceLost', message: "device vanished when node 'n1' re-registered" });
    expect(c.holders('n1/0')).toEqual([]);
    expect(c.state.devices.has('n1/1')).toBe(false);
    expect(c.poolDevices('p')).toEqual([...devs('n1', 0, 2, 3), ...devs('n2', 0, 1, 2, 3)]);
  });

  it('treats a device whose GPU type changed as lost, and onboards the new one into the Default Pool', () => {
    const c = twoNodes();
    const specs = [0, 1, 2, 3].map((index) => ({ index, gpuType: index === 3 ? 'H100' : 'A100' }));
    const r = c.when(registerNode('n1', specs));
    expect(r.types).toEqual(['DevicesLost', 'NodeRegistered']);
    expect(r.bodies[0]).toEqual({ type: 'DevicesLost', nodeId: 'n1', devices: ['n1/3'] });
    expect(c.state.devices.get('n1/3')).toMatchObject({ gpuType: 'H100', pool: 'default', holders: [] });
    expect(c.poolDevices('p')).toEqual([...devs('n1', 0, 1, 2), ...devs('n2', 0, 1, 2, 3)]);
  });
});

describe('cordoning a node', () => {
  it('records the cordon', () => {
    const c = twoNodes();
    const r = c.when(cordon('n1'));
    expect(r.bodies).toEqual([{ type: 'NodeCordoned', nodeId: 'n1' }]);
    expect(c.state.nodes.get('n1')?.cordoned).toBe(true);
  });

  it('stops new placements on the node', () => {
    const c = twoNodes().given(cordon('n1'));
    c.given(submit('j1', 4));
    expect(c.devicesOf('j1')).toEqual(devs('n2', 0, 1, 2, 3));
    c.given(submit('j2', 1));
    expect(c.status('j2')).toBe('WaitingForGPUs');
    expect(c.job('j2').reason).toMatchObject({ code: 'not-enough-free-gpus', freeGpus: 0 });
    expect(listPools(c.state).find((p) => p.id === 'p')).toMatchObject({ total: 8, used: 4, free: 0, cordoned: 4 });
  });

  it('lets running work on the node continue', () => {
    const c = twoNodes().given(submit('j', 4)).given(started('j'));
    expect(c.devicesOf('j')).toEqual(devs('n1', 0, 1, 2, 3));
    const r = c.when(cordon('n1'));
    expect(r.types).toEqual(['NodeCordoned']);
    expect(c.status('j')).toBe('Training');
    expect(c.holders('n1/0')).toEqual(['j']);
    expect(c.when(completed('j')).types).toEqual(['JobCompleted']);
  });

  it('does not hand GPUs freed on a cordoned node to waiting jobs', () => {
    const c = twoNodes().given(submit('a', 4), submit('b', 4)).given(cordon('n1'), submit('w', 4));
    expect(c.status('w')).toBe('WaitingForGPUs');
    const r = c.when(completed('a'));
    expect(r.types).toEqual(['JobCompleted']);
    expect(c.status('w')).toBe('WaitingForGPUs');
  });

  it('twice appends nothing the second time', () => {
    const c = twoNodes().given(cordon('n1'));
    const r = c.when(cordon('n1'));
    expect(r.rejection).toBeUndefined();
    expect(r.events).toEqual([]);
  });

  it('is refused for an unknown node', () => {
    const r = twoNodes().when(cordon('n9'));
    expect(r.rejection).toEqual({ code: 'not-found', message: "node 'n9' does not exist" });
  });

  it('is refused for a lost node', () => {
    const r = twoNodes().given(loseNode('n1')).when(cordon('n1'));
    expect(r.rejection).toEqual({ code: 'invalid-transition', message: "node 'n1' is lost; register it again first" });
  });
});

describe('uncordoning a node', () => {
  it('makes its GPUs placeable again and starts the jobs that waited for them', () => {
    const c = cluster().nodes('n1', 4).pool('p', 'A100', { take: 4 }).team('g', 'p', 'u').given(cordon('n1'), submit('j', 2));
    expect(c.status('j')).toBe('WaitingForGPUs');
    const r = c.when(uncordon('n1'));
    expect(r.bodies).toEqual([
      { type: 'NodeUncordoned', nodeId: 'n1' },
      { type: 'JobAllocated', jobId: 'j', poolId: 'p', devices: devs('n1', 0, 1), shared: [], nodes: ['n1'] },
    ]);
  });

  it('appends nothing for a node that is not cordoned', () => {
    const r = twoNodes().when(uncordon('n1'));
    expect(r.rejection).toBeUndefined();
    expect(r.events).toEqual([]);
  });

  it('is refused for a lost node', () => {
    const r = twoNodes().given(cordon('n1'), loseNode('n1')).when(uncordon('n1'));
    expect(r.rejection).toEqual({ code: 'invalid-transition', message: "node 'n1' is lost; register it again first" });
  });

  it('is refused for an unknown node', () => {
    expect(twoNodes().when(uncordon('n9')).rejection).toEqual({ code: 'not-found', message: "node 'n9' does not exist" });
  });
});

describe('losing a node', () => {
  /** j: 2 workers x 2 on n1 and n2; k: 2 GPUs on n1; m: 2 GPUs on n2. */
  const busy = () => {
    const c = twoNodes().given(submit('j', 4, { workers: 2 }), submit('k', 2), submit('m', 2));
    expect([c.devicesOf('j'), c.devicesOf('k'), c.devicesOf('m')]).toEqual([
      [...devs('n1', 0, 1), ...devs('n2', 0, 1)],
      devs('n1', 2, 3),
      devs('n2', 2, 3),
    ]);
    return c;
  };

  it('fails every job using one of its devices with reason NodeLost, in submission order', () => {
    const c = busy();
    const r = c.when(loseNode('n1'));
    expect(r.bodies).toEqual([
      { type: 'JobFailed', jobId: 'j', reason: 'NodeLost', message: "node 'n1' was lost" },
      { type: 'JobFailed', jobId: 'k', reason: 'NodeLost', message: "node 'n1' was lost" },
      { type: 'NodeLost', nodeId: 'n1' },
    ]);
    expect([c.status('j'), c.status('k'), c.status('m')]).toEqual(['Error', 'Error', 'Starting']);
    expect(c.job('j').failure).toEqual({ reason: 'NodeLost', message: "node 'n1' was lost" });
  });

  it('releases the other devices of the jobs it fails', () => {
    const c = busy();
    c.when(loseNode('n1'));
    expect(c.holders('n2/0')).toEqual([]);
    expect(c.holders('n2/1')).toEqual([]);
    expect(c.holders('n2/2')).toEqual(['m']);
  });

  it('fails a job that is stopping on it too', () => {
    const c = busy().given(started('k')).given({ type: 'StopJob', jobId: 'k' });
    expect(c.status('k')).toBe('Stopping');
    c.when(loseNode('n1'));
    expect(c.status('k')).toBe('Error');
  });

  it('takes its devices out of every pool, so the pools sum to the devices left', () => {
    const c = busy();
    c.when(loseNode('n1'));
    expect(c.poolDevices('p')).toEqual(devs('n2', 0, 1, 2, 3));
    expect(c.state.nodes.get('n1')).toMatchObject({ lost: true, devices: [] });
    const pools = listPools(c.state);
    expect(pools.map((p) => [p.id, p.total])).toEqual([
      ['default', 0],
      ['p', 4],
    ]);
    expect(c.state.devices.size).toBe(4);
  });

  it('hands the devices it released to waiting jobs', () => {
    const c = busy().given(submit('w', 2));
    expect(c.status('w')).toBe('WaitingForGPUs');
    const r = c.when(loseNode('n1'));
    expect(r.types).toEqual(['JobFailed', 'JobFailed', 'NodeLost', 'JobAllocated']);
    expect(c.devicesOf('w')).toEqual(devs('n2', 0, 1));
  });

  it('twice appends nothing the second time', () => {
    const c = busy().given(loseNode('n1'));
    const r = c.when(loseNode('n1'));
    expect(r.rejection).toBeUndefined();
    expect(r.events).toEqual([]);
  });

  it('is refused for an unknown node', () => {
    expect(twoNodes().when(loseNode('n9')).rejection).toEqual({ code: 'not-found', message: "node 'n9' does not exist" });
  });
});

describe('a lost node that registers again', () => {
  it('comes back uncordoned with its devices in the Default Pool', () => {
    const c = twoNodes().given(cordon('n1'), loseNode('n1'));
    const r = c.when(registerNode('n1', 4, 'A100'));
    expect(r.types).toEqual(['NodeRegistered']);
    expect(c.state.nodes.get('n1')).toMatchObject({ lost: false, cordoned: false, devices: devs('n1', 0, 1, 2, 3) });
    expect(c.poolDevices('default')).toEqual(devs('n1', 0, 1, 2, 3));
    expect(c.poolDevices('p')).toEqual(devs('n2', 0, 1, 2, 3));
  });

  it('can be allocated into a pool again', () => {
    const c = twoNodes()
      .given(loseNode('n1'))
      .given(registerNode('n1', 4, 'A100'));
    const r = c.when(allocate('p', 4));
    expect(r.rejection).toBeUndefined();
    expect(c.poolDevices('p')).toHaveLength(8);
  });

  it('keeps the failed jobs failed', () => {
    const c = twoNodes()
      .given(submit('j', 4))
      .given(loseNode('n1'))
      .given(registerNode('n1', 4, 'A100'));
    expect(c.status('j')).toBe('Error');
    expect(c.holders('n1/0')).toEqual([]);
  });
});

describe('nodes of several GPU types', () => {
  it('keep each device type in the Default Pool', () => {
    const c = cluster().given(
      registerNode('m1', [
        { index: 0, gpuType: 'A100' },
        { index: 1, gpuType: 'H100' },
      ]),
    );
    expect(listPools(c.state)[0]).toMatchObject({ id: 'default', total: 2, byType: { A100: 1, H100: 1 } });
  });
});
