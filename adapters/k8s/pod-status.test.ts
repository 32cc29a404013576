/**
 * The verdict on a job from its pods, table-driven: every failure reason Kubernetes gives, the
 * stuck-waiting timeout, started and completed, and final metrics from the termination message.
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Id } from '../../core/codec.js';
import { judgePods, type PodsVerdict, safeReason, stuckContainers, terminationMetrics } from './pod-status.js';

type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

function pod(
  phase: Phase,
  main: V1ContainerStatus['state'] = {},
  extra: { reason?: string; message?: string; init?: V1ContainerStatus['state']; name?: string } = {},
): V1Pod {
  return {
    metadata: { name: extra.name ?? 'p-w0', namespace: 'default' },
    status: {
      phase,
      ...(extra.reason ? { reason: extra.reason } : {}),
      ...(extra.message ? { message: extra.message } : {}),
      ...(extra.init
        ? {
            initContainerStatuses: [
              { name: 'fetch-workspace', image: 'g', imageID: '', ready: false, restartCount: 0, state: extra.init },
            ],
          }
        : {}),
      containerStatuses: [{ name: 'main', image: 'i', imageID: '', ready: phase === 'Running', restartCount: 0, state: main }],
    },
  };
}

const terminated = (exitCode: number, reason?: string, message?: string) => ({
  terminated: { exitCode, ...(reason ? { reason } : {}), ...(message ? { message } : {}), finishedAt: new Date(5_000) },
});
const waiting = (reason: string) => ({ waiting: { reason } });

const NOW = 1_000_000;

describe('failures', () => {
  const cases: [string, V1Pod, string, RegExp][] = [
    ['exit code', pod('Failed', terminated(3, 'Error')), 'Error', /exit code 3/],
    ['exit code with a message', pod('Failed', terminated(1, 'Error', 'boom')), 'Error', /exit code 1: boom/],
    ['OOMKilled', pod('Failed', terminated(137, 'OOMKilled')), 'OOMKilled', /out of memory/],
    ['Evicted', pod('Failed', {}, { reason: 'Evicted', message: 'The node was low on memory.' }), 'Evicted', /low on memory/],
    // Its containers' exit (the kill's) is not why it failed.
    [
      'past its deadline',
      {
        ...pod('Failed', terminated(137, 'Error'), { reason: 'DeadlineExceeded', message: 'Pod was active too long' }),
        spec: { containers: [], activeDeadlineSeconds: 60 },
      },
      'DeadlineExceeded',
      /ran past its deadline of 60 s: Pod was active too long/,
    ],
    ['another terminated reason', pod('Failed', terminated(128, 'ContainerCannotRun')), 'ContainerCannotRun', /exit code 128/],
    [
      'an init container',
      pod('Failed', waiting('PodInitializing'), { init: terminated(2, 'Error') }),
      'InputFetchFailed',
      /fetch-workspace: exit code 2/,
    ],
    ['a failed pod that says nothing', pod('Failed'), 'PodFailed', /failed/],
    ['a pod reason the Id codec refuses', pod('Failed', {}, { reason: 'bad\u0000reason' }), 'PodFailed', /failed/],
  ];
  it.each(cases)('%s', (_, p, reason, message) => {
    const v = judgePods([p], 1, NOW);
    expect(v).toMatchObject({ kind: 'failed', reason });
    expect((v as { message: string }).message).toMatch(message);
    expect(Id.is((v as { reason: string }).reason)).toBe(true);
  });

  const stuck: [string, string][] = [
    ['ImagePullBackOff', 'ImagePullBackOff'],
    ['ErrImagePull', 'ImagePullBackOff'],
    ['InvalidImageName', 'InvalidImageName'],
    ['CreateContainerConfigError', 'CreateContainerConfigError'],
  ];
  it.each(stuck)('waiting in %s fails the job %s only after the timeout', (waitReason, reason) => {
    const p = pod('Pending', waiting(waitReason));
    const [key] = stuckContainers(p).map((s) => s.key);
    expect(key).toBeDefined();
    const since = new Map([[key as string, NOW - 1_000]]);
    expect(judgePods([p], 1, NOW, since, { imagePullTimeoutMs: 2_000 })).toEqual({ kind: 'pending', recheckAt: NOW + 1_000 });
    expect(judgePods([p], 1, NOW + 1_000, since, { imagePullTimeoutMs: 2_000 })).toMatchObject({ kind: 'failed', reason });
  });

  it('the first failed worker decides, whatever the others do', () => {
    const v = judgePods([pod('Running', { running: {} }), pod('Failed', terminated(137, 'OOMKilled'), { name: 'p-w1' })], 2, NOW);
    expect(v).toMatchObject({ kind: 'failed', reason: 'OOMKilled' });
  });
});

describe('progress', () => {
  const cases: [string, (V1Pod | undefined)[], number, PodsVerdict['kind']][] = [
    ['pending', [pod('Pending', waiting('ContainerCreating'))], 1, 'pending'],
    ['running', [pod('Running', { running: {} })], 1, 'started'],
    ['one of two running', [pod('Running', { running: {} }), pod('Pending')], 2, 'pending'],
    ['one of two pods made', [pod('Running', { running: {} })], 2, 'pending'],
    ['both running', [pod('Running', { running: {} }), pod('Running', { running: {} })], 2, 'started'],
    ['one done, one running', [pod('Succeeded', terminated(0)), pod('Running', { running: {} })], 2, 'started'],
    ['all done', [pod('Succeeded', terminated(0)), pod('Succeeded', terminated(0))], 2, 'completed'],
  ];
  it.each(cases)('%s', (_, pods, workers, kind) => {
    expect(judgePods(pods, workers, NOW).kind).toBe(kind);
  });

  it('a completed job carries the metrics of its first worker’s termination message and when it finished', () => {
    const v = judgePods([pod('Succeeded', terminated(0, 'Completed', '{"metrics":{"loss":0.12,"accuracy":0.9}}'))], 1, NOW);
    expect(v).toEqual({ kind: 'completed', metrics: { loss: 0.12, accuracy: 0.9 }, finishedAt: 5_000 });
  });
});

describe('termination messages', () => {
  const cases: [string, string | undefined, Record<string, number> | null][] = [
    ['metrics', '{"metrics":{"loss":1}}', { loss: 1 }],
    ['no message', undefined, null],
    ['plain text', 'done', null],
    ['broken JSON', '{"metrics":', null],
    ['no metrics', '{"x":1}', null],
    ['metrics not an object', '{"metrics":[1]}', null],
    ['values that are not numbers are left out', '{"metrics":{"a":"1","b":2,"c":null}}', { b: 2 }],
    ['names that are not ids are left out', '{"metrics":{"":1,"ok":2}}', { ok: 2 }],
  ];
  it.each(cases)('%s', (_, message, metrics) => expect(terminationMetrics(message)).toEqual(metrics));
});

it('reasons are cut and checked against the Id codec', () => {
  expect(safeReason('x'.repeat(500), 'F')).toHaveLength(128);
  expect(safeReason('', 'F')).toBe('F');
  expect(safeReason(undefined, 'F')).toBe('F');
});
