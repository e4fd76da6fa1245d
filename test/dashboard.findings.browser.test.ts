/// <reference lib="dom" />
/**
 * The dashboard's pattern panel in Chromium on a history with planted effects: one row per
 * finding, the rows that restate it folded under it ("restated by N rows"), never listed beside it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLearning } from '../analyzer/learning/index.js';
import { startLocalServer } from '../server/startServer.js';
import { openStore } from '../store/DuckDbStore.js';
import { build, CHROMIUM_ARGS, ROOT, tempDir } from './dashboardHelpers.js';
import { plantedWorld, simulate } from './fixtures/simulator.js';

let running: Awaited<ReturnType<typeof startLocalServer>>;
let ctx: BrowserContext;
let page: Page;
let base: string;

beforeAll(async () => {
  build();
  const db = join(tempDir('ap-dash-findings-'), 'planted.duckdb');
  const store = await openStore(db);
  await store.writeBatch(simulate(plantedWorld(), { seed: 41, count: 3000 }).spans);
  await runLearning(store, { untilNs: 2n ** 62n });
  await store.close();
  running = await startLocalServer(db, { host: '127.0.0.1', port: 0 });
  base = running.collector.url;
  ctx = await chromium.launchPersistentContext(tempDir('ap-chromium-'), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 1000 } });
  page = await ctx.newPage();
  await page.goto(`${base}/?range=7d`);
  await page.waitForFunction(() => document.body.dataset.loads === '1' && document.body.dataset.loading === 'false', null, { timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  await running?.stop();
});

describe('pattern panel', () => {
  it('shows one row per finding with its restating rows folded under it', async () => {
    const api = (await (await fetch(`${base}/api/patterns`)).json()) as { patterns: { signature: string; finding: boolean; aliases: string[]; task_type: string }[] };
    const findings = api.patterns.filter((p) => p.finding);
    const pair = findings.find((p) => p.signature === 'pair:planner+tester')!;
    expect(pair.task_type).toBe('bugfix, feature, research');
    expect(pair.aliases.length).toBeGreaterThan(5);
    expect(pair.aliases).toContain('bugfix/team:coder+planner+summarizer+tester (within)');
    // An alias is never also a row of its own.
    const listed = new Set(api.patterns.filter((p) => !p.finding).map((p) => `${p.task_type}/${p.signature}`));
    const folded = findings.flatMap((f) => f.aliases.map((a) => a.slice(0, a.lastIndexOf(' ('))));
    expect(folded.filter((a) => listed.has(a))).toEqual([]);
    expect(api.patterns.filter((p) => p.signature === 'team:coder+planner+summarizer+tester')).toEqual([]);

    const first = page.locator('#p-patterns tbody tr').first();
    expect(await first.locator('td[data-col="kind"]').textContent()).toBe('antipattern finding');
    const row = page.locator('#p-patterns tbody tr', { has: page.locator('td[data-v="pair:planner+tester"]') });
    expect(await row.locator('summary').textContent()).toBe(`restated by ${pair.aliases.length} rows`);
    expect(await row.locator('details li').first().isVisible()).toBe(false);
    await row.locator('summary').click();
    expect(await row.locator('details li').count()).toBe(pair.aliases.length);
    expect(await row.locator('details li').first().isVisible()).toBe(true);
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.locator('#p-patterns').screenshot({ path: join(ROOT, 'test-artifacts', 'patterns-findings.png') });
  });
});
