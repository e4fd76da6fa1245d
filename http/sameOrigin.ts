import type { IncomingMessage } from 'node:http';
import { HttpError } from './HttpError.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Builds a cross-site request forgery guard for state-changing requests (anything but
 * GET/HEAD/OPTIONS): a browser marks a request from another page with `Sec-Fetch-Site` and
 * `Origin`, so `Sec-Fetch-Site` other than `same-origin`/`none` and an `Origin` whose host
 * differs from the request's `Host` are refused with 403. Clients that send neither (the CLI,
 * OpenTelemetry exporters, curl) pass; the dashboard's own page sends `same-origin`.
 * `same-site` is refused too: another port of 127.0.0.1 is the same site.
 * @example
 * const csrf = sameOrigin();
 * csrf(req); // throws HttpError(403) for a POST from http://evil.example
 */
export function sameOrigin(): (req: IncomingMessage) => void {
  return (req) => {
    if (SAFE_METHODS.has(req.method ?? 'GET')) return;
    const site = header(req, 'sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new HttpError(403, `cross-origin ${req.method} refused (Sec-Fetch-Site: ${site.slice(0, 40)})`, { code: 'CROSS_ORIGIN' });
    }
    const origin = header(req, 'origin');
    if (origin === undefined) return;
    let originHost: string | null = null;
    try {
      originHost = origin === 'null' ? null : new URL(origin).host;
    } catch {
      originHost = null;
    }
    if (originHost === null || originHost !== (req.headers.host ?? '').toLowerCase()) {
      throw new HttpError(403, `cross-origin ${req.method} refused (Origin ${origin.slice(0, 200)})`, { code: 'CROSS_ORIGIN' });
    }
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
