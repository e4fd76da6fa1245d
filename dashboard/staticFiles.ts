import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError } from '../http/HttpError.js';
import type { ApiHandler } from '../http/route.js';
import { send } from '../http/send.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Everything is served from this origin: no CDN, no inline script. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** dashboard/static beside the sources, from sources (dashboard/) or from dist/dashboard/. */
export function staticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [join(here, 'static'), join(here, '..', '..', 'dashboard', 'static')]) {
    if (existsSync(join(c, 'index.html'))) return c;
  }
  throw new Error('agentpulse: dashboard/static not found beside the package');
}

/** uPlot's browser files, served from the installed package (bundled with agentpulse as a dependency). */
function vendorFiles(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('uplot/dist/uPlot.esm.js'));
  return { 'uPlot.esm.js': join(dist, 'uPlot.esm.js'), 'uPlot.min.css': join(dist, 'uPlot.min.css') };
}

/**
 * Routes for the dashboard's page and assets: `GET /`, `GET /assets/:file`, `GET /assets/vendor/:file`.
 * Files are read once and kept in memory (the whole UI is a few tens of kB).
 */
export function staticRoutes(dir = staticDir()): Record<string, ApiHandler> {
  const cache = new Map<string, Buffer>();
  const vendor = vendorFiles();
  const serve = (path: string, res: Parameters<ApiHandler>[0]['res']): undefined => {
    let body = cache.get(path);
    if (!body) {
      body = readFileSync(path);
      cache.set(path, body);
    }
    send(res, 200, TYPES[extname(path)] ?? 'application/octet-stream', body, SECURITY_HEADERS);
    return undefined;
  };
  return {
    'GET /': (ctx) => serve(join(dir, 'index.html'), ctx.res),
    'GET /assets/:file': (ctx) => {
      const f = ctx.params.file ?? '';
      if (!/^[A-Za-z0-9_-]+\.(js|css|svg)$/.test(f) || !existsSync(join(dir, f))) throw new HttpError(404, `no asset ${f}`);
      return serve(join(dir, f), ctx.res);
    },
    'GET /assets/vendor/:file': (ctx) => {
      const p = vendor[ctx.params.file ?? ''];
      if (!p) throw new HttpError(404, `no vendor asset ${ctx.params.file}`);
      return serve(p, ctx.res);
    },
  };
}
