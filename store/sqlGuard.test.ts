import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { assertReadOnlySql, isReadOnlySqlError } from './sqlGuard.js';
import { runReadOnly, SqlResultTooLargeError, SqlTimeoutError } from './readOnlyQuery.js';
import { statementBody } from './sqlGuard.js';

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await conn.run(`CREATE TABLE spans AS SELECT 'agent-' || (i % 5) AS agent_name, i * 1000000 AS duration_ns, i AS start_ns,
    CASE WHEN i % 10 = 0 THEN 'ERROR' ELSE 'OK' END AS status_code, '{"gen_ai.request.model":"m' || (i % 3) || '"}' AS attributes
    FROM range(1000) t(i)`);
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

const ATTEMPTS: string[] = [
  'INSERT INTO spans VALUES (1)',
  'UPDATE spans SET agent_name = 1',
  'DELETE FROM spans',
  'DROP TABLE spans',
  'CREATE TABLE x AS SELECT 1',
  'ALTER TABLE spans ADD COLUMN x INT',
  "ATTACH '/tmp/other.duckdb' AS o",
  'DETACH o',
  "COPY spans TO '/tmp/out.csv'",
  "EXPORT DATABASE '/tmp/dump'",
  "IMPORT DATABASE '/tmp/dump'",
  'INSTALL httpfs',
  'LOAD httpfs',
  'PRAGMA database_list',
  "SET threads = 1",
  'RESET threads',
  'CALL pragma_version()',
  'CHECKPOINT',
  "SELECT * FROM read_csv('/etc/passwd')",
  "SELECT * FROM read_csv_auto('/etc/passwd')",
  "SELECT * FROM read_json_auto('/tmp/x.json')",
  "SELECT * FROM read_parquet('s3://bucket/x.parquet')",
  "SELECT * FROM parquet_scan('/tmp/x.parquet')",
  "SELECT * FROM glob('/*')",
  "SELECT * FROM read_text('/etc/hostname')",
  "SELECT * FROM read_blob('/etc/hostname')",
  "SELECT * FROM sniff_csv('/etc/passwd')",
  "SELECT * FROM '/etc/passwd'",
  "SELECT * FROM 'https://example.com/x.csv'",
  'SELECT * FROM "/etc/passwd"',
  "SELECT * FROM spans JOIN '/etc/passwd' ON true",
  "SELECT * FROM query('DROP TABLE spans')",
  "SELECT * FROM query_table('spans')",
  "SELECT getenv('AGENTPULSE_TOKEN')",
  'SELECT 1; DROP TABLE spans',
  'SELECT 1; -- harmless\nDELETE FROM spans',
  'SELECT 1 /* ; */; DROP TABLE spans',
  "SELECT ';'; DROP TABLE spans",
  'WITH x AS (SELECT 1) DELETE FROM spans',
  'SELECT * FROM (SELECT 1) t; INSERT INTO spans SELECT * FROM spans',
  "SELECT * FROM duckdb_secrets()",
  "SELECT nextval('seq')",
  "SELECT * FROM sqlite_scan('/tmp/x.db', 't')",
  "  /* comment first */ DROP TABLE spans",
  "SELECT 1 UNION ALL SELECT * FROM read_csv('x')",
  "SELECT (SELECT content FROM read_text('/etc/hostname'))",
  'BEGIN TRANSACTION',
  "SELECT * FROM postgres_scan('host=x', 'public', 't')",
  "VACUUM",
  // Settings and paths (DuckDB's catalog views and functions).
  'SELECT name, setting FROM pg_catalog.pg_settings',
  'SELECT * FROM pg_settings',
  'SELECT * FROM "pg_settings"',
  'SELECT * FROM pragma_database_list',
  'SELECT * FROM duckdb_databases',
  'SELECT * FROM duckdb_databases()',
  'SELECT * FROM duckdb_settings()',
  'SELECT * FROM duckdb_extensions()',
  'SELECT * FROM system.main.duckdb_databases',
  "SELECT current_setting('temp_directory')",
  "SELECT getenv('HOME')",
];

describe('assertReadOnlySql / runReadOnly', () => {
  it(`rejects ${ATTEMPTS.length} write and escape attempts with ReadOnlySqlError`, async () => {
    expect(ATTEMPTS.length).toBeGreaterThanOrEqual(25);
    for (const sql of ATTEMPTS) {
      const err = await runReadOnly(conn, sql, { maxRows: 10, timeoutMs: 2000 }).then(() => null, (e: unknown) => e);
      expect(isReadOnlySqlError(err), `${sql} → ${String(err)}`).toBe(true);
    }
    const count = await conn.runAndReadAll('SELECT count(*) FROM spans');
    expect(Number(count.getRows()[0]![0])).toBe(1000);
  });

  it('explains a rejection in one clear sentence', () => {
    expect(() => assertReadOnlySql('DROP TABLE spans')).toThrow(/DROP is not allowed; only a single read-only SELECT\/WITH query/);
  });

  it('allows analytical SELECTs: CTEs, window functions, JSON extraction, quantile_disc', async () => {
    const ok = [
      'SELECT agent_name, count(*) AS n FROM spans GROUP BY 1 ORDER BY 1',
      `WITH w AS (SELECT agent_name, duration_ns, row_number() OVER (PARTITION BY agent_name ORDER BY duration_ns DESC) AS rk FROM spans)
       SELECT agent_name, max(duration_ns) FROM w WHERE rk <= 3 GROUP BY 1`,
      "SELECT json_extract_string(attributes, '$.\"gen_ai.request.model\"') AS model, count(*) FROM spans GROUP BY 1",
      'SELECT agent_name, quantile_disc(duration_ns, 0.95) AS p95, avg(duration_ns) FILTER (WHERE status_code = \'OK\') FROM spans GROUP BY ALL',
      "SELECT 'FROM x; DROP TABLE y' AS harmless_string, 1 -- trailing comment",
      'FROM spans SELECT count(*)',
      'SELECT * FROM range(3)',
      'SELECT 1;',
      "SELECT count(*) FROM spans WHERE agent_name IS DISTINCT FROM 'planner'",
      "SELECT extract(year FROM '2026-01-02'::DATE) AS y, trim(BOTH 'x' FROM 'xaxx') AS t",
    ];
    for (const sql of ok) {
      const r = await runReadOnly(conn, sql, { maxRows: 100, timeoutMs: 5000 });
      expect(r.columns.length, sql).toBeGreaterThan(0);
    }
  });

  it('caps rows and says so', async () => {
    const r = await runReadOnly(conn, 'SELECT * FROM spans', { maxRows: 10, timeoutMs: 5000 });
    expect(r.rows).toHaveLength(10);
    expect(r.truncated).toBe(true);
    const all = await runReadOnly(conn, 'SELECT * FROM spans LIMIT 5', { maxRows: 10, timeoutMs: 5000 });
    expect(all).toMatchObject({ truncated: false });
    expect(all.rows).toHaveLength(5);
  });

  it('interrupts a query that runs past its time limit', async () => {
    const err = await runReadOnly(conn, 'SELECT count(*) FROM range(100000000000) a', { maxRows: 10, timeoutMs: 200 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SqlTimeoutError);
  });

  it('strips trailing semicolons and comments so the query can be wrapped', () => {
    expect(statementBody('select 1; -- done')).toBe('select 1');
    expect(statementBody("select ';' /* x */ ;\n;")).toBe("select ';'");
    expect(statementBody('select 1 -- no semicolon')).toBe('select 1');
  });

  it('runs queries that end in a comment, keeps their order and keeps duplicate column names as the query gives them', async () => {
    const r = await runReadOnly(conn, 'SELECT x, x FROM range(5) t(x) ORDER BY x DESC; -- newest first', { maxRows: 10, timeoutMs: 5000 });
    expect(r.rows.map((row) => row[0])).toEqual([4, 3, 2, 1, 0]);
    expect(r.columns).toEqual(['x', 'x']);
  });

  it('refuses a result over the byte limit before any of it reaches JavaScript', async () => {
    const big = await runReadOnly(conn, "SELECT repeat('x', 2000000) AS s", { maxRows: 10, timeoutMs: 5000, maxBytes: 1_000_000 }).then(() => null, (e: unknown) => e);
    expect(big).toBeInstanceOf(SqlResultTooLargeError);
    expect(String((big as Error).message)).toMatch(/the first row is larger than the 976.6 KiB result limit/);
    const many = await runReadOnly(conn, "SELECT repeat('x', 1000) FROM range(5000)", { maxRows: 10_000, timeoutMs: 5000, maxBytes: 1_000_000 }).then(() => null, (e: unknown) => e);
    expect(many).toBeInstanceOf(SqlResultTooLargeError);
    const fits = await runReadOnly(conn, "SELECT repeat('x', 1000) FROM range(500)", { maxRows: 10_000, timeoutMs: 5000, maxBytes: 1_000_000 });
    expect(fits.rows).toHaveLength(500);
  });
});
