/**
 * A server over an in-memory store for route tests (fastify's inject(), no socket), on a small
 * cluster: nodes n1..n3 of 4 A100; pool `pa` (4 GPUs) serves group `ga` with data scientists
 * alice and bob; pool `pb` (4 GPUs) serves group `gb` with carol; `admin` is the operator.
 * Each user has a token; `call(who, method, url, body?, headers?)` sends a request as them.
 * The assets engine (workspaces, datasets, models) runs on the same store and clock, empty.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { ASSETS_STREAM, assetsDecider } from '../../../core/assets/assets-decider.js';
import type { AssetsState } from '../../../core/assets/model.js';
import type { Command } from '../../../core/cluster/commands.js';
import { canonicalState } from '../../../core/cluster/test-support/canonical.js';
import type { EventStore } from '../../../core/ports.js';
import { createDeciderEngine, createEngine, type Engine } from '../../../engine/engine.js';
import { InMemoryEventStore } from '../../memory/store.js';
import type { AssetsEngine } from '../context.js';
import { createMetrics } from '../metrics.js';
import { buildServer, type ServerOptions } from '../server.js';
import { TokenRegistry } from '../tokens.js';

export type Who = 'admin' | 'alice' | 'bob' | 'carol' | 'nobody';

export interface Fixture {
  app: FastifyInstance;
  engine: Engine;
  assets: AssetsEngine;
  store: EventStore;
  tokens: Record<Exclude<Who, 'nobody'>, string>;
  clock: { t: number; now(): number };
  call(
    who: Who,
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** The assets state as text, its maps in order: two states compare equal when they say the same. */
export function canonicalAssets(state: Readonly<AssetsState>): string {
  return JSON.stringify({ revision: state.revision, assets: [...state.assets], byGroup: [...state.byGroup] });
}

/** Both engines' states as text: what a refused request must leave as it found. */
export function stateOf(f: Pick<Fixture, 'engine' | 'assets'>): string {
  return JSON.stringify({ cluster: canonicalState(f.engine.current), assets: canonicalAssets(f.assets.current) });
}

/** Both engines' revisions. */
export const revisionsOf = (f: Pick<Fixture, 'engine' | 'assets'>) => ({ cluster: f.engine.revision, assets: f.assets.revision });

export const CLUSTER: Command[] = [
  { type: 'Install', userId: 'admin', name: 'Admin' },
  ...['n1', 'n2', 'n3'].map(
    (nodeId): Command => ({ type: 'RegisterNode', nodeId, devices: [0, 1, 2, 3].map((index) => ({ index, gpuType: 'A100' })) }),
  ),
  { type: 'CreatePool', poolId: 'pa', name: 'pool-a', gpuType: 'A100' },
  { type: 'AllocateGPUs', poolId: 'pa', count: 4 },
  { type: 'CreatePool', poolId: 'pb', name: 'pool-b', gpuType: 'A100' },
  { type: 'AllocateGPUs', poolId: 'pb', count: 4 },
  { type: 'CreateGroup', groupId: 'ga', name: 'group-a' },
  { type: 'AssignPool', groupId: 'ga', poolId: 'pa' },
  { type: 'CreateGroup', groupId: 'gb', name: 'group-b' },
  { type: 'AssignPool', groupId: 'gb', poolId: 'pb' },
  { type: 'OnboardUser', userId: 'alice', name: 'Alice', role: 'data-scientist', groupId: 'ga' },
  { type: 'OnboardUser', userId: 'bob', name: 'Bob', role: 'data-scientist', groupId: 'ga' },
  { type: 'OnboardUser', userId: 'carol', name: 'Carol', role: 'data-scientist', groupId: 'gb' },
];

/** Beside a store, the options the server is built with (the fixture makes its engine and tokens). */
export async function fixture(
  options: { store?: EventStore } & Partial<Omit<ServerOptions, 'engine' | 'assets' | 'tokens' | 'metrics'>> = {},
): Promise<Fixture> {
  const { store: given, ...serverOptions } = options;
  const store = given ?? new InMemoryEventStore();
  const clock = { t: 1000, now: () => clock.t };
  const metrics = createMetrics(clock.now);
  const engine = await createEngine({ store, clock, observer: metrics.observer });
  const setup = await engine.executeBatch(CLUSTER);
  const refused = setup.outcomes.filter((o) => !o.ok);
  if (refused.length > 0) throw new Error(`fixture setup refused: ${JSON.stringify(refused)}`);
  const assets = await createDeciderEngine(assetsDecider, { store, clock, stream: ASSETS_STREAM });
  const registry = await TokenRegistry.open(store, clock);
  const issue = async (userId: string) => {
    const user = engine.current.users.get(userId);
    if (!user) throw new Error(`fixture: no user '${userId}'`);
    return (await registry.issue(user)).token;
  };
  const tokens = {
    admin: await issue('admin'),
    alice: await issue('alice'),
    bob: await issue('bob'),
    carol: await issue('carol'),
  };
  let n = 0;
  const app = await buildServer({
    engine,
    assets,
    tokens: registry,
    metrics,
    newJobId: () => `job-${++n}`,
    ...serverOptions,
  });
  return {
    app,
    engine,
    assets,
    store,
    tokens,
    clock,
    async call(who, method, url, body, headers = {}) {
      const res = await app.inject({
        method,
        url,
        headers: { ...(who === 'nobody' ? {} : { authorization: `Bearer ${tokens[who]}` }), ...headers },
        ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
      });
      let parsed: unknown = res.body;
      try {
        parsed = res.body === '' ? undefined : JSON.parse(res.body);
      } catch {
        // not JSON (metrics, docs): the text
      }
      return { status: res.statusCode, body: parsed, headers: res.headers };
    },
    async close() {
      await app.close();
      await assets.close();
      await store.close();
    },
  };
}
