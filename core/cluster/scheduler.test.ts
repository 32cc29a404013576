/**
 * Scheduling (design 2, "Scheduling"): the policies, candidate order, maximum wait, placement
 * (gang best-fit, count, immediate sharing), one pass per batch, and the structured reasons of
 * waiting jobs.
 */
import { describe, expect, it } from 'vitest';
import type { Policy, WaitReason } from './model.js';
import { explainJob, groupQueue, poolQueue, poolUsage } from './queries.js';
import { cluster, completed, cordon, devs, moveDevices, registerNode, submit } from './test-support/given.js';

/** One node n1 of 4 A100 in pool 'p' (policy as given) serving group 'g' with user 'u'. */
const oneNode = (policy: Policy = 'fifo', maxWaitSeconds?: number) =>
  cluster()
    .nodes('n1', 4)
    .pool('p', 'A100', { take: 4, policy, ...(maxWaitSeconds === undefined ? {} : { maxWaitSeconds }) })
    .team('g', 'p', 'u');
/** Nodes n1, n2 (4 A100 each) in pool 'p'. */
const twoNodes = (policy: Policy = 'fifo') =>
  cluster().nodes(['n1', 'n2'], 4).pool('p', 'A100', { take: 8, policy }).team('g', 'p', 'u');
/** Nodes n1, n2 (4 each) and n3 (2) in pool 'p'. */
const threeNodes = () =>
  cluster()
    .given(registerNode('n1', 4), registerNode('n2', 4), registerNode('n3', 2))
    .pool('p', 'A100', { take: 10 })
    .team('g', 'p', 'u');

const allocated = (jobId: string, devices: string[], nodes: string[], shared: string[] = []) => ({
  type: 'JobAllocated',
  jobId,
  poolId: 'p',
  devices,
  shared,
  nodes,
});
const code = (c: ReturnType<typeof oneNode>, id: string) => c.job(id).reason?.code;

describe('the policy of a pool', () => {
  it('reorders the waiting queue when it changes', () => {
    const c = oneNode()
      .given(submit('r', 4))
      .given(submit('long', 4, { expectedDuration: 100 }), submit('short', 4, { expectedDuration: 10 }));
    expect(poolQueue(c.state, 'p')?.map((q) => q.job.id)).toEqual(['long', 'short']);
    c.given({ type: 'ConfigurePool', poolId: 'p', policy: 'sjf' });
    expect(poolQueue(c.state, 'p')?.map((q) => q.job.id)).toEqual(['short', 'long']);
  });

  it("of the pool a group is given applies to the group's waiting jobs", () => {
    const c = cluster()
      .nodes('n1', 4)
      .pool('p', 'A100', { take: 4, policy: 'sjf' })
      .team('g', null, 'u')
      .given(submit('long', 4, { expectedDuration: 100 }), submit('short', 4, { expectedDuration: 10 }));
    const r = c.when({ type: 'AssignPool', groupId: 'g', poolId: 'p' });
    expect(r.bodies[1]).toMatchObject({ type: 'JobAllocated', jobId: 'short' });
  });
});

describe('fifo', () => {
  it('starts jobs in submission order while they fit', () => {
    const c = oneNode();
    const r = c.when(submit('a', 2), submit('b', 1), submit('c', 1));
    expect(r.bodies.slice(3)).toEqual([
      allocated('a', devs('n1', 0, 1), ['n1']),
      allocated('b', ['n1/2'], ['n1']),
      allocated('c', ['n1/3'], ['n1']),
    ]);
  });

  it('stops at the first job that does not fit: strict head-of-line blocking', () => {
    const c = oneNode().given(submit('r', 2));
    c.when(submit('head', 4), submit('small', 1));
    expect([c.status('head'), c.status('small')]).toEqual(['WaitingForGPUs', 'WaitingForGPUs']);
    expect(code(c, 'head')).toBe('not-enough-free-gpus');
    expect(code(c, 'small')).toBe('blocked-behind-head');
  });

  it('starts the head once GPUs are released, and the next only when it fits', () => {
    const c = oneNode().given(submit('r', 2)).given(submit('head', 4), submit('small', 1));
    const r = c.when(completed('r'));
    expect(r.bodies).toEqual([{ type: 'JobCompleted', jobId: 'r' }, allocated('head', devs('n1', 0, 1, 2, 3), ['n1'])]);
    expect(c.status('small')).toBe('WaitingForGPUs');
  });

  it('is the default policy', () => {
    expect(cluster().given({ type: 'CreatePool', poolId: 'p', name: 'p', gpuType: 'A100' }).state.pools.get('p')?.policy).toBe(
      'fifo',
    );
  });
});

describe('sjf', () => {
  it('orders the queue by expected duration, jobs without one last', () => {
    const c = oneNode('sjf').given(submit('r', 4));
    c.when(
      submit('long', 4, { expectedDuration: 100 }),
      submit('none', 4),
      submit('short', 4, { expectedDuration: 10 }),
      submit('mid', 4, { expectedDuration: 50 }),
    );
    expect(poolQueue(c.state, 'p')?.map((q) => q.job.id)).toEqual(['short', 'mid', 'long', 'none']);
  });

  it('puts priority before expected duration', () => {
    const c = oneNode('sjf').given(submit('r', 4));
    c.when(submit('short', 4, { expectedDuration: 10 }), submit('urgent', 4, { expectedDuration: 500, priority: 2 }));
    expect(poolQueue(c.state, 'p')?.map((q) => q.job.id)).toEqual(['urgent', 'short']);
  });

  it('starts the shortest waiting job when GPUs are released', () => {
    const c = oneNode('sjf')
      .given(submit('r', 4))
      .given(submit('long', 4, { expectedDuration: 100 }), submit('short', 4, { expectedDuration: 10 }));
    const r = c.when(completed('r'));
    expect(r.bodies).toEqual([{ type: 'JobCompleted', jobId: 'r' }, allocated('short', devs('n1', 0, 1, 2, 3), ['n1'])]);
  });

  it('is strict like fifo: a job behind a blocked head waits', () => {
    const c = oneNode('sjf').given(submit('r', 2));
    c.when(submit('head', 4, { expectedDuration: 10 }), submit('small', 1, { expectedDuration: 20 }));
    expect(code(c, 'small')).toBe('blocked-behind-head');
  });
});

describe('first-fit', () => {
  it('starts every job that fits, in order, skipping those that do not', () => {
    const c = oneNode('first-fit').given(submit('r', 2));
    const r = c.when(submit('big', 4), submit('small', 1), submit('mid', 2), submit('tiny', 1));
    expect(r.bodies.filter((e) => e.type === 'JobAllocated')).toEqual([
      allocated('small', ['n1/2'], ['n1']),
      allocated('tiny', ['n1/3'], ['n1']),
    ]);
    expect([c.status('big'), c.status('mid')]).toEqual(['WaitingForGPUs', 'WaitingForGPUs']);
    expect(code(c, 'mid')).toBe('not-enough-free-gpus');
  });
});

describe('backfill', () => {
  // y holds n1/0..2 until t=100 (expected), so the 4-GPU head can start at t=100 at the earliest.
  const blockedHead = () =>
    oneNode('backfill')
      .given(submit('y', 3, { expectedDuration: 100 }))
      .at(10);

  it('lets a job jump the head when it ends before the head could start', () => {
    const c = blockedHead();
    const r = c.when(submit('head', 4), submit('short', 1, { expectedDuration: 50 }));
    expect(r.bodies.filter((e) => e.type === 'JobAllocated')).toEqual([allocated('short', ['n1/3'], ['n1'])]);
    expect(c.status('head')).toBe('WaitingForGPUs');
  });

  it('holds back a job that would run past the head start on the capacity the head needs', () => {
    const c = blockedHead();
    c.when(submit('head', 4), submit('long', 1, { expectedDuration: 150 }), submit('unknown', 1));
    expect([c.status('long'), c.status('unknown')]).toEqual(['WaitingForGPUs', 'WaitingForGPUs']);
    expect(code(c, 'long')).toBe('blocked-behind-head');
  });

  // a: 4 GPUs, y holds a/0..2 until t=100; b: 2 GPUs, idle. The head needs all of a at t=100.
  const twoShapes = () =>
    cluster()
      .given(registerNode('a', 4), registerNode('b', 2))
      .pool('p', 'A100', { take: 6, policy: 'backfill' })
      .team('g', 'p', 'u')
      .given(submit('y', 3, { expectedDuration: 100 }));

  it('lets a job of unknown length jump when it leaves the head capacity at its start intact', () => {
    const c = twoShapes();
    expect(c.devicesOf('y')).toEqual(devs('a', 0, 1, 2));
    const r = c.when(submit('head', 4), submit('wide', 2));
    expect(r.bodies.filter((e) => e.type === 'JobAllocated')).toEqual([allocated('wide', devs('b', 0, 1), ['b'])]);
  });

  it('places a job of unknown length around the capacity the head needs, where best-fit would take it', () => {
    const c = twoShapes();
    // Best-fit would put `narrow` on a's last free device, the head's node; b leaves the head alone.
    const r = c.when(submit('head', 4), submit('narrow', 1));
    expect(r.bodies.filter((e) => e.type === 'JobAllocated')).toEqual([allocated('narrow', devs('b', 0), ['b'])]);
  });

  it('holds back a job of unknown length when only the capacity the head needs would hold it', () => {
    const c = twoShapes();
    c.when(submit('head', 4), submit('wide', 2), submit('narrow', 1));
    expect(c.status('wide')).toBe('Starting');
    expect(c.status('narrow')).toBe('WaitingForGPUs');
    expect(code(c, 'narrow')).toBe('blocked-behind-head');
  });

  // y has no expected duration, so nobody can prove a job ends before the head could start.
  it('holds back even a short job on the capacity of a head whose earliest start is unknown', () => {
    const c = oneNode('backfill').given(submit('y', 3));
    c.when(submit('head', 4), submit('x', 1, { expectedDuration: 10 }));
    expect(c.status('x')).toBe('WaitingForGPUs');
    expect(code(c, 'x')).toBe('blocked-behind-head');
  });

  it('holds nothing back when the head fits', () => {
    const c = oneNode('backfill');
    c.when(submit('a', 2), submit('b', 2));
    expect([c.status('a'), c.status('b')]).toEqual(['Starting', 'Starting']);
  });
});

describe('candidate order', () => {
  it('puts higher priority first, whatever the submission order', () => {
    const c = oneNode()
      .given(submit('r', 4))
      .given(submit('low', 4))
      .given(submit('high', 4, { priority: 5 }));
    expect(poolQueue(c.state, 'p')?.map((q) => q.job.id)).toEqual(['high', 'low']);
    const r = c.when(completed('r'));
    expect(r.bodies[1]).toEqual(allocated('high', devs('n1', 0, 1, 2, 3), ['n1']));
  });

  it('never preempts a running job for a higher priority one', () => {
    const c = oneNode().given(submit('r', 4));
    const r = c.when(submit('high', 4, { priority: 100 }));
    expect(r.types).toEqual(['JobSubmitted', 'JobWaiting']);
    expect(c.status('r')).toBe('Starting');
  });

  it('breaks ties by submission order', () => {
    const c = oneNode()
      .given(submit('r', 4))
      .given(submit('first', 4, { priority: 1 }), submit('second', 4, { priority: 1 }));
    const r = c.when(completed('r'));
    expect(r.bodies[1]).toMatchObject({ type: 'JobAllocated', jobId: 'first' });
  });

  it('schedules each pool on its own: a blocked head in one pool holds nothing in another', () => {
    const c = cluster()
      .nodes(['n1', 'n2'], 4)
      .pool('p', 'A100', { take: ['n1/0', 'n1/1', 'n1/2', 'n1/3'] })
      .pool('q', 'A100', { take: ['n2/0', 'n2/1', 'n2/2', 'n2/3'] })
      .team('g', 'p', 'u')
      .team('h', 'q', 'v')
      .given(submit('r', 4));
    const r = c.when(submit('blocked', 4), submit('other', 2, { owner: 'v' }));
    expect(r.bodies.filter((e) => e.type === 'JobAllocated')).toEqual([
      { ...allocated('other', devs('n2', 0, 1), ['n2']), poolId: 'q' },
    ]);
  });
});

describe('maximum wait', () => {
  // first-fit, maximum wait 60 s; r holds 2 of the 4 GPUs; the 4-GPU head waits from t=0.
  const starving = () => oneNode('first-fit', 60).given(submit('r', 2)).given(submit('head', 4));

  it('does not hold later jobs before the wait has passed', () => {
    const c = starving().at(30);
    c.when(submit('early', 1));
    expect(c.status('early')).toBe('Starting');
  });

  it('after the wait, the head reserves the capacity and later jobs wait with reason reserved-for-starving-job', () => {
    const c = starving().at(60);
    const r = c.when(submit('late', 1));
    expect(r.types).toEqual(['JobSubmitted', 'JobWaiting']);
    expect(c.job('late').reason).toEqual<WaitReason>({
      code: 'reserved-for-starving-job',
      message:
        "it would fit, but the capacity is reserved for a job that has waited past the pool's maximum wait: needs 1 A100 GPU; pool 'p' has 2 free (largest free block on one node: 2); 1 job ahead",
      needs: { gpus: 1, workers: 1, gpusPerWorker: 1, gpuType: 'A100' },
      freeGpus: 2,
      largestFreeBlockPerNode: 2,
      jobsAhead: 1,
      pool: 'p',
    });
  });

  it('the starving head starts first once the GPUs are released', () => {
    const c = starving().at(60).given(submit('late', 1)).at(70);
    const r = c.when(completed('r'));
    expect(r.bodies[1]).toEqual(allocated('head', devs('n1', 0, 1, 2, 3), ['n1']));
    expect(c.status('late')).toBe('WaitingForGPUs');
  });
});

describe('node placement', () => {
  it('places every worker on a distinct node, nodes chosen best-fit', () => {
    const c = threeNodes();
    const r = c.when(submit('j', 4, { workers: 2 }));
    expect(r.bodies[1]).toEqual(allocated('j', [...devs('n3', 0, 1), ...devs('n1', 0, 1)], ['n3', 'n1']));
  });

  it('never places on a cordoned node', () => {
    const c = threeNodes().given(cordon('n3'));
    c.when(submit('j', 4, { workers: 2 }));
    expect(c.job('j').allocation?.nodes).toEqual(['n1', 'n2']);
  });

  it('places all workers or none (gang)', () => {
    const c = threeNodes().given(submit('x', 3), submit('y', 3));
    expect([c.devicesOf('x'), c.devicesOf('y')]).toEqual([devs('n1', 0, 1, 2), devs('n2', 0, 1, 2)]);
    const r = c.when(submit('j', 4, { workers: 2 }));
    expect(r.types).toEqual(['JobSubmitted', 'JobWaiting']);
    expect(c.job('j').allocation).toBeNull();
    expect(c.holders('n3/0')).toEqual([]);
  });

  it('chooses the node with the fewest free GPUs that still fit', () => {
    const c = threeNodes();
    c.when(submit('j', 1));
    expect(c.devicesOf('j')).toEqual(['n3/0']);
  });

  it('breaks best-fit ties by node id', () => {
    const c = threeNodes();
    c.when(submit('j', 3));
    expect(c.devicesOf('j')).toEqual(devs('n1', 0, 1, 2));
  });

  it('takes the lowest free indices within a node', () => {
    const c = oneNode().given(submit('a', 1), submit('b', 1), submit('c', 1)).given(completed('b'));
    c.when(submit('d', 2));
    expect(c.devicesOf('d')).toEqual(['n1/1', 'n1/3']);
  });
});

describe('count placement', () => {
  const counting = () => cluster().nodes(['n1', 'n2'], 4).pool('p', 'A100', { take: 8, placement: 'count' }).team('g', 'p', 'u');

  it('ignores node boundaries: a job larger than any node is accepted and spans nodes', () => {
    const c = counting();
    const r = c.when(submit('j', 6));
    expect(r.bodies[1]).toEqual(allocated('j', [...devs('n1', 0, 1, 2, 3), ...devs('n2', 0, 1)], ['n1', 'n2']));
  });

  it('puts a job on one node when one holds it, best-fit', () => {
    const c = counting().given(submit('a', 2));
    expect(c.devicesOf('a')).toEqual(devs('n1', 0, 1));
    c.when(submit('b', 2));
    expect(c.devicesOf('b')).toEqual(devs('n1', 2, 3));
  });

  it('takes the fullest nodes first when it must span', () => {
    const c = counting().given(submit('a', 3));
    c.when(submit('b', 5));
    expect(c.devicesOf('b')).toEqual([...devs('n2', 0, 1, 2, 3), 'n1/3']);
  });
});

describe('immediate jobs', () => {
  it('start at once, sharing busy devices, and record the shared ones', () => {
    const c = oneNode().given(submit('r', 4));
    const r = c.when(submit('i', 2, { immediate: true, kind: 'notebook' }));
    expect(r.bodies[1]).toEqual(allocated('i', devs('n1', 0, 1), ['n1'], devs('n1', 0, 1)));
    expect(c.holders('n1/0')).toEqual(['r', 'i']);
    expect(poolUsage(c.state, 'p')).toMatchObject({ used: 4, shared: 2 });
  });

  it('take free devices before busy ones', () => {
    const c = oneNode().given(submit('r', 3));
    c.when(submit('i', 2, { immediate: true }));
    expect(c.job('i').allocation).toMatchObject({ devices: ['n1/3', 'n1/0'], shared: ['n1/0'] });
  });

  it('need not share when GPUs are free', () => {
    const c = oneNode();
    c.when(submit('i', 2, { immediate: true }));
    expect(c.job('i').allocation).toMatchObject({ devices: devs('n1', 0, 1), shared: [] });
  });

  it('never take GPUs from outside their pool', () => {
    const c = oneNode().given(registerNode('n2', 4), submit('r', 4));
    c.when(submit('i', 2, { immediate: true }));
    expect(c.devicesOf('i')).toEqual(devs('n1', 0, 1));
    expect(c.poolDevices('default')).toEqual(devs('n2', 0, 1, 2, 3));
  });

  it('go ahead of a blocked head', () => {
    const c = oneNode().given(submit('r', 2)).given(submit('head', 4));
    const r = c.when(submit('i', 4, { immediate: true }));
    expect(r.bodies[1]).toEqual(allocated('i', devs('n1', 2, 3, 0, 1), ['n1'], devs('n1', 0, 1)));
    expect(c.status('head')).toBe('WaitingForGPUs');
  });

  it('share across distinct nodes, one per worker, the nodes with the most free devices first', () => {
    const c = twoNodes().given(submit('a', 4), submit('b', 2));
    expect([c.devicesOf('a'), c.devicesOf('b')]).toEqual([devs('n1', 0, 1, 2, 3), devs('n2', 0, 1)]);
    const r = c.when(submit('i', 4, { workers: 2, immediate: true }));
    expect(r.bodies[1]).toEqual(allocated('i', [...devs('n2', 2, 3), ...devs('n1', 0, 1)], ['n2', 'n1'], devs('n1', 0, 1)));
  });

  it('in count placement share devices wherever they are', () => {
    const c = cluster()
      .nodes(['n1', 'n2'], 4)
      .pool('p', 'A100', { take: 8, placement: 'count' })
      .team('g', 'p', 'u')
      .given(submit('r', 7));
    const r = c.when(submit('i', 3, { immediate: true }));
    expect(r.bodies[1]).toEqual(allocated('i', ['n2/3', 'n1/0', 'n1/1'], ['n2', 'n1'], devs('n1', 0, 1)));
  });

  it('keep a shared device busy until its last holder lets go', () => {
    const c = oneNode()
      .given(submit('r', 4))
      .given(submit('i', 1, { immediate: true }))
      .given(completed('r'));
    expect(c.holders('n1/0')).toEqual(['i']);
    c.when(submit('k', 4));
    expect(c.status('k')).toBe('WaitingForGPUs');
    c.when(completed('i'));
    expect(c.status('k')).toBe('Starting');
  });

  it('wait when no schedulable node of their pool can hold them', () => {
    const c = oneNode().given(cordon('n1'));
    c.when(submit('i', 1, { immediate: true }));
    expect(c.status('i')).toBe('WaitingForGPUs');
  });
});

describe('the scheduler runs once per batch', () => {
  it('after every command of the batch, not halfway through', () => {
    // Had it run after the first submission, 'low' would hold the GPUs.
    const c = oneNode();
    const r = c.when(submit('low', 4), submit('high', 4, { priority: 1 }));
    expect(r.bodies.slice(2)).toEqual([
      allocated('high', devs('n1', 0, 1, 2, 3), ['n1']),
      { type: 'JobWaiting', jobId: 'low', reason: expect.objectContaining({ code: 'not-enough-free-gpus', jobsAhead: 0 }) },
    ]);
  });

  it('sees the GPUs that the batch released', () => {
    const c = oneNode().given(submit('r', 4));
    const r = c.when(completed('r'), submit('j', 4));
    expect(r.types).toEqual(['JobCompleted', 'JobSubmitted', 'JobAllocated']);
  });

  it('hands released GPUs to the job that waited longest before the one just submitted', () => {
    const c = oneNode().given(submit('r', 4)).given(submit('w', 4));
    const r = c.when(completed('r'), submit('j', 4));
    expect(r.bodies.slice(2)).toEqual([
      allocated('w', devs('n1', 0, 1, 2, 3), ['n1']),
      { type: 'JobWaiting', jobId: 'j', reason: expect.objectContaining({ code: 'not-enough-free-gpus', jobsAhead: 0 }) },
    ]);
  });

  it('stamps its events with the batch time and no command id', () => {
    const c = oneNode().at(42);
    const r = c.when({ ...submit('j', 1), commandId: 'c-1' });
    expect(r.events.map((e) => [e.type, e.at, e.commandId])).toEqual([
      ['JobSubmitted', 42, 'c-1'],
      ['JobAllocated', 42, undefined],
    ]);
  });

  it("stamps a command's events with its own time when it carries one, and schedules at the latest time", () => {
    const c = oneNode().at(10);
    const r = c.when({ ...submit('a', 1), at: 15 }, submit('b', 1));
    expect(r.events.map((e) => [e.type, e.at])).toEqual([
      ['JobSubmitted', 15],
      ['JobSubmitted', 15],
      ['JobAllocated', 15],
      ['JobAllocated', 15],
    ]);
  });

  it('does nothing in a batch that gives it nothing to do', () => {
    const c = oneNode().given(submit('r', 4)).given(submit('w', 4));
    const r = c.when({ type: 'OnboardUser', userId: 'x', name: 'x', role: 'data-scientist' });
    expect(r.types).toEqual(['UserOnboarded']);
  });
});

describe('the reason of a waiting job', () => {
  it('not-enough-free-gpus: fewer GPUs are free than it needs', () => {
    const c = twoNodes().given(submit('a', 4), submit('b', 2));
    c.when(submit('w', 4));
    expect(c.job('w').reason).toEqual<WaitReason>({
      code: 'not-enough-free-gpus',
      message:
        "waiting for GPUs to be released: needs 4 A100 GPUs; pool 'p' has 2 free (largest free block on one node: 2); 0 jobs ahead",
      needs: { gpus: 4, workers: 1, gpusPerWorker: 4, gpuType: 'A100' },
      freeGpus: 2,
      largestFreeBlockPerNode: 2,
      jobsAhead: 0,
      pool: 'p',
    });
  });

  it('fragmentation: enough GPUs are free, but not on one node', () => {
    const c = twoNodes().given(submit('x', 3), submit('y', 3));
    c.when(submit('w', 2));
    expect(c.job('w').reason).toEqual<WaitReason>({
      code: 'fragmentation',
      message:
        "enough GPUs are free, but not enough of them on distinct nodes for this shape: needs 2 A100 GPUs; pool 'p' has 2 free (largest free block on one node: 1); 0 jobs ahead",
      needs: { gpus: 2, workers: 1, gpusPerWorker: 2, gpuType: 'A100' },
      freeGpus: 2,
      largestFreeBlockPerNode: 1,
      jobsAhead: 0,
      pool: 'p',
    });
  });

  it('blocked-behind-head: it would fit, but a strict queue head goes first', () => {
    const c = oneNode().given(submit('r', 2));
    c.when(submit('head', 4), submit('small', 1));
    expect(c.job('small').reason).toEqual<WaitReason>({
      code: 'blocked-behind-head',
      message:
        "it would fit, but the job at the head of the queue goes first: needs 1 A100 GPU; pool 'p' has 2 free (largest free block on one node: 2); 1 job ahead",
      needs: { gpus: 1, workers: 1, gpusPerWorker: 1, gpuType: 'A100' },
      freeGpus: 2,
      largestFreeBlockPerNode: 2,
      jobsAhead: 1,
      pool: 'p',
    });
  });

  it('never-fits: the pool as it now stands cannot hold the job even empty', () => {
    const c = twoNodes().given(submit('a', 4));
    // Accepted while the pool had two nodes; the same batch then moves n2 away.
    c.when(submit('w', 8, { workers: 2 }), moveDevices('default', devs('n2', 0, 1, 2, 3)));
    expect(c.job('w').reason).toEqual<WaitReason>({
      code: 'never-fits',
      message:
        "it cannot start in its pool as the pool now stands, even once every running job ends; it waits without holding other jobs back until the pool changes: needs 8 A100 GPUs as 2 workers x 4; pool 'p' has 0 free (largest free block on one node: 0); 0 jobs ahead; its schedulable nodes hold 4 A100 GPUs: stop the job and resubmit it with at most 4, or have an operator add GPUs",
      needs: { gpus: 8, workers: 2, gpusPerWorker: 4, gpuType: 'A100' },
      freeGpus: 0,
      largestFreeBlockPerNode: 0,
      jobsAhead: 0,
      pool: 'p',
    });
  });

  it('never-fits: every node that could hold it is cordoned, and the reason names their idle GPUs', () => {
    const c = oneNode().given(cordon('n1'));
    c.when(submit('w', 2));
    expect(c.job('w').reason).toMatchObject({ code: 'never-fits', freeGpus: 0, largestFreeBlockPerNode: 0 });
    expect(c.job('w').reason?.message).toContain('4 idle A100 GPUs are on cordoned node n1: uncordoning would let it use them');
  });

  it('not-enough-free-gpus, not never-fits, when the uncordoned nodes could hold it once released', () => {
    const c = twoNodes().given(cordon('n1'), submit('a', 4));
    expect(c.devicesOf('a')).toEqual(devs('n2', 0, 1, 2, 3));
    c.when(submit('w', 4));
    expect(c.job('w').reason?.code).toBe('not-enough-free-gpus');
  });

  it('no-pool: its group has no pool', () => {
    const c = cluster().nodes('n1', 4).team('g', null, 'u');
    c.when(submit('w', 1));
    expect(c.job('w').reason).toMatchObject({ code: 'no-pool', pool: null, freeGpus: 0, jobsAhead: 0 });
  });

  it('names the largest free block on any one node', () => {
    const c = threeNodes().given(submit('x', 3), submit('y', 3));
    c.when(submit('w', 4, { workers: 2 }));
    expect(c.job('w').reason).toMatchObject({ code: 'fragmentation', freeGpus: 4, largestFreeBlockPerNode: 2 });
  });

  it('counts the jobs ahead of it', () => {
    const c = oneNode().given(submit('r', 4)).given(submit('a', 1), submit('b', 1), submit('c', 1));
    expect(['a', 'b', 'c'].map((id) => c.job(id).reason?.jobsAhead)).toEqual([0, 1, 2]);
  });
});

describe('the queue query', () => {
  it('lists the pending jobs in candidate order with positions and live reasons', () => {
    const c = oneNode()
      .given(submit('r', 2))
      .given(submit('head', 4), submit('small', 1), submit('urgent', 2, { priority: 9 }));
    // 'urgent' jumped the queue and started; the head still waits.
    expect(c.status('urgent')).toBe('Starting');
    const q = poolQueue(c.state, 'p') ?? [];
    expect(q.map((x) => [x.position, x.job.id, x.reason.code, x.reason.jobsAhead])).toEqual([
      [0, 'head', 'not-enough-free-gpus', 0],
      [1, 'small', 'not-enough-free-gpus', 1],
    ]);
  });

  it('explains a waiting job as things stand now', () => {
    const c = twoNodes()
      .given(submit('a', 4), submit('b', 4))
      .given(submit('w', 8, { workers: 2 }));
    expect(explainJob(c.state, 'w')?.code).toBe('not-enough-free-gpus');
    c.given(moveDevices('default', devs('n2', 0, 1, 2, 3)));
    expect(explainJob(c.state, 'w')?.code).toBe('never-fits');
  });

  it('explains nothing for a job that does not wait', () => {
    const c = oneNode().given(submit('r', 1));
    expect(explainJob(c.state, 'r')).toBeNull();
    expect(explainJob(c.state, 'nope')).toBeNull();
  });

  it('lists the queue of a group with no pool', () => {
    const c = cluster().nodes('n1', 4).team('g', null, 'u').given(submit('a', 1), submit('b', 1));
    expect(groupQueue(c.state, 'g').map((x) => [x.position, x.job.id, x.reason.code])).toEqual([
      [0, 'a', 'no-pool'],
      [1, 'b', 'no-pool'],
    ]);
  });

  it('is empty for a pool that serves no group, and undefined for an unknown pool', () => {
    const c = oneNode().pool('q', 'A100');
    expect(poolQueue(c.state, 'q')).toEqual([]);
    expect(poolQueue(c.state, 'nope')).toBeUndefined();
  });
});

describe('the maximum wait, whatever the policy or the priorities', () => {
  /**
   * The pool of the hardening report: sjf, a 60 s maximum wait, one node of 4 GPUs. Two 2-GPU jobs
   * of 10 s run; a 4-GPU job L of 1,000 s arrives at t=1; every 10 s one short job ends and
   * another 2-GPU, 10 s job arrives (with `shortOpts`, e.g. a higher priority). L used to wait
   * forever, since every new short job sorted ahead of it.
   */
  function starvedByShortJobs(policy: Policy, shortOpts: Parameters<typeof submit>[2] = {}) {
    const c = oneNode(policy, 60);
    c.at(0).given(
      submit('s0', 2, { expectedDuration: 10, ...shortOpts }),
      submit('s1', 2, { expectedDuration: 10, ...shortOpts }),
    );
    c.at(1).given(submit('L', 4, { expectedDuration: 1000 }));
    const running = ['s0', 's1'];
    for (let k = 1; k <= 60 && c.status('L') !== 'Starting'; k++) {
      const ended = running.shift() as string;
      c.at(10 * k).given(completed(ended), submit(`s${k + 1}`, 2, { expectedDuration: 10, ...shortOpts }));
      for (const id of [`s${k + 1}`]) if (c.status(id) === 'Starting') running.push(id);
    }
    return c;
  }

  it('under sjf, a long job past the maximum wait reserves the node and starts once the short jobs on it end', () => {
    const c = starvedByShortJobs('sjf');
    expect(c.status('L')).toBe('Starting');
    // Past the wait at t=61; the short jobs running then end by t=80.
    expect(c.job('L').allocatedAt).toBeLessThanOrEqual(61 + 20);
  });

  it('under fifo with later jobs of higher priority, the same', () => {
    const c = starvedByShortJobs('fifo', { priority: 5 });
    expect(c.status('L')).toBe('Starting');
    expect(c.job('L').allocatedAt).toBeLessThanOrEqual(61 + 20);
  });

  it('under first-fit and backfill, the same', () => {
    for (const policy of ['first-fit', 'backfill'] as const) {
      const c = starvedByShortJobs(policy);
      expect(c.job('L').allocatedAt, policy).toBeLessThanOrEqual(61 + 20);
    }
  });

  it('the oldest job past the wait goes first, and later ones wait with reason reserved-for-starving-job', () => {
    const c = oneNode('sjf', 60)
      .at(0)
      .given(submit('r', 2, { expectedDuration: 100 }))
      .at(1)
      .given(submit('old', 4, { expectedDuration: 500 }));
    c.at(70).when(submit('short', 1, { expectedDuration: 1000, priority: 9 }));
    expect(c.status('short')).toBe('WaitingForGPUs');
    expect(code(c, 'short')).toBe('reserved-for-starving-job');
    expect(explainJob(c.state, 'short')?.code).toBe('reserved-for-starving-job');
    c.at(100).given(completed('r'));
    expect(c.status('old')).toBe('Starting');
  });

  it('a job that ends before the reserved start may still use the idle GPUs', () => {
    const c = oneNode('fifo', 60)
      .at(0)
      .given(submit('r', 2, { expectedDuration: 100 }))
      .at(1)
      .given(submit('old', 4));
    c.at(70).when(submit('quick', 2, { expectedDuration: 20, priority: 1 }));
    expect(c.status('quick')).toBe('Starting'); // ends at 90, before r frees its GPUs at 100
  });
});

describe('a waiting job that can no longer fit its pool', () => {
  it('does not hold a fifo queue: a job submitted before its group had a pool, too big for the pool it gets', () => {
    const c = cluster().nodes('n1', 4).pool('p', 'A100', { take: 4 }).team('g', null, 'u');
    c.given(submit('big', 8), submit('h100', 1, { gpuType: 'H100' }));
    c.given({ type: 'AssignPool', groupId: 'g', poolId: 'p' });
    expect(explainJob(c.state, 'big')?.code).toBe('never-fits');
    expect(explainJob(c.state, 'big')?.message).toContain('resubmit it with at most 4');
    expect(explainJob(c.state, 'h100')?.message).toContain("pool 'p' has no H100 GPUs");
    c.when(submit('small', 1));
    expect(c.status('small')).toBe('Starting');
    expect(c.status('big')).toBe('WaitingForGPUs');
  });

  it('does not hold the queue once cordoning leaves no node that could hold it, and holds it again after uncordoning', () => {
    const c = cluster()
      .given(registerNode('n1', 4), registerNode('n2', 2))
      .pool('p', 'A100', { take: 6 })
      .team('g', 'p', 'u')
      .given(submit('a', 4), submit('big', 4));
    expect(code(c, 'big')).toBe('not-enough-free-gpus');
    c.given(cordon('n1'));
    expect(explainJob(c.state, 'big')?.code).toBe('never-fits');
    c.when(submit('small', 1));
    expect(c.status('small')).toBe('Starting');
    c.given({ type: 'UncordonNode', nodeId: 'n1' }, completed('a'));
    expect(c.status('big')).toBe('Starting');
  });

  it('does not hold the queue after its devices are moved away or its node is lost', () => {
    const c = twoNodes()
      .given(submit('a', 4), submit('b', 4))
      .given(submit('wide', 8, { workers: 2 }));
    c.given({ type: 'LoseNode', nodeId: 'n2' }, submit('next', 4));
    expect(explainJob(c.state, 'wide')?.code).toBe('never-fits');
    expect(explainJob(c.state, 'next')?.code).toBe('not-enough-free-gpus');
    c.when(completed('a'));
    expect(c.status('next')).toBe('Starting');
  });
});

describe('reasons in a pool of several GPU types', () => {
  it('an untyped job waiting for busy A100s is told to wait for GPUs, not that the pool is too small, after an H100 node registers', () => {
    const c = cluster()
      .nodes('a1', 4, 'A100')
      .given(submit('r', 4, { owner: 'admin' }), submit('w', 4, { owner: 'admin' }));
    expect(code(c, 'w')).toBe('not-enough-free-gpus');
    c.given(registerNode('h1', 2, 'H100'));
    expect(explainJob(c.state, 'w')).toMatchObject({ code: 'not-enough-free-gpus', freeGpus: 0 });
  });
});

describe('one reason everywhere', () => {
  it('under backfill with a maximum wait, the reason the pass stored is the one explain gives', () => {
    const c = oneNode('backfill', 60).at(0).given(submit('r', 2)).at(1).given(submit('head', 4));
    c.at(100).when(submit('small', 1));
    expect(c.status('small')).toBe('WaitingForGPUs');
    expect(c.job('small').reason).toEqual(explainJob(c.state, 'small'));
    expect(code(c, 'small')).toBe('reserved-for-starving-job');
  });
});
