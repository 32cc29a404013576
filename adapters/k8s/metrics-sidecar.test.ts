/**
 * The metrics-collector sidecar: the pod manifest (present only for a job that names one, on the
 * primary worker only, its volume mounted at the metrics directory in both containers, the process
 * namespace shared), its script run by a real POSIX shell (it waits for the primary, then prints
 * the file, or the event files framed in base64, exactly as `sidecarOutput` says), and the reader
 * of that output.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobState } from '../../core/cluster/model.js';
import {
  METRICS_COLLECTOR_CONTAINER,
  METRICS_VOLUME,
  type MetricsSidecar,
  readFileDump,
  readTfEventDump,
  SIDECAR_SCRIPT,
  sidecarOutput,
  TFEVENT_END,
  TFEVENT_HEADER,
} from './metrics-sidecar.js';
import { jobManifests, type PodOptions } from './pods.js';

function job(over: Partial<JobState> = {}): JobState {
  return {
    id: 'trial-1',
    kind: 'trial',
    owner: 'u',
    group: 'g',
    gpus: 2,
    gpuType: 'A100',
    nodeSelector: null,
    nodeAffinity: null,
    workers: 2,
    priority: 0,
    tags: [],
    expectedDuration: null,
    immediate: false,
    spec: { image: 'pytorch:2.3', command: ['python3', 'train.py'] },
    clonedFrom: null,
    shared: false,
    inputs: null,
    output: null,
    ide: null,
    endpoint: null,
    seq: 1,
    submittedAt: 0,
    status: 'Starting',
    reason: null,
    allocation: { pool: 'p', devices: ['n1/0', 'n2/0'], shared: [], nodes: ['n1', 'n2'] },
    allocatedAt: 0,
    ranOnGpuType: 'A100',
    endedAt: null,
    failure: null,
    history: [],
    ...over,
  };
}

function pods(j: JobState, options: PodOptions): V1Pod[] {
  const r = jobManifests(j, () => undefined, options);
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  return r.manifests.pods;
}

const withSidecar = (sidecar: MetricsSidecar | null, more: PodOptions = {}): PodOptions => ({
  metricsSidecar: () => sidecar,
  ...more,
});

describe('the pod manifest', () => {
  it('has no sidecar, no shared process namespace and no metrics volume when the job names none', () => {
    for (const options of [{}, withSidecar(null)]) {
      for (const pod of pods(job(), options)) {
        expect(pod.spec?.containers.map((c) => c.name)).toEqual(['main']);
        expect(pod.spec?.shareProcessNamespace).toBeUndefined();
        expect(pod.spec?.volumes).toBeUndefined();
        expect(pod.spec?.containers[0]?.volumeMounts).toBeUndefined();
      }
    }
  });

  it("File: the primary worker's pod gets the sidecar after main, the file's directory shared through an emptyDir", () => {
    const [primary, other] = pods(job(), withSidecar({ kind: 'file', path: '/katib/mnist.log' }));
    expect(primary?.spec?.containers.map((c) => c.name)).toEqual(['main', METRICS_COLLECTOR_CONTAINER]);
    expect(primary?.spec?.shareProcessNamespace).toBe(true);
    expect(primary?.spec?.volumes).toEqual([{ name: METRICS_VOLUME, emptyDir: {} }]);
    const [main, sidecar] = primary?.spec?.containers ?? [];
    expect(main?.volumeMounts).toEqual([{ name: METRICS_VOLUME, mountPath: '/katib' }]);
    expect(sidecar).toMatchObject({
      image: 'busybox:1.36',
      command: ['sh', '-c', SIDECAR_SCRIPT],
      volumeMounts: [{ name: METRICS_VOLUME, mountPath: '/katib', readOnly: true }],
    });
    expect(sidecar?.env).toContainEqual({ name: 'METRICS_FILE', value: '/katib/mnist.log' });
    expect(sidecar?.resources?.limits).not.toHaveProperty('nvidia.com/gpu');
    // The other worker runs as before.
    expect(other?.spec?.containers.map((c) => c.name)).toEqual(['main']);
    expect(other?.spec?.shareProcessNamespace).toBeUndefined();
    expect(other?.spec?.volumes).toBeUndefined();
  });

  it('TensorFlowEvent: the event directory itself is shared; the image is configurable', () => {
    const [primary] = pods(
      job({ workers: 1, gpus: 1, allocation: { pool: 'p', devices: ['n1/0'], shared: [], nodes: ['n1'] } }),
      withSidecar({ kind: 'tfevent', directory: '/logs/tb/' }, { metricsCollectorImage: 'registry.example/busybox:1' }),
    );
    const [main, sidecar] = primary?.spec?.containers ?? [];
    expect(main?.volumeMounts).toEqual([{ name: METRICS_VOLUME, mountPath: '/logs/tb' }]);
    expect(sidecar?.image).toBe('registry.example/busybox:1');
    expect(sidecar?.env).toContainEqual({ name: 'METRICS_DIR', value: '/logs/tb' });
  });

  it("refuses a metrics directory of '/' and one where an input is mounted", () => {
    const root = jobManifests(job(), () => undefined, withSidecar({ kind: 'file', path: '/metrics.log' }));
    expect(root).toMatchObject({ ok: false, reason: 'MetricsPathUnsupported' });
    // A dataset mounted where the trial keeps its event files: two volumes cannot share a mount path.
    const stub: PodOptions['fetcher'] = {
      fetch: ({ volume, path }) => ({
        volumes: [{ name: volume, emptyDir: {} }],
        initContainers: [],
        mounts: [{ name: volume, mountPath: path }],
      }),
    };
    const asset = () =>
      ({
        versions: [{ pin: {}, uri: null }],
        source: { kind: 'http', url: 'https://example.org/d' },
        credentials: null,
      }) as never;
    const onData = job({ inputs: { datasets: [{ assetId: 'd', version: 1, mountPath: '/data/logs' }] } });
    const clash = jobManifests(onData, asset, { ...withSidecar({ kind: 'tfevent', directory: '/data/logs' }), fetcher: stub });
    expect(clash).toMatchObject({ ok: false, reason: 'MetricsPathUnsupported' });
    const beside = jobManifests(onData, asset, { ...withSidecar({ kind: 'tfevent', directory: '/data/tb' }), fetcher: stub });
    expect(beside.ok).toBe(true);
  });
});

// -- The script, run by the machine's POSIX shell --------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'gpupool-sidecar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let runs = 0;

/** Run the script with a fake /proc holding `pids`; `primaryEndsAfterMs` removes them then. */
async function runScript(
  env: Record<string, string>,
  pids: number[],
  primaryEndsAfterMs: number | null,
): Promise<{ stdout: string; ms: number; code: number | null; proc: string }> {
  const proc = join(dir, `proc-${++runs}`);
  mkdirSync(join(proc, '1'), { recursive: true });
  for (const p of pids) mkdirSync(join(proc, String(p)));
  const started = Date.now();
  const child = spawn('sh', ['-c', SIDECAR_SCRIPT], { env: { PATH: process.env.PATH ?? '', PROC: proc, ...env } });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  if (primaryEndsAfterMs !== null) {
    setTimeout(() => {
      for (const p of pids) rmSync(join(proc, String(p)), { recursive: true, force: true });
    }, primaryEndsAfterMs);
  }
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { stdout, ms: Date.now() - started, code, proc };
}

describe('the sidecar script', () => {
  it('waits while the primary runs, then prints the metrics file as it is, and exits 0', async () => {
    const file = join(dir, 'metrics.log');
    const text = 'epoch 1: accuracy=0.5\n{metricName: loss, metricValue: 0.25}\n';
    writeFileSync(file, text);
    const out = await runScript({ METRICS_FILE: file, WAIT_FOR_PRIMARY: '30' }, [4242, 4243], 1200);
    expect(out.code).toBe(0);
    expect(out.ms).toBeGreaterThanOrEqual(1200);
    expect(out.stdout).toBe(text);
    expect(out.stdout).toBe(sidecarOutput({ kind: 'file', path: file }, new Map([[file, Buffer.from(text)]])));
  }, 15_000);

  it('prints at once when the primary has already ended and left its file; says so when there is none', async () => {
    const file = join(dir, 'quick.log');
    writeFileSync(file, 'loss=1\n');
    const quick = await runScript({ METRICS_FILE: file, WAIT_FOR_PRIMARY: '30' }, [], null);
    expect(quick).toMatchObject({ code: 0, stdout: 'loss=1\n' });
    expect(quick.ms).toBeLessThan(1000);
    const termination = join(dir, 'termination-log');
    const none = await runScript(
      { METRICS_FILE: join(dir, 'never.log'), WAIT_FOR_PRIMARY: '1', TERMINATION_LOG: termination },
      [],
      null,
    );
    expect(none).toMatchObject({ code: 0, stdout: '' });
    expect(readFileSync(termination, 'utf8')).toContain('no metrics file at');
  }, 15_000);

  it('prints every tfevents file under the directory in name order, in base64 between its lines', async () => {
    const logs = join(dir, 'tb');
    mkdirSync(join(logs, 'train'), { recursive: true });
    mkdirSync(join(logs, 'validation'), { recursive: true });
    const a = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37) % 256));
    const b = Buffer.from([0, 1, 2, 255]);
    writeFileSync(join(logs, 'validation', 'events.out.tfevents.2.host'), b);
    writeFileSync(join(logs, 'train', 'events.out.tfevents.1.host'), a);
    writeFileSync(join(logs, 'train', 'notes.txt'), 'not an event file');
    const out = await runScript({ METRICS_DIR: logs, WAIT_FOR_PRIMARY: '30' }, [77], 300);
    expect(out.code).toBe(0);
    const files = new Map([
      [join(logs, 'validation', 'events.out.tfevents.2.host'), new Uint8Array(b)],
      [join(logs, 'train', 'events.out.tfevents.1.host'), new Uint8Array(a)],
      [join(logs, 'train', 'notes.txt'), new Uint8Array(Buffer.from('not an event file'))],
    ]);
    expect(out.stdout).toBe(sidecarOutput({ kind: 'tfevent', directory: logs }, files));
    expect(out.stdout.split('\n')[0]).toBe(`${TFEVENT_HEADER} 200 train/events.out.tfevents.1.host`);
    expect(readTfEventDump(out.stdout)).toEqual({
      files: [
        { path: 'train/events.out.tfevents.1.host', bytes: new Uint8Array(a) },
        { path: 'validation/events.out.tfevents.2.host', bytes: new Uint8Array(b) },
      ],
      broken: [],
    });
  }, 15_000);
});

describe('the sidecar script, named files (a pipeline step’s outputs)', () => {
  it('waits for the primary, then prints each named file there is, in order, as sidecarOutput says', async () => {
    const out = join(dir, 'kfp-outputs');
    mkdirSync(out, { recursive: true });
    const text = join(out, 'Output');
    const json = join(out, 'items');
    writeFileSync(text, 'héllo\nworld');
    writeFileSync(json, '["a","b"]');
    const paths = [text, join(out, 'never-written'), json];
    const run = await runScript({ FILES: paths.join('\n'), WAIT_FOR_PRIMARY: '30' }, [99], 300);
    expect(run.code).toBe(0);
    const files = new Map([
      [text, new Uint8Array(Buffer.from('héllo\nworld'))],
      [json, new Uint8Array(Buffer.from('["a","b"]'))],
    ]);
    expect(run.stdout).toBe(sidecarOutput({ kind: 'files', paths }, files));
    expect(readFileDump(run.stdout).files.map((f) => [f.path, Buffer.from(f.bytes).toString('utf8')])).toEqual([
      [text, 'héllo\nworld'],
      [json, '["a","b"]'],
    ]);
  }, 15_000);
});

describe('readTfEventDump', () => {
  it('leaves out, and names, a file cut short or never ended', () => {
    const log = [
      `${TFEVENT_HEADER} 4 a/events.out.tfevents.1`,
      Buffer.from([1, 2, 3]).toString('base64'),
      TFEVENT_END,
      `${TFEVENT_HEADER} 2 b/events.out.tfevents.2`,
      Buffer.from([9, 9]).toString('base64'),
      TFEVENT_END,
      `${TFEVENT_HEADER} 2 c/events.out.tfevents.3`,
      'AAA=',
    ].join('\r\n');
    expect(readTfEventDump(log)).toEqual({
      files: [{ path: 'b/events.out.tfevents.2', bytes: new Uint8Array([9, 9]) }],
      broken: ['a/events.out.tfevents.1', 'c/events.out.tfevents.3'],
    });
  });
});
