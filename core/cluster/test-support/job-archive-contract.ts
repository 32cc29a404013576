/**
 * The job archive's contract (core/cluster/job-archive.ts): every archive passes it, the
 * in-memory one and the SQLite table alike.
 */
import { describe, expect, it } from 'vitest';
import type { JobArchive, JobQuery } from '../job-archive.js';
import type { FinishedStatus, JobState } from '../model.js';

/** A finished job: submitted at revision `seq`, finished at `finishedAt`. */
export function finishedJob(
  id: string,
  seq: number,
  finishedAt: number,
  fields: Partial<Omit<JobState, 'id' | 'seq' | 'status'>> & { status?: FinishedStatus } = {},
): JobState {
  const status = fields.status ?? 'Complete';
  return {
    id,
    kind: 'training',
    owner: 'u1',
    group: 'g1',
    gpus: 1,
    gpuType: null,
    nodeSelector: null,
    nodeAffinity: null,
    workers: 1,
    priority: 0,
    tags: [],
    expectedDuration: null,
    immediate: false,
    spec: null,
    clonedFrom: null,
    shared: false,
    submittedAt: seq,
    reason: null,
    allocation: null,
    allocatedAt: null,
    ranOnGpuType: null,
    endedAt: finishedAt,
    failure: null,
    inputs: null,
    output: null,
    ide: null,
    endpoint: null,
    ...fields,
    seq,
    status,
    history: [
      { status: 'Queued', at: seq, revision: seq },
      { status, at: finishedAt, revision: finishedAt },
    ],
  };
}

export interface ArchiveUnderTest {
  archive: JobArchive;
  /** The same archive opened again (a restart), when it persists. */
  reopen?: () => JobArchive;
}

export function jobArchiveContract(name: string, make: () => ArchiveUnderTest, persistent = false): void {
  const ids = (jobs: readonly JobState[]) => jobs.map((j) => j.id);
  const all = Number.POSITIVE_INFINITY;

  describe(`job archive contract: ${name}`, () => {
    it('starts empty at revision -1', () => {
      const { archive } = make();
      expect(archive.revision).toBe(-1);
      expect(archive.get('x')).toBeUndefined();
      expect(archive.list({}, 100, all)).toEqual([]);
      expect(archive.count({}, 100)).toBe(0);
      expect(archive.groups()).toEqual([]);
    });

    it('gives back a record equal to the one put, and keeps the first record of an id', () => {
      const { archive } = make();
      const job = finishedJob('g1/a', 3, 9, {
        tags: ['x', 'ünï'],
        spec: { image: 'pytorch', args: ['--lr', 0.1] },
        failure: { reason: 'crash', message: 'boom' },
        status: 'Error',
        allocation: { pool: 'p', devices: ['n/0'], shared: [], nodes: ['n'] },
        ranOnGpuType: 'A100',
      });
      archive.put([job], 9);
      archive.put([finishedJob('g1/a', 3, 12, { owner: 'someone-else' })], 12);
      expect(archive.get('g1/a')).toEqual(job);
      expect(archive.count({}, all)).toBe(1);
    });

    it('moves its revision forward only', () => {
      const { archive } = make();
      archive.put([], 10);
      expect(archive.revision).toBe(10);
      archive.put([finishedJob('a', 1, 5)], 5); // a slower writer catching up
      expect(archive.revision).toBe(10);
      expect(archive.get('a')).toBeDefined();
    });

    it('lists in submission order whatever the order jobs finished in, up to a limit', () => {
      const { archive } = make();
      archive.put([finishedJob('c', 30, 31), finishedJob('a', 10, 40)], 40);
      archive.put([finishedJob('b', 20, 50)], 50);
      expect(ids(archive.list({}, all, all))).toEqual(['a', 'b', 'c']);
      expect(ids(archive.list({}, all, 2))).toEqual(['a', 'b']);
      expect(archive.list({}, all, 0)).toEqual([]);
    });

    it('answers as of a revision: only jobs that had finished by then', () => {
      const { archive } = make();
      archive.put([finishedJob('a', 1, 5), finishedJob('b', 2, 8), finishedJob('c', 3, 12)], 12);
      expect(ids(archive.list({}, 8, all))).toEqual(['a', 'b']);
      expect(archive.count({}, 8)).toBe(2);
      expect(archive.count({}, 4)).toBe(0);
      expect(archive.count({ owner: 'u1' }, 5)).toBe(1);
    });

    it('filters by status, kind, owner, group, tag, sharing and a left-out owner, alone and together', () => {
      const { archive } = make();
      const jobs = [
        finishedJob('1', 1, 100, { owner: 'ann', group: 'ga', kind: 'notebook', tags: ['nlp', 'big'] }),
        finishedJob('2', 2, 100, { owner: 'bob', group: 'ga', shared: true, status: 'Error', tags: ['nlp'] }),
        finishedJob('3', 3, 100, { owner: 'bob', group: 'gb', status: 'Stopped' }),
        finishedJob('4', 4, 100, { owner: 'ann', group: 'gb', shared: true, tags: ['nl'] }),
        finishedJob('5', 5, 100, { owner: 'cy', group: 'ga', shared: true, kind: 'inference' }),
      ];
      archive.put(jobs, 100);
      const cases: [JobQuery, string[]][] = [
        [{}, ['1', '2', '3', '4', '5']],
        [{ statuses: new Set(['Error', 'Stopped'] as const) }, ['2', '3']],
        [{ statuses: new Set(['Running'] as const) }, []],
        [{ kind: 'notebook' }, ['1']],
        [{ owner: 'ann' }, ['1', '4']],
        [{ group: 'ga' }, ['1', '2', '5']],
        [{ tag: 'nlp' }, ['1', '2']],
        [{ tag: 'nl' }, ['4']],
        [{ shared: true }, ['2', '4', '5']],
        [{ shared: false }, ['1', '3']],
        [{ group: 'ga', shared: true, notOwner: 'bob' }, ['5']],
        [{ owner: 'bob', group: 'gb' }, ['3']],
        [{ owner: 'ann', tag: 'nlp', kind: 'notebook', statuses: new Set(['Complete'] as const) }, ['1']],
      ];
      for (const [q, want] of cases) {
        expect(ids(archive.list(q, all, all)), JSON.stringify({ ...q, statuses: q.statuses && [...q.statuses] })).toEqual(want);
        expect(archive.count(q, all)).toBe(want.length);
      }
      expect(archive.groups().sort()).toEqual(['ga', 'gb']);
    });

    it('names the jobs finished by a revision, with how each ended', () => {
      const { archive } = make();
      archive.put(
        [finishedJob('a', 1, 5), finishedJob('b', 2, 8, { status: 'Error' }), finishedJob('c', 3, 12, { status: 'Stopped' })],
        12,
      );
      const ids = (upTo: number) => [...archive.finishedIds(upTo)].map(([id, status]) => `${id}:${status}`).sort();
      expect(ids(12)).toEqual(['a:Complete', 'b:Error', 'c:Stopped']);
      expect(ids(8)).toEqual(['a:Complete', 'b:Error']);
      expect(ids(4)).toEqual([]);
    });

    it('takes ids a URL cannot carry and text any script writes', () => {
      const { archive } = make();
      const odd = ['g/it\'s a "job"; DROP TABLE x; --', 'g/%2F..%00', 'g/名前 😀'];
      archive.put(
        odd.map((id, i) => finishedJob(id, i, 10, { tags: [id] })),
        10,
      );
      for (const id of odd) expect(archive.get(id)?.id).toBe(id);
      expect(ids(archive.list({ tag: odd[0] }, all, all))).toEqual([odd[0]]);
    });

    it.runIf(persistent)('keeps what it was given across a restart', () => {
      const under = make();
      if (!under.reopen) throw new Error('a persistent archive must say how to reopen it');
      under.archive.put([finishedJob('a', 1, 5), finishedJob('b', 2, 7)], 9);
      under.archive.close();
      const again = under.reopen();
      expect(again.revision).toBe(9);
      expect(ids(again.list({}, all, all))).toEqual(['a', 'b']);
      expect(again.get('b')).toEqual(finishedJob('b', 2, 7));
      again.close();
    });
  });
}
