/**
 * `agentpulse dashboard`'s server against a real collector on loopback: the token rule beyond
 * loopback, the proxy's read-only, same-host forwarding, Host checks and nosniff.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../server/startServer.js';
import { startDashboardServer } from '../dashboard/server.js';
import { tempDir } from './dashboardHelpers.js';
import { raw, recorder } from './httpsecHelpers.js';

const TOKEN = 'collector-token-0123456789';
let collector: Awaited<ReturnType<typeof startLocalServer>>;
let other: Awaited<ReturnType<typeof recorder>>;
let dash: Awaited<ReturnType<typeof startDashboardServer>>;

beforeAll(async () => {
  collector = await startLocalServer(join(tempDir('ap-dash-sec-'), 'c.duckdb'), { host: '127.0.0.1', port: 0, token: TOKEN });
  // The "other host" a forged request target points at: a second loopback address.
  other = await recorder('127.0.0.2');
  dash = await startDashboardServer({ host: '127.0.0.1', port: 0, proxyUrl: collector.collector.url, proxyToken: TOKEN }, {});
}, 60_000);

afterAll(async () => {
  await dash?.close();
  await other?.close();
  await collector?.stop();
});

describe('startDashboardServer', () => {
  it('refuses a non-loopback bind without a token of at least 16 characters', async () => {
    await expect(startDashboardServer({ host: '0.0.0.0', port: 0 }, {})).rejects.toThrow(/token/);
    await expect(startDashboardServer({ host: '0.0.0.0', port: 0 }, { AGENTPULSE_TOKEN: 'short' })).rejects.toThrow(/16 characters/);
  });

  it('with a token, requires it on every route but the page and its assets', async () => {
    const guarded = await startDashboardServer({ host: '127.0.0.1', port: 0, proxyUrl: collector.collector.url, proxyToken: TOKEN, token: 'dashboard-token-0123456789' }, {});
    try {
      expect((await raw(guarded.port, '/')).status).toBe(200);
      expect((await raw(guarded.port, '/assets/app.js')).status).toBe(200);
      for (const path of ['/api/summary?range=all', '/api/live', '/api/health']) {
        expect((await raw(guarded.port, path)).status, path).toBe(401);
        expect((await raw(guarded.port, path, { headers: { authorization: `Bearer ${TOKEN}` } })).status, path).toBe(401);
      }
      const ok = await raw(guarded.port, '/api/summary?range=all', { headers: { authorization: 'Bearer dashboard-token-0123456789' } });
      expect(ok.status, ok.body).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('proxies reads to the collector with its token', async () => {
    const r = await raw(dash.port, '/api/summary?range=all');
    expect(r.status, r.body).toBe(200);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never forwards writes: the proxy is read-only', async () => {
    const before = collector.collector.metrics.render();
    for (const path of ['/api/feedback', '/api/analyze', '/api/sql']) {
      const r = await raw(dash.port, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ trace_id: 'ab', label: 'failure', sql: 'select 1' }) });
      expect(r.status, path).toBe(405);
    }
    // The collector counted no API request from those POSTs.
    const apiPosts = (m: string): string => m.split('\n').filter((l) => l.includes('route="api"')).join('\n');
    expect(apiPosts(before)).toContain('route="api"');
    expect(apiPosts(collector.collector.metrics.render())).toBe(apiPosts(before));
  });

  it('resolves every proxied path against the collector only (no //host or absolute-form targets)', async () => {
    const hostPort = `127.0.0.2:${other.port}`;
    const statuses: number[] = [];
    for (const target of [`//${hostPort}/api/x`, `http://${hostPort}/api/x`, `/\\${hostPort}/api/x`, `//${hostPort}/api/summary?range=all`]) {
      statuses.push((await raw(dash.port, target)).status);
    }
    // The other host saw nothing (before the fix it got each request with the collector's token).
    expect(other.hits.map((h) => h.headers.authorization ?? 'no token')).toEqual([]);
    for (const s of statuses) expect(s).toBe(400);
  });

  it('refuses foreign Host headers (DNS rebinding) with 421', async () => {
    for (const host of ['evil.example', `evil.example:${dash.port}`, `127.0.0.1:${dash.port + 1}`]) {
      for (const path of ['/', '/api/summary?range=all']) expect((await raw(dash.port, path, { headers: { host } })).status, `${host} ${path}`).toBe(421);
    }
    expect((await raw(dash.port, '/api/summary?range=all', { headers: { host: `localhost:${dash.port}` } })).status).toBe(200);
  });
});
