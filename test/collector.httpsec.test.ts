/**
 * The collector's HTTP hardening against a real `agentpulse collect` stack on loopback: CSRF
 * (content type, Origin / Sec-Fetch-Site, remote-named sinks), DNS rebinding (Host), nosniff.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../server/startServer.js';
import { tempDir } from './dashboardHelpers.js';
import { analyzeBody, oldSpan, raw, recorder } from './httpsecHelpers.js';

let running: Awaited<ReturnType<typeof startLocalServer>>;
let hook: Awaited<ReturnType<typeof recorder>>;
let port: number;
let dir: string;
const TRACE = '0af7651916cd43dd8448eb211c80319c';

beforeAll(async () => {
  dir = tempDir('ap-httpsec-');
  hook = await recorder();
  mkdirSync(join(dir, 'allowed'));
  running = await startLocalServer(join(dir, 'c.duckdb'), {
    host: '127.0.0.1',
    port: 0,
    dashboard: true,
    allowedSinks: [`ndjson:${join(dir, 'allowed')}/`, `webhook:${hook.url}allowed`],
    allowedHosts: ['agentpulse.example.test'],
  });
  port = running.collector.port;
  const r = await raw(port, '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: oldSpan('httpsec', 2 * 3600_000) });
  expect(r.status, r.body).toBe(200);
  expect(await running.collector.flush(10_000)).toBe(true);
}, 60_000);

afterAll(async () => {
  await running?.stop();
  await hook?.close();
});

const json = { 'content-type': 'application/json' };
const feedbackRows = async (): Promise<number> => {
  const r = await raw(port, '/api/sql', { method: 'POST', headers: json, body: JSON.stringify({ sql: `select count(*) AS n from feedback where trace_id = '${TRACE}'` }) });
  expect(r.status, r.body).toBe(200);
  const b = JSON.parse(r.body);
  return Number(Array.isArray(b.rows[0]) ? b.rows[0][0] : b.rows[0].n);
};

describe('collector CSRF guards', () => {
  it('refuses state-changing requests that are not application/json (415), and stores nothing', async () => {
    const file = join(dir, 'textplain.ndjson');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const a = await raw(port, '/api/analyze', { method: 'POST', headers: { 'content-type': type }, body: analyzeBody([`ndjson:${file}`]) });
      expect(a.status, a.body).toBe(415);
      const f = await raw(port, '/api/feedback', { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify({ trace_id: TRACE, label: 'failure' }) });
      expect(f.status, f.body).toBe(415);
    }
    const none = await raw(port, '/api/feedback', { method: 'POST', body: JSON.stringify({ trace_id: TRACE, label: 'failure' }) });
    expect(none.status).toBe(415);
    const otlp = await raw(port, '/v1/traces', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: oldSpan('x', 1000) });
    expect(otlp.status).toBe(415);
    expect(existsSync(file)).toBe(false);
    expect(await feedbackRows()).toBe(0);
  });

  it('refuses a foreign Origin or a cross-site Sec-Fetch-Site (403); same-origin and absent pass', async () => {
    const body = JSON.stringify({ trace_id: TRACE, label: 'failure' });
    const foreign: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: `http://127.0.0.1:${port + 1}` },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'cross-site' },
    ];
    for (const h of foreign) {
      const r = await raw(port, '/api/feedback', { method: 'POST', headers: { ...json, ...h }, body });
      expect(r.status, JSON.stringify(h)).toBe(403);
    }
    expect(await feedbackRows()).toBe(0);
    const same = await raw(port, '/api/feedback', { method: 'POST', headers: { ...json, origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' }, body });
    expect(same.status, same.body).toBe(200);
    const cli = await raw(port, '/api/feedback', { method: 'POST', headers: json, body });
    expect(cli.status, cli.body).toBe(200);
    expect(await feedbackRows()).toBe(2);
  });

  it('delivers only to sinks the operator allow-listed', async () => {
    const outside = join(dir, 'outside.ndjson');
    for (const sinks of [[`ndjson:${outside}`], [`ndjson:${join(dir, 'allowed', '..', 'escape.ndjson')}`], [`webhook:http://127.0.0.1:${hook.port + 1}/x`], ['webhook:http://evil.example/']]) {
      const r = await raw(port, '/api/analyze', { method: 'POST', headers: json, body: analyzeBody(sinks) });
      expect(r.status, r.body).toBe(403);
      expect(JSON.parse(r.body).error).toMatch(/allow-sink|AGENTPULSE_ALLOWED_SINKS/);
    }
    // Sinks inside a rules body are checked the same way.
    const viaRules = JSON.stringify({ since: '24h', persist: false, rules: { rules: [{ name: 'quiet', kind: 'absence', for: '1m' }], sinks: [`ndjson:${outside}`] } });
    expect((await raw(port, '/api/analyze', { method: 'POST', headers: json, body: viaRules })).status).toBe(403);
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(join(dir, 'escape.ndjson'))).toBe(false);
    expect(hook.hits).toHaveLength(0);

    const inside = join(dir, 'allowed', 'alerts.ndjson');
    const ok = await raw(port, '/api/analyze', { method: 'POST', headers: json, body: analyzeBody([`ndjson:${inside}`, `webhook:${hook.url}allowed`]) });
    expect(ok.status, ok.body).toBe(200);
    expect(JSON.parse(ok.body).deliveries, ok.body.slice(0, 3000)).toMatchObject([{ ok: true }, { ok: true }]);
    expect(readFileSync(inside, 'utf8')).toContain('quiet');
    expect(hook.hits.map((h) => h.url)).toEqual(['/allowed']);
  }, 60_000);
});

describe('collector Host check (DNS rebinding)', () => {
  it('refuses a Host that is not a loopback name at the bound port or an allowed name (421)', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `localhost:${port + 1}`, `agentpulse.example.test.evil:${port}`]) {
      for (const path of ['/', '/api/summary?range=all', '/metrics']) {
        const r = await raw(port, path, { headers: { host } });
        expect(r.status, `${host} ${path}`).toBe(421);
      }
      const ingest = await raw(port, '/v1/traces', { method: 'POST', headers: { host, ...json }, body: oldSpan('rebound', 1000) });
      expect(ingest.status).toBe(421);
      const sql = await raw(port, '/api/sql', { method: 'POST', headers: { host, ...json }, body: JSON.stringify({ sql: 'select 1' }) });
      expect(sql.status).toBe(421);
    }
    expect((await raw(port, '/healthz', { headers: { host: 'evil.example' } })).status).toBe(200);
  });

  it('serves the loopback names, the bound address and configured names', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, 'agentpulse.example.test', 'agentpulse.example.test:443']) {
      const r = await raw(port, '/api/summary?range=all', { headers: { host } });
      expect(r.status, host).toBe(200);
    }
  });

  it('refuses absolute-form and //host request targets', async () => {
    for (const target of [`http://evil.example:${port}/api/summary`, `//evil.example:${port}/api/summary`]) {
      const r = await raw(port, target);
      expect(r.status, target).toBe(400);
    }
  });

  it('sends X-Content-Type-Options: nosniff on API, page and error responses', async () => {
    for (const path of ['/api/summary?range=all', '/', '/healthz', '/api/nope']) {
      expect((await raw(port, path)).headers['x-content-type-options'], path).toBe('nosniff');
    }
  });
});
