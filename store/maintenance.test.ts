import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSpan } from '../test/spanFactory.js';
import { DuckDbStore } from './DuckDbStore.js';
import { applyRetention, exportParquet } from './maintenance.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const DAY_NS = 86_400_000_000_000n;
const now = 1_800_000_000_000; // ms
const nowNs = BigInt(now) * 1_000_000n;

async function storeWithDays(days: number[]): Promise<DuckDbStore> {
  const store = await DuckDbStore.open(':memory:');
  await store.writeBatch(days.map((d) => makeSpan({ startNs: nowNs - BigInt(d) * DAY_NS, endNs: nowNs - BigInt(d) * DAY_NS + 1_000_000n })));
  return store;
}

describe('exportParquet / applyRetention', () => {
  it('exports spans as day-partitioned Parquet that reads back with the same rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-parquet-'));
    dirs.push(dir);
    const store = await storeWithDays([0, 1, 1, 3]);
    const r = await exportParquet(store, dir);
    expect(r.spans).toBe(4);
    expect(readdirSync(dir).sort()).toEqual(r.days.map((d) => `day=${d}`));
    const back = await store.query(`SELECT count(*) AS n, count(DISTINCT day) AS days FROM read_parquet('${dir}/*/*.parquet', hive_partitioning = true)`);
    expect(back).toEqual([{ n: 4, days: 3 }]);
    await store.close();
  });

  it('is idempotent: exporting twice, or overlapping ranges, never duplicates a span, and keeps spans retention deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-parquet-'));
    dirs.push(dir);
    const store = await storeWithDays([0, 1, 1, 3, 10]);
    const count = async (): Promise<{ n: number; spans: number }[]> =>
      store.query(`SELECT count(*) AS n, count(DISTINCT span_id) AS spans FROM read_parquet('${dir}/*/*.parquet', hive_partitioning = true)`) as Promise<{ n: number; spans: number }[]>;
    await exportParquet(store, dir);
    await exportParquet(store, dir);
    expect(await count()).toEqual([{ n: 5, spans: 5 }]);
    await exportParquet(store, dir, { sinceNs: nowNs - 2n * DAY_NS });
    expect(await count()).toEqual([{ n: 5, spans: 5 }]);
    // Retention deletes the 10-day-old span from the store; a later export keeps it in the folder.
    await applyRetention(store, { spansDays: 7, rollupsDays: 30, nowMs: now });
    await exportParquet(store, dir);
    expect(await count()).toEqual([{ n: 5, spans: 5 }]);
    expect(readdirSync(dir).flatMap((d) => readdirSync(join(dir, d))).filter((f) => !f.endsWith('.parquet'))).toEqual([]);
    await store.close();
  });

  it('deletes spans and rollups past retention and keeps the rest consistent', async () => {
    const store = await storeWithDays([0, 2, 10, 40]);
    const r = await applyRetention(store, { spansDays: 7, rollupsDays: 30, nowMs: now });
    expect(r.spans).toBe(2);
    const [{ n }] = await store.query('SELECT count(*) AS n FROM spans');
    const [{ m }] = await store.query('SELECT sum(span_count) AS m FROM rollup_minute');
    expect(n).toBe(2);
    expect(m).toBe(3); // rollups keep 30 days: the 10-day-old span's minute survives
    await store.close();
  });
});

describe('compactRollups', () => {
  it('merges partial rows of closed periods without changing any sum', async () => {
    const { compactRollups } = await import('./maintenance.js');
    const store = await DuckDbStore.open(':memory:');
    // 40 tiny batches in the same few minutes: 40 partial rows per minute and key.
    for (let i = 0; i < 40; i++) {
      await store.writeBatch(Array.from({ length: 5 }, (_, k) => makeSpan({ startNs: nowNs - BigInt((k % 3) * 60 + 600) * 1_000_000_000n - BigInt(i) })));
    }
    await store.writeBatch([makeSpan({ startNs: nowNs })]); // the newest (open) minute
    const sums = (t: string) => store.query(`SELECT sum(${t.includes('sketch') ? 'n' : 'span_count'}) AS s, count(*) AS rows FROM ${t}`);
    const before = await sums('rollup_minute');
    const beforeSketch = await sums('rollup_sketch');
    const removed = await compactRollups(store);
    const after = await sums('rollup_minute');
    const afterSketch = await sums('rollup_sketch');
    expect(removed).toBeGreaterThan(0);
    expect(after[0].s).toBe(before[0].s);
    expect(afterSketch[0].s).toBe(beforeSketch[0].s);
    expect(Number(after[0].rows)).toBeLessThan(Number(before[0].rows));
    expect(await compactRollups(store)).toBe(0); // nothing new to compact
    await store.close();
  });
});
