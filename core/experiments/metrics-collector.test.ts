import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  collectMetrics,
  KATIB_DEFAULT_METRICS_FORMAT,
  metricsByStrategy,
  objectiveOf,
  parseRfc3339,
} from './metrics-collector.js';
import { type MetricsCollector, parseExperiment } from './spec.js';

const stdout = (metricsFormat: readonly string[] = []): MetricsCollector => ({
  kind: 'StdOut',
  fileSystemPath: null,
  httpGet: null,
  metricsFormat,
  customCollector: null,
});
const file = (format: 'TEXT' | 'JSON', metricsFormat: readonly string[] = []): MetricsCollector => ({
  kind: 'File',
  fileSystemPath: { path: '/var/log/katib/metrics.log', kind: 'File', format },
  httpGet: null,
  metricsFormat,
  customCollector: null,
});

/** The sample's regex, as metrics-collector_file-metrics-collector.yaml writes it. */
const SAMPLE_FORMAT = String.raw`{metricName: ([\w|-]+), metricValue: ((-?\d+)(\.\d+)?)}`;

const t = (iso: string): number => Date.parse(iso) / 1000;

describe('collectMetrics: TEXT with the default pattern', () => {
  it('reads several metrics on a line, keeps only those asked for, and steps each metric from 0', () => {
    const out = collectMetrics(
      ['epoch 1: loss=0.3, accuracy=0.9, lr=0.01', 'epoch 2: loss=0.2, accuracy=0.95', 'done'].join('\n'),
      stdout(),
      ['accuracy', 'loss'],
    );
    expect(out).toEqual({
      points: [
        { name: 'loss', value: 0.3, step: 0 },
        { name: 'accuracy', value: 0.9, step: 0 },
        { name: 'loss', value: 0.2, step: 1 },
        { name: 'accuracy', value: 0.95, step: 1 },
      ],
      skipped: [],
    });
  });

  it("reads the values of Katib's const.go examples, exponents and spaces around '='", () => {
    const text = [
      'loss=0.3',
      'accuracy=.98',
      'Score=-7.53e-05',
      'Score=-7.53e+05',
      'Score=1E0',
      'Score=1.23E10',
      'lr = 1e-3',
      'Score=-2.5E+2',
      'Validation-accuracy=+0.5',
    ].join('\n');
    const out = collectMetrics(text, stdout(), ['loss', 'accuracy', 'Score', 'lr', 'Validation-accuracy']);
    expect(out.skipped).toEqual([]);
    expect(out.points.map((p) => [p.name, p.value, p.step])).toEqual([
      ['loss', 0.3, 0],
      ['accuracy', 0.98, 0],
      ['Score', -7.53e-5, 0],
      ['Score', -7.53e5, 1],
      ['Score', 1, 2],
      ['Score', 1.23e10, 3],
      ['lr', 0.001, 0],
      ['Score', -250, 4],
      ['Validation-accuracy', 0.5, 0],
    ]);
  });

  it("matches Katib's default regex where it stops: at the end of the number", () => {
    const out = collectMetrics('loss=0.3abc loss=1. loss=2e5x', stdout(), ['loss']);
    expect(out.points.map((p) => p.value)).toEqual([0.3, 1, 200000]);
    // The regex gpupool exports is Katib's, verbatim.
    expect([...'a=1 b = -2.5E+2'.matchAll(new RegExp(KATIB_DEFAULT_METRICS_FORMAT, 'g'))].map((m) => [m[1], m[2]])).toEqual([
      ['a', '1'],
      ['b', '-2.5E+2'],
    ]);
  });

  it("accepts 'name: value' too, and both forms on one line in order of appearance", () => {
    const out = collectMetrics(['loss: 0.5', 'accuracy:0.7 loss=0.4', 'epoch 3: loss: 0.1'].join('\n'), stdout(), [
      'loss',
      'accuracy',
    ]);
    expect(out.points).toEqual([
      { name: 'loss', value: 0.5, step: 0 },
      { name: 'accuracy', value: 0.7, step: 0 },
      { name: 'loss', value: 0.4, step: 1 },
      { name: 'loss', value: 0.1, step: 2 },
    ]);
    expect(out.skipped).toEqual([]);
  });

  it("reads 'name: value' with the name quoted, as printed dicts and JSON write it", () => {
    const out = collectMetrics(
      [`{'loss': 0.3, 'learning_rate': 5e-05, 'epoch': 1.0}`, '{"loss": 0.25, "accuracy": "0.9"}'].join('\n'),
      stdout(),
      ['loss', 'epoch', 'accuracy'],
    );
    expect(out.points).toEqual([
      { name: 'loss', value: 0.3, step: 0 },
      { name: 'epoch', value: 1, step: 0 },
      { name: 'loss', value: 0.25, step: 1 },
    ]);
    // A quoted value is not a number to the TEXT patterns: reported, not guessed.
    expect(out.skipped).toEqual([{ line: 2, reason: 'accuracy: "" is not a number' }]);
  });

  it('takes an RFC 3339 first token as the time of the line, and ignores one that is not', () => {
    const text = [
      '2026-12-01T10:00:00Z loss=0.3',
      '2026-12-01T10:00:01.5Z INFO loss: 0.2',
      '2026-12-01T12:00:02+02:00 loss=0.1',
      '2026-13-01T10:00:00Z loss=0.05',
      '10:00:03 loss=0.04',
      'loss=0.03',
    ].join('\n');
    const out = collectMetrics(text, stdout(), ['loss']);
    expect(out.skipped).toEqual([]);
    expect(out.points).toEqual([
      { name: 'loss', value: 0.3, step: 0, at: t('2026-12-01T10:00:00Z') },
      { name: 'loss', value: 0.2, step: 1, at: t('2026-12-01T10:00:01.5Z') },
      { name: 'loss', value: 0.1, step: 2, at: t('2026-12-01T10:00:02Z') },
      { name: 'loss', value: 0.05, step: 3 },
      { name: 'loss', value: 0.04, step: 4 },
      { name: 'loss', value: 0.03, step: 5 },
    ]);
  });

  it("does not read 'name: value' inside the timestamp", () => {
    // "01T10:00" would be name "01T10", value "00": asked for, it would be a point were the timestamp read.
    const out = collectMetrics('2026-12-01T10:00:00Z loss=0.3', stdout(), ['loss', '01T10']);
    expect(out.points).toEqual([{ name: 'loss', value: 0.3, step: 0, at: t('2026-12-01T10:00:00Z') }]);
  });

  it('gives points without a timestamp the startAt time, when given', () => {
    const out = collectMetrics('loss=0.3\n2026-12-01T10:00:00Z loss=0.2', stdout(), ['loss'], { startAt: 1_000 });
    expect(out.points).toEqual([
      { name: 'loss', value: 0.3, step: 0, at: 1_000 },
      { name: 'loss', value: 0.2, step: 1, at: t('2026-12-01T10:00:00Z') },
    ]);
  });

  it('skips NaN, inf and values that are not numbers, with their line, and keeps the rest', () => {
    const text = [
      'loss=0.3',
      'loss=nan accuracy=0.9',
      'loss=inf',
      'loss=-Infinity',
      'loss: NaN',
      'loss=abc',
      'loss=1e999',
      'loss=0.1',
    ].join('\n');
    const out = collectMetrics(text, stdout(), ['loss', 'accuracy']);
    expect(out.points).toEqual([
      { name: 'loss', value: 0.3, step: 0 },
      { name: 'accuracy', value: 0.9, step: 0 },
      { name: 'loss', value: 0.1, step: 1 },
    ]);
    expect(out.skipped).toEqual([
      { line: 2, reason: 'loss: "nan" is not finite' },
      { line: 3, reason: 'loss: "inf" is not finite' },
      { line: 4, reason: 'loss: "-Infinity" is not finite' },
      { line: 5, reason: 'loss: "NaN" is not finite' },
      { line: 6, reason: 'loss: "" is not a number' },
      { line: 7, reason: 'loss: "1e999" is not finite' },
    ]);
  });

  it('does not report values of metrics not asked for, nor lines that match nothing', () => {
    const out = collectMetrics('model=resnet\nepoch 1/10\nstep: warmup\nloss=0.3', stdout(), ['loss']);
    expect(out).toEqual({ points: [{ name: 'loss', value: 0.3, step: 0 }], skipped: [] });
  });

  it('reads CRLF line endings like LF, timestamps included', () => {
    const out = collectMetrics('2026-12-01T10:00:00Z loss=0.3\r\nloss=nan\r\naccuracy: 0.9\r\n', stdout(), ['loss', 'accuracy']);
    expect(out.points).toEqual([
      { name: 'loss', value: 0.3, step: 0, at: t('2026-12-01T10:00:00Z') },
      { name: 'accuracy', value: 0.9, step: 0 },
    ]);
    expect(out.skipped).toEqual([{ line: 2, reason: 'loss: "nan" is not finite' }]);
  });

  it('finds nothing in an empty output', () => {
    expect(collectMetrics('', stdout(), ['loss'])).toEqual({ points: [], skipped: [] });
    expect(collectMetrics('', file('JSON'), ['loss'])).toEqual({ points: [], skipped: [] });
    expect(collectMetrics('\n\r\n', file('TEXT'), ['loss'])).toEqual({ points: [], skipped: [] });
  });

  it('reads a File collector in TEXT format as StdOut', () => {
    const text = 'epoch 1: loss=0.3, accuracy=0.9';
    expect(collectMetrics(text, file('TEXT'), ['loss', 'accuracy'])).toEqual(
      collectMetrics(text, stdout(), ['loss', 'accuracy']),
    );
  });
});

describe('collectMetrics: TEXT with custom patterns', () => {
  // The lines mnist.py writes with logging's "%(asctime)s %(levelname)-8s %(message)s" and
  // datefmt "%Y-%m-%dT%H:%M:%SZ" (examples/v1beta1/trial-images/pytorch-mnist), as in Katib's test.
  const MNIST_LOG = [
    '2024-03-04T17:55:07Z INFO     Train Epoch: 1 [0/60000 (0%)]\tloss=2.3033',
    '2024-03-04T17:55:08Z INFO     {metricName: accuracy, metricValue: 0.8078};{metricName: loss, metricValue: 0.5183}',
    '',
    '2024-03-04T17:55:08Z INFO     {metricName: accuracy, metricValue: 0.6752}',
    '2024-03-04T17:55:08Z INFO     {metricName: loss, metricValue: 0.3634}',
    '2024-03-04T17:55:08Z INFO     {metricName: accuracy, metricValue: 100}',
    '2024-03-04T17:55:08Z INFO     {metricName: accuracy, metricValue: 888.333}',
    '2024-03-04T17:55:08Z INFO     {metricName: accuracy, metricValue: -0.4759}',
    '{metricName: loss, metricValue: 0.8671}',
  ].join('\n');

  it("reads the file-metrics-collector sample's lines with its exact regex", () => {
    const out = collectMetrics(MNIST_LOG, file('TEXT', [SAMPLE_FORMAT]), ['accuracy', 'loss']);
    const at = t('2024-03-04T17:55:08Z');
    expect(out.skipped).toEqual([]);
    // The training line's loss=2.3033 is not in the sample's format: only the custom regex applies.
    expect(out.points).toEqual([
      { name: 'accuracy', value: 0.8078, step: 0, at },
      { name: 'loss', value: 0.5183, step: 0, at },
      { name: 'accuracy', value: 0.6752, step: 1, at },
      { name: 'loss', value: 0.3634, step: 1, at },
      { name: 'accuracy', value: 100, step: 2, at },
      { name: 'accuracy', value: 888.333, step: 3, at },
      { name: 'accuracy', value: -0.4759, step: 4, at },
      { name: 'loss', value: 0.8671, step: 2 },
    ]);
  });

  it('uses the regex of the sample as parseExperiment reads it from the YAML', () => {
    const yaml = readFileSync(new URL('./fixtures/katib/metrics-collector_file-metrics-collector.yaml', import.meta.url), 'utf8');
    const parsed = parseExperiment(yaml);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed));
    const { metricsCollector, objective } = parsed.experiment;
    expect(metricsCollector.metricsFormat).toEqual([SAMPLE_FORMAT]);
    const names = [objective.objectiveMetricName, ...objective.additionalMetricNames];
    const out = collectMetrics(MNIST_LOG, metricsCollector, names);
    expect(out.points).toHaveLength(8);
    // The experiment maximizes, so both metrics default to max (Katib's defaults).
    expect(objective.metricStrategies).toEqual([
      { name: 'accuracy', value: 'max' },
      { name: 'loss', value: 'max' },
    ]);
    expect(metricsByStrategy(out.points, objective.metricStrategies)).toEqual({ accuracy: 888.333, loss: 0.8671 });
  });

  it("ignores what the sample's regex does not match, as Katib does (.333, - 345.333, an unclosed brace)", () => {
    const text = [
      '2024-03-04T17:55:08Z INFO     {metricName: accuracy, metricValue: .333}',
      '2024-03-04T17:55:08Z INFO     {metricName: accuracy, metricValue: -.333}',
      '2024-03-04T17:55:08Z INFO     {metricName: accuracy, metricValue: - 345.333}',
      '2024-03-04T17:55:08Z INFO     {metricName: accuracy, metricValue: 888.}',
      '2024-03-04T17:55:08Z INFO     {metricName: loss, metricValue: 0.6752',
    ].join('\n');
    expect(collectMetrics(text, stdout([SAMPLE_FORMAT]), ['accuracy', 'loss'])).toEqual({ points: [], skipped: [] });
  });

  it('applies several patterns, points in order of appearance on the line, and reports bad values', () => {
    const patterns = [String.raw`(\w+)\s+is\s+(\S+)`, String.raw`\[(\w+)\]\s*(\S+)`];
    const out = collectMetrics('[loss] 0.3 accuracy is 0.9\naccuracy is nan', stdout(patterns), ['loss', 'accuracy']);
    expect(out.points).toEqual([
      { name: 'loss', value: 0.3, step: 0 },
      { name: 'accuracy', value: 0.9, step: 0 },
    ]);
    expect(out.skipped).toEqual([{ line: 2, reason: 'accuracy: "nan" is not finite' }]);
  });

  it("does not apply the default patterns when the collector has its own, nor 'name: value'", () => {
    const out = collectMetrics('loss=0.3\nloss: 0.2\nloss is 0.1', stdout([String.raw`(\w+) is (\S+)`]), ['loss']);
    expect(out.points).toEqual([{ name: 'loss', value: 0.1, step: 0 }]);
  });

  it('reports a regex that does not compile, or lacks its two groups, at line 0 and uses the others', () => {
    const out = collectMetrics('loss is 0.3', stdout(['(', String.raw`loss is (\S+)`, String.raw`(\w+) is (\S+)`]), ['loss']);
    expect(out.points).toEqual([{ name: 'loss', value: 0.3, step: 0 }]);
    expect(out.skipped.map((s) => s.line)).toEqual([0, 0]);
    expect(out.skipped[0]?.reason).toMatch(/^metricsFormat\[0\]: invalid regular expression/);
    expect(out.skipped[1]?.reason).toBe('metricsFormat[1]: must have two capturing groups: the metric name, then its value');
  });
});

describe('collectMetrics: JSON lines', () => {
  it("reads Katib's test file: string values, epoch-seconds and RFC 3339 timestamps, names not asked for ignored", () => {
    const text = [
      '{"checkpoint_path": "", "global_step": "0", "loss": "0.22082142531871796", "timestamp": 1638422847.28721, "trial": "0"}',
      '{"acc": "0.9349666833877563", "checkpoint_path": "", "global_step": "0", "timestamp": 1638422847.287801, "trial": "0"}',
      '{"checkpoint_path": "", "global_step": "1", "loss": "0.1414974331855774", "timestamp": "2021-12-02T14:27:50.000035161Z", "trial": "0"}',
      '{"acc": "0.9586416482925415", "checkpoint_path": "", "global_step": "1", "timestamp": "2021-12-02T14:27:50.000037459Z", "trial": "0"}',
      '{"checkpoint_path": "", "global_step": "2", "loss": "0.10683439671993256", "trial": "0"}',
    ].join('\n');
    const out = collectMetrics(text, file('JSON'), ['acc', 'loss']);
    expect(out.skipped).toEqual([]);
    expect(out.points).toEqual([
      { name: 'loss', value: 0.22082142531871796, step: 0, at: 1638422847.28721 },
      { name: 'acc', value: 0.9349666833877563, step: 0, at: 1638422847.287801 },
      { name: 'loss', value: 0.1414974331855774, step: 1, at: t('2021-12-02T14:27:50Z') + 0.000035161 },
      { name: 'acc', value: 0.9586416482925415, step: 1, at: t('2021-12-02T14:27:50Z') + 0.000037459 },
      { name: 'loss', value: 0.10683439671993256, step: 2 },
    ]);
  });

  it('reads number values, several metrics a line in the order they are named, and ignores a bad timestamp', () => {
    const text = [
      '{"loss": 0.3, "accuracy": 0.9, "timestamp": "2026-12-01T10:00:00Z"}',
      '{"accuracy": "9.5e-1", "loss": -2.5E+2, "timestamp": "invalid"}',
      '{"loss": 0.1, "timestamp": -5}',
    ].join('\n');
    const out = collectMetrics(text, file('JSON'), ['loss', 'accuracy']);
    expect(out.skipped).toEqual([]);
    expect(out.points).toEqual([
      { name: 'loss', value: 0.3, step: 0, at: t('2026-12-01T10:00:00Z') },
      { name: 'accuracy', value: 0.9, step: 0, at: t('2026-12-01T10:00:00Z') },
      { name: 'loss', value: -250, step: 1 },
      { name: 'accuracy', value: 0.95, step: 1 },
      { name: 'loss', value: 0.1, step: 2 },
    ]);
  });

  it('skips lines that are not JSON objects and values that are not finite numbers, with their line', () => {
    const text = [
      '{"loss": "0.3"}',
      'Epoch 1 done',
      '[1, 2]',
      '{"loss": "NaN"}',
      '{"loss": "inf", "accuracy": "0.5"}',
      '{"loss": 1e999}',
      '{"loss": null}',
      '{"loss": true}',
      '{"loss": "0.3abc"}',
      '   ',
      '{"loss": "0.2"}\r',
    ].join('\n');
    const out = collectMetrics(text, file('JSON'), ['loss', 'accuracy']);
    expect(out.points).toEqual([
      { name: 'loss', value: 0.3, step: 0 },
      { name: 'accuracy', value: 0.5, step: 0 },
      { name: 'loss', value: 0.2, step: 1 },
    ]);
    expect(out.skipped.map((s) => s.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(out.skipped[0]?.reason).toMatch(/^not a JSON object: /);
    expect(out.skipped[1]?.reason).toBe('not a JSON object: an array');
    expect(out.skipped.slice(2).map((s) => s.reason)).toEqual([
      'loss: "NaN" is not finite',
      'loss: "inf" is not finite',
      'loss: "Infinity" is not finite',
      'loss: null is not a number',
      'loss: true is not a number',
      'loss: "0.3abc" is not a number',
    ]);
  });
});

describe('collectMetrics: kinds not read from text', () => {
  it('reports the kind at line 0 and collects nothing', () => {
    const push: MetricsCollector = { ...stdout(), kind: 'Push' };
    const tf: MetricsCollector = { ...stdout(), kind: 'TensorFlowEvent' };
    expect(collectMetrics('loss=0.3', push, ['loss'])).toEqual({
      points: [],
      skipped: [{ line: 0, reason: 'collector kind Push: metrics are pushed by the trial' }],
    });
    expect(collectMetrics('loss=0.3', tf, ['loss'])).toEqual({
      points: [],
      skipped: [{ line: 0, reason: 'collector kind TensorFlowEvent: metrics are not read from text output' }],
    });
  });
});

describe('parseRfc3339', () => {
  it('reads Z, offsets and fractions, and refuses what Go RFC3339Nano refuses', () => {
    expect(parseRfc3339('1970-01-01T00:00:00Z')).toBe(0);
    expect(parseRfc3339('2026-12-01T10:00:00.25Z')).toBe(t('2026-12-01T10:00:00Z') + 0.25);
    expect(parseRfc3339('2026-12-01T05:30:00-04:30')).toBe(t('2026-12-01T10:00:00Z'));
    expect(parseRfc3339('2024-02-29T00:00:00Z')).toBe(t('2024-02-29T00:00:00Z'));
    for (const bad of [
      '2026-02-29T00:00:00Z',
      '2026-12-01 10:00:00Z',
      '2026-12-01T10:00:00',
      '2026-12-01T24:00:00Z',
      '2026-12-01T10:00:60Z',
      '2026-12-01T10:00Z',
      '2026-12-01',
      'INFO',
    ]) {
      expect(parseRfc3339(bad), bad).toBeUndefined();
    }
  });
});

describe('strategies', () => {
  const points = [
    { name: 'loss', value: 0.5, step: 0 },
    { name: 'accuracy', value: 0.7, step: 0 },
    { name: 'loss', value: 0.2, step: 1 },
    { name: 'accuracy', value: 0.9, step: 1 },
    { name: 'loss', value: 0.3, step: 2 },
    { name: 'accuracy', value: 0.8, step: 2 },
  ];

  it('min, max and latest of one metric; null without a point', () => {
    expect(objectiveOf(points, 'loss', 'min')).toBe(0.2);
    expect(objectiveOf(points, 'loss', 'max')).toBe(0.5);
    expect(objectiveOf(points, 'loss', 'latest')).toBe(0.3);
    expect(objectiveOf(points, 'accuracy', 'max')).toBe(0.9);
    expect(objectiveOf(points, 'f1', 'max')).toBeNull();
    expect(objectiveOf([], 'loss', 'latest')).toBeNull();
  });

  it('a value of each metric by its strategy, metrics without points left out', () => {
    const strategies = [
      { name: 'loss', value: 'min' },
      { name: 'accuracy', value: 'latest' },
      { name: 'f1', value: 'max' },
    ] as const;
    expect(metricsByStrategy(points, strategies)).toEqual({ loss: 0.2, accuracy: 0.8 });
  });

  it("a succeeded trial's output without its objective metric gives no objective (MetricsUnavailable)", () => {
    const out = collectMetrics('accuracy=0.9\nloss=nan', stdout(), ['loss', 'accuracy']);
    expect(objectiveOf(out.points, 'loss', 'min')).toBeNull();
    expect(metricsByStrategy(out.points, [{ name: 'accuracy', value: 'max' }])).toEqual({ accuracy: 0.9 });
  });
});
