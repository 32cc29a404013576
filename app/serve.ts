/**
 * `gpupool serve`, as a function: the engine on an event store (SQLite by default), the cluster
 * described by a config file registered into it and the simulated runtime playing it in real time,
 * or a Kubernetes cluster (`kubernetes`: its nodes, pods and Jobs, app/kubernetes.ts), and the HTTP
 * server in front.
 *
 * On first start it bootstraps: installs the cluster with its operator and issues that operator a
 * token, which it hands back once to be printed. Whenever no operator has a live token (the first
 * start was interrupted, or every operator token was revoked) it issues one again, so an operator
 * can never be locked out of their own server.
 *
 * Several servers may share one store (a SQLite file, an EventStoreDB namespace), and each serves
 * reads and writes:
 * - Writes are kept apart by the store's expected revisions: a server whose append lost the race
 *   reads what the other wrote and decides its batch again, so no device is given twice. Two
 *   servers bootstrapping a fresh store together both send the same Install (command id
 *   `bootstrap`): one installs, the other is answered with a duplicate; either may issue the
 *   operator a token.
 * - Reads follow the store: the cluster engine, the assets engine and the token registry subscribe
 *   to their streams and catch up on every other writer's events, so what one server acknowledged
 *   is read on the other within the store's delivery time (SQLite: its 20 ms poll), a dataset
 *   created on one is listed on the other, a token issued on one works on the other, and a token
 *   revoked on one stops working on the other.
 * - Exactly one server runs the runtime (on Kubernetes: the node inventory, the pod runtime, Job
 *   admission and the wake-ups, and the lease is a Lease object): the holder of the leader lease
 *   (`runtime`, engine/leader.ts), which each server asks for every third of its ttl
 *   (`leaderLeaseSeconds`). The server that takes it catches up and starts the runtime, which picks
 *   up the jobs the store holds starting, running and stopping, whoever allocated them (a leader
 *   that died included). A leader whose renewal is refused, or cannot land before the lease runs
 *   out, stops its runtime; one that closes stops it and releases the lease, so another server
 *   takes over at its next attempt rather than after the ttl.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AssetsEngine, ExperimentsEngine, PipelinesEngine } from '../adapters/http/context.js';
import { createMetrics } from '../adapters/http/metrics.js';
import { buildServer } from '../adapters/http/server.js';
import { TokenRegistry, tokenHolds } from '../adapters/http/tokens.js';
import { applyClusterConfig, DEMO_CLUSTER_CONFIG, loadClusterConfig } from '../adapters/inventory/cluster-file.js';
import { type RealtimeRuntime, startRealtimeRuntime } from '../adapters/memory/realtime-runtime.js';
import { openJobArchive, openStore } from '../adapters/open-store.js';
import { ASSETS_STREAM, assetsDecider } from '../core/assets/assets-decider.js';
import type { AssetCommand } from '../core/assets/commands.js';
import type { Event } from '../core/cluster/events.js';
import type { JobArchive } from '../core/cluster/job-archive.js';
import { EARLY_STOPPING_RULES } from '../core/experiments/early-stopping/index.js';
import { EXPERIMENTS_STREAM, experimentsDecider } from '../core/experiments/experiments-decider.js';
import { ALGORITHMS } from '../core/experiments/suggest/index.js';
import { PIPELINES_STREAM, pipelinesDecider } from '../core/pipelines/pipelines-decider.js';
import { simulatedPodAnnotations } from '../core/pipelines/simulation.js';
import type { EventStore } from '../core/ports.js';
import { createDeciderEngine, createEngine, type Engine } from '../engine/engine.js';
import { type LeaderElection, startLeaderElection } from '../engine/leader.js';
import type { ReactorRunner } from '../engine/reactor.js';
import { offerExamples, offerPipelineExample } from './examples.js';
import { type ExperimentController, startExperimentController } from './experiment-controller.js';
import { startJobOutputs } from './job-outputs.js';
import type { KubernetesPart } from './kubernetes.js';
import {
  BOOTSTRAP_OPERATOR,
  DEFAULT_HOST,
  DEFAULT_LEADER_LEASE_SECONDS,
  DEFAULT_PORT,
  DEFAULT_SNAPSHOT_EVERY,
  RUNTIME_LEASE,
  type ServeOptions,
} from './options.js';
import { type PipelineExecutor, startPipelineExecutor } from './pipeline-executor.js';
import { simulatedStepFailure, simulatedStepOutputs, simulatedStepSeconds } from './simulated-steps.js';
import { SIMULATED_TRIAL_SECONDS, simulatedTrialMetrics } from './simulated-trials.js';

export type { ServeOptions } from './options.js';

export interface Served {
  readonly app: FastifyInstance;
  readonly engine: Engine;
  /** Workspaces, datasets and models: the assets context's engine, following its stream. */
  readonly assets: AssetsEngine;
  readonly url: string;
  /** The operator's token when this start issued one (print it once), else undefined. */
  readonly bootstrapToken?: { userId: string; token: string };
  readonly registeredNodes: string[];
  /** Whether this server runs the runtime now (it holds the leader lease). */
  readonly leading: boolean;
  /**
   * Stop accepting, finish requests in flight, end event streams, stop the runtime and release the
   * leader lease, flush the store.
   */
  close(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<Served> {
  // A cluster that cannot be named (no kubeconfig, a missing file) is refused before the store is
  // touched. The Kubernetes part is loaded only for a server on Kubernetes: its client is 0.4 s
  // of module loading that a server on its cluster file would pay at every start.
  const onKubernetes = options.kubernetes ? await import('./kubernetes.js') : undefined;
  if (options.kubernetes) onKubernetes?.loadKubeConfig(options.kubernetes.kubeconfig);
  const store = typeof options.store === 'string' ? await openStore(options.store) : options.store;
  let app: FastifyInstance | undefined;
  let engine: Engine | undefined;
  let assets: AssetsEngine | undefined;
  let experiments: ExperimentsEngine | undefined;
  let pipelines: PipelinesEngine | undefined;
  let archive: JobArchive | undefined;
  let tokens: TokenRegistry | undefined;
  let leader: LeaderElection | undefined;
  let unprinted: { tokens: TokenRegistry; token: string } | undefined;
  try {
    const metrics = createMetrics();
    // Finished jobs' records: a table in the same SQLite file (in memory for other stores).
    archive = openJobArchive(store);
    engine = await createEngine({
      store,
      snapshotEvery: options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY,
      observer: metrics.observer,
      archive,
    });
    // Other servers' writes reach this one's reads as they are stored, not at its next conflict.
    engine.follow(failed('following the cluster stream'));
    // The assets context: its own stream, its own engine, followed the same way.
    assets = await createDeciderEngine(assetsDecider, {
      store,
      stream: ASSETS_STREAM,
      snapshotEvery: options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY,
    });
    assets.follow(failed('following the assets stream'));
    // Tuning experiments: their own stream and engine, followed the same way.
    experiments = await createDeciderEngine(experimentsDecider, {
      store,
      stream: EXPERIMENTS_STREAM,
      snapshotEvery: options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY,
    });
    experiments.follow(failed('following the experiments stream'));
    // Pipelines, their runs and recurring runs: the same again.
    pipelines = await createDeciderEngine(pipelinesDecider, { store, stream: PIPELINES_STREAM });
    pipelines.follow(failed('following the pipelines stream'));
    tokens = await TokenRegistry.open(store, { now: () => Date.now() / 1000 });
    tokens.follow(failed('following the tokens stream'));
    const bootstrapToken = await bootstrap(engine, tokens);
    if (bootstrapToken) unprinted = { tokens, token: bootstrapToken.token };
    // A fresh installation offers an example workspace and dataset to start from.
    await offerExamples(assets, BOOTSTRAP_OPERATOR).catch(failed('offering the example assets'));
    await offerPipelineExample(pipelines, BOOTSTRAP_OPERATOR).catch(failed('offering the example pipeline'));
    // On Kubernetes the cluster's nodes are what the API server says (the node inventory, run by
    // the leader); otherwise the cluster file's.
    const kubernetes =
      options.kubernetes && onKubernetes
        ? await onKubernetes.kubernetesPart(engine, assets, experiments, store, options.kubernetes)
        : undefined;
    const { registered } = kubernetes
      ? { registered: [] as string[] }
      : await applyClusterConfig(engine, loadClusterConfig(options.cluster ?? DEMO_CLUSTER_CONFIG));
    app = await buildServer({
      engine,
      assets,
      experiments,
      pipelines,
      tokens,
      metrics,
      logger: { level: options.logLevel ?? 'warn', redact: ['req.headers.authorization'] },
      ...(kubernetes ? { logs: kubernetes.logs } : {}),
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
    // Only a server that started runs the runtime: asked for once it listens.
    leader = runtimeLeader(engine, assets, experiments, pipelines, store, options, kubernetes);
    const [server, cluster, assetsEngine, experimentsEngine, pipelinesEngine, registry, election, records] = [
      app,
      engine,
      assets,
      experiments,
      pipelines,
      tokens,
      leader,
      archive,
    ];
    let closed: Promise<void> | undefined;
    return {
      app,
      engine,
      assets,
      url,
      registeredNodes: registered,
      ...(bootstrapToken ? { bootstrapToken } : {}),
      get leading() {
        return election.leading;
      },
      close: () => {
        closed ??= (async () => {
          closing = true;
          for (const socket of spare) socket.destroy();
          await server.close();
          await election.close(); // the runtime stopped, its reports landed, the lease released
          await cluster.close();
          await assetsEngine.close();
          await experimentsEngine.close();
          await pipelinesEngine.close();
          registry.close();
          await store.close();
          records.close();
        })();
        return closed;
      },
    };
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
    await leader?.close().catch(() => {});
    await app?.close().catch(() => {});
    await engine?.close().catch(() => {});
    await assets?.close().catch(() => {});
    await experiments?.close().catch(() => {});
    await pipelines?.close().catch(() => {});
    tokens?.close();
    await store.close().catch(() => {});
    archive?.close();
    throw e;
  }
}

/** Where a failure of the server's background work goes: one line on stderr. */
const failed = (what: string) => (error: unknown) =>
  process.stderr.write(`gpupool: ${what} failed: ${error instanceof Error ? error.message : String(error)}\n`);

/**
 * Run the runtime while this server holds the leader lease: started when the lease is taken,
 * stopped when it is lost or the election closes. The simulated runtime's lease is kept in the
 * store; on Kubernetes it is a Lease object, and the runtime is the Kubernetes one.
 */
function runtimeLeader(
  engine: Engine,
  assets: AssetsEngine,
  experiments: ExperimentsEngine,
  pipelines: PipelinesEngine,
  store: EventStore,
  options: ServeOptions,
  kubernetes: KubernetesPart | undefined,
): LeaderElection {
  let runtime: RealtimeRuntime | undefined;
  let outputs: ReactorRunner<Event, AssetCommand> | undefined;
  let tuning: ExperimentController | undefined;
  let steps: PipelineExecutor | undefined;
  return startLeaderElection({
    store: kubernetes?.leases ?? store,
    name: RUNTIME_LEASE,
    ttlSeconds: options.leaderLeaseSeconds ?? DEFAULT_LEADER_LEASE_SECONDS,
    onElected: async () => {
      // The runtime picks up what the engine's state says is owed (the jobs a former leader left
      // starting, running or stopping): read the store up to now first. Should that fail, the
      // runtime still catches up on the events it follows.
      await engine.catchUp().catch(failed('catching up before starting the runtime'));
      // It follows the cluster stream through the store, so it sees every server's events.
      if (kubernetes) kubernetes.lead((what) => failed(what));
      else {
        runtime = startRealtimeRuntime(engine, store, {
          ...(options.launchDelaySeconds === undefined ? {} : { launchDelaySeconds: options.launchDelaySeconds }),
          ...(options.stopDelaySeconds === undefined ? {} : { stopDelaySeconds: options.stopDelaySeconds }),
          // A tuning trial runs a while and reports its experiment's objective (a learning curve).
          durationOf: (job) => (job.kind === 'trial' ? (options.simulatedTrialSeconds ?? SIMULATED_TRIAL_SECONDS) : null),
          metricsOf: (job) => simulatedTrialMetrics(experiments, job),
          // A pipeline step ends as its run's simulation fixture says.
          failureOf: (job) => simulatedStepFailure(pipelines, job),
        });
      }
      // Completed jobs' products become asset versions (a training job's model, ...), and
      // submitted jobs' inputs count as uses of their versions, whether or not the route got to it.
      outputs = startJobOutputs(engine, assets, store, failed("recording a job's output or its inputs' uses"));
      // Experiments' trials suggested, submitted as jobs and followed to their objective.
      tuning = startExperimentController(engine, experiments, store, {
        algorithms: ALGORITHMS,
        earlyStopping: EARLY_STOPPING_RULES,
        onError: failed('the experiment controller'),
      });
      // Pipeline runs' steps submitted as jobs and followed; recurring runs fired when due.
      steps = startPipelineExecutor(engine, pipelines, store, {
        // On Kubernetes: the files the step wrote, printed by its outputs collector; a run with a
        // simulation fixture has its steps' pods annotated for the fake cluster's kubelet to play.
        outputsOf: kubernetes ? kubernetes.stepOutputs : (run, task) => simulatedStepOutputs(run, task),
        ...(kubernetes
          ? {
              stepAnnotations: (run, task) => (run.simulation === null ? undefined : simulatedPodAnnotations(run, task)),
              gpuTypeLabel: kubernetes.gpuTypeLabel,
              platformOps: kubernetes.claims,
            }
          : { expectedSeconds: simulatedStepSeconds }),
        assets,
        onError: failed('the pipeline executor'),
      });
      options.onLeadership?.(true);
    },
    onDeposed: async () => {
      const stopping = runtime;
      runtime = undefined;
      stopping?.stop();
      tuning?.stop();
      tuning = undefined;
      steps?.stop();
      steps = undefined;
      await kubernetes?.stepDown();
      await outputs?.stop();
      outputs = undefined;
      options.onLeadership?.(false);
      await stopping?.idle(); // reports already sent land before the lease is given up
    },
    onError: failed("the runtime's leader lease"),
  });
}

/** Install on first start; issue an operator token whenever no operator holds a live one. */
async function bootstrap(engine: Engine, tokens: TokenRegistry): Promise<{ userId: string; token: string } | undefined> {
  if (!engine.current.installed) {
    // Servers starting together on a fresh store all send this one: the engine appends it once and
    // answers the others as duplicates (their append conflicts, they read the store and decide again).
    const r = await engine.execute({ type: 'Install', userId: BOOTSTRAP_OPERATOR, name: 'Operator', commandId: 'bootstrap' });
    if (!r.ok && !engine.current.installed) throw new Error(`bootstrap: ${r.rejection.message}`);
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
