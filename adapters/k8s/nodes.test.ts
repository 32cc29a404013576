/**
 * Node inventory, the pure part: how a Kubernetes Node reads (GPUs from allocatable, type from a
 * label, cordon, readiness) and which command brings gpupool's node in step with it. The watch
 * itself is tested against the fake API server in kubernetes.e2e.test.ts.
 */
import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { given, install, registerNode } from '../../core/cluster/test-support/given.js';
import { nodeCommand, observeNode } from './nodes.js';

function k8sNode(
  name: string,
  opts: { gpus?: string; product?: string; unschedulable?: boolean; ready?: string; since?: string; rv?: string } = {},
): V1Node {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: opts.rv ?? '7',
      labels: {
        'kubernetes.io/hostname': name,
        'team.example.com/owner': 'ml',
        ...(opts.product ? { 'nvidia.com/gpu.product': opts.product } : {}),
      },
    },
    spec: opts.unschedulable ? { unschedulable: true } : {},
    status: {
      allocatable: { cpu: '64', ...(opts.gpus === undefined ? {} : { 'nvidia.com/gpu': opts.gpus }) },
      conditions: [
        {
          type: 'Ready',
          status: opts.ready ?? 'True',
          ...(opts.since ? { lastTransitionTime: opts.since as unknown as Date } : {}),
        },
      ],
    },
  };
}

const read = (node: V1Node) => observeNode(node, {});

describe('reading a Kubernetes node', () => {
  it('counts allocatable GPUs, types them by the product label, keeps every label (a node selector may name any)', () => {
    const o = read(k8sNode('gpu-1', { gpus: '8', product: 'NVIDIA-A100-SXM4-80GB' }));
    expect(o).toMatchObject({ name: 'gpu-1', gpus: 8, gpuType: 'NVIDIA-A100-SXM4-80GB', cordoned: false, ready: true });
    expect(o.labels).toEqual({
      'kubernetes.io/hostname': 'gpu-1',
      'team.example.com/owner': 'ml',
      'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB',
    });
  });

  it('reads a configured resource and label, and a default type when the label is missing', () => {
    const node = k8sNode('amd-1', {});
    node.status = { ...node.status, allocatable: { 'amd.com/gpu': '4' } };
    const o = observeNode(node, {
      gpuResource: 'amd.com/gpu',
      gpuTypeLabel: 'amd.com/gpu.product-name',
      defaultGpuType: 'MI250',
    });
    expect(o).toMatchObject({ gpus: 4, gpuType: 'MI250' });
  });

  it('names a GPU count that is not a whole number, and counts it as none', () => {
    const problems: string[] = [];
    expect(observeNode(k8sNode('odd', { gpus: '1500m' }), {}, problems).gpus).toBe(0);
    expect(problems).toEqual([`node 'odd': nvidia.com/gpu allocatable is "1500m", not a whole number; counted as 0`]);
  });

  it('reads cordon and readiness, with the time a NotReady node went so', () => {
    const o = read(k8sNode('n', { gpus: '2', unschedulable: true, ready: 'Unknown', since: '2026-12-01T10:00:00Z' }));
    expect(o).toMatchObject({ cordoned: true, ready: false, notReadySince: Date.parse('2026-12-01T10:00:00Z') / 1000 });
  });
});

describe('the command that brings gpupool in step', () => {
  const fresh = () => given(install());
  const GRACE = 60;

  it('registers a new GPU node with its devices and an id derived from the object', () => {
    const o = read(k8sNode('gpu-1', { gpus: '2', product: 'H100', rv: '41' }));
    expect(nodeCommand(fresh().state, 'gpu-1', o, 0, GRACE)).toEqual({
      type: 'RegisterNode',
      nodeId: 'gpu-1',
      name: 'gpu-1',
      labels: o.labels,
      devices: [
        { index: 0, gpuType: 'H100' },
        { index: 1, gpuType: 'H100' },
      ],
      commandId: 'k8s-nodes:uid-gpu-1:41:registered',
    });
  });

  it('leaves a node without GPUs out, and a registered one in step alone', () => {
    expect(nodeCommand(fresh().state, 'cpu-1', read(k8sNode('cpu-1')), 0, GRACE)).toBeNull();
    const o = read(k8sNode('gpu-1', { gpus: '2', product: 'H100' }));
    const c = fresh().given(registerNode('gpu-1', 2, 'H100', { labels: o.labels }));
    expect(nodeCommand(c.state, 'gpu-1', o, 0, GRACE)).toBeNull();
  });

  it('registers again when the count or the type changed', () => {
    const o = read(k8sNode('gpu-1', { gpus: '2', product: 'H100' }));
    const c = fresh().given(registerNode('gpu-1', 2, 'H100', { labels: o.labels }));
    expect(nodeCommand(c.state, 'gpu-1', read(k8sNode('gpu-1', { gpus: '1', product: 'H100' })), 0, GRACE)?.type).toBe(
      'RegisterNode',
    );
    expect(nodeCommand(c.state, 'gpu-1', read(k8sNode('gpu-1', { gpus: '2', product: 'A100' })), 0, GRACE)?.type).toBe(
      'RegisterNode',
    );
  });

  it('cordons and uncordons as spec.unschedulable says', () => {
    const o = read(k8sNode('gpu-1', { gpus: '2', product: 'H100', unschedulable: true }));
    const c = fresh().given(registerNode('gpu-1', 2, 'H100', { labels: o.labels }));
    expect(nodeCommand(c.state, 'gpu-1', o, 0, GRACE)).toMatchObject({ type: 'CordonNode', nodeId: 'gpu-1' });
    c.given({ type: 'CordonNode', nodeId: 'gpu-1' });
    const back = read(k8sNode('gpu-1', { gpus: '2', product: 'H100', rv: '9' }));
    expect(nodeCommand(c.state, 'gpu-1', back, 0, GRACE)).toMatchObject({
      type: 'UncordonNode',
      commandId: 'k8s-nodes:uid-gpu-1:9:uncordoned',
    });
  });

  it('loses a node NotReady past its grace, or deleted, and registers it again when it comes back', () => {
    const since = Date.parse('2026-12-01T10:00:00Z') / 1000;
    const ready = read(k8sNode('gpu-1', { gpus: '2', product: 'H100' }));
    const c = fresh().given(registerNode('gpu-1', 2, 'H100', { labels: ready.labels }));
    const notReady = read(k8sNode('gpu-1', { gpus: '2', product: 'H100', ready: 'False', since: '2026-12-01T10:00:00Z' }));
    expect(nodeCommand(c.state, 'gpu-1', notReady, since + GRACE - 1, GRACE)).toBeNull();
    expect(nodeCommand(c.state, 'gpu-1', notReady, since + GRACE, GRACE)).toMatchObject({ type: 'LoseNode', nodeId: 'gpu-1' });
    expect(nodeCommand(c.state, 'gpu-1', { ...ready, deleted: true }, 0, GRACE)).toMatchObject({ type: 'LoseNode' });
    expect(nodeCommand(c.state, 'gpu-1', undefined, 0, GRACE)).toMatchObject({
      type: 'LoseNode',
      commandId: `k8s-nodes:gpu-1:absent@${c.state.revision}:lost`,
    });
    c.given({ type: 'LoseNode', nodeId: 'gpu-1' });
    expect(nodeCommand(c.state, 'gpu-1', undefined, 0, GRACE)).toBeNull();
    expect(nodeCommand(c.state, 'gpu-1', ready, 0, GRACE)?.type).toBe('RegisterNode');
  });
});
