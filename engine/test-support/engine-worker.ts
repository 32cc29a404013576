/**
 * A test worker: an engine on a SQLite file in a process of its own. It reads one JSON line per
 * request on stdin and answers one JSON line on stdout:
 *   {"command": {...}}           -> {"ack": commandId, "ok": true|false}   once the command is durable
 *   {"batch": n, "commands": [...], "at": t}
 *                                -> {"batchAck": n}                         once the batch is durable
 *   {"catchUp": true}            -> {"state": engineDigest (state and job archive), "revision": n}
 * Arguments: the SQLite file, then optionally `snapshotEvery`.
 * Used by the crash, two-engine and restart tests; not part of the package.
 */
import { createInterface } from 'node:readline';
import { openJobArchive } from '../../adapters/open-store.js';
import { SqliteEventStore } from '../../adapters/sqlite/store.js';
import type { Command } from '../../core/cluster/commands.js';
import { createEngine } from '../engine.js';
import { engineDigest } from './digest.js';

const file = process.argv[2] as string;
const snapshotEvery = Number(process.argv[3] ?? 0);
const store = new SqliteEventStore(file, { pollMs: 10 });
// The job archive in the same file, as a server keeps it: a restart must find it whole.
const engine = await createEngine({ store, clock: { now: () => 0 }, snapshotEvery, archive: openJobArchive(store) });
const send = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
send({ ready: true, revision: engine.revision });

interface Request {
  command?: Command;
  batch?: number;
  commands?: Command[];
  at?: number;
  catchUp?: boolean;
}

for await (const line of createInterface({ input: process.stdin })) {
  const req = JSON.parse(line) as Request;
  if (req.command) {
    // Not awaited in order: concurrent requests are gathered into group commits.
    void engine.execute(req.command).then(
      (o) => send({ ack: req.command?.commandId, ok: o.ok }),
      (e) => send({ ack: req.command?.commandId, error: String(e) }),
    );
  } else if (req.batch !== undefined) {
    await engine.executeBatch(req.commands ?? [], { at: req.at });
    send({ batchAck: req.batch });
  } else if (req.catchUp) {
    await engine.catchUp();
    send({ state: stateHash(), revision: engine.revision });
  }
}

function stateHash(): string {
  return engineDigest(engine);
}
