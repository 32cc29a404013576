/**
 * Idempotency: a command with a `commandId` runs once. The state remembers each command id with
 * the revisions of its events and a fingerprint of what it asked for, so that
 *
 * - the same command sent again is answered with its first outcome and appends nothing;
 * - another command under a used id is refused (`command-id-reused`), never silently dropped;
 * - a command accepted with no events (a no-op) is remembered too, by a `CommandAccepted` event.
 *
 * The memory is a window of the COMMAND_ID_WINDOW most recent command ids, by count: the state
 * does not grow with every command ever sent, and the window is the same after a replay, since
 * it is a pure function of the log. A retry older than the window runs again.
 */
import type { CommandEnvelope } from './decider.js';

/** How many of the most recent command ids the state remembers. */
export const COMMAND_ID_WINDOW = 100_000;

export interface RememberedCommand {
  /** Revision of its first event. */
  first: number;
  /** Revision of its last event. */
  last: number;
  /** What it asked for (see fingerprintOf); absent for commands remembered by earlier versions. */
  fingerprint?: string;
}

/**
 * A stable fingerprint of what a command asks for: its fields but `commandId`, `at` and `source`
 * (a clone's source request, which the engine fills in: a retry made after the source finished
 * asks for the same thing), keys in sorted order, hashed (two 32-bit FNV-1a lanes, 16 hex
 * digits). Pure and deterministic.
 */
export function fingerprintOf(command: CommandEnvelope): string {
  return hashText(canonicalJson(command, true));
}

/** The same hash of any JSON value, keys in sorted order: a cache key of what a value says. */
export function hashOfValue(value: unknown): string {
  return hashText(canonicalJson(value));
}

function hashText(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

function canonicalJson(u: unknown, top = false): string {
  if (u === null || typeof u !== 'object') return JSON.stringify(u) ?? 'null';
  if (Array.isArray(u)) return `[${u.map((x) => canonicalJson(x)).join(',')}]`;
  const keys = Object.keys(u)
    .filter(
      (k) => (u as Record<string, unknown>)[k] !== undefined && !(top && (k === 'commandId' || k === 'at' || k === 'source')),
    )
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((u as Record<string, unknown>)[k])}`).join(',')}}`;
}
