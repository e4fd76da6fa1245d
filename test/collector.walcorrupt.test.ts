import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openStore } from '../store/index.js';
import { childCollectorFixture, spawnCollector, stopChild } from './collectorHelpers.js';
import { cliAsync } from './dashboardHelpers.js';

const ROOT = resolve(import.meta.dirname, '..');
const fx = childCollectorFixture('ap-walcorrupt-');
const { children } = fx;

/** A store killed before its checkpoint: 10 committed transactions of 50 spans live only in `<db>.wal`. */
function killedWriter(db: string): void {
  const script = `
    import { openStore } from ${JSON.stringify(join(ROOT, 'dist/store/index.js'))};
    const s = await openStore(${JSON.stringify(db)});
    const now = BigInt(Date.now()) * 1000000n;
    for (let b = 0; b < 10; b++) {
      await s.writeBatch(Array.from({ length: 50 }, (_, i) => ({ traceId: 'ab'.repeat(16), spanId: (b * 50 + i + 1).toString(16).padStart(16, '0'), parentSpanId: null,
        name: 'x', kind: 'internal', startNs: now + BigInt(b * 50 + i), endNs: now + BigInt(b * 50 + i) + 10n, statusCode: 'OK', statusMessage: null,
        attributes: {}, resource: {}, scopeName: 't', scopeVersion: null, events: [], links: [] })));
    }
    process.kill(process.pid, 'SIGKILL');`;
  spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
}

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

async function opens(db: string): Promise<boolean> {
  try {
    const s = await openStore(db, { readOnly: true });
    await s.close();
    return true;
  } catch {
    return false;
  }
}

describe('a damaged DuckDB write-ahead log', () => {
  it('stops the collector with the next steps, and recover-wal saves the transactions before the damage without touching the originals', async () => {
    const db = join(fx.dir, 'w.duckdb');
    killedWriter(db);
    const wal = `${db}.wal`;
    const pristine = readFileSync(wal);
    expect(pristine.length).toBeGreaterThan(10_000);
    // Flip 16 bytes late in the log, where DuckDB's entry checksums catch it (some offsets are padding).
    let damaged = false;
    for (const frac of [0.9, 0.85, 0.95, 0.7]) {
      const bytes = Buffer.from(pristine);
      const at = Math.floor(bytes.length * frac);
      for (let i = at; i < at + 16; i++) bytes[i]! ^= 0xff;
      writeFileSync(wal, bytes);
      copyFileSync(db, join(fx.dir, 'probe.duckdb'));
      copyFileSync(wal, join(fx.dir, 'probe.duckdb.wal'));
      if (!(await opens(join(fx.dir, 'probe.duckdb')))) {
        damaged = true;
        break;
      }
    }
    expect(damaged).toBe(true);
    const before = { db: sha(db), wal: sha(wal) };

    const err = await spawnCollector(db).then(
      (c) => {
        children.push(c);
        return '';
      },
      (e: Error) => e.message,
    );
    expect(err).toMatch(/write-ahead log .*w\.duckdb\.wal is damaged at byte \d+/);
    expect(err).toMatch(/Keep both files exactly as they are/);
    expect(err).toMatch(/agentpulse --db .*w\.duckdb recover-wal --to DIR/);
    expect(err).toMatch(/export --parquet/);
    expect(err).not.toMatch(/\brm\b|delete the|remove the|move .* aside/i);

    const to = join(fx.dir, 'recovered');
    const r = await cliAsync(['--db', db, 'recover-wal', '--to', to, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { copy: string; spans: number; walBytesDropped: number };
    expect(out.spans).toBeGreaterThan(0);
    expect(out.spans).toBeLessThan(500);
    expect(out.walBytesDropped).toBeGreaterThan(0);
    expect({ db: sha(db), wal: sha(wal) }).toEqual(before);

    // The recovered copy serves: a collector starts on it and the spans are there.
    const c = await spawnCollector(out.copy);
    children.push(c);
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
    await stopChild(c.child);
    const s = await openStore(out.copy, { readOnly: true });
    const [row] = await s.query('SELECT count(*) AS n FROM spans');
    await s.close();
    expect(Number(row!.n)).toBe(out.spans);
  });
});
