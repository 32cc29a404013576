/**
 * An Experiment as gpupool takes it, wherever it comes from (the API's creation, `gpupool
 * simulate --experiment`): parsed and defaulted by spec.ts, then checked by its algorithm's and its
 * early-stopping rule's own checks, so a document is refused for the same reasons everywhere.
 */
import { EARLY_STOPPING_RULES } from './early-stopping/index.js';
import { type ParseResult, parseExperiment } from './spec.js';
import { ALGORITHMS } from './suggest/index.js';

/** Parse an Experiment (YAML or JSON text, or a parsed document) with every algorithm's and early-stopping rule's own checks. */
export function parseExperimentDocument(document: unknown): ParseResult {
  return parseExperiment(document, {
    validateAlgorithm: (c) =>
      ALGORITHMS[c.algorithm]?.validate({
        space: c.space,
        objective: c.objective,
        settings: c.settings,
        maxTrials: c.maxTrials,
        parallelTrials: c.parallelTrials,
      }) ?? [],
    validateEarlyStopping: (name, settings) => EARLY_STOPPING_RULES[name]?.validate(settings) ?? [],
  });
}
