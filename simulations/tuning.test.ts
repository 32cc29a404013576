// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's placeholders are written ${...} in plain strings, as in its documents
/**
 * Experiments beside a trace in `gpupool simulate`: the report's per-experiment figures, the same
 * report for the same inputs and seed, trials queued behind a full pool of trace jobs, early
 * stopping and a maximum duration in virtual time, hyperband's budgets, comparing algorithms with
 * --algorithm, and bad input refused with a clear message (its field paths for an invalid file).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExperimentSpec } from '../core/experiments/spec.js';
import type { PoolSpec } from './cluster.js';
import { runSimulateCommand } from './command.js';
import { InputError, parseCsv } from './csv.js';
import { parseAlgorithms, parseExperimentArgument, readExperiments } from './experiment-files.js';
import { simulate } from './simulate.js';
import { summarize, trialsCsv } from './summary.js';
import { bestPossible, trialPlan } from './synthetic-objectives.js';
import { type TraceJob, traceJob } from './traces.js';
import type { TuningOptions } from './tuning.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-tuning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function writeText(name: string, text: string): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, text);
  return path;
}

const RANDOM = new URL('./fixtures/experiments/branin-random.yaml', import.meta.url).pathname;
const TPE = new URL('./fixtures/experiments/branin-tpe.yaml', import.meta.url).pathname;
const randomText = readFileSync(RANDOM, 'utf8');

/** The random sample with some of its lines replaced. */
const variant = (name: string, ...edits: [string | RegExp, string][]) =>
  writeText(
    `${name}.yaml`,
    edits.reduce((t, [from, to]) => t.replace(from, to), randomText.replace('name: branin-random', `name: ${name}`)),
  );

const pool = (name: string, nodes: number, gpusPerNode: number): PoolSpec => ({ name, nodes, gpusPerNode, gpuType: 'GPU' });
const job = (id: string, gpus: number, submit: number, duration: number, extra: Partial<TraceJob> = {}) =>
  traceJob({ id, gpus, submit, duration, ...extra });

/** A small trace: the pool's 4 GPUs full for the first 1,000 s, then lighter work. */
const TRACE = [job('full', 4, 0, 1000), job('b', 2, 1500, 3000), job('c', 1, 4000, 500), job('d', 3, 9000, 2000)];
const TRACE_CSV = writeText(
  'trace.csv',
  `job_id,pool,gpus,submit_time,duration\n${TRACE.map((j) => `${j.id},main,${j.gpus},${j.submit},${j.duration}`).join('\n')}\n`,
);
const CLUSTER = writeText('cluster.csv', 'pool,nodes,gpus_per_node\nmain,1,4\n');
const quiet = { progress: 'none' as const, log: () => {} };

function tuning(files: string[], over: Partial<TuningOptions> = {}, algorithms?: Parameters<typeof parseAlgorithms>[0]) {
  const pools = [pool('main', 1, 4)];
  const experiments = readExperiments({
    experiments: files.map((file) => ({ file })),
    pools,
    seed: 7,
    ...(algorithms ? { algorithms: parseAlgorithms(algorithms) } : {}),
  });
  return { pools, tuning: { experiments, objective: 'branin' as const, trialSeconds: 600, trialGpus: 1, startAt: 0, ...over } };
}

const records = (path: string) => {
  const t = parseCsv(path, readFileSync(path, 'utf8'));
  return t.rows.map((r) => Object.fromEntries(t.header.map((h, i) => [h, r.values[i] ?? ''])));
};

describe('a small trace and two experiments (random and tpe on Branin) through runSimulateCommand', async () => {
  const run = async (out: string) =>
    runSimulateCommand({
      trace: TRACE_CSV,
      format: 'gpupool',
      cluster: CLUSTER,
      policies: ['fifo'],
      placement: 'node',
      capacityScale: 1,
      seed: 3,
      out,
      experiments: [{ file: RANDOM }, { file: TPE }],
      objective: 'branin',
      ...quiet,
    });
  const outA = join(dir, 'a');
  const outB = join(dir, 'b');
  const a = await run(outA);
  const b = await run(outB);
  const experiments = a.summaries[0]?.experiments ?? [];

  it('reports each experiment: algorithm, trials, best objective, time to goal, GPU-hours and its completion reason', () => {
    expect(experiments.map((x) => [x.id, x.algorithm])).toEqual([
      ['main/group/branin-random', 'random'],
      ['main/group/branin-tpe', 'tpe'],
    ]);
    for (const x of experiments) {
      expect(x.objective).toBe('branin');
      expect(x.trials).toBeGreaterThan(0);
      expect(x.trials).toBeLessThanOrEqual(30);
      expect(x.best).not.toBeNull();
      expect(x.best as number).toBeGreaterThanOrEqual(bestPossible('branin', 'minimize') - 1e-6);
      // Every trial ran on 1 GPU for 600 s: the GPU-hours are the succeeded trials' 10 minutes each.
      expect(x.gpuHours).toBeCloseTo((x.succeeded * 600) / 3600, 6);
      expect(['ExperimentGoalReached', 'ExperimentMaxTrialsReached']).toContain(x.reason);
      if (x.reason === 'ExperimentGoalReached') {
        expect(x.best as number).toBeLessThanOrEqual(1);
        expect(x.timeToGoal).toBe((x.endedAt as number) - x.createdAt);
      } else {
        expect(x.timeToGoal).toBeNull();
        expect(x.trials).toBe(30);
      }
    }
  });

  it('writes trials.csv with every trial, and the report has an experiments table', () => {
    const trials = records(join(outA, 'trials.csv'));
    expect(trials).toHaveLength(experiments.reduce((s, x) => s + x.trials, 0));
    const best = experiments[0];
    const row = trials.find((t) => t.experiment === best?.id && t.trial === best?.bestTrial);
    expect(Number(row?.objective)).toBe(best?.best);
    expect(row?.parameters).toBe(
      Object.entries(best?.bestAssignment ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(';'),
    );
    const html = readFileSync(join(outA, 'report.html'), 'utf8');
    expect(html).toContain('Experiments (policy fifo, branin objective)');
    expect(html).toContain('time to goal');
    expect(html).toContain('main/group/branin-tpe');
  });

  it('is deterministic: the same inputs and seed give the same summary, trials and jobs', () => {
    for (const file of ['summary.json', 'trials.csv', 'jobs.csv']) {
      expect(readFileSync(join(outB, file), 'utf8')).toBe(readFileSync(join(outA, file), 'utf8'));
    }
    expect(b.summaries).toEqual(a.summaries);
  });

  it('lists only the trace jobs in jobs.csv, whose figures count the trials waited for', () => {
    expect(records(join(outA, 'jobs.csv')).map((r) => r.job_id)).toEqual(TRACE.map((j) => j.id));
  });
});

describe('trials in a pool full of trace jobs', async () => {
  const { pools, tuning: t } = tuning([RANDOM], {}, 'random');
  const result = await simulate({ pools, trace: TRACE, policy: 'fifo', placement: 'node', tuning: t });
  const trials = result.trials ?? [];

  it('wait for the trace job that holds every GPU, then run', () => {
    const first = trials.slice(0, 2);
    expect(first.map((x) => x.job.submit)).toEqual([0, 0]);
    expect(first.map((x) => x.job.start)).toEqual([1000, 1000]);
    expect(result.experiments?.[0]?.avgTrialWait).toBeGreaterThan(0);
  });

  it('never hold more GPUs than the pool has beside the trace jobs, and count in its series', () => {
    const s = result.series[0];
    expect(Math.max(...(s?.used ?? []))).toBeLessThanOrEqual(4);
    // At 1,000 s the trace job ended and both trials started: 2 GPUs in use, all trials'.
    const at = s?.t.indexOf(1000) ?? -1;
    expect(s?.used[at]).toBe(2);
  });

  it('delay the trace jobs queued behind them (fifo)', async () => {
    const alone = await simulate({ pools, trace: TRACE, policy: 'fifo', placement: 'node' });
    const wait = (r: typeof alone) => r.jobs.reduce((w, j) => w + ((j.start ?? 0) - j.submit), 0);
    expect(wait(result)).toBeGreaterThan(wait(alone));
    expect(alone.experiments).toBeUndefined();
    expect(summarize(alone)).not.toHaveProperty('experiments');
  });

  it("a trial that does not fit the pool fails with the cluster's reason, and the experiment ends by its failures", async () => {
    const big = variant('too-big', ['nvidia.com/gpu: 1', 'nvidia.com/gpu: 16']);
    const { pools: p, tuning: tt } = tuning([big]);
    const r = await simulate({ pools: p, trace: [], policy: 'fifo', placement: 'count', tuning: tt });
    const x = r.experiments?.[0];
    expect(x?.reason).toBe('ExperimentMaxFailedTrialsReached');
    // maxFailedTrialCount 3: the fourth failure ends it (a trial already submitted then fails too).
    expect(x?.failed).toBeGreaterThan(3);
    expect(x?.succeeded).toBe(0);
    expect(r.trials?.[0]?.job.status).toBe('Rejected');
    expect(r.trials?.[0]?.job.rejection).toMatch(/16 GPUs/);
    // trials.csv says why, as jobs.csv does for the trace's jobs; a trial that ran has no reason.
    const [header, ...rows] = parse(trialsCsv(r.trials ?? [])) as string[][];
    const reason = header?.indexOf('reason') ?? -1;
    expect(reason).toBe((header?.length ?? 0) - 1);
    expect(rows.map((row) => [row[7], row[reason]])).toEqual((r.trials ?? []).map((t) => [t.job.status, t.job.rejection ?? '']));
    expect(rows[0]?.[reason]).toMatch(/16 GPUs/);
  });
});

describe('any trace, seed and policy (property)', () => {
  const traceJobs = fc.array(
    fc.record({
      gpus: fc.integer({ min: 1, max: 4 }),
      submit: fc.integer({ min: 0, max: 5000 }),
      duration: fc.integer({ min: 1, max: 3000 }),
    }),
    { maxLength: 12 },
  );
  it('trials never overfill the pool, every experiment ends within its budget, and a second run is the same', async () => {
    await fc.assert(
      fc.asyncProperty(
        traceJobs,
        fc.nat(1000),
        fc.constantFrom('fifo' as const, 'sjf' as const, 'backfill' as const),
        fc.constantFrom('branin' as const, 'branin-curve' as const, 'hartmann6-curve' as const),
        async (specs, seed, policy, objective) => {
          const pools = [pool('main', 1, 4)];
          const experiments = readExperiments({ experiments: [{ file: RANDOM }], pools, seed, algorithms: ['random', 'tpe'] });
          const trace = specs.map((j, i) => job(`j${i}`, j.gpus, j.submit, j.duration));
          const options = {
            pools,
            trace,
            policy,
            placement: 'node' as const,
            tuning: { experiments, objective, trialSeconds: 300, trialGpus: 1, startAt: 0 },
          };
          const r = await simulate(options);
          expect(Math.max(...(r.series[0]?.used ?? [0]))).toBeLessThanOrEqual(4);
          for (const x of r.experiments ?? []) {
            expect(x.reason).not.toBeNull();
            expect(x.trials).toBeLessThanOrEqual(30);
          }
          // Every trial's job ended: ran, or stopped while it queued when its experiment ended.
          expect((r.trials ?? []).every((t) => t.job.end !== null)).toBe(true);
          expect(r.jobs.map((j) => j.id)).toEqual(trace.map((j) => j.id));
          const again = await simulate(options);
          expect(again.experiments).toEqual(r.experiments);
          expect(again.jobs).toEqual(r.jobs);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('curves in virtual time: early stopping and a maximum duration', () => {
  it('medianstop stops trials worse than the median at a step; they hold their GPUs for less time', async () => {
    const file = variant(
      'median',
      ['  parallelTrialCount: 2', '  earlyStopping:\n    algorithmName: medianstop\n  parallelTrialCount: 4'],
      ['goal: 1.0', 'goal: 0.01'],
    );
    const { pools, tuning: t } = tuning([file], { objective: 'branin-curve' });
    const r = await simulate({ pools, trace: [], policy: 'fifo', placement: 'node', tuning: t });
    const x = r.experiments?.[0];
    const stopped = (r.trials ?? []).filter((tr) => tr.status === 'EarlyStopped');
    expect(x?.earlyStopped).toBeGreaterThan(0);
    expect(stopped).toHaveLength(x?.earlyStopped ?? -1);
    for (const tr of stopped) {
      expect(tr.job.status).toBe('Stopped');
      // Stopped at one of its steps (every 60 s of its 600), at or after the rule's start_step 4, before its end.
      const ran = (tr.job.end as number) - (tr.job.start as number);
      expect(ran % 60).toBe(0);
      expect(ran).toBeGreaterThanOrEqual(240);
      expect(ran).toBeLessThan(600);
      expect(tr.objective).not.toBeNull();
    }
    expect(x?.gpuHours).toBeLessThan(((x?.trials ?? 0) * 600) / 3600);
  });

  it('a maximum duration stops the experiment and its running trials at its deadline', async () => {
    const file = variant(
      'deadline',
      ['metadata:\n', 'metadata:\n  annotations:\n    gpupool.io/max-duration-seconds: "1500"\n'],
      ['maxTrialCount: 30', 'maxTrialCount: 100'],
    );
    const { pools, tuning: t } = tuning([file]);
    const r = await simulate({ pools, trace: TRACE, policy: 'fifo', placement: 'node', tuning: t });
    const x = r.experiments?.[0];
    expect(x?.reason).toBe('ExperimentMaxDurationReached');
    expect(x?.endedAt).toBe(1500);
    // Trials started at 1,000 (after the full pool) were stopped at 1,500.
    expect(x?.killed).toBeGreaterThan(0);
    expect((r.trials ?? []).every((tr) => tr.job.end !== null && tr.job.end <= 1500)).toBe(true);
  });

  it('experiments created later, when --experiments-at says, measure their time to goal from then', async () => {
    const file = variant('late', ['goal: 1.0', 'goal: 100']);
    const { pools, tuning: t } = tuning([file], { startAt: 5000 });
    const r = await simulate({ pools, trace: TRACE, policy: 'fifo', placement: 'node', tuning: t });
    const x = r.experiments?.[0];
    expect(x?.createdAt).toBe(5000);
    expect(x?.reason).toBe('ExperimentGoalReached');
    expect(x?.timeToGoal).toBe((x?.endedAt as number) - 5000);
    expect(r.trials?.[0]?.job.submit).toBe(5000);
  });
});

describe('the synthetic objectives', () => {
  const spec = (over: Partial<ExperimentSpec>): ExperimentSpec => {
    const { experiments } = tuning([RANDOM]).tuning;
    return { ...(experiments[0]?.spec as ExperimentSpec), ...over };
  };
  const double = (name: string, min: number, max: number) =>
    ({ name, type: 'double', min, max, step: null, distribution: 'uniform' }) as const;

  it('place the parameters on the function: Branin at a minimizer, Hartmann-6 at its minimizer with fewer parameters', () => {
    const branin = trialPlan('branin', spec({}), { x1: String(Math.PI), x2: '2.275' }, 600);
    expect(branin.seconds).toBe(600);
    expect(branin.series).toHaveLength(1);
    expect(branin.series[0]?.value).toBeCloseTo(0.397887, 5);
    // Two parameters on [0, 10] give x1 and x2; x3..x6 sit at the minimizer.
    const h6 = trialPlan(
      'hartmann6',
      spec({ space: [double('a', 0, 10), double('b', 0, 10)] }),
      { a: '2.0169', b: '1.50011' },
      600,
    );
    expect(h6.series[0]?.value).toBeCloseTo(-3.32237, 4);
  });

  it('a maximize experiment is told a value where higher is better', () => {
    const max = spec({ objective: { ...spec({}).objective, type: 'maximize' } });
    expect(trialPlan('branin', max, { x1: String(Math.PI), x2: '2.275' }, 600).series[0]?.value).toBeCloseTo(1 / 1.397887, 5);
    expect(bestPossible('hartmann6', 'maximize')).toBeCloseTo(3.32237, 5);
  });

  it('curves report ten steps converging towards the value; hyperband trials run their budget', () => {
    const curve = trialPlan('hartmann6-curve', spec({}), { x1: '5', x2: '5' }, 600);
    expect(curve.series).toHaveLength(10);
    const values = curve.series.map((p) => p.value);
    expect(values).toEqual([...values].sort((p, q) => q - p));
    const hyperband = spec({
      algorithm: {
        name: 'hyperband',
        settings: [
          { name: 'resource_name', value: 'epochs' },
          { name: 'r_l', value: '9' },
        ],
      },
      space: [...spec({}).space, { name: 'epochs', type: 'int', min: 1, max: 9, step: null, distribution: 'uniform' }],
    });
    const short = trialPlan('branin-curve', hyperband, { x1: '1', x2: '2', epochs: '3' }, 900);
    expect(short.seconds).toBe(300);
    expect(short.series).toHaveLength(3);
    const full = trialPlan('branin-curve', hyperband, { x1: '1', x2: '2', epochs: '9' }, 900);
    expect(full.seconds).toBe(900);
    // The budget is not a coordinate: the same point, further along the same curve.
    expect(full.series.slice(0, 3)).toEqual(short.series);
  });

  it('a hyperband experiment runs its brackets through the simulation, trials of different lengths', async () => {
    const file = variant(
      'hb',
      [
        'algorithmName: random',
        'algorithmName: hyperband\n    algorithmSettings:\n      - name: resource_name\n        value: epochs\n      - name: r_l\n        value: "9"',
      ],
      ['parallelTrialCount: 2', 'parallelTrialCount: 9'],
      ['maxTrialCount: 30', 'maxTrialCount: 40'],
      ['goal: 1.0', 'goal: 0.0001'],
      [
        '  parameters:\n',
        '  parameters:\n    - name: epochs\n      parameterType: int\n      feasibleSpace:\n        min: "1"\n        max: "9"\n',
      ],
      ['    trialParameters:\n', '    trialParameters:\n      - name: epochs\n        reference: epochs\n'],
      ['"--x2=${trialParameters.x2}"', '"--x2=${trialParameters.x2}"\n                  - "--epochs=${trialParameters.epochs}"'],
    );
    const { pools, tuning: t } = tuning([file], { objective: 'branin-curve', trialSeconds: 900 });
    const r = await simulate({ pools: [pool('main', 2, 8)], trace: [], policy: 'fifo', placement: 'node', tuning: t });
    expect(pools).toHaveLength(1);
    const lengths = new Set((r.trials ?? []).map((tr) => tr.job.duration));
    expect([...lengths].sort((a, b) => a - b)).toEqual([100, 300, 900]);
    expect(r.experiments?.[0]?.reason).toBe('ExperimentSuggestionEndReached');
  });
});

describe('comparing algorithms with --algorithm', () => {
  it('runs one file once per algorithm, each with its default settings, named <name>-<algorithm>', async () => {
    const { pools, tuning: t } = tuning([RANDOM], {}, 'random,tpe,sobol');
    expect(t.experiments.map((x) => [x.id, x.spec.algorithm.name, x.spec.algorithm.settings])).toEqual([
      ['main/group/branin-random-random', 'random', []],
      ['main/group/branin-random-tpe', 'tpe', []],
      ['main/group/branin-random-sobol', 'sobol', []],
    ]);
    // Each its own seed, a function of the simulation's seed and its id.
    expect(new Set(t.experiments.map((x) => x.seed)).size).toBe(3);
    const r = await simulate({ pools, trace: [], policy: 'fifo', placement: 'node', tuning: t });
    expect(r.experiments?.map((x) => x.algorithm)).toEqual(['random', 'tpe', 'sobol']);
  });

  it('refuses an algorithm the experiment cannot run, with the field path', () => {
    // grid needs every double to have a step
    expect(() => tuning([RANDOM], {}, 'grid')).toThrow(
      /with --algorithm grid is not a valid Experiment: spec\.parameters\[0\]\.feasibleSpace\.step/,
    );
    expect(() => parseAlgorithms('random,annealing')).toThrow(/--algorithm takes a comma-separated list of random, grid/);
    expect(() => parseAlgorithms('enas')).toThrow(/neural architecture search is not supported/);
  });
});

describe('bad input', () => {
  const pools = [pool('main', 1, 4)];
  const read =
    (file: string, p = pools) =>
    () =>
      readExperiments({ experiments: [parseExperimentArgument(file)], pools: p, seed: 1 });

  it('a missing file names the flag and the file', () => {
    const missing = join(dir, 'nope.yaml');
    expect(read(missing)).toThrow(InputError);
    expect(read(missing)).toThrow(`--experiment ${missing}: no such file`);
  });

  it('an invalid experiment lists every issue with its field path', () => {
    const bad = variant('bad', ['min: "-5"', 'min: "20"'], ['type: minimize', 'type: smallest']);
    expect(read(bad)).toThrow(InputError);
    let message = '';
    try {
      read(bad)();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`${bad} is not a valid Experiment: `);
    expect(message).toContain('spec.objective.type: must be minimize or maximize, got "smallest"');
    expect(message).toContain('spec.parameters[0].feasibleSpace.max: must be greater than min (20), got 10');
  });

  it('a file that is not YAML', () => {
    expect(read(writeText('junk.yaml', 'a: [1, 2\n'))).toThrow(/is not a valid Experiment: document: not YAML or JSON/);
  });

  it('an experiment that could run forever is refused', () => {
    const endless = variant('endless', ['  maxTrialCount: 30\n', '']);
    expect(read(endless)).toThrow(
      /a simulation must end.*spec\.maxTrialCount or the annotation gpupool\.io\/max-duration-seconds/,
    );
  });

  it('the pool: named when the cluster has several, and one the cluster has', () => {
    const two = [pool('main', 1, 4), pool('vision', 1, 8)];
    expect(read(RANDOM, two)).toThrow(
      `--experiment ${RANDOM} names no pool and the cluster has 2 (main, vision): write --experiment <pool>=${RANDOM}`,
    );
    expect(read(`gpu=${RANDOM}`, two)).toThrow(`--experiment gpu=${RANDOM}: the cluster has no pool 'gpu' (pools: main, vision)`);
    const [x] = readExperiments({ experiments: [parseExperimentArgument(`vision=${RANDOM}`)], pools: two, seed: 1 });
    expect([x?.id, x?.owner]).toEqual(['vision/group/branin-random', 'vision/user']);
  });

  it('the same experiment twice in a pool', () => {
    expect(() => readExperiments({ experiments: [{ file: RANDOM }, { file: RANDOM }], pools, seed: 1 })).toThrow(
      /experiment 'branin-random' is given twice in pool 'main'/,
    );
  });

  it('--algorithm without an experiment', async () => {
    await expect(
      runSimulateCommand({
        trace: TRACE_CSV,
        format: 'gpupool',
        cluster: CLUSTER,
        policies: ['fifo'],
        placement: 'node',
        capacityScale: 1,
        seed: 1,
        out: join(dir, 'no-experiment'),
        algorithms: ['tpe'],
        ...quiet,
      }),
    ).rejects.toThrow('--algorithm needs at least one --experiment');
  });
});

describe.concurrent('gpupool simulate --experiment on the command line', () => {
  const ROOT = fileURLToPath(new URL('..', import.meta.url));
  const gpupool = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'cli/gpupool.ts', 'simulate', '--trace', TRACE_CSV, '--cluster', CLUSTER, ...args],
        { cwd: ROOT, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
      );
    });

  it('runs the experiments, prints a line for each and writes trials.csv', async () => {
    const out = join(dir, 'cli-ok');
    const r = await gpupool([
      '--experiment',
      `main=${RANDOM}`,
      '--algorithm',
      'random,tpe',
      '--objective',
      'hartmann6-curve',
      '--trial-seconds',
      '300',
      '--trial-gpus',
      '2',
      '--experiments-at',
      '100',
      '--no-report',
      '--out',
      out,
    ]);
    expect(r.stderr).not.toMatch(/gpupool:/);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('  main/group/'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^ {2}main\/group\/branin-random-random \(random\): \d+ trials, best -?[\d.]+, time to goal (not reached|\d+(\.\d+)? s), [\d.]+ GPU-hours, Experiment\w+$/,
    );
    const trials = records(join(out, 'trials.csv'));
    // The template asks for 1 GPU: --trial-gpus is only for a template that asks for none.
    expect(new Set(trials.map((t) => t.gpus))).toEqual(new Set(['1']));
    expect(Math.min(...trials.map((t) => Number(t.submit_time)))).toBe(100);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.experiments.map((x: { objective: string }) => x.objective)).toEqual(['hartmann6-curve', 'hartmann6-curve']);
  });

  it('refuses bad input with one line and exit 2, writing nothing', async () => {
    const out = join(dir, 'cli-bad');
    const missing = join(dir, 'missing.yaml');
    const cases: [string[], string][] = [
      [['--experiment', missing], `gpupool: --experiment ${missing}: no such file`],
      [
        ['--experiment', variant('cli-bad', ['type: minimize', 'type: up'])],
        'spec.objective.type: must be minimize or maximize, got "up"',
      ],
      [['--experiment', RANDOM, '--objective', 'rosenbrock'], "option '--objective <name>' argument 'rosenbrock' is invalid"],
      [['--experiment', RANDOM, '--algorithm', 'annealing'], '--algorithm takes a comma-separated list of'],
      [['--experiment', RANDOM, '--trial-gpus', '0'], '--trial-gpus takes an integer >= 1'],
    ];
    for (const [args, message] of cases) {
      const r = await gpupool([...args, '--out', out]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  });
});
