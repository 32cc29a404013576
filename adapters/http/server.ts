/**
 * The HTTP server: fastify with the API under /api/v1, the OpenAPI document and its UI at /docs,
 * and the probes and metrics at the root. Each part is an encapsulated plugin; this file wires
 * them and owns what is shared: authentication, errors as problem details, and shutdown.
 *
 * Validation is the core's: fastify's own validator is switched off and every command is decoded
 * by the core's io-ts codecs, which also generate the request schemas of the OpenAPI document.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { ASSETS_STREAM, assetsDecider } from '../../core/assets/assets-decider.js';
import { ASSET_KINDS } from '../../core/assets/model.js';
import { NAME_MAX_LENGTH } from '../../core/codec.js';
import { EXPERIMENTS_STREAM, experimentsDecider } from '../../core/experiments/experiments-decider.js';
import { PIPELINES_STREAM, pipelinesDecider } from '../../core/pipelines/pipelines-decider.js';
import { createDeciderEngine, type Engine } from '../../engine/engine.js';
import { Forecaster, type ForecasterOptions } from '../forecast/forecaster.js';
import { type AssetsEngine, type ExperimentsEngine, type HttpContext, type PipelinesEngine, pastTimeOf } from './context.js';
import { IdempotencyKeys } from './idempotency.js';
import type { JobLogSource } from './job-logs.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import { problemSchema, successResponse } from './openapi.js';
import { forbidden, invalidInput, ProblemError, problem, rawProblemResponse, sendProblem } from './problem.js';
import { assetRoutes } from './routes/assets.js';
import { builtDashboard, dashboardRoutes } from './routes/dashboard.js';
import { eventRoutes, type StreamOptions } from './routes/events.js';
import { experimentRoutes } from './routes/experiments.js';
import { forecastRoutes } from './routes/forecast.js';
import { groupRoutes } from './routes/groups.js';
import { jobRoutes } from './routes/jobs.js';
import { metricRoutes } from './routes/metrics.js';
import { nodeRoutes } from './routes/nodes.js';
import { opsRoutes } from './routes/ops.js';
import { pipelineRunRoutes } from './routes/pipeline-runs.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { poolRoutes } from './routes/pools.js';
import { usageRoutes } from './routes/usage.js';
import { userRoutes } from './routes/users.js';
import { type TokenRegistry, tokenHolds } from './tokens.js';

export interface ServerOptions {
  readonly engine: Engine;
  /**
   * Workspaces, datasets and models: the assets engine (core/assets) on its own stream. Absent,
   * the server loads one on the cluster engine's store and clock, and closes it with itself; one
   * given is the caller's to follow and close (`gpupool serve` does both).
   */
  readonly assets?: AssetsEngine;
  /** Tuning experiments (core/experiments): as `assets`, loaded beside the engine when absent. */
  readonly experiments?: ExperimentsEngine;
  /** Pipelines (core/pipelines): as `assets`, loaded beside the engine when absent. */
  readonly pipelines?: PipelinesEngine;
  readonly tokens: TokenRegistry;
  /** Metrics whose observer the engine was created with; default: fresh (no pass/append timings). */
  readonly metrics?: ServerMetrics;
  /** Largest request body in bytes (default 1 MiB); larger is answered 413. */
  readonly bodyLimit?: number;
  readonly logger?: FastifyServerOptions['logger'];
  readonly newJobId?: () => string;
  /**
   * A bearer token `/metrics` requires (`gpupool serve` reads GPUPOOL_METRICS_TOKEN); absent,
   * `/metrics` is public, like the probes.
   */
  readonly metricsToken?: string;
  /** Milliseconds to receive a request's headers (default 10 s); then 408 and the connection closes. */
  readonly headersTimeout?: number;
  /** Milliseconds to receive a whole request, body included (default 30 s; 0: no limit); then 408. */
  readonly requestTimeout?: number;
  /**
   * Milliseconds a connection may stay silent, neither side sending (default 120 s; 0: no limit):
   * then it is closed. Event streams send a keep-alive comment every 15 s, so they stay open.
   */
  readonly connectionTimeout?: number;
  /** Event stream limits: streams per user, buffer per stream (see routes/events.ts). */
  readonly streams?: StreamOptions;
  /**
   * The built web dashboard's folder, served at `/`: by default this package's (dist/web, when
   * built); null: none, and `/` says how to build it (routes/dashboard.ts).
   */
  readonly dashboard?: string | null;
  /** Forecasts (routes/forecast.ts): in a worker thread by default; the typical durations they assume. */
  readonly forecast?: ForecasterOptions;
  /** Jobs' logs, from the runtime that runs them (Kubernetes: adapters/k8s/logs.ts); default none (the simulated runtime). */
  readonly logs?: JobLogSource;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 120_000;

/**
 * Texts a JSON number may overflow to infinity in: a 3-digit exponent or 309 digits. Only a body
 * that matches is walked for the infinities JSON.parse makes of them.
 */
const MAY_OVERFLOW = /[eE]\+?\d{3}|\d{309}/;

/** The path (`body.a.0.b`) of the first non-finite number in a parsed JSON value; no recursion. */
function nonFinitePath(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, 'body']];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, path] = top;
    if (typeof v === 'number' && !Number.isFinite(v)) return path;
    if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) stack.push([c, `${path}.${k}`]);
  }
  return undefined;
}

/** A route as registered: its method, its URL pattern, and who may call it. */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly access: 'public' | 'user' | 'operator';
}

const registered = new WeakMap<FastifyInstance, readonly RegisteredRoute[]>();

/**
 * Every route a server built by `buildServer` registered, in order: the API's, the probes', the
 * documentation's, and the HEAD routes fastify adds for GETs. Tests hold tables of expectations
 * against it, so a route without a row is noticed.
 */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return registered.get(app) ?? [];
}

/**
 * An assets engine on the cluster engine's store and clock, loaded, for a server given none. The
 * engine keeps both private; they are read by name here until it offers them.
 */
function assetsEngineBeside(engine: Engine): Promise<AssetsEngine> {
  return createDeciderEngine(assetsDecider, { store: engine.store, clock: engine.clock, stream: ASSETS_STREAM });
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const requestTimeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node requires the headers' time to fit in the request's.
  const headersTimeout = Math.min(
    options.headersTimeout ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeout > 0 ? requestTimeout : Number.POSITIVE_INFINITY,
  );
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout,
    connectionTimeout: options.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    http: {
      headersTimeout,
      // Node looks for requests past their time this often (its default, 30 s, would let a slow
      // client hold a socket up to 30 s past its limit).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(headersTimeout, requestTimeout || 1000) / 2))),
    },
    // Errors the HTTP parser meets before any request exists (headers too large, not HTTP, too
    // slow) are problems too, written on the socket, which then closes.
    clientErrorHandler: (err: Error & { code?: string }, socket: Socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const p =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? problem(
              408,
              'request-timeout',
              `the request was not received in time (headers within ${headersTimeout} ms, the whole request within ${requestTimeout} ms)`,
            )
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? problem(431, 'headers-too-large', 'the request headers are larger than the server accepts (16 KiB)')
            : problem(400, 'invalid-input', `the request is not valid HTTP/1.1 (${err.code ?? err.message})`);
      if (socket.writable) socket.end(rawProblemResponse(p, STATUS_CODES[p.status] ?? 'Error'));
      socket.destroySoon();
    },
    // An id is as long as a name may be (NAME_MAX_LENGTH): the router must let
    // one through to its route (fastify's default stops at 100, and a longer id could be created
    // but never read or stopped).
    routerOptions: { maxParamLength: NAME_MAX_LENGTH },
    // What the router refuses before any route runs is answered as a problem too.
    frameworkErrors: (err, _req, reply) => {
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        return sendProblem(
          reply,
          problem(414, 'uri-too-long', `a path segment is longer than any id (${NAME_MAX_LENGTH} characters)`),
        );
      }
      if (err.code === 'FST_ERR_BAD_URL') {
        return sendProblem(reply, problem(400, 'invalid-input', `the URL is not valid: ${err.message}`));
      }
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      return sendProblem(reply, problem(status, status === 500 ? 'internal-error' : 'bad-request', err.message));
    },
  });
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, access: route.config?.access ?? 'public' });
    // The document declares every operation's success (the routes declare their errors).
    const method = [route.method].flat()[0] as string;
    if (route.schema && !route.schema.hide) {
      const response = (route.schema.response ?? {}) as Record<string, unknown>;
      if (!Object.keys(response).some((s) => s.startsWith('2'))) {
        route.schema = { ...route.schema, response: { ...successResponse(method, route.url), ...response } };
      }
    }
  });
  const assets = options.assets ?? (await assetsEngineBeside(options.engine));
  if (!options.assets) app.addHook('onClose', () => assets.close());
  const experiments =
    options.experiments ??
    (await createDeciderEngine(experimentsDecider, {
      store: options.engine.store,
      clock: options.engine.clock,
      stream: EXPERIMENTS_STREAM,
    }));
  if (!options.experiments) app.addHook('onClose', () => experiments.close());
  const pipelines =
    options.pipelines ??
    (await createDeciderEngine(pipelinesDecider, {
      store: options.engine.store,
      clock: options.engine.clock,
      stream: PIPELINES_STREAM,
    }));
  if (!options.pipelines) app.addHook('onClose', () => pipelines.close());
  const ctx: HttpContext = {
    engine: options.engine,
    assets,
    experiments,
    pipelines,
    tokens: options.tokens,
    keys: new IdempotencyKeys(options.engine, assets, experiments, pipelines),
    newJobId: options.newJobId ?? randomUUID,
  };
  const forecaster = new Forecaster(options.engine, options.forecast);
  app.addHook('onClose', () => forecaster.close());
  const metrics = options.metrics ?? createMetrics();
  metrics.bind(options.engine);
  let closing = false;
  const streams = new Set<() => void>();

  // One source of validation (the codecs) and plain JSON out: route schemas only document.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addSchema(problemSchema);
  // JSON as fastify parses it (prototype-poisoning keys refused), except that an empty body is no
  // body (`curl -H 'content-type: application/json' -X POST .../stop` is a fair request), and a
  // number too large for a double (1e309) is refused by name, not read as Infinity (which every
  // later message would print as null). Bodies are JSON only: text/plain is 415.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (text === '') return done(null, undefined);
    json(req, text, (err, value) => {
      const path = err || !MAY_OVERFLOW.test(text) ? undefined : nonFinitePath(value);
      if (path === undefined) return done(err, value);
      done(
        new ProblemError(
          invalidInput([{ path, expected: 'a finite number', actual: 'a number out of range (too large for a double)' }]),
        ),
        undefined,
      );
    });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'gpupool',
        version: '1',
        description:
          'GPU pools, groups and jobs, and the workspaces, datasets and models they use. Authenticate with `Authorization: Bearer <token>`. Errors are application/problem+json. Every read takes `asOf` (an event revision) or `asOfTime` to look at the past.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      tags: [
        'jobs',
        ...ASSET_KINDS.map((kind) => `${kind}s`),
        'experiments',
        'pipelines',
        'pipeline-experiments',
        'pipeline-runs',
        'recurring-runs',
        'pools',
        'groups',
        'users',
        'nodes',
        'events',
        'operations',
      ].map((name) => ({ name })),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.addHook('onRequest', async (req, reply) => {
    // A parameter given twice would be read as one of its values or neither: refuse it by name.
    const query = (req.query ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(query)) {
      if (Array.isArray(value)) {
        return sendProblem(
          reply,
          invalidInput([{ path: `query.${name}`, expected: 'a single value', actual: `${value.length} values` }]),
        );
      }
    }
    const access = req.routeOptions.config?.access ?? 'public';
    if (access === 'public') return;
    const header = req.headers.authorization;
    const token = typeof header === 'string' && /^Bearer [^\s]+$/i.test(header) ? header.slice(7) : undefined;
    if (!token) return sendProblem(reply, problem(401, 'unauthenticated', 'send an API token: Authorization: Bearer <token>'));
    const info = await ctx.tokens.verify(token);
    const user = info ? ctx.engine.current.users.get(info.userId) : undefined;
    // A token holds only for the incarnation of its user it was issued to: re-onboarding an id
    // (perhaps as an operator) revives none of the old tokens.
    if (!info || !user || !tokenHolds(info, user))
      return sendProblem(
        reply,
        problem(401, 'invalid-token', 'the token is not valid (unknown, revoked, or its user was removed)'),
      );
    req.principal = { userId: user.id, role: user.role, group: user.group, tokenId: info.tokenId };
    if (access === 'operator' && user.role !== 'operator') {
      return sendProblem(reply, forbidden('only operators may do this'));
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    metrics.requests.inc({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ProblemError) return sendProblem(reply, err.problem);
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendProblem(reply, problem(413, 'body-too-large', `the body is larger than ${app.initialConfig.bodyLimit} bytes`));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendProblem(reply, problem(415, 'unsupported-media-type', 'send the body as application/json'));
    }
    if (status >= 400 && status < 500) {
      const detail =
        err.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError
          ? `the body is not valid JSON: ${err.message}`
          : err.message;
      return sendProblem(reply, problem(status, status === 400 ? 'invalid-input' : 'bad-request', detail));
    }
    req.log.error(err, 'unexpected error');
    return sendProblem(reply, problem(500, 'internal-error', 'an unexpected error; it has been logged'));
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problem(404, 'not-found', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );

  await app.register(opsRoutes(ctx, metrics, () => closing, options.metricsToken));
  await app.register(dashboardRoutes(options.dashboard === undefined ? builtDashboard() : options.dashboard));
  await app.register(
    async (api) => {
      await api.register(nodeRoutes(ctx));
      await api.register(poolRoutes(ctx));
      await api.register(usageRoutes(ctx));
      await api.register(groupRoutes(ctx));
      await api.register(userRoutes(ctx));
      await api.register(jobRoutes(ctx, options.logs));
      await api.register(metricRoutes(ctx));
      await api.register(forecastRoutes(ctx, forecaster));
      for (const kind of ASSET_KINDS) await api.register(assetRoutes(ctx, kind));
      await api.register(experimentRoutes(ctx));
      await api.register(pipelineRoutes(ctx));
      await api.register(pipelineRunRoutes(ctx));
      await api.register(eventRoutes(ctx, streams, options.streams));
    },
    { prefix: '/api/v1' },
  );

  // Shutdown: readiness fails at once, event streams end (they would hold the server open), then
  // fastify stops accepting and waits for requests in flight.
  app.addHook('preClose', async () => {
    closing = true;
    for (const close of [...streams]) close();
  });
  // A request still in flight when the close begins is answered with `Connection: close`. Node
  // closes only the connections idle at that moment; a keep-alive one that finishes later would
  // hold the close open for the whole keep-alive timeout (72 s).
  app.addHook('onSend', (req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    // The cluster's revision as this answer was made: a client that reads, then follows the
    // event stream, knows where its picture stands (the dashboard's time-travel control does).
    reply.header('x-revision', String(options.engine.revision));
    const pastTime = pastTimeOf(req);
    if (pastTime !== undefined) reply.header('x-as-of-time', String(pastTime));
    done(null, payload);
  });
  return app;
}
