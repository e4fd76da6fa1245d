import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbExecutor } from '../store/clickhouse/ChdbExecutor.js';
import { ClickHouseStore } from '../store/clickhouse/ClickHouseStore.js';
import { ensureBuilt, repoRoot } from './build.js';
import { fleetSpans, chdbMissing, openChdbOrSkip, writeSorted } from './clickhouseHelpers.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'agentpulse-ch-cli-'));
const chDir = join(dir, 'ch');
let available = false;
let spanCount = 0;

beforeAll(async () => {
  const probe = await openChdbOrSkip('clickhouse.cli');
  if (!probe) return;
  await probe.close();
  available = true;
  ensureBuilt();
  // Fill a persistent chDB directory, then release it: chDB lets one process hold a directory.
  const ex = await ChdbExecutor.open(chDir);
  const store = await ClickHouseStore.open(ex);
  const { spans } = await fleetSpans({ tasks: 80, seed: 9, nowMs: Date.now() });
  spanCount = spans.length;
  await writeSorted(store, spans);
  await store.close();
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = async (...args: string[]): Promise<string> =>
  (await run(process.execPath, [join(repoRoot, 'bin', 'agentpulse.js'), ...args], { env: { ...process.env, AGENTPULSE_STORE: `chdb://${chDir}` } })).stdout;

describe.skipIf(chdbMissing !== null)('agentpulse CLI with AGENTPULSE_STORE=chdb://…', () => {
  it('runs ad-hoc SQL, named queries (ClickHouse variants) and the analyzer on the ClickHouse store', async () => {
    if (!available) return;
    const [{ n }] = JSON.parse(await cli('--json', 'sql', 'select count() as n from spans')) as { n: number }[];
    expect(n).toBe(spanCount);
    const summary = JSON.parse(await cli('--json', 'query', 'agent_summary')) as { agent: string; runs: number }[];
    expect(summary.length).toBeGreaterThan(3);
    const report = JSON.parse(await cli('--json', 'analyze', '--since', '24h', '--baseline', '6d')) as { metrics: { count: number }[] };
    expect(report.metrics.reduce((s, m) => s + m.count, 0)).toBeGreaterThan(0);
    await expect(cli('sql', 'insert into kv (namespace, key) values (1, 2)')).rejects.toThrow(/only SELECT/);
  }, 60_000);

  it('persists alert state like DuckDB: a firing alert is delivered once, not again on the next run', async () => {
    if (!available) return;
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, 'rules:\n  - name: always_slow\n    kind: threshold\n    metric: p95_ms\n    threshold: 0\n');
    const out = join(dir, 'alerts.ndjson');
    const lines = (): string[] => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []);
    const analyze = () => cli('--json', 'analyze', '--since', '24h', '--baseline', '6d', '--rules', rules, '--sink', `ndjson:${out}`);
    const first = JSON.parse(await analyze()) as { alerts: { rule: string; state: string }[] };
    expect(first.alerts.some((a) => a.rule === 'always_slow' && a.state === 'firing')).toBe(true);
    const delivered = lines();
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.every((l) => (JSON.parse(l) as { state: string }).state === 'firing')).toBe(true);
    // The second run reads the stored state (firing, notified): still firing, nothing owed, nothing re-sent.
    const second = JSON.parse(await analyze()) as { alerts: { rule: string; state: string }[] };
    expect(second.alerts.some((a) => a.rule === 'always_slow' && a.state === 'firing')).toBe(true);
    expect(lines()).toEqual(delivered);
    const [{ n }] = JSON.parse(await cli('--json', 'sql', "select count() as n from alert_state final where rule = 'always_slow' and last_notified_at is not null")) as { n: number }[];
    expect(n).toBe(delivered.length);
    const [{ runs }] = JSON.parse(await cli('--json', 'sql', 'select count() as runs from analyzer_runs')) as { runs: number }[];
    expect(runs).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
