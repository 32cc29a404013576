/**
 * The live event stream (`GET /api/v1/events`, Server-Sent Events) read with fetch, so the token
 * travels in the Authorization header as on every other call: EventSource cannot send a header,
 * and a long-lived token in a URL ends up in logs and histories. The stream resumes where it
 * stopped: each message's id is the event's revision, sent back as Last-Event-ID on reconnect.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface StreamEvent {
  revision: number;
  type: string;
  data: Record<string, unknown>;
}

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'ended';

export interface FollowOptions {
  readonly token: string;
  /** Revision to resume after (undefined: from the next event). */
  readonly after?: number;
  readonly onEvents: (events: StreamEvent[]) => void;
  readonly onStatus: (status: StreamStatus, detail?: string) => void;
  readonly baseUrl?: string;
}

/** Follow the stream until `stop()`; reconnects with backoff, resuming after the last revision seen. */
export function followEvents(options: FollowOptions): { stop: () => void } {
  let last = options.after;
  let stopped = false;
  let controller: AbortController | null = null;
  let attempt = 0;

  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      options.onStatus(attempt === 0 ? 'connecting' : 'reconnecting');
      let ending: { code?: string; detail?: string; lastEventId?: number } | null = null;
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: 'text/event-stream' };
        if (last !== undefined) headers['last-event-id'] = String(last);
        const response = await fetch(`${options.baseUrl ?? window.location.origin}/api/v1/events`, {
          headers,
          signal: controller.signal,
          cache: 'no-store',
        });
        if (response.status === 401 || response.status === 403) {
          options.onStatus('ended', 'the token is no longer valid');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`the event stream answered ${response.status}`);
        attempt = 0;
        options.onStatus('live');
        // Events of one chunk are handed over together: a page re-renders once per chunk, not per event.
        let batch: StreamEvent[] = [];
        const parser = createParser({
          onEvent(message: EventSourceMessage) {
            if (message.event === 'error') {
              ending = JSON.parse(message.data);
              return;
            }
            const revision = Number(message.id);
            batch.push({ revision, type: message.event ?? 'message', data: JSON.parse(message.data) });
            last = revision;
          },
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
          if (batch.length > 0) {
            options.onEvents(batch);
            batch = [];
          }
        }
      } catch (e) {
        if (stopped) return;
        options.onStatus('reconnecting', String((e as Error).message ?? e));
      }
      const end = ending as { code?: string; detail?: string; lastEventId?: number } | null;
      if (end?.lastEventId !== undefined) last = end.lastEventId;
      if (end?.code === 'token-revoked' || end?.code === 'user-removed') {
        options.onStatus('ended', end.detail);
        return;
      }
      if (stopped) return;
      attempt++;
      await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 250 * 2 ** Math.min(attempt, 6))));
    }
  };
  void run();
  return {
    stop() {
      stopped = true;
      controller?.abort();
    },
  };
}
