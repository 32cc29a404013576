/**
 * Idempotency-Key: a client's key for one request, so a retry runs it once. The key becomes the
 * command id, which the core deduplicates: `http:<scope>:<fingerprint>`, where the scope hashes the
 * caller and the key (two users' keys never meet) and the fingerprint hashes the command the
 * request asks for (its type and fields, from the path and the decoded-to-be body). A key sent
 * again with a different request is refused (422), not answered with the first request's outcome
 * as if it had been this one.
 *
 * Which fingerprint a scope was used with is indexed here, built once from the command ids in the
 * state and kept up as keyed requests succeed. A keyed request is also held here while it runs:
 * until it is durable the state does not know its key, so concurrent requests under one key with
 * different bodies would all run. While one is in flight, another request under its key is
 * refused (409 `idempotency-key-in-flight`) unless it is the same request (which the core
 * deduplicates: it is answered as a replay). (A rejected request is not remembered, as the core
 * does not remember it: a corrected retry under the same key runs.) Another process's keys are
 * not seen until a restart; a different request under such a key then simply runs as a new one.
 *
 * Keys are one space across the engines requests run on (the cluster's, the assets'): the index
 * is built from every engine's window of command ids, so a key used for a job and sent again to
 * create a dataset is another request (422), not a new one.
 */
import { createHash } from 'node:crypto';

/** An engine whose state remembers command ids (every decider's does: core/decider.ts). */
export interface RemembersCommands {
  readonly current: { readonly commands: ReadonlyMap<string, unknown> };
}

const PREFIX = 'http:';
const hash = (s: string, n: number) => createHash('sha256').update(s).digest('base64url').slice(0, n);

export class IdempotencyKeys {
  private index: Map<string, string> | undefined;
  /** Scopes of keyed requests running now: the fingerprint and how many requests carry it. */
  private readonly inFlight = new Map<string, { fingerprint: string; count: number }>();

  private readonly engines: readonly RemembersCommands[];

  constructor(...engines: RemembersCommands[]) {
    this.engines = engines;
  }

  /** The key's scope: the caller and the key, hashed. Stable across retries of one request. */
  static scope(userId: string, key: string): string {
    return hash(`${userId}\n${key}`, 22);
  }

  /** The command id for a keyed request asking for this command (`fields` without an id). */
  static commandId(scope: string, type: string, fields: Readonly<Record<string, unknown>>): string {
    return `${PREFIX}${scope}:${hash(`${type}\n${JSON.stringify(fields)}`, 16)}`;
  }

  /** Whether the command id's key was already used for another request. */
  reusedForAnother(commandId: string): boolean {
    const [scope, fingerprint] = split(commandId);
    const seen = this.known().get(scope);
    return seen !== undefined && seen !== fingerprint;
  }

  /**
   * Hold the command id's key while its request runs: a release function, or undefined when
   * another request (another fingerprint) under the same key is in flight. Release it when the
   * request is answered, after `remember` if it succeeded.
   */
  begin(commandId: string): (() => void) | undefined {
    const [scope, fingerprint] = split(commandId);
    const held = this.inFlight.get(scope);
    if (held && held.fingerprint !== fingerprint) return undefined;
    if (held) held.count++;
    else this.inFlight.set(scope, { fingerprint, count: 1 });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const h = this.inFlight.get(scope);
      if (h && --h.count === 0) this.inFlight.delete(scope);
    };
  }

  /** Record a keyed request that succeeded. */
  remember(commandId: string): void {
    const [scope, fingerprint] = split(commandId);
    this.known().set(scope, fingerprint);
  }

  private known(): Map<string, string> {
    if (!this.index) {
      this.index = new Map();
      for (const engine of this.engines) {
        for (const id of engine.current.commands.keys()) {
          if (id.startsWith(PREFIX)) {
            const [scope, fingerprint] = split(id);
            this.index.set(scope, fingerprint);
          }
        }
      }
    }
    return this.index;
  }
}

function split(commandId: string): [string, string] {
  const [scope = '', fingerprint = ''] = commandId.slice(PREFIX.length).split(':');
  return [scope, fingerprint];
}
