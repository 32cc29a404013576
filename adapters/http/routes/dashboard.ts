/**
 * The web dashboard (web/, built into dist/web): `/` is its page, `/assets/*` its scripts and
 * styles. The page is public, like the documentation: it holds no data, and it asks for a token
 * before it reads any. Asset names carry a hash of their content, so they are cached for a year;
 * the page itself is never cached, so a new version is picked up at the next load. Without a
 * built dashboard, `/` says how to build it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { problem, sendProblem } from '../problem.js';

/**
 * What the page may load and talk to: only this server. Inline style attributes are allowed
 * (the GPU tiles are coloured per pool); inline scripts are not.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gpupool</title></head><body>
<main><h1>gpupool</h1><p>The dashboard has not been built. Run <code>npm run build</code> (npm install does it), then reload.
The API is at <a href="/docs">/docs</a>.</p></main></body></html>`;

/**
 * The built dashboard of this package: dist/web beside the compiled server (dist/adapters/...),
 * or, running from source, the project's dist/web. Null when neither has been built.
 */
export function builtDashboard(): string | null {
  for (const relative of ['../../../web/', '../../../dist/web/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    // A build has its assets folder; the sources (web/ beside adapters/) have not.
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'assets'))) return dir;
  }
  return null;
}

export function dashboardRoutes(dir: string | null) {
  return async (app: FastifyInstance) => {
    const index = dir === null ? null : join(dir, 'index.html');
    const page = index !== null && existsSync(index) ? readFileSync(index, 'utf8') : null;
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(page ?? NOT_BUILT),
    );
    if (page === null || dir === null) {
      app.get('/assets/*', { schema: { hide: true } }, async (req, reply) =>
        sendProblem(reply, problem(404, 'not-found', `no file ${req.url.split('?')[0]}: the dashboard is not built`)),
      );
      return;
    }
    await app.register(fastifyStatic, {
      root: join(dir, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      // Names carry a hash of the content: a changed file is a new name.
      immutable: true,
      maxAge: '365d',
      schemaHide: true,
      setHeaders: (res) => res.setHeader('x-content-type-options', 'nosniff'),
    });
  };
}
