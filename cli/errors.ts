/**
 * Expected failures of the gpupool command: a person gave it something it cannot use (a missing
 * file, a busy port, an unreachable server). Each ends the command with one line
 * on stderr, `gpupool: <what is wrong>`, and exit code 2, never a stack trace; a stack trace is
 * kept for what nobody expected, a bug.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Exit code of every expected failure (commander's usage errors included). */
export const EXPECTED_FAILURE_EXIT = 2;

/** A failure the command line names for its user: printed as one line, exit 2. */
export class ExpectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpectedError';
  }
}

/**
 * The classes the adapters throw for a person's mistake rather than for a bug. Their modules are
 * loaded only when a command fails: at start-up they cost every command (the cluster file's YAML
 * parser, SQLite's native module) some 40 ms. An error of a class whose module was never loaded
 * cannot exist, and a loaded module is the same one again, so `instanceof` answers as before.
 */
async function expectedClasses(): Promise<readonly (abstract new (...args: never[]) => Error)[]> {
  const [io, clusterFile, openStore, engine, csv] = await Promise.all([
    import('../adapters/events-io.js'),
    import('../adapters/inventory/cluster-file.js'),
    import('../adapters/open-store.js'),
    import('../engine/engine.js'),
    import('../simulations/csv.js'),
  ]);
  return [
    ExpectedError,
    csv.InputError,
    io.ImportError,
    io.ExportError,
    engine.CorruptEventError,
    clusterFile.ClusterConfigError,
    openStore.StoreNotFoundError,
  ];
}

/** The one line an expected failure prints (without the `gpupool: ` prefix), else undefined. */
export async function expectedMessage(e: unknown): Promise<string | undefined> {
  if (!(e instanceof Error)) return undefined;
  if (e instanceof ExpectedError || (await expectedClasses()).some((c) => e instanceof c)) return oneLine(e.message);
  return undefined;
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/** A store spec fit to print: the password of an EventStoreDB connection string masked. */
export function printableStore(spec: string): string {
  return spec.replace(/^(esdb(?:\+discover)?:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

/** The EventStoreDB client's error types that mean the server could not be reached. */
const UNREACHABLE = new Set(['unavailable', 'deadline-exceeded', 'timeout']);

/**
 * An error from an EventStoreDB store that means the server cannot be reached (or refused the
 * credentials), as an ExpectedError naming the server; any other error unchanged.
 */
export function eventStoreDBFailure(e: unknown, spec: string): unknown {
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    const type = (c as { type?: unknown }).type;
    if ((typeof type === 'string' && UNREACHABLE.has(type)) || /Failed to discover after/.test(c.message))
      return new ExpectedError(`cannot reach EventStoreDB at ${printableStore(spec)}: ${grpcReason(c.message)}`);
    if (type === 'access-denied')
      return new ExpectedError(`EventStoreDB at ${printableStore(spec)} refused access: check the user and password`);
  }
  return e;
}

/** "14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED ..." -> "connect ECONNREFUSED ...". */
function grpcReason(message: string): string {
  const last = /Last error: (?:Error: )?(.*?)\.?\s*(?:Resolution note:.*)?$/.exec(message)?.[1];
  return oneLine(last || message.replace(/^\d+ [A-Z_]+: /, ''));
}

/** A listen that failed (EADDRINUSE and its kin) as an ExpectedError naming the address; else unchanged. */
export function listenFailure(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE')
    return new ExpectedError(
      `cannot listen on ${address}: the port is in use (another server?); stop it or choose another --port`,
    );
  if (code === 'EACCES')
    return new ExpectedError(
      `cannot listen on ${address}: permission denied (ports below 1024 need privileges); choose another --port`,
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new ExpectedError(`cannot listen on ${address}: this machine has no such address; check --host`);
  return e;
}

/** Refuse a file option that names no readable file, naming the option. */
export function requireFile(flag: string, file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
    accessSync(file, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ExpectedError(`${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}`);
  }
  if (!isFile) throw new ExpectedError(`${flag} ${file}: is a directory, not a file`);
}

/**
 * Refuse a folder option that cannot be written: a file in its place, or a parent that is a file
 * or read-only. Checked before any work, so a long run does not fail at its very end.
 */
export function requireWritableFolder(flag: string, dir: string): void {
  let existing = resolve(dir);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const isTarget = existing === resolve(dir);
  if (!statSync(existing).isDirectory())
    throw new ExpectedError(
      isTarget ? `${flag} ${dir}: is a file, not a folder` : `${flag} ${dir}: cannot make the folder: ${existing} is a file`,
    );
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new ExpectedError(`${flag} ${dir}: ${existing} is not writable`);
  }
}
