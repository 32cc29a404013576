/**
 * Prometheus metrics (prom-client), in a registry of the server's own (not the process-global
 * one, so several servers in one process, as in tests, do not collide). Gauges over the state
 * are computed when scraped; the two histograms are fed by the engine's observer.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { JOB_STATUSES, type State } from '../../core/cluster/model.js';
import { listPools, oldestWaits } from '../../core/cluster/queries.js';
import type { Engine, EngineObserver } from '../../engine/engine.js';

export interface ServerMetrics {
  readonly registry: Registry;
  /** Give this to createEngine: it times each batch's decision (with its pass) and append. */
  readonly observer: EngineObserver;
  /** Once the engine exists: the gauges read its state. */
  bind(engine: Engine): void;
  readonly requests: Counter<'method' | 'route' | 'status'>;
}

/** `now`: the clock waits are measured by (seconds), the engine's. */
export function createMetrics(now: () => number = () => Date.now() / 1000): ServerMetrics {
  const registry = new Registry();
  let engine: Engine | undefined;

  /** A gauge whose values are read off the engine's state at each scrape. */
  const stateGauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (state: Readonly<State>, set: (labels: Record<L, string>, value: number) => void) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        const s = engine?.current;
        if (s) fill(s, (labels, value) => this.set(labels as never, value));
      },
    });

  stateGauge(
    'gpupool_pool_gpus',
    'GPUs per pool, by state: total, free, used, shared (held by more than one job), cordoned',
    ['pool', 'state'],
    (s, set) => {
      for (const p of listPools(s)) {
        for (const k of ['total', 'free', 'used', 'shared', 'cordoned'] as const) set({ pool: p.id, state: k }, p[k]);
      }
    },
  );
  stateGauge('gpupool_jobs', 'Jobs by status', ['status'], (s, set) => {
    const counts = new Map<string, number>(JOB_STATUSES.map((x) => [x, 0]));
    for (const j of s.jobs.values()) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
    // Finished jobs have left the decision state; it keeps their counts.
    for (const [status, n] of Object.entries(s.finishedCounts)) counts.set(status, n);
    for (const [status, n] of counts) set({ status }, n);
  });
  stateGauge('gpupool_queue_length', 'Waiting jobs per pool', ['pool'], (s, set) => {
    for (const p of s.pools.values()) set({ pool: p.id }, p.group ? (s.queues.get(p.group)?.size ?? 0) : 0);
  });
  stateGauge(
    'gpupool_queue_oldest_wait_seconds',
    'How long the longest-waiting job of each pool has waited (0 when none waits)',
    ['pool'],
    (s, set) => {
      const t = now();
      const oldest = oldestWaits(s);
      for (const p of s.pools.values()) {
        const since = oldest.get(p.id);
        set({ pool: p.id }, since === undefined ? 0 : Math.max(0, t - since));
      }
    },
  );
  const pass = new Histogram({
    name: 'gpupool_scheduling_pass_seconds',
    help: 'Time to decide one batch of commands, its scheduling pass included',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry],
  });
  const append = new Histogram({
    name: 'gpupool_store_append_seconds',
    help: 'Time for the event store to append one batch durably',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'gpupool_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  return {
    registry,
    requests,
    observer: {
      decided: (seconds) => pass.observe(seconds),
      appended: (seconds) => append.observe(seconds),
    },
    bind(e) {
      engine = e;
    },
  };
}
