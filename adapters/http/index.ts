/**
 * `gpupool/http`: the HTTP server for embedding (buildServer over an engine you made, or serve()
 * for the whole of `gpupool serve`). A subpath of its own, so `import 'gpupool'` loads no server.
 */
export type { Principal, Visibility } from './access.js';
export { createMetrics, type ServerMetrics } from './metrics.js';
export type { Problem } from './problem.js';
export { type Served, type ServeOptions, serve } from './serve.js';
export { buildServer, type ServerOptions } from './server.js';
export { TOKENS_STREAM, type TokenInfo, TokenRegistry } from './tokens.js';
