import { MemoryJobArchive } from './memory-archive.js';
import { jobArchiveContract } from './test-support/job-archive-contract.js';

jobArchiveContract('in memory', () => ({ archive: new MemoryJobArchive() }));
