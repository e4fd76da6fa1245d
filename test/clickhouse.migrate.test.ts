import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../analyzer/analyze.js';
import type { ChdbExecutor } from '../store/clickhouse/ChdbExecutor.js';
import { ClickHouseStore } from '../store/clickhouse/ClickHouseStore.js';
import { DuckDbTraceStore } from '../store/clickhouse/DuckDbTraceStore.js';
import { isClickHouseSpec, parseStoreSpec, redact } from '../store/clickhouse/openTraceStore.js';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { exportParquet } from '../store/maintenance.js';
import { canonical, diff, fleetSpans, chdbMissing, openChdbOrSkip, writeSorted } from './clickhouseHelpers.js';

const NOW = new Date(Date.UTC(2025, 2, 10, 12, 0, 0));
const dir = mkdtempSync(join(tmpdir(), 'agentpulse-ch-migrate-'));
let ex: ChdbExecutor | null = null;
let ch: ClickHouseStore;
let duckStore: DuckDbStore;

beforeAll(async () => {
  ex = await openChdbOrSkip('clickhouse.migrate');
  duckStore = await DuckDbStore.open(join(dir, 'agents.duckdb'));
  const { spans } = await fleetSpans({ tasks: 250, seed: 3, nowMs: NOW.getTime() });
  await writeSorted(duckStore, spans);
  if (ex) ch = await ClickHouseStore.open(ex, { ttlDays: 0, rollupTtlDays: 0 });
}, 120_000);

afterAll(async () => {
  await ch?.close();
  await duckStore?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(chdbMissing !== null)('migrating history: agentpulse export --parquet → ClickHouse', () => {
  it('loads the Parquet export with deploy/clickhouse/import_parquet.sql and reproduces the report', async () => {
    if (!ex) return;
    const exported = await exportParquet(duckStore, join(dir, 'history'));
    expect(exported.spans).toBeGreaterThan(2000);
    const sql = readFileSync(new URL('../deploy/clickhouse/import_parquet.sql', import.meta.url), 'utf8');
    await ex.query(sql.replace(/^--.*\n/gm, ''), { path: join(dir, 'history', '*', '*.parquet') });
    const [{ n }] = (await ch.query('SELECT count() AS n FROM otel_traces')).rows;
    expect(n).toBe(exported.spans);
    const run = (source: DuckDbTraceStore | ClickHouseStore) => analyze({ source, now: NOW, since: '24h', baseline: '6d', persist: false, onWarning: () => undefined });
    const duck = new DuckDbTraceStore(duckStore);
    const [a, b] = await Promise.all([run(duck), run(ch)]);
    expect(diff(canonical(b), canonical(a), 'report', 1e-9)).toEqual([]);
    // Rollups were built by the materialized views during the import.
    const [r] = (await ch.query('SELECT sum(span_count) AS n FROM rollup_minute')).rows;
    expect(r.n).toBe(exported.spans);
  });
});

describe('parseStoreSpec', () => {
  it('reads ClickHouse URLs, embedded chDB paths and DuckDB files', () => {
    expect(parseStoreSpec('clickhouse://ap:s3cret@ch.internal/agents?ttl_days=90', {})).toEqual({
      kind: 'clickhouse', url: 'http://ch.internal:8123', username: 'ap', password: 's3cret', database: 'agents', ttlDays: 90, migrate: true,
    });
    expect(parseStoreSpec('clickhouses://ch.example.com?migrate=0', { CLICKHOUSE_PASSWORD: 'p' })).toMatchObject({ url: 'https://ch.example.com:8443', password: 'p', database: 'default', migrate: false });
    expect(parseStoreSpec('chdb:///var/lib/agentpulse/ch', {})).toMatchObject({ kind: 'chdb', path: '/var/lib/agentpulse/ch' });
    expect(parseStoreSpec('./agentpulse.duckdb', {})).toEqual({ kind: 'duckdb', path: './agentpulse.duckdb' });
    expect(isClickHouseSpec('agentpulse.duckdb')).toBe(false);
    expect(redact('clickhouse://ap:s3cret@h:8123/db')).toBe('clickhouse://ap:***@h:8123/db');
    expect(() => parseStoreSpec('clickhouse://h/bad-db;drop', {})).toThrow(/database name/);
  });
});
