/**
 * The dashboard's event stream reader (web/src/api/events.ts) against `gpupool serve`: the token
 * goes in a header, and a connection lost mid-stream is reopened with Last-Event-ID, so every
 * event arrives once, in order, with nothing lost across the gap. Runs in Node (fetch and web
 * streams are built in); no browser needed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../../adapters/test-support/event-store-contract.js';
import { type Served, serve } from '../../app/serve.js';
import { followEvents, type StreamEvent, type StreamStatus } from '../src/api/events.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-events-'));
let served: Served;
let token: string;

beforeAll(async () => {
  const cluster = join(dir, 'cluster.yaml');
  writeFileSync(cluster, 'nodes:\n  - id: n1\n    gpus: { type: A100, count: 4 }\n');
  served = await serve({ port: 0, store: join(dir, 'events.db'), cluster, launchDelaySeconds: 0.05, leaderLeaseSeconds: 1 });
  token = served.bootstrapToken?.token as string;
});
afterAll(async () => {
  await served?.close();
  rmSync(dir, { recursive: true, force: true });
});

const submit = (jobId: string) => served.engine.execute({ type: 'SubmitJob', jobId, kind: 'notebook', owner: 'admin', gpus: 0 });

it('resumes after a lost connection from the last event seen: nothing lost, nothing twice', async () => {
  const seen: StreamEvent[] = [];
  const statuses: StreamStatus[] = [];
  const stream = followEvents({
    token,
    baseUrl: served.url,
    onEvents: (events) => seen.push(...events),
    onStatus: (s) => statuses.push(s),
  });
  try {
    await eventually(() => expect(statuses).toContain('live'), 5_000, 10);
    for (const id of ['a', 'b']) await submit(id);
    await eventually(() => expect(seen.some((e) => e.data.jobId === 'b')).toBe(true), 5_000, 10);
    // The connection drops (every socket of the server is cut), and events go on meanwhile.
    served.app.server.closeAllConnections();
    for (const id of ['c', 'd', 'e']) await submit(id);
    await eventually(() => expect(seen.some((e) => e.data.jobId === 'e')).toBe(true), 10_000, 20);
    expect(statuses).toContain('reconnecting');
    const revisions = seen.map((e) => e.revision);
    expect(new Set(revisions).size).toBe(revisions.length);
    expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    // Every event of the cluster stream after the first one seen, without a gap.
    const first = revisions[0] as number;
    const last = revisions.at(-1) as number;
    expect(revisions).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
  } finally {
    stream.stop();
  }
});

it('ends, without retrying, when the token is not valid', async () => {
  const statuses: string[] = [];
  followEvents({
    token: 'nope',
    baseUrl: served.url,
    onEvents: () => {},
    onStatus: (s, why) => statuses.push(`${s}${why ? `: ${why}` : ''}`),
  });
  await eventually(() => expect(statuses.at(-1)).toBe('ended: the token is no longer valid'), 5_000, 10);
});
