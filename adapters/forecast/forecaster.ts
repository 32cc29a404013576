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
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Command } from '../../core/cluster/commands.js';
import { forecastSnapshot, snapshotTransfer } from '../../core/cluster/forecast.js';
import { JOB_KINDS, type JobKind } from '../../core/cluster/model.js';
import { TypicalDurations } from '../../core/cluster/typical-durations.js';
import type { Clock } from '../../core/ports.js';
import type { Engine } from '../../engine/engine.js';
import { type ForecastColumns, type ForecastReply, type ForecastRequest, runForecast } from './protocol.js';

export interface ForecasterOptions {
  /** Where forecasts run: a worker thread (the default), or inline on the caller's thread (tests, tools). */
  readonly thread?: 'worker' | 'inline';
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

/** A forecast: the columns, and the typical durations it assumed. */
export interface ForecastResult extends ForecastColumns {
  readonly typical: ReturnType<TypicalDurations['all']>;
}

export type ForecastOutcome = { ok: true; value: ForecastResult } | { ok: false; rejection: ForecastReply & { ok: false } };

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

export class Forecaster {
  readonly durations: TypicalDurations;
  private readonly thread: ForecastThread | null;
  private readonly clock: Clock;
  private readonly maxPending: number;
  private readonly cacheSeconds: number;
  private readonly unsubscribe: () => void;
  private inline = 0;
  /** The forecast without planned changes: in flight or made, for one revision. */
  private plain: { revision: number; at: number; result: Promise<ForecastOutcome> } | null = null;

  constructor(
    private readonly engine: Engine,
    options: ForecasterOptions = {},
  ) {
    this.durations = options.durations ?? new TypicalDurations();
    this.thread = options.thread === 'inline' ? null : new ForecastThread();
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
    const state = this.engine.current;
    if (changes === null && this.plain && this.plain.revision === state.revision) {
      const fresh = this.clock.now() - this.plain.at <= this.cacheSeconds;
      if (fresh) return this.plain.result;
    }
    const pending = this.thread ? this.thread.pending : this.inline;
    if (pending >= this.maxPending) return Promise.reject(new ForecastBusyError(pending));
    const typical = Object.fromEntries(JOB_KINDS.map((k) => [k, this.durations.seconds(k)])) as Record<JobKind, number>;
    const assumed = this.durations.all();
    const request: ForecastRequest = { snapshot: forecastSnapshot(state), now: this.clock.now(), typical, changes };
    const result = this.run(request).then(
      (reply): ForecastOutcome =>
        reply.ok ? { ok: true, value: { ...reply.value, typical: assumed } } : { ok: false, rejection: reply },
    );
    if (changes === null) {
      const entry = { revision: state.revision, at: this.clock.now(), result };
      this.plain = entry;
      // A failure is not kept.
      result.catch(() => {
        if (this.plain === entry) this.plain = null;
      });
    }
    return result;
  }

  private async run(request: ForecastRequest): Promise<ForecastReply> {
    if (this.thread) return this.thread.run(request);
    this.inline++;
    try {
      return runForecast(request);
    } finally {
      this.inline--;
    }
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.thread?.close();
  }
}
