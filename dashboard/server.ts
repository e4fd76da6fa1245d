import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError, isHttpError } from '../collector/HttpError.js';
import { compileRoutes, matchRoute } from '../collector/http/router.js';
import { sendJson } from '../collector/http/send.js';
import type { ApiHandler, CollectorStore } from '../collector/options.js';
import { staticRoutes } from './staticFiles.js';

export interface DashboardServerOptions {
  host?: string;
  port?: number;
  /** Local API routes (from createDashboard); mutually exclusive with proxyUrl. */
  routes?: Record<string, ApiHandler>;
  /** Forward every /api/ request (SSE included) to this collector. */
  proxyUrl?: string;
  /** Bearer token sent to the collector when proxying. */
  proxyToken?: string;
}

export interface RunningDashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A small HTTP server for `agentpulse dashboard`: the page and assets, plus the API either
 * answered locally (read-only store) or proxied to a running collector. Loopback only by default.
 */
export async function startDashboardServer(opts: DashboardServerOptions): Promise<RunningDashboardServer> {
  const table = compileRoutes({ ...staticRoutes(), ...(opts.routes ?? {}) });
  const proxy = opts.proxyUrl ? new URL(opts.proxyUrl) : null;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (proxy && url.pathname.startsWith('/api/')) return forward(req, res, proxy, opts.proxyToken);
    void (async () => {
      const m = matchRoute(table, req.method ?? 'GET', url.pathname);
      if (!('route' in m)) throw new HttpError(m.methodMismatch ? 405 : 404, `no route ${url.pathname}`);
      const result = await m.route.handler({
        req, res, url, params: m.params, store: undefined as unknown as CollectorStore,
        json: () => Promise.reject(new HttpError(405, 'no request bodies here')),
      });
      if (result === undefined && (res.headersSent || res.writableEnded)) return;
      sendJson(res, 200, result ?? null);
    })().catch((err: unknown) => {
      const e = isHttpError(err) ? err : new HttpError(500, err instanceof Error ? err.message : String(err));
      if (!res.headersSent) sendJson(res, e.statusCode, { error: e.message, code: e.code });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** Streams one request to the collector and its answer back (works for SSE too). */
function forward(req: IncomingMessage, res: ServerResponse, target: URL, token: string | undefined): void {
  const headers: Record<string, string> = { accept: req.headers.accept ?? '*/*' };
  if (token) headers.authorization = `Bearer ${token}`;
  const up = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers }, (r) => {
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
