/**
 * List, then watch: a cache of one kind of object (nodes, gpupool's pods, labelled Jobs) kept in
 * step with the API server, and told to a handler change by change. It is gpupool's own instead of
 * client-node's informer because the informer re-watches without any backoff, stops for good on
 * an HTTP error other than 410, and waits for the server to close the stream after an in-stream
 * 410 (design notes, kubernetes-wire.md 3.1); a runtime that must not lose a transition needs
 * none of those.
 *
 * - **List** (one page, as the informer does), then diff the result against the cache: objects
 *   gone are told as DELETED, new ones ADDED, changed ones (another resourceVersion) MODIFIED,
 *   the unchanged ones not at all. So a re-list after 410 Gone tells each change once, and no
 *   duplicate reaches the handler. Then `onSynced`.
 * - **Watch** from the list's resourceVersion with bookmarks; every event, BOOKMARK included,
 *   moves the resourceVersion on, so a watch that ends (the server's timeout) resumes where it was
 *   without a re-list. An event whose object has the cached resourceVersion is a repeat and is
 *   dropped.
 * - **410 Gone**, as the watch's HTTP answer or as an ERROR event in its stream: re-list at once
 *   (the stream is dropped rather than waited out).
 * - **Other failures** (a list or watch refused, the connection dropped, a stream the server
 *   closed at once): try again after a backoff that doubles from `initialBackoffMs` to
 *   `maxBackoffMs`, reset by a watch that delivered something or lived a while. Each failure goes
 *   to `onError`; nothing stops the loop but `stop()`.
 *
 * Every list and watch request waits on the connection's rate limit (a list through the typed
 * client's middleware, a watch here).
 */
import { Watch } from '@kubernetes/client-node';
import type { Kube } from './kube.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** The parts of an object the cache reads. */
export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
}

export interface ListWatchSource<T extends KubeObject> {
  /** The watch path, e.g. `/api/v1/nodes` or `/api/v1/namespaces/ml/pods`. */
  readonly path: string;
  /** The same collection listed (through the typed client). */
  list(selectors: Selectors): Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListWatchHandlers<T> {
  /** Each change, in order. Called synchronously; what it starts it must track itself. */
  onChange(type: ChangeType, object: T, previous: T | undefined): void;
  /** After each list's differences were told: the cache now matches the server. */
  onSynced?(): void;
  onError?(error: unknown): void;
}

export interface ListWatchOptions {
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A watch that lived this long counts as healthy and resets the backoff. Default 5 s. */
  readonly healthyAfterMs?: number;
  /** Told after each list is in the cache and its differences told: how many objects it held. */
  readonly onListed?: (objects: number) => void;
}

export interface ListWatch<T> {
  /** Resolves after the first list was told (`onSynced`). */
  readonly synced: Promise<void>;
  /** The cached objects, by `namespace/name` (or `name` for cluster-scoped kinds). */
  readonly cache: ReadonlyMap<string, T>;
  /** Lists made (the first one included): a test's view of re-lists. */
  readonly lists: number;
  stop(): Promise<void>;
}

export const keyOf = (o: KubeObject): string =>
  o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name ?? ''}` : (o.metadata?.name ?? '');

interface WatchEvent {
  type?: string;
  object?: { code?: number; metadata?: { resourceVersion?: string } } & KubeObject;
}

export function startListWatch<T extends KubeObject>(
  kube: Kube,
  source: ListWatchSource<T>,
  handlers: ListWatchHandlers<T>,
  options: ListWatchOptions = {},
): ListWatch<T> {
  const initialBackoff = options.initialBackoffMs ?? 200;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const healthyAfter = options.healthyAfterMs ?? 5_000;
  const selectors: Selectors = {
    ...(source.labelSelector ? { labelSelector: source.labelSelector } : {}),
    ...(source.fieldSelector ? { fieldSelector: source.fieldSelector } : {}),
  };
  const cache = new Map<string, T>();
  const watcher = new Watch(kube.config);
  let resourceVersion: string | undefined;
  let stopped = false;
  let backoff = initialBackoff;
  let lists = 0;
  let abort: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let resolveSynced!: () => void;
  const synced = new Promise<void>((resolve) => {
    resolveSynced = resolve;
  });

  const report = (error: unknown) => {
    try {
      handlers.onError?.(error);
    } catch {
      // The handler's own failure is not the loop's to report.
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  async function relist(): Promise<void> {
    // The list goes through the typed client, whose middleware waits on the rate limit.
    const listed = await source.list(selectors);
    lists++;
    if (stopped) return;
    const seen = new Set<string>();
    const changes: [ChangeType, T, T | undefined][] = [];
    for (const item of listed.items) {
      const key = keyOf(item);
      seen.add(key);
      const before = cache.get(key);
      if (before?.metadata?.resourceVersion === item.metadata?.resourceVersion && before !== undefined) continue;
      cache.set(key, item);
      changes.push([before === undefined ? 'ADDED' : 'MODIFIED', item, before]);
    }
    for (const [key, before] of cache) {
      if (seen.has(key)) continue;
      cache.delete(key);
      changes.push(['DELETED', before, before]);
    }
    resourceVersion = listed.metadata?.resourceVersion;
    for (const [type, object, before] of changes) deliver(type, object, before);
    try {
      handlers.onSynced?.();
      options.onListed?.(listed.items.length);
    } catch (error) {
      report(error);
    }
    resolveSynced();
  }

  function deliver(type: ChangeType, object: T, previous: T | undefined): void {
    try {
      handlers.onChange(type, object, previous);
    } catch (error) {
      report(error);
    }
  }

  function apply(event: WatchEvent): 'ok' | 'gone' {
    const object = event.object;
    if (event.type === 'ERROR') {
      if (object?.code === 410) return 'gone';
      report(new Error(`watch ${source.path}: error event ${JSON.stringify(object)}`));
      return 'gone';
    }
    const rv = object?.metadata?.resourceVersion;
    if (rv) resourceVersion = rv;
    if (event.type === 'BOOKMARK' || object === undefined) return 'ok';
    const key = keyOf(object);
    const before = cache.get(key);
    if (event.type === 'DELETED') {
      if (before === undefined) return 'ok';
      cache.delete(key);
      deliver('DELETED', object as T, before);
    } else if (event.type === 'ADDED' || event.type === 'MODIFIED') {
      if (before !== undefined && before.metadata?.resourceVersion === rv) return 'ok';
      cache.set(key, object as T);
      deliver(before === undefined ? 'ADDED' : 'MODIFIED', object as T, before);
    }
    return 'ok';
  }

  /** One watch request, until the stream ends: 'gone' calls for a re-list, 'ended' for a re-watch. */
  async function watchOnce(): Promise<{ outcome: 'gone' | 'ended'; events: number }> {
    await kube.limiter.take();
    let events = 0;
    let gone = false;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (error: unknown) => {
        if (settled) return;
        settled = true;
        abort = undefined;
        const code = (error as { statusCode?: number } | null)?.statusCode;
        if (code === 410) gone = true;
        else if (error && !stopped && (error as { name?: string }).name !== 'AbortError') report(error);
        resolve({ outcome: gone ? 'gone' : 'ended', events });
      };
      watcher
        .watch(
          source.path,
          { allowWatchBookmarks: true, resourceVersion, ...selectors },
          (type, object) => {
            if (settled || stopped) return;
            events++;
            if (apply({ type, object }) === 'gone') {
              gone = true;
              abort?.abort(); // no need to wait for the server to close it
              finish(null);
            }
          },
          finish,
        )
        .then((controller) => {
          if (settled || stopped) controller.abort();
          else abort = controller;
        }, finish);
    });
  }

  async function loop(): Promise<void> {
    let needList = true;
    while (!stopped) {
      try {
        if (needList) {
          await relist();
          needList = false;
          backoff = initialBackoff;
        }
        if (stopped) break;
        const started = performance.now();
        const { outcome, events } = await watchOnce();
        if (stopped) break;
        if (outcome === 'gone') {
          needList = true;
          continue;
        }
        if (events > 0 || performance.now() - started >= healthyAfter) {
          backoff = initialBackoff;
          continue;
        }
        // A stream that ended at once with nothing in it: the server is unwell or refusing.
      } catch (error) {
        if (stopped) break;
        report(error);
        // A list that failed is tried again; a watch whose resourceVersion is too old gets a 410.
      }
      await sleep(backoff);
      backoff = Math.min(maxBackoff, backoff * 2);
    }
  }

  const running = loop();
  return {
    synced,
    cache,
    get lists() {
      return lists;
    },
    async stop() {
      stopped = true;
      abort?.abort();
      if (timer !== undefined) clearTimeout(timer);
      wake?.();
      await running;
    },
  };
}
