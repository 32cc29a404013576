/**
 * `gpupool serve --kubernetes` collecting tuning trials' metrics with each of Katib's collectors
 * that read more than the log, end to end on the fake cluster (the API server over HTTP, the
 * kubelet simulator playing the pods):
 *
 * - File (Katib's file-metrics-collector sample, TEXT with its custom regex; and a JSON file): each
 *   trial's primary worker gets the metrics-collector sidecar, the simulator's pod writes the file
 *   (`sim.gpupool.io/files`) and its sidecar prints it; the objective is read from that log.
 * - TensorFlowEvent: the pod writes a TFRecord event file (`sim.gpupool.io/files-base64`), the
 *   sidecar prints it in base64, and the scalars are read from its records.
 * - PrometheusMetric: the pod serves `/metrics` on port 8080 while it runs
 *   (`sim.gpupool.io/http`), scraped through the API server's pod proxy.
 *
 * Every trial ends Succeeded with its objective; the pods had the sidecar exactly when the
 * collector needs one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { METRICS_COLLECTOR_CONTAINER } from '../adapters/k8s/metrics-sidecar.js';
import { type FakeCluster, startFakeCluster } from '../adapters/k8s/test-support/cluster.js';
import type { K8sObject } from '../adapters/k8s/test-support/resources.js';
import { waitFor } from '../adapters/k8s/test-support/wait.js';
import { scalarsFile } from '../core/experiments/test-support/tfevent-file.js';
import { type Served, serve } from './serve.js';
import { recordPodsByJob } from './test-support/pods-by-job.js';
import { servedApi } from './test-support/served-api.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-k8s-collectors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
type Json = any;

const fixture = (name: string) => readFileSync(new URL(`../core/experiments/fixtures/katib/${name}`, import.meta.url), 'utf8');

/** A Katib sample, two trials two at a time, each trial's pod running briefly with `annotations`. */
function experiment(yaml: string, name: string, annotations: Record<string, string>, collector?: Json): Json {
  const doc = parseYaml(yaml);
  doc.metadata.name = name;
  doc.spec.maxTrialCount = 2;
  doc.spec.parallelTrialCount = 2;
  doc.spec.maxFailedTrialCount = 1;
  if (collector !== undefined) doc.spec.metricsCollectorSpec = collector;
  const template = doc.spec.trialTemplate.trialSpec.spec.template;
  template.metadata = { annotations: { 'sim.gpupool.io/run-for-ms': '300', ...annotations } };
  return doc;
}

describe('gpupool serve --kubernetes: File, TensorFlowEvent and PrometheusMetric collectors', () => {
  let cluster: FakeCluster;
  let served: Served;
  /** Every pod gpupool created, by the trial job it runs. */
  const pods = new Map<string, K8sObject>();

  beforeEach(async () => {
    cluster = await startFakeCluster({ nodes: [{ name: 'gpu-1', gpus: 8 }] });
    recordPodsByJob(cluster, pods);
    served = await serve({
      port: 0,
      leaderLeaseSeconds: 1,
      store: join(dir, `collectors-${++files}.db`),
      kubernetes: {
        kubeconfig: cluster.kubeconfigPath,
        leaseNamespace: 'default',
        rateLimit: { qps: 1000, burst: 1000 },
        metricsCollectorImage: 'busybox:1.36-musl',
        metricsScrapeIntervalMs: 50,
      },
    });
  });

  afterEach(async () => {
    await served.close();
    await cluster.close();
    pods.clear();
  });

  const { call, ok, nina } = servedApi(() => served);

  /** Create the experiment and wait for its end. */
  async function run(token: string, doc: Json): Promise<Json> {
    expect((await ok(token, 'POST', '/api/v1/tuning/experiments', doc, 201)).status).toBe('Running');
    return waitFor(
      async () => {
        const x = (await call(token, 'GET', `/api/v1/tuning/experiments/${doc.metadata.name}`)).body;
        return x.status !== 'Running' && x;
      },
      { timeoutMs: 30_000, message: `${doc.metadata.name} to end` },
    );
  }

  const trialPods = (x: Json) =>
    x.trials.map((t: Json) => {
      const pod = pods.get(t.jobId);
      expect(pod, `the pod of ${t.name}`).toBeDefined();
      return pod as K8sObject;
    });

  it('File, TEXT: the sample regex reads the file the sidecar prints; JSON lines likewise', async () => {
    const token = await nina();
    const text = await run(
      token,
      experiment(fixture('metrics-collector_file-metrics-collector.yaml'), 'file-text', {
        'sim.gpupool.io/files': JSON.stringify({
          '/katib/mnist.log':
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Katib's placeholder, substituted in each trial
            '2024-03-04T17:55:08Z INFO {metricName: accuracy, metricValue: ${trialParameters.learningRate}};{metricName: loss, metricValue: 0.5183}\n',
        }),
      }),
    );
    expect(text).toMatchObject({ status: 'Succeeded', counters: { trials: 2, succeeded: 2 } });
    for (const t of text.trials) {
      expect(t.objective).toBe(Number(t.assignment.lr));
      expect(t.metrics).toMatchObject({ loss: 0.5183 });
    }
    for (const pod of trialPods(text)) {
      expect(pod.spec.containers.map((c: Json) => c.name)).toEqual(['main', METRICS_COLLECTOR_CONTAINER]);
      expect(pod.spec.containers[1].image).toBe('busybox:1.36-musl');
      expect(pod.spec.shareProcessNamespace).toBe(true);
      expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: 'gpupool-metrics', mountPath: '/katib' });
    }

    const json = await run(
      token,
      experiment(
        fixture('hp-tuning_random.yaml'),
        'file-json',
        {
          'sim.gpupool.io/files': JSON.stringify({
            '/var/log/trial/metrics.json':
              // biome-ignore lint/suspicious/noTemplateCurlyInString: Katib's placeholder, substituted in each trial
              '{"loss": "0.9", "timestamp": 1700000000}\n{"loss": "${trialParameters.learningRate}", "timestamp": "2023-11-14T22:13:21Z"}\n',
          }),
        },
        {
          source: { fileSystemPath: { path: '/var/log/trial/metrics.json', kind: 'File', format: 'JSON' } },
          collector: { kind: 'File' },
        },
      ),
    );
    expect(json).toMatchObject({ status: 'Succeeded', counters: { trials: 2, succeeded: 2 } });
    for (const t of json.trials) expect(t.objective).toBe(Number(t.assignment.lr)); // minimize: the smaller of 0.9 and lr
  }, 60_000);

  it('TensorFlowEvent: the event file the sidecar prints in base64 is read record by record', async () => {
    const token = await nina();
    const events = scalarsFile([
      { wallTime: 1700000000, step: 1, scalars: { loss: 0.75, accuracy: 0.5 } },
      { wallTime: 1700000060, step: 2, scalars: { loss: 0.375, accuracy: 0.625 } },
    ]);
    const x = await run(
      token,
      experiment(
        fixture('hp-tuning_random.yaml'),
        'tfevent',
        {
          'sim.gpupool.io/files-base64': JSON.stringify({
            '/logs/tb/train/events.out.tfevents.1700000000.trial': Buffer.from(events).toString('base64'),
            '/logs/tb/train/notes.txt': Buffer.from('not events').toString('base64'),
          }),
        },
        {
          source: { fileSystemPath: { path: '/logs/tb', kind: 'Directory' } },
          collector: { kind: 'TensorFlowEvent' },
        },
      ),
    );
    expect(x).toMatchObject({ status: 'Succeeded', counters: { trials: 2, succeeded: 2 } });
    for (const t of x.trials) expect(t.objective).toBe(0.375); // loss, minimized
    for (const pod of trialPods(x)) {
      expect(pod.spec.containers[1].env).toContainEqual({ name: 'METRICS_DIR', value: '/logs/tb' });
      expect(pod.spec.volumes).toContainEqual({ name: 'gpupool-metrics', emptyDir: {} });
    }
  }, 60_000);

  it('PrometheusMetric: the pod is scraped through the API server while it runs; no sidecar', async () => {
    const token = await nina();
    const x = await run(
      token,
      experiment(
        fixture('hp-tuning_random.yaml'),
        'prometheus',
        {
          'sim.gpupool.io/run-for-ms': '600',
          'sim.gpupool.io/http': JSON.stringify({
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Katib's placeholder, substituted in each trial
            '8080/metrics': '# TYPE loss gauge\nloss ${trialParameters.learningRate}\nloss_bucket{le="1"} 2\n',
          }),
        },
        { collector: { kind: 'PrometheusMetric' } },
      ),
    );
    expect(x).toMatchObject({ status: 'Succeeded', counters: { trials: 2, succeeded: 2 } });
    for (const t of x.trials) expect(t.objective).toBe(Number(t.assignment.lr));
    for (const pod of trialPods(x)) {
      expect(pod.spec.containers.map((c: Json) => c.name)).toEqual(['main']);
      expect(pod.spec.shareProcessNamespace).toBeUndefined();
    }
    expect(cluster.api.stats()['get pods/proxy']).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
