/**
 * The live store: the event stream feeds a revision counter, and every view reads through
 * `useApi`, which asks the API again when the cluster has changed (at most every 250 ms, so a
 * stream of 500 events a second costs a few requests, not 500 renders). Time travel pins every
 * read to a past revision or time (`asOf`/`asOfTime`), and the views are read-only meanwhile.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { Answer, Client } from '../api/client';
import { followEvents, type StreamEvent, type StreamStatus } from '../api/events';
import { useSession } from './session';

/**
 * Where time travel is: a cluster revision (with its time, once the API has said it: the assets
 * have a stream of their own, read as of that time), or a time; null: the present.
 */
export type TimeTravel = { asOf: number; time?: number } | { asOfTime: string } | null;

/** The time of the revision travelled to, for the reads of other streams (assetsPastQuery). */
let pastTime: number | undefined;

interface Live {
  /** The latest revision seen on the stream (-1: none yet). */
  readonly revision: number;
  readonly status: StreamStatus;
  readonly past: TimeTravel;
  setPast(past: TimeTravel): void;
  /** The latest events seen (at most 200), newest last. */
  readonly recent: readonly StreamEvent[];
}

const LiveContext = createContext<Live | null>(null);
const REFRESH_MS = 250;

export function LiveProvider({ children }: { children: ReactNode }) {
  const { token, client } = useSession();
  const [revision, setRevision] = useState(-1);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [past, setPast] = useState<TimeTravel>(null);
  const [recent, setRecent] = useState<readonly StreamEvent[]>([]);
  // Where the cluster stands now: the stream only tells of events after it connects.
  useEffect(() => {
    void client.GET('/api/v1/me').then(({ response }) => {
      const now = Number(response.headers.get('x-revision'));
      if (Number.isSafeInteger(now)) setRevision((r) => Math.max(r, now));
    });
  }, [client]);
  // A revision travelled to: ask its time (a cluster read of the past says it, X-As-Of-Time), so
  // that the assets are read as of the same moment.
  useEffect(() => {
    pastTime = past && 'asOf' in past ? past.time : undefined;
    if (!past || !('asOf' in past) || past.time !== undefined) return;
    const asOf = past.asOf;
    void client.GET('/api/v1/pools', { params: { query: { asOf: String(asOf) } as never } }).then(({ response }) => {
      const time = Number(response.headers.get('x-as-of-time'));
      if (Number.isFinite(time)) setPast((p) => (p && 'asOf' in p && p.asOf === asOf ? { asOf, time } : p));
    });
  }, [client, past]);
  useEffect(() => {
    let pending: StreamEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    // Events are gathered and handed on at most every REFRESH_MS: the page keeps up with any rate.
    const flush = () => {
      timer = null;
      const events = pending;
      pending = [];
      const last = events.at(-1);
      if (last) setRevision(last.revision);
      setRecent((r) => [...r, ...events].slice(-200));
    };
    const follow = followEvents({
      token,
      onEvents(events) {
        pending.push(...events);
        timer ??= setTimeout(flush, REFRESH_MS);
      },
      onStatus: (s) => setStatus(s),
    });
    return () => {
      follow.stop();
      if (timer) clearTimeout(timer);
    };
  }, [token]);
  return <LiveContext.Provider value={{ revision, status, past, setPast, recent }}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  const l = useContext(LiveContext);
  if (!l) throw new Error('useLive outside LiveProvider');
  return l;
}

/** The time-travel query parameters of a read (none when live). */
export function pastQuery(past: TimeTravel): Record<string, string> {
  if (!past) return {};
  return 'asOf' in past ? { asOf: String(past.asOf) } : { asOfTime: past.asOfTime };
}

/**
 * The time-travel query of a read of the assets (their own stream): the time of the cluster
 * revision travelled to, once known; the present until then.
 */
export function assetsPastQuery(past: Record<string, string>): Record<string, string> {
  if (past.asOfTime !== undefined) return { asOfTime: past.asOfTime };
  return past.asOf !== undefined && pastTime !== undefined ? { asOfTime: String(pastTime) } : {};
}

export type Loaded<T> = { state: 'loading' } | { state: 'done'; answer: Answer<T> };

/**
 * Read from the API, again whenever the cluster changes (live) or the past asked for does, and
 * when `deps` change. The previous answer stays on screen while the next one loads.
 */
export function useApi<T>(
  read: (client: Client, past: Record<string, string>) => Promise<Answer<T>>,
  deps: readonly unknown[],
): { loaded: Loaded<T>; reload: () => void } {
  const { client } = useSession();
  const { revision, past } = useLive();
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [nonce, setNonce] = useState(0);
  const latest = useRef(0);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  // Live, every new revision asks again; in the past, the revision does not matter.
  const liveKey = past ? -2 : revision;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `read` is a new function each render; deps name what it reads
  useEffect(() => {
    const call = ++latest.current;
    void read(client, pastQuery(past)).then((answer) => {
      if (call === latest.current) setLoaded({ state: 'done', answer });
    });
  }, [client, liveKey, JSON.stringify(past), nonce, ...deps]);
  return { loaded, reload };
}

/**
 * Read again every `ms` while `active`, live only (a view of the past does not change): for what
 * the event stream does not announce (a job's metrics and log, an experiment's trials, a pipeline
 * run's tasks).
 */
export function useReloadEvery(reload: () => void, ms: number, active: boolean): void {
  const { past } = useLive();
  useEffect(() => {
    if (!active || past) return;
    const timer = setInterval(reload, ms);
    return () => clearInterval(timer);
  }, [active, past, reload, ms]);
}
