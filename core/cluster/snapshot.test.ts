/**
 * A snapshot, through JSON and back, restores exactly the state it was taken of (derived indexes
 * included), after every batch of random scenarios; and the restored state goes on exactly as the
 * original does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatch } from './batch.js';
import { initialState } from './evolve.js';
import { captureSnapshot, fromSnapshot, releaseCapture, toSnapshot } from './snapshot.js';
import { scenarioArb } from './test-support/arbitraries.js';
import { canonicalState } from './test-support/canonical.js';

const throughJson = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('state snapshots', () => {
  it('restore the same state after every batch, and the restored state decides the rest the same way', () => {
    fc.assert(
      fc.property(scenarioArb({ maxBatches: 25 }), fc.nat(), (scenario, cutAt) => {
        const state = initialState();
        const cut = cutAt % scenario.batches.length;
        let restored: ReturnType<typeof initialState> | undefined;
        scenario.batches.forEach((batch, i) => {
          const live = runBatch(state, batch.commands, batch.at);
          if (restored) {
            const again = runBatch(restored, batch.commands, batch.at);
            expect(JSON.stringify(again.events)).toBe(JSON.stringify(live.events));
          }
          const copy = fromSnapshot(throughJson(toSnapshot(state)));
          expect(canonicalState(copy)).toBe(canonicalState(state));
          if (i === cut) restored = copy;
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('are detached from the state: a snapshot taken after any batch serializes the same after every later batch', () => {
    // The engine serializes a snapshot a slice at a time while batches go on (engine/json-in-slices.ts).
    fc.assert(
      fc.property(scenarioArb({ maxBatches: 25 }), fc.boolean(), (scenario, finishedIds) => {
        const state = initialState();
        const taken: { value: unknown; captured: unknown; json: string }[] = [];
        for (const batch of scenario.batches) {
          runBatch(state, batch.commands, batch.at);
          const value = toSnapshot(state, { finishedIds });
          // What the engine takes (captureSnapshot): each job's row made only as it is serialized.
          const captured = captureSnapshot(state, { finishedIds });
          taken.push({ value, captured, json: JSON.stringify(value) });
          for (const t of taken) {
            expect(JSON.stringify(t.value)).toBe(t.json);
            expect(JSON.stringify(t.captured)).toBe(t.json);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a capture is what the engine writes: restored from its JSON, the state it was taken of', () => {
    fc.assert(
      fc.property(scenarioArb({ maxBatches: 25 }), (scenario) => {
        const state = initialState();
        const captures: { captured: unknown; canonical: string }[] = [];
        for (const batch of scenario.batches) {
          runBatch(state, batch.commands, batch.at);
          captures.push({ captured: captureSnapshot(state), canonical: canonicalState(state) });
        }
        // Restored after the whole scenario ran on: each capture still holds its own moment.
        for (const c of captures) expect(canonicalState(fromSnapshot(throughJson(c.captured)))).toBe(c.canonical);
      }),
      { numRuns: 200 },
    );
  });

  it('a capture keeps only the jobs changed while it is open, as they were, and nothing once released', () => {
    const state = initialState();
    const submit = (jobId: string) => ({ type: 'SubmitJob' as const, jobId, kind: 'notebook' as const, owner: 'op', gpus: 0 });
    runBatch(state, [{ type: 'Install', userId: 'op', name: 'Op' }, ...Array.from({ length: 50 }, (_, i) => submit(`j${i}`))], 1);
    const json = JSON.stringify(toSnapshot(state));
    const captured = captureSnapshot(state);
    expect(state.captures).toHaveLength(1);
    // One of its jobs starts and one ends; a job submitted since is not in it.
    runBatch(state, [{ type: 'ReportJobStarted', jobId: 'j1' }, { type: 'ReportJobCompleted', jobId: 'j2' }, submit('later')], 2);
    expect([...(state.captures[0]?.before.keys() ?? [])].map((j) => j.id).sort()).toEqual(['j1', 'j2']);
    expect(JSON.stringify(captured)).toBe(json);
    releaseCapture(captured);
    expect(state.captures).toEqual([]);
    runBatch(state, [{ type: 'ReportJobStarted', jobId: 'j3' }], 3);
    expect(state.captures).toEqual([]);
    releaseCapture(captured); // twice: nothing more happens
    releaseCapture({ not: 'a capture' });
  });

  it('refuses a value that is not a snapshot', () => {
    expect(() => fromSnapshot({ nodes: [] })).toThrow(/not a state snapshot: 'devices' is missing/);
    expect(() => fromSnapshot(null)).toThrow(/not a state snapshot/);
  });

  it('writes each job as a row of its fields, history flattened into (status, at, revision) triples', () => {
    const state = initialState();
    runBatch(
      state,
      [
        { type: 'Install', userId: 'op', name: 'Op' },
        { type: 'SubmitJob', jobId: 'j', kind: 'notebook', owner: 'op', gpus: 0, tags: ['t'] },
      ],
      5,
    );
    const [row] = toSnapshot(state).jobs as unknown[][];
    expect(row?.slice(0, 4)).toEqual(['j', 'notebook', 'op', 'default']);
    expect(row?.at(-1)).toEqual(['Queued', 5, 1, 'Starting', 5, 2]);
  });
});
