/**
 * What callers hand the engine: typed commands are validated by the codecs like decoded ones, and
 * nothing a caller passes in stays shared with the state or the log.
 */
import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { eventually } from '../adapters/test-support/event-store-contract.js';
import type { Command } from '../core/cluster/commands.js';
import { teamSetup } from '../core/cluster/test-support/given.js';
import { createEngine } from './engine.js';

async function team() {
  const store = new InMemoryEventStore();
  const engine = await createEngine({ store, clock: { now: () => 0 } });
  await engine.executeBatch(teamSetup());
  return { store, engine };
}

describe('a typed command that its codec refuses', () => {
  it('is refused naming the field, changes nothing, and the stored log still loads', async () => {
    const { store, engine } = await team();
    const revision = engine.revision;
    const bad = { type: 'SubmitJob', jobId: 'neg', kind: 'training', owner: 'u', gpus: -2 } as Command;
    const r = await engine.execute(bad);
    expect(r).toMatchObject({ ok: false, rejection: { code: 'invalid-command' } });
    expect(!r.ok && r.rejection.message).toContain('SubmitJob.gpus: expected an integer >= 0, got -2');
    expect(engine.revision).toBe(revision);
    expect(engine.job('neg')).toBeUndefined();
    await expect(createEngine({ store })).resolves.toBeDefined();
  });

  it('is refused in a batch without stopping the commands beside it', async () => {
    const { engine } = await team();
    const r = await engine.executeBatch([
      { type: 'SubmitJob', jobId: 'nan', kind: 'training', owner: 'u', gpus: Number.NaN } as Command,
      { type: 'Bogus' } as unknown as Command,
      { type: 'SubmitJob', jobId: 'fine', kind: 'training', owner: 'u', gpus: 1 },
    ]);
    expect(r.outcomes.map((o) => (o.ok ? 'ok' : o.rejection.code))).toEqual(['invalid-command', 'invalid-command', 'ok']);
    expect(engine.job('fine')?.status).toBe('Starting');
  });
});

describe('objects a caller passes in', () => {
  it('are not shared: mutating RegisterNode.labels, tags or a spec afterwards changes neither the state nor the log', async () => {
    const { store, engine } = await team();
    const labels = { zone: 'a' };
    const tags = ['x'];
    const spec = { image: 'torch', args: ['--lr', '0.1'] };
    await engine.execute({ type: 'RegisterNode', nodeId: 'n9', devices: [{ index: 0, gpuType: 'A100' }], labels });
    await engine.execute({ type: 'SubmitJob', jobId: 'j', kind: 'training', owner: 'u', gpus: 0, tags, spec });
    labels.zone = 'b';
    tags.push('y');
    spec.args.push('--evil');
    expect(engine.current.nodes.get('n9')?.labels).toEqual({ zone: 'a' });
    expect(engine.job('j')?.tags).toEqual(['x']);
    expect(engine.job('j')?.spec).toEqual({ image: 'torch', args: ['--lr', '0.1'] });
    const reloaded = await createEngine({ store });
    expect(reloaded.current.nodes.get('n9')?.labels).toEqual({ zone: 'a' });
    expect(reloaded.job('j')?.tags).toEqual(['x']);
  });
});

describe('catching up', () => {
  it('waits its turn: a catch-up asked for while a batch is being written runs after it, never over it', async () => {
    const inner = new InMemoryEventStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let hold = false;
    // A store whose appends wait at the gate while `hold` is set: a batch in flight.
    const store = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'append') {
          return async (...args: Parameters<InMemoryEventStore['append']>) => {
            if (hold) await gate;
            return target.append(...args);
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const engine = await createEngine({ store, clock: { now: () => 0 } });
    await engine.executeBatch(teamSetup());
    const other = await createEngine({ store: inner, clock: { now: () => 0 } });
    hold = true;
    const order: string[] = [];
    const submitted = engine
      .execute({ type: 'SubmitJob', jobId: 'mine', kind: 'training', owner: 'u', gpus: 1 })
      .then(() => order.push('batch'));
    await new Promise((r) => setTimeout(r, 5)); // the batch is decided and waits at the gate
    await other.execute({ type: 'SubmitJob', jobId: 'theirs', kind: 'training', owner: 'u', gpus: 1 });
    const caughtUp = engine.catchUp().then(() => order.push('catch-up'));
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]); // the catch-up did not run over the batch in flight
    release();
    await Promise.all([submitted, caughtUp]);
    expect(order).toEqual(['batch', 'catch-up']);
    // The batch met the other writer's event (a conflict), decided again, and both jobs are there.
    const fresh = await createEngine({ store: inner });
    expect(engine.revision).toBe(fresh.revision);
    expect([engine.job('mine')?.status, engine.job('theirs')?.status]).toEqual(['Starting', 'Starting']);
  });
});

describe('following the stream', () => {
  it('brings another writer’s events into the state without a batch of its own, and stops with close()', async () => {
    const store = new InMemoryEventStore();
    const writer = await createEngine({ store, clock: { now: () => 0 } });
    await writer.executeBatch(teamSetup());
    const reader = await createEngine({ store, clock: { now: () => 0 } });
    const errors: unknown[] = [];
    reader.follow((e) => errors.push(e));
    await writer.execute({ type: 'SubmitJob', jobId: 'seen', kind: 'training', owner: 'u', gpus: 1 });
    await eventually(() => expect(reader.job('seen')?.status).toBe('Starting'));
    expect(reader.revision).toBe(writer.revision);
    // Its own events come back through the subscription and change nothing.
    await reader.execute({ type: 'StopJob', jobId: 'seen' });
    await new Promise((r) => setTimeout(r, 20));
    expect(reader.job('seen')?.status).toBe('Stopping');
    expect(reader.revision).toBe((await createEngine({ store })).revision);
    await reader.close();
    await writer.execute({ type: 'SubmitJob', jobId: 'unseen', kind: 'training', owner: 'u', gpus: 1 });
    await new Promise((r) => setTimeout(r, 20));
    expect(reader.job('unseen')).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('tells its listeners of every event once, in order: its own as appended, another writer’s once folded in', async () => {
    const store = new InMemoryEventStore();
    const writer = await createEngine({ store, clock: { now: () => 0 } });
    await writer.executeBatch(teamSetup());
    const reader = await createEngine({ store, clock: { now: () => 0 } });
    const heard: number[] = [];
    reader.subscribe((a) => {
      for (let i = 0; i < a.events.length; i++) heard.push(a.firstRevision + i);
    });
    const from = reader.revision;
    reader.follow();
    await writer.execute({ type: 'SubmitJob', jobId: 'a', kind: 'training', owner: 'u', gpus: 1 });
    await eventually(() => expect(reader.revision).toBe(writer.revision));
    // Its own batch, decided on a state that is behind: a conflict, a rebuild, decided again.
    const behind = writer.execute({ type: 'SubmitJob', jobId: 'b', kind: 'training', owner: 'u', gpus: 1 });
    await reader.execute({ type: 'SubmitJob', jobId: 'c', kind: 'training', owner: 'u', gpus: 1 });
    await behind;
    await writer.execute({ type: 'StopJob', jobId: 'a' });
    await eventually(() => expect(reader.revision).toBe(writer.revision));
    await reader.catchUp();
    const all = Array.from({ length: reader.revision - from }, (_, i) => from + 1 + i);
    await eventually(() => expect(heard).toEqual(all));
    await reader.close();
  });
});
