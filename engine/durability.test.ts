/**
 * Durability across processes, on the embedded SQLite store:
 * - an engine killed with SIGKILL at random moments under a stream of commands loses no command it
 *   acknowledged, leaves no half-written batch, and restarts into a sound state;
 * - two engines in two processes on one file never allocate a device twice, and converge;
 * - an engine restarted in a new process at random points, killed or stopped, rebuilds exactly the
 *   state of an engine that never restarted (with and without snapshots).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../adapters/memory/store.js';
import { SqliteEventStore } from '../adapters/sqlite/store.js';
import type { Command } from '../core/cluster/commands.js';
import { checkInvariants } from '../core/cluster/invariants.js';
import { scenarioArb } from '../core/cluster/test-support/arbitraries.js';
import { CLUSTER_STREAM, createEngine } from './engine.js';
import { engineDigest } from './test-support/digest.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const WORKER = new URL('./test-support/engine-worker.ts', import.meta.url).pathname;

interface Worker {
  child: ChildProcessWithoutNullStreams;
  replies: Record<string, unknown>[];
  send(v: unknown): void;
  waitFor(pred: (r: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
}

async function startWorker(file: string, snapshotEvery = 0): Promise<Worker> {
  const args = ['--import', 'tsx', WORKER, file, String(snapshotEvery)];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const replies: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    replies.push(JSON.parse(l));
    for (const w of waiters.splice(0)) w();
  });
  const w: Worker = {
    child,
    replies,
    send: (v) => child.stdin.write(`${JSON.stringify(v)}\n`),
    waitFor: async (pred, ms = 20_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = replies.find(pred);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`worker gave no matching reply; got ${JSON.stringify(replies.slice(-3))}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
  };
  await w.waitFor((r) => r.ready === true);
  return w;
}

const setup: Command[] = [
  { type: 'Install', userId: 'op', name: 'Op', commandId: 'setup-0' },
  ...[1, 2, 3, 4].map(
    (n): Command => ({
      type: 'RegisterNode',
      nodeId: `n${n}`,
      devices: [0, 1, 2, 3].map((index) => ({ index, gpuType: 'A100' })),
      commandId: `setup-n${n}`,
    }),
  ),
];

describe('durability on SQLite', () => {
  it('an engine killed with SIGKILL mid-stream keeps every acknowledged command, whole, and restarts sound', async () => {
    const file = join(dir, 'crash.db');
    let sent = 0;
    const acked = new Set<string>();
    for (let round = 0; round < 4; round++) {
      const w = await startWorker(file);
      if (round === 0) for (const c of setup) w.send({ command: c });
      // A stream of submissions and completions; kill after a random share of them.
      const killAfter = 20 + Math.floor(Math.random() * 40);
      for (let i = 0; i < 60; i++) {
        const id = `c${sent++}`;
        w.send({
          command: { type: 'SubmitJob', jobId: `job-${id}`, kind: 'training', owner: 'op', gpus: 1 + (sent % 4), commandId: id },
        });
        if (i === killAfter) {
          await w.waitFor((r) => typeof r.ack === 'string');
          w.child.kill('SIGKILL');
          break;
        }
      }
      await new Promise((r) => w.child.once('exit', r));
      for (const r of w.replies) if (typeof r.ack === 'string' && r.ok === true) acked.add(r.ack);
    }
    const store = new SqliteEventStore(file);
    const engine = await createEngine({ store });
    // Every acknowledged command is in the log, with all of its events.
    for (const id of acked) {
      const range = engine.current.commands.get(id);
      expect(range, `acknowledged command ${id} is in the log`).toBeDefined();
    }
    const events = await store.read(CLUSTER_STREAM);
    expect(events.map((e) => Number(e.revision))).toEqual(events.map((_, i) => i)); // no gap, nothing half-written
    for (const [id, range] of engine.current.commands) {
      const mine = events.filter((e) => (e.data as { commandId?: string }).commandId === id).map((e) => Number(e.revision));
      expect(mine, `command ${id}: its events form one whole run`).toEqual(
        Array.from({ length: range.last - range.first + 1 }, (_, k) => range.first + k),
      );
    }
    expect(checkInvariants(engine.current)).toEqual([]);
    expect(acked.size).toBeGreaterThan(0);
    await store.close();
  }, 120_000);

  it('two engines in two processes on one file never allocate a device twice, and converge', async () => {
    const file = join(dir, 'two.db');
    const a = await startWorker(file);
    for (const c of setup) a.send({ command: c });
    await a.waitFor((r) => r.ack === 'setup-n4');
    const b = await startWorker(file);
    // Both submit at once, more than the 16 GPUs hold, and complete some of their own.
    for (let i = 0; i < 30; i++) {
      a.send({ command: { type: 'SubmitJob', jobId: `a${i}`, kind: 'training', owner: 'op', gpus: 2, commandId: `a${i}` } });
      b.send({ command: { type: 'SubmitJob', jobId: `b${i}`, kind: 'training', owner: 'op', gpus: 2, commandId: `b${i}` } });
    }
    await a.waitFor((r) => r.ack === 'a29');
    await b.waitFor((r) => r.ack === 'b29');
    for (const w of [a, b]) {
      // Every submission was accepted (a conflict is retried inside the engine, never refused).
      expect(w.replies.filter((r) => typeof r.ack === 'string' && !r.ack.startsWith('setup') && r.ok !== true)).toEqual([]);
    }
    a.send({ catchUp: true });
    b.send({ catchUp: true });
    const [sa, sb] = await Promise.all([
      a.waitFor((r) => typeof r.state === 'string'),
      b.waitFor((r) => typeof r.state === 'string'),
    ]);
    expect(sa).toEqual(sb);
    a.child.kill();
    b.child.kill();
    const store = new SqliteEventStore(file);
    const engine = await createEngine({ store });
    expect(checkInvariants(engine.current)).toEqual([]); // no device held twice without recorded sharing
    const running = engine.jobs({ status: 'Starting' });
    expect(running.reduce((n, j) => n + j.gpus, 0)).toBe(16);
    expect(new Set(running.flatMap((j) => j.allocation?.devices ?? [])).size).toBe(16);
    expect(engine.jobs().length).toBe(60);
    await store.close();
  }, 120_000);

  it('an engine restarted in a new process at random points rebuilds exactly the state of one that never restarted', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        scenarioArb({ maxBatches: 12 }),
        fc.array(fc.record({ after: fc.nat(), kill: fc.boolean() }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(0, 5),
        async (scenario, cuts, snapshotEvery) => {
          const file = join(dir, `restart-${run++}.db`);
          const reference = await createEngine({ store: new InMemoryEventStore(), clock: { now: () => 0 } });
          const restarts = new Map(cuts.map((c) => [c.after % scenario.batches.length, c.kill]));
          let w = await startWorker(file, snapshotEvery);
          for (const [i, batch] of scenario.batches.entries()) {
            await reference.executeBatch(batch.commands, { at: batch.at });
            w.send({ batch: i, commands: batch.commands, at: batch.at });
            await w.waitFor((r) => r.batchAck === i);
            const kill = restarts.get(i);
            if (kill === undefined) continue;
            // SIGKILL right after the acknowledgement, or a clean stop (end of input).
            if (kill) w.child.kill('SIGKILL');
            else w.child.stdin.end();
            await new Promise((r) => w.child.once('exit', r));
            w = await startWorker(file, snapshotEvery);
            expect(await stateOf(w), `state after restarting behind batch ${i}`).toBe(engineDigest(reference));
          }
          expect(await stateOf(w)).toBe(engineDigest(reference));
          w.child.kill();
        },
      ),
      { numRuns: 12 },
    );
  }, 180_000);
});

/** The worker's state hash once it has caught up (only replies after this request count). */
async function stateOf(w: Worker): Promise<unknown> {
  w.replies.length = 0;
  w.send({ catchUp: true });
  return (await w.waitFor((r) => typeof r.state === 'string')).state;
}
