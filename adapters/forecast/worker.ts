/**
 * The forecast worker thread: it receives forecast requests (a compact snapshot of the cluster
 * and the options), plays the cluster forward, and answers with the predicted starts. A forecast
 * of ten thousand waiting jobs takes tens to hundreds of milliseconds of CPU; here it takes none of
 * the server's event loop. One request at a time, in the order they come.
 */
import { parentPort } from 'node:worker_threads';
import { type ForecastReply, type ForecastRequest, replyTransfer, runForecast } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('the forecast worker runs as a worker thread');
port.on('message', (message: { id: number; request: ForecastRequest }) => {
  let reply: ForecastReply;
  try {
    reply = runForecast(message.request);
  } catch (e) {
    port.postMessage({ id: message.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    return;
  }
  port.postMessage({ id: message.id, reply }, replyTransfer(reply));
});
