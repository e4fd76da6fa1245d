/**
 * DuckDB JS values to JSON-friendly ones: bigints within 2^53 to numbers (larger ones to decimal
 * strings, exact), dates to ISO strings (or epoch ms), recursing into lists and structs.
 */
export function toPlain(v: unknown, dates: 'iso' | 'ms' = 'iso'): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return dates === 'ms' ? v.getTime() : v.toISOString();
  if (Array.isArray(v)) return v.map((x) => toPlain(x, dates));
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toPlain(x, dates);
    return o;
  }
  return v;
}
