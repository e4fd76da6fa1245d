import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChdbExecutor } from '../store/clickhouse/ChdbExecutor.js';
import { ClickHouseStore } from '../store/clickhouse/ClickHouseStore.js';
import { HttpExecutor } from '../store/clickhouse/HttpExecutor.js';
import { listDialectVariants, loadQueryFor } from '../store/namedQueries.js';
import { QueryError } from '../store/errors.js';
import type { SpanRecord } from '../store/types.js';
import type { ClickHouseEndpoint } from './clickhouseEndpoint.js';
import { startClickHouseEndpoint } from './clickhouseEndpoint.js';
import { canonical, diff, fleetSpans, chdbMissing, openChdbOrSkip, writeSorted } from './clickhouseHelpers.js';

const NOW_MS = Date.UTC(2025, 2, 10, 12, 0, 0);
let ex: ChdbExecutor | null = null;
let endpoint: ClickHouseEndpoint;
let overHttp: ClickHouseStore;
let direct: ClickHouseStore;
let firstTrace = '';
let written: SpanRecord[] = [];

beforeAll(async () => {
  ex = await openChdbOrSkip('clickhouse.http');
  if (!ex) return;
  endpoint = await startClickHouseEndpoint(ex.session);
  // Schema, writes and reads all go through @clickhouse/client over HTTP to the loopback endpoint.
  overHttp = await ClickHouseStore.open(new HttpExecutor({ url: endpoint.url }), { ttlDays: 0, rollupTtlDays: 0 });
  direct = await ClickHouseStore.open(ex, { migrate: false });
  const { spans } = await fleetSpans({ tasks: 200, seed: 5, nowMs: NOW_MS });
  firstTrace = spans[0].traceId;
  written = spans;
  await writeSorted(overHttp, spans, 4000);
}, 120_000);

afterAll(async () => {
  await overHttp?.close();
  await endpoint?.close();
  await ex?.close();
});

describe.skipIf(chdbMissing !== null)('ClickHouseStore over HTTP (@clickhouse/client → loopback endpoint → chDB)', () => {
  it('created the schema and stored every span through the client', async () => {
    if (!ex) return;
    expect(endpoint.stats.queries.some((q) => /^CREATE TABLE IF NOT EXISTS otel_traces/.test(q))).toBe(true);
    expect(endpoint.stats.queries.some((q) => /^INSERT INTO otel_traces/.test(q))).toBe(true);
    const [http] = (await overHttp.query('SELECT count() AS n, sum(Duration) AS d FROM otel_traces')).rows;
    const [local] = (await direct.query('SELECT count() AS n, sum(Duration) AS d FROM otel_traces')).rows;
    expect(http).toEqual(local);
    expect(Number(http.n)).toBeGreaterThan(2000);
  });

  it('returns the same rows for every ClickHouse-dialect query as chDB in-process', async () => {
    if (!ex) return;
    const p: Record<string, unknown> = {
      from_ns: String(BigInt(NOW_MS - 7 * 86_400_000) * 1_000_000n), to_ns: String(BigInt(NOW_MS) * 1_000_000n), bucket_ns: String(3_600_000_000_000n * 6n),
      base_from_ns: String(BigInt(NOW_MS - 7 * 86_400_000) * 1_000_000n), base_to_ns: String(BigInt(NOW_MS - 86_400_000) * 1_000_000n),
      cur_from_ns: String(BigInt(NOW_MS - 86_400_000) * 1_000_000n), cur_to_ns: String(BigInt(NOW_MS) * 1_000_000n), cap: 500,
      from_ms: NOW_MS - 7 * 86_400_000, to_ms: NOW_MS, recent_ms: 3_600_000, bucket_ms: 3_600_000, trace_id: firstTrace, agent: 'coder',
    };
    const names = listDialectVariants('clickhouse');
    for (const name of names) {
      const params = Object.fromEntries(loadQueryFor(name, 'clickhouse').params.filter((k) => k in p).map((k) => [k, p[k]]));
      const [a, b] = await Promise.all([overHttp.named(name, params), direct.named(name, params)]);
      expect(diff(canonical(a), canonical(b), name, 1e-9), name).toEqual([]);
    }
    expect(endpoint.stats.requests).toBeGreaterThan(names.length);
  });

  it('binds parameters server-side, including quotes, backslashes, tabs and NULL', async () => {
    if (!ex) return;
    const nasty = "it's \\ a\ttab\nline";
    const rows = await overHttp.named('dashboard_traces', { from_ms: 0, to_ms: NOW_MS, agent: nasty, limit: 5 });
    expect(rows).toEqual([]);
    const [r] = (await overHttp.query('SELECT {s:String} AS s, {n:Nullable(Int64)} AS n', { s: nasty, n: null })).rows;
    expect(r).toEqual({ s: nasty, n: null });
  });

  it('surfaces ClickHouse errors as QueryError with the server message, and the server refuses writes on ad-hoc SQL', async () => {
    if (!ex) return;
    const err = await overHttp.query('SELECT no_such_column FROM spans').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect(String((err as Error).message)).toMatch(/no_such_column/);
    await expect(overHttp.query('INSERT INTO kv (namespace, key) VALUES (1, 2)')).rejects.toThrow(/only SELECT/);
  });

  it('skips replays over HTTP too', async () => {
    if (!ex) return;
    const r = await overHttp.writeBatch(written.slice(0, 50));
    expect(r).toEqual({ inserted: 0, duplicates: 50 });
  });
});
