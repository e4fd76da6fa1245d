/** A short, low-cardinality `error.type` for an error: provider type, code, HTTP status class, or class name. */
export function errorTypeOf(err: unknown): string {
  if (err === null || err === undefined) return '_OTHER';
  if (typeof err !== 'object') return '_OTHER';
  const e = err as { type?: unknown; code?: unknown; status?: unknown; statusCode?: unknown; name?: unknown; error?: { type?: unknown } };
  if (typeof e.type === 'string' && e.type) return e.type;
  if (e.error && typeof e.error.type === 'string' && e.error.type) return e.error.type;
  if (typeof e.code === 'string' && e.code) return e.code;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : null;
  if (status !== null) {
    if (status === 429) return 'rate_limit';
    if (status === 408 || status === 504) return 'timeout';
    return String(status);
  }
  if (typeof e.name === 'string' && e.name && e.name !== 'Error') return e.name;
  return 'Error';
}
