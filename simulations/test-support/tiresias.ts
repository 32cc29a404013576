/**
 * The Tiresias simulator's 60-job sample (fixtures/tiresias-60, with its origin noted there) as
 * `runSimulateCommand` reads it: what most of the command's tests run.
 */
import { fileURLToPath } from 'node:url';

export const TIRESIAS_TRACE = fileURLToPath(new URL('../fixtures/tiresias-60/trace.csv', import.meta.url));

/**
 * The sample on `cluster` (a cluster file; the sample's own is 2 nodes x 8 GPUs), in count
 * placement, seed 1: spread into a command's options, then its policies, folder and the rest.
 */
export function tiresiasSample(cluster: string) {
  return { trace: TIRESIAS_TRACE, format: 'tiresias', cluster, placement: 'count', capacityScale: 1, seed: 1 } as const;
}
