/**
 * Moving an event log between stores as JSON lines: one recorded event per line,
 * `{"stream", "revision", "id", "type", "data", "metadata"}`, in global order. Importing appends
 * each stream's events at the revisions they had, with their ids, so an import that is run again
 * (or resumed) recognises what it already wrote instead of duplicating it.
 *
 * Import only ever goes into an empty store: a log is a whole history, and appending one after
 * another's events (or after part of itself) would give a store no single history describes. So
 * importing into a store that already holds events is refused before anything is written.
 *
 * Import also reads the log `gpupool simulate --events` writes: bare cluster events, one per line,
 * which become the `cluster` stream in order (with fresh event ids).
 */

import { randomUUID } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { EventStore, NewEvent } from '../core/ports.js';

const CLUSTER_STREAM = 'cluster';

/** An export that cannot write its file. */
export class ExportError extends Error {}

/** How a file error reads in one line: the file and the error's code (ENOENT, EACCES, EISDIR...). */
const fileProblem = (file: string, e: unknown) => `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;

export async function exportEvents(store: EventStore, file: string): Promise<number> {
  // Opened first, so that a path that cannot be written fails as one clear error before any read.
  const handle = await open(file, 'w').catch((e) => {
    throw new ExportError(`cannot write ${fileProblem(file, e)}`);
  });
  const out = handle.createWriteStream();
  let n = 0;
  let from = 0n;
  try {
    for (;;) {
      const page = await store.readAll({ fromPosition: from, maxCount: 10_000 });
      for (const r of page) {
        const line = JSON.stringify({
          stream: r.stream,
          revision: Number(r.revision),
          id: r.id,
          type: r.type,
          data: r.data,
          metadata: r.metadata,
        });
        if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        n++;
      }
      if (page.length < 10_000) break;
      from = (page[page.length - 1]?.position ?? from) + 1n;
    }
  } catch (e) {
    // A store that fails mid-way leaves no partial log behind that could pass for a whole one.
    out.destroy();
    await rm(file, { force: true });
    throw e;
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return n;
}

export class ImportError extends Error {}

/**
 * Append the log in `file` to `store`, which must hold no events yet; `storeName` names the store
 * in the refusal. Returns how many events were imported.
 */
export async function importEvents(store: EventStore, file: string, storeName = 'the target store'): Promise<number> {
  const handle = await open(file, 'r').catch((e) => {
    throw new ImportError(`cannot read ${fileProblem(file, e)}`);
  });
  try {
    if ((await store.readAll({ maxCount: 1 })).length > 0)
      throw new ImportError(`${storeName} already holds events; import only into an empty store (nothing was imported)`);
    return await appendLog(store, file, handle.createReadStream({ autoClose: false }));
  } finally {
    await handle.close();
  }
}

async function appendLog(store: EventStore, file: string, input: NodeJS.ReadableStream): Promise<number> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  let lineNo = 0;
  let bare = 0; // revisions of bare cluster events read so far
  const next = new Map<string, number>();
  // Consecutive events of one stream go in one append, at the revision they had.
  let run: { stream: string; first: number; events: NewEvent[] } | undefined;
  const flush = async () => {
    if (!run) return;
    const expected = run.first === 0 ? ('no_stream' as const) : BigInt(run.first - 1);
    const r = await store.append(run.stream, run.events, expected);
    if (!r.ok) {
      throw new ImportError(
        `stream '${run.stream}' revision ${run.first}: the target store's stream is at ${String(r.conflict.actual)}; import into an empty store`,
      );
    }
    n += run.events.length;
    run = undefined;
  };
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let e: {
      stream?: unknown;
      revision?: unknown;
      id?: unknown;
      type?: unknown;
      data?: unknown;
      metadata?: unknown;
      v?: unknown;
    };
    try {
      e = JSON.parse(line);
    } catch {
      throw new ImportError(`${file}:${lineNo}: not a JSON object`);
    }
    if (e !== null && typeof e === 'object' && e.stream === undefined && typeof e.type === 'string' && e.v !== undefined) {
      e = { stream: CLUSTER_STREAM, revision: bare++, id: randomUUID(), type: e.type, data: e };
    }
    if (
      typeof e.stream !== 'string' ||
      typeof e.revision !== 'number' ||
      typeof e.id !== 'string' ||
      typeof e.type !== 'string'
    ) {
      throw new ImportError(`${file}:${lineNo}: an event needs stream, revision, id and type`);
    }
    // Within the file each stream's revisions must run 0, 1, 2, ... (the file may start a stream
    // part-way only if the store already holds the part before: the append checks that).
    const expectedNext = next.get(e.stream);
    if (expectedNext !== undefined && e.revision !== expectedNext) {
      throw new ImportError(`${file}:${lineNo}: stream '${e.stream}' jumps to revision ${e.revision} (expected ${expectedNext})`);
    }
    next.set(e.stream, e.revision + 1);
    if (run && (run.stream !== e.stream || run.events.length >= 1000)) await flush();
    if (!run) run = { stream: e.stream, first: e.revision, events: [] };
    run.events.push({ id: e.id, type: e.type, data: e.data, ...(e.metadata == null ? {} : { metadata: e.metadata }) });
  }
  await flush();
  return n;
}
