import { JsonDuckDBValueConverter, type DuckDBConnection, type DuckDBDataChunk, type DuckDBValue } from '@duckdb/node-api';
import { AgentpulseError } from './errors.js';
import { assertReadOnlySqlParsed, statementBody } from './sqlGuard.js';

export interface RunReadOnlyOptions {
  /** Rows returned at most; `truncated` says whether there were more. */
  maxRows: number;
  /** The whole call (check, run, fetch and conversion) answers within this long. */
  timeoutMs: number;
  /**
   * Bytes of result returned at most, counted as DuckDB's text form of each row before any of
   * it reaches JavaScript; a larger result is refused (SqlResultTooLargeError). Default 16 MiB.
   */
  maxBytes?: number;
  /** Named parameters (`$name`), bound, never interpolated. Scalars only. */
  params?: Record<string, string | number | boolean | null>;
}

export interface ReadOnlyResult {
  columns: string[];
  rows: unknown[][];
  truncated: boolean;
}

export const DEFAULT_SQL_MAX_BYTES = 16 * 1024 * 1024;

/** The query ran past its time limit and was interrupted. */
export class SqlTimeoutError extends AgentpulseError {
  constructor(timeoutMs: number) {
    super('SQL_TIMEOUT', `the query ran longer than ${timeoutMs} ms and was stopped; narrow it with a WHERE on start_ns or a LIMIT`);
  }
}

/** The result is larger than the byte limit; nothing of it was returned. */
export class SqlResultTooLargeError extends AgentpulseError {
  constructor(maxBytes: number, what: string) {
    super(
      'SQL_RESULT_TOO_LARGE',
      `${what} is larger than the ${formatBytes(maxBytes)} result limit; select fewer or smaller columns, aggregate, or add a LIMIT`,
    );
  }
}

const WIDE_INT_TYPES = new Set(['BIGINT', 'UBIGINT', 'HUGEINT', 'UHUGEINT']);
const ROW = '"agentpulse:row"';

/** JSON text of any fixed-width value (number, date, time, uuid, interval, ...) fits in this. */
const FIXED_BYTES = 40;
const FIXED_TYPE_RE =
  /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|DATE|TIME|TIME_NS|TIME WITH TIME ZONE|TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE|INTERVAL|UUID)$/;

/**
 * SQL for an upper estimate of a value's JSON size that DuckDB computes cheaply, from the type
 * DESCRIBE gives: string and blob lengths, list lengths times a fixed width; anything else
 * (structs, maps, nested lists) by its text form.
 * @example
 * sizeExpression('r.c0', 'INTEGER[]') // 'coalesce(len(r.c0) * 41 + 2, 4)'
 */
export function sizeExpression(ref: string, type: string): string {
  if (FIXED_TYPE_RE.test(type)) return String(FIXED_BYTES);
  const list = /^(.*)\[\d*\]$/.exec(type);
  const e =
    type === 'VARCHAR' || type === 'JSON' ? `strlen(${ref}) + 2`
    : type === 'BLOB' ? `octet_length(${ref}) * 4 + 2`
    : list && FIXED_TYPE_RE.test(list[1]!) ? `len(${ref}) * ${FIXED_BYTES + 1} + 2`
    : `strlen(CAST(${ref} AS VARCHAR))`;
  return `coalesce(${e}, 4)`;
}

/**
 * Checks and runs one read-only query within row, byte and time limits. DuckDB measures each
 * row's size (an upper estimate of its JSON) on its own threads, so a result over the byte limit never reaches
 * JavaScript and cannot stall the event loop; the time limit interrupts the connection and, if
 * DuckDB is deep in one expression, answers at the deadline anyway. Use a connection of its own
 * and close it only after `settled`: the query may still be finishing after a time-out.
 * @example
 * const { columns, rows, truncated } = await runReadOnly(conn, 'SELECT count(*) FROM spans', { maxRows: 1000, timeoutMs: 5000 });
 */
export function runReadOnly(conn: DuckDBConnection, sql: string, opts: RunReadOnlyOptions): Promise<ReadOnlyResult> & { settled: Promise<void> } {
  const maxBytes = opts.maxBytes ?? DEFAULT_SQL_MAX_BYTES;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      conn.interrupt();
      reject(new SqlTimeoutError(opts.timeoutMs));
    }, opts.timeoutMs);
    timer.unref();
  });
  deadline.catch(() => {});
  const work = (async () => {
    await assertReadOnlySqlParsed(conn, sql);
    const body = statementBody(sql);
    // The result's names and types from binding alone (planning would constant-fold, i.e. run, expressions).
    const shape = await conn.runAndReadAll(`DESCRIBE (\n${body}\n)`, opts.params as Record<string, DuckDBValue> | undefined);
    const described = shape.getRowsJson().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
    const columns = described.map((d) => d.name);
    const refs = described.map((_, i) => `${ROW}.c${i}`);
    const size = described.map((d, i) => sizeExpression(refs[i]!, d.type)).join(' + ');
    const wrapped = `SELECT ${refs.join(', ')}, ${size} FROM (\n${body}\n) ${ROW}(${refs.map((_, i) => `c${i}`).join(', ')})`;
    const result = await conn.stream(wrapped, opts.params as Record<string, DuckDBValue> | undefined);
    const width = described.length;
    const wide = described.map((d) => WIDE_INT_TYPES.has(d.type));
    const rows: unknown[][] = [];
    let bytes = 0;
    let truncated = false;
    for (;;) {
      if (timedOut) throw new SqlTimeoutError(opts.timeoutMs);
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const take = Math.min(chunk.rowCount, opts.maxRows - rows.length);
      bytes += chunkBytes(chunk, width, take, maxBytes - bytes);
      if (bytes > maxBytes) throw new SqlResultTooLargeError(maxBytes, rows.length + take > 1 ? `the result (${opts.maxRows} rows at most)` : 'the first row');
      for (let r = 0; r < take; r++) rows.push(convertRow(chunk, r, width, wide));
      if (take < chunk.rowCount) {
        truncated = true;
        break;
      }
    }
    return { columns, rows, truncated };
  })();
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  const answer = Promise.race([work, deadline]).then(
    (r) => r,
    (err: unknown) => {
      throw timedOut ? new SqlTimeoutError(opts.timeoutMs) : err;
    },
  ).finally(() => clearTimeout(timer));
  return Object.assign(answer, { settled });
}

/** Bytes of the first `take` rows, read from the size column only; stops counting past `budget`. */
function chunkBytes(chunk: DuckDBDataChunk, width: number, take: number, budget: number): number {
  const sizes = chunk.getColumnVector(width);
  let sum = 0;
  for (let r = 0; r < take && sum <= budget; r++) sum += Number(sizes.getItem(r) ?? 0);
  return sum;
}

function convertRow(chunk: DuckDBDataChunk, r: number, width: number, wide: boolean[]): unknown[] {
  const row: unknown[] = new Array(width);
  for (let c = 0; c < width; c++) {
    const vector = chunk.getColumnVector(c);
    const v = JsonDuckDBValueConverter(vector.getItem(r), vector.type, JsonDuckDBValueConverter);
    // JSON mode spells 64/128-bit integers as strings; counts and sums read better as numbers when exact.
    row[c] = wide[c] && typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : v;
  }
  return row;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${+(n / 1024).toFixed(1)} KiB` : `${n} B`;
}
