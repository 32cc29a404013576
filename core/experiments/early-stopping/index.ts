/** The early-stopping rules by the name an experiment's `earlyStopping.algorithmName` gives. */
import type { EarlyStoppingRule } from '../space.js';
import { asha } from './asha.js';
import { medianstop } from './medianstop.js';

export const EARLY_STOPPING_RULES: Record<string, EarlyStoppingRule> = { medianstop, asha };

export { asha, medianstop };
