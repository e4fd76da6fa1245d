import type { ClickHouseExecutor, ClickHouseResult } from './Executor.js';
import { READ_SETTINGS, plainRows } from './Executor.js';
import { assertReadOnlyClickHouse } from './readOnly.js';

/** The part of chDB's `Session` used here (chdb is optional: imported only when asked for). */
export interface ChdbSession {
  path: string;
  connection: unknown;
  queryBind(sql: string, args: object, format?: string): string;
  query(sql: string, format?: string): string;
  insert(params: { table: string; values: Buffer; format: 'JSONEachRow' }): Promise<unknown>;
  close(): void;
}

/** Thrown when `chdb` is not installed; the message says how to get it. */
export class ChdbMissingError extends Error {
  constructor(cause: unknown) {
    super('the embedded ClickHouse engine (npm package `chdb`) is not installed; run `npm install --no-save chdb` or use clickhouse://host:8123', { cause });
    this.name = 'ChdbMissingError';
  }
}

/** Loads chdb's Session class, or throws ChdbMissingError. */
export async function loadChdb(): Promise<{ Session: new (path?: string) => ChdbSession }> {
  try {
    const mod = (await import('chdb' as string)) as { Session?: unknown; default?: { Session?: unknown } };
    const Session = (mod.Session ?? mod.default?.Session) as (new (path?: string) => ChdbSession) | undefined;
    if (!Session) throw new Error('chdb has no Session export');
    return { Session };
  } catch (err) {
    throw new ChdbMissingError(err);
  }
}

const settingsSql = (extra: Record<string, string | number> = {}): string =>
  Object.entries({ ...READ_SETTINGS, ...extra })
    .map(([k, v]) => `${k} = ${typeof v === 'number' ? v : `'${v}'`}`)
    .join(', ');

/**
 * Embedded ClickHouse (chDB) in this process: the real engine, no server. One session per data
 * directory; chDB binds one directory per process, so open at most one path at a time.
 */
export class ChdbExecutor implements ClickHouseExecutor {
  private closed = false;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    /** The chDB session (tests serve it over HTTP to exercise the client's real requests). */
    readonly session: ChdbSession,
    readonly where: string,
  ) {}

  /** Opens a session on `path` (a directory, created when missing) or a temporary one. */
  static async open(path?: string): Promise<ChdbExecutor> {
    const { Session } = await loadChdb();
    const session = path ? new Session(path) : new Session();
    session.query(`SET ${settingsSql()}`);
    return new ChdbExecutor(session, `chdb://${path ?? session.path}`);
  }

  /** Runs `fn` after every earlier call: a chDB session runs one statement at a time. */
  private serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.closed) throw new Error('chDB session is closed');
      return fn();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  query(sql: string, params: Record<string, unknown> = {}, options: { readOnly?: boolean } = {}): Promise<ClickHouseResult> {
    return this.serial(() => {
      // A chDB session cannot leave readonly mode once in it, so ad-hoc SQL is checked here instead.
      if (options.readOnly) assertReadOnlyClickHouse(sql);
      const text = this.session.queryBind(sql, params, 'JSON');
      if (!text.trim()) return { columns: [], types: [], rows: [] };
      const body = JSON.parse(text) as { meta: { name: string; type: string }[]; data: Record<string, unknown>[] };
      return plainRows(body.meta, body.data);
    });
  }

  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const body = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return this.serial(async () => {
      await this.session.insert({ table, values: body, format: 'JSONEachRow' });
    });
  }

  command(sql: string): Promise<void> {
    return this.serial(() => {
      this.session.query(sql);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.chain;
    this.closed = true;
    this.session.close();
  }
}
