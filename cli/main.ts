/** The gpupool command line (its entry is gpupool.ts). */
import { existsSync, rmSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
// What a command alone needs is loaded in its action (the event log's files, the store's adapters
// and SQLite, the cluster file's YAML parser, the engine): every command, `simulate` and `--help`
// included, paid some 40 ms of start-up for them.
import type { OpenStoreOptions } from '../adapters/open-store.js';
import { DEFAULT_HOST, DEFAULT_LEADER_LEASE_SECONDS, DEFAULT_PORT } from '../app/options.js';
import { PLACEMENTS } from '../core/cluster/model.js';
import type { EventStore } from '../core/ports.js';
import { parsePolicies } from '../simulations/policies.js';
import { DEFAULT_SYNTHETIC_OBJECTIVE, SYNTHETIC_OBJECTIVES } from '../simulations/synthetic-objectives.js';
import { TRACE_FORMATS, type TraceFormat } from '../simulations/traces.js';
import { DEFAULT_STORE, DEMO_CLUSTER, DEMO_STORE } from './defaults.js';
import {
  EXPECTED_FAILURE_EXIT,
  ExpectedError,
  eventStoreDBFailure,
  expectedMessage,
  listenFailure,
  printableStore,
  requireFile,
  requireWritableFolder,
} from './errors.js';

/** An option's value as a number that `valid` accepts; otherwise the flag `takes` what it says. */
function numberOption(flag: string, valid: (n: number) => boolean, takes: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!valid(n)) throw new InvalidArgumentError(`${flag} takes ${takes}`);
    return n;
  };
}

const positiveNumber = (flag: string) => numberOption(flag, (n) => Number.isFinite(n) && n > 0, 'a number > 0');
const nonNegativeNumber = (flag: string) => numberOption(flag, (n) => Number.isFinite(n) && n >= 0, 'a number >= 0');
const integer = (flag: string) => numberOption(flag, Number.isSafeInteger, 'an integer');
const positiveInteger = (flag: string) => numberOption(flag, (n) => Number.isSafeInteger(n) && n >= 1, 'an integer >= 1');
const port = numberOption('--port', (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'an integer from 0 to 65535');

function policies(value: string) {
  try {
    return parsePolicies(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--policy takes/, 'takes'));
  }
}

const program = new Command();
program
  .name('gpupool')
  .description('Event-sourced GPU scheduling engine for ML platforms')
  .version('0.1.0')
  // Set before any subcommand is made, so every subcommand inherits them: commander's usage errors
  // take the shape of every expected failure (one `gpupool:` line, exit 2) instead of exiting 1.
  .exitOverride()
  .configureOutput({
    outputError: (message, write) =>
      write(
        `gpupool: ${message
          .replace(/^error: /, '')
          .replace(/\s*\n\s*/g, ' ')
          .trim()}\n`,
      ),
  });

program
  .command('demo')
  .description('build a small cluster, submit jobs and print how they were scheduled')
  .option('--store <store>', `an empty event store for the demo: a SQLite file, or memory`, DEMO_STORE)
  .action(async (opts) => {
    const { runDemo } = await import('./demo.js');
    await runDemo(console.log, opts.store);
  });

program
  .command('serve')
  .description(
    'serve the HTTP API: the engine on an event store, the cluster simulated in real time or a Kubernetes cluster (--kubernetes)',
  )
  .addOption(new Option('--port <port>', 'port to listen on').env('GPUPOOL_PORT').default(DEFAULT_PORT).argParser(port))
  .addOption(new Option('--host <host>', 'address to listen on').env('GPUPOOL_HOST').default(DEFAULT_HOST))
  .addOption(
    new Option('--store <store>', `the event store: a SQLite file, an EventStoreDB connection string (esdb://...), or memory`)
      .env('GPUPOOL_STORE')
      .default(DEFAULT_STORE),
  )
  .addOption(
    new Option('--cluster <file>', 'the cluster config file (YAML or JSON)')
      .env('GPUPOOL_CLUSTER')
      .default(DEMO_CLUSTER, 'the demo cluster'),
  )
  .addOption(new Option('--log-level <level>', 'request log level').env('GPUPOOL_LOG_LEVEL').default('warn'))
  .addOption(
    new Option(
      '--leader-lease <seconds>',
      'how long the lease of the server that runs the runtime lasts unless renewed (servers sharing a store elect one)',
    )
      .env('GPUPOOL_LEADER_LEASE')
      .default(DEFAULT_LEADER_LEASE_SECONDS)
      .argParser(positiveNumber('--leader-lease')),
  )
  .option(
    '--kubernetes',
    'schedule a Kubernetes cluster: its nodes, pods and Jobs instead of the cluster file and the simulation',
  )
  .option('--kubeconfig <file>', "with --kubernetes: the kubeconfig (default KUBECONFIG, else the pod's service account)")
  .option(
    '--namespace <group=namespace>',
    "with --kubernetes: where a group's pods run (repeatable)",
    (value: string, all: Record<string, string>) => {
      const m = /^([^=]+)=([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)$/.exec(value);
      if (!m) throw new InvalidArgumentError(`takes <group>=<namespace> (a DNS label), got '${value}'`);
      return { ...all, [m[1] as string]: m[2] as string };
    },
    {} as Record<string, string>,
  )
  .option('--default-namespace <namespace>', "with --kubernetes: where other groups' pods run", 'default')
  .option('--lease-namespace <namespace>', "with --kubernetes: where the leader Lease lives (default: the pod's namespace)")
  .option('--gpu-resource <name>', 'with --kubernetes: the extended resource that counts GPUs', 'nvidia.com/gpu')
  .option('--gpu-type-label <label>', "with --kubernetes: the node label naming the GPUs' type", 'nvidia.com/gpu.product')
  .option(
    '--node-grace <seconds>',
    'with --kubernetes: how long a node may be NotReady before it is lost',
    positiveNumber('--node-grace'),
    60,
  )
  .option('--kube-qps <n>', 'with --kubernetes: requests per second to the API server', positiveNumber('--kube-qps'), 50)
  .option('--kube-burst <n>', 'with --kubernetes: requests in a burst to the API server', positiveNumber('--kube-burst'), 100)
  .option(
    '--metrics-collector-image <image>',
    "with --kubernetes: the image of a tuning trial's metrics-collector sidecar (File and TensorFlowEvent collectors) and of a pipeline step's outputs collector",
    'busybox:1.36',
  )
  .option(
    '--pipeline-volume <pvc>',
    "with --kubernetes: a PersistentVolumeClaim mounted in every pipeline step's pod at its pipeline root's local path, where steps share their artifacts",
  )
  .action(async (opts) => {
    if (opts.cluster !== DEMO_CLUSTER && !opts.kubernetes) requireFile('--cluster', opts.cluster);
    if (opts.kubeconfig !== undefined) requireFile('--kubeconfig', opts.kubeconfig);
    if (opts.kubernetes) {
      // Which cluster, before the store is touched: a kubeconfig that names none, or none at all.
      const { loadKubeConfig } = await import('../adapters/k8s/kube.js');
      try {
        loadKubeConfig(opts.kubeconfig);
      } catch (e) {
        throw new ExpectedError(`--kubernetes: ${(e as Error).message}`);
      }
    }
    // Loaded here: the server's libraries are not needed by the other commands.
    const { closeOnSignals, serve } = await import('../app/serve.js');
    if (opts.cluster === DEMO_CLUSTER) opts.cluster = (await import('../adapters/inventory/cluster-file.js')).DEMO_CLUSTER_CONFIG;
    const out = (line = '') => process.stdout.write(`${line}\n`);
    const served = await serve({
      port: opts.port,
      host: opts.host,
      store: opts.store,
      cluster: opts.cluster,
      logLevel: opts.logLevel,
      leaderLeaseSeconds: opts.leaderLease,
      ...(opts.kubernetes
        ? {
            kubernetes: {
              ...(opts.kubeconfig === undefined ? {} : { kubeconfig: opts.kubeconfig }),
              namespaces: opts.namespace,
              defaultNamespace: opts.defaultNamespace,
              ...(opts.leaseNamespace === undefined ? {} : { leaseNamespace: opts.leaseNamespace }),
              gpuResource: opts.gpuResource,
              gpuTypeLabel: opts.gpuTypeLabel,
              notReadyGraceSeconds: opts.nodeGrace,
              rateLimit: { qps: opts.kubeQps, burst: opts.kubeBurst },
              metricsCollectorImage: opts.metricsCollectorImage,
              ...(opts.pipelineVolume === undefined ? {} : { pipelineVolume: opts.pipelineVolume }),
            },
          }
        : {}),
      // Servers sharing a store: say which one runs the runtime, as it changes.
      onLeadership: (leading) =>
        out(leading ? 'gpupool: this server now runs the runtime (leader)' : 'gpupool: this server no longer runs the runtime'),
    }).catch((e) => {
      throw eventStoreDBFailure(listenFailure(e, opts.host, opts.port), opts.store);
    });
    const cluster = opts.kubernetes ? 'Kubernetes' : opts.cluster;
    out(`gpupool serving on ${served.url} (store: ${printableStore(opts.store)}; cluster: ${cluster})`);
    out(`  dashboard ${served.url}/  (sign in with the token below)`);
    out(`  API       ${served.url}/api/v1`);
    out(`  docs      ${served.url}/docs`);
    if (served.registeredNodes.length > 0) out(`  registered nodes: ${served.registeredNodes.join(', ')}`);
    if (served.bootstrapToken) {
      out();
      out(`Operator '${served.bootstrapToken.userId}' API token (shown once; only its hash is stored):`);
      out();
      out(`  ${served.bootstrapToken.token}`);
      out();
      out(`  export GPUPOOL_TOKEN=${served.bootstrapToken.token}`);
      out(`  curl -H "Authorization: Bearer $GPUPOOL_TOKEN" ${served.url}/api/v1/pools`);
    }
    closeOnSignals(served, out);
  });

const events = program.command('events').description('move an event log between stores as JSON lines');
const STORE_HELP = `the event store: a SQLite file, an EventStoreDB connection string (esdb://...), or memory (env GPUPOOL_STORE; default ${DEFAULT_STORE})`;

/**
 * Open the store a command names, run `work` on it, and close it whatever happens. An EventStoreDB
 * server that cannot be reached is an expected failure naming it.
 */
async function withStore<T>(spec: string, options: OpenStoreOptions, work: (store: EventStore) => Promise<T>): Promise<T> {
  const { isEventStoreDB, openStore } = await import('../adapters/open-store.js');
  const store = await openStore(spec, process.env, options);
  try {
    return await work(store);
  } catch (e) {
    throw isEventStoreDB(spec) ? eventStoreDBFailure(e, spec) : e;
  } finally {
    await store.close();
  }
}
events
  .command('export <file>')
  .description('write every event of the store to FILE, one JSON object per line, in global order')
  .option('--store <store>', STORE_HELP)
  .action(async (file: string, opts) => {
    const [{ storeSpec }, { exportEvents }] = await Promise.all([
      import('../adapters/open-store.js'),
      import('../adapters/events-io.js'),
    ]);
    // Read-only, so it runs beside a server; a store that does not exist is refused, not created.
    const n = await withStore(storeSpec(opts.store), { mustExist: true }, (store) => exportEvents(store, file));
    process.stdout.write(`exported ${n} events to ${file}\n`);
  });
events
  .command('import <file>')
  .description('append the events of FILE (from export, or from simulate --events) to an empty store, made if need be')
  .option('--store <store>', STORE_HELP)
  .action(async (file: string, opts) => {
    const [{ isEventStoreDB, storeSpec }, { importEvents }, { createEngine }] = await Promise.all([
      import('../adapters/open-store.js'),
      import('../adapters/events-io.js'),
      import('../engine/engine.js'),
    ]);
    const spec = storeSpec(opts.store);
    // The log is checked before the store is opened, so a missing one makes no store file.
    requireFile('log file', file);
    const made = spec !== 'memory' && !isEventStoreDB(spec) && !existsSync(spec);
    try {
      await withStore(spec, {}, async (store) => {
        const n = await importEvents(store, file, `store ${printableStore(spec)}`);
        // Prove the log loads: every event decodes and folds (createEngine stops on one that does not).
        // No job archive: nothing is listed, so finished jobs' records need not be kept.
        const engine = await createEngine({ store, archive: null });
        await engine.close();
        process.stdout.write(`imported ${n} events into ${printableStore(spec)}; the log loads to revision ${engine.revision}\n`);
      });
    } catch (e) {
      // A store this import made is removed again: a failed import leaves no empty or partial store.
      if (made) for (const f of [spec, `${spec}-wal`, `${spec}-shm`]) rmSync(f, { force: true });
      throw e;
    }
  });

program
  .command('token')
  .description('API tokens')
  .command('issue')
  .description("issue a new API token for a user of the store's cluster (access to the store file proves an operator)")
  .requiredOption('--user <id>', 'the user the token is for')
  .option('--store <store>', STORE_HELP)
  .action(async (opts) => {
    const [{ storeSpec }, { createEngine }] = await Promise.all([
      import('../adapters/open-store.js'),
      import('../engine/engine.js'),
    ]);
    const spec = storeSpec(opts.store);
    // Loaded here, as for serve: the other commands need no token code.
    const { TokenRegistry } = await import('../adapters/http/tokens.js');
    // No lease: issuing appends to the tokens stream alone, which takes concurrent writers, so a
    // running server keeps serving and accepts the new token at its first use.
    const { token, user } = await withStore(spec, { mustExist: true }, async (store) => {
      const engine = await createEngine({ store, archive: null }); // only its users are read
      await engine.close();
      const user = engine.current.users.get(opts.user);
      if (!user) {
        const users = [...engine.current.users.keys()].sort();
        const some = users.length > 10 ? `${users.slice(0, 10).join(', ')}, ...` : users.join(', ');
        throw new ExpectedError(`store ${printableStore(spec)} has no user '${opts.user}' (users: ${some || 'none'})`);
      }
      const tokens = await TokenRegistry.open(store, { now: () => Date.now() / 1000 });
      return { user, token: (await tokens.issue(user, 'gpupool token issue')).token };
    });
    process.stderr.write(`a new API token for '${user.id}' (${user.role}); shown once, only its hash is stored:\n`);
    process.stdout.write(`export GPUPOOL_TOKEN=${token}\n`);
  });

program
  .command('simulate')
  .description('replay a workload trace through the engine on a simulated cluster and report how it went')
  .requiredOption('--trace <file>', 'the workload trace (CSV)')
  .addOption(new Option('--format <format>', 'trace format').choices([...TRACE_FORMATS]).default('gpupool'))
  .requiredOption('--cluster <file>', 'the cluster file: CSV pool,nodes,gpus_per_node[,gpu_type]')
  .option(
    '--policy <list>',
    `scheduling policies, comma-separated, each run on its own: fifo, sjf, first-fit, backfill`,
    policies,
    policies('fifo'),
  )
  .addOption(
    new Option('--placement <mode>', 'node: gang placement on nodes; count: GPU counts only')
      .choices([...PLACEMENTS])
      .default('node'),
  )
  .option('--capacity-scale <x>', "multiply every pool's node count by x", positiveNumber('--capacity-scale'), 1)
  .option('--seed <n>', 'seed for every random choice', integer('--seed'), 1)
  .option('--max-wait <seconds>', "pools' maximum wait before a job reserves capacity", positiveNumber('--max-wait'))
  .option('--launch-delay <seconds>', 'seconds between allocation and start', nonNegativeNumber('--launch-delay'))
  .option('--events <file>', 'write the full event log as JSON lines')
  .option('--no-report', 'write only jobs.csv and summary.json, not report.html')
  .option(
    '--experiment <[pool=]file>',
    'a Katib Experiment (YAML or JSON) run beside the trace, its trials as jobs in the pool (repeatable)',
    (value: string, all: string[]) => [...all, value],
    [] as string[],
  )
  .option('--algorithm <list>', 'run every experiment once per algorithm, comma-separated (e.g. random,tpe)')
  .addOption(
    new Option('--objective <name>', "what the experiments' trials report")
      .choices([...SYNTHETIC_OBJECTIVES])
      .default(DEFAULT_SYNTHETIC_OBJECTIVE),
  )
  .option('--trial-seconds <seconds>', 'how long a trial runs at its full budget', positiveNumber('--trial-seconds'), 600)
  .option('--trial-gpus <n>', 'GPUs of a trial whose template asks for none', positiveInteger('--trial-gpus'), 1)
  .option('--experiments-at <seconds>', 'when the experiments are created', nonNegativeNumber('--experiments-at'), 0)
  .requiredOption('--out <dir>', 'folder for jobs.csv, summary.json and report.html (and trials.csv with experiments)')
  .action(async (opts) => {
    requireFile('--trace', opts.trace);
    requireFile('--cluster', opts.cluster);
    requireWritableFolder('--out', opts.out);
    // Loaded only with experiments: the Experiment parser and the algorithms are a large module graph.
    const tuning =
      opts.experiment.length > 0 || opts.algorithm !== undefined ? await import('../simulations/experiment-files.js') : null;
    const started = performance.now();
    // Loaded here: `demo` or `--help` need none of the simulator (and it loads the report's large
    // charting library only when it writes a report).
    const { simulateCommand } = await import('./simulate-thread.js');
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const summaries = await simulateCommand(
      {
        trace: opts.trace,
        format: opts.format as TraceFormat,
        cluster: opts.cluster,
        policies: opts.policy,
        placement: opts.placement,
        capacityScale: opts.capacityScale,
        seed: opts.seed,
        events: opts.events,
        out: opts.out,
        maxWaitSeconds: opts.maxWait,
        launchDelay: opts.launchDelay,
        report: opts.report,
        progress: process.stderr.isTTY ? 'bar' : 'plain',
        ...(tuning
          ? {
              experiments: (opts.experiment as string[]).map(tuning.parseExperimentArgument),
              ...(opts.algorithm === undefined ? {} : { algorithms: tuning.parseAlgorithms(opts.algorithm) }),
              objective: opts.objective,
              trialSeconds: opts.trialSeconds,
              trialGpus: opts.trialGpus,
              experimentsAt: opts.experimentsAt,
            }
          : {}),
      },
      log,
    );
    for (const s of summaries) {
      const f = s.overall;
      process.stdout.write(
        `${s.policy}: ${f.completed}/${f.jobs} jobs completed, ${f.rejected > 0 ? `${f.rejected} rejected (why: the reason column of jobs.csv), ` : ''}avg JCT ${f.avgJct ?? '-'} s, p95 JCT ${f.p95Jct ?? '-'} s, avg wait ${f.avgWait ?? '-'} s, utilization ${f.utilization === null ? '-' : `${(f.utilization * 100).toFixed(1)}%`}\n`,
      );
      for (const x of s.experiments ?? []) {
        process.stdout.write(
          `  ${x.id} (${x.algorithm}): ${x.trials} trials, best ${x.best === null ? '-' : x.best.toPrecision(6)}, time to goal ${x.timeToGoal === null ? 'not reached' : `${x.timeToGoal} s`}, ${x.gpuHours} GPU-hours, ${x.reason ?? 'still running'}\n`,
        );
      }
    }
    const wrote = opts.report ? `${opts.out}/report.html` : `jobs.csv and summary.json to ${opts.out}`;
    process.stdout.write(`wrote ${wrote} (${((performance.now() - started) / 1000).toFixed(2)} s)\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // Help and --version end through here too, with exit code 0; a usage error was printed already.
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXPECTED_FAILURE_EXIT);
  const message = await expectedMessage(e);
  if (message === undefined) throw e; // a bug: its stack trace is what a report needs
  process.stderr.write(`gpupool: ${message}\n`);
  process.exit(EXPECTED_FAILURE_EXIT);
}
