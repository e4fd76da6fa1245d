import { DuckDbStore } from '../store/DuckDbStore.js';
import { QueryError } from '../store/errors.js';
import { CliError } from './errors.js';
import { openForRead } from './openStore.js';
import { clickhouseStoreSpec, openClickHouseForCli, traceStoreReader } from './source.js';

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

/** Where read commands get data: the DuckDB file (read-only) or a running collector's HTTP API. */
export interface TraceReader {
  readonly source: string;
  query(sql: string, params?: Record<string, unknown>): Promise<QueryResult>;
  /** Runs a named query in the backend's own dialect, when the backend has dialect variants (ClickHouse). */
  named?(name: string, params?: Record<string, unknown>): Promise<QueryResult>;
  close(): Promise<void>;
}

export interface ReaderOptions {
  db: string;
  url?: string;
  token?: string;
  /** A ClickHouse store spec (`--store`); wins over --db and --url. */
  store?: string;
}

class HttpReader implements TraceReader {
  constructor(
    readonly source: string,
    private readonly token: string | undefined,
  ) {}

  async query(sql: string, params?: Record<string, unknown>): Promise<QueryResult> {
    let res: Response;
    try {
      res = await fetch(new URL('/api/sql', this.source), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: JSON.stringify({ sql, params }),
      });
    } catch (err) {
      throw new CliError(`cannot reach the collector at ${this.source} (${err instanceof Error ? err.message : String(err)}); is \`agentpulse collect\` running?`, { cause: err });
    }
    const body = (await res.json().catch(() => ({}))) as { columns?: string[]; rows?: unknown[]; error?: string; message?: string };
    if (!res.ok) throw new CliError(`collector refused the query (${res.status}): ${body.message ?? body.error ?? res.statusText}`);
    const columns = body.columns ?? [];
    // The API returns rows as arrays or objects; normalise to objects.
    const rows = (body.rows ?? []).map((r) =>
      Array.isArray(r) ? Object.fromEntries(columns.map((c, i) => [c, r[i]])) : (r as Record<string, unknown>),
    );
    return { columns, rows };
  }

  async close(): Promise<void> {}
}

class DbReader implements TraceReader {
  constructor(private readonly store: DuckDbStore) {}
  get source(): string {
    return this.store.path;
  }
  async query(sql: string, params?: Record<string, unknown>): Promise<QueryResult> {
    try {
      return await this.store.queryWithColumns(sql, params);
    } catch (err) {
      if (err instanceof QueryError) throw new CliError(err.message, { cause: err, code: 'QUERY_FAILED' });
      throw err;
    }
  }
  close(): Promise<void> {
    return this.store.close();
  }
}

/**
 * Opens a reader: a ClickHouse `--store`; `--url`; the serving holder of the file; or the DB file
 * read-only (cli/openStore.ts decides, and explains a locked file).
 */
export async function openReader(opts: ReaderOptions, local: { sandbox?: boolean } = {}): Promise<TraceReader> {
  const clickhouse = clickhouseStoreSpec(opts.store);
  if (clickhouse) return traceStoreReader(await openClickHouseForCli(clickhouse, { readOnly: true }));
  return openForRead<TraceReader>(opts, {
    local: async (db) => new DbReader(await DuckDbStore.open(db, { readOnly: true, sandbox: local.sandbox })),
    remote: (t) => new HttpReader(t.url, opts.token ?? t.token),
  });
}
