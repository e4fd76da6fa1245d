import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbExecutor } from '../store/clickhouse/ChdbExecutor.js';
import { ClickHouseStore } from '../store/clickhouse/ClickHouseStore.js';
import { DuckDbTraceStore } from '../store/clickhouse/DuckDbTraceStore.js';
import { clickhouseSchema, clickhouseSchemaFile } from '../store/clickhouse/schema.js';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { listDialectVariants, loadQueryFor } from '../store/namedQueries.js';
import { sketchBucket } from '../store/sketch.js';
import type { SpanRecord } from '../store/types.js';
import type { LogRecordIn, MetricPointIn, SignalRecords } from '../store/signals.js';
import { canonical, diff, fleetSpans, chdbMissing, openChdbOrSkip, writeSorted } from './clickhouseHelpers.js';

const NOW_MS = Date.UTC(2025, 2, 10, 12, 0, 0);
const NOW_NS = BigInt(NOW_MS) * 1_000_000n;
const DAY_NS = 86_400_000_000_000n;
const MIN = 60_000;

let ch: ClickHouseStore | null = null;
let ex: ChdbExecutor | null = null;
let duck: DuckDbTraceStore;
let duckRaw: DuckDbStore;
let spans: SpanRecord[] = [];

/** Spans of the SDK dialects (store/dialects.ts), each a root of its own trace so attribution cannot differ. */
function dialectSpans(): SpanRecord[] {
  const at = NOW_NS - 7_200_000_000_000n;
  const span = (i: number, name: string, attributes: SpanRecord['attributes'], service: string, scopeName: string | null = null): SpanRecord => ({
    traceId: `d1a1ec7${i}`.padEnd(32, '0'), spanId: `d1a1ec7${i}`.padEnd(16, '0'), parentSpanId: null, name, kind: 'client',
    startNs: at + BigInt(i) * 1_000_000n, endNs: at + BigInt(i) * 1_000_000n + 900_000n, statusCode: 'UNSET', statusMessage: null,
    attributes, resource: { 'service.name': service }, scopeName, scopeVersion: null, events: [], links: [],
  });
  return [
    span(1, 'ChatCompletion', { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.provider': 'openai', 'llm.token_count.prompt': 120, 'llm.token_count.completion': 30, 'llm.cost.total': 0.002, 'session.id': 'oi-s', 'agent.name': 'researcher' }, 'phoenix-app', 'openinference.instrumentation.openai'),
    span(2, 'search', { 'openinference.span.kind': 'TOOL', 'tool.name': 'web_search', 'tool_call.id': 'call_1' }, 'phoenix-app'),
    span(3, 'openai.chat', { 'llm.request.type': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.prompt_tokens': 40, 'gen_ai.usage.completion_tokens': 9, 'traceloop.association.properties.session_id': 'tl-s' }, 'traceloop-app'),
    span(4, 'lookup.tool', { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'lookup' }, 'traceloop-app'),
    span(5, 'ai.generateText.doGenerate', { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'claude-x', 'ai.model.provider': 'anthropic.messages', 'ai.usage.promptTokens': 77, 'ai.usage.completionTokens': 11, 'ai.response.id': 'resp-5', 'ai.telemetry.functionId': 'summarizer' }, 'next-app'),
    span(6, 'ai.toolCall', { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'weather', 'ai.toolCall.id': 'tc-6' }, 'next-app'),
    span(7, 'claude_code.llm_request', { model: 'claude-sonnet-4-5', input_tokens: '300', output_tokens: '20', request_id: 'req_7', success: 'false', status_code: '529', 'session.id': 'cc-s' }, 'claude-code'),
    span(8, 'execute_tool read_file', { 'gen_ai.tool.call_id': 'g-8', 'gen_ai.conversation.id': 'g-s' }, 'gemini-cli', 'gemini-cli'),
  ];
}

beforeAll(async () => {
  ex = await openChdbOrSkip('clickhouse.queries');
  if (!ex) return;
  ch = await ClickHouseStore.open(ex, { ttlDays: 0, rollupTtlDays: 0 });
  duckRaw = await DuckDbStore.open(':memory:');
  duck = new DuckDbTraceStore(duckRaw);
  ({ spans } = await fleetSpans({ tasks: 350, seed: 11, nowMs: NOW_MS }));
  spans.push(...dialectSpans());
  // A span from an SDK that sends only the older GenAI names, with an exception event and no error.type.
  spans.push({
    traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), parentSpanId: null, name: 'chat legacy', kind: 'client',
    startNs: NOW_NS - 3_600_000_000_000n, endNs: NOW_NS - 3_599_000_000_000n, statusCode: 'ERROR', statusMessage: 'boom',
    attributes: { 'gen_ai.system': 'openai', 'gen_ai.response.model': 'gpt-x', 'gen_ai.usage.prompt_tokens': 12.7, 'gen_ai.usage.completion_tokens': '5', 'agentpulse.operation': 'chat', 'agentpulse.team.members': 'b, a,b' },
    resource: { 'service.name': 'legacy' }, scopeName: null, scopeVersion: null,
    events: [{ name: 'exception', timeNs: NOW_NS - 3_599_500_000_000n, attributes: { 'exception.type': 'ValueError' } }], links: [],
  });
  await writeSorted(duck, spans);
  await writeSorted(ch, spans);
  // The same log records and metric points on both backends (the named queries over them are compared below).
  for (const store of [duckRaw, ch]) await store.writeBatch([], signalFixture());
}, 120_000);

afterAll(async () => {
  await ch?.close();
  await duck?.close();
});

/** Log records and metric points of every kind, with sessions and a cumulative series that restarts. */
function signalFixture(): SignalRecords {
  const at = NOW_NS - 5_400_000_000_000n;
  const res = { 'service.name': 'claude-code', 'host.name': 'h1' };
  const log = (i: number, eventName: string, attributes: LogRecordIn['attributes']): LogRecordIn => ({
    timeNs: at + BigInt(i) * 1_000_000_000n, observedNs: 0n, traceId: null, spanId: null, severityNumber: 9, severityText: 'INFO',
    body: `claude_code.${eventName}`, eventName: `claude_code.${eventName}`, attributes: { 'session.id': 'cc-s', ...attributes }, resource: res,
    scopeName: 'com.anthropic.claude_code.events', scopeVersion: '2.1.130',
  });
  const point = (p: Partial<MetricPointIn> & Pick<MetricPointIn, 'name' | 'kind' | 'timeNs'>): MetricPointIn => ({
    description: null, unit: null, temporality: null, monotonic: null, startNs: at, value: null, count: null, sum: null, min: null, max: null,
    bounds: null, bucketCounts: null, extra: null, attributes: {}, resource: res, scopeName: 'com.anthropic.claude_code', scopeVersion: null, ...p,
  });
  const cost = (t: number, start: bigint, value: number, model: string): MetricPointIn =>
    point({ name: 'claude_code.cost.usage', kind: 'sum', unit: 'USD', temporality: 'cumulative', monotonic: true, startNs: start, timeNs: at + BigInt(t) * 1_000_000_000n, value, attributes: { 'session.id': 'cc-s', model } });
  return {
    logs: [
      log(1, 'api_request', { model: 'claude-sonnet-4-5', cost_usd: '0.012', input_tokens: '1200', request_id: 'req_a' }),
      log(2, 'tool_result', { tool_name: 'Bash', success: 'false', duration_ms: 340, tool_use_id: 'toolu_1' }),
      log(3, 'user_prompt', { prompt_length: 42 }),
      { ...log(4, 'x', {}), eventName: 'custom.event', body: { nested: [1, 'two'] }, attributes: { 'event.name': 'custom.event', 'gen_ai.conversation.id': 'other-s' } },
    ],
    points: [
      cost(10, at, 0.5, 'm1'), cost(20, at, 0.75, 'm1'), cost(30, at + 25_000_000_000n, 0.1, 'm1'), cost(20, at, 2, 'm2'),
      point({ name: 'claude_code.token.usage', kind: 'sum', unit: 'tokens', temporality: 'delta', monotonic: true, timeNs: at + 10_000_000_000n, value: 300, attributes: { type: 'input' } }),
      point({ name: 'queue.depth', kind: 'gauge', timeNs: at + 10_000_000_000n, value: 7 }),
      point({ name: 'tool.latency', kind: 'histogram', unit: 'ms', temporality: 'delta', timeNs: at + 10_000_000_000n, count: 3, sum: 12.5, min: 1, max: 8, bounds: [5, 10], bucketCounts: [2, 1, 0] }),
      point({ name: 'tool.latency.exp', kind: 'exponential_histogram', unit: 'ms', temporality: 'cumulative', timeNs: at + 10_000_000_000n, count: 3, sum: 1.5, min: 0.1, max: 1,
        extra: { scale: -1, zero_count: 1, zero_threshold: 0, positive: { offset: -1, bucket_counts: [1, 1] }, negative: { offset: 0, bucket_counts: [] } } }),
      point({ name: 'rpc.summary', kind: 'summary', timeNs: at + 10_000_000_000n, startNs: 0n, count: 10, sum: 123.5, extra: { quantiles: [{ quantile: 0.5, value: 10 }, { quantile: 0.99, value: 40 }] } }),
    ],
  };
}

/** Parameter values by name for every named query (NULL for optional filters). */
function paramsFor(names: string[]): Record<string, unknown> {
  const v: Record<string, unknown> = {
    from_ns: String(NOW_NS - 7n * DAY_NS), to_ns: String(NOW_NS + 1n), since_ns: String(NOW_NS - 3n * DAY_NS),
    bucket_ns: String(DAY_NS / 4n), base_from_ns: String(NOW_NS - 7n * DAY_NS), base_to_ns: String(NOW_NS - DAY_NS),
    cur_from_ns: String(NOW_NS - DAY_NS), cur_to_ns: String(NOW_NS), cap: 2000,
    from_ms: NOW_MS - 7 * 86_400_000, to_ms: NOW_MS + MIN, recent_ms: 6 * 3_600_000, bucket_ms: 3_600_000,
    trace_id: spans[0]?.traceId,
  };
  return Object.fromEntries(names.filter((n) => n in v).map((n) => [n, v[n]]));
}

/** Columns whose values legitimately differ by backend (documented in docs/scale-out.md). */
const SKIP: Record<string, string[]> = {
  dashboard_trace: ['attributes', 'events'], // otel_traces keeps attribute values as strings
  dashboard_health: ['schema_version'], // each backend versions its own schema
  dashboard_extent: ['partials'], // a change token: partial rows on DuckDB, span count on ClickHouse
  // DuckDB gives a span without a task the task of its nearest ancestor at ingest (store/attribution.ts),
  // so recovery spans under a task span count for it; on ClickHouse this runs at ingest only on DuckDB (docs/scale-out.md, "Logs and metrics").
  learning_execution_records: ['recoveries', 'recovered', 'recovery_strategies'],
  dashboard_traces: ['span_name'], // arg_max(name, start_ns): spans of a trace often start in the same ns; either engine may pick either
};
/** Rollup-sketch outputs: bucket indexes may differ by one where log() rounds differently at a bucket edge. */
const SKETCH = new Set(['dashboard_latency_by_agent', 'dashboard_latency_total', 'dashboard_timeseries_latency']);

function comparable(name: string, rows: Record<string, unknown>[]): Record<string, unknown>[] {
  // These queries have no ORDER BY (the dashboard sorts): compare them as sets.
  const sorted = SKETCH.has(name) ? [...rows].sort((x, y) => String(x.grp).localeCompare(String(y.grp))) : rows;
  return sorted.map((r) => {
    const o = canonical(r) as Record<string, unknown>;
    for (const k of SKIP[name] ?? []) delete o[k];
    if (name === 'dashboard_traces' && o.agents === null) o.agents = []; // DuckDB: NULL list when no span had an agent
    for (const k of ['samples', 'agents'] as const) if (name !== 'learning_execution_records' && Array.isArray(o[k])) o[k] = [...(o[k] as unknown[])].sort();
    if (name === 'agent_summary' && typeof o.error_rate_by_type === 'string') o.error_rate_by_type = o.error_rate_by_type.split(', ').sort().join(', ');
    return o;
  });
}

describe.skipIf(chdbMissing !== null)('ClickHouse named queries on chDB', () => {
  it('has a ClickHouse variant for every named query', () => {
    if (!ch) return;
    const shared = readFileSync(new URL('../queries/agent_summary.sql', import.meta.url), 'utf8');
    expect(shared.length).toBeGreaterThan(0);
    const variants = listDialectVariants('clickhouse');
    expect(variants.length).toBeGreaterThanOrEqual(30);
    for (const v of variants) expect(loadQueryFor(v, 'clickhouse').dialect).toBe('clickhouse');
  });

  it('runs every ClickHouse-dialect query and agrees with DuckDB row by row on the same spans', async () => {
    if (!ch) return;
    const problems: string[] = [];
    for (const name of listDialectVariants('clickhouse')) {
      const q = loadQueryFor(name, 'clickhouse');
      const params = paramsFor(q.params);
      let a: Record<string, unknown>[];
      let b: Record<string, unknown>[];
      try {
        [a, b] = await Promise.all([duck.named(name, params), ch.named(name, params)]);
      } catch (err) {
        problems.push(`${name}: ${String(err).slice(0, 400)}`);
        continue;
      }
      let d = diff(comparable(name, a), comparable(name, b), name, SKETCH.has(name) ? 0 : 1e-9);
      if (SKETCH.has(name)) {
        // Same rows, same totals; bucket indexes within one bucket (one bucket = 2 % of the value).
        d = d.filter((x) => !/_bucket: (-?\d+) ≠ (-?\d+)$/.test(x) || Math.abs(Number(/: (-?\d+) ≠/.exec(x)![1]) - Number(/≠ (-?\d+)$/.exec(x)![1])) > 1);
      }
      if (name === 'analyzer_metrics_rollup') d = diff(comparable(name, a), comparable(name, b), name, 0.021);
      // Shown to 4 decimals, rounded from the sum to 1e-9 first (deterministic on each engine); a sum that
      // lands on a tie at the 4th decimal rounds away from zero on DuckDB and to even on ClickHouse.
      if (name === 'agent_summary') d = diff(comparable(name, a), comparable(name, b), name, 1.01e-4);
      if (b.length !== a.length) problems.push(`${name}: ${b.length} rows on ClickHouse, ${a.length} on DuckDB`);
      if (d.length > 0) problems.push(...d.slice(0, 5));
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('promotes semantic-convention attributes in the spans view with the rules of store/normalize.ts', async () => {
    if (!ch) return;
    const sql = `SELECT operation, provider, model, input_tokens, output_tokens, team_signature, error_type, status_code, kind, service_name, scope_name FROM spans WHERE span_id = '${'e'.repeat(16)}'`;
    const [a] = (await duck.query(sql)).rows;
    const [b] = (await ch.query(sql)).rows;
    expect(b).toEqual({ operation: 'chat', provider: 'openai', model: 'gpt-x', input_tokens: 12, output_tokens: 5, team_signature: 'a+b', error_type: 'ValueError', status_code: 'ERROR', kind: 'client', service_name: 'legacy', scope_name: null });
    expect(canonical(b)).toEqual(canonical(a));
  });

  it('reads rows the OpenTelemetry Collector exporter wrote (older SPAN_KIND_/STATUS_CODE_ spellings too)', async () => {
    if (!ch || !ex) return;
    await ex.command(`INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName, SpanAttributes, Duration, StatusCode, StatusMessage, \`Events.Timestamp\`, \`Events.Name\`, \`Events.Attributes\`)
      VALUES (fromUnixTimestamp64Nano(toInt64(${NOW_NS - 7_200_000_000_000n})), 'aaaa0000aaaa0000aaaa0000aaaa0000', 'bbbb0000bbbb0000', '', 'invoke_agent pyagent', 'SPAN_KIND_SERVER', 'py-svc',
        map('service.name', 'py-svc'), 'opentelemetry.instrumentation.openai', map('gen_ai.operation.name', 'invoke_agent', 'gen_ai.agent.name', 'pyagent', 'agentpulse.team.members', '["z","y"]'),
        1500000000, 'STATUS_CODE_ERROR', 'failed', [fromUnixTimestamp64Nano(toInt64(${NOW_NS - 7_100_000_000_000n}))], ['exception'], [map('exception.type', 'RateLimitError')])`);
    const [r] = (await ch.query(`SELECT kind, status_code, agent_name, operation, team_signature, error_type, duration_ns, events FROM spans WHERE span_id = 'bbbb0000bbbb0000'`)).rows;
    expect(r).toMatchObject({ kind: 'server', status_code: 'ERROR', agent_name: 'pyagent', operation: 'invoke_agent', team_signature: 'y+z', error_type: 'RateLimitError', duration_ns: 1500000000 });
    expect(JSON.parse(String(r.events))).toEqual([{ name: 'exception', time_ns: String(NOW_NS - 7_100_000_000_000n), attributes: { 'exception.type': 'RateLimitError' } }]);
    const minute = (await ch.query(`SELECT sum(span_count) AS n, sum(error_count) AS e FROM rollup_minute WHERE agent_name = 'pyagent'`)).rows[0];
    expect(minute).toEqual({ n: 1, e: 1 });
  });

  it('keeps per-minute rollups in materialized views equal to DuckDB rollups (sketch buckets within one bucket)', async () => {
    if (!ch) return;
    const range = { fromMs: NOW_MS - 8 * 86_400_000, toMs: NOW_MS - 2 * 3_600_000 };
    const [a, b] = await Promise.all([duck.readRollups(range), ch.readRollups(range)]);
    expect(a.length).toBeGreaterThan(1000);
    expect(diff(canonical(b), canonical(a), 'rollup_minute', 1e-9)).toEqual([]);
    const sketch = `SELECT bucket, sum(n) AS n FROM rollup_sketch GROUP BY bucket ORDER BY bucket`;
    const da = (await duck.query(sketch)).rows.map((r) => [Number(r.bucket), Number(r.n)]);
    const db = (await ch.query(sketch.replace('FROM rollup_sketch', "FROM rollup_sketch WHERE agent_name IS DISTINCT FROM 'pyagent'"))).rows.map((r) => [Number(r.bucket), Number(r.n)]);
    const total = da.reduce((s, [, n]) => s + n, 0);
    expect(db.reduce((s, [, n]) => s + n, 0)).toBe(total);
    const moved = da.reduce((s, [bk, n]) => s + Math.abs(n - (db.find(([x]) => x === bk)?.[1] ?? 0)), 0) / 2;
    expect(moved / total).toBeLessThan(0.001);
    // The SQL bucket formula is sketchBucket().
    const probe = (await ch.query(`SELECT ${'if(d > 0, toInt16(ceil(log(toFloat64(d)) / ' + Math.log((1 + 0.0099) / (1 - 0.0099)).toPrecision(17) + ')), -32768)'} AS b FROM (SELECT arrayJoin([1, 999, 1000000, 123456789, 0]) AS d)`)).rows;
    expect(probe.map((r) => Number(r.b))).toEqual([1, 999, 1000000, 123456789, 0].map(sketchBucket));
  });

  it('promotes the SDK dialects alike on both backends when the agentpulse collector writes them', async () => {
    if (!ch) return;
    const sql = `SELECT span_id, operation, provider, model, input_tokens, output_tokens, cost_usd, tool_name, agent_name, session_id, call_id, status_code, error_type
      FROM spans WHERE startsWith(span_id, 'd1a1ec7') ORDER BY span_id`;
    const a = (await duck.query(sql.replace('startsWith(span_id, \'d1a1ec7\')', "span_id LIKE 'd1a1ec7%'"))).rows;
    const b = (await ch.query(sql)).rows;
    expect(a).toHaveLength(8);
    expect(diff(canonical(a), canonical(b), 'dialect spans', 1e-12)).toEqual([]);
    expect(b[0]).toMatchObject({ operation: 'chat', model: 'gpt-4o', provider: 'openai', input_tokens: 120, cost_usd: 0.002, agent_name: 'researcher', session_id: 'oi-s' });
    expect(b[4]).toMatchObject({ operation: 'chat', model: 'claude-x', provider: 'anthropic', input_tokens: 77, agent_name: 'summarizer', call_id: 'resp-5' });
    expect(b[6]).toMatchObject({ operation: 'chat', status_code: 'ERROR', error_type: '529', call_id: 'req_7', agent_name: 'claude-code', session_id: 'cc-s' });
    expect(b[7]).toMatchObject({ operation: 'execute_tool', tool_name: 'read_file', call_id: 'g-8', session_id: 'g-s' });
  });

  it('keeps log records and metric points in the exporter\'s tables and reads them like DuckDB through log_records, metric_points and metric_deltas', async () => {
    if (!ch || !ex) return;
    const logs = `SELECT time_ns, trace_id, severity_number, severity_text, body, event_name, service_name, scope_name, session_id, record_id FROM log_records ORDER BY time_ns, record_id`;
    const [la, lb] = [(await duck.query(logs)).rows, (await ch.query(logs)).rows];
    expect(la).toHaveLength(4);
    expect(diff(canonical(la), canonical(lb), 'log_records', 0)).toEqual([]);
    const points = `SELECT name, kind, unit, temporality, monotonic, start_ns, time_ns, value, count, sum, min, max, service_name, session_id, series_id, point_id FROM metric_points ORDER BY point_id`;
    const [pa, pb] = [(await duck.query(points)).rows, (await ch.query(points)).rows];
    expect(pa).toHaveLength(9);
    expect(diff(canonical(pa), canonical(pb), 'metric_points', 1e-12)).toEqual([]);
    // The cumulative cost series restarts at t=30: its deltas add up to 0.75 + 0.1 for m1, 2 for m2.
    const cost = `SELECT attributes, round(sum(delta_value), 9) AS cost FROM metric_deltas WHERE name = 'claude_code.cost.usage' GROUP BY attributes ORDER BY cost`;
    const costs = (await ch.query(cost)).rows.map((r) => Number(r.cost));
    expect(costs).toEqual([0.85, 2]);
    expect((await duck.query(cost)).rows.map((r) => Number(r.cost))).toEqual(costs);
    // The exporter's own tables hold them, so its readers (Grafana's ClickHouse plugin) see them too.
    expect((await ex.query(`SELECT count() AS n FROM otel_logs`)).rows[0]!.n).toBe(4);
    expect((await ex.query(`SELECT MetricName, Value, AggregationTemporality FROM otel_metrics_sum WHERE MetricName = 'claude_code.token.usage'`)).rows).toEqual([{ MetricName: 'claude_code.token.usage', Value: 300, AggregationTemporality: 1 }]);
    // A resent request (an exporter's retry, a write-ahead-log replay) adds nothing.
    await ch.writeBatch([], signalFixture());
    expect((await ch.query('SELECT count() AS n FROM log_records')).rows[0]!.n).toBe(4);
    expect((await ch.query('SELECT count() AS n FROM metric_points')).rows[0]!.n).toBe(9);
  });

  it('reads log records the OpenTelemetry Collector exporter wrote, without agentpulse\'s key column', async () => {
    if (!ch || !ex) return;
    await ex.command(`INSERT INTO otel_logs (Timestamp, ServiceName, Body, LogAttributes, EventName)
      VALUES (fromUnixTimestamp64Nano(toInt64(${NOW_NS - 9_000_000_000_000n})), 'codex_cli_rs', 'x', map('conversation.id', 'cx-1', 'event.name', 'codex.tool_result'), '')`);
    const [r] = (await ch.query(`SELECT event_name, session_id, length(record_id) AS k FROM log_records WHERE service_name = 'codex_cli_rs'`)).rows;
    expect(r).toEqual({ event_name: 'codex.tool_result', session_id: 'cx-1', k: 16 });
    await ex.command(`DELETE FROM otel_logs WHERE ServiceName = 'codex_cli_rs'`);
  });

  it('skips replayed spans and counts them as duplicates', async () => {
    if (!ch) return;
    const before = (await ch.query('SELECT count() AS n FROM otel_traces')).rows[0].n;
    const replay = spans.slice(100, 160);
    expect(await ch.writeBatch(replay)).toEqual({ inserted: 0, duplicates: 60 });
    expect((await ch.query('SELECT count() AS n FROM otel_traces')).rows[0].n).toBe(before);
  });

  it('refuses writes, file and network access in ad-hoc SQL', async () => {
    if (!ch) return;
    for (const sql of ['INSERT INTO kv (namespace, key) VALUES (\'a\', \'b\')', "SELECT * FROM file('/etc/passwd', 'LineAsString')", "SELECT * FROM url('http://127.0.0.1:1/x', 'CSV')", 'DROP TABLE otel_traces', 'SELECT 1; SELECT 2']) {
      await expect(ch.query(sql), sql).rejects.toThrow(/allowed|statement/);
    }
  });

  it('ships deploy/clickhouse/schema.sql as generated from store/clickhouse/schema.ts, and it runs', async () => {
    const file = readFileSync(new URL('../deploy/clickhouse/schema.sql', import.meta.url), 'utf8');
    expect(file).toBe(clickhouseSchemaFile());
    if (!ex) return;
    // Idempotent: every statement again on the populated database.
    for (const s of clickhouseSchema()) await ex.command(s);
  });
});
