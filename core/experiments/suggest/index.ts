/** The suggestion algorithms by the name an experiment's `algorithm.algorithmName` gives (Katib's names). */
import type { SuggestionAlgorithm } from '../space.js';
import { grid } from './grid.js';
import { hyperband } from './hyperband.js';
import { random } from './random.js';
import { sobol } from './sobol.js';

export const ALGORITHMS: Record<string, SuggestionAlgorithm> = {
  random,
  grid,
  sobol,
  hyperband,
  // TODO: tpe (./tpe.js), multivariate-tpe (./multivariate-tpe.js), bayesianoptimization
  // (./bayesian-optimization.js), cmaes (./cmaes.js) and pbt (./pbt.js) join once committed.
};

export { grid, hyperband, random, sobol };
