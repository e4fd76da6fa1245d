import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentpulseError } from './errors.js';

/** A named analytical query: `queries/<name>.sql`. */
export interface NamedQuery {
  name: string;
  /** The file's first comment line. */
  description: string;
  /** `$name` parameters the SQL uses, in order of first use. */
  params: string[];
  sql: string;
}

export class UnknownQueryError extends AgentpulseError {
  constructor(name: string, known: string[]) {
    super('UNKNOWN_QUERY', `no named query "${name}"; known: ${known.join(', ') || '(none)'} (see \`agentpulse query --list\`)`);
  }
}

/** The queries/ folder of this package, from sources or from dist/. */
export function queriesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', 'queries'), join(here, '..', '..', 'queries')]) {
    try {
      readdirSync(candidate);
      return candidate;
    } catch {
      /* try the next */
    }
  }
  throw new Error('agentpulse: queries/ folder not found beside the package');
}

/** `$identifiers` outside string literals and comments. */
export function sqlParams(sql: string): string[] {
  const out: string[] = [];
  const re = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$([A-Za-z_][A-Za-z0-9_]*)/g;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    if (m[1] && !out.includes(m[1])) out.push(m[1]);
  }
  return out;
}

/** ClickHouse `{name:Type}` placeholders outside string literals and comments, in order of first use. */
export function clickhouseParams(sql: string): string[] {
  const out: string[] = [];
  const re = /'(?:[^'\\]|\\.|'')*'|--[^\n]*|\/\*[\s\S]*?\*\/|\{([A-Za-z_][A-Za-z0-9_]*)\s*:[^}]+\}/g;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    if (m[1] && !out.includes(m[1])) out.push(m[1]);
  }
  return out;
}

function parse(name: string, text: string, dialect: SqlDialect = 'duckdb'): NamedQuery {
  const first = text.split('\n').find((l) => l.startsWith('--')) ?? '';
  const description = first.replace(/^--\s*/, '').replace(new RegExp(`^${name}:\\s*`), '');
  return { name, description, params: dialect === 'clickhouse' ? clickhouseParams(text) : sqlParams(text), sql: text };
}

const cache = new Map<string, NamedQuery>();

/** Loads one named query; throws UnknownQueryError with the list of known names. */
export function loadQuery(name: string, dir = queriesDir()): NamedQuery {
  const key = `${dir}\u0000${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new UnknownQueryError(name, listQueries(dir).map((q) => q.name));
  let text: string;
  try {
    text = readFileSync(join(dir, `${name}.sql`), 'utf8');
  } catch {
    throw new UnknownQueryError(name, listQueries(dir).map((q) => q.name));
  }
  const q = parse(name, text);
  cache.set(key, q);
  return q;
}

/** SQL dialects of named queries: DuckDB's (`queries/*.sql`) and ClickHouse variants (`queries/clickhouse/*.sql`). */
export type SqlDialect = 'duckdb' | 'clickhouse';

/** A named query and the dialect its SQL is written in. */
export interface DialectQuery extends NamedQuery {
  dialect: SqlDialect;
}

/**
 * Loads a named query for a backend: its dialect's variant (`queries/<dialect>/<name>.sql`) where
 * the dialect differs, else the shared `queries/<name>.sql` (then `dialect` is 'duckdb' and the
 * backend adapts the parameter syntax). Variants use the backend's own placeholders.
 */
export function loadQueryFor(name: string, dialect: SqlDialect, dir = queriesDir()): DialectQuery {
  if (dialect !== 'duckdb' && /^[A-Za-z0-9_.-]+$/.test(name)) {
    const key = `${dir}\u0000${dialect}\u0000${name}`;
    const hit = cache.get(key);
    if (hit) return { ...hit, dialect };
    let text: string | null = null;
    try {
      text = readFileSync(join(dir, dialect, `${name}.sql`), 'utf8');
    } catch {
      /* no variant: the shared query */
    }
    if (text !== null) {
      const q = parse(name, text, dialect);
      cache.set(key, q);
      return { ...q, dialect };
    }
  }
  return { ...loadQuery(name, dir), dialect: 'duckdb' };
}

/** Names of the queries that have a variant for `dialect`, sorted. */
export function listDialectVariants(dialect: SqlDialect, dir = queriesDir()): string[] {
  try {
    return readdirSync(join(dir, dialect)).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -4)).sort();
  } catch {
    return [];
  }
}

/** Every named query, sorted by name. */
export function listQueries(dir = queriesDir()): NamedQuery[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parse(f.slice(0, -4), readFileSync(join(dir, f), 'utf8')));
}

/**
 * Binds values for a query's parameters: every parameter the SQL uses gets a value,
 * NULL when not given (queries treat NULL as "no filter"). Unknown names are an error.
 */
export function bindParams(q: NamedQuery, given: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(given)) {
    if (!q.params.includes(k)) {
      throw new AgentpulseError('UNKNOWN_PARAM', `query "${q.name}" has no parameter "${k}"; it takes: ${q.params.join(', ') || '(none)'}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const p of q.params) out[p] = given[p] ?? null;
  return out;
}
