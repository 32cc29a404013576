/**
 * The EventStoreDB store against the EventStore port's contract, on the contract-level fake server
 * (test-support/fake-server.ts) and, when ESDB_CONNECTION_STRING is set, on a real EventStoreDB;
 * plus what only this store promises: namespaces, chunked snapshots that are never trusted when
 * broken, idempotent retries by event id, resubscription, clear errors, and an engine that
 * restarts on it.
 *
 * Every test gets a namespace of its own, so one server serves the whole file.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, type JSONType, jsonEvent, NO_STREAM } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_SCHEMA_VERSION } from '../../core/cluster/snapshot.js';
import { canonicalState } from '../../core/cluster/test-support/canonical.js';
import { completed, started, submit, teamSetup } from '../../core/cluster/test-support/given.js';
import type { EventStore, NewEvent, RecordedEvent } from '../../core/ports.js';
import { CLUSTER_STREAM, createEngine } from '../../engine/engine.js';
import { eventStoreContract, eventually } from '../test-support/event-store-contract.js';
import { EventStoreDBEventStore, type EventStoreDBStoreOptions } from './store.js';
import { type FakeEventStoreDB, startFakeEventStoreDB } from './test-support/fake-server.js';

const REAL = process.env.ESDB_CONNECTION_STRING;
const REAL_SKIPPED = 'real EventStoreDB: skipped, set ESDB_CONNECTION_STRING to run';
if (!REAL) console.warn(`${REAL_SKIPPED} (e.g. esdb://localhost:2113?tls=false)`);

let fake: FakeEventStoreDB;
let oldServerFake: FakeEventStoreDB;
beforeAll(async () => {
  fake = await startFakeEventStoreDB();
  oldServerFake = await startFakeEventStoreDB({ batchAppend: false });
});
afterAll(async () => {
  await fake.stop();
  await oldServerFake.stop();
});

/** A namespace no other test uses. */
const namespace = () => `t_${randomUUID().replaceAll('-', '')}`;
const ev = (type = 'Happened', data: unknown = { n: 1 }): NewEvent => ({ id: randomUUID(), type, data });
const evs = (n: number): NewEvent[] => Array.from({ length: n }, (_, i) => ev('Happened', { i }));

/**
 * Another store on the same server and namespace: what a restarted process would open (reopen), or
 * a second process beside the first (sibling), with a connection of its own.
 */
const reopenOn = (connectionString: () => string) => {
  const another = (store: EventStore) =>
    new EventStoreDBEventStore(connectionString(), { namespace: (store as EventStoreDBEventStore).namespace });
  return { reopen: another, sibling: another };
};

eventStoreContract(
  'EventStoreDBEventStore on the fake server',
  () => new EventStoreDBEventStore(fake.connectionString, { namespace: namespace() }),
  reopenOn(() => fake.connectionString),
);

// Against a server that predates BatchAppend the client appends through Streams.Append.
eventStoreContract(
  'EventStoreDBEventStore on the fake server, without BatchAppend',
  () => new EventStoreDBEventStore(oldServerFake.connectionString, { namespace: namespace() }),
  reopenOn(() => oldServerFake.connectionString),
);

describe.skipIf(!REAL)(REAL ? 'real EventStoreDB' : REAL_SKIPPED, () => {
  eventStoreContract(
    'EventStoreDBEventStore on a real server',
    () => new EventStoreDBEventStore(REAL as string, { namespace: namespace() }),
    reopenOn(() => REAL as string),
  );
});

// What holds on any server: run on the fake, and on the real one when there is one.
const servers: [string, () => string][] = [['the fake server', () => fake.connectionString]];
if (REAL) servers.push(['a real server', () => REAL]);

describe.each(servers)('EventStoreDBEventStore specifics on %s', (_name, connectionString) => {
  const open = (options: EventStoreDBStoreOptions = {}) =>
    new EventStoreDBEventStore(connectionString(), { namespace: namespace(), ...options });

  it('round-trips a snapshot of several MB through many chunks, none near the append limit', async () => {
    const store = open();
    const state = {
      jobs: Array.from({ length: 40_000 }, (_, i) => [`job-${i}`, { gpus: i % 8, tags: `team-${i % 97}-${'x'.repeat(64)}` }]),
      now: 12.5,
    };
    const size = Buffer.byteLength(JSON.stringify(state));
    expect(size).toBeGreaterThan(4_000_000);
    await store.writeSnapshot('cluster', { revision: 41n, schemaVersion: 3, state });
    expect(await store.readSnapshot('cluster', 3)).toEqual({ revision: 41n, schemaVersion: 3, state });
    await store.close();
  });

  it('appends a snapshot given in pieces as chunks of exactly snapshotChunkBytes, cutting characters anywhere, and reads it back whole', async () => {
    const store = open({ snapshotChunkBytes: 7 });
    const rocket = '\u{1F680}';
    const state = { crew: ['Émilie', `${rocket}${rocket}`, 'ß'.repeat(9)] };
    const text = JSON.stringify(state);
    // The engine's pieces may cut anywhere, even between the two halves of the rocket.
    const cut = text.indexOf(rocket) + 1;
    const json = [text.slice(0, 5), text.slice(5, cut), text.slice(cut)];
    await store.writeSnapshot('s', { revision: 3n, schemaVersion: 1, state, json });
    const raw = EventStoreDBClient.connectionString(connectionString());
    try {
      const chunks: number[] = [];
      for await (const r of raw.readStream(store.snapshotStreamName('s'))) {
        if (r.event?.type === 'SnapshotChunk') chunks.push((r.event.data as Uint8Array).length);
      }
      const bytes = Buffer.byteLength(text);
      expect(chunks).toEqual([...Array(Math.floor(bytes / 7)).fill(7), ...(bytes % 7 > 0 ? [bytes % 7] : [])]);
    } finally {
      await raw.dispose();
    }
    expect(await store.readSnapshot('s', 1)).toEqual({ revision: 3n, schemaVersion: 1, state });
    await store.close();
  });

  it('keeps only the latest snapshot readable, per version, and never the snapshot of another version', async () => {
    const store = open({ snapshotChunkBytes: 1000 });
    const big = (n: number) => ({ n, pad: 'y'.repeat(5000) });
    await store.writeSnapshot('s', { revision: 1n, schemaVersion: 1, state: big(1) });
    await store.writeSnapshot('s', { revision: 9n, schemaVersion: 1, state: big(9) });
    expect(await store.readSnapshot('s', 1)).toEqual({ revision: 9n, schemaVersion: 1, state: big(9) });
    expect(await store.readSnapshot('s', 2)).toBeUndefined();
    await store.writeSnapshot('s', { revision: 12n, schemaVersion: 2, state: big(12) });
    expect(await store.readSnapshot('s', 2)).toEqual({ revision: 12n, schemaVersion: 2, state: big(12) });
    // The newer version's snapshot truncates the stream before it: version 1's is gone.
    expect(await store.readSnapshot('s', 1)).toBeUndefined();
    await store.close();
  });

  it('reads a snapshot with a missing or altered chunk, or a lying marker, as no snapshot', async () => {
    const store = open({ snapshotChunkBytes: 1000 });
    const name = store.snapshotStreamName('s');
    const state = { pad: 'z'.repeat(10_000) };
    await store.writeSnapshot('s', { revision: 5n, schemaVersion: 1, state });
    const raw = EventStoreDBClient.connectionString(connectionString());
    try {
      const events = [];
      for await (const r of raw.readStream(name)) if (r.event) events.push(r.event);
      const marker = events[events.length - 1];
      expect(marker?.type).toBe('Snapshot');
      const data = marker?.data as Record<string, unknown>;
      expect(data.chunks).toBe(11);
      expect(await store.readSnapshot('s', 1)).toEqual({ revision: 5n, schemaVersion: 1, state });

      // A marker claiming another digest, or one more chunk than there is: not trusted.
      await raw.appendToStream(name, jsonEvent({ type: 'Snapshot', data: { ...data, sha256: '0'.repeat(64) } }));
      expect(await store.readSnapshot('s', 1)).toBeUndefined();
      await raw.appendToStream(name, jsonEvent({ type: 'Snapshot', data: { ...data, chunks: 12, bytes: 11_000 } }));
      expect(await store.readSnapshot('s', 1)).toBeUndefined();
      // The true marker again: readable again.
      await raw.appendToStream(name, jsonEvent({ type: 'Snapshot', data }));
      expect(await store.readSnapshot('s', 1)).toEqual({ revision: 5n, schemaVersion: 1, state });

      // Its first chunk gone (the stream truncated past it): not trusted.
      await raw.setStreamMetadata(name, { truncateBefore: Number(data.firstChunk) + 1 });
      expect(await store.readSnapshot('s', 1)).toBeUndefined();
    } finally {
      await raw.dispose();
    }
    await store.close();
  });

  it('skips the chunks of an interrupted snapshot write and finds the snapshot before it', async () => {
    const store = open({ snapshotChunkBytes: 1000 });
    const state = { pad: 'w'.repeat(3000) };
    await store.writeSnapshot('s', { revision: 3n, schemaVersion: 1, state });
    // Two chunks of a write that never got to its marker.
    const raw = EventStoreDBClient.connectionString(connectionString());
    try {
      const chunk = (index: number) => ({
        id: randomUUID(),
        contentType: 'application/octet-stream' as const,
        type: 'SnapshotChunk',
        data: new Uint8Array(1000),
        metadata: { snapshot: randomUUID(), index },
      });
      await raw.appendToStream(store.snapshotStreamName('s'), [chunk(0), chunk(1)]);
    } finally {
      await raw.dispose();
    }
    expect(await store.readSnapshot('s', 1)).toEqual({ revision: 3n, schemaVersion: 1, state });
    await store.close();
  });

  it('keeps namespaces apart on one server: streams, readAll, $all subscriptions and snapshots', async () => {
    const a = open();
    const b = open();
    const seenByA: RecordedEvent[] = [];
    const subA = a.subscribe('$all', {}, (e) => seenByA.push(e));
    const first = evs(2);
    const second = evs(3);
    expect((await a.append('s', first, 'no_stream')).ok).toBe(true);
    expect((await b.append('s', second, 'no_stream')).ok).toBe(true);
    await b.writeSnapshot('s', { revision: 2n, schemaVersion: 1, state: { from: 'b' } });
    await b.writeCheckpoint('billing', 2n);
    expect(await a.readCheckpoint('billing')).toBeUndefined();
    expect(await b.readCheckpoint('billing')).toBe(2n);
    expect((await a.read('s')).map((e) => e.id)).toEqual(first.map((e) => e.id));
    expect((await b.read('s')).map((e) => e.id)).toEqual(second.map((e) => e.id));
    expect((await a.readAll()).map((e) => `${e.stream}:${e.id}`)).toEqual(first.map((e) => `s:${e.id}`));
    expect(await b.readAll()).toHaveLength(3);
    expect(await a.readSnapshot('s', 1)).toBeUndefined();
    await eventually(() => expect(seenByA.map((e) => e.id)).toEqual(first.map((e) => e.id)));
    subA.close();
    await a.close();
    await b.close();
  });

  it('readAll honours maxCount among other namespaces’ events, and reads on from a position plus one', async () => {
    const mine = open();
    const other = open();
    for (let i = 0; i < 5; i++) {
      await mine.append('s', [ev()], i === 0 ? 'no_stream' : BigInt(i - 1));
      await other.append('s', evs(3), i === 0 ? 'no_stream' : BigInt(3 * i - 1));
    }
    const all = await mine.readAll();
    expect(all.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(await mine.readAll({ maxCount: 3 })).toEqual(all.slice(0, 3));
    // The export idiom: the next page starts one past the last position seen.
    const rest = await mine.readAll({ fromPosition: (all[1] as RecordedEvent).position + 1n, maxCount: 2 });
    expect(rest).toEqual(all.slice(2, 4));
    await mine.close();
    await other.close();
  });

  it('recognises a retried append by its event ids: the same answer, nothing written twice', async () => {
    const store = open();
    const batch = evs(3);
    const r1 = await store.append('s', batch, 'no_stream');
    const r2 = await store.append('s', batch, 'no_stream');
    expect(r2).toEqual(r1);
    expect(r1).toMatchObject({ ok: true, nextExpectedRevision: 2n });
    const next = evs(2);
    const r3 = await store.append('s', next, 2n);
    expect(await store.append('s', next, 2n)).toEqual(r3);
    expect((await store.read('s')).map((e) => e.id)).toEqual([...batch, ...next].map((e) => e.id));
    await store.close();
  });

  it('keeps only the last checkpoint readable in its stream: each write truncates before itself', async () => {
    const store = open();
    const name = store.checkpointStreamName('billing');
    expect(name).toBe(`${store.namespace}.checkpoint-billing`);
    for (const p of [10n, 20n, 2n ** 64n - 2n]) await store.writeCheckpoint('billing', p);
    const raw = EventStoreDBClient.connectionString(connectionString());
    try {
      const visible = [];
      for await (const r of raw.readStream(name)) if (r.event) visible.push(r.event);
      expect(visible.map((e) => [e.revision, e.type, e.data])).toEqual([
        [2n, 'Checkpoint', { position: '18446744073709551614' }],
      ]);
      expect((await raw.getStreamMetadata(name)).metadata?.truncateBefore).toBe(2);
    } finally {
      await raw.dispose();
    }
    expect(await store.readCheckpoint('billing')).toBe(2n ** 64n - 2n);
    await store.close();
  });

  it('refuses to read a checkpoint stream that ends with something else, rather than start over', async () => {
    const store = open();
    await store.writeCheckpoint('billing', 5n);
    const raw = EventStoreDBClient.connectionString(connectionString());
    try {
      await raw.appendToStream(store.checkpointStreamName('billing'), jsonEvent({ type: 'Other', data: { position: '7' } }));
      await raw.appendToStream(store.checkpointStreamName('alerts'), jsonEvent({ type: 'Checkpoint', data: { position: 7 } }));
    } finally {
      await raw.dispose();
    }
    await expect(store.readCheckpoint('billing')).rejects.toThrow(
      /stream 't_\w+\.checkpoint-billing' ends with an event that is not a checkpoint \(type 'Other', revision 1\)/,
    );
    // A number (not decimal text) is not a checkpoint this store wrote either.
    await expect(store.readCheckpoint('alerts')).rejects.toThrow(/not a checkpoint \(type 'Checkpoint', revision 0\)/);
    // Writing again puts a checkpoint last, and it reads.
    await store.writeCheckpoint('billing', 8n);
    expect(await store.readCheckpoint('billing')).toBe(8n);
    await store.close();
  });

  it('keeps only the last lease event readable in its stream: each take, renewal or release truncates before itself', async () => {
    const store = open();
    const name = store.leaseStreamName('leader');
    expect(name).toBe(`${store.namespace}.lease-leader`);
    await store.acquireLease('leader', 'a', 30, 1000);
    await store.acquireLease('leader', 'a', 30, 1010);
    await store.releaseLease('leader', 'a');
    await store.acquireLease('leader', 'b', 30.5, 1020);
    const raw = EventStoreDBClient.connectionString(connectionString());
    try {
      const visible = [];
      for await (const r of raw.readStream(name)) if (r.event) visible.push(r.event);
      expect(visible.map((e) => [e.revision, e.type, e.data])).toEqual([[3n, 'LeaseTaken', { holder: 'b', expiresAt: 1050.5 }]]);
      expect((await raw.getStreamMetadata(name)).metadata?.truncateBefore).toBe(3);
    } finally {
      await raw.dispose();
    }
    expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'b', expiresAt: 1050.5 });
    await store.close();
  });

  it('refuses a lease stream that ends with something else, rather than call the lease free', async () => {
    const store = open();
    const raw = EventStoreDBClient.connectionString(connectionString());
    try {
      await raw.appendToStream(store.leaseStreamName('leader'), jsonEvent({ type: 'Other', data: { holder: 'x' } }));
      await raw.appendToStream(
        store.leaseStreamName('odd'),
        jsonEvent({ type: 'LeaseTaken', data: { holder: 'x', expiresAt: '5' } }),
      );
    } finally {
      await raw.dispose();
    }
    const notALease = /stream 't_\w+\.lease-leader' ends with an event that is not a lease \(type 'Other', revision 0\)/;
    await expect(store.readLease('leader')).rejects.toThrow(notALease);
    await expect(store.acquireLease('leader', 'a', 30, 1000)).rejects.toThrow(notALease);
    await expect(store.releaseLease('leader', 'x')).rejects.toThrow(notALease);
    // An expiry as text is not a lease this store wrote either.
    await expect(store.readLease('odd')).rejects.toThrow(/not a lease \(type 'LeaseTaken', revision 0\)/);
    await store.close();
  });

  /**
   * A store on a client whose first append to the lease stream `leader` is preceded by `rival`'s
   * event, appended at `after`: another process's write landing between this store's read and its
   * append.
   */
  const withRivalWrite = (rival: { type: string; data: JSONType }, after: bigint | typeof NO_STREAM) => {
    const client = EventStoreDBClient.connectionString(connectionString());
    const store = new EventStoreDBEventStore(client, { namespace: namespace() });
    const append = client.appendToStream.bind(client) as (s: string, e: unknown, o?: unknown) => Promise<unknown>;
    let interposed = false;
    (client as unknown as { appendToStream: typeof append }).appendToStream = async (stream, events, options) => {
      if (!interposed && stream === store.leaseStreamName('leader')) {
        interposed = true;
        await append(stream, jsonEvent(rival), { expectedRevision: after });
      }
      return append(stream, events, options);
    };
    return { store, done: () => store.close().then(() => client.dispose()) };
  };

  it('a take that a rival beat between read and append reads again: refused while the rival’s lease is live', async () => {
    const { store, done } = withRivalWrite({ type: 'LeaseTaken', data: { holder: 'rival', expiresAt: 1060 } }, NO_STREAM);
    expect(await store.acquireLease('leader', 'a', 30, 1000)).toEqual({
      ok: false,
      heldBy: { name: 'leader', holder: 'rival', expiresAt: 1060 },
    });
    expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'rival', expiresAt: 1060 });
    await done();
  });

  it('a take that a rival beat reads again and takes the lease over if the rival’s has already expired', async () => {
    const { store, done } = withRivalWrite({ type: 'LeaseTaken', data: { holder: 'rival', expiresAt: 990 } }, NO_STREAM);
    expect(await store.acquireLease('leader', 'a', 30, 1000)).toEqual({
      ok: true,
      lease: { name: 'leader', holder: 'a', expiresAt: 1030 },
    });
    expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'a', expiresAt: 1030 });
    await done();
  });

  it('a release that a rival’s take-over beat reads again and leaves the rival’s lease alone', async () => {
    const { store, done } = withRivalWrite({ type: 'LeaseTaken', data: { holder: 'rival', expiresAt: 1100 } }, 0n);
    // Taken through another store, so the interposed write waits for the release's append.
    const other = new EventStoreDBEventStore(connectionString(), { namespace: store.namespace });
    expect((await other.acquireLease('leader', 'a', 30, 1000)).ok).toBe(true);
    await store.releaseLease('leader', 'a');
    expect(await store.readLease('leader')).toEqual({ name: 'leader', holder: 'rival', expiresAt: 1100 });
    await other.close();
    await done();
  });

  it('refuses event ids that are not UUIDs before sending anything', async () => {
    const store = open();
    await expect(store.append('s', [{ id: 'job-1', type: 'T', data: {} }], 'no_stream')).rejects.toThrow(
      /event id 'job-1' is not a UUID/,
    );
    expect(await store.read('s')).toEqual([]);
    await store.close();
  });

  it('keeps metadata of any JSON value, and none as null', async () => {
    const store = open();
    const values = [{ by: 'me' }, false, 0, '', [1, 'a']];
    await store.append(
      's',
      values.map((metadata) => ({ ...ev(), metadata })),
      'no_stream',
    );
    await store.append('s', [{ ...ev(), metadata: null }, ev()], 4n);
    expect((await store.read('s')).map((e) => e.metadata)).toEqual([...values, null, null]);
    await store.close();
  });
});

describe('EventStoreDBEventStore on the fake server', () => {
  const open = (options: EventStoreDBStoreOptions = {}) =>
    new EventStoreDBEventStore(fake.connectionString, { namespace: namespace(), ...options });

  it('writes under <namespace>-<stream>, snapshots under <namespace>.snapshot-<stream>, through BatchAppend', async () => {
    const store = open();
    await store.append('cluster', evs(2), 'no_stream');
    await store.writeSnapshot('cluster', { revision: 1n, schemaVersion: 1, state: {} });
    expect(fake.events(`${store.namespace}-cluster`)).toHaveLength(2);
    expect(fake.events(`${store.namespace}.snapshot-cluster`).map((e) => e.type)).toEqual(['SnapshotChunk', 'Snapshot']);
    expect(fake.calls()['/event_store.client.streams.Streams/BatchAppend']).toBeGreaterThan(0);
    // A retry stores nothing twice.
    const batch = evs(2);
    await store.append('cluster', batch, 1n);
    await store.append('cluster', batch, 1n);
    expect(fake.events(`${store.namespace}-cluster`)).toHaveLength(4);
    await store.close();
  });

  it('lands a reactor’s checkpoint writes in call order, and a close waits for those in flight', async () => {
    const store = open();
    const writes = [1n, 2n, 3n, 4n, 5n].map((p) => store.writeCheckpoint('r', p));
    const closing = store.close();
    await Promise.all(writes);
    await closing;
    const name = `${store.namespace}.checkpoint-r`;
    expect(fake.events(name).map((e) => JSON.parse(Buffer.from(e.data).toString('utf8')).position)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    // Nothing of it in the namespace's own streams, so never in readAll or '$all'.
    expect(fake.streamNames().filter((s) => s.startsWith(`${store.namespace}-`))).toEqual([]);
  });

  it('chunks snapshots because one append may not exceed 1 MiB: a single 2 MB chunk is refused by the server', async () => {
    const state = { pad: 'q'.repeat(2_000_000) };
    const unchunked = open({ snapshotChunkBytes: 4_000_000 });
    await expect(unchunked.writeSnapshot('s', { revision: 0n, schemaVersion: 1, state })).rejects.toThrow(
      /snapshot of 's' not written: a chunk of 4000000 bytes is larger than its maximum append size of 1048576 bytes/,
    );
    await unchunked.close();
    const chunked = open();
    await chunked.writeSnapshot('s', { revision: 0n, schemaVersion: 1, state });
    const chunks = Math.ceil(Buffer.byteLength(JSON.stringify(state)) / (512 * 1024));
    expect(chunks).toBe(4);
    expect(fake.events(chunked.snapshotStreamName('s'))).toHaveLength(chunks + 1); // and the marker
    expect(await chunked.readSnapshot('s', 1)).toEqual({ revision: 0n, schemaVersion: 1, state });
    await chunked.close();
  });

  it('refuses an append larger than the server takes, saying so', async () => {
    const store = open();
    const r = store.append('s', [ev('Huge', { pad: 'h'.repeat(1_100_000) })], 'no_stream');
    await expect(r).rejects.toThrow(/maximum append size of 1048576 bytes/);
    expect(await store.read('s')).toEqual([]);
    await store.close();
  });

  it('resubscribes when the server drops a subscription, delivering nothing twice and nothing lost', async () => {
    const dropped: string[] = [];
    const store = open({ onSubscriptionError: (_e, stream) => dropped.push(stream) });
    const revisions: bigint[] = [];
    const ids: string[] = [];
    const sub = store.subscribe('s', {}, (e) => revisions.push(e.revision));
    const all = store.subscribe('$all', {}, (e) => ids.push(e.id));
    await store.append('s', evs(2), 'no_stream');
    await eventually(() => expect(revisions).toEqual([0n, 1n]));
    await eventually(() => expect(ids).toHaveLength(2));
    fake.dropSubscriptions();
    await eventually(() => expect(dropped.sort()).toEqual(['$all', 's']));
    await store.append('s', evs(2), 1n);
    await eventually(() => expect(revisions).toEqual([0n, 1n, 2n, 3n]));
    await eventually(() => expect(ids).toHaveLength(4));
    await new Promise((r) => setTimeout(r, 30));
    expect(ids).toEqual((await store.readAll()).map((e) => e.id));
    sub.close();
    all.close();
    await store.close();
  });

  it('finds the node through gossip with esdb+discover://', async () => {
    const store = new EventStoreDBEventStore(fake.discoverConnectionString, { namespace: namespace() });
    expect(await store.append('s', evs(1), 'no_stream')).toMatchObject({ ok: true, nextExpectedRevision: 0n });
    expect(await store.read('s')).toHaveLength(1);
    await store.close();
  });

  it('says clearly what is wrong with a connection string or a namespace, hiding the password', () => {
    expect(() => new EventStoreDBEventStore('http://localhost:2113')).toThrow(
      /not an EventStoreDB connection string: 'http:\/\/localhost:2113' \(expected esdb:\/\//,
    );
    expect(() => new EventStoreDBEventStore('esdb://localhost:port?tls=false')).toThrow(
      /invalid EventStoreDB connection string 'esdb:\/\/localhost:port\?tls=false': .*expected port number/,
    );
    expect(() => new EventStoreDBEventStore('esdb://localhost:2113?tls=maybe')).toThrow(/expected true or false/);
    let message = '';
    try {
      new EventStoreDBEventStore('esdb://admin:s3cret@localhost:nope');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/invalid EventStoreDB connection string 'esdb:\/\/admin:\*\*\*@localhost:nope'/);
    expect(message).not.toContain('s3cret');
    expect(() => new EventStoreDBEventStore(fake.connectionString, { namespace: 'team-a' })).toThrow(
      /namespace must be letters, digits and '_' only/,
    );
  });

  it('names the server and the operation when the server cannot be reached', async () => {
    const gone = await startFakeEventStoreDB();
    await gone.stop();
    const store = new EventStoreDBEventStore(`${gone.connectionString}&defaultDeadline=2000`, { namespace: namespace() });
    await expect(store.append('s', evs(1), 'no_stream')).rejects.toThrow(
      new RegExp(
        `EventStoreDB append to 's' failed \\(esdb://127.0.0.1:${gone.port}\\?tls=false&defaultDeadline=2000\\): .*UNAVAILABLE`,
      ),
    );
    await store.close();
  });

  it('leaves a client the caller passed in open when it closes', async () => {
    const client = EventStoreDBClient.connectionString(fake.connectionString);
    const ns = namespace();
    const store = new EventStoreDBEventStore(client, { namespace: ns });
    await store.append('s', evs(1), 'no_stream');
    await store.close();
    await expect(store.read('s')).rejects.toThrow(/closed/);
    const again = new EventStoreDBEventStore(client, { namespace: ns });
    expect(await again.read('s')).toHaveLength(1);
    await again.close();
    await client.dispose();
  });

  it('runs an engine that, restarted on the same namespace, rebuilds the same state (from its snapshot)', async () => {
    const ns = namespace();
    const clock = { now: () => 100 };
    const store = new EventStoreDBEventStore(fake.connectionString, { namespace: ns });
    const first = await createEngine({ store, clock, snapshotEvery: 10 });
    const setup = await first.executeBatch(teamSetup());
    expect(setup.outcomes.every((o) => o.ok)).toBe(true);
    for (const [i, gpus] of [4, 4, 2, 8, 1].entries()) await first.execute(submit(`j${i}`, gpus));
    await first.execute(started('j0'));
    await first.execute(completed('j0'));
    expect(first.job('j2')?.status).toBe('Starting');
    await first.close();
    await store.close();

    const reopened = new EventStoreDBEventStore(fake.connectionString, { namespace: ns });
    expect(await reopened.readSnapshot(CLUSTER_STREAM, STATE_SCHEMA_VERSION)).toBeDefined();
    const second = await createEngine({ store: reopened, clock, snapshotEvery: 10 });
    expect(second.revision).toBe(first.revision);
    expect(canonicalState(second.current)).toBe(canonicalState(first.current));
    // And by replay alone, without the snapshot.
    const third = await createEngine({ store: reopened, clock });
    expect(canonicalState(third.current)).toBe(canonicalState(first.current));
    // The restarted engine goes on where the first stopped.
    expect((await second.execute(submit('j9', 1))).ok).toBe(true);
    await reopened.close();
  });
});
