/**
 * `gpupool/app`: the whole of `gpupool serve` as a function, assembled from the adapters (the
 * store, the node inventory, the runtime, the HTTP server). A subpath of its own, so
 * `import 'gpupool'` loads no server; `gpupool/http` serves an engine you assembled yourself.
 */
export {
  BOOTSTRAP_OPERATOR,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SNAPSHOT_EVERY,
  type ServeOptions,
} from './options.js';
export { closeOnSignals, type Served, serve } from './serve.js';
