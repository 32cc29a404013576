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
 * shrink, and a nursery four times larger stays less in the processor's caches.
 *
 * The thread runs the whole command (reading, simulating, writing), so nothing large crosses
 * between threads: only log lines, progress and the summaries. A failure comes back as what it
 * was: an expected one (a bad trace) as its one-line message, anything else with its stack.
 *
 * Run from the TypeScript sources (the tests, under tsx) there is no compiled file for a worker to
 * load, and the command runs on the calling thread, as it did before.
 */
import { setFlagsFromString } from 'node:v8';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Policy } from '../core/cluster/model.js';
import type { SimulateCommandOptions } from '../simulations/command.js';
import { type ProgressPrinter, progressPrinter } from '../simulations/progress.js';
import type { Summary } from '../simulations/summary.js';
import { ExpectedError, expectedMessage } from './errors.js';

/** The young generation of the simulation's thread: 64 MB semi-spaces (V8's default is 16 MB). */
export const SIMULATION_YOUNG_GENERATION_MB = 192;
/** How much the old generation may grow past what a full collection left, in percent. */
export const SIMULATION_HEAP_GROWING_PERCENT = 25;

/** The options that cross to the thread: data only (its lines are written by the calling thread). */
export type SimulateRequest = Omit<SimulateCommandOptions, 'log' | 'onProgress'>;

type Reply =
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'progress'; readonly policy: Policy; readonly done: number; readonly total: number }
  | { readonly kind: 'done'; readonly summaries: Summary[] }
  | { readonly kind: 'failed'; readonly expected: string | null; readonly message: string; readonly stack: string | undefined };

const MARK = 'gpupool-simulate';

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
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { mark: MARK, request: { ...request, progress: 'none' } },
    resourceLimits: { maxYoungGenerationSizeMb: SIMULATION_YOUNG_GENERATION_MB },
  });
  try {
    return await answerOf(worker, log, progress);
  } finally {
    progress.stop();
  }
}

function answerOf(worker: Worker, log: (line: string) => void, progress: ProgressPrinter): Promise<Summary[]> {
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
  return (await import('../simulations/command.js')).runSimulateCommand(options);
}

/** The thread's side: run the command, answer with its summaries or its failure. */
async function serve(request: SimulateRequest): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const send = (reply: Reply) => port.postMessage(reply);
  setFlagsFromString(`--heap-growing-percent=${SIMULATION_HEAP_GROWING_PERCENT}`);
  try {
    const { summaries } = await runLoaded({
      ...request,
      log: (line) => send({ kind: 'log', line }),
      onProgress: (policy, done, total) => send({ kind: 'progress', policy, done, total }),
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

if (!isMainThread && (workerData as { mark?: unknown } | null)?.mark === MARK) {
  await serve((workerData as { request: SimulateRequest }).request);
}
