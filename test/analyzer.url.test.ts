import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, analyzeRun, sourceFromReader } from '../analyzer/index.js';
import { inliningRunner } from './fixtures/inlineParams.js';
import type { QueryRunner } from '../analyzer/index.js';
import { startCollector } from '../collector/index.js';
import type { RunningCollector } from '../collector/index.js';
import { openStore } from '../store/index.js';
import type { DuckDbStore } from '../store/index.js';
import { DAY_NS, FIXED_NOW, FIXED_NOW_NS, generateSpans, HOUR_NS, writeAll } from './analyzerFixtures.js';

/** The collector's /api/sql as a QueryRunner (what `agentpulse --url … analyze` uses). */
function httpRunner(base: string): QueryRunner {
  return {
    async query(sql, params) {
      const res = await fetch(new URL('/api/sql', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql, params }) });
      const body = (await res.json()) as { columns: string[]; rows: unknown[][]; message?: string };
      if (!res.ok) throw new Error(JSON.stringify(body));
      return { rows: body.rows.map((r) => Object.fromEntries(body.columns.map((c, i) => [c, r[i]]))) };
    },
  };
}

describe('analyze through a collector (--url)', () => {
  let store: DuckDbStore;
  let collector: RunningCollector;
  beforeAll(async () => {
    store = await openStore(':memory:');
    const slow = (t: bigint): number => (t >= FIXED_NOW_NS - 20n * HOUR_NS ? 1.7 : 1);
    await writeAll(store, generateSpans([
      { agent: 'a', operation: 'chat', model: 'm', medianMs: 300, errorRate: 0.01, rate: 10, latencyFactor: slow },
      { agent: 'b', operation: 'chat', model: 'm', medianMs: 300, errorRate: 0.01, rate: 10 },
    ], FIXED_NOW_NS - 8n * DAY_NS, FIXED_NOW_NS, 9));
    collector = await startCollector({ store, port: 0 });
  });
  afterAll(async () => {
    await collector.close();
    await store.close();
  });

  it('gives the same report as reading the store directly, without persisting', async () => {
    const viaUrl = await analyzeRun({ source: sourceFromReader(httpRunner(collector.url)), now: FIXED_NOW });
    const direct = await analyze({ store, now: FIXED_NOW, persist: false });
    expect(viaUrl.persisted).toBe(false);
    expect(viaUrl.report.metrics).toEqual(direct.metrics);
    expect(viaUrl.report.regressions).toEqual(direct.regressions);
    expect(viaUrl.report.regressions.map((r) => r.scope.agent)).toEqual(['a']);
    const rows = await store.query('SELECT count(*) AS n FROM alert_state');
    expect(rows[0].n).toBe(0);
  });

  it('also works with values inlined, for collectors that do not bind parameters', async () => {
    const viaUrl = await analyze({ source: sourceFromReader(inliningRunner(httpRunner(collector.url))), now: FIXED_NOW });
    expect(viaUrl.regressions.map((r) => r.scope.agent)).toEqual(['a']);
  });
});
