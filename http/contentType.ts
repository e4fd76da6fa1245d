import type { IncomingMessage } from 'node:http';
import { HttpError } from './HttpError.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ContentTypeOptions {
  /** Media types accepted on state-changing requests (default `application/json`). */
  accept?: readonly string[];
  /** Per path prefix overrides, e.g. `{ '/v1/': ['application/x-protobuf', 'application/json'] }`. */
  byPrefix?: Record<string, readonly string[]>;
}

/**
 * Builds a guard that answers 415 to a state-changing request (anything but GET/HEAD/OPTIONS)
 * whose `Content-Type` is not listed. Browsers send `text/plain`, form or multipart types
 * cross-origin without a CORS preflight; `application/json` needs one, which this server never
 * grants, so requiring it stops "simple" cross-site POSTs even from clients without `Origin`.
 * @example
 * const ct = contentType({ byPrefix: { '/v1/': ['application/x-protobuf', 'application/json'] } });
 * ct(req, '/api/analyze'); // throws HttpError(415) for text/plain
 */
export function contentType(opts: ContentTypeOptions = {}): (req: IncomingMessage, path: string) => void {
  const fallback = new Set(opts.accept ?? ['application/json']);
  const prefixes = Object.entries(opts.byPrefix ?? {}).map(([p, types]) => [p, new Set(types)] as const);
  return (req, path) => {
    if (SAFE_METHODS.has(req.method ?? 'GET')) return;
    const allowed = prefixes.find(([p]) => path.startsWith(p))?.[1] ?? fallback;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!allowed.has(type)) {
      throw new HttpError(415, `Content-Type must be ${[...allowed].join(' or ')}${type ? `, not ${type.slice(0, 100)}` : ''}`, { code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
  };
}
