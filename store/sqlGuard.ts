import type { DuckDBConnection } from '@duckdb/node-api';
import { AgentpulseError } from './errors.js';

/** A query was refused because it could write, escape the database or run unbounded. */
export class ReadOnlySqlError extends AgentpulseError {
  constructor(message: string) {
    super('SQL_NOT_READ_ONLY', `${message}; only a single read-only SELECT/WITH query over the agentpulse tables is allowed`);
  }
}

export function isReadOnlySqlError(err: unknown): err is ReadOnlySqlError {
  return err instanceof ReadOnlySqlError;
}

const MAX_SQL_LENGTH = 100_000;

/** Statement keywords that never belong in a read-only query, wherever they appear outside strings. */
const DENIED_KEYWORDS = new Set([
  'ATTACH', 'DETACH', 'COPY', 'EXPORT', 'IMPORT', 'INSTALL', 'LOAD', 'FORCE', 'PRAGMA', 'SET', 'RESET', 'CALL',
  'CHECKPOINT', 'INSERT', 'UPDATE', 'DELETE', 'UPSERT', 'MERGE', 'CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'VACUUM',
  'ANALYZE', 'GRANT', 'REVOKE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'ABORT', 'START', 'PREPARE', 'EXECUTE', 'DEALLOCATE',
  'USE', 'COMMENT', 'SECRET',
]);

/**
 * Table functions that only compute; everything else (read_csv, read_parquet, glob,
 * query, duckdb_secrets, iceberg_scan, postgres_scan, ...) is refused.
 */
const ALLOWED_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest', 'json_each', 'json_tree']);

/** Scalar functions that reach outside the query (environment, files, sessions, sequences). */
const DENIED_FUNCTION_RE = /^(getenv|read_|parquet_|glob|sniff_|query|query_table|pragma_|duckdb_|which_secret|current_setting|nextval|currval|setseed|load_|install_|import_|export_|copy_|checkpoint|sqlite_|postgres_|mysql_|iceberg_|delta_|http|s3|gcs|azure|file_|list_files)/i;

const IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * DuckDB's own catalog and settings views (`pg_catalog.pg_settings`, `duckdb_databases`,
 * `pragma_database_list`, ...) name file paths and settings; `information_schema` stays open
 * for discovering the agentpulse tables and columns.
 */
const SYSTEM_TABLE_RE = /^(pg_|duckdb_|pragma_|sqlite_)/i;
const SYSTEM_CATALOGS = new Set(['system', 'temp']);

function refuseSystemTable(name: string): never {
  throw new ReadOnlySqlError(`${name} is not allowed (DuckDB's catalog and settings views reveal paths and settings; information_schema.tables and information_schema.columns list the agentpulse tables)`);
}

/** Calls whose arguments use FROM as an operator word, not a table reference. */
const FROM_AS_OPERATOR_IN = new Set(['EXTRACT', 'TRIM', 'SUBSTRING', 'OVERLAY', 'POSITION']);

/**
 * Lexical read-only check, no database needed: one statement that starts with
 * SELECT/WITH/FROM/VALUES, no denied keywords outside strings and comments, no
 * string literal right after FROM/JOIN (DuckDB would read that file or URL).
 * `runReadOnly` adds a parse-tree check with DuckDB's own parser.
 * @throws ReadOnlySqlError
 */
export function assertReadOnlySql(sql: string): void {
  if (typeof sql !== 'string' || sql.trim() === '') throw new ReadOnlySqlError('the query is empty');
  if (sql.length > MAX_SQL_LENGTH) throw new ReadOnlySqlError(`the query is longer than ${MAX_SQL_LENGTH} characters`);
  if (sql.includes('\u0000')) throw new ReadOnlySqlError('the query contains a NUL character');
  const tokens = tokenize(sql);
  const words = tokens.filter((t) => t.kind !== 'semicolon');
  const semis = tokens.filter((t) => t.kind === 'semicolon').length;
  if (semis > 0) {
    const lastReal = tokens.findLastIndex((t) => t.kind !== 'semicolon');
    const firstSemi = tokens.findIndex((t) => t.kind === 'semicolon');
    if (firstSemi < lastReal) throw new ReadOnlySqlError('more than one statement');
  }
  // FROM is also an operator word: `a IS DISTINCT FROM 'x'`, `extract(year FROM '…')`, `trim(BOTH ' ' FROM s)`.
  // Only a FROM that starts a table reference can read a file, so track which call each paren opened.
  const openers: (string | null)[] = [];
  for (let i = 0; i < words.length; i++) {
    const t = words[i]!;
    if (t.kind === 'punct' && t.text === '(') {
      const before = words[i - 1];
      openers.push(before && before.kind === 'word' ? before.text.toUpperCase() : null);
      continue;
    }
    if (t.kind === 'punct' && t.text === ')') {
      openers.pop();
      continue;
    }
    if (t.kind !== 'word') continue;
    const up = t.text.toUpperCase();
    if (DENIED_KEYWORDS.has(up)) throw new ReadOnlySqlError(`${up} is not allowed`);
    if (up === 'PG_CATALOG' || /^(DUCKDB_|PRAGMA_)/.test(up)) refuseSystemTable(t.text);
    const next = words[i + 1];
    const prev = words[i - 1];
    const operatorFrom =
      up === 'FROM' &&
      ((prev && prev.kind === 'word' && prev.text.toUpperCase() === 'DISTINCT') || FROM_AS_OPERATOR_IN.has(openers[openers.length - 1] ?? ''));
    if ((up === 'FROM' || up === 'JOIN') && !operatorFrom && next && next.kind === 'string') {
      throw new ReadOnlySqlError('reading files or URLs (a string after FROM/JOIN) is not allowed');
    }
    if (next && next.kind === 'punct' && next.text === '(' && DENIED_FUNCTION_RE.test(t.text)) {
      throw new ReadOnlySqlError(`function ${t.text} is not allowed`);
    }
  }
  const first = words[0];
  if (!first || first.kind !== 'word' || !['SELECT', 'WITH', 'FROM', 'VALUES'].includes(first.text.toUpperCase())) {
    if (!(first && first.kind === 'punct' && first.text === '(')) throw new ReadOnlySqlError('the query must start with SELECT or WITH');
  }
}

type Token = { kind: 'word' | 'string' | 'punct' | 'semicolon' | 'number'; text: string; end?: number };

/** Splits SQL into words, string literals and punctuation; comments and quoted identifiers' quotes vanish. */
function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const pushed = out.length;
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const e = sql.indexOf('\n', i);
      i = e < 0 ? n : e + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      // DuckDB block comments do not nest; an unterminated one swallows the rest.
      const e = sql.indexOf('*/', i + 2);
      if (e < 0) throw new ReadOnlySqlError('unterminated block comment');
      i = e + 2;
    } else if (c === "'" || ((c === 'E' || c === 'e') && sql[i + 1] === "'")) {
      const escapes = c !== "'";
      let j = escapes ? i + 2 : i + 1;
      for (;;) {
        if (j >= n) throw new ReadOnlySqlError('unterminated string literal');
        if (escapes && sql[j] === '\\') { j += 2; continue; }
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") { j += 2; continue; }
          break;
        }
        j++;
      }
      out.push({ kind: 'string', text: sql.slice(i, j + 1) });
      i = j + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= n) throw new ReadOnlySqlError('unterminated quoted identifier');
        if (sql[j] === '"') {
          if (sql[j + 1] === '"') { j += 2; continue; }
          break;
        }
        j++;
      }
      // A quoted identifier is a name, never a keyword; file-like names are caught by the parse-tree check.
      out.push({ kind: 'punct', text: 'ident' });
      i = j + 1;
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (m) {
        const e = sql.indexOf(m[0], i + m[0].length);
        if (e < 0) throw new ReadOnlySqlError('unterminated dollar-quoted string');
        out.push({ kind: 'string', text: sql.slice(i, e + m[0].length) });
        i = e + m[0].length;
      } else {
        let j = i + 1;
        while (j < n && /[A-Za-z0-9_]/.test(sql[j]!)) j++;
        out.push({ kind: 'punct', text: sql.slice(i, j) });
        i = j;
      }
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      out.push({ kind: 'word', text: sql.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9.eE_]/.test(sql[j]!)) j++;
      out.push({ kind: 'number', text: sql.slice(i, j) });
      i = j;
    } else if (c === ';') {
      out.push({ kind: 'semicolon', text: ';' });
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      out.push({ kind: 'punct', text: c });
      i++;
    }
    if (out.length > pushed) out[out.length - 1]!.end = i;
  }
  return out;
}

/**
 * The statement without its trailing semicolons and comments, so it can be wrapped as a
 * subquery (`SELECT … FROM (<body>\n) q`). Call after `assertReadOnlySql`.
 * @example
 * statementBody('select 1; -- done') // 'select 1'
 */
export function statementBody(sql: string): string {
  const tokens = tokenize(sql);
  const last = tokens.findLast((t) => t.kind !== 'semicolon');
  return last?.end === undefined ? sql : sql.slice(0, last.end);
}

/**
 * Parse-tree check with DuckDB's own parser: `json_serialize_sql` only serialises
 * SELECT statements, so anything else errors; the tree is then walked for table
 * functions outside the allow-list, file-like table names and denied scalar functions.
 * @throws ReadOnlySqlError
 */
export async function assertReadOnlySqlParsed(conn: DuckDBConnection, sql: string): Promise<void> {
  assertReadOnlySql(sql);
  const reader = await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  const tree = JSON.parse(String(reader.getRows()[0]![0])) as { error: boolean; error_message?: string; statements?: unknown[] };
  if (tree.error) throw new ReadOnlySqlError(`DuckDB does not accept it as a plain query (${tree.error_message ?? 'parse error'})`);
  if (!tree.statements || tree.statements.length !== 1) throw new ReadOnlySqlError('more than one statement');
  walk(tree.statements[0], 0);
}

function walk(node: unknown, depth: number): void {
  if (depth > 500) throw new ReadOnlySqlError('the query is nested too deeply');
  if (Array.isArray(node)) {
    for (const x of node) walk(x, depth + 1);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Record<string, unknown>;
  if (o.type === 'TABLE_FUNCTION') {
    const fn = (o.function as { function_name?: string } | undefined)?.function_name ?? '';
    if (!ALLOWED_TABLE_FUNCTIONS.has(fn.toLowerCase())) throw new ReadOnlySqlError(`table function ${fn} is not allowed`);
  } else if (o.type === 'BASE_TABLE') {
    const name = String(o.table_name ?? '');
    if (!IDENTIFIER_RE.test(name)) throw new ReadOnlySqlError(`reading ${JSON.stringify(name)} is not allowed (files and URLs cannot be queried)`);
    const schema = String(o.schema_name ?? '').toLowerCase();
    const catalog = String(o.catalog_name ?? '').toLowerCase();
    if (SYSTEM_TABLE_RE.test(name) || schema === 'pg_catalog' || SYSTEM_CATALOGS.has(catalog)) refuseSystemTable(name);
  }
  if (typeof o.function_name === 'string' && DENIED_FUNCTION_RE.test(o.function_name)) {
    throw new ReadOnlySqlError(`function ${o.function_name} is not allowed`);
  }
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) walk(v, depth + 1);
}
