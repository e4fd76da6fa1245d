import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type RunningCollector } from '../collector/startCollector.js';
import { createDashboard, type Dashboard } from '../dashboard/routes.js';
import { openStore, type DuckDbStore } from '../store/index.js';
import { cliAsync } from './dashboardHelpers.js';
import { ensureBuilt } from './collectorHelpers.js';
import { makeSpan } from './spanFactory.js';

let dir: string;
let store: DuckDbStore;
let dash: Dashboard;
let collector: RunningCollector;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ap-timewindow-'));
  store = await openStore(join(dir, 'tw.duckdb'));
  dash = createDashboard(store, { live: { pollMs: 100 } });
  collector = await startCollector({ store, routes: dash.routes, port: 0, spoolDir: join(dir, 'tw.duckdb.spool'), onError: () => undefined });
}, 200_000);

afterAll(async () => {
  dash.close();
  await collector.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const otlpSpan = (spanId: string, startNs: bigint, endNs: bigint) => ({
  traceId: 'ab'.repeat(16),
  spanId,
  name: 'invoke_agent planner',
  startTimeUnixNano: String(startNs),
  endTimeUnixNano: String(endNs),
  attributes: [{ key: 'gen_ai.agent.name', value: { stringValue: 'planner' } }],
});

describe('span times outside a sane window', () => {
  it('are refused at ingest as partial success, counted apart, and the others are stored', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans = [
      otlpSpan('01'.repeat(8), now, now + 1_000_000n),
      otlpSpan('02'.repeat(8), 1n, 2n), // t = 1 ns: an unset clock
      otlpSpan('03'.repeat(8), 2n ** 63n - 10n, 2n ** 63n - 2n), // near int64 max: seconds sent as nanoseconds
      otlpSpan('04'.repeat(8), now + 3n * 86_400_000_000_000n, now + 3n * 86_400_000_000_000n + 1n), // 3 days ahead
    ];
    const res = await fetch(`${collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess?: { rejectedSpans: string; errorMessage: string } };
    expect(body.partialSuccess?.rejectedSpans).toBe('3');
    expect(body.partialSuccess?.errorMessage).toMatch(/before 2000-01-01/);
    expect(await collector.flush(10_000)).toBe(true);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/^agentpulse_collector_spans_out_of_window_total 3$/m);
    const rows = await store.query("SELECT span_id FROM spans WHERE trace_id = $t ORDER BY span_id", { t: 'ab'.repeat(16) });
    expect(rows.map((r) => r.span_id)).toEqual(['01'.repeat(8)]);
  });

  it('a stray span from 1970 already in the store still leaves every "all" range answerable', async () => {
    // Written straight to the store, as an embedded exporter (no collector in between) could.
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    await store.writeBatch([makeSpan({ startNs: 1n, endNs: 2n }), makeSpan({ startNs: nowNs - 60_000_000_000n }), makeSpan({ startNs: nowNs })]);
    for (const path of ['/api/summary?range=all', '/api/timeseries?range=all&bucket=auto', '/api/errors?range=all&bucket=1d', '/api/teams?range=all']) {
      const res = await fetch(collector.url + path);
      const body = (await res.json()) as { window: { fromMs: number; toMs: number; bucketMs: number }; error?: string };
      expect(res.status, `${path}: ${body.error}`).toBe(200);
      expect((body.window.toMs - body.window.fromMs) / body.window.bucketMs).toBeLessThanOrEqual(240);
    }
    const ts = (await (await fetch(`${collector.url}/api/timeseries?range=all`)).json()) as { points?: unknown[]; t?: unknown[] };
    const n = (ts.points ?? ts.t ?? []).length;
    expect(n).toBeLessThanOrEqual(241);
    const cli = await cliAsync(['--url', collector.url, 'analytics', '--since', 'all', '--json']);
    expect(cli.status, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout).summary.totals.spans).toBeGreaterThanOrEqual(3);
  });
});
