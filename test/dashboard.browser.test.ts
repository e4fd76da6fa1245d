/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../server/startServer.js';
import { fmtInt, fmtMs, fmtPct, fmtUsd } from './dashboardFormat.js';
import { build, cli, CHROMIUM_ARGS, otlpJson, ROOT, tempDir } from './dashboardHelpers.js';

const ART = join(ROOT, 'test-artifacts');
let running: Awaited<ReturnType<typeof startLocalServer>>;
let ctx: BrowserContext;
let page: Page;
let base: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  build();
  mkdirSync(ART, { recursive: true });
  const dir = tempDir('ap-dash-');
  const db = join(dir, 'demo.duckdb');
  const demo = cli(['--db', db, 'demo', '--seed', '1', '--tasks', '1200', '--days', '3'], { timeout: 90_000 });
  expect(demo.status, demo.stderr).toBe(0);
  const analyze = cli(['--db', db, 'analyze', '--json', '--out', join(dir, 'report.json')]);
  expect(analyze.status === 0 || analyze.status === 2, analyze.stderr).toBe(true);
  running = await startLocalServer(db, { host: '127.0.0.1', port: 0 });
  base = running.collector.url;
  ctx = await chromium.launchPersistentContext(tempDir('ap-chromium-'), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 } });
  page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}/?range=24h`);
  await page.waitForFunction(() => document.body.dataset.loads === '1' && document.body.dataset.loading === 'false', null, { timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  await running?.stop();
});

/** The API's answer for the window the page resolved, so page and API compare the same minutes. */
async function api(path: string, extra: Record<string, string> = {}): Promise<any> {
  const w = await page.evaluate(() => (window as any).agentpulse.state.window);
  const q = new URLSearchParams({ from: String(w.fromMs), to: String(w.toMs), bucket: 'auto', ...extra });
  const res = await fetch(`${base}${path}?${q}`);
  expect(res.status).toBe(200);
  return res.json();
}

const cells = (sel: string, attr = 'v'): Promise<string[]> => page.$$eval(sel, (els, a) => els.map((e) => (e as HTMLElement).dataset[a] ?? ''), attr);

describe('dashboard in Chromium (demo store)', () => {
  it('renders summary numbers equal to the API', async () => {
    const s = await api('/api/summary');
    expect(s.totals.spans).toBeGreaterThan(1000);
    const kpi = async (k: string): Promise<{ v: string; text: string }> =>
      page.$eval(`[data-kpi="${k}"]`, (e) => ({ v: (e as HTMLElement).dataset.v!, text: e.querySelector('.v')!.textContent! }));
    expect(await kpi('spans')).toEqual({ v: String(s.totals.spans), text: fmtInt(s.totals.spans) });
    expect((await kpi('error_rate')).text).toBe(fmtPct(s.totals.error_rate));
    expect((await kpi('p95')).text).toBe(fmtMs(s.latency_ms.p95));
    expect((await kpi('p99')).text).toBe(fmtMs(s.latency_ms.p99));
    expect((await kpi('cost')).text).toBe(fmtUsd(s.totals.cost_usd));
    expect(Number((await kpi('alerts')).v)).toBe(s.alerts_firing);
    await page.screenshot({ path: join(ART, 'dashboard-light.png'), fullPage: true });
  });

  it('renders every panel with the API\'s numbers', async () => {
    const [agents, ts, errors, teams, costs, alerts, recovery, patterns, health] = await Promise.all(
      ['agents', 'timeseries', 'errors', 'teams', 'costs', 'alerts', 'recovery', 'patterns', 'health'].map((p) => api(`/api/${p}`)),
    );
    // agents
    expect(await cells('#p-agents td[data-col="agent"]')).toEqual(agents.agents.map((a: any) => a.agent));
    expect(await cells('#p-agents td[data-col="spans"]')).toEqual(agents.agents.map((a: any) => String(a.spans)));
    expect(await cells('#p-agents td[data-col="p95_ms"]')).toEqual(agents.agents.map((a: any) => String(a.p95_ms)));
    // trends
    const spansSum = ts.series.spans.reduce((x: number, y: number) => x + y, 0);
    expect(await page.$eval('#p-trends', (e) => (e as HTMLElement).dataset.sumSpans)).toBe(String(spansSum));
    expect(await page.$eval('#c-latency', (e) => (e as HTMLElement).dataset.points)).toBe(String(ts.series.t.length));
    expect(await page.$$eval('#p-trends canvas', (c) => c.length)).toBe(3);
    // error heat map: row totals (the heat map may use a coarser bucket, totals do not depend on it)
    expect(await cells('#p-heatmap td.total')).toEqual(errors.rows.slice(0, 30).map((r: any) => String(r.errors)));
    // teams
    expect(await cells('#p-teams td[data-col="runs"]')).toEqual(teams.teams.map((t: any) => String(t.runs)));
    // costs
    expect(await page.$eval('#p-costs [data-total]', (e) => (e as HTMLElement).dataset.total)).toBe(String(costs.total_cost_usd));
    expect(await cells('#p-costs [data-dim="model"] li')).toEqual(costs.by_model.slice(0, 8).map((r: any) => String(r.cost_usd)));
    expect(await cells('#p-costs [data-dim="task_type"] li')).toEqual(costs.by_task_type.slice(0, 8).map((r: any) => String(r.cost_usd)));
    // alerts (the demo + analyze run yields alert states and forecasts)
    expect(alerts.alerts.length + alerts.predictive.length).toBeGreaterThan(0);
    expect(await page.$$eval('#p-alerts tbody tr', (r) => r.length)).toBe(alerts.alerts.length + alerts.predictive.length);
    // recovery
    expect(recovery.strategies.length).toBeGreaterThan(0);
    expect(await cells('#p-recovery td[data-col="attempts"]')).toEqual(recovery.strategies.map((r: any) => String(r.attempts)));
    // patterns: rows when the learning system produced some, else the empty state
    // (the 10 most confident first; the rest folds behind "show more")
    if (patterns.patterns.length > 0) {
      expect(await page.$$eval('#p-patterns tbody tr', (r) => r.length)).toBe(Math.min(10, patterns.patterns.length));
      expect(await page.$eval('#p-patterns [data-total]', (e) => (e as HTMLElement).dataset.total)).toBe(String(patterns.patterns.length));
    }
    else expect(await page.textContent('#p-patterns .empty')).toContain('No patterns');
    // health
    expect(await cells('#p-health td[data-col="name"]')).toEqual(health.checks.map((c: any) => c.name));
    expect(pageErrors).toEqual([]);
  });

  it('follows the heat map to the traces behind a cell and opens a waterfall', async () => {
    const cell = page.locator('#p-heatmap button.cell').first();
    const n = Number(await cell.getAttribute('data-n'));
    expect(n).toBeGreaterThan(0);
    await cell.click();
    await page.waitForSelector('#trace-list [data-trace-link]');
    const id = await page.locator('#trace-list [data-trace-link]').first().getAttribute('data-trace-link');
    await page.locator('#trace-list [data-trace-link]').first().click();
    await page.waitForSelector('#waterfall .wf-row');
    const t = (await (await fetch(`${base}/api/traces/${id}`)).json()) as any;
    expect(await page.$$eval('#waterfall .wf-row', (r) => r.length)).toBe(t.span_count);
    expect(await page.$$eval('#waterfall .wf-bar.err', (r) => r.length)).toBeGreaterThan(0);
    await page.screenshot({ path: join(ART, 'dashboard-trace-waterfall.png') });
    await page.keyboard.press('Escape');
    expect(await page.locator('#drill').isHidden()).toBe(true);
  });

  it('is keyboard-navigable: jump to a panel, tab to a row, open its traces', async () => {
    await page.keyboard.press('1');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('p-agents');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent);
    expect(focused).toBeTruthy();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#trace-list [data-trace-link]');
    expect(await page.textContent('#drill-title')).toContain(`agent ${focused}`);
    await page.keyboard.press('Escape');
  });

  it('switches to the dark theme and changes the time range', async () => {
    await page.keyboard.press('t');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.waitForFunction(() => document.body.dataset.loading === 'false');
    await page.screenshot({ path: join(ART, 'dashboard-dark.png'), fullPage: true });
    const before = Number(await page.getAttribute('[data-kpi="spans"]', 'data-v'));
    const loads = Number(await page.getAttribute('body', 'data-loads'));
    await page.selectOption('#range', '1h');
    await page.waitForFunction((n) => Number(document.body.dataset.loads) > n && document.body.dataset.loading === 'false', loads);
    const s = await api('/api/summary');
    expect(s.window.toMs - s.window.fromMs).toBe(3_600_000);
    expect(Number(await page.getAttribute('[data-kpi="spans"]', 'data-v'))).toBe(s.totals.spans);
    expect(s.totals.spans).toBeLessThan(before);
  });

  it('updates the live agent panel over SSE when spans arrive through /v1/traces', async () => {
    await page.waitForFunction(() => document.getElementById('live')!.dataset.partials !== undefined, null, { timeout: 10_000 });
    const agent = (await cells('#p-agents td[data-col="agent"]'))[0]!;
    const errorsBefore = Number(await page.getAttribute(`#p-agents tr:has(td[data-v="${agent}"]) td[data-col="recent_errors"]`, 'data-v'));
    const updates = Number(await page.getAttribute('#live', 'data-updates'));
    const res = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJson(agent, 40, 25) });
    expect(res.status).toBe(200);
    await page.waitForFunction(
      ([a, e]) => Number(document.querySelector(`#p-agents tr:has(td[data-v="${a}"]) td[data-col="recent_errors"]`)!.getAttribute('data-v')) >= Number(e) + 25,
      [agent, errorsBefore] as const,
      { timeout: 10_000 },
    );
    expect(Number(await page.getAttribute('#live', 'data-updates'))).toBeGreaterThan(updates);
    await page.screenshot({ path: join(ART, 'dashboard-live-update.png') });
  });
});
