/**
 * Pipelines as the API answers them (the pipelines routes under /api/v1: pipelines and their
 * versions, pipeline experiments, runs with their task graphs, recurring runs), field for field,
 * and what the pipelines pages share: their calls, links, state badges and sub-navigation.
 *
 * Pipeline experiments (KFP's folders of runs) are not the tuning experiments of the Experiments
 * page: they have their own routes, pages and words ("pipeline experiment") throughout.
 */
import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { type Answer, answer, type Client } from '../../api/client';
import { useApi } from '../../store/live';
import { assetQuery } from './common';

/** KFP v2's runtime states of a run. */
export const RUN_STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELING', 'CANCELED', 'PAUSED'] as const;
export type RunState = (typeof RUN_STATES)[number];
/** A task's state: a run's, CACHED, or NOT_STARTED (a task of a running DAG not created yet). */
export type TaskState = RunState | 'CACHED' | 'NOT_STARTED';

export const RUN_ENDED: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED']);

export type ParameterType = 'STRING' | 'NUMBER_INTEGER' | 'NUMBER_DOUBLE' | 'BOOLEAN' | 'LIST' | 'STRUCT' | string;

export interface VersionListItem {
  id: string;
  name: string;
  createdAt: number;
  format: string;
  description?: string;
}

export interface Pipeline {
  id: string;
  name: string;
  group: string;
  owner: string;
  description: string;
  createdAt: number;
  versions: readonly VersionListItem[];
  latestVersion: string | VersionListItem | null;
}

export interface PipelineInput {
  name: string;
  parameterType: ParameterType;
  defaultValue?: unknown;
  isOptional: boolean;
}

export interface PipelineVersion {
  id: string;
  name: string;
  description: string;
  createdAt: number;
  format: string;
  spec: unknown;
  platform: unknown;
  inputs: readonly PipelineInput[];
}

export interface PipelineExperiment {
  id: string;
  name: string;
  group: string;
  owner: string;
  description: string;
  createdAt: number;
  archived: boolean;
  /** Only on one experiment's read: its runs by state, its recurring runs. */
  runs?: Record<string, number>;
  recurringRuns?: number | unknown[];
}

export interface RunListItem {
  id: string;
  name: string;
  group: string;
  owner: string;
  pipelineId: string;
  versionId: string;
  experimentId: string | null;
  state: RunState;
  createdAt: number;
  finishedAt: number | null;
  archived: boolean;
  retries: number;
  recurringRunId: string | null;
  scheduledAt: number | null;
  taskCounts: Partial<Record<string, number>>;
}

export interface ArtifactValue {
  uri: string;
  metadata?: Record<string, unknown>;
  schemaTitle?: string;
}

export interface StepValues {
  parameters?: Record<string, unknown>;
  artifacts?: Readonly<Record<string, readonly ArtifactValue[]>>;
}

export interface GraphNode {
  path: string;
  key: string;
  name: string;
  kind: 'dag' | 'loop' | 'container' | 'importer';
  parent: string | null;
  state: TaskState;
  iteration: number | null;
  inputs: StepValues | null;
  outputs: StepValues | null;
  jobId: string | null;
  attempt: number;
  startedAt: number | null;
  endedAt: number | null;
  message: string | null;
  cached: boolean;
  retryAt: number | null;
  /** The states it went through, when the API tells them. */
  history?: readonly { state: string; at: number }[];
}

export interface RunGraph {
  nodes: readonly GraphNode[];
  edges: readonly { from: string; to: string }[];
}

export interface Run extends RunListItem {
  parameters: Record<string, unknown>;
  pipelineRoot: string;
  stateHistory: readonly { state: string; at: number }[];
  pipelineName?: string;
  graph: RunGraph;
}

export type Trigger = { kind: 'cron'; expression: string; timeZone?: string } | { kind: 'periodic'; intervalSeconds: number };
export type CatchUp = 'all' | 'latest' | 'none';

export interface Schedule {
  trigger: Trigger;
  startTime?: number | null;
  endTime?: number | null;
  maxConcurrency?: number;
  catchUp?: CatchUp;
}

export interface RecurringRun {
  id: string;
  name: string;
  group: string;
  owner: string;
  pipelineId: string;
  versionId: string | null;
  experimentId: string | null;
  parameters: Record<string, unknown>;
  schedule: Schedule;
  enabled: boolean;
  version: number;
  createdAt: number;
  nextFireAt: number | null;
  lastScheduled: number | null;
  activeRuns: readonly string[];
  runs: number;
  simulation?: unknown;
}

/**
 * Calls to routes the generated schema may not name yet: the paths are built here (names
 * encoded), and the answers typed by this file, as the tuning pages type theirs.
 */
interface Untyped {
  GET(path: string, init?: object): Promise<{ data?: unknown; error?: unknown; response: Response }>;
  POST(path: string, init?: object): Promise<{ data?: unknown; error?: unknown; response: Response }>;
  PATCH(path: string, init?: object): Promise<{ data?: unknown; error?: unknown; response: Response }>;
}
const untyped = (c: Client) => c as unknown as Untyped;

export type Query = Record<string, string | undefined>;
const clean = (q: Query): Record<string, string> =>
  Object.fromEntries(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));

export const api = {
  get<T>(c: Client, path: string, query: Query = {}): Promise<Answer<T>> {
    return answer<T>(untyped(c).GET(`/api/v1${path}`, { params: { query: clean(query) } }));
  },
  post<T>(c: Client, path: string, body?: unknown, query: Query = {}): Promise<Answer<T>> {
    return answer<T>(
      untyped(c).POST(`/api/v1${path}`, { params: { query: clean(query) }, ...(body === undefined ? {} : { body }) }),
    );
  },
  patch<T>(c: Client, path: string, body: unknown, query: Query = {}): Promise<Answer<T>> {
    return answer<T>(untyped(c).PATCH(`/api/v1${path}`, { params: { query: clean(query) }, body }));
  },
  /** A pipeline file as uploaded: JSON parsed when it is JSON, else sent as YAML text. */
  upload<T>(c: Client, path: string, text: string, query: Query): Promise<Answer<T>> {
    let body: unknown = text;
    if (text.trimStart().startsWith('{')) {
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON after all: the API reads it as YAML and names what is wrong with it.
      }
    }
    const yaml = typeof body === 'string';
    return answer<T>(
      untyped(c).POST(`/api/v1${path}`, {
        params: { query: clean(query) },
        body,
        ...(yaml ? { bodySerializer: (b: unknown) => b as string, headers: { 'content-type': 'application/yaml' } } : {}),
      }),
    );
  },
};

/** An item of a group, named in a URL path (the group goes in `?group=`). */
export const named = (name: string) => encodeURIComponent(name);

/** Pipelines have a stream of their own: in the past, they are read as of the cluster revision's time. */
export const pipelineQuery = assetQuery;

const part = (s: string) => encodeURIComponent(s);
export const pipelineHref = (p: { group: string; name: string }) => `/pipelines/${part(p.group)}/${part(p.name)}`;
export const runHref = (r: { group: string; name: string }) => `/pipelines/runs/${part(r.group)}/${part(r.name)}`;
export const pipelineExperimentHref = (x: { group: string; name: string }) =>
  `/pipelines/experiments/${part(x.group)}/${part(x.name)}`;
export const recurringRunHref = (r: { group: string; name: string }) => `/pipelines/recurring/${part(r.group)}/${part(r.name)}`;

/** `<group>/<name>` (a run's, an experiment's) to its parts; a version id `<group>/<pipeline>@<version>` too. */
export function idParts(id: string): { group: string; name: string } {
  const slash = id.indexOf('/');
  return slash < 0 ? { group: '', name: id } : { group: id.slice(0, slash), name: id.slice(slash + 1) };
}
/** A version id's version name (after the last `@`). */
export const versionName = (id: string | null): string => (id === null ? 'latest' : id.slice(id.lastIndexOf('@') + 1));
export const pipelineOfVersion = (id: string): string => id.slice(0, id.lastIndexOf('@'));

const TONE: Record<string, string> = {
  PENDING: 'waiting',
  PAUSED: 'waiting',
  NOT_STARTED: 'neutral',
  RUNNING: 'busy',
  CANCELING: 'busy',
  SUCCEEDED: 'good',
  CACHED: 'good',
  FAILED: 'bad',
  SKIPPED: 'neutral',
  CANCELED: 'neutral',
};
export const stateTone = (state: string): string => TONE[state] ?? 'neutral';

/** A state in words: `NOT_STARTED` as "Not started". */
export const stateWords = (state: string): string => {
  const w = state.replace(/_/g, ' ').toLowerCase();
  return w.charAt(0).toUpperCase() + w.slice(1);
};

/** A run's or a task's state as a badge. */
export function StateBadge({ state }: { state: string }) {
  return <span className={`badge badge-${stateTone(state)}`}>{stateWords(state)}</span>;
}

/** A value as shown: strings as they are, everything else as JSON. */
export const showValue = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

const SECTIONS = [
  ['/pipelines', 'Pipelines'],
  ['/pipelines/experiments', 'Pipeline experiments'],
  ['/pipelines/runs', 'Runs'],
  ['/pipelines/recurring', 'Recurring runs'],
] as const;

/** Where a pipelines page is: the section's pages, the current one marked. */
export function PipelinesNav() {
  const [location] = useLocation();
  const current = SECTIONS.filter(([path]) => location === path || location.startsWith(`${path}/`)).at(-1)?.[0] ?? '/pipelines';
  return (
    <nav className="pipelines-nav" aria-label="Pipelines">
      {SECTIONS.map(([path, label]) => (
        <Link key={path} href={path} aria-current={path === current ? 'page' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}

/** A pipelines page: the section's navigation above it. */
export function PipelinesSection({ children }: { children: ReactNode }) {
  return (
    <div className="pipelines">
      <PipelinesNav />
      {children}
    </div>
  );
}

/** The pipeline experiments a run may go in (not archived), for the forms' pickers. */
export function useExperimentChoices(): PipelineExperiment[] {
  const read = useApi((c) => api.get<PipelineExperiment[]>(c, '/pipeline-experiments', { limit: '1000' }), []);
  return read.loaded.state === 'done' && read.loaded.answer.ok ? read.loaded.answer.value : [];
}

/** An expanded loop with more iterations than this shows each iteration as a tile. */
export const TILES_ABOVE = 6;

export const isGroupNode = (n: Pick<GraphNode, 'kind'>) => n.kind === 'dag' || n.kind === 'loop';

/** Whether a group is drawn open when nobody has said: DAGs yes, loops no, iterations when few. */
export function openByDefault(n: Pick<GraphNode, 'kind' | 'iteration'>, siblings: number): boolean {
  if (n.kind === 'loop') return false;
  if (n.iteration !== null) return siblings <= TILES_ABOVE;
  return true;
}
