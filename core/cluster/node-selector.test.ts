/**
 * Node selectors: a job that names labels runs only on nodes that carry them, in every placement
 * mode and policy; it waits (with a reason that says so) while only other nodes are free, and is
 * refused when no node of its pool with those labels could ever hold it.
 */
import { describe, expect, it } from 'vitest';
import { decodeCommand } from './commands.js';
import { forkState } from './forecast.js';
import type { PlacementMode, Policy } from './model.js';
import { MAX_SELECTOR_LABELS } from './node-selector.js';
import { explainJob } from './queries.js';
import { fromSnapshot, toSnapshot } from './snapshot.js';
import { clone, cluster, completed, registerNode, submit } from './test-support/given.js';

const ZONE_A = { zone: 'a' };

/**
 * Pool 'p' of nodes a1 (zone a), b1 (zone b) and b2 (zone b, an SSD), 4 A100 each, serving group
 * 'g' with user 'u'. Best-fit without a selector takes a1 first (ids in order, all equally free).
 */
const zones = (opts: { policy?: Policy; placement?: PlacementMode } = {}) =>
  cluster()
    .given(
      registerNode('a1', 4, 'A100', { labels: ZONE_A }),
      registerNode('b1', 4, 'A100', { labels: { zone: 'b' } }),
      registerNode('b2', 4, 'A100', { labels: { zone: 'b', disk: 'ssd' } }),
    )
    .pool('p', 'A100', { take: 12, ...opts })
    .team('g', 'p', 'u');

const nodesOf = (c: ReturnType<typeof zones>, id: string) => c.job(id).allocation?.nodes;

describe('a job with a node selector', () => {
  it('is placed only on nodes with its labels, in node and in count placement', () => {
    for (const placement of ['node', 'count'] as const) {
      const c = zones({ placement });
      c.given(
        submit('any', 2),
        submit('b', 4, { nodeSelector: { zone: 'b' } }),
        submit('ssd', 2, { nodeSelector: { disk: 'ssd' } }),
      );
      expect(nodesOf(c, 'any')).toEqual(['a1']);
      expect(nodesOf(c, 'b')).toEqual(['b1']);
      expect(nodesOf(c, 'ssd')).toEqual(['b2']);
    }
  });

  it('needs every label of its selector, with the same value', () => {
    const c = zones().given(submit('both', 2, { nodeSelector: { zone: 'b', disk: 'ssd' } }));
    expect(nodesOf(c, 'both')).toEqual(['b2']);
    const r = zones().when(submit('none', 2, { nodeSelector: { zone: 'a', disk: 'ssd' } }));
    expect(r.rejection?.code).toBe('never-fits');
  });

  it('waits while only other nodes are free, says why, and starts when a matching node frees up', () => {
    const c = zones().given(submit('filler', 4, { nodeSelector: ZONE_A }));
    c.given(submit('a-job', 1, { nodeSelector: ZONE_A }));
    expect(c.status('a-job')).toBe('WaitingForGPUs');
    const reason = explainJob(c.state, 'a-job');
    expect(reason?.code).toBe('not-enough-free-gpus');
    expect(reason?.freeGpus).toBe(0); // the zone-b nodes' 8 free GPUs are not its to use
    expect(reason?.message).toContain("needs 1 A100 GPU on nodes labelled zone=a; pool 'p' has 0 free there");
    const r = c.when(completed('filler'));
    expect(r.bodies).toContainEqual(expect.objectContaining({ type: 'JobAllocated', jobId: 'a-job', nodes: ['a1'] }));
  });

  it('holds later jobs behind it under fifo only while it could start on its own nodes', () => {
    const c = zones().given(submit('filler', 4, { nodeSelector: ZONE_A }));
    c.given(submit('head', 2, { nodeSelector: ZONE_A }), submit('next', 2));
    // fifo: the head could start once a1 frees up, so the job behind it waits though b1 is free.
    expect([c.status('head'), c.status('next')]).toEqual(['WaitingForGPUs', 'WaitingForGPUs']);
    expect(c.job('next').reason?.code).toBe('blocked-behind-head');
  });

  it('is refused when no node of its pool has its labels, or when those nodes are too small', () => {
    const missing = zones().when(submit('x', 1, { nodeSelector: { zone: 'c' } }));
    expect(missing.rejection?.code).toBe('never-fits');
    expect(missing.rejection?.message).toContain("no node of pool 'p' with A100 GPUs is labelled zone=c");
    const small = zones().when(submit('y', 8, { nodeSelector: { zone: 'b' } }));
    expect(small.rejection?.code).toBe('never-fits');
    expect(small.rejection?.message).toContain("pool 'p' on nodes labelled zone=b");
    // Eight GPUs as two workers of four fit the two zone-b nodes.
    expect(zones().when(submit('z', 8, { workers: 2, nodeSelector: { zone: 'b' } })).rejection).toBeUndefined();
  });

  it('never fits as the pool stands once its nodes are relabelled, and then holds nobody back', () => {
    const c = zones().given(
      submit('filler', 4, { nodeSelector: ZONE_A }),
      submit('a-job', 4, { nodeSelector: ZONE_A }),
      submit('later', 2),
    );
    expect(c.status('later')).toBe('WaitingForGPUs'); // behind the head that waits for a1
    c.given(registerNode('a1', 4, 'A100', { labels: { zone: 'c' } }));
    expect(c.job('a-job').status).toBe('WaitingForGPUs');
    expect(explainJob(c.state, 'a-job')?.code).toBe('never-fits');
    expect(nodesOf(c, 'later')).toEqual(['b1']);
    // The job placed there before the labels changed keeps its GPUs (ignored during execution).
    expect(c.status('filler')).toBe('Starting');
    expect(nodesOf(c, 'filler')).toEqual(['a1']);
  });

  it('keeps its selector in a clone, in a snapshot and in a forecast', () => {
    const c = zones().given(submit('src', 2, { nodeSelector: { zone: 'b' } }), clone('copy', 'src'));
    expect(c.job('copy').nodeSelector).toEqual({ zone: 'b' });
    expect(nodesOf(c, 'copy')).toEqual(['b1']);
    // A clone may name other labels, or none ({}: any node).
    c.given({ type: 'CloneJob', jobId: 'ssd-copy', sourceJobId: 'src', nodeSelector: { disk: 'ssd' } });
    expect([c.job('ssd-copy').nodeSelector, nodesOf(c, 'ssd-copy')]).toEqual([{ disk: 'ssd' }, ['b2']]);
    c.given({ type: 'CloneJob', jobId: 'any-copy', sourceJobId: 'src', nodeSelector: {} });
    // Best-fit on any node: b2, with 2 free, before a1 with 4.
    expect([c.job('any-copy').nodeSelector, nodesOf(c, 'any-copy')]).toEqual([null, ['b2']]);
    const restored = fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(c.state))));
    expect(restored.jobs.get('src')?.nodeSelector).toEqual({ zone: 'b' });
    expect(restored.jobs.get('copy')?.nodeSelector).toEqual({ zone: 'b' });
    expect(forkState(c.state).jobs.get('copy')?.nodeSelector).toEqual({ zone: 'b' });
    // A job without one has none everywhere.
    c.given(submit('plain', 1));
    expect(fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(c.state)))).jobs.get('plain')?.nodeSelector).toBeNull();
  });

  it('an empty selector is no selector: the event keeps the shape of a job without one', () => {
    const r = zones().when(submit('e', 1, { nodeSelector: {} }));
    expect(r.bodies[0]).not.toHaveProperty('nodeSelector');
    const s = zones().when(submit('s', 1, { nodeSelector: { zone: 'b', disk: 'ssd' } }));
    expect(s.bodies[0]).toMatchObject({ nodeSelector: { disk: 'ssd', zone: 'b' } });
  });
});

describe('backfill and a reserved job with a node selector', () => {
  it('lets a later job start on nodes outside the reserved job’s selector, in count and node placement', () => {
    for (const placement of ['node', 'count'] as const) {
      const c = zones({ policy: 'backfill', placement }).given(
        submit('long', 3, { nodeSelector: { zone: 'b' }, expectedDuration: 1000 }),
        submit('long2', 3, { nodeSelector: { disk: 'ssd' }, expectedDuration: 1000 }),
      );
      expect([nodesOf(c, 'long'), nodesOf(c, 'long2')]).toEqual([['b1'], ['b2']]);
      // The head needs all eight zone-b GPUs, free at 1000: it waits and reserves them.
      c.given(submit('head', 8, { nodeSelector: { zone: 'b' }, workers: placement === 'node' ? 2 : 1, expectedDuration: 10 }));
      expect(c.status('head')).toBe('WaitingForGPUs');
      // A job without an expected end, which would delay the head if it took a zone-b GPU, may
      // still start on a1, which the head cannot use.
      c.given(submit('free-rider', 4));
      expect(nodesOf(c, 'free-rider')).toEqual(['a1']);
      // One that would take a zone-b GPU may not: it waits behind the head's reservation.
      c.given(submit('zone-b-rider', 1, { nodeSelector: { zone: 'b' } }));
      expect(c.status('zone-b-rider')).toBe('WaitingForGPUs');
    }
  });
});

describe('the node selector codec', () => {
  /** A submission with this node selector, decoded: its error message, or '' when it decodes. */
  const problemWith = (nodeSelector: unknown): string => {
    const d = decodeCommand({ type: 'SubmitJob', jobId: 'j', kind: 'training', owner: 'u', gpus: 1, nodeSelector });
    return d.ok ? '' : d.message;
  };

  it('names the label that is wrong', () => {
    expect(problemWith({ zone: 7 })).toContain('SubmitJob.nodeSelector.zone');
    expect(problemWith({ 'a\nb': 'x' })).toContain('label key');
    const many = Object.fromEntries(Array.from({ length: MAX_SELECTOR_LABELS + 1 }, (_, i) => [`k${i}`, 'v']));
    expect(problemWith(many)).toContain(`at most ${MAX_SELECTOR_LABELS} labels`);
    expect(problemWith(['zone=a'])).toContain('an object of node labels');
    expect(problemWith({ 'topology.kubernetes.io/zone': 'eu-1a', empty: '' })).toBe('');
  });

  it('keeps a label named __proto__ or constructor as a label, matched only by a node that has it', () => {
    const odd = JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, string>;
    expect(problemWith(odd)).toBe('');
    const r = zones().when(submit('odd', 1, { nodeSelector: odd }));
    expect(r.rejection?.code).toBe('never-fits'); // no node has them, whatever objects inherit
    const c = zones().given(
      registerNode('b1', 4, 'A100', { labels: JSON.parse('{"zone": "b", "__proto__": "x", "constructor": "y"}') }),
    );
    c.given(submit('odd', 1, { nodeSelector: odd }));
    expect(Object.keys(c.job('odd').nodeSelector ?? {})).toEqual(['__proto__', 'constructor']);
    expect(nodesOf(c, 'odd')).toEqual(['b1']);
  });
});
