/**
 * The server's forecasts ("when will it start?", "what if?"), off its event loop: the live state
 * is reduced to a forecast snapshot (about a millisecond for ten thousand jobs, the only work on
 * the event loop besides the answer), handed to a worker thread kept warm for the next request,
 * and the predicted starts come back as columns.
 *
 * It also keeps the typical durations (core/cluster/typical-durations.ts) a forecast assumes for
 * jobs without an expected duration, fed by the engine: each job that ends, once its batch is
 * durable, from its archived record (allocation to end).
 *
 * Requests that arrive while one forecast of the same revision is being made share it, and a
 * forecast without planned changes is kept for `cacheSeconds` (default 2 s) while the cluster's
 * revision stays: a dashboard full of viewers costs one forecast per change, not one per viewer.
 * A what-if is two forecasts, without and with the planned changes, from one instant: the first is
 * that shared one, and the two run on two threads at once (`threads`, default 2).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Command } from '../../core/cluster/commands.js';
import { forecastSnapshot, snapshotTransfer } from '../../core/cluster/forecast.js';
import { JOB_KINDS, type JobKind } from '../../core/cluster/model.js';
import { type TypicalDuration, TypicalDurations } from '../../core/cluster/typical-durations.js';
import type { Clock } from '../../core/ports.js';
import type { Rejection } from '../../core/rejection.js';
import type { Engine } from '../../engine/engine.js';
import { type ForecastColumns, type ForecastReply, type ForecastRequest, runForecast } from './protocol.js';

export interface ForecasterOptions {
  /** Where forecasts run: worker threads (the default), or inline on the caller's thread (tests, tools). */
  readonly thread?: 'worker' | 'inline';
  /** Worker threads, each kept warm (default 2: a what-if's two forecasts side by side). */
  readonly threads?: number;
  readonly durations?: TypicalDurations;
  /** The host's time; default the engine's clock. */
  readonly clock?: Clock;
  /** Forecasts waiting for the worker at most; one more is refused as busy (default 8). */
  readonly maxPending?: number;
  /** Seconds a forecast without planned changes is kept while the revision stays (default 2; 0: never). */
  readonly cacheSeconds?: number;
}

/** The forecaster has more requests waiting than it takes. */
export class ForecastBusyError extends Error {
  constructor(pending: number) {
    super(`${pending} forecasts are already waiting: try again shortly`);
    this.name = 'ForecastBusyError';
  }
}

/** A forecast: each waiting job's start without planned changes, and with them (what-if), and the durations assumed. */
export interface ForecastResult extends Omit<ForecastColumns, 'starts'> {
  readonly before: Float64Array;
  /** With the planned changes; null without any. */
  readonly after: Float64Array | null;
  readonly typical: readonly TypicalDuration[];
}

export type ForecastOutcome = { ok: true; value: ForecastResult } | { ok: false; rejection: Rejection };

/**
 * How to start the worker. Compiled, it is the JavaScript file beside this one. Run from source
 * (tests, `tsx`), this module is TypeScript and so is the worker beside it: the thread first
 * registers tsx's loader (found from here, so the current directory does not matter), then imports
 * it. (`--import tsx` among a worker's execArgv is not applied to its modules on Node 20.)
 */
export function workerEntry(from: string = import.meta.url): { script: URL | string; eval: boolean } {
  if (!from.endsWith('.ts')) return { script: new URL('./worker.js', from), eval: false };
  const tsx = createRequire(from)
    .resolve('tsx/package.json')
    .replace(/package\.json$/, 'dist/esm/api/index.mjs');
  const worker = new URL('./worker.ts', from).href;
  const code = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`;
  return { script: code, eval: true };
}

interface Waiting {
  resolve(reply: ForecastReply): void;
  reject(e: Error): void;
}

/** One worker thread, kept warm; started at the first forecast, and again after a crash. */
class ForecastThread {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();

  get pending(): number {
    return this.waiting.size;
  }

  run(request: ForecastRequest): Promise<ForecastReply> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<ForecastReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, request }, snapshotTransfer(request.snapshot));
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const entry = workerEntry();
    const worker = new Worker(entry.script, { eval: entry.eval });
    // A warm worker must not keep the process alive by itself.
    worker.unref();
    worker.on('message', (m: { id: number; reply?: ForecastReply; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.reply) w.resolve(m.reply);
      else w.reject(new Error(`the forecast failed: ${m.error}`));
    });
    const fail = (e: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the forecast worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

/** A plain forecast of one revision, in flight or made, with the instant and durations it assumed. */
interface Plain {
  readonly revision: number;
  readonly now: number;
  readonly typical: Record<JobKind, number>;
  readonly assumed: readonly TypicalDuration[];
  readonly reply: Promise<ForecastReply>;
}

export class Forecaster {
  readonly durations: TypicalDurations;
  private readonly threads: ForecastThread[];
  private readonly clock: Clock;
  private readonly maxPending: number;
  private readonly cacheSeconds: number;
  private readonly unsubscribe: () => void;
  private inline = 0;
  private plain: Plain | null = null;

  constructor(
    private readonly engine: Engine,
    options: ForecasterOptions = {},
  ) {
    this.durations = options.durations ?? new TypicalDurations();
    const threads = options.thread === 'inline' ? 0 : Math.max(1, options.threads ?? 2);
    this.threads = Array.from({ length: threads }, () => new ForecastThread());
    this.clock = options.clock ?? engine.clock;
    this.maxPending = options.maxPending ?? 8;
    this.cacheSeconds = options.cacheSeconds ?? 2;
    this.unsubscribe = engine.subscribe(({ events }) => {
      for (const e of events) {
        if (e.type !== 'JobCompleted' && e.type !== 'JobStopped') continue;
        // Told once the batch is durable: the engine has handed the job to its archive.
        const job = engine.job(e.jobId);
        if (job) this.durations.recordJob(job);
      }
    });
  }

  /**
   * Forecast every waiting job's start from the present state; with `changes`, also after those
   * planned changes (what-if). A planned change the cluster refuses is answered as its rejection.
   */
  forecast(changes: readonly Command[] | null = null): Promise<ForecastOutcome> {
    const pending = this.threads.length > 0 ? this.threads.reduce((n, t) => n + t.pending, 0) : this.inline;
    if (pending >= this.maxPending) return Promise.reject(new ForecastBusyError(pending));
    const state = this.engine.current;
    const plain = this.plainFor(state);
    // The planned forecast starts from the same instant, with the same durations, as the plain one.
    const planned =
      changes === null ? null : this.run({ snapshot: forecastSnapshot(state), now: plain.now, typical: plain.typical, changes });
    return Promise.all([plain.reply, planned]).then(([b, a]): ForecastOutcome => {
      if (!b.ok) return { ok: false, rejection: b.rejection };
      if (a && !a.ok) return { ok: false, rejection: a.rejection };
      const { starts, ...columns } = b.value;
      return {
        ok: true,
        value: { ...columns, before: starts, after: a ? alignedTo(b.value, a.value) : null, typical: plain.assumed },
      };
    });
  }

  /** The plain forecast of this revision: the one kept or in flight, else a new one. */
  private plainFor(state: Engine['current']): Plain {
    const kept = this.plain;
    if (kept && kept.revision === state.revision && this.clock.now() - kept.now <= this.cacheSeconds) return kept;
    const typical = Object.fromEntries(JOB_KINDS.map((k) => [k, this.durations.seconds(k)])) as Record<JobKind, number>;
    const now = this.clock.now();
    const entry: Plain = {
      revision: state.revision,
      now,
      typical,
      assumed: this.durations.all(),
      reply: this.run({ snapshot: forecastSnapshot(state), now, typical, changes: [] }),
    };
    this.plain = entry;
    // A failure is not kept.
    entry.reply.catch(() => {
      if (this.plain === entry) this.plain = null;
    });
    return entry;
  }

  private async run(request: ForecastRequest): Promise<ForecastReply> {
    if (this.threads.length > 0) {
      const idlest = this.threads.reduce((a, b) => (b.pending < a.pending ? b : a));
      return idlest.run(request);
    }
    this.inline++;
    try {
      return runForecast(request);
    } finally {
      this.inline--;
    }
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await Promise.all(this.threads.map((t) => t.close()));
  }
}

/** The planned forecast's starts in the plain one's job order (the same jobs, both made from one revision). */
function alignedTo(plain: ForecastColumns, planned: ForecastColumns): Float64Array {
  if (plain.jobIds === planned.jobIds) return planned.starts;
  const ids = planned.jobIds === '' ? [] : planned.jobIds.split('\n');
  const at = new Map(ids.map((id, i) => [id, planned.starts[i] as number]));
  const out = new Float64Array(plain.starts.length);
  (plain.jobIds === '' ? [] : plain.jobIds.split('\n')).forEach((id, i) => {
    out[i] = at.get(id) ?? Number.NaN;
  });
  return out;
}
