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
import { promotedColumns } from '../store/clickhouse/promote.js';
import { MATERIALIZED_COLUMNS } from '../store/clickhouse/schema.js';
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

describe.skipIf(chdbMissing !== null)('a ClickHouse store of schema version 1', () => {
  it('has its MATERIALIZED promoted columns turned into DEFAULT ones at open, so the collector can write dialect spans', async () => {
    if (!ex) return;
    // Schema 1 made the promoted columns MATERIALIZED, which refuses inserted values.
    const cols = promotedColumns().filter(([n]) => n === 'operation' || n === 'model');
    await ex.command(`ALTER TABLE otel_traces ${cols.map(([n, e]) => `MODIFY COLUMN ap_${n} ${MATERIALIZED_COLUMNS[n]} MATERIALIZED ${e}`).join(', ')}`);
    const kind = async (): Promise<string[]> =>
      (await ex!.query(`SELECT default_kind AS k FROM system.columns WHERE table = 'otel_traces' AND name IN ('ap_operation', 'ap_model') ORDER BY name`)).rows.map((r) => String(r.k));
    expect(await kind()).toEqual(['MATERIALIZED', 'MATERIALIZED']);
    const reopened = await ClickHouseStore.open(ex, { ttlDays: 0, rollupTtlDays: 0 });
    expect(await kind()).toEqual(['DEFAULT', 'DEFAULT']);
    const t = BigInt(NOW.getTime()) * 1_000_000n;
    await reopened.writeBatch([{
      traceId: '0e'.repeat(16), spanId: '0f'.repeat(8), parentSpanId: null, name: 'ChatCompletion', kind: 'client', startNs: t, endNs: t + 1_000_000n,
      statusCode: 'UNSET', statusMessage: null, attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o' }, resource: { 'service.name': 'py' },
      scopeName: null, scopeVersion: null, events: [], links: [],
    }]);
    expect((await reopened.query(`SELECT operation, model FROM spans WHERE span_id = '${'0f'.repeat(8)}'`)).rows).toEqual([{ operation: 'chat', model: 'gpt-4o' }]);
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
