import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startClickHouseServer } from '../server/startServer.js';
import { openTraceStore } from '../store/clickhouse/openTraceStore.js';
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
  it.runIf(hasChdb)('acks OTLP spans once stored in otel_traces and serves them through the dashboard API from the rollup views', async () => {
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
      // Logs and metrics are kept by the DuckDB store only: refused with a clear 501, never acknowledged and dropped.
      for (const path of ['/v1/logs', '/v1/metrics']) {
        const r = await fetch(`${running.collector.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        expect(r.status, path).toBe(501);
        expect(((await r.json()) as { message: string }).message).toMatch(/DuckDB/);
      }
    } finally {
      await running.stop();
    }
  }, 60_000);
});
