/**
 * What `gpupool serve` is told, and its defaults. A module of its own so the CLI can name them
 * without loading the server.
 */

import type { EventStore } from '../core/ports.js';
import type { KubernetesServeOptions } from './kubernetes.js';

/** Where `gpupool serve` listens unless told otherwise. */
export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

/** The operator the first start installs and issues a token to. */
export const BOOTSTRAP_OPERATOR = 'admin';

/**
 * A snapshot every this many events. Writing one holds the event loop while the whole state is
 * serialized, and the state grows with every job ever submitted (about 1 s for 500,000 jobs):
 * under a steady load of submissions (bench/http.ts) one every 10,000 events took a fifth of the
 * server's time. Start-up replays at most this many events after the latest snapshot, about half
 * a second on SQLite (bench: 0.49 s for 100,000 events).
 */
export const DEFAULT_SNAPSHOT_EVERY = 100_000;

/**
 * The lease that says which of the servers on one store runs the cluster's runtime, and how long
 * it lasts unless renewed (seconds). It is renewed every third of that; a leader that dies is
 * replaced within about 4/3 of it, one that stops cleanly at once.
 */
export const RUNTIME_LEASE = 'runtime';
export const DEFAULT_LEADER_LEASE_SECONDS = 5;

export interface ServeOptions {
  readonly port?: number;
  readonly host?: string;
  /** An event store spec (see adapters/open-store.ts), or a store already open. */
  readonly store: string | EventStore;
  /** Cluster config file (YAML or JSON); default the demo cluster. Not read on Kubernetes. */
  readonly cluster?: string;
  /**
   * Schedule a Kubernetes cluster (app/kubernetes.ts): its nodes, pods and Jobs replace the
   * cluster file and the simulated runtime.
   */
  readonly kubernetes?: KubernetesServeOptions;
  readonly logLevel?: string;
  /** Runtime timings (seconds); the demo defaults are in startRealtimeRuntime. */
  readonly launchDelaySeconds?: number;
  readonly stopDelaySeconds?: number;
  /** How long the simulated runtime runs a tuning trial (seconds); default SIMULATED_TRIAL_SECONDS. */
  readonly simulatedTrialSeconds?: number;
  /** Default DEFAULT_SNAPSHOT_EVERY. */
  readonly snapshotEvery?: number;
  /** How long the runtime's leader lease lasts unless renewed, in seconds; default DEFAULT_LEADER_LEASE_SECONDS. */
  readonly leaderLeaseSeconds?: number;
  /**
   * Told when this server starts running the runtime (it took the leader lease) and when it stops
   * (the lease was taken over or could not be renewed in time, or the server closes).
   */
  readonly onLeadership?: (leading: boolean) => void;
}
