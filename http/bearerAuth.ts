import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './HttpError.js';

export interface BearerAuthOptions {
  /** The shared secret; null disables the check (loopback without a token). */
  token: string | null;
  /** Paths served without a token (health probes). */
  publicPaths?: readonly string[];
}

/**
 * Builds a request guard that requires `Authorization: Bearer <token>`, compared in
 * constant time (both sides hashed first so length differences leak nothing).
 * @example
 * const auth = bearerAuth({ token: process.env.AGENTPULSE_TOKEN ?? null, publicPaths: ['/healthz'] });
 * auth(req, '/v1/traces'); // throws HttpError(401) when the token is wrong
 */
export function bearerAuth(opts: BearerAuthOptions): (req: IncomingMessage, path: string) => void {
  if (opts.token === null) return () => undefined;
  const expected = createHash('sha256').update(opts.token).digest();
  const open = new Set(opts.publicPaths ?? []);
  return (req, path) => {
    if (open.has(path)) return;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer[ ]+(.+)$/i.exec(header);
    const given = createHash('sha256').update(m ? m[1]!.trim() : '').digest();
    if (!m || !timingSafeEqual(given, expected)) {
      throw new HttpError(401, 'missing or wrong bearer token', { headers: { 'www-authenticate': 'Bearer realm="agentpulse"' }, code: 'UNAUTHORIZED' });
    }
  };
}
