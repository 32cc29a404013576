/**
 * Listing assets on a server that holds a million of them: a SQLite store with 1,000,000 datasets
 * across 1,000 groups, 1,000 each (GPUPOOL_BENCH_ASSETS scales it down: fewer groups of 1,000), then `gpupool
 * serve` started on it in a child process (history-child.ts) and loaded by autocannon with
 * `GET /api/v1/datasets?limit=1000` as a data scientist of one group: the whole of their group's
 * list (1,000 items) per request.
 *
 * The store is built through the engines directly, as a server would have written it: the cluster
 * engine installs, creates the groups and onboards one owner per group and the reader; the assets
 * engine creates the datasets, 10,000 commands per batch, the groups interleaved (each batch
 * creates ten in every group, so a group's assets lie spread over the log and the heap, as they
 * would after months of use), and records one version of each of the reader's group's datasets.
 * The assets state has no snapshot: the server replays the whole assets stream at start-up, so
 * the start-up and the resident memory after it are measured too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { TokenRegistry } from '../adapters/http/tokens.js';
import { SqliteJobArchive } from '../adapters/sqlite/job-archive.js';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import { ASSETS_STREAM, assetsDecider } from '../core/assets/assets-decider.js';
import type { AssetCommand } from '../core/assets/commands.js';
import type { Command } from '../core/cluster/commands.js';
import { createDeciderEngine, createEngine } from '../engine/engine.js';
import { serverChild } from './history.js';

const assets = Number(process.env.GPUPOOL_BENCH_ASSETS ?? 1_000_000);
export const ASSETS = {
  assets,
  /** 1,000 assets a group: fewer assets make fewer groups, and the list stays 1,000 long. */
  groups: Math.max(1, Math.ceil(assets / 1_000)),
  perBatch: 10_000,
  connections: 10,
  seconds: Number(process.env.GPUPOOL_BENCH_HTTP_SECONDS ?? 10),
  warmupSeconds: 2,
};

export interface AssetsRun {
  buildSeconds: number;
  /** Events in the assets stream. */
  events: number;
  startSeconds: number;
  /** Resident memory after start-up, after a collection. */
  rssStartMb: number;
  /** Items in one answer (the reader's group's datasets), and its size. */
  items: number;
  bytesPerResponse: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** One connection: the latency of a list on an otherwise idle server. */
  singleP50Ms: number;
  singleP99Ms: number;
}

const CLUSTER_YAML = `nodes:
  - id: a100-1
    gpus: { type: A100, count: 8 }
`;

const READER_GROUP = 'g0';

/** The store: `assets` datasets over the groups; returns the reader's token and the events written. */
async function build(file: string, assets: number): Promise<{ token: string; events: number }> {
  const store = new SqliteEventStore(file);
  const archive = new SqliteJobArchive(file);
  const now = () => Date.now() / 1000;
  const engine = await createEngine({ store, archive, clock: { now } });
  const groups = Array.from({ length: ASSETS.groups }, (_, g) => `g${g}`);
  const setup: Command[] = [
    { type: 'Install', userId: 'op', name: 'Operator', commandId: 'bootstrap' },
    ...groups.map((g): Command => ({ type: 'CreateGroup', groupId: g, name: g })),
    ...groups.map((g): Command => ({ type: 'OnboardUser', userId: `${g}-owner`, name: g, role: 'data-scientist', groupId: g })),
    { type: 'OnboardUser', userId: 'reader', name: 'Reader', role: 'data-scientist', groupId: READER_GROUP },
  ];
  const s = await engine.executeBatch(setup);
  if (s.outcomes.some((o) => !o.ok))
    throw new Error(`assets bench: setup refused: ${JSON.stringify(s.outcomes.find((o) => !o.ok))}`);

  const catalogue = await createDeciderEngine(assetsDecider, { store, stream: ASSETS_STREAM, clock: { now } });
  const run = async (commands: AssetCommand[]) => {
    const r = await catalogue.executeBatch(commands);
    const refused = r.outcomes.find((o) => !o.ok);
    if (refused) throw new Error(`assets bench: a command was refused: ${JSON.stringify(refused)}`);
  };
  const groupOf = (i: number) => groups[i % ASSETS.groups] as string;
  const nameOf = (i: number) => `d${Math.floor(i / ASSETS.groups)}`;
  for (let first = 0; first < assets; first += ASSETS.perBatch) {
    const n = Math.min(ASSETS.perBatch, assets - first);
    await run(
      Array.from({ length: n }, (_, k): AssetCommand => {
        const i = first + k;
        const group = groupOf(i);
        return {
          type: 'CreateAsset',
          kind: 'dataset',
          group,
          name: nameOf(i),
          owner: `${group}-owner`,
          description: `synthetic dataset ${i}`,
          tags: ['bench', i % 2 === 0 ? 'even' : 'odd'],
          source: { kind: 'object', uri: `s3://bench/${group}/${nameOf(i)}/` },
        };
      }),
    );
  }
  // A version of each of the reader's group's datasets.
  const mine = Array.from({ length: Math.ceil(assets / ASSETS.groups) }, (_, k) => `${READER_GROUP}/d${k}`);
  for (let first = 0; first < mine.length; first += ASSETS.perBatch) {
    await run(
      mine.slice(first, first + ASSETS.perBatch).map(
        (assetId, k): AssetCommand => ({
          type: 'RecordAssetVersion',
          assetId,
          by: `${READER_GROUP}-owner`,
          pin: { objectVersion: `v${first + k}` },
          uri: `s3://bench/${assetId}/`,
        }),
      ),
    );
  }
  const events = catalogue.revision + 1;

  const tokens = await TokenRegistry.open(store, { now });
  const reader = engine.current.users.get('reader');
  const op = engine.current.users.get('op');
  if (!reader || !op) throw new Error('assets bench: the users are missing');
  const { token } = await tokens.issue(reader, 'bench');
  await tokens.issue(op, 'bench'); // so that the server issues none at start
  await catalogue.close();
  await engine.close();
  tokens.close();
  await store.close();
  archive.close();
  return { token, events };
}

async function load(options: autocannon.Options) {
  const r = await autocannon(options);
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`assets bench: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts; not a result`);
  }
  return r;
}

export async function assetsRun(): Promise<AssetsRun> {
  const dir = mkdtempSync(join(tmpdir(), 'gpupool-bench-assets-'));
  try {
    const file = join(dir, 'assets.db');
    const cluster = join(dir, 'cluster.yaml');
    writeFileSync(cluster, CLUSTER_YAML);
    const b0 = performance.now();
    const { token, events } = await build(file, ASSETS.assets);
    const buildSeconds = (performance.now() - b0) / 1000;
    const server = serverChild(file, cluster);
    try {
      const [ready] = await Promise.all([server.next('ready'), server.next('started')]);
      const url = `${ready.url}/api/v1/datasets?limit=1000`;
      const headers = { authorization: `Bearer ${token}` };
      const first = await fetch(url, { headers });
      const items = ((await first.json()) as unknown[]).length;
      const expected = Math.ceil(ASSETS.assets / ASSETS.groups);
      if (first.status !== 200 || items !== expected) {
        throw new Error(`assets bench: the list answered ${first.status} with ${items} items, not ${expected}`);
      }
      await load({ url, headers, connections: ASSETS.connections, duration: ASSETS.warmupSeconds });
      const single = await load({ url, headers, connections: 1, duration: Math.max(2, ASSETS.seconds / 2) });
      const r = await load({ url, headers, connections: ASSETS.connections, duration: ASSETS.seconds });
      return {
        buildSeconds,
        events,
        startSeconds: ready.startSeconds as number,
        rssStartMb: ready.rssMb as number,
        items,
        bytesPerResponse: r.throughput.total / Math.max(1, r['2xx']),
        requestsPerSecond: r['2xx'] / r.duration,
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        singleP50Ms: single.latency.p50,
        singleP99Ms: single.latency.p99,
      };
    } finally {
      // A server that died has nothing to close (the error of the step that waited for it says so).
      if (server.proc.exitCode === null) {
        const closed = server.next('closed');
        server.proc.send({ type: 'close' });
        await closed;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
