/**
 * Jobs (design 2, "Jobs"): what a submission records, the statuses exactly as the design's table
 * names them, stop and release, clone and rerun, and every reason a submission is refused.
 */
import { describe, expect, it } from 'vitest';
import type { JobKind } from './model.js';
import { explainJob } from './queries.js';
import {
  allocate,
  assignPool,
  clone,
  cluster,
  completed,
  devs,
  failed,
  loseNode,
  moveUser,
  registerNode,
  release,
  started,
  stop,
  submit,
} from './test-support/given.js';

/** n1, n2: 4 A100 each, all in pool 'p' serving group 'g' with user 'u'. */
const base = () => cluster().nodes(['n1', 'n2'], 4, 'A100').pool('p', 'A100', { take: 8 }).team('g', 'p', 'u');
const statuses = (c: ReturnType<typeof base>, id: string) => c.job(id).history.map((h) => h.status);

describe('submitting a job', () => {
  it('records the job with its defaults, in its owner group, and the batch starts it', () => {
    const c = base();
    const r = c.when(submit('j', 2, { kind: 'notebook' }));
    expect(r.bodies).toEqual([
      {
        type: 'JobSubmitted',
        jobId: 'j',
        kind: 'notebook',
        owner: 'u',
        group: 'g',
        gpus: 2,
        gpuType: null,
        workers: 1,
        priority: 0,
        tags: [],
        expectedDuration: null,
        immediate: false,
        spec: null,
        clonedFrom: null,
      },
      { type: 'JobAllocated', jobId: 'j', poolId: 'p', devices: devs('n1', 0, 1), shared: [], nodes: ['n1'] },
    ]);
  });

  it('records every field it is given', () => {
    const r = base().when(
      submit('j', 4, {
        kind: 'inference',
        gpuType: 'A100',
        workers: 2,
        priority: 5,
        tags: ['nlp', 'bert'],
        expectedDuration: 3600,
        immediate: true,
        spec: { image: 'pytorch:2', args: ['--lr', 0.1] },
      }),
    );
    expect(r.bodies[0]).toMatchObject({
      kind: 'inference',
      gpuType: 'A100',
      workers: 2,
      priority: 5,
      tags: ['nlp', 'bert'],
      expectedDuration: 3600,
      immediate: true,
      spec: { image: 'pytorch:2', args: ['--lr', 0.1] },
    });
  });

  it('records a job shared with its group, and its clone stays shared; a private job says nothing of sharing', () => {
    const c = base().given(submit('j', 1, { shared: true }));
    expect(c.job('j').shared).toBe(true);
    expect(c.when(clone('j2', 'j')).bodies[0]).toMatchObject({ type: 'JobSubmitted', jobId: 'j2', shared: true });
    const d = base();
    expect(d.when(submit('k', 1)).bodies[0]).not.toHaveProperty('shared');
    expect(d.job('k').shared).toBe(false);
  });

  it('is refused for a job id that exists', () => {
    const r = base().given(submit('j', 1)).when(submit('j', 1));
    expect(r.rejection).toEqual({ code: 'already-exists', message: "job 'j' already exists" });
  });

  it('is refused for an unknown owner', () => {
    const r = base().when(submit('j', 1, { owner: 'nobody' }));
    expect(r.rejection).toEqual({ code: 'not-found', message: "user 'nobody' does not exist" });
  });
});

describe('job statuses', () => {
  it('a job that fits goes Queued -> Starting in its batch', () => {
    const c = base().given(submit('j', 4));
    expect(statuses(c, 'j')).toEqual(['Queued', 'Starting']);
  });

  it('a job that does not fit goes Queued -> WaitingForGPUs -> Starting once GPUs are free', () => {
    const c = base()
      .given(submit('a', 8, { workers: 2 }))
      .given(submit('j', 4));
    expect(c.status('j')).toBe('WaitingForGPUs');
    c.given(completed('a'));
    expect(statuses(c, 'j')).toEqual(['Queued', 'WaitingForGPUs', 'Starting']);
  });

  it.each<[JobKind, string]>([
    ['notebook', 'Running'],
    ['preprocessing', 'Running'],
    ['inference', 'Running'],
    ['pipeline-step', 'Running'],
    ['training', 'Training'],
    ['trial', 'Training'],
  ])('a %s job, once started, is %s', (kind, active) => {
    const c = base().given(submit('j', 1, { kind }));
    const r = c.when(started('j'));
    expect(r.bodies).toEqual([{ type: 'JobStarted', jobId: 'j' }]);
    expect(c.status('j')).toBe(active);
  });

  it('a job that completes is Complete and its GPUs are released', () => {
    const c = base().given(submit('j', 4)).given(started('j'));
    const r = c.when(completed('j'));
    expect(r.bodies).toEqual([{ type: 'JobCompleted', jobId: 'j' }]);
    expect(statuses(c, 'j')).toEqual(['Queued', 'Starting', 'Training', 'Complete']);
    expect(devs('n1', 0, 1, 2, 3).map((d) => c.holders(d))).toEqual([[], [], [], []]);
  });

  it('a Starting job may complete (a runtime that never reports started)', () => {
    const c = base().given(submit('j', 1));
    expect(c.when(completed('j')).types).toEqual(['JobCompleted']);
    expect(c.status('j')).toBe('Complete');
  });

  it('a job that fails is Error with its reason, and its GPUs are released', () => {
    const c = base().given(submit('j', 2)).given(started('j'));
    const r = c.when(failed('j', 'OOMKilled', 'container ran out of memory'));
    expect(r.bodies).toEqual([{ type: 'JobFailed', jobId: 'j', reason: 'OOMKilled', message: 'container ran out of memory' }]);
    expect(c.status('j')).toBe('Error');
    expect(c.job('j').failure).toEqual({ reason: 'OOMKilled', message: 'container ran out of memory' });
    expect(c.holders('n1/0')).toEqual([]);
  });

  it('a failure without a message takes its reason as message', () => {
    const c = base().given(submit('j', 2));
    c.when(failed('j', 'LaunchFailed'));
    expect(c.job('j').failure).toEqual({ reason: 'LaunchFailed', message: 'LaunchFailed' });
  });

  it('records when each status began', () => {
    const c = base().at(10).given(submit('j', 1)).at(25).given(started('j')).at(40).given(completed('j'));
    expect(c.job('j').history.map((h) => [h.status, h.at])).toEqual([
      ['Queued', 10],
      ['Starting', 10],
      ['Training', 25],
      ['Complete', 40],
    ]);
    expect(c.job('j')).toMatchObject({ submittedAt: 10, allocatedAt: 10, endedAt: 40 });
  });
});

describe('reports that do not fit the status', () => {
  it('only a Starting job can be reported started', () => {
    const c = base().given(submit('j', 1)).given(started('j'));
    expect(c.when(started('j')).rejection).toEqual({
      code: 'invalid-transition',
      message: "job 'j' is Training; only a Starting job can be reported started",
    });
  });

  it('only a job holding GPUs can complete', () => {
    const c = base()
      .given(submit('a', 8, { workers: 2 }))
      .given(submit('w', 1));
    expect(c.when(completed('w')).rejection).toEqual({
      code: 'invalid-transition',
      message: "job 'w' is WaitingForGPUs; only a job holding GPUs can complete",
    });
  });

  it('only a job holding GPUs can fail', () => {
    const c = base().given(submit('j', 1)).given(completed('j'));
    expect(c.when(failed('j', 'Crash')).rejection).toEqual({
      code: 'invalid-transition',
      message: "job 'j' is Complete; only a job holding GPUs can fail",
    });
  });

  it('about an unknown job are refused', () => {
    const c = base();
    for (const cmd of [started('x'), completed('x'), failed('x', 'Crash'), release('x'), stop('x')]) {
      expect(c.when(cmd).rejection).toEqual({ code: 'not-found', message: "job 'x' does not exist" });
    }
  });
});

describe('stopping a job', () => {
  it('that holds GPUs asks the runtime to stop it: Stopping, still holding its GPUs', () => {
    const c = base().given(submit('j', 2)).given(started('j'));
    const r = c.when(stop('j'));
    expect(r.bodies).toEqual([{ type: 'JobStopRequested', jobId: 'j' }]);
    expect(c.status('j')).toBe('Stopping');
    expect(c.holders('n1/0')).toEqual(['j']);
  });

  it('that is Starting goes to Stopping too', () => {
    const c = base().given(submit('j', 2));
    c.when(stop('j'));
    expect(c.status('j')).toBe('Stopping');
  });

  it('that is Stopping appends nothing', () => {
    const c = base().given(submit('j', 2)).given(stop('j'));
    const r = c.when(stop('j'));
    expect(r.rejection).toBeUndefined();
    expect(r.events).toEqual([]);
  });

  it('ends in Stopped when the runtime releases it', () => {
    const c = base().given(submit('j', 2)).given(started('j')).given(stop('j'));
    const r = c.when(release('j'));
    expect(r.bodies).toEqual([{ type: 'JobStopped', jobId: 'j' }]);
    expect(statuses(c, 'j')).toEqual(['Queued', 'Starting', 'Training', 'Stopping', 'Stopped']);
    expect(c.holders('n1/0')).toEqual([]);
  });

  it('that is waiting goes straight to Stopped, and leaves the queue', () => {
    const c = base()
      .given(submit('a', 8, { workers: 2 }))
      .given(submit('w', 4));
    const r = c.when(stop('w'));
    expect(r.bodies).toEqual([{ type: 'JobStopped', jobId: 'w' }]);
    expect(statuses(c, 'w')).toEqual(['Queued', 'WaitingForGPUs', 'Stopped']);
    c.given(completed('a'));
    expect(c.job('w').allocation).toBeNull();
  });

  it('that is still Queued (same batch) goes straight to Stopped and is never allocated', () => {
    const c = base();
    const r = c.when(submit('j', 2), stop('j'));
    expect(r.types).toEqual(['JobSubmitted', 'JobStopped']);
    expect(statuses(c, 'j')).toEqual(['Queued', 'Stopped']);
  });

  it('that has finished is refused', () => {
    const c = base().given(submit('j', 2)).given(completed('j'));
    expect(c.when(stop('j')).rejection).toEqual({ code: 'invalid-transition', message: "job 'j' is already Complete" });
  });
});

describe('ReleaseJob', () => {
  it('frees the GPUs of a running job, which ends Stopped', () => {
    const c = base()
      .given(submit('j', 8, { workers: 2 }))
      .given(started('j'));
    const r = c.when(release('j'));
    expect(r.bodies).toEqual([{ type: 'JobStopped', jobId: 'j' }]);
    expect(c.status('j')).toBe('Stopped');
    expect([...c.state.devices.values()].every((d) => d.holders.length === 0)).toBe(true);
  });

  it('hands the freed GPUs to the next waiting job in the same batch', () => {
    const c = base()
      .given(submit('j', 8, { workers: 2 }))
      .given(submit('w', 4));
    const r = c.when(release('j'));
    expect(r.bodies).toEqual([
      { type: 'JobStopped', jobId: 'j' },
      { type: 'JobAllocated', jobId: 'w', poolId: 'p', devices: devs('n1', 0, 1, 2, 3), shared: [], nodes: ['n1'] },
    ]);
  });

  it('is refused for a job that holds no GPUs', () => {
    const c = base()
      .given(submit('j', 8, { workers: 2 }))
      .given(submit('w', 4));
    expect(c.when(release('w')).rejection).toEqual({
      code: 'invalid-transition',
      message: "job 'w' is WaitingForGPUs and holds no GPUs to release",
    });
  });
});

describe('cloning a job', () => {
  it('reruns a job that ended in Error: a new job with the same request', () => {
    const c = base()
      .given(submit('j', 4, { kind: 'training', workers: 2, priority: 3, tags: ['x'], expectedDuration: 60, spec: { lr: 0.1 } }))
      .given(loseNode('n1'))
      .given(registerNode('n1', 4, 'A100'))
      .given(allocate('p', 4));
    expect(c.status('j')).toBe('Error');
    const r = c.when(clone('j2', 'j'));
    expect(r.bodies).toEqual([
      {
        type: 'JobSubmitted',
        jobId: 'j2',
        kind: 'training',
        owner: 'u',
        group: 'g',
        gpus: 4,
        gpuType: null,
        workers: 2,
        priority: 3,
        tags: ['x'],
        expectedDuration: 60,
        immediate: false,
        spec: { lr: 0.1 },
        clonedFrom: 'j',
      },
      {
        type: 'JobAllocated',
        jobId: 'j2',
        poolId: 'p',
        devices: [...devs('n1', 0, 1), ...devs('n2', 0, 1)],
        shared: [],
        nodes: ['n1', 'n2'],
      },
    ]);
    expect(c.status('j')).toBe('Error');
    expect(c.job('j2').clonedFrom).toBe('j');
  });

  it('starts the clone when it fits', () => {
    const c = base().given(submit('j', 2)).given(failed('j', 'Crash'));
    const r = c.when(clone('j2', 'j'));
    expect(r.types).toEqual(['JobSubmitted', 'JobAllocated']);
    expect(c.devicesOf('j2')).toEqual(devs('n1', 0, 1));
  });

  it('may name another owner, whose group the clone then belongs to', () => {
    const c = base().team('h', null, 'v').given(submit('j', 2)).given(completed('j'));
    c.when(clone('j2', 'j', 'v'));
    expect(c.job('j2')).toMatchObject({ owner: 'v', group: 'h', status: 'WaitingForGPUs' });
    expect(c.job('j2').reason?.code).toBe('no-pool');
  });

  it('is checked like a submission', () => {
    const c = base()
      .given(submit('j', 8, { workers: 2 }))
      .given(completed('j'))
      .given(registerNode('n3', 1), moveUser('u', 'default'));
    expect(c.when(clone('j2', 'j')).rejection).toEqual({
      code: 'never-fits',
      message: "the job asks for 8 GPUs but pool 'Default Pool' has 1: ask for at most 1",
      details: { pool: 'default', poolGpus: 1 },
    });
  });

  it('records the GPU type a job ran on when it is allocated', () => {
    const c = base()
      .given(submit('j', 2))
      .given(submit('w', 8, { workers: 2 }));
    expect(c.job('j').ranOnGpuType).toBe('A100');
    expect(c.job('w').ranOnGpuType).toBeNull();
  });

  it('reruns on the type the source ran on when the pool has since gained another type', () => {
    const c = cluster().given(registerNode('a1', 4, 'A100'));
    c.given(submit('j', 2, { owner: 'admin' }))
      .given(registerNode('h1', 2, 'H100'))
      .given(failed('j', 'Crash'));
    expect(c.job('j')).toMatchObject({ status: 'Error', gpuType: null, ranOnGpuType: 'A100' });
    const r = c.when(clone('j2', 'j'));
    expect(r.rejection).toBeUndefined();
    expect(r.bodies[0]).toMatchObject({ type: 'JobSubmitted', jobId: 'j2', gpuType: 'A100', clonedFrom: 'j' });
    expect(c.devicesOf('j2')).toEqual(devs('a1', 0, 1));
  });

  it('may ask for another GPU type, another number of GPUs and workers', () => {
    const c = cluster().given(registerNode('a1', 4, 'A100'), registerNode('h1', 2, 'H100'), registerNode('h2', 2, 'H100'));
    c.given(submit('j', 2, { owner: 'admin', gpuType: 'A100' })).given(failed('j', 'OutOfMemory'));
    const r = c.when({ type: 'CloneJob', jobId: 'j2', sourceJobId: 'j', gpuType: 'H100', gpus: 4, workers: 2 });
    expect(r.bodies[0]).toMatchObject({ jobId: 'j2', gpuType: 'H100', gpus: 4, workers: 2 });
    expect(c.devicesOf('j2')).toEqual([...devs('h1', 0, 1), ...devs('h2', 0, 1)]);
  });

  it('checks what it changes like a submission', () => {
    const c = base().given(submit('j', 2)).given(failed('j', 'Crash'));
    expect(c.when({ type: 'CloneJob', jobId: 'j2', sourceJobId: 'j', gpus: 3, workers: 2 }).rejection).toEqual({
      code: 'invalid-argument',
      message: 'gpus (3) must divide evenly among workers (2)',
    });
    expect(c.when({ type: 'CloneJob', jobId: 'j2', sourceJobId: 'j', gpuType: 'H100' }).rejection?.code).toBe(
      'gpu-type-mismatch',
    );
  });

  it('into a pool of one type asks for no type when the source named none, whatever it ran on', () => {
    const c = base()
      .given(registerNode('h1', 4, 'H100'))
      .pool('q', 'H100', { take: 4 })
      .team('h', 'q', 'v')
      .given(submit('j', 2))
      .given(completed('j'));
    const r = c.when(clone('j2', 'j', 'v'));
    expect(r.bodies[0]).toMatchObject({ jobId: 'j2', owner: 'v', group: 'h', gpuType: null });
    expect(c.devicesOf('j2')).toEqual(devs('h1', 0, 1));
  });

  it('is refused for an unknown source job', () => {
    expect(base().when(clone('j2', 'nope')).rejection).toEqual({ code: 'not-found', message: "job 'nope' does not exist" });
  });

  it('is refused for a job id that exists', () => {
    const c = base().given(submit('j', 1), submit('k', 1));
    expect(c.when(clone('k', 'j')).rejection).toEqual({ code: 'already-exists', message: "job 'k' already exists" });
  });
});

describe('a job’s pinned inputs', () => {
  const inputs = {
    workspace: { assetId: 'g/code', version: 2 },
    datasets: [{ assetId: 'g/images', version: 1, mountPath: '/data/images' }],
    model: { assetId: 'g/resnet', version: 3 },
    hyperparametersFile: 'conf/hp.yaml',
  };

  it('are kept with the job, and a rerun of a finished one runs on the very same versions', () => {
    const c = base().given(submit('j', 1, { kind: 'training', inputs }));
    expect(c.job('j').inputs).toEqual(inputs);
    c.given({ type: 'ReportJobStarted', jobId: 'j' }, { type: 'ReportJobFailed', jobId: 'j', reason: 'oom' });
    expect(c.status('j')).toBe('Error');
    const r = c.when(clone('j2', 'j'));
    expect(r.bodies[0]).toMatchObject({ type: 'JobSubmitted', jobId: 'j2', clonedFrom: 'j', inputs });
    expect(c.job('j2').inputs).toEqual(inputs);
  });

  it('name a hyperparameters file only inside a workspace', () => {
    const r = base().when(submit('j', 1, { kind: 'training', inputs: { hyperparametersFile: 'hp.yaml' } }));
    expect(r.rejection?.message).toBe('inputs.hyperparametersFile: a file in the workspace needs inputs.workspace');
    expect(base().when(submit('j', 1, { kind: 'training', inputs: { hyperparametersFile: '../hp.yaml' } })).rejection?.code).toBe(
      'invalid-command',
    );
  });

  it('leave the event as it always was when a job has none', () => {
    const r = base().when(submit('plain', 1));
    expect(Object.hasOwn(r.bodies[0] as object, 'inputs')).toBe(false);
  });
});

describe('notebooks and inferences', () => {
  it('a notebook runs an IDE (jupyter unless named); another kind names none', () => {
    const c = base().given(submit('nb', 1, { kind: 'notebook' }), submit('rs', 1, { kind: 'notebook', ide: 'rstudio' }));
    expect([c.job('nb').ide, c.job('rs').ide]).toEqual(['jupyter', 'rstudio']);
    expect(c.when(submit('t', 1, { kind: 'training', ide: 'vscode' })).rejection?.message).toMatch(/only a notebook runs an IDE/);
  });

  it('keeps the endpoint the runtime reports when it starts one', () => {
    const c = base().given(submit('inf', 1, { kind: 'inference' }));
    const r = c.when({ type: 'ReportJobStarted', jobId: 'inf', endpoint: 'http://n1:8080/v1/predict' });
    expect(r.bodies).toEqual([{ type: 'JobStarted', jobId: 'inf', endpoint: 'http://n1:8080/v1/predict' }]);
    expect(c.job('inf').endpoint).toBe('http://n1:8080/v1/predict');
    expect(c.when({ type: 'ReportJobStarted', jobId: 'inf', endpoint: 'not a url' } as never).rejection?.code).toBe(
      'invalid-command',
    );
  });
});

describe('a job that can never fit', () => {
  it('asking for more GPUs than its pool has is refused, saying what would fit', () => {
    const r = base().when(submit('j', 12));
    expect(r.rejection).toEqual({
      code: 'never-fits',
      message: "the job asks for 12 GPUs but pool 'p' has 8: ask for at most 8",
      details: { pool: 'p', poolGpus: 8 },
    });
  });

  it('asking for more GPUs per worker than any node has is refused with advice such as "use workers: 2"', () => {
    const r = base().when(submit('j', 8));
    expect(r.rejection).toEqual({
      code: 'never-fits',
      message: "the job needs a node with 8 GPUs, but pool 'p' has 0 such nodes (largest node: 4 GPUs); use workers: 2",
      details: { pool: 'p', largestNode: 4 },
    });
  });

  it('asking for more workers than the pool has nodes is refused', () => {
    const r = base().when(submit('j', 3, { workers: 3 }));
    expect(r.rejection?.code).toBe('never-fits');
    expect(r.rejection?.message).toBe(
      "the job needs 3 nodes with 1 GPU each, but pool 'p' has 2 such nodes (largest node: 4 GPUs); use workers: 1",
    );
  });

  it('advises spreading over more workers on a pool of small nodes', () => {
    const c = cluster().nodes(['s1', 's2', 's3'], 1).pool('p', 'A100', { take: 3 }).team('g', 'p', 'u');
    expect(c.when(submit('j', 2)).rejection).toEqual({
      code: 'never-fits',
      message: "the job needs a node with 2 GPUs, but pool 'p' has 0 such nodes (largest node: 1 GPU); use workers: 2",
      details: { pool: 'p', largestNode: 1 },
    });
  });

  it('counts busy and cordoned GPUs as GPUs the pool has: such a job waits instead', () => {
    const c = base().given(submit('a', 4)).given({ type: 'CordonNode', nodeId: 'n2' });
    const r = c.when(submit('j', 4, { workers: 2 }));
    expect(r.rejection).toBeUndefined();
    expect(c.status('j')).toBe('WaitingForGPUs');
  });

  it('in a pool without GPUs of its type is refused', () => {
    const c = cluster()
      .given(registerNode('n1', 4, 'A100'))
      .team('g', null, 'u')
      .pool('h', 'H100')
      .given(assignPool('g', 'h'));
    expect(c.when(submit('j', 1)).rejection).toEqual({
      code: 'never-fits',
      message: "pool 'h' has no H100 GPUs",
      details: { pool: 'h' },
    });
  });

  it('in an empty Default Pool is refused', () => {
    expect(cluster().when(submit('j', 1, { owner: 'admin' })).rejection).toEqual({
      code: 'never-fits',
      message: "pool 'Default Pool' has no GPUs",
      details: { pool: 'default' },
    });
  });
});

describe('submission checks', () => {
  it('gpus must divide evenly among workers', () => {
    const r = base().when(submit('j', 6, { workers: 4 }));
    expect(r.rejection).toEqual({ code: 'invalid-argument', message: 'gpus (6) must divide evenly among workers (4)' });
  });

  it('tags may fill the tag field, 256 characters', () => {
    expect(base().when(submit('j', 1, { tags: ['a'.repeat(256)] })).rejection).toBeUndefined();
    expect(base().when(submit('j', 1, { tags: ['a'.repeat(127), 'b'.repeat(128)] })).rejection).toBeUndefined();
  });

  it('tags beyond 256 characters (joined by commas) are refused', () => {
    const r = base().when(submit('j', 1, { tags: ['a'.repeat(128), 'b'.repeat(128)] }));
    expect(r.rejection).toEqual({
      code: 'invalid-argument',
      message: 'tags hold 257 characters; the tag field holds at most 256',
    });
  });

  it('tags are counted in characters, not UTF-16 units: 256 emoji fit, 257 do not', () => {
    // Each of these is one character but two UTF-16 units.
    expect(base().when(submit('j', 1, { tags: ['\u{1F680}'.repeat(256)] })).rejection).toBeUndefined();
    expect(base().when(submit('j', 1, { tags: ['\u{1F680}'.repeat(128), '\u{1F9EA}'.repeat(127)] })).rejection).toBeUndefined();
    expect(base().when(submit('j', 1, { tags: ['\u{1F680}'.repeat(257)] })).rejection).toEqual({
      code: 'invalid-argument',
      message: 'tags hold 257 characters; the tag field holds at most 256',
    });
  });

  it('a GPU type other than the pool type is refused', () => {
    const r = base().when(submit('j', 1, { gpuType: 'H100' }));
    expect(r.rejection).toEqual({ code: 'gpu-type-mismatch', message: "pool 'p' holds A100; the job asks for H100" });
  });
});

describe('a mixed pool', () => {
  const mixed = () =>
    cluster().given(registerNode('a1', 4, 'A100'), registerNode('h1', 2, 'H100'), registerNode('h2', 2, 'H100'));

  it('needs the job to name a GPU type', () => {
    const r = mixed().when(submit('j', 1, { owner: 'admin' }));
    expect(r.rejection).toEqual({
      code: 'gpu-type-required',
      message: "pool 'Default Pool' holds several GPU types (A100, H100): name one with gpuType",
    });
  });

  it('places a job on the type it names', () => {
    const c = mixed();
    c.when(submit('j', 2, { owner: 'admin', gpuType: 'H100' }));
    expect(c.devicesOf('j')).toEqual(devs('h1', 0, 1));
  });

  it('judges whether a job can ever fit by its type alone', () => {
    const r = mixed().when(submit('j', 3, { owner: 'admin', gpuType: 'H100' }));
    expect(r.rejection).toEqual({
      code: 'never-fits',
      message: "the job needs a node with 3 GPUs, but pool 'Default Pool' has 0 such nodes (largest node: 2 GPUs)",
      details: { pool: 'default', largestNode: 2 },
    });
  });

  it('refuses a type it does not hold', () => {
    const r = mixed().when(submit('j', 1, { owner: 'admin', gpuType: 'V100' }));
    expect(r.rejection).toEqual({
      code: 'never-fits',
      message: "pool 'Default Pool' has no V100 GPUs",
      details: { pool: 'default' },
    });
  });

  it('with one type left needs no type named', () => {
    const c = cluster().given(registerNode('a1', 4, 'A100'));
    expect(c.when(submit('j', 1, { owner: 'admin' })).rejection).toBeUndefined();
    expect(c.devicesOf('j')).toEqual(['a1/0']);
  });
});

describe("a job belongs to its owner's group at submission", () => {
  it('and stays there when its owner moves', () => {
    const c = base()
      .team('h', null)
      .given(submit('a', 8, { workers: 2 }))
      .given(submit('j', 4))
      .given(moveUser('u', 'h'));
    expect(c.job('j').group).toBe('g');
    c.given(completed('a'));
    expect(c.job('j').allocation?.pool).toBe('p');
    c.given(submit('k', 1));
    expect(c.job('k').group).toBe('h');
  });
});

describe('a job of a group with no pool', () => {
  it('waits with reason no-pool', () => {
    const c = cluster().nodes('n1', 4).team('g', null, 'u');
    const r = c.when(submit('j', 2));
    expect(r.bodies[1]).toEqual({
      type: 'JobWaiting',
      jobId: 'j',
      reason: {
        code: 'no-pool',
        message: "group 'g' has no pool: an operator must assign one before this job can start",
        needs: { gpus: 2, workers: 1, gpusPerWorker: 2, gpuType: null },
        freeGpus: 0,
        largestFreeBlockPerNode: 0,
        jobsAhead: 0,
        pool: null,
      },
    });
  });

  it('starts once a pool is assigned', () => {
    const c = cluster().nodes('n1', 4).pool('p', 'A100', { take: 4 }).team('g', null, 'u').given(submit('j', 2));
    const r = c.when(assignPool('g', 'p'));
    expect(r.bodies).toEqual([
      { type: 'PoolAssigned', groupId: 'g', poolId: 'p' },
      { type: 'JobAllocated', jobId: 'j', poolId: 'p', devices: devs('n1', 0, 1), shared: [], nodes: ['n1'] },
    ]);
  });

  it('waits for GPUs when the pool assigned is too small for it', () => {
    const c = cluster().nodes('n1', 4).pool('p', 'A100', { take: 2 }).team('g', null, 'u').given(submit('j', 4));
    c.when(assignPool('g', 'p'));
    expect(c.status('j')).toBe('WaitingForGPUs');
    expect(explainJob(c.state, 'j')?.code).toBe('never-fits');
  });
});

describe('a job of 0 GPUs', () => {
  it('is allocated no devices and starts at once, even when its pool is full', () => {
    const c = base().given(submit('big', 8, { workers: 2 }));
    const r = c.when(submit('cpu', 0, { kind: 'preprocessing' }));
    expect(r.bodies[1]).toEqual({ type: 'JobAllocated', jobId: 'cpu', poolId: 'p', devices: [], shared: [], nodes: [] });
    c.given(started('cpu'));
    expect(c.status('cpu')).toBe('Running');
  });

  it('is accepted in a pool without GPUs', () => {
    const c = cluster();
    expect(c.when(submit('cpu', 0, { owner: 'admin' })).types).toEqual(['JobSubmitted', 'JobAllocated']);
  });

  it('is not held behind a blocked head', () => {
    const c = base().given(submit('a', 3), submit('b', 3)).given(submit('head', 4), submit('cpu', 0));
    expect(c.status('head')).toBe('WaitingForGPUs');
    expect(c.status('cpu')).toBe('Starting');
  });
});
