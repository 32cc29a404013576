/**
 * The server the HTTP benchmark loads, in a process of its own (so the load generator does not
 * share its event loop): `gpupool serve` as a function on a SQLite file (WAL, synchronous=FULL),
 * port 0 on loopback. It tells its parent the URL and the operator's token over IPC, and on
 * 'close' shuts down gracefully and reports the store's group-commit figures. Run by bench/http.ts.
 */

import { SqliteEventStore } from '../adapters/sqlite/store.js';
import { serve } from '../app/serve.js';

const [file, cluster] = process.argv.slice(2) as [string, string];
const store = new SqliteEventStore(file);
const served = await serve({ port: 0, host: '127.0.0.1', store, cluster, launchDelaySeconds: 2, stopDelaySeconds: 1 });
if (!served.bootstrapToken) throw new Error('http bench child: the store was not fresh (no bootstrap token)');
const send = (m: unknown) => (process.send as (m: unknown) => boolean)(m);
send({ type: 'ready', url: served.url, token: served.bootstrapToken.token });
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'stats') send({ type: 'stats', stats: { ...store.stats }, revision: served.engine.revision });
  if (m?.type !== 'close') return;
  served.close().then(
    () => {
      send({ type: 'closed', stats: { ...store.stats } });
      process.disconnect();
    },
    (e: unknown) => {
      process.stderr.write(`http bench child: close failed: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
});
