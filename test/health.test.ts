import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../server/startServer.js';
import { fillSynthetic } from './fixtures/synthetic.js';
import { openStore } from '../store/index.js';
import { build, cli, cliAsync, tempDir } from './dashboardHelpers.js';

let fresh: string;
let stale: string;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  build();
  const dir = tempDir('ap-health-');
  fresh = join(dir, 'fresh.duckdb');
  stale = join(dir, 'stale.duckdb');
  for (const [path, endMs] of [[fresh, Date.now()], [stale, Date.now() - 2 * 3_600_000]] as const) {
    const store = await openStore(path);
    await fillSynthetic(store, { spans: 4_000, days: 0.05, endMs });
    await store.close();
  }
}, 120_000);

afterAll(() => undefined);

describe('agentpulse health', () => {
  it('passes on a store with fresh spans', () => {
    const r = cli(['--db', fresh, '--json', 'health']);
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.checks.map((c: any) => c.name)).toEqual(expect.arrayContaining(['store', 'ingest_lag', 'disk', 'alert_sinks']));
    expect(rep.checks.find((c: any) => c.name === 'ingest_lag').status).toBe('ok');
  });

  it('exits 2 when ingest lags beyond --max-lag, 0 when the threshold allows it', () => {
    const r = cli(['--db', stale, 'health', '--max-lag', '15m']);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/FAIL\s+ingest_lag/);
    expect(r.stderr).toContain('health check failed: ingest_lag');
    expect(cli(['--db', stale, 'health', '--max-lag', '3h']).status).toBe(0);
  });

  it('passes right after `demo`: old demo data is "no recent data", not a lag, unless --max-lag asks for fresh data', () => {
    const db = join(tempDir('ap-health-demo-'), 'demo.duckdb');
    // Seed 1 with 5 tasks: the newest simulated span ends hours before now, as in a new user's first demo.
    const demo = cli(['--db', db, 'demo', '--tasks', '5', '--seed', '1'], { timeout: 120_000 });
    expect(demo.status, demo.stderr).toBe(0);
    const r = cli(['--db', db, '--json', 'health']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const lag = JSON.parse(r.stdout).checks.find((c: any) => c.name === 'ingest_lag');
    expect(lag.value).toBeGreaterThan(15 * 60);
    expect(lag.status).toBe('ok');
    expect(lag.detail).toMatch(/^no recent data: newest span ended .* ago; nothing is writing to this store now/);
    const strict = cli(['--db', db, 'health', '--max-lag', '15m']);
    expect(strict.status).toBe(2);
    expect(strict.stdout).toMatch(/FAIL\s+ingest_lag/);
  }, 180_000);

  it('judges ingest lag by default when a collector is live', async () => {
    const c = await startLocalServer(stale, { port: 0 });
    try {
      const r = await cliAsync(['--url', c.collector.url, 'health']);
      expect(r.status, r.stdout + r.stderr).toBe(2);
      expect(r.stdout).toMatch(/FAIL\s+ingest_lag\s+newest span ended/);
    } finally {
      await c.stop();
    }
  });

  it('exits 2 when the collector is down', async () => {
    const port = await freePort();
    const r = cli(['--db', fresh, '--url', `http://127.0.0.1:${port}`, 'health']);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/FAIL\s+collector\s+.*unreachable/);
  });

  it('checks store and lag through a running collector, and rejects a bad alert sink', async () => {
    const c = await startLocalServer(fresh, { port: 0 });
    try {
      const ok = await cliAsync(['--url', c.collector.url, '--json', 'health']);
      expect(ok.status, ok.stdout + ok.stderr).toBe(0);
      const names = JSON.parse(ok.stdout).checks.map((x: any) => x.name);
      expect(names).toEqual(expect.arrayContaining(['collector', 'store', 'ingest_lag']));
      const bad = await cliAsync(['--url', c.collector.url, 'health', '--sink', 'webhook:not-a-url']);
      expect(bad.status).toBe(2);
      expect(bad.stdout).toMatch(/FAIL\s+alert_sink/);
      // The collector holds the file and advertises itself beside it: commands on the file go through it.
      const held = await cliAsync(['--db', fresh, '--json', 'health'], { timeout: 15_000 });
      expect(held.status, held.stdout + held.stderr).toBe(0);
      expect(held.stderr).toContain('is held by `agentpulse collect`');
      expect(JSON.parse(held.stdout).checks.map((x: any) => x.name)).toEqual(expect.arrayContaining(['collector', 'store', 'ingest_lag']));
    } finally {
      await c.stop();
    }
  });
});
