import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startClickHouseServer } from '../server/startServer.js';
import { openTraceStore } from '../store/clickhouse/openTraceStore.js';
import type { ClickHouseStore } from '../store/clickhouse/ClickHouseStore.js';
import { loadChdb } from '../store/clickhouse/ChdbExecutor.js';

const dir = mkdtempSync(join(tmpdir(), 'agentpulse-ch-collect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasChdb = await loadChdb().then(() => true, (err: unknown) => {
  // .ci/run installs chDB: in CI a missing engine is a failure, not a skip.
  if (process.env.CI === 'true') throw err;
  console.warn(`clickhouse.collector: SKIPPED — chDB cannot be loaded: ${err instanceof Error ? err.message : String(err)}`);
  return false;
});

describe('agentpulse collector writing to ClickHouse', () => {
  it.runIf(hasChdb)("acks OTLP spans, logs and metrics once stored in the exporter's tables and serves them through the dashboard API and the views", async () => {
    const running = await startClickHouseServer(await openTraceStore(`chdb://${join(dir, 'ch')}`), { port: 0, spoolDir: join(dir, 'spool') });
    try {
      const now = BigInt(Date.now()) * 1_000_000n;
      const spans = Array.from({ length: 20 }, (_, i) => ({
        traceId: (i + 1).toString(16).padStart(32, '0'), spanId: (i + 1).toString(16).padStart(16, '0'), name: 'invoke_agent planner', kind: 1,
        startTimeUnixNano: String(now - 120_000_000_000n + BigInt(i) * 1_000_000n), endTimeUnixNano: String(now - 119_000_000_000n + BigInt(i) * 1_000_000n),
        attributes: [
          { key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } },
          { key: 'gen_ai.agent.name', value: { stringValue: 'planner' } },
          { key: 'gen_ai.usage.input_tokens', value: { intValue: '100' } },
        ],
        status: { code: i % 5 === 0 ? 2 : 1 },
      }));
      const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otlp-svc' } }] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] };
      const res = await fetch(`${running.collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      const agents = (await (await fetch(`${running.collector.url}/api/agents?range=1h`)).json()) as { agents: { agent: string; spans: number; errors: number }[] };
      expect(agents.agents.find((a) => a.agent === 'planner')).toMatchObject({ spans: 20, errors: 4 });
      // Logs and metrics land in the exporter's otel_logs / otel_metrics_* tables, and coding-agent events become spans.
      const kv = (key: string, v: string | number) => ({ key, value: typeof v === 'number' ? { doubleValue: v } : { stringValue: v } });
      const claude = { attributes: [kv('service.name', 'claude-code')] };
      const logs = { resourceLogs: [{ resource: claude, scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events' }, logRecords: [{
        timeUnixNano: String(now - 60_000_000_000n), eventName: 'claude_code.api_request', body: { stringValue: 'claude_code.api_request' },
        attributes: [kv('session.id', 'ch-s1'), kv('model', 'claude-sonnet-4-5'), kv('cost_usd', '0.25'), kv('input_tokens', '900'), kv('output_tokens', '40'), kv('duration_ms', '1200'), kv('request_id', 'req_ch1')],
      }] }] }] };
      const metrics = { resourceMetrics: [{ resource: claude, scopeMetrics: [{ scope: { name: 'com.anthropic.claude_code' }, metrics: [{
        name: 'claude_code.cost.usage', unit: 'USD', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [
          { startTimeUnixNano: String(now - 120_000_000_000n), timeUnixNano: String(now - 60_000_000_000n), asDouble: 0.25, attributes: [kv('session.id', 'ch-s1')] },
        ] },
      }] }] }] };
      for (const [path, body] of [['/v1/logs', logs], ['/v1/metrics', metrics]] as const) {
        const r = await fetch(`${running.collector.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(r.status, path).toBe(200);
      }
      await running.collector.flush(10_000);
      const store = running.store as ClickHouseStore;
      expect((await store.query(`SELECT operation, model, cost_usd, input_tokens, agent_name FROM spans WHERE session_id = 'ch-s1'`)).rows)
        .toEqual([{ operation: 'chat', model: 'claude-sonnet-4-5', cost_usd: 0.25, input_tokens: 900, agent_name: 'claude-code' }]);
      expect((await store.query(`SELECT event_name, session_id FROM log_records`)).rows).toEqual([{ event_name: 'claude_code.api_request', session_id: 'ch-s1' }]);
      expect((await store.query(`SELECT sum(delta_value) AS cost FROM metric_deltas WHERE session_id = 'ch-s1'`)).rows).toEqual([{ cost: 0.25 }]);
    } finally {
      await running.stop();
    }
  }, 60_000);
});
