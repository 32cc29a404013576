/**
 * `serve()` in a process of its own, for tests that run several servers on one store and kill
 * them. Its options come as JSON in the first argument (ServeOptions without the callbacks); it
 * prints one JSON object a line on stdout: `{"leading": true|false, "at": <ms>}` whenever it starts
 * or stops running the runtime, and `{"serving": <url>, "token": <operator token or null>}` once
 * it serves. SIGTERM or SIGINT closes it gracefully.
 */
import type { ServeOptions } from '../options.js';
import { closeOnSignals, serve } from '../serve.js';

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const options = JSON.parse(process.argv[2] ?? '{}') as ServeOptions;
const served = await serve({ ...options, onLeadership: (leading) => say({ leading, at: Date.now() }) });
say({ serving: served.url, token: served.bootstrapToken?.token ?? null });
closeOnSignals(served, () => {});
