/**
 * Workspaces, datasets and models (core/assets) over HTTP: one plugin, registered once per kind
 * under `/<kind>s`. Each asset is metadata with a source and immutable versions with their
 * lineage; the commands run on the assets engine (its own stream), as the cluster's run on theirs.
 *
 * Names are scoped to the group, as job names are: an asset created here is the core's asset
 * `<group>/<name>` (its `id`), and URLs name it by its `name`, looked up in the caller's group
 * unless `?group=` names another (see resolveAsset). A data scientist sees their group's assets
 * except another member's private ones, and their own wherever they are; anything else answers 404,
 * exactly as an asset that does not exist. The owner or an operator describes, archives and
 * deletes an asset; anyone who may see it records versions of it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { assetCommandCodecs } from '../../../core/assets/commands.js';
import type { AssetEvent } from '../../../core/assets/events.js';
import { type AssetKind, type AssetState, type AssetsState, type AssetVersion, assetIdOf } from '../../../core/assets/model.js';
import { type AssetFilter, type AssetVisibility, assetFor, listAssets } from '../../../core/assets/queries.js';
import { Id } from '../../../core/codec.js';
import { assetViewer, canChangeAsset, isOperator, type Principal } from '../access.js';
import {
  answer,
  bad,
  type Done,
  good,
  type HttpContext,
  PAGE_QUERY,
  pageQuery,
  type Result,
  readingFrom,
  stateOf,
} from '../context.js';
import { GenerationCache, jsonArray } from '../json-cache.js';
import { resolveName, scopedId } from '../names.js';
import { codecBody, errors, idempotencyHeader, idParams, timeTravelQuery } from '../openapi.js';
import { forbidden, invalidInput, notFound } from '../problem.js';
import { commandRoute, params } from './command-route.js';

/** An asset as the API shows it: everything the state holds, its versions with their lineage. */
export type AssetView = Omit<AssetState, 'versions'> & { readonly versions: readonly AssetVersion[] };
/** An asset in a list: without its versions, with how many it has. */
export type AssetListItem = Omit<AssetState, 'versions'> & { readonly versionCount: number };
/** A version as the API shows it: with its asset's id, so `{ assetId, version }` names it in a lineage. */
export type VersionView = AssetVersion & { readonly assetId: string };

/**
 * Copies, not the state's own objects: the state is updated in place by later events, and an
 * answer must say what was true when it was read.
 */
export function assetView(a: AssetState): AssetView {
  return { ...a, tags: [...a.tags], versions: [...a.versions] };
}

/**
 * Field by field, in the state's order: a rest pattern (`{ versions, ...rest }`) copies through
 * V8's slow generic path, which was a fifth of a 1,000-item list's time.
 */
function listItem(a: AssetState): AssetListItem {
  return {
    id: a.id,
    kind: a.kind,
    group: a.group,
    name: a.name,
    owner: a.owner,
    description: a.description,
    tags: [...a.tags],
    private: a.private,
    source: a.source,
    credentials: a.credentials,
    createdAt: a.createdAt,
    archived: a.archived,
    uses: a.uses,
    versionCount: a.versions.length,
  };
}

/** Whether two types are the same, readonly modifiers included. */
type Same<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
/** The fields of T that are not declared readonly: those an update may assign. */
type AssignableKeys<T> = {
  [K in keyof T]-?: Same<{ [Q in K]: T[K] }, { -readonly [Q in K]: T[K] }> extends true ? K : never;
}[keyof T];

/**
 * An asset's list item as JSON, with what it was made from. The assets state is updated in place
 * (core/assets/model.ts): an asset keeps its identity when it is described, archived, used or
 * given a version, so the text holds only while the fields evolve may assign, and the number of
 * versions, are as they were. Every other field is readonly and never changes; a field that may be
 * assigned and is added to AssetState makes `cachedItem` fail to compile until it is compared here.
 */
type CachedItem = { readonly [K in AssignableKeys<AssetState>]: AssetState[K] } & {
  readonly versionCount: number;
  readonly json: Buffer;
};

function cachedItem(a: AssetState): CachedItem {
  return {
    description: a.description,
    tags: a.tags,
    private: a.private,
    archived: a.archived,
    uses: a.uses,
    versionCount: a.versions.length,
    json: Buffer.from(JSON.stringify(listItem(a))),
  };
}

/** Whether a cached item still says what the asset holds. Tags are replaced whole, never changed in place (readonly). */
const stillCurrent = (c: CachedItem, a: AssetState): boolean =>
  c.description === a.description &&
  c.tags === a.tags &&
  c.private === a.private &&
  c.archived === a.archived &&
  c.uses === a.uses &&
  c.versionCount === a.versions.length;

/**
 * Items listed lately, kept as JSON: a list of 1,000 is answered by copying them. At most about
 * twice this many are kept (about 600 bytes each with their buffer and entry), so the cache stays
 * under 25 MB however many assets the state holds; an item read again after it was dropped is made
 * again, at about what serialising it cost before there was a cache.
 */
const listItems = new GenerationCache<AssetState, CachedItem>(20_000);

/** An asset's list item as JSON text (the bytes JSON.stringify makes of listItem), from the cache while it holds. */
function listItemJson(a: AssetState): Buffer {
  const c = listItems.get(a);
  if (c !== undefined && stillCurrent(c, a)) return c.json;
  const fresh = cachedItem(a);
  listItems.set(a, fresh);
  return fresh.json;
}

const versionView = (a: AssetState, v: AssetVersion): VersionView => ({ assetId: a.id, ...v });

/** Where an asset is addressed: by its name, with its group; `suffix` a path below it. */
export function assetLocation(a: Pick<AssetState, 'kind' | 'name' | 'group'>, suffix = ''): string {
  return `/api/v1/${a.kind}s/${encodeURIComponent(a.name)}${suffix}?group=${encodeURIComponent(a.group)}`;
}

const VISIBILITIES: readonly AssetVisibility[] = ['mine', 'shared', 'all'];

const groupQuery = (req: FastifyRequest): string | undefined => {
  const g = (req.query as Record<string, unknown> | undefined)?.group;
  return typeof g === 'string' ? g : undefined;
};

/** The core id of an asset named `name` in `group`, if the name is one (names.ts). */
export function assetIdIn(group: string, name: unknown): Result<string> {
  return scopedId('an asset', group, name, 'body.name');
}

/**
 * The asset of `kind` a URL names, as the caller sees it (names.ts resolveName); one of another
 * kind reads as missing.
 */
export function resolveAsset(
  p: Principal,
  state: Readonly<AssetsState>,
  kind: AssetKind,
  name: string,
  group?: string,
): Result<AssetState> {
  const viewer = assetViewer(p);
  return resolveName(
    {
      what: kind,
      inGroup: (g) => {
        const a = assetFor(state, viewer, assetIdOf(g, name));
        return a !== undefined && a.kind === kind && a.group === g && a.name === name ? a : undefined;
      },
      groups: () => state.byGroup.keys(),
      ambiguous: 'ambiguous-asset-name',
    },
    p.group,
    name,
    group,
  );
}

/** The list's filters from the query string, checked field by field (paging is pageQuery's). */
function listFilter(kind: AssetKind, p: Principal, q: Record<string, unknown>): Result<AssetFilter> {
  const issues: { path: string; expected: string; actual: string }[] = [];
  const str = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : undefined);
  const visibility = (str('visibility') ?? 'all') as AssetVisibility;
  if (!VISIBILITIES.includes(visibility)) {
    issues.push({ path: 'query.visibility', expected: 'one of mine, shared, all', actual: String(q.visibility) });
  }
  const archived = str('archived');
  if (archived !== undefined && archived !== 'true' && archived !== 'false') {
    issues.push({ path: 'query.archived', expected: 'true or false', actual: archived });
  }
  if (issues.length > 0) return bad(invalidInput(issues));
  const group = str('group');
  if (group !== undefined && group !== p.group && !isOperator(p)) {
    return bad(forbidden(`you may list only your own group's ${kind}s`));
  }
  const filter: { -readonly [K in keyof AssetFilter]: AssetFilter[K] } = { kind, visibility, archived: archived === 'true' };
  if (group !== undefined) filter.group = group;
  const tag = str('tag');
  if (tag !== undefined) filter.tag = tag;
  const owner = str('owner');
  if (owner !== undefined) filter.owner = owner;
  return good(filter);
}

/**
 * A lineage as a request gives it, its references qualified: an `assetId` without '/' is a name,
 * looked up in the group of the asset the version is recorded for. Anything else is left to the
 * codec to judge.
 */
function qualifiedLineage(lineage: unknown, group: string): unknown {
  if (lineage === null || typeof lineage !== 'object' || Array.isArray(lineage)) return lineage;
  const qualify = (ref: unknown) => {
    if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) return ref;
    const id = (ref as { assetId?: unknown }).assetId;
    return typeof id === 'string' && id !== '' && !id.includes('/') ? { ...ref, assetId: assetIdOf(group, id) } : ref;
  };
  const l = lineage as Record<string, unknown>;
  const out: Record<string, unknown> = { ...l };
  if ('workspace' in l) out.workspace = qualify(l.workspace);
  if ('model' in l) out.model = qualify(l.model);
  if (Array.isArray(l.datasets)) out.datasets = l.datasets.map(qualify);
  return out;
}

export function assetRoutes(ctx: HttpContext, kind: AssetKind) {
  const plural = `${kind}s`;
  const base = `/${plural}`;
  const one = `${base}/:name`;
  const tags = [plural];
  return async (app: FastifyInstance) => {
    const user = { access: 'user' as const };
    const engine = ctx.assets;
    const nameOf = (req: FastifyRequest) => params(req).name as string;

    /** The asset the URL names, if the caller may see it in `state`. */
    const visibleAsset = (req: FastifyRequest, state: Readonly<AssetsState> = engine.current) =>
      resolveAsset(req.principal, state, kind, nameOf(req), groupQuery(req));

    /** The asset the URL names, if the caller may change it: it is theirs, or they are an operator. */
    const ownAsset = (req: FastifyRequest): Result<AssetState> => {
      const a = visibleAsset(req);
      if (!a.ok || canChangeAsset(req.principal, a.value)) return a;
      return bad(forbidden(`${kind} '${a.value.name}' is ${a.value.owner}'s; only its owner or an operator may change it`));
    };

    /** The asset a command changed, as it stands now. */
    const changed = (fields: Readonly<Record<string, unknown>>): Result<AssetView> => {
      const a = engine.current.assets.get(fields.assetId as string);
      return a ? good(assetView(a)) : bad(notFound(`${kind} '${String(fields.assetId)}'`));
    };

    const nameParam = idParams('name');
    const scoped = { group: { type: 'string', description: 'the group the name is looked up in (default: yours)' } };

    app.get(
      base,
      {
        config: user,
        schema: {
          tags,
          summary: `List ${plural}, oldest first (a data scientist sees their group’s, an operator every group’s)`,
          description:
            'In pages: `limit` (default 100, at most 1000) from `offset`; `X-Total-Count` says how many match. Archived ones are listed only with `archived=true`.',
          querystring: timeTravelQuery({
            ...PAGE_QUERY,
            visibility: {
              type: 'string',
              enum: VISIBILITIES,
              default: 'all',
              description: `mine: yours; shared: your group’s of others; all: both`,
            },
            tag: { type: 'string' },
            owner: { type: 'string' },
            archived: { type: 'string', enum: ['true', 'false'], default: 'false', description: 'list the archived instead' },
            group: { type: 'string', description: 'an operator’s list of one group (a data scientist’s is their own)' },
          }),
          response: errors(400, 403),
        },
      },
      async (req, reply) => {
        const q = (req.query ?? {}) as Record<string, unknown>;
        const filter = listFilter(kind, req.principal, q);
        if (!filter.ok) return answer(reply, filter);
        const page = pageQuery(req);
        if (!page.ok) return answer(reply, page);
        const s = await stateOf(engine, req);
        if (!s.ok) return answer(reply, s);
        const { total, items } = listAssets(s.value, assetViewer(req.principal), filter.value, page.value);
        // The same JSON and headers as the route's serializer would send for items.map(listItem),
        // made of each item's cached text: the serializer would write them all out again.
        return reply
          .code(200)
          .header('x-total-count', String(total))
          .header('content-type', 'application/json; charset=utf-8')
          .send(jsonArray(items.map(listItemJson)));
      },
    );

    app.get(
      one,
      {
        config: user,
        schema: {
          tags,
          summary: `A ${kind} with its versions and their lineage (archived ones too)`,
          params: nameParam,
          querystring: timeTravelQuery(scoped),
          response: errors(400, 404, 409),
        },
      },
      readingFrom(engine, (state, req) => {
        const a = visibleAsset(req, state);
        return a.ok ? good(assetView(a.value)) : a;
      }),
    );

    app.get(
      `${one}/compare`,
      {
        config: user,
        schema: {
          tags,
          summary: `A ${kind}'s versions side by side by their metrics: one row per metric, a value per version (null where a version has none)`,
          params: nameParam,
          querystring: timeTravelQuery({
            ...scoped,
            versions: { type: 'string', description: 'comma-separated version numbers (default: all)' },
          }),
          response: errors(400, 404, 409),
        },
      },
      readingFrom(engine, (state, req) => {
        const a = visibleAsset(req, state);
        if (!a.ok) return a;
        const asked = (req.query as { versions?: unknown }).versions;
        const numbers =
          typeof asked === 'string' && asked !== ''
            ? asked.split(',').map((v) => Number(v.trim()))
            : a.value.versions.map((v) => v.version);
        const missing = numbers.filter((n) => !Number.isSafeInteger(n) || n < 1 || n > a.value.versions.length);
        if (missing.length > 0) {
          return bad(
            invalidInput([
              { path: 'query.versions', expected: `version numbers from 1 to ${a.value.versions.length}`, actual: String(asked) },
            ]),
          );
        }
        const versions = numbers.map((n) => a.value.versions[n - 1] as AssetVersion);
        const names = [...new Set(versions.flatMap((v) => Object.keys(v.metrics)))].sort();
        return good({
          assetId: a.value.id,
          versions: numbers,
          metrics: names.map((name) => ({ name, values: versions.map((v) => v.metrics[name] ?? null) })),
        });
      }),
    );

    app.get(
      `${one}/versions/:version`,
      {
        config: user,
        schema: {
          tags,
          summary: `One version of a ${kind}: what it pins, where it is, its metrics and lineage`,
          params: idParams('name', 'version'),
          querystring: timeTravelQuery(scoped),
          response: errors(400, 404, 409),
        },
      },
      readingFrom(engine, (state, req) => {
        const text = params(req).version as string;
        const n = Number(text);
        if (!/^[1-9]\d*$/.test(text) || !Number.isSafeInteger(n)) {
          return bad(invalidInput([{ path: 'path.version', expected: 'a version number (1, 2, ...)', actual: text }]));
        }
        const a = visibleAsset(req, state);
        if (!a.ok) return a;
        const v = a.value.versions[n - 1];
        return v ? good(versionView(a.value, v)) : bad(notFound(`version ${n} of ${kind} '${a.value.name}'`));
      }),
    );

    app.post(
      base,
      {
        config: user,
        schema: {
          tags,
          summary: `Create a ${kind} in your group (an operator may name the group and the owner)`,
          description:
            'A source names its credentials (`credentials`), never carries them: a URL with a user and password is refused. `name` is unique in the group.',
          body: codecBody(assetCommandCodecs.CreateAsset, { omit: ['kind'], optional: ['group', 'owner'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409, 413),
        },
      },
      commandRoute(
        ctx,
        'CreateAsset',
        [],
        (_req, fields, reply) => {
          const a = engine.current.assets.get(assetIdOf(fields.group as string, fields.name as string));
          if (!a) return bad(notFound(`${kind} '${String(fields.name)}'`));
          reply.header('location', assetLocation(a));
          return good(assetView(a));
        },
        201,
        {
          engine,
          fields: (req, body) => {
            const p = req.principal;
            const owner = body.owner ?? p.userId;
            if (!isOperator(p) && owner !== p.userId) return bad(forbidden(`you may create ${plural} only as their owner`));
            if (!isOperator(p) && body.group !== undefined && body.group !== p.group) {
              return bad(forbidden(`you may create ${plural} only in your own group`));
            }
            const cluster = ctx.engine.current;
            const ownerGroup = typeof owner === 'string' ? cluster.users.get(owner)?.group : undefined;
            const group = body.group ?? ownerGroup ?? p.group;
            // A group or owner that is no id is left to the codec, which names the field.
            if (!Id.is(group) || !Id.is(owner)) return good({ kind, owner, group });
            const id = assetIdIn(group, body.name);
            if (!id.ok) return id;
            if (!cluster.groups.has(group)) return bad(notFound(`group '${group}'`));
            if (!cluster.users.has(owner)) return bad(notFound(`user '${owner}'`));
            return good({ kind, group, owner });
          },
        },
      ),
    );

    app.patch(
      one,
      {
        config: user,
        schema: {
          tags,
          summary: `Describe a ${kind}: description, tags, private (its owner or an operator)`,
          params: nameParam,
          querystring: { type: 'object', properties: scoped },
          body: codecBody(assetCommandCodecs.UpdateAsset, { omit: ['assetId'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409, 413),
        },
      },
      commandRoute(ctx, 'UpdateAsset', [], (_req, fields) => changed(fields), 200, {
        engine,
        fields: (req) => {
          const a = ownAsset(req);
          return a.ok ? good({ assetId: a.value.id }) : a;
        },
      }),
    );

    app.post(
      `${one}/versions`,
      {
        config: user,
        schema: {
          tags,
          summary: `Record a version of a ${kind}: what it pins, where it is, the metrics and lineage of the job that made it`,
          description:
            'Anyone who may see the asset records versions of it, as themselves (`by`; an operator may name another user). A lineage names versions `{ assetId, version }`, by the asset’s id or its name alone (looked up in this asset’s group); they must be in this group, visible to `by`.',
          params: nameParam,
          querystring: { type: 'object', properties: scoped },
          body: codecBody(assetCommandCodecs.RecordAssetVersion, { omit: ['assetId'], optional: ['by'] }),
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409, 413),
        },
      },
      commandRoute(
        ctx,
        'RecordAssetVersion',
        [],
        async (_req, fields, reply, done) => {
          const a = engine.current.assets.get(fields.assetId as string);
          const number = await recordedVersion(done);
          const v = number === undefined ? undefined : a?.versions[number - 1];
          if (!a || !v) return bad(notFound(`${kind} '${String(fields.assetId)}'`));
          reply.header('location', assetLocation(a, `/versions/${v.version}`));
          return good(versionView(a, v));
        },
        201,
        {
          engine,
          fields: (req, body) => {
            const p = req.principal;
            const a = visibleAsset(req);
            if (!a.ok) return a;
            const by = body.by ?? p.userId;
            if (!isOperator(p) && by !== p.userId) return bad(forbidden('you may record versions only as yourself'));
            const fields: Record<string, unknown> = { assetId: a.value.id, by };
            if (body.lineage !== undefined) fields.lineage = qualifiedLineage(body.lineage, a.value.group);
            return good(fields);
          },
        },
      ),
    );

    app.post(
      `${one}/archive`,
      {
        config: user,
        schema: {
          tags,
          summary: `Archive a ${kind}: gone from lists and from new work, its versions still read (its owner or an operator)`,
          params: nameParam,
          querystring: { type: 'object', properties: scoped },
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      commandRoute(ctx, 'ArchiveAsset', [], (_req, fields) => changed(fields), 200, {
        engine,
        fields: (req) => {
          const a = ownAsset(req);
          return a.ok ? good({ assetId: a.value.id }) : a;
        },
      }),
    );

    app.delete(
      one,
      {
        config: user,
        schema: {
          tags,
          summary: `Delete a ${kind} nothing was made from (its owner or an operator); 409 in-use otherwise: archive it`,
          params: nameParam,
          querystring: { type: 'object', properties: scoped },
          headers: idempotencyHeader,
          response: errors(400, 403, 404, 409),
        },
      },
      commandRoute(ctx, 'DeleteAsset', [], () => good(null), 204, {
        engine,
        fields: (req) => {
          const a = ownAsset(req);
          return a.ok ? good({ assetId: a.value.id }) : a;
        },
      }),
    );

    /** The number of the version a RecordAssetVersion made: from its event, or for a replay the first request's. */
    async function recordedVersion(done: Done): Promise<number | undefined> {
      const made = (events: readonly unknown[]) =>
        (events as readonly AssetEvent[]).find((e) => e.type === 'AssetVersionRecorded') as
          | (AssetEvent & { type: 'AssetVersionRecorded' })
          | undefined;
      if (!done.duplicate) return made(done.events)?.version;
      const stored = await engine.eventsFrom(done.first, done.last - done.first + 1);
      return made(stored.map((s) => s.event))?.version;
    }
  };
}
