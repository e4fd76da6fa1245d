import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError, isHttpError } from '../http/HttpError.js';
import { bearerAuth } from '../http/bearerAuth.js';
import { hostCheck } from '../http/hostCheck.js';
import { compileRoutes, matchRoute } from '../http/router.js';
import { sameOrigin } from '../http/sameOrigin.js';
import { sendJson } from '../http/send.js';
import { isLoopbackHost, listFromEnv, ServerConfigError } from '../http/addresses.js';
import type { ApiHandler } from '../http/route.js';
import { staticRoutes } from './staticFiles.js';

export interface DashboardServerOptions {
  host?: string;
  port?: number;
  /** Local API routes (from createDashboard); mutually exclusive with proxyUrl. */
  routes?: Record<string, ApiHandler>;
  /** Forward every /api/ GET (SSE included) to this collector. */
  proxyUrl?: string;
  /** Bearer token sent to the collector when proxying. */
  proxyToken?: string;
  /**
   * Token this server requires on every route but the page and its assets (≥ 16 characters).
   * Default: none on loopback; beyond loopback `AGENTPULSE_TOKEN`, and without one the server
   * refuses to start, like the collector.
   */
  token?: string;
  /** Host names served besides loopback (default `AGENTPULSE_ALLOWED_HOSTS`). */
  allowedHosts?: string[];
}

export interface RunningDashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A small HTTP server for `agentpulse dashboard`: the page and assets, plus the API either
 * answered locally (read-only store) or proxied to a running collector. Loopback only by default;
 * read-only (GET/HEAD) in both modes, so the collector token it may hold never carries a write.
 */
export async function startDashboardServer(opts: DashboardServerOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunningDashboardServer> {
  const bindHost = opts.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(bindHost);
  const token = opts.token ?? (loopback ? undefined : env.AGENTPULSE_TOKEN || undefined);
  if (token !== undefined && token.length < 16) throw new ServerConfigError('the dashboard token must be at least 16 characters');
  if (!loopback && token === undefined) {
    throw new ServerConfigError(
      `refusing to serve the dashboard on ${bindHost} without a token: set AGENTPULSE_TOKEN (≥ 16 characters) so every API route requires "Authorization: Bearer <token>", or bind to 127.0.0.1`,
    );
  }
  const allowedHosts = opts.allowedHosts ?? listFromEnv(env.AGENTPULSE_ALLOWED_HOSTS);
  const table = compileRoutes({ ...staticRoutes(), ...(opts.routes ?? {}) });
  const proxy = opts.proxyUrl ? new URL(opts.proxyUrl) : null;
  let boundPort = opts.port ?? 0;
  const host = hostCheck({ bindHost, port: () => boundPort, allowedHosts, anyHost: !loopback && allowedHosts.length === 0 });
  const auth = bearerAuth({ token: token ?? null });
  const csrf = sameOrigin();
  const server = createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    void (async () => {
      host(req, (req.url ?? '/').split('?')[0]!);
      const url = new URL(req.url ?? '/', 'http://dashboard');
      // The page and its assets hold no data; everything else needs the token when one is set.
      if (!isShell(url.pathname)) auth(req, url.pathname);
      csrf(req);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'the dashboard is read-only: use GET', { headers: { allow: 'GET, HEAD' } });
      if (proxy && url.pathname.startsWith('/api/')) return forward(req, res, proxiedUrl(proxy, url), opts.proxyToken);
      const m = matchRoute(table, req.method ?? 'GET', url.pathname);
      if (!('route' in m)) throw new HttpError(m.methodMismatch ? 405 : 404, `no route ${url.pathname}`);
      const result = await m.route.handler({
        req, res, url, params: m.params,
        json: () => Promise.reject(new HttpError(405, 'no request bodies here')),
      });
      if (result === undefined && (res.headersSent || res.writableEnded)) return;
      sendJson(res, 200, result ?? null);
    })().catch((err: unknown) => {
      const e = isHttpError(err) ? err : new HttpError(500, err instanceof Error ? err.message : String(err));
      if (!res.headersSent) sendJson(res, e.statusCode, { error: e.message, code: e.code }, e.headers);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  boundPort = port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function isShell(path: string): boolean {
  return path === '/' || path.startsWith('/assets/');
}

/**
 * The collector URL for a proxied request: the configured origin with only the request's path
 * and query, so no request target (`//host/…`, `http://host/…`, `/\host/…`) can pick another host.
 */
export function proxiedUrl(collector: URL, request: URL): URL {
  const out = new URL(collector.origin);
  out.pathname = request.pathname;
  out.search = request.search;
  return out;
}

/** Streams one request to the collector and its answer back (works for SSE too). */
function forward(req: IncomingMessage, res: ServerResponse, target: URL, token: string | undefined): void {
  const headers: Record<string, string> = { accept: req.headers.accept ?? '*/*' };
  if (token) headers.authorization = `Bearer ${token}`;
  const up = httpRequest(target, { method: req.method, headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, {
      'content-type': r.headers['content-type'] ?? 'application/json',
      'cache-control': 'no-cache',
    });
    r.pipe(res);
  });
  up.on('error', (err) => {
    if (!res.headersSent) sendJson(res, 502, { error: `collector at ${target.origin} unreachable (${err.message}); is \`agentpulse collect\` running?`, code: 'BAD_GATEWAY' });
    else res.end();
  });
  res.on('close', () => up.destroy());
  req.pipe(up);
}
