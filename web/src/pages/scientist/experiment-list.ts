/**
 * The experiments list's read: every experiment the filter names, page after page. The API
 * answers at most 1,000 a request (limit/offset, with the whole count in X-Total-Count), and a
 * group may well have more.
 */
import type { Answer } from '../../api/client';
import { allPages } from './common';

export const EXPERIMENTS_PAGE = 1000;

/** Every page of the list `readPage` reads, as one answer (its total the API's). */
export function readEveryExperiment<T>(
  readPage: (page: { limit: string; offset: string }) => Promise<Answer<T[]>>,
): Promise<Answer<T[]>> {
  return allPages((offset) => readPage({ limit: String(EXPERIMENTS_PAGE), offset: String(offset) }));
}
