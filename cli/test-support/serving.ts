/**
 * Waiting for a `gpupool serve` child process (the CLI's own, or `npm start`) to say it serves.
 */
import type { ChildProcess } from 'node:child_process';

/** Gather a child's stdout and stderr; the function returned gives all of it so far. */
export function outputOf(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return () => out;
}

const SERVING = /gpupool serving on (\S+)/;

/**
 * The URL the child serves on, once it prints "gpupool serving on <url>". If it exits first or
 * 30 s pass, `giveUp` runs (to end what is left of it) and this throws with its output.
 */
export async function servingUrl(child: ChildProcess, output: () => string, what: string, giveUp = () => {}): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (let m = SERVING.exec(output()); !m; m = SERVING.exec(output())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      giveUp();
      throw new Error(`${what} did not serve:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return SERVING.exec(output())?.[1] as string;
}
