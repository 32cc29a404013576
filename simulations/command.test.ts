/**
 * The simulate command end to end on a small trace: the files it writes (jobs.csv as jobsCsv
 * gives it, summary.json as summarize gives it) and its progress as figures per policy.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSimulateCommand } from './command.js';
import { jobsCsv } from './summary.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const trace = join(dir, 'trace.csv');
const cluster = join(dir, 'cluster.csv');
writeFileSync(
  trace,
  ['job_id,pool,gpus,submit_time,duration', 'a,p,8,0,100', 'b,p,8,10,50', 'c,q,4,20,30', 'd,p,16,30,10', ''].join('\n'),
);
writeFileSync(cluster, ['pool,nodes,gpus_per_node', 'p,1,8', 'q,1,8', ''].join('\n'));

describe('runSimulateCommand', () => {
  it('writes jobs.csv and summary.json and reports progress per policy', async () => {
    const out = join(dir, 'out');
    const seen: [string, number, number][] = [];
    const { results, summaries } = await runSimulateCommand({
      trace,
      format: 'gpupool',
      cluster,
      policies: ['fifo', 'sjf'],
      placement: 'count',
      capacityScale: 1,
      seed: 1,
      out,
      report: false,
      progress: 'none',
      log: () => {},
      onProgress: (policy, done, total) => seen.push([policy, done, total]),
    });
    expect(results.map((r) => r.policy)).toEqual(['fifo', 'sjf']);
    for (const [i, r] of results.entries()) {
      expect(readFileSync(join(out, r.policy, 'jobs.csv'), 'utf8')).toBe(jobsCsv(r.jobs));
      expect(JSON.parse(readFileSync(join(out, r.policy, 'summary.json'), 'utf8'))).toEqual(summaries[i]);
    }
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual({ policies: summaries });
    // The 16-GPU job fits no pool: rejected, the others complete.
    expect(readFileSync(join(out, 'fifo', 'jobs.csv'), 'utf8')).toMatch(/^d,p,16,30,10,,,Rejected,.*16 GPUs.*\n/m);
    for (const policy of ['fifo', 'sjf']) {
      const mine = seen.filter(([p]) => p === policy);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.at(-1)?.slice(1)).toEqual([4, 4]);
    }
  });
});
