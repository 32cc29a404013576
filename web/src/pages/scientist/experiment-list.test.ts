/**
 * The experiments list reads every page: a group with more experiments than one answer holds
 * (2,345 here, the API answering at most 1,000 a request) sees every one of them, in order.
 */
import { describe, expect, it } from 'vitest';
import type { Answer } from '../../api/client';
import { EXPERIMENTS_PAGE, readEveryExperiment } from './experiment-list';

/** The API's paging: limit/offset over a list, with the whole count as X-Total-Count. */
function api(all: readonly string[], failAt?: number) {
  const asked: { limit: string; offset: string }[] = [];
  const readPage = async (page: { limit: string; offset: string }): Promise<Answer<string[]>> => {
    asked.push(page);
    const offset = Number(page.offset);
    if (offset === failAt) return { ok: false, problem: { title: 'Unavailable', status: 503 } };
    const limit = Math.min(Number(page.limit), 1000);
    return { ok: true, value: all.slice(offset, offset + limit), total: all.length };
  };
  return { asked, readPage };
}

const experiments = (n: number) => Array.from({ length: n }, (_, i) => `team/exp-${i}`);

describe('readEveryExperiment', () => {
  it('reads past the first 1,000: every experiment, in order, with the total', async () => {
    const { asked, readPage } = api(experiments(2345));
    const a = await readEveryExperiment(readPage);
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    expect(a.value).toHaveLength(2345);
    expect(a.value).toEqual(experiments(2345));
    expect(a.total).toBe(2345);
    expect(asked).toEqual([
      { limit: String(EXPERIMENTS_PAGE), offset: '0' },
      { limit: String(EXPERIMENTS_PAGE), offset: '1000' },
      { limit: String(EXPERIMENTS_PAGE), offset: '2000' },
    ]);
  });

  it('asks once for a short list, and once for an empty one', async () => {
    for (const n of [0, 999, 1000]) {
      const { asked, readPage } = api(experiments(n));
      const a = await readEveryExperiment(readPage);
      expect(a.ok && a.value.length).toBe(n);
      // 1,000 of 1,000 is every one: no second request.
      expect(asked).toHaveLength(1);
    }
  });

  it('answers the problem of a page that fails', async () => {
    const { readPage } = api(experiments(1500), 1000);
    const a = await readEveryExperiment(readPage);
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.problem.status).toBe(503);
  });
});
