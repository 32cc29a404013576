/**
 * Following an engine's stream: another writer's events reach the handler only once the engine
 * has folded them in, in stream order, filtered by type; a catch-up that fails is told and tried
 * again; nothing is handed over after stop.
 */
import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import type { Event } from '../core/cluster/events.js';
import { install, registerNode, submit } from '../core/cluster/test-support/given.js';
import { createEngine } from './engine.js';
import { followEngine } from './follow-engine.js';

const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(done()).toBe(true);
};

describe('following an engine', () => {
  it("hands over another writer's events once the engine has them, in order, only the types asked", async () => {
    const store = new InMemoryEventStore();
    const writer = await createEngine({ store });
    const reader = await createEngine({ store });
    const seen: { type: string; revision: bigint; readerHasIt: boolean }[] = [];
    const follower = followEngine(reader, store, {
      after: -1n,
      types: new Set(['NodeRegistered', 'JobSubmitted']),
      onEvent: (e: Event, revision) => seen.push({ type: e.type, revision, readerHasIt: BigInt(reader.revision) >= revision }),
      onError: (e) => {
        throw e;
      },
    });
    await writer.execute(install());
    await writer.execute(registerNode('n1', 4));
    await writer.execute({ type: 'OnboardUser', userId: 'u', name: 'u', role: 'data-scientist' });
    await writer.execute(submit('j', 0));
    await until(() => seen.length === 2 && !follower.busy);
    expect(seen.map((s) => s.type)).toEqual(['NodeRegistered', 'JobSubmitted']);
    expect(seen.every((s) => s.readerHasIt)).toBe(true);
    expect(seen[0]?.revision).toBeLessThan(seen[1]?.revision as bigint);
    expect(follower.handled).toBe(BigInt(writer.revision));
    follower.stop();
    await writer.execute(submit('k', 0));
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toHaveLength(2);
  });

  it('tells a catch-up that failed and tries it again', async () => {
    const store = new InMemoryEventStore();
    const writer = await createEngine({ store });
    const reader = await createEngine({ store });
    let failures = 1;
    const flaky = {
      stream: reader.stream,
      get revision() {
        return reader.revision;
      },
      decider: reader.decider,
      catchUp: () => (failures-- > 0 ? Promise.reject(new Error('store unavailable')) : reader.catchUp()),
    };
    const errors: string[] = [];
    const seen: string[] = [];
    const follower = followEngine(flaky, store, {
      after: -1n,
      onEvent: (e: Event) => seen.push(e.type),
      onError: (e) => errors.push((e as Error).message),
      retryMs: 10,
    });
    await writer.execute(install());
    await until(() => seen.length > 0 && !follower.busy);
    expect(errors).toEqual(['store unavailable']);
    expect(seen[0]).toBe('Installed');
    follower.stop();
  });
});
