/**
 * The search space of a hyperparameter experiment and what the suggestion algorithms exchange
 * with the experiment controller: the vocabulary shared by the experiment spec (spec.ts), every
 * algorithm (suggest/*.ts) and the early-stopping rules (early-stopping/*.ts).
 *
 * Values are kept as Katib writes them, as strings ("0.01", "3", "sgd"): an assignment is what a
 * trial template substitutes, so it must print exactly as the algorithm chose it. Algorithms work
 * on numbers and format them with `formatValue` (one rule for every algorithm).
 *
 * Everything here is pure and deterministic: an algorithm is a function of the experiment's
 * settings, its seed and the trials observed so far, never of a clock or of hidden state. An
 * algorithm that keeps state between suggestions (hyperband's brackets, pbt's generations, cmaes's
 * distribution) rebuilds it from the observed trials and the labels it gave them.
 */

export const PARAMETER_TYPES = ['double', 'int', 'categorical', 'discrete'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const DISTRIBUTIONS = ['uniform', 'logUniform', 'normal', 'logNormal'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

export type ObjectiveType = 'minimize' | 'maximize';

/** One parameter of the search space, defaulted and validated (spec.ts). */
export type Parameter =
  | {
      readonly name: string;
      readonly type: 'double' | 'int';
      readonly min: number;
      readonly max: number;
      /** The grid's step (grid requires it for doubles); null when not given. */
      readonly step: number | null;
      readonly distribution: Distribution;
    }
  | {
      readonly name: string;
      readonly type: 'categorical' | 'discrete';
      /** The values as written; a discrete parameter's are numbers written as strings. */
      readonly list: readonly string[];
      readonly distribution: Distribution;
    };

export type SearchSpace = readonly Parameter[];

/** A setting of an algorithm or an early-stopping rule, as Katib writes it: a name and a string value. */
export interface Setting {
  readonly name: string;
  readonly value: string;
}

/** A trial's parameter values: parameter name -> value as it is substituted into the template. */
export type Assignment = Readonly<Record<string, string>>;

export type TrialOutcome = 'running' | 'succeeded' | 'failed' | 'early-stopped' | 'metrics-unavailable';

/** A metric's value at a step, as a trial reported it (for early stopping and pbt). */
export interface MetricPoint {
  readonly step: number;
  readonly value: number;
}

/** What an algorithm sees of a trial made earlier. */
export interface Observation {
  readonly trial: string;
  readonly assignment: Assignment;
  /** What the algorithm attached when it suggested the trial (a bracket, a generation, a parent). */
  readonly labels: Readonly<Record<string, string>>;
  readonly outcome: TrialOutcome;
  /** The objective's value by the experiment's metric strategy; null while running or when missing. */
  readonly objective: number | null;
  /** The objective metric's reported series, by step (may be empty). */
  readonly series: readonly MetricPoint[];
}

export interface SuggestRequest {
  readonly space: SearchSpace;
  readonly objective: ObjectiveType;
  readonly settings: readonly Setting[];
  /** Every trial made so far, in the order they were suggested. */
  readonly observations: readonly Observation[];
  /** How many new trials are wanted now (the free parallel slots, within the trial budget). */
  readonly count: number;
  /** The experiment's trial budget (maxTrialCount), null when unlimited. */
  readonly maxTrials: number | null;
  readonly seed: number;
}

export interface Suggestion {
  readonly assignment: Assignment;
  readonly labels: Readonly<Record<string, string>>;
}

/** An algorithm's answer: up to `count` suggestions, and whether the search space is exhausted. */
export interface SuggestResult {
  readonly suggestions: readonly Suggestion[];
  /** No further trial can ever be suggested (grid visited, hyperband's brackets done). */
  readonly exhausted: boolean;
}

/** A problem with an algorithm's settings or its fit to the experiment, with its field path. */
export interface SettingsIssue {
  readonly path: string;
  readonly message: string;
}

export interface SuggestionAlgorithm {
  readonly name: string;
  /**
   * Every problem with the settings and with the experiment as this algorithm sees it (unknown
   * settings, values out of range, a grid without steps, too many trials for the grid, hyperband's
   * parallel count), each with its path under `spec.` (e.g. `spec.algorithm.algorithmSettings[0].value`).
   */
  validate(request: Omit<SuggestRequest, 'observations' | 'count' | 'seed'> & { parallelTrials: number }): SettingsIssue[];
  suggest(request: SuggestRequest): SuggestResult;
}

/** An early-stopping rule: which running trials to stop now. */
export interface EarlyStoppingRule {
  readonly name: string;
  validate(settings: readonly Setting[]): SettingsIssue[];
  /** The running trials (by `trial`) that should stop, given every trial's series so far. */
  stop(request: { objective: ObjectiveType; settings: readonly Setting[]; observations: readonly Observation[] }): string[];
}

/**
 * How a number chosen for a parameter is written: an int as an integer, a double with at most
 * 10 significant digits and no exponent for ordinary magnitudes, so that "0.01" stays "0.01".
 */
export function formatValue(parameter: Parameter, x: number): string {
  if (parameter.type === 'int') return String(Math.round(x));
  const rounded = Number(x.toPrecision(10));
  return String(rounded);
}
