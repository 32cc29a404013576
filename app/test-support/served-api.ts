/**
 * The HTTP API of a `serve` running in the test's process, as a client calls it: a call with a
 * token, a call that must answer a given status, and the usual group of a Kubernetes test (pool
 * a100 of the fake node's eight GPUs, group nlp, data scientist nina).
 */
import { expect } from 'vitest';
import { waitFor } from '../../adapters/k8s/test-support/wait.js';
import type { Served } from '../serve.js';

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, as a client would
type Json = any;

export interface ServedApi {
  /** A body that is a string goes as it is, with `type` (JSON by default); anything else as JSON. */
  call(token: string, method: string, path: string, body?: unknown, type?: string): Promise<{ status: number; body: Json }>;
  /** The call, which must answer `status`; its body. */
  ok(token: string, method: string, path: string, body: unknown, status: number, type?: string): Promise<Json>;
  /** Once the fake node registered: group nlp in pool a100 of its 8 GPUs, data scientist nina; her token. */
  nina(): Promise<string>;
}

/** The API of the server `served()` returns when called (tests make a new one per test). */
export function servedApi(served: () => Served): ServedApi {
  async function call(token: string, method: string, path: string, body?: unknown, type = 'application/json') {
    const res = await fetch(served().url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': type }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as Json) };
  }
  async function ok(token: string, method: string, path: string, body: unknown, status: number, type?: string): Promise<Json> {
    const r = await call(token, method, path, body, type);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  }
  async function nina(): Promise<string> {
    const op = served().bootstrapToken?.token as string;
    await waitFor(async () => ((await call(op, 'GET', '/api/v1/nodes')).body ?? []).length === 1, {
      message: 'the node registered',
    });
    await ok(op, 'POST', '/api/v1/pools', { poolId: 'a100', name: 'a100', gpuType: 'A100' }, 201);
    await ok(op, 'POST', '/api/v1/pools/a100/allocations', { count: 8 }, 200);
    await ok(op, 'POST', '/api/v1/groups', { groupId: 'nlp', name: 'NLP' }, 201);
    await ok(op, 'PUT', '/api/v1/groups/nlp/pool', { poolId: 'a100' }, 200);
    await ok(op, 'POST', '/api/v1/users', { userId: 'nina', name: 'Nina', role: 'data-scientist', groupId: 'nlp' }, 201);
    return (await ok(op, 'POST', '/api/v1/users/nina/tokens', { label: 'e2e' }, 201)).token;
  }
  return { call, ok, nina };
}
