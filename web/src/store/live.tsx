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

export type TimeTravel = { asOf: number } | { asOfTime: string } | null;

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
