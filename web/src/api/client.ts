/**
 * The one way the dashboard talks to gpupool: its public HTTP API, typed by the OpenAPI document
 * (schema.d.ts), with the signed-in token in the Authorization header (never in a URL). Every call
 * answers a value: the body, or the problem the API gave (in words, with the fields it names), so
 * a page shows a refusal as it shows data, and nothing throws at it.
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema';

export interface Problem {
  status: number;
  title: string;
  detail?: string;
  code?: string;
  errors?: { path: string; expected: string; actual?: string; message?: string }[];
}

export type Answer<T> = { ok: true; value: T; total: number | null } | { ok: false; problem: Problem };

/** A problem in words, for a person: its detail, and the fields it names. */
export function describeProblem(p: Problem): string {
  const fields = (p.errors ?? []).map((e) => `${e.path}: ${e.message ?? `expected ${e.expected}`}`);
  return [p.detail ?? p.title, ...fields].join('; ');
}

export type Client = ReturnType<typeof createClient<paths>>;

export function apiClient(token: string, baseUrl = window.location.origin): Client {
  return createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${token}` } });
}

/** One call's outcome as a value (a network failure too). */
export async function answer<T>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<Answer<T>> {
  try {
    const { data, error, response } = await call;
    if (response.ok) {
      const total = response.headers.get('x-total-count');
      return { ok: true, value: data as T, total: total === null ? null : Number(total) };
    }
    const problem = (error ?? {}) as Partial<Problem>;
    return {
      ok: false,
      problem: { ...problem, status: response.status, title: problem.title ?? response.statusText ?? 'Error' },
    };
  } catch (e) {
    return { ok: false, problem: { status: 0, title: 'gpupool cannot be reached', detail: String((e as Error).message ?? e) } };
  }
}
