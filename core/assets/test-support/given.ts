/**
 * A small given/when/then harness for the assets context: every batch runs through the decider
 * as the engine runs it (runDeciderBatch), and after each the state must equal a fresh replay of
 * the log (decoded from JSON) and a restore of its snapshot, and keep the context's invariants
 * (assetInvariants).
 */
import { isDeepStrictEqual } from 'node:util';
import { runDeciderBatch } from '../../decider.js';
import type { Rejection } from '../../rejection.js';
import { assetsDecider } from '../assets-decider.js';
import type { AssetCommand } from '../commands.js';
import type { AssetEvent } from '../events.js';
import { lineageRefs } from '../evolve.js';
import type { AssetsState } from '../model.js';
import { assetsFromSnapshot, assetsToSnapshot } from '../snapshot.js';

export class Assets {
  state: AssetsState = assetsDecider.initialState();
  readonly log: AssetEvent[] = [];
  private t = 0;

  at(t: number): this {
    this.t = t;
    return this;
  }

  given(...commands: AssetCommand[]): this {
    const r = this.run(commands);
    const refused = r.outcomes.find((o) => !o.ok);
    if (refused && !refused.ok) throw new Error(`given: refused: ${refused.rejection.code}: ${refused.rejection.message}`);
    return this;
  }

  /** One command: its events (bodies, envelope left out) or its rejection. */
  when(command: AssetCommand): { events: Record<string, unknown>[]; rejection: Rejection | undefined } {
    const r = this.run([command]);
    const o = r.outcomes[0];
    return {
      events: r.events.map(({ v: _v, at: _at, commandId: _c, fingerprint: _f, ...body }) => body),
      rejection: o && !o.ok ? o.rejection : undefined,
    };
  }

  private run(commands: AssetCommand[]) {
    const r = runDeciderBatch(assetsDecider, this.state, commands, this.t);
    this.state = r.state;
    this.log.push(...r.events);
    check(this.state, this.log);
    return r;
  }
}

/** Replays to the same state, and the invariants hold. */
function check(state: AssetsState, log: readonly AssetEvent[]): void {
  let fresh = assetsDecider.initialState();
  for (const e of log) {
    const d = assetsDecider.decodeEvent(JSON.parse(JSON.stringify(e)));
    if (!d.ok) throw new Error(`event ${e.type} does not decode: ${d.message}`);
    fresh = assetsDecider.evolve(fresh, d.value);
  }
  if (!isDeepStrictEqual(fresh, state)) throw new Error('replaying the log does not rebuild the state');
  // And a snapshot (as a store keeps it: JSON) restores it exactly.
  const restored = assetsFromSnapshot(JSON.parse(JSON.stringify(assetsToSnapshot(state))));
  if (!isDeepStrictEqual(restored, state)) throw new Error('a snapshot does not restore the state');
  const jobUses = new Map<string, number>();
  const countUse = (id: string) => jobUses.set(id, (jobUses.get(id) ?? 0) + 1);
  for (const e of log) {
    if (e.type === 'AssetUsed') countUse(e.assetId);
    if (e.type === 'AssetsUsed') for (const r of e.refs) countUse(r.assetId);
  }
  const problems = assetInvariants(state, jobUses);
  if (problems.length > 0) throw new Error(`invariants violated:\n  ${problems.join('\n  ')}`);
}

/**
 * The assets context's invariants, from first principles: versions numbered 1..n; every lineage
 * names a version that exists, of the right kind, in the same group; the use counts are what the
 * lineages (and recorded job uses) say; the group index holds every asset once.
 */
export function assetInvariants(state: AssetsState, jobUses: ReadonlyMap<string, number> = new Map()): string[] {
  const out: string[] = [];
  const uses = new Map<string, number>();
  for (const a of state.assets.values()) {
    a.versions.forEach((v, i) => {
      if (v.version !== i + 1) out.push(`${a.id} version ${i + 1} is numbered ${v.version}`);
      const lineage = v.lineage;
      const kinds: [unknown, string][] = lineage
        ? [
            [lineage.workspace, 'workspace'],
            ...lineage.datasets.map((d) => [d, 'dataset'] as [unknown, string]),
            [lineage.model, 'model'],
          ]
        : [];
      for (const [ref, kind] of kinds) {
        if (ref === null) continue;
        const r = ref as { assetId: string; version: number };
        const target = state.assets.get(r.assetId);
        if (!target) out.push(`${a.id} v${v.version} names missing ${r.assetId}`);
        else {
          if (target.kind !== kind) out.push(`${a.id} v${v.version} names ${r.assetId} as a ${kind}`);
          if (target.group !== a.group) out.push(`${a.id} v${v.version} crosses groups to ${r.assetId}`);
          if (r.version > target.versions.length) out.push(`${a.id} v${v.version} names missing ${r.assetId} v${r.version}`);
        }
      }
      for (const ref of lineageRefs(lineage, a.id)) uses.set(ref.assetId, (uses.get(ref.assetId) ?? 0) + 1);
    });
  }
  for (const a of state.assets.values()) {
    const want = (uses.get(a.id) ?? 0) + (jobUses.get(a.id) ?? 0);
    if (a.uses !== want) out.push(`${a.id} counts ${a.uses} uses but ${want} name it`);
  }
  const indexed = [...state.byGroup.values()].flat();
  if (indexed.length !== state.assets.size || indexed.some((id) => state.assets.get(id) === undefined)) {
    out.push('the group index does not hold every asset once');
  }
  return out;
}
