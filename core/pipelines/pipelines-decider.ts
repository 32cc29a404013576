/**
 * The pipelines context as a decider (decider.ts), on its own stream (`pipelines`). Its batch is
 * the default one, with each command decided at the time its events will carry (a retry's backoff
 * and a recurring run's fires are counted from it). It keeps no snapshots: it is replayed.
 */
import { commandTime, type Decider, runDeciderBatch } from '../decider.js';
import { reject } from '../rejection.js';
import { decodePipelineCommand, type PipelineCommand } from './commands.js';
import { decidePipelines } from './decide.js';
import { decodePipelineEvent, PIPELINES_EVENT_SCHEMA_VERSION, type PipelineEvent } from './events.js';
import { evolvePipelines, initialPipelinesState } from './evolve.js';
import type { PipelinesState } from './model.js';

export const PIPELINES_STREAM = 'pipelines';

export const pipelinesDecider: Decider<PipelineCommand, PipelineEvent, PipelinesState> = {
  eventSchemaVersion: PIPELINES_EVENT_SCHEMA_VERSION,
  initialState: initialPipelinesState,
  validate(c) {
    const r = decodePipelineCommand(c);
    return r.ok ? null : reject('invalid-command', r.message, { issues: r.issues });
  },
  decodeCommand: decodePipelineCommand,
  decide: (c, s) => decidePipelines(c, s),
  evolve: evolvePipelines,
  decodeEvent: decodePipelineEvent,
  runBatch(state, commands, at) {
    return runDeciderBatch(
      { ...pipelinesDecider, decide: (c, s) => decidePipelines(c, s, commandTime(c, at, s)) },
      state,
      commands,
      at,
    );
  },
};
