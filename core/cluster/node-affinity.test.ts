/**
 * Required node affinity: a job runs only on nodes that satisfy one of its terms (each term's
 * requirements all), with Kubernetes' operators; with a node selector too, a node must satisfy
 * both. Every fit rule reads it through the same capacity view as a selector, so it waits,
 * explains and is refused as a selector job is.
 */
import { describe, expect, it } from 'vitest';
import { decodeCommand } from './commands.js';
import { forkState } from './forecast.js';
import type { PlacementMode } from './model.js';
import { affinityMatches, type NodeAffinity, type NodeRequirement } from './node-affinity.js';
import { explainJob } from './queries.js';
import { fromSnapshot, toSnapshot } from './snapshot.js';
import { clone, cluster, completed, registerNode, submit } from './test-support/given.js';

/**
 * Pool 'p' of nodes a1 (zone a, 40 GB), b1 (zone b, 80 GB) and b2 (zone b, an SSD, no memory
 * label), 4 A100 each, serving group 'g' with user 'u'. Best-fit with no rules takes a1 first.
 */
const zones = (opts: { placement?: PlacementMode } = {}) =>
  cluster()
    .given(
      registerNode('a1', 4, 'A100', { labels: { zone: 'a', 'gpu-mem': '40' } }),
      registerNode('b1', 4, 'A100', { labels: { zone: 'b', 'gpu-mem': '80' } }),
      registerNode('b2', 4, 'A100', { labels: { zone: 'b', disk: 'ssd' } }),
    )
    .pool('p', 'A100', { take: 12, ...opts })
    .team('g', 'p', 'u');

const nodesOf = (c: ReturnType<typeof zones>, id: string) => c.job(id).allocation?.nodes;
const term = (...matchExpressions: NodeRequirement[]) => ({ matchExpressions });
const req = (key: string, operator: NodeRequirement['operator'], ...values: string[]): NodeRequirement => ({
  key,
  operator,
  values,
});

describe('a job with a required node affinity', () => {
  it('runs only where a term holds, for every operator, in node and in count placement', () => {
    const cases: [NodeAffinity, string[]][] = [
      [[term(req('zone', 'In', 'b', 'c'))], ['b1', 'b2']],
      [[term(req('zone', 'NotIn', 'a'))], ['b1', 'b2']],
      [[term(req('disk', 'Exists'))], ['b2']],
      [[term(req('disk', 'DoesNotExist'))], ['a1', 'b1']],
      [[term(req('gpu-mem', 'Gt', '50'))], ['b1']],
      [[term(req('gpu-mem', 'Lt', '50'))], ['a1']],
      // A term's requirements all hold; any one term will do.
      [[term(req('zone', 'In', 'b'), req('disk', 'DoesNotExist'))], ['b1']],
      [
        [term(req('disk', 'Exists')), term(req('gpu-mem', 'Lt', '50'))],
        ['a1', 'b2'],
      ],
    ];
    for (const placement of ['node', 'count'] as const) {
      for (const [nodeAffinity, allowed] of cases) {
        // Three jobs of 4: each takes a whole node, so together they try every node they may use.
        const c = zones({ placement }).given(...['j1', 'j2', 'j3'].map((id) => submit(id, 4, { nodeAffinity: nodeAffinity })));
        const used = ['j1', 'j2', 'j3'].flatMap((id) => nodesOf(c, id) ?? []);
        expect(used.sort(), JSON.stringify(nodeAffinity)).toEqual(allowed);
        const waiting = ['j1', 'j2', 'j3'].filter((id) => c.status(id) === 'WaitingForGPUs');
        expect(waiting).toHaveLength(3 - allowed.length);
      }
    }
  });

  it('and a node selector: a node must satisfy both', () => {
    const c = zones().given(submit('x', 4, { nodeSelector: { zone: 'b' }, nodeAffinity: [term(req('gpu-mem', 'Exists'))] }));
    expect(nodesOf(c, 'x')).toEqual(['b1']);
    const r = zones().when(submit('y', 1, { nodeSelector: { zone: 'a' }, nodeAffinity: [term(req('disk', 'Exists'))] }));
    expect(r.rejection?.code).toBe('never-fits');
    expect(r.rejection?.message).toContain("no node of pool 'p' with A100 GPUs is labelled zone=a and matching disk Exists");
  });

  it('waits while only other nodes are free, says why in its own words, and starts when one frees up', () => {
    const ssd = [term(req('disk', 'In', 'ssd', 'nvme'))];
    const c = zones().given(submit('filler', 4, { nodeAffinity: ssd }), submit('next', 1, { nodeAffinity: ssd }));
    expect(c.status('next')).toBe('WaitingForGPUs');
    const reason = explainJob(c.state, 'next');
    expect(reason?.code).toBe('not-enough-free-gpus');
    expect(reason?.message).toContain("needs 1 A100 GPU on nodes matching disk In (ssd, nvme); pool 'p' has 0 free there");
    expect(c.when(completed('filler')).bodies).toContainEqual(
      expect.objectContaining({ type: 'JobAllocated', jobId: 'next', nodes: ['b2'] }),
    );
  });

  it('is refused when no node satisfies it, naming the terms; too small a share is refused too', () => {
    const none = zones().when(submit('x', 1, { nodeAffinity: [term(req('zone', 'In', 'c')), term(req('gpu-mem', 'Gt', '80'))] }));
    expect(none.rejection?.code).toBe('never-fits');
    expect(none.rejection?.message).toContain('is matching (zone In (c)) or (gpu-mem > 80)');
    const small = zones().when(submit('y', 8, { nodeAffinity: [term(req('zone', 'NotIn', 'a'), req('disk', 'DoesNotExist'))] }));
    expect(small.rejection?.code).toBe('never-fits');
    expect(small.rejection?.message).toContain("pool 'p' on nodes matching zone NotIn (a), disk DoesNotExist has 4");
  });

  it('is kept in the event, a clone, a snapshot and a forecast; a clone may drop it with []', () => {
    const affinity = [term(req('zone', 'In', 'b'))];
    const c = zones().given(submit('src', 2, { nodeAffinity: affinity }), clone('copy', 'src'));
    expect(c.job('copy').nodeAffinity).toEqual(affinity);
    expect(nodesOf(c, 'copy')).toEqual(['b1']);
    c.given({ type: 'CloneJob', jobId: 'free', sourceJobId: 'src', nodeAffinity: [] });
    expect(c.job('free').nodeAffinity).toBeNull();
    const restored = fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(c.state))));
    expect(restored.jobs.get('copy')?.nodeAffinity).toEqual(affinity);
    expect(restored.jobs.get('free')?.nodeAffinity).toBeNull();
    expect(forkState(c.state).jobs.get('copy')?.nodeAffinity).toEqual(affinity);
    // Exists without values is written as Kubernetes writes it; the log lists none.
    const r = zones().when(submit('e', 1, { nodeAffinity: [{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }] }));
    expect(r.bodies[0]).toMatchObject({
      nodeAffinity: [{ matchExpressions: [{ key: 'disk', operator: 'Exists', values: [] }] }],
    });
    // No terms is no affinity: the event keeps the shape of a job without one.
    expect(zones().when(submit('n', 1, { nodeAffinity: [] })).bodies[0]).not.toHaveProperty('nodeAffinity');
  });
});

describe('matching', () => {
  const node = (labels: Record<string, string>) => ({ labels });

  it('compares Gt and Lt as integers, any size, and never a value that is not one', () => {
    const gt = [term(req('n', 'Gt', '9'))];
    expect(affinityMatches(node({ n: '10' }), gt)).toBe(true); // not as text: '10' < '9'
    expect(affinityMatches(node({ n: '9' }), gt)).toBe(false);
    expect(affinityMatches(node({ n: '+12' }), gt)).toBe(true);
    expect(affinityMatches(node({ n: 'ten' }), gt)).toBe(false);
    expect(affinityMatches(node({ n: '1.5e3' }), gt)).toBe(false);
    expect(affinityMatches(node({}), gt)).toBe(false);
    const big = [term(req('n', 'Lt', '9007199254740993'))];
    expect(affinityMatches(node({ n: '9007199254740992' }), big)).toBe(true); // past 2^53, still exact
  });

  it('reads own labels only: a key named constructor or __proto__ is absent unless the node has it', () => {
    const exists = [term(req('constructor', 'Exists'))];
    expect(affinityMatches(node({}), exists)).toBe(false);
    expect(affinityMatches(node({}), [term(req('__proto__', 'DoesNotExist'))])).toBe(true);
    expect(affinityMatches(node(JSON.parse('{"constructor": "x"}')), exists)).toBe(true);
  });
});

describe('the node affinity codec', () => {
  /** A submission with this affinity, decoded: its error message, or '' when it decodes. */
  const problemWith = (nodeAffinity: unknown): string => {
    const d = decodeCommand({ type: 'SubmitJob', jobId: 'j', kind: 'training', owner: 'u', gpus: 1, nodeAffinity });
    return d.ok ? '' : d.message;
  };
  const one = (r: unknown) => [{ matchExpressions: [r] }];

  it('checks values by operator, as the Kubernetes API server does, and names where the problem is', () => {
    expect(problemWith(one({ key: 'zone', operator: 'In', values: [] }))).toContain(
      'SubmitJob.nodeAffinity.0.matchExpressions.0.values',
    );
    expect(problemWith(one({ key: 'zone', operator: 'In', values: [] }))).toContain('one or more values for In');
    expect(problemWith(one({ key: 'zone', operator: 'Exists', values: ['a'] }))).toContain('no values for Exists');
    expect(problemWith(one({ key: 'n', operator: 'Gt', values: ['4.5'] }))).toContain('exactly one integer value for Gt');
    expect(problemWith(one({ key: 'n', operator: 'Lt', values: ['1', '2'] }))).toContain('exactly one integer value for Lt');
    expect(problemWith(one({ key: 'zone', operator: 'in', values: ['a'] }))).toContain('.operator');
    expect(problemWith(one({ key: '', operator: 'Exists' }))).toContain('.key');
    expect(problemWith(one({ key: 'z', operator: 'Exists', value: 'a' }))).toContain('matchExpressions.0.value');
  });

  it('refuses an empty term (it would match no node), matchFields, and a list past its bounds', () => {
    expect(problemWith([{ matchExpressions: [] }])).toContain('SubmitJob.nodeAffinity.0.matchExpressions');
    expect(problemWith([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }])).toContain(
      'no matchFields',
    );
    expect(problemWith(Array.from({ length: 17 }, () => one({ key: 'z', operator: 'Exists' })[0]))).toContain(
      'at most 16 node selector terms',
    );
    expect(problemWith({ matchExpressions: [] })).toContain('a list of');
  });

  it('takes what Kubernetes users write', () => {
    expect(
      problemWith([
        { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-1a', 'eu-1b'] }] },
        {
          matchExpressions: [
            { key: 'gpu-mem', operator: 'Gt', values: ['40'] },
            { key: 'spot', operator: 'DoesNotExist' },
          ],
        },
      ]),
    ).toBe('');
  });
});
