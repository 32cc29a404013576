/** Typical durations: the median of the most recent normal ends per kind, bounded, with a default. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TYPICAL_DURATION_SECONDS, TypicalDurations } from './typical-durations.js';

describe('typical durations', () => {
  it('start at the default, then follow the median of what finished', () => {
    const d = new TypicalDurations();
    expect(d.of('training')).toEqual({
      kind: 'training',
      seconds: DEFAULT_TYPICAL_DURATION_SECONDS,
      samples: 0,
      source: 'default',
    });
    for (const s of [100, 300, 200]) d.record('training', s);
    expect(d.of('training')).toEqual({ kind: 'training', seconds: 200, samples: 3, source: 'median' });
    d.record('training', 1000);
    expect(d.seconds('training')).toBe(250);
    expect(d.seconds('notebook')).toBe(DEFAULT_TYPICAL_DURATION_SECONDS);
  });

  it('keep only the most recent window of each kind', () => {
    const d = new TypicalDurations({ window: 3 });
    for (const s of [1, 2, 3, 100, 200, 300]) d.record('trial', s);
    expect(d.of('trial')).toMatchObject({ seconds: 200, samples: 3 });
  });

  it('count completed batch jobs, and stopped notebooks and inferences, from allocation to end', () => {
    const d = new TypicalDurations();
    const job = (kind: 'training' | 'notebook', status: 'Complete' | 'Stopped' | 'Error', allocatedAt: number | null) => ({
      kind,
      status,
      allocatedAt,
      endedAt: 500,
    });
    d.recordJob(job('training', 'Complete', 100));
    d.recordJob(job('training', 'Stopped', 450));
    d.recordJob(job('training', 'Error', 490));
    d.recordJob(job('training', 'Complete', null)); // stopped while waiting: never ran
    d.recordJob(job('notebook', 'Stopped', 200));
    expect(d.of('training')).toMatchObject({ seconds: 400, samples: 1 });
    expect(d.of('notebook')).toMatchObject({ seconds: 300, samples: 1 });
  });
});
