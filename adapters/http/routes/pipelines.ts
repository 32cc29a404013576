/**
 * Kubeflow-compatible pipelines (core/pipelines) over HTTP: pipelines and their versions, uploaded
 * as the KFP SDK writes them (a compiled v2 IR in YAML or JSON with its platform document, a v1
 * `component.yaml`, or a v1 graph component whose references resolve from the group's component
 * library), and that library itself. Runs, pipeline experiments and recurring runs are
 * pipeline-runs.ts's; both share the scoping rules written here.
 *
 * Names are scoped to the group, as experiments' are: a pipeline uploaded here is the core's
 * `<group>/<name>` in its owner's group, and URLs name it by its name, looked up in the caller's
 * group unless `?group=` names another (names.ts resolveName), or by its whole id, URL-encoded.
 * A group's members read its pipelines; the owner or an operator adds versions. Anything a
 * caller may not see answers 404, exactly as what does not exist.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseAllDocuments } from 'yaml';
import { type DecodeIssue, describeValue, Id, NAME_MAX_LENGTH } from '../../../core/codec.js';
import { type ComponentLibrary, componentDigest, libraryFromFiles } from '../../../core/pipelines/component-library.js';
import type { ParameterSpec, PipelineSpec } from '../../../core/pipelines/ir.js';
import type { LibraryComponent, Pipeline, PipelinesState, PipelineVersion } from '../../../core/pipelines/model.js';
import { formatPipelineIssues, type PipelineIssue, parsePipelineFile } from '../../../core/pipelines/parse.js';
import { decodeV1Component, isRecord, k8sName, looksLikeV1Component } from '../../../core/pipelines/v1-component.js';
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
import { errors, idempotencyHeader, idParams, timeTravelQuery } from '../openapi.js';
import { forbidden, invalidInput, notFound } from '../problem.js';
import { params } from './command-route.js';

// -- scoping, shared with pipeline-runs.ts ----------------------------------------------------------

/** What every group-scoped item of the pipelines context has. */
export interface Scoped {
  readonly id: string;
  readonly owner: string;
  readonly group: string;
}

/** Whether the principal may see an item: an operator, its owner, or a member of its group. */
export const canSeeItem = (p: Principal, x: Pick<Scoped, 'owner' | 'group'>): boolean =>
  isOperator(p) || x.owner === p.userId || x.group === p.group;

/** Whether the principal may change an item: its owner, or an operator. */
export const canChangeItem = (p: Principal, x: Pick<Scoped, 'owner'>): boolean => isOperator(p) || x.owner === p.userId;

/** An item's name in its group: its id without the group's prefix. */
export function nameInGroup(x: Pick<Scoped, 'id' | 'group'>): string {
  const prefix = `${x.group}/`;
  return x.id.startsWith(prefix) ? x.id.slice(prefix.length) : x.id;
}

/** The `?group=` of a request, if it names one. */
export function groupQuery(req: FastifyRequest): string | undefined {
  const g = (req.query as Record<string, unknown> | undefined)?.group;
  return typeof g === 'string' ? g : undefined;
}

/**
 * The item of `items` a URL names, as the caller sees it (names.ts resolveName): by its name in a
 * group, or by its whole id. `what` names the kind in messages.
 */
export function resolveItem<T extends Scoped>(
  p: Principal,
  items: ReadonlyMap<string, T>,
  what: string,
  name: string,
  group?: string,
): Result<T> {
  const visible = (id: string) => {
    const x = items.get(id);
    return x !== undefined && canSeeItem(p, x) ? x : undefined;
  };
  return resolveName(
    {
      what,
      inGroup: (g) => {
        const x = visible(`${g}/${name}`);
        return x !== undefined && x.group === g ? x : undefined;
      },
      unscoped: () => (name.includes('/') ? visible(name) : undefined),
      groups: () => new Set([...items.values()].map((x) => x.group)),
      ambiguous: `ambiguous-${what.replace(/ /g, '-')}-name`,
    },
    p.group,
    name,
    group,
  );
}

/** The item a URL names, if the caller may change it: theirs, or they are an operator. */
export function changeable<T extends Scoped>(p: Principal, found: Result<T>, what: string): Result<T> {
  if (!found.ok || canChangeItem(p, found.value)) return found;
  return bad(
    forbidden(`${what} '${nameInGroup(found.value)}' is ${found.value.owner}'s; only its owner or an operator may change it`),
  );
}

const VISIBILITIES: readonly Visibility[] = ['mine', 'shared', 'all'];

/** Who asked for which items: `visibility`, `owner`, and an operator's `group`. */
export interface ScopeFilter {
  readonly visibility: Visibility;
  readonly owner?: string;
  readonly group?: string;
}

/** The scope filters of a list's query, checked; issues are added to `issues`. */
export function scopeFilter(p: Principal, q: Record<string, unknown>, issues: DecodeIssue[], what: string): Result<ScopeFilter> {
  const visibility = (typeof q.visibility === 'string' ? q.visibility : 'all') as Visibility;
  if (!VISIBILITIES.includes(visibility)) {
    issues.push({ path: 'query.visibility', expected: 'one of mine, shared, all', actual: String(q.visibility) });
  }
  const group = typeof q.group === 'string' ? q.group : undefined;
  if (issues.length === 0 && group !== undefined && group !== p.group && !isOperator(p)) {
    return bad(forbidden(`you may list only your own group's ${what}`));
  }
  return good({
    visibility,
    ...(typeof q.owner === 'string' ? { owner: q.owner } : {}),
    ...(group !== undefined ? { group } : {}),
  });
}

/**
 * Whether an item passes a scope filter: a data scientist's lists hold their group's items and
 * their own in groups they left; an operator's every group's.
 */
export function inScope(p: Principal, f: ScopeFilter, x: Pick<Scoped, 'owner' | 'group'>): boolean {
  if (f.group !== undefined && x.group !== f.group) return false;
  if (!canSeeItem(p, x)) return false;
  if (f.visibility === 'mine' && x.owner !== p.userId) return false;
  if (f.visibility === 'shared' && x.owner === p.userId) return false;
  return f.owner === undefined || x.owner === f.owner;
}

/** The query of a list's scope filters and pages, for the OpenAPI document. */
export const SCOPE_QUERY = {
  ...PAGE_QUERY,
  visibility: {
    type: 'string',
    enum: VISIBILITIES,
    default: 'all',
    description: 'mine: yours; shared: your group’s of others; all: both',
  },
  owner: { type: 'string' },
  group: { type: 'string', description: 'an operator’s list of one group (a data scientist’s is their own)' },
} as const;

/** The query of a route that names one item. */
export const SCOPED = { group: { type: 'string', description: 'the group the name is looked up in (default: yours)' } };

/** A page of `all`, with X-Total-Count. */
export function paged<T>(req: FastifyRequest, reply: { header(k: string, v: string): unknown }, all: readonly T[]): Result<T[]> {
  const page = pageQuery(req);
  if (!page.ok) return page;
  reply.header('x-total-count', String(all.length));
  return good(all.slice(page.value.offset, page.value.offset + page.value.limit));
}

const NAME_RULE = "a name (well-formed Unicode without control, bidi-control or zero-width characters, and without '/')";

/** The core id `<group>/<name>` of a new item, if `name` is a name; `path` names the field. */
export function newItemId(group: string, name: unknown, path: string): Result<string> {
  const longest = NAME_MAX_LENGTH - group.length - 1;
  if (typeof name !== 'string' || !Id.is(name) || name.includes('/') || name.length > longest) {
    return bad(
      invalidInput([
        {
          path,
          expected: `${NAME_RULE} of at most ${Math.max(longest, 0)} characters in group '${group}'`,
          actual: describeValue(name),
        },
      ]),
    );
  }
  return good(`${group}/${name}`);
}

/**
 * Who a new item is for: the caller, or the user an operator names (a data scientist naming
 * another is 403); the user must exist (404). Its group is the owner's.
 */
export function ownerOf(ctx: HttpContext, p: Principal, named: unknown, path: string): Result<{ owner: string; group: string }> {
  const owner = named === undefined ? p.userId : named;
  if (typeof owner !== 'string') return bad(invalidInput([{ path, expected: 'a user id', actual: describeValue(owner) }]));
  if (!isOperator(p) && owner !== p.userId) return bad(forbidden('you may create these only as their owner'));
  const user = Id.is(owner) ? ctx.engine.current.users.get(owner) : undefined;
  if (!user) return bad(notFound(`user '${owner}'`));
  return good({ owner, group: user.group });
}

/** A body that may hold only `allowed` fields: any other is named (the codecs would drop it unsaid). */
export function onlyFields(body: Readonly<Record<string, unknown>>, allowed: readonly string[]): Result<null> {
  const others = Object.keys(body).filter((k) => !allowed.includes(k));
  if (others.length === 0) return good(null);
  return bad(
    invalidInput(
      others.map((k) => ({
        path: `body.${k}`,
        expected: `no such field: only ${allowed.join(', ')} may be given`,
        actual: describeValue(body[k]),
      })),
    ),
  );
}

/** The pipelines engine as runCommand takes it, and its command types (runCommand names the cluster's). */
export function pipelineCommands(ctx: HttpContext) {
  const engine = ctx.pipelines as unknown as CommandEngine;
  type Type = Parameters<typeof runCommand>[2];
  const typeOf = (t: string) => t as unknown as Type;
  return { engine, typeOf };
}

// -- views -------------------------------------------------------------------------------------------

export interface VersionSummary {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly format: PipelineVersion['format'];
}

export interface PipelineListItem {
  readonly id: string;
  readonly name: string;
  readonly group: string;
  readonly owner: string;
  readonly description: string;
  readonly createdAt: number;
  readonly versions: readonly VersionSummary[];
  /** The version a run takes when it names none. */
  readonly latestVersion: VersionSummary | null;
}

export interface PipelineInput {
  readonly name: string;
  readonly parameterType: ParameterSpec['parameterType'];
  readonly defaultValue?: ParameterSpec['defaultValue'];
  readonly isOptional: boolean;
}

const summaryOf = (v: PipelineVersion): VersionSummary => ({ id: v.id, name: v.name, createdAt: v.createdAt, format: v.format });

export function pipelineListItem(p: Pipeline): PipelineListItem {
  const latest = p.versions.at(-1);
  return {
    id: p.id,
    name: p.name,
    group: p.group,
    owner: p.owner,
    description: p.description,
    createdAt: p.createdAt,
    versions: p.versions.map(summaryOf),
    latestVersion: latest ? summaryOf(latest) : null,
  };
}

/** A pipeline as GET one answers it: its versions with their descriptions. */
export function pipelineView(p: Pipeline) {
  return { ...pipelineListItem(p), versions: p.versions.map((v) => ({ ...summaryOf(v), description: v.description })) };
}

export type PipelineView = ReturnType<typeof pipelineView>;

/** The pipeline's inputs: its root's parameters, a run's `parameters`. */
export function pipelineInputs(spec: PipelineSpec): PipelineInput[] {
  return Object.entries(spec.root.inputDefinitions?.parameters ?? {}).map(([name, def]) => ({
    name,
    parameterType: def.parameterType,
    ...(def.defaultValue !== undefined ? { defaultValue: def.defaultValue } : {}),
    isOptional: def.isOptional === true || def.defaultValue !== undefined,
  }));
}

export function versionView(v: PipelineVersion) {
  return {
    id: v.id,
    name: v.name,
    description: v.description,
    createdAt: v.createdAt,
    format: v.format,
    spec: v.spec,
    platform: v.platform,
    inputs: pipelineInputs(v.spec),
  };
}

export type PipelineVersionView = ReturnType<typeof versionView>;

/** A pipeline's version by its name; `latest` (or none) the last one. */
export function versionOf(p: Pipeline, name: string | undefined): PipelineVersion | undefined {
  return name === undefined || name === 'latest' ? p.versions.at(-1) : p.versions.find((v) => v.name === name);
}

export function pipelineLocation(p: Pick<Pipeline, 'id' | 'group'>, suffix = ''): string {
  return `/api/v1/pipelines/${encodeURIComponent(nameInGroup(p))}${suffix}?group=${encodeURIComponent(p.group)}`;
}

// -- the library -------------------------------------------------------------------------------------

/** A group's component library as the parser takes it: by digest, and by url where one is known. */
export function libraryOf(state: Readonly<PipelinesState>, group: string): ComponentLibrary {
  const components = [...(state.libraries.get(group)?.values() ?? [])];
  // Files keyed by their digest and their own canonical location, as uploaded files are.
  const fromFiles = libraryFromFiles(components.map((c) => ({ name: c.name, text: c.text })));
  const byDigest = new Map(fromFiles.byDigest);
  const byUrl = new Map(fromFiles.byUrl);
  for (const c of components) {
    byDigest.set(c.digest, c.text);
    if (c.url !== null) byUrl.set(c.url, c.text);
  }
  return { byDigest, byUrl };
}

const componentItem = (c: LibraryComponent) => ({
  digest: c.digest,
  name: c.name,
  url: c.url,
  owner: c.owner,
  addedAt: c.addedAt,
});

// -- a file's issues -------------------------------------------------------------------------------

/** The value at a parser's path (`root.dag.tasks.x`, `args[2]`) in a document, if there is one. */
function valueAt(doc: unknown, path: string): unknown {
  if (path === '') return doc;
  let v: unknown = doc;
  for (const part of path.split(/\.|(?=\[)/).filter((s) => s !== '')) {
    const index = /^\[(\d+)\]$/.exec(part);
    if (index) v = Array.isArray(v) ? v[Number(index[1])] : undefined;
    else v = isRecord(v) && Object.hasOwn(v, part) ? v[part] : undefined;
    if (v === undefined) return undefined;
  }
  return v;
}

/** The first document of a text, if it reads. */
function firstDocument(text: string): unknown {
  try {
    return parseAllDocuments(text, { maxAliasCount: 100 } as never)[0]?.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

/**
 * A file's issues as the API names input issues: under `body`, with the parser's sentence as their
 * message (and, as before there was one, as what was expected), and the value found at the path.
 */
export function fileIssues(issues: readonly PipelineIssue[], text: string): DecodeIssue[] {
  const doc = issues.some((i) => i.path !== '') ? firstDocument(text) : undefined;
  return issues.map((i) => ({
    path: i.path === '' ? 'body' : `body.${i.path}`,
    expected: i.message,
    actual: i.path === '' ? 'the file as uploaded' : describeValue(valueAt(doc, i.path)),
    message: i.message,
  }));
}

/** A request body as the file's text: YAML arrives as text, JSON as a value written back as JSON. */
export function fileText(req: FastifyRequest, what: string): Result<string> {
  const body = req.body;
  if (body === undefined || body === null || body === '') {
    return bad(invalidInput([{ path: 'body', expected: what, actual: 'nothing' }]));
  }
  if (typeof body === 'string') return good(body);
  // JSON is checked as every route's body is (an object, not nested past MAX_BODY_DEPTH).
  const checked = bodyObject(req);
  if (!checked.ok) return checked;
  return good(JSON.stringify(body));
}

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/** A file's body in the OpenAPI document: YAML text or a JSON document. */
const fileBody = (what: string) => ({
  content: {
    'application/json': { schema: { type: 'object', additionalProperties: true, description: `${what} as JSON` } },
    'application/yaml': { schema: { type: 'string', description: `${what} as YAML` } },
  },
});

const json = { content: { 'application/json': { schema: {} } } };
const created = { description: 'created: what was created, as a read would answer it', ...json };
const listed = {
  description: 'what was asked for',
  headers: { 'x-total-count': { type: 'integer', description: 'how many there are, in all pages' } },
  ...json,
};

/** Read a query parameter that must be a string, or nothing. */
const queryString = (q: Record<string, unknown>, k: string): string | undefined =>
  typeof q[k] === 'string' ? (q[k] as string) : undefined;

export function pipelineRoutes(ctx: HttpContext) {
  const tags = ['pipelines'];
  return async (app: FastifyInstance) => {
    const user = { access: 'user' as const };
    const engine = ctx.pipelines;
    const { engine: commands, typeOf } = pipelineCommands(ctx);

    // Pipeline files are YAML as the KFP SDK writes them: read as text, parsed by parse.ts.
    app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => {
      done(null, body === '' ? undefined : body);
    });

    const visiblePipeline = (req: FastifyRequest, state: Readonly<PipelinesState> = engine.current) =>
      resolveItem(req.principal, state.pipelines, 'pipeline', params(req).name as string, groupQuery(req));

    /** Parse an uploaded file against the library of `group`: the pipeline, or 400 with every issue. */
    const parseUpload = (req: FastifyRequest, group: string) => {
      const text = fileText(req, 'a pipeline file (KFP v2 IR, or a v1 component, as YAML or JSON)');
      if (!text.ok) return text;
      const parsed = parsePipelineFile(text.value, libraryOf(engine.current, group));
      if (!parsed.ok) {
        return bad(
          invalidInput(
            fileIssues(parsed.issues, text.value),
            `the file is not a pipeline gpupool can run:\n${formatPipelineIssues(parsed.issues)}`,
          ),
        );
      }
      return good(parsed.value);
    };

    /** A version's name from the query, checked (a path segment of its own). */
    const versionName = (q: Record<string, unknown>, fallback: string): Result<string> => {
      const name = q.version === undefined && q.name === undefined ? fallback : (q.version ?? q.name);
      if (typeof name !== 'string' || !Id.is(name) || name.includes('/') || name === 'latest') {
        return bad(
          invalidInput([
            {
              path: q.version === undefined ? 'query.name' : 'query.version',
              expected: `a version name (${NAME_RULE}, not 'latest')`,
              actual: describeValue(name),
            },
          ]),
        );
      }
      return good(name);
    };

    const description = (q: Record<string, unknown>): Result<string | undefined> => {
      if (q.description === undefined || typeof q.description === 'string') return good(q.description as string | undefined);
      return bad(invalidInput([{ path: 'query.description', expected: 'a string', actual: describeValue(q.description) }]));
    };

    app.get(
      '/pipelines',
      {
        config: user,
        schema: {
          tags,
          summary: 'List pipelines, oldest first (a data scientist sees their group’s, an operator every group’s)',
          description: 'In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match.',
          querystring: timeTravelQuery(SCOPE_QUERY),
          response: { 200: listed, ...errors(400, 403) },
        },
      },
      async (req, reply) => {
        const issues: DecodeIssue[] = [];
        const filter = scopeFilter(req.principal, (req.query ?? {}) as Record<string, unknown>, issues, 'pipelines');
        if (issues.length > 0) return answer(reply, bad(invalidInput(issues)));
        if (!filter.ok) return answer(reply, filter);
        const s = await stateOf(engine, req);
        if (!s.ok) return answer(reply, s);
        const all = [...s.value.pipelines.values()].filter((p) => inScope(req.principal, filter.value, p));
        const page = paged(req, reply, all);
        return answer(reply, page.ok ? good(page.value.map(pipelineListItem)) : page);
      },
    );

    app.post(
      '/pipelines',
      {
        config: user,
        schema: {
          tags,
          summary: 'Upload a pipeline: a compiled KFP v2 pipeline, a v1 component or a v1 graph component, in its owner’s group',
          description:
            'The body is the file as the KFP SDK writes it, YAML (`application/yaml`, `application/x-yaml`, `text/yaml`) or JSON: a v2 IR with an optional second document holding the platform spec, a v1 `component.yaml` (run as a one-step pipeline), or a v1 graph component whose `componentRef`s resolve from the group’s component library (`/pipeline-components`). Every issue of a file is answered at once, each with its path (`body.root.dag.tasks.x.componentRef.name`). `name` defaults to the file’s pipeline name, made a Kubernetes name; `version` (default `v1`) names its first version.',
          querystring: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'its name in the group (default: the file’s, sanitized)' },
              description: { type: 'string' },
              version: { type: 'string', description: 'its first version’s name (default v1)' },
              owner: { type: 'string', description: 'whose pipeline it is (an operator may name another user)' },
            },
          },
          body: fileBody('the pipeline file'),
          headers: idempotencyHeader,
          response: { 201: created, ...errors(400, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (req, reply) => {
        const q = (req.query ?? {}) as Record<string, unknown>;
        const who = ownerOf(ctx, req.principal, q.owner, 'query.owner');
        if (!who.ok) return answer(reply, who);
        const { owner, group } = who.value;
        const text = description(q);
        if (!text.ok) return answer(reply, text);
        const parsed = parseUpload(req, group);
        if (!parsed.ok) return answer(reply, parsed);
        const fileName = k8sName(parsed.value.spec.pipelineInfo.name);
        const name = queryString(q, 'name') ?? fileName;
        // A name taken from the file is named where the file holds it.
        const from = parsed.value.format === 'v2' ? 'body.pipelineInfo.name' : 'body.name';
        const pipelineId = newItemId(group, name, q.name === undefined ? from : 'query.name');
        if (!pipelineId.ok) return answer(reply, pipelineId);
        const version = versionName({ version: q.version }, 'v1');
        if (!version.ok) return answer(reply, version);
        const fields = {
          pipelineId: pipelineId.value,
          owner,
          group,
          name,
          ...(text.value !== undefined ? { description: text.value } : {}),
          version: {
            versionId: `${pipelineId.value}@${version.value}`,
            name: version.value,
            format: parsed.value.format,
            spec: parsed.value.spec,
            platform: parsed.value.platform,
            ...(text.value !== undefined ? { description: text.value } : {}),
          },
        };
        const r = await runCommand(ctx, req, typeOf('CreatePipeline'), fields, [], commands);
        if (!r.ok) return answer(reply, r);
        if (r.value.duplicate) reply.header('idempotent-replayed', 'true');
        const p = engine.current.pipelines.get(pipelineId.value);
        if (!p) return answer(reply, bad(notFound(`pipeline '${pipelineId.value}'`)));
        reply.header('location', pipelineLocation(p));
        return answer(reply, good(pipelineView(p)), 201);
      },
    );

    app.get(
      '/pipelines/:name',
      {
        config: user,
        schema: {
          tags,
          summary: 'A pipeline with its versions',
          description: 'Named by its name in your group, `?group=` for another, or its whole id `<group>/<name>` URL-encoded.',
          params: idParams('name'),
          querystring: timeTravelQuery(SCOPED),
          response: errors(400, 404, 409),
        },
      },
      readingFrom(engine, (state, req) => {
        const p = visiblePipeline(req, state);
        return p.ok ? good(pipelineView(p.value)) : p;
      }),
    );

    app.post(
      '/pipelines/:name/versions',
      {
        config: user,
        schema: {
          tags,
          summary: 'Upload a new version of a pipeline (its owner or an operator)',
          description:
            'The body is a pipeline file, as for an upload. `name` names the version (default `v<n>`, n one more than the versions it has); runs that name no version take the latest.',
          params: idParams('name'),
          querystring: {
            type: 'object',
            properties: {
              ...SCOPED,
              name: { type: 'string', description: 'the version’s name (default v<n>)' },
              description: { type: 'string' },
            },
          },
          body: fileBody('the pipeline file'),
          headers: idempotencyHeader,
          response: { 201: created, ...errors(400, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (req, reply) => {
        const q = (req.query ?? {}) as Record<string, unknown>;
        const p = changeable(req.principal, visiblePipeline(req), 'pipeline');
        if (!p.ok) return answer(reply, p);
        const text = description(q);
        if (!text.ok) return answer(reply, text);
        const taken = new Set(p.value.versions.map((v) => v.name));
        let n = p.value.versions.length + 1;
        while (taken.has(`v${n}`)) n++;
        const version = versionName({ name: q.name }, `v${n}`);
        if (!version.ok) return answer(reply, version);
        const parsed = parseUpload(req, p.value.group);
        if (!parsed.ok) return answer(reply, parsed);
        const versionId = `${p.value.id}@${version.value}`;
        const fields = {
          pipelineId: p.value.id,
          version: {
            versionId,
            name: version.value,
            format: parsed.value.format,
            spec: parsed.value.spec,
            platform: parsed.value.platform,
            ...(text.value !== undefined ? { description: text.value } : {}),
          },
        };
        const r = await runCommand(ctx, req, typeOf('CreatePipelineVersion'), fields, [], commands);
        if (!r.ok) return answer(reply, r);
        if (r.value.duplicate) reply.header('idempotent-replayed', 'true');
        const v = engine.current.pipelines.get(p.value.id)?.versions.find((x) => x.id === versionId);
        if (!v) return answer(reply, bad(notFound(`pipeline version '${versionId}'`)));
        reply.header('location', pipelineLocation(p.value, `/versions/${encodeURIComponent(v.name)}`));
        return answer(reply, good(versionView(v)), 201);
      },
    );

    app.get(
      '/pipelines/:name/versions/:version',
      {
        config: user,
        schema: {
          tags,
          summary: 'A version of a pipeline: its IR, its platform spec and its inputs (`latest`: the last version)',
          params: idParams('name', 'version'),
          querystring: timeTravelQuery(SCOPED),
          response: errors(400, 404, 409),
        },
      },
      readingFrom(engine, (state, req) => {
        const p = visiblePipeline(req, state);
        if (!p.ok) return p;
        const name = params(req).version as string;
        const v = versionOf(p.value, name);
        return v ? good(versionView(v)) : bad(notFound(`version '${name}' of pipeline '${p.value.name}'`));
      }),
    );

    // -- the component library --------------------------------------------------------------------

    /**
     * The group whose library a request reads: the caller's, or an operator's `?group=`. Another
     * group's is refused (403) for a list, and not there (404) for one of its components.
     */
    const libraryGroup = (req: FastifyRequest, one = false): Result<string> => {
      const g = groupQuery(req);
      if (g === undefined || g === req.principal.group || isOperator(req.principal)) return good(g ?? req.principal.group);
      return bad(
        one ? notFound(`component '${params(req).digest}'`) : forbidden('you may read only your own group’s component library'),
      );
    };

    app.get(
      '/pipeline-components',
      {
        config: user,
        schema: {
          tags,
          summary: 'The component library of your group: the v1 component files graph components resolve from',
          querystring: timeTravelQuery({ group: SCOPED.group }),
          response: errors(400, 403),
        },
      },
      readingFrom(engine, (state, req) => {
        const g = libraryGroup(req);
        if (!g.ok) return g;
        return good([...(state.libraries.get(g.value)?.values() ?? [])].map(componentItem));
      }),
    );

    app.post(
      '/pipeline-components',
      {
        config: user,
        schema: {
          tags,
          summary: 'Add a v1 component file to your group’s component library',
          description:
            'The body is the component’s `component.yaml` as text (`application/yaml`): its digest is the SHA-256 of that text, as the v1 SDK computes `componentRef.digest`. `url` says where it came from, for references by url. Adding a file the library has changes nothing.',
          querystring: { type: 'object', properties: { url: { type: 'string', description: 'where the file came from' } } },
          body: fileBody('the v1 component file'),
          headers: idempotencyHeader,
          response: { 201: created, ...errors(400, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (req, reply) => {
        const q = (req.query ?? {}) as Record<string, unknown>;
        const url = q.url === undefined ? null : q.url;
        if (url !== null && (typeof url !== 'string' || url === '')) {
          return answer(reply, bad(invalidInput([{ path: 'query.url', expected: 'a url', actual: describeValue(url) }])));
        }
        const text = fileText(req, 'a v1 component file (component.yaml)');
        if (!text.ok) return answer(reply, text);
        const doc = firstDocument(text.value);
        if (!isRecord(doc) || !looksLikeV1Component(doc)) {
          return answer(
            reply,
            bad(
              invalidInput([
                { path: 'body', expected: 'a v1 component (name, inputs, outputs, implementation)', actual: describeValue(doc) },
              ]),
            ),
          );
        }
        const decoded = decodeV1Component(doc);
        if (!decoded.ok) return answer(reply, bad(invalidInput(fileIssues(decoded.issues, text.value))));
        const digest = componentDigest(text.value);
        const name = typeof doc.name === 'string' ? doc.name : '';
        const fields = { group: req.principal.group, owner: req.principal.userId, digest, name, text: text.value, url };
        const r = await runCommand(ctx, req, typeOf('AddComponent'), fields, [], commands);
        if (!r.ok) return answer(reply, r);
        if (r.value.duplicate) reply.header('idempotent-replayed', 'true');
        reply.header('location', `/api/v1/pipeline-components/${digest}`);
        const c = engine.current.libraries.get(req.principal.group)?.get(digest);
        return answer(reply, good({ digest, name: c?.name ?? name, url: c?.url ?? url }), 201);
      },
    );

    app.get(
      '/pipeline-components/:digest',
      {
        config: user,
        schema: {
          tags,
          summary: 'A component of your group’s library, with its text',
          params: idParams('digest'),
          querystring: timeTravelQuery({ group: SCOPED.group }),
          response: errors(400, 403, 404),
        },
      },
      readingFrom(engine, (state, req) => {
        const g = libraryGroup(req, true);
        if (!g.ok) return g;
        const digest = (params(req).digest as string).toLowerCase();
        const c = state.libraries.get(g.value)?.get(digest);
        return c ? good({ ...componentItem(c), text: c.text }) : bad(notFound(`component '${digest}'`));
      }),
    );
  };
}
