/**
 * Reactors: they follow a stream through the store (every writer's events, not only their own
 * process's), resume from their checkpoint, and however they crash, every command they issue is
 * applied exactly once.
 */

import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { decodeWith, Id, NonNegInt, NonNegNumber, record } from '../core/codec.js';
import { type Decider, type DeciderState, foldEnvelope } from '../core/decider.js';
import { reject } from '../core/rejection.js';
import { createDeciderEngine } from './engine.js';
import { type Reactor, ReactorRunner, reactionId } from './reactor.js';

// A ledger: the smallest decider there is. `Record` records a key once; the state lists them.
type LedgerCommand = { type: 'Record'; key: string; commandId?: string; at?: number };
type LedgerEvent = { type: 'Recorded'; key: string; v: number; at: number; commandId?: string; fingerprint?: string };
interface LedgerState extends DeciderState {
  keys: string[];
}
const RecordCodec = record('Record', { type: t.literal('Record'), key: Id }, { commandId: Id, at: NonNegNumber });
const RecordedCodec = record(
  'Recorded',
  { type: t.literal('Recorded'), key: t.string, v: t.literal(1), at: NonNegNumber },
  { commandId: t.string, fingerprint: t.string },
);
const ledger: Decider<LedgerCommand, LedgerEvent, LedgerState> = {
  eventSchemaVersion: 1,
  initialState: () => ({ revision: -1, now: 0, commands: new Map(), keys: [] }),
  validate: (c) => (RecordCodec.is(c) ? null : reject('invalid-command', 'not a Record')),
  decodeCommand: (u) => decodeWith(RecordCodec, u, 'Record'),
  decide: (c) => E.right([{ type: 'Recorded', key: c.key }]),
  evolve(s, e) {
    foldEnvelope(s, e);
    s.keys.push(e.key);
    return s;
  },
  decodeEvent: (u) =>
    decodeWith(RecordedCodec, u, 'Recorded') as ReturnType<Decider<LedgerCommand, LedgerEvent, LedgerState>['decodeEvent']>,
};

// The source: a stream of "work" events, each asking for `n` commands.
const WorkCodec = record('Work', { type: t.literal('Work'), n: NonNegInt }, {});
type Work = t.TypeOf<typeof WorkCodec>;
const SOURCE = 'work';
const work = (n: number) => ({ id: crypto.randomUUID(), type: 'Work', data: { type: 'Work', n } });

const doubler: Reactor<Work, LedgerCommand> = {
  name: 'doubler',
  stream: SOURCE,
  decodeEvent: (u) => decodeWith(WorkCodec, u, 'Work'),
  react: (e, revision) => Array.from({ length: e.n }, (_, k) => ({ type: 'Record' as const, key: `${revision}.${k}` })),
};

/** Every key a reactor that never crashed records for these work sizes, in order. */
const expectedKeys = (sizes: readonly number[]) =>
  sizes.flatMap((n, revision) => Array.from({ length: n }, (_, k) => `${revision}.${k}`));

describe('a reactor', () => {
  it('follows the stream through the store: events another writer appended reach it, and its commands run', async () => {
    const store = new InMemoryEventStore();
    const engine = await createDeciderEngine(ledger, { store, stream: 'ledger', clock: { now: () => 0 } });
    const runner = new ReactorRunner(store, engine, doubler);
    await runner.start();
    // Appended straight to the store, as another process would: no engine of this process saw it.
    await store.append(SOURCE, [work(2), work(0), work(1)], 'any');
    await runner.until(2n);
    expect(engine.current.keys).toEqual(['0.0', '0.1', '2.0']);
    expect(engine.current.commands.get(reactionId('doubler', 0n, 1))).toBeDefined();
    await runner.stop();
    expect(await store.readCheckpoint('doubler')).toBe(2n);
  });

  it('resumes from its checkpoint after a stop: nothing is handled twice, nothing is missed', async () => {
    const store = new InMemoryEventStore();
    const engine = await createDeciderEngine(ledger, { store, stream: 'ledger', clock: { now: () => 0 } });
    const first = new ReactorRunner(store, engine, doubler);
    await first.start();
    await store.append(SOURCE, [work(1), work(1)], 'any');
    await first.until(1n);
    await first.stop();
    await store.append(SOURCE, [work(1)], 'any');
    const calls: string[] = [];
    const recording = {
      execute: (c: LedgerCommand) => {
        calls.push(c.commandId as string);
        return engine.execute(c);
      },
    };
    const second = new ReactorRunner(store, recording, doubler);
    await second.start();
    await second.until(2n);
    expect(calls).toEqual([reactionId('doubler', 2n, 0)]);
    expect(engine.current.keys).toEqual(['0.0', '1.0', '2.0']);
    await second.stop();
  });

  it('keeps an id a reaction names: a command another party already sent under it is applied once, and so is a repeat after a restart', async () => {
    const store = new InMemoryEventStore();
    const engine = await createDeciderEngine(ledger, { store, stream: 'ledger', clock: { now: () => 0 } });
    // Each work item records keys someone else may record too, under ids both derive from the key.
    const named: Reactor<Work, LedgerCommand> = {
      ...doubler,
      name: 'named',
      react: (e, revision) =>
        Array.from({ length: e.n }, (_, k) => ({
          type: 'Record' as const,
          key: `${revision}.${k}`,
          commandId: `key:${revision}.${k}`,
        })),
    };
    const issued: string[] = [];
    const target = {
      execute: (c: LedgerCommand) => {
        issued.push(c.commandId as string);
        return engine.execute(c);
      },
    };
    // The other party records one of the keys first.
    await engine.execute({ type: 'Record', key: '0.1', commandId: 'key:0.1' });
    await store.append(SOURCE, [work(2), work(1)], 'any');
    const first = new ReactorRunner(store, target, named);
    await first.start();
    await first.until(1n);
    expect(issued).toEqual(['key:0.0', 'key:0.1', 'key:1.0']);
    expect(engine.current.keys).toEqual(['0.1', '0.0', '1.0']);
    // A crash before any checkpoint: the next runner handles both events again, under the same ids.
    first.kill();
    await store.writeCheckpoint('named', -1n);
    const second = new ReactorRunner(store, target, named);
    await second.start();
    await second.until(1n);
    expect(issued.slice(3)).toEqual(['key:0.0', 'key:0.1', 'key:1.0']);
    expect(engine.current.keys).toEqual(['0.1', '0.0', '1.0']);
    await second.stop();
  });

  it('property: restarted from its checkpoint after random crashes, it issues exactly the commands of one that never crashed, each applied once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4 }),
        fc.integer({ min: 1, max: 5 }),
        async (sizes, crashes, checkpointEvery) => {
          const store = new InMemoryEventStore();
          const engine = await createDeciderEngine(ledger, { store, stream: 'ledger', clock: { now: () => 0 } });
          await store.append(SOURCE, sizes.map(work), 'no_stream');
          const last = BigInt(sizes.length - 1);
          const issued = new Set<string>();
          const target = {
            execute: (c: LedgerCommand) => {
              issued.add(c.commandId as string);
              return engine.execute(c);
            },
          };
          // Each crash kills a runner after a given number of commands, wherever that falls:
          // between commands of one event, or before its checkpoint was written.
          for (const after of crashes) {
            let seen = 0;
            let killed!: () => void;
            const dead = new Promise<void>((r) => (killed = r));
            let crashing!: ReactorRunner<Work, LedgerCommand>;
            const counting = {
              execute: async (c: LedgerCommand) => {
                if (seen++ === after) {
                  crashing.kill();
                  killed();
                }
                return target.execute(c);
              },
            };
            crashing = new ReactorRunner(store, counting, doubler, { checkpointEvery, checkpointDelayMs: 1 });
            await crashing.start();
            await Promise.race([dead, crashing.until(last)]);
            crashing.kill();
            await new Promise((r) => setTimeout(r, 2)); // a checkpoint write in flight may land
          }
          const survivor = new ReactorRunner(store, target, doubler, { checkpointEvery });
          await survivor.start();
          await survivor.until(last);
          await survivor.stop();
          const expected = expectedKeys(sizes);
          expect(engine.current.keys).toEqual(expected);
          expect([...issued].sort()).toEqual(
            sizes
              .flatMap((n, revision) => Array.from({ length: n }, (_, k) => reactionId('doubler', BigInt(revision), k)))
              .sort(),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
