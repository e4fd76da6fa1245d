/** Rows with their columns in order, as every reader returns them. */
export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Plain aligned text table, truncating wide cells so a terminal stays readable. */
export function formatTable(result: QueryResult, maxWidth = 60): string {
  const { columns, rows } = result;
  if (columns.length === 0) return '(no columns)';
  const cells = rows.map((r) => columns.map((c) => {
    const s = cell(r[c]).replace(/\s+/g, ' ');
    return s.length > maxWidth ? s.slice(0, maxWidth - 1) + '…' : s;
  }));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const line = (vals: string[]): string =>
    vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(columns), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return out.join('\n');
}

/** RFC 4180 CSV. */
export function formatCsv(result: QueryResult): string {
  const esc = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [result.columns.map(esc).join(',')];
  for (const r of result.rows) lines.push(result.columns.map((c) => esc(cell(r[c]))).join(','));
  return lines.join('\n');
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

export type OutputFormat = 'table' | 'json' | 'csv';

export function formatResult(result: QueryResult, format: OutputFormat): string {
  if (format === 'json') return formatJson(result.rows);
  if (format === 'csv') return formatCsv(result);
  return formatTable(result);
}
