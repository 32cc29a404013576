/**
 * A fake Kubernetes API server for tests: plain HTTP on 127.0.0.1, speaking what kubectl 1.32,
 * @kubernetes/client-node 1.4 and the Python client actually send and accept (the facts are in
 * the shared design note "kubernetes-wire").
 *
 *   const api = await FakeApiServer.start();
 *   // ... point a client at api.url, or use api.create/get/list/patch/delete in-process ...
 *   await api.close();
 *
 * Served: `/version` (minor 32, which makes the kubectl dispatcher pick kubectl 1.32), legacy
 * discovery, CRUD/list/watch for every kind in `resources.ts` at their real URLs, the pod
 * `status`/`binding`/`eviction`/`log` subresources and `status` of the other kinds, the four PATCH
 * content types, delete options from the body or the query string, and Tables for kubectl's
 * human-readable output (`table.ts`). `/openapi/*` answers 404, so kubectl `create`/`apply` need
 * `--validate=false`. No authentication: kubectl sends no token over plain http.
 *
 * Storage and write rules are in `store.ts`; one watch stream is `watch.ts`. This file adds the
 * HTTP routing plus what tests need around it: fault injection (`failNext`), request counters
 * (`stats`), the number of open watches, and `expireWatches()` to end every watch with an
 * in-stream 410 ERROR.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PATCH_CONTENT_TYPES } from './patch.js';
import {
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersionOf,
  apiVersions,
  type Json,
  type K8sObject,
  type ResourceType,
  resolveType,
  typeAt,
} from './resources.js';
import { parseSelectors } from './selectors.js';
import { ApiError, badRequest, expired, failure, notFound, reasonForCode, type Status, success } from './status.js';
import { type DeleteOptions, ObjectStore, type StoreEvent, type StoreOptions } from './store.js';
import { toTable, wantsTable } from './table.js';
import { WatchStream } from './watch.js';

export interface FakeApiServerOptions extends StoreOptions {
  /** Port to listen on (default 0: an ephemeral port). */
  port?: number;
  /** BOOKMARK interval for watches that ask for bookmarks (default 1000 ms). */
  bookmarkIntervalMs?: number;
  /** Watches without `timeoutSeconds` end after between half of this and this (default 30,000 ms). */
  watchTimeoutMs?: number;
}

/** A fault `failNext` injects: the next matching requests get this status instead of an answer. */
export interface InjectedFault {
  /** HTTP status to answer, e.g. 500 or 429. */
  status: number;
  reason?: string;
  message?: string;
  /** Only requests with this verb: get, list, watch, create, update, patch, delete, deletecollection, discovery. */
  verb?: string;
  /** Only requests with this HTTP method. */
  method?: string;
  /** Only requests whose path (without the query) contains this string or matches this pattern. */
  path?: string | RegExp;
  /** Sets `Retry-After` and `details.retryAfterSeconds` (429s usually carry it). */
  retryAfterSeconds?: number;
}

/** Go's strconv.ParseBool: the Python client sends `watch=True`. */
export function parseBool(value: string | null | undefined): boolean {
  return value === '1' || value === 't' || value === 'T' || value === 'true' || value === 'TRUE' || value === 'True';
}

interface Route {
  verb: string;
  type?: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendStatus(res: ServerResponse, status: Status, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(status);
  res.writeHead(status.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): Json {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`json: cannot parse the request body: ${(error as Error).message}`);
  }
}

function numberParam(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw badRequest(`invalid number "${value}"`);
  return n;
}

/** `/api/v1/namespaces/{ns}/pods/{name}[:{port}]/proxy[/{path}]` */
const POD_PROXY = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/proxy(\/.*)?$/;

const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export class FakeApiServer extends ObjectStore {
  private server: Server | undefined;
  private baseUrl = '';
  private readonly watches = new Map<ResourceType, Set<WatchStream>>();
  private readonly faults: { remaining: number; fault: InjectedFault }[] = [];
  private readonly counters = new Map<string, number>();
  private readonly bookmarkIntervalMs: number;
  private readonly watchTimeoutMs: number;

  private constructor(private readonly options: FakeApiServerOptions) {
    super(options);
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1000;
    this.watchTimeoutMs = options.watchTimeoutMs ?? 30_000;
  }

  /** Starts a server on 127.0.0.1 with `default` and `kube-system` namespaces. */
  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const api = new FakeApiServer(options);
    await api.listen();
    return api;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return this.baseUrl;
  }

  /** Watch streams currently open. */
  get openWatches(): number {
    let n = 0;
    for (const set of this.watches.values()) n += set.size;
    return n;
  }

  /**
   * Sends every open watch an in-stream ERROR 410 Expired and ends it (the way a real server
   * reports a compacted history mid-stream). Returns how many watches it ended.
   */
  expireWatches(): number {
    const streams = [...this.watches.values()].flatMap((s) => [...s]);
    for (const stream of streams) stream.fail(expired(String(this.resourceVersion - 1), this.resourceVersion));
    return streams.length;
  }

  /**
   * Ends every open watch normally (as when an API server restarts or a watch times out):
   * clients re-watch from the last resourceVersion they saw. Returns how many it ended.
   */
  closeWatches(): number {
    const streams = [...this.watches.values()].flatMap((s) => [...s]);
    for (const stream of streams) stream.end();
    return streams.length;
  }

  /**
   * The next `count` HTTP requests that match `fault` get its status instead of an answer;
   * a bare number fails any request with that status: `failNext(3, 500)`.
   */
  failNext(count: number, fault: InjectedFault | number): void {
    this.faults.push({ remaining: count, fault: typeof fault === 'number' ? { status: fault } : fault });
  }

  /** Drops faults that have not fired yet. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /**
   * HTTP requests served so far, by `<verb> <resource>`: `list pods`, `watch pods`, `get nodes`,
   * `patch jobs/status`, `create pods/binding`, `discovery` ... (injected faults count too).
   */
  stats(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  resetStats(): void {
    this.counters.clear();
  }

  /** Ends all watches and connections and stops listening. */
  async close(): Promise<void> {
    for (const set of this.watches.values()) for (const stream of [...set]) stream.end();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  protected override committed(event: StoreEvent): void {
    const set = this.watches?.get(event.resource); // undefined while the base constructor seeds namespaces
    if (set) for (const stream of set) stream.deliver(event);
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        if (!res.headersSent) sendStatus(res, failure(500, 'InternalError', String(error)));
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    try {
      const proxy = POD_PROXY.exec(url.pathname);
      if (proxy) {
        const counter = 'get pods/proxy';
        this.counters.set(counter, (this.counters.get(counter) ?? 0) + 1);
        if (this.injectFault(req, url, { verb: 'get' }, res)) return;
        return this.servePodProxy(res, req.method ?? 'GET', proxy);
      }
      const route = this.route(req.method ?? 'GET', url);
      const counter = route.type
        ? `${route.verb} ${route.type.plural}${route.subresource ? `/${route.subresource}` : ''}`
        : route.verb;
      this.counters.set(counter, (this.counters.get(counter) ?? 0) + 1);
      if (this.injectFault(req, url, route, res)) return;
      await this.serve(req, res, url, route, body);
    } catch (error) {
      if (error instanceof ApiError) sendStatus(res, error.status);
      else throw error;
    }
  }

  private injectFault(req: IncomingMessage, url: URL, route: Route, res: ServerResponse): boolean {
    const at = this.faults.findIndex(({ fault: f }) => {
      if (f.verb && f.verb !== route.verb) return false;
      if (f.method && f.method.toUpperCase() !== req.method) return false;
      if (typeof f.path === 'string' && !url.pathname.includes(f.path)) return false;
      if (f.path instanceof RegExp && !f.path.test(url.pathname)) return false;
      return true;
    });
    if (at < 0) return false;
    const entry = this.faults[at]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.faults.splice(at, 1);
    const { status, retryAfterSeconds } = entry.fault;
    const reason = entry.fault.reason ?? reasonForCode(status);
    const message = entry.fault.message ?? `injected fault: ${reason}`;
    const details = retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined;
    sendStatus(
      res,
      failure(status, reason, message, details),
      retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {},
    );
    return true;
  }

  /** What a request asks for; throws 404/405 Status for paths and methods that are not served. */
  private route(method: string, url: URL): Route {
    const parts = url.pathname.split('/').filter((p) => p.length > 0);
    const notServed = () => new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource'));
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      if (parts.length <= 2) return { verb: 'discovery' };
      group = '';
      version = parts[1]!;
      rest = parts.slice(2);
    } else if (parts[0] === 'apis') {
      if (parts.length <= 3) return { verb: 'discovery' };
      group = parts[1]!;
      version = parts[2]!;
      rest = parts.slice(3);
    } else return { verb: 'other' };
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && typeAt(group, version, rest[2]!)) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, subresource, ...extra] = rest as [string, string?, string?, ...string[]];
    const type = typeAt(group, version, plural);
    if (!type || extra.length > 0 || (namespace !== undefined && !type.namespaced)) throw notServed();
    if (subresource && !type.subresources.some((s) => s.name === subresource)) throw notServed();
    const collection = name === undefined;
    let verb: string;
    switch (method) {
      case 'GET':
        verb = collection ? (parseBool(url.searchParams.get('watch')) ? 'watch' : 'list') : 'get';
        break;
      case 'POST':
        verb = 'create';
        break;
      case 'PUT':
        verb = 'update';
        break;
      case 'PATCH':
        verb = 'patch';
        break;
      case 'DELETE':
        verb = collection ? 'deletecollection' : 'delete';
        break;
      default:
        throw new ApiError(failure(405, 'MethodNotAllowed', `${method} is not supported`));
    }
    return {
      verb,
      type,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name ? { name } : {}),
      ...(subresource ? { subresource } : {}),
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL, route: Route, body: string): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '');
    if (route.verb === 'other') {
      if (path === '/version') return send(res, 200, VERSION);
      if (path === '/healthz' || path === '/livez' || path === '/readyz') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return void res.end('ok');
      }
      throw new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource'));
    }
    if (route.verb === 'discovery') return this.serveDiscovery(res, path, req.headers.host ?? '127.0.0.1');
    const t = route.type!;
    const q = url.searchParams;
    const ns = t.namespaced ? route.namespace : undefined;
    const sub = route.subresource;
    const method = req.method;
    if (route.name === undefined) {
      const table = wantsTable(req.headers.accept);
      if (route.verb === 'watch') return this.serveWatch(res, t, ns, q, table);
      if (route.verb === 'list') return this.serveList(res, t, ns, q, table);
      if (route.verb === 'create') return send(res, 201, this.createIn(t, ns, parseJson(body)));
      if (route.verb === 'deletecollection') {
        const options = this.deleteOptions(q, body);
        const items = this.select(t, ns, parseSelectors(q.get('labelSelector'), q.get('fieldSelector'))).map(
          (o) => this.deleteObject(t, o.metadata.namespace, o.metadata.name!, options).object,
        );
        return send(res, 200, {
          kind: `${t.kind}List`,
          apiVersion: apiVersionOf(t),
          metadata: { resourceVersion: String(this.resourceVersion) },
          items,
        });
      }
    }
    const name = route.name!;
    if (sub === 'log' && method === 'GET') {
      if (!this.find(t, ns, name)) throw notFound(t, name);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const log = this.podLog(ns ?? 'default', name, q.get('container') ?? undefined);
      const tail = q.get('tailLines');
      const limit = q.get('limitBytes');
      const lines = Buffer.from(tail === null ? log : lastLines(log, Number(tail)), 'utf8');
      return void res.end(limit === null ? lines : lines.subarray(0, Number(limit)));
    }
    if (sub === 'binding' && method === 'POST') {
      const binding = parseJson(body);
      const node = binding?.target?.name;
      if (!node) throw badRequest('a Binding needs target.name');
      const pod = this.bind(ns ?? 'default', name, node);
      return send(res, 201, success(t, name, pod.metadata.uid));
    }
    if (sub === 'eviction' && method === 'POST') {
      const eviction = body ? parseJson(body) : {};
      const pod = this.deleteObject(t, ns, name, eviction?.deleteOptions ?? {}).object;
      return send(res, 201, success(t, name, pod.metadata.uid));
    }
    if (sub !== undefined && sub !== 'status')
      throw new ApiError(failure(405, 'MethodNotAllowed', `${method} is not supported on ${sub}`));
    switch (method) {
      case 'GET': {
        const obj = this.find(t, ns, name);
        if (!obj) throw notFound(t, name);
        if (sub === undefined && wantsTable(req.headers.accept))
          return send(res, 200, toTable(t, [obj], obj.metadata.resourceVersion!));
        return send(res, 200, obj);
      }
      case 'PUT':
        return send(res, 200, this.replace(t, ns, name, parseJson(body), sub));
      case 'PATCH': {
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        const type = PATCH_CONTENT_TYPES[contentType];
        if (!type)
          throw new ApiError(
            failure(
              415,
              'UnsupportedMediaType',
              `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_CONTENT_TYPES).join(', ')}`,
            ),
          );
        const { object, created } = this.patchObject(t, ns, name, parseJson(body), type, sub);
        return send(res, created ? 201 : 200, object);
      }
      case 'DELETE': {
        const { object, removed } = this.deleteObject(t, ns, name, this.deleteOptions(q, body));
        if (t.plural === 'pods' || !removed) return send(res, 200, object);
        return send(res, 200, success(t, name, object.metadata.uid));
      }
    }
    throw new ApiError(failure(405, 'MethodNotAllowed', `${method} is not supported`));
  }

  /**
   * `GET /api/v1/namespaces/{ns}/pods/{name}[:{port}]/proxy/{path}`: what the pod serves there
   * (`setPodHttp`, set by the kubelet simulator while the pod runs); 503 when it serves nothing, as
   * an API server answers when it cannot reach the pod; 404 for a path the pod does not serve.
   */
  private servePodProxy(res: ServerResponse, method: string, match: RegExpExecArray): void {
    if (method !== 'GET') throw new ApiError(failure(405, 'MethodNotAllowed', `${method} is not supported on pods/proxy`));
    const t = resolveType('pods');
    const namespace = decodeURIComponent(match[1] as string);
    const target = decodeURIComponent(match[2] as string);
    const colon = target.lastIndexOf(':');
    const name = colon < 0 ? target : target.slice(0, colon);
    const port = colon < 0 ? '80' : target.slice(colon + 1);
    const path = (match[3] ?? '')
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p))
      .join('/');
    if (!this.find(t, namespace, name)) throw notFound(t, name);
    const responses = this.podHttpResponses(namespace, name);
    if (!responses) {
      throw new ApiError(
        failure(
          503,
          'ServiceUnavailable',
          `error trying to reach service: dial tcp ${name}:${port}: connect: connection refused`,
        ),
      );
    }
    const answer = responses.get(`${port}/${path}`);
    if (answer === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return void res.end('404 page not found\n');
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(answer);
  }

  private serveDiscovery(res: ServerResponse, path: string, host: string): void {
    const parts = path.split('/').filter((p) => p.length > 0);
    let doc: Json | undefined;
    if (path === '/api') doc = apiVersions(host);
    else if (path === '/apis') doc = apiGroupList();
    else if (parts[0] === 'api' && parts.length === 2) doc = apiResourceList('', parts[1]!);
    else if (parts[0] === 'apis' && parts.length === 2) doc = apiGroupDocument(parts[1]!);
    else if (parts[0] === 'apis' && parts.length === 3) doc = apiResourceList(parts[1]!, parts[2]!);
    if (!doc) throw new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource'));
    send(res, 200, doc);
  }

  private serveList(res: ServerResponse, t: ResourceType, ns: string | undefined, q: URLSearchParams, table: boolean): void {
    const items = this.select(t, ns, parseSelectors(q.get('labelSelector'), q.get('fieldSelector')));
    items.sort((a, b) => {
      const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
      const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    let start = 0;
    const token = q.get('continue');
    if (token) {
      const after = Buffer.from(token, 'base64url').toString('utf8');
      start = items.findIndex((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > after);
      if (start < 0) start = items.length;
    }
    const limit = numberParam(q.get('limit'));
    const end = limit && limit > 0 ? Math.min(items.length, start + limit) : items.length;
    const page = items.slice(start, end);
    const metadata: Json = { resourceVersion: String(this.resourceVersion) };
    if (end < items.length) {
      const last = page[page.length - 1]!;
      metadata.continue = Buffer.from(`${last.metadata.namespace ?? ''}/${last.metadata.name}`).toString('base64url');
      metadata.remainingItemCount = items.length - end;
    }
    if (table) send(res, 200, { ...toTable(t, page, metadata.resourceVersion), metadata });
    else send(res, 200, { kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata, items: page });
  }

  private serveWatch(res: ServerResponse, t: ResourceType, ns: string | undefined, q: URLSearchParams, table: boolean): void {
    const selector = parseSelectors(q.get('labelSelector'), q.get('fieldSelector'));
    const from = q.get('resourceVersion') ?? '';
    let backlog: StoreEvent[] | undefined;
    let initial: K8sObject[] = [];
    if (from === '' || from === '0') initial = this.select(t, ns, selector);
    else {
      const rv = Number(from);
      if (!Number.isInteger(rv)) throw badRequest(`invalid resourceVersion "${from}"`);
      backlog = this.eventsSince(rv);
      if (!backlog) {
        sendStatus(res, expired(from, this.resourceVersion));
        return;
      }
    }
    const timeoutSeconds = numberParam(q.get('timeoutSeconds'));
    const timeoutMs =
      timeoutSeconds !== undefined && timeoutSeconds > 0
        ? timeoutSeconds * 1000
        : this.watchTimeoutMs * (0.5 + Math.random() * 0.5);
    let set = this.watches.get(t);
    if (!set) this.watches.set(t, (set = new Set()));
    const streams = set;
    const stream = new WatchStream(
      res,
      {
        type: t,
        namespace: ns,
        selector,
        ...(table ? { render: (obj: K8sObject, first: boolean) => toTable(t, [obj], obj.metadata.resourceVersion!, first) } : {}),
      },
      {
        timeoutMs,
        bookmarkIntervalMs: parseBool(q.get('allowWatchBookmarks')) ? this.bookmarkIntervalMs : undefined,
        currentResourceVersion: () => this.resourceVersion,
      },
      (s) => streams.delete(s),
    );
    stream.sendInitial(initial);
    for (const event of backlog ?? []) stream.deliver(event);
    if (stream.isOpen) streams.add(stream);
  }

  private deleteOptions(q: URLSearchParams, body: string): DeleteOptions {
    const fromBody: Json = body.trim() ? parseJson(body) : {};
    const options: DeleteOptions = {};
    const grace = numberParam(q.get('gracePeriodSeconds')) ?? fromBody?.gracePeriodSeconds;
    if (grace !== undefined && grace !== null) options.gracePeriodSeconds = Number(grace);
    const propagation = q.get('propagationPolicy') ?? fromBody?.propagationPolicy;
    const orphan = q.get('orphanDependents') ?? fromBody?.orphanDependents;
    if (propagation) options.propagationPolicy = propagation;
    else if (orphan === true || parseBool(orphan)) options.propagationPolicy = 'Orphan';
    if (fromBody?.preconditions) options.preconditions = fromBody.preconditions;
    return options;
  }
}

/** A log's last `n` lines, as the API server's `tailLines` gives them (each with its newline). */
function lastLines(log: string, n: number): string {
  const lines = log.split(/(?<=\n)/);
  return lines.slice(Math.max(0, lines.length - n)).join('');
}
