/**
 * `gpupool simulate` on a thread of its own, sized for a simulation's memory.
 *
 * Why a thread: a simulation keeps each job's objects (its state, its queue entry, its devices'
 * holders, the runtime's pending reports) for as long as the job waits and runs, thousands of
 * simulated seconds, while it makes short-lived garbage at a few hundred MB/s. With V8's default
 * young generation (16 MB semi-spaces) a scavenge comes every couple of thousand jobs and finds
 * many live jobs' objects still alive: it promotes them to the old generation, where they die soon
 * after and wait for a full collection, and V8 let a million-job run's old generation grow to
 * 1.5 GB of such garbage (1.6 GB peak resident). V8 sizes the young generation only when an
 * isolate is made, so the command makes one (a worker thread's resource limits) with a young
 * generation four times the default, where jobs' objects mostly die young (a 70,000-job run
 * promotes 40 MB instead of 90), and it tells the old generation to grow by a quarter past what a
 * full collection left rather than up to four times: the million-job run peaks at 0.83 GB. Wall
 * time is about the same either way (measured: 70,000 and 1,000,000 jobs): the collector's pauses
 * shrink, and a nursery four times larger stays less in the processor's caches. The nursery
 * starts at 16 MB semi-spaces rather than growing from 1 MB, and V8's allocation-site pretenuring
 * is off (see the constants below for why and what each saved).
 *
 * The command line's entry starts the thread before it loads the rest of the command line
 * (startSimulationThread), so the thread loads the simulator meanwhile; it waits for its request,
 * sent once the options are parsed.
 *
 * The thread runs the whole command (reading, simulating, writing), so nothing large crosses
 * between threads: only log lines, progress, the summaries and the report's page. A failure comes
 * back as what it was: an expected one (a bad trace) as its one-line message, anything else with
 * its stack.
 *
 * The report is the one part done here, on the calling thread, which otherwise only draws
 * progress: it loads the renderer (vega and vega-lite, some 0.1 s of module loading) as soon as
 * the thread starts, the thread sends the report's page (its charts as specs, a few thousand
 * points) as soon as it is built, and this thread renders the charts and writes report.html while
 * the thread writes jobs.csv and summary.json. The command ends when both are done; a failure of
 * the thread is reported first, as it would have come first when the command did both in turn.
 *
 * Run from the TypeScript sources (the tests, under tsx) there is no compiled file for a worker to
 * load, and the command runs on the calling thread, as it did before.
 */

import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { isMainThread, type MessagePort, parentPort, Worker, workerData } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import type { Policy } from '../core/cluster/model.js';
import type { SimulateCommandOptions } from '../simulations/command.js';
import { type ProgressPrinter, progressPrinter } from '../simulations/progress.js';
import type { ReportPage } from '../simulations/report-page.js';
import type { Summary } from '../simulations/summary.js';
import { ExpectedError, expectedMessage } from './errors.js';

/** The young generation of the simulation's thread: 64 MB semi-spaces (V8's default is 16 MB). */
export const SIMULATION_YOUNG_GENERATION_MB = 192;
/** How much the old generation may grow past what a full collection left, in percent. */
export const SIMULATION_HEAP_GROWING_PERCENT = 25;
/**
 * The semi-spaces the thread's young generation starts with (MB). V8 starts them at 1 MB and grows
 * them only as collections find much alive, so loading the command's modules took ten scavenges
 * and a 70,000-job run 23 (157 ms); starting at 16 MB, none and 11 (83 ms).
 */
export const SIMULATION_FIRST_SEMI_SPACE_MB = 16;
/**
 * V8 pretenures an allocation site (allocates its objects in the old generation from then on)
 * when nearly all of its objects survive a scavenge. At a long trace's start, while the trace's
 * records are being promoted, sites the simulation then uses for short-lived objects met that
 * bar and stayed tenured: their dead objects, in the old generation, kept the young objects they
 * point to alive until a full collection, and each scavenge of a million-job run copied 20 MB
 * (25 ms) where a 300,000-job run's copied 3. Without pretenuring: scavenges 2.8 s -> 1.4 s and
 * full collections 0.8 s -> 0.4 s on the million-job run.
 */
const SIMULATION_V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

/** The options that cross to the thread: data only (its lines are written by the calling thread). */
export type SimulateRequest = Omit<SimulateCommandOptions, 'log' | 'onProgress' | 'renderReport' | 'renderAhead'>;

type Renderer = typeof import('../simulations/report.js');

/** The renderer: the one loading since the command began, or loaded now if there is none. */
const rendererOf = (loading: Promise<Renderer> | null): Promise<Renderer> => loading ?? import('../simulations/report.js');

type Reply =
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'progress'; readonly policy: Policy; readonly done: number; readonly total: number }
  /** A chart of the report, handed ahead of its page (SimulateCommandOptions.renderAhead): rendered here at once. */
  | { readonly kind: 'chart'; readonly chart: number; readonly spec: TopLevelSpec }
  /** The report's page, to render and write to `file` (report.html) here. */
  | { readonly kind: 'report'; readonly page: ReportPage; readonly file: string }
  | { readonly kind: 'done'; readonly summaries: Summary[] }
  | { readonly kind: 'failed'; readonly expected: string | null; readonly message: string; readonly stack: string | undefined };

const MARK = 'gpupool-simulate';

/** What the calling thread sends the simulation's thread, once: the command's options. */
type Request = { readonly kind: 'request'; readonly request: SimulateRequest };

/** Whether the command runs on a thread of its own here: only from compiled code (see above). */
export const simulatesOnThread = import.meta.url.endsWith('.js');

/**
 * Run `gpupool simulate` with these options, its lines and progress written with `log` (the
 * progress as `request.progress` says); on a thread of its own when compiled.
 */
export async function simulateCommand(request: SimulateRequest, log: (line: string) => void): Promise<Summary[]> {
  if (!simulatesOnThread) return (await runLoaded({ ...request, log })).summaries;
  // The thread sends figures; this thread draws them (a bar needs the terminal, which is here).
  const progress = await progressPrinter(request.progress ?? 'none', log);
  const worker = started ?? newThread();
  started = undefined;
  worker.ref();
  worker.postMessage({ kind: 'request', request: { ...request, progress: 'none' } } satisfies Request);
  // Loaded now, while the thread reads and simulates: it is ready when the page comes.
  const renderer = (request.report ?? true) ? import('../simulations/report.js') : null;
  renderer?.catch(() => {}); // a failure to load is the rendering's, thrown below
  const report: { rendering?: Promise<void> } = {};
  const ahead = new ChartsAhead(renderer);
  try {
    const summaries = await answerOf(worker, log, progress, ahead, (page, file) => {
      report.rendering = renderHere(renderer, page, file, ahead);
    });
    await report.rendering;
    return summaries;
  } finally {
    progress.stop();
    // Nothing of the command runs past its end: after a failure, the rendering is let finish.
    await report.rendering?.catch(() => {});
  }
}

/** A thread started ahead of its request (startSimulationThread), not yet taken by a command. */
let started: Worker | undefined;

/**
 * Start the simulation's thread now, before its request is known: the command line's entry does
 * this for `simulate` before it loads the rest of the command line, so the thread loads the
 * simulator's modules (some 0.1 s) on the other core meanwhile. Until a command takes it, the
 * thread keeps nothing alive: a command line that ends first (--help, a bad option) just ends.
 * Nothing is started where the command runs on the calling thread.
 */
export function startSimulationThread(): void {
  if (!simulatesOnThread || started !== undefined) return;
  started = newThread();
  started.unref();
}

function newThread(): Worker {
  // Read as an isolate's heap is set up: the thread's, made next (this thread's is set up already).
  setFlagsFromString(`--min-semi-space-size=${SIMULATION_FIRST_SEMI_SPACE_MB}`);
  for (const flag of SIMULATION_V8_FLAGS) setFlagsFromString(flag);
  return new Worker(new URL(import.meta.url), {
    workerData: { mark: MARK },
    resourceLimits: { maxYoungGenerationSizeMb: SIMULATION_YOUNG_GENERATION_MB },
  });
}

async function renderHere(renderer: Promise<Renderer> | null, page: ReportPage, file: string, ahead: ChartsAhead): Promise<void> {
  const { renderPage } = await rendererOf(renderer);
  writeFileSync(file, await renderPage(page, (chart) => ahead.svg(chart)));
}

/**
 * The charts the thread hands ahead of its page, rendered here one after another as they come
 * (while the thread works out the summaries and the rest of the page), kept by number until the
 * page asks for them.
 */
class ChartsAhead {
  private readonly rendered: Promise<string>[] = [];
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly renderer: Promise<Renderer> | null) {}

  add(chart: number, spec: TopLevelSpec): void {
    const svg = this.last.then(async () => (await rendererOf(this.renderer)).chartSvg(spec));
    svg.catch(() => {}); // a failure is the page's, thrown where it asks for the chart
    this.rendered[chart] = svg;
    this.last = svg.catch(() => {});
  }

  svg(chart: number): Promise<string> {
    return (
      this.rendered[chart] ?? Promise.reject(new Error(`the report's chart ${chart} never came from the simulation's thread`))
    );
  }
}

function answerOf(
  worker: Worker,
  log: (line: string) => void,
  progress: ProgressPrinter,
  ahead: ChartsAhead,
  onReport: (page: ReportPage, file: string) => void,
): Promise<Summary[]> {
  return new Promise<Summary[]>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    worker.on('message', (reply: Reply) => {
      switch (reply.kind) {
        case 'log':
          log(reply.line);
          return;
        case 'progress':
          progress.update(reply.policy, reply.done, reply.total);
          return;
        case 'chart':
          ahead.add(reply.chart, reply.spec);
          return;
        case 'report':
          onReport(reply.page, reply.file);
          return;
        case 'done':
          settle(() => resolve(reply.summaries));
          return;
        case 'failed':
          settle(() => reject(reply.expected !== null ? new ExpectedError(reply.expected) : threadError(reply)));
          return;
      }
    });
    // A failure the thread could not report itself (it ran out of memory, say).
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the simulation's thread ended (exit code ${code}) without an answer`))),
    );
  });
}

function threadError(reply: Extract<Reply, { kind: 'failed' }>): Error {
  const e = new Error(reply.message);
  if (reply.stack !== undefined) e.stack = reply.stack;
  return e;
}

/** The command, its module loaded only when run (a thread loads it for itself). */
async function runLoaded(options: SimulateCommandOptions) {
  return (await loadCommand()).runSimulateCommand(options);
}

/** The command's module (the simulator's whole module graph). */
function loadCommand() {
  return import('../simulations/command.js');
}

/**
 * The thread's side: load the command at once, run it when its request comes, answer with its
 * summaries or its failure.
 */
async function serve(port: MessagePort): Promise<void> {
  const send = (reply: Reply) => port.postMessage(reply);
  setFlagsFromString(`--heap-growing-percent=${SIMULATION_HEAP_GROWING_PERCENT}`);
  const loading = loadCommand();
  loading.catch(() => {}); // a failure to load is the command's, reported below
  const [{ request }] = (await once(port, 'message')) as [Request];
  let charts = 0;
  try {
    const { summaries } = await (await loading).runSimulateCommand({
      ...request,
      log: (line) => send({ kind: 'log', line }),
      onProgress: (policy, done, total) => send({ kind: 'progress', policy, done, total }),
      // The calling thread renders it (it has loaded vega meanwhile) while this one writes the files,
      // and the charts over time as soon as each simulation ends, while this one sums it up.
      renderAhead: (spec) => {
        send({ kind: 'chart', chart: charts, spec });
        return charts++;
      },
      renderReport: async (page, file) => send({ kind: 'report', page, file }),
    });
    send({ kind: 'done', summaries });
  } catch (e) {
    const expected = (await expectedMessage(e)) ?? null;
    send({
      kind: 'failed',
      expected,
      message: e instanceof Error ? e.message : String(e),
      stack: e instanceof Error ? e.stack : undefined,
    });
  }
}

if (!isMainThread && parentPort !== null && (workerData as { mark?: unknown } | null)?.mark === MARK) {
  await serve(parentPort);
}
