import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../server/startServer.js';
import { ensureBuilt, repoRoot } from './build.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ap-otlp-spool-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
beforeAll(() => ensureBuilt());

function runApp(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'agentpulse/register', join(repoRoot, 'test', 'fixtures', 'plain-app.mjs')], {
      cwd: repoRoot,
      env: { ...process.env, OTEL_EXPORTER_OTLP_TIMEOUT: '2000', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('OTLP export with the collector down', () => {
  it('leaves the application unaffected, spools the spans, and delivers them once a collector answers', async () => {
    const dir = tempDir();
    const spool = join(dir, 'spool');
    // A port nothing listens on: bind a collector, note its port, close it.
    const probe = await startLocalServer(join(dir, 'probe.duckdb'), { port: 0 });
    const deadPort = probe.collector.port;
    await probe.stop();

    const down = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${deadPort}`, AGENTPULSE_SPOOL_DIR: spool, SPANS: '100', OTEL_SERVICE_NAME: 'first' });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('done');
    expect(down.stderr).toMatch(/spooling them to/);
    expect(readdirSync(spool, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);

    const db = join(dir, 'collector.duckdb');
    // The collector comes back where the spans were meant to go (a spool is only re-sent to its own endpoint).
    const up = await startLocalServer(db, { port: deadPort });
    try {
      const second = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${deadPort}`, AGENTPULSE_SPOOL_DIR: spool, SPANS: '100', OTEL_SERVICE_NAME: 'second' });
      expect(second.code, second.stderr).toBe(0);
      await up.collector.flush();
      const rows = await up.store.query('SELECT service_name, count(*) AS n FROM spans GROUP BY 1 ORDER BY 1');
      expect(rows).toEqual([
        { service_name: 'first', n: 200 },
        { service_name: 'second', n: 200 },
      ]);
      expect(readdirSync(spool, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'))).toEqual([]);
    } finally {
      await up.stop();
    }
  }, 90_000);
});
