/**
 * AllocateGPUs by count, over random clusters: nodes of one or two GPU types, some of their
 * devices busy with Default-Pool jobs, some already moved to another pool. A busy device keeps
 * serving its job wherever it moves, so the allocation must take it only when the Default Pool
 * has too few idle devices of the type; and it moves exactly the number asked for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatch } from './batch.js';
import type { Command } from './commands.js';
import { decide } from './decide.js';
import { initialState } from './evolve.js';
import { DEFAULT_POOL_ID, type State } from './model.js';

const TYPES = ['A100', 'H100'] as const;
const typeName = (i: number): string => TYPES[i % TYPES.length] as string;

interface Draw {
  nodes: { size: number; type: number }[];
  jobs: { gpus: number; type: number }[];
  /** Devices moved to pool 'q' (of the first type) before: a count, by the same rule. */
  elsewhere: number;
  /** The new pool's type; node 0 has it, so the Default Pool rarely lacks it. */
  type: number;
  /** Picks the count among 1..(devices of the type in the Default Pool). */
  count: number;
}

const drawArb: fc.Arbitrary<Draw> = fc.record({
  nodes: fc.array(fc.record({ size: fc.integer({ min: 1, max: 8 }), type: fc.nat(1) }), { minLength: 1, maxLength: 6 }),
  jobs: fc.array(fc.record({ gpus: fc.integer({ min: 1, max: 8 }), type: fc.nat(1) }), { maxLength: 8 }),
  elsewhere: fc.nat(6),
  type: fc.nat(1),
  count: fc.nat(),
});

/** The cluster a draw describes, with node ids registered in the order given. */
function build(d: Draw, order: number[]): State {
  const state = initialState();
  const setup: Command[] = [
    { type: 'Install', userId: 'admin', name: 'Admin' },
    ...order.map(
      (i): Command => ({
        type: 'RegisterNode',
        nodeId: `n${i}`,
        devices: Array.from({ length: d.nodes[i]?.size ?? 0 }, (_, index) => ({
          index,
          gpuType: typeName(i === 0 ? d.type : (d.nodes[i]?.type ?? 0)),
        })),
      }),
    ),
  ];
  runBatch(state, setup, 1);
  // Jobs that cannot fit are refused or wait; either way the ones that start make devices busy.
  runBatch(
    state,
    d.jobs.map((j, n) => ({
      type: 'SubmitJob',
      jobId: `j${n}`,
      kind: 'training',
      owner: 'admin',
      gpus: j.gpus,
      gpuType: typeName(j.type),
    })),
    2,
  );
  runBatch(
    state,
    [
      { type: 'CreatePool', poolId: 'q', name: 'q', gpuType: typeName(0) },
      { type: 'AllocateGPUs', poolId: 'q', count: Math.max(1, d.elsewhere) },
      { type: 'CreatePool', poolId: 'p', name: 'p', gpuType: typeName(d.type) },
    ],
    3,
  );
  return state;
}

function defaultDevices(s: State, type: string) {
  return [...s.devices.values()].filter((d) => d.pool === DEFAULT_POOL_ID && d.gpuType === type);
}

describe('AllocateGPUs by count', () => {
  it('takes a busy device only when fewer idle devices of the type than asked for are in the Default Pool, and moves exactly the count', () => {
    fc.assert(
      fc.property(drawArb, (d) => {
        const state = build(
          d,
          d.nodes.map((_, i) => i),
        );
        const type = typeName(d.type);
        const available = defaultDevices(state, type);
        fc.pre(available.length > 0);
        const count = 1 + (d.count % available.length);
        const idle = available.filter((x) => x.holders.length === 0).length;
        const decision = decide({ type: 'AllocateGPUs', poolId: 'p', count }, state);
        if (decision._tag === 'Left') throw new Error(`refused: ${decision.left.message}`);
        const [moved] = decision.right;
        if (moved?.type !== 'DevicesMoved') throw new Error(`expected DevicesMoved, got ${moved?.type}`);
        const ids = moved.devices.map((m) => m.id);
        expect(ids).toHaveLength(count);
        expect(new Set(ids).size).toBe(count);
        const chosen = ids.map((id) => state.devices.get(id));
        for (const x of chosen) expect(x).toMatchObject({ pool: DEFAULT_POOL_ID, gpuType: type });
        const busyChosen = chosen.filter((x) => (x?.holders.length ?? 0) > 0).length;
        if (busyChosen > 0) expect(idle).toBeLessThan(count);
        // Idle devices are taken first, all of them before any busy one.
        expect(busyChosen).toBe(Math.max(0, count - idle));
      }),
      { numRuns: 1000 },
    );
  });

  it('chooses the same devices whatever order the nodes registered in', () => {
    fc.assert(
      fc.property(
        drawArb.chain((d) =>
          fc.tuple(
            fc.constant(d),
            fc.shuffledSubarray(
              d.nodes.map((_, i) => i),
              { minLength: d.nodes.length },
            ),
          ),
        ),
        ([d, order]) => {
          const a = build(
            d,
            d.nodes.map((_, i) => i),
          );
          const b = build(d, order);
          const command: Command = { type: 'AllocateGPUs', poolId: 'p', count: 1 + (d.count % 48) };
          expect(decide(command, b)).toEqual(decide(command, a));
        },
      ),
      { numRuns: 300 },
    );
  });
});
