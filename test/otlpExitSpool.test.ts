import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../server/startServer.js';
import { ensureBuilt, repoRoot } from './build.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ap-otlp-exit-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
beforeAll(() => ensureBuilt());

/** A loopback port nothing listens on (bound, noted, closed). */
function deadPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node --import agentpulse/register <fixture>`; with `signalAfterDoneMs`, `signal` that long after the app printed "done". */
function runApp(fixture: string, env: Record<string, string>, signalAfterDoneMs?: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'agentpulse/register', join(repoRoot, 'test', 'fixtures', fixture)], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let armed = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (signalAfterDoneMs !== undefined && !armed && stdout.includes('done')) {
        armed = true;
        setTimeout(() => child.kill(signal), signalAfterDoneMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Every spooled batch under the spool base folder, whatever the endpoint. */
function spooledFiles(base: string): string[] {
  if (!existsSync(base)) return [];
  return readdirSync(base, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
}

const BY_SERVICE = 'SELECT service_name, count(*) AS n, count(DISTINCT span_id) AS distinct_ids FROM spans GROUP BY 1 ORDER BY 1';

describe('SpoolingExporter at exit', () => {
  it('spools on SIGTERM the spans the exporter is still retrying, and they arrive once when the collector is back', async () => {
    const dir = tempDir();
    const spool = join(dir, 'spool');
    const port = await deadPort();
    const endpoint = `http://127.0.0.1:${port}`;
    // The default export timeout (10 s) keeps the batch in the exporter's retries when SIGTERM comes.
    const down = await runApp('lingering-app.mjs', { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, AGENTPULSE_SPOOL_DIR: spool, SPANS: '100', OTEL_SERVICE_NAME: 'first' }, 2500);
    expect(down.signal, down.stderr).toBe('SIGTERM');
    expect(down.stderr).toMatch(/exiting before the collector at \S+ accepted 200 spans; spooled them to/);
    expect(spooledFiles(spool).length).toBeGreaterThan(0);

    const up = await startLocalServer(join(dir, 'collector.duckdb'), { port, host: '127.0.0.1' });
    try {
      // The next process for this endpoint re-sends the spool once the collector takes its own spans.
      const next = await runApp('plain-app.mjs', { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, AGENTPULSE_SPOOL_DIR: spool, SPANS: '10', OTEL_SERVICE_NAME: 'second' });
      expect(next.code, next.stderr).toBe(0);
      await up.collector.flush();
      expect(await up.store.query(BY_SERVICE)).toEqual([
        { service_name: 'first', n: 200, distinct_ids: 200 },
        { service_name: 'second', n: 20, distinct_ids: 20 },
      ]);
      expect(spooledFiles(spool)).toEqual([]);
    } finally {
      await up.stop();
    }
  }, 90_000);

  for (const how of ['SIGINT', 'process.exit()'] as const) {
    it(`spools what the exporter is still retrying on ${how}`, async () => {
      const dir = tempDir();
      const spool = join(dir, 'spool');
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await deadPort()}`, AGENTPULSE_SPOOL_DIR: spool, SPANS: '100' };
      const run = how === 'SIGINT' ? await runApp('lingering-app.mjs', env, 2500, 'SIGINT') : await runApp('lingering-app.mjs', { ...env, EXIT_AFTER_MS: '2500' });
      if (how === 'SIGINT') expect(run.signal, run.stderr).toBe('SIGINT');
      else expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/exiting before the collector at \S+ accepted 200 spans; spooled them to/);
      expect(spooledFiles(spool).length).toBeGreaterThan(0);
    }, 60_000);
  }

  it('re-sends a spooled batch only to the endpoint it was meant for', async () => {
    const dir = tempDir();
    const spool = join(dir, 'spool');
    const portA = await deadPort();
    const endpointA = `http://127.0.0.1:${portA}`;
    const b = await startLocalServer(join(dir, 'b.duckdb'), { port: 0, host: '127.0.0.1' });
    try {
      // A is down: its spans are spooled (short export timeout, normal exit).
      const forA = await runApp('plain-app.mjs', { OTEL_EXPORTER_OTLP_ENDPOINT: endpointA, OTEL_EXPORTER_OTLP_TIMEOUT: '1000', AGENTPULSE_SPOOL_DIR: spool, SPANS: '50', OTEL_SERVICE_NAME: 'for-a' });
      expect(forA.code, forA.stderr).toBe(0);
      expect(spooledFiles(spool).length).toBeGreaterThan(0);
      // A process sending to B, sharing the spool folder, must not hand B what was meant for A.
      const forB = await runApp('plain-app.mjs', { OTEL_EXPORTER_OTLP_ENDPOINT: b.collector.url, AGENTPULSE_SPOOL_DIR: spool, SPANS: '10', OTEL_SERVICE_NAME: 'for-b' });
      expect(forB.code, forB.stderr).toBe(0);
      await b.collector.flush();
      expect(await b.store.query(BY_SERVICE)).toEqual([{ service_name: 'for-b', n: 20, distinct_ids: 20 }]);
    } finally {
      await b.stop();
    }
    const a = await startLocalServer(join(dir, 'a.duckdb'), { port: portA, host: '127.0.0.1' });
    try {
      const again = await runApp('plain-app.mjs', { OTEL_EXPORTER_OTLP_ENDPOINT: endpointA, AGENTPULSE_SPOOL_DIR: spool, SPANS: '10', OTEL_SERVICE_NAME: 'for-a-later' });
      expect(again.code, again.stderr).toBe(0);
      await a.collector.flush();
      expect(await a.store.query(BY_SERVICE)).toEqual([
        { service_name: 'for-a', n: 100, distinct_ids: 100 },
        { service_name: 'for-a-later', n: 20, distinct_ids: 20 },
      ]);
      expect(spooledFiles(spool)).toEqual([]);
    } finally {
      await a.stop();
    }
  }, 90_000);
});
