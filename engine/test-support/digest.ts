/**
 * A digest of what a cluster engine answers: its canonical state and every job it lists, finished
 * ones from its job archive included. Two engines with equal digests answer alike.
 */
import { createHash } from 'node:crypto';
import { canonicalState, stableStringify } from '../../core/cluster/test-support/canonical.js';
import type { Engine } from '../engine.js';

export function engineDigest(engine: Engine): string {
  return createHash('sha256')
    .update(canonicalState(engine.current))
    .update('\n')
    .update(stableStringify(engine.jobs()))
    .digest('hex');
}
