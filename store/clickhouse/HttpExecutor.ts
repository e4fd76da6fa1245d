import { createClient } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { ClickHouseExecutor, ClickHouseResult } from './Executor.js';
import { READ_SETTINGS, plainRows } from './Executor.js';

export interface HttpExecutorOptions {
  /** http(s)://host:port, no credentials. */
  url: string;
  username?: string;
  password?: string;
  database?: string;
  /** Per-request timeout (default 300 s: analyzer queries over months of spans can be long). */
  requestTimeoutMs?: number;
}

/** ClickHouse over its HTTP interface, through the official `@clickhouse/client`. */
export class HttpExecutor implements ClickHouseExecutor {
  private readonly client: ClickHouseClient;
  readonly where: string;

  constructor(o: HttpExecutorOptions) {
    this.where = `${o.url.replace(/\/$/, '')}/${o.database ?? 'default'}`;
    this.client = createClient({
      url: o.url,
      username: o.username ?? 'default',
      password: o.password ?? '',
      database: o.database ?? 'default',
      request_timeout: o.requestTimeoutMs ?? 300_000,
      clickhouse_settings: { ...READ_SETTINGS } as ClickHouseSettings,
    });
  }

  async query(sql: string, params: Record<string, unknown> = {}, options: { readOnly?: boolean } = {}): Promise<ClickHouseResult> {
    const rs = await this.client.query({
      query: sql,
      query_params: params,
      format: 'JSON',
      // readonly = 2 (not 1): the server refuses writes, and the client may still send its own settings.
      clickhouse_settings: options.readOnly ? ({ readonly: '2' } as ClickHouseSettings) : undefined,
    });
    const body = await rs.json<Record<string, unknown>>();
    return plainRows(body.meta ?? [], body.data);
  }

  async insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({ table, values: rows as Record<string, unknown>[], format: 'JSONEachRow' });
  }

  async command(sql: string): Promise<void> {
    await this.client.command({ query: sql });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
