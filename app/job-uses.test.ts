/**
 * Jobs' uses of assets, as the leader's reactor over the cluster stream (job-outputs) records them:
 * a job submitted with inputs counts one use of each version it was pinned to, whoever records it
 * (the route, the reactor, both, a reactor restarted), and a use the route never recorded (the
 * process died after the job's append, the store closed under it at shutdown) is recorded by the
 * reactor.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture } from '../adapters/http/test-support/fixture.js';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import { eventually } from '../adapters/test-support/event-store-contract.js';
import { ASSETS_STREAM, assetsDecider } from '../core/assets/assets-decider.js';
import type { AssetCommand } from '../core/assets/commands.js';
import type { Command } from '../core/cluster/commands.js';
import type { Event } from '../core/cluster/events.js';
import { COMMAND_ID_WINDOW } from '../core/idempotency.js';
import type { EventStore } from '../core/ports.js';
import { createDeciderEngine, createEngine, type Engine } from '../engine/engine.js';
import type { ReactorRunner } from '../engine/reactor.js';
import { JOB_OUTPUTS, startJobOutputs } from './job-outputs.js';
import { forgottenUses } from './job-uses.js';
import { BOOTSTRAP_OPERATOR } from './options.js';
import { serve } from './serve.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-job-uses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A fixture with alice's workspace `code` and dataset `images` in group ga, a version each. */
async function withAssets(options: Parameters<typeof fixture>[0] = {}): Promise<Fixture> {
  const f = await fixture(options);
  cleanups.push(() => f.close().catch(() => {}));
  const ok = async (path: string, body: unknown) => {
    const r = await f.call('alice', 'POST', path, body);
    if (r.status !== 201) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  await ok('/api/v1/workspaces', { name: 'code', source: { kind: 'git', url: 'https://example.com/acme/code.git' } });
  await ok('/api/v1/workspaces/code/versions', { pin: { commit: 'c0ffee' } });
  await ok('/api/v1/datasets', { name: 'images', source: { kind: 'object', uri: 's3://acme/images/' } });
  await ok('/api/v1/datasets/images/versions', { pin: { etag: 'e1' } });
  return f;
}

const INPUTS = {
  workspace: { assetId: 'code' },
  datasets: [{ assetId: 'images', mountPath: '/data/images' }],
};

/** What a submission through the route pins INPUTS to, as the cluster's command carries it. */
const PINNED = {
  workspace: { assetId: 'ga/code', version: 1 },
  datasets: [{ assetId: 'ga/images', version: 1, mountPath: '/data/images' }],
};

const submit = (jobId: string): Command => ({
  type: 'SubmitJob',
  jobId,
  owner: 'alice',
  kind: 'training',
  gpus: 0,
  inputs: PINNED,
});

/** The reactor that records jobs' uses (and outputs), as the leader runs it; it must tell of no failure. */
function start(engine: Engine, assets: Fixture['assets'], store: EventStore): ReactorRunner<Event, AssetCommand> {
  const errors: unknown[] = [];
  const runner = startJobOutputs(engine, assets, store, (e) => errors.push(e));
  cleanups.push(async () => {
    await runner.stop().catch(() => {});
    expect(errors).toEqual([]);
  });
  return runner;
}

/**
 * The uses each asset counts, and per job the versions the stream counts it used (an AssetsUsed's
 * refs; one per AssetUsed, as older servers recorded them).
 */
async function uses(f: Pick<Fixture, 'assets' | 'store'>) {
  const perJob: Record<string, number> = {};
  for (const r of await f.store.read(ASSETS_STREAM)) {
    const e = r.data as { type: string; jobId?: string; refs?: unknown[] };
    const n = e.type === 'AssetsUsed' ? (e.refs?.length ?? 0) : e.type === 'AssetUsed' ? 1 : 0;
    if (n > 0 && e.jobId) perJob[e.jobId] = (perJob[e.jobId] ?? 0) + n;
  }
  const of = (id: string) => f.assets.current.assets.get(id)?.uses;
  return { code: of('ga/code'), images: of('ga/images'), perJob };
}

/** Resolves once the assets engine has finished every command sent to it so far. */
const settled = (f: Pick<Fixture, 'assets'>) => f.assets.catchUp();

describe("the reactor's uses of a job's inputs", () => {
  it('records the uses of a job appended with inputs that no route recorded (the process died in between)', async () => {
    const f = await withAssets();
    // What a crash after the job's append leaves: the job, and no use of its inputs.
    expect((await f.engine.execute(submit('ga/orphan'))).ok).toBe(true);
    expect(await uses(f)).toEqual({ code: 0, images: 0, perJob: {} });

    const runner = start(f.engine, f.assets, f.store);
    await runner.until(BigInt(f.engine.durableRevision));
    expect(await uses(f)).toEqual({ code: 1, images: 1, perJob: { 'ga/orphan': 2 } });
    expect(f.assets.current.commands.has('uses:ga/orphan')).toBe(true);
  });

  it('counts each use once when the route and the reactor both record it, whichever comes first', async () => {
    const f = await withAssets();
    // The route alone first (the reactor not running yet), then the reactor over the same job.
    expect(
      (await f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'first', kind: 'training', gpus: 0, inputs: INPUTS })).status,
    ).toBe(201);
    await settled(f);
    expect(await uses(f)).toEqual({ code: 1, images: 1, perJob: { 'ga/first': 2 } });
    const runner = start(f.engine, f.assets, f.store);
    await runner.until(BigInt(f.engine.durableRevision));
    expect(await uses(f)).toEqual({ code: 1, images: 1, perJob: { 'ga/first': 2 } });

    // Both live: submissions, a clone and a retry with the same Idempotency-Key race the reactor.
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) =>
        f.call('alice', 'POST', '/api/v1/jobs', { jobId: `j${i}`, kind: 'training', gpus: 0, inputs: INPUTS }),
      ),
      f.call('alice', 'POST', '/api/v1/jobs/first/clone', { jobId: 'copy' }),
      f.call('alice', 'POST', '/api/v1/jobs', { kind: 'training', gpus: 0, inputs: INPUTS }, { 'idempotency-key': 'k1' }),
      f.call('alice', 'POST', '/api/v1/jobs', { kind: 'training', gpus: 0, inputs: INPUTS }, { 'idempotency-key': 'k1' }),
    ]);
    expect(answers.map((a) => a.status).filter((s) => s !== 201)).toEqual([]);
    await runner.until(BigInt(f.engine.durableRevision));
    await settled(f);
    const after = await uses(f);
    // 23 jobs: first, j0..j19, the copy, and one for the key sent twice.
    expect(Object.keys(after.perJob)).toHaveLength(23);
    expect(Object.values(after.perJob).every((n) => n === 2)).toBe(true);
    expect([after.code, after.images]).toEqual([23, 23]);
  });

  it('counts nothing again when restarted from its checkpoint, from no checkpoint, or over an assets engine loaded from a snapshot', async () => {
    const f = await withAssets();
    const first = start(f.engine, f.assets, f.store);
    for (const id of ['ga/a', 'ga/b']) expect((await f.engine.execute(submit(id))).ok).toBe(true);
    await first.until(BigInt(f.engine.durableRevision));
    await first.stop();
    const handled = await f.store.readCheckpoint(JOB_OUTPUTS);
    expect(handled).toBe(BigInt(f.engine.durableRevision));
    const counted = { code: 2, images: 2, perJob: { 'ga/a': 2, 'ga/b': 2 } };
    expect(await uses(f)).toEqual(counted);

    // A job more, then a restart from the checkpoint: only the new job's uses are recorded.
    expect((await f.engine.execute(submit('ga/c'))).ok).toBe(true);
    const second = start(f.engine, f.assets, f.store);
    await second.until(BigInt(f.engine.durableRevision));
    await second.stop();
    expect(await uses(f)).toEqual({ code: 3, images: 3, perJob: { 'ga/a': 2, 'ga/b': 2, 'ga/c': 2 } });

    // A crash that lost the checkpoint: the whole stream handled again, over an assets engine
    // started from a snapshot (its remembered command ids come from it): answered as duplicates.
    await f.assets.snapshot();
    const reloaded = await createDeciderEngine(assetsDecider, { store: f.store, stream: ASSETS_STREAM, snapshotEvery: 1_000 });
    expect(reloaded.current.commands.has('uses:ga/a')).toBe(true);
    await f.store.writeCheckpoint(JOB_OUTPUTS, -1n);
    const third = start(f.engine, reloaded, f.store);
    await third.until(BigInt(f.engine.durableRevision));
    await third.stop();
    expect(await uses({ assets: reloaded, store: f.store })).toEqual({
      code: 3,
      images: 3,
      perJob: { 'ga/a': 2, 'ga/b': 2, 'ga/c': 2 },
    });
  });

  it('at a first start on a history older than the window of command ids, counts none of the uses the window forgot again', async () => {
    const f = await withAssets();
    // A job whose uses an older server recorded one by one, and one whose uses are one command.
    expect((await f.engine.execute(submit('ga/old'))).ok).toBe(true);
    await appendOneByOne(f, 'ga/old', ['ga/code', 'ga/images']);
    expect((await f.engine.execute(submit('ga/mid'))).ok).toBe(true);
    expect((await f.assets.execute(pinnedUses('ga/mid'))).ok).toBe(true);
    // A window's worth of other commands since: the old jobs' use ids are forgotten.
    expect(
      (await f.call('alice', 'POST', '/api/v1/datasets', { name: 'busy', source: { kind: 'object', uri: 's3://b/' } })).status,
    ).toBe(201);
    expect((await f.assets.execute({ type: 'RecordAssetVersion', assetId: 'ga/busy', by: 'alice', pin: { etag: 'b' } })).ok).toBe(
      true,
    );
    for (let i = 0; i < COMMAND_ID_WINDOW; i += 10_000) {
      const batch = Array.from(
        { length: 10_000 },
        (_, k): AssetCommand => ({
          type: 'RecordAssetUses',
          jobId: `f${i + k}`,
          refs: [{ assetId: 'ga/busy', version: 1 }],
          commandId: `f${i + k}`,
        }),
      );
      const r = await f.assets.executeBatch(batch);
      expect(r.outcomes.every((o) => o.ok)).toBe(true);
    }
    expect(f.assets.current.commands.has('uses:ga/mid')).toBe(false);
    expect(await forgottenUses(f.store, f.assets)).toEqual(
      new Set(['use:ga/old:ga/code@1', 'use:ga/old:ga/images@1', 'uses:ga/mid']),
    );

    // A job whose uses no route recorded, after the window moved on: the reactor records those.
    expect((await f.engine.execute(submit('ga/new'))).ok).toBe(true);
    const runner = start(f.engine, f.assets, f.store);
    await runner.until(BigInt(f.engine.durableRevision));
    const after = await uses(f);
    expect([after.code, after.images, after.perJob['ga/old'], after.perJob['ga/mid'], after.perJob['ga/new']]).toEqual([
      3, 3, 2, 2, 2,
    ]);
  }, 60_000);

  it('counts once the uses of a job an older server recorded one by one, in part, when handled again after an upgrade', async () => {
    const f = await withAssets();
    // The older route recorded the workspace's use and died before the dataset's.
    expect((await f.engine.execute(submit('ga/before'))).ok).toBe(true);
    await appendOneByOne(f, 'ga/before', ['ga/code']);
    expect(await uses(f)).toEqual({ code: 1, images: 0, perJob: { 'ga/before': 1 } });

    const runner = start(f.engine, f.assets, f.store);
    await runner.until(BigInt(f.engine.durableRevision));
    await settled(f);
    expect(await uses(f)).toEqual({ code: 1, images: 1, perJob: { 'ga/before': 2 } });
    const recorded = (await f.store.read(ASSETS_STREAM)).map((r) => r.data as { type: string; commandId?: string });
    expect(recorded.filter((e) => e.commandId === 'uses:ga/before')).toMatchObject([
      { type: 'AssetsUsed', refs: [{ assetId: 'ga/images', version: 1 }] },
    ]);
  });

  it('a submission in flight when the server shuts down logs no error, and its uses are recorded at the next start', async () => {
    const file = join(dir, 'shutdown.db');
    const sqlite = new SqliteEventStore(file);
    // The assets stream's appends wait at a gate once it is shut: the uses are on their way when
    // the server closes and the store with it.
    let shut = false;
    let arrived!: () => void;
    const atGate = new Promise<void>((r) => (arrived = r));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const store = new Proxy(sqlite, {
      get(target, prop, receiver) {
        if (prop === 'append') {
          return async (...args: Parameters<EventStore['append']>) => {
            if (shut && args[0] === ASSETS_STREAM) {
              arrived();
              await gate;
            }
            return target.append(...args);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const lines: { level: number; msg?: string; err?: { message?: string } }[] = [];
    const f = await withAssets({
      store,
      logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
    });
    shut = true;
    const before = lines.length;
    const answer = f.call('alice', 'POST', '/api/v1/jobs', { jobId: 'late', kind: 'training', gpus: 0, inputs: INPUTS });
    await atGate;
    // Shutdown as `serve` does it: the HTTP server, the engines, then the store; then the uses'
    // append finds the store closed.
    await f.app.close();
    await f.assets.close();
    await f.engine.close();
    await sqlite.close();
    open();
    const { status } = await answer;
    await new Promise((r) => setTimeout(r, 20));
    expect(lines.slice(before).filter((l) => l.level >= 40)).toEqual([]);
    // Answered as accepted: the job is durable, and its uses are the reactor's to record.
    expect(status).toBe(201);

    // The next start: the job is there, its uses are not, until the reactor records them.
    const reopened = new SqliteEventStore(file);
    cleanups.push(() => reopened.close());
    const engine = await createEngine({ store: reopened });
    const assets = await createDeciderEngine(assetsDecider, { store: reopened, stream: ASSETS_STREAM });
    expect(engine.current.jobs.has('ga/late')).toBe(true);
    expect(await uses({ assets, store: reopened })).toEqual({ code: 0, images: 0, perJob: {} });
    const runner = start(engine, assets, reopened);
    await runner.until(BigInt(engine.durableRevision));
    expect(await uses({ assets, store: reopened })).toEqual({ code: 1, images: 1, perJob: { 'ga/late': 2 } });
  });
});

/** The uses a route records for a job on PINNED, its id written out: the format both sides rely on. */
function pinnedUses(jobId: string): AssetCommand {
  return {
    type: 'RecordAssetUses',
    jobId,
    refs: [
      { assetId: 'ga/code', version: 1 },
      { assetId: 'ga/images', version: 1 },
    ],
    commandId: `uses:${jobId}`,
  };
}

/**
 * Uses of version 1 of each asset named, as an older server recorded them: an AssetUsed event
 * each, under an id per version (`use:<jobId>:<assetId>@<version>`), appended to the store and
 * read back by the assets engine as another writer's.
 */
async function appendOneByOne(f: Fixture, jobId: string, assetIds: string[]): Promise<void> {
  const events = assetIds.map((assetId) => {
    const commandId = `use:${jobId}:${assetId}@1`;
    return {
      id: `${commandId}:event`,
      type: 'AssetUsed',
      data: { v: 1, at: 0, type: 'AssetUsed', assetId, version: 1, jobId, commandId, fingerprint: commandId },
    };
  });
  expect((await f.store.append(ASSETS_STREAM, events, 'any')).ok).toBe(true);
  await f.assets.catchUp();
}

describe('gpupool serve', () => {
  it('records, once it leads, the uses of a job a server that died appended without them', async () => {
    const file = join(dir, 'serve.db');
    const cluster = join(dir, 'cluster.yaml');
    writeFileSync(cluster, 'nodes:\n  - id: n1\n    gpus: { type: A100, count: 4 }\n');
    // A first start offers the example workspace and dataset, a version each.
    const first = await serve({ port: 0, store: file, cluster });
    const token = first.bootstrapToken?.token as string;
    await first.close();
    // A server that appended a job with inputs and died before recording its uses.
    const store = new SqliteEventStore(file);
    const engine = await createEngine({ store });
    const appended = await engine.execute({
      type: 'SubmitJob',
      jobId: 'default/orphan',
      owner: BOOTSTRAP_OPERATOR,
      kind: 'training',
      gpus: 0,
      inputs: {
        workspace: { assetId: 'default/examples', version: 1 },
        datasets: [{ assetId: 'default/mnist', version: 1, mountPath: '/data/mnist' }],
      },
    });
    expect(appended.ok).toBe(true);
    await store.close();

    const again = await serve({ port: 0, store: file, cluster, leaderLeaseSeconds: 1 });
    cleanups.push(() => again.close());
    const read = async (path: string) =>
      (await (await fetch(again.url + path, { headers: { authorization: `Bearer ${token}` } })).json()) as { uses: number };
    await eventually(async () => expect((await read('/api/v1/datasets/mnist')).uses).toBe(1), 10_000, 20);
    expect((await read('/api/v1/workspaces/examples')).uses).toBe(1);
  });
});
