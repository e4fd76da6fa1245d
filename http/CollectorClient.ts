import { AgentpulseError } from '../store/errors.js';
import { bindParams, loadQuery } from '../store/namedQueries.js';
import type { Row } from '../store/types.js';

/** A request to a collector failed: unreachable (`status` null) or answered with an error status. */
export class CollectorRequestError extends AgentpulseError {
  constructor(
    message: string,
    readonly status: number | null,
    options?: { cause?: unknown; code?: string },
  ) {
    super(options?.code ?? 'COLLECTOR_REQUEST', message, { cause: options?.cause });
  }
}

export interface CollectorClientOptions {
  /** Sent as `Authorization: Bearer <token>` (the collector requires it beyond loopback). */
  token?: string;
  /** Per request (default 60 s: past the collector's own SQL time limit; analyzer runs pass longer). */
  timeoutMs?: number;
}

/**
 * The one client for a running collector's `/api/*`: the same read interface as a local store
 * (`query` for ad-hoc SQL, `named` for `queries/*.sql`), plus `get` for the dashboard API and
 * `post` for the routes that write through the collector's single writer (analyze, feedback).
 * Errors are {@link CollectorRequestError}s whose message says what to do.
 * @example
 * const c = new CollectorClient('http://127.0.0.1:4318', { token: process.env.AGENTPULSE_TOKEN });
 * const { rows } = await c.query('select count(*) as n from spans');
 */
export class CollectorClient {
  readonly source: string;

  constructor(
    readonly url: string,
    private readonly options: CollectorClientOptions = {},
  ) {
    this.source = url;
  }

  /** One read-only SQL statement through `POST /api/sql`; rows as objects keyed by column. */
  async query(sql: string, params?: Record<string, unknown>): Promise<{ columns: string[]; rows: Row[] }> {
    const body = (await this.post('/api/sql', { sql, params }, { what: 'the query' })) as { columns?: string[]; rows?: unknown[] };
    const columns = body.columns ?? [];
    // The API answers rows as arrays; older collectors sent objects.
    const rows = (body.rows ?? []).map((r) => (Array.isArray(r) ? Object.fromEntries(columns.map((c, i) => [c, r[i]])) : (r as Row)));
    return { columns, rows };
  }

  /** Runs `queries/<name>.sql` through `/api/sql`, binding every parameter (NULL when not given). */
  named(name: string, params: Record<string, unknown> = {}): Promise<{ columns: string[]; rows: Row[] }> {
    const q = loadQuery(name);
    return this.query(q.sql, bindParams(q, params));
  }

  /** GETs a JSON API path (`/api/agents?range=1h`). */
  get(pathAndQuery: string): Promise<unknown> {
    return this.request('GET', pathAndQuery, undefined, {});
  }

  /** POSTs a JSON body and returns the JSON answer; `what` names the action in error messages. */
  post(path: string, body: unknown, o: { what?: string; timeoutMs?: number } = {}): Promise<unknown> {
    return this.request('POST', path, body, o);
  }

  /** No connection to hold: present so the client can stand where a store is closed after use. */
  async close(): Promise<void> {}

  private async request(method: 'GET' | 'POST', path: string, body: unknown, o: { what?: string; timeoutMs?: number }): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(new URL(path, this.url), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(o.timeoutMs ?? this.options.timeoutMs ?? 60_000),
      });
    } catch (err) {
      const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new CollectorRequestError(`cannot reach the collector at ${this.url} (${why}); is \`agentpulse collect\` running?`, null, { cause: err });
    }
    const answer = (await res.json().catch(() => null)) as { error?: string; message?: string; code?: string } | null;
    if (!res.ok) {
      const reason = answer?.error ?? answer?.message ?? res.statusText;
      const hint = res.status === 404 && method === 'GET' ? ' (this collector does not serve the dashboard API; upgrade it or use --db)' : '';
      const auth = res.status === 401 ? ' (set AGENTPULSE_TOKEN to the collector\'s token)' : '';
      const what = o.what ?? `${method} ${path}`;
      throw new CollectorRequestError(`the collector at ${this.url} refused ${what} (${res.status}): ${reason}${hint}${auth}`, res.status, { code: answer?.code });
    }
    return answer;
  }
}
