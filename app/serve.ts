/**
 * `gpupool serve`, as a function: the engine on an event store (SQLite by default), the cluster
 * described by a config file registered into it, the simulated runtime playing the cluster in real
 * time (until a Kubernetes runtime exists), and the HTTP server in front.
 *
 * On first start it bootstraps: installs the cluster with its operator and issues that operator a
 * token, which it hands back once to be printed. Whenever no operator has a live token (the first
 * start was interrupted, or every operator token was revoked) it issues one again, so an operator
 * can never be locked out of their own server.
 *
 * On a SQLite store it first takes the store's server lease, so that a second server on the same
 * file refuses to start (a StoreInUseError) instead of serving stale reads beside the first. An
 * EventStoreDB store is not leased yet: run one server per namespace.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createMetrics } from '../adapters/http/metrics.js';
import { buildServer } from '../adapters/http/server.js';
import { TokenRegistry, tokenHolds } from '../adapters/http/tokens.js';
import { applyClusterConfig, DEMO_CLUSTER_CONFIG, loadClusterConfig } from '../adapters/inventory/cluster-file.js';
import { type RealtimeRuntime, startRealtimeRuntime } from '../adapters/memory/realtime-runtime.js';
import { openStore } from '../adapters/open-store.js';
import { SERVER_LEASE, SqliteEventStore } from '../adapters/sqlite/store.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { BOOTSTRAP_OPERATOR, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SNAPSHOT_EVERY, type ServeOptions } from './options.js';

export type { ServeOptions } from './options.js';

export interface Served {
  readonly app: FastifyInstance;
  readonly engine: Engine;
  readonly url: string;
  /** The operator's token when this start issued one (print it once), else undefined. */
  readonly bootstrapToken?: { userId: string; token: string };
  readonly registeredNodes: string[];
  /** Stop accepting, finish requests in flight, end event streams, stop the runtime, flush the store. */
  close(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<Served> {
  const store = typeof options.store === 'string' ? await openStore(options.store) : options.store;
  let runtime: RealtimeRuntime | undefined;
  let app: FastifyInstance | undefined;
  let served: Served | undefined;
  let unprinted: { tokens: TokenRegistry; token: string } | undefined;
  try {
    if (store instanceof SqliteEventStore)
      store.acquireServerLease(SERVER_LEASE, {
        onLost: (e) => (options.onLeaseLost ? options.onLeaseLost(e) : void served?.close().catch(() => {})),
      });
    const metrics = createMetrics();
    const engine = await createEngine({
      store,
      snapshotEvery: options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY,
      observer: metrics.observer,
    });
    const tokens = await TokenRegistry.open(store, { now: () => Date.now() / 1000 });
    const bootstrapToken = await bootstrap(engine, tokens);
    if (bootstrapToken) unprinted = { tokens, token: bootstrapToken.token };
    const { registered } = await applyClusterConfig(engine, loadClusterConfig(options.cluster ?? DEMO_CLUSTER_CONFIG));
    // It follows the cluster stream through the store, so it sees every writer's events.
    runtime = startRealtimeRuntime(engine, store, {
      ...(options.launchDelaySeconds === undefined ? {} : { launchDelaySeconds: options.launchDelaySeconds }),
      ...(options.stopDelaySeconds === undefined ? {} : { stopDelaySeconds: options.stopDelaySeconds }),
    });
    app = await buildServer({
      engine,
      tokens,
      metrics,
      logger: { level: options.logLevel ?? 'warn', redact: ['req.headers.authorization'] },
      ...(process.env.GPUPOOL_METRICS_TOKEN ? { metricsToken: process.env.GPUPOOL_METRICS_TOKEN } : {}),
    });
    // Connections that have not sent a request yet (a client's spare one): Node's close waits for
    // the client to drop them, which may be never. Nothing is in flight on them, so the close ends
    // them, and any that open while it runs.
    const spare = new Set<Socket>();
    let closing = false;
    app.server.on('connection', (socket: Socket) => {
      if (closing) return void socket.destroy();
      spare.add(socket);
      socket.once('close', () => spare.delete(socket));
    });
    app.server.on('request', (req: IncomingMessage) => spare.delete(req.socket));
    const url = await app.listen({ port: options.port ?? DEFAULT_PORT, host: options.host ?? DEFAULT_HOST });
    const server = app;
    const rt = runtime;
    let closed: Promise<void> | undefined;
    served = {
      app,
      engine,
      url,
      registeredNodes: registered,
      ...(bootstrapToken ? { bootstrapToken } : {}),
      close: () => {
        closed ??= (async () => {
          closing = true;
          for (const socket of spare) socket.destroy();
          await server.close();
          rt.stop();
          await rt.idle(); // reports already sent land before the store closes
          await engine.close();
          await store.close();
        })();
        return closed;
      },
    };
    return served;
  } catch (e) {
    // A token issued by a start that then failed (the port in use, a bad cluster file) was never
    // shown: revoke it, or the next start would see a live operator token and issue none.
    if (unprinted) {
      const { tokens, token } = unprinted;
      await tokens
        .verify(token)
        .then((info) => info && tokens.revoke(info.tokenId))
        .catch(() => {});
    }
    runtime?.stop();
    await app?.close().catch(() => {});
    await store.close().catch(() => {});
    throw e;
  }
}

/** Install on first start; issue an operator token whenever no operator holds a live one. */
async function bootstrap(engine: Engine, tokens: TokenRegistry): Promise<{ userId: string; token: string } | undefined> {
  if (!engine.current.installed) {
    const r = await engine.execute({ type: 'Install', userId: BOOTSTRAP_OPERATOR, name: 'Operator', commandId: 'bootstrap' });
    if (!r.ok) throw new Error(`bootstrap: ${r.rejection.message}`);
  }
  const operators = [...engine.current.users.values()]
    .filter((u) => u.role === 'operator')
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Tokens of an earlier incarnation of an operator's id do not count: they no longer work.
  if (operators.some((u) => tokens.list(u.id).some((t) => tokenHolds(t, u)))) return undefined;
  const user = operators.find((u) => u.id === BOOTSTRAP_OPERATOR) ?? operators[0];
  if (user === undefined) throw new Error('bootstrap: the cluster has no operator');
  const { token } = await tokens.issue(user, 'bootstrap');
  return { userId: user.id, token };
}

/**
 * Close the server on the first SIGINT or SIGTERM and end the process: exit 0 once it is closed
 * (requests in flight answered, the store flushed), 1 if closing failed. A second signal while it
 * closes is ignored: the close under way is what finishes the requests.
 */
export function closeOnSignals(served: Pick<Served, 'close'>, say: (line: string) => void): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: finishing requests in flight and flushing the store...`);
    served.close().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`gpupool: shutdown failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
