/**
 * Snapshots of the experiments state: each experiment as JSON with its trials as an array (in
 * creation order), the group index and the job -> trial index rebuilt on restore from what they
 * derive from. EXPERIMENTS_STATE_SCHEMA_VERSION names the shape; another version's snapshot is
 * never trusted (the engine replays from the start instead).
 */
import type { RememberedCommand } from '../idempotency.js';
import { initialExperimentsState } from './evolve.js';
import { type ExperimentState, type ExperimentsState, isTrialDone, type TrialState } from './model.js';

export const EXPERIMENTS_STATE_SCHEMA_VERSION = 1;

type ExperimentRow = Omit<ExperimentState, 'trials'> & { trials: TrialState[] };

export interface ExperimentsSnapshot {
  revision: number;
  now: number;
  /** In creation order. */
  experiments: ExperimentRow[];
  commands: [string, RememberedCommand][];
}

/** The state as a JSON-ready value; it shares objects with the state: hand it to a store at once. */
export function experimentsToSnapshot(state: ExperimentsState): ExperimentsSnapshot {
  return {
    revision: state.revision,
    now: state.now,
    experiments: [...state.experiments.values()].map((x) => ({ ...x, trials: [...x.trials.values()] })),
    commands: [...state.commands.entries()],
  };
}

/** Rebuild a state from a snapshot; throws on a value that is not one of this version's shape. */
export function experimentsFromSnapshot(value: unknown): ExperimentsState {
  const snap = value as ExperimentsSnapshot;
  if (typeof snap?.revision !== 'number' || !Array.isArray(snap.experiments) || !Array.isArray(snap.commands)) {
    throw new Error('not an experiments snapshot');
  }
  const s = initialExperimentsState();
  s.revision = snap.revision;
  s.now = snap.now;
  for (const row of snap.experiments) {
    if (typeof row?.id !== 'string' || !Array.isArray(row.trials))
      throw new Error('experiments snapshot: an experiment without id or trials');
    const x: ExperimentState = { ...row, trials: new Map(row.trials.map((t) => [t.name, t])) };
    s.experiments.set(x.id, x);
    let ids = s.byGroup.get(x.group);
    if (!ids) s.byGroup.set(x.group, (ids = []));
    ids.push(x.id);
    for (const t of x.trials.values()) if (!isTrialDone(t.status)) s.trialOfJob.set(t.jobId, { experiment: x.id, trial: t.name });
  }
  for (const [id, range] of snap.commands) s.commands.set(id, range);
  return s;
}
