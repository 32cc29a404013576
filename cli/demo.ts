/**
 * The demo: a small cluster built, divided into pools and groups, and a day's worth of jobs
 * submitted and finished on a virtual clock, printed as the scheduler saw it.
 */
import { rmSync } from 'node:fs';
import { openStore } from '../adapters/open-store.js';
import type { Command } from '../core/cluster/commands.js';
import { checkInvariants } from '../core/cluster/invariants.js';
import { createEngine } from '../engine/engine.js';
import { DEMO_STORE } from './defaults.js';
import { table } from './table.js';

const gpus = (n: number, gpuType: string) => Array.from({ length: n }, (_, index) => ({ index, gpuType }));

/** The demo's own log: a fresh SQLite file each run (the embedded default store). */
export { DEMO_STORE };

export async function runDemo(out: (line: string) => void = console.log, storeSpec: string = DEMO_STORE): Promise<void> {
  let now = 0;
  if (storeSpec === DEMO_STORE)
    for (const f of [DEMO_STORE, `${DEMO_STORE}-wal`, `${DEMO_STORE}-shm`]) rmSync(f, { force: true });
  const store = await openStore(storeSpec);
  const engine = await createEngine({ store, clock: { now: () => now } });
  if (engine.revision >= 0) {
    await store.close();
    throw new Error(
      `the demo builds its own cluster and needs an empty store; ${storeSpec} already holds ${engine.revision + 1} events`,
    );
  }
  const at = async (t: number, commands: Command[]) => {
    now = t;
    const r = await engine.executeBatch(commands, { at: t });
    r.outcomes.forEach((o, i) => {
      if (!o.ok) out(`  t=${t}s ${commands[i]?.type} refused: ${o.rejection.message}`);
    });
  };

  out('gpupool demo: 4 nodes x 8 A100 and 2 nodes x 4 V100; two teams with pools of their own.\n');
  await at(0, [
    { type: 'Install', userId: 'ops', name: 'Olga (operator)' },
    ...['a1', 'a2', 'a3', 'a4'].map((nodeId): Command => ({ type: 'RegisterNode', nodeId, devices: gpus(8, 'A100') })),
    ...['v1', 'v2'].map((nodeId): Command => ({ type: 'RegisterNode', nodeId, devices: gpus(4, 'V100') })),
    { type: 'CreatePool', poolId: 'llm', name: 'llm-a100', gpuType: 'A100', policy: 'backfill' },
    { type: 'AllocateGPUs', poolId: 'llm', count: 16 },
    { type: 'CreatePool', poolId: 'cv', name: 'vision-v100', gpuType: 'V100', policy: 'fifo' },
    { type: 'AllocateGPUs', poolId: 'cv', count: 8 },
    { type: 'CreateGroup', groupId: 'nlp', name: 'NLP team' },
    { type: 'AssignPool', groupId: 'nlp', poolId: 'llm' },
    { type: 'CreateGroup', groupId: 'vision', name: 'Vision team' },
    { type: 'AssignPool', groupId: 'vision', poolId: 'cv' },
    { type: 'OnboardUser', userId: 'nina', name: 'Nina', role: 'data-scientist', groupId: 'nlp' },
    { type: 'OnboardUser', userId: 'victor', name: 'Victor', role: 'data-scientist', groupId: 'vision' },
    { type: 'OnboardUser', userId: 'dora', name: 'Dora', role: 'data-scientist' },
  ]);
  await at(10, [
    { type: 'SubmitJob', jobId: 'pretrain', kind: 'training', owner: 'nina', gpus: 16, workers: 2, expectedDuration: 3600 },
    { type: 'SubmitJob', jobId: 'finetune', kind: 'training', owner: 'nina', gpus: 8, expectedDuration: 1800 },
    { type: 'SubmitJob', jobId: 'eval', kind: 'inference', owner: 'nina', gpus: 1, expectedDuration: 300 },
    { type: 'SubmitJob', jobId: 'detector', kind: 'training', owner: 'victor', gpus: 4, expectedDuration: 900 },
    { type: 'SubmitJob', jobId: 'segment', kind: 'training', owner: 'victor', gpus: 4, expectedDuration: 600 },
    { type: 'SubmitJob', jobId: 'labeler', kind: 'notebook', owner: 'victor', gpus: 2 },
    { type: 'SubmitJob', jobId: 'explore', kind: 'notebook', owner: 'dora', gpus: 2 },
    { type: 'SubmitJob', jobId: 'huge', kind: 'training', owner: 'victor', gpus: 8 },
    { type: 'SubmitJob', jobId: 'debug', kind: 'notebook', owner: 'victor', gpus: 1, immediate: true },
  ]);
  const started = engine.jobs({ status: 'Starting' }).map((j): Command => ({ type: 'ReportJobStarted', jobId: j.id }));
  await at(20, [...started, { type: 'SubmitJob', jobId: 'hotfix', kind: 'notebook', owner: 'nina', gpus: 1, immediate: true }]);

  out('\nPools at t=20s:');
  out(
    table(
      ['pool', 'type', 'policy', 'group', 'total', 'used', 'free', 'shared', 'queued'],
      engine
        .pools()
        .map((p) => [p.name, p.gpuType ?? 'mixed', p.policy, p.group ?? '-', p.total, p.used, p.free, p.shared, p.queued]),
    ),
  );
  out('\nWhy jobs wait at t=20s:');
  for (const pool of engine.pools()) {
    for (const q of engine.queue(pool.id) ?? []) out(`  ${q.job.id} (#${q.position} in ${pool.name}): ${q.reason.message}`);
  }

  await at(600, [
    { type: 'ReportJobFailed', jobId: 'debug', reason: 'OOMKilled' },
    { type: 'StopJob', jobId: 'labeler' },
  ]);
  await at(910, [
    { type: 'ReportJobCompleted', jobId: 'detector' },
    { type: 'StopJob', jobId: 'hotfix' },
  ]);
  await at(915, [
    { type: 'ReportJobStarted', jobId: 'segment' },
    { type: 'ReleaseJob', jobId: 'hotfix' },
  ]);
  await at(3610, [{ type: 'ReportJobCompleted', jobId: 'pretrain' }]);

  out('\nJobs at t=3610s:');
  out(
    table(
      ['job', 'owner', 'kind', 'gpus', 'status', 'submitted', 'allocated', 'ended', 'devices'],
      engine
        .jobs()
        .map((j) => [
          j.id,
          j.owner,
          j.kind,
          `${j.gpus}${j.workers > 1 ? ` (${j.workers}w)` : ''}${j.immediate ? ' imm' : ''}`,
          j.status,
          `${j.submittedAt}s`,
          j.allocatedAt === null ? '-' : `${j.allocatedAt}s`,
          j.endedAt === null ? '-' : `${j.endedAt}s`,
          compactDevices(j.allocation?.devices ?? [], j.allocation?.shared ?? []),
        ]),
    ),
  );
  const violations = checkInvariants(engine.current);
  out(
    `\n${engine.revision + 1} events in the log (${storeSpec}); invariants ${violations.length === 0 ? 'hold' : `BROKEN: ${violations.join('; ')}`}.`,
  );
  if (violations.length > 0) process.exitCode = 1;
  await store.close();
}

/** "a1/0-7, a2/0-7" instead of sixteen ids; shared devices marked with '*'. */
function compactDevices(devices: readonly string[], shared: readonly string[]): string {
  const byNode = new Map<string, number[]>();
  for (const id of devices) {
    const [node, index] = [id.slice(0, id.lastIndexOf('/')), Number(id.slice(id.lastIndexOf('/') + 1))];
    byNode.set(node, [...(byNode.get(node) ?? []), index]);
  }
  const mark = shared.length > 0 ? ` (${shared.length} shared)` : '';
  const parts = [...byNode].map(([node, idx]) => {
    const lo = Math.min(...idx);
    const hi = Math.max(...idx);
    return hi - lo + 1 === idx.length && idx.length > 1 ? `${node}/${lo}-${hi}` : idx.map((i) => `${node}/${i}`).join(',');
  });
  return parts.length === 0 ? '-' : parts.join(' ') + mark;
}
