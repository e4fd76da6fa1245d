/// <reference lib="dom" />
/**
 * End to end, real components on loopback: three agent processes (preload, real OTLP exporter)
 * → one collector → DuckDB store → scheduled analyzer runs → alerts to a webhook → the dashboard
 * in Chromium. One process carries an agent whose recent spans regressed; that alert must travel
 * the whole way. Every span the processes ended must be in the store.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../server/startServer.js';
import { ensureBuilt, repoRoot } from './build.js';
import { CHROMIUM_ARGS, cliAsync } from './dashboardHelpers.js';

const PROCESSES = 3;
const REGRESSED = 'e2e-billing';
const REGRESSED_SCOPE = { agent: REGRESSED, operation: 'chat', model: 'gpt-4o-mini' };
const SEED = 9;

interface ChildOut {
  proc: number;
  service: string;
  spans: number;
  regressed: number;
  episodes: number;
}

interface Hook {
  path: string;
  contentType: string | undefined;
  body: any;
}

const dirs: string[] = [];
const tempDir = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** A real loopback webhook receiver that records every POST. */
async function startWebhook(): Promise<{ url: string; hooks: Hook[]; close(): Promise<void> }> {
  const hooks: Hook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = Buffer.concat(chunks).toString('utf8');
      }
      hooks.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    hooks,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One agent process of the fleet, with the agentpulse preload exporting OTLP to `endpoint`. */
function runAgentProcess(i: number, endpoint: string, nowMs: number, spoolDir: string): Promise<{ out: ChildOut | null; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'agentpulse/register', join(repoRoot, 'test', 'fixtures', 'e2e-agent.mjs')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_SERVICE_NAME: `e2e-agent-${i}`,
        AGENTPULSE_SPOOL_DIR: spoolDir,
        PROC: String(i),
        SEED: String(SEED),
        NOW_MS: String(nowMs),
        TASKS: '300',
        LIVE: '12',
        REGRESS: i === PROCESSES - 1 ? REGRESSED : '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      let out: ChildOut | null = null;
      try {
        out = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ChildOut;
      } catch {
        out = null;
      }
      resolve({ out, code, stderr });
    });
  });
}

/** Polls `probe` until it returns a value or the deadline passes (then returns the last value). */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined || Date.now() >= deadline) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const sameScope = (scope: Record<string, unknown> | null | undefined): boolean =>
  !!scope && scope.agent === REGRESSED_SCOPE.agent && scope.operation === REGRESSED_SCOPE.operation && scope.model === REGRESSED_SCOPE.model;

let running: Awaited<ReturnType<typeof startLocalServer>>;
let webhook: Awaited<ReturnType<typeof startWebhook>>;
let ctx: BrowserContext | undefined;

beforeAll(async () => {
  ensureBuilt();
  const dir = tempDir('ap-e2e-');
  webhook = await startWebhook();
  // `analyze --url` names this webhook; the collector's operator allow-lists it.
  running = await startLocalServer(join(dir, 'e2e.duckdb'), { host: '127.0.0.1', port: 0, allowedSinks: [`webhook:${webhook.url}`] });
}, 60_000);

afterAll(async () => {
  await ctx?.close();
  await webhook?.close();
  await running?.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('agentpulse end to end', () => {
  it('agents → collector → store → scheduled analyzer → webhook alerts → dashboard, nothing lost', async () => {
    const base = running.collector.url;
    const spoolDir = tempDir('ap-e2e-spool-');
    // A fixed "now" for every process so the fleet's week lines up; the processes run right after.
    const nowMs = Date.now();

    // 1. Agent processes → collector.
    const children = await Promise.all(Array.from({ length: PROCESSES }, (_, i) => runAgentProcess(i, base, nowMs, spoolDir)));
    for (const c of children) {
      expect(c.code, c.stderr).toBe(0);
      expect(c.out, c.stderr).not.toBeNull();
      expect(c.stderr).not.toMatch(/spooling them to|tracing disabled/);
    }
    const outs = children.map((c) => c.out!);
    expect(outs.find((o) => o.regressed > 0)?.regressed).toBeGreaterThan(900);
    expect(readdirSync(spoolDir).filter((f) => !f.startsWith('.'))).toEqual([]);

    // 2. Zero spans lost: per process, what it ended equals what the store holds.
    const ended = Object.fromEntries(outs.map((o) => [o.service, o.spans]));
    const storedByService = async (): Promise<Record<string, number>> => {
      await running.collector.flush();
      const rows = await running.store.query("SELECT service_name AS s, count(*) AS n FROM spans WHERE service_name LIKE 'e2e-agent-%' GROUP BY 1");
      return Object.fromEntries(rows.map((r) => [String(r.s), Number(r.n)]));
    };
    const stored = await waitFor(async () => {
      const s = await storedByService();
      return Object.entries(ended).every(([k, v]) => s[k] === v) ? s : undefined;
    }, 20_000);
    expect(stored ?? (await storedByService())).toEqual(ended);
    const total = outs.reduce((n, o) => n + o.spans, 0);
    console.log(`e2e: ${PROCESSES} processes ended ${total} spans; stored ${total} (0 lost)`);
    // Recovery episodes from the live agents arrived as their own spans.
    const [{ n: episodes }] = await running.store.query("SELECT count(*) AS n FROM spans WHERE recovery_strategy = 'retry' AND service_name LIKE 'e2e-agent-%' AND scope_name = 'agentpulse.recovery'");
    expect(Number(episodes)).toBe(outs.reduce((n, o) => n + o.episodes, 0));

    // 3. The scheduled analyzer run, as cron would run it: the CLI against the collector.
    const cliRun = await cliAsync(['--url', base, 'analyze', '--since', '24h', '--sink', `webhook:${webhook.url}`, '--incremental', '--json'], { timeout: 60_000 });
    expect(cliRun.status, cliRun.stderr).toBe(0);
    const report = JSON.parse(cliRun.stdout);
    const latency = report.regressions.find((r: any) => r.metric === 'latency_p95_ms' && sameScope(r.scope));
    expect(latency, JSON.stringify(report.regressions)).toBeDefined();
    expect(latency.severity).toBe('critical');
    expect(latency.current).toBeGreaterThan(latency.baseline * 1.5);
    // Dated to where the fixture degraded the agent (DEGRADED_H = 18 h before now), within the 1 h series bucket.
    expect(Math.abs(Date.parse(latency.change_point_at) - (nowMs - 18 * 3_600_000))).toBeLessThanOrEqual(2 * 3_600_000);
    expect(report.regressions.find((r: any) => r.metric === 'error_rate' && sameScope(r.scope))).toBeDefined();
    // One regression alert per metric (latency, error rate) on the regressed scope, firing at once (`for: 0m`).
    const reportAlerts = report.alerts.filter((a: any) => sameScope(a.scope) && a.rule === 'regression');
    expect(reportAlerts.length).toBe(2);
    expect(reportAlerts.every((a: any) => a.state === 'firing' && a.severity === 'critical')).toBe(true);

    // 4. Alerts delivered to the webhook: shape and the regressed scope.
    const first = await waitFor(async () => (webhook.hooks.length >= 1 ? webhook.hooks[0] : undefined), 10_000);
    expect(first).toBeDefined();
    expect(first!.path).toBe('/hook');
    expect(first!.contentType).toMatch(/application\/json/);
    expect(first!.body).toMatchObject({ version: 1, source: 'agentpulse', generated_at: report.generated_at, window: report.window });
    for (const a of first!.body.alerts) {
      expect(Object.keys(a).sort()).toEqual(['fingerprint', 'rule', 'scope', 'severity', 'since', 'state', 'summary', 'threshold', 'value']);
      expect(typeof a.summary).toBe('string');
    }
    const hooked = first!.body.alerts.filter((a: any) => sameScope(a.scope) && a.rule === 'regression');
    expect(hooked.map((a: any) => a.fingerprint).sort()).toEqual(reportAlerts.map((a: any) => a.fingerprint).sort());
    const hookedLatency = hooked.find((a: any) => a.summary.startsWith('latency_p95_ms regressed'));
    expect(hookedLatency).toMatchObject({ rule: 'regression', severity: 'critical', state: 'firing', threshold: latency.baseline, value: latency.current });
    expect(hookedLatency.summary).toContain(REGRESSED);

    // 5. The collector owns the store, so it ran that analysis itself (POST /api/analyze) and persisted
    // alert state and the run: the dashboard's API now shows exactly these alerts, firing.
    const api = (await (await fetch(`${base}/api/alerts`)).json()) as any;
    const apiRegressed = api.alerts.filter((a: any) => sameScope(a.scope) && a.rule === 'regression');
    expect(apiRegressed.map((a: any) => a.fingerprint).sort()).toEqual(reportAlerts.map((a: any) => a.fingerprint).sort());
    expect(apiRegressed.every((a: any) => a.state === 'firing')).toBe(true);
    expect(api.report).not.toBeNull();
    const [{ runs }] = await running.store.query("SELECT count(*) AS runs FROM analyzer_runs");
    expect(Number(runs)).toBeGreaterThanOrEqual(1);

    // A second scheduled run right after: the alerts are already firing and notified, so the webhook
    // is not called again for them (nothing is re-sent), and their state does not flap.
    const hooksBefore = webhook.hooks.length;
    const again = await cliAsync(['--url', base, 'analyze', '--since', '24h', '--sink', `webhook:${webhook.url}`, '--json'], { timeout: 60_000 });
    expect(again.status, again.stderr).toBe(0);
    const againAlerts = JSON.parse(again.stdout).alerts.filter((a: any) => sameScope(a.scope) && a.rule === 'regression');
    expect(againAlerts.every((a: any) => a.state === 'firing')).toBe(true);
    const resent = webhook.hooks.slice(hooksBefore).flatMap((h) => h.body.alerts.filter((a: any) => sameScope(a.scope) && a.rule === 'regression' && a.state === 'firing'));
    expect(resent).toEqual([]);

    // 6. The dashboard in Chromium shows them.
    ctx = await chromium.launchPersistentContext(tempDir('ap-e2e-chromium-'), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/?range=24h`);
    await page.waitForFunction(() => document.body.dataset.loading === 'false' && document.querySelector('[data-panel="alerts"]')?.getAttribute('data-loaded') !== null, null, { timeout: 30_000 });
    const rows = await page.$$eval('#p-alerts table:first-of-type tbody tr', (trs) =>
      trs.map((tr) => Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [(td as HTMLElement).dataset.col, (td as HTMLElement).dataset.v ?? '']))),
    );
    // The page shows the state now: after the second run, whose forecasts (window ending at its own
    // now) may have moved a forecast alert, so compare with the API as it answers now.
    const apiNow = (await (await fetch(`${base}/api/alerts`)).json()) as any;
    expect(rows.length).toBe(apiNow.alerts.length);
    expect(rows.map((r) => r.rule)).toEqual(apiNow.alerts.map((a: any) => a.rule));
    expect(rows.map((r) => r.state)).toEqual(apiNow.alerts.map((a: any) => a.state));
    const label = Object.values(REGRESSED_SCOPE).join(' · ');
    const shown = rows.filter((r) => r.scope === label && r.rule === 'regression');
    expect(shown.length).toBe(apiRegressed.length);
    expect(shown.every((r) => r.state === 'firing' && r.severity === 'critical')).toBe(true);
    expect(await page.textContent('#p-alerts h3')).toContain(`${apiNow.firing} firing`);
    expect(Number(await page.getAttribute('[data-kpi="alerts"]', 'data-v'))).toBe(apiNow.firing);
    expect(pageErrors).toEqual([]);
  }, 85_000);
});
