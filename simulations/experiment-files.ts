/**
 * The experiments of `gpupool simulate --experiment [pool=]FILE`: Katib Experiment files (YAML or
 * JSON), parsed, defaulted and checked by the API's own parser (core/experiments/checked-experiment.ts:
 * spec.ts, then each algorithm's and early-stopping rule's own checks), each placed in a pool of the
 * simulated cluster and owned by that pool's user and group.
 *
 * `--algorithm a,b` runs every experiment once per algorithm, as `<name>-<algorithm>`, each with
 * that algorithm and its default settings (the file's settings belong to the file's algorithm), so
 * one file compares algorithms on the same objective, space and budget.
 *
 * A simulation must end: an experiment with neither `maxTrialCount` nor a maximum duration could
 * create trials forever, and is refused.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseExperimentDocument } from '../core/experiments/checked-experiment.js';
import {
  ALGORITHMS as ALGORITHM_NAMES,
  type AlgorithmName,
  type ExperimentSpec,
  MAX_DURATION_ANNOTATION,
  NAS_ALGORITHMS,
} from '../core/experiments/spec.js';
import { groupOf, type PoolSpec, userOf } from './cluster.js';
import { InputError } from './csv.js';

/** One `--experiment` value: a file, and the pool it runs in when named. */
export interface ExperimentArgument {
  readonly file: string;
  readonly pool?: string;
}

/** An experiment ready to simulate. */
export interface SimulatedExperiment {
  /** `<group>/<name>`, as the API names it; `<name>-<algorithm>` under --algorithm. */
  readonly id: string;
  readonly file: string;
  readonly pool: string;
  readonly owner: string;
  readonly group: string;
  readonly spec: ExperimentSpec;
  /** The seed its algorithm draws from: a function of the simulation's seed and its id. */
  readonly seed: number;
}

/**
 * `[pool=]file`: a pool named before the first `=`, unless the whole text is a file that exists
 * (a file name may hold an `=`).
 */
export function parseExperimentArgument(text: string): ExperimentArgument {
  const at = text.indexOf('=');
  if (at <= 0 || existsSync(text)) return { file: text };
  return { pool: text.slice(0, at), file: text.slice(at + 1) };
}

/** The --algorithm flag: a comma-separated list of algorithm names gpupool runs. */
export function parseAlgorithms(text: string): AlgorithmName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(ALGORITHM_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || bad.length > 0) {
    const nas = bad.filter((n) => (NAS_ALGORITHMS as readonly string[]).includes(n));
    throw new InputError(
      `--algorithm takes a comma-separated list of ${ALGORITHM_NAMES.join(', ')}; got ${JSON.stringify(text)}${nas.length > 0 ? ` (${nas.join(', ')}: neural architecture search is not supported)` : ''}`,
    );
  }
  return [...new Set(names)] as AlgorithmName[];
}

/** The seed of a simulated experiment: stable for a simulation seed and an experiment id. */
export function experimentSeed(seed: number, id: string): number {
  return createHash('sha256').update(`${seed}:${id}`).digest().readUInt32BE(0);
}

function readText(file: string): string {
  if (!existsSync(file)) throw new InputError(`--experiment ${file}: no such file`);
  if (statSync(file).isDirectory()) throw new InputError(`--experiment ${file}: is a folder, not an Experiment file`);
  return readFileSync(file, 'utf8');
}

function invalid(what: string, issues: readonly { path: string; message: string }[]): InputError {
  return new InputError(`${what} is not a valid Experiment: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
}

/** The pool an experiment runs in: the one it names, or the cluster's only pool. */
function poolFor(arg: ExperimentArgument, pools: readonly PoolSpec[]): PoolSpec {
  const names = pools.map((p) => p.name).join(', ');
  if (arg.pool === undefined) {
    if (pools.length === 1) return pools[0] as PoolSpec;
    throw new InputError(
      `--experiment ${arg.file} names no pool and the cluster has ${pools.length} (${names}): write --experiment <pool>=${arg.file}`,
    );
  }
  const pool = pools.find((p) => p.name === arg.pool);
  if (!pool)
    throw new InputError(`--experiment ${arg.pool}=${arg.file}: the cluster has no pool '${arg.pool}' (pools: ${names})`);
  return pool;
}

export interface ReadExperimentsOptions {
  readonly experiments: readonly ExperimentArgument[];
  readonly pools: readonly PoolSpec[];
  /** Run each experiment once per algorithm (its settings dropped); absent: as written. */
  readonly algorithms?: readonly AlgorithmName[];
  readonly seed: number;
}

export function readExperiments(o: ReadExperimentsOptions): SimulatedExperiment[] {
  const out: SimulatedExperiment[] = [];
  for (const arg of o.experiments) {
    const pool = poolFor(arg, o.pools);
    const text = readText(arg.file);
    const parsed = parseExperimentDocument(text);
    if (!parsed.ok) throw invalid(arg.file, parsed.issues);
    const variants: { spec: ExperimentSpec; suffix: string }[] = [];
    if (!o.algorithms) variants.push({ spec: parsed.experiment, suffix: '' });
    else {
      for (const algorithm of o.algorithms) {
        const doc = parsed.experiment.document as { spec: Record<string, unknown> };
        const again = parseExperimentDocument({ ...doc, spec: { ...doc.spec, algorithm: { algorithmName: algorithm } } });
        if (!again.ok) throw invalid(`${arg.file} with --algorithm ${algorithm}`, again.issues);
        variants.push({ spec: again.experiment, suffix: `-${algorithm}` });
      }
    }
    for (const { spec, suffix } of variants) {
      if (spec.maxTrialCount === null && spec.maxDurationSeconds === undefined) {
        throw new InputError(
          `${arg.file}: a simulation must end, and this experiment could create trials forever: give it spec.maxTrialCount or the annotation ${MAX_DURATION_ANNOTATION}`,
        );
      }
      const group = groupOf(pool.name);
      const id = `${group}/${spec.name}${suffix}`;
      if (out.some((x) => x.id === id)) {
        throw new InputError(`${arg.file}: experiment '${spec.name}${suffix}' is given twice in pool '${pool.name}'`);
      }
      out.push({ id, file: arg.file, pool: pool.name, owner: userOf(pool.name), group, spec, seed: experimentSeed(o.seed, id) });
    }
  }
  return out;
}
