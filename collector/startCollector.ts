import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CollectorMetrics } from './CollectorMetrics.js';
import { HttpError, isHttpError } from '../http/HttpError.js';
import { bearerAuth } from '../http/bearerAuth.js';
import { contentType } from '../http/contentType.js';
import { hostCheck } from '../http/hostCheck.js';
import { sameOrigin } from '../http/sameOrigin.js';
import { readBody } from '../http/readBody.js';
import { compileRoutes, matchRoute } from '../http/router.js';
import { send, sendJson } from '../http/send.js';
import { IngestQueue } from './ingest/IngestQueue.js';
import { Spool } from './ingest/Spool.js';
import { WriteAheadLog } from './ingest/WriteAheadLog.js';
import { join } from 'node:path';
import { isLoopbackHost, resolveCollectorSettings, type ApiHandler, type CollectorOptions, type CollectorSettings } from './options.js';
import { encodingOf, handleOtlp, sendOtlpError } from './routes/otlpRoute.js';
import { decodeSpooled, OTLP_SIGNALS } from './routes/otlpSignals.js';
import { sqlRoute } from './routes/sqlRoute.js';
import { CLAUDE_CODE_HOOK_PATH, handleClaudeCodeHook } from './routes/hooksRoute.js';

/** A running collector. `close()` stops listening, settles queued writes and keeps unreplayed spool data for next start. */
export interface RunningCollector {
  url: string;
  host: string;
  port: number;
  settings: CollectorSettings;
  metrics: CollectorMetrics;
  /** Waits until the queue is empty and the spool fully replayed; false on timeout. */
  flush(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

const API_JSON_LIMIT = 1024 * 1024;

/**
 * Starts the OTLP/HTTP collector: `POST /v1/traces`, `/v1/logs`, `/v1/metrics`, `GET /healthz`, `GET /metrics`,
 * `POST /api/sql` and any extra `routes`. Resolves once listening.
 * @example
 * const store = await openStore('agentpulse.duckdb');
 * const c = await startCollector({ store, spoolDir: 'agentpulse.duckdb.spool', port: 4318 });
 * // ... later
 * await c.close(); await store.close();
 */
export async function startCollector(options: CollectorOptions): Promise<RunningCollector> {
  const settings = resolveCollectorSettings(options);
  const onError = options.onError ?? defaultOnError;
  if (options.sandboxStore !== false) await options.store.sandbox?.();
  const spool = settings.spoolDir && settings.maxSpoolBytes > 0 ? await Spool.open({ dir: settings.spoolDir, maxBytes: settings.maxSpoolBytes }) : null;
  // Write-ahead log frames a previous run left uncommitted are replayed like spooled requests.
  const walDir = spool ? join(spool.dir, 'live') : null;
  if (spool && walDir) await spool.adopt(await WriteAheadLog.leftovers(walDir));
  const wal = walDir ? await WriteAheadLog.open({ dir: walDir }) : null;
  let inflight = 0;
  const budget = {
    reserve(n: number): boolean {
      if (inflight > 0 && inflight + n > settings.maxInflightBytes) return false;
      inflight += n;
      return true;
    },
    release(n: number): void {
      inflight -= n;
    },
  };
  let queue: IngestQueue;
  const metrics = new CollectorMetrics(() => ({
    queueSpans: queue.depthSpans,
    queueBytes: queue.depthBytes,
    spoolBytes: spool?.sizeBytes ?? 0,
    inflightBodyBytes: inflight,
  }));
  queue = new IngestQueue(options.store, spool, decodeSpooled, metrics, {
    maxQueueSpans: settings.maxQueueSpans,
    maxQueueBytes: settings.maxQueueBytes,
    maxBatchSpans: settings.maxBatchSpans,
    retryAfterSeconds: settings.retryAfterSeconds,
    commitSpans: settings.commitSpans,
    maxCommitDelayMs: settings.maxCommitDelayMs,
    onError,
  }, wal);
  const bodyOpts = { maxBytes: settings.maxBodyBytes, maxDecompressedBytes: settings.maxDecompressedBytes, budget };
  const auth = bearerAuth({ token: settings.token, publicPaths: ['/healthz'] });
  let boundPort = settings.port;
  const host = hostCheck({
    bindHost: settings.host,
    port: () => boundPort,
    allowedHosts: settings.allowedHosts,
    // Beyond loopback a token is required and guards every route; names cannot be known in advance.
    anyHost: !isLoopbackHost(settings.host) && settings.allowedHosts.length === 0,
    publicPaths: ['/healthz'],
  });
  const csrf = sameOrigin();
  const bodyType = contentType({ byPrefix: { '/v1/': ['application/x-protobuf', 'application/json'], '/hooks/': ['application/json'] } });
  const hookDeps = {
    queue,
    metrics,
    body: bodyOpts,
    derivesHookSpans: options.store.derivesHookSpans === true,
    content: hookContentSettings(),
  };
  const builtins: Record<string, ApiHandler> = {
    'POST /api/sql': sqlRoute(options.store, { maxRows: settings.sqlMaxRows, timeoutMs: settings.sqlTimeoutMs, maxBytes: settings.sqlMaxBytes }),
  };
  const routes = compileRoutes({ ...builtins, ...(options.routes ?? {}) });

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<number> => {
    host(req, path);
    auth(req, path);
    csrf(req);
    bodyType(req, path);
    const signal = OTLP_SIGNALS.get(path);
    if (signal) {
      if (req.method !== 'POST') throw new HttpError(405, 'use POST', { headers: { allow: 'POST' } });
      return handleOtlp(signal, req, res, { queue, metrics, body: bodyOpts, retryAfterSeconds: settings.retryAfterSeconds, storesSignals: options.store.storesSignals === true });
    }
    if (path === CLAUDE_CODE_HOOK_PATH) return handleClaudeCodeHook(req, res, hookDeps);
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      const healthy = queue.storeHealthy;
      sendJson(res, healthy ? 200 : 503, {
        status: healthy ? 'ok' : 'degraded',
        queueSpans: queue.depthSpans,
        spoolBytes: spool?.sizeBytes ?? 0,
        spansWritten: metrics.spansWritten,
        ...(metrics.spoolDamage() ? { spoolDamage: metrics.spoolDamage() } : {}),
      });
      return healthy ? 200 : 503;
    }
    if (path === '/metrics' && req.method === 'GET') {
      send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', metrics.render());
      return 200;
    }
    const m = matchRoute(routes, req.method ?? 'GET', path);
    if (!('route' in m)) throw m.methodMismatch ? new HttpError(405, `method ${req.method} not allowed on ${path}`) : new HttpError(404, `no route ${path}`);
    // Spans acknowledged from the write-ahead log may not be committed yet: API readers see them.
    await queue.visible();
    const url = new URL(req.url ?? '/', 'http://collector');
    const result = await m.route.handler({
      req,
      res,
      url,
      params: m.params,
      json: async () => {
        const { body, held } = await readBody(req, 'identity', { ...bodyOpts, maxBytes: API_JSON_LIMIT });
        budget.release(held);
        try {
          return JSON.parse(body.toString('utf8')) as unknown;
        } catch (err) {
          throw new HttpError(400, 'body is not valid JSON', { cause: err });
        }
      },
    });
    if (result === undefined && (res.headersSent || res.writableEnded)) return res.statusCode;
    sendJson(res, 200, result ?? null);
    return 200;
  };

  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      // Node checks the two timeouts above only this often (default 30 s), which would let slow clients linger.
      connectionsCheckingInterval: Math.min(1000, Math.ceil(settings.headersTimeoutMs / 2)),
    },
    (req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    const path = (req.url ?? '/').split('?')[0]!;
    const route = OTLP_SIGNALS.has(path) || path === '/healthz' || path === '/metrics' || path === CLAUDE_CODE_HOOK_PATH ? path : path.startsWith('/api/') ? 'api' : 'other';
    handle(req, res, path).then(
      (status) => metrics.countRequest(route, status),
      (err: unknown) => {
        const httpErr = isHttpError(err) ? err : new HttpError(500, 'internal error', { cause: err });
        if (!isHttpError(err)) onError(err, `${req.method} ${path}`);
        // An unread or oversized body must not be drained into memory: close the connection instead.
        if (!req.complete) res.setHeader('connection', 'close');
        if (OTLP_SIGNALS.has(route)) sendOtlpError(res, encodingOf(req), httpErr);
        else sendJson(res, httpErr.statusCode, { error: httpErr.message, code: httpErr.code }, httpErr.headers);
        metrics.countRequest(route, httpErr.statusCode);
      },
    );
    },
  );
  server.on('clientError', (err, socket) => {
    // Malformed HTTP or a slow client hitting headersTimeout/requestTimeout.
    if (socket.writable && !socket.destroyed) {
      const code = (err as NodeJS.ErrnoException).code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      socket.end(`HTTP/1.1 ${code} ${code === 408 ? 'Request Timeout' : 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  boundPort = port;
  const hostForUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  // Spool files left by a previous run are replayed in the background.
  queue.startReplay();
  // Agents running in embedded mode spool to <db>.spool/*.ndjson while we hold the lock; pull those in too.
  let storeSpoolBusy = false;
  const storeSpoolTimer =
    options.store.ingestSpool && settings.storeSpoolPollMs > 0
      ? setInterval(() => {
          if (storeSpoolBusy || queue.depthSpans > 0) return;
          storeSpoolBusy = true;
          options.store.ingestSpool!()
            .catch((err: unknown) => onError(err, 'ingesting store spool segments'))
            .finally(() => (storeSpoolBusy = false));
        }, settings.storeSpoolPollMs)
      : null;
  storeSpoolTimer?.unref();

  let closing: Promise<void> | null = null;
  return {
    url: `http://${hostForUrl}:${port}`,
    host: settings.host,
    port,
    settings,
    metrics,
    flush: (timeoutMs) => queue.drain(timeoutMs),
    close: () =>
      (closing ??= (async () => {
        if (storeSpoolTimer) clearInterval(storeSpoolTimer);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // Requests still running (or long polls) get a grace period, then their sockets go.
          setTimeout(() => server.closeAllConnections(), 2_000).unref();
        });
        await queue.close();
        await wal?.close();
        await spool?.close();
      })()),
  };
}

function defaultOnError(err: unknown, context: string): void {
  process.stderr.write(`agentpulse collector: ${context}: ${err instanceof Error ? err.message : String(err)}\n`);
}

/** Content capture for hook events, as the instrumentation reads it (AGENTPULSE_CAPTURE_CONTENT, AGENTPULSE_CONTENT_MAX_CHARS). */
function hookContentSettings(env: NodeJS.ProcessEnv = process.env): { captureContent: boolean; maxChars: number } {
  const on = ['true', '1', 'yes', 'on'].includes((env.AGENTPULSE_CAPTURE_CONTENT ?? '').trim().toLowerCase());
  const n = Number(env.AGENTPULSE_CONTENT_MAX_CHARS);
  return { captureContent: on, maxChars: env.AGENTPULSE_CONTENT_MAX_CHARS && Number.isFinite(n) && n >= 0 ? Math.trunc(n) : 4096 };
}
