/**
 * Where a job's logs come from: the runtime that runs it. On Kubernetes, its workers' pods'
 * logs, read from the API server (adapters/k8s/logs.ts); the simulated runtime runs no process,
 * so its jobs have none, and says so. The API serves them at `GET /jobs/{jobId}/logs`.
 */
import type { JobState } from '../../core/cluster/model.js';

export interface LogRequest {
  /** Which worker's log (0 for a single-worker job), below the job's worker count. */
  readonly worker: number;
  /** Only its last lines; null for the whole log. */
  readonly tailLines: number | null;
  /**
   * At most this many bytes (of those lines, from the first): a log may be gigabytes, and the
   * server holds an answer whole before it sends it.
   */
  readonly limitBytes: number;
}

/**
 * A worker's log as text, or why there is none: it is gone (the runtime no longer has it, e.g.
 * the pod was deleted once the job ended), or the runtime keeps no logs at all.
 */
export type LogAnswer =
  /** `truncated`: cut at `limitBytes`, so there is more after `text`. */
  | { readonly ok: true; readonly text: string; readonly truncated: boolean }
  | { readonly ok: false; readonly gone: boolean; readonly message: string };

export interface JobLogSource {
  /** The log of one worker of an allocated job (one the engine has placed). */
  read(job: Readonly<JobState>, request: LogRequest): Promise<LogAnswer>;
}

/** The simulated runtime's: it runs no process, so no job has a log. */
export const NO_JOB_LOGS: JobLogSource = {
  read: async () => ({
    ok: false,
    gone: false,
    message: 'the simulated runtime runs no processes, so its jobs have no logs: the job’s history says how it went',
  }),
};
