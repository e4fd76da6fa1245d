import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { startCollector } from '../collector/index.js';
import { childCollectorFixture, rssMb, spawnCollector, type ChildCollector } from './collectorHelpers.js';

const fx = childCollectorFixture('ap-sql-limits-');
const { children } = fx;

const TIMEOUT_MS = 4_000;

async function sql(url: string, query: string): Promise<{ status: number; body: { error?: string; code?: string; rows?: unknown[][] }; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(`${url}/api/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: query }) });
  const body = (await r.json()) as { error?: string; code?: string; rows?: unknown[][] };
  return { status: r.status, body, ms: performance.now() - t0 };
}

/** Polls /healthz every 20 ms while `during` runs; the longest wait for an answer and the child's peak RSS. */
async function watch<T>(c: ChildCollector, during: () => Promise<T>): Promise<{ result: T; maxHealthzMs: number; peakRssMb: number }> {
  let done = false;
  let maxHealthzMs = 0;
  let peakRssMb = 0;
  const poll = (async () => {
    while (!done) {
      const t0 = performance.now();
      const r = await fetch(`${c.url}/healthz`);
      await r.arrayBuffer();
      maxHealthzMs = Math.max(maxHealthzMs, performance.now() - t0);
      peakRssMb = Math.max(peakRssMb, rssMb(c.child.pid!));
      await new Promise((res) => setTimeout(res, 20));
    }
  })();
  try {
    return { result: await during(), maxHealthzMs, peakRssMb };
  } finally {
    done = true;
    await poll;
  }
}

describe('/api/sql result limits', () => {
  it('refuses huge results within the time limit, with a clear status, while /healthz keeps answering', async () => {
    const c = await spawnCollector(join(fx.dir, 'limits.duckdb'), { sqlTimeoutMs: TIMEOUT_MS, sqlMaxBytes: 4 * 1024 * 1024 });
    children.push(c);
    const before = rssMb(c.child.pid!);
    // One 50-million-element list: before, its conversion held the event loop for minutes and grew RSS to 5 GiB.
    const list = await watch(c, () => sql(c.url, 'select list(x) from range(50000000) t(x)'));
    // One 300 MB string: before, answered after 25 s, past the 10 s limit.
    const text = await watch(c, () => sql(c.url, "select repeat('x', 300000000)"));
    console.log(JSON.stringify({ list: { status: list.result.status, ms: Math.round(list.result.ms), healthz: Math.round(list.maxHealthzMs), rss: Math.round(list.peakRssMb) }, text: { status: text.result.status, ms: Math.round(text.result.ms), healthz: Math.round(text.maxHealthzMs) }, before: Math.round(before) }));
    for (const { result } of [list, text]) {
      expect([408, 413]).toContain(result.status);
      expect(result.body.error).toMatch(/result limit|ran longer than/);
      // Answered by the deadline (plus scheduling slack), not when DuckDB got round to it.
      expect(result.ms).toBeLessThan(TIMEOUT_MS + 3_000);
    }
    expect(text.result.body.code === 'SQL_RESULT_TOO_LARGE' || text.result.body.code === 'SQL_TIMEOUT').toBe(true);
    expect(list.maxHealthzMs).toBeLessThan(1_000);
    expect(text.maxHealthzMs).toBeLessThan(1_000);
    // The list never became JavaScript values (that took GiBs); DuckDB's own buffers remain.
    expect(list.peakRssMb - before).toBeLessThan(2_500);
    // And the collector still answers queries afterwards (once DuckDB has finished what timed out, its slot frees).
    let after = await sql(c.url, 'select 42 as x');
    for (let i = 0; i < 60 && after.status === 429; i++) {
      await new Promise((res) => setTimeout(res, 500));
      after = await sql(c.url, 'select 42 as x');
    }
    expect(after.status).toBe(200);
    expect(after.body.rows).toEqual([[42]]);
  }, 120_000);

  it('answers 413 for a result over the byte limit, and a small one still fits', async () => {
    const c = await spawnCollector(join(fx.dir, 'bytes.duckdb'), { sqlMaxBytes: 100_000 });
    children.push(c);
    const big = await sql(c.url, "select repeat('x', 1000) as s from range(1000)");
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'SQL_RESULT_TOO_LARGE' });
    expect(big.body.error).toMatch(/larger than the 97.7 KiB result limit; select fewer or smaller columns, aggregate, or add a LIMIT/);
    const small = await sql(c.url, "select repeat('x', 1000) as s from range(50)");
    expect(small.status).toBe(200);
    expect(small.body.rows).toHaveLength(50);
  }, 60_000);

  it('runs at most two queries at once and answers 429 with Retry-After beyond', async () => {
    const c = await spawnCollector(join(fx.dir, 'busy.duckdb'), { sqlTimeoutMs: 2_000 });
    children.push(c);
    const slow = 'select count(*) from range(100000000000) a';
    const answers = await Promise.all([0, 1, 2].map(() => fetch(`${c.url}/api/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: slow }) })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([408, 408, 429]);
    expect(answers.find((r) => r.status === 429)!.headers.get('retry-after')).toBe('1');
  }, 60_000);

  it('refuses DuckDB settings and catalog views that name paths (403)', async () => {
    const c = await spawnCollector(join(fx.dir, 'leak.duckdb'));
    children.push(c);
    for (const q of ['select name, setting from pg_catalog.pg_settings', 'select * from pragma_database_list', 'select path from duckdb_databases()', "select current_setting('temp_directory')"]) {
      const r = await sql(c.url, q);
      expect(r.status, q).toBe(403);
      expect(JSON.stringify(r.body)).not.toContain(fx.dir);
    }
    // Discovering the agentpulse tables stays possible.
    const tables = await sql(c.url, "select table_name from information_schema.tables where table_name = 'spans'");
    expect(tables.body.rows).toEqual([['spans']]);
  }, 60_000);

  it("sandboxes the serving store's DuckDB instance: no file access, settings locked", async () => {
    const store = await openStore(join(fx.dir, 'sandbox.duckdb'));
    const collector = await startCollector({ store, port: 0 });
    try {
      await expect(store.query("select content from read_text('/etc/hostname')")).rejects.toThrow(/disabled by configuration/);
      await expect(store.query('SET threads = 1')).rejects.toThrow(/configuration has been locked/);
      // Its own database still works.
      await store.query('create table t as select 1 as x');
    } finally {
      await collector.close();
      await store.close();
    }
  }, 60_000);
});
