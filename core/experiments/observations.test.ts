/**
 * The rules the experiment controller and the simulation share: a trial's result from its series
 * by the metric strategies, the trials an algorithm's suggestions become, the report of a trial
 * stopped early, and when an experiment's running trials are stopped.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDeciderBatch } from '../decider.js';
import type { ExperimentCommand } from './commands.js';
import { medianstop } from './early-stopping/medianstop.js';
import { experimentsDecider } from './experiments-decider.js';
import type { ExperimentState, ExperimentsState } from './model.js';
import {
  earlyStoppedReport,
  objectiveResult,
  observationOf,
  startedTrials,
  stopsRunningTrials,
  suggestTrials,
  trialResult,
  valueByStrategy,
} from './observations.js';
import { type ExperimentSpec, parseExperiment } from './spec.js';
import { random } from './suggest/random.js';

const sample = (file: string, edit: (doc: string) => string = (d) => d): ExperimentSpec => {
  const r = parseExperiment(edit(readFileSync(new URL(`./fixtures/katib/${file}`, import.meta.url), 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.experiment;
};

/** The random sample (minimize loss), with accuracy as an additional metric taken at its latest. */
const withAccuracy = sample('hp-tuning_random.yaml', (d) =>
  d.replace(
    '    objectiveMetricName: loss\n',
    '    objectiveMetricName: loss\n    additionalMetricNames: [accuracy]\n    metricStrategies:\n      - name: accuracy\n        value: latest\n',
  ),
);

/** Experiment 'g/x' of `spec` after `commands`. */
function experiment(spec: ExperimentSpec, ...commands: ExperimentCommand[]): ExperimentState {
  let state: ExperimentsState = experimentsDecider.initialState();
  const all: ExperimentCommand[] = [
    { type: 'CreateExperiment', experimentId: 'g/x', owner: 'u', group: 'g', spec: spec as never, seed: 7 },
    ...commands,
  ];
  all.forEach((c, i) => {
    const batch = runDeciderBatch(experimentsDecider, state, [c], i + 1);
    const outcome = batch.outcomes[0];
    if (outcome && !outcome.ok) throw new Error(outcome.rejection.message);
    state = batch.state;
  });
  return state.experiments.get('g/x') as ExperimentState;
}

const points = (...values: number[]) => values.map((value, i) => ({ step: i + 1, value }));
const trials = (...names: string[]): ExperimentCommand => ({
  type: 'CreateTrials',
  experimentId: 'g/x',
  trials: names.map((name) => ({ name, assignment: { lr: '0.02', momentum: '0.6' }, labels: {} })),
  exhausted: false,
});

describe('a trial result from its series', () => {
  it('takes each strategy: min, max, latest; no value from no points', () => {
    expect(valueByStrategy([3, 1, 2], 'min')).toBe(1);
    expect(valueByStrategy([3, 1, 2], 'max')).toBe(3);
    expect(valueByStrategy([3, 1, 2], 'latest')).toBe(2);
    expect(valueByStrategy([], 'min')).toBeNull();
  });

  it("takes the objective by its type's default and an additional metric by its own strategy", () => {
    const series = new Map([
      ['loss', points(0.9, 0.2, 0.4)],
      ['accuracy', points(0.5, 0.9, 0.8)],
      ['unasked', points(1)],
    ]);
    expect(trialResult(withAccuracy, series)).toEqual({ objective: 0.2, metrics: { loss: 0.2, accuracy: 0.8 } });
  });

  it('leaves out a metric without points, and the objective is null without its own', () => {
    expect(trialResult(withAccuracy, new Map([['accuracy', points(0.7)]]))).toEqual({
      objective: null,
      metrics: { accuracy: 0.7 },
    });
    expect(objectiveResult(withAccuracy, [])).toEqual({ objective: null, metrics: {} });
    expect(objectiveResult(withAccuracy, points(0.5, 0.3))).toEqual({ objective: 0.3, metrics: { loss: 0.3 } });
  });
});

describe('the trials of a suggestion', () => {
  it("are named after the experiment's trials, as many as wanted, the same for the same state", () => {
    const x = experiment(sample('hp-tuning_random.yaml'), trials('trial-1', 'trial-2'));
    const created = suggestTrials(random, x, 1);
    expect(created?.experimentId).toBe('g/x');
    expect(created?.trials.map((t) => t.name)).toEqual(['trial-3']);
    expect(created?.exhausted).toBe(false);
    expect(suggestTrials(random, x, 1)).toEqual(created);
  });

  it('are nothing to record when the algorithm has none and is not exhausted', () => {
    const none = { name: 'none', validate: () => [], suggest: () => ({ suggestions: [], exhausted: false }) };
    expect(suggestTrials(none, experiment(sample('hp-tuning_random.yaml')), 3)).toBeNull();
  });

  it('record an exhausted space even without a trial', () => {
    const spent = { name: 'spent', validate: () => [], suggest: () => ({ suggestions: [], exhausted: true }) };
    expect(suggestTrials(spent, experiment(sample('hp-tuning_random.yaml')), 3)).toEqual({
      experimentId: 'g/x',
      trials: [],
      exhausted: true,
    });
  });
});

describe('early stopping', () => {
  it('judges the started trials, and ends a stopped one with the objective its series reached', () => {
    const x = experiment(sample('early-stopping_median-stop.yaml'), trials('trial-1', 'trial-2'), {
      type: 'ReportTrialStarted',
      experimentId: 'g/x',
      trial: 'trial-1',
    });
    expect(startedTrials(x).map((t) => t.name)).toEqual(['trial-1']);
    const t = x.trials.get('trial-1');
    expect(t && observationOf(t, points(4, 3))).toMatchObject({ trial: 'trial-1', outcome: 'running', series: points(4, 3) });
    expect(earlyStoppedReport(x, 'trial-1', points(4, 2, 3), medianstop)).toEqual({
      type: 'ReportTrialEnded',
      experimentId: 'g/x',
      trial: 'trial-1',
      outcome: 'early-stopped',
      objective: 2,
      metrics: { loss: 2 },
      message: 'stopped early by medianstop',
    });
  });
});

describe("an experiment's running trials", () => {
  const spec = sample('hp-tuning_random.yaml');
  it('run on while it runs, or stops letting them finish', () => {
    expect(stopsRunningTrials(experiment(spec, trials('trial-1')))).toBe(false);
    const finishing = experiment(spec, trials('trial-1'), { type: 'StopExperiment', experimentId: 'g/x', trials: 'finish' });
    expect(finishing.status).toBe('Stopping');
    expect(stopsRunningTrials(finishing)).toBe(false);
  });

  it('are stopped when it stops them, or once it has ended', () => {
    const stopping = experiment(spec, trials('trial-1'), { type: 'StopExperiment', experimentId: 'g/x', trials: 'stop' });
    expect(stopping.status).toBe('Stopping');
    expect(stopsRunningTrials(stopping)).toBe(true);
    const ended = experiment(spec, trials('trial-1'), {
      type: 'ReportTrialEnded',
      experimentId: 'g/x',
      trial: 'trial-1',
      outcome: 'succeeded',
      objective: 0.0001,
      metrics: { loss: 0.0001 },
    });
    expect(ended.status).toBe('Succeeded');
    expect(stopsRunningTrials(ended)).toBe(true);
  });
});
