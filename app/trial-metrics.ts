/**
 * How a tuning trial's metrics are collected on Kubernetes, by its experiment's collector, keeping
 * the experiment's objective and additional metrics (adapters/k8s/runtime.ts `MetricsCollection`):
 *
 * - StdOut: the primary container's log, read as Katib's StdOut collector reads it
 *   (core/experiments/metrics-collector.ts: `name=value` lines, custom patterns, timestamps).
 * - File (TEXT or JSON) and TensorFlowEvent: the primary worker's pod gets a metrics-collector
 *   sidecar that shares the file's directory with the primary container and prints the file once
 *   the primary has ended (adapters/k8s/metrics-sidecar.ts); its log is read as the file's content
 *   (metrics-collector.ts), or as the event files it prints in base64 (core/experiments/tfevent.ts).
 * - PrometheusMetric: the primary worker's `httpGet` port and path, scraped through the API
 *   server's pod proxy while it runs (core/experiments/prometheus-text.ts).
 *
 * Custom collectors (a container of the user's own) are not run: their trials, like Push ones,
 * push their metrics through the metrics API.
 */

import { readTfEventDump } from '../adapters/k8s/metrics-sidecar.js';
import type { MetricsCollection } from '../adapters/k8s/runtime.js';
import type { JobState } from '../core/cluster/model.js';
import { collectMetrics } from '../core/experiments/metrics-collector.js';
import type { ExperimentsState } from '../core/experiments/model.js';
import { prometheusMetrics } from '../core/experiments/prometheus-text.js';
import { collectTfEvents } from '../core/experiments/tfevent.js';

export function trialMetricsCollection(
  experiments: { readonly current: Readonly<ExperimentsState> },
  job: JobState,
): MetricsCollection | null {
  if (job.kind !== 'trial') return null;
  const where = experiments.current.trialOfJob.get(job.id);
  const x = where && experiments.current.experiments.get(where.experiment);
  if (!x) return null;
  const collector = x.spec.metricsCollector;
  const names = [x.spec.objective.objectiveMetricName, ...x.spec.objective.additionalMetricNames];
  const fsp = collector.fileSystemPath;
  switch (collector.kind) {
    case 'StdOut':
      return { from: 'log', parse: (log) => collectMetrics(log, collector, names).points };
    case 'File':
      if (!fsp) return null;
      return {
        from: 'sidecar',
        sidecar: { kind: 'file', path: fsp.path },
        parse: (log) => collectMetrics(log, collector, names).points,
      };
    case 'TensorFlowEvent':
      if (!fsp) return null;
      return {
        from: 'sidecar',
        sidecar: { kind: 'tfevent', directory: fsp.path },
        parse: (log) => collectTfEvents(readTfEventDump(log).files, names).points,
      };
    case 'PrometheusMetric': {
      const http = collector.httpGet;
      if (!http) return null;
      return {
        from: 'prometheus',
        port: http.port,
        path: http.path,
        parse: (text, at) => prometheusMetrics(text, names, at).points,
      };
    }
    default:
      return null;
  }
}
