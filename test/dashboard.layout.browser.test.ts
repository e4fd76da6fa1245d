/// <reference lib="dom" />
/**
 * The dashboard as a user sees it at 1400 and 800 px: status that means "now", readable alert
 * values, scopes and forecast times, a folded pattern list, charts that show a lone bucket, an
 * agent table that fits, a loading indicator and correct plurals. Real Chromium, real store,
 * real HTTP server; the store is filled with a fixture shaped like the cases the issue saw.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertFingerprint } from '../analyzer/alerts/fingerprint.js';
import { startCollector, type RunningCollector } from '../collector/startCollector.js';
import { createDashboard, type Dashboard } from '../dashboard/routes.js';
import { openStore, type DuckDbStore } from '../store/index.js';
import { fmtIso, fmtMs, fmtPct } from './dashboardFormat.js';
import { CHROMIUM_ARGS, tempDir } from './dashboardHelpers.js';
import { makeSpan } from './spanFactory.js';

/** Screenshots land here (printed once), outside the checkout. */
const ART = join(tmpdir(), 'agentpulse-test-artifacts', 'dashboard-layout');
const MIN = 60_000;
const NOW = Math.floor(Date.now() / MIN) * MIN + 30_000;
/** Namespaced agent names get this long; the agent table must still fit at 1400 px and 800 px. */
const LONG = 'org.example.pipelines.research-summarizer-with-web-search-and-citation-verification-v2';
const LONG_SCOPE = { agent: LONG, operation: 'invoke_agent', model: 'claude-sonnet-4-5-20250929-extended-context' };
const CODER_SCOPE = { agent: 'coder', operation: null, model: null };
const ETA = '2026-12-03T04:00:00.000Z';

let store: DuckDbStore;
let dash: Dashboard;
let collector: RunningCollector;
let ctx: BrowserContext;
/** The dashboard's clock: moved forward to show a store whose newest data is 40 minutes old. */
let clock = NOW;

const ns = (ms: number): bigint => BigInt(Math.round(ms)) * 1_000_000n;
const agentSpan = (agent: string, startMs: number, durMs: number, error = false, traceId?: string) =>
  makeSpan({
    ...(traceId ? { traceId } : {}),
    name: `invoke_agent ${agent}`,
    startNs: ns(startMs),
    endNs: ns(startMs + durMs),
    statusCode: error ? 'ERROR' : 'OK',
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agent, ...(error ? { 'error.type': 'timeout' } : {}) },
  });

async function fill(): Promise<void> {
  const spans = [];
  // coder: one span every 15 s over the last hour up to a minute ago, every 8th failing (12.5 %: degraded).
  for (let t = NOW - 60 * MIN, i = 0; t < NOW - MIN; t += 15_000, i++) spans.push(agentSpan('coder', t, 200 + (i % 12) * 250, i % 8 === 0));
  // A long-named agent with an open breaker (failing whatever its spans say).
  for (let t = NOW - 50 * MIN; t < NOW - 2 * MIN; t += 60_000) spans.push(agentSpan(LONG, t, 900));
  // solo: one trace, all of it inside one minute: a single bucket in every chart.
  const soloTrace = 'ab'.repeat(16);
  for (let i = 0; i < 5; i++) spans.push(agentSpan('solo', NOW - 3 * MIN + i * 1000, 1000 * (i + 1), false, soloTrace));
  await store.writeBatch(spans);
  await store.query(`INSERT INTO kv (namespace, key, value) VALUES ('breaker', $k, '{"state":"open"}')`, { k: `breaker:${LONG}` });
  const alert = (rule: string, metric: string, scope: Record<string, string | null>, state: string, severity: string, value: number, threshold: number) =>
    store.query(`INSERT INTO alert_state (fingerprint, rule, severity, state, scope, value, threshold, since, updated_at) VALUES ($f, $r, $sev, $st, $sc, $v, $th, now(), now())`, {
      f: alertFingerprint(rule, metric, scope), r: rule, sev: severity, st: state, sc: JSON.stringify(scope), v: value, th: threshold,
    });
  await alert('regression', 'latency_p95_ms', CODER_SCOPE, 'firing', 'warning', 26_530, 12_000);
  await alert('error_rate_high', 'error_rate', LONG_SCOPE, 'firing', 'critical', 0.1234, 0.05);
  await alert('forecast_p95', 'p95_ms', CODER_SCOPE, 'pending', 'warning', 31_234.5678, 30_000);
  const forecasts = [
    { metric: 'p95_ms', scope: CODER_SCOPE, horizon: '24h', predicted: 31_234.567, threshold: 30_000, eta: ETA, lower: null, upper: null, method: 'holt' },
    { metric: 'error_rate', scope: LONG_SCOPE, horizon: '24h', predicted: 0.2712, threshold: 0.25, eta: ETA, lower: null, upper: null, method: 'holt' },
  ];
  await store.query(`INSERT INTO analyzer_runs (id, finished_at, status, report) VALUES ('r1', now(), 'ok', $r)`, { r: JSON.stringify({ forecasts }) });
  // 170 tested patterns, as a busy fleet's learning system produces.
  for (let i = 0; i < 170; i++) {
    await store.query(
      `INSERT INTO patterns (id, kind, task_type, signature, support, successes, success_rate, lift, confidence, status) VALUES ($id, $k, 'code', $sig, 40, 30, 0.75, 1.2, $c, 'candidate')`,
      { id: `p${i}`, k: i % 3 === 0 ? 'antipattern' : 'pattern', sig: `tools:search>edit>test#${i}`, c: 1 - i / 1000 },
    );
  }
}

beforeAll(async () => {
  mkdirSync(ART, { recursive: true });
  console.log(`dashboard layout screenshots: ${ART}`);
  store = await openStore(join(tempDir('ap-layout-'), 'layout.duckdb'));
  await fill();
  dash = createDashboard(store, { now: () => clock, extentTtlMs: 0 });
  collector = await startCollector({ store, routes: dash.routes, port: 0 });
  ctx = await chromium.launchPersistentContext(tempDir('ap-chromium-'), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await ctx?.close();
  dash?.close();
  await collector?.close();
  await store?.close();
});

const pages: Page[] = [];
afterEach(async () => {
  clock = NOW;
  for (const p of pages.splice(0)) await p.close();
});

async function open(width: number, range = '24h'): Promise<Page> {
  const page = await ctx.newPage();
  pages.push(page);
  await page.setViewportSize({ width, height: 900 });
  await page.goto(`${collector.url}/?range=${range}`);
  await page.waitForFunction(() => document.body.dataset.loads === '1' && document.body.dataset.loading === 'false', null, { timeout: 30_000 });
  return page;
}

async function reloadWith(page: Page, act: () => Promise<unknown>): Promise<void> {
  const loads = Number(await page.getAttribute('body', 'data-loads'));
  await act();
  await page.waitForFunction((n) => Number(document.body.dataset.loads) > n && document.body.dataset.loading === 'false', loads, { timeout: 30_000 });
}

const statuses = (page: Page): Promise<Record<string, string>> =>
  page.$$eval('#p-agents tbody tr', (rows) => Object.fromEntries(rows.map((r) => [r.querySelector<HTMLElement>('[data-col="agent"]')!.dataset.v!, r.querySelector<HTMLElement>('[data-col="status"]')!.textContent!])));

/** How far an element's content sticks out of its box (0 when it fits). */
const overflow = (page: Page, sel: string): Promise<number> => page.$eval(sel, (e) => e.scrollWidth - e.clientWidth);

describe.each([1400, 800])('dashboard at %i px', (width) => {
  it('shows the same status badge whatever the range: the status of now', async () => {
    // Data up to a minute ago: coder 12.5 % errors → degraded; the long-named agent's breaker is open.
    clock = NOW;
    const page = await open(width, '15m');
    const live = { coder: 'degraded', [LONG]: 'failing', solo: 'healthy' };
    expect(await statuses(page)).toEqual(live);
    for (const range of ['1h', '24h']) {
      await reloadWith(page, () => page.selectOption('#range', range));
      expect(await statuses(page)).toEqual(live);
    }
    // 40 minutes later, nothing new arrived: now everyone is idle (the breaker is still open),
    // even where the 15 min view falls back to the newest stored data.
    clock = NOW + 40 * MIN;
    const later = { coder: 'idle', [LONG]: 'failing', solo: 'idle' };
    for (const range of ['24h', '15m']) {
      await reloadWith(page, () => page.selectOption('#range', range));
      expect(await statuses(page)).toEqual(later);
    }
    expect(await page.textContent('#window')).toContain('(newest data)');
  }, 120_000);

  it('formats alert values in their unit, never in scientific notation', async () => {
    const page = await open(width);
    const text = (await page.textContent('#p-alerts'))!;
    expect(text).not.toMatch(/\de[+-]?\d/i);
    const row = (rule: string) => page.locator('#p-alerts table').first().locator(`tr:has(td[data-col="rule"][data-v="${rule}"])`);
    expect(await row('regression').locator('td[data-col="value"]').textContent()).toBe('26.5 s');
    expect(await row('regression').locator('td[data-col="threshold"]').textContent()).toBe(fmtMs(12_000));
    expect(await row('error_rate_high').locator('td[data-col="value"]').textContent()).toBe(fmtPct(0.1234));
    expect(await row('forecast_p95').locator('td[data-col="value"]').textContent()).toBe(fmtMs(31_234.5678));
    const predicted = await page.$$eval('#p-alerts table:nth-of-type(2) td[data-col="predicted"]', (tds) => tds.map((t) => t.textContent));
    expect(predicted).toEqual([fmtMs(31_234.567), fmtPct(0.2712)]);
    await page.locator('#p-alerts').screenshot({ path: join(ART, `alerts-${width}.png`) });
  });

  it('renders only the parts of a scope that are set, wrapped inside the panel with the full scope as tooltip', async () => {
    const page = await open(width);
    const scopes = await page.$$eval('#p-alerts td[data-col="scope"]', (tds) => tds.map((t) => ({ text: t.textContent!, title: t.getAttribute('title') })));
    expect(scopes.length).toBe(5);
    for (const s of scopes) expect(s.text).not.toMatch(/^\s*·|·\s*·|·\s*$/);
    expect(scopes).toContainEqual({ text: 'coder', title: 'agent: coder' });
    expect(scopes).toContainEqual({ text: `${LONG} · invoke_agent · ${LONG_SCOPE.model}`, title: `agent: ${LONG}, operation: invoke_agent, model: ${LONG_SCOPE.model}` });
    // Nothing is cut off: the panel does not scroll sideways and every scope cell ends inside it.
    expect(await overflow(page, '#p-alerts')).toBeLessThanOrEqual(0);
    const panelRight = await page.$eval('#p-alerts', (e) => e.getBoundingClientRect().right);
    for (const r of await page.$$eval('#p-alerts td[data-col="scope"]', (tds) => tds.map((t) => t.getBoundingClientRect().right))) expect(r).toBeLessThanOrEqual(panelRight);
  });

  it('shows forecast times in UTC like every other time on the page', async () => {
    const page = await open(width);
    const etas = await page.$$eval('#p-alerts td[data-col="eta"]', (tds) => tds.map((t) => t.textContent));
    expect(etas).toEqual(['2026-12-03 04:00 UTC', '2026-12-03 04:00 UTC']);
    expect(etas[0]).toBe(fmtIso(ETA));
  });

  it('folds the pattern list to the top 10 and shows more on request', async () => {
    const page = await open(width);
    expect(await page.$$eval('#p-patterns tbody tr', (r) => r.length)).toBe(10);
    expect(await page.textContent('#p-patterns button.more')).toBe('Show 20 more (160 hidden)');
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeLessThan(width >= 1100 ? 2600 : 4200);
    await page.screenshot({ path: join(ART, `full-${width}.png`), fullPage: true });
    await page.click('#p-patterns button.more');
    const rows = await page.$$eval('#p-patterns td[data-col="signature"]', (tds) => tds.map((t) => (t as HTMLElement).dataset.v));
    const all = (await (await fetch(`${collector.url}/api/patterns`)).json()) as { patterns: { signature: string }[] };
    expect(rows).toEqual(all.patterns.slice(0, 30).map((p) => p.signature));
    // Keyboard users continue at the first row revealed.
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.querySelector<HTMLElement>('[data-col="signature"]')?.dataset.v)).toBe(rows[10]);
    // A resize redraws the charts to the new width without re-rendering (and folding) the list.
    const chartWidth = () => page.$eval('#c-latency canvas', (c) => (c as HTMLCanvasElement).getBoundingClientRect().width);
    const w0 = await chartWidth();
    await page.setViewportSize({ width: width - 120, height: 900 });
    await page.waitForFunction((w) => document.querySelector('#c-latency canvas')!.getBoundingClientRect().width !== w, w0);
    expect(await page.$$eval('#p-patterns tbody tr', (r) => r.length)).toBe(30);
    const fit = await page.$eval('#c-latency', (e) => e.clientWidth);
    expect(Math.abs((await chartWidth()) - fit)).toBeLessThanOrEqual(2);
  });

  /** Canvas pixels in a series colour (p50: p95 and p99 coincide in this fixture and hide each other). */
  const seriesPixels = (page: Page, id: string, colorVar = '--s1'): Promise<number> =>
    page.evaluate(([sel, v]) => {
      const hex = getComputedStyle(document.documentElement).getPropertyValue(v!).trim();
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const c = document.querySelector<HTMLCanvasElement>(`#${sel} canvas`)!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - r!) + Math.abs(d[i + 1]! - g!) + Math.abs(d[i + 2]! - b!) < 60 && d[i + 3]! > 200) n++;
      return n;
    }, [id, colorVar]);

  it('draws a series whose data all falls into one bucket of many', async () => {
    // 24 h in 15 min buckets: solo's single bucket sits between gaps, which a line cannot draw.
    const page = await open(width, '24h');
    await reloadWith(page, () => page.selectOption('#agent-filter', 'solo'));
    expect(await page.$eval('#c-latency', (e) => Number((e as HTMLElement).dataset.points))).toBeGreaterThan(90);
    await page.locator('#p-trends').screenshot({ path: join(ART, `one-bucket-${width}.png`) });
    expect(await seriesPixels(page, 'c-latency')).toBeGreaterThan(10);
  });

  it('fits the agent table, breaker column included, into the panel', async () => {
    const page = await open(width);
    expect(await overflow(page, '#p-agents')).toBeLessThanOrEqual(0);
    const [th, panel] = await Promise.all([
      page.$eval('#p-agents thead th:last-child', (e) => ({ text: e.textContent, right: e.getBoundingClientRect().right })),
      page.$eval('#p-agents', (e) => e.getBoundingClientRect().right),
    ]);
    expect(th.text).toBe('breaker');
    expect(th.right).toBeLessThanOrEqual(Math.min(panel, width));
    expect(await page.textContent(`#p-agents tr:has(td[data-v="${LONG}"]) td[data-col="breaker"]`)).toBe('open');
  });

  it('shows a loading indicator on panels still loading', async () => {
    const page = await open(width);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/patterns', async (route) => {
      await held;
      await route.continue();
    });
    const loads = Number(await page.getAttribute('body', 'data-loads'));
    await page.click('#refresh');
    await page.waitForSelector('#p-patterns[aria-busy="true"] h2 .busy', { state: 'visible', timeout: 10_000 });
    expect(await page.isVisible('#busy')).toBe(true);
    // Panels that answered are no longer marked.
    await page.waitForSelector('#p-agents[aria-busy="false"]');
    expect(await page.isVisible('#p-agents h2 .busy')).toBe(false);
    await page.screenshot({ path: join(ART, `loading-${width}.png`) });
    release();
    await page.waitForFunction((n) => Number(document.body.dataset.loads) > n && document.body.dataset.loading === 'false', loads);
    expect(await page.isVisible('#p-patterns h2 .busy')).toBe(false);
    expect(await page.isVisible('#busy')).toBe(false);
  });

  it('says "1 newest trace" for a single trace', async () => {
    const page = await open(width);
    await page.click(`#p-agents tr:has(td[data-v="solo"]) button`);
    await page.waitForSelector('#trace-list [data-trace-link]');
    expect(await page.textContent('#drill-body p')).toMatch(/^1 newest trace with spans matching agent solo\./);
    await page.click('[data-trace-link]');
    await page.waitForSelector('#waterfall .wf-row');
    expect(await page.textContent('#drill-body p')).toMatch(/^5 spans · 0 errors · /);
  });
});
