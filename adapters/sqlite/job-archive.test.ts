import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finishedJob, jobArchiveContract } from '../../core/cluster/test-support/job-archive-contract.js';
import { FINISHED_IDS_RANGE, SqliteJobArchive } from './job-archive.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-archive-'));
let n = 0;

jobArchiveContract(
  'SQLite',
  () => {
    const file = join(dir, `archive-${n++}.db`);
    return { archive: new SqliteJobArchive(file), reopen: () => new SqliteJobArchive(file) };
  },
  true,
);

describe('SQLite job archive: finished ids', () => {
  const archiveOf = () => new SqliteJobArchive(join(dir, `archive-${n++}.db`));
  const named = (archive: SqliteJobArchive, upTo: number) =>
    [...archive.finishedIds(upTo)].map(([id, status]) => `${id}:${status}`).sort();

  it('are read a range of revisions at a time, none lost or repeated at the ranges’ edges', () => {
    const archive = archiveOf();
    const R = FINISHED_IDS_RANGE;
    // Ends on both sides of each edge (a range is (from, from + R]), and far past the first ones.
    const ends = [0, 1, R - 1, R, R + 1, 2 * R - 1, 2 * R, 2 * R + 1, 7 * R + 3];
    const statuses = ['Complete', 'Error', 'Stopped'] as const;
    archive.put(
      ends.map((at, i) => finishedJob(`j${i}/${at}`, i, at, { status: statuses[i % 3] })),
      7 * R + 3,
    );
    const expected = (upTo: number) =>
      ends
        .map((at, i) => [at, `j${i}/${at}:${statuses[i % 3]}`] as const)
        .filter(([at]) => at <= upTo)
        .map(([, s]) => s)
        .sort();
    for (const upTo of [-1, 0, R - 1, R, R + 1, 2 * R, 7 * R + 2, 7 * R + 3, 9 * R]) {
      expect(named(archive, upTo)).toEqual(expected(upTo));
    }
    archive.close();
  });

  it('come back exactly, whatever they hold: quotes, commas, emoji, a newline or a NUL an older id may have', () => {
    const archive = archiveOf();
    const odd = ['a,b', 'it\'s "x"', 'g/名前 😀', '%0A', 'x\\ny', 'x\ny', 'n\u0000ul', '["a"]'];
    archive.put(
      odd.map((id, i) => finishedJob(id, i, i + 1)),
      10,
    );
    expect(named(archive, 10)).toEqual(odd.map((id) => `${id}:Complete`).sort());
    archive.close();
  });
});
