/** The suggestion algorithms by the name an experiment's `algorithm.algorithmName` gives (Katib's names). */
import type { SuggestionAlgorithm } from '../space.js';
import { bayesianOptimization } from './bayesian-optimization.js';
import { cmaes } from './cmaes.js';
import { grid } from './grid.js';
import { hyperband } from './hyperband.js';
import { multivariateTpe } from './multivariate-tpe.js';
import { pbt } from './pbt.js';
import { random } from './random.js';
import { sobol } from './sobol.js';
import { tpe } from './tpe.js';

export const ALGORITHMS: Record<string, SuggestionAlgorithm> = {
  random,
  grid,
  sobol,
  hyperband,
  tpe,
  'multivariate-tpe': multivariateTpe,
  bayesianoptimization: bayesianOptimization,
  cmaes,
  pbt,
};

export { bayesianOptimization, cmaes, grid, hyperband, multivariateTpe, pbt, random, sobol, tpe };
