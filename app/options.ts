/** Where `gpupool serve` listens unless told otherwise; a module of its own so the CLI can name them without loading the server. */
export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';
