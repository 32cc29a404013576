/**
 * One HTTP watch stream, the way kube-apiserver serves it and clients parse it.
 *
 * Response 200, `Content-Type: application/json`, chunked, one `{"type","object"}` JSON per line
 * terminated by `\n` and written as soon as the event happens (the Node and Python clients split
 * on newlines and silently drop anything else). Selectors apply to transitions like on the real
 * server: an object that starts matching arrives as ADDED, one that stops matching as DELETED.
 *
 * Streams end on their own after `timeoutSeconds` (or the server's default, never instantly: an
 * informer re-watches at once with no backoff), and right after an ERROR event, because the Node
 * informer re-lists only once the stream has closed.
 */
import type { ServerResponse } from 'node:http';
import type { K8sObject, ResourceType } from './resources.js';
import type { Selector } from './selectors.js';
import type { Status } from './status.js';
import type { StoreEvent } from './store.js';

export interface WatchScope {
  type: ResourceType;
  namespace: string | undefined;
  selector: Selector;
  /** How objects go on the wire (e.g. as Tables for kubectl); `first` is true for the first one. */
  render?: (object: K8sObject, first: boolean) => unknown;
}

export interface WatchTiming {
  timeoutMs: number;
  /** Send a BOOKMARK this often (only when the client asked for bookmarks). */
  bookmarkIntervalMs: number | undefined;
  currentResourceVersion: () => number;
}

export class WatchStream {
  private readonly timers: NodeJS.Timeout[] = [];
  private ended = false;
  private rendered = 0;

  constructor(
    private readonly res: ServerResponse,
    readonly scope: WatchScope,
    timing: WatchTiming,
    private readonly onEnd: (stream: WatchStream) => void,
  ) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.on('close', () => this.end());
    this.timers.push(setTimeout(() => this.end(), timing.timeoutMs));
    const every = timing.bookmarkIntervalMs;
    if (every !== undefined) {
      const t = scope.type;
      const bookmark = () =>
        this.send('BOOKMARK', {
          kind: t.kind,
          apiVersion: t.group ? `${t.group}/${t.version}` : t.version,
          metadata: { resourceVersion: String(timing.currentResourceVersion()) },
        });
      this.timers.push(setInterval(bookmark, every));
    }
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  private inScope(obj: K8sObject | undefined): boolean {
    if (!obj) return false;
    const { namespace, selector } = this.scope;
    if (namespace !== undefined && this.scope.type.namespaced && obj.metadata.namespace !== namespace) return false;
    return selector(obj);
  }

  /** The ADDED events a watch from resourceVersion ""/"0" starts with. */
  sendInitial(objects: K8sObject[]): void {
    for (const obj of objects) this.sendObject('ADDED', obj);
  }

  /** Sends what `event` means to this watch, if anything. */
  deliver(event: StoreEvent): void {
    if (this.ended || event.resource !== this.scope.type) return;
    const was = this.inScope(event.previous);
    if (event.type === 'DELETED') {
      if (was) this.sendObject('DELETED', event.object);
      return;
    }
    const is = this.inScope(event.object);
    if (is) this.sendObject(was ? 'MODIFIED' : 'ADDED', event.object);
    else if (was) this.sendObject('DELETED', event.object);
  }

  /** Sends an ERROR event carrying `status` and ends the stream. */
  fail(status: Status): void {
    this.send('ERROR', status);
    this.end();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const t of this.timers) clearTimeout(t);
    if (!this.res.writableEnded) this.res.end();
    this.onEnd(this);
  }

  private sendObject(type: string, object: K8sObject): void {
    const render = this.scope.render;
    this.send(type, render ? render(object, this.rendered++ === 0) : object);
  }

  private send(type: string, object: unknown): void {
    if (this.ended) return;
    this.res.write(`${JSON.stringify({ type, object })}\n`);
  }
}
