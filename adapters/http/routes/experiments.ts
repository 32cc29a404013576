/**
 * Hyperparameter tuning experiments (core/experiments) over HTTP, under `/tuning/experiments`:
 * create one from a Katib `kubeflow.org/v1beta1` Experiment (YAML or JSON), list them, read one
 * with its trials and its optimal trial, edit its three counts, stop it and restart it. The
 * commands run on the experiments engine (its own stream); the experiment controller
 * (app/experiment-controller.ts) runs the trials.
 *
 * Names are scoped to the group, as job and asset names are: an experiment created here is the
 * core's experiment `<group>/<metadata.name>` (its `id`), in its owner's group, and URLs name it
 * by its name, looked up in the caller's group unless `?group=` names another (names.ts
 * resolveName), or by its whole id, URL-encoded. Experiments are shared in their group, as
 * assets are: its members read them; its owner or an operator edits, stops and restarts them.
 * Anything a caller may not see answers 404, exactly as an experiment that does not exist.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { assetIdOf } from '../../../core/assets/model.js';
import { outputVersion } from '../../../core/assets/outputs.js';
import { type DecodeIssue, describeValue, Id } from '../../../core/codec.js';
import { parseExperimentDocument } from '../../../core/experiments/checked-experiment.js';
import { type ExperimentCommand, experimentCommandCodecs } from '../../../core/experiments/commands.js';
import {
  EXPERIMENT_STATUSES,
  type ExperimentState,
  type ExperimentStatus,
  type ExperimentsState,
  type TrialState,
} from '../../../core/experiments/model.js';
import type { SettingsIssue } from '../../../core/experiments/space.js';
import type { ExperimentSpec } from '../../../core/experiments/spec.js';
import { isOperator, type Principal, type Visibility } from '../access.js';
import {
  answer,
  bad,
  bodyObject,
  type CommandEngine,
  good,
  type HttpContext,
  PAGE_QUERY,
  pageQuery,
  type Result,
  readingFrom,
  runCommand,
  stateOf,
} from '../context.js';
import { resolveName } from '../names.js';
import { codecBody, errors, idempotencyHeader, idParams, timeTravelQuery } from '../openapi.js';
import { forbidden, invalidInput, notFound, problem } from '../problem.js';
import { commandRoute, params } from './command-route.js';

/** A trial as the API shows it. */
export interface TrialView {
  readonly name: string;
  readonly assignment: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: TrialState['status'];
  readonly objective: number | null;
  readonly metrics: Readonly<Record<string, number>>;
  readonly jobId: string;
  readonly createdAt: number;
  readonly endedAt: number | null;
  readonly message: string | null;
}

/** The best trial so far, as Katib's `status.currentOptimalTrial` names it. */
export interface OptimalTrialView {
  readonly name: string;
  readonly assignment: Readonly<Record<string, string>>;
  readonly objective: number | null;
  readonly metrics: Readonly<Record<string, number>>;
}

/** An experiment in a list: what it is and how it stands, without its trials and its spec. */
export interface ExperimentListItem {
  readonly id: string;
  readonly name: string;
  readonly group: string;
  readonly owner: string;
  /** metadata.labels of its document: its tags. */
  readonly labels: Readonly<Record<string, string>>;
  readonly algorithm: string;
  readonly objective: ExperimentSpec['objective'];
  readonly parallelTrialCount: number;
  readonly maxTrialCount: number | null;
  readonly maxFailedTrialCount: number | null;
  readonly seed: number;
  readonly createdAt: number;
  readonly status: ExperimentStatus;
  readonly reason: ExperimentState['reason'];
  readonly message: string | null;
  readonly endedAt: number | null;
  readonly stopTrials: ExperimentState['stopTrials'];
  readonly exhausted: boolean;
  readonly restarts: number;
  readonly counters: ExperimentState['counters'];
  readonly optimalTrial: OptimalTrialView | null;
}

/** An experiment as the API shows it: its list item, its spec (the document as given within it) and its trials. */
export type ExperimentView = ExperimentListItem & {
  readonly spec: ExperimentSpec;
  readonly trials: readonly TrialView[];
};

/** metadata.labels of an experiment's document, those with string values. */
export function labelsOf(spec: ExperimentSpec): Record<string, string> {
  const metadata = (spec.document as { metadata?: unknown } | null)?.metadata;
  const labels = metadata !== null && typeof metadata === 'object' ? (metadata as { labels?: unknown }).labels : undefined;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The experiment's name in its group: its id without the group's prefix. */
export function experimentName(x: Pick<ExperimentState, 'id' | 'group'>): string {
  const prefix = `${x.group}/`;
  return x.id.startsWith(prefix) ? x.id.slice(prefix.length) : x.id;
}

/**
 * Copies, not the state's own objects: the state is updated in place by later events, and an
 * answer must say what was true when it was read.
 */
function trialView(t: TrialState): TrialView {
  return {
    name: t.name,
    assignment: { ...t.assignment },
    labels: { ...t.labels },
    status: t.status,
    objective: t.objective,
    metrics: { ...t.metrics },
    jobId: t.jobId,
    createdAt: t.createdAt,
    endedAt: t.endedAt,
    message: t.message,
  };
}

function optimalOf(x: ExperimentState): OptimalTrialView | null {
  const t = x.optimal === null ? undefined : x.trials.get(x.optimal);
  return t ? { name: t.name, assignment: { ...t.assignment }, objective: t.objective, metrics: { ...t.metrics } } : null;
}

export function experimentListItem(x: ExperimentState): ExperimentListItem {
  return {
    id: x.id,
    name: experimentName(x),
    group: x.group,
    owner: x.owner,
    labels: labelsOf(x.spec),
    algorithm: x.spec.algorithm.name,
    objective: x.spec.objective,
    parallelTrialCount: x.spec.parallelTrialCount,
    maxTrialCount: x.spec.maxTrialCount,
    maxFailedTrialCount: x.spec.maxFailedTrialCount,
    seed: x.seed,
    createdAt: x.createdAt,
    status: x.status,
    reason: x.reason,
    message: x.message,
    endedAt: x.endedAt,
    stopTrials: x.stopTrials,
    exhausted: x.exhausted,
    restarts: x.restarts,
    counters: { ...x.counters },
    optimalTrial: optimalOf(x),
  };
}

export function experimentView(x: ExperimentState): ExperimentView {
  return { ...experimentListItem(x), spec: x.spec, trials: [...x.trials.values()].map(trialView) };
}

/** Where an experiment is addressed: by its name, with its group; `suffix` a path below it. */
export function experimentLocation(x: Pick<ExperimentState, 'id' | 'group'>, suffix = ''): string {
  return `/api/v1/tuning/experiments/${encodeURIComponent(experimentName(x))}${suffix}?group=${encodeURIComponent(x.group)}`;
}

/** Whether the principal may see an experiment: an operator, its owner, or a member of its group. */
export function canSeeExperiment(p: Principal, x: Pick<ExperimentState, 'owner' | 'group'>): boolean {
  return isOperator(p) || x.owner === p.userId || x.group === p.group;
}

/** Whether the principal may change an experiment (edit, stop, restart): its owner, or an operator. */
export function canChangeExperiment(p: Principal, x: Pick<ExperimentState, 'owner'>): boolean {
  return isOperator(p) || x.owner === p.userId;
}

/** The experiment a URL names, as the caller sees it (names.ts resolveName; its whole id names it too). */
export function resolveExperiment(
  p: Principal,
  state: Readonly<ExperimentsState>,
  name: string,
  group?: string,
): Result<ExperimentState> {
  const visible = (id: string) => {
    const x = state.experiments.get(id);
    return x !== undefined && canSeeExperiment(p, x) ? x : undefined;
  };
  return resolveName(
    {
      what: 'experiment',
      inGroup: (g) => {
        const x = visible(`${g}/${name}`);
        return x !== undefined && x.group === g ? x : undefined;
      },
      unscoped: () => (name.includes('/') ? visible(name) : undefined),
      groups: () => state.byGroup.keys(),
      ambiguous: 'ambiguous-experiment-name',
    },
    p.group,
    name,
    group,
  );
}

/** The seed of an experiment created without one: stable, from its id. */
export function seedOf(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0);
}

/**
 * The value at a Katib path (`spec.parameters[1].feasibleSpace.min`) in a document, for an issue's
 * `actual`; a key holding dots (an annotation's) is matched whole.
 */
function valueAt(document: unknown, path: string): unknown {
  const parts = path.split(/\.|(?=\[)/).filter((p) => p !== '');
  let v: unknown = document;
  for (let i = 0; i < parts.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    const index = /^\[(\d+)\]$/.exec(parts[i] as string);
    if (index) {
      v = Array.isArray(v) ? v[Number(index[1])] : undefined;
      continue;
    }
    // The longest run of parts that is one key.
    let found = false;
    for (let j = parts.length; j > i; j--) {
      const key = parts.slice(i, j).join('.');
      if (Object.hasOwn(v, key)) {
        v = (v as Record<string, unknown>)[key];
        i = j - 1;
        found = true;
        break;
      }
    }
    if (!found) return undefined;
  }
  return v;
}

/**
 * The spec's issues as the API names input issues (problem.ts): each under `body`, with what was
 * expected and what was there.
 */
export function specIssues(issues: readonly SettingsIssue[], body: unknown): DecodeIssue[] {
  const document = typeof body === 'string' ? asDocument(body) : body;
  return issues.map((i) => {
    const path = i.path === 'document' ? 'body' : `body.${i.path}`;
    const syntax = /^not YAML or JSON: (.*)$/s.exec(i.message);
    if (syntax) return { path, expected: 'YAML or JSON', actual: `a syntax error: ${syntax[1]}` };
    const got = /^(.*), got (.*)$/s.exec(i.message);
    const message = got ? (got[1] as string) : i.message;
    const expected = message === 'must be specified' ? 'a value' : message.replace(/^must be /, '');
    if (got) return { path, expected, actual: got[2] as string };
    return { path, expected, actual: describeValue(i.path === 'document' ? body : valueAt(document, i.path)) };
  });
}

/** A body's text as the document it holds, for the values issues name (unknown when it is none). */
function asDocument(text: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

// The creation's parser (core/experiments/checked-experiment.ts), where this route's importers find it.
export { parseExperimentDocument };

const VISIBILITIES: readonly Visibility[] = ['mine', 'shared', 'all'];
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];
const EDITABLE = ['parallelTrialCount', 'maxTrialCount', 'maxFailedTrialCount'];

interface ListFilter {
  readonly statuses?: readonly ExperimentStatus[];
  readonly tag?: string;
  readonly owner?: string;
  readonly group?: string;
  readonly visibility: Visibility;
}

/** The list's filters from the query string, checked field by field (paging is pageQuery's). */
function listFilter(p: Principal, q: Record<string, unknown>): Result<ListFilter> {
  const issues: DecodeIssue[] = [];
  const str = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : undefined);
  const statuses = str('status')?.split(',');
  if (statuses?.some((s) => !(EXPERIMENT_STATUSES as readonly string[]).includes(s))) {
    issues.push({
      path: 'query.status',
      expected: `a comma-separated list of ${EXPERIMENT_STATUSES.join(', ')}`,
      actual: String(q.status),
    });
  }
  const visibility = (str('visibility') ?? 'all') as Visibility;
  if (!VISIBILITIES.includes(visibility)) {
    issues.push({ path: 'query.visibility', expected: 'one of mine, shared, all', actual: String(q.visibility) });
  }
  if (issues.length > 0) return bad(invalidInput(issues));
  const group = str('group');
  if (group !== undefined && group !== p.group && !isOperator(p)) {
    return bad(forbidden(`you may list only your own group's experiments`));
  }
  const filter: { -readonly [K in keyof ListFilter]: ListFilter[K] } = { visibility };
  if (statuses) filter.statuses = statuses as ExperimentStatus[];
  if (group !== undefined) filter.group = group;
  const tag = str('tag');
  if (tag !== undefined) filter.tag = tag;
  const owner = str('owner');
  if (owner !== undefined) filter.owner = owner;
  return good(filter);
}

/** Whether an experiment's labels hold a tag: `key` (any value) or `key=value`. */
function hasTag(labels: Readonly<Record<string, string>>, tag: string): boolean {
  const eq = tag.indexOf('=');
  if (eq < 0) return Object.hasOwn(labels, tag);
  const key = tag.slice(0, eq);
  return Object.hasOwn(labels, key) && labels[key] === tag.slice(eq + 1);
}

/** The experiments a caller may see that match the filter, in creation order, group by group. */
function visibleExperiments(state: Readonly<ExperimentsState>, p: Principal, f: ListFilter): ExperimentState[] {
  const groups = f.group !== undefined ? [f.group] : isOperator(p) ? [...state.byGroup.keys()] : undefined;
  const ids = groups
    ? groups.flatMap((g) => state.byGroup.get(g) ?? [])
    : // A data scientist's: their group's, and their own in the groups they left.
      [...state.byGroup.entries()].flatMap(([g, xs]) =>
        g === p.group ? xs : xs.filter((id) => state.experiments.get(id)?.owner === p.userId),
      );
  const out: ExperimentState[] = [];
  for (const id of ids) {
    const x = state.experiments.get(id);
    if (!x || !canSeeExperiment(p, x)) continue;
    if (f.visibility === 'mine' && x.owner !== p.userId) continue;
    if (f.visibility === 'shared' && x.owner === p.userId) continue;
    if (f.owner !== undefined && x.owner !== f.owner) continue;
    if (f.statuses && !f.statuses.includes(x.status)) continue;
    if (f.tag !== undefined && !hasTag(labelsOf(x.spec), f.tag)) continue;
    out.push(x);
  }
  return out;
}

/** The Katib Experiment a creation takes, for the OpenAPI document (the server checks it: spec.ts). */
const EXPERIMENT_SCHEMA = {
  type: 'object',
  description:
    'A Katib `kubeflow.org/v1beta1` Experiment, as `kubectl apply` takes it: see docs/tuning-spec.md for the fields gpupool reads and checks.',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { type: 'string', enum: ['kubeflow.org/v1beta1'] },
    kind: { type: 'string', enum: ['Experiment'] },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', description: 'the experiment’s name in its group' },
        namespace: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' }, description: 'its tags' },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    spec: { type: 'object', additionalProperties: true },
  },
};

/** The query of a route that names one experiment. */
const scoped = { group: { type: 'string', description: 'the group the name is looked up in (default: yours)' } };

export function experimentRoutes(ctx: HttpContext) {
  const base = '/tuning/experiments';
  const one = `${base}/:name`;
  const tags = ['experiments'];
  return async (app: FastifyInstance) => {
    const user = { access: 'user' as const };
    const engine = ctx.experiments;
    // runCommand names the cluster's and the assets' command types; the experiments engine decodes its own.
    const commands = engine as unknown as CommandEngine;
    type Type = Parameters<typeof runCommand>[2];
    const typeOf = (t: ExperimentCommand['type']) => t as unknown as Type;

    // A creation's body may be YAML, as Katib's Experiments are written: read as text, parsed by spec.ts.
    app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => {
      done(null, body === '' ? undefined : body);
    });

    const groupQuery = (req: FastifyRequest): string | undefined => {
      const g = (req.query as Record<string, unknown> | undefined)?.group;
      return typeof g === 'string' ? g : undefined;
    };

    /** The experiment the URL names, if the caller may see it in `state`. */
    const visibleExperiment = (req: FastifyRequest, state: Readonly<ExperimentsState> = engine.current) =>
      resolveExperiment(req.principal, state, params(req).name as string, groupQuery(req));

    /** The experiment the URL names, if the caller may change it: it is theirs, or they are an operator. */
    const ownExperiment = (req: FastifyRequest): Result<ExperimentState> => {
      const x = visibleExperiment(req);
      if (!x.ok || canChangeExperiment(req.principal, x.value)) return x;
      return bad(
        forbidden(`experiment '${experimentName(x.value)}' is ${x.value.owner}'s; only its owner or an operator may change it`),
      );
    };

    /** The experiment a command changed, as it stands now. */
    const changed = (fields: Readonly<Record<string, unknown>>): Result<ExperimentView> => {
      const x = engine.current.experiments.get(fields.experimentId as string);
      return x ? good(experimentView(x)) : bad(notFound(`experiment '${String(fields.experimentId)}'`));
    };

    /** A body that may hold only `allowed` fields: any other is named (the codecs would drop it unsaid). */
    const onlyFields = (req: FastifyRequest, allowed: readonly string[]): Result<null> => {
      const b = req.body;
      if (b === null || typeof b !== 'object' || Array.isArray(b)) return good(null);
      const others = Object.keys(b).filter((k) => !allowed.includes(k));
      if (others.length === 0) return good(null);
      return bad(
        invalidInput(
          others.map((k) => ({
            path: `body.${k}`,
            expected: `no such field: only ${allowed.join(', ')} may be given`,
            actual: describeValue((b as Record<string, unknown>)[k]),
          })),
        ),
      );
    };

    const nameParam = idParams('name');
    const created = { description: 'created: the experiment, as a read would answer it, and the document’s warnings' };
    const json = { content: { 'application/json': { schema: {} } } };

    app.get(
      base,
      {
        config: user,
        schema: {
          tags,
          summary:
            'List experiments, oldest first (a data scientist sees their group’s, an operator every group’s), without their trials',
          description:
            'In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match. `tag` is a label of the document’s `metadata.labels`: `key` or `key=value`.',
          querystring: timeTravelQuery({
            ...PAGE_QUERY,
            status: { type: 'string', description: `a comma-separated list of ${EXPERIMENT_STATUSES.join(', ')}` },
            visibility: {
              type: 'string',
              enum: VISIBILITIES,
              default: 'all',
              description: 'mine: yours; shared: your group’s of others; all: both',
            },
            tag: { type: 'string', description: 'a label: `key` or `key=value`' },
            owner: { type: 'string' },
            group: { type: 'string', description: 'an operator’s list of one group (a data scientist’s is their own)' },
          }),
          response: {
            200: {
              description: 'what was asked for',
              headers: { 'x-total-count': { type: 'integer', description: 'how many there are, in all pages' } },
              ...json,
            },
            ...errors(400, 403),
          },
        },
      },
      async (req, reply) => {
        const q = (req.query ?? {}) as Record<string, unknown>;
        const filter = listFilter(req.principal, q);
        if (!filter.ok) return answer(reply, filter);
        const page = pageQuery(req);
        if (!page.ok) return answer(reply, page);
        const s = await stateOf(engine, req);
        if (!s.ok) return answer(reply, s);
        const all = visibleExperiments(s.value, req.principal, filter.value);
        const items = all.slice(page.value.offset, page.value.offset + page.value.limit).map(experimentListItem);
        reply.header('x-total-count', String(all.length));
        return answer(reply, good(items));
      },
    );

    app.get(
      one,
      {
        config: user,
        schema: {
          tags,
          summary: 'An experiment with its counters, its status, its optimal trial and its trials',
          description: 'Named by its name in your group, `?group=` for another, or its whole id `<group>/<name>` URL-encoded.',
          params: nameParam,
          querystring: timeTravelQuery(scoped),
          response: errors(400, 404, 409),
        },
      },
      readingFrom(engine, (state, req) => {
        const x = visibleExperiment(req, state);
        return x.ok ? good(experimentView(x.value)) : x;
      }),
    );

    app.post(
      base,
      {
        config: user,
        schema: {
          tags,
          summary: 'Create an experiment from a Katib Experiment (YAML or JSON), in its owner’s group',
          description:
            'The body is a Katib `kubeflow.org/v1beta1` Experiment, as JSON or YAML (`application/yaml`, `application/x-yaml`, `text/yaml`). Every issue is answered at once, each with its path (`body.spec.parameters[0].feasibleSpace.min`). Its id is `<group>/<metadata.name>`, the group its owner’s; a data scientist creates as themselves, an operator may name the `owner`. `seed` seeds its algorithm (default: one derived from its id).',
          querystring: {
            type: 'object',
            properties: {
              owner: { type: 'string', description: 'whose experiment it is (an operator may name another user)' },
              seed: { type: 'string', description: 'an integer >= 0 its algorithm draws from (default: derived from its id)' },
            },
          },
          body: {
            content: {
              'application/json': { schema: EXPERIMENT_SCHEMA },
              'application/yaml': { schema: { type: 'string', description: 'the Experiment as YAML' } },
            },
          },
          headers: idempotencyHeader,
          response: { 201: { ...created, ...json }, ...errors(400, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (req, reply) => {
        const p = req.principal;
        const q = (req.query ?? {}) as Record<string, unknown>;
        const owner = typeof q.owner === 'string' ? q.owner : p.userId;
        if (!isOperator(p) && owner !== p.userId) {
          return answer(reply, bad(forbidden('you may create experiments only as their owner')));
        }
        let seed: number | undefined;
        if (q.seed !== undefined) {
          const n = Number(q.seed);
          if (typeof q.seed !== 'string' || !/^\d+$/.test(q.seed) || !Number.isSafeInteger(n)) {
            return answer(
              reply,
              bad(invalidInput([{ path: 'query.seed', expected: 'an integer >= 0', actual: String(q.seed) }])),
            );
          }
          seed = n;
        }
        const ownerUser = Id.is(owner) ? ctx.engine.current.users.get(owner) : undefined;
        if (!ownerUser) return answer(reply, bad(notFound(`user '${owner}'`)));
        const body = req.body;
        if (body === undefined || body === null) {
          return answer(
            reply,
            bad(invalidInput([{ path: 'body', expected: 'a Katib Experiment (JSON or YAML)', actual: 'nothing' }])),
          );
        }
        // JSON is checked as every route's body is (an object, not nested past MAX_BODY_DEPTH); YAML is spec.ts's to read.
        if (typeof body !== 'string') {
          const checked = bodyObject(req);
          if (!checked.ok) return answer(reply, checked);
        }
        const parsed = parseExperimentDocument(body);
        if (!parsed.ok) return answer(reply, bad(invalidInput(specIssues(parsed.issues, body))));
        const spec = parsed.experiment;
        const group = ownerUser.group;
        const experimentId = `${group}/${spec.name}`;
        const fields = { experimentId, owner, group, spec, seed: seed ?? seedOf(experimentId) };
        const r = await runCommand(ctx, req, typeOf('CreateExperiment'), fields, [], commands);
        if (!r.ok) return answer(reply, r);
        if (r.value.duplicate) reply.header('idempotent-replayed', 'true');
        const x = engine.current.experiments.get(experimentId);
        if (!x) return answer(reply, bad(notFound(`experiment '${experimentId}'`)));
        reply.header('location', experimentLocation(x));
        return answer(reply, good({ ...experimentView(x), warnings: parsed.warnings }), 201);
      },
    );

    app.patch(
      one,
      {
        config: user,
        schema: {
          tags,
          summary:
            'Edit an experiment’s counts: parallelTrialCount, maxTrialCount, maxFailedTrialCount (its owner or an operator)',
          description:
            'Only the three counts may change, as in Katib; any other field is refused by name. `null` lifts a maximum. A running experiment whose new budget is spent ends at once.',
          params: nameParam,
          querystring: { type: 'object', properties: scoped },
          body: codecBody(experimentCommandCodecs.EditExperiment, { omit: ['experimentId'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409, 413, 422),
        },
      },
      async (req, reply) => {
        const only = onlyFields(req, EDITABLE);
        if (!only.ok) return answer(reply, only);
        return edit(req, reply);
      },
    );
    const edit = commandRoute(ctx, typeOf('EditExperiment'), [], (_req, fields) => changed(fields), 200, {
      engine: commands,
      fields: (req) => {
        const x = ownExperiment(req);
        return x.ok ? good({ experimentId: x.value.id }) : x;
      },
    });

    app.post(
      `${one}/stop`,
      {
        config: user,
        schema: {
          tags,
          summary: 'Stop an experiment: no trial starts; its running trials are stopped, or finish (its owner or an operator)',
          description:
            '`trials`: `stop` (the default) stops its running trials’ jobs; `finish` lets them end. It is Stopping until none runs, then Stopped.',
          params: nameParam,
          querystring: { type: 'object', properties: scoped },
          body: {
            type: 'object',
            properties: {
              trials: { type: 'string', enum: ['finish', 'stop'], default: 'stop', description: 'what its running trials do' },
            },
          },
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409, 413, 422),
        },
      },
      async (req, reply) => {
        const only = onlyFields(req, ['trials']);
        if (!only.ok) return answer(reply, only);
        return stop(req, reply);
      },
    );
    const stop = commandRoute(ctx, typeOf('StopExperiment'), [], (_req, fields) => changed(fields), 200, {
      engine: commands,
      fields: (req, body) => {
        const x = ownExperiment(req);
        return x.ok ? good({ experimentId: x.value.id, trials: body.trials ?? 'stop' }) : x;
      },
    });

    app.post(
      `${one}/register-model`,
      {
        config: user,
        schema: {
          tags,
          summary:
            "Record the optimal trial's product as the next version of a model of the experiment's group (its owner or an operator)",
          description:
            'The version carries the trial’s metrics and its lineage: the trial’s job, its hyperparameters (the trial’s assignment), its image and pinned inputs. `model`: the model’s name in the experiment’s group.',
          params: nameParam,
          querystring: { type: 'object', properties: scoped },
          body: {
            type: 'object',
            required: ['model'],
            properties: { model: { type: 'string', minLength: 1, maxLength: 253, description: 'the model, by its name' } },
          },
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409, 413, 422),
        },
      },
      async (req, reply) => {
        const only = onlyFields(req, ['model']);
        if (!only.ok) return answer(reply, only);
        return register(req, reply);
      },
    );
    const register = commandRoute(
      ctx,
      'RecordAssetVersion',
      [],
      async (_req, fields, reply) => {
        const model = ctx.assets.current.assets.get(fields.assetId as string);
        const v = model?.versions.findLast((version) => version.lineage?.job === (fields.lineage as { job?: string }).job);
        if (!model || !v) return bad(notFound(`model '${String(fields.assetId)}'`));
        reply.header(
          'location',
          `/api/v1/models/${encodeURIComponent(model.name)}/versions/${v.version}?group=${encodeURIComponent(model.group)}`,
        );
        return good({ assetId: model.id, ...v });
      },
      201,
      {
        engine: ctx.assets,
        fields: (req, body) => {
          const x = ownExperiment(req);
          if (!x.ok) return x;
          const trial = x.value.optimal === null ? undefined : x.value.trials.get(x.value.optimal);
          if (trial === undefined) {
            return bad(
              problem(409, 'no-optimal-trial', `experiment '${experimentName(x.value)}' has no trial with an objective yet`),
            );
          }
          const name = typeof body.model === 'string' ? body.model : '';
          // The trial's job as it ended (its image and inputs); without its record, what the trial knows.
          const job = ctx.engine.job(trial.jobId) ?? ctx.engine.archive?.get(trial.jobId);
          const command = outputVersion(
            {
              id: trial.jobId,
              kind: 'training',
              owner: x.value.owner,
              status: 'Complete',
              inputs: job?.inputs ?? null,
              output: { model: assetIdOf(x.value.group, name) },
              spec: { ...((job?.spec as Record<string, unknown> | undefined) ?? {}), hyperparameters: { ...trial.assignment } },
            },
            trial.metrics,
          );
          if (command === null || command.type !== 'RecordAssetVersion') return bad(notFound(`model '${name}'`));
          const { type: _type, ...fields } = command;
          return good(fields);
        },
      },
    );

    app.post(
      `${one}/restart`,
      {
        config: user,
        schema: {
          tags,
          summary:
            'Run an ended experiment again, when its resumePolicy is not Never and its budget allows (its owner or an operator)',
          params: nameParam,
          querystring: { type: 'object', properties: scoped },
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409, 422),
        },
      },
      commandRoute(ctx, typeOf('RestartExperiment'), [], (_req, fields) => changed(fields), 200, {
        engine: commands,
        fields: (req) => {
          const x = ownExperiment(req);
          return x.ok ? good({ experimentId: x.value.id }) : x;
        },
      }),
    );
  };
}
