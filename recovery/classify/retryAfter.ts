/**
 * Reads a server's Retry-After hint from the error shapes HTTP clients and provider SDKs use:
 * `retryAfterMs` (ms), `retryAfter` (seconds or header string), `headers['retry-after']`,
 * `headers['retry-after-ms']` (OpenAI) and the same under `response.headers`. Headers may be
 * a plain record or a Fetch `Headers`. Returns milliseconds (≥ 0) or undefined.
 */
export function retryAfterMs(err: unknown, now: number = Date.now()): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as Record<string, unknown>;
  if (typeof e.retryAfterMs === 'number' && Number.isFinite(e.retryAfterMs)) return Math.max(0, e.retryAfterMs);
  if (typeof e.retryAfter === 'number' && Number.isFinite(e.retryAfter)) return Math.max(0, e.retryAfter * 1000);
  if (typeof e.retryAfter === 'string') return parseRetryAfter(e.retryAfter, now);
  const response = typeof e.response === 'object' && e.response !== null ? (e.response as Record<string, unknown>) : undefined;
  for (const headers of [e.headers, response?.headers]) {
    const ms = header(headers, 'retry-after-ms');
    if (ms !== undefined) {
      const n = Number(ms);
      if (Number.isFinite(n) && n >= 0) return n;
    }
    const value = header(headers, 'retry-after');
    if (value !== undefined) return parseRetryAfter(value, now);
  }
  return undefined;
}

/** Parses a Retry-After header value: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string, now: number = Date.now()): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    const v: unknown = get.call(headers, name);
    return typeof v === 'string' ? v : undefined;
  }
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  }
  return undefined;
}
