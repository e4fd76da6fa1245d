import type { IncomingMessage } from 'node:http';
import { HttpError } from './HttpError.js';

export interface HostCheckOptions {
  /** The address the server is bound to. */
  bindHost: string;
  /** The bound port, known once listening (port 0 picks one). */
  port: () => number;
  /** Extra names accepted at any port (a reverse proxy's public name), e.g. `agentpulse.example.com`. */
  allowedHosts?: readonly string[];
  /**
   * Accept any `Host`: for a non-loopback bind, where a token guards every route (a browser tricked
   * by DNS rebinding has no token to send), and names cannot be listed in advance.
   */
  anyHost?: boolean;
  /** Paths served whatever the `Host` (health probes). */
  publicPaths?: readonly string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Builds a guard against DNS rebinding: a page on `evil.example` whose name is made to resolve to
 * 127.0.0.1 reaches a loopback server with `Host: evil.example:PORT`, so only the loopback names
 * (and the bound address) at the bound port, or a configured public name, are served. Refused
 * requests get 421 Misdirected Request. Also refuses request targets that are not origin-form
 * (`//host/path`, `http://host/path`): their authority would disagree with the checked `Host`.
 * @example
 * const check = hostCheck({ bindHost: '127.0.0.1', port: () => server.address().port, publicPaths: ['/healthz'] });
 * check(req, '/api/summary'); // throws HttpError(421) for Host: evil.example:4318
 */
export function hostCheck(opts: HostCheckOptions): (req: IncomingMessage, path: string) => void {
  const open = new Set(opts.publicPaths ?? []);
  const bound = opts.bindHost.includes(':') ? `[${opts.bindHost}]` : opts.bindHost;
  const loopback = new Set([...LOOPBACK_NAMES, bound.toLowerCase()]);
  const named = new Set((opts.allowedHosts ?? []).map((h) => splitHost(h.trim().toLowerCase())?.name ?? h.trim().toLowerCase()));
  return (req, path) => {
    requireOriginForm(req);
    if (opts.anyHost || open.has(path)) return;
    const header = req.headers.host;
    // Browsers always send Host; a client that sends none is not a rebinding victim.
    if (header === undefined) return;
    const parsed = splitHost(header.toLowerCase());
    if (parsed && named.has(parsed.name)) return;
    if (parsed && loopback.has(parsed.name) && (parsed.port ?? 80) === opts.port()) return;
    throw new HttpError(421, `Host "${header.slice(0, 200)}" is not served here: use http://127.0.0.1:${opts.port()} or add the name to AGENTPULSE_ALLOWED_HOSTS`, { code: 'MISDIRECTED_HOST' });
  };
}

/** Only `/path?query` targets (and `*` for OPTIONS) are accepted; anything else is 400. */
export function requireOriginForm(req: IncomingMessage): void {
  const target = req.url ?? '/';
  if (target === '*' && req.method === 'OPTIONS') return;
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) {
    throw new HttpError(400, 'request target must be a path (origin-form), not a URL', { code: 'BAD_REQUEST_TARGET' });
  }
}

/** `name[:port]` or `[v6][:port]` → parts; null when malformed. */
export function splitHost(host: string): { name: string; port: number | null } | null {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  if (!m) return null;
  return { name: m[1]!, port: m[2] === undefined ? null : Number(m[2]) };
}
