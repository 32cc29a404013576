/**
 * Defaults the command line names in its options and help, here so that naming them loads nothing:
 * the modules they belong to (the stores' adapters with SQLite, the demo) are loaded only by the
 * commands that use them.
 */

/** The default event store: the same as adapters/open-store.ts DEFAULT_STORE (a test holds them equal). */
export const DEFAULT_STORE = './data/gpupool.db';

/** The demo's own store, emptied by each run of the demo. */
export const DEMO_STORE = './data/demo.db';

/**
 * `serve --cluster`'s default, the demo cluster, whose path (cluster-file.ts DEMO_CLUSTER_CONFIG) is
 * resolved once serve has loaded that module: this stands for it until then.
 */
export const DEMO_CLUSTER = '\u0000the demo cluster';
