import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobArchiveContract } from '../../core/cluster/test-support/job-archive-contract.js';
import { SqliteJobArchive } from './job-archive.js';

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
