/// <reference lib="dom" />
/**
 * Cross-site request forgery in a real Chromium: a page served from another loopback origin
 * (127.0.0.2) fires the `no-cors` POSTs a malicious site could, at a collector on 127.0.0.1.
 * Nothing may happen: no file, no webhook call, no feedback row. The collector's own page can
 * still write with a same-origin JSON request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../server/startServer.js';
import { CHROMIUM_ARGS, tempDir } from './dashboardHelpers.js';
import { analyzeBody, oldSpan, raw, recorder } from './httpsecHelpers.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
let running: Awaited<ReturnType<typeof startLocalServer>>;
let hook: Awaited<ReturnType<typeof recorder>>;
let evil: Server;
let evilUrl: string;
let ctx: BrowserContext;
let dir: string;

beforeAll(async () => {
  dir = tempDir('ap-csrf-');
  hook = await recorder();
  running = await startLocalServer(join(dir, 'c.duckdb'), { host: '127.0.0.1', port: 0 });
  const ingest = await raw(running.collector.port, '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: oldSpan('victim', 2 * 3600_000) });
  expect(ingest.status, ingest.body).toBe(200);
  expect(await running.collector.flush(10_000)).toBe(true);
  evil = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
  await new Promise<void>((r) => evil.listen(0, '127.0.0.2', r));
  evilUrl = `http://127.0.0.2:${(evil.address() as AddressInfo).port}/`;
  ctx = await chromium.launchPersistentContext(tempDir('ap-chromium-'), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  await new Promise<void>((r) => (evil ? evil.close(() => r()) : r()));
  await hook?.close();
  await running?.stop();
});

const feedbackRows = async (): Promise<number> => {
  const r = await raw(running.collector.port, '/api/sql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: `select count(*) AS n from feedback where trace_id = '${TRACE}'` }) });
  const b = JSON.parse(r.body);
  return Number(Array.isArray(b.rows[0]) ? b.rows[0][0] : b.rows[0].n);
};

describe('collector against cross-site requests in Chromium', () => {
  it('a page on another origin cannot analyze into its own sinks or store feedback', async () => {
    const file = join(dir, 'stolen.ndjson');
    const page = await ctx.newPage();
    await page.goto(evilUrl);
    const target = running.collector.url;
    const outcomes = await page.evaluate(
      async ({ target, analyze, feedback }) => {
        const shots: Promise<string>[] = [];
        for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
          shots.push(fetch(`${target}/api/analyze`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': type }, body: analyze }).then((r) => r.type, (e) => String(e)));
          shots.push(fetch(`${target}/api/feedback`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': type }, body: feedback }).then((r) => r.type, (e) => String(e)));
        }
        // A JSON content type needs a CORS preflight, which the collector never grants.
        shots.push(fetch(`${target}/api/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: feedback }).then((r) => r.type, (e) => String(e)));
        return Promise.all(shots);
      },
      { target, analyze: analyzeBody([`ndjson:${file}`, `webhook:${hook.url}`]), feedback: JSON.stringify({ trace_id: TRACE, label: 'failure' }) },
    );
    // The no-cors requests were sent (opaque answers); the preflighted one failed.
    expect(outcomes.slice(0, 6)).toEqual(Array(6).fill('opaque'));
    expect(outcomes[6]).toMatch(/TypeError/);
    await running.collector.flush(5_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(file)).toBe(false);
    expect(hook.hits).toEqual([]);
    expect(await feedbackRows()).toBe(0);
    await page.close();
  }, 60_000);

  it('the collector\'s own page still writes with a same-origin JSON request', async () => {
    const before = await feedbackRows();
    const page = await ctx.newPage();
    await page.goto(`${running.collector.url}/`);
    const status = await page.evaluate(async (trace) => {
      const r = await fetch('/api/feedback', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ trace_id: trace, label: 'good' }) });
      return r.status;
    }, TRACE);
    expect(status).toBe(200);
    expect(await feedbackRows()).toBe(before + 1);
    await page.close();
  }, 60_000);
});
