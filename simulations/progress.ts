/**
 * How `gpupool simulate` shows its progress: a bar per policy on a terminal (cli-progress), a line
 * per tenth of the trace otherwise, or nothing. One printer serves a run of several policies, one
 * after the other: the first news of a policy ends the previous policy's bar.
 */
import type { Policy } from '../core/cluster/model.js';

export type ProgressMode = 'bar' | 'plain' | 'none';

export interface ProgressPrinter {
  /** `done` of `total` jobs of this policy's run submitted. */
  update(policy: Policy, done: number, total: number): void;
  /** The last bar ended (safe to call more than once). */
  stop(): void;
}

interface PolicyProgress {
  update(done: number, total: number): void;
  stop(): void;
}

/** A printer for this mode; the bar's module is loaded only when a bar is drawn (it costs start-up). */
export async function progressPrinter(mode: ProgressMode, log: (line: string) => void): Promise<ProgressPrinter> {
  if (mode === 'none') return { update: () => {}, stop: () => {} };
  const Bar = mode === 'bar' ? (await import('cli-progress')).SingleBar : undefined;
  let current: { policy: Policy; progress: PolicyProgress } | undefined;
  const stop = () => {
    current?.progress.stop();
    current = undefined;
  };
  return {
    update(policy, done, total) {
      if (current?.policy !== policy) {
        stop();
        current = { policy, progress: Bar ? bar(Bar, policy) : plain(policy, log) };
      }
      current.progress.update(done, total);
    },
    stop,
  };
}

function bar(Bar: typeof import('cli-progress').SingleBar, policy: Policy): PolicyProgress {
  const b = new Bar({
    format: `${policy.padEnd(9)} [{bar}] {percentage}% | {value}/{total} jobs | {duration_formatted}`,
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        b.start(total, 0);
        started = true;
      }
      b.update(done);
    },
    stop: () => {
      if (started) b.stop();
      started = false;
    },
  };
}

function plain(policy: Policy, log: (line: string) => void): PolicyProgress {
  let lastDecile = -1;
  return {
    update: (done, total) => {
      const decile = Math.floor((done / Math.max(total, 1)) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        log(`${policy}: ${done}/${total} jobs submitted`);
      }
    },
    stop: () => {},
  };
}
