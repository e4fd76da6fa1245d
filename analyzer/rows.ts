/** Small readers for query rows: values arrive as numbers, numeric strings (wide ints) or null. */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  if (typeof v === 'bigint') return Number(v);
  return NaN;
}

export function numOrNull(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = num(v);
  return Number.isFinite(n) ? n : null;
}

export function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** A JSON object column (DuckDB JSON → VARCHAR, or already parsed by an HTTP reader). */
export function jsonObject(v: unknown): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (typeof v === 'string') {
    const parsed = JSON.parse(v) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  }
  return typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

/** A list column: an array, or its JSON text when it came through an HTTP reader. */
export function numberList(v: unknown): number[] {
  const arr = typeof v === 'string' ? (JSON.parse(v) as unknown[]) : Array.isArray(v) ? v : [];
  return arr.map(num);
}

export const round = (x: number, digits = 4): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Stable key of an agent × operation × model scope. */
export const scopeKey = (s: { agent: string | null; operation: string | null; model: string | null }): string =>
  JSON.stringify([s.agent, s.operation, s.model]);
