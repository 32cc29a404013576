/**
 * `gpupool/http`: the HTTP server for embedding, buildServer over an engine you made. A subpath of
 * its own, so `import 'gpupool'` loads no server; the whole of `gpupool serve` is `gpupool/app`.
 */
export type { Principal, Visibility } from './access.js';
export type { AssetsEngine } from './context.js';
export { createMetrics, type ServerMetrics } from './metrics.js';
export type { Problem } from './problem.js';
export { buildServer, type ServerOptions } from './server.js';
export { TOKENS_STREAM, type TokenInfo, TokenRegistry } from './tokens.js';
