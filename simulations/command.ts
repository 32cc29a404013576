/**
 * `gpupool simulate`: read a trace and a cluster, replay the trace under one or more policies,
 * and write jobs.csv, summary.json and report.html (and the event log, if asked) to a folder.
 * The report is optional: without it the charting library (vega, a large module graph) is never
 * loaded. The command builds the report's page (report-page.ts, no vega) where the results are;
 * who renders it is the caller's choice (`renderReport`): by default the command itself.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { PlacementMode, Policy } from '../core/cluster/model.js';
import type { AlgorithmName } from '../core/experiments/spec.js';
import type { NewEvent } from '../core/ports.js';
import { readClusterFile, scaleCluster } from './cluster.js';
import { InputError } from './csv.js';
import type { ExperimentArgument } from './experiment-files.js';
import { progressPrinter } from './progress.js';
import { type ReportInput, type ReportPage, reportPage, seriesCharts } from './report-page.js';
import { type SimulationResult, simulate } from './simulate.js';
import { jobsCsvBytes, type Summary, summarize, trialsCsv } from './summary.js';
import { DEFAULT_SYNTHETIC_OBJECTIVE, type SyntheticObjectiveName } from './synthetic-objectives.js';
import { readTrace, type TraceFormat } from './traces.js';

/** How long a simulated trial runs at its full budget, by default: ten minutes. */
export const DEFAULT_TRIAL_SECONDS = 600;

export interface SimulateCommandOptions {
  readonly trace: string;
  readonly format: TraceFormat;
  readonly cluster: string;
  readonly policies: readonly Policy[];
  readonly placement: PlacementMode;
  readonly capacityScale: number;
  readonly seed: number;
  readonly events?: string;
  readonly out: string;
  readonly maxWaitSeconds?: number;
  readonly launchDelay?: number;
  /** Write report.html (default true); false writes only jobs.csv and summary.json. */
  readonly report?: boolean;
  /**
   * Render the report's page and write it to `file` (report.html), started as soon as the page is
   * built, before jobs.csv and summary.json are written; the command ends when both are done. By
   * default the command loads the renderer and does it itself; the simulation's thread hands the
   * page to the calling thread, which has loaded vega meanwhile.
   */
  readonly renderReport?: (page: ReportPage, file: string) => Promise<void>;
  /**
   * Hand a chart to whoever renders the report as soon as it is built, ahead of the page, and get
   * its number, which the page then refers to. The charts over time of each simulation go at once,
   * so their rendering overlaps the summaries and the rest of the page; without it the page holds
   * every chart.
   */
  readonly renderAhead?: (spec: TopLevelSpec) => number;
  /** Progress output: a bar on a terminal, plain lines otherwise, or nothing. */
  readonly progress?: 'bar' | 'plain' | 'none';
  /** Progress as figures too (`done` of `total` jobs submitted), for a caller that shows it itself. */
  readonly onProgress?: (policy: Policy, done: number, total: number) => void;
  readonly log?: (line: string) => void;
  /** Katib Experiment files run beside the trace (`[pool=]file`); none by default. */
  readonly experiments?: readonly ExperimentArgument[];
  /** Run every experiment once per algorithm, with that algorithm's default settings. */
  readonly algorithms?: readonly AlgorithmName[];
  /** What the trials report (synthetic-objectives.ts). Default branin-curve. */
  readonly objective?: SyntheticObjectiveName;
  /** Seconds a trial runs at its full budget. Default 600. */
  readonly trialSeconds?: number;
  /** GPUs of a trial whose template asks for none. Default 1. */
  readonly trialGpus?: number;
  /** When the experiments are created, seconds from the start of the trace. Default 0. */
  readonly experimentsAt?: number;
}

/** `events.jsonl` for one policy, `events-fifo.jsonl`, `events-sjf.jsonl`... for several. */
function eventsFile(file: string, policy: Policy, several: boolean): string {
  if (!several) return file;
  const ext = extname(file);
  return join(file.slice(0, file.length - basename(file).length), `${basename(file, ext)}-${policy}${ext || '.jsonl'}`);
}

/** Writes appended events as JSON lines (one core event per line), buffered. */
class JsonLinesWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      this.fd = openSync(file, 'w');
    } catch (e) {
      throw new InputError(`cannot write the event log to ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  write = (_stream: string, events: readonly NewEvent[]): void => {
    for (const e of events) {
      const line = `${JSON.stringify(e.data)}\n`;
      this.buffer.push(line);
      this.size += line.length;
    }
    if (this.size > 1 << 20) this.flush();
  };
  flush(): void {
    if (this.buffer.length > 0) writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export async function runSimulateCommand(
  o: SimulateCommandOptions,
): Promise<{ results: SimulationResult[]; summaries: Summary[] }> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const trace = readTrace(o.trace, o.format);
  const pools = scaleCluster(readClusterFile(o.cluster), o.capacityScale);
  // The Experiment parser and the algorithms are loaded only for experiments: a trace alone needs none.
  const experiments =
    o.experiments && o.experiments.length > 0
      ? (await import('./experiment-files.js')).readExperiments({
          experiments: o.experiments,
          pools,
          seed: o.seed,
          ...(o.algorithms ? { algorithms: o.algorithms } : {}),
        })
      : null;
  if (experiments === null && o.algorithms) throw new InputError('--algorithm needs at least one --experiment');
  const objective = o.objective ?? DEFAULT_SYNTHETIC_OBJECTIVE;
  mkdirSync(o.out, { recursive: true });
  const results: SimulationResult[] = [];
  const summaries: Summary[] = [];
  const report = o.report ?? true;
  const seriesAhead: (number[] | null)[] = [];
  const progress = await progressPrinter(o.progress ?? 'none', log);
  for (const policy of o.policies) {
    const writer = o.events ? new JsonLinesWriter(eventsFile(o.events, policy, o.policies.length > 1)) : undefined;
    try {
      const result = await simulate({
        pools,
        trace,
        policy,
        placement: o.placement,
        seed: o.seed,
        maxWaitSeconds: o.maxWaitSeconds ?? null,
        launchDelay: o.launchDelay ?? 0,
        log: writer ? { kind: 'sink', sink: writer.write } : { kind: 'none' },
        onProgress: (done: number, total: number) => {
          progress.update(policy, done, total);
          o.onProgress?.(policy, done, total);
        },
        ...(experiments === null
          ? {}
          : {
              tuning: {
                experiments,
                objective,
                trialSeconds: o.trialSeconds ?? DEFAULT_TRIAL_SECONDS,
                trialGpus: o.trialGpus ?? 1,
                startAt: o.experimentsAt ?? 0,
              },
            }),
      });
      results.push(result);
      seriesAhead.push(report && o.renderAhead ? seriesCharts(result).map(o.renderAhead) : null);
      summaries.push(summarize(result));
    } finally {
      progress.stop();
      writer?.close();
    }
  }
  // Started before the files are written, so a caller rendering elsewhere does it meanwhile.
  const reported = report
    ? startReport(o, experiments?.length ?? null, objective, trace.length, pools, { results, summaries, seriesAhead })
    : null;
  // Not left unhandled while the files are written; awaited (and so thrown) below.
  reported?.catch(() => {});
  // One policy: DIR/jobs.csv and DIR/summary.json. Several: the same per policy in DIR/<policy>/,
  // and DIR/summary.json lists them all.
  const several = o.policies.length > 1;
  results.forEach((r, i) => {
    const dir = several ? join(o.out, r.policy) : o.out;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'jobs.csv'), jobsCsvBytes(r.jobs));
    writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summaries[i], null, 2)}\n`);
    if (r.trials) writeFileSync(join(dir, 'trials.csv'), trialsCsv(r.trials));
  });
  if (several) writeFileSync(join(o.out, 'summary.json'), `${JSON.stringify({ policies: summaries }, null, 2)}\n`);
  await reported;
  return { results, summaries };
}

/** Render and write the report itself: the renderer loaded only here (vega is a large module graph). */
async function renderReportHere(page: ReportPage, file: string): Promise<void> {
  const { renderPage } = await import('./report.js');
  writeFileSync(file, await renderPage(page));
}

/** Build the report's page and have it rendered to DIR/report.html. */
async function startReport(
  o: SimulateCommandOptions,
  experiments: number | null,
  objective: SyntheticObjectiveName,
  jobs: number,
  pools: readonly { readonly nodes: number; readonly gpusPerNode: number }[],
  run: Pick<ReportInput, 'results' | 'summaries' | 'seriesAhead'>,
): Promise<void> {
  const tuned =
    experiments === null
      ? ''
      : `; ${experiments} experiments on the ${objective} objective, trials of ${o.trialSeconds ?? DEFAULT_TRIAL_SECONDS} s created at ${o.experimentsAt ?? 0} s`;
  const description = `trace ${o.trace} (${o.format}, ${jobs} jobs) on cluster ${o.cluster} (${pools.length} pools, ${pools.reduce((n, p) => n + p.nodes * p.gpusPerNode, 0)} GPUs${o.capacityScale !== 1 ? `, capacity x${o.capacityScale}` : ''}); ${o.placement} placement; seed ${o.seed}${tuned}`;
  const page = reportPage({ title: 'gpupool simulation', description, ...run });
  return (o.renderReport ?? renderReportHere)(page, join(o.out, 'report.html'));
}
