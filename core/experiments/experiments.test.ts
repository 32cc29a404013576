/**
 * The experiments decider: trials created within the parallel count and the budget, and an
 * experiment ending as Katib's does, in its order (goal, failures, budget, exhausted); a stop that
 * lets running trials finish; edits of the three counts; a restart when the resume policy allows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDeciderBatch } from '../decider.js';
import type { ExperimentCommand } from './commands.js';
import { trialsWanted } from './decide.js';
import type { ExperimentEvent } from './events.js';
import { experimentsDecider } from './experiments-decider.js';
import type { ExperimentsState } from './model.js';
import { parseExperiment } from './spec.js';

const sample = (file: string, edit: (doc: string) => string = (d) => d) => {
  const r = parseExperiment(edit(readFileSync(new URL(`./fixtures/katib/${file}`, import.meta.url), 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.experiment;
};

/** An experiment 'g/x' of the random sample (minimize loss, goal 0.001, parallel 3, max 12, max failed 3). */
function given(spec = sample('hp-tuning_random.yaml')) {
  let state: ExperimentsState = experimentsDecider.initialState();
  let at = 0;
  const log: ExperimentEvent[] = [];
  const run = (...commands: ExperimentCommand[]) => {
    const batch = runDeciderBatch(experimentsDecider, state, commands, ++at);
    state = batch.state;
    log.push(...batch.events);
    return batch.outcomes;
  };
  const mustRun = (...commands: ExperimentCommand[]) => {
    for (const o of run(...commands)) if (!o.ok) throw new Error(o.rejection.message);
  };
  mustRun({ type: 'CreateExperiment', experimentId: 'g/x', owner: 'u', group: 'g', spec: spec as never, seed: 7 });
  let n = 0;
  const create = (count: number, exhausted = false) => {
    const names = Array.from({ length: count }, () => `trial-${++n}`);
    mustRun({
      type: 'CreateTrials',
      experimentId: 'g/x',
      trials: names.map((name) => ({ name, assignment: { lr: '0.02', momentum: '0.6' }, labels: {} })),
      exhausted,
    });
    return names;
  };
  const end = (trial: string, outcome: 'succeeded' | 'failed' | 'killed', objective: number | null = null) =>
    mustRun({
      type: 'ReportTrialEnded',
      experimentId: 'g/x',
      trial,
      outcome,
      objective,
      metrics: objective === null ? {} : { loss: objective },
    });
  return {
    get state() {
      return state;
    },
    run,
    mustRun,
    create,
    end,
    get x() {
      const x = state.experiments.get('g/x');
      if (!x) throw new Error('no experiment');
      return x;
    },
    completed: () => log.filter((e) => e.type === 'ExperimentCompleted'),
  };
}

describe('experiments', () => {
  it('creates trials only into free parallel slots, within the budget', () => {
    const c = given();
    expect(trialsWanted(c.x)).toBe(3);
    const [first] = c.create(3);
    expect(trialsWanted(c.x)).toBe(0);
    const refused = c.run({
      type: 'CreateTrials',
      experimentId: 'g/x',
      trials: [{ name: 'extra', assignment: {}, labels: {} }],
      exhausted: false,
    });
    expect(refused[0]).toMatchObject({ ok: false, rejection: { code: 'conflict' } });
    c.end(first as string, 'succeeded', 0.5);
    expect(trialsWanted(c.x)).toBe(1);
    expect(c.x.trials.get('trial-1')?.jobId).toBe('g/x-trial-1');
  });

  it('ends when the goal is reached, before any other reason, with the optimal trial', () => {
    const c = given();
    const trials = c.create(3);
    c.end(trials[0] as string, 'succeeded', 0.2);
    c.end(trials[1] as string, 'succeeded', 0.0005);
    expect(c.x).toMatchObject({ status: 'Succeeded', reason: 'ExperimentGoalReached', optimal: 'trial-2' });
    expect(c.completed()).toHaveLength(1);
  });

  it('fails on more failed trials than maxFailedTrialCount (3): the fourth', () => {
    const c = given();
    for (let i = 0; i < 3; i++) c.end(c.create(1)[0] as string, 'failed');
    expect(c.x.status).toBe('Running');
    c.end(c.create(1)[0] as string, 'failed');
    expect(c.x).toMatchObject({ status: 'Failed', reason: 'ExperimentMaxFailedTrialsReached' });
  });

  it('succeeds once maxTrialCount (12) trials have ended, and a trial without its metric is MetricsUnavailable', () => {
    const c = given();
    for (let i = 0; i < 12; i++) c.end(c.create(1)[0] as string, 'succeeded', i === 0 ? null : 0.5);
    expect(c.x.trials.get('trial-1')).toMatchObject({ status: 'MetricsUnavailable', message: 'the trial reported no loss' });
    expect(c.x).toMatchObject({ status: 'Succeeded', reason: 'ExperimentMaxTrialsReached' });
    expect(c.x.counters).toMatchObject({ trials: 12, succeeded: 11, metricsUnavailable: 1 });
  });

  it('succeeds with the search space exhausted once its last trial ends', () => {
    const c = given();
    const [a] = c.create(1, true);
    expect(trialsWanted(c.x)).toBe(0);
    expect(c.x.status).toBe('Running');
    c.end(a as string, 'succeeded', 0.3);
    expect(c.x).toMatchObject({ status: 'Succeeded', reason: 'ExperimentSuggestionEndReached' });
  });

  it('a stop lets running trials finish, then ends Stopped; nothing is created meanwhile', () => {
    const c = given();
    const [a, b] = c.create(2);
    c.mustRun({ type: 'StopExperiment', experimentId: 'g/x', trials: 'finish' });
    expect(c.x.status).toBe('Stopping');
    expect(trialsWanted(c.x)).toBe(0);
    c.end(a as string, 'succeeded', 0.3);
    expect(c.x.status).toBe('Stopping');
    c.end(b as string, 'killed');
    expect(c.x).toMatchObject({ status: 'Stopped', reason: 'ExperimentStopped' });
    expect(c.run({ type: 'StopExperiment', experimentId: 'g/x', trials: 'stop' })[0]).toMatchObject({ ok: false });
  });

  it('edits only the counts, refuses ones that contradict each other, and ends at once on a budget already spent', () => {
    const c = given();
    expect(c.run({ type: 'EditExperiment', experimentId: 'g/x', parallelTrialCount: 20 })[0]).toMatchObject({
      ok: false,
      rejection: { message: 'parallelTrialCount 20 must not exceed maxTrialCount 12' },
    });
    c.mustRun({ type: 'EditExperiment', experimentId: 'g/x', parallelTrialCount: 5 });
    expect(trialsWanted(c.x)).toBe(5);
    for (const t of c.create(2)) c.end(t, 'succeeded', 0.4);
    c.mustRun({ type: 'EditExperiment', experimentId: 'g/x', maxTrialCount: 2, parallelTrialCount: 2 });
    expect(c.x).toMatchObject({ status: 'Succeeded', reason: 'ExperimentMaxTrialsReached' });
  });

  it('restarts a finished experiment only when its resume policy allows, and only with budget left', () => {
    const never = given();
    for (const t of never.create(3)) never.end(t, 'succeeded', 0.0001);
    expect(never.run({ type: 'RestartExperiment', experimentId: 'g/x' })[0]).toMatchObject({
      ok: false,
      rejection: { message: "experiment 'g/x' has resumePolicy Never: it cannot be restarted" },
    });
    const long = given(
      sample('hp-tuning_random.yaml', (d) =>
        d.replace('  parallelTrialCount: 3', '  resumePolicy: LongRunning\n  parallelTrialCount: 3'),
      ),
    );
    expect(long.x.spec.resumePolicy).toBe('LongRunning');
    for (let i = 0; i < 12; i++) long.end(long.create(1)[0] as string, 'succeeded', 0.5);
    expect(long.x.status).toBe('Succeeded');
    expect(long.run({ type: 'RestartExperiment', experimentId: 'g/x' })[0]).toMatchObject({ ok: false });
    long.mustRun({ type: 'EditExperiment', experimentId: 'g/x', maxTrialCount: 15 });
    long.mustRun({ type: 'RestartExperiment', experimentId: 'g/x' });
    expect(long.x).toMatchObject({ status: 'Running', restarts: 1 });
    expect(trialsWanted(long.x)).toBe(3);
  });
});

describe('experiments snapshots', () => {
  it('restore to a state that decides as the replayed one does, through JSON', () => {
    const c = given();
    const [a, b] = c.create(3);
    c.end(a as string, 'succeeded', 0.4);
    c.mustRun({ type: 'ReportTrialStarted', experimentId: 'g/x', trial: b as string });
    const json = JSON.parse(JSON.stringify(experimentsDecider.snapshots?.toSnapshot(c.state)));
    const restored = experimentsDecider.snapshots?.fromSnapshot(json) as ExperimentsState;
    const view = (s: ExperimentsState) => ({
      experiments: [...s.experiments.values()].map((x) => ({ ...x, trials: [...x.trials.values()] })),
      byGroup: [...s.byGroup],
      trialOfJob: [...s.trialOfJob],
      revision: s.revision,
      commands: [...s.commands.keys()],
    });
    expect(JSON.parse(JSON.stringify(view(restored)))).toEqual(JSON.parse(JSON.stringify(view(c.state))));
    // The same command decides the same events on both.
    const next: ExperimentCommand = {
      type: 'ReportTrialEnded',
      experimentId: 'g/x',
      trial: b as string,
      outcome: 'succeeded',
      objective: 0.0001,
      metrics: {},
    };
    const fromReplay = runDeciderBatch(experimentsDecider, c.state, [next], 99).events;
    const fromSnapshot = runDeciderBatch(experimentsDecider, restored, [next], 99).events;
    expect(fromSnapshot).toEqual(fromReplay);
    expect(fromSnapshot.map((e) => e.type)).toEqual(['TrialEnded', 'ExperimentCompleted']);
  });

  it('refuses what is not a snapshot', () => {
    expect(() => experimentsDecider.snapshots?.fromSnapshot({ revision: 1 })).toThrow('not an experiments snapshot');
  });
});
