/**
 * Property tests of timers as data (scheduler/timers.ts) over the random scenarios of
 * test-support/arbitraries.ts (pools with and without a maximum wait, every policy, cordons, lost
 * nodes, moved devices): after every batch, `nextWakeup(state)` is exactly the next instant at
 * which time alone changes a maximum-wait decision, a Tick before it does nothing, and a Tick at it
 * leaves no starving job that fits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatch } from './batch.js';
import type { Command } from './commands.js';
import type { Event } from './events.js';
import { initialState, replay } from './evolve.js';
import { checkInvariants } from './invariants.js';
import type { State } from './model.js';
import { place } from './placement.js';
import { starvingJob } from './scheduler/reasons.js';
import { nextWakeup } from './scheduler/timers.js';
import { type Scenario, scenarioArb } from './test-support/arbitraries.js';

/** Runs per property; PROPERTY_RUNS raises it for a longer hunt. */
const RUNS = Math.max(1000, Number(process.env.PROPERTY_RUNS ?? 1000));

const tick: Command = { type: 'Tick' };

/** Per group with a pool: its starving job at `at` (the one the maximum wait puts first), or '-'. */
function starving(state: State, at: number): string {
  const out: string[] = [];
  for (const group of [...state.groups.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const pool = group.pool === null ? undefined : state.pools.get(group.pool);
    const queue = state.queues.get(group.id);
    if (!pool || !queue) continue;
    out.push(`${group.id}:${starvingJob(state, queue, pool, at)?.id ?? '-'}`);
  }
  return out.join(' ');
}

/** Starving jobs at `at` that fit now: a pass at `at` would have started each. */
function starvingThatFit(state: State, at: number): string[] {
  const out: string[] = [];
  for (const group of state.groups.values()) {
    const pool = group.pool === null ? undefined : state.pools.get(group.pool);
    const queue = state.queues.get(group.id);
    if (!pool || !queue) continue;
    const job = starvingJob(state, queue, pool, at);
    if (job && place(state, job, pool)) out.push(`${job.id} (group ${group.id}, pool ${pool.id})`);
  }
  return out;
}

/**
 * The random scenarios, most with a maximum wait on every pool and their instants spread out: the
 * plain ones give few pools a maximum wait and pass each queue again every few seconds, so a
 * deadline seldom falls while a queue is left alone.
 */
const scenarios: fc.Arbitrary<Scenario> = fc
  .tuple(scenarioArb(), fc.option(fc.integer({ min: 1, max: 240 }), { freq: 4 }), fc.integer({ min: 1, max: 8 }))
  .map(([scenario, maxWait, stretch]) => {
    if (maxWait === null) return scenario;
    const timed = (c: Command): Command =>
      c.type === 'CreatePool' || (c.type === 'ConfigurePool' && 'maxWaitSeconds' in c) ? { ...c, maxWaitSeconds: maxWait } : c;
    return {
      batches: scenario.batches.map((b, i) => ({
        at: b.at * stretch,
        commands: [
          ...b.commands.map(timed),
          ...(i === 0 ? [{ type: 'ConfigurePool', poolId: 'default', maxWaitSeconds: maxWait } as Command] : []),
        ],
      })),
    };
  });

/** The largest double below a positive `x`. */
function below(x: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  v.setBigUint64(0, v.getBigUint64(0) - 1n);
  return v.getFloat64(0);
}

describe('timers as data', () => {
  it('after every batch, nextWakeup is later than the state, no maximum-wait decision changes before it, one does at it, and none past is left undone', () => {
    fc.assert(
      fc.property(scenarios, fc.double({ min: 0, max: 1, noNaN: true }), (scenario, fraction) => {
        const state = initialState();
        scenario.batches.forEach((b, i) => {
          runBatch(state, b.commands, b.at);
          const at = Math.max(b.at, state.now);
          // Every batch runs the pass of the groups whose deadline fell since the last event.
          expect(starvingThatFit(state, at), `batch ${i} at ${at}`).toEqual([]);
          const wake = nextWakeup(state);
          const now = state.now;
          const before = starving(state, now);
          if (wake === null) {
            expect(starving(state, now + 1e6), `batch ${i}: no wake-up, yet time changes who starves`).toBe(before);
            return;
          }
          expect(wake).toBeGreaterThan(now);
          for (const t of [now, now + (wake - now) * fraction, below(wake)]) {
            if (t < wake) expect(starving(state, t), `batch ${i}: who starves changed at ${t} < ${wake}`).toBe(before);
          }
          expect(starving(state, wake), `batch ${i}: nothing changes at the wake-up ${wake}`).not.toBe(before);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('a Tick before nextWakeup appends nothing; a Tick at it leaves no starving job that fits, and the next wake-up is later', () => {
    fc.assert(
      fc.property(scenarios, fc.double({ min: 0, max: 1, noNaN: true }), (scenario, fraction) => {
        const state = initialState();
        const log: Event[] = [];
        scenario.batches.forEach((b, i) => {
          log.push(...runBatch(state, b.commands, b.at).events);
          const now = state.now;
          const wake = nextWakeup(state);
          const early = wake === null ? now + 1e6 * fraction : Math.min(now + (wake - now) * fraction, below(wake));
          const quiet = runBatch(state, [tick], early);
          expect(quiet.events, `batch ${i}: a Tick at ${early}, before the wake-up ${wake}`).toEqual([]);
          if (wake === null) return;
          // At the wake-up, on a copy: the scenario goes on from the state without the Tick.
          const copy = replay(log);
          const due = runBatch(copy, [tick], wake);
          expect(checkInvariants(copy), `batch ${i}: invariants after the Tick at ${wake}`).toEqual([]);
          expect(starvingThatFit(copy, wake), `batch ${i}: after the Tick at ${wake} (${due.events.length} events)`).toEqual([]);
          const next = nextWakeup(copy, wake);
          if (next !== null) expect(next).toBeGreaterThan(wake);
        });
      }),
      { numRuns: RUNS },
    );
  });
});
