/**
 * `gpupool serve` and the assets context: two servers on one SQLite file each follow the assets
 * stream, so a dataset created through one is read through the other, and a version recorded
 * through the other lands after the first's; a restart on the file keeps them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../adapters/test-support/event-store-contract.js';
import { type Served, serve } from './serve.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-assets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CLUSTER = join(dir, 'cluster.yaml');
writeFileSync(CLUSTER, 'nodes:\n  - id: n1\n    gpus: { type: A100, count: 4 }\n');

const running = new Set<Served>();
afterEach(async () => {
  await Promise.all([...running].map((s) => s.close()));
  running.clear();
});

async function start(store: string): Promise<Served> {
  const served = await serve({ port: 0, store, cluster: CLUSTER });
  running.add(served);
  return served;
}

const client = (url: string, token: string) => async (method: string, path: string, body?: unknown) => {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
};

describe('gpupool serve with workspaces, datasets and models', () => {
  it('two servers on one file read each other’s assets; a restart keeps them', async () => {
    const file = join(dir, 'shared.db');
    const first = await start(file);
    const second = await start(file);
    const token = first.bootstrapToken?.token as string;
    const one = client(first.url, token);
    const two = client(second.url, token);

    const made = await one('POST', '/api/v1/datasets', { name: 'images', source: { kind: 'object', uri: 's3://b/images/' } });
    expect(made.status).toBe(201);
    // The other server reads it once it has followed the file (SQLite: a 20 ms poll).
    await eventually(async () => expect((await two('GET', '/api/v1/datasets/images')).status).toBe(200));
    expect((await two('POST', '/api/v1/datasets/images/versions', { pin: { etag: 'e1' } })).body).toMatchObject({
      assetId: 'default/images',
      version: 1,
    });
    await eventually(async () => expect((await one('GET', '/api/v1/datasets/images')).body.versions).toHaveLength(1));
    // Each decides on what the other wrote: the name is taken on both.
    expect((await two('POST', '/api/v1/datasets', { name: 'images', source: { kind: 'object', uri: 's3://b/x/' } })).status).toBe(
      409,
    );
    const before = (await one('GET', '/api/v1/datasets/images')).body;

    await first.close();
    running.delete(first);
    await second.close();
    running.delete(second);
    const again = await start(file);
    expect((await client(again.url, token)('GET', '/api/v1/datasets/images')).body).toEqual(before);
    expect(again.assets.current.assets.get('default/images')?.versions).toHaveLength(1);
  });
});
